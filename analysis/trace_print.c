/* analysis/trace_print.c: the trace report as text, JSON and CSV (see
 * trace.h and docs/analysis.md). */
#include "trace.h"

#include <inttypes.h>
#include <string.h>

#include "sim/json.h"

static double us(double ps)
{
    return ps / 1e6;
}

static int name_width(const an_trace_report *r)
{
    int w = 4;
    for (guint i = 0; i < r->tasks->len; i++)
        w = MAX(w, (int)strlen(g_array_index(r->tasks, an_trace_task, i).name));
    return w;
}

/* One bound's cell: the figure and its verdict (width: the figure's). */
static void bound_text(GString *out, int width, bool has, bool ok, int64_t ps, const an_trace_task *t)
{
    if (!has)
        g_string_append_printf(out, "  %*s  %-10s", width, "-", "(no bound)");
    else if (!ok)
        g_string_append_printf(out, "  %*s  %-10s", width, "-", "unschedulable");
    else
        g_string_append_printf(out, "  %*.3f  %-10s", width, us((double)ps),
                               t->jobs && t->worst_ps > ps ? "EXCEEDED" : "ok");
}

void an_trace_print(const an_trace_report *r, GString *out)
{
    int w = name_width(r);
    const char *lacks = an_trace_level_note(r->level);
    g_string_append_printf(out, "%s: %.3f ms of simulated time\n\n", r->scenario, (double)r->end_ps / 1e9);
    if (lacks)
        g_string_append_printf(out, "note: %s.\n\n", lacks);
    g_string_append_printf(out, "%-*s  core  jobs  missed     best_us     mean_us    worst_us   jitter_us  start_max_us"
                                "  bound_observed_us              bound_safe_us\n", w, "task");
    for (guint i = 0; i < r->tasks->len; i++) {
        const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        g_string_append_printf(out, "%-*s  %4" PRId64 "  %4" PRId64 "  %6" PRId64, w, t->name, t->core, t->jobs,
                               t->missed);
        if (t->jobs)
            g_string_append_printf(out, "  %10.3f  %10.3f  %10.3f  %10.3f  %12.3f  ", us((double)t->best_ps),
                                   us(t->mean_ps), us((double)t->worst_ps), us((double)(t->worst_ps - t->best_ps)),
                                   us((double)t->start_max_ps));
        else
            g_string_append_printf(out, "  %-58s", "(no job finished)");
        bound_text(out, 17, t->has_bound, t->bound_ok, t->bound_ps, t);
        bound_text(out, 13, t->has_safe, t->safe_ok, t->safe_ps, t);
        while (out->len && out->str[out->len - 1] == ' ')
            g_string_truncate(out, out->len - 1);
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < r->tasks->len; i++) {
        const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        if (t->has_bound && t->bound_ok && t->jobs && t->worst_ps > t->bound_ps)
            g_string_append_printf(out,
                                   "\n!! BOUND EXCEEDED: %s's observed worst response %.3f us is above its analytic bound "
                                   "%.3f us.\n!! The model, the analysis or the task set is wrong.\n",
                                   t->name, us((double)t->worst_ps), us((double)t->bound_ps));
        if (t->has_safe && t->safe_ok && t->jobs && t->worst_ps > t->safe_ps)
            g_string_append_printf(out,
                                   "\n!! SAFE BOUND EXCEEDED: %s's observed worst response %.3f us is above its safe "
                                   "bound %.3f us.\n!! The model, the analysis or the declared demand is wrong.\n",
                                   t->name, us((double)t->worst_ps), us((double)t->safe_ps));
    }
    if (r->tasks->len && !lacks) {
        g_string_append_printf(out, "\nbounds: %s; observed-input: execution C = max(declared wcet, longest observed), "
                                    "blocking B = longest observed lock wait; safe: C and B from the declared bodies "
                                    "(task_demand); measured overheads: context switch %.3f us, "
                                    "scheduler %.3f us, interrupt %.3f us\n",
                               "per core", us((double)r->oh.ctx_switch), us((double)r->oh.sched), us((double)r->oh.irq));
        g_string_append_printf(out, "%-*s  C_observed_us  B_observed_us   C_safe_us   B_safe_us  analysis\n", w, "task");
        for (guint i = 0; i < r->tasks->len; i++) {
            const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
            g_string_append_printf(out, "%-*s  %13.3f  %13.3f", w, t->name, us((double)t->c_ps), us((double)t->b_ps));
            if (t->has_safe)
                g_string_append_printf(out, "  %10.3f  %10.3f", us((double)t->safe_c_ps), us((double)t->safe_b_ps));
            else
                g_string_append_printf(out, "  %10s  %10s", "-", "-");
            g_string_append_printf(out, "  %s", t->bound_note ? t->bound_note : "");
            if (!t->has_safe || (t->safe_note && t->bound_note && strcmp(t->safe_note, t->bound_note) != 0))
                g_string_append_printf(out, "; safe: %s", t->safe_note ? t->safe_note : "none");
            g_string_append_c(out, '\n');
        }
    }
    if (r->has_timeline && r->jobs->len) {
        g_string_append_printf(out, "\nresponse time breakdown, mean per job (us)\n%-*s", w, "task");
        for (int b = 0; b < AN_BD_N; b++)
            g_string_append_printf(out, "  %*s", MAX(9, (int)strlen(an_bd_name(b))), an_bd_name(b));
        g_string_append_c(out, '\n');
        for (int worst = 0; worst < 2; worst++) {
            if (worst)
                g_string_append_printf(out, "worst job of each task (us)\n");
            for (guint i = 0; i < r->tasks->len; i++) {
                const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
                if (!t->jobs || t->worst_job < 0)
                    continue;
                const an_trace_job *j = &g_array_index(r->jobs, an_trace_job, t->worst_job);
                g_string_append_printf(out, "%-*s", w, t->name);
                for (int b = 0; b < AN_BD_N; b++)
                    g_string_append_printf(out, "  %*.3f", MAX(9, (int)strlen(an_bd_name(b))),
                                           us(worst ? (double)j->bd[b] : t->bd_mean[b]));
                if (worst)
                    g_string_append_printf(out, "  (job %" PRId64 ")", j->job);
                g_string_append_c(out, '\n');
            }
        }
        bool any = false;
        for (guint i = 0; i < r->tasks->len; i++) {
            const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
            if (!t->preempt_mean)
                continue;
            if (!any)
                g_string_append(out, "preemption by task, mean per job (us)\n");
            any = true;
            g_string_append_printf(out, "%-*s ", w, t->name);
            for (guint k = 0; k < r->tasks->len; k++)
                if (t->preempt_mean[k] > 0)
                    g_string_append_printf(out, " %s %.3f", g_array_index(r->tasks, an_trace_task, k).name,
                                           us(t->preempt_mean[k]));
            g_string_append_c(out, '\n');
        }
    }
    if (r->cores->len) {
        g_string_append(out, "\ncore  utilisation     idle_us    tasks_us  scheduler_us  interrupts_us   kernel_us    other_us"
                             "  kernel_cycles   user_cycles  cross_cycles  evict_cycles  interrupts\n");
        for (guint i = 0; i < r->cores->len; i++) {
            const an_trace_core *c = &g_array_index(r->cores, an_trace_core, i);
            if (c->utilisation >= 0)
                g_string_append_printf(out, "%4" PRId64 "  %10.1f%%  %10.3f  %10.3f  %12.3f  %13.3f  %10.3f  %10.3f",
                                       c->core, 100.0 * c->utilisation, us((double)c->idle_ps), us((double)c->task_ps),
                                       us((double)c->sched_ps), us((double)c->irq_ps), us((double)c->kernel_ps),
                                       us((double)c->other_ps));
            else
                g_string_append_printf(out, "%4" PRId64 "  %-88s", c->core, "  (no switch events)");
            g_string_append_printf(out, "  %13" PRId64 "  %12" PRId64 "  %12" PRId64 "  %12" PRId64 "  %10" PRId64 "\n",
                                   c->kernel_cycles, c->user_cycles, c->cross_cycles, c->evict_cycles, c->interrupts);
        }
    }
    if (r->invocations->len) {
        g_string_append(out, "\nsynchronous invocations (k.sinv to k.sret, the server's work included)\n"
                             "machine  component       n     mean_us      max_us\n");
        for (guint i = 0; i < r->invocations->len; i++) {
            const an_trace_inv *v = &g_array_index(r->invocations, an_trace_inv, i);
            g_string_append_printf(out, "%7" PRId64 "  %9" PRId64 "  %6" PRId64 "  %10.3f  %10.3f\n", v->first_core, v->component, v->n, us(v->mean_ps),
                                   us((double)v->max_ps));
        }
    }
}

