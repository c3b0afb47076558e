/* model/pagetable.h: page tables in simulated memory, the hardware walkers
 * that read them, builders that write them, and the MMU's translate call
 * that puts a TLB (model/tlb.h) in front of the walk.
 *
 * Memory is reached only through callbacks (hwpt_mem): every descriptor
 * read and every accessed/dirty update goes to the caller, which charges
 * its cache/DRAM cost (the memory system, model/mem.h) and returns the
 * value.  Nothing here keeps time, allocates per call, prints or aborts on
 * an architectural fault: a fault is a value (hwpt_fault) that mirrors what
 * the hardware reports, for the kernel to deliver.  Configuration mistakes
 * are GErrors naming the field; misuse (an ARM address above 4 GiB, an
 * x86 register write on an ARM MMU, memory callbacks missing) is an
 * assertion.
 *
 * Two formats, each in its own file behind an ops table that the MMU's
 * init call chooses (pagetable_format.h; pagetable.c holds the generic
 * calls):
 *  - x86-64 4-level paging (Intel SDM vol. 3A 4.5; pagetable_x86_64.c):
 *    CR3 -> PML4 -> PDPT -> PD -> PT, 1 GiB and 2 MiB pages by PS, the
 *    global bit (with CR4.PGE), NX (with IA32_EFER.NXE), accessed and
 *    dirty bits set by the walk (4.8), reserved-bit checks (4.5, the
 *    entry-format tables: bits 51:M above MAXPHYADDR, PS in a PML4E, 29:13
 *    in a 1 GiB PDPTE, 20:13 in a 2 MiB PDE; 4.7: XD while NXE = 0), access
 *    rights with CR0.WP and CR4.SMEP (4.6.1), and the #PF error code and
 *    CR2 (4.7).  PCIDs and the invalidation rules of MOV to CR3/CR4
 *    (4.10.4.1).
 *  - ARMv7-A short-descriptor translation (ARM DDI 0406C B3.5;
 *    pagetable_armv7a.c): TTBR0, and TTBR1 when TTBCR.N > 0; first-level
 *    fault / page table / section / supersection; second-level fault /
 *    large page / small page; nG tagged by the ASID; AP[2:0] with
 *    SCTLR.AFE = 0 (Table B3-8, "VMSAv7 MMU access permissions"); XN and
 *    PXN; domains through the DACR; faults as DFSR/IFSR status in the
 *    short-descriptor format.
 *
 * Not modelled: x86 SMAP, protection keys, PAT/MTRR memory types (the
 * PWT/PCD/PAT bits are cached in the TLB entry for the cache model to
 * read), the paging-structure caches (every TLB miss walks from CR3),
 * 5-level paging, LAM; ARM SCTLR.AFE = 1 (access flag), TEX remap, the
 * Security Extensions (NS bits, TTBCR.PD0/PD1), the Long-descriptor
 * format, alignment faults, separate instruction and data TLBs.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "tlb.h"

#define HWPT_ERROR (hwpt_error_quark())
GQuark hwpt_error_quark(void);
enum {
    HWPT_ERROR_CONFIG,      /* a register or MMU setting is impossible */
    HWPT_ERROR_MAP,         /* a builder was asked for something it cannot write */
};

/* ---- memory callbacks ------------------------------------------------- */

/* Read a descriptor: size is 4 (ARM) or 8 (x86); the callee charges the
 * cost of the access and returns the little-endian value. */
typedef uint64_t (*hwpt_read_fn)(void *ctx, uint64_t paddr, unsigned size);
/* Write a descriptor (accessed/dirty updates, builders). */
typedef void (*hwpt_write_fn)(void *ctx, uint64_t paddr, uint64_t value, unsigned size);
/* Builders: `size` bytes aligned to `size`, reading as zeros (every entry
 * not present).  false when memory is exhausted. */
typedef bool (*hwpt_alloc_fn)(void *ctx, unsigned size, uint64_t *paddr);

typedef struct hwpt_mem {
    hwpt_read_fn read;
    hwpt_write_fn write;
    hwpt_alloc_fn alloc;    /* builders only; may be NULL for walking */
    void *ctx;
} hwpt_mem;

/* ---- accesses and faults ---------------------------------------------- */

/* An access: a read unless WRITE or FETCH; supervisor (x86 CPL < 3, ARM
 * PL1) unless USER. */
#define HWPT_ACC_WRITE  1u
#define HWPT_ACC_FETCH  2u
#define HWPT_ACC_USER   4u

