/* analysis/edf.c: the processor-demand test for uniprocessor EDF, with QPA
 * (see edf.h for the model and its sources).
 *
 * Shape of the test:
 *  1. Prepare each task: C' = C + overheads, D' = D - J (J >= D: fail at 0).
 *  2. Compare U = sum C'/T with 1, exactly.  U > 1 fails.
 *  3. Bound the instants to check: a first violation, if any, lies at or
 *     below L = min(L_a, L_b) (derivations at bound_la() and bound_lb());
 *     with blocking, L_a alone, or for U = 1 the hyperperiod bound
 *     (bound_hyper()).
 *  4. QPA from L downwards.  If it finds a violation and the caller wants
 *     the first one, bisect with QPA as the oracle (first_violation()).
 *
 * All demand arithmetic is unsigned 128-bit, saturating, so no 64-bit input
 * can overflow it.  The only floating point is in the bound L_a, which is
 * rounded up with an explicit error margin: L can come out larger than
 * needed (more work) but never smaller (a missed violation).
 */
#include "analysis/edf.h"

#include <float.h>
#include <math.h>
#include <glib.h>

typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)

/* One task as the test sees it. */
typedef struct edf_task {
    uint64_t c;          /* wcet + per-job overheads, saturated */
    uint64_t t;          /* period */
    uint64_t d;          /* D - J, > 0 */
    uint64_t b;          /* blocking */
} edf_task;

typedef struct edf_set {
    edf_task *v;
    size_t n;
    uint64_t d_min, d_max, b_max;
} edf_set;

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
    uint64_t s;
    return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

static inline u128 sat_add128(u128 a, u128 b)
{
    u128 s = a + b;
    return s < a ? U128_MAX : s;
}

static inline u128 sat_mul128(u128 a, u128 b)
{
    if (a != 0 && b > U128_MAX / a)
        return U128_MAX;
    return a * b;
}

static uint64_t inflated_wcet(const an_task *tk, const an_overheads *oh)
{
    uint64_t c = tk->wcet;
    if (oh) {
        c = sat_add(c, oh->ctx_switch);
        c = sat_add(c, oh->ctx_switch);
        c = sat_add(c, oh->sched);
        c = sat_add(c, oh->invocation);
    }
    return c;
}

static void check_task(const an_task *tk)
{
    g_assert(tk->period > 0);
    g_assert(tk->wcet > 0);
    g_assert(tk->deadline > 0);
}

/* Fills s from ts.  Returns false when some task has J >= D: its jobs can
 * be released at their deadline, and h(0) >= C > 0. */
static bool prepare(const an_taskset *ts, const an_overheads *oh, edf_set *s)
{
    s->n = ts->n;
    s->v = g_new(edf_task, ts->n);
    s->d_min = UINT64_MAX;
    s->d_max = 0;
    s->b_max = 0;
    bool ok = true;
    for (size_t i = 0; i < ts->n; i++) {
        const an_task *tk = &ts->t[i];
        check_task(tk);
        edf_task *e = &s->v[i];
        e->c = inflated_wcet(tk, oh);
        e->t = tk->period;
        e->b = tk->blocking;
        if (tk->jitter >= tk->deadline) {
            ok = false;
            e->d = 0;
            continue;
        }
        e->d = tk->deadline - tk->jitter;
        s->d_min = MIN(s->d_min, e->d);
        s->d_max = MAX(s->d_max, e->d);
        s->b_max = MAX(s->b_max, e->b);
    }
    return ok;
}

/* h(t) = sum_i dbf_i(t) + B(t), exact in 128 bits (saturating).
 * dbf_i(t) = (floor((t - D'_i) / T_i) + 1) C_i for t >= D'_i, else 0:
 * the same as the max(0, floor((t + T - D') / T)) form, without a signed
 * intermediate. */
static u128 demand(const edf_set *s, uint64_t t)
{
    u128 h = 0;
    uint64_t b = 0;
    for (size_t i = 0; i < s->n; i++) {
        const edf_task *e = &s->v[i];
        if (t < e->d)
            continue;
        u128 jobs = (u128)((t - e->d) / e->t) + 1;
        h = sat_add128(h, sat_mul128(jobs, e->c));
        b = MAX(b, e->b);
    }
    return sat_add128(h, b);
}

