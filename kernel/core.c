/* kernel/core.c: a core's event loop and kernel paths (see core.h).
 *
 * Invariant (check.c, rule 5): outside a path a core's `next` is its
 * `cur`, and the per-core current-thread word agrees with it.
 */
#include "core.h"

#include "hwcap.h"
#include "inv.h"
#include "obj.h"
#include "pgtbl.h"
#include "syscall.h"
#include "tcap.h"
#include "thd.h"
#include "trap.h"
#include "xcore.h"

#define MAX_IRQS_PER_PATH 64u

/* ---- kernel paths --------------------------------------------------------------- */

static void begin_path(k_core *c, unsigned kind)
{
    c->state = K_CORE_KERNEL;
    c->now = sim_now(c->k->s);
    c->cycles = 0;
    c->kind = kind;
    c->p_arch = c->p_instr = c->p_fetch = c->p_accesses = 0;
    c->p_walk = c->p_walks = 0;
    c->next = c->cur;
    if (c->ul_dirty) {
        /* a user-level dispatch happened here: the kernel learns the
         * current thread from the word user level rewrote */
        c->ul_dirty = false;
        k_step(c, K_P_REPAIR);
        k_touch(c, c->page + offsetof(k_core_o, cur_thd), 8, false);
        c->k->st.repairs++;
    }
    k_tcap_account(c);
}

/* Arm the core's timer for the earliest of: the current tcap's budget
 * running out, the root and current schedulers' switch timeouts. */
static void arm_timer(k_core *c)
{
    k_kernel *k = c->k;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    uint64_t end = k_cycles_at(k, c->now) + c->cycles;    /* cycles at the end of this path */
    uint64_t at = 0;
    if (co->cur_tcap) {
        uint64_t b = K_OBJ(k, k_tcap_o, co->cur_tcap)->budget;
        if (b != COS_BUDGET_INF)
            at = end + b;
    }
    /* timeouts: scheduler rcvs on this core with one set are reached
     * through the current thread's scheduler chain and the root */
    uint64_t rcvs[COS_TCAP_DELEGS + 2];
    unsigned n = 0;
    if (co->cur_thd) {
        uint64_t r = K_OBJ(k, k_thd_o, co->cur_thd)->sched;
        while (r && n < COS_TCAP_DELEGS + 1) {
            rcvs[n++] = r;
            r = K_OBJ(k, k_rcv_o, r)->parent;
        }
    }
    rcvs[n++] = c->root_rcv;
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = K_OBJ(k, k_rcv_o, rcvs[i])->timeout;
        if (t && (at == 0 || t < at))
            at = t;
    }
    if (at == co->timer_at)
        return;
    k_touch(c, c->page, sizeof *co, true);
    co->timer_at = at;
    sim_time_t when = at ? hwtimer_tick_time(k->h->cfg.freq_hz, 1, at) : SIM_TIME_MAX;
    k_arch(c, hw_timer_oneshot(k->h, c->id, when));
}

static void end_path(k_core *c)
{
    k_kernel *k = c->k;
    /* the next thread runs in its component's address space, and its user
     * code's first fetch and stack access go through the TLB */
    if (c->next) {
        uint64_t comp = K_RD(c, k_thd_o, c->next->obj, comp);
        k_pgtbl_switch(c, comp);
        k_pgtbl_resume(c, comp);
    }
    arm_timer(c);
    c->cur = c->next;
    k_path_stats *p = &k->paths[c->kind];
    p->n++;
    p->cycles += c->cycles;
    p->arch += c->p_arch;
    p->instructions += c->p_instr;
    p->fetch += c->p_fetch;
    p->walk += c->p_walk;
    p->walks += c->p_walks;
    p->data += c->cycles - c->p_arch - c->p_instr - c->p_fetch - c->p_walk;
    p->accesses += c->p_accesses;
    p->max = MAX(p->max, c->cycles);
    hw_account(k->h, c->id, c->cycles, true);
    k->st.kernel_cycles += c->cycles;
    sim_schedule(k->s, &c->ev, c->now + hw_ps(k->h, c->cycles), K_EV_PRIO);
    if (k->cfg.check && !k_check(k))
        k->st.check_failures++;
}

/* ---- the timer: budget expiry and switch timeouts --------------------------------- */

