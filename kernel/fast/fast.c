/* kernel/fast/fast.c: the freestanding twins of the kernel's fast paths
 * (see fast.h).  Each function says which simulated code it is the twin
 * of; what it must stay true to is that code's behaviour (its result and
 * the fields it writes), checked by tests/test_kernel_fast.c, and its
 * instruction count is what kernel/path_counts.h charges for the step.
 *
 * No libc, no compiler builtins, no floating point: -ffreestanding
 * -fno-builtin, and the kernel's usual flags for general registers only.
 */
#include "fast.h"

/* The layouts the twins are compiled against are the simulated kernel's:
 * the sizes the host (x86-64 gcc) gives them, on every target (i386
 * needs -malign-double for its 8-byte alignment of uint64_t). */
_Static_assert(sizeof(k_slot) == 16, "k_slot");
_Static_assert(sizeof(k_thd_o) == 392 && offsetof(k_thd_o, regs) == 232, "k_thd_o");
_Static_assert(sizeof(k_comp_o) == 40, "k_comp_o");
_Static_assert(sizeof(k_sinv_o) == 24, "k_sinv_o");
_Static_assert(sizeof(k_rcv_o) == 80 && offsetof(k_rcv_o, token) == 48, "k_rcv_o");
_Static_assert(sizeof(k_tcap_o) == 160 && offsetof(k_tcap_o, deleg) == 32, "k_tcap_o");
_Static_assert(sizeof(k_pgtbl_head) == 40, "k_pgtbl_head");
_Static_assert(sizeof(k_core_o) == 24, "k_core_o");
_Static_assert(sizeof(k_ring) == 64 && offsetof(k_ring, rcv) == 8, "k_ring");

/* ---- K_P_ENTRY, K_P_EXIT: kernel/core.c kernel_path, kernel/syscall.c -------- */

static cos_err bad_op(kf_call *call)
{
    (void)call;
    return COS_EINVAL;
}

/* The handlers are the objects' calls (their bodies are other steps),
 * filled in at boot. */
kf_handler kf_ops[COS_OPS];

/* The C side of the trap: take the user's registers from the frame the
 * entry stub pushed into the decoded call, find the current thread and
 * the component it calls from, check the op and pick its handler. */
kf_handler kf_entry(const kf_frame *f, const k_core_o *co, kf_call *call)
{
    call->op = (uint32_t)f->op;
    call->cap = (uint32_t)f->cap;
    for (unsigned i = 0; i < 5; i++)
        call->a[i] = f->a[i];
    call->thd = co->cur_thd;
    call->core = KF_PA(co);
    call->comp = KF(const k_thd_o, call->thd)->comp;
    if (call->op == 0 || call->op >= COS_OPS)
        return bad_op;
    return kf_ops[call->op];
}

/* The result into the return registers the exit stub restores. */
void kf_exit(kf_frame *f, const cos_ret *r)
{
    f->ret[0] = (kf_word)r->err;
    for (unsigned i = 0; i < 4; i++)
        f->ret[1 + i] = (kf_word)r->r[i];
}

/* ---- K_P_CAP: kernel/cap.c k_cap, kernel/captbl.c k_ct_lookup ---------------- */

cos_err kf_cap(const k_comp_o *comp, uint32_t id, uint32_t type, k_slot *out)
{
    if (id >= K_CT_MAX)
        return COS_ERANGE;
    uint64_t node = KF(const uint64_t, comp->captbl)[id / K_CT_L2];
    if (node == 0)
        return COS_ENOENT;
    const k_slot *s = KF(const k_slot, node) + id % K_CT_L2;
    if (s->type == COS_CAP_FREE)
        return COS_ENOENT;
    *out = *s;
    if (type != COS_CAP_FREE && s->type != type)
        return COS_ETYPE;
    return COS_OK;
}

/* ---- K_P_INV, K_P_RET: kernel/inv.c, kernel/pgtbl.c k_pgtbl_switch ----------- */

/* Load comp's domain unless it is loaded: its root and ASID for the MMU,
 * and whether the ASID's TLB entries on this core are still its own. */
