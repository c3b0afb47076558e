/* tests/test_mem.c: the memory system (model/mem.h): latencies by level,
 * MESI transfers and upgrades, write-back traffic, bus contention between
 * cores, way partitioning, lines lost to another core, no-cache machines.
 *
 * The test machine (hand-chosen so that every figure is easy to follow):
 * 1 GHz cores (1 cycle = 1 ns = 1000 ps); private L1 I and D of 128 bytes,
 * 2 ways, 32-byte lines (2 sets), 2-cycle hits, LRU; one shared L2 of 512
 * bytes, 4 ways (4 sets), 10-cycle hits, LRU; memory 50 ns after the L2;
 * the bus busy 10 ns per line; a cache-to-cache transfer or an upgrade 20
 * cycles.  So: L1 hit 2, L2 hit 10, memory 10 + 50 = 60 cycles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "model/mem.h"

static hwmem_config test_config(unsigned cores, hwcache_policy l2policy)
{
    hwmem_config cfg = {
        .cores = cores, .freq_hz = 1000000000, .size = 1 << 20, .has_l1 = true,
        .l1i = { 128, 2, 32, 2, HWCACHE_LRU, true },
        .l1d = { 128, 2, 32, 2, HWCACHE_LRU, true },
        .nouter = 1,
        .outer = { { .cache = { 512, 4, 32, 10, l2policy, true }, .shared = true, .name = "l2" } },
        .mem_latency = 50 * SIM_NS, .bus_line = 10 * SIM_NS, .coherence_cycles = 20,
    };
    return cfg;
}

static hwmem *make(unsigned cores)
{
    hwmem_config cfg = test_config(cores, HWCACHE_LRU);
    GError *err = NULL;
    hwmem *m = hwmem_new(&cfg, 1, &err);
    if (m == NULL)
        fail_msg("hwmem_new: %s", err->message);
    return m;
}

/* An access at time t (ns) that must cost `cycles` and be served by `from`. */
static void expect(hwmem *m, unsigned core, uint64_t paddr, hwmem_kind k, uint64_t t_ns, uint64_t cycles,
                   hwmem_source from)
{
    hwmem_source got;
    uint64_t c = hwmem_access(m, core, paddr, k, t_ns * SIM_NS, &got);
    if (c != cycles || got != from)
        fail_msg("core %u %s 0x%lx at %luns: %lu cycles from source %d, expected %lu from %d", core,
                 k == HWMEM_WRITE ? "write" : k == HWMEM_READ ? "read" : "fetch", (unsigned long)paddr,
                 (unsigned long)t_ns, (unsigned long)c, got, (unsigned long)cycles, from);
    assert_true(hwmem_verify(m));
}

static void test_latency_by_level(void **state)
{
    (void)state;
    hwmem *m = make(2);
    expect(m, 0, 0x100, HWMEM_READ, 0, 60, HWMEM_DRAM);     /* cold: 10 + 50 */
    expect(m, 0, 0x104, HWMEM_READ, 100, 2, HWMEM_L1D);     /* same line */
    /* core 1: not in its L1, core 0 holds it Exclusive (clean): no
     * transfer, the shared L2 has it: 10 cycles, and both end up Shared */
    expect(m, 1, 0x100, HWMEM_READ, 200, 10, HWMEM_OUTER0);
    assert_int_equal(hwcache_find(&m->core[0].l1d, 0x100 >> 5)->state, HWCACHE_SHARED);
    assert_int_equal(hwcache_find(&m->core[1].l1d, 0x100 >> 5)->state, HWCACHE_SHARED);
    /* instruction fetch: its own L1I; the L2 has the line */
    expect(m, 0, 0x100, HWMEM_FETCH, 300, 10, HWMEM_OUTER0);
    expect(m, 0, 0x100, HWMEM_FETCH, 400, 2, HWMEM_L1I);
    hwmem_free(m);
}

