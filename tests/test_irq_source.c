/* tests/test_irq_source.c: unit tests of the device interrupt sources
 * (model/irq_source.c): periodic, explicit lists and seeded sporadic.
 *
 * What a user would notice if these broke: a periodic device drifting, a
 * lost interrupt not counted as an overrun, or a seeded sporadic device
 * that changes between two runs.  Every expected figure is worked out in
 * the comment above it; the recorder core is in irq_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "irq_fixture.h"

/* ---- sources ----------------------------------------------------------------- */

/* Period 1 us, phase 250 ns: raises at 250,000 + k * 1,000,000 ps.  Run to
 * 3.3 us: k = 0..3, i.e. 250,000; 1,250,000; 2,250,000; 3,250,000. */
static void test_periodic_source(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GIC, 2, 64, 8, 0);
    r.auto_ack = r.auto_end = true;
    GError *err = NULL;
    hwirq_source *p = hwirq_source_periodic(c, 1, 27, SIM_US, 250 * SIM_NS, &err);
    assert_non_null(p);
    run_to(s, 3300 * SIM_NS);
    ASSERT_ACKS(&r, { 1, 27, 250000 }, { 1, 27, 1250000 }, { 1, 27, 2250000 }, { 1, 27, 3250000 });
    hwirq_source_stats st = hwirq_source_get_stats(p);
    assert_int_equal(st.raised, 4);
    assert_int_equal(st.coalesced, 0);
    assert_true(st.next == 4250000);

    /* Created later, at 3.3 us, with phase 0 and period 1 us: the first
     * raise is the first k * 1 us at or after now, 4,000,000 ps.  On an SPI
     * (line 40) targeting core 0. */
    r.nack = 0;
    hwirq_source *q = hwirq_source_periodic(c, 0, 40, SIM_US, 0, &err);
    assert_non_null(q);
    assert_true(hwirq_source_get_stats(q).next == 4000000);
    hwirq_source_stop(p);                           /* p stops: no raise at 4.25 us */
    run_to(s, 5 * SIM_US);
    ASSERT_ACKS(&r, { 0, 40, 4000000 }, { 0, 40, 5000000 });
    assert_true(hwirq_source_get_stats(p).next == SIM_TIME_MAX);
    hwirq_source_stop(p);                           /* idempotent */
    assert_true(hwirq_verify(c));

    /* Nobody takes the interrupt: the first raise pends it, the rest are
     * lost into it (coalesced), which a trace would show as overruns. */
    r.auto_ack = false;
    hwirq_source_stop(q);
    hwirq_source *u = hwirq_source_periodic(c, 0, 41, 100 * SIM_NS, 5 * SIM_US + 1, &err);
    run_to(s, 6 * SIM_US);
    /* Raises at 5,000,001 + k * 100,000 <= 6,000,000: k = 0..9, ten raises. */
    st = hwirq_source_get_stats(u);
    assert_int_equal(st.raised, 1);
    assert_int_equal(st.coalesced, 9);
    hwirq_free(c);
    sim_free(s);
}

