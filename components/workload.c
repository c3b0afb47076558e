/* components/workload.c: the workload system: booter, per-core scheduler,
 * task and interrupt threads, locks, servers (see workload.h). */
#include <string.h>
#include "components/workload.h"

enum { E_BOOT = 0, E_TASK = 1, E_IRQ = 2, E_GROUP = 3, E_TIMER = 4 };
enum { TM_ARM = 0, TM_EXPIRE = 1 };
enum { MM_ALLOC = 0, MM_FREE = 1, MM_REVOKE = 2 };
enum { MM_FRESH = 0, MM_TAKEN, MM_MAPPED, MM_FREED };
enum { E_SERVE = 0 };

/* What the policy code costs in user-level instructions: a fixed part
 * (load the core's state, compare the timeout, branch) and a linear scan
 * of the core's threads (load state and key, compare, branch).  Estimates
 * of this C, like kernel/path.c's; the scheduler's state is assumed
 * L1-resident (docs/components.md). */
#define WL_PICK_BASE 24u
#define WL_PICK_PER 5u
#define WL_LOCK_INSTR 20u     /* test-and-set of the owner word, bookkeeping */
#define WL_JOB_INSTR 40u      /* end of job: statistics, next arrival */
#define WL_CHAN_INSTR 12u     /* a ring operation: indices, compare, flag, slot address */
#define WL_EDF_BASE 64u       /* EDF tasks get tcap priorities from here, by deadline rank */

#define NONE (-1)
#define G_IDX(g) (WL_TASKS + WL_IRQS + (g))     /* a group's thread in rt.thd */
#define T_IDX(c) (WL_TASKS + WL_IRQS + WL_GROUPS + (c))     /* a core's timer thread */
#define WL_TM_BASE 20u        /* the timer manager: an operation's fixed part */
#define WL_TM_PER 6u          /* ... and per timer of the core it scans */
#define WL_MM_BASE 30u        /* the memory manager: a call's fixed part (decode, quota, the heap's state) */
#define WL_MM_PAGE 16u        /* ... per page (pick, record, list) */
#define WL_MM_RETRY 500u      /* cycles it waits before an unmap refused for a full shootdown ring is tried again */

static wl_desc *W(void)
{
    return cos_boot_data();
}

static void fail(wl_desc *w, cos_err e, int line)
{
    if (w->error == 0) {
        w->error = e;
        w->error_line = line;
        cos_report("wl.error", e);
        cos_report("wl.error_line", line);
    }
}
#define CHECK(x) do { cos_err e_ = (x); if (e_) { fail(w, e_, __LINE__); return e_; } } while (0)

/* ---- seeded draws (splitmix64) ---------------------------------------------- */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* uniform in [0, n] */
static uint64_t below_incl(uint64_t *s, uint64_t n)
{
    if (n == 0)
        return 0;
    if (n == UINT64_MAX)
        return next_u64(s);
    return next_u64(s) % (n + 1);
}

