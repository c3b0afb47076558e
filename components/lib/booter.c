/* components/lib/booter.c: the booter's library (see booter.h). */
#include "components/lib/booter.h"

#define TRY(x) do { cos_err e_ = (x); if (e_) return e_; } while (0)

cos_err bt_init(bt *b)
{
    *b = (bt){ .kmem = COS_BOOT_KMEM, .next = 0, .slot = COS_BOOT_FREE, .vnext = BT_USER_BASE };
    /* an MPU machine takes a one-page layout; an MMU machine refuses it
     * (a page table needs its root and tables besides the object) */
    uint64_t page;
    TRY(bt_page(b, true, &page));
    cos_capid slot = b->slot;
    cos_err e = cos_pgtbl_alloc(b->kmem, page, slot, 1);
    if (e == COS_OK) {
        b->mpu = true;      /* the probe's layout stays: a spare */
        b->slot++;
        cos_ret r = cos_kmem_info(b->kmem);     /* memory is addressed physically */
        b->phys = r.r[0];
        b->npages = r.r[1];
        return r.err;
    }
    return e == COS_EINVAL ? COS_OK : e;
}

cos_err bt_page(bt *b, bool kernel, uint64_t *page)
{
    if (b->npages && b->next >= b->npages)
        return COS_ENOMEM;      /* the memory ran out (known on MPU machines) */
    TRY(cos_kmem_retype(b->kmem, b->next, COS_MEM_UNTYPED, kernel ? COS_MEM_KERNEL : COS_MEM_USER));
    *page = b->next++;
    return COS_OK;
}

/* The next slot of the boot table, growing the table by a level-2 node
 * (256 slots) when the slots run past those it has. */
static cos_err take_slot(bt *b, cos_capid *slot)
{
    if (b->slot % 256u == 0 && b->slot >= 512u) {
        uint64_t page;
        TRY(bt_page(b, true, &page));
        TRY(cos_captbl_expand(COS_BOOT_CAPTBL, b->slot / 256u, b->kmem, page));
    }
    *slot = b->slot++;
    return COS_OK;
}

/* MPU machines, more than BT_MPU_PAGES pages: consecutive pages from a
 * boundary of the largest power of two in `pages` (the pages before it
 * stay untyped), split into power-of-two blocks, largest first, each
 * aligned to its size, one region each (at most 1 MiB a region: blocks of
 * 256 pages, then the rest). */
static cos_err mpu_blocks(bt *b, bt_comp *out, unsigned pages)
{
    unsigned top = 1;
    while (top * 2 <= pages && top < BT_MPU_BLOCK_MAX)
        top *= 2;
    uint64_t phys_page = b->phys / COS_PAGE_SIZE;
    while ((phys_page + b->next) % top)
        b->next++;
    if (b->npages && b->next + pages > b->npages)
        return COS_ENOMEM;
    out->base = b->phys + b->next * COS_PAGE_SIZE;
    out->user_first = b->next;
    unsigned region = 0, left = pages;
    for (unsigned blk = top; left; blk = left >= top ? top : blk / 2) {
        if (blk > left)
            continue;
        uint64_t first = 0, page;
        for (unsigned i = 0; i < blk; i++) {
            TRY(bt_page(b, false, &page));
            if (i == 0)
                first = page;
        }
        unsigned log2 = 12;
        while ((1u << (log2 - 12)) < blk)
            log2++;
        TRY(cos_mpu_region(out->pgtbl, region++, b->kmem, first, log2, COS_MAP_WRITE));
        left -= blk;
    }
    return COS_OK;
}

/* The regions mpu_blocks gives `pages` pages (one a page up to
 * BT_MPU_PAGES). */
unsigned bt_mpu_regions(unsigned pages)
{
    if (pages <= BT_MPU_PAGES)
        return pages;
    unsigned n = pages / BT_MPU_BLOCK_MAX;
    for (unsigned rest = pages % BT_MPU_BLOCK_MAX; rest; rest &= rest - 1)
        n++;
    return n;
}

/* A capability table, with the level-2 node of slots 0..255 (bt_give
 * adds the next node when a component needs more: memory is scarce on
 * microcontrollers, a node a page), at the boot table's next slot. */
static cos_err new_captbl(bt *b, cos_capid *slot)
{
    uint64_t page;
    TRY(bt_page(b, true, &page));
    TRY(take_slot(b, slot));
    TRY(cos_captbl_alloc(b->kmem, page, *slot));
    TRY(bt_page(b, true, &page));
    return cos_captbl_expand(*slot, 0, b->kmem, page);
}

