/* model/irq_gic.c: the ARM GICv2 and GICv3 behind the interrupt ops table
 * (irq_state.h).  GICv2: a distributor and one CPU interface per core (ARM
 * IHI 0048B).  Lines are interrupt IDs: SGIs 0-15 and PPIs 16-31 are banked per
 * core, SPIs 32..nlines-1 are the shared lines that the generic code routes
 * to one target core.  Lower priority value = higher priority; the running
 * priority is the group priority of the most recently acknowledged
 * interrupt, kept in its stack frame.  SGIs are pending per sender, which
 * the acknowledge reports (GICC_IAR.CPUID).  The generic code is in irq.c.
 *
 * GICv3 with affinity routing (GICD_CTLR.ARE = 1; ARM IHI 0069, the GICv3
 * and GICv4 Architecture Specification): the same lines, priorities,
 * running priority, PMR, binary point and EOI (ICC_PMR_EL1, ICC_BPR1_EL1,
 * ICC_IAR1_EL1, ICC_EOIR1_EL1 with EOImode 0: IHI 0069 ch. 4 (*), "Physical
 * interrupt handling and prioritization"), so the GICv2's hooks serve it,
 * with three differences: one Redistributor per core holds that core's SGIs
 * and PPIs (IHI 0069 2.1 (*), "The Distributor and Redistributors"), so
 * there is no limit of 8 cores; SPIs are routed by affinity to one core
 * (GICD_IROUTER<n> with Interrupt_Routing_Mode 0, IHI 0069 2.2 (*),
 * "Affinity routing"), which is hwirq_set_target; and an SGI carries no
 * sender: with affinity routing its pending state is one bit per SGI in
 * the target's Redistributor (GICR_ISPENDR0; the GICv2 per-source
 * GICD_SPENDSGIR registers are RES0) and ICC_IAR1_EL1 returns the INTID
 * alone, so SGIs from several senders merge.  SGIs are sent by
 * ICC_SGI1R_EL1 (IHI 0069 12.2 (*)): a target list of Aff0 values within
 * one Aff3.Aff2.Aff1, or IRM = 1 for every core but the sender
 * (hwirq_ipi_targets, hwirq_ipi).  Not modelled: LPIs and the ITS,
 * Extended SPI/PPI ranges, two security states and Group 0, 1-of-N SPI
 * routing (Interrupt_Routing_Mode 1).
 *
 * Section marks (*) as in irq.h: numbers from memory, not re-read.
 */
#include "model/irq_state.h"

#include <limits.h>

#define GIC_BANKED 32u          /* SGIs 0-15 and PPIs 16-31, IHI 0048B 2.2.1 (*) */
#define GIC_SGIS HWIRQ_GIC_SGIS
#define GIC_MAX_LINES 1020u     /* IDs 1020-1023 are special, IHI 0048B 3.2 (*) */
#define GIC_IDLE 0x100          /* running priority with nothing active: below every priority */

/* The shape of either version; `v3`: no limit of 8 CPU interfaces (one
 * Redistributor per core instead; irq.c has checked HWIRQ_MAX_CORES).
 * Priority bits as the GICv2's for both (ICC_CTLR_EL1.PRIbits, IHI 0069
 * 4.8 (*): at least 16 levels with one security state). */
static bool gic_shape(const hwirq_config *cfg, bool v3, hwirq_shape *shape, GError **error)
{
    const char *what = v3 ? "GICv3" : "GICv2";
    if (!v3 && cfg->ncores > HWIRQ_GIC_MAX_CORES) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "ncores: %u, but a GICv2 has at most %u CPU interfaces (a GICv3 has no such limit)",
                    cfg->ncores, HWIRQ_GIC_MAX_CORES);
        return false;
    }
    if (cfg->nlines < GIC_BANKED || cfg->nlines > GIC_MAX_LINES) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "nlines: %u is outside %u..%u for a %s", cfg->nlines, GIC_BANKED,
                    GIC_MAX_LINES, what);
        return false;
    }
    if (cfg->prio_bits < 4 || cfg->prio_bits > 8) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "prio_bits: %u is outside 4..8 for a %s (16 to 256 levels)",
                    cfg->prio_bits, what);
        return false;
    }
    unsigned mask = (0xFFu << (8 - cfg->prio_bits)) & 0xFFu;
    /* Priorities 0xA0: a booted OS's middle ground; PMR: let all but the
     * lowest through. */
    *shape = (hwirq_shape){ .nlines = cfg->nlines, .nbanked = GIC_BANKED, .prio_mask = mask,
                            .prio_reset = 0xA0u & mask, .threshold_reset = mask };
    return true;
}