static void field_num(GString *out, const char *key, double v)
{
    g_string_append_printf(out, ",\"%s\":", key);
    simjson_double(out, v);
}

static void field_int(GString *out, const char *key, int64_t v)
{
    g_string_append_printf(out, ",\"%s\":", key);
    simjson_int(out, v);
}

static void bd_json(GString *out, const char *key, const double *bd)
{
    g_string_append_printf(out, ",\"%s\":{", key);
    for (int b = 0; b < AN_BD_N; b++) {
        g_string_append_printf(out, "%s\"%s\":", b ? "," : "", an_bd_name(b));
        simjson_double(out, us(bd[b]));
    }
    g_string_append_c(out, '}');
}

/* One bound's fields: NAME_us (null: none), NAME_exceeded, NAME_c_us,
 * NAME_b_us (null without a bound), NAME_analysis. */
static void bound_json(GString *out, const char *name, bool has, bool ok, int64_t ps, int64_t c_ps, int64_t b_ps,
                       const char *note, const an_trace_task *t)
{
    g_string_append_printf(out, ",\"%s_us\":", name);
    if (has && ok)
        simjson_double(out, us((double)ps));
    else
        g_string_append(out, "null");
    g_string_append_printf(out, ",\"%s_exceeded\":%s", name, has && ok && t->jobs && t->worst_ps > ps ? "true" : "false");
    g_string_append_printf(out, ",\"%s_c_us\":", name);
    if (has)
        simjson_double(out, us((double)c_ps));
    else
        g_string_append(out, "null");
    g_string_append_printf(out, ",\"%s_b_us\":", name);
    if (has)
        simjson_double(out, us((double)b_ps));
    else
        g_string_append(out, "null");
    g_string_append_printf(out, ",\"%s_analysis\":", name);
    simjson_string(out, note ? note : "", -1);
}

