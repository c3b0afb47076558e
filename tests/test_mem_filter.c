/* tests/test_mem_filter.c: the snoop filter (model/mem.h, `holders`) is
 * host-side only.  Two memory systems with one configuration, one with the
 * filter and one snooping every other core on each private miss (the
 * model's behaviour before the filter, `snoop_all`), are driven by the same
 * seeded stream of random reads, writes, fetches and ranges from many
 * cores over lines they share; after every access the two must have
 * returned the same cycles and source, and every counter of every core
 * must agree; at the end (and at checkpoints) every cache's tags, stamps,
 * states and owners, the bus and the eviction records must be the same.
 * No figure here comes from the model: the reference is the model without
 * the filter, so any difference at all is a failure. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "model/mem.h"

static uint64_t next(uint64_t *z)
{
    uint64_t r = (*z += UINT64_C(0x9E3779B97F4A7C15));
    r = (r ^ (r >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    r = (r ^ (r >> 27)) * UINT64_C(0x94D049BB133111EB);
    return r ^ (r >> 31);
}

static hwmem *make(const hwmem_config *cfg, bool snoop_all)
{
    hwmem_config c = *cfg;
    c.snoop_all = snoop_all;
    GError *err = NULL;
    hwmem *m = hwmem_new(&c, 7, &err);
    if (m == NULL)
        fail_msg("hwmem_new: %s", err->message);
    assert_true(snoop_all ? m->holders == NULL : m->holders != NULL);
    return m;
}

static void same_cache(const hwcache *a, const hwcache *b, const char *what, unsigned core)
{
    size_t n = (size_t)a->sets * a->cfg.ways;
    if (memcmp(a->tags, b->tags, n * sizeof *a->tags) || memcmp(a->stamps, b->stamps, n * sizeof *a->stamps) ||
        memcmp(a->lines, b->lines, n * sizeof *a->lines) || a->clock != b->clock ||
        (a->plru && memcmp(a->plru, b->plru, a->sets * sizeof *a->plru)))
        fail_msg("%s of core %u differs with the filter", what, core);
}

static void same_state(const hwmem *a, const hwmem *b)
{
    for (unsigned c = 0; c < a->cfg.cores; c++) {
        if (a->cfg.has_l1) {
            same_cache(&a->core[c].l1i, &b->core[c].l1i, "l1i", c);
            same_cache(&a->core[c].l1d, &b->core[c].l1d, "l1d", c);
        }
        for (unsigned k = 0; k < a->cfg.nouter; k++)
            if (!a->cfg.outer[k].shared)
                same_cache(&a->core[c].outer[k], &b->core[c].outer[k], a->cfg.outer[k].name, c);
        assert_true(a->bus_own_end[c] == b->bus_own_end[c]);
    }
    for (unsigned k = 0; k < a->cfg.nouter; k++)
        for (unsigned i = 0; a->cfg.outer[k].shared && i < (a->cfg.outer[k].per_socket ? a->nsock : 1); i++) {
            same_cache(&a->shared[k][i], &b->shared[k][i], a->cfg.outer[k].name, i);
            assert_memory_equal(a->evicted[k][i], b->evicted[k][i], a->evicted_bytes);
        }
    assert_true(a->bus_free == b->bus_free);
}

/* `n` accesses from every core (partitioned shared ways, below), at increasing times: a quarter of them
 * on 64 lines every core uses (the coherence traffic: transfers,
 * upgrades, invalidations), the rest on a core's own 4 KiB, with
 * neighbours' regions overlapping (lines shared by a few cores) and
 * enough of them to evict from every level (so the filter goes stale and
 * is cleaned).  Every 5,000 accesses the states are compared whole and
 * checked (hwmem_verify: the filter names every holder); at 40% all
 * caches are flushed. */
