/* compare/monolithic/sched.c: the in-kernel fixed-priority scheduler
 * (internal.h): per core a run queue with a raw spinlock, as Linux-RT's
 * per-CPU rt_rq under its rq->lock.  A wakeup of a task on another core
 * takes that core's lock (its line comes over from that core's cache:
 * the coherence model charges the transfer) and, when the task outranks
 * what runs there, sends the reschedule IPI.  Tasks never migrate.
 *
 * Calls path.c only.
 */
#include "internal.h"

#include <stddef.h>

static mono_rq_o *rq_of(const mono *k, uint64_t rq)
{
    return MONO_OBJ(k, mono_rq_o, rq);
}

static void ipi_send(void *owner, simq_event *ev)
{
    (void)owner;
    mono_ipi *x = (mono_ipi *)(void *)ev;
    mono *k = x->k;
    hwirq_status st = hwirq_ipi(k->h->irq, x->from, HWIRQ_DEST_CORE, x->to, hw_ipi_line(k->h));
    g_assert(st == HWIRQ_OK || st == HWIRQ_COALESCED);
}

void mono_rq_init(mono *k)
{
    for (unsigned i = 0; i < k->ncores; i++) {
        mono_core *c = &k->core[i];
        c->rq = mono_alloc(k, sizeof(mono_rq_o), 4096);
        g_assert(c->rq != 0);
        c->ipi = g_new0(mono_ipi, k->ncores);
        for (unsigned j = 0; j < k->ncores; j++) {
            simq_event_init(&c->ipi[j].ev, ipi_send);
            c->ipi[j].k = k;
            c->ipi[j].from = i;
            c->ipi[j].to = j;
        }
    }
}

void mono_rq_free(mono *k)
{
    for (unsigned i = 0; i < k->ncores; i++) {
        for (unsigned j = 0; j < k->ncores && k->core[i].ipi; j++)
            if (simq_scheduled(&k->core[i].ipi[j].ev))
                sim_deschedule(k->s, &k->core[i].ipi[j].ev);
        g_free(k->core[i].ipi);
    }
}

/* Link task at the tail (or head) of its level; c NULL: at boot, no cost. */
void mono_enqueue(mono *k, mono_core *c, uint64_t rq, uint64_t task, bool head)
{
    mono_rq_o *q = rq_of(k, rq);
    mono_task_o *t = MONO_OBJ(k, mono_task_o, task);
    unsigned p = t->prio;
    if (c) {
        mono_touch(c, rq + offsetof(mono_rq_o, head) + 8 * p, 8, true);
        mono_touch(c, rq + offsetof(mono_rq_o, tail) + 8 * p, 8, true);
        mono_touch(c, task, sizeof *t, true);
    }
    if (q->head[p] == 0) {
        t->rq_next = 0;
        q->head[p] = q->tail[p] = task;
    } else if (head) {
        t->rq_next = q->head[p];
        q->head[p] = task;
    } else {
        if (c)
            mono_touch(c, q->tail[p] + offsetof(mono_task_o, rq_next), 8, true);
        MONO_OBJ(k, mono_task_o, q->tail[p])->rq_next = task;
        t->rq_next = 0;
        q->tail[p] = task;
    }
    q->bitmap |= UINT64_C(1) << p;
    q->nr++;
    t->state = MONO_RUNNABLE;
}

static uint64_t dequeue_highest(mono_core *c, uint64_t rq)
{
    mono *k = c->k;
    mono_rq_o *q = rq_of(k, rq);
    if (q->bitmap == 0)
        return 0;
    unsigned p = 63u - (unsigned)__builtin_clzll(q->bitmap);
    mono_touch(c, rq + offsetof(mono_rq_o, head) + 8 * p, 8, true);
    uint64_t task = q->head[p];
    mono_task_o *t = MONO_OBJ(k, mono_task_o, task);
    mono_touch(c, task, sizeof *t, true);
    q->head[p] = t->rq_next;
    if (q->head[p] == 0) {
        mono_touch(c, rq + offsetof(mono_rq_o, tail) + 8 * p, 8, true);
        q->tail[p] = 0;
        q->bitmap &= ~(UINT64_C(1) << p);
    }
    t->rq_next = 0;
    q->nr--;
    return task;
}

