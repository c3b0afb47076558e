/* model/irq.h: interrupt controllers, IPIs and device interrupt sources.
 *
 * On citations: section numbers marked (*) are given from memory of the
 * documents and were not re-read while writing this; the rules they stand
 * for were checked against the manuals' text or a faithful excerpt where a
 * comment quotes them, and the few rules that could not be checked say so.
 *
 * One controller object (`hwirq`) models the interrupt controller of a whole
 * machine, in one of three flavours chosen at creation:
 *
 *  - HWIRQ_LAPIC: an x86 local APIC per core (Intel SDM vol. 3A,
 *    "Advanced Programmable Interrupt Controller"; section numbers below are
 *    those of the editions where the APIC is chapter 10; newer editions
 *    renumber it chapter 11, same subsections).  Lines are
 *    vectors 0-255; the priority of a vector is the vector itself, its
 *    priority class is vector >> 4.
 *  - HWIRQ_GIC: an ARM GICv2 distributor and one CPU interface per core
 *    (ARM IHI 0048B).  Lines are interrupt IDs: SGIs 0-15 and PPIs 16-31 are
 *    banked per core, SPIs 32..nlines-1 are shared and routed to one target
 *    core.  Lower priority value = higher priority.
 *  - HWIRQ_GICV3: an ARM GICv3 with affinity routing (ARM IHI 0069): the
 *    GICv2's lines, priorities, PMR, BPR and EOI, but one redistributor per
 *    core for SGIs and PPIs and no limit of 8 cores.  Core k's affinity is
 *    Aff1 = k / 16, Aff0 = k % 16 (hwirq_affinity); SGIs go to a target
 *    list within one Aff1 group (hwirq_ipi_targets) and carry no sender.
 *  - HWIRQ_NVIC: an ARMv7-M NVIC per core (ARM DDI 0403E.b, B1.5 and B3.4).
 *    Lines are exception numbers: 2 NMI, 3 HardFault, 4-6 MemManage/BusFault/
 *    UsageFault, 11 SVCall, 12 DebugMonitor, 14 PendSV, 15 SysTick, 16+
 *    external interrupts.  Lower priority value = higher priority.
 *
 * The controller decides which interrupt a core should take; the core model
 * (someone else's module) decides when it takes it, since kernel paths are
 * not preemptible.  The conversation is:
 *
 *   controller -> core:  signal(core_ctx, core, line), from an engine event,
 *                        when `line` has become the highest-priority
 *                        interrupt deliverable to that core;
 *   core -> controller:  hwirq_ack (take it: LAPIC INTA, GIC IAR read, NVIC
 *                        exception entry), hwirq_eoi (LAPIC EOI, GIC EOIR),
 *                        hwirq_return (NVIC exception return, which reports a
 *                        tail-chain), hwirq_late_arrival (NVIC), masks and
 *                        thresholds.  hwirq_pending() lets the core poll at
 *                        its own decision points instead of waiting for a
 *                        signal.
 *
 * Time costs are not here: entry, exit and tail-chain cycles belong to the
 * core's cost table in the machine presets.  This module reports what
 * happened (e.g. "tail-chained into 17") and the core charges for it.  The
 * only time this module adds is the IPI latency, a parameter from the preset.
 *
 * Determinism.  Nothing depends on host state: lines are scanned in index
 * order, ties are broken by a fixed rule, and everything that happens later
 * happens through engine events with the fixed priorities below.  When
 * several interrupts become pending at the same picosecond, the core is told
 * only after all of them (the signal event runs after every raise of that
 * picosecond), so what it acknowledges is fixed by priority, then by line
 * number, never by the order the raises happened to be scheduled in.
 *
 * Layout: model/ may include sim/ only.  This file knows nothing of
 * capabilities or of the kernel.  Behind it, irq.c holds the generic code
 * and each controller has its file (irq_lapic.c, irq_gic.c, irq_nvic.c)
 * behind an ops table chosen by hwirq_new; device sources are irq_source.c;
 * irq_state.h says how the files fit together.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim.h"

/* ---- event priorities (simq priority, 0..255, smaller runs first) --------
 *
 * At one picosecond: timers fire, then devices and IPIs raise their lines,
 * then each core is told about its best deliverable interrupt.  A core
 * model should give its own events (end of a compute burst, end of a kernel
 * path) priorities above HWIRQ_PRIO_SIGNAL, so that an interrupt arriving
 * at the same picosecond as the end of a burst is seen first (engine.md's
 * example).  The engine's Lua callbacks run at 128.
 */
