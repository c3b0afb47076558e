/* components/implementation/wl.h: what the units of the app image share:
 * the app's threads (app/workload), its scheduler (sched/fpedf), locks
 * (lock/prio) and channels (chan/spsc), all working on the app's state
 * (wl_app); and how each of the composed system's components finds its
 * own part and state (the *_self accessors, cos_comp_data).
 */
#pragma once

#include <string.h>
#include "components/implementation/booter/composed/composed.h"
#include "components/lib/rand.h"
#include "components/interface/tmrmgr.h"
#include "components/interface/memmgr.h"
#include "components/interface/server.h"


/* What the policy code costs in user-level instructions: a fixed part
 * (load the core's state, compare the timeout, branch) and a linear scan
 * of the core's threads (load state and key, compare, branch).  Estimates
 * of this C, like kernel/path.c's; the scheduler's state is assumed
 * L1-resident (docs/components.md). */
#define WL_PICK_BASE 24u
#define WL_PICK_PER 5u
#define WL_LOCK_INSTR 20u     /* test-and-set of the owner word, bookkeeping */
#define WL_JOB_INSTR 40u      /* end of job: statistics, next arrival */
#define WL_CHAN_INSTR 12u     /* a ring operation: indices, compare, flag, slot address */
#define WL_EDF_BASE 64u       /* EDF tasks get tcap priorities from here, by deadline rank */
#define WL_Q_BASE 6u          /* a queue operation (queue.c): find the place, the key */
#define WL_Q_LEVEL 6u         /* ... and per level of the heap it walks: load, compare, branch, move an entry */

#define NONE (-1)
#define WL_TM_BASE 20u        /* the timer manager: an operation's fixed part */
#define WL_TM_LEVEL 6u        /* ... and per level of a core's heap of timers it walks */
#define WL_MM_BASE 30u        /* the memory manager: a call's fixed part (decode, quota, the heap's state) */
#define WL_MM_PAGE 16u        /* ... per page (pick, record, list) */
#define WL_MM_RETRY 500u      /* cycles it waits before an unmap refused for a full shootdown ring is tried again */

/* Each component's part of the description and its state: the data of
 * the component the calling thread runs in (cos_comp_data), which the
 * booter loaded with that part.  The booter's own is the whole
 * description. */
static inline wl_desc *wl_desc_self(void)
{
    return cos_comp_data();
}
static inline wl_app *wl_app_self(void)
{
    return cos_comp_data();
}
static inline wl_tmrmgr *wl_tmrmgr_self(void)
{
    return cos_comp_data();
}
static inline wl_memmgr *wl_memmgr_self(void)
{
    return cos_comp_data();
}
static inline wl_server *wl_server_self(void)
{
    return cos_comp_data();
}

/* ---- what the app records in the trace ---------------------------------------------- */
enum { WL_TK_SCHED, WL_TK_EXPIRE, WL_TK_LOCK_WAIT, WL_TK_LOCK_ACQUIRE, WL_TK_IRQ_THREAD, WL_TK_CHAN_WAIT, WL_TK_MM,
       WL_TK_COUNT };

/* An event of kind k (its kind taken from the trace at the first). */
static inline void wl_trace(wl_app *app, unsigned k, int64_t a0, int64_t a1, int64_t a2)
{
    static const char *const names[WL_TK_COUNT] = {
        TRN_U_SCHED, TRN_U_EXPIRE, TRN_U_LOCK_WAIT, TRN_U_LOCK_ACQUIRE, TRN_U_IRQ_THREAD, TRN_U_CHAN_WAIT, TRN_U_MM,
    };
    if (app->tk[k] == 0)
        app->tk[k] = cos_trace_kind(names[k]);
    cos_trace_ev(app->tk[k], a0, a1, a2);
}

static inline bool wl_ready(const wl_rt_thd *r)
{
    return r->state == WL_S_READY;
}

/* Where the heap windows start in the app's address space: at
 * WL_HEAP_BASE, or past the app's memory (from `base`, `bytes`) when that
 * reaches there, on the next 2 MiB. */
static inline uint64_t wl_heap_base(uint64_t base, uint64_t bytes)
{
    uint64_t end = (base + bytes + COS_PAGE_SIZE + (UINT64_C(2) << 20) - 1) & ~((UINT64_C(2) << 20) - 1);
    return end > WL_HEAP_BASE ? end : WL_HEAP_BASE;
}
/* Heap window h's page k, in the app's address space (windows from heap_base). */
static inline uint64_t wl_heap_va(uint64_t heap_base, unsigned h, unsigned k)
{
    return heap_base + ((uint64_t)h * WL_HEAP_PAGES + k) * COS_PAGE_SIZE;
}

