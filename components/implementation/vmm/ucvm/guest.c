/* components/implementation/vmm/ucvm/guest.c: a VM's guest (see guest.h):
 * its demand, its memory map, and its image: entry 0 the vCPU (the idle
 * task's thread), entry 1 a task's thread.
 *
 * The vCPU sets the guest RTOS up in the VM's memory (rtcore's kernel
 * block, the idle task, the application's tasks and queues).  Each task's
 * thread runs its program, one operation at a time, its RTOS calls
 * through rtcore (the counted source) and the paravirtual port (port.h):
 * a switch between tasks is the core's choice (rtc_switch_context) and
 * the kernel's dispatch of the chosen task's thread; the thread's next
 * operation and whether it is inside a call are its own (the registers
 * the kernel saves).  The idle task's thread waits on the VM's endpoint
 * for a virtual interrupt.  Every record the RTOS touches is touched in
 * the VM's memory, through the kernel's MPU and the caches. */
#include "components/implementation/vmm/ucvm/guest.h"

#include "components/images.h"
#include "components/interface/vmm.h"
#include "components/implementation/vmm/ucvm/port.h"
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

/* ---- the applications ----------------------------------------------------- */

typedef enum { OP_MARK, OP_YIELD, OP_SEND, OP_RECV, OP_TAKE, OP_TOUCH, OP_JUMP } op_kind;
typedef struct vmg_op {
    uint8_t kind, a;            /* a: the mark's slot, the queue, the jump's target */
} vmg_op;
#define OPS 4u
typedef struct app_desc {
    unsigned ntasks;            /* besides the idle task */
    uint32_t prio[3];
    vmg_op prog[3][OPS];
    unsigned nqueues;
    uint32_t length[2], item[2];    /* item 0: a semaphore */
    int virq_sem;               /* the queue virtual line 1 gives (-1: none) */
} app_desc;

static const app_desc apps[VMG_APPS] = {
    [VMG_APP_NONE] = { .virq_sem = -1 },
    [VMG_APP_SWITCH] = { .ntasks = 2, .prio = { 2, 2 }, .virq_sem = -1,
                         .prog = { { { OP_MARK, 0 }, { OP_YIELD, 0 }, { OP_MARK, 1 }, { OP_JUMP, 0 } },
                                   { { OP_YIELD, 0 }, { OP_JUMP, 0 } } } },
    [VMG_APP_IRQ] = { .ntasks = 1, .prio = { 3 }, .nqueues = 1, .length = { 1 }, .item = { 0 }, .virq_sem = 0,
                      .prog = { { { OP_TAKE, 0 }, { OP_MARK, 0 }, { OP_JUMP, 0 } } } },
    [VMG_APP_MSG] = { .ntasks = 2, .prio = { 1, 2 }, .nqueues = 1, .length = { 4 }, .item = { 4 }, .virq_sem = -1,
                      .prog = { { { OP_MARK, 0 }, { OP_SEND, 0 }, { OP_JUMP, 0 } },
                                { { OP_RECV, 0 }, { OP_MARK, 1 }, { OP_JUMP, 0 } } } },
    [VMG_APP_ROGUE] = { .ntasks = 1, .prio = { 1 }, .virq_sem = -1,
                        .prog = { { { OP_TOUCH, 0 }, { OP_JUMP, 0 } } } },
};

vmg_spec vmg_app_spec(vmg_app app)
{
    const app_desc *a = &apps[app < VMG_APPS ? app : VMG_APP_NONE];
    vmg_spec s = { .tasks = a->ntasks, .queues = a->nqueues };
    for (unsigned q = 0; q < a->nqueues; q++)
        s.queue_bytes += a->length[q] * a->item[q];
    return s;
}

/* ---- the tasks' threads --------------------------------------------------------- */

/* A task's item buffer: this far below the top of its stack. */
#define ITEM_BUF 100u

/* What a thread of the guest keeps (its registers: the kernel saves them
 * when it is dispatched away). */
