/* kernel/obj.c: kernel objects' lives: made, counted, ended (see obj.h).
 *
 * Invariant (check.c, rule 3): a page's count is at least the references
 * to it.  An object's end is bounded: it drops its own references, and a
 * thread some core still runs, or the tcap it runs under, is kept alive
 * (leaked) rather than freed under it.  Capability tables and page tables do not cascade (they keep
 * what their slots and pools hold: docs/kernel-design.md).
 */
#include "obj.h"

#include <string.h>

void *k_obj_new(k_core *c, uint64_t page, cos_cap_type type, unsigned core, size_t size)
{
    g_assert(size <= K_OBJ_MAX);
    k_obj_ref(c, page);         /* the capability about to name it */
    k_mem_set_kind(&c->k->mem, page, type);
    memset(k_ram(c->k, page), 0, COS_PAGE_SIZE);
    uint64_t obj = k_obj_addr(type, page);
    void *o = k_ram(c->k, obj);
    k_touch(c, obj, size, true);
    ((k_hdr *)o)->type = type;
    ((k_hdr *)o)->core = core;
    return o;
}

void k_obj_ref(k_core *c, uint64_t obj)
{
    cos_err e = k_mem_get(&c->k->mem, c->id, obj & ~(uint64_t)(COS_PAGE_SIZE - 1), c->now + hw_ps(c->k->h, c->cycles),
                          &c->cycles);
    g_assert(e == COS_OK);
}

/* The references an object holds, dropped when it ends. */
static void release(k_core *c, uint64_t obj, unsigned kind)
{
    k_kernel *k = c->k;
    switch (kind) {
    case COS_CAP_COMP: {
        k_comp_o *o = K_OBJ(k, k_comp_o, obj);
        k_touch(c, obj, sizeof *o, false);
        uint64_t ct = o->captbl, pt = o->pgtbl;
        o->captbl = o->pgtbl = 0;
        k_obj_unref(c, ct);
        k_obj_unref(c, pt);
        break;
    }
    case COS_CAP_THREAD: {
        k_thd_o *o = K_OBJ(k, k_thd_o, obj);
        if (K_OBJ(k, k_core_o, k->core[o->h.core].page)->cur_thd == obj) {
            /* its last reference went (e.g. with its rcv) while a core runs
             * it: it keeps running, unreachable, on a reference nobody will
             * drop (a leak the kernel accepts rather than free a running
             * thread) */
            k_obj_ref(c, obj);
            k_mem_set_kind(&k->mem, obj & ~(uint64_t)(COS_PAGE_SIZE - 1), COS_CAP_THREAD);
            break;
        }
        k_touch(c, obj, sizeof *o, true);
        /* a thread ends only when nothing refers to it: not current, not
         * queued for its scheduler, not owning a live rcv */
        /* the servers it was inside: inv[1..depth-1] and comp */
        for (uint32_t i = 1; i < o->depth; i++) {
            uint64_t comp = o->inv[i];
            K_OBJ(k, k_comp_o, comp)->active--;
            k_touch(c, comp + offsetof(k_comp_o, active), 8, true);
        }
        if (o->depth) {
            K_OBJ(k, k_comp_o, o->comp)->active--;
            k_touch(c, o->comp + offsetof(k_comp_o, active), 8, true);
        }
        o->depth = 0;
        o->state = K_THD_EXITED;
        k_thread_of(k, obj)->obj = 0;     /* the host record outlives it, dead */
        uint64_t home = o->home, sched = o->sched, tcap = o->tcap;
        o->home = o->sched = o->tcap = o->comp = 0;
        k_obj_unref(c, home);
        if (sched)
            k_obj_unref(c, sched);
        if (tcap)
            k_obj_unref(c, tcap);
        break;
    }
    case COS_CAP_SINV: {
        k_sinv_o *o = K_OBJ(k, k_sinv_o, obj);
        uint64_t comp = o->comp;
        o->comp = 0;
        k_obj_unref(c, comp);
        break;
    }
    case COS_CAP_RCV: {
        k_rcv_o *o = K_OBJ(k, k_rcv_o, obj);
        k_touch(c, obj, sizeof *o, true);
        uint64_t thd = o->thd, tcap = o->tcap, parent = o->parent;
        o->thd = o->tcap = o->parent = 0;
        K_OBJ(k, k_thd_o, thd)->rcv = 0;
        k_obj_unref(c, thd);
        if (tcap)
            k_obj_unref(c, tcap);
        if (parent)
            k_obj_unref(c, parent);
        break;
    }
    case COS_CAP_ASND: {
        k_asnd_o *o = K_OBJ(k, k_asnd_o, obj);
        uint64_t rcv = o->rcv;
        o->rcv = 0;
        k_obj_unref(c, rcv);
        break;
    }
    case COS_CAP_TCAP:
        /* a tcap holds no references; but the one its core runs under is
         * read and charged on every path there (k_tcap_account), and the
         * per-core variable holds no reference (thd.c): kept alive on one
         * nobody will drop, as a running thread is */
        if (K_OBJ(k, k_core_o, k->core[K_OBJ(k, k_hdr, obj)->core].page)->cur_tcap == obj) {
            k_obj_ref(c, obj);
            k_mem_set_kind(&k->mem, obj & ~(uint64_t)(COS_PAGE_SIZE - 1), COS_CAP_TCAP);
        }
        break;
    default:    /* page tables, capability tables: nothing counted */
        break;
    }
}

void k_obj_unref(k_core *c, uint64_t obj)
{
    k_kernel *k = c->k;
    uint64_t page = obj & ~(uint64_t)(COS_PAGE_SIZE - 1);
    unsigned kind = k_mem_kind(&k->mem, page);
    cos_err e = k_mem_put(&k->mem, c->id, page, c->now + hw_ps(k->h, c->cycles), &c->cycles);
    g_assert(e == COS_OK);
    if (k_mem_refs(&k->mem, page) == 0 && kind && obj == k_obj_addr(kind, page))
        release(c, obj, kind);
}
