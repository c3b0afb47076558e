/* cossim.c: the cossim executable.  The one file that sees every layer: it
 * hands the command line (sim/cli.h) what the layers above the engine add,
 * so that no layer has to include one above it. */
#include "sim/cli.h"
#include "model/bench.h"
#include "model/machine.h"

static const simcli_verb verbs[] = {
    { "machines", "list the machine presets, or print one with its sources", model_cli_machines },
};

static const simcli_bench benches[] = {
    { "caches", hwbench_caches },
};

static const simcli_app app = {
    .verbs = verbs,
    .nverbs = G_N_ELEMENTS(verbs),
    .benches = benches,
    .nbenches = G_N_ELEMENTS(benches),
};

int main(int argc, char **argv)
{
    return simcli_main(argc, argv, &app);
}
