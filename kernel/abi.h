/* kernel/abi.h: the kernel's ABI, as user level sees it.
 *
 * The one kernel header that components/ may include (docs/kernel-abi.md
 * documents every call).  User-level code runs as simulated threads; it
 * reaches the kernel only through cos_call (a system call: the trap into
 * the kernel, whose path the machine model costs) and reaches the machine
 * through the cos_ machine calls at the end (compute, touch memory, read
 * the cycle counter), which are what user code does, not kernel paths.
 *
 * Every system call decodes first (every capability looked up and typed,
 * every argument checked) and changes nothing unless all of it is valid:
 * an error code comes back and the kernel's state is as it was.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/trace_names.h"

/* Every system call returns one of these; no input from user level makes
 * the kernel do anything else. */
typedef enum cos_err {
    COS_OK = 0,
    COS_ERANGE,       /* an address, index or id outside what exists */
    COS_EALIGN,       /* an address not aligned as the object needs */
    COS_ETYPE,        /* a capability or page of the wrong type */
    COS_EBUSY,        /* still referenced, or the object is in a state that forbids it */
    COS_EQUIESCE,     /* freed too recently to be reused (quiescence) */
    COS_EEXIST,       /* the slot or node is already in use */
    COS_ENOENT,       /* nothing there */
    COS_EINVAL,       /* an argument that makes no sense for this call */
    COS_EPERM,        /* the capability does not allow this caller to do it */
    COS_EDEPTH,       /* invocation stack or delegation list full */
    COS_ENOMEM,       /* a pool or ring given to the kernel is exhausted */
    COS_ESTALE,       /* scheduling token older than the latest event: re-read events */
    COS_EFAULT,       /* a user memory access faulted (MMU or MPU) */
    COS_ECORE,        /* the object belongs to another core */
    COS_ERRS
} cos_err;

const char *cos_err_name(cos_err e);

/* Capability types. */
typedef enum cos_cap_type {
    COS_CAP_FREE = 0,
    COS_CAP_CAPTBL,
    COS_CAP_PGTBL,    /* a page table, or an MPU layout on an MPU machine */
    COS_CAP_COMP,
    COS_CAP_THREAD,
    COS_CAP_SINV,
    COS_CAP_SRET,     /* reserved: returns are implicit (the entry function returning) */
    COS_CAP_ASND,
    COS_CAP_RCV,
    COS_CAP_TCAP,
    COS_CAP_HW,
    COS_CAP_KMEM,
    COS_CAP_TYPES
} cos_cap_type;

/* A capability id: an index into the calling component's table. */
typedef uint32_t cos_capid;
typedef uint32_t cos_thdid;
typedef uint64_t cos_word;

#define COS_PAGE_SIZE 4096u

/* ---- system calls ----------------------------------------------------------
 * cos_call(op, cap, a0..a4): `cap` is the capability the call is made
 * through (its type is checked against the op); the a's as listed.  The
 * result: err, and up to four words r[]. */
