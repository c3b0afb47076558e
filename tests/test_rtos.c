/* tests/test_rtos.c: the FreeRTOS-like RTOS of compare/rtos (suite: unit).
 *
 * The core (compare/rtos/core.c) on a plain buffer, each outcome worked by
 * hand: the priority bitmap picks the highest ready task, a queue of two
 * blocks its third sender until a receive, a delayed task wakes at its tick.
 * Then whole systems on the stm32f767 preset (compare/rtos/rtos.c): a
 * receive with a 5-tick timeout fails at the fifth SysTick, the MPU
 * variant loads exactly the incoming task's regions and charges four
 * region writes per switch, a task that touches memory outside its regions
 * faults and only it stops, and the round-trip switch costs what the parts
 * add up to by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "sim/sim.h"
#include "sim/trace.h"
#include "model/hw.h"
#include "model/machine.h"
#include "rtcore/core.h"
#include "compare/rtos/port.h"
#include "compare/rtos/rtos.h"

/* ---- the core on a buffer ---------------------------------------------------------- */

#define K 0x100u
#define TCB(i) (0x400u + (i) * 0x80u)
#define Q 0x1000u
#define STORE 0x1100u
#define BUF 0x1200u

typedef struct {
    unsigned char *ram;
    rtc_kernel *k;
} core_fixture;

static core_fixture core_new(void)
{
    core_fixture f;
    f.ram = g_malloc0(0x2000);
    f.k = (rtc_kernel *)(void *)(f.ram + K);
    rtc_init(f.k, K);
    return f;
}

static uint32_t prio_of(const core_fixture *f, uint32_t tcb)
{
    return ((const rtc_tcb *)(const void *)(f->ram + tcb))->prio;
}

/* Idle (0) and tasks of priorities 1, 2, 3: ready_bits 0b1111, so the
 * top priority is 31 - clz(15) = 3 and the priority-3 task runs.  When it
 * waits 2 ticks, bit 3 clears (0b0111): the priority-2 task runs; at the
 * second tick it is back (bit 3 set again) and the tick asks for a switch,
 * since it outranks the running priority-2 task. */
static void test_bitmap_picks_highest(void **state)
{
    (void)state;
    core_fixture f = core_new();
    rtc_kernel *k = f.k;
    for (uint32_t i = 0; i < 4; i++)
        rtc_task_init(k, TCB(i), i, i, 0x1800u, 0x100u);
    assert_int_equal(k->ready_bits, 0xF);
    rtc_switch_context(k);
    assert_int_equal(k->cur, TCB(3));
    assert_int_equal(rtc_delay(k, 2), RTC_SWITCH);
    assert_int_equal(k->ready_bits, 0x7);
    rtc_switch_context(k);
    assert_int_equal(k->cur, TCB(2));
    assert_int_equal(rtc_tick(k), 0);           /* tick 1: nothing due */
    assert_int_equal(rtc_tick(k), RTC_SWITCH);  /* tick 2: the priority-3 task is due */
    assert_int_equal(k->ready_bits, 0xF);
    rtc_switch_context(k);
    assert_int_equal(prio_of(&f, k->cur), 3);
    g_free(f.ram);
}

/* A queue of length 2 and 4-byte items: a sender (priority 2) puts two in,
 * and the third send blocks it (RTC_BLOCKED_NOW, a switch asked for).  The
 * receiver (priority 1) then takes the first item (the first one sent),
 * which wakes the sender and, as it outranks the receiver, asks for a
 * switch; the sender's call again (FreeRTOS's retry) puts its item in. */
static void test_queue_blocks_third_sender(void **state)
{
    (void)state;
    core_fixture f = core_new();
    rtc_kernel *k = f.k;
    rtc_task_init(k, TCB(0), 0, 0, 0x1800u, 0x100u);
    rtc_task_init(k, TCB(1), 1, 1, 0x1800u, 0x100u);    /* receiver */
    rtc_task_init(k, TCB(2), 2, 2, 0x1900u, 0x100u);    /* sender */
    rtc_queue_init(k, Q, STORE, 2, 4);
    rtc_switch_context(k);
    assert_int_equal(k->cur, TCB(2));
    uint32_t *item = (uint32_t *)(void *)(f.ram + BUF);
    for (uint32_t i = 1; i <= 2; i++) {
        *item = 100 + i;
        assert_int_equal(rtc_queue_send(k, Q, BUF, RTC_FOREVER), RTC_OK);
    }
    *item = 103;
    assert_int_equal(rtc_queue_send(k, Q, BUF, RTC_FOREVER), RTC_BLOCKED_NOW | RTC_SWITCH);
    rtc_switch_context(k);
    assert_int_equal(k->cur, TCB(1));
    assert_int_equal(rtc_queue_recv(k, Q, BUF + 4, RTC_FOREVER), RTC_OK | RTC_SWITCH);
    assert_int_equal(*(uint32_t *)(void *)(f.ram + BUF + 4), 101);
    rtc_switch_context(k);
    assert_int_equal(k->cur, TCB(2));
    assert_int_equal(rtc_queue_send(k, Q, BUF, RTC_FOREVER), RTC_OK);
    const rtc_queue *q = (const rtc_queue *)(const void *)(f.ram + Q);
    assert_int_equal(q->count, 2);
    assert_int_equal(q->senders.n, 0);
    g_free(f.ram);
}

