/* kernel/cap.c: capabilities and memory, the system calls (see cap.h).
 *
 * Each call is a decode, which looks everything up and checks it and may
 * refuse, then an invoke, which changes state and cannot fail: a refused
 * call changes nothing (tests/test_kernel_decode.c checks it, and so does
 * the fuzzer after every refusal).  The decoded arguments travel from one
 * to the other in a small struct, as seL4's decodeCNodeInvocation hands
 * invokeCNodeInsert what it found.
 */
#include "cap.h"

#include <string.h>
#include "obj.h"

static k_captbl comp_ct(k_core *c, uint64_t comp)
{
    return (k_captbl){ .root = K_RD(c, k_comp_o, comp, captbl) };
}

cos_err k_cap(k_core *c, uint64_t comp, cos_capid id, cos_cap_type type, k_slot *out)
{
    k_step(c, K_P_CAP);
    k_captbl ct = comp_ct(c, comp);
    cos_err e = k_ct_lookup(&c->k->mem, &ct, c->id, id, c->now, &c->cycles, out, NULL);
    if (e)
        return e;
    if (type != COS_CAP_FREE && out->type != type)
        return COS_ETYPE;
    return COS_OK;
}

cos_err k_cap_free_slot(k_core *c, uint64_t comp, cos_capid id)
{
    k_captbl ct = comp_ct(c, comp);
    return k_ct_check_free(&c->k->mem, &ct, c->id, id, c->now, &c->cycles);
}

void k_cap_put(k_core *c, uint64_t comp, cos_capid id, cos_cap_type type, uint64_t obj)
{
    k_captbl ct = comp_ct(c, comp);
    cos_err e = k_ct_activate(&c->k->mem, &ct, c->id, id, type, obj, c->now, &c->cycles);
    g_assert(e == COS_OK);
}

cos_err k_cap_kmem_page(k_core *c, uint64_t comp, cos_capid kmem, cos_word rel, uint64_t *paddr)
{
    k_slot s;
    K_TRY(k_cap(c, comp, kmem, COS_CAP_KMEM, &s));
    if (rel >= k_cap_kmem_pages(&s))
        return COS_ERANGE;
    *paddr = (k_cap_kmem_first(&s) + rel) * COS_PAGE_SIZE;
    return COS_OK;
}

cos_err k_cap_user_page(k_core *c, uint64_t comp, cos_capid kmem, cos_word rel, uint64_t *paddr)
{
    K_TRY(k_cap_kmem_page(c, comp, kmem, rel, paddr));
    return k_mem_type(&c->k->mem, *paddr) == K_PAGE_USER ? COS_OK : COS_ETYPE;
}

cos_err k_cap_alloc_decode(k_core *c, k_thread *t, k_thd_o *th, uint64_t *page, cos_capid *slot)
{
    K_TRY(k_cap_kmem_page(c, th->comp, t->cap, t->a[0], page));
    K_TRY(k_mem_check_unused_kernel(&c->k->mem, *page, c->now));
    *slot = (cos_capid)t->a[1];
    return k_cap_free_slot(c, th->comp, *slot);
}

/* Capabilities that hold a reference on their object (memory and hardware
 * capabilities name no object page). */
static bool counted(uint16_t type)
{
    return type != COS_CAP_KMEM && type != COS_CAP_HW;
}

/* ---- CAP_COPY: slot a0 of table `cap` gets a copy of capability a1 ---------- */

typedef struct copy_args {
    k_captbl ct;
    cos_capid slot;
    k_slot src;
} copy_args;

static cos_err copy_decode(k_core *c, k_thread *t, k_thd_o *th, copy_args *a)
{
    k_slot dst;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_CAPTBL, &dst));
    K_TRY(k_cap(c, th->comp, (cos_capid)t->a[1], COS_CAP_FREE, &a->src));
    a->ct = (k_captbl){ .root = dst.obj };
    a->slot = (cos_capid)t->a[0];
    return k_ct_check_free(&c->k->mem, &a->ct, c->id, a->slot, c->now, &c->cycles);
}

