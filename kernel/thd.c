/* kernel/thd.c: threads and scheduling (see thd.h).
 *
 * The current thread holds no reference (dispatch would touch the retype
 * table twice per switch): instead its last capability cannot be removed
 * while it runs (cap.c), and obj.c keeps a thread alive that loses its
 * last reference while a core runs it.
 */
#include "thd.h"

#include "cap.h"
#include "obj.h"
#include "tcap.h"
#include "trap.h"

uint64_t k_thd_init(k_core *c, uint64_t page, uint64_t comp, unsigned entry, cos_word arg, unsigned core,
                    uint64_t sched, k_thread *t)
{
    k_kernel *k = c->k;
    k_thd_o *o = k_obj_new(c, page, COS_CAP_THREAD, core, 128);
    o->home = o->comp = comp;
    o->entry = entry;
    o->arg = arg;
    o->state = K_THD_RUNNABLE;
    k_obj_ref(c, comp);
    if (sched) {
        o->sched = sched;
        k_obj_ref(c, sched);
    }
    uint64_t obj = k_obj_addr(COS_CAP_THREAD, page);
    if (t == NULL) {
        const cos_image *img = k->cfg.images[K_OBJ(k, k_comp_o, comp)->image];
        GError *err = NULL;
        t = k_trap_thread_new(k, obj, core, img->entries[entry], arg, &err);
        if (t == NULL)
            g_error("kernel: cannot make a thread stack at boot: %s", err->message);
    }
    o->id = t->id;
    return obj;
}

/* ---- scheduling events ---------------------------------------------------------- */

void k_thd_queue_event(k_core *c, uint64_t rcv, uint64_t thd, uint32_t flags)
{
    k_kernel *k = c->k;
    k_step(c, K_P_EVENT);
    k_thd_o *t = K_OBJ(k, k_thd_o, thd);
    k_touch(c, thd + offsetof(k_thd_o, ev_next), 24, true);
    t->ev_flags |= flags;
    k_rcv_o *r = K_OBJ(k, k_rcv_o, rcv);
    k_touch(c, rcv + offsetof(k_rcv_o, token), 24, true);
    r->token++;
    if (!t->ev_queued) {
        t->ev_queued = 1;
        t->ev_next = 0;
        k_obj_ref(c, thd);      /* the list's reference */
        if (r->ev_tail)
            K_WR(c, k_thd_o, r->ev_tail, ev_next, thd);
        else
            r->ev_head = thd;
        r->ev_tail = thd;
    }
    k->st.events++;
}

/* Take the next scheduling event of rcv into *ret (r[0] = 0 when none). */
static void pop_event(k_core *c, uint64_t rcv, cos_ret *ret)
{
    k_kernel *k = c->k;
    k_rcv_o *r = K_OBJ(k, k_rcv_o, rcv);
    k_touch(c, rcv + offsetof(k_rcv_o, token), 24, true);
    *ret = (cos_ret){ .err = COS_OK, .r = { 0, 0, 0, r->token } };
    uint64_t x = r->ev_head;
    if (x == 0)
        return;
    k_thd_o *xo = K_OBJ(k, k_thd_o, x);
    k_touch(c, x + offsetof(k_thd_o, ev_next), 24, true);
    r->ev_head = xo->ev_next;
    if (r->ev_head == 0)
        r->ev_tail = 0;
    uint32_t flags = xo->ev_flags;
    if (xo->state == K_THD_RUNNABLE)
        flags |= COS_SCHED_EV_RUNNABLE;
    if (r->ev_head)
        flags |= COS_SCHED_EV_MORE;
    ret->r[0] = xo->id;
    ret->r[1] = flags;
    ret->r[2] = xo->ev_cycles;
    xo->ev_flags = 0;
    xo->ev_cycles = 0;
    xo->ev_queued = 0;
    xo->ev_next = 0;
    k_obj_unref(c, x);
}

