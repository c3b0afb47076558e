/* analysis/plan.h: `cossim sweep`: the plan of a parameter sweep, and its
 * hand-off to an engine that runs it (docs/sweeps.md).
 *
 *   cossim sweep SCENARIO --param k=v1,v2,... [--param ...] [--seeds N]
 *                --plan PLAN [--dir DIR] [--run local -j N | --run slurm [--wait]]
 *
 * The plan is the cross product of the parameters' values and the seeds
 * 1..N (the first parameter outermost, the seed innermost), one shell
 * command per line: run r (from 0) is line r + 1, writes DIR/run-NNNN.db
 * with its summary (--json) in DIR/run-NNNN.json and its messages in
 * DIR/run-NNNN.log.  Every word of a line is quoted for /bin/sh (plan.c,
 * an_plan_quote): a value is text, never shell syntax; a value holding a
 * control character (a newline would split the line) is refused.  The
 * manifest, DIR/manifest.csv, has a row per run: run, seed, scenario,
 * trace, then a column per parameter.
 *
 * cossim runs nothing itself: GNU parallel runs the plan (plan_run.c), or a
 * Slurm job array whose task i runs line i + 1.  Exit 0 when every run
 * succeeded, 1 when some failed (named, with how to resume), 2 on bad input.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

int an_cli_sweep(int argc, char **argv);

typedef struct an_plan_param {
    char *key;
    GPtrArray *values;          /* char *, in the order given */
} an_plan_param;

typedef struct an_plan {
    char *cossim;               /* absolute path of the binary the plan runs */
    char *scenario;             /* absolute path of the scenario */
    char *dir;                  /* absolute path of the runs' folder */
    GArray *params;             /* an_plan_param, in the order given */
    uint64_t seeds;             /* seeds 1..seeds */
    char *trace_level;          /* each run's --trace-level, NULL: the default (all) */
    uint64_t nruns;
} an_plan;

void an_plan_init(an_plan *p);
void an_plan_clear(an_plan *p);

/* Add "--param KEY=V1,V2,..." (a comma inside a value is written \, and a
 * backslash \\); false, with the reason, on a bad key, a repeated key or
 * value, or a control character. */
bool an_plan_add_param(an_plan *p, const char *spec, GError **error);

/* Run r's seed and the index of each parameter's value (idx: nparams). */
void an_plan_point(const an_plan *p, uint64_t r, uint64_t *seed, size_t *idx);

/* Append s to out as one word for /bin/sh: as it is when it holds only
 * [A-Za-z0-9_./:=@%+,-] (and is not empty), else in single quotes, each
 * quote written '\''. */
void an_plan_quote(GString *out, const char *s);

/* The plan's text (a line per run) and the manifest's (CSV, with header). */
void an_plan_text(const an_plan *p, GString *out);
void an_plan_manifest(const an_plan *p, GString *out);

/* DIR/run-NNNN plus suffix, for run r. */
char *an_plan_run_path(const an_plan *p, uint64_t r, const char *suffix);