#define HWIRQ_PRIO_RAISE   32u   /* device sources and IPI arrivals raise lines */
#define HWIRQ_PRIO_SIGNAL  48u   /* the per-core "you have a deliverable interrupt" call */
/* (model/timer.h: HWTIMER_PRIO_FIRE = 24, before the raises.) */

#define HWIRQ_NONE 0xFFFFFFFFu   /* no line (GIC would say spurious ID 1023) */

#define HWIRQ_ERROR (hwirq_error_quark())
GQuark hwirq_error_quark(void);
enum { HWIRQ_ERROR_CONFIG };

typedef enum {
    HWIRQ_LAPIC,
    HWIRQ_GIC,
    HWIRQ_NVIC,
    HWIRQ_GICV3,
} hwirq_kind;

const char *hwirq_kind_name(hwirq_kind k);

/* Architectural outcomes, returned as values (never printed, never fatal).
 * Programming errors (a core or line index out of range, an NVIC-only call
 * on a GIC) are assertions instead. */
typedef enum {
    HWIRQ_OK = 0,
    HWIRQ_COALESCED,        /* raise: the line was already pending; one interrupt is lost */
    HWIRQ_DROPPED,          /* raise (LAPIC): the source's mask bit is set, nothing is sent */
    HWIRQ_ILLEGAL_VECTOR,   /* LAPIC vector 0-15: APIC "illegal vector" error, SDM 10.5.3 */
    HWIRQ_BAD_LINE,         /* reserved NVIC exception number, or an SGI ID above 15 */
    HWIRQ_NOT_ACTIVE,       /* EOI with nothing (or not that line) in service */
    HWIRQ_NOT_CURRENT,      /* GIC EOIR of a line that is not the most recently acknowledged */
    HWIRQ_UNSUPPORTED,      /* the flavour has no such register (e.g. LAPIC per-vector priority) */
} hwirq_status;

const char *hwirq_status_name(hwirq_status st);

/* Called by an engine event at HWIRQ_PRIO_SIGNAL when `line` has become the
 * highest-priority interrupt deliverable to `core` (enabled, pending, not
 * masked by the core's threshold or interrupt mask, and able to preempt what
 * the core is running).  It is a hint: the core acknowledges when it
 * chooses, and hwirq_ack then returns whatever is best at that moment.  The
 * callback may call back into the controller (ack at once, for instance).
 * It is not called again for the same line until that line has been
 * acknowledged, the core has changed its own state (EOI, return, masks,
 * threshold), or something better has come along. */
typedef void (*hwirq_signal_fn)(void *core_ctx, unsigned core, unsigned line);

typedef struct hwirq_config {
    hwirq_kind kind;
    unsigned ncores;          /* 1..HWIRQ_MAX_CORES; GIC: 1..8 CPU interfaces (IHI 0048B ch. 1 (*)) */
    /* Number of lines.  LAPIC: 0 or 256.  GIC: 32..1020 interrupt IDs
     * (IDs 1020-1023 are special, IHI 0048B 3.2 (*)).  NVIC: 16 + external
     * interrupts, 17..512 (ARMv7-M allows up to 496 external). */
    unsigned nlines;
    /* Implemented priority bits; the low 8 - prio_bits bits of every
     * priority, threshold and mask read as zero.  GIC: 4..8 (16 to 256
     * levels, IHI 0048B 3.3 (*)); NVIC: 3..8 (8 to 256 levels, DDI 0403E B1.5.4 (*));
     * LAPIC: ignored. */
    unsigned prio_bits;
    /* From sending an IPI to its line becoming pending at the target (ps).
     * A property of the machine, so it comes from the preset. */
    sim_time_t ipi_latency;
    hwirq_signal_fn signal;   /* may be NULL: the core polls hwirq_pending() */
    void *core_ctx;
} hwirq_config;

