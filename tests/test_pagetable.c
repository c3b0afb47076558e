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
        cmocka_unit_test(test_verify_reaches_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