void k_thd_wake_sched(k_core *c, uint64_t rcv, bool preempt)
{
    k_kernel *k = c->k;
    uint64_t st = K_RD(c, k_rcv_o, rcv, thd);
    k_thd_o *s = K_OBJ(k, k_thd_o, st);
    if (s->state == K_THD_BLOCKED_SCHED && s->blocked_on == rcv) {
        K_WR(c, k_thd_o, st, state, (uint32_t)K_THD_RUNNABLE);
        s->blocked_on = 0;
        /* its SCHED_RCV returns the first event */
        pop_event(c, rcv, &k_thread_of(k, st)->ret);
        /* a child scheduler that wakes is news for its parent, as any
         * thread that wakes is (a root scheduler has none); the parent
         * hears first, so on an idle core it is the one that runs */
        k_thd_event(c, st, COS_SCHED_EV_WOKEN);
    } else if (!preempt) {
        return;
    }
    if (s->state != K_THD_RUNNABLE || s->h.core != c->id || (c->next && c->next->obj == st))
        return;
    if (c->next == NULL
        || (preempt && k_tcap_higher(c, k_tcap_run(c, st, 0), K_OBJ(k, k_core_o, c->page)->cur_tcap)))
        k_thd_dispatch(c, st);
}

void k_thd_event(k_core *c, uint64_t thd, uint32_t flags)
{
    uint64_t rcv = K_RD(c, k_thd_o, thd, sched);
    if (rcv == 0)
        return;     /* a root scheduler's own thread: nobody to tell */
    k_thd_queue_event(c, rcv, thd, flags);
    k_thd_wake_sched(c, rcv, false);
}

/* ---- dispatch and blocking ------------------------------------------------------- */

void k_thd_dispatch(k_core *c, uint64_t thd)
{
    k_kernel *k = c->k;
    k_thread *nt = thd ? k_thread_of(k, thd) : NULL;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    uint64_t cur = c->next ? c->next->obj : 0;
    if (nt != c->next) {
        k_step(c, K_P_SWITCH);
        unsigned bytes = k->regs_words * k->word_bytes;
        if (cur)
            k_touch(c, cur + offsetof(k_thd_o, regs), bytes, true);
        if (thd)
            k_touch(c, thd + offsetof(k_thd_o, regs), bytes, false);
        k->st.switches++;
        k_trace(c, K_EV_SWITCH, k_thd_id(k, cur), SIM_NONE, k_thd_id(k, thd),
                (int64_t)hw_kernel_cycles(k->h, c->id), (int64_t)hw_cross_cycles(k->h, c->id));
    }
    /* the per-core variables: current thread and tcap (the current thread
     * holds no reference: see the top of this file) */
    k_touch(c, c->page, sizeof *co, true);
    co->cur_thd = thd;
    co->cur_tcap = thd ? k_tcap_run(c, thd, 0) : 0;
    c->next = nt;
}

uint64_t k_thd_sched_next(k_core *c, uint64_t thd)
{
    k_kernel *k = c->k;
    uint64_t rcv = K_RD(c, k_thd_o, thd, sched);
    for (unsigned i = 0; rcv && i <= COS_TCAP_DELEGS + 1; i++) {
        uint64_t st = K_RD(c, k_rcv_o, rcv, thd);
        k_thd_o *s = K_OBJ(k, k_thd_o, st);
        if (st != thd && s->state == K_THD_RUNNABLE && s->h.core == c->id) {
            uint64_t tc = k_tcap_run(c, st, 0);
            if (tc == 0 || K_OBJ(k, k_tcap_o, tc)->budget > 0)
                return st;
        }
        rcv = K_RD(c, k_rcv_o, rcv, parent);
    }
    /* the core's root scheduler */
    uint64_t root = K_OBJ(k, k_rcv_o, c->root_rcv)->thd;
    if (root != thd && K_OBJ(k, k_thd_o, root)->state == K_THD_RUNNABLE)
        return root;
    return 0;
}

void k_thd_block(k_core *c, uint64_t thd, uint32_t state, uint64_t on)
{
    k_thd_o *t = K_OBJ(c->k, k_thd_o, thd);
    k_touch(c, thd, 64, true);
    t->state = state;
    t->blocked_on = on;
    k_thd_event(c, thd, state == K_THD_EXITED ? COS_SCHED_EV_EXITED : COS_SCHED_EV_BLOCKED);
    if (c->next && c->next->obj == thd)
        k_thd_dispatch(c, k_thd_sched_next(c, thd));
}

cos_err k_thd_own_rcv(k_core *c, k_thd_o *th, k_thread *t, cos_capid cap, uint64_t *rcv)
{
    k_slot s;
    K_TRY(k_cap(c, th->comp, cap, COS_CAP_RCV, &s));
    if (K_RD(c, k_rcv_o, s.obj, thd) != t->obj)
        return COS_EPERM;
    *rcv = s.obj;
    return COS_OK;
}