#define HWIRQ_MAX_CORES 256u
#define HWIRQ_GIC_MAX_CORES 8u
#define HWIRQ_GICV3_AFF0 16u    /* cores per Aff1 group: ICC_SGI1R_EL1.TargetList is 16 bits */

typedef struct hwirq hwirq;

/* A controller with every line inactive.  Start-up state, the state a
 * booted OS leaves rather than the reset state (which masks everything):
 * every line enabled; priorities GIC 0xA0, NVIC 0; thresholds off (TPR 0,
 * PMR 0xFF, BASEPRI 0); no core-level mask; binary point 0; SPIs target
 * core 0.  Fails with HWIRQ_ERROR_CONFIG naming the offending field. */
hwirq *hwirq_new(sim *s, const hwirq_config *cfg, GError **error);
/* Stops and frees its sources too.  NULL-safe. */
void hwirq_free(hwirq *c);

hwirq_kind hwirq_get_kind(const hwirq *c);
/* Whether `line` exists and may be raised on this controller: HWIRQ_OK,
 * HWIRQ_BAD_LINE (out of range, or a reserved NVIC exception number) or
 * HWIRQ_ILLEGAL_VECTOR (LAPIC 0-15).  For validating configuration. */
hwirq_status hwirq_check_line(const hwirq *c, unsigned line);
unsigned hwirq_ncores(const hwirq *c);
unsigned hwirq_nlines(const hwirq *c);

/* ---- raising lines --------------------------------------------------------
 *
 * Make `line` pending, now.  `core` names the core for per-core lines (all
 * LAPIC vectors, GIC SGIs/PPIs, all NVIC exceptions) and is ignored for GIC
 * SPIs, which go to their target.  Edge semantics: a raise while the line is
 * already pending is merged (HWIRQ_COALESCED).  A disabled line still
 * becomes pending on the GIC and the NVIC (it is only not forwarded until
 * enabled: GICD_ICENABLERn, IHI 0048B 4.3.6 (*); DDI 0403E B3.4 (*)); on the LAPIC the enable bit
 * stands for the mask bit of the source feeding the vector (an LVT entry or
 * an I/O APIC redirection entry, SDM 10.5.1), and a masked source sends
 * nothing (HWIRQ_DROPPED). */
hwirq_status hwirq_raise(hwirq *c, unsigned core, unsigned line);
/* Clear a pending line (GIC ICPENDR, NVIC ICPR).  LAPIC: HWIRQ_UNSUPPORTED
 * (the IRR is read-only, SDM 10.8.4). */
hwirq_status hwirq_clear_pending(hwirq *c, unsigned core, unsigned line);

/* Destinations of an IPI: the LAPIC ICR destination shorthands (SDM 10.6.1)
 * and the GICD_SGIR target-list filter (IHI 0048B 4.3.15 (*)). */
typedef enum {
    HWIRQ_DEST_CORE,          /* the core named by `to` */
    HWIRQ_DEST_SELF,
    HWIRQ_DEST_ALL,           /* every core, the sender included */
    HWIRQ_DEST_ALL_BUT_SELF,
} hwirq_dest;

