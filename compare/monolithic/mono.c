/* compare/monolithic/mono.c: the monolithic kernel (mono.h): a core's
 * event loop, system-call and interrupt paths, pipes, futexes, interrupt
 * threads, and setting a system up.
 *
 * A path runs at one instant in the engine and charges its cycles (its
 * steps, its accesses, the preset's arch costs); the core's event at its
 * end resumes the thread it chose at user level, as kernel/core.c does.
 * Paths are not preemptible: an interrupt that arrives during one is
 * taken when it ends.  The return to user level costs what the thread's
 * own entry was: a system call returns by sysret (syscall_exit), a thread
 * interrupted at user level by iret (irq_exit).  Returning to user level
 * translates the user code's next fetch and its first stack access
 * through the TLB (the walks kernel/pgtbl.c's k_pgtbl_resume charges).
 *
 * Calls sched.c and path.c.
 */
#include "internal.h"

#include <stddef.h>
#include <string.h>

#define MONO_EV_PRIO 10u

static uint64_t cycles_at(const mono *k, sim_time_t t)
{
    return hwtimer_ticks_at(k->h->cfg.freq_hz, 1, t);
}

uint64_t mono_cycles(const mono *k)
{
    return cycles_at(k, sim_now(k->s));
}

/* ---- paths ------------------------------------------------------------------------------ */

static void begin(mono_core *c, unsigned kind)
{
    c->state = MONO_CORE_KERNEL;
    c->now = sim_now(c->k->s);
    c->cycles = 0;
    c->kind = kind;
    c->next = c->cur;
}

/* The saved user registers of t (its kernel stack's top frame). */
static void regs(mono_core *c, const mono_thread *t, bool write)
{
    unsigned n = hw_context_words(c->k->h) * hw_word_bytes(c->k->h);
    mono_touch(c, MONO_OBJ(c->k, mono_task_o, t->task)->kstack, n, write);
}

static void resume_va(mono_core *c, uint64_t va, unsigned acc)
{
    hwpt_result r;
    c->cycles += hw_translate(c->k->h, c->id, va, acc | HWPT_ACC_USER, c->now + hw_ps(c->k->h, c->cycles), &r);
}

static void end(mono_core *c)
{
    mono *k = c->k;
    mono_thread *t = c->next;
    if (t && t->proc) {
        /* back to user level the way t left it */
        mono_step_run(c, MS_EXIT);
        regs(c, t, false);
        mono_arch(c, hw_cost(k->h, t->by_irq ? MODEL_COST_IRQ_EXIT : MODEL_COST_SYSCALL_EXIT));
        t->by_irq = false;
        resume_va(c, MONO_CODE_VA, HWPT_ACC_FETCH);
        resume_va(c, MONO_STACK_VA + 4096 - 64, HWPT_ACC_WRITE);
    }
    c->cur = t;
    mono_path_stats *p = &k->paths[c->kind];
    p->n++;
    p->cycles += c->cycles;
    p->max = MAX(p->max, c->cycles);
    hw_account(k->h, c->id, c->cycles, true);
    k->st.kernel_cycles += c->cycles;
    sim_schedule(k->s, &c->ev, c->now + hw_ps(k->h, c->cycles), MONO_EV_PRIO);
    if (k->check && !mono_check(k))
        k->st.check_failures++;
}

static void finish_wait(mono_core *c, mono_thread *t);

/* schedule(), and the chosen thread's blocked system call finished on
 * its own kernel stack (a reader copies out what woke it). */
static void resched(mono_core *c)
{
    mono_thread *prev = c->cur;
    mono_schedule(c);
    c->cur = c->next;       /* from here the path runs on next's stack */
    if (c->next && c->next != prev && c->next->wait.op != MONO_REQS)
        finish_wait(c, c->next);
}

/* The current thread blocks in request r. */
static void block(mono_core *c, mono_thread *t, mono_req r)
{
    MONO_OBJ(c->k, mono_task_o, t->task)->state = MONO_SLEEPING;
    t->wait = r;
    resched(c);
}

