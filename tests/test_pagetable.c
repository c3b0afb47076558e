/* tests/test_pagetable.c: unit tests of the generic MMU calls
 * (model/pagetable.c), run on both formats through their ops tables:
 * hwpt_translate puts the TLB in front of the walk, hwpt_walk does not,
 * every fault is counted, and hwpt_verify reaches the format's own check.
 * Each format's rules are tested in test_pagetable_x86_64.c and
 * test_pagetable_armv7a.c; the memory image and fixtures are in
 * pagetable_fixture.h.
 *
 * A user sees these figures as the MMU counters beside each run and as
 * the cost of a TLB miss: a walker that counted a hit as a walk, or a
 * direct walk as a translation, would put wrong numbers in every trace.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "pagetable_fixture.h"

#include <string.h>

/* One mapped and one unmapped page, the same calls on either format:
 *   translate(va)  miss: one walk of `reads` descriptors, counted as a
 *                  translation;
 *   translate(va)  hit: no read, a translation, no walk;
 *   walk(va)       no TLB: `reads` reads, a walk, not a translation;
 *   translate(un)  a miss whose walk faults: a translation, a walk, a fault;
 *   walk(un)       a walk and a fault, not a translation.
 * Totals: 3 translations, 4 walks, 2 faults. */
static void generic_calls(fx *f, uint64_t va, uint64_t pa, uint64_t unmapped, unsigned reads, uint16_t asid)
{
    hwpt_result r;
    assert_int_equal(hwpt_asid(&f->mmu), asid);
    assert_int_equal(hwtlb_asid(f->tlb), asid);

    assert_ok(&r, hwpt_translate(&f->mmu, va, 0, &r), pa);
    assert_false(r.tlb_hit);
    assert_int_equal(r.reads, reads);
    assert_ok(&r, hwpt_translate(&f->mmu, va, 0, &r), pa);
    assert_true(r.tlb_hit);
    assert_int_equal(r.reads, 0);
    assert_ok(&r, hwpt_walk(&f->mmu, va, 0, &r), pa);
    assert_false(r.tlb_hit);
    assert_int_equal(r.reads, reads);
    assert_true(f->mmu.st.translations == 2 && f->mmu.st.walks == 2 && f->mmu.st.faults == 0);

    assert_false(hwpt_translate(&f->mmu, unmapped, 0, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_TRANSLATION);
    assert_false(hwpt_walk(&f->mmu, unmapped, 0, &r));
    assert_int_equal(r.fault.kind, HWPT_FAULT_TRANSLATION);
    assert_true(f->mmu.st.translations == 3);
    assert_true(f->mmu.st.walks == 4);
    assert_true(f->mmu.st.faults == 2);
    assert_verified(f);
}

static void test_generic_calls(void **state)
{
    (void)state;
    /* x86-64, PCIDE off: id 0; a 4 KiB page is PML4E, PDPTE, PDE, PTE. */
    fx *f = fx_x86(false);
    map_x86(f, 0x400000, 0x200000, HWTLB_4K, HWPT_X86_RW);
    generic_calls(f, 0x400123, 0x200123, 0x800000, 4, 0);
    fx_free(f);
    /* ARMv7-A, ASID 1: a small page is a first- and a second-level read. */
    f = fx_arm(true);
    map_arm(f, 0x00400000, 0x00200000, HWTLB_4K, HWPT_ARM_AP(3));
    generic_calls(f, 0x00400123, 0x00200123, 0x00800000, 2, 1);
    fx_free(f);
}

/* The memo of recent TLB hits (pagetable.h, hwpt_memo) is host speed only:
 * two MMUs over the same tables, one with it and one without
 * (no_memo), take the same 6,000 seeded steps (runs of translations of pages
 * mapped read-write, read-only, kernel-only and not at all, a 2 MiB page
 * on x86, with every kind of access; page invalidations; address-space
 * switches; register writes the hit path depends on: CR0.WP, DACR) and
 * must give the same result at every step and end with the same counters
 * and the same TLB, slot by slot with LRU stamps.  The reference is the
 * searching path itself, which the tests above check by hand.  The memo
 * must also have answered a good share of the translations (more than a
 * third), or this would test nothing. */
static void memo_run(fx *a, fx *b, bool x86, const uint64_t *pages, unsigned npages)
{
    b->mmu.no_memo = true;
    GRand *rng = g_rand_new_with_seed(2026);
    uint64_t page = pages[0];
    unsigned acc = 0;
    for (unsigned step = 0; step < 6000; step++) {
        unsigned op = (unsigned)g_rand_int_range(rng, 0, 100);
        /* runs of accesses to one page, as code makes them */
        if (g_rand_int_range(rng, 0, 4) == 0) {
            page = pages[g_rand_int_range(rng, 0, (gint32)npages)];
            acc = (unsigned)g_rand_int_range(rng, 0, 8) & (HWPT_ACC_WRITE | HWPT_ACC_USER
                                                           | (op < 5 ? HWPT_ACC_FETCH : 0));
        }
        uint64_t va = page + (uint64_t)g_rand_int_range(rng, 0, 4096);
        if (op < 94) {
            hwpt_result ra, rb;
            bool oka = hwpt_translate(&a->mmu, va, acc, &ra), okb = hwpt_translate(&b->mmu, va, acc, &rb);
            assert_int_equal(oka, okb);
            assert_int_equal(ra.fault.kind, rb.fault.kind);
            assert_int_equal(ra.fault.code, rb.fault.code);
            assert_int_equal(ra.tlb_hit, rb.tlb_hit);
            assert_int_equal(ra.have_entry, rb.have_entry);
            assert_int_equal(ra.reads, rb.reads);
            assert_int_equal(ra.writes, rb.writes);
            if (oka)
                assert_int_equal(ra.paddr, rb.paddr);
        } else if (op < 96) {
            hwtlb_invalidate_addr(a->tlb, va, hwpt_asid(&a->mmu), false);
            hwtlb_invalidate_addr(b->tlb, va, hwpt_asid(&b->mmu), false);
        } else if (op < 98) {
            if (x86) {
                bool wp = g_rand_boolean(rng);
                a->mmu.x86.wp = b->mmu.x86.wp = wp;
            } else {
                uint32_t dacr = g_rand_boolean(rng) ? 0x1 : 0x3;
                a->mmu.arm.dacr = b->mmu.arm.dacr = dacr;
            }
        } else {
            uint16_t id = (uint16_t)g_rand_int_range(rng, 1, 3);
            if (x86) {
                assert_true(hwpt_x86_write_cr3(&a->mmu, X86_ROOT | id));
                assert_true(hwpt_x86_write_cr3(&b->mmu, X86_ROOT | id));
            } else {
                hwpt_arm_switch(&a->mmu, ARM_TTB, (uint8_t)id);
                hwpt_arm_switch(&b->mmu, ARM_TTB, (uint8_t)id);
            }
        }
    }
    g_rand_free(rng);
    assert_memory_equal(&a->mmu.st, &b->mmu.st, sizeof a->mmu.st);
    assert_memory_equal(&a->tlb->st, &b->tlb->st, sizeof a->tlb->st);
    assert_int_equal(a->tlb->clock, b->tlb->clock);
    for (unsigned i = 0; i < a->tlb->cfg.entries; i++) {
        const hwtlb_slot *x = &a->tlb->slot[i], *y = &b->tlb->slot[i];
        assert_int_equal(x->valid, y->valid);
        if (x->valid) {
            assert_int_equal(x->stamp, y->stamp);
            assert_int_equal(x->e.va, y->e.va);
            assert_int_equal(x->e.asid, y->e.asid);
        }
    }
    assert_int_equal(b->mmu.memo_hits, 0);
    if (a->mmu.memo_hits * 3 < a->mmu.st.translations)
        fail_msg("the memo answered %" PRIu64 " of %" PRIu64 " translations", a->mmu.memo_hits, a->mmu.st.translations);
    assert_verified(a);
}

static void test_memo_same_as_search(void **state)
{
    (void)state;
    fx *a = fx_x86(true), *b = fx_x86(true);
    uint64_t xp[] = { 0x400000, 0x401000, 0x402000, 0x403000, 0x600000, 0x800000, 0x40000000 };
    for (unsigned i = 0; i < 2; i++) {
        fx *f = i ? b : a;
        map_x86(f, 0x400000, 0x200000, HWTLB_4K, HWPT_X86_RW | HWPT_X86_US);
        map_x86(f, 0x401000, 0x201000, HWTLB_4K, HWPT_X86_US);                 /* read-only */
        map_x86(f, 0x402000, 0x202000, HWTLB_4K, HWPT_X86_RW);                 /* kernel only */
        map_x86(f, 0x403000, 0x203000, HWTLB_4K, HWPT_X86_RW | HWPT_X86_US | HWPT_X86_XD);
        map_x86(f, 0x600000, 0x400000, HWTLB_2M, HWPT_X86_RW | HWPT_X86_US);
    }
    memo_run(a, b, true, xp, G_N_ELEMENTS(xp));
    fx_free(a);
    fx_free(b);
    a = fx_arm(true), b = fx_arm(true);
    uint64_t ap[] = { 0x00400000, 0x00401000, 0x00402000, 0x00403000, 0x00800000 };
    for (unsigned i = 0; i < 2; i++) {
        fx *f = i ? b : a;
        map_arm(f, 0x00400000, 0x00200000, HWTLB_4K, HWPT_ARM_AP(3));
        map_arm(f, 0x00401000, 0x00201000, HWTLB_4K, HWPT_ARM_AP(2));          /* user read-only */
        map_arm(f, 0x00402000, 0x00202000, HWTLB_4K, HWPT_ARM_AP(1));          /* kernel only */
        map_arm(f, 0x00403000, 0x00203000, HWTLB_4K, HWPT_ARM_AP(3) | HWPT_ARM_XN);
    }
    memo_run(a, b, false, ap, G_N_ELEMENTS(ap));
    fx_free(a);
    fx_free(b);
}

/* Warnings from hwpt_verify (the default log domain) are collected here
 * instead of printed. */
static GString *warnings;
static void collect(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain; (void)level; (void)data;
    g_string_append_printf(warnings, "%s\n", msg);
}

static void assert_verify_fails(const fx *f, const char *what)
{
    g_string_truncate(warnings, 0);
    guint h = g_log_set_handler(NULL, G_LOG_LEVEL_WARNING, collect, NULL);
    bool ok = hwpt_verify(&f->mmu);
    g_log_remove_handler(NULL, h);
    if (ok)
        fail_msg("hwpt_verify accepted a state with %s", what);
    if (!strstr(warnings->str, what))
        fail_msg("hwpt_verify said \"%s\", expected it to name %s", warnings->str, what);
}

/* hwpt_verify checks what is common (the TLB's id is the MMU's) and asks
 * the format for the rest (x86: the TLB uses ids exactly when CR4.PCIDE is
 * set).  Registers written behind the MMU's back break one or the other. */
static void test_verify_reaches_format(void **state)
{
    (void)state;
    warnings = g_string_new(NULL);
    fx *f = fx_x86(true);
    f->mmu.x86.pcide = false;               /* the TLB still tags by PCID */
    assert_verify_fails(f, "CR4.PCIDE");
    fx_free(f);

    f = fx_arm(true);
    hwtlb_switch(f->tlb, 2, false);         /* the TLB at ASID 2, CONTEXTIDR at 1 */
    assert_verify_fails(f, "TLB id 2, MMU id 1");
    fx_free(f);
    g_string_free(warnings, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generic_calls),
        cmocka_unit_test(test_memo_same_as_search),
        cmocka_unit_test(test_verify_reaches_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
