/* model/mem.c: caches, coherence, the bus and physical memory (see mem.h). */
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
static inline hwcache *level(hwmem *m, unsigned c, unsigned k)
{
    return m->core[c].lv[k];
}

/* The instance of shared level k that core c uses: its socket's, or the one. */
static inline unsigned inst(const hwmem *m, unsigned c, unsigned k)
{
    return m->cfg.outer[k - 1].per_socket ? m->core[c].socket : 0;
}

static inline bool level_shared(const hwmem *m, unsigned k)
{
    return k > 0 && m->cfg.outer[k - 1].shared;
}

static inline unsigned first_level(const hwmem *m)
{
    return m->cfg.has_l1 ? 0 : 1;
}

static inline unsigned levels_end(const hwmem *m)
{
    return m->cfg.nouter + 1;
}

static inline uint64_t fill_ways(const hwmem *m, unsigned c, unsigned k)
{
    if (!level_shared(m, k))
        return 0;   /* all */
    uint64_t ways = m->fill_mask[k - 1][c] ? m->fill_mask[k - 1][c] : m->shared[k - 1][0].all_ways;
    return ways & ~m->locked[k - 1];
}

/* The snoop filter (mem.h, `holders`): the other cores that may hold
 * line la privately, every other core without the filter. */
static inline uint64_t holders_of(const hwmem *m, uint64_t la)
{
    switch (m->holders_width) {
    case 1: return ((const uint8_t *)m->holders)[la];
    case 2: return ((const uint16_t *)m->holders)[la];
    case 4: return ((const uint32_t *)m->holders)[la];
    default: return ((const uint64_t *)m->holders)[la];
    }
}

static inline void set_holders(hwmem *m, uint64_t la, uint64_t v)
{
    switch (m->holders_width) {
    case 1: ((uint8_t *)m->holders)[la] = (uint8_t)v; break;
    case 2: ((uint16_t *)m->holders)[la] = (uint16_t)v; break;
    case 4: ((uint32_t *)m->holders)[la] = (uint32_t)v; break;
    default: ((uint64_t *)m->holders)[la] = v; break;
    }
}

static inline uint64_t peers(const hwmem *m, unsigned c, uint64_t la)
{
    return (m->holders ? holders_of(m, la) : m->all_cores) & ~(UINT64_C(1) << c);
}

/* Core p holds no private copy of la (any more). */
static inline void forget(hwmem *m, unsigned p, uint64_t la)
{
    if (m->holders)
        set_holders(m, la, holders_of(m, la) & ~(UINT64_C(1) << p));
}

/* Reserve the bus for one line from `now` for core c; the wait.  *cross
 * (may be NULL) is the part of the wait not spent behind c's own transfers
 * (the bus is first come first served, so the wait is behind the
 * reservations up to bus_free; those up to the end of c's own last one are
 * counted as c's own: exact when one core uses the bus, and a lower bound
 * on the cross-core part otherwise). */
static sim_time_t bus_transfer(hwmem *m, unsigned c, sim_time_t now, sim_time_t *cross)
{
    sim_time_t start = now > m->bus_free ? now : m->bus_free;
    m->bus_free = start + m->cfg.bus_line;
    if (cross) {
        sim_time_t own = m->bus_own_end[c] > now ? m->bus_own_end[c] - now : 0;
        *cross = start - now > own ? start - now - own : 0;
    }
    m->bus_own_end[c] = m->bus_free;
    return start - now;
}

static void fill(hwmem *m, unsigned c, unsigned k, uint64_t la, hwcache_state st, sim_time_t now);

/* Who uses core c's level k for this access: the core being served, or,
 * for a write-back into another socket's instance (a downgrade there), c. */
static inline unsigned user(const hwmem *m, unsigned c, unsigned k)
{
    return level_shared(m, k) && inst(m, m->cause, k) != inst(m, c, k) ? c : m->cause;
}

/* A dirty line leaves level k of core c: the next level down takes it, or
 * memory does (over the bus). */