static void test_mesi_ping_pong(void **state)
{
    (void)state;
    hwmem *m = make(2);
    /* Two cores write one line in turn.  The first write misses to memory
     * (60) and holds the line Modified; every later write finds it
     * Modified in the other core: a 20-cycle transfer that invalidates the
     * other copy.  10 rounds: 1 miss + 9 transfers, 9 invalidations. */
    expect(m, 0, 0x2000, HWMEM_WRITE, 0, 60, HWMEM_DRAM);
    for (int i = 1; i < 10; i++)
        expect(m, (unsigned)i % 2, 0x2000, HWMEM_WRITE, (uint64_t)i * 100, 20, HWMEM_PEER);
    uint64_t transfers = m->core[0].n.coherence_transfers + m->core[1].n.coherence_transfers;
    uint64_t inval = m->core[0].n.invalidations + m->core[1].n.invalidations;
    assert_int_equal(transfers, 9);
    assert_int_equal(inval, 9);
    /* each transfer's 20 cycles are caused by the other core: 9 x 20 (the
     * first miss waited for no one) */
    assert_int_equal(m->core[0].n.cross_cycles + m->core[1].n.cross_cycles, 9 * 20);
    hwmem_free(m);
}

static void test_read_after_write_and_upgrade(void **state)
{
    (void)state;
    hwmem *m = make(2);
    expect(m, 0, 0x3000, HWMEM_WRITE, 0, 60, HWMEM_DRAM);
    /* core 1 reads a line core 0 holds Modified: a transfer (20); core 0
     * keeps it Shared and writes it back to the L2 (one write-back) */
    expect(m, 1, 0x3000, HWMEM_READ, 100, 20, HWMEM_PEER);
    assert_int_equal(m->core[0].n.writebacks, 1);
    assert_int_equal(hwcache_find(&m->shared[0], 0x3000 >> 5)->state, HWCACHE_MODIFIED);
    /* core 0 writes its Shared copy: an L1 hit (2) plus an upgrade (20)
     * that invalidates core 1's copy */
    expect(m, 0, 0x3000, HWMEM_WRITE, 200, 22, HWMEM_L1D);
    assert_int_equal(m->core[0].n.upgrades, 1);
    assert_int_equal(m->core[0].n.cross_cycles, 20);   /* the upgrade, not the hit */
    assert_int_equal(m->core[1].n.cross_cycles, 20);   /* its transfer */
    assert_null(hwcache_find(&m->core[1].l1d, 0x3000 >> 5));
    /* a write to an Exclusive line is silent: read first, then write */
    expect(m, 1, 0x4000, HWMEM_READ, 300, 60, HWMEM_DRAM);
    expect(m, 1, 0x4000, HWMEM_WRITE, 400, 2, HWMEM_L1D);
    assert_int_equal(m->core[1].n.upgrades, 0);
    hwmem_free(m);
}

static void test_write_back_traffic(void **state)
{
    (void)state;
    hwmem *m = make(1);
    /* L1D set 0 holds line addresses 0, 2, 4 ... (paddr 0, 64, 128).
     * Write 0 and 64 (both Modified), then read 128: the LRU line, paddr 0,
     * leaves dirty and goes into the L2, which has it (filled clean on the
     * miss): one write-back, nothing written to memory. */
    expect(m, 0, 0, HWMEM_WRITE, 0, 60, HWMEM_DRAM);
    expect(m, 0, 64, HWMEM_WRITE, 100, 60, HWMEM_DRAM);
    expect(m, 0, 128, HWMEM_READ, 200, 60, HWMEM_DRAM);
    assert_int_equal(m->core[0].n.writebacks, 1);
    assert_int_equal(m->core[0].n.mem_writes, 0);
    assert_int_equal(hwcache_find(&m->shared[0], 0)->state, HWCACHE_MODIFIED);
    /* L2 set 0 holds line addresses 0, 4, 8, ... (paddr multiples of 128):
     * 4 ways.  Fill 4 more such lines by reading: the dirty paddr-0 line is
     * the L2's LRU and goes to memory over the bus. */
    for (uint64_t a = 256; a <= 640; a += 128)
        hwmem_access(m, 0, a, HWMEM_READ, 1000, NULL);
    assert_int_equal(m->core[0].n.mem_writes, 1);
    assert_true(hwmem_verify(m));
    hwmem_free(m);
}

