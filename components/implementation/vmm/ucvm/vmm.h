/* components/implementation/vmm/ucvm/vmm.h: the µCVM VMM's boot argument
 * (kernel.boot{ booter = "vmm", arg = ... }, as compose/vm.c builds it)
 * and what it reports.
 *
 * arg bits:  0..3   mode (VMM_FIT)
 *            4..11  tasks per guest besides the idle task
 *           12..16  log2 of each task's stack (0: VMG_STACK_DEFAULT)
 *           17..22  queues per guest
 *           23      the MPU has 16 regions (else 8: an ARMv7-M MPU has one or the other)
 *           24..43  the application's heap, bytes
 *           44..51  the most VMs to make (0: until memory runs out)
 *           52..63  the queues' storage, bytes
 *
 * VMM_FIT: the VMM makes VMs of that guest, one after another, until the
 * memory runs out (or the most), each with its vCPU run once through the
 * guest's set-up, and reports (cos_report): vmm.vms (VMs made and
 * booted), vmm.x and vmm.y (a VM's laid-out and asked-for bytes),
 * vmm.regions (a VM's data regions), vmm.pages (kernel memory pages the
 * booter was given), vmm.pages_vmm (pages taken before the first VM: the
 * VMM's component, its objects, the loader's), vmm.pages_vm (pages one
 * VM takes: its memory, its kernel objects and any alignment gap before
 * its memory; the first VM's), vmm.pages_left (unused after the last
 * whole VM), and
 * boot.done. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "components/implementation/vmm/ucvm/guest.h"

enum { VMM_FIT = 1, VMM_BENCH = 2 };

/* VMM_BENCH's argument: bits 0..3 VMM_BENCH, 4..7 VM 0's application
 * (guest.h's vmg_app), 8 VM 1 is a rogue (VMG_APP_ROGUE, writing into VM
 * 0's memory) rather than idle, 9..16 the device line whose interrupts the
 * VMM's interrupt thread sends to VM 0 (0: none), 17 the guests' tick:
 * interrupts on VMM_TICK_LINE go to every VM as virtual line 0, 23 as
 * above.
 *
 * The VMM makes two VMs (the paper measured with two loaded), VM 0 at
 * tcap priority VMM_VM_PRIO and VM 1 below it, and an interrupt thread of
 * its own at VMM_IRQ_PRIO, above both, bound to the line; then it
 * schedules the vCPUs, VM 0 first, from the kernel's events.  Each
 * interrupt thread sets the line's bit in the VM's pending word (the
 * VMM's memory) before its send; the guest asks for the word with a
 * hypercall (interface/vmm.h).  The guests
 * mark with cos_report (vm.m0, vm.m1: value the VM's number), and a fault
 * is reported as vm.fault. */
static inline uint64_t vmm_bench_arg(unsigned app, bool rogue, unsigned line, bool tick, unsigned mpu_regions)
{
    return (uint64_t)VMM_BENCH | ((uint64_t)(app & 0xFu) << 4) | ((uint64_t)rogue << 8)
         | ((uint64_t)(line & 0xFFu) << 9) | ((uint64_t)tick << 17) | ((uint64_t)(mpu_regions == 16) << 23);
}

#define VMM_TICK_LINE 41u       /* the guests' tick: a timer's line (the paper used the board's TIM3) */
#define VMM_IRQ_PRIO 1u         /* the VMM's interrupt thread's tcap priority (1: the highest) */
#define VMM_VM_PRIO 2u          /* VM 0's tcap priority; VM i's is VMM_VM_PRIO + i */

static inline uint64_t vmm_arg(unsigned mode, const vmg_spec *s, unsigned max_vms, unsigned mpu_regions)
{
    unsigned sl = 0;
    if (s->stack_bytes)
        while ((1u << sl) < s->stack_bytes)
            sl++;
    return (uint64_t)(mode & 0xFu) | ((uint64_t)(s->tasks & 0xFFu) << 4) | ((uint64_t)(sl & 0x1Fu) << 12)
         | ((uint64_t)(s->queues & 0x3Fu) << 17) | ((uint64_t)(mpu_regions == 16) << 23) | ((s->heap_bytes & 0xFFFFFu) << 24)
         | ((uint64_t)(max_vms & 0xFFu) << 44) | ((uint64_t)(s->queue_bytes & 0xFFFu) << 52);
}

static inline vmg_spec vmm_spec_of(uint64_t arg, unsigned *mode, unsigned *max_vms, unsigned *mpu_regions)
{
    *mpu_regions = (arg >> 23) & 1u ? 16 : 8;
    unsigned sl = (unsigned)(arg >> 12) & 0x1Fu;
    *mode = (unsigned)arg & 0xFu;
    *max_vms = (unsigned)(arg >> 44) & 0xFFu;
    return (vmg_spec){ .tasks = (unsigned)(arg >> 4) & 0xFFu, .stack_bytes = sl ? 1u << sl : 0,
                       .queues = (unsigned)(arg >> 17) & 0x3Fu, .heap_bytes = (arg >> 24) & 0xFFFFFu,
                       .queue_bytes = (uint32_t)(arg >> 52) & 0xFFFu };
}
