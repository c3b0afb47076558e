/* kernel/kmem.c: the retype table (see kmem.h).
 *
 * Every write to an entry goes through wat(), which marks the entry's chunk
 * written; retype_apply keeps the chunks' typed counts.  Reads go straight
 * to the machine's memory: an entry never written reads as zero, untyped. */
#include "kmem.h"

#include <glib.h>

const char *cos_err_name(cos_err e)
{
    static const char *const names[] = { "ok", "range", "align", "type", "busy", "quiesce", "exist", "noent",
                                         "inval", "perm", "depth", "nomem", "stale", "fault", "core" };
    G_STATIC_ASSERT(G_N_ELEMENTS(names) == COS_ERRS);
    return (unsigned)e < G_N_ELEMENTS(names) ? names[e] : "?";
}

typedef struct entry {
    uint32_t type;            /* k_page_type in bits 0-7; for kernel pages, the object kind in 8-15 */
    uint32_t refs;
    uint64_t freed_at;        /* ps; 0 = never freed */
} entry;
G_STATIC_ASSERT(sizeof(entry) == 16);

static inline uint64_t entry_paddr(uint64_t page)
{
    return page * sizeof(entry);
}

static inline entry *at(const k_mem *m, uint64_t page)
{
    return (entry *)hwmem_ram(m->h->mem, entry_paddr(page));
}

static inline bool chunk_written(const k_mem *m, uint64_t chunk)
{
    return m->written[chunk / 64] >> (chunk % 64) & 1;
}

/* An entry about to be written. */
static inline entry *wat(k_mem *m, uint64_t page)
{
    uint64_t chunk = page / K_MEM_CHUNK;
    m->written[chunk / 64] |= UINT64_C(1) << (chunk % 64);
    return at(m, page);
}

static inline bool is_typed(uint32_t type)
{
    return (type & 0xFFu) != K_PAGE_UNTYPED;
}

/* Charge one access to a page's entry at the path's current time. */
static void touch(k_mem *m, unsigned core, uint64_t page, bool write, sim_time_t now, uint64_t *cycles)
{
    *cycles += hw_access(m->h, core, entry_paddr(page), sizeof(entry), write ? HWMEM_WRITE : HWMEM_READ,
                         now + hw_ps(m->h, *cycles));
}

