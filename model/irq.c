/* model/irq.c: interrupt controllers (LAPIC, GICv2, ARMv7-M NVIC), IPIs and
 * device interrupt sources.  The contract is in irq.h; this file holds the
 * state, its invariants and the rules, each with its manual section.
 *
 * State, per core (arrays indexed by core, as every per-core thing here):
 *   banked lines - every LAPIC vector, the GIC's SGIs/PPIs (IDs 0-31), every
 *   NVIC exception - keep their pending/active/enabled bits and priorities
 *   in the core's own bitmaps; GIC SPIs (IDs 32+) are shared and keep theirs
 *   in the distributor arrays (g_*), with the target core and, while active,
 *   the core that acknowledged them.
 *
 * Section marks (*) as in irq.h: numbers from memory, not re-read.
 *
 * Invariants (checked by hwirq_verify):
 *  I1 no bit is set at or above nlines, nor for LAPIC vectors 0-15
 *     (those are illegal, SDM 10.5.3, and are refused at the door);
 *  I2 GIC: an SGI is pending on a core iff some sender's bit is set in
 *     sgi_src, and only bits of existing cores are set;
 *  I3 GIC/NVIC: the active stack holds exactly the lines active on that core,
 *     each once, in the order they were acknowledged; LAPIC keeps no stack
 *     (its in-service order is the ISR itself, SDM 10.8.5);
 *  I4 GIC: the group priorities on the stack strictly decrease (numerically)
 *     from bottom to top: an interrupt is acknowledged only if its group
 *     priority beats the running priority (IHI 0048B 3.3 (*), "Preemption");
 *  I5 GIC: an SPI is active iff g_active_on names a core, and that core's
 *     stack holds it;
 *  I6 the IPI FIFO of a core is ordered by arrival time, and its event is
 *     scheduled iff the FIFO is not empty, at the head's time;
 *  I7 a running source has its event scheduled at its `next` time.
 *
 * Why a FIFO for IPIs: the latency is one constant, so IPIs to one core
 * arrive in the order they were sent; one event per core, scheduled at the
 * head, serves any number in flight without allocating per IPI.
 */
#include "model/irq.h"

#include <limits.h>
#include <string.h>

G_DEFINE_QUARK(hwirq-error-quark, hwirq_error)

#define LAPIC_LINES 256u
#define GIC_BANKED 32u          /* SGIs 0-15 and PPIs 16-31, IHI 0048B 2.2.1 (*) */
#define GIC_SGIS 16u
#define GIC_MAX_LINES 1020u     /* IDs 1020-1023 are special, IHI 0048B 3.2 (*) */
#define NVIC_MIN_LINES 17u
#define NVIC_MAX_LINES 512u     /* 16 system + 496 external, DDI 0403E B3.4 (*) */
#define GIC_IDLE 0x100          /* running priority with nothing active: below every priority */
#define NVIC_BASE 256           /* execution priority of Thread mode, no boost (B1.5.4) */
#define NO_CORE 0xFFFFu
#define NO_SOURCE 0xFFu

/* NVIC exception numbers with fixed meaning (DDI 0403E B1.5.2 (*)). */
enum {
    NVIC_NMI = 2, NVIC_HARDFAULT = 3, NVIC_MEMMANAGE = 4, NVIC_BUSFAULT = 5,
    NVIC_USAGEFAULT = 6, NVIC_SVCALL = 11, NVIC_DEBUGMON = 12, NVIC_PENDSV = 14,
    NVIC_SYSTICK = 15, NVIC_EXTERNAL = 16,
};

typedef struct hwirq_frame {     /* one acknowledged, not yet ended interrupt */
    uint16_t line;
    uint8_t source;              /* GIC SGI sender, else NO_SOURCE */
    int16_t group;               /* GIC: its group priority at acknowledge (the running priority) */
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
    uint8_t sgi_src[GIC_SGIS];   /* GIC: senders of each pending SGI, bit per core */
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
    enum { SRC_PERIODIC, SRC_SPORADIC, SRC_LIST } kind;
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
    hwirq_kind kind;
    unsigned ncores, nlines;
    unsigned nbanked;            /* lines kept per core: LAPIC 256, GIC 32, NVIC nlines */
    unsigned words;              /* 64-bit words per banked bitmap */
    unsigned gwords;             /* 64-bit words per distributor bitmap (GIC) */
    unsigned prio_mask;          /* implemented priority bits, e.g. 0xF8 for 5 bits */
    sim_time_t ipi_latency;
    hwirq_signal_fn signal;
    void *core_ctx;
    hwirq_core *cores;
    /* GIC distributor state of the SPIs (indexed by ID; IDs < 32 unused) */
    uint64_t *g_pending, *g_active, *g_enabled;
    uint8_t *g_prio;
    uint16_t *g_target, *g_active_on;
    GPtrArray *sources;          /* hwirq_source *, in creation order */
};

/* ---- small helpers ----------------------------------------------------------- */

static inline bool bit_get(const uint64_t *m, unsigned i) { return (m[i >> 6] >> (i & 63)) & 1u; }
static inline void bit_set(uint64_t *m, unsigned i) { m[i >> 6] |= UINT64_C(1) << (i & 63); }
static inline void bit_clr(uint64_t *m, unsigned i) { m[i >> 6] &= ~(UINT64_C(1) << (i & 63)); }

#define CORE_OF(ptr, member) ((hwirq_core *)((char *)(ptr) - offsetof(hwirq_core, member)))

