/* model/cache.c: a set-associative cache level (see cache.h). */
#include "cache.h"

#include <string.h>

G_DEFINE_QUARK(hwcache-error-quark, hwcache_error)

static const char *const policy_names[] = {
    [HWCACHE_LRU] = "lru", [HWCACHE_PLRU] = "pseudo-lru", [HWCACHE_FIFO] = "fifo", [HWCACHE_RANDOM] = "random",
};

const char *hwcache_policy_name(hwcache_policy p)
{
    return p < G_N_ELEMENTS(policy_names) ? policy_names[p] : "?";
}

bool hwcache_policy_parse(const char *name, hwcache_policy *out)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(policy_names); i++)
        if (strcmp(name, policy_names[i]) == 0) {
            *out = (hwcache_policy)i;
            return true;
        }
    return false;
}

static bool pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

bool hwcache_config_check(const hwcache_config *cfg, const char *what, GError **error)
{
#define BAD(...) do { g_set_error(error, HWCACHE_ERROR, HWCACHE_ERROR_CONFIG, __VA_ARGS__); return false; } while (0)
    if (!pow2(cfg->line) || cfg->line < 4)
        BAD("%s.line: %u is not a power of two of at least 4 bytes", what, cfg->line);
    if (cfg->ways == 0 || cfg->ways > 64)
        BAD("%s.ways: %u is not between 1 and 64", what, cfg->ways);
    if (cfg->size == 0 || cfg->size % ((uint64_t)cfg->ways * cfg->line) != 0)
        BAD("%s.size: %" G_GUINT64_FORMAT " bytes is not a whole number of sets of %u ways of %u-byte lines",
            what, cfg->size, cfg->ways, cfg->line);
    uint64_t sets = cfg->size / ((uint64_t)cfg->ways * cfg->line);
    if (!pow2(sets))
        BAD("%s.size: %" G_GUINT64_FORMAT " bytes gives %" G_GUINT64_FORMAT " sets, not a power of two", what,
            cfg->size, sets);
    if (sets > (UINT64_C(1) << 24))
        BAD("%s.size: %" G_GUINT64_FORMAT " sets is more than this model handles (2^24)", what, sets);
    if (cfg->policy == HWCACHE_PLRU && !pow2(cfg->ways))
        BAD("%s.replacement: pseudo-lru needs a power-of-two number of ways, not %u", what, cfg->ways);
    if ((unsigned)cfg->policy > HWCACHE_RANDOM)
        BAD("%s.replacement: unknown policy", what);
    return true;
#undef BAD
}

static void plru_tables(hwcache *c);

/* n elements of `size` bytes, zeroed, at a host address aligned to 64
 * bytes; *mem gets what to free.  calloc, not g_aligned_alloc0: for a
 * large block the allocator maps fresh zero pages and skips the memset,
 * so the pages of a big shared cache that a run never touches are never
 * faulted in (a machine costs what it uses).  Host speed only. */
static void *zalloc64(gsize n, gsize size, void **mem)
{
    *mem = g_malloc0_n(n * size + 63, 1);
    return (void *)(((uintptr_t)*mem + 63) & ~(uintptr_t)63);
}

bool hwcache_init(hwcache *c, const hwcache_config *cfg, const simrng *rng, const char *what, GError **error)
{
    memset(c, 0, sizeof *c);
    if (!hwcache_config_check(cfg, what, error))
        return false;
    c->cfg = *cfg;
    c->sets = (unsigned)(cfg->size / ((uint64_t)cfg->ways * cfg->line));
    c->line_shift = (unsigned)__builtin_ctz(cfg->line);
    c->set_mask = c->sets - 1;
    c->ways_shift = (unsigned)__builtin_ctz(cfg->ways);    /* log2 ways where ways is a power of two */
    gsize n = (gsize)c->sets * cfg->ways;
    c->tags = zalloc64(n, sizeof *c->tags, &c->tags_mem);
    c->stamps = zalloc64(n, sizeof *c->stamps, &c->stamps_mem);
    c->lines = g_new0(hwcache_line, n);
    c->mru = g_new0(uint8_t, c->sets);
    if (cfg->policy == HWCACHE_PLRU) {
        c->plru = g_new0(uint64_t, c->sets);
        plru_tables(c);
    }
    c->clock = 1;
    c->all_ways = cfg->ways == 64 ? UINT64_MAX : (UINT64_C(1) << cfg->ways) - 1;
    if (rng)
        c->rng = *rng;
    else
        simrng_init(&c->rng, 0, what);
    return true;
}

