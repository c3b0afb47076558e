/* tests/test_pagetable.c: unit tests of the page-table walkers, builders
 * and the MMU's translate call (model/pagetable.h).
 *
 * A user sees the walker as the number of descriptor reads a TLB miss costs
 * (each one goes through the memory system and its caches), as the faults
 * the kernel receives, with their error codes, and as the accessed/dirty
 * bits an OS reads back.  The expected figures below come from the manuals
 * (Intel SDM vol. 3A chapter 4; ARM DDI 0406C B3.5) and from hand
 * calculations of table addresses: the memory image hands out tables in
 * order from a known address, so every descriptor's address is known.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <inttypes.h>

#include "model/pagetable.h"

/* ---- a memory image --------------------------------------------------- */

#define IMG_SIZE    (1u << 20)      /* tables only: mapped frames are never touched */
#define LOG_MAX     16

typedef struct img {
    uint8_t *ram;
    uint64_t brk, limit;            /* the allocator hands out [brk, limit) */
    unsigned reads, writes;
    uint64_t log[LOG_MAX];          /* addresses of the first reads since the last reset */
} img;

static uint64_t img_read(void *ctx, uint64_t pa, unsigned size)
{
    img *m = ctx;
    assert_true(size == 4 || size == 8);
    assert_true(pa + size <= IMG_SIZE);
    if (m->reads < LOG_MAX)
        m->log[m->reads] = pa;
    m->reads++;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)         /* little-endian, whatever the host */
        v |= (uint64_t)m->ram[pa + i] << (8 * i);
    return v;
}

static void img_write(void *ctx, uint64_t pa, uint64_t v, unsigned size)
{
    img *m = ctx;
    assert_true(size == 4 || size == 8);
    assert_true(pa + size <= IMG_SIZE);
    m->writes++;
    for (unsigned i = 0; i < size; i++)
        m->ram[pa + i] = (uint8_t)(v >> (8 * i));
}

static bool img_alloc(void *ctx, unsigned size, uint64_t *pa)
{
    img *m = ctx;
    uint64_t a = (m->brk + size - 1) & ~(uint64_t)(size - 1);
    if (a + size > m->limit)
        return false;
    *pa = a;
    m->brk = a + size;
    return true;
}

/* Raw access for tests that poke descriptors (not counted). */
static uint64_t peek64(const img *m, uint64_t pa)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)m->ram[pa + i] << (8 * i);
    return v;
}
static void poke64(img *m, uint64_t pa, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        m->ram[pa + i] = (uint8_t)(v >> (8 * i));
}
static uint32_t peek32(const img *m, uint64_t pa) { return (uint32_t)peek64(m, pa); }

static void img_reset_counts(img *m)
{
    m->reads = 0;
    m->writes = 0;
}

/* ---- fixtures --------------------------------------------------------- */

typedef struct fx {
    img m;
    hwpt_mem mem;
    hwtlb *tlb;
    hwpt_mmu mmu;
} fx;

#define assert_verified(f) \
    do { if (!hwpt_verify(&(f)->mmu)) fail_msg("hwpt_verify failed (see the warning above)"); } while (0)

static void fx_mem(fx *f, uint64_t brk)
{
    f->m.ram = g_malloc0(IMG_SIZE);
    f->m.brk = brk;
    f->m.limit = IMG_SIZE;
    f->mem = (hwpt_mem){ .read = img_read, .write = img_write, .alloc = img_alloc, .ctx = &f->m };
}

/* x86-64: PML4 at 0x1000, tables handed out from 0x2000 in 4 KiB steps.
 * MAXPHYADDR 46, NXE, WP and PGE on, PCIDE as asked. */
#define X86_ROOT 0x1000u

static fx *fx_x86(bool pcide)
{
    fx *f = g_new0(fx, 1);
    fx_mem(f, 0x2000);
    hwtlb_config tc = { .arch = HWTLB_X86_64, .entries = 64, .ways = 4, .asid_enabled = pcide };
    f->tlb = hwtlb_new(&tc, NULL);
    hwpt_x86_regs r = { .cr3 = X86_ROOT, .maxphyaddr = 46, .nxe = true, .wp = true, .pge = true, .pcide = pcide };
    GError *err = NULL;
    if (!hwpt_mmu_init_x86(&f->mmu, &r, &f->mem, f->tlb, &err))
        fail_msg("hwpt_mmu_init_x86: %s", err->message);
    assert_verified(f);
    return f;
}

