/* components/implementation/app/workload/app.h: the app component of a
 * composed system: its description (tasks, interrupt threads, child
 * schedulers, locks, channels) and its state, all in the app's own memory.
 *
 * The booter (booter/composed) builds the system with system calls and
 * hands the app its part.  The app holds every task and interrupt thread
 * (each task's memory within the app's), a timer thread per core that uses
 * the timer manager, the child schedulers' threads, and the scheduler's
 * shared state.
 *
 * Scheduling (sched/fpedf) is partitioned: each core's scheduler thread
 * runs fixed priority with round robin among equals, or EDF, as the
 * description says per core.  It releases jobs on its timeout, tops up
 * budgets at each release (tcap transfer from the core's root tcap),
 * dispatches with a thread switch that names the thread's tcap and a
 * priority (EDF: the job's rank by absolute deadline), and reads the
 * kernel's scheduling events (blocked, woken, budget expired).
 *
 * Tasks keep their scheduling state in memory shared with the scheduler
 * (Slite's design): a task that ends its job, blocks on a lock or yields
 * runs the same policy code itself and, with the fast path on and where
 * that is safe (kernel/abi.h, cos_ul_switch), dispatches the next thread
 * at user level without entering the kernel; otherwise it switches to the
 * scheduler thread, which dispatches through the kernel.
 *
 * Locks (lock/prio: priority inheritance or immediate priority ceiling)
 * and channel headers (chan/spsc) live in the same state.  Interrupt
 * threads wait on an endpoint bound to a device's line and run under their
 * own tcap: with a budget per replenishment period their load is bounded;
 * without one they run at their priority with no bound.
 *
 * Every job is recorded (the trace's `jobs` table, a table the app makes
 * through the kernel's trace interface: wl_record_job) and summed in
 * the tasks' results; scheduler decisions, lock waits and interrupt-thread
 * activations are trace events (u.*, docs/trace-schema.md).
 */
#pragma once

#include <stddef.h>
#include "components/lib/cos.h"
#include "components/lib/fail.h"
#include "components/scheds.h"

/* A system's size is bounded by what its machine's memory holds, not by
 * these: they are the limits of the parts that keep fixed tables (the
 * memory manager's pool and heaps) and of a channel's ring. */
#define WL_CHAN_SLOTS 65536u
#define WL_HEAPS 16u           /* tasks that use the memory manager */
#define WL_HEAP_PAGES 64u      /* a task's heap window (256 KiB) */
#define WL_HEAP_BASE UINT64_C(0x1000000)   /* heap windows, in the app's address space, one after another, from
                                              here or past the app's memory (wl_heap_base) */

typedef enum { WL_LOCK_PI = 0, WL_LOCK_CEILING = 1, WL_LOCK_NONE = 2 } wl_protocol;

/* What a task's job does, op by op. */
typedef enum {
    WL_COMPUTE,     /* a: cycles (dist FIXED), or a..b (UNIFORM), or mean a (EXP, at most b when b > 0) */
    WL_TOUCH,       /* a: offset in the task's memory, b: bytes, target: 1 = write; every line of the range */
    WL_INVOKE,      /* target: server, or WL_TARGET_COMP | an added component (a: its argument); thread migration */
    WL_SEND,        /* target: task whose endpoint is sent to (asynchronous; may be on another core) */
    WL_RECV,        /* wait on the task's own endpoint */
    WL_LOCK,        /* target: lock */
    WL_UNLOCK,      /* target: lock */
    WL_SLEEP,       /* a: cycles to sleep (the scheduler wakes it) */
    WL_PUT,         /* target: channel; waits while the ring is full */
    WL_GET,         /* target: channel; waits while the ring is empty */
    WL_TIMEOUT,     /* a: cycles; wait that long through the timer manager */
    WL_TICK,        /* a: period (cycles); wait for the next tick of the task's periodic timer (made at first use) */
    WL_ALLOC,       /* a: pages; ask the memory manager for them (mapped at the end of the task's heap) */
    WL_FREE,        /* a: pages (0: all); give back the last ones */
    WL_HEAP,        /* a: bytes from the heap's start, target: 1 = write; stops at the first fault */
    WL_REVOKE,      /* target: task; the memory manager takes back every page it holds (library: a: pages
                       asked back, 0 all; the task's library is asked, and answers at its next WL_ANSWER) */
    WL_ANSWER,      /* library: give back the pages a revocation asks of this task, if one stands */
    WL_ABORT,       /* target: task; library: a revocation still unanswered: unmap all its pages by force */
    WL_OPKINDS
} wl_opkind;
typedef enum { WL_FIXED = 0, WL_UNIFORM, WL_EXP } wl_dist;
#define WL_TARGET_COMP 0x80000000u     /* an invoke step's target: an added component (sys:component) */

