/* components/implementation/app/workload/app.c: the app component of the
 * workload system: task threads run their steps job after job and record
 * each job; interrupt threads wait for their line; a core's timer thread
 * expires the timer manager's due timers; each core's scheduler thread and
 * each child scheduler's thread run the scheduler (sched/fpedf) here. */
#include "components/implementation/wl.h"

/* ---- the task thread -------------------------------------------------------------- */

void wl_record_job(wl_app *app, uint32_t task, uint64_t job, uint64_t release, uint64_t start, uint64_t finish,
                   uint64_t deadline)
{
    enum { C_TASK, C_JOB, C_CORE, C_THREAD, C_RELEASE, C_START, C_FINISH, C_DEADLINE, C_RESPONSE, C_MISSED, C_N };
    static const cos_tcol cols[C_N] = {
        [C_TASK] = { "task", COS_TCOL_INT, 0, 0 },           [C_JOB] = { "job", COS_TCOL_INT, 0, 0 },
        [C_CORE] = { "core", COS_TCOL_CORE, 0, 0 },          [C_THREAD] = { "thread", COS_TCOL_THREAD, 0, 0 },
        [C_RELEASE] = { "release_ps", COS_TCOL_TIME, 0, 0 }, [C_START] = { "start_ps", COS_TCOL_TIME, 0, 0 },
        [C_FINISH] = { "finish_ps", COS_TCOL_TIME, 0, 0 },   [C_DEADLINE] = { "deadline_ps", COS_TCOL_TIME, 0, 0 },
        [C_RESPONSE] = { "response_ps", COS_TCOL_SPAN, C_RELEASE, C_FINISH },
        [C_MISSED] = { "missed", COS_TCOL_INT, 0, 0 },
    };
    if (app->jobs_table == 0)
        app->jobs_table = cos_trace_table(TRN_JOBS, cols, C_N);
    int64_t v[C_N] = { [C_TASK] = task, [C_JOB] = (int64_t)job, [C_RELEASE] = (int64_t)release,
                       [C_START] = (int64_t)start, [C_FINISH] = (int64_t)finish, [C_DEADLINE] = (int64_t)deadline,
                       [C_MISSED] = finish > deadline };
    cos_trace_row(app->jobs_table, v, C_N);
}

static uint64_t draw(wl_rt_thd *r, const wl_op *op)
{
    switch (op->dist) {
    case WL_UNIFORM: return op->a + cos_rand_below_incl(&r->rng, op->b - op->a);
    case WL_EXP: {
        uint64_t v = cos_rand_exp(&r->rng, op->a);
        return op->b && v > op->b ? op->b : v;
    }
    default: return op->a;
    }
}

static void run_op(wl_app *app, wl_rt_thd *me, const wl_op *op)
{
    const wl_task *t = &app->task[me->idx];
    switch (op->kind) {
    case WL_COMPUTE:
        cos_compute(draw(me, op));
        break;
    case WL_TOUCH:
        wl_touch_app_compute(app, t->mem_off + op->a, op->b, op->target != 0, op->c);
        break;
    case WL_TIMEOUT:
        wl_timeout(app, me, op->a);
        break;
    case WL_TICK:
        wl_tick(app, me, op->a);
        break;
    case WL_ALLOC:
    case WL_FREE:
    case WL_REVOKE:
        if (app->lib.on)
            wl_lib_op(app, me, op);
        else
            wl_mem_op(app, me, op);
        break;
    case WL_ANSWER:
    case WL_ABORT:
        wl_lib_op(app, me, op);
        break;
    case WL_HEAP:
        wl_heap(app, me, op->a, op->target != 0);
        break;
    case WL_PUT:
        wl_put(app, me, op->target);
        break;
    case WL_GET:
        wl_get(app, me, op->target);
        break;
    case WL_INVOKE: {
        cos_ret r = op->target & WL_TARGET_COMP
                        ? cos_sinv(app->csinv[op->target & ~WL_TARGET_COMP], op->a, 0, 0, 0)
                        : server_call(app->sinv[op->target], op->target);
        if (r.err)
            COS_FAIL(&app->fail, r.err);
        break;
    }
    case WL_SEND: {
        cos_err e = cos_asnd(app->asnd[op->target], false);
        if (e)
            COS_FAIL(&app->fail, e);
        break;
    }
    case WL_RECV: {
        cos_ret r = cos_rcv(me->rcv, 0);
        if (r.err)
            COS_FAIL(&app->fail, r.err);
        break;
    }
    case WL_LOCK:
        wl_lock_take(app, me, op->target);
        break;
    case WL_UNLOCK:
        wl_lock_give(app, me, op->target);
        break;
    case WL_SLEEP:
        me->wake_at = cos_cycles() + op->a;
        me->state = WL_S_SLEEP;
        wl_requeue(app, (unsigned)(me - app->thd));
        wl_thd_touch(app, (unsigned)(me - app->thd), true);
        wl_yield(app, me);
        break;
    default:
        break;
    }
}

