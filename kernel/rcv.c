/* kernel/rcv.c: receive endpoints (see rcv.h).
 *
 * Preemption follows the tcaps' partial order (tcap.c): an activated
 * thread runs at once only if its tcap outranks the running one; a
 * receiver woken on an idle core always runs.
 */
#include "rcv.h"

#include "cap.h"
#include "obj.h"
#include "tcap.h"
#include "thd.h"

/* A receiver blocked on rcv woken: its RCV returns the pending count. */
static void woken(k_core *c, uint64_t thd, uint64_t rcv)
{
    k_thread *t = k_thread_of(c->k, thd);
    k_rcv_o *r = K_OBJ(c->k, k_rcv_o, rcv);
    t->ret = (cos_ret){ .err = COS_OK, .r = { r->pending } };
    r->pending = 0;
}

void k_rcv_activate(k_core *c, uint64_t rcv, bool sender_yields)
{
    k_kernel *k = c->k;
    k_step(c, K_P_SEND);
    k_rcv_o *r = K_OBJ(k, k_rcv_o, rcv);
    k_touch(c, rcv, 64, true);
    r->pending++;
    uint64_t thd = r->thd;
    k_thd_o *t = K_OBJ(k, k_thd_o, thd);
    k_touch(c, thd, 64, false);
    k->st.sends++;
    if (t->state == K_THD_BLOCKED_SCHED && t->blocked_on == rcv) {
        /* a scheduler waiting for events on this endpoint: a send wakes
         * it too (its cos_sched_rcv returns with no event, r[0] = 0) */
        k_thd_wake_sched(c, rcv, false);
        return;
    }
    if (t->state != K_THD_BLOCKED_RCV || t->blocked_on != rcv)
        return;
    t->state = K_THD_RUNNABLE;
    t->blocked_on = 0;
    woken(c, thd, rcv);
    k_thd_event(c, thd, COS_SCHED_EV_WOKEN);
    uint64_t cur = c->next ? c->next->obj : 0;
    uint64_t cur_tcap = K_OBJ(k, k_core_o, c->page)->cur_tcap;
    uint64_t tc = k_tcap_run(c, thd, rcv);
    if (cur == 0 || k_tcap_higher(c, tc, cur_tcap)) {
        if (tc != K_OBJ(k, k_thd_o, thd)->tcap) {
            uint64_t old = t->tcap;
            k_obj_ref(c, tc);
            K_WR(c, k_thd_o, thd, tcap, tc);
            if (old)
                k_obj_unref(c, old);
        }
        k_thd_dispatch(c, thd);
    } else if (sender_yields && cur) {
        k_thd_dispatch(c, k_thd_sched_next(c, cur));
    }
}

cos_ret k_rcv_receive(k_core *c, k_thread *t, uint64_t rcv, bool nonblock)
{
    k_step(c, K_P_RECV);
    k_rcv_o *r = K_OBJ(c->k, k_rcv_o, rcv);
    k_touch(c, rcv + offsetof(k_rcv_o, pending), 8, true);
    c->k->st.receives++;
    if (r->pending || nonblock) {
        cos_ret ret = { .err = COS_OK, .r = { r->pending } };
        r->pending = 0;
        return ret;
    }
    k_trace(c, K_EV_RCV, t->id, SIM_NONE, 0, 0, 0);
    k_thd_block(c, t->obj, K_THD_BLOCKED_RCV, rcv);
    return K_RET(COS_OK);   /* replaced when a send wakes it (woken) */
}

uint64_t k_rcv_init(k_core *c, uint64_t page, uint64_t thd, uint64_t tcap, uint64_t parent)
{
    k_kernel *k = c->k;
    k_thd_o *t = K_OBJ(k, k_thd_o, thd);
    k_rcv_o *o = k_obj_new(c, page, COS_CAP_RCV, t->h.core, sizeof(k_rcv_o));
    o->thd = thd;
    o->tcap = tcap;
    o->parent = parent;
    o->depth = parent ? K_OBJ(k, k_rcv_o, parent)->depth + 1 : 0;
    k_obj_ref(c, thd);
    if (tcap)
        k_obj_ref(c, tcap);
    if (parent)
        k_obj_ref(c, parent);
    uint64_t obj = k_obj_addr(COS_CAP_RCV, page);
    K_WR(c, k_thd_o, thd, rcv, obj);
    /* a thread with no scheduler yet is scheduled by its rcv's parent */
    if (parent && t->sched == 0) {
        t->sched = parent;
        k_obj_ref(c, parent);
    }
    return obj;
}

/* ---- RCV: on the caller's rcv `cap` (a0: COS_RCV_NONBLOCK) ---------------------- */

cos_ret k_rcv_recv(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t rcv;
    cos_err e = k_thd_own_rcv(c, th, t, t->cap, &rcv);
    if (e)
        return K_RET(e);
    return k_rcv_receive(c, t, rcv, t->a[0] & COS_RCV_NONBLOCK);     /* the invoke */
}

/* ---- RCV_ALLOC: thread a2's rcv, tcap a3 (0: none), parent rcv a4 (0: a root) -- */

typedef struct rcv_args {
    uint64_t page;
    cos_capid slot;
    uint64_t thd, tcap, parent;
} rcv_args;

static cos_err rcv_decode(k_core *c, k_thread *t, k_thd_o *th, rcv_args *a)
{
    k_kernel *k = c->k;
    k_slot s1, s2, s3;
    K_TRY(k_cap_alloc_decode(c, t, th, &a->page, &a->slot));
    K_TRY(k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_THREAD, &s1));
    k_thd_o *to = K_OBJ(k, k_thd_o, s1.obj);
    if (K_RD(c, k_thd_o, s1.obj, rcv))
        return COS_EEXIST;
    if (to->state == K_THD_EXITED)
        return COS_EINVAL;
    a->thd = s1.obj;
    a->tcap = a->parent = 0;
    if (t->a[3]) {
        K_TRY(k_cap(c, th->comp, (cos_capid)t->a[3], COS_CAP_TCAP, &s2));
        if (K_OBJ(k, k_tcap_o, s2.obj)->h.core != to->h.core)
            return COS_ECORE;
        a->tcap = s2.obj;
    }
    if (t->a[4]) {
        K_TRY(k_cap(c, th->comp, (cos_capid)t->a[4], COS_CAP_RCV, &s3));
        k_rcv_o *p = K_OBJ(k, k_rcv_o, s3.obj);
        if (p->h.core != to->h.core)
            return COS_ECORE;
        if (p->depth + 1 > COS_TCAP_DELEGS)
            return COS_EDEPTH;
        a->parent = s3.obj;
    }
    return COS_OK;
}

cos_ret k_rcv_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    rcv_args a;
    cos_err e = rcv_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    uint64_t rcv = k_rcv_init(c, a.page, a.thd, a.tcap, a.parent);
    k_cap_put(c, th->comp, a.slot, COS_CAP_RCV, rcv);
    return K_RET(COS_OK);
}