typedef enum cos_op {
    /* thread-migration invocation: cap = sinv; a0..a3 passed to the
     * server's entry; r[0] = its return value.  (The return, sret, happens
     * when the entry function returns.) */
    COS_OP_SINV = 1,
    /* asynchronous endpoints */
    COS_OP_ASND,          /* cap = asnd; a0: 1 = yield to the scheduler afterwards */
    COS_OP_RCV,           /* cap = rcv (the caller's own); a0: COS_RCV_NONBLOCK; r[0] = pending count taken */
    COS_OP_ASND_RCV,      /* cap = asnd, a0 = rcv: send, then receive (block) on rcv in one call */
    /* scheduling */
    COS_OP_SCHED_RCV,     /* cap = rcv (a scheduler's); a0: COS_RCV_NONBLOCK; r[0] = thread id (0: none),
                           * r[1] = COS_SCHED_EV_* flags, r[2] = cycles the thread ran since its last
                           * event, r[3] = the token to dispatch with */
    COS_OP_THD_SWITCH,    /* cap = thread; a0 = tcap (0: keep the thread's), a1 = priority for the
                           * caller's scheduler (0: unchanged), a2 = timeout (absolute cycles; 0 none),
                           * a3 = the caller's scheduler rcv (0: no token check), a4 = token */
    /* temporal capabilities */
    COS_OP_TCAP_TRANSFER, /* cap = src tcap; a0 = rcv (its tcap receives), a1 = cycles (0: all),
                           * a2 = priority for src's scheduler */
    COS_OP_TCAP_DELEGATE, /* cap = src tcap; a0 = asnd (its rcv's tcap receives, then the send),
                           * a1 = cycles, a2 = priority, a3 = 1: yield */
    COS_OP_TCAP_MERGE,    /* cap = dst tcap; a0 = captbl, a1 = slot of the tcap to merge and remove */
    /* capability tables and memory */
    COS_OP_CAP_COPY,      /* cap = dst captbl; a0 = dst slot, a1 = src cap (caller's table) */
    COS_OP_CAP_REMOVE,    /* cap = captbl; a0 = slot */
    COS_OP_KMEM_NARROW,   /* cap = kmem; a0 = dst captbl, a1 = dst slot, a2 = first page (relative),
                           * a3 = pages */
    COS_OP_KMEM_RETYPE,   /* cap = kmem; a0 = page (relative), a1 = COS_MEM_* from, a2 = to */
    COS_OP_CAPTBL_EXPAND, /* cap = captbl; a0 = level-1 index, a1 = kmem, a2 = page */
    /* object creation: cap = kmem, a0 = page (a kernel page, unused), a1 = slot in the
     * caller's table for the new capability, then per type: */
    COS_OP_CAPTBL_ALLOC,  /* (none) */
    COS_OP_PGTBL_ALLOC,   /* a2 = pages in the pool (consecutive kernel pages from a0: the
                           * object, the root table and every table the maps need) */
    COS_OP_COMP_ALLOC,    /* a2 = captbl, a3 = pgtbl, a4 = image id; r[0] = the new component's id (what
                           * the trace names it by: the events' `component` column) */
    COS_OP_THD_ALLOC,     /* a2 = comp, a3 = entry index in the comp's image, a4 = argument;
                           * r[0] = the new thread's id */
    COS_OP_SINV_ALLOC,    /* a2 = server comp, a3 = entry index */
    COS_OP_RCV_ALLOC,     /* a2 = thread (its owner), a3 = tcap, a4 = scheduler rcv (0: a root) */
    COS_OP_ASND_ALLOC,    /* a2 = rcv */
    COS_OP_TCAP_ALLOC,    /* (none): zero budget, on the caller's core */
    /* memory mapping: cap = pgtbl */
    COS_OP_PGTBL_MAP,     /* a0 = vaddr, a1 = kmem, a2 = page (relative, a user page), a3 = COS_MAP_* */
    COS_OP_MPU_REGION,    /* MPU machines: a0 = region, a1 = kmem, a2 = first page, a3 = log2 bytes
                           * (>= 12), a4 = COS_MAP_*; a1 = 0 clears the region */
    /* hardware: cap = hw */
    COS_OP_HW_ATTACH,     /* a0 = line, a1 = rcv */
    COS_OP_HW_DETACH,     /* a0 = line */
    COS_OP_HW_FLUSH,      /* write back and drop every cache line, flush this core's TLB (cold-cache
                           * benchmarks) */
    /* temporal capabilities, read */
    COS_OP_TCAP_BUDGET,   /* cap = tcap (of this core); r[0] = its budget left (COS_BUDGET_INF: infinite) */
    COS_OP_PGTBL_UNMAP,   /* cap = pgtbl; a0 = vaddr (a 4 KiB page mapped by PGTBL_MAP); r[0] = the other
                           * cores sent a TLB shootdown.  The frame may be retyped after the quiescence
                           * period (by then every shootdown has been taken) */
    COS_OP_KMEM_INFO,     /* cap = kmem; r[0] = the physical address of its first page, r[1] = its pages
                           * (an MPU machine's components address memory physically) */
    COS_OPS
} cos_op;

#define COS_RCV_NONBLOCK 1u

#define COS_MEM_UNTYPED 0u
#define COS_MEM_KERNEL 1u
#define COS_MEM_USER 2u

#define COS_MAP_WRITE 1u
/* MMU machines: the page holds code.  The latest page a domain maps with
 * EXEC is where its threads' user code resumes: the kernel's return to
 * user level in that domain fetches there through the TLB (a walk when the
 * translation is not cached). */
#define COS_MAP_EXEC 2u
/* MMU machines: the page holds the domain's user stacks.  The latest page
 * a domain maps with STACK is written when its user code resumes (the
 * stub's first push or pop), through the TLB like the fetch above.  Both
 * are docs/kernel-abi.md's "returning to user level"; MPU_REGION refuses
 * STACK (an MPU has no TLB). */
#define COS_MAP_STACK 4u

