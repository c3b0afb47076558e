/* kernel/hwcap.c: interrupt lines and the hardware capability (see hwcap.h).
 *
 * The timer's and the IPIs' lines are the kernel's own (budgets, timeouts,
 * cross-core rings): they cannot be bound.
 */
#include "hwcap.h"

#include "cap.h"
#include "obj.h"
#include "rcv.h"

void k_hwcap_irq(k_core *c, unsigned line)
{
    k_kernel *k = c->k;
    if (line >= k->nlines)
        return;
    uint64_t slot = k->hwtbl + (uint64_t)line * 8;
    k_touch(c, slot, 8, false);
    uint64_t rcv = *(uint64_t *)k_ram(k, slot);
    if (rcv)
        k_rcv_activate(c, rcv, false);
}

typedef struct bind_args {
    unsigned line;
    uint64_t rcv;       /* 0: detach */
} bind_args;

static cos_err bind_decode(k_core *c, k_thread *t, k_thd_o *th, bind_args *a)
{
    k_kernel *k = c->k;
    k_slot s;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_HW, &s));
    cos_word line = t->a[0];
    if (line >= k->nlines || hwirq_check_line(k->h->irq, (unsigned)line) != HWIRQ_OK)
        return COS_ERANGE;
    if (line == k->h->timer_line || line == hw_ipi_line(k->h))
        return COS_EBUSY;    /* the kernel's own */
    a->line = (unsigned)line;
    a->rcv = 0;
    if (t->op == COS_OP_HW_ATTACH) {
        k_slot r;
        K_TRY(k_cap(c, th->comp, (cos_capid)t->a[1], COS_CAP_RCV, &r));
        a->rcv = r.obj;
    }
    return COS_OK;
}

static void bind_invoke(k_core *c, const bind_args *a)
{
    k_kernel *k = c->k;
    uint64_t slot = k->hwtbl + (uint64_t)a->line * 8;
    k_step(c, K_P_MGMT);
    k_touch(c, slot, 8, true);
    uint64_t old = *(uint64_t *)k_ram(k, slot);
    *(uint64_t *)k_ram(k, slot) = a->rcv;
    if (a->rcv)
        k_obj_ref(c, a->rcv);
    if (old)
        k_obj_unref(c, old);
    /* the line's interrupts go to the rcv's core, where the controller
     * routes them line by line */
    if (a->rcv)
        hw_irq_route(k->h, a->line, K_OBJ(k, k_hdr, a->rcv)->core);
}

cos_ret k_hwcap_bind(k_core *c, k_thread *t, k_thd_o *th)
{
    bind_args a;
    cos_err e = bind_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    bind_invoke(c, &a);
    return K_RET(COS_OK);
}

cos_ret k_hwcap_flush(k_core *c, k_thread *t, k_thd_o *th)
{
    k_slot s;
    cos_err e = k_cap(c, th->comp, t->cap, COS_CAP_HW, &s);
    if (e)
        return K_RET(e);
    k_arch(c, hw_flush_cold(c->k->h, c->id));
    return K_RET(COS_OK);
}
