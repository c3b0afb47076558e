/* tests/test_irq.c: unit tests of the interrupt controllers, IPIs and device
 * interrupt sources (model/irq.h).
 *
 * What a user would notice if these broke: an IPI that lands at the wrong
 * picosecond (every cross-core IPC figure shifts), an interrupt taken in the
 * wrong order or through a mask (response times, and the lab where students
 * raise TPR/BASEPRI and watch a device go quiet), a tail-chain reported as a
 * full return (the Cortex-M interrupt-latency figures), a periodic device
 * drifting, or a seeded sporadic device that changes between two runs.
 *
 * The "core" here is a recorder: the controller's signal callback writes
 * down (core, line, time), and, when asked, acknowledges at once and ends
 * the interrupt, the way an idle core would.  Time is driven with sim_run
 * to a target: the run stops with the clock at the target after every
 * event due then, so a call made afterwards acts "at the target, last".
 * Every expected figure is worked out in the comment above it.
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

/* ---- fixture ------------------------------------------------------------------- */

typedef struct sig {
    unsigned core, line;
    sim_time_t at;
} sig;

typedef struct rec {
    sim *s;
    hwirq *c;
    sig sigs[1024];
    int nsig;
    bool auto_ack;       /* acknowledge on every signal */
    bool auto_end;       /* and end it at once (EOI, or NVIC return with its tail-chains) */
    bool quiet;          /* count signals only (long fuzz runs) */
    sig acks[1024];      /* what was taken, when */
    int nack;
} rec;

static void rec_take(rec *r, unsigned core, unsigned line)
{
    if (r->quiet && r->nack == (int)G_N_ELEMENTS(r->acks))
        r->nack = 0;
    assert_true(r->nack < (int)G_N_ELEMENTS(r->acks));
    r->acks[r->nack++] = (sig){ core, line, sim_now(r->s) };
}

static void rec_signal(void *ctx, unsigned core, unsigned line)
{
    rec *r = ctx;
    if (!r->quiet) {
        assert_true(r->nsig < (int)G_N_ELEMENTS(r->sigs));
        r->sigs[r->nsig] = (sig){ core, line, sim_now(r->s) };
    }
    r->nsig++;
    if (!r->auto_ack)
        return;
    for (;;) {
        unsigned l = hwirq_ack(r->c, core, NULL);
        if (l == HWIRQ_NONE)
            return;
        rec_take(r, core, l);
        if (!r->auto_end)
            return;
        if (hwirq_get_kind(r->c) == HWIRQ_NVIC) {
            hwirq_ret ret = hwirq_return(r->c, core);
            while (ret.kind == HWIRQ_RET_TAIL_CHAIN) {
                rec_take(r, core, ret.line);
                ret = hwirq_return(r->c, core);
            }
        } else {
            assert_int_equal(hwirq_eoi(r->c, core, l), HWIRQ_OK);
        }
    }
}

static sim *new_sim(uint64_t seed)
{
    GError *err = NULL;
    simtr *tr = simtr_open(NULL, &err);
    if (tr == NULL)
        fail_msg("simtr_open(NULL): %s", err ? err->message : "?");
    return sim_new(seed, tr);
}

static hwirq *new_ctl(rec *r, sim *s, hwirq_kind kind, unsigned ncores, unsigned nlines,
                      unsigned prio_bits, sim_time_t latency)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    hwirq_config cfg = {
        .kind = kind, .ncores = ncores, .nlines = nlines, .prio_bits = prio_bits,
        .ipi_latency = latency, .signal = rec_signal, .core_ctx = r,
    };
    GError *err = NULL;
    hwirq *c = hwirq_new(s, &cfg, &err);
    if (c == NULL)
        fail_msg("hwirq_new: %s", err ? err->message : "?");
    r->c = c;
    assert_true(hwirq_verify(c));
    return c;
}

static void run_to(sim *s, sim_time_t t)
{
    sim_run(s, t, 0);
    assert_true(sim_now(s) == t);
}

/* Compare recorded (core, line, time) triples with the expected ones. */
static void assert_sigs(const sig *got, int ngot, const sig *want, int nwant, const char *what, int line)
{
    bool same = ngot == nwant;
    for (int i = 0; same && i < nwant; i++)
        same = got[i].core == want[i].core && got[i].line == want[i].line && got[i].at == want[i].at;
    if (same)
        return;
    GString *m = g_string_new(NULL);
    g_string_append_printf(m, "line %d: %s differ\n  got: ", line, what);
    for (int i = 0; i < ngot; i++)
        g_string_append_printf(m, " c%u/%u@%" PRIu64, got[i].core, got[i].line, got[i].at);
    g_string_append(m, "\n want: ");
    for (int i = 0; i < nwant; i++)
        g_string_append_printf(m, " c%u/%u@%" PRIu64, want[i].core, want[i].line, want[i].at);
    fail_msg("%s", m->str);
}
#define ASSERT_SIGS(r, ...) do { \
        static const sig want_[] = { __VA_ARGS__ }; \
        assert_sigs((r)->sigs, (r)->nsig, want_, (int)G_N_ELEMENTS(want_), "signals", __LINE__); \
    } while (0)
#define ASSERT_ACKS(r, ...) do { \
        static const sig want_[] = { __VA_ARGS__ }; \
        assert_sigs((r)->acks, (r)->nack, want_, (int)G_N_ELEMENTS(want_), "acknowledgements", __LINE__); \
    } while (0)

static void list_at(hwirq *c, unsigned core, unsigned line, sim_time_t t)
{
    GError *err = NULL;
    if (hwirq_source_list(c, core, line, &t, 1, &err) == NULL)
        fail_msg("hwirq_source_list: %s", err ? err->message : "?");
}

/* ---- IPIs -------------------------------------------------------------------- */

/* IPI delivery time = send time + latency.  Latency 250 ns = 250,000 ps
 * (a preset figure; any value works, this one is easy to read). */
