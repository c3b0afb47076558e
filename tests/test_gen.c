/* tests/test_gen.c: unit tests of the task-set generators (analysis/gen.h).
 *
 * A schedulability curve is only as good as the sets behind it: the
 * utilisations must sum to the target and be distributed as the papers
 * say, periods must be log-uniform, and a seed must give the same sets
 * every time.  Distributions are checked with one-sample Kolmogorov-Smirnov
 * tests against CDFs derived in the comments; every draw is seeded, so
 * each statistic below is a fixed number, and the thresholds are there to
 * say what a correct generator may show, not to tolerate flakiness.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "analysis/gen.h"
#include "sim/rng.h"

#define assert_near(got, want, tol) do { \
        double g_ = (got), w_ = (want), t_ = (tol); \
        if (!(fabs(g_ - w_) <= t_)) \
            fail_msg("%s = %.12g, expected %.12g +- %.3g", #got, g_, w_, t_); \
    } while (0)

enum { DRAWS = 10000 };

/* Kolmogorov-Smirnov critical value for 10,000 draws at significance
 * 0.001: c / sqrt(N) with c = sqrt(-ln(0.001 / 2) / 2) = 1.9495, from the
 * limiting Kolmogorov distribution P(sqrt(N) D > c) ~ 2 exp(-2 c^2)
 * (Smirnov 1948; e.g. Press et al., Numerical Recipes, 3rd ed., 14.3.3). */
#define KS_CRIT (1.9495 / 100.0)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sup |F_N - F| over the sorted sample. */
static double ks_stat(double *x, size_t n, double (*cdf)(double))
{
    qsort(x, n, sizeof *x, cmp_double);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i]);
        d = fmax(d, fmax(f - (double)i / (double)n, (double)(i + 1) / (double)n - f));
    }
    return d;
}

static void check_ks(double *x, size_t n, double (*cdf)(double), const char *what)
{
    double d = ks_stat(x, n, cdf);
    if (!(d < KS_CRIT))
        fail_msg("%s: KS statistic %.5f over %zu draws, critical value %.5f", what, d, n, KS_CRIT);
}

static double sum(const double *u, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += u[i];
    return s;
}

/* ---- UUniFast --------------------------------------------------------------- */

static void test_uunifast_sums_to_U(void **state)
{
    (void)state;
    simrng r;
    simrng_init(&r, 1, "test_gen.uunifast");
    static const size_t ns[] = { 1, 2, 3, 10, 100 };
    static const double us[] = { 0.0, 0.1, 0.5, 0.9, 1.0 };
    double u[100];
    for (size_t a = 0; a < G_N_ELEMENTS(ns); a++) {
        for (size_t b = 0; b < G_N_ELEMENTS(us); b++) {
            for (int k = 0; k < 100; k++) {
                an_gen_uunifast(&r, ns[a], us[b], u);
                assert_near(sum(u, ns[a]), us[b], 1e-9);
                for (size_t i = 0; i < ns[a]; i++)
                    if (!(u[i] >= 0 && u[i] <= us[b]))
                        fail_msg("n %zu, U %g: u[%zu] = %g", ns[a], us[b], i, u[i]);
            }
        }
    }
}

static double cdf_uniform_08(double x)    /* U[0, 0.8] */
{
    return fmin(fmax(x / 0.8, 0), 1);
}

static void test_uunifast_two_tasks_uniform(void **state)
{
    (void)state;
    /* For n = 2, u1 = U (1 - r) with r uniform: u1 is uniform on [0, U]
     * (Bini and Buttazzo 2005: the sum of the remaining values is U r^(1/1)). */
    static double x[DRAWS];
    simrng r;
    simrng_init(&r, 2, "test_gen.uunifast2");
    for (int k = 0; k < DRAWS; k++) {
        double u[2];
        an_gen_uunifast(&r, 2, 0.8, u);
        x[k] = u[0];
    }
    check_ks(x, DRAWS, cdf_uniform_08, "UUniFast n = 2, U = 0.8, u1");
}

/* ---- Randfixedsum ------------------------------------------------------------- */

