/* analysis/sweep.h: the schedulability experiment of RTSS/RTAS papers:
 * for each utilisation point, generate N random task sets and count the
 * fraction each test accepts.  Seeded: each point draws from its own named
 * stream ("sweep.u<index>"), so adding points or tests changes no other
 * point's sets. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "gen.h"

typedef struct an_sweep_params {
    size_t tasks;              /* per set */
    unsigned sets;             /* per utilisation point */
    double from, to, step;     /* utilisation points from..to */
    uint64_t seed;
    an_gen_deadlines deadlines;
    uint64_t tmin, tmax;       /* ns, log-uniform periods */
} an_sweep_params;

/* Appends CSV rows "utilisation,test,accepted,sets,fraction" (with a header)
 * for the tests: liu-layland (the RM utilisation bound; implicit deadlines
 * only), fp-dm (exact RTA, deadline-monotonic), fp-audsley (exact RTA,
 * Audsley's assignment) and edf (QPA). */
bool an_sweep_run(const an_sweep_params *p, GString *csv, GError **error);
