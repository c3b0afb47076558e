/* tests/test_mpu.c: unit tests of the Cortex-M MPU model (model/mpu.h).
 *
 * What a user of the simulator would see break: a student's lab that
 * programs an MPU region and expects the unprivileged write to fault (or
 * not), a kernel whose protection-domain switch is charged the wrong number
 * of register writes, a misprogrammed region accepted silently.  Every
 * expected outcome is worked out in the comment beside it from the rule in
 * the manual section it cites: ARM DDI 0403E (ARMv7-M ARM) B3.1 and B3.5,
 * ARM DDI 0553 (ARMv8-M ARM) PMSAv8 (see model/mpu.c for how the v8-M rules
 * were checked).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <glib.h>

#include "model/mpu.h"
#include "sim/rng.h"

/* ---- helpers ---------------------------------------------------------------- */

#define KiB 1024u
#define R HWMPU_READ
#define W HWMPU_WRITE
#define X HWMPU_EXEC
#define PRIV true
#define UNPRIV false

/* Check one access and say exactly what differed: the access, what came
 * back and what was expected. */
static void check_access(const char *file, int line, const hwmpu *m, uint32_t addr, uint32_t size,
                         hwmpu_access kind, bool priv, bool negpri,
                         hwmpu_reason reason, int region, uint32_t fault_addr)
{
    hwmpu_fault f;
    memset(&f, 0xA5, sizeof f);
    bool ok = hwmpu_check_at(m, addr, size, kind, priv, negpri, &f);
    const char *who = priv ? "privileged" : "unprivileged";
    if (reason == HWMPU_FAULT_NONE) {
        if (!ok)
            fail_msg("%s:%d: %s %s of %" PRIu32 " bytes at 0x%08" PRIx32 " refused (%s, region %d, "
                     "at 0x%08" PRIx32 "), expected allowed", file, line, who, hwmpu_access_name(kind),
                     size, addr, hwmpu_reason_name(f.reason), f.region, f.addr);
        return;
    }
    if (ok)
        fail_msg("%s:%d: %s %s of %" PRIu32 " bytes at 0x%08" PRIx32 " allowed, expected %s "
                 "(region %d at 0x%08" PRIx32 ")", file, line, who, hwmpu_access_name(kind), size, addr,
                 hwmpu_reason_name(reason), region, fault_addr);
    if (f.reason != reason || f.region != region || f.addr != fault_addr)
        fail_msg("%s:%d: %s %s of %" PRIu32 " bytes at 0x%08" PRIx32 ": fault %s, region %d, at 0x%08"
                 PRIx32 "; expected %s, region %d, at 0x%08" PRIx32, file, line, who,
                 hwmpu_access_name(kind), size, addr, hwmpu_reason_name(f.reason), f.region, f.addr,
                 hwmpu_reason_name(reason), region, fault_addr);
}

#define assert_allowed(m, addr, size, kind, priv) \
    check_access(__FILE__, __LINE__, (m), (addr), (size), (kind), (priv), false, HWMPU_FAULT_NONE, 0, 0)
#define assert_fault(m, addr, size, kind, priv, reason, region, fault_addr) \
    check_access(__FILE__, __LINE__, (m), (addr), (size), (kind), (priv), false, (reason), (region), (fault_addr))

/* A call that must be refused with `code` and a message naming `field`. */
#define assert_refused(call, want_code, want_field) do { \
        GError *e_ = NULL; \
        if (call) \
            fail_msg("%s was accepted, expected error %d naming %s", #call, (want_code), (want_field)); \
        assert_non_null(e_); \
        if (e_->domain != HWMPU_ERROR || e_->code != (int)(want_code) || !strstr(e_->message, (want_field))) \
            fail_msg("%s: error %d \"%s\", expected error %d naming %s", #call, e_->code, e_->message, \
                     (want_code), (want_field)); \
        g_error_free(e_); \
    } while (0)
/* Inside assert_refused the call's GError ** argument is &e_. */
#define ERR (&e_)

static hwmpu mpu_new(hwmpu_arch arch, unsigned nregions, uint32_t ctrl)
{
    hwmpu m;
    GError *e = NULL;
    if (!hwmpu_init(&m, arch, nregions, &e) || !hwmpu_set_ctrl(&m, ctrl, &e))
        fail_msg("mpu_new: %s", e->message);
    return m;
}

static void set7(hwmpu *m, unsigned n, uint32_t base, uint64_t size, uint8_t ap, bool xn, uint8_t srd)
{
    hwmpu_v7_region r = { .enable = true, .base = base, .size = size, .ap = ap, .xn = xn, .srd = srd };
    GError *e = NULL;
    if (!hwmpu_set_region_v7(m, n, &r, &e))
        fail_msg("set7(%u): %s", n, e->message);
}

static void set8(hwmpu *m, unsigned n, uint32_t base, uint32_t limit, uint8_t ap, bool xn)
{
    hwmpu_v8_region r = { .enable = true, .base = base, .limit = limit, .ap = ap, .xn = xn };
    GError *e = NULL;
    if (!hwmpu_set_region_v8(m, n, &r, &e))
        fail_msg("set8(%u): %s", n, e->message);
}

#define ON (HWMPU_CTRL_ENABLE)
#define ON_BG (HWMPU_CTRL_ENABLE | HWMPU_CTRL_PRIVDEFENA)

/* ---- configuration ------------------------------------------------------------ */

static void test_region_counts(void **state)
{
    (void)state;
    hwmpu m;
    /* v7-M: 0 (no MPU), 8 (Cortex-M3/M4) or 16 (a Cortex-M7 option). */
    assert_true(hwmpu_init(&m, HWMPU_V7M, 0, NULL));
    assert_true(hwmpu_init(&m, HWMPU_V7M, 8, NULL));
    assert_int_equal(m.nregions, 8);
    assert_true(hwmpu_verify(&m));
    assert_true(hwmpu_init(&m, HWMPU_V7M, 16, NULL));
    assert_refused(hwmpu_init(&m, HWMPU_V7M, 4, ERR), HWMPU_ERROR_REGIONS, "regions 4");
    assert_refused(hwmpu_init(&m, HWMPU_V7M, 12, ERR), HWMPU_ERROR_REGIONS, "regions 12");
    /* v8-M: DREGION is IMPLEMENTATION DEFINED; the model holds up to 16. */
    assert_true(hwmpu_init(&m, HWMPU_V8M, 16, NULL));
    assert_true(hwmpu_init(&m, HWMPU_V8M, 4, NULL));
    assert_refused(hwmpu_init(&m, HWMPU_V8M, 17, ERR), HWMPU_ERROR_REGIONS, "regions 17");
    assert_refused(hwmpu_init(&m, (hwmpu_arch)7, 8, ERR), HWMPU_ERROR_ARCH, "architecture 7");
}

