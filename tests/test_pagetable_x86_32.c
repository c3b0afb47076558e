/* tests/test_pagetable_x86_32.c: unit tests of x86 32-bit (non-PAE)
 * paging (model/pagetable_x86_32.c): the 2-level walk, its TLB, MOV to CR3
 * without PCIDs, the builders.
 *
 * Every expected address and bit is a hand calculation from the Intel SDM
 * vol. 3A 4.3 "32-bit paging": the PDE is at CR3[31:12] | va[31:22] << 2,
 * the PTE at PDE[31:12] | va[21:12] << 2, the page at PTE[31:12] |
 * va[11:0]; entries are 4 bytes; P = bit 0, R/W = 1, U/S = 2, A = 5,
 * D = 6 (Tables 4-6 and 4-8); the #PF error code has P = bit 0, W/R = 1,
 * U/S = 2 (4.7).  The fixture's directory sits at 0x1000 and the builder's
 * tables are handed out from 0x2000 in 4 KiB steps (pagetable_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "pagetable_fixture.h"

#define PD 0x1000u

static fx *fx_x86_32(void)
{
    fx *f = g_new0(fx, 1);
    fx_mem(f, 0x2000);
    hwtlb_config tc = { .arch = HWTLB_X86_64, .entries = 64, .ways = 64, .asid_enabled = false };
    f->tlb = hwtlb_new(&tc, NULL);
    hwpt_x86_regs r = { .cr3 = PD, .maxphyaddr = 32, .wp = true, .pge = true };
    GError *err = NULL;
    if (!hwpt_mmu_init_x86_32(&f->mmu, &r, &f->mem, f->tlb, &err))
        fail_msg("hwpt_mmu_init_x86_32: %s", err->message);
    assert_verified(f);
    return f;
}

static void map32(fx *f, uint32_t va, uint64_t pa, uint64_t flags)
{
    GError *err = NULL;
    if (!hwpt_x86_32_map(&f->mem, PD, va, pa, HWTLB_4K, flags, &err))
        fail_msg("hwpt_x86_32_map(%#x): %s", va, err->message);
}

/* The builder writes the entries where 4.3 puts them. */
static void test_builder_entries(void **state)
{
    (void)state;
    fx *f = fx_x86_32();
    /* va 0x00401000: directory index 0x401000 >> 22 = 1 -> PDE at 0x1000 +
     * 4 = 0x1004; the new table is the first handed out, 0x2000, so the
     * PDE is 0x2000 | P|RW|US = 0x2007; table index (0x401000 >> 12) & 1023
     * = 1 -> PTE at 0x2004 = 0x5000 | P|RW|US = 0x5007. */
    map32(f, 0x00401000, 0x5000, HWPT_X86_RW | HWPT_X86_US);
    assert_int_equal(peek32(&f->m, 0x1004), 0x2007);
    assert_int_equal(peek32(&f->m, 0x2004), 0x5007);
    /* va 0xbffff000: directory index 0x2ff (767) -> PDE at 0x1000 + 0xbfc =
     * 0x1bfc, table 0x3000; table index 0x3ff (1023) -> PTE at 0x3ffc =
     * 0x7000 | P|US (read-only) = 0x7005. */
    map32(f, 0xbffff000, 0x7000, HWPT_X86_US);
    assert_int_equal(peek32(&f->m, 0x1bfc), 0x3007);
    assert_int_equal(peek32(&f->m, 0x3ffc), 0x7005);
    GError *err = NULL;
    assert_false(hwpt_x86_32_map(&f->mem, PD, 0x00401000, 0x6000, HWTLB_4K, HWPT_X86_US, &err));
    g_clear_error(&err);
    assert_false(hwpt_x86_32_map(&f->mem, PD, 0x00400000, 0x6000, HWTLB_2M, HWPT_X86_US, &err));
    g_clear_error(&err);
    assert_false(hwpt_x86_32_map(&f->mem, PD, 0x00402000, 0x6000, HWTLB_4K, HWPT_X86_XD, &err));   /* no XD */
    g_clear_error(&err);
    fx_free(f);
}

/* A walk reads exactly two entries (PDE, PTE), at the hand-computed
 * addresses, and sets A (and D on a write) as 4.8 says. */
