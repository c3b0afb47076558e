/* analysis/merged.h: what a results database of `cossim merge` says
 * (`cossim analyze OUT.db`, `cossim plot sweep OUT.db`; docs/sweeps.md).
 *
 *   - per run: its seed and parameters, its tasks, jobs and misses, and
 *     its worst response (and whose);
 *   - across runs, per swept parameter (a key with more than one value
 *     among the runs) and value, per task (by name): the runs, jobs and
 *     misses, the worst response over those runs and the mean of each
 *     run's worst; and the same over all runs.
 *
 * The database is untrusted input as a trace is: opened by simtr_open_read,
 * and a negative response or count is refused. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct an_merged_run {
    int64_t run, seed, tasks, jobs, missed, worst_ps;   /* worst_ps -1: no job */
    char *scenario, *digest, *source, *worst_task;
    GPtrArray *keys, *values;
} an_merged_run;

/* One task at one value of a parameter (or over all runs). */
typedef struct an_merged_cell {
    char *task;
    int64_t runs, jobs, missed, worst_ps;
    double mean_worst_ps;
} an_merged_cell;

typedef struct an_merged_value {
    char *value;                /* NULL: all runs */
    GArray *cells;              /* an_merged_cell, by task number in the first run */
} an_merged_value;

typedef struct an_merged_param {
    char *key;
    GArray *values;             /* an_merged_value, in order of the first run with each */
} an_merged_param;

typedef struct an_merged {
    GArray *runs;               /* an_merged_run, by run */
    GArray *swept;              /* an_merged_param */
    an_merged_value all;        /* every run together */
} an_merged;

/* Whether path is a results database (false for a trace, or unreadable). */
bool an_merged_is_file(const char *path);
bool an_merged_read(const char *path, an_merged *out, GError **error);
void an_merged_clear(an_merged *m);
void an_merged_print(const an_merged *m, GString *out);
void an_merged_json(const an_merged *m, GString *out);
/* The figure: each task's worst response against the values of `key`
 * (NULL: the one swept parameter); with data not NULL, the figure's points
 * as CSV there too (value,task,worst_ps,worst_us: what is drawn, for
 * another plotting tool or a check).  0, 1 (gnuplot failed) or 2. */
int an_merged_plot(const char *path, const char *key, const char *out, const char *data);
