/* tests/test_fp.c: unit tests of the fixed-priority analysis (analysis/fp.h)
 * on hand-worked examples.
 *
 * Every expected response time is worked out by hand in the test's comment,
 * with the iterates of the recurrence shown; where the task set comes from
 * a published example, the source is named.  The property tests, against
 * an independent simulator, are in test_fp_property.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <glib.h>

#include "analysis/fp.h"
#include "fp_util.h"
#include "testutil.h"

/* The verdict and response time of task i, printing both on a mismatch. */
#define assert_rt(out, i, want_sched, want_wcrt) do { \
        const an_result *r_ = &(out)[i]; \
        bool s_ = (want_sched); uint64_t w_ = (want_wcrt); \
        if (r_->schedulable != s_ || r_->wcrt != w_) \
            fail_msg("task %d: %s, wcrt %" PRIu64 "; expected %s, wcrt %" PRIu64, (int)(i), \
                     r_->schedulable ? "schedulable" : "unschedulable", r_->wcrt, \
                     s_ ? "schedulable" : "unschedulable", w_); \
    } while (0)

/* |got - want| <= tol. */
#define assert_near(got, want, tol) do { \
        double g_ = (got), w_ = (want), t_ = (tol); \
        if (!(fabs(g_ - w_) <= t_)) \
            fail_msg("%s = %.12g, expected %.12g +- %.3g", #got, g_, w_, t_); \
    } while (0)

/* ---- textbook examples ------------------------------------------------- */

static void test_buttazzo_rm_example(void **state)
{
    (void)state;
    /* The task set (C, T) = (1, 4), (2, 6), (3, 10), D = T, as usually
     * quoted from the response-time example in Buttazzo, "Hard Real-Time
     * Computing Systems", 3rd ed., ch. 4 (not checked against the book);
     * the figures below are worked out here, not copied.
     * RM order is index order.
     *   R1 = 1.
     *   R2: w = 2 + ceil(w/4)*1: 2 -> 3 -> 3.                       R2 = 3.
     *   R3: w = 3 + ceil(w/4)*1 + ceil(w/6)*2:
     *       3 -> 3+1+2 = 6 -> 3+2+2 = 7 -> 3+2+4 = 9 -> 3+3+4 = 10 -> 10.
     *                                                                R3 = 10 = D3.
     * U = 1/4 + 2/6 + 3/10 = 0.8833, above the Liu-Layland bound for three
     * tasks (0.7798): schedulable by the exact test, not by the bound. */
    an_task t[] = { TASK(1, 4, 4, 0, 0, 9), TASK(2, 6, 6, 0, 0, 9), TASK(3, 10, 10, 0, 0, 9) };
    an_taskset ts = TS(t);
    an_fp_assign_rm(&ts);
    assert_int_equal(t[0].priority, 0);
    assert_int_equal(t[1].priority, 1);
    assert_int_equal(t[2].priority, 2);
    an_result out[3];
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 1);
    assert_rt(out, 1, true, 3);
    assert_rt(out, 2, true, 10);
    assert_true(an_fp_utilisation(&ts, NULL) > an_fp_ll_bound(3));
    assert_near(an_fp_utilisation(&ts, NULL), 0.25 + 2.0 / 6.0 + 0.3, 1e-15);

    /* One more ns of C3 and task 3 misses: w = 4 -> 4+1+2 = 7 -> 4+2+4 = 10
     * -> 4+3+4 = 11 > 10, reported as 11, although U = 0.983 < 1. */
    t[2].wcet = 4;
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 1);
    assert_rt(out, 1, true, 3);
    assert_rt(out, 2, false, 11);
}

static void test_liu_layland_bound_values(void **state)
{
    (void)state;
    /* n (2^(1/n) - 1): 1, 2(sqrt2 - 1) = 0.828427..., 3(cbrt2 - 1) =
     * 0.779763..., 10(2^0.1 - 1) = 0.717734...; ln 2 = 0.693147... in the
     * limit (values from the closed forms, to 12 digits). */
    assert_near(an_fp_ll_bound(0), 1.0, 0.0);
    assert_near(an_fp_ll_bound(1), 1.0, 0.0);
    assert_near(an_fp_ll_bound(2), 0.828427124746, 1e-12);
    assert_near(an_fp_ll_bound(3), 0.779763149685, 1e-12);
    assert_near(an_fp_ll_bound(10), 0.717734625363, 1e-12);
    assert_near(an_fp_ll_bound(1000000), 0.693147180560, 1e-6);
}

