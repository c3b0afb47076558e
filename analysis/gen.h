/* analysis/gen.h: random task sets for schedulability experiments.
 *
 * Utilisations:
 *  - UUniFast (Bini and Buttazzo, "Measuring the performance of
 *    schedulability tests", Real-Time Systems 30(1-2), 2005): n values
 *    uniformly distributed on the simplex { u_i >= 0, sum u_i = U }.  For
 *    U <= 1 every value is in [0, 1]; above 1 single values can exceed 1.
 *  - Randfixedsum (Roger Stafford's algorithm, 2006, proposed for task sets
 *    by Emberson, Stafford and Davis, "Techniques for the synthesis of
 *    multiprocessor tasksets", WATERS 2010): n values uniformly distributed
 *    on { 0 <= u_i <= 1, sum u_i = U } for any 0 <= U <= n, the multicore
 *    case.
 * Periods: log-uniform in [Tmin, Tmax] with a granularity g (Emberson et
 * al. 2010): r uniform in [ln Tmin, ln(Tmax + g)), T = floor(e^r / g) g,
 * so each multiple of g gets the share of its interval [T, T + g) on the
 * log scale.
 * Execution times: C = U_i T rounded to the nearest ns, at least 1 and at
 * most T; so the set's utilisation differs from U by up to n / (2 Tmin).
 * Deadlines: implicit (D = T), or constrained: an integer uniform in
 * [C + ceil(alpha (T - C)), T]; alpha = 0 gives [C, T], alpha = 1 gives T.
 *
 * Reproducibility: everything is drawn from the caller's simrng stream, in
 * a fixed order (all utilisations, then all periods, then all deadlines),
 * so a seed and a stream name give the same sets on every host with the
 * same libm (pow, log, exp).  Changing the draw order changes every
 * experiment's sets: treat it as a format change.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "analysis/taskset.h"
#include "sim/rng.h"

#define AN_GEN_ERROR (an_gen_error_quark())
GQuark an_gen_error_quark(void);
enum { AN_GEN_ERROR_INVALID };

typedef enum an_gen_method {
    AN_GEN_UUNIFAST,        /* needs U <= 1 in an_gen_taskset */
    AN_GEN_RANDFIXEDSUM,    /* needs U <= n */
} an_gen_method;

typedef enum an_gen_deadlines {
    AN_GEN_IMPLICIT,        /* D = T */
    AN_GEN_CONSTRAINED,     /* D uniform in [C + ceil(alpha (T - C)), T] */
} an_gen_deadlines;

typedef struct an_gen_params {
    size_t n;               /* tasks, >= 1 */
    double U;               /* total utilisation, > 0 */
    an_gen_method method;
    uint64_t Tmin, Tmax;    /* ns, multiples of granularity, Tmin <= Tmax */
    uint64_t granularity;   /* ns, >= 1 */
    an_gen_deadlines deadlines;
    double alpha;           /* in [0, 1]; only for AN_GEN_CONSTRAINED */
} an_gen_params;

/* n utilisations summing to U (U >= 0), by UUniFast, into out[0..n-1].
 * Draws n - 1 values from r. */
void an_gen_uunifast(simrng *r, size_t n, double U, double *out);

/* n utilisations in [0, 1] summing to U, by Randfixedsum, into out[0..n-1].
 * Returns false (out untouched, nothing drawn) unless n >= 1 and
 * 0 <= U <= n.  Draws 2 (n - 1) uniforms for the point, then shuffles
 * the values uniformly. */
bool an_gen_randfixedsum(simrng *r, size_t n, double U, double *out);

/* Are p's values usable?  The border check for a command line or a
 * script: an_gen_taskset asserts the same conditions. */
bool an_gen_params_check(const an_gen_params *p, GError **error);

/* A task set drawn as described above.  Tasks are named "t1".."tn", have
 * no jitter or blocking, core -1 (unassigned) and priority 0 for all:
 * callers assign priorities (e.g. rate or deadline monotonic) before a
 * fixed-priority test.  *out is overwritten without being freed first;
 * release it with an_taskset_clear. */
void an_gen_taskset(simrng *r, const an_gen_params *p, an_taskset *out);

/* Frees the names and the array and leaves an empty set; a no-op on an
 * empty one.  For sets built by this module or alike (names and array from
 * g_malloc). */
void an_taskset_clear(an_taskset *ts);
