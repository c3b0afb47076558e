/* tests/test_fp.c: unit tests of the fixed-priority analysis (analysis/fp.h).
 *
 * Every expected response time is worked out by hand in the test's comment,
 * with the iterates of the recurrence shown; where the task set comes from
 * a published example, the source is named.  The
 * property tests at the end check the analysis against an independent
 * discrete-time simulator written here: the simulated worst case of the
 * release pattern the analysis assumes must equal its result exactly, no
 * random sporadic release pattern may beat it, and Audsley's assignment
 * must succeed exactly when some priority order passes the test.
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
#include "testutil.h"

#define TASK(c, t, d, j, b, p) \
    { .name = NULL, .period = (t), .wcet = (c), .deadline = (d), .jitter = (j), \
      .blocking = (b), .priority = (p), .core = 0 }

#define TS(arr) ((an_taskset){ .t = (arr), .n = G_N_ELEMENTS(arr) })

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

/* ---- an independent discrete-time simulator ------------------------------ */

/* One job: arrives at `arrival` (its response is measured from there), may
 * start at `release`, needs `exec` units. */
typedef struct sim_job {
    int64_t arrival, release, exec, finish;
} sim_job;

/* Jobs that run one after the other in the order given (a task's jobs, or
 * an interrupt source), at one fixed priority (smaller = higher). */
typedef struct sim_chain {
    int prio;
    GArray *jobs;     /* sim_job */
    guint next;       /* first unfinished job */
    int64_t left;     /* what jobs[next] still needs */
} sim_chain;

static void chain_init(sim_chain *c, int prio)
{
    c->prio = prio;
    c->jobs = g_array_new(FALSE, TRUE, sizeof(sim_job));
    c->next = 0;
    c->left = -1;
}

static void chain_add(sim_chain *c, int64_t arrival, int64_t release, int64_t exec)
{
    sim_job j = { arrival, release, exec, -1 };
    g_array_append_val(c->jobs, j);
}

static int job_release_cmp(gconstpointer a, gconstpointer b)
{
    const sim_job *x = a, *y = b;
    return (x->release > y->release) - (x->release < y->release);
}

/* Preemptive fixed priority, one unit of time per step: run the highest
 * priority chain (lowest index among equals) whose next job is released,
 * until every job is done. */
static void sim_run(sim_chain *c, int nc)
{
    int64_t now = INT64_MAX;
    for (int k = 0; k < nc; k++)
        if (c[k].jobs->len > 0)
            now = MIN(now, g_array_index(c[k].jobs, sim_job, 0).release);
    for (;;) {
        int best = -1;
        int64_t wake = INT64_MAX;
        for (int k = 0; k < nc; k++) {
            if (c[k].next >= c[k].jobs->len)
                continue;
            sim_job *j = &g_array_index(c[k].jobs, sim_job, c[k].next);
            if (j->release > now) {
                wake = MIN(wake, j->release);
                continue;
            }
            if (best < 0 || c[k].prio < c[best].prio)
                best = k;
        }
        if (best < 0) {
            if (wake == INT64_MAX)
                return;
            now = wake;
            continue;
        }
        sim_chain *b = &c[best];
        sim_job *j = &g_array_index(b->jobs, sim_job, b->next);
        if (b->left < 0)
            b->left = j->exec;
        b->left--;
        now++;
        if (b->left == 0) {
            j->finish = now;
            b->next++;
            b->left = -1;
        }
    }
}

static int64_t chain_worst_response(const sim_chain *c)
{
    int64_t worst = 0;
    for (guint k = 0; k < c->jobs->len; k++) {
        const sim_job *j = &g_array_index(c->jobs, sim_job, k);
        assert_true(j->finish >= 0);
        worst = MAX(worst, j->finish - j->arrival);
    }
    return worst;
}

static void chains_free(sim_chain *c, int nc)
{
    for (int k = 0; k < nc; k++)
        g_array_free(c[k].jobs, TRUE);
}

enum { SIM_MAX_CHAINS = 16 };

/* The release pattern the analysis of task i assumes, simulated: at time 0
 * a lower-priority job starts a B_i-long non-preemptible section (a
 * top-priority chain), every task in hp(i) and i itself releases a job that
 * arrived J earlier (so job q arrives at q T - J and is released at
 * max(0, q T - J)), and, with overheads, every release of every task is an
 * irq-long top-priority interrupt.  Jobs of i and hp(i) take C + 2
 * ctx_switch + sched + invocation.  Equal-priority tasks run before i.
 * Releases stop at `horizon`.  Returns the worst response of i's jobs. */
