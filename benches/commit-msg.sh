#!/usr/bin/env bash
# Issue 15's target: a commit-msg hook running a message checker adds at most
# 1.2x the S1 hook's overhead to `git commit`.
#
#   benches/commit-msg.sh target/release/tiergate
#
# Three copies of a 200-file repository (as the shared bench's S1 builds):
#   bare/  no hook: what `git commit` costs by itself
#   s1/    the S1 hook: pre-commit runs `true` on the one staged *.py file
#   msg/   only a commit-msg hook: `grep -qE` checks the message file
# Each timed run commits one staged change (staged by --prepare, untimed), so
# an overhead is a row minus the bare row.
set -euo pipefail

tg=$(realpath "${1:?usage: benches/commit-msg.sh path/to/tiergate}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=$work/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name "tiergate bench"
git config --global user.email bench@example.com
git config --global init.defaultBranch main

make_repo() {
    git init -q "$1"
    python3 - "$1" <<'EOF'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
for i in range(200):
    path = root / "src" / f"d{i // 10:02}" / f"f{i % 10:02}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"def f{i}():\n    return {i}\n")
EOF
}

make_repo "$work/bare"
make_repo "$work/s1"
cat >"$work/s1/.tiergate.toml" <<'EOF'
[stages.check]
groups = [{ name = "noop", files = ["**/*.py"], run = "true {files}", cache = false }]

[hooks.pre-commit]
formatters = []
stages = ["check"]
EOF
make_repo "$work/msg"
cat >"$work/msg/.tiergate.toml" <<'EOF'
[stages.check]
groups = [{ name = "noop", files = ["**/*.py"], run = "true {files}", cache = false }]

[stages.message]
groups = [{ name = "conventional", always = true, run = "grep -qE '^(feat|fix|chore)(\\(.+\\))?: ' {msg_file}" }]

[hooks.pre-commit]
formatters = []
stages = ["check"]

[hooks.commit-msg]
stages = ["message"]
EOF
for repo in bare s1 msg; do
    (cd "$work/$repo" && git add -A && git commit -q --no-verify -m base)
done
(cd "$work/s1" && "$tg" install --yes --hooks pre-commit >/dev/null)
(cd "$work/msg" && "$tg" install --yes --hooks commit-msg >/dev/null)

stage() { echo "cd $work/$1 && echo '# change' >>src/d00/f00.py && git add -A"; }
hyperfine -w 3 -r 40 -N \
    -n "git commit, no hook" --prepare "sh -c \"$(stage bare)\"" \
    "git -C $work/bare commit -q -m 'feat: bench'" \
    -n "git commit, S1 pre-commit hook" --prepare "sh -c \"$(stage s1)\"" \
    "git -C $work/s1 commit -q -m 'feat: bench'" \
    -n "git commit, commit-msg hook (message checker)" --prepare "sh -c \"$(stage msg)\"" \
    "git -C $work/msg commit -q -m 'feat: bench'"

# The checker ran and judged: a bad message is refused.
cd "$work/msg"
echo '# change' >>src/d00/f00.py
git add -A
if git commit -q -m 'no type' >/dev/null 2>&1; then
    echo "the checker did not refuse a bad message"
    exit 1
fi
echo "a bad message is refused"
