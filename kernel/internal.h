/* kernel/internal.h: what the kernel's files share (not an interface).
 *
 * Kernel objects live in kernel pages of simulated memory, one object per
 * page (as Composite allocates kernel objects from page-sized kernel
 * memory).  Their layouts are below; every field is read and written
 * through K_RD / K_WR (or K_OBJ after an explicit k_touch), which charge
 * the access through the caches at the path's current time.  Objects refer
 * to each other by physical address, never by host pointer.
 *
 * Which file owns what (docs/kernel-design.md, "The file map"): each
 * object's file has a header with its entry points (obj.h, cap.h, tcap.h,
 * thd.h, rcv.h, xcore.h, asnd.h, inv.h, comp.h, pgtbl.h, hwcap.h, trap.h,
 * core.h, syscall.h); this one holds the layouts they share.
 */
#pragma once

#include "kernel.h"
#include <stddef.h>
#include "sim/sim.h"

/* Where the object in kernel page `page` starts.  Objects are coloured
 * (Bonwick, "The Slab Allocator", USENIX Summer 1994, section 4.1): each
 * starts a different number of cache lines into its page, so that the
 * first lines of objects in different pages, the most used ones, fall into
 * different cache sets instead of all competing for the sets at offset 0.
 * Capability tables are hardware-format pages and start at 0. */
#define K_COLORS 48u
#define K_OBJ_MAX (COS_PAGE_SIZE - K_COLORS * 64u)
static inline uint64_t k_obj_addr(unsigned kind, uint64_t page)
{
    return kind == 1 /* COS_CAP_CAPTBL */ ? page : page + ((page / COS_PAGE_SIZE) % K_COLORS) * 64u;
}

/* The first word of every object: what it is (a cos_cap_type). */
typedef struct k_hdr {
    uint32_t type;
    uint32_t core;      /* the core it belongs to (threads, rcvs, tcaps); 0 otherwise */
} k_hdr;

typedef enum { K_THD_RUNNABLE = 0, K_THD_BLOCKED_RCV, K_THD_BLOCKED_SCHED, K_THD_EXITED } k_thd_state;

/* Register-file words a thread switch saves and restores (per arch). */
#define K_REGS_MAX 20

typedef struct k_thd_o {
    k_hdr h;
    uint32_t id;
    uint32_t state;         /* k_thd_state */
    uint32_t depth;         /* invocation-stack entries in use */
    uint32_t entry;         /* entry index of its function in its home image */
    uint64_t arg;
    uint64_t comp;          /* the component it executes in now */
    uint64_t home;          /* the component it was created in (a reference) */
    uint64_t rcv;           /* the rcv it owns (0: none; the rcv holds the reference) */
    uint64_t sched;         /* its scheduler's rcv (a reference; 0: none) */
    uint64_t tcap;          /* the tcap it runs under (a reference; 0: its activator's) */
    uint64_t blocked_on;    /* the rcv it waits on (its own; 0 when that rcv ended: waiting for good) */
    uint64_t ev_next;       /* next thread in its scheduler's event list */
    uint32_t ev_flags;      /* COS_SCHED_EV_* not yet reported */
    uint32_t ev_queued;     /* on its scheduler's event list (holds a reference) */
    uint64_t ev_cycles;     /* cycles run since it was last reported */
    uint64_t inv[COS_INV_DEPTH];      /* the components it came from, innermost last */
    uint64_t regs[K_REGS_MAX];
} k_thd_o;

typedef struct k_comp_o {
    k_hdr h;
    uint32_t image, id;
    uint64_t captbl;        /* root of its capability table (a reference) */
    uint64_t pgtbl;         /* its page table / MPU layout object (a reference) */
    /* Invocations in progress inside it (threads on their way through):
     * the threads inside hold it alive.  When its last counted reference
     * goes while active > 0, it is `kept`: one reference stands for the
     * threads inside, dropped by the last to leave (its return, or its
     * thread's end; obj.c k_obj_leave).  Both in the word every invocation
     * and return already writes, so keeping it costs them nothing. */
    uint32_t active;
    uint32_t kept;
} k_comp_o;

typedef struct k_sinv_o {
    k_hdr h;
    uint32_t entry, pad;
    uint64_t comp;          /* the server (a reference) */
} k_sinv_o;

