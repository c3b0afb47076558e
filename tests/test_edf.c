/* tests/test_edf.c: unit tests of the uniprocessor EDF test (analysis/edf.h).
 *
 * A user notices if a set that meets its deadlines is called unschedulable,
 * or the reverse, or if the reported first miss is at the wrong time.  The
 * verdicts are checked against hand calculations (in the comments), against
 * the theorem for implicit deadlines (schedulable iff U <= 1), and against
 * a brute-force scan of every instant up to the hyperperiod written here
 * independently of edf.c, on 500 seeded random sets.
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
#include "analysis/gen.h"
#include "sim/rng.h"
#include "testutil.h"

#define assert_u64(got, want) do { \
        uint64_t g_ = (got), w_ = (want); \
        if (g_ != w_) \
            fail_msg("%s = %" PRIu64 ", expected %" PRIu64, #got, g_, w_); \
    } while (0)

/* One task: C, T, D, J, B. */
typedef struct spec {
    uint64_t c, t, d, j, b;
} spec;

static an_taskset make(const spec *s, size_t n)
{
    an_taskset ts = { g_new0(an_task, n), n };
    for (size_t i = 0; i < n; i++) {
        ts.t[i] = (an_task){
            .name = g_strdup_printf("t%zu", i + 1), .wcet = s[i].c, .period = s[i].t,
            .deadline = s[i].d, .jitter = s[i].j, .blocking = s[i].b, .priority = 0, .core = -1,
        };
    }
    return ts;
}

/* The verdict and the witness, printing both on a mismatch. */
static void check_edf(const spec *s, size_t n, const an_overheads *oh, bool want_ok,
                      uint64_t want_witness, const char *what)
{
    an_taskset ts = make(s, n);
    uint64_t w = 12345;
    bool ok = an_edf_schedulable(&ts, oh, &w);
    bool ok_nowit = an_edf_schedulable(&ts, oh, NULL);
    an_taskset_clear(&ts);
    if (ok != want_ok || w != want_witness || ok_nowit != ok)
        fail_msg("%s: schedulable = %d (without witness %d), witness %" PRIu64
                 "; expected %d, witness %" PRIu64,
                 what, ok, ok_nowit, w, want_ok, want_witness);
}

/* ---- implicit deadlines: schedulable iff U <= 1 (Liu and Layland 1973) --- */

static void test_implicit_exactly_one(void **state)
{
    (void)state;
    /* 1/2 + 1/3 + 1/6 = 1. */
    static const spec s[] = { { 1, 2, 2, 0, 0 }, { 1, 3, 3, 0, 0 }, { 1, 6, 6, 0, 0 } };
    check_edf(s, 3, NULL, true, 0, "U = 1 {2,3,6}");
    /* Ten tasks of 1/10: in doubles 0.1 added ten times is 0.9999999999999999,
     * so only an exact comparison calls this U = 1 (and still schedulable:
     * either way the answer must be yes). */
    spec ten[10];
    for (int i = 0; i < 10; i++)
        ten[i] = (spec){ 1, 10, 10, 0, 0 };
    check_edf(ten, 10, NULL, true, 0, "U = 10 x 1/10");
}

static void test_implicit_above_one(void **state)
{
    (void)state;
    /* 1/2 + 1/3 + 2/6 = 7/6.  dbf(2) = 1, dbf(3) = 2, dbf(4) = 3,
     * dbf(6) = 3 + 2 + 2 = 7 > 6: the first miss is at 6. */
    static const spec s[] = { { 1, 2, 2, 0, 0 }, { 1, 3, 3, 0, 0 }, { 2, 6, 6, 0, 0 } };
    check_edf(s, 3, NULL, false, 6, "U = 7/6");
    /* Above 1 by one part in 10^12: 9 x 1/10 + 100000000001/10^12. */
    spec t[10];
    for (int i = 0; i < 9; i++)
        t[i] = (spec){ 1, 10, 10, 0, 0 };
    t[9] = (spec){ UINT64_C(100000000001), UINT64_C(1000000000000), UINT64_C(1000000000000), 0, 0 };
    an_taskset ts = make(t, 10);
    assert_false(an_edf_schedulable(&ts, NULL, NULL));
    an_taskset_clear(&ts);
}

