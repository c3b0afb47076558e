/* rtcore/core.h: the FreeRTOS-like RTOS's core: task records, the
 * priority-preemptive scheduler, the delayed list, queues and semaphores.
 *
 * Its folder includes nothing (stdint only), so both layers that run it
 * may include it: compare/rtos (the native RTOS on the bare machine) and
 * components/implementation/vmm (the same core as a paravirtualised guest
 * in a VM on cossim's kernel).
 *
 * The core is portable C with no hardware in it (FreeRTOS's tasks.c and
 * queue.c, where port.c does the rest): it changes lists and says what the
 * port must do ("a switch is due"), and never touches a register, a timer
 * or the MPU.  compare/rtos/port.c is the native port layer that does (exception
 * entry and exit, PendSV, SVC, SysTick, MPU regions); a paravirtualised
 * port can replace it without changing this file (the VMM's guest,
 * components/implementation/vmm/guest, is one).
 *
 * Every object lives in the simulated SRAM, so the caches see it, and
 * refers to others by 32-bit physical address.  The same source is
 * compiled twice: into the simulator (RTC_HOSTED, the default: an address is an offset
 * from the kernel block's own, k->self) and, freestanding, for Thumb-2 by
 * scripts/rtos-counts.py, which counts the instructions each path executes
 * under an emulator (compare/rtos/counts.h).  So the code the simulator
 * runs is the code that was counted.
 *
 * Invariants (rtc_check): bit p of k->ready_bits is set exactly when
 * ready[p] is non-empty; every task is on at most one state list (a ready
 * list, the delayed list) and at most one event list (a queue's senders or
 * receivers); the delayed list is ordered by wake tick; a queue holds
 * 0..length items; a task waits on a queue only while it is not ready.
 */
#pragma once

#include <stdint.h>

#define RTC_PRIOS 8u            /* priorities 0 (idle) .. 7 (highest) */
#define RTC_FOREVER 0xFFFFFFFFu /* wait without a timeout */
#define RTC_MPU_WORDS 8u        /* a task's MPU settings: 4 regions x (RBAR, RASR) */

/* One link of a list (FreeRTOS's ListItem_t): the owner is the TCB. */
typedef struct rtc_node {
    uint32_t next, prev;        /* 0: none */
    uint32_t key;               /* delayed: wake tick; event: RTC_PRIOS - priority */
    uint32_t list;              /* the list it is on, 0 if none */
    uint32_t owner;             /* its task */
} rtc_node;

typedef struct rtc_list {
    uint32_t first, last, n;
} rtc_list;

typedef enum { RTC_READY, RTC_BLOCKED, RTC_SUSPENDED } rtc_state;
/* Why a blocked task woke (rtc_tcb.woke). */
typedef enum { RTC_WOKE_NONE, RTC_WOKE_EVENT, RTC_WOKE_TIMEOUT } rtc_woke;

typedef struct rtc_tcb {
    uint32_t sp;                /* top of the saved context (PendSV reads it first) */
    uint32_t mpu[RTC_MPU_WORDS];/* the regions PendSV writes (FreeRTOS-MPU's xMPUSettings) */
    uint32_t prio;
    uint32_t state;             /* rtc_state */
    uint32_t woke;              /* rtc_woke */
    rtc_node state_node;        /* on a ready list or the delayed list */
    rtc_node event_node;        /* on a queue's senders or receivers */
    uint32_t id;
    uint32_t stack, stack_bytes;
} rtc_tcb;

typedef struct rtc_queue {
    uint32_t storage;           /* length x item_size bytes */
    uint32_t item_size;         /* 0: a semaphore (a count only) */
    uint32_t length, count;
    uint32_t read, write;       /* item indices */
    rtc_list senders, receivers;/* waiting tasks, highest priority first */
} rtc_queue;

typedef struct rtc_kernel {
    uint32_t self;              /* this block's address */
    uint32_t cur;               /* the running task's TCB */
    uint32_t ready_bits;        /* bit p: ready[p] is not empty */
    uint32_t tick;
    rtc_list ready[RTC_PRIOS];
    rtc_list delayed;           /* by wake tick, earliest first */
} rtc_kernel;

/* What a call asks of the port: a higher-priority task is ready (or the
 * caller blocked), so pend a switch.  Queue calls return it or'ed with
 * their rtc_result (RTC_RESULT takes the result back out). */
