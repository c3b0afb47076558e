/* model/timer.c: per-core TSC-deadline, ARM generic, Cortex-A9 private and
 * SysTick timers.  The contract and the architectural rules are in timer.h.
 *
 * Nothing ticks.  Each counter is a function of time: the input clock reads
 * floor(t * f / (d * 10^12)) at time t, and a down counter's value follows
 * from where it stood at its last (re)programming (`base_tick`, `base_val`)
 * and its reload rule.  An engine event is scheduled only for the next
 * interrupt, so an idle timer costs nothing and a 1 kHz SysTick costs one
 * event per period.  Flags that software polls (COUNTFLAG, the A9 event
 * flag) are computed the same way: set if a wrap happened since they were
 * last cleared.
 *
 * Down-counter model (A9 private timer and SysTick).  Counting from value v
 * at tick b: the value at tick n is v - (n - b) until it reaches 0 at tick
 * z = b + v.  If it reloads (SysTick always, the A9 with auto-reload) it
 * holds 0 for that tick, becomes R on the next and counts down again, so it
 * reaches 0 every R + 1 ticks (SysTick: "activates every n+1 clock ticks",
 * and the Cortex-M0 DGUG: "reloads (wraps to) the value in the SYST_RVR on
 * the next clock cycle"; A9: the TRM's interval (PRESCALER+1)(Load+1)/
 * PERIPHCLK, ARM DDI 0407 4.1; that formula is quoted from memory, not
 * re-verified).  A wrap is the step from 1 to 0: starting at 0 is not one
 * (SysTick: "a start value of 0 ... has no effect"; for the A9 the TRM does
 * not say, and we treat it the same way).
 *
 * Invariants (checked by hwtimer_verify), per core:
 *  T1 the expiry event is scheduled iff the timer is armed and its next
 *     expiry is before the end of time, and then at that expiry's time:
 *     TSC: deadline != 0, at max(T(deadline), now);
 *     generic: ENABLE && !IMASK, at max(T(CVAL), now);
 *     down counters: enabled with interrupts on, at T(next_wrap), and
 *     next_wrap is a wrap tick not before the current tick;
 *  T2 down counters: the divider is 1..256 (SysTick 1); SysTick values and
 *     the reload fit in 24 bits;
 *  T3 the flag's "since" tick is not after the current tick.
 */
#include "model/timer.h"

G_DEFINE_QUARK(hwtimer-error-quark, hwtimer_error)

#define PS_PER_S UINT64_C(1000000000000)
#define SYST_MASK 0xFFFFFFu
#define NO_TICK UINT64_MAX

typedef struct hwtimer_core {
    simq_event ev;           /* first member: the handler casts back */
    hwtimer *t;
    unsigned index;
    uint64_t fired;
    /* TSC-deadline */
    uint64_t deadline;       /* 0 = disarmed */
    /* generic timer */
    uint64_t cval;
    bool enable, imask;
    /* down counters */
    bool run;                /* counting: A9 enable / SYST_CSR.ENABLE */
    bool irq;                /* A9 IRQ enable / TICKINT */
    bool autoreload;         /* A9 only; SysTick always reloads */
    uint32_t div;            /* A9 PRESCALER + 1; SysTick 1 */
    uint32_t load;           /* A9 load register / SYST_RVR */
    uint64_t base_tick;      /* counting from base_val at this tick (of the divided clock) */
    uint32_t base_val;
    bool flag;               /* latched: a wrap before flag_since */
    uint64_t flag_since;     /* wraps after this tick set the flag */
    uint64_t next_wrap;      /* tick of the scheduled expiry (down counters) */
} hwtimer_core;

struct hwtimer {
    sim *s;
    hwirq *irq;
    hwtimer_kind kind;
    unsigned ncores;
    uint64_t freq_hz;
    unsigned line;
    hwtimer_core *cores;
};

