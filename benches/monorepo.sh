#!/usr/bin/env bash
# The pre-commit hook on a monorepo of 10 sub-projects vs one project of the
# same size (issue 17), in the shape of the shared bench's S2: 50,000 small
# files (half *.py) in nested folders, 5,000 staged modifications (about half
# *.py), one group per project running `true` on its staged *.py files.
#
#   benches/monorepo.sh [PATH-TO-TIERGATE]    (default: target/release/tiergate)
#
# Env: FILES (50000), STAGED (5000), MEMBERS (10), RUNS (10). Needs hyperfine.
set -euo pipefail

cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/tiergate}")
files=${FILES:-50000}
staged=${STAGED:-5000}
members=${MEMBERS:-10}
runs=${RUNS:-10}
[[ -x $bin ]] || { echo "no tiergate at $bin: cargo build --release" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is required" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-monorepo-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME=$work/home GIT_CONFIG_NOSYSTEM=1 TIERGATE_SKIP=
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main
# No gc in the background while the tree is copied or timed.
git config --global gc.auto 0
git config --global maintenance.auto false

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

hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/table.md" \
    -n "one project ($files files)" "cd $single && $bin hook pre-commit" \
    -n "$members members ($files files)" "cd $mono && $bin hook pre-commit"
cat "$work/table.md"