/* ---- pipes ------------------------------------------------------------------------------- */

static uint64_t pipe_of(mono *k, uint64_t id)
{
    return id >= 1 && id <= k->pipes->len ? g_array_index(k->pipes, uint64_t, id - 1) : 0;
}

/* Copy len bytes between user memory at va (the current mm) and the ring
 * from byte `at`, line by line: the user line through the MMU, the ring's
 * line, and the copy's instructions.  false if a user page is not mapped.
 * kernel: va is a kernel address instead (a kernel thread's buffer on its
 * kernel stack: no MMU), copied into the ring. */
static bool copy_ring(mono_core *c, uint64_t va, uint64_t ring, uint32_t at, uint64_t len, bool to_user, bool kernel)
{
    mono *k = c->k;
    for (uint64_t done = 0; done < len;) {
        uint64_t u = va + done;
        uint32_t r = (uint32_t)((at + done) % MONO_PIPE_BYTES);
        uint64_t n = MIN(len - done, MONO_LINE - (u % MONO_LINE));
        n = MIN(n, (uint64_t)(MONO_PIPE_BYTES - r));
        n = MIN(n, (uint64_t)(MONO_LINE - r % MONO_LINE));
        uint64_t pa = u;
        if (!kernel && !mono_user_translate(c, u, to_user, &pa))
            return false;
        mono_step_run(c, MS_COPY_LINE);
        mono_touch(c, pa, n, to_user);
        mono_touch(c, ring + r, n, !to_user);
        if (to_user)
            memcpy(mono_ram(k, pa), mono_ram(k, ring + r), n);
        else
            memcpy(mono_ram(k, ring + r), mono_ram(k, pa), n);
        done += n;
    }
    return true;
}

/* A kernel thread's write buffer: below the switch frame (sched.c's
 * callee-saved words) under the saved registers, on its kernel stack. */
static uint64_t kbuf_of(const mono *k, const mono_thread *t)
{
    return MONO_OBJ(k, mono_task_o, t->task)->kstack - (uint64_t)hw_word_bytes(k->h) * 8 - MONO_KWRITE_BYTES;
}

static bool user_range_ok(uint64_t va, uint64_t len)
{
    return va >= MONO_DATA_VA && len <= MONO_DATA_PAGES * 4096u
        && va - MONO_DATA_VA <= MONO_DATA_PAGES * 4096u - len;
}

static int64_t pipe_write(mono_core *c, const mono_thread *t, const mono_req *r)
{
    mono *k = c->k;
    mono_step_run(c, MS_PIPE_WRITE);
    uint64_t pp = pipe_of(k, r->a0);
    if (pp == 0)
        return MONO_EBADF;
    if (t->proc ? !user_range_ok(r->a1, r->a2) || r->a2 > MONO_PIPE_BYTES : r->a2 > MONO_KWRITE_BYTES)
        return MONO_EFAULT;
    mono_touch(c, pp, sizeof(mono_pipe_o), true);
    mono_pipe_o *p = MONO_OBJ(k, mono_pipe_o, pp);
    if (p->readers == 0)
        return MONO_EPIPE;
    if (r->a2 > MONO_PIPE_BYTES - (p->tail - p->head))
        return MONO_EAGAIN;     /* a writer does not block here: see docs/compare.md */
    if (t->proc == NULL)
        (void)copy_ring(c, kbuf_of(k, t), p->buf, p->tail, r->a2, false, true);
    else if (!copy_ring(c, r->a1, p->buf, p->tail, r->a2, false, false))
        return MONO_EFAULT;
    p->tail += (uint32_t)r->a2;
    uint64_t w = p->reader_wait;
    if (w) {
        p->reader_wait = 0;
        mono_wake(c, w);
    }
    return (int64_t)r->a2;
}

/* What a read takes now: the bytes copied, 0 at end of file, or
 * MONO_EAGAIN when it must wait (or an error). */