/* ARMv7-A: TTBR0's first-level table at 0x4000 (16 KiB aligned), tables
 * handed out from 0x10000 (second-level tables, 1 KiB each).  Domain 0
 * client, PXN implemented, ASIDs in use, ASID 1. */
#define ARM_TTB 0x4000u

static fx *fx_arm(bool asids)
{
    fx *f = g_new0(fx, 1);
    fx_mem(f, 0x10000);
    hwtlb_config tc = { .arch = HWTLB_ARMV7A, .entries = 32, .ways = 2, .asid_enabled = asids };
    f->tlb = hwtlb_new(&tc, NULL);
    hwpt_arm_regs r = { .ttbr0 = ARM_TTB, .dacr = 0x1, .asid = asids ? 1 : 0, .has_pxn = true };
    GError *err = NULL;
    if (!hwpt_mmu_init_armv7a(&f->mmu, &r, &f->mem, f->tlb, &err))
        fail_msg("hwpt_mmu_init_armv7a: %s", err->message);
    assert_verified(f);
    return f;
}

static void fx_free(fx *f)
{
    hwtlb_free(f->tlb);
    g_free(f->m.ram);
    g_free(f);
}

static void map_x86(fx *f, uint64_t va, uint64_t pa, hwtlb_size s, uint64_t flags)
{
    GError *err = NULL;
    if (!hwpt_x86_map(&f->mem, X86_ROOT, va, pa, s, flags, &err))
        fail_msg("hwpt_x86_map(%#" PRIx64 "): %s", va, err->message);
}

static void map_arm(fx *f, uint32_t va, uint64_t pa, hwtlb_size s, uint32_t flags)
{
    GError *err = NULL;
    if (!hwpt_arm_map(&f->mem, ARM_TTB, va, pa, s, flags, &err))
        fail_msg("hwpt_arm_map(%#" PRIx32 "): %s", va, err->message);
}

/* A fault with what differed spelled out. */
static void assert_fault(const hwpt_result *r, hwpt_fault_kind kind, uint32_t code, uint64_t addr)
{
    if (r->fault.kind != kind || r->fault.code != code || r->fault.addr != addr)
        fail_msg("fault kind %d code %#x addr %#" PRIx64 "; expected kind %d code %#x addr %#" PRIx64,
                 r->fault.kind, r->fault.code, r->fault.addr, kind, code, addr);
}

static void assert_ok(const hwpt_result *r, bool ok, uint64_t paddr)
{
    if (!ok)
        fail_msg("translation faulted: kind %d code %#x level %u", r->fault.kind, r->fault.code, r->fault.level);
    assert_int_equal(r->fault.kind, HWPT_OK);
    assert_int_equal(r->paddr, paddr);
}

/* ======================================================================
 * x86-64
 * ====================================================================== */

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

/* ======================================================================
 * ARMv7-A
 * ====================================================================== */

/* A section is one first-level read, a page two (B3.5.1).  Addresses: the
 * first-level entry of VA is at TTB + (VA >> 20) * 4; the first second-level
 * table is handed out at 0x10000, the second at 0x10400. */