cos_err bt_comp_share(bt *b, unsigned image, const bt_comp *domain, bt_comp *out)
{
    *out = (bt_comp){ .next_slot = 1, .pgtbl = domain->pgtbl, .base = domain->base,
                      .user_first = domain->user_first, .user_pages = domain->user_pages };
    uint64_t page;
    TRY(new_captbl(b, &out->captbl));
    TRY(take_slot(b, &out->comp));
    TRY(bt_page(b, true, &page));
    return cos_comp_alloc_id(b->kmem, page, out->comp, out->captbl, out->pgtbl, image, &out->id);
}

static cos_err comp_new(bt *b, unsigned image, unsigned user_pages, bool blocks, bt_comp *out)
{
    *out = (bt_comp){ .next_slot = 1 };
    uint64_t page;
    TRY(new_captbl(b, &out->captbl));
    /* the page table or MPU layout: consecutive pages */
    unsigned pool = b->mpu ? 1 : bt_pool_pages(user_pages);
    uint64_t first = 0;
    for (unsigned i = 0; i < pool; i++) {
        TRY(bt_page(b, true, &page));
        if (i == 0)
            first = page;
    }
    TRY(take_slot(b, &out->pgtbl));
    TRY(cos_pgtbl_alloc(b->kmem, first, out->pgtbl, pool));
    TRY(take_slot(b, &out->comp));
    TRY(bt_page(b, true, &page));
    TRY(cos_comp_alloc_id(b->kmem, page, out->comp, out->captbl, out->pgtbl, image, &out->id));
    /* its memory */
    out->user_pages = user_pages;
    if (b->mpu && (blocks || user_pages > BT_MPU_PAGES))
        return mpu_blocks(b, out, user_pages);
    /* MMU: each component's memory at addresses of its own, one after
     * another with an unmapped page between, so that an address of one
     * component means nothing in another's space (a touch of it faults);
     * MPU: its pages are consecutive: the first one's physical address */
    out->base = b->vnext;
    if (b->mpu)
        out->base = b->phys + b->next * COS_PAGE_SIZE;
    else
        b->vnext += ((uint64_t)user_pages + 1) * COS_PAGE_SIZE;
    for (unsigned i = 0; i < user_pages; i++) {
        TRY(bt_page(b, false, &page));
        if (i == 0)
            out->user_first = page;
        if (b->mpu)
            TRY(cos_mpu_region(out->pgtbl, i, b->kmem, page, 12, COS_MAP_WRITE));
        else
            TRY(cos_pgtbl_map(out->pgtbl, out->base + (uint64_t)i * COS_PAGE_SIZE, b->kmem, page, COS_MAP_WRITE));
    }
    if (b->mpu)
        return COS_OK;
    /* MMU: a page for its code and one for its threads' stacks, which the
     * kernel translates whenever the component's user code runs again
     * (COS_MAP_EXEC, COS_MAP_STACK: docs/kernel-abi.md).  At the same
     * addresses in every component, as every process of a Unix has its
     * text at its link address, below all components' memory and far from
     * it (a touch just past or before a component's memory still faults). */
    TRY(bt_page(b, false, &page));
    TRY(cos_pgtbl_map(out->pgtbl, BT_TEXT_VA, b->kmem, page, COS_MAP_EXEC));
    TRY(bt_page(b, false, &page));
    TRY(cos_pgtbl_map(out->pgtbl, BT_STACK_VA, b->kmem, page, COS_MAP_WRITE | COS_MAP_STACK));
    return COS_OK;
}

cos_err bt_comp_new(bt *b, unsigned image, unsigned user_pages, bt_comp *out)
{
    return comp_new(b, image, user_pages, false, out);
}

cos_err bt_comp_blocks(bt *b, unsigned image, unsigned user_pages, bt_comp *out)
{
    if (!b->mpu || user_pages == 0)
        return COS_EINVAL;
    return comp_new(b, image, user_pages, true, out);
}

cos_err bt_thd_id(bt *b, const bt_comp *comp, unsigned entry, cos_word arg, cos_capid *thd, cos_thdid *id)
{
    uint64_t page;
    TRY(bt_page(b, true, &page));
    TRY(take_slot(b, thd));
    return cos_thd_alloc_id(b->kmem, page, *thd, comp->comp, entry, arg, id);
}

cos_err bt_thd(bt *b, const bt_comp *comp, unsigned entry, cos_word arg, cos_capid *thd)
{
    cos_thdid id;
    return bt_thd_id(b, comp, entry, arg, thd, &id);
}

