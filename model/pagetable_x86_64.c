/* model/pagetable_x86_64.c: x86-64 4-level paging behind the page-table
 * format table (pagetable_format.h): the walker, the TLB in front of it
 * with the x86 rules (rights rechecked on a hit, a write through a clean
 * entry walks again to set D, a fault removes the page's entries), the
 * MOV to CR3/CR4 rules, and the builders that write tables as an OS does.
 * hwpt_mmu_init_x86 points an MMU at this format; the generic calls are in
 * pagetable.c; the contract is pagetable.h.
 */
#include "pagetable_format.h"

#include <inttypes.h>
#include <string.h>

static bool x86_canonical(uint64_t va)
{
    /* Bits 63:47 all equal (SDM vol. 1 3.3.7.1). */
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* The current PCID: CR3[11:0] with CR4.PCIDE, else 000H (SDM 4.10.1). */
static uint16_t x86_asid(const hwpt_mmu *m)
{
    return m->x86.pcide ? (uint16_t)(m->x86.cr3 & 0xfff) : 0;
}

/* Reserved bits of a present entry at `level` (4 = PML4E .. 1 = PTE), per
 * the entry-format tables of 4.5 and the list in 4.7 ("RSVD flag"): the
 * address bits 51:M, XD while EFER.NXE = 0, PS in a PML4E, and the bits
 * between the page offset and the frame of a large page (PAT sits at 12). */
static uint64_t x86_rsvd(const hwpt_x86_regs *x, unsigned level, uint64_t e)
{
    uint64_t r = x->maxphyaddr < 52 ? HWPT_BITS(51, x->maxphyaddr) : 0;
    if (!x->nxe)
        r |= HWPT_X86_XD;
    if (level == 4)
        r |= HWPT_X86_PS;
    else if (level == 3 && (e & HWPT_X86_PS))
        r |= HWPT_BITS(29, 13);
    else if (level == 2 && (e & HWPT_X86_PS))
        r |= HWPT_BITS(20, 13);
    return r;
}

/* Bits of CR3 a MOV may not set: 62:M, and 63 unless PCIDE (where it is
 * the no-invalidate flag, not stored) (SDM vol. 3A 4.5 "CR3", 2.5). */
static uint64_t x86_cr3_rsvd(unsigned maxphyaddr, bool pcide)
{
    return HWPT_BITS(62, maxphyaddr) | (pcide ? 0 : UINT64_C(1) << 63);
}

/* Access rights (SDM 4.6.1) from the rights of the whole walk: RW and US
 * set only if set at every level, XD set if set at any.  SMAP and
 * protection keys are not modelled. */
static bool x86_allowed(const hwpt_x86_regs *x, uint64_t rights, unsigned acc)
{
    bool rw = rights & HWPT_X86_RW, us = rights & HWPT_X86_US;
    bool xd = x->nxe && (rights & HWPT_X86_XD);
    if (acc & HWPT_ACC_USER) {
        if (!us)
            return false;           /* user-mode access to a supervisor-mode address */
        if (acc & HWPT_ACC_WRITE)
            return rw;              /* whatever CR0.WP says */
        if (acc & HWPT_ACC_FETCH)
            return !xd;
        return true;
    }
    if (acc & HWPT_ACC_WRITE)
        return rw || !x->wp;        /* CR0.WP = 0: supervisor writes anywhere */
    if (acc & HWPT_ACC_FETCH)
        return !xd && !(x->smep && us);
    return true;
}

/* The #PF error code for this access (SDM 4.7): W/R and U/S describe the
 * access, not the rights; I/D is set for fetches when NXE or SMEP is on. */
static uint32_t x86_pf_code(const hwpt_x86_regs *x, unsigned acc, uint32_t bits)
{
    if (acc & HWPT_ACC_WRITE)
        bits |= HWPT_PF_W;
    if (acc & HWPT_ACC_USER)
        bits |= HWPT_PF_U;
    if ((acc & HWPT_ACC_FETCH) && (x->nxe || x->smep))
        bits |= HWPT_PF_ID;
    return bits;
}

/* The walk.  One 8-byte read per level: 4 for a 4 KiB page, 3 for 2 MiB,
 * 2 for 1 GiB (4.5: PML4E, PDPTE, PDE, PTE; PS ends the walk early).
 * Accessed flags: set in each non-leaf entry as the walk moves past it
 * (4.8 "whenever the processor uses a paging-structure entry as part of
 * linear-address translation, it sets the accessed flag"; 6.15 adds that
 * on a protection fault the accessed flag "in the page-directory entry is
 * set", while for the last entry it is "model specific"); set in the leaf,
 * with dirty for a write, only when the access is allowed.  Each update is
 * one 8-byte write through the callback. */
static bool x86_walk(hwpt_mmu *m, uint64_t va, unsigned acc, hwpt_result *r)
{
    const hwpt_x86_regs *x = &m->x86;
    uint64_t table = x->cr3 & HWPT_BITS(51, 12);
    uint64_t rights = HWPT_X86_RW | HWPT_X86_US;

    m->st.walks++;
    for (unsigned level = 4;; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        uint64_t a = table | (((va >> shift) & 511) << 3);
        uint64_t e = hwpt_pte_read(m, r, a, 8);
        if (!(e & HWPT_X86_P)) {
            hwpt_set_fault(r, HWPT_FAULT_TRANSLATION, va, x86_pf_code(x, acc, 0), level, 0);
            return false;
        }
        if (e & x86_rsvd(x, level, e)) {
            hwpt_set_fault(r, HWPT_FAULT_RESERVED, va, x86_pf_code(x, acc, HWPT_PF_P | HWPT_PF_RSVD), level, 0);
            return false;
        }
        rights &= e | ~(HWPT_X86_RW | HWPT_X86_US);
        rights |= e & HWPT_X86_XD;
        if (level > 1 && !(e & HWPT_X86_PS)) {
            if (!(e & HWPT_X86_A))
                hwpt_pte_write(m, r, a, e | HWPT_X86_A, 8);
            table = e & HWPT_BITS(51, 12);
            continue;
        }

        hwtlb_size size = level == 1 ? HWTLB_4K : level == 2 ? HWTLB_2M : HWTLB_1G;
        uint64_t pat = level == 1 ? (e & HWPT_X86_PAT) : ((e & HWPT_X86_PAT_LARGE) ? HWPT_X86_PAT : 0);
        hwtlb_entry *ent = &r->entry;
        ent->va = va & ~(hwtlb_size_bytes(size) - 1);
        ent->pa = e & HWPT_BITS(51, shift);
        ent->attr = rights | (e & (HWPT_X86_PWT | HWPT_X86_PCD)) | pat;
        ent->asid = x86_asid(m);
        ent->size = (uint8_t)size;
        ent->global = x->pge && (e & HWPT_X86_G);   /* G is ignored while CR4.PGE = 0 (4.10.2.4) */
        r->have_entry = true;
        if (!x86_allowed(x, rights, acc)) {
            hwpt_set_fault(r, HWPT_FAULT_PERMISSION, va, x86_pf_code(x, acc, HWPT_PF_P), level, 0);
            return false;
        }
        uint64_t ne = e | HWPT_X86_A | ((acc & HWPT_ACC_WRITE) ? HWPT_X86_D : 0);
        if (ne != e)
            hwpt_pte_write(m, r, a, ne, 8);
        ent->attr |= ne & HWPT_X86_D;
        r->paddr = hwtlb_paddr(ent, va);
        return true;
    }
}

static bool x86_translate(hwpt_mmu *m, uint64_t va, unsigned acc, hwpt_result *r)
{
    uint16_t asid = x86_asid(m);
    hwtlb_entry e;
    if (m->tlb && hwtlb_lookup(m->tlb, va, asid, &e)) {
        r->tlb_hit = true;
        r->have_entry = true;
        r->entry = e;
        if (!x86_allowed(&m->x86, e.attr, acc)) {
            /* The fault comes from the cached rights; the page's entries go
             * (SDM 4.10.4.1), globals too, or the fault would recur. */
            hwpt_set_fault(r, HWPT_FAULT_PERMISSION, va, x86_pf_code(&m->x86, acc, HWPT_PF_P), 0, 0);
            hwtlb_invalidate_addr(m->tlb, va, asid, true);
            return false;
        }
        if (!(acc & HWPT_ACC_WRITE) || (e.attr & HWPT_X86_D)) {
            r->paddr = hwtlb_paddr(&e, va);
            return true;
        }
        /* A write through a clean entry: D must be set in memory (4.8),
         * which takes a walk to find the entry. */
        r->have_entry = false;
    }
    bool ok = x86_walk(m, va, acc, r);
    if (m->tlb) {
        if (ok)
            hwtlb_insert(m->tlb, &r->entry);
        else
            hwtlb_invalidate_addr(m->tlb, va, asid, true);
    }
    return ok;
}

/* Before the TLB or the walk: a non-canonical address raises #GP(0) (or
 * #SS), not #PF, so it never reaches either (SDM vol. 3A 6.15). */
static bool x86_address_ok(const hwpt_mmu *m, uint64_t va, hwpt_result *r)
{
    (void)m;
    if (x86_canonical(va))
        return true;
    hwpt_set_fault(r, HWPT_FAULT_NONCANONICAL, va, 0, 0, 0);
    return false;
}

/* With PCIDs the TLB tags by PCID, so the two must be on or off together. */
static bool x86_verify(const hwpt_mmu *m)
{
    if (m->tlb->cfg.asid_enabled != m->x86.pcide) {
        g_warning("hwpt_verify: TLB asid_enabled %d, CR4.PCIDE %d", m->tlb->cfg.asid_enabled, m->x86.pcide);
        return false;
    }
    return true;
}

static const hwpt_format x86_64_format = {
    .arch = HWTLB_X86_64,
    .asid = x86_asid,
    .address_ok = x86_address_ok,
    .translate = x86_translate,
    .walk = x86_walk,
    .verify = x86_verify,
};

bool hwpt_mmu_init_x86(hwpt_mmu *m, const hwpt_x86_regs *regs, const hwpt_mem *mem, hwtlb *tlb,
                       GError **error)
{
    g_assert(mem != NULL && mem->read != NULL && mem->write != NULL);
    if (regs->maxphyaddr < 36 || regs->maxphyaddr > 52) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "maxphyaddr = %u: must be between 36 and 52",
                    regs->maxphyaddr);
        return false;
    }
    uint64_t bad = regs->cr3 & x86_cr3_rsvd(regs->maxphyaddr, regs->pcide);
    if (bad) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG,
                    "cr3 = %#" PRIx64 ": reserved bits %#" PRIx64 " set (maxphyaddr = %u, pcide = %d)",
                    regs->cr3, bad, regs->maxphyaddr, regs->pcide);
        return false;
    }
    if (tlb && tlb->cfg.arch != HWTLB_X86_64) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "tlb arch: an x86-64 MMU needs an x86-64 TLB");
        return false;
    }
    if (tlb && tlb->cfg.asid_enabled != regs->pcide) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "tlb asid_enabled = %s disagrees with cr4.pcide = %s",
                    tlb->cfg.asid_enabled ? "true" : "false", regs->pcide ? "true" : "false");
        return false;
    }
    memset(m, 0, sizeof *m);
    m->arch = HWTLB_X86_64;
    m->fmt = &x86_64_format;
    m->x86 = *regs;
    m->mem = *mem;
    m->tlb = tlb;
    if (tlb && regs->pcide)
        hwtlb_switch(tlb, x86_asid(m), true);      /* the current PCID; nothing flushed */
    return true;
}