static void test_at_liu_layland_bound_schedulable(void **state)
{
    (void)state;
    /* Liu and Layland's worst case for n = 3: periods in ratio 2^(1/3),
     * C_i = T_{i+1} - T_i, C_3 = 2 T_1 - T_3.  The bound is irrational, so
     * an integer set can only approach it: T = 1000, 1260, 1587 (1000 *
     * 2^(1/3) = 1259.92, 1000 * 2^(2/3) = 1587.40) gives C = 260, 327, 413
     * and U = 0.26 + 327/1260 + 413/1587 = 0.7797632550, 1.05e-7 above the
     * bound 0.7797631497 (the rounding can only move U up: the bound is the
     * minimum of U over this family).
     *   R1 = 260.
     *   R2: 327 -> 327+260 = 587 -> 587.                           R2 = 587.
     *   R3: 413 -> 413+260+327 = 1000 -> 1000 (task 1's second job is
     *       released at 1000, exactly when task 3 completes).      R3 = 1000.
     * The set fully uses the processor: with C3 = 414, w = 414 -> 1001 ->
     * 414+520+327 = 1261 -> 414+520+654 = 1588 > 1587, reported as 1588. */
    an_task t[] = { TASK(260, 1000, 1000, 0, 0, 0), TASK(327, 1260, 1260, 0, 0, 1),
                    TASK(413, 1587, 1587, 0, 0, 2) };
    an_taskset ts = TS(t);
    double u = an_fp_utilisation(&ts, NULL);
    assert_true(u >= an_fp_ll_bound(3) && u - an_fp_ll_bound(3) < 2e-7);
    an_result out[3];
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 260);
    assert_rt(out, 1, true, 587);
    assert_rt(out, 2, true, 1000);
    t[2].wcet = 414;
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 2, false, 1588);
}

static void test_above_bound_harmonic_schedulable(void **state)
{
    (void)state;
    /* Harmonic periods reach U = 1 under RM: (1, 2), (1, 4), (2, 8).
     *   R1 = 1.  R2: 1 -> 1+1 = 2 -> 2.
     *   R3: 2 -> 2+1+1 = 4 -> 2+2+1 = 5 -> 2+3+2 = 7 -> 2+4+2 = 8 -> 8. */
    an_task t[] = { TASK(1, 2, 2, 0, 0, 0), TASK(1, 4, 4, 0, 0, 1), TASK(2, 8, 8, 0, 0, 2) };
    an_taskset ts = TS(t);
    assert_near(an_fp_utilisation(&ts, NULL), 1.0, 0.0);
    an_result out[3];
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 1);
    assert_rt(out, 1, true, 2);
    assert_rt(out, 2, true, 8);
}

static void test_jitter_and_blocking(void **state)
{
    (void)state;
    /* Constructed here (priorities by index):
     *   task 1: C=2, T=10, D=10, J=5, B=1
     *   task 2: C=3, T=15, D=15, J=2, B=1
     *   task 3: C=7, T=40, D=40, J=4, B=0
     * R1: w = 1 + 2 = 3.                               R1 = 3 + J1 = 8.
     * R2: w = 1 + 3 + ceil((w+5)/10)*2: 4 -> 6 -> 4+4 = 8 -> 8 (ceil(13/10)
     *     = 2: task 1's jitter brings its second job into the window).
     *                                                  R2 = 8 + J2 = 10.
     * R3: w = 7 + ceil((w+5)/10)*2 + ceil((w+2)/15)*3:
     *     7 -> 7+4+3 = 14 -> 7+4+6 = 17 -> 7+6+6 = 19 -> 7+6+6 = 19.
     *                                                  R3 = 19 + J3 = 23.
     * Without jitter and blocking R3 would be 7 -> 12 -> 14 -> 14. */
    an_task t[] = { TASK(2, 10, 10, 5, 1, 0), TASK(3, 15, 15, 2, 1, 1), TASK(7, 40, 40, 4, 0, 2) };
    an_taskset ts = TS(t);
    an_result out[3];
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 8);
    assert_rt(out, 1, true, 10);
    assert_rt(out, 2, true, 23);
    /* A jitter of D or more can never be met: R1 = 3 + 10 = 13 > 10. */
    t[0].jitter = 10;
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, false, 13);
    /* Zero jitter and blocking: R3 = 14. */
    for (int i = 0; i < 3; i++)
        t[i].jitter = t[i].blocking = 0;
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 2, true, 14);
}

