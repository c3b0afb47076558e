/* analysis/trace.h: what a run's trace says about its tasks and cores
 * (`cossim analyze TRACE.db`).
 *
 * Reads the trace database (docs/trace-schema.md): per task, from the
 * `tasks` and `jobs` tables, the completed jobs, deadline misses, best,
 * mean and worst response time, the response jitter (worst - best) and the
 * worst release-to-start delay; per core, from the last `counters` row of
 * each core, the cycles charged in kernel and user mode and the interrupts
 * taken.  Figures are in picoseconds (tasks) and the core's cycles.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct an_trace_task {
    char *name;
    int64_t task, core, priority;
    char *policy;
    int64_t period_ps, deadline_ps;
    int64_t jobs, missed;
    int64_t best_ps, worst_ps, start_max_ps;   /* 0 when it finished no job */
    double mean_ps;
} an_trace_task;

typedef struct an_trace_core {
    int64_t core, kernel_cycles, user_cycles, interrupts;
} an_trace_core;

typedef struct an_trace_report {
    char *scenario;
    int64_t end_ps;
    GArray *tasks;      /* an_trace_task, by task number */
    GArray *cores;      /* an_trace_core, by core */
} an_trace_report;

/* Read path (a finished trace).  False, with the reason, if it is not a
 * readable cossim trace or lacks the tables. */
bool an_trace_read(const char *path, an_trace_report *out, GError **error);
void an_trace_clear(an_trace_report *r);
/* The report as a table (text) or as JSON: {"scenario", "end_ps",
 * "tasks": [{"name", "core", "jobs", "missed", "best_us", "mean_us",
 * "worst_us", "jitter_us", "start_max_us"}], "cores": [...]}. */
void an_trace_print(const an_trace_report *r, GString *out);
void an_trace_json(const an_trace_report *r, GString *out);
