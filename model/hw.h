/* model/hw.h: the machine during a run, as the kernel sees it.
 *
 * This is the one narrow layer between the kernel and the hardware model
 * (DESIGN.md): the kernel asks what an event costs (a mode switch, a
 * page-table base write, an IPI) and what touching memory costs, and the
 * answers come from the preset's cost table and from the caches, coherence
 * and bus of model/mem.h.  Costs are in cycles of the core concerned; the
 * kernel adds them up along a path and turns the total into time once
 * (hw_ps), so rounding happens once per path.
 *
 * Counters per core (cycles in kernel and user mode, hits and misses per
 * level, coherence, bus waits, interrupts) are written to the trace's
 * `counters` table by hw_write_counters: at the end of a run, and whenever
 * a scenario asks.
 *
 * The layer owns, per machine: the memory system (model/mem.h), per core a
 * TLB and MMU (model/tlb.h, model/pagetable.h) or an MPU (model/mpu.h),
 * the interrupt controller with its IPIs and device sources (model/irq.h)
 * and the per-core timers (model/timer.h).  The kernel reaches those
 * directly through h->irq and h->timer for their register-level calls, and
 * through the functions below for everything that costs time.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim.h"
#include "machine.h"
#include "mem.h"
#include "mpu.h"
#include "pagetable.h"
#include "tlb.h"
#include "irq.h"
#include "timer.h"
#include "stream.h"

typedef struct hw hw;

typedef struct hw_core {
    hw *h;
    unsigned id;
    uint64_t kernel_cycles, user_cycles;
    uint64_t interrupts;
    uint64_t tlb_misses;
    /* address translation (x86-64, ARMv7-A; the Cortex-A53 preset runs its
     * kernel in AArch32 with the short-descriptor format): one TLB per
     * core with the preset's main-TLB geometry, and the MMU's registers */
    hwtlb *tlb;
    hwpt_mmu mmu;
    /* the walk being costed: descriptor reads go through the caches */
    sim_time_t walk_at;
    uint64_t walk_cycles;
    /* protection on the M profile */
    hwmpu mpu;
    /* the user accesses in progress (model/stream.h), and the cross-core
     * cycles user accesses spent so far (of the memory system's
     * cross_cycles, which counts kernel paths' accesses too) */
    hwstream_run stream;
    uint64_t user_cross_cycles;
} hw_core;

struct hw {
    sim *s;
    model_config cfg;
    hwmem *mem;
    hw_core *core;              /* [cfg.cores] */
    hwirq *irq;                 /* the interrupt controller */
    hwtimer *timer;             /* the per-core timers, on their preset line */
    unsigned timer_line;
    simtr_table *t_counters;
    /* Where the interrupt controller's signals go (hw_set_signal). */
    hwirq_signal_fn signal;
    void *signal_ctx;
    /* The first core's number in the trace: a run may hold several
     * machines, and their cores are numbered on from one another. */
    unsigned core_base;
    /* The machine's streams (model/stream.h): the cores with lines left
     * to issue, and the event that issues them. */
    uint64_t streams;
    simq_event stream_ev;
};

/* The machine of preset configuration *cfg (taken over: *cfg is left
 * empty) in simulation s; declares the `counters` trace table (or shares
 * it with a machine built before in the same run).  signal (may be NULL)
 * is told when an interrupt becomes deliverable to a core (model/irq.h). */
hw *hw_new(sim *s, model_config *cfg, hwirq_signal_fn signal, void *signal_ctx, GError **error);
void hw_free(hw *h);
/* Send the interrupt signals elsewhere from now on (the kernel, booted on
 * a machine built before it). */
void hw_set_signal(hw *h, hwirq_signal_fn signal, void *ctx);

static inline uint64_t hw_cost(const hw *h, model_cost c)
{
    return h->cfg.cost[c];
}
/* Cycles for n instructions of straight-line kernel code (n x cpi,
 * rounded up). */
