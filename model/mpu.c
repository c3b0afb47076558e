/* model/mpu.c: Cortex-M memory protection units (see mpu.h).
 *
 * Sources for the rules, by section:
 *  - ARM DDI 0403E (ARMv7-M ARM) B3.1 Table B3-1: the default memory map and
 *    its execute-never areas; B3.5.3: highest-numbered region wins an
 *    overlap, background region for privileged accesses with PRIVDEFENA;
 *    B3.5.6 MPU_CTRL (HFNMIENA with ENABLE clear is UNPREDICTABLE);
 *    B3.5.8 MPU_RBAR (base aligned to the region size); B3.5.9 MPU_RASR
 *    (SIZE >= 4, region = 2^(SIZE+1) bytes; SRD only for 256 bytes and up,
 *    UNPREDICTABLE otherwise; the AP table, numbered B3-15 in the issue and
 *    B3-14 in some transcriptions of DDI 0403E; the TEX/C/B table with its
 *    reserved encodings).  I worked from restatements of DDI 0403E, not
 *    the manual itself: Arm's Cortex-M4 Generic User Guide (DUI 0553A, the
 *    MPU_RASR table and SIZE rule), Cortex-M0+ Generic User Guide (DUI
 *    0662A 4.5.6, the AP table), Microchip's restatement of the Cortex-M7
 *    TEX/C/B table and subregion rule, and QEMU's transcription of the
 *    pseudocode (below); they agree with each other on every rule used.
 *  - ARM DDI 0553 (ARMv8-M ARM), PMSAv8: MPU_RBAR {BASE, SH, AP, XN} and
 *    MPU_RLAR {LIMIT, AttrIndx, EN}, 32-byte granularity, and the rule that
 *    an address matching more than one enabled region faults.  I could not
 *    open DDI 0553 itself here: those rules, the PPB exemption and the
 *    System-space XN rule below were checked against QEMU's transcription
 *    of the ARM ARM pseudocode (target/arm/ptw.c: get_phys_addr_pmsav7,
 *    pmsav8_mpu_lookup, m_is_ppb_region, m_is_system_region), and the
 *    RBAR.SH reserved value 0b01 against the Armv8-R PRBAR layout, which
 *    PMSAv8 shares.  Section numbers for v8-M are therefore not given.
 *    The v8-M default map is taken to have the same XN areas as v7-M's
 *    (QEMU uses one table for both).
 *  - Instruction fetches need read permission as well as XN = 0 (QEMU
 *    grants execute only with read, for both architectures; the v7-M AP
 *    table governs every access).  The architecture sets the same status
 *    bit (MMFSR.IACCVIOL) for either cause.
 *
 * How a check works.  Both architectures decide per 32-byte block at most
 * (v7 regions are >= 32 bytes and aligned, subregions of a 256-byte region
 * are 32 bytes; v8 works in 32-byte blocks), but an access may be long (a
 * workload touching a megabyte), so the check does not walk blocks: it
 * decides the first byte, works out how far that decision provably holds
 * (the next region start, region end or subregion boundary, or default-map
 * area boundary, whichever comes first), and jumps there.  An access is
 * allowed only if every span is; the first refused byte is reported.
 */
#define G_LOG_DOMAIN "hwmpu"

#include "model/mpu.h"

#include <inttypes.h>
#include <string.h>

G_DEFINE_QUARK(hwmpu-error-quark, hwmpu_error)

/* The Private Peripheral Bus, 0xE0000000-0xE00FFFFF: accesses to it use the
 * default memory map whether or not the MPU is on (ARMv7-M ValidateAddress()
 * pseudocode; QEMU m_is_ppb_region, used for v7-M and v8-M alike). */
#define PPB_BASE 0xE0000000u
#define PPB_LAST 0xE00FFFFFu
/* System space, 0xE0000000 up: execute-never even where a region says
 * otherwise (B3.1 Table B3-1; QEMU m_is_system_region forces XN on a
 * region hit there, for both architectures). */
#define SYSTEM_BASE 0xE0000000u

/* ---- names ---------------------------------------------------------------- */

const char *hwmpu_access_name(hwmpu_access kind)
{
    switch (kind) {
    case HWMPU_READ: return "read";
    case HWMPU_WRITE: return "write";
    case HWMPU_EXEC: return "exec";
    }
    return "?";
}