/* ---- the user-level dispatch ------------------------------------------------------ */

k_thread *k_thd_ul_switch(k_core *c, k_thread *t)
{
    k_kernel *k = c->k;
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    k_captbl ct = { .root = K_OBJ(k, k_comp_o, th->comp)->captbl };
    k_slot s;
    cos_err e = k_ct_peek(&k->mem, &ct, (cos_capid)t->a[0], &s);
    if (e == COS_OK && s.type != COS_CAP_THREAD)
        e = COS_EINVAL;
    k_thd_o *to = e == COS_OK ? K_OBJ(k, k_thd_o, s.obj) : NULL;
    if (e == COS_OK && (s.obj == t->obj || to->comp != th->comp || to->state != K_THD_RUNNABLE || to->depth != 0))
        e = COS_EINVAL;
    if (e == COS_OK && to->h.core != c->id)
        e = COS_ECORE;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    /* the tcap a dispatch without one would run it under (k_tcap_run,
     * read here without charges: user level did this work) */
    if (e == COS_OK && to->tcap && to->tcap != co->cur_tcap)
        e = COS_EPERM;
    t->ret = (cos_ret){ .err = e };
    if (e)
        return t;
    /* what the kernel's repair will find: the cycles so far are the old
     * thread's (the tcap is the same one), and the new one is current */
    sim_time_t now = sim_now(k->s);
    uint64_t ran = k_cycles_at(k, now) - k_cycles_at(k, c->tcap_since);
    c->tcap_since = now;
    if (co->cur_tcap) {
        k_tcap_o *tc = K_OBJ(k, k_tcap_o, co->cur_tcap);
        if (tc->budget != COS_BUDGET_INF)
            tc->budget = tc->budget > ran ? tc->budget - ran : 0;
    }
    th->ev_cycles += ran;
    co->cur_thd = s.obj;
    c->ul_dirty = true;
    k->st.ul_switches++;
    k_thread *nt = k_thread_of(k, s.obj);
    k_trace(c, K_EV_ULSWITCH, t->id, SIM_NONE, nt->id, (int64_t)hw_kernel_cycles(k->h, c->id),
            (int64_t)hw_cross_cycles(k->h, c->id));
    /* the registers saved and loaded at user level: user time, before
     * the new thread's own code goes on */
    nt->compute_left += hw_instructions(k->h, k->ul_dispatch_instr);   /* kernel/path_counts.h */
    c->cur = nt;
    return nt;
}

/* ---- THD_SWITCH: dispatch thread `cap` ------------------------------------------- *
 * a0 tcap (0: keep), a1 priority for the caller's scheduler (0: keep), a2
 * timeout in absolute cycles (0: none), a3 the scheduler's rcv, a4 its
 * token. */

typedef struct switch_args {
    uint64_t target;
    uint64_t tc;        /* the tcap to run it under (0: as it is) */
    uint64_t rcv;       /* the scheduler's rcv named (0: none) */
    uint64_t sched, ptc;/* the priority goes to sched's entry in tcap ptc */
    uint32_t prio;
    uint64_t timeout;
} switch_args;

static cos_err switch_decode(k_core *c, k_thread *t, k_thd_o *th, switch_args *a)
{
    k_kernel *k = c->k;
    k_slot s;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_THREAD, &s));
    a->target = s.obj;
    k_thd_o *to = K_OBJ(k, k_thd_o, a->target);
    k_step(c, K_P_DISPATCH);
    k_touch(c, a->target, 64, false);
    if (to->h.core != c->id)
        return COS_ECORE;
    if (to->state == K_THD_EXITED)
        return COS_EINVAL;
    if (to->state != K_THD_RUNNABLE && a->target != t->obj)
        return COS_EBUSY;
    a->tc = a->rcv = 0;
    if (t->a[0]) {
        K_TRY(k_tcap_of(c, th, (cos_capid)t->a[0], &a->tc));
        if (K_OBJ(k, k_tcap_o, a->tc)->budget == 0)
            return COS_EPERM;
    }
    a->prio = (uint32_t)t->a[1];
    if (t->a[1] > COS_PRIO_MIN)
        return COS_EINVAL;
    if (t->a[3]) {
        K_TRY(k_thd_own_rcv(c, th, t, (cos_capid)t->a[3], &a->rcv));
        k_touch(c, a->rcv + offsetof(k_rcv_o, token), 8, false);
        if (t->a[4] != K_OBJ(k, k_rcv_o, a->rcv)->token)
            return COS_ESTALE;
    } else if (t->a[2]) {
        return COS_EINVAL;   /* a timeout needs the scheduler's rcv */
    }
    a->timeout = t->a[2];
    a->sched = a->rcv ? a->rcv : K_OBJ(k, k_thd_o, t->obj)->rcv;
    a->ptc = a->tc ? a->tc : (to->tcap ? to->tcap : K_OBJ(k, k_core_o, c->page)->cur_tcap);
    if (a->prio) {
        if (a->sched == 0 || a->ptc == 0)
            return COS_EINVAL;
        K_TRY(k_tcap_prio_check(c, a->ptc, a->sched));
    }
    return COS_OK;
}