static void timer_fired(k_core *c)
{
    k_kernel *k = c->k;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    uint64_t now = k_cycles_at(k, c->now);
    k_touch(c, c->page, sizeof *co, true);
    co->timer_at = 0;
    /* budget expiry */
    uint64_t tc = co->cur_tcap;
    if (tc && K_OBJ(k, k_tcap_o, tc)->budget == 0 && c->next) {
        uint64_t thd = c->next->obj;
        k->st.expiries++;
        k_trace(c, K_EV_EXPIRE, k_thd_id(k, thd), SIM_NONE, 0, 0, 0);
        k_thd_event(c, thd, COS_SCHED_EV_EXPIRED);
        uint64_t owner = K_RD(c, k_tcap_o, tc, owner);
        /* the tcap's owner is a scheduler further up (a parent that
         * delegated it to a child scheduler): it hears of the expiry as an
         * event about its own child, the thread below it on thd's chain */
        uint64_t x = thd;
        for (unsigned i = 0; owner && i <= COS_TCAP_DELEGS; i++) {
            uint64_t r = K_RD(c, k_thd_o, x, sched);
            if (r == 0 || r == owner)
                break;
            x = K_RD(c, k_rcv_o, r, thd);
        }
        /* a tcap does not hold its owner: found on thd's chain, the
         * chain's references hold it; off the chain it may have ended (its
         * page may hold another object since), which the retype table
         * says (a charged read, off the chain only) */
        bool on_chain = owner && K_OBJ(k, k_thd_o, x)->sched == owner;
        if (on_chain && x != thd)
            k_thd_queue_event(c, owner, x, COS_SCHED_EV_EXPIRED);
        uint64_t to = 0;
        if (on_chain || (owner && k_obj_live(c, owner, COS_CAP_RCV)))
            to = K_OBJ(k, k_rcv_o, owner)->thd;
        if (to == 0 || to == thd || K_OBJ(k, k_thd_o, to)->state != K_THD_RUNNABLE
            || K_OBJ(k, k_thd_o, to)->h.core != c->id
            || (k_tcap_run(c, to, 0) && K_OBJ(k, k_tcap_o, k_tcap_run(c, to, 0))->budget == 0))
            to = k_thd_sched_next(c, thd);
        k_thd_dispatch(c, to);
    }
    /* switch timeouts on this core's schedulers */
    uint64_t r = c->next ? K_OBJ(k, k_thd_o, c->next->obj)->sched : 0;
    uint64_t chain[COS_TCAP_DELEGS + 2];
    unsigned n = 0;
    while (r && n < COS_TCAP_DELEGS + 1) {
        chain[n++] = r;
        r = K_OBJ(k, k_rcv_o, r)->parent;
    }
    chain[n++] = c->root_rcv;
    for (unsigned i = 0; i < n; i++) {
        k_rcv_o *ro = K_OBJ(k, k_rcv_o, chain[i]);
        if (ro->timeout && ro->timeout <= now) {
            K_WR(c, k_rcv_o, chain[i], timeout, 0);
            k->st.timeouts++;
            uint64_t st = ro->thd;
            k_trace(c, K_EV_TIMEOUT, k_thd_id(k, st), SIM_NONE, 0, 0, 0);
            /* the scheduler hears of it as an event about itself on its own rcv */
            k_thd_queue_event(c, chain[i], st, COS_SCHED_EV_TIMEOUT);
            k_thd_wake_sched(c, chain[i], true);
        }
    }
}

/* ---- interrupts ----------------------------------------------------------------------- */

static void take_interrupts(k_core *c)
{
    k_kernel *k = c->k;
    hwirq *irq = k->h->irq;
    begin_path(c, K_PATH_IRQ);
    c->irq_pending = false;
    k_arch(c, hw_cost(k->h, MODEL_COST_IRQ_ENTRY));
    unsigned ipi = hw_ipi_line(k->h);
    for (unsigned n = 0; n < MAX_IRQS_PER_PATH; n++) {
        unsigned line = hwirq_ack(irq, c->id, NULL);
        if (line == HWIRQ_NONE)
            break;
        for (;;) {
            k_step(c, K_P_IRQ);
            hw_interrupt_taken(k->h, c->id);
            k->st.interrupts++;
            k_trace(c, K_EV_IRQ, c->next ? k_thd_id(k, c->next->obj) : SIM_NONE, SIM_NONE, line, 0, 0);
            if (line == k->h->timer_line)
                timer_fired(c);
            else if (line == ipi)
                k_xcore_drain(c);
            else
                k_hwcap_irq(c, line);
            /* end of interrupt; the NVIC may tail-chain straight into the next */
            uint64_t tail = 0;
            unsigned next = hw_irq_done(k->h, c->id, line, &tail);
            if (next == HWIRQ_NONE)
                break;
            k_arch(c, tail);
            line = next;
        }
    }
    k_arch(c, hw_cost(k->h, MODEL_COST_IRQ_EXIT));
    end_path(c);
}

