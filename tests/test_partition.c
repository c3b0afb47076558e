/* tests/test_partition.c: unit tests of the partitioning heuristics
 * (analysis/partition.h).
 *
 * The examples are worked by hand in the comments with the simplest
 * uniprocessor test, "utilisation at most 1" (exact for implicit-deadline
 * EDF), evaluated here in integers.  A user notices a wrong heuristic as a
 * different assignment or as a set reported unplaceable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <glib.h>

#include "analysis/edf.h"
#include "analysis/gen.h"
#include "analysis/partition.h"

/* Tasks with the given C and a common period T (so U = C / T); D = T. */
static an_taskset make(const uint64_t *c, size_t n, uint64_t T)
{
    an_taskset ts = { g_new0(an_task, n), n };
    for (size_t i = 0; i < n; i++)
        ts.t[i] = (an_task){ .name = g_strdup_printf("t%zu", i + 1), .wcet = c[i], .period = T,
                             .deadline = T, .core = 7 };
    return ts;
}

/* sum C/T <= 1, exactly: sum C * (H / T) <= H, H the lcm of the periods
 * (small in these tests). */
static bool util_le_1(const an_taskset *s, void *ctx)
{
    int *calls = ctx;
    if (calls)
        (*calls)++;
    uint64_t H = 1;
    for (size_t i = 0; i < s->n; i++) {
        uint64_t a = H, b = s->t[i].period;
        while (b) {
            uint64_t r = a % b;
            a = b;
            b = r;
        }
        H = H / a * s->t[i].period;
    }
    uint64_t d = 0;
    for (size_t i = 0; i < s->n; i++)
        d += s->t[i].wcet * (H / s->t[i].period);
    return d <= H;
}

/* The cores as a string like "0 1 -1 2", for readable failures. */
static char *cores_of(const an_taskset *ts)
{
    GString *g = g_string_new(NULL);
    for (size_t i = 0; i < ts->n; i++)
        g_string_append_printf(g, "%s%d", i ? " " : "", ts->t[i].core);
    return g_string_free(g, FALSE);
}

static void check_assign(const uint64_t *c, size_t n, uint64_t T, unsigned cores,
                         an_part_heuristic h, bool want_all, const char *want)
{
    an_taskset ts = make(c, n, T);
    bool all = an_part_assign(&ts, cores, h, util_le_1, NULL);
    g_autofree char *got = cores_of(&ts);
    an_taskset_clear(&ts);
    if (all != want_all || strcmp(got, want) != 0)
        fail_msg("%s on %u cores: placed all = %d, cores \"%s\"; expected %d, \"%s\"",
                 an_part_heuristic_name(h), cores, all, got, want_all, want);
}

static void test_first_best_worst_fit_differ(void **state)
{
    (void)state;
    /* Utilisations a 0.6, b 0.7, c 0.3, d 0.3 (C of 100) on 3 cores.
     * Loads are written [core0, core1, core2].
     * First fit: a -> 0 [.6 0 0]; b: 0 would be 1.3 -> 1 [.6 .7 0];
     *   c: 0 gives .9 -> 0 [.9 .7 0]; d: 0 would be 1.2, 1 gives 1.0 -> 1.
     *   Cores 0 1 0 1.
     * Best fit (fullest after adding): a: all give .6 -> 0 (lowest);
     *   b: 0 no, 1 and 2 give .7 -> 1; c: 0 -> .9, 1 -> 1.0, 2 -> .3:
     *   1 [.6 1.0 0]; d: 0 -> .9, 1 no, 2 -> .3: 0.  Cores 0 1 1 0.
     * Worst fit (emptiest after adding): a -> 0; b: 1 and 2 give .7 -> 1;
     *   c: 0 -> .9, 1 -> 1.0, 2 -> .3: 2 [.6 .7 .3]; d: 0 -> .9, 1 -> 1.0,
     *   2 -> .6: 2.  Cores 0 1 2 2. */
    static const uint64_t c[] = { 60, 70, 30, 30 };
    check_assign(c, 4, 100, 3, AN_PART_FIRST_FIT, true, "0 1 0 1");
    check_assign(c, 4, 100, 3, AN_PART_BEST_FIT, true, "0 1 1 0");
    check_assign(c, 4, 100, 3, AN_PART_WORST_FIT, true, "0 1 2 2");
}

