/* model/cache.h: one set-associative cache (one level, one instance).
 *
 * Lines are tagged by their line address (physical address >> line bits).
 * Each line has a state: invalid, or one of the MESI states; a cache that
 * takes no part in coherence (a shared last level, an instruction cache)
 * uses only INVALID, EXCLUSIVE (clean) and MODIFIED (dirty).  What a state
 * means for the system (snoops, write-backs, transfers) is decided by the
 * memory system (model/mem.h); this module only keeps lines and picks
 * victims.
 *
 * Replacement: LRU (exact, by access stamps), pseudo-LRU (the binary tree
 * of ways-1 bits per set, as in the Cortex-A9/PL310 and most x86 L1s),
 * FIFO (by fill stamps) and random (from a named seeded stream, so runs
 * repeat).  Fills take a mask of the ways they may use: way locking and
 * way partitioning for isolation experiments are masks; lookups hit in any
 * way.  Invalid ways in the mask are used before any valid line is evicted,
 * lowest way first.
 *
 * Invariants (hwcache_verify): a valid tag appears at most once per set and
 * belongs to that set; invalid lines have tag 0 and state INVALID; stamps
 * of valid lines are below the cache's clock.
 *
 * Host layout (no simulated effect): a lookup reads only the set's tags,
 * so the tags are an array of their own, a set's ways side by side and
 * the array aligned to the host's 64-byte lines (an 8-way set's tags are
 * one host line); the replacement stamps are another array, read by LRU
 * and FIFO victim choice, and the state and owner of each line a third,
 * two bytes a line.  A hwcache_line is the third array's element: index
 * i of each array is the same line.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/rng.h"

#define HWCACHE_ERROR (hwcache_error_quark())
GQuark hwcache_error_quark(void);
enum { HWCACHE_ERROR_CONFIG };

typedef enum { HWCACHE_LRU, HWCACHE_PLRU, HWCACHE_FIFO, HWCACHE_RANDOM } hwcache_policy;

typedef enum {
    HWCACHE_INVALID = 0,
    HWCACHE_SHARED,
    HWCACHE_EXCLUSIVE,
    HWCACHE_MODIFIED,
} hwcache_state;

typedef struct hwcache_config {
    uint64_t size;          /* bytes */
    unsigned ways;
    unsigned line;          /* bytes, a power of two >= 4 */
    unsigned hit_cycles;    /* load-to-use latency when this level supplies the data */
    hwcache_policy policy;
    bool write_back;        /* false: write-through, never dirty */
} hwcache_config;

/* A line's state; its tag is tags[i] and its stamp stamps[i], for i its
 * index in lines. */
typedef struct hwcache_line {
    uint8_t state;          /* hwcache_state */
    uint8_t owner;          /* the memory system's: the core that used it last (shared levels) */
} hwcache_line;

typedef struct hwcache {
    hwcache_config cfg;
    unsigned sets, line_shift, ways_shift;
    uint64_t set_mask;
    uint64_t *tags;         /* [sets][ways]: line address + 1; 0 when invalid */
    uint64_t *stamps;       /* [sets][ways]: LRU: last access; FIFO: fill */
    void *tags_mem, *stamps_mem;    /* host: the allocations tags and stamps lie in (cache.c zalloc64) */
    hwcache_line *lines;    /* [sets][ways] */
    uint64_t *plru;         /* [sets]: tree bits, for HWCACHE_PLRU */
    /* HWCACHE_PLRU, fixed at init: the tree bits an access to way w sets
     * and clears ([ways] each), and the ways under each node ([2 ways]) */
    uint64_t *plru_set, *plru_clr, *plru_sub;
    uint64_t clock;         /* stamps */
    size_t last;            /* host speed only: the slot hwcache_find found last */
    uint8_t *mru;           /* host speed only: [sets], the way each set last found or filled */
    uint64_t all_ways;      /* mask of every way */
    simrng rng;             /* for HWCACHE_RANDOM */
} hwcache;