/* exponential with mean m, in integer cycles: -m ln(U), U in (0, 1] */
static uint64_t exp_draw(uint64_t *s, uint64_t m)
{
    double u = (double)((next_u64(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
    /* ln by the series of atanh: exact enough and free of libm differences */
    double y = (u - 1.0) / (u + 1.0), y2 = y * y, term = y, sum = 0.0;
    for (int k = 1; k < 400; k += 2) {
        sum += term / k;
        term *= y2;
        if (term < 1e-18 && term > -1e-18)
            break;
    }
    double v = -2.0 * sum * (double)m;
    return v > 0 ? (uint64_t)(v + 0.5) : 0;
}

/* ---- the policy (run by the scheduler thread and by the fast path) ----------- */

/* Schedulers are numbered: core k's root scheduler is k, group g's child
 * scheduler is WL_CORES + g. */
static wl_policy policy_of(const wl_desc *w, unsigned s)
{
    return s < WL_CORES ? w->policy[s] : w->group[s - WL_CORES].policy;
}

static unsigned core_of(const wl_desc *w, unsigned s)
{
    return s < WL_CORES ? s : w->group[s - WL_CORES].core;
}

static bool has_tcap(const wl_desc *w, const wl_rt_thd *r)
{
    return r->irq || r->group || (!r->timer && w->task[r->idx].budget != 0);
}

/* Whether a outranks b (both ready). */
static bool outranks(const wl_desc *w, unsigned core, const wl_rt_thd *a, const wl_rt_thd *b)
{
    if (a->timer != b->timer)
        return a->timer;        /* the timer thread above everything on its core */
    if (policy_of(w, core) == WL_EDF) {
        if (a->irq != b->irq)
            return a->irq;      /* interrupt threads first: their tcap bounds them */
        if (a->irq)
            return a->eff_prio < b->eff_prio;
        return a->eff_deadline < b->eff_deadline;
    }
    return a->eff_prio < b->eff_prio;
}

static bool ready(const wl_rt_thd *r)
{
    return r->state == WL_S_READY;
}

/* The thread to run next on the core: -1 for none.  Round robin among
 * equals at job ends: the scan starts after the last one dispatched; a
 * preempted or still-running thread keeps the core against equals. */
static int pick(wl_desc *w, unsigned core)
{
    wl_rt_core *c = &w->rt.core[core];
    cos_instructions(WL_PICK_BASE + WL_PICK_PER * c->nthd);
    int best = NONE;
    unsigned start = 0;
    for (unsigned k = 0; k < c->nthd; k++)
        if (c->cur >= 0 && c->thd[k] == (unsigned)c->cur)
            start = k + 1;
    for (unsigned k = 0; k < c->nthd; k++) {
        unsigned i = c->thd[(start + k) % c->nthd];
        wl_rt_thd *r = &w->rt.thd[i];
        if (!ready(r))
            continue;
        if (best == NONE || outranks(w, core, r, &w->rt.thd[best]))
            best = (int)i;
    }
    /* a newly ready thread of equal rank does not preempt the one running */
    if (best != NONE && c->cur >= 0 && c->cur != best && ready(&w->rt.thd[c->cur])
        && !outranks(w, core, &w->rt.thd[best], &w->rt.thd[c->cur]))
        best = c->cur;
    return best;
}

/* The earliest time the scheduler must act (0: nothing pending). */
static uint64_t next_timeout(const wl_desc *w, unsigned core)
{
    const wl_rt_core *c = &w->rt.core[core];
    uint64_t t = UINT64_MAX;
    for (unsigned k = 0; k < c->nthd; k++) {
        const wl_rt_thd *r = &w->rt.thd[c->thd[k]];
        if (r->state == WL_S_IDLE && r->ready_at < t)
            t = r->ready_at;
        if (r->state == WL_S_SLEEP && r->wake_at < t)
            t = r->wake_at;
        if (has_tcap(w, r) && r->replenish_at < t)
            t = r->replenish_at;
    }
    return t == UINT64_MAX ? 0 : t;
}

static uint64_t budget_of(const wl_desc *w, const wl_rt_thd *r)
{
    return r->irq ? w->irq[r->idx].budget : r->group ? w->group[r->idx].budget : r->timer ? 0 : w->task[r->idx].budget;
}

static uint64_t replenish_period(const wl_desc *w, const wl_rt_thd *r)
{
    return r->irq ? w->irq[r->idx].period : r->group ? w->group[r->idx].period : w->task[r->idx].period;
}

static uint32_t base_prio(const wl_desc *w, const wl_rt_thd *r)
{
    return r->irq ? w->irq[r->idx].prio : r->group ? w->group[r->idx].prio : w->task[r->idx].prio;
}

/* Releases, wake-ups and budget top-ups due at `now`.  With `scheduler`
 * false (the fast path, which holds no tcap capability) it changes nothing
 * and returns false if one of them needs a tcap transfer or a send. */
static bool release(wl_desc *w, unsigned core, uint64_t now, bool scheduler)
{
    wl_rt_core *c = &w->rt.core[core];
    if (!scheduler)
        for (unsigned k = 0; k < c->nthd; k++) {
            const wl_rt_thd *r = &w->rt.thd[c->thd[k]];
            if (budget_of(w, r) && r->replenish_at <= now)
                return false;
            if (r->group && r->state == WL_S_SLEEP && r->wake_at <= now)
                return false;
        }
    for (unsigned k = 0; k < c->nthd; k++) {
        wl_rt_thd *r = &w->rt.thd[c->thd[k]];
        if (r->state == WL_S_IDLE && r->ready_at <= now) {
            const wl_task *t = &w->task[r->idx];
            r->state = WL_S_READY;
            r->deadline = r->arrival + t->deadline;
            r->eff_prio = t->prio;
            r->eff_deadline = r->deadline;
            w->task[r->idx].st.released++;
        }
        if (r->state == WL_S_SLEEP && r->wake_at <= now) {
            r->state = WL_S_READY;
            if (r->group) {
                /* a child scheduler waits for events on its endpoint: wake it */
                w->group[r->idx].wakes++;
                cos_err e = cos_asnd(r->wake, false);
                if (e)
                    fail(w, e, __LINE__);
            }
        }
        uint64_t b = budget_of(w, r);
        if (b && r->replenish_at <= now) {
            uint64_t left = 0;
            cos_err e = cos_tcap_budget(r->tcap, &left);
            if (e == COS_OK && left < b)
                e = cos_tcap_transfer(COS_BOOT_TCAP(core_of(w, core)), r->rcv, b - left, base_prio(w, r));
            if (e)
                fail(w, e, __LINE__);
            uint64_t p = replenish_period(w, r);
            while (r->replenish_at <= now)
                r->replenish_at += p;
            if (r->group)
                r->deadline = r->eff_deadline = r->replenish_at;    /* EDF parent: the end of the period */
            if (r->state == WL_S_DEPLETED)
                r->state = WL_S_READY;
        }
    }
    return true;
}

/* The tcap priority a dispatch gives: FP the effective priority; EDF the
 * rank of the job's deadline among the ready ones (interrupt threads keep
 * theirs). */
static uint32_t dispatch_prio(const wl_desc *w, unsigned core, const wl_rt_thd *r)
{
    if (!has_tcap(w, r))
        return 0;
    if (policy_of(w, core) == WL_FP || r->irq)
        return r->eff_prio;
    const wl_rt_core *c = &w->rt.core[core];
    uint32_t rank = 0;
    for (unsigned k = 0; k < c->nthd; k++) {
        const wl_rt_thd *o = &w->rt.thd[c->thd[k]];
        if (!o->irq && o != r && o->state == WL_S_READY && o->eff_deadline < r->eff_deadline)
            rank++;
    }
    return WL_EDF_BASE + (rank < 60000 ? rank : 60000);
}

/* ---- scheduling events -------------------------------------------------------- */

/* An event on scheduler s's endpoint. */
static void apply(wl_desc *w, unsigned s, const cos_ret *ev)
{
    cos_thdid id = (cos_thdid)ev->r[0];
    if (id == 0 || id >= WL_MAX_THDID || w->rt.by_id[id] == 0)
        return;     /* about the scheduler itself (a timeout), or a wake-up send */
    wl_rt_thd *r = &w->rt.thd[w->rt.by_id[id] - 1];
    if (r->sched != s)
        return;     /* a child scheduler hearing of itself: its parent's business */
    uint32_t f = (uint32_t)ev->r[1];
    if (f & COS_SCHED_EV_EXPIRED) {
        if (r->irq)
            w->irq[r->idx].expiries++;
        else if (r->group)
            w->group[r->idx].expiries++;
        else
            w->task[r->idx].st.expiries++;
        if (r->state == WL_S_READY && has_tcap(w, r))
            r->state = WL_S_DEPLETED;
        cos_trace("expire", id, 0, 0);
    }
    if (f & COS_SCHED_EV_EXITED) {
        r->state = WL_S_EXITED;
        return;
    }
    if (f & COS_SCHED_EV_RUNNABLE) {
        if (r->state == WL_S_KBLOCK || (r->group && r->state == WL_S_SLEEP))
            r->state = WL_S_READY;
    } else if (r->state == WL_S_READY || r->state == WL_S_DEPLETED) {
        r->state = WL_S_KBLOCK;
    }
}

static void drain(wl_desc *w, unsigned s)
{
    wl_rt_core *c = &w->rt.core[s];
    for (;;) {
        cos_ret ev = cos_sched_rcv(c->rcv, COS_RCV_NONBLOCK);
        if (ev.err)
            return;
        c->token = ev.r[3];
        if (ev.r[0] == 0)
            return;
        apply(w, s, &ev);
    }
}

/* A scheduler thread, for ever: a core's root (s < WL_CORES) or a group's
 * child scheduler (s = WL_CORES + g).  A child dispatches every thread of
 * its own under its one tcap, without a priority (the parent gives that
 * tcap its priority).  With nothing to run, a root sets the timeout of its
 * next release and waits for events; a child tells its parent, in the
 * state they share, when it wants the core again (its next release or
 * wake-up) and waits for events on its endpoint: the parent wakes it with a
 * send at that time, the kernel earlier for an event about one of its
 * tasks (and tells the parent that it woke). */
static void schedule(wl_desc *w, unsigned s)
{
    wl_rt_core *c = &w->rt.core[s];
    bool child = s >= WL_CORES;
    wl_group *gr = child ? &w->group[s - WL_CORES] : NULL;
    wl_rt_thd *me = child ? &w->rt.thd[G_IDX(s - WL_CORES)] : NULL;
    for (;;) {
        drain(w, s);
        release(w, s, cos_cycles(), true);
        int b = pick(w, s);
        uint64_t to = next_timeout(w, s);
        c->armed = to;
        if (b == NONE) {
            c->cur = NONE;
            c->idles++;
            if (child) {
                gr->idles++;
                me->wake_at = to ? to : UINT64_MAX;
                me->state = WL_S_SLEEP;
            } else {
                cos_err e = cos_switch(COS_BOOT_THD(s), 0, 0, to, c->rcv, c->token);
                if (e == COS_ESTALE) {
                    c->stale++;
                    continue;
                }
                if (e) {
                    fail(w, e, __LINE__);
                    return;
                }
            }
            cos_ret ev = cos_sched_rcv(c->rcv, 0);
            if (child)
                me->state = WL_S_READY;     /* running again */
            if (ev.err) {
                fail(w, ev.err, __LINE__);
                return;
            }
            c->token = ev.r[3];
            apply(w, s, &ev);
            continue;
        }
        wl_rt_thd *r = &w->rt.thd[b];
        uint32_t prio = dispatch_prio(w, s, r);
        cos_trace("sched", r->id, prio, 0);
        c->cur = b;
        cos_err e = child ? cos_switch(r->thd, c->tcap, 0, to, c->rcv, c->token)
                          : cos_switch(r->thd, has_tcap(w, r) ? r->tcap : 0, prio, to, c->rcv, c->token);
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
            break;
        case COS_EPERM:
            if (!child) {
                r->state = WL_S_DEPLETED;   /* no budget left */
                break;
            }
            /* the group's budget is spent: the core goes back to the parent */
            c->cur = NONE;
            e = cos_switch(COS_BOOT_THD(gr->core), 0, 0, 0, 0, 0);
            if (e)
                fail(w, e, __LINE__);
            break;
        default:
            fail(w, e, __LINE__);
            return;
        }
    }
}

/* ---- a task or interrupt thread gives up the core ------------------------------- */

static void yield(wl_desc *w, wl_rt_thd *me)
{
    unsigned core = me->sched;
    wl_rt_core *c = &w->rt.core[core];
    if (w->fastpath) {
        uint64_t now = cos_cycles();
        if (release(w, core, now, false)) {
            int b = pick(w, core);
            unsigned self = (unsigned)(me - w->rt.thd);
            if (b != NONE && (unsigned)b == self)
                return;     /* still the one to run */
            uint64_t to = next_timeout(w, core);
            if (b != NONE && !w->rt.thd[b].group && (to == 0 || (c->armed != 0 && c->armed <= to))) {
                wl_rt_thd *r = &w->rt.thd[b];
                int was = c->cur;
                c->cur = b;
                cos_trace("sched", r->id, 0, 1);
                if (cos_ul_switch(r->app_thd) == COS_OK) {
                    c->ul_dispatches++;
                    return;
                }
                c->cur = was;
                c->ul_refused++;
            }
        }
    }
    c->cur = NONE;
    cos_err e = cos_switch(c->sched_app, 0, 0, 0, 0, 0);
    if (e)
        fail(w, e, __LINE__);
}

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
        if (w->lock[l].protocol == WL_LOCK_CEILING && policy_of(w, r->sched) == WL_FP) {
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

static void op_lock(wl_desc *w, wl_rt_thd *me, unsigned l)
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
        yield(w, me);
    uint64_t waited = cos_cycles() - me->wait_since;
    wl_stats *st = &w->task[me->idx].st;
    st->lock_waits++;
    st->lock_wait_sum += waited;
    if (waited > st->lock_wait_max)
        st->lock_wait_max = waited;
    cos_trace("lock_acquire", (int64_t)l, (int64_t)waited, 0);
}

static void op_unlock(wl_desc *w, wl_rt_thd *me, unsigned l)
{
    cos_instructions(WL_LOCK_INSTR);
    int self = thd_index(w, me);
    if (w->rt.lock_owner[l] != self)
        return;     /* not held: compose.c's validation keeps this from happening */
    /* hand it to the best waiter */
    int best = NONE;
    for (unsigned i = 0; i < w->ntasks; i++) {
        wl_rt_thd *o = &w->rt.thd[i];
        if (o->state == WL_S_LOCK && o->waiting == (int)l
            && (best == NONE || outranks(w, o->sched, o, &w->rt.thd[best])))
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
    int b = pick(w, core);
    if (b != NONE && b != self && outranks(w, core, &w->rt.thd[b], me))
        yield(w, me);
}

/* ---- the task thread -------------------------------------------------------------- */

static uint64_t draw(wl_rt_thd *r, const wl_op *op)
{
    switch (op->dist) {
    case WL_UNIFORM: return op->a + below_incl(&r->rng, op->b - op->a);
    case WL_EXP: {
        uint64_t v = exp_draw(&r->rng, op->a);
        return op->b && v > op->b ? op->b : v;
    }
    default: return op->a;
    }
}

/* Touch len bytes from offset off of the app component's memory, page by page. */
/* Touch [base, base + len) of the current component page by page; the
 * first error stops it and is returned. */
static cos_err touch_range(uint64_t base, uint64_t len, bool write)
{
    for (uint64_t done = 0; done < len;) {
        uint64_t a = base + done;
        uint64_t n = COS_PAGE_SIZE - (a % COS_PAGE_SIZE);
        if (n > len - done)
            n = len - done;
        cos_err e = cos_touch(a, n, write);
        if (e)
            return e;
        done += n;
    }
    return COS_OK;
}

static void touch_app(wl_desc *w, uint64_t off, uint64_t len, bool write)
{
    cos_err e = touch_range(w->rt.app_base + off, len, write);
    if (e)
        fail(w, e, __LINE__);
}

/* ---- channels ---------------------------------------------------------------------- */

/* Wait until the ring has room (put) or a message (get): say so in the
 * header, look again (the other side may have acted meanwhile: it reads
 * the flag after it moves its index), and wait on the task's endpoint. */
static void chan_wait(wl_desc *w, wl_rt_thd *me, unsigned ch, bool put)
{
    const wl_channel *c = &w->chan[ch];
    wl_rt_chan *q = &w->rt.chan[ch];
    for (;;) {
        cos_instructions(WL_CHAN_INSTR);
        touch_app(w, c->mem_off, 16, false);
        bool can = put ? q->head - q->tail < c->slots : q->head != q->tail;
        if (can)
            return;
        if (put)
            q->prod_wait = true;
        else
            q->cons_wait = true;
        touch_app(w, c->mem_off + 16, 8, true);
        touch_app(w, c->mem_off, 16, false);
        can = put ? q->head - q->tail < c->slots : q->head != q->tail;
        if (can) {
            if (put)
                q->prod_wait = false;
            else
                q->cons_wait = false;
            return;
        }
        if (put)
            w->chan[ch].full_waits++;
        else
            w->chan[ch].empty_waits++;
        cos_trace("chan_wait", (int64_t)ch, put, 0);
        cos_ret r = cos_rcv(me->app_rcv, 0);
        if (r.err) {
            fail(w, r.err, __LINE__);
            return;
        }
    }
}

/* Move the index after the message, then notify the other side if it waits. */
static void chan_notify(wl_desc *w, unsigned ch, bool put)
{
    wl_channel *c = &w->chan[ch];
    wl_rt_chan *q = &w->rt.chan[ch];
    touch_app(w, c->mem_off + (put ? 0 : 8), 8, true);
    if (put)
        q->head++;
    else
        q->tail++;
    touch_app(w, c->mem_off + 16, 8, false);
    bool *waits = put ? &q->cons_wait : &q->prod_wait;
    if (*waits) {
        *waits = false;
        c->notifies++;
        cos_err e = cos_asnd(w->rt.asnd[put ? c->consumer : c->producer], false);
        if (e)
            fail(w, e, __LINE__);
    }
}

static void op_put(wl_desc *w, wl_rt_thd *me, unsigned ch)
{
    wl_channel *c = &w->chan[ch];
    wl_rt_chan *q = &w->rt.chan[ch];
    chan_wait(w, me, ch, true);
    uint64_t slot = q->head % c->slots;
    touch_app(w, c->mem_off + 64 + slot * c->stride, c->size, true);
    q->put_at[slot] = cos_cycles();
    chan_notify(w, ch, true);
    c->puts++;
    if (q->head - q->tail > c->max_fill)
        c->max_fill = q->head - q->tail;
}

static void op_get(wl_desc *w, wl_rt_thd *me, unsigned ch)
{
    wl_channel *c = &w->chan[ch];
    wl_rt_chan *q = &w->rt.chan[ch];
    chan_wait(w, me, ch, false);
    uint64_t slot = q->tail % c->slots;
    touch_app(w, c->mem_off + 64 + slot * c->stride, c->size, false);
    uint64_t lat = cos_cycles() - q->put_at[slot];
    if (c->lat_n == 0 || lat < c->lat_min)
        c->lat_min = lat;
    if (lat > c->lat_max)
        c->lat_max = lat;
    c->lat_sum += lat;
    c->lat_n++;
    chan_notify(w, ch, false);
    c->gets++;
}

/* ---- timers: the client side (a task) ------------------------------------------------ */

/* Arm the task's timer in the timer manager; if it is now its core's
 * earliest, bring the core's timer thread's wake-up forward (the
 * scheduler's shared state: the scheduler arms its timeout from it when
 * this task blocks). */
static void tm_arm(wl_desc *w, wl_rt_thd *me, uint64_t at, uint64_t period)
{
    unsigned core = w->task[me->idx].core;
    cos_ret r = cos_sinv(w->rt.tm_sinv, TM_ARM, me->idx, at, period);
    if (r.err) {
        fail(w, r.err, __LINE__);
        return;
    }
    wl_rt_thd *tt = &w->rt.thd[T_IDX(core)];
    uint64_t next = r.r[0];
    if (next == 0)
        return;
    if (tt->tm_pending == 0 || next < tt->tm_pending)
        tt->tm_pending = next;      /* for a timer thread in the middle of expiring */
    if (tt->state == WL_S_SLEEP && next < tt->wake_at)
        tt->wake_at = next;
}

/* Wait on the task's endpoint until `at` has passed (a send may be an
 * earlier tick's, still pending), then count the lateness. */
static void tm_wait(wl_desc *w, wl_rt_thd *me, uint64_t at)
{
    while (cos_cycles() < at) {
        cos_ret r = cos_rcv(me->app_rcv, 0);
        if (r.err) {
            fail(w, r.err, __LINE__);
            return;
        }
    }
    uint64_t late = cos_cycles() - at;
    wl_timers *tm = &w->tm;
    if (tm->late_n == 0 || late < tm->late_min)
        tm->late_min = late;
    if (late > tm->late_max)
        tm->late_max = late;
    tm->late_sum += late;
    tm->late_n++;
}

static void op_timeout(wl_desc *w, wl_rt_thd *me, uint64_t cycles)
{
    uint64_t at = cos_cycles() + cycles;
    tm_arm(w, me, at, 0);
    tm_wait(w, me, at);
}

/* The task's periodic timer ticks at the multiples of `period` from the
 * start; the first use makes it.  A tick that came while the task was
 * busy is not waited for. */
static void op_tick(wl_desc *w, wl_rt_thd *me, uint64_t period)
{
    uint64_t now = cos_cycles();
    if (me->tick_period != period) {
        me->tick_period = period;
        me->tick_next = w->start + ((now - w->start) / period + 1) * period;
        tm_arm(w, me, me->tick_next, period);
    }
    tm_wait(w, me, me->tick_next);
    now = cos_cycles();
    while (me->tick_next <= now)
        me->tick_next += period;
}

/* ---- memory: the client side (a task) --------------------------------------------------- */

static uint64_t heap_va(unsigned h, unsigned k)
{
    return WL_HEAP_BASE + ((uint64_t)h * WL_HEAP_PAGES + k) * COS_PAGE_SIZE;
}

/* alloc, free (of the task's own heap) and revoke (of another task's):
 * one invocation of the manager, timed as the client sees it. */
static void op_mem(wl_desc *w, wl_rt_thd *me, const wl_op *op)
{
    unsigned task = op->kind == WL_REVOKE ? op->target : me->idx;
    unsigned mop = op->kind == WL_ALLOC ? MM_ALLOC : op->kind == WL_FREE ? MM_FREE : MM_REVOKE;
    uint64_t t0 = cos_cycles();
    cos_ret r = cos_sinv(w->rt.mm_sinv, mop, task, op->a, 0);
    if (r.err) {
        fail(w, r.err, __LINE__);
        return;
    }
    uint64_t dt = cos_cycles() - t0, pages = r.r[0];
    cos_trace("mm", (int64_t)task, mop, (int64_t)pages);
    if (pages == 0)
        return;
    wl_memory *m = &w->mem;
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
static void op_heap(wl_desc *w, wl_rt_thd *me, uint64_t len, bool write)
{
    cos_err e = touch_range(heap_va(w->task[me->idx].heap - 1, 0), len, write);
    if (e == COS_EFAULT) {
        w->mem.faults++;
        w->task[me->idx].st.faults++;
    } else if (e) {
        fail(w, e, __LINE__);
    }
}

static void run_op(wl_desc *w, wl_rt_thd *me, const wl_op *op)
{
    const wl_task *t = &w->task[me->idx];
    switch (op->kind) {
    case WL_COMPUTE:
        cos_compute(draw(me, op));
        break;
    case WL_TOUCH:
        touch_app(w, t->mem_off + op->a, op->b, op->target != 0);
        break;
    case WL_TIMEOUT:
        op_timeout(w, me, op->a);
        break;
    case WL_TICK:
        op_tick(w, me, op->a);
        break;
    case WL_ALLOC:
    case WL_FREE:
    case WL_REVOKE:
        op_mem(w, me, op);
        break;
    case WL_HEAP:
        op_heap(w, me, op->a, op->target != 0);
        break;
    case WL_PUT:
        op_put(w, me, op->target);
        break;
    case WL_GET:
        op_get(w, me, op->target);
        break;
    case WL_INVOKE: {
        cos_ret r = cos_sinv(w->rt.sinv[op->target], op->target, 0, 0, 0);
        if (r.err)
            fail(w, r.err, __LINE__);
        break;
    }
    case WL_SEND: {
        cos_err e = cos_asnd(w->rt.asnd[op->target], false);
        if (e)
            fail(w, e, __LINE__);
        break;
    }
    case WL_RECV: {
        cos_ret r = cos_rcv(me->app_rcv, 0);
        if (r.err)
            fail(w, r.err, __LINE__);
        break;
    }
    case WL_LOCK:
        op_lock(w, me, op->target);
        break;
    case WL_UNLOCK:
        op_unlock(w, me, op->target);
        break;
    case WL_SLEEP:
        me->wake_at = cos_cycles() + op->a;
        me->state = WL_S_SLEEP;
        yield(w, me);
        break;
    default:
        break;
    }
}

static cos_word task_main(cos_thdid caller, cos_word idx, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_desc *w = W();
    wl_task *t = &w->task[idx];
    wl_rt_thd *me = &w->rt.thd[idx];
    for (;;) {
        /* dispatched: the job starts */
        me->start = cos_cycles();
        wl_rt_core *c = &w->rt.core[me->sched];
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
                run_op(w, me, &op);
        } else {
            for (unsigned i = 0; i < t->nops; i++)
                run_op(w, me, &t->ops[i]);
        }
        cos_instructions(WL_JOB_INSTR);
        uint64_t fin = cos_cycles();
        cos_job_rec j = { .task = w->task_base + (uint32_t)idx, .job = me->job, .release = me->arrival, .start = me->start,
                          .finish = fin, .deadline = me->deadline };
        cos_job(&j);
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
        me->arrival += t->period + (t->sporadic ? exp_draw(&me->rng, t->extra) : 0);
        me->ready_at = me->arrival + below_incl(&me->rng, t->jitter);
        me->job++;
        me->state = WL_S_IDLE;
        /* instrumentation (free): is another job waiting for the core? */
        c->handoff_at = 0;
        for (unsigned k = 0; k < c->nthd; k++) {
            const wl_rt_thd *o = &w->rt.thd[c->thd[k]];
            if (o != me && !o->irq && o->state == WL_S_READY)
                c->handoff_at = fin;
        }
        yield(w, me);
    }
    return 0;
}

/* An interrupt thread: wait for the line's interrupts, handle each. */
static cos_word irq_main(cos_thdid caller, cos_word idx, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_desc *w = W();
    wl_irq *q = &w->irq[idx];
    wl_rt_thd *me = &w->rt.thd[WL_TASKS + idx];
    for (;;) {
        cos_ret r = cos_rcv(me->app_rcv, 0);
        if (r.err) {
            fail(w, r.err, __LINE__);
            return 0;
        }
        q->activations++;
        cos_trace("irq_thread", (int64_t)idx, (int64_t)r.r[0], 0);
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
    wl_desc *w = W();
    wl_rt_thd *me = &w->rt.thd[T_IDX(core)];
    for (;;) {
        me->tm_pending = 0;
        cos_ret r = cos_sinv(w->rt.tm_sinv, TM_EXPIRE, core, cos_cycles(), 0);
        if (r.err) {
            fail(w, r.err, __LINE__);
            return 0;
        }
        /* a task it woke may have armed a timer meanwhile (it preempts) */
        uint64_t next = r.r[0] ? r.r[0] : UINT64_MAX;
        if (me->tm_pending && me->tm_pending < next)
            next = me->tm_pending;
        me->wake_at = next;
        me->state = WL_S_SLEEP;
        yield(w, me);
    }
    return 0;
}

/* ---- the timer manager component ------------------------------------------------------ */

/* TM_ARM (task, at, period): arm the task's timer; TM_EXPIRE (core, now):
 * wake the tasks whose timers are due (periodic ones re-arm).  Both return
 * the core's earliest armed timer (0: none).  The table is this
 * component's memory: every entry looked at is touched. */
static cos_word tm_serve(cos_thdid caller, cos_word op, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller;
    wl_desc *w = W();
    uint64_t base = w->rt.timer.base;
    unsigned core;
    if (op == TM_ARM) {
        if (a1 >= w->ntasks)
            return 0;
        core = w->task[a1].core;
        w->tm.arms++;
        cos_touch(base + a1 * 32, 32, true);
        w->rt.tm[a1].at = a2;
        w->rt.tm[a1].period = a3;
        w->rt.tm[a1].armed = true;
        cos_instructions(WL_TM_BASE);
        cos_touch(base + WL_TASKS * 32 + core * 8, 8, true);
        if (w->rt.tm_next[core] == 0 || a2 < w->rt.tm_next[core])
            w->rt.tm_next[core] = a2;
        return w->rt.tm_next[core];
    }
    if (op != TM_EXPIRE || a1 >= w->ncores)
        return 0;
    core = (unsigned)a1;
    uint64_t next = 0;
    unsigned n = 0, ndue = 0;
    uint16_t due[WL_TASKS];
    for (unsigned i = 0; i < w->ntasks; i++) {
        if (w->task[i].core != core || w->rt.tm_asnd[i] == 0)
            continue;
        n++;
        cos_touch(base + i * 32, 32, false);
        if (!w->rt.tm[i].armed)
            continue;
        if (w->rt.tm[i].at <= a2) {
            w->tm.expirations++;
            due[ndue++] = (uint16_t)i;
            if (w->rt.tm[i].period) {
                while (w->rt.tm[i].at <= a2)
                    w->rt.tm[i].at += w->rt.tm[i].period;
            } else {
                w->rt.tm[i].armed = false;
            }
            cos_touch(base + i * 32, 32, true);
        }
        if (w->rt.tm[i].armed && (next == 0 || w->rt.tm[i].at < next))
            next = w->rt.tm[i].at;
    }
    cos_instructions(WL_TM_BASE + WL_TM_PER * n);
    cos_touch(base + WL_TASKS * 32 + core * 8, 8, true);
    w->rt.tm_next[core] = next;
    /* the wake-ups last: a woken task may preempt this thread here (and
     * invoke the manager itself), so the table is consistent first */
    for (unsigned k = 0; k < ndue; k++) {
        cos_err e = cos_asnd(w->rt.tm_asnd[due[k]], false);
        if (e)
            fail(w, e, __LINE__);
        else
            w->tm.wakeups++;
    }
    return next;
}

/* ---- the memory manager component ------------------------------------------------------ */

/* Its memory: a 16-byte record per pool page, the queue of freed pages
 * (2 bytes each), each heap's list of pages (2 bytes each). */
static uint64_t mm_rec(const wl_desc *w, unsigned p)
{
    return w->rt.mm.base + (uint64_t)p * 16;
}

static uint64_t mm_qent(const wl_desc *w, unsigned i)
{
    return w->rt.mm.base + WL_MM_POOL * 16 + (uint64_t)(i % WL_MM_POOL) * 2;
}

static uint64_t mm_list(const wl_desc *w, unsigned h, unsigned k)
{
    return w->rt.mm.base + WL_MM_POOL * 18 + ((uint64_t)h * WL_HEAP_PAGES + k) * 2;
}

/* One page for heap h (whose call the caller holds): a never-used page,
 * else the page freed longest ago, whose retype back to untyped the
 * kernel allows only after quiescence (refused: it goes back to the
 * queue's head, and nothing is younger).  Each decision is made between
 * two calls, so no other thread of the manager runs in the middle. */
static bool mm_alloc_one(wl_desc *w, unsigned h)
{
    wl_memory *m = &w->mem;
    unsigned p, k = w->rt.mm_held[h];
    bool reuse = false;
    if (k >= m->quota || k >= WL_HEAP_PAGES)
        return false;
    if (w->rt.mm_fresh < m->pages) {
        p = w->rt.mm_fresh++;
    } else if (w->rt.mm_head != w->rt.mm_tail) {
        p = w->rt.mm_fifo[w->rt.mm_head++ % WL_MM_POOL];
        reuse = true;
    } else {
        return false;
    }
    w->rt.mm_state[p] = MM_TAKEN;
    cos_instructions(WL_MM_PAGE);
    if (reuse) {
        cos_touch(mm_qent(w, w->rt.mm_head - 1), 2, false);
        cos_err e = cos_kmem_retype(w->rt.mm_kmem, p, COS_MEM_USER, COS_MEM_UNTYPED);
        if (e == COS_EQUIESCE) {
            w->rt.mm_fifo[--w->rt.mm_head % WL_MM_POOL] = (uint16_t)p;
            w->rt.mm_state[p] = MM_FREED;
            m->reuse_waits++;
            return false;
        }
        if (e) {
            fail(w, e, __LINE__);
            return false;
        }
    }
    cos_err e = cos_kmem_retype(w->rt.mm_kmem, p, COS_MEM_UNTYPED, COS_MEM_USER);
    if (e == COS_OK)
        e = cos_pgtbl_map(w->rt.mm_pgtbl, heap_va(h, k), w->rt.mm_kmem, p, COS_MAP_WRITE);
    if (e) {
        fail(w, e, __LINE__);
        return false;
    }
    w->rt.mm_page[h][k] = (uint16_t)p;
    w->rt.mm_held[h] = k + 1;
    w->rt.mm_state[p] = MM_MAPPED;
    m->allocated++;
    cos_touch(mm_rec(w, p), 16, true);
    cos_touch(mm_list(w, h, k), 2, true);
    return true;
}

/* Unmap heap h's last page and queue it. */
static void mm_free_one(wl_desc *w, unsigned h)
{
    wl_memory *m = &w->mem;
    unsigned k = w->rt.mm_held[h] - 1, p = w->rt.mm_page[h][k];
    cos_instructions(WL_MM_PAGE);
    cos_touch(mm_list(w, h, k), 2, false);
    cos_ret r;
    while ((r = cos_pgtbl_unmap(w->rt.mm_pgtbl, heap_va(h, k))).err == COS_EBUSY) {
        m->unmap_retries++;
        cos_compute(WL_MM_RETRY);
    }
    if (r.err) {
        fail(w, r.err, __LINE__);
        return;
    }
    m->shootdowns += r.r[0];
    w->rt.mm_held[h] = k;
    w->rt.mm_state[p] = MM_FREED;
    w->rt.mm_fifo[w->rt.mm_tail++ % WL_MM_POOL] = (uint16_t)p;
    cos_touch(mm_rec(w, p), 16, true);
    cos_touch(mm_qent(w, w->rt.mm_tail - 1), 2, true);
}

static unsigned mm_revoke(wl_desc *w, unsigned h)
{
    unsigned n = w->rt.mm_held[h];
    while (w->rt.mm_held[h])
        mm_free_one(w, h);
    w->mem.revoked += n;
    w->mem.revocations++;
    return n;
}

/* MM_ALLOC (task, n), MM_FREE (task, n; 0: all), MM_REVOKE (task): the
 * pages given, freed or revoked.  One call at a time per heap: a call that
 * finds the heap's call in progress (its owner preempted, or on another
 * core) does nothing, except that a revocation is left to that call,
 * which carries it out before it returns. */
static cos_word mm_serve(cos_thdid caller, cos_word op, cos_word task, cos_word n, cos_word a3)
{
    (void)caller, (void)a3;
    wl_desc *w = W();
    if (task >= w->ntasks || w->task[task].heap == 0 || op > MM_REVOKE)
        return 0;
    unsigned h = w->task[task].heap - 1;
    wl_memory *m = &w->mem;
    if (w->rt.mm_busy[h]) {
        if (op == MM_REVOKE)
            w->rt.mm_revoke[h] = true;
        else if (op == MM_ALLOC)
            m->denied += n;
        cos_instructions(WL_MM_BASE);
        return 0;
    }
    w->rt.mm_busy[h] = true;
    cos_instructions(WL_MM_BASE);
    unsigned done = 0;
    if (op == MM_ALLOC) {
        while (done < n && mm_alloc_one(w, h))
            done++;
        m->denied += n - done;
    } else if (op == MM_FREE) {
        unsigned want = n && n < w->rt.mm_held[h] ? (unsigned)n : w->rt.mm_held[h];
        for (; done < want; done++)
            mm_free_one(w, h);
        m->freed += done;
    } else {
        done = mm_revoke(w, h);
    }
    while (w->rt.mm_revoke[h]) {
        w->rt.mm_revoke[h] = false;
        mm_revoke(w, h);
    }
    w->rt.mm_busy[h] = false;
    return done;
}

/* ---- a server component ----------------------------------------------------------- */

static cos_word serve(cos_thdid caller, cos_word idx, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_desc *w = W();
    if (idx >= w->nservers)
        return 0;
    wl_server *s = &w->server[idx];
    s->calls++;
    uint64_t base = w->rt.server[idx].base;
    (void)touch_range(base, s->touch, true);   /* its own memory: cannot fault */
    cos_compute(s->work);
    return 0;
}

/* ---- boot ------------------------------------------------------------------------- */

/* The child schedulers of `core`: a thread of the boot component each, its
 * endpoint under the core's root, its tcap (topped up from the start), and
 * a send to its endpoint for the parent. */
static cos_err build_groups(wl_desc *w, unsigned core)
{
    bt *b = &w->rt.b;
    wl_rt_core *pc = &w->rt.core[core];
    const bt_comp self = { .comp = COS_BOOT_COMP };
    for (unsigned g = 0; g < w->ngroups; g++) {
        const wl_group *gr = &w->group[g];
        if (gr->core != core)
            continue;
        wl_rt_thd *r = &w->rt.thd[G_IDX(g)];
        *r = (wl_rt_thd){ .group = true, .idx = g, .sched = (uint16_t)core, .waiting = NONE, .state = WL_S_READY,
                          .eff_prio = gr->prio };
        CHECK(bt_thd_id(b, &self, E_GROUP, g, &r->thd, &r->id));
        if (r->id >= WL_MAX_THDID)
            CHECK(COS_ERANGE);
        w->rt.by_id[r->id] = (uint16_t)(G_IDX(g) + 1);
        CHECK(bt_tcap(b, &r->tcap));
        CHECK(bt_rcv(b, r->thd, r->tcap, COS_BOOT_RCV(core), &r->rcv));
        CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), r->rcv, 1, gr->prio));
        CHECK(bt_asnd(b, r->rcv, &r->wake));
        wl_rt_core *gc = &w->rt.core[WL_CORES + g];
        gc->cur = NONE;
        gc->rcv = r->rcv;
        gc->tcap = r->tcap;
        CHECK(bt_give(b, &w->rt.app, r->thd, &gc->sched_app));
        if (pc->nthd < WL_THDS)
            pc->thd[pc->nthd++] = (uint16_t)G_IDX(g);
        /* let it make its tasks, on the root's budget */
        CHECK(cos_switch(r->thd, COS_BOOT_TCAP(core), 0, 0, 0, 0));
        if (w->error)
            return w->error;
    }
    return COS_OK;
}


static bool uses_timer(const wl_task *t)
{
    for (unsigned k = 0; k < t->nops; k++)
        if (t->ops[k].kind == WL_TIMEOUT || t->ops[k].kind == WL_TICK)
            return true;
    return false;
}

/* The timer thread of `core`, if a task of it uses timers: an app thread
 * under the core's root, asleep until a timer is armed. */
static cos_err build_timer_thd(wl_desc *w, unsigned core)
{
    bool any = false;
    for (unsigned i = 0; i < w->ntasks; i++)
        any = any || (w->task[i].core == core && uses_timer(&w->task[i]));
    if (!any)
        return COS_OK;
    bt *b = &w->rt.b;
    wl_rt_core *c = &w->rt.core[core];
    wl_rt_thd *r = &w->rt.thd[T_IDX(core)];
    *r = (wl_rt_thd){ .timer = true, .idx = core, .sched = (uint16_t)core, .waiting = NONE, .state = WL_S_SLEEP,
                      .wake_at = UINT64_MAX, .replenish_at = UINT64_MAX };
    CHECK(bt_thd_id(b, &w->rt.app, E_TIMER, core, &r->thd, &r->id));
    if (r->id >= WL_MAX_THDID)
        CHECK(COS_ERANGE);
    w->rt.by_id[r->id] = (uint16_t)(T_IDX(core) + 1);
    CHECK(bt_rcv(b, r->thd, 0, COS_BOOT_RCV(core), &r->rcv));
    CHECK(bt_give(b, &w->rt.app, r->thd, &r->app_thd));
    if (c->nthd < WL_THDS)
        c->thd[c->nthd++] = (uint16_t)T_IDX(core);
    return COS_OK;
}

/* Thread i (tasks, then interrupt threads) of `core`, made by its
 * scheduler: the core's root, or a group's child scheduler (a thread's
 * scheduler is the one that makes it). */
static cos_err build_thd(wl_desc *w, unsigned core, unsigned i)
{
    bt *b = &w->rt.b;
    bool irq = i >= w->ntasks;
    unsigned idx = irq ? i - w->ntasks : i;
    wl_rt_thd *r = &w->rt.thd[irq ? WL_TASKS + idx : idx];
    unsigned sched = !irq && w->task[idx].group ? WL_CORES + w->task[idx].group - 1 : core;
    wl_rt_core *sc = &w->rt.core[sched];
    *r = (wl_rt_thd){ .irq = irq, .idx = idx, .sched = (uint16_t)sched, .waiting = NONE, .replenish_at = w->start };
    CHECK(bt_thd_id(b, &w->rt.app, irq ? E_IRQ : E_TASK, idx, &r->thd, &r->id));
    if (r->id >= WL_MAX_THDID)
        CHECK(COS_ERANGE);
    w->rt.by_id[r->id] = (uint16_t)((irq ? WL_TASKS + idx : idx) + 1);
    bool own = irq || w->task[idx].budget != 0;
    if (own)
        CHECK(bt_tcap(b, &r->tcap));
    CHECK(bt_rcv(b, r->thd, r->tcap, sc->rcv, &r->rcv));
    if (irq) {
        /* unbounded: all of the root's (infinite) budget; bounded: topped up per period */
        CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), r->rcv, w->irq[idx].budget, w->irq[idx].prio));
        CHECK(cos_hw_attach(COS_BOOT_HW, w->irq[idx].line, r->rcv));
        r->state = WL_S_READY;      /* it runs once to reach its wait */
        r->eff_prio = w->irq[idx].prio;
        r->replenish_at = w->irq[idx].budget ? 0 : UINT64_MAX;
    } else {
        wl_task *t = &w->task[idx];
        r->rng = t->seed;
        r->job = 1;
        r->eff_prio = t->prio;
        r->state = WL_S_IDLE;
        r->replenish_at = own ? 0 : UINT64_MAX;     /* set at the start */
        if (own)
            CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), r->rcv, 1, t->prio));
    }
    CHECK(bt_give(b, &w->rt.app, r->thd, &r->app_thd));
    CHECK(bt_give(b, &w->rt.app, r->rcv, &r->app_rcv));
    if (!irq && w->rt.recv_target[idx]) {
        cos_capid a;
        CHECK(bt_asnd(b, r->rcv, &a));
        CHECK(bt_give(b, &w->rt.app, a, &w->rt.asnd[idx]));
        if (uses_timer(&w->task[idx]))
            CHECK(bt_give(b, &w->rt.timer, a, &w->rt.tm_asnd[idx]));
    }
    if (sc->nthd < WL_THDS)
        sc->thd[sc->nthd++] = (uint16_t)(irq ? WL_TASKS + idx : idx);
    return COS_OK;
}

