/* compare/rtos/rtos.c: the RTOS as the simulator runs it (see rtos.h).
 *
 * The core's one event (ev) ends what the core is doing: a task's compute
 * or touch, or a kernel path.  Then dispatch() takes any deliverable
 * exception (exceptions(): PendSV, SVCall, SysTick, MemManage, device
 * interrupts, tail-chained as the NVIC says), or runs the current task's
 * next operation.  Layer: calls core.c (what changes) and port.c (what it
 * costs, what the hardware does); nothing calls back.
 */
#include "rtos.h"

#include <stddef.h>
#include <string.h>
#include "rtcore/core.h"
#include "port.h"

#define RT_EV_PRIO 64u          /* after the interrupt controller's signals (model/irq.h) */
#define RT_BASE 0x100u          /* the first byte the RTOS uses (0 is the null link) */
#define RT_TCB_BYTES 128u
#define RT_QUEUE_BYTES 64u
#define RT_MARK_SLOTS 4u
#define RT_CONTEXT_BYTES 32u    /* r4-r11 (PendSV), or the exception frame r0-r3, r12, lr, pc, xPSR */
#define RT_IDLE_CYCLES (UINT64_C(1) << 32)

/* A task as the system keeps it on the host: its program and where it is
 * in it (its TCB and stack are in the machine's RAM). */
typedef struct rt_taskrec {
    uint32_t tcb, stack, buf;
    rt_op *ops;
    unsigned nops, pc;
    bool computing;             /* the COMPUTE or TOUCH at pc has started */
    uint64_t left;              /* its cycles still to run */
    bool in_op;                 /* a queue operation blocked: call again (FreeRTOS's retry loop) */
    uint32_t until;             /* its timeout tick */
    unsigned last;
    bool faulted;
    hwmpu layout;
    GArray *marks[RT_MARK_SLOTS];
} rt_taskrec;

struct rt_sys {
    simq_event ev;              /* first: the event's owner is the system */
    sim *s;
    hw *h;
    rt_config cfg;
    rtp port;
    rtc_kernel *k;
    uint32_t kaddr, next, end;
    rt_taskrec task[RT_MAX_TASKS + 1];     /* [0]: the idle task */
    unsigned ntasks;
    uint32_t queue[RT_MAX_QUEUES];
    unsigned item[RT_MAX_QUEUES], nqueues;
    struct { unsigned line, sem; } isr[RT_MAX_ISRS];
    unsigned nisrs;
    enum { RT_STOPPED, RT_USER, RT_KERNEL } state;
    sim_time_t user_since;
    uint64_t user_planned;
    sim_time_t tick_ps, next_tick;
    unsigned zero_ops;
    rt_stats st;
};

static uint32_t alloc(rt_sys *r, uint32_t bytes, uint32_t align)
{
    uint32_t a = (r->next + align - 1) & ~(align - 1);
    if (a < r->next || (uint64_t)a + bytes > r->end)
        return 0;
    r->next = a + bytes;
    memset(hwmem_ram(r->h->mem, a), 0, bytes);
    return a;
}

static rt_taskrec *current(rt_sys *r)
{
    for (unsigned i = 0; i < r->ntasks; i++)
        if (r->task[i].tcb == r->k->cur)
            return &r->task[i];
    g_assert_not_reached();
}

static void rt_signal(void *ctx, unsigned core, unsigned line);
static void on_event(void *owner, simq_event *ev);

/* ---- set-up ----------------------------------------------------------------------- */

static const rt_op idle_ops[] = { { RT_OP_COMPUTE, 0, 0, RT_IDLE_CYCLES }, { RT_OP_JUMP, 0, 0, 0 } };