static void test_randfixedsum_sums_and_bounds(void **state)
{
    (void)state;
    simrng r;
    simrng_init(&r, 3, "test_gen.rfs");
    static const size_t ns[] = { 1, 2, 3, 5, 10, 50, 200 };
    double *u = g_new(double, 200);
    for (size_t a = 0; a < G_N_ELEMENTS(ns); a++) {
        size_t n = ns[a];
        double us[] = { 0, 0.3, 1, 1.5, (double)n / 2, (double)n - 0.5, (double)n };
        for (size_t b = 0; b < G_N_ELEMENTS(us); b++) {
            if (us[b] > (double)n || us[b] < 0)
                continue;
            for (int k = 0; k < 50; k++) {
                assert_true(an_gen_randfixedsum(&r, n, us[b], u));
                assert_near(sum(u, n), us[b], 1e-9);
                for (size_t i = 0; i < n; i++)
                    if (!(u[i] >= 0 && u[i] <= 1))
                        fail_msg("n %zu, U %g: u[%zu] = %.17g", n, us[b], i, u[i]);
            }
        }
    }
    /* No solution: refused, out untouched. */
    u[0] = 42;
    assert_false(an_gen_randfixedsum(&r, 3, 3.01, u));
    assert_false(an_gen_randfixedsum(&r, 3, -0.1, u));
    assert_false(an_gen_randfixedsum(&r, 3, NAN, u));
    assert_false(an_gen_randfixedsum(&r, 0, 0, u));
    assert_true(u[0] == 42);
    g_free(u);
}

/* CDFs of one coordinate of a point uniform on { x in [0,1]^n, sum = s }:
 * the density of x1 is proportional to the (n-2)-volume of the rest of the
 * slice, { y in [0,1]^(n-1), sum y = s - x1 }.
 *  n = 2, s = 1.5: the rest is one point when 0.5 <= x1 <= 1: uniform on
 *    [0.5, 1].
 *  n = 3, s = 1: the rest is a segment of length ~ (1 - x1): density
 *    2 (1 - x1), CDF 1 - (1 - x)^2 (a Beta(1, 2)).
 *  n = 3, s = 2: by x -> 1 - x from s = 1: CDF x^2.
 *  n = 3, s = 1.5: the segment { y2 + y3 = 1.5 - x1 } in the unit square
 *    has length ~ 0.5 + x1 for x1 <= 0.5 and 1.5 - x1 above; the total
 *    area is 0.375 + 0.375 = 0.75, so F(x) = (x/2 + x^2/2) / 0.75 for
 *    x <= 0.5, and 1 - (integral from x to 1 of (1.5 - y) dy) / 0.75
 *    above. */
static double cdf_2_15(double x)
{
    return fmin(fmax((x - 0.5) / 0.5, 0), 1);
}

static double cdf_3_1(double x)
{
    x = fmin(fmax(x, 0), 1);
    return 1 - (1 - x) * (1 - x);
}

static double cdf_3_2(double x)
{
    x = fmin(fmax(x, 0), 1);
    return x * x;
}

static double cdf_3_15(double x)
{
    x = fmin(fmax(x, 0), 1);
    if (x <= 0.5)
        return (0.5 * x + 0.5 * x * x) / 0.75;
    /* 1 - integral from x to 1 of (1.5 - y) dy, over 0.75. */
    return 1 - (1.5 * (1 - x) - 0.5 * (1 - x * x)) / 0.75;
}

static void test_randfixedsum_marginals(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        double s;
        double (*cdf)(double);
        const char *what;
    } cases[] = {
        { 2, 1.5, cdf_2_15, "n 2, U 1.5" },
        { 3, 1.0, cdf_3_1, "n 3, U 1" },
        { 3, 2.0, cdf_3_2, "n 3, U 2" },
        { 3, 1.5, cdf_3_15, "n 3, U 1.5" },
    };
    static double first[DRAWS], last[DRAWS];
    simrng r;
    simrng_init(&r, 4, "test_gen.rfs_marginals");
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        for (int k = 0; k < DRAWS; k++) {
            double u[3];
            assert_true(an_gen_randfixedsum(&r, cases[c].n, cases[c].s, u));
            first[k] = u[0];
            last[k] = u[cases[c].n - 1];
        }
        /* The first and the last coordinate: the shuffle makes them alike. */
        char what[64];
        g_snprintf(what, sizeof what, "%s, first coordinate", cases[c].what);
        check_ks(first, DRAWS, cases[c].cdf, what);
        g_snprintf(what, sizeof what, "%s, last coordinate", cases[c].what);
        check_ks(last, DRAWS, cases[c].cdf, what);
    }
}

/* sup |F_a - F_b| of two samples, sorting both. */
static double ks2_stat(double *a, size_t na, double *b, size_t nb)
{
    qsort(a, na, sizeof *a, cmp_double);
    qsort(b, nb, sizeof *b, cmp_double);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double x = fmin(a[i], b[j]);
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        d = fmax(d, fabs((double)i / (double)na - (double)j / (double)nb));
    }
    return d;
}

