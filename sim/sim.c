/* sim/sim.c: the simulation object and its run loop (see sim.h). */
#include "sim.h"

#include <string.h>

const char *sim_stop_name(sim_stop_reason r)
{
    switch (r) {
    case SIM_STOP_TIME: return "time";
    case SIM_STOP_BUDGET: return "budget";
    case SIM_STOP_EMPTY: return "empty";
    case SIM_STOP_REQUEST: return "request";
    case SIM_STOP_HOST: return "host budget";
    }
    return "?";
}

static const simtr_column param_cols[] = {
    { "key", SIMTR_TEXT, true },
    { "value", SIMTR_TEXT, true },
};
static const simtr_column kind_cols[] = {
    { "name", SIMTR_TEXT, true },
};
static const simtr_column event_cols[] = {
    { "time_ps", SIMTR_INT, true },
    { "core", SIMTR_INT, false },
    { "kind", SIMTR_INT, true },
    { "thread", SIMTR_INT, false },
    { "component", SIMTR_INT, false },
    { "a0", SIMTR_INT, false },
    { "a1", SIMTR_INT, false },
    { "a2", SIMTR_INT, false },
    { "note", SIMTR_TEXT, false },
};

sim *sim_new(uint64_t seed, simtr *trace)
{
    g_assert(trace != NULL);
    sim *s = g_new0(sim, 1);
    simq_init(&s->queue);
    s->seed = seed;
    s->trace = trace;
    s->t_params = simtr_define(trace, "run_params", param_cols, G_N_ELEMENTS(param_cols));
    s->t_kinds = simtr_define(trace, "event_kinds", kind_cols, G_N_ELEMENTS(kind_cols));
    s->t_events = simtr_define(trace, "events", event_cols, G_N_ELEMENTS(event_cols));
    s->kinds = g_ptr_array_new_with_free_func(g_free);
    s->kind_ids = g_hash_table_new(g_str_hash, g_str_equal);
    s->kind_kept = g_byte_array_new();
    return s;
}

void sim_free(sim *s)
{
    if (s == NULL)
        return;
    simq_clear(&s->queue);
    simtr_abort(s->trace);
    g_hash_table_destroy(s->kind_ids);
    g_ptr_array_free(s->kinds, TRUE);
    g_byte_array_free(s->kind_kept, TRUE);
    g_free(s->stop_note);
    g_free(s);
}

void sim_after(sim *s, simq_event *ev, sim_time_t delay, unsigned prio)
{
    sim_time_t when = delay > SIM_TIME_MAX - s->now ? SIM_TIME_MAX : s->now + delay;
    simq_schedule(&s->queue, ev, when, prio);
}

void sim_stop(sim *s, const char *note)
{
    s->stop_requested = true;
    if (note && s->stop_note == NULL)
        s->stop_note = g_strdup(note);
}

void sim_set_progress(sim *s, sim_progress_fn fn, void *user)
{
    s->progress = fn;
    s->progress_user = user;
}

sim_stop_reason sim_run(sim *s, sim_time_t until, uint64_t max_events)
{
    g_assert(!s->running);
    g_assert(until >= s->now);
    s->running = true;
    s->stop_requested = false;
    g_clear_pointer(&s->stop_note, g_free);
    s->target = until;
    uint64_t budget_end = max_events ? s->dispatched + max_events : UINT64_MAX;
    sim_stop_reason why;
    for (;;) {
        if (G_UNLIKELY(s->budget && s->budget->state != SIMBUDGET_OK)) {
            why = SIM_STOP_HOST;
            break;
        }
        if (s->stop_requested) {
            why = SIM_STOP_REQUEST;
            break;
        }
        if (s->dispatched >= budget_end) {
            why = SIM_STOP_BUDGET;
            break;
        }
        simq_event *ev = simq_pop_until(&s->queue, until);
        if (ev == NULL) {
            if (until != SIM_TIME_MAX) {
                s->now = until;
                /* nothing may now be scheduled before the clock, even by
                 * code that calls the queue directly */
                simq_raise_floor(&s->queue, until);
                why = SIM_STOP_TIME;
            } else {
                why = SIM_STOP_EMPTY;
            }
            break;
        }
        s->now = ev->when;
        s->dispatched++;
        ev->fn(s, ev);
        if (G_UNLIKELY((s->dispatched & (SIMBUDGET_EVENTS - 1)) == 0) && !simbudget_ok(s->budget)) {
            why = SIM_STOP_HOST;
            break;
        }
        if (G_UNLIKELY((s->dispatched & (SIM_PROGRESS_EVERY - 1)) == 0) && s->progress)
            s->progress(s, s->progress_user);
    }
    s->running = false;
    return why;
}

void sim_rng(const sim *s, const char *name, simrng *out)
{
    simrng_init(out, s->seed, name);
}

void sim_param(sim *s, const char *key, const char *value)
{
    simtr_begin(s->t_params);
    simtr_text(s->t_params, key, -1);
    simtr_text(s->t_params, value, -1);
    simtr_end(s->t_params);
}

uint32_t sim_kind(sim *s, const char *name)
{
    gpointer v = g_hash_table_lookup(s->kind_ids, name);
    if (v)
        return GPOINTER_TO_UINT(v);
    uint32_t id = s->kinds->len + 1;   /* the row id in event_kinds */
    char *copy = g_strdup(name);
    g_ptr_array_add(s->kinds, copy);
    g_hash_table_insert(s->kind_ids, copy, GUINT_TO_POINTER(id));
    guint8 kept = simtr_keeps_kind(s->trace, name);
    g_byte_array_append(s->kind_kept, &kept, 1);
    simtr_begin(s->t_kinds);
    simtr_text(s->t_kinds, name, -1);
    simtr_end(s->t_kinds);
    return id;
}

static inline void opt_int(simtr_table *t, int64_t v)
{
    if (v == SIM_NONE)
        simtr_null(t);
    else
        simtr_int(t, v);
}

void sim_event(sim *s, uint32_t kind, int64_t core, int64_t thread, int64_t component,
               int64_t a0, int64_t a1, int64_t a2, const char *note)
{
    g_assert(kind >= 1 && kind <= s->kinds->len);
    g_assert(s->now <= (sim_time_t)INT64_MAX);   /* time_ps is a signed column */
    if (!s->kind_kept->data[kind - 1])
        return;
    simtr_table *t = s->t_events;
    simtr_begin(t);
    simtr_int(t, (int64_t)s->now);
    opt_int(t, core);
    simtr_int(t, (int64_t)kind);
    opt_int(t, thread);
    opt_int(t, component);
    opt_int(t, a0);
    opt_int(t, a1);
    opt_int(t, a2);
    if (note)
        simtr_text(t, note, -1);
    else
        simtr_null(t);
    simtr_end(t);
}

bool sim_finish(sim *s, const simtr_run *run, char digest[SIMTR_DIGEST_HEX], GError **error)
{
    simtr *tr = s->trace;
    s->trace = NULL;
    return simtr_finish(tr, run, digest, error);
}
