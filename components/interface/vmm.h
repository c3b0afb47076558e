/* components/interface/vmm.h: the VMM's interface (µCVM, Pan et al., RTAS
 * 2018): what a virtual machine's guest may ask of the VMM, and how the
 * VMM lays a VM out on an MPU machine.
 *
 * A VM is a component of its own (capability table, MPU layout, memory)
 * that the VMM builds; its guest OS runs on one cossim thread of the VM,
 * its vCPU.  The VMM is implementation/vmm/ucvm (docs/components.md).
 *
 * MPU regions (an ARMv7-M MPU has 8 on the STM32F767): the kernel takes
 * none (it runs privileged with the default memory map as background,
 * PRIVDEFENA), and of a VM's regions two are kept for what is not its
 * read-write SRAM: its code, executed in place from flash (read-only,
 * executable: cossim runs component code on the host and checks no fetch,
 * but the hardware needs that region), and the memory it may share with
 * the VMM's I/O manager or another VM (the paper's sharing setups; none is
 * shared yet).  The rest hold the VM's data (layout.h). */
#pragma once

#include "components/lib/cos.h"

#define VMM_RESERVED_REGIONS 2u     /* the VM's code in flash, and one shared region */

/* Hypercalls: synchronous invocations of the VMM through the sinv the VMM
 * gave each VM (thread migration into the VMM, an MPU switch each way),
 * only where the guest must ask.
 *   VMM_HC_PENDING  the virtual lines that came since the last ask (bit l:
 *                   line l; 0 is the tick), cleared: what a guest reads
 *                   after its vCPU's receive returned, to know which of
 *                   its interrupts to run. */
enum { VMM_HC_PENDING = 0 };

static inline cos_word vmm_hc_pending(cos_capid hypercall)
{
    cos_ret r = cos_sinv(hypercall, VMM_HC_PENDING, 0, 0, 0);
    return r.err ? 0 : r.r[0];
}
