/* components/implementation/lock/prio/lock.c: locks with priority
 * inheritance or the immediate priority ceiling, in the state the tasks
 * share with their scheduler: a contended lock lends the waiter's priority
 * (or deadline) along the chain of owners; an unlock hands the lock to the
 * best waiter and gives way if it now outranks the caller.
 *
 * Each lock keeps its waiters in a queue (components/lib/heap.h) in the
 * app's memory, the one that outranks the others first (the scheduler's
 * policy; equals first come, first served), and each thread the locks it
 * holds as a stack (a job gives its locks back in the order it took them:
 * compose/run.c checks): no lock operation looks at every task.  What the
 * code costs: WL_LOCK_INSTR instructions an operation, and per queue
 * operation WL_Q_BASE and WL_Q_LEVEL a level walked, each record it
 * compares read and each entry it moves written, through the caches. */
#include "components/implementation/wl.h"
#include "components/lib/cost.h"
#include "components/lib/heap.h"

/* ---- what a lock operation costs ------------------------------------------------------ */

typedef struct lcost {
    wl_app *app;
    cos_cost c;
} lcost;

static void cost_rec(lcost *q, unsigned i)
{
    cos_cost_read(&q->c, q->app->base + wl_thd_off(q->app, i));
}

static void charge(lcost *q)
{
    if (q->c.levels == 0 && q->c.nr == 0 && q->c.nw == 0)
        return;
    cos_err e = cos_cost_charge(&q->c, WL_Q_BASE, WL_Q_LEVEL);
    if (e)
        COS_FAIL(&q->app->fail, e);
}

/* ---- each lock's queue of waiters ------------------------------------------------------ */

typedef struct wctx {
    wl_app *app;
    unsigned l;
    lcost *q;
} wctx;

static bool w_before(void *ctx, uint32_t a, uint32_t b)
{
    const wctx *x = ctx;
    const wl_rt_thd *ta = &x->app->thd[a], *tb = &x->app->thd[b];
    cost_rec(x->q, a);
    cost_rec(x->q, b);
    if (wl_outranks(x->app, ta->sched, ta, tb))
        return true;
    return !wl_outranks(x->app, ta->sched, tb, ta) && ta->wq_seq < tb->wq_seq;
}

static void w_place(void *ctx, uint32_t i, unsigned where)
{
    const wctx *x = ctx;
    x->app->thd[i].wq_pos = where;
    if (where)
        cos_cost_write(&x->q->c, x->app->base + x->app->st_lockq
                                     + (uint64_t)x->app->st_entry * (x->app->lock[x->l].wq_first + where - 1));
}

static unsigned w_where(void *ctx, uint32_t i)
{
    return ((const wctx *)ctx)->app->thd[i].wq_pos;
}

/* Thread i in lock l's queue of waiters (at its place for its effective
 * priority or deadline), or out of it. */
static void wait_update(wl_app *app, unsigned l, unsigned i, bool in, lcost *q)
{
    wl_lock *lk = &app->lock[l];
    wctx x = { app, l, q };
    cos_heap h = { app->lock_wq + lk->wq_first, lk->nwait, w_before, w_place, w_where, &x };
    int levels = cos_heap_update(&h, i, in, lk->wq_room);
    if (levels < 0) {
        COS_FAIL(&app->fail, COS_ERANGE);       /* more waiters than users: cannot happen */
        return;
    }
    q->c.levels += (unsigned)levels;
    lk->nwait = h.n;
}

/* The first of lock l's waiters (-1: none). */
static int first_waiter(wl_app *app, unsigned l, lcost *q)
{
    const wl_lock *lk = &app->lock[l];
    if (lk->nwait == 0)
        return NONE;
    uint32_t i = app->lock_wq[lk->wq_first];
    cost_rec(q, i);
    return (int)i;
}

/* ---- locks -------------------------------------------------------------------------- */

static int thd_index(wl_app *app, const wl_rt_thd *r)
{
    return (int)(r - app->thd);
}

/* The effective priority/deadline of r: its own, raised by the locks it
 * holds (their ceilings, or their first waiters' effective ones). */
