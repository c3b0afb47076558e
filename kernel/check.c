/* kernel/check.c: the kernel's invariants, all in one function.
 *
 * k_check walks every kernel object (kernel pages whose kind is an object
 * type) and every capability table reachable from a component, and checks:
 *
 *  1. memory: the retype table is consistent (k_mem_verify);
 *  2. every capability slot of a live table holds a valid type; a slot that
 *     names an object names a live kernel page holding an object of that
 *     type; a KMEM capability's range lies inside physical memory;
 *  3. reference counts: every object page's count is at least the number
 *     of capabilities and object fields that point to it (so nothing that
 *     is still named can be freed); user pages are counted by mappings;
 *  4. threads: id matches the host record; state is valid; invocation depth
 *     within COS_INV_DEPTH and every entry and the current component are
 *     live components; a blocked thread's rcv is its own (or, blocked for
 *     events, a scheduler rcv it owns), or none when that rcv ended (it
 *     waits for good); a thread is on at most one event list, and
 *     ev_queued says whether it is;
 *  5. each core runs at most one thread, a thread that is runnable and on
 *     that core; the current tcap is live; its root rcv is a live rcv of
 *     that core; its loaded domain is a live page table (or none), and so
 *     is every table its ASIDs' TLB entries belong to; every send in
 *     flight to it names a live rcv of that core;
 *  6. rcvs: owner is a live thread whose rcv points back; parent chain
 *     acyclic and depth consistent; event lists well formed (no cycles,
 *     tail is the last);
 *  7. tcaps: delegation count within COS_TCAP_DELEGS; no scheduler twice;
 *     priorities in range;
 *  8. components: active counts equal the invocations in progress through
 *     them, over all threads; a component kept for the threads inside
 *     (its last reference gone: kernel/obj.c) has some, and nothing else
 *     names it;
 *  9. TLBs: no entry on any core translates to a page that is not user
 *     memory (an unmapped frame is retyped only after every core has taken
 *     its shootdown).
 *
 * No cost (it is the simulator checking, not the simulated kernel).  Its
 * host time grows with the pages in use, not with the machine's memory:
 * walks go through k_mem_next_typed, and the counts it gathers are keyed by
 * page in hash tables, not arrays of a slot per page.
 */
#include "internal.h"

#include <inttypes.h>
#include <string.h>

#define FAIL(...) do { g_warning("k_check: " __VA_ARGS__); goto out; } while (0)

/* Host bookkeeping, page number -> how many found; looked up by page, and
 * iterated only to find the lowest page that breaks a rule. */
typedef struct counts {
    GHashTable *refs;       /* references to the page */
    GHashTable *active;     /* invocations in progress through the component in the page */
} counts;

static void add(GHashTable *t, uint64_t paddr)
{
    gpointer key = GSIZE_TO_POINTER(paddr / COS_PAGE_SIZE);
    gsize v = GPOINTER_TO_SIZE(g_hash_table_lookup(t, key));
    g_hash_table_insert(t, key, GSIZE_TO_POINTER(v + 1));
}

static gsize found(GHashTable *t, uint64_t page)
{
    return GPOINTER_TO_SIZE(g_hash_table_lookup(t, GSIZE_TO_POINTER(page)));
}

static void count(counts *n, uint64_t paddr)
{
    add(n->refs, paddr);
}

static bool is_obj(k_kernel *k, uint64_t paddr, unsigned type)
{
    uint64_t page = paddr & ~(uint64_t)(COS_PAGE_SIZE - 1);
    if (paddr == 0 || paddr != k_obj_addr(type, page) || paddr >= k->mem.npages * COS_PAGE_SIZE)
        return false;
    return k_mem_type(&k->mem, paddr) == K_PAGE_KERNEL && k_mem_kind(&k->mem, paddr) == type
           && k_mem_refs(&k->mem, paddr) > 0;
}