static void test_arm_walk_reads(void **state)
{
    (void)state;
    fx *f = fx_arm(true);
    const uint32_t rw = HWPT_ARM_AP(3);
    map_arm(f, 0x10000000, 0x80000000, HWTLB_1M, rw);
    map_arm(f, 0x20001000, 0x90002000, HWTLB_4K, rw);
    map_arm(f, 0x30010000, 0x90010000, HWTLB_64K, rw);
    map_arm(f, 0x41000000, 0x230000000, HWTLB_16M, rw);
    hwpt_result r;

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x100abcde, 0, &r), 0x800abcde);
    assert_int_equal(r.reads, 1);
    assert_int_equal(f->m.log[0], 0x4000 + 0x100 * 4);      /* 0x4400 */
    assert_int_equal(r.entry.size, HWTLB_1M);

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x20001ffc, 0, &r), 0x90002ffc);
    assert_int_equal(r.reads, 2);
    assert_int_equal(f->m.log[0], 0x4000 + 0x200 * 4);      /* 0x4800 */
    assert_int_equal(f->m.log[1], 0x10000 + 1 * 4);         /* L2 index (VA >> 12) & 0xff = 1 */

    /* A large page: 16 copies of its descriptor; any of them is read.
     * L2 index 0x10 in the second table: 0x10400 + 0x40. */
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x3001fff0, 0, &r), 0x9001fff0);
    assert_int_equal(r.reads, 2);
    assert_int_equal(f->m.log[1], 0x10400 + 0x1f * 4);      /* VA 0x3001f000: index 0x1f */
    for (unsigned i = 0x10; i < 0x20; i++)
        assert_int_equal(peek32(&f->m, 0x10400 + 4 * i), peek32(&f->m, 0x10440));

    /* A supersection: PA[39:32] from the extended base address fields. */
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x41abcdef, 0, &r), 0x230abcdef);
    assert_int_equal(r.reads, 1);
    assert_int_equal(r.entry.size, HWTLB_16M);
    /* 16 first-level copies, for 0x41000000 .. 0x41f00000 (indices 0x410..0x41f). */
    for (unsigned i = 0x410; i < 0x420; i++)
        assert_int_equal(peek32(&f->m, 0x4000 + 4 * i), peek32(&f->m, 0x4000 + 4 * 0x410));
    fx_free(f);
}

