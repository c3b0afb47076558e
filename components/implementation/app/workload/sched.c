/* components/implementation/app/workload/sched.c: the scheduler threads of
 * the workload system (a core's root scheduler, a group's child scheduler):
 * scheduling events from the kernel, dispatch through the kernel, and the
 * task side of giving up the core, with the user-level dispatch (Slite)
 * where it is safe.  The decision is policy.c, by the scheduler's policy. */
#include "components/implementation/wl.h"
#include "components/lib/sched_ev.h"

/* ---- scheduling events -------------------------------------------------------- */

/* An event on scheduler s's endpoint. */
static void apply(wl_app *app, unsigned s, const cos_ret *ev)
{
    cos_thdid id = (cos_thdid)ev->r[0];
    if (id == 0 || id >= app->max_thdid || app->by_id[id] == 0)
        return;     /* about the scheduler itself (a timeout), or a wake-up send */
    unsigned i = app->by_id[id] - 1;
    wl_rt_thd *r = &app->thd[i];
    if (r->sched != s)
        return;     /* a child scheduler hearing of itself: its parent's business */
    wl_thd_touch(app, app->by_id[id] - 1, true);     /* its record: read and updated */
    uint32_t f = (uint32_t)ev->r[1];
    if (f & COS_SCHED_EV_EXPIRED) {
        if (r->irq)
            app->irq[r->idx].expiries++;
        else if (r->group)
            app->group[r->idx].expiries++;
        else
            app->task[r->idx].st.expiries++;
        if (r->state == WL_S_READY && wl_has_tcap(app, r))
            r->state = WL_S_DEPLETED;
        wl_trace(app, WL_TK_EXPIRE, id, 0, 0);
    }
    if (f & COS_SCHED_EV_EXITED) {
        r->state = WL_S_EXITED;
    } else if (f & COS_SCHED_EV_RUNNABLE) {
        if (r->state == WL_S_KBLOCK || (r->group && r->state == WL_S_SLEEP))
            r->state = WL_S_READY;
    } else if (r->state == WL_S_READY || r->state == WL_S_DEPLETED) {
        r->state = WL_S_KBLOCK;
    }
    wl_requeue(app, i);
}

/* an event for scheduler s (ctx: which scheduler) */
typedef struct sched_of { wl_app *app; unsigned s; } sched_of;
static void apply_cb(void *ctx, const cos_ret *ev)
{
    sched_of *o = ctx;
    apply(o->app, o->s, ev);
}

static void drain(wl_app *app, unsigned s)
{
    sched_of o = { app, s };
    cos_sched_drain(app->core[s].rcv, &app->core[s].token, apply_cb, &o);
}

/* A scheduler thread, for ever: a core's root (s < ncores) or a group's
 * child scheduler (s = ncores + g).  A child dispatches every thread of
 * its own under its one tcap, without a priority (the parent gives that
 * tcap its priority).  With nothing to run, a root sets the timeout of its
 * next release and waits for events; a child tells its parent, in the
 * state they share, when it wants the core again (its next release or
 * wake-up) and waits for events on its endpoint: the parent wakes it with a
 * send at that time, the kernel earlier for an event about one of its
 * tasks (and tells the parent that it woke). */
