/* tests/test_pagetable_x86_64.c: unit tests of x86-64 4-level paging
 * (model/pagetable_x86_64.c): the walker, the TLB in front of it, CR3 and
 * CR4 writes, the builders.
 *
 * A user sees the walker as the number of descriptor reads a TLB miss costs
 * (each one goes through the memory system and its caches), as the faults
 * the kernel receives, with their #PF error codes, and as the accessed and
 * dirty bits an OS reads back.  The expected figures come from the Intel
 * SDM vol. 3A chapter 4 and from hand calculations of table addresses
 * (pagetable_fixture.h hands tables out in order from a known address).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "pagetable_fixture.h"

/* Read counts of a walk (SDM 4.5): PML4E, PDPTE, PDE, PTE for 4 KiB; the
 * PDE with PS = 1 ends a 2 MiB walk after 3; the PDPTE with PS = 1 ends a
 * 1 GiB walk after 2. */
static void test_x86_walk_reads(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    map_x86(f, 0x7f0000001000, 0x5000000, HWTLB_4K, HWPT_X86_RW);
    map_x86(f, 0x40200000, 0x80000000, HWTLB_2M, HWPT_X86_RW);
    map_x86(f, 0x8000000000, 0x1c0000000, HWTLB_1G, HWPT_X86_RW);
    hwpt_result r;

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x7f0000001234, 0, &r), 0x5000234);
    assert_int_equal(r.reads, 4);
    assert_int_equal(f->m.reads, 4);            /* the callback saw the same 4 */
    /* First read: PML4 index = 0x7f0000001234 >> 39 = 254 (254 * 2^39 =
     * 0x7f0000000000), at 0x1000 + 254 * 8 = 0x17f0. */
    assert_int_equal(f->m.log[0], 0x17f0);
    assert_int_equal(r.entry.size, HWTLB_4K);

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x403fffff, 0, &r), 0x801fffff);
    assert_int_equal(r.reads, 3);
    assert_int_equal(f->m.reads, 3);
    assert_int_equal(r.entry.size, HWTLB_2M);

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x8012345678, 0, &r), 0x1d2345678);
    assert_int_equal(r.reads, 2);
    assert_int_equal(f->m.reads, 2);
    assert_int_equal(r.entry.size, HWTLB_1G);
    assert_int_equal(f->mmu.st.pte_reads, 9);
    fx_free(f);
}

static void test_x86_tlb_hit(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    map_x86(f, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_RW);
    hwpt_result r;
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x401008, 0, &r), 0x9008);
    assert_false(r.tlb_hit);
    assert_int_equal(r.reads, 4);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x401ff0, 0, &r), 0x9ff0);
    assert_true(r.tlb_hit);
    assert_int_equal(r.reads, 0);
    assert_int_equal(f->m.reads, 4);
    assert_int_equal(f->tlb->st.hits, 1);
    assert_int_equal(f->tlb->st.misses, 1);
    assert_verified(f);
    fx_free(f);
}

/* va 0x401000 in a fresh image: PML4 index 0, PDPT index 0, PD index
 * 0x401000 >> 21 = 2, PT index (0x401000 >> 12) & 511 = 1.  The builder
 * allocates the PDPT at 0x2000, the PD at 0x3000, the PT at 0x4000, so the
 * four entries are at 0x1000, 0x2000, 0x3010 and 0x4008. */
#define E_PML4 0x1000
#define E_PDPT 0x2000
#define E_PD   0x3010
#define E_PT   0x4008

