/* kernel/pgtbl.h: protection domains: page tables or MPU layouts
 * (kernel/pgtbl.c).
 *
 * A page-table object (COS_CAP_PGTBL) is a component's address space:
 * on an MMU machine a page table with an address-space id, whose tables
 * come from a pool of kernel pages the object owns (the object's own page
 * first); on an MPU machine a region layout.  Which of the two a machine
 * has, and every format detail, is the hardware layer's (model/hw.h:
 * hw_pd_kind_of, hw_switch_pd, hw_pt_map, hw_mpu_region); this file keeps
 * the kernel's side: the pool, ASIDs and their owners per core, the
 * references mapped pages hold, and the calls PGTBL_ALLOC, PGTBL_MAP,
 * PGTBL_UNMAP and MPU_REGION.  The domain switch itself (k_pgtbl_switch)
 * runs on every invocation, return and dispatch into another component.
 *
 * Invariants (check.c, rules 3 and 9): a mapped or region page is user
 * memory holding the mapping's reference; no TLB translates to a page
 * that is not user memory (an unmap shoots down every core that may hold
 * the entry: xcore.c).
 *
 * Layer: above xcore (shootdowns), cap and obj.
 */
#pragma once

#include "internal.h"

/* Load comp's domain on c (nothing if it is loaded already). */
void k_pgtbl_switch(k_core *c, uint64_t comp);
/* The return to user level in comp's domain (loaded): translate the page
 * its code resumes at and its stack page (COS_MAP_EXEC, COS_MAP_STACK), as
 * the hardware does when user code runs again; the walks of TLB misses are
 * charged to the path (p_walk, p_walks).  Nothing on an MPU machine. */
void k_pgtbl_resume(k_core *c, uint64_t comp);
/* A domain in the npages kernel pages from `page` (the object and its
 * pool); k_pgtbl_min_pool of them at least. */
uint64_t k_pgtbl_init(k_core *c, uint64_t page, uint64_t npages);
/* Pages a pool needs for the object and the top-level table: 1 on an MPU
 * machine; x86-64 2; ARM 8 (its 16 KiB root, aligned to its size, may
 * start up to 12 KiB past the object's page). */
uint64_t k_pgtbl_min_pool(const k_kernel *k);

cos_ret k_pgtbl_alloc(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_pgtbl_map(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_pgtbl_unmap(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_pgtbl_region(k_core *c, k_thread *t, k_thd_o *th);
