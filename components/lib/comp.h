/* components/lib/comp.h: what a component a scenario adds
 * (sys:component{ name, image, memory, args }) finds at the start of its
 * data block (cos_comp_data), written there by the booter that made it:
 * where its memory is, its arguments, and the capabilities it was granted
 * (sys:grant), each by name.  The component's own state follows this
 * header in the same block (a struct whose first member is a cos_comp_hdr),
 * and, like the header, stands for the start of its memory. */
#pragma once

#include <string.h>
#include "components/lib/cos.h"

#define COS_NAME_LEN 24u     /* names of arguments and capabilities, with their NUL */
#define COS_ARGS_MAX 8u
#define COS_CAPS_MAX 16u

typedef struct cos_arg {
    char name[COS_NAME_LEN];
    int64_t value;
} cos_arg;

typedef enum { COS_GRANT_SINV = 1, COS_GRANT_ASND = 2 } cos_grant_kind;

typedef struct cos_named_cap {
    char name[COS_NAME_LEN];
    uint8_t kind;                /* cos_grant_kind */
    cos_capid cap;               /* in the component's own table */
} cos_named_cap;

typedef struct cos_comp_hdr {
    uint32_t id;                 /* its component id (the trace's) */
    uint64_t base, bytes;        /* its memory: where it starts (its address space), how much */
    unsigned nargs, ncaps;
    cos_arg args[COS_ARGS_MAX];
    cos_named_cap caps[COS_CAPS_MAX];
} cos_comp_hdr;

/* Argument `name`, or def when it was not given. */
static inline int64_t cos_arg_get(const cos_comp_hdr *h, const char *name, int64_t def)
{
    for (unsigned i = 0; i < h->nargs && i < COS_ARGS_MAX; i++)
        if (strncmp(h->args[i].name, name, COS_NAME_LEN) == 0)
            return h->args[i].value;
    return def;
}

/* The capability granted under `name` (0: none). */
static inline cos_capid cos_cap_get(const cos_comp_hdr *h, const char *name)
{
    for (unsigned i = 0; i < h->ncaps && i < COS_CAPS_MAX; i++)
        if (strncmp(h->caps[i].name, name, COS_NAME_LEN) == 0)
            return h->caps[i].cap;
    return 0;
}