void k_irq_signal(void *kernel, unsigned core, unsigned line)
{
    (void)line;
    k_kernel *k = kernel;
    if (!k->booted)
        return;
    k_core *c = &k->core[core];
    switch (c->state) {
    case K_CORE_KERNEL:
        c->irq_pending = true;
        return;
    case K_CORE_USER: {
        /* preempt the compute or the touch: what has run is the thread's,
         * the rest waits for it */
        uint64_t done;
        if (c->streaming) {
            done = hwstream_stop(k->h, c->id, &c->cur->stream);
            c->cur->streaming = true;
            c->streaming = false;
        } else {
            sim_deschedule(k->s, &c->ev);
            done = k_cycles_now(k) - k_cycles_at(k, c->user_since);
            if (done > c->compute_cycles)
                done = c->compute_cycles;
            c->cur->compute_left = c->compute_cycles - done;
        }
        hw_account(k->h, c->id, done, false);
        k->st.user_cycles += done;
        break;
    }
    case K_CORE_IDLE:
        break;
    }
    take_interrupts(c);
}

/* ---- user work -------------------------------------------------------------------------- */

static void start_compute(k_core *c, uint64_t cycles)
{
    k_kernel *k = c->k;
    c->state = K_CORE_USER;
    c->user_since = sim_now(k->s);
    c->compute_cycles = cycles;
    /* end at the first picosecond at which the cycle counter has advanced
     * by `cycles` from where it stands now */
    uint64_t end = k_cycles_at(k, c->user_since) + cycles;
    sim_schedule(k->s, &c->ev, hwtimer_tick_time(k->h->cfg.freq_hz, 1, end), K_EV_PRIO);
}

/* A touch that faulted: exception entry, the kernel turns it into an
 * error for the thread (a k.fault event names the thread, the component
 * it was in, whose access it was, and the address). */
static void touch_fault(k_core *c, k_thread *t, uint64_t vaddr, uint64_t len, bool write)
{
    k_kernel *k = c->k;
    hw *h = k->h;
    begin_path(c, K_PATH_FAULT);
    k_arch(c, hw_cost(h, MODEL_COST_EXCEPTION_ENTRY));
    k_step(c, K_P_FAULT);
    k_arch(c, hw_cost(h, MODEL_COST_EXCEPTION_EXIT));
    k->st.faults++;
    k_trace(c, K_EV_FAULT, t->id, K_OBJ(k, k_comp_o, K_OBJ(k, k_thd_o, t->obj)->comp)->id, (int64_t)vaddr,
            (int64_t)len, write);
    t->ret = (cos_ret){ .err = COS_EFAULT };
    t->req = K_REQ_NONE;
    end_path(c);
}

/* Run thread t's touch (new, or the rest of one stopped part way) as a
 * stream of user accesses: its end is the core's event. */
static void start_stream(k_core *c, k_thread *t)
{
    c->state = K_CORE_USER;
    c->streaming = true;
    t->streaming = false;
    hwstream_start(c->k->h, c->id, &t->stream, &c->ev, K_EV_PRIO);
}

/* A user memory access by thread t: its lines in time, as user time
 * (model/stream.h); a fault ends it as a kernel path (touch_fault). */
static void user_touch(k_core *c, k_thread *t, bool words)
{
    uint64_t len = t->a[1];
    bool write = t->a[2] != 0;
    hwstream st = { .write = write };
    bool ok;
    if (words) {
        /* a[0]: the addresses (host memory of the caller's, there until
         * the stream ends: the caller waits for it), a[1]: how many */
        st.words = (const uint64_t *)(uintptr_t)t->a[0];
        st.nwords = len;
        st.work = t->a[3];
        if (t->a[4]) {
            st.mixed = true;
            st.write_from = t->a[4] - 1;
        }
        ok = len >= 1 && len <= COS_TOUCH_WORDS_MAX;
    } else {
        st.vaddr = t->a[0];
        st.len = len;
        st.work = t->a[3];
        ok = len != 0 && len <= COS_PAGE_SIZE && st.vaddr + len > st.vaddr;
    }
    if (!ok) {
        touch_fault(c, t, words ? 0 : t->a[0], words ? 8 : len, write);
        return;
    }
    t->stream = st;
    start_stream(c, t);
}

