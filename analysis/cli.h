/* analysis/cli.h: `cossim analyze`. */
#pragma once

/* cossim analyze --taskset FILE [--policy fp|edf] [--assign dm|rm|audsley]
 *                [--cores N --partition ff|bf|wf|ffd|bfd|wfd] [--json]
 * Exit 0 when the set is schedulable, 1 when not, 2 on bad input. */
int an_cli_analyze(int argc, char **argv);
