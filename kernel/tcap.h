/* kernel/tcap.h: temporal capabilities (kernel/tcap.c).
 *
 * A tcap is a budget in cycles (COS_BUDGET_INF for the boot tcaps) and a
 * delegation list of (scheduler rcv, priority) pairs, at most
 * COS_TCAP_DELEGS, priority 1 the highest.  Here: the preemption order,
 * which tcap a thread runs under, charging the cycles a core ran to the
 * current tcap, moving budget between tcaps (transfer, merge), and the
 * calls TCAP_TRANSFER, TCAP_MERGE, TCAP_BUDGET, TCAP_ALLOC.  TCAP_DELEGATE,
 * a transfer that also sends, is the asnd's (asnd.c) through
 * k_tcap_xfer_decode / k_tcap_xfer_invoke.
 *
 * Invariants (check.c, rule 7): at most COS_TCAP_DELEGS entries, no
 * scheduler twice, priorities in range.  Budgets never go below zero.
 *
 * Layer: above cap and obj; thd, rcv and everything that schedules call it.
 */
#pragma once

#include "internal.h"

/* The partial order: does tcap a (activated) preempt b (running)?  a
 * preempts unless it has no budget or some scheduler in both lists ranks
 * it lower (charged). */
bool k_tcap_higher(k_core *c, uint64_t a, uint64_t b);
/* The tcap thread thd runs under when dispatched or activated through
 * rcv (0: not through an rcv): the rcv's, else its own, else the core's
 * current one. */
uint64_t k_tcap_run(k_core *c, uint64_t thd, uint64_t rcv);
/* Charge the cycles since the last charge to the core's current tcap and
 * thread (every kernel path begins with it). */
void k_tcap_account(k_core *c);
/* A tcap of `core` in kernel page `page`, owned by scheduler rcv `owner`
 * at priority prio (owner 0: no delegation yet). */
uint64_t k_tcap_init(k_core *c, uint64_t page, unsigned core, uint64_t owner, uint64_t budget, uint32_t prio);
/* Decode a tcap capability of the caller's (it must be of this core). */
cos_err k_tcap_of(k_core *c, k_thd_o *th, cos_capid cap, uint64_t *tc);
/* Scheduler sched's priority in tcap tc: whether it can be set (an entry
 * for sched, or room for one), and setting it. */
cos_err k_tcap_prio_check(k_core *c, uint64_t tc, uint64_t sched);
void k_tcap_prio_set(k_core *c, uint64_t tc, uint64_t sched, uint32_t prio);

/* A transfer decoded: from src (the caller's tcap `cap`) to the tcap dst
 * of rcv (a0, or the rcv of asnd a0 for a delegation), a1 cycles, a2 the
 * priority for src's owner. */
typedef struct k_tcap_xfer {
    uint64_t src, dst, rcv, cycles;
    uint32_t prio;
} k_tcap_xfer;
cos_err k_tcap_xfer_decode(k_core *c, k_thread *t, k_thd_o *th, bool delegate, k_tcap_xfer *x);
void k_tcap_xfer_invoke(k_core *c, const k_tcap_xfer *x);

cos_ret k_tcap_transfer(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_tcap_merge(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_tcap_budget(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_tcap_alloc(k_core *c, k_thread *t, k_thd_o *th);