const char *hwirq_kind_name(hwirq_kind k)
{
    switch (k) {
    case HWIRQ_LAPIC: return "lapic";
    case HWIRQ_GIC: return "gic";
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

hwirq_kind hwirq_get_kind(const hwirq *c) { return c->kind; }
unsigned hwirq_ncores(const hwirq *c) { return c->ncores; }
unsigned hwirq_nlines(const hwirq *c) { return c->nlines; }

static inline hwirq_core *core_of(const hwirq *c, unsigned core)
{
    g_assert(core < c->ncores);
    return &c->cores[core];
}

static inline void check_line(const hwirq *c, unsigned line)
{
    g_assert(line < c->nlines);
}

static inline bool banked(const hwirq *c, unsigned line) { return line < c->nbanked; }

/* NVIC exception numbers that name nothing: 0 (the initial SP slot), 1
 * (Reset, not modelled), 7-10 and 13 (reserved), B1.5.2. */
static bool nvic_reserved(unsigned line)
{
    return line <= 1 || (line >= 7 && line <= 10) || line == 13;
}

/* The group priority: bits [bp:0] cleared (IHI 0048B 3.3 (*) "Priority
 * grouping"; DDI 0403E B1.5.4 (*) and its ExecutionPriority() pseudocode,
 * where groupvalue = 2 << PRIGROUP; the split matches the PRIGROUP table of
 * the Cortex-M3 TRM, Table 5-3).  Fixed negative priorities stay as they are. */
static inline int group_of(int prio, unsigned bp)
{
    if (prio < 0)
        return prio;
    return prio & ~((2 << bp) - 1);
}

/* ---- per-line state access (banked or distributor) ---------------------------- */

static bool line_pending(const hwirq *c, unsigned core, unsigned line)
{
    return banked(c, line) ? bit_get(c->cores[core].pending, line) : bit_get(c->g_pending, line);
}

static bool line_active(const hwirq *c, unsigned core, unsigned line)
{
    if (banked(c, line))
        return bit_get(c->cores[core].active, line);
    return bit_get(c->g_active, line) && c->g_active_on[line] == core;
}

static bool line_enabled(const hwirq *c, unsigned core, unsigned line)
{
    return banked(c, line) ? bit_get(c->cores[core].enabled, line) : bit_get(c->g_enabled, line);
}

/* Priority of a line for core `core`: LAPIC the vector; NVIC NMI -2 and
 * HardFault -1 (B1.5.4); otherwise as programmed. */
static int line_prio(const hwirq *c, unsigned core, unsigned line)
{
    switch (c->kind) {
    case HWIRQ_LAPIC:
        return (int)line;
    case HWIRQ_NVIC:
        if (line == NVIC_NMI)
            return -2;
        if (line == NVIC_HARDFAULT)
            return -1;
        return c->cores[core].prio[line];
    case HWIRQ_GIC:
        return banked(c, line) ? c->cores[core].prio[line] : c->g_prio[line];
    }
    return 0;
}

/* The core that a line's state belongs to for a raise from `core`. */
static unsigned owner_core(const hwirq *c, unsigned core, unsigned line)
{
    return banked(c, line) ? core : c->g_target[line];
}

/* ---- signalling ------------------------------------------------------------- */

/* Something about `core` changed: evaluate its best line at
 * HWIRQ_PRIO_SIGNAL this picosecond, after every raise due now. */
static void kick(hwirq *c, unsigned core)
{
    hwirq_core *cs = &c->cores[core];
    if (c->signal != NULL && !simq_scheduled(&cs->signal_ev))
        sim_schedule(c->s, &cs->signal_ev, sim_now(c->s), HWIRQ_PRIO_SIGNAL);
}

/* The core itself changed its state (ack, EOI, masks): whatever it was told
 * before no longer stands, so the next evaluation tells it afresh. */
static void core_acted(hwirq *c, unsigned core, bool may_uncover)
{
    c->cores[core].signalled = HWIRQ_NONE;
    if (may_uncover)
        kick(c, core);
}

static void signal_fire(void *owner, simq_event *ev)
{
    (void)owner;
    hwirq_core *cs = CORE_OF(ev, signal_ev);
    hwirq *c = cs->c;
    unsigned best = hwirq_pending(c, cs->index);
    if (best == HWIRQ_NONE || best == cs->signalled) {
        cs->signalled = best;
        return;
    }
    cs->signalled = best;
    c->signal(c->core_ctx, cs->index, best);   /* last: it may call back into us */
}

/* ---- priorities the core runs at ---------------------------------------------- */

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

/* ARMv7-M execution priority, DDI 0403E B1.5.4 (*) ExecutionPriority(): the
 * highest (numerically lowest) group priority of the active exceptions,
 * boosted by BASEPRI (its group priority), PRIMASK (0) and FAULTMASK (-1).
 * Uses the exceptions' current priorities, as the pseudocode does. */
static int nvic_exec_prio(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = &c->cores[core];
    int highest = NVIC_BASE;
    for (unsigned i = 0; i < cs->depth; i++) {
        int g = group_of(line_prio(c, core, cs->stack[i].line), cs->bp);
        if (g < highest)
            highest = g;
    }
    int boost = NVIC_BASE;
    if (cs->threshold != 0)
        boost = group_of((int)cs->threshold, cs->bp);
    if (cs->masked)
        boost = 0;
    if (cs->faultmask)
        boost = -1;
    return boost < highest ? boost : highest;
}

int hwirq_running_priority(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = core_of(c, core);
    switch (c->kind) {
    case HWIRQ_LAPIC: {
        /* PPR, SDM 10.8.3.1: TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0.
         * (At equal classes the sub-class is model-specific; we return TPR.) */
        int isrv = lapic_isrv(cs);
        if ((int)(cs->threshold >> 4) >= (isrv >> 4))
            return (int)cs->threshold;
        return isrv & 0xF0;
    }
    case HWIRQ_GIC:
        return cs->depth ? cs->stack[cs->depth - 1].group : GIC_IDLE;
    case HWIRQ_NVIC:
        return nvic_exec_prio(c, core);
    }
    return 0;
}

/* ---- choosing the best deliverable line ------------------------------------- */

/* Scan one bitmap of candidates (pending & enabled & not active) for the
 * lowest (priority, line).  Lines are visited in ascending order and only a
 * strictly better priority replaces the best, so ties go to the lowest line:
 * the NVIC's architected rule (B1.5.4: "the lowest exception number"); for
 * the GIC, IHI 0048B leaves the choice among equal priorities to the
 * implementation, and this is ours. */
static void scan_best(const hwirq *c, unsigned core, const uint64_t *pend, const uint64_t *en,
                      const uint64_t *act, unsigned from_word, unsigned nwords,
                      bool spi, int *best_prio, unsigned *best_line)
{
    for (unsigned w = from_word; w < nwords; w++) {
        uint64_t cand = pend[w] & en[w] & ~act[w];
        while (cand) {
            unsigned line = w * 64 + (unsigned)__builtin_ctzll(cand);
            cand &= cand - 1;
            if (spi && c->g_target[line] != core)
                continue;
            int p = line_prio(c, core, line);
            if (p < *best_prio) {
                *best_prio = p;
                *best_line = line;
            }
        }
    }
}

unsigned hwirq_pending(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = core_of(c, core);
    if (c->kind == HWIRQ_LAPIC) {
        /* SDM 10.8.3.1: deliver the highest IRR vector only if its class is
         * above the processor-priority class.  Vector order is priority
         * order, so only the highest IRR vector matters. */
        if (cs->masked)
            return HWIRQ_NONE;
        int v = lapic_irrv(cs);
        if (v < 0)
            return HWIRQ_NONE;
        int ppr_class = hwirq_running_priority(c, core) >> 4;
        return (v >> 4) > ppr_class ? (unsigned)v : HWIRQ_NONE;
    }
    if (c->kind == HWIRQ_GIC && cs->masked)
        return HWIRQ_NONE;

    /* GIC and NVIC: the highest-priority pending, enabled, inactive line.
     * If it cannot be delivered, no lower one can (group priority is
     * monotone in priority), so checking the best alone is exact. */
    int best_prio = INT_MAX;
    unsigned best = HWIRQ_NONE;
    scan_best(c, core, cs->pending, cs->enabled, cs->active, 0, c->words, false, &best_prio, &best);
    if (c->kind == HWIRQ_GIC)
        scan_best(c, core, c->g_pending, c->g_enabled, c->g_active, GIC_BANKED / 64, c->gwords,
                  true, &best_prio, &best);
    if (best == HWIRQ_NONE)
        return HWIRQ_NONE;

    if (c->kind == HWIRQ_GIC) {
        /* IHI 0048B 3.3 (*) "Preemption" and "Priority masking": signalled only
         * if its priority is higher than the PMR and its group priority is
         * higher than the running priority. */
        if (best_prio >= (int)cs->threshold)
            return HWIRQ_NONE;
        if (group_of(best_prio, cs->bp) >= hwirq_running_priority(c, core))
            return HWIRQ_NONE;
        return best;
    }
    /* NVIC, B1.5.4: an exception preempts only if its group priority is
     * strictly higher (numerically lower) than the execution priority. */
    if (group_of(best_prio, cs->bp) >= nvic_exec_prio(c, core))
        return HWIRQ_NONE;
    return best;
}

/* ---- creation -------------------------------------------------------------- */

static void ipi_fire(void *owner, simq_event *ev);

static bool config_check(const hwirq_config *cfg, unsigned *nlines, GError **error)
{
    if (cfg->kind != HWIRQ_LAPIC && cfg->kind != HWIRQ_GIC && cfg->kind != HWIRQ_NVIC) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "kind: %d is not lapic, gic or nvic",
                    (int)cfg->kind);
        return false;
    }
    if (cfg->ncores == 0 || cfg->ncores > HWIRQ_MAX_CORES) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "ncores: %u is outside 1..%u",
                    cfg->ncores, HWIRQ_MAX_CORES);
        return false;
    }
    switch (cfg->kind) {
    case HWIRQ_LAPIC:
        if (cfg->nlines != 0 && cfg->nlines != LAPIC_LINES) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "nlines: %u, but a local APIC has exactly 256 vectors (give 0 or 256)",
                        cfg->nlines);
            return false;
        }
        *nlines = LAPIC_LINES;
        return true;
    case HWIRQ_GIC:
        if (cfg->ncores > HWIRQ_GIC_MAX_CORES) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "ncores: %u, but a GICv2 has at most %u CPU interfaces", cfg->ncores,
                        HWIRQ_GIC_MAX_CORES);
            return false;
        }
        if (cfg->nlines < GIC_BANKED || cfg->nlines > GIC_MAX_LINES) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "nlines: %u is outside %u..%u for a GICv2", cfg->nlines, GIC_BANKED,
                        GIC_MAX_LINES);
            return false;
        }
        if (cfg->prio_bits < 4 || cfg->prio_bits > 8) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "prio_bits: %u is outside 4..8 for a GICv2 (16 to 256 levels)",
                        cfg->prio_bits);
            return false;
        }
        break;
    case HWIRQ_NVIC:
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
        break;
    }
    *nlines = cfg->nlines;
    return true;
}

