/* tests/test_tlb.c: unit tests of the TLB (model/tlb.h).
 *
 * What a user of the simulator sees of a TLB is how many translations miss
 * (each miss is a page walk that costs cycles) and which entries survive an
 * address-space switch or an invalidation.  These tests pin: hits and
 * misses after a switch with and without PCIDs/ASIDs, the exact Intel SDM
 * rules for MOV to CR3 (vol. 3A 4.10.4.1), global entries, invalidation by
 * address, by id and of everything, large pages, exact LRU in a 2-way set,
 * the configuration errors, and the assertions that catch misuse.
 * hwtlb_verify() runs after every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include "model/tlb.h"

#define assert_verified(t) \
    do { if (!hwtlb_verify(t)) fail_msg("hwtlb_verify failed (see the warning above)"); } while (0)

static hwtlb *mk(hwtlb_arch arch, unsigned entries, unsigned ways, bool asid)
{
    hwtlb_config cfg = { .arch = arch, .entries = entries, .ways = ways, .asid_enabled = asid };
    GError *err = NULL;
    hwtlb *t = hwtlb_new(&cfg, &err);
    if (t == NULL)
        fail_msg("hwtlb_new: %s", err->message);
    assert_verified(t);
    return t;
}

static hwtlb_entry ent(uint64_t va, uint64_t pa, hwtlb_size s, uint16_t asid, bool global)
{
    hwtlb_entry e = { .va = va, .pa = pa, .attr = 0, .asid = asid, .size = (uint8_t)s, .global = global };
    return e;
}

/* ---- configuration ---------------------------------------------------- */

static void expect_config_error(unsigned entries, unsigned ways, const char *needle)
{
    hwtlb_config cfg = { .arch = HWTLB_X86_64, .entries = entries, .ways = ways };
    GError *err = NULL;
    hwtlb *t = hwtlb_new(&cfg, &err);
    assert_null(t);
    assert_non_null(err);
    assert_true(g_error_matches(err, HWTLB_ERROR, HWTLB_ERROR_CONFIG));
    if (strstr(err->message, needle) == NULL)
        fail_msg("error \"%s\" does not name \"%s\"", err->message, needle);
    g_error_free(err);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_config_error(0, 1, "entries = 0");
    expect_config_error(64, 0, "ways = 0");
    expect_config_error(4, 8, "ways = 8");
    expect_config_error(64, 3, "ways = 3 does not divide entries = 64");
    /* The set count need not be a power of two: 48 entries of 4 ways = 12 sets. */
    hwtlb *t = mk(HWTLB_X86_64, 48, 4, false);
    assert_int_equal(t->sets, 12);
    hwtlb_free(t);
}

/* ---- hits and misses -------------------------------------------------- */

static void test_hit_miss(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_X86_64, 64, 4, false);
    hwtlb_entry e = ent(0x7000, 0x123000, HWTLB_4K, 0, false), got;
    hwtlb_insert(t, &e);
    assert_verified(t);

    assert_true(hwtlb_lookup(t, 0x7abc, 0, &got));
    /* 0x123000 | (0x7abc & 0xfff) = 0x123abc */
    assert_int_equal(hwtlb_paddr(&got, 0x7abc), 0x123abc);
    assert_false(hwtlb_lookup(t, 0x8000, 0, NULL));     /* the next page */
    assert_false(hwtlb_lookup(t, 0x6fff, 0, NULL));     /* the previous one */
    assert_true(hwtlb_peek(t, 0x7000, 0, NULL));        /* peek counts nothing */
    assert_int_equal(t->st.hits, 1);
    assert_int_equal(t->st.misses, 2);
    assert_int_equal(t->st.inserts, 1);
    assert_int_equal(hwtlb_count(t), 1);
    hwtlb_free(t);
}