static int64_t pipe_take(mono_core *c, const mono_req *r)
{
    mono *k = c->k;
    uint64_t pp = pipe_of(k, r->a0);
    mono_touch(c, pp, sizeof(mono_pipe_o), true);
    mono_pipe_o *p = MONO_OBJ(k, mono_pipe_o, pp);
    uint32_t avail = p->tail - p->head;
    if (avail == 0)
        return p->writers == 0 ? 0 : MONO_EAGAIN;
    uint64_t n = MIN((uint64_t)avail, r->a2);
    if (!copy_ring(c, r->a1, p->buf, p->head, n, true, false))
        return MONO_EFAULT;
    p->head += (uint32_t)n;
    return (int64_t)n;
}

static void pipe_read(mono_core *c, mono_thread *t, const mono_req *r)
{
    mono *k = c->k;
    mono_step_run(c, MS_PIPE_READ);
    uint64_t pp = pipe_of(k, r->a0);
    if (pp == 0) {
        t->ret = MONO_EBADF;
        return;
    }
    if (!user_range_ok(r->a1, r->a2)) {
        t->ret = MONO_EFAULT;
        return;
    }
    int64_t n = pipe_take(c, r);
    mono_pipe_o *p = MONO_OBJ(k, mono_pipe_o, pp);
    if (n != MONO_EAGAIN || p->reader_wait != 0) {
        t->ret = n == MONO_EAGAIN ? MONO_EAGAIN : n;     /* one reader waits at a time */
        return;
    }
    p->reader_wait = t->task;
    block(c, t, *r);
}

static int64_t pipe_close(mono_core *c, const mono_req *r)
{
    mono *k = c->k;
    mono_step_run(c, MS_CLOSE);
    uint64_t pp = pipe_of(k, r->a0);
    if (pp == 0 || r->a1 > 1)
        return pp == 0 ? MONO_EBADF : MONO_EINVAL;
    mono_touch(c, pp, sizeof(mono_pipe_o), true);
    mono_pipe_o *p = MONO_OBJ(k, mono_pipe_o, pp);
    uint32_t *n = r->a1 ? &p->writers : &p->readers;
    if (*n == 0)
        return MONO_EBADF;
    (*n)--;
    if (r->a1 && p->writers == 0 && p->reader_wait) {
        /* end of file for the waiting reader */
        uint64_t w = p->reader_wait;
        p->reader_wait = 0;
        mono_wake(c, w);
    }
    return 0;
}

/* ---- futexes ------------------------------------------------------------------------------ */

static uint64_t bucket_of(const mono *k, uint64_t mm, uint64_t uaddr)
{
    uint64_t x = (mm ^ (uaddr >> 2)) * UINT64_C(0x9E3779B97F4A7C15);
    return k->buckets + (x >> 58) * sizeof(mono_bucket_o);
}

static void futex_wait(mono_core *c, mono_thread *t, const mono_req *r)
{
    mono *k = c->k;
    mono_step_run(c, MS_FUTEX_WAIT);
    if (r->a0 % 4 || !user_range_ok(r->a0, 4)) {
        t->ret = MONO_EINVAL;
        return;
    }
    uint64_t mm = t->proc->mm;
    uint64_t b = bucket_of(k, mm, r->a0);
    mono_lock(c, b);
    uint64_t pa;
    if (!mono_user_translate(c, r->a0, false, &pa)) {
        mono_unlock(c, b);
        t->ret = MONO_EFAULT;
        return;
    }
    mono_touch(c, pa, 4, false);
    uint32_t v;
    memcpy(&v, mono_ram(k, pa), 4);
    if (v != (uint32_t)r->a1) {
        mono_unlock(c, b);
        t->ret = MONO_EAGAIN;
        return;
    }
    mono_bucket_o *bo = MONO_OBJ(k, mono_bucket_o, b);
    mono_task_o *to = MONO_OBJ(k, mono_task_o, t->task);
    mono_touch(c, t->task, sizeof *to, true);
    to->futex_mm = mm;
    to->futex_uaddr = r->a0;
    to->wait_next = bo->head;
    bo->head = t->task;
    bo->n++;
    mono_unlock(c, b);
    t->ret = 0;
    block(c, t, *r);
}

