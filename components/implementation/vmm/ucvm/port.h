/* components/implementation/vmm/ucvm/port.h: the guest RTOS's
 * paravirtual port: what the native port (compare/rtos/port.c) does with
 * privileged hardware, done at user level inside the VM or asked of the
 * VMM, and what it costs.
 *
 * - A context switch is the kernel's thread dispatch (µCVM §IV-A:
 *   "thread dispatch in FreeRTOS maps directly to Composite dispatch"):
 *   where the native port pends PendSV, the paravirtual port runs the
 *   core's rtc_switch_context with the guest's interrupts masked, then
 *   calls cos_switch (COS_OP_THD_SWITCH) on the incoming task's thread
 *   capability in the VM's table, with the VM's tcap.  The kernel saves
 *   and loads the registers (its dispatch path); the threads are of one
 *   component, so the kernel reprograms no MPU region for it.
 * - The interrupt mask (the native BASEPRI) is a flag word in the VM's
 *   memory (vmg_pv.virq_masked) that the guest stores to; a virtual
 *   interrupt that finds it set stays pending.
 * - The idle task's wait for an interrupt (the native WFI) is a receive on
 *   the vCPU's endpoint, where the VMM's interrupt threads send: the idle
 *   task's thread is the vCPU, which holds the endpoint.  When the VMM
 *   dispatches the VM while a task is running, the vCPU takes what came
 *   (a non-blocking receive) and dispatches the running task again.
 * - A fault (a touch outside the VM) stops the task that made it, as the
 *   native MemManage handler does, and the VM goes on.
 *
 * Costs: the core's paths are rtcore/counts.h's counted instructions; the
 * port's own are the listings of port.c, hand counts of this layer's code
 * written as Thumb-2 (provisional: no compiler counted them), each
 * multi-register load or store counted a cycle per register as the native
 * port's are; the memory it touches goes through the kernel's MPU and the
 * caches (cos_touch). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "rtcore/core.h"

typedef enum {
    VMP_CALL,           /* an API call's call site and its result check (as the native port's) */
    VMP_CRIT,           /* enter and leave a critical section: the mask word set, cleared, pending checked */
    VMP_SWITCH,         /* the switch's own part: mask, rtc_switch_context's call, unmask */
    VMP_DISPATCH,       /* the dispatch's call site: the running task's thread slot, cos_switch */
    VMP_VIRQ,           /* a virtual interrupt's entry: mask checked, the line's semaphore given from "ISR" */
    VMP_IDLE,           /* the idle task's wait: the receive's call site and the loop */
    VMP_FAULT,          /* a task's fault: suspend it, count it, switch */
    VMP_STEPS
} vmp_step;

/* Instructions of a port step (port.c's listing). */
unsigned vmp_count(vmp_step s);
/* Charge a port step, or `times` runs of a core path (counts.h). */
void vmp_port(vmp_step s);
void vmp_core(rt_core_step s, unsigned times);
