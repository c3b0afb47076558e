/* components/lib/rand.h: seeded draws for user-level code.  A stream is a
 * 64-bit state the caller keeps (seeded from the run's seed by whoever
 * composes the system); every draw advances it.  No libm: the exponential
 * uses a series, so results are bit-identical on every host. */
#pragma once

#include <stdint.h>

/* The next 64 random bits (splitmix64). */
uint64_t cos_rand_u64(uint64_t *s);
/* Uniform in [0, n]. */
uint64_t cos_rand_below_incl(uint64_t *s, uint64_t n);
/* Exponential with mean m, rounded to an integer: -m ln(U), U in (0, 1]. */
uint64_t cos_rand_exp(uint64_t *s, uint64_t m);