static void test_ctrl(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, 0);
    assert_true(hwmpu_set_ctrl(&m, HWMPU_CTRL_MASK, NULL));
    /* B3.5.6: HFNMIENA = 1 with ENABLE = 0 is UNPREDICTABLE. */
    assert_refused(hwmpu_set_ctrl(&m, HWMPU_CTRL_HFNMIENA, ERR), HWMPU_ERROR_CTRL, "HFNMIENA");
    assert_refused(hwmpu_set_ctrl(&m, 0x8, ERR), HWMPU_ERROR_CTRL, "MPU_CTRL 0x8");
    assert_int_equal(m.ctrl, HWMPU_CTRL_MASK);     /* refusals change nothing */
    hwmpu none = mpu_new(HWMPU_V7M, 0, 0);
    assert_refused(hwmpu_set_ctrl(&none, ON, ERR), HWMPU_ERROR_CTRL, "no MPU");
}

static void test_region_number_and_arch(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, 0);
    hwmpu_v7_region r7 = { .enable = true, .base = 0x20000000, .size = 1 * KiB, .ap = HWMPU_V7_AP_RW };
    hwmpu_v8_region r8 = { .enable = true, .base = 0x20000000, .limit = 0x200003FF, .ap = HWMPU_V8_AP_RW };
    /* Regions are numbered 0..7 on an 8-region MPU (RNR). */
    assert_true(hwmpu_set_region_v7(&m, 7, &r7, NULL));
    assert_refused(hwmpu_set_region_v7(&m, 8, &r7, ERR), HWMPU_ERROR_REGION, "region 8");
    assert_refused(hwmpu_set_region_v8(&m, 0, &r8, ERR), HWMPU_ERROR_ARCH, "v8m region");
    hwmpu m8 = mpu_new(HWMPU_V8M, 16, 0);
    assert_true(hwmpu_set_region_v8(&m8, 15, &r8, NULL));
    assert_refused(hwmpu_set_region_v8(&m8, 16, &r8, ERR), HWMPU_ERROR_REGION, "region 16");
    assert_refused(hwmpu_set_region_v7(&m8, 0, &r7, ERR), HWMPU_ERROR_ARCH, "v7m region");
    assert_true(hwmpu_verify(&m) && hwmpu_verify(&m8));
}

/* ---- ARMv7-M: programming rules ------------------------------------------------- */

static void test_v7_alignment(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, 0);
    hwmpu_v7_region r = { .enable = true, .size = 1 * KiB, .ap = HWMPU_V7_AP_RW };
    /* B3.5.8: the base must be a multiple of the size.  0x20000200 is 512
     * past a 1 KiB boundary: refused; 0x20000400 = 1024 * 0x80001: fine. */
    r.base = 0x20000200;
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_BASE, "base 0x20000200");
    assert_false(m.r[0].enabled);
    r.base = 0x20000400;
    assert_true(hwmpu_set_region_v7(&m, 0, &r, NULL));
    /* The smallest region, 32 bytes: 0x20000010 is 16 past a boundary. */
    r.size = 32;
    r.base = 0x20000010;
    assert_refused(hwmpu_set_region_v7(&m, 1, &r, ERR), HWMPU_ERROR_BASE, "RBAR.ADDR");
    r.base = 0x20000020;
    assert_true(hwmpu_set_region_v7(&m, 1, &r, NULL));
    /* A 4 GiB region has no ADDR bits: its base can only be 0. */
    r.size = UINT64_C(1) << 32;
    r.base = 0x80000000;
    assert_refused(hwmpu_set_region_v7(&m, 2, &r, ERR), HWMPU_ERROR_BASE, "base 0x80000000");
    r.base = 0;
    assert_true(hwmpu_set_region_v7(&m, 2, &r, NULL));
    assert_true(hwmpu_verify(&m));
}

static void test_v7_size_encodings(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, 0);
    /* B3.5.9: size = 2^(SIZE+1): 32 B -> 4, 256 B -> 7, 1 KiB -> 9,
     * 64 KiB -> 15, 4 GiB -> 31; limit = base + size - 1. */
    static const struct { uint64_t size; uint8_t field; uint32_t base, limit; } ok[] = {
        { 32, 4, 0x20000000, 0x2000001F },
        { 256, 7, 0x20000100, 0x200001FF },
        { 1024, 9, 0x20000400, 0x200007FF },
        { 65536, 15, 0x00010000, 0x0001FFFF },
        { UINT64_C(1) << 31, 30, 0x80000000, 0xFFFFFFFF },
        { UINT64_C(1) << 32, 31, 0x00000000, 0xFFFFFFFF },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        hwmpu_v7_region r = { .enable = true, .base = ok[i].base, .size = ok[i].size, .ap = HWMPU_V7_AP_RW };
        assert_true(hwmpu_set_region_v7(&m, 0, &r, NULL));
        assert_int_equal(m.r[0].size_field, ok[i].field);
        assert_int_equal(m.r[0].limit, ok[i].limit);
        assert_true(hwmpu_region_bytes(&m.r[0]) == ok[i].size);
    }
    /* Below 32 bytes (SIZE < 4), not a power of two, above 4 GiB, zero. */
    static const uint64_t bad[] = { 0, 16, 31, 48, 96, 1000, 3 * 1024, UINT64_C(1) << 33 };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        hwmpu_v7_region r = { .enable = true, .base = 0, .size = bad[i], .ap = HWMPU_V7_AP_RW };
        char want[48];
        g_snprintf(want, sizeof want, "size %" PRIu64 " bytes", bad[i]);
        assert_refused(hwmpu_set_region_v7(&m, 1, &r, ERR), HWMPU_ERROR_SIZE, want);
    }
}

