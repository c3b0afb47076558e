/* analysis/sweep.c: the schedulability experiment (see sweep.h). */
#include "sweep.h"

#include "edf.h"
#include "fp.h"

enum { T_LL, T_DM, T_AUDSLEY, T_EDF, T_COUNT };
static const char *const test_names[T_COUNT] = { "liu-layland", "fp-dm", "fp-audsley", "edf" };

bool an_sweep_run(const an_sweep_params *p, GString *csv, GError **error)
{
    if (p->tasks < 1 || p->tasks > 1000 || p->sets < 1 || p->sets > 1000000 || !(p->step > 0) ||
        !(p->from > 0) || !(p->to >= p->from) || p->to > 1.0 + 1e-12) {
        g_set_error(error, AN_GEN_ERROR, 0, "sweep: tasks 1..1000, sets 1..1000000, 0 < from <= to <= 1, step > 0");
        return false;
    }
    g_string_append(csv, "utilisation,test,accepted,sets,fraction\n");
    unsigned points = (unsigned)((p->to - p->from) / p->step + 1e-9) + 1;
    an_result *res = g_new0(an_result, p->tasks);
    for (unsigned k = 0; k < points; k++) {
        double u = p->from + k * p->step;
        if (u > 1.0)
            u = 1.0;
        an_gen_params gp = { .n = p->tasks, .U = u, .method = AN_GEN_UUNIFAST, .Tmin = p->tmin, .Tmax = p->tmax,
                             .granularity = 1000, .deadlines = p->deadlines, .alpha = 0.0 };
        if (!an_gen_params_check(&gp, error)) {
            g_free(res);
            return false;
        }
        char stream[32];
        g_snprintf(stream, sizeof stream, "sweep.u%u", k);
        simrng r;
        simrng_init(&r, p->seed, stream);
        unsigned accepted[T_COUNT] = { 0 };
        for (unsigned s = 0; s < p->sets; s++) {
            an_taskset ts;
            an_gen_taskset(&r, &gp, &ts);
            double util = an_fp_utilisation(&ts, NULL);
            if (p->deadlines == AN_GEN_IMPLICIT && util <= an_fp_ll_bound(ts.n))
                accepted[T_LL]++;
            an_fp_assign_dm(&ts);
            if (an_fp_rta(&ts, NULL, res))
                accepted[T_DM]++;
            if (an_fp_assign_audsley(&ts, NULL))
                accepted[T_AUDSLEY]++;
            if (an_edf_schedulable(&ts, NULL, NULL))
                accepted[T_EDF]++;
            an_taskset_clear(&ts);
        }
        for (int t = 0; t < T_COUNT; t++) {
            if (t == T_LL && p->deadlines != AN_GEN_IMPLICIT)
                continue;
            g_string_append_printf(csv, "%.4f,%s,%u,%u,%.6f\n", u, test_names[t], accepted[t], p->sets,
                                   (double)accepted[t] / p->sets);
        }
    }
    g_free(res);
    return true;
}