typedef struct vcpu {
    vmg_pv *pv;
    unsigned char *mem;
    rtc_kernel *k;
    uint32_t kaddr;             /* the kernel block's address */
    const app_desc *app;
    unsigned self;              /* the task this thread runs (0: the idle task, the vCPU) */
    uint32_t pc, in_op;         /* its next operation, and whether it is inside a call */
} vcpu;

#define ADDR(v, off) ((v)->pv->self + (off))
#define AT(v, T, a) ((T *)(void *)((v)->mem + ((a) - (v)->pv->self)))

static uint32_t tcb_of(const vcpu *v, unsigned task)
{
    return ADDR(v, v->pv->map.tcb + task * (uint32_t)sizeof(rtc_tcb));
}

static uint32_t queue_of(const vcpu *v, unsigned q)
{
    return ADDR(v, v->pv->map.queue + q * (uint32_t)sizeof(rtc_queue));
}

static unsigned task_id(const vcpu *v)
{
    return AT(v, rtc_tcb, v->k->cur)->id;
}

static bool vcpu_init(vcpu *v, unsigned self)
{
    vmg_pv *pv = cos_comp_data();
    if (pv == NULL)
        return false;
    *v = (vcpu){ .pv = pv, .mem = (unsigned char *)pv, .kaddr = pv->self + pv->map.kernel,
                 .app = &apps[pv->app < VMG_APPS ? pv->app : VMG_APP_NONE], .self = self };
    v->k = AT(v, rtc_kernel, v->kaddr);
    return true;
}

/* The kernel's dispatch of the guest's running task (port.h): its thread's
 * capability read from the pv state, cos_switch under the VM's tcap.  It
 * returns when this thread is dispatched again: by another of the guest's
 * threads (the guest's scheduler chose its task) or, for the vCPU, by the
 * VMM. */
static void guest_dispatch(vcpu *v)
{
    unsigned id = task_id(v);
    if (id == v->self)
        return;
    vmp_port(VMP_DISPATCH);
    (void)cos_touch(ADDR(v, offsetof(vmg_pv, tcap)), 4, false);
    (void)cos_touch(ADDR(v, offsetof(vmg_pv, thd) + 4 * id), 4, false);
    cos_err e = cos_switch(v->pv->thd[id], v->pv->tcap, 0, 0, 0, 0);
    if (e)
        cos_report("vm.dispatch_error", e);
}

/* The core's choice of the next task (rtc_switch_context, masked), then
 * its dispatch. */
static void guest_pick(vcpu *v)
{
    vmp_port(VMP_SWITCH);
    vmp_core(RT_C_SWITCH, 1);
    (void)cos_touch(v->k->cur, sizeof(rtc_tcb), true);
    rtc_switch_context(v->k);
    (void)cos_touch(v->kaddr, sizeof(rtc_kernel), true);
    (void)cos_touch(v->k->cur, sizeof(rtc_tcb), false);
}

static void guest_switch(vcpu *v)
{
    guest_pick(v);
    guest_dispatch(v);
}

/* Did a task of list `after` join it since `before` (a wake-up)? */
static bool woke_one(const rtc_list *before, const rtc_list *after)
{
    return after->n < before->n;
}

/* xQueueSend / xQueueReceive / xSemaphoreTake with no timeout, as the
 * native system charges them (compare/rtos/rtos.c's api()). */
