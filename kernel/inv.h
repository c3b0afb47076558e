/* kernel/inv.h: synchronous invocation, thread migration (kernel/inv.c).
 *
 * A sinv names a server component and an entry of its image.  Invoking it
 * pushes the caller's current component on the thread's invocation stack
 * (COS_INV_DEPTH deep), switches the core to the server's protection
 * domain and runs the entry on the same thread (an upcall on its
 * coroutine, trap.c); the return pops and switches back.  Here: SINV, the
 * return (a kernel path of its own, K_PATH_SRET) and SINV_ALLOC.
 *
 * Invariants (check.c, rules 4 and 8): depth within bounds, every entry a
 * live component; a component's `active` counts the invocations in
 * progress inside it, and holds it: it cannot lose its last capability
 * meanwhile, and if its last reference goes another way it is kept until
 * the last thread inside returns (obj.c k_obj_leave).
 *
 * Layer: above pgtbl (the domain switch), cap and obj.
 */
#pragma once

#include "internal.h"

cos_ret k_inv_sinv(k_core *c, k_thread *t, k_thd_o *th);
/* The server's entry returned `value` to thread t. */
cos_ret k_inv_sret(k_core *c, k_thread *t, cos_word value);
cos_ret k_inv_alloc(k_core *c, k_thread *t, k_thd_o *th);
