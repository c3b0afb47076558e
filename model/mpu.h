/* model/mpu.h: the memory protection units of Cortex-M cores.
 *
 * Pure logic, no time and no events: which loads, stores and instruction
 * fetches one core's MPU allows, and what a reprogramming writes.  The core
 * model owns one hwmpu per core (in its per-core array) and charges the
 * costs; the kernel reaches it only through the hardware layer.  Nothing
 * here allocates, prints or aborts on an architectural fault: a refused
 * access comes back as a hwmpu_fault value, a refused programming as a
 * GError naming the field.
 *
 * Two architectures:
 *  - ARMv7-M PMSAv7 (ARM DDI 0403E, B3.5): 8 or 16 regions, each a power of
 *    two from 32 bytes to 4 GiB aligned to its size, with eight subregions
 *    (SRD) from 256 bytes up; where enabled regions overlap, the highest
 *    numbered one decides (B3.5.3).
 *  - ARMv8-M PMSAv8 (ARM DDI 0553, the PMSAv8 chapter and the MPU_RBAR /
 *    MPU_RLAR register descriptions): up to 16 regions, base and limit at
 *    32-byte granularity; no subregions; an address that two enabled
 *    regions match faults.
 * Both: MPU_CTRL.ENABLE, HFNMIENA and PRIVDEFENA (the background region is
 * the default memory map, for privileged accesses only), and the default
 * memory map's execute-never areas (DDI 0403E B3.1, Table B3-1).
 *
 * Not modelled (the caller's business): the SAU and Secure/Non-secure MPU
 * banking (v8-M Security Extension), PXN (v8.1-M), the memory types that
 * TEX/C/B/S and MAIR select (stored, never interpreted: they do not change
 * permissions), the SCS's own rule that unprivileged accesses to the PPB
 * BusFault, and vector-table reads on exception entry (which always use the
 * default map: the caller must not route them through hwmpu_check).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define HWMPU_ERROR (hwmpu_error_quark())
GQuark hwmpu_error_quark(void);
typedef enum {
    HWMPU_ERROR_REGIONS,    /* region count not one this architecture has */
    HWMPU_ERROR_ARCH,       /* unknown architecture, or a v7-M call on a v8-M MPU or the reverse */
    HWMPU_ERROR_REGION,     /* region number beyond the count */
    HWMPU_ERROR_BASE,       /* base misaligned */
    HWMPU_ERROR_SIZE,       /* v7: size not a power of two in [32 B, 4 GiB] */
    HWMPU_ERROR_LIMIT,      /* v8: limit not a block end, or below base */
    HWMPU_ERROR_SRD,        /* v7: subregions on a region below 256 bytes */
    HWMPU_ERROR_AP,         /* reserved or out-of-range AP encoding */
    HWMPU_ERROR_ATTR,       /* TEX/C/B (v7), SH or AttrIndx (v8) reserved or out of range */
    HWMPU_ERROR_CTRL,       /* MPU_CTRL: unknown bits, HFNMIENA without ENABLE, no MPU */
} hwmpu_error;

typedef enum { HWMPU_V7M, HWMPU_V8M } hwmpu_arch;

typedef enum { HWMPU_READ, HWMPU_WRITE, HWMPU_EXEC } hwmpu_access;

typedef enum {
    HWMPU_FAULT_NONE,
    HWMPU_FAULT_NO_REGION,   /* no enabled region (or subregion) and no background region */
    HWMPU_FAULT_PERMISSION,  /* AP refuses this access at this privilege */
    HWMPU_FAULT_XN,          /* instruction fetch from execute-never memory */
    HWMPU_FAULT_OVERLAP,     /* v8: two enabled regions match the address */
    HWMPU_FAULT_WRAP,        /* the access runs past 0xFFFFFFFF (UNPREDICTABLE) */
} hwmpu_reason;

#define HWMPU_MAX_REGIONS 16
#define HWMPU_NO_REGION (-1)

/* MPU_CTRL bits, at their register positions (DDI 0403E B3.5.6; the same
 * in v8-M). */
#define HWMPU_CTRL_ENABLE     (1u << 0)
#define HWMPU_CTRL_HFNMIENA   (1u << 1)
#define HWMPU_CTRL_PRIVDEFENA (1u << 2)
#define HWMPU_CTRL_MASK       (HWMPU_CTRL_ENABLE | HWMPU_CTRL_HFNMIENA | HWMPU_CTRL_PRIVDEFENA)