typedef struct wl_op {
    uint8_t kind, dist;
    uint32_t target;
    uint64_t a, b;
    uint64_t c;             /* touch: cycles of compute its accesses are spread over (0: none) */
} wl_op;

/* A program written elsewhere (a Lua coroutine, compose/body.c): called for
 * the next op of job `job`; returns false when the job is done. */
typedef bool (*wl_program_fn)(void *ctx, unsigned task, uint64_t job, wl_op *op);

typedef struct wl_stats {
    uint64_t jobs, missed;            /* completed jobs, and those finished after their deadline */
    uint64_t resp_min, resp_max, resp_sum;   /* response times (finish - release), cycles */
    uint64_t start_max;               /* worst release-to-start delay */
    uint64_t lock_waits, lock_wait_max, lock_wait_sum;   /* cycles blocked on locks */
    uint64_t expiries;                /* budget expirations */
    uint64_t released;                /* jobs released */
    uint64_t faults;                  /* heap touches that faulted (memory not, or no longer, mapped) */
} wl_stats;

typedef struct wl_task {
    unsigned core;
    uint32_t prio;          /* fixed priority (1 highest); EDF ignores it */
    uint64_t period;        /* cycles; sporadic: the minimum inter-arrival time */
    uint64_t deadline;      /* relative, cycles */
    uint64_t budget;        /* cycles per job in its own tcap; 0: no tcap of its own (runs under the root's) */
    uint64_t offset;        /* first release, after the start */
    uint64_t jitter;        /* release jitter: each job becomes ready up to this much after its arrival */
    bool sporadic;          /* arrivals: period + an exponential extra gap of mean `extra` */
    uint64_t extra;
    uint64_t mem_off, mem_len;        /* its memory: bytes within the app component's */
    uint32_t weight;        /* its share for policies that share a core in proportion (lottery); 1 by default */
    wl_op *ops;             /* its steps (nops of them) */
    unsigned nops;
    unsigned group;         /* 0: scheduled by its core's scheduler; g + 1: by child scheduler g (on the same core) */
    unsigned heap;          /* 0: no heap; h + 1: heap window h (it uses the memory manager) */
    wl_program_fn program;  /* instead of ops, when not NULL */
    void *program_ctx;
    uint64_t seed;
    wl_stats st;            /* results */
} wl_task;

typedef struct wl_lock {
    wl_protocol protocol;
    uint32_t ceiling;       /* immediate ceiling: the highest priority of its users (compose/run.c computes it) */
    uint32_t wq_room;       /* its users (compose/run.c counts them): the room of its queue of waiters */
    uint32_t wq_first;      /* where its queue starts in the app's lock_wq (compose/pack) */
    uint32_t nwait;         /* threads in its queue of waiters (lock/prio) */
    uint32_t held_next;     /* the lock its owner took before it and holds still + 1 (0: none) */
    uint64_t acquisitions, contended;   /* results */
} wl_lock;