static void writeback(hwmem *m, unsigned c, unsigned k, uint64_t la, sim_time_t now)
{
    m->core[c].n.writebacks++;
    for (unsigned j = k + 1; j < levels_end(m); j++) {
        hwcache *h = level(m, c, j);
        if (!h->cfg.write_back)
            continue;                   /* written through: on to the next */
        hwcache_line *l = hwcache_find(h, la);
        if (l) {
            l->state = HWCACHE_MODIFIED;
            l->owner = (uint8_t)user(m, c, j);
            return;
        }
        if (fill_ways(m, c, j) == 0 && level_shared(m, j))
            continue;                   /* no way to put it in */
        fill(m, c, j, la, HWCACHE_MODIFIED, now);
        return;
    }
    m->core[c].n.mem_writes++;
    bus_transfer(m, c, now, NULL);
}

static void fill(hwmem *m, unsigned c, unsigned k, uint64_t la, hwcache_state st, sim_time_t now)
{
    uint64_t ways = fill_ways(m, c, k);
    if (level_shared(m, k) && ways == 0)
        return;                         /* this core may not allocate here */
    hwcache_victim v;
    hwcache *h = level(m, c, k);
    hwcache_line *l = hwcache_fill(h, la, st, ways, &v);
    if (!level_shared(m, k) && m->holders)
        set_holders(m, la, holders_of(m, la) | UINT64_C(1) << c);    /* a private copy: snoops must see it */
    if (level_shared(m, k)) {
        /* the line is here again, the cause's (the core whose access
         * this is, a write-back or downgrade included).  Its victim was
         * another core's line (the core that used it last), pushed out by
         * the cause: that core's loss; or the cause's own, pushed out
         * while lines of other cores hold ways the cause may fill (with
         * those ways it would have kept it): the cause's loss to them */
        unsigned cause = user(m, c, k);
        uint8_t *rec = m->evicted[k - 1][inst(m, c, k)];
        l->owner = (uint8_t)cause;
        rec[la] = 0;
        if (v.state != HWCACHE_INVALID) {
            bool lost = v.owner != cause;
            if (!lost) {
                const hwcache_line *set = &h->lines[(size_t)hwcache_set_of(h, la) * h->cfg.ways];
                uint64_t may = ways ? ways : h->all_ways;
                for (unsigned w = 0; w < h->cfg.ways && !lost; w++)
                    lost = ((may >> w) & 1) && set[w].state != HWCACHE_INVALID && set[w].owner != cause;
            }
            rec[v.line_addr] = lost ? (uint8_t)(v.owner + 1) : 0;
        }
    }
    if (v.state == HWCACHE_MODIFIED)
        writeback(m, c, k, v.line_addr, now);
}

/* The strongest state core p holds line la in, over its private data levels. */
static hwcache_state peer_state(hwmem *m, unsigned p, uint64_t la)
{
    hwcache_state best = HWCACHE_INVALID;
    for (unsigned k = first_level(m); k < levels_end(m) && !level_shared(m, k); k++) {
        hwcache_line *l = hwcache_find(level(m, p, k), la);
        if (l && l->state > best)
            best = (hwcache_state)l->state;
    }
    return best;
}

/* Another core reads: p keeps Shared copies; a Modified one is written to
 * the shared level first. */
static void peer_downgrade(hwmem *m, unsigned p, uint64_t la, sim_time_t now)
{
    bool dirty = false;
    unsigned last = first_level(m);
    for (unsigned k = first_level(m); k < levels_end(m) && !level_shared(m, k); k++) {
        hwcache_line *l = hwcache_find(level(m, p, k), la);
        last = k;
        if (l) {
            dirty |= l->state == HWCACHE_MODIFIED;
            l->state = HWCACHE_SHARED;
        }
    }
    if (dirty)
        writeback(m, p, last, la, now);
}

/* Another core writes: p loses every copy. */
static void peer_invalidate(hwmem *m, unsigned p, uint64_t la)
{
    for (unsigned k = first_level(m); k < levels_end(m) && !level_shared(m, k); k++)
        if (hwcache_invalidate(level(m, p, k), la) != HWCACHE_INVALID)
            m->core[p].n.invalidations++;
    forget(m, p, la);
}