static void test_arm_translation_faults(void **state)
{
    (void)state;
    fx *f = fx_arm(true);
    hwpt_result r;
    /* First level: FS 0b00101 = 5, level 1, one read; DFSR = 0x005, with
     * WnR (bit 11) for a write; the domain is not known yet (0). */
    assert_false(hwpt_translate(&f->mmu, 0x50000000, 0, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0x005, 0x50000000);
    assert_int_equal(r.fault.level, 1);
    assert_int_equal(r.reads, 1);
    assert_false(hwpt_translate(&f->mmu, 0x50000004, HWPT_ACC_WRITE, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0x805, 0x50000004);
    assert_int_equal(hwpt_arm_fsr_status(r.fault.code), HWPT_ARM_FS_TRANSLATION_L1);
    /* A prefetch abort: IFSR, no WnR, no domain. */
    assert_false(hwpt_translate(&f->mmu, 0x50000008, HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0x005, 0x50000008);

    /* Second level: the page table exists (domain 4), the entry does not:
     * FS 0b00111 = 7, level 2, two reads; DFSR = 7 | 4 << 4 = 0x47. */
    map_arm(f, 0x20001000, 0x90002000, HWTLB_4K, HWPT_ARM_AP(3) | HWPT_ARM_DOMAIN(4));
    assert_false(hwpt_translate(&f->mmu, 0x20002000, 0, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0x047, 0x20002000);
    assert_int_equal(r.fault.level, 2);
    assert_int_equal(r.reads, 2);
    assert_int_equal(hwtlb_count(f->tlb), 0);   /* translation faults are not cached */

    /* Without PXN, descriptor type 0b11 is reserved: a translation fault. */
    map_arm(f, 0x10000000, 0x80000000, HWTLB_1M, HWPT_ARM_AP(3) | HWPT_ARM_PXN);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x10000000, 0, &r), 0x80000000);
    f->mmu.arm.has_pxn = false;
    assert_false(hwpt_walk(&f->mmu, 0x10000000, 0, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0x005, 0x10000000);
    fx_free(f);
}

static void test_arm_domains(void **state)
{
    (void)state;
    fx *f = fx_arm(true);
    hwpt_result r;
    map_arm(f, 0x10000000, 0x80000000, HWTLB_1M, HWPT_ARM_AP(3) | HWPT_ARM_DOMAIN(3));
    map_arm(f, 0x20001000, 0x90002000, HWTLB_4K, HWPT_ARM_AP(3) | HWPT_ARM_DOMAIN(5));

    /* DACR = 0x1: domain 0 client, every other domain 00 = no access. */
    /* Section, domain 3: FS 0b01001 = 9, level 1, one read; DFSR = 9 | 3 << 4. */
    assert_false(hwpt_walk(&f->mmu, 0x10000000, 0, &r));
    assert_fault(&r, HWPT_FAULT_DOMAIN, 0x039, 0x10000000);
    assert_int_equal(r.fault.level, 1);
    assert_int_equal(r.fault.domain, 3);
    assert_int_equal(r.reads, 1);
    /* Page, domain 5: FS 0b01011 = 0xb, checked once the second-level
     * descriptor is back (the fault-checking sequence): two reads; a write
     * adds WnR: 0x800 | 5 << 4 | 0xb = 0x85b. */
    assert_false(hwpt_walk(&f->mmu, 0x20001000, HWPT_ACC_WRITE, &r));
    assert_fault(&r, HWPT_FAULT_DOMAIN, 0x85b, 0x20001000);
    assert_int_equal(r.fault.level, 2);
    assert_int_equal(r.reads, 2);

    /* 10 (reserved) is a domain fault as well. */
    f->mmu.arm.dacr = 0x1 | 2u << 6;
    assert_false(hwpt_walk(&f->mmu, 0x10000000, 0, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_DOMAIN);

    /* 11 manager: no permission check at all; AP = 000 (no access for
     * anyone) and XN do not matter. */
    map_arm(f, 0x30000000, 0x70000000, HWTLB_1M, HWPT_ARM_AP(0) | HWPT_ARM_XN | HWPT_ARM_DOMAIN(6));
    f->mmu.arm.dacr = 0x1 | 3u << 12;
    assert_ok(&r, hwpt_walk(&f->mmu, 0x30000010, HWPT_ACC_USER | HWPT_ACC_WRITE, &r), 0x70000010);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x30000010, HWPT_ACC_USER | HWPT_ACC_FETCH, &r), 0x70000010);
    /* The same as client: AP 000 -> permission fault FS 0xd. */
    f->mmu.arm.dacr = 0x1 | 1u << 12;
    assert_false(hwpt_walk(&f->mmu, 0x30000010, 0, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x06d, 0x30000010);
    fx_free(f);
}

/* A domain change needs no TLB maintenance: the TLB entry keeps its
 * domain and the DACR is checked on every hit, so after a domain fault the
 * translation is cached, and once the OS opens the domain the next access
 * hits without a walk (the fast protection switch ARM domains allow). */
static void test_arm_dacr_without_flush(void **state)
{
    (void)state;
    fx *f = fx_arm(true);
    hwpt_result r;
    map_arm(f, 0x20001000, 0x90002000, HWTLB_4K, HWPT_ARM_AP(3) | HWPT_ARM_DOMAIN(2));
    assert_false(hwpt_translate(&f->mmu, 0x20001000, 0, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_DOMAIN);
    assert_int_equal(r.reads, 2);
    assert_int_equal(hwtlb_count(f->tlb), 1);
    f->mmu.arm.dacr |= 1u << 4;                 /* domain 2 client */
    assert_ok(&r, hwpt_translate(&f->mmu, 0x20001000, 0, &r), 0x90002000);
    assert_true(r.tlb_hit);
    assert_int_equal(r.reads, 0);
    f->mmu.arm.dacr &= ~(3u << 4);              /* closed again: the hit faults */
    assert_false(hwpt_translate(&f->mmu, 0x20001000, 0, &r));
    assert_true(r.tlb_hit);
    assert_fault(&r, HWPT_FAULT_DOMAIN, 0x02b, 0x20001000);
    assert_verified(f);
    fx_free(f);
}

/* AP[2:0] with SCTLR.AFE = 0, DDI 0406C Table B3-8, transcribed here as
 * written in the manual (PL1 / PL0):
 *   000 no access / no access    100 reserved
 *   001 read/write / no access   101 read-only / no access
 *   010 read/write / read-only   110 read-only / read-only
 *   011 read/write / read/write  111 read-only / read-only
 * Reserved 100 is taken as no access (the manual leaves it UNPREDICTABLE). */
static void test_arm_ap_table(void **state)
{
    (void)state;
    static const char *const table[8][2] = {
        { "--", "--" }, { "rw", "--" }, { "rw", "r-" }, { "rw", "rw" },
        { "--", "--" }, { "r-", "--" }, { "r-", "r-" }, { "r-", "r-" },
    };
    fx *f = fx_arm(true);
    for (unsigned ap = 0; ap < 8; ap++)
        map_arm(f, 0x10000000 + (ap << 20), 0x80000000 + (ap << 20), HWTLB_1M, HWPT_ARM_AP(ap));
    for (unsigned ap = 0; ap < 8; ap++)
        for (unsigned pl0 = 0; pl0 < 2; pl0++)
            for (unsigned wr = 0; wr < 2; wr++) {
                uint32_t va = 0x10000000 + (ap << 20) + 0x40;
                unsigned acc = (pl0 ? HWPT_ACC_USER : 0) | (wr ? HWPT_ACC_WRITE : 0);
                bool want = table[ap][pl0][wr] != '-';
                hwpt_result r;
                bool ok = hwpt_walk(&f->mmu, va, acc, &r);
                if (ok != want)
                    fail_msg("AP %u%u%u %s %s: %s, table says %s", ap >> 2, (ap >> 1) & 1, ap & 1,
                             pl0 ? "PL0" : "PL1", wr ? "write" : "read", ok ? "allowed" : "fault",
                             want ? "allowed" : "fault");
                if (!ok)    /* permission fault, section: FS 0xd, domain 0, WnR for writes */
                    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x00d | (wr ? 0x800u : 0), va);
            }
    fx_free(f);
}

static void test_arm_xn_pxn(void **state)
{
    (void)state;
    fx *f = fx_arm(true);
    hwpt_result r;
    const uint32_t rw = HWPT_ARM_AP(3);
    /* XN section: data fine, any fetch a permission fault; IFSR = 0x00d. */
    map_arm(f, 0x10000000, 0x80000000, HWTLB_1M, rw | HWPT_ARM_XN);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x10000000, HWPT_ACC_USER, &r), 0x80000000);
    assert_false(hwpt_walk(&f->mmu, 0x10000000, HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x00d, 0x10000000);
    /* XN small page: FS 0xf (permission, page). */
    map_arm(f, 0x20001000, 0x90002000, HWTLB_4K, rw | HWPT_ARM_XN);
    assert_false(hwpt_walk(&f->mmu, 0x20001000, HWPT_ACC_USER | HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x00f, 0x20001000);
    /* XN large page (XN is bit 15 there). */
    map_arm(f, 0x30010000, 0x90010000, HWTLB_64K, rw | HWPT_ARM_XN);
    assert_false(hwpt_walk(&f->mmu, 0x30010000, HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x00f, 0x30010000);
    /* PXN section: PL1 may not fetch, PL0 may. */
    map_arm(f, 0x40000000, 0x40000000, HWTLB_1M, rw | HWPT_ARM_PXN);
    assert_false(hwpt_walk(&f->mmu, 0x40000000, HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x00d, 0x40000000);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x40000000, HWPT_ACC_USER | HWPT_ACC_FETCH, &r), 0x40000000);
    /* PXN for pages lives in the page-table descriptor. */
    map_arm(f, 0x50001000, 0x50001000, HWTLB_4K, rw | HWPT_ARM_PXN);
    assert_true(peek32(&f->m, 0x4000 + 0x500 * 4) & (1u << 2));
    assert_false(hwpt_walk(&f->mmu, 0x50001000, HWPT_ACC_FETCH, &r));
    assert_fault(&r, HWPT_FAULT_PERMISSION, 0x00f, 0x50001000);
    /* A fetch needs read permission too: AP 001 at PL0 -> fault. */
    map_arm(f, 0x60000000, 0x60000000, HWTLB_1M, HWPT_ARM_AP(1));
    assert_false(hwpt_walk(&f->mmu, 0x60000000, HWPT_ACC_USER | HWPT_ACC_FETCH, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_PERMISSION);
    fx_free(f);
}

/* nG entries are tagged with the ASID; global ones answer every ASID. */
static void test_arm_asid(void **state)
{
    (void)state;
    for (int asids = 1; asids >= 0; asids--) {
        fx *f = fx_arm(asids);
        hwpt_result r;
        map_arm(f, 0x00100000, 0x80100000, HWTLB_1M, HWPT_ARM_AP(3) | HWPT_ARM_NG);   /* user */
        map_arm(f, 0xc0000000, 0x80000000, HWTLB_1M, HWPT_ARM_AP(1));                 /* kernel */
        assert_ok(&r, hwpt_translate(&f->mmu, 0x00100000, 0, &r), 0x80100000);
        assert_false(r.entry.global);
        assert_int_equal(r.entry.asid, asids ? 1 : 0);
        assert_ok(&r, hwpt_translate(&f->mmu, 0xc0000000, 0, &r), 0x80000000);
        assert_true(r.entry.global);

        hwpt_arm_switch(&f->mmu, ARM_TTB, asids ? 2 : 0);      /* same tables, other ASID */
        assert_ok(&r, hwpt_translate(&f->mmu, 0xc0000000, 0, &r), 0x80000000);
        assert_true(r.tlb_hit);                                 /* global: survives */
        assert_ok(&r, hwpt_translate(&f->mmu, 0x00100000, 0, &r), 0x80100000);
        assert_false(r.tlb_hit);                                /* nG: another ASID's, or flushed */

        hwpt_arm_switch(&f->mmu, ARM_TTB, asids ? 1 : 0);
        assert_ok(&r, hwpt_translate(&f->mmu, 0x00100000, 0, &r), 0x80100000);
        /* With ASIDs, ASID 1's entry is still there; without, the switch
         * flushed it. */
        assert_int_equal(r.tlb_hit, asids);
        assert_verified(f);
        fx_free(f);
    }
}

/* TTBCR.N = 1: VAs from 0x80000000 use TTBR1 (B3.5.4). */
static void test_arm_ttbcr_n(void **state)
{
    (void)state;
    fx *f = fx_arm(true);
    const uint32_t ttb1 = 0xc000;
    f->mmu.arm.ttbcr_n = 1;
    f->mmu.arm.ttbr1 = ttb1;
    GError *err = NULL;
    assert_true(hwpt_arm_map(&f->mem, ttb1, 0x80100000, 0x100000, HWTLB_1M, HWPT_ARM_AP(1), &err));
    map_arm(f, 0x00100000, 0x200000, HWTLB_1M, HWPT_ARM_AP(3));
    hwpt_result r;
    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x80100004, 0, &r), 0x100004);
    assert_int_equal(f->m.log[0], 0xc000 + 0x801 * 4);      /* TTBR1 with VA[31:20] = 0x801 */
    assert_ok(&r, hwpt_walk(&f->mmu, 0x00100004, 0, &r), 0x200004);
    assert_int_equal(f->m.log[1], 0x4000 + 0x001 * 4);      /* TTBR0 with VA[30:20] = 1 */
    fx_free(f);
}

static void test_arm_builder(void **state)
{
    (void)state;
    fx *f = fx_arm(true);
    GError *err = NULL;
#define EXPECT_MAP_ERROR(call, needle) do { \
        assert_false(call); \
        assert_true(g_error_matches(err, HWPT_ERROR, HWPT_ERROR_MAP)); \
        if (strstr(err->message, needle) == NULL) \
            fail_msg("error \"%s\" does not say \"%s\"", err->message, needle); \
        g_clear_error(&err); \
    } while (0)
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x41000000, 0x41000000, HWTLB_16M, HWPT_ARM_DOMAIN(2), &err),
                     "domain 0");
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x10080000, 0, HWTLB_1M, 0, &err), "not aligned");
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x10000000, 0x100000000, HWTLB_1M, 0, &err), "below 2^32");
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x10000000, 0, HWTLB_2M, 0, &err), "2 MiB");
    map_arm(f, 0x20001000, 0x1000, HWTLB_4K, HWPT_ARM_DOMAIN(4));
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x20002000, 0x2000, HWTLB_4K, HWPT_ARM_DOMAIN(5), &err),
                     "domain 4");
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x20000000, 0x0, HWTLB_1M, 0, &err), "already in use");
    map_arm(f, 0x10000000, 0, HWTLB_1M, 0);
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x10001000, 0x1000, HWTLB_4K, 0, &err), "inside a section");
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x20001000, 0x1000, HWTLB_4K, HWPT_ARM_DOMAIN(4), &err),
                     "already mapped");
    /* A large page over a small one: one of its 16 slots is taken. */
    EXPECT_MAP_ERROR(hwpt_arm_map(&f->mem, ARM_TTB, 0x20000000, 0x10000, HWTLB_64K, HWPT_ARM_DOMAIN(4), &err),
                     "already mapped");

    /* Unmap clears all 16 copies of a supersection. */
    map_arm(f, 0x41000000, 0x41000000, HWTLB_16M, 0);
    uint64_t old = 0;
    assert_true(hwpt_arm_unmap(&f->mem, ARM_TTB, 0x41000000, HWTLB_16M, &old, &err));
    assert_int_equal(old, 0x41000000);
    for (unsigned i = 0x410; i < 0x420; i++)
        assert_int_equal(peek32(&f->m, 0x4000 + 4 * i), 0);
    EXPECT_MAP_ERROR(hwpt_arm_unmap(&f->mem, ARM_TTB, 0x20000000, HWTLB_64K, NULL, &err), "not mapped by a 64 KiB");
    EXPECT_MAP_ERROR(hwpt_arm_unmap(&f->mem, ARM_TTB, 0x20001000, HWTLB_1M, NULL, &err), "not aligned");
    assert_true(hwpt_arm_unmap(&f->mem, ARM_TTB, 0x20001000, HWTLB_4K, &old, &err));
    assert_int_equal(old, 0x1000);      /* map_arm above */
    hwpt_result r;
    assert_false(hwpt_walk(&f->mmu, 0x20001000, 0, &r));
    assert_fault(&r, HWPT_FAULT_TRANSLATION, 0x047, 0x20001000);