void mono_wake(mono_core *c, uint64_t task)
{
    mono *k = c->k;
    mono_step_run(c, MS_WAKE);
    mono_touch(c, task, 16, false);
    mono_task_o *t = MONO_OBJ(k, mono_task_o, task);
    if (t->state != MONO_SLEEPING)
        return;
    k->st.wakeups++;
    mono_core *to = &k->core[t->core];
    mono_lock(c, to->rq);
    mono_enqueue(k, c, to->rq, task, false);
    /* check_preempt_curr: the running task's priority (its line), or an
     * idle core */
    mono_rq_o *q = rq_of(k, to->rq);
    bool preempt = q->curr == 0;
    if (!preempt) {
        mono_touch(c, q->curr, 16, false);
        preempt = t->prio > MONO_OBJ(k, mono_task_o, q->curr)->prio;
    }
    if (preempt && !to->need_resched) {
        to->need_resched = true;
        if (to != c) {
            /* resched_curr on another core: the flag is set in its running
             * task's line, and the IPI makes the core look */
            if (q->curr)
                mono_touch(c, q->curr, 16, true);
            mono_arch(c, hw_cost(k->h, MODEL_COST_IPI_SEND));
            mono_ipi *x = &c->ipi[to->id];
            if (!simq_scheduled(&x->ev))
                sim_schedule(k->s, &x->ev, c->now + hw_ps(k->h, c->cycles), 10);
            k->st.ipis++;
        }
    }
    mono_unlock(c, to->rq);
}

/* switch_mm: next's page table, its PCID/ASID's entries kept when this
 * core's TLB holds them for this mm (the preset's asid setting decides
 * whether ids are used at all: hw_switch_pd). */
static void switch_mm(mono_core *c, uint64_t mm)
{
    mono *k = c->k;
    mono_step_run(c, MS_SWITCH_MM);
    mono_touch(c, mm, sizeof(mono_mm_o), false);
    mono_mm_o *m = MONO_OBJ(k, mono_mm_o, mm);
    uint64_t *owner = &k->asid_owner[(size_t)c->id * k->nasids + m->asid];
    hw_pd pd = { .root = m->root, .asid = (uint16_t)m->asid, .keep = *owner == mm };
    *owner = mm;
    mono_arch(c, hw_switch_pd(k->h, c->id, &pd));
    c->active_mm = mm;
    k->st.mm_switches++;
}

void mono_schedule(mono_core *c)
{
    mono *k = c->k;
    hw *h = k->h;
    mono_step_run(c, MS_SCHED);
    mono_lock(c, c->rq);
    mono_rq_o *q = rq_of(k, c->rq);
    uint64_t prev = c->cur ? c->cur->task : 0;
    if (prev) {
        mono_task_o *pt = MONO_OBJ(k, mono_task_o, prev);
        /* a yield goes behind its equals; a preempted task stays first of
         * its level (SCHED_FIFO) */
        if (pt->state == MONO_RUNNING)
            mono_enqueue(k, c, c->rq, prev, !c->yield);
    }
    uint64_t next = dequeue_highest(c, c->rq);
    mono_touch(c, c->rq, 24, true);
    q->curr = next;
    if (next)
        MONO_OBJ(k, mono_task_o, next)->state = MONO_RUNNING;
    c->need_resched = false;
    c->yield = false;
    mono_unlock(c, c->rq);
    c->next = next ? mono_thread_of(k, next) : NULL;
    if (next == prev || next == 0)
        return;
    /* context_switch: the mm (not for a kernel thread, which borrows the
     * one loaded), then the registers: prev's callee-saved words and stack
     * pointer to its kernel stack, next's from its */
    mono_task_o *nt = MONO_OBJ(k, mono_task_o, next);
    if (nt->mm && nt->mm != c->active_mm)
        switch_mm(c, nt->mm);
    mono_step_run(c, MS_SWITCH);
    unsigned w = hw_word_bytes(h) * 8;
    if (prev)
        mono_touch(c, MONO_OBJ(k, mono_task_o, prev)->kstack - w, w, true);
    mono_touch(c, nt->kstack - w, w, false);
    k->st.switches++;
}

bool mono_rq_check(const mono *k)
{
    for (unsigned i = 0; i < k->ncores; i++) {
        const mono_rq_o *q = rq_of(k, k->core[i].rq);
        unsigned nr = 0;
        for (unsigned p = 0; p < MONO_PRIOS; p++) {
            bool bit = (q->bitmap >> p) & 1;
            if (bit != (q->head[p] != 0))
                return false;
            uint64_t last = 0;
            for (uint64_t t = q->head[p]; t; t = MONO_OBJ(k, mono_task_o, t)->rq_next) {
                const mono_task_o *o = MONO_OBJ(k, mono_task_o, t);
                if (o->state != MONO_RUNNABLE || o->prio != p || o->core != i || ++nr > k->threads->len)
                    return false;
                last = t;
            }
            if (last != q->tail[p])
                return false;
        }
        if (nr != q->nr || q->lock != 0)
            return false;
        if (q->curr && MONO_OBJ(k, mono_task_o, q->curr)->state != MONO_RUNNING)
            return false;
    }
    return true;
}
