/* analysis/trace_bound.c: the analytic bound of each task of a trace,
 * for the task set the trace describes with the overheads measured in it
 * (see trace.h), and the arithmetic on a trace's figures that the reader
 * (trace.c) shares with it: cycles to picoseconds, and sums and products
 * that saturate, since a trace's cycles and counts come from a file anyone
 * can edit.  Calls nothing of trace.c. */
#include "trace_internal.h"

#include <string.h>

#include "edf.h"
#include "fp.h"

/* a + b and a * b of values >= 0, at most INT64_MAX (a trace's cycles and
 * counts are not bounded by its run's length) */
int64_t an_trace_sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int64_t an_trace_sat_mul(int64_t a, int64_t b)
{
    return a != 0 && b > INT64_MAX / a ? INT64_MAX : a * b;
}

int64_t an_trace_ps(int64_t cycles, int64_t freq)
{
    if (freq <= 0 || cycles <= 0)
        return 0;
    __int128 ps = ((__int128)cycles * 1000000000000 + freq - 1) / freq;
    return ps > INT64_MAX ? INT64_MAX : (int64_t)ps;
}

int64_t an_trace_core_freq(const an_trace_report *r, int64_t core)
{
    for (guint i = 0; i < r->cores->len; i++)
        if (g_array_index(r->cores, an_trace_core, i).core == core)
            return g_array_index(r->cores, an_trace_core, i).freq_hz;
    return 0;
}

static uint64_t ns_up(int64_t ps)
{
    return ps <= 0 ? 0 : (uint64_t)(ps / 1000 + (ps % 1000 != 0));
}

void an_trace_bounds(an_trace_report *r)
{
    an_overheads oh = { .ctx_switch = ns_up(r->oh.ctx_switch), .sched = ns_up(r->oh.sched),
                        .irq = ns_up(r->oh.irq), .invocation = 0 };
    GHashTable *done = g_hash_table_new(NULL, NULL);
    for (guint i = 0; i < r->tasks->len; i++) {
        an_trace_task *first = &g_array_index(r->tasks, an_trace_task, i);
        if (g_hash_table_contains(done, GINT_TO_POINTER((int)first->core)))
            continue;
        g_hash_table_add(done, GINT_TO_POINTER((int)first->core));
        /* the core's tasks */
        GArray *idx = g_array_new(FALSE, FALSE, sizeof(guint));
        bool fp = false, edf = false, grouped = false;
        const char *other = NULL;      /* a policy no test here covers (rr, a Lua policy) */
        for (guint k = i; k < r->tasks->len; k++) {
            an_trace_task *t = &g_array_index(r->tasks, an_trace_task, k);
            if (t->core != first->core)
                continue;
            g_array_append_val(idx, k);
            fp |= strcmp(t->policy, "fp") == 0;
            edf |= strcmp(t->policy, "edf") == 0;
            if (strcmp(t->policy, "fp") != 0 && strcmp(t->policy, "edf") != 0)
                other = t->policy;
            grouped |= t->grouped;
        }
        const char *why = NULL;
        const an_trace_core *core = NULL;
        for (guint k = 0; k < r->cores->len; k++)
            if (g_array_index(r->cores, an_trace_core, k).core == first->core)
                core = &g_array_index(r->cores, an_trace_core, k);
        if (r->level < SIMTR_LEVEL_ALL)     /* the overheads, C and B below come from the events it lacks */
            why = r->level == SIMTR_LEVEL_JOBS ? "no bound: the trace has no events (--trace-level jobs)"
                                               : "no bound: the trace has no component events (--trace-level kernel)";
        else if (other)
            why = strcmp(other, "rr") == 0 ? "the core's scheduler is round robin: no analytic test is built for it"
                                           : "the core's scheduler is a scenario's own policy: no analytic test applies";
        else if (grouped)
            why = "the core runs a scheduling hierarchy (groups): no single-level bound (analyze the groups with --taskset and their budgets)";
        else if (fp && edf)
            why = "fp and edf tasks share the core: no single-level test applies";
        else if (core && core->irq_thread_ps > 0)
            why = "interrupt threads ran on the core and their arrivals are not in the task set: no bound";
        an_taskset ts = { g_new0(an_task, idx->len), idx->len };
        for (guint k = 0; k < idx->len && !why; k++) {
            an_trace_task *t = &g_array_index(r->tasks, an_trace_task, g_array_index(idx, guint, k));
            int64_t c_ps = an_trace_sat_add(MAX(t->wcet_cycles > 0 ? an_trace_ps(t->wcet_cycles, an_trace_core_freq(r, t->core)) : 0,
                                       t->own_max_ps), t->susp_max_ps);
            if (c_ps <= 0 || t->period_ps <= 0 || t->deadline_ps <= 0)
                why = "a task on the core has no declared or observed execution time, or no period";
            else if (t->budget_ps > 0 && t->budget_ps < c_ps)
                why = "a task's budget is below its execution time (its tcap throttles it): no bound";
            t->c_ps = c_ps;
            t->b_ps = t->lock_max_ps;
            ts.t[k] = (an_task){ .name = t->name, .period = (uint64_t)(t->period_ps / 1000),
                                 .wcet = ns_up(c_ps), .deadline = (uint64_t)(t->deadline_ps / 1000),
                                 .jitter = ns_up(t->jitter_ps), .blocking = ns_up(t->b_ps),
                                 .priority = (int)t->priority, .core = 0 };
            if (ts.t[k].period == 0 || ts.t[k].deadline == 0)
                why = "a period or deadline below 1 ns";
        }
        an_result *res = g_new0(an_result, idx->len ? idx->len : 1);
        bool edf_ok = false;
        if (!why && edf)
            edf_ok = an_edf_schedulable(&ts, &oh, NULL);
        else if (!why)
            an_fp_rta(&ts, &oh, res);
        for (guint k = 0; k < idx->len; k++) {
            an_trace_task *t = &g_array_index(r->tasks, an_trace_task, g_array_index(idx, guint, k));
            if (why) {
                t->bound_note = g_strdup(why);
                continue;
            }
            t->has_bound = true;
            if (edf) {
                t->bound_ok = edf_ok;
                t->bound_ps = t->deadline_ps;
                t->bound_note = g_strdup(edf_ok ? "EDF demand test (QPA): schedulable, so response <= deadline"
                                                : "EDF demand test (QPA): the core's set is not schedulable");
            } else {
                t->bound_ok = res[k].schedulable;
                t->bound_ps = res[k].wcrt > (uint64_t)INT64_MAX / 1000 ? INT64_MAX : (int64_t)res[k].wcrt * 1000;
                t->bound_note = g_strdup(res[k].schedulable ? "fixed-priority response-time analysis"
                                                            : "fixed-priority RTA: unschedulable (the bound is the first response found above the deadline)");
            }
            if (t->jobs && t->bound_ok && t->worst_ps > t->bound_ps)
                r->bound_exceeded++;
        }
        g_free(res);
        g_free(ts.t);
        g_array_free(idx, TRUE);
    }
    g_hash_table_destroy(done);
}

