/* tests/test_timer.c: unit tests of the per-core timers (model/timer.h).
 *
 * What a user would notice if these broke: a timer interrupt a few
 * picoseconds early or late (every periodic task's release time, and the
 * scheduler's budget enforcement, move with it), a reprogrammed or
 * cancelled timer that fires anyway, a SysTick period off by one cycle, or
 * a COUNTFLAG that does not behave as the ARM manuals say.
 *
 * The interrupt side is a real controller (model/irq.h) whose signal
 * callback records (core, line, time); with no other interrupt about, the
 * signal comes at the picosecond the timer raised its line.  The recorder
 * acknowledges and ends each interrupt at once so that the next expiry is
 * seen as a new signal.  Every expected time is worked out in a comment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <inttypes.h>
#include <string.h>

#include "sim/sim.h"
#include "model/irq.h"
#include "model/timer.h"

/* ---- fixture ------------------------------------------------------------------- */

typedef struct hit {
    unsigned core, line;
    sim_time_t at;
} hit;

typedef struct bench {
    sim *s;
    hwirq *c;
    hwtimer *t;
    hit hits[256];
    int n;
} bench;

static void on_signal(void *ctx, unsigned core, unsigned line)
{
    bench *b = ctx;
    if (b->n < (int)G_N_ELEMENTS(b->hits))
        b->hits[b->n] = (hit){ core, line, sim_now(b->s) };
    b->n++;
    unsigned l = hwirq_ack(b->c, core, NULL);
    assert_int_equal(l, line);
    if (hwirq_get_kind(b->c) == HWIRQ_NVIC)
        assert_int_equal(hwirq_return(b->c, core).kind, HWIRQ_RET_THREAD);
    else
        assert_int_equal(hwirq_eoi(b->c, core, l), HWIRQ_OK);
}

static sim *new_sim(void)
{
    GError *err = NULL;
    simtr *tr = simtr_open(NULL, &err);
    if (tr == NULL)
        fail_msg("simtr_open(NULL): %s", err ? err->message : "?");
    return sim_new(1, tr);
}

/* A machine: controller + timers of one kind. */
static void bench_init(bench *b, hwtimer_kind kind, unsigned ncores, uint64_t freq_hz, unsigned line)
{
    memset(b, 0, sizeof *b);
    b->s = new_sim();
    hwirq_config ic = { .ncores = ncores, .signal = on_signal, .core_ctx = b };
    switch (kind) {
    case HWTIMER_TSC_DEADLINE: ic.kind = HWIRQ_LAPIC; break;
    case HWTIMER_GENERIC:
    case HWTIMER_A9_PRIVATE: ic.kind = HWIRQ_GIC; ic.nlines = 64; ic.prio_bits = 5; break;
    case HWTIMER_SYSTICK: ic.kind = HWIRQ_NVIC; ic.nlines = 48; ic.prio_bits = 3; break;
    }
    GError *err = NULL;
    b->c = hwirq_new(b->s, &ic, &err);
    if (b->c == NULL)
        fail_msg("hwirq_new: %s", err->message);
    hwtimer_config tc = { .kind = kind, .ncores = ncores, .freq_hz = freq_hz, .line = line };
    b->t = hwtimer_new(b->s, b->c, &tc, &err);
    if (b->t == NULL)
        fail_msg("hwtimer_new: %s", err->message);
}

static void bench_free(bench *b)
{
    assert_true(hwtimer_verify(b->t));
    assert_true(hwirq_verify(b->c));
    hwtimer_free(b->t);
    hwirq_free(b->c);
    sim_free(b->s);
}

static void run_to(bench *b, sim_time_t t)
{
    sim_run(b->s, t, 0);
    assert_true(sim_now(b->s) == t);
    assert_true(hwtimer_verify(b->t));
}

static void wr(bench *b, unsigned core, hwtimer_reg reg, uint64_t v)
{
    assert_int_equal(hwtimer_write(b->t, core, reg, v), HWTIMER_OK);
}

static uint64_t rd(bench *b, unsigned core, hwtimer_reg reg)
{
    uint64_t v = 0;
    assert_int_equal(hwtimer_read(b->t, core, reg, &v), HWTIMER_OK);
    return v;
}

