/* kernel/pgtbl.c: protection domains (see pgtbl.h).
 *
 * A map's decode dry-runs the walk (hw_pt_map_check) to learn whether the
 * page is free and how many tables the map would add, and checks the pool
 * has room for exactly those: the invoke then cannot fail, and a refused
 * map leaves the pool and the tables as they were.  An unmap's decode
 * finds the page (hw_pt_lookup) and a free slot in every ring a shootdown
 * must go through before anything changes.
 */
#include "pgtbl.h"

#include <string.h>
#include "cap.h"
#include "obj.h"
#include "xcore.h"

#define MAX_POOL_PAGES 1024u     /* 4 MiB of tables: 2 GiB mapped on x86-64, 4 GiB on ARM */
#define MAX_REGION_LOG2 20u

/* ---- the pool and ASIDs -------------------------------------------------------- */

typedef struct pool_ctx {
    k_kernel *k;
    uint64_t obj;
} pool_ctx;

/* Page-table memory from a pgtbl's pool: aligned to its size, zeroed. */
static bool pool_alloc(void *ctx, unsigned size, uint64_t *paddr)
{
    pool_ctx *p = ctx;
    k_pgtbl_o *o = K_OBJ(p->k, k_pgtbl_o, p->obj);
    uint64_t at = (o->next + size - 1) & ~(uint64_t)(size - 1);
    if (at + size > o->pool + (uint64_t)o->npages * COS_PAGE_SIZE)
        return false;
    memset(k_ram(p->k, at), 0, size);
    o->next = at + size;
    *paddr = at;
    return true;
}

/* Whether the pool has room for `tables` more tables of `bytes` each, at
 * pool_alloc's alignment. */
static bool pool_fits(const k_pgtbl_o *o, unsigned tables, unsigned bytes)
{
    if (tables == 0)
        return true;
    uint64_t at = (o->next + bytes - 1) & ~(uint64_t)(bytes - 1);
    return at + (uint64_t)tables * bytes <= o->pool + (uint64_t)o->npages * COS_PAGE_SIZE;
}

/* The next ASID, round robin over 1 .. nasids - 1 (0 stays the boot
 * component's).  A recycled ASID's TLB entries on a core go at the next
 * switch there (k_pgtbl_switch). */
static uint16_t new_asid(k_kernel *k)
{
    uint16_t a = (uint16_t)k->next_asid;
    k->next_asid = k->next_asid + 1 >= k->nasids ? 1 : k->next_asid + 1;
    return a;
}

uint64_t k_pgtbl_min_pool(const k_kernel *k)
{
    uint64_t root = hw_pt_root_bytes(k->h);
    return root ? 1 + (2 * root - COS_PAGE_SIZE) / COS_PAGE_SIZE : 1;
}

/* ---- the two kinds of domain ------------------------------------------------------ *
 * A page-table object holds a page table (root, ASID) or an MPU layout,
 * as the machine's domains are (hw_pd_kind_of); the formats behind each
 * are the hardware layer's.  What the kernel itself keeps and reads of
 * each part, one entry per kind, chosen by the machine's kind. */

/* A page table: an ASID, and the root's first line written (the hardware
 * layer zeroed it). */
static void pt_made(k_core *c, k_pgtbl_o *o)
{
    o->asid = new_asid(c->k);
    k_touch(c, o->root, 64, true);
}

/* What a switch to page table pt loads: the root and its ASID, read
 * (charged).  An ASID whose TLB entries on this core belong to another
 * table (it was recycled) is not kept. */
static void pt_load(k_core *c, uint64_t pt, hw_pd *pd)
{
    k_kernel *k = c->k;
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt);
    k_touch(c, pt + offsetof(k_pgtbl_o, asid), 4, false);
    k_touch(c, pt + offsetof(k_pgtbl_o, root), 8, false);
    uint64_t *owner = &k->asid_owner[(size_t)c->id * k->nasids + o->asid];
    bool keep = *owner == pt;
    *owner = pt;
    *pd = (hw_pd){ .root = o->root, .asid = (uint16_t)o->asid, .keep = keep };
}