static void copy_invoke(k_core *c, const copy_args *a)
{
    cos_err e = k_ct_activate(&c->k->mem, &a->ct, c->id, a->slot, a->src.type, a->src.obj, c->now, &c->cycles);
    g_assert(e == COS_OK);
    if (counted(a->src.type))
        k_obj_ref(c, a->src.obj);
}

cos_ret k_cap_copy(k_core *c, k_thread *t, k_thd_o *th)
{
    copy_args a;
    cos_err e = copy_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    copy_invoke(c, &a);
    return K_RET(COS_OK);
}

/* ---- CAP_REMOVE: slot a0 of table `cap` ------------------------------------- */

typedef struct remove_args {
    k_captbl ct;
    cos_capid slot;
    k_slot s;
} remove_args;

static cos_err remove_decode(k_core *c, k_thread *t, k_thd_o *th, remove_args *a)
{
    k_kernel *k = c->k;
    k_slot cts;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_CAPTBL, &cts));
    a->ct = (k_captbl){ .root = cts.obj };
    a->slot = (cos_capid)t->a[0];
    K_TRY(k_ct_lookup(&k->mem, &a->ct, c->id, a->slot, c->now, &c->cycles, &a->s, NULL));
    if (counted(a->s.type) && k_mem_refs(&k->mem, a->s.obj & ~(uint64_t)(COS_PAGE_SIZE - 1)) == 1) {
        /* the last reference: the object ends; not while threads run in a
         * component, nor while a core runs the thread */
        if (a->s.type == COS_CAP_COMP && K_RD(c, k_comp_o, a->s.obj, active))
            return COS_EBUSY;
        if (a->s.type == COS_CAP_THREAD) {
            /* not a thread some core is running (its per-core variable;
             * another core's is a shared line, charged as such) */
            unsigned core = K_RD(c, k_hdr, a->s.obj, core);
            k_touch(c, k->core[core].page, 8, false);
            if (K_OBJ(k, k_core_o, k->core[core].page)->cur_thd == a->s.obj)
                return COS_EBUSY;
        }
    }
    return COS_OK;
}

static void remove_invoke(k_core *c, const remove_args *a)
{
    cos_err e = k_ct_deactivate(&c->k->mem, &a->ct, c->id, a->slot, (cos_cap_type)a->s.type, c->now, &c->cycles);
    g_assert(e == COS_OK);
    if (counted(a->s.type))
        k_obj_unref(c, a->s.obj);
}

cos_ret k_cap_remove(k_core *c, k_thread *t, k_thd_o *th)
{
    remove_args a;
    cos_err e = remove_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    remove_invoke(c, &a);
    return K_RET(COS_OK);
}

/* ---- CAPTBL_EXPAND: level-1 entry a0 of table `cap` gets kmem a1's page a2 --- */

typedef struct expand_args {
    k_captbl ct;
    uint32_t index;
    uint64_t page;
} expand_args;

static cos_err expand_decode(k_core *c, k_thread *t, k_thd_o *th, expand_args *a)
{
    k_slot ct;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_CAPTBL, &ct));
    K_TRY(k_cap_kmem_page(c, th->comp, (cos_capid)t->a[1], t->a[2], &a->page));
    a->ct = (k_captbl){ .root = ct.obj };
    a->index = (uint32_t)MIN(t->a[0], (cos_word)UINT32_MAX);
    return k_ct_expand_check(&c->k->mem, &a->ct, c->id, a->index, a->page, c->now, &c->cycles);
}

cos_ret k_cap_expand(k_core *c, k_thread *t, k_thd_o *th)
{
    expand_args a;
    cos_err e = expand_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    k_ct_expand_apply(&c->k->mem, &a.ct, c->id, a.index, a.page, c->now, &c->cycles);
    return K_RET(COS_OK);
}

/* ---- CAPTBL_ALLOC: a new table in kmem `cap`'s page a0, at slot a1 ----------- */