static void test_v7_srd_needs_256_bytes(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, 0);
    /* B3.5.9: regions of 32, 64 and 128 bytes have no subregions and a
     * nonzero SRD there is UNPREDICTABLE: refused.  256 bytes has eight
     * 32-byte subregions. */
    hwmpu_v7_region r = { .enable = true, .base = 0x20000000, .size = 128, .ap = HWMPU_V7_AP_RW, .srd = 0x01 };
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_SRD, "SRD 0x01");
    r.size = 32;
    r.srd = 0x80;
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_SRD, "RASR.SRD");
    r.size = 256;
    assert_true(hwmpu_set_region_v7(&m, 0, &r, NULL));
    assert_int_equal(m.r[0].srd, 0x80);
}

static void test_v7_attributes_stored_not_interpreted(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    /* B3.5.9 TEX/C/B table: TEX=001 C=0 B=1, TEX=010 with C or B, TEX=011
     * are reserved: refused.  TEX=1BB is cacheable Normal memory. */
    hwmpu_v7_region r = { .enable = true, .base = 0x20000000, .size = 4 * KiB, .ap = HWMPU_V7_AP_PRW_URO,
                          .tex = 1, .c = false, .b = true };
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_ATTR, "TEX 1 C 0 B 1");
    r.tex = 2; r.c = true; r.b = false;
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_ATTR, "reserved");
    r.tex = 3; r.c = false;
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_ATTR, "TEX 3");
    r.tex = 8;
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_ATTR, "TEX 8");
    r.tex = 5; r.c = true; r.b = true; r.s = true;
    assert_true(hwmpu_set_region_v7(&m, 0, &r, NULL));
    assert_true(m.r[0].tex == 5 && m.r[0].c && m.r[0].b && m.r[0].s);
    /* They do not change permissions: AP 010 is privileged RW,
     * unprivileged RO, whatever the memory type. */
    assert_allowed(&m, 0x20000000, 4, W, PRIV);
    assert_allowed(&m, 0x20000000, 4, R, UNPRIV);
    assert_fault(&m, 0x20000000, 4, W, UNPRIV, HWMPU_FAULT_PERMISSION, 0, 0x20000000);
}

/* ---- ARMv7-M: access rules ------------------------------------------------------- */

static void test_v7_ap_table(void **state)
{
    (void)state;
    /* The AP table of B3.5.9 (Table B3-15), transcribed:
     *   AP   privileged  unprivileged
     *   000  none        none
     *   001  RW          none
     *   010  RW          RO
     *   011  RW          RW
     *   100  reserved (UNPREDICTABLE)
     *   101  RO          none
     *   110  RO          RO
     *   111  RO          RO
     * As {priv read, priv write, unpriv read, unpriv write}. */
    static const struct { uint8_t ap; bool pr, pw, ur, uw; } table[] = {
        { 0, false, false, false, false },
        { 1, true, true, false, false },
        { 2, true, true, true, false },
        { 3, true, true, true, true },
        { 5, true, false, false, false },
        { 6, true, false, true, false },
        { 7, true, false, true, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
        set7(&m, 3, 0x20000000, 4 * KiB, table[i].ap, false, 0);
        const bool want[4] = { table[i].pr, table[i].pw, table[i].ur, table[i].uw };
        const bool priv[4] = { PRIV, PRIV, UNPRIV, UNPRIV };
        const hwmpu_access kind[4] = { R, W, R, W };
        for (int k = 0; k < 4; k++) {
            if (want[k])
                assert_allowed(&m, 0x20000100, 4, kind[k], priv[k]);
            else
                assert_fault(&m, 0x20000100, 4, kind[k], priv[k], HWMPU_FAULT_PERMISSION, 3, 0x20000100);
        }
    }
    hwmpu m = mpu_new(HWMPU_V7M, 8, 0);
    hwmpu_v7_region r = { .enable = true, .base = 0x20000000, .size = 4 * KiB, .ap = 4 };
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_AP, "AP 4");
    r.ap = 8;
    assert_refused(hwmpu_set_region_v7(&m, 0, &r, ERR), HWMPU_ERROR_AP, "RASR.AP");
}

static void test_v7_subregion_disable(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    /* A 1 KiB region at 0x20000000 has eight subregions of 1024 / 8 = 128
     * bytes; SRD bit i disables [base + 128 i, base + 128 (i + 1)).
     * SRD = 0x0F disables bits 0-3: 0x20000000-0x200001FF is not covered,
     * 0x20000200-0x200003FF (bits 4-7) is.  With no other region and no
     * background region, an uncovered address is a no-region fault. */
    set7(&m, 0, 0x20000000, 1 * KiB, HWMPU_V7_AP_RW, false, 0x0F);
    assert_fault(&m, 0x20000000, 1, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000000);
    assert_fault(&m, 0x20000080, 1, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000080);
    assert_fault(&m, 0x200001FF, 1, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x200001FF);
    assert_allowed(&m, 0x20000200, 1, R, UNPRIV);
    assert_allowed(&m, 0x20000300, 4, W, UNPRIV);
    assert_allowed(&m, 0x200003FF, 1, W, UNPRIV);
    assert_fault(&m, 0x20000400, 1, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000400);
    /* The enabled half as one access: 512 bytes from 0x20000200. */
    assert_allowed(&m, 0x20000200, 512, W, UNPRIV);
    /* An access from the last disabled subregion into the first enabled
     * one faults at its first byte. */
    assert_fault(&m, 0x200001F0, 32, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x200001F0);

    /* A disabled subregion lets a lower region show through (B3.5.3: the
     * highest-numbered region *that matches* decides).  Region 0 below: a
     * 4 KiB RW region; region 1 above: the same 1 KiB with SRD 0x0F, RO. */
    hwmpu m2 = mpu_new(HWMPU_V7M, 8, ON);
    set7(&m2, 0, 0x20000000, 4 * KiB, HWMPU_V7_AP_RW, false, 0);
    set7(&m2, 1, 0x20000000, 1 * KiB, HWMPU_V7_AP_RO, false, 0x0F);
    assert_allowed(&m2, 0x20000000, 4, W, UNPRIV);       /* subregion 0 off: region 0 RW */
    assert_fault(&m2, 0x20000200, 4, W, UNPRIV, HWMPU_FAULT_PERMISSION, 1, 0x20000200);
    /* A write over 0x20000000-0x200003FF: allowed up to 0x200001FF by
     * region 0, refused from 0x20000200 by region 1. */
    assert_fault(&m2, 0x20000000, 1 * KiB, W, UNPRIV, HWMPU_FAULT_PERMISSION, 1, 0x20000200);
    assert_true(hwmpu_verify(&m2));
}