typedef enum hwpt_fault_kind {
    HWPT_OK = 0,
    HWPT_FAULT_TRANSLATION, /* x86: a P flag 0 (#PF, P = 0); ARM: Translation fault */
    HWPT_FAULT_RESERVED,    /* x86: a reserved bit set (#PF, P = 1, RSVD = 1) */
    HWPT_FAULT_PERMISSION,  /* x86: access rights (#PF, P = 1); ARM: Permission fault */
    HWPT_FAULT_DOMAIN,      /* ARM: Domain fault */
    HWPT_FAULT_NONCANONICAL,/* x86: not canonical; the CPU raises #GP(0) (or
                             * #SS), not #PF (SDM vol. 3A 6.15, Interrupt 13) */
} hwpt_fault_kind;

typedef struct hwpt_fault {
    hwpt_fault_kind kind;
    uint64_t addr;          /* x86 CR2; ARM DFAR (data) or IFAR (fetch) */
    uint32_t code;          /* x86 #PF error code; ARM DFSR (data) or IFSR (fetch) */
    uint8_t level;          /* x86: 4 (PML4E) .. 1 (PTE) where the walk stopped,
                             * 0 when the TLB answered; ARM: 1 (section) or 2 (page) */
    uint8_t domain;         /* ARM: the domain, 0 before one is known */
} hwpt_fault;

/* #PF error code bits (SDM vol. 3A 4.7 and its "Page-Fault Error Code"
 * figure). */
#define HWPT_PF_P       0x01u   /* 0: not present; 1: protection or reserved bit */
#define HWPT_PF_W       0x02u   /* the access was a write */
#define HWPT_PF_U       0x04u   /* the access was a user-mode access */
#define HWPT_PF_RSVD    0x08u   /* a reserved bit was set */
#define HWPT_PF_ID      0x10u   /* an instruction fetch, with NXE or SMEP on */

/* ARM short-descriptor fault status FS[4:0] (DDI 0406C, the table
 * "Short-descriptor format FSR encodings"; checked against the DFSR and
 * IFSR descriptions of the Cortex-A35 TRM, 100236, B1.50), and the layout
 * of DFSR/IFSR: FS[3:0] in bits 3:0, FS[4] in bit 10, the domain in bits
 * 7:4 and WnR in bit 11 (DFSR only). */
#define HWPT_ARM_FS_TRANSLATION_L1  0x05u
#define HWPT_ARM_FS_TRANSLATION_L2  0x07u
#define HWPT_ARM_FS_DOMAIN_L1       0x09u
#define HWPT_ARM_FS_DOMAIN_L2       0x0bu
#define HWPT_ARM_FS_PERMISSION_L1   0x0du
#define HWPT_ARM_FS_PERMISSION_L2   0x0fu
#define HWPT_ARM_FSR_WNR            (1u << 11)
static inline unsigned hwpt_arm_fsr_status(uint32_t fsr) { return (fsr & 0xfu) | ((fsr >> 6) & 0x10u); }

/* ---- descriptor bits -------------------------------------------------- */

/* x86-64 paging-structure entry bits (SDM vol. 3A 4.5, the entry-format
 * tables for PML4E, PDPTE, PDE and PTE).
 * Builders take RW, US, PWT, PCD, A, D, G, XD and PAT (meaning the PAT
 * bit: bit 7 of a PTE, bit 12 of a large-page entry).  A TLB entry's attr
 * uses the same positions for the combined rights (RW and US: AND of all
 * levels; XD: OR), D, PWT, PCD and PAT (bit 7). */
#define HWPT_X86_P      (UINT64_C(1) << 0)
#define HWPT_X86_RW     (UINT64_C(1) << 1)
#define HWPT_X86_US     (UINT64_C(1) << 2)
#define HWPT_X86_PWT    (UINT64_C(1) << 3)
#define HWPT_X86_PCD    (UINT64_C(1) << 4)
#define HWPT_X86_A      (UINT64_C(1) << 5)
#define HWPT_X86_D      (UINT64_C(1) << 6)
#define HWPT_X86_PS     (UINT64_C(1) << 7)
#define HWPT_X86_PAT    (UINT64_C(1) << 7)   /* in a PTE */
#define HWPT_X86_PAT_LARGE (UINT64_C(1) << 12)
#define HWPT_X86_G      (UINT64_C(1) << 8)
#define HWPT_X86_XD     (UINT64_C(1) << 63)

/* ARMv7-A attributes, for the builders and as a TLB entry's attr (the
 * walker decodes descriptors into this; DDI 0406C B3.5.1, the first- and
 * second-level short-descriptor format figures, give where each bit sits
 * in a descriptor). */
