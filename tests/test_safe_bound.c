/* tests/test_safe_bound.c: the safe analytic bound (issue 18) against a
 * hand calculation, on a scenario run with two phasings whose observed
 * worst cases differ; `cossim check ... within_safe_bound`; the
 * task_demand table through cossim merge (suite: scenario).  argv: the
 * cossim binary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* One x86_64 core (3.2 GHz), fixed priority, a PI lock l shared by hi
 * (priority 1, period 1 ms) and lo (priority 2, period 2 ms).  lo is
 * released at t0 (the first period boundary after the boot), computes
 * 50 us, holds l for 200 us, computes 50 us.  hi takes l for 20 us, then
 * computes 100 us; its first release is t0 + offset.
 *
 * Observed, by hand.  offset = 60 us: hi arrives 10 us after lo took l
 * and waits for the rest of lo's section, 190 us, then runs 120 us: about
 * 310 us, at every collision (every second hi job).  offset = 0: hi
 * arrives with lo, runs first, never waits: about 120 us.  So the run with
 * offset 0 never sees the blocking, and its observed-input bound (B = the
 * longest lock wait it saw = 0) is near 120 us: below what offset 60 shows.
 *
 * The safe bound, by hand, from the declared steps and the x86_64 preset
 * (model/presets/x86_64.lua: cpi 0.8, L3 hit 44 cycles, DRAM 51 ns, bus
 * 2 ns a line, coherence transfer 75 cycles; docs/analysis.md "The safe
 * bound" for the charges):
 *   worst line = 44 + ceil((51 + 2 x 2) ns x 3.2 GHz = 176) + 75 = 295 cycles
 *   per job: WL_JOB_INSTR 40 x 0.8 = 32 + 2 records x 295 = 622 cycles
 *   per lock or unlock: WL_LOCK_INSTR 20 x 0.8 = 16 + 3 x 295 = 901 cycles
 *   C_hi = (20 + 100) us = 384000 + 622 + 2 x 901 = 386424 cycles
 *        = 120757.5 ns -> 120.758 us (rounded up to the ns)
 *   lo's section = 901 + 200 us (640000) + 901 = 641802 cycles
 *        = 200563.125 ns -> B_hi = 200.564 us (PI, one lock, one lower task)
 *   C_lo = 300 us (960000) + 622 + 1802 = 962424 cycles -> 300.758 us
 * RTA (analysis/fp.h), overheads from the trace (cs = the longest
 * thd_switch path, sched = the longest scheduler stretch, irq = the
 * longest irq path + sched, each rounded up to the ns):
 *   R_hi: w = B_hi + C_hi + 2 cs + sched + irq x (ceil(w/1ms) + ceil(w/2ms))
 *         with w about 325 us: one release of each task, so
 *         w = 200.564 + 120.758 + 2 cs + sched + 2 irq = 321.322 + 2 cs + sched + 2 irq;
 *         one more iteration gives the same w (it converges at once).
 *   R_lo: w = (C_lo + 2 cs + sched) + (C_hi + 2 cs + sched) + 2 irq
 *         = 421.516 + 4 cs + 2 sched + 2 irq (w about 426 us < 1 ms).
 * Tolerance: the ns rounding of the overheads (1 ns a term: 5 ns for hi's
 * five, 8 ns for lo's eight); the overheads
 * themselves total under 5 us on this machine (each a few hundred cycles
 * of kernel path or scheduler stretch at 3.2 GHz). */
static const char script[] =
    "local p = sim.params{ offset = { '60us', \"hi's first release after lo's\" } }\n"
    "local m = machine{ preset = 'x86_64', cores = 1 }\n"
    "local sys = system{ machine = m, policy = 'fp', locks = { l = 'pi' } }\n"
    "sys:task{ name = 'hi', priority = 1, period = '1ms', offset = p.offset,\n"
    "          body = { {'lock', 'l'}, {'compute', '20us'}, {'unlock', 'l'}, {'compute', '100us'} } }\n"
    "sys:task{ name = 'lo', priority = 2, period = '2ms',\n"
    "          body = { {'compute', '50us'}, {'lock', 'l'}, {'compute', '200us'}, {'unlock', 'l'},\n"
    "                   {'compute', '50us'} } }\n"
    "sys:run('8ms')\n";

