#!/usr/bin/env python3
"""Where the published target figures (scenarios/lib/targets.lua) occur
outside the targets file and the tests: every occurrence of each figure of
three or more digits (and of the parts of a sum such as 722 + 578) as a
whole number in a tracked file, grouped by folder.

    python3 scripts/published-scan.py [REPO]      # default: the current folder

A figure in model/presets/ or in C code would be a typed-in result; in
docs/ it is a citation.  The output is for a reviewer (and the closing note
of issue 16) to read; exit 0 always, unless the targets file is missing."""
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
targets = root / "scenarios" / "lib" / "targets.lua"
text = targets.read_text()
figures = {}
for m in re.finditer(r'id\s*=\s*"([^"]+)".*?published\s*=\s*([0-9+ ]+)', text, re.S):
    tid, expr = m.group(1), m.group(2)
    parts = [int(x) for x in re.findall(r"[0-9]+", expr)]
    for v in parts + ([sum(parts)] if len(parts) > 1 else []):
        if v >= 100:
            figures.setdefault(v, []).append(tid)

files = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True, check=True).stdout.split()
skip = ("scenarios/lib/targets.lua",)
hits = defaultdict(list)
pattern = re.compile(r"(?<![0-9.])(" + "|".join(str(v) for v in sorted(figures, reverse=True)) + r")(?![0-9])")
for f in files:
    if f in skip or f.startswith("tests/"):
        continue
    p = root / f
    try:
        lines = p.read_text(errors="replace").splitlines()
    except (IsADirectoryError, FileNotFoundError):
        continue
    for n, line in enumerate(lines, 1):
        for m in pattern.finditer(line):
            v = int(m.group(1))
            hits[f.split("/")[0] if "/" in f else "."].append((f, n, v, ",".join(figures[v]), line.strip()[:110]))

total = 0
for folder in sorted(hits):
    print(f"## {folder}/ ({len(hits[folder])})")
    for f, n, v, ids, line in hits[folder]:
        print(f"{f}:{n}: {v} [{ids}]  {line}")
        total += 1
    print()
print(f"{total} occurrences of {len(figures)} published figures outside the targets file and tests")
