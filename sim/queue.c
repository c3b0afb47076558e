/* sim/queue.c: the 4-ary event heap (see queue.h for the ordering and the
 * invariants). */
#include "queue.h"

#include <glib.h>
#include <inttypes.h>

#define ARITY 4

static inline bool entry_less(const simq_entry *a, const simq_entry *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

static inline void place(simq *q, uint32_t i, simq_entry e)
{
    q->heap[i] = e;
    e.ev->pos = i + 1;
}

static void sift_up(simq *q, uint32_t i, simq_entry e)
{
    while (i > 0) {
        uint32_t parent = (i - 1) / ARITY;
        if (!entry_less(&e, &q->heap[parent]))
            break;
        place(q, i, q->heap[parent]);
        i = parent;
    }
    place(q, i, e);
}

static void sift_down(simq *q, uint32_t i, simq_entry e)
{
    uint32_t len = q->len;
    for (;;) {
        uint32_t first = i * ARITY + 1;
        if (first >= len)
            break;
        uint32_t best = first;
        uint32_t last = first + ARITY < len ? first + ARITY : len;
        for (uint32_t c = first + 1; c < last; c++)
            if (entry_less(&q->heap[c], &q->heap[best]))
                best = c;
        if (!entry_less(&q->heap[best], &e))
            break;
        place(q, i, q->heap[best]);
        i = best;
    }
    place(q, i, e);
}

void simq_init(simq *q)
{
    q->heap = NULL;
    q->len = q->cap = 0;
    q->seq = 0;
    q->floor = 0;
}

void simq_clear(simq *q)
{
    for (uint32_t i = 0; i < q->len; i++)
        q->heap[i].ev->pos = 0;
    g_free(q->heap);
    simq_init(q);
}

static inline uint64_t next_order(simq *q, unsigned prio)
{
    g_assert(prio <= SIMQ_PRIO_MAX);
    g_assert(q->seq < (UINT64_C(1) << SIMQ_SEQ_BITS));
    return ((uint64_t)prio << SIMQ_SEQ_BITS) | q->seq++;
}

void simq_schedule(simq *q, simq_event *ev, sim_time_t when, unsigned prio)
{
    g_assert(ev->fn != NULL);
    g_assert(!simq_scheduled(ev));       /* no double scheduling */
    g_assert(when >= q->floor);          /* no scheduling in the past */
    if (q->len == q->cap) {
        g_assert(q->cap < UINT32_MAX / 2);
        q->cap = q->cap ? q->cap * 2 : 256;
        q->heap = g_renew(simq_entry, q->heap, q->cap);
    }
    ev->when = when;
    ev->prio = (uint8_t)prio;
    simq_entry e = { when, next_order(q, prio), ev };
    sift_up(q, q->len++, e);
}

/* Take entry i out, filling the hole with the last entry. */
static void remove_at(simq *q, uint32_t i)
{
    simq_event *ev = q->heap[i].ev;
    simq_entry last = q->heap[--q->len];
    ev->pos = 0;
    if (i == q->len)
        return;
    if (i > 0 && entry_less(&last, &q->heap[(i - 1) / ARITY]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

void simq_deschedule(simq *q, simq_event *ev)
{
    g_assert(simq_scheduled(ev));
    g_assert(ev->pos <= q->len && q->heap[ev->pos - 1].ev == ev);
    remove_at(q, ev->pos - 1);
}

void simq_reschedule(simq *q, simq_event *ev, sim_time_t when, unsigned prio)
{
    g_assert(when >= q->floor);
    if (!simq_scheduled(ev)) {
        simq_schedule(q, ev, when, prio);
        return;
    }
    uint32_t i = ev->pos - 1;
    g_assert(i < q->len && q->heap[i].ev == ev);
    ev->when = when;
    ev->prio = (uint8_t)prio;
    simq_entry e = { when, next_order(q, prio), ev };
    /* The new key is never equal to the old one (new sequence), so exactly
     * one direction can be needed. */
    if (i > 0 && entry_less(&e, &q->heap[(i - 1) / ARITY]))
        sift_up(q, i, e);
    else
        sift_down(q, i, e);
}

simq_event *simq_pop(simq *q)
{
    if (q->len == 0)
        return NULL;
    simq_event *ev = q->heap[0].ev;
    q->floor = q->heap[0].when;
    remove_at(q, 0);
    return ev;
}

bool simq_verify(const simq *q)
{
    for (uint32_t i = 0; i < q->len; i++) {
        const simq_entry *e = &q->heap[i];
        if (e->ev == NULL || e->ev->pos != i + 1) {
            g_warning("simq_verify: entry %u does not point back at itself", i);
            return false;
        }
        if (e->ev->when != e->when || e->ev->prio != (e->order >> SIMQ_SEQ_BITS)) {
            g_warning("simq_verify: entry %u key differs from its event", i);
            return false;
        }
        if (e->when < q->floor) {
            g_warning("simq_verify: entry %u at %" PRIu64 "ps is before the floor %" PRIu64 "ps",
                      i, e->when, q->floor);
            return false;
        }
        if ((e->order & ((UINT64_C(1) << SIMQ_SEQ_BITS) - 1)) >= q->seq) {
            g_warning("simq_verify: entry %u has a sequence number not yet issued", i);
            return false;
        }
        if (i > 0 && entry_less(e, &q->heap[(i - 1) / ARITY])) {
            g_warning("simq_verify: entry %u is earlier than its parent", i);
            return false;
        }
    }
    return true;
}