static int64_t futex_wake(mono_core *c, mono_thread *t, const mono_req *r)
{
    mono *k = c->k;
    mono_step_run(c, MS_FUTEX_WAKE);
    if (r->a0 % 4 || !user_range_ok(r->a0, 4))
        return MONO_EINVAL;
    uint64_t mm = t->proc->mm;
    uint64_t b = bucket_of(k, mm, r->a0);
    mono_lock(c, b);
    mono_bucket_o *bo = MONO_OBJ(k, mono_bucket_o, b);
    /* waiters are found in the order they came (the list is newest first:
     * collect, then wake oldest first) */
    uint64_t found[64];
    unsigned nf = 0;
    for (uint64_t *link = &bo->head; *link && nf < G_N_ELEMENTS(found);) {
        uint64_t w = *link;
        mono_task_o *wo = MONO_OBJ(k, mono_task_o, w);
        mono_step_run(c, MS_FUTEX_WALK);
        mono_touch(c, w, sizeof *wo, false);
        if (wo->futex_mm == mm && wo->futex_uaddr == r->a0) {
            *link = wo->wait_next;
            wo->wait_next = 0;
            bo->n--;
            found[nf++] = w;
        } else {
            link = &wo->wait_next;
        }
    }
    mono_unlock(c, b);
    int64_t woken = 0;
    for (unsigned i = nf; i-- > 0;) {
        if ((uint64_t)woken < r->a1) {
            mono_wake(c, found[i]);
            woken++;
        } else {
            /* not to be woken: back on the bucket */
            mono_lock(c, b);
            mono_task_o *wo = MONO_OBJ(k, mono_task_o, found[i]);
            wo->wait_next = bo->head;
            bo->head = found[i];
            bo->n++;
            mono_unlock(c, b);
        }
    }
    return woken;
}

/* ---- interrupt threads -------------------------------------------------------------------- */

static uint64_t irq_of(mono *k, uint64_t id)
{
    return id >= 1 && id <= k->irqs->len ? g_array_index(k->irqs, uint64_t, id - 1) : 0;
}

static void irq_wait(mono_core *c, mono_thread *t, const mono_req *r)
{
    mono *k = c->k;
    mono_step_run(c, MS_IRQ_WAIT);
    uint64_t d = irq_of(k, r->a0);
    if (d == 0 || MONO_OBJ(k, mono_irq_o, d)->thread != t->task) {
        t->ret = MONO_EINVAL;
        return;
    }
    mono_touch(c, d, sizeof(mono_irq_o), true);
    mono_irq_o *o = MONO_OBJ(k, mono_irq_o, d);
    if (o->pending) {
        o->pending--;
        t->ret = 0;
        return;
    }
    o->waiting = 1;
    t->ret = 0;
    block(c, t, *r);
}

/* The hard handler of a device line: wake its thread (the bottom half). */
static void irq_hard(mono_core *c, unsigned line)
{
    mono *k = c->k;
    for (guint i = 0; i < k->irqs->len; i++) {
        uint64_t d = g_array_index(k->irqs, uint64_t, i);
        mono_irq_o *o = MONO_OBJ(k, mono_irq_o, d);
        if (o->line != line)
            continue;
        mono_step_run(c, MS_IRQ_HARD);
        mono_touch(c, d, sizeof *o, true);
        if (o->waiting) {
            o->waiting = 0;
            mono_wake(c, o->thread);
            k->st.irq_threads++;
        } else {
            o->pending++;
        }
        return;
    }
}

/* The continuation of a blocked request, on its thread's stack. */
static void finish_wait(mono_core *c, mono_thread *t)
{
    mono_req r = t->wait;
    t->wait.op = MONO_REQS;
    if (r.op == MONO_REQ_READ) {
        /* pipe_read's loop again, now that there is something to read */
        mono_step_run(c, MS_PIPE_READ);
        int64_t n = pipe_take(c, &r);
        t->ret = n;
    } else if (r.op == MONO_REQ_IRQ_WAIT) {
        mono_touch(c, irq_of(c->k, r.a0), sizeof(mono_irq_o), true);
    }
}