static void test_x86_accessed_dirty(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    map_x86(f, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_RW);
    const uint64_t ent[4] = { E_PML4, E_PDPT, E_PD, E_PT };
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(peek64(&f->m, ent[i]) & (HWPT_X86_A | HWPT_X86_D), 0);

    /* A read sets A in all four entries (4.8), each a write; D stays clear. */
    hwpt_result r;
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x401000, 0, &r), 0x9000);
    assert_int_equal(r.writes, 4);
    assert_int_equal(f->m.writes, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_true(peek64(&f->m, ent[i]) & HWPT_X86_A);
    assert_false(peek64(&f->m, E_PT) & HWPT_X86_D);

    /* A write hits the TLB, but the entry is clean: the MMU walks again
     * (4 reads) to set D in the PTE (1 write), only there. */
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x401010, HWPT_ACC_WRITE, &r), 0x9010);
    assert_true(r.tlb_hit);
    assert_int_equal(r.reads, 4);
    assert_int_equal(r.writes, 1);
    assert_true(peek64(&f->m, E_PT) & HWPT_X86_D);
    for (unsigned i = 0; i < 3; i++)
        assert_false(peek64(&f->m, ent[i]) & HWPT_X86_D);

    /* Now the cached entry is dirty: the next write costs nothing. */
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x401020, HWPT_ACC_WRITE, &r), 0x9020);
    assert_int_equal(r.reads + r.writes, 0);

    /* A 2 MiB page's D goes in its PDE.  0x600000: PD index 3 at 0x3018. */
    map_x86(f, 0x600000, 0x200000, HWTLB_2M, HWPT_X86_RW);
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x600000, HWPT_ACC_WRITE, &r), 0x200000);
    assert_int_equal(r.reads, 3);
    assert_int_equal(r.writes, 1);              /* upper entries already accessed */
    assert_int_equal(peek64(&f->m, 0x3018) & (HWPT_X86_A | HWPT_X86_D), HWPT_X86_A | HWPT_X86_D);
    assert_verified(f);
    fx_free(f);
}

