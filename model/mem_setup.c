/* model/mem_setup.c: the memory system built, configured and torn down:
 * the configuration check, hwmem_new (caches, physical memory, the snoop
 * filter and the eviction records, reserved and committed as written),
 * way partitions and locks, the flush; and the cycle/picosecond
 * conversions.  The accesses themselves are model/mem.c. */
#include "mem.h"

#include <string.h>
#include <sys/mman.h>

G_DEFINE_QUARK(hwmem-error-quark, hwmem_error)

#define BAD(...) do { g_set_error(error, HWMEM_ERROR, HWMEM_ERROR_CONFIG, __VA_ARGS__); return false; } while (0)

/* Both conversions round up, exactly; the common cases avoid 128-bit
 * division (a library call on x86-64 that showed in profiles) with the
 * same results. */
uint64_t hwmem_ps_to_cycles(sim_time_t ps, uint64_t freq_hz)
{
    if (freq_hz < UINT64_C(1) << 32) {
        /* ps = s 1e12 + m 1e6 + u (m, u < 1e6): ps f / 1e12 = s f + (m f 1e6 + u f) / 1e12;
         * with A = m f = q 1e6 + r (r < 1e6), that is s f + q + (r 1e6 + u f) / 1e12,
         * every product below 2^64 (f < 2^32, m, u < 2^20) */
        uint64_t s = ps / UINT64_C(1000000000000), rest = ps % UINT64_C(1000000000000);
        uint64_t m = rest / 1000000u, u = rest % 1000000u;
        uint64_t a = m * freq_hz, q = a / 1000000u, r = a % 1000000u;
        uint64_t tail = r * 1000000u + u * freq_hz;
        unsigned __int128 x = (unsigned __int128)s * freq_hz + q + (tail + 999999999999u) / UINT64_C(1000000000000);
        return x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
    }
    unsigned __int128 x = ((unsigned __int128)ps * freq_hz + 999999999999u) / 1000000000000u;
    return x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;       /* saturate, never wrap */
}

sim_time_t hwmem_cycles_to_ps(uint64_t cycles, uint64_t freq_hz)
{
    if (cycles <= UINT64_C(18000000))   /* cycles 1e12 + f below 2^64 */
        return (cycles * UINT64_C(1000000000000) + freq_hz - 1) / freq_hz;
    unsigned __int128 x = ((unsigned __int128)cycles * 1000000000000u + freq_hz - 1) / freq_hz;
    return x > SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time_t)x;
}

