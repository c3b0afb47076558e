/* tests/test_hw.c: the hardware layer (model/hw.h) on the made-up preset
 * tests/data/presets/tiny.lua: 667 MHz, cpi 1.5, L2 hit 25 cycles, memory
 * 80 ns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "model/hw.h"

static hw *make(sim **s, const char *trace)
{
    model_config cfg;
    g_autofree char *path = g_strdup_printf("%s/presets/tiny.lua", g_getenv("COSSIM_TEST_DATA"));
    GError *err = NULL;
    if (!model_config_load(path, &cfg, &err))
        fail_msg("%s", err->message);
    *s = sim_new(1, simtr_open(trace, NULL));
    hw *h = hw_new(*s, &cfg, NULL, NULL, &err);
    assert_non_null(h);
    return h;
}

static void test_costs_and_time(void **state)
{
    (void)state;
    sim *s;
    hw *h = make(&s, NULL);
    /* 10 instructions at cpi 1.5: 15 cycles; 667 cycles at 667 MHz are
     * exactly 1 us = 1,000,000 ps; 1 cycle is 1499.25 ps, rounded up 1500 */
    assert_int_equal(hw_instructions(h, 10), 15);
    assert_int_equal(hw_ps(h, 667), 1000000);
    assert_int_equal(hw_ps(h, 1), 1500);
    assert_int_equal(hw_cost(h, MODEL_COST_SYSCALL_ENTRY), 40);
    /* a cold access: the L2's 25-cycle tag check plus 80 ns of memory =
     * 80,000 ps x 667e6 / 1e12 = 53.36 -> 54 cycles: 79; then an L1 hit (4) */
    assert_int_equal(hw_access(h, 0, 0x1000, 4, HWMEM_READ, 0), 79);
    assert_int_equal(hw_access(h, 0, 0x1000, 4, HWMEM_READ, 0), 4);
    /* two lines of 32 bytes: 64 bytes from 0x2010 touch 0x2000, 0x2020 and
     * 0x2040: three cold lines, 79 each; the bus (5 ns per line) is free by
     * the time each starts because they are costed one after the other */
    assert_int_equal(hw_access(h, 1, 0x2010, 64, HWMEM_WRITE, SIM_US), 3 * 79);
    hw_free(h);
    sim_free(s);
}

static void test_counters_in_trace(void **state)
{
    (void)state;
    char dir[] = "/tmp/cossim-hw-XXXXXX";
    assert_non_null(g_mkdtemp(dir));
    g_autofree char *path = g_build_filename(dir, "t.db", NULL);
    sim *s;
    hw *h = make(&s, path);
    hw_access(h, 0, 0x1000, 4, HWMEM_READ, 0);
    hw_access(h, 0, 0x1000, 4, HWMEM_READ, 0);
    hw_access(h, 1, 0x1000, 4, HWMEM_WRITE, 0);
    hw_account(h, 0, 100, true);
    hw_account(h, 0, 7, false);
    hw_write_counters(h);
    simtr_run run = { "t.lua", "-", "tiny", 1, false, 0, 0, 0 };
    char digest[SIMTR_DIGEST_HEX];
    assert_true(sim_finish(s, &run, digest, NULL));
    hw_free(h);
    sim_free(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT core, kernel_cycles, user_cycles, l1d_hits, l1d_misses, l2_misses, "
                                            "mem_reads, invalidations, peer_transfers FROM counters ORDER BY core", -1, &st, NULL), SQLITE_OK);
    /* core 0: one miss to memory, one L1 hit, 100 kernel and 7 user
     * cycles; core 1's write finds core 0's Exclusive copy: no transfer
     * (clean), core 0's copy invalidated, the L2 serves it */
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t want0[] = { 0, 100, 7, 1, 1, 1, 1, 1, 0 };
    for (int i = 0; i < 9; i++)
        assert_int_equal(sqlite3_column_int64(st, i), want0[i]);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t want1[] = { 1, 0, 0, 0, 1, 0, 0, 0, 0 };
    for (int i = 0; i < 9; i++)
        assert_int_equal(sqlite3_column_int64(st, i), want1[i]);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    unlink(path);
    rmdir(dir);
}

/* a bump allocator for page tables, from 1 MiB up */
static bool bump(void *ctx, unsigned size, uint64_t *paddr)
{
    uint64_t *next = ctx;
    *next = (*next + size - 1) & ~(uint64_t)(size - 1);
    *paddr = *next;
    *next += size;
    return true;
}