uint64_t hw_instructions(const hw *h, uint64_t n);
/* Cycles of a core as picoseconds (rounded up). */
static inline sim_time_t hw_ps(const hw *h, uint64_t cycles)
{
    return hwmem_ps_of(h->mem, cycles);     /* h->mem->cfg.freq_hz is h->cfg.freq_hz */
}
/* A core's kernel-mode cycles, and the cross-core cycles (model/mem.h)
 * its user accesses (model/stream.h) spent, so far: the kernel stamps
 * them on its switch events, so that the analysis can split each stretch
 * a thread ran into kernel time, cross-core time and the rest (the cross-
 * core cycles of kernel paths are kernel time). */
static inline uint64_t hw_kernel_cycles(const hw *h, unsigned core)
{
    return h->core[core].kernel_cycles;
}
static inline uint64_t hw_cross_cycles(const hw *h, unsigned core)
{
    return h->core[core].user_cross_cycles;
}
/* An interrupt taken by `core` (counted for the counters table). */
static inline void hw_interrupt_taken(hw *h, unsigned core)
{
    h->core[core].interrupts++;
}
/* Record that `core` spent `cycles` in kernel or user mode. */
void hw_account(hw *h, unsigned core, uint64_t cycles, bool kernel);
/* Cycles to access [paddr, paddr + len) from `core`, starting at `at`. */
uint64_t hw_access(hw *h, unsigned core, uint64_t paddr, uint64_t len, hwmem_kind kind, sim_time_t at);
/* hw_translate's answer when the MMU's memo repeats a recent TLB hit (no
 * walk, no cycles, the same counts and TLB stamp): true with *paddr; false
 * with nothing done otherwise (then hw_translate).  Host speed only. */
static inline bool hw_translate_repeat(hw *h, unsigned core, uint64_t vaddr, unsigned acc, uint64_t *paddr)
{
    hw_core *k = &h->core[core];
    if (k->tlb == NULL)
        return false;
    hwpt_memo *mo = hwpt_memo_find(&k->mmu, vaddr, acc);
    if (mo == NULL)
        return false;
    *paddr = hwpt_memo_repeat(&k->mmu, mo, vaddr);
    return true;
}

/* The same for kernel code, whose L1 hits are inside its instructions'
 * cost: the stall cycles beyond an L1 hit, one access per L1 line (per 64
 * bytes without an L1), each at `base` plus the cycles so far (`cycles`
 * and the stalls before it); hwmem_access_stalls. */
static inline uint64_t hw_access_stalls(hw *h, unsigned core, uint64_t paddr, uint64_t len, hwmem_kind kind,
                                        sim_time_t base, uint64_t cycles)
{
    const hwmem_config *mc = &h->cfg.mem;
    return hwmem_access_stalls(h->mem, core, paddr, len, mc->has_l1 ? mc->l1d.line : 64, kind, base, cycles,
                               mc->has_l1 ? mc->l1d.hit_cycles : 0);
}

/* Translate vaddr for an access (HWPT_ACC_* flags) by `core` at time `at`:
 * the TLB, and on a miss a walk whose descriptor reads go through the
 * caches.  Returns the cycles the translation adds; r says where it went
 * (r->fault.kind != HWPT_OK: a fault, for the kernel to handle).  Machines
 * without an MMU translate one to one at no cost. */
uint64_t hw_translate(hw *h, unsigned core, uint64_t vaddr, unsigned acc, sim_time_t at, hwpt_result *r);
/* Switch core's address space: write the page-table base (x86: CR3 with
 * `asid` as PCID, keeping the PCID's entries when `keep`; ARM: TTBR0 and
 * CONTEXTIDR.ASID).  Returns the instruction's cost (pt_switch); the TLB
 * refills that follow are paid by later hw_translate calls. */
uint64_t hw_switch_address_space(hw *h, unsigned core, uint64_t root, uint16_t asid, bool keep);
/* Invalidate core's TLB entry for vaddr under `asid` (INVLPG / INVPCID
 * type 0; TLBIMVA): returns the instruction's cost (tlb_flush_addr). */