const char *hwtimer_kind_name(hwtimer_kind k)
{
    switch (k) {
    case HWTIMER_TSC_DEADLINE: return "tsc-deadline";
    case HWTIMER_GENERIC: return "generic";
    case HWTIMER_A9_PRIVATE: return "a9-private";
    case HWTIMER_SYSTICK: return "systick";
    }
    return "?";
}

/* ---- ticks and picoseconds ---------------------------------------------------- */

sim_time_t hwtimer_tick_time(uint64_t freq_hz, uint64_t div, uint64_t tick)
{
    g_assert(freq_hz > 0 && div > 0);
    /* ceil(tick * div * 10^12 / f): tick * div < 2^72 and 10^12 < 2^40, so
     * the product fits in 128 bits. */
    unsigned __int128 num = (unsigned __int128)tick * div * PS_PER_S;
    unsigned __int128 ps = (num + freq_hz - 1) / freq_hz;
    return ps >= SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time_t)ps;
}

uint64_t hwtimer_ticks_at(uint64_t freq_hz, uint64_t div, sim_time_t t)
{
    g_assert(freq_hz > 0 && div > 0);
    if (div == 1 && freq_hz < (UINT64_C(1) << 33)) {
        /* floor(t f / 10^12) with no 128-bit division (host speed only, the
         * same value): with t = a 10^12 + b it is a f + floor(b f / 10^12),
         * and as 10^12 = 2^12 5^12, floor(b f / 10^12) = floor(floor(b f /
         * 2^12) / 5^12).  b f < 10^12 2^33 < 2^73, so b f >> 12 fits in 64
         * bits; a < 2^64 / 10^12 < 2^25, so a f < 2^58.  The divisions are
         * by constants: multiplications.  tests/test_timer.c compares it
         * with the 128-bit formula below. */
        uint64_t a = (uint64_t)t / PS_PER_S, b = (uint64_t)t % PS_PER_S;
        uint64_t bf = (uint64_t)(((unsigned __int128)b * freq_hz) >> 12);
        return a * freq_hz + bf / UINT64_C(244140625);
    }
    unsigned __int128 n = (unsigned __int128)t * freq_hz / ((unsigned __int128)div * PS_PER_S);
    return n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
}

uint64_t hwtimer_clock(const hwtimer *t)
{
    return hwtimer_ticks_at(t->freq_hz, 1, sim_now(t->s));
}

static inline hwtimer_core *core_of(const hwtimer *t, unsigned core)
{
    g_assert(core < t->ncores);
    return &t->cores[core];
}

static inline bool is_down(const hwtimer *t)
{
    return t->kind == HWTIMER_A9_PRIVATE || t->kind == HWTIMER_SYSTICK;
}

/* ---- the down-counter model --------------------------------------------------- */

static uint64_t dc_tick(const hwtimer *t, const hwtimer_core *cs)
{
    return hwtimer_ticks_at(t->freq_hz, cs->div, sim_now(t->s));
}

static bool dc_reloads(const hwtimer *t, const hwtimer_core *cs)
{
    return t->kind == HWTIMER_SYSTICK || cs->autoreload;
}

/* The first wrap (1 -> 0) at a tick after `after`, or NO_TICK. */
static uint64_t dc_next_wrap_after(const hwtimer *t, const hwtimer_core *cs, uint64_t after)
{
    if (!cs->run)
        return NO_TICK;
    bool periodic = dc_reloads(t, cs) && cs->load > 0;
    uint64_t w0;
    if (cs->base_val > 0)
        w0 = cs->base_tick + cs->base_val;
    else if (periodic)
        w0 = cs->base_tick + 1 + cs->load;
    else
        return NO_TICK;
    if (w0 > after)
        return w0;
    if (!periodic)
        return NO_TICK;
    uint64_t period = (uint64_t)cs->load + 1;
    uint64_t k = (after - w0) / period + 1;
    if (k > (NO_TICK - 1 - w0) / period)
        return NO_TICK;
    return w0 + k * period;
}