static void test_v7_overlap_highest_wins(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    /* B3.5.3: where enabled regions overlap, the highest-numbered decides.
     * Region 2: 64 KiB RW for all at 0x20000000; region 7: read-only 4 KiB
     * at 0x20001000 (0x20001000-0x20001FFF). */
    set7(&m, 2, 0x20000000, 64 * KiB, HWMPU_V7_AP_RW, false, 0);
    set7(&m, 7, 0x20001000, 4 * KiB, HWMPU_V7_AP_RO, false, 0);
    assert_fault(&m, 0x20001000, 4, W, PRIV, HWMPU_FAULT_PERMISSION, 7, 0x20001000);
    assert_fault(&m, 0x20001FFC, 4, W, UNPRIV, HWMPU_FAULT_PERMISSION, 7, 0x20001FFC);
    assert_allowed(&m, 0x20001000, 4, R, UNPRIV);
    assert_allowed(&m, 0x20000FFC, 4, W, UNPRIV);      /* region 2 only */
    assert_allowed(&m, 0x20002000, 4, W, UNPRIV);      /* region 2 only */
    /* The other way round: RO underneath (region 2), RW on top (region 7):
     * the overlap becomes writable, the rest stays read-only. */
    hwmpu m2 = mpu_new(HWMPU_V7M, 8, ON);
    set7(&m2, 2, 0x20000000, 64 * KiB, HWMPU_V7_AP_RO, false, 0);
    set7(&m2, 7, 0x20001000, 4 * KiB, HWMPU_V7_AP_RW, false, 0);
    assert_allowed(&m2, 0x20001800, 4, W, UNPRIV);
    assert_fault(&m2, 0x20000800, 4, W, UNPRIV, HWMPU_FAULT_PERMISSION, 2, 0x20000800);
    /* A disabled region 7 no longer counts. */
    hwmpu_v7_region off = { .enable = false };
    assert_true(hwmpu_set_region_v7(&m2, 7, &off, NULL));
    assert_fault(&m2, 0x20001800, 4, W, UNPRIV, HWMPU_FAULT_PERMISSION, 2, 0x20001800);
}

static void test_v7_background_region(void **state)
{
    (void)state;
    /* One region (SRAM, 0x20000000, 64 KiB); 0x60000000 (external RAM in
     * Table B3-1) is in no region.
     * B3.5.3 / MPU_CTRL.PRIVDEFENA (B3.5.6): with PRIVDEFENA = 0 every
     * access outside the regions faults; with 1, privileged accesses there
     * use the default map and unprivileged ones still fault. */
    hwmpu off = mpu_new(HWMPU_V7M, 8, ON);
    set7(&off, 0, 0x20000000, 64 * KiB, HWMPU_V7_AP_RW, false, 0);
    assert_fault(&off, 0x60000000, 4, R, PRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x60000000);
    assert_fault(&off, 0x60000000, 4, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x60000000);
    assert_fault(&off, 0x60000000, 4, X, PRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x60000000);

    hwmpu on = mpu_new(HWMPU_V7M, 8, ON_BG);
    set7(&on, 0, 0x20000000, 64 * KiB, HWMPU_V7_AP_RW, false, 0);
    assert_allowed(&on, 0x60000000, 4, R, PRIV);
    assert_allowed(&on, 0x60000000, 4, W, PRIV);
    assert_allowed(&on, 0x60000000, 4, X, PRIV);       /* RAM: executable in the default map */
    assert_fault(&on, 0x60000000, 4, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x60000000);
    /* The background region is the default map, XN areas included (B3.1
     * Table B3-1): Peripheral 0x40000000 and Device 0xA0000000 are XN. */
    assert_fault(&on, 0x40000000, 2, X, PRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0x40000000);
    assert_fault(&on, 0xA0000000, 2, X, PRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0xA0000000);
    assert_allowed(&on, 0x40000000, 4, W, PRIV);
    /* Where a region matches, it decides, for privileged code too: the
     * background region only fills the gaps.  AP 000 refuses everyone. */
    set7(&on, 1, 0x20000000, 1 * KiB, HWMPU_V7_AP_NONE, false, 0);
    assert_fault(&on, 0x20000000, 4, R, PRIV, HWMPU_FAULT_PERMISSION, 1, 0x20000000);
}

static void test_v7_execute_never(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    /* RASR.XN = 1: fetches fault, data accesses are governed by AP alone. */
    set7(&m, 0, 0x20000000, 4 * KiB, HWMPU_V7_AP_RW, true, 0);
    assert_fault(&m, 0x20000000, 2, X, PRIV, HWMPU_FAULT_XN, 0, 0x20000000);
    assert_allowed(&m, 0x20000000, 4, R, UNPRIV);
    assert_allowed(&m, 0x20000000, 4, W, UNPRIV);
    /* XN = 0: fetches need read permission at the current privilege (the
     * AP table governs every access; a fetch is a read): AP 001 lets
     * privileged code execute and not unprivileged code. */
    set7(&m, 1, 0x00000000, 64 * KiB, HWMPU_V7_AP_PRW, false, 0);
    assert_allowed(&m, 0x00000100, 4, X, PRIV);
    assert_fault(&m, 0x00000100, 4, X, UNPRIV, HWMPU_FAULT_PERMISSION, 1, 0x00000100);
    /* System space (0xE0000000 up) is XN whatever a region says (B3.1;
     * the MPU cannot make it executable).  Vendor area 0xE0100000. */
    set7(&m, 2, 0xE0100000, 1 * KiB, HWMPU_V7_AP_RW, false, 0);
    assert_allowed(&m, 0xE0100000, 4, R, UNPRIV);
    assert_fault(&m, 0xE0100000, 2, X, PRIV, HWMPU_FAULT_XN, 2, 0xE0100000);
}

