/* components/implementation/tmrmgr/simple/tmrmgr_simple.h: the simple
 * timer manager's part of a composed system: what the booter tells it, and
 * its state (in its own memory).
 *
 * A component of its own whose memory holds a table of timers (one per
 * task: expiry, period, armed) and, per core, a binary heap of its armed
 * timers by expiry, invoked by tasks (arm) and by a timer thread per core
 * (expire): components/interface/tmrmgr.h.  It wakes a task
 * with a send to the task's endpoint.  Each timer thread is an app thread
 * above every task of its core: it sleeps, in the scheduler's state, until
 * the earliest timer of its core, invokes the manager to expire what is
 * due, and sleeps again. */
#pragma once

#include "components/lib/cos.h"
#include "components/lib/fail.h"
#include "components/implementation/app/workload/app.h"

typedef struct wl_tm_timer {
    uint64_t at, period;
    bool armed;
} wl_tm_timer;

typedef struct wl_tmrmgr {
    /* ---- the description ---------------------------------------------------- */
    bool used;                        /* some task uses timeout or tick (compose/run.c) */
    /* ---- given by the booter ---------------------------------------------------- */
    unsigned ncores, ntasks;
    uint64_t base;                    /* its memory: the table, the per-core earliest, the per-core heaps */
    /* ---- state and results ------------------------------------------------------- */
    cos_fail fail;
    uint64_t arms, expirations, wakeups;
    /* its arrays, after this header in its data block (wl_tmrmgr_block) */
    uint32_t *task_core;              /* [ntasks]: each task's core */
    cos_capid *asnd;                  /* [ntasks]: to task i's endpoint (0: it uses no timer) */
    wl_tm_timer *t;                   /* [ntasks] */
    uint32_t *hpos;                   /* [ntasks]: a task's place in its core's heap + 1 (0: not armed) */
    uint32_t *heap;                   /* [ntasks]: each core's heap of armed timers, from hoff[core] */
    uint32_t *due;                    /* [ntasks]: what an expiry wakes, each core's from hoff[core] */
    uint32_t *hoff;                   /* [ncores + 1]: where each core's part of heap and due starts */
    uint32_t *hn;                     /* [ncores]: armed timers in each core's heap */
    uint64_t *next;                   /* [ncores]: the earliest armed timer per core (0: none) */
} wl_tmrmgr;

/* Its memory: the table, a 32-byte row per task in whole pages, then the
 * per-core earliest (8 bytes a core), then the heaps (4 bytes a task);
 * where the parts start. */
static inline uint64_t wl_tmrmgr_next_off(unsigned ntasks)
{
    uint64_t rows = (uint64_t)ntasks * 32;
    return (rows + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE * COS_PAGE_SIZE;
}
static inline uint64_t wl_tmrmgr_heap_off(unsigned ntasks, unsigned ncores)
{
    return (wl_tmrmgr_next_off(ntasks) + (uint64_t)ncores * 8 + 63) & ~(uint64_t)63;
}
static inline uint64_t wl_tmrmgr_pages(unsigned ntasks, unsigned ncores)
{
    return (wl_tmrmgr_heap_off(ntasks, ncores) + (uint64_t)ntasks * 4 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
}

/* Its data block: this header, then its arrays.  Place them (in the block
 * at m), or with m NULL only size the block; returns its bytes. */
#define WL_TM_ARRAYS(X, nt, nc) X(task_core, nt) X(asnd, nt) X(t, nt) X(hpos, nt) X(heap, nt) X(due, nt) \
    X(hoff, (nc) + 1) X(hn, nc) X(next, nc)
static inline size_t wl_tmrmgr_block(wl_tmrmgr *m, unsigned ntasks, unsigned ncores)
{
    size_t off = (sizeof *m + 15) & ~(size_t)15;
#define WL_TM_PLACE(f, n)                                                                                              \
    if (m)                                                                                                             \
        m->f = (void *)((char *)m + off);                                                                              \
    off = (off + (size_t)(n) * sizeof *((wl_tmrmgr *)0)->f + 15) & ~(size_t)15;
    WL_TM_ARRAYS(WL_TM_PLACE, ntasks, ncores)
#undef WL_TM_PLACE
    return off;
}

/* Each core's part of the heaps, from its tasks (task_core filled). */
static inline void wl_tmrmgr_parts(wl_tmrmgr *m)
{
    for (unsigned c = 0; c <= m->ncores; c++)
        m->hoff[c] = 0;
    for (unsigned i = 0; i < m->ntasks; i++)
        m->hoff[m->task_core[i] + 1]++;
    for (unsigned c = 0; c < m->ncores; c++)
        m->hoff[c + 1] += m->hoff[c];
}

extern const cos_image cos_image_wl_timer;
