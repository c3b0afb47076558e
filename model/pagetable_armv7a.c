/* model/pagetable_armv7a.c: ARMv7-A short-descriptor translation behind
 * the page-table format table (pagetable_format.h): the walker, the
 * domain and permission checks that run on every TLB hit as on every walk
 * (so changing DACR needs no TLB maintenance), TTBR0/ASID switches, and
 * the builders.  The Cortex-A53 preset runs its kernel in AArch32 with this
 * format.  hwpt_mmu_init_armv7a points an MMU at it; the generic calls are
 * in pagetable.c; the contract is pagetable.h.
 */
#include "pagetable_format.h"

#include <inttypes.h>
#include <string.h>

/* AP[2:0] with SCTLR.AFE = 0 (DDI 0406C Table B3-8, "VMSAv7 MMU access
 * permissions"): [AP][0 = PL1, 1 = PL0], bit 0 read, bit 1 write.
 *   000 no access / no access      100 reserved: we treat it as no access
 *   001 RW / no access             101 RO / no access
 *   010 RW / RO                    110 RO / RO (deprecated encoding)
 *   011 RW / RW                    111 RO / RO
 * (The same table as the Cortex-M3 TRM's AP encoding, DDI 0337G Table
 * 9-10, and QEMU's ap_to_rw_prot.) */
#define AP_R 1u
#define AP_W 2u
static const uint8_t arm_ap_rights[8][2] = {
    { 0, 0 }, { AP_R | AP_W, 0 }, { AP_R | AP_W, AP_R }, { AP_R | AP_W, AP_R | AP_W },
    { 0, 0 }, { AP_R, 0 },      { AP_R, AP_R },      { AP_R, AP_R },
};

static uint32_t arm_fsr(unsigned fs, unsigned domain, unsigned acc)
{
    uint32_t v = (fs & 0xfu) | ((uint32_t)(fs >> 4) << 10);
    if (!(acc & HWPT_ACC_FETCH)) {       /* DFSR: domain and WnR; IFSR has neither */
        v |= (uint32_t)domain << 4;
        if (acc & HWPT_ACC_WRITE)
            v |= HWPT_ARM_FSR_WNR;
    }
    return v;
}

static void arm_fault(hwpt_result *r, hwpt_fault_kind kind, unsigned fs, unsigned level, unsigned domain,
                      uint64_t va, unsigned acc)
{
    hwpt_set_fault(r, kind, va, arm_fsr(fs, domain, acc), level, domain);
}

/* Domain and permission checks of a translation (walked or from the TLB),
 * in the order of the fault-checking sequence (domain, then permissions;
 * DDI 0406C B3.12, and the same figure in the ARM926EJ-S TRM, DDI 0198D
 * 3.5).  DACR field: 00 no access and 10 reserved give a Domain fault (the
 * Cortex-A8 TRM, DDI 0344K 3.2.34: "Reserved. Any access generates a
 * domain fault"); 11 manager is never checked, XN and PXN included ("a
 * location is marked as Execute Never when it has its XN attribute set to
 * 1 in a Client domain", DDI 0406B B3.6.2; Cortex-A8 TRM 3.2.34); 01
 * client checks XN/PXN for fetches and AP.  A fetch needs read
 * permission (DDI 0406B B3.6.2: "valid read permissions exist"). */
static bool arm_check(const hwpt_mmu *m, const hwtlb_entry *e, uint64_t va, unsigned acc, hwpt_result *r)
{
    bool section = e->size == HWTLB_1M || e->size == HWTLB_16M;
    unsigned level = section ? 1 : 2;
    unsigned dom = hwpt_arm_domain_of(e->attr);
    unsigned dacr = (m->arm.dacr >> (2 * dom)) & 3;
    if (dacr == 0 || dacr == 2) {
        arm_fault(r, HWPT_FAULT_DOMAIN, section ? HWPT_ARM_FS_DOMAIN_L1 : HWPT_ARM_FS_DOMAIN_L2, level, dom, va,
                  acc);
        return false;
    }
    if (dacr == 1) {
        bool user = acc & HWPT_ACC_USER;
        unsigned rights = arm_ap_rights[e->attr & HWPT_ARM_AP_MASK][user];
        bool ok;
        if (acc & HWPT_ACC_FETCH)
            ok = (rights & AP_R) && !(e->attr & HWPT_ARM_XN) && !(!user && (e->attr & HWPT_ARM_PXN));
        else if (acc & HWPT_ACC_WRITE)
            ok = rights & AP_W;
        else
            ok = rights & AP_R;
        if (!ok) {
            arm_fault(r, HWPT_FAULT_PERMISSION, section ? HWPT_ARM_FS_PERMISSION_L1 : HWPT_ARM_FS_PERMISSION_L2,
                      level, dom, va, acc);
            return false;
        }
    }
    r->paddr = hwtlb_paddr(e, va);
    return true;
}