hwirq *hwirq_new(sim *s, const hwirq_config *cfg, GError **error)
{
    g_return_val_if_fail(s != NULL && cfg != NULL, NULL);
    unsigned nlines;
    if (!config_check(cfg, &nlines, error))
        return NULL;

    hwirq *c = g_new0(hwirq, 1);
    c->s = s;
    c->kind = cfg->kind;
    c->ncores = cfg->ncores;
    c->nlines = nlines;
    c->nbanked = cfg->kind == HWIRQ_GIC ? GIC_BANKED : nlines;
    c->words = (c->nbanked + 63) / 64;
    c->gwords = cfg->kind == HWIRQ_GIC ? (nlines + 63) / 64 : 0;
    c->prio_mask = cfg->kind == HWIRQ_LAPIC ? 0xFFu : (0xFFu << (8 - cfg->prio_bits)) & 0xFFu;
    c->ipi_latency = cfg->ipi_latency;
    c->signal = cfg->signal;
    c->core_ctx = cfg->core_ctx;
    c->sources = g_ptr_array_new();

    unsigned default_prio = cfg->kind == HWIRQ_GIC ? (0xA0u & c->prio_mask) : 0;
    c->cores = g_new0(hwirq_core, c->ncores);
    for (unsigned k = 0; k < c->ncores; k++) {
        hwirq_core *cs = &c->cores[k];
        cs->c = c;
        cs->index = k;
        simq_event_init(&cs->signal_ev, signal_fire);
        simq_event_init(&cs->ipi_ev, ipi_fire);
        cs->pending = g_new0(uint64_t, c->words);
        cs->active = g_new0(uint64_t, c->words);
        cs->enabled = g_new0(uint64_t, c->words);
        for (unsigned l = 0; l < c->nbanked; l++)
            bit_set(cs->enabled, l);
        if (cfg->kind != HWIRQ_LAPIC) {
            cs->prio = g_new(uint8_t, c->nbanked);
            memset(cs->prio, (int)default_prio, c->nbanked);
            cs->stack = g_new0(hwirq_frame, c->nlines);
        }
        cs->threshold = cfg->kind == HWIRQ_GIC ? c->prio_mask : 0;   /* PMR: let all but the lowest through */
        cs->signalled = HWIRQ_NONE;
    }
    if (cfg->kind == HWIRQ_GIC) {
        c->g_pending = g_new0(uint64_t, c->gwords);
        c->g_active = g_new0(uint64_t, c->gwords);
        c->g_enabled = g_new0(uint64_t, c->gwords);
        c->g_prio = g_new(uint8_t, nlines);
        memset(c->g_prio, (int)default_prio, nlines);
        c->g_target = g_new0(uint16_t, nlines);
        c->g_active_on = g_new(uint16_t, nlines);
        for (unsigned l = 0; l < nlines; l++) {
            c->g_active_on[l] = NO_CORE;
            if (l >= GIC_BANKED)
                bit_set(c->g_enabled, l);
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
    g_free(c->g_pending);
    g_free(c->g_active);
    g_free(c->g_enabled);
    g_free(c->g_prio);
    g_free(c->g_target);
    g_free(c->g_active_on);
    g_free(c);
}

/* ---- raising ------------------------------------------------------------------ */

/* Whether `line` may be raised at all on this flavour. */
static hwirq_status line_legal(const hwirq *c, unsigned line)
{
    if (c->kind == HWIRQ_LAPIC && line < 16)
        return HWIRQ_ILLEGAL_VECTOR;        /* SDM 10.5.3: vectors 0-15 are illegal */
    if (c->kind == HWIRQ_NVIC && nvic_reserved(line))
        return HWIRQ_BAD_LINE;
    return HWIRQ_OK;
}

hwirq_status hwirq_check_line(const hwirq *c, unsigned line)
{
    if (line >= c->nlines)
        return HWIRQ_BAD_LINE;
    return line_legal(c, line);
}

/* Make `line` pending for `core` (already resolved to the owning core for
 * SPIs).  `source` is the sending core of a GIC SGI. */
static hwirq_status raise_on(hwirq *c, unsigned core, unsigned line, unsigned source)
{
    hwirq_status st = line_legal(c, line);
    if (st != HWIRQ_OK)
        return st;
    hwirq_core *cs = &c->cores[core];
    if (c->kind == HWIRQ_LAPIC && !bit_get(cs->enabled, line))
        return HWIRQ_DROPPED;

    if (c->kind == HWIRQ_GIC && line < GIC_SGIS) {
        /* IHI 0048B 4.4.4 (*), GICC_IAR.CPUID: SGI pending state is kept per sender;
         * a second SGI from the same sender merges. */
        uint8_t bit = (uint8_t)(1u << source);
        if (cs->sgi_src[line] & bit)
            return HWIRQ_COALESCED;
        cs->sgi_src[line] |= bit;
        bit_set(cs->pending, line);
        kick(c, core);
        return HWIRQ_OK;
    }
    uint64_t *pend = banked(c, line) ? cs->pending : c->g_pending;
    if (bit_get(pend, line))
        return HWIRQ_COALESCED;
    bit_set(pend, line);
    kick(c, core);
    return HWIRQ_OK;
}

hwirq_status hwirq_raise(hwirq *c, unsigned core, unsigned line)
{
    core_of(c, core);
    check_line(c, line);
    return raise_on(c, owner_core(c, core, line), line, core);
}

hwirq_status hwirq_clear_pending(hwirq *c, unsigned core, unsigned line)
{
    core_of(c, core);
    check_line(c, line);
    if (c->kind == HWIRQ_LAPIC)
        return HWIRQ_UNSUPPORTED;
    hwirq_status st = line_legal(c, line);
    if (st != HWIRQ_OK)
        return st;
    unsigned owner = owner_core(c, core, line);
    hwirq_core *cs = &c->cores[owner];
    if (c->kind == HWIRQ_GIC && line < GIC_SGIS)
        cs->sgi_src[line] = 0;
    bit_clr(banked(c, line) ? cs->pending : c->g_pending, line);
    kick(c, owner);
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
    hwirq_core *cs = CORE_OF(ev, ipi_ev);
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
    core_of(c, from);
    check_line(c, line);
    switch (c->kind) {
    case HWIRQ_LAPIC:
        if (line < 16)
            return HWIRQ_ILLEGAL_VECTOR;    /* "Send Illegal Vector", SDM 10.5.3 */
        break;
    case HWIRQ_GIC:
        if (line >= GIC_SGIS)
            return HWIRQ_BAD_LINE;          /* GICD_SGIR.SGIINTID is 4 bits (IHI 0048B.b Table 4-21) */
        break;
    case HWIRQ_NVIC:
        if (line < NVIC_EXTERNAL)
            return HWIRQ_BAD_LINE;          /* only an external line can be wired between cores */
        break;
    }
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

/* ---- acknowledge, end, return ---------------------------------------------- */

static void push_frame(hwirq *c, unsigned core, unsigned line, unsigned source)
{
    hwirq_core *cs = &c->cores[core];
    g_assert(cs->depth < c->nlines);
    int group = c->kind == HWIRQ_GIC ? group_of(line_prio(c, core, line), cs->bp) : 0;
    cs->stack[cs->depth++] = (hwirq_frame){ (uint16_t)line, (uint8_t)source, (int16_t)group };
}

/* pending -> active for a line chosen by hwirq_pending. */
static unsigned activate(hwirq *c, unsigned core, unsigned line)
{
    hwirq_core *cs = &c->cores[core];
    unsigned source = NO_SOURCE;
    if (c->kind == HWIRQ_GIC && line < GIC_SGIS) {
        /* The lowest-numbered sender first: which sender's SGI is taken is
         * the implementation's choice (not verified against a TRM).  The SGI
         * stays pending while other senders' bits remain. */
        source = (unsigned)__builtin_ctz(cs->sgi_src[line]);
        cs->sgi_src[line] &= (uint8_t)~(1u << source);
        if (cs->sgi_src[line] == 0)
            bit_clr(cs->pending, line);
    } else if (banked(c, line)) {
        bit_clr(cs->pending, line);
    } else {
        bit_clr(c->g_pending, line);
    }
    if (banked(c, line)) {
        bit_set(cs->active, line);
    } else {
        bit_set(c->g_active, line);
        c->g_active_on[line] = (uint16_t)core;
    }
    if (c->kind != HWIRQ_LAPIC)
        push_frame(c, core, line, source);
    return source;
}

static void deactivate(hwirq *c, unsigned core, unsigned line)
{
    if (banked(c, line)) {
        bit_clr(c->cores[core].active, line);
    } else {
        bit_clr(c->g_active, line);
        c->g_active_on[line] = NO_CORE;
    }
}

unsigned hwirq_ack(hwirq *c, unsigned core, unsigned *source)
{
    core_of(c, core);
    if (source)
        *source = HWIRQ_NONE;
    unsigned line = hwirq_pending(c, core);
    core_acted(c, core, false);
    if (line == HWIRQ_NONE)
        return HWIRQ_NONE;       /* GIC: spurious 1023, IHI 0048B 4.4.4 (*) */
    unsigned src = activate(c, core, line);
    if (source && src != NO_SOURCE)
        *source = src;
    return line;
}

hwirq_status hwirq_eoi(hwirq *c, unsigned core, unsigned line)
{
    hwirq_core *cs = core_of(c, core);
    g_assert(c->kind != HWIRQ_NVIC);   /* NVIC: hwirq_return */
    if (c->kind == HWIRQ_LAPIC) {
        /* SDM 10.8.5: an EOI write clears the highest-priority ISR bit. */
        int isrv = -1;
        for (int w = (int)(LAPIC_LINES / 64) - 1; w >= 0 && isrv < 0; w--)
            if (cs->active[w])
                isrv = w * 64 + 63 - __builtin_clzll(cs->active[w]);
        if (isrv < 0)
            return HWIRQ_NOT_ACTIVE;
        bit_clr(cs->active, (unsigned)isrv);
        core_acted(c, core, true);
        return HWIRQ_OK;
    }
    check_line(c, line);
    if (!line_active(c, core, line))
        return HWIRQ_NOT_ACTIVE;
    if (cs->stack[cs->depth - 1].line != line)
        return HWIRQ_NOT_CURRENT;
    cs->depth--;
    deactivate(c, core, line);
    core_acted(c, core, true);
    if (!banked(c, line) && c->g_target[line] != core)
        kick(c, c->g_target[line]);   /* a re-pended SPI may now go to its (new) target */
    return HWIRQ_OK;
}

hwirq_ret hwirq_return(hwirq *c, unsigned core)
{
    hwirq_core *cs = core_of(c, core);
    g_assert(c->kind == HWIRQ_NVIC);
    core_acted(c, core, false);
    if (cs->depth == 0)
        return (hwirq_ret){ HWIRQ_RET_NOT_ACTIVE, HWIRQ_NONE };
    unsigned line = cs->stack[--cs->depth].line;
    deactivate(c, core, line);
    /* Tail-chaining: if a pending exception can preempt what the return
     * would resume (the execution priority without the returning
     * exception, B1.5.4 (*)), the processor goes straight into it without
     * unstacking and stacking the same registers again.  ARM's processor
     * documents describe the mechanism (e.g. the Cortex-M0+ TRM, DDI 0484C
     * 3.6.1: "implements both interrupt late-arrival and interrupt
     * tail-chaining mechanisms, as defined by the ARMv6-M architecture");
     * what it costs, against a full exit and entry, is the core's cost
     * table's business (the presets), not this module's. */
    unsigned next = hwirq_pending(c, core);
    if (next != HWIRQ_NONE) {
        activate(c, core, next);
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
    hwirq_core *cs = core_of(c, core);
    g_assert(c->kind == HWIRQ_NVIC);
    g_assert(cs->depth > 0);
    unsigned first = cs->stack[cs->depth - 1].line;
    /* With `first` active, hwirq_pending returns only an exception whose
     * group priority beats first's: exactly one that would have preempted
     * it.  That one takes over the entry; first goes back to pending. */
    unsigned late = hwirq_pending(c, core);
    core_acted(c, core, false);
    if (late == HWIRQ_NONE)
        return first;
    cs->depth--;
    deactivate(c, core, first);
    bit_set(cs->pending, first);
    activate(c, core, late);
    return late;
}

/* ---- masks, thresholds, priorities ------------------------------------------- */

hwirq_status hwirq_set_enabled(hwirq *c, unsigned core, unsigned line, bool enabled)
{
    core_of(c, core);
    check_line(c, line);
    hwirq_status st = line_legal(c, line);
    if (st != HWIRQ_OK)
        return st;
    if (c->kind == HWIRQ_NVIC && (line == NVIC_NMI || line == NVIC_HARDFAULT))
        return HWIRQ_UNSUPPORTED;
    unsigned owner = owner_core(c, core, line);
    uint64_t *en = banked(c, line) ? c->cores[owner].enabled : c->g_enabled;
    if (enabled)
        bit_set(en, line);
    else
        bit_clr(en, line);
    kick(c, owner);
    return HWIRQ_OK;
}

hwirq_status hwirq_set_priority(hwirq *c, unsigned core, unsigned line, unsigned prio)
{
    core_of(c, core);
    check_line(c, line);
    if (c->kind == HWIRQ_LAPIC)
        return HWIRQ_UNSUPPORTED;
    hwirq_status st = line_legal(c, line);
    if (st != HWIRQ_OK)
        return st;
    if (c->kind == HWIRQ_NVIC && (line == NVIC_NMI || line == NVIC_HARDFAULT))
        return HWIRQ_UNSUPPORTED;
    uint8_t p = (uint8_t)(prio & c->prio_mask);
    unsigned owner = owner_core(c, core, line);
    if (banked(c, line))
        c->cores[owner].prio[line] = p;
    else
        c->g_prio[line] = p;
    kick(c, owner);
    return HWIRQ_OK;
}

int hwirq_priority(const hwirq *c, unsigned core, unsigned line)
{
    core_of(c, core);
    check_line(c, line);
    return line_prio(c, core, line);
}

hwirq_status hwirq_set_target(hwirq *c, unsigned line, unsigned core)
{
    core_of(c, core);
    check_line(c, line);
    if (c->kind != HWIRQ_GIC || banked(c, line))
        return HWIRQ_UNSUPPORTED;
    unsigned old = c->g_target[line];
    c->g_target[line] = (uint16_t)core;
    kick(c, old);
    kick(c, core);
    return HWIRQ_OK;
}

void hwirq_set_threshold(hwirq *c, unsigned core, unsigned value)
{
    hwirq_core *cs = core_of(c, core);
    cs->threshold = (value & 0xFFu) & c->prio_mask;
    core_acted(c, core, true);
}

unsigned hwirq_threshold(const hwirq *c, unsigned core)
{
    return core_of(c, core)->threshold;
}

void hwirq_set_masked(hwirq *c, unsigned core, bool masked)
{
    core_of(c, core)->masked = masked;
    core_acted(c, core, true);
}

hwirq_status hwirq_set_faultmask(hwirq *c, unsigned core, bool set)
{
    hwirq_core *cs = core_of(c, core);
    if (c->kind != HWIRQ_NVIC)
        return HWIRQ_UNSUPPORTED;
    cs->faultmask = set;
    core_acted(c, core, true);
    return HWIRQ_OK;
}

hwirq_status hwirq_set_binary_point(hwirq *c, unsigned core, unsigned bp)
{
    hwirq_core *cs = core_of(c, core);
    if (c->kind == HWIRQ_LAPIC)
        return HWIRQ_UNSUPPORTED;
    cs->bp = bp & 7u;
    core_acted(c, core, true);
    return HWIRQ_OK;
}

/* ---- queries ------------------------------------------------------------------ */

bool hwirq_is_pending(const hwirq *c, unsigned core, unsigned line)
{
    core_of(c, core);
    check_line(c, line);
    return line_pending(c, owner_core(c, core, line), line);
}

bool hwirq_is_active(const hwirq *c, unsigned core, unsigned line)
{
    core_of(c, core);
    check_line(c, line);
    return line_active(c, core, line);
}

bool hwirq_is_enabled(const hwirq *c, unsigned core, unsigned line)
{
    core_of(c, core);
    check_line(c, line);
    return line_enabled(c, owner_core(c, core, line), line);
}

unsigned hwirq_active_count(const hwirq *c, unsigned core)
{
    const hwirq_core *cs = core_of(c, core);
    if (c->kind != HWIRQ_LAPIC)
        return cs->depth;
    unsigned n = 0;
    for (unsigned w = 0; w < c->words; w++)
        n += (unsigned)__builtin_popcountll(cs->active[w]);
    return n;
}

/* ---- invariants -------------------------------------------------------------- */

#define VERIFY(cond, ...) do { if (!(cond)) { g_warning(__VA_ARGS__); return false; } } while (0)

static bool verify_bitmap_tail(const uint64_t *m, unsigned nwords, unsigned nbits, const char *what)
{
    for (unsigned i = nbits; i < nwords * 64; i++)
        VERIFY(!bit_get(m, i), "hwirq I1: %s bit %u set beyond the last line %u", what, i, nbits - 1);
    return true;
}

static bool verify_core(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    if (!verify_bitmap_tail(cs->pending, c->words, c->nbanked, "pending")
        || !verify_bitmap_tail(cs->active, c->words, c->nbanked, "active"))
        return false;
    if (c->kind == HWIRQ_LAPIC) {
        VERIFY((cs->pending[0] & 0xFFFF) == 0 && (cs->active[0] & 0xFFFF) == 0,
               "hwirq I1: core %u has an illegal vector 0-15 in IRR or ISR", k);
        VERIFY(cs->depth == 0, "hwirq I3: core %u: the LAPIC keeps no stack", k);
    }
    if (c->kind == HWIRQ_NVIC)
        for (unsigned l = 0; l < c->nlines; l++)
            VERIFY(!nvic_reserved(l) || (!bit_get(cs->pending, l) && !bit_get(cs->active, l)),
                   "hwirq I1: core %u: reserved exception %u is pending or active", k, l);
    if (c->kind == HWIRQ_GIC)
        for (unsigned l = 0; l < GIC_SGIS; l++) {
            VERIFY(bit_get(cs->pending, l) == (cs->sgi_src[l] != 0),
                   "hwirq I2: core %u: SGI %u pending bit disagrees with its senders 0x%x", k, l,
                   cs->sgi_src[l]);
            VERIFY((cs->sgi_src[l] >> c->ncores) == 0,
                   "hwirq I2: core %u: SGI %u has a sender beyond core %u", k, l, c->ncores - 1);
        }
    if (c->kind == HWIRQ_LAPIC)
        return true;

    /* I3: the stack and the active bits name the same lines, once each. */
    unsigned active = 0;
    for (unsigned w = 0; w < c->words; w++)
        active += (unsigned)__builtin_popcountll(cs->active[w]);
    if (c->kind == HWIRQ_GIC)
        for (unsigned l = GIC_BANKED; l < c->nlines; l++)
            if (bit_get(c->g_active, l) && c->g_active_on[l] == k)
                active++;
    VERIFY(active == cs->depth, "hwirq I3: core %u: %u lines active but %u on the stack", k, active,
           cs->depth);
    for (unsigned i = 0; i < cs->depth; i++) {
        unsigned l = cs->stack[i].line;
        VERIFY(l < c->nlines && line_active(c, k, l),
               "hwirq I3: core %u: stack entry %u (line %u) is not active", k, i, l);
        for (unsigned j = 0; j < i; j++)
            VERIFY(cs->stack[j].line != l, "hwirq I3: core %u: line %u twice on the stack", k, l);
        if (c->kind == HWIRQ_GIC && i > 0)
            VERIFY(cs->stack[i].group < cs->stack[i - 1].group,
                   "hwirq I4: core %u: line %u (group %d) nested on group %d without beating it", k,
                   l, cs->stack[i].group, cs->stack[i - 1].group);
    }
    return true;
}

static bool verify_fifo(const hwirq *c, unsigned k)
{
    const hwirq_core *cs = &c->cores[k];
    for (unsigned i = 1; i < cs->fifo_len; i++)
        VERIFY(cs->fifo[(cs->fifo_head + i - 1) % cs->fifo_cap].when
                   <= cs->fifo[(cs->fifo_head + i) % cs->fifo_cap].when,
               "hwirq I6: core %u: IPI FIFO out of arrival order at %u", k, i);
    VERIFY(simq_scheduled(&cs->ipi_ev) == (cs->fifo_len > 0),
           "hwirq I6: core %u: IPI event scheduled=%d with %u in flight", k,
           (int)simq_scheduled(&cs->ipi_ev), cs->fifo_len);
    if (cs->fifo_len > 0)
        VERIFY(cs->ipi_ev.when == cs->fifo[cs->fifo_head].when,
               "hwirq I6: core %u: IPI event not at the head's arrival", k);
    return true;
}

bool hwirq_verify(const hwirq *c)
{
    for (unsigned k = 0; k < c->ncores; k++)
        if (!verify_core(c, k) || !verify_fifo(c, k))
            return false;
    if (c->kind == HWIRQ_GIC) {
        if (!verify_bitmap_tail(c->g_pending, c->gwords, c->nlines, "SPI pending")
            || !verify_bitmap_tail(c->g_active, c->gwords, c->nlines, "SPI active"))
            return false;
        for (unsigned l = 0; l < c->nlines; l++) {
            bool act = bit_get(c->g_active, l);
            VERIFY(l >= GIC_BANKED || (!act && !bit_get(c->g_pending, l)),
                   "hwirq I5: banked ID %u has distributor state", l);
            VERIFY(act == (c->g_active_on[l] != NO_CORE),
                   "hwirq I5: SPI %u active=%d but active_on=%u", l, (int)act, c->g_active_on[l]);
            VERIFY(!act || c->g_active_on[l] < c->ncores, "hwirq I5: SPI %u active on no core", l);
            VERIFY(c->g_target[l] < c->ncores, "hwirq I5: SPI %u targets core %u", l, c->g_target[l]);
        }
    }
    for (guint i = 0; i < c->sources->len; i++) {
        const hwirq_source *src = g_ptr_array_index(c->sources, i);
        bool running = !src->stopped && src->next != SIM_TIME_MAX;
        VERIFY(simq_scheduled(&src->ev) == running,
               "hwirq I7: source %u: scheduled=%d but running=%d", i,
               (int)simq_scheduled(&src->ev), (int)running);
        VERIFY(!running || src->ev.when == src->next, "hwirq I7: source %u: event not at next", i);
    }
    return true;
}

/* ---- device sources ------------------------------------------------------- */

static sim_time_t add_sat(sim_time_t a, sim_time_t b)
{
    return b > SIM_TIME_MAX - a ? SIM_TIME_MAX : a + b;
}

/* The random part of a sporadic gap, in whole picoseconds. */
static sim_time_t sporadic_extra(hwirq_source *src)
{
    if (src->extra == 0)
        return 0;
    if (src->dist == HWIRQ_EXTRA_UNIFORM) {
        if (src->extra == SIM_TIME_MAX)
            return simrng_next(&src->rng);
        return simrng_below(&src->rng, src->extra + 1);   /* integers 0..extra, no bias */
    }
    double x = simrng_exponential(&src->rng, (double)src->extra);
    if (!(x < 1.8e19))
        return SIM_TIME_MAX;
    return (sim_time_t)x;    /* rounded down to a whole picosecond */
}

static void source_arm(hwirq_source *src)
{
    if (src->stopped || src->next == SIM_TIME_MAX)
        return;
    sim_schedule(src->c->s, &src->ev, src->next, HWIRQ_PRIO_RAISE);
}

static void source_fire(void *owner, simq_event *ev)
{
    (void)owner;
    hwirq_source *src = (hwirq_source *)ev;
    hwirq_status st = hwirq_raise(src->c, src->core, src->line);
    if (st == HWIRQ_OK)
        src->st.raised++;
    else if (st == HWIRQ_COALESCED)
        src->st.coalesced++;
    else
        src->st.dropped++;

    sim_time_t at = src->next;
    switch (src->kind) {
    case SRC_PERIODIC:
        src->next = add_sat(at, src->period);
        break;
    case SRC_SPORADIC:
        src->next = add_sat(add_sat(at, src->min_gap), sporadic_extra(src));
        break;
    case SRC_LIST:
        src->pos++;
        src->next = src->pos < src->ntimes ? src->times[src->pos] : SIM_TIME_MAX;
        break;
    }
    source_arm(src);      /* not if next saturated at the end of time: done */
}

static bool source_check(hwirq *c, unsigned core, unsigned line, GError **error)
{
    if (core >= c->ncores) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "core: %u, but the machine has %u cores",
                    core, c->ncores);
        return false;
    }
    if (line >= c->nlines) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: %u, but the %s has lines 0..%u", line, hwirq_kind_name(c->kind),
                    c->nlines - 1);
        return false;
    }
    if (c->kind == HWIRQ_LAPIC && line < 16) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: vector %u is illegal on a local APIC (vectors 0-15, SDM 10.5.3)", line);
        return false;
    }
    if (c->kind == HWIRQ_GIC && line < GIC_SGIS) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: %u is an SGI (0-15); device interrupts use PPIs (16-31) or SPIs (32+)",
                    line);
        return false;
    }
    if (c->kind == HWIRQ_NVIC && line < NVIC_EXTERNAL) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: %u is a system exception; device interrupts are exception numbers 16+",
                    line);
        return false;
    }
    return true;
}

