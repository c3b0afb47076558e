#!/usr/bin/env python3
"""`cossim sweep`, `merge`, `analyze MERGED.db` and `plot sweep`, checked by
readers cossim did not write (Python's csv, shlex, json and sqlite3).

Usage: check_sweep.py COSSIM            (the scenario suite: GNU parallel)
       check_sweep.py COSSIM --slurm    (the slow suite: a real Slurm)

Without --slurm:
  1. hostile values (quotes, spaces, $(), backquotes, {} of GNU parallel,
     ; | & * ~, an empty value, a comma written \\,) go through a plan run
     by GNU parallel and arrive in each trace's run_params byte for byte,
     and nothing they spell runs; a newline or tab in a value, a repeated
     key or value, a key named like a manifest column: exit 2, no plan;
  2. a 12-run sweep of quickstart (lock x span x 3 seeds) through GNU
     parallel -j 2: every trace has the digest the same single `cossim run`
     prints (run here, one by one);
  3. merged: every jobs, tasks, counters and kernel_paths row of every trace
     (read here with sqlite3) is in the results database under its run, and
     a second merge adds nothing;
  4. `cossim analyze --json` of it: each run's jobs, misses and worst
     response, and per swept value and task the runs, jobs, misses, worst
     and mean worst response, recomputed here from the traces themselves;
     `cossim plot sweep` draws the figure, and each point it draws
     (--data) is recomputed the same way; an edited results database is
     refused by both;
  5. a run that fails (its trace name taken by a folder) is named with exit
     1; after the cause is removed the same command reruns only that run
     (GNU parallel's --resume-failed: one more joblog line);
  6. no GNU parallel on PATH: exit 2 naming the Debian package; an edited
     trace is refused by merge and the results database stays as it was;
     --run slurm without sbatch writes the job-array script, which run by
     hand with SLURM_ARRAY_TASK_ID=N runs plan line N + 1.
With --slurm: a single-node slurmctld + slurmd with munge, started here on
private ports and a private munge socket, runs a 12-run sweep as a job
array (--wait), merged and checked as above; exit 77 (skipped) when
slurm-wlm or munge is not installed.
Exit 0 when all hold; the first failure is printed.
"""
import csv
import json
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

COSSIM = os.path.abspath(sys.argv[1])
TABLES = {
    "tasks": ["task", "name", "core", "policy", "priority", "period_ps", "deadline_ps", "budget_ps", "offset_ps",
              "jitter_ps", "sporadic", "wcet_cycles", "group_name"],
    "jobs": ["id", "task", "job", "core", "thread", "release_ps", "start_ps", "finish_ps", "deadline_ps",
             "response_ps", "missed"],
    "kernel_paths": ["id", "first_core", "path", "n", "cycles", "max_cycles", "arch", "instructions", "fetch", "data",
                     "accesses"],
}


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(args, env=None, cwd=None):
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd)


def sweep(args, **kw):
    return run([COSSIM, "sweep"] + args, **kw)


def manifest(d):
    with open(os.path.join(d, "manifest.csv"), newline="") as f:
        return list(csv.DictReader(f))


def trace_params(db):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = c.execute("SELECT key, value FROM run_params ORDER BY id").fetchall()
    c.close()
    return rows