static void test_mpu_disabled(void **state)
{
    (void)state;
    /* MPU_CTRL.ENABLE = 0 (B3.5.2, B3.5.6): the default map for everyone,
     * whatever the regions say: region 0 forbids everything, yet an
     * unprivileged write goes through. */
    hwmpu m = mpu_new(HWMPU_V7M, 8, 0);
    set7(&m, 0, 0x20000000, 64 * KiB, HWMPU_V7_AP_NONE, true, 0);
    assert_allowed(&m, 0x20000000, 4, W, UNPRIV);
    assert_allowed(&m, 0x20000000, 4, X, UNPRIV);
    assert_allowed(&m, 0x00000000, 4, X, UNPRIV);
    /* The default map's XN areas still apply (Table B3-1): a fetch from
     * the Peripheral area faults even with no MPU. */
    assert_fault(&m, 0x40000000, 2, X, PRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0x40000000);
    assert_fault(&m, 0xE0000000, 2, X, PRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0xE0000000);
    /* The same with no MPU at all. */
    hwmpu none = mpu_new(HWMPU_V8M, 0, 0);
    assert_allowed(&none, 0x20000000, 4, W, UNPRIV);
    assert_fault(&none, 0xC0000000, 2, X, UNPRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0xC0000000);
    /* Default-map XN areas, one probe per 512 MiB area of Table B3-1:
     * Code, SRAM, Peripheral(XN), RAM, RAM, Device(XN), Device(XN), System(XN). */
    static const bool xn[8] = { false, false, true, false, false, true, true, true };
    for (uint32_t i = 0; i < 8; i++) {
        assert_int_equal(hwmpu_default_xn(i << 29), xn[i]);
        assert_int_equal(hwmpu_default_xn((i << 29) | 0x1FFFFFFF), xn[i]);
    }
}

static void test_hfnmiena(void **state)
{
    (void)state;
    /* B3.5.6: with HFNMIENA = 0 the MPU is off while the execution priority
     * is negative (HardFault, NMI, FAULTMASK); with 1 it stays on. */
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    assert_fault(&m, 0x20000000, 4, R, PRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000000);
    check_access(__FILE__, __LINE__, &m, 0x20000000, 4, R, PRIV, true, HWMPU_FAULT_NONE, 0, 0);
    hwmpu h = mpu_new(HWMPU_V7M, 8, ON | HWMPU_CTRL_HFNMIENA);
    check_access(__FILE__, __LINE__, &h, 0x20000000, 4, R, PRIV, true,
                 HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000000);
}

static void test_ppb_uses_default_map(void **state)
{
    (void)state;
    /* The PPB, 0xE0000000-0xE00FFFFF, always uses the default memory map
     * (ARMv7-M ValidateAddress() pseudocode, as QEMU transcribes it): with
     * the MPU on, no regions and no background region, a privileged access
     * to the MPU's own registers (0xE000ED90) still goes through.  (An
     * unprivileged one is the SCS's to refuse, with a BusFault: not an MPU
     * fault, so the MPU model allows it.) */
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    assert_allowed(&m, 0xE000ED90, 4, W, PRIV);
    assert_allowed(&m, 0xE000ED90, 4, R, UNPRIV);
    assert_fault(&m, 0xE000ED90, 2, X, PRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0xE000ED90);
    /* Just past the PPB the MPU applies again: an 8-byte read from
     * 0xE00FFFFC covers 0xE00FFFFC-0xE0100003 and faults at 0xE0100000. */
    assert_fault(&m, 0xE00FFFFC, 8, R, PRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0xE0100000);
    /* A region over the PPB does not change it: AP 000 over 0xE000E000. */
    set7(&m, 0, 0xE000E000, 4 * KiB, HWMPU_V7_AP_NONE, false, 0);
    assert_allowed(&m, 0xE000ED90, 4, R, PRIV);
}

static void test_v7_straddle(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    /* Two adjacent 256-byte regions: 0x20000000-0x200000FF RW for all,
     * 0x20000100-0x200001FF read-only for all.  An 8-byte access at
     * 0x200000FC covers 0x200000FC-0x20000103: four bytes in each. */
    set7(&m, 0, 0x20000000, 256, HWMPU_V7_AP_RW, false, 0);
    set7(&m, 1, 0x20000100, 256, HWMPU_V7_AP_RO, false, 0);
    assert_allowed(&m, 0x200000FC, 8, R, UNPRIV);
    assert_fault(&m, 0x200000FC, 8, W, UNPRIV, HWMPU_FAULT_PERMISSION, 1, 0x20000100);
    assert_allowed(&m, 0x200000F8, 8, W, UNPRIV);      /* ends at 0x200000FF */
    /* From the read-only region off the end of both (0x20000200 is in
     * none): the read faults where the regions stop. */
    assert_fault(&m, 0x200001FC, 8, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000200);
    /* The whole 512 bytes as one read: allowed. */
    assert_allowed(&m, 0x20000000, 512, R, UNPRIV);
    /* An access that runs past 0xFFFFFFFF is UNPREDICTABLE: refused. */
    assert_fault(&m, 0xFFFFFFFC, 8, R, PRIV, HWMPU_FAULT_WRAP, HWMPU_NO_REGION, 0xFFFFFFFC);
    hwmpu all = mpu_new(HWMPU_V7M, 8, ON);
    set7(&all, 0, 0, UINT64_C(1) << 32, HWMPU_V7_AP_RW, false, 0);
    assert_allowed(&all, 0xFFFFFFFC, 4, R, UNPRIV);    /* the last word is fine */
    assert_allowed(&all, 0, UINT32_MAX, R, UNPRIV);    /* nearly all of it, in a few spans */
    /* A long access over the default map stops at the first XN area:
     * executing 0x3FFFFFF0-0x4000000F with the MPU off faults at 0x40000000. */
    hwmpu offm = mpu_new(HWMPU_V7M, 8, 0);
    assert_fault(&offm, 0x3FFFFFF0, 32, X, PRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0x40000000);
}

static void test_v7_4gib_region_with_subregions(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V7M, 8, ON);
    /* 4 GiB at 0 (SIZE 31), subregions of 512 MiB; SRD 0x24 = bits 2 and
     * 5 disables 0x40000000-0x5FFFFFFF and 0xA0000000-0xBFFFFFFF. */
    set7(&m, 0, 0, UINT64_C(1) << 32, HWMPU_V7_AP_RW, false, 0x24);
    assert_int_equal(m.r[0].limit, 0xFFFFFFFF);
    assert_allowed(&m, 0x3FFFFFFC, 4, R, UNPRIV);
    assert_fault(&m, 0x3FFFFFFC, 8, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x40000000);
    assert_allowed(&m, 0x60000000, 4, R, UNPRIV);
    assert_fault(&m, 0xA0001000, 4, W, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0xA0001000);
    assert_allowed(&m, 0xFFFFFFFF, 1, W, UNPRIV);
}

/* ---- ARMv8-M ---------------------------------------------------------------------- */

