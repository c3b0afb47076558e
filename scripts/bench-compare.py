#!/usr/bin/env python3
"""Two cossim binaries, alternating, on the same commands: CPU, wall, peak RSS.

The machine is shared and noisy: alternate the binaries run by run and
compare ratios within one sitting (BENCHMARKS.md).  Each run is
`/usr/bin/time -v BINARY ARGS...`: the peak resident set is what time
reports; user and system CPU come from the rusage of the time process
(wait4, microseconds; it includes time's own start, the same for both).

Usage: bench-compare.py BEFORE AFTER [--runs N] -- ARGS [-- ARGS ...]
  e.g. bench-compare.py /tmp/cossim-old build/cossim --runs 5 \\
           -- run quickstart --trace none -- run many-tasks --trace none
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def one(binary, args):
    with tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-v", binary] + args, stdout=subprocess.PIPE, stderr=err, text=True)
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err.seek(0)
        text = err.read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    digest = re.search(r"digest\s+(\w+)", out)
    return {"cpu": ru.ru_utime + ru.ru_stime, "wall": wall, "rss_mb": int(rss.group(1)) / 1000 if rss else 0,
            "digest": digest.group(1)[:12] if digest else "-", "rc": os.waitstatus_to_exitcode(status)}


def main(argv):
    if len(argv) < 4 or "--" not in argv:
        sys.exit(__doc__)
    before, after = argv[0], argv[1]
    runs = 5
    head = argv[2:argv.index("--")]
    if head[:1] == ["--runs"]:
        runs = int(head[1])
    cmds, cur = [], None
    for a in argv[argv.index("--"):]:
        if a == "--":
            cur = []
            cmds.append(cur)
        else:
            cur.append(a)
    for args in cmds:
        res = {before: [], after: []}
        for _ in range(runs):
            for b in (before, after):
                res[b].append(one(b, args))
        print("==", " ".join(args))
        for label, b in (("before", before), ("after", after)):
            rs = res[b]
            print("  %-6s cpu %s s | wall %s s | peak RSS %s MB | digest %s | exit %s" % (
                label, " ".join("%.3f" % r["cpu"] for r in rs), " ".join("%.3f" % r["wall"] for r in rs),
                " ".join("%.1f" % r["rss_mb"] for r in rs), ",".join(sorted({r["digest"] for r in rs})),
                ",".join(sorted({str(r["rc"]) for r in rs}))))
        med = {b: {k: statistics.median(r[k] for r in res[b]) for k in ("cpu", "wall", "rss_mb")} for b in res}
        print("  median: cpu %.3f -> %.3f s (%.2fx), wall %.3f -> %.3f s (%.2fx), peak RSS %.1f -> %.1f MB" % (
            med[before]["cpu"], med[after]["cpu"], med[before]["cpu"] / max(med[after]["cpu"], 1e-9),
            med[before]["wall"], med[after]["wall"], med[before]["wall"] / max(med[after]["wall"], 1e-9),
            med[before]["rss_mb"], med[after]["rss_mb"]))


if __name__ == "__main__":
    main(sys.argv[1:])
