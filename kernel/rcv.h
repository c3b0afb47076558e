/* kernel/rcv.h: receive endpoints (kernel/rcv.c).
 *
 * An rcv belongs to one thread (its owner, on the rcv's core), counts the
 * sends not yet received, names the tcap its thread runs under when a send
 * activates it, and, for a scheduler, holds the list of threads with
 * events for it (thd.c) and its parent scheduler's rcv.  Here: activation
 * (a send or an interrupt arrives: the pending count, the wake-up, the
 * preemption the tcaps decide), receiving, and the calls RCV and
 * RCV_ALLOC.
 *
 * Invariants (check.c, rule 6): the owner is a live thread whose rcv
 * points back; the parent chain is acyclic with consistent depths.
 *
 * Layer: above thd and tcap; asnd, xcore (a remote send arrives) and
 * hwcap (an interrupt arrives) activate through it.
 */
#pragma once

#include "internal.h"

/* A send arrived at rcv (this core's): pending++; its thread, if it waits
 * there, wakes and runs at once if its tcap outranks the running one (or,
 * with sender_yields, the running thread's scheduler runs). */
void k_rcv_activate(k_core *c, uint64_t rcv, bool sender_yields);
/* The receive half of RCV and ASND_RCV, on the caller's own rcv: take the
 * pending sends (r[0]), or block until a send comes. */
cos_ret k_rcv_receive(k_core *c, k_thread *t, uint64_t rcv, bool nonblock);
/* An rcv in kernel page `page` owned by thd, activating it under tcap
 * (0: none), under scheduler rcv parent (0: a root). */
uint64_t k_rcv_init(k_core *c, uint64_t page, uint64_t thd, uint64_t tcap, uint64_t parent);

cos_ret k_rcv_recv(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_rcv_alloc(k_core *c, k_thread *t, k_thd_o *th);
