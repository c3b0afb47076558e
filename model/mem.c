/* model/mem.c: the accesses: caches, coherence, the bus and physical memory
 * (see mem.h; built and configured in mem_setup.c). */
#include "mem.h"

#include <string.h>
#include <sys/mman.h>

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
