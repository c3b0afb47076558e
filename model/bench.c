/* model/bench.c: cache-model benchmarks (see bench.h). */
#include "bench.h"

#include "mem.h"

static hwmem_config a9_like(void)
{
    /* the geometry of a Zynq-7000 (two Cortex-A9, 32 KiB 4-way L1s,
     * 512 KiB 8-way shared L2, 32-byte lines); latencies do not matter for
     * the host-side speed */
    hwmem_config cfg = {
        .cores = 2, .freq_hz = 667000000, .size = UINT64_C(256) << 20, .has_l1 = true,
        .l1i = { 32768, 4, 32, 1, HWCACHE_PLRU, false },
        .l1d = { 32768, 4, 32, 4, HWCACHE_PLRU, true },
        .nouter = 1,
        .outer = { { .cache = { 524288, 8, 32, 25, HWCACHE_PLRU, true }, .shared = true, .name = "l2" } },
        .mem_latency = 80 * SIM_NS, .bus_line = 5 * SIM_NS, .coherence_cycles = 30,
    };
    return cfg;
}

static double rate(uint64_t n, gint64 t0)
{
    return (double)n / ((double)(g_get_monotonic_time() - t0) / 1e6);
}

bool hwbench_caches(double scale, GString *text, GString *json, GError **error)
{
    hwmem_config cfg = a9_like();
    hwmem *m = hwmem_new(&cfg, 1, error);
    if (m == NULL)
        return false;
    /* L1 hits: reads and writes cycling over 16 KiB (half the L1D) */
    uint64_t n = (uint64_t)(50e6 * scale);
    for (uint64_t a = 0; a < 16384; a += 32)
        hwmem_access(m, 0, a, HWMEM_WRITE, 0, NULL);
    gint64 t0 = g_get_monotonic_time();
    sim_time_t now = 0;
    for (uint64_t i = 0; i < n; i++) {
        hwmem_access(m, 0, (i * 4) & 16383, (i & 7) ? HWMEM_READ : HWMEM_WRITE, now, NULL);
        now += 1500;
    }
    double hit_rate = rate(n, t0);
    g_assert(m->core[0].n.served[HWMEM_L1D] >= n);
    /* misses: pseudo-random lines over 128 MiB from both cores, so most go
     * to memory, with evictions, write-backs and coherence traffic */
    uint64_t k = (uint64_t)(5e6 * scale);
    simrng r;
    simrng_init(&r, 1, "bench.addresses");
    t0 = g_get_monotonic_time();
    for (uint64_t i = 0; i < k; i++) {
        uint64_t a = simrng_below(&r, UINT64_C(128) << 20) & ~(uint64_t)3;
        hwmem_access(m, (unsigned)(i & 1), a, (i % 3) ? HWMEM_READ : HWMEM_WRITE, now, NULL);
        now += 100000;
    }
    double miss_rate = rate(k, t0);
    uint64_t dram = m->core[0].n.served[HWMEM_DRAM] + m->core[1].n.served[HWMEM_DRAM];
    g_string_append_printf(text, "cache L1 hits      %6.1f M/s   (%" G_GUINT64_FORMAT " accesses, Cortex-A9-like hierarchy)\n",
                           hit_rate / 1e6, n);
    g_string_append_printf(text, "cache misses       %6.1f M/s   (%" G_GUINT64_FORMAT " accesses, %.0f%% from memory)\n",
                           miss_rate / 1e6, k, 100.0 * (double)dram / (double)k);
    g_string_append_printf(json, "\"cache_hit_accesses\":%" G_GUINT64_FORMAT ",\"cache_hit_accesses_per_second\":%.0f,"
                           "\"cache_miss_accesses\":%" G_GUINT64_FORMAT ",\"cache_miss_accesses_per_second\":%.0f",
                           n, hit_rate, k, miss_rate);
    hwmem_free(m);
    return true;
}
