/* analysis/edf.h: the exact schedulability test for preemptive EDF on one
 * processor (the tasks of one core in a partitioned system).
 *
 * A set of sporadic tasks with arbitrary deadlines is EDF-schedulable iff
 * U <= 1 and the processor demand h(t) never exceeds t (Baruah, Rosier and
 * Howell, "Algorithms and complexity concerning the preemptive scheduling
 * of periodic, real-time tasks on one processor", Real-Time Systems 2(4),
 * 1990).  The demand bound function of task i is
 *
 *     dbf_i(t) = max(0, floor((t + T_i - D'_i) / T_i)) * C_i,
 *
 * the work of the jobs released and due in any window of length t, where
 * D'_i = D_i - J_i: a job whose release is delayed by up to J_i after its
 * arrival keeps the deadline of its arrival, so its release-to-deadline
 * window is J_i shorter (Spuri, "Analysis of deadline scheduled real-time
 * systems", INRIA RR-2772, 1996).  A task with J_i >= D_i has no window at
 * all and makes the set unschedulable.
 *
 * Blocking (the `blocking` field: the longest a job can wait for a job
 * with a later deadline that holds a resource, under the stack resource
 * policy) enters as h(t) = dbf(t) + B(t), B(t) = max{ B_i : D'_i <= t }.
 * This is sufficient (Baruah, "Resource sharing in EDF-scheduled systems:
 * a closer look", RTSS 2006, has the tight b(t); ours can only be larger);
 * with every B_i = 0 the test is exact.
 *
 * Two corners are answered "no" without proof, to stay safe: U = 1 exactly
 * with no bound on the instants to check below 2^128 ns (blocking and a
 * hyperperiod that long, or no blocking and a busy period that long); and
 * U within about 1e-14 of 1 when the fraction sum C_i/T_i does not fit in
 * 128 bits, so that U cannot be compared with 1 exactly.
 *
 * Overheads, when given, inflate each job's C by 2 * ctx_switch + sched +
 * invocation (one switch in, one out, one scheduler run, one invocation),
 * as the fixed-priority analysis does; interrupt costs are not charged
 * here (model an interrupt source as a task).
 *
 * The check runs only at absolute deadlines (h is a step function rising
 * there) below a bound L, with QPA (Zhang and Burns, "Schedulability
 * analysis for real-time systems with EDF scheduling", IEEE Trans.
 * Computers 58(9), 2009), which is exact and visits few points.  edf.c
 * explains the bound.  Times are ns; arithmetic is exact (128-bit, no
 * overflow for any 64-bit inputs, instants up to 2^128 ns); U is compared
 * with 1 exactly.
 *
 * Cost: O(n) per point visited.  QPA usually visits few points (about
 * 0.05 ms for 100 generated tasks at U = 0.99 on a 2020s x86 core); it can
 * visit many when U is exactly 1 or within a hair of it, where the
 * interval to check grows towards the hyperperiod.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analysis/taskset.h"

/* Is ts schedulable by preemptive EDF on one processor?  oh may be NULL
 * (no overheads).  All tasks are considered, whatever their core field.
 *
 * witness, if not NULL, receives the first t at which h(t) > t: the end of
 * the shortest window, starting at a synchronous release, whose demand does
 * not fit, i.e. where the first deadline is missed in that scenario.  It is
 * 0 when the set is schedulable, and also when it fails at t = 0 (a task
 * with J >= D); trust the return value, not the witness.  A first miss
 * beyond 2^64 ns (U a hair below or above 1) is reported as UINT64_MAX.
 * Finding the first such t costs up to 128 more QPA runs, of
 * AN_EDF_WITNESS_STEPS steps in all: past them the witness is a t with
 * h(t) > t that may not be the first (a set with a far deadline and a
 * short period).  Pass NULL when only the verdict matters (with U > 1 the
 * answer is then immediate).
 *
 * An empty set is schedulable.  Every task must have period, wcet and
 * deadline > 0 (asserted). */
#define AN_EDF_WITNESS_STEPS UINT64_C(10000000)
bool an_edf_schedulable(const an_taskset *ts, const an_overheads *oh, uint64_t *witness);

/* sum_i dbf_i(t) with the jitter-shortened deadlines above, the tasks' own
 * wcet (no overheads) and no blocking; saturates at UINT64_MAX. */
uint64_t an_edf_dbf(const an_taskset *ts, uint64_t t);

/* sum_i C_i / T_i, with C inflated by oh as above when oh is not NULL.
 * A double, for reports and heuristics; the test itself compares U with 1
 * exactly. */
double an_edf_utilisation(const an_taskset *ts, const an_overheads *oh);