static void test_witness_search_bounded(void **state)
{
    (void)state;
    /* Found by fuzzing (issue 19): t1 fills the core (C = T = D = 1 ms),
     * t2 (C = 1 ms, T = 6 ms) has its deadline 21 days away.  U > 1, so the
     * verdict is immediate; the first miss is t2's deadline D2 (before it
     * dbf(t) = t at t1's deadlines, at D2 it gains t2's 1 ms), but QPA from
     * any instant below D2 walks t1's deadlines one by one, 1.8e9 of them:
     * the witness search never returned.  Now it gives up after
     * AN_EDF_WITNESS_STEPS with a violating instant, at or past D2. */
    static const spec s[] = { { 1000000, 1000000, 1000000, 0, 0 },
                              { 1000000, 6000000, UINT64_C(1844674407370955), 0, 0 } };
    an_taskset ts = make(s, 2);
    uint64_t w = 0;
    assert_false(an_edf_schedulable(&ts, NULL, &w));
    assert_true(w >= UINT64_C(1844674407370955));
    assert_true(an_edf_dbf(&ts, w) > w);
    an_taskset_clear(&ts);
}

/* ---- constrained, arbitrary, jitter, blocking: worked by hand --------- */

static void test_constrained_hand_example(void **state)
{
    (void)state;
    /* t1: C 2, T 5, D 3; t2: C 4, T 7, D 6.  U = 2/5 + 4/7 = 34/35 < 1.
     * Absolute deadlines: t1 at 3, 8, 13, 18..., t2 at 6, 13, 20...
     *   dbf(3) = 2, dbf(6) = 2 + 4 = 6, dbf(8) = 4 + 4 = 8,
     *   dbf(13) = 6 + 8 = 14 > 13.
     * So the first miss is at 13, though U < 1 and every earlier deadline
     * is met exactly or with room.  The bound: L_a = sum (T - D) U / (1 - U)
     * = (2 * 2/5 + 1 * 4/7) * 35 = 28 + 20 = 48; the synchronous busy
     * period from w = 6: W(6) = 2 + 2 + 4 = 8... W(8) = 4 + 8 = 12,
     * W(12) = 6 + 8 = 14, W(14) = 6 + 8 = 14, so L = min(48, 14) = 14 and
     * QPA starts there: h(14) = 14 = t, step to the deadline 13, h(13) = 14
     * > 13. */
    static const spec a[] = { { 2, 5, 3, 0, 0 }, { 4, 7, 6, 0, 0 } };
    check_edf(a, 2, NULL, false, 13, "34/35 constrained");
    an_taskset ts = make(a, 2);
    static const uint64_t t[] = { 2, 3, 5, 6, 7, 8, 12, 13, 14, 18, 20 };
    static const uint64_t want[] = { 0, 2, 2, 6, 6, 8, 8, 14, 14, 16, 20 };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
        if (an_edf_dbf(&ts, t[i]) != want[i])
            fail_msg("dbf(%" PRIu64 ") = %" PRIu64 ", expected %" PRIu64, t[i],
                     an_edf_dbf(&ts, t[i]), want[i]);
    an_taskset_clear(&ts);

    /* With t2's C at 3 (U = 29/35): dbf = 2, 5, 7, 12 at 3, 6, 8, 13, then
     * 14 at 18, 17 at 20 ... every point has room: schedulable. */
    static const spec b[] = { { 2, 5, 3, 0, 0 }, { 3, 7, 6, 0, 0 } };
    check_edf(b, 2, NULL, true, 0, "29/35 constrained");

    /* First deadline already too tight: t1 C 2, T 4, D 3 and t2 C 2, T 6,
     * D 3: dbf(3) = 4 > 3 with U = 5/6. */
    static const spec c[] = { { 2, 4, 3, 0, 0 }, { 2, 6, 3, 0, 0 } };
    check_edf(c, 2, NULL, false, 3, "5/6, tight first deadline");
}

