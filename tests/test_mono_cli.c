/* tests/test_mono_cli.c: monolithic.bench{} through the command (the Lua
 * binding of compare/monolithic, docs/compare.md).
 *
 * 1. Mistakes in the call are errors at the script's line, exit 2, naming
 *    the key (or the machine's lack).
 * 2. The benchmark measures what it says.  Moving one preset figure by d
 *    moves each measurement by d times the number of times its sample
 *    pays that figure, counted by hand from the benchmark's design
 *    (compare/monolithic/bench.h):
 *    - switch (A -> B -> A): two sched_yield calls, 2 entries and 2 sysret
 *      exits;
 *    - ipc: the client's write and read, the server's write and read: 4
 *      entries; the client's write, the server's read returning, the
 *      server's write, the client's read returning: 4 exits;
 *    - xcore: the writer's entry (before its IPI is sent), the IPI's
 *      latency (500 ns more is 1,600 cycles at 3.2 GHz), the reader's
 *      return: 1 entry, 1 exit; the writer's own exit is off the path.
 *    None of the three sends an IPI but xcore.
 * 3. Two runs, one digest.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

static void test_bad_calls(void **state)
{
    (void)state;
    char *dir = tmpdir();
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'ipc', roundz = 3 }\n",
                 "roundz");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'pingpong' }\n", "measure");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'ipc', rounds = -1 }\n",
                 "rounds");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'ipc', rounds = 0 }\n",
                 "rounds");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'ipc', warmup = 1.5 }\n",
                 "warmup");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'ipc', warm = 1 }\n", "warm");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'ipc', check = 'yes' }\n",
                 "check");
    expect_script_error(dir, "monolithic.bench{ measure = 'ipc' }\n", "give the machine");
    /* the sensor's options: each out of range, named; and only for it */
    static const char *const sensor_bad[][2] = {
        { "stages = 0", "stages" }, { "stages = 9", "stages" }, { "bytes = 0", "bytes" },
        { "bytes = 4097", "bytes" }, { "yielders = 6", "yielders" }, { "period = 0", "period" }, { "period = 5", "period" }, { "period = '9us'", "period" },
        { "period = '-1ms'", "period" }, { "work = -1", "work" },
        { "work = 'lots'", "work" }, { "stages = 2.5", "stages" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sensor_bad); i++) {
        g_autofree char *text = g_strdup_printf(
            "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'sensor', %s }\n", sensor_bad[i][0]);
        expect_script_error(dir, text, sensor_bad[i][1]);
    }
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700'}, measure = 'ipc', yielders = 1 }\n",
                 "yielders");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='i7-8700', cores = 1}, measure = 'xcore' }\n",
                 "2 cores");
    expect_script_error(dir, "monolithic.bench{ machine = machine{preset='stm32f767'}, measure = 'switch' }\n", "no MMU");
    expect_script_error(dir,
                 "local m = machine{preset='i7-8700'}\n"
                 "monolithic.bench{ machine = m, measure = 'switch', rounds = 5 }\n"
                 "monolithic.bench{ machine = m, measure = 'ipc', rounds = 5 }\n",
                 "runs a kernel already");
    g_free(dir);
}

static const char LIN[] =
    "local p = sim.params{ entry = {0,'d'}, exit = {0,'d'}, ipi = {0,'ns'} }\n"
    "local pr = preset('i7-8700')\n"
    "local ov = { preset = 'i7-8700', costs = { syscall_entry = pr.costs.syscall_entry[1] + p.entry,\n"
    "                                            syscall_exit = pr.costs.syscall_exit[1] + p.exit } }\n"
    "if p.ipi ~= 0 then ov.irq = { ipi_latency = string.format('%dps', sim.time(pr.irq.ipi_latency[1]):ps() + p.ipi * 1000) } end\n"
    "local r = {}\n"
    "for _, m in ipairs{'switch', 'ipc', 'xcore'} do\n"
    "  local b = monolithic.bench{ machine = machine(ov), measure = m, rounds = 20, warmup = 10, check = true }\n"
    "  r[m] = b.mean\n"
    "  assert(b.stats.check_failures == 0, m .. ': the run-queue invariants broke')\n"
    "  r[m .. '_ipis'] = b.stats.ipis\n"
    "end\n"
    "return r\n";

typedef struct lin {
    double sw, ipc, xc, sw_ipis, ipc_ipis, xc_ipis;
} lin;

static lin run_lin(const char *dir, const char *set)
{
    result r = run_in(dir, cossim, "run", "lin.lua", "--trace", "none", "--json", "--set", set, NULL);
    expect_status(&r, 0);
    lin l = { JP(r.out, "report", "switch"), JP(r.out, "report", "ipc"), JP(r.out, "report", "xcore"),
              JP(r.out, "report", "switch_ipis"), JP(r.out, "report", "ipc_ipis"), JP(r.out, "report", "xcore_ipis") };
    result_clear(&r);
    return l;
}

static void expect_move(const char *what, double base, double moved, double by)
{
    if (fabs(moved - base - by) > 1e-6)
        fail_msg("%s moved by %.3f, expected %.0f (%.3f -> %.3f)", what, moved - base, by, base, moved);
}

static void test_figures_move_by_hand_counts(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "lin.lua", NULL);
    assert_true(g_file_set_contents(path, LIN, -1, NULL));
    lin b = run_lin(dir, "entry=0");
    /* 30 rounds each (20 + 10 warm-up), and the IPIs only cross cores:
     * one per round */
    assert_true(b.sw_ipis == 0 && b.ipc_ipis == 0 && b.xc_ipis == 30);
    /* the cross-core one way is at least the IPI's latency */
    assert_true(b.xc > 1600);
    lin e = run_lin(dir, "entry=7");
    expect_move("switch, syscall_entry +7", b.sw, e.sw, 2 * 7);
    expect_move("ipc, syscall_entry +7", b.ipc, e.ipc, 4 * 7);
    expect_move("xcore, syscall_entry +7", b.xc, e.xc, 1 * 7);
    lin x = run_lin(dir, "exit=5");
    expect_move("switch, syscall_exit +5", b.sw, x.sw, 2 * 5);
    expect_move("ipc, syscall_exit +5", b.ipc, x.ipc, 4 * 5);
    expect_move("xcore, syscall_exit +5", b.xc, x.xc, 1 * 5);
    lin i = run_lin(dir, "ipi=500");
    expect_move("switch, ipi_latency +500 ns", b.sw, i.sw, 0);
    expect_move("ipc, ipi_latency +500 ns", b.ipc, i.ipc, 0);
    expect_move("xcore, ipi_latency +500 ns", b.xc, i.xc, 1600);
    g_free(dir);
}

static void test_deterministic(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "lin.lua", NULL);
    assert_true(g_file_set_contents(path, LIN, -1, NULL));
    result a = run_in(dir, cossim, "run", "lin.lua", "--trace", "none", NULL);
    result b = run_in(dir, cossim, "run", "lin.lua", "--trace", "none", NULL);
    expect_status(&a, 0);
    expect_status(&b, 0);
    g_autofree char *da = digest_of(&a), *db = digest_of(&b);
    assert_string_equal(da, db);
    result_clear(&a);
    result_clear(&b);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_calls),
        cmocka_unit_test(test_figures_move_by_hand_counts),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