static void test_bus_contention(void **state)
{
    (void)state;
    hwmem *m = make(2);
    /* Three misses at t = 0 on two cores.  The bus carries one line per
     * 10 ns: the first waits 0 (60 cycles), the second 10 ns (70), the
     * third 20 ns (80).  A later miss after the bus is idle waits 0. */
    expect(m, 0, 0x10000, HWMEM_READ, 0, 60, HWMEM_DRAM);
    expect(m, 1, 0x20000, HWMEM_READ, 0, 70, HWMEM_DRAM);
    expect(m, 0, 0x30000, HWMEM_READ, 0, 80, HWMEM_DRAM);
    expect(m, 1, 0x40000, HWMEM_READ, 1000, 60, HWMEM_DRAM);
    assert_int_equal(m->core[1].n.bus_wait_cycles, 10);
    assert_int_equal(m->core[0].n.bus_wait_cycles, 20);
    /* cross-core cycles: core 1 waited 10 behind core 0's transfer; core
     * 0's second miss waited 10 behind its own first one and 10 behind
     * core 1's, so 10 of its 20 are caused by the other core */
    assert_int_equal(m->core[1].n.cross_cycles, 10);
    assert_int_equal(m->core[0].n.cross_cycles, 10);
    hwmem_free(m);
    /* one core: its waits are all behind its own transfers */
    m = make(1);
    expect(m, 0, 0x10000, HWMEM_READ, 0, 60, HWMEM_DRAM);
    expect(m, 0, 0x20000, HWMEM_READ, 0, 70, HWMEM_DRAM);
    assert_int_equal(m->core[0].n.bus_wait_cycles, 10);
    assert_int_equal(m->core[0].n.cross_cycles, 0);
    hwmem_free(m);
}

/* Lines lost to another core (mem.h).  L2 set 0 holds the lines at
 * multiples of 128 bytes (A = 0x000, B = 0x080, ...), all of them in L1
 * set 0 too; each miss below goes to memory: 10 + 50 = 60 cycles, of
 * which 50 are beyond an L2 hit. */
#define LA(p) ((p) >> 5)
static void expect_lost(const hwmem *m, unsigned core, uint64_t misses, uint64_t cycles, uint64_t cross)
{
    const hwmem_counters *n = &m->core[core].n;
    if (n->evict_misses != misses || n->evict_cycles != cycles || n->cross_cycles != cross)
        fail_msg("core %u: %lu lost-line misses, %lu cycles, %lu cross-core; expected %lu, %lu, %lu", core,
                 (unsigned long)n->evict_misses, (unsigned long)n->evict_cycles, (unsigned long)n->cross_cycles,
                 (unsigned long)misses, (unsigned long)cycles, (unsigned long)cross);
}

