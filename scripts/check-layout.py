#!/usr/bin/env python3
"""The layout rules of DESIGN.md, checked (run by the test suite as 'layout').

1. No source file past 900 lines: split it by concept.
2. Includes point down the table in DESIGN.md only.
3. No two object files call into each other (a circle means one concept in
   two files, or a missing interface): read from the symbols that each object
   of the simulator library defines and uses.
4. No pointer that every component can read (cos_boot_data).

Usage: check-layout.py SOURCE_ROOT [OBJECT_DIR]
OBJECT_DIR holds the simulator library's objects (build/libcossim.a.p); without
it rule 3 is skipped.  Prints every violation and exits 1 if there is one.
"""
import os
import re
import subprocess
import sys

MAX_LINES = 900
# Violations still being removed, each keyed by the file or the pair it names
# (issue 14 emptied it).  The list only shrinks: anything not named here
# fails, and so does a name here that no longer violates anything.
KNOWN = set()
FOLDERS = ["sim", "model", "kernel", "rtcore", "compare", "components", "compose", "analysis", "tests"]
# folder -> folders it must not include (DESIGN.md's table, read upwards)
FORBIDDEN = {
    "sim": ["model", "kernel", "rtcore", "compare", "components", "compose", "scenarios", "analysis"],
    "model": ["kernel", "rtcore", "compare", "components", "compose", "scenarios", "analysis"],
    "kernel": ["rtcore", "compare", "components", "compose", "scenarios", "analysis"],
    # the RTOS core: portable C that the native RTOS (compare/) and the VMM's
    # guests (components/) both run, so it includes neither, nor anything else
    "rtcore": ["sim", "model", "kernel", "compare", "components", "compose", "scenarios", "analysis"],
    "compare": ["kernel", "components", "compose", "scenarios", "analysis"],
    "components": ["sim", "model", "compose", "analysis", "scenarios"],
    "compose": ["analysis", "scenarios"],
    "analysis": ["model", "kernel", "components", "compose", "scenarios"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]((?:\.\./)*)([^">]+)[">]')


def sources(root):
    for folder in FOLDERS:
        base = os.path.join(root, folder)
        for dirpath, _, names in os.walk(base):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, n), root)


def check_sizes(root, errors):
    for rel in sources(root):
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            n = sum(1 for _ in f)
        if n > MAX_LINES:
            errors.append((rel, f"{rel}: {n} lines (more than {MAX_LINES}: split it by concept)"))


def check_includes(root, errors):
    for rel in sources(root):
        top = rel.split(os.sep)[0]
        if top not in FORBIDDEN:
            continue
        here = os.path.dirname(rel)
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                # resolve against the file's folder, then against the root
                target = os.path.normpath(os.path.join(here, m.group(1) + m.group(2)))
                if not os.path.exists(os.path.join(root, target)):
                    target = os.path.normpath(m.group(1) + m.group(2))
                dest = target.split(os.sep)[0]
                if dest in FORBIDDEN[top]:
                    errors.append((rel, f"{rel}:{lineno}: includes {m.group(1)}{m.group(2)} "
                                        f"({top}/ may not include {dest}/)"))


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRGSV":
            defined.add(parts[2])
    return defined, used


def check_circles(objdir, errors):
    objs = sorted(o for o in os.listdir(objdir) if o.endswith(".o"))
    owner, uses = {}, {}
    for o in objs:
        d, u = symbols(os.path.join(objdir, o))
        for s in d:
            owner[s] = o
        uses[o] = u
    calls = {o: {owner[s] for s in uses[o] if s in owner and owner[s] != o} for o in objs}
    for a in objs:
        for b in sorted(calls[a]):
            if a < b and a in calls[b]:
                ab = sorted(s for s in uses[a] if owner.get(s) == b)[:3]
                ba = sorted(s for s in uses[b] if owner.get(s) == a)[:3]
                errors.append((f"{a} and {b}", f"{a} and {b} call each other ({', '.join(ab)} / {', '.join(ba)})"))


def check_shared_pointer(root, errors):
    for rel in sources(root):
        if rel.startswith("tests"):
            continue
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                if "cos_boot_data" in line:
                    errors.append((rel, f"{rel}:{lineno}: cos_boot_data (components own their state)"))


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    errors = []
    check_sizes(root, errors)
    check_includes(root, errors)
    if len(argv) == 3:
        check_circles(argv[2], errors)
    check_shared_pointer(root, errors)
    bad = [text for key, text in errors if key not in KNOWN]
    seen = {key for key, _ in errors}
    circles_checked = len(argv) == 3
    gone = sorted(k for k in KNOWN if k not in seen and (circles_checked or ".o and " not in k))
    bad += [f"{k}: on the list of known violations but no longer one: take it off KNOWN" for k in gone]
    for text in bad:
        print(text)
    print(f"layout: {len(bad)} violation(s), {len(KNOWN) - len(gone)} known ones still to remove")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