/* Touch [off, off + len) of the app component's memory, page by page
 * (while computing `cycles`, spread over it: a task's touch step). */
static inline void wl_touch_app_compute(wl_app *app, uint64_t off, uint64_t len, bool write, uint64_t cycles)
{
    cos_err e = cos_touch_range_compute(app->base + off, len, write, cycles);
    if (e)
        COS_FAIL(&app->fail, e);
}
static inline void wl_touch_app(wl_app *app, uint64_t off, uint64_t len, bool write)
{
    wl_touch_app_compute(app, off, len, write, 0);
}

/* Where scheduler s's record, thread thd[i]'s record and lock l's record
 * are in the app's memory (app.h, wl_app_layout). */
static inline uint64_t wl_sched_off(const wl_app *app, unsigned s)
{
    return app->st_sched + (uint64_t)s * app->st_sched_rec;
}
static inline uint64_t wl_thd_off(const wl_app *app, unsigned i)
{
    return app->st_thd + (uint64_t)i * WL_THD_REC;
}
static inline uint64_t wl_lock_off(const wl_app *app, unsigned l)
{
    return app->st_lock + (uint64_t)l * WL_LOCK_REC;
}
/* Reads (or writes) of thread records, gathered on the stack and issued
 * as one request per WL_BATCH records (one for a usual scan): add each,
 * then flush. */
#define WL_BATCH 256u
typedef struct wl_batch {
    wl_app *app;
    bool write;
    unsigned n;
    uint64_t va[WL_BATCH];
} wl_batch;
static inline void wl_batch_flush(wl_batch *b)
{
    if (b->n == 0)
        return;
    cos_err e = cos_touch_words(b->va, b->n, b->write);
    b->n = 0;
    if (e)
        COS_FAIL(&b->app->fail, e);
}
static inline void wl_batch_thd(wl_batch *b, unsigned i)
{
    if (b->n == WL_BATCH)
        wl_batch_flush(b);
    b->va[b->n++] = b->app->base + wl_thd_off(b->app, i);
}
/* Read (or write) the records of threads thd[idx[0..n-1]], in order. */
static inline void wl_thds_touch(wl_app *app, const uint32_t *idx, unsigned n, bool write)
{
    wl_batch b = { .app = app, .write = write };
    for (unsigned k = 0; k < n; k++)
        wl_batch_thd(&b, idx[k]);
    wl_batch_flush(&b);
}
/* Read or write thread thd[i]'s record (one line). */
static inline void wl_thd_touch(wl_app *app, unsigned i, bool write)
{
    wl_touch_app(app, wl_thd_off(app, i), 8, write);
}
/* Read or write scheduler s's record: with `list`, its list of threads too. */
static inline void wl_sched_touch(wl_app *app, unsigned s, bool list, bool write)
{
    wl_touch_app(app, wl_sched_off(app, s), list ? 16 + (uint64_t)app->st_entry * app->core[s].nthd : 16, write);
}

/* ---- time slices, for policies with a quantum (sched/rr, sched/lua) --------------- */
/* Thread i (a task) was dispatched at `now`: a new slice unless it is the
 * one whose slice still runs (it was only interrupted).  Other threads
 * (interrupt and timer threads) leave the slice as it is. */
static inline void wl_slice_dispatched(wl_app *app, unsigned s, int i, uint64_t now)
{
    wl_rt_core *c = &app->core[s];
    if (i < 0 || (unsigned)i >= app->ntasks)
        return;
    if (i != c->slice_thd || now >= c->slice_end) {
        c->slice_thd = i;
        c->slice_end = now + app->sched_cfg[s].quantum;
    }
}
/* When the running slice ends (0: no slice runs). */
static inline uint64_t wl_slice_timeout(const wl_app *app, unsigned s)
{
    const wl_rt_core *c = &app->core[s];
    if (app->sched_cfg[s].quantum == 0 || c->slice_thd < 0 || app->thd[c->slice_thd].state != WL_S_READY)
        return 0;
    return c->slice_end;
}

/* ---- app/workload: the decision (policy.c), by the scheduler's policy ------------ */
/* Schedulers are numbered: core k's root scheduler is k, group g's child
 * scheduler is ncores + g. */
