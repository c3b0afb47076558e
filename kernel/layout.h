/* kernel/layout.h: the kernel objects' layouts in simulated memory.
 *
 * Freestanding (the ABI header and the compiler's own headers only): the
 * simulated kernel (internal.h, captbl.h) and the freestanding twins of its
 * fast paths (kernel/fast/, compiled for each target ISA to count their
 * instructions, docs/calibration.md) include the same definitions, so the
 * objects the twins are counted on have the simulated kernel's layout.
 * Objects refer to each other by physical address (uint64_t on every ISA).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "kernel/abi.h"

/* Capability tables (captbl.h): a level-1 page of 512 eight-byte entries,
 * level-2 pages of 256 sixteen-byte slots. */
#define K_CT_L1 512u
#define K_CT_L2 256u
#define K_CT_MAX (K_CT_L1 * K_CT_L2)

typedef struct k_slot {
    uint16_t type;
    uint16_t flags;
    uint32_t epoch;
    uint64_t obj;
} k_slot;

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


/* A page table's or MPU layout's object starts with this; the rest (the
 * MPU layout, in the machine model's format) is in internal.h. */
#define K_PGTBL_HEAD \
    k_hdr h; \
    uint32_t asid, npages;  /* npages: the pool */ \
    uint64_t pool;          /* first page of the pool (this object's page) */ \
    uint64_t next;          /* first free byte of the pool */ \
    uint64_t root;          /* the top-level table (MMU); 0 on MPU machines */
typedef struct k_pgtbl_head {
    K_PGTBL_HEAD
} k_pgtbl_head;

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
