/* kernel/obj.h: kernel objects in general (kernel/obj.c).
 *
 * An object is made in a kernel page that holds nothing (one object per
 * page, coloured: internal.h) and lives while its page's reference count
 * (kernel/kmem.h) is positive.  A reference is a capability naming it or
 * an object field pointing at it; when the last one goes the object ends
 * and drops the references it held, which may end others (every kind of
 * object is known here, as seL4 keeps finalisation in one place).
 *
 * The lowest layer of the kernel's objects: it calls only kmem and the
 * cost functions (path.c), and every object file calls it.
 */
#pragma once

#include "internal.h"

/* Make an object of `type` (belonging to `core`) in kernel page `page`:
 * the page takes the reference of the capability about to name it, is
 * zeroed, and the object's first `size` bytes are charged as written.
 * Returns the object (host view of simulated memory). */
void *k_obj_new(k_core *c, uint64_t page, cos_cap_type type, unsigned core, size_t size);
/* Reference counts on the page holding obj (charged); a count reaching
 * zero ends the object. */
void k_obj_ref(k_core *c, uint64_t obj);
void k_obj_unref(k_core *c, uint64_t obj);
