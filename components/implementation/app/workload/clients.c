/* components/implementation/app/workload/clients.c: the task side of the
 * timer manager (timeouts, periodic ticks) and the memory manager (alloc,
 * free, revoke, heap touches): invocations through the interfaces
 * (components/interface/tmrmgr.h, memmgr.h) and what the task measures. */
#include "components/implementation/wl.h"

/* ---- timers: the client side (a task) ------------------------------------------------ */

/* Arm the task's timer in the timer manager; if it is now its core's
 * earliest, bring the core's timer thread's wake-up forward (the
 * scheduler's shared state: the scheduler arms its timeout from it when
 * this task blocks). */
static void tm_arm(wl_app *app, wl_rt_thd *me, uint64_t at, uint64_t period)
{
    unsigned core = app->task[me->idx].core;
    cos_ret r = tmrmgr_arm(app->tm_sinv, me->idx, at, period);
    if (r.err) {
        COS_FAIL(&app->fail, r.err);
        return;
    }
    wl_rt_thd *tt = &app->thd[wl_timer_thd(app, (unsigned)core)];
    uint64_t next = r.r[0];
    if (next == 0)
        return;
    wl_thd_touch(app, wl_timer_thd(app, (unsigned)core), true);      /* the timer thread's record */
    if (tt->tm_pending == 0 || next < tt->tm_pending)
        tt->tm_pending = next;      /* for a timer thread in the middle of expiring */
    if (tt->state == WL_S_SLEEP && next < tt->wake_at) {
        tt->wake_at = next;
        wl_requeue(app, wl_timer_thd(app, (unsigned)core));
    }
}

/* Wait on the task's endpoint until `at` has passed (a send may be an
 * earlier tick's, still pending), then count the lateness. */
static void tm_wait(wl_app *app, wl_rt_thd *me, uint64_t at)
{
    while (cos_cycles() < at) {
        cos_ret r = cos_rcv(me->rcv, 0);
        if (r.err) {
            COS_FAIL(&app->fail, r.err);
            return;
        }
    }
    uint64_t late = cos_cycles() - at;
    wl_clients *tm = &app->cl;
    if (tm->late_n == 0 || late < tm->late_min)
        tm->late_min = late;
    if (late > tm->late_max)
        tm->late_max = late;
    tm->late_sum += late;
    tm->late_n++;
}

void wl_timeout(wl_app *app, wl_rt_thd *me, uint64_t cycles)
{
    uint64_t at = cos_cycles() + cycles;
    tm_arm(app, me, at, 0);
    tm_wait(app, me, at);
}

/* The task's periodic timer ticks at the multiples of `period` from the
 * start; the first use makes it.  A tick that came while the task was
 * busy is not waited for. */
void wl_tick(wl_app *app, wl_rt_thd *me, uint64_t period)
{
    uint64_t now = cos_cycles();
    if (me->tick_period != period) {
        me->tick_period = period;
        me->tick_next = app->start + ((now - app->start) / period + 1) * period;
        tm_arm(app, me, me->tick_next, period);
    }
    tm_wait(app, me, me->tick_next);
    now = cos_cycles();
    while (me->tick_next <= now)
        me->tick_next += period;
}

/* ---- memory: the client side (a task) --------------------------------------------------- */

/* alloc, free (of the task's own heap) and revoke (of another task's):
 * one invocation of the manager, timed as the client sees it. */
void wl_mem_op(wl_app *app, wl_rt_thd *me, const wl_op *op)
{
    unsigned task = op->kind == WL_REVOKE ? op->target : me->idx;
    unsigned mop = op->kind == WL_ALLOC ? MM_ALLOC : op->kind == WL_FREE ? MM_FREE : MM_REVOKE;
    uint64_t t0 = cos_cycles();
    cos_ret r = memmgr_call(app->mm_sinv, mop, task, op->a);
    if (r.err) {
        COS_FAIL(&app->fail, r.err);
        return;
    }
    uint64_t dt = cos_cycles() - t0, pages = r.r[0];
    wl_trace(app, WL_TK_MM, (int64_t)task, mop, (int64_t)pages);
    if (pages == 0)
        return;
    wl_clients *m = &app->cl;
    uint64_t *n = mop == MM_ALLOC ? &m->alloc_n : &m->free_n, *sum = mop == MM_ALLOC ? &m->alloc_sum : &m->free_sum,
             *max = mop == MM_ALLOC ? &m->alloc_max : &m->free_max;
    *n += pages;
    *sum += dt;
    if (dt / pages > *max)
        *max = dt / pages;
}

/* Touch the first `len` bytes of the task's heap; a page that is not
 * mapped (never given, given back, or revoked) faults: counted, and the
 * touch stops there. */
void wl_heap(wl_app *app, wl_rt_thd *me, uint64_t len, bool write)
{
    cos_err e = cos_touch_range(wl_heap_va(app->heap_base, app->task[me->idx].heap - 1, 0), len, write);
    if (e == COS_EFAULT) {
        app->cl.faults++;
        app->task[me->idx].st.faults++;
    } else if (e) {
        COS_FAIL(&app->fail, e);
    }
}