static void test_overloaded_level_far_deadline(void **state)
{
    (void)state;
    /* Found by fuzzing (issue 19): task 1 (C=T=1000) fills the core, task 2
     * (C=2000, T=3000) has a deadline 2^64 - 2 ns away.  Level-2
     * utilisation 1 + 2/3 > 1: job 0's recurrence has no fixed point,
     * w = 2000 + 1000 ceil(w/1000) climbs by 2000 a step, and before the
     * fix only the deadline ended it (about 10^16 steps).  fp.h: above 1
     * and job 0 past T_2, the response is unbounded. */
    an_task t[] = { TASK(1000, 1000, 1000, 0, 0, 0), TASK(2000, 3000, UINT64_MAX - 1, 0, 0, 1) };
    an_taskset ts = TS(t);
    an_result out[2];
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 1000);
    assert_rt(out, 1, false, UINT64_MAX);
}

static void test_arbitrary_deadline_worst_job_not_first(void **state)
{
    (void)state;
    /* Lehoczky's example of D > T (RTSS 1990, as quoted again by Tindell,
     * Burns and Wellings, Real-Time Systems 6(2), 1994; recalled, and the
     * figures recomputed here): task 1 (C=26, T=70), task 2 (C=62, T=100),
     * task 1 higher.  The busy period for task 2,
     * w(q) = (q+1)*62 + ceil(w/70)*26, R(q) = w(q) - 100 q:
     *   q=0:  88 -> 114 -> 114                 R = 114  (114 > 100: go on)
     *   q=1: 176 -> 202 -> 202                 R = 102  (202 > 200)
     *   q=2: 264 -> 290 -> 316 -> 316          R = 116  (316 > 300)
     *   q=3: 378 -> 404 -> 404                 R = 104  (404 > 400)
     *   q=4: 466 -> 492 -> 518 -> 518          R = 118  (518 > 500)
     *   q=5: 580 -> 606 -> 606                 R = 106  (606 > 600)
     *   q=6: 668 -> 694 -> 694                 R =  94  (694 <= 700: end)
     * (each q starts from w(q-1) + 62; the first iterate of q=0 is 62).
     * The worst case is the fifth job: 118. */
    an_task t[] = { TASK(26, 70, 70, 0, 0, 0), TASK(62, 100, 120, 0, 0, 1) };
    an_taskset ts = TS(t);
    an_result out[2];
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 26);
    assert_rt(out, 1, true, 118);
    /* D = 118 just holds; D = 117 fails at q=4, iterate 518 -> 118. */
    t[1].deadline = 118;
    assert_true(an_fp_rta(&ts, NULL, out));
    t[1].deadline = 117;
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 1, false, 118);
    /* D = 115: q=0 passes (114), q=2 stops at its third iterate,
     * 316 - 200 = 116 > 115, before job 5 is looked at. */
    t[1].deadline = 115;
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 1, false, 116);
}

