/* components/lib/booter.h: the booter's library: build a system with system
 * calls, from the boot component's capabilities (kernel/abi.h, COS_BOOT_*).
 *
 * The booter runs as the init thread of core 0 in the boot component.  It
 * takes kernel and user pages from its untyped memory in order, and slots
 * of its own table in order from COS_BOOT_FREE, and gives every component
 * it makes a capability table (slots 1..255, grown by a node of 256 slots
 * when it needs more), a page table (MMU machines: a pool of BT_POOL_PAGES
 * pages for memory of up to 2 MiB, and one more per MiB past that:
 * bt_pool_pages) or an MPU layout, and user memory: on MMU machines pages mapped
 * at addresses of its own from BT_USER_BASE up, on MPU machines one 4 KiB
 * region per page up to BT_MPU_PAGES, and past that a region per aligned
 * power-of-two block (bt_mpu_regions).
 *
 * Every function returns the kernel's error code unchanged (COS_OK when
 * everything went), so a booter can report exactly what it was refused.
 */
#pragma once

#include "components/lib/cos.h"

#define BT_USER_BASE UINT64_C(0x400000)
#define BT_MPU_PAGES 4u
#define BT_MPU_BLOCK_MAX 256u   /* pages: 1 MiB, the largest region the kernel programs (docs/kernel-abi.md) */
#define BT_POOL_PAGES 12u   /* ARM: the header, up to 3 pages skipped to align the 16 KiB root, the root, and second-level tables */

/* The page-table pool for `user_pages` of memory (MMU machines): its
 * tables are one per MiB at most (x86-64: a 4 KiB table maps 2 MiB, and a
 * directory 1 GiB; ARM: a 1 KiB second-level table maps 1 MiB), with room
 * for the ranges crossing their boundaries and for what a component maps
 * beside its memory (a heap window). */
static inline unsigned bt_pool_pages(unsigned user_pages)
{
    if (user_pages <= 512)
        return BT_POOL_PAGES;
    return BT_POOL_PAGES + (user_pages - 512 + 255) / 256 + user_pages / 262144 + 1;
}

typedef struct bt {
    cos_capid kmem;         /* the untyped memory it allocates from */
    uint64_t next;          /* the next page of it not yet used (relative) */
    cos_capid slot;         /* the next free slot of the boot table */
    bool mpu;               /* an MPU machine (learned at bt_init) */
    uint64_t phys;          /* MPU machines: the physical address of kmem's first page */
    uint64_t npages;        /* MPU machines: kmem's pages (0: not asked) */
    uint64_t vnext;         /* MMU machines: where the next component's memory goes */
} bt;

typedef struct bt_comp {
    cos_capid comp, captbl, pgtbl;  /* in the boot table */
    uint32_t id;                    /* the kernel's id of it (the trace's component numbers) */
    cos_capid next_slot;            /* the next free slot of its own table */
    uint64_t user_first;            /* its user pages (relative to kmem) */
    unsigned user_pages;
    uint64_t base;                  /* the address its memory starts at (MMU: its own range; MPU: physical) */
} bt_comp;

/* MMU machines: where bt_comp_new maps each component's code page and
 * stack page (the same in every address space; below BT_USER_BASE, so no
 * component's memory or the unmapped pages around it come near them). */
#define BT_TEXT_VA UINT64_C(0x100000)
#define BT_STACK_VA UINT64_C(0x102000)

cos_err bt_init(bt *b);
/* The MPU regions a component of `pages` pages takes. */
unsigned bt_mpu_regions(unsigned pages);
/* The next page, retyped to kernel or user memory. */
cos_err bt_page(bt *b, bool kernel, uint64_t *page);
/* A component running `image`, with user_pages pages of memory. */
cos_err bt_comp_new(bt *b, unsigned image, unsigned user_pages, bt_comp *out);
/* MPU machines: the same, its memory in power-of-two blocks however few
 * its pages (a region each, largest first, aligned to its size: what
 * mpu_blocks gives more than BT_MPU_PAGES pages); COS_EINVAL elsewhere.
 * What the VMM lays its VMs out with (implementation/vmm/ucvm/layout.h). */