static void test_arbitrary_deadlines(void **state)
{
    (void)state;
    /* t1: C 3, T 4, D 5 (D > T); t2: C 1, T 5, D 3.  U = 3/4 + 1/5 = 0.95.
     * t1's deadlines 5, 9, 13, 17; t2's 3, 8, 13, 18:
     *   h(3) = 1, h(5) = 4, h(8) = 5, h(9) = 8, h(13) = 12, h(17) = 15,
     *   h(18) = 16: all within; L_b: W(4) = 3 + 1 = 4, so L = 4 already. */
    static const spec s[] = { { 3, 4, 5, 0, 0 }, { 1, 5, 3, 0, 0 } };
    check_edf(s, 2, NULL, true, 0, "D > T, 0.95");
    /* t2's C at 2 (U = 1.15 > 1). */
    static const spec u[] = { { 3, 4, 5, 0, 0 }, { 2, 5, 3, 0, 0 } };
    /* h(3) = 2, h(5) = 5, h(8) = 7, h(9) = 10 > 9. */
    check_edf(u, 2, NULL, false, 9, "D > T, 1.15");
}

static void test_jitter_shortens_the_deadline(void **state)
{
    (void)state;
    /* The 34/35 example with t1 as D 4, J 1: D' = 3, the same demand. */
    static const spec a[] = { { 2, 5, 4, 1, 0 }, { 4, 7, 6, 0, 0 } };
    check_edf(a, 2, NULL, false, 13, "jitter: D 4, J 1");
    /* J = D leaves no window at all: unschedulable at t = 0 (witness 0). */
    static const spec b[] = { { 1, 100, 10, 10, 0 } };
    check_edf(b, 1, NULL, false, 0, "J = D");
    an_taskset ts = make(b, 1);
    /* dbf(0) = floor((0 + 100 - 0) / 100) * 1 = 1 > 0. */
    assert_u64(an_edf_dbf(&ts, 0), 1);
    an_taskset_clear(&ts);
}