uint64_t hw_tlb_invalidate_page(hw *h, unsigned core, uint64_t vaddr, uint16_t asid);
/* Memory callbacks for building page tables in simulated memory (no cost:
 * building happens at boot), with the kernel's allocator: fill *b, then
 * pass &b->mem to hwpt_x86_map / hwpt_arm_map.  b must outlive its use. */
typedef struct hw_builder {
    hwpt_mem mem;
    hw *h;
    hwpt_alloc_fn alloc;
    void *alloc_ctx;
} hw_builder;
void hw_pt_builder(hw *h, hwpt_alloc_fn alloc, void *alloc_ctx, hw_builder *b);
/* Program core's MPU to `to` (a copy of hw_core.mpu with changes);
 * returns the cycles (regions changed x mpu_region_write). */
uint64_t hw_mpu_program(hw *h, unsigned core, const hwmpu *to);

/* A cold start for benchmarks: write back and drop every cache line of
 * the machine and invalidate `core`'s TLB.  Returns the TLB flush's cost
 * (tlb_flush_all); the write-backs are not timed (a benchmark reads its
 * clock after this). */
uint64_t hw_flush_cold(hw *h, unsigned core);

/* Arm `core`'s timer to raise its line (h->timer_line) at the first tick
 * of the timer's clock at or after `at` (SIM_TIME_MAX or a time not after
 * now: disarm), as the kernel's one-shot: TSC deadline, CNTP_CVAL, the A9
 * private timer's load value, or SysTick's reload (24 bits: a later time
 * fires early at the longest reload, and the kernel re-arms).  Returns the
 * cost (timer_program). */
uint64_t hw_timer_oneshot(hw *h, unsigned core, sim_time_t at);
/* The line IPIs use: LAPIC vector 0xF0, GIC SGI 1; HWIRQ_NONE on NVIC
 * machines, which have one core. */
unsigned hw_ipi_line(const hw *h);

/* ---- what the kernel asks of the architecture ----------------------
 * The kernel is generic: it never tests which architecture, MMU format,
 * MPU version or interrupt controller the machine has.  Whatever differs
 * between them is answered or done here. */

/* Bytes of a machine word: 8 (x86-64) or 4 (i386 and the 32-bit ARM profiles). */
unsigned hw_word_bytes(const hw *h);
/* Register-file words a thread switch saves and loads: x86-64 18 (16
 * general registers, RIP, RFLAGS), i386 10 (8, EIP, EFLAGS), ARM 17
 * (R0-R15, CPSR or xPSR). */
unsigned hw_context_words(const hw *h);
/* The instruction set the kernel's code is compiled for: the row of the
 * kernel's instruction counts (kernel/path_counts.h).  x86-64; ARMv7-A in
 * A32 (Cortex-A9); AArch64 (Cortex-A53); Thumb-2 on the M profiles (ARMv7-M,
 * ARMv7E-M and ARMv8-M Mainline run the same Thumb-2 code); i386 on the
 * 32-bit x86 preset (pentium4). */
typedef enum { HW_ISA_X86_64, HW_ISA_I386, HW_ISA_A32, HW_ISA_T32, HW_ISA_A64 } hw_isa;
hw_isa hw_code_isa(const hw *h);
/* True when the machine has no instruction cache (the cacheless Cortex-M
 * presets): code runs from flash behind the vendor's prefetcher (ST's ART),
 * and its fetch time is already inside the preset's cpi, so the kernel
 * charges no separate fetch for its text (charging both counted the fetch
 * twice). */
bool hw_fetch_in_cpi(const hw *h);

/* Protection domains: what a core loads to run a component.  An MMU
 * machine's domain is a page-table root tagged with an address-space id;
 * an MPU machine's is a region layout. */
typedef enum { HW_PD_PAGETABLE, HW_PD_MPU } hw_pd_kind;
hw_pd_kind hw_pd_kind_of(const hw *h);
typedef struct hw_pd {
    uint64_t root;          /* HW_PD_PAGETABLE: the top-level table */
    uint16_t asid;          /* its address-space id (x86 PCID, ARM ASID) */
    bool keep;              /* the id's TLB entries on this core are this table's: keep them */
    const hwmpu *layout;    /* HW_PD_MPU: the regions */
} hw_pd;
/* Address-space ids a page table can be tagged with: 4096 (x86 PCIDs),
 * 256 (ARM ASIDs); 0 on an MPU machine. */