static void test_v8_granularity(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V8M, 16, ON);
    hwmpu_v8_region r = { .enable = true, .base = 0x20000010, .limit = 0x200000FF, .ap = HWMPU_V8_AP_RW };
    /* RBAR.BASE is address bits [31:5]: the base must be 32-byte aligned. */
    assert_refused(hwmpu_set_region_v8(&m, 0, &r, ERR), HWMPU_ERROR_BASE, "base 0x20000010");
    /* RLAR.LIMIT is bits [31:5] of the last byte, bits [4:0] being ones:
     * 0x200000E0 as a limit is ambiguous (meant 0x200000FF?), refused. */
    r.base = 0x20000000;
    r.limit = 0x200000E0;
    assert_refused(hwmpu_set_region_v8(&m, 0, &r, ERR), HWMPU_ERROR_LIMIT, "limit 0x200000e0");
    /* Limit below base. */
    r.base = 0x20000100;
    r.limit = 0x200000FF;
    assert_refused(hwmpu_set_region_v8(&m, 0, &r, ERR), HWMPU_ERROR_LIMIT, "below base");
    /* No power-of-two or alignment-to-size rule: 0x20000020-0x2000007F is
     * three 32-byte blocks (96 bytes) at a 32-byte boundary. */
    set8(&m, 0, 0x20000020, 0x2000007F, HWMPU_V8_AP_RW, false);
    assert_true(hwmpu_region_bytes(&m.r[0]) == 96);
    assert_fault(&m, 0x2000001F, 1, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x2000001F);
    assert_allowed(&m, 0x20000020, 1, R, UNPRIV);
    assert_allowed(&m, 0x2000007F, 1, R, UNPRIV);
    assert_fault(&m, 0x20000080, 1, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000080);
    assert_fault(&m, 0x2000007C, 8, R, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x20000080);
    /* The smallest region: one block, base = limit & ~31. */
    set8(&m, 1, 0x30000000, 0x3000001F, HWMPU_V8_AP_RW, false);
    assert_allowed(&m, 0x30000000, 32, W, UNPRIV);
    assert_fault(&m, 0x30000000, 33, W, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x30000020);
    /* The top block of the address space. */
    set8(&m, 2, 0xFFFFFFE0, 0xFFFFFFFF, HWMPU_V8_AP_RW, false);
    assert_allowed(&m, 0xFFFFFFE0, 32, R, UNPRIV);
    assert_true(hwmpu_verify(&m));
}

static void test_v8_overlap_faults(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V8M, 16, ON_BG);
    /* PMSAv8: an address that matches two enabled regions faults, whatever
     * their numbers, permissions or the background region say.  Region 1:
     * 0x20000000-0x20000FFF RW; region 3: 0x20000800-0x200017FF RW; they
     * share 0x20000800-0x20000FFF. */
    set8(&m, 1, 0x20000000, 0x20000FFF, HWMPU_V8_AP_RW, false);
    set8(&m, 3, 0x20000800, 0x200017FF, HWMPU_V8_AP_RW, false);
    assert_allowed(&m, 0x20000100, 4, W, UNPRIV);      /* region 1 only */
    assert_allowed(&m, 0x20001000, 4, W, UNPRIV);      /* region 3 only */
    hwmpu_fault f;
    assert_false(hwmpu_check(&m, 0x20000900, 4, R, PRIV, &f));
    assert_int_equal(f.reason, HWMPU_FAULT_OVERLAP);
    assert_int_equal(f.region, 3);                     /* the higher of the two... */
    assert_int_equal(f.other_region, 1);               /* ...and the other */
    assert_int_equal(f.addr, 0x20000900);
    /* A write from region 1's own part into the shared part faults where
     * the sharing starts: 0x200007F0 + 32 bytes reaches 0x2000080F. */
    assert_fault(&m, 0x200007F0, 32, W, UNPRIV, HWMPU_FAULT_OVERLAP, 3, 0x20000800);
    /* Disabling region 1 removes the overlap. */
    hwmpu_v8_region off = { .enable = false };
    assert_true(hwmpu_set_region_v8(&m, 1, &off, NULL));
    assert_allowed(&m, 0x20000900, 4, R, PRIV);
    /* Whereas v7-M resolves the same layout by number (B3.5.3). */
    hwmpu m7 = mpu_new(HWMPU_V7M, 8, ON);
    set7(&m7, 1, 0x20000000, 4 * KiB, HWMPU_V7_AP_RW, false, 0);
    set7(&m7, 3, 0x20000800, 2 * KiB, HWMPU_V7_AP_RW, false, 0);
    assert_allowed(&m7, 0x20000900, 4, R, PRIV);
}