static void test_blocking(void **state)
{
    (void)state;
    /* t1: C 1, T 4, D 2, blocked up to B by t2 (C 2, T 10, D 10).
     * h(t) = dbf(t) + B for t >= 2:  h(2) = 1 + B, h(6) = 2 + B,
     * h(10) = 3 + 2 + B, h(14) = 4 + 2 + B ...
     * B = 1: h(2) = 2 <= 2, and the rest have room: schedulable.
     * B = 2: h(2) = 3 > 2: the first miss is at 2. */
    static const spec ok[] = { { 1, 4, 2, 0, 1 }, { 2, 10, 10, 0, 0 } };
    check_edf(ok, 2, NULL, true, 0, "B = 1");
    static const spec bad[] = { { 1, 4, 2, 0, 2 }, { 2, 10, 10, 0, 0 } };
    check_edf(bad, 2, NULL, false, 2, "B = 2");

    /* The busy period does not bound a first miss once blocking counts:
     * t1 C 1, T 9, D 6, B 3; t2 C 3, T 11, D 6.  Without blocking the
     * synchronous busy period ends at 4 (W(4) = 1 + 3), but h(6) = 1 + 3 + 3
     * = 7 > 6. */
    static const spec late[] = { { 1, 9, 6, 0, 3 }, { 3, 11, 6, 0, 0 } };
    check_edf(late, 2, NULL, false, 6, "blocking past the busy period");

    /* A first miss far out, near L_a: t1 C 5, T 14, D 8, B 1; t2 C 11,
     * T 20, D 17.  U = 127/140.  Deadlines 8, 17, 22, 36, 37:
     * h = 6, 17, 22, 27, then h(37) = 15 + 22 + 1 = 38 > 37.
     * L_a = (6 * 5/14 + 3 * 11/20 + 1) / (13/140) = 671/13 = 51.6, so a
     * bound taken 30% too small would miss it. */
    static const spec far[] = { { 5, 14, 8, 0, 1 }, { 11, 20, 17, 0, 0 } };
    check_edf(far, 2, NULL, false, 37, "blocking, first miss at 37");
    /* U = 1 with blocking.  Implicit deadlines: h(H) = H + B > H, at the
     * hyperperiod H = 6 (earlier: h(2) = 1 + 1, h(3) = 2 + 1, h(4) = 3 + 1
     * all fit). */
    static const spec one[] = { { 1, 2, 2, 0, 1 }, { 1, 3, 3, 0, 0 }, { 1, 6, 6, 0, 0 } };
    check_edf(one, 3, NULL, false, 6, "U = 1, B = 1");
    /* U = 1, D > T: one task C 2, T 2, D 3 has dbf(t) = t - 1 at each
     * deadline 3, 5, 7...: room for a blocking of 1, not 2. */
    static const spec roomy[] = { { 2, 2, 3, 0, 1 } };
    check_edf(roomy, 1, NULL, true, 0, "U = 1, D > T, B = 1");
    static const spec tight[] = { { 2, 2, 3, 0, 2 } };
    check_edf(tight, 1, NULL, false, 3, "U = 1, D > T, B = 2");
}

static void test_overheads_inflate_each_job(void **state)
{
    (void)state;
    /* Two tasks C 40, T 100: U = 0.8.  A context switch of 5 adds 10 per
     * job: C' = 50, U = 1, schedulable.  6 adds 12: U = 1.04, not. */
    static const spec s[] = { { 40, 100, 100, 0, 0 }, { 40, 100, 100, 0, 0 } };
    an_overheads five = { .ctx_switch = 5 }, six = { .ctx_switch = 6 };
    check_edf(s, 2, NULL, true, 0, "no overheads");
    check_edf(s, 2, &five, true, 0, "ctx 5");
    /* C' = 52: dbf(100) = 104 > 100. */
    check_edf(s, 2, &six, false, 100, "ctx 6");
    /* sched and invocation once each: 40 + 2*3 + 2 + 2 = 50. */
    an_overheads mix = { .ctx_switch = 3, .sched = 2, .invocation = 2, .irq = 1000 };
    check_edf(s, 2, &mix, true, 0, "ctx 3, sched 2, inv 2 (irq not charged)");
    an_taskset ts = make(s, 2);
    assert_true(an_edf_utilisation(&ts, NULL) == 0.8);
    assert_true(an_edf_utilisation(&ts, &mix) == 1.0);
    /* Overheads that do not fit in 64 bits are added exactly: neither
     * wrapped round to a small C nor saturated to C' = T (which would
     * pass as U = 1 here). */
    an_overheads huge = { .ctx_switch = UINT64_MAX / 2 + 1 };
    assert_false(an_edf_schedulable(&ts, &huge, NULL));
    an_taskset_clear(&ts);
    static const spec whole[] = { { UINT64_MAX - 1, UINT64_MAX, UINT64_MAX, 0, 0 } };
    an_overheads one = { .sched = 1 }, two = { .sched = 2 };
    check_edf(whole, 1, &one, true, 0, "C' = T = 2^64 - 1");
    check_edf(whole, 1, &two, false, UINT64_MAX, "C' = 2^64 > T");
}

static void test_empty_set(void **state)
{
    (void)state;
    an_taskset ts = { NULL, 0 };
    uint64_t w = 7;
    assert_true(an_edf_schedulable(&ts, NULL, &w));
    assert_u64(w, 0);
    assert_u64(an_edf_dbf(&ts, 1000), 0);
}

