/* tests/pagetable_fixture.h: a memory image and MMU fixtures shared by the
 * page-table tests (test_pagetable*.c; header-only, include after
 * <cmocka.h>).
 *
 * The image hands out tables in order from a known address, so every
 * descriptor's address in a test is known by hand; it counts reads and
 * writes and logs the first reads' addresses.
 */
#pragma once

#include <inttypes.h>
#include <glib.h>

#include "model/pagetable.h"

/* ---- a memory image --------------------------------------------------- */

#define IMG_SIZE    (1u << 20)      /* tables only: mapped frames are never touched */
#define LOG_MAX     16

typedef struct img {
    uint8_t *ram;
    uint64_t brk, limit;            /* the allocator hands out [brk, limit) */
    unsigned reads, writes;
    uint64_t log[LOG_MAX];          /* addresses of the first reads since the last reset */
} img;

static inline uint64_t img_read(void *ctx, uint64_t pa, unsigned size)
{
    img *m = ctx;
    assert_true(size == 4 || size == 8);
    assert_true(pa + size <= IMG_SIZE);
    if (m->reads < LOG_MAX)
        m->log[m->reads] = pa;
    m->reads++;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)         /* little-endian, whatever the host */
        v |= (uint64_t)m->ram[pa + i] << (8 * i);
    return v;
}

static inline void img_write(void *ctx, uint64_t pa, uint64_t v, unsigned size)
{
    img *m = ctx;
    assert_true(size == 4 || size == 8);
    assert_true(pa + size <= IMG_SIZE);
    m->writes++;
    for (unsigned i = 0; i < size; i++)
        m->ram[pa + i] = (uint8_t)(v >> (8 * i));
}

static inline bool img_alloc(void *ctx, unsigned size, uint64_t *pa)
{
    img *m = ctx;
    uint64_t a = (m->brk + size - 1) & ~(uint64_t)(size - 1);
    if (a + size > m->limit)
        return false;
    *pa = a;
    m->brk = a + size;
    return true;
}

/* Raw access for tests that poke descriptors (not counted). */
static inline uint64_t peek64(const img *m, uint64_t pa)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)m->ram[pa + i] << (8 * i);
    return v;
}
static inline void poke64(img *m, uint64_t pa, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        m->ram[pa + i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t peek32(const img *m, uint64_t pa) { return (uint32_t)peek64(m, pa); }

static inline void img_reset_counts(img *m)
{
    m->reads = 0;
    m->writes = 0;
}

/* ---- fixtures --------------------------------------------------------- */

typedef struct fx {
    img m;
    hwpt_mem mem;
    hwtlb *tlb;
    hwpt_mmu mmu;
} fx;

#define assert_verified(f) \
    do { if (!hwpt_verify(&(f)->mmu)) fail_msg("hwpt_verify failed (see the warning above)"); } while (0)

static inline void fx_mem(fx *f, uint64_t brk)
{
    f->m.ram = g_malloc0(IMG_SIZE);
    f->m.brk = brk;
    f->m.limit = IMG_SIZE;
    f->mem = (hwpt_mem){ .read = img_read, .write = img_write, .alloc = img_alloc, .ctx = &f->m };
}

/* x86-64: PML4 at 0x1000, tables handed out from 0x2000 in 4 KiB steps.
 * MAXPHYADDR 46, NXE, WP and PGE on, PCIDE as asked. */
#define X86_ROOT 0x1000u

static inline fx *fx_x86(bool pcide)
{
    fx *f = g_new0(fx, 1);
    fx_mem(f, 0x2000);
    hwtlb_config tc = { .arch = HWTLB_X86_64, .entries = 64, .ways = 4, .asid_enabled = pcide };
    f->tlb = hwtlb_new(&tc, NULL);
    hwpt_x86_regs r = { .cr3 = X86_ROOT, .maxphyaddr = 46, .nxe = true, .wp = true, .pge = true, .pcide = pcide };
    GError *err = NULL;
    if (!hwpt_mmu_init_x86(&f->mmu, &r, &f->mem, f->tlb, &err))
        fail_msg("hwpt_mmu_init_x86: %s", err->message);
    assert_verified(f);
    return f;
}

/* ARMv7-A: TTBR0's first-level table at 0x4000 (16 KiB aligned), tables
 * handed out from 0x10000 (second-level tables, 1 KiB each).  Domain 0
 * client, PXN implemented, ASIDs in use, ASID 1. */
#define ARM_TTB 0x4000u

static inline fx *fx_arm(bool asids)
{
    fx *f = g_new0(fx, 1);
    fx_mem(f, 0x10000);
    hwtlb_config tc = { .arch = HWTLB_ARMV7A, .entries = 32, .ways = 2, .asid_enabled = asids };
    f->tlb = hwtlb_new(&tc, NULL);
    hwpt_arm_regs r = { .ttbr0 = ARM_TTB, .dacr = 0x1, .asid = asids ? 1 : 0, .has_pxn = true };
    GError *err = NULL;
    if (!hwpt_mmu_init_armv7a(&f->mmu, &r, &f->mem, f->tlb, &err))
        fail_msg("hwpt_mmu_init_armv7a: %s", err->message);
    assert_verified(f);
    return f;
}

static inline void fx_free(fx *f)
{
    hwtlb_free(f->tlb);
    g_free(f->m.ram);
    g_free(f);
}

static inline void map_x86(fx *f, uint64_t va, uint64_t pa, hwtlb_size s, uint64_t flags)
{
    GError *err = NULL;
    if (!hwpt_x86_map(&f->mem, X86_ROOT, va, pa, s, flags, &err))
        fail_msg("hwpt_x86_map(%#" PRIx64 "): %s", va, err->message);
}

static inline void map_arm(fx *f, uint32_t va, uint64_t pa, hwtlb_size s, uint32_t flags)
{
    GError *err = NULL;
    if (!hwpt_arm_map(&f->mem, ARM_TTB, va, pa, s, flags, &err))
        fail_msg("hwpt_arm_map(%#" PRIx32 "): %s", va, err->message);
}

/* A fault with what differed spelled out. */
static inline void assert_fault(const hwpt_result *r, hwpt_fault_kind kind, uint32_t code, uint64_t addr)
{
    if (r->fault.kind != kind || r->fault.code != code || r->fault.addr != addr)
        fail_msg("fault kind %d code %#x addr %#" PRIx64 "; expected kind %d code %#x addr %#" PRIx64,
                 r->fault.kind, r->fault.code, r->fault.addr, kind, code, addr);
}

static inline void assert_ok(const hwpt_result *r, bool ok, uint64_t paddr)
{
    if (!ok)
        fail_msg("translation faulted: kind %d code %#x level %u", r->fault.kind, r->fault.code, r->fault.level);
    assert_int_equal(r->fault.kind, HWPT_OK);
    assert_int_equal(r->paddr, paddr);
}
