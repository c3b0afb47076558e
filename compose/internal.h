/* compose/internal.h: what the files of the `system` binding share: the
 * composed system (the description being built, the names a scenario gave,
 * the Lua bodies) and the readers of its values.  Lua binding comments note
 * the stack effect [-o, +p, x]. */
#pragma once

#include <glib.h>
#include <lauxlib.h>

#include "compose/compose.h"
#include "sim/lua.h"
#include "sim/simtime.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "model/lua.h"
#include "model/hw.h"
#include "kernel/lua.h"
#include "components/images.h"
#include "components/implementation/booter/composed/composed.h"

#define COMPOSE_MT "cossim.composed"

typedef char cmp_name[48];

/* The composed system.  Its description grows as a scenario adds to it:
 * each array here and in the description (w) has room for `cap_*` (the
 * cmp_new_* functions, desc.c, make room for one more). */
typedef struct composed {
    wl_desc *w;
    hw *h;
    bool booted;
    /* per task: w->app.task */
    cmp_name *names;
    GHashTable *task_index;          /* name -> index + 1 (cmp_find_task) */
    char (*where)[160];              /* "file:line:" of each sys:task */
    int *program_ref;                /* registry refs of Lua bodies (LUA_NOREF: none) */
    int *thread_ref;                 /* the Lua body being run (a coroutine per task) */
    uint64_t *thread_job;
    unsigned cap_task;
    cmp_name *irq_names;             /* w->app.irq */
    unsigned cap_irq;
    cmp_name *server_names;          /* w->server */
    unsigned cap_server;
    cmp_name *lock_names;            /* w->app.lock */
    unsigned cap_lock;
    cmp_name *group_names;           /* w->app.group; with w->app.sched_cfg and policy_ref (ncores + cap_group) */
    int *policy_ref;                 /* per scheduler: registry refs of Lua policies (LUA_NOREF: none) */
    unsigned cap_group;
    cmp_name *chan_names;            /* w->app.chan */
    unsigned cap_chan;
    cmp_name *comp_names;            /* w->comp */
    char (*comp_arg_ref)[COS_ARGS_MAX][48];   /* an argument naming a component, until the first run */
    unsigned cap_comp;
    cmp_name *grant_to;              /* w->grant: the task a send is granted to, until the first run */
    unsigned cap_grant;
    lua_State *L;
    bool trace, check;
    char body_error[1024];           /* the first error of a Lua body */
} composed;

/* What each component holds: the data the booter loaded into it (its part
 * of the description, then its state and counts), read by the host as a
 * debugger reads memory; before the run, the description's part. */
static inline wl_app *cmp_app(const composed *c)
{
    return c->w->boot.app_st ? c->w->boot.app_st : &c->w->app;
}
static inline const wl_tmrmgr *cmp_tm(const composed *c)
{
    return c->w->boot.tm_st ? c->w->boot.tm_st : &c->w->tm;
}
static inline const wl_memmgr *cmp_mm(const composed *c)
{
    return c->w->boot.mm_st ? c->w->boot.mm_st : &c->w->mm;
}
static inline const wl_server *cmp_server(const composed *c, unsigned i)
{
    return c->w->boot.server_st && c->w->boot.server_st[i] ? c->w->boot.server_st[i] : &c->w->server[i];
}

/* ---- desc.c: the description's arrays ------------------------------------------ */
/* A new system's description for a machine of `ncores` (its per-core
 * arrays made), and its end. */
void cmp_desc_init(composed *c, unsigned ncores);
void cmp_desc_free(composed *c);
/* Room for one more task, interrupt thread, server, lock, group, channel,
 * added component or grant: returns its index (the count, which the
 * caller raises once the new one is whole). */
unsigned cmp_new_task(composed *c);
unsigned cmp_new_irq(composed *c);
unsigned cmp_new_server(composed *c);
unsigned cmp_new_lock(composed *c);
unsigned cmp_new_group(composed *c);
unsigned cmp_new_chan(composed *c);
unsigned cmp_new_comp(composed *c);
unsigned cmp_new_grant(composed *c);
/* The longest list of threads a scheduler will hold. */
unsigned cmp_longest_list(const composed *c);
/* The app's part packed into one block (w->app_block), and the booter's
 * arrays, for the counts of the finished description. [-0, +0, e] */
