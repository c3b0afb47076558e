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

#include <stdint.h>
#include "components/implementation/vmm/ucvm/guest.h"

enum { VMM_FIT = 1 };

#define VMM_VM_PRIO 2u          /* a VM's tcap priority under the VMM (the VMM's threads at 1: higher) */

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
