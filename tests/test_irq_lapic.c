/* tests/test_irq_lapic.c: unit tests of the x86 local APIC
 * (model/irq_lapic.c): priority classes, TPR, IRR/ISR and EOI.
 *
 * What a user would notice if these broke: an interrupt taken in the wrong
 * order or through a mask (response times on the x86_64 preset, and the
 * lab where students raise TPR and watch a device go quiet).  Every
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lapic_classes_and_tpr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
