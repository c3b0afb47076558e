/* kernel/asnd.c: asynchronous sends (see asnd.h).
 *
 * A send's decode reads which core the rcv is on and, for another core,
 * that the ring to it has a free slot (COS_ENOMEM otherwise): a refused
 * send leaves no event, no ring entry and no trace record behind.
 */
#include "asnd.h"

#include "cap.h"
#include "obj.h"
#include "rcv.h"
#include "tcap.h"
#include "thd.h"
#include "xcore.h"

/* A send decoded: to rcv, on core `core`. */
typedef struct send_args {
    uint64_t rcv;
    unsigned core;
} send_args;

static cos_err send_decode(k_core *c, uint64_t rcv, send_args *a)
{
    a->rcv = rcv;
    a->core = K_RD(c, k_hdr, rcv, core);
    return a->core == c->id ? COS_OK : k_xcore_send_check(c, a->core);
}

static void send_invoke(k_core *c, const send_args *a, bool yield)
{
    k_trace(c, K_EV_SEND, c->next ? (int64_t)c->next->id : SIM_NONE, SIM_NONE, (int64_t)a->core, 0, 0);
    if (a->core != c->id)
        k_xcore_send(c, a->core, a->rcv);
    else
        k_rcv_activate(c, a->rcv, yield);
}

/* ---- ASND: through asnd `cap` (a0: the sender yields to its scheduler) ------------ */

static cos_err asnd_decode(k_core *c, k_thread *t, k_thd_o *th, send_args *a)
{
    k_slot s;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_ASND, &s));
    return send_decode(c, K_RD(c, k_asnd_o, s.obj, rcv), a);
}

cos_ret k_asnd_send(k_core *c, k_thread *t, k_thd_o *th)
{
    send_args a;
    cos_err e = asnd_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    send_invoke(c, &a, t->a[0] != 0);
    return K_RET(COS_OK);
}

/* ---- ASND_RCV: send through asnd `cap`, then receive on own rcv a0 --------------- */

static cos_err send_rcv_decode(k_core *c, k_thread *t, k_thd_o *th, send_args *a, uint64_t *own)
{
    k_slot s;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_ASND, &s));
    K_TRY(k_thd_own_rcv(c, th, t, (cos_capid)t->a[0], own));
    uint64_t rcv = K_RD(c, k_asnd_o, s.obj, rcv);
    if (rcv == *own)
        return COS_EINVAL;      /* sending to the endpoint it is about to wait on */
    return send_decode(c, rcv, a);
}

cos_ret k_asnd_send_rcv(k_core *c, k_thread *t, k_thd_o *th)
{
    send_args a;
    uint64_t own;
    cos_err e = send_rcv_decode(c, t, th, &a, &own);
    if (e)
        return K_RET(e);
    send_invoke(c, &a, false);
    return k_rcv_receive(c, t, own, false);
}

/* ---- TCAP_DELEGATE: tcap `cap` gives a1 cycles to asnd a0's rcv, then sends ------ *
 * (a2: the priority for the source's owner, a3: the sender yields). */

cos_ret k_asnd_delegate(k_core *c, k_thread *t, k_thd_o *th)
{
    k_tcap_xfer x;
    cos_err e = k_tcap_xfer_decode(c, t, th, true, &x);
    if (e)
        return K_RET(e);
    k_tcap_xfer_invoke(c, &x);
    /* the rcv is on this core: its tcap is, and the transfer's decode
     * found it on the source's, the caller's */
    k_rcv_activate(c, x.rcv, t->a[3] != 0);
    return K_RET(COS_OK);
}

/* ---- ASND_ALLOC: an asnd to rcv a2 ------------------------------------------------ */

cos_ret k_asnd_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t page;
    cos_capid slot;
    k_slot r;
    cos_err e = k_cap_alloc_decode(c, t, th, &page, &slot);
    if (e == COS_OK)
        e = k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_RCV, &r);
    if (e)
        return K_RET(e);
    /* invoke: the asnd holds a reference on its rcv */
    k_asnd_o *o = k_obj_new(c, page, COS_CAP_ASND, 0, sizeof(k_asnd_o));
    o->rcv = r.obj;
    k_obj_ref(c, r.obj);
    k_cap_put(c, th->comp, slot, COS_CAP_ASND, k_obj_addr(COS_CAP_ASND, page));
    return K_RET(COS_OK);
}
