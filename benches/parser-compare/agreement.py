"""Each parser's imports against CPython's ast, file by file. Usage:
python3 agreement.py ROOT DUMP... (DUMP: `parser-compare dump ROOT PARSER > FILE`).
Per parser: files that agree exactly, files with an import only ast sees (a miss),
files with entries only the parser has, and files ast cannot parse that the parser
did not flag; then the first differing files."""
import ast, sys, os
root, dumps = sys.argv[1], sys.argv[2:]

def load(dump):
    out = {}
    for line in open(dump, encoding="utf-8", errors="replace"):
        path, imports, error = line.rstrip("\n").split("\t")
        items = set()
        for it in filter(None, imports.split(" ")):
            lvl, mod, names, ln = it.split(":")
            items.add((int(lvl), mod, tuple(sorted(filter(None, names.split(",")))), int(ln)))
        out[path] = (items, error == "true")
    return out

def truth(path):
    try:
        tree = ast.parse(open(os.path.join(root, path), "rb").read())
    except (SyntaxError, ValueError):
        return None
    items = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            for a in n.names:
                items.add((0, a.name, (), n.lineno))
        elif isinstance(n, ast.ImportFrom):
            items.add((n.level, n.module or "", tuple(sorted(a.name for a in n.names)), n.lineno))
    return items

parsers = {os.path.basename(d): load(d) for d in dumps}
paths = sorted(next(iter(parsers.values())))
truths = {p: truth(p) for p in paths}
for name, found in parsers.items():
    agree = miss = extra = unflagged = flagged_ok = 0
    notes = []
    for p in paths:
        mine, err = found[p]
        t = truths[p]
        if t is None:
            if err:
                flagged_ok += 1
            else:
                unflagged += 1
            continue
        if err:
            notes.append(f"  {p}: flagged as an error, ast parses it")
        only_ast, only_mine = t - mine, mine - t
        if only_ast:
            miss += 1
            notes.append(f"  {p}: only ast {sorted(only_ast)[:3]}")
        if only_mine:
            extra += 1
            notes.append(f"  {p}: only {name} {sorted(only_mine)[:3]}")
        if not only_ast and not only_mine and not err:
            agree += 1
    bad = sum(1 for v in truths.values() if v is None)
    print(f"{name}: {len(paths)} files; agree {agree}; miss (ast has more) {miss}; extra {extra}; "
          f"ast cannot parse {bad} (flagged {flagged_ok}, not flagged {unflagged})")
    for n in notes[:15]:
        print(n)