static void test_randfixedsum_matches_rejection_sampling(void **state)
{
    (void)state;
    /* An independent sampler of the same distribution: a point uniform on
     * the simplex { x >= 0, sum x = s } (normalised exponentials, i.e. a
     * flat Dirichlet, scaled by s), kept only if every x <= 1.  Rejection
     * leaves it uniform on the slice of the cube.  n = 5, s = 2.2; compare
     * the first coordinate and the largest one (which sees the joint
     * distribution) with two-sample KS tests.  Critical value at 0.001 for
     * 10,000 against 10,000: 1.9495 * sqrt(2 / 10000) = 0.0276. */
    enum { N = 5 };
    const double s = 2.2, crit = 1.9495 * sqrt(2.0 / DRAWS);
    static double a0[DRAWS], amax[DRAWS], b0[DRAWS], bmax[DRAWS];
    simrng r, q;
    simrng_init(&r, 9, "test_gen.rfs_vs");
    simrng_init(&q, 9, "test_gen.rejection");
    for (int k = 0; k < DRAWS; k++) {
        double u[N];
        assert_true(an_gen_randfixedsum(&r, N, s, u));
        a0[k] = u[0];
        amax[k] = 0;
        for (int i = 0; i < N; i++)
            amax[k] = fmax(amax[k], u[i]);
    }
    for (int k = 0; k < DRAWS;) {
        double e[N], tot = 0, mx = 0;
        for (int i = 0; i < N; i++)
            tot += e[i] = simrng_exponential(&q, 1.0);
        for (int i = 0; i < N; i++)
            mx = fmax(mx, e[i] = e[i] / tot * s);
        if (mx > 1)
            continue;
        b0[k] = e[0];
        bmax[k] = mx;
        k++;
    }
    double d0 = ks2_stat(a0, DRAWS, b0, DRAWS), dmax = ks2_stat(amax, DRAWS, bmax, DRAWS);
    if (!(d0 < crit && dmax < crit))
        fail_msg("two-sample KS: first coordinate %.5f, largest %.5f; critical %.5f", d0, dmax, crit);
}

static void test_randfixedsum_many_tasks(void **state)
{
    (void)state;
    /* n = 400, s = 100: too many for rejection sampling, but for large n
     * one coordinate of a uniform point on { x in [0,1]^n, sum = s } tends
     * to the maximum-entropy density on [0, 1] with mean s / n = 0.25,
     * f(x) = l e^(l x) / (e^l - 1) with l = -3.5935 (solving
     * 1 / (1 - e^-l) - 1 / l = 0.25).  Then P(x < 0.1) = (e^(0.1 l) - 1) /
     * (e^l - 1) = 0.3104.  200 vectors give 80,000 values: standard error
     * about 0.0016, and the finite-n difference is O(1/n); allow 0.01.
     * A walk that went wrong in the large table would not land here. */
    enum { N = 400, V = 200 };
    static double u[N];
    simrng r;
    simrng_init(&r, 10, "test_gen.rfs_many");
    int below = 0;
    for (int k = 0; k < V; k++) {
        assert_true(an_gen_randfixedsum(&r, N, 100.0, u));
        assert_near(sum(u, N), 100.0, 1e-9);
        for (int i = 0; i < N; i++)
            below += u[i] < 0.1;
    }
    assert_near((double)below / (N * V), 0.3104, 0.01);
}

static void test_randfixedsum_symmetric_means(void **state)
{
    (void)state;
    /* n = 8, U = 5.5: by symmetry every coordinate has mean 5.5 / 8 =
     * 0.6875.  Each value lies in [0, 1], so its standard deviation is at
     * most 0.5 and the standard error of a mean over 10,000 draws at most
     * 0.005; allow 4 of them. */
    enum { N = 8 };
    double mean[N] = { 0 };
    simrng r;
    simrng_init(&r, 5, "test_gen.rfs_means");
    for (int k = 0; k < DRAWS; k++) {
        double u[N];
        assert_true(an_gen_randfixedsum(&r, N, 5.5, u));
        for (int i = 0; i < N; i++)
            mean[i] += u[i] / DRAWS;
    }
    for (int i = 0; i < N; i++)
        assert_near(mean[i], 5.5 / N, 0.02);
}

/* ---- task sets ------------------------------------------------------------- */

static an_gen_params base_params(void)
{
    return (an_gen_params){
        .n = 10, .U = 0.8, .method = AN_GEN_UUNIFAST, .Tmin = 1000000, .Tmax = 1000000000,
        .granularity = 1, .deadlines = AN_GEN_IMPLICIT, .alpha = 0,
    };
}

