/* kernel/xcore.h: what one core asks of another (kernel/xcore.c).
 *
 * Per ordered pair of cores a ring of K_RING_SLOTS words in the
 * destination's ring page (internal.h), written only by the source and
 * emptied only by the destination, in its IPI handler: the only way a
 * core changes another core's objects.  An entry is an rcv's address (a
 * send to an endpoint of that core) or a TLB shootdown (the unmap of a
 * page its TLB may hold).
 *
 * A remote send decodes (k_xcore_send_check: is there a free slot?) and
 * then invokes (k_xcore_send: cannot fail), so a send refused for a full
 * ring leaves nothing behind.
 *
 * Layer: above rcv (a drained send is an activation); asnd and pgtbl push.
 */
#pragma once

#include "internal.h"

/* Whether c's ring to core `to` has a free slot (COS_ENOMEM if not),
 * charged as the send path reads it; then the send itself, with its IPI. */
cos_err k_xcore_send_check(k_core *c, unsigned to);
void k_xcore_send(k_core *c, unsigned to, uint64_t rcv);
/* Whether c's ring to core `to` has a free slot (an unmap's decode reads
 * the ring's indices); then a shootdown of vaddr under asid there. */
bool k_xcore_room(k_core *c, unsigned to);
void k_xcore_shootdown(k_core *c, unsigned to, uint64_t vaddr, uint16_t asid);
/* Take every entry of c's incoming rings (its IPI handler). */
void k_xcore_drain(k_core *c);
