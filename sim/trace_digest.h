/* sim/trace_digest.h: the trace digest's shared pieces, for the writer
 * (sim/trace.c) and the reader that recomputes a digest from a file
 * (sim/trace_read.c); not for other modules.  The encoding itself is
 * documented in docs/trace-schema.md, "The digest". */
#pragma once

#include <stdint.h>
#include <string.h>

#include "sha256.h"

#define SIMTR_DIGEST_MAGIC "cossim-trace-v1\n"

/* Add one table to the run's digest: its name, a 0 byte, its row count
 * (8 bytes little-endian) and its own digest (which this finishes). */
static inline void simtr_digest_combine(simsha256 *all, const char *name, uint64_t rows, simsha256 *table)
{
    unsigned char d[SIMSHA256_LEN];
    unsigned char n[8];
    simsha256_final(table, d);
    simsha256_update(all, name, strlen(name) + 1);
    for (int i = 0; i < 8; i++)
        n[i] = (unsigned char)(rows >> (8 * i));
    simsha256_update(all, n, 8);
    simsha256_update(all, d, sizeof d);
}

/* The run's digest as 64 hex digits and a NUL. */
static inline void simtr_digest_finish(simsha256 *all, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[SIMSHA256_LEN];
    simsha256_final(all, d);
    for (int i = 0; i < SIMSHA256_LEN; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * SIMSHA256_LEN] = '\0';
}