/* Scheduling events (r[1] of COS_OP_SCHED_RCV). */
#define COS_SCHED_EV_BLOCKED 1u   /* the thread blocked (it is not runnable) */
#define COS_SCHED_EV_WOKEN 2u     /* the thread became runnable */
#define COS_SCHED_EV_EXPIRED 4u   /* the tcap it ran under ran out of budget */
#define COS_SCHED_EV_TIMEOUT 8u   /* the timeout given to a switch passed */
#define COS_SCHED_EV_EXITED 16u   /* the thread's function returned: it never runs again */
#define COS_SCHED_EV_MORE 256u    /* more events are queued */
#define COS_SCHED_EV_RUNNABLE 512u /* the thread is runnable now */

/* Priorities: 1 is the highest; larger numbers are lower. */
#define COS_PRIO_MAX 1u
#define COS_PRIO_MIN 0xFFFFu
#define COS_BUDGET_INF UINT64_MAX

/* Limits. */
#define COS_INV_DEPTH 16u        /* invocation stack entries per thread */
#define COS_TCAP_DELEGS 8u       /* delegation-list entries per tcap */

/* The boot component's table (what the kernel creates before the booter
 * runs).  Per core c: its initial thread, its root tcap (infinite budget)
 * and its root scheduler rcv, owned by that thread. */
#define COS_BOOT_CAPTBL 1u
#define COS_BOOT_PGTBL 2u
#define COS_BOOT_COMP 3u
#define COS_BOOT_KMEM 4u          /* every page not used at boot, untyped */
#define COS_BOOT_HW 5u
#define COS_BOOT_THD(c) (16u + 3u * (c))
#define COS_BOOT_TCAP(c) (17u + 3u * (c))
#define COS_BOOT_RCV(c) (18u + 3u * (c))
#define COS_BOOT_FREE 256u        /* the first slot the booter may use; slots up to 511 exist */

typedef struct cos_ret {
    cos_err err;
    cos_word r[4];
} cos_ret;

/* The system call. */
cos_ret cos_call(cos_op op, cos_capid cap, cos_word a0, cos_word a1, cos_word a2, cos_word a3, cos_word a4);

/* ---- component images ------------------------------------------------------
 * A component's code is host C, registered with the kernel before boot as
 * an image: a name and its entry functions.  COMP_ALLOC names an image by
 * id; SINV_ALLOC and THD_ALLOC name an entry by index, so user level never
 * hands the kernel a code address. */
typedef cos_word (*cos_entry_fn)(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3);
typedef struct cos_image {
    const char *name;
    const cos_entry_fn *entries;
    unsigned nentries;
} cos_image;

/* ---- the machine, as user code sees it -------------------------------------
 * Not system calls: what user code costs on the core. */
/* Run n cycles of user code (preemptible: an interrupt takes the core and
 * the rest runs when the thread is dispatched again). */
void cos_compute(uint64_t cycles);
/* Load or store len bytes at vaddr of the current component (at most a
 * page): translation (MMU or MPU) and caches, line after line, each when
 * the one before it has completed (model/stream.h: other cores' accesses
 * come between them in time order; an interrupt preempts it and the rest
 * goes on when the thread runs again); COS_EFAULT if the access is not
 * allowed. */
cos_err cos_touch(uint64_t vaddr, uint64_t len, bool write);
/* The same while computing `cycles` of user code: the work is spread
 * evenly over the lines (before each of n lines, its share), the accesses
 * wait for it and it for them (an in-order core, one miss outstanding). */
cos_err cos_touch_compute(uint64_t vaddr, uint64_t len, bool write, uint64_t cycles);
/* Load or store a word (8 bytes) at each of n addresses of the current
 * component, in order (at most COS_TOUCH_WORDS_MAX): what a scan of n
 * records costs, each access charged as cos_touch would, at the time the
 * ones before it end; the first that faults stops it (COS_EFAULT).  One
 * request for the lot: the simulator's cost of a scan stays one event (and
 * one per other event due while it runs: model/stream.h). */
#define COS_TOUCH_WORDS_MAX 4096u
cos_err cos_touch_words(const uint64_t *vaddrs, unsigned n, bool write);
/* What a short piece of code over records costs, as one request: n
 * instructions of straight-line user code (as cos_instructions) spread
 * evenly before the words, a load of the word at each of vaddrs[0, nread)
 * and a store to each of vaddrs[nread, n), in order (nread <= n <=
 * COS_TOUCH_WORDS_MAX).  A queue operation is one (a heap's compared
 * records read, its moved entries written). */
cos_err cos_touch_words_rw(const uint64_t *vaddrs, unsigned n, unsigned nread, uint64_t instructions);
/* The core's cycle counter (RDTSC, PMCCNTR, DWT CYCCNT). */
uint64_t cos_cycles(void);
/* The calling thread's id and core. */
cos_thdid cos_thdid_self(void);
unsigned cos_core(void);
/* A figure the code reports to the scenario (the trace's `reports` table). */
void cos_report(const char *key, int64_t value);
/* Run n instructions of straight-line user code (n x the core's cpi, as
 * cos_compute): what user-level bookkeeping such as a scheduler's decision
 * costs, given by its instruction count rather than in cycles. */
