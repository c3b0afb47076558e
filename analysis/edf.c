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
 * can overflow it, and instants go up to 2^128 ns.  The only floating point
 * is in the bounds L_a and (for the witness with U > 1) bound_overload(),
 * rounded up with an explicit error margin: a bound can come out larger
 * than needed (more work) but never smaller (a missed violation).
 */
#include "analysis/edf.h"

#include <float.h>
#include <math.h>
#include <glib.h>

typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)

/* One task as the test sees it. */
typedef struct edf_task {
    u128 c;              /* wcet + per-job overheads (< 2^67) */
    uint64_t t;          /* period */
    uint64_t d;          /* D - J, > 0 */
    uint64_t b;          /* blocking */
} edf_task;

typedef struct edf_set {
    edf_task *v;
    size_t n;
    uint64_t d_min, d_max, b_max;
} edf_set;

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

static u128 inflated_wcet(const an_task *tk, const an_overheads *oh)
{
    u128 c = tk->wcet;
    if (oh)
        c += 2 * (u128)oh->ctx_switch + oh->sched + oh->invocation;
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
 * intermediate.  Instants are 128-bit so that the bounds below, which can
 * pass 2^64 ns when U is close to 1, need no cut-off. */
static u128 demand(const edf_set *s, u128 t)
{
    u128 h = 0;
    uint64_t b = 0;
    if (t <= UINT64_MAX) {      /* host speed: a 64-bit division (t - d fits; jobs <= 2^64) */
        uint64_t t64 = (uint64_t)t;
        for (size_t i = 0; i < s->n; i++) {
            const edf_task *e = &s->v[i];
            if (t64 < e->d)
                continue;
            u128 jobs = (u128)((t64 - e->d) / e->t) + 1;
            h = sat_add128(h, sat_mul128(jobs, e->c));
            b = MAX(b, e->b);
        }
        return sat_add128(h, b);
    }
    for (size_t i = 0; i < s->n; i++) {
        const edf_task *e = &s->v[i];
        if (t < e->d)
            continue;
        u128 jobs = (t - e->d) / e->t + 1;
        h = sat_add128(h, sat_mul128(jobs, e->c));
        b = MAX(b, e->b);
    }
    return sat_add128(h, b);
}

/* The largest absolute deadline strictly below t (t > d_min). */
static u128 prev_deadline(const edf_set *s, u128 t)
{
    u128 best = 0;
    for (size_t i = 0; i < s->n; i++) {
        const edf_task *e = &s->v[i];
        if (e->d >= t)
            continue;
        u128 k = (t - 1 - e->d) / e->t;
        u128 d = e->d + k * e->t;         /* <= t - 1: no overflow */
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

/* U compared with 1, and how far from 1 it is. */
typedef struct util_cmp {
    int cmp;              /* U_BELOW ... U_UNKNOWN */
    double u;             /* sum C/T in double */
    double gap;           /* |U - 1|, within 4 ulps, when exact; NAN if not */
} util_cmp;

/* sum C_i/T_i as a reduced fraction num/den in 128 bits; false when the
 * denominators (the lcm of the periods, roughly) outgrow it. */
static bool util_exact(const edf_set *s, u128 *num_out, u128 *den_out)
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
            return false;
        den = nd;
        g = gcd128(num, den);
        num /= g;
        den /= g;
    }
    *num_out = num;
    *den_out = den;
    return true;
}

/* Relative error bound of a sum of n terms, each the product or quotient
 * of up to three rounded values: (n + 4) roundings of at most 2^-53 each,
 * doubled for the second-order terms and rounded up generously. */
static double rel_err(size_t n)
{
    return 4.0 * ((double)n + 8.0) * DBL_EPSILON;
}

static util_cmp compare_util(const edf_set *s)
{
    util_cmp r = { U_UNKNOWN, 0, NAN };
    for (size_t i = 0; i < s->n; i++)
        r.u += (double)s->v[i].c / (double)s->v[i].t;
    u128 num, den;
    if (util_exact(s, &num, &den)) {
        r.cmp = num < den ? U_BELOW : num == den ? U_ONE : U_ABOVE;
        /* Exact difference, then one division: no cancellation. */
        u128 diff = num < den ? den - num : num - den;
        r.gap = (double)diff / (double)den;
        return r;
    }
    double margin = rel_err(s->n) * MAX(r.u, 1.0);
    if (r.u > 1.0 + margin)
        r.cmp = U_ABOVE;
    else if (r.u < 1.0 - margin)
        r.cmp = U_BELOW;
    return r;
}

/* A lower bound of |U - 1| for the bounds below (U != 1 known); <= 0 when
 * the double sum cannot tell it from 0. */
static double gap_lo(const edf_set *s, const util_cmp *uc)
{
    if (!isnan(uc->gap))
        return uc->gap * (1.0 - 8.0 * DBL_EPSILON);
    return fabs(1.0 - uc->u) - rel_err(s->n) * MAX(uc->u, 1.0);
}

/* ---- the bound L ---------------------------------------------------------- */

/* "No bound": U too close to 1, or a bound beyond 2^128 ns. */
#define NO_BOUND U128_MAX

/* A double known to be at least the true value, rounded up to an instant;
 * NO_BOUND when it does not fit. */
static u128 ceil_instant(double x)
{
    x = ceil(x) + 1.0;
    if (!(x < 340282366920938463463374607431768211456.0))   /* 2^128 */
        return NO_BOUND;
    return (u128)x;
}

/* L_a, Baruah, Rosier and Howell 1990 (as restated by Zhang and Burns
 * 2009), here with blocking.  For t >= max_i (D'_i - T_i), floor(x) <= x
 * gives dbf(t) <= U t + sum_i (T_i - D'_i) U_i, and B(t) <= B_max, so
 * h(t) > t needs t < (sum_i (T_i - D'_i) U_i + B_max) / (1 - U) when U < 1.
 * Hence no violation above max(D'_max, that), D'_max covering the small t.
 * Computed in double and rounded up by a margin larger than its error. */
static u128 bound_la(const edf_set *s, const util_cmp *uc)
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
    double den_lo = gap_lo(s, uc);
    if (num_hi <= 0)
        return s->d_max;
    if (den_lo <= 0)
        return NO_BOUND;
    return MAX((u128)s->d_max, ceil_instant(num_hi / den_lo * (1.0 + err)));
}

