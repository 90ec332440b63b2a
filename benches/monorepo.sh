#!/usr/bin/env bash
# The pre-commit hook on a monorepo of 10 sub-projects vs one project of the
# same size (issue 17), in the shape of the shared bench's S2: 50,000 small
# files (half *.py) in nested folders, 5,000 staged modifications (about half
# *.py), one group per project running `true` on its staged *.py files.
# Against the floor of issue 21, as S2 has it: `git diff --cached --name-only
# -z -- '*.py' | xargs -0 true` in the monorepo (the one project's tree is
# the same files, without the 10 member configs); with each row's peak RSS
# (`/usr/bin/time -f %M`: the largest process of the row's tree).
#
#   benches/monorepo.sh [PATH-TO-TIERGATE]    (default: target/release/tiergate)
#
# Env: FILES (50000), STAGED (5000), MEMBERS (10), RUNS (10). Needs hyperfine.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
bench_init "${1:-$(dirname "$0")/../target/release/tiergate}"
bin=$tg
files=${FILES:-50000}
staged=${STAGED:-5000}
members=${MEMBERS:-10}
runs=${RUNS:-10}

# One tree for both repositories: project pNN holds every file i with
# i % members == NN, in folders of 100 files.
build() {
    local repo=$1
    git init -q "$repo"
    python3 - "$repo" "$files" "$members" <<'PY'
import sys
from pathlib import Path
root, files, members = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for i in range(files):
    ext = "py" if i % 2 == 0 else "txt"
    path = root / f"p{i % members:02d}/d{i // 2000:03d}/s{(i // 100) % 20:02d}/f{i:05d}.{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'"""File {i}."""\n\nVALUE_{i} = {i}\n' if ext == "py" else f"line {i}\n")
PY
}

modify() {
    local repo=$1
    python3 - "$repo" "$files" "$staged" "$members" <<'PY'
import sys
from pathlib import Path
root, files, count, members = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
step = max(files // max(count, 1), 2)
for n in range(count):
    # Every member gets its share and about half of the changes are *.py:
    # with the defaults (step 10), i % 10 is n % 10.
    i = (n * step + (n % members)) % files
    ext = "py" if i % 2 == 0 else "txt"
    path = root / f"p{i % members:02d}/d{i // 2000:03d}/s{(i // 100) % 20:02d}/f{i:05d}.{ext}"
    with path.open("a") as f:
        f.write(f"# changed {n}\n")
PY
    git -C "$repo" add -u
    git -C "$repo" update-index -q --refresh
}

group='groups = [{ name = "noop", files = ["**/*.py"], run = "true {files}", cache = false }]'

single=$work/single
build "$single"
printf '[stages.check]\n%s\n\n[hooks.pre-commit]\nformatters = []\nstages = ["check"]\n' "$group" \
    >"$single/.tiergate.toml"
git -C "$single" add -A && git -C "$single" commit -qm base

mono=$work/mono
cp -r "$single" "$mono"
printf '[projects]\nmembers = ["p*"]\n\n[hooks.pre-commit]\nformatters = []\nstages = ["check"]\n' \
    >"$mono/.tiergate.toml"
for dir in "$mono"/p*/; do
    printf '[stages.check]\n%s\n' "$group" >"$dir/.tiergate.toml"
done
git -C "$mono" add -A && git -C "$mono" commit -qm members

modify "$single"
modify "$mono"
echo "tracked: $(git -C "$single" ls-files | wc -l) / $(git -C "$mono" ls-files | wc -l);" \
    "staged: $(git -C "$single" diff --cached --name-only | wc -l) / $(git -C "$mono" diff --cached --name-only | wc -l)" \
    "(single / monorepo)"

# Every staged *.py file must reach a group: a run that selects nothing is fast and wrong.
for repo in "$single" "$mono"; do
    (cd "$repo" && "$bin" hook pre-commit >/dev/null) || { echo "the hook failed in $repo" >&2; exit 1; }
done
(cd "$mono" && "$bin" plan --staged | grep -c '^  run  noop') | sed 's/^/monorepo groups selected: /'

# The floor sees the same staged *.py files.
py=$(git -C "$mono" diff --cached --name-only -- '*.py' | wc -l)
seen=$(cd "$mono" && git diff --cached --name-only -z -- '*.py' | xargs -0 sh -c 'echo $#' sh | awk '{ n += $1 } END { print n }')
[[ $py -gt 0 && $seen -eq $py ]] || { echo "the floor got $seen of $py staged *.py files" >&2; exit 1; }

floor="git diff --cached --name-only -z -- '*.py' | xargs -0 true"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/mono.json" \
    -n "floor: git diff --cached | xargs true" "cd $mono && $floor" \
    -n "one project" "cd $single && $bin hook pre-commit" \
    -n "$members members" "cd $mono && $bin hook pre-commit" >&2

rss() { /usr/bin/time -f %M sh -c "$2" 2>&1 >/dev/null | tail -n 1 | sed "s/^/$1\t/"; }
{
    rss "floor: git diff --cached | xargs true" "cd $mono && $floor"
    rss "one project" "cd $single && $bin hook pre-commit"
    rss "$members members" "cd $mono && $bin hook pre-commit"
} >"$work/rss.tsv"

echo
echo "$files files, $staged staged ($py *.py), $runs runs each (hyperfine -w 1, through sh)"
echo
bench_table "$work/mono.json" "floor: git diff --cached | xargs true" "" "$work/rss.tsv"