static int add_task(rt_sys *r, const rt_task_config *c, GError **error)
{
    unsigned id = r->ntasks;
    rt_taskrec *t = &r->task[id];
    uint32_t sb = r->cfg.stack_bytes;
    t->tcb = r->kaddr + 256u + id * RT_TCB_BYTES;
    t->stack = alloc(r, sb, sb);
    if (t->stack == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "rtos: no memory for task %u's stack", id);
        return -1;
    }
    t->buf = t->stack + 64u;    /* the task's item buffer: a local on its stack */
    /* the MPU layout: the default map for privileged code, the task's
     * stack and data regions for itself */
    t->layout = r->h->core[0].mpu;
    memset(t->layout.r, 0, sizeof t->layout.r);
    t->layout.ctrl = HWMPU_CTRL_ENABLE | HWMPU_CTRL_PRIVDEFENA;
    unsigned log2 = (unsigned)g_bit_nth_msf(sb, -1);
    if (!hw_mpu_region(r->h, &t->layout, RTP_FIRST_TASK_REGION, t->stack, log2, HW_MAP_WRITE))
        g_assert_not_reached();
    for (unsigned i = 0; i < RT_DATA_REGIONS; i++) {
        const rt_region *g = &c->region[i];
        if (g->log2 == 0)
            continue;
        if (g->log2 < 5 || g->log2 > 31 ||
            !hw_mpu_region(r->h, &t->layout, RTP_FIRST_TASK_REGION + 1 + i, g->base, g->log2,
                           g->write ? HW_MAP_WRITE : 0)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "rtos: region %u (0x%x, 2^%u bytes) is not one the MPU takes (a power of two from 32 "
                        "bytes, aligned to its size)", i + 1, g->base, g->log2);
            return -1;
        }
    }
    t->ops = g_memdup2(c->ops, sizeof *c->ops * c->nops);
    t->nops = c->nops;
    for (unsigned i = 0; i < RT_MARK_SLOTS; i++)
        t->marks[i] = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
    rtc_task_init(r->k, t->tcb, c->prio, id, t->stack, sb);
    r->ntasks++;
    return (int)id;
}

rt_sys *rt_new(sim *s, hw *h, const rt_config *cfg, GError **error)
{
    rt_sys *r = g_new0(rt_sys, 1);
    r->s = s;
    r->h = h;
    r->cfg = *cfg;
    if (r->cfg.tick_hz == 0)
        r->cfg.tick_hz = 1000;
    if (r->cfg.stack_bytes == 0)
        r->cfg.stack_bytes = 1024;
    if (r->cfg.item_max == 0)
        r->cfg.item_max = 64;
    if (r->cfg.stack_bytes < 256 || (r->cfg.stack_bytes & (r->cfg.stack_bytes - 1))) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "rtos: stack_bytes must be a power of two of at least 256");
        g_free(r);
        return NULL;
    }
    if (r->cfg.item_max > r->cfg.stack_bytes / 4 || r->cfg.item_max % 4) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "rtos: item_max must be a multiple of 4 of at most a quarter of the stack");
        g_free(r);
        return NULL;
    }
    if (!rtp_init(&r->port, h, RT_BASE, error)) {
        g_free(r);
        return NULL;
    }
    r->next = RT_BASE;
    r->end = (uint32_t)MIN(h->mem->cfg.size, (uint64_t)UINT32_MAX);
    alloc(r, rtp_text_bytes(), 32);
    /* the kernel block, then the TCBs (idle first) */
    r->kaddr = alloc(r, 256u + (RT_MAX_TASKS + 1) * RT_TCB_BYTES + RT_MAX_QUEUES * RT_QUEUE_BYTES, 64);
    if (r->kaddr == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "rtos: too little memory");
        g_free(r);
        return NULL;
    }
    r->k = hwmem_ram(h->mem, r->kaddr);
    rtc_init(r->k, r->kaddr);
    rt_task_config idle = { .prio = 0, .ops = idle_ops, .nops = G_N_ELEMENTS(idle_ops) };
    if (add_task(r, &idle, error) < 0) {
        g_free(r);
        return NULL;
    }
    simq_event_init(&r->ev, on_event);
    r->tick_ps = (sim_time_t)(SIM_S / r->cfg.tick_hz);
    hw_set_signal(h, rt_signal, r);
    return r;
}

