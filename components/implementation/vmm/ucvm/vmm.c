/* components/implementation/vmm/ucvm/vmm.c: the µCVM VMM (Pan et al.,
 * RTAS 2018, §VI): it builds virtual machines on an MPU machine, each a
 * component of its own (capability table, MPU layout, memory) laid out by
 * layout.h in power-of-two regions, running the guest of guest.h on a
 * vCPU thread (the guest's idle task's) with a receive endpoint under a
 * tcap of the VM's own, and a thread per guest task (guest.h).
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
#include "components/lib/sched_ev.h"

#define VMM_MAX_VMS 64u        /* a VM takes 8 pages or more: 64 fill 2 MiB */

/* Hand counts of the VMM's own code (provisional, as port.c's): the
 * interrupt thread's loop around its receive and send (the line's VM
 * looked up, its pending bit set, the send's call site, the loop back),
 * the pending hypercall, and the scheduler's
 * work per event (find the VM by thread id, set its flag) and per
 * decision (the first runnable VM of the list, the switch's call site). */
#define VMM_IRQ_INSTR 8u
#define VMM_HC_INSTR 8u         /* the hypercall: find the caller's VM, read and clear its word, return */
#define VMM_EVENT_INSTR 10u
#define VMM_DECIDE_INSTR 12u

/* What the VMM keeps of a VM (in the boot table: the loader's slots). */
typedef struct vmm_vm {
    cos_capid comp, vcpu, tcap, rcv;
    cos_thdid id;               /* the vCPU's thread id (the scheduler's events name it) */
    bool runnable;
    uint64_t base;              /* its memory's first byte */
} vmm_vm;

typedef struct vmm_state {
    uint32_t nvms;
    vmg_spec spec;
    vml_layout layout;
    vmm_vm vm[VMM_MAX_VMS];
    uint32_t pending[VMM_MAX_VMS];  /* each VM's virtual lines that came (bit l: line l) */
    /* the interrupt threads' (slots of the VMM's own table): the device's
     * (to VM 0, line 1) and the tick's (to every VM, line 0) */
    cos_capid irq_rcv, irq_to_vm, tick_rcv, tick_to_vm[2];
    unsigned mpu_regions;
} vmm_state;

#define CHECK(x) do { cos_err e_ = (x); if (e_) { cos_report("boot.error", e_); cos_report("boot.line", __LINE__); return e_; } } while (0)

/* One VM: its component and memory, the guest's boot state in that
 * memory, its vCPU with endpoint and tcap, a thread per task (`ntasks`),
 * their capabilities and the tcap's in its table; then, with `run`, the vCPU
 * runs the guest's set-up and its idle task's wait (an idle guest) at
 * once.  A failure leaves the VM unfinished (not counted): COS_ENOMEM
 * when the memory ran out. */
static cos_err vm_new(bt *b, vmm_state *st, bt_comp *vmm, unsigned idx, vmg_app app, unsigned ntasks, uint32_t prio,
                      uint32_t target, bool run)
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
                    .stack_bytes = vmg_stack_bytes(&st->spec), .map = vmg_map_of(&st->spec, l),
                    .app = app, .target = target };
    if ((e = bt_thd_id(b, &c, 0, 0, &v->vcpu, &v->id)) || (e = bt_tcap(b, &v->tcap))
        || (e = bt_rcv(b, v->vcpu, v->tcap, COS_BOOT_RCV(0), &v->rcv)))
        return e;
    if ((e = cos_tcap_transfer(COS_BOOT_TCAP(0), v->rcv, 0, prio)))
        return e;
    cos_capid s;
    if ((e = bt_give(b, &c, v->rcv, &s)))
        return e;
    pv->rcv = (uint32_t)s;
    /* the guest's threads in its table: the vCPU's (the idle task's), a
     * thread per task (entry 1, its task's number), and the VM's tcap */
    if ((e = bt_give(b, &c, v->vcpu, &s)))
        return e;
    pv->thd[0] = (uint32_t)s;
    for (unsigned t = 1; t <= ntasks && t < VMG_MAX_TASKS; t++) {
        cos_capid th;
        if ((e = bt_thd(b, &c, 1, t, &th)) || (e = bt_give(b, &c, th, &s)))
            return e;
        pv->thd[t] = (uint32_t)s;
    }
    if ((e = bt_give(b, &c, v->tcap, &s)))
        return e;
    pv->tcap = (uint32_t)s;
    if ((e = bt_sinv(b, &c, vmm, 2, &s)))       /* its hypercall: the VMM's entry 2 */
        return e;
    pv->hypercall = (uint32_t)s;
    if (!run)
        return COS_OK;      /* its first dispatch sets the guest up */
    if ((e = cos_switch(v->vcpu, 0, 0, 0, 0, 0)))      /* the guest sets up and waits */
        return e;
    return pv->booted ? COS_OK : COS_EINVAL;
}

