/* components/interface/sched.h: what a scheduling policy offers the
 * scheduler of a composed system.
 *
 * The scheduler itself (components/implementation/app/workload: events
 * from the kernel, releases, budget top-ups, dispatch through the kernel
 * and at user level) lives in the app component, on the state the app's
 * threads share with it (Slite's design).  Which thread runs next is a
 * policy's, chosen per core and per child scheduler by the scenario
 * (system{ scheduler = ... }); each implementation under
 * implementation/sched/<name>/ fills one of these and registers it
 * (components/scheds.c).  A policy sees the app's scheduler state:
 * thread records (struct wl_rt_thd) and scheduler s's record and list
 * (app->core[s]), defined in implementation/app/workload/app.h.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct wl_app;
struct wl_rt_thd;

typedef struct sched_policy {
    const char *name;
    /* Lock ceilings apply (fixed priorities); otherwise a ceiling lock is
     * taken with inheritance. */
    bool ceiling;
    /* It shares a core in slices: a scenario may give it a quantum
     * (scheduler = { name = NAME, quantum = T }; 1 ms when it gives none),
     * which the scheduler's configuration holds (wl_sched_cfg). */
    bool slices;
    /* Whether ready thread a outranks ready thread b under scheduler s:
     * what a decision and a lock hand-off compare by. */
    bool (*outranks)(const struct wl_app *app, unsigned s, const struct wl_rt_thd *a, const struct wl_rt_thd *b);
    /* The tcap priority a dispatch of r gives (1 the highest; the kernel
     * preempts by it), for a thread with a tcap of its own. */
    uint32_t (*dispatch_prio)(struct wl_app *app, unsigned s, const struct wl_rt_thd *r);
    /* Optional: the thread to run next (an index into app->thd, -1 for
     * none), instead of the scan for the one that outranks the others. */
    int (*pick)(struct wl_app *app, unsigned s, uint64_t now);
    /* Optional: a time the scheduler must act again at (cycles; 0: none),
     * besides the releases, wake-ups and top-ups it knows of. */
    uint64_t (*timeout)(const struct wl_app *app, unsigned s, uint64_t now);
    /* Optional: thread i (an index into app->thd) was dispatched at `now`. */
    void (*dispatched)(struct wl_app *app, unsigned s, int i, uint64_t now);
} sched_policy;