typedef struct k_rcv_o {
    k_hdr h;
    uint32_t depth;         /* scheduler nesting: 0 for a root */
    uint32_t pad;
    uint64_t thd;           /* owner (a reference) */
    uint64_t tcap;          /* the tcap its thread runs under when activated (a reference; 0 none) */
    uint64_t parent;        /* the scheduler rcv above (a reference; 0 for a root) */
    uint64_t pending;       /* sends not yet received */
    uint64_t token;         /* scheduling events delivered so far */
    uint64_t ev_head, ev_tail;  /* threads with events for this scheduler */
    uint64_t timeout;       /* absolute cycles of its pending switch timeout (0 none) */
} k_rcv_o;

typedef struct k_asnd_o {
    k_hdr h;
    uint64_t rcv;           /* a reference */
} k_asnd_o;

typedef struct k_deleg {
    uint64_t sched;         /* the scheduler: its rcv's address */
    uint32_t prio, pad;
} k_deleg;

typedef struct k_tcap_o {
    k_hdr h;
    uint32_t ndelegs, pad;
    uint64_t budget;        /* cycles; COS_BUDGET_INF */
    uint64_t owner;         /* the scheduler that controls it (rcv address; not a reference: see check.c) */
    k_deleg deleg[COS_TCAP_DELEGS];
} k_tcap_o;

typedef struct k_pgtbl_o {
    k_hdr h;
    uint32_t asid, npages;  /* npages: the pool */
    uint64_t pool;          /* first page of the pool (this object's page) */
    uint64_t next;          /* first free byte of the pool */
    uint64_t root;          /* the top-level table (MMU); 0 on MPU machines */
    hwmpu mpu;              /* the MPU layout (MPU machines) */
    uint64_t region_first[HWMPU_MAX_REGIONS];   /* pages mapped per region (references) */
    uint64_t region_pages[HWMPU_MAX_REGIONS];
} k_pgtbl_o;

/* Per core: the kernel's per-core variables and kernel stack page. */
typedef struct k_core_o {
    uint64_t cur_thd, cur_tcap;
    uint64_t timer_at;      /* cycles the timer is armed for (0: not) */
} k_core_o;

/* A cross-core ring (source core -> destination core), 64 bytes: the
 * destination's activations waiting for its IPI handler. */
#define K_RING_SLOTS 6u
typedef struct k_ring {
    uint32_t head, tail;    /* free-running; head == tail: empty */
    uint64_t rcv[K_RING_SLOTS];
    uint64_t pad;
} k_ring;

/* ---- the host side ---------------------------------------------------- */

typedef enum { K_REQ_NONE = 0, K_REQ_CALL, K_REQ_SRET, K_REQ_COMPUTE, K_REQ_TOUCH, K_REQ_TOUCHV, K_REQ_EXIT, K_REQ_ULSWITCH } k_req;

/* A thread's execution state on the host: its coroutine and the request it
 * trapped with.  Scheduling state lives in its object (obj). */
typedef struct k_thread {
    k_kernel *k;
    cos_thdid id;
    unsigned core;
    uint64_t obj;
    simctx *ctx;
    cos_entry_fn fn;        /* its function */
    cos_word arg, arg2;
    k_req req;
    cos_op op;
    cos_capid cap;
    cos_word a[5];
    cos_ret ret;
    uint64_t compute_left;  /* cycles of user compute not yet run */
    bool streaming;         /* a touch stopped part way: `stream` holds the rest (after compute_left) */
    hwstream stream;
    bool upcall;            /* the kernel asks it to run fn_up (an invocation) */
    cos_entry_fn fn_up;
    cos_thdid up_caller;
    cos_word up_a[4];
} k_thread;

typedef enum { K_CORE_IDLE = 0, K_CORE_KERNEL, K_CORE_USER } k_core_state;

/* The engine priority of a core's event (end of a kernel path or of user
 * compute): after the timer (24), device raises (32) and the interrupt
 * signal (48) at the same picosecond, so an interrupt due then is seen
 * first (docs/model.md). */
#define K_EV_PRIO 64u

