/* components/implementation/vmm/ucvm/port.h: the guest RTOS's
 * paravirtual port: what the native port (compare/rtos/port.c) does with
 * privileged hardware, done at user level inside the VM or asked of the
 * VMM, and what it costs.
 *
 * - A context switch is a user-level switch inside the VM: the outgoing
 *   task's callee-saved registers and return address pushed on its own
 *   stack, its stack pointer stored in its TCB, the core's
 *   rtc_switch_context, the incoming task's registers popped: no PendSV,
 *   no exception entry or return.
 * - The interrupt mask (the native BASEPRI) is a flag word in the VM's
 *   memory (vmg_pv.virq_masked) that the guest stores to; a virtual
 *   interrupt that finds it set stays pending.
 * - The idle task's wait for an interrupt (the native WFI) is a receive on
 *   the vCPU's endpoint, where the VMM's interrupt threads send.
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
    VMP_SWITCH,         /* the user-level context switch around rtc_switch_context */
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
