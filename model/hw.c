/* model/hw.c: the hardware layer (see hw.h). */
#include "hw.h"
#include "sim/trace_names.h"

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
    { "cross_cycles", SIMTR_INT, true },
    { "user_cross_cycles", SIMTR_INT, true },
    { "evict_misses", SIMTR_INT, true },
    { "evict_cycles", SIMTR_INT, true },
    { "tlb_misses", SIMTR_INT, true },
    { "interrupts", SIMTR_INT, true },
    { "freq_hz", SIMTR_INT, true },
};

/* Descriptor reads and writes of a walk: the bytes from simulated memory,
 * the cost from the caches, accumulated in the core's walk counter. */
static uint64_t walk_read(void *ctx, uint64_t paddr, unsigned size)
{
    hw_core *c = ctx;
    hw *h = c->h;
    uint64_t v = 0;
    if (!hwmem_in_range(h->mem, paddr, size))
        return 0;       /* outside memory reads as zero: a translation fault */
    memcpy(&v, hwmem_ram(h->mem, paddr), size);   /* little-endian hosts and targets */
    c->walk_cycles += hwmem_access(h->mem, c->id, paddr, HWMEM_READ,
                                   c->walk_at + hw_ps(h, c->walk_cycles), NULL);
    return v;
}

static void walk_write(void *ctx, uint64_t paddr, uint64_t value, unsigned size)
{
    hw_core *c = ctx;
    hw *h = c->h;
    if (!hwmem_in_range(h->mem, paddr, size))
        return;
    memcpy(hwmem_ram(h->mem, paddr), &value, size);
    c->walk_cycles += hwmem_access(h->mem, c->id, paddr, HWMEM_WRITE,
                                   c->walk_at + hw_ps(h, c->walk_cycles), NULL);
}

static uint64_t build_read(void *ctx, uint64_t paddr, unsigned size)
{
    hw *h = ((hw_builder *)ctx)->h;
    uint64_t v = 0;
    if (hwmem_in_range(h->mem, paddr, size))
        memcpy(&v, hwmem_ram(h->mem, paddr), size);
    return v;
}

static void build_write(void *ctx, uint64_t paddr, uint64_t value, unsigned size)
{
    hw *h = ((hw_builder *)ctx)->h;
    if (hwmem_in_range(h->mem, paddr, size))
        memcpy(hwmem_ram(h->mem, paddr), &value, size);
}

static bool build_alloc(void *ctx, unsigned size, uint64_t *paddr)
{
    hw_builder *b = ctx;
    if (b->alloc == NULL || !b->alloc(b->alloc_ctx, size, paddr))
        return false;
    if (!hwmem_in_range(b->h->mem, *paddr, size))
        return false;
    memset(hwmem_ram(b->h->mem, *paddr), 0, size);   /* the builders expect zeroed tables */
    return true;
}

void hw_pt_builder(hw *h, hwpt_alloc_fn alloc, void *alloc_ctx, hw_builder *b)
{
    b->h = h;
    b->alloc = alloc;
    b->alloc_ctx = alloc_ctx;
    b->mem = (hwpt_mem){ build_read, build_write, build_alloc, b };
}