/* ---- the core's loop ---------------------------------------------------------------------- */

static void syscall_path(mono_core *c, mono_thread *t, const mono_req *r)
{
    mono *k = c->k;
    begin(c, r->op);
    mono_arch(c, hw_cost(k->h, MODEL_COST_SYSCALL_ENTRY));
    mono_step_run(c, MS_ENTRY);
    regs(c, t, true);
    k->st.syscalls++;
    t->ret = 0;
    switch (r->op) {
    case MONO_REQ_YIELD:
        mono_step_run(c, MS_YIELD);
        c->yield = true;
        resched(c);
        break;
    case MONO_REQ_WRITE: t->ret = pipe_write(c, t, r); break;
    case MONO_REQ_READ: pipe_read(c, t, r); break;
    case MONO_REQ_CLOSE: t->ret = pipe_close(c, r); break;
    case MONO_REQ_FUTEX_WAIT: futex_wait(c, t, r); break;
    case MONO_REQ_FUTEX_WAKE: t->ret = futex_wake(c, t, r); break;
    case MONO_REQ_IRQ_WAIT: irq_wait(c, t, r); break;
    case MONO_REQ_EXIT:
        mono_step_run(c, MS_EXIT_THREAD);
        MONO_OBJ(k, mono_task_o, t->task)->state = MONO_DEAD;
        resched(c);
        break;
    default: t->ret = MONO_EINVAL; break;
    }
    if (c->cur == t && t->ret < 0)
        k->st.errors++;
    if (c->need_resched)
        resched(c);
    end(c);
}

static void take_interrupts(mono_core *c)
{
    mono *k = c->k;
    bool idle = c->cur == NULL;
    begin(c, MONO_PATH_IRQ);
    c->irq_pending = false;
    mono_arch(c, hw_cost(k->h, MODEL_COST_IRQ_ENTRY));
    if (!idle && c->cur->proc) {
        c->cur->by_irq = true;
        regs(c, c->cur, true);
    }
    unsigned ipi = hw_ipi_line(k->h);
    for (unsigned n = 0; n < 64; n++) {
        unsigned line = hwirq_ack(k->h->irq, c->id, NULL);
        if (line == HWIRQ_NONE)
            break;
        for (;;) {
            mono_step_run(c, MS_IRQ);
            hw_interrupt_taken(k->h, c->id);
            k->st.interrupts++;
            if (line == ipi)
                mono_step_run(c, MS_IPI);      /* scheduler_ipi: the flag is set already */
            else if (line != k->h->timer_line)
                irq_hard(c, line);
            uint64_t tail = 0;
            unsigned next = hw_irq_done(k->h, c->id, line, &tail);
            if (next == HWIRQ_NONE)
                break;
            mono_arch(c, tail);
            line = next;
        }
    }
    if (idle)
        mono_arch(c, hw_cost(k->h, MODEL_COST_IRQ_EXIT));   /* iret into the idle loop, which schedules */
    if (c->need_resched)
        resched(c);
    end(c);
}

static void irq_signal(void *ctx, unsigned core, unsigned line)
{
    (void)line;
    mono *k = ctx;
    mono_core *c = &k->core[core];
    switch (c->state) {
    case MONO_CORE_KERNEL:
        c->irq_pending = true;
        return;
    case MONO_CORE_USER: {
        sim_deschedule(k->s, &c->ev);
        uint64_t done = mono_cycles(k) - cycles_at(k, c->user_since);
        done = MIN(done, c->compute_cycles);
        c->cur->compute_left = c->compute_cycles - done;
        hw_account(k->h, c->id, done, false);
        break;
    }
    case MONO_CORE_IDLE:
        break;
    }
    take_interrupts(c);
}

