"""Agreement of tiergate's import scanner with CPython's ast, file by file: REPO is a git
repository whose graph cache is built (`tiergate affected --files ANY.py` with a `tests` group);
reads `.git/tiergate/graph/python-imports`. Usage: python3 scanner_agreement.py REPO"""
import ast, subprocess, sys, collections, time
repo = sys.argv[1]
cache = {}
for line in open(f"{repo}/.git/tiergate/graph/python-imports").read().splitlines()[1:]:
    bid, imports, dynamic, error = line.split("\t")
    items = set()
    for it in filter(None, imports.split(" ")):
        lvl, mod, names, ln = it.split(":")
        items.add((int(lvl), mod, tuple(sorted(filter(None, names.split(",")))), int(ln)))
    cache[bid] = (items, error)
files = {}
for l in subprocess.run(["git", "-C", repo, "ls-files", "-s", "*.py"], capture_output=True, text=True).stdout.splitlines():
    meta, path = l.split("\t", 1)
    files[path] = meta.split()[1]
agree = differ = ast_fail = 0
diffs = []
t = time.perf_counter()
for path, bid in sorted(files.items()):
    src = open(f"{repo}/{path}", "rb").read()
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError) as e:
        ast_fail += 1
        diffs.append((path, "ast cannot parse", cache[bid][1] or "scanner: no error"))
        continue
    items = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            for a in n.names:
                items.add((0, a.name, (), n.lineno))
        elif isinstance(n, ast.ImportFrom):
            items.add((n.level, n.module or "", tuple(sorted(a.name for a in n.names)), n.lineno))
    mine, err = cache[bid]
    if mine == items and not err:
        agree += 1
    else:
        differ += 1
        diffs.append((path, "only ast: %s" % sorted(items - mine)[:3], "only scanner: %s err=%s" % (sorted(mine - items)[:3], err)))
print(f"files {len(files)} agree {agree} differ {differ} (of which ast cannot parse {ast_fail}); ast pass {time.perf_counter()-t:.2f}s")
for d in diffs:
    print(*d, sep=" | ")