static bool same_set(const an_taskset *a, const an_taskset *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const an_task *x = &a->t[i], *y = &b->t[i];
        if (strcmp(x->name, y->name) || x->period != y->period || x->wcet != y->wcet ||
            x->deadline != y->deadline)
            return false;
    }
    return true;
}

static void test_same_seed_same_sets(void **state)
{
    (void)state;
    an_gen_params p = base_params();
    p.deadlines = AN_GEN_CONSTRAINED;
    p.alpha = 0.3;
    for (int m = 0; m < 2; m++) {
        p.method = m ? AN_GEN_RANDFIXEDSUM : AN_GEN_UUNIFAST;
        p.U = m ? 3.5 : 0.9;
        simrng r1, r2, r3;
        simrng_init(&r1, 77, "sets");
        simrng_init(&r2, 77, "sets");
        simrng_init(&r3, 78, "sets");
        for (int k = 0; k < 20; k++) {
            an_taskset a, b, c;
            an_gen_taskset(&r1, &p, &a);
            an_gen_taskset(&r2, &p, &b);
            an_gen_taskset(&r3, &p, &c);
            assert_true(same_set(&a, &b));
            assert_false(same_set(&a, &c));
            an_taskset_clear(&a);
            an_taskset_clear(&b);
            an_taskset_clear(&c);
        }
    }
}

static void test_first_set_pinned(void **state)
{
    (void)state;
    /* The first set of seed 1, stream "pinned", with periods on a 1 ms grid:
     * recorded when the generator was written (2026-11).  A change here
     * means every published sweep's sets changed: note it as such.  The
     * grid and the rounding of C to whole ns keep these values away from
     * libm's last-bit differences. */
    an_gen_params p = base_params();
    p.n = 4;
    p.granularity = 1000000;
    p.Tmin = 10000000;
    simrng r;
    simrng_init(&r, 1, "pinned");
    an_taskset ts;
    an_gen_taskset(&r, &p, &ts);
    static const uint64_t want[4][2] = {
        { 75000000, 36907743 }, { 31000000, 2252084 }, { 532000000, 46871863 }, { 203000000, 29870210 },
    };
    assert_int_equal(ts.n, 4);
    for (size_t i = 0; i < ts.n; i++) {
        if (ts.t[i].period != want[i][0] || ts.t[i].wcet != want[i][1] || ts.t[i].deadline != want[i][0])
            fail_msg("%s: T %" PRIu64 " C %" PRIu64 " D %" PRIu64 ", pinned T %" PRIu64 " C %" PRIu64,
                     ts.t[i].name, ts.t[i].period, ts.t[i].wcet, ts.t[i].deadline, want[i][0], want[i][1]);
    }
    an_taskset_clear(&ts);
}

static void test_task_fields(void **state)
{
    (void)state;
    simrng r;
    simrng_init(&r, 6, "test_gen.fields");
    an_gen_params p = base_params();
    for (int dl = 0; dl < 2; dl++) {
        p.deadlines = dl ? AN_GEN_CONSTRAINED : AN_GEN_IMPLICIT;
        for (int k = 0; k < 200; k++) {
            p.alpha = (k % 3) / 2.0;          /* 0, 0.5, 1 */
            an_taskset ts;
            an_gen_taskset(&r, &p, &ts);
            assert_int_equal(ts.n, p.n);
            double u = 0;
            for (size_t i = 0; i < ts.n; i++) {
                const an_task *t = &ts.t[i];
                char name[16];
                g_snprintf(name, sizeof name, "t%zu", i + 1);
                assert_string_equal(t->name, name);
                assert_int_equal(t->priority, 0);
                assert_int_equal(t->core, -1);
                assert_true(t->jitter == 0 && t->blocking == 0);
                assert_true(t->period >= p.Tmin && t->period <= p.Tmax);
                assert_true(t->wcet >= 1 && t->wcet <= t->period);
                uint64_t lo = t->wcet + (uint64_t)ceil(p.alpha * (double)(t->period - t->wcet));
                if (dl == 0 || p.alpha == 1)
                    assert_true(t->deadline == t->period);
                else if (!(t->deadline >= lo && t->deadline <= t->period))
                    fail_msg("alpha %g: D %" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]", p.alpha,
                             t->deadline, lo, t->period);
                u += (double)t->wcet / (double)t->period;
            }
            /* Rounding C to whole ns moves each u by at most 0.5 / Tmin. */
            assert_near(u, p.U, (double)p.n * 0.5 / (double)p.Tmin + 1e-12);
            an_taskset_clear(&ts);
        }
    }
}

