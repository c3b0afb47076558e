/* sim/cli.h: the `cossim` command line (verbs run, scenarios, bench,
 * version, help).  Later folders add verbs (analyze, plot, check, sweep,
 * machines) through this table. */
#pragma once

/* Exit codes: 0 success, 1 a failure of the run itself (e.g. the trace could
 * not be written), 2 bad input (options, scenario errors). */
#define SIMCLI_EXIT_FAIL 1
#define SIMCLI_EXIT_USAGE 2

int simcli_main(int argc, char **argv);

/* The folder of bundled scenarios (COSSIM_SCENARIOS, else the source tree,
 * else the installed copy). */
const char *simcli_scenario_dir(void);
