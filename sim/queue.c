/* sim/queue.c: the radix-heap event queue (see queue.h for the ordering,
 * the structure and the invariants). */
#include "queue.h"

#include <glib.h>
#include <inttypes.h>
#include <string.h>

/* Bucket 0 holds the events at exactly base.  Otherwise the highest
 * hexadecimal digit in which `when` differs from base is the level d, and
 * the value v of that digit of `when` (larger than base's) picks one of the
 * level's 16 buckets: 1 + 16 d + v.  Buckets in index order cover ascending,
 * disjoint time ranges above base. */
static inline unsigned bucket_of(sim_time_t when, sim_time_t base)
{
    uint64_t x = when ^ base;
    if (x == 0)
        return 0;
    unsigned d = (63u - (unsigned)__builtin_clzll(x)) >> 2;
    return 1 + 16 * d + (unsigned)((when >> (4 * d)) & 15);
}

static inline void mark(simq *q, unsigned k)
{
    unsigned d = (k - 1) >> 4, v = (k - 1) & 15;
    q->digit_mask[d] |= (uint16_t)(1u << v);
    q->level_mask |= (uint16_t)(1u << d);
}

static inline void unmark(simq *q, unsigned k)
{
    unsigned d = (k - 1) >> 4, v = (k - 1) & 15;
    q->digit_mask[d] &= (uint16_t)~(1u << v);
    if (q->digit_mask[d] == 0)
        q->level_mask &= (uint16_t)~(1u << d);
}

static void grow(simq_bucket *b)
{
    g_assert(b->cap < UINT32_MAX / 2);
    b->cap = b->cap ? b->cap * 2 : 64;
    b->v = g_renew(simq_entry, b->v, b->cap);
}

/* ---- bucket 0: a binary heap on order ---- */

static inline void b0_place(simq_bucket *b, uint32_t i, simq_entry e)
{
    b->v[i] = e;
    e.ev->pos = i + 1;
}

static void b0_up(simq_bucket *b, uint32_t i, simq_entry e)
{
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (b->v[parent].ev->order <= e.ev->order)
            break;
        b0_place(b, i, b->v[parent]);
        i = parent;
    }
    b0_place(b, i, e);
}

static void b0_down(simq_bucket *b, uint32_t i, simq_entry e)
{
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= b->len)
            break;
        if (c + 1 < b->len && b->v[c + 1].ev->order < b->v[c].ev->order)
            c++;
        if (e.ev->order <= b->v[c].ev->order)
            break;
        b0_place(b, i, b->v[c]);
        i = c;
    }
    b0_place(b, i, e);
}

static void b0_push(simq_bucket *b, simq_entry e)
{
    if (b->len == b->cap)
        grow(b);
    b0_up(b, b->len++, e);
}

static void b0_remove(simq_bucket *b, uint32_t i)
{
    simq_entry last = b->v[--b->len];
    if (i == b->len)
        return;
    if (i > 0 && last.ev->order < b->v[(i - 1) / 2].ev->order)
        b0_up(b, i, last);
    else
        b0_down(b, i, last);
}

/* ---- buckets 1..64: unordered arrays ---- */

static inline void put(simq *q, simq_entry e)
{
    unsigned k = bucket_of(e.when, q->base);
    simq_bucket *b = &q->b[k];
    if (k == 0) {
        b0_push(b, e);
        return;
    }
    if (b->len == b->cap)
        grow(b);
    b->v[b->len] = e;
    e.ev->pos = ++b->len;
    mark(q, k);
}

static inline void take(simq *q, unsigned k, uint32_t i)
{
    simq_bucket *b = &q->b[k];
    if (k == 0) {
        b0_remove(b, i);
        return;
    }
    simq_entry last = b->v[--b->len];
    if (i != b->len) {
        b->v[i] = last;
        last.ev->pos = i + 1;
    }
    if (b->len == 0)
        unmark(q, k);
}

