/* components/implementation/vmm/ucvm/layout.h: a VM's memory in MPU regions.
 *
 * µCVM (Pan et al., RTAS 2018, §III) lays each VM's memory out so that the
 * MPU's few regions cover it: every region a power of two, aligned to its
 * size.  This is that layout for one VM whose data (the guest kernel's
 * records, its tasks' stacks, its heap: bytes by kind) is one read-write
 * arena: the kinds one after another, each start 8-byte aligned (AAPCS
 * stacks), rounded up to whole regions of at least `min_log2` bytes, and
 * split into at most `regions` power-of-two blocks, largest first, so
 * that the blocks lie back to back and each is aligned to its size when
 * the first is.  X is what the regions cover, Y what the VM asked for;
 * (X - Y) / Y is the layout's overhead, the paper's measure.
 *
 * Pure C, no system calls and no state: the VMM calls it before it builds
 * a VM, the `vm` Lua table (compose/vm.c) for vm.layout{} and vm.fit{}, and
 * the unit tests against hand-worked layouts.  It knows nothing of the
 * guest (guest.h says what an RTOS guest asks for).
 *
 * Invariants of a layout: regions[i].log2 non-increasing in i; regions[0]
 * at offset 0 and each next one where the last ends (so each offset is a
 * multiple of its size); x = the sum of the regions' sizes >= the end of
 * the last kind; nregions <= the budget it was made with. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* What a VM's memory holds. */
typedef enum {
    VML_KERNEL,         /* the guest kernel's records and the paravirt layer's state */
    VML_STACKS,         /* its tasks' stacks (the idle task's too) */
    VML_HEAP,           /* its heap: the application's and its queues' storage */
    VML_KINDS
} vml_kind;

#define VML_ALIGN 8u            /* each kind starts 8-byte aligned (AAPCS stack alignment) */
#define VML_MAX_REGIONS 16u     /* the most an ARMv7-M MPU has (DDI 0403E B3.5) */

typedef struct vml_demand {
    uint64_t bytes[VML_KINDS];
} vml_demand;

/* The MPU's rules for one VM's data. */
typedef struct vml_rules {
    unsigned regions;           /* regions the VM's data may take (1..VML_MAX_REGIONS) */
    unsigned min_log2;          /* the smallest region: cossim's kernel programs whole pages (12) */
    unsigned max_log2;          /* the largest the kernel programs (20: 1 MiB, docs/kernel-abi.md MPU_REGION) */
} vml_rules;

typedef struct vml_region {
    uint64_t offset;            /* from the VM's first byte */
    unsigned log2;              /* 2^log2 bytes */
} vml_region;

typedef struct vml_layout {
    unsigned nregions;
    vml_region region[VML_MAX_REGIONS];
    uint64_t kind_offset[VML_KINDS];    /* where each kind starts */
    uint64_t x;                 /* bytes the regions cover */
    uint64_t y;                 /* bytes asked for: the demand's sum */
} vml_layout;

/* The MPU rules for a VM's data on an MPU of `mpu_regions` regions, of
 * which `reserved` serve other things (vmm.h: VMM_RESERVED_REGIONS). */
vml_rules vml_rules_for(unsigned mpu_regions, unsigned reserved);
/* Lay out demand d under rules r; false if it cannot be done (no demand,
 * bad rules, or more than `regions` regions of the largest size). */
bool vml_lay_out(const vml_demand *d, const vml_rules *r, vml_layout *out);
/* The overhead (x - y) / y of a layout or of several together. */
double vml_overhead(uint64_t x, uint64_t y);
/* The pages (2^min_log2 bytes each) a layout covers. */
static inline uint64_t vml_pages(const vml_layout *l, const vml_rules *r)
{
    return l->x >> r->min_log2;
}