typedef struct wl_irq {
    unsigned core, line;
    uint32_t prio;          /* its tcap's priority for the core's scheduler */
    uint64_t budget;        /* cycles per replenishment period; 0: unbounded (infinite budget) */
    uint64_t period;        /* replenishment period (cycles) */
    uint64_t work;          /* cycles of handling per interrupt */
    uint64_t handled, activations, expiries, max_latency;   /* results */
} wl_irq;

/* A child scheduler (hierarchical scheduling): a thread of the app
 * component with its own endpoint under its core's root scheduler and a
 * tcap its parent tops up with `budget` every `period` at `prio` (for the
 * parent: FP priority; under an EDF parent the deadline is the end of the
 * current period).  It schedules its own tasks (policy) with that tcap
 * only: their time is bounded by what the parent delegates. */
typedef struct wl_group {
    unsigned core;
    wl_policy policy;
    uint32_t prio;
    uint64_t budget, period;          /* cycles */
    uint64_t expiries, dispatches, idles, wakes;   /* results */
} wl_group;

/* A channel: a single-producer single-consumer ring in the app
 * component's memory (a header line with the two indices, then `slots`
 * messages of `size` bytes, each slot `stride` apart), with endpoint
 * notifications: a side that finds the ring full (empty) says so in the
 * header and waits on its own endpoint; the other side sends to it after
 * its next get (put).  Producer and consumer may be on different cores:
 * the ring's lines then move between their caches, and the notification
 * is an IPI. */
typedef struct wl_channel {
    unsigned slots;
    uint64_t size, stride;            /* message bytes; bytes between slots (size rounded up to 8) */
    uint64_t mem_off;                 /* the header line, in the app's memory (compose/run.c lays it out) */
    unsigned producer, consumer;      /* tasks */
    uint64_t puts, gets, full_waits, empty_waits, max_fill, notifies;   /* results */
    uint64_t lat_n, lat_sum, lat_min, lat_max;   /* put to get of each message, cycles */
} wl_channel;

/* What the app's tasks measure of the managers they use (client side). */
typedef struct wl_clients {
    uint64_t late_n, late_sum, late_min, late_max;   /* a timed wake-up's lateness after its expiry, cycles */
    uint64_t faults;                                 /* heap touches that faulted */
    uint64_t alloc_n, alloc_sum, alloc_max;   /* cycles per page, as the client sees an alloc call */
    uint64_t free_n, free_sum, free_max;      /* the same for free and revoke */
} wl_clients;

/* The library memory manager (system{memory = { library = true }}), the
 * exokernel way: no manager component; the app holds a kmem capability
 * for the pool and its own page-table capability, and each task's heap
 * owns a fixed share of the pool (heap h: pool pages h x quota to
 * (h + 1) x quota - 1), retyped to user memory (zeroed) once and then
 * mapped and unmapped by the library itself.  A revocation is visible:
 * it asks the library for pages (`want`), which the library gives back
 * at its next answer; one still unanswered at an abort loses every page
 * (unmapped; to be retyped back, and zeroed, before the next use). */
enum { WL_LIB_UNTYPED = 0, WL_LIB_OWNED, WL_LIB_MAPPED, WL_LIB_TAKEN };
typedef struct wl_lib {
    bool on;
    unsigned quota;                                 /* pages each heap owns */
    cos_capid kmem, pgtbl;                          /* given by the booter: the pool, the app's page table */
    uint8_t state[WL_HEAPS * WL_HEAP_PAGES];        /* each owned page (heap h's page k: h x quota + k) */
    unsigned held[WL_HEAPS];                        /* pages mapped, from the window's start */
    unsigned want[WL_HEAPS];                        /* pages a standing revocation asks back (0: none) */
    bool asked[WL_HEAPS];                           /* a revocation stands */
    bool busy[WL_HEAPS], abort_due[WL_HEAPS];       /* an op on the heap in progress; an abort left to it */
    uint64_t allocated, denied, freed, zeroed, reuse_waits, shootdowns;   /* pages; shootdowns sent */
    uint64_t requests, answered, given, aborts, taken;   /* revocations asked, answered, pages given; aborts, pages */
} wl_lib;