/* The counter's value at tick n >= base_tick. */
static uint32_t dc_value_at(const hwtimer *t, const hwtimer_core *cs, uint64_t n)
{
    if (!cs->run)
        return cs->base_val;
    uint64_t e = n - cs->base_tick;
    if (e < cs->base_val)
        return (uint32_t)(cs->base_val - e);
    if (!dc_reloads(t, cs) || cs->load == 0)
        return 0;
    uint64_t since_zero = e - cs->base_val;
    uint64_t period = (uint64_t)cs->load + 1;
    return (uint32_t)((period - since_zero % period) % period);
}

static bool dc_flag(const hwtimer *t, const hwtimer_core *cs)
{
    return cs->flag || dc_next_wrap_after(t, cs, cs->flag_since) <= dc_tick(t, cs);
}

/* Freeze the counter at now: latch the flag, and make (base_tick, base_val)
 * the current tick and value, so that the caller can change the rules. */
static void dc_rebase(hwtimer *t, hwtimer_core *cs)
{
    uint64_t n = dc_tick(t, cs);
    cs->flag = dc_flag(t, cs);
    cs->base_val = dc_value_at(t, cs, n);
    cs->base_tick = n;
    cs->flag_since = n;
}

/* ---- scheduling ------------------------------------------------------------ */

/* When the armed timer raises its line next; SIM_TIME_MAX if not armed.
 * For down counters also returns the wrap tick in *wrap. */
static sim_time_t next_expiry(const hwtimer *t, const hwtimer_core *cs, uint64_t *wrap)
{
    sim_time_t now = sim_now(t->s);
    switch (t->kind) {
    case HWTIMER_TSC_DEADLINE: {
        if (cs->deadline == 0)
            return SIM_TIME_MAX;
        sim_time_t at = hwtimer_tick_time(t->freq_hz, 1, cs->deadline);
        return at < now ? now : at;      /* a deadline already passed fires at once */
    }
    case HWTIMER_GENERIC: {
        if (!cs->enable || cs->imask)
            return SIM_TIME_MAX;
        sim_time_t at = hwtimer_tick_time(t->freq_hz, 1, cs->cval);
        return at < now ? now : at;
    }
    case HWTIMER_A9_PRIVATE:
    case HWTIMER_SYSTICK: {
        if (!cs->run || !cs->irq)
            return SIM_TIME_MAX;
        uint64_t w = dc_next_wrap_after(t, cs, dc_tick(t, cs));
        if (wrap)
            *wrap = w;
        return w == NO_TICK ? SIM_TIME_MAX : hwtimer_tick_time(t->freq_hz, cs->div, w);
    }
    }
    return SIM_TIME_MAX;
}

static void reschedule(hwtimer *t, hwtimer_core *cs)
{
    if (simq_scheduled(&cs->ev))
        sim_deschedule(t->s, &cs->ev);
    uint64_t wrap = NO_TICK;
    sim_time_t at = next_expiry(t, cs, &wrap);
    cs->next_wrap = wrap;
    if (at != SIM_TIME_MAX)
        sim_schedule(t->s, &cs->ev, at, HWTIMER_PRIO_FIRE);
}

static void expire(hwtimer *t, hwtimer_core *cs)
{
    cs->fired++;
    switch (t->kind) {
    case HWTIMER_TSC_DEADLINE:
        cs->deadline = 0;     /* "it disarms itself and clears IA32_TSC_DEADLINE", SDM 10.5.4.1 */
        break;
    case HWTIMER_GENERIC:
        break;                /* the condition stays met; see the level note in timer.h */
    case HWTIMER_A9_PRIVATE:
    case HWTIMER_SYSTICK: {
        /* The next wrap after this one. */
        uint64_t w = dc_next_wrap_after(t, cs, cs->next_wrap);
        cs->next_wrap = w;
        if (w != NO_TICK) {
            sim_time_t at = hwtimer_tick_time(t->freq_hz, cs->div, w);
            if (at != SIM_TIME_MAX)
                sim_schedule(t->s, &cs->ev, at, HWTIMER_PRIO_FIRE);
        }
        break;
    }
    }
    (void)hwirq_raise(t->irq, cs->index, t->line);
}