/* ---- the kernel's side of a trap ------------------------------------------------------ */

static void kernel_path(k_core *c, k_thread *t)
{
    k_kernel *k = c->k;
    begin_path(c, t->req == K_REQ_SRET ? K_PATH_SRET
                  : t->req == K_REQ_EXIT ? K_PATH_EXIT
                  : t->op > 0 && t->op < COS_OPS ? (unsigned)t->op : 0);
    k_arch(c, hw_cost(k->h, MODEL_COST_SYSCALL_ENTRY));
    k_step(c, K_P_ENTRY);
    switch (t->req) {
    case K_REQ_CALL:
        k->st.syscalls++;
        t->ret = k_syscall(c, t);
        if (t->ret.err) {
            k->st.errors++;
            k_trace(c, K_EV_ERROR, t->id, SIM_NONE, t->op, t->ret.err, t->cap);
        }
        break;
    case K_REQ_SRET:
        t->ret = k_inv_sret(c, t, t->a[0]);
        break;
    case K_REQ_EXIT:
        k_trace(c, K_EV_EXIT, t->id, SIM_NONE, 0, 0, 0);
        k_thd_block(c, t->obj, K_THD_EXITED, 0);
        break;
    default:
        g_assert_not_reached();
    }
    t->req = K_REQ_NONE;
    k_step(c, K_P_EXIT);
    k_arch(c, hw_cost(k->h, MODEL_COST_SYSCALL_EXIT));
    end_path(c);
}

/* Run the core's current thread until it asks for something that takes
 * time. */
static void enter_thread(k_core *c)
{
    k_kernel *k = c->k;
    k_thread *t = c->cur;
    for (;;) {
        if (t->compute_left) {
            start_compute(c, t->compute_left);
            return;
        }
        if (t->streaming) {
            start_stream(c, t);
            return;
        }
        if (simctx_finished(t->ctx)) {
            /* only a thread the kernel already saw exit could be here, and
             * the kernel never dispatches an exited thread */
            g_assert_not_reached();
        }
        c->state = K_CORE_USER;
        k_trap_enter(k, t);
        switch (t->req) {
        case K_REQ_COMPUTE:
            t->compute_left = t->a[0];
            t->req = K_REQ_NONE;
            continue;
        case K_REQ_ULSWITCH:
            t->req = K_REQ_NONE;
            t = k_thd_ul_switch(c, t);
            continue;
        case K_REQ_TOUCH:
        case K_REQ_TOUCHV: {
            bool words = t->req == K_REQ_TOUCHV;
            t->req = K_REQ_NONE;
            user_touch(c, t, words);
            return;         /* a stream, or a kernel path for a fault, is under way */
        }
        case K_REQ_CALL:
        case K_REQ_SRET:
        case K_REQ_EXIT:
            kernel_path(c, t);
            return;
        case K_REQ_NONE:
            g_assert_not_reached();
        }
    }
}

void k_core_event(void *owner, simq_event *ev)
{
    (void)owner;
    k_core *c = (k_core *)((char *)ev - offsetof(k_core, ev));
    k_kernel *k = c->k;
    if (c->state == K_CORE_USER && c->streaming) {
        /* the touch's stream ended */
        hwstream st;
        uint64_t ran = hwstream_end(k->h, c->id, &st);
        c->streaming = false;
        hw_account(k->h, c->id, ran, false);
        k->st.user_cycles += ran;
        if (st.fault) {
            touch_fault(c, c->cur, st.words ? st.words[st.pos] : st.vaddr, st.words ? 8 : st.len, st.write);
            return;
        }
        c->cur->ret = (cos_ret){ .err = COS_OK };
    } else if (c->state == K_CORE_USER) {
        /* the compute ran to its end */
        hw_account(k->h, c->id, c->compute_cycles, false);
        k->st.user_cycles += c->compute_cycles;
        c->cur->compute_left = 0;
    } else if (c->irq_pending) {
        take_interrupts(c);
        return;
    }
    if (c->cur == NULL) {
        c->state = K_CORE_IDLE;
        return;
    }
    enter_thread(c);
}
