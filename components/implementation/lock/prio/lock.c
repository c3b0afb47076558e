/* components/implementation/lock/prio/lock.c: locks with priority
 * inheritance or the immediate priority ceiling, in the state the tasks
 * share with their scheduler: a contended lock lends the waiter's priority
 * (or deadline) along the chain of owners; an unlock hands the lock to the
 * best waiter and gives way if it now outranks the caller. */
#include "components/implementation/wl.h"

/* ---- locks -------------------------------------------------------------------------- */

static int thd_index(wl_app *app, const wl_rt_thd *r)
{
    return (int)(r - app->thd);
}

/* The effective priority/deadline of r: its own, raised by the locks it
 * holds (their ceilings, or the waiters' effective ones). */
static void recompute(wl_app *app, wl_rt_thd *r)
{
    const wl_task *t = &app->task[r->idx];
    uint32_t p = t->prio;
    uint64_t d = r->deadline;
    int me = thd_index(app, r);
    for (unsigned l = 0; l < app->nlocks; l++) {
        if (app->lock_owner[l] != me)
            continue;
        if (app->lock[l].protocol == WL_LOCK_CEILING && wl_policy_of(app, r->sched)->ceiling) {
            if (app->lock[l].ceiling < p)
                p = app->lock[l].ceiling;
        } else if (app->lock[l].protocol != WL_LOCK_NONE) {
            wl_thds_touch(app, app->all_tasks, app->ntasks, false);    /* the scan for its waiters */
            for (unsigned i = 0; i < app->ntasks; i++) {
                const wl_rt_thd *o = &app->thd[i];
                if (o->state == WL_S_LOCK && o->waiting == (int)l) {
                    if (o->eff_prio < p)
                        p = o->eff_prio;
                    if (o->eff_deadline < d)
                        d = o->eff_deadline;
                }
            }
        }
    }
    bool moved = r->eff_prio != p || r->eff_deadline != d;
    r->eff_prio = p;
    r->eff_deadline = d;
    wl_thd_touch(app, (unsigned)me, true);
    if (moved)
        wl_requeue(app, (unsigned)me);      /* its place among the ready */
}

void wl_lock_take(wl_app *app, wl_rt_thd *me, unsigned l)
{
    cos_instructions(WL_LOCK_INSTR);
    int self = thd_index(app, me);
    app->lock[l].acquisitions++;
    wl_touch_app(app, wl_lock_off(app, l), WL_LOCK_REC, true);     /* test-and-set of the owner word */
    if (app->lock_owner[l] == NONE) {
        app->lock_owner[l] = self;
        recompute(app, me);
        return;
    }
    /* contended: wait, lending priority along the chain of owners */
    app->lock[l].contended++;
    me->state = WL_S_LOCK;
    me->waiting = (int)l;
    wl_requeue(app, (unsigned)self);
    me->wait_since = cos_cycles();
    wl_thd_touch(app, (unsigned)self, true);
    wl_trace(app, WL_TK_LOCK_WAIT, (int64_t)l, app->thd[app->lock_owner[l]].id, 0);
    int o = app->lock_owner[l];
    for (unsigned hops = 0; o != NONE && hops < app->ntasks; hops++) {
        wl_rt_thd *or = &app->thd[o];
        recompute(app, or);
        o = or->state == WL_S_LOCK && or->waiting >= 0 ? app->lock_owner[or->waiting] : NONE;
    }
    while (app->lock_owner[l] != self)
        wl_yield(app, me);
    uint64_t waited = cos_cycles() - me->wait_since;
    wl_stats *st = &app->task[me->idx].st;
    st->lock_waits++;
    st->lock_wait_sum += waited;
    if (waited > st->lock_wait_max)
        st->lock_wait_max = waited;
    wl_trace(app, WL_TK_LOCK_ACQUIRE, (int64_t)l, (int64_t)waited, 0);
}

void wl_lock_give(wl_app *app, wl_rt_thd *me, unsigned l)
{
    cos_instructions(WL_LOCK_INSTR);
    int self = thd_index(app, me);
    wl_touch_app(app, wl_lock_off(app, l), WL_LOCK_REC, false);
    if (app->lock_owner[l] != self)
        return;     /* not held: compose/run.c's validation keeps this from happening */
    /* hand it to the best waiter */
    int best = NONE;
    wl_thds_touch(app, app->all_tasks, app->ntasks, false);    /* the scan for the best waiter */
    for (unsigned i = 0; i < app->ntasks; i++) {
        wl_rt_thd *o = &app->thd[i];
        if (o->state == WL_S_LOCK && o->waiting == (int)l
            && (best == NONE || wl_outranks(app, o->sched, o, &app->thd[best])))
            best = (int)i;
    }
    app->lock_owner[l] = best;
    wl_touch_app(app, wl_lock_off(app, l), WL_LOCK_REC, true);
    if (best != NONE) {
        wl_rt_thd *o = &app->thd[best];
        o->state = WL_S_READY;
        o->waiting = NONE;
        wl_requeue(app, (unsigned)best);
        recompute(app, o);
    }
    recompute(app, me);
    /* give way if someone now outranks this thread */
    unsigned core = me->sched;
    int b = wl_pick(app, core);
    if (b != NONE && b != self && wl_outranks(app, core, &app->thd[b], me))
        wl_yield(app, me);
}