#define C_HI 120.758
#define B_HI 200.564
#define C_LO 300.758

static void run_phasing(const char *dir, const char *offset, const char *db, result *analyze)
{
    g_autofree char *set = g_strdup_printf("offset=%s", offset);
    result r = run_in(dir, cossim, "run", "sb.lua", "--set", set, "--trace", db, NULL);
    expect_status(&r, 0);
    result_clear(&r);
    *analyze = run_in(dir, cossim, "analyze", db, "--json", NULL);
    expect_status(analyze, 0);
}

static void test_two_phasings(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "sb.lua", NULL);
    assert_true(g_file_set_contents(path, script, -1, NULL));
    result a, b;
    run_phasing(dir, "60us", "a.db", &a);
    run_phasing(dir, "0us", "b.db", &b);
    const char *hi_a = strstr(a.out, "\"name\":\"hi\""), *hi_b = strstr(b.out, "\"name\":\"hi\"");
    const char *lo_a = strstr(a.out, "\"name\":\"lo\""), *lo_b = strstr(b.out, "\"name\":\"lo\"");
    assert_non_null(hi_a);
    assert_non_null(hi_b);
    assert_non_null(lo_a);
    assert_non_null(lo_b);
    /* the two phasings: about 310 us and about 120 us (by hand, above) */
    double worst_a = JP(hi_a, "worst_us"), worst_b = JP(hi_b, "worst_us");
    in_band("hi worst, offset 60us", worst_a, 310, 315);
    in_band("hi worst, offset 0", worst_b, 120, 122);
    /* the observed-input bound of the lucky phasing misses the other's worst case */
    if (!(JP(hi_b, "bound_observed_us") < worst_a))
        fail_msg("observed-input bound %.3f us not below %.3f us", JP(hi_b, "bound_observed_us"), worst_a);
    const char *runs[] = { a.out, b.out };
    for (int i = 0; i < 2; i++) {
        const char *hi = strstr(runs[i], "\"name\":\"hi\""), *lo = strstr(runs[i], "\"name\":\"lo\"");
        double cs = JP(runs[i], "overheads_us", "ctx_switch"), sched = JP(runs[i], "overheads_us", "sched"),
               irq = JP(runs[i], "overheads_us", "irq");
        in_band("overheads of hi's window", 2 * cs + sched + 2 * irq, 0.1, 5);
        /* the safe inputs, by hand */
        in_band("hi safe C", JP(hi, "bound_safe_c_us"), C_HI - 0.001, C_HI + 0.001);
        in_band("hi safe B", JP(hi, "bound_safe_b_us"), B_HI - 0.001, B_HI + 0.001);
        in_band("lo safe C", JP(lo, "bound_safe_c_us"), C_LO - 0.001, C_LO + 0.001);
        in_band("lo safe B", JP(lo, "bound_safe_b_us"), 0, 0);
        /* the RTA, by hand, with the trace's overheads */
        double r_hi = B_HI + C_HI + 2 * cs + sched + 2 * irq, r_lo = C_LO + C_HI + 4 * cs + 2 * sched + 2 * irq;
        in_band("hi safe bound", JP(hi, "bound_safe_us"), r_hi - 0.005, r_hi + 0.005);
        /* lo's sum has eight overhead terms, each rounded up to the ns */
        in_band("lo safe bound", JP(lo, "bound_safe_us"), r_lo - 0.008, r_lo + 0.008);
        /* it covers both phasings' observed worst cases */
        if (!(JP(hi, "bound_safe_us") >= worst_a && JP(hi, "bound_safe_us") >= worst_b))
            fail_msg("safe bound %.3f us below an observed worst (%.3f, %.3f)", JP(hi, "bound_safe_us"), worst_a, worst_b);
        if (!(JP(lo, "bound_safe_us") >= JP(lo_a, "worst_us") && JP(lo, "bound_safe_us") >= JP(lo_b, "worst_us")))
            fail_msg("lo's safe bound below an observed worst");
        in_band("safe exceeded", JP(runs[i], "bound_safe_exceeded"), 0, 0);
    }
    /* the declared figures in the trace (compose/demand.c), by hand */
    g_autofree char *db_path = g_build_filename(dir, "a.db", NULL);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT task, coalesce(lock, ''), cycles FROM task_demand ORDER BY id", -1,
                                        &st, NULL), SQLITE_OK);
    static const struct { int task; const char *lock; int64_t cycles; } want[] = {
        { 0, "", 386424 }, { 0, "l", 20 * 3200 + 1802 }, { 1, "", 962424 }, { 1, "l", 641802 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), want[i].task);
        assert_string_equal((const char *)sqlite3_column_text(st, 1), want[i].lock);
        assert_int_equal(sqlite3_column_int64(st, 2), want[i].cycles);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* both traces merged: the demand rows under each run */
    result m = run_in(dir, cossim, "merge", "all.db", "a.db", "b.db", NULL);
    expect_status(&m, 0);
    result_clear(&m);
    g_autofree char *all = g_build_filename(dir, "all.db", NULL);
    assert_int_equal(sqlite3_open(all, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT run, count(*), sum(cycles) FROM task_demand GROUP BY run ORDER BY run",
                                        -1, &st, NULL), SQLITE_OK);
    for (int run = 1; run <= 2; run++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), run);
        assert_int_equal(sqlite3_column_int(st, 1), 4);
        assert_int_equal(sqlite3_column_int64(st, 2), 386424 + 20 * 3200 + 1802 + 962424 + 641802);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    result_clear(&a);
    result_clear(&b);
    tu_rmtree(dir);
    g_free(dir);
}

