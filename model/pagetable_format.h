/* model/pagetable_format.h: the ops table behind which page-table formats
 * differ, and the helpers their walkers share.  Internal to
 * model/pagetable*.c: everyone else uses model/pagetable.h.
 *
 * The files, each calling only the ones below it (no two objects call each
 * other, scripts/check-layout.py):
 *
 *   pagetable_x86_64.c   x86-64 4-level paging: walker, TLB policy, CR3/CR4
 *                        writes, builders; hwpt_mmu_init_x86 points the
 *                        MMU at its format
 *   pagetable_armv7a.c   ARMv7-A short descriptors, likewise
 *                        (hwpt_mmu_init_armv7a)
 *   pagetable_x86_32.c   x86 32-bit (non-PAE) 2-level paging, likewise
 *                        (hwpt_mmu_init_x86_32)
 *   pagetable.c          the generic MMU calls (hwpt_translate, hwpt_walk,
 *                        hwpt_asid, hwpt_verify), which go through
 *                        hwpt_mmu.fmt, and the error domain.  It never names
 *                        a format: the format is chosen once, when the
 *                        machine's MMU is initialised.
 *
 * A new format (the AArch64 long descriptors, say) is one more file with
 * its init call, its format table and its builders.
 */
#pragma once

#include "pagetable.h"

struct hwpt_format {
    hwtlb_arch arch;
    /* The current address-space id (hwpt_asid): what the TLB tags with. */
    uint16_t (*asid)(const hwpt_mmu *m);
    /* Before any TLB lookup or walk: false with r->fault set if the
     * address cannot be translated at all (x86: not canonical).  Misuse
     * (an ARM address above 4 GiB) is an assertion. */
    bool (*address_ok)(const hwpt_mmu *m, uint64_t vaddr, hwpt_result *r);
    /* The TLB, then on a miss the walk (hwpt_translate). */
    bool (*translate)(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r);
    /* The walk alone (hwpt_walk). */
    bool (*walk)(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r);
    /* The format's own agreement between registers and TLB, NULL if none;
     * the generic part (architecture, current id, the TLB's invariants) is
     * hwpt_verify's. */
    bool (*verify)(const hwpt_mmu *m);
};

/* Bits hi..lo set (hi >= lo, both < 64). */
#define HWPT_BITS(hi, lo) ((~UINT64_C(0) >> (63 - (hi))) & ~((UINT64_C(1) << (lo)) - 1))

/* "4 KiB", "2 MiB", ...: for error messages. */
const char *hwpt_size_name(hwtlb_size s);

static inline void hwpt_set_fault(hwpt_result *r, hwpt_fault_kind kind, uint64_t addr, uint32_t code,
                                  unsigned level, unsigned domain)
{
    r->fault.kind = kind;
    r->fault.addr = addr;
    r->fault.code = code;
    r->fault.level = (uint8_t)level;
    r->fault.domain = (uint8_t)domain;
}

/* A walker's descriptor read and accessed/dirty write: through the memory
 * callbacks, which charge the cost, and counted in the result and the
 * MMU's statistics.  (Builders call the callbacks directly: they are the
 * OS writing its tables, not the hardware walking them.) */
static inline uint64_t hwpt_pte_read(hwpt_mmu *m, hwpt_result *r, uint64_t paddr, unsigned size)
{
    r->reads++;
    m->st.pte_reads++;
    return m->mem.read(m->mem.ctx, paddr, size);
}

static inline void hwpt_pte_write(hwpt_mmu *m, hwpt_result *r, uint64_t paddr, uint64_t value, unsigned size)
{
    r->writes++;
    m->st.pte_writes++;
    m->mem.write(m->mem.ctx, paddr, value, size);
}