unsigned hw_asids(const hw *h);
/* Load pd on core: the page-table base (hw_switch_address_space) or the
 * MPU's regions (hw_mpu_program).  Returns the cycles. */
uint64_t hw_switch_pd(hw *h, unsigned core, const hw_pd *pd);
/* A new, empty domain: on an MMU machine *root gets a top-level table
 * from alloc(ctx) (false if it has none to give); on an MPU machine
 * *layout becomes the MPU on, every region off. */
bool hw_pd_new(hw *h, hwpt_alloc_fn alloc, void *ctx, uint64_t *root, hwmpu *layout);
/* Bytes of a top-level table, aligned to its size: 4096 (x86-64), 16384
 * (ARMv7-A short descriptors); 0 on an MPU machine. */
uint64_t hw_pt_root_bytes(const hw *h);
/* Whether an MPU layout is well formed (true on a machine without one). */
bool hw_pd_layout_ok(const hw *h, const hwmpu *layout);
/* User virtual addresses lie below this: 2^47 (x86-64, the lower
 * canonical half), 2^32 (32-bit machines). */
uint64_t hw_user_va_end(const hw *h);

/* Page tables in the machine's format: 4 KiB user pages.  No cost (the
 * kernel charges the accesses it models).  The walk a map would do can be
 * tried first without writing or allocating anything: *tables gets the
 * tables it would add (each hw_pt_table_bytes, aligned to its size), so
 * the caller can see to the memory first, and then the map itself cannot
 * fail.  false when vaddr cannot be mapped (a page is there already). */
#define HW_MAP_WRITE 1u
#define HW_MAP_EXEC  2u
unsigned hw_pt_table_bytes(const hw *h);
bool hw_pt_map_check(hw *h, uint64_t root, uint64_t vaddr, uint64_t paddr, unsigned flags, unsigned *tables);
bool hw_pt_map(hw *h, uint64_t root, uint64_t vaddr, uint64_t paddr, unsigned flags, hwpt_alloc_fn alloc,
               void *ctx);
/* The page mapped at vaddr (*paddr), without changing anything; false if
 * none. */
bool hw_pt_lookup(hw *h, uint64_t root, uint64_t vaddr, uint64_t *paddr);
/* Clear vaddr's leaf (tables stay); *paddr gets the page; false if none. */
bool hw_pt_unmap(hw *h, uint64_t root, uint64_t vaddr, uint64_t *paddr);

/* Set region n of *layout (a copy, not a core's MPU) to the 2^log2 bytes
 * at base, user read (and write, execute) as flags say, in the machine's
 * MPU format (v7-M RBAR/RASR, v8-M RBAR/RLAR); log2 0 turns it off.
 * false if the MPU refuses it, *layout unchanged. */
bool hw_mpu_region(const hw *h, hwmpu *layout, unsigned n, uint64_t base, unsigned log2, unsigned flags);

/* User loads and stores go through the MMU or the MPU and the caches as
 * streams in time: model/stream.h (hwstream_start, _stop, _end). */

/* The kernel is done with interrupt `line` on core: end of interrupt
 * (LAPIC, GIC), or exception return (NVIC).  Returns the line taken next
 * in the same entry when the NVIC tail-chains into it (its cost added to
 * *cycles), else HWIRQ_NONE. */
unsigned hw_irq_done(hw *h, unsigned core, unsigned line, uint64_t *cycles);
/* Deliver device line's interrupts to core, where the controller routes
 * lines one by one (GIC SPIs, 32 and up); elsewhere nothing to do. */
void hw_irq_route(hw *h, unsigned line, unsigned core);

/* One row per core in `counters`, at the current time. */
void hw_write_counters(hw *h);