static inline const sched_policy *wl_policy_of(const wl_app *app, unsigned s)
{
    wl_policy p = s < app->ncores ? app->policy[s] : app->group[s - app->ncores].policy;
    return cos_sched_policies[p < WL_POLICIES ? p : WL_FP];
}
static inline unsigned wl_core_of(const wl_app *app, unsigned s)
{
    return s < app->ncores ? s : app->group[s - app->ncores].core;
}
/* Whether r runs on a tcap of its own (interrupt threads, child
 * schedulers, tasks with a budget). */
static inline bool wl_has_tcap(const wl_app *app, const wl_rt_thd *r)
{
    return r->irq || r->group || (!r->timer && app->task[r->idx].budget != 0);
}
/* Whether a outranks b (both ready) under scheduler `core`'s policy
 * (components/interface/sched.h). */
static inline bool wl_outranks(const wl_app *app, unsigned core, const wl_rt_thd *a, const wl_rt_thd *b)
{
    return wl_policy_of(app, core)->outranks(app, core, a, b);
}
/* The thread to run next under scheduler `core`: -1 for none. */
int wl_pick(wl_app *app, unsigned core);
/* The earliest time the scheduler must act (0: nothing pending). */
uint64_t wl_next_timeout(wl_app *app, unsigned core);
/* Releases, wake-ups and budget top-ups due at `now` (see policy.c). */
bool wl_release(wl_app *app, unsigned core, uint64_t now, bool scheduler);
/* ---- app/workload: each scheduler's queues (queue.c) ------------------------------ */
/* Thread i's state, one of its times (ready_at, wake_at, replenish_at) or
 * its effective priority or deadline changed: its places in its
 * scheduler's queues (charged). */
void wl_requeue(wl_app *app, unsigned i);
/* Every made thread into its scheduler's queues (the booter, at the start:
 * not charged). */
void wl_queue_init(wl_app *app);
/* When scheduler s must next act on one of its threads (UINT64_MAX: never). */
uint64_t wl_queue_first(wl_app *app, unsigned s);
/* The threads due at `now` (their key <= now), in the order of the
 * scheduler's list, into out (room for its threads; what follows the due
 * ones is the caller's too); returns how many. */
unsigned wl_queue_due(wl_app *app, unsigned s, uint64_t now, uint32_t *out);
/* Scheduler s's decision from its ready queue (policies that do not
 * pick): its first, unless the thread running is still ready and not
 * outranked by it (-1: none); charged as one request. */
int wl_queue_pick(wl_app *app, unsigned s);
/* How many of the ready threads that come before thread i in s's ready
 * queue `counts` counts (o before r): a walk of those only. */
unsigned wl_queue_rank(wl_app *app, unsigned s, unsigned i, bool (*counts)(const wl_rt_thd *o, const wl_rt_thd *r));
/* The tcap priority a dispatch gives. */
uint32_t wl_dispatch_prio(wl_app *app, unsigned core, const wl_rt_thd *r);

/* ---- app/workload: the scheduler threads (sched.c) ------------------------------ */
/* Scheduler s, for ever. */
void wl_schedule(wl_app *app, unsigned s);
/* A task or interrupt thread gives up the core (fast path where safe). */
void wl_yield(wl_app *app, wl_rt_thd *me);

/* ---- lock/prio ------------------------------------------------------------------- */
void wl_lock_take(wl_app *app, wl_rt_thd *me, unsigned l);
void wl_lock_give(wl_app *app, wl_rt_thd *me, unsigned l);

/* ---- chan/spsc ------------------------------------------------------------------- */
void wl_put(wl_app *app, wl_rt_thd *me, unsigned ch);
void wl_get(wl_app *app, wl_rt_thd *me, unsigned ch);

/* ---- app/workload ------------------------------------------------------------------ */
/* A finished job, in the trace's jobs table: task `task` (numbered across
 * the run's systems), job `job`; times in the core's cycles. */
void wl_record_job(wl_app *app, uint32_t task, uint64_t job, uint64_t release, uint64_t start, uint64_t finish,
                   uint64_t deadline);
void wl_timeout(wl_app *app, wl_rt_thd *me, uint64_t cycles);
void wl_tick(wl_app *app, wl_rt_thd *me, uint64_t period);
void wl_mem_op(wl_app *app, wl_rt_thd *me, const wl_op *op);
/* ---- app/workload/memlib.c: the library memory manager (memory = { library = true }) ---- */
void wl_lib_op(wl_app *app, wl_rt_thd *me, const wl_op *op);
void wl_heap(wl_app *app, wl_rt_thd *me, uint64_t len, bool write);

