/* kernel/comp.c: components (see comp.h). */
#include "comp.h"

#include "cap.h"
#include "obj.h"

uint64_t k_comp_init(k_core *c, uint64_t page, uint64_t captbl, uint64_t pgtbl, unsigned image)
{
    k_comp_o *o = k_obj_new(c, page, COS_CAP_COMP, 0, sizeof(k_comp_o));
    o->image = image;
    o->id = ++c->k->next_comp_id;
    o->captbl = captbl;
    o->pgtbl = pgtbl;
    k_obj_ref(c, captbl);
    k_obj_ref(c, pgtbl);
    return k_obj_addr(COS_CAP_COMP, page);
}

/* ---- COMP_ALLOC: table a2, domain a3, image a4 ----------------------------------- */

typedef struct comp_args {
    uint64_t page;
    cos_capid slot;
    uint64_t captbl, pgtbl;
    unsigned image;
} comp_args;

static cos_err comp_decode(k_core *c, k_thread *t, k_thd_o *th, comp_args *a)
{
    k_slot ct, pt;
    K_TRY(k_cap_alloc_decode(c, t, th, &a->page, &a->slot));
    K_TRY(k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_CAPTBL, &ct));
    K_TRY(k_cap(c, th->comp, (cos_capid)t->a[3], COS_CAP_PGTBL, &pt));
    if (t->a[4] >= c->k->cfg.nimages)
        return COS_ERANGE;
    a->captbl = ct.obj;
    a->pgtbl = pt.obj;
    a->image = (unsigned)t->a[4];
    return COS_OK;
}

cos_ret k_comp_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    comp_args a;
    cos_err e = comp_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    uint64_t comp = k_comp_init(c, a.page, a.captbl, a.pgtbl, a.image);
    k_cap_put(c, th->comp, a.slot, COS_CAP_COMP, comp);
    return (cos_ret){ .err = COS_OK, .r = { K_OBJ(c->k, k_comp_o, comp)->id } };
}
