/* model/pagetable_x86_32.c: x86 32-bit paging (non-PAE) behind the
 * page-table format table (pagetable_format.h): the 2-level walker, the TLB
 * in front of it with the x86 rules, MOV to CR3, and the builders.
 * hwpt_mmu_init_x86_32 points an MMU at this format.
 *
 * What is modelled (Intel SDM vol. 3A 4.3 "32-bit paging", the entry
 * formats of Table 4-6 (PDE referencing a page table) and Table 4-8 (PTE
 * mapping a 4-KByte page)):
 *  - CR3[31:12] is the page directory's base; a linear address splits
 *    into 10 bits of directory index (31:22), 10 of table index (21:12)
 *    and 12 of offset; 4-byte entries, 1024 to a 4 KiB table;
 *  - a PDE is read at CR3[31:12] | va[31:22] << 2, a PTE at
 *    PDE[31:12] | va[21:12] << 2; the page is PTE[31:12] | va[11:0]:
 *    exactly two reads per walk;
 *  - CR4.PSE = 0: bit 7 of a PDE is ignored (4 MiB pages are not used),
 *    and 32-bit paging has no reserved bits then (4.3, 4.7) and no XD;
 *  - no PCIDs (CR4.PCIDE can only be set in IA-32e mode, 4.10.1): every
 *    MOV to CR3 invalidates the non-global TLB entries (4.10.4.1);
 *  - rights, accessed and dirty flags as in 4-level paging (4.6, 4.8):
 *    RW and US must be set at both levels; CR0.WP for supervisor writes.
 * The TLB is the x86 one (HWTLB_X86_64 names the family: x86 rules, with
 * ids off); its entries hold 4 KiB pages only.
 */
#include "pagetable_format.h"

#include <inttypes.h>
#include <string.h>

#define X86_32_FRAME HWPT_BITS(31, 12)

static uint16_t x86_32_asid(const hwpt_mmu *m)
{
    (void)m;
    return 0;       /* no PCIDs outside IA-32e mode */
}

/* Rights of a walk (SDM 4.6.1), without XD or SMEP (neither is on here). */
static bool x86_32_allowed(const hwpt_x86_regs *x, uint64_t rights, unsigned acc)
{
    bool rw = rights & HWPT_X86_RW, us = rights & HWPT_X86_US;
    if (acc & HWPT_ACC_USER)
        return us && (!(acc & HWPT_ACC_WRITE) || rw);
    if (acc & HWPT_ACC_WRITE)
        return rw || !x->wp;
    return true;
}

static uint32_t x86_32_pf_code(unsigned acc, uint32_t bits)
{
    if (acc & HWPT_ACC_WRITE)
        bits |= HWPT_PF_W;
    if (acc & HWPT_ACC_USER)
        bits |= HWPT_PF_U;
    return bits;    /* I/D only with NXE or SMEP (4.7), neither in 32-bit paging here */
}

/* The walk: the PDE, then the PTE, one 4-byte read each (4.3).  Accessed
 * set in the PDE as the walk moves past it, and in the PTE (with D for a
 * write) when the access is allowed, one 4-byte write each (4.8). */
static bool x86_32_walk(hwpt_mmu *m, uint64_t va, unsigned acc, hwpt_result *r)
{
    const hwpt_x86_regs *x = &m->x86;
    g_assert(va <= UINT32_MAX);
    m->st.walks++;
    uint64_t pde_a = (x->cr3 & X86_32_FRAME) | (((va >> 22) & 1023) << 2);
    uint64_t pde = hwpt_pte_read(m, r, pde_a, 4);
    if (!(pde & HWPT_X86_P)) {
        hwpt_set_fault(r, HWPT_FAULT_TRANSLATION, va, x86_32_pf_code(acc, 0), 2, 0);
        return false;
    }
    if (!(pde & HWPT_X86_A))
        hwpt_pte_write(m, r, pde_a, pde | HWPT_X86_A, 4);
    uint64_t pte_a = (pde & X86_32_FRAME) | (((va >> 12) & 1023) << 2);
    uint64_t pte = hwpt_pte_read(m, r, pte_a, 4);
    if (!(pte & HWPT_X86_P)) {
        hwpt_set_fault(r, HWPT_FAULT_TRANSLATION, va, x86_32_pf_code(acc, 0), 1, 0);
        return false;
    }
    uint64_t rights = (pde & pte) & (HWPT_X86_RW | HWPT_X86_US);
    hwtlb_entry *ent = &r->entry;
    ent->va = va & ~UINT64_C(4095);
    ent->pa = pte & X86_32_FRAME;
    ent->attr = rights | (pte & (HWPT_X86_PWT | HWPT_X86_PCD | HWPT_X86_PAT));
    ent->asid = 0;
    ent->size = (uint8_t)HWTLB_4K;
    ent->global = x->pge && (pte & HWPT_X86_G);
    r->have_entry = true;
    if (!x86_32_allowed(x, rights, acc)) {
        hwpt_set_fault(r, HWPT_FAULT_PERMISSION, va, x86_32_pf_code(acc, HWPT_PF_P), 1, 0);
        return false;
    }
    uint64_t ne = pte | HWPT_X86_A | ((acc & HWPT_ACC_WRITE) ? HWPT_X86_D : 0);
    if (ne != pte)
        hwpt_pte_write(m, r, pte_a, ne, 4);
    ent->attr |= ne & HWPT_X86_D;
    r->paddr = hwtlb_paddr(ent, va);
    return true;
}

