/* analysis/fp.h: response-time analysis for preemptive fixed-priority
 * scheduling on one processor, and priority assignment.
 *
 * The test.  Sporadic tasks with constrained or arbitrary deadlines,
 * release jitter and blocking (Audsley, Burns, Richardson, Tindell and
 * Wellings, "Applying new scheduling theory to static priority pre-emptive
 * scheduling", Software Engineering Journal 8(5), 1993), with Tindell's
 * busy-period extension for D > T (Tindell, Burns and Wellings, "An
 * extendible approach for analysing fixed priority hard real-time tasks",
 * Real-Time Systems 6(2), 1994; Lehoczky, "Fixed priority scheduling of
 * periodic task sets with arbitrary deadlines", RTSS 1990).  For task i
 * and its (q+1)-th job in the level-i busy period (q = 0, 1, ...):
 *
 *     w(q) = B_i + (q+1) C'_i + sum_{j in hp(i)} ceil((w(q) + J_j) / T_j) C'_j
 *                             + irq * sum_{all k} ceil((w(q) + J_k) / T_k)
 *     R_i  = max_q (w(q) - q T_i + J_i)
 *
 * examined until the busy period ends before the next job's release,
 * w(q) <= (q+1) T_i, and cut short as soon as a response exceeds D_i.  For
 * D_i <= T_i only q = 0 is ever needed.  Without overheads the test is
 * exact (necessary and sufficient) when a B_i-long blocking can really
 * happen at the critical instant, and sufficient otherwise.
 *
 * hp(i) is every other task whose priority number is <= P_i: tasks of
 * equal priority are each counted as interfering with the other (the
 * scheduler may order them either way).  Every task of the set is
 * analysed, whatever its core: partitioning is the caller's job.
 *
 * Kernel overheads (an_overheads; NULL = none), charged as in Burns,
 * Tindell and Wellings, "Effective analysis for engineering real-time fixed
 * priority schedulers", IEEE TSE 21(5), 1995, and Brandenburg, "Scheduling
 * and Locking in Multiprocessor Real-Time Operating Systems", PhD thesis,
 * UNC 2011, ch. 3 (overhead accounting by inflating job costs and adding
 * interrupt interference):
 *   - every job of the analysed task and of each higher-priority task costs
 *     C' = C + 2 ctx_switch + sched + invocation: a switch to it and one
 *     away from it, one scheduler run and one invocation;
 *   - every job release, of any task, lower-priority ones included, is one
 *     interrupt of cost irq that runs above all tasks (the timer or device
 *     interrupt that releases the job).  So irq is charged like a
 *     top-priority task of period T_k and jitter J_k for each task k.
 *     irq should cover everything from the interrupt to the return to the
 *     interrupted job when the released job does not preempt it.
 * Cache-related preemption delays are not modelled.  With overheads the
 * result is an upper bound, no longer exact.
 *
 * Results.  wcrt is in ns.  When a task is unschedulable, wcrt is the
 * first response found above D_i (a lower bound on the true worst case,
 * enough to decide), or UINT64_MAX when no bound was found: the level-i
 * utilisation is above 1 and the first job's busy period outlasts T_i (the
 * responses then grow without bound), a busy-period window passed 2^64 ns,
 * the busy period ran past AN_FP_MAX_BUSY_JOBS jobs of the task, or the
 * recurrence ran past AN_FP_MAX_ITERATIONS.  The last three are the only
 * cases where the verdict may be pessimistic.
 *
 * Arithmetic is integer, with overflow detected, never wrapped.  Every task
 * must have period, wcet and deadline > 0 and a priority >= 0 (asserted;
 * analysis/tsio.c checks the first three at the border, and uses -1 for an
 * unset priority: assign priorities before analysing).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/taskset.h"

/* Jobs of one task examined in one level-i busy period before giving up
 * (reported as unschedulable, wcrt UINT64_MAX).  Reached only with D > T,
 * a busy period longer than this many jobs of the task (a level-i
 * utilisation very close to 1) and a level-i hyperperiod longer than this
 * many of its periods (so that fp.c cannot bound the busy period
 * otherwise). */
#define AN_FP_MAX_BUSY_JOBS 1000000u

/* Iterations of the recurrence for one task, over all its jobs, before
 * giving up (unschedulable, wcrt UINT64_MAX): a bound on the host time a
 * task set can cost, reached only by sets whose busy periods climb in tiny
 * steps towards a far deadline (found by fuzzing, issue 19: a task set
 * with a deadline of 2^64 - 1 ns kept `cossim analyze` busy for ever). */
#define AN_FP_MAX_ITERATIONS 10000000u

/* Analyse every task of ts with the priorities it carries.  out has ts->n
 * entries.  oh may be NULL.  Returns true when every task is schedulable.
 * An empty set is schedulable. */
bool an_fp_rta(const an_taskset *ts, const an_overheads *oh, an_result *out);

/* Rate-monotonic: priorities 0..n-1 by increasing period (0 = shortest,
 * the highest); equal periods by index. */
void an_fp_assign_rm(an_taskset *ts);

/* Deadline-monotonic: priorities 0..n-1 by increasing deadline; equal
 * deadlines by period, then by index. */
void an_fp_assign_dm(an_taskset *ts);

/* Audsley's optimal priority assignment ("Optimal priority assignment and
 * feasibility of static priority tasks with arbitrary start times", Univ.
 * of York YCS 164, 1991; "On priority assignment in fixed priority
 * scheduling", Information Processing Letters 79(1), 2001): from the lowest
 * level up, give the level to the lowest-indexed unassigned task that the
 * RTA above finds schedulable there with every other unassigned task above
 * it.  Writes priorities 0..n-1 and returns true when every level is
 * filled; otherwise returns false and leaves ts unchanged.
 *
 * It is optimal for this test (finds an assignment whenever one exists)
 * because a task's verdict depends on which tasks are above it but not on
 * their order, and moving it up never hurts it: true of the recurrence
 * above, jitter, D > T and the irq term (which counts all tasks anyway)
 * included, and of blocking as long as B_i is a given figure.  If B_i is
 * derived from a resource protocol, it depends on the priority order and
 * the optimality claim no longer holds. */
bool an_fp_assign_audsley(an_taskset *ts, const an_overheads *oh);

/* sum over all tasks of C / T, or with oh of (C' + irq) / T with C' as
 * above: the processor share the analysis charges.  A double, for reports. */
double an_fp_utilisation(const an_taskset *ts, const an_overheads *oh);

/* The Liu and Layland bound n (2^(1/n) - 1) ("Scheduling algorithms for
 * multiprogramming in a hard-real-time environment", JACM 20(1), 1973):
 * n independent periodic tasks with D = T, no jitter and no blocking are
 * rate-monotonic schedulable if their utilisation is at most this.
 * Sufficient only; 1 for n <= 1, falling towards ln 2. */
double an_fp_ll_bound(size_t n);
