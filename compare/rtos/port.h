/* compare/rtos/port.h: the RTOS's port layer on the machine model (FreeRTOS's
 * port.c): what the core's work costs on a Cortex-M, and the hardware it
 * drives (the NVIC's PendSV, SVCall and SysTick, the MPU's regions).
 *
 * The core (core.h) never calls the port; the system (rtos.c) calls both:
 * the core for what changes, the port for what it costs and what the
 * hardware does.  A paravirtualised port (a VMM's hypercalls in place of
 * PendSV, SVC and MPU writes) would replace this file and rtos.c's few
 * calls to it.
 *
 * A path's cost is charged as cossim's kernel charges its own (kernel/path.c):
 * instructions x the preset's cpi, the text's fetch through the I-cache (none
 * on the cacheless presets, whose cpi holds the fetch), every object touched
 * through the D-cache (an L1 hit is inside cpi; the stall beyond it is
 * charged), and the preset's exception entry, exit and tail-chain cycles.
 * Core paths take their counts from counts.h (the core compiled and counted);
 * port paths from the listings in port.c (hand counts of this port's own
 * assembly: provisional, docs/compare.md).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "model/hw.h"
#include "rtcore/core.h"

/* The port's own paths (port.c's listings). */
typedef enum {
    RT_P_CALL,          /* an API call's call site and its result check */
    RT_P_CRIT,          /* enter and leave a critical section (BASEPRI) */
    RT_P_YIELD,         /* portYIELD in Thread mode: set PENDSVSET */
    RT_P_PENDSV,        /* PendSV: save, vTaskSwitchContext's call, restore */
    RT_P_PENDSV_MPU,    /* the same with CONTROL and the task's MPU regions */
    RT_P_MPU_WRAP,      /* FreeRTOS-MPU's MPU_ wrapper: raise privilege, call, reset */
    RT_P_SVC,           /* SVCall handler: raise privilege */
    RT_P_SVC_YIELD,     /* SVCall handler: yield (set PENDSVSET) */
    RT_P_ISR,           /* a device ISR around xSemaphoreGiveFromISR */
    RT_P_SYSTICK,       /* SysTick handler around the tick */
    RT_P_FAULT,         /* MemManage handler: stop the faulting task */
    RT_P_STEPS
} rt_port_step;

/* NVIC exception numbers the port uses (DDI 0403E B1.5.2). */
#define RTP_MEMMANAGE 4u
#define RTP_SVCALL 11u
#define RTP_PENDSV 14u
#define RTP_SYSTICK 15u
/* The task regions FreeRTOS-MPU rewrites on every switch: the stack and
 * three data regions (portNUM_CONFIGURABLE_REGIONS = 3), in MPU regions
 * 4..7; 0..3 stay as set at start. */
#define RTP_TASK_REGIONS 4u
#define RTP_FIRST_TASK_REGION 4u

typedef struct rtp {
    hw *h;
    uint32_t text;                      /* the port's and core's code, in RAM */
    uint32_t core_off[RT_C_STEPS], port_off[RT_P_STEPS];
    uint32_t text_bytes;
    /* the path being charged */
    sim_time_t now;
    uint64_t cycles;
    /* over the run */
    uint64_t kernel_cycles;
    uint64_t mpu_writes;                /* task regions written at switches */
} rtp;

/* The code's bytes, to lay out in RAM at `text` (rtp_init). */
uint32_t rtp_text_bytes(void);
/* false (error set) unless h is a Cortex-M machine with an NVIC and an MPU. */
bool rtp_init(rtp *p, hw *h, uint32_t text, GError **error);
/* The instructions of a path (tests, docs). */
unsigned rtp_core_count(rt_core_step s);
unsigned rtp_port_count(rt_port_step s);

/* A path starts at `now`; its cycles add up until rtp_end, which returns
 * them (accounted as kernel time on core 0). */
void rtp_begin(rtp *p, sim_time_t now);
void rtp_core(rtp *p, rt_core_step s, unsigned times);
void rtp_port(rtp *p, rt_port_step s);
void rtp_arch(rtp *p, uint64_t cycles);
void rtp_touch(rtp *p, uint32_t addr, uint32_t len, bool write);
uint64_t rtp_end(rtp *p);

/* Pend an exception (PendSV, SVCall) or clear one. */
void rtp_pend(rtp *p, unsigned line);
/* Take the best deliverable exception: its entry cost charged; the line,
 * or HWIRQ_NONE. */
unsigned rtp_enter(rtp *p);
/* Return from `line`: the next line when the NVIC tail-chains (its cost
 * charged), or HWIRQ_NONE after charging the exit (the entry's kind's). */
unsigned rtp_return(rtp *p, unsigned line);
/* Load a task's regions into the MPU (a copy of the core's MPU with its
 * regions 4..7 set), charging RTP_TASK_REGIONS region writes as FreeRTOS-MPU
 * makes them every switch (the model's mpu_region_write each). */
void rtp_mpu_load(rtp *p, const hwmpu *layout);
/* NVIC priorities as FreeRTOS sets them: PendSV and SysTick lowest,
 * `device` lines at `device_prio`. */
void rtp_priorities(rtp *p, const unsigned *device, unsigned n, unsigned device_prio);
