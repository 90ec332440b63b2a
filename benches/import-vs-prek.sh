#!/usr/bin/env bash
# Issue 18's speed target: the configuration `tiergate import pre-commit`
# writes runs at least as fast as prek running the original local hooks on
# the same repository and the same staged files.
#
#   benches/import-vs-prek.sh target/release/tiergate [STAGED]
#
# Builds one repository of STAGED (default 300) Python modules plus some
# Markdown and YAML, every file clean (formatted, no trailing blank, no typo),
# so every hook passes and each run does the same work. Its
# .pre-commit-config.yaml has the local hooks a Python project writes:
# trailing-whitespace and end-of-file-fixer (pre-commit-hooks' scripts),
# ruff check --fix --exit-non-zero-on-fix, ruff format, codespell and typos.
# `tiergate import pre-commit` translates it; then hyperfine times, on the
# same staged files, both warm:
#   prek run                     (prek's pre-commit entry point: staged files)
#   tiergate hook pre-commit     (the imported config; its cache on, as installed)
#   tiergate hook pre-commit     (the same with every group's cache off)
# The tools come from one PATH (the real binaries, not pyenv's shims), so
# both tools start the same programs.
# Needs: hyperfine, prek (the shared bench's venv or PATH), ruff, typos,
# codespell and pre-commit-hooks on PATH.
set -euo pipefail

tg=$(realpath "${1:?usage: benches/import-vs-prek.sh path/to/tiergate [STAGED]}")
staged=${2:-300}
bench_venv=${TIERGATE_BENCH_CACHE:-$HOME/.cache/tiergate-bench}/venv
prek=$(command -v prek || echo "$bench_venv/bin/prek")
[[ -x $prek ]] || { echo "prek not found: run the shared bench's setup.sh" >&2; exit 2; }

# The real programs, not shims: a pyenv shim costs a bash start per call.
tools=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$work" "$tools"' EXIT
for t in ruff typos codespell end-of-file-fixer trailing-whitespace-fixer; do
    real=$(pyenv which "$t" 2>/dev/null || command -v "$t") ||
        { echo "$t not found: pip install ruff typos codespell pre-commit-hooks" >&2; exit 2; }
    ln -s "$real" "$tools/$t"
done
export PATH=$tools:$PATH
export GIT_CONFIG_GLOBAL=$work/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name "tiergate bench"
git config --global user.email bench@example.com
git config --global init.defaultBranch main

repo=$work/repo
git init -q "$repo"
cat >"$repo/.pre-commit-config.yaml" <<'EOF'
repos:
  - repo: local
    hooks:
      - id: trailing-whitespace
        name: trim trailing whitespace
        entry: trailing-whitespace-fixer
        language: system
        types: [text]
      - id: end-of-file-fixer
        name: fix end of files
        entry: end-of-file-fixer
        language: system
        types: [text]
      - id: ruff-check
        name: ruff check
        entry: ruff check --fix --exit-non-zero-on-fix
        language: system
        types_or: [python, pyi]
        require_serial: true
      - id: ruff-format
        name: ruff format
        entry: ruff format
        language: system
        types_or: [python, pyi]
        require_serial: true
      - id: codespell
        name: codespell
        entry: codespell
        language: system
        types: [text]
      - id: typos
        name: typos
        entry: typos --force-exclude
        language: system
        types: [text]
EOF
cd "$repo"
git add .pre-commit-config.yaml
git commit -q -m config
"$tg" import pre-commit >/dev/null
git add .tiergate.toml
git commit -q -m "tiergate config"
# A copy whose groups never replay a cached pass: the same work as prek's.
cp -a "$repo" "$work/no-cache"
(cd "$work/no-cache" &&
    sed -i 's/^\[\[stages\.\(.*\)\.groups\]\]$/&\ncache = false/' .tiergate.toml &&
    git commit -q -am "no cache")

# Clean input: every hook passes and changes nothing, so every run is the same.
for dir in "$repo" "$work/no-cache"; do
python3 - "$dir" "$staged" <<'EOF'
import pathlib, sys
root, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    path = root / "src" / "pkg" / f"m{i // 20:02}" / f"mod_{i:04}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [f'"""Module {i}: helpers for the records of batch {i}."""', "", "import json", ""]
    for j in range(8):
        body += [
            "",
            f"def handle_{j}(records: list[dict], limit: int = {j + 1}) -> str:",
            f'    """Return the first records of kind {j} as JSON."""',
            f"    kept = [r for r in records if r.get(\"kind\") == {j}]",
            "    return json.dumps(kept[:limit], sort_keys=True)",
            "",
        ]
    path.write_text("\n".join(body).rstrip("\n") + "\n")
for i in range(max(n // 10, 1)):
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / f"page{i}.md").write_text(f"# Page {i}\n\nThe records of batch {i}.\n")
    (root / "conf").mkdir(exist_ok=True)
    (root / "conf" / f"job{i}.yaml").write_text(f"name: job{i}\nsteps:\n  - run: make\n")
EOF
    (cd "$dir" && ruff format -q src && ruff check -q src && git add -A)
done
echo "staged: $(git diff --cached --name-only | wc -l) files"
"$prek" run >/dev/null || { "$prek" run; echo "prek fails on the clean input" >&2; exit 1; }
for dir in "$repo" "$work/no-cache"; do
    (cd "$dir" && "$tg" -q hook pre-commit >/dev/null) || { (cd "$dir" && "$tg" hook pre-commit); exit 1; }
done

hyperfine -w 3 -r "${RUNS:-15}" -N --export-json "$work/times.json" \
    -n "prek run (original local hooks)" \
    "sh -c 'cd $repo && exec $prek run >/dev/null'" \
    -n "tiergate hook pre-commit (imported, cache on)" \
    "sh -c 'cd $repo && exec $tg hook pre-commit >/dev/null'" \
    -n "tiergate hook pre-commit (imported, cache off)" \
    "sh -c 'cd $work/no-cache && exec $tg hook pre-commit >/dev/null'"
# Medians and the ratio to prek (the target: at most 1.0x).
python3 - "$work/times.json" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
prek = results[0]["median"]
for r in results:
    print(f"{r['command']}: median {r['median'] * 1000:.0f} ms, {r['median'] / prek:.2f}x prek")
EOF
