/* tests/test_irq_gicv3.c: unit tests of the GICv3 with affinity routing
 * (model/irq_gic.c, hwirq_gicv3_ops): more than 8 cores, SGIs by target
 * list and affinity, SGIs without senders, PPIs per Redistributor, SPIs
 * routed to one core by affinity.
 *
 * What a user would notice if these broke: an IPI on a 64-core ARM
 * machine taken by the wrong core, or lost.  Every expected figure is
 * worked out in the comment above it; the recorder core is in
 * irq_fixture.h.  The IPI latency here is 500 ns = 500,000 ps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "irq_fixture.h"

#define LAT (500 * SIM_NS)

/* Nothing pending on any core but `only` (HWIRQ_NONE: none at all). */
static void only_pending_on(hwirq *c, unsigned only, unsigned line)
{
    for (unsigned k = 0; k < hwirq_ncores(c); k++)
        if (k != only && hwirq_is_pending(c, k, line))
            fail_msg("line %u pending on core %u", line, k);
}

/* Core 0 sends SGI 1 to core 37 (hwirq_ipi with one target: ICC_SGI1R_EL1
 * with Aff1 = 37 / 16 = 2, TargetList = 1 << (37 % 16) = 1 << 5).  It
 * lands at 0 + 500,000 ps on core 37 and nowhere else; core 37 takes it,
 * with no sender (ICC_IAR1_EL1 has none), and ends it. */
static void test_sgi_to_core_37(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GICV3, 64, 96, 8, LAT);
    assert_int_equal(hwirq_affinity(37), 2 << 8 | 5);
    assert_int_equal(hwirq_ipi(c, 0, HWIRQ_DEST_CORE, 37, 1), HWIRQ_OK);
    run_to(s, LAT - 1);
    assert_int_equal(r.nsig, 0);
    only_pending_on(c, HWIRQ_NONE, 1);
    run_to(s, LAT);
    ASSERT_SIGS(&r, { 37, 1, 500000 });
    only_pending_on(c, 37, 1);
    for (unsigned k = 0; k < 64; k++)
        assert_int_equal(hwirq_pending(c, k), k == 37 ? 1u : HWIRQ_NONE);
    unsigned src = 99;
    assert_int_equal(hwirq_ack(c, 37, &src), 1);
    assert_int_equal(src, HWIRQ_NONE);
    assert_int_equal(hwirq_eoi(c, 37, 1), HWIRQ_OK);
    assert_false(hwirq_is_pending(c, 37, 1));
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* ICC_SGI1R_EL1 with a target list: core 5 sends SGI 3 to Aff1 = 2 with
 * TargetList 0x8021 (Aff0 0, 5, 15): cores 32 + 0, 32 + 5, 32 + 15 = 32,
 * 37, 47, at 500,000 ps, in core order.  Aff1 = 3 with all 16 bits: cores
 * 48-63, at 1,000,000 + 500,000.  Aff1 = 4 names no core on a 64-core
 * machine: nothing.  A GICv2 has no such register. */
static void test_target_list(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GICV3, 64, 96, 8, LAT);
    assert_int_equal(hwirq_ipi_targets(c, 5, 2, 0x8021, 3), HWIRQ_OK);
    assert_int_equal(hwirq_ipi_targets(c, 5, 2, 0x8021, 16), HWIRQ_BAD_LINE);   /* INTID is 4 bits */
    run_to(s, LAT);
    ASSERT_SIGS(&r, { 32, 3, 500000 }, { 37, 3, 500000 }, { 47, 3, 500000 });
    for (unsigned k = 0; k < 64; k++)
        assert_int_equal(hwirq_is_pending(c, k, 3), k == 32 || k == 37 || k == 47);
    run_to(s, 1000 * SIM_NS);
    r.nsig = 0;
    assert_int_equal(hwirq_ipi_targets(c, 5, 3, 0xFFFF, 4), HWIRQ_OK);
    assert_int_equal(hwirq_ipi_targets(c, 5, 4, 0xFFFF, 4), HWIRQ_OK);
    run_to(s, 2000 * SIM_NS);
    assert_int_equal(r.nsig, 16);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(r.sigs[i].core, 48 + i);
        assert_true(r.sigs[i].at == 1500 * SIM_NS);
    }
    assert_true(hwirq_verify(c));
    hwirq_free(c);

    rec r2;
    hwirq *v2 = new_ctl(&r2, s, HWIRQ_GIC, 8, 96, 8, LAT);
    assert_int_equal(hwirq_ipi_targets(v2, 0, 0, 1, 3), HWIRQ_UNSUPPORTED);
    hwirq_free(v2);
    sim_free(s);
}

/* No sender is kept: cores 3 and 9 both send SGI 2 to core 20 at 0; both
 * land at 500,000 ps and make one pending SGI (the second merges); core 20
 * takes it once (a GICv2 would give it twice, once per sender:
 * test_irq_gic.c).  Every core but 63 (IRM = 1 from core 63): 63 signals
 * of SGI 6 at 1,500,000 ps, none on core 63. */