/* VMM_FIT: VMs until the memory runs out or there are max_vms. */
static cos_err fit(bt *b, vmm_state *st, bt_comp *vmm, unsigned max_vms, uint64_t pages_vmm)
{
    unsigned want = max_vms && max_vms < VMM_MAX_VMS ? max_vms : VMM_MAX_VMS;
    uint64_t before = b->next, pages_vm = 0, done = b->next;
    for (unsigned i = 0; i < want; i++) {
        cos_err e = vm_new(b, st, vmm, i, VMG_APP_NONE, st->spec.tasks, VMM_VM_PRIO, 0, true);
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

/* An interrupt thread (entry 1; a0: 0 the device's, 1 the tick's): each
 * interrupt on its line sets the virtual line's bit in the VM's pending
 * word and sends to the VM's vCPU, which runs under the VM's tcap. */
static cos_word irq_thread(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    vmm_state *st = cos_comp_data();
    if (st == NULL)
        return 0;
    bool tick = a0 == 1;
    for (;;) {
        cos_ret r = cos_rcv(tick ? st->tick_rcv : st->irq_rcv, 0);
        if (r.err)
            return 0;
        for (unsigned i = 0; i < (tick ? st->nvms : 1); i++) {
            cos_instructions(VMM_IRQ_INSTR);
            st->pending[i] |= tick ? 1u : 2u;
            if (cos_asnd(tick ? st->tick_to_vm[i] : st->irq_to_vm, false) != COS_OK)
                return 0;
        }
    }
}

/* The hypercall (entry 2), on the calling vCPU's thread: the caller's
 * VM's pending lines, cleared. */
static cos_word hypercall(cos_thdid caller, cos_word op, cos_word a1, cos_word a2, cos_word a3)
{
    (void)a1, (void)a2, (void)a3;
    vmm_state *st = cos_comp_data();
    if (st == NULL || op != VMM_HC_PENDING)
        return 0;
    cos_instructions(VMM_HC_INSTR);
    for (unsigned i = 0; i < st->nvms; i++)
        if (st->vm[i].id == caller) {
            cos_word w = st->pending[i];
            st->pending[i] = 0;
            return w;
        }
    return 0;
}

static void apply(void *ctx, const cos_ret *ev)
{
    vmm_state *st = ctx;
    cos_instructions(VMM_EVENT_INSTR);
    for (unsigned i = 0; i < st->nvms; i++)
        if (st->vm[i].id == (cos_thdid)ev->r[0])
            st->vm[i].runnable = (ev->r[1] & COS_SCHED_EV_RUNNABLE) != 0;
}

/* VMM_BENCH: VM 0 runs `app`, VM 1 idles or is a rogue; the interrupt
 * thread, then the scheduler, which never returns. */
/* A VMM interrupt thread (`which`: 0 the device's, 1 the tick's) with a
 * tcap at VMM_IRQ_PRIO; its endpoint's slot in the VMM's table to *slot.
 * It runs until it waits, then `line` is bound to it. */
static cos_err irq_thread_new(bt *b, bt_comp *vmm, unsigned which, cos_capid *thd, cos_capid *rcv, cos_capid *slot)
{
    cos_capid tcap;
    CHECK(bt_thd(b, vmm, 1, which, thd));
    CHECK(bt_tcap(b, &tcap));
    CHECK(bt_rcv(b, *thd, tcap, COS_BOOT_RCV(0), rcv));
    CHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), *rcv, 0, VMM_IRQ_PRIO));
    CHECK(bt_give(b, vmm, *rcv, slot));
    return COS_OK;
}

