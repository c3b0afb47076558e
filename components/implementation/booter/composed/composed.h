/* components/implementation/booter/composed/composed.h: the description of
 * a composed system, as a scenario builds it (compose/ fills it from Lua; a
 * test may fill it by hand), and the booter's own state.
 *
 * The description is one part per component: the app's, the timer
 * manager's, the memory manager's and each server's.  The booter builds
 * the components with system calls only and gives each its part:
 *
 *  - the app component (app/workload): every task and interrupt thread,
 *    with its own memory (page table or MPU layout), and the scheduler's
 *    shared state;
 *  - server components that tasks invoke (thread migration);
 *  - the timer and memory managers, when a task uses them;
 *  - per core, in the order of the cores (objects belong to the core that
 *    makes them): the core's threads, their endpoints under the core's root
 *    scheduler, tcaps for threads with a budget, the interrupt bindings,
 *    and the endpoints tasks send to.
 *
 * Each core's init thread then invokes the app's scheduler entry and
 * stays there: the scheduler runs in the app.
 */
#pragma once

#include "components/lib/booter.h"
#include "components/lib/fail.h"
#include "components/implementation/app/workload/app.h"
#include "components/implementation/tmrmgr/simple/tmrmgr_simple.h"
#include "components/implementation/memmgr/simple/memmgr_simple.h"
#include "components/implementation/server/work/server_work.h"

#include "components/comps.h"

/* What names a component in an added component's argument or grant. */
typedef enum { WL_REF_NONE = 0, WL_REF_APP, WL_REF_SERVER, WL_REF_COMP } wl_ref_kind;

/* A component a scenario adds (sys:component): a registered kind
 * (components/comps.h), its memory, its arguments.  An argument that
 * names a component (ref) is that component's memory's start. */
typedef struct wl_comp {
    unsigned reg;                     /* index in cos_comp_regs */
    unsigned pages;
    bool invoked;                     /* a task invokes it: the app gets an invocation of its entry 0 */
    unsigned nargs;
    struct {
        char name[COS_NAME_LEN];
        int64_t value;                /* the value, or with ref the index of what it names */
        uint8_t ref;                  /* wl_ref_kind */
    } args[COS_ARGS_MAX];
} wl_comp;

/* A capability a scenario grants an added component (sys:grant): an
 * invocation of a server's or another added component's entry, or a send
 * to a task's endpoint; the component finds it under `name`. */
typedef struct wl_grant {
    uint8_t kind;                     /* cos_grant_kind */
    uint32_t from;                    /* the added component */
    uint8_t to_ref;                   /* sinv: WL_REF_SERVER or WL_REF_COMP; asnd: a task (to) */
    uint32_t to;
    uint32_t entry;
    char name[COS_NAME_LEN];
} wl_grant;

/* The boot component's image. */
extern const cos_image cos_image_wl_booter;

/* What the booter keeps for itself (its own state).  Its arrays, sized
 * by the description's counts, are part of the description's block
 * (compose/pack.c makes them with it). */
typedef struct wl_boot {
    cos_fail fail;
    bool built;                       /* every core's threads are made and the start is fixed */
    unsigned cores_built;
    bt b;                             /* the allocation state, passed from core to core */
    bt_comp app, timer, mm;
    bt_comp *server;                  /* [nservers] */
    cos_capid *go;                    /* [ncores]: an asnd to each core's root rcv */
    cos_capid sched_sinv;             /* to the app's scheduler entry (E_SCHED) */
    /* each component's data, as the booter loaded it (cos_comp_load): its
     * part of the description, then its state */
    wl_app *app_st;
    wl_tmrmgr *tm_st;
    wl_memmgr *mm_st;
    wl_server **server_st;            /* [nservers] */
    bt_comp *comps;                   /* [ncomps]: the added components */
    cos_comp_hdr **comp_st;           /* [ncomps] */
    cos_capid *group_rcv;             /* [ngroups]: each child scheduler's endpoint */
    bool *recv_target;                /* [ntasks]: tasks that are sent to (they get an endpoint others reach) */
} wl_boot;

typedef struct wl_desc {
    /* ---- the description ---------------------------------------------------- */
    unsigned workload_image, server_image, timer_image, mem_image;   /* image ids (components/images.h) */
    uint64_t start_align;             /* the start is the first multiple of this (cycles) after the build */
    uint64_t app_pages;               /* the app's memory (its tasks' areas, then the channels' rings) */
    wl_app app;                       /* the app's part as a scenario builds it (its arrays each on their own) */
    const wl_app *app_block;          /* ... and packed into one block, which the booter loads (wl_app_relocate) */
    wl_tmrmgr tm;
    wl_memmgr mm;
    wl_server *server;                /* [nservers] */
    unsigned nservers;
    wl_comp *comp;                    /* [ncomps] */
    unsigned ncomps;
    wl_grant *grant;                  /* [ngrants] */
    unsigned ngrants;
    /* ---- the booter's state ------------------------------------------------------ */
    wl_boot boot;
} wl_desc;
