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
#include "kernel/layout.h"
#include <stddef.h>
#include "sim/sim.h"

/* The objects' layouts are in kernel/layout.h (freestanding: the kernel's
 * fast paths compiled for each target ISA, kernel/fast/, share them). */
typedef struct k_pgtbl_o {
    K_PGTBL_HEAD
    hwmpu mpu;              /* the MPU layout (MPU machines) */
    uint64_t region_first[HWMPU_MAX_REGIONS];   /* pages mapped per region (references) */
    uint64_t region_pages[HWMPU_MAX_REGIONS];
    /* MMU machines: where the domain's user code resumes (the latest page
     * mapped COS_MAP_EXEC) and its user stack (COS_MAP_STACK); `uva` says
     * which of the two is set (K_UVA_CODE, K_UVA_STACK).  Unmapping the
     * page clears it.  k_pgtbl_resume translates them. */
    uint64_t code_va, stack_va;
    uint32_t uva;
} k_pgtbl_o;
enum { K_UVA_CODE = 1u, K_UVA_STACK = 2u };
_Static_assert(offsetof(k_pgtbl_o, root) == offsetof(k_pgtbl_head, root), "k_pgtbl_head is k_pgtbl_o's head");
_Static_assert(offsetof(k_pgtbl_o, asid) == offsetof(k_pgtbl_head, asid), "k_pgtbl_head is k_pgtbl_o's head");
_Static_assert(sizeof(k_pgtbl_head) <= offsetof(k_pgtbl_o, mpu), "k_pgtbl_head is k_pgtbl_o's head");

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
    uint64_t p_walk, p_walks;   /* TLB refills of the user pages the return touches: cycles, walks */
    bool ul_dirty;           /* a user-level dispatch since the kernel last ran here */
} k_core;

/* Kernel code steps: each has an instruction count and a place in the
 * kernel's text; running one charges its instructions (x cpi) and the
 * fetch of its text lines through the instruction cache.  Each has a
 * freestanding twin in kernel/fast/fast.c, whose compiled code gives both
 * (kernel/path_counts.h). */
typedef enum {
    K_P_ENTRY,      /* trap entry: save the user context on the kernel stack, decode the op */
    K_P_EXIT,       /* return to user: restore, return value */
    K_P_CAP,        /* decode one capability: bounds, index split, two loads, free and type checks */
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
    /* the kernel's code on this machine's ISA (kernel/path.c) */
    unsigned step_instr[K_P_STEPS];             /* instructions per step */
    uint64_t text_off[K_P_STEPS], text_len[K_P_STEPS], text_bytes;
    unsigned ul_dispatch_instr;                 /* the user-level dispatch */
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


/* The machine's counts and the text's layout, before the text is placed. */
void k_path_init(k_kernel *k);
uint64_t k_path_text_bytes(const k_kernel *k);
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
