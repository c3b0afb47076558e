/* components/implementation/lock/prio/lock.c: locks with priority
 * inheritance or the immediate priority ceiling, in the state the tasks
 * share with their scheduler: a contended lock lends the waiter's priority
 * (or deadline) along the chain of owners; an unlock hands the lock to the
 * best waiter and gives way if it now outranks the caller. */
#include "components/implementation/wl.h"

/* ---- locks -------------------------------------------------------------------------- */

static int thd_index(wl_desc *w, const wl_rt_thd *r)
{
    return (int)(r - w->rt.thd);
}

/* The effective priority/deadline of r: its own, raised by the locks it
 * holds (their ceilings, or the waiters' effective ones). */
static void recompute(wl_desc *w, wl_rt_thd *r)
{
    const wl_task *t = &w->task[r->idx];
    uint32_t p = t->prio;
    uint64_t d = r->deadline;
    int me = thd_index(w, r);
    for (unsigned l = 0; l < w->nlocks; l++) {
        if (w->rt.lock_owner[l] != me)
            continue;
        if (w->lock[l].protocol == WL_LOCK_CEILING && wl_policy_of(w, r->sched) == WL_FP) {
            if (w->lock[l].ceiling < p)
                p = w->lock[l].ceiling;
        } else if (w->lock[l].protocol != WL_LOCK_NONE) {
            for (unsigned i = 0; i < w->ntasks; i++) {
                const wl_rt_thd *o = &w->rt.thd[i];
                if (o->state == WL_S_LOCK && o->waiting == (int)l) {
                    if (o->eff_prio < p)
                        p = o->eff_prio;
                    if (o->eff_deadline < d)
                        d = o->eff_deadline;
                }
            }
        }
    }
    r->eff_prio = p;
    r->eff_deadline = d;
}

void wl_lock_take(wl_desc *w, wl_rt_thd *me, unsigned l)
{
    cos_instructions(WL_LOCK_INSTR);
    int self = thd_index(w, me);
    w->lock[l].acquisitions++;
    if (w->rt.lock_owner[l] == NONE) {
        w->rt.lock_owner[l] = self;
        recompute(w, me);
        return;
    }
    /* contended: wait, lending priority along the chain of owners */
    w->lock[l].contended++;
    me->state = WL_S_LOCK;
    me->waiting = (int)l;
    me->wait_since = cos_cycles();
    cos_trace("lock_wait", (int64_t)l, w->rt.thd[w->rt.lock_owner[l]].id, 0);
    int o = w->rt.lock_owner[l];
    for (unsigned hops = 0; o != NONE && hops < WL_TASKS; hops++) {
        wl_rt_thd *or = &w->rt.thd[o];
        recompute(w, or);
        o = or->state == WL_S_LOCK && or->waiting >= 0 ? w->rt.lock_owner[or->waiting] : NONE;
    }
    while (w->rt.lock_owner[l] != self)
        wl_yield(w, me);
    uint64_t waited = cos_cycles() - me->wait_since;
    wl_stats *st = &w->task[me->idx].st;
    st->lock_waits++;
    st->lock_wait_sum += waited;
    if (waited > st->lock_wait_max)
        st->lock_wait_max = waited;
    cos_trace("lock_acquire", (int64_t)l, (int64_t)waited, 0);
}

void wl_lock_give(wl_desc *w, wl_rt_thd *me, unsigned l)
{
    cos_instructions(WL_LOCK_INSTR);
    int self = thd_index(w, me);
    if (w->rt.lock_owner[l] != self)
        return;     /* not held: compose/run.c's validation keeps this from happening */
    /* hand it to the best waiter */
    int best = NONE;
    for (unsigned i = 0; i < w->ntasks; i++) {
        wl_rt_thd *o = &w->rt.thd[i];
        if (o->state == WL_S_LOCK && o->waiting == (int)l
            && (best == NONE || wl_outranks(w, o->sched, o, &w->rt.thd[best])))
            best = (int)i;
    }
    w->rt.lock_owner[l] = best;
    if (best != NONE) {
        wl_rt_thd *o = &w->rt.thd[best];
        o->state = WL_S_READY;
        o->waiting = NONE;
        recompute(w, o);
    }
    recompute(w, me);
    /* give way if someone now outranks this thread */
    unsigned core = me->sched;
    int b = wl_pick(w, core);
    if (b != NONE && b != self && wl_outranks(w, core, &w->rt.thd[b], me))
        wl_yield(w, me);
}