bool hwmem_config_check(const hwmem_config *cfg, GError **error)
{
    if (cfg->cores == 0 || cfg->cores > HWMEM_MAX_CORES)
        BAD("cores: %u is not between 1 and %d", cfg->cores, HWMEM_MAX_CORES);
    if (cfg->freq_hz == 0)
        BAD("frequency_hz: must be above zero");
    if (cfg->size == 0 || cfg->size % 4096 != 0)
        BAD("memory.size: %" G_GUINT64_FORMAT " bytes is not a positive multiple of 4 KiB", cfg->size);
    if (cfg->nouter > HWMEM_MAX_OUTER)
        BAD("caches: at most %d levels below L1", HWMEM_MAX_OUTER);
    unsigned nsock = cfg->sockets ? cfg->sockets : 1;
    if (nsock > HWMEM_MAX_SOCKETS || nsock > cfg->cores)
        BAD("sockets: %u is more than %s (%u)", nsock, nsock > HWMEM_MAX_SOCKETS ? "the model holds" : "the cores",
            nsock > HWMEM_MAX_SOCKETS ? HWMEM_MAX_SOCKETS : cfg->cores);
    if (cfg->cores % nsock != 0)
        BAD("sockets: %u does not divide the %u cores", nsock, cfg->cores);
    unsigned line = 0;
    if (cfg->has_l1) {
        if (!hwcache_config_check(&cfg->l1i, "caches.l1i", error) ||
            !hwcache_config_check(&cfg->l1d, "caches.l1d", error))
            return false;
        if (cfg->l1i.line != cfg->l1d.line)
            BAD("caches.l1i.line: %u differs from caches.l1d.line %u (one line size per machine)",
                cfg->l1i.line, cfg->l1d.line);
        line = cfg->l1d.line;
    }
    /* line state is host memory: bound it (2^23 lines, ~200 MiB) */
    uint64_t lines = 0;
    if (cfg->has_l1)
        lines += (uint64_t)cfg->cores * (cfg->l1i.size / cfg->l1i.line + cfg->l1d.size / cfg->l1d.line);
    for (unsigned k = 0; k < cfg->nouter; k++)
        lines += (cfg->outer[k].shared ? (cfg->outer[k].per_socket ? nsock : 1) : cfg->cores) *
                 (cfg->outer[k].cache.size / MAX(cfg->outer[k].cache.line, 1u));
    if (lines > (UINT64_C(1) << 23))
        BAD("caches: %" G_GUINT64_FORMAT " cache lines in all (every core's and the shared ones) is more than "
            "this model holds (8,388,608)", lines);
    bool seen_shared = false, seen_machine = false;
    for (unsigned k = 0; k < cfg->nouter; k++) {
        const hwmem_outer_config *o = &cfg->outer[k];
        g_autofree char *what = g_strdup_printf("caches.%s", o->name[0] ? o->name : "outer");
        if (!hwcache_config_check(&o->cache, what, error))
            return false;
        if (line && o->cache.line != line)
            BAD("%s.line: %u differs from the line above it (%u): one line size per machine", what, o->cache.line, line);
        line = o->cache.line;
        if (seen_shared && !o->shared)
            BAD("%s.shared: a private level cannot sit below a shared one", what);
        if (o->per_socket && !o->shared)
            BAD("%s.shared: a per-socket level is a shared one", what);
        if (seen_machine && o->per_socket)
            BAD("%s.shared: a per-socket level cannot sit below one shared by every socket", what);
        seen_shared |= o->shared;
        seen_machine |= o->shared && !o->per_socket;
    }
    return true;
}

