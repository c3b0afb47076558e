/* components/lib/heap.h: an indexed binary heap of ids (thread or task
 * numbers), for the components' queues: a scheduler's ready and release
 * queues (app/workload/queue.c), a lock's waiters (lock/prio).
 *
 * The heap keeps only the ids; its user says which of two comes first
 * (`before`, a total order, so the heap's shape never matters) and keeps
 * each id's place (`place`: where it now is, k + 1, or 0 when it left;
 * `where`: the place it has).  Both callbacks are where a user counts what
 * its code costs: each `before` is a comparison of two keys, each `place`
 * an entry written.  An update returns the levels it walked. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct cos_heap {
    uint32_t *e;                      /* the entries, room for the user's count */
    unsigned n;
    bool (*before)(void *ctx, uint32_t a, uint32_t b);
    void (*place)(void *ctx, uint32_t id, unsigned where);   /* k + 1, or 0: out */
    unsigned (*where)(void *ctx, uint32_t id);
    void *ctx;
} cos_heap;

static inline void cos_heap_put_(cos_heap *h, unsigned k, uint32_t id)
{
    h->e[k] = id;
    h->place(h->ctx, id, k + 1);
}

/* Entry k to its place, up then down; returns the levels walked. */
static inline unsigned cos_heap_sift_(cos_heap *h, unsigned k)
{
    uint32_t id = h->e[k];
    unsigned levels = 0;
    while (k > 0) {
        unsigned up = (k - 1) / 2;
        levels++;
        if (!h->before(h->ctx, id, h->e[up]))
            break;
        cos_heap_put_(h, k, h->e[up]);
        k = up;
    }
    for (;;) {
        unsigned l = 2 * k + 1, best = k;
        uint32_t bi = id;
        if (l >= h->n)
            break;
        levels++;
        if (h->before(h->ctx, h->e[l], bi))
            best = l, bi = h->e[l];
        if (l + 1 < h->n && h->before(h->ctx, h->e[l + 1], bi))
            best = l + 1, bi = h->e[l + 1];
        if (best == k)
            break;
        cos_heap_put_(h, k, bi);
        k = best;
    }
    cos_heap_put_(h, k, id);
    return levels;
}

/* id in the heap (`in`: inserted, or moved to where its key now puts it)
 * or out of it; `room` is the entries' room.  Returns the levels walked,
 * or -1 when an insertion finds no room. */
static inline int cos_heap_update(cos_heap *h, uint32_t id, bool in, unsigned room)
{
    unsigned at = h->where(h->ctx, id);
    if (at == 0) {
        if (!in)
            return 0;
        if (h->n >= room)
            return -1;
        h->e[h->n] = id;
        return (int)cos_heap_sift_(h, h->n++);
    }
    unsigned k = at - 1;
    if (in)
        return (int)cos_heap_sift_(h, k);
    h->place(h->ctx, id, 0);      /* out: the last one takes its place */
    uint32_t last = h->e[--h->n];
    if (k == h->n)
        return 0;
    h->e[k] = last;
    return (int)cos_heap_sift_(h, k);
}
