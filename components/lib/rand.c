/* components/lib/rand.c: seeded draws for user-level code (see rand.h):
 * splitmix64, with integer and exponential draws computed without libm so
 * that every host and optimisation level draws the same numbers. */
#include "components/lib/rand.h"

uint64_t cos_rand_u64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* uniform in [0, n] */
uint64_t cos_rand_below_incl(uint64_t *s, uint64_t n)
{
    if (n == 0)
        return 0;
    if (n == UINT64_MAX)
        return cos_rand_u64(s);
    return cos_rand_u64(s) % (n + 1);
}

/* exponential with mean m, in integer cycles: -m ln(U), U in (0, 1] */
uint64_t cos_rand_exp(uint64_t *s, uint64_t m)
{
    double u = (double)((cos_rand_u64(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
    /* ln by the series of atanh: exact enough and free of libm differences */
    double y = (u - 1.0) / (u + 1.0), y2 = y * y, term = y, sum = 0.0;
    for (int k = 1; k < 400; k += 2) {
        sum += term / k;
        term *= y2;
        if (term < 1e-18 && term > -1e-18)
            break;
    }
    double v = -2.0 * sum * (double)m;
    return v > 0 ? (uint64_t)(v + 0.5) : 0;
}
