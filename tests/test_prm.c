/* tests/test_prm.c: unit tests of the periodic resource model
 * (analysis/prm.h).
 *
 * A user notices if a budget is declared enough when it is not (or the
 * reverse), or if the minimum budget is off by one.  The supply bound is
 * checked against values worked by hand, against the paper's piecewise
 * formula and against a brute-force worst case over every window start
 * written here independently of prm.c; the EDF and FP verdicts against
 * hand calculations, against brute-force scans of every instant, and, with
 * Theta = Pi, against the dedicated-processor tests of edf.c and fp.c on
 * 200 seeded random sets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <glib.h>

#include "analysis/edf.h"
#include "analysis/fp.h"
#include "analysis/prm.h"
#include "testutil.h"

#define assert_u64(got, want) do { \
        uint64_t g_ = (got), w_ = (want); \
        if (g_ != w_) \
            fail_msg("%s = %" PRIu64 ", expected %" PRIu64, #got, g_, w_); \
    } while (0)

/* One task: C, T, D, J, B, priority. */
typedef struct spec {
    uint64_t c, t, d, j, b;
    int prio;
} spec;

static an_taskset make(const spec *s, size_t n)
{
    an_taskset ts = { g_new0(an_task, n ? n : 1), n };
    for (size_t i = 0; i < n; i++) {
        ts.t[i] = (an_task){
            .name = g_strdup_printf("t%zu", i + 1), .wcet = s[i].c, .period = s[i].t,
            .deadline = s[i].d, .jitter = s[i].j, .blocking = s[i].b,
            .priority = s[i].prio, .core = -1,
        };
    }
    return ts;
}

static void drop(an_taskset *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        g_free(ts->t[i].name);
    g_free(ts->t);
    ts->t = NULL;
    ts->n = 0;
}

/* The paper's form: t - (k+1)(Pi - Theta) on [(k+1)Pi - 2 Theta,
 * (k+1)Pi - Theta], else (k-1) Theta, k = max(ceil((t - (Pi - Theta)) / Pi), 1). */
static uint64_t sbf_paper(int64_t Pi, int64_t Th, int64_t t)
{
    int64_t x = t - (Pi - Th);
    int64_t k = x <= 0 ? 0 : (x + Pi - 1) / Pi;
    if (k < 1)
        k = 1;
    if (t >= (k + 1) * Pi - 2 * Th && t <= (k + 1) * Pi - Th)
        return (uint64_t)(t - (k + 1) * (Pi - Th));
    return (uint64_t)((k - 1) * Th);
}

/* Brute force: the parent may place each period's Theta anywhere in it,
 * independently of the other periods, so a window [s, s+t) gets at least
 * max(0, Theta - (the part of period p outside the window)) from each
 * period p, and all these minima can happen at once.  Minimise over every
 * start s in [0, Pi) (the pattern repeats every Pi). */
static uint64_t sbf_brute(uint64_t Pi, uint64_t Th, uint64_t t)
{
    uint64_t best = UINT64_MAX;
    for (uint64_t s = 0; s < Pi; s++) {
        uint64_t sum = 0;
        for (uint64_t p = 0; p * Pi < s + t; p++) {
            uint64_t a = p * Pi > s ? p * Pi : s;
            uint64_t b = (p + 1) * Pi < s + t ? (p + 1) * Pi : s + t;
            uint64_t inside = b > a ? b - a : 0;
            uint64_t outside = Pi - inside;
            sum += Th > outside ? Th - outside : 0;
        }
        if (sum < best)
            best = sum;
    }
    return best;
}