static int64_t sim_critical(const an_taskset *ts, const an_overheads *oh, size_t i, int64_t horizon)
{
    sim_chain c[SIM_MAX_CHAINS];
    int nc = 0;
    int64_t extra = 0, irq = 0;
    if (oh) {
        extra = (int64_t)(2 * oh->ctx_switch + oh->sched + oh->invocation);
        irq = (int64_t)oh->irq;
    }
    int mine = -1;
    for (size_t k = 0; k < ts->n; k++) {
        const an_task *t = &ts->t[k];
        if (k != i && t->priority > ts->t[i].priority)
            continue;
        assert_true(nc < SIM_MAX_CHAINS - 2);
        if (k == i)
            mine = nc;
        chain_init(&c[nc], k == i ? 2 * t->priority + 1 : 2 * t->priority);
        for (int64_t a = -(int64_t)t->jitter; a < horizon; a += (int64_t)t->period)
            chain_add(&c[nc], a, MAX(a, 0), (int64_t)t->wcet + extra);
        nc++;
    }
    if (ts->t[i].blocking > 0) {
        chain_init(&c[nc], -2);
        chain_add(&c[nc], 0, 0, (int64_t)ts->t[i].blocking);
        nc++;
    }
    if (irq > 0) {
        chain_init(&c[nc], -1);
        for (size_t k = 0; k < ts->n; k++) {
            const an_task *t = &ts->t[k];
            for (int64_t a = -(int64_t)t->jitter; a < horizon; a += (int64_t)t->period)
                chain_add(&c[nc], a, MAX(a, 0), irq);
        }
        g_array_sort(c[nc].jobs, job_release_cmp);
        nc++;
    }
    sim_run(c, nc);
    int64_t worst = chain_worst_response(&c[mine]);
    chains_free(c, nc);
    return worst;
}

/* ---- random task sets ------------------------------------------------------ */

/* splitmix64 (Steele, Lea and Flood, OOPSLA 2014): a seeded stream local
 * to this test. */
static uint64_t rnd_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (the tiny modulo bias does not matter here). */
static uint64_t rnd_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
    return lo + rnd_next(s) % (hi - lo + 1);
}

/* Periods whose lcm is 120: every hyperperiod below is at most 120. */
static const uint64_t periods[] = { 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30 };
enum { HYPER = 120, MAX_N = 5 };

/* sum (C + extra + irq) / T <= 1, exactly, over the common multiple 120. */
static bool fits(const an_task *t, size_t n, uint64_t extra, uint64_t irq)
{
    uint64_t sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += (t[k].wcet + extra + irq) * (HYPER / t[k].period);
    return sum <= HYPER;
}

/* A random set of 2..MAX_N tasks with U <= 1 (with its overheads): half of
 * the deadlines constrained, half up to 3 T; jitter (up to 1.5 T) and
 * blocking (1..3) on about half the tasks; priorities a random permutation.
 * Overheads of 0 or 1 each on a third of the sets, if they still fit. */
static size_t random_set(uint64_t *s, an_task *t, an_overheads *oh)
{
    size_t n;
    do {
        n = (size_t)rnd_range(s, 2, MAX_N);
        for (size_t k = 0; k < n; k++) {
            uint64_t T = periods[rnd_next(s) % G_N_ELEMENTS(periods)];
            uint64_t C = rnd_range(s, 1, MAX(1, T / 2));
            uint64_t D = rnd_next(s) % 2 ? rnd_range(s, C, T) : rnd_range(s, T + 1, 3 * T);
            uint64_t J = rnd_next(s) % 2 ? rnd_range(s, 0, T + T / 2) : 0;
            uint64_t B = rnd_next(s) % 2 ? rnd_range(s, 1, 3) : 0;
            t[k] = (an_task)TASK(C, T, D, J, B, (int)k);
        }
    } while (!fits(t, n, 0, 0));
    for (size_t k = n; k-- > 1;) {          /* Fisher-Yates on the priorities */
        size_t x = (size_t)(rnd_next(s) % (k + 1));
        int p = t[k].priority;
        t[k].priority = t[x].priority;
        t[x].priority = p;
    }
    *oh = (an_overheads){ 0 };
    if (rnd_next(s) % 3 == 0) {
        an_overheads o = { rnd_next(s) % 2, rnd_next(s) % 2, rnd_next(s) % 2, rnd_next(s) % 2 };
        if (fits(t, n, 2 * o.ctx_switch + o.sched + o.invocation, o.irq))
            *oh = o;
    }
    return n;
}