bool hwpt_x86_write_cr3(hwpt_mmu *m, uint64_t value)
{
    g_assert(m->arch == HWTLB_X86_64);
    if (value & x86_cr3_rsvd(m->x86.maxphyaddr, m->x86.pcide))
        return false;
    bool preserve = m->x86.pcide && (value >> 63);
    m->x86.cr3 = value & ~(UINT64_C(1) << 63);
    if (m->tlb)
        hwtlb_switch(m->tlb, x86_asid(m), preserve);
    return true;
}

bool hwpt_x86_write_cr4(hwpt_mmu *m, bool pcide, bool pge, bool smep)
{
    g_assert(m->arch == HWTLB_X86_64);
    hwpt_x86_regs *x = &m->x86;
    /* #GP: setting PCIDE while CR3[11:0] != 000H (SDM vol. 3A 4.10.1). */
    if (pcide && !x->pcide && (x->cr3 & 0xfff))
        return false;
    bool all = pge != x->pge || (x->pcide && !pcide);
    bool current = smep && !x->smep;
    if (m->tlb) {
        if (all)
            hwtlb_invalidate_all(m->tlb);
        else if (current)
            hwtlb_invalidate_asid_all(m->tlb, x86_asid(m));
        hwtlb_set_asid_enabled(m->tlb, pcide);
    }
    x->pcide = pcide;
    x->pge = pge;
    x->smep = smep;
    return true;
}