/* An MPU layout: nothing more to keep. */
static void mpu_made(k_core *c, k_pgtbl_o *o)
{
    (void)c, (void)o;
}

/* What a switch to layout pt loads: its regions, read (charged). */
static void mpu_load(k_core *c, uint64_t pt, hw_pd *pd)
{
    k_pgtbl_o *o = K_OBJ(c->k, k_pgtbl_o, pt);
    k_touch(c, pt + offsetof(k_pgtbl_o, mpu), sizeof o->mpu, false);
    *pd = (hw_pd){ .layout = &o->mpu };
}

static const struct pd_part {
    void (*made)(k_core *c, k_pgtbl_o *o);
    void (*load)(k_core *c, uint64_t pt, hw_pd *pd);
} pd_parts[] = {
    [HW_PD_PAGETABLE] = { pt_made, pt_load },
    [HW_PD_MPU] = { mpu_made, mpu_load },
};

static const struct pd_part *pd_part(const k_kernel *k)
{
    return &pd_parts[hw_pd_kind_of(k->h)];
}

uint64_t k_pgtbl_init(k_core *c, uint64_t page, uint64_t npages)
{
    k_kernel *k = c->k;
    k_pgtbl_o *o = k_obj_new(c, page, COS_CAP_PGTBL, 0, sizeof(k_pgtbl_o));
    for (uint64_t i = 1; i < npages; i++)
        k_obj_ref(c, page + i * COS_PAGE_SIZE);     /* held by the pgtbl */
    uint64_t obj = k_obj_addr(COS_CAP_PGTBL, page);
    o->pool = page;
    o->npages = (uint32_t)npages;
    o->next = page + COS_PAGE_SIZE;
    pool_ctx p = { k, obj };
    bool ok = hw_pd_new(k->h, pool_alloc, &p, &o->root, &o->mpu);
    g_assert(ok);   /* the pool has k_pgtbl_min_pool pages: checked by the caller */
    pd_part(k)->made(c, o);
    return obj;
}

/* ---- the domain switch --------------------------------------------------------- */

void k_pgtbl_switch(k_core *c, uint64_t comp)
{
    uint64_t pt = K_RD(c, k_comp_o, comp, pgtbl);
    if (pt == c->pd)
        return;     /* components that share a domain switch nothing */
    c->pd = pt;
    hw_pd pd;
    pd_part(c->k)->load(c, pt, &pd);
    k_arch(c, hw_switch_pd(c->k->h, c->id, &pd));
}

/* ---- returning to user level ----------------------------------------------------- *
 * User code is host code and its instructions are not simulated, but on
 * an MMU machine the hardware translates what it fetches and what it
 * pushes the moment it runs again: the instruction after the trap (or the
 * entry point of an upcall) through the instruction TLB, and the stub's
 * first stack access through the data TLB.  The model keeps one TLB per
 * core for both (model/hw.c: the preset's main TLB; docs/calibration.md),
 * so both translations go to it.  A hit costs nothing beyond the cpi; a
 * miss is a walk through the caches.  With PCID/ASID in use these hit once
 * warm; without, every domain switch flushed them and each costs a walk.
 * The kernel's own accesses are not translated here: the kernel's pages
 * are global (x86 PGE, ARM nG = 0), so no switch flushes them
 * (docs/calibration.md, "TLB and address-space effects"). */

static void resume_one(k_core *c, uint64_t va, unsigned acc)
{
    hwpt_result r;
    uint64_t w = hw_translate(c->k->h, c->id, va, acc | HWPT_ACC_USER, c->now + hw_ps(c->k->h, c->cycles), &r);
    c->cycles += w;
    c->p_walk += w;
    c->p_walks += !r.tlb_hit;
}

