/* model/div.h: exact division of 64-bit numbers by a divisor fixed when a
 * machine is built (a core's frequency), with a multiplication instead of
 * a division instruction.  Host speed only: every quotient is exactly
 * n / d, for every n < 2^64 (tests/test_mem.c compares it with the
 * division on the presets' frequencies, odd divisors and the limits).
 *
 * The method is Granlund and Montgomery's ("Division by invariant
 * integers using multiplication", PLDI 1994, figure 4.1), as libdivide
 * does it: with l = ceil(log2 d) and m = floor(2^64 (2^l - d) / d) + 1,
 * t = (m n) >> 64, n / d = (t + ((n - t) >> 1)) >> (l - 1).  A power of
 * two is a shift.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct hwdiv {
    uint64_t d;             /* the divisor, >= 1 */
    uint64_t m;             /* the multiplier (0 for a power of two) */
    unsigned shift;         /* l - 1, or log2 d for a power of two */
} hwdiv;

static inline hwdiv hwdiv_make(uint64_t d)
{
    hwdiv v = { .d = d };
    if ((d & (d - 1)) == 0) {
        v.shift = (unsigned)__builtin_ctzll(d);
        return v;
    }
    unsigned l = 64 - (unsigned)__builtin_clzll(d);        /* 2^(l-1) < d < 2^l */
    uint64_t over = (l == 64 ? 0 : UINT64_C(1) << l) - d;  /* 2^l - d (mod 2^64 for l = 64) */
    v.m = (uint64_t)(((unsigned __int128)over << 64) / d) + 1;  /* below 2^64 since d > 2^(l-1) */
    v.shift = l - 1;
    return v;
}

/* n / d, rounded down. */
static inline uint64_t hwdiv_div(const hwdiv *v, uint64_t n)
{
    if (v->m == 0)
        return n >> v->shift;
    uint64_t t = (uint64_t)(((unsigned __int128)v->m * n) >> 64);
    return (t + ((n - t) >> 1)) >> v->shift;
}