static void assert_hits(const bench *b, const hit *want, int n, int line)
{
    bool same = b->n == n;
    for (int i = 0; same && i < n; i++)
        same = b->hits[i].core == want[i].core && b->hits[i].line == want[i].line
               && b->hits[i].at == want[i].at;
    if (same)
        return;
    GString *m = g_string_new(NULL);
    g_string_append_printf(m, "line %d: timer interrupts differ\n  got: ", line);
    for (int i = 0; i < b->n && i < (int)G_N_ELEMENTS(b->hits); i++)
        g_string_append_printf(m, " c%u/%u@%" PRIu64, b->hits[i].core, b->hits[i].line, b->hits[i].at);
    g_string_append(m, "\n want: ");
    for (int i = 0; i < n; i++)
        g_string_append_printf(m, " c%u/%u@%" PRIu64, want[i].core, want[i].line, want[i].at);
    fail_msg("%s", m->str);
}
#define ASSERT_HITS(b, ...) do { \
        static const hit want_[] = { __VA_ARGS__ }; \
        assert_hits((b), want_, (int)G_N_ELEMENTS(want_), __LINE__); \
    } while (0)

/* ---- conversions -------------------------------------------------------------- */

/* hwtimer_ticks_at(f, 1, t) takes a path without a 128-bit division for f
 * below 2^33 (model/timer.c).  The reference here is the definition,
 * floor(t f / 10^12), computed in 128-bit arithmetic: every frequency a
 * preset uses, the edges of the fast path (2^33 - 1 and 2^33, which takes
 * the other path), and times at every whole second +-1 ps, small times,
 * the top of the range and 200,000 times from a fixed xorshift. */
static void test_ticks_at_exact(void **state)
{
    (void)state;
    static const uint64_t freqs[] = { 1, 3, 32768, 16000000u, 48000000u, 64000000u, 100000000u, 480000000u,
                                      666666666u, 667000000u, 1200000000u, 1600000000u, 2000000000u,
                                      2400000000u, 3200000000u, 4294967295u, 4294967296u,
                                      (UINT64_C(1) << 33) - 1, UINT64_C(1) << 33, UINT64_C(100000000000) };
    uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
    for (size_t i = 0; i < G_N_ELEMENTS(freqs); i++) {
        uint64_t f = freqs[i];
        for (unsigned k = 0; k < 10000; k++) {
            uint64_t t;
            if (k < 40)
                t = (uint64_t)(k / 2) * UINT64_C(1000000000000) + (k % 2) - (k % 4 == 3 ? 2 : 0);
            else if (k < 60)
                t = UINT64_MAX - (k - 40);
            else if (k < 1060)
                t = k - 60;
            else {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                t = x >> (x % 64);
            }
            uint64_t want = (uint64_t)((unsigned __int128)t * f / UINT64_C(1000000000000));
            if (hwtimer_ticks_at(f, 1, t) != want)
                fail_msg("ticks_at(%" G_GUINT64_FORMAT " Hz, %" G_GUINT64_FORMAT " ps) = %" G_GUINT64_FORMAT
                         ", not %" G_GUINT64_FORMAT, f, t, hwtimer_ticks_at(f, 1, t), want);
        }
    }
}

