/* analysis/trace.h: what a run's trace says about its tasks and cores
 * (`cossim analyze TRACE.db`, and the reader behind `cossim plot` and
 * `cossim check`).
 *
 * Reads the trace database (docs/trace-schema.md):
 *   - per task, from `tasks` and `jobs`: completed jobs, deadline misses,
 *     best, mean and worst response, response jitter (worst - best) and
 *     the worst release-to-start delay;
 *   - the timeline: each core's `k.switch` events cut its time into
 *     stretches, each run by one thread (or idle).  A switch event carries
 *     the core's kernel-mode cycles and its user accesses' cross-core
 *     cycles so far (a1, a2), so each stretch splits into kernel time,
 *     cross-core time and the rest;
 *   - per core: utilisation, and the time spent idle, in tasks, in the
 *     user-level schedulers, in interrupt threads and interrupt paths, in
 *     the kernel, and in other threads;
 *   - per job, its response time split into the parts of an_bd (below),
 *     which add up to the response time exactly;
 *   - per task, two analytic bounds on its response time (fixed-priority
 *     RTA, or the EDF demand test) beside the observed worst case: the
 *     observed-input bound (C and B as the run observed them: it holds for
 *     the phasings the run saw) and the safe bound (C and B from the
 *     declared bodies, `task_demand`: docs/analysis.md); both charge the
 *     overheads measured in the trace;
 *   - the longest synchronous invocation (k.sinv to its k.sret) per server
 *     component, and the kernel paths' statistics (`kernel_paths`).
 *
 * A trace written at a lower level (`--trace-level`, docs/trace-schema.md)
 * lacks events: at `kernel` the components' (scheduler decisions, lock
 * waits, interrupt threads), at `jobs` the kernel's too.  Then what needs
 * them is left out and the report says so (an_trace_level_note): no bound
 * (its overheads, execution times and blocking are measured from events),
 * and at `jobs` no timeline, breakdown or invocations either.
 *
 * Times are picoseconds; cycles are the core's own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "sim/trace.h"

/* The parts of a response time (release to finish).  Every picosecond of
 * the window on the job's core falls in exactly one part. */
typedef enum an_bd {
    AN_BD_OWN,      /* the job's thread ran (user mode, and invocations it made into servers) */
    AN_BD_CROSS,    /* ... of which cycles its accesses spent because of other cores (bus waits
                       behind their transfers, lines taken from their caches, invalidating their copies,
                       misses on lines they evicted from a shared cache) */
    AN_BD_PREEMPT,  /* higher-priority tasks ran (per task in an_trace_job.preempt) */
    AN_BD_IRQ,      /* interrupt threads ran, and the kernel's interrupt paths (count x mean cost) */
    AN_BD_KERNEL,   /* other kernel time: system calls, switches (in any stretch of the window) */
    AN_BD_SCHED,    /* the user-level schedulers ran */
    AN_BD_LOCK,     /* the job waited for a lock (what ran meanwhile, unless a higher-priority task) */
    AN_BD_LOWER,    /* lower- or equal-priority tasks ran while it was pending, outside lock waits */
    AN_BD_OTHER,    /* other threads ran (servers' own threads, the booter, managers) */
    AN_BD_IDLE,     /* the core was idle: the job was not ready (release jitter, sleeps, waits) */
    AN_BD_N
} an_bd;
const char *an_bd_name(an_bd b);

typedef struct an_trace_job {
    int64_t task, job, core, thread;
    int64_t release_ps, start_ps, finish_ps, deadline_ps, response_ps;
    bool missed;
    int64_t bd[AN_BD_N];        /* ps; sum = response_ps */
    int64_t *preempt;           /* ps per task (ntasks), NULL if no preemption; sums to bd[AN_BD_PREEMPT] */
} an_trace_job;

typedef struct an_trace_task {
    char *name;
    int64_t task, core, priority;
    char *policy;
    int64_t period_ps, deadline_ps, jitter_ps, budget_ps;
    int64_t wcet_cycles;        /* -1: not declared */
    bool grouped;               /* scheduled by a group's child scheduler */
    int64_t jobs, missed;
    int64_t best_ps, worst_ps, start_max_ps;   /* 0 when it finished no job */
    double mean_ps;
    /* breakdown: mean over its jobs, and the worst job's (worst_job: index in jobs, -1 none) */
    double bd_mean[AN_BD_N];
    double *preempt_mean;       /* per task */
    int64_t worst_job;
    int64_t own_max_ps;         /* longest own execution (own + cross + its own kernel time) of a job */
    int64_t lock_max_ps;        /* longest lock blocking of a job */
    int64_t susp_max_ps;        /* longest time a started job was neither running nor preempted nor blocked on a lock */
    /* the observed-input analytic bound (bound_observed) */
    bool has_bound;             /* false: no analysis applies (see bound_note) */
    bool bound_ok;              /* the analysis found the set schedulable for this task */
    int64_t bound_ps;           /* the bound (fp: the RTA's WCRT; edf: the deadline) */
    int64_t c_ps, b_ps;         /* the execution time and blocking the analysis used */
    char *bound_note;           /* how the bound was found, or why there is none */
    /* the declared demand (task_demand's whole-job row; cycles -1: none, see demand_note) */
    int64_t demand_cycles, demand_invocations;
    char *demand_note;
    /* the safe bound (bound_safe): the same fields, from the declared demand */
    bool has_safe, safe_ok;
    int64_t safe_ps, safe_c_ps, safe_b_ps;
    char *safe_note;
} an_trace_task;