void rt_free(rt_sys *r)
{
    if (r == NULL)
        return;
    if (r->ev.pos)
        sim_deschedule(r->s, &r->ev);
    hw *h = r->h;
    if (r->state != RT_STOPPED) {
        hw_timer_oneshot(h, 0, SIM_TIME_MAX);
        hwirq_clear_pending(h->irq, 0, RTP_PENDSV);
        hwirq_clear_pending(h->irq, 0, RTP_SVCALL);
        hwirq_clear_pending(h->irq, 0, h->timer_line);
        for (unsigned i = 0; i < r->nisrs; i++)
            hwirq_clear_pending(h->irq, 0, r->isr[i].line);
    }
    hw_set_signal(h, NULL, NULL);
    for (unsigned i = 0; i < r->ntasks; i++) {
        g_free(r->task[i].ops);
        for (unsigned j = 0; j < RT_MARK_SLOTS; j++)
            g_array_free(r->task[i].marks[j], TRUE);
    }
    g_free(r);
}

int rt_task(rt_sys *r, const rt_task_config *c, GError **error)
{
    g_assert(r->state == RT_STOPPED);
    if (r->ntasks > RT_MAX_TASKS) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "rtos: at most %u tasks", RT_MAX_TASKS);
        return -1;
    }
    if (c->prio < 1 || c->prio >= RTC_PRIOS) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "rtos: a task's priority is 1 to %u, not %u",
                    RTC_PRIOS - 1, c->prio);
        return -1;
    }
    if (c->nops == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "rtos: a task needs operations");
        return -1;
    }
    for (unsigned i = 0; i < c->nops; i++) {
        const rt_op *o = &c->ops[i];
        bool q = o->kind == RT_OP_SEND || o->kind == RT_OP_RECV, sem = o->kind == RT_OP_GIVE || o->kind == RT_OP_TAKE;
        const char *bad = NULL;
        if ((q || sem) && (o->a >= r->nqueues || (q && r->item[o->a] == 0) || (sem && r->item[o->a] != 0)))
            bad = q ? "names no queue" : "names no semaphore";
        else if (o->kind == RT_OP_JUMP && o->a >= c->nops)
            bad = "jumps outside the task's operations";
        else if (o->kind == RT_OP_MARK && o->a >= RT_MARK_SLOTS)
            bad = "marks a slot beyond 3";
        else if (o->kind == RT_OP_TOUCH && (o->a == 0 || o->b + o->a > r->end))
            bad = "touches memory the machine does not have";
        if (bad) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "rtos: operation %u %s", i + 1, bad);
            return -1;
        }
    }
    return add_task(r, c, error);
}

int rt_queue(rt_sys *r, unsigned length, unsigned item_size, GError **error)
{
    g_assert(r->state == RT_STOPPED);
    if (r->nqueues >= RT_MAX_QUEUES || length == 0 || length > 1024 || item_size > r->cfg.item_max
        || item_size % 4 || (item_size == 0 && length != 1)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "rtos: a queue has 1 to 1024 items of a multiple of 4 bytes up to %u (a semaphore: one of "
                    "none), at most %u queues", r->cfg.item_max, RT_MAX_QUEUES);
        return -1;
    }
    uint32_t storage = 0;
    if (item_size && (storage = alloc(r, length * item_size, 4)) == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "rtos: no memory for the queue's items");
        return -1;
    }
    unsigned id = r->nqueues++;
    r->queue[id] = r->kaddr + 256u + (RT_MAX_TASKS + 1) * RT_TCB_BYTES + id * RT_QUEUE_BYTES;
    r->item[id] = item_size;
    rtc_queue_init(r->k, r->queue[id], storage, length, item_size);
    return (int)id;
}

