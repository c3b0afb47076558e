#!/usr/bin/env python3
"""The shell examples of the docs marked runnable, run and compared.

Usage: check_docs.py COSSIM SOURCE_ROOT [FILE.md...]

A fenced block preceded by the line `<!-- runnable -->` in README.md,
docs/*.md or docs/papers/*.md holds commands (`$ ...`) each followed by the output it prints.
The commands of a block run in order, in one scratch folder (holding a
link `docs` to the source's docs folder, so `docs/examples/...` paths
work), through /bin/sh, with `cossim` and `./build/cossim` meaning the
built binary.  What a command prints on standard output must be the lines
that follow it, trailing spaces aside; a line `...` stands for any number
of lines.  Exit 0 when every block holds, else the first difference.
The scratch folder also links `scenarios` and `scripts` (the labs'
handouts, docs/labs/, run scripts/lab-check.py).  Without FILE arguments:
README.md and docs/*.md; tests/check_labs.py checks each lab's handout.
"""
import os
import re
import subprocess
import sys
import tempfile

COSSIM, ROOT = None, None


def blocks(path):
    """(line number, [lines]) of each fenced block marked runnable."""
    lines = open(path).read().split("\n")
    out = []
    for i, line in enumerate(lines):
        if line.strip() != "<!-- runnable -->":
            continue
        j = i + 1
        if j >= len(lines) or not lines[j].startswith("```"):
            sys.exit("%s:%d: <!-- runnable --> is not followed by a fenced block" % (path, i + 1))
        k = j + 1
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        out.append((j + 1, lines[j + 1:k]))
    return out


def matches(want, got):
    """want (with '...' lines) against got, line by line."""
    def rec(w, g):
        if w == len(want):
            return g == len(got)
        if want[w] == "...":
            return any(rec(w + 1, k) for k in range(g, len(got) + 1))
        return g < len(got) and want[w].rstrip() == got[g].rstrip() and rec(w + 1, g + 1)
    return rec(0, 0)


def run_block(path, lineno, lines, tmp):
    cmds = []
    for line in lines:
        if line.startswith("$ "):
            cmds.append((line[2:], []))
        elif cmds:
            cmds[-1][1].append(line)
    if not cmds:
        sys.exit("%s:%d: a runnable block without a '$ ' command" % (path, lineno))
    bindir = os.path.join(tmp, "bin")
    for cmd, want in cmds:
        sh = re.sub(r"(^|[\s;&|(])\./build/cossim\b", r"\1cossim", cmd)
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1")
        r = subprocess.run(["/bin/sh", "-c", sh], cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
        got = r.stdout.split("\n")
        if got and got[-1] == "":
            got.pop()
        while want and want[-1] == "":
            want.pop()
        if not matches(want, got):
            print("FAIL: %s:%d: `%s` (exit %d) printed:\n%s\n--- the doc says:\n%s\n--- stderr:\n%s"
                  % (path, lineno, cmd, r.returncode, "\n".join(got), "\n".join(want), r.stderr))
            sys.exit(1)


def check_files(cossim, root, docs):
    """Run every runnable block of the files `docs`; the number of blocks."""
    global COSSIM, ROOT
    COSSIM, ROOT = cossim, os.path.abspath(root)
    count = 0
    for path in docs:
        for lineno, lines in blocks(path):
            with tempfile.TemporaryDirectory() as tmp:
                os.mkdir(os.path.join(tmp, "bin"))
                os.symlink(os.path.abspath(COSSIM), os.path.join(tmp, "bin", "cossim"))
                for d in ("docs", "scenarios", "scripts"):
                    os.symlink(os.path.join(ROOT, d), os.path.join(tmp, d))
                run_block(os.path.relpath(path, ROOT), lineno, lines, tmp)
            count += 1
    return count


def main():
    cossim, root = sys.argv[1], sys.argv[2]
    docs = sys.argv[3:] or [os.path.join(root, "README.md")] + sorted(
        os.path.join(root, "docs", f) for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
    papers = os.path.join(root, "docs", "papers")      # the paper pages' tables (docs/papers/README.md)
    if not sys.argv[3:] and os.path.isdir(papers):
        docs += sorted(os.path.join(papers, f) for f in os.listdir(papers) if f.endswith(".md"))
    count = check_files(cossim, root, docs)
    if count < 2 and not sys.argv[3:]:
        sys.exit("only %d runnable blocks found: the markers are gone?" % count)
    print("ok: %d runnable blocks" % count)


if __name__ == "__main__":
    main()
