/* kernel/kmem.h: kernel memory: the retype table.
 *
 * Physical memory is pages of 4 KiB, each untyped, kernel (holding kernel
 * objects) or user (mappable into components).  The table of their states
 * lives in simulated memory at the bottom of physical memory, one 16-byte
 * entry per page: every retype and reference-count change touches it
 * through the caches (hw_access) and costs what that costs.
 *
 * Retype rules (docs/kernel-design.md): untyped -> kernel or user; kernel
 * or user -> untyped only when the page holds nothing live (reference count
 * 0) and it was last freed at least the quiescence period ago, so that a
 * path on another core that read a pointer into the page before the free
 * has finished by the time the page is reused.  That is what lets kernel
 * paths run without locks.
 *
 * Invariants (k_mem_verify): types are valid; untyped pages have count 0;
 * the table's own pages are kernel pages and never retyped.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "kernel/abi.h"
#include "model/hw.h"

typedef enum { K_PAGE_UNTYPED = 0, K_PAGE_KERNEL = 1, K_PAGE_USER = 2 } k_page_type;

typedef struct k_mem {
    hw *h;
    uint64_t npages;
    uint64_t table_pages;     /* pages the table itself occupies, from 0 */
    sim_time_t quiescence;    /* reuse delay after the last free */
} k_mem;

/* The table at physical address 0; its own pages become kernel pages. */
void k_mem_init(k_mem *m, hw *h, sim_time_t quiescence);

/* Each call: `core` at time `now`; *cycles accumulates its cost.
 * A retype is a check (reads the entry; every refusal) and an apply
 * (writes it; cannot fail), which k_mem_retype does one after the other. */
cos_err k_mem_retype(k_mem *m, unsigned core, uint64_t paddr, k_page_type from, k_page_type to,
                     sim_time_t now, uint64_t *cycles);
cos_err k_mem_retype_check(k_mem *m, unsigned core, uint64_t paddr, k_page_type from, k_page_type to,
                           sim_time_t now, uint64_t *cycles);
void k_mem_retype_apply(k_mem *m, unsigned core, uint64_t paddr, k_page_type to, sim_time_t now, uint64_t *cycles);
/* An object in kernel page `paddr` comes to life / dies (the reference
 * count; a death at `now` starts the page's quiescence). */
cos_err k_mem_get(k_mem *m, unsigned core, uint64_t paddr, sim_time_t now, uint64_t *cycles);
cos_err k_mem_put(k_mem *m, unsigned core, uint64_t paddr, sim_time_t now, uint64_t *cycles);

/* Whether paddr is a kernel page that holds nothing and has been free for
 * the quiescence period at `now`, fit to become a new kernel object's
 * home (no cost: the caller's k_mem_get pays for the entry). */
cos_err k_mem_check_unused_kernel(const k_mem *m, uint64_t paddr, sim_time_t now);
/* The kind of object a kernel page holds (a cos_cap_type; 0: none, or
 * hardware-format tables), kept in the page's entry; set at creation, and
 * cleared when the last reference goes.  No cost: set and read with the
 * reference count the caller pays for. */
unsigned k_mem_kind(const k_mem *m, uint64_t paddr);
void k_mem_set_kind(k_mem *m, uint64_t paddr, unsigned kind);
/* For tests and the invariant checker (no cost). */
k_page_type k_mem_type(const k_mem *m, uint64_t paddr);
uint32_t k_mem_refs(const k_mem *m, uint64_t paddr);
bool k_mem_verify(const k_mem *m);