/* The cache of level k (0 = L1 data, 1.. = outer) as core c sees it. */
hwmem *hwmem_new(const hwmem_config *cfg, uint64_t seed, GError **error)
{
    if (!hwmem_config_check(cfg, error))
        return NULL;
    hwmem *m = g_new0(hwmem, 1);
    m->cfg = *cfg;
    /* without caches the unit moved is a 32-bit word (the Cortex-M's bus) */
    m->line_shift = (unsigned)__builtin_ctz(cfg->has_l1 ? cfg->l1d.line : cfg->nouter ? cfg->outer[0].cache.line : 4);
    m->core = g_new0(hwmem_core, cfg->cores);
    for (unsigned c = 0; c < cfg->cores; c++) {
        char name[48];
        simrng r;
        if (cfg->has_l1) {
            g_snprintf(name, sizeof name, "cache.l1i.%u", c);
            simrng_init(&r, seed, name);
            hwcache_init(&m->core[c].l1i, &cfg->l1i, &r, "caches.l1i", NULL);
            g_snprintf(name, sizeof name, "cache.l1d.%u", c);
            simrng_init(&r, seed, name);
            hwcache_init(&m->core[c].l1d, &cfg->l1d, &r, "caches.l1d", NULL);
        }
        for (unsigned k = 0; k < cfg->nouter; k++)
            if (!cfg->outer[k].shared) {
                g_snprintf(name, sizeof name, "cache.%s.%u", cfg->outer[k].name, c);
                simrng_init(&r, seed, name);
                hwcache_init(&m->core[c].outer[k], &cfg->outer[k].cache, &r, cfg->outer[k].name, NULL);
            }
    }
    m->nsock = cfg->sockets ? cfg->sockets : 1;
    for (unsigned k = 0; k < cfg->nouter; k++) {
        if (!cfg->outer[k].shared)
            continue;
        unsigned n = cfg->outer[k].per_socket ? m->nsock : 1;
        m->xsock |= n > 1;
        m->shared[k] = g_new0(hwcache, n);
        for (unsigned i = 0; i < n; i++) {
            char name[48];
            simrng r;
            /* the one instance keeps the stream name it had before sockets */
            if (n > 1)
                g_snprintf(name, sizeof name, "cache.%s.socket%u", cfg->outer[k].name, i);
            else
                g_snprintf(name, sizeof name, "cache.%s", cfg->outer[k].name);
            simrng_init(&r, seed, name);
            hwcache_init(&m->shared[k][i], &cfg->outer[k].cache, &r, cfg->outer[k].name, NULL);
        }
    }
    for (unsigned c = 0; c < cfg->cores; c++) {
        hwmem_core *hc = &m->core[c];
        hc->socket = c / (cfg->cores / m->nsock);
        hc->lv[0] = &hc->l1d;
        for (unsigned k = 0; k < cfg->nouter; k++)
            hc->lv[k + 1] = !cfg->outer[k].shared ? &hc->outer[k]
                          : &m->shared[k][cfg->outer[k].per_socket ? hc->socket : 0];
    }
    /* Memory is reserved, not committed: pages appear, zero, when first
     * written (reads of an untouched page share the host's zero page).  The
     * kernel's objects are a few scattered pages of it, so no huge pages:
     * where transparent huge pages are on for every mapping, one write would
     * commit 2 MiB around it. */
    void *ram = mmap(NULL, cfg->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        g_set_error(error, HWMEM_ERROR, HWMEM_ERROR_CONFIG, "memory.size: cannot reserve %" G_GUINT64_FORMAT
                    " bytes of host address space for simulated memory", cfg->size);
        hwmem_free(m);
        return NULL;
    }
#if defined(MADV_NOHUGEPAGE)
    (void)madvise(ram, cfg->size, MADV_NOHUGEPAGE);     /* advice: a host without THP refuses it, harmlessly */
#endif
    m->ram = ram;
    m->freq = hwdiv_make(cfg->freq_hz);
    m->all_cores = cfg->cores == 64 ? UINT64_MAX : (UINT64_C(1) << cfg->cores) - 1;
    bool private_data = cfg->has_l1 || (cfg->nouter > 0 && !cfg->outer[0].shared);
    m->holders_width = cfg->cores <= 8 ? 1 : cfg->cores <= 16 ? 2 : cfg->cores <= 32 ? 4 : 8;
    m->holders_bytes = (size_t)(cfg->size >> m->line_shift) * m->holders_width;
    if (cfg->cores > 1 && private_data && !cfg->snoop_all) {
        void *hold = mmap(NULL, m->holders_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                          -1, 0);
        if (hold == MAP_FAILED) {
            g_set_error(error, HWMEM_ERROR, HWMEM_ERROR_CONFIG, "memory.size: cannot reserve %zu bytes of host "
                        "address space for the snoop filter", m->holders_bytes);
            hwmem_free(m);
            return NULL;
        }
        m->holders = hold;
    }
    /* who evicted each line, per shared level: one byte per line of
     * physical memory, reserved and committed only where written */
    m->evicted_bytes = (size_t)(cfg->size >> m->line_shift);
    for (unsigned k = 0; k < cfg->nouter; k++) {
        for (unsigned i = 0; cfg->outer[k].shared && i < (cfg->outer[k].per_socket ? m->nsock : 1); i++) {
            void *rec = mmap(NULL, m->evicted_bytes, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (rec == MAP_FAILED) {
                g_set_error(error, HWMEM_ERROR, HWMEM_ERROR_CONFIG, "memory.size: cannot reserve %zu bytes of host "
                            "address space for the %s's eviction records", m->evicted_bytes, cfg->outer[k].name);
                hwmem_free(m);
                return NULL;
            }
            m->evicted[k][i] = rec;
        }
    }
    return m;
}

void hwmem_free(hwmem *m)
{
    if (m == NULL)
        return;
    for (unsigned c = 0; m->core && c < m->cfg.cores; c++) {
        hwcache_free(&m->core[c].l1i);
        hwcache_free(&m->core[c].l1d);
        for (unsigned k = 0; k < HWMEM_MAX_OUTER; k++)
            hwcache_free(&m->core[c].outer[k]);
    }
    for (unsigned k = 0; k < HWMEM_MAX_OUTER; k++) {
        for (unsigned i = 0; m->shared[k] && i < (m->cfg.outer[k].per_socket ? m->nsock : 1); i++)
            hwcache_free(&m->shared[k][i]);
        g_free(m->shared[k]);
    }
    if (m->ram)
        munmap(m->ram, m->cfg.size);
    for (unsigned k = 0; k < HWMEM_MAX_OUTER; k++)
        for (unsigned i = 0; i < HWMEM_MAX_SOCKETS; i++)
            if (m->evicted[k][i])
                munmap(m->evicted[k][i], m->evicted_bytes);
    if (m->holders)
        munmap(m->holders, m->holders_bytes);
    g_free(m->core);
    g_free(m);
}

static bool check_level(const hwmem *m, unsigned lvl, GError **error)
{
    if (lvl >= m->cfg.nouter || !m->cfg.outer[lvl].shared)
        BAD("way partitioning applies to a shared cache level; level %u (counting from 1 below the L1s) is not one",
            lvl + 1);
    return true;
}

bool hwmem_set_partition(hwmem *m, unsigned lvl, unsigned core, uint64_t ways, GError **error)
{
    if (!check_level(m, lvl, error))
        return false;
    if (core >= m->cfg.cores)
        BAD("partition: core %u does not exist (the machine has %u)", core, m->cfg.cores);
    if (ways & ~m->shared[lvl][0].all_ways)
        BAD("partition: ways 0x%" G_GINT64_MODIFIER "x include ways %s does not have", ways, m->cfg.outer[lvl].name);
    m->fill_mask[lvl][core] = ways;
    return true;
}

bool hwmem_lock_ways(hwmem *m, unsigned lvl, uint64_t ways, GError **error)
{
    if (!check_level(m, lvl, error))
        return false;
    if (ways & ~m->shared[lvl][0].all_ways)
        BAD("lock: ways 0x%" G_GINT64_MODIFIER "x include ways %s does not have", ways, m->cfg.outer[lvl].name);
    m->locked[lvl] = ways;
    return true;
}

void hwmem_flush_all(hwmem *m)
{
    /* a reset, not traffic: dirty lines are dropped uncounted, as if they
     * had been written back before the measurement began */
    for (unsigned c = 0; c < m->cfg.cores; c++) {
        if (m->cfg.has_l1) {
            hwcache_invalidate_all(&m->core[c].l1i);
            hwcache_invalidate_all(&m->core[c].l1d);
        }
        for (unsigned k = 0; k < m->cfg.nouter; k++)
            if (!m->cfg.outer[k].shared)
                hwcache_invalidate_all(&m->core[c].outer[k]);
    }
    if (m->holders)
        madvise(m->holders, m->holders_bytes, MADV_DONTNEED);   /* no private copies: zeros */
    for (unsigned k = 0; k < m->cfg.nouter; k++)
        for (unsigned i = 0; m->cfg.outer[k].shared && i < (m->cfg.outer[k].per_socket ? m->nsock : 1); i++) {
            hwcache_invalidate_all(&m->shared[k][i]);
            /* nobody evicted anything yet: the pages go back, reading as zeros */
            madvise(m->evicted[k][i], m->evicted_bytes, MADV_DONTNEED);
        }
}