/* A task's longest declared critical section on a lock (task_demand's rows
 * with a lock). */
typedef struct an_trace_section {
    int64_t task;
    char *lock, *protocol;      /* protocol: pi, ceiling or none */
    int64_t ceiling;            /* the highest priority of the lock's users (smallest number) */
    int64_t cycles;             /* -1: not declared (note) */
    int64_t invocations;
    char *note;
} an_trace_section;

typedef struct an_trace_core {
    int64_t core, kernel_cycles, user_cycles, interrupts, cross_cycles, freq_hz;
    /* of cross_cycles: user accesses' (the breakdown's cross_core), and
     * misses on lines other cores evicted from a shared cache (any mode) */
    int64_t user_cross_cycles, evict_misses, evict_cycles;
    /* the timeline, ps */
    int64_t idle_ps, task_ps, sched_ps, irq_ps, kernel_ps, other_ps;
    int64_t irq_thread_ps;      /* of irq_ps, in interrupt threads */
    double utilisation;         /* 1 - idle / end */
} an_trace_core;

/* One stretch of a core's time run by one thread. */
typedef struct an_trace_seg {
    int64_t start_ps, end_ps;
    int64_t thread;             /* 0: idle; -1: the boot (before the core's first switch) */
    int64_t kernel_cycles, cross_cycles;
    int32_t core;
    int32_t task;               /* the task whose thread it is, -1 none */
} an_trace_seg;

typedef struct an_trace_inv {
    int64_t first_core;         /* the machine: its first core */
    int64_t component, n, max_ps;
    double mean_ps;
} an_trace_inv;

typedef struct an_trace_path {
    int64_t first_core;
    char *path;
    int64_t n, cycles, max_cycles;
} an_trace_path;

/* Measured overheads the bound charges (ps). */
typedef struct an_trace_overheads {
    int64_t ctx_switch;         /* the longest thd_switch kernel path */
    int64_t sched;              /* the longest stretch of a user-level scheduler */
    int64_t irq;                /* the longest irq kernel path plus the longest scheduler stretch */
} an_trace_overheads;

typedef struct an_trace_report {
    char *scenario;
    int64_t end_ps;
    GArray *tasks;              /* an_trace_task, by task number */
    GArray *cores;              /* an_trace_core, by core */
    GArray *jobs;               /* an_trace_job, in finishing order */
    GArray *segs;               /* an_trace_seg, by core then time (with opts.segments) */
    GArray *invocations;        /* an_trace_inv, by component */
    GArray *paths;              /* an_trace_path, as written */
    GArray *sections;           /* an_trace_section, as written (empty for a trace without task_demand) */
    an_trace_overheads oh;
    int64_t bound_exceeded;     /* tasks whose observed worst response is above their observed-input bound */
    int64_t safe_exceeded;      /* ... above their safe bound */
    bool has_demand;            /* the trace has the task_demand table */
    bool has_timeline;          /* the trace has switch events with cycle stamps */
    simtr_level level;          /* what the trace kept (its trace_level table; all without one) */
} an_trace_report;

typedef struct an_trace_opts {
    bool segments;              /* keep the timeline (for the Gantt chart) */
} an_trace_opts;

/* Read path (a finished trace).  False, with the reason, if it is not a
 * readable cossim trace or lacks the tables.  opts may be NULL. */
bool an_trace_read(const char *path, const an_trace_opts *opts, an_trace_report *out, GError **error);
void an_trace_clear(an_trace_report *r);
/* What a trace of this level lacks for the report, one sentence; NULL at
 * SIMTR_LEVEL_ALL. */
const char *an_trace_level_note(simtr_level level);
/* The report as tables (text), as JSON (docs/analysis.md), and the jobs'
 * breakdowns as CSV (one row per job). */
void an_trace_print(const an_trace_report *r, GString *out);
void an_trace_json(const an_trace_report *r, GString *out);
void an_trace_jobs_csv(const an_trace_report *r, GString *out);