static void test_lapic_ipi_latency(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_LAPIC, 4, 0, 0, 250 * SIM_NS);

    /* t = 0: core 0 -> core 2, vector 0x40: lands at 0 + 250,000 ps. */
    assert_int_equal(hwirq_ipi(c, 0, HWIRQ_DEST_CORE, 2, 0x40), HWIRQ_OK);
    /* t = 0: vectors 0-15 are illegal (SDM 10.5.3): refused, nothing sent. */
    assert_int_equal(hwirq_ipi(c, 0, HWIRQ_DEST_CORE, 2, 5), HWIRQ_ILLEGAL_VECTOR);
    run_to(s, 100);
    /* t = 100 ps: a second IPI to core 2, another vector: lands at 250,100,
     * behind the first (one FIFO per target, each IPI keeps its own time). */
    assert_int_equal(hwirq_ipi(c, 1, HWIRQ_DEST_CORE, 2, 0x41), HWIRQ_OK);
    run_to(s, 249999);
    assert_int_equal(r.nsig, 0);                    /* nothing lands early */
    assert_false(hwirq_is_pending(c, 2, 0x40));
    run_to(s, 1 * SIM_US);
    /* At 250,000 the core is told about 0x40; at 250,100 0x41 arrives and,
     * being a higher vector, is the new best (SDM 10.8.3.1: higher vector =
     * higher priority), so the core is told again. */
    ASSERT_SIGS(&r, { 2, 0x40, 250000 }, { 2, 0x41, 250100 });
    assert_true(hwirq_is_pending(c, 2, 0x40) && hwirq_is_pending(c, 2, 0x41));
    assert_true(hwirq_verify(c));

    /* t = 1 us: core 1 -> all but self, vector 0x50: cores 0, 2, 3 at
     * 1,250,000 ps, core 1 never. */
    r.nsig = 0;
    assert_int_equal(hwirq_ipi(c, 1, HWIRQ_DEST_ALL_BUT_SELF, 0, 0x50), HWIRQ_OK);
    run_to(s, 2 * SIM_US);
    ASSERT_SIGS(&r, { 0, 0x50, 1250000 }, { 2, 0x50, 1250000 }, { 3, 0x50, 1250000 });
    assert_false(hwirq_is_pending(c, 1, 0x50));

    /* Self and all-including-self shorthands (SDM 10.6.1). */
    r.nsig = 0;
    assert_int_equal(hwirq_ipi(c, 3, HWIRQ_DEST_SELF, 0, 0x60), HWIRQ_OK);
    assert_int_equal(hwirq_ipi(c, 3, HWIRQ_DEST_ALL, 0, 0x70), HWIRQ_OK);
    run_to(s, 3 * SIM_US);
    /* Core 3's own IPI was sent first, so its arrival event (and then its
     * signal) comes first among the equal-time ones; then cores 0, 1, 2. */
    ASSERT_SIGS(&r, { 3, 0x70, 2250000 }, { 0, 0x70, 2250000 }, { 1, 0x70, 2250000 },
                { 2, 0x70, 2250000 });
    assert_true(hwirq_is_pending(c, 3, 0x60));      /* 0x70 outranks it on core 3 */
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* ---- LAPIC ------------------------------------------------------------------- */

/* SDM 10.8.3.1: the processor priority class is max(TPR class, class of the
 * highest in-service vector); a vector is delivered only if its class
 * (vector >> 4) is strictly above it.  10.8.4: acknowledging moves IRR to
 * ISR.  10.8.5: EOI clears the highest ISR bit. */
static void test_lapic_classes_and_tpr(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_LAPIC, 1, 256, 0, 0);

    /* 0x31 (class 3), 0x52 and 0x5F (class 5) pending together. */
    assert_int_equal(hwirq_raise(c, 0, 0x31), HWIRQ_OK);
    assert_int_equal(hwirq_raise(c, 0, 0x52), HWIRQ_OK);
    assert_int_equal(hwirq_raise(c, 0, 0x5F), HWIRQ_OK);
    assert_int_equal(hwirq_raise(c, 0, 0x52), HWIRQ_COALESCED);   /* one IRR bit per vector */
    /* Highest vector first: 0x5F. */
    assert_int_equal(hwirq_ack(c, 0, NULL), 0x5F);
    /* PPR class is now 5: 0x52 (class 5) is not above it, 0x31 neither. */
    assert_int_equal(hwirq_running_priority(c, 0), 0x50);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    assert_int_equal(hwirq_ack(c, 0, NULL), HWIRQ_NONE);
    /* A class-6 vector preempts (nesting): 6 > 5. */
    assert_int_equal(hwirq_raise(c, 0, 0x61), HWIRQ_OK);
    assert_int_equal(hwirq_ack(c, 0, NULL), 0x61);
    assert_int_equal(hwirq_active_count(c, 0), 2);
    /* EOI clears the highest ISR bit: 0x61, then 0x5F. */
    assert_int_equal(hwirq_eoi(c, 0, HWIRQ_NONE), HWIRQ_OK);
    assert_true(hwirq_is_active(c, 0, 0x5F) && !hwirq_is_active(c, 0, 0x61));
    assert_int_equal(hwirq_eoi(c, 0, HWIRQ_NONE), HWIRQ_OK);
    assert_int_equal(hwirq_ack(c, 0, NULL), 0x52);
    assert_int_equal(hwirq_eoi(c, 0, HWIRQ_NONE), HWIRQ_OK);
    assert_int_equal(hwirq_ack(c, 0, NULL), 0x31);
    assert_int_equal(hwirq_eoi(c, 0, HWIRQ_NONE), HWIRQ_OK);
    /* An EOI with nothing in service is ignored. */
    assert_int_equal(hwirq_eoi(c, 0, HWIRQ_NONE), HWIRQ_NOT_ACTIVE);

    /* TPR 0x50 (class 5): 0x45 (class 4) and 0x55 (class 5) are held back,
     * 0x61 (class 6) gets through. */
    hwirq_set_threshold(c, 0, 0x50);
    hwirq_raise(c, 0, 0x45);
    hwirq_raise(c, 0, 0x55);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    hwirq_raise(c, 0, 0x61);
    assert_int_equal(hwirq_pending(c, 0), 0x61);
    assert_int_equal(hwirq_ack(c, 0, NULL), 0x61);
    assert_int_equal(hwirq_eoi(c, 0, HWIRQ_NONE), HWIRQ_OK);
    /* TPR 0x40: class 5 > 4, so 0x55 is delivered, and the core is told at
     * once (this picosecond, 0) by a signal. */
    r.nsig = 0;
    hwirq_set_threshold(c, 0, 0x40);
    run_to(s, 10);
    ASSERT_SIGS(&r, { 0, 0x55, 0 });
    /* Vectors 0-15 are illegal; a masked source sends nothing (SDM 10.5.1). */
    assert_int_equal(hwirq_raise(c, 0, 7), HWIRQ_ILLEGAL_VECTOR);
    assert_int_equal(hwirq_set_enabled(c, 0, 0x70, false), HWIRQ_OK);
    assert_int_equal(hwirq_raise(c, 0, 0x70), HWIRQ_DROPPED);
    assert_false(hwirq_is_pending(c, 0, 0x70));
    /* The core's own IF flag holds everything back. */
    hwirq_set_masked(c, 0, true);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    hwirq_set_masked(c, 0, false);
    assert_int_equal(hwirq_pending(c, 0), 0x55);
    /* The vector is the priority: no priority registers. */
    assert_int_equal(hwirq_set_priority(c, 0, 0x55, 3), HWIRQ_UNSUPPORTED);
    assert_int_equal(hwirq_priority(c, 0, 0x55), 0x55);
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* ---- the same-picosecond rule ------------------------------------------------ */