void k_pgtbl_resume(k_core *c, uint64_t comp)
{
    if (hw_pd_kind_of(c->k->h) != HW_PD_PAGETABLE)
        return;
    uint64_t pt = K_RD(c, k_comp_o, comp, pgtbl);
    const k_pgtbl_o *o = K_OBJ(c->k, k_pgtbl_o, pt);
    if (o->uva & K_UVA_CODE)
        resume_one(c, o->code_va, HWPT_ACC_FETCH);
    if (o->uva & K_UVA_STACK)
        resume_one(c, o->stack_va, HWPT_ACC_WRITE);
}

/* ---- PGTBL_ALLOC: a domain in kmem `cap`'s pages [a0, a0 + a2), at slot a1 ------- */

typedef struct alloc_args {
    uint64_t page, npages;
    cos_capid slot;
} alloc_args;

static cos_err alloc_decode(k_core *c, k_thread *t, k_thd_o *th, alloc_args *a)
{
    K_TRY(k_cap_alloc_decode(c, t, th, &a->page, &a->slot));
    a->npages = t->a[2];
    if (a->npages < k_pgtbl_min_pool(c->k) || a->npages > MAX_POOL_PAGES)
        return COS_EINVAL;
    k_slot km;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_KMEM, &km));
    if (t->a[0] + a->npages > k_cap_kmem_pages(&km))
        return COS_ERANGE;
    /* every pool page: an unused kernel page */
    for (uint64_t i = 0; i < a->npages; i++)
        K_TRY(k_mem_check_unused_kernel(&c->k->mem, a->page + i * COS_PAGE_SIZE, c->now));
    return COS_OK;
}

cos_ret k_pgtbl_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    alloc_args a;
    cos_err e = alloc_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    uint64_t pt = k_pgtbl_init(c, a.page, a.npages);
    k_cap_put(c, th->comp, a.slot, COS_CAP_PGTBL, pt);
    return K_RET(COS_OK);
}

/* A page's address in the user half: aligned, below hw_user_va_end. */
static cos_err user_va(const k_kernel *k, uint64_t va)
{
    if (va % COS_PAGE_SIZE)
        return COS_EALIGN;
    return va >= hw_user_va_end(k->h) ? COS_ERANGE : COS_OK;
}

static unsigned map_flags(cos_word f)
{
    return (f & COS_MAP_WRITE ? HW_MAP_WRITE : 0) | (f & COS_MAP_EXEC ? HW_MAP_EXEC : 0);
}

/* ---- PGTBL_MAP: at a0 in domain `cap`, kmem a1's user page a2, flags a3 --------- */

typedef struct map_args {
    uint64_t pt, root, va, frame;
    unsigned flags, uva;
} map_args;

static cos_err map_decode(k_core *c, k_thread *t, k_thd_o *th, map_args *a)
{
    k_kernel *k = c->k;
    k_slot pt;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_PGTBL, &pt));
    if (hw_pd_kind_of(k->h) != HW_PD_PAGETABLE)
        return COS_EINVAL;      /* an MPU machine: MPU_REGION */
    K_TRY(k_cap_user_page(c, th->comp, (cos_capid)t->a[1], t->a[2], &a->frame));
    a->va = t->a[0];
    K_TRY(user_va(k, a->va));
    if (t->a[3] & ~(cos_word)(COS_MAP_WRITE | COS_MAP_EXEC | COS_MAP_STACK))
        return COS_EINVAL;
    if ((t->a[3] & COS_MAP_STACK) && !(t->a[3] & COS_MAP_WRITE))
        return COS_EINVAL;      /* a stack is written */
    a->pt = pt.obj;
    a->flags = map_flags(t->a[3]);
    a->uva = (t->a[3] & COS_MAP_EXEC ? K_UVA_CODE : 0) | (t->a[3] & COS_MAP_STACK ? K_UVA_STACK : 0);
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt.obj);
    k_touch(c, pt.obj, 64, false);
    a->root = o->root;
    /* the walk, tried: a page there already, or the tables it would add */
    unsigned tables;
    if (!hw_pt_map_check(k->h, a->root, a->va, a->frame, a->flags, &tables))
        return COS_EEXIST;
    if (!pool_fits(o, tables, hw_pt_table_bytes(k->h)))
        return COS_ENOMEM;
    return COS_OK;
}

