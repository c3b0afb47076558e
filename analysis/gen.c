/* analysis/gen.c: UUniFast, Randfixedsum, log-uniform periods, and the
 * task sets built from them (see gen.h for the distributions and sources).
 */
#define G_LOG_DOMAIN "an_gen"
#include "analysis/gen.h"

#include <float.h>
#include <math.h>

G_DEFINE_QUARK(an-gen-error-quark, an_gen_error)

void an_gen_uunifast(simrng *r, size_t n, double U, double *out)
{
    g_assert(n >= 1);
    g_assert(U >= 0 && isfinite(U));
    /* Bini and Buttazzo 2005, Fig. 2: the sum of the remaining i values is
     * distributed as U times the largest of i uniforms, drawn by inversion
     * as sum * r^(1/i). */
    double sum = U;
    for (size_t i = 1; i < n; i++) {
        double next = sum * pow(simrng_uniform(r), 1.0 / (double)(n - i));
        out[i - 1] = sum - next;
        sum = next;
    }
    out[n - 1] = sum;
}

/* Stafford's randfixedsum (MATLAB Central File Exchange 9700, 2006), for
 * one vector in the unit cube, a = 0 and b = 1.  The slice of the cube
 * { sum x = s } is cut into simplices; w[i][j] is (a scaled) volume of the
 * part of the i-dimensional slice in "layer" j, and t[i][j] the probability
 * of stepping down a layer on the way from dimension i + 1 to i.  A
 * sample walks down the table choosing a simplex with those
 * probabilities, then a uniform point in it by the simplex's
 * stick-breaking coordinates; the coordinates are finally shuffled.
 * The indices here are the MATLAB ones minus 1. */
bool an_gen_randfixedsum(simrng *r, size_t n, double U, double *out)
{
    if (n == 0 || !(U >= 0) || !(U <= (double)n))
        return false;
    double s = U;
    double k = fmax(fmin(floor(s), (double)n - 1), 0);
    s = fmax(fmin(s, k + 1), k);
    double *s1 = g_new(double, n), *s2 = g_new(double, n);
    for (size_t i = 0; i < n; i++) {
        s1[i] = s - (k - (double)i);
        s2[i] = (k + (double)n - (double)i) - s;
    }
    /* w is n x (n + 1), t is (n - 1) x n, row-major. */
    double *w = g_new0(double, n * (n + 1));
    double *t = g_new0(double, (n - 1) * n + 1);
    const double tiny = DBL_TRUE_MIN;   /* MATLAB's 2^-1074 */
    w[0 * (n + 1) + 1] = DBL_MAX;       /* scaled for the full double range */
    for (size_t i = 2; i <= n; i++) {
        double *wp = &w[(i - 2) * (n + 1)], *wi = &w[(i - 1) * (n + 1)];
        double *ti = &t[(i - 2) * n];
        for (size_t q = 0; q < i; q++) {
            double tmp1 = wp[q + 1] * s1[q] / (double)i;
            double tmp2 = wp[q] * s2[n - i + q] / (double)i;
            wi[q + 1] = tmp1 + tmp2;
            double tmp3 = wi[q + 1] + tiny;   /* both 0: t is 0 left, 1 right */
            bool right = s2[n - i + q] > s1[q];
            ti[q] = right ? tmp2 / tmp3 : 1 - tmp1 / tmp3;
        }
    }
    size_t j = (size_t)k + 1;           /* MATLAB's 1-based column */
    double sm = 0, pr = 1;
    for (size_t i = n - 1; i >= 1; i--) {
        double rt = simrng_uniform(r);  /* which simplex */
        double rs = simrng_uniform(r);  /* where in it */
        /* MATLAB's rand is in (0, 1) and tests rt <= t; ours is in [0, 1),
         * so "<" keeps P(step) = t and never steps where t = 0. */
        g_assert(j >= 1);
        bool e = rt < t[(i - 1) * n + (j - 1)];
        double sx = pow(rs, 1.0 / (double)i);
        sm += (1 - sx) * pr * s / (double)(i + 1);
        pr *= sx;
        out[n - i - 1] = sm + pr * (e ? 1.0 : 0.0);
        if (e) {
            s -= 1;
            j -= 1;
        }
    }
    out[n - 1] = sm + pr * s;
    /* Rounding can leave a value a few ulps outside the cube. */
    for (size_t i = 0; i < n; i++)
        out[i] = fmin(fmax(out[i], 0.0), 1.0);
    /* A uniform shuffle (Fisher-Yates), in place of MATLAB's sort of
     * uniforms: the same distribution, n - 1 draws. */
    for (size_t i = n - 1; i >= 1; i--) {
        size_t p = (size_t)simrng_below(r, i + 1);
        double x = out[i];
        out[i] = out[p];
        out[p] = x;
    }
    g_free(s1);
    g_free(s2);
    g_free(w);
    g_free(t);
    return true;
}

