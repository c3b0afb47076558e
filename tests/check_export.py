#!/usr/bin/env python3
"""`cossim export --format perfetto`, checked by readers cossim did not write.

Usage: check_export.py COSSIM

For a few shipped scenarios (one core, four cores, cross-core channels):
run, export, then
  1. parse the file with Python's json module (an independent reader);
  2. check it against the Trace Event Format's rules as Perfetto's JSON
     importer applies them (google/perfetto, json_trace_parser_impl.cc;
     ../shared/ecosystem.md section 1a): every event has ph, name, pid and a
     numeric ts; `X` carries a numeric dur >= 0 and complete events never
     overlap on one (pid, tid); no B/E are left open; async b/e carry cat
     and id and pair in order per (pid, cat, id) without crossing; counters
     carry numbers only; instants have scope t, p or g; flow ends f have
     bp "e" and a start s with the same cat, name and id before them;
     metadata names are ones the importer knows;
  3. compare with the trace, read with Python's sqlite3 module: every job
     row appears once as a b/e pair with its task's name, release and
     finish (to the nanosecond); as many miss instants as missed jobs; as
     many irq instants as k.irq events; and per core, the time the task
     stretches cover equals `cossim analyze --json`'s tasks_us for that
     core (the analysis's own reading of the switches), within 1 ns per
     stretch (the export cuts picoseconds at both ends).
Then the hostile cases: a trace edited to hold rows out of range still
exports valid JSON (exit 0, the rows counted on stderr); a file that is
no trace exits 2 and leaves no output; an output that is a device is
refused.  Exit 0 when all hold; the first failure is printed.
"""
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile

COSSIM = sys.argv[1]
PHASES = set("XBEbeniIsftCM")
META = {"process_name", "thread_name", "process_sort_index", "thread_sort_index", "process_labels"}


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def ns(ts):
    """A ts in microseconds (three decimals) as integer nanoseconds."""
    return round(ts * 1000)


def validate(doc):
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("no traceEvents array")
    if doc.get("displayTimeUnit") not in (None, "ms", "ns"):
        fail("displayTimeUnit %r" % doc.get("displayTimeUnit"))
    slices = {}         # (pid, tid) -> [(start, end)]
    be = {}             # (pid, tid) -> depth
    asyncs = {}         # (pid, cat, id) -> open (name, ts) or None
    pairs = []          # (name, b ns, e ns)
    flows = {}          # (cat, name, id) -> starts
    for e in doc["traceEvents"]:
        ph = e.get("ph")
        if ph not in PHASES:
            fail("phase %r" % ph)
        if not isinstance(e.get("name"), str) or not isinstance(e.get("pid"), int):
            fail("event without name or pid: %r" % e)
        if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
            fail("event without a numeric ts >= 0: %r" % e)
        key = (e["pid"], e.get("tid"))
        if ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0 or not isinstance(e.get("tid"), int):
                fail("X without dur or tid: %r" % e)
            slices.setdefault(key, []).append((ns(e["ts"]), ns(e["ts"]) + ns(e["dur"])))
        elif ph in "BE":
            be[key] = be.get(key, 0) + (1 if ph == "B" else -1)
            if be[key] < 0:
                fail("E without B on %r" % (key,))
        elif ph in "be":
            if "id" not in e or not isinstance(e.get("cat"), str):
                fail("async event without id or cat: %r" % e)
            k = (e["pid"], e["cat"], e["id"])
            if ph == "b":
                if asyncs.get(k):
                    fail("async b inside an open b of the same id (pairs would cross): %r" % e)
                asyncs[k] = (e["name"], e["ts"])
            else:
                if not asyncs.get(k) or asyncs[k][0] != e["name"]:
                    fail("async e without its b: %r" % e)
                if e["ts"] < asyncs[k][1]:
                    fail("async e before its b: %r" % e)
                pairs.append((e["name"], ns(asyncs[k][1]), ns(e["ts"])))
                asyncs[k] = None
        elif ph == "C":
            if not isinstance(e.get("args"), dict) or not e["args"] or \
               not all(isinstance(v, (int, float)) for v in e["args"].values()):
                fail("counter without numbers: %r" % e)
        elif ph in "iI":
            if e.get("s", "t") not in ("t", "p", "g"):
                fail("instant scope %r" % e.get("s"))
        elif ph == "s":
            if "id" not in e:
                fail("flow start without id: %r" % e)
            flows[(e.get("cat"), e["name"], e["id"])] = flows.get((e.get("cat"), e["name"], e["id"]), 0) + 1
        elif ph == "f":
            k = (e.get("cat"), e["name"], e.get("id"))
            if e.get("bp") != "e" or not flows.get(k):
                fail("flow end without bp e or without its start: %r" % e)
        elif ph == "M":
            if e["name"] not in META or not isinstance(e.get("args"), dict):
                fail("metadata %r" % e)
    for k, v in be.items():
        if v:
            fail("B left open on %r" % (k,))
    for k, v in asyncs.items():
        if v:
            fail("async b never ended: %r" % (k,))
    for k, ss in slices.items():
        ss.sort()
        for (a0, a1), (b0, b1) in zip(ss, ss[1:]):
            if b0 < a1:
                fail("X slices overlap on %r: [%d, %d) and [%d, %d) ns" % (k, a0, a1, b0, b1))
    return pairs, slices