static void switch_invoke(k_core *c, k_thread *t, const switch_args *a)
{
    k_kernel *k = c->k;
    k_thd_o *to = K_OBJ(k, k_thd_o, a->target);
    if (a->prio)
        k_tcap_prio_set(c, a->ptc, a->sched, a->prio);
    if (a->tc && a->tc != to->tcap) {
        uint64_t old = to->tcap;
        k_obj_ref(c, a->tc);
        K_WR(c, k_thd_o, a->target, tcap, a->tc);
        if (old)
            k_obj_unref(c, old);
    }
    if (a->rcv && to->sched == 0 && a->target != t->obj) {
        to->sched = a->rcv;
        k_obj_ref(c, a->rcv);
    }
    if (a->rcv)
        K_WR(c, k_rcv_o, a->rcv, timeout, a->timeout);
    if (a->target == t->obj) {
        /* the caller itself: its tcap (or priority) changes now */
        K_OBJ(k, k_core_o, c->page)->cur_tcap = k_tcap_run(c, a->target, 0);
    } else {
        k_thd_dispatch(c, a->target);
    }
}

cos_ret k_thd_switch(k_core *c, k_thread *t, k_thd_o *th)
{
    switch_args a;
    cos_err e = switch_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    switch_invoke(c, t, &a);
    return K_RET(COS_OK);
}

/* ---- SCHED_RCV: the next event on the caller's rcv `cap` (a0: nonblock) ----------- */

cos_ret k_thd_sched_rcv(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t rcv;
    cos_err e = k_thd_own_rcv(c, th, t, t->cap, &rcv);
    if (e)
        return K_RET(e);
    /* invoke: the next event, or block for one */
    cos_ret ret;
    pop_event(c, rcv, &ret);
    if (ret.r[0] || (t->a[0] & COS_RCV_NONBLOCK))
        return ret;
    k_thd_block(c, t->obj, K_THD_BLOCKED_SCHED, rcv);
    return ret;     /* replaced when an event wakes it (k_thd_wake_sched) */
}

/* ---- THD_ALLOC: a thread of component a2 running entry a3 with a4 --------------- */

cos_ret k_thd_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    uint64_t page;
    cos_capid slot;
    k_slot comp;
    cos_err e = k_cap_alloc_decode(c, t, th, &page, &slot);
    if (e == COS_OK)
        e = k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_COMP, &comp);
    if (e)
        return K_RET(e);
    unsigned image = K_RD(c, k_comp_o, comp.obj, image);
    if (t->a[3] >= k->cfg.images[image]->nentries)
        return K_RET(COS_ERANGE);
    /* the host's part first, which the host may refuse (its limit on
     * mappings): then nothing is made */
    g_autoptr(GError) err = NULL;
    k_thread *nt = k_trap_thread_new(k, k_obj_addr(COS_CAP_THREAD, page), c->id,
                                     k->cfg.images[image]->entries[t->a[3]], t->a[4], &err);
    if (nt == NULL)
        return K_RET(COS_ENOMEM);
    /* invoke: on the caller's core, scheduled by the caller's rcv */
    uint64_t thd = k_thd_init(c, page, comp.obj, (unsigned)t->a[3], t->a[4], c->id, K_OBJ(k, k_thd_o, t->obj)->rcv, nt);
    k_cap_put(c, th->comp, slot, COS_CAP_THREAD, thd);
    return (cos_ret){ .err = COS_OK, .r = { K_OBJ(k, k_thd_o, thd)->id } };
}