static void timer_fire(void *owner, simq_event *ev)
{
    (void)owner;
    hwtimer_core *cs = (hwtimer_core *)ev;
    expire(cs->t, cs);
}

/* Before a register write: deliver an expiry that is due now but not yet
 * dispatched, so that reprogramming at that picosecond never loses it. */
static void catch_up(hwtimer *t, hwtimer_core *cs)
{
    if (simq_scheduled(&cs->ev) && cs->ev.when <= sim_now(t->s)) {
        sim_deschedule(t->s, &cs->ev);
        expire(t, cs);
    }
}

/* ---- creation ------------------------------------------------------------------ */

hwtimer *hwtimer_new(sim *s, hwirq *irq, const hwtimer_config *cfg, GError **error)
{
    g_return_val_if_fail(s != NULL && irq != NULL && cfg != NULL, NULL);
    hwirq_kind want;
    switch (cfg->kind) {
    case HWTIMER_TSC_DEADLINE: want = HWIRQ_LAPIC; break;
    case HWTIMER_GENERIC:
    case HWTIMER_A9_PRIVATE: want = HWIRQ_GIC; break;
    case HWTIMER_SYSTICK: want = HWIRQ_NVIC; break;
    default:
        g_set_error(error, HWTIMER_ERROR, HWTIMER_ERROR_CONFIG,
                    "kind: %d is not tsc-deadline, generic, a9-private or systick", (int)cfg->kind);
        return NULL;
    }
    const char *kname = hwtimer_kind_name(cfg->kind);
    if (want == HWIRQ_GIC && cfg->kind == HWTIMER_GENERIC && hwirq_get_kind(irq) == HWIRQ_GICV3)
        want = HWIRQ_GICV3;             /* the generic timer's PPI reaches a GICv3's Redistributor too */
    if (hwirq_get_kind(irq) != want) {
        g_set_error(error, HWTIMER_ERROR, HWTIMER_ERROR_CONFIG,
                    "kind: a %s timer is wired to a %s, but the controller is a %s", kname,
                    hwirq_kind_name(want), hwirq_kind_name(hwirq_get_kind(irq)));
        return NULL;
    }
    if (cfg->ncores == 0 || cfg->ncores > hwirq_ncores(irq)) {
        g_set_error(error, HWTIMER_ERROR, HWTIMER_ERROR_CONFIG,
                    "ncores: %u is outside 1..%u (the controller's cores)", cfg->ncores,
                    hwirq_ncores(irq));
        return NULL;
    }
    if (cfg->freq_hz == 0 || cfg->freq_hz > PS_PER_S) {
        g_set_error(error, HWTIMER_ERROR, HWTIMER_ERROR_CONFIG,
                    "freq_hz: %" G_GUINT64_FORMAT " is outside 1 Hz..1 THz", (guint64)cfg->freq_hz);
        return NULL;
    }
    if (hwirq_check_line(irq, cfg->line) != HWIRQ_OK) {
        g_set_error(error, HWTIMER_ERROR, HWTIMER_ERROR_CONFIG,
                    "line: %u cannot be raised on this %s", cfg->line, hwirq_kind_name(want));
        return NULL;
    }
    if ((want == HWIRQ_GIC || want == HWIRQ_GICV3) && (cfg->line < 16 || cfg->line > 31)) {
        g_set_error(error, HWTIMER_ERROR, HWTIMER_ERROR_CONFIG,
                    "line: %u is not a PPI (16-31); a per-core %s timer raises a PPI", cfg->line,
                    kname);
        return NULL;
    }

    hwtimer *t = g_new0(hwtimer, 1);
    t->s = s;
    t->irq = irq;
    t->kind = cfg->kind;
    t->ncores = cfg->ncores;
    t->freq_hz = cfg->freq_hz;
    t->line = cfg->line;
    t->cores = g_new0(hwtimer_core, t->ncores);
    for (unsigned k = 0; k < t->ncores; k++) {
        hwtimer_core *cs = &t->cores[k];
        simq_event_init(&cs->ev, timer_fire);
        cs->t = t;
        cs->index = k;
        cs->div = 1;
        cs->next_wrap = NO_TICK;
    }
    return t;
}

