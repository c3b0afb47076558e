/* model/irq_state.h: the interrupt controller's state, its invariants, and
 * the ops table behind which the three controllers differ.  Internal to
 * model/irq*.c: everyone else uses model/irq.h.
 *
 * The files of the module, each calling only the ones below it (so that no
 * two objects call each other, scripts/check-layout.py):
 *
 *   irq_source.c   device interrupt sources; they raise lines through irq.h,
 *                  as a device's wire would.
 *   irq.c          the public API of irq.h: creation, raising and routing,
 *                  IPIs, acknowledge and EOI, masks, queries, invariants.
 *                  It picks the controller's ops table once, in hwirq_new,
 *                  and calls through it wherever the controllers differ.
 *   irq_lapic.c    x86 local APIC  }  one controller each: which lines exist
 *   irq_gic.c      ARM GICv2, v3   }  and what they may do, priorities, what
 *   irq_nvic.c     ARMv7-M NVIC    }  the core may take, EOI or return
 *   irq_state.c    the mechanics every file shares: signalling the core,
 *                  pending -> active, the priority scan; the module's names
 *                  and error domain.  It reaches the controllers only
 *                  through the ops table.
 *
 * Section marks (*) as in irq.h: numbers from memory, not re-read.
 */
#pragma once

#include "model/irq.h"

/* ---- state ---------------------------------------------------------------
 *
 * Per core (arrays indexed by core, as every per-core thing here): banked
 * lines - every LAPIC vector, the GIC's SGIs/PPIs (IDs 0-31), every NVIC
 * exception - keep their pending/active/enabled bits and priorities in the
 * core's own bitmaps.  Shared lines, from nbanked up (GIC SPIs, IDs 32+),
 * keep theirs in the controller's sh_* arrays, with the target core they are
 * routed to and, while active, the core that acknowledged them.
 *
 * Invariants (checked by hwirq_verify, irq.c and each controller's
 * verify_core):
 *  I1 no bit is set at or above nlines, nor for LAPIC vectors 0-15 (those
 *     are illegal, SDM 10.5.3, and are refused at the door), nor for
 *     reserved NVIC exception numbers;
 *  I2 GIC: an SGI is pending on a core iff some sender's bit is set in
 *     sgi_src, and only bits of existing cores are set; GICv3: no sender
 *     bit is ever set (its SGIs carry none);
 *  I3 with a stack (GIC/NVIC): the active stack holds exactly the lines
 *     active on that core, each once, in the order they were acknowledged;
 *     the LAPIC keeps no stack (its in-service order is the ISR itself,
 *     SDM 10.8.5);
 *  I4 GIC: the group priorities on the stack strictly decrease (numerically)
 *     from bottom to top: an interrupt is acknowledged only if its group
 *     priority beats the running priority (IHI 0048B 3.3 (*), "Preemption");
 *  I5 a shared line is active iff sh_active_on names a core, and that core's
 *     stack holds it; its target is an existing core;
 *  I6 the IPI FIFO of a core is ordered by arrival time, and its event is
 *     scheduled iff the FIFO is not empty, at the head's time;
 *  I7 a running source has its event scheduled at its `next` time.
 *
 * Why a FIFO for IPIs: the latency is one constant, so IPIs to one core
 * arrive in the order they were sent; one event per core, scheduled at the
 * head, serves any number in flight without allocating per IPI.
 */

#define HWIRQ_NO_CORE 0xFFFFu
#define HWIRQ_NO_SOURCE 0xFFu
#define HWIRQ_GIC_SGIS 16u        /* GIC SGIs 0-15, kept per sender in hwirq_core */

typedef struct hwirq_ops hwirq_ops;

typedef struct hwirq_frame {     /* one acknowledged, not yet ended interrupt */
    uint16_t line;
    uint8_t source;              /* GIC SGI sender, else HWIRQ_NO_SOURCE */
    int16_t group;               /* its group priority at acknowledge: the GIC's running
                                  * priority (the NVIC recomputes its execution priority
                                  * from the current priorities, as its pseudocode does) */
} hwirq_frame;

typedef struct hwirq_flight {    /* an IPI on its way */
    sim_time_t when;
    uint16_t line;
    uint16_t from;
} hwirq_flight;