enum { N_SETS = 1000 };

static void test_property_critical_pattern_matches_simulation(void **state)
{
    (void)state;
    /* For each task of 1000 random sets (seed 1), simulate the release
     * pattern the analysis assumes for it (sim_critical), with jitter,
     * blocking, arbitrary deadlines and overheads, long enough to cover
     * the busy period (U <= 1, hyperperiod <= 120).  A schedulable verdict
     * must give exactly the simulated worst response; an unschedulable one
     * a value that the simulation reaches and that is above D. */
    uint64_t seed = 1;
    int sched = 0, unsched = 0, multi_job = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        an_fp_rta(&ts, &oh, out);
        for (size_t i = 0; i < n; i++) {
            int64_t horizon = 4 * HYPER + 4 * (int64_t)(t[i].deadline + t[i].jitter) + 200;
            int64_t sim = sim_critical(&ts, &oh, i, horizon);
            assert_true(out[i].wcrt != UINT64_MAX);
            if (out[i].schedulable) {
                if ((int64_t)out[i].wcrt != sim)
                    fail_msg("set %d task %zu: analysis %" PRIu64 ", simulation %" PRId64,
                             set, i, out[i].wcrt, sim);
                sched++;
                multi_job += out[i].wcrt > t[i].period + t[i].jitter;   /* w(0) > T */
            } else {
                if (!(sim > (int64_t)t[i].deadline && sim >= (int64_t)out[i].wcrt))
                    fail_msg("set %d task %zu: analysis says %" PRIu64 " > D = %" PRIu64
                             ", simulation %" PRId64, set, i, out[i].wcrt, t[i].deadline, sim);
                unsched++;
            }
        }
    }
    /* Not vacuous: both verdicts, and busy periods of several jobs. */
    print_message("critical pattern: %d schedulable, %d unschedulable, %d with several jobs\n",
                  sched, unsched, multi_job);
    assert_true(sched > 500 && unsched > 500 && multi_job > 100);
}

static void test_property_synchronous_release_hyperperiod(void **state)
{
    (void)state;
    /* The classic check: J = 0, B = 0, no overheads, all tasks
     * released together at 0 and strictly periodically for two hyperperiods
     * (the synchronous release is the critical instant here, for D > T too:
     * Lehoczky 1990), one simulation for the whole set.  Each task's
     * simulated worst response equals the analysis when schedulable, and
     * exceeds D when not. */
    uint64_t seed = 2;
    int compared = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        for (size_t k = 0; k < n; k++)
            t[k].jitter = t[k].blocking = 0;
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        an_fp_rta(&ts, NULL, out);
        sim_chain c[MAX_N];
        for (size_t k = 0; k < n; k++) {
            chain_init(&c[k], t[k].priority);
            for (int64_t a = 0; a < 2 * HYPER; a += (int64_t)t[k].period)
                chain_add(&c[k], a, a, (int64_t)t[k].wcet);
        }
        sim_run(c, (int)n);
        for (size_t k = 0; k < n; k++) {
            int64_t sim = chain_worst_response(&c[k]);
            if (out[k].schedulable ? (int64_t)out[k].wcrt != sim
                                   : !(sim > (int64_t)t[k].deadline && sim >= (int64_t)out[k].wcrt))
                fail_msg("set %d task %zu: analysis %s %" PRIu64 ", simulation %" PRId64, set, k,
                         out[k].schedulable ? "schedulable" : "unschedulable", out[k].wcrt, sim);
            compared++;
        }
        chains_free(c, (int)n);
    }
    assert_true(compared > 2 * N_SETS);
}