void hwtimer_free(hwtimer *t)
{
    if (t == NULL)
        return;
    for (unsigned k = 0; k < t->ncores; k++)
        if (simq_scheduled(&t->cores[k].ev))
            sim_deschedule(t->s, &t->cores[k].ev);
    g_free(t->cores);
    g_free(t);
}

/* ---- registers ---------------------------------------------------------------- */

static bool reg_belongs(const hwtimer *t, hwtimer_reg reg)
{
    switch (reg) {
    case HWTIMER_REG_TSC:
    case HWTIMER_REG_TSC_DEADLINE:
        return t->kind == HWTIMER_TSC_DEADLINE;
    case HWTIMER_REG_CNTPCT:
    case HWTIMER_REG_CNTP_CVAL:
    case HWTIMER_REG_CNTP_TVAL:
    case HWTIMER_REG_CNTP_CTL:
        return t->kind == HWTIMER_GENERIC;
    case HWTIMER_REG_A9_LOAD:
    case HWTIMER_REG_A9_COUNTER:
    case HWTIMER_REG_A9_CONTROL:
    case HWTIMER_REG_A9_STATUS:
        return t->kind == HWTIMER_A9_PRIVATE;
    case HWTIMER_REG_SYST_CSR:
    case HWTIMER_REG_SYST_RVR:
    case HWTIMER_REG_SYST_CVR:
        return t->kind == HWTIMER_SYSTICK;
    }
    return false;
}

hwtimer_status hwtimer_write(hwtimer *t, unsigned core, hwtimer_reg reg, uint64_t value)
{
    hwtimer_core *cs = core_of(t, core);
    if (!reg_belongs(t, reg))
        return HWTIMER_NO_SUCH_REG;
    if (reg == HWTIMER_REG_TSC || reg == HWTIMER_REG_CNTPCT)
        return HWTIMER_READ_ONLY;
    catch_up(t, cs);
    if (is_down(t))
        dc_rebase(t, cs);

    switch (reg) {
    case HWTIMER_REG_TSC_DEADLINE:
        cs->deadline = value;
        break;
    case HWTIMER_REG_CNTP_CVAL:
        cs->cval = value;
        break;
    case HWTIMER_REG_CNTP_TVAL:
        /* CompareValue = CNTPCT + TimerValue, TimerValue a signed 32-bit
         * integer (CNTP_TVAL register description). */
        cs->cval = hwtimer_clock(t) + (uint64_t)(int64_t)(int32_t)(uint32_t)value;
        break;
    case HWTIMER_REG_CNTP_CTL:
        cs->enable = (value & HWTIMER_CNTP_CTL_ENABLE) != 0;
        cs->imask = (value & HWTIMER_CNTP_CTL_IMASK) != 0;
        break;
    case HWTIMER_REG_A9_LOAD:
        cs->load = (uint32_t)value;
        cs->base_val = (uint32_t)value;   /* restarts the count, DDI 0407E 4.2.2 */
        break;
    case HWTIMER_REG_A9_COUNTER:
        cs->base_val = (uint32_t)value;
        break;
    case HWTIMER_REG_A9_CONTROL: {
        cs->run = (value & HWTIMER_A9_CTL_ENABLE) != 0;
        cs->autoreload = (value & HWTIMER_A9_CTL_AUTORELOAD) != 0;
        cs->irq = (value & HWTIMER_A9_CTL_IRQ) != 0;
        uint32_t div = (uint32_t)((value >> 8) & 0xFFu) + 1;
        if (div != cs->div) {
            /* Same value, counted from now on the new prescaled clock. */
            cs->div = div;
            cs->base_tick = dc_tick(t, cs);
            cs->flag_since = cs->base_tick;
        }
        break;
    }
    case HWTIMER_REG_A9_STATUS:
        if (value & 1u)
            cs->flag = false;
        break;
    case HWTIMER_REG_SYST_CSR:
        cs->run = (value & HWTIMER_SYST_ENABLE) != 0;
        cs->irq = (value & HWTIMER_SYST_TICKINT) != 0;
        break;                        /* CLKSOURCE reads as one; COUNTFLAG is read-only */
    case HWTIMER_REG_SYST_RVR:
        cs->load = (uint32_t)(value & SYST_MASK);
        break;
    case HWTIMER_REG_SYST_CVR:
        /* "Writing to SYST_CVR clears the register and the COUNTFLAG status
         * bit to 0. The write does not trigger the SysTick exception logic."
         * (Cortex-M0 DGUG 4.4; ARMv7-M B3.3 says the same.) */
        cs->base_val = 0;
        cs->flag = false;
        break;
    case HWTIMER_REG_TSC:
    case HWTIMER_REG_CNTPCT:
        break;
    }
    reschedule(t, cs);
    return HWTIMER_OK;
}