/* The largest absolute deadline strictly below t (t > d_min). */
static uint64_t prev_deadline(const edf_set *s, uint64_t t)
{
    uint64_t best = 0;
    for (size_t i = 0; i < s->n; i++) {
        const edf_task *e = &s->v[i];
        if (e->d >= t)
            continue;
        uint64_t k = (t - 1 - e->d) / e->t;
        uint64_t d = e->d + k * e->t;     /* <= t - 1: no overflow */
        best = MAX(best, d);
    }
    g_assert(best > 0);
    return best;
}

/* ---- U against 1 ---------------------------------------------------------- */

static u128 gcd128(u128 a, u128 b)
{
    while (b) {
        u128 r = a % b;
        a = b;
        b = r;
    }
    return a;
}

enum { U_BELOW = -1, U_ONE = 0, U_ABOVE = 1, U_UNKNOWN = 2 };

/* sum C_i/T_i as a reduced fraction in 128 bits; U_UNKNOWN when the
 * denominators (the lcm of the periods, roughly) outgrow it. */
static int util_cmp_exact(const edf_set *s)
{
    u128 num = 0, den = 1;
    for (size_t i = 0; i < s->n; i++) {
        u128 a = s->v[i].c, b = s->v[i].t;
        u128 g = gcd128(a, b);
        a /= g;
        b /= g;
        g = gcd128(den, b);
        u128 nd, x, y;
        if (__builtin_mul_overflow(den / g, b, &nd) ||
            __builtin_mul_overflow(num, b / g, &x) ||
            __builtin_mul_overflow(a, den / g, &y) ||
            __builtin_add_overflow(x, y, &num))
            return U_UNKNOWN;
        den = nd;
        g = gcd128(num, den);
        num /= g;
        den /= g;
        if (num > den)          /* the sum only grows */
            return U_ABOVE;
    }
    return num == den ? U_ONE : U_BELOW;
}

/* Relative error bound of a sum of n terms, each the product or quotient
 * of up to three rounded values: (n + 4) roundings of at most 2^-53 each,
 * doubled for the second-order terms and rounded up generously. */
static double rel_err(size_t n)
{
    return 4.0 * ((double)n + 8.0) * DBL_EPSILON;
}

static int util_cmp_one(const edf_set *s, double *u_out)
{
    double u = 0;
    for (size_t i = 0; i < s->n; i++)
        u += (double)s->v[i].c / (double)s->v[i].t;
    *u_out = u;
    int r = util_cmp_exact(s);
    if (r != U_UNKNOWN)
        return r;
    double margin = rel_err(s->n) * MAX(u, 1.0);
    if (u > 1.0 + margin)
        return U_ABOVE;
    if (u < 1.0 - margin)
        return U_BELOW;
    return U_UNKNOWN;
}

/* ---- the bound L ---------------------------------------------------------- */

/* L_a, Baruah, Rosier and Howell 1990 (as restated by Zhang and Burns 2009,
 * Theorem 2), here with blocking.  For t >= max_i (D'_i - T_i), floor(x) <= x
 * gives dbf(t) <= U t + sum_i (T_i - D'_i) U_i, and B(t) <= B_max, so
 * h(t) > t needs t < (sum_i (T_i - D'_i) U_i + B_max) / (1 - U) when U < 1.
 * Hence no violation above max(D'_max, that), D'_max covering the small t.
 * Computed in double and rounded up by a margin larger than its error.
 * Returns UINT64_MAX when U is too close to 1 to bound it. */