static void test_decreasing_places_what_plain_order_cannot(void **state)
{
    (void)state;
    /* 0.4, 0.4, 0.6, 0.6 on 2 cores (total 2.0: only {.4,.6} pairs fit).
     * First fit: .4 .4 -> 0 [.8 0], .6 -> 1 [.8 .6], the last .6 fits
     * nowhere.  Best fit the same ({.4, .4} together, core 0 fullest).
     * Decreasing: .6 -> 0, .6 -> 1, then each .4 tops one up to 1.0; best
     * fit breaks the tie at 1.0 towards core 0, then core 1. */
    static const uint64_t c[] = { 40, 40, 60, 60 };
    check_assign(c, 4, 100, 2, AN_PART_FIRST_FIT, false, "0 0 1 -1");
    check_assign(c, 4, 100, 2, AN_PART_BEST_FIT, false, "0 0 1 -1");
    check_assign(c, 4, 100, 2, AN_PART_FIRST_FIT_DECREASING, true, "0 1 0 1");
    check_assign(c, 4, 100, 2, AN_PART_BEST_FIT_DECREASING, true, "0 1 0 1");
    check_assign(c, 4, 100, 2, AN_PART_WORST_FIT_DECREASING, true, "0 1 0 1");

    /* Worst fit spreads 0.5, 0.5 over both cores and leaves no room for a
     * 1.0; worst fit decreasing places the 1.0 first.  First fit packs the
     * halves together and also succeeds. */
    static const uint64_t w[] = { 50, 50, 100 };
    check_assign(w, 3, 100, 2, AN_PART_WORST_FIT, false, "0 1 -1");
    check_assign(w, 3, 100, 2, AN_PART_WORST_FIT_DECREASING, true, "1 1 0");
    check_assign(w, 3, 100, 2, AN_PART_FIRST_FIT, true, "0 0 1");
}

static void test_unplaceable(void **state)
{
    (void)state;
    /* Three tasks of 0.6 on two cores: any two exceed 1, so one is left
     * over whatever the heuristic; the tie in the decreasing order keeps
     * index order, so it is always the third. */
    static const uint64_t c[] = { 60, 60, 60 };
    for (int h = AN_PART_FIRST_FIT; h <= AN_PART_WORST_FIT_DECREASING; h++)
        check_assign(c, 3, 100, 2, (an_part_heuristic)h, false, "0 1 -1");
    /* A task that fits no core even alone (1.5) stays unassigned; the
     * tasks after it are still placed. */
    static const uint64_t big[] = { 30, 150, 30 };
    check_assign(big, 3, 100, 1, AN_PART_FIRST_FIT, false, "0 -1 0");
    check_assign(big, 3, 100, 1, AN_PART_FIRST_FIT_DECREASING, false, "0 -1 0");
}

/* ---- what the test callback sees ---------------------------------------- */

typedef struct recorder {
    GPtrArray *calls;     /* one "core: t1 t3" string per call */
} recorder;

static bool record_accept_all(const an_taskset *s, void *ctx)
{
    recorder *r = ctx;
    GString *g = g_string_new(NULL);
    g_string_append_printf(g, "%d:", s->n ? s->t[0].core : -2);
    for (size_t i = 0; i < s->n; i++) {
        /* Every task in one call carries the same core, the one tried. */
        assert_int_equal(s->t[i].core, s->t[0].core);
        g_string_append_printf(g, " %s", s->t[i].name);
    }
    g_ptr_array_add(r->calls, g_string_free(g, FALSE));
    return true;
}