static void test_sbf_gamma_5_2_by_hand(void **state)
{
    (void)state;
    /* Gamma(5, 2): Pi - Theta = 3.  Worst pattern: the window opens right
     * after a budget given at the start of its period, [0, 2); the next
     * budget comes at the end of the next period, [8, 10), then [13, 15),
     * [18, 20), ...  Measured from the window start (time 2):
     *   t = 0..6: nothing (the blackout 2 (Pi - Theta) = 6);
     *   t = 7, 8: supply rises 1, 2 (the burst at [8, 10));
     *   t = 9..11: flat at 2 (the gap [10, 13));
     *   t = 12, 13: 3, 4 (the burst [13, 15));
     *   t = 14, 15: flat at 4.
     * By the formula, t' = t - 3, j = t' / 5, r = t' % 5,
     * sbf = 2 j + max(0, r - 3): t = 7: t' = 4, j = 0, r = 4 -> 1;
     * t = 8: t' = 5, j = 1, r = 0 -> 2; t = 11: t' = 8, j = 1, r = 3 -> 2;
     * t = 12: t' = 9, j = 1, r = 4 -> 3; t = 13: t' = 10, j = 2 -> 4;
     * t = 15: t' = 12, j = 2, r = 2 -> 4. */
    static const uint64_t want[16] = { 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3, 4, 4, 4 };
    for (uint64_t t = 0; t < 16; t++) {
        assert_u64(an_prm_sbf(5, 2, t), want[t]);
        assert_u64(sbf_paper(5, 2, (int64_t)t), want[t]);
        assert_u64(sbf_brute(5, 2, t), want[t]);
    }
    /* The inverse: the first t with sbf >= 1, 2, 3, 4 is 7, 8, 12, 13. */
    assert_u64(an_prm_sbf_inverse(5, 2, 0), 0);
    assert_u64(an_prm_sbf_inverse(5, 2, 1), 7);
    assert_u64(an_prm_sbf_inverse(5, 2, 2), 8);
    assert_u64(an_prm_sbf_inverse(5, 2, 3), 12);
    assert_u64(an_prm_sbf_inverse(5, 2, 4), 13);
}

static void test_sbf_matches_paper_and_brute_force(void **state)
{
    (void)state;
    for (uint64_t Pi = 1; Pi <= 9; Pi++)
        for (uint64_t Th = 0; Th <= Pi; Th++)
            for (uint64_t t = 0; t <= 40; t++) {
                uint64_t s = an_prm_sbf(Pi, Th, t);
                if (s != sbf_paper((int64_t)Pi, (int64_t)Th, (int64_t)t) || s != sbf_brute(Pi, Th, t))
                    fail_msg("Gamma(%" PRIu64 ", %" PRIu64 ") t = %" PRIu64 ": %" PRIu64
                             ", paper %" PRIu64 ", brute %" PRIu64, Pi, Th, t, s,
                             sbf_paper((int64_t)Pi, (int64_t)Th, (int64_t)t), sbf_brute(Pi, Th, t));
                /* monotone in Theta, and the inverse is the first t reaching s */
                if (Th > 0 && an_prm_sbf(Pi, Th - 1, t) > s)
                    fail_msg("sbf not monotone in Theta");
                uint64_t x = s + 1, inv = an_prm_sbf_inverse(Pi, Th, x);
                if (Th == 0) {
                    assert_u64(inv, UINT64_MAX);
                } else {
                    assert_true(an_prm_sbf(Pi, Th, inv) >= x);
                    assert_true(inv == 0 || an_prm_sbf(Pi, Th, inv - 1) < x);
                }
            }
    /* Theta = 0: nothing, ever. */
    assert_u64(an_prm_sbf(7, 0, 1000000), 0);
}

static void test_sbf_dedicated_is_identity(void **state)
{
    (void)state;
    /* Theta = Pi: no gap, sbf(t) = t (j Pi + r). */
    const uint64_t pis[] = { 1, 5, 1000000, UINT64_MAX };
    const uint64_t ts[] = { 0, 1, 4, 5, 6, 17, 999999, 1000001, UINT64_MAX - 1, UINT64_MAX };
    for (size_t a = 0; a < G_N_ELEMENTS(pis); a++)
        for (size_t b = 0; b < G_N_ELEMENTS(ts); b++) {
            assert_u64(an_prm_sbf(pis[a], pis[a], ts[b]), ts[b]);
            assert_u64(an_prm_sbf_inverse(pis[a], pis[a], ts[b]), ts[b]);
        }
}