static void test_tick_conversions(void **state)
{
    (void)state;
    /* 3.2 GHz: 3,200 ticks = 3,200 / 3.2e9 s = 1 us = 1,000,000 ps exactly. */
    assert_true(hwtimer_tick_time(3200000000u, 1, 3200) == 1000000);
    assert_true(hwtimer_ticks_at(3200000000u, 1, 1000000) == 3200);
    assert_true(hwtimer_ticks_at(3200000000u, 1, 999999) == 3199);
    /* 667 MHz: 3,200 ticks = 3,200e12 / 667e6 ps = 4,797,601.199... ps, not
     * a whole picosecond.  Check by hand: 667 * 4,797,601 = 3,199,999,867,
     * short of 3.2e9 (the counter still reads 3,199 at 4,797,601 ps);
     * 667 * 4,797,602 = 3,200,000,534 >= 3.2e9.  So it fires at 4,797,602:
     * the next whole picosecond, never early. */
    assert_true(hwtimer_tick_time(667000000u, 1, 3200) == 4797602);
    assert_true(hwtimer_ticks_at(667000000u, 1, 4797601) == 3199);
    assert_true(hwtimer_ticks_at(667000000u, 1, 4797602) == 3200);
    /* 667 MHz, one tick = 10^12 / 667e6 = 1,499.2504 ps: tick 1 at 1,500 ps;
     * tick 4 is due at 5,997.0015 ps, so at 5,998 ps: at 5,997 ps the counter
     * reads floor(5,997 * 667e6 / 1e12) = floor(3.999999) = 3. */
    assert_true(hwtimer_tick_time(667000000u, 1, 1) == 1500);
    assert_true(hwtimer_tick_time(667000000u, 1, 4) == 5998);
    assert_true(hwtimer_ticks_at(667000000u, 1, 5997) == 3);
    /* 100 MHz with a divider of 2: 50 MHz, 20,000 ps per tick. */
    assert_true(hwtimer_tick_time(100000000u, 2, 3) == 60000);
    assert_true(hwtimer_ticks_at(100000000u, 2, 59999) == 2);
    /* Beyond the end of time: 2^64 - 1 ticks at 1 Hz. */
    assert_true(hwtimer_tick_time(1, 1, UINT64_MAX) == SIM_TIME_MAX);
    /* Round trip: the tick read at T(k) is k, and one ps earlier k - 1. */
    static const uint64_t freqs[] = { 1, 32768, 48000000u, 100000000u, 666666666u, 667000000u,
                                      1600000000u, 3200000000u, 999999999999u };
    for (size_t i = 0; i < G_N_ELEMENTS(freqs); i++)
        for (uint64_t k = 1; k < 5000; k += 7) {
            sim_time_t at = hwtimer_tick_time(freqs[i], 1, k);
            assert_true(hwtimer_ticks_at(freqs[i], 1, at) == k);
            assert_true(hwtimer_ticks_at(freqs[i], 1, at - 1) == k - 1);
        }
}

/* ---- x86 TSC-deadline ------------------------------------------------------------- */

/* SDM 10.5.4.1: the interrupt comes when the TSC equals or exceeds
 * IA32_TSC_DEADLINE; the timer then disarms and the MSR reads 0. */
static void test_tsc_deadline(void **state)
{
    (void)state;
    bench b;
    bench_init(&b, HWTIMER_TSC_DEADLINE, 2, 3200000000u, 0xEC);
    /* 3.2 GHz core at t = 0, TSC = 0, deadline 3,200 ticks ahead: fires at
     * 1 us = 1,000,000 ps exactly. */
    assert_true(rd(&b, 0, HWTIMER_REG_TSC) == 0);
    wr(&b, 0, HWTIMER_REG_TSC_DEADLINE, 3200);
    assert_true(hwtimer_next_fire(b.t, 0) == 1000000);
    run_to(&b, 999999);
    assert_int_equal(b.n, 0);
    run_to(&b, 2 * SIM_US);
    ASSERT_HITS(&b, { 0, 0xEC, 1000000 });
    assert_true(rd(&b, 0, HWTIMER_REG_TSC_DEADLINE) == 0);
    assert_true(hwtimer_fired(b.t, 0) == 1);
    assert_true(hwtimer_next_fire(b.t, 0) == SIM_TIME_MAX);

    /* Reprogramming moves the event: at 2 us (TSC 6,400) arm for TSC
     * 64,000 (20 us), then at 3 us move it back to TSC 12,800 (4 us). */
    b.n = 0;
    assert_true(rd(&b, 1, HWTIMER_REG_TSC) == 6400);
    wr(&b, 1, HWTIMER_REG_TSC_DEADLINE, 64000);
    run_to(&b, 3 * SIM_US);
    wr(&b, 1, HWTIMER_REG_TSC_DEADLINE, 12800);
    run_to(&b, 30 * SIM_US);
    ASSERT_HITS(&b, { 1, 0xEC, 4000000 });
    /* Cancelling removes it: arm for 40 us, write 0 at 35 us. */
    b.n = 0;
    wr(&b, 1, HWTIMER_REG_TSC_DEADLINE, 128000);
    run_to(&b, 35 * SIM_US);
    wr(&b, 1, HWTIMER_REG_TSC_DEADLINE, 0);
    assert_true(hwtimer_next_fire(b.t, 1) == SIM_TIME_MAX);
    run_to(&b, 50 * SIM_US);
    assert_int_equal(b.n, 0);
    /* A deadline already passed fires at once: at 50 us, deadline TSC 100. */
    wr(&b, 0, HWTIMER_REG_TSC_DEADLINE, 100);
    run_to(&b, 50 * SIM_US);
    ASSERT_HITS(&b, { 0, 0xEC, 50 * SIM_US });
    /* The TSC cannot be written here. */
    assert_int_equal(hwtimer_write(b.t, 0, HWTIMER_REG_TSC, 5), HWTIMER_READ_ONLY);
    assert_int_equal(hwtimer_write(b.t, 0, HWTIMER_REG_SYST_CSR, 5), HWTIMER_NO_SUCH_REG);
    bench_free(&b);
}

