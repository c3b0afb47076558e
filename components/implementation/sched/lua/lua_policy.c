/* components/implementation/sched/lua/lua_policy.c: a scheduling policy
 * whose decision is a function the scenario writes in Lua
 * (system{ policy = { pick = function(ready, now) ... end,
 * instructions = N, quantum = T } }; components/interface/sched.h).
 *
 * At each decision, a core's timer thread and then interrupt threads (by
 * their priority) run first, as under every policy; otherwise the function
 * chooses among the ready tasks.  compose/policy.c calls it (this code, like
 * every component's, knows nothing of Lua: it has a function pointer in its
 * description, as a task with a Lua body has).  A decision costs the N user
 * instructions the scenario declares, on the simulated core.  With a
 * quantum, the scheduler also decides when the running task's slice ends.
 * For lock hand-offs and the tcap priority a dispatch gives, tasks rank by
 * their priority.  A function that fails, or returns anything but one of
 * the ready tasks, is a scenario error: the policy then picks nothing and
 * compose stops the run and reports it.
 */
#include "components/implementation/wl.h"

static bool lp_outranks(const wl_app *app, unsigned s, const wl_rt_thd *a, const wl_rt_thd *b)
{
    (void)app, (void)s;
    if (a->timer != b->timer)
        return a->timer;
    if (a->irq != b->irq)
        return a->irq;
    return a->eff_prio < b->eff_prio;
}

static uint32_t lp_dispatch_prio(wl_app *app, unsigned s, const wl_rt_thd *r)
{
    (void)app, (void)s;
    return r->eff_prio;
}

/* The timer and interrupt threads first (by priority); else the Lua
 * function chooses among the ready tasks.  Its cost is charged before the
 * ready tasks are collected: while it is charged another decision of this
 * scheduler may run (a task runs the policy itself and is preempted), and
 * the list (the scheduler's scratch) is the one it is given. */
static int lp_collect(const wl_app *app, unsigned s, uint32_t *ready, unsigned *n)
{
    const wl_rt_core *c = &app->core[s];
    int best = NONE;
    *n = 0;
    for (unsigned k = 0; k < c->nthd; k++) {
        const wl_rt_thd *r = &app->thd[c->thd[k]];
        if (!wl_ready(r))
            continue;
        if (r->timer || r->irq) {
            if (best == NONE || lp_outranks(app, s, r, &app->thd[best]))
                best = (int)c->thd[k];
        } else if (ready) {
            ready[(*n)++] = c->thd[k];
        } else {
            (*n)++;
        }
    }
    return best;
}

static int lp_pick(wl_app *app, unsigned s, uint64_t now)
{
    const wl_sched_cfg *cfg = &app->sched_cfg[s];
    unsigned n;
    int best = lp_collect(app, s, NULL, &n);
    if (best != NONE || n == 0 || cfg->pick == NULL)
        return best;
    cos_instructions(cfg->instructions);
    uint32_t *ready = app->core[s].scratch;
    best = lp_collect(app, s, ready, &n);
    if (best != NONE || n == 0)
        return best;
    int k = cfg->pick(cfg->pick_ctx, s, ready, n, now);
    return k >= 0 && (unsigned)k < n ? (int)ready[k] : NONE;
}

static uint64_t lp_timeout(const wl_app *app, unsigned s, uint64_t now)
{
    (void)now;
    return wl_slice_timeout(app, s);
}

static void lp_dispatched(wl_app *app, unsigned s, int i, uint64_t now)
{
    if (app->sched_cfg[s].quantum)
        wl_slice_dispatched(app, s, i, now);
}

const sched_policy sched_lua = { .name = "lua", .ceiling = false, .outranks = lp_outranks,
                                 .dispatch_prio = lp_dispatch_prio, .pick = lp_pick, .timeout = lp_timeout,
                                 .dispatched = lp_dispatched };
