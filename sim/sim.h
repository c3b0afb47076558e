/* sim/sim.h: one simulation: virtual clock, event queue, run loop, seeded
 * random streams and the engine's trace tables.
 *
 * Everything a simulation owns hangs off `sim`; there is no process-wide
 * state, so two simulations can run side by side in one process (tests do).
 *
 * The run loop dispatches events in queue order.  It stops when the next
 * event lies beyond the target time (the clock then stands at the target),
 * when the event budget is spent, when the queue is empty, or when a handler
 * calls sim_stop().  Time never goes backwards: now only moves forward to
 * the time of the event being dispatched or to the target.  The loop also
 * stops, for good, when the run's host budget is spent (budget.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "simtime.h"
#include "queue.h"
#include "rng.h"
#include "trace.h"
#include "budget.h"

typedef enum {
    SIM_STOP_TIME,      /* reached the target time */
    SIM_STOP_BUDGET,    /* dispatched the allowed number of events */
    SIM_STOP_EMPTY,     /* nothing left to do and no target time */
    SIM_STOP_REQUEST,   /* a handler called sim_stop() */
    SIM_STOP_HOST,      /* a host budget (time, memory) is spent: the run cannot go on */
} sim_stop_reason;

const char *sim_stop_name(sim_stop_reason r);

/* Integer trace fields that are absent are written as NULL. */
#define SIM_NONE INT64_MIN

typedef struct sim sim;
typedef void (*sim_progress_fn)(sim *s, void *user);

struct sim {
    simq queue;
    sim_time_t now;
    uint64_t dispatched;     /* events dispatched so far, over all sim_run calls */
    uint64_t seed;
    bool running;            /* inside sim_run */
    bool stop_requested;
    char *stop_note;         /* why a handler stopped the run, or NULL */

    simtr *trace;            /* NULL only after sim_finish */
    simtr_table *t_params, *t_kinds, *t_events;
    GPtrArray *kinds;        /* char *, index = kind id - 1 */
    GHashTable *kind_ids;    /* name -> kind id; used when a kind is named, never per event */
    GByteArray *kind_kept;   /* 1 if the trace's level keeps events of the kind, index = kind id - 1 */

    sim_progress_fn progress;
    void *progress_user;
    sim_time_t target;       /* the target of the current sim_run, for progress */
    simbudget *budget;       /* the run's host budgets, polled by the loop; NULL for none (not owned) */
};

/* A new simulation at time 0 that writes to `trace` (owned from now on). */
sim *sim_new(uint64_t seed, simtr *trace);
/* Free everything; the trace, if not finished, is aborted. NULL-safe. */
void sim_free(sim *s);

static inline sim_time_t sim_now(const sim *s) { return s->now; }

static inline void sim_schedule(sim *s, simq_event *ev, sim_time_t when, unsigned prio)
{
    g_assert(when >= s->now);   /* the clock never goes backwards */
    simq_schedule(&s->queue, ev, when, prio);
}
/* Schedule `delay` after now; saturates at SIM_TIME_MAX. */
void sim_after(sim *s, simq_event *ev, sim_time_t delay, unsigned prio);
static inline void sim_deschedule(sim *s, simq_event *ev) { simq_deschedule(&s->queue, ev); }
static inline void sim_reschedule(sim *s, simq_event *ev, sim_time_t when, unsigned prio)
{
    g_assert(when >= s->now);
    simq_reschedule(&s->queue, ev, when, prio);
}

/* Run until `until` (inclusive; SIM_TIME_MAX for no target) or until
 * max_events more events have been dispatched (0 for no budget). */
sim_stop_reason sim_run(sim *s, sim_time_t until, uint64_t max_events);
/* Ask the running loop to stop after the current event.  note may be NULL. */
void sim_stop(sim *s, const char *note);

/* The named random stream of this run. */
void sim_rng(const sim *s, const char *name, simrng *out);

/* Record a run parameter (key=value as given on the command line). */
void sim_param(sim *s, const char *key, const char *value);
/* The id of an event kind (its row id in event_kinds, from 1), registering it on first use (registration order
 * is deterministic because it follows the run).  Call it once per kind at
 * set-up, not per event. */
uint32_t sim_kind(sim *s, const char *name);
/* Write one row of the events table at the current time (nothing if the
 * trace's level leaves the kind out: simtr_keeps_kind). */
void sim_event(sim *s, uint32_t kind, int64_t core, int64_t thread, int64_t component,
               int64_t a0, int64_t a1, int64_t a2, const char *note);

/* Called every SIM_PROGRESS_EVERY events while running (for a progress
 * line); must not touch the simulation. */
#define SIM_PROGRESS_EVERY 65536
void sim_set_progress(sim *s, sim_progress_fn fn, void *user);

/* Close the trace: write the run row, digest, rename.  After this the sim
 * holds no trace. */
bool sim_finish(sim *s, const simtr_run *run, char digest[SIMTR_DIGEST_HEX], GError **error);