/* A 667 MHz core: deadline 3,200 fires at 4,797,602 ps (see the worked
 * rounding in test_tick_conversions), also when armed between two ticks:
 * at 1,000 ps the TSC still reads 0 (tick 1 is at 1,500 ps), so "3,200
 * ahead" is still TSC 3,200, not 1,000 ps + 3,200 cycles. */
static void test_tsc_deadline_667mhz(void **state)
{
    (void)state;
    bench b;
    bench_init(&b, HWTIMER_TSC_DEADLINE, 1, 667000000u, 0xEC);
    run_to(&b, 1000);
    uint64_t tsc = rd(&b, 0, HWTIMER_REG_TSC);
    assert_true(tsc == 0);
    wr(&b, 0, HWTIMER_REG_TSC_DEADLINE, tsc + 3200);
    run_to(&b, 10 * SIM_US);
    ASSERT_HITS(&b, { 0, 0xEC, 4797602 });
    bench_free(&b);
}

/* An expiry due at the very picosecond of a reprogramming is not lost: at
 * 1 us, before the timer's own event (priority 0 < HWTIMER_PRIO_FIRE),
 * software rewrites the deadline to 5 us.  The 1 us expiry is delivered
 * first, then the new deadline stands. */
typedef struct rewrite {
    simq_event ev;
    bench *b;
} rewrite;

static void rewrite_fire(void *owner, simq_event *ev)
{
    (void)owner;
    rewrite *r = (rewrite *)ev;
    wr(r->b, 0, HWTIMER_REG_TSC_DEADLINE, 16000);   /* 16,000 / 3.2 GHz = 5 us */
}

static void test_reprogram_at_expiry(void **state)
{
    (void)state;
    bench b;
    bench_init(&b, HWTIMER_TSC_DEADLINE, 1, 3200000000u, 0xEC);
    wr(&b, 0, HWTIMER_REG_TSC_DEADLINE, 3200);
    rewrite r = { .b = &b };
    simq_event_init(&r.ev, rewrite_fire);
    sim_schedule(b.s, &r.ev, SIM_US, 0);
    run_to(&b, 10 * SIM_US);
    ASSERT_HITS(&b, { 0, 0xEC, 1000000 }, { 0, 0xEC, 5000000 });
    assert_true(hwtimer_fired(b.t, 0) == 2);
    bench_free(&b);
}

/* ---- ARM generic timer ----------------------------------------------------------- */

/* A 100 MHz system counter (A53 presets): 10,000 ps per tick.  The
 * condition is CNTPCT - CVAL >= 0; TVAL writes set CVAL = CNTPCT + TVAL
 * (signed 32-bit); ISTATUS shows the condition, IMASK keeps the interrupt
 * back. */