static void test_translation_through_the_caches(void **state)
{
    (void)state;
    sim *s;
    hw *h = make(&s, NULL);
    uint64_t next = 1 << 20;
    hw_builder b;
    hw_pt_builder(h, bump, &next, &b);
    /* ARMv7-A short descriptors: a 16 KiB first-level table and a 1 KiB
     * second-level one, a small page 0x00400000 -> 0x00200000, non-global */
    uint64_t ttb;
    assert_true(bump(&next, 16384, &ttb));
    memset(hwmem_ram(h->mem, ttb), 0, 16384);
    GError *err = NULL;
    if (!hwpt_arm_map(&b.mem, (uint32_t)ttb, 0x00400000, 0x00200000, HWTLB_4K,
                      HWPT_ARM_AP(3) /* PL1 and PL0 read/write, Table B3-8 */ | HWPT_ARM_NG, &err))
        fail_msg("%s", err->message);
    assert_int_equal(hw_switch_address_space(h, 0, ttb, 5, false), 20);   /* pt_switch in tiny.lua */
    hwpt_result r;
    /* cold: two descriptor reads, each a miss to memory (79 cycles: see
     * test_costs_and_time), in different lines (the first-level entry at
     * ttb + 4 x 4 = ttb + 16, the second-level table elsewhere) */
    assert_int_equal(hw_translate(h, 0, 0x00400123, HWPT_ACC_USER, 0, &r), 2 * 79);
    assert_int_equal(r.fault.kind, HWPT_OK);
    assert_int_equal(r.paddr, 0x00200123);
    assert_false(r.tlb_hit);
    /* the TLB has it now: no cost */
    assert_int_equal(hw_translate(h, 0, 0x00400456, HWPT_ACC_USER, 0, &r), 0);
    assert_true(r.tlb_hit);
    /* another ASID and back: with ASIDs the entry survives */
    hw_switch_address_space(h, 0, ttb, 6, false);
    hw_switch_address_space(h, 0, ttb, 5, false);
    assert_int_equal(hw_translate(h, 0, 0x00400000, HWPT_ACC_USER, 0, &r), 0);
    /* after a TLB flush the walk finds its descriptors in the L1: 2 x 4 */
    hwtlb_invalidate_all(h->core[0].tlb);
    assert_int_equal(hw_translate(h, 0, 0x00400000, HWPT_ACC_USER, 0, &r), 2 * 4);
    /* an unmapped address faults, as a value */
    hw_translate(h, 0, 0x00800000, HWPT_ACC_USER, 0, &r);
    assert_int_equal(r.fault.kind, HWPT_FAULT_TRANSLATION);
    assert_int_equal(h->core[0].tlb_misses, 3);
    hw_free(h);
    sim_free(s);
}

/* Without PCIDs a CR3 write drops the TLB's entries (SDM vol. 3A
 * 4.10.4.1); with them, and the no-flush bit, it keeps them (4.10.4.1,
 * "MOV to CR3" with CR4.PCIDE = 1 and bit 63 set).  On pentium4 (32-bit
 * paging, no PCID) a switch to another table and back -- the two CR3
 * writes of a round trip between two components -- leaves the next access
 * to walk again: two descriptor reads (SDM 4.3: PDE, PTE), each now an L1D
 * hit of the preset's 2 cycles, so 4 cycles.  On i7-8700 (PCID, kept) the
 * same sequence leaves the entry in the TLB: 0 cycles, no walk. */
static hw *make_preset(sim **s, const char *name)
{
    g_autofree char *dir = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", NULL);
    g_setenv("COSSIM_PRESETS", dir, TRUE);
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load(name, &cfg, &err))
        fail_msg("%s: %s", name, err->message);
    *s = sim_new(1, simtr_open(NULL, NULL));
    hw *h = hw_new(*s, &cfg, NULL, NULL, &err);
    if (h == NULL)
        fail_msg("%s: %s", name, err->message);
    return h;
}

static bool new_root(hw *h, uint64_t *next, uint64_t *root)
{
    unsigned n = (unsigned)hw_pt_root_bytes(h);     /* 4 KiB: a PML4 or a 32-bit page directory */
    if (!bump(next, n, root))
        return false;
    memset(hwmem_ram(h->mem, *root), 0, n);
    return true;
}