/* Make core c the only holder (before it writes a line it has Shared);
 * whether a copy in another socket went. */
static bool invalidate_others(hwmem *m, unsigned c, uint64_t la)
{
    bool far = false;
    for (uint64_t s = peers(m, c, la); s; s &= s - 1) {
        unsigned p = (unsigned)__builtin_ctzll(s);
        far |= m->core[p].socket != m->core[c].socket && peer_state(m, p, la) != HWCACHE_INVALID;
        peer_invalidate(m, p, la);
    }
    return far;
}

/* Other sockets' per-socket levels (m->xsock): the copies of la there,
 * REMOTE_ANY, and REMOTE_DIRTY if one is Modified (then it is the only
 * one: hwmem_verify).  `drop`: a write by core c, every one goes. */
enum { REMOTE_ANY = 1, REMOTE_DIRTY = 2 };
static unsigned remote(hwmem *m, unsigned c, uint64_t la, bool drop)
{
    unsigned found = 0, own = m->core[c].socket;
    for (unsigned k = 1; k < levels_end(m); k++) {
        if (!m->cfg.outer[k - 1].per_socket)
            continue;
        for (unsigned s = 0; s < m->nsock; s++) {
            if (s == own)
                continue;
            hwcache *h = &m->shared[k - 1][s];
            hwcache_line *l = hwcache_find(h, la);
            if (l == NULL)
                continue;
            found |= REMOTE_ANY | (l->state == HWCACHE_MODIFIED ? REMOTE_DIRTY : 0);
            if (drop)
                hwcache_invalidate(h, la);
        }
    }
    return found;
}

/* The cost of moving a line to core c from a cache of socket `from`. */
static inline unsigned transfer_cycles(const hwmem *m, unsigned c, unsigned from)
{
    return from == m->core[c].socket ? m->cfg.coherence_cycles : m->cfg.socket_cycles;
}

/* Core c missed shared level k on line la: was it c's line when another
 * core pushed it out of there?  The first such level is the one noted. */
static inline void note_shared_miss(hwmem *m, unsigned c, unsigned k, uint64_t la)
{
    if (m->evicted[k - 1][inst(m, c, k)][la] == c + 1u && m->evict_level < 0)
        m->evict_level = (int)k;
}

static uint64_t from_memory(hwmem *m, unsigned c, sim_time_t now, uint64_t tag_cycles)
{
    sim_time_t cross;
    sim_time_t wait = bus_transfer(m, c, now, &cross);
    uint64_t waitc = hwmem_ps_to_cycles(wait, m->cfg.freq_hz);
    m->core[c].n.bus_wait_cycles += waitc;
    m->core[c].n.cross_cycles += hwmem_ps_to_cycles(cross, m->cfg.freq_hz);
    return tag_cycles + hwmem_ps_to_cycles(wait + m->cfg.mem_latency, m->cfg.freq_hz);
}

/* An instruction fetch.  Instruction lines take no part in coherence, so
 * a fetch never installs a line in the private data levels (that would be
 * a copy the MESI protocol does not know of): it looks there, takes a line
 * another core holds Modified as a transfer (without changing its state),
 * and fills only the L1I and the shared levels. */
