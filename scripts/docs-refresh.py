#!/usr/bin/env python3
"""Rewrite the printed output of the docs' runnable blocks (the ones
tests/check_docs.py and tests/check_labs.py check) from a real run, after a change that moves
figures on purpose.  A block whose expected output has a `...` line is
left alone and named (rewrite it by hand).  Review the diff before
committing: the doc's text around a block may need the new figures too.

    python3 scripts/docs-refresh.py [COSSIM] [ROOT]   # default ./build/cossim, .
"""
import os
import re
import subprocess
import sys
import tempfile

COSSIM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/cossim")
ROOT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else ".")


def refresh(path):
    lines = open(path).read().split("\n")
    out, i, changed = [], 0, False
    while i < len(lines):
        out.append(lines[i])
        if lines[i].strip() != "<!-- runnable -->" or i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            i += 1
            continue
        out.append(lines[i + 1])
        k = i + 2
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        body = lines[i + 2:k]
        if any(l == "..." for l in body):
            print("%s:%d: has '...' lines: left alone" % (os.path.relpath(path, ROOT), i + 2))
            out.extend(body)
        else:
            new = []
            with tempfile.TemporaryDirectory() as tmp:
                os.mkdir(os.path.join(tmp, "bin"))
                os.symlink(COSSIM, os.path.join(tmp, "bin", "cossim"))
                for d in ("docs", "scenarios", "scripts"):     # as tests/check_docs.py links them
                    os.symlink(os.path.join(ROOT, d), os.path.join(tmp, d))
                env = dict(os.environ, PATH=os.path.join(tmp, "bin") + os.pathsep + os.environ.get("PATH", ""),
                           NO_COLOR="1")
                for line in body:
                    if not line.startswith("$ "):
                        continue
                    sh = re.sub(r"(^|[\s;&|(])\./build/cossim\b", r"\1cossim", line[2:])
                    r = subprocess.run(["/bin/sh", "-c", sh], cwd=tmp, env=env, capture_output=True, text=True,
                                       timeout=600)
                    got = r.stdout.split("\n")
                    if got and got[-1] == "":
                        got.pop()
                    new.append(line)
                    new.extend(got)
            if new != body:
                changed = True
                print("%s:%d: rewritten" % (os.path.relpath(path, ROOT), i + 2))
            out.extend(new)
        i = k
    if changed:
        open(path, "w").write("\n".join(out))


LABS = os.path.join(ROOT, "docs", "labs")     # the labs' handouts (tests/check_labs.py runs them)
papers = os.path.join(ROOT, "docs", "papers")      # the paper pages' tables
for f in [os.path.join(ROOT, "README.md")] + sorted(
        os.path.join(ROOT, "docs", f) for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md")) + sorted(
        os.path.join(LABS, f) for f in os.listdir(LABS) if f.endswith(".md")) + sorted(
        os.path.join(papers, f) for f in (os.listdir(papers) if os.path.isdir(papers) else []) if f.endswith(".md")):
    refresh(f)