static void test_large_pages(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_X86_64, 64, 4, false);
    hwtlb_entry got;
    hwtlb_entry e2m = ent(0x40200000, 0x80000000, HWTLB_2M, 0, false);
    hwtlb_entry e1g = ent(0x8000000000, 0x1c0000000, HWTLB_1G, 0, false);
    hwtlb_insert(t, &e2m);
    hwtlb_insert(t, &e1g);
    assert_verified(t);
    /* 2 MiB page [0x40200000, 0x40400000): the last byte hits, the next misses. */
    assert_true(hwtlb_lookup(t, 0x403fffff, 0, &got));
    assert_int_equal(got.size, HWTLB_2M);
    assert_int_equal(hwtlb_paddr(&got, 0x403fffff), 0x801fffff);
    assert_false(hwtlb_lookup(t, 0x40400000, 0, NULL));
    /* 1 GiB page at 512 GiB: offset 0x3fffffff -> 0x1c0000000 + 0x3fffffff. */
    assert_true(hwtlb_lookup(t, 0x803fffffff, 0, &got));
    assert_int_equal(hwtlb_paddr(&got, 0x803fffffff), 0x1ffffffff);
    hwtlb_free(t);

    /* ARMv7-A: 64 KiB, 1 MiB, 16 MiB; a supersection reaches above 4 GiB. */
    t = mk(HWTLB_ARMV7A, 32, 32, true);
    hwtlb_entry l = ent(0x30010000, 0x90010000, HWTLB_64K, 0, true);
    hwtlb_entry s = ent(0x10000000, 0x80000000, HWTLB_1M, 0, true);
    hwtlb_entry ss = ent(0x41000000, 0x230000000, HWTLB_16M, 0, true);
    hwtlb_insert(t, &l);
    hwtlb_insert(t, &s);
    hwtlb_insert(t, &ss);
    assert_verified(t);
    assert_true(hwtlb_lookup(t, 0x3001fffc, 0, &got));
    assert_int_equal(hwtlb_paddr(&got, 0x3001fffc), 0x9001fffc);
    assert_false(hwtlb_lookup(t, 0x30020000, 0, NULL));
    assert_true(hwtlb_lookup(t, 0x100fffff, 0, &got));
    assert_int_equal(hwtlb_paddr(&got, 0x100fffff), 0x800fffff);
    assert_true(hwtlb_lookup(t, 0x41abcdef, 0, &got));
    assert_int_equal(hwtlb_paddr(&got, 0x41abcdef), 0x230abcdef);
    hwtlb_free(t);
}

/* A 4 KiB and a 2 MiB entry both covering an address (the OS remapped
 * without invalidating): the smallest size answers, deterministically. */
static void test_smallest_size_wins(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_X86_64, 16, 4, false);
    hwtlb_entry big = ent(0x200000, 0x40000000, HWTLB_2M, 0, false);
    hwtlb_entry small = ent(0x200000, 0x7000, HWTLB_4K, 0, false), got;
    hwtlb_insert(t, &big);
    hwtlb_insert(t, &small);
    assert_verified(t);
    assert_true(hwtlb_lookup(t, 0x200010, 0, &got));
    assert_int_equal(hwtlb_paddr(&got, 0x200010), 0x7010);
    assert_true(hwtlb_lookup(t, 0x201010, 0, &got));
    assert_int_equal(hwtlb_paddr(&got, 0x201010), 0x40001010);
    hwtlb_free(t);
}

static void test_insert_replaces(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_X86_64, 16, 4, true);
    hwtlb_entry a = ent(0x1000, 0xa000, HWTLB_4K, 1, false), got;
    hwtlb_entry b = ent(0x1000, 0xb000, HWTLB_4K, 1, false);
    hwtlb_entry other = ent(0x1000, 0xc000, HWTLB_4K, 2, false);
    hwtlb_entry g = ent(0x1000, 0xd000, HWTLB_4K, 1, true);
    hwtlb_insert(t, &a);
    hwtlb_insert(t, &b);                /* same page, same PCID: replaces */
    assert_int_equal(hwtlb_count(t), 1);
    assert_true(hwtlb_lookup(t, 0x1000, 1, &got));
    assert_int_equal(got.pa, 0xb000);
    hwtlb_insert(t, &other);            /* another PCID: a second entry */
    assert_int_equal(hwtlb_count(t), 2);
    assert_verified(t);
    /* A global entry answers under every PCID, so it replaces both. */
    hwtlb_insert(t, &g);
    assert_int_equal(hwtlb_count(t), 1);
    assert_true(hwtlb_lookup(t, 0x1000, 2, &got));
    assert_int_equal(got.pa, 0xd000);
    assert_verified(t);
    assert_int_equal(t->st.evictions, 0);   /* replacing is not evicting */
    hwtlb_free(t);
}