/* ---- whole systems ------------------------------------------------------------------- */

typedef struct {
    sim *s;
    hw *h;
    rt_sys *r;
} sys_fixture;

static sys_fixture sys_new(const char *preset, bool mpu)
{
    sys_fixture f;
    g_autofree char *dir = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", NULL);
    g_setenv("COSSIM_PRESETS", dir, TRUE);
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load(preset, &cfg, &err))
        fail_msg("%s: %s", preset, err->message);
    f.s = sim_new(1, simtr_open(NULL, NULL));
    f.h = hw_new(f.s, &cfg, NULL, NULL, &err);
    if (f.h == NULL)
        fail_msg("%s", err->message);
    rt_config rc = { .mpu = mpu };
    f.r = rt_new(f.s, f.h, &rc, &err);
    if (f.r == NULL)
        fail_msg("%s", err->message);
    return f;
}

static void sys_free(sys_fixture *f)
{
    assert_true(rt_check(f->r));
    rt_free(f->r);
    hw_free(f->h);
    sim_free(f->s);
}

#define OP(k, a, t, b) { RT_OP_##k, (a), (t), (b) }

static int task(sys_fixture *f, unsigned prio, const rt_op *ops, unsigned n, uint32_t data)
{
    rt_task_config c = { .prio = prio, .ops = ops, .nops = n };
    if (data)
        c.region[0] = (rt_region){ data, 8, true };
    GError *err = NULL;
    int id = rt_task(f->r, &c, &err);
    if (id < 0)
        fail_msg("%s", err->message);
    return id;
}

/* A receive with a timeout of 5 ticks on an empty queue, made at tick 0
 * (time 0): SysTick at 1000 Hz fires at 1, 2, ... ms; the task's wait
 * ends at tick 5, so the call fails (RTC_TIMED_OUT) at 5 ms plus the
 * SysTick and switch paths (well under 10 us), and not before. */
static void test_timeout_at_tick(void **state)
{
    (void)state;
    sys_fixture f = sys_new("stm32f767", false);
    GError *err = NULL;
    int q = rt_queue(f.r, 1, 4, &err);
    assert_int_equal(q, 0);
    static const rt_op ops[] = { OP(RECV, 0, 5, 0), OP(MARK, 0, 0, 0), OP(END, 0, 0, 0) };
    int t = task(&f, 2, ops, G_N_ELEMENTS(ops), 0);
    rt_start(f.r);
    sim_run(f.s, 4999 * SIM_US, 0);
    unsigned n;
    rt_marks(f.r, (unsigned)t, 0, &n);
    assert_int_equal(n, 0);
    assert_string_equal(rt_task_state(f.r, (unsigned)t), "blocked");
    sim_run(f.s, 6 * SIM_S / 1000, 0);
    const sim_time_t *m = rt_marks(f.r, (unsigned)t, 0, &n);
    assert_int_equal(n, 1);
    assert_true(m[0] >= 5 * SIM_S / 1000 && m[0] < 5 * SIM_S / 1000 + 10 * SIM_US);
    assert_int_equal(rt_last_result(f.r, (unsigned)t), RTC_TIMED_OUT);
    assert_int_equal(rt_tick(f.r), 6);
    assert_string_equal(rt_task_state(f.r, (unsigned)t), "suspended");
    sys_free(&f);
}

/* With the MPU: two tasks of one priority yield to each other.  After
 * every switch the core's MPU regions 4..7 are the running task's own
 * layout (its stack, its data region, two off), and each switch charged
 * FreeRTOS-MPU's four region writes: writes = 4 x switches.  Each yield
 * is an SVC (tail-chained into PendSV). */
