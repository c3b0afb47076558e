/* compare/monolithic/fast/fast.c: the twins (fast.h). */
#include "fast.h"

#define DATA_VA 0x600000u
#define DATA_BYTES (4u * 4096u)
#define ERR_BADF (-9)
#define ERR_AGAIN (-11)
#define ERR_FAULT (-14)
#define ERR_INVAL (-22)
#define ERR_PIPE (-32)
#define NREQS 9u

static int range_ok(uint64_t va, uint64_t len)
{
    return va >= DATA_VA && len <= DATA_BYTES && va - DATA_VA <= DATA_BYTES - len;
}

static uint64_t lookup(const mf_args *a)
{
    return a->a0 >= 1 && a->a0 <= a->n ? MF(uint64_t, a->table)[a->a0 - 1] : 0;
}

unsigned mf_entry(mf_word *frame, const mf_word *user, unsigned nr)
{
    for (unsigned i = 0; i < MF_REGS_WORDS; i++)
        frame[i] = user[i];
    return nr < NREQS ? nr : NREQS;
}

unsigned mf_exit(const mf_word *frame, mf_word *user, unsigned by_irq)
{
    for (unsigned i = 0; i < MF_REGS_WORDS; i++)
        user[i] = frame[i];
    return by_irq ? 1u : 0u;
}

unsigned mf_irq(mf_word *frame, const mf_word *user, unsigned line, const uint32_t *lines)
{
    for (unsigned i = 0; i < MF_REGS_WORDS; i++)
        frame[i] = user[i];
    return line == lines[0] ? 1u : line == lines[1] ? 2u : 3u;
}

void mf_ipi(mf_cpu *cpu)
{
    cpu->need_resched = 1;
}

uint64_t mf_irq_hard(mono_irq_o *d)
{
    if (d->waiting) {
        d->waiting = 0;
        return d->thread;
    }
    d->pending++;
    return 0;
}

void mf_yield(mf_cpu *cpu)
{
    cpu->yield = 1;
}

static void enqueue(mono_rq_o *rq, mono_task_o *t, int head)
{
    uint64_t pa = MF_PA(t);
    unsigned p = t->prio;
    if (rq->head[p] == 0) {
        t->rq_next = 0;
        rq->head[p] = rq->tail[p] = pa;
    } else if (head) {
        t->rq_next = rq->head[p];
        rq->head[p] = pa;
    } else {
        MF(mono_task_o, rq->tail[p])->rq_next = pa;
        t->rq_next = 0;
        rq->tail[p] = pa;
    }
    rq->bitmap |= (uint64_t)1 << p;
    rq->nr++;
    t->state = MONO_RUNNABLE;
}

uint64_t mf_sched(mono_rq_o *rq, mono_task_o *prev, mf_cpu *cpu)
{
    if (prev && prev->state == MONO_RUNNING)
        enqueue(rq, prev, !cpu->yield);
    uint64_t next = 0;
    if (rq->bitmap) {
        unsigned p = 63u - (unsigned)__builtin_clzll(rq->bitmap);
        next = rq->head[p];
        mono_task_o *t = MF(mono_task_o, next);
        rq->head[p] = t->rq_next;
        if (rq->head[p] == 0) {
            rq->tail[p] = 0;
            rq->bitmap &= ~((uint64_t)1 << p);
        }
        t->rq_next = 0;
        rq->nr--;
        t->state = MONO_RUNNING;
    }
    rq->curr = next;
    cpu->need_resched = 0;
    cpu->yield = 0;
    return next;
}

void mf_switch(mf_word *prev_kstack, const mf_word *next_kstack, mf_word *regs)
{
    for (unsigned i = 0; i < MF_CALLEE_WORDS; i++)
        prev_kstack[i] = regs[i];
    for (unsigned i = 0; i < MF_CALLEE_WORDS; i++)
        regs[i] = next_kstack[i];
}

void mf_switch_mm(mf_cpu *cpu, const mono_mm_o *mm)
{
    uint64_t pa = MF_PA(mm);
    uint64_t *owner = &MF(uint64_t, cpu->asid_owner)[mm->asid];
    uint64_t keep = *owner == pa;
    *owner = pa;
    cpu->cr3 = mm->root | mm->asid | keep << 63;
    cpu->active_mm = pa;
}

unsigned mf_wake(mono_rq_o *rq, mono_task_o *t)
{
    if (t->state != MONO_SLEEPING)
        return 0;
    enqueue(rq, t, 0);
    if (rq->curr == 0 || t->prio > MF(mono_task_o, rq->curr)->prio)
        return 2;
    return 1;
}