static void guest_queue(vcpu *v, const vmg_op *op)
{
    if (!v->in_op)
        vmp_port(VMP_CALL);
    vmp_port(VMP_CRIT);
    (void)cos_touch(v->k->cur, sizeof(rtc_tcb), true);
    uint32_t q = queue_of(v, op->a);
    rtc_queue *qu = AT(v, rtc_queue, q);
    bool send = op->kind == OP_SEND;
    rtc_list before = send ? qu->receivers : qu->senders;
    uint32_t slot = qu->storage + (send ? qu->write : qu->read) * qu->item_size;
    /* the item's buffer: below the task's saved context on its stack */
    rtc_tcb *cur = AT(v, rtc_tcb, v->k->cur);
    uint32_t buf = cur->stack + cur->stack_bytes - ITEM_BUF;
    uint32_t res = send ? rtc_queue_send(v->k, q, buf, RTC_FOREVER) : rtc_queue_recv(v->k, q, buf, RTC_FOREVER);
    bool woke = woke_one(&before, send ? &qu->receivers : &qu->senders);
    rtc_result rr = RTC_RESULT(res);
    rt_core_step s;
    if (rr == RTC_BLOCKED_NOW)
        s = op->kind == OP_SEND ? RT_C_SEND_BLOCK : op->kind == OP_RECV ? RT_C_RECV_BLOCK : RT_C_TAKE_BLOCK;
    else if (rr != RTC_OK)
        s = RT_C_RECV_EMPTY;
    else if (op->kind == OP_SEND)
        s = woke ? RT_C_SEND_WAKE : RT_C_SEND;
    else if (op->kind == OP_RECV)
        s = woke ? RT_C_RECV_WAKE : RT_C_RECV;
    else
        s = RT_C_TAKE;
    vmp_core(s, 1);
    (void)cos_touch(q, sizeof(rtc_queue), true);
    unsigned words = qu->item_size / 4;
    if (rr == RTC_OK && words) {
        vmp_core(send ? RT_C_SEND_WORD : RT_C_RECV_WORD, words - 1);
        (void)cos_touch(buf, words * 4, !send);
        (void)cos_touch(slot, words * 4, send);
    }
    if (woke || rr == RTC_BLOCKED_NOW)
        (void)cos_touch(v->kaddr, sizeof(rtc_kernel), true);
    if (woke)
        (void)cos_touch(AT(v, rtc_node, before.first)->owner, sizeof(rtc_tcb), true);
    if (rr == RTC_BLOCKED_NOW) {
        v->in_op = 1;
    } else {
        v->in_op = 0;
        v->pc++;
    }
    if (res & RTC_SWITCH)
        guest_switch(v);
}

/* The vCPU's receive: a wait when the idle task is the guest's running
 * task (the native WFI), else a look at what came while a task ran (the
 * VMM dispatched the VM).  What came is delivered: the guest asks the VMM
 * which lines came (a hypercall), runs the tick's handler for line 0
 * (rtcore's tick) and gives line 1's semaphore from "ISR" (rtcore's
 * xSemaphoreGiveFromISR); the core's choice follows when either says so,
 * and the vCPU's loop dispatches the task it chose. */
static void guest_idle(vcpu *v)
{
    vmp_port(VMP_IDLE);
    cos_ret r = cos_rcv(v->pv->rcv, task_id(v) == 0 ? 0 : COS_RCV_NONBLOCK);
    if (r.err != COS_OK || r.r[0] == 0)
        return;
    vmp_port(VMP_VIRQ);
    (void)cos_touch(v->pv->self, sizeof(vmg_pv), false);
    cos_word lines = vmm_hc_pending(v->pv->hypercall);
    if (v->pv->virq_masked) {
        v->pv->virq_pending |= (uint32_t)lines;
        return;
    }
    uint32_t res = 0;
    if (lines & 1u) {
        rtc_list before = v->k->delayed;
        res |= rtc_tick(v->k);
        vmp_core(v->k->delayed.n < before.n ? RT_C_TICK_WAKE : RT_C_TICK, 1);
        (void)cos_touch(v->kaddr, sizeof(rtc_kernel), true);
    }
    uint32_t sem = v->pv->virq_sem[1];
    if ((lines & 2u) && sem) {
        rtc_queue *qu = AT(v, rtc_queue, sem);
        rtc_list before = qu->receivers;
        res |= rtc_queue_send_isr(v->k, sem, 0);
        vmp_core(RT_C_GIVE_ISR, 1);
        (void)cos_touch(sem, sizeof(rtc_queue), true);
        if (woke_one(&before, &qu->receivers)) {
            (void)cos_touch(v->kaddr, sizeof(rtc_kernel), true);
            (void)cos_touch(AT(v, rtc_node, before.first)->owner, sizeof(rtc_tcb), true);
        }
    }
    if (res & RTC_SWITCH)
        guest_pick(v);
}

