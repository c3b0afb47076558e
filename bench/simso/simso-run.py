#!/usr/bin/env python3
"""Run the SimSo side of the comparison: bench/simso/taskset.lua's set in SimSo.

SimSo (MaximeCheramy/simso on GitHub) is not a dependency of cossim and none
of its code is in this repository: this script only drives it, through the
script mode its documentation describes (docs-src/text_mode.rst there).  It
needs SimSo's `simso` package and SimPy 2's `SimPy` package on the Python
path, e.g. Debian's python3-simpy under /usr/bin/python3 and a SimSo source
tree on PYTHONPATH (scripts/bench-simso.sh and bench/simso/bench.py set that up
from SIMSO_SRC).

Usage: simso-run.py [--policy fp|edf] [--span-ms N] [--taskset FILE]

The set is read from the TASKS table of bench/simso/taskset.lua (one task a
line, `{ name = "t1", period_ms = 5, wcet_us = 415 },`), so both tools run
the same tasks.  SimSo is configured as its example script does: one
processor, periodic tasks released at 0 with deadline = period, the WCET
execution-time model (every job runs exactly its WCET), no scheduling or
context-switch overheads (SimSo's defaults), 1,000,000 cycles per ms (its
default), and its uniprocessor schedulers RM_mono (fp) and EDF_mono (edf).
Jobs that miss are not aborted, so a miss shows as a late finish
(none happens with this set).  SimSo's
trace is its in-memory monitors (every job and processor event), which it
always records and from which model.results is computed at the end of
run_model; it writes no file.

Prints one line per task and the same totals line as taskset.lua:
"jobs N missed M late_unfinished L".
"""
import argparse
import os
import re
import sys

TASK_LINE = re.compile(r'\{\s*name\s*=\s*"(\w+)",\s*period_ms\s*=\s*(\d+),\s*wcet_us\s*=\s*(\d+)\s*\}')


def read_taskset(path):
    with open(path) as f:
        tasks = [(m.group(1), int(m.group(2)), int(m.group(3))) for m in TASK_LINE.finditer(f.read())]
    if not tasks:
        sys.exit("simso-run: no task lines in %s" % path)
    return tasks


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--policy", choices=("fp", "edf"), default="fp")
    ap.add_argument("--span-ms", type=int, default=10000)
    ap.add_argument("--taskset", default=os.path.join(here, "taskset.lua"))
    args = ap.parse_args()
    tasks = read_taskset(args.taskset)

    try:
        from simso.core import Model
        from simso.configuration import Configuration
    except ImportError as e:
        sys.exit("simso-run: SimSo or SimPy 2 is not importable (%s); see scripts/bench-simso.sh" % e)

    conf = Configuration()
    cpm = conf.cycles_per_ms
    conf.duration = args.span_ms * cpm
    for ident, (name, period_ms, wcet_us) in enumerate(tasks, 1):
        wcet_ms = wcet_us / 1000
        # SimSo turns a WCET into cycles with int(wcet * cycles_per_ms):
        # make sure the float does not truncate it by a cycle.
        assert int(wcet_ms * cpm) == wcet_us * cpm // 1000, (name, wcet_ms)
        conf.add_task(name=name, identifier=ident, period=period_ms, activation_date=0,
                      wcet=wcet_ms, deadline=period_ms, abort_on_miss=False)
    conf.add_processor(name="CPU 1", identifier=1)
    conf.scheduler_info.clas = "simso.schedulers.RM_mono" if args.policy == "fp" else "simso.schedulers.EDF_mono"
    conf.check_all()

    model = Model(conf)
    model.run_model()

    end = model.now()
    total_jobs = total_missed = total_late = 0
    print("SimSo, %s, one processor, U = %.2f, %d ms" % (
        "rate monotonic (RM_mono)" if args.policy == "fp" else "EDF (EDF_mono)",
        sum(w / (p * 1000) for _, p, w in tasks), args.span_ms))
    print("%-4s  %9s  %7s  %4s  %6s  %4s  %10s" % ("task", "period_ms", "wcet_us", "jobs", "missed", "late", "worst_us"))
    for (name, period_ms, wcet_us), task in zip(tasks, model.task_list):
        jobs = missed = late = 0
        worst = 0.0
        for job in task.jobs:
            deadline = job.absolute_deadline_cycles
            if job.end_date is not None:
                jobs += 1
                worst = max(worst, job.response_time * 1000)
                if job.end_date > deadline:
                    missed += 1
            elif deadline <= end:
                late += 1
        total_jobs, total_missed, total_late = total_jobs + jobs, total_missed + missed, total_late + late
        print("%-4s  %9d  %7d  %4d  %6d  %4d  %10.3f" % (name, period_ms, wcet_us, jobs, missed, late, worst))
    print("logs %d" % len(model.logs))
    print("jobs %d missed %d late_unfinished %d" % (total_jobs, total_missed, total_late))


if __name__ == "__main__":
    main()