static void test_busy_period_never_ends(void **state)
{
    (void)state;
    /* Level-2 utilisation exactly 1 with jitter: task 1 (C=1, T=2, J=1),
     * task 2 (C=1, T=2, D=10).  w(q) = (q+1) + ceil((w+1)/2):
     *   q=0: 1 -> 1+1 = 2 -> 1+2 = 3 -> 3,    R = 3;
     *   q=1: 4 -> 2+3 = 5 -> 5,               R = 5 - 2 = 3;
     * and in general w(q) = 2q + 3 > 2(q+1): the busy period never ends,
     * but every job's response is 3.  The analysis stops after m = L/T2 = 1
     * job (fp.c: with U <= 1 job q+m is never worse than job q). */
    an_task t[] = { TASK(1, 2, 2, 1, 0, 0), TASK(1, 2, 10, 0, 0, 1) };
    an_taskset ts = TS(t);
    an_result out[2];
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 2);    /* 1 + J1 */
    assert_rt(out, 1, true, 3);
    /* D = 2: the third iterate of q=0 gives 3 > 2. */
    t[1].deadline = 2;
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 1, false, 3);
}

static void test_overload_with_long_deadline_unbounded(void **state)
{
    (void)state;
    /* Task 1 (1, 2) above task 2 (C=2, T=3, D=1000): U = 1/2 + 2/3 > 1.
     * q=0: 2 -> 3 -> 4 -> 4, R = 4 <= 1000, but 4 > 3 so the busy period
     * goes on; over L = 6 the demand is 1*3 + 2*2 = 7 > 6, so responses grow
     * without bound: unschedulable, wcrt UINT64_MAX, whatever D is. */
    an_task t[] = { TASK(1, 2, 2, 0, 0, 0), TASK(2, 3, 1000, 0, 0, 1) };
    an_taskset ts = TS(t);
    an_result out[2];
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 1);
    assert_rt(out, 1, false, UINT64_MAX);
}

static void test_equal_priorities_interfere_both_ways(void **state)
{
    (void)state;
    /* (1, 4) and (2, 6) at the same priority: each is charged the other.
     * R1: 1 -> 1+2 = 3 -> 3.  R2: 2 -> 2+1 = 3 -> 3.
     * A third task below them sees both, as under RM: R3 = 10 (as in the
     * Buttazzo example above). */
    an_task t[] = { TASK(1, 4, 4, 0, 0, 0), TASK(2, 6, 6, 0, 0, 0), TASK(3, 10, 10, 0, 0, 1) };
    an_taskset ts = TS(t);
    an_result out[3];
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 3);
    assert_rt(out, 1, true, 3);
    assert_rt(out, 2, true, 10);
}

static void test_unschedulable_set(void **state)
{
    (void)state;
    /* (2, 4), (3, 6), (1, 12) in RM order: U = 0.5 + 0.5 + 0.083 > 1.
     *   R1 = 2.
     *   R2: 3 -> 3+2 = 5 -> 3+4 = 7 > 6: reported 7.
     *   R3: 1 -> 1+2+3 = 6 -> 1+4+3 = 8 -> 1+4+6 = 11 -> 1+6+6 = 13 > 12:
     *       reported 13, the first iterate above D. */
    an_task t[] = { TASK(2, 4, 4, 0, 0, 0), TASK(3, 6, 6, 0, 0, 1), TASK(1, 12, 12, 0, 0, 2) };
    an_taskset ts = TS(t);
    an_result out[3];
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 2);
    assert_rt(out, 1, false, 7);
    assert_rt(out, 2, false, 13);
}