#undef EXPECT_MAP_ERROR
    fx_free(f);
}

static void test_arm_config_errors(void **state)
{
    (void)state;
    fx *f = fx_arm(false);
    hwpt_mmu m;
    GError *err = NULL;
    hwpt_arm_regs r = { .ttbr0 = ARM_TTB, .ttbcr_n = 8 };
    assert_false(hwpt_mmu_init_armv7a(&m, &r, &f->mem, NULL, &err));
    assert_non_null(strstr(err->message, "ttbcr.n = 8"));
    g_clear_error(&err);
    r.ttbcr_n = 0;
    r.asid = 9;                         /* the fixture's TLB does not use ASIDs */
    assert_false(hwpt_mmu_init_armv7a(&m, &r, &f->mem, f->tlb, &err));
    assert_non_null(strstr(err->message, "asid = 9"));
    g_clear_error(&err);
    hwtlb_config tc = { .arch = HWTLB_X86_64, .entries = 4, .ways = 4 };
    hwtlb *x86 = hwtlb_new(&tc, NULL);
    r.asid = 0;
    assert_false(hwpt_mmu_init_armv7a(&m, &r, &f->mem, x86, &err));
    assert_non_null(strstr(err->message, "tlb arch"));
    g_clear_error(&err);
    hwtlb_free(x86);
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
        cmocka_unit_test(test_arm_walk_reads),
        cmocka_unit_test(test_arm_translation_faults),
        cmocka_unit_test(test_arm_domains),
        cmocka_unit_test(test_arm_dacr_without_flush),
        cmocka_unit_test(test_arm_ap_table),
        cmocka_unit_test(test_arm_xn_pxn),
        cmocka_unit_test(test_arm_asid),
        cmocka_unit_test(test_arm_ttbcr_n),
        cmocka_unit_test(test_arm_builder),
        cmocka_unit_test(test_arm_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