static void test_lines_lost_to_another_core(void **state)
{
    (void)state;
    hwmem *m = make(2);
    /* core 1 reads A; core 0 fills the set's other ways with B, C, D and
     * then reads E: LRU pushes A, core 1's, out (lost to core 0) */
    expect(m, 1, 0x000, HWMEM_READ, 0, 60, HWMEM_DRAM);
    expect(m, 0, 0x080, HWMEM_READ, 100, 60, HWMEM_DRAM);
    expect(m, 0, 0x100, HWMEM_READ, 200, 60, HWMEM_DRAM);
    expect(m, 0, 0x180, HWMEM_READ, 300, 60, HWMEM_DRAM);
    expect(m, 0, 0x200, HWMEM_READ, 400, 60, HWMEM_DRAM);
    assert_int_equal(m->evicted[0][LA(0x000)], 1 + 1);
    /* core 1 still has A in its L1: F and G (new lines, nobody's loss:
     * nothing to count) push it out of there; their fills push B and C,
     * core 0's, out of the L2 */
    expect(m, 1, 0x280, HWMEM_READ, 500, 60, HWMEM_DRAM);
    expect(m, 1, 0x300, HWMEM_READ, 600, 60, HWMEM_DRAM);
    expect_lost(m, 1, 0, 0, 0);
    /* core 1 reads A again, just after core 0 started a transfer (a line
     * of set 1): it waits 10 ns for the bus (cross-core, as before) and
     * misses the L2 on a line it lost to core 0: 10 + 10 + 50 = 70 cycles,
     * all but the L2 hit's 10 cross-core, the 50 beyond the wait lost */
    expect(m, 0, 0x020, HWMEM_READ, 700, 60, HWMEM_DRAM);
    expect(m, 1, 0x000, HWMEM_READ, 700, 70, HWMEM_DRAM);
    expect_lost(m, 1, 1, 50, 60);
    /* core 0 reads B again (its L1 set 0 kept D and E): core 1's fill of F
     * pushed it out of the L2: lost too */
    expect(m, 0, 0x080, HWMEM_READ, 800, 60, HWMEM_DRAM);
    expect_lost(m, 0, 1, 50, 50);
    /* a line filled again is nobody's loss any more */
    assert_int_equal(m->evicted[0][LA(0x000)], 0);
    hwmem_free(m);
}

static void test_lines_lost_to_crowding(void **state)
{
    (void)state;
    /* core 1 reads A and B, core 0 C and D: the set is full.  Core 1's
     * read of E pushes out A, its own, but only because core 0's lines
     * hold two of the ways it may fill: alone it would have had a free
     * way.  Its read of A misses on a line lost to core 0 (its L1 set 0
     * has B and E now). */
    hwmem *m = make(2);
    expect(m, 1, 0x000, HWMEM_READ, 0, 60, HWMEM_DRAM);
    expect(m, 1, 0x080, HWMEM_READ, 100, 60, HWMEM_DRAM);
    expect(m, 0, 0x100, HWMEM_READ, 200, 60, HWMEM_DRAM);
    expect(m, 0, 0x180, HWMEM_READ, 300, 60, HWMEM_DRAM);
    expect(m, 1, 0x200, HWMEM_READ, 400, 60, HWMEM_DRAM);
    expect(m, 1, 0x000, HWMEM_READ, 500, 60, HWMEM_DRAM);
    expect_lost(m, 1, 1, 50, 50);
    hwmem_free(m);
    /* alone: five lines in a 4-way set, the fifth pushes the first out,
     * and reading it again is a miss of the core's own */
    m = make(1);
    for (uint64_t i = 0; i < 5; i++)
        expect(m, 0, i * 0x80, HWMEM_READ, 100 * i, 60, HWMEM_DRAM);
    expect(m, 0, 0x000, HWMEM_READ, 500, 60, HWMEM_DRAM);
    expect_lost(m, 0, 0, 0, 0);
    hwmem_free(m);
    /* partitioned (core 0 ways 0-1, core 1 ways 2-3): core 0's lines are
     * not in the ways core 1 may fill, so its pushing A out for E is its
     * own doing: it would have had no more ways alone */
    m = make(2);
    GError *err = NULL;
    assert_true(hwmem_set_partition(m, 0, 0, 0x3, &err));
    assert_true(hwmem_set_partition(m, 0, 1, 0xC, &err));
    expect(m, 0, 0x100, HWMEM_READ, 0, 60, HWMEM_DRAM);
    expect(m, 0, 0x180, HWMEM_READ, 100, 60, HWMEM_DRAM);
    expect(m, 1, 0x000, HWMEM_READ, 200, 60, HWMEM_DRAM);
    expect(m, 1, 0x080, HWMEM_READ, 300, 60, HWMEM_DRAM);
    expect(m, 1, 0x200, HWMEM_READ, 400, 60, HWMEM_DRAM);
    expect(m, 1, 0x000, HWMEM_READ, 500, 60, HWMEM_DRAM);
    expect_lost(m, 1, 0, 0, 0);
    /* a flush forgets every loss */
    expect(m, 0, 0x000 + 0x1000, HWMEM_READ, 600, 60, HWMEM_DRAM);
    hwmem_flush_all(m);
    for (uint64_t a = 0; a < 0x400; a += 32)
        assert_int_equal(m->evicted[0][LA(a)], 0);
    hwmem_free(m);
}