/* The walk: one 4-byte read for a section or supersection, two for a
 * page.  Descriptor layouts: DDI 0406C B3.5.1 (first level: bits[1:0] 00
 * fault, 01 page table, 1x section or supersection by bit 18, with bit 0
 * the PXN bit where PXN exists and 0b11 otherwise reserved, which we treat
 * as a translation fault, as QEMU does; second level: 00 fault, 01 large
 * page, 1x small page with bit 0 XN).  Table addresses (B3.5.4): TTBR0
 * bits 31:14-N with VA bits 31-N:20, or TTBR1 bits 31:14 with VA 31:20
 * when VA bits 31:32-N are not all zero; second level: the page-table
 * base 31:10 with VA 19:12. */
static bool arm_walk(hwpt_mmu *m, uint64_t va64, unsigned acc, hwpt_result *r)
{
    const hwpt_arm_regs *a = &m->arm;
    uint32_t va = (uint32_t)va64;
    unsigned n = a->ttbcr_n;
    uint32_t l1;
    if (n > 0 && (va >> (32 - n)) != 0)
        l1 = (a->ttbr1 & 0xffffc000u) | ((va >> 20) << 2);
    else
        l1 = (a->ttbr0 & (0xffffffffu << (14 - n))) | (((va >> 20) & ((1u << (12 - n)) - 1)) << 2);

    m->st.walks++;
    uint32_t d1 = (uint32_t)hwpt_pte_read(m, r, l1, 4);
    unsigned type = d1 & 3;
    if (type == 0 || (type == 3 && !a->has_pxn)) {
        arm_fault(r, HWPT_FAULT_TRANSLATION, HWPT_ARM_FS_TRANSLATION_L1, 1, 0, va, acc);
        return false;
    }

    hwtlb_entry *e = &r->entry;
    uint32_t attr;
    bool ng;
    if (type == 1) {
        unsigned dom = (d1 >> 5) & 15;
        bool pxn = a->has_pxn && (d1 & (1u << 2));
        uint32_t l2 = (d1 & 0xfffffc00u) | (((va >> 12) & 0xff) << 2);
        uint32_t d2 = (uint32_t)hwpt_pte_read(m, r, l2, 4);
        if ((d2 & 3) == 0) {
            arm_fault(r, HWPT_FAULT_TRANSLATION, HWPT_ARM_FS_TRANSLATION_L2, 2, dom, va, acc);
            return false;
        }
        unsigned ap = ((d2 >> 4) & 3) | (((d2 >> 9) & 1) << 2);
        bool xn, large = (d2 & 3) == 1;
        unsigned tex;
        if (large) {
            e->pa = d2 & 0xffff0000u;
            xn = d2 & (1u << 15);
            tex = (d2 >> 12) & 7;
        } else {
            e->pa = d2 & 0xfffff000u;
            xn = d2 & 1u;
            tex = (d2 >> 6) & 7;
        }
        e->size = large ? HWTLB_64K : HWTLB_4K;
        ng = d2 & (1u << 11);
        attr = HWPT_ARM_AP(ap) | (xn ? HWPT_ARM_XN : 0) | (pxn ? HWPT_ARM_PXN : 0) |
               ((d2 & 4u) ? HWPT_ARM_B : 0) | ((d2 & 8u) ? HWPT_ARM_C : 0) |
               ((d2 & (1u << 10)) ? HWPT_ARM_S : 0) | HWPT_ARM_TEX(tex) | HWPT_ARM_DOMAIN(dom);
    } else {
        bool super = d1 & (1u << 18);
        unsigned dom = super ? 0 : (d1 >> 5) & 15;      /* supersections are in domain 0 */
        bool pxn = a->has_pxn && (d1 & 1u);
        unsigned ap = ((d1 >> 10) & 3) | (((d1 >> 15) & 1) << 2);
        if (super) {
            /* PA[39:36] in bits 8:5, PA[35:32] in bits 23:20, PA[31:24] in 31:24. */
            e->pa = (d1 & 0xff000000u) | ((uint64_t)((d1 >> 20) & 15) << 32) | ((uint64_t)((d1 >> 5) & 15) << 36);
            e->size = HWTLB_16M;
        } else {
            e->pa = d1 & 0xfff00000u;
            e->size = HWTLB_1M;
        }
        ng = d1 & (1u << 17);
        attr = HWPT_ARM_AP(ap) | ((d1 & (1u << 4)) ? HWPT_ARM_XN : 0) | (pxn ? HWPT_ARM_PXN : 0) |
               ((d1 & 4u) ? HWPT_ARM_B : 0) | ((d1 & 8u) ? HWPT_ARM_C : 0) |
               ((d1 & (1u << 16)) ? HWPT_ARM_S : 0) | HWPT_ARM_TEX((d1 >> 12) & 7) | HWPT_ARM_DOMAIN(dom);
    }
    e->va = va & ~(uint32_t)(hwtlb_size_bytes((hwtlb_size)e->size) - 1);
    e->attr = attr;
    e->asid = a->asid;
    e->global = !ng;
    r->have_entry = true;
    return arm_check(m, e, va, acc, r);
}

