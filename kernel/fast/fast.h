/* kernel/fast/fast.h: freestanding twins of the kernel's fast paths.
 *
 * One function per step of kernel/path.c (its K_P_* table): the same work
 * the simulated kernel does between two k_step calls, written as a kernel
 * written in C would do it, on the objects' real layout (kernel/layout.h).
 * Compiled for each target ISA by clang (-ffreestanding -fno-builtin -O2)
 * and run under an instruction-set emulator by scripts/path-counts.py,
 * which counts the instructions each twin executes and writes
 * kernel/path_counts.h, the per-ISA table the simulated kernel charges.
 * The simulator does not link these files; tests/test_kernel_fast.c builds
 * them for the host and checks each twin against the simulated kernel.
 * What they leave out is listed in docs/calibration.md.
 *
 * Every argument is a pointer or a 32-bit value (no 64-bit value passes
 * by value), so each ISA's calling convention puts the first four in
 * registers.  Objects refer to each other by physical address; KF turns
 * one into a pointer: the identity on the targets (a kernel that maps
 * physical memory at its own address 0), an offset into the simulated RAM
 * when built for the host's tests (KF_HOSTED).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "kernel/abi.h"
#include "kernel/layout.h"

#ifdef KF_HOSTED
extern unsigned char *kf_ram;      /* the simulated RAM (tests only) */
#define KF(T, pa) ((T *)(void *)(kf_ram + (uintptr_t)(pa)))
#define KF_PA(p) ((uint64_t)((const unsigned char *)(const void *)(p) - kf_ram))
#else
#define KF(T, pa) ((T *)(uintptr_t)(pa))
#define KF_PA(p) ((uint64_t)(uintptr_t)(p))
#endif

/* A register of the ISA: what a thread switch saves and loads. */
typedef uintptr_t kf_word;
/* Words of a register file, fixed per ISA as in a real kernel's saved
 * context (the simulated kernel's hw_context_words: scripts/path-counts.py
 * gives it per ISA). */
#ifndef KF_REGS_WORDS
#define KF_REGS_WORDS 18
#endif
_Static_assert(KF_REGS_WORDS <= K_REGS_MAX, "a register file fits k_thd_o.regs");

/* What the entry stub leaves on the kernel stack: the user's argument
 * registers, and the return registers the exit puts back. */
typedef struct kf_frame {
    kf_word op, cap, a[5];
    kf_word ret[5];                 /* err, r[0..3] */
} kf_frame;

/* A decoded system call (the simulated kernel's k_thread op, cap, a[]). */
typedef struct kf_call {
    uint32_t op, cap;
    uint64_t a[5];
    uint64_t thd;                   /* the caller's thread object */
    uint64_t comp;                  /* the component it calls from */
    uint64_t core;                  /* the per-core block (k_core_o) of its core */
} kf_call;

/* Per-core state that the simulated kernel keeps on the host (k_core,
 * k_kernel), in one block of kernel memory here. */
typedef struct kf_cpu {
    uint64_t pd;                    /* the domain loaded (k_core.pd) */
    uint64_t pd_root;               /* what the switch gives the MMU: root, ASID, keep */
    uint32_t pd_asid, pd_keep;
    uint64_t *asid_owner;           /* [ASIDs]: whose TLB entries an ASID has here (k_kernel.asid_owner) */
    uint64_t tcap_since;            /* cycles: the current tcap is charged from here (k_core.tcap_since) */
    kf_word *frame;                 /* the live user registers, on the kernel stack */
    uint32_t id;                    /* the core */
    uint32_t pad;
    uint64_t cur_seen;              /* the current thread the kernel last knew (the repair) */
    uint64_t hwtbl;                 /* interrupt line -> rcv (8-byte entries) */
    uint32_t nlines, ipi_line;
    volatile uint32_t *irq_ack;     /* the interrupt controller: acknowledge (read), */
    volatile uint32_t *irq_eoi;     /* end of interrupt (write), */
    volatile uint32_t *ipi_send;    /* raise an IPI (write) */
} kf_cpu;

/* What kf_send found (the simulated kernel goes on accordingly). */
enum { KF_SEND_NONE = 0, KF_SEND_WOKEN, KF_SEND_SCHED };
#define KF_REFUSED 0xffffffffu

typedef cos_err (*kf_handler)(kf_call *call);
extern kf_handler kf_ops[COS_OPS];      /* op -> handler */

/* The steps (kernel/path.c's K_P_*), each the twin of the simulated code
 * named in fast.c. */
kf_handler kf_entry(const kf_frame *f, const k_core_o *co, kf_call *call);
void kf_exit(kf_frame *f, const cos_ret *r);
cos_err kf_cap(const k_comp_o *comp, uint32_t id, uint32_t type, k_slot *out);
uint32_t kf_inv(k_thd_o *th, const k_sinv_o *sv, kf_cpu *cpu);
uint32_t kf_ret(k_thd_o *th, kf_cpu *cpu);
void kf_switch(k_core_o *co, k_thd_o *cur, k_thd_o *next, kf_cpu *cpu);
uint32_t kf_send(k_rcv_o *r);
uint32_t kf_recv(k_rcv_o *r, k_thd_o *t, uint32_t nonblock, uint64_t *taken);
uint32_t kf_event(k_rcv_o *r, k_thd_o *t, uint32_t flags);
uint32_t kf_tcap_higher(const k_tcap_o *a, const k_tcap_o *b);
void kf_acct(k_core_o *co, kf_cpu *cpu, const uint64_t *now);
cos_err kf_dispatch(const kf_call *call, const k_thd_o *to, const k_tcap_o *tc, const k_rcv_o *rcv);
uint64_t kf_irq(kf_cpu *cpu);
uint32_t kf_ipi(k_ring *ring, const uint64_t *word, kf_cpu *cpu, uint32_t to);
cos_err kf_mgmt(const k_comp_o *comp, uint32_t id, uint32_t type, const uint64_t *arg);
void kf_fault(kf_frame *f, const kf_word *fault);
uint32_t kf_repair(const k_core_o *co, kf_cpu *cpu);
/* The user-level dispatch (kernel/thd.c, k_thd_ul_switch): what user
 * level runs to switch threads without the kernel. */
uint32_t kf_ul_dispatch(k_core_o *shared, k_thd_o *cur, k_thd_o *next, kf_cpu *cpu);
