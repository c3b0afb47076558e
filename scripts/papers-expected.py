#!/usr/bin/env python3
"""Print tests/data/papers-expected.txt from today's `cossim papers --json`:
one "id status value" line per target (value: cossim's figure rounded to
0.1, or to 4 significant digits below 100; a shape's points, comma-separated, livelock as such; - for a
target not built).  A change that moves a paper's
figure reruns this and says which targets moved in its commit message:

    python3 scripts/papers-expected.py build/cossim > tests/data/papers-expected.txt
"""
import json
import subprocess
import sys

cossim = sys.argv[1] if len(sys.argv) > 1 else "build/cossim"
r = subprocess.run([cossim, "papers", "--json"], capture_output=True, text=True)
if r.returncode not in (0, 1):
    sys.stderr.write(r.stderr)
    sys.exit(2)


def flat(p):
    """a shape's points in one order: a list over n, or lists by limit (100, 10, 1)"""
    if isinstance(p, list):
        return p
    return [y for k in sorted(p, key=lambda k: -int(k)) for y in p[k]]


rep = json.loads(r.stdout)["report"]
print("# id status value: what each paper target did when last recorded (tests/check_papers.py;")
print("# scripts/papers-expected.py prints this file; docs/papers/README.md)")
for name in sorted(rep["papers"]):
    for x in rep["papers"][name]["targets"]:
        v = x.get("cossim")
        # to 0.1, or to 4 significant digits for a small figure (a ratio)
        value = ("%.1f" % v if abs(v) >= 100 else "%.4g" % v) if isinstance(v, (int, float)) else "-"
        if "points" in x:
            value = ",".join("%.3f" % y if isinstance(y, (int, float)) else str(y) for y in flat(x["points"]))
        print("%s %s %s" % (x["id"], x["status"].replace(" ", "_"), value))