static void run(const hwmem_config *cfg, unsigned n, uint64_t seed)
{
    hwmem *f = make(cfg, false), *r = make(cfg, true);
    /* a shared last level with ways partitioned: even cores fill the low
     * half, odd ones the high half, and the top way locked */
    unsigned last = cfg->nouter - 1;
    if (cfg->outer[last].shared) {
        uint64_t all = f->shared[last][0].all_ways, low = all >> (cfg->outer[last].cache.ways / 2);
        for (unsigned c = 0; c < cfg->cores; c++) {
            assert_true(hwmem_set_partition(f, last, c, c % 2 ? all & ~low : low, NULL));
            assert_true(hwmem_set_partition(r, last, c, c % 2 ? all & ~low : low, NULL));
        }
        if (seed == 2) {
            assert_true(hwmem_lock_ways(f, last, all & ~(all >> 1), NULL));
            assert_true(hwmem_lock_ways(r, last, all & ~(all >> 1), NULL));
        }
    }
    uint64_t z = seed, line = UINT64_C(1) << f->line_shift;
    sim_time_t now = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t x = next(&z);
        unsigned c = (unsigned)(x % cfg->cores);
        uint64_t y = next(&z);
        uint64_t a = (y & 3) == 0 ? (y >> 8) % 64 * line
                                  : ((uint64_t)c * 2048 + (y >> 8) % 4096) % cfg->size;
        unsigned kind = (unsigned)((y >> 2) % 8);     /* 0-3 read, 4-5 write, 6 fetch, 7 a range */
        now += (x >> 32) % 3000;
        if (kind == 7) {
            uint64_t len = 1 + (y >> 40) % (4 * line);
            if (a + len > cfg->size)
                len = cfg->size - a;
            hwmem_kind k = (y >> 60) & 1 ? HWMEM_WRITE : HWMEM_READ;
            uint64_t cf = hwmem_access_range(f, c, a, len, k, now), cr = hwmem_access_range(r, c, a, len, k, now);
            if (cf != cr)
                fail_msg("access %u: a range of core %u at 0x%lx: %lu cycles with the filter, %lu without", i, c,
                         (unsigned long)a, (unsigned long)cf, (unsigned long)cr);
        } else {
            hwmem_kind k = kind < 4 ? HWMEM_READ : kind < 6 ? HWMEM_WRITE : HWMEM_FETCH;
            hwmem_source sf, sr;
            uint64_t cf = hwmem_access(f, c, a, k, now, &sf), cr = hwmem_access(r, c, a, k, now, &sr);
            if (cf != cr || sf != sr)
                fail_msg("access %u: core %u kind %d at 0x%lx: %lu cycles from %d with the filter, %lu from %d "
                         "without", i, c, k, (unsigned long)a, (unsigned long)cf, sf, (unsigned long)cr, sr);
        }
        for (unsigned p = 0; p < cfg->cores; p++)
            if (memcmp(&f->core[p].n, &r->core[p].n, sizeof f->core[p].n))
                fail_msg("access %u: core %u's counters differ with the filter", i, p);
        if (i % 5000 == 4999) {
            same_state(f, r);
            assert_true(hwmem_verify(f));
        }
        if (i == n * 2 / 5) {
            hwmem_flush_all(f);
            hwmem_flush_all(r);
        }
    }
    same_state(f, r);
    assert_true(hwmem_verify(f));
    /* the traffic was what it was meant to be: coherence of every kind */
    uint64_t transfers = 0, upgrades = 0, invalidations = 0, writebacks = 0;
    for (unsigned p = 0; p < cfg->cores; p++) {
        transfers += f->core[p].n.coherence_transfers;
        upgrades += f->core[p].n.upgrades;
        invalidations += f->core[p].n.invalidations;
        writebacks += f->core[p].n.writebacks;
    }
    if (g_getenv("VERBOSE"))
        printf("%lu transfers, %lu upgrades, %lu invalidations, %lu write-backs\n", (unsigned long)transfers,
               (unsigned long)upgrades, (unsigned long)invalidations, (unsigned long)writebacks);
    assert_true(upgrades > 50 && invalidations > 100 && writebacks > 100);
    /* write-through private levels hold nothing Modified: no transfers */
    assert_true(cfg->l1d.write_back || !cfg->has_l1 ? transfers > 100 : transfers == 0);
    hwmem_free(f);
    hwmem_free(r);
}

static const hwmem_config base = {
    .freq_hz = 1000000000, .size = 1 << 20, .has_l1 = true,
    .l1i = { 256, 2, 32, 2, HWCACHE_LRU, true },
    .l1d = { 256, 2, 32, 2, HWCACHE_LRU, true },
    .mem_latency = 50 * SIM_NS, .bus_line = 10 * SIM_NS, .coherence_cycles = 20,
};

/* 64 cores, the x86_64 shape: private L1s and L2, shared L3. */
static void test_64_cores_private_l2(void **state)
{
    (void)state;
    hwmem_config cfg = base;
    cfg.cores = 64;
    cfg.nouter = 2;
    cfg.outer[0] = (hwmem_outer_config){ .cache = { 1024, 4, 32, 10, HWCACHE_PLRU, true }, .name = "l2" };
    cfg.outer[1] = (hwmem_outer_config){ .cache = { 8192, 8, 32, 30, HWCACHE_LRU, true }, .shared = true, .name = "l3" };
    run(&cfg, 60000, 1);
}

