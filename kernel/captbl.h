/* kernel/captbl.h: capability tables.
 *
 * A component's capability table is a two-level radix tree in kernel
 * memory: a level-1 page of 512 eight-byte entries, each the physical
 * address of a level-2 page (0: none), and level-2 pages of 256 sixteen-
 * byte slots.  A capability id splits as (id / 256, id % 256), so a table
 * holds up to 131,072 capabilities.  A lookup is two dependent loads, each
 * through the caches (hw_access); that is its cost.
 *
 * A slot: its type (cos_cap_type), flags, an epoch counting its
 * deactivations (so that a stale reference to a reused slot can be told
 * apart), and the physical address of the object (for a free slot: when
 * it was freed, 0 never).
 *
 * Every call decodes first (all checks, each lookup costed) and only then
 * changes anything.
 */
#pragma once

#include <stdint.h>
#include "kernel/abi.h"
#include "kernel/kmem.h"
#include "kernel/layout.h"


typedef struct k_captbl {
    uint64_t root;              /* physical address of the level-1 page */
} k_captbl;

/* A table whose level-1 page is the kernel page `root` (unused until now). */
cos_err k_ct_create(k_mem *m, unsigned core, uint64_t root, sim_time_t now, uint64_t *cycles, k_captbl *out);
/* Give level-1 entry `index` the kernel page `node` as its level-2 page:
 * the check (every refusal) and the apply (cannot fail), or both. */
cos_err k_ct_expand(k_mem *m, const k_captbl *ct, unsigned core, uint32_t index, uint64_t node, sim_time_t now,
                    uint64_t *cycles);
cos_err k_ct_expand_check(k_mem *m, const k_captbl *ct, unsigned core, uint32_t index, uint64_t node,
                          sim_time_t now, uint64_t *cycles);
void k_ct_expand_apply(k_mem *m, const k_captbl *ct, unsigned core, uint32_t index, uint64_t node, sim_time_t now,
                       uint64_t *cycles);
/* The slot of capability id (a copy), and its physical address. */
cos_err k_ct_lookup(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, sim_time_t now, uint64_t *cycles,
                    k_slot *out, uint64_t *slot_paddr);
/* The same read with no cost and no cache traffic: for what user level
 * holds already (the user-level dispatch, kernel/thd.c) and checks. */
cos_err k_ct_peek(k_mem *m, const k_captbl *ct, cos_capid id, k_slot *out);
/* Put an object of `type` at physical address `obj` in free slot id. */
cos_err k_ct_activate(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, cos_cap_type type, uint64_t obj,
                      sim_time_t now, uint64_t *cycles);
/* Whether slot id exists and is free, and was freed at least the
 * quiescence period ago (COS_EQUIESCE otherwise). */
cos_err k_ct_check_free(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, sim_time_t now,
                        uint64_t *cycles);
/* Free slot id, which must hold a capability of `type`.  The free slot
 * keeps the time it was freed: it takes a new capability only after the
 * quiescence period (kernel/kmem.h). */
cos_err k_ct_deactivate(k_mem *m, const k_captbl *ct, unsigned core, cos_capid id, cos_cap_type type,
                        sim_time_t now, uint64_t *cycles);
