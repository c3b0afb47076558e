/* components/lib/sched_ev.c: reading a scheduler's events (see sched_ev.h). */
#include "components/lib/sched_ev.h"

void cos_sched_drain(cos_capid rcv, uint64_t *token, cos_sched_apply_fn apply, void *ctx)
{
    for (;;) {
        cos_ret ev = cos_sched_rcv(rcv, COS_RCV_NONBLOCK);
        if (ev.err)
            return;
        *token = ev.r[3];
        if (ev.r[0] == 0)
            return;
        apply(ctx, &ev);
    }
}