/* Four SPIs raised at the same picosecond (5,000 ps), created in two
 * different orders.  Priorities: 40 -> 0x80, 41 -> 0x40, 42 -> 0x40,
 * 43 -> 0xC0.  The core hears once, after all four are pending, and takes
 * them by priority then by ID: 41, 42 (tie with 41, higher ID), 40, 43. */
static void same_ps_order(const unsigned *create_order, unsigned n)
{
    sim *s = new_sim(7);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GIC, 1, 64, 8, 0);
    r.auto_ack = r.auto_end = true;
    static const unsigned prio[4] = { 0x80, 0x40, 0x40, 0xC0 };
    for (unsigned l = 40; l < 44; l++)
        assert_int_equal(hwirq_set_priority(c, 0, l, prio[l - 40]), HWIRQ_OK);
    for (unsigned i = 0; i < n; i++)
        list_at(c, 0, create_order[i], 5000);
    run_to(s, 10000);
    ASSERT_SIGS(&r, { 0, 41, 5000 });
    ASSERT_ACKS(&r, { 0, 41, 5000 }, { 0, 42, 5000 }, { 0, 40, 5000 }, { 0, 43, 5000 });
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

static void test_same_ps_order_is_fixed(void **state)
{
    (void)state;
    static const unsigned a[] = { 43, 42, 40, 41 };
    static const unsigned b[] = { 40, 41, 42, 43 };
    static const unsigned d[] = { 41, 43, 40, 42 };
    same_ps_order(a, 4);
    same_ps_order(b, 4);
    same_ps_order(d, 4);
}

/* ---- GIC --------------------------------------------------------------------- */

/* IHI 0048B 3.3: a pending interrupt is signalled only if its priority is
 * higher (numerically lower) than the PMR and its group priority is higher
 * than the running priority; 4.4.4/4.4.5: IAR acknowledges, EOIR ends the
 * most recent one; nothing signalable reads as spurious. */
static void test_gic_pmr_running_priority(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GIC, 1, 64, 8, 0);
    for (unsigned l = 32; l < 40; l++)
        hwirq_set_priority(c, 0, l, 0x90);
    hwirq_set_priority(c, 0, 32, 0x80);
    hwirq_set_priority(c, 0, 33, 0x70);
    hwirq_set_priority(c, 0, 34, 0x70);
    hwirq_set_priority(c, 0, 35, 0x60);

    /* PMR 0x80: priority 0x80 is not below it, so line 32 is not signalled. */
    hwirq_set_threshold(c, 0, 0x80);
    hwirq_raise(c, 0, 32);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    assert_int_equal(hwirq_ack(c, 0, NULL), HWIRQ_NONE);    /* spurious (1023) */
    /* 0x70 < 0x80: line 33 is. */
    hwirq_raise(c, 0, 33);
    assert_int_equal(hwirq_ack(c, 0, NULL), 33);
    assert_int_equal(hwirq_running_priority(c, 0), 0x70);
    /* Equal priority does not preempt; 0x60 does. */
    hwirq_raise(c, 0, 34);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    hwirq_raise(c, 0, 35);
    assert_int_equal(hwirq_ack(c, 0, NULL), 35);
    /* EOIR must name the most recent acknowledge: 33 is refused, 35 first. */
    assert_int_equal(hwirq_eoi(c, 0, 33), HWIRQ_NOT_CURRENT);
    assert_int_equal(hwirq_eoi(c, 0, 36), HWIRQ_NOT_ACTIVE);
    assert_int_equal(hwirq_eoi(c, 0, 35), HWIRQ_OK);
    assert_int_equal(hwirq_running_priority(c, 0), 0x70);
    assert_int_equal(hwirq_eoi(c, 0, 33), HWIRQ_OK);
    assert_int_equal(hwirq_running_priority(c, 0), 0x100);  /* idle */
    assert_int_equal(hwirq_ack(c, 0, NULL), 34);
    assert_int_equal(hwirq_eoi(c, 0, 34), HWIRQ_OK);

    /* Binary point 5: group priority = priority with bits [5:0] cleared
     * (3.3, "Priority grouping").  Running 0x70 is group 0x40; a pending
     * 0x50 is group 0x40 too, so it does not preempt, although 0x50 < 0x70. */
    hwirq_set_threshold(c, 0, 0xFF);
    hwirq_set_binary_point(c, 0, 5);
    hwirq_set_priority(c, 0, 36, 0x50);
    hwirq_raise(c, 0, 33);
    assert_int_equal(hwirq_ack(c, 0, NULL), 33);
    assert_int_equal(hwirq_running_priority(c, 0), 0x40);
    hwirq_raise(c, 0, 36);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    assert_int_equal(hwirq_eoi(c, 0, 33), HWIRQ_OK);
    assert_int_equal(hwirq_pending(c, 0), 36);
    assert_true(hwirq_verify(c));
    hwirq_free(c);

    /* With 5 implemented priority bits (32 levels, as on the Cortex-A9's
     * GIC), the low 3 bits read as zero: 0xA7 becomes 0xA0. */
    c = new_ctl(&r, s, HWIRQ_GIC, 1, 64, 5, 0);
    hwirq_set_priority(c, 0, 40, 0xA7);
    assert_int_equal(hwirq_priority(c, 0, 40), 0xA0);
    hwirq_set_threshold(c, 0, 0xA7);
    assert_int_equal(hwirq_threshold(c, 0), 0xA0);
    hwirq_free(c);
    sim_free(s);
}