/* An explicit list raises at each time; equal times raise once then merge. */
static void test_list_source(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_NVIC, 1, 48, 3, 0);
    r.auto_ack = r.auto_end = true;
    static const sim_time_t times[] = { 100, 100, 5000, 7000 };
    GError *err = NULL;
    hwirq_source *l = hwirq_source_list(c, 0, 33, times, G_N_ELEMENTS(times), &err);
    assert_non_null(l);
    run_to(s, 10000);
    /* The two raises at 100 ps both happen before the core is told (the
     * signal runs after all raises of a picosecond), so the second merges. */
    ASSERT_ACKS(&r, { 0, 33, 100 }, { 0, 33, 5000 }, { 0, 33, 7000 });
    hwirq_source_stats st = hwirq_source_get_stats(l);
    assert_int_equal(st.raised, 3);
    assert_int_equal(st.coalesced, 1);
    assert_true(st.next == SIM_TIME_MAX);

    /* Mistakes are configuration errors naming the entry. */
    static const sim_time_t bad[] = { 20000, 30000, 25000 };
    assert_null(hwirq_source_list(c, 0, 33, bad, 3, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, "times[2]"));
    g_clear_error(&err);
    static const sim_time_t past[] = { 10 };
    assert_null(hwirq_source_list(c, 0, 33, past, 1, &err));
    assert_non_null(strstr(err->message, "times[0]"));
    g_clear_error(&err);
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* Record the first n arrival times of a sporadic source. */
static void sporadic_times(uint64_t seed, const char *stream, hwirq_extra_dist dist,
                           sim_time_t *out, int n, bool with_other)
{
    sim *s = new_sim(seed);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_LAPIC, 1, 256, 0, 0);
    r.auto_ack = r.auto_end = r.quiet = true;
    GError *err = NULL;
    if (with_other)   /* another consumer of randomness must not perturb this one */
        assert_non_null(hwirq_source_sporadic(c, 0, 0x30, 0, 1000, dist, 5000, "irq.other", &err));
    assert_non_null(hwirq_source_sporadic(c, 0, 0x40, 0, 10 * SIM_NS, dist, 20 * SIM_NS, stream, &err));
    int got = 0;
    while (got < n) {
        sim_run(s, SIM_TIME_MAX, 1);
        for (int i = 0; i < r.nack; i++)
            if (r.acks[i].line == 0x40 && got < n)
                out[got++] = r.acks[i].at;
        r.nack = 0;
    }
    hwirq_free(c);
    sim_free(s);
}

/* Seeded sporadic arrivals: identical for the same seed and stream (and
 * unaffected by other streams), different for another seed.  Every gap is
 * at least min_gap (10,000 ps).  Uniform extras are integers 0..20,000 ps,
 * so gaps lie in [10,000, 30,000] and average 10,000 + 10,000 = 20,000 ps.
 * Exponential extras have mean 20,000 ps (less half a picosecond for the
 * rounding down), so gaps average about 30,000 ps.  Over 2,000 gaps both
 * means land within 10% (standard errors: 20,000 / sqrt(12 * 2,000), about
 * 0.6%, and 20,000 / sqrt(2,000), about 2.2% of 30,000's extra part). */
static void test_sporadic_seeded(void **state)
{
    (void)state;
    enum { N = 2000 };
    static sim_time_t a[N], b[N], d[N], e[N];
    for (int dist = 0; dist < 2; dist++) {
        sporadic_times(42, "irq.uart0", dist, a, N, false);
        sporadic_times(42, "irq.uart0", dist, b, N, true);
        sporadic_times(43, "irq.uart0", dist, d, N, false);
        sporadic_times(42, "irq.uart1", dist, e, N, false);
        assert_memory_equal(a, b, sizeof a);
        assert_memory_not_equal(a, d, sizeof a);
        assert_memory_not_equal(a, e, sizeof a);
        sim_time_t sum = 0;
        for (int i = 1; i < N; i++) {
            sim_time_t gap = a[i] - a[i - 1];
            assert_true(gap >= 10 * SIM_NS);
            if (dist == HWIRQ_EXTRA_UNIFORM)
                assert_true(gap <= 30 * SIM_NS);
            sum += gap;
        }
        double mean = (double)sum / (N - 1);
        double want = dist == HWIRQ_EXTRA_UNIFORM ? 20000.0 : 30000.0;
        if (!(mean > 0.9 * want && mean < 1.1 * want))
            fail_msg("%s: mean gap %.1f ps, expected %.0f within 10%%",
                     dist == HWIRQ_EXTRA_UNIFORM ? "uniform" : "exponential", mean, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periodic_source),
        cmocka_unit_test(test_list_source),
        cmocka_unit_test(test_sporadic_seeded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