static void test_property_random_releases_never_beat_the_bound(void **state)
{
    (void)state;
    /* Soundness against patterns the analysis does not construct: for each
     * random set, five runs with random first arrivals, random extra gaps
     * between arrivals (sporadic) and random release delays in [0, J] (the
     * extremes half the time), blocking not simulated.  No job of a task
     * the analysis finds schedulable may take longer than its bound. */
    uint64_t seed = 3;
    int jobs = 0, tight = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        an_fp_rta(&ts, NULL, out);
        for (int run = 0; run < 5; run++) {
            sim_chain c[MAX_N];
            for (size_t k = 0; k < n; k++) {
                const an_task *tk = &t[k];
                chain_init(&c[k], tk->priority);
                int64_t a = (int64_t)(rnd_next(&seed) % tk->period);
                while (a < 4 * HYPER) {
                    uint64_t x = rnd_next(&seed) % 4;
                    int64_t delay = x == 0 ? 0 : x == 1 ? (int64_t)tk->jitter
                                  : (int64_t)rnd_range(&seed, 0, tk->jitter);
                    chain_add(&c[k], a, a + delay, (int64_t)tk->wcet);
                    a += (int64_t)tk->period;
                    if (rnd_next(&seed) % 4 == 0)
                        a += (int64_t)rnd_range(&seed, 1, tk->period);
                }
            }
            sim_run(c, (int)n);
            for (size_t k = 0; k < n; k++) {
                if (!out[k].schedulable)
                    continue;
                int64_t sim = chain_worst_response(&c[k]);
                if (sim > (int64_t)out[k].wcrt)
                    fail_msg("set %d run %d task %zu: simulated %" PRId64 " beats the bound %" PRIu64,
                             set, run, k, sim, out[k].wcrt);
                jobs += (int)c[k].jobs->len;
                tight += sim == (int64_t)out[k].wcrt;
            }
            chains_free(c, (int)n);
        }
    }
    print_message("random releases: %d jobs checked, bound reached in %d task runs\n", jobs, tight);
    assert_true(jobs > 100000);
}

/* All orders of priorities for t[0..n-1]: does any pass the analysis? */
static bool some_order_works(an_task *t, size_t n, const an_overheads *oh)
{
    int perm[MAX_N];
    for (size_t k = 0; k < n; k++)
        perm[k] = (int)k;
    an_taskset ts = { t, n };
    an_result out[MAX_N];
    for (;;) {
        for (size_t k = 0; k < n; k++)
            t[k].priority = perm[k];
        if (an_fp_rta(&ts, oh, out))
            return true;
        /* next permutation, lexicographic */
        size_t a = n - 1;
        while (a > 0 && perm[a - 1] >= perm[a])
            a--;
        if (a == 0)
            return false;
        size_t b = n - 1;
        while (perm[b] <= perm[a - 1])
            b--;
        int x = perm[a - 1];
        perm[a - 1] = perm[b];
        perm[b] = x;
        for (size_t l = a, r = n - 1; l < r; l++, r--) {
            x = perm[l];
            perm[l] = perm[r];
            perm[r] = x;
        }
    }
}

static void test_property_audsley_optimal(void **state)
{
    (void)state;
    /* For 1000 random sets (with jitter, blocking, D > T and overheads):
     * Audsley's assignment succeeds exactly when one of the n! orders
     * passes the analysis, and its order passes; DM never succeeds where
     * it fails. */
    uint64_t seed = 4;
    int feasible = 0, dm_missed = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        an_task copy[MAX_N];
        memcpy(copy, t, n * sizeof *t);
        bool exists = some_order_works(copy, n, &oh);
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        bool opa = an_fp_assign_audsley(&ts, &oh);
        if (opa != exists)
            fail_msg("set %d: Audsley %s, exhaustive search %s", set, opa ? "found" : "failed",
                     exists ? "found" : "failed");
        if (opa) {
            assert_true(an_fp_rta(&ts, &oh, out));
            feasible++;
        }
        an_fp_assign_dm(&ts);
        bool dm = an_fp_rta(&ts, &oh, out);
        assert_true(!dm || opa);
        dm_missed += opa && !dm;
    }
    print_message("Audsley: %d of %d sets feasible, %d of them missed by DM\n", feasible, N_SETS,
                  dm_missed);
    assert_true(feasible > 100 && dm_missed > 0);
}

static void test_property_critical_pattern_example(void **state)
{
    (void)state;
    /* The simulator on the hand examples: Lehoczky's fifth job (118) and
     * the never-ending busy period (3). */
    an_task t[] = { TASK(26, 70, 70, 0, 0, 0), TASK(62, 100, 120, 0, 0, 1) };
    an_taskset ts = TS(t);
    assert_int_equal(sim_critical(&ts, NULL, 1, 1400), 118);
    an_task u[] = { TASK(1, 2, 2, 1, 0, 0), TASK(1, 2, 10, 0, 0, 1) };
    an_taskset us = TS(u);
    assert_int_equal(sim_critical(&us, NULL, 1, 1000), 3);
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
        cmocka_unit_test(test_property_critical_pattern_example),
        cmocka_unit_test(test_property_critical_pattern_matches_simulation),
        cmocka_unit_test(test_property_synchronous_release_hyperperiod),
        cmocka_unit_test(test_property_random_releases_never_beat_the_bound),
        cmocka_unit_test(test_property_audsley_optimal),
    };
    return cmocka_run_group_tests_name("fp", tests, NULL, NULL);
}