static uint64_t fetch(hwmem *m, unsigned c, uint64_t la, sim_time_t now, hwmem_source *from)
{
    static const hwmem_source src_of[] = { HWMEM_L1D, HWMEM_OUTER0, HWMEM_OUTER1 };
    hwmem_core *core = &m->core[c];
    if (m->cfg.has_l1) {
        hwcache_line *l = hwcache_find(&core->l1i, la);
        if (l) {
            hwcache_touch(&core->l1i, l);
            *from = HWMEM_L1I;
            return core->l1i.cfg.hit_cycles;
        }
        core->n.misses[HWMEM_L1I]++;
    }
    uint64_t cyc = 0;
    bool found = false;
    unsigned k;
    /* 1. this core's private outer levels: a hit, no fill */
    for (k = 1; k < levels_end(m) && !level_shared(m, k); k++) {
        hwcache *h = level(m, c, k);
        hwcache_line *l = hwcache_find(h, la);
        if (l) {
            hwcache_touch(h, l);
            cyc = h->cfg.hit_cycles;
            *from = src_of[k];
            found = true;
            break;
        }
        core->n.misses[src_of[k]]++;
    }
    unsigned first_shared = k;
    /* 2. a line another core has written */
    for (uint64_t s = found ? 0 : peers(m, c, la); s && !found; s &= s - 1) {
        unsigned p = (unsigned)__builtin_ctzll(s);
        hwcache_state ps = peer_state(m, p, la);
        if (ps == HWCACHE_INVALID)
            forget(m, p, la);
        if (ps == HWCACHE_MODIFIED) {
            cyc = transfer_cycles(m, c, m->core[p].socket);
            core->n.coherence_transfers++;
            core->n.socket_transfers += m->core[p].socket != m->core[c].socket;
            core->n.cross_cycles += cyc;
            *from = HWMEM_PEER;
            found = true;
        }
    }
    /* ... or another socket's level holds dirty (its copy is the only one) */
    if (!found && m->xsock && (remote(m, c, la, false) & REMOTE_DIRTY)) {
        cyc = m->cfg.socket_cycles;
        core->n.coherence_transfers++;
        core->n.socket_transfers++;
        core->n.cross_cycles += cyc;
        *from = HWMEM_PEER;
        found = true;
    }
    /* 3. the shared levels, then memory */
    if (!found) {
        for (k = first_shared; k < levels_end(m); k++) {
            hwcache *h = level(m, c, k);
            hwcache_line *l = hwcache_find(h, la);
            if (l) {
                hwcache_touch(h, l);
                l->owner = (uint8_t)c;
                cyc = h->cfg.hit_cycles;
                *from = src_of[k];
                found = true;
                for (unsigned j = k; j-- > first_shared;)
                    fill(m, c, j, la, HWCACHE_EXCLUSIVE, now);
                break;
            }
            core->n.misses[src_of[k]]++;
            note_shared_miss(m, c, k, la);
        }
    }
    if (!found) {
        uint64_t tag = m->cfg.nouter ? level(m, c, m->cfg.nouter)->cfg.hit_cycles
                                     : (m->cfg.has_l1 ? core->l1i.cfg.hit_cycles : 0);
        cyc = from_memory(m, c, now, tag);
        *from = HWMEM_DRAM;
        for (unsigned j = levels_end(m) - 1; j >= first_shared && j >= 1; j--)
            fill(m, c, j, la, HWCACHE_EXCLUSIVE, now);
    }
    if (m->cfg.has_l1) {
        hwcache_victim v;
        hwcache_fill(&core->l1i, la, HWCACHE_EXCLUSIVE, 0, &v);   /* instruction lines are never dirty */
    }
    return cyc;
}