const char *hwmpu_reason_name(hwmpu_reason reason)
{
    switch (reason) {
    case HWMPU_FAULT_NONE: return "none";
    case HWMPU_FAULT_NO_REGION: return "no-region";
    case HWMPU_FAULT_PERMISSION: return "permission";
    case HWMPU_FAULT_XN: return "execute-never";
    case HWMPU_FAULT_OVERLAP: return "overlap";
    case HWMPU_FAULT_WRAP: return "wrap";
    }
    return "?";
}

const char *hwmpu_arch_name(hwmpu_arch arch)
{
    switch (arch) {
    case HWMPU_V7M: return "v7m";
    case HWMPU_V8M: return "v8m";
    }
    return "?";
}

/* ---- region encoding: validate, then build the stored form ---------------- */

static const hwmpu_region zero_region;

static bool region_equal(const hwmpu_region *a, const hwmpu_region *b)
{
    /* Field by field: padding bytes make memcmp unreliable. */
    return a->enabled == b->enabled && a->base == b->base && a->limit == b->limit &&
           a->ap == b->ap && a->xn == b->xn && a->size_field == b->size_field &&
           a->srd == b->srd && a->tex == b->tex && a->s == b->s && a->c == b->c &&
           a->b == b->b && a->sh == b->sh && a->attr_idx == b->attr_idx;
}

/* TEX/C/B combinations DDI 0403E B3.5.9 marks reserved: TEX=001 C=0 B=1,
 * TEX=010 with C or B set, TEX=011.  TEX=001 C=1 B=0 is IMPLEMENTATION
 * DEFINED, not reserved, and is kept; TEX=1BB is cacheable Normal memory
 * (BB outer, CB inner policy) for every C, B. */
static bool v7_texcb_reserved(unsigned tex, bool c, bool b)
{
    switch (tex) {
    case 0: return false;
    case 1: return !c && b;
    case 2: return c || b;
    case 3: return true;
    default: return false;
    }
}

/* Validate a v7-M region for slot n and build its stored form. */
static bool v7_encode(unsigned n, const hwmpu_v7_region *in, hwmpu_region *out, GError **error)
{
    if (!in->enable) {
        *out = zero_region;
        return true;
    }
    uint64_t size = in->size;
    /* B3.5.9: SIZE >= 4 (32 bytes) up to 31 (4 GiB); only powers of two
     * are expressible at all. */
    if (size < 32 || size > (UINT64_C(1) << 32) || (size & (size - 1)) != 0) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_SIZE,
                    "MPU region %u: size %" PRIu64 " bytes (RASR.SIZE) is not a power of two "
                    "from 32 bytes to 4 GiB", n, size);
        return false;
    }
    unsigned size_field = (unsigned)__builtin_ctzll(size) - 1;
    /* B3.5.8: RBAR.ADDR holds only the address bits above the size, so the
     * base must be a multiple of it (the hardware would silently drop the
     * low bits and move the region: refused instead). */
    if ((in->base & (size - 1)) != 0) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_BASE,
                    "MPU region %u: base 0x%08" PRIx32 " (RBAR.ADDR) is not aligned to the "
                    "region size %" PRIu64 " bytes", n, in->base, size);
        return false;
    }
    /* B3.5.9: regions of 32, 64 and 128 bytes have no subregions; a
     * nonzero SRD there is UNPREDICTABLE. */
    if (size < 256 && in->srd != 0) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_SRD,
                    "MPU region %u: SRD 0x%02x (RASR.SRD) on a %" PRIu64 "-byte region; "
                    "subregions exist only from 256 bytes, SRD must be 0", n, in->srd, size);
        return false;
    }
    if (in->ap > 7 || in->ap == 4) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_AP,
                    "MPU region %u: AP %u (RASR.AP) is %s", n, in->ap,
                    in->ap == 4 ? "the reserved encoding 0b100 (UNPREDICTABLE)" : "wider than 3 bits");
        return false;
    }
    if (in->tex > 7 || v7_texcb_reserved(in->tex, in->c, in->b)) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_ATTR,
                    "MPU region %u: TEX %u C %d B %d (RASR.TEX/C/B) is %s", n, in->tex, in->c, in->b,
                    in->tex > 7 ? "wider than 3 bits" : "a reserved encoding");
        return false;
    }
    *out = zero_region;
    out->enabled = true;
    out->base = in->base;
    out->limit = (uint32_t)(in->base + size - 1);    /* <= 0xFFFFFFFF: base is aligned to size */
    out->ap = in->ap;
    out->xn = in->xn;
    out->size_field = (uint8_t)size_field;
    out->srd = in->srd;
    out->tex = in->tex;
    out->s = in->s;
    out->c = in->c;
    out->b = in->b;
    return true;
}

