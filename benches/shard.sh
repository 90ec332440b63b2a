#!/usr/bin/env bash
# Issue 19's targets, on real runs:
#
#   benches/shard.sh target/release/tiergate
#
# 1. Balance: a group of 40 pytest files that sleep for known, skewed times
#    (10 slow or middling files, 30 fast; 49.4 s in all). One unsharded run
#    records the files' durations in history; then 4 clones, each given that
#    history (as CI carries it), run `--shard K/4` side by side. Printed: each
#    shard's group duration (from its JSON report) and the slowest / (total/4).
# 2. A pull request on the example service that changes one module
#    (app/services.py), 2 shards of fast.unit selecting `--from origin/main`:
#    which shard runs tests, and the wall time of the shard that has none
#    (tiergate's own time: nothing is started).
set -euo pipefail

tg=$(realpath "${1:?usage: benches/shard.sh path/to/tiergate}")
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=$work/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name "tiergate bench"
git config --global user.email bench@example.com
git config --global init.defaultBranch main

# ---- 1. balance --------------------------------------------------------
repo=$work/suite
git init -q "$repo"
python3 - "$repo" <<'PY'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
seconds = [7.0, 5.0, 4.0, 3.0, 2.5, 2.0, 1.8, 1.6, 1.4, 1.2]
x = 0x2545F4914F6CDD1D
for _ in range(30):
    x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 7
    x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
    seconds.append(0.2 + (x % 100) / 100.0)
(root / "tests").mkdir()
for i, s in enumerate(seconds):
    (root / "tests" / f"test_{i:02}.py").write_text(
        f"import time\n\n\ndef test_sleep():\n    time.sleep({s:.2f})\n"
    )
(root / ".tiergate.toml").write_text(
    '[stages.fast]\ngroups = [{ name = "unit", tests = ["tests/test_*.py"], '
    'run = "python3 -m pytest -q -p no:cacheprovider --junitxml {junit} {tests}" }]\n'
)
(root / ".gitignore").write_text("__pycache__/\n*.json\n")
print(f"suite: 40 files, {sum(seconds):.1f} s of sleep, ideal per shard {sum(seconds) / 4:.1f} s")
PY
git -C "$repo" add -A && git -C "$repo" commit -qm suite
(cd "$repo" && "$tg" run fast -q --save-report whole.json)
for k in 1 2 3 4; do
    git clone -q "$repo" "$work/m$k"
    mkdir -p "$work/m$k/.git/tiergate"
    cp "$repo/.git/tiergate/history.jsonl" "$work/m$k/.git/tiergate/"
done
for k in 1 2 3 4; do
    (cd "$work/m$k" && "$tg" run fast -q --shard "$k/4" --save-report shard.json >/dev/null) &
done
wait
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
whole = json.load(open(f"{work}/suite/whole.json"))
sleep = sum(t["duration"] for t in whole["stages"][0]["groups"][0]["tests"])
shards = []
for k in range(1, 5):
    r = json.load(open(f"{work}/m{k}/shard.json"))
    g = r["stages"][0]["groups"][0]
    tests = sum(t["duration"] for t in g["tests"])
    shards.append((k, len(g["tests"]), tests, g["duration"]))
    print(f"shard {k}/4: {len(g['tests'])} files, tests {tests:.2f} s, group {g['duration']:.2f} s")
ideal = sleep / 4
slowest = max(s[2] for s in shards)
print(f"test time: slowest shard {slowest:.2f} s, ideal {ideal:.2f} s: {slowest / ideal:.3f}x")
wall = max(s[3] for s in shards)
print(f"group wall time: slowest shard {wall:.2f} s vs unsharded {whole['stages'][0]['groups'][0]['duration']:.2f} s")
PY

# ---- 2. a pull request on the example ----------------------------------
ex=$work/example
mkdir "$ex"
(cd "$here/examples/python-service" && tar --exclude=__pycache__ --exclude=.pytest_cache -cf - .) | tar -xf - -C "$ex"
printf '__pycache__/\n.pytest_cache/\n*.xml\n*.json\n' > "$ex/.gitignore"
git -C "$ex" init -q && git -C "$ex" add -A && git -C "$ex" commit -qm example
(cd "$ex" && "$tg" run fast.unit -q)
git -C "$ex" checkout -q -b feature
echo "# a change" >> "$ex/app/services.py"
git -C "$ex" commit -qam "change the services"
for k in 1 2; do
    git clone -q "$ex" "$work/pr$k"
    git -C "$work/pr$k" checkout -q feature
    mkdir -p "$work/pr$k/.git/tiergate"
    cp "$ex/.git/tiergate/history.jsonl" "$work/pr$k/.git/tiergate/"
    start=$(date +%s.%N)
    (cd "$work/pr$k" && "$tg" run fast.unit -q --shard "$k/2" --from origin/main)
    end=$(date +%s.%N)
    python3 -c "print(f'pr shard $k/2: {$end - $start:.3f} s wall')"
done