cos_err bt_give(bt *b, bt_comp *comp, cos_capid cap, cos_capid *slot)
{
    if (comp->next_slot % 256u == 0) {
        uint64_t page;
        TRY(bt_page(b, true, &page));
        TRY(cos_captbl_expand(comp->captbl, comp->next_slot / 256u, b->kmem, page));
    }
    *slot = comp->next_slot;
    TRY(cos_cap_copy(comp->captbl, *slot, cap));
    comp->next_slot++;
    return COS_OK;
}

cos_err bt_sinv_own(bt *b, const bt_comp *server, unsigned entry, cos_capid *slot)
{
    uint64_t page;
    TRY(bt_page(b, true, &page));
    TRY(take_slot(b, slot));
    return cos_sinv_alloc(b->kmem, page, *slot, server->comp, entry);
}

cos_err bt_sinv(bt *b, bt_comp *client, const bt_comp *server, unsigned entry, cos_capid *client_slot)
{
    cos_capid s;
    TRY(bt_sinv_own(b, server, entry, &s));
    return bt_give(b, client, s, client_slot);
}

cos_err bt_rcv(bt *b, cos_capid thd, cos_capid tcap, cos_capid parent, cos_capid *rcv)
{
    uint64_t page;
    TRY(bt_page(b, true, &page));
    TRY(take_slot(b, rcv));
    return cos_rcv_alloc(b->kmem, page, *rcv, thd, tcap, parent);
}

cos_err bt_asnd(bt *b, cos_capid rcv, cos_capid *asnd)
{
    uint64_t page;
    TRY(bt_page(b, true, &page));
    TRY(take_slot(b, asnd));
    return cos_asnd_alloc(b->kmem, page, *asnd, rcv);
}

cos_err bt_tcap(bt *b, cos_capid *tcap)
{
    uint64_t page;
    TRY(bt_page(b, true, &page));
    TRY(take_slot(b, tcap));
    return cos_tcap_alloc(b->kmem, page, *tcap);
}

cos_err bt_build(const bt_desc *d, bt_system *out)
{
    if (d->ncomps > BT_MAX || d->nthds > BT_MAX || d->nsinvs > BT_MAX || d->nasnds > BT_MAX)
        return COS_ERANGE;
    for (unsigned i = 0; i < d->nthds; i++)
        if (d->thds[i].comp >= d->ncomps)
            return COS_ERANGE;
    for (unsigned i = 0; i < d->nsinvs; i++)
        if (d->sinvs[i].client >= d->ncomps || d->sinvs[i].server >= d->ncomps)
            return COS_ERANGE;
    for (unsigned i = 0; i < d->nasnds; i++)
        if (d->asnds[i].from_comp >= d->ncomps || d->asnds[i].to_thd >= d->nthds)
            return COS_ERANGE;
    bt *b = &out->b;
    TRY(bt_init(b));
    for (unsigned i = 0; i < d->ncomps; i++)
        TRY(bt_comp_new(b, d->comps[i].image, d->comps[i].user_pages, &out->comp[i]));
    for (unsigned i = 0; i < d->nthds; i++) {
        const bt_desc_thd *t = &d->thds[i];
        TRY(bt_thd_id(b, &out->comp[t->comp], t->entry, t->arg, &out->thd[i], &out->thd_id[i]));
        out->tcap[i] = 0;
        if (t->prio)
            TRY(bt_tcap(b, &out->tcap[i]));
        TRY(bt_rcv(b, out->thd[i], out->tcap[i], COS_BOOT_RCV(0), &out->rcv[i]));
        if (t->prio)
            TRY(cos_tcap_transfer(COS_BOOT_TCAP(0), out->rcv[i], t->budget, t->prio));
        TRY(bt_give(b, &out->comp[t->comp], out->rcv[i], &out->thd_rcv_slot[i]));
    }
    for (unsigned i = 0; i < d->nsinvs; i++)
        TRY(bt_sinv(b, &out->comp[d->sinvs[i].client], &out->comp[d->sinvs[i].server], d->sinvs[i].entry,
                    &out->sinv_slot[i]));
    for (unsigned i = 0; i < d->nasnds; i++) {
        cos_capid a;
        TRY(bt_asnd(b, out->rcv[d->asnds[i].to_thd], &a));
        TRY(bt_give(b, &out->comp[d->asnds[i].from_comp], a, &out->asnd_slot[i]));
    }
    return COS_OK;
}