static inline void pd_switch(uint64_t comp, kf_cpu *cpu)
{
    uint64_t pt = KF(const k_comp_o, comp)->pgtbl;
    if (pt == cpu->pd)
        return;
    cpu->pd = pt;
    const k_pgtbl_head *o = KF(const k_pgtbl_head, pt);
    uint64_t *owner = &cpu->asid_owner[o->asid];
    cpu->pd_keep = *owner == pt;
    *owner = pt;
    cpu->pd_root = o->root;
    cpu->pd_asid = o->asid;
}

/* sinv_decode after the capability, and sinv_invoke: the server's entry,
 * or KF_REFUSED (COS_EDEPTH). */
uint32_t kf_inv(k_thd_o *th, const k_sinv_o *sv, kf_cpu *cpu)
{
    uint64_t server = sv->comp;
    uint32_t entry = sv->entry;
    uint32_t d = th->depth;
    if (d >= COS_INV_DEPTH)
        return KF_REFUSED;
    th->inv[d] = th->comp;
    th->depth = d + 1;
    th->comp = server;
    KF(k_comp_o, server)->active++;
    pd_switch(server, cpu);
    return entry;
}

/* k_inv_sret and k_obj_leave: 0, or 1 when the server was kept only for
 * the threads inside and the last has left (it ends: a slow path). */
uint32_t kf_ret(k_thd_o *th, kf_cpu *cpu)
{
    uint64_t server = th->comp;
    uint32_t d = th->depth - 1;
    th->depth = d;
    th->comp = th->inv[d];
    th->inv[d] = 0;
    k_comp_o *so = KF(k_comp_o, server);
    uint32_t ends = 0;
    if (--so->active == 0 && so->kept) {
        so->kept = 0;
        ends = 1;
    }
    pd_switch(th->comp, cpu);
    return ends;
}

/* ---- K_P_SWITCH: kernel/thd.c k_thd_dispatch -------------------------------- */

/* Save the live register file into cur, load next's, and make next the
 * core's current thread under its tcap (k_tcap_run without an rcv). */
void kf_switch(k_core_o *co, k_thd_o *cur, k_thd_o *next, kf_cpu *cpu)
{
    if (next != cur) {
        kf_word *live = cpu->frame;
        kf_word *save = (kf_word *)(void *)cur->regs;
        const kf_word *load = (const kf_word *)(const void *)next->regs;
        for (uint32_t i = 0; i < KF_REGS_WORDS; i++)
            save[i] = live[i];
        for (uint32_t i = 0; i < KF_REGS_WORDS; i++)
            live[i] = load[i];
    }
    co->cur_thd = KF_PA(next);
    if (next->tcap)
        co->cur_tcap = next->tcap;
}

/* ---- K_P_SEND, K_P_RECV: kernel/rcv.c ---------------------------------------- */

/* k_rcv_activate up to the wake-up: count the send, and wake the owner if
 * it waits on r (its RCV returns the pending count, in its saved return
 * register, and the count restarts). */
uint32_t kf_send(k_rcv_o *r)
{
    r->pending++;
    k_thd_o *t = KF(k_thd_o, r->thd);
    uint64_t self = KF_PA(r);
    if (t->state == K_THD_BLOCKED_SCHED && t->blocked_on == self)
        return KF_SEND_SCHED;
    if (t->state != K_THD_BLOCKED_RCV || t->blocked_on != self)
        return KF_SEND_NONE;
    t->state = K_THD_RUNNABLE;
    t->blocked_on = 0;
    ((kf_word *)(void *)t->regs)[0] = (kf_word)r->pending;
    r->pending = 0;
    return KF_SEND_WOKEN;
}

/* k_rcv_receive and k_thd_block's state change: 1 with *taken when sends
 * were pending (or nonblock), 0 when t blocks on r. */
uint32_t kf_recv(k_rcv_o *r, k_thd_o *t, uint32_t nonblock, uint64_t *taken)
{
    if (r->pending || nonblock) {
        *taken = r->pending;
        r->pending = 0;
        return 1;
    }
    t->state = K_THD_BLOCKED_RCV;
    t->blocked_on = KF_PA(r);
    return 0;
}

/* ---- K_P_EVENT: kernel/thd.c k_thd_queue_event -------------------------------- */

/* Note the event on t and append t to r's list unless it is on it: 1 when
 * appended (the list takes a reference: the caller's retype-table step). */