bool rt_isr(rt_sys *r, unsigned line, unsigned sem, GError **error)
{
    if (r->nisrs >= RT_MAX_ISRS || line < 16 || hwirq_check_line(r->h->irq, line) != HWIRQ_OK || sem >= r->nqueues
        || r->item[sem] != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "rtos: an ISR needs a device line (16 to %u) and a semaphore, at most %u ISRs",
                    hwirq_nlines(r->h->irq) - 1, RT_MAX_ISRS);
        return false;
    }
    r->isr[r->nisrs].line = line;
    r->isr[r->nisrs].sem = sem;
    r->nisrs++;
    return true;
}

void rt_start(rt_sys *r)
{
    g_assert(r->state == RT_STOPPED);
    unsigned lines[RT_MAX_ISRS];
    for (unsigned i = 0; i < r->nisrs; i++)
        lines[i] = r->isr[i].line;
    /* configMAX_SYSCALL_INTERRUPT_PRIORITY 5 (of 16): the ISRs may call the
     * FromISR API */
    rtp_priorities(&r->port, lines, r->nisrs, 5u << 4);
    rtc_switch_context(r->k);
    if (r->cfg.mpu)
        hw_mpu_program(r->h, 0, &current(r)->layout);      /* at start: not timed */
    sim_time_t now = sim_now(r->s);
    r->next_tick = now + r->tick_ps;
    hw_timer_oneshot(r->h, 0, r->next_tick);
    r->state = RT_KERNEL;
    sim_schedule(r->s, &r->ev, now, RT_EV_PRIO);
}

/* ---- running ------------------------------------------------------------------------ */

static uint64_t cycles_of(const rt_sys *r, sim_time_t ps)
{
    return (uint64_t)(((unsigned __int128)ps * r->h->cfg.freq_hz) / SIM_S);
}

static void finish(rt_sys *r, uint64_t cycles)
{
    r->st.kernel_cycles += cycles;
    r->state = RT_KERNEL;
    sim_schedule(r->s, &r->ev, sim_now(r->s) + hw_ps(r->h, cycles), RT_EV_PRIO);
}

static void start_user(rt_sys *r, rt_taskrec *t, uint64_t cycles)
{
    r->state = RT_USER;
    r->user_since = sim_now(r->s);
    r->user_planned = cycles;
    sim_schedule(r->s, &r->ev, r->user_since + hw_ps(r->h, cycles), RT_EV_PRIO);
}

static void user_ran(rt_sys *r, rt_taskrec *t, uint64_t done)
{
    hw_account(r->h, 0, done, false);
    r->st.user_cycles += done;
    t->left -= done;
    if (t->left == 0) {
        t->computing = false;
        t->pc++;
    }
}

static void context(rt_sys *r, const rt_taskrec *t, bool write, uint32_t extra)
{
    rtp_touch(&r->port, t->tcb, 4 + (r->cfg.mpu && !write ? 4 * RTC_MPU_WORDS : 0), write);
    rtp_touch(&r->port, RTC(rtc_tcb, r->k, t->tcb)->sp - RT_CONTEXT_BYTES - extra, RT_CONTEXT_BYTES + extra, write);
}

/* PendSV: save the current task, choose, load the next. */
static void context_switch(rt_sys *r)
{
    rtp *p = &r->port;
    uint32_t ctl = r->cfg.mpu ? 4 : 0;
    rtp_port(p, r->cfg.mpu ? RT_P_PENDSV_MPU : RT_P_PENDSV);
    context(r, current(r), true, ctl);
    rtc_switch_context(r->k);
    rtp_core(p, RT_C_SWITCH, 1);
    rtp_touch(p, r->kaddr, sizeof(rtc_kernel), true);
    rt_taskrec *t = current(r);
    if (r->cfg.mpu) {
        rtp_mpu_load(p, &t->layout);
        r->st.mpu_writes = p->mpu_writes;
    }
    context(r, t, false, ctl);
    r->st.switches++;
}