static cos_err bench(bt *b, vmm_state *st, bt_comp *vmm, vmg_app app, bool rogue, unsigned line, bool tick)
{
    vmg_spec s0 = vmg_app_spec(app), s1 = vmg_app_spec(rogue ? VMG_APP_ROGUE : VMG_APP_NONE);
    /* one layout for both, the larger demand's (the two differ by a TCB and a queue) */
    st->spec = s0.tasks >= s1.tasks ? s0 : s1;
    st->spec.queues = s0.queues > s1.queues ? s0.queues : s1.queues;
    st->spec.queue_bytes = s0.queue_bytes > s1.queue_bytes ? s0.queue_bytes : s1.queue_bytes;
    vml_rules r = vml_rules_for(st->mpu_regions, VMM_RESERVED_REGIONS);
    vml_demand d = vmg_demand(&st->spec);
    if (!vml_lay_out(&d, &r, &st->layout))
        CHECK(COS_ERANGE);
    cos_capid th = 0, rcv = 0, tth = 0, trcv = 0, s, a;
    if (line)
        CHECK(irq_thread_new(b, vmm, 0, &th, &rcv, &st->irq_rcv));
    if (tick)
        CHECK(irq_thread_new(b, vmm, 1, &tth, &trcv, &st->tick_rcv));
    CHECK(vm_new(b, st, vmm, 0, app, s0.tasks, VMM_VM_PRIO, 0, false));
    st->nvms = 1;
    CHECK(vm_new(b, st, vmm, 1, rogue ? VMG_APP_ROGUE : VMG_APP_NONE, s1.tasks, VMM_VM_PRIO + 1,
                 (uint32_t)st->vm[0].base, false));
    st->nvms = 2;
    if (line) {
        CHECK(bt_asnd(b, st->vm[0].rcv, &a));
        CHECK(bt_give(b, vmm, a, &s));
        st->irq_to_vm = s;
        CHECK(cos_switch(th, 0, 0, 0, 0, 0));       /* it waits on its endpoint */
        CHECK(cos_hw_attach(COS_BOOT_HW, line, rcv));
    }
    if (tick) {
        for (unsigned i = 0; i < st->nvms; i++) {
            CHECK(bt_asnd(b, st->vm[i].rcv, &a));
            CHECK(bt_give(b, vmm, a, &s));
            st->tick_to_vm[i] = s;
        }
        CHECK(cos_switch(tth, 0, 0, 0, 0, 0));
        CHECK(cos_hw_attach(COS_BOOT_HW, VMM_TICK_LINE, trcv));
    }
    cos_report("boot.done", 1);
    for (unsigned i = 0; i < st->nvms; i++)
        st->vm[i].runnable = true;
    uint64_t token = 0;
    for (;;) {
        cos_sched_drain(COS_BOOT_RCV(0), &token, apply, st);
        cos_instructions(VMM_DECIDE_INSTR);
        unsigned i = 0;
        while (i < st->nvms && !st->vm[i].runnable)
            i++;
        if (i < st->nvms) {
            cos_err e = cos_switch(st->vm[i].vcpu, st->vm[i].tcap, 0, 0, 0, 0);
            if (e && e != COS_EINVAL)
                CHECK(e);
            if (e == COS_EINVAL)
                st->vm[i].runnable = false;     /* blocked since its event: wait for the next */
            continue;
        }
        /* nothing to run: wait for an event (the core idles) */
        cos_ret ev = cos_sched_rcv(COS_BOOT_RCV(0), 0);
        if (ev.err)
            CHECK(ev.err);
        token = ev.r[3];
        if (ev.r[0])
            apply(st, &ev);
    }
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
    st->mpu_regions = mpu_regions;
    if (mode == VMM_BENCH) {
        (void)bench(&b, st, &vmm, (vmg_app)((arg >> 4) & 0xFu), (arg >> 8) & 1u, (unsigned)(arg >> 9) & 0xFFu,
                    (arg >> 17) & 1u);
        return 0;
    }
    /* the machine's MPU regions (the argument says: the kernel has no call
     * that tells), less those a VM keeps for other things */
    vml_rules r = vml_rules_for(mpu_regions, VMM_RESERVED_REGIONS);
    vml_demand d = vmg_demand(&spec);
    if (!vml_lay_out(&d, &r, &st->layout)) {
        cos_report("boot.error", COS_ERANGE);       /* the guest does not fit the VM's regions */
        return 0;
    }
    if (mode == VMM_FIT && fit(&b, st, &vmm, max_vms, b.next) != COS_OK)
        return 0;
    cos_report("boot.done", 1);
    return 0;
}

static const cos_entry_fn entries[] = { boot, irq_thread, hypercall };
const cos_image cos_image_vmm = { "vmm", entries, 3 };