static uint64_t bound_la(const edf_set *s, double u)
{
    double num = 0, mag = 0;
    for (size_t i = 0; i < s->n; i++) {
        const edf_task *e = &s->v[i];
        double diff = (double)e->t - (double)e->d;      /* may be < 0 */
        double term = diff * ((double)e->c / (double)e->t);
        num += term;
        mag += fabs(term);
    }
    num += (double)s->b_max;
    mag += (double)s->b_max;
    double err = rel_err(s->n);
    double num_hi = num + err * mag;
    double den_lo = (1.0 - u) - err * MAX(u, 1.0);
    if (num_hi <= 0)
        return s->d_max;
    if (den_lo <= 0)
        return UINT64_MAX;
    double la = ceil(num_hi / den_lo * (1.0 + err)) + 1.0;
    if (!(la < 18446744073709551616.0))   /* 2^64 */
        return UINT64_MAX;
    return MAX(s->d_max, (uint64_t)la);
}

/* L_b, the synchronous busy period: the least w > 0 with
 * w = sum_i ceil(w / T_i) C_i (Spuri 1996; Zhang and Burns 2009, Theorem 3
 * take min(L_a, L_b)).  dbf(t) <= that workload for every t, and the first
 * deadline miss of the synchronous arrival pattern, the worst one, falls in
 * its first busy period.  Finite iff U <= 1.  Valid for the test only
 * without blocking.  The iteration stops early once it passes `cap` (a
 * bound already known), returning cap. */
static uint64_t bound_lb(const edf_set *s, uint64_t cap)
{
    u128 w = 0;
    for (size_t i = 0; i < s->n; i++)
        w = sat_add128(w, s->v[i].c);
    for (;;) {
        if (w >= cap)
            return cap;
        u128 next = 0;
        for (size_t i = 0; i < s->n; i++) {
            const edf_task *e = &s->v[i];
            u128 jobs = (w + e->t - 1) / e->t;
            next = sat_add128(next, sat_mul128(jobs, e->c));
        }
        if (next == w)
            return (uint64_t)w;
        w = next;
    }
}

/* For U = 1 exactly, with blocking (where L_a is infinite and L_b does not
 * apply): H + D'_max, H the hyperperiod.  For t >= D'_max every task has
 * released a job and B(t) = B_max, so h(t + H) = h(t) + U H = h(t) + H:
 * t + H violates iff t does, and a first violation lies below D'_max + H.
 * False when H does not fit in 64 bits. */
static bool bound_hyper(const edf_set *s, uint64_t *L)
{
    u128 H = 1;
    for (size_t i = 0; i < s->n; i++) {
        H = H / gcd128(H, s->v[i].t) * s->v[i].t;
        if (H > UINT64_MAX)
            return false;
    }
    u128 x = H + s->d_max;
    if (x > UINT64_MAX)
        return false;
    *L = (uint64_t)x;
    return true;
}

/* ---- QPA ------------------------------------------------------------------- */

/* QPA (Zhang and Burns 2009, Theorem 5 and Fig. 2) from an arbitrary start
 * point: returns true and the violating instant in *at (h(*at) > *at) when
 * there is a violation at or below `from`, false when there is none.
 * Why each step is sound (h is non-decreasing):
 *  - h(t) < t: every s in [h(t), t] has h(s) <= h(t) <= s, so jump to h(t);
 *  - h(t) = t: h is constant from the largest deadline below t up to t, so
 *    only that deadline remains to be checked;
 *  - h(t) <= d_min: every s in [d_min, t] has h(s) <= h(t) <= s, and
 *    h(s) = 0 below d_min; nothing is left. */
static bool qpa(const edf_set *s, uint64_t from, uint64_t *at)
{
    uint64_t t = from;
    for (;;) {
        u128 h = demand(s, t);
        if (h > t) {
            *at = t;
            return true;
        }
        if (h <= s->d_min)
            return false;
        if (h < t)
            t = (uint64_t)h;
        else
            t = prev_deadline(s, t);
    }
}

/* The least t with h(t) > t, knowing h(v) > v.  Bisection on "is there a
 * violation at or below m?", answered by QPA from m: at most 64 rounds, each
 * one QPA run, instead of a walk over every deadline below v.  The least
 * violating t is an absolute deadline, since h only rises at deadlines. */