static void run_user(mono_core *c)
{
    mono *k = c->k;
    mono_thread *t = c->cur;
    for (;;) {
        if (t->compute_left) {
            c->state = MONO_CORE_USER;
            c->user_since = sim_now(k->s);
            c->compute_cycles = t->compute_left;
            uint64_t endc = cycles_at(k, c->user_since) + t->compute_left;
            sim_schedule(k->s, &c->ev, hwtimer_tick_time(k->h->cfg.freq_hz, 1, endc), MONO_EV_PRIO);
            return;
        }
        mono_req r = t->fn(t, t->ret, t->arg);
        if (r.op == MONO_REQ_COMPUTE) {
            /* a program that only computes nothing would never give the
             * engine back: each of its computes costs a cycle at least */
            t->compute_left = r.a0 ? r.a0 : 1;
            t->ret = 0;
            continue;
        }
        syscall_path(c, t, &r);
        return;
    }
}

static void core_event(void *owner, simq_event *ev)
{
    (void)owner;
    mono_core *c = (mono_core *)((char *)ev - offsetof(mono_core, ev));
    mono *k = c->k;
    if (c->state == MONO_CORE_USER) {
        hw_account(k->h, c->id, c->compute_cycles, false);
        c->cur->compute_left = 0;
    }
    if (c->irq_pending) {
        take_interrupts(c);
        return;
    }
    if (c->cur == NULL) {
        c->state = MONO_CORE_IDLE;
        if (c->need_resched) {
            begin(c, MONO_PATH_IDLE);
            resched(c);
            end(c);
        }
        return;
    }
    if (c->cur->proc == NULL) {
        /* a kernel thread: its requests are calls, not traps */
        mono_req r = c->cur->fn(c->cur, c->cur->ret, c->cur->arg);
        if (r.op == MONO_REQ_COMPUTE) {
            c->cur->compute_left = r.a0 ? r.a0 : 1;
            run_user(c);
            return;
        }
        begin(c, r.op);
        mono_thread *t = c->cur;
        t->ret = 0;
        if (r.op == MONO_REQ_IRQ_WAIT)
            irq_wait(c, t, &r);
        else if (r.op == MONO_REQ_WRITE)
            t->ret = pipe_write(c, t, &r);     /* a wakeup through a pipe (docs/compare.md) */
        else if (r.op == MONO_REQ_EXIT) {
            MONO_OBJ(k, mono_task_o, t->task)->state = MONO_DEAD;
            resched(c);
        } else
            t->ret = MONO_EINVAL;
        if (c->need_resched)
            resched(c);
        end(c);
        return;
    }
    run_user(c);
}

/* ---- setting up ------------------------------------------------------------------------- */

static bool pt_alloc(void *ctx, unsigned size, uint64_t *paddr)
{
    *paddr = mono_alloc(ctx, size, size);
    return *paddr != 0;
}

mono *mono_new(sim *s, hw *h, GError **error)
{
    if (hw_pd_kind_of(h) != HW_PD_PAGETABLE) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "monolithic: the machine has no MMU (%s): processes need page tables", h->cfg.name);
        return NULL;
    }
    if (h->cfg.cores > 1 && hw_ipi_line(h) == HWIRQ_NONE) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "monolithic: the machine has no IPI line");
        return NULL;
    }
    mono *k = g_new0(mono, 1);
    k->s = s;
    k->h = h;
    k->ncores = h->cfg.cores;
    k->core = g_new0(mono_core, k->ncores);
    k->brk = UINT64_C(1) << 20;
    k->mem_end = h->cfg.mem.size;
    k->threads = g_ptr_array_new_with_free_func(g_free);
    k->procs = g_ptr_array_new_with_free_func(g_free);
    k->pipes = g_array_new(false, false, sizeof(uint64_t));
    k->irqs = g_array_new(false, false, sizeof(uint64_t));
    k->nasids = MAX(hw_asids(h), 1u);
    k->next_asid = 1;
    k->asid_owner = g_new0(uint64_t, (size_t)k->ncores * k->nasids);
    for (unsigned i = 0; i < k->ncores; i++) {
        mono_core *c = &k->core[i];
        c->k = k;
        c->id = i;
        simq_event_init(&c->ev, core_event);
    }
    mono_path_init(k);
    mono_rq_init(k);
    k->buckets = mono_alloc(k, MONO_BUCKETS * sizeof(mono_bucket_o), 4096);
    hw_set_signal(h, irq_signal, k);
    return k;
}