typedef struct hwirq_core {
    hwirq *c;
    unsigned index;
    simq_event signal_ev;        /* at HWIRQ_PRIO_SIGNAL: tell the core about its best line */
    simq_event ipi_ev;           /* at HWIRQ_PRIO_RAISE: the head of the IPI FIFO lands */
    uint64_t *pending, *active, *enabled;   /* banked lines, nbanked bits each */
    uint8_t *prio;               /* banked priorities (GIC SGI/PPI, NVIC); unused on the LAPIC */
    uint8_t sgi_src[HWIRQ_GIC_SGIS];   /* GIC: senders of each pending SGI, bit per core */
    hwirq_frame *stack;          /* GIC, NVIC: active interrupts, oldest first */
    unsigned depth;
    unsigned threshold;          /* TPR / PMR / BASEPRI, as written (implemented bits only) */
    unsigned bp;                 /* GIC BPR / NVIC PRIGROUP */
    bool masked;                 /* PRIMASK, or the core's IF/I flag */
    bool faultmask;              /* NVIC FAULTMASK */
    unsigned signalled;          /* the line the last signal evaluation reported, or HWIRQ_NONE */
    hwirq_flight *fifo;          /* ring buffer of IPIs in flight to this core */
    unsigned fifo_head, fifo_len, fifo_cap;
} hwirq_core;

struct hwirq_source {
    simq_event ev;               /* first member: the handler casts back */
    hwirq *c;
    enum { HWIRQ_SRC_PERIODIC, HWIRQ_SRC_SPORADIC, HWIRQ_SRC_LIST } kind;
    unsigned core, line;
    bool stopped;
    sim_time_t next;             /* time of the next raise, SIM_TIME_MAX when done */
    sim_time_t period;           /* periodic */
    sim_time_t min_gap, extra;   /* sporadic */
    hwirq_extra_dist dist;
    simrng rng;
    sim_time_t *times;           /* list */
    size_t ntimes, pos;
    hwirq_source_stats st;
};

struct hwirq {
    sim *s;
    const hwirq_ops *ops;        /* the controller's rules, chosen by hwirq_new */
    unsigned ncores, nlines;
    unsigned nbanked;            /* lines kept per core: LAPIC 256, GIC 32, NVIC nlines */
    unsigned words;              /* 64-bit words per banked bitmap */
    unsigned swords;             /* 64-bit words per shared-line bitmap (0 without shared lines) */
    unsigned prio_mask;          /* implemented priority bits, e.g. 0xF8 for 5 bits */
    sim_time_t ipi_latency;
    hwirq_signal_fn signal;
    void *core_ctx;
    hwirq_core *cores;
    /* Shared lines (GIC SPIs), indexed by line; entries below nbanked unused. */
    uint64_t *sh_pending, *sh_active, *sh_enabled;
    uint8_t *sh_prio;
    uint16_t *sh_target, *sh_active_on;
    GPtrArray *sources;          /* hwirq_source *, in creation order */
};

/* ---- the ops table -------------------------------------------------------
 *
 * One per controller, constant, chosen once by hwirq_new from the
 * configuration's kind.  The generic code (irq.c) checks arguments, keeps
 * the bitmaps, the stack, the routing of shared lines and the IPIs, and asks
 * the controller wherever the manuals differ.  A NULL hook means "the
 * generic behaviour", as each comment says.
 */

/* What the generic code allocates for a configuration. */
typedef struct hwirq_shape {
    unsigned nlines;             /* lines on the controller */
    unsigned nbanked;            /* lines 0..nbanked-1 are per core; the rest are shared */
    unsigned prio_mask;          /* implemented priority bits */
    unsigned prio_reset;         /* every programmable priority at start */
    unsigned threshold_reset;    /* every core's threshold at start */
} hwirq_shape;

/* What a line is asked to do, for hwirq_ops.check. */
typedef enum {
    HWIRQ_USE_RAISE,             /* become pending (and hwirq_check_line) */
    HWIRQ_USE_CLEAR,             /* be cleared while pending */
    HWIRQ_USE_ENABLE,            /* be enabled or disabled */
    HWIRQ_USE_PRIORITY,          /* have its priority programmed */
    HWIRQ_USE_IPI,               /* be sent from core to core */
} hwirq_use;