static bool x86_32_translate(hwpt_mmu *m, uint64_t va, unsigned acc, hwpt_result *r)
{
    hwtlb_entry e;
    if (m->tlb && hwtlb_lookup(m->tlb, va, 0, &e)) {
        r->tlb_hit = true;
        r->have_entry = true;
        r->entry = e;
        if (!x86_32_allowed(&m->x86, e.attr, acc)) {
            hwpt_set_fault(r, HWPT_FAULT_PERMISSION, va, x86_32_pf_code(acc, HWPT_PF_P), 0, 0);
            hwtlb_invalidate_addr(m->tlb, va, 0, true);
            return false;
        }
        if (!(acc & HWPT_ACC_WRITE) || (e.attr & HWPT_X86_D)) {
            r->paddr = hwtlb_paddr(&e, va);
            return true;
        }
        r->have_entry = false;      /* a write through a clean entry walks to set D (4.8) */
    }
    bool ok = x86_32_walk(m, va, acc, r);
    if (m->tlb) {
        if (ok)
            hwtlb_insert(m->tlb, &r->entry);
        else
            hwtlb_invalidate_addr(m->tlb, va, 0, true);
    }
    return ok;
}

static bool x86_32_address_ok(const hwpt_mmu *m, uint64_t va, hwpt_result *r)
{
    (void)m;
    (void)r;
    g_assert(va <= UINT32_MAX);     /* hw_translate refuses the rest */
    return true;
}

static bool x86_32_verify(const hwpt_mmu *m)
{
    if (m->tlb->cfg.asid_enabled || m->x86.pcide) {
        g_warning("hwpt_verify: 32-bit paging with ids on (TLB %d, PCIDE %d)", m->tlb->cfg.asid_enabled,
                  m->x86.pcide);
        return false;
    }
    return true;
}

static const hwpt_format x86_32_format = {
    .arch = HWTLB_X86_64,
    .asid = x86_32_asid,
    .address_ok = x86_32_address_ok,
    .translate = x86_32_translate,
    .walk = x86_32_walk,
    .verify = x86_32_verify,
};

bool hwpt_mmu_init_x86_32(hwpt_mmu *m, const hwpt_x86_regs *regs, const hwpt_mem *mem, hwtlb *tlb,
                          GError **error)
{
    g_assert(mem != NULL && mem->read != NULL && mem->write != NULL);
    if (regs->cr3 & ~(X86_32_FRAME | HWPT_X86_PWT | HWPT_X86_PCD)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG,
                    "cr3 = %#" PRIx64 ": 32-bit paging keeps the directory base in bits 31:12", regs->cr3);
        return false;
    }
    if (regs->pcide || regs->nxe || regs->smep) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "32-bit paging here has no PCIDs, no XD and no SMEP");
        return false;
    }
    if (tlb && (tlb->cfg.arch != HWTLB_X86_64 || tlb->cfg.asid_enabled)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "tlb: 32-bit paging needs an x86 TLB with ids off");
        return false;
    }
    memset(m, 0, sizeof *m);
    m->arch = HWTLB_X86_64;
    m->fmt = &x86_32_format;
    m->x86 = *regs;
    m->x86.maxphyaddr = 32;
    m->mem = *mem;
    m->tlb = tlb;
    return true;
}