static bool arm_translate(hwpt_mmu *m, uint64_t va, unsigned acc, hwpt_result *r)
{
    hwtlb_entry e;
    if (m->tlb && hwtlb_lookup(m->tlb, va, m->arm.asid, &e)) {
        r->tlb_hit = true;
        r->have_entry = true;
        r->entry = e;
        return arm_check(m, &e, va, acc, r);
    }
    bool ok = arm_walk(m, va, acc, r);
    if (m->tlb && r->have_entry)
        hwtlb_insert(m->tlb, &r->entry);
    return ok;
}

static uint16_t arm_asid(const hwpt_mmu *m)
{
    return m->arm.asid;     /* CONTEXTIDR.ASID */
}

/* A 32-bit MMU: hw_translate turns addresses above 4 GiB into faults
 * before they get here, so one arriving is misuse. */
static bool arm_address_ok(const hwpt_mmu *m, uint64_t va, hwpt_result *r)
{
    (void)m;
    (void)r;
    g_assert(va <= UINT32_MAX);
    return true;
}

static const hwpt_format armv7a_format = {
    .arch = HWTLB_ARMV7A,
    .asid = arm_asid,
    .address_ok = arm_address_ok,
    .translate = arm_translate,
    .walk = arm_walk,
    .verify = NULL,          /* ASIDs may be on or off whatever the registers say */
};

bool hwpt_mmu_init_armv7a(hwpt_mmu *m, const hwpt_arm_regs *regs, const hwpt_mem *mem, hwtlb *tlb,
                          GError **error)
{
    g_assert(mem != NULL && mem->read != NULL && mem->write != NULL);
    if (regs->ttbcr_n > 7) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "ttbcr.n = %u: must be between 0 and 7", regs->ttbcr_n);
        return false;
    }
    if (tlb && tlb->cfg.arch != HWTLB_ARMV7A) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "tlb arch: an ARMv7-A MMU needs an ARMv7-A TLB");
        return false;
    }
    if (tlb && !tlb->cfg.asid_enabled && regs->asid != 0) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_CONFIG, "asid = %u: the TLB does not use ASIDs, so it must be 0",
                    regs->asid);
        return false;
    }
    memset(m, 0, sizeof *m);
    m->arch = HWTLB_ARMV7A;
    m->fmt = &armv7a_format;
    m->arm = *regs;
    m->mem = *mem;
    m->tlb = tlb;
    if (tlb && tlb->cfg.asid_enabled)
        hwtlb_switch(tlb, regs->asid, false);       /* ARM: sets the ASID, flushes nothing */
    return true;
}

void hwpt_arm_switch(hwpt_mmu *m, uint32_t ttbr0, uint8_t asid)
{
    g_assert(m->arch == HWTLB_ARMV7A);
    g_assert(m->tlb == NULL || m->tlb->cfg.asid_enabled || asid == 0);
    m->arm.ttbr0 = ttbr0;
    m->arm.asid = asid;
    if (m->tlb)
        hwtlb_switch(m->tlb, asid, false);
}

/* ---- builders ------------------------------------------------------- */

