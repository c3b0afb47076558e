/* tests/test_irq_nvic.c: unit tests of the ARMv7-M NVIC
 * (model/irq_nvic.c): preemption by group priority, BASEPRI, PRIMASK and
 * FAULTMASK, exception return with tail-chaining, late arrival.
 *
 * What a user would notice if these broke: an exception taken through
 * BASEPRI (the lab where students raise it and watch a device go quiet),
 * or a tail-chain reported as a full return (the Cortex-M interrupt-latency
 * figures).  Every expected figure is worked out in the comment above it;
 * the recorder core is in irq_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "irq_fixture.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nvic_preemption),
        cmocka_unit_test(test_nvic_basepri_primask),
        cmocka_unit_test(test_nvic_tail_chain_equal_time),
        cmocka_unit_test(test_nvic_late_arrival),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