/* A child scheduler: it makes its tasks' threads first, hands the core
 * back to the booter, and from the start schedules them. */
static cos_word group_main(cos_thdid caller, cos_word g, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_desc *w = W();
    unsigned core = w->group[g].core;
    for (unsigned i = 0; i < w->ntasks; i++)
        if (w->task[i].group == g + 1 && build_thd(w, core, i))
            break;
    cos_err e = cos_switch(COS_BOOT_THD(core), 0, 0, 0, 0, 0);
    if (e)
        fail(w, e, __LINE__);
    schedule(w, WL_CORES + (unsigned)g);
    return 0;
}

/* The threads of `core`: made by that core (objects belong to the core
 * that makes them). */
static cos_err build_core(wl_desc *w, unsigned core)
{
    bt *b = &w->rt.b;
    wl_rt_core *c = &w->rt.core[core];
    c->cur = NONE;
    c->rcv = COS_BOOT_RCV(core);
    CHECK(bt_give(b, &w->rt.app, COS_BOOT_THD(core), &c->sched_app));
    CHECK(build_timer_thd(w, core));
    CHECK(build_groups(w, core));
    for (unsigned i = 0; i < w->ntasks + w->nirqs; i++) {
        bool irq = i >= w->ntasks;
        unsigned idx = irq ? i - w->ntasks : i;
        if ((irq ? w->irq[idx].core : w->task[idx].core) != core || (!irq && w->task[idx].group))
            continue;
        CHECK(build_thd(w, core, i));
    }
    return COS_OK;
}