/* ---- address-space switches (the brief's scenario) -------------------- */

/* Three private pages of one address space and one global page.  touch()
 * is what a core does: look up, and on a miss walk and insert. */
#define PAGE_A 0x1000
#define PAGE_B 0x2000
#define PAGE_C 0x3000
#define PAGE_K 0x400000         /* a kernel page, mapped global */

static bool touch(hwtlb *t, uint64_t va)
{
    if (hwtlb_lookup(t, va, hwtlb_asid(t), NULL))
        return true;
    hwtlb_entry e = ent(va, 0x100000 + va, HWTLB_4K, hwtlb_asid(t), va == PAGE_K);
    hwtlb_insert(t, &e);
    return false;
}

static unsigned misses_abc(hwtlb *t)
{
    unsigned m = 0;
    m += !touch(t, PAGE_A);
    m += !touch(t, PAGE_B);
    m += !touch(t, PAGE_C);
    return m;
}

static void test_x86_switch_without_pcid(void **state)
{
    (void)state;
    /* CR4.PCIDE = 0: MOV to CR3 "invalidates all TLB entries associated
     * with PCID 000H except those for global pages" (SDM 4.10.4.1). */
    hwtlb *t = mk(HWTLB_X86_64, 64, 4, false);
    assert_int_equal(misses_abc(t), 3);         /* cold */
    assert_false(touch(t, PAGE_K));             /* cold */
    assert_int_equal(misses_abc(t), 0);         /* warm */

    assert_int_equal(hwtlb_switch(t, 0, false), 3);     /* A, B, C go; K stays */
    assert_verified(t);
    assert_true(touch(t, PAGE_K));              /* the global page survives */
    assert_int_equal(hwtlb_switch(t, 0, false), 0);     /* back: nothing non-global left */
    assert_int_equal(misses_abc(t), 3);         /* the second visit misses 3 times */
    assert_true(touch(t, PAGE_K));
    assert_int_equal(t->st.flushed, 3);
    /* Misses: 3 + 1 (cold) + 3 (second visit) = 7. */
    assert_int_equal(t->st.misses, 7);
    assert_verified(t);
    hwtlb_free(t);
}

static void test_x86_switch_with_pcid(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_X86_64, 64, 4, true);
    assert_int_equal(hwtlb_switch(t, 1, false), 0);     /* PCID 1, empty TLB */
    assert_int_equal(misses_abc(t), 3);
    assert_false(touch(t, PAGE_K));

    /* To PCID 2 with bit 63 clear: only PCID 2's non-global entries go
     * (there are none); "it is not required to invalidate entries ...
     * associated with other PCIDs" and we do not (SDM 4.10.4.1). */
    assert_int_equal(hwtlb_switch(t, 2, false), 0);
    assert_int_equal(hwtlb_asid(t), 2);
    assert_true(touch(t, PAGE_K));              /* global: usable under any PCID */
    assert_false(hwtlb_peek(t, PAGE_A, 2, NULL));   /* PCID 1's entries do not answer PCID 2 */

    /* Back to PCID 1 with bit 63 set (no invalidation): the second visit
     * hits all three. */
    assert_int_equal(hwtlb_switch(t, 1, true), 0);
    assert_int_equal(misses_abc(t), 0);
    assert_true(touch(t, PAGE_K));

    /* Back to PCID 1 with bit 63 clear: PCID 1's own non-global entries
     * are invalidated, so the visit after that misses 3 times; K stays. */
    assert_int_equal(hwtlb_switch(t, 2, false), 0);
    assert_int_equal(hwtlb_switch(t, 1, false), 3);
    assert_int_equal(misses_abc(t), 3);
    assert_true(touch(t, PAGE_K));
    assert_verified(t);
    hwtlb_free(t);
}