/* Send an IPI from core `from`: `line` becomes pending at each destination
 * ipi_latency after now.  LAPIC: a fixed-mode IPI with vector `line`
 * (16-255).  GIC: SGI `line` (0-15); the target records the sender, which
 * hwirq_ack reports (GICC_IAR.CPUID, IHI 0048B 4.4.4 (*)).  NVIC: there is no architected IPI,
 * so this models a vendor's inter-core interrupt wired to external line
 * `line`.  Deliveries are in flight per destination in send order, so each
 * one lands exactly latency after its own send. */
hwirq_status hwirq_ipi(hwirq *c, unsigned from, hwirq_dest dest, unsigned to, unsigned line);

/* GICv3 only (HWIRQ_UNSUPPORTED otherwise): the write of ICC_SGI1R_EL1
 * with IRM = 0 (IHI 0069D 12.11.? (*), "ICC_SGI1R_EL1"): SGI `line` (0-15)
 * to every core whose affinity has Aff1 = `aff1` and whose Aff0 bit is set
 * in `targets` (Aff3 = Aff2 = 0); bits naming no core are ignored, as the
 * architecture ignores targets that do not exist.  IRM = 1 (every core but
 * the sender) is hwirq_ipi with HWIRQ_DEST_ALL_BUT_SELF; a target list of
 * one is hwirq_ipi with HWIRQ_DEST_CORE. */
hwirq_status hwirq_ipi_targets(hwirq *c, unsigned from, unsigned aff1, uint16_t targets, unsigned line);
/* The affinity the model gives core `core` (MPIDR_EL1.Aff1 << 8 | Aff0):
 * Aff1 = core / 16, Aff0 = core % 16, on any controller. */
static inline unsigned hwirq_affinity(unsigned core)
{
    return (core / HWIRQ_GICV3_AFF0) << 8 | core % HWIRQ_GICV3_AFF0;
}

/* ---- the core's side -------------------------------------------------------- */

/* The highest-priority interrupt deliverable to `core` now (what hwirq_ack
 * would take), or HWIRQ_NONE.  No state changes. */
unsigned hwirq_pending(const hwirq *c, unsigned core);

/* Take the highest-priority deliverable interrupt: pending -> active
 * (LAPIC: IRR -> ISR, SDM 10.8.4; GIC: IAR read, IHI 0048B 4.4.4 (*); NVIC:
 * exception entry, DDI 0403E B1.5.6 (*)).  Returns its line, or HWIRQ_NONE if
 * nothing may be taken (the GIC's spurious ID 1023).  For a GIC SGI,
 * *source (if not NULL) is the sending core; otherwise it is HWIRQ_NONE. */
unsigned hwirq_ack(hwirq *c, unsigned core, unsigned *source);

/* End of interrupt, LAPIC and GIC only.
 * LAPIC: clears the highest-priority ISR bit (SDM 10.8.5); `line` is
 *   ignored (the EOI register carries no vector); HWIRQ_NOT_ACTIVE if the
 *   ISR is empty (the write is ignored).
 * GIC (GICC_CTLR.EOImode 0: priority drop and deactivation together,
 *   IHI 0048B 4.4.5 (*)): `line` must be the most recently acknowledged active
 *   interrupt of this core; otherwise nothing changes and the result is
 *   HWIRQ_NOT_ACTIVE or HWIRQ_NOT_CURRENT (the spec calls that write
 *   UNPREDICTABLE; the model refuses it). */
hwirq_status hwirq_eoi(hwirq *c, unsigned core, unsigned line);

/* What an NVIC exception return did (DDI 0403E B1.5.8 (*)), for the core to
 * charge the matching cost from its table. */
typedef enum {
    HWIRQ_RET_THREAD,       /* unstacked back to Thread mode */
    HWIRQ_RET_NESTED,       /* unstacked back to the preempted handler `line` */
    HWIRQ_RET_TAIL_CHAIN,   /* no unstack/stack: went straight into `line`, now active */
    HWIRQ_RET_NOT_ACTIVE,   /* no exception was active: nothing happened (a fault the core reports) */
} hwirq_ret_kind;