hwtimer_status hwtimer_read(hwtimer *t, unsigned core, hwtimer_reg reg, uint64_t *value)
{
    hwtimer_core *cs = core_of(t, core);
    g_assert(value != NULL);
    if (!reg_belongs(t, reg))
        return HWTIMER_NO_SUCH_REG;
    uint64_t v = 0;
    switch (reg) {
    case HWTIMER_REG_TSC:
    case HWTIMER_REG_CNTPCT:
        v = hwtimer_clock(t);
        break;
    case HWTIMER_REG_TSC_DEADLINE:
        v = cs->deadline;
        break;
    case HWTIMER_REG_CNTP_CVAL:
        v = cs->cval;
        break;
    case HWTIMER_REG_CNTP_TVAL:
        v = (uint32_t)(cs->cval - hwtimer_clock(t));
        break;
    case HWTIMER_REG_CNTP_CTL: {
        bool istatus = cs->enable && hwtimer_clock(t) >= cs->cval;
        v = (cs->enable ? HWTIMER_CNTP_CTL_ENABLE : 0) | (cs->imask ? HWTIMER_CNTP_CTL_IMASK : 0)
            | (istatus ? HWTIMER_CNTP_CTL_ISTATUS : 0);
        break;
    }
    case HWTIMER_REG_A9_LOAD:
    case HWTIMER_REG_SYST_RVR:
        v = cs->load;
        break;
    case HWTIMER_REG_A9_COUNTER:
    case HWTIMER_REG_SYST_CVR:
        v = dc_value_at(t, cs, dc_tick(t, cs));
        break;
    case HWTIMER_REG_A9_CONTROL:
        v = (cs->run ? HWTIMER_A9_CTL_ENABLE : 0) | (cs->autoreload ? HWTIMER_A9_CTL_AUTORELOAD : 0)
            | (cs->irq ? HWTIMER_A9_CTL_IRQ : 0) | HWTIMER_A9_CTL_PRESCALER(cs->div - 1);
        break;
    case HWTIMER_REG_A9_STATUS:
        v = dc_flag(t, cs) ? 1u : 0u;
        break;
    case HWTIMER_REG_SYST_CSR:
        v = (cs->run ? HWTIMER_SYST_ENABLE : 0) | (cs->irq ? HWTIMER_SYST_TICKINT : 0)
            | HWTIMER_SYST_CLKSOURCE | (dc_flag(t, cs) ? HWTIMER_SYST_COUNTFLAG : 0);
        /* COUNTFLAG: "Returns 1 if timer counted to 0 since last time this
         * was read", cleared by the read (Cortex-M3 TRM, ARMv7-M B3.3). */
        cs->flag = false;
        cs->flag_since = dc_tick(t, cs);
        break;
    }
    *value = v;
    return HWTIMER_OK;
}

sim_time_t hwtimer_next_fire(const hwtimer *t, unsigned core)
{
    const hwtimer_core *cs = core_of(t, core);
    return simq_scheduled(&cs->ev) ? cs->ev.when : SIM_TIME_MAX;
}