static void test_way_partitioning(void **state)
{
    (void)state;
    hwmem *m = make(2);
    GError *err = NULL;
    assert_true(hwmem_set_partition(m, 0, 0, 0x3, &err));   /* core 0: ways 0-1 */
    assert_true(hwmem_set_partition(m, 0, 1, 0xC, &err));   /* core 1: ways 2-3 */
    /* core 0 brings two lines of L2 set 0 (paddr multiples of 128) */
    hwmem_access(m, 0, 0, HWMEM_READ, 0, NULL);
    hwmem_access(m, 0, 128, HWMEM_READ, 0, NULL);
    /* core 1 streams 40 other lines of the same set through the L2 */
    for (uint64_t i = 0; i < 40; i++)
        hwmem_access(m, 1, 0x8000 + i * 128, HWMEM_READ, 1000, NULL);
    /* core 0's lines are still in the L2: partitioned ways are isolated */
    assert_non_null(hwcache_find(&m->shared[0], 0));
    assert_non_null(hwcache_find(&m->shared[0], 128 >> 5));
    /* without partitions the same stream pushes them out */
    hwmem *u = make(2);
    hwmem_access(u, 0, 0, HWMEM_READ, 0, NULL);
    for (uint64_t i = 0; i < 40; i++)
        hwmem_access(u, 1, 0x8000 + i * 128, HWMEM_READ, 1000, NULL);
    assert_null(hwcache_find(&u->shared[0], 0));
    /* errors name what is wrong */
    assert_false(hwmem_set_partition(m, 0, 5, 0x1, &err));
    assert_non_null(g_strstr_len(err->message, -1, "core 5"));
    g_clear_error(&err);
    assert_false(hwmem_set_partition(m, 0, 0, 0x10, &err));
    g_clear_error(&err);
    hwmem_free(m);
    hwmem_free(u);
}

static void test_no_caches(void **state)
{
    (void)state;
    /* a Cortex-M4-like machine: no caches, memory 30 ns at 1 GHz = 30
     * cycles per access, every access */
    hwmem_config cfg = { .cores = 1, .freq_hz = 1000000000, .size = 1 << 16, .has_l1 = false,
                         .nouter = 0, .mem_latency = 30 * SIM_NS, .bus_line = 0, .coherence_cycles = 0 };
    hwmem *m = hwmem_new(&cfg, 1, NULL);
    assert_non_null(m);
    expect(m, 0, 0x100, HWMEM_READ, 0, 30, HWMEM_DRAM);
    expect(m, 0, 0x100, HWMEM_READ, 100, 30, HWMEM_DRAM);
    hwmem_free(m);
}

static void test_cycle_conversion(void **state)
{
    (void)state;
    /* 3.2 GHz: a cycle is 312.5 ps, so 1 cycle -> 313 ps (rounded up) and
     * 1000 ps -> 3.2 cycles -> 4; 667 MHz: 80 ns -> 53.36 cycles -> 54 */
    assert_int_equal(hwmem_cycles_to_ps(1, 3200000000u), 313);
    assert_int_equal(hwmem_cycles_to_ps(2, 3200000000u), 625);
    assert_int_equal(hwmem_ps_to_cycles(1000, 3200000000u), 4);
    assert_int_equal(hwmem_ps_to_cycles(80 * SIM_NS, 667000000u), 54);
}

