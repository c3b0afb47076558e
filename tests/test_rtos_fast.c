/* tests/test_rtos_fast.c: the states compare/rtos/counts.h was counted in
 * give the outcomes the counts are named for (suite: unit).
 *
 * scripts/rtos-counts.py builds each state with compare/rtos/fast/harness.c
 * and counts one core path in it; the simulator (compare/rtos/rtos.c)
 * charges that count whenever the path has that outcome.  Built here for
 * the host, the same harness and the same core (the simulator's own code)
 * must give that outcome: a count named "send waking a receiver" must have
 * been taken where the send woke one.  The expected outcomes are read off
 * each state's description in harness.c, not computed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "rtcore/core.h"

#define RTH_K 0x100000u
#define TCB(i) (RTH_K + 0x400u + (i) * 0x100u)
#define QUEUE(i) (RTH_K + 0x1000u + (i) * 0x100u)
#define RAM_BYTES 0x110000u

extern unsigned char *rth_ram;
extern uint32_t rth_arg[4];
void rth_pair(void), rth_tick(void), rth_tick_wake(void), rth_send(void), rth_send8(void), rth_send_wake(void),
    rth_send_block(void), rth_recv(void), rth_recv8(void), rth_recv_wake(void), rth_recv_empty(void),
    rth_recv_block(void), rth_give_isr(void), rth_give(void), rth_give_wake(void), rth_take(void),
    rth_take_block(void), rth_delay(void), rth_suspend(void);

static rtc_kernel *state(void (*build)(void))
{
    memset(rth_ram, 0, RAM_BYTES);
    build();
    assert_int_equal(rth_arg[0], RTH_K);
    return (rtc_kernel *)(void *)(rth_ram + RTH_K);
}

static const rtc_queue *queue(uint32_t i)
{
    return (const rtc_queue *)(const void *)(rth_ram + QUEUE(i));
}

static const rtc_tcb *tcb(uint32_t i)
{
    return (const rtc_tcb *)(const void *)(rth_ram + TCB(i));
}

static void test_scheduler_states(void **st)
{
    (void)st;
    /* switch: two tasks of priority 2, task 1 running: task 2 is chosen */
    rtc_kernel *k = state(rth_pair);
    assert_int_equal(k->cur, TCB(1));
    rtc_switch_context(k);
    assert_int_equal(k->cur, TCB(2));
    /* yield: another task of the caller's priority is ready */
    k = state(rth_pair);
    assert_int_equal(rtc_yield(k), RTC_SWITCH);
    /* tick: nothing due, no switch */
    k = state(rth_tick);
    assert_int_equal(rtc_tick(k), 0);
    assert_int_equal(k->delayed.n, 0);
    /* tick waking a delayed task that outranks the current one */
    k = state(rth_tick_wake);
    assert_int_equal(k->delayed.n, 1);
    assert_int_equal(rtc_tick(k), RTC_SWITCH);
    assert_int_equal(k->delayed.n, 0);
    assert_int_equal(tcb(2)->woke, RTC_WOKE_TIMEOUT);
    /* delay: the caller leaves the ready lists for the delayed list */
    k = state(rth_delay);
    assert_int_equal(rtc_delay(k, rth_arg[1]), RTC_SWITCH);
    assert_int_equal(k->delayed.n, 1);
    assert_int_equal(tcb(1)->state_node.key, 5);
    /* suspend the running task */
    k = state(rth_suspend);
    assert_int_equal(rtc_suspend(k, rth_arg[1]), RTC_SWITCH);
    assert_int_equal(tcb(1)->state, RTC_SUSPENDED);
}

static void test_queue_states(void **st)
{
    (void)st;
    rtc_kernel *k;
    /* send: room, nobody waiting; 4- and 8-byte items alike */
    void (*plain[])(void) = { rth_send, rth_send8 };
    for (int i = 0; i < 2; i++) {
        k = state(plain[i]);
        assert_int_equal(queue(0)->receivers.n, 0);
        assert_int_equal(rtc_queue_send(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_OK);
        assert_int_equal(queue(0)->count, 1);
    }
    /* send waking the higher-priority receiver */
    k = state(rth_send_wake);
    assert_int_equal(queue(0)->receivers.n, 1);
    assert_int_equal(rtc_queue_send(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_OK | RTC_SWITCH);
    assert_int_equal(queue(0)->receivers.n, 0);
    /* send to a full queue: the sender blocks */
    k = state(rth_send_block);
    assert_int_equal(queue(0)->count, 4);
    assert_int_equal(rtc_queue_send(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_BLOCKED_NOW | RTC_SWITCH);
    /* receive: an item, no sender waiting */
    void (*recv[])(void) = { rth_recv, rth_recv8 };
    for (int i = 0; i < 2; i++) {
        k = state(recv[i]);
        assert_int_equal(rtc_queue_recv(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_OK);
        assert_int_equal(queue(0)->count, 0);
    }
    /* receive from a full queue waking the waiting sender (priority 1,
     * below the receiver: no switch) */
    k = state(rth_recv_wake);
    assert_int_equal(queue(0)->senders.n, 1);
    assert_int_equal(rtc_queue_recv(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_OK);
    assert_int_equal(queue(0)->senders.n, 0);
    assert_int_equal(tcb(1)->state, RTC_READY);
    /* receive from an empty queue, no wait; and the one that blocks */
    k = state(rth_recv_empty);
    assert_int_equal(rtc_queue_recv(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_EMPTY);
    k = state(rth_recv_block);
    assert_int_equal(rtc_queue_recv(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_BLOCKED_NOW | RTC_SWITCH);
}

static void test_semaphore_states(void **st)
{
    (void)st;
    /* give from an ISR waking the priority-3 taker over the priority-1 task */
    rtc_kernel *k = state(rth_give_isr);
    assert_int_equal(queue(1)->receivers.n, 1);
    assert_int_equal(rtc_queue_send_isr(k, rth_arg[1], rth_arg[2]), RTC_OK | RTC_SWITCH);
    /* a task gives with nobody waiting; and waking the taker */
    k = state(rth_give);
    assert_int_equal(rtc_queue_send(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_OK);
    k = state(rth_give_wake);
    assert_int_equal(rtc_queue_send(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_OK | RTC_SWITCH);
    /* take a given semaphore; take an empty one (blocks) */
    k = state(rth_take);
    assert_int_equal(queue(1)->count, 1);
    assert_int_equal(rtc_queue_recv(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_OK);
    k = state(rth_take_block);
    assert_int_equal(rtc_queue_recv(k, rth_arg[1], rth_arg[2], rth_arg[3]), RTC_BLOCKED_NOW | RTC_SWITCH);
}

int main(void)
{
    rth_ram = g_malloc0(RAM_BYTES);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheduler_states),
        cmocka_unit_test(test_queue_states),
        cmocka_unit_test(test_semaphore_states),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    g_free(rth_ram);
    return r;
}