static void test_overheads(void **state)
{
    (void)state;
    /* (10, 100) above (20, 200), D = T, with ctx_switch = sched = invocation
     * = 1 and irq = 2: each job costs C + 2*1 + 1 + 1 = C + 4, and each
     * release of either task is a 2 ns interrupt.
     *   R1: 14 -> 14 + 2*(ceil(14/100) + ceil(14/200)) = 18 -> 18.  The
     *       interrupt that releases task 2 is charged to task 1 too.
     *   R2: 24 -> 24 + ceil(24/100)*14 + 2*(1 + 1) = 42 -> 42.
     * U charged = (10+4+2)/100 + (20+4+2)/200 = 0.29. */
    an_task t[] = { TASK(10, 100, 100, 0, 0, 0), TASK(20, 200, 200, 0, 0, 1) };
    an_taskset ts = TS(t);
    an_overheads oh = { .ctx_switch = 1, .sched = 1, .irq = 2, .invocation = 1 };
    an_result out[2];
    assert_true(an_fp_rta(&ts, &oh, out));
    assert_rt(out, 0, true, 18);
    assert_rt(out, 1, true, 42);
    assert_near(an_fp_utilisation(&ts, &oh), 0.29, 1e-15);
    assert_near(an_fp_utilisation(&ts, NULL), 0.2, 1e-15);

    /* Zero overheads are no overheads. */
    an_overheads zero = { 0 };
    assert_true(an_fp_rta(&ts, &zero, out));
    assert_rt(out, 0, true, 10);
    assert_rt(out, 1, true, 30);

    /* Interrupts from the releases of a task below: task 2 becomes (20,
     * T=25) below task 1 (10, 100, D=13), with irq = 2 and nothing else.
     *   R1: 10 -> 10 + 2*(ceil(10/100) + ceil(10/25)) = 14 > 13:
     * task 1 fails because of a lower-priority task's release interrupt
     * (and its own); reported 14. */
    t[1].period = t[1].deadline = 25;
    t[0].deadline = 13;
    an_overheads irq_only = { .irq = 2 };
    assert_false(an_fp_rta(&ts, &irq_only, out));
    assert_rt(out, 0, false, 14);
}

static void test_saturation(void **state)
{
    (void)state;
    /* Windows beyond 2^64 ns are reported as unbounded, not wrapped. */
    const uint64_t half = UINT64_C(1) << 63, max = UINT64_MAX;
    an_task t[] = { TASK(half, max, max, 0, 0, 0), TASK(half, max, max, 0, 0, 1) };
    an_taskset ts = TS(t);
    an_result out[2];
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, half);
    assert_rt(out, 1, false, UINT64_MAX);     /* 2^63 + 2^63 overflows */

    an_task u[] = { TASK(2, 10, max, max - 1, 0, 0) };
    an_taskset us = TS(u);
    assert_false(an_fp_rta(&us, NULL, out));  /* w + J overflows */
    assert_rt(out, 0, false, UINT64_MAX);

    an_task v[] = { TASK(1, 10, 10, 0, 0, 0) };
    an_taskset vs = TS(v);
    an_overheads huge = { .ctx_switch = max / 2 + 1 };
    assert_false(an_fp_rta(&vs, &huge, out));
    assert_rt(out, 0, false, UINT64_MAX);
    assert_true(an_fp_assign_audsley(&vs, NULL));
    assert_false(an_fp_assign_audsley(&vs, &huge));
}

static void test_busy_period_job_limit(void **state)
{
    (void)state;
    /* Task 3 (C=2097154, T=2^22+3, D=2^62) below task 1 (2^21, T=2^22+1)
     * and task 2 (1, T=2^22+5).  The periods are pairwise coprime, so the
     * hyperperiod is about 2^66 and the exact utilisation check cannot run.
     * U = 2^21/(2^22+1) + 1/(2^22+5) + 2097154/(2^22+3) = 1 + 2.4e-7
     * (exact fractions): responses grow without bound, but only by about
     * T3 (U - 1) = 1 ns per job, so after AN_FP_MAX_BUSY_JOBS jobs they are
     * still far below D.  The loop gives up there and says "unbounded",
     * which is the truth.  With C3 one less, U = 1 - 1.7e-13: the busy
     * period may end, but not within the limit, and the answer is the same,
     * pessimistically (fp.h).  (A separate Python transcription of the
     * recurrence agrees: in both cases the busy period has not ended after
     * 10^6 jobs, the worst response so far being about 6.3 ms.)  Tasks 1
     * and 2 are unaffected: R1 = 2^21, R2 = 1 + 2^21. */
    const uint64_t p = UINT64_C(1) << 22;
    an_task t[] = { TASK(p / 2, p + 1, p + 1, 0, 0, 0), TASK(1, p + 5, p + 5, 0, 0, 1),
                    TASK(2097154, p + 3, UINT64_C(1) << 62, 0, 0, 2) };
    an_taskset ts = TS(t);
    an_result out[3];
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, p / 2);
    assert_rt(out, 1, true, p / 2 + 1);
    assert_rt(out, 2, false, UINT64_MAX);
    t[2].wcet--;
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 2, false, UINT64_MAX);
}

