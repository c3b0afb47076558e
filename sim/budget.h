/* sim/budget.h: a run's host budgets, host time and host memory.
 *
 * The instruction and memory caps of the Lua sandbox bound what a script
 * does in Lua; these bound what the whole process does on its behalf in C
 * (the engine's events, the machine model, SQLite, the library's loops), so
 * that no input can keep cossim running or growing for ever.  A budget only
 * decides whether a run fails; a run that finishes within it computes
 * exactly what it would without one (host time never becomes simulated
 * time).
 *
 * Checked by polling: simbudget_ok() is cheap (one read of the monotonic
 * clock; the resident set size is read at most every SIMBUDGET_MEMORY_EVERY_US),
 * and the engine calls it every SIMBUDGET_EVENTS events, the Lua host at
 * every count hook and every charge of C work.  A C loop that never comes
 * back to a poll is stopped by the command's alarm (sim/cli.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define SIMBUDGET_EVENTS 1024                 /* engine events between polls */
#define SIMBUDGET_MEMORY_EVERY_US 10000       /* host microseconds between reads of the resident set */

typedef enum { SIMBUDGET_OK, SIMBUDGET_TIME, SIMBUDGET_MEMORY } simbudget_state;

typedef struct simbudget {
    gint64 start_us;          /* monotonic */
    gint64 deadline_us;       /* 0: no host-time budget */
    uint64_t memory;          /* bytes resident; 0: no host-memory budget */
    gint64 next_memory_us;
    uint64_t resident;        /* the last reading */
    simbudget_state state;    /* sticky once a budget is spent */
    double seconds;           /* as given, for messages */
} simbudget;

/* Budgets from now: seconds of host time (0: none) and bytes of host
 * memory resident (0: none). */
void simbudget_init(simbudget *b, double seconds, uint64_t memory);
/* True while both budgets hold; false from the first poll that finds one
 * spent (and from then on). NULL-safe (no budget). */
bool simbudget_ok(simbudget *b);
/* Why the run stops, e.g. "the host-time budget of 600 s ran out (raise it
 * with --timeout)"; "" while within budget. */
const char *simbudget_message(const simbudget *b, char *buf, size_t len);
/* This process's resident set in bytes, 0 if unknown. */
uint64_t simbudget_resident(void);