void cos_instructions(uint64_t n);

/* ---- instrumentation -------------------------------------------------------
 * What user-level code records in the trace, free of simulated time (like
 * a logging build's ring buffer read out after the run).  The trace knows
 * nothing of what user level records: a component registers each kind of
 * event and each table of its own once, by name (sim/trace_names.h names
 * the ones the bundled components write), and then records by number,
 * with nothing formatted or looked up per record. */
typedef uint32_t cos_tkind;
/* The number of event kind `name` (e.g. TRN_U_SCHED, "u.sched"), the same
 * for every call with that name; 0 when it cannot be had. */
cos_tkind cos_trace_kind(const char *name);
/* An event of kind k with the calling thread, its core and component, and
 * three arguments (nothing without a trace of kernel events). */
void cos_trace_ev(cos_tkind k, int64_t a0, int64_t a1, int64_t a2);

/* A column of a user table: what a row's value in it is. */
typedef enum cos_tcol_kind {
    COS_TCOL_INT = 0,      /* the value as given */
    COS_TCOL_TIME,         /* a time in the core's cycles, written in picoseconds */
    COS_TCOL_SPAN,         /* the row's TIME column `to` minus its TIME column `from`, in picoseconds (0 if
                            * negative): a duration that agrees exactly with the times written */
    COS_TCOL_CORE,         /* the calling thread's core, numbered across the run's machines (value unused) */
    COS_TCOL_THREAD,       /* the calling thread's id (value unused) */
} cos_tcol_kind;
typedef struct cos_tcol {
    const char *name;
    uint8_t kind;          /* cos_tcol_kind */
    uint8_t from, to;      /* COS_TCOL_SPAN: the columns it spans */
} cos_tcol;
#define COS_TCOLS_MAX 16u
/* The number of user table `name` with these columns (at most
 * COS_TCOLS_MAX), made at the first call; a later call with the name
 * gets the same table (several systems in one run write one table).
 * 0: it cannot be had (bad columns). */
uint32_t cos_trace_table(const char *name, const cos_tcol *cols, unsigned ncols);
/* A row of table t: one value per column. */
void cos_trace_row(uint32_t t, const int64_t *values, unsigned n);

/* ---- the user-level dispatch (Slite) ---------------------------------------
 * Switch from the calling thread to thread `thd` (a capability in the
 * caller's table) without a system call: the registers are saved and
 * loaded at user level and the core's current-thread word, shared with the
 * kernel, is rewritten; the kernel sees the change the next time it is
 * entered on this core and charges its repair there.  Refused (and nothing
 * changes) unless it is safe without the kernel: the target is a runnable
 * thread of the same component on this core, not the caller, that would
 * run under the tcap running now (so no budget timer or priority changes).
 * COS_ENOENT (an empty slot), COS_EINVAL (not a thread, the caller,
 * another component's, in an invocation, exited or blocked), COS_ECORE
 * (another core), COS_EPERM (it has a tcap of its own, from its last
 * dispatch, other than the one running).  The
 * switch itself costs only user-level instructions: its checks, a store
 * and a load per register of the register file, and the shared word, as
 * counted on the machine's ISA (kf_ul_dispatch in kernel/fast/fast.c;
 * kernel/path_counts.h). */
cos_err cos_ul_switch(cos_capid thd);

/* ---- a component's data ----------------------------------------------------
 * What a component's C code keeps between calls, its globals, is a block of
 * host memory that stands for its own memory: the component's memory
 * holds the same layout at addresses its booter gave it, and the component
 * charges its accesses there (cos_touch).  Each component has its own
 * block; a thread reaches only the block of the component it runs in, so
 * no component can reach another's state except through a capability.
 * Neither call costs simulated time (what the block stands for is already
 * in the component's memory). */
#define COS_COMP_DATA_MAX ((size_t)64 << 20)
/* The block of the component the calling thread runs in now (the top of
 * its invocation stack); NULL if it has none.  The boot component's is the
 * description the system's host side gave the kernel (k_config.boot_data). */
void *cos_comp_data(void);
/* The block of component `comp`, a COMP capability in the caller's table:
 * made, zeroed, at the first call, with `bytes` (1..COS_COMP_DATA_MAX); a
 * later call must ask for the same size.  What a booter, as a loader,
 * writes a component's initial data through.  NULL: not a COMP capability,
 * no such size, or another size than the first call's. */
void *cos_comp_load(cos_capid comp, size_t bytes);
