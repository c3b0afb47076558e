/* tests/test_scenarios_m33.c: whole systems on the cortex-m33 preset (an
 * STM32L552, ARMv8-M with the PMSAv8 MPU), through the cossim command
 * (suite: scenario).  argv: the cossim binary.  The preset's figures and
 * its MPU under the kernel are in tests/test_machine_m33.c.
 *
 * The scripts are written here, not shipped in scenarios/, so that no
 * bundled scenario's digest moves (tests/data/digests.txt). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* A composed system and a misbehaving component on this preset are in
 * tests/test_scenarios.c (test_mpu_memory, test_isolation), beside the
 * other MPU machines. */

/* The IPC benchmark image (booter ipc-bench, scenarios/ipc-roundtrip.lua
 * with presets=cortex-m33) runs to the end.  The cost-table part of a warm
 * round trip by hand, for either path: two system calls (SVC entry 12 +
 * exception return 10 cycles each, the preset's provisional figures) and
 * two protection-domain switches, each rewriting the one region in which
 * the client's and the server's one-page layouts differ (mpu_region_write
 * 4): 2 x (12 + 10) + 2 x 4 = 52 cycles.  As on every machine, the
 * invocation is cheaper than the IPC (same switches, fewer instructions
 * and lines); with no cache, cold costs what warm does. */
static void test_ipc_bench(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "ipc-roundtrip", "--set", "presets=cortex-m33", "--set", "iterations=100",
                      "--set", "warmup=10", "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    double s = JP(r.out, "cortex-m33", "sinv", "warm", "median"), c = JP(r.out, "cortex-m33", "ipc", "warm", "median");
    if (!(s > 52 && s < c))
        fail_msg("sinv %.0f, ipc %.0f cycles: expected 52 < sinv < ipc", s, c);
    in_band("sinv n", JP(r.out, "cortex-m33", "sinv", "warm", "n"), 100, 100);
    in_band("sinv arch", JP(r.out, "cortex-m33", "sinv", "parts", "arch"), 52, 52);
    in_band("ipc arch", JP(r.out, "cortex-m33", "ipc", "parts", "arch"), 52, 52);
    in_band("sinv cold", JP(r.out, "cortex-m33", "sinv", "cold", "median"), s, s);
    in_band("ipc cold", JP(r.out, "cortex-m33", "ipc", "cold", "median"), c, c);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipc_bench),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
