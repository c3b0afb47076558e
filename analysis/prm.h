/* analysis/prm.h: temporal-capability budgets as the periodic resource
 * model (Shin and Lee, "Periodic resource model for compositional
 * real-time guarantees", RTSS 2003).
 *
 * A parent scheduler hands a child scheduler a budget of Theta ns in every
 * period of Pi ns (0 <= Theta <= Pi, Pi > 0), at times within each period
 * that the child does not know.  The resource Gamma(Pi, Theta) guarantees
 * at least sbf(t) ns of processor time in any interval of length t; the
 * child's task set is checked against that supply instead of t:
 *   - EDF: schedulable iff h(t) <= sbf(t) for every t > 0, h the processor
 *     demand of analysis/edf.h (dbf plus the blocking term);
 *   - fixed priority: task i is schedulable iff some t in (0, D_i - J_i]
 *     has rbf_i(t) <= sbf(t).
 * With Theta = Pi, sbf(t) = t and both reduce to the dedicated-processor
 * tests of analysis/edf.h and analysis/fp.h (without overheads).
 *
 * Times are integer ns; arithmetic is exact (128-bit intermediates,
 * saturating).  Every task must have period, wcet and deadline > 0
 * (asserted).  All tasks of ts are analysed, whatever their core field.
 * Overheads are not modelled: inflate wcet first if needed.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analysis/taskset.h"

/* The supply bound function of Gamma(Pi, Theta): the least supply in any
 * interval of length t.  Requires Pi > 0 and Theta <= Pi (asserted).
 * prm.c derives the formula. */
uint64_t an_prm_sbf(uint64_t Pi, uint64_t Theta, uint64_t t);

/* The smallest t with sbf(t) >= x (0 for x = 0), or UINT64_MAX when there
 * is none below 2^64 (Theta = 0 and x > 0, or too far away). */
uint64_t an_prm_sbf_inverse(uint64_t Pi, uint64_t Theta, uint64_t x);

/* Is ts EDF-schedulable on Gamma(Pi, Theta)?  Checks h(t) <= sbf(t) at
 * every absolute deadline t up to a bound (prm.c: the hyperperiod of the
 * task periods and Pi plus max(max D', Pi), shortened by the linear
 * bound of the paper when the set's utilisation is below Theta/Pi).
 * Exact (necessary and sufficient when every blocking is 0).  Answers
 * "no" without proof when the hyperperiod does not fit in 64 bits.  A task
 * with J >= D makes the set unschedulable.  An empty set is schedulable.
 * Cost: O(n) per deadline below the bound. */
bool an_prm_edf(const an_taskset *ts, uint64_t Pi, uint64_t Theta);

/* Fixed priority on Gamma(Pi, Theta) (priorities as in analysis/fp.h:
 * smaller = higher, hp(i) = every other task with priority <= P_i).
 * Task i: rbf_i(t) = B_i + C_i + sum_{k in hp(i)} ceil((t + J_k) / T_k) C_k,
 * schedulable iff rbf_i(t) <= sbf(t) for some t in (0, D_i - J_i] (for
 * D_i > T_i the window is cut at T_i - J_i, which is safe but may be
 * pessimistic: the model assumes constrained deadlines).  out has ts->n
 * entries; out[i].wcrt = J_i + the smallest such t (the worst-case
 * response time under the resource, exact, found by the fixed-point
 * iteration t <- sbf^-1(rbf_i(t)) of prm.c), or 0 with schedulable =
 * false.  Returns true when every task is schedulable. */
bool an_prm_fp(const an_taskset *ts, uint64_t Pi, uint64_t Theta, an_result *out);

/* The smallest Theta in 0..Pi for which an_prm_edf / an_prm_fp succeed
 * (binary search: sbf is nondecreasing in Theta, so both tests are
 * monotone in it).  Returns false, *Theta untouched, if Theta = Pi fails. */
bool an_prm_min_budget_edf(const an_taskset *ts, uint64_t Pi, uint64_t *Theta);
bool an_prm_min_budget_fp(const an_taskset *ts, uint64_t Pi, uint64_t *Theta);