/* v7-M AP[2:0] encodings (DDI 0403E B3.5.9, the AP table): privileged /
 * unprivileged.  0b100 is reserved (UNPREDICTABLE) and refused; 0b111 is
 * the same as 0b110. */
enum {
    HWMPU_V7_AP_NONE = 0,       /* none  / none */
    HWMPU_V7_AP_PRW = 1,        /* RW    / none */
    HWMPU_V7_AP_PRW_URO = 2,    /* RW    / RO   */
    HWMPU_V7_AP_RW = 3,         /* RW    / RW   */
    HWMPU_V7_AP_PRO = 5,        /* RO    / none */
    HWMPU_V7_AP_RO = 6,         /* RO    / RO   */
    HWMPU_V7_AP_RO7 = 7,        /* RO    / RO   */
};
/* v8-M AP[2:1] (MPU_RBAR.AP): bit 1 read-only, bit 0 unprivileged too.
 * All four encodings are defined. */
enum {
    HWMPU_V8_AP_PRW = 0,        /* RW / none */
    HWMPU_V8_AP_RW = 1,         /* RW / RW   */
    HWMPU_V8_AP_PRO = 2,        /* RO / none */
    HWMPU_V8_AP_RO = 3,         /* RO / RO   */
};

/* What a v7-M region is programmed with (MPU_RBAR + MPU_RASR). */
typedef struct hwmpu_v7_region {
    bool enable;        /* RASR.ENABLE; when false nothing else is looked at */
    uint32_t base;      /* RBAR.ADDR: aligned to size */
    uint64_t size;      /* bytes: a power of two, 32 .. 2^32 (RASR.SIZE = log2(size) - 1) */
    uint8_t srd;        /* RASR.SRD: bit i disables subregion i; 0 below 256 bytes */
    uint8_t ap;         /* RASR.AP[2:0] */
    bool xn;            /* RASR.XN */
    uint8_t tex;        /* RASR.TEX[2:0] */
    bool s, c, b;       /* RASR.S, C, B */
} hwmpu_v7_region;

/* What a v8-M region is programmed with (MPU_RBAR + MPU_RLAR). */
typedef struct hwmpu_v8_region {
    bool enable;        /* RLAR.EN; when false nothing else is looked at */
    uint32_t base;      /* RBAR.BASE:00000, 32-byte aligned */
    uint32_t limit;     /* the region's last byte: RLAR.LIMIT:11111, so its low five bits are all ones */
    uint8_t ap;         /* RBAR.AP[2:1] */
    bool xn;            /* RBAR.XN */
    uint8_t sh;         /* RBAR.SH: 0b00, 0b10 or 0b11 (0b01 reserved) */
    uint8_t attr_idx;   /* RLAR.AttrIndx: which MAIR attribute, 0..7 */
} hwmpu_v8_region;

/* A stored region.  Invariants (checked by hwmpu_verify):
 *  - a disabled region is all zero: its fields have no effect (v7 B3.5.9
 *    RASR.ENABLE, v8 RLAR.EN) and are not kept, so two MPUs with the same
 *    effect compare equal;
 *  - an enabled region is exactly what the validating set call for its
 *    architecture stores for some accepted input: base <= limit, both
 *    inside the 32-bit space; v7: limit = base + 2^(size_field+1) - 1,
 *    base aligned to that size, size_field in 4..31, srd = 0 when
 *    size_field < 7, ap != 0b100, TEX/C/B not reserved, v8 fields zero;
 *    v8: base % 32 = 0, limit % 32 = 31, ap <= 3, sh != 0b01, attr_idx <= 7,
 *    v7 fields zero. */
typedef struct hwmpu_region {
    bool enabled;
    uint32_t base;      /* first byte */
    uint32_t limit;     /* last byte, inclusive (so a 4 GiB v7 region fits) */
    uint8_t ap;         /* v7 AP[2:0] or v8 AP[2:1] */
    bool xn;
    /* v7 only */
    uint8_t size_field; /* RASR.SIZE */
    uint8_t srd;
    uint8_t tex;
    bool s, c, b;
    /* v8 only */
    uint8_t sh;
    uint8_t attr_idx;
} hwmpu_region;

/* One core's MPU.  Invariants (checked by hwmpu_verify): arch is one of the
 * two; nregions is one the architecture allows (hwmpu_init); ctrl holds
 * only HWMPU_CTRL_MASK bits, HFNMIENA only with ENABLE, and nothing at all
 * when nregions is 0; regions at and beyond nregions are all zero. */