cos_ret k_cap_captbl_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t page;
    cos_capid slot;
    cos_err e = k_cap_alloc_decode(c, t, th, &page, &slot);
    if (e)
        return K_RET(e);
    /* invoke: the page was found unused, so the table can be made */
    k_captbl ct;
    e = k_ct_create(&c->k->mem, c->id, page, c->now, &c->cycles, &ct);
    g_assert(e == COS_OK);
    k_cap_put(c, th->comp, slot, COS_CAP_CAPTBL, page);
    return K_RET(COS_OK);
}

/* ---- KMEM_NARROW: table a0's slot a1 gets pages [a2, a2 + a3) of kmem `cap` --- */

typedef struct narrow_args {
    k_captbl ct;
    cos_capid slot;
    uint64_t range;     /* packed (k_cap_kmem_pack) */
} narrow_args;

static cos_err narrow_decode(k_core *c, k_thread *t, k_thd_o *th, narrow_args *a)
{
    k_slot km, dst;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_KMEM, &km));
    K_TRY(k_cap(c, th->comp, (cos_capid)t->a[0], COS_CAP_CAPTBL, &dst));
    uint64_t first = t->a[2], n = t->a[3];
    if (n == 0 || first >= k_cap_kmem_pages(&km) || n > k_cap_kmem_pages(&km) - first)
        return COS_ERANGE;
    a->ct = (k_captbl){ .root = dst.obj };
    a->slot = (cos_capid)t->a[1];
    a->range = k_cap_kmem_pack(k_cap_kmem_first(&km) + first, n);
    return k_ct_check_free(&c->k->mem, &a->ct, c->id, a->slot, c->now, &c->cycles);
}

cos_ret k_cap_narrow(k_core *c, k_thread *t, k_thd_o *th)
{
    narrow_args a;
    cos_err e = narrow_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    e = k_ct_activate(&c->k->mem, &a.ct, c->id, a.slot, COS_CAP_KMEM, a.range, c->now, &c->cycles);
    g_assert(e == COS_OK);
    return K_RET(COS_OK);
}

/* ---- KMEM_INFO: where kmem `cap`'s pages are ---------------------------------- */

cos_ret k_cap_info(k_core *c, k_thread *t, k_thd_o *th)
{
    k_slot km;
    cos_err e = k_cap(c, th->comp, t->cap, COS_CAP_KMEM, &km);
    if (e)
        return K_RET(e);
    return (cos_ret){ .err = COS_OK, .r = { k_cap_kmem_first(&km) * COS_PAGE_SIZE, k_cap_kmem_pages(&km) } };
}

/* ---- KMEM_RETYPE: kmem `cap`'s page a0 from type a1 to a2 --------------------- */

typedef struct retype_args {
    uint64_t page;
    k_page_type to;
} retype_args;

static cos_err retype_decode(k_core *c, k_thread *t, k_thd_o *th, retype_args *a)
{
    K_TRY(k_cap_kmem_page(c, th->comp, t->cap, t->a[0], &a->page));
    if (t->a[1] > COS_MEM_USER || t->a[2] > COS_MEM_USER)
        return COS_EINVAL;
    a->to = (k_page_type)t->a[2];
    return k_mem_retype_check(&c->k->mem, c->id, a->page, (k_page_type)t->a[1], a->to, c->now, &c->cycles);
}

static void retype_invoke(k_core *c, const retype_args *a)
{
    k_mem_retype_apply(&c->k->mem, c->id, a->page, a->to, c->now, &c->cycles);
    if (a->to != K_PAGE_UNTYPED) {
        memset(k_ram(c->k, a->page), 0, COS_PAGE_SIZE);   /* new memory reads as zeros */
        k_touch(c, a->page, COS_PAGE_SIZE, true);
    }
}

cos_ret k_cap_retype(k_core *c, k_thread *t, k_thd_o *th)
{
    retype_args a;
    cos_err e = retype_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    retype_invoke(c, &a);
    return K_RET(COS_OK);
}