static uint64_t served_dram(uint64_t seed)
{
    hwmem_config cfg = test_config(1, HWCACHE_RANDOM);
    hwmem *m = hwmem_new(&cfg, seed, NULL);
    simrng r;
    simrng_init(&r, 99, "addresses");
    for (int i = 0; i < 5000; i++)
        hwmem_access(m, 0, simrng_below(&r, 64) * 32, HWMEM_READ, (uint64_t)i * SIM_US, NULL);
    uint64_t n = m->core[0].n.served[HWMEM_DRAM] * 100000 + m->core[0].n.served[HWMEM_OUTER0];
    hwmem_free(m);
    return n;
}

static void test_random_replacement_is_deterministic(void **state)
{
    (void)state;
    /* the same accesses with random L2 replacement: the same seed gives
     * the same hits and misses; another seed (almost surely) not */
    assert_int_equal(served_dram(5), served_dram(5));
    assert_int_not_equal(served_dram(5), served_dram(6));
}

static void test_config_errors(void **state)
{
    (void)state;
    GError *err = NULL;
    hwmem_config cfg = test_config(2, HWCACHE_LRU);
    cfg.outer[0].cache.line = 64;
    assert_null(hwmem_new(&cfg, 1, &err));
    assert_non_null(g_strstr_len(err->message, -1, "caches.l2.line"));
    g_clear_error(&err);
    cfg = test_config(0, HWCACHE_LRU);
    assert_null(hwmem_new(&cfg, 1, &err));
    assert_non_null(g_strstr_len(err->message, -1, "cores"));
    g_clear_error(&err);
    cfg = test_config(1, HWCACHE_LRU);
    cfg.freq_hz = 0;
    assert_null(hwmem_new(&cfg, 1, &err));
    assert_non_null(g_strstr_len(err->message, -1, "frequency_hz"));
    g_clear_error(&err);
}

/* An x86-like shape: private L1s and L2, shared L3 (fetches must not make
 * coherence-invisible copies in the private L2). 1 GHz; L1 2, L2 6, L3 10,
 * memory 50 ns, transfer/upgrade 20. */
static hwmem *make_three_level(void)
{
    hwmem_config cfg = {
        .cores = 2, .freq_hz = 1000000000, .size = 1 << 20, .has_l1 = true,
        .l1i = { 128, 2, 32, 2, HWCACHE_LRU, false },
        .l1d = { 128, 2, 32, 2, HWCACHE_LRU, true },
        .nouter = 2,
        .outer = { { .cache = { 256, 2, 32, 6, HWCACHE_LRU, true }, .shared = false, .name = "l2" },
                   { .cache = { 512, 4, 32, 10, HWCACHE_LRU, true }, .shared = true, .name = "l3" } },
        .mem_latency = 50 * SIM_NS, .bus_line = 10 * SIM_NS, .coherence_cycles = 20,
    };
    hwmem *m = hwmem_new(&cfg, 1, NULL);
    assert_non_null(m);
    return m;
}

static void test_fetch_keeps_coherence(void **state)
{
    (void)state;
    hwmem *m = make_three_level();
    /* core 0 writes X (memory: L3 tag 10 + 50 = 60), Modified */
    expect(m, 0, 0x400, HWMEM_WRITE, 0, 60, HWMEM_DRAM);
    /* core 1 fetches X: the current data is in core 0's cache: a transfer,
     * and core 0 keeps it Modified (instruction lines are not coherent) */
    expect(m, 1, 0x400, HWMEM_FETCH, 100, 20, HWMEM_PEER);
    assert_int_equal(hwcache_find(&m->core[0].l1d, 0x400 >> 5)->state, HWCACHE_MODIFIED);
    assert_null(hwcache_find(&m->core[1].outer[0], 0x400 >> 5));   /* no private data copy */
    /* core 1 reads X as data: another transfer, both Shared */
    expect(m, 1, 0x400, HWMEM_READ, 200, 20, HWMEM_PEER);
    /* core 1 writes: an upgrade (L1 hit 2 + 20) that invalidates core 0 */
    expect(m, 1, 0x400, HWMEM_WRITE, 300, 22, HWMEM_L1D);
    assert_null(hwcache_find(&m->core[0].l1d, 0x400 >> 5));
    hwmem_free(m);
}

