/* tests/test_scenarios_papers.c: the papers' machines (model/presets/
 * i7-8700, xeon-e7-4850, pentium4, zynq7000, stm32f767) booted by the cossim
 * command and running the IPC benchmark (suite: scenario).  No published
 * IPC, switch or cross-core figure is checked: what is checked comes from
 * the parts' documents (core counts, sockets, clocks) or from hand
 * calculation over the preset's figures, or is an ordering argued below.
 * argv: the cossim binary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* Each preset boots as the part it names.  Independent figures: Intel ARK
 * (i7-8700: 6 cores, 3.2 GHz base; Xeon E7-4850: 10 cores, 2.0 GHz, up to 4
 * sockets), Xilinx UG585 3.1.1 (two Cortex-A9 at 667 MHz, -1 grade), ST
 * RM0410 (one Cortex-M7, 216 MHz), the Northwood Pentium 4 2.4B (one core,
 * 2.4 GHz, 32-bit x86).  The old names are the same machines. */
static void test_boot(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "info.lua", NULL);
    const char *lua =
        "for _, p in ipairs({ 'i7-8700', 'xeon-e7-4850', 'pentium4', 'zynq7000', 'stm32f767', 'cortex-a9', 'cortex-m7' }) do\n"
        "  local i = machine{ preset = p }:info()\n"
        "  print(string.format('%s %s %d %d %d', i.name, i.arch, i.cores, i.sockets, i.frequency_hz))\n"
        "end\n";
    assert_true(g_file_set_contents(path, lua, -1, NULL));
    result r = run_in(dir, cossim, "run", path, "--trace", "none", NULL);
    expect_status(&r, 0);
    static const char *const want[] = {
        "i7-8700 x86_64 6 1 3200000000\n", "xeon-e7-4850 x86_64 40 4 2000000000\n",
        "pentium4 i386 1 1 2400000000\n", "zynq7000 armv7-a 2 1 667000000\n",
        "stm32f767 armv7e-m 1 1 216000000\n", "cortex-a9 armv7-a 2 1 667000000\n",
        "cortex-m7 armv7e-m 1 1 216000000\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
        if (!strstr(r.out, want[i]))
            fail_msg("missing '%s' in:\n%s", want[i], r.out);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The IPC benchmark on each.  Hand calculations of the `arch` part (a
 * round trip is two system calls, each an entry and an exit, and two
 * address-space switches; the figures are the presets'):
 *   i7-8700       2 x (76 + 40) + 2 x 150 = 532
 *   xeon-e7-4850  2 x (70 + 45) + 2 x 200 = 630
 *   pentium4      2 x (150 + 100) + 2 x 100 = 700
 *   zynq7000      2 x (15 + 15) + 2 x 140 = 340
 * (stm32f767 switches MPU regions instead; not summed here.)  On every
 * machine the invocation is cheaper than the IPC and cold costs more than
 * warm (the reasons are test_scenarios.c's).
 * Ordering, pentium4 above i7-8700 warm: both run the same two kernel
 * paths; the Pentium 4 runs their i386 build, which executes at least as
 * many instructions as the x86-64 build (kernel/path_counts.h: eight
 * general registers against sixteen, so more spills), at a NetBurst cpi
 * no lower than a Skylake core's, and without PCIDs its CR3 writes flush
 * the TLB: nothing on it is cheaper.  The check is the order, not a size. */
static void test_ipc_roundtrip(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "ipc-roundtrip", "--set",
                      "presets=i7-8700,xeon-e7-4850,pentium4,zynq7000,stm32f767", "--set", "iterations=50",
                      "--set", "warmup=5", "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    static const struct { const char *p; double arch; } m[] = {
        { "i7-8700", 532 }, { "xeon-e7-4850", 630 }, { "pentium4", 700 }, { "zynq7000", 340 }, { "stm32f767", -1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(m); i++) {
        const char *p = m[i].p;
        double s = JP(r.out, "report", p, "sinv", "warm", "median"), c = JP(r.out, "report", p, "ipc", "warm", "median");
        if (!(s > 0 && s < c))
            fail_msg("%s: invocation %.0f, IPC %.0f", p, s, c);
        if (!(JP(r.out, "report", p, "sinv", "cold", "median") > s) || !(JP(r.out, "report", p, "ipc", "cold", "median") > c))
            fail_msg("%s: cold not above warm", p);
        double a = JP(r.out, "report", p, "sinv", "parts", "arch");
        if (m[i].arch >= 0 && a != m[i].arch)
            fail_msg("%s: arch part %.0f, by hand %.0f", p, a, m[i].arch);
    }
    double p4 = JP(r.out, "report", "pentium4", "sinv", "warm", "median");
    double i7 = JP(r.out, "report", "i7-8700", "sinv", "warm", "median");
    if (!(p4 > i7))
        fail_msg("pentium4 warm invocation %.0f not above i7-8700's %.0f", p4, i7);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot),
        cmocka_unit_test(test_ipc_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
