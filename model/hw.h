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
 * Still to come in this layer (issue 3): the TLBs and page-table walkers
 * (model/tlb.h, model/pagetable.h), the MPU per core (model/mpu.h), the
 * interrupt controller and timers (model/irq.h, model/timer.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim.h"
#include "machine.h"
#include "mem.h"

typedef struct hw_core {
    uint64_t kernel_cycles, user_cycles;
    uint64_t interrupts;
    uint64_t tlb_misses;
} hw_core;

typedef struct hw {
    sim *s;
    model_config cfg;
    hwmem *mem;
    hw_core *core;              /* [cfg.cores] */
    simtr_table *t_counters;
} hw;

/* The machine of preset configuration *cfg (taken over: *cfg is left
 * empty) in simulation s; declares the `counters` trace table. */
hw *hw_new(sim *s, model_config *cfg, GError **error);
void hw_free(hw *h);

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
    return hwmem_cycles_to_ps(cycles, h->cfg.freq_hz);
}
/* Record that `core` spent `cycles` in kernel or user mode. */
void hw_account(hw *h, unsigned core, uint64_t cycles, bool kernel);
/* Cycles to access [paddr, paddr + len) from `core`, starting at `at`. */
uint64_t hw_access(hw *h, unsigned core, uint64_t paddr, uint64_t len, hwmem_kind kind, sim_time_t at);

/* One row per core in `counters`, at the current time. */
void hw_write_counters(hw *h);