#define CFAIL(...) do { g_warning("k_check: " __VA_ARGS__); return false; } while (0)
static bool check_captbl(k_kernel *k, counts *n, uint64_t root)
{
    const uint64_t *l1 = k_ram(k, root);
    for (unsigned i = 0; i < K_CT_L1; i++) {
        if (l1[i] == 0)
            continue;
        if (l1[i] % COS_PAGE_SIZE || k_mem_type(&k->mem, l1[i]) != K_PAGE_KERNEL)
            CFAIL("captbl %#" G_GINT64_MODIFIER "x: level-1 entry %u is not a kernel page", root, i);
        count(n, l1[i]);
        const k_slot *s = k_ram(k, l1[i]);
        for (unsigned j = 0; j < K_CT_L2; j++) {
            unsigned t = s[j].type;
            if (t == COS_CAP_FREE)
                continue;
            if (t >= COS_CAP_TYPES || t == COS_CAP_SRET)
                CFAIL("captbl %#" G_GINT64_MODIFIER "x slot %u: bad type %u", root, i * K_CT_L2 + j, t);
            if (t == COS_CAP_KMEM) {
                uint64_t first = s[j].obj >> 32, pages = s[j].obj & 0xFFFFFFFFu;
                if (pages == 0 || first + pages > k->mem.npages)
                    CFAIL("kmem capability outside memory");
                continue;
            }
            if (t == COS_CAP_HW) {
                if (s[j].obj != k->hwtbl)
                    CFAIL("hw capability names something else");
                continue;
            }
            if (!is_obj(k, s[j].obj, t))
                CFAIL("captbl %#" G_GINT64_MODIFIER "x slot %u: type %u names no live object of that type",
                     root, i * K_CT_L2 + j, t);
            count(n, s[j].obj);
        }
    }
    return true;
}