static bool arm_build_checks(const hwpt_mem *mem, uint32_t ttb, uint32_t vaddr, hwtlb_size size, GError **error)
{
    g_assert(mem != NULL && mem->read != NULL && mem->write != NULL);
    if (!hwtlb_arch_has_size(HWTLB_ARMV7A, size)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                    "size %s: ARMv7-A has 4 KiB, 64 KiB, 1 MiB and 16 MiB pages", hwpt_size_name(size));
        return false;
    }
    /* The smallest first-level table (TTBCR.N = 7) is 128 bytes, aligned
     * to its size (DDI 0406C B3.5.4). */
    if (ttb & 0x7fu) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "ttb = %#" PRIx32 ": not a first-level table base", ttb);
        return false;
    }
    if (vaddr & (uint32_t)(hwtlb_size_bytes(size) - 1)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 " is not aligned to a %s page", vaddr,
                    hwpt_size_name(size));
        return false;
    }
    return true;
}

bool hwpt_arm_map(const hwpt_mem *mem, uint32_t ttb, uint32_t vaddr, uint64_t paddr, hwtlb_size size,
                  uint32_t flags, GError **error)
{
    const uint32_t allowed = HWPT_ARM_AP_MASK | HWPT_ARM_XN | HWPT_ARM_PXN | HWPT_ARM_NG | HWPT_ARM_B |
                             HWPT_ARM_C | HWPT_ARM_S | HWPT_ARM_TEX(7) | HWPT_ARM_DOMAIN(15);
    if (!arm_build_checks(mem, ttb, vaddr, size, error))
        return false;
    if (flags & ~allowed) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                    "flags = %#" PRIx32 ": bits %#" PRIx32 " are not attributes a mapping may set", flags,
                    flags & ~allowed);
        return false;
    }
    unsigned pa_bits = size == HWTLB_16M ? 40 : 32;
    if ((paddr & (hwtlb_size_bytes(size) - 1)) || (paddr >> pa_bits)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "paddr = %#" PRIx64 " is not a %s-aligned address below 2^%u",
                    paddr, hwpt_size_name(size), pa_bits);
        return false;
    }
    unsigned ap = flags & HWPT_ARM_AP_MASK, dom = hwpt_arm_domain_of(flags), tex = (flags >> 9) & 7;
    uint32_t b = (flags & HWPT_ARM_B) ? 1u << 2 : 0, c = (flags & HWPT_ARM_C) ? 1u << 3 : 0;
    uint32_t l1idx = vaddr >> 20;

    if (size == HWTLB_1M || size == HWTLB_16M) {
        if (size == HWTLB_16M && dom != 0) {
            g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                        "vaddr = %#" PRIx32 ": supersections are in domain 0, flags ask for domain %u", vaddr, dom);
            return false;
        }
        uint32_t d = 2u | b | c | ((flags & HWPT_ARM_PXN) ? 1u : 0) | ((flags & HWPT_ARM_XN) ? 1u << 4 : 0) |
                     ((uint32_t)(ap & 3) << 10) | ((uint32_t)tex << 12) | ((uint32_t)(ap >> 2) << 15) |
                     ((flags & HWPT_ARM_S) ? 1u << 16 : 0) | ((flags & HWPT_ARM_NG) ? 1u << 17 : 0);
        unsigned first = l1idx, count = 1;
        if (size == HWTLB_16M) {
            d |= (uint32_t)(paddr & 0xff000000u) | (uint32_t)((paddr >> 32) & 15) << 20 |
                 (uint32_t)((paddr >> 36) & 15) << 5 | 1u << 18;
            first = l1idx & ~15u;   /* 16 identical copies (B3.5.1, supersections) */
            count = 16;
        } else {
            d |= (uint32_t)paddr | (uint32_t)dom << 5;
        }
        for (unsigned i = 0; i < count; i++) {
            uint32_t cur = (uint32_t)mem->read(mem->ctx, ttb + 4u * (first + i), 4);
            if (cur & 3) {
                g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                            "vaddr = %#" PRIx32 ": the first-level entry for %#" PRIx32 " is already in use", vaddr,
                            (first + i) << 20);
                return false;
            }
        }
        for (unsigned i = 0; i < count; i++)
            mem->write(mem->ctx, ttb + 4u * (first + i), d, 4);
        return true;
    }

    /* A page: find or make the second-level table. */
    uint32_t want = 1u | (uint32_t)dom << 5 | ((flags & HWPT_ARM_PXN) ? 1u << 2 : 0);
    uint32_t l1a = ttb + 4u * l1idx;
    uint32_t d1 = (uint32_t)mem->read(mem->ctx, l1a, 4);
    if ((d1 & 3) == 0) {
        uint64_t t;
        if (mem->alloc == NULL || !mem->alloc(mem->ctx, 1024, &t)) {
            g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 ": no memory for a second-level table",
                        vaddr);
            return false;
        }
        g_assert((t & 0x3ffu) == 0 && (t >> 32) == 0);
        d1 = (uint32_t)t | want;
        mem->write(mem->ctx, l1a, d1, 4);
    } else if ((d1 & 3) != 1) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 " is inside a section already mapped",
                    vaddr);
        return false;
    } else if ((d1 & 0x1e4u) != (want & 0x1e4u)) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP,
                    "vaddr = %#" PRIx32 ": its 1 MiB page table has domain %u and PXN %u, flags ask for %u and %u",
                    vaddr, (d1 >> 5) & 15, (d1 >> 2) & 1, dom, (flags & HWPT_ARM_PXN) ? 1 : 0);
        return false;
    }
    uint32_t l2base = d1 & 0xfffffc00u, l2idx = (vaddr >> 12) & 0xff;
    uint32_t d = b | c | ((uint32_t)(ap & 3) << 4) | ((uint32_t)(ap >> 2) << 9) |
                 ((flags & HWPT_ARM_S) ? 1u << 10 : 0) | ((flags & HWPT_ARM_NG) ? 1u << 11 : 0);
    unsigned first = l2idx, count = 1;
    if (size == HWTLB_64K) {
        d |= 1u | (uint32_t)paddr | (uint32_t)tex << 12 | ((flags & HWPT_ARM_XN) ? 1u << 15 : 0);
        first = l2idx & ~15u;       /* 16 identical copies (B3.5.1, large pages) */
        count = 16;
    } else {
        d |= 2u | (uint32_t)paddr | (uint32_t)tex << 6 | ((flags & HWPT_ARM_XN) ? 1u : 0);
    }
    for (unsigned i = 0; i < count; i++) {
        if ((uint32_t)mem->read(mem->ctx, l2base + 4u * (first + i), 4) & 3) {
            g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 " is already mapped", vaddr);
            return false;
        }
    }
    for (unsigned i = 0; i < count; i++)
        mem->write(mem->ctx, l2base + 4u * (first + i), d, 4);
    return true;
}