static void test_v8_ap_encodings(void **state)
{
    (void)state;
    /* MPU_RBAR.AP[2:1]: AP[2] (bit 1 here) read-only, AP[1] (bit 0)
     * unprivileged access too:
     *   00  privileged RW, unprivileged none
     *   01  RW for both
     *   10  privileged RO, unprivileged none
     *   11  RO for both
     * As {priv read, priv write, unpriv read, unpriv write}; no encoding is
     * reserved, so none is refused. */
    static const struct { uint8_t ap; bool pr, pw, ur, uw; } table[] = {
        { 0, true, true, false, false },
        { 1, true, true, true, true },
        { 2, true, false, false, false },
        { 3, true, false, true, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        hwmpu m = mpu_new(HWMPU_V8M, 16, ON);
        set8(&m, 5, 0x20000000, 0x20000FFF, table[i].ap, false);
        const bool want[4] = { table[i].pr, table[i].pw, table[i].ur, table[i].uw };
        const bool priv[4] = { PRIV, PRIV, UNPRIV, UNPRIV };
        const hwmpu_access kind[4] = { R, W, R, W };
        for (int k = 0; k < 4; k++) {
            if (want[k])
                assert_allowed(&m, 0x20000100, 4, kind[k], priv[k]);
            else
                assert_fault(&m, 0x20000100, 4, kind[k], priv[k], HWMPU_FAULT_PERMISSION, 5, 0x20000100);
        }
        /* A fetch needs read permission and XN = 0. */
        if (table[i].ur)
            assert_allowed(&m, 0x20000100, 2, X, UNPRIV);
        else
            assert_fault(&m, 0x20000100, 2, X, UNPRIV, HWMPU_FAULT_PERMISSION, 5, 0x20000100);
    }
    hwmpu m = mpu_new(HWMPU_V8M, 16, 0);
    hwmpu_v8_region r = { .enable = true, .base = 0x20000000, .limit = 0x20000FFF, .ap = 4 };
    assert_refused(hwmpu_set_region_v8(&m, 0, &r, ERR), HWMPU_ERROR_AP, "RBAR.AP");
    /* RBAR.SH 0b01 is reserved; AttrIndx selects one of 8 MAIR fields. */
    r.ap = HWMPU_V8_AP_RW;
    r.sh = 1;
    assert_refused(hwmpu_set_region_v8(&m, 0, &r, ERR), HWMPU_ERROR_ATTR, "SH 1");
    r.sh = 3;
    r.attr_idx = 8;
    assert_refused(hwmpu_set_region_v8(&m, 0, &r, ERR), HWMPU_ERROR_ATTR, "AttrIndx 8");
    r.attr_idx = 7;
    assert_true(hwmpu_set_region_v8(&m, 0, &r, NULL));
    assert_true(m.r[0].sh == 3 && m.r[0].attr_idx == 7);
}

static void test_v8_xn_and_background(void **state)
{
    (void)state;
    hwmpu m = mpu_new(HWMPU_V8M, 8, ON_BG);
    set8(&m, 0, 0x20000000, 0x20003FFF, HWMPU_V8_AP_RW, true);
    assert_fault(&m, 0x20000000, 2, X, PRIV, HWMPU_FAULT_XN, 0, 0x20000000);
    assert_allowed(&m, 0x20000000, 4, W, UNPRIV);
    /* Background region: privileged only, default map with its XN areas. */
    assert_allowed(&m, 0x00000100, 2, X, PRIV);
    assert_fault(&m, 0x00000100, 2, X, UNPRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x00000100);
    assert_fault(&m, 0x40000000, 2, X, PRIV, HWMPU_FAULT_XN, HWMPU_NO_REGION, 0x40000000);
    assert_true(hwmpu_set_ctrl(&m, ON, NULL));
    assert_fault(&m, 0x00000100, 2, X, PRIV, HWMPU_FAULT_NO_REGION, HWMPU_NO_REGION, 0x00000100);
}

/* ---- reprogramming cost and invariants --------------------------------------------- */

static void test_regs_written(void **state)
{
    (void)state;
    /* Plain sequence: per region set, RNR + RBAR + RASR = 3 writes; per
     * region switched off, RNR + RASR = 2; MPU_CTRL 1 if it changes. */
    hwmpu a = mpu_new(HWMPU_V7M, 8, 0);
    hwmpu b = a;
    assert_int_equal(hwmpu_regs_written(&a, &b), 0);
    set7(&b, 0, 0x00000000, 256 * KiB, HWMPU_V7_AP_RO, false, 0);
    set7(&b, 1, 0x20000000, 64 * KiB, HWMPU_V7_AP_RW, true, 0);
    assert_true(hwmpu_set_ctrl(&b, ON_BG, NULL));
    assert_int_equal(hwmpu_regs_written(&a, &b), 3 + 3 + 1);    /* 7 */
    assert_int_equal(hwmpu_regions_changed(&a, &b), 2);
    /* A protection-domain switch: region 1 moves, region 0 goes off. */
    hwmpu c = b;
    set7(&c, 1, 0x20010000, 64 * KiB, HWMPU_V7_AP_RW, true, 0);
    hwmpu_v7_region off = { .enable = false };
    assert_true(hwmpu_set_region_v7(&c, 0, &off, NULL));
    assert_int_equal(hwmpu_regs_written(&b, &c), 3 + 2);        /* 5 */
    /* Reprogramming a region with what it already holds costs nothing in
     * this count (the caller decides whether to skip the writes). */
    hwmpu d = c;
    set7(&d, 1, 0x20010000, 64 * KiB, HWMPU_V7_AP_RW, true, 0);
    assert_int_equal(hwmpu_regs_written(&c, &d), 0);
    /* A disabled region keeps nothing, so "off with other fields" equals
     * "off": no write. */
    hwmpu_v7_region off2 = { .enable = false, .base = 0x12345678, .ap = 4 };
    assert_true(hwmpu_set_region_v7(&d, 0, &off2, NULL));
    assert_int_equal(hwmpu_regs_written(&c, &d), 0);
    /* v8: RNR + RBAR + RLAR = 3, or RNR + RLAR = 2 to switch off. */
    hwmpu e = mpu_new(HWMPU_V8M, 16, 0);
    hwmpu f = e;
    set8(&f, 4, 0x20000000, 0x200007FF, HWMPU_V8_AP_RW, false);
    set8(&f, 9, 0x08000000, 0x0801FFFF, HWMPU_V8_AP_RO, false);
    assert_int_equal(hwmpu_regs_written(&e, &f), 6);
    assert_int_equal(hwmpu_regs_written(&f, &e), 4);
}

/* Warnings from hwmpu_verify are collected here instead of printed. */
static GString *warnings;
static void collect(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain; (void)level; (void)data;
    g_string_append_printf(warnings, "%s\n", msg);
}

static bool verify_quietly(const hwmpu *m)
{
    g_string_truncate(warnings, 0);
    guint h = g_log_set_handler("hwmpu", G_LOG_LEVEL_WARNING, collect, NULL);
    bool ok = hwmpu_verify(m);
    g_log_remove_handler("hwmpu", h);
    return ok;
}

#define assert_verify_fails(m, what) do { \
        if (verify_quietly(m)) \
            fail_msg("hwmpu_verify accepted a state with %s", what); \
        if (!strstr(warnings->str, what)) \
            fail_msg("hwmpu_verify said \"%s\", expected it to name %s", warnings->str, what); \
    } while (0)

