/* kernel/thd.h: threads and their scheduling (kernel/thd.c).
 *
 * A thread object holds its state (runnable, blocked on an rcv, blocked
 * for scheduling events, exited), the component it executes in and its
 * invocation stack (inv.c pushes and pops it), its scheduler's rcv and the
 * tcap it runs under.  The kernel has no policy: a thread that blocks,
 * wakes, exits or runs out of budget is an event on its scheduler's rcv;
 * the scheduler reads events (SCHED_RCV) and dispatches (THD_SWITCH) with
 * a token that must be the latest.  Here: events, dispatch, blocking, the
 * next thread to run when one stops, the user-level dispatch check, and
 * the calls THD_SWITCH, SCHED_RCV, THD_ALLOC.
 *
 * Invariants (check.c, rules 4-5): a thread is on at most one event list
 * and ev_queued says whether; a blocked thread waits on an rcv it owns;
 * each core runs at most one thread, runnable and of that core.
 *
 * Layer: above tcap, cap, obj and trap (which makes a thread's coroutine);
 * rcv, asnd, the dispatcher and the core's paths call it.
 */
#pragma once

#include "internal.h"

/* A thread in kernel page `page`, in component comp, running entry
 * `entry` of comp's image with arg, on `core`, scheduled by rcv sched (0:
 * none, a root scheduler's own thread); its host record and coroutine `t`
 * (k_trap_thread_new, for the object at page), or with t NULL made here
 * (at boot: a host that cannot is a fatal error). */
uint64_t k_thd_init(k_core *c, uint64_t page, uint64_t comp, unsigned entry, cos_word arg, unsigned core,
                    uint64_t sched, k_thread *t);
/* Tell thd's scheduler (flags: COS_SCHED_EV_*); a scheduler waiting for
 * events wakes.  A root scheduler's own thread has nobody to tell. */
void k_thd_event(k_core *c, uint64_t thd, uint32_t flags);
/* Put thd on scheduler rcv's event list with flags, without waking it. */
void k_thd_queue_event(k_core *c, uint64_t rcv, uint64_t thd, uint32_t flags);
/* Wake the scheduler waiting for events on rcv: it runs at once if the
 * core has nothing else to run or, with preempt, if its tcap outranks the
 * current one. */
void k_thd_wake_sched(k_core *c, uint64_t rcv, bool preempt);
/* Thread thd (runnable; 0: none) becomes the next to run on c. */
void k_thd_dispatch(k_core *c, uint64_t thd);
/* Who runs when thd stops: its scheduler if it can, else up the chain,
 * else the core's root scheduler, else nobody (0). */
uint64_t k_thd_sched_next(k_core *c, uint64_t thd);
/* The current thread stops running (state K_THD_*, waiting on rcv `on`):
 * its scheduler hears of it and the next thread is picked. */
void k_thd_block(k_core *c, uint64_t thd, uint32_t state, uint64_t on);
/* Decode rcv capability cap of the caller's: it must own it (COS_EPERM). */
cos_err k_thd_own_rcv(k_core *c, k_thd_o *th, k_thread *t, cos_capid cap, uint64_t *rcv);
/* A user-level dispatch from t (cos_ul_switch): checked against what the
 * kernel knows, at no kernel cost (user level did the work; kernel/abi.h).
 * Returns the thread to run on (t when refused, t->ret says why). */
k_thread *k_thd_ul_switch(k_core *c, k_thread *t);

cos_ret k_thd_switch(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_thd_sched_rcv(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_thd_alloc(k_core *c, k_thread *t, k_thd_o *th);
