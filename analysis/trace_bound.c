/* analysis/trace_bound.c: the analytic bounds of each task of a trace,
 * for the task set the trace describes with the overheads measured in it
 * (see trace.h): the observed-input bound (C and B as observed) and the
 * safe bound (C and B from the declared demand, the task_demand table,
 * read here too); and the arithmetic on a trace's figures that the reader
 * (trace.c) shares with it: cycles to picoseconds, and sums and products
 * that saturate, since a trace's cycles and counts come from a file anyone
 * can edit.  Calls nothing of trace.c. */
#include "trace_internal.h"

#include <inttypes.h>
#include <string.h>
#include <sqlite3.h>

#include "edf.h"
#include "fp.h"
#include "trace_db.h"
#include "sim/trace_names.h"

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


/* ---- the declared demand (task_demand) -------------------------------------------------- */

static char *text_or_null(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? g_strdup((const char *)s) : NULL;
}

bool an_trace_read_demand(sqlite3 *db, an_trace_report *r, char **why)
{
    for (guint i = 0; i < r->tasks->len; i++) {
        an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        t->demand_cycles = -1;
    }
    if (!an_db_has_table(db, TRN_TASK_DEMAND))
        return true;
    r->has_demand = true;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT task, lock, protocol, ceiling, invocations, cycles, note FROM " TRN_TASK_DEMAND
                           " ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
        *why = g_strdup_printf("the " TRN_TASK_DEMAND " table cannot be read: %s", sqlite3_errmsg(db));
        return false;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t task = sqlite3_column_int64(st, 0), ceiling = sqlite3_column_int64(st, 3),
                inv = sqlite3_column_int64(st, 4);
        int64_t cycles = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5);
        if (task < 0 || task >= (int64_t)r->tasks->len || inv < 0 || cycles < -1 || ceiling < 0) {
            *why = g_strdup_printf("the " TRN_TASK_DEMAND " table has a row the writer never makes (task %" PRId64
                                   ": a task out of range or a negative figure): the trace was edited or is damaged",
                                   task);
            sqlite3_finalize(st);
            return false;
        }
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
            an_trace_task *t = &g_array_index(r->tasks, an_trace_task, task);
            t->demand_cycles = cycles;
            t->demand_invocations = inv;
            g_free(t->demand_note);
            t->demand_note = text_or_null(st, 6);
        } else {
            an_trace_section x = { .task = task, .lock = text_or_null(st, 1), .protocol = text_or_null(st, 2),
                                   .ceiling = ceiling, .cycles = cycles, .invocations = inv, .note = text_or_null(st, 6) };
            if (!x.protocol)
                x.protocol = g_strdup("none");
            g_array_append_val(r->sections, x);
        }
    }
    bool ok = rc == SQLITE_DONE;
    if (!ok)
        *why = g_strdup_printf("the " TRN_TASK_DEMAND " table cannot be read: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return ok;
}

/* ---- the bounds ----------------------------------------------------------------------------- */

/* The longest run of a kernel path on the machine of `core`, cycles. */
static int64_t path_max(const an_trace_report *r, int64_t core, const char *name)
{
    int64_t first = -1, m = 0;
    for (guint i = 0; i < r->paths->len; i++) {
        const an_trace_path *p = &g_array_index(r->paths, an_trace_path, i);
        if (p->first_core <= core && p->first_core > first)
            first = p->first_core;
    }
    for (guint i = 0; i < r->paths->len; i++) {
        const an_trace_path *p = &g_array_index(r->paths, an_trace_path, i);
        if (p->first_core == first && strcmp(p->path, name) == 0)
            m = MAX(m, p->max_cycles);
    }
    return m;
}

/* Declared cycles plus each invocation's kernel paths (the longest sinv
 * and sret of the machine), as ps of the task's core. */
static int64_t declared_ps(const an_trace_report *r, int64_t core, int64_t cycles, int64_t invocations)
{
    int64_t inv = an_trace_sat_add(path_max(r, core, "sinv"), path_max(r, core, "sret"));
    return an_trace_ps(an_trace_sat_add(cycles, an_trace_sat_mul(invocations, inv)), an_trace_core_freq(r, core));
}

