/* model/irq_nvic.c: the ARMv7-M NVIC behind the interrupt ops table
 * (irq_state.h), one per core (ARM DDI 0403E.b, B1.5 and B3.4).  Lines are
 * exception numbers: 2 NMI, 3 HardFault, 4-6 MemManage/BusFault/UsageFault,
 * 11 SVCall, 12 DebugMonitor, 14 PendSV, 15 SysTick, 16+ external
 * interrupts.  Lower priority value = higher priority; NMI and HardFault are
 * fixed at -2 and -1.  What the core may take follows the execution
 * priority (active exceptions, BASEPRI, PRIMASK, FAULTMASK).  An exception
 * ends by exception return, which may tail-chain, and entry may be taken
 * over by a late arrival: both are NVIC-only calls of irq.h, defined here.
 * The generic code is in irq.c.
 *
 * Section marks (*) as in irq.h: numbers from memory, not re-read.
 */
#include "model/irq_state.h"

#include <limits.h>

#define NVIC_MIN_LINES 17u
#define NVIC_MAX_LINES 512u     /* 16 system + 496 external, DDI 0403E B3.4 (*) */
#define NVIC_BASE 256           /* execution priority of Thread mode, no boost (B1.5.4) */

/* NVIC exception numbers with fixed meaning (DDI 0403E B1.5.2 (*)). */
enum {
    NVIC_NMI = 2, NVIC_HARDFAULT = 3, NVIC_MEMMANAGE = 4, NVIC_BUSFAULT = 5,
    NVIC_USAGEFAULT = 6, NVIC_SVCALL = 11, NVIC_DEBUGMON = 12, NVIC_PENDSV = 14,
    NVIC_SYSTICK = 15, NVIC_EXTERNAL = 16,
};

/* Exception numbers that name nothing: 0 (the initial SP slot), 1 (Reset,
 * not modelled), 7-10 and 13 (reserved), B1.5.2. */
static bool nvic_reserved(unsigned line)
{
    return line <= 1 || (line >= 7 && line <= 10) || line == 13;
}

static bool nvic_configure(const hwirq_config *cfg, hwirq_shape *shape, GError **error)
{
    if (cfg->nlines < NVIC_MIN_LINES || cfg->nlines > NVIC_MAX_LINES) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "nlines: %u is outside %u..%u for an NVIC (16 system exceptions + 1..496 external)",
                    cfg->nlines, NVIC_MIN_LINES, NVIC_MAX_LINES);
        return false;
    }
    if (cfg->prio_bits < 3 || cfg->prio_bits > 8) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "prio_bits: %u is outside 3..8 for an NVIC (8 to 256 levels)",
                    cfg->prio_bits);
        return false;
    }
    *shape = (hwirq_shape){ .nlines = cfg->nlines, .nbanked = cfg->nlines,
                            .prio_mask = (0xFFu << (8 - cfg->prio_bits)) & 0xFFu,
                            .prio_reset = 0, .threshold_reset = 0 };
    return true;
}

static hwirq_status nvic_check(unsigned line, hwirq_use use)
{
    if (use == HWIRQ_USE_IPI)   /* no architected IPI: a vendor's external line wired between cores */
        return line < NVIC_EXTERNAL ? HWIRQ_BAD_LINE : HWIRQ_OK;
    if (nvic_reserved(line))
        return HWIRQ_BAD_LINE;
    if ((use == HWIRQ_USE_ENABLE || use == HWIRQ_USE_PRIORITY)
        && (line == NVIC_NMI || line == NVIC_HARDFAULT))
        return HWIRQ_UNSUPPORTED;       /* always enabled, priorities fixed (B1.5.4) */
    return HWIRQ_OK;
}

static bool nvic_device_line(unsigned line, GError **error)
{
    if (line < NVIC_EXTERNAL) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: %u is a system exception; device interrupts are exception numbers 16+",
                    line);
        return false;
    }
    return true;
}

/* NMI -2 and HardFault -1 (B1.5.4); otherwise as programmed. */
static int nvic_line_prio(const hwirq *c, unsigned core, unsigned line)
{
    if (line == NVIC_NMI)
        return -2;
    if (line == NVIC_HARDFAULT)
        return -1;
    return c->cores[core].prio[line];
}

/* ARMv7-M execution priority, DDI 0403E B1.5.4 (*) ExecutionPriority(): the
 * highest (numerically lowest) group priority of the active exceptions,
 * boosted by BASEPRI (its group priority), PRIMASK (0) and FAULTMASK (-1).
 * Uses the exceptions' current priorities, as the pseudocode does. */
static int nvic_exec_prio(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = &c->cores[core];
    int highest = NVIC_BASE;
    for (unsigned i = 0; i < cs->depth; i++) {
        int g = hwirqst_group(nvic_line_prio(c, core, cs->stack[i].line), cs->bp);
        if (g < highest)
            highest = g;
    }
    int boost = NVIC_BASE;
    if (cs->threshold != 0)
        boost = hwirqst_group((int)cs->threshold, cs->bp);
    if (cs->masked)
        boost = 0;
    if (cs->faultmask)
        boost = -1;
    return boost < highest ? boost : highest;
}