/* cossim check: within_safe_bound holds on both phasings, and fails once
 * the trace's responses are edited above the bound; an edited task_demand
 * row stops the read. */
static void test_check_safe(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "sb.lua", NULL);
    assert_true(g_file_set_contents(path, script, -1, NULL));
    g_autofree char *bounds = g_build_filename(dir, "b.lua", NULL);
    assert_true(g_file_set_contents(bounds, "return { tasks = { hi = { within_safe_bound = true },\n"
                                            "                   lo = { within_safe_bound = true } } }\n", -1, NULL));
    result a, b;
    run_phasing(dir, "60us", "a.db", &a);
    run_phasing(dir, "0us", "b.db", &b);
    const char *dbs[] = { "a.db", "b.db" };
    for (int i = 0; i < 2; i++) {
        result r = run_in(dir, cossim, "check", dbs[i], "b.lua", NULL);
        expect_status(&r, 0);
        if (!strstr(r.out, "hi (core 0): worst vs safe bound") || !strstr(r.out, "2 bounds checked, 0 violated"))
            fail_msg("%s", r.out);
        result_clear(&r);
    }
    /* hi's responses 20 us longer: above its safe bound (about 324.8 us, the worst 312) */
    g_autofree char *db_path = g_build_filename(dir, "a.db", NULL);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE jobs SET finish_ps = finish_ps + 20000000, "
                                      "response_ps = response_ps + 20000000 WHERE task = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    result r = run_in(dir, cossim, "check", "a.db", "b.lua", NULL);
    expect_status(&r, 1);
    if (!strstr(r.out, "FAIL") || !strstr(r.out, "2 bounds checked, 1 violated"))
        fail_msg("%s", r.out);
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "a.db", NULL);
    expect_status(&r, 0);
    if (!strstr(r.out, "SAFE BOUND EXCEEDED: hi") || !strstr(r.err, "above their safe bound"))
        fail_msg("no loud report: %s / %s", r.out, r.err);
    result_clear(&r);
    /* a task_demand row the writer never makes */
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE task_demand SET task = 7 WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    r = run_in(dir, cossim, "analyze", "a.db", NULL);
    if (r.status != 2 || !strstr(r.err, "task_demand table has a row the writer never makes"))
        fail_msg("edited task_demand: exit %d, %s", r.status, r.err);
    result_clear(&r);
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
        cmocka_unit_test(test_two_phasings),
        cmocka_unit_test(test_check_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