static cos_err build_shared(wl_desc *w)
{
    bt *b = &w->rt.b;
    CHECK(bt_init(b));
    CHECK(bt_comp_new(b, w->workload_image, (unsigned)w->app_pages, &w->rt.app));
    w->rt.app_base = w->rt.app.base;
    for (unsigned i = 0; i < w->nservers; i++) {
        CHECK(bt_comp_new(b, w->server_image, w->server[i].pages, &w->rt.server[i]));
        CHECK(bt_sinv(b, &w->rt.app, &w->rt.server[i], E_SERVE, &w->rt.sinv[i]));
    }
    if (w->tm.used) {
        /* the timer manager: its table (32 bytes per task) and the per-core earliest */
        unsigned pages = (unsigned)((WL_TASKS * 32 + WL_CORES * 8 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
        CHECK(bt_comp_new(b, w->timer_image, pages, &w->rt.timer));
        CHECK(bt_sinv(b, &w->rt.app, &w->rt.timer, 0, &w->rt.tm_sinv));
    }
    if (w->mem.used) {
        /* the memory manager: its records; its pool, the booter's next
         * pages (untyped), narrowed into its table; the app's page table */
        unsigned pages = (unsigned)((WL_MM_POOL * 18 + WL_HEAPS * WL_HEAP_PAGES * 2 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
        CHECK(bt_comp_new(b, w->mem_image, pages, &w->rt.mm));
        CHECK(bt_sinv(b, &w->rt.app, &w->rt.mm, 0, &w->rt.mm_sinv));
        w->rt.mm_kmem = w->rt.mm.next_slot++;
        CHECK(cos_kmem_narrow(b->kmem, w->rt.mm.captbl, w->rt.mm_kmem, b->next, w->mem.pages));
        b->next += w->mem.pages;
        CHECK(bt_give(b, &w->rt.mm, w->rt.app.pgtbl, &w->rt.mm_pgtbl));
    }
    for (unsigned l = 0; l < WL_LOCKS; l++)
        w->rt.lock_owner[l] = NONE;
    for (unsigned i = 0; i < w->ntasks; i++)
        for (unsigned k = 0; k < w->task[i].nops; k++)
            if (w->task[i].ops[k].kind == WL_SEND && w->task[i].ops[k].target < w->ntasks)
                w->rt.recv_target[w->task[i].ops[k].target] = true;
    /* timer users are woken by the timer manager's sends */
    for (unsigned i = 0; i < w->ntasks; i++)
        if (uses_timer(&w->task[i]))
            w->rt.recv_target[i] = true;
    /* both ends of a channel may wait for a notification */
    for (unsigned ch = 0; ch < w->nchans; ch++) {
        if (w->chan[ch].producer < w->ntasks)
            w->rt.recv_target[w->chan[ch].producer] = true;
        if (w->chan[ch].consumer < w->ntasks)
            w->rt.recv_target[w->chan[ch].consumer] = true;
    }
    /* the start signals: one asnd to each core's root rcv */
    for (unsigned c = 0; c < w->ncores; c++)
        CHECK(bt_asnd(b, COS_BOOT_RCV(c), &w->rt.core[c].go));
    return COS_OK;
}

/* Every core's threads are made: fix the start and the first arrivals. */
static void start(wl_desc *w)
{
    uint64_t now = cos_cycles();
    uint64_t al = w->start_align ? w->start_align : 1;
    w->start = (now / al + 1) * al;
    for (unsigned i = 0; i < WL_THDS; i++) {
        wl_rt_thd *r = &w->rt.thd[i];
        if (r->id == 0)
            continue;
        if (r->group) {
            r->replenish_at = w->start;
        } else if (!r->irq) {
            const wl_task *t = &w->task[r->idx];
            r->arrival = w->start + t->offset;
            r->ready_at = r->arrival + below_incl(&r->rng, t->jitter);
            r->replenish_at = t->budget ? r->arrival : UINT64_MAX;
        } else if (w->irq[r->idx].budget) {
            r->replenish_at = w->start;
        }
    }
    w->built = true;
    cos_report("wl.start", (int64_t)w->start);
}

static cos_word boot(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3)
{
    (void)caller, (void)arg, (void)a2, (void)a3;
    wl_desc *w = W();
    if (w == NULL || core >= w->ncores)
        return 0;
    if (core == 0) {
        if (build_shared(w))
            return 0;
    } else {
        /* wait for the previous core to finish */
        cos_ret r = cos_rcv(COS_BOOT_RCV(core), 0);
        if (r.err || w->error)
            return 0;
    }
    if (build_core(w, (unsigned)core))
        return 0;
    w->cores_built++;
    if (core + 1 < w->ncores) {
        CHECK(cos_asnd(w->rt.core[core + 1].go, false));
        cos_ret r = cos_rcv(COS_BOOT_RCV(core), 0);     /* the go from the last core */
        if (r.err || w->error)
            return 0;
    } else {
        start(w);
        for (unsigned c = 0; c + 1 < w->ncores; c++)
            CHECK(cos_asnd(w->rt.core[c].go, false));
    }
    schedule(w, (unsigned)core);
    return 0;
}

static const cos_entry_fn entries[] = { [E_BOOT] = boot, [E_TASK] = task_main, [E_IRQ] = irq_main,
                                        [E_GROUP] = group_main, [E_TIMER] = timer_main };
const cos_image cos_image_workload = { "workload", entries, 5 };

static const cos_entry_fn server_entries[] = { [E_SERVE] = serve };
const cos_image cos_image_wl_server = { "wl-server", server_entries, 1 };

static const cos_entry_fn timer_entries[] = { tm_serve };
const cos_image cos_image_wl_timer = { "wl-timer", timer_entries, 1 };

static const cos_entry_fn mem_entries[] = { mm_serve };
const cos_image cos_image_wl_mem = { "wl-mem", mem_entries, 1 };
