/* kernel/obj.c: kernel objects' lives: made, counted, ended (see obj.h).
 *
 * Invariant (check.c, rule 3): a page's count is at least the references
 * to it.  An object's end is bounded: it drops its own references (a
 * thread's invocation stack is 16 deep; an rcv's event list holds at most
 * its owner), and what a thread or a core is still inside, running or
 * waiting on is kept, or taken with it, rather than freed under it
 * (obj.h).  Capability tables and page tables do not cascade (they keep
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

/* Keep obj, whose last reference just went, alive on a reference that
 * stands for what still uses it (its kind back in its page's entry). */
static void keep(k_core *c, uint64_t obj, unsigned kind)
{
    k_obj_ref(c, obj);
    k_mem_set_kind(&c->k->mem, obj & ~(uint64_t)(COS_PAGE_SIZE - 1), kind);
}

/* Sends to rcv still in flight, in the rings to its core (xcore.c): they
 * go with it (a free entry reads 0; the drain skips it).  A ring is read
 * by its core and written by its source: here, at an rcv's end only. */
static void drop_sends(k_core *c, uint64_t rcv)
{
    k_kernel *k = c->k;
    const k_core *d = &k->core[K_OBJ(k, k_hdr, rcv)->core];
    for (unsigned src = 0; src < k->ncores; src++) {
        uint64_t ring = d->ring + (uint64_t)src * sizeof(k_ring);
        k_ring *rg = K_OBJ(k, k_ring, ring);
        k_touch(c, ring, sizeof *rg, false);
        for (uint32_t i = rg->head; i != rg->tail; i++) {
            if (rg->rcv[i % K_RING_SLOTS] != rcv)
                continue;
            rg->rcv[i % K_RING_SLOTS] = 0;
            k_touch(c, ring + offsetof(k_ring, rcv) + (i % K_RING_SLOTS) * 8, 8, true);
            k->st.dropped_sends++;
        }
    }
}