void mf_lock(uint32_t *lock)
{
    uint32_t free = 0;
    while (!__atomic_compare_exchange_n(lock, &free, 1u, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        free = 0;
}

void mf_unlock(uint32_t *lock)
{
    __atomic_store_n(lock, 0u, __ATOMIC_RELEASE);
}

int32_t mf_pipe_write(const mf_args *a, uint64_t *wake)
{
    uint64_t pp = lookup(a);
    *wake = 0;
    if (pp == 0)
        return ERR_BADF;
    if (!range_ok(a->a1, a->a2) || a->a2 > MONO_PIPE_BYTES)
        return ERR_FAULT;
    mono_pipe_o *p = MF(mono_pipe_o, pp);
    if (p->readers == 0)
        return ERR_PIPE;
    if (a->a2 > MONO_PIPE_BYTES - (p->tail - p->head))
        return ERR_AGAIN;
    p->tail += (uint32_t)a->a2;
    *wake = p->reader_wait;
    p->reader_wait = 0;
    return (int32_t)a->a2;
}

int32_t mf_pipe_read(const mf_args *a)
{
    uint64_t pp = lookup(a);
    if (pp == 0)
        return ERR_BADF;
    if (!range_ok(a->a1, a->a2))
        return ERR_FAULT;
    mono_pipe_o *p = MF(mono_pipe_o, pp);
    uint32_t avail = p->tail - p->head;
    if (avail == 0) {
        if (p->writers == 0)
            return 0;
        if (p->reader_wait)
            return ERR_AGAIN;
        p->reader_wait = a->task;
        return ERR_AGAIN;
    }
    uint32_t n = avail < a->a2 ? avail : (uint32_t)a->a2;
    p->head += n;
    return (int32_t)n;
}

void mf_copy_line(uint8_t *dst, const uint8_t *src)
{
    mf_word *d = (mf_word *)(void *)dst;
    const mf_word *s = (const mf_word *)(const void *)src;
    for (unsigned i = 0; i < MONO_LINE / sizeof(mf_word); i++)
        d[i] = s[i];
}

int32_t mf_close(const mf_args *a, uint64_t *wake)
{
    uint64_t pp = lookup(a);
    *wake = 0;
    if (pp == 0)
        return ERR_BADF;
    if (a->a1 > 1)
        return ERR_INVAL;
    mono_pipe_o *p = MF(mono_pipe_o, pp);
    uint32_t *n = a->a1 ? &p->writers : &p->readers;
    if (*n == 0)
        return ERR_BADF;
    (*n)--;
    if (a->a1 && p->writers == 0 && p->reader_wait) {
        *wake = p->reader_wait;
        p->reader_wait = 0;
    }
    return 0;
}

static uint64_t bucket_of(uint64_t buckets, uint64_t mm, uint64_t uaddr)
{
    uint64_t x = (mm ^ (uaddr >> 2)) * 0x9E3779B97F4A7C15ull;
    return buckets + (x >> 58) * sizeof(mono_bucket_o);
}

int32_t mf_futex_wait(const mf_args *a, mono_bucket_o *b, const uint32_t *word)
{
    if (a->a0 % 4 || !range_ok(a->a0, 4))
        return ERR_INVAL;
    if (*word != (uint32_t)a->a1)
        return ERR_AGAIN;
    mono_task_o *t = MF(mono_task_o, a->task);
    t->futex_mm = a->mm;
    t->futex_uaddr = a->a0;
    t->wait_next = b->head;
    b->head = a->task;
    b->n++;
    t->state = MONO_SLEEPING;
    return 0;
}

uint64_t mf_futex_wake(const mf_args *a, uint64_t buckets)
{
    if (a->a0 % 4 || !range_ok(a->a0, 4))
        return 0;
    return bucket_of(buckets, a->mm, a->a0);
}

unsigned mf_futex_walk(uint64_t *link, mono_bucket_o *b, const mf_args *a, uint64_t *found)
{
    uint64_t w = *link;
    mono_task_o *t = MF(mono_task_o, w);
    if (t->futex_mm == a->mm && t->futex_uaddr == a->a0) {
        *link = t->wait_next;
        t->wait_next = 0;
        b->n--;
        *found = w;
        return 1;
    }
    return 0;
}

int32_t mf_irq_wait(const mf_args *a)
{
    uint64_t d = lookup(a);
    if (d == 0 || MF(mono_irq_o, d)->thread != a->task)
        return ERR_INVAL;
    mono_irq_o *o = MF(mono_irq_o, d);
    if (o->pending) {
        o->pending--;
        return 0;
    }
    o->waiting = 1;
    MF(mono_task_o, a->task)->state = MONO_SLEEPING;
    return ERR_AGAIN;
}

void mf_exit_thread(mono_task_o *t, mono_mm_o *mm)
{
    t->state = MONO_DEAD;
    if (mm)
        mm->users--;
}
