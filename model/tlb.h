/* model/tlb.h: one translation lookaside buffer (one instance per core and
 * level; the core model keeps them in its per-core array).
 *
 * Pure bookkeeping, no time: which translations are cached, which one a
 * lookup finds, and what each invalidation removes.  The page-table walker
 * (model/pagetable.h) fills it and interprets the permission bits it
 * caches; the caller charges the costs.
 *
 * Shape: `entries` slots in sets of `ways` (fully associative when
 * ways == entries; the set count need not be a power of two).  An entry
 * maps one page of one size: 4 KiB, 2 MiB and 1 GiB on x86-64 (Intel SDM
 * vol. 3A 4.5); 4 KiB small pages, 64 KiB large pages, 1 MiB sections and
 * 16 MiB supersections on ARMv7-A (ARM DDI 0406C B3.5).  An entry of size
 * S sits in set (vaddr >> log2 S) mod sets; a lookup probes the set of
 * every size the TLB currently holds, smallest first (one unified
 * structure standing for the per-size arrays real cores have).
 *
 * Tags: the virtual page and either the global bit or an address-space id:
 * the PCID on x86-64 (12 bits, SDM 4.10.1) or the ASID on ARMv7-A (8 bits,
 * CONTEXTIDR.ASID).  A global entry matches under every id (SDM 4.10.2.4;
 * DDI 0406C B3.9, "Global and process-specific translation table
 * entries"); a non-global one only under its own.
 * With the id "not in use" (x86 CR4.PCIDE = 0; an ARM system whose OS does
 * not use ASIDs) the current id is always 0.
 *
 * Replacement: exact LRU within a set, by stamps from a per-TLB counter;
 * an invalid way (lowest first) is used before any valid entry is evicted.
 * Nothing depends on host addresses or randomness.
 *
 * Invariants (hwtlb_verify):
 *  - sets * ways == entries; the current id fits in asid_bits and is 0
 *    when ids are not in use;
 *  - a valid entry has a size of its architecture, page-aligned virtual and
 *    physical bases, sits in the set its base and size give, and has a
 *    stamp below the clock, unique within its set;
 *  - no two valid entries of one size and page could both match one lookup
 *    (insert replaces instead of duplicating);
 *  - size_count[s] counts the valid entries of size s.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define HWTLB_ERROR (hwtlb_error_quark())
GQuark hwtlb_error_quark(void);
enum { HWTLB_ERROR_CONFIG };

typedef enum hwtlb_arch {
    HWTLB_X86_64,       /* PCID, 12 bits; pages 4 KiB, 2 MiB, 1 GiB */
    HWTLB_ARMV7A,       /* ASID, 8 bits; pages 4 KiB, 64 KiB, 1 MiB, 16 MiB */
} hwtlb_arch;

typedef enum hwtlb_size {
    HWTLB_4K,           /* x86-64 PTE page; ARMv7-A small page */
    HWTLB_64K,          /* ARMv7-A large page */
    HWTLB_1M,           /* ARMv7-A section */
    HWTLB_2M,           /* x86-64 PDE with PS = 1 */
    HWTLB_16M,          /* ARMv7-A supersection */
    HWTLB_1G,           /* x86-64 PDPTE with PS = 1 */
    HWTLB_NSIZES
} hwtlb_size;

/* log2 of a page size in bytes. */
unsigned hwtlb_size_shift(hwtlb_size s);
static inline uint64_t hwtlb_size_bytes(hwtlb_size s) { return (uint64_t)1 << hwtlb_size_shift(s); }
/* Whether the architecture has pages of that size. */
bool hwtlb_arch_has_size(hwtlb_arch arch, hwtlb_size s);
/* Width of the address-space id: 12 (PCID) or 8 (ASID). */
unsigned hwtlb_asid_bits(hwtlb_arch arch);

typedef struct hwtlb_config {
    hwtlb_arch arch;
    unsigned entries;       /* >= 1 */
    unsigned ways;          /* 1..entries, dividing entries */
    bool asid_enabled;      /* x86 CR4.PCIDE; ARM: the OS tags address spaces with ASIDs */
} hwtlb_config;

/* One cached translation, as inserted and as a lookup returns it. */
typedef struct hwtlb_entry {
    uint64_t va;            /* virtual base, aligned to the page size */
    uint64_t pa;            /* physical base, aligned to the page size */
    uint64_t attr;          /* permission/attribute bits; the walker's encoding
                             * (HWPT_X86_* / HWPT_ARM_* in pagetable.h), never
                             * interpreted here */
    uint16_t asid;          /* the id current when the entry was made */
    uint8_t size;           /* hwtlb_size */
    bool global;            /* matches under every id */
} hwtlb_entry;

typedef struct hwtlb_slot {
    hwtlb_entry e;
    uint64_t stamp;         /* last insert or hit; 0 when invalid */
    bool valid;
} hwtlb_slot;

typedef struct hwtlb_stats {
    uint64_t hits, misses;  /* hwtlb_lookup only */
    uint64_t inserts;
    uint64_t evictions;     /* valid entries replaced by an insert of another page */
    uint64_t flushed;       /* valid entries removed by invalidations and switches */
} hwtlb_stats;

typedef struct hwtlb {
    hwtlb_config cfg;
    unsigned sets;
    unsigned asid_bits;
    uint16_t asid;          /* the current id (0 while ids are not in use) */
    uint64_t clock;         /* next LRU stamp; starts at 1 */
    uint32_t size_count[HWTLB_NSIZES];
    hwtlb_slot *slot;       /* [sets * ways], set-major */
    hwtlb_stats st;
    /* Host speed only (no simulated effect): `gen` changes whenever an
     * entry or the current id does, and `last_hit` is the slot the latest
     * hit found, so that a caller may repeat a hit it has just seen
     * (hwtlb_hit_again) without searching. */
    uint64_t gen;
    hwtlb_slot *last_hit;
} hwtlb;

