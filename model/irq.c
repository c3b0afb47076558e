/* model/irq.c: the generic half of the interrupt controllers (irq.h):
 * creation, raising lines and routing shared ones to their target core,
 * IPIs in flight, acknowledge and end of interrupt, masks and thresholds,
 * queries, and the invariants.  Whatever the manuals make differ between
 * the x86 LAPIC, the ARM GICv2 and the ARMv7-M NVIC is asked of the
 * controller's ops table (irq_state.h), which hwirq_new chooses once from
 * the configuration: generic first, the architecture behind hooks.  The
 * controllers are irq_lapic.c, irq_gic.c and irq_nvic.c; device sources are
 * irq_source.c; the state and its invariants are in irq_state.h.
 */
#include "model/irq_state.h"

#include <string.h>

hwirq_kind hwirq_get_kind(const hwirq *c) { return c->ops->kind; }
unsigned hwirq_ncores(const hwirq *c) { return c->ncores; }
unsigned hwirq_nlines(const hwirq *c) { return c->nlines; }

/* ---- creation -------------------------------------------------------------- */

static void ipi_fire(void *owner, simq_event *ev);

static const hwirq_ops *ops_for(hwirq_kind kind)
{
    switch (kind) {
    case HWIRQ_LAPIC: return &hwirq_lapic_ops;
    case HWIRQ_GIC: return &hwirq_gic_ops;
    case HWIRQ_NVIC: return &hwirq_nvic_ops;
    case HWIRQ_GICV3: return &hwirq_gicv3_ops;
    }
    return NULL;
}

static const hwirq_ops *config_check(const hwirq_config *cfg, hwirq_shape *shape, GError **error)
{
    const hwirq_ops *ops = ops_for(cfg->kind);
    if (ops == NULL) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "kind: %d is not lapic, gic, gicv3 or nvic",
                    (int)cfg->kind);
        return NULL;
    }
    if (cfg->ncores == 0 || cfg->ncores > HWIRQ_MAX_CORES) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "ncores: %u is outside 1..%u",
                    cfg->ncores, HWIRQ_MAX_CORES);
        return NULL;
    }
    return ops->configure(cfg, shape, error) ? ops : NULL;
}

hwirq *hwirq_new(sim *s, const hwirq_config *cfg, GError **error)
{
    g_return_val_if_fail(s != NULL && cfg != NULL, NULL);
    hwirq_shape shape;
    const hwirq_ops *ops = config_check(cfg, &shape, error);
    if (ops == NULL)
        return NULL;

    hwirq *c = g_new0(hwirq, 1);
    c->s = s;
    c->ops = ops;
    c->ncores = cfg->ncores;
    c->nlines = shape.nlines;
    c->nbanked = shape.nbanked;
    c->words = (c->nbanked + 63) / 64;
    c->swords = ops->shared_lines ? (c->nlines + 63) / 64 : 0;
    c->prio_mask = shape.prio_mask;
    c->ipi_latency = cfg->ipi_latency;
    c->signal = cfg->signal;
    c->core_ctx = cfg->core_ctx;
    c->sources = g_ptr_array_new();

    /* irq.h's start-up state: every line enabled, the controller's reset
     * priorities and thresholds, no core-level mask. */
    c->cores = g_new0(hwirq_core, c->ncores);
    for (unsigned k = 0; k < c->ncores; k++) {
        hwirq_core *cs = &c->cores[k];
        cs->c = c;
        cs->index = k;
        simq_event_init(&cs->signal_ev, hwirqst_signal_fire);
        simq_event_init(&cs->ipi_ev, ipi_fire);
        cs->pending = g_new0(uint64_t, c->words);
        cs->active = g_new0(uint64_t, c->words);
        cs->enabled = g_new0(uint64_t, c->words);
        for (unsigned l = 0; l < c->nbanked; l++)
            hwirqst_bit_set(cs->enabled, l);
        if (ops->stacked) {
            cs->prio = g_new(uint8_t, c->nbanked);
            memset(cs->prio, (int)shape.prio_reset, c->nbanked);
            cs->stack = g_new0(hwirq_frame, c->nlines);
        }
        cs->threshold = shape.threshold_reset;
        cs->signalled = HWIRQ_NONE;
    }
    if (ops->shared_lines) {
        unsigned n = c->nlines;
        c->sh_pending = g_new0(uint64_t, c->swords);
        c->sh_active = g_new0(uint64_t, c->swords);
        c->sh_enabled = g_new0(uint64_t, c->swords);
        c->sh_prio = g_new(uint8_t, n);
        memset(c->sh_prio, (int)shape.prio_reset, n);
        c->sh_target = g_new0(uint16_t, n);          /* every shared line targets core 0 */
        c->sh_active_on = g_new(uint16_t, n);
        for (unsigned l = 0; l < n; l++) {
            c->sh_active_on[l] = HWIRQ_NO_CORE;
            if (l >= c->nbanked)
                hwirqst_bit_set(c->sh_enabled, l);
        }
    }
    return c;
}