typedef struct k_core {
    k_kernel *k;
    unsigned id;
    simq_event ev;           /* end of the kernel path or of the user compute */
    k_core_state state;
    k_thread *cur;           /* running or about to run (NULL idle) */
    sim_time_t user_since;   /* start of the compute in progress */
    uint64_t compute_cycles; /* its length */
    bool streaming;          /* in user mode: a touch's stream, not a compute (model/stream.h) */
    sim_time_t tcap_since;   /* the current tcap is charged from here */
    bool irq_pending;        /* an interrupt came during the kernel path */
    uint64_t page;           /* its k_core_o page (and kernel stack) */
    uint64_t ring;           /* its incoming ring page: one k_ring per source core */
    uint64_t root_rcv;       /* its root scheduler's rcv */
    /* the path being run */
    sim_time_t now;          /* when it started */
    uint64_t cycles;         /* cycles so far */
    k_thread *next;          /* the thread that runs when it ends */
    unsigned kind;           /* its kind (k_path_stats) */
    uint64_t pd;             /* the page table / MPU layout object loaded on the core */
    uint64_t p_arch, p_instr, p_fetch, p_accesses;   /* its parts so far */
    bool ul_dirty;           /* a user-level dispatch since the kernel last ran here */
} k_core;

struct k_kernel {
    sim *s;
    hw *h;
    k_config cfg;
    k_mem mem;
    bool booted;
    unsigned ncores;
    k_core *core;
    GPtrArray *threads;      /* k_thread *, index id - 1 */
    simctx *host;            /* the engine's stack */
    uint64_t text;           /* the kernel's code: physical address of its text */
    uint64_t hwtbl;          /* line -> rcv table (8-byte entries) */
    unsigned nlines;
    uint32_t next_comp_id;
    uint32_t next_asid;
    uint64_t *asid_owner;    /* [ncores * asids]: the pgtbl an ASID's TLB entries belong to */
    unsigned nasids;
    k_stats st;
    k_path_stats paths[K_PATHS];
    GArray *reports;         /* k_report */
    uint32_t kind[16];       /* trace kinds */
    GHashTable *ukinds;      /* user event kind name -> its number (index into ukind + 1), cos_trace_kind */
    GArray *ukind;           /* k_ukind */
    GArray *utables;         /* k_utable: user tables, cos_trace_table */
    GPtrArray *comp_data;    /* per component id - 1: its data block (owned; NULL: none), cos_comp_load */
    GArray *comp_data_len;   /* ... and its size (size_t) */
    unsigned regs_words, word_bytes;
};

/* A user event kind (cos_trace_kind) and a user table (cos_trace_table). */
typedef struct k_ukind {
    char *name;
    uint32_t sim_kind;       /* the trace's kind, taken at the first event (UINT32_MAX: none yet) */
} k_ukind;
typedef struct k_utable {
    char *name;
    simtr_table *tb;         /* NULL without a trace */
    unsigned ncols;
    cos_tcol col[COS_TCOLS_MAX];
} k_utable;

/* ---- costs (kernel/path.c) ------------------------------------------------ */

/* Kernel code steps: each has an instruction count and a place in the
 * kernel's text; running one charges its instructions (x cpi) and the
 * fetch of its text lines through the instruction cache. */
typedef enum {
    K_P_ENTRY,      /* trap entry: save the user context on the kernel stack, decode the op */
    K_P_EXIT,       /* return to user: restore, return value */
    K_P_CAP,        /* decode one capability: index split, type and epoch checks */
    K_P_INV,        /* invocation: push, switch protection domain, set up the upcall */
    K_P_RET,        /* return: pop, switch back */
    K_P_SWITCH,     /* thread switch: save one register file, load another */
    K_P_SEND,       /* asynchronous send: pending count, wake-up */
    K_P_RECV,       /* receive: take pending or block */
    K_P_EVENT,      /* deliver a scheduling event */
    K_P_TCAP,       /* compare two tcaps (plus K_P_TCAP_ENTRY per shared scheduler) */
    K_P_TCAP_ENTRY,
    K_P_ACCT,       /* charge the elapsed cycles to the current tcap */
    K_P_DISPATCH,   /* scheduler dispatch checks (token, target, tcap) */
    K_P_IRQ,        /* interrupt: acknowledge, find the binding, end of interrupt */
    K_P_IPI,        /* cross-core: ring entry and IPI */
    K_P_MGMT,       /* object creation and capability management (per call) */
    K_P_FAULT,      /* a user fault reflected back as an error */
    K_P_REPAIR,     /* the first entry after a user-level dispatch: learn the new current thread */
    K_P_STEPS
} k_path_step;

