/* components/implementation/wl.h: what the units of the workload system
 * share while they still share one description (components/workload.h):
 * the booter (booter/composed), the scheduler (sched/fpedf), locks
 * (lock/prio), channels (chan/spsc), the app's threads (app/workload), the
 * timer manager (tmrmgr/simple), the memory manager (memmgr/simple) and the
 * server (server/work).  Issue 14, step 2, gives each its own state and
 * removes this header's shared pointer (wl_self).
 */
#pragma once

#include <string.h>
#include "components/workload.h"
#include "components/lib/rand.h"
#include "components/interface/tmrmgr.h"
#include "components/interface/memmgr.h"
#include "components/interface/server.h"

/* The workload image's entries. */
enum { E_BOOT = 0, E_TASK = 1, E_IRQ = 2, E_GROUP = 3, E_TIMER = 4 };
/* The memory manager's page records. */
enum { MM_FRESH = 0, MM_TAKEN, MM_MAPPED, MM_FREED };

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

static inline wl_desc *wl_self(void)
{
    return cos_boot_data();
}

/* The first error of the system: kept with the file and line that met it,
 * and reported (wl.error, wl.error_line). */
static inline void wl_fail(wl_desc *w, cos_err e, const char *file, int line)
{
    if (w->error == 0) {
        w->error = e;
        w->error_line = line;
        const char *rel = strstr(file, "components/");     /* not the build's own path */
        w->error_file = rel ? rel : file;
        cos_report("wl.error", e);
        cos_report("wl.error_line", line);
    }
}
#define WL_FAIL(w, e) wl_fail((w), (e), __FILE__, __LINE__)
#define CHECK(x) do { cos_err e_ = (x); if (e_) { WL_FAIL(w, e_); return e_; } } while (0)

static inline bool wl_ready(const wl_rt_thd *r)
{
    return r->state == WL_S_READY;
}

/* Heap window h's page k, in the app's address space. */
static inline uint64_t wl_heap_va(unsigned h, unsigned k)
{
    return WL_HEAP_BASE + ((uint64_t)h * WL_HEAP_PAGES + k) * COS_PAGE_SIZE;
}

/* Touch [off, off + len) of the app component's memory, page by page. */
static inline void wl_touch_app(wl_desc *w, uint64_t off, uint64_t len, bool write)
{
    cos_err e = cos_touch_range(w->rt.app_base + off, len, write);
    if (e)
        WL_FAIL(w, e);
}

/* ---- sched/fpedf: the policy (policy.c) -------------------------------------- */
/* Schedulers are numbered: core k's root scheduler is k, group g's child
 * scheduler is WL_CORES + g. */
wl_policy wl_policy_of(const wl_desc *w, unsigned s);
unsigned wl_core_of(const wl_desc *w, unsigned s);
bool wl_has_tcap(const wl_desc *w, const wl_rt_thd *r);
/* Whether a outranks b (both ready) under scheduler `core`'s policy. */
bool wl_outranks(const wl_desc *w, unsigned core, const wl_rt_thd *a, const wl_rt_thd *b);
/* The thread to run next under scheduler `core`: -1 for none. */
int wl_pick(wl_desc *w, unsigned core);
/* The earliest time the scheduler must act (0: nothing pending). */
uint64_t wl_next_timeout(const wl_desc *w, unsigned core);
/* Releases, wake-ups and budget top-ups due at `now` (see policy.c). */
bool wl_release(wl_desc *w, unsigned core, uint64_t now, bool scheduler);
/* The tcap priority a dispatch gives. */
uint32_t wl_dispatch_prio(const wl_desc *w, unsigned core, const wl_rt_thd *r);

/* ---- sched/fpedf: the scheduler threads (sched.c) ------------------------------ */
/* Scheduler s, for ever. */
void wl_schedule(wl_desc *w, unsigned s);
/* A task or interrupt thread gives up the core (fast path where safe). */
void wl_yield(wl_desc *w, wl_rt_thd *me);

/* ---- lock/prio ------------------------------------------------------------------- */
void wl_lock_take(wl_desc *w, wl_rt_thd *me, unsigned l);
void wl_lock_give(wl_desc *w, wl_rt_thd *me, unsigned l);

/* ---- chan/spsc ------------------------------------------------------------------- */
void wl_put(wl_desc *w, wl_rt_thd *me, unsigned ch);
void wl_get(wl_desc *w, wl_rt_thd *me, unsigned ch);

/* ---- app/workload ------------------------------------------------------------------ */
void wl_timeout(wl_desc *w, wl_rt_thd *me, uint64_t cycles);
void wl_tick(wl_desc *w, wl_rt_thd *me, uint64_t period);
void wl_mem_op(wl_desc *w, wl_rt_thd *me, const wl_op *op);
void wl_heap(wl_desc *w, wl_rt_thd *me, uint64_t len, bool write);

/* ---- booter/composed ------------------------------------------------------------- */
/* The workload image's boot entry (every core's init thread) and a child
 * scheduler's entry. */
cos_word wl_boot_main(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3);
cos_word wl_group_main(cos_thdid caller, cos_word g, cos_word a1, cos_word a2, cos_word a3);