/* Validate a v8-M region for slot n and build its stored form. */
static bool v8_encode(unsigned n, const hwmpu_v8_region *in, hwmpu_region *out, GError **error)
{
    if (!in->enable) {
        *out = zero_region;
        return true;
    }
    /* RBAR.BASE is address bits [31:5]; RLAR.LIMIT is bits [31:5] of the
     * last byte, whose bits [4:0] are taken as ones.  A base with low bits
     * or a limit that is not a block's last byte would be silently moved:
     * refused instead. */
    if ((in->base & 31u) != 0) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_BASE,
                    "MPU region %u: base 0x%08" PRIx32 " (RBAR.BASE) is not 32-byte aligned",
                    n, in->base);
        return false;
    }
    if ((in->limit & 31u) != 31u) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_LIMIT,
                    "MPU region %u: limit 0x%08" PRIx32 " (RLAR.LIMIT) is not the last byte of a "
                    "32-byte block (its low five bits must be 11111; the limit is inclusive)",
                    n, in->limit);
        return false;
    }
    if (in->limit < in->base) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_LIMIT,
                    "MPU region %u: limit 0x%08" PRIx32 " (RLAR.LIMIT) is below base 0x%08" PRIx32,
                    n, in->limit, in->base);
        return false;
    }
    if (in->ap > 3) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_AP,
                    "MPU region %u: AP %u (RBAR.AP) is wider than 2 bits", n, in->ap);
        return false;
    }
    if (in->sh > 3 || in->sh == 1) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_ATTR,
                    "MPU region %u: SH %u (RBAR.SH) is %s", n, in->sh,
                    in->sh == 1 ? "the reserved encoding 0b01" : "wider than 2 bits");
        return false;
    }
    if (in->attr_idx > 7) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_ATTR,
                    "MPU region %u: AttrIndx %u (RLAR.AttrIndx) is above 7", n, in->attr_idx);
        return false;
    }
    *out = zero_region;
    out->enabled = true;
    out->base = in->base;
    out->limit = in->limit;
    out->ap = in->ap;
    out->xn = in->xn;
    out->sh = in->sh;
    out->attr_idx = in->attr_idx;
    return true;
}

/* ---- configuration -------------------------------------------------------- */

static bool nregions_ok(hwmpu_arch arch, unsigned n)
{
    switch (arch) {
    case HWMPU_V7M: return n == 0 || n == 8 || n == 16;
    case HWMPU_V8M: return n <= HWMPU_MAX_REGIONS;
    }
    return false;
}

bool hwmpu_init(hwmpu *m, hwmpu_arch arch, unsigned nregions, GError **error)
{
    if (arch != HWMPU_V7M && arch != HWMPU_V8M) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_ARCH, "MPU architecture %d is neither v7m nor v8m",
                    (int)arch);
        return false;
    }
    if (!nregions_ok(arch, nregions)) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_REGIONS,
                    "MPU regions %u: a %s MPU has %s", nregions, hwmpu_arch_name(arch),
                    arch == HWMPU_V7M ? "0 (none), 8 or 16 regions" : "0 (none) to 16 regions");
        return false;
    }
    memset(m, 0, sizeof *m);
    m->arch = arch;
    m->nregions = nregions;
    return true;
}

bool hwmpu_set_ctrl(hwmpu *m, uint32_t ctrl, GError **error)
{
    if (ctrl & ~HWMPU_CTRL_MASK) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_CTRL,
                    "MPU_CTRL 0x%" PRIx32 ": bits 0x%" PRIx32 " are not ENABLE, HFNMIENA or PRIVDEFENA",
                    ctrl, ctrl & ~HWMPU_CTRL_MASK);
        return false;
    }
    if ((ctrl & HWMPU_CTRL_HFNMIENA) && !(ctrl & HWMPU_CTRL_ENABLE)) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_CTRL,
                    "MPU_CTRL 0x%" PRIx32 ": HFNMIENA without ENABLE is UNPREDICTABLE", ctrl);
        return false;
    }
    if (m->nregions == 0 && ctrl != 0) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_CTRL,
                    "MPU_CTRL 0x%" PRIx32 ": this core has no MPU (0 regions)", ctrl);
        return false;
    }
    m->ctrl = ctrl;
    return true;
}