/* ---- QPA against brute force ------------------------------------------ */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* h(t) = sum max(0, floor((t + T - D + J) / T)) C + max{ B : D - J <= t },
 * straight from the definition, in signed 128 bits. */
static __int128 ref_h(const spec *s, size_t n, int64_t t)
{
    __int128 h = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 dp = (__int128)s[i].d - (__int128)s[i].j;
        __int128 x = (__int128)t + s[i].t - dp;
        if (x > 0)
            h += x / s[i].t * s[i].c;
        if (dp <= t && (__int128)s[i].b > b)
            b = s[i].b;
    }
    return h + b;
}

/* The first t >= 0 with h(t) > t, scanning every integer up to `limit`;
 * -1 if none. */
static int64_t ref_first(const spec *s, size_t n, int64_t limit)
{
    for (int64_t t = 0; t <= limit; t++)
        if (ref_h(s, n, t) > t)
            return t;
    return -1;
}

static void test_qpa_matches_brute_force(void **state)
{
    (void)state;
    /* Periods from the divisors of 120, so the hyperperiod H <= 120.  For
     * U <= 1 a first violation, if any, is below H + max D (for t past
     * every deadline h(t + H) - (t + H) = h(t) - t - (1 - U) H), so the
     * scan to there is exact; for U > 1 the scan runs until it finds one.
     * Deadlines are implicit, constrained or up to 2T; some tasks have
     * jitter (sometimes J = D) or blocking. */
    static const uint64_t periods[] = { 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30, 40, 60, 120 };
    simrng r;
    simrng_init(&r, 2026, "test_edf.brute");
    int yes = 0, no = 0, no_below_one = 0;
    for (int k = 0; k < 500; k++) {
        size_t n = 1 + simrng_below(&r, 5);
        spec s[5];
        double target = 0.5 + 0.7 * simrng_uniform(&r);
        uint64_t H = 1, dmax = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t T = periods[simrng_below(&r, G_N_ELEMENTS(periods))];
            double u = 2.0 * target / (double)n * simrng_uniform(&r);
            uint64_t C = (uint64_t)(u * (double)T + 0.5);
            C = CLAMP(C, 1, 2 * T);
            uint64_t D;
            switch (simrng_below(&r, 3)) {
            case 0: D = T; break;
            case 1: D = 1 + simrng_below(&r, T); break;
            default: D = 1 + simrng_below(&r, 2 * T); break;
            }
            uint64_t J = simrng_below(&r, 4) == 0 ? simrng_below(&r, D + 1) : 0;
            uint64_t B = simrng_below(&r, 4) == 0 ? simrng_below(&r, 4) : 0;
            s[i] = (spec){ C, T, D, J, B };
            H = H / gcd64(H, T) * T;
            dmax = MAX(dmax, D);
        }
        /* U <= 1 iff sum C H / T <= H, exactly. */
        uint64_t demand_h = 0;
        for (size_t i = 0; i < n; i++)
            demand_h += s[i].c * (H / s[i].t);
        int64_t first = demand_h <= H ? ref_first(s, n, (int64_t)(H + dmax))
                                      : ref_first(s, n, INT64_C(1) << 40);
        if (demand_h > H)
            assert_true(first >= 0);

        an_taskset ts = make(s, n);
        uint64_t w;
        bool ok = an_edf_schedulable(&ts, NULL, &w);
        an_taskset_clear(&ts);
        bool want = first < 0;
        uint64_t want_w = first < 0 ? 0 : (uint64_t)first;
        if (ok != want || w != want_w) {
            GString *g = g_string_new(NULL);
            for (size_t i = 0; i < n; i++)
                g_string_append_printf(g, " (C %" PRIu64 " T %" PRIu64 " D %" PRIu64 " J %" PRIu64
                                       " B %" PRIu64 ")", s[i].c, s[i].t, s[i].d, s[i].j, s[i].b);
            fail_msg("set %d:%s: QPA says %d, witness %" PRIu64 "; brute force %d, first miss %" PRId64,
                     k, g->str, ok, w, want, first);
        }
        yes += ok;
        no += !ok;
        no_below_one += !ok && demand_h <= H;
    }
    /* Both verdicts, and failures that U alone would not reveal, must be
     * well represented for the comparison to mean something. */
    if (yes < 100 || no < 100 || no_below_one < 50)
        fail_msg("only %d schedulable, %d not (%d of them with U <= 1)", yes, no, no_below_one);
}

