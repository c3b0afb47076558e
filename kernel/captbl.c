/* kernel/captbl.c: capability tables (see captbl.h). */
#include "captbl.h"

#include <string.h>
#include <glib.h>

G_STATIC_ASSERT(sizeof(k_slot) == 16);
G_STATIC_ASSERT(K_CT_L1 * sizeof(uint64_t) == COS_PAGE_SIZE);
G_STATIC_ASSERT(K_CT_L2 * sizeof(k_slot) == COS_PAGE_SIZE);

static void *ram(k_mem *m, uint64_t paddr)
{
    return hwmem_ram(m->h->mem, paddr);
}

static void charge(k_mem *m, unsigned core, uint64_t paddr, unsigned len, bool write, sim_time_t now,
                   uint64_t *cycles)
{
    *cycles += hw_access(m->h, core, paddr, len, write ? HWMEM_WRITE : HWMEM_READ, now + hw_ps(m->h, *cycles));
}

cos_err k_ct_create(k_mem *m, unsigned core, uint64_t root, sim_time_t now, uint64_t *cycles, k_captbl *out)
{
    cos_err e = k_mem_check_unused_kernel(m, root, now);
    if (e)
        return e;
    e = k_mem_get(m, core, root, now, cycles);      /* cannot fail after the checks */
    g_assert(e == COS_OK);
    memset(ram(m, root), 0, COS_PAGE_SIZE);
    charge(m, core, root, COS_PAGE_SIZE, true, now, cycles);
    k_mem_set_kind(m, root, COS_CAP_CAPTBL);
    out->root = root;
    return COS_OK;
}

static uint64_t l1_paddr(const k_captbl *ct, uint32_t index)
{
    return ct->root + (uint64_t)index * sizeof(uint64_t);
}

cos_err k_ct_expand_check(k_mem *m, const k_captbl *ct, unsigned core, uint32_t index, uint64_t node,
                          sim_time_t now, uint64_t *cycles)
{
    if (index >= K_CT_L1)
        return COS_ERANGE;
    cos_err e = k_mem_check_unused_kernel(m, node, now);
    if (e)
        return e;
    charge(m, core, l1_paddr(ct, index), sizeof(uint64_t), false, now, cycles);
    if (*(uint64_t *)ram(m, l1_paddr(ct, index)) != 0)
        return COS_EEXIST;
    return COS_OK;
}

void k_ct_expand_apply(k_mem *m, const k_captbl *ct, unsigned core, uint32_t index, uint64_t node, sim_time_t now,
                       uint64_t *cycles)
{
    cos_err e = k_mem_get(m, core, node, now, cycles);
    g_assert(e == COS_OK);
    memset(ram(m, node), 0, COS_PAGE_SIZE);
    charge(m, core, node, COS_PAGE_SIZE, true, now, cycles);
    *(uint64_t *)ram(m, l1_paddr(ct, index)) = node;
    charge(m, core, l1_paddr(ct, index), sizeof(uint64_t), true, now, cycles);
}

cos_err k_ct_expand(k_mem *m, const k_captbl *ct, unsigned core, uint32_t index, uint64_t node, sim_time_t now,
                    uint64_t *cycles)
{
    cos_err e = k_ct_expand_check(m, ct, core, index, node, now, cycles);
    if (e)
        return e;
    k_ct_expand_apply(m, ct, core, index, node, now, cycles);
    return COS_OK;
}

/* Decode a capability id to its slot's address (two costed loads). */
static cos_err find(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, sim_time_t now, uint64_t *cycles,
                    uint64_t *slot)
{
    if (id >= K_CT_MAX)
        return COS_ERANGE;
    uint64_t l1 = l1_paddr(ct, id / K_CT_L2);
    charge(m, core, l1, sizeof(uint64_t), false, now, cycles);
    uint64_t node = *(uint64_t *)ram(m, l1);
    if (node == 0)
        return COS_ENOENT;
    *slot = node + (uint64_t)(id % K_CT_L2) * sizeof(k_slot);
    charge(m, core, *slot, sizeof(k_slot), false, now, cycles);
    return COS_OK;
}

cos_err k_ct_lookup(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, sim_time_t now, uint64_t *cycles,
                    k_slot *out, uint64_t *slot_paddr)
{
    uint64_t sp;
    cos_err e = find(m, ct, core, id, now, cycles, &sp);
    if (e)
        return e;
    k_slot *s = ram(m, sp);
    if (s->type == COS_CAP_FREE)
        return COS_ENOENT;
    *out = *s;
    if (slot_paddr)
        *slot_paddr = sp;
    return COS_OK;
}

cos_err k_ct_peek(k_mem *m, const k_captbl *ct, cos_capid id, k_slot *out)
{
    if (id >= K_CT_MAX)
        return COS_ERANGE;
    uint64_t node = *(uint64_t *)ram(m, l1_paddr(ct, id / K_CT_L2));
    if (node == 0)
        return COS_ENOENT;
    k_slot *s = ram(m, node + (uint64_t)(id % K_CT_L2) * sizeof(k_slot));
    if (s->type == COS_CAP_FREE)
        return COS_ENOENT;
    *out = *s;
    return COS_OK;
}

cos_err k_ct_activate(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, cos_cap_type type, uint64_t obj,
                      sim_time_t now, uint64_t *cycles)
{
    if (type == COS_CAP_FREE || type >= COS_CAP_TYPES)
        return COS_ETYPE;
    uint64_t sp;
    cos_err e = find(m, ct, core, id, now, cycles, &sp);
    if (e)
        return e;
    k_slot *s = ram(m, sp);
    if (s->type != COS_CAP_FREE)
        return COS_EEXIST;
    if (s->obj && now + hw_ps(m->h, *cycles) < s->obj + m->quiescence)
        return COS_EQUIESCE;
    s->type = (uint16_t)type;
    s->flags = 0;
    s->obj = obj;
    charge(m, core, sp, sizeof(k_slot), true, now, cycles);
    return COS_OK;
}

cos_err k_ct_deactivate(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, cos_cap_type type,
                        sim_time_t now, uint64_t *cycles)
{
    uint64_t sp;
    cos_err e = find(m, ct, core, id, now, cycles, &sp);
    if (e)
        return e;
    k_slot *s = ram(m, sp);
    if (s->type == COS_CAP_FREE)
        return COS_ENOENT;
    if (s->type != (uint16_t)type)
        return COS_ETYPE;
    s->type = COS_CAP_FREE;
    s->obj = now + hw_ps(m->h, *cycles);    /* a free slot keeps when it was freed */
    if (s->obj == 0)
        s->obj = 1;
    s->epoch++;
    charge(m, core, sp, sizeof(k_slot), true, now, cycles);
    return COS_OK;
}

cos_err k_ct_check_free(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, sim_time_t now,
                        uint64_t *cycles)
{
    uint64_t sp;
    cos_err e = find(m, ct, core, id, now, cycles, &sp);
    if (e)
        return e;
    const k_slot *s = ram(m, sp);
    if (s->type != COS_CAP_FREE)
        return COS_EEXIST;
    if (s->obj && now + hw_ps(m->h, *cycles) < s->obj + m->quiescence)
        return COS_EQUIESCE;
    return COS_OK;
}