def run(args, **kw):
    return subprocess.run([COSSIM] + args, capture_output=True, text=True, **kw)


def check_scenario(tmp, name):
    db = os.path.join(tmp, name.replace("/", "_") + ".db")
    out = os.path.join(tmp, name.replace("/", "_") + ".json")
    r = run(["run", name, "--trace", db])
    if r.returncode:
        fail("run %s: %s" % (name, r.stderr))
    r = run(["export", db, "--format", "perfetto", "-o", out])
    if r.returncode or r.stderr:
        fail("export %s: exit %d %s" % (name, r.returncode, r.stderr))
    with open(out) as f:
        doc = json.load(f)
    pairs, slices = validate(doc)
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    jobs = sorted((n, rel // 1000, fin // 1000) for n, rel, fin in con.execute(
        "SELECT t.name, j.release_ps, j.finish_ps FROM jobs j JOIN tasks t ON t.task = j.task"))
    if sorted(pairs) != jobs:
        fail("%s: %d job pairs exported, %d jobs in the trace (or they differ)" % (name, len(pairs), len(jobs)))
    events = doc["traceEvents"]
    missed = con.execute("SELECT count(*) FROM jobs WHERE missed").fetchone()[0]
    if sum(1 for e in events if e["ph"] == "i" and e.get("cat") == "miss") != missed:
        fail("%s: miss instants differ from the %d missed jobs" % (name, missed))
    irqs = con.execute("SELECT count(*) FROM events e JOIN event_kinds k ON k.id = e.kind "
                       "WHERE k.name = 'k.irq' AND e.core IS NOT NULL").fetchone()[0]
    if sum(1 for e in events if e["ph"] == "i" and e.get("cat") == "irq") != irqs:
        fail("%s: irq instants differ from the %d k.irq events" % (name, irqs))
    a = run(["analyze", db, "--json"])
    cores = json.loads(a.stdout)["cores"]
    freq = dict(con.execute("SELECT core, freq_hz FROM counters"))
    for c in cores:
        # the tasks' user time: each stretch less its kernel cycles as time
        # (rounded up, at most the stretch), as docs/analysis.md defines tasks_us
        tid, f = c["core"] + 1, freq[c["core"]]
        got, n = 0, 0
        for ev in events:
            if ev["ph"] == "X" and ev.get("cat") == "task" and ev["tid"] == tid:
                d = ns(ev["dur"]) * 1000
                k = -(-ev["args"].get("kernel_cycles", 0) * 10**12 // f)
                got += d - min(k, d)
                n += 1
        want = c["tasks_us"] * 1e6
        if abs(got - want) > 1000 * (n + 1):
            fail("%s core %d: task stretches' user time %d ps, analyze says %.0f ps" % (name, c["core"], got, want))
    con.close()
    print("ok %s: %d events, %d jobs, %d irqs, %d missed" % (name, len(events), len(jobs), irqs, missed))
    return db


def decode_litmus(folder):
    """Every record of every st-CORE.bin: (type, cpu, pid, job, payload 16 bytes)."""
    recs = []
    for name in sorted(os.listdir(folder)):
        data = open(os.path.join(folder, name), "rb").read()
        if not name.startswith("st-") or len(data) % 24:
            fail("litmus: %s is not a whole number of 24-byte records" % name)
        for off in range(0, len(data), 24):
            typ, cpu, pid, job = struct.unpack_from("=BBHI", data, off)
            if name != "st-%d.bin" % cpu:
                fail("litmus: a record of cpu %d in %s" % (cpu, name))
            recs.append((typ, cpu, pid, job, data[off + 8:off + 24]))
    return recs


def check_litmus(tmp, name, db):
    """The records against the trace's jobs (Python's sqlite3) and the time
    each job's thread ran, recomputed here from the switch events as
    docs/trace-schema.md describes them: the overlap of the thread's
    stretches with [max(release, previous finish), finish], in ps, cut to ns."""
    folder = os.path.join(tmp, name + "-litmus")
    r = run(["export", db, "--format", "litmus", "-o", folder])
    if r.returncode or r.stderr:
        fail("export litmus %s: exit %d %s" % (name, r.returncode, r.stderr))
    recs = decode_litmus(folder)
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    jobs = {(t, j): (rel, fin, dl, core, th) for t, j, rel, fin, dl, core, th in con.execute(
        "SELECT task, job, release_ps, finish_ps, deadline_ps, core, thread FROM jobs")}
    names = {t + 1: n for t, n in con.execute("SELECT task, name FROM tasks")}
    rel = {(p - 1, j): struct.unpack("=QQ", pl) for t, c, p, j, pl in recs if t == 3}
    comp = {(p - 1, j): struct.unpack("=QQ", pl) for t, c, p, j, pl in recs if t == 7}
    if set(rel) != set(jobs) or set(comp) != set(jobs):
        fail("litmus %s: %d releases, %d completions, %d jobs" % (name, len(rel), len(comp), len(jobs)))
    for k, (r_ps, f_ps, d_ps, core, th) in jobs.items():
        if rel[k] != (r_ps // 1000, d_ps // 1000) or comp[k][0] != f_ps // 1000:
            fail("litmus %s: job %r: release %r completion %r, trace %r" % (name, k, rel[k], comp[k], (r_ps, d_ps, f_ps)))
    for t, c, p, j, pl in recs:
        if t == 1 and pl.rstrip(b"\0").decode() != names[p][:15]:
            fail("litmus %s: NAME %r for task %r" % (name, pl, names[p]))
    # the stretches each thread ran, per core, from the switch events
    sw = con.execute("SELECT e.time_ps, e.core, e.a0 FROM events e JOIN event_kinds k ON k.id = e.kind "
                     "WHERE k.name IN ('k.switch', 'k.ulswitch') AND e.core IS NOT NULL ORDER BY e.id").fetchall()
    end = con.execute("SELECT end_ps FROM run").fetchone()[0]
    runs, cur = {}, {}
    for t, c, to in sw:
        if c in cur:
            runs.setdefault((c, cur[c][0]), []).append((cur[c][1], t))
        cur[c] = (to, t)
    for c, (th, t) in cur.items():
        runs.setdefault((c, th), []).append((t, end))
    prev = {}
    for (task, job) in sorted(jobs, key=lambda k: (k[0], k[1])):
        r_ps, f_ps, d_ps, core, th = jobs[(task, job)]
        lo = max(r_ps, prev.get(task, 0))
        ran = sum(max(0, min(b, f_ps) - max(a, lo)) for a, b in runs.get((core, th), []))
        prev[task] = f_ps
        exec_ns = comp[(task, job)][1] >> 1
        if exec_ns != ran // 1000 or comp[(task, job)][1] & 1:
            fail("litmus %s: job %r ran %d ns by the switches, COMPLETION says %d" % (name, (task, job), ran // 1000, exec_ns))
    con.close()
    print("ok litmus %s: %d records, %d jobs" % (name, len(recs), len(jobs)))


def check_schedcat(tmp, quickstart_db):
    """The overheads CSV as SchedCAT's Overheads.from_file reads it (first
    row the labels, stripped; every row as long; values through float();
    TASK-COUNT present), each value recomputed here from the traces:
    CXS and RELEASE the longest thd_switch and irq kernel paths (max_cycles
    at the core's clock, rounded up to the picosecond), SCHEDULE the longest
    stretch of a scheduler thread (one that wrote u.sched) starting at or
    after the first release, from the switch events."""
    dbs = [quickstart_db]
    for n in (20, 50):
        db = os.path.join(tmp, "many-%d.db" % n)
        r = run(["run", "many-tasks", "--set", "tasks=%d" % n, "--set", "span=500ms", "--trace", db])
        if r.returncode:
            fail("run many-tasks: %s" % r.stderr)
        dbs.append(db)
    out = os.path.join(tmp, "overheads.csv")
    r = run(["export"] + dbs + ["--format", "schedcat", "-o", out])
    if r.returncode or r.stderr:
        fail("export schedcat: exit %d %s" % (r.returncode, r.stderr))
    rows = [[c.strip() for c in line.split(",")] for line in open(out).read().splitlines()]
    head, body = rows[0], rows[1:]
    if "TASK-COUNT" not in head or any(len(x) != len(head) for x in body):
        fail("schedcat: header %r, rows %r" % (head, body))
    got = {int(float(x[head.index("TASK-COUNT")])): {h: float(v) for h, v in zip(head, x)} for x in body}
    for db in dbs:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        tasks = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
        freq = dict(con.execute("SELECT core, freq_hz FROM counters"))

        def path_us(name):
            return max([-(-mc * 10**12 // freq[fc]) for fc, mc in con.execute(
                "SELECT first_core, max_cycles FROM kernel_paths WHERE path = ?", (name,))] or [0]) / 1e6
        sched = set(con.execute("SELECT DISTINCT e.core, e.thread FROM events e JOIN event_kinds k ON k.id = e.kind "
                                "WHERE k.name = 'u.sched' AND e.thread IS NOT NULL"))
        first = con.execute("SELECT min(release_ps) FROM jobs").fetchone()[0]
        sw = con.execute("SELECT e.time_ps, e.core, e.a0 FROM events e JOIN event_kinds k ON k.id = e.kind "
                         "WHERE k.name IN ('k.switch', 'k.ulswitch') AND e.core IS NOT NULL ORDER BY e.id").fetchall()
        cur, longest = {}, 0
        for t, c, to in sw:
            if c in cur and (c, cur[c][0]) in sched and cur[c][1] >= first:
                longest = max(longest, t - cur[c][1])
            cur[c] = (to, t)
        want = {"CXS": path_us("thd_switch"), "RELEASE": path_us("irq"), "SCHEDULE": longest / 1e6, "TICK": 0}
        con.close()
        for k, v in want.items():
            if abs(got[tasks][k] - v) > 5e-7:
                fail("schedcat %d tasks: %s %r, recomputed %r" % (tasks, k, got[tasks][k], v))
    print("ok schedcat: %s" % sorted(got))


def check_ctf(tmp, name, db):
    """CTF read by babeltrace2 (Debian's, an independent reader), when it is
    installed: every switch, interrupt, release and completion of the trace
    is an event of the stream of its core, the timestamps (ns) never go
    back within a stream, and every job's release and completion carry the
    trace's times to the nanosecond."""
    bt = shutil.which("babeltrace2")
    if bt is None:
        print("skip ctf %s: babeltrace2 is not installed (. scripts/deps.sh; cossim_install_ctf)" % name)
        return
    folder = os.path.join(tmp, name + "-ctf")
    r = run(["export", db, "--format", "ctf", "-o", folder])
    if r.returncode or r.stderr:
        fail("export ctf %s: exit %d %s" % (name, r.returncode, r.stderr))
    out = subprocess.run([bt, "--clock-cycles", folder], capture_output=True, text=True)
    if out.returncode:
        fail("babeltrace2 %s: exit %d %s" % (name, out.returncode, out.stderr))
    counts, last, rel, fin = {}, {}, set(), set()
    for line in out.stdout.splitlines():
        # [CYCLES] (+DELTA) NAME: { cpu_id = C }, { fields }
        head, _, rest = line.partition("] ")
        t = int(head.lstrip("["))
        rest = rest.partition(") ")[2]          # the delta, (+...)
        ev, _, rest = rest.partition(": ")
        cpu = int(rest.split("cpu_id = ")[1].split(" ")[0])
        if t < last.get(cpu, 0):
            fail("ctf %s: time goes back on cpu %d at %s" % (name, cpu, line))
        last[cpu] = t
        counts[ev] = counts.get(ev, 0) + 1
        if ev in ("job_release", "job_completion"):
            f = dict(kv.split(" = ") for kv in rest.split("}, { ")[1].rstrip(" }").split(", ") if " = " in kv)
            (rel if ev == "job_release" else fin).add((int(f["task"]), int(f["job"]), t))
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    def kind_count(kinds):
        return con.execute("SELECT count(*) FROM events e JOIN event_kinds k ON k.id = e.kind "
                           "WHERE k.name IN (%s) AND e.core IS NOT NULL" % ",".join("'%s'" % k for k in kinds)).fetchone()[0]
    want = {"sched_switch": kind_count(["k.switch", "k.ulswitch"]), "irq_handler_entry": kind_count(["k.irq"])}
    jobs = con.execute("SELECT task, job, release_ps, finish_ps FROM jobs").fetchall()
    con.close()
    for k, v in want.items():
        if counts.get(k, 0) != v:
            fail("ctf %s: %d %s events, the trace has %d" % (name, counts.get(k, 0), k, v))
    if rel != {(t, j, r // 1000) for t, j, r, f in jobs} or fin != {(t, j, f // 1000) for t, j, r, f in jobs}:
        fail("ctf %s: the releases and completions differ from the trace's %d jobs" % (name, len(jobs)))
    print("ok ctf %s: %s" % (name, sorted(counts.items())))


def check_hostile(tmp, db):
    bad = os.path.join(tmp, "edited.db")
    shutil.copy(db, bad)
    con = sqlite3.connect(bad)
    con.execute("UPDATE events SET core = 100000 WHERE id % 7 = 0")
    con.execute("UPDATE events SET core = -3 WHERE id % 11 = 0")
    con.execute("UPDATE jobs SET finish_ps = release_ps - 5 WHERE id % 5 = 0")
    con.execute("UPDATE events SET a0 = 99999999 WHERE id % 13 = 0")
    con.commit()
    con.close()
    out = os.path.join(tmp, "edited.json")
    r = run(["export", bad, "--format", "perfetto", "-o", out])
    if r.returncode != 0 or "left out" not in r.stderr:
        fail("edited trace: exit %d, stderr %r" % (r.returncode, r.stderr))
    with open(out) as f:
        validate(json.load(f))
    junk = os.path.join(tmp, "junk.db")
    with open(junk, "w") as f:
        f.write("not a database\n" * 100)
    out = os.path.join(tmp, "junk.json")
    r = run(["export", junk, "--format", "perfetto", "-o", out])
    if r.returncode != 2 or os.path.exists(out) or [n for n in os.listdir(tmp) if ".tmp-" in n]:
        fail("not a trace: exit %d, output left: %s" % (r.returncode, os.listdir(tmp)))
    r = run(["export", db, "--format", "perfetto", "-o", "/dev/null"])
    if r.returncode != 2 or not os.path.exists("/dev/null") or not os.path.isfile(db):
        fail("a device as output: exit %d" % r.returncode)
    r = run(["export", db, "--format", "perfetto", "-o", db])
    if r.returncode != 2:
        fail("the trace itself as output: exit %d" % r.returncode)
    r = run(["export", db, "--format", "nosuch"])
    if r.returncode != 2 or "perfetto" not in r.stderr:
        fail("an unknown format: exit %d %r" % (r.returncode, r.stderr))
    print("ok hostile")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        dbs = [check_scenario(tmp, n) for n in ("quickstart", "channels", "interrupt-threads", "fp-vs-edf")]
        for n, db in zip(("quickstart", "channels", "interrupt-threads", "fp-vs-edf"), dbs):
            check_litmus(tmp, n, db)
            check_ctf(tmp, n, db)
        check_schedcat(tmp, dbs[0])
        check_hostile(tmp, dbs[0])
    print("all ok")


main()
