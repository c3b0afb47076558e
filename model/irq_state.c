/* model/irq_state.c: the mechanics that the generic interrupt code (irq.c)
 * and the three controllers (irq_lapic.c, irq_gic.c, irq_nvic.c) share:
 * telling a core about its best interrupt, moving a line from pending to
 * active and back, and the priority scan; with the module's names and its
 * error domain.  It sits at the bottom of the module (irq_state.h): it
 * reaches the controllers only through the ops table, never by name.
 */
#include "model/irq_state.h"

G_DEFINE_QUARK(hwirq-error-quark, hwirq_error)

const char *hwirq_kind_name(hwirq_kind k)
{
    switch (k) {
    case HWIRQ_LAPIC: return "lapic";
    case HWIRQ_GIC: return "gic";
    case HWIRQ_GICV3: return "gicv3";
    case HWIRQ_NVIC: return "nvic";
    }
    return "?";
}

const char *hwirq_status_name(hwirq_status st)
{
    switch (st) {
    case HWIRQ_OK: return "ok";
    case HWIRQ_COALESCED: return "coalesced";
    case HWIRQ_DROPPED: return "dropped";
    case HWIRQ_ILLEGAL_VECTOR: return "illegal vector";
    case HWIRQ_BAD_LINE: return "bad line";
    case HWIRQ_NOT_ACTIVE: return "not active";
    case HWIRQ_NOT_CURRENT: return "not current";
    case HWIRQ_UNSUPPORTED: return "unsupported";
    }
    return "?";
}

/* ---- signalling ------------------------------------------------------------- */

void hwirqst_kick(hwirq *c, unsigned core)
{
    hwirq_core *cs = &c->cores[core];
    if (c->signal != NULL && !simq_scheduled(&cs->signal_ev))
        sim_schedule(c->s, &cs->signal_ev, sim_now(c->s), HWIRQ_PRIO_SIGNAL);
}

void hwirqst_core_acted(hwirq *c, unsigned core, bool may_uncover)
{
    c->cores[core].signalled = HWIRQ_NONE;
    if (may_uncover)
        hwirqst_kick(c, core);
}

/* Tell the core only when its best line is new: the same line twice in a
 * row is one signal (irq.h: "not called again for the same line until"). */
void hwirqst_signal_fire(void *owner, simq_event *ev)
{
    (void)owner;
    hwirq_core *cs = HWIRQ_CORE_OF(ev, signal_ev);
    hwirq *c = cs->c;
    unsigned best = c->ops->pending(c, cs->index);
    if (best == HWIRQ_NONE || best == cs->signalled) {
        cs->signalled = best;
        return;
    }
    cs->signalled = best;
    c->signal(c->core_ctx, cs->index, best);   /* last: it may call back into us */
}

/* ---- pending and active ------------------------------------------------------ */

hwirq_status hwirqst_mark_pending(hwirq *c, unsigned core, unsigned line)
{
    uint64_t *pend = hwirqst_banked(c, line) ? c->cores[core].pending : c->sh_pending;
    if (hwirqst_bit_get(pend, line))
        return HWIRQ_COALESCED;    /* edge semantics: one pending bit per line */
    hwirqst_bit_set(pend, line);
    hwirqst_kick(c, core);
    return HWIRQ_OK;
}

unsigned hwirqst_unpend(hwirq *c, unsigned core, unsigned line)
{
    hwirqst_bit_clr(hwirqst_banked(c, line) ? c->cores[core].pending : c->sh_pending, line);
    return HWIRQ_NO_SOURCE;
}

static void push_frame(hwirq *c, unsigned core, unsigned line, unsigned source)
{
    hwirq_core *cs = &c->cores[core];
    g_assert(cs->depth < c->nlines);
    int group = hwirqst_group(c->ops->line_prio(c, core, line), cs->bp);
    cs->stack[cs->depth++] = (hwirq_frame){ (uint16_t)line, (uint8_t)source, (int16_t)group };
}

unsigned hwirqst_activate(hwirq *c, unsigned core, unsigned line)
{
    unsigned source = c->ops->take ? c->ops->take(c, core, line) : hwirqst_unpend(c, core, line);
    if (hwirqst_banked(c, line)) {
        hwirqst_bit_set(c->cores[core].active, line);
    } else {
        hwirqst_bit_set(c->sh_active, line);
        c->sh_active_on[line] = (uint16_t)core;
    }
    if (c->ops->stacked)
        push_frame(c, core, line, source);
    return source;
}

void hwirqst_deactivate(hwirq *c, unsigned core, unsigned line)
{
    if (hwirqst_banked(c, line)) {
        hwirqst_bit_clr(c->cores[core].active, line);
    } else {
        hwirqst_bit_clr(c->sh_active, line);
        c->sh_active_on[line] = HWIRQ_NO_CORE;
    }
}

/* ---- choosing the best deliverable line ------------------------------------- */

/* Lines are visited in ascending order and only a strictly better priority
 * replaces the best, so ties go to the lowest line: the NVIC's architected
 * rule (B1.5.4: "the lowest exception number"); for the GIC, IHI 0048B
 * leaves the choice among equal priorities to the implementation, and this
 * is ours. */
void hwirqst_scan_best(const hwirq *c, unsigned core, const uint64_t *pend, const uint64_t *en,
                       const uint64_t *act, unsigned from_word, unsigned nwords, bool shared,
                       int *best_prio, unsigned *best_line)
{
    for (unsigned w = from_word; w < nwords; w++) {
        uint64_t cand = pend[w] & en[w] & ~act[w];
        while (cand) {
            unsigned line = w * 64 + (unsigned)__builtin_ctzll(cand);
            cand &= cand - 1;
            if (shared && c->sh_target[line] != core)
                continue;
            int p = c->ops->line_prio(c, core, line);
            if (p < *best_prio) {
                *best_prio = p;
                *best_line = line;
            }
        }
    }
}
