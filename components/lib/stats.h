/* components/lib/stats.h: what a benchmark component reports of its
 * samples. */
#pragma once

#include <stdint.h>

/* Sort v[0..n) and report NAME.median (the lower middle of an even count:
 * a sample, not an average), .min, .max, .mean (rounded) and .n with
 * cos_report; nothing when n is 0. */
void cos_bench_report(const char *name, uint64_t *v, uint64_t n);