#define HWPT_ARM_AP(ap)     ((uint32_t)(ap) & 7u)      /* AP[2:0], Table B3-8 */
#define HWPT_ARM_AP_MASK    7u
#define HWPT_ARM_XN         (1u << 3)
#define HWPT_ARM_PXN        (1u << 4)   /* PXN; for pages it lives in the first-level
                                         * page-table descriptor, so it covers 1 MiB */
#define HWPT_ARM_NG         (1u << 5)   /* builders only: a TLB entry says !global */
#define HWPT_ARM_B          (1u << 6)
#define HWPT_ARM_C          (1u << 7)
#define HWPT_ARM_S          (1u << 8)
#define HWPT_ARM_TEX(t)     (((uint32_t)(t) & 7u) << 9)
#define HWPT_ARM_DOMAIN(d)  (((uint32_t)(d) & 15u) << 12)   /* per 1 MiB: page tables
                                                             * and sections; supersections
                                                             * are domain 0 */
static inline unsigned hwpt_arm_domain_of(uint64_t attr) { return (unsigned)(attr >> 12) & 15u; }

/* ---- the MMU ---------------------------------------------------------- */

typedef struct hwpt_x86_regs {
    uint64_t cr3;           /* PML4 base in bits M-1:12; PCID in 11:0 when pcide */
    unsigned maxphyaddr;    /* M, 36..52 (CPUID.80000008H:EAX[7:0]) */
    bool nxe;               /* IA32_EFER.NXE */
    bool wp;                /* CR0.WP */
    bool smep;              /* CR4.SMEP (write it through hwpt_x86_write_cr4) */
    bool pge;               /* CR4.PGE (idem) */
    bool pcide;             /* CR4.PCIDE (idem); equals the TLB's asid_enabled */
} hwpt_x86_regs;

typedef struct hwpt_arm_regs {
    uint32_t ttbr0, ttbr1;  /* table bases in bits 31:14-N (TTBR1: 31:14) */
    unsigned ttbcr_n;       /* TTBCR.N, 0..7: VAs with any of bits 31:32-N set use TTBR1 */
    uint32_t dacr;          /* 16 two-bit fields: 00 no access, 01 client, 10 reserved, 11 manager */
    uint8_t asid;           /* CONTEXTIDR.ASID; 0 while the TLB does not use ASIDs */
    bool has_pxn;           /* the implementation has PXN (Cortex-A7/A15 do, Cortex-A9 does not) */
} hwpt_arm_regs;

typedef struct hwpt_stats {
    uint64_t translations;  /* hwpt_translate calls */
    uint64_t walks;         /* table walks (TLB misses, clean-entry writes, hwpt_walk) */
    uint64_t pte_reads;     /* descriptor reads */
    uint64_t pte_writes;    /* accessed/dirty updates */
    uint64_t faults;        /* translations that ended in a fault */
} hwpt_stats;

/* A page-table format's walker and TLB policy (model/pagetable_format.h). */
typedef struct hwpt_format hwpt_format;

/* What a translation found. */
typedef struct hwpt_result {
    uint64_t paddr;         /* when the fault kind is HWPT_OK */
    hwtlb_entry entry;      /* the translation, when have_entry */
    bool have_entry;        /* a leaf was reached (also for ARM domain/permission
                             * faults and x86 access-rights faults) */
    bool tlb_hit;           /* the TLB held the page */
    unsigned reads;         /* descriptors read by this call */
    unsigned writes;        /* accessed/dirty updates by this call */
    hwpt_fault fault;
} hwpt_result;

/* A recent translation that was one TLB hit and nothing else, kept so
 * that a later translation of the same 4 KiB page with the same access,
 * the same registers and an unchanged TLB repeats it without the search
 * (hwpt_translate; HWPT_MEMOS of them, by the page's low bits).  Host speed only: the repeat counts, stamps and
 * returns exactly what the search would (the same slot answers a page
 * while the TLB's gen stands still), which tests/test_pagetable.c checks
 * against translations made without it. */
#define HWPT_MEMOS 8
typedef struct hwpt_memo {
    bool valid;
    unsigned acc;
    uint64_t page;          /* vaddr >> 12 */
    const hwtlb *tlb;
    uint64_t tlb_gen;
    hwpt_x86_regs x86;      /* the registers it was made under */
    hwpt_arm_regs arm;
    hwtlb_slot *slot;
    hwpt_result r;
} hwpt_memo;