bool an_gen_params_check(const an_gen_params *p, GError **error)
{
#define BAD(...) do { \
        g_set_error(error, AN_GEN_ERROR, AN_GEN_ERROR_INVALID, __VA_ARGS__); \
        return false; \
    } while (0)
    if (p->method != AN_GEN_UUNIFAST && p->method != AN_GEN_RANDFIXEDSUM)
        BAD("unknown utilisation method %d", (int)p->method);
    if (p->n < 1)
        BAD("a task set needs at least one task");
    if (!(p->U > 0) || !isfinite(p->U))
        BAD("utilisation %g: must be > 0", p->U);
    if (p->method == AN_GEN_UUNIFAST && p->U > 1)
        BAD("utilisation %g: UUniFast gives values above 1 when U > 1; use Randfixedsum", p->U);
    if (p->method == AN_GEN_RANDFIXEDSUM && p->U > (double)p->n)
        BAD("utilisation %g: more than %zu tasks of utilisation at most 1 can carry", p->U, p->n);
    if (p->granularity < 1)
        BAD("period granularity must be at least 1 ns");
    if (p->Tmin < 1 || p->Tmin > p->Tmax)
        BAD("periods [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] ns: need 0 < Tmin <= Tmax",
            p->Tmin, p->Tmax);
    if (p->Tmin % p->granularity || p->Tmax % p->granularity)
        BAD("periods [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] ns: not multiples of the granularity %"
            G_GUINT64_FORMAT " ns", p->Tmin, p->Tmax, p->granularity);
    if (p->Tmax > (UINT64_C(1) << 53))
        BAD("Tmax %" G_GUINT64_FORMAT " ns: above 2^53 ns (104 days), periods are no longer exact doubles",
            p->Tmax);
    if (p->deadlines != AN_GEN_IMPLICIT && p->deadlines != AN_GEN_CONSTRAINED)
        BAD("unknown deadline kind %d", (int)p->deadlines);
    if (p->deadlines == AN_GEN_CONSTRAINED && !(p->alpha >= 0 && p->alpha <= 1))
        BAD("alpha %g: must be in [0, 1]", p->alpha);
    return true;
#undef BAD
}

/* Emberson et al. 2010: r uniform in [ln Tmin, ln(Tmax + g)), T =
 * floor(e^r / g) g.  The clamp only catches exp() rounding at the ends. */
static uint64_t draw_period(simrng *r, const an_gen_params *p)
{
    double g = (double)p->granularity;
    double lo = log((double)p->Tmin), hi = log((double)p->Tmax + g);
    double x = exp(lo + (hi - lo) * simrng_uniform(r));
    uint64_t T = (uint64_t)floor(x / g) * p->granularity;
    return CLAMP(T, p->Tmin, p->Tmax);
}

void an_gen_taskset(simrng *r, const an_gen_params *p, an_taskset *out)
{
    g_autoptr(GError) err = NULL;
    if (!an_gen_params_check(p, &err))
        g_error("an_gen_taskset: %s", err->message);
    size_t n = p->n;
    double *u = g_new(double, n);
    if (p->method == AN_GEN_UUNIFAST)
        an_gen_uunifast(r, n, p->U, u);
    else if (!an_gen_randfixedsum(r, n, p->U, u))
        g_assert_not_reached();   /* the check above covers it */

    out->n = n;
    out->t = g_new0(an_task, n);
    for (size_t i = 0; i < n; i++) {
        an_task *tk = &out->t[i];
        tk->name = g_strdup_printf("t%zu", i + 1);
        tk->period = draw_period(r, p);
        /* u <= 1 and T <= 2^53: the product and its rounding are exact
         * enough, and C <= T. */
        double c = floor(u[i] * (double)tk->period + 0.5);
        tk->wcet = c < 1 ? 1 : (uint64_t)c;
        tk->wcet = MIN(tk->wcet, tk->period);
        tk->deadline = tk->period;
        tk->jitter = 0;
        tk->blocking = 0;
        tk->priority = 0;
        tk->core = -1;
    }
    if (p->deadlines == AN_GEN_CONSTRAINED) {
        for (size_t i = 0; i < n; i++) {
            an_task *tk = &out->t[i];
            uint64_t span = tk->period - tk->wcet;
            uint64_t lo = tk->wcet + (uint64_t)ceil(p->alpha * (double)span);
            lo = MIN(lo, tk->period);
            tk->deadline = lo + simrng_below(r, tk->period - lo + 1);
        }
    }
    g_free(u);
}

void an_taskset_clear(an_taskset *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        g_free(ts->t[i].name);
    g_free(ts->t);
    ts->t = NULL;
    ts->n = 0;
}