typedef struct hwirq_ret {
    hwirq_ret_kind kind;
    unsigned line;          /* the handler now running, or HWIRQ_NONE */
} hwirq_ret;

/* NVIC only: return from the running exception (the most recently entered
 * one).  If a pending exception can preempt what would run after the return
 * (its group priority is strictly higher than the execution priority
 * computed without the returning exception), the return tail-chains into it:
 * it becomes active at once and is reported.  Otherwise the core unstacks to
 * the preempted handler or to Thread mode. */
hwirq_ret hwirq_return(hwirq *c, unsigned core);

/* NVIC only: late arrival.  The core calls this at the end of its exception
 * entry sequence (after stacking, at the vector fetch) for the exception it
 * acknowledged.  If an exception that could preempt that one became pending
 * meanwhile, it is taken instead (the stacking already done serves it), and
 * the first goes back to pending, to be tail-chained later.  Returns the
 * exception whose handler runs. */
unsigned hwirq_late_arrival(hwirq *c, unsigned core);

/* ---- masks, thresholds, priorities ---------------------------------------- */

/* Per-line enable (GIC ISENABLER/ICENABLER, NVIC ISER/ICER, LAPIC the
 * source's mask bit).  `core` selects the bank for per-core lines and is
 * ignored for SPIs.  NVIC NMI and HardFault cannot be disabled
 * (HWIRQ_UNSUPPORTED). */
hwirq_status hwirq_set_enabled(hwirq *c, unsigned core, unsigned line, bool enabled);

/* Per-line priority (GIC IPRIORITYR, NVIC IPR/SHPR), low unimplemented bits
 * dropped.  LAPIC: HWIRQ_UNSUPPORTED (the vector is the priority);
 * NVIC NMI/HardFault: HWIRQ_UNSUPPORTED (fixed at -2 and -1). */
hwirq_status hwirq_set_priority(hwirq *c, unsigned core, unsigned line, unsigned prio);
/* The line's priority: GIC/NVIC as programmed (NMI -2, HardFault -1), LAPIC
 * the vector itself. */
int hwirq_priority(const hwirq *c, unsigned core, unsigned line);

/* GIC only: the target core of SPI `line` (GICD_ITARGETSR with one bit set;
 * the 1-of-N model is not supported).  A pending SPI follows its target. */
hwirq_status hwirq_set_target(hwirq *c, unsigned line, unsigned core);

/* The core's priority threshold, as the register is written:
 * LAPIC TPR (0-255; class = TPR >> 4; SDM 10.8.3.1): only vectors whose class
 *   is above max(TPR class, highest in-service class) are delivered;
 * GIC GICC_PMR (0-255): only priorities numerically below it are signalled
 *   (IHI 0048B 3.3, "Priority masking" (*));
 * NVIC BASEPRI (0-255, 0 = no effect): raises the execution priority to
 *   BASEPRI's group priority (DDI 0403E B1.5.4 (*); BASEPRI masks "the same
 *   or lower priority level", as the vendors' Cortex-M user guides put it). */
void hwirq_set_threshold(hwirq *c, unsigned core, unsigned value);
unsigned hwirq_threshold(const hwirq *c, unsigned core);

/* Core-level interrupt mask.  NVIC: PRIMASK (raises the execution priority
 * to 0, so only NMI and HardFault are taken).  LAPIC/GIC: the core's own
 * interrupt-disable flag (RFLAGS.IF clear, CPSR.I set); the controller only
 * uses it to hold back signals and acknowledgements. */
void hwirq_set_masked(hwirq *c, unsigned core, bool masked);
/* NVIC only: FAULTMASK (execution priority -1: only NMI is taken).
 * HWIRQ_UNSUPPORTED on the other flavours. */
hwirq_status hwirq_set_faultmask(hwirq *c, unsigned core, bool set);