bool hwpt_arm_unmap(const hwpt_mem *mem, uint32_t ttb, uint32_t vaddr, hwtlb_size size, uint64_t *paddr,
                    GError **error)
{
    if (!arm_build_checks(mem, ttb, vaddr, size, error))
        return false;
    uint32_t l1idx = vaddr >> 20;
    uint32_t d1 = (uint32_t)mem->read(mem->ctx, ttb + 4u * l1idx, 4);
    unsigned type = d1 & 3;
    bool ok;
    uint32_t base, leaf = 0;
    unsigned first, count = 1;
    if (size == HWTLB_1M || size == HWTLB_16M) {
        bool super = d1 & (1u << 18);
        ok = (type & 2) && super == (size == HWTLB_16M);
        base = ttb;
        leaf = d1 & (size == HWTLB_16M ? 0xff000000u : 0xfff00000u);
        first = size == HWTLB_16M ? (l1idx & ~15u) : l1idx;
        count = size == HWTLB_16M ? 16 : 1;
    } else {
        ok = type == 1;
        base = d1 & 0xfffffc00u;
        uint32_t l2idx = (vaddr >> 12) & 0xff;
        if (ok) {
            uint32_t d2 = (uint32_t)mem->read(mem->ctx, base + 4u * l2idx, 4);
            ok = size == HWTLB_64K ? (d2 & 3) == 1 : (d2 & 2) != 0;
            leaf = d2 & (size == HWTLB_64K ? 0xffff0000u : 0xfffff000u);
        }
        first = size == HWTLB_64K ? (l2idx & ~15u) : l2idx;
        count = size == HWTLB_64K ? 16 : 1;
    }
    if (!ok) {
        g_set_error(error, HWPT_ERROR, HWPT_ERROR_MAP, "vaddr = %#" PRIx32 " is not mapped by a %s page", vaddr,
                    hwpt_size_name(size));
        return false;
    }
    if (paddr)
        *paddr = leaf;   /* supersections' bits 32-39 are not kept (the kernel maps 4 KiB pages) */
    for (unsigned i = 0; i < count; i++)
        mem->write(mem->ctx, base + 4u * (first + i), 0, 4);
    return true;
}
