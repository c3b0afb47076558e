/* components/implementation/sched/fprr/fprr.h: a minimal fixed-priority scheduler, run by a
 * scheduler thread (the root scheduler's init thread, or a child's).
 *
 * It knows its threads by capability and id, with a priority each (1 is
 * the highest) and, optionally, a tcap to run them under.  It keeps their
 * runnable state from the kernel's scheduling events (COS_OP_SCHED_RCV),
 * dispatches the highest-priority runnable one with the token of the last
 * event it read (re-reading the events when the kernel says the token is
 * stale), rotates among equal priorities each time it runs, and blocks for
 * events when nothing is runnable.  The kernel keeps no policy: this is all
 * of it.
 */
#pragma once

#include "components/lib/cos.h"

#define FP_MAX 64u

typedef struct fp_thd {
    cos_capid thd, tcap;   /* tcap 0: the thread keeps the one it has */
    cos_thdid id;
    uint32_t prio;
    bool runnable, exited;
} fp_thd;

typedef struct fp_sched {
    cos_capid rcv;         /* the scheduler's own rcv */
    fp_thd t[FP_MAX];
    unsigned n;
    unsigned last;         /* the slot dispatched last (round-robin among equals) */
    uint64_t token;
    uint64_t dispatches, stale, idle;
} fp_sched;

void fp_init(fp_sched *s, cos_capid rcv);
/* A runnable thread; COS_ENOMEM when FP_MAX are known. */
cos_err fp_add(fp_sched *s, cos_capid thd, cos_thdid id, uint32_t prio, cos_capid tcap);
/* Schedule until every thread has exited or `until` (cycles) has passed;
 * returns the last kernel error that stopped it (COS_OK normally). */
cos_err fp_run(fp_sched *s, uint64_t until);