static void test_periods_log_uniform(void **state)
{
    (void)state;
    /* Log-uniform on [1 ms, 1 s]: half the periods lie below the geometric
     * mean sqrt(1e6 * 1e9) = 31.6 ms, and a quarter below 10^(6 + 3/4) ns.
     * 10,000 periods: standard error of a fraction 0.5 / 100 = 0.005; allow
     * 4.  A uniform draw would put 3% below the geometric mean. */
    an_gen_params p = base_params();
    p.n = 100;
    simrng r;
    simrng_init(&r, 7, "test_gen.periods");
    const double gm = sqrt(1e6 * 1e9), q1 = pow(10, 6.75);
    int below = 0, below_q1 = 0, total = 0;
    for (int k = 0; k < DRAWS / 100; k++) {
        an_taskset ts;
        an_gen_taskset(&r, &p, &ts);
        for (size_t i = 0; i < ts.n; i++) {
            below += (double)ts.t[i].period < gm;
            below_q1 += (double)ts.t[i].period < q1;
            total++;
        }
        an_taskset_clear(&ts);
    }
    assert_near((double)below / total, 0.5, 0.02);
    assert_near((double)below_q1 / total, 0.25, 0.02);

    /* With a granularity every period is a multiple of it, and both ends
     * of the range are reachable: [10, 30] ms on a 10 ms grid gives 10, 20
     * and 30 ms with probabilities ln(2)/ln(4), ln(1.5)/ln(4), ln(4/3)/ln(4)
     * = 0.5, 0.29, 0.21 (Emberson et al.: r in [ln 10, ln 40)). */
    p.granularity = 10000000;
    p.Tmin = 10000000;
    p.Tmax = 30000000;
    int count[3] = { 0 };
    for (int k = 0; k < DRAWS / 100; k++) {
        an_taskset ts;
        an_gen_taskset(&r, &p, &ts);
        for (size_t i = 0; i < ts.n; i++) {
            assert_int_equal(ts.t[i].period % p.granularity, 0);
            count[ts.t[i].period / p.granularity - 1]++;
        }
        an_taskset_clear(&ts);
    }
    assert_near(count[0] / (double)DRAWS, 0.5, 0.02);
    assert_near(count[1] / (double)DRAWS, log(1.5) / log(4), 0.02);
    assert_near(count[2] / (double)DRAWS, log(4.0 / 3) / log(4), 0.02);
}

static void test_params_check(void **state)
{
    (void)state;
    an_gen_params p = base_params();
    GError *err = NULL;
    assert_true(an_gen_params_check(&p, &err));
    assert_null(err);

#define REFUSE(stmt, needle) do { \
        an_gen_params q = base_params(); \
        stmt; \
        GError *e = NULL; \
        assert_false(an_gen_params_check(&q, &e)); \
        assert_non_null(e); \
        if (!strstr(e->message, needle)) \
            fail_msg("%s: message \"%s\" lacks \"%s\"", #stmt, e->message, needle); \
        g_error_free(e); \
    } while (0)
    REFUSE(q.n = 0, "at least one task");
    REFUSE(q.U = 1.5, "Randfixedsum");
    REFUSE((q.method = AN_GEN_RANDFIXEDSUM, q.U = 10.5), "10 tasks");
    REFUSE(q.U = 0, "must be > 0");
    REFUSE(q.Tmin = 2000000000, "Tmin <= Tmax");
    REFUSE(q.granularity = 0, "granularity");
    REFUSE(q.granularity = 3000000, "multiples");
    REFUSE((q.deadlines = AN_GEN_CONSTRAINED, q.alpha = 1.5), "alpha");
#undef REFUSE
}

static void test_clear(void **state)
{
    (void)state;
    an_taskset ts = { NULL, 0 };
    an_taskset_clear(&ts);
    an_gen_params p = base_params();
    simrng r;
    simrng_init(&r, 8, "test_gen.clear");
    an_gen_taskset(&r, &p, &ts);
    an_taskset_clear(&ts);
    assert_null(ts.t);
    assert_int_equal(ts.n, 0);
    an_taskset_clear(&ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uunifast_sums_to_U),
        cmocka_unit_test(test_uunifast_two_tasks_uniform),
        cmocka_unit_test(test_randfixedsum_sums_and_bounds),
        cmocka_unit_test(test_randfixedsum_marginals),
        cmocka_unit_test(test_randfixedsum_matches_rejection_sampling),
        cmocka_unit_test(test_randfixedsum_many_tasks),
        cmocka_unit_test(test_randfixedsum_symmetric_means),
        cmocka_unit_test(test_same_seed_same_sets),
        cmocka_unit_test(test_first_set_pinned),
        cmocka_unit_test(test_task_fields),
        cmocka_unit_test(test_periods_log_uniform),
        cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
