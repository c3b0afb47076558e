/* model/tlb.c: the TLB (see tlb.h for the shape, tags and invariants). */
#include "tlb.h"

#include <inttypes.h>
#include <string.h>

G_DEFINE_QUARK(hwtlb-error-quark, hwtlb_error)

static const uint8_t size_shift[HWTLB_NSIZES] = {
    [HWTLB_4K] = 12, [HWTLB_64K] = 16, [HWTLB_1M] = 20,
    [HWTLB_2M] = 21, [HWTLB_16M] = 24, [HWTLB_1G] = 30,
};

unsigned hwtlb_size_shift(hwtlb_size s)
{
    g_assert((unsigned)s < HWTLB_NSIZES);
    return size_shift[s];
}

bool hwtlb_arch_has_size(hwtlb_arch arch, hwtlb_size s)
{
    switch (arch) {
    case HWTLB_X86_64:      /* SDM vol. 3A 4.5: PTE, PDE (PS), PDPTE (PS) */
        return s == HWTLB_4K || s == HWTLB_2M || s == HWTLB_1G;
    case HWTLB_ARMV7A:      /* DDI 0406C B3.5.1 */
        return s == HWTLB_4K || s == HWTLB_64K || s == HWTLB_1M || s == HWTLB_16M;
    }
    return false;
}

unsigned hwtlb_asid_bits(hwtlb_arch arch)
{
    /* PCID: CR3[11:0] (SDM 4.10.1); ASID: CONTEXTIDR[7:0] (DDI 0406C, the
     * CONTEXTIDR register description in B4.1). */
    return arch == HWTLB_X86_64 ? 12 : 8;
}

hwtlb *hwtlb_new(const hwtlb_config *cfg, GError **error)
{
    if (cfg->arch != HWTLB_X86_64 && cfg->arch != HWTLB_ARMV7A) {
        g_set_error(error, HWTLB_ERROR, HWTLB_ERROR_CONFIG, "tlb arch = %d: not an architecture", (int)cfg->arch);
        return NULL;
    }
    if (cfg->entries == 0) {
        g_set_error(error, HWTLB_ERROR, HWTLB_ERROR_CONFIG, "tlb entries = 0: must be at least 1");
        return NULL;
    }
    if (cfg->ways == 0 || cfg->ways > cfg->entries) {
        g_set_error(error, HWTLB_ERROR, HWTLB_ERROR_CONFIG,
                    "tlb ways = %u: must be between 1 and entries (%u)", cfg->ways, cfg->entries);
        return NULL;
    }
    if (cfg->entries % cfg->ways != 0) {
        g_set_error(error, HWTLB_ERROR, HWTLB_ERROR_CONFIG,
                    "tlb ways = %u does not divide entries = %u", cfg->ways, cfg->entries);
        return NULL;
    }
    hwtlb *t = g_new0(hwtlb, 1);
    t->cfg = *cfg;
    t->sets = cfg->entries / cfg->ways;
    t->asid_bits = hwtlb_asid_bits(cfg->arch);
    t->clock = 1;
    t->slot = g_new0(hwtlb_slot, cfg->entries);
    return t;
}

void hwtlb_free(hwtlb *t)
{
    if (t == NULL)
        return;
    g_free(t->slot);
    g_free(t);
}

static inline unsigned set_of(const hwtlb *t, uint64_t vaddr, hwtlb_size s)
{
    return (unsigned)((vaddr >> size_shift[s]) % t->sets);
}

static inline bool covers(const hwtlb_entry *e, uint64_t vaddr)
{
    return ((vaddr ^ e->va) >> size_shift[e->size]) == 0;
}

/* The slot that a lookup of vaddr under asid finds, or NULL. */
static hwtlb_slot *find(const hwtlb *t, uint64_t vaddr, uint16_t asid)
{
    for (unsigned s = 0; s < HWTLB_NSIZES; s++) {
        if (t->size_count[s] == 0)
            continue;
        hwtlb_slot *set = t->slot + (size_t)set_of(t, vaddr, (hwtlb_size)s) * t->cfg.ways;
        for (unsigned w = 0; w < t->cfg.ways; w++) {
            hwtlb_slot *sl = &set[w];
            if (sl->valid && sl->e.size == s && covers(&sl->e, vaddr) && (sl->e.global || sl->e.asid == asid))
                return sl;
        }
    }
    return NULL;
}

bool hwtlb_lookup(hwtlb *t, uint64_t vaddr, uint16_t asid, hwtlb_entry *out)
{
    hwtlb_slot *sl = find(t, vaddr, asid);
    if (sl == NULL) {
        t->st.misses++;
        return false;
    }
    hwtlb_hit_again(t, sl);
    if (out)
        *out = sl->e;
    return true;
}