struct hwirq_ops {
    hwirq_kind kind;
    /* Properties the generic code reads. */
    bool stacked;        /* active interrupts kept on a stack of frames, priorities
                          * programmable per line (GIC, NVIC); without: the LAPIC,
                          * whose ISR is its own order and whose vector is its priority */
    bool shared_lines;   /* lines from nbanked up are shared and routed to one target
                          * core each (GIC SPIs) */
    bool binary_point;   /* priority grouping exists (GIC BPR, NVIC PRIGROUP) */
    bool faultmask;      /* FAULTMASK exists (NVIC) */

    /* hwirq_new, after the kind and ncores are checked: check the
     * controller's own fields and give the shape, or fail with
     * HWIRQ_ERROR_CONFIG naming the field. */
    bool (*configure)(const hwirq_config *cfg, hwirq_shape *shape, GError **error);
    /* May `line` (below nlines) be used so?  HWIRQ_OK or the status that
     * refuses it. */
    hwirq_status (*check)(unsigned line, hwirq_use use);
    /* May a device source raise `line` (below nlines)?  Else an error
     * saying why. */
    bool (*device_line)(unsigned line, GError **error);

    /* The priority of `line` as seen by `core` (hwirq_priority). */
    int (*line_prio)(const hwirq *c, unsigned core, unsigned line);
    /* The priority `core` runs at (hwirq_running_priority). */
    int (*running_priority)(const hwirq *c, unsigned core);
    /* The best interrupt deliverable to `core` now, or HWIRQ_NONE
     * (hwirq_pending).  No state changes. */
    unsigned (*pending)(const hwirq *c, unsigned core);

    /* Make a legal `line` pending on `core` (its owner), raised by `source`
     * (the sending core, for IPIs).  NULL: hwirqst_mark_pending. */
    hwirq_status (*raise)(hwirq *c, unsigned core, unsigned line, unsigned source);
    /* On acknowledge, `line` stops being pending; returns the sender to
     * report, or HWIRQ_NO_SOURCE.  NULL: hwirqst_unpend. */
    unsigned (*take)(hwirq *c, unsigned core, unsigned line);
    /* Before hwirq_clear_pending clears the pending bit: drop what the
     * controller keeps beside it.  NULL: nothing. */
    void (*forget)(hwirq *c, unsigned core, unsigned line);
    /* hwirq_eoi.  NULL: the controller ends interrupts otherwise (the
     * NVIC by exception return, irq_nvic.c), and hwirq_eoi is misuse. */
    hwirq_status (*eoi)(hwirq *c, unsigned core, unsigned line);

    /* The controller's own invariants of core k (irq_state.h's list). */
    bool (*verify_core)(const hwirq *c, unsigned k);
};

extern const hwirq_ops hwirq_lapic_ops;
extern const hwirq_ops hwirq_gic_ops;
extern const hwirq_ops hwirq_nvic_ops;
extern const hwirq_ops hwirq_gicv3_ops;

/* ---- small helpers ------------------------------------------------------ */

static inline bool hwirqst_bit_get(const uint64_t *m, unsigned i) { return (m[i >> 6] >> (i & 63)) & 1u; }
static inline void hwirqst_bit_set(uint64_t *m, unsigned i) { m[i >> 6] |= UINT64_C(1) << (i & 63); }
static inline void hwirqst_bit_clr(uint64_t *m, unsigned i) { m[i >> 6] &= ~(UINT64_C(1) << (i & 63)); }

static inline hwirq_core *hwirqst_core(const hwirq *c, unsigned core)
{
    g_assert(core < c->ncores);
    return &c->cores[core];
}

static inline void hwirqst_check_line(const hwirq *c, unsigned line)
{
    g_assert(line < c->nlines);
}

static inline bool hwirqst_banked(const hwirq *c, unsigned line) { return line < c->nbanked; }

/* The core that a line's state belongs to for a raise from `core`: its own
 * for banked lines, the target for shared ones. */
