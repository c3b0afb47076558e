/* tests/test_irq_gic.c: unit tests of the ARM GICv2 (model/irq_gic.c):
 * PMR and running priority, acknowledge and EOI, SGIs with their senders
 * and targets.
 *
 * What a user would notice if these broke: an interrupt taken in the wrong
 * order or through the priority mask (response times on the Cortex-A
 * presets), or a cross-core SGI reported from the wrong sender.  Every
 * expected figure is worked out in the comment above it; the recorder core
 * is in irq_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "irq_fixture.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gic_pmr_running_priority),
        cmocka_unit_test(test_gic_sgi_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