bool hwtlb_peek(const hwtlb *t, uint64_t vaddr, uint16_t asid, hwtlb_entry *out)
{
    const hwtlb_slot *sl = find(t, vaddr, asid);
    if (sl && out)
        *out = sl->e;
    return sl != NULL;
}

static void drop(hwtlb *t, hwtlb_slot *sl)
{
    t->gen++;
    t->size_count[sl->e.size]--;
    memset(sl, 0, sizeof *sl);
}

void hwtlb_insert(hwtlb *t, const hwtlb_entry *e)
{
    g_assert(hwtlb_arch_has_size(t->cfg.arch, (hwtlb_size)e->size));
    uint64_t mask = hwtlb_size_bytes((hwtlb_size)e->size) - 1;
    g_assert((e->va & mask) == 0 && (e->pa & mask) == 0);
    g_assert(e->asid < (1u << t->asid_bits));

    hwtlb_slot *set = t->slot + (size_t)set_of(t, e->va, (hwtlb_size)e->size) * t->cfg.ways;
    hwtlb_slot *victim = NULL;
    /* Entries that would answer a lookup the new one answers are replaced
     * (the first in place, any others dropped; a global entry overlaps
     * every id): never two answers for one page and tag. */
    for (unsigned w = 0; w < t->cfg.ways; w++) {
        hwtlb_slot *sl = &set[w];
        if (sl->valid && sl->e.size == e->size && sl->e.va == e->va &&
            (sl->e.global || e->global || sl->e.asid == e->asid)) {
            if (victim == NULL)
                victim = sl;
            else
                drop(t, sl);
        }
    }
    /* Then the lowest invalid way, then the least recently used. */
    for (unsigned w = 0; w < t->cfg.ways && victim == NULL; w++)
        if (!set[w].valid)
            victim = &set[w];
    if (victim == NULL) {
        victim = &set[0];
        for (unsigned w = 1; w < t->cfg.ways; w++)
            if (set[w].stamp < victim->stamp)
                victim = &set[w];
        t->st.evictions++;
    }
    if (victim->valid)
        drop(t, victim);
    t->gen++;
    victim->e = *e;
    victim->valid = true;
    victim->stamp = t->clock++;
    t->size_count[e->size]++;
    t->st.inserts++;
}

/* Drop every valid entry `pred` accepts; count them as flushed. */
typedef bool (*match_fn)(const hwtlb_entry *e, uint64_t vaddr, uint16_t asid, bool globals);

static unsigned drop_where(hwtlb *t, match_fn pred, uint64_t vaddr, uint16_t asid, bool globals)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->cfg.entries; i++) {
        hwtlb_slot *sl = &t->slot[i];
        if (sl->valid && pred(&sl->e, vaddr, asid, globals)) {
            drop(t, sl);
            n++;
        }
    }
    t->st.flushed += n;
    return n;
}

static bool m_all(const hwtlb_entry *e, uint64_t v, uint16_t a, bool g)
{
    (void)e; (void)v; (void)a; (void)g;
    return true;
}
static bool m_nonglobal(const hwtlb_entry *e, uint64_t v, uint16_t a, bool g)
{
    (void)v; (void)a; (void)g;
    return !e->global;
}
static bool m_asid(const hwtlb_entry *e, uint64_t v, uint16_t a, bool g)
{
    (void)v; (void)g;
    return !e->global && e->asid == a;
}
static bool m_asid_all(const hwtlb_entry *e, uint64_t v, uint16_t a, bool g)
{
    (void)v; (void)g;
    return e->asid == a;
}
static bool m_addr(const hwtlb_entry *e, uint64_t v, uint16_t a, bool g)
{
    return covers(e, v) && (e->global ? g : e->asid == a);
}
static bool m_addr_all(const hwtlb_entry *e, uint64_t v, uint16_t a, bool g)
{
    (void)a; (void)g;
    return covers(e, v);
}

unsigned hwtlb_invalidate_all(hwtlb *t) { return drop_where(t, m_all, 0, 0, false); }
unsigned hwtlb_invalidate_nonglobal(hwtlb *t) { return drop_where(t, m_nonglobal, 0, 0, false); }
unsigned hwtlb_invalidate_asid(hwtlb *t, uint16_t asid) { return drop_where(t, m_asid, 0, asid, false); }
unsigned hwtlb_invalidate_asid_all(hwtlb *t, uint16_t asid) { return drop_where(t, m_asid_all, 0, asid, false); }

unsigned hwtlb_invalidate_addr(hwtlb *t, uint64_t vaddr, uint16_t asid, bool globals)
{
    return drop_where(t, m_addr, vaddr, asid, globals);
}

unsigned hwtlb_invalidate_addr_all(hwtlb *t, uint64_t vaddr)
{
    return drop_where(t, m_addr_all, vaddr, 0, false);
}

