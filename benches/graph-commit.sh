#!/usr/bin/env bash
# A commit changing one module of a 10,000-module Python project whose test
# groups select their tests from the import graph (issue 21; SPEC 15, the
# `tests` key), against the floor `git diff --cached --name-only` in the same
# repository.
#
#   benches/graph-commit.sh target/release/tiergate
#
# The project is benches/selection/synthetic.py's (MODULES=10000: 8,000
# modules in packages of 50, each importing up to three earlier ones, and
# 2,000 test files of one import each; 10,161 *.py files, packed as a clone
# is). Two groups own the tests, `unit` (tests/t0*/) and `integration`
# (tests/t1*/), each running `true {tests}` on its selected test files,
# cache off. One module (MODULE) is edited and staged. Rows:
#   cold   the graph cache (.git/tiergate/graph/) removed before every run:
#          every blob read, scanned and resolved
#   warm   the graph left from the run before: nothing to scan
#   warm, module re-staged   the module edited and staged again before every
#          run (a new blob): one file scanned, as in a real next commit
#   no tests groups   a copy of the repository whose one group runs `true
#          {files}` on the staged *.py files (S1's group): the same hook
#          without the graph, so a row minus it is what the graph costs
# Before timing, a run with the graph cold and one with it warm must pass the
# groups exactly the test files that import the module, directly or not
# (computed here from the generated sources, not by tiergate), and that set
# must be neither empty nor every test: a selection that silently selects
# nothing, or everything, fails the script.
#
# Env: MODULES (10000), MODULE (src/proj/pkg010/m00500.py, which
# reaches 218 of the 2,000 test files), RUNS (10).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
synthetic=$(realpath "$(dirname "$0")/selection/synthetic.py")
bench_init "${1:-}"
modules=${MODULES:-10000}
module=${MODULE:-src/proj/pkg010/m00500.py}
runs=${RUNS:-10}

repo=$work/proj
git init -q "$repo"
python3 "$synthetic" "$repo" "$modules"
cat >"$repo/.tiergate.toml" <<'EOF'
[stages.check]
groups = [
    { name = "unit", tests = ["tests/t0*/test_*.py"], run = "bench-true {tests}", cache = false },
    { name = "integration", tests = ["tests/t1*/test_*.py"], run = "bench-true {tests}", cache = false },
]

[hooks.pre-commit]
formatters = []
stages = ["check"]
EOF
cd "$repo"
[[ -f $module ]] || { echo "no module $module in the project" >&2; exit 2; }
git add -A
git commit -q -m base
git repack -adq
echo "# changed" >>"$module"
git add "$module"
# Let the files' timestamps fall behind the index's, as they are in use.
sleep 1 && git update-index -q --really-refresh

# The expected selection, from the generated sources: every test file that
# imports the module, directly or through other modules.
python3 - "$module" >"$work/expected" <<'EOF'
import collections, pathlib, re, sys
changed = sys.argv[1]
importers = collections.defaultdict(set)
line = re.compile(r"^from (\.|proj\.pkg\d+\.)(m\d+) import ", re.M)
for path in list(pathlib.Path("src").rglob("*.py")) + list(pathlib.Path("tests").rglob("*.py")):
    for prefix, name in line.findall(path.read_text()):
        pkg = path.parent.as_posix() if prefix == "." else "src/proj/" + prefix.split(".")[1]
        importers[f"{pkg}/{name}.py"].add(path.as_posix())
seen, todo = {changed}, [changed]
while todo:
    for importer in importers[todo.pop()]:
        if importer not in seen:
            seen.add(importer)
            todo.append(importer)
for path in sorted(p for p in seen if re.fullmatch(r"tests/t\d+/test_\d+\.py", p)):
    print(path)
EOF
all_tests=$(git ls-files 'tests/*/test_*.py' | wc -l)
expected=$(wc -l <"$work/expected")
if [[ $expected -eq 0 || $expected -eq $all_tests ]]; then
    echo "$module reaches $expected of $all_tests test files: pick a module that selects some, not all" >&2
    exit 2
fi

# The copy without the graph: S1's group, its config committed (the module
# stays staged).
plain=$work/plain
cp -a "$repo" "$plain"
noop_config "$plain"
git -C "$plain" commit -q -m plain .tiergate.toml
[[ $(git -C "$plain" diff --cached --name-only) == "$module" ]] || { echo "plain: $module not staged" >&2; exit 1; }

# bench-true records its arguments for the checked runs, then becomes `true`.
mkdir "$work/bin"
export PATH=$work/bin:$PATH
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >>%s\n' "$work/passed" >"$work/bin/bench-true"
chmod +x "$work/bin/bench-true"
check() { # check WHAT: one hook run passes exactly the expected test files
    : >"$work/passed"
    "$tg" -q hook pre-commit >/dev/null 2>"$work/hook.err" || {
        echo "$1: the hook failed:" >&2
        cat "$work/hook.err" >&2
        exit 1
    }
    sort "$work/passed" >"$work/passed.sorted"
    if ! cmp -s "$work/expected" "$work/passed.sorted"; then
        echo "$1: the groups got $(wc -l <"$work/passed") test files, expected $expected:" >&2
        diff "$work/expected" "$work/passed.sorted" | head -20 >&2
        exit 1
    fi
    echo "$1: the groups got the $expected expected test files of $all_tests"
}
rm -rf .git/tiergate/graph
check "graph cold"
check "graph warm"
ln -sf "$(type -P true)" "$work/bin/bench-true"

cold="sh -c 'rm -rf $repo/.git/tiergate/graph'"
restage="sh -c 'cd $repo && echo \"# again\" >>$module && git add $module'"
hyperfine -N -w 2 -r "$runs" --export-json "$work/graph.json" \
    -n "floor: git diff --cached --name-only" --prepare true "git diff --cached --name-only" \
    -n "tiergate hook pre-commit, graph cold" --prepare "$cold" "$tg hook pre-commit" \
    -n "tiergate hook pre-commit, graph warm" --prepare true "$tg hook pre-commit" \
    -n "tiergate hook pre-commit, warm, module re-staged" --prepare "$restage" "$tg hook pre-commit" >&2
(cd "$plain" && hyperfine -N -w 2 -r "$runs" --export-json "$work/plain.json" \
    -n "tiergate hook pre-commit, no tests groups" "$tg hook pre-commit" >&2)
python3 - "$work/graph.json" "$work/plain.json" <<'EOF'
import json, sys
graph, plain = (json.load(open(p)) for p in sys.argv[1:])
graph["results"] += plain["results"]
json.dump(graph, open(sys.argv[1], "w"))
EOF

rss() { /usr/bin/time -f %M "${@:2}" 2>&1 >/dev/null | tail -n 1 | sed "s/^/$1\t/"; }
{
    rss "floor: git diff --cached --name-only" git diff --cached --name-only
    rm -rf .git/tiergate/graph
    rss "tiergate hook pre-commit, graph cold" "$tg" hook pre-commit
    rss "tiergate hook pre-commit, graph warm" "$tg" hook pre-commit
    sh -c "$restage"
    rss "tiergate hook pre-commit, warm, module re-staged" "$tg" hook pre-commit
    cd "$plain"
    rss "tiergate hook pre-commit, no tests groups" "$tg" hook pre-commit
} >"$work/rss.tsv"

echo
echo "$(git ls-files '*.py' | wc -l) *.py files, $module staged, $expected of $all_tests test files" \
    "selected; $runs runs each (hyperfine -N -w 2)"
echo
bench_table "$work/graph.json" "floor: git diff --cached --name-only" "" "$work/rss.tsv"