void k_mem_init(k_mem *m, hw *h, sim_time_t quiescence)
{
    m->h = h;
    m->npages = h->cfg.mem.size / COS_PAGE_SIZE;
    m->table_pages = (m->npages * sizeof(entry) + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
    m->quiescence = quiescence;
    g_assert(m->table_pages < m->npages);
    m->nchunks = (m->npages + K_MEM_CHUNK - 1) / K_MEM_CHUNK;
    m->typed = g_new0(uint16_t, m->nchunks);
    m->written = g_new0(uint64_t, (m->nchunks + 63) / 64);
    /* the rest of the table is zero already (kmem.h): untyped */
    for (uint64_t p = 0; p < m->table_pages; p++) {
        wat(m, p)->type = K_PAGE_KERNEL;
        m->typed[p / K_MEM_CHUNK]++;
    }
}

void k_mem_free(k_mem *m)
{
    g_free(m->typed);
    g_free(m->written);
    m->typed = NULL;
    m->written = NULL;
}

/* Decode a page address: in range, aligned, not the table's own. */
static cos_err page_of(const k_mem *m, uint64_t paddr, uint64_t *page)
{
    if (paddr % COS_PAGE_SIZE)
        return COS_EALIGN;
    if (paddr / COS_PAGE_SIZE >= m->npages || paddr / COS_PAGE_SIZE < m->table_pages)
        return COS_ERANGE;
    *page = paddr / COS_PAGE_SIZE;
    return COS_OK;
}

cos_err k_mem_retype_check(k_mem *m, unsigned core, uint64_t paddr, k_page_type from, k_page_type to,
                           sim_time_t now, uint64_t *cycles)
{
    uint64_t page;
    cos_err e = page_of(m, paddr, &page);
    if (e)
        return e;
    if (from == to || (from != K_PAGE_UNTYPED && to != K_PAGE_UNTYPED) || from > K_PAGE_USER || to > K_PAGE_USER)
        return COS_ETYPE;
    /* read the entry, check everything */
    touch(m, core, page, false, now, cycles);
    entry *en = at(m, page);
    if ((en->type & 0xFFu) != (uint32_t)from)
        return COS_ETYPE;
    if (to == K_PAGE_UNTYPED) {
        if (en->refs)
            return COS_EBUSY;
        if (en->freed_at && now < en->freed_at + m->quiescence)
            return COS_EQUIESCE;
    }
    return COS_OK;
}

void k_mem_retype_apply(k_mem *m, unsigned core, uint64_t paddr, k_page_type to, sim_time_t now, uint64_t *cycles)
{
    uint64_t page = paddr / COS_PAGE_SIZE;
    entry *en = wat(m, page);
    if (is_typed(en->type) != (to != K_PAGE_UNTYPED)) {
        if (to != K_PAGE_UNTYPED)
            m->typed[page / K_MEM_CHUNK]++;
        else
            m->typed[page / K_MEM_CHUNK]--;
    }
    en->type = (uint32_t)to;
    touch(m, core, page, true, now, cycles);
}

cos_err k_mem_retype(k_mem *m, unsigned core, uint64_t paddr, k_page_type from, k_page_type to,
                     sim_time_t now, uint64_t *cycles)
{
    cos_err e = k_mem_retype_check(m, core, paddr, from, to, now, cycles);
    if (e)
        return e;
    k_mem_retype_apply(m, core, paddr, to, now, cycles);
    return COS_OK;
}

/* Decode for get/put: the entry of the page holding paddr (read, costed),
 * which must hold objects (kernel or user memory). */
static cos_err typed_entry(k_mem *m, unsigned core, uint64_t paddr, sim_time_t now, uint64_t *cycles,
                           uint64_t *page, entry **en)
{
    cos_err e = page_of(m, paddr & ~(uint64_t)(COS_PAGE_SIZE - 1), page);
    if (e)
        return e;
    touch(m, core, *page, false, now, cycles);
    *en = at(m, *page);
    uint32_t t = (*en)->type & 0xFFu;
    return t == K_PAGE_KERNEL || t == K_PAGE_USER ? COS_OK : COS_ETYPE;
}

cos_err k_mem_get(k_mem *m, unsigned core, uint64_t paddr, sim_time_t now, uint64_t *cycles)
{
    uint64_t page;
    entry *en;
    cos_err e = typed_entry(m, core, paddr, now, cycles, &page, &en);
    if (e)
        return e;
    if (en->refs == UINT32_MAX)
        return COS_EBUSY;
    en = wat(m, page);
    en->refs++;
    touch(m, core, page, true, now, cycles);
    return COS_OK;
}

cos_err k_mem_put(k_mem *m, unsigned core, uint64_t paddr, sim_time_t now, uint64_t *cycles)
{
    uint64_t page;
    entry *en;
    cos_err e = typed_entry(m, core, paddr, now, cycles, &page, &en);
    if (e)
        return e;
    if (en->refs == 0)
        return COS_ENOENT;
    en = wat(m, page);
    en->refs--;
    if (en->refs == 0) {
        en->freed_at = now;
        en->type &= 0xFFu;      /* nothing lives there any more */
    }
    touch(m, core, page, true, now, cycles);
    return COS_OK;
}

cos_err k_mem_check_unused_kernel(const k_mem *m, uint64_t paddr, sim_time_t now)
{
    uint64_t page;
    cos_err e = page_of(m, paddr, &page);
    if (e)
        return e;
    const entry *en = at(m, page);
    if ((en->type & 0xFFu) != K_PAGE_KERNEL)
        return COS_ETYPE;
    if (en->refs)
        return COS_EBUSY;
    if (en->freed_at && now < en->freed_at + m->quiescence)
        return COS_EQUIESCE;
    return COS_OK;
}

k_page_type k_mem_type(const k_mem *m, uint64_t paddr)
{
    return (k_page_type)(at(m, paddr / COS_PAGE_SIZE)->type & 0xFFu);
}

unsigned k_mem_kind(const k_mem *m, uint64_t paddr)
{
    const entry *en = at(m, paddr / COS_PAGE_SIZE);
    return (en->type & 0xFFu) == K_PAGE_KERNEL ? (en->type >> 8) & 0xFFu : 0;
}

void k_mem_set_kind(k_mem *m, uint64_t paddr, unsigned kind)
{
    entry *en = wat(m, paddr / COS_PAGE_SIZE);
    g_assert((en->type & 0xFFu) == K_PAGE_KERNEL && kind < 256);
    en->type = K_PAGE_KERNEL | kind << 8;
}

uint32_t k_mem_refs(const k_mem *m, uint64_t paddr)
{
    return at(m, paddr / COS_PAGE_SIZE)->refs;
}

bool k_mem_verify(const k_mem *m)
{
    for (uint64_t c = 0; c < m->nchunks; c++) {
        if (!chunk_written(m, c)) {
            /* never written: every entry still zero, untyped */
            if (m->typed[c]) {
                g_warning("k_mem_verify: chunk %" G_GUINT64_FORMAT " was never written but counts %u typed pages", c,
                          m->typed[c]);
                return false;
            }
            continue;
        }
        unsigned typed = 0;
        for (uint64_t p = c * K_MEM_CHUNK; p < MIN((c + 1) * K_MEM_CHUNK, m->npages); p++) {
            const entry *en = at(m, p);
            if ((en->type & 0xFFu) > K_PAGE_USER || ((en->type >> 8) && (en->type & 0xFFu) != K_PAGE_KERNEL)
                || en->type >> 16) {
                g_warning("k_mem_verify: page %" G_GUINT64_FORMAT " has type %u", p, en->type);
                return false;
            }
            if ((en->type & 0xFFu) == K_PAGE_UNTYPED && en->refs) {
                g_warning("k_mem_verify: untyped page %" G_GUINT64_FORMAT " has %u references", p, en->refs);
                return false;
            }
            if (p < m->table_pages && (en->type & 0xFFu) != K_PAGE_KERNEL) {
                g_warning("k_mem_verify: page %" G_GUINT64_FORMAT " of the retype table is not kernel memory", p);
                return false;
            }
            typed += is_typed(en->type);
        }
        if (typed != m->typed[c]) {
            g_warning("k_mem_verify: chunk %" G_GUINT64_FORMAT " holds %u typed pages but counts %u", c, typed,
                      m->typed[c]);
            return false;
        }
    }
    return true;
}

uint64_t k_mem_next_typed(const k_mem *m, uint64_t paddr)
{
    g_assert(paddr % COS_PAGE_SIZE == 0);
    for (uint64_t c = paddr / COS_PAGE_SIZE / K_MEM_CHUNK; c < m->nchunks; c++) {
        if (m->typed[c] == 0)
            continue;
        uint64_t p = MAX(paddr / COS_PAGE_SIZE, c * K_MEM_CHUNK);
        for (uint64_t end = MIN((c + 1) * K_MEM_CHUNK, m->npages); p < end; p++)
            if (is_typed(at(m, p)->type))
                return p * COS_PAGE_SIZE;
    }
    return m->npages * COS_PAGE_SIZE;
}

uint64_t k_mem_chunks_written(const k_mem *m)
{
    uint64_t n = 0;
    for (uint64_t w = 0; w < (m->nchunks + 63) / 64; w++)
        n += (uint64_t)__builtin_popcountll(m->written[w]);
    return n;
}