void an_trace_json(const an_trace_report *r, GString *out)
{
    g_string_append(out, "{\"scenario\":");
    simjson_string(out, r->scenario, -1);
    field_int(out, "end_ps", r->end_ps);
    g_string_append_printf(out, ",\"trace_level\":\"%s\"", simtr_level_name(r->level));
    field_int(out, "bound_observed_exceeded", r->bound_exceeded);
    field_int(out, "bound_safe_exceeded", r->safe_exceeded);
    g_string_append(out, ",\"overheads_us\":{\"ctx_switch\":");
    simjson_double(out, us((double)r->oh.ctx_switch));
    if (r->level == SIMTR_LEVEL_ALL) {
        field_num(out, "sched", us((double)r->oh.sched));
        field_num(out, "irq", us((double)r->oh.irq));
    } else {        /* measured from the scheduler's stretches: unknown without its events */
        g_string_append(out, ",\"sched\":null,\"irq\":null");
    }
    g_string_append(out, "},\"tasks\":[");
    for (guint i = 0; i < r->tasks->len; i++) {
        const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        g_string_append(out, i ? ",{\"name\":" : "{\"name\":");
        simjson_string(out, t->name, -1);
        field_int(out, "task", t->task);
        field_int(out, "core", t->core);
        field_int(out, "jobs", t->jobs);
        field_int(out, "missed", t->missed);
        if (t->jobs) {
            field_num(out, "best_us", us((double)t->best_ps));
            field_num(out, "mean_us", us(t->mean_ps));
            field_num(out, "worst_us", us((double)t->worst_ps));
            field_num(out, "jitter_us", us((double)(t->worst_ps - t->best_ps)));
            field_num(out, "start_max_us", us((double)t->start_max_ps));
        }
        bound_json(out, "bound_observed", t->has_bound, t->bound_ok, t->bound_ps, t->c_ps, t->b_ps, t->bound_note, t);
        bound_json(out, "bound_safe", t->has_safe, t->safe_ok, t->safe_ps, t->safe_c_ps, t->safe_b_ps, t->safe_note, t);
        if (t->jobs && t->worst_job >= 0 && r->has_timeline) {
            bd_json(out, "breakdown_mean_us", t->bd_mean);
            const an_trace_job *j = &g_array_index(r->jobs, an_trace_job, t->worst_job);
            double w[AN_BD_N];
            for (int b = 0; b < AN_BD_N; b++)
                w[b] = (double)j->bd[b];
            bd_json(out, "breakdown_worst_us", w);
            field_int(out, "worst_job", j->job);
            g_string_append(out, ",\"preemption_mean_us\":{");
            bool first = true;
            for (guint k = 0; t->preempt_mean && k < r->tasks->len; k++)
                if (t->preempt_mean[k] > 0) {
                    g_string_append(out, first ? "" : ",");
                    simjson_string(out, g_array_index(r->tasks, an_trace_task, k).name, -1);
                    g_string_append_c(out, ':');
                    simjson_double(out, us(t->preempt_mean[k]));
                    first = false;
                }
            g_string_append_c(out, '}');
        }
        g_string_append(out, "}");
    }
    g_string_append(out, "],\"cores\":[");
    for (guint i = 0; i < r->cores->len; i++) {
        const an_trace_core *c = &g_array_index(r->cores, an_trace_core, i);
        g_string_append(out, i ? ",{\"core\":" : "{\"core\":");
        simjson_int(out, c->core);
        field_int(out, "kernel_cycles", c->kernel_cycles);
        field_int(out, "user_cycles", c->user_cycles);
        field_int(out, "cross_cycles", c->cross_cycles);
        field_int(out, "user_cross_cycles", c->user_cross_cycles);
        field_int(out, "evict_misses", c->evict_misses);
        field_int(out, "evict_cycles", c->evict_cycles);
        field_int(out, "interrupts", c->interrupts);
        if (c->utilisation >= 0) {
            field_num(out, "utilisation", c->utilisation);
            field_num(out, "idle_us", us((double)c->idle_ps));
            field_num(out, "tasks_us", us((double)c->task_ps));
            field_num(out, "scheduler_us", us((double)c->sched_ps));
            field_num(out, "interrupts_us", us((double)c->irq_ps));
            field_num(out, "kernel_us", us((double)c->kernel_ps));
            field_num(out, "other_us", us((double)c->other_ps));
        }
        g_string_append(out, "}");
    }
    g_string_append(out, "],\"invocations\":[");
    for (guint i = 0; i < r->invocations->len; i++) {
        const an_trace_inv *v = &g_array_index(r->invocations, an_trace_inv, i);
        g_string_append(out, i ? ",{\"component\":" : "{\"component\":");
        simjson_int(out, v->component);
        field_int(out, "first_core", v->first_core);
        field_int(out, "n", v->n);
        field_num(out, "mean_us", us(v->mean_ps));
        field_num(out, "max_us", us((double)v->max_ps));
        g_string_append(out, "}");
    }
    g_string_append(out, "]}\n");
}

void an_trace_jobs_csv(const an_trace_report *r, GString *out)
{
    g_string_append(out, "task,job,core,release_us,start_us,finish_us,response_us,missed");
    for (int b = 0; b < AN_BD_N; b++)
        g_string_append_printf(out, ",%s_us", an_bd_name(b));
    g_string_append_c(out, '\n');
    for (guint i = 0; i < r->jobs->len; i++) {
        const an_trace_job *j = &g_array_index(r->jobs, an_trace_job, i);
        const char *name = j->task >= 0 && j->task < (int64_t)r->tasks->len
                               ? g_array_index(r->tasks, an_trace_task, j->task).name : "?";
        g_string_append_printf(out, "%s,%" PRId64 ",%" PRId64 ",%.6f,%.6f,%.6f,%.6f,%d", name, j->job, j->core,
                               us((double)j->release_ps), us((double)j->start_ps), us((double)j->finish_ps),
                               us((double)j->response_ps), j->missed ? 1 : 0);
        for (int b = 0; b < AN_BD_N; b++)
            g_string_append_printf(out, ",%.6f", us((double)j->bd[b]));
        g_string_append_c(out, '\n');
    }
}
