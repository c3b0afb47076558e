/* components/implementation/vmm/ucvm/guest.c: a VM's guest (see guest.h):
 * its demand, its memory map, and its image, whose one entry is the
 * vCPU: it sets the guest kernel up in the VM's memory (the idle task
 * first) and waits on its endpoint for virtual interrupts. */
#include "components/implementation/vmm/ucvm/guest.h"

#include "components/images.h"
#include "components/lib/comp.h"

vml_demand vmg_demand(const vmg_spec *s)
{
    uint64_t tasks = (uint64_t)s->tasks + 1;        /* and the idle task */
    vml_demand d = { 0 };
    d.bytes[VML_KERNEL] = sizeof(vmg_pv) + sizeof(rtc_kernel) + tasks * sizeof(rtc_tcb)
                        + (uint64_t)s->queues * sizeof(rtc_queue);
    d.bytes[VML_STACKS] = tasks * vmg_stack_bytes(s);
    d.bytes[VML_HEAP] = (uint64_t)s->queue_bytes + s->heap_bytes;
    return d;
}

vmg_map vmg_map_of(const vmg_spec *s, const vml_layout *l)
{
    vmg_map m;
    m.kernel = (uint32_t)l->kind_offset[VML_KERNEL] + (uint32_t)sizeof(vmg_pv);
    m.tcb = m.kernel + (uint32_t)sizeof(rtc_kernel);
    m.queue = m.tcb + (s->tasks + 1) * (uint32_t)sizeof(rtc_tcb);
    m.stack = (uint32_t)l->kind_offset[VML_STACKS];
    m.heap = (uint32_t)l->kind_offset[VML_HEAP];
    m.end = (uint32_t)l->x;
    return m;
}

/* The vCPU: set up the guest kernel and its idle task, then wait for
 * virtual interrupts (step 2 runs tasks here). */
static cos_word vcpu(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    vmg_pv *pv = cos_comp_data();
    if (pv == NULL)
        return 0;
    unsigned char *mem = (unsigned char *)pv;
    rtc_kernel *k = (rtc_kernel *)(void *)(mem + pv->map.kernel);
    rtc_init(k, pv->self + pv->map.kernel);
    rtc_task_init(k, pv->self + pv->map.tcb, 0, 0, pv->self + pv->map.stack, pv->stack_bytes);
    rtc_switch_context(k);
    /* the set-up wrote the pv state, the kernel block and the idle TCB */
    (void)cos_touch(pv->self, pv->map.tcb + sizeof(rtc_tcb), true);
    pv->booted = 1;
    for (;;)
        if (cos_rcv(pv->rcv, 0).err != COS_OK)
            return 0;
}

static const cos_entry_fn entries[] = { vcpu };
const cos_image cos_image_vm_guest = { "vm-guest", entries, 1 };