/* A write outside the VM faults in the kernel's MPU check: the task is
 * stopped (as the native MemManage handler does) and the VM goes on. */
static void guest_touch(vcpu *v)
{
    if (cos_touch(v->pv->target, 4, true) != COS_EFAULT) {
        v->pc++;
        return;
    }
    vmp_port(VMP_FAULT);
    v->pv->faults++;
    cos_report("vm.fault", v->pv->vm);
    uint32_t res = rtc_suspend(v->k, v->k->cur);
    vmp_core(RT_C_SUSPEND, 1);
    (void)cos_touch(v->kaddr, sizeof(rtc_kernel), true);
    if (res & RTC_SWITCH)
        guest_switch(v);
}

static void guest_boot(vcpu *v)
{
    vmg_pv *pv = v->pv;
    rtc_init(v->k, v->kaddr);
    uint32_t sb = pv->stack_bytes;
    rtc_task_init(v->k, tcb_of(v, 0), 0, 0, ADDR(v, pv->map.stack), sb);
    for (unsigned t = 0; t < v->app->ntasks; t++)
        rtc_task_init(v->k, tcb_of(v, t + 1), v->app->prio[t], t + 1, ADDR(v, pv->map.stack + (t + 1) * sb), sb);
    uint32_t storage = ADDR(v, pv->map.heap);
    for (unsigned q = 0; q < v->app->nqueues; q++) {
        rtc_queue_init(v->k, queue_of(v, q), storage, v->app->length[q], v->app->item[q]);
        storage += v->app->length[q] * v->app->item[q];
    }
    if (v->app->virq_sem >= 0)
        pv->virq_sem[1] = queue_of(v, (unsigned)v->app->virq_sem);
    rtc_switch_context(v->k);
    /* the set-up wrote the pv state, the kernel block, the TCBs and queue records */
    (void)cos_touch(pv->self, pv->map.stack, true);
    v->pc = 0;
    v->in_op = 0;
    pv->booted = 1;
}

/* Task t's thread (entry 1, a0 = t): the task's program, one operation
 * at a time, from when the guest's scheduler first dispatches it. */
static cos_word task_main(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    vcpu v;
    if (a0 == 0 || a0 > VMG_MAX_TASKS || !vcpu_init(&v, (unsigned)a0))
        return 0;
    for (;;) {
        if (task_id(&v) != v.self) {
            guest_dispatch(&v);         /* not this task's turn (never so, unless dispatched from outside) */
            continue;
        }
        const vmg_op *op = &v.app->prog[v.self - 1][v.pc % OPS];
        switch ((op_kind)op->kind) {
        case OP_MARK:
            cos_report(op->a ? "vm.m1" : "vm.m0", v.pv->vm);
            v.pc++;
            break;
        case OP_JUMP:
            v.pc = op->a;
            break;
        case OP_YIELD: {
            uint32_t res = rtc_yield(v.k);
            vmp_core(RT_C_YIELD, 1);
            (void)cos_touch(v.kaddr, sizeof(rtc_kernel), false);
            v.pc++;
            if (res & RTC_SWITCH)
                guest_switch(&v);
            break;
        }
        case OP_SEND:
        case OP_RECV:
        case OP_TAKE:
            guest_queue(&v, op);
            break;
        case OP_TOUCH:
            guest_touch(&v);
            break;
        }
    }
    return 0;
}

/* The vCPU (entry 0), the idle task's thread: it sets the guest up, then
 * dispatches the guest's running task, and when it is dispatched again
 * (the guest went idle, or the VMM ran the VM) receives on the VM's
 * endpoint. */
static cos_word vcpu_main(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    vcpu v;
    if (!vcpu_init(&v, 0))
        return 0;
    guest_boot(&v);
    for (;;) {
        guest_dispatch(&v);
        guest_idle(&v);
    }
    return 0;
}

static const cos_entry_fn entries[] = { vcpu_main, task_main };
const cos_image cos_image_vm_guest = { "vm-guest", entries, 2 };