static bool gic_configure(const hwirq_config *cfg, hwirq_shape *shape, GError **error)
{
    return gic_shape(cfg, false, shape, error);
}

static bool gicv3_configure(const hwirq_config *cfg, hwirq_shape *shape, GError **error)
{
    return gic_shape(cfg, true, shape, error);
}

static hwirq_status gic_check(unsigned line, hwirq_use use)
{
    if (use == HWIRQ_USE_IPI && line >= GIC_SGIS)
        return HWIRQ_BAD_LINE;          /* GICD_SGIR.SGIINTID is 4 bits (IHI 0048B.b Table 4-21) */
    return HWIRQ_OK;
}

static bool gic_device_line(unsigned line, GError **error)
{
    if (line < GIC_SGIS) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: %u is an SGI (0-15); device interrupts use PPIs (16-31) or SPIs (32+)",
                    line);
        return false;
    }
    return true;
}

static int gic_line_prio(const hwirq *c, unsigned core, unsigned line)
{
    return hwirqst_prio(c, core, line);
}

/* GICC_RPR: the group priority of the most recently acknowledged active
 * interrupt, idle when there is none. */
static int gic_running_priority(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = &c->cores[core];
    return cs->depth ? cs->stack[cs->depth - 1].group : GIC_IDLE;
}

static unsigned gic_pending(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = &c->cores[core];
    if (cs->masked)
        return HWIRQ_NONE;
    /* The highest-priority pending, enabled, inactive line, banked or
     * routed here.  If it cannot be delivered, no lower one can (group
     * priority is monotone in priority), so checking the best alone is
     * exact. */
    int best_prio = INT_MAX;
    unsigned best = HWIRQ_NONE;
    hwirqst_scan_best(c, core, cs->pending, cs->enabled, cs->active, 0, c->words, false, &best_prio,
                      &best);
    hwirqst_scan_best(c, core, c->sh_pending, c->sh_enabled, c->sh_active, GIC_BANKED / 64, c->swords,
                      true, &best_prio, &best);
    if (best == HWIRQ_NONE)
        return HWIRQ_NONE;
    /* IHI 0048B 3.3 (*) "Preemption" and "Priority masking": signalled only
     * if its priority is higher than the PMR and its group priority is
     * higher than the running priority. */
    if (best_prio >= (int)cs->threshold)
        return HWIRQ_NONE;
    if (hwirqst_group(best_prio, cs->bp) >= gic_running_priority(c, core))
        return HWIRQ_NONE;
    return best;
}

static hwirq_status gic_raise(hwirq *c, unsigned core, unsigned line, unsigned source)
{
    if (line >= GIC_SGIS)
        return hwirqst_mark_pending(c, core, line);
    /* IHI 0048B 4.4.4 (*), GICC_IAR.CPUID: SGI pending state is kept per sender;
     * a second SGI from the same sender merges. */
    hwirq_core *cs = &c->cores[core];
    uint8_t bit = (uint8_t)(1u << source);
    if (cs->sgi_src[line] & bit)
        return HWIRQ_COALESCED;
    cs->sgi_src[line] |= bit;
    hwirqst_bit_set(cs->pending, line);
    hwirqst_kick(c, core);
    return HWIRQ_OK;
}

static unsigned gic_take(hwirq *c, unsigned core, unsigned line)
{
    if (line >= GIC_SGIS)
        return hwirqst_unpend(c, core, line);
    /* The lowest-numbered sender first: which sender's SGI is taken is
     * the implementation's choice (not verified against a TRM).  The SGI
     * stays pending while other senders' bits remain. */
    hwirq_core *cs = &c->cores[core];
    unsigned source = (unsigned)__builtin_ctz(cs->sgi_src[line]);
    cs->sgi_src[line] &= (uint8_t)~(1u << source);
    if (cs->sgi_src[line] == 0)
        hwirqst_bit_clr(cs->pending, line);
    return source;
}