static void test_arm_switch(void **state)
{
    (void)state;
    /* ASIDs in use: changing TTBR0/CONTEXTIDR does no TLB maintenance, so
     * ASID 1's entries are still there when it comes back. */
    hwtlb *t = mk(HWTLB_ARMV7A, 32, 2, true);
    hwtlb_switch(t, 1, false);
    assert_int_equal(misses_abc(t), 3);
    assert_false(touch(t, PAGE_K));
    assert_int_equal(hwtlb_switch(t, 2, false), 0);
    assert_true(touch(t, PAGE_K));
    assert_int_equal(misses_abc(t), 3);         /* ASID 2 has its own A, B, C */
    assert_int_equal(hwtlb_switch(t, 1, false), 0);
    assert_int_equal(misses_abc(t), 0);         /* ASID 1's survived */
    assert_verified(t);
    hwtlb_free(t);

    /* ASIDs not in use: every switch flushes the non-global entries. */
    t = mk(HWTLB_ARMV7A, 32, 2, false);
    assert_int_equal(misses_abc(t), 3);
    assert_false(touch(t, PAGE_K));
    assert_int_equal(hwtlb_switch(t, 0, false), 3);
    assert_true(touch(t, PAGE_K));
    assert_int_equal(hwtlb_switch(t, 0, false), 0);
    assert_int_equal(misses_abc(t), 3);
    assert_true(touch(t, PAGE_K));
    assert_verified(t);
    hwtlb_free(t);
}

static void test_set_asid_enabled(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_X86_64, 16, 4, true);
    hwtlb_switch(t, 7, true);
    assert_int_equal(hwtlb_asid(t), 7);
    hwtlb_set_asid_enabled(t, false);           /* PCIDE = 0: the current PCID is 000H */
    assert_int_equal(hwtlb_asid(t), 0);
    assert_verified(t);
    hwtlb_free(t);
}

/* ---- invalidations ---------------------------------------------------- */

static void test_invalidate_addr(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_X86_64, 64, 4, true);
    hwtlb_entry a1 = ent(0x1000, 0xa000, HWTLB_4K, 1, false);
    hwtlb_entry a2 = ent(0x1000, 0xb000, HWTLB_4K, 2, false);
    hwtlb_entry g = ent(0x5000, 0xc000, HWTLB_4K, 1, true);
    hwtlb_entry big = ent(0x200000, 0x40000000, HWTLB_2M, 1, false);
    hwtlb_insert(t, &a1);
    hwtlb_insert(t, &a2);
    hwtlb_insert(t, &g);
    hwtlb_insert(t, &big);

    /* INVPCID type 0 (PCID 1, 0x1000): "mappings--except global
     * translations--associated with the PCID" for that address: a1 only. */
    assert_int_equal(hwtlb_invalidate_addr(t, 0x1000, 1, false), 1);
    assert_false(hwtlb_peek(t, 0x1000, 1, NULL));
    assert_true(hwtlb_peek(t, 0x1000, 2, NULL));
    /* INVPCID type 0 does not touch a global entry... */
    assert_int_equal(hwtlb_invalidate_addr(t, 0x5000, 1, false), 0);
    /* ...INVLPG does, "regardless of PCID": run under PCID 2, it removes
     * the global entry made under PCID 1. */
    assert_int_equal(hwtlb_invalidate_addr(t, 0x5fff, 2, true), 1);
    assert_false(hwtlb_peek(t, 0x5000, 1, NULL));
    /* An address anywhere inside a 2 MiB page invalidates the page. */
    assert_int_equal(hwtlb_invalidate_addr(t, 0x3ff000, 1, true), 1);
    assert_false(hwtlb_peek(t, 0x200000, 1, NULL));
    /* ARM TLBIMVAA: the address under every id. */
    assert_int_equal(hwtlb_invalidate_addr_all(t, 0x1000), 1);
    assert_int_equal(hwtlb_count(t), 0);
    assert_int_equal(t->st.flushed, 4);
    assert_verified(t);
    hwtlb_free(t);
}