/* SGIs go to the cores the filter names, after the IPI latency (100 ns =
 * 100,000 ps here), and each target records each sender (IHI 0048B 4.3.15
 * GICD_SGIR, 4.4.4 GICC_IAR CPUID field).  PPIs are per core; SPIs go to
 * their target. */
static void test_gic_sgi_targets(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GIC, 4, 96, 8, 100 * SIM_NS);

    /* t = 0: core 1 sends SGI 3 to all but itself; core 2 sends SGI 3 to core 0. */
    assert_int_equal(hwirq_ipi(c, 1, HWIRQ_DEST_ALL_BUT_SELF, 0, 3), HWIRQ_OK);
    assert_int_equal(hwirq_ipi(c, 2, HWIRQ_DEST_CORE, 0, 3), HWIRQ_OK);
    assert_int_equal(hwirq_ipi(c, 2, HWIRQ_DEST_CORE, 0, 16), HWIRQ_BAD_LINE);  /* SGIINTID is 4 bits */
    run_to(s, 99999);
    assert_int_equal(r.nsig, 0);
    run_to(s, 200000);
    /* Arrival at 0 + 100,000 ps on cores 0, 2, 3 (core 0's second SGI merges
     * into the same signal: same ID, another sender). */
    ASSERT_SIGS(&r, { 0, 3, 100000 }, { 2, 3, 100000 }, { 3, 3, 100000 });
    assert_false(hwirq_is_pending(c, 1, 3));

    /* Core 0 takes SGI 3 from core 1 (the lowest sender first), then, after
     * EOI, from core 2.  While one is active the other waits: same ID, same
     * priority, no preemption. */
    unsigned src = 99;
    assert_int_equal(hwirq_ack(c, 0, &src), 3);
    assert_int_equal(src, 1);
    assert_true(hwirq_is_pending(c, 0, 3) && hwirq_is_active(c, 0, 3));
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    assert_int_equal(hwirq_eoi(c, 0, 3), HWIRQ_OK);
    assert_int_equal(hwirq_ack(c, 0, &src), 3);
    assert_int_equal(src, 2);
    assert_int_equal(hwirq_eoi(c, 0, 3), HWIRQ_OK);
    assert_false(hwirq_is_pending(c, 0, 3));

    /* Cores 2 and 3 take their SGI from core 1 and end it. */
    for (unsigned k = 2; k < 4; k++) {
        assert_int_equal(hwirq_ack(c, k, &src), 3);
        assert_int_equal(src, 1);
        assert_int_equal(hwirq_eoi(c, k, 3), HWIRQ_OK);
    }

    /* A PPI is banked: raising 29 on core 1 touches core 1 only. */
    hwirq_raise(c, 1, 29);
    assert_true(hwirq_is_pending(c, 1, 29));
    assert_false(hwirq_is_pending(c, 0, 29));
    /* An SPI goes to its target, whichever core raises it, and follows a
     * retarget while pending. */
    assert_int_equal(hwirq_set_target(c, 40, 2), HWIRQ_OK);
    hwirq_raise(c, 0, 40);
    assert_int_equal(hwirq_pending(c, 2), 40);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    assert_int_equal(hwirq_set_target(c, 40, 3), HWIRQ_OK);
    assert_int_equal(hwirq_pending(c, 2), HWIRQ_NONE);
    assert_int_equal(hwirq_pending(c, 3), 40);
    assert_int_equal(hwirq_set_target(c, 20, 3), HWIRQ_UNSUPPORTED);   /* PPIs have no target */
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* ---- NVIC ---------------------------------------------------------------------- */

/* DDI 0403E B1.5.4: preemption only by a strictly higher (numerically
 * lower) group priority; pending ones are taken by priority, then by
 * exception number.  3 priority bits: levels 0x00, 0x20, ..., 0xE0. */