static void test_one_task_on_gamma_5_2(void **state)
{
    (void)state;
    /* Task (C = 1, T = D = 10) on Gamma(5, 2).  The first t with
     * sbf(t) >= 1 is 7 (table above), <= D = 10: schedulable, wcrt 7.
     * FP iteration: t = 1: rbf = 1, sbf^-1(1) = 7; t = 7: rbf = 1, 7 <= 7.
     * EDF: deadlines 10, 20, ...: dbf(10) = 1 <= sbf(10) = 2,
     * dbf(20) = 2 <= sbf(20) = 2 * 3 + max(0, 2 - 3) = 6. */
    spec s[] = { { 1, 10, 10, 0, 0, 0 } };
    an_taskset ts = make(s, 1);
    an_result r[1];
    assert_true(an_prm_fp(&ts, 5, 2, r));
    assert_true(r[0].schedulable);
    assert_u64(r[0].wcrt, 7);
    assert_true(an_prm_edf(&ts, 5, 2));
    /* Minimum budget with Pi = 5.  Theta = 1: gap 4, sbf^-1(1) =
     * 2 * 4 + 1 = 9 <= 10: still fine (dbf(10) = 1 <= sbf(10) = 1:
     * t' = 6, j = 1, r = 1 -> 1).  Theta = 0 supplies nothing.  So 1. */
    uint64_t th = 99;
    assert_true(an_prm_min_budget_fp(&ts, 5, &th));
    assert_u64(th, 1);
    th = 99;
    assert_true(an_prm_min_budget_edf(&ts, 5, &th));
    assert_u64(th, 1);
    assert_true(an_prm_fp(&ts, 5, 1, r));
    assert_u64(r[0].wcrt, 9);
    assert_false(an_prm_fp(&ts, 5, 0, r));
    assert_false(r[0].schedulable);
    assert_u64(r[0].wcrt, 0);
    assert_false(an_prm_edf(&ts, 5, 0));
    drop(&ts);

    /* C = 3 instead: the first t with sbf(t) >= 3 on Gamma(5, 2) is 12 > 10. */
    spec s3[] = { { 3, 10, 10, 0, 0, 0 } };
    ts = make(s3, 1);
    assert_false(an_prm_fp(&ts, 5, 2, r));
    assert_false(r[0].schedulable);
    assert_false(an_prm_edf(&ts, 5, 2));   /* dbf(10) = 3 > sbf(10) = 2 */
    drop(&ts);
}

static void test_dedicated_ok_small_budget_not(void **state)
{
    (void)state;
    /* t1 (C = 2, T = D = 5, prio 0), t2 (C = 3, T = D = 10, prio 1);
     * U = 0.4 + 0.3 = 0.7.
     * Dedicated: EDF since U <= 1 with D = T; RM: R1 = 2, R2: w = 3 + 2 = 5,
     * 3 + ceil(5/5) 2 = 5: R2 = 5.
     * Gamma(5, 4) (gap 1, sbf(t) = 4 j + max(0, r - 1) with t' = t - 1):
     *   sbf(5) = 3, sbf(10) = 7, sbf(15) = 11, sbf(20) = 15.
     *   EDF: dbf(5) = 2 <= 3, dbf(10) = 7 <= 7, dbf(15) = 9 <= 11,
     *   dbf(20) = 14 <= 15; the linear bound (A = B = 0, N = 2*4*1 = 8,
     *   L = 10, S = 4*2 - (2*2 + 3*1) = 1) is 8*10/(5*1) = 16: schedulable.
     *   FP: t1: sbf^-1(2) = 2 + 2 = 4 <= 5: wcrt 4.  t2: t = 1: rbf = 5,
     *   sbf^-1(5) = 2 + 5 + 1 = 8; t = 8: rbf = 3 + 2*2 = 7, sbf^-1(7) =
     *   2 + 5 + 3 = 10; t = 10: rbf = 7 <= sbf(10) = 7: wcrt 10 = D.
     * Gamma(5, 3): Theta/Pi = 0.6 < U: EDF fails; FP: t1 needs
     * sbf^-1(2) = 2*2 + 2 = 6 > 5: fails.
     * So the minimum budget at Pi = 5 is 4 for both. */
    spec s[] = { { 2, 5, 5, 0, 0, 0 }, { 3, 10, 10, 0, 0, 1 } };
    an_taskset ts = make(s, 2);
    an_result r[2], d[2];
    assert_true(an_fp_rta(&ts, NULL, d));
    assert_u64(d[0].wcrt, 2);
    assert_u64(d[1].wcrt, 5);
    assert_true(an_edf_schedulable(&ts, NULL, NULL));
    assert_true(an_prm_fp(&ts, 5, 5, r));
    assert_u64(r[0].wcrt, 2);
    assert_u64(r[1].wcrt, 5);
    assert_true(an_prm_edf(&ts, 5, 5));

    assert_true(an_prm_edf(&ts, 5, 4));
    assert_true(an_prm_fp(&ts, 5, 4, r));
    assert_u64(r[0].wcrt, 4);
    assert_u64(r[1].wcrt, 10);

    assert_false(an_prm_edf(&ts, 5, 3));
    assert_false(an_prm_fp(&ts, 5, 3, r));
    assert_false(r[0].schedulable);

    uint64_t th = 0;
    assert_true(an_prm_min_budget_edf(&ts, 5, &th));
    assert_u64(th, 4);
    th = 0;
    assert_true(an_prm_min_budget_fp(&ts, 5, &th));
    assert_u64(th, 4);
    drop(&ts);

    /* Even the whole processor is not enough: U = 1.2. */
    spec over[] = { { 6, 10, 10, 0, 0, 0 }, { 6, 10, 10, 0, 0, 1 } };
    ts = make(over, 2);
    th = 77;
    assert_false(an_prm_min_budget_edf(&ts, 5, &th));
    assert_false(an_prm_min_budget_fp(&ts, 5, &th));
    assert_u64(th, 77);
    drop(&ts);
}

