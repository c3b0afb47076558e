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
 * Host memory (a machine costs what it uses): the table is 16 bytes per
 * page of the machine (32 MiB for 8 GiB), but only a few of its entries are
 * ever anything but untyped.  An all-zero entry is an untyped page, and the
 * machine's memory reads as zero until written, its host backing committed
 * a page at a time on the first write (model/mem.h); so k_mem_init writes
 * nothing but the table's own entries, and a 4 KiB host page of the table
 * (one chunk: K_MEM_CHUNK entries, 1 MiB of the machine's memory) is
 * committed when the first page it describes is retyped.  The simulated
 * table is unchanged: same addresses, same cache traffic, same costs.  On
 * the host side, per chunk, a count of its typed pages and whether any of
 * its entries was ever written, so that walks over the table (k_mem_verify,
 * k_mem_next_typed: the invariant checker, tests) visit only the chunks in
 * use.
 *
 * Invariants (k_mem_verify): types are valid; untyped pages have count 0;
 * the table's own pages are kernel pages and never retyped; each chunk's
 * typed count is the number of its kernel and user pages, and a chunk never
 * written holds only untyped pages (all its entries are still zero).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "kernel/abi.h"
#include "model/hw.h"

typedef enum { K_PAGE_UNTYPED = 0, K_PAGE_KERNEL = 1, K_PAGE_USER = 2 } k_page_type;

/* Entries per chunk: one 4 KiB page of the table. */
#define K_MEM_CHUNK 256u

typedef struct k_mem {
    hw *h;
    uint64_t npages;
    uint64_t table_pages;     /* pages the table itself occupies, from 0 */
    sim_time_t quiescence;    /* reuse delay after the last free */
    /* host bookkeeping, never seen by the simulation: */
    uint64_t nchunks;         /* ceil(npages / K_MEM_CHUNK) */
    uint16_t *typed;          /* [nchunks]: kernel and user pages in the chunk */
    uint64_t *written;        /* bitmap of nchunks: an entry of the chunk was written */
} k_mem;

/* The table at physical address 0; its own pages become kernel pages.
 * The machine's memory must be as hw_new made it (all zero): one kernel
 * per machine, booted before anything else writes the memory. */
void k_mem_init(k_mem *m, hw *h, sim_time_t quiescence);
/* The host bookkeeping (the table itself is the machine's memory). */
void k_mem_free(k_mem *m);

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
/* The first kernel or user page at or after page-aligned paddr, in address
 * order, or npages * COS_PAGE_SIZE if there is none: a walk over the typed
 * pages in the time of the chunks in use, not of the machine's memory. */
uint64_t k_mem_next_typed(const k_mem *m, uint64_t paddr);
/* Chunks of the table ever written: the host pages the table costs. */
uint64_t k_mem_chunks_written(const k_mem *m);
