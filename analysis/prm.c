/* analysis/prm.c: the periodic resource model (see prm.h).
 *
 * The supply bound function.  Gamma(Pi, Theta) supplies Theta ns somewhere
 * in every period [k Pi, (k+1) Pi).  The least supply in a window of length
 * t comes from the pattern where the window opens just after a budget given
 * as early as possible in its period, and the next budgets come as late as
 * possible in theirs:
 *
 *     period 0: supply in [0, Theta)        <- window starts at Theta
 *     period 1: supply in [2 Pi - Theta, 2 Pi)
 *     period k: supply in [(k+1) Pi - Theta, (k+1) Pi)
 *
 * The window first sees a blackout of (Pi - Theta) + (Pi - Theta) =
 * 2 (Pi - Theta), then from then on alternates Theta of supply and
 * Pi - Theta of nothing.  Shift time by the first Pi - Theta of the
 * blackout: with t' = t - (Pi - Theta), the rest repeats every Pi as
 * "Pi - Theta of nothing, then Theta of supply".  So
 *
 *     sbf(t) = 0                                         if t <= Pi - Theta,
 *     sbf(t) = j Theta + max(0, r - (Pi - Theta))        otherwise,
 *              where j = floor(t' / Pi), r = t' - j Pi.
 *
 * This is the paper's piecewise form
 *     sbf(t) = t - (k+1)(Pi - Theta)  if t in [(k+1)Pi - 2 Theta, (k+1)Pi - Theta],
 *              (k-1) Theta            otherwise,
 *     k = max(ceil((t - (Pi - Theta)) / Pi), 1)
 * written without the case split on k (tests/test_prm.c checks the two
 * agree).  Theta = Pi gives sbf(t) = t; Theta = 0 gives 0.  j Theta <= t'
 * and the max term is < Theta, so nothing overflows.
 *
 * Its inverse: the x-th ns of supply (x >= 1) arrives in the
 * (j+1)-th supply burst, j = floor((x - 1) / Theta), as its
 * rem = x - j Theta -th ns: t = 2 (Pi - Theta) + j Pi + rem.
 *
 * The EDF bound.  h(t) (dbf plus blocking) is a step function rising only
 * at absolute deadlines t = D'_i + k T_i, and sbf is nondecreasing, so
 * h <= sbf holds everywhere iff it holds at every deadline.  Let L be
 * the lcm of the task periods and Pi, U the utilisation, and
 * t0 = max(max D'_i, Pi).  For t >= t0, h(t + L) = h(t) + U L and
 * sbf(t + L) = sbf(t) + (Theta / Pi) L (every task is past its first
 * deadline, blocking is at its maximum, and sbf is past its initial
 * Pi - Theta).  So:
 *   - U > Theta / Pi: h - sbf grows without bound: unschedulable;
 *   - U <= Theta / Pi: h - sbf does not grow from t to t + L, so a failure
 *     at some t > t0 + L repeats at t - L; checking (0, t0 + L] suffices
 *     (the hyperperiod-plus-deadline bound, with Pi's period included);
 *   - U < Theta / Pi, the paper's linear bound also applies: sbf(t) >=
 *     (Theta / Pi)(t - 2 (Pi - Theta)) and h(t) <= U t + A + Bmax with
 *     A = sum C_i (T_i - D'_i)^+ / T_i, so a failure needs
 *     t (Theta - U Pi) < Pi (A + Bmax) + 2 Theta (Pi - Theta).  With
 *     S = Theta L / Pi - sum C_i L / T_i (an exact integer, > 0), Theta - U
 *     Pi = Pi S / L, and t < N L / (Pi S) with N the right-hand side
 *     rounded up.  The smaller of the two bounds is used.
 *
 * The FP search.  f(t) = sbf^-1(rbf_i(t)) is nondecreasing and
 * rbf_i(t) <= sbf(t) iff f(t) <= t.  From t = 1, t <- f(t) stays at or
 * below every solution (t <= t* implies f(t) <= f(t*) <= t*) and strictly
 * rises until f(t) <= t: it stops at the least solution, or passes the
 * deadline.  This visits a subset of the scheduling points (each f(t) is
 * a point where sbf reaches a value of rbf) and gives the same verdict as
 * checking all of them; with Theta = Pi it is the classic RTA iteration.
 */