static void test_mpu_loads_incoming_regions(void **state)
{
    (void)state;
    sys_fixture f = sys_new("stm32f767", true);
    static const rt_op ops[] = { OP(COMPUTE, 0, 0, 100), OP(YIELD, 0, 0, 0), OP(JUMP, 0, 0, 0) };
    int a = task(&f, 2, ops, G_N_ELEMENTS(ops), 0x60000);
    int b = task(&f, 2, ops, G_N_ELEMENTS(ops), 0x60100);
    rt_start(f.r);
    for (unsigned step = 0; step < 50; step++) {
        sim_run(f.s, sim_now(f.s) + 3 * SIM_US, 0);
        int cur = rt_current(f.r);
        assert_true(cur == a || cur == b);
        const hwmpu *want = rt_task_layout(f.r, (unsigned)cur), *got = &f.h->core[0].mpu;
        assert_int_equal(hwmpu_regions_changed(want, got), 0);
        assert_true(want->r[RTP_FIRST_TASK_REGION].enabled && want->r[RTP_FIRST_TASK_REGION + 1].enabled);
    }
    const rt_stats *st = rt_get_stats(f.r);
    assert_true(st->switches > 20);
    assert_int_equal(st->mpu_writes, RTP_TASK_REGIONS * st->switches);
    assert_true(st->syscalls >= st->switches - 1);
    sys_free(&f);
}

/* A task that reads memory of another task's data region faults
 * (MemManage): it is stopped ("faulted"), and the other task goes on
 * marking.  Without the MPU the same read is allowed. */
static void test_fault_stops_only_the_faulting_task(void **state)
{
    (void)state;
    for (int mpu = 0; mpu < 2; mpu++) {
        sys_fixture f = sys_new("stm32f767", mpu);
        static const rt_op good[] = { OP(TOUCH, 16, 1, 0x60000), OP(MARK, 0, 0, 0), OP(DELAY, 1, 0, 0),
                                      OP(JUMP, 0, 0, 0) };
        static const rt_op bad[] = { OP(DELAY, 2, 0, 0), OP(TOUCH, 16, 0, 0x60000), OP(MARK, 0, 0, 0),
                                     OP(END, 0, 0, 0) };
        int g = task(&f, 2, good, G_N_ELEMENTS(good), 0x60000);
        int b = task(&f, 3, bad, G_N_ELEMENTS(bad), 0x60100);
        rt_start(f.r);
        sim_run(f.s, 10 * SIM_S / 1000, 0);
        unsigned ng, nb;
        rt_marks(f.r, (unsigned)g, 0, &ng);
        rt_marks(f.r, (unsigned)b, 0, &nb);
        assert_true(ng >= 9);     /* once a tick for 10 ms */
        if (mpu) {
            assert_string_equal(rt_task_state(f.r, (unsigned)b), "faulted");
            assert_int_equal(nb, 0);
            assert_int_equal(rt_get_stats(f.r)->faults, 1);
        } else {
            assert_string_equal(rt_task_state(f.r, (unsigned)b), "suspended");
            assert_int_equal(nb, 1);
        }
        assert_string_not_equal(rt_task_state(f.r, (unsigned)g), "faulted");
        sys_free(&f);
    }
}

/* The round-trip switch on the stm32f767, warm, by hand: each of the two
 * switches is taskYIELD's listing (5 instructions), PendSV's entry (12,
 * the preset's irq_entry), its listing (22 instructions, the two 8-register
 * LDM/STM and the 2-register PUSH/POP counted per register: 22 + 7 + 7 + 1
 * + 1 = 38), the core's vTaskSwitchContext (41, counts.h), and the return
 * (10, irq_exit): 5 + 12 + 38 + 41 + 10 = 106 at cpi 1.0.  Every object
 * touched hits in the warm D-cache (no stall).  The code fetches hit the
 * I-cache at one slot a line: taskYIELD's 20 bytes 1 line, PendSV's 88
 * bytes 3 lines, vTaskSwitchContext's 120 bytes 4 lines (each step starts
 * on a 32-byte line): 8.  2 x (106 + 8) = 228. */
static void test_switch_by_hand(void **state)
{
    (void)state;
    sys_fixture f = sys_new("stm32f767", false);
    static const rt_op pa[] = { OP(MARK, 0, 0, 0), OP(YIELD, 0, 0, 0), OP(MARK, 1, 0, 0), OP(JUMP, 0, 0, 0) };
    static const rt_op pb[] = { OP(YIELD, 0, 0, 0), OP(JUMP, 0, 0, 0) };
    int a = task(&f, 2, pa, G_N_ELEMENTS(pa), 0);
    task(&f, 2, pb, G_N_ELEMENTS(pb), 0);
    assert_int_equal(rtp_port_count(RT_P_PENDSV), 38);
    rt_start(f.r);
    sim_run(f.s, 200 * SIM_US, 0);
    unsigned n0, n1;
    const sim_time_t *m0 = rt_marks(f.r, (unsigned)a, 0, &n0), *m1 = rt_marks(f.r, (unsigned)a, 1, &n1);
    assert_true(n1 > 50);
    for (unsigned i = 20; i < 50; i++) {
        uint64_t cycles = (uint64_t)((m1[i] - m0[i]) * 216 + SIM_US / 2) / SIM_US;
        assert_int_equal(cycles, 228);
    }
    sys_free(&f);
}

