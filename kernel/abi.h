/* kernel/abi.h: the kernel's ABI, as user level sees it.
 *
 * The one kernel header that components/ may include.  It grows with the
 * kernel (issue 4); today it holds the error codes and capability types the
 * first kernel modules (kernel memory, capability tables) return and use.
 * docs/kernel-design.md is the plan this follows.
 */
#pragma once

#include <stdint.h>

/* Every system call returns one of these; no input from user level makes
 * the kernel do anything else. */
typedef enum cos_err {
    COS_OK = 0,
    COS_ERANGE,       /* an address, index or id outside what exists */
    COS_EALIGN,       /* an address not aligned as the object needs */
    COS_ETYPE,        /* a capability or page of the wrong type */
    COS_EBUSY,        /* still referenced */
    COS_EQUIESCE,     /* freed too recently to be reused (quiescence) */
    COS_EEXIST,       /* the slot or node is already in use */
    COS_ENOENT,       /* nothing there */
} cos_err;

const char *cos_err_name(cos_err e);

/* Capability types. */
typedef enum cos_cap_type {
    COS_CAP_FREE = 0,
    COS_CAP_CAPTBL,
    COS_CAP_PGTBL,
    COS_CAP_COMP,
    COS_CAP_THREAD,
    COS_CAP_SINV,
    COS_CAP_SRET,
    COS_CAP_ASND,
    COS_CAP_RCV,
    COS_CAP_TCAP,
    COS_CAP_HW,
    COS_CAP_KMEM,
    COS_CAP_TYPES
} cos_cap_type;

/* A capability id: an index into the calling component's table. */
typedef uint32_t cos_capid;

#define COS_PAGE_SIZE 4096u