/* L_b, the synchronous busy period: the least w > 0 with
 * w = sum_i ceil(w / T_i) C_i (Spuri 1996; Zhang and Burns 2009 take
 * min(L_a, L_b)).  dbf(t) <= that workload for every t, and the first
 * deadline miss of the synchronous arrival pattern, the worst one, falls in
 * its first busy period.  Finite iff U <= 1.  Valid for the test only
 * without blocking.  The iteration stops once it passes `cap` (a bound
 * already known, or NO_BOUND), returning cap. */
static u128 bound_lb(const edf_set *s, u128 cap)
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
            /* host speed: a 64-bit division while w fits */
            u128 jobs = w <= UINT64_MAX ? (u128)((uint64_t)w / e->t + ((uint64_t)w % e->t != 0))
                                        : w / e->t + (w % e->t != 0);
            next = sat_add128(next, sat_mul128(jobs, e->c));
        }
        if (next == w)
            return w;
        w = next;
    }
}

/* For U = 1 exactly, with blocking (where L_a is infinite and L_b does not
 * apply): H + D'_max, H the hyperperiod.  For t >= D'_max every task has
 * released a job and B(t) = B_max, so h(t + H) = h(t) + U H = h(t) + H:
 * t + H violates iff t does, and a first violation lies below D'_max + H.
 * NO_BOUND when that does not fit in 128 bits. */
static u128 bound_hyper(const edf_set *s)
{
    u128 H = 1;
    for (size_t i = 0; i < s->n; i++) {
        if (__builtin_mul_overflow(H / gcd128(H, s->v[i].t), (u128)s->v[i].t, &H))
            return NO_BOUND;
    }
    u128 x;
    if (__builtin_add_overflow(H, (u128)s->d_max, &x))
        return NO_BOUND;
    return x;
}

/* With U > 1, some t has h(t) > t; a first one is needed only for the
 * witness.  floor(x) > x - 1 gives dbf(t) > U t - sum_i U_i D'_i for all t,
 * so t >= sum_i U_i D'_i / (U - 1) violates.  Rounded up with margin. */
static u128 bound_overload(const edf_set *s, const util_cmp *uc)
{
    double num = 0;
    for (size_t i = 0; i < s->n; i++)
        num += (double)s->v[i].d * ((double)s->v[i].c / (double)s->v[i].t);
    double err = rel_err(s->n);
    double den = gap_lo(s, uc);
    if (den <= 0)
        return NO_BOUND;
    return ceil_instant(num * (1.0 + err) / den * (1.0 + err));
}

/* ---- QPA ------------------------------------------------------------------- */

/* QPA (Zhang and Burns 2009) from an arbitrary start point: returns true
 * and the violating instant in *at (h(*at) > *at) when there is a
 * violation at or below `from`, false when there is none.
 * Why each step is sound (h is non-decreasing):
 *  - h(t) < t: every s in [h(t), t] has h(s) <= h(t) <= s, so jump to h(t);
 *  - h(t) = t: h is constant from the largest deadline below t up to t, so
 *    only that deadline remains to be checked;
 *  - h(t) <= d_min: every s in [d_min, t] has h(s) <= h(t) <= s, and
 *    h(s) = 0 below d_min; nothing is left. */
static bool qpa(const edf_set *s, u128 from, u128 *at, uint64_t *budget)
{
    u128 t = from;
    for (;;) {
        if (budget && (*budget == 0 || --*budget == 0))
            return false;        /* the caller's steps are spent: "none found" */
        u128 h = demand(s, t);
        if (h > t) {
            *at = t;
            return true;
        }
        if (h <= s->d_min)
            return false;
        if (h < t)
            t = h;
        else
            t = prev_deadline(s, t);
    }
}

