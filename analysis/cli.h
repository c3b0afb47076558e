/* analysis/cli.h: `cossim analyze`, the verb with three jobs: a run's trace
 * (cli.c), random task sets (--sweep, cli.c, sweep.h) and one task set
 * (--taskset, cli_taskset.h). */
#pragma once

/* cossim analyze TRACE.db [--json] [--jobs FILE]
 *   exit 0, or 2 when the file is not a trace;
 * cossim analyze --sweep [--tasks N --sets N --from U --to U --step U
 *                         --deadlines implicit|constrained --seed N --csv FILE]
 *   exit 0, or 2 on a bad option;
 * cossim analyze --taskset FILE [--policy fp|edf] [--assign dm|rm|audsley]
 *                [--cores N --partition ff|bf|wf|ffd|bfd|wfd] [--json]
 *   exit 0 when the set is schedulable, 1 when not, 2 on bad input. */
int an_cli_analyze(int argc, char **argv);
