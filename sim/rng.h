/* sim/rng.h: seeded pseudo-random streams.
 *
 * Algorithm: xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021), 256 bits of state,
 * period 2^256 - 1.  State is filled from a 64-bit value with splitmix64
 * (Steele, Lea and Flood, OOPSLA 2014), as the xoshiro authors recommend.
 *
 * Named streams: every consumer of randomness (a device's interrupt
 * arrivals, a task's execution-time draw, Lua's math.random) owns a stream
 * whose state depends only on the run's seed and the stream's name.  Adding
 * a consumer, or drawing more from one, never changes another's sequence.
 *
 * No global state; nothing here reads the host (time, addresses, /dev/urandom).
 */
#pragma once

#include <stdint.h>

typedef struct simrng {
    uint64_t s[4];
} simrng;

/* One splitmix64 step: advances *x and returns the next output. */
uint64_t simrng_splitmix64(uint64_t *x);

/* The stream called `name` of the run seeded with `seed`. */
void simrng_init(simrng *r, uint64_t seed, const char *name);
/* Raw state, for tests against the reference outputs. */
void simrng_init_state(simrng *r, const uint64_t s[4]);

uint64_t simrng_next(simrng *r);
/* Uniform in [0, 1), 53 random bits. */
double simrng_uniform(simrng *r);
/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t simrng_below(simrng *r, uint64_t n);
/* Uniform integer in [lo, hi] (lo <= hi). */
int64_t simrng_range(simrng *r, int64_t lo, int64_t hi);
/* Exponentially distributed with the given mean (> 0), by inversion.
 * Uses libm's log1p: identical on hosts with the same libm. */
double simrng_exponential(simrng *r, double mean);
