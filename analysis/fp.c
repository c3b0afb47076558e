/* analysis/fp.c: fixed-priority response-time analysis and priority
 * assignment (see fp.h for the model and the sources).
 *
 * Notes on the busy-period loop, which fp.h only states:
 *
 * Why the stopping rule has no J_i.  Job 0 of task i is released at time
 * 0, the start of the level-i busy period, after arriving at -J_i (full
 * jitter); job q arrives at q T_i - J_i at the earliest.  The loop stops
 * when w(q) <= (q+1) T_i (Tindell).  A later job released early, in
 * ((q+1) T_i - J_i, w(q)), does not need examining: at w(q) nothing of
 * higher priority is pending (w(q) is a fixed point: all the interference
 * released before it is done), so from w(q) that job sees at most the
 * critical pattern again, having waited less than J_i: its response is at
 * most R(0).  The property tests check this against a simulator.
 *
 * Why the loop stops even if the busy period never ends.  Let U_i be the
 * level-i utilisation (C'_i / T_i + sum_hp C'_j / T_j + irq sum_all 1/T_k)
 * and L the lcm of the periods in it, m = L / T_i.  Every ceiling term
 * grows by exactly L / T_j when w grows by L, so
 *     F_{q+m}(w + L) = F_q(w) + L U_i,
 * where F_q is the right-hand side of the recurrence for job q.  If
 * U_i <= 1, w(q) + L is a pre-fixed point of F_{q+m}, so w(q+m) <= w(q) + L
 * and R(q+m) <= R(q): jobs 0..m-1 hold the worst case, even when the busy
 * period never ends (U_i = 1 with jitter or blocking).  If U_i > 1 the same
 * argument run backwards gives w(q+m) > w(q) + L: responses grow without
 * bound and the task is unschedulable whatever its deadline.  U_i is
 * compared with 1 exactly, as sum C'_j (L / T_j) against L.  If L does not
 * fit in 64 bits the loop runs until the busy period ends, a response
 * exceeds D_i, or AN_FP_MAX_BUSY_JOBS jobs; the last is reported as
 * unbounded.
 *
 * The first iterate for job q is w(q-1) + C'_i (B_i + C'_i for q = 0):
 * w(q) - C'_i is a pre-fixed point of F_{q-1}, so w(q-1) + C'_i <= w(q) and
 * iterating from there climbs to the least fixed point.  Iterates only grow,
 * so the first one whose response exceeds D_i settles the verdict.
 */
#include "analysis/fp.h"

#include <math.h>
#include <stdlib.h>
#include <glib.h>

/* Everything the recurrence for one task needs. */
typedef struct fp_job_ctx {
    const an_taskset *ts;
    size_t i;               /* the analysed task */
    const bool *above;      /* above[j], j != i: task j interferes with i */
    uint64_t extra;         /* per-job inflation: 2 ctx_switch + sched + invocation */
    uint64_t irq;           /* per-release interrupt cost */
} fp_job_ctx;

static const an_result unbounded = { .schedulable = false, .wcrt = UINT64_MAX };

static inline bool add_ovf(uint64_t a, uint64_t b, uint64_t *r)
{
    return __builtin_add_overflow(a, b, r);
}