static void test_nvic_preemption(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_NVIC, 1, 48, 3, 0);
    hwirq_set_priority(c, 0, 16, 0x40);
    hwirq_set_priority(c, 0, 17, 0x40);
    hwirq_set_priority(c, 0, 18, 0x20);
    hwirq_set_priority(c, 0, 19, 0x60);

    hwirq_raise(c, 0, 16);
    assert_int_equal(hwirq_ack(c, 0, NULL), 16);
    assert_int_equal(hwirq_running_priority(c, 0), 0x40);
    hwirq_raise(c, 0, 17);                         /* equal: must wait */
    hwirq_raise(c, 0, 19);                         /* lower: must wait */
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    hwirq_raise(c, 0, 18);                         /* higher: preempts */
    assert_int_equal(hwirq_ack(c, 0, NULL), 18);
    assert_int_equal(hwirq_active_count(c, 0), 2);

    /* Return from 18: 17 (0x40) cannot preempt 16 (0x40) and 19 cannot
     * either, so the core unstacks back into 16. */
    hwirq_ret ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_NESTED);
    assert_int_equal(ret.line, 16);
    /* Return from 16: both 17 and 19 now beat Thread mode (256); 17 has the
     * higher priority: tail-chain into 17, then into 19, then Thread. */
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_TAIL_CHAIN);
    assert_int_equal(ret.line, 17);
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_TAIL_CHAIN);
    assert_int_equal(ret.line, 19);
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_THREAD);
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_NOT_ACTIVE);

    /* Priority grouping, PRIGROUP 5: group = bits [7:6].  0x40 and 0x60 are
     * both group 0x40, so 0x40 cannot preempt 0x60; but pending together,
     * 0x40 (lower subpriority) is taken first. */
    hwirq_set_binary_point(c, 0, 5);
    hwirq_raise(c, 0, 19);                          /* 0x60 */
    assert_int_equal(hwirq_ack(c, 0, NULL), 19);
    hwirq_raise(c, 0, 17);                          /* 0x40, same group */
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    hwirq_raise(c, 0, 20);                          /* priority 0x00 (reset value): group 0 */
    assert_int_equal(hwirq_pending(c, 0), 20);
    ret = hwirq_return(c, 0);                       /* 20 and 17 pending: 20 first */
    assert_int_equal(ret.kind, HWIRQ_RET_TAIL_CHAIN);
    assert_int_equal(ret.line, 20);
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.line, 17);
    assert_int_equal(hwirq_return(c, 0).kind, HWIRQ_RET_THREAD);

    /* Reserved exception numbers and fixed priorities. */
    assert_int_equal(hwirq_raise(c, 0, 7), HWIRQ_BAD_LINE);
    assert_int_equal(hwirq_set_priority(c, 0, 2, 0x40), HWIRQ_UNSUPPORTED);
    assert_int_equal(hwirq_priority(c, 0, 2), -2);
    assert_int_equal(hwirq_priority(c, 0, 3), -1);
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* B1.5.4: BASEPRI raises the execution priority to its group priority (so
 * exceptions of that priority or lower are held: "same or lower priority
 * level as BASEPRI"), PRIMASK to 0 (only NMI -2 and HardFault -1 get
 * through), FAULTMASK to -1 (only NMI). */
static void test_nvic_basepri_primask(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_NVIC, 1, 48, 3, 0);
    hwirq_set_priority(c, 0, 16, 0x40);
    hwirq_set_priority(c, 0, 17, 0x20);
    hwirq_set_priority(c, 0, 18, 0x00);

    hwirq_set_threshold(c, 0, 0x40);                /* BASEPRI */
    hwirq_raise(c, 0, 16);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);   /* 0x40 is not above 0x40 */
    hwirq_raise(c, 0, 17);
    assert_int_equal(hwirq_pending(c, 0), 17);            /* 0x20 is */
    hwirq_clear_pending(c, 0, 17);

    hwirq_set_threshold(c, 0, 0);                   /* BASEPRI 0: no effect */
    hwirq_set_masked(c, 0, true);                   /* PRIMASK */
    hwirq_raise(c, 0, 18);                          /* priority 0: still held */
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);
    assert_int_equal(hwirq_running_priority(c, 0), 0);
    hwirq_raise(c, 0, 3);                           /* HardFault, -1 */
    assert_int_equal(hwirq_pending(c, 0), 3);
    assert_int_equal(hwirq_set_faultmask(c, 0, true), HWIRQ_OK);
    assert_int_equal(hwirq_pending(c, 0), HWIRQ_NONE);   /* -1 is not above -1 */
    hwirq_raise(c, 0, 2);                           /* NMI, -2 */
    assert_int_equal(hwirq_pending(c, 0), 2);
    assert_int_equal(hwirq_set_enabled(c, 0, 2, false), HWIRQ_UNSUPPORTED);

    /* Clearing the masks lets the rest through, and the core is told at
     * the picosecond it unmasked (0 here): NMI first, the most urgent. */
    hwirq_set_faultmask(c, 0, false);
    hwirq_set_masked(c, 0, false);
    run_to(s, 1);
    ASSERT_SIGS(&r, { 0, 2, 0 });
    assert_int_equal(hwirq_ack(c, 0, NULL), 2);
    assert_int_equal(hwirq_return(c, 0).line, 3);   /* tail-chain into HardFault */
    hwirq_ret ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_TAIL_CHAIN);
    assert_int_equal(ret.line, 18);
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_TAIL_CHAIN);
    assert_int_equal(ret.line, 16);
    assert_int_equal(hwirq_return(c, 0).kind, HWIRQ_RET_THREAD);
    assert_int_equal(hwirq_set_faultmask(c, 0, true), HWIRQ_OK);
    assert_true(hwirq_verify(c));
    hwirq_free(c);

    /* FAULTMASK is NVIC-only. */
    c = new_ctl(&r, s, HWIRQ_GIC, 1, 64, 8, 0);
    assert_int_equal(hwirq_set_faultmask(c, 0, true), HWIRQ_UNSUPPORTED);
    hwirq_free(c);
    sim_free(s);
}

/* Two exceptions of equal priority pending at the same time (1,000 ps): the
 * core is told once, takes 20 (lower exception number, B1.5.4), and its
 * return tail-chains into 21 rather than unstacking: the core would charge
 * 12 + 6 + 12 cycles on a Cortex-M4, not 12 + 12 + 12 + 12. */
static void test_nvic_tail_chain_equal_time(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_NVIC, 1, 48, 3, 0);
    hwirq_set_priority(c, 0, 20, 0x80);
    hwirq_set_priority(c, 0, 21, 0x80);
    list_at(c, 0, 21, 1000);
    list_at(c, 0, 20, 1000);
    run_to(s, 2000);
    ASSERT_SIGS(&r, { 0, 20, 1000 });
    assert_int_equal(hwirq_ack(c, 0, NULL), 20);
    hwirq_ret ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_TAIL_CHAIN);
    assert_int_equal(ret.line, 21);
    assert_true(hwirq_is_active(c, 0, 21) && !hwirq_is_pending(c, 0, 21));
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_THREAD);
    assert_int_equal(ret.line, HWIRQ_NONE);
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* Late arrival: 16 (0x80) is acknowledged; during its entry sequence 17
 * (0x40) arrives.  At the end of entry 17 is taken instead and 16 goes
 * back to pending; 17's return then tail-chains into 16.  An arrival of
 * equal priority does not take over. */