static void test_walk_two_reads(void **state)
{
    (void)state;
    fx *f = fx_x86_32();
    map32(f, 0x00401000, 0x5000, HWPT_X86_RW | HWPT_X86_US);
    map32(f, 0xbffff000, 0x7000, HWPT_X86_US);
    hwpt_result r;

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x00401234, HWPT_ACC_USER, &r), 0x5234);
    assert_int_equal(r.reads, 2);
    assert_int_equal(f->m.reads, 2);
    assert_int_equal(f->m.log[0], 0x1004);
    assert_int_equal(f->m.log[1], 0x2004);
    assert_int_equal(peek32(&f->m, 0x1004), 0x2027);      /* A (0x20) set in the PDE */
    assert_int_equal(peek32(&f->m, 0x2004), 0x5027);      /* and in the PTE, no D on a read */

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0x00401ffc, HWPT_ACC_USER | HWPT_ACC_WRITE, &r), 0x5ffc);
    assert_int_equal(r.reads, 2);
    assert_int_equal(peek32(&f->m, 0x2004), 0x5067);      /* D (0x40) on a write */

    img_reset_counts(&f->m);
    assert_ok(&r, hwpt_walk(&f->mmu, 0xbffffabc, HWPT_ACC_USER, &r), 0x7abc);
    assert_int_equal(r.reads, 2);
    assert_int_equal(f->m.log[0], 0x1bfc);
    assert_int_equal(f->m.log[1], 0x3ffc);
    assert_int_equal(f->mmu.st.pte_reads, 6);              /* 3 walks x 2 */
    fx_free(f);
}

/* Faults: a missing PDE stops the walk after one read (level 2); a
 * missing PTE after two (level 1); a user write to a read-only page is a
 * protection fault with P|W|U = 0x7. */
static void test_faults(void **state)
{
    (void)state;
    fx *f = fx_x86_32();
    map32(f, 0x00401000, 0x5000, HWPT_X86_RW | HWPT_X86_US);
    map32(f, 0xbffff000, 0x7000, HWPT_X86_US);
    hwpt_result r;
    img_reset_counts(&f->m);
    assert_false(hwpt_walk(&f->mmu, 0x00800000, HWPT_ACC_USER | HWPT_ACC_WRITE, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_TRANSLATION);
    assert_int_equal(r.fault.level, 2);
    assert_int_equal(r.fault.code, 0x6);                   /* P = 0, W/R = 1, U/S = 1 */
    assert_int_equal(r.reads, 1);
    memset(&r, 0, sizeof r);
    assert_false(hwpt_walk(&f->mmu, 0x00402000, HWPT_ACC_USER, &r));
    assert_int_equal(r.fault.level, 1);
    assert_int_equal(r.fault.code, 0x4);
    assert_int_equal(r.reads, 2);
    memset(&r, 0, sizeof r);
    assert_false(hwpt_walk(&f->mmu, 0xbffff000, HWPT_ACC_USER | HWPT_ACC_WRITE, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_PERMISSION);
    assert_int_equal(r.fault.code, 0x7);
    fx_free(f);
}

/* No PCIDs: a hit needs no walk, and every MOV to CR3 -- even of the same
 * directory -- drops the entry, so the next access walks again (4.10.4.1). */
static void test_cr3_flushes(void **state)
{
    (void)state;
    fx *f = fx_x86_32();
    map32(f, 0x00401000, 0x5000, HWPT_X86_RW | HWPT_X86_US);
    hwpt_result r;
    memset(&r, 0, sizeof r);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x00401010, HWPT_ACC_USER, &r), 0x5010);
    assert_false(r.tlb_hit);
    assert_int_equal(r.reads, 2);
    memset(&r, 0, sizeof r);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x00401020, HWPT_ACC_USER, &r), 0x5020);
    assert_true(r.tlb_hit);
    assert_int_equal(r.reads, 0);
    assert_true(hwpt_x86_32_write_cr3(&f->mmu, PD));
    assert_int_equal(hwpt_asid(&f->mmu), 0);
    memset(&r, 0, sizeof r);
    assert_ok(&r, hwpt_translate(&f->mmu, 0x00401030, HWPT_ACC_USER, &r), 0x5030);
    assert_false(r.tlb_hit);
    assert_int_equal(r.reads, 2);
    assert_false(hwpt_x86_32_write_cr3(&f->mmu, PD | 0x800));   /* bit 11: not a directory base */
    assert_verified(f);
    /* unmap gives the frame back and clears the PTE at 0x2004 */
    uint64_t pa = 0;
    GError *err = NULL;
    assert_true(hwpt_x86_32_unmap(&f->mem, PD, 0x00401000, HWTLB_4K, &pa, &err));
    assert_int_equal(pa, 0x5000);
    assert_int_equal(peek32(&f->m, 0x2004), 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_entries),
        cmocka_unit_test(test_walk_two_reads),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_cr3_flushes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
