/* kernel/kernel.h: the kernel, as the simulator drives it.
 *
 * User level sees only kernel/abi.h.  This header is for what sits above
 * the kernel in the simulator (the Lua binding, tests): boot a kernel on a
 * machine, run it on the engine, inspect it, check its invariants.
 *
 * Execution model (docs/kernel-design.md): every simulated thread is a
 * coroutine (sim/ctx.h).  Its user code runs on the engine at the core's
 * current time and costs nothing until it asks the machine for something:
 * a system call (cos_call) or user work (cos_compute, cos_touch).  The
 * thread then switches to the engine, where the kernel handles the request
 * at that time: a system call runs its kernel path, which adds up the
 * cycles it costs (mode switches and other figures from the core's cost
 * table, instructions times cpi, and the cache and TLB answers for every
 * kernel object it touches, all of them in simulated memory), commits its
 * change, picks the thread that runs next on that core, and schedules the
 * core's event at the end of the path.  Kernel paths are not preemptible:
 * an interrupt that arrives meanwhile is taken when the path ends.  User
 * compute is an event at its end; an interrupt before then preempts it and
 * the remaining cycles stay with the thread.
 *
 * Invariants: k_check (kernel/check.c) checks all of them; tests call it
 * after every system call.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "kernel/abi.h"
#include "kernel/kmem.h"
#include "kernel/captbl.h"
#include "model/hw.h"
#include "sim/ctx.h"

typedef struct k_kernel k_kernel;

typedef struct k_config {
    const cos_image *const *images;   /* code the kernel can start (index = image id); not copied */
    unsigned nimages;
    unsigned boot_image;          /* the booter: its entry boot_entry runs on every core's init thread */
    unsigned boot_entry;          /* with a0 = the core number, a1 = boot_arg */
    cos_word boot_arg;            /* what the booter is to build (e.g. a pointer to its description) */
    sim_time_t quiescence;        /* 0: the default (docs/kernel-abi.md) */
    size_t stack_size;            /* per thread coroutine; 0: the default */
    bool trace;                   /* write kernel events (switches, invocations, ...) to the trace */
    bool check;                   /* run k_check after every kernel path (tests, fuzzing) */
    void *boot_data;              /* the boot component's data (cos_comp_data; not read by the kernel) */
} k_config;

/* The data of the component with id `id` (its block, cos_comp_load; NULL
 * if it has none): how the host side reads what a component counted after
 * or during a run, as a debugger reads memory.  *bytes gets its size. */
void *k_comp_data(const k_kernel *k, uint32_t id, size_t *bytes);

/* A kernel not yet booted: make it first, so that the machine can be
 * built with k_irq_signal as its interrupt callback (context: the kernel);
 * until k_boot, interrupts stay pending. */
k_kernel *k_new(sim *s, const k_config *cfg);
void k_irq_signal(void *kernel, unsigned core, unsigned line);
/* Boot on machine h: lay out kernel memory, create the boot component
 * and per core its init thread, root tcap and root scheduler rcv, and make
 * each init thread ready to run at the current time.  false with a
 * message on a configuration the kernel cannot boot (e.g. no boot image,
 * too little memory). */
bool k_boot(k_kernel *k, hw *h, GError **error);
/* Frees threads and kernel bookkeeping (not the machine). NULL-safe. */
void k_free(k_kernel *k);

/* Inspection (tests, the Lua binding, the invariant checker; no cost). */
typedef struct k_stats {
    uint64_t syscalls, invocations, returns, switches, sends, receives, interrupts, ipis;
    uint64_t shootdowns;              /* TLB shootdowns taken (a remote core's unmap) */
    uint64_t events, expiries, timeouts, faults, errors;
    uint64_t ul_switches, repairs;    /* user-level dispatches, and the kernel entries that learned of them */
    uint64_t kernel_cycles, user_cycles;
    uint64_t check_failures;      /* kernel paths after which k_check failed (cfg.check) */
    /* objects that outlived their last reference for what is inside or
     * waiting (kernel/obj.c; not in sys:stats()): components kept for the
     * threads inside, running threads and the tcaps cores run under kept
     * for their core, root rcvs kept for their core; and what ended with
     * an rcv: its owner's wait, sends to it in flight */
    uint64_t kept_comps, kept_thds, kept_tcaps, kept_roots, ended_waits, dropped_sends;
} k_stats;
const k_stats *k_get_stats(const k_kernel *k);
unsigned k_threads(const k_kernel *k);       /* thread ids are 1..k_threads */
/* What kernel paths cost, per kind of path, summed over the run: how many
 * ran, their cycles, and the parts: architectural events from the cost
 * table (mode switches, page-table or MPU switches, timer programming,
 * IPIs), instructions x cpi, instruction fetch through the I-cache, and
 * the data accesses to kernel objects (what is left).  Kinds: the system
 * calls by op (1 .. COS_OPS - 1), then K_PATH_SRET, _IRQ, _FAULT, _EXIT. */
enum { K_PATH_SRET = COS_OPS, K_PATH_IRQ, K_PATH_FAULT, K_PATH_EXIT, K_PATHS };
typedef struct k_path_stats {
    uint64_t n, cycles, arch, instructions, fetch, data, accesses;
    uint64_t walk, walks;   /* TLB refills of the user pages the return to user level touches
                             * (kernel/pgtbl.h, k_pgtbl_resume): cycles (not in data), walks */
    uint64_t max;        /* the longest one, cycles */
} k_path_stats;
const k_path_stats *k_get_path_stats(const k_kernel *k, unsigned kind);
const char *k_path_name(unsigned kind);
/* Write the path statistics as rows of the `kernel_paths` trace table
 * (docs/trace-schema.md); at the end of a run. */
void k_write_paths(k_kernel *k);

/* Thread state for tests: "runnable", "blocked", "exited". */
const char *k_thread_state(const k_kernel *k, cos_thdid id);
/* The thread running on (or dispatched to) a core, 0 when idle. */
cos_thdid k_current(const k_kernel *k, unsigned core);
hw *k_hw(const k_kernel *k);
k_mem *k_kmem(k_kernel *k);

/* Figures user code reported with cos_report, in order. */
typedef struct k_report {
    char *key;
    int64_t value;
    sim_time_t at;
    cos_thdid thread;
} k_report;
const GArray *k_reports(const k_kernel *k);   /* of k_report */

/* Every invariant in docs/kernel-design.md; false (with a g_warning
 * naming the first broken one) if any fails.  O(objects). */
bool k_check(k_kernel *k);