/* Make bucket 0 hold the earliest events, if there are any. */
static void refill(simq *q)
{
    if (q->b[0].len != 0 || q->level_mask == 0)
        return;
    unsigned d = (unsigned)__builtin_ctz(q->level_mask);
    unsigned k = 1 + 16 * d + (unsigned)__builtin_ctz(q->digit_mask[d]);
    simq_bucket *b = &q->b[k];
    simq_entry *v = b->v;
    uint32_t n = b->len;
    sim_time_t min = v[0].when;
    for (uint32_t i = 1; i < n; i++)
        min = v[i].when < min ? v[i].when : min;
    q->base = min;
    b->len = 0;
    unmark(q, k);
    /* Every event of bucket k agrees with the new base on digit d and
     * above, so it falls to a lower level (or bucket 0): the loop never
     * appends to b itself, and the other buckets keep their places.  The
     * masks of the levels below d were all clear. */
    uint16_t masks[16] = { 0 };
    for (uint32_t i = 0; i < n; i++) {
        simq_entry e = v[i];
        uint64_t x = e.when ^ min;
        if (x == 0) {
            b0_push(&q->b[0], e);
            continue;
        }
        unsigned dd = (63u - (unsigned)__builtin_clzll(x)) >> 2;
        unsigned digit = (unsigned)(e.when >> (4 * dd)) & 15;
        unsigned kk = 1 + 16 * dd + digit;
        simq_bucket *t = &q->b[kk];
        if (G_UNLIKELY(t->len == t->cap))
            grow(t);
        t->v[t->len] = e;
        e.ev->pos = ++t->len;
        masks[dd] |= (uint16_t)(1u << digit);
    }
    for (unsigned l = 0; l < d; l++) {
        q->digit_mask[l] = masks[l];
        if (masks[l])
            q->level_mask |= (uint16_t)(1u << l);
    }
}

/* Re-bucket everything against a new, earlier base. */
static void rebase(simq *q, sim_time_t base)
{
    g_assert(base <= q->base);
    uint32_t total = q->len;
    simq_entry *all = g_new(simq_entry, total ? total : 1);
    uint32_t n = 0;
    for (unsigned k = 0; k < SIMQ_BUCKETS; k++) {
        if (q->b[k].len)
            memcpy(all + n, q->b[k].v, q->b[k].len * sizeof(simq_entry));
        n += q->b[k].len;
        q->b[k].len = 0;
    }
    g_assert(n == total);
    memset(q->digit_mask, 0, sizeof q->digit_mask);
    q->level_mask = 0;
    q->base = base;
    for (uint32_t i = 0; i < n; i++)
        put(q, all[i]);
    g_free(all);
}

void simq_init(simq *q)
{
    memset(q, 0, sizeof *q);
}

void simq_clear(simq *q)
{
    for (unsigned k = 0; k < SIMQ_BUCKETS; k++) {
        for (uint32_t i = 0; i < q->b[k].len; i++)
            q->b[k].v[i].ev->pos = 0;
        g_free(q->b[k].v);
    }
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
    if (G_UNLIKELY(when < q->base))
        rebase(q, when);
    ev->when = when;
    ev->order = next_order(q, prio);
    simq_entry e = { when, ev };
    put(q, e);
    q->len++;
}

/* An event's bucket follows from its time and base; it is not stored. */
void simq_deschedule(simq *q, simq_event *ev)
{
    g_assert(simq_scheduled(ev));
    unsigned k = bucket_of(ev->when, q->base);
    g_assert(ev->pos <= q->b[k].len && q->b[k].v[ev->pos - 1].ev == ev);
    take(q, k, ev->pos - 1);
    ev->pos = 0;
    q->len--;
}

void simq_reschedule(simq *q, simq_event *ev, sim_time_t when, unsigned prio)
{
    g_assert(when >= q->floor);
    if (simq_scheduled(ev))
        simq_deschedule(q, ev);
    simq_schedule(q, ev, when, prio);
}