static bool region_slot_ok(const hwmpu *m, hwmpu_arch want, unsigned n, GError **error)
{
    if (m->arch != want) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_ARCH,
                    "MPU region %u: a %s region cannot be programmed into a %s MPU",
                    n, hwmpu_arch_name(want), hwmpu_arch_name(m->arch));
        return false;
    }
    if (n >= m->nregions) {
        g_set_error(error, HWMPU_ERROR, HWMPU_ERROR_REGION,
                    "MPU region %u (RNR): this MPU has %u regions", n, m->nregions);
        return false;
    }
    return true;
}

bool hwmpu_set_region_v7(hwmpu *m, unsigned n, const hwmpu_v7_region *r, GError **error)
{
    hwmpu_region out;
    if (!region_slot_ok(m, HWMPU_V7M, n, error) || !v7_encode(n, r, &out, error))
        return false;
    m->r[n] = out;
    return true;
}

bool hwmpu_set_region_v8(hwmpu *m, unsigned n, const hwmpu_v8_region *r, GError **error)
{
    hwmpu_region out;
    if (!region_slot_ok(m, HWMPU_V8M, n, error) || !v8_encode(n, r, &out, error))
        return false;
    m->r[n] = out;
    return true;
}

uint64_t hwmpu_region_bytes(const hwmpu_region *r)
{
    if (!r->enabled)
        return 0;
    return (uint64_t)r->limit - r->base + 1;
}

/* ---- the check ------------------------------------------------------------ */

bool hwmpu_default_xn(uint32_t addr)
{
    /* Table B3-1 in 512 MiB areas: 0 Code, 1 SRAM, 2 Peripheral (XN),
     * 3 and 4 RAM, 5 and 6 Device (XN), 7 System (XN). */
    switch (addr >> 29) {
    case 2: case 5: case 6: case 7:
        return true;
    default:
        return false;
    }
}

/* v7-M AP table (B3.5.9): can this privilege read / write? */
static bool v7_can_read(unsigned ap, bool priv)
{
    switch (ap) {
    case 1: case 5: return priv;
    case 2: case 3: case 6: case 7: return true;
    default: return false;      /* 0: no access; 4 is never stored */
    }
}

static bool v7_can_write(unsigned ap, bool priv)
{
    switch (ap) {
    case 1: case 2: return priv;
    case 3: return true;
    default: return false;
    }
}

/* v8-M AP[2:1]: bit 0 grants unprivileged access, bit 1 makes it read-only. */
static bool v8_can_read(unsigned ap, bool priv) { return priv || (ap & 1u); }
static bool v8_can_write(unsigned ap, bool priv) { return v8_can_read(ap, priv) && !(ap & 2u); }

/* The decision for one address and how far it holds. */
typedef struct span {
    hwmpu_reason reason;    /* HWMPU_FAULT_NONE: allowed */
    int region, other;
    uint64_t end;           /* the same decision holds for [addr, end) */
} span;

static inline uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static hwmpu_reason permit(bool can_read, bool can_write, bool xn, hwmpu_access kind)
{
    switch (kind) {
    case HWMPU_READ: return can_read ? HWMPU_FAULT_NONE : HWMPU_FAULT_PERMISSION;
    case HWMPU_WRITE: return can_write ? HWMPU_FAULT_NONE : HWMPU_FAULT_PERMISSION;
    case HWMPU_EXEC:
        /* XN first: both set MMFSR.IACCVIOL, so the order is not visible to
         * software, and "execute-never" is the more useful report.  A fetch
         * also needs read permission (see the top of the file). */
        if (xn)
            return HWMPU_FAULT_XN;
        return can_read ? HWMPU_FAULT_NONE : HWMPU_FAULT_PERMISSION;
    }
    return HWMPU_FAULT_PERMISSION;
}