static hwirq_source *source_new(hwirq *c, int kind, unsigned core, unsigned line)
{
    hwirq_source *src = g_new0(hwirq_source, 1);
    simq_event_init(&src->ev, source_fire);
    src->c = c;
    src->kind = kind;
    src->core = core;
    src->line = line;
    g_ptr_array_add(c->sources, src);
    return src;
}

hwirq_source *hwirq_source_periodic(hwirq *c, unsigned core, unsigned line, sim_time_t period,
                                    sim_time_t phase, GError **error)
{
    if (!source_check(c, core, line, error))
        return NULL;
    if (period == 0) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "period: must be at least 1 ps (got 0)");
        return NULL;
    }
    hwirq_source *src = source_new(c, SRC_PERIODIC, core, line);
    src->period = period;
    /* The first phase + k * period at or after now. */
    sim_time_t now = sim_now(c->s);
    if (phase >= now) {
        src->next = phase;
    } else {
        sim_time_t k = (now - phase + period - 1) / period;
        src->next = k > (SIM_TIME_MAX - phase) / period ? SIM_TIME_MAX : phase + k * period;
    }
    source_arm(src);
    return src;
}

hwirq_source *hwirq_source_sporadic(hwirq *c, unsigned core, unsigned line, sim_time_t start,
                                    sim_time_t min_gap, hwirq_extra_dist dist, sim_time_t extra,
                                    const char *stream, GError **error)
{
    if (!source_check(c, core, line, error))
        return NULL;
    if (min_gap == 0 && extra == 0) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "min_gap: 0 with extra 0 would raise forever at one picosecond");
        return NULL;
    }
    if (dist != HWIRQ_EXTRA_EXPONENTIAL && dist != HWIRQ_EXTRA_UNIFORM) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "dist: %d is not exponential or uniform",
                    (int)dist);
        return NULL;
    }
    if (stream == NULL || stream[0] == '\0') {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "stream: a sporadic source needs a named random stream");
        return NULL;
    }
    if (start < sim_now(c->s)) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "start: %" G_GUINT64_FORMAT " ps is before now (%" G_GUINT64_FORMAT " ps)",
                    (guint64)start, (guint64)sim_now(c->s));
        return NULL;
    }
    hwirq_source *src = source_new(c, SRC_SPORADIC, core, line);
    src->min_gap = min_gap;
    src->extra = extra;
    src->dist = dist;
    sim_rng(c->s, stream, &src->rng);
    src->next = add_sat(start, sporadic_extra(src));
    source_arm(src);
    return src;
}