static void test_generic_timer(void **state)
{
    (void)state;
    bench b;
    bench_init(&b, HWTIMER_GENERIC, 2, 100000000u, 30);
    /* Core 1: CVAL 500 -> 500 * 10,000 = 5,000,000 ps. */
    wr(&b, 1, HWTIMER_REG_CNTP_CVAL, 500);
    wr(&b, 1, HWTIMER_REG_CNTP_CTL, HWTIMER_CNTP_CTL_ENABLE);
    assert_true(rd(&b, 1, HWTIMER_REG_CNTP_CTL) == HWTIMER_CNTP_CTL_ENABLE);   /* ISTATUS 0 */
    /* Core 0 at 1,234,567 ps: CNTPCT = floor(1,234,567 * 1e8 / 1e12) = 123;
     * TVAL 100 -> CVAL 223 -> 2,230,000 ps. */
    run_to(&b, 1234567);
    assert_true(rd(&b, 0, HWTIMER_REG_CNTPCT) == 123);
    wr(&b, 0, HWTIMER_REG_CNTP_TVAL, 100);
    assert_true(rd(&b, 0, HWTIMER_REG_CNTP_CVAL) == 223);
    wr(&b, 0, HWTIMER_REG_CNTP_CTL, HWTIMER_CNTP_CTL_ENABLE);
    run_to(&b, 10 * SIM_US);
    ASSERT_HITS(&b, { 0, 30, 2230000 }, { 1, 30, 5000000 });
    /* The condition holds: ISTATUS 1, TVAL reads CVAL - CNTPCT = 223 - 1000
     * = -777 as 32 bits. */
    assert_true(rd(&b, 0, HWTIMER_REG_CNTP_CTL) == (HWTIMER_CNTP_CTL_ENABLE | HWTIMER_CNTP_CTL_ISTATUS));
    assert_true(rd(&b, 0, HWTIMER_REG_CNTP_TVAL) == (uint32_t)-777);

    /* Masked: at 10 us (CNTPCT 1,000) CVAL 1,100 with IMASK: ISTATUS at 11 us
     * but no interrupt; unmasking at 12 us raises it then. */
    b.n = 0;
    wr(&b, 0, HWTIMER_REG_CNTP_CVAL, 1100);
    wr(&b, 0, HWTIMER_REG_CNTP_CTL, HWTIMER_CNTP_CTL_ENABLE | HWTIMER_CNTP_CTL_IMASK);
    run_to(&b, 12 * SIM_US);
    assert_int_equal(b.n, 0);
    assert_true(rd(&b, 0, HWTIMER_REG_CNTP_CTL) & HWTIMER_CNTP_CTL_ISTATUS);
    wr(&b, 0, HWTIMER_REG_CNTP_CTL, HWTIMER_CNTP_CTL_ENABLE);
    run_to(&b, 13 * SIM_US);
    ASSERT_HITS(&b, { 0, 30, 12000000 });
    /* Disabled: no condition, no interrupt. */
    b.n = 0;
    wr(&b, 0, HWTIMER_REG_CNTP_CTL, 0);
    wr(&b, 0, HWTIMER_REG_CNTP_TVAL, 10);
    run_to(&b, 20 * SIM_US);
    assert_int_equal(b.n, 0);
    assert_true(rd(&b, 0, HWTIMER_REG_CNTP_CTL) == 0);
    bench_free(&b);
}

/* ---- Cortex-A9 private timer -------------------------------------------------------- */

/* PERIPHCLK 200 MHz, PRESCALER 1: the counter ticks at 100 MHz, every
 * 10,000 ps.  Load 99, auto-reload, IRQ on, enabled at 0: it counts 99 ->
 * 0 in 99 ticks (990,000 ps), then every Load + 1 = 100 ticks (1 us: the
 * TRM's (PRESCALER+1)(Load+1)/PERIPHCLK = 2 * 100 / 200 MHz): 990,000;
 * 1,990,000; 2,990,000 ps. */