uint32_t kf_event(k_rcv_o *r, k_thd_o *t, uint32_t flags)
{
    t->ev_flags |= flags;
    r->token++;
    if (t->ev_queued)
        return 0;
    uint64_t self = KF_PA(t);
    t->ev_queued = 1;
    t->ev_next = 0;
    if (r->ev_tail)
        KF(k_thd_o, r->ev_tail)->ev_next = self;
    else
        r->ev_head = self;
    r->ev_tail = self;
    return 1;
}

/* ---- K_P_TCAP, K_P_TCAP_ENTRY: kernel/tcap.c k_tcap_higher -------------------- */

/* Whether a outranks b: every scheduler the two share ranks a at least as
 * high (a smaller prio) as b. */
uint32_t kf_tcap_higher(const k_tcap_o *a, const k_tcap_o *b)
{
    if (a == 0 || a->budget == 0)
        return 0;
    if (b == 0 || a == b)
        return 1;
    for (uint32_t i = 0; i < a->ndelegs; i++)
        for (uint32_t j = 0; j < b->ndelegs; j++)
            if (a->deleg[i].sched == b->deleg[j].sched && a->deleg[i].prio > b->deleg[j].prio)
                return 0;
    return 1;
}

/* ---- K_P_ACCT: kernel/tcap.c k_tcap_account ----------------------------------- */

/* Charge the cycles since cpu->tcap_since (*now: the cycle counter, read)
 * to the current tcap and to the current thread's events. */
void kf_acct(k_core_o *co, kf_cpu *cpu, const uint64_t *now)
{
    uint64_t t = *now;
    uint64_t ran = t - cpu->tcap_since;
    cpu->tcap_since = t;
    if (co->cur_tcap) {
        k_tcap_o *tc = KF(k_tcap_o, co->cur_tcap);
        if (tc->budget != COS_BUDGET_INF)
            tc->budget = tc->budget > ran ? tc->budget - ran : 0;
    }
    if (co->cur_thd)
        KF(k_thd_o, co->cur_thd)->ev_cycles += ran;
}

/* ---- K_P_DISPATCH: kernel/thd.c switch_decode (after its capabilities) ------- */

/* THD_SWITCH's checks on the target `to`, the tcap `tc` (0: keep) and the
 * scheduler's rcv (0: none); call->a as the ABI says.  The capabilities
 * were looked up (K_P_CAP), the tcap's core and the rcv's owner checked by
 * the caller. */
cos_err kf_dispatch(const kf_call *call, const k_thd_o *to, const k_tcap_o *tc, const k_rcv_o *rcv)
{
    uint64_t target = KF_PA(to);
    if (to->h.core != KF(const k_hdr, call->thd)->core)
        return COS_ECORE;
    if (to->state == K_THD_EXITED)
        return COS_EINVAL;
    if (to->state != K_THD_RUNNABLE && target != call->thd)
        return COS_EBUSY;
    if (tc && tc->budget == 0)
        return COS_EPERM;
    if (call->a[1] > COS_PRIO_MIN)
        return COS_EINVAL;
    if (rcv) {
        if (call->a[4] != rcv->token)
            return COS_ESTALE;
    } else if (call->a[2]) {
        return COS_EINVAL;
    }
    if (call->a[1]) {
        /* the priority goes to the scheduler's entry in the tcap the
         * target will run under: room for it, if it has none */
        uint64_t sched = rcv ? KF_PA(rcv) : KF(const k_thd_o, call->thd)->rcv;
        uint64_t ptc = tc ? KF_PA(tc) : to->tcap ? to->tcap : KF(const k_core_o, call->core)->cur_tcap;
        if (sched == 0 || ptc == 0)
            return COS_EINVAL;
        const k_tcap_o *p = KF(const k_tcap_o, ptc);
        uint32_t i = 0;
        while (i < p->ndelegs && p->deleg[i].sched != sched)
            i++;
        if (i == p->ndelegs && p->ndelegs >= COS_TCAP_DELEGS)
            return COS_EDEPTH;
    }
    return COS_OK;
}

/* ---- K_P_IRQ: kernel/core.c take_interrupts, kernel/hwcap.c k_hwcap_irq ------ */

/* Acknowledge the interrupt, find the rcv its line is bound to (0: none),
 * end the interrupt. */