/* Many tasks on random programs (a fixed LCG: the same every run) of
 * sends, receives and takes with and without timeouts, gives, delays,
 * yields and computes, two queues and a semaphore an interrupt gives:
 * after every millisecond of 50 the core's invariants hold (rt_check: the
 * bitmap and the lists agree, the delayed list in tick order, no ready
 * task on an event list).  Five raises of the line, two of them a
 * picosecond apart (the second may merge into the first: 4 or 5 taken). */
static void test_random_programs_keep_invariants(void **state)
{
    (void)state;
    for (int mpu = 0; mpu < 2; mpu++) {
        sys_fixture f = sys_new("stm32f767", mpu);
        GError *err = NULL;
        assert_int_equal(rt_queue(f.r, 3, 8, &err), 0);
        assert_int_equal(rt_queue(f.r, 1, 4, &err), 1);
        assert_int_equal(rt_queue(f.r, 1, 0, &err), 2);
        assert_true(rt_isr(f.r, 22, 2, &err));
        uint32_t x = 12345u + (uint32_t)mpu;
        for (unsigned t = 0; t < 6; t++) {
            rt_op ops[12];
            for (unsigned i = 0; i < 11; i++) {
                x = x * 1103515245u + 12345u;
                unsigned k = (x >> 16) % 8, q = (x >> 8) % 2;
                uint32_t to = (x >> 4) % 3 == 0 ? RT_FOREVER : (x >> 4) % 3;
                rt_op o[] = { OP(SEND, q, to, 0), OP(RECV, q, to, 0), OP(TAKE, 2, to, 0), OP(GIVE, 2, 0, 0),
                              OP(DELAY, (x >> 12) % 3, 0, 0), OP(YIELD, 0, 0, 0), OP(COMPUTE, 0, 0, 500 + (x >> 20) % 5000),
                              OP(MARK, 0, 0, 0) };
                ops[i] = o[k];
            }
            ops[11] = (rt_op)OP(JUMP, 0, 0, 0);
            task(&f, 1 + t % 3, ops, 12, 0x60000u + 256u * t);
        }
        static const sim_time_t times[] = { 100 * SIM_US, 3 * SIM_S / 1000, 7 * SIM_S / 1000, 7 * SIM_S / 1000 + 1,
                                            20 * SIM_S / 1000 };
        assert_non_null(hwirq_source_list(f.h->irq, 0, 22, times, G_N_ELEMENTS(times), &err));
        rt_start(f.r);
        for (unsigned ms = 1; ms <= 50; ms++) {
            sim_run(f.s, ms * SIM_S / 1000, 0);
            assert_true(rt_check(f.r));
        }
        const rt_stats *st = rt_get_stats(f.r);
        assert_true(st->switches > 10);
        assert_true(st->ticks >= 49);
        assert_int_equal(st->faults, 0);
        assert_true(st->interrupts >= 4 && st->interrupts <= 5);
        sys_free(&f);
    }
}

/* Not a Cortex-M: refused, naming the machine. */
static void test_refuses_other_machines(void **state)
{
    (void)state;
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load("cortex-a9", &cfg, &err))
        fail_msg("%s", err->message);
    sim *s = sim_new(1, simtr_open(NULL, NULL));
    hw *h = hw_new(s, &cfg, NULL, NULL, &err);
    rt_config rc = { 0 };
    assert_null(rt_new(s, h, &rc, &err));
    assert_non_null(strstr(err->message, "Cortex-M"));
    g_error_free(err);
    hw_free(h);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bitmap_picks_highest),
        cmocka_unit_test(test_queue_blocks_third_sender),
        cmocka_unit_test(test_timeout_at_tick),
        cmocka_unit_test(test_mpu_loads_incoming_regions),
        cmocka_unit_test(test_fault_stops_only_the_faulting_task),
        cmocka_unit_test(test_switch_by_hand),
        cmocka_unit_test(test_random_programs_keep_invariants),
        cmocka_unit_test(test_refuses_other_machines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