static uint64_t data(hwmem *m, unsigned c, uint64_t la, bool write, sim_time_t now, hwmem_source *from)
{
    hwmem_core *core = &m->core[c];
    static const hwmem_source src_of[] = { HWMEM_L1D, HWMEM_OUTER0, HWMEM_OUTER1 };
    /* 1. this core's private levels */
    unsigned k;
    for (k = first_level(m); k < levels_end(m) && !level_shared(m, k); k++) {
        hwcache *h = level(m, c, k);
        hwcache_line *l = hwcache_find(h, la);
        if (l == NULL) {
            core->n.misses[src_of[k]]++;
            continue;
        }
        hwcache_touch(h, l);
        uint64_t cyc = h->cfg.hit_cycles;
        hwcache_state st = (hwcache_state)l->state;
        /* other sockets' levels may hold it (Shared here; Exclusive: a
         * fetch's copy, which takes no part in coherence) */
        bool far = write && st != HWCACHE_MODIFIED && m->xsock && remote(m, c, la, true);
        if (write && st == HWCACHE_SHARED) {
            far |= invalidate_others(m, c, la);
            unsigned up = far ? m->cfg.socket_cycles : m->cfg.coherence_cycles;
            core->n.upgrades++;
            core->n.cross_cycles += up;
            cyc += up;
        }
        if (write && h->cfg.write_back) {
            st = HWCACHE_MODIFIED;
        } else if (write) {
            st = HWCACHE_EXCLUSIVE;             /* the only copy, kept clean: */
            writeback(m, c, k, la, now);        /* written through below */
        }
        l->state = (uint8_t)st;
        for (unsigned j = k; j-- > first_level(m);)
            fill(m, c, j, la, write ? HWCACHE_MODIFIED : st, now);   /* write-through levels keep it clean */
        *from = src_of[k];
        return cyc;
    }
    unsigned first_shared = k;
    /* 2. the other cores */
    bool others = false, transfer = false;
    unsigned src = m->core[c].socket;           /* the socket a transfer comes from */
    for (uint64_t s = peers(m, c, la); s; s &= s - 1) {
        unsigned p = (unsigned)__builtin_ctzll(s);
        hwcache_state ps = peer_state(m, p, la);
        if (ps == HWCACHE_INVALID) {
            forget(m, p, la);
            continue;
        }
        if (ps == HWCACHE_MODIFIED) {
            transfer = true;
            src = m->core[p].socket;
        }
        if (write) {
            peer_invalidate(m, p, la);
        } else {
            peer_downgrade(m, p, la, now);
            others = true;
        }
    }
    /* other sockets' levels: a dirty copy is taken from there; a write
     * drops every copy (a clean one's invalidation overlaps the fetch, as
     * the other cores' above); a clean copy makes a read's Shared */
    unsigned rem = m->xsock ? remote(m, c, la, write) : 0;
    if (!transfer && (rem & REMOTE_DIRTY)) {
        transfer = true;
        src = (m->core[c].socket + 1) % m->nsock;   /* any other: one price */
    }
    others |= rem != 0;
    uint64_t cyc = 0;
    if (transfer) {
        cyc = transfer_cycles(m, c, src);
        core->n.coherence_transfers++;
        core->n.socket_transfers += src != m->core[c].socket;
        core->n.cross_cycles += cyc;
        *from = HWMEM_PEER;
    } else {
        /* 3. the shared levels, then memory */
        bool found = false;
        for (k = first_shared; k < levels_end(m); k++) {
            hwcache *h = level(m, c, k);
            hwcache_line *l = hwcache_find(h, la);
            if (l) {
                hwcache_touch(h, l);
                l->owner = (uint8_t)c;
                cyc = h->cfg.hit_cycles;
                *from = src_of[k];
                found = true;
                for (unsigned j = k; j-- > first_shared;)
                    fill(m, c, j, la, HWCACHE_EXCLUSIVE, now);   /* shared levels above it */
                break;
            }
            core->n.misses[src_of[k]]++;
            note_shared_miss(m, c, k, la);
        }
        if (!found) {
            unsigned last = levels_end(m) - 1;
            uint64_t tag = last >= first_level(m) ? level(m, c, last)->cfg.hit_cycles : 0;
            cyc = from_memory(m, c, now, tag);
            *from = HWMEM_DRAM;
            for (unsigned j = levels_end(m) - 1; j >= first_shared && j >= 1; j--)
                fill(m, c, j, la, HWCACHE_EXCLUSIVE, now);     /* clean copies below */
        }
    }
    hwcache_state st = write ? HWCACHE_MODIFIED : others ? HWCACHE_SHARED : HWCACHE_EXCLUSIVE;
    for (unsigned j = first_shared; j-- > first_level(m);)
        fill(m, c, j, la, st, now);            /* a write-through level takes it clean */
    if (write && first_shared > first_level(m) && !level(m, c, first_level(m))->cfg.write_back)
        writeback(m, c, first_level(m), la, now);   /* and writes it through */
    return cyc;
}