simq_event *simq_peek(simq *q)
{
    refill(q);
    return q->b[0].len ? q->b[0].v[0].ev : NULL;
}

const simq_event *simq_first(const simq *q)
{
    if (q->b[0].len)
        return q->b[0].v[0].ev;
    if (q->level_mask == 0)
        return NULL;
    unsigned d = (unsigned)__builtin_ctz(q->level_mask);
    const simq_bucket *b = &q->b[1 + 16 * d + (unsigned)__builtin_ctz(q->digit_mask[d])];
    const simq_event *best = b->v[0].ev;
    for (uint32_t i = 1; i < b->len; i++) {
        const simq_event *e = b->v[i].ev;
        if (e->when < best->when || (e->when == best->when && e->order < best->order))
            best = e;
    }
    return best;
}

sim_time_t simq_next_time(simq *q)
{
    refill(q);
    return q->b[0].len ? q->b[0].v[0].when : SIM_TIME_MAX;
}

simq_event *simq_pop(simq *q)
{
    return simq_pop_until(q, SIM_TIME_MAX);
}

simq_event *simq_pop_until(simq *q, sim_time_t until)
{
    refill(q);
    simq_bucket *b = &q->b[0];
    if (b->len == 0 || b->v[0].when > until)
        return NULL;
    simq_event *ev = b->v[0].ev;
    q->floor = b->v[0].when;
    b0_remove(b, 0);
    ev->pos = 0;
    q->len--;
    return ev;
}

void simq_raise_floor(simq *q, sim_time_t t)
{
    g_assert(t >= q->floor);
    g_assert(q->len == 0 || t <= simq_next_time(q));
    q->floor = t;
}

bool simq_verify(const simq *q)
{
    uint32_t total = 0;
    for (unsigned k = 0; k < SIMQ_BUCKETS; k++) {
        const simq_bucket *b = &q->b[k];
        total += b->len;
        if (k > 0 && ((q->digit_mask[(k - 1) >> 4] >> ((k - 1) & 15)) & 1) != (b->len != 0)) {
            g_warning("simq_verify: the mask disagrees with bucket %u", k);
            return false;
        }
        for (uint32_t i = 0; i < b->len; i++) {
            const simq_entry *e = &b->v[i];
            if (e->ev == NULL || e->ev->pos != i + 1) {
                g_warning("simq_verify: entry %u of bucket %u does not point back at itself", i, k);
                return false;
            }
            if (e->ev->when != e->when) {
                g_warning("simq_verify: entry %u of bucket %u: key differs from its event", i, k);
                return false;
            }
            if (e->when < q->floor) {
                g_warning("simq_verify: entry %u of bucket %u at %" PRIu64 "ps is before the floor %" PRIu64 "ps",
                          i, k, e->when, q->floor);
                return false;
            }
            if (e->when < q->base || bucket_of(e->when, q->base) != k) {
                g_warning("simq_verify: entry %u at %" PRIu64 "ps is in bucket %u, not %u (base %" PRIu64 "ps)",
                          i, e->when, k, e->when < q->base ? 999u : bucket_of(e->when, q->base), q->base);
                return false;
            }
            if ((e->ev->order & ((UINT64_C(1) << SIMQ_SEQ_BITS) - 1)) >= q->seq) {
                g_warning("simq_verify: entry %u of bucket %u has a sequence number not yet issued", i, k);
                return false;
            }
            if (k == 0 && i > 0 && e->ev->order < b->v[(i - 1) / 2].ev->order) {
                g_warning("simq_verify: bucket 0 entry %u comes before its parent", i);
                return false;
            }
        }
    }
    for (unsigned d = 0; d < 16; d++)
        if (((q->level_mask >> d) & 1) != (q->digit_mask[d] != 0)) {
            g_warning("simq_verify: the level mask disagrees with level %u", d);
            return false;
        }
    if (total != q->len) {
        g_warning("simq_verify: %u entries in buckets, %u counted", total, q->len);
        return false;
    }
    return true;
}
