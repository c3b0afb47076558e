#!/usr/bin/env python3
"""cossim against SimSo on the same task set: CPU and wall time, side by side.

Runs bench/simso/taskset.lua in cossim (trace on, written to a temporary
SQLite file) and the same set in SimSo (bench/simso/simso-run.py), under
each policy, alternating the two tools run by run (the one that goes first
alternates too), and prints every run, the medians and the ratio of CPU
times (SimSo / cossim: how many times faster cossim is).  CPU time is user
+ system of the child process from wait4's rusage (microseconds; cossim's
trace-writer thread included); wall time is from spawn to exit.  The machine
may be shared and noisy: compare CPU, and read the load averages printed
before and after.

Checks, and exits 1 if one fails: every run of either tool reports its
totals line ("jobs N missed M late_unfinished L") with no missed or late
job and the same N in both tools; every cossim run of one policy prints the
same digest (determinism).

SimSo is optional: without it (SimPy 2 or the simso package not importable
by --python with --simso on its path) the SimSo side is skipped, said so,
and only cossim is timed (exit 0).  scripts/bench-simso.sh is the usual
entry point.

Usage: bench.py [--runs N] [--policies fp,edf] [--span-ms 10000]
                [--cossim build/cossim] [--python /usr/bin/python3]
                [--simso DIR] [--trace-none]
  --simso DIR    a SimSo source tree (the folder holding simso/); default
                 $SIMSO_SRC, else whatever --python imports as simso
  --trace-none   also time cossim with --trace none (digest only)
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOTALS = re.compile(r"^jobs (\d+) missed (\d+) late_unfinished (\d+)$", re.M)
DIGEST = re.compile(r"^digest\s+(\w+)", re.M)


def run(cmd, env=None):
    """One child process: its output, CPU (user + system) and wall seconds."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.stdout.close()
    return {"out": out, "cpu": ru.ru_utime + ru.ru_stime, "user": ru.ru_utime, "sys": ru.ru_stime,
            "wall": wall, "rc": os.waitstatus_to_exitcode(status)}


