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

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"

make_s1_repo "$work/s1"
noop_config "$work/s1"
(cd "$work/s1" && git add -A && git commit -q -m base &&
    echo "# change" >>src/d00/f00.py && git add -A)

make_s1_repo "$work/push"
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
