#!/usr/bin/env bash
# A commit-msg hook running a message checker, against its floor (issue 21)
# and against the S1 hook (issue 15's target: at most 1.2x the S1 hook's
# overhead to `git commit`).
#
#   benches/commit-msg.sh target/release/tiergate
#
# Four copies of a 200-file repository (as the shared bench's S1 builds):
#   bare/   no hook: what `git commit` costs by itself
#   floor/  the checker as a plain `.git/hooks/commit-msg` shell script: what
#           git itself costs for the same work (sh + grep)
#   msg/    tiergate's commit-msg hook, one group running the same checker
#   s1/     the S1 hook: pre-commit runs `true` on the one staged *.py file
# The checker is `grep -qE '^(feat|fix|chore)(\(.+\))?: '` on the message
# file. Each timed run commits one staged change (staged by --prepare,
# untimed). "vs floor" is a row's whole commit over the floor's; "added" is a
# row minus the bare commit.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
runs=${RUNS:-100}

checker="grep -qE '^(feat|fix|chore)(\\(.+\\))?: '"
# The same, as a TOML basic string.
checker_toml=${checker//\\/\\\\}

for repo in bare floor msg s1; do
    make_s1_repo "$work/$repo"
done
noop_config "$work/s1"
cat >"$work/msg/.tiergate.toml" <<EOF
[stages.check]
groups = [{ name = "noop", files = ["**/*.py"], run = "true {files}", cache = false }]

[stages.message]
groups = [{ name = "conventional", always = true, run = "$checker_toml {msg_file}" }]

[hooks.pre-commit]
formatters = []
stages = ["check"]

[hooks.commit-msg]
stages = ["message"]
EOF
for repo in bare floor msg s1; do
    (cd "$work/$repo" && git add -A && git commit -q --no-verify -m base)
done
# shellcheck disable=SC2016 # $1 is the hook's, not ours
printf '#!/bin/sh\n%s "$1"\n' "$checker" >"$work/floor/.git/hooks/commit-msg"
chmod +x "$work/floor/.git/hooks/commit-msg"
(cd "$work/s1" && "$tg" install --yes --hooks pre-commit >/dev/null)
(cd "$work/msg" && "$tg" install --yes --hooks commit-msg >/dev/null)

# Both checkers ran and judged: a bad message is refused, a good one passes.
for repo in floor msg; do
    cd "$work/$repo"
    echo '# change' >>src/d00/f00.py
    git add -A
    if git commit -q -m 'no type' >/dev/null 2>&1; then
        echo "$repo: the checker did not refuse a bad message" >&2
        exit 1
    fi
    git commit -q -m 'feat: good' >/dev/null 2>&1 || { echo "$repo: a good message was refused" >&2; exit 1; }
done
echo "both checkers refuse a bad message and pass a good one"

stage() { echo "cd $work/$1 && echo '# change' >>src/d00/f00.py && git add -A"; }
hyperfine -w 3 -r "$runs" -N --export-json "$work/commit.json" \
    -n "bare git commit (no hook)" --prepare "sh -c \"$(stage bare)\"" \
    "git -C $work/bare commit -q -m 'feat: bench'" \
    -n "floor: commit-msg shell script" --prepare "sh -c \"$(stage floor)\"" \
    "git -C $work/floor commit -q -m 'feat: bench'" \
    -n "tiergate commit-msg hook" --prepare "sh -c \"$(stage msg)\"" \
    "git -C $work/msg commit -q -m 'feat: bench'" \
    -n "tiergate S1 pre-commit hook" --prepare "sh -c \"$(stage s1)\"" \
    "git -C $work/s1 commit -q -m 'feat: bench'" >&2

echo
echo "git commit of one staged change, $runs runs each (hyperfine -N -w 3)"
echo
bench_table "$work/commit.json" "floor: commit-msg shell script" "bare git commit (no hook)"
python3 - "$work/commit.json" <<'EOF'
import json, sys
rows = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
names = ("tiergate commit-msg hook", "floor: commit-msg shell script", "tiergate S1 pre-commit hook")
ratio = lambda a, b: f"{a / b:.2f}x" if b > 0 else "n/a (not above the bare commit)"
for what, value in (("wall (medians)", lambda r: r["median"]), ("CPU (user + sys, means)", lambda r: r["user"] + r["system"])):
    bare = value(rows["bare git commit (no hook)"])
    tg, floor, s1 = (value(rows[k]) - bare for k in names)
    print(f"\n{what}: tiergate's commit-msg hook adds {tg * 1000:.1f} ms to a commit, the shell script "
          f"{floor * 1000:.1f} ms ({ratio(tg, floor)}), the S1 hook {s1 * 1000:.1f} ms ({ratio(tg, s1)}).")
EOF