typedef struct hwpt_mmu {
    hwtlb_arch arch;
    const hwpt_format *fmt; /* the format's ops, chosen by hwpt_mmu_init_*; the
                             * generic calls below go through it */
    hwpt_x86_regs x86;      /* used when arch == HWTLB_X86_64 */
    hwpt_arm_regs arm;      /* used when arch == HWTLB_ARMV7A */
    hwpt_mem mem;
    hwtlb *tlb;             /* not owned; NULL: every translation walks */
    hwpt_stats st;
    hwpt_memo memo[HWPT_MEMOS];
    bool no_memo;           /* tests: every translation searches */
    uint64_t memo_hits;     /* translations the memo answered (tests) */
} hwpt_mmu;


/* Set up an MMU (the struct is the caller's, e.g. in a per-core array).
 * The TLB (may be NULL) must be of the same architecture and, on x86, use
 * ids exactly when PCIDE is set; it is told the current id.  Errors name
 * the field: maxphyaddr outside 36..52, CR3 with reserved bits set,
 * TTBCR.N > 7, an ASID with ASIDs off, a TLB whose id use disagrees. */
bool hwpt_mmu_init_x86(hwpt_mmu *m, const hwpt_x86_regs *regs, const hwpt_mem *mem, hwtlb *tlb,
                       GError **error);
bool hwpt_mmu_init_armv7a(hwpt_mmu *m, const hwpt_arm_regs *regs, const hwpt_mem *mem, hwtlb *tlb,
                          GError **error);
/* x86 32-bit paging (non-PAE, 2 levels of 1024 4-byte entries, 4 KiB
 * pages, CR4.PSE = 0; SDM vol. 3A 4.3; model/pagetable_x86_32.c): the
 * x86 regs with pcide, nxe and smep false; CR3 bits 31:12 (and PWT/PCD)
 * only; a TLB of the x86 family with ids off. */
bool hwpt_mmu_init_x86_32(hwpt_mmu *m, const hwpt_x86_regs *regs, const hwpt_mem *mem, hwtlb *tlb,
                          GError **error);

/* The current address-space id (x86: CR3[11:0] with PCIDE, else 0; ARM:
 * the ASID). */
uint16_t hwpt_asid(const hwpt_mmu *m);

/* Translate one access: the TLB first; on a miss, a walk whose result is
 * cached.  true with r->paddr on success; false with r->fault otherwise.
 * x86: a TLB hit is checked against the cached rights and the current
 * CR0.WP/CR4.SMEP/EFER.NXE; a write through an entry whose dirty bit is
 * clear walks again to set D in memory (4.8); a page fault removes the
 * page's TLB entries ("a page-fault exception ... will invalidate any TLB
 * entries that are for a page number corresponding to that linear
 * address", SDM 4.10.4.1), and only successful translations are cached.
 * ARM: the entry's domain is checked against the current DACR on every
 * hit, so a translation is cached even when it faults on domain or
 * permission (changing DACR needs no TLB maintenance). */
bool hwpt_translate(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r);

/* The memo that repeats a translation of vaddr with `acc` now, or NULL:
 * valid, the same page, access, TLB, TLB gen and registers (compared
 * field by field: tests write them directly).  Looks only. */
static inline hwpt_memo *hwpt_memo_find(hwpt_mmu *m, uint64_t vaddr, unsigned acc)
{
    hwpt_memo *mo = &m->memo[(vaddr >> 12) % HWPT_MEMOS];
    const hwtlb *t = m->tlb;
    if (!mo->valid || mo->page != vaddr >> 12 || mo->acc != acc || mo->tlb != t || t->gen != mo->tlb_gen)
        return NULL;
    if (m->arch == HWTLB_ARMV7A) {
        const hwpt_arm_regs *a = &m->arm, *b = &mo->arm;
        return a->ttbr0 == b->ttbr0 && a->ttbr1 == b->ttbr1 && a->ttbcr_n == b->ttbcr_n && a->dacr == b->dacr
                       && a->asid == b->asid && a->has_pxn == b->has_pxn
                   ? mo
                   : NULL;
    }
    const hwpt_x86_regs *a = &m->x86, *b = &mo->x86;
    return a->cr3 == b->cr3 && a->maxphyaddr == b->maxphyaddr && a->nxe == b->nxe && a->wp == b->wp
                   && a->smep == b->smep && a->pge == b->pge && a->pcide == b->pcide
               ? mo
               : NULL;
}

/* Repeat the memo's translation of vaddr (hwpt_memo_find found it): what
 * hwpt_translate does for it, the counts and the TLB slot's stamp; the
 * physical address. */
