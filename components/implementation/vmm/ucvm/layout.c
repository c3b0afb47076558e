/* components/implementation/vmm/ucvm/layout.c: a VM's memory in MPU regions
 * (see layout.h). */
#include "components/implementation/vmm/ucvm/layout.h"

vml_rules vml_rules_for(unsigned mpu_regions, unsigned reserved)
{
    unsigned n = mpu_regions > reserved ? mpu_regions - reserved : 0;
    return (vml_rules){ .regions = n, .min_log2 = 12, .max_log2 = 20 };
}

/* Regions a size of m units takes: a region per largest block (2^k units)
 * it holds, and one per set bit of the rest. */
static unsigned regions_of(uint64_t m, unsigned k)
{
    uint64_t big = m >> k, rest = m & ((UINT64_C(1) << k) - 1);
    return (unsigned)big + (unsigned)__builtin_popcountll(rest);
}

bool vml_lay_out(const vml_demand *d, const vml_rules *r, vml_layout *out)
{
    *out = (vml_layout){ 0 };
    if (r->regions == 0 || r->regions > VML_MAX_REGIONS || r->min_log2 < 5 || r->max_log2 < r->min_log2
        || r->max_log2 > 31)
        return false;
    uint64_t end = 0, y = 0;
    for (unsigned k = 0; k < VML_KINDS; k++) {
        if (d->bytes[k] > (UINT64_C(1) << 40))
            return false;
        end = (end + VML_ALIGN - 1) / VML_ALIGN * VML_ALIGN;
        out->kind_offset[k] = end;
        end += d->bytes[k];
        y += d->bytes[k];
    }
    if (y == 0)
        return false;
    unsigned K = r->max_log2 - r->min_log2;
    uint64_t unit = UINT64_C(1) << r->min_log2;
    uint64_t m = (end + unit - 1) / unit;
    /* The least m' >= m that takes at most `regions` regions: adding the
     * lowest set bit merges the lowest run of set bits into one bit above
     * it, the smallest step that can lower the count. */
    while (regions_of(m, K) > r->regions) {
        if ((m >> K) > r->regions)
            return false;
        m += m & -m;
    }
    if ((m >> K) > r->regions)
        return false;
    uint64_t off = 0;
    for (uint64_t i = 0; i < (m >> K); i++) {
        out->region[out->nregions++] = (vml_region){ off, r->max_log2 };
        off += unit << K;
    }
    for (int b = (int)K - 1; b >= 0; b--)
        if (m & (UINT64_C(1) << b)) {
            out->region[out->nregions++] = (vml_region){ off, r->min_log2 + (unsigned)b };
            off += unit << b;
        }
    out->x = off;
    out->y = y;
    return true;
}

double vml_overhead(uint64_t x, uint64_t y)
{
    return y ? ((double)x - (double)y) / (double)y : 0.0;
}