hwirq_source *hwirq_source_list(hwirq *c, unsigned core, unsigned line, const sim_time_t *times,
                                size_t n, GError **error)
{
    if (!source_check(c, core, line, error))
        return NULL;
    sim_time_t now = sim_now(c->s);
    for (size_t i = 0; i < n; i++) {
        if (times[i] < now) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "times[%zu]: %" G_GUINT64_FORMAT " ps is before now (%" G_GUINT64_FORMAT " ps)",
                        i, (guint64)times[i], (guint64)now);
            return NULL;
        }
        if (i > 0 && times[i] < times[i - 1]) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "times[%zu]: %" G_GUINT64_FORMAT " ps comes before times[%zu] = %" G_GUINT64_FORMAT
                        " ps; the list must not decrease", i, (guint64)times[i], i - 1, (guint64)times[i - 1]);
            return NULL;
        }
        if (times[i] == SIM_TIME_MAX) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "times[%zu]: the end of time cannot be a raise time", i);
            return NULL;
        }
    }
    hwirq_source *src = source_new(c, SRC_LIST, core, line);
    src->times = n ? g_memdup2(times, n * sizeof *times) : NULL;
    src->ntimes = n;
    src->next = n ? times[0] : SIM_TIME_MAX;
    source_arm(src);
    return src;
}

void hwirq_source_stop(hwirq_source *src)
{
    if (src->stopped)
        return;
    src->stopped = true;
    if (simq_scheduled(&src->ev))
        sim_deschedule(src->c->s, &src->ev);
    src->next = SIM_TIME_MAX;
}

hwirq_source_stats hwirq_source_get_stats(const hwirq_source *src)
{
    hwirq_source_stats st = src->st;
    st.next = src->stopped ? SIM_TIME_MAX : src->next;
    return st;
}
