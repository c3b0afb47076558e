/* analysis/taskset.h: task sets for the analytic tests.
 *
 * Times are integer nanoseconds.  A task is sporadic (period = minimum
 * inter-arrival) with a constrained or arbitrary relative deadline, release
 * jitter and a blocking term; priorities are integers, smaller = higher
 * (the trace and the kernel use the same convention); core is the
 * partition (-1: not assigned yet).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct an_task {
    char *name;
    uint64_t period;      /* ns, > 0 */
    uint64_t wcet;        /* ns, > 0 */
    uint64_t deadline;    /* ns, relative, > 0 */
    uint64_t jitter;      /* ns, release jitter */
    uint64_t blocking;    /* ns, the longest a lower-priority task can block it */
    int priority;         /* smaller = higher */
    int core;             /* -1 = unassigned */
} an_task;

typedef struct an_taskset {
    an_task *t;
    size_t n;
} an_taskset;

/* Kernel overheads charged per job (ns): a context switch in and out, one
 * scheduler invocation, and the given interrupt and invocation costs. */
typedef struct an_overheads {
    uint64_t ctx_switch;
    uint64_t sched;
    uint64_t irq;
    uint64_t invocation;
} an_overheads;

/* The verdict for one task. */
typedef struct an_result {
    bool schedulable;
    uint64_t wcrt;        /* ns; valid when schedulable (or the value that exceeded the deadline) */
} an_result;