void wl_schedule(wl_app *app, unsigned s)
{
    wl_rt_core *c = &app->core[s];
    bool child = s >= app->ncores;
    wl_group *gr = child ? &app->group[s - app->ncores] : NULL;
    wl_rt_thd *me = child ? &app->thd[wl_group_thd(app, s - app->ncores)] : NULL;
    for (;;) {
        drain(app, s);
        wl_release(app, s, cos_cycles(), true);
        int b = wl_pick(app, s);
        /* told before the switch, which returns only when this thread runs
         * again; what the policy keeps may move the timeout (a slice's end) */
        if (b != NONE && wl_policy_of(app, s)->dispatched)
            wl_policy_of(app, s)->dispatched(app, s, b, cos_cycles());
        uint64_t to = wl_next_timeout(app, s);
        c->armed = to;
        wl_sched_touch(app, s, false, true);     /* the decision: cur and armed */
        if (b == NONE) {
            c->cur = NONE;
            c->idles++;
            if (child) {
                gr->idles++;
                me->wake_at = to ? to : UINT64_MAX;
                me->state = WL_S_SLEEP;
                wl_requeue(app, wl_group_thd(app, s - app->ncores));
                wl_thd_touch(app, wl_group_thd(app, s - app->ncores), true);    /* what its parent reads */
            } else {
                cos_err e = cos_switch(c->sched_app, 0, 0, to, c->rcv, c->token);
                if (e == COS_ESTALE) {
                    c->stale++;
                    continue;
                }
                if (e) {
                    COS_FAIL(&app->fail, e);
                    return;
                }
            }
            cos_ret ev = cos_sched_rcv(c->rcv, 0);
            if (child) {
                me->state = WL_S_READY;     /* running again */
                wl_requeue(app, wl_group_thd(app, s - app->ncores));
            }
            if (ev.err) {
                COS_FAIL(&app->fail, ev.err);
                return;
            }
            c->token = ev.r[3];
            apply(app, s, &ev);
            continue;
        }
        wl_rt_thd *r = &app->thd[b];
        uint32_t prio = wl_dispatch_prio(app, s, r);
        wl_trace(app, WL_TK_SCHED, r->id, prio, 0);
        c->cur = b;
        cos_err e = child ? cos_switch(r->thd, c->tcap, 0, to, c->rcv, c->token)
                          : cos_switch(r->thd, wl_has_tcap(app, r) ? r->tcap : 0, prio, to, c->rcv, c->token);
        switch (e) {
        case COS_OK:
            c->dispatches++;
            if (child)
                gr->dispatches++;
            break;
        case COS_ESTALE:
            c->stale++;
            break;
        case COS_EBUSY:
            r->state = WL_S_KBLOCK;     /* blocked meanwhile: its event is on the way */
            wl_requeue(app, (unsigned)b);
            break;
        case COS_EPERM:
            if (!child) {
                r->state = WL_S_DEPLETED;   /* no budget left */
                wl_requeue(app, (unsigned)b);
                break;
            }
            /* the group's budget is spent: the core goes back to the parent */
            c->cur = NONE;
            e = cos_switch(app->core[gr->core].sched_app, 0, 0, 0, 0, 0);
            if (e)
                COS_FAIL(&app->fail, e);
            break;
        default:
            COS_FAIL(&app->fail, e);
            return;
        }
    }
}

/* ---- a task or interrupt thread gives up the core ------------------------------- */

void wl_yield(wl_app *app, wl_rt_thd *me)
{
    unsigned core = me->sched;
    wl_rt_core *c = &app->core[core];
    if (app->fastpath) {
        uint64_t now = cos_cycles();
        if (wl_release(app, core, now, false)) {
            int b = wl_pick(app, core);
            unsigned self = (unsigned)(me - app->thd);
            if (b != NONE && (unsigned)b == self)
                return;     /* still the one to run */
            uint64_t to = wl_next_timeout(app, core);
            if (b != NONE && !app->thd[b].group && (to == 0 || (c->armed != 0 && c->armed <= to))) {
                wl_rt_thd *r = &app->thd[b];
                int was = c->cur;
                c->cur = b;
                wl_sched_touch(app, core, false, true);
                wl_trace(app, WL_TK_SCHED, r->id, 0, 1);
                /* told before the switch, which returns only when this thread runs
                 * again (if it is refused, the scheduler thread dispatches and
                 * tells the policy again) */
                if (wl_policy_of(app, core)->dispatched)
                    wl_policy_of(app, core)->dispatched(app, core, b, cos_cycles());
                if (cos_ul_switch(r->thd) == COS_OK) {
                    c->ul_dispatches++;
                    return;
                }
                c->cur = was;
                c->ul_refused++;
            }
        }
    }
    c->cur = NONE;
    wl_sched_touch(app, core, false, true);
    cos_err e = cos_switch(c->sched_app, 0, 0, 0, 0, 0);
    if (e)
        COS_FAIL(&app->fail, e);
}
