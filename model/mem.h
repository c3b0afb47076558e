/* model/mem.h: the memory system of a machine: physical memory, the cache
 * hierarchy of every core, coherence between the cores' private caches, and
 * the shared bus to memory.
 *
 * Shape: per core, optional private L1 instruction and data caches; then up
 * to two outer levels, each either private per core or shared by all (e.g.
 * Cortex-A9: private L1s, shared L2; x86-64: private L1s and L2, shared L3).
 * All levels use one line size, which is also the coherence granule.  A
 * machine without caches moves 32-bit words: each is one bus transfer.
 *
 * Latency: the level that supplies the data sets it (its hit_cycles are a
 * load-to-use latency); a miss in every level costs the last level's
 * hit_cycles (the tag check on the way) plus the memory latency plus any
 * wait for the bus.  The bus is one resource: each line transferred to or
 * from memory occupies it for `bus_line` picoseconds, so one core's misses
 * (and write-backs) delay another's.  Latencies are returned in cycles of the
 * requesting core (memory times are converted, rounding up).
 *
 * Coherence (MESI, write-invalidate) among the cores' private data caches:
 * a core's state for a line is the strongest held by any of its private
 * levels.  A read that misses privately takes the line from a core holding
 * it Modified (a cache-to-cache transfer costing `coherence_cycles`; the
 * holder keeps it Shared and the data is written back to the shared level),
 * else from the shared levels or memory; it gets Exclusive if no other core
 * has it, Shared if one does.  A write needs the only copy: other copies
 * are invalidated (an upgrade from Shared costs `coherence_cycles`).
 * Instruction fetches take no part in coherence.  Evicting a Modified line
 * writes it to the next level down (or to memory, using the bus).  Levels
 * are neither inclusive nor exclusive.
 *
 * Sockets (x86) or clusters (ARM), `sockets` > 1: cores/sockets consecutive
 * cores each.  A level declared per socket (shared = "socket" in a preset)
 * has one instance per socket, shared by its cores only; a machine-wide
 * shared level may sit below per-socket ones, not above.  The private
 * levels' MESI spans every socket (the snoop filter too), and the
 * per-socket levels take part across sockets: a line Modified in one
 * socket's level is in no other socket's level (hwmem_verify), a private
 * miss takes such a dirty line from there (a transfer), a write drops every
 * other socket's copy, and another socket's clean copy makes a read's
 * state Shared.  A transfer from a cache of another socket, or an upgrade
 * that invalidated a copy in another socket, costs `socket_cycles` instead
 * of `coherence_cycles`; clean copies in other sockets are not forwarded
 * (the line comes from the requester's socket or memory), and their
 * invalidation on a write miss overlaps the fetch, as other cores' do.
 * Memory is one pool behind one bus: no local/remote DRAM.  With one
 * socket every access costs what it did before sockets.
 *
 * Timing approximation: an access is costed at the time the caller gives
 * (the core's time within a kernel path, which may run ahead of other
 * cores' events); the bus is claimed in the order accesses are made.
 * User accesses come in time order across cores (model/stream.h).
 *
 * Lines lost to other cores: a shared level's lines note the core that
 * used each last (its owner), and the level keeps one byte per line of
 * physical memory (host memory reserved for all of it, committed as it is
 * written): 1 + the owner of a line when it was pushed out for another
 * core, 0 otherwise.  A line is pushed out for another core when that
 * core's fill evicts it, or when its owner's own fill evicts it while
 * lines of other cores hold some of the ways the owner may fill (alone,
 * the owner would have had those ways and kept it: the cascade of a
 * shared set, e.g. LRU thrashing that another core's lines start).  A
 * later miss of the owner on that line in that level would have hit there
 * but for the others: the latency it paid beyond that level's hit (less
 * what the bus and coherence already counted as cross-core) is cross-core
 * time too (evict_misses, evict_cycles, part of cross_cycles).  Misses on
 * lines the core never held there, or pushed out itself with the ways to
 * itself, are its own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/simtime.h"
#include "cache.h"
#include "div.h"

#define HWMEM_ERROR (hwmem_error_quark())
GQuark hwmem_error_quark(void);
enum { HWMEM_ERROR_CONFIG };

#define HWMEM_MAX_CORES 64
#define HWMEM_MAX_OUTER 2
#define HWMEM_MAX_SOCKETS 16

typedef enum { HWMEM_READ, HWMEM_WRITE, HWMEM_FETCH } hwmem_kind;

/* Where an access was served, for counters and tests. */
typedef enum {
    HWMEM_L1I, HWMEM_L1D, HWMEM_OUTER0, HWMEM_OUTER1, HWMEM_PEER, HWMEM_DRAM,
    HWMEM_SOURCES
} hwmem_source;