static void test_empty_set(void **state)
{
    (void)state;
    an_taskset ts = { NULL, 0 };
    assert_true(an_prm_edf(&ts, 5, 0));
    assert_true(an_prm_fp(&ts, 5, 0, NULL));
    uint64_t th = 9;
    assert_true(an_prm_min_budget_edf(&ts, 5, &th));
    assert_u64(th, 0);
}

/* Brute force EDF on Gamma: every integer t up to well past the bound. */
static bool edf_brute(const an_taskset *ts, uint64_t Pi, uint64_t Th, uint64_t horizon)
{
    for (size_t i = 0; i < ts->n; i++)
        if (ts->t[i].jitter >= ts->t[i].deadline)
            return false;
    for (uint64_t t = 1; t <= horizon; t++) {
        uint64_t b = 0;
        for (size_t i = 0; i < ts->n; i++)
            if (ts->t[i].deadline - ts->t[i].jitter <= t && ts->t[i].blocking > b)
                b = ts->t[i].blocking;
        if (an_edf_dbf(ts, t) + b > an_prm_sbf(Pi, Th, t))
            return false;
    }
    return true;
}

/* Brute force FP for task i (D <= T): the least t in 1..D-J with
 * rbf(t) <= sbf(t), 0 if none. */
static uint64_t fp_brute(const an_taskset *ts, size_t i, uint64_t Pi, uint64_t Th)
{
    const an_task *ti = &ts->t[i];
    if (ti->jitter >= ti->deadline)
        return 0;
    for (uint64_t t = 1; t <= ti->deadline - ti->jitter; t++) {
        uint64_t w = ti->blocking + ti->wcet;
        for (size_t k = 0; k < ts->n; k++)
            if (k != i && ts->t[k].priority <= ti->priority)
                w += (t + ts->t[k].jitter + ts->t[k].period - 1) / ts->t[k].period * ts->t[k].wcet;
        if (w <= an_prm_sbf(Pi, Th, t))
            return t + ti->jitter;
    }
    return 0;
}

static uint64_t lcm(uint64_t a, uint64_t b)
{
    uint64_t x = a, y = b;
    while (y) {
        uint64_t r = x % y;
        x = y;
        y = r;
    }
    return a / x * b;
}