static void test_empty_set(void **state)
{
    (void)state;
    an_taskset ts = { .t = NULL, .n = 0 };
    assert_true(an_fp_rta(&ts, NULL, NULL));
    an_fp_assign_rm(&ts);
    an_fp_assign_dm(&ts);
    assert_true(an_fp_assign_audsley(&ts, NULL));
    assert_near(an_fp_utilisation(&ts, NULL), 0.0, 0.0);
}

/* ---- priority assignment ----------------------------------------------- */

static void test_rm_and_dm_differ(void **state)
{
    (void)state;
    /* a: C=2, T=10, D=10; b: C=3, T=12, D=4.
     * RM puts a first: R_b: 3 -> 3+2 = 5 > 4, reported 5.
     * DM puts b first: R_b = 3, R_a: 2 -> 2+3 = 5 -> 5 <= 10. */
    an_task t[] = { TASK(2, 10, 10, 0, 0, -1), TASK(3, 12, 4, 0, 0, -1) };
    an_taskset ts = TS(t);
    an_result out[2];
    an_fp_assign_rm(&ts);
    assert_int_equal(t[0].priority, 0);
    assert_int_equal(t[1].priority, 1);
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 1, false, 5);
    an_fp_assign_dm(&ts);
    assert_int_equal(t[0].priority, 1);
    assert_int_equal(t[1].priority, 0);
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 5);
    assert_rt(out, 1, true, 3);
}

static void test_assignment_tie_breaks(void **state)
{
    (void)state;
    /* DM: equal deadlines go by period, then index; RM: equal periods by
     * index. */
    an_task t[] = { TASK(1, 10, 5, 0, 0, -1), TASK(1, 8, 5, 0, 0, -1), TASK(1, 8, 5, 0, 0, -1),
                    TASK(1, 8, 3, 0, 0, -1) };
    an_taskset ts = TS(t);
    an_fp_assign_dm(&ts);
    assert_int_equal(t[3].priority, 0);
    assert_int_equal(t[1].priority, 1);
    assert_int_equal(t[2].priority, 2);
    assert_int_equal(t[0].priority, 3);
    an_fp_assign_rm(&ts);
    assert_int_equal(t[1].priority, 0);
    assert_int_equal(t[2].priority, 1);
    assert_int_equal(t[3].priority, 2);
    assert_int_equal(t[0].priority, 3);
    /* Audsley: of two tasks that both fit at a level, the lower index
     * takes it.  (1, 10) twice: either fits at the bottom (R = 2). */
    an_task u[] = { TASK(1, 10, 10, 0, 0, -1), TASK(1, 10, 10, 0, 0, -1) };
    an_taskset us = TS(u);
    assert_true(an_fp_assign_audsley(&us, NULL));
    assert_int_equal(u[0].priority, 1);
    assert_int_equal(u[1].priority, 0);
}

static void test_audsley_beats_dm_with_jitter(void **state)
{
    (void)state;
    /* a: C=2, T=20, D=5, J=0; b: C=2, T=20, D=6, J=4.
     * DM puts a (D=5) first.  R_b: 2 -> 2+2 = 4, response 4 + 4 = 8 > 6:
     * reported 8 (the first iterate, 2 + 4 = 6, still fits).
     * Audsley, lowest level first, a tried first: R_a with b above:
     * 2 -> 2 + ceil((2+4)/20)*2 = 4 -> 4 <= 5, so a takes level 1; b alone
     * at level 0: 2 + J = 6 <= 6.  (b's window D - J = 2 is what counts.) */
    an_task t[] = { TASK(2, 20, 5, 0, 0, -1), TASK(2, 20, 6, 4, 0, -1) };
    an_taskset ts = TS(t);
    an_result out[2];
    an_fp_assign_dm(&ts);
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 1, false, 8);
    assert_true(an_fp_assign_audsley(&ts, NULL));
    assert_int_equal(t[0].priority, 1);
    assert_int_equal(t[1].priority, 0);
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 4);
    assert_rt(out, 1, true, 6);
}