static uint64_t first_violation(const edf_set *s, uint64_t v)
{
    uint64_t lo = s->d_min - 1;   /* no violation at or below lo: h = 0 there */
    uint64_t hi = v;              /* h(hi) > hi */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2, at;
        if (qpa(s, mid, &at))
            hi = at;              /* lo < at <= mid */
        else
            lo = mid;
    }
    return hi;
}

/* With U > 1, some t has h(t) > t; a first one is needed only for the
 * witness.  floor(x) > x - 1 gives dbf(t) > U t - sum_i U_i D'_i for all t,
 * so t >= sum_i U_i D'_i / (U - 1) violates.  Rounded up with margin. */
static uint64_t bound_overload(const edf_set *s, double u)
{
    double num = 0;
    for (size_t i = 0; i < s->n; i++)
        num += (double)s->v[i].d * ((double)s->v[i].c / (double)s->v[i].t);
    double err = rel_err(s->n);
    double den = (u - 1.0) - err * u;
    if (den <= 0)
        return UINT64_MAX;
    double x = ceil(num * (1.0 + err) / den * (1.0 + err)) + 1.0;
    if (!(x < 18446744073709551616.0))
        return UINT64_MAX;
    return (uint64_t)x;
}

bool an_edf_schedulable(const an_taskset *ts, const an_overheads *oh, uint64_t *witness)
{
    g_assert(ts != NULL);
    if (witness)
        *witness = 0;
    if (ts->n == 0)
        return true;

    edf_set s;
    bool ok = prepare(ts, oh, &s);
    if (!ok) {
        g_free(s.v);
        return false;
    }

    double u;
    int cmp = util_cmp_one(&s, &u);
    uint64_t viol = 0;
    bool found;
    if (cmp == U_ABOVE) {
        if (!witness) {
            g_free(s.v);
            return false;
        }
        found = qpa(&s, bound_overload(&s, u), &viol);
        ok = false;
    } else if (cmp == U_UNKNOWN) {
        /* |U - 1| below ~1e-14 with periods whose lcm exceeds 2^128:
         * undecidable here; say no rather than risk a wrong yes. */
        g_free(s.v);
        return false;
    } else {
        uint64_t L;
        if (cmp == U_BELOW)
            L = bound_la(&s, u);
        else if (s.b_max == 0)
            L = UINT64_MAX;          /* L_b below is finite */
        else if (!bound_hyper(&s, &L)) {
            /* U = 1 with blocking and a hyperperiod beyond 2^64 ns: no
             * bound; say no.  (With every D' <= T that is also the exact
             * answer: dbf(k H) = k H, and blocking adds to it.) */
            g_free(s.v);
            return false;
        }
        if (s.b_max == 0)
            L = bound_lb(&s, L);
        found = qpa(&s, L, &viol);
        ok = !found;
    }
    if (found && witness)
        *witness = first_violation(&s, viol);
    g_free(s.v);
    return ok;
}

uint64_t an_edf_dbf(const an_taskset *ts, uint64_t t)
{
    g_assert(ts != NULL);
    u128 h = 0;
    for (size_t i = 0; i < ts->n; i++) {
        const an_task *tk = &ts->t[i];
        check_task(tk);
        if (tk->jitter >= tk->deadline) {
            /* D' <= 0: floor((t + T - D') / T) >= 1 for every t >= 0. */
            u128 jobs = ((u128)t + tk->period + (tk->jitter - tk->deadline)) / tk->period;
            h = sat_add128(h, sat_mul128(jobs, tk->wcet));
            continue;
        }
        uint64_t d = tk->deadline - tk->jitter;
        if (t < d)
            continue;
        u128 jobs = (u128)((t - d) / tk->period) + 1;
        h = sat_add128(h, sat_mul128(jobs, tk->wcet));
    }
    return h > UINT64_MAX ? UINT64_MAX : (uint64_t)h;
}

double an_edf_utilisation(const an_taskset *ts, const an_overheads *oh)
{
    g_assert(ts != NULL);
    double u = 0;
    for (size_t i = 0; i < ts->n; i++) {
        check_task(&ts->t[i]);
        u += (double)inflated_wcet(&ts->t[i], oh) / (double)ts->t[i].period;
    }
    return u;
}