def simso_probe(python, simso_dir):
    """(env for the SimSo child, description) or (None, why it is skipped)."""
    if not (shutil.which(python) or os.path.exists(python)):
        return None, "no Python interpreter %s" % python
    env = dict(os.environ)
    if simso_dir:
        if not os.path.isdir(os.path.join(simso_dir, "simso")):
            return None, "%s holds no simso/ package" % simso_dir
        env["PYTHONPATH"] = simso_dir + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    probe = ("import sys\n"
             "try:\n import SimPy, SimPy.Simulation\nexcept ImportError:\n print('nosimpy'); sys.exit(0)\n"
             "try:\n import simso, simso.core\nexcept ImportError as e:\n print('nosimso', e); sys.exit(0)\n"
             "print('ok', SimPy.__version__, simso.__version__, simso.__file__, sys.version.split()[0])\n")
    r = subprocess.run([python, "-c", probe], env=env, capture_output=True, text=True)
    words = r.stdout.split()
    if r.returncode != 0 or not words:
        return None, "%s failed: %s" % (python, (r.stderr.strip().splitlines() or ["?"])[-1])
    if words[0] == "nosimpy":
        return None, ("%s cannot import SimPy 2 (Debian: python3-simpy, for /usr/bin/python3; "
                      "scripts/bench-simso.sh --install-simpy installs it)" % python)
    if words[0] == "nosimso":
        return None, ("%s cannot import simso: point --simso or SIMSO_SRC at a SimSo source tree "
                      "(MaximeCheramy/simso on GitHub; pure Python, nothing to build)" % python)
    if not words[1].startswith("2."):
        return None, "SimPy %s is not the SimPy 2 API SimSo needs" % words[1]
    return env, "SimSo %s (%s) on SimPy %s, Python %s" % (words[2], os.path.dirname(words[3]), words[1], words[4])


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            model = m.group(1) if m else model
    except OSError:
        pass
    return "%s, %d logical CPUs, %s %s" % (model, os.cpu_count() or 0, platform.system(), platform.release())


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def med(rs, key):
    return statistics.median(r[key] for r in rs)


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("Usage: ")[1].split("\n  --")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--policies", default="fp,edf")
    ap.add_argument("--span-ms", type=int, default=10000)
    ap.add_argument("--cossim", default=os.path.join(ROOT, "build", "cossim"))
    ap.add_argument("--python", default=os.environ.get("SIMSO_PYTHON", "/usr/bin/python3"))
    ap.add_argument("--simso", default=os.environ.get("SIMSO_SRC", ""))
    ap.add_argument("--trace-none", action="store_true")
    a = ap.parse_args()
    policies = a.policies.split(",")
    if not os.access(a.cossim, os.X_OK):
        sys.exit("bench: no cossim binary at %s (build first: meson setup build && ninja -C build)" % a.cossim)
    env, simso_desc = simso_probe(a.python, a.simso)

    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    print("date      %s" % datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    print("machine   %s" % machine())
    print("cossim    %s (commit %s%s)" % (a.cossim, rev or "?", ", modified" if dirty else ""))
    if env is None:
        print("SimSo     SKIPPED: %s" % simso_desc)
        print("          only cossim is timed; there is no ratio")
    else:
        print("SimSo     %s" % simso_desc)
    print("set       bench/simso/taskset.lua: 10 tasks, U = 0.83, one core, %d ms simulated, %d runs each, alternating"
          % (a.span_ms, a.runs))
    print("load      %s (1, 5, 15 min) before" % load())

    tmp = tempfile.mkdtemp(prefix="bench-simso-")
    failures = []
    summary = []
    try:
        for policy in policies:
            # the span is a parameter, and parameters are in the trace's
            # metadata: leave it out at its default, so that the digest is
            # the one of the plain command in BENCHMARKS.md
            base = [a.cossim, "run", os.path.join(HERE, "taskset.lua"), "--set", "policy=" + policy]
            if a.span_ms != 10000:
                base += ["--set", "span=%dms" % a.span_ms]
            tools = [("cossim", base + ["--trace", os.path.join(tmp, "t.db")], None)]
            if a.trace_none:
                tools.append(("cossim --trace none", base + ["--trace", "none"], None))
            if env is not None:
                tools.append(("SimSo", [a.python, os.path.join(HERE, "simso-run.py"), "--policy", policy,
                                        "--span-ms", str(a.span_ms)], env))
            res = {name: [] for name, _, _ in tools}
            for i in range(a.runs):
                order = tools if i % 2 == 0 else list(reversed(tools))
                for name, cmd, cenv in order:
                    r = run(cmd, cenv)
                    if os.path.exists(os.path.join(tmp, "t.db")):
                        os.unlink(os.path.join(tmp, "t.db"))
                    res[name].append(r)
                    t = TOTALS.search(r["out"])
                    d = DIGEST.search(r["out"])
                    r["jobs"] = int(t.group(1)) if t else None
                    r["digest"] = d.group(1) if d else None
                    if r["rc"] != 0 or not t:
                        failures.append("%s %s run %d: exit %d, no totals line\n%s" % (name, policy, i + 1, r["rc"], r["out"][-2000:]))
                    elif int(t.group(2)) or int(t.group(3)):
                        failures.append("%s %s run %d: %s" % (name, policy, i + 1, t.group(0)))
            print()
            print("== %s" % ("rate monotonic (cossim fp, SimSo RM_mono)" if policy == "fp" else "EDF (cossim edf, SimSo EDF_mono)"))
            for name, _, _ in tools:
                rs = res[name]
                print("  %-19s cpu %s s | wall %s s | jobs %s%s" % (
                    name, " ".join("%.3f" % r["cpu"] for r in rs), " ".join("%.3f" % r["wall"] for r in rs),
                    ",".join(sorted({str(r["jobs"]) for r in rs})),
                    " | digest " + ",".join(sorted({(r["digest"] or "-")[:16] for r in rs})) if name.startswith("cossim") else ""))
                if name.startswith("cossim") and len({r["digest"] for r in rs}) != 1:
                    failures.append("%s %s: the digest differs between runs" % (name, policy))
            jobs = {r["jobs"] for rs in res.values() for r in rs}
            if len(jobs) != 1:
                failures.append("%s: the tools disagree on the number of jobs: %s" % (policy, sorted(jobs, key=str)))
            line = {name: (med(res[name], "cpu"), med(res[name], "wall")) for name, _, _ in tools}
            for name, (cpu, wall) in line.items():
                print("  median %-19s cpu %.3f s, wall %.3f s" % (name, cpu, wall))
            if "SimSo" in line:
                c, s = line["cossim"], line["SimSo"]
                print("  ratio SimSo / cossim: CPU %.1fx, wall %.1fx" % (s[0] / c[0], s[1] / c[1]))
            summary.append((policy, line))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print("load      %s (1, 5, 15 min) after" % load())
    print()
    print("| policy | cossim CPU / wall (s) | SimSo CPU / wall (s) | CPU ratio | wall ratio |")
    print("|---|---|---|---|---|")
    for policy, line in summary:
        c = line["cossim"]
        s = line.get("SimSo")
        print("| %s | %.3f / %.3f | %s | %s | %s |" % (
            "RM" if policy == "fp" else "EDF", c[0], c[1],
            "%.3f / %.3f" % s if s else "skipped", "%.1fx" % (s[0] / c[0]) if s else "-",
            "%.1fx" % (s[1] / c[1]) if s else "-"))
    if failures:
        print()
        for f in failures:
            print("FAILED: " + f)
        sys.exit(1)


if __name__ == "__main__":
    main()