static void test_cr3_without_pcid(void **state)
{
    (void)state;
    static const struct { const char *preset; uint64_t after; bool hit; } want[] = {
        { "pentium4", 2 * 2, false }, { "i7-8700", 0, true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        sim *s;
        hw *h = make_preset(&s, want[i].preset);
        uint64_t next = 1 << 20, a, b;
        assert_true(new_root(h, &next, &a));
        assert_true(new_root(h, &next, &b));
        assert_true(hw_pt_map(h, a, 0x00400000, 0x00200000, HW_MAP_WRITE, bump, &next));
        hw_switch_address_space(h, 0, a, 5, true);
        hwpt_result r;
        hw_translate(h, 0, 0x00400123, HWPT_ACC_USER, 0, &r);
        assert_int_equal(r.fault.kind, HWPT_OK);
        assert_int_equal(r.paddr, 0x00200123);
        assert_false(r.tlb_hit);
        assert_int_equal(r.reads, strcmp(want[i].preset, "pentium4") == 0 ? 2 : 4);   /* 4.3: 2 levels; 4.5: 4 */
        hw_switch_address_space(h, 0, b, 6, true);
        hw_switch_address_space(h, 0, a, 5, true);
        uint64_t c = hw_translate(h, 0, 0x00400456, HWPT_ACC_USER, 0, &r);
        if (c != want[i].after || r.tlb_hit != want[i].hit)
            fail_msg("%s: after two CR3 writes %" G_GUINT64_FORMAT " cycles, tlb hit %d", want[i].preset, c, r.tlb_hit);
        assert_int_equal(r.paddr, 0x00200456);
        hw_free(h);
        sim_free(s);
    }
}

static void test_every_preset_builds(void **state)
{
    (void)state;
    /* each bundled preset makes a whole machine (memory, MMU or MPU,
     * controller, timers); on the multi-core ones an IPI from core 0 is
     * pending at core 1 exactly the preset's latency later, not earlier */
    g_autofree char *dir = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", NULL);
    g_setenv("COSSIM_PRESETS", dir, TRUE);
    g_auto(GStrv) names = model_preset_names();
    for (char **p = names; *p; p++) {
        model_config cfg;
        GError *err = NULL;
        assert_true(model_config_load(*p, &cfg, &err));
        sim *s = sim_new(1, simtr_open(NULL, NULL));
        hw *h = hw_new(s, &cfg, NULL, NULL, &err);
        if (h == NULL)
            fail_msg("%s: %s", *p, err->message);
        if (h->cfg.cores > 1) {
            /* an IPI line each controller accepts: LAPIC vector 0xFD, GIC
             * SGI 1 */
            unsigned line = h->cfg.irq == MODEL_IRQ_LAPIC ? 0xFD : 1;
            assert_int_equal(hwirq_ipi(h->irq, 0, HWIRQ_DEST_CORE, 1, line), HWIRQ_OK);
            sim_time_t lat = h->cfg.ipi_latency;
            assert_true(lat > 0);
            sim_run(s, lat - 1, 0);
            assert_false(hwirq_is_pending(h->irq, 1, line));
            sim_run(s, lat, 0);
            if (!hwirq_is_pending(h->irq, 1, line))
                fail_msg("%s: the IPI is not pending at %" G_GUINT64_FORMAT " ps", *p, lat);
        }
        hw_free(h);
        sim_free(s);
    }
    g_unsetenv("COSSIM_PRESETS");
}

/* The kernel's one-shot on every kind of timer: armed for 10 us + 1 ps it
 * raises the core's timer line at the first tick of the timer's clock at or
 * after that time, and not before.  Clocks (the presets): x86_64 TSC at the
 * core's 3.2 GHz (tick 312.5 ps), cortex-a9 private timer at PERIPHCLK
 * 333.5 MHz, cortex-a53 generic timer at 100 MHz (tick 10 ns: the deadline
 * rounds up to 10.01 us), cortex-m7 SysTick at 216 MHz.  The expected
 * tick comes from hwtimer_tick_time/hwtimer_ticks_at, whose arithmetic
 * tests/test_timer.c checks by hand.  SIM_TIME_MAX disarms. */
static void test_timer_oneshot_every_kind(void **state)
{
    (void)state;
    static const char *const presets[] = { "x86_64", "cortex-a9", "cortex-a53", "cortex-m7" };
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++) {
        model_config cfg;
        GError *err = NULL;
        assert_true(model_config_load(presets[i], &cfg, &err));
        sim *s = sim_new(1, simtr_open(NULL, NULL));
        hw *h = hw_new(s, &cfg, NULL, NULL, &err);
        assert_non_null(h);
        uint64_t f = h->cfg.timer_freq_hz;
        sim_time_t at = 10 * SIM_US + 1;
        uint64_t tick = hwtimer_ticks_at(f, 1, at);
        if (hwtimer_tick_time(f, 1, tick) < at)
            tick++;
        sim_time_t due = hwtimer_tick_time(f, 1, tick);
        assert_int_equal(hw_timer_oneshot(h, 0, at), hw_cost(h, MODEL_COST_TIMER_PROGRAM));
        sim_run(s, due - 1, 0);
        if (hwtimer_fired(h->timer, 0) != 0)
            fail_msg("%s: fired before %" G_GUINT64_FORMAT " ps", presets[i], due);
        sim_run(s, due, 0);
        if (hwtimer_fired(h->timer, 0) != 1 || !hwirq_is_pending(h->irq, 0, h->timer_line))
            fail_msg("%s: not fired at %" G_GUINT64_FORMAT " ps", presets[i], due);
        /* disarmed: nothing more */
        hw_timer_oneshot(h, 0, SIM_TIME_MAX);
        sim_run(s, due + SIM_MS, 0);
        assert_int_equal(hwtimer_fired(h->timer, 0), 1);
        hw_free(h);
        sim_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_costs_and_time),
        cmocka_unit_test(test_counters_in_trace),
        cmocka_unit_test(test_translation_through_the_caches),
        cmocka_unit_test(test_every_preset_builds),
        cmocka_unit_test(test_cr3_without_pcid),
        cmocka_unit_test(test_timer_oneshot_every_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