void hwirq_free(hwirq *c)
{
    if (c == NULL)
        return;
    for (guint i = 0; i < c->sources->len; i++) {
        hwirq_source *src = g_ptr_array_index(c->sources, i);
        if (simq_scheduled(&src->ev))
            sim_deschedule(c->s, &src->ev);
        g_free(src->times);
        g_free(src);
    }
    g_ptr_array_free(c->sources, TRUE);
    for (unsigned k = 0; k < c->ncores; k++) {
        hwirq_core *cs = &c->cores[k];
        if (simq_scheduled(&cs->signal_ev))
            sim_deschedule(c->s, &cs->signal_ev);
        if (simq_scheduled(&cs->ipi_ev))
            sim_deschedule(c->s, &cs->ipi_ev);
        g_free(cs->pending);
        g_free(cs->active);
        g_free(cs->enabled);
        g_free(cs->prio);
        g_free(cs->stack);
        g_free(cs->fifo);
    }
    g_free(c->cores);
    g_free(c->sh_pending);
    g_free(c->sh_active);
    g_free(c->sh_enabled);
    g_free(c->sh_prio);
    g_free(c->sh_target);
    g_free(c->sh_active_on);
    g_free(c);
}

/* ---- raising ------------------------------------------------------------------ */

hwirq_status hwirq_check_line(const hwirq *c, unsigned line)
{
    if (line >= c->nlines)
        return HWIRQ_BAD_LINE;
    return c->ops->check(line, HWIRQ_USE_RAISE);
}

/* Make `line` pending for `core` (already resolved to the owning core for
 * shared lines).  `source` is the raising core, which the GIC records for
 * SGIs. */
static hwirq_status raise_on(hwirq *c, unsigned core, unsigned line, unsigned source)
{
    hwirq_status st = c->ops->check(line, HWIRQ_USE_RAISE);
    if (st != HWIRQ_OK)
        return st;
    if (c->ops->raise != NULL)
        return c->ops->raise(c, core, line, source);
    return hwirqst_mark_pending(c, core, line);
}

hwirq_status hwirq_raise(hwirq *c, unsigned core, unsigned line)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    return raise_on(c, hwirqst_owner(c, core, line), line, core);
}

hwirq_status hwirq_clear_pending(hwirq *c, unsigned core, unsigned line)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    hwirq_status st = c->ops->check(line, HWIRQ_USE_CLEAR);
    if (st != HWIRQ_OK)
        return st;
    unsigned owner = hwirqst_owner(c, core, line);
    if (c->ops->forget != NULL)
        c->ops->forget(c, owner, line);
    hwirqst_unpend(c, owner, line);
    hwirqst_kick(c, owner);
    return HWIRQ_OK;
}

/* ---- IPIs ------------------------------------------------------------------- */

static void fifo_push(hwirq_core *cs, sim_time_t when, unsigned line, unsigned from)
{
    if (cs->fifo_len == cs->fifo_cap) {
        unsigned cap = cs->fifo_cap ? cs->fifo_cap * 2 : 8;
        hwirq_flight *f = g_new(hwirq_flight, cap);
        for (unsigned i = 0; i < cs->fifo_len; i++)
            f[i] = cs->fifo[(cs->fifo_head + i) % cs->fifo_cap];
        g_free(cs->fifo);
        cs->fifo = f;
        cs->fifo_cap = cap;
        cs->fifo_head = 0;
    }
    cs->fifo[(cs->fifo_head + cs->fifo_len) % cs->fifo_cap] =
        (hwirq_flight){ when, (uint16_t)line, (uint16_t)from };
    cs->fifo_len++;
}