#define RTC_SWITCH 0x100u
#define RTC_RESULT(r) ((rtc_result)((r) & 0xFFu))
/* Outcomes of queue calls. */
typedef enum {
    RTC_OK,                     /* done */
    RTC_BLOCKED_NOW,            /* the caller now waits (pend a switch; call again when it runs) */
    RTC_FULL,                   /* send, no wait: no room */
    RTC_EMPTY,                  /* receive, no wait: nothing */
    RTC_TIMED_OUT,              /* the wait ended at its tick without the event */
} rtc_result;

#ifndef RTC_FREESTANDING
#define RTC_HOSTED 1            /* in the simulator (scripts/rtos-counts.py defines RTC_FREESTANDING) */
#endif
#ifdef RTC_HOSTED
#define RTC(T, k, a) ((T *)(void *)((unsigned char *)(k) - (k)->self + (a)))
#else
#define RTC(T, k, a) ((T *)(uintptr_t)(a))
#endif

void rtc_init(rtc_kernel *k, uint32_t self);
/* A task made ready at prio; tcb and its stack lie in RAM already. */
void rtc_task_init(rtc_kernel *k, uint32_t tcb, uint32_t prio, uint32_t id, uint32_t stack, uint32_t stack_bytes);
/* vTaskSwitchContext: the first task of the highest ready priority becomes
 * current, and goes to the back of its list (round robin among equals). */
void rtc_switch_context(rtc_kernel *k);
/* taskYIELD: RTC_SWITCH when another task of the caller's priority is ready. */
uint32_t rtc_yield(rtc_kernel *k);
/* vTaskDelay(ticks): the caller waits until tick + ticks. */
uint32_t rtc_delay(rtc_kernel *k, uint32_t ticks);
/* vTaskSuspend(NULL) of a task that ends, or is stopped by a fault. */
uint32_t rtc_suspend(rtc_kernel *k, uint32_t tcb);
/* The SysTick handler: tick on, wake what is due (timeouts too);
 * RTC_SWITCH when a woken task outranks the current one, or time slicing
 * passes to another task of its priority. */
uint32_t rtc_tick(rtc_kernel *k);
void rtc_queue_init(rtc_kernel *k, uint32_t q, uint32_t storage, uint32_t length, uint32_t item_size);
/* xQueueSend(q, src, until): until is an absolute tick, 0 for no wait,
 * RTC_FOREVER for none.  Returns an rtc_result, with RTC_SWITCH when a
 * receiver of higher priority woke or the caller blocked.  A caller that
 * blocked calls again when it runs (FreeRTOS's retry loop): then it gets
 * the item, or RTC_TIMED_OUT once its wait ended at its tick. */
uint32_t rtc_queue_send(rtc_kernel *k, uint32_t q, uint32_t src, uint32_t until);
uint32_t rtc_queue_recv(rtc_kernel *k, uint32_t q, uint32_t dst, uint32_t until);
/* xQueueSendFromISR / xSemaphoreGiveFromISR: never waits; RTC_SWITCH as
 * pxHigherPriorityTaskWoken. */
uint32_t rtc_queue_send_isr(rtc_kernel *k, uint32_t q, uint32_t src);

/* The core's counted paths (rtcore/counts.h, scripts/rtos-counts.py): the
 * instructions each executes, compiled for Thumb-2, which every port that
 * runs this core (compare/rtos's native one, the VMM's paravirtual one)
 * charges for it. */
typedef enum {
    RT_C_SWITCH, RT_C_YIELD, RT_C_TICK, RT_C_TICK_WAKE,
    RT_C_SEND, RT_C_SEND_WAKE, RT_C_SEND_BLOCK,
    RT_C_RECV, RT_C_RECV_WAKE, RT_C_RECV_BLOCK, RT_C_RECV_EMPTY,
    RT_C_GIVE_ISR, RT_C_GIVE, RT_C_GIVE_WAKE, RT_C_TAKE, RT_C_TAKE_BLOCK, RT_C_DELAY, RT_C_SUSPEND,
    RT_C_SEND_WORD, RT_C_RECV_WORD,
    RT_C_STEPS
} rt_core_step;

/* The highest ready priority from the bitmap (31 - CLZ, the port-optimised
 * selection). */
static inline uint32_t rtc_top_prio(uint32_t bits)
{
    return 31u - (uint32_t)__builtin_clz(bits);
}
