/* kernel/obj.h: kernel objects in general (kernel/obj.c).
 *
 * An object is made in a kernel page that holds nothing (one object per
 * page, coloured: internal.h) and lives while its page's reference count
 * (kernel/kmem.h) is positive.  A reference is a capability naming it or
 * an object field pointing at it; when the last one goes the object ends
 * and drops the references it held, which may end others (every kind of
 * object is known here, as seL4 keeps finalisation in one place).
 *
 * What a thread is inside or waits on outlives its last reference until
 * the thread leaves (docs/kernel-design.md, "What a thread is inside or
 * waits on"): a component with threads inside is kept for them, the
 * thread a core runs, the tcap it runs under and its root rcv are kept
 * for the core, and an rcv that ends takes its owner's wait and the sends
 * to it still in flight with it.
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
/* A thread leaves component comp, which it was inside (its return, or its
 * end): comp's count of invocations in progress drops (charged, the word
 * every return writes), and a component kept only for the threads inside
 * ends with the last of them. */
void k_obj_leave(k_core *c, uint64_t comp);
/* Whether obj is a live object of `type`: its page's retype entry read
 * (charged).  For what the kernel names without a reference (a tcap's
 * owner). */
bool k_obj_live(k_core *c, uint64_t obj, unsigned type);