static void test_a9_private_timer(void **state)
{
    (void)state;
    bench b;
    bench_init(&b, HWTIMER_A9_PRIVATE, 1, 200000000u, 29);
    wr(&b, 0, HWTIMER_REG_A9_LOAD, 99);
    wr(&b, 0, HWTIMER_REG_A9_CONTROL, HWTIMER_A9_CTL_ENABLE | HWTIMER_A9_CTL_AUTORELOAD
                                      | HWTIMER_A9_CTL_IRQ | HWTIMER_A9_CTL_PRESCALER(1));
    run_to(&b, 500000);
    /* Tick 50: 99 - 50 = 49. */
    assert_true(rd(&b, 0, HWTIMER_REG_A9_COUNTER) == 49);
    assert_true(rd(&b, 0, HWTIMER_REG_A9_STATUS) == 0);
    run_to(&b, 3 * SIM_US);
    ASSERT_HITS(&b, { 0, 29, 990000 }, { 0, 29, 1990000 }, { 0, 29, 2990000 });
    /* The event flag is set and stays until written with 1. */
    assert_true(rd(&b, 0, HWTIMER_REG_A9_STATUS) == 1);
    wr(&b, 0, HWTIMER_REG_A9_STATUS, 1);
    assert_true(rd(&b, 0, HWTIMER_REG_A9_STATUS) == 0);

    /* One-shot: at 3 us write the counter with 20 and drop auto-reload: it
     * reaches 0 after 20 ticks (3,200,000 ps), fires once, and stays at 0. */
    b.n = 0;
    wr(&b, 0, HWTIMER_REG_A9_CONTROL, HWTIMER_A9_CTL_ENABLE | HWTIMER_A9_CTL_IRQ
                                      | HWTIMER_A9_CTL_PRESCALER(1));
    wr(&b, 0, HWTIMER_REG_A9_COUNTER, 20);
    run_to(&b, 10 * SIM_US);
    ASSERT_HITS(&b, { 0, 29, 3200000 });
    assert_true(rd(&b, 0, HWTIMER_REG_A9_COUNTER) == 0);
    assert_true(rd(&b, 0, HWTIMER_REG_A9_STATUS) == 1);
    assert_true(rd(&b, 0, HWTIMER_REG_A9_CONTROL) == (HWTIMER_A9_CTL_ENABLE | HWTIMER_A9_CTL_IRQ
                                                       | HWTIMER_A9_CTL_PRESCALER(1)));
    /* IRQ off: the flag still rises, no interrupt.  Prescaler 0: 5,000 ps per
     * tick; load 10 at 10 us -> zero at 10 us + 50,000 ps. */
    b.n = 0;
    wr(&b, 0, HWTIMER_REG_A9_STATUS, 1);
    wr(&b, 0, HWTIMER_REG_A9_CONTROL, HWTIMER_A9_CTL_ENABLE);
    wr(&b, 0, HWTIMER_REG_A9_LOAD, 10);
    run_to(&b, 10 * SIM_US + 49999);
    assert_true(rd(&b, 0, HWTIMER_REG_A9_STATUS) == 0);
    run_to(&b, 10 * SIM_US + 50000);
    assert_true(rd(&b, 0, HWTIMER_REG_A9_STATUS) == 1);
    assert_int_equal(b.n, 0);
    bench_free(&b);
}

/* ---- SysTick ---------------------------------------------------------------------- */

/* A 100 MHz Cortex-M core: 10,000 ps per cycle.  RVR = 999, CVR cleared,
 * CSR = ENABLE | TICKINT at 0.  From 0 the counter loads 999 on the next
 * cycle and reaches 0 on cycle 1,000; it then wraps every RELOAD + 1 =
 * 1,000 cycles ("activates every n+1 clock ticks"): 10, 20, 30 us. */