/* ---- the scheduler's shared state (user memory; host copy here) -------- */
typedef enum { WL_S_IDLE = 0, WL_S_READY, WL_S_LOCK, WL_S_KBLOCK, WL_S_DEPLETED, WL_S_SLEEP, WL_S_EXITED } wl_state;

typedef struct wl_rt_thd {
    cos_capid thd, tcap, rcv;         /* in the app's table: the thread, its own tcap (0: none), its endpoint */
    cos_thdid id;
    uint8_t state;
    bool irq;                         /* an interrupt thread (index into irq[]) */
    bool group;                       /* a child scheduler's thread (index into group[]) */
    bool timer;                       /* a core's timer thread (idx: the core) */
    uint64_t tick_next, tick_period;  /* a task's periodic timer (WL_TICK) */
    uint64_t tm_pending;              /* a timer thread: the earliest expiry armed while it expires (0: none) */
    uint32_t sched;                   /* the scheduler it belongs to (a core, or ncores + its group) */
    cos_capid wake;                   /* a group: an asnd to its endpoint, for the parent to wake it */
    unsigned idx;
    uint64_t job, arrival, ready_at, deadline, start;   /* the current job */
    uint64_t wake_at;                 /* WL_S_SLEEP */
    uint32_t eff_prio;                /* with inherited or ceiling priority */
    uint64_t eff_deadline;
    int waiting;                      /* the lock it waits for, -1 none */
    uint64_t wait_since;
    uint64_t replenish_at;            /* interrupt threads: next budget top-up */
    uint64_t rng;
    uint32_t lpos;                    /* its place in its scheduler's list */
    uint32_t tq_pos;                  /* its place in its scheduler's release queue + 1 (0: not in it; queue.c) */
    uint64_t tq_key;                  /* ... and when it is due there */
    uint32_t rq_pos;                  /* its place in the ready queue + 1 (0: not in it) */
    uint64_t rq_seq;                  /* when it became ready there (round robin among equals) */
    bool in_ready;                    /* counted as ready (nready_tasks) */
    uint32_t held_top;                /* the last lock it took and holds + 1 (0: none; lock/prio) */
    uint32_t wq_pos;                  /* its place in the waiters of the lock it waits for + 1 */
    uint64_t wq_seq;                  /* when it began to wait (first come, first served among equals) */
} wl_rt_thd;

/* A channel's ring header (in the app's memory: head at +0, tail at +8,
 * the two wait flags at +16). */
typedef struct wl_rt_chan {
    uint64_t head, tail;              /* messages put, taken */
    bool prod_wait, cons_wait;        /* a side waits for the other's notification */
    uint64_t *put_at;                 /* instrumentation (free): when each message was put (a slot each) */
} wl_rt_chan;

