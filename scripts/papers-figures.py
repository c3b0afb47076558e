#!/usr/bin/env python3
"""Draw the paper suite's figures from `cossim papers --json`: the Chaos IPI
flood (Fig. 2: the unprotected slowdown over n; Fig. 8: the rate-limited
one, a curve per limit), Chaos Table VI (the sensor round trip, quiet and
with four interfering cores, published and cossim's) and the uCVM
operations (cossim's figure over the published one, a curve per system,
beside the line where they are equal), as CSVs for `cossim plot series`,
then the PNGs.

    python3 scripts/papers-figures.py build/cossim OUTDIR

A livelocked point has no slowdown: it is left out of its curve, and the
figure's title says where it was.  Writes OUTDIR/chaos-flood,
chaos-ratelimit, chaos-sensor and ucvm-ops, each .csv and .png.
"""
import json
import subprocess
import sys
from pathlib import Path

cossim, out = sys.argv[1], Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
r = subprocess.run([cossim, "papers", "--json"], capture_output=True, text=True)
if r.returncode not in (0, 1):
    sys.stderr.write(r.stderr)
    sys.exit(2)
papers = json.loads(r.stdout)["report"]["papers"]
rows = {x["id"]: x for x in papers["chaos"]["targets"]}
urows = {x["id"]: x for x in papers["ucvm"]["targets"]}


def write(name, title, ylabel, curves, logy, xlabel="interfering cores n"):
    """curves: (label, [y at x = 1, 2, ...]) or (label, [(x, y), ...])"""
    lines = ["series,x,y", "#title," + title, "#xlabel," + xlabel, "#ylabel," + ylabel]
    if logy:
        lines.append("#logy")
    for label, pts in curves:
        for n, y in enumerate(pts, 1):
            x = n
            if isinstance(y, tuple):
                x, y = y
            if isinstance(y, (int, float)):
                lines.append("%s,%.6g,%.6g" % (label, x, max(y, 1e-3)))
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

# Chaos Table VI: the round trip quiet (0 interfering cores) and with four
sensor = [("Chaos, published", [(0, rows["chaos.rtt"]["published"]), (4, rows["chaos.rtt_rl"]["published"])]),
          ("Chaos, cossim", [(0, rows["chaos.rtt"]["cossim"]), (4, rows["chaos.rtt_rl"]["cossim"])]),
          ("Linux-RT, published", [(0, rows["linuxrt.rtt"]["published"]), (4, rows["linuxrt.rtt_yield"]["published"])]),
          ("Linux-RT, cossim", [(0, rows["linuxrt.rtt"]["cossim"]), (4, rows["linuxrt.rtt_yield"]["cossim"])])]
write("chaos-sensor", "Chaos Table VI: sensor round trip, average (cycles; Chaos quiet is the fit)",
      "round trip (cycles)", sensor, False, "interfering cores (Chaos: notifying, 1 a period; Linux-RT: sched_yield)")

# uCVM's operations: cossim's figure over the published one, per system
by_sys = {}
for x in papers["ucvm"]["targets"]:
    if x.get("shape") or not isinstance(x.get("cossim"), (int, float)) or x["published"] < 100:
        continue
    by_sys.setdefault(x["system"], []).append((x["published"], x["cossim"]))
top = max(p for pts in by_sys.values() for p, _ in pts)
curves = [(name, sorted(pts)) for name, pts in sorted(by_sys.items())]
curves.append(("cossim = published", [(0, 0), (top, top)]))
write("ucvm-ops", "uCVM operations on the stm32f767: cossim against the paper (cycles)", "cossim (cycles)",
      curves, False, "published (cycles)")
