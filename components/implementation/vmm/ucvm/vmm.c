/* components/implementation/vmm/ucvm/vmm.c: the µCVM VMM (Pan et al.,
 * RTAS 2018, §VI): it builds virtual machines on an MPU machine, each a
 * component of its own (capability table, MPU layout, memory) laid out by
 * layout.h in power-of-two regions, running the guest of guest.h on a
 * vCPU thread with a receive endpoint under a tcap of the VM's own.
 *
 * Booted as kernel.boot{ booter = "vmm", arg = vmm.h's argument }: the
 * boot entry runs on core 0's init thread as the loader (booter library),
 * makes the VMM's own component, whose memory holds its state (a record
 * per VM), then the VMs.  Uniprocessor: the paper's board has one core. */
#include "components/implementation/vmm/ucvm/vmm.h"

#include "components/images.h"
#include "components/interface/vmm.h"
#include "components/lib/booter.h"
#include "components/lib/comp.h"

#define VMM_MAX_VMS 64u        /* a VM takes 8 pages or more: 64 fill 2 MiB */

/* What the VMM keeps of a VM (in the boot table: the loader's slots). */
typedef struct vmm_vm {
    cos_capid comp, vcpu, tcap, rcv;
    uint64_t base;              /* its memory's first byte */
} vmm_vm;

typedef struct vmm_state {
    uint32_t nvms;
    vmg_spec spec;
    vml_layout layout;
    vmm_vm vm[VMM_MAX_VMS];
} vmm_state;

#define CHECK(x) do { cos_err e_ = (x); if (e_) { cos_report("boot.error", e_); cos_report("boot.line", __LINE__); return e_; } } while (0)

/* One VM: its component and memory, the guest's boot state in that
 * memory, its vCPU with endpoint and tcap; then the vCPU runs the guest's
 * set-up once and waits.  A failure leaves the VM unfinished (not
 * counted): COS_ENOMEM when the memory ran out. */
static cos_err vm_new(bt *b, vmm_state *st, unsigned idx)
{
    const vml_layout *l = &st->layout;
    bt_comp c;
    cos_err e = bt_comp_blocks(b, COS_IMAGE_VM_GUEST, (unsigned)(l->x / COS_PAGE_SIZE), &c);
    if (e)
        return e;
    vmm_vm *v = &st->vm[idx];
    v->comp = c.comp;
    v->base = c.base;
    vmg_pv *pv = cos_comp_load(c.comp, l->x);
    if (pv == NULL)
        return COS_EINVAL;
    *pv = (vmg_pv){ .self = (uint32_t)c.base, .vm = idx, .ntasks = st->spec.tasks + 1, .nqueues = st->spec.queues,
                    .stack_bytes = vmg_stack_bytes(&st->spec), .map = vmg_map_of(&st->spec, l) };
    if ((e = bt_thd(b, &c, 0, 0, &v->vcpu)) || (e = bt_tcap(b, &v->tcap))
        || (e = bt_rcv(b, v->vcpu, v->tcap, COS_BOOT_RCV(0), &v->rcv)))
        return e;
    if ((e = cos_tcap_transfer(COS_BOOT_TCAP(0), v->rcv, 0, VMM_VM_PRIO)))
        return e;
    cos_capid s;
    if ((e = bt_give(b, &c, v->rcv, &s)))
        return e;
    pv->rcv = (uint32_t)s;
    if ((e = cos_switch(v->vcpu, 0, 0, 0, 0, 0)))      /* the guest sets up and waits */
        return e;
    return pv->booted ? COS_OK : COS_EINVAL;
}

/* VMM_FIT: VMs until the memory runs out or there are max_vms. */
static cos_err fit(bt *b, vmm_state *st, unsigned max_vms, uint64_t pages_vmm)
{
    unsigned want = max_vms && max_vms < VMM_MAX_VMS ? max_vms : VMM_MAX_VMS;
    uint64_t before = b->next, pages_vm = 0, done = b->next;
    for (unsigned i = 0; i < want; i++) {
        cos_err e = vm_new(b, st, i);
        if (e == COS_ENOMEM)
            break;              /* the unfinished VM's pages stay taken; left counts from the last whole one */
        CHECK(e);
        if (i == 0)
            pages_vm = b->next - before;
        done = b->next;
        st->nvms++;
    }
    cos_report("vmm.vms", st->nvms);
    cos_report("vmm.x", (int64_t)st->layout.x);
    cos_report("vmm.y", (int64_t)st->layout.y);
    cos_report("vmm.regions", st->layout.nregions);
    cos_report("vmm.pages", (int64_t)b->npages);
    cos_report("vmm.pages_vmm", (int64_t)pages_vmm);
    cos_report("vmm.pages_vm", (int64_t)pages_vm);
    cos_report("vmm.pages_left", (int64_t)(b->npages > done ? b->npages - done : 0));
    return COS_OK;
}

static cos_word boot(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3)
{
    (void)caller, (void)a2, (void)a3;
    if (core != 0)
        return 0;
    unsigned mode, max_vms, mpu_regions;
    vmg_spec spec = vmm_spec_of(arg, &mode, &max_vms, &mpu_regions);
    bt b;
    if (bt_init(&b) != COS_OK || !b.mpu) {
        cos_report("boot.error", COS_EINVAL);       /* an MPU machine only */
        return 0;
    }
    /* the VMM's own component: its state in its memory */
    bt_comp vmm;
    unsigned pages = (unsigned)((sizeof(vmm_state) + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
    if (bt_comp_new(&b, COS_IMAGE_VMM, pages, &vmm) != COS_OK) {
        cos_report("boot.error", COS_ENOMEM);
        return 0;
    }
    vmm_state *st = cos_comp_load(vmm.comp, sizeof *st);
    if (st == NULL)
        return 0;
    st->spec = spec;
    /* the machine's MPU regions (the argument says: the kernel has no call
     * that tells), less those a VM keeps for other things */
    vml_rules r = vml_rules_for(mpu_regions, VMM_RESERVED_REGIONS);
    vml_demand d = vmg_demand(&spec);
    if (!vml_lay_out(&d, &r, &st->layout)) {
        cos_report("boot.error", COS_ERANGE);       /* the guest does not fit the VM's regions */
        return 0;
    }
    if (mode == VMM_FIT && fit(&b, st, max_vms, b.next) != COS_OK)
        return 0;
    cos_report("boot.done", 1);
    return 0;
}

static const cos_entry_fn entries[] = { boot };
const cos_image cos_image_vmm = { "vmm", entries, 1 };