/* 13 cores (not a power of two), write-through L1s, a shared L2 with
 * random replacement and partitioned ways. */
static void test_13_cores_write_through(void **state)
{
    (void)state;
    hwmem_config cfg = base;
    cfg.cores = 13;
    cfg.l1d.write_back = false;
    cfg.l1d.policy = HWCACHE_FIFO;
    cfg.nouter = 1;
    cfg.outer[0] = (hwmem_outer_config){ .cache = { 4096, 8, 32, 10, HWCACHE_RANDOM, true }, .shared = true, .name = "l2" };
    run(&cfg, 40000, 2);
}

/* 64 cores without L1s: the private data level is an L2. */
static void test_64_cores_no_l1(void **state)
{
    (void)state;
    hwmem_config cfg = base;
    cfg.cores = 64;
    cfg.has_l1 = false;
    cfg.nouter = 2;
    cfg.outer[0] = (hwmem_outer_config){ .cache = { 512, 2, 32, 10, HWCACHE_LRU, true }, .name = "l2" };
    cfg.outer[1] = (hwmem_outer_config){ .cache = { 8192, 8, 32, 30, HWCACHE_PLRU, true }, .shared = true, .name = "l3" };
    run(&cfg, 40000, 3);
}

/* Speck's shape: 40 cores in 4 sockets of 10, private L1s and L2, an L3
 * per socket; transfers across sockets at their own price. */
static void test_40_cores_4_sockets(void **state)
{
    (void)state;
    hwmem_config cfg = base;
    cfg.cores = 40;
    cfg.sockets = 4;
    cfg.socket_cycles = 70;
    cfg.nouter = 2;
    cfg.outer[0] = (hwmem_outer_config){ .cache = { 1024, 4, 32, 10, HWCACHE_PLRU, true }, .name = "l2" };
    cfg.outer[1] = (hwmem_outer_config){ .cache = { 4096, 8, 32, 30, HWCACHE_LRU, true }, .shared = true,
                                         .per_socket = true, .name = "l3" };
    run(&cfg, 60000, 4);
}

/* 16 cores in 4 clusters: an L2 per cluster above an L3 every cluster
 * shares. */
static void test_16_cores_4_clusters(void **state)
{
    (void)state;
    hwmem_config cfg = base;
    cfg.cores = 16;
    cfg.sockets = 4;
    cfg.socket_cycles = 90;
    cfg.nouter = 2;
    cfg.outer[0] = (hwmem_outer_config){ .cache = { 2048, 4, 32, 10, HWCACHE_PLRU, true }, .shared = true,
                                         .per_socket = true, .name = "l2" };
    cfg.outer[1] = (hwmem_outer_config){ .cache = { 8192, 8, 32, 30, HWCACHE_LRU, true }, .shared = true, .name = "l3" };
    run(&cfg, 40000, 5);
}

/* The filter's entries are 1, 2, 4 or 8 bytes, the narrowest with a bit
 * per core (mem.h, holders_width): 6 cores (the i7-8700's count) take the
 * 1-byte entries, 24 the 4-byte ones; the cases above cover 2 and 8. */
static void test_6_cores(void **state)
{
    (void)state;
    hwmem_config cfg = base;
    cfg.cores = 6;
    cfg.nouter = 2;
    cfg.outer[0] = (hwmem_outer_config){ .cache = { 1024, 4, 32, 10, HWCACHE_PLRU, true }, .name = "l2" };
    cfg.outer[1] = (hwmem_outer_config){ .cache = { 8192, 8, 32, 30, HWCACHE_LRU, true }, .shared = true, .name = "l3" };
    run(&cfg, 40000, 6);
}

static void test_24_cores(void **state)
{
    (void)state;
    hwmem_config cfg = base;
    cfg.cores = 24;
    cfg.nouter = 1;
    cfg.outer[0] = (hwmem_outer_config){ .cache = { 8192, 8, 32, 30, HWCACHE_LRU, true }, .shared = true, .name = "l2" };
    run(&cfg, 40000, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_6_cores),
        cmocka_unit_test(test_24_cores),
        cmocka_unit_test(test_40_cores_4_sockets),
        cmocka_unit_test(test_16_cores_4_clusters),
        cmocka_unit_test(test_64_cores_private_l2),
        cmocka_unit_test(test_13_cores_write_through),
        cmocka_unit_test(test_64_cores_no_l1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