typedef struct wl_rt_core {
    cos_capid sched_app;              /* the scheduler thread (all capabilities here: in the app's table) */
    cos_capid rcv, tcap;              /* its endpoint (the core's root rcv, or a group's), and a group's tcap */
    cos_capid root_tcap;              /* a core's root tcap (infinite budget), what it tops budgets up from */
    uint64_t token;
    uint64_t armed;                   /* the timeout the scheduler last gave (absolute cycles; 0 none) */
    int cur;                          /* the thread it last dispatched (-1: none) */
    unsigned nthd, cap;
    uint32_t *thd;                    /* its threads (index into thd[]), room for cap */
    uint32_t *scratch;                /* room for cap: what a decision collects (host working memory) */
    uint32_t *tq;                     /* its release queue (queue.c): ntq threads, room for cap */
    unsigned ntq;
    uint32_t *rq;                     /* its ready queue (queue.c; policies that do not pick): nrq threads */
    unsigned nrq;
    uint64_t rq_seq;                  /* the last thread to become ready got this */
    unsigned nready_tasks;            /* ready threads other than interrupt threads (instrumentation) */
    uint32_t *due;                    /* room for cap: what a release finds due */
    bool releasing;                   /* a release is using `due` (one that preempts it scans instead) */
    uint64_t dispatches, ul_dispatches, stale, idles, ul_refused;   /* results */
    /* dispatch latency: from the end of a job to the start of the next
     * job on the core, counted when another thread was ready at the end
     * (so no idle time is inside it) */
    uint64_t handoff_at;              /* 0: none pending */
    uint64_t handoffs, handoff_sum, handoff_min, handoff_max;
    /* what a policy with a quantum keeps (sched/rr, sched/lua) */
    int slice_thd;                    /* the thread whose slice runs (-1: none) */
    uint64_t slice_end;               /* when its slice ends (cycles) */
} wl_rt_core;

/* A policy written elsewhere (a Lua function, compose/policy.c): choose
 * one of the n ready threads ready[] (indices into thd[]) of scheduler s
 * at `now`; returns its position in ready[], or -1 when the policy failed
 * (its owner reports the error and stops the run). */
typedef int (*wl_pick_fn)(void *ctx, unsigned s, const uint32_t *ready, unsigned n, uint64_t now);

/* A scheduler's configuration beyond its policy (the scenario's). */
typedef struct wl_sched_cfg {
    uint64_t quantum;                 /* cycles: a decision at least this often while a thread runs (0: none) */
    wl_pick_fn pick;                  /* sched/lua: the function that decides */
    void *pick_ctx;
    uint64_t instructions;            /* sched/lua: what a decision costs, in user instructions */
} wl_sched_cfg;

typedef struct wl_app {
    /* ---- the description (the booter's copy of its part) ------------------ */
    unsigned ncores, ntasks, nlocks, nirqs, ngroups, nchans, nservers, ncomps;
    bool fastpath;
    uint32_t task_base;       /* task i is task_base + i in the trace (several systems in one run) */

    /* where the state lies in the app's memory (offsets from its start; wl_app_layout) */
    uint64_t st_sched, st_thd, st_lock, st_lockq, st_bytes;
    uint32_t st_sched_rec, st_entry;  /* a scheduler's record, and an entry of its list or queues (bytes) */
    uint32_t st_longest;              /* the room for entries of each list and queue in a record */

    /* ---- given by the booter ------------------------------------------------ */
    uint64_t start;                   /* cycles: arrivals count from here */
    uint64_t base;                    /* where the app's memory starts (its address space) */
    uint64_t heap_base;               /* where the heap windows start (wl_heap_base) */
    cos_capid tm_sinv, mm_sinv;       /* to the timer and memory managers */
    cos_capid boot_sinv;              /* to the booter: a child scheduler has its tasks' threads made */

    /* ---- state and results ---------------------------------------------------- */
    cos_fail fail;
    cos_tkind tk[8];                  /* its trace events' kinds (wl_trace), taken at first use */
    uint32_t jobs_table;              /* the trace's jobs table (wl_record_job), made at the first job */
    wl_clients cl;
    wl_lib lib;                       /* the library memory manager (on: the description's) */
    unsigned max_thdid;               /* by_id's size */

    /* ---- its arrays: in the same block, after this header (WL_APP_ARRAYS) ------- */
    size_t bytes;                     /* the whole block */
    wl_policy *policy;                /* [ncores] */
    wl_sched_cfg *sched_cfg;          /* [nsched]: per scheduler, the cores', then the groups' */
    wl_task *task;                    /* [ntasks] */
    wl_op *ops;                       /* [nops]: every task's steps, task[i].ops pointing in */
    wl_lock *lock;                    /* [nlocks] */
    wl_irq *irq;                      /* [nirqs] */
    wl_group *group;                  /* [ngroups] */
    wl_channel *chan;                 /* [nchans] */
    cos_capid *sinv;                  /* [nservers]: to each server */
    cos_capid *csinv;                 /* [ncomps]: to entry 0 of each added component that a task invokes */
    cos_capid *asnd;                  /* [ntasks]: to task i's endpoint (0: none) */
    wl_rt_thd *thd;                   /* [nthd]: tasks, then interrupt threads, then groups, then timer threads */
    wl_rt_core *core;                 /* [nsched]: per scheduler, the cores', then the groups' */
    uint32_t *lists;                  /* [nthd]: the schedulers' lists of threads, core[s].thd pointing in */
    uint32_t *scratch;                /* [nthd]: core[s].scratch pointing in */
    uint32_t *tqs, *rqs, *dues;       /* [nthd] each: core[s].tq, .rq and .due pointing in */
    uint32_t *all_tasks;              /* [ntasks]: 0, 1, ..., ntasks - 1 (a scan of every task) */
    int *lock_owner;                  /* [nlocks] */
    uint32_t *lock_wq;                /* [nwq]: each lock's queue of waiters (lock[l].wq_first, room wq_room) */
    uint32_t *by_id;                  /* [max_thdid]: thread id -> index + 1 */
    wl_rt_chan *rchan;                /* [nchans] */
    uint64_t *put_at;                 /* [nslots]: the channels' slots, rchan[c].put_at pointing in */
    unsigned nops, nslots, nwq;
    uint64_t wq_seq;                  /* the last thread to begin waiting for a lock got this */
} wl_app;