bool hwpt_x86_32_write_cr3(hwpt_mmu *m, uint32_t value)
{
    g_assert(m->fmt == &x86_32_format);
    if (value & ~(uint32_t)(X86_32_FRAME | HWPT_X86_PWT | HWPT_X86_PCD))
        return false;   /* bits 11:5 and 2:0 are ignored by the CPU; a kernel that sets them is wrong */
    m->x86.cr3 = value;
    if (m->tlb)
        hwtlb_switch(m->tlb, 0, false);     /* every non-global entry goes (4.10.4.1) */
    return true;
}

/* ---- builders ------------------------------------------------------- */

static bool x86_32_build_checks(const hwpt_mem *mem, uint64_t root, uint64_t vaddr, hwtlb_size size,
                                GError **error)
{
    g_assert(mem != NULL && mem->read != NULL && mem->write != NULL);
    if (size != HWTLB_4K) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "size %s: 32-bit paging here has 4 KiB pages only",
                    hwpt_size_name(size));
        return false;
    }
    if (root & ~X86_32_FRAME) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "root = %#" PRIx64 ": not a 4 KiB-aligned address below 4 GiB",
                    root);
        return false;
    }
    if ((vaddr & 4095) || vaddr > UINT32_MAX) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx64 " is not a 4 KiB page below 4 GiB", vaddr);
        return false;
    }
    return true;
}

bool hwpt_x86_32_map(const hwpt_mem *mem, uint32_t root, uint32_t vaddr, uint64_t paddr, hwtlb_size size,
                     uint64_t flags, GError **error)
{
    const uint64_t allowed = HWPT_X86_RW | HWPT_X86_US | HWPT_X86_PWT | HWPT_X86_PCD | HWPT_X86_A |
                             HWPT_X86_D | HWPT_X86_G | HWPT_X86_PAT;
    if (!x86_32_build_checks(mem, root, vaddr, size, error))
        return false;
    if (flags & ~allowed) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                    "flags = %#" PRIx64 ": bits %#" PRIx64 " are not attributes a 32-bit mapping may set", flags,
                    flags & ~allowed);
        return false;
    }
    if (paddr & ~X86_32_FRAME) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "paddr = %#" PRIx64 " is not a 4 KiB page below 4 GiB", paddr);
        return false;
    }
    uint64_t a = (uint64_t)root | ((uint64_t)(vaddr >> 22) << 2);
    uint64_t e = mem->read(mem->ctx, a, 4);
    if (!(e & HWPT_X86_P)) {
        uint64_t t;
        if (mem->alloc == NULL || !mem->alloc(mem->ctx, 4096, &t) || (t & ~X86_32_FRAME)) {
            g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 ": no memory below 4 GiB for a page table",
                        vaddr);
            return false;
        }
        e = t | HWPT_X86_P | HWPT_X86_RW | HWPT_X86_US;
        mem->write(mem->ctx, a, e, 4);
    }
    a = (e & X86_32_FRAME) | ((uint64_t)((vaddr >> 12) & 1023) << 2);
    if (mem->read(mem->ctx, a, 4) & HWPT_X86_P) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 " is already mapped", vaddr);
        return false;
    }
    mem->write(mem->ctx, a, paddr | HWPT_X86_P | flags, 4);
    return true;
}

bool hwpt_x86_32_unmap(const hwpt_mem *mem, uint32_t root, uint32_t vaddr, hwtlb_size size, uint64_t *paddr,
                       GError **error)
{
    if (!x86_32_build_checks(mem, root, vaddr, size, error))
        return false;
    uint64_t pde = mem->read(mem->ctx, (uint64_t)root | ((uint64_t)(vaddr >> 22) << 2), 4);
    uint64_t a = (pde & X86_32_FRAME) | ((uint64_t)((vaddr >> 12) & 1023) << 2);
    uint64_t pte = (pde & HWPT_X86_P) ? mem->read(mem->ctx, a, 4) : 0;
    if (!(pte & HWPT_X86_P)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 " is not mapped by a 4 KiB page", vaddr);
        return false;
    }
    if (paddr)
        *paddr = pte & X86_32_FRAME;
    mem->write(mem->ctx, a, 0, 4);
    return true;
}
