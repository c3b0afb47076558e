/* tests/test_rtos_lua.c: the `rtos` table through the cossim command (suite:
 * scenario).  argv: the cossim binary.
 *
 * Mistakes in rtos.bench{} are errors that name the key, with the
 * script's file and line and exit status 2; two runs of one benchmark give
 * the same samples (and digest); and the benchmarks' figures keep the
 * order their paths' parts give by hand (compare/rtos/port.c's listings):
 * the MPU adds to each (SVC entries and exits, CONTROL, four region writes
 * a switch), and a message, which is a send, a switch and a receive, costs
 * more than the switch's one-way half.
 *
 * The scripts are written here, not shipped in scenarios/, so that no
 * bundled scenario's digest moves (tests/data/digests.txt). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* a script's mistake, in a folder of its own */
static void expect_error(const char *script, const char *want)
{
    char *dir = tmpdir();
    expect_script_error(dir, script, want);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    expect_error("rtos.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'switch', round = 5 }\n",
                 "rtos.bench: unknown key 'round'");
    expect_error("rtos.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'ping' }\n",
                 "measure must be one of");
    expect_error("rtos.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'msg', size = 6 }\n",
                 "size must be a multiple of 4");
    expect_error("rtos.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'irq', rounds = 0 }\n",
                 "rounds must be from 1");
    expect_error("rtos.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'irq', mpu = 1 }\n",
                 "mpu must be true or false");
    expect_error("rtos.bench{ measure = 'irq' }\n", "give the machine");
    expect_error("rtos.bench{ machine = machine{ preset = 'cortex-a9' }, measure = 'switch' }\n",
                 "runs on a Cortex-M machine");
}

static const char *const script =
    "local out = {}\n"
    "for _, mpu in ipairs{ false, true } do\n"
    "  for _, ms in ipairs{ 'switch', 'irq', 'msg' } do\n"
    "    local r = rtos.bench{ machine = machine{ preset = 'stm32f767' }, measure = ms, mpu = mpu, rounds = 50 }\n"
    "    out[ms .. (mpu and '_mpu' or '')] = { mean = r.mean, worst = r.worst, first = r.samples[1], n = r.n }\n"
    "  end\n"
    "end\n"
    "return out\n";

static void test_bench_order_and_determinism(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result a = run_script_json(dir, "b.lua", script), b = run_script_json(dir, "b.lua", script);
    /* the digest and the report (host time differs) */
    assert_non_null(strstr(a.out, "\"digest\""));
    assert_string_equal(strstr(a.out, "\"digest\""), strstr(b.out, "\"digest\""));
    const char *ms[] = { "switch", "irq", "msg" };
    for (int i = 0; i < 3; i++) {
        g_autofree char *m = g_strconcat(ms[i], "_mpu", NULL);
        double plain = JP(a.out, ms[i], "mean"), mpu = JP(a.out, m, "mean");
        in_band("n", JP(a.out, ms[i], "n"), 50, 50);
        if (!(plain > 0 && mpu > plain))
            fail_msg("%s: %.1f without the MPU, %.1f with: expected 0 < plain < mpu", ms[i], plain, mpu);
    }
    /* a message is a send, a switch and a receive: more than half a round
     * trip of switches */
    if (!(JP(a.out, "msg", "mean") > JP(a.out, "switch", "mean") / 2))
        fail_msg("msg %.1f <= switch/2 %.1f", JP(a.out, "msg", "mean"), JP(a.out, "switch", "mean") / 2);
    result_clear(&a);
    result_clear(&b);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_bench_order_and_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