static void recompute(wl_app *app, wl_rt_thd *r, lcost *q)
{
    const wl_task *t = &app->task[r->idx];
    uint32_t p = t->prio;
    uint64_t d = r->deadline;
    int me = thd_index(app, r);
    for (uint32_t h = r->held_top; h; h = app->lock[h - 1].held_next) {
        unsigned l = h - 1;
        if (app->lock[l].protocol == WL_LOCK_CEILING && wl_policy_of(app, r->sched)->ceiling) {
            if (app->lock[l].ceiling < p)
                p = app->lock[l].ceiling;
        } else if (app->lock[l].protocol != WL_LOCK_NONE) {
            int w = first_waiter(app, l, q);
            if (w != NONE) {
                if (app->thd[w].eff_prio < p)
                    p = app->thd[w].eff_prio;
                if (app->thd[w].eff_deadline < d)
                    d = app->thd[w].eff_deadline;
            }
        }
    }
    bool moved = r->eff_prio != p || r->eff_deadline != d;
    r->eff_prio = p;
    r->eff_deadline = d;
    if (moved && r->state == WL_S_LOCK && r->waiting >= 0)
        wait_update(app, (unsigned)r->waiting, (unsigned)me, true, q);   /* its place among the waiters */
    charge(q);
    *q = (lcost){ .app = app };
    wl_thd_touch(app, (unsigned)me, true);
    if (moved)
        wl_requeue(app, (unsigned)me);      /* its place among the ready */
}

/* r now holds lock l (on top of those it holds). */
static void hold(wl_app *app, wl_rt_thd *r, unsigned l)
{
    app->lock[l].held_next = r->held_top;
    r->held_top = l + 1;
}

/* r no longer holds lock l (the last it took, unless a job breaks the
 * order compose/run.c checks: then wherever it is). */
static void release(wl_app *app, wl_rt_thd *r, unsigned l)
{
    uint32_t *at = &r->held_top;
    while (*at && *at != l + 1)
        at = &app->lock[*at - 1].held_next;
    if (*at)
        *at = app->lock[l].held_next;
    app->lock[l].held_next = 0;
}

void wl_lock_take(wl_app *app, wl_rt_thd *me, unsigned l)
{
    cos_instructions(WL_LOCK_INSTR);
    int self = thd_index(app, me);
    lcost q = { .app = app };
    app->lock[l].acquisitions++;
    wl_touch_app(app, wl_lock_off(app, l), WL_LOCK_REC, true);     /* test-and-set of the owner word */
    if (app->lock_owner[l] == NONE) {
        app->lock_owner[l] = self;
        hold(app, me, l);
        recompute(app, me, &q);
        return;
    }
    /* contended: wait, lending priority along the chain of owners */
    app->lock[l].contended++;
    me->state = WL_S_LOCK;
    me->waiting = (int)l;
    me->wq_seq = ++app->wq_seq;
    wait_update(app, l, (unsigned)self, true, &q);
    charge(&q);
    q = (lcost){ .app = app };
    wl_requeue(app, (unsigned)self);
    me->wait_since = cos_cycles();
    wl_thd_touch(app, (unsigned)self, true);
    wl_trace(app, WL_TK_LOCK_WAIT, (int64_t)l, app->thd[app->lock_owner[l]].id, 0);
    int o = app->lock_owner[l];
    for (unsigned hops = 0; o != NONE && hops < app->ntasks; hops++) {
        wl_rt_thd *or = &app->thd[o];
        recompute(app, or, &q);
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
    lcost q = { .app = app };
    wl_touch_app(app, wl_lock_off(app, l), WL_LOCK_REC, false);
    if (app->lock_owner[l] != self)
        return;     /* not held: compose/run.c's validation keeps this from happening */
    release(app, me, l);
    /* hand it to the first waiter */
    int best = first_waiter(app, l, &q);
    if (best != NONE)
        wait_update(app, l, (unsigned)best, false, &q);
    app->lock_owner[l] = best;
    charge(&q);
    q = (lcost){ .app = app };
    wl_touch_app(app, wl_lock_off(app, l), WL_LOCK_REC, true);
    if (best != NONE) {
        wl_rt_thd *o = &app->thd[best];
        o->state = WL_S_READY;
        o->waiting = NONE;
        hold(app, o, l);
        wl_requeue(app, (unsigned)best);
        recompute(app, o, &q);
    }
    recompute(app, me, &q);
    /* give way if someone now outranks this thread */
    unsigned core = me->sched;
    int b = wl_pick(app, core);
    if (b != NONE && b != self && wl_outranks(app, core, &app->thd[b], me))
        wl_yield(app, me);
}