static void test_sgi_merge_and_broadcast(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GICV3, 64, 96, 8, LAT);
    assert_int_equal(hwirq_ipi(c, 3, HWIRQ_DEST_CORE, 20, 2), HWIRQ_OK);
    assert_int_equal(hwirq_ipi(c, 9, HWIRQ_DEST_CORE, 20, 2), HWIRQ_OK);
    run_to(s, LAT);
    ASSERT_SIGS(&r, { 20, 2, 500000 });
    assert_int_equal(hwirq_ack(c, 20, NULL), 2);
    assert_int_equal(hwirq_eoi(c, 20, 2), HWIRQ_OK);
    assert_int_equal(hwirq_pending(c, 20), HWIRQ_NONE);
    assert_false(hwirq_is_pending(c, 20, 2));

    run_to(s, 1000 * SIM_NS);
    r.nsig = 0;
    assert_int_equal(hwirq_ipi(c, 63, HWIRQ_DEST_ALL_BUT_SELF, 0, 6), HWIRQ_OK);
    run_to(s, 1500 * SIM_NS);
    assert_int_equal(r.nsig, 63);
    for (int i = 0; i < 63; i++)
        assert_true(r.sigs[i].core == (unsigned)i && r.sigs[i].line == 6 && r.sigs[i].at == 1500 * SIM_NS);
    assert_false(hwirq_is_pending(c, 63, 6));
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

/* PPIs live in each core's Redistributor: the generic timer's PPI 30
 * raised on core 50 is pending there only.  An SPI (40) routed by
 * affinity (GICD_IROUTER<40> = core 45) is pending at core 45; re-routed
 * to core 60 while pending, it follows.  The PMR and running priority are
 * the GICv2's: core 60 with PMR 0xA0 does not take the SPI (priority
 * 0xA0 is not below it) until the PMR is 0xFF. */
static void test_ppi_and_spi_routing(void **state)
{
    (void)state;
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GICV3, 64, 96, 8, LAT);
    assert_int_equal(hwirq_raise(c, 50, 30), HWIRQ_OK);
    only_pending_on(c, 50, 30);
    assert_true(hwirq_is_pending(c, 50, 30));
    assert_int_equal(hwirq_set_target(c, 40, 45), HWIRQ_OK);
    assert_int_equal(hwirq_raise(c, 0, 40), HWIRQ_OK);
    assert_int_equal(hwirq_pending(c, 45), 40);
    assert_int_equal(hwirq_set_target(c, 40, 60), HWIRQ_OK);
    assert_int_equal(hwirq_pending(c, 45), HWIRQ_NONE);
    hwirq_set_threshold(c, 60, 0xA0);
    assert_int_equal(hwirq_pending(c, 60), HWIRQ_NONE);
    hwirq_set_threshold(c, 60, 0xFF);
    assert_int_equal(hwirq_ack(c, 60, NULL), 40);
    assert_int_equal(hwirq_running_priority(c, 60), 0xA0);
    assert_int_equal(hwirq_eoi(c, 60, 40), HWIRQ_OK);
    assert_true(hwirq_verify(c));
    hwirq_free(c);
    sim_free(s);
}

static void expect_config_error(hwirq_kind kind, unsigned ncores, unsigned nlines, const char *says)
{
    sim *s = new_sim(1);
    hwirq_config cfg = { .kind = kind, .ncores = ncores, .nlines = nlines, .prio_bits = 8 };
    GError *err = NULL;
    assert_null(hwirq_new(s, &cfg, &err));
    if (strstr(err->message, says) == NULL)
        fail_msg("'%s' does not say '%s'", err->message, says);
    g_error_free(err);
    sim_free(s);
}

/* A GICv2 stops at 8 CPU interfaces (IHI 0048B); a GICv3 at the model's
 * HWIRQ_MAX_CORES (256). */
static void test_config(void **state)
{
    (void)state;
    expect_config_error(HWIRQ_GIC, 9, 96, "a GICv2 has at most 8 CPU interfaces");
    expect_config_error(HWIRQ_GICV3, 257, 96, "ncores: 257 is outside 1..256");
    expect_config_error(HWIRQ_GICV3, 64, 20, "nlines: 20 is outside 32..1020 for a GICv3");
    sim *s = new_sim(1);
    rec r;
    hwirq *c = new_ctl(&r, s, HWIRQ_GICV3, 256, 1020, 5, LAT);
    assert_int_equal(hwirq_ncores(c), 256);
    assert_int_equal(hwirq_ipi(c, 0, HWIRQ_DEST_CORE, 255, 0), HWIRQ_OK);
    run_to(s, LAT);
    ASSERT_SIGS(&r, { 255, 0, 500000 });
    assert_string_equal(hwirq_kind_name(hwirq_get_kind(c)), "gicv3");
    hwirq_free(c);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgi_to_core_37),
        cmocka_unit_test(test_target_list),
        cmocka_unit_test(test_sgi_merge_and_broadcast),
        cmocka_unit_test(test_ppi_and_spi_routing),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