typedef struct hwmpu {
    hwmpu_arch arch;
    unsigned nregions;  /* MPU_TYPE.DREGION */
    uint32_t ctrl;      /* MPU_CTRL */
    hwmpu_region r[HWMPU_MAX_REGIONS];
} hwmpu;

/* Why an access was refused.  For an access that covers several regions,
 * the first byte found refused (lowest address) is reported, as MMFAR
 * would hold it. */
typedef struct hwmpu_fault {
    hwmpu_reason reason;
    int region;         /* the region that decided (OVERLAP: the higher-numbered match), or
                           HWMPU_NO_REGION (default map, background region, no region) */
    int other_region;   /* HWMPU_FAULT_OVERLAP: the next lower matching region; else HWMPU_NO_REGION */
    uint32_t addr;      /* first refused byte */
} hwmpu_fault;

/* A reset MPU: every region disabled, MPU_CTRL zero (the MPU off).  Region
 * counts: v7-M 0 (no MPU), 8 or 16 (Cortex-M3/M4: 8; Cortex-M7: 8 or 16);
 * v8-M 0 to 16 (the architecture leaves DREGION IMPLEMENTATION DEFINED;
 * this model holds at most 16).  On refusal *m is left untouched. */
bool hwmpu_init(hwmpu *m, hwmpu_arch arch, unsigned nregions, GError **error);

/* Write MPU_CTRL.  Refused: bits outside HWMPU_CTRL_MASK; HFNMIENA without
 * ENABLE (UNPREDICTABLE, B3.5.6); anything but 0 on a core with no MPU. */
bool hwmpu_set_ctrl(hwmpu *m, uint32_t ctrl, GError **error);

/* Program region n.  All checks first; on refusal nothing changes and the
 * error names the field and the value. */
bool hwmpu_set_region_v7(hwmpu *m, unsigned n, const hwmpu_v7_region *r, GError **error);
bool hwmpu_set_region_v8(hwmpu *m, unsigned n, const hwmpu_v8_region *r, GError **error);

/* Is the access of `size` bytes (>= 1) at addr allowed?  True if every
 * byte is; else false and *fault (if not NULL) says why.  Execution
 * priority >= 0, i.e. not in HardFault or NMI and FAULTMASK clear. */
bool hwmpu_check(const hwmpu *m, uint32_t addr, uint32_t size, hwmpu_access kind,
                 bool privileged, hwmpu_fault *fault);
/* The same at any execution priority: with negative_priority (HardFault,
 * NMI, FAULTMASK set) the MPU applies only if HFNMIENA is set; otherwise
 * the default map does (B3.5.6). */
bool hwmpu_check_at(const hwmpu *m, uint32_t addr, uint32_t size, hwmpu_access kind,
                    bool privileged, bool negative_priority, hwmpu_fault *fault);

/* Is addr execute-never in the default memory map (Peripheral, Device and
 * System areas; DDI 0403E B3.1 Table B3-1)? */
bool hwmpu_default_xn(uint32_t addr);

/* Region registers written to turn `from` into `to` (same arch and count),
 * for the core's cost table.  The plain sequence is counted: per region
 * that changes, RNR + RBAR + RASR (v7) or RNR + RBAR + RLAR (v8), 3 writes;
 * a region that becomes disabled needs only RNR + RASR / RLAR, 2 writes;
 * plus 1 for MPU_CTRL if it changes.  (v7's RBAR.VALID/REGION shortcut and
 * v8's RBAR_An/RLAR_An aliases can save the RNR writes; a cost table that
 * models them can use hwmpu_regions_changed instead.) */
unsigned hwmpu_regs_written(const hwmpu *from, const hwmpu *to);
/* Regions whose stored state differs between from and to. */
unsigned hwmpu_regions_changed(const hwmpu *from, const hwmpu *to);

/* Bytes a stored region covers, 0 when disabled (v7: 2^(SIZE+1), including
 * disabled subregions). */
uint64_t hwmpu_region_bytes(const hwmpu_region *r);

/* Check the invariants above; false (with a g_warning naming the broken
 * one) if any fails. */
bool hwmpu_verify(const hwmpu *m);

/* Short names for traces and messages: "read", "no-region", "v7m", ... */
const char *hwmpu_access_name(hwmpu_access kind);
const char *hwmpu_reason_name(hwmpu_reason reason);
const char *hwmpu_arch_name(hwmpu_arch arch);
