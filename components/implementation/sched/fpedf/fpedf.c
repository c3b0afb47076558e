/* components/implementation/sched/fpedf/fpedf.c: fixed-priority and EDF
 * scheduling policies (components/interface/sched.h).
 *
 * Fixed priority: the effective priority decides (1 is the highest; raised
 * by inherited or ceiling priorities), round robin among equals at job ends
 * (the scheduler's scan starts after the thread it dispatched last), and a
 * ready thread of equal rank does not preempt the one running.
 * EDF: the earliest effective absolute deadline; interrupt threads rank
 * above tasks, by their own priority (their tcap is what bounds them); the
 * tcap priority a dispatch gives is WL_EDF_BASE plus the job's rank among
 * the ready ones, so that the kernel's preemption order agrees.
 * On both, a core's timer thread ranks above everything on its core.
 */
#include "components/implementation/wl.h"

static bool fp_outranks(const wl_app *app, unsigned s, const wl_rt_thd *a, const wl_rt_thd *b)
{
    (void)app, (void)s;
    if (a->timer != b->timer)
        return a->timer;        /* the timer thread above everything on its core */
    return a->eff_prio < b->eff_prio;
}

static uint32_t fp_dispatch_prio(wl_app *app, unsigned s, const wl_rt_thd *r)
{
    (void)app, (void)s;
    return r->eff_prio;
}

static bool edf_outranks(const wl_app *app, unsigned s, const wl_rt_thd *a, const wl_rt_thd *b)
{
    (void)app, (void)s;
    if (a->timer != b->timer)
        return a->timer;
    if (a->irq != b->irq)
        return a->irq;          /* interrupt threads first: their tcap bounds them */
    if (a->irq)
        return a->eff_prio < b->eff_prio;
    return a->eff_deadline < b->eff_deadline;
}

/* A ready thread that ranks before r by its deadline (the timer thread's
 * record has none: 0). */
static bool earlier(const wl_rt_thd *o, const wl_rt_thd *r)
{
    return !o->irq && o->eff_deadline < r->eff_deadline;
}

/* The rank of the job's deadline among the ready ones (interrupt threads
 * keep their priority): a walk of the ready queue's threads that come
 * before it (usually none: the one dispatched is the first). */
static uint32_t edf_dispatch_prio(wl_app *app, unsigned s, const wl_rt_thd *r)
{
    if (r->irq)
        return r->eff_prio;
    uint32_t rank = wl_queue_rank(app, s, (unsigned)(r - app->thd), earlier);
    return WL_EDF_BASE + (rank < 60000 ? rank : 60000);
}

const sched_policy sched_fp = { .name = "fp", .ceiling = true, .outranks = fp_outranks,
                                .dispatch_prio = fp_dispatch_prio };
const sched_policy sched_edf = { .name = "edf", .ceiling = false, .outranks = edf_outranks,
                                 .dispatch_prio = edf_dispatch_prio };