uint64_t hwtimer_fired(const hwtimer *t, unsigned core)
{
    return core_of(t, core)->fired;
}

/* ---- invariants ------------------------------------------------------------- */

#define VERIFY(cond, ...) do { if (!(cond)) { g_warning(__VA_ARGS__); return false; } } while (0)

bool hwtimer_verify(const hwtimer *t)
{
    sim_time_t now = sim_now(t->s);
    for (unsigned k = 0; k < t->ncores; k++) {
        const hwtimer_core *cs = &t->cores[k];
        bool sched = simq_scheduled(&cs->ev);
        switch (t->kind) {
        case HWTIMER_TSC_DEADLINE:
        case HWTIMER_GENERIC: {
            bool armed = t->kind == HWTIMER_TSC_DEADLINE ? cs->deadline != 0 : cs->enable && !cs->imask;
            uint64_t target = t->kind == HWTIMER_TSC_DEADLINE ? cs->deadline : cs->cval;
            sim_time_t at = armed ? hwtimer_tick_time(t->freq_hz, 1, target) : SIM_TIME_MAX;
            if (at != SIM_TIME_MAX && at < now)
                at = now;
            /* A generic timer that has fired stays armed but has no event. */
            if (t->kind == HWTIMER_GENERIC && !sched)
                break;
            VERIFY(sched == (at != SIM_TIME_MAX), "hwtimer T1: core %u: scheduled=%d, expiry %" G_GUINT64_FORMAT,
                   k, (int)sched, (guint64)at);
            VERIFY(!sched || cs->ev.when == at, "hwtimer T1: core %u: event at %" G_GUINT64_FORMAT
                   " ps, expiry at %" G_GUINT64_FORMAT " ps", k, (guint64)cs->ev.when, (guint64)at);
            break;
        }
        case HWTIMER_A9_PRIVATE:
        case HWTIMER_SYSTICK: {
            uint64_t n = hwtimer_ticks_at(t->freq_hz, cs->div, now);
            VERIFY(cs->div >= 1 && cs->div <= 256, "hwtimer T2: core %u: divider %u", k, cs->div);
            if (t->kind == HWTIMER_SYSTICK)
                VERIFY(cs->div == 1 && cs->load <= SYST_MASK && cs->base_val <= SYST_MASK,
                       "hwtimer T2: core %u: SysTick beyond 24 bits (load %u, value %u)", k,
                       cs->load, cs->base_val);
            VERIFY(!cs->run || cs->flag_since <= n, "hwtimer T3: core %u: flag since tick %" G_GUINT64_FORMAT
                   " is after now (%" G_GUINT64_FORMAT ")", k, (guint64)cs->flag_since, (guint64)n);
            if (!cs->run || !cs->irq) {
                VERIFY(!sched, "hwtimer T1: core %u: event scheduled while not armed", k);
                break;
            }
            if (!sched)
                VERIFY(cs->next_wrap == NO_TICK
                           || hwtimer_tick_time(t->freq_hz, cs->div, cs->next_wrap) == SIM_TIME_MAX,
                       "hwtimer T1: core %u: armed with a wrap ahead but no event", k);
            if (sched) {
                VERIFY(cs->next_wrap != NO_TICK && cs->next_wrap >= n,
                       "hwtimer T1: core %u: next wrap %" G_GUINT64_FORMAT " before tick %" G_GUINT64_FORMAT,
                       k, (guint64)cs->next_wrap, (guint64)n);
                VERIFY(dc_next_wrap_after(t, cs, cs->next_wrap - 1) == cs->next_wrap,
                       "hwtimer T1: core %u: tick %" G_GUINT64_FORMAT " is not a wrap", k,
                       (guint64)cs->next_wrap);
                VERIFY(cs->ev.when == hwtimer_tick_time(t->freq_hz, cs->div, cs->next_wrap),
                       "hwtimer T1: core %u: event not at the wrap's time", k);
            }
            break;
        }
        }
    }
    return true;
}
