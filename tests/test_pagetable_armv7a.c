/* tests/test_pagetable_armv7a.c: unit tests of ARMv7-A short-descriptor
 * translation (model/pagetable_armv7a.c): the walker, domains, AP, XN and
 * PXN, ASIDs, TTBCR.N, the builders.
 *
 * A user sees the walker as the number of descriptor reads a TLB miss costs
 * (each one goes through the memory system and its caches) and as the
 * faults the kernel receives, with their DFSR/IFSR status.  The expected
 * figures come from ARM DDI 0406C B3.5 and from hand calculations of table
 * addresses (pagetable_fixture.h hands tables out in order from a known
 * address).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "pagetable_fixture.h"

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