static void ipi_fire(void *owner, simq_event *ev)
{
    (void)owner;
    hwirq_core *cs = HWIRQ_CORE_OF(ev, ipi_ev);
    hwirq *c = cs->c;
    sim_time_t now = sim_now(c->s);
    while (cs->fifo_len > 0 && cs->fifo[cs->fifo_head].when <= now) {
        hwirq_flight f = cs->fifo[cs->fifo_head];
        cs->fifo_head = (cs->fifo_head + 1) % cs->fifo_cap;
        cs->fifo_len--;
        (void)raise_on(c, cs->index, f.line, f.from);
    }
    if (cs->fifo_len > 0)
        sim_schedule(c->s, &cs->ipi_ev, cs->fifo[cs->fifo_head].when, HWIRQ_PRIO_RAISE);
}

hwirq_status hwirq_ipi(hwirq *c, unsigned from, hwirq_dest dest, unsigned to, unsigned line)
{
    hwirqst_core(c, from);
    hwirqst_check_line(c, line);
    hwirq_status st = c->ops->check(line, HWIRQ_USE_IPI);   /* which lines may cross cores */
    if (st != HWIRQ_OK)
        return st;
    g_assert(dest != HWIRQ_DEST_CORE || to < c->ncores);
    sim_time_t now = sim_now(c->s);
    sim_time_t when = c->ipi_latency > SIM_TIME_MAX - now ? SIM_TIME_MAX : now + c->ipi_latency;
    for (unsigned k = 0; k < c->ncores; k++) {
        bool hit = false;
        switch (dest) {
        case HWIRQ_DEST_CORE: hit = k == to; break;
        case HWIRQ_DEST_SELF: hit = k == from; break;
        case HWIRQ_DEST_ALL: hit = true; break;
        case HWIRQ_DEST_ALL_BUT_SELF: hit = k != from; break;
        }
        if (!hit)
            continue;
        hwirq_core *cs = &c->cores[k];
        fifo_push(cs, when, line, from);
        if (!simq_scheduled(&cs->ipi_ev))
            sim_schedule(c->s, &cs->ipi_ev, when, HWIRQ_PRIO_RAISE);
    }
    return HWIRQ_OK;
}

hwirq_status hwirq_ipi_targets(hwirq *c, unsigned from, unsigned aff1, uint16_t targets, unsigned line)
{
    hwirqst_core(c, from);
    hwirqst_check_line(c, line);
    if (c->ops->kind != HWIRQ_GICV3)
        return HWIRQ_UNSUPPORTED;
    hwirq_status st = c->ops->check(line, HWIRQ_USE_IPI);
    if (st != HWIRQ_OK)
        return st;
    for (uint32_t t = targets; t; t &= t - 1) {
        unsigned k = aff1 * HWIRQ_GICV3_AFF0 + (unsigned)__builtin_ctz(t);
        if (aff1 < c->ncores && k < c->ncores)
            (void)hwirq_ipi(c, from, HWIRQ_DEST_CORE, k, line);
    }
    return HWIRQ_OK;
}

/* ---- the core's side ---------------------------------------------------------- */

unsigned hwirq_pending(const hwirq *c, unsigned core)
{
    hwirqst_core(c, core);
    return c->ops->pending(c, core);
}

int hwirq_running_priority(const hwirq *c, unsigned core)
{
    hwirqst_core(c, core);
    return c->ops->running_priority(c, core);
}

unsigned hwirq_ack(hwirq *c, unsigned core, unsigned *source)
{
    hwirqst_core(c, core);
    if (source)
        *source = HWIRQ_NONE;
    unsigned line = hwirq_pending(c, core);
    hwirqst_core_acted(c, core, false);
    if (line == HWIRQ_NONE)
        return HWIRQ_NONE;       /* GIC: spurious 1023, IHI 0048B 4.4.4 (*) */
    unsigned src = hwirqst_activate(c, core, line);
    if (source && src != HWIRQ_NO_SOURCE)
        *source = src;
    return line;
}

hwirq_status hwirq_eoi(hwirq *c, unsigned core, unsigned line)
{
    hwirqst_core(c, core);
    g_assert(c->ops->eoi != NULL);   /* NVIC: hwirq_return (irq_nvic.c) */
    return c->ops->eoi(c, core, line);
}

/* ---- masks, thresholds, priorities ------------------------------------------- */

