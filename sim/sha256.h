/* sim/sha256.h: SHA-256 (FIPS 180-4) for trace digests.
 *
 * The digest of every trace row goes through here, so it is on the trace
 * writer's hot path.  On x86-64 hosts with the SHA extensions it uses them
 * (chosen at run time with CPUID); elsewhere a portable C version.  Both
 * give the same bytes: the tests check them against the FIPS 180-4 example
 * vectors and against GLib's GChecksum.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIMSHA256_LEN 32

typedef struct simsha256 {
    uint32_t h[8];
    uint64_t total;            /* bytes hashed */
    size_t fill;               /* bytes waiting in buf */
    unsigned char buf[64];
    void (*blocks)(uint32_t h[8], const unsigned char *p, size_t nblocks);
} simsha256;

void simsha256_init(simsha256 *c);
/* As init, but never the hardware path (for tests). */
void simsha256_init_portable(simsha256 *c);
void simsha256_update(simsha256 *c, const void *data, size_t len);
void simsha256_final(simsha256 *c, unsigned char out[SIMSHA256_LEN]);
/* Whether simsha256_init picks the SHA extensions on this host. */
bool simsha256_hardware(void);