static void test_invalidate_asid_and_all(void **state)
{
    (void)state;
    hwtlb *t = mk(HWTLB_ARMV7A, 32, 4, true);
    for (uint64_t i = 0; i < 3; i++) {
        hwtlb_entry e1 = ent(0x10000 + 0x1000 * i, 0x80000 + 0x1000 * i, HWTLB_4K, 1, false);
        hwtlb_entry e2 = ent(0x10000 + 0x1000 * i, 0x90000 + 0x1000 * i, HWTLB_4K, 2, false);
        hwtlb_insert(t, &e1);
        hwtlb_insert(t, &e2);
    }
    hwtlb_entry g = ent(0x100000, 0x100000, HWTLB_1M, 1, true);
    hwtlb_insert(t, &g);
    assert_int_equal(hwtlb_count(t), 7);
    /* TLBIASID 1: ASID 1's three non-global entries; the global one
     * carries ASID 1 too but stays. */
    assert_int_equal(hwtlb_invalidate_asid(t, 1), 3);
    assert_true(hwtlb_peek(t, 0x100000, 1, NULL));
    /* Every non-global entry: ASID 2's three. */
    assert_int_equal(hwtlb_invalidate_nonglobal(t), 3);
    assert_int_equal(hwtlb_count(t), 1);
    /* Everything. */
    assert_int_equal(hwtlb_invalidate_all(t), 1);
    assert_int_equal(hwtlb_count(t), 0);
    assert_int_equal(t->st.flushed, 7);
    assert_verified(t);

    /* Every entry of one id, global ones included (CR4.SMEP 0 -> 1). */
    hwtlb_insert(t, &g);
    hwtlb_entry e = ent(0x10000, 0x80000, HWTLB_4K, 2, false);
    hwtlb_insert(t, &e);
    assert_int_equal(hwtlb_invalidate_asid_all(t, 1), 1);
    assert_true(hwtlb_peek(t, 0x10000, 2, NULL));
    assert_verified(t);
    hwtlb_free(t);
}

/* ---- replacement ------------------------------------------------------ */

static void test_lru_two_way(void **state)
{
    (void)state;
    /* 4 entries, 2 ways: 2 sets; a 4 KiB page's set is its page number
     * mod 2, so pages 0, 2, 4, 6 (addresses 0x0000, 0x2000, 0x4000,
     * 0x6000) all go to set 0, page 1 to set 1. */
    hwtlb *t = mk(HWTLB_X86_64, 4, 2, false);
    hwtlb_entry p[8];
    for (unsigned i = 0; i < 8; i++)
        p[i] = ent(0x1000 * (uint64_t)i, 0x100000 + 0x1000 * (uint64_t)i, HWTLB_4K, 0, false);
    hwtlb_insert(t, &p[1]);         /* set 1, never disturbed */
    hwtlb_insert(t, &p[0]);         /* set 0: [p0] */
    hwtlb_insert(t, &p[2]);         /* set 0: [p0, p2] */
    assert_true(hwtlb_lookup(t, 0x0000, 0, NULL));  /* p0 used after p2: p2 is LRU */
    hwtlb_insert(t, &p[4]);         /* evicts p2 */
    assert_int_equal(t->st.evictions, 1);
    assert_false(hwtlb_peek(t, 0x2000, 0, NULL));
    assert_true(hwtlb_peek(t, 0x0000, 0, NULL));
    assert_true(hwtlb_peek(t, 0x4000, 0, NULL));
    assert_true(hwtlb_lookup(t, 0x4000, 0, NULL));  /* p4 used after p0: p0 is LRU */
    hwtlb_insert(t, &p[6]);         /* evicts p0 */
    assert_false(hwtlb_peek(t, 0x0000, 0, NULL));
    assert_true(hwtlb_peek(t, 0x4000, 0, NULL));
    assert_true(hwtlb_peek(t, 0x6000, 0, NULL));
    assert_true(hwtlb_peek(t, 0x1000, 0, NULL));    /* set 1 untouched */
    assert_int_equal(t->st.evictions, 2);
    /* An invalid way is used before any valid entry is evicted. */
    hwtlb_invalidate_addr(t, 0x4000, 0, true);
    hwtlb_insert(t, &p[2]);
    assert_int_equal(t->st.evictions, 2);
    assert_true(hwtlb_peek(t, 0x6000, 0, NULL));
    assert_verified(t);
    hwtlb_free(t);
}