static inline unsigned hwirqst_owner(const hwirq *c, unsigned core, unsigned line)
{
    return hwirqst_banked(c, line) ? core : c->sh_target[line];
}

/* The group priority: bits [bp:0] cleared (IHI 0048B 3.3 (*) "Priority
 * grouping"; DDI 0403E B1.5.4 (*) and its ExecutionPriority() pseudocode,
 * where groupvalue = 2 << PRIGROUP; the split matches the PRIGROUP table of
 * the Cortex-M3 TRM, Table 5-3).  Fixed negative priorities stay as they are. */
static inline int hwirqst_group(int prio, unsigned bp)
{
    if (prio < 0)
        return prio;
    return prio & ~((2 << bp) - 1);
}

/* Per-line state, banked or shared. */
static inline bool hwirqst_pending(const hwirq *c, unsigned core, unsigned line)
{
    return hwirqst_banked(c, line) ? hwirqst_bit_get(c->cores[core].pending, line)
                                   : hwirqst_bit_get(c->sh_pending, line);
}

static inline bool hwirqst_active(const hwirq *c, unsigned core, unsigned line)
{
    if (hwirqst_banked(c, line))
        return hwirqst_bit_get(c->cores[core].active, line);
    return hwirqst_bit_get(c->sh_active, line) && c->sh_active_on[line] == core;
}

static inline bool hwirqst_enabled(const hwirq *c, unsigned core, unsigned line)
{
    return hwirqst_banked(c, line) ? hwirqst_bit_get(c->cores[core].enabled, line)
                                   : hwirqst_bit_get(c->sh_enabled, line);
}

/* A programmed priority (controllers with a stack). */
static inline int hwirqst_prio(const hwirq *c, unsigned core, unsigned line)
{
    return hwirqst_banked(c, line) ? c->cores[core].prio[line] : c->sh_prio[line];
}

/* ---- mechanics (irq_state.c) -------------------------------------------- */

/* Something about `core` changed: evaluate its best line at
 * HWIRQ_PRIO_SIGNAL this picosecond, after every raise due now. */
void hwirqst_kick(hwirq *c, unsigned core);
/* The core itself changed its state (ack, EOI, masks): whatever it was told
 * before no longer stands; `may_uncover`: something may now be deliverable. */
void hwirqst_core_acted(hwirq *c, unsigned core, bool may_uncover);
/* The handler of each core's signal_ev. */
void hwirqst_signal_fire(void *owner, simq_event *ev);

/* Set `line` pending on `core` (its owner): HWIRQ_COALESCED if it already
 * was, else HWIRQ_OK and the core is kicked. */
hwirq_status hwirqst_mark_pending(hwirq *c, unsigned core, unsigned line);
/* Clear `line`'s pending bit (banked or shared); returns HWIRQ_NO_SOURCE. */
unsigned hwirqst_unpend(hwirq *c, unsigned core, unsigned line);
/* pending -> active for a line the controller chose; pushes a frame on
 * controllers with a stack.  Returns the sender (GIC SGIs) or
 * HWIRQ_NO_SOURCE. */
unsigned hwirqst_activate(hwirq *c, unsigned core, unsigned line);
/* active -> inactive (the caller pops the frame). */
void hwirqst_deactivate(hwirq *c, unsigned core, unsigned line);

/* Scan one bitmap of candidates (pending & enabled & not active), words
 * from_word..nwords-1, for the lowest (priority, line), updating *best_prio
 * and *best_line.  `shared`: only lines routed to `core` count. */
void hwirqst_scan_best(const hwirq *c, unsigned core, const uint64_t *pend, const uint64_t *en,
                       const uint64_t *act, unsigned from_word, unsigned nwords, bool shared,
                       int *best_prio, unsigned *best_line);

/* The per-core state that holds `member` (an engine event's owner). */
#define HWIRQ_CORE_OF(ptr, member) ((hwirq_core *)((char *)(ptr) - offsetof(hwirq_core, member)))

/* g_warning and return false from the enclosing function if cond fails. */
#define HWIRQ_VERIFY(cond, ...) do { if (!(cond)) { g_warning(__VA_ARGS__); return false; } } while (0)