hwirq_status hwirq_set_enabled(hwirq *c, unsigned core, unsigned line, bool enabled)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    hwirq_status st = c->ops->check(line, HWIRQ_USE_ENABLE);
    if (st != HWIRQ_OK)
        return st;
    unsigned owner = hwirqst_owner(c, core, line);
    uint64_t *en = hwirqst_banked(c, line) ? c->cores[owner].enabled : c->sh_enabled;
    if (enabled)
        hwirqst_bit_set(en, line);
    else
        hwirqst_bit_clr(en, line);
    hwirqst_kick(c, owner);
    return HWIRQ_OK;
}

hwirq_status hwirq_set_priority(hwirq *c, unsigned core, unsigned line, unsigned prio)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    hwirq_status st = c->ops->check(line, HWIRQ_USE_PRIORITY);
    if (st != HWIRQ_OK)
        return st;
    uint8_t p = (uint8_t)(prio & c->prio_mask);
    unsigned owner = hwirqst_owner(c, core, line);
    if (hwirqst_banked(c, line))
        c->cores[owner].prio[line] = p;
    else
        c->sh_prio[line] = p;
    hwirqst_kick(c, owner);
    return HWIRQ_OK;
}

int hwirq_priority(const hwirq *c, unsigned core, unsigned line)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    return c->ops->line_prio(c, core, line);
}

/* Routing: a shared line goes to one target core; a pending one follows
 * its target, so both the old and the new target look again. */
hwirq_status hwirq_set_target(hwirq *c, unsigned line, unsigned core)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    if (!c->ops->shared_lines || hwirqst_banked(c, line))
        return HWIRQ_UNSUPPORTED;
    unsigned old = c->sh_target[line];
    c->sh_target[line] = (uint16_t)core;
    hwirqst_kick(c, old);
    hwirqst_kick(c, core);
    return HWIRQ_OK;
}

void hwirq_set_threshold(hwirq *c, unsigned core, unsigned value)
{
    hwirq_core *cs = hwirqst_core(c, core);
    cs->threshold = (value & 0xFFu) & c->prio_mask;
    hwirqst_core_acted(c, core, true);
}

unsigned hwirq_threshold(const hwirq *c, unsigned core)
{
    return hwirqst_core(c, core)->threshold;
}

void hwirq_set_masked(hwirq *c, unsigned core, bool masked)
{
    hwirqst_core(c, core)->masked = masked;
    hwirqst_core_acted(c, core, true);
}

hwirq_status hwirq_set_faultmask(hwirq *c, unsigned core, bool set)
{
    hwirq_core *cs = hwirqst_core(c, core);
    if (!c->ops->faultmask)
        return HWIRQ_UNSUPPORTED;
    cs->faultmask = set;
    hwirqst_core_acted(c, core, true);
    return HWIRQ_OK;
}

hwirq_status hwirq_set_binary_point(hwirq *c, unsigned core, unsigned bp)
{
    hwirq_core *cs = hwirqst_core(c, core);
    if (!c->ops->binary_point)
        return HWIRQ_UNSUPPORTED;
    cs->bp = bp & 7u;
    hwirqst_core_acted(c, core, true);
    return HWIRQ_OK;
}

/* ---- queries ------------------------------------------------------------------ */

bool hwirq_is_pending(const hwirq *c, unsigned core, unsigned line)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    return hwirqst_pending(c, hwirqst_owner(c, core, line), line);
}

bool hwirq_is_active(const hwirq *c, unsigned core, unsigned line)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    return hwirqst_active(c, core, line);
}

bool hwirq_is_enabled(const hwirq *c, unsigned core, unsigned line)
{
    hwirqst_core(c, core);
    hwirqst_check_line(c, line);
    return hwirqst_enabled(c, hwirqst_owner(c, core, line), line);
}

unsigned hwirq_active_count(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = hwirqst_core(c, core);
    if (c->ops->stacked)
        return cs->depth;
    unsigned n = 0;      /* without a stack, the active bits are the count */
    for (unsigned w = 0; w < c->words; w++)
        n += (unsigned)__builtin_popcountll(cs->active[w]);
    return n;
}

/* ---- invariants (irq_state.h) ------------------------------------------------- */

static bool verify_bitmap_tail(const uint64_t *m, unsigned nwords, unsigned nbits, const char *what)
{
    for (unsigned i = nbits; i < nwords * 64; i++)
        HWIRQ_VERIFY(!hwirqst_bit_get(m, i), "hwirq I1: %s bit %u set beyond the last line %u", what, i,
                     nbits - 1);
    return true;
}

