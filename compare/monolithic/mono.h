/* compare/monolithic/mono.h: a Linux-RT-like monolithic kernel on the
 * machine model, for comparison with cossim's own kernel (docs/compare.md).
 *
 * Processes own address spaces (a page table in the machine's format, with
 * an ASID/PCID each); threads in them run host code at user level that asks
 * the kernel for one thing at a time (a mono_req, the way a program makes
 * system calls).  The kernel is in-kernel fixed-priority scheduling
 * (SCHED_FIFO-like) with a run queue and its spinlock per core, pipes,
 * futexes, sched_yield, and interrupts with threaded bottom halves.  Its
 * objects live in the machine's physical memory, so every path pays what
 * the caches, the TLB and coherence say, plus its instructions and the
 * preset's mode-switch, page-table-switch and IPI costs (model/hw.h).
 *
 * Layer: beside kernel/ (DESIGN.md); includes sim/ and model/ only.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim.h"
#include "model/hw.h"

typedef struct mono mono;
typedef struct mono_thread mono_thread;
typedef struct mono_proc mono_proc;

/* Errors a system call returns (negative, as Linux's). */
enum { MONO_EBADF = -9, MONO_EAGAIN = -11, MONO_EFAULT = -14, MONO_EINVAL = -22, MONO_EPIPE = -32 };

/* What a thread asks for when it runs at user level. */
typedef enum {
    MONO_REQ_COMPUTE,       /* a0 cycles of user work (no kernel entry) */
    MONO_REQ_YIELD,         /* sched_yield() */
    MONO_REQ_WRITE,         /* write(pipe a0, user buffer a1, a2 bytes) */
    MONO_REQ_READ,          /* read(pipe a0, user buffer a1, a2 bytes) */
    MONO_REQ_CLOSE,         /* close pipe a0's end a1 (0 read, 1 write) */
    MONO_REQ_FUTEX_WAIT,    /* futex(a0, FUTEX_WAIT, val a1) */
    MONO_REQ_FUTEX_WAKE,    /* futex(a0, FUTEX_WAKE, n a1) */
    MONO_REQ_IRQ_WAIT,      /* an interrupt thread: wait for irq a0's next interrupt */
    MONO_REQ_EXIT,
    MONO_REQS
} mono_req_kind;

typedef struct mono_req {
    mono_req_kind op;
    uint64_t a0, a1, a2;
} mono_req;

/* A thread's user code: called each time the thread is at user level,
 * with the result of its last request (0 the first time); returns the
 * next request.  Host code: it costs no simulated time (a COMPUTE is how
 * user work takes time). */
typedef mono_req (*mono_user_fn)(mono_thread *t, int64_t ret, void *arg);

/* User memory every process has mapped: its code page, its stack page and
 * MONO_DATA_PAGES data pages at MONO_DATA_VA (read and write). */
#define MONO_CODE_VA  UINT64_C(0x400000)
#define MONO_DATA_VA  UINT64_C(0x600000)
#define MONO_DATA_PAGES 4u
#define MONO_STACK_VA UINT64_C(0x7ff000)
#define MONO_PIPE_BYTES 4096u    /* a pipe's ring (Linux: one page per buffer slot) */
/* A kernel thread (no process) may write to a pipe: a2 bytes, at most
 * this many, from a buffer just below the saved registers on its kernel
 * stack (a1 is not used); its other requests are IRQ_WAIT, COMPUTE and EXIT. */
#define MONO_KWRITE_BYTES 64u
#define MONO_PRIOS 64u           /* priorities 1..63, higher runs first (Linux RT has 99) */

typedef struct mono_stats {
    uint64_t syscalls, errors, switches, mm_switches, wakeups, ipis, interrupts, irq_threads;
    uint64_t kernel_cycles;
    uint64_t check_failures;    /* paths after which mono_check failed (mono_set_check) */
} mono_stats;

/* The paths, by kind, for `paths`. */
enum { MONO_PATH_IRQ = MONO_REQS, MONO_PATH_IDLE, MONO_PATHS };
typedef struct mono_path_stats {
    uint64_t n, cycles, max;
} mono_path_stats;

/* A kernel on machine h (an MMU machine: hw_pd_kind_of is HW_PD_PAGETABLE,
 * with an IPI line if it has several cores); it takes h's interrupt
 * signal.  NULL with an error when the machine cannot run it. */
mono *mono_new(sim *s, hw *h, GError **error);
void mono_free(mono *k);
/* Give back the machine's interrupt signal (hw_set_signal(h, NULL, NULL)). */
void mono_detach(mono *k);

/* A process with its address space; NULL if physical memory ran out. */
mono_proc *mono_proc_new(mono *k);
/* A thread of process p (NULL: a kernel thread, which has no user mode)
 * on `core`, at priority prio (1..MONO_PRIOS-1), runnable; it runs when
 * its core schedules (mono_start). */
mono_thread *mono_thread_new(mono *k, mono_proc *p, unsigned core, unsigned prio, mono_user_fn fn, void *arg);
/* A pipe; its id for requests. */
unsigned mono_pipe_new(mono *k);
/* Interrupt `line` handled by a hard handler that wakes thread t (waiting
 * in MONO_REQ_IRQ_WAIT with a0 = the returned id). */
unsigned mono_irq_attach(mono *k, unsigned line, unsigned core, mono_thread *t);
/* Every core with a runnable thread schedules, now. */
void mono_start(mono *k);

/* The bytes of t's process's user memory at vaddr (len bytes, within one
 * mapped page), for user code to read and write without cost; NULL if not
 * mapped. */
void *mono_user_mem(mono_thread *t, uint64_t vaddr, uint64_t len);
/* The core's cycle counter now (the TSC: every core of a machine runs at
 * its frequency from time 0). */
uint64_t mono_cycles(const mono *k);
hw *mono_machine(const mono *k);
/* The core runs nothing and no path is under way on it (a program's way
 * to know that its peer is asleep, as a benchmark's harness would). */
bool mono_core_idle(const mono *k, unsigned core);
unsigned mono_thread_core(const mono_thread *t);
mono *mono_thread_kernel(const mono_thread *t);
const mono_stats *mono_get_stats(const mono *k);
const mono_path_stats *mono_get_path_stats(const mono *k, unsigned kind);
const char *mono_path_name(unsigned kind);
/* Run mono_check after every kernel path (slow; for tests), counting
 * failures in the stats. */
void mono_set_check(mono *k, bool on);
/* Every run-queue invariant holds (each runnable thread queued once, on
 * its own core, at its priority; the bitmap says which levels have one). */
bool mono_check(const mono *k);
