/* components/implementation/tmrmgr/simple/tmrmgr_simple.h: the simple
 * timer manager's part of a composed system: what the booter tells it, and
 * its state (in its own memory).
 *
 * A component of its own whose memory holds a table of timers (one per
 * task: expiry, period, armed), invoked by tasks (arm) and by a timer
 * thread per core (expire): components/interface/tmrmgr.h.  It wakes a task
 * with a send to the task's endpoint.  Each timer thread is an app thread
 * above every task of its core: it sleeps, in the scheduler's state, until
 * the earliest timer of its core, invokes the manager to expire what is
 * due, and sleeps again. */
#pragma once

#include "components/lib/cos.h"
#include "components/lib/fail.h"
#include "components/implementation/app/workload/app.h"

typedef struct wl_tmrmgr {
    /* ---- the description ---------------------------------------------------- */
    bool used;                        /* some task uses timeout or tick (compose/run.c) */
    unsigned ncores, ntasks;
    uint16_t task_core[WL_TASKS];     /* each task's core */
    /* ---- given by the booter ---------------------------------------------------- */
    uint64_t base;                    /* its memory: the table (32 bytes a task), then the per-core earliest */
    cos_capid asnd[WL_TASKS];         /* to task i's endpoint (0: it uses no timer) */
    /* ---- state and results ------------------------------------------------------- */
    cos_fail fail;
    struct { uint64_t at, period; bool armed; } t[WL_TASKS];
    uint64_t next[WL_CORES];          /* the earliest armed timer per core (0: none) */
    uint64_t arms, expirations, wakeups;
} wl_tmrmgr;

extern const cos_image cos_image_wl_timer;