/* The same against brute force for sets with U within 1% of 1, where the
 * test first walks the deadlines upwards (edf.c, early_violation) before
 * its bounds: U = 1 exactly or 1 - 1/H (H <= 120, so within 0.0083 of 1),
 * made by setting the last task's C so that sum C H / T = H or H - 1. */
static void test_near_one_matches_brute_force(void **state)
{
    (void)state;
    static const uint64_t periods[] = { 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30, 40, 60, 120 };
    simrng r;
    simrng_init(&r, 2026, "test_edf.near_one");
    int yes = 0, no = 0, tried = 0;
    for (int k = 0; k < 4000 && tried < 400; k++) {
        size_t n = 2 + simrng_below(&r, 4);
        spec s[5];
        uint64_t H = 1, dmax = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t T = periods[simrng_below(&r, G_N_ELEMENTS(periods))];
            uint64_t C = 1 + simrng_below(&r, T / n + 1);
            uint64_t D = simrng_below(&r, 2) ? T : T / 2 + 1 + simrng_below(&r, T - T / 2);
            uint64_t J = simrng_below(&r, 5) == 0 ? simrng_below(&r, D) : 0;
            uint64_t B = simrng_below(&r, 5) == 0 ? simrng_below(&r, 3) : 0;
            s[i] = (spec){ C, T, D, J, B };
            H = H / gcd64(H, T) * T;
        }
        /* the last task's C: what brings sum C H / T to H (or H - 1) */
        uint64_t others = 0;
        for (size_t i = 0; i + 1 < n; i++)
            others += s[i].c * (H / s[i].t);
        uint64_t want_total = H - (uint64_t)simrng_below(&r, 2), per = H / s[n - 1].t;
        if (others >= want_total || (want_total - others) % per != 0)
            continue;
        s[n - 1].c = (want_total - others) / per;
        if (s[n - 1].c == 0 || s[n - 1].j >= s[n - 1].d)
            continue;
        for (size_t i = 0; i < n; i++)
            dmax = MAX(dmax, s[i].d);
        tried++;
        int64_t first = ref_first(s, n, (int64_t)(H + dmax));
        an_taskset ts = make(s, n);
        uint64_t w;
        bool ok = an_edf_schedulable(&ts, NULL, &w);
        an_taskset_clear(&ts);
        if (ok != (first < 0) || w != (first < 0 ? 0 : (uint64_t)first))
            fail_msg("near-one set %d: QPA says %d, witness %" PRIu64 "; brute force first miss %" PRId64, k, ok, w,
                     first);
        yes += ok;
        no += !ok;
    }
    if (tried < 200 || yes < 30 || no < 30)
        fail_msg("only %d sets near 1: %d schedulable, %d not", tried, yes, no);
}

/* ---- large numbers -------------------------------------------------------- */