static void test_systick(void **state)
{
    (void)state;
    bench b;
    bench_init(&b, HWTIMER_SYSTICK, 1, 100000000u, 15);
    wr(&b, 0, HWTIMER_REG_SYST_RVR, 999);
    wr(&b, 0, HWTIMER_REG_SYST_CVR, 12345);     /* any write clears it to 0 */
    assert_true(rd(&b, 0, HWTIMER_REG_SYST_CVR) == 0);
    wr(&b, 0, HWTIMER_REG_SYST_CSR, HWTIMER_SYST_ENABLE | HWTIMER_SYST_TICKINT);
    run_to(&b, 35 * SIM_US);
    ASSERT_HITS(&b, { 0, 15, 10000000 }, { 0, 15, 20000000 }, { 0, 15, 30000000 });
    /* At 35 us, cycle 3,500: 500 cycles after the wrap at 3,000, the value is
     * 999 - 499 = 500. */
    assert_true(rd(&b, 0, HWTIMER_REG_SYST_CVR) == 500);

    /* COUNTFLAG, with TICKINT off: the first read after a wrap gives 1 and
     * clears it.  Re-enable at 35 us without TICKINT; the wraps continue
     * at 40, 50 us. */
    b.n = 0;
    wr(&b, 0, HWTIMER_REG_SYST_CSR, HWTIMER_SYST_ENABLE);
    uint64_t csr = rd(&b, 0, HWTIMER_REG_SYST_CSR);  /* clears the flag from the earlier wraps */
    assert_true(csr & HWTIMER_SYST_COUNTFLAG);
    assert_true(csr & HWTIMER_SYST_CLKSOURCE);       /* processor clock, reads as one */
    run_to(&b, 39 * SIM_US);
    assert_false(rd(&b, 0, HWTIMER_REG_SYST_CSR) & HWTIMER_SYST_COUNTFLAG);
    run_to(&b, 40 * SIM_US);
    assert_true(rd(&b, 0, HWTIMER_REG_SYST_CSR) & HWTIMER_SYST_COUNTFLAG);
    assert_false(rd(&b, 0, HWTIMER_REG_SYST_CSR) & HWTIMER_SYST_COUNTFLAG);
    assert_int_equal(b.n, 0);

    /* Writing CVR at 45 us clears value and flag and restarts the count: the
     * next wrap is 1 + 999 cycles later, at 55 us (not 50 us). */
    run_to(&b, 45 * SIM_US);
    wr(&b, 0, HWTIMER_REG_SYST_CSR, HWTIMER_SYST_ENABLE | HWTIMER_SYST_TICKINT);
    wr(&b, 0, HWTIMER_REG_SYST_CVR, 0);
    assert_false(rd(&b, 0, HWTIMER_REG_SYST_CSR) & HWTIMER_SYST_COUNTFLAG);
    run_to(&b, 56 * SIM_US);
    ASSERT_HITS(&b, { 0, 15, 55000000 });

    /* RELOAD 0 stops the timer at the next wrap (65 us), which still fires. */
    b.n = 0;
    wr(&b, 0, HWTIMER_REG_SYST_RVR, 0);
    run_to(&b, 200 * SIM_US);
    ASSERT_HITS(&b, { 0, 15, 65000000 });
    assert_true(rd(&b, 0, HWTIMER_REG_SYST_CVR) == 0);
    /* RVR is 24 bits. */
    wr(&b, 0, HWTIMER_REG_SYST_RVR, 0x1FFFFFFu);
    assert_true(rd(&b, 0, HWTIMER_REG_SYST_RVR) == 0xFFFFFFu);
    /* Disabled, the counter stands still. */
    wr(&b, 0, HWTIMER_REG_SYST_CSR, HWTIMER_SYST_ENABLE);
    run_to(&b, 200 * SIM_US + 123 * 10000);
    uint64_t v = rd(&b, 0, HWTIMER_REG_SYST_CVR);
    assert_true(v == 0xFFFFFFu - 122);              /* loaded on cycle 1, then 122 decrements */
    wr(&b, 0, HWTIMER_REG_SYST_CSR, 0);
    run_to(&b, 300 * SIM_US);
    assert_true(rd(&b, 0, HWTIMER_REG_SYST_CVR) == v);
    bench_free(&b);
}

/* ---- configuration errors ------------------------------------------------------ */

static void expect_timer_error(hwirq_kind ik, hwtimer_config tc, const char *needle)
{
    sim *s = new_sim();
    hwirq_config ic = { .kind = ik, .ncores = 2, .nlines = ik == HWIRQ_LAPIC ? 0 : 64,
                        .prio_bits = ik == HWIRQ_NVIC ? 3 : 5 };
    hwirq *c = hwirq_new(s, &ic, NULL);
    assert_non_null(c);
    GError *err = NULL;
    assert_null(hwtimer_new(s, c, &tc, &err));
    assert_true(g_error_matches(err, HWTIMER_ERROR, HWTIMER_ERROR_CONFIG));
    if (strstr(err->message, needle) == NULL)
        fail_msg("error \"%s\" does not name \"%s\"", err->message, needle);
    g_error_free(err);
    hwirq_free(c);
    sim_free(s);
}

