/* components/lib/cost.h: what a short piece of component code over
 * records costs, counted as it runs and charged as one request
 * (cos_touch_words_rw): the levels of a heap it walked (instructions: a
 * fixed part and a part per level), the words it read and those it wrote,
 * in its component's memory.  The components' queues count with it
 * (app/workload/queue.c, lock/prio, tmrmgr/simple). */
#pragma once

#include <string.h>
#include "components/lib/cos.h"

#define COS_COST_MAX 192u     /* reads, and writes, counted (past these an operation is undercharged) */

typedef struct cos_cost {
    unsigned levels, nr, nw;
    uint64_t a[2 * COS_COST_MAX];     /* the reads from a[0], the writes from a[COS_COST_MAX] */
} cos_cost;

static inline void cos_cost_read(cos_cost *c, uint64_t va)
{
    if (c->nr < COS_COST_MAX)
        c->a[c->nr++] = va;
}

static inline void cos_cost_write(cos_cost *c, uint64_t va)
{
    if (c->nw < COS_COST_MAX)
        c->a[COS_COST_MAX + c->nw++] = va;
}

/* Charge it: `base` instructions and `per_level` a level, the reads, then
 * the writes; the count starts again. */
static inline cos_err cos_cost_charge(cos_cost *c, uint64_t base, uint64_t per_level)
{
    memmove(c->a + c->nr, c->a + COS_COST_MAX, c->nw * sizeof c->a[0]);
    cos_err e = cos_touch_words_rw(c->a, c->nr + c->nw, c->nr, base + per_level * c->levels);
    c->levels = c->nr = c->nw = 0;
    return e;
}
