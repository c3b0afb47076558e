/* components/implementation/sched/fprr/fprr.c: the minimal fixed-priority scheduler (see fprr.h). */
#include "components/implementation/sched/fprr/fprr.h"
#include "components/lib/sched_ev.h"

void fp_init(fp_sched *s, cos_capid rcv)
{
    *s = (fp_sched){ .rcv = rcv };
}

cos_err fp_add(fp_sched *s, cos_capid thd, cos_thdid id, uint32_t prio, cos_capid tcap)
{
    if (s->n >= FP_MAX)
        return COS_ENOMEM;
    if (prio < COS_PRIO_MAX || prio > COS_PRIO_MIN)
        return COS_EINVAL;
    s->t[s->n++] = (fp_thd){ .thd = thd, .tcap = tcap, .id = id, .prio = prio, .runnable = true };
    return COS_OK;
}

static void apply(fp_sched *s, const cos_ret *ev)
{
    s->token = ev->r[3];
    for (unsigned i = 0; i < s->n; i++)
        if (s->t[i].id == ev->r[0]) {
            s->t[i].runnable = (ev->r[1] & COS_SCHED_EV_RUNNABLE) != 0;
            s->t[i].exited = (ev->r[1] & COS_SCHED_EV_EXITED) != 0;
        }
}

static void apply_cb(void *ctx, const cos_ret *ev)
{
    apply(ctx, ev);
}

/* The highest-priority runnable thread, the one after `last` among equals. */
static int pick(const fp_sched *s)
{
    int best = -1;
    for (unsigned k = 1; k <= s->n; k++) {
        unsigned i = (s->last + k) % s->n;
        const fp_thd *t = &s->t[i];
        if (t->runnable && !t->exited && (best < 0 || t->prio < s->t[best].prio))
            best = (int)i;
    }
    return best;
}

cos_err fp_run(fp_sched *s, uint64_t until)
{
    while (until == 0 || cos_cycles() < until) {
        cos_sched_drain(s->rcv, &s->token, apply_cb, s);
        int i = pick(s);
        if (i < 0) {
            bool all_exited = true;
            for (unsigned j = 0; j < s->n; j++)
                all_exited = all_exited && s->t[j].exited;
            if (all_exited)
                return COS_OK;
            /* nothing to run: wait for an event (the core idles) */
            s->idle++;
            cos_ret ev = cos_sched_rcv(s->rcv, 0);
            if (ev.err)
                return ev.err;
            if (ev.r[0])
                apply(s, &ev);
            continue;
        }
        fp_thd *t = &s->t[i];
        /* the priority goes into the thread's own tcap; without one it runs
         * under the scheduler's, whose priority is not the thread's to change */
        cos_err e = cos_switch(t->thd, t->tcap, t->tcap ? t->prio : 0, 0, s->rcv, s->token);
        if (e == COS_ESTALE) {
            s->stale++;
            continue;
        }
        if (e == COS_EBUSY) {
            t->runnable = false;    /* blocked meanwhile; its event is on the way */
            continue;
        }
        if (e == COS_EINVAL) {
            t->exited = true;
            continue;
        }
        if (e)
            return e;
        s->dispatches++;
        s->last = (unsigned)i;
    }
    return COS_OK;
}