void mono_detach(mono *k)
{
    if (!k->detached)
        hw_set_signal(k->h, NULL, NULL);
    k->detached = true;
}

void mono_free(mono *k)
{
    if (k == NULL)
        return;
    for (unsigned i = 0; i < k->ncores; i++)
        if (simq_scheduled(&k->core[i].ev))
            sim_deschedule(k->s, &k->core[i].ev);
    mono_rq_free(k);
    g_ptr_array_free(k->threads, true);
    g_ptr_array_free(k->procs, true);
    g_array_free(k->pipes, true);
    g_array_free(k->irqs, true);
    g_free(k->asid_owner);
    g_free(k->core);
    g_free(k);
}

mono_proc *mono_proc_new(mono *k)
{
    hw *h = k->h;
    uint64_t root;
    hwmpu none;
    if (!hw_pd_new(h, pt_alloc, k, &root, &none))
        return NULL;
    mono_proc *p = g_new0(mono_proc, 1);
    p->k = k;
    p->root = root;
    p->asid = (uint16_t)(k->next_asid % k->nasids);
    k->next_asid++;
    p->mm = mono_alloc(k, sizeof(mono_mm_o), MONO_LINE);
    p->code_pa = mono_alloc(k, 4096, 4096);
    p->stack_pa = mono_alloc(k, 4096, 4096);
    bool ok = p->mm && p->code_pa && p->stack_pa
           && hw_pt_map(h, root, MONO_CODE_VA, p->code_pa, HW_MAP_EXEC, pt_alloc, k)
           && hw_pt_map(h, root, MONO_STACK_VA, p->stack_pa, HW_MAP_WRITE, pt_alloc, k);
    for (unsigned i = 0; ok && i < MONO_DATA_PAGES; i++) {
        p->data_pa[i] = mono_alloc(k, 4096, 4096);
        ok = p->data_pa[i] && hw_pt_map(h, root, MONO_DATA_VA + 4096u * i, p->data_pa[i], HW_MAP_WRITE, pt_alloc, k);
    }
    if (!ok) {
        g_free(p);
        return NULL;
    }
    mono_mm_o *m = MONO_OBJ(k, mono_mm_o, p->mm);
    m->root = root;
    m->asid = p->asid;
    g_ptr_array_add(k->procs, p);
    p->id = k->procs->len;
    return p;
}

mono_thread *mono_thread_new(mono *k, mono_proc *p, unsigned core, unsigned prio, mono_user_fn fn, void *arg)
{
    g_assert(core < k->ncores && prio >= 1 && prio < MONO_PRIOS && fn);
    uint64_t task = mono_alloc(k, sizeof(mono_task_o), MONO_LINE);
    uint64_t stack = mono_alloc(k, MONO_KSTACK, MONO_KSTACK);
    if (task == 0 || stack == 0)
        return NULL;
    mono_thread *t = g_new0(mono_thread, 1);
    t->k = k;
    t->core = core;
    t->task = task;
    t->proc = p;
    t->fn = fn;
    t->arg = arg;
    t->wait.op = MONO_REQS;
    g_ptr_array_add(k->threads, t);
    t->id = k->threads->len;
    mono_task_o *o = MONO_OBJ(k, mono_task_o, task);
    o->prio = prio;
    o->core = core;
    o->id = t->id;
    o->mm = p ? p->mm : 0;
    o->kstack = stack + MONO_KSTACK - (uint64_t)hw_context_words(k->h) * hw_word_bytes(k->h);
    if (p)
        MONO_OBJ(k, mono_mm_o, p->mm)->users++;
    mono_enqueue(k, NULL, k->core[core].rq, task, false);
    return t;
}