/* With U close to 1 the bounds L are far (the busy period, and L_a, grow
 * as 1 / (1 - U)) and both their computation and QPA from them take steps
 * of about the tasks' execution times: millions for sets of a sweep at
 * U = 1.  Most such sets miss a deadline early.  So first walk the
 * absolute deadlines upwards, the demand kept as a running sum (each
 * deadline of task i adds C_i; B(t) is the largest blocking among the
 * tasks whose first deadline has passed, as demand() has it), up to
 * EARLY_DEADLINES of them: a violation found is the first one (exact, and
 * the witness); none found says nothing, and the full test runs. */
#define EARLY_DEADLINES 200000
static bool early_violation(const edf_set *s, u128 *at)
{
    uint64_t *next = g_new(uint64_t, s->n);     /* each task's next absolute deadline */
    for (size_t i = 0; i < s->n; i++)
        next[i] = s->v[i].d;
    u128 h = 0;
    uint64_t b = 0;
    bool found = false;
    for (unsigned k = 0; k < EARLY_DEADLINES && !found; k++) {
        uint64_t t = UINT64_MAX;
        for (size_t i = 0; i < s->n; i++)
            t = MIN(t, next[i]);
        if (t == UINT64_MAX)
            break;
        for (size_t i = 0; i < s->n; i++)
            if (next[i] == t) {         /* every task with a deadline at t */
                h = sat_add128(h, s->v[i].c);
                b = MAX(b, s->v[i].b);
                next[i] = t > UINT64_MAX - s->v[i].t ? UINT64_MAX : t + s->v[i].t;
            }
        if (sat_add128(h, b) > t) {
            *at = t;
            found = true;
        }
    }
    g_free(next);
    return found;
}

/* The least t with h(t) > t, knowing h(v) > v.  Bisection on "is there a
 * violation at or below m?", answered by QPA from m: at most 128 rounds,
 * each one QPA run, instead of a walk over every deadline below v.  The
 * least violating t is an absolute deadline, since h only rises at
 * deadlines. */
static u128 first_violation(const edf_set *s, u128 v)
{
    u128 lo = s->d_min - 1;       /* no violation at or below lo: h = 0 there */
    u128 hi = v;                  /* h(hi) > hi */
    /* QPA can walk every deadline below mid (a short period, a far one):
     * once AN_EDF_WITNESS_STEPS are spent every run answers "none" and
     * hi, a violation, stays the answer (found by fuzzing, issue 19) */
    uint64_t budget = AN_EDF_WITNESS_STEPS;
    while (hi - lo > 1) {
        u128 mid = lo + (hi - lo) / 2, at;
        if (qpa(s, mid, &at, &budget))
            hi = at;              /* lo < at <= mid */
        else
            lo = mid;
    }
    return hi;
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
    util_cmp uc = ok ? compare_util(&s) : (util_cmp){ U_UNKNOWN, 0, NAN };
    int cmp = uc.cmp;
    u128 viol = 0;
    bool found = false;
    if (!ok) {
        /* J >= D: fails at t = 0. */
    } else if (cmp == U_ABOVE) {
        ok = false;
        if (witness) {
            /* Past the bound every instant violates; without one, search
             * from the top of the range (a violation below 2^128 is still
             * found; none further out is worth reporting). */
            u128 from = bound_overload(&s, &uc);
            found = qpa(&s, from == NO_BOUND ? NO_BOUND - 1 : from, &viol, NULL);
        }
    } else if (cmp == U_UNKNOWN) {
        /* |U - 1| below ~1e-14 with periods whose lcm exceeds 2^128:
         * undecidable here; say no rather than risk a wrong yes. */
        ok = false;
    } else if ((cmp == U_ONE || fabs(1.0 - uc.u) < 0.01) && early_violation(&s, &viol)) {
        ok = false;                 /* the first violation: the witness as it is */
        if (witness)
            *witness = viol > UINT64_MAX ? UINT64_MAX : (uint64_t)viol;
    } else {
        u128 L;
        if (cmp == U_BELOW)
            L = bound_la(&s, &uc);
        else if (s.b_max == 0)
            L = NO_BOUND;            /* L_b below is finite */
        else
            L = bound_hyper(&s);
        if (s.b_max == 0)
            L = bound_lb(&s, L);
        if (L == NO_BOUND) {
            /* No instant up to 2^128 ns (10^22 years) bounds the search:
             * U = 1 with blocking and a vast hyperperiod, or a busy period
             * as long.  Say no.  (With blocking and every D' <= T that is
             * also the exact answer: dbf(k H) = k H, and B adds to it.) */
            ok = false;
        } else {
            found = qpa(&s, L, &viol, NULL);
            ok = !found;
        }
    }
    if (found && witness) {
        u128 first = first_violation(&s, viol);
        *witness = first > UINT64_MAX ? UINT64_MAX : (uint64_t)first;
    }
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
