/* sim/rng.c: xoshiro256** streams seeded by splitmix64 (see rng.h). */
#include "rng.h"

#include <math.h>
#include <glib.h>

uint64_t simrng_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* FNV-1a, 64-bit: a fixed, documented hash of the stream name. */
static uint64_t name_hash(const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

void simrng_init(simrng *r, uint64_t seed, const char *name)
{
    /* Mix the seed first so that seeds 1, 2, 3 ... and similar names do not
     * give related starting points. */
    uint64_t x = seed;
    x = simrng_splitmix64(&x) ^ name_hash(name ? name : "");
    for (int i = 0; i < 4; i++)
        r->s[i] = simrng_splitmix64(&x);
    /* splitmix64 is a bijection on its counter, so four consecutive outputs
     * are never all zero, which xoshiro forbids. */
    g_assert(r->s[0] | r->s[1] | r->s[2] | r->s[3]);
}

void simrng_init_state(simrng *r, const uint64_t s[4])
{
    for (int i = 0; i < 4; i++)
        r->s[i] = s[i];
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t simrng_next(simrng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double simrng_uniform(simrng *r)
{
    return (double)(simrng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t simrng_below(simrng *r, uint64_t n)
{
    /* Lemire, "Fast random integer generation in an interval", ACM TOMACS
     * 2019: multiply-shift with rejection of the biased low products. */
    g_assert(n > 0);
    unsigned __int128 m = (unsigned __int128)simrng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)simrng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int64_t simrng_range(simrng *r, int64_t lo, int64_t hi)
{
    g_assert(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t off = span == UINT64_MAX ? simrng_next(r) : simrng_below(r, span + 1);
    return (int64_t)((uint64_t)lo + off);
}

double simrng_exponential(simrng *r, double mean)
{
    g_assert(mean > 0);
    return -mean * log1p(-simrng_uniform(r));
}
