/* compare/monolithic/internal.h: the monolithic kernel's objects and
 * paths, shared by its files (mono.h is the interface).
 *
 * Objects in simulated physical memory (their paddrs are what the caches
 * see; hwmem_ram gives their bytes): per core a run queue (mono_rq_o, its
 * first line the lock, the count, the bitmap and the running task: the
 * line a remote wakeup takes), per thread a task (mono_task_o) and a
 * kernel stack whose top holds the saved user registers, per process an
 * mm (mono_mm_o), per pipe its header and a ring, futex hash buckets and
 * interrupt descriptors.  Host-side state is only what a user program and
 * the engine need (a thread's user code, a core's path in progress).
 *
 * Invariants (mono_check): a task is RUNNABLE and queued on its core's run
 * queue at its priority, or RUNNING as its core's rq->curr, or SLEEPING
 * (on at most one wait: a pipe, a futex bucket, an irq), or DEAD; bitmap
 * bit p is set iff level p's queue is not empty; nr counts the queued.
 */
#pragma once

#include "mono.h"
#include "layout.h"

#define MONO_KSTACK 1024u

/* The steps of the kernel's paths: their counts are compare/monolithic/path_counts.h's
 * (scripts/mono-path-counts.py: the twins of fast/fast.c), in this order. */
typedef enum {
    MS_ENTRY, MS_EXIT, MS_IRQ, MS_IPI, MS_IRQ_HARD, MS_YIELD, MS_SCHED, MS_SWITCH, MS_SWITCH_MM,
    MS_WAKE, MS_LOCK, MS_UNLOCK, MS_PIPE_WRITE, MS_PIPE_READ, MS_COPY_LINE, MS_CLOSE, MS_FUTEX_WAIT,
    MS_FUTEX_WAKE, MS_FUTEX_WALK, MS_IRQ_WAIT, MS_EXIT_THREAD,
    MS_STEPS
} mono_step;

struct mono_proc {
    mono *k;
    unsigned id;
    uint64_t mm;            /* paddr of mono_mm_o */
    uint64_t root;
    uint16_t asid;
    uint64_t data_pa[MONO_DATA_PAGES], code_pa, stack_pa;
};

struct mono_thread {
    mono *k;
    unsigned id, core;
    uint64_t task;          /* paddr */
    mono_proc *proc;        /* NULL: a kernel thread */
    mono_user_fn fn;
    void *arg;
    int64_t ret;
    uint64_t compute_left;
    mono_req wait;          /* the request it is blocked in (op MONO_REQS: none) */
    bool by_irq;            /* it left user level for an interrupt: it returns by iret */
};

typedef enum { MONO_CORE_IDLE, MONO_CORE_USER, MONO_CORE_KERNEL } mono_core_state;

/* A reschedule IPI on its way out: sent when the path that raises it has
 * run up to the ICR write (the path's start plus its cycles so far), not
 * at the path's start. */
typedef struct mono_ipi {
    simq_event ev;
    mono *k;
    unsigned from, to;
} mono_ipi;

typedef struct mono_core {
    mono *k;
    unsigned id;
    mono_core_state state;
    simq_event ev;
    uint64_t rq;            /* paddr of its mono_rq_o */
    mono_thread *cur;       /* running (at user level, or in this path) */
    mono_thread *next;      /* the path's choice */
    uint64_t active_mm;     /* the mm loaded (an idle or kernel thread keeps the last: lazy TLB) */
    bool need_resched, yield, irq_pending;
    mono_ipi *ipi;          /* [ncores]: this core's IPI to each */
    /* the path in progress */
    sim_time_t now;
    uint64_t cycles;
    unsigned kind;
    /* user compute in progress */
    sim_time_t user_since;
    uint64_t compute_cycles;
} mono_core;

struct mono {
    sim *s;
    hw *h;
    unsigned ncores;
    mono_core *core;
    uint64_t brk, mem_end;  /* the boot allocator over physical memory */
    uint64_t text, text_off[MS_STEPS], text_len[MS_STEPS];
    uint64_t step_instr[MS_STEPS];
    uint64_t buckets;       /* paddr of MONO_BUCKETS mono_bucket_o */
    GPtrArray *threads;     /* mono_thread *, id - 1 */
    GPtrArray *procs;
    GArray *pipes;          /* uint64_t paddr, id - 1 */
    GArray *irqs;           /* uint64_t paddr, id - 1 */
    uint64_t *asid_owner;   /* [core * asids + asid]: the mm whose entries the TLB holds */
    unsigned nasids, next_asid;
    mono_stats st;
    mono_path_stats paths[MONO_PATHS];
    bool detached;
    bool check;             /* mono_check after every path */
};

static inline void *mono_ram(const mono *k, uint64_t paddr)
{
    return hwmem_ram(k->h->mem, paddr);
}
#define MONO_OBJ(k, type, paddr) ((type *)mono_ram((k), (paddr)))

static inline mono_thread *mono_thread_of(const mono *k, uint64_t task)
{
    return g_ptr_array_index(k->threads, MONO_OBJ(k, mono_task_o, task)->id - 1);
}

/* ---- path.c: what code and data cost on the path in progress ---- */
void mono_path_init(mono *k);
/* step s's instructions (cpi) and its text's fetch through the I-cache */
void mono_step_run(mono_core *c, mono_step s);
/* an access to [paddr, paddr + len): the stall beyond an L1 hit, per line */
void mono_touch(mono_core *c, uint64_t paddr, uint64_t len, bool write);
/* a cost the preset gives (mode switch, CR3 write, IPI send) */
static inline void mono_arch(mono_core *c, uint64_t cycles)
{
    c->cycles += cycles;
}
/* a raw spinlock taken (an atomic read-modify-write on its line) and released */
void mono_lock(mono_core *c, uint64_t lock);
void mono_unlock(mono_core *c, uint64_t lock);
/* a user address translated by the core's MMU as the kernel copies (its
 * walk charged); false if it is not mapped */
bool mono_user_translate(mono_core *c, uint64_t vaddr, bool write, uint64_t *paddr);
uint64_t mono_alloc(mono *k, uint64_t bytes, uint64_t align);

/* ---- sched.c: run queues, wakeups, schedule() ---- */
void mono_rq_init(mono *k);
void mono_rq_free(mono *k);
void mono_enqueue(mono *k, mono_core *c, uint64_t rq, uint64_t task, bool head);
/* try_to_wake_up: task to RUNNABLE on its own core's queue; preempts
 * there if it outranks what runs (a remote core: through an IPI). */
void mono_wake(mono_core *c, uint64_t task);
/* schedule(): c->cur (NULL: idle) gives way to the highest queued task;
 * c->next is the choice (NULL: idle), switched to (registers, mm). */
void mono_schedule(mono_core *c);
bool mono_rq_check(const mono *k);