static void decide(const hwmpu *m, bool enforced, uint32_t a, hwmpu_access kind, bool priv, span *d)
{
    /* Default-map attributes change only at 512 MiB boundaries. */
    uint64_t end = ((uint64_t)a | 0x1FFFFFFFu) + 1;
    int hit = HWMPU_NO_REGION, other = HWMPU_NO_REGION;
    bool in_ppb = a >= PPB_BASE && a <= PPB_LAST;

    if (enforced && in_ppb) {
        end = min64(end, (uint64_t)PPB_LAST + 1);
    } else if (enforced) {
        /* PPB_BASE is itself a 512 MiB boundary, so spans below it already
         * stop there. */
        for (int n = (int)m->nregions - 1; n >= 0; n--) {
            const hwmpu_region *r = &m->r[n];
            if (!r->enabled || a > r->limit)
                continue;
            if (a < r->base) {
                end = min64(end, r->base);
                continue;
            }
            bool covered = true;
            if (m->arch == HWMPU_V7M && r->size_field >= 7) {
                /* Eight subregions of size/8; SRD bit i disables the i-th
                 * from the base (B3.5.9). */
                uint64_t sub = hwmpu_region_bytes(r) >> 3;
                uint64_t i = ((uint64_t)a - r->base) / sub;
                end = min64(end, r->base + (i + 1) * sub);
                covered = !((r->srd >> i) & 1u);
            } else {
                end = min64(end, (uint64_t)r->limit + 1);
            }
            if (!covered)
                continue;
            if (hit == HWMPU_NO_REGION) {
                hit = n;
                /* v7: the highest-numbered covering region decides for as
                 * long as it covers (B3.5.3), whatever lower ones do; every
                 * higher region's next boundary is already in `end`. */
                if (m->arch == HWMPU_V7M)
                    break;
            } else if (other == HWMPU_NO_REGION) {
                other = n;      /* v8: a second match; keep scanning for boundaries */
            }
        }
    }
    d->end = end;
    d->region = hit;
    d->other = HWMPU_NO_REGION;

    if (other != HWMPU_NO_REGION) {
        d->reason = HWMPU_FAULT_OVERLAP;
        d->other = other;
        return;
    }
    if (hit != HWMPU_NO_REGION) {
        const hwmpu_region *r = &m->r[hit];
        bool xn = r->xn || a >= SYSTEM_BASE;
        if (m->arch == HWMPU_V7M)
            d->reason = permit(v7_can_read(r->ap, priv), v7_can_write(r->ap, priv), xn, kind);
        else
            d->reason = permit(v8_can_read(r->ap, priv), v8_can_write(r->ap, priv), xn, kind);
        return;
    }
    /* No region: the default map if the MPU is off, for the PPB, or as the
     * privileged background region (PRIVDEFENA); otherwise a fault. */
    if (!enforced || in_ppb || (priv && (m->ctrl & HWMPU_CTRL_PRIVDEFENA))) {
        d->reason = permit(true, true, hwmpu_default_xn(a), kind);
        return;
    }
    d->reason = HWMPU_FAULT_NO_REGION;
}

static void set_fault(hwmpu_fault *f, hwmpu_reason reason, int region, int other, uint32_t addr)
{
    if (!f)
        return;
    f->reason = reason;
    f->region = region;
    f->other_region = other;
    f->addr = addr;
}

bool hwmpu_check_at(const hwmpu *m, uint32_t addr, uint32_t size, hwmpu_access kind,
                    bool privileged, bool negative_priority, hwmpu_fault *fault)
{
    g_assert(size >= 1);
    uint64_t last = (uint64_t)addr + size - 1;
    if (last > UINT32_MAX) {
        /* v8-M: an access that overflows the 32-bit address space is
         * UNPREDICTABLE (Cortex-M33 TRM 100230, C.8, restating the ARM
         * ARM).  I found no v7-M rule for it; refused the same way, as a
         * fault value, rather than wrapped. */
        set_fault(fault, HWMPU_FAULT_WRAP, HWMPU_NO_REGION, HWMPU_NO_REGION, addr);
        return false;
    }
    bool enforced = m->nregions > 0 && (m->ctrl & HWMPU_CTRL_ENABLE) &&
                    (!negative_priority || (m->ctrl & HWMPU_CTRL_HFNMIENA));
    uint64_t a = addr;
    do {
        span d;
        decide(m, enforced, (uint32_t)a, kind, privileged, &d);
        if (d.reason != HWMPU_FAULT_NONE) {
            set_fault(fault, d.reason, d.region, d.other, (uint32_t)a);
            return false;
        }
        g_assert(d.end > a);
        a = d.end;
    } while (a <= last);
    set_fault(fault, HWMPU_FAULT_NONE, HWMPU_NO_REGION, HWMPU_NO_REGION, 0);
    return true;
}