static void test_write_through_l1(void **state)
{
    (void)state;
    hwmem_config cfg = test_config(2, HWCACHE_LRU);
    cfg.l1d.write_back = false;
    hwmem *m = hwmem_new(&cfg, 1, NULL);
    /* a write miss fills the L1 clean and writes through to the L2 */
    expect(m, 0, 0x500, HWMEM_WRITE, 0, 60, HWMEM_DRAM);
    assert_int_equal(hwcache_find(&m->core[0].l1d, 0x500 >> 5)->state, HWCACHE_EXCLUSIVE);
    assert_int_equal(hwcache_find(&m->shared[0], 0x500 >> 5)->state, HWCACHE_MODIFIED);
    assert_int_equal(m->core[0].n.writebacks, 1);
    /* core 1 reads (both Shared); core 0 writes: one upgrade (2 + 20), and
     * the line stays the only copy, clean: later writes are L1 hits (2),
     * each written through */
    expect(m, 1, 0x500, HWMEM_READ, 100, 10, HWMEM_OUTER0);
    expect(m, 0, 0x500, HWMEM_WRITE, 200, 22, HWMEM_L1D);
    for (int i = 0; i < 4; i++)
        expect(m, 0, 0x500, HWMEM_WRITE, 300 + (uint64_t)i, 2, HWMEM_L1D);
    assert_int_equal(m->core[0].n.upgrades, 1);
    assert_int_equal(m->core[0].n.writebacks, 6);
    hwmem_free(m);
}

static void test_conversions_saturate(void **state)
{
    (void)state;
    /* 2^60 cycles at 100 MHz are 1.15e25 ps: beyond 2^64, so the answer
     * saturates instead of wrapping to a small number */
    assert_true(hwmem_cycles_to_ps(UINT64_C(1) << 60, 100000000u) == SIM_TIME_MAX);
    /* and (2^64 - 1) ps at 20 THz would be 3.7e20 cycles: saturates too;
     * at 100 GHz it is 1.8e18, which fits: ceil((2^64 - 1) / 10) */
    assert_true(hwmem_ps_to_cycles(SIM_TIME_MAX, UINT64_C(20000000000000)) == UINT64_MAX);
    assert_true(hwmem_ps_to_cycles(SIM_TIME_MAX, UINT64_C(100000000000)) == UINT64_C(1844674407370955162));
}

/* The conversions' 64-bit fast paths against the plain 128-bit formulas
 * (round up): the presets' frequencies, odd ones, and the limits, at
 * values around the paths' boundaries and random ones (splitmix64). */
