/* kernel/comp.h: components (kernel/comp.c).
 *
 * A component is a capability table and a protection domain (a page-table
 * object: pgtbl.h) running the code of one image; threads execute in one
 * at a time (their invocation stacks say which).  It holds a reference on
 * both; `active` counts the invocations in progress inside it, which keep
 * it alive (kernel/obj.c: a component whose last reference goes with
 * threads inside is `kept` until they leave).  Here: the object and
 * COMP_ALLOC.
 *
 * Layer: above cap and obj.
 */
#pragma once

#include "internal.h"

/* A component in kernel page `page` with table captbl and domain pgtbl,
 * running image `image`. */
uint64_t k_comp_init(k_core *c, uint64_t page, uint64_t captbl, uint64_t pgtbl, unsigned image);

cos_ret k_comp_alloc(k_core *c, k_thread *t, k_thd_o *th);
