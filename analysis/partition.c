/* analysis/partition.c: first/best/worst fit and their decreasing
 * variants over a uniprocessor test (see partition.h).
 *
 * Cost: for each task, each core's set is rebuilt and tested once:
 * O(n * cores) test calls on sets of up to n tasks.
 */
#include "analysis/partition.h"

#include <limits.h>
#include <string.h>
#include <glib.h>

#include "analysis/edf.h"

static bool is_decreasing(an_part_heuristic h)
{
    return h == AN_PART_FIRST_FIT_DECREASING || h == AN_PART_BEST_FIT_DECREASING ||
           h == AN_PART_WORST_FIT_DECREASING;
}

/* Does task a go before task b in a decreasing order?  Larger C/T first,
 * compared as C_a T_b > C_b T_a in 128 bits (exact); equal ones by index. */
static bool before(const an_task *t, size_t a, size_t b)
{
    unsigned __int128 x = (unsigned __int128)t[a].wcet * t[b].period;
    unsigned __int128 y = (unsigned __int128)t[b].wcet * t[a].period;
    return x != y ? x > y : a < b;
}

bool an_part_assign(an_taskset *ts, unsigned cores, an_part_heuristic h,
                    an_uni_test test, void *ctx)
{
    g_assert(ts != NULL && test != NULL);
    g_assert(cores >= 1 && cores <= INT_MAX);
    g_assert(h >= AN_PART_FIRST_FIT && h <= AN_PART_WORST_FIT_DECREASING);
    size_t n = ts->n;
    for (size_t i = 0; i < n; i++) {
        g_assert(ts->t[i].period > 0);
        ts->t[i].core = -1;
    }
    if (n == 0)
        return true;

    size_t *order = g_new(size_t, n);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (is_decreasing(h)) {
        /* Insertion sort: n is a task count, and the order is total. */
        for (size_t i = 1; i < n; i++) {
            size_t x = order[i], j = i;
            for (; j > 0 && before(ts->t, x, order[j - 1]); j--)
                order[j] = order[j - 1];
            order[j] = x;
        }
    }

    double *load = g_new0(double, cores);        /* sum of C/T per core */
    an_task *scratch = g_new(an_task, n);
    bool all = true;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        an_task *cand = &ts->t[i];
        double u = (double)cand->wcet / (double)cand->period;
        int best = -1;
        double best_load = 0;
        for (unsigned c = 0; c < cores; c++) {
            /* The core's tasks plus the candidate, in index order. */
            size_t m = 0;
            for (size_t j = 0; j < n; j++) {
                if (ts->t[j].core == (int)c || j == i) {
                    scratch[m] = ts->t[j];
                    scratch[m].core = (int)c;
                    m++;
                }
            }
            an_taskset core_set = { scratch, m };
            if (!test(&core_set, ctx))
                continue;
            double after = load[c] + u;
            bool better;
            switch (h) {
            case AN_PART_BEST_FIT:
            case AN_PART_BEST_FIT_DECREASING:
                better = best < 0 || after > best_load;
                break;
            case AN_PART_WORST_FIT:
            case AN_PART_WORST_FIT_DECREASING:
                better = best < 0 || after < best_load;
                break;
            default:                               /* first fit */
                better = best < 0;
                break;
            }
            if (better) {
                best = (int)c;
                best_load = after;
            }
            if (best >= 0 && (h == AN_PART_FIRST_FIT || h == AN_PART_FIRST_FIT_DECREASING))
                break;
        }
        if (best < 0) {
            all = false;
            continue;
        }
        cand->core = best;
        load[best] += u;
    }
    g_free(scratch);
    g_free(load);
    g_free(order);
    return all;
}

bool an_part_test_edf(const an_taskset *core_set, void *ctx)
{
    return an_edf_schedulable(core_set, ctx, NULL);
}

static const char *const names[] = {
    [AN_PART_FIRST_FIT] = "first-fit",
    [AN_PART_BEST_FIT] = "best-fit",
    [AN_PART_WORST_FIT] = "worst-fit",
    [AN_PART_FIRST_FIT_DECREASING] = "first-fit-decreasing",
    [AN_PART_BEST_FIT_DECREASING] = "best-fit-decreasing",
    [AN_PART_WORST_FIT_DECREASING] = "worst-fit-decreasing",
};

const char *an_part_heuristic_name(an_part_heuristic h)
{
    if ((unsigned)h >= G_N_ELEMENTS(names))
        return NULL;
    return names[h];
}

bool an_part_heuristic_parse(const char *name, an_part_heuristic *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (an_part_heuristic)i;
            return true;
        }
    }
    return false;
}