static void test_timer_config_errors(void **state)
{
    (void)state;
    expect_timer_error(HWIRQ_GIC, (hwtimer_config){ HWTIMER_TSC_DEADLINE, 1, 3200000000u, 0xEC }, "kind");
    expect_timer_error(HWIRQ_GIC, (hwtimer_config){ HWTIMER_GENERIC, 1, 0, 30 }, "freq_hz");
    expect_timer_error(HWIRQ_GIC, (hwtimer_config){ HWTIMER_GENERIC, 1, 100000000u, 40 }, "line: 40");
    expect_timer_error(HWIRQ_GIC, (hwtimer_config){ HWTIMER_GENERIC, 3, 100000000u, 30 }, "ncores: 3");
    expect_timer_error(HWIRQ_LAPIC, (hwtimer_config){ HWTIMER_TSC_DEADLINE, 1, 3200000000u, 3 }, "line: 3");
    expect_timer_error(HWIRQ_NVIC, (hwtimer_config){ HWTIMER_SYSTICK, 1, 100000000u, 9 }, "line: 9");
}

/* ---- fuzz: invariants after every write -------------------------------------------- */

static void test_timer_fuzz(void **state)
{
    (void)state;
    static const struct { hwtimer_kind k; uint64_t f; unsigned line; hwtimer_reg regs[4]; int nregs; } kinds[] = {
        { HWTIMER_TSC_DEADLINE, 667000000u, 0xEC, { HWTIMER_REG_TSC_DEADLINE }, 1 },
        { HWTIMER_GENERIC, 62500000u, 30, { HWTIMER_REG_CNTP_CVAL, HWTIMER_REG_CNTP_TVAL, HWTIMER_REG_CNTP_CTL }, 3 },
        { HWTIMER_A9_PRIVATE, 333333333u, 29,
          { HWTIMER_REG_A9_LOAD, HWTIMER_REG_A9_COUNTER, HWTIMER_REG_A9_CONTROL, HWTIMER_REG_A9_STATUS }, 4 },
        { HWTIMER_SYSTICK, 168000000u, 15, { HWTIMER_REG_SYST_CSR, HWTIMER_REG_SYST_RVR, HWTIMER_REG_SYST_CVR }, 3 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        bench b;
        bench_init(&b, kinds[i].k, 2, kinds[i].f, kinds[i].line);
        simrng g;
        simrng_init(&g, 99, "timer-fuzz");
        for (int step = 0; step < 3000; step++) {
            unsigned core = (unsigned)simrng_below(&g, 2);
            hwtimer_reg reg = kinds[i].regs[simrng_below(&g, (uint64_t)kinds[i].nregs)];
            uint64_t tick = hwtimer_clock(b.t);
            uint64_t v;
            switch (reg) {
            case HWTIMER_REG_TSC_DEADLINE:
            case HWTIMER_REG_CNTP_CVAL:
                v = simrng_below(&g, 5) == 0 ? 0 : tick + simrng_below(&g, 400) - 50;
                break;
            case HWTIMER_REG_A9_CONTROL:
                v = simrng_below(&g, 8) | (simrng_below(&g, 4) << 8);
                break;
            case HWTIMER_REG_SYST_CSR:
            case HWTIMER_REG_CNTP_CTL:
                v = simrng_below(&g, 4);
                break;
            default:
                v = simrng_below(&g, 300);
                break;
            }
            wr(&b, core, reg, v);
            if (!hwtimer_verify(b.t))
                fail_msg("%s fuzz: invariant broken after a write at step %d",
                         hwtimer_kind_name(kinds[i].k), step);
            uint64_t dummy;
            (void)hwtimer_read(b.t, core, kinds[i].regs[0], &dummy);
            if (simrng_below(&g, 2) == 0)
                run_to(&b, sim_now(b.s) + simrng_below(&g, 200000));
        }
        bench_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tick_conversions),
        cmocka_unit_test(test_ticks_at_exact),
        cmocka_unit_test(test_tsc_deadline),
        cmocka_unit_test(test_tsc_deadline_667mhz),
        cmocka_unit_test(test_reprogram_at_expiry),
        cmocka_unit_test(test_generic_timer),
        cmocka_unit_test(test_a9_private_timer),
        cmocka_unit_test(test_systick),
        cmocka_unit_test(test_timer_config_errors),
        cmocka_unit_test(test_timer_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
