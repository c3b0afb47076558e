/* kernel/hwcap.h: hardware capabilities: interrupt lines (kernel/hwcap.c).
 *
 * The HW capability names the kernel's line table (one 8-byte entry per
 * interrupt line of the controller, in kernel memory): a line bound to an
 * rcv turns each of its interrupts into a send to it.  Here: the calls
 * HW_ATTACH, HW_DETACH and HW_FLUSH (a cold start for benchmarks), and
 * delivering a device line's interrupt (the core's interrupt path).
 *
 * Invariant (check.c): a bound line names a live rcv, which the binding
 * holds a reference on.
 *
 * Layer: above rcv.
 */
#pragma once

#include "internal.h"

/* A device line's interrupt, taken by core c: a send to its rcv, if bound. */
void k_hwcap_irq(k_core *c, unsigned line);

/* HW_ATTACH (a0 line, a1 rcv) and HW_DETACH (a0 line) through hw `cap`. */
cos_ret k_hwcap_bind(k_core *c, k_thread *t, k_thd_o *th);
/* HW_FLUSH: caches and this core's TLB emptied. */
cos_ret k_hwcap_flush(k_core *c, k_thread *t, k_thd_o *th);