static inline bool mul_ovf(uint64_t a, uint64_t b, uint64_t *r)
{
    return __builtin_mul_overflow(a, b, r);
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Jobs of a task with period t and jitter j released in [0, w) in the
 * critical pattern: ceil((w + j) / t).  False on overflow. */
static bool releases(uint64_t w, uint64_t j, uint64_t t, uint64_t *n)
{
    uint64_t x;
    if (add_ovf(w, j, &x))
        return false;
    *n = x / t + (x % t != 0);
    return true;
}

/* C' of task k: its wcet plus the per-job overhead. */
static bool cost(const fp_job_ctx *c, size_t k, uint64_t *out)
{
    return !add_ovf(c->ts->t[k].wcet, c->extra, out);
}

/* F_q(w), the right-hand side of the recurrence.  False on overflow. */
static bool demand(const fp_job_ctx *c, uint64_t q, uint64_t w, uint64_t *out)
{
    const an_taskset *ts = c->ts;
    uint64_t sum, ci, n, term;
    if (!cost(c, c->i, &ci) || mul_ovf(q + 1, ci, &sum) || add_ovf(sum, ts->t[c->i].blocking, &sum))
        return false;
    for (size_t j = 0; j < ts->n; j++) {
        if (j != c->i && c->above[j]) {
            uint64_t cj;
            if (!cost(c, j, &cj) || !releases(w, ts->t[j].jitter, ts->t[j].period, &n)
                || mul_ovf(n, cj, &term) || add_ovf(sum, term, &sum))
                return false;
        }
        if (c->irq != 0) {
            if (!releases(w, ts->t[j].jitter, ts->t[j].period, &n)
                || mul_ovf(n, c->irq, &term) || add_ovf(sum, term, &sum))
                return false;
        }
    }
    *out = sum;
    return true;
}

/* The lcm of the periods in the level-i utilisation, or 0 if it does not
 * fit in 64 bits. */
static uint64_t level_lcm(const fp_job_ctx *c)
{
    const an_taskset *ts = c->ts;
    uint64_t l = ts->t[c->i].period;
    for (size_t j = 0; j < ts->n; j++) {
        if (j == c->i || (!c->above[j] && c->irq == 0))
            continue;
        uint64_t t = ts->t[j].period;
        if (mul_ovf(l / gcd_u64(l, t), t, &l))
            return 0;
    }
    return l;
}

/* Is the level-i utilisation above 1?  Exact: sum C'_j (L / T_j) > L. */
static bool level_overloaded(const fp_job_ctx *c, uint64_t l)
{
    const an_taskset *ts = c->ts;
    uint64_t sum = 0, cj, term;
    for (size_t j = 0; j < ts->n; j++) {
        uint64_t share = l / ts->t[j].period;
        if (j == c->i || c->above[j]) {
            if (!cost(c, j, &cj) || mul_ovf(cj, share, &term) || add_ovf(sum, term, &sum))
                return true;
        }
        if (mul_ovf(c->irq, share, &term) || add_ovf(sum, term, &sum))
            return true;
    }
    return sum > l;
}

/* The analysis of task c->i (fp.c's opening comment explains the loop). */
static an_result rta_task(const fp_job_ctx *c)
{
    const an_task *ti = &c->ts->t[c->i];
    uint64_t ci, w, w_prev = 0, worst = 0;
    uint64_t limit = 0;          /* jobs to examine; 0 = not worked out yet */
    bool limit_is_period = false;  /* limit = m: stopping there is exact */
    uint64_t l = 0;              /* the level-i lcm (0: does not fit), once l_known */
    bool l_known = false;
    uint64_t steps = 0;          /* iterations of the recurrence, for AN_FP_MAX_ITERATIONS */
    if (!cost(c, c->i, &ci))
        return unbounded;
    for (uint64_t q = 0;; q++) {
        /* q T_i < w(q-1), which did not overflow */
        uint64_t qt = q * ti->period;
        if (add_ovf(q == 0 ? ti->blocking : w_prev, ci, &w))
            return unbounded;
        for (;;) {
            uint64_t r, next;
            if (add_ovf(w, ti->jitter, &r))
                return unbounded;
            r -= qt;             /* w > w(q-1) > q T_i */
            if (r > ti->deadline)
                return (an_result){ .schedulable = false, .wcrt = r };
            /* Job 0 runs past T_i (so D_i > T_i, or the line above had
             * returned): with a level-i utilisation above 1 it has no
             * fixed point, and a far deadline would be all that ends this
             * loop (the opening comment) */
            if (q == 0 && w > ti->period && !l_known) {
                l = level_lcm(c);
                l_known = true;
                if (l != 0 && level_overloaded(c, l))
                    return unbounded;
            }
            if (!demand(c, q, w, &next) || ++steps > AN_FP_MAX_ITERATIONS)
                return unbounded;
            if (next == w) {
                worst = MAX(worst, r);
                break;
            }
            w = next;
        }
        uint64_t next_release;   /* of job q+1, without jitter */
        if (mul_ovf(q + 1, ti->period, &next_release) || w <= next_release)
            return (an_result){ .schedulable = true, .wcrt = worst };
        if (limit == 0) {
            if (!l_known)
                l = level_lcm(c);
            l_known = true;
            if (l != 0 && level_overloaded(c, l))
                return unbounded;
            limit_is_period = l != 0 && l / ti->period <= AN_FP_MAX_BUSY_JOBS;
            limit = limit_is_period ? l / ti->period : AN_FP_MAX_BUSY_JOBS;
        }
        if (q + 1 >= limit)
            return limit_is_period ? (an_result){ .schedulable = true, .wcrt = worst } : unbounded;
        w_prev = w;
    }
}

static void check_task(const an_task *t)
{
    g_assert(t->period > 0 && t->wcet > 0 && t->deadline > 0);
    g_assert(t->priority >= 0);
}

static void overheads(const an_overheads *oh, uint64_t *extra, uint64_t *irq)
{
    *extra = 0;
    *irq = 0;
    if (oh == NULL)
        return;
    /* Absurd overheads saturate; the analysis then reports overflow. */
    uint64_t two_cs, e;
    if (mul_ovf(oh->ctx_switch, 2, &two_cs) || add_ovf(two_cs, oh->sched, &e)
        || add_ovf(e, oh->invocation, &e))
        e = UINT64_MAX;
    *extra = e;
    *irq = oh->irq;
}

bool an_fp_rta(const an_taskset *ts, const an_overheads *oh, an_result *out)
{
    g_assert(ts != NULL && (ts->n == 0 || (ts->t != NULL && out != NULL)));
    for (size_t i = 0; i < ts->n; i++)
        check_task(&ts->t[i]);
    fp_job_ctx c = { .ts = ts };
    overheads(oh, &c.extra, &c.irq);
    bool *above = g_new0(bool, ts->n ? ts->n : 1);
    c.above = above;
    bool all = true;
    for (size_t i = 0; i < ts->n; i++) {
        for (size_t j = 0; j < ts->n; j++)
            above[j] = j != i && ts->t[j].priority <= ts->t[i].priority;
        c.i = i;
        out[i] = rta_task(&c);
        all = all && out[i].schedulable;
    }
    g_free(above);
    return all;
}

/* ---- priority assignment ---------------------------------------------- */

typedef struct fp_key {
    uint64_t k1, k2;
    size_t index;
} fp_key;

static int key_cmp(const void *a, const void *b)
{
    const fp_key *x = a, *y = b;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Priorities 0..n-1 in the order of keys (k1, k2, index). */
static void assign_by_keys(an_taskset *ts, bool by_deadline)
{
    g_assert(ts != NULL && ts->n <= (size_t)G_MAXINT);
    if (ts->n == 0)
        return;
    fp_key *keys = g_new(fp_key, ts->n);
    for (size_t i = 0; i < ts->n; i++) {
        const an_task *t = &ts->t[i];
        keys[i] = by_deadline ? (fp_key){ t->deadline, t->period, i } : (fp_key){ t->period, 0, i };
    }
    qsort(keys, ts->n, sizeof *keys, key_cmp);   /* keys are distinct: the order is total */
    for (size_t p = 0; p < ts->n; p++)
        ts->t[keys[p].index].priority = (int)p;
    g_free(keys);
}

void an_fp_assign_rm(an_taskset *ts)
{
    assign_by_keys(ts, false);
}

void an_fp_assign_dm(an_taskset *ts)
{
    assign_by_keys(ts, true);
}

bool an_fp_assign_audsley(an_taskset *ts, const an_overheads *oh)
{
    g_assert(ts != NULL && ts->n <= (size_t)G_MAXINT);
    size_t n = ts->n;
    for (size_t i = 0; i < n; i++) {
        const an_task *t = &ts->t[i];
        g_assert(t->period > 0 && t->wcet > 0 && t->deadline > 0);
    }
    fp_job_ctx c = { .ts = ts };
    overheads(oh, &c.extra, &c.irq);
    bool *unassigned = g_new(bool, n ? n : 1);   /* = above: the rest sit above */
    int *prio = g_new(int, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        unassigned[i] = true;
    c.above = unassigned;
    bool ok = true;
    for (size_t level = n; level-- > 0 && ok;) {
        ok = false;
        for (size_t i = 0; i < n && !ok; i++) {
            if (!unassigned[i])
                continue;
            c.i = i;
            if (rta_task(&c).schedulable) {
                prio[i] = (int)level;
                unassigned[i] = false;
                ok = true;
            }
        }
    }
    if (ok)
        for (size_t i = 0; i < n; i++)
            ts->t[i].priority = prio[i];
    g_free(prio);
    g_free(unassigned);
    return ok;
}

/* ---- helpers for reports ---------------------------------------------- */

double an_fp_utilisation(const an_taskset *ts, const an_overheads *oh)
{
    g_assert(ts != NULL);
    uint64_t extra, irq;
    overheads(oh, &extra, &irq);
    double u = 0.0;
    for (size_t i = 0; i < ts->n; i++) {
        const an_task *t = &ts->t[i];
        g_assert(t->period > 0);
        u += ((double)t->wcet + (double)extra + (double)irq) / (double)t->period;
    }
    return u;
}

double an_fp_ll_bound(size_t n)
{
    if (n <= 1)
        return 1.0;
    return (double)n * (exp2(1.0 / (double)n) - 1.0);
}
