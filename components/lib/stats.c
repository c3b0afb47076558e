/* components/lib/stats.c: what a benchmark component reports of its
 * samples (see stats.h). */
#include "components/lib/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include "kernel/abi.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void cos_bench_report(const char *name, uint64_t *v, uint64_t n)
{
    char key[64];
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, cmp_u64);
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += v[i];
    static const char *const stat[] = { "median", "min", "max", "mean", "n" };
    const uint64_t val[] = { v[(n - 1) / 2], v[0], v[n - 1], (sum + n / 2) / n, n };
    for (unsigned i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "%s.%s", name, stat[i]);
        cos_report(key, (int64_t)val[i]);
    }
}
