/* compare/rtos/fast/harness.c: the states the RTOS's paths are counted in.
 *
 * Built by scripts/rtos-counts.py, freestanding for Thumb-2 together with
 * compare/rtos/core.c, and for the host by tests/test_rtos_fast.c, which
 * checks that each state gives the outcome its count is named for (the
 * simulator never links it).  Each rth_*
 * function builds one state in the emulator's data area (at RTH_K, the
 * kernel block, and the objects after it) and leaves the arguments of the
 * path to count in rth_arg[]; the script then calls the path itself with
 * them and counts what it executes, from its first instruction to its
 * return.  The states are the benchmarks' (compare/rtos/rtos.c): two tasks
 * of one priority, a receiver of higher priority waiting on a queue of
 * 4-byte items, a handler task waiting on a semaphore.
 */
#include "rtcore/core.h"

#define RTH_K 0x100000u
#define TCB(i) (RTH_K + 0x400u + (i) * 0x100u)
#define QUEUE(i) (RTH_K + 0x1000u + (i) * 0x100u)
#define STORAGE (RTH_K + 0x2000u)
#define BUF (RTH_K + 0x3000u)
#define STACK(i) (RTH_K + 0x8000u + (i) * 0x400u)

uint32_t rth_arg[4];
/* the states (the script calls them by name; tests/test_rtos_fast.c too) */
void rth_pair(void), rth_tick(void), rth_tick_wake(void), rth_send(void), rth_send8(void), rth_send_wake(void),
    rth_send_block(void), rth_recv(void), rth_recv8(void), rth_recv_wake(void), rth_recv_empty(void),
    rth_recv_block(void), rth_give_isr(void), rth_give(void), rth_give_wake(void), rth_take(void),
    rth_take_block(void), rth_delay(void), rth_suspend(void);

#ifdef RTC_HOSTED
/* the emulator's memory, from address 0 (tests only) */
unsigned char *rth_ram;
#define KERN ((rtc_kernel *)(void *)(rth_ram + RTH_K))
#else
#define KERN ((rtc_kernel *)(uintptr_t)RTH_K)
#endif

static rtc_kernel *kern(void)
{
    return KERN;
}

/* idle (0) and n tasks at the given priorities; task `run` current */
static void tasks(const uint32_t *prio, uint32_t n, uint32_t run)
{
    rtc_kernel *k = kern();
    rtc_init(k, RTH_K);
    rtc_task_init(k, TCB(0), 0, 0, STACK(0), 0x400);
    for (uint32_t i = 0; i < n; i++)
        rtc_task_init(k, TCB(i + 1), prio[i], i + 1, STACK(i + 1), 0x400);
    k->cur = TCB(run);
    rth_arg[0] = RTH_K;
}

/* two tasks of priority 2, the first running (the switch benchmark) */
void rth_pair(void)
{
    static const uint32_t p[] = { 2, 2 };
    tasks(p, 2, 1);
    /* as after the first selection: the runner at the back of its list */
    rtc_switch_context(kern());
}

void rth_tick(void)
{
    static const uint32_t p[] = { 2 };
    tasks(p, 1, 1);
}

/* task 1 (priority 1) runs; task 2 (priority 2) waits until the next tick */
void rth_tick_wake(void)
{
    static const uint32_t p[] = { 1, 2 };
    tasks(p, 2, 2);
    rtc_delay(kern(), 1);
    kern()->cur = TCB(1);
}

/* a queue of 4 items of `size` bytes; a receiver (task 2, priority 2)
 * waiting when `waiting`; the sender (task 1, priority 1) current */
static void queue(uint32_t size, uint32_t waiting, uint32_t items)
{
    static const uint32_t p[] = { 1, 2 };
    rtc_kernel *k = kern();
    tasks(p, 2, 2);
    rtc_queue_init(k, QUEUE(0), STORAGE, 4, size);
    if (waiting)
        rtc_queue_recv(k, QUEUE(0), BUF + 0x100, RTC_FOREVER);
    k->cur = TCB(1);
    for (uint32_t i = 0; i < items; i++)
        rtc_queue_send(k, QUEUE(0), BUF, 0);
    rth_arg[1] = QUEUE(0);
    rth_arg[2] = BUF;
    rth_arg[3] = 0;
}

void rth_send(void) { queue(4, 0, 0); }
void rth_send8(void) { queue(8, 0, 0); }
void rth_send_wake(void) { queue(4, 1, 0); }

/* the queue full; the sender will block */
void rth_send_block(void)
{
    queue(4, 0, 4);
    rth_arg[3] = RTC_FOREVER;
}

/* the receiver (task 2) current, one item in the queue */
void rth_recv(void)
{
    queue(4, 0, 1);
    kern()->cur = TCB(2);
    rth_arg[2] = BUF + 0x100;
}

void rth_recv8(void)
{
    queue(8, 0, 1);
    kern()->cur = TCB(2);
    rth_arg[2] = BUF + 0x100;
}

/* the queue full and task 1 (priority 1) waiting to send; task 2 receives */
void rth_recv_wake(void)
{
    queue(4, 0, 4);
    rtc_queue_send(kern(), QUEUE(0), BUF, RTC_FOREVER);
    kern()->cur = TCB(2);
    rth_arg[2] = BUF + 0x100;
}

/* the queue empty, no wait: the receive fails at once */
void rth_recv_empty(void)
{
    queue(4, 0, 0);
    kern()->cur = TCB(2);
    rth_arg[2] = BUF + 0x100;
}

/* the queue empty; the receiver (task 2) will block */
void rth_recv_block(void)
{
    queue(4, 0, 0);
    kern()->cur = TCB(2);
    rth_arg[2] = BUF + 0x100;
    rth_arg[3] = RTC_FOREVER;
}

/* a binary semaphore (length 1, no items); the handler task (task 2,
 * priority 3) waiting on it when `waiting`; task 1 runs */
static void sem(uint32_t waiting, uint32_t count)
{
    static const uint32_t p[] = { 1, 3 };
    rtc_kernel *k = kern();
    tasks(p, 2, 2);
    rtc_queue_init(k, QUEUE(1), 0, 1, 0);
    if (waiting)
        rtc_queue_recv(k, QUEUE(1), 0, RTC_FOREVER);
    k->cur = TCB(1);
    for (uint32_t i = 0; i < count; i++)
        rtc_queue_send_isr(k, QUEUE(1), 0);
    rth_arg[1] = QUEUE(1);
    rth_arg[2] = 0;
    rth_arg[3] = RTC_FOREVER;
}

void rth_give_isr(void) { sem(1, 0); }

/* a task gives the semaphore: nobody waiting, or the handler waiting */
void rth_give(void)
{
    sem(0, 0);
    rth_arg[3] = 0;
}

void rth_give_wake(void)
{
    sem(1, 0);
    rth_arg[3] = 0;
}

/* the handler task current, the semaphore given */
void rth_take(void)
{
    sem(0, 1);
    kern()->cur = TCB(2);
}

void rth_take_block(void)
{
    sem(0, 0);
    kern()->cur = TCB(2);
}

void rth_delay(void)
{
    static const uint32_t p[] = { 2 };
    tasks(p, 1, 1);
    rth_arg[1] = 5;
}

void rth_suspend(void)
{
    static const uint32_t p[] = { 2 };
    tasks(p, 1, 1);
    rth_arg[1] = TCB(1);
}