static bool init_core(hw *h, unsigned c, GError **error)
{
    hw_core *k = &h->core[c];
    k->h = h;
    k->id = c;
    const model_config *cfg = &h->cfg;
    bool x86 = cfg->arch == MODEL_X86_64 || cfg->arch == MODEL_I386;
    if (cfg->has_tlb && (x86 || cfg->arch == MODEL_ARMV7A || cfg->arch == MODEL_ARMV8A)) {
        const model_tlb_level *l = cfg->l2tlb.entries ? &cfg->l2tlb : &cfg->dtlb;
        hwtlb_config tc = { x86 ? HWTLB_X86_64 : HWTLB_ARMV7A, l->entries, l->ways, cfg->asid };
        k->tlb = hwtlb_new(&tc, error);
        if (k->tlb == NULL)
            return false;
        hwpt_mem mem = { walk_read, walk_write, NULL, k };
        if (cfg->arch == MODEL_X86_64) {
            /* Skylake client parts: 39 physical address bits; NX, WP and
             * global pages on, SMEP off until the kernel turns it on */
            hwpt_x86_regs r = { .cr3 = 0, .maxphyaddr = 39, .nxe = true, .wp = true, .smep = false,
                                .pge = true, .pcide = cfg->asid };
            return hwpt_mmu_init_x86(&k->mmu, &r, &mem, k->tlb, error);
        }
        if (cfg->arch == MODEL_I386) {
            /* 32-bit paging, CR4.PSE off, WP and global pages on, no PCID */
            hwpt_x86_regs r = { .cr3 = 0, .maxphyaddr = 32, .wp = true, .pge = true };
            return hwpt_mmu_init_x86_32(&k->mmu, &r, &mem, k->tlb, error);
        }
        /* every domain "client": permissions come from the descriptors */
        hwpt_arm_regs r = { .ttbr0 = 0, .ttbr1 = 0, .ttbcr_n = 0, .dacr = 0x55555555u, .asid = 0,
                            .has_pxn = cfg->arch == MODEL_ARMV8A };
        return hwpt_mmu_init_armv7a(&k->mmu, &r, &mem, k->tlb, error);
    }
    if (cfg->has_mpu)
        return hwmpu_init(&k->mpu, cfg->mpu_kind == MODEL_MPU_V7M ? HWMPU_V7M : HWMPU_V8M, cfg->mpu_regions, error);
    return true;
}

/* The controller, lines and timer of the preset (DDI/SDM numbers in
 * model/irq.h and model/timer.h): the LAPIC's timer is an LVT vector the OS
 * picks (0xEF, as Linux's LOCAL_TIMER_VECTOR); the A9 private timer is PPI
 * 29, the generic timer's non-secure physical PPI 30; SysTick is exception
 * 15.  Cortex-M "lines" count the 16 system exceptions before the external
 * interrupts. */
static void signal_tramp(void *ctx, unsigned core, unsigned line)
{
    hw *h = ctx;
    if (h->signal)
        h->signal(h->signal_ctx, core, line);
}

void hw_set_signal(hw *h, hwirq_signal_fn signal, void *ctx)
{
    h->signal = signal;
    h->signal_ctx = ctx;
}

static bool init_irq(hw *h, GError **error)
{
    const model_config *cfg = &h->cfg;
    hwirq_config ic = { .ncores = cfg->cores, .prio_bits = cfg->irq_prio_bits ? cfg->irq_prio_bits : 8,
                        .ipi_latency = cfg->ipi_latency, .signal = signal_tramp, .core_ctx = h };
    hwtimer_config tc = { .ncores = cfg->cores, .freq_hz = cfg->timer_freq_hz };
    switch (cfg->irq) {
    case MODEL_IRQ_LAPIC:
        ic.kind = HWIRQ_LAPIC;
        ic.nlines = 256;
        break;
    case MODEL_IRQ_GIC:
    case MODEL_IRQ_GICV3:
        ic.kind = cfg->irq == MODEL_IRQ_GIC ? HWIRQ_GIC : HWIRQ_GICV3;
        ic.nlines = cfg->irq_lines;
        break;
    case MODEL_IRQ_NVIC:
        ic.kind = HWIRQ_NVIC;
        ic.nlines = 16 + cfg->irq_lines;
        break;
    }
    switch (cfg->timer) {
    case MODEL_TIMER_TSC_DEADLINE: tc.kind = HWTIMER_TSC_DEADLINE; tc.line = 0xEF; break;
    case MODEL_TIMER_ARM_GENERIC: tc.kind = HWTIMER_GENERIC; tc.line = 30; break;
    case MODEL_TIMER_ARM_PRIVATE: tc.kind = HWTIMER_A9_PRIVATE; tc.line = 29; break;
    case MODEL_TIMER_SYSTICK: tc.kind = HWTIMER_SYSTICK; tc.line = 15; break;
    }
    h->irq = hwirq_new(h->s, &ic, error);
    if (h->irq == NULL)
        return false;
    h->timer = hwtimer_new(h->s, h->irq, &tc, error);
    h->timer_line = tc.line;
    return h->timer != NULL;
}