#include "analysis/prm.h"

#include <glib.h>

#include "analysis/edf.h"

typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)

static u128 sat_add(u128 a, u128 b)
{
    return a > U128_MAX - b ? U128_MAX : a + b;
}

static u128 sat_mul(u128 a, u128 b)
{
    if (a != 0 && b > U128_MAX / a)
        return U128_MAX;
    return a * b;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

static void check_task(const an_task *tk)
{
    g_assert(tk->period > 0 && tk->wcet > 0 && tk->deadline > 0);
}

uint64_t an_prm_sbf(uint64_t Pi, uint64_t Theta, uint64_t t)
{
    g_assert(Pi > 0 && Theta <= Pi);
    uint64_t gap = Pi - Theta;
    if (t <= gap)
        return 0;
    uint64_t tp = t - gap;
    uint64_t j = tp / Pi, r = tp - j * Pi;
    return j * Theta + (r > gap ? r - gap : 0);
}

uint64_t an_prm_sbf_inverse(uint64_t Pi, uint64_t Theta, uint64_t x)
{
    g_assert(Pi > 0 && Theta <= Pi);
    if (x == 0)
        return 0;
    if (Theta == 0)
        return UINT64_MAX;
    uint64_t j = (x - 1) / Theta, rem = x - j * Theta;
    u128 t = (u128)2 * (Pi - Theta) + (u128)j * Pi + rem;
    return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

/* ---- EDF ---- */

/* max{ B_i : D'_i <= t } (all D'_i > 0 here). */
static uint64_t blocking_at(const an_taskset *ts, uint64_t t)
{
    uint64_t b = 0;
    for (size_t i = 0; i < ts->n; i++) {
        const an_task *tk = &ts->t[i];
        if (tk->deadline - tk->jitter <= t && tk->blocking > b)
            b = tk->blocking;
    }
    return b;
}

bool an_prm_edf(const an_taskset *ts, uint64_t Pi, uint64_t Theta)
{
    g_assert(ts != NULL && Pi > 0 && Theta <= Pi);
    if (ts->n == 0)
        return true;

    /* L = lcm(T_1..T_n, Pi); t0 = max(max D', Pi); Bmax; A rounded up. */
    u128 L = Pi;
    uint64_t t0 = Pi, bmax = 0;
    u128 A = 0;
    for (size_t i = 0; i < ts->n; i++) {
        const an_task *tk = &ts->t[i];
        check_task(tk);
        if (tk->jitter >= tk->deadline)
            return false;                 /* no window at all */
        uint64_t d = tk->deadline - tk->jitter;
        if (d > t0)
            t0 = d;
        if (tk->blocking > bmax)
            bmax = tk->blocking;
        if (tk->period > d) {
            u128 slack = sat_mul(tk->wcet, tk->period - d);
            A = sat_add(A, slack / tk->period + (slack % tk->period != 0));
        }
        L = L / gcd64((uint64_t)(L % tk->period), tk->period) * tk->period;
        /* the line above: lcm(L, T) = L / gcd(L, T) * T, gcd(L, T) =
         * gcd(L mod T, T) (so that gcd64 sees 64-bit values). */
        if (L > UINT64_MAX)
            return false;                 /* hyperperiod too long: not proven */
    }

    /* Demand and supply over L, exactly. */
    u128 demand = 0;
    for (size_t i = 0; i < ts->n; i++)
        demand = sat_add(demand, sat_mul(ts->t[i].wcet, L / ts->t[i].period));
    u128 supply = (u128)Theta * (L / Pi);
    if (demand > supply)
        return false;                     /* U > Theta / Pi */

    u128 bound = L + t0;
    if (demand < supply) {
        u128 S = supply - demand;
        u128 N = sat_add(sat_mul(Pi, sat_add(A, bmax)), (u128)2 * Theta * (Pi - Theta));
        u128 num = sat_mul(N, L), den = sat_mul(Pi, S);
        if (num != U128_MAX && den != U128_MAX) {
            u128 lin = num / den;         /* failures only at t < N L / (Pi S) */
            if (lin < bound)
                bound = lin;
        }
    }
    if (bound > UINT64_MAX)
        return false;                     /* not proven */

    for (size_t i = 0; i < ts->n; i++) {
        const an_task *tk = &ts->t[i];
        for (u128 d = tk->deadline - tk->jitter; d <= bound; d += tk->period) {
            u128 h = (u128)an_edf_dbf(ts, (uint64_t)d) + blocking_at(ts, (uint64_t)d);
            if (h > an_prm_sbf(Pi, Theta, (uint64_t)d))
                return false;
        }
    }
    return true;
}

/* ---- fixed priority ---- */

static u128 rbf(const an_taskset *ts, size_t i, uint64_t t)
{
    const an_task *ti = &ts->t[i];
    u128 w = (u128)ti->blocking + ti->wcet;
    for (size_t k = 0; k < ts->n; k++) {
        const an_task *tk = &ts->t[k];
        if (k == i || tk->priority > ti->priority)
            continue;
        u128 x = (u128)t + tk->jitter;
        u128 jobs = (x + tk->period - 1) / tk->period;
        w = sat_add(w, sat_mul(jobs, tk->wcet));
    }
    return w;
}

bool an_prm_fp(const an_taskset *ts, uint64_t Pi, uint64_t Theta, an_result *out)
{
    g_assert(ts != NULL && Pi > 0 && Theta <= Pi);
    g_assert(ts->n == 0 || out != NULL);
    for (size_t i = 0; i < ts->n; i++) {
        check_task(&ts->t[i]);
        g_assert(ts->t[i].priority >= 0);
    }
    bool all = true;
    for (size_t i = 0; i < ts->n; i++) {
        const an_task *ti = &ts->t[i];
        out[i] = (an_result){ .schedulable = false, .wcrt = 0 };
        uint64_t window = ti->deadline < ti->period ? ti->deadline : ti->period;
        if (ti->jitter >= window) {
            all = false;
            continue;
        }
        uint64_t limit = window - ti->jitter;
        uint64_t t = 1;
        for (;;) {
            u128 r = rbf(ts, i, t);
            uint64_t f = r > UINT64_MAX ? UINT64_MAX : an_prm_sbf_inverse(Pi, Theta, (uint64_t)r);
            if (f <= t) {
                out[i] = (an_result){ .schedulable = true, .wcrt = t + ti->jitter };
                break;
            }
            if (f > limit)
                break;
            t = f;
        }
        if (!out[i].schedulable)
            all = false;
    }
    return all;
}

/* ---- minimum budgets ---- */

static bool fp_ok(const an_taskset *ts, uint64_t Pi, uint64_t Theta)
{
    g_autofree an_result *res = g_new0(an_result, ts->n ? ts->n : 1);
    return an_prm_fp(ts, Pi, Theta, res);
}

static bool min_budget(const an_taskset *ts, uint64_t Pi, uint64_t *Theta,
                       bool (*ok)(const an_taskset *, uint64_t, uint64_t))
{
    g_assert(ts != NULL && Pi > 0 && Theta != NULL);
    if (!ok(ts, Pi, Pi))
        return false;
    uint64_t lo = 0, hi = Pi;              /* ok(hi); the answer is in [lo, hi] */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ok(ts, Pi, mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    *Theta = lo;
    return true;
}

bool an_prm_min_budget_edf(const an_taskset *ts, uint64_t Pi, uint64_t *Theta)
{
    return min_budget(ts, Pi, Theta, an_prm_edf);
}

bool an_prm_min_budget_fp(const an_taskset *ts, uint64_t Pi, uint64_t *Theta)
{
    return min_budget(ts, Pi, Theta, fp_ok);
}