/* Priority grouping: GIC GICC_BPR, NVIC AIRCR.PRIGROUP (0-7).  The group
 * priority, which alone decides preemption, is the priority with bits
 * [bp:0] cleared; the rest is the subpriority, which only orders pending
 * interrupts (IHI 0048B 3.3 (*), DDI 0403E B1.5.4 (*)).  LAPIC: HWIRQ_UNSUPPORTED. */
hwirq_status hwirq_set_binary_point(hwirq *c, unsigned core, unsigned bp);

/* ---- queries (tests, the kernel's hardware layer, traces) ------------------ */

bool hwirq_is_pending(const hwirq *c, unsigned core, unsigned line);
bool hwirq_is_active(const hwirq *c, unsigned core, unsigned line);
bool hwirq_is_enabled(const hwirq *c, unsigned core, unsigned line);
/* The priority the core is running at: LAPIC PPR (SDM 10.8.3.1), GIC running
 * priority (GICC_RPR; 0x100 = idle, as "lower than any"), NVIC execution
 * priority (256 = Thread mode with no boost; -1/-2 for faults/NMI).  A
 * pending interrupt is deliverable only if it beats this (and, on the GIC,
 * the PMR). */
int hwirq_running_priority(const hwirq *c, unsigned core);
/* Number of active interrupts on `core` (nesting depth). */
unsigned hwirq_active_count(const hwirq *c, unsigned core);

/* Check every invariant listed in irq_state.h; false (with a g_warning naming the
 * broken one) if any fails.  For tests, after every step. */
bool hwirq_verify(const hwirq *c);

/* ---- device interrupt sources ----------------------------------------------
 *
 * A source raises one line at the times its pattern gives, through engine
 * events at HWIRQ_PRIO_RAISE.  Sources belong to their controller and are
 * freed with it.  Times are absolute picoseconds from the start of the run.
 */
typedef struct hwirq_source hwirq_source;

/* Raises at phase + k * period for every k >= 0 with that time >= now. */
hwirq_source *hwirq_source_periodic(hwirq *c, unsigned core, unsigned line,
                                    sim_time_t period, sim_time_t phase, GError **error);

typedef enum {
    HWIRQ_EXTRA_EXPONENTIAL,  /* extra gap ~ Exp(mean = `extra`), rounded down to a ps */
    HWIRQ_EXTRA_UNIFORM,      /* extra gap uniform on the integers 0..`extra` ps */
} hwirq_extra_dist;

/* Sporadic arrivals: the first at start + X0, then each one min_gap + Xi
 * after the previous, where the Xi are drawn from the named random stream
 * `stream` (sim_rng: the same seed and name give the same arrivals; another
 * seed gives others).  start >= now. */
hwirq_source *hwirq_source_sporadic(hwirq *c, unsigned core, unsigned line,
                                    sim_time_t start, sim_time_t min_gap,
                                    hwirq_extra_dist dist, sim_time_t extra,
                                    const char *stream, GError **error);

/* Raises at each of times[0..n-1] (copied), which must be non-decreasing
 * and not before now.  Equal times raise once per entry (the second merges). */
hwirq_source *hwirq_source_list(hwirq *c, unsigned core, unsigned line,
                                const sim_time_t *times, size_t n, GError **error);

/* No more raises from this source (idempotent).  The source stays valid,
 * for its counters, until the controller is freed. */
void hwirq_source_stop(hwirq_source *src);

typedef struct hwirq_source_stats {
    uint64_t raised;       /* raises that made the line pending */
    uint64_t coalesced;    /* raises merged into an already pending line (lost interrupts) */
    uint64_t dropped;      /* raises refused (masked LAPIC source, bad line) */
    sim_time_t next;       /* time of the next raise, SIM_TIME_MAX if none */
} hwirq_source_stats;

hwirq_source_stats hwirq_source_get_stats(const hwirq_source *src);
