#!/usr/bin/env python3
"""Draw the paper suite's figures from `cossim papers --json`: the Chaos IPI
flood (Fig. 2: the unprotected slowdown over n; Fig. 8: the rate-limited
one, a curve per limit) as CSVs for `cossim plot series`, then the PNGs.

    python3 scripts/papers-figures.py build/cossim OUTDIR

A livelocked point has no slowdown: it is left out of its curve, and the
figure's title says where it was.  Writes OUTDIR/chaos-flood.{csv,png} and
OUTDIR/chaos-ratelimit.{csv,png}.
"""
import json
import subprocess
import sys
from pathlib import Path

cossim, out = sys.argv[1], Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
r = subprocess.run([cossim, "papers", "--paper", "chaos", "--json"], capture_output=True, text=True)
if r.returncode not in (0, 1):
    sys.stderr.write(r.stderr)
    sys.exit(2)
rows = {x["id"]: x for x in json.loads(r.stdout)["report"]["papers"]["chaos"]["targets"]}


def write(name, title, ylabel, curves, logy):
    lines = ["series,x,y", "#title," + title, "#xlabel,interfering cores n", "#ylabel," + ylabel]
    if logy:
        lines.append("#logy")
    for label, pts in curves:
        for n, y in enumerate(pts, 1):
            if isinstance(y, (int, float)):
                lines.append("%s,%d,%.6g" % (label, n, max(y, 1e-3)))
    csv = out / (name + ".csv")
    csv.write_text("\n".join(lines) + "\n")
    p = subprocess.run([cossim, "plot", "series", str(csv), "--output", str(out / (name + ".png"))])
    if p.returncode != 0:
        sys.exit(p.returncode)


flood = rows["chaos.flood"]["points"]
live = [str(n) for n, y in enumerate(flood, 1) if not isinstance(y, (int, float))]
write("chaos-flood",
      "IPI flood on the i7-8700: worst slowdown of a 10 us task (cossim)"
      + ("; livelock at n = " + ", ".join(live) if live else "; no livelock"),
      "maximum slowdown (%)", [("Composite, no rate limit", flood)], True)
lim = rows["chaos.ratelimit"]["points"]
write("chaos-ratelimit", "Rate-limited notifications: worst slowdown of a 1 ms job (cossim)", "maximum slowdown (%)",
      [("limit %s per ms" % k, lim[k]) for k in sorted(lim, key=lambda k: -int(k))], False)
