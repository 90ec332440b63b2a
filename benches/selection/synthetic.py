"""A synthetic Python project for the graph's speed: N modules in packages of
50, each importing a few earlier modules (absolute and relative), with a
docstring, comments, strings and functions, about 4 KB each, and a test file
per 5 modules. Usage: python3 synthetic.py DIR [N=10000]"""

import os
import random
import sys

root = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
random.seed(16)
tests = n // 5
modules = n - tests
body = '''

def f{i}_{k}(x, y=None):
    """Compute something.

    import not_an_import  (a docstring)
    """
    # from nowhere import comment
    s = "import in a string"
    values = [x, y, {{"k": (1, 2, 3)}}]
    if x:
        return len(values) + {k}
    return sum(v for v in range(10) if v % 3) * {i}
'''
for i in range(modules):
    pkg = f"pkg{i // 50:03d}"
    d = os.path.join(root, "src", "proj", pkg)
    os.makedirs(d, exist_ok=True)
    init = os.path.join(d, "__init__.py")
    if not os.path.exists(init):
        open(init, "w").write('"""Package."""\n')
    lines = ['"""Module %d."""\n' % i, "from __future__ import annotations\n", "import os\n", "from typing import TYPE_CHECKING\n"]
    for dep in random.sample(range(max(i, 1)), min(i, 3)):
        dpkg = f"pkg{dep // 50:03d}"
        if dpkg == pkg and random.random() < 0.5:
            lines.append(f"from .m{dep:05d} import f{dep}_0\n")
        else:
            lines.append(f"from proj.{dpkg}.m{dep:05d} import f{dep}_0\n")
    lines.append("if TYPE_CHECKING:\n    from collections.abc import Iterator\n")
    lines.extend(body.format(i=i, k=k) for k in range(8))
    open(os.path.join(d, f"m{i:05d}.py"), "w").write("".join(lines))
os.makedirs(os.path.join(root, "src", "proj"), exist_ok=True)
open(os.path.join(root, "src", "proj", "__init__.py"), "w").write("")
for t in range(tests):
    d = os.path.join(root, "tests", f"t{t // 100:02d}")
    os.makedirs(d, exist_ok=True)
    dep = random.randrange(modules)
    open(os.path.join(d, f"test_{t:05d}.py"), "w").write(
        f"from proj.pkg{dep // 50:03d}.m{dep:05d} import f{dep}_0\n\n\ndef test_{t}():\n    assert f{dep}_0(1) is not None\n"
    )