typedef struct hwmem_outer_config {
    hwcache_config cache;
    bool shared;
    bool per_socket;            /* shared: one instance per socket, shared within it */
    char name[8];               /* "l2", "l3" */
} hwmem_outer_config;

typedef struct hwmem_config {
    unsigned cores;
    uint64_t freq_hz;           /* of every core */
    uint64_t size;              /* physical memory, bytes */
    bool has_l1;
    hwcache_config l1i, l1d;
    unsigned nouter;
    hwmem_outer_config outer[HWMEM_MAX_OUTER];
    sim_time_t mem_latency;     /* ps, after the last cache level */
    sim_time_t bus_line;        /* ps the bus is busy per line transferred */
    unsigned coherence_cycles;  /* a cache-to-cache transfer or an upgrade */
    /* Sockets (x86) or clusters (ARM): cores/sockets consecutive cores each
     * (0 or 1: one socket).  A per-socket level has one instance per
     * socket; a transfer from, or an upgrade that invalidates, a copy in
     * another socket costs socket_cycles instead of coherence_cycles. */
    unsigned sockets;
    unsigned socket_cycles;
    /* host-side only, for tests: snoop every other core on a private miss
     * instead of the cores the snoop filter names (the results are the
     * same; tests/test_mem_filter.c compares the two) */
    bool snoop_all;
} hwmem_config;

typedef struct hwmem_counters {
    uint64_t accesses[3];                   /* by hwmem_kind */
    uint64_t served[HWMEM_SOURCES];         /* where each access found its line */
    uint64_t misses[HWMEM_SOURCES];         /* per cache level looked up and missed */
    uint64_t coherence_transfers;           /* lines taken from another core's cache */
    uint64_t socket_transfers;              /* ... of which from another socket (not in the trace) */
    uint64_t upgrades;                      /* Shared -> Modified */
    uint64_t invalidations;                 /* copies invalidated in other cores */
    uint64_t writebacks;                    /* dirty lines written towards memory (any level) */
    uint64_t mem_writes;                    /* ... of which reached memory */
    uint64_t bus_wait_cycles;
    /* cycles this core's accesses spent because of other cores: bus waits
     * behind other cores' transfers (mem.c bus_transfer), lines taken from
     * another core's cache (coherence_cycles each) and upgrades that
     * invalidated other copies (coherence_cycles each) */
    uint64_t cross_cycles;
    /* of cross_cycles: misses in a shared level on this core's lines that
     * were pushed out of it for another core, and their latency beyond
     * that level's hit */
    uint64_t evict_misses, evict_cycles;
    uint64_t cycles;                        /* total latency returned */
} hwmem_counters;

typedef struct hwmem_core {
    hwcache l1i, l1d;
    hwcache outer[HWMEM_MAX_OUTER];         /* private outer levels only */
    hwcache *lv[HWMEM_MAX_OUTER + 1];       /* the cache of each level as this core sees it (0: L1D) */
    unsigned socket;
    hwmem_counters n;
} hwmem_core;

typedef struct hwmem {
    hwmem_config cfg;
    unsigned line_shift;
    hwmem_core *core;                       /* [cores] */
    /* shared outer levels only: [1], or [sockets] for a per-socket level */
    hwcache *shared[HWMEM_MAX_OUTER];
    unsigned nsock;                         /* sockets (1 if not split) */
    bool xsock;                             /* nsock > 1 and some level is per socket */
    uint64_t fill_mask[HWMEM_MAX_OUTER][HWMEM_MAX_CORES];  /* way partitions (0 = all) */
    uint64_t locked[HWMEM_MAX_OUTER];       /* ways no fill may use */
    sim_time_t bus_free;                    /* when the bus is next idle */
    sim_time_t bus_own_end[HWMEM_MAX_CORES]; /* end of each core's last reservation */
    uint8_t *ram;                           /* the contents of physical memory */
    /* per shared level, per line of physical memory: 1 + its owner if it
     * was last pushed out of that level for another core, else 0 (NULL
     * for private levels); reserved, committed as written */
    uint8_t *evicted[HWMEM_MAX_OUTER][HWMEM_MAX_SOCKETS];  /* [level][its instance] */
    size_t evicted_bytes;
    /* The snoop filter, host-side only (no simulated cost, no simulated
     * effect): per line of physical memory, a superset of the cores that
     * hold it in a private data level (L1D, private outer levels).  A core's
     * bit is set whenever the line is filled into one of its private
     * levels; it is cleared when its copies are invalidated, or when a
     * snoop finds none there (evictions leave it set: cleaned lazily).  So
     * a snoop visits the cores that may hold the line, in increasing
     * order as a snoop of every core would, and skips only cores that
     * hold no copy, which a snoop of every core passes over unchanged.
     * NULL when no other core can hold a copy (one core, or no private
     * data level) or with cfg.snoop_all; reserved, committed as written.
     * Each entry is the narrowest of 1, 2, 4, 8 bytes that has a bit per
     * core (holders_width): the array is indexed by every line of
     * physical memory, so its size is what the host's caches feel. */
    void *holders;
    unsigned holders_width;
    size_t holders_bytes;
    uint64_t all_cores;                     /* mask of every core */
    hwdiv freq;                             /* division by cfg.freq_hz (hwmem_ps_of) */
    unsigned cause;                         /* the core whose access is being served */
    int evict_level;                        /* the first shared level it missed on another core's eviction, -1 none */
} hwmem;