static void test_nvic_late_arrival(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_NVIC, 1, 48, 3, 0);
    hwirq_set_priority(c, 0, 16, 0x80);
    hwirq_set_priority(c, 0, 17, 0x40);
    hwirq_set_priority(c, 0, 18, 0x80);

    hwirq_raise(c, 0, 16);
    assert_int_equal(hwirq_ack(c, 0, NULL), 16);
    hwirq_raise(c, 0, 18);                          /* equal priority: no take-over */
    assert_int_equal(hwirq_late_arrival(c, 0), 16);
    hwirq_raise(c, 0, 17);
    assert_int_equal(hwirq_late_arrival(c, 0), 17);
    assert_true(hwirq_is_active(c, 0, 17));
    assert_true(hwirq_is_pending(c, 0, 16) && !hwirq_is_active(c, 0, 16));
    assert_int_equal(hwirq_active_count(c, 0), 1);
    hwirq_ret ret = hwirq_return(c, 0);
    assert_int_equal(ret.kind, HWIRQ_RET_TAIL_CHAIN);
    assert_int_equal(ret.line, 16);                 /* 16 before 18: same priority, lower number */
    ret = hwirq_return(c, 0);
    assert_int_equal(ret.line, 18);
    assert_int_equal(hwirq_return(c, 0).kind, HWIRQ_RET_THREAD);
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* ---- sources ----------------------------------------------------------------- */

/* Period 1 us, phase 250 ns: raises at 250,000 + k * 1,000,000 ps.  Run to
 * 3.3 us: k = 0..3, i.e. 250,000; 1,250,000; 2,250,000; 3,250,000. */
static void test_periodic_source(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GIC, 2, 64, 8, 0);
    r.auto_ack = r.auto_end = true;
    GError *err = NULL;
    hwirq_source *p = hwirq_source_periodic(c, 1, 27, SIM_US, 250 * SIM_NS, &err);
    assert_non_null(p);
    run_to(s, 3300 * SIM_NS);
    ASSERT_ACKS(&r, { 1, 27, 250000 }, { 1, 27, 1250000 }, { 1, 27, 2250000 }, { 1, 27, 3250000 });
    hwirq_source_stats st = hwirq_source_get_stats(p);
    assert_int_equal(st.raised, 4);
    assert_int_equal(st.coalesced, 0);
    assert_true(st.next == 4250000);

    /* Created later, at 3.3 us, with phase 0 and period 1 us: the first
     * raise is the first k * 1 us at or after now, 4,000,000 ps.  On an SPI
     * (line 40) targeting core 0. */
    r.nack = 0;
    hwirq_source *q = hwirq_source_periodic(c, 0, 40, SIM_US, 0, &err);
    assert_non_null(q);
    assert_true(hwirq_source_get_stats(q).next == 4000000);
    hwirq_source_stop(p);                           /* p stops: no raise at 4.25 us */
    run_to(s, 5 * SIM_US);
    ASSERT_ACKS(&r, { 0, 40, 4000000 }, { 0, 40, 5000000 });
    assert_true(hwirq_source_get_stats(p).next == SIM_TIME_MAX);
    hwirq_source_stop(p);                           /* idempotent */
    assert_true(hwirq_verify(c));

    /* Nobody takes the interrupt: the first raise pends it, the rest are
     * lost into it (coalesced), which a trace would show as overruns. */
    r.auto_ack = false;
    hwirq_source_stop(q);
    hwirq_source *u = hwirq_source_periodic(c, 0, 41, 100 * SIM_NS, 5 * SIM_US + 1, &err);
    run_to(s, 6 * SIM_US);
    /* Raises at 5,000,001 + k * 100,000 <= 6,000,000: k = 0..9, ten raises. */
    st = hwirq_source_get_stats(u);
    assert_int_equal(st.raised, 1);
    assert_int_equal(st.coalesced, 9);
    hwirq_free(c);
    sim_free(s);
}

/* An explicit list raises at each time; equal times raise once then merge. */
static void test_list_source(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_NVIC, 1, 48, 3, 0);
    r.auto_ack = r.auto_end = true;
    static const sim_time_t times[] = { 100, 100, 5000, 7000 };
    GError *err = NULL;
    hwirq_source *l = hwirq_source_list(c, 0, 33, times, G_N_ELEMENTS(times), &err);
    assert_non_null(l);
    run_to(s, 10000);
    /* The two raises at 100 ps both happen before the core is told (the
     * signal runs after all raises of a picosecond), so the second merges. */
    ASSERT_ACKS(&r, { 0, 33, 100 }, { 0, 33, 5000 }, { 0, 33, 7000 });
    hwirq_source_stats st = hwirq_source_get_stats(l);
    assert_int_equal(st.raised, 3);
    assert_int_equal(st.coalesced, 1);
    assert_true(st.next == SIM_TIME_MAX);

    /* Mistakes are configuration errors naming the entry. */
    static const sim_time_t bad[] = { 20000, 30000, 25000 };
    assert_null(hwirq_source_list(c, 0, 33, bad, 3, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, "times[2]"));
    g_clear_error(&err);
    static const sim_time_t past[] = { 10 };
    assert_null(hwirq_source_list(c, 0, 33, past, 1, &err));
    assert_non_null(strstr(err->message, "times[0]"));
    g_clear_error(&err);
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* Record the first n arrival times of a sporadic source. */
static void sporadic_times(uint64_t seed, const char *stream, hwirq_extra_dist dist,
                           sim_time_t *out, int n, bool with_other)
{
    sim *s = new_sim(seed);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_LAPIC, 1, 256, 0, 0);
    r.auto_ack = r.auto_end = r.quiet = true;
    GError *err = NULL;
    if (with_other)   /* another consumer of randomness must not perturb this one */
        assert_non_null(hwirq_source_sporadic(c, 0, 0x30, 0, 1000, dist, 5000, "irq.other", &err));
    assert_non_null(hwirq_source_sporadic(c, 0, 0x40, 0, 10 * SIM_NS, dist, 20 * SIM_NS, stream, &err));
    int got = 0;
    while (got < n) {
        sim_run(s, SIM_TIME_MAX, 1);
        for (int i = 0; i < r.nack; i++)
            if (r.acks[i].line == 0x40 && got < n)
                out[got++] = r.acks[i].at;
        r.nack = 0;
    }
    hwirq_free(c);
    sim_free(s);
}

