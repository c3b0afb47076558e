/* components/booter.h: the booter's library: build a system with system
 * calls, from the boot component's capabilities (kernel/abi.h, COS_BOOT_*).
 *
 * The booter runs as the init thread of core 0 in the boot component.  It
 * takes kernel and user pages from its untyped memory in order, and slots
 * of its own table in order from COS_BOOT_FREE, and gives every component
 * it makes a capability table (slots 1..511), a page table (MMU machines:
 * a pool of 8 pages) or an MPU layout, and user memory: on MMU machines
 * pages mapped from BT_USER_BASE up, on MPU machines one 4 KiB region per
 * page (at most BT_MPU_PAGES).
 *
 * Every function returns the kernel's error code unchanged (COS_OK when
 * everything went), so a booter can report exactly what it was refused.
 */
#pragma once

#include "components/cos.h"

#define BT_USER_BASE UINT64_C(0x400000)
#define BT_MPU_PAGES 4u
#define BT_POOL_PAGES 8u

typedef struct bt {
    cos_capid kmem;         /* the untyped memory it allocates from */
    uint64_t next;          /* the next page of it not yet used (relative) */
    cos_capid slot;         /* the next free slot of the boot table */
    bool mpu;               /* an MPU machine (learned at bt_init) */
} bt;

typedef struct bt_comp {
    cos_capid comp, captbl, pgtbl;  /* in the boot table */
    cos_capid next_slot;            /* the next free slot of its own table */
    uint64_t user_first;            /* its user pages (relative to kmem) */
    unsigned user_pages;
    uint64_t base;                  /* the address its memory starts at (MMU: BT_USER_BASE; MPU: physical) */
} bt_comp;

cos_err bt_init(bt *b);
/* The next page, retyped to kernel or user memory. */
cos_err bt_page(bt *b, bool kernel, uint64_t *page);
/* A component running `image`, with user_pages pages of memory. */
cos_err bt_comp_new(bt *b, unsigned image, unsigned user_pages, bt_comp *out);
/* A thread in comp running entry(arg); its capability in the boot table
 * (and, with bt_thd_id, its id). */
cos_err bt_thd(bt *b, const bt_comp *comp, unsigned entry, cos_word arg, cos_capid *thd);
cos_err bt_thd_id(bt *b, const bt_comp *comp, unsigned entry, cos_word arg, cos_capid *thd, cos_thdid *id);
/* An invocation of server's entry, given to client at its next slot. */
cos_err bt_sinv(bt *b, bt_comp *client, const bt_comp *server, unsigned entry, cos_capid *client_slot);
cos_err bt_rcv(bt *b, cos_capid thd, cos_capid tcap, cos_capid parent, cos_capid *rcv);
cos_err bt_asnd(bt *b, cos_capid rcv, cos_capid *asnd);
cos_err bt_tcap(bt *b, cos_capid *tcap);
/* Copy a capability of the boot table to comp's next slot. */
cos_err bt_give(bt *b, bt_comp *comp, cos_capid cap, cos_capid *slot);