/* Check a configuration; the message names the key. */
bool hwmem_config_check(const hwmem_config *cfg, GError **error);
/* seed: the run's seed, for random replacement (each cache draws from its
 * own stream, named after the level and core).  Physical memory reads as
 * zero until written, and its host backing is committed a host page at a
 * time, on the first write to each: a machine costs the host what its
 * memory holds, not its size (the kernel's retype table relies on this,
 * kernel/kmem.h). */
hwmem *hwmem_new(const hwmem_config *cfg, uint64_t seed, GError **error);
void hwmem_free(hwmem *m);

/* Cost one access to the line holding paddr, at time `now`, in cycles of
 * `core`; updates caches, coherence, the bus and counters.  *from (may be
 * NULL) says where the line came from.  paddr must be in memory
 * (hwmem_in_range). */
uint64_t hwmem_access(hwmem *m, unsigned core, uint64_t paddr, hwmem_kind kind, sim_time_t now,
                      hwmem_source *from);
/* Every line of [paddr, paddr + len), one after the other from `now`. */
uint64_t hwmem_access_range(hwmem *m, unsigned core, uint64_t paddr, uint64_t len, hwmem_kind kind,
                            sim_time_t now);
/* One access per `step` bytes of [paddr, paddr + len) (step a power of
 * two, at least the unit moved; aligned down), one after the other, for
 * code whose L1 hits are inside its instructions' cost (a kernel path):
 * each access's time is base + the cycles so far (cycles0 plus the stalls
 * of the accesses before it, converted again only when they grew), and
 * what is returned is the stall, the cycles beyond `hit` of each, summed. */
uint64_t hwmem_access_stalls(hwmem *m, unsigned core, uint64_t paddr, uint64_t len, uint64_t step,
                             hwmem_kind kind, sim_time_t base, uint64_t cycles0, uint64_t hit);

static inline bool hwmem_in_range(const hwmem *m, uint64_t paddr, uint64_t len)
{
    return paddr < m->cfg.size && len <= m->cfg.size - paddr;
}
/* The bytes of physical memory at paddr (len must be in range): kernel
 * objects and page tables really live here. */
static inline void *hwmem_ram(hwmem *m, uint64_t paddr)
{
    return m->ram + paddr;
}

/* Way partitioning and locking of outer level `level` (0 or 1): the ways
 * `core` may fill into, and ways no one may fill (lines already there stay
 * until invalidated). */
bool hwmem_set_partition(hwmem *m, unsigned level, unsigned core, uint64_t ways, GError **error);
bool hwmem_lock_ways(hwmem *m, unsigned level, uint64_t ways, GError **error);

/* Drop every line of every cache (what a "cold" experiment starts from):
 * a reset, so neither the bus nor the counters see the dirty lines go. */
void hwmem_flush_all(hwmem *m);

/* Picoseconds -> cycles of a core at freq_hz, rounding up; and back,
 * rounding up too (a cost never shrinks in translation). */
uint64_t hwmem_ps_to_cycles(sim_time_t ps, uint64_t freq_hz);
sim_time_t hwmem_cycles_to_ps(uint64_t cycles, uint64_t freq_hz);
/* hwmem_cycles_to_ps(cycles, m->cfg.freq_hz), the same to the picosecond,
 * without a division instruction for up to 1.8e7 cycles (model/div.h). */
static inline sim_time_t hwmem_ps_of(const hwmem *m, uint64_t cycles)
{
    if (cycles <= UINT64_C(18000000))   /* cycles 1e12 + f below 2^64 */
        return hwdiv_div(&m->freq, cycles * UINT64_C(1000000000000) + m->cfg.freq_hz - 1);
    return hwmem_cycles_to_ps(cycles, m->cfg.freq_hz);
}

bool hwmem_verify(const hwmem *m);