/* ---- builders ------------------------------------------------------- */

static unsigned x86_leaf_level(hwtlb_size size)
{
    return size == HWTLB_4K ? 1 : size == HWTLB_2M ? 2 : 3;
}

static bool x86_build_checks(const hwpt_mem *mem, uint64_t root, uint64_t vaddr, hwtlb_size size,
                             GError **error)
{
    g_assert(mem != NULL && mem->read != NULL && mem->write != NULL);
    if (!hwtlb_arch_has_size(HWTLB_X86_64, size)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "size %s: x86-64 has 4 KiB, 2 MiB and 1 GiB pages",
                    hwpt_size_name(size));
        return false;
    }
    if (root & ~HWPT_BITS(51, 12)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "root = %#" PRIx64 ": not a 4 KiB-aligned physical address",
                    root);
        return false;
    }
    if (!x86_canonical(vaddr)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx64 " is not canonical", vaddr);
        return false;
    }
    if (vaddr & (hwtlb_size_bytes(size) - 1)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx64 " is not aligned to a %s page", vaddr,
                    hwpt_size_name(size));
        return false;
    }
    return true;
}

bool hwpt_x86_map(const hwpt_mem *mem, uint64_t root, uint64_t vaddr, uint64_t paddr, hwtlb_size size,
                  uint64_t flags, GError **error)
{
    const uint64_t allowed = HWPT_X86_RW | HWPT_X86_US | HWPT_X86_PWT | HWPT_X86_PCD | HWPT_X86_A |
                             HWPT_X86_D | HWPT_X86_G | HWPT_X86_XD | HWPT_X86_PAT;
    if (!x86_build_checks(mem, root, vaddr, size, error))
        return false;
    if (flags & ~allowed) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                    "flags = %#" PRIx64 ": bits %#" PRIx64 " are not attributes a mapping may set", flags,
                    flags & ~allowed);
        return false;
    }
    if ((paddr & (hwtlb_size_bytes(size) - 1)) || (paddr >> 52)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                    "paddr = %#" PRIx64 " is not a %s-aligned address below 2^52", paddr, hwpt_size_name(size));
        return false;
    }
    unsigned leaf = x86_leaf_level(size);
    uint64_t table = root;
    for (unsigned level = 4; level > leaf; level--) {
        uint64_t a = table | (((vaddr >> (12 + 9 * (level - 1))) & 511) << 3);
        uint64_t e = mem->read(mem->ctx, a, 8);
        if (!(e & HWPT_X86_P)) {
            uint64_t t;
            if (mem->alloc == NULL || !mem->alloc(mem->ctx, 4096, &t)) {
                g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                            "vaddr = %#" PRIx64 ": no memory for a level-%u table", vaddr, level - 1);
                return false;
            }
            g_assert((t & ~HWPT_BITS(51, 12)) == 0);
            e = t | HWPT_X86_P | HWPT_X86_RW | HWPT_X86_US;
            mem->write(mem->ctx, a, e, 8);
        } else if (level <= 3 && (e & HWPT_X86_PS)) {
            g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx64 " is inside a %s page already mapped",
                        vaddr, level == 3 ? "1 GiB" : "2 MiB");
            return false;
        }
        table = e & HWPT_BITS(51, 12);
    }
    uint64_t a = table | (((vaddr >> (12 + 9 * (leaf - 1))) & 511) << 3);
    uint64_t e = mem->read(mem->ctx, a, 8);
    if (e & HWPT_X86_P) {
        bool is_table = leaf > 1 && !(e & HWPT_X86_PS);
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                    is_table ? "vaddr = %#" PRIx64 ": a page table is there, a %s page cannot replace it"
                             : "vaddr = %#" PRIx64 " is already mapped (asked for a %s page)",
                    vaddr, hwpt_size_name(size));
        return false;
    }
    uint64_t v = paddr | HWPT_X86_P | (flags & ~HWPT_X86_PAT);
    if (flags & HWPT_X86_PAT)
        v |= leaf == 1 ? HWPT_X86_PAT : HWPT_X86_PAT_LARGE;
    if (leaf > 1)
        v |= HWPT_X86_PS;
    mem->write(mem->ctx, a, v, 8);
    return true;
}

bool hwpt_x86_unmap(const hwpt_mem *mem, uint64_t root, uint64_t vaddr, hwtlb_size size, uint64_t *paddr,
                    GError **error)
{
    if (!x86_build_checks(mem, root, vaddr, size, error))
        return false;
    unsigned leaf = x86_leaf_level(size);
    uint64_t table = root;
    for (unsigned level = 4;; level--) {
        uint64_t a = table | (((vaddr >> (12 + 9 * (level - 1))) & 511) << 3);
        uint64_t e = mem->read(mem->ctx, a, 8);
        bool large = level > 1 && level <= 3 && (e & HWPT_X86_PS);
        if (!(e & HWPT_X86_P) || (level > leaf && large) || (level == leaf && leaf > 1 && !large)) {
            g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx64 " is not mapped by a %s page", vaddr,
                        hwpt_size_name(size));
            return false;
        }
        if (level == leaf) {
            if (paddr)
                *paddr = e & (leaf == 1 ? HWPT_BITS(51, 12) : leaf == 2 ? HWPT_BITS(51, 21) : HWPT_BITS(51, 30));
            mem->write(mem->ctx, a, 0, 8);
            return true;
        }
        table = e & HWPT_BITS(51, 12);
    }
}