static void test_callback_sees_core_sets_in_index_order(void **state)
{
    (void)state;
    /* Decreasing order with a tie: t1 3/10 and t2 30/100 are equal, t3 is
     * 50/100.  First fit decreasing on one core: t3, then t1, then t2 (the
     * tie goes by index).  Each call shows the core's tasks plus the new
     * one, in index order. */
    an_taskset ts = { g_new0(an_task, 3), 3 };
    ts.t[0] = (an_task){ .name = g_strdup("t1"), .wcet = 3, .period = 10, .deadline = 10 };
    ts.t[1] = (an_task){ .name = g_strdup("t2"), .wcet = 30, .period = 100, .deadline = 100 };
    ts.t[2] = (an_task){ .name = g_strdup("t3"), .wcet = 50, .period = 100, .deadline = 100 };
    recorder r = { g_ptr_array_new_with_free_func(g_free) };
    assert_true(an_part_assign(&ts, 1, AN_PART_FIRST_FIT_DECREASING, record_accept_all, &r));
    static const char *const want[] = { "0: t3", "0: t1 t3", "0: t1 t2 t3" };
    assert_int_equal(r.calls->len, G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
        assert_string_equal(g_ptr_array_index(r.calls, i), want[i]);

    /* Best fit on two cores asks both cores about every task: t1 on 0
     * (tie), t2 on 0 (fuller: .6 against .3), t3 on 0 (1.1 against .5:
     * this test accepts anything). */
    g_ptr_array_set_size(r.calls, 0);
    assert_true(an_part_assign(&ts, 2, AN_PART_BEST_FIT, record_accept_all, &r));
    static const char *const want2[] = {
        "0: t1", "1: t1", "0: t1 t2", "1: t2", "0: t1 t2 t3", "1: t3",
    };
    assert_int_equal(r.calls->len, G_N_ELEMENTS(want2));
    for (size_t i = 0; i < G_N_ELEMENTS(want2); i++)
        assert_string_equal(g_ptr_array_index(r.calls, i), want2[i]);
    g_ptr_array_free(r.calls, TRUE);
    an_taskset_clear(&ts);
}

static void test_first_fit_stops_at_the_first_core(void **state)
{
    (void)state;
    /* Four tasks of 0.25 on 4 cores, first fit: all on core 0, and the
     * test runs once per task (core 0 always accepts). */
    static const uint64_t c[] = { 25, 25, 25, 25 };
    an_taskset ts = make(c, 4, 100);
    int calls = 0;
    assert_true(an_part_assign(&ts, 4, AN_PART_FIRST_FIT, util_le_1, &calls));
    assert_int_equal(calls, 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(ts.t[i].core, 0);
    an_taskset_clear(&ts);
}

/* ---- with the EDF test ------------------------------------------------------ */

static void test_edf_test_sees_deadlines(void **state)
{
    (void)state;
    /* t1 C 2, T 5, D 3 and t2 C 4, T 7, D 6: U = 34/35 fits a utilisation
     * bound, but the demand at 13 is 14 (test_edf.c works it out), so
     * EDF-aware first fit puts them on different cores. */
    an_taskset ts = { g_new0(an_task, 2), 2 };
    ts.t[0] = (an_task){ .name = g_strdup("t1"), .wcet = 2, .period = 5, .deadline = 3 };
    ts.t[1] = (an_task){ .name = g_strdup("t2"), .wcet = 4, .period = 7, .deadline = 6 };
    assert_true(an_part_assign(&ts, 2, AN_PART_FIRST_FIT, util_le_1, NULL));
    assert_int_equal(ts.t[1].core, 0);
    assert_true(an_part_assign(&ts, 2, AN_PART_FIRST_FIT, an_part_test_edf, NULL));
    assert_int_equal(ts.t[0].core, 0);
    assert_int_equal(ts.t[1].core, 1);
    /* With overheads (ctx is an an_overheads *): a context switch of 1
     * makes t1 alone need 2 + 2 = 4 > 3 by its deadline. */
    an_overheads oh = { .ctx_switch = 1 };
    assert_false(an_part_assign(&ts, 2, AN_PART_FIRST_FIT, an_part_test_edf, &oh));
    assert_int_equal(ts.t[0].core, -1);
    an_taskset_clear(&ts);
}

/* Every core the assignment fills passes the test; the return value says
 * whether every task has a core. */
static void check_partition_valid(const an_taskset *ts, unsigned cores, bool all)
{
    size_t placed = 0;
    an_task *sub = g_new(an_task, ts->n);
    for (unsigned c = 0; c < cores; c++) {
        size_t m = 0;
        for (size_t i = 0; i < ts->n; i++)
            if (ts->t[i].core == (int)c)
                sub[m++] = ts->t[i];
        an_taskset core_set = { sub, m };
        assert_true(an_edf_schedulable(&core_set, NULL, NULL));
        placed += m;
    }
    g_free(sub);
    assert_int_equal(placed == ts->n, all);
}

static void test_generated_sets_partition_validly(void **state)
{
    (void)state;
    /* Randfixedsum sets of 24 tasks on 4 cores, EDF on each core.
     * Implicit deadlines at U = 2.49: Lopez, Diaz and Garcia (2004) show
     * that EDF with first fit or best fit, in any order, places every set
     * with U <= (beta m + 1) / (beta + 1), beta = floor(1 / u_max) >= 1,
     * which is at least (4 + 1) / 2 = 2.5 here; so those four must place
     * all.  Worst fit has no such bound.  Constrained deadlines (alpha 0.5)
     * at U = 3: no bound; the cores filled must still pass the test. */
    an_gen_params p = {
        .n = 24, .U = 2.49, .method = AN_GEN_RANDFIXEDSUM, .Tmin = 1000000, .Tmax = 100000000,
        .granularity = 1000, .deadlines = AN_GEN_IMPLICIT,
    };
    simrng r;
    simrng_init(&r, 11, "test_partition.gen");
    for (int k = 0; k < 40; k++) {
        bool constrained = k % 2;
        p.deadlines = constrained ? AN_GEN_CONSTRAINED : AN_GEN_IMPLICIT;
        p.U = constrained ? 3.0 : 2.49;
        p.alpha = 0.5;
        an_taskset ts;
        an_gen_taskset(&r, &p, &ts);
        for (int h = AN_PART_FIRST_FIT; h <= AN_PART_WORST_FIT_DECREASING; h++) {
            bool all = an_part_assign(&ts, 4, (an_part_heuristic)h, an_part_test_edf, NULL);
            check_partition_valid(&ts, 4, all);
            bool bounded = h != AN_PART_WORST_FIT && h != AN_PART_WORST_FIT_DECREASING;
            if (!constrained && bounded && !all)
                fail_msg("set %d: %s left tasks out at U = 2.49 on 4 cores", k,
                         an_part_heuristic_name((an_part_heuristic)h));
        }
        an_taskset_clear(&ts);
    }
}

static void test_misc(void **state)
{
    (void)state;
    an_taskset empty = { NULL, 0 };
    assert_true(an_part_assign(&empty, 1, AN_PART_BEST_FIT, util_le_1, NULL));
    /* Earlier assignments are discarded (make() sets core 7). */
    static const uint64_t c[] = { 10 };
    an_taskset ts = make(c, 1, 100);
    assert_true(an_part_assign(&ts, 2, AN_PART_WORST_FIT, util_le_1, NULL));
    assert_int_equal(ts.t[0].core, 0);
    an_taskset_clear(&ts);
    /* Names round-trip. */
    for (int h = AN_PART_FIRST_FIT; h <= AN_PART_WORST_FIT_DECREASING; h++) {
        an_part_heuristic back;
        const char *name = an_part_heuristic_name((an_part_heuristic)h);
        assert_non_null(name);
        assert_true(an_part_heuristic_parse(name, &back));
        assert_int_equal(back, h);
    }
    an_part_heuristic x;
    assert_false(an_part_heuristic_parse("next-fit", &x));
    assert_string_equal(an_part_heuristic_name(AN_PART_WORST_FIT_DECREASING), "worst-fit-decreasing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_best_worst_fit_differ),
        cmocka_unit_test(test_decreasing_places_what_plain_order_cannot),
        cmocka_unit_test(test_unplaceable),
        cmocka_unit_test(test_callback_sees_core_sets_in_index_order),
        cmocka_unit_test(test_first_fit_stops_at_the_first_core),
        cmocka_unit_test(test_edf_test_sees_deadlines),
        cmocka_unit_test(test_generated_sets_partition_validly),
        cmocka_unit_test(test_misc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
