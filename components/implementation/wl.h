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

#define NONE (-1)
#define G_IDX(g) (WL_TASKS + WL_IRQS + (g))     /* a group's thread in rt.thd */
#define T_IDX(c) (WL_TASKS + WL_IRQS + WL_GROUPS + (c))     /* a core's timer thread */
#define WL_TM_BASE 20u        /* the timer manager: an operation's fixed part */
#define WL_TM_PER 6u          /* ... and per timer of the core it scans */
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

/* Heap window h's page k, in the app's address space. */
static inline uint64_t wl_heap_va(unsigned h, unsigned k)
{
    return WL_HEAP_BASE + ((uint64_t)h * WL_HEAP_PAGES + k) * COS_PAGE_SIZE;
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
    unsigned k = s < WL_CORES ? s : app->ncores + (s - WL_CORES);
    return app->st_sched + (uint64_t)k * WL_SCHED_REC;
}
static inline uint64_t wl_thd_off(const wl_app *app, unsigned i)
{
    unsigned k = i < WL_TASKS                         ? i
                 : i < WL_TASKS + WL_IRQS             ? app->ntasks + (i - WL_TASKS)
                 : i < WL_TASKS + WL_IRQS + WL_GROUPS ? app->ntasks + app->nirqs + (i - WL_TASKS - WL_IRQS)
                                                      : app->ntasks + app->nirqs + app->ngroups
                                                            + (i - WL_TASKS - WL_IRQS - WL_GROUPS);
    return app->st_thd + (uint64_t)k * WL_THD_REC;
}
static inline uint64_t wl_lock_off(const wl_app *app, unsigned l)
{
    return app->st_lock + (uint64_t)l * WL_LOCK_REC;
}
/* Read (or write) the records of threads thd[idx[0..n-1]] in the app's
 * memory, in order: one request for the lot. */
static inline void wl_thds_touch(wl_app *app, const uint16_t *idx, unsigned n, bool write)
{
    uint64_t va[WL_THDS];
    unsigned m = 0;
    for (unsigned k = 0; k < n && m < WL_THDS; k++)
        va[m++] = app->base + wl_thd_off(app, idx[k]);
    cos_err e = cos_touch_words(va, m, write);
    if (e)
        COS_FAIL(&app->fail, e);
}
/* Read or write thread thd[i]'s record (one line). */
static inline void wl_thd_touch(wl_app *app, unsigned i, bool write)
{
    wl_touch_app(app, wl_thd_off(app, i), 8, write);
}
/* Read or write scheduler s's record: with `list`, its list of threads too. */
static inline void wl_sched_touch(wl_app *app, unsigned s, bool list, bool write)
{
    wl_touch_app(app, wl_sched_off(app, s), list ? 16 + 2 * app->core[s].nthd : 16, write);
}

/* ---- time slices, for policies with a quantum (sched/rr, sched/lua) --------------- */
/* Thread i (a task) was dispatched at `now`: a new slice unless it is the
 * one whose slice still runs (it was only interrupted).  Other threads
 * (interrupt and timer threads) leave the slice as it is. */
static inline void wl_slice_dispatched(wl_app *app, unsigned s, int i, uint64_t now)
{
    wl_rt_core *c = &app->core[s];
    if (i < 0 || (unsigned)i >= WL_TASKS)
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
 * scheduler is WL_CORES + g. */
const sched_policy *wl_policy_of(const wl_app *app, unsigned s);
unsigned wl_core_of(const wl_app *app, unsigned s);
bool wl_has_tcap(const wl_app *app, const wl_rt_thd *r);
/* Whether a outranks b (both ready) under scheduler `core`'s policy
 * (components/interface/sched.h). */
bool wl_outranks(const wl_app *app, unsigned core, const wl_rt_thd *a, const wl_rt_thd *b);
/* The thread to run next under scheduler `core`: -1 for none. */
int wl_pick(wl_app *app, unsigned core);
/* The earliest time the scheduler must act (0: nothing pending). */
uint64_t wl_next_timeout(const wl_app *app, unsigned core);
/* Releases, wake-ups and budget top-ups due at `now` (see policy.c). */
bool wl_release(wl_app *app, unsigned core, uint64_t now, bool scheduler);
/* The tcap priority a dispatch gives. */
uint32_t wl_dispatch_prio(const wl_app *app, unsigned core, const wl_rt_thd *r);

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
void wl_heap(wl_app *app, wl_rt_thd *me, uint64_t len, bool write);

