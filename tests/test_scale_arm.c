/* tests/test_scale_arm.c: machines past 8 cores on ARM (the GICv3,
 * model/irq_gic.c) and machines split into sockets (model/mem.h), booting
 * whole systems through the cossim command (suite: scenario).  argv: the
 * cossim binary.  The scripts are written here, not shipped in scenarios/,
 * so that no bundled scenario's digest moves (tests/data/digests.txt). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* One system over every core: on each core k a task t<k> (priority 2,
 * period 1 ms, 12,000 cycles a job); on core 0 a task tx (priority 1,
 * period 1 ms) whose job sends to rx<k> on every other core k, each of
 * which (priority 1, period 1 ms) waits for its send and computes 1,000
 * cycles.  A send to another core goes through the cross-core ring and
 * raises the receiver's IPI (kernel/xcore.c), which is the only way rx<k>
 * wakes: so rx<k> completing its jobs means IPIs reached core k.  And an
 * interrupt thread on the last core for a device line (40: a GIC SPI, its
 * target set to that core by affinity; an x86 vector) firing every 1 ms. */
#define SYSTEM(preset, cores, extra)                                                                     \
    "local m = machine{ preset = '" preset "', cores = " #cores extra " }\n"                             \
    "local sys = system{ machine = m, policy = 'fp' }\n"                                                 \
    "local sends = {}\n"                                                                                 \
    "for k = 1, " #cores " - 1 do sends[k] = {'send', 'rx' .. k} end\n"                                  \
    "sys:task{ name = 'tx', core = 0, priority = 1, period = '1ms', body = sends }\n"                    \
    "for k = 1, " #cores " - 1 do\n"                                                                     \
    "  sys:task{ name = 'rx' .. k, core = k, priority = 1, period = '1ms',\n"                            \
    "            body = { {'recv'}, {'compute', 1000} } }\n"                                             \
    "end\n"                                                                                              \
    "for k = 0, " #cores " - 1 do\n"                                                                     \
    "  sys:task{ name = 't' .. k, core = k, priority = 2, period = '1ms', body = { {'compute', 12000} } }\n" \
    "end\n"                                                                                              \
    "sys:irq{ name = 'q', line = 40, core = " #cores " - 1, priority = 1, work = 1000 }\n"                 \
    "m:device{ line = 40, core = " #cores " - 1, periodic = '1ms' }\n"                                     \
    "sys:run('10ms')\n"                                                                                  \
    "local r = sys:results()\n"                                                                          \
    "local out = { rx_min = math.huge, rx_max = 0, t_min = math.huge, t_max = 0, missed = 0, used = 0 }\n" \
    "for _, t in ipairs(r.tasks) do\n"                                                                   \
    "  out.missed = out.missed + t.missed\n"                                                             \
    "  if t.name:match('^rx') then\n"                                                                    \
    "    out.rx_min = math.min(out.rx_min, t.jobs); out.rx_max = math.max(out.rx_max, t.jobs)\n"         \
    "  elseif t.name:match('^t%d') then\n"                                                               \
    "    out.t_min = math.min(out.t_min, t.jobs); out.t_max = math.max(out.t_max, t.jobs)\n"             \
    "  else out.tx = t.jobs end\n"                                                                       \
    "end\n"                                                                                              \
    "for _, c in ipairs(r.cores) do\n"                                                                   \
    "  if c.dispatches + c.ul_dispatches > 0 then out.used = out.used + 1 end\n"                         \
    "end\n"                                                                                              \
    "out.ipis = sys:kernel():stats().ipis\n"                                                             \
    "out.irq = r.irqs[1].handled\n"                                                                      \
    "out.end_ms = sim.now() // sim.ms(1)\n"                                                              \
    "out.sockets = m:info().sockets\n"                                                                   \
    "return out\n"

/* By hand, for C cores over 10 ms (releases at 0, 1, ..., 9 ms): tx's job
 * is C - 1 sends of a few microseconds of kernel work each, well inside
 * its 1 ms, so every rx<k> gets its send each period and completes 10
 * jobs, t<k> (10 us a job on the 1.2 GHz cortex-a53, 3.75 us on the
 * 3.2 GHz x86_64) 10 jobs, tx 10 jobs, none missed, every core's
 * scheduler dispatching; at least 10 (C - 1) IPIs (one a send to another
 * core; the boot sends some more); the device, firing every 1 ms from
 * 1 ms of simulated time (which runs from before the system is built,
 * tests/test_scale.c), handled at least for the 9 whole milliseconds after
 * the start and at most once a millisecond of the whole run. */
static void expect_system(const char *script, double cores)
{
    char *dir = tmpdir();
    result r = run_script_json(dir, "system.lua", script);
    in_band("rx jobs min", JP(r.out, "rx_min"), 10, 10);
    in_band("rx jobs max", JP(r.out, "rx_max"), 10, 10);
    in_band("t jobs min", JP(r.out, "t_min"), 10, 10);
    in_band("t jobs max", JP(r.out, "t_max"), 10, 10);
    in_band("tx jobs", JP(r.out, "tx"), 10, 10);
    in_band("missed", JP(r.out, "missed"), 0, 0);
    in_band("cores used", JP(r.out, "used"), cores, cores);
    in_band("ipis", JP(r.out, "ipis"), 10 * (cores - 1), 1e9);
    in_band("irq handled", JP(r.out, "irq"), 9, JP(r.out, "end_ms"));
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* A 64-core cortex-a53 with a GICv3: 630 sends, one to each of cores
 * 1-63 every millisecond, each taken by its core. */
static void test_64_cores_gicv3(void **state)
{
    (void)state;
    expect_system(SYSTEM("cortex-a53", 64, ", irq = { controller = 'gicv3' }"), 64);
}

/* Speck's machine: 4 sockets of 10 cores (x86_64, an L3 per socket). */
static void test_40_cores_4_sockets(void **state)
{
    (void)state;
    expect_system(SYSTEM("x86_64", 40, ", sockets = 4"), 40);
}

/* 16 cores in 4 clusters of 4, an L2 per cluster, a GICv3. */
static void test_16_cores_4_clusters(void **state)
{
    (void)state;
    expect_system(SYSTEM("cortex-a53", 16, ", sockets = 4, irq = { controller = 'gicv3' }"), 16);
}

/* A GICv2 has 8 CPU interfaces: 9 cores on the cortex-a53's GIC-400 is
 * an error at the line that asked, naming the way out. */
static void test_gicv2_limit(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "nine.lua", NULL);
    assert_true(g_file_set_contents(path, "local x = 1\nlocal m = machine{ preset = 'cortex-a53', cores = 9 }\n", -1,
                                    NULL));
    result r = run_in(dir, cossim, "run", "nine.lua", "--trace", "none", NULL);
    assert_int_not_equal(r.status, 0);
    if (strstr(r.err, "nine.lua:2:") == NULL || strstr(r.err, "controller = \"gicv3\"") == NULL)
        fail_msg("unexpected error: %s", r.err);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_64_cores_gicv3),
        cmocka_unit_test(test_40_cores_4_sockets),
        cmocka_unit_test(test_16_cores_4_clusters),
        cmocka_unit_test(test_gicv2_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