static unsigned nvic_pending(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = &c->cores[core];
    /* The highest-priority pending, enabled, inactive exception.  If it
     * cannot preempt, no lower one can (group priority is monotone in
     * priority), so checking the best alone is exact.  PRIMASK is not a
     * gate of its own here: it is part of the execution priority. */
    int best_prio = INT_MAX;
    unsigned best = HWIRQ_NONE;
    hwirqst_scan_best(c, core, cs->pending, cs->enabled, cs->active, 0, c->words, false, &best_prio,
                      &best);
    if (best == HWIRQ_NONE)
        return HWIRQ_NONE;
    /* B1.5.4: an exception preempts only if its group priority is strictly
     * higher (numerically lower) than the execution priority. */
    if (hwirqst_group(best_prio, cs->bp) >= nvic_exec_prio(c, core))
        return HWIRQ_NONE;
    return best;
}

static bool nvic_verify_core(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    for (unsigned l = 0; l < c->nlines; l++)
        HWIRQ_VERIFY(!nvic_reserved(l) || (!hwirqst_bit_get(cs->pending, l) && !hwirqst_bit_get(cs->active, l)),
                     "hwirq I1: core %u: reserved exception %u is pending or active", k, l);
    return true;
}

const hwirq_ops hwirq_nvic_ops = {
    .kind = HWIRQ_NVIC,
    .stacked = true,
    .shared_lines = false,
    .binary_point = true,
    .faultmask = true,
    .configure = nvic_configure,
    .check = nvic_check,
    .device_line = nvic_device_line,
    .line_prio = nvic_line_prio,
    .running_priority = nvic_exec_prio,
    .pending = nvic_pending,
    .raise = NULL,
    .take = NULL,
    .forget = NULL,
    .eoi = NULL,                /* exceptions end by hwirq_return */
    .verify_core = nvic_verify_core,
};

/* ---- exception return and late arrival (irq.h: NVIC only) ------------------- */

hwirq_ret hwirq_return(hwirq *c, unsigned core)
{
    hwirq_core *cs = hwirqst_core(c, core);
    g_assert(c->ops == &hwirq_nvic_ops);
    hwirqst_core_acted(c, core, false);
    if (cs->depth == 0)
        return (hwirq_ret){ HWIRQ_RET_NOT_ACTIVE, HWIRQ_NONE };
    unsigned line = cs->stack[--cs->depth].line;
    hwirqst_deactivate(c, core, line);
    /* Tail-chaining: if a pending exception can preempt what the return
     * would resume (the execution priority without the returning
     * exception, B1.5.4 (*)), the processor goes straight into it without
     * unstacking and stacking the same registers again.  ARM's processor
     * documents describe the mechanism (e.g. the Cortex-M0+ TRM, DDI 0484C
     * 3.6.1: "implements both interrupt late-arrival and interrupt
     * tail-chaining mechanisms, as defined by the ARMv6-M architecture");
     * what it costs, against a full exit and entry, is the core's cost
     * table's business (the presets), not this module's. */
    unsigned next = nvic_pending(c, core);
    if (next != HWIRQ_NONE) {
        hwirqst_activate(c, core, next);
        return (hwirq_ret){ HWIRQ_RET_TAIL_CHAIN, next };
    }
    if (cs->depth > 0)
        return (hwirq_ret){ HWIRQ_RET_NESTED, cs->stack[cs->depth - 1].line };
    return (hwirq_ret){ HWIRQ_RET_THREAD, HWIRQ_NONE };
}

/* Late arrival, as the Cortex-M documents describe it: a higher-priority
 * exception detected during the entry sequence (stacking, vector fetch) is
 * taken instead; the stacking already done serves it, and the original one
 * is tail-chained after it.  The rule for "higher" used here is the
 * preemption rule (strictly higher group priority); that an equal-priority
 * arrival does not take over follows from it and is not separately
 * verified against a TRM. */
unsigned hwirq_late_arrival(hwirq *c, unsigned core)
{
    hwirq_core *cs = hwirqst_core(c, core);
    g_assert(c->ops == &hwirq_nvic_ops);
    g_assert(cs->depth > 0);
    unsigned first = cs->stack[cs->depth - 1].line;
    /* With `first` active, nvic_pending returns only an exception whose
     * group priority beats first's: exactly one that would have preempted
     * it.  That one takes over the entry; first goes back to pending. */
    unsigned late = nvic_pending(c, core);
    hwirqst_core_acted(c, core, false);
    if (late == HWIRQ_NONE)
        return first;
    cs->depth--;
    hwirqst_deactivate(c, core, first);
    hwirqst_bit_set(cs->pending, first);
    hwirqst_activate(c, core, late);
    return late;
}
