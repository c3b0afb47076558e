/* components/implementation/vmm/ucvm/guest.h: a VM's guest, the
 * FreeRTOS-like RTOS of rtcore/ (the same source compare/rtos runs
 * natively) on a paravirtual port: what its memory holds and how much.
 *
 * A VM's memory, from its first byte (the order of layout.h's kinds):
 *
 *   kernel  vmg_pv (the paravirt layer's state, and what the VMM tells the
 *           guest at boot), rtc_kernel, a TCB per task (the idle task's
 *           first), an rtc_queue per queue
 *   stacks  a stack per task, stack_bytes each, the idle task's first
 *   heap    each queue's storage (length x item bytes), then the
 *           application's heap
 *
 * so a guest's demand (vmg_demand) is computed from the sizes of those
 * records, never typed: an empty guest is the kernel block, the pv state
 * and the idle task's TCB and stack.
 *
 * Each of the guest's tasks is a cossim thread of the VM's component,
 * which the VMM creates and whose capabilities it puts in the VM's
 * capability table (vmg_pv.thd), with the VM's tcap (vmg_pv.tcap): the
 * guest's switch between tasks is the kernel's thread dispatch (port.h).
 * Task 0's thread, the idle task's, is also the VM's vCPU: it holds the
 * VM's receive endpoint (its virtual interrupts arrive there), and it is
 * the thread the VMM dispatches when it runs the VM. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "rtcore/core.h"
#include "components/implementation/vmm/ucvm/layout.h"

/* A task's stack unless the VM asks for another: compare/rtos's default
 * (rt_config.stack_bytes 0 means 1024, docs/compare.md), so that a guest
 * and the native RTOS compare like for like. */
#define VMG_STACK_DEFAULT 1024u
#define VMG_MAX_TASKS 16u       /* the idle task's included */
#define VMG_MAX_QUEUES 8u
#define VMG_VIRQ_LINES 4u       /* virtual interrupt lines: 0 is the tick (not built yet), 1.. devices */

/* What a VM holds, as the VMM is asked for it. */
typedef struct vmg_spec {
    unsigned tasks;             /* tasks besides the idle task */
    uint32_t stack_bytes;       /* each task's stack (0: VMG_STACK_DEFAULT) */
    unsigned queues;            /* queues and semaphores */
    uint32_t queue_bytes;       /* the queues' storage, all together */
    uint64_t heap_bytes;        /* the application's heap */
} vmg_spec;

/* Where each record of a guest is, from the VM's first byte. */
typedef struct vmg_map {
    uint32_t kernel, tcb, queue, stack, heap, end;
} vmg_map;

/* The paravirt layer's state: the first bytes of the VM's memory.  The
 * VMM writes the boot part before the vCPU first runs; from then on only
 * the guest writes it (the VMM reaches the guest through its endpoint,
 * never through its memory). */
typedef struct vmg_pv {
    /* boot: written by the VMM */
    uint32_t self;              /* the VM's first byte (its physical address) */
    uint32_t vm;                /* the VM's number at its VMM */
    uint32_t rcv;               /* the vCPU's endpoint: a slot of the VM's table */
    uint32_t hypercall;         /* the invocation of the VMM: a slot of the VM's table */
    uint32_t tcap;              /* the VM's tcap: a slot of the VM's table (each dispatch runs under it) */
    uint32_t thd[VMG_MAX_TASKS];    /* task t's thread: a slot of the VM's table (0: the vCPU's) */
    uint32_t ntasks, nqueues, stack_bytes;
    vmg_map map;                /* where its records are */
    uint32_t booted;            /* the guest set its kernel up */
    /* the virtual CPU */
    uint32_t virq_masked;       /* the guest's interrupt mask (its BASEPRI): 1 while its kernel runs */
    uint32_t virq_pending;      /* bit l: virtual line l came while masked */
    uint32_t virq_sem[VMG_VIRQ_LINES];  /* the semaphore each line gives (its queue's address; 0: none) */
    uint32_t faults;            /* accesses the guest made outside its VM (each stops a task) */
    uint32_t app;               /* the application it runs (vmg_app) */
    uint32_t target;            /* VMG_APP_ROGUE: the address its task writes (another VM's) */
} vmg_pv;

/* The applications a guest runs (guest.c's programs, in the image: code in
 * flash), for vm.bench{} (docs/scenarios.md):
 *   VMG_APP_SWITCH  tasks A and B at priority 2 yield to each other; A
 *                   marks before its yield (vm.m0) and after (vm.m1)
 *   VMG_APP_IRQ     task H at priority 3 takes a semaphore that virtual
 *                   line 1's interrupt gives, and marks (vm.m0) when it has it
 *   VMG_APP_MSG     task S at priority 1 marks (vm.m0) and sends a 4-byte
 *                   item to a queue of 4; task R at priority 2 receives it
 *                   and marks (vm.m1)
 *   VMG_APP_ROGUE   a task writes to pv.target, outside its VM, each round */
typedef enum { VMG_APP_NONE, VMG_APP_SWITCH, VMG_APP_IRQ, VMG_APP_MSG, VMG_APP_ROGUE, VMG_APPS } vmg_app;
/* The tasks, queues and storage an application asks for (its spec). */
vmg_spec vmg_app_spec(vmg_app app);

/* The guest's demand, by kind (layout.h). */
vml_demand vmg_demand(const vmg_spec *s);
/* Its records' places in a layout made for that demand. */
vmg_map vmg_map_of(const vmg_spec *s, const vml_layout *l);
/* The stack size the spec means. */
static inline uint32_t vmg_stack_bytes(const vmg_spec *s)
{
    return s->stack_bytes ? s->stack_bytes : VMG_STACK_DEFAULT;
}
