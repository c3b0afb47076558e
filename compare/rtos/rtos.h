/* compare/rtos/rtos.h: a FreeRTOS-like RTOS running on a Cortex-M machine of
 * the model: one address space, tasks with their own stacks, a priority-
 * preemptive scheduler, queues and binary semaphores, SysTick ticks, and
 * optionally FreeRTOS-MPU's protection (tasks unprivileged, API calls
 * through SVC, each task's regions loaded at every switch).
 *
 * The system (this file) runs tasks' programs on the machine's one core:
 * a program is a list of operations (compute, yield, send, receive, give,
 * take, delay, touch memory, mark the time, jump), the RTOS's work between
 * them is charged through the port (port.h) and done by the core (core.h).
 * Kernel paths are not preemptible: an interrupt that arrives during one
 * is taken when it ends; one that arrives during a task's compute or touch
 * preempts it, and the rest of the work waits for the task.
 *
 * Memory (the machine's SRAM, from RT_BASE): the code, the kernel block,
 * the TCBs, the queues and their storage, then the stacks, each aligned to
 * its size (an MPU region).  Layer: compare/ sits at the kernel's level; it
 * includes sim/ and model/ only.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim.h"
#include "model/hw.h"

typedef enum {
    RT_OP_COMPUTE,      /* b cycles of the task's own work */
    RT_OP_YIELD,        /* taskYIELD */
    RT_OP_SEND,         /* xQueueSend(queue a, an item from the task's buffer, timeout t ticks) */
    RT_OP_RECV,         /* xQueueReceive(queue a, into the task's buffer, timeout t) */
    RT_OP_GIVE,         /* xSemaphoreGive(semaphore a) */
    RT_OP_TAKE,         /* xSemaphoreTake(semaphore a, timeout t) */
    RT_OP_DELAY,        /* vTaskDelay(a ticks) */
    RT_OP_TOUCH,        /* a bytes at address b: read, or written when t is 1 */
    RT_OP_MARK,         /* note the time under slot a (costs nothing: a cycle-counter read) */
    RT_OP_FLUSH,        /* write back and drop every cache line (untimed: a cold start) */
    RT_OP_JUMP,         /* go on at operation a */
    RT_OP_END,          /* the task ends (suspends itself) */
} rt_op_kind;

#define RT_FOREVER 0xFFFFFFFFu      /* a timeout that never expires (portMAX_DELAY) */

typedef struct rt_op {
    rt_op_kind kind;
    uint32_t a;
    uint32_t t;
    uint64_t b;
} rt_op;

#define RT_MAX_TASKS 16u
#define RT_MAX_QUEUES 16u
#define RT_MAX_ISRS 8u
#define RT_DATA_REGIONS 3u

typedef struct rt_region {
    uint32_t base;
    unsigned log2;      /* 2^log2 bytes, aligned to that */
    bool write;
} rt_region;

typedef struct rt_task_config {
    unsigned prio;      /* 1 .. 7 (0 is the idle task's) */
    const rt_op *ops;   /* copied */
    unsigned nops;
    rt_region region[RT_DATA_REGIONS];     /* with the MPU: its data regions (log2 0: none) */
} rt_task_config;

typedef struct rt_config {
    bool mpu;                   /* FreeRTOS-MPU: tasks unprivileged, regions per task */
    unsigned tick_hz;           /* SysTick rate (0: 1000, configTICK_RATE_HZ) */
    unsigned stack_bytes;       /* per task, a power of two (0: 1024) */
    unsigned item_max;          /* largest queue item, bytes (0: 64) */
} rt_config;

typedef struct rt_sys rt_sys;

typedef struct rt_stats {
    uint64_t switches, ticks, interrupts, syscalls, faults, mpu_writes;
    uint64_t kernel_cycles, user_cycles;
} rt_stats;

/* The RTOS on machine h (one with no kernel on it: it takes the machine's
 * interrupt signals); NULL with the error set when h is not a Cortex-M
 * machine or memory is too small. */
rt_sys *rt_new(sim *s, hw *h, const rt_config *cfg, GError **error);
/* Give the machine back (its signals, timer and pending exceptions) and free. */
void rt_free(rt_sys *r);
/* A task, a queue (item_size 0 and length 1: a binary semaphore), an ISR
 * that gives semaphore `sem` when device line `line` (an NVIC exception
 * number, 16 and up) is raised.  Before rt_start; -1 with the error set
 * on a bad argument. */
int rt_task(rt_sys *r, const rt_task_config *t, GError **error);
int rt_queue(rt_sys *r, unsigned length, unsigned item_size, GError **error);
bool rt_isr(rt_sys *r, unsigned line, unsigned sem, GError **error);
/* Start the scheduler now: the highest-priority task runs, SysTick ticks. */
void rt_start(rt_sys *r);

/* Inspection. */
const rt_stats *rt_get_stats(const rt_sys *r);
/* "ready", "blocked", "suspended", "faulted" (a task stopped by its fault) */
const char *rt_task_state(const rt_sys *r, unsigned task);
/* The times task `task` marked under `slot`, in order; *n their count. */
const sim_time_t *rt_marks(const rt_sys *r, unsigned task, unsigned slot, unsigned *n);
/* The result of the task's last queue or semaphore operation (core.h's rtc_result). */
unsigned rt_last_result(const rt_sys *r, unsigned task);
/* The kernel's tick count; the task running (-1: none yet). */
uint32_t rt_tick(const rt_sys *r);
int rt_current(const rt_sys *r);
hw *rt_hw(const rt_sys *r);
/* The MPU layout the system made for a task (tests compare the core's). */
const hwmpu *rt_task_layout(const rt_sys *r, unsigned task);
/* The core's invariants (core.h) hold. */
bool rt_check(const rt_sys *r);