unsigned mono_pipe_new(mono *k)
{
    uint64_t pp = mono_alloc(k, sizeof(mono_pipe_o), MONO_LINE);
    uint64_t buf = mono_alloc(k, MONO_PIPE_BYTES, 4096);
    g_assert(pp && buf);
    mono_pipe_o *p = MONO_OBJ(k, mono_pipe_o, pp);
    p->buf = buf;
    p->readers = p->writers = 1;
    g_array_append_val(k->pipes, pp);
    return k->pipes->len;
}

unsigned mono_irq_attach(mono *k, unsigned line, unsigned core, mono_thread *t)
{
    uint64_t d = mono_alloc(k, sizeof(mono_irq_o), MONO_LINE);
    g_assert(d);
    mono_irq_o *o = MONO_OBJ(k, mono_irq_o, d);
    o->line = line;
    o->thread = t->task;
    hw_irq_route(k->h, line, core);
    g_array_append_val(k->irqs, d);
    return k->irqs->len;
}

void mono_start(mono *k)
{
    for (unsigned i = 0; i < k->ncores; i++) {
        mono_core *c = &k->core[i];
        if (c->cur == NULL && c->state == MONO_CORE_IDLE && !simq_scheduled(&c->ev)
            && MONO_OBJ(k, mono_rq_o, c->rq)->nr) {
            c->need_resched = true;
            sim_schedule(k->s, &c->ev, sim_now(k->s), MONO_EV_PRIO);
        }
    }
}

/* ---- reading ------------------------------------------------------------------------------- */

void *mono_user_mem(mono_thread *t, uint64_t vaddr, uint64_t len)
{
    if (t->proc == NULL || !user_range_ok(vaddr, len) || len == 0
        || (vaddr - MONO_DATA_VA) / 4096 != (vaddr + len - 1 - MONO_DATA_VA) / 4096)
        return NULL;
    uint64_t off = vaddr - MONO_DATA_VA;
    return mono_ram(t->k, t->proc->data_pa[off / 4096] + off % 4096);
}

bool mono_core_idle(const mono *k, unsigned core)
{
    const mono_core *c = &k->core[core];
    return c->state == MONO_CORE_IDLE && c->cur == NULL && !simq_scheduled(&c->ev);
}

hw *mono_machine(const mono *k)
{
    return k->h;
}

unsigned mono_thread_core(const mono_thread *t)
{
    return t->core;
}

mono *mono_thread_kernel(const mono_thread *t)
{
    return t->k;
}

const mono_stats *mono_get_stats(const mono *k)
{
    return &k->st;
}

const mono_path_stats *mono_get_path_stats(const mono *k, unsigned kind)
{
    g_assert(kind < MONO_PATHS);
    return &k->paths[kind];
}

const char *mono_path_name(unsigned kind)
{
    static const char *const names[MONO_PATHS] = {
        [MONO_REQ_COMPUTE] = "compute", [MONO_REQ_YIELD] = "sched_yield", [MONO_REQ_WRITE] = "write",
        [MONO_REQ_READ] = "read", [MONO_REQ_CLOSE] = "close", [MONO_REQ_FUTEX_WAIT] = "futex_wait",
        [MONO_REQ_FUTEX_WAKE] = "futex_wake", [MONO_REQ_IRQ_WAIT] = "irq_wait", [MONO_REQ_EXIT] = "exit",
        [MONO_PATH_IRQ] = "irq", [MONO_PATH_IDLE] = "idle",
    };
    return kind < MONO_PATHS && names[kind] ? names[kind] : "?";
}

void mono_set_check(mono *k, bool on)
{
    k->check = on;
}

bool mono_check(const mono *k)
{
    if (!mono_rq_check(k))
        return false;
    for (guint i = 0; i < k->threads->len; i++) {
        const mono_thread *t = g_ptr_array_index(k->threads, i);
        const mono_task_o *o = MONO_OBJ(k, mono_task_o, t->task);
        if (o->state == MONO_RUNNING && MONO_OBJ(k, mono_rq_o, k->core[t->core].rq)->curr != t->task)
            return false;
        if (o->state == MONO_SLEEPING && t->wait.op == MONO_REQS)
            return false;
    }
    return true;
}