unsigned hwtlb_switch(hwtlb *t, uint16_t new_asid, bool preserve)
{
    g_assert(new_asid < (1u << t->asid_bits));
    if (!t->cfg.asid_enabled) {
        /* x86 PCIDE = 0: "invalidates all TLB entries associated with PCID
         * 000H except those for global pages" (SDM 4.10.4.1); every entry
         * carries PCID 000H then, since clearing PCIDE flushed the rest.
         * ARM without ASIDs: the OS's TLBIASID for its single ASID 0. */
        g_assert(new_asid == 0);
        g_assert(!preserve || t->cfg.arch == HWTLB_ARMV7A);
        return hwtlb_invalidate_asid(t, 0);
    }
    t->asid = new_asid;
    t->gen++;
    if (t->cfg.arch == HWTLB_ARMV7A || preserve)
        return 0;   /* ARM: no maintenance on TTBR0/CONTEXTIDR writes; x86: bit 63 set */
    /* x86 PCIDE = 1, bit 63 clear: "invalidates all TLB entries associated
     * with the PCID specified in bits 11:0 ... except those for global
     * pages"; other PCIDs need not be invalidated (SDM 4.10.4.1). */
    return hwtlb_invalidate_asid(t, new_asid);
}

void hwtlb_set_asid_enabled(hwtlb *t, bool on)
{
    t->cfg.asid_enabled = on;
    t->gen++;
    if (!on)
        t->asid = 0;
}

unsigned hwtlb_count(const hwtlb *t)
{
    unsigned n = 0;
    for (unsigned s = 0; s < HWTLB_NSIZES; s++)
        n += t->size_count[s];
    return n;
}

bool hwtlb_verify(const hwtlb *t)
{
    if (t->sets * t->cfg.ways != t->cfg.entries) {
        g_warning("hwtlb_verify: %u sets of %u ways != %u entries", t->sets, t->cfg.ways, t->cfg.entries);
        return false;
    }
    if (t->asid >= (1u << t->asid_bits) || (!t->cfg.asid_enabled && t->asid != 0)) {
        g_warning("hwtlb_verify: current id %u with ids %s", t->asid, t->cfg.asid_enabled ? "on" : "off");
        return false;
    }
    uint32_t count[HWTLB_NSIZES] = { 0 };
    for (unsigned i = 0; i < t->cfg.entries; i++) {
        const hwtlb_slot *sl = &t->slot[i];
        if (!sl->valid)
            continue;
        const hwtlb_entry *e = &sl->e;
        if (e->size >= HWTLB_NSIZES || !hwtlb_arch_has_size(t->cfg.arch, (hwtlb_size)e->size)) {
            g_warning("hwtlb_verify: slot %u has size %u, not one of this architecture", i, e->size);
            return false;
        }
        uint64_t mask = hwtlb_size_bytes((hwtlb_size)e->size) - 1;
        if ((e->va & mask) || (e->pa & mask)) {
            g_warning("hwtlb_verify: slot %u va %#" PRIx64 " pa %#" PRIx64 " not aligned to its size", i, e->va, e->pa);
            return false;
        }
        if (set_of(t, e->va, (hwtlb_size)e->size) != i / t->cfg.ways) {
            g_warning("hwtlb_verify: slot %u (va %#" PRIx64 ") is in the wrong set", i, e->va);
            return false;
        }
        if (e->asid >= (1u << t->asid_bits)) {
            g_warning("hwtlb_verify: slot %u has id %u", i, e->asid);
            return false;
        }
        if (sl->stamp == 0 || sl->stamp >= t->clock) {
            g_warning("hwtlb_verify: slot %u stamp %" PRIu64 " outside [1, %" PRIu64 ")", i, sl->stamp, t->clock);
            return false;
        }
        unsigned set0 = i - i % t->cfg.ways;
        for (unsigned j = set0; j < i; j++) {
            const hwtlb_slot *o = &t->slot[j];
            if (!o->valid)
                continue;
            if (o->stamp == sl->stamp) {
                g_warning("hwtlb_verify: slots %u and %u share stamp %" PRIu64, j, i, sl->stamp);
                return false;
            }
            if (o->e.size == e->size && o->e.va == e->va && (o->e.global || e->global || o->e.asid == e->asid)) {
                g_warning("hwtlb_verify: slots %u and %u both answer va %#" PRIx64, j, i, e->va);
                return false;
            }
        }
        count[e->size]++;
    }
    for (unsigned s = 0; s < HWTLB_NSIZES; s++)
        if (count[s] != t->size_count[s]) {
            g_warning("hwtlb_verify: %u entries of size %u, counted %u", count[s], s, t->size_count[s]);
            return false;
        }
    return true;
}