static void test_random_sets(void **state)
{
    (void)state;
    /* 200 seeded sets of 1..4 tasks, T in 2..16, 1 <= C, D <= T (constrained),
     * sometimes jitter and blocking, random priorities (ties allowed), and a
     * random Pi in 1..12.  For each:
     *   - Theta = Pi: an_prm_edf = an_edf_schedulable, an_prm_fp =
     *     an_fp_rta task by task, with the same wcrt when schedulable;
     *   - every Theta in 0..Pi: both PRM tests = the brute-force scans;
     *   - the minimum budgets: the found Theta passes, Theta - 1 fails. */
    GRand *rng = g_rand_new_with_seed(20030701);
    int edf_yes = 0, fp_yes = 0, prm_partial = 0;
    for (int iter = 0; iter < 200; iter++) {
        size_t n = 1 + (size_t)g_rand_int_range(rng, 0, 4);
        spec s[4];
        uint64_t H = 1, maxd = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t T = (uint64_t)g_rand_int_range(rng, 2, 17);
            uint64_t C = 1 + (uint64_t)g_rand_int_range(rng, 0, (gint32)(T / 2 + 1));
            uint64_t D = (uint64_t)g_rand_int_range(rng, 1, (gint32)T + 1);
            uint64_t J = g_rand_int_range(rng, 0, 5) == 0 ? (uint64_t)g_rand_int_range(rng, 0, (gint32)D + 1) : 0;
            uint64_t B = g_rand_int_range(rng, 0, 5) == 0 ? (uint64_t)g_rand_int_range(rng, 0, 4) : 0;
            s[i] = (spec){ C, T, D, J, B, g_rand_int_range(rng, 0, 4) };
            H = lcm(H, T);
            if (D > maxd)
                maxd = D;
        }
        uint64_t Pi = (uint64_t)g_rand_int_range(rng, 1, 13);
        an_taskset ts = make(s, n);
        an_result want[4], got[4];

        bool e = an_edf_schedulable(&ts, NULL, NULL);
        if (an_prm_edf(&ts, Pi, Pi) != e)
            fail_msg("set %d: an_prm_edf(Theta = Pi) = %d, an_edf_schedulable = %d", iter, !e, e);
        bool f = an_fp_rta(&ts, NULL, want);
        if (an_prm_fp(&ts, Pi, Pi, got) != f)
            fail_msg("set %d: an_prm_fp(Theta = Pi) = %d, an_fp_rta = %d", iter, !f, f);
        for (size_t i = 0; i < n; i++) {
            if (got[i].schedulable != want[i].schedulable)
                fail_msg("set %d task %zu: verdicts differ", iter, i);
            if (want[i].schedulable && got[i].wcrt != want[i].wcrt)
                fail_msg("set %d task %zu: wcrt %" PRIu64 ", RTA %" PRIu64, iter, i,
                         got[i].wcrt, want[i].wcrt);
        }
        edf_yes += e;
        fp_yes += f;

        uint64_t horizon = 3 * lcm(H, Pi) + maxd + 2 * Pi;
        for (uint64_t th = 0; th <= Pi; th++) {
            bool pe = an_prm_edf(&ts, Pi, th);
            if (pe != edf_brute(&ts, Pi, th, horizon))
                fail_msg("set %d Gamma(%" PRIu64 ", %" PRIu64 "): EDF %d, brute force %d",
                         iter, Pi, th, pe, !pe);
            an_prm_fp(&ts, Pi, th, got);
            for (size_t i = 0; i < n; i++) {
                uint64_t b = fp_brute(&ts, i, Pi, th);
                if (got[i].schedulable != (b != 0) || got[i].wcrt != b)
                    fail_msg("set %d Gamma(%" PRIu64 ", %" PRIu64 ") task %zu: wcrt %" PRIu64
                             " (%d), brute force %" PRIu64, iter, Pi, th, i, got[i].wcrt,
                             got[i].schedulable, b);
            }
        }

        uint64_t th;
        if (an_prm_min_budget_edf(&ts, Pi, &th)) {
            assert_true(an_prm_edf(&ts, Pi, th));
            if (th > 0)
                assert_false(an_prm_edf(&ts, Pi, th - 1));
            prm_partial += th < Pi;
        } else {
            assert_false(e);
        }
        if (an_prm_min_budget_fp(&ts, Pi, &th)) {
            assert_true(an_prm_fp(&ts, Pi, th, got));
            if (th > 0)
                assert_false(an_prm_fp(&ts, Pi, th - 1, got));
        } else {
            assert_false(f);
        }
        drop(&ts);
    }
    g_rand_free(rng);
    /* The sample is not degenerate: both verdicts occur, and some sets fit
     * in less than the whole processor. */
    assert_true(edf_yes > 20 && edf_yes < 180);
    assert_true(fp_yes > 20 && fp_yes < 180);
    assert_true(prm_partial > 10);
}

static void bad_theta(void)
{
    an_prm_sbf(5, 6, 1);
}

static void test_theta_above_pi_asserts(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(tu_run_child(bad_theta, buf, sizeof buf), "killed by Aborted");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sbf_gamma_5_2_by_hand),
        cmocka_unit_test(test_sbf_matches_paper_and_brute_force),
        cmocka_unit_test(test_sbf_dedicated_is_identity),
        cmocka_unit_test(test_one_task_on_gamma_5_2),
        cmocka_unit_test(test_dedicated_ok_small_budget_not),
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_random_sets),
        cmocka_unit_test(test_theta_above_pi_asserts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
