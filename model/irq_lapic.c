/* model/irq_lapic.c: the x86 local APIC behind the interrupt ops table
 * (irq_state.h): one per core, lines are vectors 0-255, a vector's priority
 * is the vector itself and its priority class vector >> 4 (Intel SDM vol.
 * 3A, "Advanced Programmable Interrupt Controller", section numbers of the
 * editions where it is chapter 10).  No stack: the ISR is its own order,
 * and an EOI clears its highest bit.  The generic code is in irq.c.
 */
#include "model/irq_state.h"

#define LAPIC_LINES 256u

static bool lapic_configure(const hwirq_config *cfg, hwirq_shape *shape, GError **error)
{
    if (cfg->nlines != 0 && cfg->nlines != LAPIC_LINES) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "nlines: %u, but a local APIC has exactly 256 vectors (give 0 or 256)",
                    cfg->nlines);
        return false;
    }
    /* prio_bits is ignored: the vector is the priority. */
    *shape = (hwirq_shape){ .nlines = LAPIC_LINES, .nbanked = LAPIC_LINES, .prio_mask = 0xFFu,
                            .prio_reset = 0, .threshold_reset = 0 };
    return true;
}

static hwirq_status lapic_check(unsigned line, hwirq_use use)
{
    switch (use) {
    case HWIRQ_USE_CLEAR:
        return HWIRQ_UNSUPPORTED;       /* the IRR is read-only, SDM 10.8.4 */
    case HWIRQ_USE_PRIORITY:
        return HWIRQ_UNSUPPORTED;       /* the vector is the priority */
    case HWIRQ_USE_RAISE:
    case HWIRQ_USE_ENABLE:
    case HWIRQ_USE_IPI:                 /* "Send Illegal Vector" for an IPI */
        break;
    }
    return line < 16 ? HWIRQ_ILLEGAL_VECTOR : HWIRQ_OK;   /* SDM 10.5.3: vectors 0-15 are illegal */
}

static bool lapic_device_line(unsigned line, GError **error)
{
    if (line < 16) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: vector %u is illegal on a local APIC (vectors 0-15, SDM 10.5.3)", line);
        return false;
    }
    return true;
}

static int lapic_line_prio(const hwirq *c, unsigned core, unsigned line)
{
    (void)c;
    (void)core;
    return (int)line;
}

/* The highest in-service and the highest requested vector. */
static int lapic_isrv(const hwirq_core *cs)
{
    for (int w = (int)(LAPIC_LINES / 64) - 1; w >= 0; w--)
        if (cs->active[w])
            return w * 64 + 63 - __builtin_clzll(cs->active[w]);
    return 0;    /* "ISRV is 00H if no ISR bit is set", SDM 10.8.3.1 */
}

static int lapic_irrv(const hwirq_core *cs)
{
    for (int w = (int)(LAPIC_LINES / 64) - 1; w >= 0; w--)
        if (cs->pending[w])
            return w * 64 + 63 - __builtin_clzll(cs->pending[w]);
    return -1;
}

static int lapic_running_priority(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = &c->cores[core];
    /* PPR, SDM 10.8.3.1: TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0.
     * (At equal classes the sub-class is model-specific; we return TPR.) */
    int isrv = lapic_isrv(cs);
    if ((int)(cs->threshold >> 4) >= (isrv >> 4))
        return (int)cs->threshold;
    return isrv & 0xF0;
}

static unsigned lapic_pending(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = &c->cores[core];
    /* SDM 10.8.3.1: deliver the highest IRR vector only if its class is
     * above the processor-priority class.  Vector order is priority
     * order, so only the highest IRR vector matters. */
    if (cs->masked)
        return HWIRQ_NONE;
    int v = lapic_irrv(cs);
    if (v < 0)
        return HWIRQ_NONE;
    int ppr_class = lapic_running_priority(c, core) >> 4;
    return (v >> 4) > ppr_class ? (unsigned)v : HWIRQ_NONE;
}

/* The enable bit stands for the mask bit of the source feeding the vector
 * (an LVT entry or an I/O APIC redirection entry, SDM 10.5.1): a masked
 * source sends nothing, so nothing becomes pending. */
static hwirq_status lapic_raise(hwirq *c, unsigned core, unsigned line, unsigned source)
{
    (void)source;
    if (!hwirqst_bit_get(c->cores[core].enabled, line))
        return HWIRQ_DROPPED;
    return hwirqst_mark_pending(c, core, line);
}

/* SDM 10.8.5: an EOI write clears the highest-priority ISR bit; the EOI
 * register carries no vector, so `line` is ignored. */
static hwirq_status lapic_eoi(hwirq *c, unsigned core, unsigned line)
{
    (void)line;
    hwirq_core *cs = &c->cores[core];
    int isrv = -1;
    for (int w = (int)(LAPIC_LINES / 64) - 1; w >= 0 && isrv < 0; w--)
        if (cs->active[w])
            isrv = w * 64 + 63 - __builtin_clzll(cs->active[w]);
    if (isrv < 0)
        return HWIRQ_NOT_ACTIVE;
    hwirqst_bit_clr(cs->active, (unsigned)isrv);
    hwirqst_core_acted(c, core, true);
    return HWIRQ_OK;
}

static bool lapic_verify_core(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    HWIRQ_VERIFY((cs->pending[0] & 0xFFFF) == 0 && (cs->active[0] & 0xFFFF) == 0,
                 "hwirq I1: core %u has an illegal vector 0-15 in IRR or ISR", k);
    HWIRQ_VERIFY(cs->depth == 0, "hwirq I3: core %u: the LAPIC keeps no stack", k);
    return true;
}

const hwirq_ops hwirq_lapic_ops = {
    .kind = HWIRQ_LAPIC,
    .stacked = false,
    .shared_lines = false,
    .binary_point = false,
    .faultmask = false,
    .configure = lapic_configure,
    .check = lapic_check,
    .device_line = lapic_device_line,
    .line_prio = lapic_line_prio,
    .running_priority = lapic_running_priority,
    .pending = lapic_pending,
    .raise = lapic_raise,
    .take = NULL,
    .forget = NULL,
    .eoi = lapic_eoi,
    .verify_core = lapic_verify_core,
};