static void test_verify_catches_broken_state(void **state)
{
    (void)state;
    warnings = g_string_new(NULL);
    hwmpu good = mpu_new(HWMPU_V7M, 8, ON_BG);
    set7(&good, 0, 0x20000000, 1 * KiB, HWMPU_V7_AP_RW, false, 0x0F);
    assert_true(verify_quietly(&good));

    hwmpu m = good;
    m.r[0].base = 0x20000200;           /* misaligned for 1 KiB */
    assert_verify_fails(&m, "base 0x20000200");
    m = good;
    m.r[0].size_field = 5;              /* 64 bytes with SRD 0x0F */
    m.r[0].limit = 0x2000003F;
    assert_verify_fails(&m, "SRD 0x0f");
    m = good;
    m.r[0].ap = 4;
    assert_verify_fails(&m, "AP 4");
    m = good;
    m.r[0].limit += 32;                 /* limit disagrees with SIZE */
    assert_verify_fails(&m, "region 0: limit");
    m = good;
    m.r[3].base = 0x1000;               /* a disabled region with fields */
    assert_verify_fails(&m, "region 3 is disabled");
    m = good;
    m.r[9].enabled = true;              /* beyond the 8 regions */
    assert_verify_fails(&m, "region 9 is beyond");
    m = good;
    m.ctrl = HWMPU_CTRL_HFNMIENA;
    assert_verify_fails(&m, "HFNMIENA without ENABLE");
    m = good;
    m.nregions = 12;
    assert_verify_fails(&m, "12 regions");

    hwmpu g8 = mpu_new(HWMPU_V8M, 16, ON);
    set8(&g8, 2, 0x20000000, 0x200000FF, HWMPU_V8_AP_RW, false);
    assert_true(verify_quietly(&g8));
    m = g8;
    m.r[2].limit = 0x1FFFFFFF;          /* below base */
    assert_verify_fails(&m, "below base");
    m = g8;
    m.r[2].srd = 1;                     /* a v7 field on a v8 region */
    assert_verify_fails(&m, "other architecture");
    g_string_free(warnings, TRUE);
    warnings = NULL;
}

/* ---- long accesses agree with byte-by-byte checks ------------------------------------ */

/* The check decides spans, not bytes.  Whatever the layout, an access must
 * be allowed exactly when each of its bytes is, and a refused one must
 * report its first refused byte with that byte's own fault.  Random
 * layouts (seeded: the same every run) over a 256 KiB window of SRAM, with
 * overlaps, subregions and both background settings. */
static void random_layout(hwmpu *m, hwmpu_arch arch, simrng *r)
{
    static const uint32_t ctrls[] = { 0, ON, ON_BG, ON_BG | HWMPU_CTRL_HFNMIENA };
    static const uint8_t v7_aps[] = { 0, 1, 2, 3, 5, 6, 7 };
    GError *e = NULL;
    assert_true(hwmpu_init(m, arch, arch == HWMPU_V7M ? 8 : 16, &e));
    assert_true(hwmpu_set_ctrl(m, ctrls[simrng_below(r, G_N_ELEMENTS(ctrls))], &e));
    for (unsigned n = 0; n < m->nregions; n++) {
        if (simrng_below(r, 4) == 0)
            continue;                   /* a quarter stay off */
        bool xn = simrng_below(r, 2);
        if (arch == HWMPU_V7M) {
            uint64_t size = UINT64_C(1) << simrng_range(r, 5, 16);
            uint32_t base = 0x20000000 + (uint32_t)(simrng_below(r, (256 * KiB) / size) * size);
            uint8_t srd = size >= 256 ? (uint8_t)simrng_below(r, 256) : 0;
            set7(m, n, base, size, v7_aps[simrng_below(r, G_N_ELEMENTS(v7_aps))], xn, srd);
        } else {
            uint32_t base = 0x20000000 + 32 * (uint32_t)simrng_below(r, (256 * KiB) / 32);
            uint32_t limit = base + 32 * (uint32_t)simrng_range(r, 1, 256) - 1;
            set8(m, n, base, limit, (uint8_t)simrng_below(r, 4), xn);
        }
    }
    assert_true(hwmpu_verify(m));
}

static void test_spans_match_bytes(void **state)
{
    (void)state;
    simrng r;
    simrng_init(&r, 20240601, "test.mpu.spans");
    for (int arch = 0; arch < 2; arch++) {
        for (int layout = 0; layout < 40; layout++) {
            hwmpu m;
            random_layout(&m, arch ? HWMPU_V8M : HWMPU_V7M, &r);
            for (int k = 0; k < 60; k++) {
                uint32_t addr = 0x1FFFF000 + (uint32_t)simrng_below(&r, 264 * KiB);
                uint32_t size = (uint32_t)simrng_range(&r, 1, 600);
                hwmpu_access kind = (hwmpu_access)simrng_below(&r, 3);
                bool priv = simrng_below(&r, 2);
                bool negpri = simrng_below(&r, 8) == 0;
                hwmpu_fault got, want = { .reason = HWMPU_FAULT_NONE };
                bool ok = hwmpu_check_at(&m, addr, size, kind, priv, negpri, &got);
                bool want_ok = true;
                for (uint32_t i = 0; i < size && want_ok; i++)
                    want_ok = hwmpu_check_at(&m, addr + i, 1, kind, priv, negpri, &want);
                if (ok != want_ok || (!ok && (got.reason != want.reason || got.region != want.region ||
                                              got.other_region != want.other_region || got.addr != want.addr)))
                    fail_msg("%s layout %d: %s of %" PRIu32 " at 0x%08" PRIx32 ": span check %s/%s/%d/0x%08"
                             PRIx32 ", bytewise %s/%s/%d/0x%08" PRIx32, hwmpu_arch_name(m.arch), layout,
                             hwmpu_access_name(kind), size, addr, ok ? "ok" : "fault",
                             hwmpu_reason_name(got.reason), got.region, got.addr, want_ok ? "ok" : "fault",
                             hwmpu_reason_name(want.reason), want.region, want.addr);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_counts),
        cmocka_unit_test(test_ctrl),
        cmocka_unit_test(test_region_number_and_arch),
        cmocka_unit_test(test_v7_alignment),
        cmocka_unit_test(test_v7_size_encodings),
        cmocka_unit_test(test_v7_srd_needs_256_bytes),
        cmocka_unit_test(test_v7_attributes_stored_not_interpreted),
        cmocka_unit_test(test_v7_ap_table),
        cmocka_unit_test(test_v7_subregion_disable),
        cmocka_unit_test(test_v7_overlap_highest_wins),
        cmocka_unit_test(test_v7_background_region),
        cmocka_unit_test(test_v7_execute_never),
        cmocka_unit_test(test_mpu_disabled),
        cmocka_unit_test(test_hfnmiena),
        cmocka_unit_test(test_ppb_uses_default_map),
        cmocka_unit_test(test_v7_straddle),
        cmocka_unit_test(test_v7_4gib_region_with_subregions),
        cmocka_unit_test(test_v8_granularity),
        cmocka_unit_test(test_v8_overlap_faults),
        cmocka_unit_test(test_v8_ap_encodings),
        cmocka_unit_test(test_v8_xn_and_background),
        cmocka_unit_test(test_regs_written),
        cmocka_unit_test(test_verify_catches_broken_state),
        cmocka_unit_test(test_spans_match_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
