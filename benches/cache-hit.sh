#!/usr/bin/env bash
# Issue 7's cache target: a pre-push of commits whose tree already passed (the
# pre-commit run cached its groups) costs at most 1.2x the S1 hook entry point,
# and starts no test process.
#
#   benches/cache-hit.sh target/release/tiergate
#
# Builds two copies of a 200-file repository (as the shared bench's S1 does):
#   s1/    the S1 hook: `true` on the one staged *.py file, cache off
#   push/  a pre-push whose group (`sleep 0.3`, logged) passed in pre-commit
# and times both with hyperfine, each through `sh -c` (pre-push reads the push
# on stdin), so the two rows differ only in tiergate's own work.
set -euo pipefail

tg=$(realpath "${1:?usage: benches/cache-hit.sh path/to/tiergate}")
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

make_repo "$work/s1"
cat >"$work/s1/.tiergate.toml" <<'EOF'
[stages.check]
groups = [{ name = "noop", files = ["**/*.py"], run = "true {files}", cache = false }]

[hooks.pre-commit]
formatters = []
stages = ["check"]
EOF
(cd "$work/s1" && git add -A && git commit -q -m base &&
    echo "# change" >>src/d00/f00.py && git add -A)

make_repo "$work/push"
cat >"$work/push/.tiergate.toml" <<EOF
[stages.unit]
groups = [{ name = "unit", files = ["**/*.py"], run = "sh -c 'echo ran >> $work/runs; sleep 0.3'" }]

[hooks.pre-commit]
formatters = []
stages = ["unit"]

[hooks.pre-push]
stages = ["unit"]
EOF
git init -q --bare "$work/remote.git"
cd "$work/push"
git add -A
git commit -q -m base
git remote add origin "$work/remote.git"
git push -q origin main
echo "# change" >>src/d00/f00.py
git add -A
"$tg" -q hook pre-commit >/dev/null # the passing run, which fills the cache
git commit -q --no-verify -m feature
echo "refs/heads/main $(git rev-parse HEAD) refs/heads/main $(git rev-parse origin/main)" >"$work/push-stdin"
before=$(wc -l <"$work/runs")

hyperfine -w 3 -r 30 -N \
    -n "S1 hook entry (pre-commit, 1 staged file, runs true)" \
    "sh -c 'cd $work/s1 && exec $tg hook pre-commit >/dev/null'" \
    -n "pre-push after a passing run (cache hit)" \
    "sh -c 'cd $work/push && exec $tg hook pre-push origin $work/remote.git <$work/push-stdin >/dev/null'"

"$tg" hook pre-push origin "$work/remote.git" <"$work/push-stdin" | tail -3 # what a cache hit says
after=$(wc -l <"$work/runs")
echo "test processes started by the timed pre-pushes: $((after - before))"