bool hwmpu_check(const hwmpu *m, uint32_t addr, uint32_t size, hwmpu_access kind,
                 bool privileged, hwmpu_fault *fault)
{
    return hwmpu_check_at(m, addr, size, kind, privileged, false, fault);
}

/* ---- reprogramming cost --------------------------------------------------- */

unsigned hwmpu_regions_changed(const hwmpu *from, const hwmpu *to)
{
    g_assert(from->arch == to->arch && from->nregions == to->nregions);
    unsigned k = 0;
    for (unsigned n = 0; n < from->nregions; n++)
        k += !region_equal(&from->r[n], &to->r[n]);
    return k;
}

unsigned hwmpu_regs_written(const hwmpu *from, const hwmpu *to)
{
    g_assert(from->arch == to->arch && from->nregions == to->nregions);
    unsigned w = 0;
    for (unsigned n = 0; n < from->nregions; n++) {
        if (region_equal(&from->r[n], &to->r[n]))
            continue;
        /* RNR, then RASR / RLAR (which hold the enable bit); RBAR too unless
         * the region is only being switched off. */
        w += to->r[n].enabled ? 3 : 2;
    }
    return w + (from->ctrl != to->ctrl);
}

/* ---- invariants ------------------------------------------------------------ */

bool hwmpu_verify(const hwmpu *m)
{
    bool ok = true;
    if (m->arch != HWMPU_V7M && m->arch != HWMPU_V8M) {
        g_warning("hwmpu_verify: architecture %d is neither v7m nor v8m", (int)m->arch);
        return false;
    }
    if (!nregions_ok(m->arch, m->nregions)) {
        g_warning("hwmpu_verify: %u regions is not a %s region count", m->nregions, hwmpu_arch_name(m->arch));
        return false;
    }
    if (m->ctrl & ~HWMPU_CTRL_MASK) {
        g_warning("hwmpu_verify: MPU_CTRL 0x%" PRIx32 " has unknown bits", m->ctrl);
        ok = false;
    }
    if ((m->ctrl & HWMPU_CTRL_HFNMIENA) && !(m->ctrl & HWMPU_CTRL_ENABLE)) {
        g_warning("hwmpu_verify: MPU_CTRL has HFNMIENA without ENABLE");
        ok = false;
    }
    if (m->nregions == 0 && m->ctrl != 0) {
        g_warning("hwmpu_verify: MPU_CTRL 0x%" PRIx32 " on a core with no MPU", m->ctrl);
        ok = false;
    }
    for (unsigned n = 0; n < HWMPU_MAX_REGIONS; n++) {
        const hwmpu_region *r = &m->r[n];
        if (n >= m->nregions || !r->enabled) {
            if (!region_equal(r, &zero_region)) {
                g_warning("hwmpu_verify: region %u is %s but not all zero", n,
                          n >= m->nregions ? "beyond the region count" : "disabled");
                ok = false;
            }
            continue;
        }
        /* An enabled region must be what programming it would store. */
        g_autoptr(GError) err = NULL;
        hwmpu_region again;
        bool encoded;
        if (m->arch == HWMPU_V7M) {
            hwmpu_v7_region in = {
                .enable = true, .base = r->base,
                .size = r->size_field <= 31 ? UINT64_C(1) << (r->size_field + 1) : 0,
                .srd = r->srd, .ap = r->ap, .xn = r->xn,
                .tex = r->tex, .s = r->s, .c = r->c, .b = r->b,
            };
            encoded = v7_encode(n, &in, &again, &err);
        } else {
            hwmpu_v8_region in = {
                .enable = true, .base = r->base, .limit = r->limit,
                .ap = r->ap, .xn = r->xn, .sh = r->sh, .attr_idx = r->attr_idx,
            };
            encoded = v8_encode(n, &in, &again, &err);
        }
        if (!encoded) {
            g_warning("hwmpu_verify: %s", err->message);
            ok = false;
        } else if (!region_equal(r, &again)) {
            g_warning("hwmpu_verify: region %u: limit or the other architecture's fields disagree "
                      "with its base, size and attributes", n);
            ok = false;
        }
    }
    return ok;
}
