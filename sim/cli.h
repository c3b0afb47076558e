/* sim/cli.h: the `cossim` command line (verbs run, scenarios, bench,
 * version, help, and those the other layers add through simcli_app). */
#pragma once

/* Exit codes: 0 success, 1 a failure of the run itself (e.g. the trace could
 * not be written), 2 bad input (options, scenario errors). */
#define SIMCLI_EXIT_FAIL 1
#define SIMCLI_EXIT_USAGE 2

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

/* The folder of bundled scenarios (COSSIM_SCENARIOS, else the source tree,
 * else the installed copy). */
const char *simcli_scenario_dir(void);