static inline uint64_t hwpt_memo_repeat(hwpt_mmu *m, hwpt_memo *mo, uint64_t vaddr)
{
    m->st.translations++;
    hwtlb_hit_again(m->tlb, mo->slot);
    m->memo_hits++;
    return hwtlb_paddr(&mo->r.entry, vaddr);
}
/* Walk the tables without the TLB (setting accessed/dirty bits as the
 * hardware does); same result conventions. */
bool hwpt_walk(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r);

/* x86 MOV to CR3 (SDM 4.10.4.1): false (#GP, nothing changed) if a
 * reserved bit is set: bits 62:M, and bit 63 unless PCIDE.  With PCIDE,
 * CR3[11:0] is the new PCID and bit 63 asks not to invalidate; bit 63 is
 * not stored. */
bool hwpt_x86_write_cr3(hwpt_mmu *m, uint64_t value);
/* x86 MOV to CR4, for the bits that touch translation.  false (#GP,
 * nothing changed) when setting PCIDE while CR3[11:0] != 0.  Invalidates
 * everything if PGE changes or PCIDE goes 1 -> 0, and the current PCID's
 * entries if SMEP goes 0 -> 1 (SDM 4.10.4.1). */
bool hwpt_x86_write_cr4(hwpt_mmu *m, bool pcide, bool pge, bool smep);
/* 32-bit paging's MOV to CR3: false if bits other than 31:12, PWT and
 * PCD are set; otherwise the new directory, and every non-global TLB
 * entry invalidated (no PCIDs, SDM 4.10.4.1). */
bool hwpt_x86_32_write_cr3(hwpt_mmu *m, uint32_t value);
/* ARM address-space switch: TTBR0 and CONTEXTIDR.ASID (see hwtlb_switch
 * for what the TLB does; asid must be 0 while ASIDs are off). */
void hwpt_arm_switch(hwpt_mmu *m, uint32_t ttbr0, uint8_t asid);

/* The MMU's registers agree with its TLB; the TLB verifies. */
bool hwpt_verify(const hwpt_mmu *m);

/* ---- builders --------------------------------------------------------- */

/* Map one page of `size` (4K, 2M or 1G) at vaddr (canonical, aligned) to
 * paddr (aligned, below 2^52) in the tables rooted at `root` (the PML4's
 * physical address), allocating missing tables through mem->alloc.  New
 * intermediate entries are present, writable and user (P|RW|US: the leaf
 * decides).  Errors: bad size or flags, misalignment, a page or table
 * already there (say which), allocation failure.  Changes nothing the TLB
 * holds: the caller invalidates as the OS would. */
bool hwpt_x86_map(const hwpt_mem *mem, uint64_t root, uint64_t vaddr, uint64_t paddr, hwtlb_size size,
                  uint64_t flags, GError **error);
/* Clear the leaf that maps vaddr with that size (tables stay); *paddr
 * (may be NULL) gets the physical base it mapped. */
bool hwpt_x86_unmap(const hwpt_mem *mem, uint64_t root, uint64_t vaddr, hwtlb_size size, uint64_t *paddr,
                    GError **error);

/* The same for ARMv7-A: `ttb` is a first-level table's base (TTBR0's or
 * TTBR1's); sizes 4K, 64K (written as 16 copies), 1M, 16M (16 copies;
 * paddr may reach 2^40, domain must be 0).  A page's domain and PXN go in
 * its first-level page-table descriptor and must agree with it when it
 * exists.  PXN on a section writes descriptor type 0b11, which an
 * implementation without PXN reads as a translation fault. */
bool hwpt_arm_map(const hwpt_mem *mem, uint32_t ttb, uint32_t vaddr, uint64_t paddr, hwtlb_size size,
                  uint32_t flags, GError **error);
bool hwpt_arm_unmap(const hwpt_mem *mem, uint32_t ttb, uint32_t vaddr, hwtlb_size size, uint64_t *paddr,
                    GError **error);

/* The same for x86 32-bit paging: `root` is the page directory's base;
 * 4 KiB pages only; flags as for hwpt_x86_map without XD; a new page
 * table's PDE is P|RW|US. */
bool hwpt_x86_32_map(const hwpt_mem *mem, uint32_t root, uint32_t vaddr, uint64_t paddr, hwtlb_size size,
                     uint64_t flags, GError **error);
bool hwpt_x86_32_unmap(const hwpt_mem *mem, uint32_t root, uint32_t vaddr, hwtlb_size size, uint64_t *paddr,
                       GError **error);