static void test_large_periods_do_not_overflow(void **state)
{
    (void)state;
    const uint64_t P = UINT64_C(1) << 63;
    /* Two tasks C 2^62, T 2^63: U = 1 exactly, schedulable; busy period
     * 2^63, and h(2^63) = 2^63. */
    spec s[] = { { P / 2, P, P, 0, 0 }, { P / 2, P, P, 0, 0 } };
    check_edf(s, 2, NULL, true, 0, "2^62 / 2^63 twice");
    /* One more ns each: U = 1 + 2^-62, which a double rounds to 1.  The
     * first miss is at 2^63, where the demand is 2^63 + 2. */
    s[0].c++;
    s[1].c++;
    check_edf(s, 2, NULL, false, P, "(2^62 + 1) / 2^63 twice");

    /* The demand at the largest instant saturates instead of wrapping:
     * 2^64 jobs of C 2^63 from a period of 1. */
    spec big[] = { { P, 1, 1, 0, 0 } };
    an_taskset ts = make(big, 1);
    assert_u64(an_edf_dbf(&ts, UINT64_MAX), UINT64_MAX);
    assert_false(an_edf_schedulable(&ts, NULL, NULL));
    an_taskset_clear(&ts);

    /* Deadlines and periods close to 2^64. */
    spec edge[] = { { 1, UINT64_MAX, UINT64_MAX, 0, 0 }, { UINT64_MAX - 2, UINT64_MAX, UINT64_MAX - 1, 0, 0 } };
    check_edf(edge, 2, NULL, true, 0, "periods of 2^64 - 1");
    /* With C = 2^64 - 1 the second task alone overruns its deadline:
     * dbf(2^64 - 2) = 2^64 - 1. */
    edge[1].c = UINT64_MAX;
    check_edf(edge, 2, NULL, false, UINT64_MAX - 1, "periods of 2^64 - 1, full");
}

static void test_generated_implicit_sets_at_high_utilisation(void **state)
{
    (void)state;
    /* Large sets with coprime-ish periods from 1 ms to 10 s: the fraction
     * sum outgrows 128 bits, the bound L is large, and the theorem still
     * says yes for every one of them (U <= 1 after rounding C: the
     * generator rounds to the nearest ns, so 0.999 leaves room).  And with
     * one task's C raised until U > 1, no. */
    an_gen_params p = {
        .n = 30, .U = 0.999, .method = AN_GEN_UUNIFAST, .Tmin = 1000000,
        .Tmax = UINT64_C(10000000000), .granularity = 1, .deadlines = AN_GEN_IMPLICIT,
    };
    simrng r;
    simrng_init(&r, 5, "test_edf.gen");
    for (int k = 0; k < 50; k++) {
        an_taskset ts;
        an_gen_taskset(&r, &p, &ts);
        double u = an_edf_utilisation(&ts, NULL);
        assert_true(u <= 1.0);
        uint64_t w;
        if (!an_edf_schedulable(&ts, NULL, &w))
            fail_msg("set %d with U = %.9f: unschedulable at %" PRIu64, k, u, w);
        /* Add 0.002 of the largest period to the first task. */
        ts.t[0].wcet += ts.t[0].period / 500;
        assert_false(an_edf_schedulable(&ts, NULL, NULL));
        an_taskset_clear(&ts);
    }
}

/* ---- misuse ---------------------------------------------------------------- */

static void zero_period(void)
{
    an_task t = { .wcet = 1, .period = 0, .deadline = 1 };
    an_taskset ts = { &t, 1 };
    an_edf_schedulable(&ts, NULL, NULL);
}

static void test_zero_period_is_a_programming_error(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(tu_run_child(zero_period, buf, sizeof buf), "killed by Aborted");
}

/* ---- against an EDF schedule, simulated ---------------------------------------- */

/* Preemptive EDF on one core, in unit time steps, all tasks released
 * together at 0 and then periodically (the synchronous arrival sequence,
 * which is the worst case for EDF with constrained deadlines and no jitter:
 * Baruah, Rosier and Howell 1990, who show that a deadline is missed in
 * some arrival sequence iff one is missed in this one before the end of
 * the first busy period, which is within the hyperperiod).  Ties go to the
 * lower index.  Returns whether every job met its deadline up to the
 * hyperperiod plus the largest deadline. */
