/* sim/bench.h: engine micro-benchmarks behind `cossim bench`.  They measure
 * host time on purpose: they report how fast the simulator runs, and none of
 * what they measure reaches a simulation. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct simbench_result {
    uint64_t events;          /* schedule+dispatch pairs */
    double events_per_s;
    uint64_t pending;
    uint64_t switches;
    double switches_per_s;
    const char *ctx_backend;
    uint64_t rows;
    double rows_per_s;        /* into SQLite, with digest */
    double hash_rows_per_s;   /* digest only (--trace none) */
} simbench_result;

/* Run all three; `dir` is where the trace benchmark writes its scratch
 * database (removed afterwards).  scale multiplies the default counts. */
bool simbench_run(double scale, const char *dir, simbench_result *r, GError **error);