cos_err bt_comp_blocks(bt *b, unsigned image, unsigned user_pages, bt_comp *out);
/* A component running `image` with a capability table of its own in
 * `domain`'s protection domain (its page table or MPU layout, so its
 * memory too): an invocation between the two switches no address space. */
cos_err bt_comp_share(bt *b, unsigned image, const bt_comp *domain, bt_comp *out);
/* A thread in comp running entry(arg); its capability in the boot table
 * (and, with bt_thd_id, its id). */
cos_err bt_thd(bt *b, const bt_comp *comp, unsigned entry, cos_word arg, cos_capid *thd);
cos_err bt_thd_id(bt *b, const bt_comp *comp, unsigned entry, cos_word arg, cos_capid *thd, cos_thdid *id);
/* An invocation of server's entry, given to client at its next slot. */
cos_err bt_sinv(bt *b, bt_comp *client, const bt_comp *server, unsigned entry, cos_capid *client_slot);
/* An invocation of server's entry for the booter itself (in its own table). */
cos_err bt_sinv_own(bt *b, const bt_comp *server, unsigned entry, cos_capid *slot);
/* The boot component, as a server other components may invoke. */
#define BT_SELF ((bt_comp){ .comp = COS_BOOT_COMP, .captbl = COS_BOOT_CAPTBL, .pgtbl = COS_BOOT_PGTBL })
cos_err bt_rcv(bt *b, cos_capid thd, cos_capid tcap, cos_capid parent, cos_capid *rcv);
cos_err bt_asnd(bt *b, cos_capid rcv, cos_capid *asnd);
cos_err bt_tcap(bt *b, cos_capid *tcap);
/* Copy a capability of the boot table to comp's next slot. */
cos_err bt_give(bt *b, bt_comp *comp, cos_capid cap, cos_capid *slot);

/* ---- building from a description -------------------------------------------
 * A system as data: components, threads (each with its endpoint under the
 * booter's root scheduler, and a tcap with budget from the root's at a
 * priority), invocations between components, and sends to threads'
 * endpoints.  bt_build makes all of it in order and gives each component,
 * in its own table from slot 1, in this order: for each of its threads,
 * the thread's endpoint; then each invocation it makes; then each send it
 * may do.  The caller learns every slot from the result. */
#define BT_MAX 32u

typedef struct bt_desc_comp {
    unsigned image, user_pages;
} bt_desc_comp;
typedef struct bt_desc_thd {
    unsigned comp, entry;
    cos_word arg;
    uint32_t prio;              /* for the root scheduler, in the thread's tcap (0: no tcap of its own) */
    uint64_t budget;            /* cycles moved into its tcap (0: all of the root's, infinite) */
} bt_desc_thd;
typedef struct bt_desc_sinv {
    unsigned client, server, entry;
} bt_desc_sinv;
typedef struct bt_desc_asnd {
    unsigned from_comp, to_thd;
} bt_desc_asnd;

typedef struct bt_desc {
    const bt_desc_comp *comps;
    unsigned ncomps;
    const bt_desc_thd *thds;
    unsigned nthds;
    const bt_desc_sinv *sinvs;
    unsigned nsinvs;
    const bt_desc_asnd *asnds;
    unsigned nasnds;
} bt_desc;

typedef struct bt_system {
    bt b;
    bt_comp comp[BT_MAX];
    cos_capid thd[BT_MAX], tcap[BT_MAX], rcv[BT_MAX];    /* in the boot table */
    cos_thdid thd_id[BT_MAX];
    cos_capid thd_rcv_slot[BT_MAX];                      /* the endpoint in its component's table */
    cos_capid sinv_slot[BT_MAX], asnd_slot[BT_MAX];      /* in the client's / sender's table */
} bt_system;

/* Build d with the root scheduler of core 0 as every thread's scheduler.
 * COS_ERANGE for a description with more than BT_MAX of anything or an
 * index out of range; otherwise the first kernel error. */
cos_err bt_build(const bt_desc *d, bt_system *out);
