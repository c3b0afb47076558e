/* components/implementation/sched/rr/rr.c: round-robin scheduling with a
 * time quantum, a scheduling policy (components/interface/sched.h) and the
 * example of docs/components.md's "write a component" tutorial.
 *
 * Every task of a scheduler has the same rank: the one that holds the core
 * keeps it for one quantum (system{ policy = { name = "rr", quantum = T } },
 * 1 ms by default), then the core passes to the next ready task in the
 * scheduler's list, wrapping round.  A task whose job ends gives up the rest
 * of its slice.  A core's timer thread and interrupt threads are not
 * time-shared: they run first (interrupt threads by their own priority), as
 * under the other policies, and an interrupt does not end the task's slice.
 *
 * The scheduler (implementation/app/workload) calls pick at each decision:
 * a release, a job's end, a block, a wake-up, and the end of a slice, which
 * it learns of from timeout (it arms the kernel's timer for the earliest of
 * everything it waits for); dispatched tells the policy which thread got
 * the core.  The state a policy keeps is in the scheduler's record (its
 * slice: which thread, and until when), in the app's memory like the rest
 * of the scheduler's state.
 */
#include "components/implementation/wl.h"

/* The tcap priority of a task dispatched by round robin: the same for every
 * task (the kernel never preempts one task for another: only the quantum
 * does), below what interrupt threads are usually given. */
#define RR_TASK_PRIO 128u

static bool rr_outranks(const wl_app *app, unsigned s, const wl_rt_thd *a, const wl_rt_thd *b)
{
    (void)app, (void)s;
    if (a->timer != b->timer)
        return a->timer;        /* a core's timer thread first */
    if (a->irq != b->irq)
        return a->irq;          /* then interrupt threads */
    if (a->irq)
        return a->eff_prio < b->eff_prio;
    return false;               /* tasks: all equal */
}

static uint32_t rr_dispatch_prio(wl_app *app, unsigned s, const wl_rt_thd *r)
{
    (void)app, (void)s;
    return r->irq ? r->eff_prio : RR_TASK_PRIO;
}

static int rr_pick(wl_app *app, unsigned s, uint64_t now)
{
    const wl_rt_core *c = &app->core[s];
    if (c->nthd == 0)
        return NONE;
    /* a timer or interrupt thread that is ready runs first */
    int best = NONE;
    for (unsigned k = 0; k < c->nthd; k++) {
        const wl_rt_thd *r = &app->thd[c->thd[k]];
        if (wl_ready(r) && (r->timer || r->irq) && (best == NONE || rr_outranks(app, s, r, &app->thd[best])))
            best = c->thd[k];
    }
    if (best != NONE)
        return best;
    /* the task whose slice still runs keeps the core */
    if (c->slice_thd >= 0 && wl_ready(&app->thd[c->slice_thd]) && now < c->slice_end)
        return c->slice_thd;
    /* else the next ready task after it in the list, wrapping round (it
     * again, if it is the only one) */
    unsigned from = 0;
    for (unsigned k = 0; k < c->nthd; k++)
        if (c->slice_thd >= 0 && c->thd[k] == (unsigned)c->slice_thd)
            from = k + 1;
    for (unsigned k = 0; k < c->nthd; k++) {
        unsigned i = c->thd[(from + k) % c->nthd];
        if (wl_ready(&app->thd[i]))
            return (int)i;
    }
    return NONE;
}

static uint64_t rr_timeout(const wl_app *app, unsigned s, uint64_t now)
{
    (void)now;
    return wl_slice_timeout(app, s);
}

static void rr_dispatched(wl_app *app, unsigned s, int i, uint64_t now)
{
    wl_slice_dispatched(app, s, i, now);
}

/* The registration (components/scheds.c lists it as WL_RR, "rr"). */
const sched_policy sched_rr = { .name = "rr", .ceiling = false, .slices = true, .outranks = rr_outranks,
                                .dispatch_prio = rr_dispatch_prio, .pick = rr_pick, .timeout = rr_timeout,
                                .dispatched = rr_dispatched };