/* Seeded sporadic arrivals: identical for the same seed and stream (and
 * unaffected by other streams), different for another seed.  Every gap is
 * at least min_gap (10,000 ps).  Uniform extras are integers 0..20,000 ps,
 * so gaps lie in [10,000, 30,000] and average 10,000 + 10,000 = 20,000 ps.
 * Exponential extras have mean 20,000 ps (less half a picosecond for the
 * rounding down), so gaps average about 30,000 ps.  Over 2,000 gaps both
 * means land within 10% (standard errors: 20,000 / sqrt(12 * 2,000), about
 * 0.6%, and 20,000 / sqrt(2,000), about 2.2% of 30,000's extra part). */
static void test_sporadic_seeded(void **state)
{
    (void)state;
    enum { N = 2000 };
    static sim_time_t a[N], b[N], d[N], e[N];
    for (int dist = 0; dist < 2; dist++) {
        sporadic_times(42, "irq.uart0", dist, a, N, false);
        sporadic_times(42, "irq.uart0", dist, b, N, true);
        sporadic_times(43, "irq.uart0", dist, d, N, false);
        sporadic_times(42, "irq.uart1", dist, e, N, false);
        assert_memory_equal(a, b, sizeof a);
        assert_memory_not_equal(a, d, sizeof a);
        assert_memory_not_equal(a, e, sizeof a);
        sim_time_t sum = 0;
        for (int i = 1; i < N; i++) {
            sim_time_t gap = a[i] - a[i - 1];
            assert_true(gap >= 10 * SIM_NS);
            if (dist == HWIRQ_EXTRA_UNIFORM)
                assert_true(gap <= 30 * SIM_NS);
            sum += gap;
        }
        double mean = (double)sum / (N - 1);
        double want = dist == HWIRQ_EXTRA_UNIFORM ? 20000.0 : 30000.0;
        if (!(mean > 0.9 * want && mean < 1.1 * want))
            fail_msg("%s: mean gap %.1f ps, expected %.0f within 10%%",
                     dist == HWIRQ_EXTRA_UNIFORM ? "uniform" : "exponential", mean, want);
    }
}

/* ---- configuration errors ---------------------------------------------------- */

static void expect_config_error(hwirq_config cfg, const char *needle)
{
    sim *s = new_sim(1);
    GError *err = NULL;
    hwirq *c = hwirq_new(s, &cfg, &err);
    assert_null(c);
    assert_non_null(err);
    assert_true(g_error_matches(err, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG));
    if (strstr(err->message, needle) == NULL)
        fail_msg("error \"%s\" does not name \"%s\"", err->message, needle);
    g_error_free(err);
    sim_free(s);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_config_error((hwirq_config){ .kind = HWIRQ_GIC, .ncores = 9, .nlines = 64, .prio_bits = 8 }, "ncores: 9");
    expect_config_error((hwirq_config){ .kind = HWIRQ_GIC, .ncores = 2, .nlines = 2000, .prio_bits = 8 }, "nlines: 2000");
    expect_config_error((hwirq_config){ .kind = HWIRQ_GIC, .ncores = 2, .nlines = 64, .prio_bits = 3 }, "prio_bits: 3");
    expect_config_error((hwirq_config){ .kind = HWIRQ_NVIC, .ncores = 1, .nlines = 600, .prio_bits = 3 }, "nlines: 600");
    expect_config_error((hwirq_config){ .kind = HWIRQ_NVIC, .ncores = 1, .nlines = 48, .prio_bits = 2 }, "prio_bits: 2");
    expect_config_error((hwirq_config){ .kind = HWIRQ_LAPIC, .ncores = 0 }, "ncores: 0");
    expect_config_error((hwirq_config){ .kind = HWIRQ_LAPIC, .ncores = 1, .nlines = 100 }, "nlines: 100");

    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GIC, 2, 64, 8, 0);
    GError *err = NULL;
    assert_null(hwirq_source_periodic(c, 0, 40, 0, 0, &err));
    assert_non_null(strstr(err->message, "period"));
    g_clear_error(&err);
    assert_null(hwirq_source_periodic(c, 0, 5, SIM_US, 0, &err));   /* an SGI */
    assert_non_null(strstr(err->message, "line: 5"));
    g_clear_error(&err);
    assert_null(hwirq_source_periodic(c, 3, 40, SIM_US, 0, &err));
    assert_non_null(strstr(err->message, "core: 3"));
    g_clear_error(&err);
    assert_null(hwirq_source_sporadic(c, 0, 40, 0, SIM_US, HWIRQ_EXTRA_UNIFORM, 0, "", &err));
    assert_non_null(strstr(err->message, "stream"));
    g_clear_error(&err);
    assert_null(hwirq_source_periodic(c, 0, 64, SIM_US, 0, &err));
    assert_non_null(strstr(err->message, "line: 64"));
    g_clear_error(&err);
    hwirq_free(c);
    sim_free(s);
}

/* ---- misuse is an assertion ------------------------------------------------------ */

static void misuse_return_on_gic(void)
{
    sim *s = new_sim(1);
    hwirq_config cfg = { .kind = HWIRQ_GIC, .ncores = 1, .nlines = 64, .prio_bits = 8 };
    hwirq *c = hwirq_new(s, &cfg, NULL);
    (void)hwirq_return(c, 0);
}

static void misuse_core_out_of_range(void)
{
    sim *s = new_sim(1);
    hwirq_config cfg = { .kind = HWIRQ_LAPIC, .ncores = 2 };
    hwirq *c = hwirq_new(s, &cfg, NULL);
    (void)hwirq_raise(c, 2, 0x40);
}

static void test_misuse_asserts(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(tu_run_child(misuse_return_on_gic, buf, sizeof buf), "killed by Aborted");
    assert_string_equal(tu_run_child(misuse_core_out_of_range, buf, sizeof buf), "killed by Aborted");
}

/* ---- fuzz: invariants after every step ------------------------------------------- */

