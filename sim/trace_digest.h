/* sim/trace_digest.h: the trace digest's shared pieces, for the writer
 * (sim/trace.c) and the reader that recomputes a digest from a file
 * (sim/trace_read.c); not for other modules.  The encoding itself is
 * documented in docs/trace-schema.md, "The digest". */
#pragma once

#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "sha256.h"

#define SIMTR_DIGEST_MAGIC "cossim-trace-v1\n"

/* A value in the digest's encoding (docs/trace-schema.md): 'I' or 'F'
 * and 8 bytes little-endian, 'T', 4 bytes of length little-endian and the
 * bytes, or 'N'.  Its length, and the 8 bytes of an 'I' or 'F'. */
static inline size_t simtr_value_len(const unsigned char *p)
{
    uint32_t n;
    switch (*p) {
    case 'T':
        memcpy(&n, p + 1, 4);
        return 5 + (size_t)GUINT32_FROM_LE(n);
    case 'N':
        return 1;
    default:
        return 9;
    }
}

static inline int64_t simtr_value_i64(const unsigned char *p)
{
    uint64_t u;
    memcpy(&u, p + 1, 8);
    return (int64_t)GUINT64_FROM_LE(u);
}

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