static cos_word task_main(cos_thdid caller, cos_word idx, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_app *app = wl_app_self();
    if (app == NULL || idx >= app->ntasks)
        return 0;       /* not made by its booter (no state), or no such task */
    wl_task *t = &app->task[idx];
    wl_rt_thd *me = &app->thd[idx];
    for (;;) {
        /* dispatched: the job starts */
        me->start = cos_cycles();
        wl_rt_core *c = &app->core[me->sched];
        if (c->handoff_at) {
            uint64_t d = me->start - c->handoff_at;
            if (c->handoffs == 0 || d < c->handoff_min)
                c->handoff_min = d;
            if (d > c->handoff_max)
                c->handoff_max = d;
            c->handoff_sum += d;
            c->handoffs++;
            c->handoff_at = 0;
        }
        if (t->program) {
            wl_op op;
            while (t->program(t->program_ctx, (unsigned)idx, me->job, &op))
                run_op(app, me, &op);
        } else {
            for (unsigned i = 0; i < t->nops; i++)
                run_op(app, me, &t->ops[i]);
        }
        cos_instructions(WL_JOB_INSTR);
        uint64_t fin = cos_cycles();
        wl_record_job(app, app->task_base + (uint32_t)idx, me->job, me->arrival, me->start, fin, me->deadline);
        wl_stats *st = &t->st;
        uint64_t resp = fin - me->arrival;
        if (st->jobs == 0 || resp < st->resp_min)
            st->resp_min = resp;
        if (resp > st->resp_max)
            st->resp_max = resp;
        if (me->start - me->arrival > st->start_max)
            st->start_max = me->start - me->arrival;
        st->resp_sum += resp;
        st->jobs++;
        st->missed += fin > me->deadline;
        /* the next job */
        me->arrival += t->period + (t->sporadic ? cos_rand_exp(&me->rng, t->extra) : 0);
        me->ready_at = me->arrival + cos_rand_below_incl(&me->rng, t->jitter);
        me->job++;
        me->state = WL_S_IDLE;
        wl_requeue(app, (unsigned)(me - app->thd));
        wl_thd_touch(app, (unsigned)(me - app->thd), true);     /* the scheduler reads the next release here */
        /* instrumentation (free): is another job waiting for the core? */
        c->handoff_at = c->nready_tasks ? fin : 0;
        wl_yield(app, me);
    }
    return 0;
}

/* An interrupt thread: wait for the line's interrupts, handle each. */
static cos_word irq_main(cos_thdid caller, cos_word idx, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_app *app = wl_app_self();
    if (app == NULL || idx >= app->nirqs)
        return 0;
    wl_irq *q = &app->irq[idx];
    wl_rt_thd *me = &app->thd[wl_irq_thd(app, (unsigned)idx)];
    for (;;) {
        cos_ret r = cos_rcv(me->rcv, 0);
        if (r.err) {
            COS_FAIL(&app->fail, r.err);
            return 0;
        }
        q->activations++;
        wl_trace(app, WL_TK_IRQ_THREAD, (int64_t)idx, (int64_t)r.r[0], 0);
        for (uint64_t n = 0; n < r.r[0]; n++) {
            cos_compute(q->work);
            q->handled++;
        }
    }
    return 0;
}

/* A core's timer thread: expire what is due, sleep until the next. */
static cos_word timer_main(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_app *app = wl_app_self();
    if (app == NULL || core >= app->ncores)
        return 0;
    wl_rt_thd *me = &app->thd[wl_timer_thd(app, (unsigned)core)];
    for (;;) {
        me->tm_pending = 0;
        cos_ret r = tmrmgr_expire(app->tm_sinv, (unsigned)core, cos_cycles());
        if (r.err) {
            COS_FAIL(&app->fail, r.err);
            return 0;
        }
        /* a task it woke may have armed a timer meanwhile (it preempts) */
        uint64_t next = r.r[0] ? r.r[0] : UINT64_MAX;
        if (me->tm_pending && me->tm_pending < next)
            next = me->tm_pending;
        me->wake_at = next;
        me->state = WL_S_SLEEP;
        wl_requeue(app, wl_timer_thd(app, (unsigned)core));
        wl_thd_touch(app, wl_timer_thd(app, (unsigned)core), true);
        wl_yield(app, me);
    }
    return 0;
}

/* A core's scheduler: the core's init thread, once the booter has built
 * the system, invokes this entry and stays: it schedules from inside the
 * app, in the app's memory, with the app's capabilities. */
static cos_word sched_main(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_app *app = wl_app_self();
    if (app && core < app->ncores)
        wl_schedule(app, (unsigned)core);
    return 0;
}

/* A child scheduler: it has the booter make its tasks' threads (invoked
 * on this thread, so that their scheduler is this one), hands the core
 * back to the booter, and from the start schedules them. */
static cos_word group_main(cos_thdid caller, cos_word g, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_app *app = wl_app_self();
    if (app == NULL || g >= app->ngroups)
        return 0;
    cos_ret r = cos_sinv(app->boot_sinv, g, 0, 0, 0);
    cos_err e = r.err ? r.err : (cos_err)r.r[0];
    if (e)
        COS_FAIL(&app->fail, e);
    e = cos_switch(app->core[app->group[g].core].sched_app, 0, 0, 0, 0, 0);
    if (e)
        COS_FAIL(&app->fail, e);
    wl_schedule(app, app->ncores + (unsigned)g);
    return 0;
}

static const cos_entry_fn entries[] = { [E_SCHED] = sched_main, [E_TASK] = task_main, [E_IRQ] = irq_main,
                                        [E_GROUP] = group_main, [E_TIMER] = timer_main };
const cos_image cos_image_workload = { "workload", entries, 5 };
