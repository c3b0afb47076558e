/* sim/cli.h: the `cossim` command line (verbs run, scenarios, bench,
 * version, help, and those the other layers add through simcli_app). */
#pragma once

/* Exit codes: 0 success, 1 a failure of the run itself (e.g. the trace could
 * not be written), 2 bad input (options, scenario errors). */
#define SIMCLI_EXIT_FAIL 1
#define SIMCLI_EXIT_USAGE 2

/* The host budgets of `cossim run` (sim/budget.h), --timeout SECONDS and
 * --memory MIB: generous for any shipped scenario (the slowest takes
 * seconds and tens of MiB), yet a hostile one cannot keep a class's machine
 * or a CI runner busy for hours or make it swap.  A user raises them, or
 * turns them off with 0. */
#define SIMCLI_DEFAULT_TIMEOUT 600
#define SIMCLI_DEFAULT_MEMORY 2048
/* Seconds after the budget at which an alarm ends a run stuck in C code
 * that never polls the budget (a pathological pattern match). */
#define SIMCLI_ALARM_GRACE 5

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/* What the layers above the engine add to the command: verbs (`machines`,
 * later `analyze`, `plot` ...) and parts of `cossim bench`.  The
 * executable's main() (cossim.c, the one file that sees every layer) passes
 * them in, so that sim/ never includes the layers above it. */
typedef struct simcli_verb {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);   /* argv[0] is the verb */
} simcli_verb;

typedef struct simcli_bench {
    const char *name;
    /* Run at `scale`; append human lines to text (each ending in a newline)
     * and JSON members (`"key":value`, comma-separated, no braces) to json. */
    bool (*run)(double scale, GString *text, GString *json, GError **error);
} simcli_bench;

typedef struct simlua_lib simlua_lib;

typedef struct simcli_app {
    const simcli_verb *verbs;
    size_t nverbs;
    const simcli_bench *benches;
    size_t nbenches;
    const simlua_lib *libs;         /* what scenarios see beyond `sim` */
    size_t nlibs;
} simcli_app;

int simcli_main(int argc, char **argv, const simcli_app *app);

/* End the process (exit 2, a line on stderr naming the verb) after
 * `seconds` of host time: the backstop of a verb's host-time budget, for C
 * code that never returns to a poll of it.  0 cancels it. */
void simcli_watchdog(const char *verb, unsigned seconds);

/* The folder of bundled scenarios (COSSIM_SCENARIOS, else the source tree,
 * else the installed copy). */
const char *simcli_scenario_dir(void);
/* Clear `cossim run`'s progress line on the terminal if it is shown, so
 * that other output (the script's print, a warning) starts on a clean line. */
void simcli_progress_clear(void);

/* The file of a scenario named on the command line: a path, or the name of
 * a bundled scenario ("quickstart", "labs/ipc"); NULL if there is none. */
char *simcli_find_scenario(const char *arg);