void hwcache_free(hwcache *c)
{
    g_free(c->tags_mem);
    g_free(c->stamps_mem);
    g_free(c->lines);
    g_free(c->mru);
    g_free(c->plru);
    g_free(c->plru_set);
    memset(c, 0, sizeof *c);
}

static inline size_t set_base(const hwcache *c, unsigned set)
{
    return (size_t)set * c->cfg.ways;
}

/* Pseudo-LRU: a binary tree over the ways, node 1 at the root, children of
 * node n at 2n and 2n+1, leaves ways..2*ways-1 standing for ways 0..ways-1.
 * A node's bit says on which side the next victim is: 0 left, 1 right.  An
 * access sets every bit on its path to point away from the accessed way. */
static void plru_access(hwcache *c, unsigned set, unsigned way)
{
    c->plru[set] = (c->plru[set] & ~c->plru_clr[way]) | c->plru_set[way];
}

/* The tables plru_access and plru_victim read (cache.h): for each way,
 * the bits its access sets and clears, and each node's ways. */
static void plru_tables(hwcache *c)
{
    unsigned ways = c->cfg.ways;
    c->plru_set = g_new0(uint64_t, 4 * (gsize)ways);
    c->plru_clr = c->plru_set + ways;
    c->plru_sub = c->plru_set + 2 * ways;
    for (unsigned way = 0; way < ways; way++)
        for (unsigned node = way + ways; node > 1; node >>= 1) {
            if (node & 1)                   /* came from the right: point left */
                c->plru_clr[way] |= UINT64_C(1) << (node >> 1);
            else                            /* came from the left: point right */
                c->plru_set[way] |= UINT64_C(1) << (node >> 1);
        }
    for (unsigned node = 1; node < 2 * ways; node++) {
        unsigned depth = 0;
        while ((node << depth) < ways)
            depth++;
        unsigned first = (node << depth) - ways, count = 1u << depth;
        uint64_t m = count == 64 ? UINT64_MAX : (UINT64_C(1) << count) - 1;
        c->plru_sub[node] = m << first;
    }
}

static unsigned plru_victim(const hwcache *c, unsigned set, uint64_t allowed)
{
    uint64_t bits = c->plru[set];
    unsigned node = 1;
    while (node < c->cfg.ways) {
        unsigned want = 2 * node + ((bits >> node) & 1);
        unsigned other = want ^ 1;
        /* a side with no allowed way is never taken */
        node = (c->plru_sub[want] & allowed) ? want : other;
    }
    return node - c->cfg.ways;
}


static unsigned pick_victim(hwcache *c, unsigned set, uint64_t allowed)
{
    const uint64_t *t = c->tags + set_base(c, set);
    for (unsigned w = 0; w < c->cfg.ways; w++)
        if (((allowed >> w) & 1) && t[w] == 0)       /* invalid (tag 0 iff invalid) */
            return w;
    switch (c->cfg.policy) {
    case HWCACHE_LRU:
    case HWCACHE_FIFO: {
        const uint64_t *st = c->stamps + set_base(c, set);
        unsigned best = 64;
        for (unsigned w = 0; w < c->cfg.ways; w++)
            if (((allowed >> w) & 1) && (best == 64 || st[w] < st[best]))
                best = w;
        return best;
    }
    case HWCACHE_PLRU:
        return plru_victim(c, set, allowed);
    case HWCACHE_RANDOM: {
        unsigned n = (unsigned)__builtin_popcountll(allowed);
        unsigned k = (unsigned)simrng_below(&c->rng, n);
        for (unsigned w = 0;; w++)
            if (((allowed >> w) & 1) && k-- == 0)
                return w;
    }
    }
    g_assert_not_reached();
}

