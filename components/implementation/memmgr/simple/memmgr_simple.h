/* components/implementation/memmgr/simple/memmgr_simple.h: the simple
 * memory manager's part of a composed system: what the booter tells it,
 * and its state (in its own memory).
 *
 * A component holding a kmem capability for a pool of `pages` physical
 * pages and the app component's page-table capability
 * (components/interface/memmgr.h).  A task asks it for pages (alloc), which
 * it retypes to user memory (the kernel zeroes them) and maps at the end of
 * the task's heap window; a task gives pages back (free), and any task may
 * revoke another's pages: the manager unmaps them (the kernel shoots down
 * the other cores' TLB entries) and queues them, oldest first, to be
 * retyped back to untyped, which the kernel allows only after the
 * quiescence period.  A page is reused only through that retype (never
 * remapped while a stale TLB entry may still reach it).  At most `quota`
 * pages per task.  The manager's records (a 16-byte record per page, the
 * queue, each task's page list) are its memory; it runs on the threads that
 * invoke it, several at once (tasks on other cores, a preempting task), so
 * each decision is taken between two calls, where no other thread can run. */
#pragma once

#include "components/lib/cos.h"
#include "components/lib/fail.h"
#include "components/implementation/app/workload/app.h"

#define WL_MM_POOL 256u        /* pages the memory manager may hold */

typedef struct wl_memmgr {
    /* ---- the description ---------------------------------------------------- */
    bool used;
    unsigned pages, quota;
    /* ---- given by the booter ---------------------------------------------------- */
    unsigned ntasks;
    uint32_t *heap_of;                /* [ntasks], after this header in its data block: 0 none; h + 1 heap window h */
    uint64_t base;                    /* its memory: the records */
    uint64_t heap_base;               /* where the heap windows start in the app's address space */
    cos_capid kmem, pgtbl;            /* its pool and the app's page table */
    /* ---- state and results ------------------------------------------------------- */
    cos_fail fail;
    uint8_t state[WL_MM_POOL];        /* each page: fresh (never used), taken, mapped, freed */
    uint16_t fifo[WL_MM_POOL];        /* freed pages, oldest first */
    unsigned head, tail, fresh;       /* the queue (free-running); the next never-used page */
    uint16_t page[WL_HEAPS][WL_HEAP_PAGES];   /* each heap's pages, in order */
    unsigned held[WL_HEAPS];
    bool busy[WL_HEAPS], revoke[WL_HEAPS];   /* a call on the heap in progress; a revocation deferred to it */
    uint64_t allocated, denied, freed, revoked, revocations;   /* pages; revocation calls */
    uint64_t shootdowns, reuse_waits, unmap_retries;
} wl_memmgr;

/* Its data block: this header, then heap_of.  Place it (in the block at
 * m), or with m NULL only size the block; returns its bytes. */
static inline size_t wl_memmgr_block(wl_memmgr *m, unsigned ntasks)
{
    size_t off = (sizeof *m + 15) & ~(size_t)15;
    if (m)
        m->heap_of = (uint32_t *)((char *)m + off);
    return off + (size_t)ntasks * sizeof(uint32_t);
}

extern const cos_image cos_image_wl_mem;