static bool woke_one(const rtc_list *before, const rtc_list *after)
{
    return after->n < before->n;
}

static void handle(rt_sys *r, unsigned line)
{
    rtp *p = &r->port;
    rtc_kernel *k = r->k;
    if (line == RTP_PENDSV) {
        context_switch(r);
    } else if (line == RTP_SVCALL) {
        rtp_port(p, RT_P_SVC_YIELD);
        rtp_pend(p, RTP_PENDSV);
        r->st.syscalls++;
    } else if (line == r->h->timer_line) {
        r->st.ticks++;
        uint32_t delayed = k->delayed.n;
        uint32_t flags = rtc_tick(k);
        rtp_port(p, RT_P_SYSTICK);
        uint32_t woke = delayed - k->delayed.n;
        if (woke)
            rtp_core(p, RT_C_TICK_WAKE, woke);
        else
            rtp_core(p, RT_C_TICK, 1);
        rtp_touch(p, r->kaddr, sizeof(rtc_kernel), true);
        /* SysTick reloads itself: the model's one-shot is re-armed for the
         * next tick at no cost */
        r->next_tick += r->tick_ps;
        hw_timer_oneshot(r->h, 0, r->next_tick);
        if (flags & RTC_SWITCH)
            rtp_pend(p, RTP_PENDSV);
    } else if (line == RTP_MEMMANAGE) {
        rt_taskrec *t = current(r);
        rtp_port(p, RT_P_FAULT);
        rtc_suspend(k, t->tcb);
        rtp_core(p, RT_C_SUSPEND, 1);
        t->faulted = true;
        r->st.faults++;
        rtp_pend(p, RTP_PENDSV);
    } else {
        for (unsigned i = 0; i < r->nisrs; i++) {
            if (r->isr[i].line != line)
                continue;
            uint32_t q = r->queue[r->isr[i].sem];
            rtc_list before = RTC(rtc_queue, k, q)->receivers;
            rtp_port(p, RT_P_ISR);
            uint32_t res = rtc_queue_send_isr(k, q, 0);
            bool woke = woke_one(&before, &RTC(rtc_queue, k, q)->receivers);
            rtp_core(p, woke ? RT_C_GIVE_ISR : RT_C_GIVE, 1);
            rtp_touch(p, q, sizeof(rtc_queue), true);
            if (woke)
                rtp_touch(p, before.first, 2 * sizeof(rtc_node), true);
            if (res & RTC_SWITCH)
                rtp_pend(p, RTP_PENDSV);
            r->st.interrupts++;
        }
    }
}

/* Take the deliverable exceptions, tail-chained, in one path. */
static void exceptions(rt_sys *r)
{
    rtp *p = &r->port;
    rtp_begin(p, sim_now(r->s));
    unsigned line = rtp_enter(p);
    if (line != HWIRQ_NONE) {
        /* the hardware stacks the interrupted context on the task's stack */
        context(r, current(r), true, 0);
        while (line != HWIRQ_NONE) {
            handle(r, line);
            line = rtp_return(p, line);
        }
        context(r, current(r), false, 0);
    }
    finish(r, rtp_end(p));
}