static void gic_forget(hwirq *c, unsigned core, unsigned line)
{
    if (line < GIC_SGIS)
        c->cores[core].sgi_src[line] = 0;     /* every sender's SGI goes */
}

/* GICC_CTLR.EOImode 0: priority drop and deactivation together (IHI 0048B
 * 4.4.5 (*)).  Only the most recently acknowledged interrupt may be ended;
 * the spec calls anything else UNPREDICTABLE and the model refuses it. */
static hwirq_status gic_eoi(hwirq *c, unsigned core, unsigned line)
{
    hwirq_core *cs = &c->cores[core];
    hwirqst_check_line(c, line);
    if (!hwirqst_active(c, core, line))
        return HWIRQ_NOT_ACTIVE;
    if (cs->stack[cs->depth - 1].line != line)
        return HWIRQ_NOT_CURRENT;
    cs->depth--;
    hwirqst_deactivate(c, core, line);
    hwirqst_core_acted(c, core, true);
    if (!hwirqst_banked(c, line) && c->sh_target[line] != core)
        hwirqst_kick(c, c->sh_target[line]);   /* a re-pended SPI may now go to its (new) target */
    return HWIRQ_OK;
}

static bool gic_verify_core(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    for (unsigned l = 0; l < GIC_SGIS; l++) {
        HWIRQ_VERIFY(hwirqst_bit_get(cs->pending, l) == (cs->sgi_src[l] != 0),
                     "hwirq I2: core %u: SGI %u pending bit disagrees with its senders 0x%x", k, l,
                     cs->sgi_src[l]);
        HWIRQ_VERIFY((cs->sgi_src[l] >> c->ncores) == 0,
                     "hwirq I2: core %u: SGI %u has a sender beyond core %u", k, l, c->ncores - 1);
    }
    for (unsigned i = 1; i < cs->depth; i++)
        HWIRQ_VERIFY(cs->stack[i].group < cs->stack[i - 1].group,
                     "hwirq I4: core %u: line %u (group %d) nested on group %d without beating it", k,
                     cs->stack[i].line, cs->stack[i].group, cs->stack[i - 1].group);
    return true;
}

/* GICv3: no sender is ever recorded (raise, take and forget are the
 * generic ones); the stack as the GICv2's. */
static bool gicv3_verify_core(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    for (unsigned l = 0; l < GIC_SGIS; l++)
        HWIRQ_VERIFY(cs->sgi_src[l] == 0, "hwirq I2: core %u: GICv3 SGI %u has senders 0x%x", k, l,
                     cs->sgi_src[l]);
    for (unsigned i = 1; i < cs->depth; i++)
        HWIRQ_VERIFY(cs->stack[i].group < cs->stack[i - 1].group,
                     "hwirq I4: core %u: line %u (group %d) nested on group %d without beating it", k,
                     cs->stack[i].line, cs->stack[i].group, cs->stack[i - 1].group);
    return true;
}

const hwirq_ops hwirq_gicv3_ops = {
    .kind = HWIRQ_GICV3,
    .stacked = true,
    .shared_lines = true,
    .binary_point = true,
    .faultmask = false,
    .configure = gicv3_configure,
    .check = gic_check,
    .device_line = gic_device_line,
    .line_prio = gic_line_prio,
    .running_priority = gic_running_priority,
    .pending = gic_pending,
    .eoi = gic_eoi,
    .verify_core = gicv3_verify_core,
};

const hwirq_ops hwirq_gic_ops = {
    .kind = HWIRQ_GIC,
    .stacked = true,
    .shared_lines = true,
    .binary_point = true,
    .faultmask = false,
    .configure = gic_configure,
    .check = gic_check,
    .device_line = gic_device_line,
    .line_prio = gic_line_prio,
    .running_priority = gic_running_priority,
    .pending = gic_pending,
    .raise = gic_raise,
    .take = gic_take,
    .forget = gic_forget,
    .eoi = gic_eoi,
    .verify_core = gic_verify_core,
};