/* Schedulers are numbered: core k's root scheduler is k, group g's child
 * scheduler ncores + g.  Threads: task i is i, interrupt thread q is
 * ntasks + q, group g's thread ntasks + nirqs + g, core c's timer thread
 * after the groups'. */
static inline unsigned wl_nsched(const wl_app *a)
{
    return a->ncores + a->ngroups;
}
static inline unsigned wl_nthd(const wl_app *a)
{
    return a->ntasks + a->nirqs + a->ngroups + a->ncores;
}
static inline unsigned wl_irq_thd(const wl_app *a, unsigned q)
{
    return a->ntasks + q;
}
static inline unsigned wl_group_thd(const wl_app *a, unsigned g)
{
    return a->ntasks + a->nirqs + g;
}
static inline unsigned wl_timer_thd(const wl_app *a, unsigned c)
{
    return a->ntasks + a->nirqs + a->ngroups + c;
}

/* The arrays of the app's block, in the order they follow its header:
 * X(member, count).  compose/pack.c lays a description out this way; the
 * booter copies the block into the app's data and moves its pointers. */
#define WL_APP_ARRAYS(X, a)                                                                                    \
    X(policy, (a)->ncores) X(sched_cfg, wl_nsched(a)) X(task, (a)->ntasks) X(ops, (a)->nops)                 \
    X(lock, (a)->nlocks) X(irq, (a)->nirqs) X(group, (a)->ngroups) X(chan, (a)->nchans)                      \
    X(sinv, (a)->nservers) X(csinv, (a)->ncomps) X(asnd, (a)->ntasks) X(thd, wl_nthd(a))                    \
    X(core, wl_nsched(a)) X(lists, wl_nthd(a)) X(scratch, wl_nthd(a)) X(tqs, wl_nthd(a)) X(rqs, wl_nthd(a)) X(dues, wl_nthd(a))     \
    X(all_tasks, (a)->ntasks)              \
    X(lock_owner, (a)->nlocks) X(lock_wq, (a)->nwq) X(by_id, (a)->max_thdid)                                                     \
    X(rchan, (a)->nchans) X(put_at, (a)->nslots)

/* The block's pointers, once it has moved by `delta` bytes (the booter's
 * copy of it): every array, and the pointers into them. */