static void test_audsley_beats_dm_with_long_deadline(void **state)
{
    (void)state;
    /* With D > T, DM is not optimal either.  a: C=1, T=2, D=4; b: C=3,
     * T=6, D=5 (U = 1).
     * DM puts a (D=4) first.  R_b: 3 -> 3+2 = 5 -> 3+3 = 6 > 5: reported 6.
     * b first instead: R_b = 3.  R_a, w(q) = (q+1) + ceil(w/6)*3:
     *   q=0: 1 -> 4 -> 4,   R = 4       (4 > 2: the busy period goes on)
     *   q=1: 5 -> 5,        R = 5-2 = 3 (5 > 4)
     *   q=2: 6 -> 6,        R = 6-4 = 2 (6 <= 6: end)
     * so R_a = 4 <= 4: a, tried first for the lowest level, takes it. */
    an_task t[] = { TASK(1, 2, 4, 0, 0, -1), TASK(3, 6, 5, 0, 0, -1) };
    an_taskset ts = TS(t);
    an_result out[2];
    an_fp_assign_dm(&ts);
    assert_int_equal(t[0].priority, 0);
    assert_false(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 1, false, 6);
    assert_true(an_fp_assign_audsley(&ts, NULL));
    assert_int_equal(t[0].priority, 1);
    assert_int_equal(t[1].priority, 0);
    assert_true(an_fp_rta(&ts, NULL, out));
    assert_rt(out, 0, true, 4);
    assert_rt(out, 1, true, 3);
}

static void test_no_assignment_exists(void **state)
{
    (void)state;
    /* Two copies of (C=2, T=4, D=3): whichever is lower waits for the other,
     * 2 -> 4 -> 4 > 3.  Audsley finds no task for the lowest level, and the
     * priorities are left as they were. */
    an_task t[] = { TASK(2, 4, 3, 0, 0, 7), TASK(2, 4, 3, 0, 0, 9) };
    an_taskset ts = TS(t);
    assert_false(an_fp_assign_audsley(&ts, NULL));
    assert_int_equal(t[0].priority, 7);
    assert_int_equal(t[1].priority, 9);
}

/* ---- misuse ------------------------------------------------------------ */

static void rta_zero_period(void)
{
    an_task t[] = { TASK(1, 0, 10, 0, 0, 0) };
    an_taskset ts = TS(t);
    an_result out[1];
    an_fp_rta(&ts, NULL, out);
}

static void rta_unset_priority(void)
{
    an_task t[] = { TASK(1, 10, 10, 0, 0, -1) };
    an_taskset ts = TS(t);
    an_result out[1];
    an_fp_rta(&ts, NULL, out);
}

static void test_misuse_is_asserted(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(tu_run_child(rta_zero_period, buf, sizeof buf), "killed by Aborted");
    assert_string_equal(tu_run_child(rta_unset_priority, buf, sizeof buf), "killed by Aborted");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buttazzo_rm_example),
        cmocka_unit_test(test_liu_layland_bound_values),
        cmocka_unit_test(test_at_liu_layland_bound_schedulable),
        cmocka_unit_test(test_above_bound_harmonic_schedulable),
        cmocka_unit_test(test_jitter_and_blocking),
        cmocka_unit_test(test_arbitrary_deadline_worst_job_not_first),
        cmocka_unit_test(test_busy_period_never_ends),
        cmocka_unit_test(test_overload_with_long_deadline_unbounded),
        cmocka_unit_test(test_equal_priorities_interfere_both_ways),
        cmocka_unit_test(test_unschedulable_set),
        cmocka_unit_test(test_overheads),
        cmocka_unit_test(test_saturation),
        cmocka_unit_test(test_busy_period_job_limit),
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_rm_and_dm_differ),
        cmocka_unit_test(test_assignment_tie_breaks),
        cmocka_unit_test(test_audsley_beats_dm_with_jitter),
        cmocka_unit_test(test_audsley_beats_dm_with_long_deadline),
        cmocka_unit_test(test_no_assignment_exists),
        cmocka_unit_test(test_misuse_is_asserted),
        cmocka_unit_test(test_overloaded_level_far_deadline),
    };
    return cmocka_run_group_tests_name("fp", tests, NULL, NULL);
}
