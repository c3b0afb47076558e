#!/usr/bin/env python3
"""A classroom lab (docs/labs/), checked end to end.

Usage: check_labs.py COSSIM SOURCE_ROOT LAB HANDOUT

(a) the reference solution, tests/labs/LAB/solution.lua, passes the
instructor's check (scripts/lab-check.py exits 0); (b) the starter file
as shipped, scenarios/labs/student/LAB.lua, does not (exit 1: the check
tests something); (c) every command of the handout docs/labs/HANDOUT.md
runs as written and prints what the handout says (its runnable blocks,
through tests/check_docs.py).  The figures the goals need are derived
by hand in scripts/lab-check.py, beside each goal: round robin's 6.5,
7.0 and 7.5 ms; the hard set t1 (1, 4), t2 (2, 6), t3 (3.5, 10) ms, where
rate-monotonic analysis gives t3 R = 6.5, 9.5, 10.5 > 10 (a miss) and
U = 0.933 <= 1 lets EDF meet every deadline; priority inversion's
B = 2000 us (one 2 ms section of low) and R = C + B = 2500 us; the
cortex-a9 L2 hit of 23 cycles; the i7-8700's IPC events, 2 x (76 + 40)
+ 2 x 150 = 532 for sinv and ipc and 4 x 116 + 2 x 150 = 764 for the
pipe, and the sinv round trip 712 plus the server's lines at their
level's latency (16 KiB: 256 x 4, 64 KiB: 1024 x 12, 512 KiB: 8192 x 44);
the interrupt knee, where the handlers' utilisation rate x 20 us reaches
1, at 50 interrupts/ms, and the application's first misses past
rate x 20 us = 1 - 300/1000, at 35/ms (checked from 40/ms); with a budget
B per period P the card gets (B/P) / 20.4 us interrupts (>= 20/ms needs
B/P >= 0.41) and the application R <= 300 + (ceil(1000/P) + 1) B us.
The multikernel's shared copy pulls its 64 lines at 75 cycles (4,800 a
round) while each replica pays 64 x 4 + 6 x 75 = 706 per other core: they
cross past N - 1 = 4544 / 706 = 6.4, at 8 of 1, 2, 4, 8, 16 cores.
FlexSC's synchronous call misses on all 640 lines of 24 + 16 KiB read in
turn (10 lines for each 8-way set of the 32 KiB L1D), and a batch of B
takes at least B x 2036 + 2024 cycles (21.0 us at B = 32, over the 20 us
goal);
the exokernel's savings a page, at least a sinv round trip's cost-table
events over 8 pages (532 / 8 = 66.5) plus the zeroing the library skips
(152/160 x 64 lines x 4) and the manager's extra retype (136/160 x 116):
408.3 for alloc, 66.5 for free; owner's 4 requests in 20 ms (2.1, 7.1,
12.1, 17.1 ms).
Nothing here depends on host time (the
labs' own run times are in docs/labs/README.md, measured by hand).
"""
import os
import subprocess
import sys

COSSIM, ROOT, LAB, HANDOUT = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_docs  # noqa: E402


def lab_check(student):
    return subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "lab-check.py"), LAB, student],
                          env=dict(os.environ, COSSIM=COSSIM), capture_output=True, text=True, timeout=600)


def main():
    solution = os.path.join(ROOT, "tests", "labs", LAB, "solution.lua")
    r = lab_check(solution)
    if r.returncode != 0:
        sys.exit("FAIL: %s: the reference solution does not pass (exit %d):\n%s%s"
                 % (LAB, r.returncode, r.stdout, r.stderr))
    starter = os.path.join(ROOT, "scenarios", "labs", "student", LAB + ".lua")
    r = lab_check(starter)
    if r.returncode != 1:
        sys.exit("FAIL: %s: the unchanged starter file gave exit %d (want 1, goals not met):\n%s%s"
                 % (LAB, r.returncode, r.stdout, r.stderr))
    n = check_docs.check_files(COSSIM, ROOT, [os.path.join(ROOT, "docs", "labs", HANDOUT + ".md")])
    if n == 0:
        sys.exit("FAIL: docs/labs/%s.md has no runnable block" % HANDOUT)
    print("ok: %s: the solution passes, the starter does not, %d handout blocks run as written" % (LAB, n))


main()
