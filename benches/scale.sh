#!/usr/bin/env bash
# How the pre-commit hook's cost grows with the repository (BENCHMARKS.md):
# S2's shape (files in nested folders, one staged change in every ten files,
# half of them *.py, `true` on the staged *.py files) at several sizes.
#
#   benches/scale.sh target/release/tiergate [SIZES...]   # default: 10000 50000 100000
#
# Prints, per size, the medians of `git diff --cached --name-only` (the floor
# of any hook), `tiergate run --staged` (no unstaged-change scan) and
# `tiergate hook pre-commit`, and the hook's peak RSS.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
shift
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 50000 100000)

echo "| tracked files | staged | git diff --cached --name-only | tiergate run --staged | tiergate hook pre-commit | hook peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    repo=$work/r$n
    git init -q "$repo"
    python3 - "$repo" "$n" <<'EOF'
import pathlib, sys
root, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    ext = "py" if i % 2 == 0 else "txt"
    path = root / "src" / f"d{i // 1000:03}" / f"s{i // 100 % 10}" / f"f{i:06}.{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"line {i}\n")
EOF
    noop_config "$repo"
    (
        cd "$repo"
        git add -A && git commit -q -m base
        git ls-files -- 'src/*' | awk 'NR % 10 == 1' | while read -r f; do echo change >>"$f"; done
        git add -A
        # Let the files' timestamps fall behind the index's, as they are in use.
        sleep 1 && git update-index -q --really-refresh
    )
    staged=$(git -C "$repo" diff --cached --name-only | wc -l)
    cd "$repo"
    hyperfine -N -w 2 -r 10 --export-json "$work/git.json" "git diff --cached --name-only" >/dev/null 2>&1
    hyperfine -N -w 2 -r 10 --export-json "$work/run.json" "$tg -q run --staged" >/dev/null 2>&1
    hyperfine -N -w 2 -r 10 --export-json "$work/hook.json" "$tg -q hook pre-commit" >/dev/null 2>&1
    rss=$(/usr/bin/time -f %M "$tg" -q hook pre-commit 2>&1 >/dev/null | tail -1)
    printf '| %s | %s | %s ms | %s ms | %s ms | %s MiB |\n' "$n" "$staged" \
        "$(median_ms "$work/git.json")" "$(median_ms "$work/run.json")" \
        "$(median_ms "$work/hook.json")" "$((rss / 1024))"
    cd "$work"
    rm -rf "$repo"
done
