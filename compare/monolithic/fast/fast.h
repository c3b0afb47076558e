/* compare/monolithic/fast/fast.h: freestanding twins of the monolithic
 * kernel's steps (compare/monolithic/path.c's MS_* table), as
 * kernel/fast/ is for cossim's kernel: the work the simulated kernel does
 * between two mono_step_run calls, written as a kernel in C would do it,
 * on the objects' real layout (../layout.h).  scripts/mono-path-counts.py
 * compiles them with clang for each ISA (-O2, freestanding) and counts the
 * instructions each executes under Unicorn, writing
 * compare/monolithic/path_counts.h.  The simulator does not link these
 * files; tests/test_mono_fast.c builds them for the host and checks them
 * against the simulated kernel.
 *
 * Objects refer to one another by physical address; MF turns one into a
 * pointer: the identity on the targets, an offset into the simulated RAM
 * in the host's tests (MF_HOSTED).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "compare/monolithic/layout.h"

#ifdef MF_HOSTED
extern unsigned char *mf_ram;
#define MF(T, pa) ((T *)(void *)(mf_ram + (uintptr_t)(pa)))
#define MF_PA(p) ((uint64_t)((const unsigned char *)(const void *)(p) - mf_ram))
#else
#define MF(T, pa) ((T *)(uintptr_t)(pa))
#define MF_PA(p) ((uint64_t)(uintptr_t)(p))
#endif

typedef uintptr_t mf_word;
#ifndef MF_REGS_WORDS
#define MF_REGS_WORDS 18
#endif
#define MF_CALLEE_WORDS 8   /* switch_to's callee-saved registers and stack pointer */

/* A core's flags and its loaded mm, as the kernel keeps them per CPU. */
typedef struct mf_cpu {
    uint32_t need_resched, yield;
    uint64_t active_mm;
    uint64_t asid_owner;    /* this core's row (uint64_t per ASID): the mm whose TLB entries it holds */
    uint64_t cr3;           /* what switch_mm writes */
} mf_cpu;

/* A system call's arguments as the entry stub leaves them. */
typedef struct mf_args {
    uint64_t a0, a1, a2;
    uint64_t table;         /* pipes or irqs by id - 1 (uint64_t paddrs) */
    uint32_t n, pad;        /* entries in table */
    uint64_t task, mm;      /* the caller */
} mf_args;

/* Every structure here is of fixed-width fields: the same layout on every
 * ISA (scripts/mono-path-counts.py reads the offsets back anyway). */

/* Each returns what the simulated code decides at the same point. */
unsigned mf_entry(mf_word *frame, const mf_word *user, unsigned nr);
unsigned mf_exit(const mf_word *frame, mf_word *user, unsigned by_irq);
/* lines: the IPI's line and the timer's */
unsigned mf_irq(mf_word *frame, const mf_word *user, unsigned line, const uint32_t *lines);
void mf_ipi(mf_cpu *cpu);
uint64_t mf_irq_hard(mono_irq_o *d);
void mf_yield(mf_cpu *cpu);
/* schedule() between its lock and unlock: prev back on its level (behind
 * its equals on a yield), the highest level's first task taken as
 * rq->curr; returns it (0: idle). */
uint64_t mf_sched(mono_rq_o *rq, mono_task_o *prev, mf_cpu *cpu);
void mf_switch(mf_word *prev_kstack, const mf_word *next_kstack, mf_word *regs);
void mf_switch_mm(mf_cpu *cpu, const mono_mm_o *mm);
/* try_to_wake_up between its lock and unlock: 0 not sleeping, 1 woken,
 * 2 woken and the target must reschedule */
unsigned mf_wake(mono_rq_o *rq, mono_task_o *t);
void mf_lock(uint32_t *lock);
void mf_unlock(uint32_t *lock);
/* pipe_write's checks and bookkeeping (the copy aside): the bytes to copy
 * (or a negative error) and, in *wake, the reader to wake */
int32_t mf_pipe_write(const mf_args *a, uint64_t *wake);
/* pipe_read's: the bytes to copy out, 0 at end of file, -11 to sleep */
int32_t mf_pipe_read(const mf_args *a);
void mf_copy_line(uint8_t *dst, const uint8_t *src);
int32_t mf_close(const mf_args *a, uint64_t *wake);
/* futex_wait's checks and queueing (the bucket's lock aside): 0 queued,
 * -11 the word differs, -22 a bad address */
int32_t mf_futex_wait(const mf_args *a, mono_bucket_o *b, const uint32_t *word);
/* futex_wake's checks and the bucket (0: a bad address) */
uint64_t mf_futex_wake(const mf_args *a, uint64_t buckets);
/* one waiter at *link: 1 (unlinked: it matches), 0 (link moved on) */
unsigned mf_futex_walk(uint64_t *link, mono_bucket_o *b, const mf_args *a, uint64_t *found);
int32_t mf_irq_wait(const mf_args *a);
void mf_exit_thread(mono_task_o *t, mono_mm_o *mm);