/* The safe C and B of task t (ps); NULL, or why there are none. */
static const char *safe_inputs(const an_trace_report *r, an_trace_task *t, bool edf)
{
    if (!r->has_demand)
        return "no safe bound: the trace has no task_demand table (written before it)";
    if (t->demand_cycles < 0)
        return t->demand_note ? t->demand_note : "the task's body has no declared demand";
    t->safe_c_ps = declared_ps(r, t->core, t->demand_cycles, t->demand_invocations);
    /* blocking: the critical sections of lower-priority tasks (EDF: longer
     * relative deadlines) of the core on locks whose ceiling reaches t */
    GHashTable *per_lock = g_hash_table_new(g_str_hash, g_str_equal);   /* lock -> longest section (ps) + 1 */
    int64_t *per_task = g_new0(int64_t, r->tasks->len);
    bool ceiling_only = true, any = false;
    const char *why = NULL;
    for (guint k = 0; k < r->sections->len && !why; k++) {
        const an_trace_section *x = &g_array_index(r->sections, an_trace_section, k);
        const an_trace_task *o = &g_array_index(r->tasks, an_trace_task, x->task);
        if (o == t || o->core != t->core)
            continue;
        bool lower = edf ? o->deadline_ps > t->deadline_ps : o->priority > t->priority;
        if (!lower || (!edf && x->ceiling > t->priority))
            continue;
        if (strcmp(x->protocol, "none") == 0)
            why = "a lock it may wait on has no protocol (protocol none): blocking is not bounded";
        else if (x->cycles < 0)
            why = "a lower-priority critical section on a lock it may wait on has no declared demand";
        if (why)
            break;
        int64_t ps = declared_ps(r, o->core, x->cycles, x->invocations);
        gpointer old = g_hash_table_lookup(per_lock, x->lock);
        if (!old || GPOINTER_TO_SIZE(old) - 1 < (gsize)ps)
            g_hash_table_insert(per_lock, x->lock, GSIZE_TO_POINTER((gsize)ps + 1));
        per_task[x->task] = MAX(per_task[x->task], ps);
        ceiling_only &= strcmp(x->protocol, "ceiling") == 0;
        any = true;
    }
    int64_t b = 0;
    if (!why && any && ceiling_only) {
        /* immediate ceiling: at most one lower-priority section */
        for (guint k = 0; k < r->tasks->len; k++)
            b = MAX(b, per_task[k]);
    } else if (!why && any) {
        /* inheritance: at most one section per lock, and one per lower task */
        int64_t by_lock = 0, by_task = 0;
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, per_lock);
        while (g_hash_table_iter_next(&it, &key, &val))
            by_lock = an_trace_sat_add(by_lock, (int64_t)(GPOINTER_TO_SIZE(val) - 1));
        for (guint k = 0; k < r->tasks->len; k++)
            by_task = an_trace_sat_add(by_task, per_task[k]);
        b = MIN(by_lock, by_task);
    }
    t->safe_b_ps = b;
    g_hash_table_destroy(per_lock);
    g_free(per_task);
    return why;
}

/* One core's tasks (idx) analysed with the observed (safe false) or the
 * declared inputs; why_core: why no bound applies to the core at all. */
static void core_bound(an_trace_report *r, GArray *idx, bool fp, bool edf, const char *why_core, bool safe)
{
    an_overheads oh = { .ctx_switch = ns_up(r->oh.ctx_switch), .sched = ns_up(r->oh.sched),
                        .irq = ns_up(r->oh.irq), .invocation = 0 };
    (void)fp;
    const char *why = why_core;
    an_taskset ts = { g_new0(an_task, idx->len), idx->len };
    for (guint k = 0; k < idx->len && !why; k++) {
        an_trace_task *t = &g_array_index(r->tasks, an_trace_task, g_array_index(idx, guint, k));
        int64_t c_ps, b_ps;
        if (safe) {
            why = safe_inputs(r, t, edf);
            c_ps = t->safe_c_ps;
            b_ps = t->safe_b_ps;
        } else {
            c_ps = an_trace_sat_add(MAX(t->wcet_cycles > 0 ? an_trace_ps(t->wcet_cycles, an_trace_core_freq(r, t->core)) : 0,
                                        t->own_max_ps), t->susp_max_ps);
            t->c_ps = c_ps;
            t->b_ps = b_ps = t->lock_max_ps;
        }
        if (why)
            break;
        if (c_ps <= 0 || t->period_ps <= 0 || t->deadline_ps <= 0)
            why = "a task on the core has no declared or observed execution time, or no period";
        else if (t->budget_ps > 0 && t->budget_ps < c_ps)
            why = "a task's budget is below its execution time (its tcap throttles it): no bound";
        ts.t[k] = (an_task){ .name = t->name, .period = (uint64_t)(t->period_ps / 1000),
                             .wcet = ns_up(c_ps), .deadline = (uint64_t)(t->deadline_ps / 1000),
                             .jitter = ns_up(t->jitter_ps), .blocking = ns_up(b_ps),
                             .priority = (int)t->priority, .core = 0 };
        if (!why && (ts.t[k].period == 0 || ts.t[k].deadline == 0))
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
        bool *has = safe ? &t->has_safe : &t->has_bound, *ok = safe ? &t->safe_ok : &t->bound_ok;
        int64_t *ps = safe ? &t->safe_ps : &t->bound_ps;
        char **note = safe ? &t->safe_note : &t->bound_note;
        if (why) {
            *note = g_strdup(why);
            continue;
        }
        *has = true;
        if (edf) {
            *ok = edf_ok;
            *ps = t->deadline_ps;
            *note = g_strdup(edf_ok ? "EDF demand test (QPA): schedulable, so response <= deadline"
                                    : "EDF demand test (QPA): the core's set is not schedulable");
        } else {
            *ok = res[k].schedulable;
            *ps = res[k].wcrt > (uint64_t)INT64_MAX / 1000 ? INT64_MAX : (int64_t)res[k].wcrt * 1000;
            *note = g_strdup(res[k].schedulable ? "fixed-priority response-time analysis"
                                                : "fixed-priority RTA: unschedulable (the bound is the first response found above the deadline)");
        }
        if (t->jobs && *ok && t->worst_ps > *ps)
            (*(safe ? &r->safe_exceeded : &r->bound_exceeded))++;
    }
    g_free(res);
    g_free(ts.t);
}

void an_trace_bounds(an_trace_report *r)
{
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
        core_bound(r, idx, fp, edf, why, false);
        core_bound(r, idx, fp, edf, why, true);
        g_array_free(idx, TRUE);
    }
    g_hash_table_destroy(done);
}