static bool verify_core(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    if (!verify_bitmap_tail(cs->pending, c->words, c->nbanked, "pending")
        || !verify_bitmap_tail(cs->active, c->words, c->nbanked, "active"))
        return false;
    if (!c->ops->verify_core(c, k))
        return false;
    if (!c->ops->stacked)
        return true;

    /* I3: the stack and the active bits name the same lines, once each. */
    unsigned active = 0;
    for (unsigned w = 0; w < c->words; w++)
        active += (unsigned)__builtin_popcountll(cs->active[w]);
    if (c->ops->shared_lines)
        for (unsigned l = c->nbanked; l < c->nlines; l++)
            if (hwirqst_bit_get(c->sh_active, l) && c->sh_active_on[l] == k)
                active++;
    HWIRQ_VERIFY(active == cs->depth, "hwirq I3: core %u: %u lines active but %u on the stack", k,
                 active, cs->depth);
    for (unsigned i = 0; i < cs->depth; i++) {
        unsigned l = cs->stack[i].line;
        HWIRQ_VERIFY(l < c->nlines && hwirqst_active(c, k, l),
                     "hwirq I3: core %u: stack entry %u (line %u) is not active", k, i, l);
        for (unsigned j = 0; j < i; j++)
            HWIRQ_VERIFY(cs->stack[j].line != l, "hwirq I3: core %u: line %u twice on the stack", k, l);
    }
    return true;
}

static bool verify_fifo(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    for (unsigned i = 1; i < cs->fifo_len; i++)
        HWIRQ_VERIFY(cs->fifo[(cs->fifo_head + i - 1) % cs->fifo_cap].when
                         <= cs->fifo[(cs->fifo_head + i) % cs->fifo_cap].when,
                     "hwirq I6: core %u: IPI FIFO out of arrival order at %u", k, i);
    HWIRQ_VERIFY(simq_scheduled(&cs->ipi_ev) == (cs->fifo_len > 0),
                 "hwirq I6: core %u: IPI event scheduled=%d with %u in flight", k,
                 (int)simq_scheduled(&cs->ipi_ev), cs->fifo_len);
    if (cs->fifo_len > 0)
        HWIRQ_VERIFY(cs->ipi_ev.when == cs->fifo[cs->fifo_head].when,
                     "hwirq I6: core %u: IPI event not at the head's arrival", k);
    return true;
}

static bool verify_shared(const hwirq *c)
{
    if (!verify_bitmap_tail(c->sh_pending, c->swords, c->nlines, "shared pending")
        || !verify_bitmap_tail(c->sh_active, c->swords, c->nlines, "shared active"))
        return false;
    for (unsigned l = 0; l < c->nlines; l++) {
        bool act = hwirqst_bit_get(c->sh_active, l);
        HWIRQ_VERIFY(l >= c->nbanked || (!act && !hwirqst_bit_get(c->sh_pending, l)),
                     "hwirq I5: banked line %u has shared state", l);
        HWIRQ_VERIFY(act == (c->sh_active_on[l] != HWIRQ_NO_CORE),
                     "hwirq I5: shared line %u active=%d but active_on=%u", l, (int)act,
                     c->sh_active_on[l]);
        HWIRQ_VERIFY(!act || c->sh_active_on[l] < c->ncores, "hwirq I5: shared line %u active on no core", l);
        HWIRQ_VERIFY(c->sh_target[l] < c->ncores, "hwirq I5: shared line %u targets core %u", l,
                     c->sh_target[l]);
    }
    return true;
}

bool hwirq_verify(const hwirq *c)
{
    for (unsigned k = 0; k < c->ncores; k++)
        if (!verify_core(c, k) || !verify_fifo(c, k))
            return false;
    if (c->ops->shared_lines && !verify_shared(c))
        return false;
    for (guint i = 0; i < c->sources->len; i++) {
        const hwirq_source *src = g_ptr_array_index(c->sources, i);
        bool running = !src->stopped && src->next != SIM_TIME_MAX;
        HWIRQ_VERIFY(simq_scheduled(&src->ev) == running,
                     "hwirq I7: source %u: scheduled=%d but running=%d", i,
                     (int)simq_scheduled(&src->ev), (int)running);
        HWIRQ_VERIFY(!running || src->ev.when == src->next, "hwirq I7: source %u: event not at next", i);
    }
    return true;
}
