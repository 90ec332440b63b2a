"""Selection quality by mutation (issue #16).

For each module of a package: inject `raise RuntimeError` as the first
statement of every function of that module, run the whole test suite to get
the tests that fail, and ask `tiergate affected --files MODULE` which test
files the change affects. Reports recall (failing tests inside the selected
files / all failing tests, with every miss), the median and 90th-percentile
share of the suite's test files selected, and the graph's cold and warm time.

Usage: python3 mutate.py REPO PACKAGE_DIR TIERGATE [pytest args...]
REPO is a git repository whose .tiergate.toml has a group with `tests`.
"""

import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

repo, package, tiergate = sys.argv[1], sys.argv[2], sys.argv[3]
pytest_args = sys.argv[4:]
junit = os.path.join(repo, ".git", "mutation-junit.xml")


def run_suite():
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--continue-on-collection-errors",
         f"--junitxml={junit}", *pytest_args],
        cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600,
    )
    failed = set()
    try:
        root = ET.parse(junit).getroot()
    except (ET.ParseError, FileNotFoundError):
        return None
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            classname = case.get("classname", "")
            # A module that fails to import is reported with its dotted name as the test name.
            failed.add((test_file(classname or case.get("name", ""), case.get("file")), case.get("name")))
    return failed


def test_file(classname, file):
    if file:
        return file
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        path = "/".join(parts[:end]) + ".py"
        if os.path.exists(os.path.join(repo, path)):
            return path
    return classname


def affected(path):
    out = subprocess.run([tiergate, "affected", "--files", path], cwd=repo,
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def mutate(source):
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    inserts = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if first.lineno == node.lineno:
                continue  # `def f(): return x` on one line
            # A decorated first statement starts at its first decorator.
            decorators = getattr(first, "decorator_list", None)
            line = decorators[0].lineno if decorators else first.lineno
            inserts.append((line, first.col_offset))
    for line, col in sorted(set(inserts), reverse=True):
        lines.insert(line - 1, " " * col + "raise RuntimeError('tiergate mutation')\n")
    return "".join(lines), len(inserts)


BENCH_CONFIG = """[settings]
unmatched = "none"
[stages.bench]
groups = [{ name = "tests", tests = %s, run = "true {tests}" }]
"""


def main():
    # The whole suite is the universe: a config of one group owning every test file
    # (read from the work tree; the graph reads the index, which the run never changes).
    config = os.path.join(repo, ".tiergate.toml")
    saved = open(config).read() if os.path.exists(config) else None
    globs = os.environ.get("TESTS_GLOBS", "tests/**/test_*.py,tests/**/*_test.py").split(",")
    open(config, "w").write(BENCH_CONFIG % json.dumps(globs))
    try:
        measure()
    finally:
        if saved is None:
            os.remove(config)
        else:
            open(config, "w").write(saved)


def measure():
    every = affected_all()
    baseline = run_suite() or set()
    modules = sorted(
        os.path.relpath(os.path.join(d, f), repo)
        for d, _, files in os.walk(os.path.join(repo, package))
        for f in files if f.endswith(".py")
    )
    rows, misses = [], []
    failing_total = caught_total = 0
    for module in modules:
        full = os.path.join(repo, module)
        original = open(full, encoding="utf-8").read()
        mutated, functions = mutate(original)
        if functions == 0:
            continue
        selected = affected(module)
        try:
            open(full, "w", encoding="utf-8").write(mutated)
            failed = (run_suite() or set()) - baseline
        finally:
            open(full, "w", encoding="utf-8").write(original)
        caught = {t for t in failed if t[0] in selected}
        failing_total += len(failed)
        caught_total += len(caught)
        for t in sorted(failed - caught):
            misses.append({"module": module, "test": f"{t[0]}::{t[1]}"})
        rows.append({"module": module, "functions": functions, "failing": len(failed),
                     "caught": len(caught), "selected": len(selected),
                     "share": len(selected) / max(len(every), 1)})
    shares = sorted(r["share"] for r in rows)
    cache = os.path.join(repo, ".git", "tiergate", "graph")
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    affected(modules[0])
    cold = time.perf_counter() - start
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        affected(modules[0])
        warm.append(time.perf_counter() - start)
    report = {
        "test_files": len(every),
        "modules": len(rows),
        "failing_tests": failing_total,
        "recall": caught_total / failing_total if failing_total else None,
        "median_share": statistics.median(shares) if shares else None,
        "p90_share": shares[min(len(shares) - 1, int(0.9 * len(shares)))] if shares else None,
        "cold_s": round(cold, 4),
        "warm_s": round(statistics.median(warm), 4),
        "misses": misses,
        "rows": rows,
    }
    print(json.dumps(report, indent=1))


def affected_all():
    out = subprocess.run([tiergate, "affected", "--all"], cwd=repo, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


main()
