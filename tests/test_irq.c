/* tests/test_irq.c: unit tests of the generic half of the interrupt
 * controllers (model/irq.c): IPIs in flight, the same-picosecond rule,
 * configuration errors, misuse, and every invariant after every step of a
 * random run on each controller.  Each controller's own rules are tested
 * in test_irq_lapic.c, test_irq_gic.c and test_irq_nvic.c, device sources
 * in test_irq_source.c; the recorder core is in irq_fixture.h.
 *
 * What a user would notice if these broke: an IPI that lands at the wrong
 * picosecond (every cross-core IPC figure shifts), interrupts that arrive
 * together taken in an order that depends on how they were scheduled (two
 * runs of one scenario that differ), or a controller that a bad preset
 * brings up instead of refusing.  Every expected figure is worked out in
 * the comment above it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "irq_fixture.h"

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
        cmocka_unit_test(test_same_ps_order_is_fixed),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_misuse_asserts),
        cmocka_unit_test(test_fuzz_invariants),
        cmocka_unit_test(test_side_by_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