/* Everything but an L1 hit that changes no other core's copy. */
static G_GNUC_NO_INLINE uint64_t access_slow(hwmem *m, unsigned core, uint64_t la, hwmem_kind kind, sim_time_t now,
                                            hwmem_source *from)
{
    hwmem_source where = HWMEM_DRAM;
    uint64_t cyc;
    hwmem_counters *n = &m->core[core].n;
    uint64_t cross0 = n->cross_cycles;
    m->cause = core;
    m->evict_level = -1;
    if (!m->cfg.has_l1 && m->cfg.nouter == 0)
        cyc = from_memory(m, core, now, 0);
    else if (kind == HWMEM_FETCH)
        cyc = fetch(m, core, la, now, &where);
    else
        cyc = data(m, core, la, kind == HWMEM_WRITE, now, &where);
    if (m->evict_level >= 0) {
        /* but for the other core's eviction it would have hit there */
        uint64_t hit = m->shared[m->evict_level - 1][0].cfg.hit_cycles;
        uint64_t counted = n->cross_cycles - cross0;
        if (cyc > hit + counted) {
            n->evict_misses++;
            n->evict_cycles += cyc - hit - counted;
            n->cross_cycles += cyc - hit - counted;
        }
    }
    n->accesses[kind]++;
    n->served[where]++;
    n->cycles += cyc;
    if (from)
        *from = where;
    return cyc;
}

/* Host speed only: an L1 hit that needs nothing of the other cores (a
 * fetch, a read, a write to a line held Exclusive or Modified in a
 * write-back L1D) is what data() and fetch() do for it, without their
 * frame: the line touched, made Modified by a write, the L1's hit
 * latency (*cyc), and the counters.  False (nothing done) otherwise. */
static inline bool l1_hit(hwmem *m, unsigned core, uint64_t la, hwmem_kind kind, hwmem_source *from, uint64_t *cyc)
{
    if (!m->cfg.has_l1)
        return false;
    hwmem_core *c = &m->core[core];
    hwcache *h = kind == HWMEM_FETCH ? &c->l1i : &c->l1d;
    hwcache_line *l = hwcache_find(h, la);
    if (!l || (kind == HWMEM_WRITE && !((l->state == HWCACHE_MODIFIED || (l->state == HWCACHE_EXCLUSIVE && !m->xsock))
                                         && h->cfg.write_back)))
        return false;   /* (with sockets, an Exclusive line may have a clean copy in another socket) */
    hwmem_source where = kind == HWMEM_FETCH ? HWMEM_L1I : HWMEM_L1D;
    hwcache_touch(h, l);
    if (kind == HWMEM_WRITE)
        l->state = HWCACHE_MODIFIED;
    *cyc = h->cfg.hit_cycles;
    c->n.accesses[kind]++;
    c->n.served[where]++;
    c->n.cycles += *cyc;
    if (from)
        *from = where;
    return true;
}

uint64_t hwmem_access(hwmem *m, unsigned core, uint64_t paddr, hwmem_kind kind, sim_time_t now,
                      hwmem_source *from)
{
    g_assert(core < m->cfg.cores);
    g_assert(paddr < m->cfg.size);
    uint64_t la = paddr >> m->line_shift, cyc;
    if (l1_hit(m, core, la, kind, from, &cyc))
        return cyc;
    return access_slow(m, core, la, kind, now, from);
}

uint64_t hwmem_access_range(hwmem *m, unsigned core, uint64_t paddr, uint64_t len, hwmem_kind kind,
                            sim_time_t now)
{
    if (len == 0)
        return 0;
    g_assert(core < m->cfg.cores);
    uint64_t line = UINT64_C(1) << m->line_shift;
    uint64_t total = 0;
    for (uint64_t a = paddr & ~(line - 1); a < paddr + len; a += line) {
        g_assert(a < m->cfg.size);
        uint64_t la = a >> m->line_shift, cyc;
        /* the time of the access only where it is needed: an L1 hit takes none */
        if (!l1_hit(m, core, la, kind, NULL, &cyc))
            cyc = access_slow(m, core, la, kind, now + hwmem_ps_of(m, total), NULL);
        total += cyc;
    }
    return total;
}

