/* cossim.c: the cossim executable.  The one file that sees every layer: it
 * hands the command line (sim/cli.h) what the layers above the engine add,
 * so that no layer has to include one above it. */
#include "sim/cli.h"
#include "analysis/check.h"
#include "analysis/cli.h"
#include "analysis/export.h"
#include "analysis/merge.h"
#include "analysis/plan.h"
#include "analysis/plot.h"
#include "model/bench.h"
#include "model/machine.h"
#include "model/lua.h"
#include "sim/lua.h"
#include "kernel/lua.h"
#include "compare/monolithic/lua.h"
#include "compare/rtos/lua.h"
#include "components/images.h"
#include "compose/compose.h"
#include "compose/vm.h"

static int open_kernel(lua_State *L)
{
    return klua_open(L, cos_images, COS_IMAGES);
}

static const simlua_lib libs[] = {
    { "machine", hwlua_open },
    { "kernel", open_kernel },
    { "monolithic", monolua_open },
    { "rtos", rtlua_open },
    { "system", compose_open },
    { "vm", compose_vm_open },
};

static const simcli_verb verbs[] = {
    { "machines", "list the machine presets, or print one with its sources", model_cli_machines },
    { "analyze", "a run's trace (TRACE.db) or a merge of many (MERGED.db), a task set (--taskset FILE) or random ones (--sweep)", an_cli_analyze },
    { "plot", "figures: gantt|response|breakdown|counters TRACE.db, schedulability RESULT.csv, sweep MERGED.db", an_cli_plot },
    { "check", "check a run's trace against timing bounds: TRACE.db BOUNDS.lua (exit 1 on a violation)", an_cli_check },
    { "export", "a run's trace for other tools: TRACE.db --format perfetto|litmus|ctf|schedcat [-o FILE]", an_cli_export },
    { "sweep", "a parameter sweep: SCENARIO --param K=V1,V2 [--seeds N] --plan PLAN [--run local|slurm]", an_cli_sweep },
    { "merge", "gather runs' traces into one results database: OUT.db RUN.db...", an_cli_merge },
};

static const simcli_bench benches[] = {
    { "caches", hwbench_caches },
};

static const simcli_app app = {
    .verbs = verbs,
    .nverbs = G_N_ELEMENTS(verbs),
    .benches = benches,
    .nbenches = G_N_ELEMENTS(benches),
    .libs = libs,
    .nlibs = G_N_ELEMENTS(libs),
};

int main(int argc, char **argv)
{
    return simcli_main(argc, argv, &app);
}