/* A line pushed out by a fill. */
typedef struct hwcache_victim {
    uint64_t line_addr;     /* valid if state != INVALID */
    hwcache_state state;
    uint8_t owner;          /* its owner field */
} hwcache_victim;

/* Check a configuration: sizes and ways that give a power-of-two number of
 * sets, a power-of-two line of at least 4 bytes, at most 64 ways,
 * pseudo-LRU only with a power-of-two number of ways.  The message names
 * `what` (e.g. "l1d") and the key. */
bool hwcache_config_check(const hwcache_config *cfg, const char *what, GError **error);
/* rng: the stream for HWCACHE_RANDOM (copied). */
bool hwcache_init(hwcache *c, const hwcache_config *cfg, const simrng *rng, const char *what,
                  GError **error);
void hwcache_free(hwcache *c);

static inline uint64_t hwcache_line_addr(const hwcache *c, uint64_t paddr)
{
    return paddr >> c->line_shift;
}
static inline unsigned hwcache_set_of(const hwcache *c, uint64_t line_addr)
{
    return (unsigned)(line_addr & c->set_mask);
}

/* The line holding line_addr, or NULL.  Changes nothing the model sees.
 * Inline: it is the memory model's most frequent call. */
static inline hwcache_line *hwcache_find(hwcache *c, uint64_t line_addr)
{
    uint64_t tag = line_addr + 1;
    /* the line found last, first: a tag is only ever in its own set and
     * at most once, so a slot holding the tag is the answer */
    if (c->tags[c->last] == tag)
        return &c->lines[c->last];
    unsigned set = hwcache_set_of(c, line_addr);
    size_t base = (size_t)set * c->cfg.ways;
    /* then the way the set found or filled last */
    size_t m = base + c->mru[set];
    if (c->tags[m] == tag) {
        c->last = m;
        return &c->lines[m];
    }
    const uint64_t *t = c->tags + base;
    for (unsigned w = 0; w < c->cfg.ways; w++)
        if (t[w] == tag) {
            c->last = base + w;
            c->mru[set] = (uint8_t)w;
            return &c->lines[base + w];
        }
    return NULL;
}
/* The line address of a line (valid: state not INVALID). */
static inline uint64_t hwcache_addr_of(const hwcache *c, const hwcache_line *l)
{
    return c->tags[l - c->lines] - 1;
}
/* Record an access to a line found by hwcache_find (replacement state). */
static inline void hwcache_touch(hwcache *c, hwcache_line *l)
{
    size_t idx = (size_t)(l - c->lines);
    if (c->cfg.policy == HWCACHE_LRU)
        c->stamps[idx] = c->clock++;
    else if (c->cfg.policy == HWCACHE_PLRU) {
        /* a power-of-two number of ways: set and way without a division */
        uint64_t *bits = &c->plru[idx >> c->ways_shift];
        unsigned way = (unsigned)(idx & (c->cfg.ways - 1));
        *bits = (*bits & ~c->plru_clr[way]) | c->plru_set[way];
    }
    /* FIFO and random: an access changes nothing */
}
/* Put line_addr in the cache (it must not be there) with `state`, in one of
 * the ways of `allowed` (0 means every way).  The line pushed out, if any,
 * is returned in *victim.  Returns the new line (its owner 0). */
hwcache_line *hwcache_fill(hwcache *c, uint64_t line_addr, hwcache_state state, uint64_t allowed,
                           hwcache_victim *victim);
/* Drop a line (if present); returns the state it had. */
hwcache_state hwcache_invalidate(hwcache *c, uint64_t line_addr);
/* Drop everything; the number of dirty lines dropped is returned (a flush
 * with write-back is the memory system's business). */
uint64_t hwcache_invalidate_all(hwcache *c);
/* Lines currently valid. */
uint64_t hwcache_valid_lines(const hwcache *c);

bool hwcache_verify(const hwcache *c);

const char *hwcache_policy_name(hwcache_policy p);
bool hwcache_policy_parse(const char *name, hwcache_policy *out);
