#!/usr/bin/env python3
"""The figures every bundled scenario reports, for before/after tables.

  figures.py [COSSIM] > FILE        one "scenario key value" line per number
                                    of each scenario's report (cossim run
                                    NAME --json: its returned table)
  figures.py --diff OLD NEW         the figures that moved, with the change

A change that moves figures on purpose records both files' difference in
its commit message and docs/calibration.md.
"""
import json
import os
import subprocess
import sys
import tempfile


def flatten(prefix, v, out):
    if isinstance(v, dict):
        for k in sorted(v):
            flatten(f"{prefix}.{k}" if prefix else k, v[k], out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            flatten(f"{prefix}[{i + 1}]", x, out)
    elif isinstance(v, bool):
        out.append((prefix, int(v)))
    elif isinstance(v, (int, float)):
        out.append((prefix, v))


def collect(cossim):
    names = subprocess.run([cossim, "scenarios"], capture_output=True, text=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        for line in names.splitlines():
            name = line.split()[0]
            r = subprocess.run([cossim, "run", name, "--json", "--trace", "none"], cwd=tmp,
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{name} error {r.returncode}")
                continue
            doc = json.loads(r.stdout)
            out = []
            flatten("", doc.get("report"), out)
            out.append(("events", doc["events"]))
            for k, v in out:
                print(f"{name} {k} {v}")


def load(path):
    d = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                try:
                    d[(parts[0], parts[1])] = float(parts[2])
                except ValueError:
                    pass
    return d


def diff(old, new):
    a, b = load(old), load(new)
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        if x is None or y is None:
            print(f"{key[0]:24} {key[1]:48} {x!s:>14} -> {y!s:>14}")
            continue
        rel = f"{100 * (y / x - 1):+.2f}%" if x else "new"
        print(f"{key[0]:24} {key[1]:48} {x:14.6g} -> {y:14.6g}  {rel}")


def main(argv):
    if len(argv) == 4 and argv[1] == "--diff":
        diff(argv[2], argv[3])
        return 0
    cossim = argv[1] if len(argv) > 1 else os.path.join("build", "cossim")
    collect(os.path.abspath(cossim))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