static void test_fully_associative(void **state)
{
    (void)state;
    /* ways == entries: one set; any 4 pages fit, the 5th evicts the LRU. */
    hwtlb *t = mk(HWTLB_ARMV7A, 4, 4, true);
    assert_int_equal(t->sets, 1);
    for (uint64_t i = 0; i < 4; i++) {
        hwtlb_entry e = ent(0x100000 * i, 0x100000 * i, HWTLB_1M, 0, false);
        hwtlb_insert(t, &e);
    }
    /* Use 0, 2, 3 again: 1 becomes the least recently used. */
    assert_true(hwtlb_lookup(t, 0x000000, 0, NULL));
    assert_true(hwtlb_lookup(t, 0x200000, 0, NULL));
    assert_true(hwtlb_lookup(t, 0x300000, 0, NULL));
    hwtlb_entry e = ent(0x400000, 0x400000, HWTLB_1M, 0, false);
    hwtlb_insert(t, &e);
    assert_false(hwtlb_peek(t, 0x100000, 0, NULL));
    assert_int_equal(hwtlb_count(t), 4);
    assert_verified(t);
    hwtlb_free(t);
}

/* ---- misuse ----------------------------------------------------------- */

static hwtlb *misuse_tlb;

static void insert_big_asid(void)
{
    hwtlb_entry e = ent(0x1000, 0x1000, HWTLB_4K, 4096, false);     /* PCID has 12 bits */
    hwtlb_insert(misuse_tlb, &e);
}
static void insert_wrong_size(void)
{
    hwtlb_entry e = ent(0x200000, 0x200000, HWTLB_1M, 0, false);    /* no 1 MiB pages on x86 */
    hwtlb_insert(misuse_tlb, &e);
}
static void insert_misaligned(void)
{
    hwtlb_entry e = ent(0x201000, 0x200000, HWTLB_2M, 0, false);
    hwtlb_insert(misuse_tlb, &e);
}
static void switch_nonzero_without_ids(void)
{
    hwtlb_switch(misuse_tlb, 3, false);
}

static void test_misuse(void **state)
{
    (void)state;
    char buf[64];
    misuse_tlb = mk(HWTLB_X86_64, 16, 4, false);
    assert_string_equal(tu_run_child(insert_big_asid, buf, sizeof buf), "killed by Aborted");
    assert_string_equal(tu_run_child(insert_wrong_size, buf, sizeof buf), "killed by Aborted");
    assert_string_equal(tu_run_child(insert_misaligned, buf, sizeof buf), "killed by Aborted");
    assert_string_equal(tu_run_child(switch_nonzero_without_ids, buf, sizeof buf), "killed by Aborted");
    hwtlb_free(misuse_tlb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_hit_miss),
        cmocka_unit_test(test_large_pages),
        cmocka_unit_test(test_smallest_size_wins),
        cmocka_unit_test(test_insert_replaces),
        cmocka_unit_test(test_x86_switch_without_pcid),
        cmocka_unit_test(test_x86_switch_with_pcid),
        cmocka_unit_test(test_arm_switch),
        cmocka_unit_test(test_set_asid_enabled),
        cmocka_unit_test(test_invalidate_addr),
        cmocka_unit_test(test_invalidate_asid_and_all),
        cmocka_unit_test(test_lru_two_way),
        cmocka_unit_test(test_fully_associative),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