uint64_t hwmem_access_stalls(hwmem *m, unsigned core, uint64_t paddr, uint64_t len, uint64_t step,
                             hwmem_kind kind, sim_time_t base, uint64_t cycles0, uint64_t hit)
{
    if (len == 0)
        return 0;
    g_assert(core < m->cfg.cores && hwmem_in_range(m, paddr, len));
    g_assert((step & (step - 1)) == 0 && step >> m->line_shift >= 1);
    uint64_t stall = 0, at_stall = UINT64_MAX;
    sim_time_t at = 0;
    for (uint64_t a = paddr & ~(step - 1); a < paddr + len; a += step) {
        uint64_t la = a >> m->line_shift, cyc;
        if (!l1_hit(m, core, la, kind, NULL, &cyc)) {
            /* the time only where it is needed: an L1 hit takes none */
            if (stall != at_stall)
                at_stall = stall, at = base + hwmem_ps_of(m, cycles0 + stall);
            cyc = access_slow(m, core, la, kind, at, NULL);
        }
        stall += cyc > hit ? cyc - hit : 0;
    }
    return stall;
}

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

bool hwmem_verify(const hwmem *m)
{
    hwmem *mm = (hwmem *)m;     /* lookups only */
    for (unsigned c = 0; c < m->cfg.cores; c++) {
        if (m->cfg.has_l1 && (!hwcache_verify(&m->core[c].l1i) || !hwcache_verify(&m->core[c].l1d)))
            return false;
        for (unsigned k = first_level(m); k < levels_end(m) && !level_shared(m, k); k++) {
            hwcache *h = level(mm, c, k);
            if (k > 0 && !hwcache_verify(h))
                return false;
            /* single writer: a line Modified or Exclusive here is nowhere
             * else in another core's private levels */
            size_t n = (size_t)h->sets * h->cfg.ways;
            for (size_t i = 0; i < n; i++) {
                const hwcache_line *l = &h->lines[i];
                if (l->state != HWCACHE_INVALID && m->holders && !((holders_of(m, hwcache_addr_of(h, l)) >> c) & 1)) {
                    g_warning("hwmem_verify: core %u holds line 0x%" G_GINT64_MODIFIER "x, and the snoop filter "
                              "does not name it", c, hwcache_addr_of(h, l));
                    return false;
                }
                if (l->state == HWCACHE_MODIFIED && m->xsock && remote(mm, c, hwcache_addr_of(h, l), false)) {
                    g_warning("hwmem_verify: core %u holds line 0x%" G_GINT64_MODIFIER "x Modified, and another "
                              "socket's level has a copy", c, hwcache_addr_of(h, l));
                    return false;
                }
                if (l->state != HWCACHE_MODIFIED && l->state != HWCACHE_EXCLUSIVE)
                    continue;
                for (unsigned p = 0; p < m->cfg.cores; p++)
                    if (p != c && peer_state(mm, p, hwcache_addr_of(h, l)) != HWCACHE_INVALID) {
                        g_warning("hwmem_verify: core %u holds line 0x%" G_GINT64_MODIFIER "x %s, and core %u has a copy",
                                  c, hwcache_addr_of(h, l), l->state == HWCACHE_MODIFIED ? "Modified" : "Exclusive", p);
                        return false;
                    }
            }
        }
    }
    for (unsigned k = 0; k < m->cfg.nouter; k++) {
        unsigned n = !m->cfg.outer[k].shared ? 0 : m->cfg.outer[k].per_socket ? m->nsock : 1;
        for (unsigned i = 0; i < n; i++) {
            const hwcache *h = &m->shared[k][i];
            if (!hwcache_verify(h))
                return false;
            /* a dirty copy in a socket's level is the only one in any socket's */
            for (size_t j = 0; n > 1 && j < (size_t)h->sets * h->cfg.ways; j++) {
                if (h->lines[j].state != HWCACHE_MODIFIED)
                    continue;
                unsigned c = i * (m->cfg.cores / m->nsock);     /* a core of socket i */
                if (remote(mm, c, hwcache_addr_of(h, &h->lines[j]), false)) {
                    g_warning("hwmem_verify: socket %u's %s holds line 0x%" G_GINT64_MODIFIER "x Modified, and "
                              "another socket's has a copy", i, m->cfg.outer[k].name, hwcache_addr_of(h, &h->lines[j]));
                    return false;
                }
            }
        }
    }
    return true;
}
