/* kernel/cap.h: capabilities as a running component holds them
 * (kernel/cap.c), and the calls that manage capabilities and memory.
 *
 * captbl.c and kmem.c are the data structures (a table's radix tree, the
 * retype table); this is where system calls meet them: decoding a
 * capability id through the caller's current component, memory
 * capabilities (a range of pages packed in the slot), and the calls
 * CAP_COPY, CAP_REMOVE, CAPTBL_EXPAND, CAPTBL_ALLOC, KMEM_NARROW,
 * KMEM_INFO and KMEM_RETYPE.  Every object's *_ALLOC call begins with
 * k_cap_alloc_decode and ends with k_cap_put.
 *
 * Layer: above obj (it drops references); every object's calls use it.
 */
#pragma once

#include "internal.h"

/* Decode capability id in component comp's table: its slot (charged: two
 * dependent loads).  type COS_CAP_FREE: any type. */
cos_err k_cap(k_core *c, uint64_t comp, cos_capid id, cos_cap_type type, k_slot *out);
/* Slot id of comp's table is free and past its quiescence (charged). */
cos_err k_cap_free_slot(k_core *c, uint64_t comp, cos_capid id);
/* Put a capability in slot id of comp's table, which the decode found
 * free (charged; cannot fail). */
void k_cap_put(k_core *c, uint64_t comp, cos_capid id, cos_cap_type type, uint64_t obj);

/* A KMEM capability's range is packed in its slot: first page << 32 | pages. */
static inline uint64_t k_cap_kmem_pack(uint64_t first_page, uint64_t pages) { return first_page << 32 | pages; }
static inline uint64_t k_cap_kmem_first(const k_slot *s) { return s->obj >> 32; }
static inline uint64_t k_cap_kmem_pages(const k_slot *s) { return s->obj & 0xFFFFFFFFu; }
/* Page `rel` of kmem capability `kmem`, as a physical address; a user
 * page (COS_ETYPE if it is not). */
cos_err k_cap_kmem_page(k_core *c, uint64_t comp, cos_capid kmem, cos_word rel, uint64_t *paddr);
cos_err k_cap_user_page(k_core *c, uint64_t comp, cos_capid kmem, cos_word rel, uint64_t *paddr);

/* What every object's creation decodes first: page a0 of kmem capability
 * t->cap, an unused kernel page, and slot a1 of the caller's table, free. */
cos_err k_cap_alloc_decode(k_core *c, k_thread *t, k_thd_o *th, uint64_t *page, cos_capid *slot);

/* The calls (each decodes, then invokes). */
cos_ret k_cap_copy(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_cap_remove(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_cap_expand(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_cap_captbl_alloc(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_cap_narrow(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_cap_info(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_cap_retype(k_core *c, k_thread *t, k_thd_o *th);