void cmp_pack(lua_State *L, composed *c);

/* ---- values.c ------------------------------------------------------------------ */
/* The composed system of the method call at index 1 (a scenario's error
 * once the scenario has ended). [-0, +0, e] */
composed *cmp_check(lua_State *L);
void cmp_free(void *p);
/* ps to the nearest cycle of the machine's cores */
uint64_t cmp_ps_cycles(const composed *c, sim_time_t ps);
/* A time field of table t in cycles (nil: def). [-0, +0, e] */
uint64_t cmp_opt_cycles(lua_State *L, composed *c, int t, const char *key, const char *who, uint64_t def);
/* Cycles: an integer count of cycles, or a time. [-0, +0, e] */
uint64_t cmp_to_cycles(lua_State *L, composed *c, int idx, const char *what);
/* A time that is never bare cycles (how long a step waits: sleep, timeout,
 * tick), in cycles: a string with a unit or a time value. */
uint64_t cmp_time_cycles(lua_State *L, composed *c, int idx, const char *what);
/* Bytes: an integer or "16K", "2M", "4KiB". [-0, +0, e] */
uint64_t cmp_to_bytes(lua_State *L, int idx, const char *what);
int cmp_find_name(const cmp_name *names, unsigned n, const char *name);
/* The index of the task named `name`, -1 if none (a hash: a scenario may have thousands). */
int cmp_find_task(const composed *c, const char *name);
/* t.core and t.priority: the one reader of each (see values.c). [-0, +0, e] */
unsigned cmp_opt_core(lua_State *L, composed *c, int t, const char *who, unsigned def);
uint32_t cmp_opt_prio(lua_State *L, int t, const char *who, const char *required, uint32_t def);
void cmp_check_name(lua_State *L, const char *who, const char *name);

/* ---- policy.c ------------------------------------------------------------------ */
/* Scheduler s's implementation from its `scheduler` (at sidx) and `policy`
 * (at pidx) values, 0 when absent (see policy.c). [-0, +0, e] */
wl_policy cmp_read_sched(lua_State *L, composed *c, int sidx, int pidx, const char *who, unsigned s);
const char *cmp_policy_name(wl_policy p);
/* The wl_pick_fn of a Lua policy. */
int cmp_lua_pick(void *ctx, unsigned s, const uint32_t *ready, unsigned n, uint64_t now);

/* ---- system.c ------------------------------------------------------------------ */
void cmp_check_not_booted(lua_State *L, composed *c, const char *who);
/* The start of a method taking a table of keys: the system (not yet
 * running), the table at 2 with only `known` keys. [-0, +0, e] */
composed *cmp_method_args(lua_State *L, const char *who, const char *const *known);

/* ---- steps.c, body.c ----------------------------------------------------------- */
/* One step from the table at idx into op; body: it comes from a Lua body,
 * which cannot take every kind. [-0, +0, e] */
void cmp_parse_step(lua_State *L, composed *c, int idx, wl_op *op, const char *who, bool body);
/* The `step` table of Lua bodies: step.<kind> for each kind a body can take. */
void cmp_open_steps(lua_State *L);
/* The program of a task with a Lua body (wl_program_fn). */
bool cmp_lua_program(void *ctx, unsigned task, uint64_t job, wl_op *op);

/* ---- threads.c, run.c, results.c: the methods ---------------------------------- */
int cmp_l_task(lua_State *L);
int cmp_l_group(lua_State *L);
int cmp_l_irq(lua_State *L);
int cmp_l_run(lua_State *L);
int cmp_l_results(lua_State *L);
int cmp_l_kernel(lua_State *L);
int cmp_l_component(lua_State *L);
int cmp_l_grant(lua_State *L);
/* ---- comps.c: the added components' rows of sys:results() and the trace */
void cmp_comp_results(lua_State *L, const composed *c);
void cmp_define_components_table(const composed *c, sim *s);
void cmp_resolve_comps(lua_State *L, composed *c);
/* ---- demand.c: the trace's task_demand table (each task's declared demand) */
void cmp_define_demand_table(const composed *c, sim *s);