static void test_conversion_fast_paths(void **state)
{
    (void)state;
    static const uint64_t freqs[] = { 1, 3, 32768, 666666667, 667000000, 1200000000, 3200000000u,
                                      UINT64_C(4294967295), UINT64_C(4294967296), UINT64_C(100000000000) };
    uint64_t z = 42;
    for (size_t i = 0; i < G_N_ELEMENTS(freqs); i++) {
        uint64_t f = freqs[i];
        for (unsigned k = 0; k < 20000; k++) {
            z += UINT64_C(0x9E3779B97F4A7C15);
            uint64_t r = z;
            r = (r ^ (r >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
            r = (r ^ (r >> 27)) * UINT64_C(0x94D049BB133111EB);
            r ^= r >> 31;
            uint64_t specials[] = { 0, 1, 17999999, 18000000, 18000001, UINT64_C(999999999999),
                                    UINT64_C(1000000000000), UINT64_C(1000000000001), SIM_TIME_MAX };
            uint64_t v = k < G_N_ELEMENTS(specials) ? specials[k] : r >> (r % 64);
            unsigned __int128 a = ((unsigned __int128)v * f + 999999999999u) / 1000000000000u;
            uint64_t want_c = a > UINT64_MAX ? UINT64_MAX : (uint64_t)a;
            unsigned __int128 b = ((unsigned __int128)v * 1000000000000u + f - 1) / f;
            uint64_t want_p = b > UINT64_MAX ? UINT64_MAX : (uint64_t)b;
            if (hwmem_ps_to_cycles(v, f) != want_c || hwmem_cycles_to_ps(v, f) != want_p)
                fail_msg("f = %" G_GUINT64_FORMAT ", v = %" G_GUINT64_FORMAT, f, v);
        }
    }
}

/* model/div.h against the division instruction: divisors 1 to 1000,
 * the presets' frequencies, powers of two, random ones of every size and
 * ones of 2^63 and above; numerators 0, 1, around d, around 2^64 and
 * random ones of every size (splitmix64).  And hwmem_ps_of against
 * hwmem_cycles_to_ps at every frequency tried, on both sides of its fast
 * path's bound. */
static void test_division_by_invariant(void **state)
{
    (void)state;
    uint64_t z = 7;
#define NEXT() (z += UINT64_C(0x9E3779B97F4A7C15), \
                z2 = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9), \
                z2 = (z2 ^ (z2 >> 27)) * UINT64_C(0x94D049BB133111EB), z2 ^ (z2 >> 31))
    uint64_t z2;
    static const uint64_t fixed[] = { 667000000, 1200000000, 3200000000u, 110000000, 64000000, 480000000,
                                      UINT64_C(100000000000), UINT64_C(1) << 40, UINT64_C(1) << 63,
                                      (UINT64_C(1) << 63) + 1, UINT64_MAX };
    for (unsigned i = 0; i < 40000; i++) {
        uint64_t d;
        if (i < 1000)
            d = i + 1;
        else if (i < 1000 + G_N_ELEMENTS(fixed))
            d = fixed[i - 1000];
        else {
            uint64_t r = NEXT();
            d = r >> (NEXT() % 64);
            d = d ? d : 1;
        }
        hwdiv v = hwdiv_make(d);
        for (unsigned k = 0; k < 64; k++) {
            uint64_t specials[] = { 0, 1, d - 1, d, d + 1, 2 * d, UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - d };
            uint64_t r = NEXT();
            uint64_t n = k < G_N_ELEMENTS(specials) ? specials[k] : r >> (NEXT() % 64);
            if (hwdiv_div(&v, n) != n / d)
                fail_msg("%" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT ", not %" G_GUINT64_FORMAT,
                         n, d, hwdiv_div(&v, n), n / d);
        }
        if (d <= UINT64_C(100000000000)) {     /* a frequency the loader takes */
            hwmem m = { .cfg = { .freq_hz = d }, .freq = v };
            for (unsigned k = 0; k < 16; k++) {
                uint64_t r = NEXT();
                uint64_t c = k == 0 ? 17999999 : k == 1 ? 18000000 : k == 2 ? 18000001 : r >> (NEXT() % 64);
                assert_true(hwmem_ps_of(&m, c) == hwmem_cycles_to_ps(c, d));
            }
        }
    }
#undef NEXT
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latency_by_level),
        cmocka_unit_test(test_mesi_ping_pong),
        cmocka_unit_test(test_read_after_write_and_upgrade),
        cmocka_unit_test(test_write_back_traffic),
        cmocka_unit_test(test_bus_contention),
        cmocka_unit_test(test_way_partitioning),
        cmocka_unit_test(test_lines_lost_to_another_core),
        cmocka_unit_test(test_lines_lost_to_crowding),
        cmocka_unit_test(test_no_caches),
        cmocka_unit_test(test_cycle_conversion),
        cmocka_unit_test(test_random_replacement_is_deterministic),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_fetch_keeps_coherence),
        cmocka_unit_test(test_write_through_l1),
        cmocka_unit_test(test_conversions_saturate),
        cmocka_unit_test(test_conversion_fast_paths),
        cmocka_unit_test(test_division_by_invariant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