bool k_check(k_kernel *k)
{
    if (!k_mem_verify(&k->mem))
        return false;
    counts n = { g_hash_table_new(g_direct_hash, g_direct_equal), g_hash_table_new(g_direct_hash, g_direct_equal) };
    bool ok = false;
    GHashTable *queued = g_hash_table_new(g_direct_hash, g_direct_equal);
    uint64_t npages = k->mem.npages;
    uint64_t first = k->mem.table_pages * COS_PAGE_SIZE, end = npages * COS_PAGE_SIZE;
    /* objects */
    for (uint64_t pg = k_mem_next_typed(&k->mem, first); pg < end; pg = k_mem_next_typed(&k->mem, pg + COS_PAGE_SIZE)) {
        if (k_mem_type(&k->mem, pg) != K_PAGE_KERNEL || k_mem_refs(&k->mem, pg) == 0)
            continue;
        unsigned kind = k_mem_kind(&k->mem, pg);
        uint64_t a = k_obj_addr(kind, pg);
        switch (kind) {
        case COS_CAP_CAPTBL:
            if (!check_captbl(k, &n, a))
                goto out;
            break;
        case COS_CAP_COMP: {
            const k_comp_o *o = k_ram(k, a);
            if (!is_obj(k, o->captbl, COS_CAP_CAPTBL) || !is_obj(k, o->pgtbl, COS_CAP_PGTBL))
                FAIL("component %u: table or page table not live", o->id);
            if (o->image >= k->cfg.nimages)
                FAIL("component %u: image %u", o->id, o->image);
            if (o->kept > 1)
                FAIL("component %u: kept %u", o->id, o->kept);
            count(&n, o->captbl);
            count(&n, o->pgtbl);
            if (o->kept)
                count(&n, a);   /* the reference that stands for the threads inside */
            break;
        }
        case COS_CAP_PGTBL: {
            const k_pgtbl_o *o = k_ram(k, a);
            if (o->pool != pg || o->npages == 0 || o->next > pg + (uint64_t)o->npages * COS_PAGE_SIZE)
                FAIL("page table %#" G_GINT64_MODIFIER "x: pool", a);
            for (uint32_t i = 1; i < o->npages; i++)
                count(&n, pg + (uint64_t)i * COS_PAGE_SIZE);
            for (unsigned r = 0; r < HWMPU_MAX_REGIONS; r++)
                for (uint64_t i = 0; i < o->region_pages[r]; i++) {
                    uint64_t up = o->region_first[r] + i * COS_PAGE_SIZE;
                    if (k_mem_type(&k->mem, up) != K_PAGE_USER)
                        FAIL("MPU region %u maps a page that is not user memory", r);
                    count(&n, up);
                }
            if (!hw_pd_layout_ok(k->h, &o->mpu))
                FAIL("page table %#" G_GINT64_MODIFIER "x: MPU layout", a);
            /* where user code resumes: pages the table maps (unmap clears them) */
            uint64_t ignored;
            if (o->uva & ~(uint32_t)(K_UVA_CODE | K_UVA_STACK))
                FAIL("page table %#" G_GINT64_MODIFIER "x: uva %#x", a, o->uva);
            if ((o->uva & K_UVA_CODE) && !hw_pt_lookup(k->h, o->root, o->code_va, &ignored))
                FAIL("page table %#" G_GINT64_MODIFIER "x: its code page is not mapped", a);
            if ((o->uva & K_UVA_STACK) && !hw_pt_lookup(k->h, o->root, o->stack_va, &ignored))
                FAIL("page table %#" G_GINT64_MODIFIER "x: its stack page is not mapped", a);
            break;
        }
        case COS_CAP_THREAD: {
            const k_thd_o *o = k_ram(k, a);
            if (o->id < 1 || o->id > k->threads->len || ((k_thread *)g_ptr_array_index(k->threads, o->id - 1))->obj != a)
                FAIL("thread at %#" G_GINT64_MODIFIER "x: id %u has no host record", a, o->id);
            if (o->state > K_THD_EXITED)
                FAIL("thread %u: state %u", o->id, o->state);
            if (o->state != K_THD_EXITED) {
                if (o->depth > COS_INV_DEPTH)
                    FAIL("thread %u: invocation depth %u", o->id, o->depth);
                if (!is_obj(k, o->comp, COS_CAP_COMP) || !is_obj(k, o->home, COS_CAP_COMP))
                    FAIL("thread %u: component not live", o->id);
                for (uint32_t i = 0; i < o->depth; i++)
                    if (!is_obj(k, o->inv[i], COS_CAP_COMP))
                        FAIL("thread %u: invocation entry %u not a live component", o->id, i);
                for (uint32_t i = 1; i < o->depth; i++)
                    add(n.active, o->inv[i]);
                if (o->depth)
                    add(n.active, o->comp);
                if (o->depth == 0 && o->comp != o->home)
                    FAIL("thread %u: outside its home with nothing on its invocation stack", o->id);
            }
            if (o->state == K_THD_BLOCKED_RCV || o->state == K_THD_BLOCKED_SCHED) {
                uint64_t on = o->blocked_on;
                if (on && (!is_obj(k, on, COS_CAP_RCV) || K_OBJ(k, k_rcv_o, on)->thd != a))
                    FAIL("thread %u: blocked on an rcv it does not own, or that ended", o->id);
                if (o->blocked_on == 0 && o->rcv)
                    FAIL("thread %u: waiting on nothing, but it has an rcv", o->id);
            } else if (o->blocked_on) {
                FAIL("thread %u: not blocked, but waiting on an rcv", o->id);
            }
            if (o->home)
                count(&n, o->home);
            if (o->sched) {
                if (!is_obj(k, o->sched, COS_CAP_RCV))
                    FAIL("thread %u: scheduler rcv not live", o->id);
                count(&n, o->sched);
            }
            if (o->tcap) {
                if (!is_obj(k, o->tcap, COS_CAP_TCAP))
                    FAIL("thread %u: tcap not live", o->id);
                count(&n, o->tcap);
            }
            if (o->rcv && (!is_obj(k, o->rcv, COS_CAP_RCV) || K_OBJ(k, k_rcv_o, o->rcv)->thd != a))
                FAIL("thread %u: its rcv does not point back", o->id);
            break;
        }
        case COS_CAP_SINV: {
            const k_sinv_o *o = k_ram(k, a);
            if (!is_obj(k, o->comp, COS_CAP_COMP))
                FAIL("sinv %#" G_GINT64_MODIFIER "x: server not live", a);
            if (o->entry >= k->cfg.images[K_OBJ(k, k_comp_o, o->comp)->image]->nentries)
                FAIL("sinv %#" G_GINT64_MODIFIER "x: entry out of range", a);
            count(&n, o->comp);
            break;
        }
        case COS_CAP_RCV: {
            const k_rcv_o *o = k_ram(k, a);
            if (!is_obj(k, o->thd, COS_CAP_THREAD) || K_OBJ(k, k_thd_o, o->thd)->rcv != a)
                FAIL("rcv %#" G_GINT64_MODIFIER "x: owner does not point back", a);
            if (K_OBJ(k, k_thd_o, o->thd)->h.core != o->h.core)
                FAIL("rcv %#" G_GINT64_MODIFIER "x: on another core than its thread", a);
            count(&n, o->thd);
            if (o->tcap) {
                if (!is_obj(k, o->tcap, COS_CAP_TCAP))
                    FAIL("rcv %#" G_GINT64_MODIFIER "x: tcap not live", a);
                count(&n, o->tcap);
            }
            if (o->parent) {
                if (!is_obj(k, o->parent, COS_CAP_RCV) || K_OBJ(k, k_rcv_o, o->parent)->depth + 1 != o->depth)
                    FAIL("rcv %#" G_GINT64_MODIFIER "x: parent not live or depth wrong", a);
                count(&n, o->parent);
            } else if (o->depth) {
                FAIL("rcv %#" G_GINT64_MODIFIER "x: depth %u without a parent", a, o->depth);
            }
            /* the event list */
            uint64_t x = o->ev_head, last = 0;
            for (unsigned i = 0; x; i++) {
                if (i > k->threads->len || !is_obj(k, x, COS_CAP_THREAD))
                    FAIL("rcv %#" G_GINT64_MODIFIER "x: event list broken", a);
                const k_thd_o *t = k_ram(k, x);
                if (!t->ev_queued || g_hash_table_contains(queued, GSIZE_TO_POINTER(x)))
                    FAIL("thread %u on an event list twice, or not marked queued", t->id);
                g_hash_table_add(queued, GSIZE_TO_POINTER(x));
                count(&n, x);
                last = x;
                x = t->ev_next;
            }
            if (last != o->ev_tail)
                FAIL("rcv %#" G_GINT64_MODIFIER "x: tail is not the last thread", a);
            break;
        }
        case COS_CAP_ASND: {
            const k_asnd_o *o = k_ram(k, a);
            if (!is_obj(k, o->rcv, COS_CAP_RCV))
                FAIL("asnd %#" G_GINT64_MODIFIER "x: rcv not live", a);
            count(&n, o->rcv);
            break;
        }
        case COS_CAP_TCAP: {
            const k_tcap_o *o = k_ram(k, a);
            if (o->ndelegs > COS_TCAP_DELEGS)
                FAIL("tcap %#" G_GINT64_MODIFIER "x: %u delegations", a, o->ndelegs);
            for (uint32_t i = 0; i < o->ndelegs; i++) {
                if (o->deleg[i].prio < COS_PRIO_MAX || o->deleg[i].prio > COS_PRIO_MIN)
                    FAIL("tcap %#" G_GINT64_MODIFIER "x: priority %u", a, o->deleg[i].prio);
                for (uint32_t j = 0; j < i; j++)
                    if (o->deleg[i].sched == o->deleg[j].sched)
                        FAIL("tcap %#" G_GINT64_MODIFIER "x: a scheduler twice", a);
            }
            break;
        }
        default:
            break;
        }
    }
    /* threads marked queued are on a list */
    for (guint i = 0; i < k->threads->len; i++) {
        k_thread *t = g_ptr_array_index(k->threads, i);
        if (t->obj && K_OBJ(k, k_thd_o, t->obj)->ev_queued && !g_hash_table_contains(queued, GSIZE_TO_POINTER(t->obj)))
            FAIL("thread %u marked queued but on no list", t->id);
    }
    /* cores */
    for (unsigned i = 0; i < k->ncores; i++) {
        k_core *c = &k->core[i];
        const k_core_o *co = k_ram(k, c->page);
        uint64_t cur = c->cur ? c->cur->obj : 0;
        if (c->state == K_CORE_KERNEL && c->next != c->cur)
            FAIL("core %u: path not finished", i);
        if (co->cur_thd != cur)
            FAIL("core %u: per-core current thread disagrees", i);
        if (cur) {
            const k_thd_o *t = k_ram(k, cur);
            if (!is_obj(k, cur, COS_CAP_THREAD) || t->state != K_THD_RUNNABLE || t->h.core != i)
                FAIL("core %u: runs thread %u, which is not runnable here", i, t->id);
        }
        if (co->cur_tcap && !is_obj(k, co->cur_tcap, COS_CAP_TCAP))
            FAIL("core %u: current tcap not live", i);
        if (!is_obj(k, c->root_rcv, COS_CAP_RCV) || K_OBJ(k, k_hdr, c->root_rcv)->core != i)
            FAIL("core %u: root rcv not live", i);
        if (c->pd && !is_obj(k, c->pd, COS_CAP_PGTBL))
            FAIL("core %u: its loaded domain %#" G_GINT64_MODIFIER "x is not a live page table", i, c->pd);
        for (unsigned x = 0; k->asid_owner && x < k->nasids; x++) {
            uint64_t pt = k->asid_owner[(size_t)i * k->nasids + x];
            if (pt && !is_obj(k, pt, COS_CAP_PGTBL))
                FAIL("core %u: ASID %u's TLB entries belong to %#" G_GINT64_MODIFIER "x, not a live page table", i,
                     x, pt);
        }
        /* sends in flight to it (a shootdown has bit 0 set; 0 is a send
         * dropped with its rcv) */
        for (unsigned src = 0; src < k->ncores; src++) {
            const k_ring *rg = k_ram(k, c->ring + (uint64_t)src * sizeof(k_ring));
            if (rg->tail - rg->head > K_RING_SLOTS)
                FAIL("core %u: ring from core %u holds %u", i, src, rg->tail - rg->head);
            for (uint32_t x = rg->head; x != rg->tail; x++) {
                uint64_t w = rg->rcv[x % K_RING_SLOTS];
                if (w && !(w & 1) && (!is_obj(k, w, COS_CAP_RCV) || K_OBJ(k, k_hdr, w)->core != i))
                    FAIL("core %u: a send in flight from core %u to %#" G_GINT64_MODIFIER "x, not a live rcv here",
                         i, src, w);
            }
        }
    }
    /* interrupt bindings */
    for (unsigned l = 0; l < k->nlines; l++) {
        uint64_t r = ((const uint64_t *)k_ram(k, k->hwtbl))[l];
        if (r) {
            if (!is_obj(k, r, COS_CAP_RCV))
                FAIL("line %u bound to no live rcv", l);
            count(&n, r);
        }
    }
    /* reference counts and component activity: over the typed pages, then
     * any untyped page something points to (it counts none: the lowest is
     * reported, as a walk over every page would) */
    for (uint64_t a = k_mem_next_typed(&k->mem, first); a < end; a = k_mem_next_typed(&k->mem, a + COS_PAGE_SIZE)) {
        uint64_t p = a / COS_PAGE_SIZE;
        if (k_mem_refs(&k->mem, a) < found(n.refs, p))
            FAIL("page %#" G_GINT64_MODIFIER "x: %u references counted, %" G_GSIZE_FORMAT " found", a,
                 k_mem_refs(&k->mem, a), found(n.refs, p));
        uint64_t o = k_obj_addr(COS_CAP_COMP, a);
        if (k_mem_kind(&k->mem, a) != COS_CAP_COMP || k_mem_refs(&k->mem, a) == 0)
            continue;
        const k_comp_o *co = K_OBJ(k, k_comp_o, o);
        gsize refs = found(n.refs, p);
        if (co->active != found(n.active, p))
            FAIL("component %u: active %u, invocations in progress %" G_GSIZE_FORMAT, co->id, co->active,
                 found(n.active, p));
        if (co->kept && (co->active == 0 || refs != 1))
            FAIL("component %u: kept for the threads inside (%u), named by %" G_GSIZE_FORMAT " other references",
                 co->id, co->active, refs - 1);
    }
    uint64_t bad = npages;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, n.refs);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        uint64_t p = GPOINTER_TO_SIZE(key);
        if (p >= k->mem.table_pages && p < bad && k_mem_type(&k->mem, p * COS_PAGE_SIZE) == K_PAGE_UNTYPED)
            bad = p;
    }
    if (bad < npages)
        FAIL("page %#" G_GINT64_MODIFIER "x: %u references counted, %" G_GSIZE_FORMAT " found", bad * COS_PAGE_SIZE,
             0u, found(n.refs, bad));
    for (unsigned d = 0; d < k->h->cfg.cores; d++) {
        const hwtlb *tlb = k->h->core[d].tlb;
        if (tlb == NULL)
            continue;
        for (unsigned s = 0; s < tlb->sets * tlb->cfg.ways; s++) {
            const hwtlb_slot *e = &tlb->slot[s];
            if (e->valid && (e->e.pa >= npages * COS_PAGE_SIZE || k_mem_type(&k->mem, e->e.pa) != K_PAGE_USER))
                FAIL("core %u: a TLB entry for %#" PRIx64 " translates to %#" PRIx64 ", not user memory", d, e->e.va,
                     e->e.pa);
        }
    }
    ok = true;
out:
    g_hash_table_destroy(queued);
    g_hash_table_destroy(n.refs);
    g_hash_table_destroy(n.active);
    return ok;
}
