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
 * event (its heap array grows geometrically and then stays).  The heap is
 * 4-ary with the keys stored inline, so a sift touches one array, not the
 * events.
 *
 * Invariants (checked by simq_verify):
 *  - heap order: no entry's key is smaller than its parent's;
 *  - ev->pos == index + 1 for every entry, and 0 for an unscheduled event;
 *  - every entry's time is >= the time of the last event popped (no past).
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
    uint32_t pos;         /* heap index + 1; 0 while not scheduled */
    uint8_t prio;
};

#define SIMQ_PRIO_MAX 255u
#define SIMQ_SEQ_BITS 56

typedef struct simq_entry {
    sim_time_t when;
    uint64_t order;       /* prio << 56 | sequence */
    simq_event *ev;
} simq_entry;

typedef struct simq {
    simq_entry *heap;
    uint32_t len, cap;
    uint64_t seq;         /* next sequence number */
    sim_time_t floor;     /* time of the last popped event */
} simq;

void simq_init(simq *q);
/* Frees the heap; every event still in it becomes unscheduled. */
void simq_clear(simq *q);

static inline void simq_event_init(simq_event *ev, simq_fn fn)
{
    ev->fn = fn;
    ev->when = 0;
    ev->pos = 0;
    ev->prio = 0;
}
static inline bool simq_scheduled(const simq_event *ev) { return ev->pos != 0; }
static inline size_t simq_size(const simq *q) { return q->len; }
static inline bool simq_empty(const simq *q) { return q->len == 0; }
/* Time of the earliest event; SIM_TIME_MAX when empty. */
static inline sim_time_t simq_next_time(const simq *q)
{
    return q->len ? q->heap[0].when : SIM_TIME_MAX;
}

/* Schedule an unscheduled event at `when` (>= the last popped time). */
void simq_schedule(simq *q, simq_event *ev, sim_time_t when, unsigned prio);
/* Remove a scheduled event. */
void simq_deschedule(simq *q, simq_event *ev);
/* Move an event (scheduled or not) to a new time; it takes a new sequence
 * number, so it goes behind events already waiting at the same key. */
void simq_reschedule(simq *q, simq_event *ev, sim_time_t when, unsigned prio);
/* Earliest event, or NULL. */
static inline simq_event *simq_peek(const simq *q) { return q->len ? q->heap[0].ev : NULL; }
/* Remove and return the earliest event (NULL when empty); its time becomes
 * the queue's floor. */
simq_event *simq_pop(simq *q);
/* Walk the whole queue and check the invariants above; false (with a
 * g_warning naming the broken one) if any fails. */
bool simq_verify(const simq *q);