static void fuzz_one(hwirq_kind kind, uint64_t seed)
{
    sim *s = new_sim(seed);
    rec r;
    unsigned ncores = kind == HWIRQ_NVIC ? 2 : 4;
    unsigned nlines = kind == HWIRQ_LAPIC ? 256 : kind == HWIRQ_GIC ? 96 : 48;
    hwirq *c = new_ctl(&r, s, kind, ncores, nlines, kind == HWIRQ_NVIC ? 3 : 5, 700);
    r.quiet = true;
    simrng g;
    simrng_init(&g, seed, "fuzz");
    hwirq_source *srcs[4];
    int nsrc = 0;
    for (int step = 0; step < 4000; step++) {
        unsigned core = (unsigned)simrng_below(&g, ncores);
        unsigned line = (unsigned)simrng_below(&g, nlines);
        switch (simrng_below(&g, 14)) {
        case 0: case 1: case 2:
            (void)hwirq_raise(c, core, line);
            break;
        case 3: case 4: {
            unsigned l = hwirq_ack(c, core, NULL);
            if (l != HWIRQ_NONE && kind == HWIRQ_NVIC && simrng_below(&g, 4) == 0)
                (void)hwirq_late_arrival(c, core);
            break;
        }
        case 5: case 6:
            if (kind == HWIRQ_NVIC) {
                (void)hwirq_return(c, core);
            } else {
                /* GIC: usually the right line, sometimes a wrong one. */
                unsigned l = line;
                if (kind == HWIRQ_GIC && simrng_below(&g, 4) != 0)
                    for (unsigned x = 0; x < nlines; x++)
                        if (hwirq_is_active(c, core, x) && hwirq_priority(c, core, x) <= hwirq_running_priority(c, core))
                            l = x;
                (void)hwirq_eoi(c, core, l);
            }
            break;
        case 7:
            (void)hwirq_set_priority(c, core, line, (unsigned)simrng_below(&g, 256));
            break;
        case 8:
            hwirq_set_threshold(c, core, (unsigned)simrng_below(&g, 256));
            break;
        case 9:
            hwirq_set_masked(c, core, simrng_below(&g, 3) == 0);
            if (kind == HWIRQ_NVIC)
                (void)hwirq_set_faultmask(c, core, simrng_below(&g, 8) == 0);
            break;
        case 10:
            (void)hwirq_set_enabled(c, core, line, simrng_below(&g, 4) != 0);
            if (kind == HWIRQ_GIC && line >= 32)
                (void)hwirq_set_target(c, line, (unsigned)simrng_below(&g, ncores));
            break;
        case 11: {
            unsigned sgi = kind == HWIRQ_GIC ? line % 16 : kind == HWIRQ_NVIC ? 16 + line % 32 : line;
            (void)hwirq_ipi(c, core, (hwirq_dest)simrng_below(&g, 4), (unsigned)simrng_below(&g, ncores), sgi);
            break;
        }
        case 12:
            if (nsrc < 4) {
                unsigned dl = kind == HWIRQ_LAPIC ? 16 + line % 240 : kind == HWIRQ_GIC ? 16 + line % 80 : 16 + line % 32;
                GError *err = NULL;
                srcs[nsrc] = hwirq_source_sporadic(c, core, dl, sim_now(s), 300, HWIRQ_EXTRA_EXPONENTIAL, 2000,
                                                   nsrc % 2 ? "fuzz.a" : "fuzz.b", &err);
                assert_non_null(srcs[nsrc]);
                nsrc++;
            } else {
                hwirq_source_stop(srcs[simrng_below(&g, 4)]);
            }
            break;
        case 13:
            (void)hwirq_set_binary_point(c, core, (unsigned)simrng_below(&g, 8));
            break;
        }
        if (simrng_below(&g, 3) == 0)
            sim_run(s, sim_now(s) + simrng_below(&g, 1500), 0);
        if (!hwirq_verify(c))
            fail_msg("%s fuzz seed %" PRIu64 ": invariant broken at step %d", hwirq_kind_name(kind), seed, step);
    }
    hwirq_free(c);
    sim_free(s);
}

static void test_fuzz_invariants(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        fuzz_one(HWIRQ_LAPIC, seed);
        fuzz_one(HWIRQ_GIC, seed);
        fuzz_one(HWIRQ_NVIC, seed);
    }
}

/* Two controllers in two simulations, interleaved: no shared state. */
static void test_side_by_side(void **state)
{
    (void)state;
    sim *s1 = new_sim(5), *s2 = new_sim(5);
    rec r1, r2;
    hwirq *c1 = new_ctl(&r1, s1, HWIRQ_GIC, 2, 64, 8, 1000);
    hwirq *c2 = new_ctl(&r2, s2, HWIRQ_GIC, 2, 64, 8, 3000);
    hwirq_ipi(c1, 0, HWIRQ_DEST_CORE, 1, 2);
    hwirq_ipi(c2, 0, HWIRQ_DEST_CORE, 1, 2);
    run_to(s1, 10000);
    run_to(s2, 10000);
    ASSERT_SIGS(&r1, { 1, 2, 1000 });
    ASSERT_SIGS(&r2, { 1, 2, 3000 });
    hwirq_free(c1);
    hwirq_free(c2);
    sim_free(s1);
    sim_free(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lapic_ipi_latency),
        cmocka_unit_test(test_lapic_classes_and_tpr),
        cmocka_unit_test(test_same_ps_order_is_fixed),
        cmocka_unit_test(test_gic_pmr_running_priority),
        cmocka_unit_test(test_gic_sgi_targets),
        cmocka_unit_test(test_nvic_preemption),
        cmocka_unit_test(test_nvic_basepri_primask),
        cmocka_unit_test(test_nvic_tail_chain_equal_time),
        cmocka_unit_test(test_nvic_late_arrival),
        cmocka_unit_test(test_periodic_source),
        cmocka_unit_test(test_list_source),
        cmocka_unit_test(test_sporadic_seeded),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_misuse_asserts),
        cmocka_unit_test(test_fuzz_invariants),
        cmocka_unit_test(test_side_by_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