static bool simulate_edf(const an_taskset *ts)
{
    uint64_t H = 1, Dmax = 0;
    for (size_t i = 0; i < ts->n; i++) {
        uint64_t a = H, b = ts->t[i].period;
        while (b) {
            uint64_t r = a % b;
            a = b;
            b = r;
        }
        H = H / a * ts->t[i].period;
        Dmax = MAX(Dmax, ts->t[i].deadline);
    }
    uint64_t end = H + Dmax;
    /* per task: remaining work of its current job and that job's absolute
     * deadline; with D <= T at most one job per task is pending */
    uint64_t rem[16] = { 0 }, dl[16] = { 0 };
    for (uint64_t now = 0; now < end; now++) {
        for (size_t i = 0; i < ts->n; i++) {
            if (rem[i] && now >= dl[i])
                return false;                     /* the previous job missed */
            if (now % ts->t[i].period == 0) {
                if (rem[i])
                    return false;
                rem[i] = ts->t[i].wcet;
                dl[i] = now + ts->t[i].deadline;
            }
        }
        size_t pick = ts->n;
        for (size_t i = 0; i < ts->n; i++)
            if (rem[i] && (pick == ts->n || dl[i] < dl[pick]))
                pick = i;
        if (pick < ts->n)
            rem[pick]--;
    }
    for (size_t i = 0; i < ts->n; i++)
        if (rem[i] && end >= dl[i])
            return false;
    return true;
}

static void test_qpa_matches_simulated_edf(void **state)
{
    (void)state;
    /* 400 small seeded sets (2 to 5 tasks, periods 2..20 so hyperperiods
     * stay small, constrained deadlines, no jitter or blocking): the test
     * says schedulable exactly when the simulated schedule meets every
     * deadline (QPA is exact here; the cross-check). */
    simrng r;
    simrng_init(&r, 20261121, "edf-sim");
    int yes = 0, no = 0;
    for (int k = 0; k < 400; k++) {
        an_task t[5];
        size_t n = 2 + (size_t)simrng_below(&r, 4);
        for (size_t i = 0; i < n; i++) {
            uint64_t T = 2 + simrng_below(&r, 19);
            uint64_t C = 1 + simrng_below(&r, MAX(T / 2, 1));
            uint64_t D = C + simrng_below(&r, T - C + 1);
            t[i] = (an_task){ .name = NULL, .period = T, .wcet = C, .deadline = D, .priority = 0, .core = -1 };
        }
        an_taskset ts = { t, n };
        bool analytic = an_edf_schedulable(&ts, NULL, NULL);
        bool simulated = simulate_edf(&ts);
        if (analytic != simulated)
            fail_msg("set %d: QPA says %s, the simulated schedule %s", k, analytic ? "schedulable" : "not",
                     simulated ? "meets every deadline" : "misses one");
        if (simulated)
            yes++;
        else
            no++;
    }
    /* both outcomes occur, so the comparison is not vacuous */
    assert_true(yes > 40 && no > 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implicit_exactly_one),
        cmocka_unit_test(test_implicit_above_one),
        cmocka_unit_test(test_witness_search_bounded),
        cmocka_unit_test(test_constrained_hand_example),
        cmocka_unit_test(test_arbitrary_deadlines),
        cmocka_unit_test(test_jitter_shortens_the_deadline),
        cmocka_unit_test(test_blocking),
        cmocka_unit_test(test_overheads_inflate_each_job),
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_qpa_matches_brute_force),
        cmocka_unit_test(test_near_one_matches_brute_force),
        cmocka_unit_test(test_large_periods_do_not_overflow),
        cmocka_unit_test(test_generated_implicit_sets_at_high_utilisation),
        cmocka_unit_test(test_zero_period_is_a_programming_error),
        cmocka_unit_test(test_qpa_matches_simulated_edf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
