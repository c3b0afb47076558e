/* compare/monolithic/layout.h: the monolithic kernel's objects as they lie
 * in simulated physical memory (internal.h says what each holds and the
 * invariants).  Freestanding (fixed-width types only, the same layout on
 * every ISA the twins of fast/ are compiled for): shared by the kernel and
 * its twins.  Objects refer to one another by physical address.
 */
#pragma once

#include <stdint.h>

#define MONO_LINE 64u
#define MONO_BUCKETS 64u
#ifndef MONO_PRIOS
#define MONO_PRIOS 64u           /* priorities 1..63, higher runs first (Linux RT has 99) */
#endif
#ifndef MONO_PIPE_BYTES
#define MONO_PIPE_BYTES 4096u    /* a pipe's ring (Linux: one page per buffer slot) */
#endif

typedef enum { MONO_RUNNABLE = 1, MONO_RUNNING, MONO_SLEEPING, MONO_DEAD } mono_task_state;

typedef struct mono_rq_o {
    uint32_t lock;          /* the raw spinlock: 0 free, 1 held */
    uint32_t nr;            /* tasks queued (not the running one) */
    uint64_t bitmap;        /* bit p: level p has a queued task */
    uint64_t curr;          /* the running task (paddr), 0: idle */
    uint64_t pad[5];
    uint64_t head[MONO_PRIOS], tail[MONO_PRIOS];
} mono_rq_o;

typedef struct mono_task_o {
    uint32_t state, prio, core, id;
    uint64_t mm;            /* paddr of its mm; 0 for a kernel thread */
    uint64_t rq_next;       /* next on its run-queue level */
    uint64_t wait_next;     /* next on a futex bucket */
    uint64_t futex_mm, futex_uaddr;
    uint64_t kstack;        /* the saved user registers' frame */
} mono_task_o;

typedef struct mono_mm_o {
    uint64_t root;          /* the page table's top level */
    uint32_t asid, users;
} mono_mm_o;

typedef struct mono_pipe_o {
    uint32_t head, tail;    /* bytes read and written so far (the ring is mod MONO_PIPE_BYTES) */
    uint32_t readers, writers;
    uint64_t reader_wait;   /* the task blocked reading, 0 none */
    uint64_t buf;           /* the ring's paddr */
} mono_pipe_o;

typedef struct mono_bucket_o {
    uint32_t lock, n;
    uint64_t head;
    uint64_t pad[6];
} mono_bucket_o;

typedef struct mono_irq_o {
    uint32_t line, pending;
    uint64_t thread;        /* the interrupt thread's task */
    uint64_t waiting;       /* it is blocked in IRQ_WAIT */
} mono_irq_o;