/* NULL and HWTLB_ERROR_CONFIG (naming the key and value) if the shape is
 * impossible. */
hwtlb *hwtlb_new(const hwtlb_config *cfg, GError **error);
void hwtlb_free(hwtlb *t);

/* Find the entry that translates vaddr under id `asid` (a global entry, or
 * a non-global one with that id).  On a hit, *out (may be NULL) gets the
 * entry, it becomes most recently used and `hits` counts; else `misses`.
 * If several sizes match (the OS changed a mapping's size without
 * invalidating), the smallest wins, then the lowest way. */
bool hwtlb_lookup(hwtlb *t, uint64_t vaddr, uint16_t asid, hwtlb_entry *out);
/* What hwtlb_lookup does on a hit, for a slot it found since the last
 * change of gen (the caller's to know): the slot becomes most recently
 * used and `hits` counts. */
static inline void hwtlb_hit_again(hwtlb *t, hwtlb_slot *sl)
{
    t->st.hits++;
    sl->stamp = t->clock++;
    t->last_hit = sl;
}
/* The same without touching LRU order or counters (tests, debuggers). */
bool hwtlb_peek(const hwtlb *t, uint64_t vaddr, uint16_t asid, hwtlb_entry *out);
/* Physical address of vaddr through an entry that covers it. */
static inline uint64_t hwtlb_paddr(const hwtlb_entry *e, uint64_t vaddr)
{
    return e->pa | (vaddr & (hwtlb_size_bytes((hwtlb_size)e->size) - 1));
}

/* Cache a translation.  An entry of the same size and page that a lookup
 * under the new entry's tag would also match (same id, or either global)
 * is replaced; otherwise the set's invalid way or LRU victim is used.  The
 * size must be one of the architecture's, va and pa aligned to it, and the
 * id within asid_bits (assertions). */
void hwtlb_insert(hwtlb *t, const hwtlb_entry *e);

/* Invalidations; each returns how many valid entries it removed (also
 * added to `flushed`). */
/* Everything (x86 MOV to CR4 changing PGE, INVPCID type 2; ARM TLBIALL). */
unsigned hwtlb_invalidate_all(hwtlb *t);
/* Every non-global entry, of every id (x86 INVPCID type 3). */
unsigned hwtlb_invalidate_nonglobal(hwtlb *t);
/* The non-global entries of one id (x86 INVPCID type 1; ARM TLBIASID). */
unsigned hwtlb_invalidate_asid(hwtlb *t, uint16_t asid);
/* Every entry of one id, global ones included (x86 MOV to CR4 setting
 * SMEP: "all TLB entries ... for the current PCID", SDM 4.10.4.1). */
unsigned hwtlb_invalidate_asid_all(hwtlb *t, uint16_t asid);
/* Entries of any size covering vaddr: the non-global ones of id `asid`,
 * and, if `globals`, the global ones too.  x86 INVLPG is (current PCID,
 * true) and INVPCID type 0 is (pcid, false) (SDM 4.10.4.1); ARM TLBIMVA is
 * (asid, true): "global TLB entries that match the VA value will be
 * affected ... regardless of the value of the ASID field" (the AArch32
 * TLBIMVA description). */
unsigned hwtlb_invalidate_addr(hwtlb *t, uint64_t vaddr, uint16_t asid, bool globals);
/* Entries covering vaddr under every id (ARM TLBIMVAA). */
unsigned hwtlb_invalidate_addr_all(hwtlb *t, uint64_t vaddr);

/* What the TLB does when the page-table base and the current id change:
 * x86 MOV to CR3, ARM a TTBR0 + CONTEXTIDR write by the OS's context
 * switch.  Returns the entries flushed.
 *  - x86, PCIDE = 0: new_asid must be 0; every non-global entry (all carry
 *    PCID 000H) is flushed; `preserve` must be false (bit 63 of the source
 *    is reserved then: the caller raises #GP before getting here).
 *  - x86, PCIDE = 1: the current PCID becomes new_asid; unless `preserve`
 *    (source bit 63 = 1) the non-global entries of new_asid are flushed;
 *    other PCIDs' entries stay (SDM vol. 3A 4.10.4.1, "MOV to CR3").
 *  - ARM, ASIDs in use: the current ASID becomes new_asid and nothing is
 *    flushed: TTBR0 and CONTEXTIDR writes do no TLB maintenance, which is
 *    what ASIDs are for (DDI 0406C B3.10, "Synchronization of changes of
 *    ASID and TTBR"; ARM DAI 0425 3.7.3); `preserve` is ignored.
 *  - ARM, ASIDs not in use: new_asid must be 0; the non-global entries are
 *    flushed, standing for the TLBIASID/TLBIALL such an OS must issue with
 *    every switch; `preserve` is ignored. */
unsigned hwtlb_switch(hwtlb *t, uint16_t new_asid, bool preserve);
/* Turn the use of ids on or off (x86 CR4.PCIDE; the caller applies the
 * architecture's flush first, see hwpt_x86_write_cr4).  Turning it off sets
 * the current id to 0; turning it on keeps the current id (0). */
void hwtlb_set_asid_enabled(hwtlb *t, bool on);
static inline uint16_t hwtlb_asid(const hwtlb *t) { return t->asid; }

/* Valid entries held now. */
unsigned hwtlb_count(const hwtlb *t);
/* Check the invariants above; g_warning for the first broken one. */
bool hwtlb_verify(const hwtlb *t);
