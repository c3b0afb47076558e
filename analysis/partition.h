/* analysis/partition.h: assigning tasks to cores for partitioned
 * scheduling, by bin-packing heuristics with a uniprocessor test as the
 * bin's capacity.
 *
 * The heuristics (Dhall and Liu, "On a real-time scheduling problem",
 * Operations Research 26(1), 1978, for first fit; Lopez, Diaz and Garcia,
 * "Utilization bounds for EDF scheduling on real-time multiprocessor
 * systems", Real-Time Systems 28(1), 2004, for the family and its
 * bounds):
 *  - first fit: the lowest-numbered core that accepts the task;
 *  - best fit: the accepting core with the highest utilisation after the
 *    task is added (the fullest bin);
 *  - worst fit: the accepting core with the lowest utilisation after the
 *    task is added (the emptiest bin, which balances the load);
 *  - their "decreasing" variants place the tasks in order of decreasing
 *    utilisation C/T (compared exactly; ties by index) instead of index
 *    order.
 * Ties between cores go to the lowest-numbered core.  A core "accepts" a
 * task when the test says yes for the tasks already on it plus this one.
 * Utilisation here is C/T of the tasks as given (no overheads: a test that
 * charges overheads does so itself).
 */
#pragma once

#include <stdbool.h>

#include "analysis/taskset.h"

/* A uniprocessor schedulability test.  core_set holds the tasks placed on
 * one core so far plus the candidate, in the order of their indices in the
 * whole set, each with core set to that core; names and all other fields
 * are the caller's.  The set is only valid during the call.  For EDF use
 * an_part_test_edf; for fixed priorities wrap the RTA, e.g. a function
 * that runs an_fp_rta into a results array and returns its verdict. */
typedef bool (*an_uni_test)(const an_taskset *core_set, void *ctx);

typedef enum an_part_heuristic {
    AN_PART_FIRST_FIT,
    AN_PART_BEST_FIT,
    AN_PART_WORST_FIT,
    AN_PART_FIRST_FIT_DECREASING,
    AN_PART_BEST_FIT_DECREASING,
    AN_PART_WORST_FIT_DECREASING,
} an_part_heuristic;

/* Assigns ts->t[i].core for every task with heuristic h on cores
 * 0..cores-1 (cores >= 1).  Any earlier assignment is discarded.  Returns
 * true when every task was placed; a task no core accepts keeps core = -1,
 * and the tasks after it are still placed.  Deterministic: the result
 * depends only on the set's values and order and the test's answers. */
bool an_part_assign(an_taskset *ts, unsigned cores, an_part_heuristic h,
                    an_uni_test test, void *ctx);

/* The exact EDF test (an_edf_schedulable) as an an_uni_test; ctx is a
 * const an_overheads * or NULL. */
bool an_part_test_edf(const an_taskset *core_set, void *ctx);

/* "first-fit-decreasing" etc. and back; NULL / false for unknown values.
 * For command lines and scenario scripts. */
const char *an_part_heuristic_name(an_part_heuristic h);
bool an_part_heuristic_parse(const char *name, an_part_heuristic *out);
