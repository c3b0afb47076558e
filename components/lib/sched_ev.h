/* components/lib/sched_ev.h: reading a scheduler's events from the kernel
 * (COS_OP_SCHED_RCV), for every scheduler implementation. */
#pragma once

#include "components/lib/cos.h"

/* What a scheduler does with one event about a thread (ev->r[0] != 0). */
typedef void (*cos_sched_apply_fn)(void *ctx, const cos_ret *ev);

/* Read every event queued on the scheduler endpoint rcv without blocking:
 * each one's token goes to *token (the token a dispatch must carry), each
 * one about a thread to apply.  Returns when the queue is empty. */
void cos_sched_drain(cos_capid rcv, uint64_t *token, cos_sched_apply_fn apply, void *ctx);
