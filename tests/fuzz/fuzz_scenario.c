/* tests/fuzz/fuzz_scenario.c: harness (a) of issue 19: the input is a
 * scenario script, run as `cossim run` runs one (sim/cli.c), with the whole
 * Lua surface (sim, machine, kernel, system) and every cap on: the
 * sandbox's memory and instruction limits (smaller than the command's,
 * so that an input costs at most about a second), a host-time budget, and
 * a simulated-time cap (--until).  No trace file: the trace is digested
 * only (simtr_open(NULL)), so nothing reaches the host's files.
 *
 * A script's error is an answer, not a finding; a finding is a crash, a
 * sanitizer report, a leak, or a hang past libFuzzer's -timeout (a C loop
 * that never polls the budget). */
#include "fuzz.h"

#include <glib.h>
#include "sim/budget.h"
#include "sim/cli.h"
#include "sim/lua.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "model/lua.h"
#include "kernel/lua.h"
#include "components/images.h"
#include "compose/compose.h"

#define FUZZ_LUA_MEMORY ((size_t)64 << 20)
#define FUZZ_LUA_INSTRUCTIONS UINT64_C(20000000)
#define FUZZ_HOST_SECONDS 5.0
#define FUZZ_UNTIL_PS UINT64_C(5000000000)     /* 5 ms of simulated time */

static int open_kernel(lua_State *L)
{
    return klua_open(L, cos_images, COS_IMAGES);
}

static const simlua_lib libs[] = {
    { "machine", hwlua_open },
    { "kernel", open_kernel },
    { "system", compose_open },
};

int cosfuzz_scenario(const uint8_t *data, size_t size)
{
    /* the script "lives" in the scenarios' folder, so that require finds
     * the shipped modules as a shipped scenario does */
    g_autofree char *path = g_build_filename(simcli_scenario_dir(), "fuzz-input.lua", NULL);
    g_autofree char *lib = g_build_filename(simcli_scenario_dir(), "lib", NULL);
    simbudget budget;
    simbudget_init(&budget, FUZZ_HOST_SECONDS, 0);
    sim *s = sim_new(1, simtr_open(NULL, NULL));
    s->budget = &budget;
    simlua_limits lim = { FUZZ_LUA_MEMORY, FUZZ_LUA_INSTRUCTIONS };
    GError *err = NULL;
    simlua *h = simlua_new(s, &lim, cosfuzz_null(), lib, libs, G_N_ELEMENTS(libs), &err);
    if (h == NULL)
        abort();    /* the host itself could not be made: not the input's doing */
    simlua_set_until(h, FUZZ_UNTIL_PS);
    bool ok = simlua_run(h, path, (const char *)data, size, &err);
    g_clear_error(&err);
    if (ok) {
        /* the end of a run as the command has it: the report, then the
         * trace's run row and digest */
        if (simlua_report(h) == NULL)   /* what the script returned, as JSON */
            abort();
        g_autofree char *machine = g_strdup(simlua_machine(h));
        simlua_free(h);
        h = NULL;
        simtr_run run = { .scenario = "fuzz-input.lua", .scenario_sha256 = "", .machine = machine, .seed = 1,
                          .has_until = true, .until_ps = FUZZ_UNTIL_PS, .end_ps = sim_now(s), .events = s->dispatched };
        char digest[SIMTR_DIGEST_HEX];
        if (!sim_finish(s, &run, digest, &err))
            g_clear_error(&err);
    }
    simlua_free(h);
    sim_free(s);
    return 0;
}