uint64_t kf_irq(kf_cpu *cpu)
{
    uint32_t line = *cpu->irq_ack;
    uint64_t rcv = 0;
    if (line < cpu->nlines)
        rcv = KF(const uint64_t, cpu->hwtbl)[line];
    *cpu->irq_eoi = line;
    return rcv;
}

/* ---- K_P_IPI: kernel/xcore.c ring_open, ring_put ------------------------------- */

/* Put *word in the ring to core `to` and raise its IPI: 0 when the ring is
 * full (COS_ENOMEM for the sender). */
uint32_t kf_ipi(k_ring *ring, const uint64_t *word, kf_cpu *cpu, uint32_t to)
{
    uint32_t tail = ring->tail;
    if (tail - ring->head >= K_RING_SLOTS)
        return 0;
    ring->rcv[tail % K_RING_SLOTS] = *word;
    ring->tail = tail + 1;
    *cpu->ipi_send = to << 16 | cpu->ipi_line;
    return 1;
}

/* ---- K_P_MGMT: kernel/captbl.c k_ct_activate (a capability put in a slot) ----- */

/* The management step every object creation and capability copy runs:
 * put arg[0] (an object's address) of `type` in slot `id` of comp's
 * table, if the slot is free and was freed at least the quiescence period
 * ago (arg[1]: now, arg[2]: the period, both in ps; a free slot holds the
 * time it was freed). */
cos_err kf_mgmt(const k_comp_o *comp, uint32_t id, uint32_t type, const uint64_t *arg)
{
    if (type == COS_CAP_FREE || type >= COS_CAP_TYPES)
        return COS_ETYPE;
    if (id >= K_CT_MAX)
        return COS_ERANGE;
    uint64_t node = KF(const uint64_t, comp->captbl)[id / K_CT_L2];
    if (node == 0)
        return COS_ENOENT;
    k_slot *s = KF(k_slot, node) + id % K_CT_L2;
    if (s->type != COS_CAP_FREE)
        return COS_EEXIST;
    if (s->obj && arg[1] < s->obj + arg[2])
        return COS_EQUIESCE;
    s->type = (uint16_t)type;
    s->flags = 0;
    s->obj = arg[0];
    return COS_OK;
}

/* ---- K_P_FAULT: kernel/core.c touch_fault -------------------------------------- */

/* A user access faulted: its status and address (fault[0], fault[1], as
 * the exception stub read them) become COS_EFAULT in the thread's return
 * registers. */
void kf_fault(kf_frame *f, const kf_word *fault)
{
    f->ret[0] = COS_EFAULT;
    f->ret[1] = fault[1];
    f->ret[2] = fault[0];
    f->ret[3] = f->ret[4] = 0;
}

/* ---- K_P_REPAIR: kernel/core.c begin_path after a user-level dispatch --------- */

/* Learn the current thread from the word user level rewrote: 1 when it
 * changed. */
uint32_t kf_repair(const k_core_o *co, kf_cpu *cpu)
{
    uint64_t t = co->cur_thd;
    if (t == cpu->cur_seen)
        return 0;
    cpu->cur_seen = t;
    return 1;
}

/* ---- the user-level dispatch: kernel/thd.c k_thd_ul_switch ---------------------- */

/* At user level, in the scheduler: save the live registers into cur's
 * context, load next's, and write the shared current-thread word the
 * kernel's repair reads.  0 when next cannot be dispatched this way (cur
 * itself, another component's, not runnable, inside an invocation,
 * another core's, or with a tcap of its own other than the one running). */
uint32_t kf_ul_dispatch(k_core_o *shared, k_thd_o *cur, k_thd_o *next, kf_cpu *cpu)
{
    if (next == cur || next->comp != cur->comp || next->state != K_THD_RUNNABLE || next->depth != 0
        || next->h.core != cpu->id || (next->tcap && next->tcap != shared->cur_tcap))
        return 0;
    kf_word *live = cpu->frame;
    kf_word *save = (kf_word *)(void *)cur->regs;
    const kf_word *load = (const kf_word *)(const void *)next->regs;
    for (uint32_t i = 0; i < KF_REGS_WORDS; i++)
        save[i] = live[i];
    for (uint32_t i = 0; i < KF_REGS_WORDS; i++)
        live[i] = load[i];
    shared->cur_thd = KF_PA(next);
    return 1;
}
