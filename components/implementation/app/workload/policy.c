/* components/implementation/app/workload/policy.c: the scheduler's part
 * that every policy shares: what is released and topped up, when the
 * scheduler must act again, and the decision itself, which asks the
 * scheduler's policy (components/interface/sched.h) which thread outranks
 * which, or to pick.  Run by the scheduler threads and, on the Slite-style
 * fast path, by the task that gives up the core (sched.c). */
#include "components/implementation/wl.h"

/* ---- the policy (run by the scheduler thread and by the fast path) ----------- */

/* The thread to run next on the core: -1 for none.  Policies that pick
 * for themselves scan the scheduler's list; the others take the first of
 * its ready queue (queue.c: round robin among equals, as a job's end puts
 * a thread behind its equals), and a ready thread of equal rank does not
 * preempt the one running. */
int wl_pick(wl_app *app, unsigned core)
{
    wl_rt_core *c = &app->core[core];
    const sched_policy *pol = wl_policy_of(app, core);
    if (pol->pick) {
        /* the policy's one scan: the scheduler's record and list, then
         * each thread's record */
        cos_instructions(WL_PICK_BASE + WL_PICK_PER * c->nthd);
        wl_sched_touch(app, core, true, false);
        wl_thds_touch(app, c->thd, c->nthd, false);
        return pol->pick(app, core, cos_cycles());
    }
    return wl_queue_pick(app, core);
}

/* The earliest time the scheduler must act (0: nothing pending): its
 * release queue's first, or its policy's. */
uint64_t wl_next_timeout(wl_app *app, unsigned core)
{
    uint64_t t = wl_queue_first(app, core);
    const sched_policy *pol = wl_policy_of(app, core);
    uint64_t p = pol->timeout ? pol->timeout(app, core, cos_cycles()) : 0;
    if (p && p < t)
        t = p;
    return t == UINT64_MAX ? 0 : t;
}

static uint64_t budget_of(const wl_app *app, const wl_rt_thd *r)
{
    return r->irq ? app->irq[r->idx].budget : r->group ? app->group[r->idx].budget : r->timer ? 0 : app->task[r->idx].budget;
}

static uint64_t replenish_period(const wl_app *app, const wl_rt_thd *r)
{
    return r->irq ? app->irq[r->idx].period : r->group ? app->group[r->idx].period : app->task[r->idx].period;
}

static uint32_t base_prio(const wl_app *app, const wl_rt_thd *r)
{
    return r->irq ? app->irq[r->idx].prio : r->group ? app->group[r->idx].prio : app->task[r->idx].prio;
}

/* Thread r's release, wake-up and budget top-up if due at `now`: what
 * changed goes into the batch of records written. */
static void release_one(wl_app *app, unsigned core, unsigned i, uint64_t now, wl_batch *changed)
{
    wl_rt_thd *r = &app->thd[i];
    uint8_t state = r->state;
    uint64_t replenish = r->replenish_at;
    if (r->state == WL_S_IDLE && r->ready_at <= now) {
        const wl_task *t = &app->task[r->idx];
        r->state = WL_S_READY;
        r->deadline = r->arrival + t->deadline;
        r->eff_prio = t->prio;
        r->eff_deadline = r->deadline;
        app->task[r->idx].st.released++;
    }
    if (r->state == WL_S_SLEEP && r->wake_at <= now) {
        r->state = WL_S_READY;
        if (r->group) {
            /* a child scheduler waits for events on its endpoint: wake it */
            app->group[r->idx].wakes++;
            wl_requeue(app, i);
            cos_err e = cos_asnd(r->wake, false);
            if (e)
                COS_FAIL(&app->fail, e);
        }
    }
    uint64_t b = budget_of(app, r);
    if (b && r->replenish_at <= now) {
        uint64_t left = 0;
        cos_err e = cos_tcap_budget(r->tcap, &left);
        if (e == COS_OK && left < b)
            e = cos_tcap_transfer(app->core[wl_core_of(app, core)].root_tcap, r->rcv, b - left, base_prio(app, r));
        if (e)
            COS_FAIL(&app->fail, e);
        uint64_t p = replenish_period(app, r);
        while (r->replenish_at <= now)
            r->replenish_at += p;
        if (r->group)
            r->deadline = r->eff_deadline = r->replenish_at;    /* EDF parent: the end of the period */
        if (r->state == WL_S_DEPLETED)
            r->state = WL_S_READY;
    }
    if (r->state != state || r->replenish_at != replenish) {
        wl_requeue(app, i);
        wl_batch_thd(changed, i);       /* its record changed */
    }
}

/* Releases, wake-ups and budget top-ups due at `now`: the threads the
 * release queue has due, in the order of the scheduler's list.  With
 * `scheduler` false (the fast path, which holds no tcap capability) it
 * changes nothing and returns false if one of them needs a tcap transfer
 * or a send. */
bool wl_release(wl_app *app, unsigned core, uint64_t now, bool scheduler)
{
    wl_rt_core *c = &app->core[core];
    wl_batch changed = { .app = app, .write = true };    /* the records it changes */
    if (c->releasing) {
        /* a release preempted while it uses the queue's list: look at every thread */
        if (!scheduler)
            for (unsigned k = 0; k < c->nthd; k++) {
                const wl_rt_thd *r = &app->thd[c->thd[k]];
                if (budget_of(app, r) && r->replenish_at <= now)
                    return false;
                if (r->group && r->state == WL_S_SLEEP && r->wake_at <= now)
                    return false;
            }
        for (unsigned k = 0; k < c->nthd; k++)
            release_one(app, core, c->thd[k], now, &changed);
        wl_batch_flush(&changed);
        return true;
    }
    c->releasing = true;        /* c->due is this release's */
    unsigned n = wl_queue_due(app, core, now, c->due);
    if (!scheduler)
        for (unsigned k = 0; k < n; k++) {
            const wl_rt_thd *r = &app->thd[c->due[k]];
            if ((budget_of(app, r) && r->replenish_at <= now) || (r->group && r->state == WL_S_SLEEP && r->wake_at <= now)) {
                c->releasing = false;
                return false;
            }
        }
    for (unsigned k = 0; k < n; k++)
        release_one(app, core, c->due[k], now, &changed);
    c->releasing = false;
    wl_batch_flush(&changed);
    return true;
}

/* The tcap priority a dispatch gives (0: the thread has no tcap of its
 * own, it runs under the scheduler's). */
uint32_t wl_dispatch_prio(wl_app *app, unsigned core, const wl_rt_thd *r)
{
    if (!wl_has_tcap(app, r))
        return 0;
    return wl_policy_of(app, core)->dispatch_prio(app, core, r);
}
