/* model/hw.c: the hardware layer (see hw.h). */
#include "hw.h"

#include <math.h>
#include <string.h>

static const simtr_column counter_cols[] = {
    { "time_ps", SIMTR_INT, true },
    { "core", SIMTR_INT, true },
    { "kernel_cycles", SIMTR_INT, true },
    { "user_cycles", SIMTR_INT, true },
    { "l1i_hits", SIMTR_INT, true },
    { "l1i_misses", SIMTR_INT, true },
    { "l1d_hits", SIMTR_INT, true },
    { "l1d_misses", SIMTR_INT, true },
    { "l2_hits", SIMTR_INT, true },
    { "l2_misses", SIMTR_INT, true },
    { "l3_hits", SIMTR_INT, true },
    { "l3_misses", SIMTR_INT, true },
    { "peer_transfers", SIMTR_INT, true },
    { "mem_reads", SIMTR_INT, true },
    { "upgrades", SIMTR_INT, true },
    { "invalidations", SIMTR_INT, true },
    { "writebacks", SIMTR_INT, true },
    { "mem_writes", SIMTR_INT, true },
    { "bus_wait_cycles", SIMTR_INT, true },
    { "tlb_misses", SIMTR_INT, true },
    { "interrupts", SIMTR_INT, true },
};

hw *hw_new(sim *s, model_config *cfg, GError **error)
{
    hwmem *mem = hwmem_new(&cfg->mem, s->seed, error);
    if (mem == NULL)
        return NULL;
    hw *h = g_new0(hw, 1);
    h->s = s;
    h->cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    h->mem = mem;
    h->core = g_new0(hw_core, h->cfg.cores);
    h->t_counters = simtr_define(s->trace, "counters", counter_cols, G_N_ELEMENTS(counter_cols));
    return h;
}

void hw_free(hw *h)
{
    if (h == NULL)
        return;
    hwmem_free(h->mem);
    model_config_clear(&h->cfg);
    g_free(h->core);
    g_free(h);
}

uint64_t hw_instructions(const hw *h, uint64_t n)
{
    return (uint64_t)ceil((double)n * h->cfg.cpi);
}

void hw_account(hw *h, unsigned core, uint64_t cycles, bool kernel)
{
    g_assert(core < h->cfg.cores);
    if (kernel)
        h->core[core].kernel_cycles += cycles;
    else
        h->core[core].user_cycles += cycles;
}

uint64_t hw_access(hw *h, unsigned core, uint64_t paddr, uint64_t len, hwmem_kind kind, sim_time_t at)
{
    g_assert(hwmem_in_range(h->mem, paddr, len));
    return hwmem_access_range(h->mem, core, paddr, len, kind, at);
}

void hw_write_counters(hw *h)
{
    simtr_table *t = h->t_counters;
    for (unsigned c = 0; c < h->cfg.cores; c++) {
        const hwmem_counters *n = &h->mem->core[c].n;
        const hw_core *k = &h->core[c];
        int64_t v[] = {
            (int64_t)sim_now(h->s), c, (int64_t)k->kernel_cycles, (int64_t)k->user_cycles,
            (int64_t)n->served[HWMEM_L1I], (int64_t)n->misses[HWMEM_L1I],
            (int64_t)n->served[HWMEM_L1D], (int64_t)n->misses[HWMEM_L1D],
            (int64_t)n->served[HWMEM_OUTER0], (int64_t)n->misses[HWMEM_OUTER0],
            (int64_t)n->served[HWMEM_OUTER1], (int64_t)n->misses[HWMEM_OUTER1],
            (int64_t)n->served[HWMEM_PEER], (int64_t)n->served[HWMEM_DRAM],
            (int64_t)n->upgrades, (int64_t)n->invalidations, (int64_t)n->writebacks,
            (int64_t)n->mem_writes, (int64_t)n->bus_wait_cycles, (int64_t)k->tlb_misses,
            (int64_t)k->interrupts,
        };
        G_STATIC_ASSERT(G_N_ELEMENTS(v) == G_N_ELEMENTS(counter_cols));
        simtr_begin(t);
        for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
            simtr_int(t, v[i]);
        simtr_end(t);
    }
}
