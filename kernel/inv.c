/* kernel/inv.c: invocation and return (see inv.h). */
#include "inv.h"

#include <string.h>
#include "cap.h"
#include "obj.h"
#include "pgtbl.h"

/* ---- SINV: through sinv `cap`, with a0..a3 -------------------------------------- */

typedef struct sinv_args {
    uint64_t server;
    uint32_t entry;
} sinv_args;

static cos_err sinv_decode(k_core *c, k_thread *t, k_thd_o *th, sinv_args *a)
{
    k_slot s;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_SINV, &s));
    a->server = K_RD(c, k_sinv_o, s.obj, comp);
    a->entry = K_OBJ(c->k, k_sinv_o, s.obj)->entry;
    if (K_RD(c, k_thd_o, t->obj, depth) >= COS_INV_DEPTH)
        return COS_EDEPTH;
    return COS_OK;
}

static void sinv_invoke(k_core *c, k_thread *t, k_thd_o *th, const sinv_args *a)
{
    k_kernel *k = c->k;
    k_step(c, K_P_INV);
    k_touch(c, t->obj + offsetof(k_thd_o, inv) + th->depth * 8, 8, true);
    th->inv[th->depth] = th->comp;
    th->depth++;
    th->comp = a->server;
    k_touch(c, t->obj + offsetof(k_thd_o, depth), 4, true);
    k_comp_o *so = K_OBJ(k, k_comp_o, a->server);
    k_touch(c, a->server, sizeof *so, true);
    so->active++;
    k_pgtbl_switch(c, a->server);
    /* the upcall: the thread's coroutine runs the entry (trap.c) */
    t->upcall = true;
    t->fn_up = k->cfg.images[so->image]->entries[a->entry];
    t->up_caller = t->id;
    memcpy(t->up_a, t->a, sizeof t->up_a);
    k->st.invocations++;
    k_trace(c, K_EV_SINV, t->id, so->id, th->depth, 0, 0);
}

cos_ret k_inv_sinv(k_core *c, k_thread *t, k_thd_o *th)
{
    sinv_args a;
    cos_err e = sinv_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    sinv_invoke(c, t, th, &a);
    return K_RET(COS_OK);
}

/* ---- the return ------------------------------------------------------------------- */

cos_ret k_inv_sret(k_core *c, k_thread *t, cos_word value)
{
    k_kernel *k = c->k;
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    k_step(c, K_P_RET);
    k_touch(c, t->obj + offsetof(k_thd_o, depth), 4, false);
    g_assert(th->depth > 0);   /* only the trampoline returns, after an upcall */
    uint64_t server = th->comp;
    th->depth--;
    k_touch(c, t->obj + offsetof(k_thd_o, inv) + th->depth * 8, 8, false);
    th->comp = th->inv[th->depth];
    th->inv[th->depth] = 0;
    k_touch(c, t->obj + offsetof(k_thd_o, depth), 4, true);
    k_obj_leave(c, server);     /* it ends now if it was kept only for the threads inside */
    k_pgtbl_switch(c, th->comp);
    k->st.returns++;
    k_trace(c, K_EV_SRET, t->id, K_OBJ(k, k_comp_o, th->comp)->id, th->depth, 0, 0);
    return (cos_ret){ .err = COS_OK, .r = { value } };
}

/* ---- SINV_ALLOC: an invocation of component a2's entry a3 -------------------------- */

cos_ret k_inv_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t page;
    cos_capid slot;
    k_slot comp;
    cos_err e = k_cap_alloc_decode(c, t, th, &page, &slot);
    if (e == COS_OK)
        e = k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_COMP, &comp);
    if (e)
        return K_RET(e);
    unsigned image = K_RD(c, k_comp_o, comp.obj, image);
    if (t->a[3] >= c->k->cfg.images[image]->nentries)
        return K_RET(COS_ERANGE);
    /* invoke: the sinv holds a reference on its server */
    k_sinv_o *o = k_obj_new(c, page, COS_CAP_SINV, 0, sizeof(k_sinv_o));
    o->comp = comp.obj;
    o->entry = (uint32_t)t->a[3];
    k_obj_ref(c, comp.obj);
    k_cap_put(c, th->comp, slot, COS_CAP_SINV, k_obj_addr(COS_CAP_SINV, page));
    return K_RET(COS_OK);
}