static inline void wl_app_relocate(wl_app *a, ptrdiff_t delta)
{
#define WL_MOVE(m, n) a->m = (void *)((char *)a->m + delta);
    WL_APP_ARRAYS(WL_MOVE, a)
#undef WL_MOVE
    for (unsigned i = 0; i < a->ntasks; i++)
        a->task[i].ops = (wl_op *)((char *)a->task[i].ops + delta);
    for (unsigned s = 0; s < wl_nsched(a); s++) {
        a->core[s].thd = (uint32_t *)((char *)a->core[s].thd + delta);
        a->core[s].scratch = (uint32_t *)((char *)a->core[s].scratch + delta);
        a->core[s].tq = (uint32_t *)((char *)a->core[s].tq + delta);
        a->core[s].rq = (uint32_t *)((char *)a->core[s].rq + delta);
        a->core[s].due = (uint32_t *)((char *)a->core[s].due + delta);
    }
    for (unsigned c = 0; c < a->nchans; c++)
        a->rchan[c].put_at = (uint64_t *)((char *)a->rchan[c].put_at + delta);
}

/* ---- the state in the app's memory ---------------------------------------------
 * The scheduler's, the threads' and the locks' state is in the app's own
 * memory, where its accesses go through the caches like any other (the
 * host struct above is its host copy).  Its layout, from the start of the
 * app's memory, each part from a line of its own:
 *   a header line;
 *   a record per scheduler (st_sched_rec bytes: the current thread, the
 *   armed timeout, the token, then room for st_longest entries of each
 *   of the list of its threads, its ready queue and its release queue
 *   (queue.c), an index of st_entry bytes each: 2, or 4 in a system of
 *   more than 65,536 threads);
 *   a record per thread (WL_THD_REC bytes: state, priorities, deadlines,
 *   the next release, wake-up and top-up), tasks first, then interrupt
 *   threads, child schedulers and timer threads (one per core);
 *   a record per lock (WL_LOCK_REC bytes: owner, protocol, ceiling);
 *   each lock's queue of waiters (a heap of st_entry-byte thread indices,
 *   room for its users), one after another.
 * The tasks' own memory and the channels' rings follow (compose/run.c). */
#define WL_SCHED_REC 320u      /* a scheduler's record at least */
#define WL_THD_REC 64u
#define WL_LOCK_REC 16u

static inline uint64_t wl_line_up(uint64_t n)
{
    return (n + 63) & ~(uint64_t)63;
}

/* Lay out the state for the description's counts, the longest list of
 * threads a scheduler holds being `longest`; returns its bytes. */
static inline uint64_t wl_app_layout(wl_app *a, unsigned longest)
{
    unsigned nsched = wl_nsched(a), nthd = wl_nthd(a);
    a->st_entry = nthd > 65536 ? 4 : 2;
    a->st_longest = longest;
    uint64_t rec = wl_line_up(16 + 3 * (uint64_t)a->st_entry * longest);
    a->st_sched_rec = (uint32_t)(rec > WL_SCHED_REC ? rec : WL_SCHED_REC);
    a->st_sched = 64;
    a->st_thd = a->st_sched + wl_line_up((uint64_t)nsched * a->st_sched_rec);
    a->st_lock = a->st_thd + (uint64_t)nthd * WL_THD_REC;
    a->st_lockq = a->st_lock + wl_line_up((uint64_t)a->nlocks * WL_LOCK_REC);
    uint64_t waiters = 0;
    for (unsigned l = 0; l < a->nlocks; l++)
        waiters += a->lock[l].wq_room;
    a->st_bytes = a->st_lockq + wl_line_up(waiters * a->st_entry);
    return a->st_bytes;
}

/* The image: its entries. */
enum { E_SCHED = 0, E_TASK = 1, E_IRQ = 2, E_GROUP = 3, E_TIMER = 4 };
extern const cos_image cos_image_workload;