static void map_invoke(k_core *c, const map_args *a)
{
    k_step(c, K_P_MGMT);
    pool_ctx p = { c->k, a->pt };
    bool ok = hw_pt_map(c->k->h, a->root, a->va, a->frame, a->flags, pool_alloc, &p);
    g_assert(ok);   /* the decode's dry run said so, and the pool has room */
    k_touch(c, a->root, 8, true);
    k_obj_ref(c, a->frame);     /* the mapping's reference */
    k_pgtbl_o *o = K_OBJ(c->k, k_pgtbl_o, a->pt);
    if (a->uva & K_UVA_CODE)
        o->code_va = a->va;
    if (a->uva & K_UVA_STACK)
        o->stack_va = a->va;
    if (a->uva)
        k_touch(c, a->pt + offsetof(k_pgtbl_o, code_va), 20, true);
    o->uva |= a->uva;
}

cos_ret k_pgtbl_map(k_core *c, k_thread *t, k_thd_o *th)
{
    map_args a;
    cos_err e = map_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    map_invoke(c, &a);
    return K_RET(COS_OK);
}

/* ---- PGTBL_UNMAP: a0 in domain `cap` -------------------------------------------- *
 * Clear the page's leaf, invalidate this core's TLB entry, and send a
 * shootdown to every other core whose TLB may hold the table's entries (it
 * loaded the table under its ASID since the ASID last changed hands
 * there).  The sender does not wait for them: the frame loses the
 * mapping's reference now, and the quiescence rule (kmem.h) keeps it from
 * being retyped, so reused, until every shootdown has been taken.  Until
 * then a core that has not taken its shootdown may still reach the old
 * frame through its TLB (as on hardware before the IPI lands). */

typedef struct unmap_args {
    uint64_t pt, root, va, frame;
    uint16_t asid;
    uint64_t targets;       /* the cores to shoot down, one bit each */
} unmap_args;

static cos_err unmap_decode(k_core *c, k_thread *t, k_thd_o *th, unmap_args *a)
{
    k_kernel *k = c->k;
    k_slot pt;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_PGTBL, &pt));
    if (hw_pd_kind_of(k->h) != HW_PD_PAGETABLE)
        return COS_EINVAL;
    a->va = t->a[0];
    K_TRY(user_va(k, a->va));
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt.obj);
    k_touch(c, pt.obj, 64, false);
    a->pt = pt.obj;
    a->root = o->root;
    a->asid = (uint16_t)o->asid;
    /* the cores to shoot down, each with room in its ring */
    a->targets = 0;
    for (unsigned d = 0; d < k->ncores; d++) {
        if (d == c->id || k->asid_owner[(size_t)d * k->nasids + o->asid] != pt.obj)
            continue;
        if (!k_xcore_room(c, d))
            return COS_EBUSY;
        a->targets |= UINT64_C(1) << d;
    }
    if (!hw_pt_lookup(k->h, a->root, a->va, &a->frame))
        return COS_ENOENT;
    return COS_OK;
}

static unsigned unmap_invoke(k_core *c, const unmap_args *a)
{
    k_kernel *k = c->k;
    k_step(c, K_P_MGMT);
    uint64_t frame = 0;
    bool ok = hw_pt_unmap(k->h, a->root, a->va, &frame);
    g_assert(ok && frame == a->frame);
    k_touch(c, a->root, 8, true);
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, a->pt);
    if ((o->uva & K_UVA_CODE) && o->code_va == a->va)
        o->uva &= ~K_UVA_CODE;      /* no code to resume at any more */
    if ((o->uva & K_UVA_STACK) && o->stack_va == a->va)
        o->uva &= ~K_UVA_STACK;
    if (k->asid_owner[(size_t)c->id * k->nasids + a->asid] == a->pt)
        k_arch(c, hw_tlb_invalidate_page(k->h, c->id, a->va, a->asid));
    unsigned sent = 0;
    for (unsigned d = 0; d < k->ncores; d++)
        if (a->targets >> d & 1) {
            k_xcore_shootdown(c, d, a->va, a->asid);
            sent++;
        }
    k_obj_unref(c, frame);
    return sent;
}