static void test_x86_not_present(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    hwpt_result r;
    /* Nothing mapped: the PML4E is not present; P = 0, and the error code
     * describes the access: read/supervisor 0, write/user W|U = 6. */
    assert_false(hwpt_translate(&f->mmu, 0x401000, 0, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0, 0x401000);
    assert_int_equal(r.fault.level, 4);
    assert_int_equal(r.reads, 1);
    assert_false(hwpt_translate(&f->mmu, 0x401000, HWPT_ACC_WRITE | HWPT_ACC_USER, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, HWPT_PF_W | HWPT_PF_U, 0x401000);
    /* A fetch: I/D, since NXE is on (4.7). */
    assert_false(hwpt_translate(&f->mmu, 0x401000, HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, HWPT_PF_ID, 0x401000);

    /* The next page in the same page table: PTE not present, level 1,
     * after 4 reads; CR2 is the faulting address itself, not the page. */
    map_x86(f, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_RW);
    assert_false(hwpt_translate(&f->mmu, 0x402abc, 0, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0, 0x402abc);
    assert_int_equal(r.fault.level, 1);
    assert_int_equal(r.reads, 4);
    assert_false(r.have_entry);
    assert_int_equal(hwtlb_count(f->tlb), 0);   /* faults are not cached */
    assert_int_equal(f->mmu.st.faults, 4);
    fx_free(f);
}

static void test_x86_reserved_bits(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    map_x86(f, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_RW | HWPT_X86_US);
    hwpt_result r;
    uint64_t pte = peek64(&f->m, E_PT);

    /* MAXPHYADDR 46: bit 46 of the PTE is reserved -> P|RSVD = 9, level 1. */
    poke64(&f->m, E_PT, pte | (UINT64_C(1) << 46));
    assert_false(hwpt_walk(&f->mmu, 0x401000, 0, &r));
    assert_fault(&r, HWPT_FAULT_RESERVED, HWPT_PF_P | HWPT_PF_RSVD, 0x401000);
    assert_int_equal(r.fault.level, 1);
    /* A user write: P|W|U|RSVD = 0xf. */
    assert_false(hwpt_walk(&f->mmu, 0x401000, HWPT_ACC_WRITE | HWPT_ACC_USER, &r));
    assert_fault(&r, HWPT_FAULT_RESERVED, 0xf, 0x401000);
    poke64(&f->m, E_PT, pte);

    /* The same frame bits are fine with MAXPHYADDR 52. */
    f->mmu.x86.maxphyaddr = 52;
    poke64(&f->m, E_PT, pte | (UINT64_C(1) << 46));
    assert_ok(&r, hwpt_walk(&f->mmu, 0x401000, 0, &r), (UINT64_C(1) << 46) | 0x9000);
    f->mmu.x86.maxphyaddr = 46;
    poke64(&f->m, E_PT, pte);

    /* XD while EFER.NXE = 0 is reserved (4.5). */
    f->mmu.x86.nxe = false;
    poke64(&f->m, E_PT, pte | HWPT_X86_XD);
    assert_false(hwpt_walk(&f->mmu, 0x401000, 0, &r));
    assert_fault(&r, HWPT_FAULT_RESERVED, HWPT_PF_P | HWPT_PF_RSVD, 0x401000);
    f->mmu.x86.nxe = true;
    assert_ok(&r, hwpt_walk(&f->mmu, 0x401000, 0, &r), 0x9000);    /* with NXE it is XD */
    poke64(&f->m, E_PT, pte);

    /* PS in a PML4E is reserved: level 4, one read. */
    uint64_t pml4e = peek64(&f->m, E_PML4);
    poke64(&f->m, E_PML4, pml4e | HWPT_X86_PS);
    assert_false(hwpt_walk(&f->mmu, 0x401000, 0, &r));
    assert_fault(&r, HWPT_FAULT_RESERVED, HWPT_PF_P | HWPT_PF_RSVD, 0x401000);
    assert_int_equal(r.fault.level, 4);
    assert_int_equal(r.reads, 1);
    poke64(&f->m, E_PML4, pml4e);

    /* A 2 MiB page with bit 13 set (bits 20:13 reserved): level 2; and a
     * 1 GiB page with bit 29 set (bits 29:13): level 3.  PAT (bit 12) is
     * allowed in both. */
    map_x86(f, 0x600000, 0x200000, HWTLB_2M, HWPT_X86_RW | HWPT_X86_PAT);
    poke64(&f->m, 0x3018, peek64(&f->m, 0x3018) | (UINT64_C(1) << 13));
    assert_false(hwpt_walk(&f->mmu, 0x600000, 0, &r));
    assert_fault(&r, HWPT_FAULT_RESERVED, HWPT_PF_P | HWPT_PF_RSVD, 0x600000);
    assert_int_equal(r.fault.level, 2);
    map_x86(f, 0x40000000, 0x40000000, HWTLB_1G, HWPT_X86_RW | HWPT_X86_PAT);   /* PDPT index 1: 0x2008 */
    assert_ok(&r, hwpt_walk(&f->mmu, 0x40000000, 0, &r), 0x40000000);
    assert_true(r.entry.attr & HWPT_X86_PAT);
    poke64(&f->m, 0x2008, peek64(&f->m, 0x2008) | (UINT64_C(1) << 29));
    assert_false(hwpt_walk(&f->mmu, 0x40000000, 0, &r));
    assert_fault(&r, HWPT_FAULT_RESERVED, HWPT_PF_P | HWPT_PF_RSVD, 0x40000000);
    assert_int_equal(r.fault.level, 3);
    assert_int_equal(r.reads, 2);
    fx_free(f);
}

/* Access rights, SDM 4.6.1.  Each case maps one page at 0x401000 with the
 * given leaf flags in a fresh image and walks it once. */
typedef struct rights_case {
    const char *what;
    uint64_t flags;
    unsigned acc;
    bool wp, smep, nxe;
    uint32_t code;      /* expected #PF error code; 0xff: allowed */
} rights_case;

static void test_x86_access_rights(void **state)
{
    (void)state;
    const uint64_t RW = HWPT_X86_RW, US = HWPT_X86_US, XD = HWPT_X86_XD;
    const unsigned W = HWPT_ACC_WRITE, F = HWPT_ACC_FETCH, U = HWPT_ACC_USER;
    const rights_case cases[] = {
        /* user access to a supervisor-mode address: P|U = 5 */
        { "user read, supervisor page", RW, U, true, false, true, 0x5 },
        /* user write to a read-only user page, whatever WP: P|W|U = 7 */
        { "user write, read-only", US, U | W, false, false, true, 0x7 },
        { "user write, writable", US | RW, U | W, true, false, true, 0xff },
        /* supervisor write to read-only: faults only with CR0.WP = 1: P|W = 3 */
        { "supervisor write, read-only, WP=1", US, W, true, false, true, 0x3 },
        { "supervisor write, read-only, WP=0", US, W, false, false, true, 0xff },
        /* supervisor read of a user page (SMAP is not modelled) */
        { "supervisor read, user page", US, 0, true, false, true, 0xff },
        /* fetch from an XD page with NXE: P|I/D = 0x11, user P|U|I/D = 0x15 */
        { "supervisor fetch, XD", RW | XD, F, true, false, true, 0x11 },
        { "user fetch, XD", US | XD, U | F, true, false, true, 0x15 },
        /* SMEP: supervisor fetch from a user-mode address: P|I/D = 0x11 */
        { "supervisor fetch, user page, SMEP", US, F, true, true, true, 0x11 },
        { "supervisor fetch, user page, no SMEP", US, F, true, false, true, 0xff },
        /* NXE and SMEP off: a fetch fault has no I/D (4.7): P|U = 5 */
        { "user fetch, supervisor page, NXE=0", RW, U | F, true, false, false, 0x5 },
        { "user fetch, user page, NXE=0", US, U | F, true, false, false, 0xff },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const rights_case *c = &cases[i];
        fx *f = fx_x86(false);
        f->mmu.x86.wp = c->wp;
        f->mmu.x86.smep = c->smep;
        f->mmu.x86.nxe = c->nxe;
        map_x86(f, 0x401000, 0x9000, HWTLB_4K, c->flags);
        hwpt_result r;
        bool ok = hwpt_walk(&f->mmu, 0x401000, c->acc, &r);
        if (c->code == 0xff ? !ok : (ok || r.fault.kind != HWPT_FAULT_PERMISSION || r.fault.code != c->code))
            fail_msg("%s: %s, code %#x; expected %s %#x", c->what, ok ? "allowed" : "fault", r.fault.code,
                     c->code == 0xff ? "allowed" : "fault", c->code == 0xff ? 0 : c->code);
        if (!ok) {
            /* The leaf's A flag stays clear on a protection fault (6.15
             * leaves it model specific; we choose not to set it), the
             * upper ones are set. */
            assert_false(peek64(&f->m, E_PT) & HWPT_X86_A);
            assert_true(peek64(&f->m, E_PD) & HWPT_X86_A);
        }
        fx_free(f);
    }
}

/* R/W and U/S are ANDed over the levels, XD is ORed (4.6.1: "in every
 * paging-structure entry controlling the translation"). */
static void test_x86_rights_combine(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    map_x86(f, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_RW | HWPT_X86_US);
    hwpt_result r;
    assert_ok(&r, hwpt_walk(&f->mmu, 0x401000, HWPT_ACC_USER | HWPT_ACC_WRITE, &r), 0x9000);
    poke64(&f->m, E_PD, peek64(&f->m, E_PD) & ~HWPT_X86_RW);       /* PDE read-only */
    assert_false(hwpt_walk(&f->mmu, 0x401000, HWPT_ACC_USER | HWPT_ACC_WRITE, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x7, 0x401000);
    poke64(&f->m, E_PD, peek64(&f->m, E_PD) | HWPT_X86_RW);
    poke64(&f->m, E_PDPT, peek64(&f->m, E_PDPT) & ~HWPT_X86_US);    /* PDPTE supervisor */
    assert_false(hwpt_walk(&f->mmu, 0x401000, HWPT_ACC_USER, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x5, 0x401000);
    poke64(&f->m, E_PDPT, peek64(&f->m, E_PDPT) | HWPT_X86_US);
    poke64(&f->m, E_PML4, peek64(&f->m, E_PML4) | HWPT_X86_XD);     /* XD at the top */
    assert_false(hwpt_walk(&f->mmu, 0x401000, HWPT_ACC_USER | HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x15, 0x401000);
    fx_free(f);
}

/* A fault found in the TLB: no reads, level 0, and the entry is gone
 * afterwards (4.10.4.1), so the next access walks. */
static void test_x86_fault_from_tlb(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    map_x86(f, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_US);           /* user, read-only */
    hwpt_result r;
    assert_ok(&r, hwpt_translate(&f->mmu, 0x401000, HWPT_ACC_USER, &r), 0x9000);
    assert_int_equal(hwtlb_count(f->tlb), 1);
    assert_false(hwpt_translate(&f->mmu, 0x401004, HWPT_ACC_USER | HWPT_ACC_WRITE, &r));
    assert_true(r.tlb_hit);
    assert_int_equal(r.reads, 0);
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x7, 0x401004);
    assert_int_equal(r.fault.level, 0);
    assert_int_equal(hwtlb_count(f->tlb), 0);
    /* The OS makes the page writable (no INVLPG needed after the fault). */
    poke64(&f->m, E_PT, peek64(&f->m, E_PT) | HWPT_X86_RW);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x401004, HWPT_ACC_USER | HWPT_ACC_WRITE, &r), 0x9004);
    assert_false(r.tlb_hit);
    assert_int_equal(r.reads, 4);
    assert_verified(f);
    fx_free(f);
}

static void test_x86_noncanonical(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    hwpt_result r;
    /* Bit 47 set, bits 63:48 clear: not canonical; #GP, no walk. */
    assert_false(hwpt_translate(&f->mmu, 0x0000800000000000, 0, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_NONCANONICAL);
    assert_int_equal(r.reads, 0);
    /* The kernel half is canonical: it walks (and faults, not present),
     * reading PML4 index (0xffff800000000000 >> 39) & 511 = 256, at
     * 0x1000 + 256 * 8 = 0x1800. */
    img_reset_counts(&f->m);
    assert_false(hwpt_translate(&f->mmu, 0xffff800000000000, 0, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0, 0xffff800000000000);
    assert_int_equal(r.reads, 1);
    assert_int_equal(f->m.log[0], 0x1800);
    fx_free(f);
}

/* The brief's scenario through the MMU: three user pages and a global
 * kernel page; CR3 to another address space and back. */
static unsigned visit(fx *f, unsigned *reads)
{
    static const uint64_t va[3] = { 0x401000, 0x402000, 0x403000 };
    unsigned misses = 0;
    *reads = 0;
    for (unsigned i = 0; i < 3; i++) {
        hwpt_result r;
        assert_ok(&r, hwpt_translate(&f->mmu, va[i], 0, &r), 0x9000 + 0x1000 * i);
        misses += !r.tlb_hit;
        *reads += r.reads;
    }
    return misses;
}

static void map_scenario(fx *f)
{
    for (unsigned i = 0; i < 3; i++)
        map_x86(f, 0x401000 + 0x1000 * i, 0x9000 + 0x1000 * i, HWTLB_4K, HWPT_X86_RW | HWPT_X86_US);
    map_x86(f, 0xffff800000000000, 0x100000, HWTLB_4K, HWPT_X86_RW | HWPT_X86_G);
}

static bool kernel_hits(fx *f)
{
    hwpt_result r;
    assert_ok(&r, hwpt_translate(&f->mmu, 0xffff800000000000, 0, &r), 0x100000);
    return r.tlb_hit;
}

static void test_x86_cr3_switch(void **state)
{
    (void)state;
    unsigned reads;
    /* Without PCIDs: every MOV to CR3 flushes the non-global entries. */
    fx *f = fx_x86(false);
    map_scenario(f);
    assert_int_equal(visit(f, &reads), 3);
    assert_false(kernel_hits(f));
    assert_true(hwpt_x86_write_cr3(&f->mmu, 0x20000));     /* another space (its tables do not matter) */
    assert_true(kernel_hits(f));                            /* global: survives */
    assert_true(hwpt_x86_write_cr3(&f->mmu, X86_ROOT));
    assert_int_equal(visit(f, &reads), 3);                  /* misses 3 times... */
    assert_int_equal(reads, 12);                            /* ...4 reads each */
    assert_true(kernel_hits(f));
    /* With PGE off the G bit is ignored: nothing survives. */
    assert_true(hwpt_x86_write_cr4(&f->mmu, false, false, false));
    assert_false(kernel_hits(f));
    assert_true(hwpt_x86_write_cr3(&f->mmu, X86_ROOT));
    assert_false(kernel_hits(f));
    assert_verified(f);
    fx_free(f);

    /* With PCIDs: CR3 = root | PCID; bit 63 set keeps the entries. */
    f = fx_x86(true);
    map_scenario(f);
    assert_true(hwpt_x86_write_cr3(&f->mmu, X86_ROOT | 1));
    assert_int_equal(visit(f, &reads), 3);
    assert_false(kernel_hits(f));
    assert_true(hwpt_x86_write_cr3(&f->mmu, 0x20000 | 2));
    assert_int_equal(hwpt_asid(&f->mmu), 2);
    assert_true(kernel_hits(f));
    assert_true(hwpt_x86_write_cr3(&f->mmu, (UINT64_C(1) << 63) | X86_ROOT | 1));
    assert_int_equal(f->mmu.x86.cr3, X86_ROOT | 1);        /* bit 63 is not stored */
    assert_int_equal(visit(f, &reads), 0);                  /* the second visit hits */
    assert_int_equal(reads, 0);
    assert_true(kernel_hits(f));
    /* Bit 63 clear: PCID 1's own entries are invalidated. */
    assert_true(hwpt_x86_write_cr3(&f->mmu, X86_ROOT | 1));
    assert_int_equal(visit(f, &reads), 3);
    assert_true(kernel_hits(f));
    assert_verified(f);
    fx_free(f);
}

static void test_x86_control_registers(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    /* MAXPHYADDR 46: CR3 bit 50 is reserved -> #GP, nothing changes.
     * Bit 63 is reserved without PCIDE. */
    assert_false(hwpt_x86_write_cr3(&f->mmu, X86_ROOT | (UINT64_C(1) << 50)));
    assert_false(hwpt_x86_write_cr3(&f->mmu, X86_ROOT | (UINT64_C(1) << 63)));
    assert_int_equal(f->mmu.x86.cr3, X86_ROOT);
    /* Setting PCIDE with CR3[11:0] != 0 (here PWT, bit 3) -> #GP. */
    assert_true(hwpt_x86_write_cr3(&f->mmu, X86_ROOT | 8));
    assert_false(hwpt_x86_write_cr4(&f->mmu, true, true, false));
    assert_false(f->mmu.x86.pcide);
    assert_true(hwpt_x86_write_cr3(&f->mmu, X86_ROOT));
    assert_true(hwpt_x86_write_cr4(&f->mmu, true, true, false));
    assert_true(f->tlb->cfg.asid_enabled);
    assert_verified(f);

    /* PCIDE 1 -> 0 invalidates everything, globals too. */
    map_scenario(f);
    unsigned reads;
    visit(f, &reads);
    kernel_hits(f);
    assert_int_equal(hwtlb_count(f->tlb), 4);
    assert_true(hwpt_x86_write_cr4(&f->mmu, false, true, false));
    assert_int_equal(hwtlb_count(f->tlb), 0);
    /* SMEP 0 -> 1 invalidates the current PCID's entries, globals too. */
    visit(f, &reads);
    kernel_hits(f);
    assert_true(hwpt_x86_write_cr4(&f->mmu, false, true, true));
    assert_int_equal(hwtlb_count(f->tlb), 0);
    /* Unchanged CR4: nothing. */
    visit(f, &reads);
    assert_true(hwpt_x86_write_cr4(&f->mmu, false, true, true));
    assert_int_equal(hwtlb_count(f->tlb), 3);
    assert_verified(f);
    fx_free(f);
}

static void test_x86_config_errors(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    hwpt_mmu m;
    GError *err = NULL;
    hwpt_x86_regs r = { .cr3 = X86_ROOT, .maxphyaddr = 30 };
    assert_false(hwpt_mmu_init_x86(&m, &r, &f->mem, NULL, &err));
    assert_true(g_error_matches(err, HWPT_ERROR, HWPT_ERROR_CONFIG));
    assert_non_null(strstr(err->message, "maxphyaddr = 30"));
    g_clear_error(&err);
    r.maxphyaddr = 46;
    r.cr3 = X86_ROOT | (UINT64_C(1) << 60);
    assert_false(hwpt_mmu_init_x86(&m, &r, &f->mem, NULL, &err));
    assert_non_null(strstr(err->message, "cr3 = 0x1000000000001000"));
    g_clear_error(&err);
    r.cr3 = X86_ROOT;
    r.pcide = true;                     /* the fixture's TLB does not use ids */
    assert_false(hwpt_mmu_init_x86(&m, &r, &f->mem, f->tlb, &err));
    assert_non_null(strstr(err->message, "pcide"));
    g_clear_error(&err);
    fx_free(f);
}

static void test_x86_builder(void **state)
{
    (void)state;
    fx *f = fx_x86(false);
    GError *err = NULL;
#define EXPECT_MAP_ERROR(call, needle) do { \
        assert_false(call); \
        assert_true(g_error_matches(err, HWPT_ERROR, HWPT_ERROR_MAP)); \
        if (strstr(err->message, needle) == NULL) \
            fail_msg("error \"%s\" does not say \"%s\"", err->message, needle); \
        g_clear_error(&err); \
    } while (0)
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x401800, 0x9000, HWTLB_4K, 0, &err), "not aligned");
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x400000, 0x1000, HWTLB_2M, 0, &err), "paddr = 0x1000");
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x400000, 0x0, HWTLB_1M, 0, &err), "1 MiB");
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_P, &err), "bits 0x1");
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x0000800000000000, 0, HWTLB_4K, 0, &err), "canonical");

    map_x86(f, 0x600000, 0x200000, HWTLB_2M, HWPT_X86_RW);
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x601000, 0x9000, HWTLB_4K, 0, &err),
                     "inside a 2 MiB page");
    map_x86(f, 0x401000, 0x9000, HWTLB_4K, HWPT_X86_RW);
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x401000, 0xa000, HWTLB_4K, 0, &err), "already mapped");
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x400000, 0x400000, HWTLB_2M, 0, &err), "a page table is there");
    EXPECT_MAP_ERROR(hwpt_x86_unmap(&f->mem, X86_ROOT, 0x400000, HWTLB_2M, NULL, &err), "not mapped by a 2 MiB page");

    /* Out of table memory: a new PML4 slot needs three tables. */
    f->m.limit = f->m.brk + 4096;
    EXPECT_MAP_ERROR(hwpt_x86_map(&f->mem, X86_ROOT, 0x8000000000, 0x9000, HWTLB_4K, 0, &err), "no memory");
    f->m.limit = IMG_SIZE;

    /* Unmap: the walk then faults at the PTE. */
    hwpt_result r;
    uint64_t old = 0;
    assert_true(hwpt_x86_unmap(&f->mem, X86_ROOT, 0x401000, HWTLB_4K, &old, &err));
    assert_int_equal(old, 0x9000);      /* the frame map_x86 put there above */
    assert_false(hwpt_walk(&f->mmu, 0x401000, 0, &r));
    assert_int_equal(r.fault.level, 1);
    assert_true(hwpt_x86_unmap(&f->mem, X86_ROOT, 0x600000, HWTLB_2M, &old, &err));
    assert_int_equal(old, 0x200000);
    assert_false(hwpt_walk(&f->mmu, 0x600000, 0, &r));
    assert_int_equal(r.fault.level, 2);
#undef EXPECT_MAP_ERROR
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x86_walk_reads),
        cmocka_unit_test(test_x86_tlb_hit),
        cmocka_unit_test(test_x86_accessed_dirty),
        cmocka_unit_test(test_x86_not_present),
        cmocka_unit_test(test_x86_reserved_bits),
        cmocka_unit_test(test_x86_access_rights),
        cmocka_unit_test(test_x86_rights_combine),
        cmocka_unit_test(test_x86_fault_from_tlb),
        cmocka_unit_test(test_x86_noncanonical),
        cmocka_unit_test(test_x86_cr3_switch),
        cmocka_unit_test(test_x86_control_registers),
        cmocka_unit_test(test_x86_config_errors),
        cmocka_unit_test(test_x86_builder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