/* The task's operation at its pc that calls the RTOS. */
static void api(rt_sys *r, rt_taskrec *t, const rt_op *op)
{
    rtp *p = &r->port;
    rtc_kernel *k = r->k;
    bool mpu = r->cfg.mpu;
    rtp_begin(p, sim_now(r->s));
    if (op->kind == RT_OP_YIELD) {
        /* taskYIELD: a store to ICSR, or FreeRTOS-MPU's SVC */
        if (mpu) {
            rtp_arch(p, hw_instructions(r->h, 1));
            rtp_pend(p, RTP_SVCALL);
        } else {
            rtp_port(p, RT_P_YIELD);
            rtp_pend(p, RTP_PENDSV);
        }
        t->pc++;
        finish(r, rtp_end(p));
        return;
    }
    if (!t->in_op) {
        rtp_port(p, RT_P_CALL);
        if (mpu) {
            /* MPU_ wrapper: raise privilege through an SVC */
            rtp_port(p, RT_P_MPU_WRAP);
            rtp_arch(p, hw_cost(r->h, MODEL_COST_SYSCALL_ENTRY));
            rtp_port(p, RT_P_SVC);
            rtp_arch(p, hw_cost(r->h, MODEL_COST_SYSCALL_EXIT));
            r->st.syscalls++;
        }
        uint32_t ticks = op->t;
        t->until = op->kind == RT_OP_DELAY || op->kind == RT_OP_END || ticks == 0 ? 0
                 : ticks == RT_FOREVER ? RTC_FOREVER : k->tick + ticks;
    }
    rtp_port(p, RT_P_CRIT);
    rtp_touch(p, t->tcb, sizeof(rtc_tcb), true);
    uint32_t res = RTC_OK;
    if (op->kind == RT_OP_DELAY) {
        res = rtc_delay(k, op->a);
        rtp_core(p, op->a ? RT_C_DELAY : RT_C_YIELD, 1);
        rtp_touch(p, r->kaddr, sizeof(rtc_kernel), true);
    } else if (op->kind == RT_OP_END) {
        res = rtc_suspend(k, t->tcb);
        rtp_core(p, RT_C_SUSPEND, 1);
        rtp_touch(p, r->kaddr, sizeof(rtc_kernel), true);
    } else {
        uint32_t q = r->queue[op->a];
        rtc_queue *qu = RTC(rtc_queue, k, q);
        bool send = op->kind == RT_OP_SEND || op->kind == RT_OP_GIVE;
        rtc_list before = send ? qu->receivers : qu->senders;
        uint32_t slot = qu->storage + (send ? qu->write : qu->read) * qu->item_size;
        res = send ? rtc_queue_send(k, q, t->buf, t->until) : rtc_queue_recv(k, q, t->buf, t->until);
        bool woke = woke_one(&before, send ? &qu->receivers : &qu->senders);
        rtc_result rr = RTC_RESULT(res);
        unsigned words = r->item[op->a] / 4;
        rt_core_step s;
        if (rr == RTC_BLOCKED_NOW)
            s = op->kind == RT_OP_SEND ? RT_C_SEND_BLOCK : op->kind == RT_OP_RECV ? RT_C_RECV_BLOCK : RT_C_TAKE_BLOCK;
        else if (rr != RTC_OK)
            s = RT_C_RECV_EMPTY;
        else if (op->kind == RT_OP_SEND)
            s = woke ? RT_C_SEND_WAKE : RT_C_SEND;
        else if (op->kind == RT_OP_RECV)
            s = woke ? RT_C_RECV_WAKE : RT_C_RECV;
        else if (op->kind == RT_OP_GIVE)
            s = woke ? RT_C_GIVE_WAKE : RT_C_GIVE;
        else
            s = RT_C_TAKE;
        rtp_core(p, s, 1);
        rtp_touch(p, q, sizeof(rtc_queue), true);
        if (rr == RTC_OK && words) {
            rtp_core(p, send ? RT_C_SEND_WORD : RT_C_RECV_WORD, words - 1);
            rtp_touch(p, t->buf, words * 4, !send);
            rtp_touch(p, slot, words * 4, send);
        }
        if (woke || rr == RTC_BLOCKED_NOW)
            rtp_touch(p, r->kaddr, sizeof(rtc_kernel), true);
        if (woke)
            rtp_touch(p, RTC(rtc_node, k, before.first)->owner, sizeof(rtc_tcb), true);
    }
    if (res & RTC_SWITCH) {
        /* portYIELD_WITHIN_API */
        if (mpu) {
            rtp_arch(p, hw_instructions(r->h, 1));
            rtp_pend(p, RTP_SVCALL);
        } else {
            rtp_port(p, RT_P_YIELD);
            rtp_pend(p, RTP_PENDSV);
        }
    }
    if (RTC_RESULT(res) == RTC_BLOCKED_NOW) {
        t->in_op = true;
    } else {
        t->in_op = false;
        if (op->kind != RT_OP_DELAY && op->kind != RT_OP_END)
            t->last = RTC_RESULT(res);
        if (op->kind != RT_OP_END)
            t->pc++;
    }
    finish(r, rtp_end(p));
}