/* The references an object holds, dropped when it ends. */
static void release(k_core *c, uint64_t obj, unsigned kind)
{
    k_kernel *k = c->k;
    switch (kind) {
    case COS_CAP_COMP: {
        k_comp_o *o = K_OBJ(k, k_comp_o, obj);
        k_touch(c, obj, sizeof *o, false);
        if (o->active) {
            /* threads are inside (it is on their invocation stacks): kept
             * for them, with its table and domain, until the last leaves
             * (k_obj_leave).  Nothing can name it again: no capability,
             * sinv or thread refers to it any more */
            keep(c, obj, COS_CAP_COMP);
            k_touch(c, obj + offsetof(k_comp_o, kept), 4, true);
            o->kept = 1;
            k->st.kept_comps++;
            break;
        }
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
            keep(c, obj, COS_CAP_THREAD);
            k->st.kept_thds++;
            break;
        }
        k_touch(c, obj, sizeof *o, true);
        /* a thread ends only when nothing refers to it: not current, not
         * queued for its scheduler, not owning a live rcv.  It leaves the
         * servers it was inside: inv[1..depth-1] and comp */
        uint64_t inside[COS_INV_DEPTH];
        unsigned n = 0;
        for (uint32_t i = 1; i < o->depth; i++)
            inside[n++] = o->inv[i];
        if (o->depth)
            inside[n++] = o->comp;
        o->depth = 0;
        o->state = K_THD_EXITED;
        o->blocked_on = 0;
        k_thread_of(k, obj)->obj = 0;     /* the host record outlives it, dead */
        uint64_t home = o->home, sched = o->sched, tcap = o->tcap;
        o->home = o->sched = o->tcap = o->comp = 0;
        for (unsigned i = 0; i < n; i++)
            k_obj_leave(c, inside[i]);
        k_obj_unref(c, home);
        if (sched)
            k_obj_unref(c, sched);
        if (tcap)
            k_obj_unref(c, tcap);
        break;
    }
    case COS_CAP_SINV: {
        /* nothing reads a sinv after its invocation (the return goes by
         * the thread's invocation stack): it may end while threads that
         * came through it are inside its server, which keeps itself */
        k_sinv_o *o = K_OBJ(k, k_sinv_o, obj);
        uint64_t comp = o->comp;
        o->comp = 0;
        k_obj_unref(c, comp);
        break;
    }
    case COS_CAP_RCV: {
        k_rcv_o *o = K_OBJ(k, k_rcv_o, obj);
        if (obj == k->core[o->h.core].root_rcv) {
            /* a core's root scheduler rcv: the core reads it whenever a
             * thread stops (k_thd_sched_next) and arms its timer from it,
             * holding no reference: kept for the core, as a running
             * thread is */
            keep(c, obj, COS_CAP_RCV);
            k->st.kept_roots++;
            break;
        }
        k_touch(c, obj, sizeof *o, true);
        uint64_t thd = o->thd, tcap = o->tcap, parent = o->parent;
        k_thd_o *to = K_OBJ(k, k_thd_o, thd);
        /* its owner's wait ends with it.  Nothing can send to it or queue
         * an event for it any more (no capability, asnd, interrupt line,
         * child rcv or thread refers to it), so a waiting owner could
         * never wake: it stays blocked, on nothing, until it ends */
        k_touch(c, thd, 64, false);
        if ((to->state == K_THD_BLOCKED_RCV || to->state == K_THD_BLOCKED_SCHED) && to->blocked_on == obj) {
            K_WR(c, k_thd_o, thd, blocked_on, 0);
            k->st.ended_waits++;
        }
        drop_sends(c, obj);
        /* events still queued for it: only for threads whose scheduler it
         * is not (its owner's own timeout): they leave the list */
        for (uint64_t x = o->ev_head; x;) {
            k_thd_o *xo = K_OBJ(k, k_thd_o, x);
            k_touch(c, x + offsetof(k_thd_o, ev_next), 24, true);
            uint64_t nx = xo->ev_next;
            xo->ev_next = 0;
            xo->ev_queued = 0;
            xo->ev_flags = 0;
            k_obj_unref(c, x);
            x = nx;
        }
        o->ev_head = o->ev_tail = 0;
        o->thd = o->tcap = o->parent = 0;
        to->rcv = 0;
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
            keep(c, obj, COS_CAP_TCAP);
            k->st.kept_tcaps++;
        }
        break;
    case COS_CAP_PGTBL:
        /* no longer a core's loaded domain, nor the owner of its ASID's
         * TLB entries there: a domain made later in its page must be
         * loaded, not taken for this one (k_pgtbl_switch and pt_load
         * compare addresses).  Host records of what the hardware holds;
         * its pool pages it keeps (no cascade) */
        for (unsigned i = 0; i < k->ncores; i++)
            if (k->core[i].pd == obj)
                k->core[i].pd = 0;
        for (size_t i = 0; k->asid_owner && i < (size_t)k->ncores * k->nasids; i++)
            if (k->asid_owner[i] == obj)
                k->asid_owner[i] = 0;
        break;
    default:    /* capability tables: nothing counted */
        break;
    }
}

void k_obj_leave(k_core *c, uint64_t comp)
{
    k_comp_o *o = K_OBJ(c->k, k_comp_o, comp);
    o->active--;
    k_touch(c, comp + offsetof(k_comp_o, active), 8, true);     /* active and kept */
    if (o->active == 0 && o->kept) {
        /* the last thread inside has left a component kept for it */
        o->kept = 0;
        k_obj_unref(c, comp);
    }
}

bool k_obj_live(k_core *c, uint64_t obj, unsigned type)
{
    k_kernel *k = c->k;
    uint64_t page = obj & ~(uint64_t)(COS_PAGE_SIZE - 1);
    if (obj == 0 || obj != k_obj_addr(type, page))
        return false;
    /* the retype check reads the entry (charged) and says EBUSY for a
     * page with references; the kind is in the same entry */
    cos_err e = k_mem_retype_check(&k->mem, c->id, page, K_PAGE_KERNEL, K_PAGE_UNTYPED, c->now, &c->cycles);
    return e == COS_EBUSY && k_mem_kind(&k->mem, page) == type;
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
