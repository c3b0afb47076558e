/* tests/test_tsio.c: task-set files (analysis/tsio.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "analysis/tsio.h"

static char *write_tmp(const char *ext, const char *text)
{
    char *path = g_strdup_printf("/tmp/cossim-tsio-%d%s", (int)getpid(), ext);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static void test_csv(void **state)
{
    (void)state;
    g_autofree char *p = write_tmp(".csv",
        "# a comment\n"
        "name, period, wcet, deadline, priority, core, jitter, blocking\n"
        "a, 10ms, 1500us, , 3, 1, 100ns, 2\n"
        "b, 1000000, 250000, 800us, , , ,\n");
    an_taskset ts;
    an_overheads oh;
    GError *err = NULL;
    if (!an_tsio_read(p, &ts, &oh, &err))
        fail_msg("%s", err->message);
    assert_int_equal(ts.n, 2);
    assert_string_equal(ts.t[0].name, "a");
    assert_int_equal(ts.t[0].period, 10000000);        /* 10 ms in ns */
    assert_int_equal(ts.t[0].wcet, 1500000);
    assert_int_equal(ts.t[0].deadline, 10000000);      /* empty: the period */
    assert_int_equal(ts.t[0].priority, 3);
    assert_int_equal(ts.t[0].core, 1);
    assert_int_equal(ts.t[0].jitter, 100);
    assert_int_equal(ts.t[0].blocking, 2);             /* a bare number is ns */
    assert_int_equal(ts.t[1].deadline, 800000);
    assert_int_equal(ts.t[1].priority, -1);            /* unset */
    assert_int_equal(ts.t[1].core, -1);
    an_tsio_free(&ts);
    unlink(p);
}

static void test_lua(void **state)
{
    (void)state;
    g_autofree char *p = write_tmp(".lua",
        "return { overheads = { ctx_switch = '2us', irq = 500 },\n"
        "  tasks = { { name = 'x', period = '4ms', wcet = '1ms', priority = 0 },\n"
        "            { name = 'y', period = 6000000, wcet = '2ms', deadline = '5ms' } } }\n");
    an_taskset ts;
    an_overheads oh;
    GError *err = NULL;
    if (!an_tsio_read(p, &ts, &oh, &err))
        fail_msg("%s", err->message);
    assert_int_equal(ts.n, 2);
    assert_int_equal(oh.ctx_switch, 2000);
    assert_int_equal(oh.irq, 500);
    assert_int_equal(ts.t[1].period, 6000000);
    assert_int_equal(ts.t[1].deadline, 5000000);
    an_tsio_free(&ts);
    unlink(p);
}

static void expect_error(const char *ext, const char *text, const char *want)
{
    g_autofree char *p = write_tmp(ext, text);
    an_taskset ts;
    an_overheads oh;
    GError *err = NULL;
    if (an_tsio_read(p, &ts, &oh, &err))
        fail_msg("accepted:\n%s", text);
    if (strstr(err->message, want) == NULL)
        fail_msg("'%s' lacks '%s'", err->message, want);
    g_error_free(err);
    unlink(p);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error(".csv", "name, period, wcet, colour\nx, 1, 1, red\n", ":1: unknown column 'colour'");
    expect_error(".csv", "name, wcet\nx, 1\n", ":1: the header needs a 'period' column");
    expect_error(".csv", "name, period, wcet\nx, 10ms, 1 fortnight\n", ":2: wcet:");
    expect_error(".csv", "name, period, wcet\nx, 10ms, 0\n", ":2: period, wcet and deadline must be above zero");
    expect_error(".csv", "name, period, wcet\nx, 10ms, 1500ps\n", "not a whole number of nanoseconds");
    expect_error(".csv", "name, period, wcet, priority\nx, 10ms, 1ms, -1\n", ":2: priority '-1'");
    expect_error(".csv", "", "empty");
    /* found by fuzzing (issue 19): strtoull took "-01" as 2^64 - 1 ns and
     * saturated a number past 2^64 - 1; with that deadline the analysis
     * never returned (tests/fuzz/regressions/files) */
    expect_error(".csv", "name, period, wcet, deadline\nx, 3ms, 2ms, -01\n", ":2: deadline: '-01' is not a time");
    expect_error(".csv", "name, period, wcet\nx, 99999999999999999999, 1\n", ":2: period:");
    expect_error(".lua", "return { { name = 'x', period = '1ms', wcet = '1ms', colour = 1 } }", "task 1: unknown key 'colour'");
    /* several unknown keys: the first by name ('aa'), on every load, not
     * whichever lua_next meets first (Lua seeds its string hashes per state) */
    for (int run = 0; run < 5; run++)
        expect_error(".lua", "return { { name = 'x', period = '1ms', wcet = '1ms', zz = 1, mm = 2, aa = 3, qq = 4 } }",
                     "task 1: unknown key 'aa'");
    expect_error(".lua", "return { { name = 'x', wcet = '1ms' } }", "task 1: 'period' is required");
    expect_error(".lua", "while true do end", "instruction limit of 100000000 exceeded");
    expect_error(".lua", "return {}", "no tasks");
    expect_error(".txt", "x", "is a .csv or a .lua file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_lua),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
