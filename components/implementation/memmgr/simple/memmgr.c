/* components/implementation/memmgr/simple/memmgr.c: the memory manager:
 * pages from its pool retyped to user memory and mapped into a task's heap
 * window, given back or revoked (unmapped, with TLB shootdowns), and reused
 * only after quiescence (components/interface/memmgr.h). */
#include "components/implementation/wl.h"    /* wl_memmgr_self, until step 2 */
#include "components/interface/memmgr.h"

enum { MM_FRESH = 0, MM_TAKEN, MM_MAPPED, MM_FREED };

/* ---- the memory manager component ------------------------------------------------------ */

/* Its memory: a 16-byte record per pool page, the queue of freed pages
 * (2 bytes each), each heap's list of pages (2 bytes each). */
static uint64_t mm_rec(const wl_memmgr *m, unsigned p)
{
    return m->base + (uint64_t)p * 16;
}

static uint64_t mm_qent(const wl_memmgr *m, unsigned i)
{
    return m->base + WL_MM_POOL * 16 + (uint64_t)(i % WL_MM_POOL) * 2;
}

static uint64_t mm_list(const wl_memmgr *m, unsigned h, unsigned k)
{
    return m->base + WL_MM_POOL * 18 + ((uint64_t)h * WL_HEAP_PAGES + k) * 2;
}

/* One page for heap h (whose call the caller holds): a never-used page,
 * else the page freed longest ago, whose retype back to untyped the
 * kernel allows only after quiescence (refused: it goes back to the
 * queue's head, and nothing is younger).  Each decision is made between
 * two calls, so no other thread of the manager runs in the middle. */
static bool mm_alloc_one(wl_memmgr *m, unsigned h)
{
    unsigned p, k = m->held[h];
    bool reuse = false;
    if (k >= m->quota || k >= WL_HEAP_PAGES)
        return false;
    if (m->fresh < m->pages) {
        p = m->fresh++;
    } else if (m->head != m->tail) {
        p = m->fifo[m->head++ % WL_MM_POOL];
        reuse = true;
    } else {
        return false;
    }
    m->state[p] = MM_TAKEN;
    cos_instructions(WL_MM_PAGE);
    if (reuse) {
        cos_touch(mm_qent(m, m->head - 1), 2, false);
        cos_err e = cos_kmem_retype(m->kmem, p, COS_MEM_USER, COS_MEM_UNTYPED);
        if (e == COS_EQUIESCE) {
            m->fifo[--m->head % WL_MM_POOL] = (uint16_t)p;
            m->state[p] = MM_FREED;
            m->reuse_waits++;
            return false;
        }
        if (e) {
            COS_FAIL(&m->fail, e);
            return false;
        }
    }
    cos_err e = cos_kmem_retype(m->kmem, p, COS_MEM_UNTYPED, COS_MEM_USER);
    if (e == COS_OK)
        e = cos_pgtbl_map(m->pgtbl, wl_heap_va(m->heap_base, h, k), m->kmem, p, COS_MAP_WRITE);
    if (e) {
        COS_FAIL(&m->fail, e);
        return false;
    }
    m->page[h][k] = (uint16_t)p;
    m->held[h] = k + 1;
    m->state[p] = MM_MAPPED;
    m->allocated++;
    cos_touch(mm_rec(m, p), 16, true);
    cos_touch(mm_list(m, h, k), 2, true);
    return true;
}

/* Unmap heap h's last page and queue it. */
static void mm_free_one(wl_memmgr *m, unsigned h)
{
    unsigned k = m->held[h] - 1, p = m->page[h][k];
    cos_instructions(WL_MM_PAGE);
    cos_touch(mm_list(m, h, k), 2, false);
    cos_ret r;
    while ((r = cos_pgtbl_unmap(m->pgtbl, wl_heap_va(m->heap_base, h, k))).err == COS_EBUSY) {
        m->unmap_retries++;
        cos_compute(WL_MM_RETRY);
    }
    if (r.err) {
        COS_FAIL(&m->fail, r.err);
        return;
    }
    m->shootdowns += r.r[0];
    m->held[h] = k;
    m->state[p] = MM_FREED;
    m->fifo[m->tail++ % WL_MM_POOL] = (uint16_t)p;
    cos_touch(mm_rec(m, p), 16, true);
    cos_touch(mm_qent(m, m->tail - 1), 2, true);
}

static unsigned mm_revoke(wl_memmgr *m, unsigned h)
{
    unsigned n = m->held[h];
    while (m->held[h])
        mm_free_one(m, h);
    m->revoked += n;
    m->revocations++;
    return n;
}

/* MM_ALLOC (task, n), MM_FREE (task, n; 0: all), MM_REVOKE (task): the
 * pages given, freed or revoked.  One call at a time per heap: a call that
 * finds the heap's call in progress (its owner preempted, or on another
 * core) does nothing, except that a revocation is left to that call,
 * which carries it out before it returns. */
static cos_word mm_serve(cos_thdid caller, cos_word op, cos_word task, cos_word n, cos_word a3)
{
    (void)caller, (void)a3;
    wl_memmgr *m = wl_memmgr_self();
    if (m == NULL || task >= m->ntasks || m->heap_of[task] == 0 || op > MM_REVOKE)
        return 0;
    unsigned h = m->heap_of[task] - 1;
    if (m->busy[h]) {
        if (op == MM_REVOKE)
            m->revoke[h] = true;
        else if (op == MM_ALLOC)
            m->denied += n;
        cos_instructions(WL_MM_BASE);
        return 0;
    }
    m->busy[h] = true;
    cos_instructions(WL_MM_BASE);
    unsigned done = 0;
    if (op == MM_ALLOC) {
        while (done < n && mm_alloc_one(m, h))
            done++;
        m->denied += n - done;
    } else if (op == MM_FREE) {
        unsigned want = n && n < m->held[h] ? (unsigned)n : m->held[h];
        for (; done < want; done++)
            mm_free_one(m, h);
        m->freed += done;
    } else {
        done = mm_revoke(m, h);
    }
    while (m->revoke[h]) {
        m->revoke[h] = false;
        mm_revoke(m, h);
    }
    m->busy[h] = false;
    return done;
}

static const cos_entry_fn mem_entries[] = { mm_serve };
const cos_image cos_image_wl_mem = { "wl-mem", mem_entries, 1 };