/* A task's loads or stores: through the MPU (unprivileged with it), then
 * the caches, as the task's own time. */
static void touch(rt_sys *r, rt_taskrec *t, const rt_op *op)
{
    hw *h = r->h;
    hwmpu_fault f;
    if (r->cfg.mpu && !hwmpu_check(&h->core[0].mpu, (uint32_t)op->b, op->a, op->t ? HWMPU_WRITE : HWMPU_READ, false, &f)) {
        rtp_pend(&r->port, RTP_MEMMANAGE);
        return;
    }
    uint64_t ls = h->cfg.mem.has_l1 ? h->cfg.mem.l1d.line : 32, cycles = 0;
    for (uint64_t a = op->b & ~(ls - 1); a < op->b + op->a; a += ls)
        cycles += hw_access(h, 0, a, 1, op->t ? HWMEM_WRITE : HWMEM_READ, sim_now(r->s) + hw_ps(h, cycles));
    t->computing = true;
    t->left = cycles ? cycles : 1;
    start_user(r, t, t->left);
}

static void dispatch(rt_sys *r)
{
    for (;;) {
        if (hwirq_pending(r->h->irq, 0) != HWIRQ_NONE) {
            exceptions(r);
            return;
        }
        rt_taskrec *t = current(r);
        if (t->pc >= t->nops || ++r->zero_ops > 4 * t->nops + 8) {
            /* past its last operation, or looping without spending time:
             * the task ends */
            static const rt_op end = { RT_OP_END, 0, 0, 0 };
            r->zero_ops = 0;
            api(r, t, &end);
            return;
        }
        const rt_op *op = &t->ops[t->pc];
        switch (op->kind) {
        case RT_OP_MARK: {
            sim_time_t now = sim_now(r->s);
            g_array_append_val(t->marks[op->a], now);
            t->pc++;
            continue;
        }
        case RT_OP_JUMP:
            t->pc = op->a;
            continue;
        case RT_OP_FLUSH:
            hw_flush_cold(r->h, 0);
            t->pc++;
            continue;
        case RT_OP_COMPUTE:
            r->zero_ops = 0;
            if (op->b == 0) {
                t->pc++;
                continue;
            }
            if (!t->computing) {
                t->computing = true;
                t->left = op->b;
            }
            start_user(r, t, t->left);
            return;
        case RT_OP_TOUCH:
            r->zero_ops = 0;
            if (t->computing) {
                start_user(r, t, t->left);
                return;
            }
            touch(r, t, op);
            if (r->state != RT_USER)
                continue;       /* it faulted: MemManage is pending */
            return;
        default:
            r->zero_ops = 0;
            api(r, t, op);
            return;
        }
    }
}

static void on_event(void *owner, simq_event *ev)
{
    (void)owner;
    rt_sys *r = (rt_sys *)(void *)((char *)ev - offsetof(rt_sys, ev));
    if (r->state == RT_USER)
        user_ran(r, current(r), r->user_planned);
    r->state = RT_KERNEL;
    dispatch(r);
}

