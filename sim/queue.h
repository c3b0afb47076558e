/* sim/queue.h: the event queue.
 *
 * Events are ordered by the key (time, priority, sequence): earlier time
 * first; at equal time, smaller priority first; at equal time and priority,
 * first scheduled first (sequence is a per-queue counter, so the order never
 * depends on host addresses).  That key is total, so two runs that schedule
 * the same events in the same order dispatch them in the same order.
 *
 * Events are intrusive: the owner embeds a simq_event in its own structure
 * and schedules it as often as it likes; the queue allocates nothing per
 * event (its bucket arrays grow geometrically and then stay).
 *
 * (Until 2026-11 this was a 4-ary heap; BENCHMARKS.md has the comparison.)
 *
 * Structure: a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, "Faster
 * algorithms for the shortest path problem", JACM 1990) with hexadecimal
 * digits, which suits a simulator because time only moves forward.  Every
 * queued time is >= `base`.  Bucket 0 holds the events at exactly base, as a
 * binary heap on (priority, sequence).  Any other event sits in bucket
 * 1 + 16 d + v, where d is the highest hexadecimal digit in which its time
 * differs from base and v is that digit of its time; in index order the
 * buckets cover ascending, disjoint ranges of time.  When bucket 0 runs dry,
 * the lowest non-empty bucket is emptied: base becomes its earliest time and
 * its events fall to lower levels.  An event moves at most 16 times in its
 * life (about log16 of how far ahead it was scheduled), so schedule and pop
 * cost O(1) amortised instead of a heap's O(log n) comparisons; cancelling
 * is O(1).  Scheduling before base (possible once a peek has raised base,
 * e.g. after a run stopped at its target) re-buckets everything against the
 * new time: O(n), and rare.
 *
 * A bucket entry is the event's time and a pointer: 16 bytes to move.  The
 * (priority, sequence) key lives in the event, since only bucket 0 compares
 * it, and an event's bucket is not stored: it follows from its time and
 * base.
 * Invariants (checked by simq_verify):
 *  - every queued time is >= base and >= floor (the time of the last pop,
 *    or the target a run stopped at); base may lag behind the floor when
 *    the queue emptied;
 *  - each event sits in the bucket its time and base give, at the index its
 *    pos names (pos = index + 1; 0 while not scheduled);
 *  - bucket 0 is heap-ordered on (priority, sequence); the non-empty
 *    masks match the buckets.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "simtime.h"

typedef struct simq_event simq_event;
/* Called by the run loop when the event comes due; `owner` is whatever the
 * loop passes (the simulation).  The event is no longer scheduled then and
 * may be scheduled again from inside the call. */
typedef void (*simq_fn)(void *owner, simq_event *ev);

struct simq_event {
    simq_fn fn;
    sim_time_t when;      /* valid while scheduled */
    uint64_t order;       /* prio << 56 | sequence, valid while scheduled */
    uint32_t pos;         /* index in its bucket + 1; 0 while not scheduled */
};

#define SIMQ_PRIO_MAX 255u
#define SIMQ_SEQ_BITS 56
#define SIMQ_BUCKETS (1 + 16 * 16)

typedef struct simq_entry {
    sim_time_t when;      /* a copy of ev->when, so that scans stay in the array */
    simq_event *ev;
} simq_entry;

typedef struct simq_bucket {
    simq_entry *v;
    uint32_t len, cap;
} simq_bucket;

typedef struct simq {
    simq_bucket b[SIMQ_BUCKETS];
    uint16_t digit_mask[16];  /* level d: bit v set when bucket 1 + 16 d + v is not empty */
    uint16_t level_mask;      /* bit d set when level d has a non-empty bucket */
    sim_time_t base;
    uint32_t len;
    uint64_t seq;         /* next sequence number */
    sim_time_t floor;     /* time of the last popped event */
} simq;

void simq_init(simq *q);
/* Frees the buckets; every event still queued becomes unscheduled. */
void simq_clear(simq *q);

static inline void simq_event_init(simq_event *ev, simq_fn fn)
{
    ev->fn = fn;
    ev->when = 0;
    ev->pos = 0;
    ev->order = 0;
}
static inline bool simq_scheduled(const simq_event *ev) { return ev->pos != 0; }
static inline size_t simq_size(const simq *q) { return q->len; }
static inline bool simq_empty(const simq *q) { return q->len == 0; }

/* Schedule an unscheduled event at `when` (>= the last popped time). */
void simq_schedule(simq *q, simq_event *ev, sim_time_t when, unsigned prio);
/* Remove a scheduled event. */
void simq_deschedule(simq *q, simq_event *ev);
/* Move an event (scheduled or not) to a new time; it takes a new sequence
 * number, so it goes behind events already waiting at the same key. */
void simq_reschedule(simq *q, simq_event *ev, sim_time_t when, unsigned prio);
/* Earliest event, or NULL.  Not const: it may re-bucket (never reorders). */
simq_event *simq_peek(simq *q);
/* The same without changing anything (O(events in the lowest bucket) when
 * bucket 0 is empty): for a caller that may schedule before the earliest
 * event afterwards, which simq_peek's raised base would make a rebase. */
const simq_event *simq_first(const simq *q);
/* Time of the earliest event; SIM_TIME_MAX when empty. */
sim_time_t simq_next_time(simq *q);
/* Remove and return the earliest event (NULL when empty); its time becomes
 * the queue's floor. */
simq_event *simq_pop(simq *q);
/* The same, but only if it is due at or before `until`; else NULL and the
 * queue is unchanged (the run loop's one call per event). */
simq_event *simq_pop_until(simq *q, sim_time_t until);
/* Raise the floor to t (<= every queued time): nothing may be scheduled
 * before t from now on.  The run loop calls it when it stops at a target. */
void simq_raise_floor(simq *q, sim_time_t t);
/* Walk the whole queue and check the invariants above; false (with a
 * g_warning naming the broken one) if any fails. */
bool simq_verify(const simq *q);