hw *hw_new(sim *s, model_config *cfg, hwirq_signal_fn signal, void *signal_ctx, GError **error)
{
    g_assert(cfg->mem.freq_hz == cfg->freq_hz);    /* hw_ps divides by the memory's */
    hwmem *mem = hwmem_new(&cfg->mem, s->seed, error);
    if (mem == NULL)
        return NULL;
    hw *h = g_new0(hw, 1);
    h->s = s;
    h->cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    h->mem = mem;
    h->core = g_new0(hw_core, h->cfg.cores);
    for (unsigned c = 0; c < h->cfg.cores; c++)
        if (!init_core(h, c, error)) {
            hw_free(h);
            return NULL;
        }
    h->signal = signal;
    h->signal_ctx = signal_ctx;
    simq_event_init(&h->stream_ev, NULL);   /* model/stream.c sets its handler at the first stream */
    if (!init_irq(h, error)) {
        hw_free(h);
        return NULL;
    }
    h->t_counters = simtr_find(s->trace, TRN_COUNTERS);
    if (h->t_counters == NULL)
        h->t_counters = simtr_define(s->trace, TRN_COUNTERS, counter_cols, G_N_ELEMENTS(counter_cols));
    return h;
}

void hw_free(hw *h)
{
    if (h == NULL)
        return;
    if (simq_scheduled(&h->stream_ev))
        sim_deschedule(h->s, &h->stream_ev);
    hwtimer_free(h->timer);
    hwirq_free(h->irq);
    for (unsigned c = 0; h->core && c < h->cfg.cores; c++)
        hwtlb_free(h->core[c].tlb);
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

uint64_t hw_translate(hw *h, unsigned core, uint64_t vaddr, unsigned acc, sim_time_t at, hwpt_result *r)
{
    g_assert(core < h->cfg.cores);
    hw_core *k = &h->core[core];
    if (k->tlb == NULL) {
        memset(r, 0, sizeof *r);
        r->paddr = vaddr;
        r->tlb_hit = true;
        return 0;
    }
    if (h->cfg.arch != MODEL_X86_64 && vaddr > UINT32_MAX) {
        /* a 32-bit MMU: an address beyond 4 GiB cannot be translated */
        memset(r, 0, sizeof *r);
        r->fault.kind = HWPT_FAULT_TRANSLATION;
        r->fault.addr = vaddr;
        return 0;
    }
    k->walk_at = at;
    k->walk_cycles = 0;
    hwpt_translate(&k->mmu, vaddr, acc, r);
    if (!r->tlb_hit)
        k->tlb_misses++;
    return k->walk_cycles;
}

uint64_t hw_switch_address_space(hw *h, unsigned core, uint64_t root, uint16_t asid, bool keep)
{
    g_assert(core < h->cfg.cores);
    hw_core *k = &h->core[core];
    if (k->tlb == NULL)
        return 0;
    if (h->cfg.arch == MODEL_X86_64) {
        g_assert(asid <= 0xfff);
        uint64_t cr3 = root | (h->cfg.asid ? (asid & 0xfffu) : 0) | (h->cfg.asid && keep ? UINT64_C(1) << 63 : 0);
        bool ok = hwpt_x86_write_cr3(&k->mmu, cr3);
        g_assert(ok);   /* the kernel passes an aligned root in range */
    } else if (h->cfg.arch == MODEL_I386) {
        g_assert(root <= UINT32_MAX);
        bool ok = hwpt_x86_32_write_cr3(&k->mmu, (uint32_t)root);   /* no PCID: the TLB's entries go */
        g_assert(ok);
    } else {
        g_assert(asid <= 255 && root <= UINT32_MAX);   /* the kernel's to check */
        hwpt_arm_switch(&k->mmu, (uint32_t)root, h->cfg.asid ? (uint8_t)asid : 0);
    }
    return hw_cost(h, MODEL_COST_PT_SWITCH);
}

uint64_t hw_tlb_invalidate_page(hw *h, unsigned core, uint64_t vaddr, uint16_t asid)
{
    g_assert(core < h->cfg.cores);
    hw_core *k = &h->core[core];
    if (k->tlb == NULL)
        return 0;
    hwtlb_invalidate_addr(k->tlb, vaddr, h->cfg.asid ? asid : 0, false);
    return hw_cost(h, MODEL_COST_TLB_FLUSH_ADDR);
}

uint64_t hw_mpu_program(hw *h, unsigned core, const hwmpu *to)
{
    g_assert(core < h->cfg.cores && h->cfg.has_mpu);
    hw_core *k = &h->core[core];
    unsigned n = hwmpu_regions_changed(&k->mpu, to);
    k->mpu = *to;
    return n * hw_cost(h, MODEL_COST_MPU_REGION_WRITE);
}

uint64_t hw_flush_cold(hw *h, unsigned core)
{
    g_assert(core < h->cfg.cores);
    hwmem_flush_all(h->mem);
    if (h->core[core].tlb)
        hwtlb_invalidate_all(h->core[core].tlb);
    return hw_cost(h, MODEL_COST_TLB_FLUSH_ALL);
}

uint64_t hw_timer_oneshot(hw *h, unsigned core, sim_time_t at)
{
    g_assert(core < h->cfg.cores);
    hwtimer *t = h->timer;
    uint64_t f = h->cfg.timer_freq_hz;
    sim_time_t now = sim_now(h->s);
    bool arm = at != SIM_TIME_MAX;
    if (arm && at <= now)
        at = now + 1;     /* the next tick: a deadline already passed fires at once */
    /* the first tick at or after `at` */
    uint64_t tick = arm ? hwtimer_ticks_at(f, 1, at) : 0;
    if (arm && hwtimer_tick_time(f, 1, tick) < at)
        tick++;
    uint64_t nowtick = hwtimer_ticks_at(f, 1, now);
    uint64_t delta = tick > nowtick ? tick - nowtick : 1;
    hwtimer_status st = HWTIMER_OK;
    switch (h->cfg.timer) {
    case MODEL_TIMER_TSC_DEADLINE:
        st = hwtimer_write(t, core, HWTIMER_REG_TSC_DEADLINE, arm ? (tick ? tick : 1) : 0);
        break;
    case MODEL_TIMER_ARM_GENERIC:
        if (arm)
            st = hwtimer_write(t, core, HWTIMER_REG_CNTP_CVAL, tick);
        if (st == HWTIMER_OK)
            st = hwtimer_write(t, core, HWTIMER_REG_CNTP_CTL, arm ? HWTIMER_CNTP_CTL_ENABLE : 0);
        break;
    case MODEL_TIMER_ARM_PRIVATE:
        st = hwtimer_write(t, core, HWTIMER_REG_A9_CONTROL, 0);
        if (arm && st == HWTIMER_OK) {
            st = hwtimer_write(t, core, HWTIMER_REG_A9_LOAD, MIN(delta, (uint64_t)UINT32_MAX));
            if (st == HWTIMER_OK)
                st = hwtimer_write(t, core, HWTIMER_REG_A9_CONTROL, HWTIMER_A9_CTL_ENABLE | HWTIMER_A9_CTL_IRQ);
        }
        break;
    case MODEL_TIMER_SYSTICK:
        st = hwtimer_write(t, core, HWTIMER_REG_SYST_CSR, 0);
        if (arm && st == HWTIMER_OK) {
            /* from CVR cleared, the exception comes RELOAD + 1 clocks later
             * (one clock to load RVR, then RELOAD down to 0) */
            uint64_t reload = MIN(delta - 1, (uint64_t)0xFFFFFF);
            st = hwtimer_write(t, core, HWTIMER_REG_SYST_RVR, reload ? reload : 1);
            if (st == HWTIMER_OK)
                st = hwtimer_write(t, core, HWTIMER_REG_SYST_CVR, 0);
            if (st == HWTIMER_OK)
                st = hwtimer_write(t, core, HWTIMER_REG_SYST_CSR, HWTIMER_SYST_ENABLE | HWTIMER_SYST_TICKINT);
        }
        break;
    }
    g_assert(st == HWTIMER_OK);
    return hw_cost(h, MODEL_COST_TIMER_PROGRAM);
}

unsigned hw_ipi_line(const hw *h)
{
    switch (h->cfg.irq) {
    case MODEL_IRQ_LAPIC: return 0xF0;
    case MODEL_IRQ_GIC:
    case MODEL_IRQ_GICV3: return 1;
    case MODEL_IRQ_NVIC: break;
    }
    return HWIRQ_NONE;
}

void hw_write_counters(hw *h)
{
    simtr_table *t = h->t_counters;
    for (unsigned c = 0; c < h->cfg.cores; c++) {
        const hwmem_counters *n = &h->mem->core[c].n;
        const hw_core *k = &h->core[c];
        int64_t v[] = {
            (int64_t)sim_now(h->s), (int64_t)h->core_base + c, (int64_t)k->kernel_cycles, (int64_t)k->user_cycles,
            (int64_t)n->served[HWMEM_L1I], (int64_t)n->misses[HWMEM_L1I],
            (int64_t)n->served[HWMEM_L1D], (int64_t)n->misses[HWMEM_L1D],
            (int64_t)n->served[HWMEM_OUTER0], (int64_t)n->misses[HWMEM_OUTER0],
            (int64_t)n->served[HWMEM_OUTER1], (int64_t)n->misses[HWMEM_OUTER1],
            (int64_t)n->served[HWMEM_PEER], (int64_t)n->served[HWMEM_DRAM],
            (int64_t)n->upgrades, (int64_t)n->invalidations, (int64_t)n->writebacks,
            (int64_t)n->mem_writes, (int64_t)n->bus_wait_cycles, (int64_t)n->cross_cycles,
            (int64_t)k->user_cross_cycles, (int64_t)n->evict_misses, (int64_t)n->evict_cycles,
            (int64_t)k->tlb_misses, (int64_t)k->interrupts, (int64_t)h->cfg.freq_hz,
        };
        G_STATIC_ASSERT(G_N_ELEMENTS(v) == G_N_ELEMENTS(counter_cols));
        simtr_begin(t);
        for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
            simtr_int(t, v[i]);
        simtr_end(t);
    }
}

/* ======================================================================
 * What the kernel asks of the architecture (hw.h): every test of which
 * architecture, MMU format, MPU version or controller is here.
 * ====================================================================== */

#define HW_PAGE UINT64_C(4096)     /* the kernel maps and touches 4 KiB pages */

static bool is_x86(const hw *h)
{
    return h->cfg.arch == MODEL_X86_64;
}

static bool is_i386(const hw *h)
{
    return h->cfg.arch == MODEL_I386;
}

unsigned hw_word_bytes(const hw *h)
{
    return is_x86(h) ? 8 : 4;
}

unsigned hw_context_words(const hw *h)
{
    /* i386: EAX..EDI (8), EIP, EFLAGS -- as the i386 row of
     * kernel/path_counts.h is compiled (KF_REGS_WORDS=10) */
    return is_x86(h) ? 18 : is_i386(h) ? 10 : 17;
}

hw_isa hw_code_isa(const hw *h)
{
    switch (h->cfg.arch) {
    case MODEL_X86_64: return HW_ISA_X86_64;
    case MODEL_I386: return HW_ISA_I386;
    case MODEL_ARMV7A: return HW_ISA_A32;
    case MODEL_ARMV8A: return HW_ISA_A64;
    case MODEL_ARMV7M:
    case MODEL_ARMV7EM:
    case MODEL_ARMV8M: return HW_ISA_T32;
    }
    g_assert_not_reached();
}

bool hw_fetch_in_cpi(const hw *h)
{
    return !h->cfg.mem.has_l1;
}

hw_pd_kind hw_pd_kind_of(const hw *h)
{
    return h->cfg.has_mpu ? HW_PD_MPU : HW_PD_PAGETABLE;
}

unsigned hw_asids(const hw *h)
{
    if (h->cfg.has_mpu)
        return 0;
    return is_x86(h) || is_i386(h) ? 4096 : 256;   /* i386: ids kept by the kernel, unused by the hardware */
}

uint64_t hw_switch_pd(hw *h, unsigned core, const hw_pd *pd)
{
    if (hw_pd_kind_of(h) == HW_PD_MPU)
        return hw_mpu_program(h, core, pd->layout);
    return hw_switch_address_space(h, core, pd->root, pd->asid, pd->keep);
}

bool hw_pd_new(hw *h, hwpt_alloc_fn alloc, void *ctx, uint64_t *root, hwmpu *layout)
{
    if (hw_pd_kind_of(h) == HW_PD_MPU) {
        /* core 0's MPU as built (its architecture and region count), every
         * region off; the MPU on, with the default map for the kernel */
        *layout = h->core[0].mpu;
        for (unsigned i = 0; i < HWMPU_MAX_REGIONS; i++)
            memset(&layout->r[i], 0, sizeof layout->r[i]);
        layout->ctrl = HWMPU_CTRL_ENABLE | HWMPU_CTRL_PRIVDEFENA;
        return true;
    }
    return alloc(ctx, (unsigned)hw_pt_root_bytes(h), root);
}

uint64_t hw_pt_root_bytes(const hw *h)
{
    if (h->cfg.has_mpu)
        return 0;
    return is_x86(h) || is_i386(h) ? 4096 : 16384;    /* PML4 or i386 page directory; ARMv7-A first level, TTBCR.N = 0 */
}

bool hw_pd_layout_ok(const hw *h, const hwmpu *layout)
{
    return !h->cfg.has_mpu || hwmpu_verify(layout);
}

uint64_t hw_user_va_end(const hw *h)
{
    return is_x86(h) ? UINT64_C(1) << 47 : UINT64_C(1) << 32;
}

unsigned hw_pt_table_bytes(const hw *h)
{
    return is_x86(h) || is_i386(h) ? 4096 : 1024;     /* PDPT, PD, PT; an i386 page table; an ARM second-level table */
}

/* A dry run of a builder: it reads memory as the real run would find it
 * (the tables it would add read as zeros: the builders zero new tables),
 * and writes and allocates nothing.  The tables it would add get stand-in
 * addresses; after the first of them the walk reads only inside them, so
 * where they stand does not matter. */
typedef struct dry {
    hw *h;
    unsigned tables, size;
    uint64_t fresh[4];
} dry;

static uint64_t dry_read(void *ctx, uint64_t paddr, unsigned size)
{
    dry *d = ctx;
    for (unsigned i = 0; i < d->tables; i++)
        if (paddr >= d->fresh[i] && paddr < d->fresh[i] + d->size)
            return 0;
    uint64_t v = 0;
    if (hwmem_in_range(d->h->mem, paddr, size))
        memcpy(&v, hwmem_ram(d->h->mem, paddr), size);
    return v;
}

static void dry_write(void *ctx, uint64_t paddr, uint64_t value, unsigned size)
{
    (void)ctx, (void)paddr, (void)value, (void)size;
}

static bool dry_alloc(void *ctx, unsigned size, uint64_t *paddr)
{
    dry *d = ctx;
    if (d->tables == G_N_ELEMENTS(d->fresh))
        return false;
    d->size = size;     /* one size per format (hw_pt_table_bytes) */
    *paddr = (uint64_t)(d->tables + 1) * size;
    d->fresh[d->tables++] = *paddr;
    return true;
}

static bool pt_map(hw *h, const hwpt_mem *mem, uint64_t root, uint64_t vaddr, uint64_t paddr, unsigned flags)
{
    bool w = flags & HW_MAP_WRITE, x = flags & HW_MAP_EXEC;
    GError *err = NULL;
    bool ok;
    if (is_x86(h))
        ok = hwpt_x86_map(mem, root, vaddr, paddr, HWTLB_4K, HWPT_X86_US | (w ? HWPT_X86_RW : 0) | (x ? 0 : HWPT_X86_XD),
                          &err);
    else if (is_i386(h))
        ok = hwpt_x86_32_map(mem, (uint32_t)root, (uint32_t)vaddr, paddr, HWTLB_4K, HWPT_X86_US | (w ? HWPT_X86_RW : 0),
                             &err);     /* no XD in 32-bit paging: x is not enforced */
    else
        ok = hwpt_arm_map(mem, (uint32_t)root, (uint32_t)vaddr, paddr, HWTLB_4K,
                          HWPT_ARM_AP(w ? 3 : 2) | HWPT_ARM_NG | (x ? 0 : HWPT_ARM_XN), &err);
    g_clear_error(&err);
    return ok;
}

static bool pt_unmap(hw *h, const hwpt_mem *mem, uint64_t root, uint64_t vaddr, uint64_t *paddr)
{
    GError *err = NULL;
    bool ok = is_x86(h)    ? hwpt_x86_unmap(mem, root, vaddr, HWTLB_4K, paddr, &err)
              : is_i386(h) ? hwpt_x86_32_unmap(mem, (uint32_t)root, (uint32_t)vaddr, HWTLB_4K, paddr, &err)
                           : hwpt_arm_unmap(mem, (uint32_t)root, (uint32_t)vaddr, HWTLB_4K, paddr, &err);
    g_clear_error(&err);
    return ok;
}

bool hw_pt_map_check(hw *h, uint64_t root, uint64_t vaddr, uint64_t paddr, unsigned flags, unsigned *tables)
{
    dry d = { .h = h };
    hwpt_mem mem = { dry_read, dry_write, dry_alloc, &d };
    bool ok = pt_map(h, &mem, root, vaddr, paddr, flags);
    *tables = d.tables;
    return ok;
}

bool hw_pt_map(hw *h, uint64_t root, uint64_t vaddr, uint64_t paddr, unsigned flags, hwpt_alloc_fn alloc, void *ctx)
{
    hw_builder b;
    hw_pt_builder(h, alloc, ctx, &b);
    return pt_map(h, &b.mem, root, vaddr, paddr, flags);
}

bool hw_pt_lookup(hw *h, uint64_t root, uint64_t vaddr, uint64_t *paddr)
{
    dry d = { .h = h };
    hwpt_mem mem = { dry_read, dry_write, NULL, &d };
    return pt_unmap(h, &mem, root, vaddr, paddr);
}

bool hw_pt_unmap(hw *h, uint64_t root, uint64_t vaddr, uint64_t *paddr)
{
    hw_builder b;
    hw_pt_builder(h, NULL, NULL, &b);
    return pt_unmap(h, &b.mem, root, vaddr, paddr);
}

bool hw_mpu_region(const hw *h, hwmpu *layout, unsigned n, uint64_t base, unsigned log2, unsigned flags)
{
    (void)h;
    g_assert(n < layout->nregions);
    if (log2 == 0) {
        memset(&layout->r[n], 0, sizeof layout->r[n]);     /* off: a disabled region is all zero */
        return true;
    }
    bool w = flags & HW_MAP_WRITE, x = flags & HW_MAP_EXEC;
    uint64_t size = (uint64_t)1 << log2;
    GError *err = NULL;
    bool ok;
    if (layout->arch == HWMPU_V7M) {
        /* AP 0b011 full access, 0b010 user read-only; normal memory,
         * write-back (C, B) */
        hwmpu_v7_region r = { .enable = true, .base = (uint32_t)base, .size = size, .ap = w ? 3 : 2, .xn = !x,
                              .c = true, .b = true };
        ok = hwmpu_set_region_v7(layout, n, &r, &err);
    } else {
        /* AP[2:1] 0b01 read-write, 0b11 read-only, at any privilege */
        hwmpu_v8_region r = { .enable = true, .base = (uint32_t)base, .limit = (uint32_t)(base + size - 1),
                              .ap = w ? 1 : 3, .xn = !x };
        ok = hwmpu_set_region_v8(layout, n, &r, &err);
    }
    g_clear_error(&err);
    return ok;
}

unsigned hw_irq_done(hw *h, unsigned core, unsigned line, uint64_t *cycles)
{
    if (hwirq_get_kind(h->irq) != HWIRQ_NVIC) {
        hwirq_eoi(h->irq, core, line);
        return HWIRQ_NONE;
    }
    hwirq_ret r = hwirq_return(h->irq, core);
    if (r.kind != HWIRQ_RET_TAIL_CHAIN)
        return HWIRQ_NONE;
    *cycles += hw_cost(h, MODEL_COST_IRQ_TAIL_CHAIN);
    return r.line;
}

void hw_irq_route(hw *h, unsigned line, unsigned core)
{
    hwirq_kind kind = hwirq_get_kind(h->irq);
    if ((kind == HWIRQ_GIC || kind == HWIRQ_GICV3) && line >= 32)
        hwirq_set_target(h->irq, line, core);
}