hwcache_line *hwcache_fill(hwcache *c, uint64_t line_addr, hwcache_state state, uint64_t allowed,
                           hwcache_victim *victim)
{
    g_assert(state != HWCACHE_INVALID);
    allowed = allowed ? allowed & c->all_ways : c->all_ways;
    g_assert(allowed != 0);
    unsigned set = hwcache_set_of(c, line_addr);
    unsigned w = pick_victim(c, set, allowed);
    size_t i = set_base(c, set) + w;
    hwcache_line *l = &c->lines[i];
    victim->state = (hwcache_state)l->state;
    victim->line_addr = c->tags[i] ? c->tags[i] - 1 : 0;
    victim->owner = l->owner;
    l->owner = 0;
    if (!c->cfg.write_back && state == HWCACHE_MODIFIED)
        state = HWCACHE_EXCLUSIVE;
    c->tags[i] = line_addr + 1;
    c->mru[set] = (uint8_t)w;
    l->state = (uint8_t)state;
    c->stamps[i] = c->clock++;         /* LRU: this access; FIFO: the fill */
    if (c->cfg.policy == HWCACHE_PLRU)
        plru_access(c, set, w);
    return l;
}

hwcache_state hwcache_invalidate(hwcache *c, uint64_t line_addr)
{
    hwcache_line *l = hwcache_find(c, line_addr);
    if (l == NULL)
        return HWCACHE_INVALID;
    hwcache_state s = (hwcache_state)l->state;
    size_t i = (size_t)(l - c->lines);
    c->tags[i] = 0;
    c->stamps[i] = 0;
    l->state = HWCACHE_INVALID;
    l->owner = 0;
    return s;
}

uint64_t hwcache_invalidate_all(hwcache *c)
{
    uint64_t dirty = 0;
    size_t n = (size_t)c->sets * c->cfg.ways;
    for (size_t i = 0; i < n; i++)
        dirty += c->lines[i].state == HWCACHE_MODIFIED;
    memset(c->tags, 0, n * sizeof *c->tags);
    memset(c->stamps, 0, n * sizeof *c->stamps);
    memset(c->lines, 0, n * sizeof *c->lines);
    if (c->plru)
        memset(c->plru, 0, c->sets * sizeof *c->plru);
    return dirty;
}

uint64_t hwcache_valid_lines(const hwcache *c)
{
    uint64_t n = 0;
    size_t total = (size_t)c->sets * c->cfg.ways;
    for (size_t i = 0; i < total; i++)
        n += c->lines[i].state != HWCACHE_INVALID;
    return n;
}

bool hwcache_verify(const hwcache *c)
{
    for (unsigned s = 0; s < c->sets; s++) {
        const hwcache_line *l = &c->lines[set_base(c, s)];
        const uint64_t *tag = &c->tags[set_base(c, s)], *stamp = &c->stamps[set_base(c, s)];
        for (unsigned w = 0; w < c->cfg.ways; w++) {
            if ((tag[w] == 0) != (l[w].state == HWCACHE_INVALID)) {
                g_warning("hwcache_verify: set %u way %u: tag and state disagree", s, w);
                return false;
            }
            if (tag[w] == 0)
                continue;
            if (((tag[w] - 1) & c->set_mask) != s) {
                g_warning("hwcache_verify: set %u way %u holds a line of another set", s, w);
                return false;
            }
            if (stamp[w] >= c->clock) {
                g_warning("hwcache_verify: set %u way %u has a stamp from the future", s, w);
                return false;
            }
            if (!c->cfg.write_back && l[w].state == HWCACHE_MODIFIED) {
                g_warning("hwcache_verify: set %u way %u is dirty in a write-through cache", s, w);
                return false;
            }
            for (unsigned v = w + 1; v < c->cfg.ways; v++)
                if (tag[v] == tag[w]) {
                    g_warning("hwcache_verify: set %u holds one line twice (ways %u and %u)", s, w, v);
                    return false;
                }
        }
    }
    return true;
}