def check_quoting(tmp):
    scen = os.path.join(tmp, "echo.lua")
    with open(scen, "w") as f:
        f.write("-- reads two parameters, composes nothing\nlocal a, b = params.a, params.b\n")
    hostile = ["it's", "two words", "$(touch PWNED1)", "`touch PWNED2`", "\"dq\" \\back\\", "{} {.} {= $_=1 =}",
               "semi;colon|pipe&amp >x", "", "-dash", "~", "*", "a,b"]
    spec = "a=" + ",".join(v.replace("\\", "\\\\").replace(",", "\\,") for v in hostile)
    d = os.path.join(tmp, "quote")
    r = sweep([scen, "--param", spec, "--param", "b=1,x y", "--plan", os.path.join(d, "plan"), "--run", "local",
               "-j", "2"], cwd=tmp)
    if r.returncode != 0:
        fail("hostile sweep: exit %d: %s" % (r.returncode, r.stderr))
    for n in ("PWNED1", "PWNED2", "x"):
        for where in (tmp, d):
            if os.path.exists(os.path.join(where, n)):
                fail("a value ran as shell syntax: %s was made" % n)
    rows = manifest(d)
    if len(rows) != len(hostile) * 2:
        fail("manifest: %d rows, not %d" % (len(rows), len(hostile) * 2))
    with open(os.path.join(d, "plan")) as f:
        lines = f.read().split("\n")[:-1]
    for i, row in enumerate(rows):
        a, b = hostile[i // 2], ["1", "x y"][i % 2]
        if (row["run"], row["a"], row["b"]) != (str(i), a, b):
            fail("manifest row %d: %r" % (i, row))
        if trace_params(row["trace"]) != [("a", a), ("b", b)]:
            fail("run %d: the trace has %r, not a=%r b=%r" % (i, trace_params(row["trace"]), a, b))
        words = shlex.split(lines[i])
        if words[:2] != [COSSIM, "run"] or words[3:7] != ["--set", "a=" + a, "--set", "b=" + b]:
            fail("plan line %d reads back as %r" % (i + 1, words))
    bad = [["--param", "a=x\ny"], ["--param", "a=x\ty"], ["--param", "a=1,1"], ["--param", "a=1", "--param", "a=2"],
           ["--param", "seed=1,2"], ["--param", "1a=1"], ["--param", "a=1", "--seeds", "0"],
           ["--param", "a=1", "--trace-level", "some"]]
    for args in bad:
        p = os.path.join(tmp, "bad", "plan")
        r = sweep([scen] + args + ["--plan", p])
        if r.returncode != 2 or os.path.exists(p) or "cossim sweep:" not in r.stderr:
            fail("%r: exit %d (want 2, no plan): %s" % (args, r.returncode, r.stderr))
    # another sweep into the same folder would mix its runs with these
    with open(os.path.join(d, "plan")) as f:
        plan_before = f.read()
    r = sweep([scen, "--param", "a=1,2", "--plan", os.path.join(d, "plan2"), "--dir", d])
    if r.returncode != 2 or "another sweep" not in r.stderr or os.path.exists(os.path.join(d, "plan2")):
        fail("another sweep into the folder: exit %d: %s" % (r.returncode, r.stderr))
    with open(os.path.join(d, "plan")) as f:
        if f.read() != plan_before:
            fail("another sweep changed the plan")
    print("quoting: %d hostile values arrive byte for byte, %d bad inputs refused" % (len(hostile), len(bad)))


def check_digests(d, rows):
    for row in rows:
        db = row["trace"]
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        digest = c.execute("SELECT digest FROM run").fetchone()[0]
        c.close()
        with open(db[:-3] + ".json") as f:
            if json.load(f)["digest"] != digest:
                fail("%s: the run's --json digest is not its trace's" % db)
        r = run([COSSIM, "run", "quickstart", "--set", "lock=" + row["lock"], "--set", "span=" + row["span"],
                 "--seed", row["seed"], "--trace", "none", "--json"])
        if r.returncode != 0 or json.loads(r.stdout)["digest"] != digest:
            fail("run %s: the sweep's digest %s is not the single run's (%s)" % (row["run"], digest, r.stdout[:200]))
    print("determinism: the %d sweep traces have the digests of the same single runs" % len(rows))


def read_trace(db):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    out = {t: c.execute("SELECT %s FROM %s ORDER BY id" % (", ".join(cols), t)).fetchall()
           for t, cols in TABLES.items()}
    out["counters"] = c.execute("SELECT * FROM counters ORDER BY id").fetchall()
    out["digest"] = c.execute("SELECT digest FROM run").fetchone()[0]
    out["params"] = c.execute("SELECT key, value FROM run_params ORDER BY id").fetchall()
    out["seed"] = c.execute("SELECT seed FROM run").fetchone()[0]
    c.close()
    return out


def check_merge(tmp, rows, label):
    traces = {row["trace"]: read_trace(row["trace"]) for row in rows}
    m = os.path.join(tmp, label + "-merged.db")
    t0 = time.time()
    r = run([COSSIM, "merge", m] + [row["trace"] for row in rows])
    secs = time.time() - t0
    if r.returncode != 0:
        fail("merge: exit %d: %s" % (r.returncode, r.stderr))
    c = sqlite3.connect(m)
    runs = c.execute("SELECT run, digest, source, seed FROM runs ORDER BY run").fetchall()
    if len(runs) != len(rows):
        fail("merge: %d runs, not %d" % (len(runs), len(rows)))
    for run_key, digest, source, seed in runs:
        t = traces[source]
        if t["digest"] != digest or t["seed"] != seed:
            fail("merge: run %d is not its source's" % run_key)
        if c.execute("SELECT key, value FROM run_params WHERE run = ? ORDER BY position", (run_key,)).fetchall() != t["params"]:
            fail("merge: run %d's parameters" % run_key)
        for table, cols in TABLES.items():
            got = c.execute("SELECT %s FROM %s WHERE run = ? ORDER BY %s" % (", ".join(cols), table, cols[0]),
                            (run_key,)).fetchall()
            if got != t[table]:
                fail("merge: run %d: table %s differs from its trace's (%d rows, %d)" % (run_key, table, len(got),
                                                                                       len(t[table])))
        got = c.execute("SELECT * FROM counters WHERE run = ? ORDER BY id", (run_key,)).fetchall()
        if [g[1:] for g in got] != t["counters"]:
            fail("merge: run %d: counters differ" % run_key)
    njobs = c.execute("SELECT count(*) FROM jobs").fetchone()[0]
    c.close()
    size = os.path.getsize(m)
    r = run([COSSIM, "merge", "--json", m] + [row["trace"] for row in rows])
    if r.returncode != 0 or json.loads(r.stdout) != {"out": m, "added": 0, "skipped": len(rows), "runs": len(rows)}:
        fail("merge again: %d %s %s" % (r.returncode, r.stdout, r.stderr))
    print("merge: %d runs, %d jobs rows, %d bytes in %.2f s; every row is its trace's; merging again added nothing"
          % (len(runs), njobs, size, secs))
    return m, traces


def check_analyze(m, rows, traces, keys):
    r = run([COSSIM, "analyze", m, "--json"])
    if r.returncode != 0:
        fail("analyze: exit %d: %s" % (r.returncode, r.stderr))
    doc = json.loads(r.stdout)
    by_source = {row["trace"]: row for row in rows}
    # per run, from its trace
    per_run = {}
    for jr in doc["runs"]:
        t = traces[jr["source"]]
        resp = [j[9] for j in t["jobs"]]
        names = {task[0]: task[1] for task in t["tasks"]}
        worst = max(t["jobs"], key=lambda j: (j[9], -j[0]))
        want = (len(t["tasks"]), len(resp), sum(j[10] for j in t["jobs"]), max(resp), names[worst[1]])
        if (jr["tasks"], jr["jobs"], jr["missed"], jr["worst_ps"], jr["worst_task"]) != want:
            fail("analyze: run %d says %r, its trace %r" % (jr["run"], jr, want))
        per_run[jr["source"]] = t
    # per swept value and task
    swept = {p["param"]: p for p in doc["swept"]}
    if sorted(swept) != sorted(keys):
        fail("analyze: swept %r, not %r" % (sorted(swept), keys))
    for key in keys:
        values = [v["value"] for v in swept[key]["values"]]
        want_values = []
        for row in rows:
            if row[key] not in want_values:
                want_values.append(row[key])
        if values != want_values:
            fail("analyze: values of %s %r, not %r" % (key, values, want_values))
        for v in swept[key]["values"]:
            cells = {}
            for src, t in per_run.items():
                if by_source[src][key] != v["value"]:
                    continue
                names = {task[0]: task[1] for task in t["tasks"]}
                for task in sorted({j[1] for j in t["jobs"]}):
                    js = [j for j in t["jobs"] if j[1] == task]
                    c = cells.setdefault(names[task], [0, 0, 0, 0, []])
                    c[0] += 1
                    c[1] += len(js)
                    c[2] += sum(j[10] for j in js)
                    c[3] = max(c[3], max(j[9] for j in js))
                    c[4].append(max(j[9] for j in js))
            for cell in v["tasks"]:
                c = cells.pop(cell["task"], None)
                if c is None:
                    fail("analyze: %s=%s: task %s in no trace" % (key, v["value"], cell["task"]))
                mean_us = sum(c[4]) / len(c[4]) / 1e6
                if (cell["runs"], cell["jobs"], cell["missed"], cell["worst_ps"]) != tuple(c[:4]) or \
                        abs(cell["mean_worst_us"] - mean_us) > 1e-6:
                    fail("analyze: %s=%s task %s: %r, the traces say %r (mean %.6f us)"
                         % (key, v["value"], cell["task"], cell, c[:4], mean_us))
            if cells:
                fail("analyze: %s=%s lacks tasks %r" % (key, v["value"], sorted(cells)))
    print("analyze: every run's and every (value, task) figure recomputed from the %d traces" % len(per_run))
    fig = m[:-3] + "-%s.svg" % keys[-1]
    data = m[:-3] + "-%s.csv" % keys[-1]
    r = run([COSSIM, "plot", "sweep", m, "--param", keys[-1], "-o", fig, "--data", data])
    if r.returncode != 0 or not os.path.exists(fig):
        fail("plot sweep: exit %d: %s" % (r.returncode, r.stderr))
    # the figure's points (--data), each against the traces
    want = {}
    for src, t in per_run.items():
        names = {task[0]: task[1] for task in t["tasks"]}
        for j in t["jobs"]:
            k = (by_source[src][keys[-1]], names[j[1]])
            want[k] = max(want.get(k, 0), j[9])
    with open(data, newline="") as f:
        points = {(row[keys[-1]], row["task"]): int(row["worst_ps"]) for row in csv.DictReader(f)}
    if points != want:
        fail("plot sweep: the figure's points %r, the traces' %r" % (points, want))
    with open(fig) as f:
        svg = f.read()
    for name in ("control", "telemetry", "logger"):
        if name not in svg:
            fail("plot sweep: %s is not on the figure" % name)
    r = run([COSSIM, "plot", "sweep", m, "--param", "nosuch", "-o", fig + ".svg"])
    if r.returncode != 2:
        fail("plot sweep --param nosuch: exit %d" % r.returncode)
    # a results database is untrusted input too
    for i, edit in enumerate(["UPDATE jobs SET response_ps = -5 WHERE run = 2 AND id = 3",
                              "CREATE VIEW v AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                              "SELECT x FROM c"]):
        h = m[:-3] + "-hostile%d.db" % i
        shutil.copy(m, h)
        c = sqlite3.connect(h)
        c.execute(edit)
        c.commit()
        c.close()
        for args in (["analyze", h], ["plot", "sweep", h, "--param", keys[0], "-o", h + ".svg"]):
            r = run([COSSIM] + args)
            if r.returncode != 2 or os.path.exists(h + ".svg"):
                fail("%s on an edited results database (%s): exit %d" % (args[0], edit[:30], r.returncode))


def check_resume(tmp):
    d = os.path.join(tmp, "resume")
    os.makedirs(os.path.join(d, "run-0001.db"))       # run 1 cannot write its trace
    args = ["quickstart", "--param", "lock=pi,ceiling", "--param", "span=10ms", "--seeds", "2", "--trace-level", "jobs",
            "--plan", os.path.join(d, "plan"), "--run", "local", "-j", "2"]
    r = sweep(args + ["--json"])
    if r.returncode != 1 or "run 1 (line 2)" not in r.stderr or "resume" not in r.stderr:
        fail("a failed run: exit %d (want 1, naming run 1): %s" % (r.returncode, r.stderr))
    doc = json.loads(r.stdout)
    if doc["runs"] != 4 or doc["succeeded"] != 3 or [(f["run"], f["line"], f["exit"]) for f in doc["failed"]] != [(1, 2, 2)]:
        fail("a failed run: --json says %r" % doc)
    os.rmdir(os.path.join(d, "run-0001.db"))
    with open(os.path.join(d, "joblog")) as f:
        before = f.read().splitlines()
    r = sweep(args)
    with open(os.path.join(d, "joblog")) as f:
        after = f.read().splitlines()
    new = after[len(before):]
    if r.returncode != 0 or len(new) != 1 or new[0].split("\t")[0] != "2" or new[0].split("\t")[6] != "0":
        fail("resume: exit %d, new joblog lines %r: %s" % (r.returncode, new, r.stderr))
    if not os.path.exists(os.path.join(d, "run-0001.db")):
        fail("resume: run 1 has no trace")
    c = sqlite3.connect("file:%s?mode=ro" % os.path.join(d, "run-0001.db"), uri=True)
    if c.execute("SELECT level FROM trace_level").fetchall() != [("jobs",)] or \
            c.execute("SELECT count(*) FROM events").fetchone()[0] != 0:
        fail("--trace-level jobs: run 1's trace is not at level jobs")
    c.close()
    os.unlink(os.path.join(d, "run-0003.db"))     # a trace lost after its run succeeded
    r = sweep(args)
    if r.returncode != 1 or "run 3 (line 4): succeeded, but its trace is gone" not in r.stderr:
        fail("a lost trace: exit %d: %s" % (r.returncode, r.stderr))
    print("resume: the failed run named (exit 1), then rerun alone by --resume-failed")


def check_refusals(tmp, m, rows):
    env = dict(os.environ, PATH="/nonexistent")
    r = sweep(["quickstart", "--param", "lock=pi", "--plan", os.path.join(tmp, "nopar", "plan"), "--run", "local"],
              env=env)
    if r.returncode != 2 or "'parallel'" not in r.stderr:
        fail("no GNU parallel: exit %d: %s" % (r.returncode, r.stderr))
    bad = os.path.join(tmp, "edited.db")
    shutil.copy(rows[0]["trace"], bad)
    c = sqlite3.connect(bad)
    c.execute("UPDATE jobs SET response_ps = response_ps + 1 WHERE id = 1")
    c.commit()
    c.close()
    # merged already (by its stored digest): skipped, nothing added
    r = run([COSSIM, "merge", "--json", m, bad])
    if r.returncode != 0 or json.loads(r.stdout)["added"] != 0:
        fail("an edited copy of a merged run: exit %d: %s %s" % (r.returncode, r.stdout, r.stderr))
    # new to the database: refused, with the run beside it
    m2 = os.path.join(tmp, "two.db")
    if run([COSSIM, "merge", m2, rows[1]["trace"]]).returncode != 0:
        fail("merge of one run")
    before = open(m2, "rb").read()
    r = run([COSSIM, "merge", m2, rows[2]["trace"], bad])
    if r.returncode != 2 or "digest" not in r.stderr or open(m2, "rb").read() != before:
        fail("an edited trace: exit %d, the results database changed: %s" % (r.returncode, r.stderr))
    r = run([COSSIM, "merge", rows[0]["trace"], rows[1]["trace"]])
    if r.returncode != 2:
        fail("merge into a trace: exit %d" % r.returncode)
    fresh = os.path.join(tmp, "fresh.db")
    r = run([COSSIM, "merge", fresh, rows[2]["trace"], bad])
    if r.returncode != 2 or os.path.exists(fresh):
        fail("a refused merge into a new file: exit %d, the file left: %s" % (r.returncode, os.path.exists(fresh)))
    # the job-array script without Slurm: written, and runnable by hand
    d = os.path.join(tmp, "noslurm")
    r = sweep(["quickstart", "--param", "lock=pi,ceiling", "--seeds", "2", "--param", "span=5ms",
               "--plan", os.path.join(d, "plan"), "--run", "slurm", "-j", "2"], env=dict(os.environ, PATH="/nonexistent"))
    script = os.path.join(d, "sweep.sbatch")
    if r.returncode != 0 or not os.path.exists(script) or "sbatch " + script not in r.stderr:
        fail("--run slurm without sbatch: exit %d: %s" % (r.returncode, r.stderr))
    with open(script) as f:
        text = f.read()
    if "#SBATCH --array=0-3%2\n" not in text:
        fail("the job-array script: %s" % text)
    r = run(["/bin/sh", script], env=dict(os.environ, SLURM_ARRAY_TASK_ID="2"))
    rows2 = manifest(d)
    if r.returncode != 0 or not os.path.exists(rows2[2]["trace"]) or os.path.exists(rows2[1]["trace"]):
        fail("array task 2 by hand: exit %d: %s" % (r.returncode, r.stderr))
    # a resubmission lists only the runs without a trace
    r = sweep(["quickstart", "--param", "lock=pi,ceiling", "--seeds", "2", "--param", "span=5ms",
               "--plan", os.path.join(d, "plan"), "--run", "slurm"], env=dict(os.environ, PATH="/nonexistent"))
    with open(script) as f:
        text = f.read()
    if r.returncode != 0 or "#SBATCH --array=0-1,3\n" not in text:
        fail("the job-array script of the runs left: %s" % text)
    print("refusals: no parallel (exit 2), an edited trace (exit 2, results unchanged), merge into a trace; "
          "the job-array script runs its line by hand")


def quick(tmp):
    if shutil.which("parallel") is None:
        fail("GNU parallel is not installed: it is a dependency (Debian package 'parallel'; ./scripts/setup.sh "
             "installs it through scripts/deps.sh)")
    check_quoting(tmp)
    d = os.path.join(tmp, "sweep")
    t0 = time.time()
    r = sweep(["quickstart", "--param", "lock=pi,ceiling", "--param", "span=20ms,30ms", "--seeds", "3",
               "--plan", os.path.join(d, "plan"), "--run", "local", "-j", "2"])
    wall = time.time() - t0
    if r.returncode != 0:
        fail("sweep: exit %d: %s" % (r.returncode, r.stderr))
    rows = manifest(d)
    if len(rows) != 12 or not all(os.path.exists(row["trace"]) for row in rows):
        fail("sweep: %d runs in the manifest, or a trace is missing" % len(rows))
    print("sweep: 12 runs through GNU parallel -j 2 in %.2f s wall" % wall)
    check_digests(d, rows)
    m, traces = check_merge(tmp, rows, "local")
    check_analyze(m, rows, traces, ["lock", "span"])
    check_resume(tmp)
    check_refusals(tmp, m, rows)


# ---- Slurm (slow suite) ----

SLURM_CONF = """ClusterName=cossimtest
SlurmctldHost={host}
SlurmctldPort={port}
SlurmdPort={dport}
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket={munge_sock}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={d}/jobcomp.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation={d}/ctld
SlurmdSpoolDir={d}/slurmd
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
ReturnToService=2
MpiDefault=none
NodeName={host} CPUs={cpus} RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def slurm(tmp):
    need = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/etc/munge/munge.key"]
    if not all(os.path.exists(p) for p in need) or shutil.which("sbatch") is None:
        print("SKIP: slurm-wlm and munge are not installed (apt-get install slurm-wlm munge; "
              "scripts/deps.sh: cossim_install_slurm)")
        sys.exit(77)
    d = os.path.join(tmp, "slurm")
    for sub in ("ctld", "slurmd", "munge"):
        os.makedirs(os.path.join(d, sub))
    shutil.chown(os.path.join(d, "munge"), "munge", "munge")
    os.chmod(d, 0o755)
    os.chmod(tmp, 0o755)
    sock = os.path.join(d, "munge", "munge.sock")
    host = socket.gethostname().split(".")[0]
    conf = os.path.join(d, "slurm.conf")
    with open(conf, "w") as f:
        f.write(SLURM_CONF.format(host=host, port=26817, dport=26818, munge_sock=sock, d=d, cpus=os.cpu_count()))
    env = dict(os.environ, SLURM_CONF=conf)
    t0 = time.time()
    procs = []
    try:
        subprocess.run(["runuser", "-u", "munge", "--", "/usr/sbin/munged", "--force", "--socket=" + sock,
                        "--pid-file=" + os.path.join(d, "munge", "munged.pid"),
                        "--seed-file=" + os.path.join(d, "munge", "seed"),
                        "--log-file=" + os.path.join(d, "munge", "munged.log")], check=True)
        procs.append(os.path.join(d, "munge", "munged.pid"))
        subprocess.run(["/usr/sbin/slurmctld", "-i", "-f", conf], check=True, env=env)
        procs.append(os.path.join(d, "slurmctld.pid"))
        subprocess.run(["/usr/sbin/slurmd", "-f", conf], check=True, env=env)
        procs.append(os.path.join(d, "slurmd.pid"))
        for _ in range(60):
            r = run(["sinfo", "-h", "-o", "%t"], env=env)
            if r.returncode == 0 and r.stdout.strip() in ("idle", "mix", "alloc"):
                break
            time.sleep(1)
        else:
            fail("the Slurm node did not come up: %s %s" % (r.stdout, r.stderr))
        up = time.time() - t0
        sd = os.path.join(tmp, "ssweep")
        t1 = time.time()
        r = sweep(["quickstart", "--param", "lock=pi,ceiling", "--param", "span=20ms,30ms", "--seeds", "3",
                   "--plan", os.path.join(sd, "plan"), "--run", "slurm", "--wait", "-j", "2"], env=env)
        wall = time.time() - t1
        if r.returncode != 0:
            fail("sweep on Slurm: exit %d: %s" % (r.returncode, r.stderr))
        rows = manifest(sd)
        if len(rows) != 12 or not all(os.path.exists(row["trace"]) for row in rows):
            fail("sweep on Slurm: a trace is missing")
        with open(os.path.join(d, "jobcomp.log")) as f:
            done = [l for l in f if "JobState=COMPLETED" in l]
        if len(done) != 12:
            fail("the job-completion log has %d completed tasks, not 12" % len(done))
        print("slurm: node up in %.1f s; 12 runs as a job array (throttle 2) in %.1f s wall" % (up, wall))
        check_digests(sd, rows)
        m, traces = check_merge(tmp, rows, "slurm")
        check_analyze(m, rows, traces, ["lock", "span"])
        r = sweep(["quickstart", "--param", "lock=pi,ceiling", "--param", "span=20ms,30ms", "--seeds", "3",
                   "--plan", os.path.join(sd, "plan"), "--run", "slurm", "--wait"], env=env)
        if r.returncode != 0 or "nothing to submit" not in r.stderr:
            fail("a finished sweep submitted again: %d %s" % (r.returncode, r.stderr))
    finally:
        for pidfile in reversed(procs):
            try:
                with open(pidfile) as f:
                    pid = int(f.read().split()[0])
                os.kill(pid, 15)
                for _ in range(50):
                    os.kill(pid, 0)
                    time.sleep(0.1)
            except (OSError, ValueError):
                pass
    print("slurm: daemons stopped; %.1f s in all" % (time.time() - t0))


def main():
    tmp = tempfile.mkdtemp(prefix="cossim-sweep-")
    try:
        if "--slurm" in sys.argv[2:]:
            slurm(tmp)
        else:
            quick(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