cos_ret k_pgtbl_unmap(k_core *c, k_thread *t, k_thd_o *th)
{
    unmap_args a;
    cos_err e = unmap_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    return (cos_ret){ .err = COS_OK, .r = { unmap_invoke(c, &a) } };
}

/* ---- MPU_REGION: region a0 of domain `cap`: kmem a1's pages from a2, ------------- *
 * 2^a3 bytes, flags a4 (a1 0: the region off).  The running component's
 * layout changes at once. */

typedef struct region_args {
    uint64_t pt;
    unsigned region;
    uint64_t first, pages;
    hwmpu m;                /* the layout after the change */
} region_args;

static cos_err region_decode(k_core *c, k_thread *t, k_thd_o *th, region_args *a)
{
    k_kernel *k = c->k;
    k_slot pt;
    K_TRY(k_cap(c, th->comp, t->cap, COS_CAP_PGTBL, &pt));
    if (hw_pd_kind_of(k->h) != HW_PD_MPU)
        return COS_EINVAL;      /* an MMU machine: PGTBL_MAP */
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt.obj);
    k_touch(c, pt.obj, sizeof *o, false);
    a->pt = pt.obj;
    a->region = (unsigned)MIN(t->a[0], (cos_word)UINT32_MAX);
    if (a->region >= o->mpu.nregions)
        return COS_ERANGE;
    a->m = o->mpu;
    a->first = a->pages = 0;
    if (t->a[1] == 0)
        return hw_mpu_region(k->h, &a->m, a->region, 0, 0, 0) ? COS_OK : COS_EINVAL;
    uint64_t log2 = t->a[3];
    if (log2 < 12 || log2 > MAX_REGION_LOG2 || (t->a[4] & ~(cos_word)(COS_MAP_WRITE | COS_MAP_EXEC)))
        return COS_EINVAL;
    a->pages = (uint64_t)1 << (log2 - 12);
    K_TRY(k_cap_user_page(c, th->comp, (cos_capid)t->a[1], t->a[2], &a->first));
    uint64_t last;
    K_TRY(k_cap_user_page(c, th->comp, (cos_capid)t->a[1], t->a[2] + a->pages - 1, &last));
    for (uint64_t i = 1; i + 1 < a->pages; i++)
        if (k_mem_type(&k->mem, a->first + i * COS_PAGE_SIZE) != K_PAGE_USER)
            return COS_ETYPE;
    if (a->first % ((uint64_t)1 << log2) || a->first + ((uint64_t)1 << log2) - 1 > UINT32_MAX)
        return COS_EALIGN;
    if (!hw_mpu_region(k->h, &a->m, a->region, a->first, (unsigned)log2, map_flags(t->a[4])))
        return COS_EINVAL;
    return COS_OK;
}

static void region_invoke(k_core *c, k_thd_o *th, const region_args *a)
{
    k_kernel *k = c->k;
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, a->pt);
    k_step(c, K_P_MGMT);
    for (uint64_t i = 0; i < o->region_pages[a->region]; i++)
        k_obj_unref(c, o->region_first[a->region] + i * COS_PAGE_SIZE);
    for (uint64_t i = 0; i < a->pages; i++)
        k_obj_ref(c, a->first + i * COS_PAGE_SIZE);
    o->region_first[a->region] = a->first;
    o->region_pages[a->region] = a->pages;
    o->mpu = a->m;
    k_touch(c, a->pt + offsetof(k_pgtbl_o, mpu), sizeof a->m, true);
    /* the running component's layout takes effect now */
    if (K_OBJ(k, k_comp_o, th->comp)->pgtbl == a->pt)
        k_arch(c, hw_switch_pd(k->h, c->id, &(hw_pd){ .layout = &a->m }));
}

cos_ret k_pgtbl_region(k_core *c, k_thread *t, k_thd_o *th)
{
    region_args a;
    cos_err e = region_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    region_invoke(c, th, &a);
    return K_RET(COS_OK);
}