void k_path_init(k_kernel *k);
uint64_t k_path_text_bytes(void);
/* Charge step s on core c's current path. */
void k_step(k_core *c, k_path_step s);

/* Charge an architectural event (cost-table figure) to c's path. */
static inline void k_arch(k_core *c, uint64_t cycles)
{
    c->cycles += cycles;
    c->p_arch += cycles;
}
/* Charge an access to [paddr, paddr+len) on core c's current path, line
 * by line (kernel/path.c): the access instructions are in the path's
 * instruction count (cpi covers an L1 hit), so the path pays the memory
 * stall, what the memory system answers beyond an L1 hit (misses,
 * upgrades, coherence, bus waits), as in the textbook decomposition
 * CPU time = (instructions x CPI + memory stall cycles) x cycle time
 * (Hennessy and Patterson, "Computer Architecture: A Quantitative
 * Approach", 5th ed., section B.1). */
void k_touch(k_core *c, uint64_t paddr, uint64_t len, bool write);
static inline void *k_ram(const k_kernel *k, uint64_t paddr)
{
    return hwmem_ram(k->h->mem, paddr);
}
/* Read or write a field of an object (charged). */
#define K_RD(c, type, paddr, field) \
    (k_touch((c), (paddr) + offsetof(type, field), sizeof(((type *)0)->field), false), \
     ((type *)k_ram((c)->k, (paddr)))->field)
#define K_WR(c, type, paddr, field, value) \
    do { \
        k_touch((c), (paddr) + offsetof(type, field), sizeof(((type *)0)->field), true); \
        ((type *)k_ram((c)->k, (paddr)))->field = (value); \
    } while (0)
/* The object without charge (checker, tests, or after an explicit k_touch). */
#define K_OBJ(k, type, paddr) ((type *)k_ram((k), (paddr)))

/* ---- shared by every kernel file ------------------------------------------ */

/* A system call's result: its error, or COS_OK and up to four words. */
#define K_RET(e) ((cos_ret){ .err = (e) })
/* In a decoder (returns cos_err): stop at the first refusal. */
#define K_TRY(x) do { cos_err e_ = (x); if (e_) return e_; } while (0)

/* The host record of the thread object at obj. */
static inline k_thread *k_thread_of(k_kernel *k, uint64_t obj)
{
    uint32_t id = K_OBJ(k, k_thd_o, obj)->id;
    g_assert(id >= 1 && id <= k->threads->len);
    return g_ptr_array_index(k->threads, id - 1);
}

/* A thread object's id for the trace (SIM_NONE for none). */
static inline int64_t k_thd_id(k_kernel *k, uint64_t thd)
{
    return thd ? (int64_t)K_OBJ(k, k_thd_o, thd)->id : SIM_NONE;
}

/* Whole cycles of the machine's cores in ps (rounded down). */
static inline uint64_t k_cycles_at(const k_kernel *k, sim_time_t ps)
{
    return hwtimer_ticks_at(k->h->cfg.freq_hz, 1, ps);
}
static inline uint64_t k_cycles_now(const k_kernel *k)
{
    return k_cycles_at(k, sim_now(k->s));
}

/* Kernel events in the trace (names in boot.c); no cost, at the current
 * time. */
enum { K_EV_SWITCH, K_EV_SINV, K_EV_SRET, K_EV_SEND, K_EV_RCV, K_EV_IRQ, K_EV_EXPIRE, K_EV_TIMEOUT,
       K_EV_FAULT, K_EV_ERROR, K_EV_EXIT, K_EV_ULSWITCH, K_EV_KINDS };
static inline void k_trace(k_core *c, unsigned kind, int64_t thread, int64_t comp, int64_t a0, int64_t a1, int64_t a2)
{
    k_kernel *k = c->k;
    if (!k->cfg.trace)
        return;
    sim_event(k->s, k->kind[kind], (int64_t)k->h->core_base + c->id, thread, comp, a0, a1, a2, NULL);
}