static void rt_signal(void *ctx, unsigned core, unsigned line)
{
    (void)core;
    (void)line;
    rt_sys *r = ctx;
    if (r->state != RT_USER)
        return;     /* a kernel path: taken at its end (dispatch) */
    /* preempt the task's compute or touch: the rest waits for it */
    sim_deschedule(r->s, &r->ev);
    uint64_t done = cycles_of(r, sim_now(r->s) - r->user_since);
    if (done > r->user_planned)
        done = r->user_planned;
    user_ran(r, current(r), done);
    r->state = RT_KERNEL;
    exceptions(r);
}

/* ---- inspection ---------------------------------------------------------------------- */

const rt_stats *rt_get_stats(const rt_sys *r)
{
    return &r->st;
}

const char *rt_task_state(const rt_sys *r, unsigned task)
{
    if (task >= r->ntasks)
        return "none";
    if (r->task[task].faulted)
        return "faulted";
    switch (RTC(rtc_tcb, r->k, r->task[task].tcb)->state) {
    case RTC_READY: return "ready";
    case RTC_BLOCKED: return "blocked";
    default: return "suspended";
    }
}

const sim_time_t *rt_marks(const rt_sys *r, unsigned task, unsigned slot, unsigned *n)
{
    g_assert(task < r->ntasks && slot < RT_MARK_SLOTS);
    *n = r->task[task].marks[slot]->len;
    return (const sim_time_t *)(const void *)r->task[task].marks[slot]->data;
}

unsigned rt_last_result(const rt_sys *r, unsigned task)
{
    g_assert(task < r->ntasks);
    return r->task[task].last;
}

uint32_t rt_tick(const rt_sys *r) { return r->k->tick; }
hw *rt_hw(const rt_sys *r) { return r->h; }

int rt_current(const rt_sys *r)
{
    if (r->state == RT_STOPPED)
        return -1;
    return (int)RTC(rtc_tcb, r->k, r->k->cur)->id;
}

const hwmpu *rt_task_layout(const rt_sys *r, unsigned task)
{
    g_assert(task < r->ntasks);
    return &r->task[task].layout;
}

/* A list's links, owner and count agree; a sorted one is in key order. */
static bool list_ok(const rt_sys *r, const rtc_list *l, uint32_t list_addr, bool sorted)
{
    const rtc_kernel *k = r->k;
    uint32_t n = 0, prev = 0, at = l->first, key = 0;
    while (at) {
        const rtc_node *x = RTC(const rtc_node, k, at);
        if (x->prev != prev || x->list != list_addr || (sorted && x->key < key) || ++n > RT_MAX_TASKS + 1)
            return false;
        key = x->key;
        prev = at;
        at = x->next;
    }
    return n == l->n && l->last == prev;
}

bool rt_check(const rt_sys *r)
{
    const rtc_kernel *k = r->k;
    for (unsigned p = 0; p < RTC_PRIOS; p++) {
        if (((k->ready_bits >> p) & 1u) != (k->ready[p].n != 0))
            return false;
        if (!list_ok(r, &k->ready[p], k->self + (uint32_t)offsetof(rtc_kernel, ready[p]), false))
            return false;
    }
    if (!list_ok(r, &k->delayed, k->self + (uint32_t)offsetof(rtc_kernel, delayed), true))
        return false;
    for (unsigned i = 0; i < r->nqueues; i++) {
        const rtc_queue *q = RTC(const rtc_queue, k, r->queue[i]);
        if (q->count > q->length ||
            !list_ok(r, &q->senders, r->queue[i] + (uint32_t)offsetof(rtc_queue, senders), true) ||
            !list_ok(r, &q->receivers, r->queue[i] + (uint32_t)offsetof(rtc_queue, receivers), true))
            return false;
    }
    for (unsigned i = 0; i < r->ntasks; i++) {
        const rtc_tcb *t = RTC(const rtc_tcb, k, r->task[i].tcb);
        if (t->event_node.list && t->state == RTC_READY)
            return false;
    }
    return true;
}
