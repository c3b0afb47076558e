/* sim/lua_internal.h: what the files of the Lua host share (not for the
 * layers above: they use sim/lua.h).
 *
 * The host is split by concept, each file calling only the ones listed
 * below it, never back up:
 *   lua.c          the host's life cycle: new, run the script, free
 *   lua_sim.c      the `sim` table: time, timers, processes, run, events
 *   lua_report.c   the script's returned value as JSON
 *   lua_sandbox.c  the sandbox: capped allocator, instruction limit, the
 *                  replaced base functions, require, math.random
 *   lua_gc.c       __gc finalizers run with hooks on, under the caps
 *   lua_error.c    error messages with positions; the run's failure
 *   lua_ids.c      objects named by id, never by address: tostring, format
 *   lua_keys.c     keys in a fixed order: pairs, next, sorted keys, key checks
 *   lua_time.c     time values: "10ms" or sim.time's values, never bare numbers
 *
 * Stack effects are noted as in the Lua manual: [-pop, +push, x] where x
 * is '-' (raises nothing), 'm' (only a memory error) or 'e' (any error).
 */
#pragma once

#include <lua.h>

#include "lua.h"
#include "rng.h"

#define SIMLUA_HOOK_EVERY 1000          /* instructions between count-hook calls */
#define SIMLUA_CLOSE_INSTRUCTIONS 100000 /* for the finalizers run when the state closes */
/* Bytes Lua allocates per instruction charged: C work on big strings and
 * tables is charged in proportion to the memory it fills.  Measured on the
 * reference host: a VM instruction under the count hook takes about 6.5 ns
 * (10^8 loop iterations, 2 instructions each, 1.3 s), and concatenating
 * 64 MiB strings 0.62 ns per byte of the result, so 8 bytes take about the
 * time of one instruction. */
#define SIMLUA_ALLOC_BYTES 8
#define SIMLUA_MAX_REFUSAL_FRAMES 10
#define SIMLUA_TIME_MAX ((sim_time_t)INT64_MAX)   /* Lua integers are signed */

typedef struct simlua_call simlua_call;
typedef struct simlua_proc simlua_proc;

/* What a Lua thread's extra space points at: its host and, for a
 * process, the process. */
typedef struct simlua_thread {
    simlua *h;
    simlua_proc *p;
} simlua_thread;

struct simlua {
    lua_State *L;
    simlua_thread main_thread;
    lua_State *running;          /* the thread executing now (main or a process) */
    sim *s;
    FILE *out;
    char *lib_dir;
    char *script_dir;
    char *script_path;
    simlua_limits lim;
    bool no_options;             /* the limits are not the command's options: no "raise it with" hint */
    size_t mem, mem_peak;
    uint64_t instructions;
    bool fatal;                  /* a limit was hit or the run failed: nothing may catch it */
    char *failure;               /* the formatted error that ended the run */
    bool refused;                /* the allocator refused a request */
    char refusal[SIMLUA_MAX_REFUSAL_FRAMES][96];
    int refusal_frames;
    bool has_until;
    sim_time_t until;
    bool ran;                    /* the simulation was run (sim.run or simlua_run_to) */
    bool ended;                  /* the scenario is over: sim.* may no longer act */
    GString *warning;            /* a warning from Lua being assembled */
    int loaded_ref;              /* registry ref: module name -> value */
    char *report;
    simrng math_rng;
    simlua_call *calls, *free_calls;   /* scheduled callbacks; recycled records */
    GArray *attached;            /* attachment, in order */
    char *machine;
    simlua_proc *procs;          /* live processes */
    uint64_t next_proc;
    uint64_t next_id;            /* the last object id given (lua_ids.c) */
    bool watching;               /* the script's main function runs: its return is watched */
    char report_where[128];      /* "FILE:LINE" of the return that gave the report, or "" */
    GPtrArray *set_keys;         /* the --set keys, in order (lua_params.c) */
    bool declared;               /* sim.params was called */
    bool help;                   /* `cossim run SCENARIO --help`: list the parameters, run nothing */
    bool help_shown;             /* ... and they were: the script stopped there */
};

static inline simlua_thread *simlua_thread_of(lua_State *L)
{
    return *(simlua_thread **)lua_getextraspace(L);
}

/* The host of any thread of its state. */
static inline simlua *simlua_host(lua_State *L)
{
    return simlua_thread_of(L)->h;
}

/* ---- lua_sandbox.c ---- */

/* The allocator of the state (ud is the host): refuses past the memory cap
 * and remembers where the script was. */
void *simlua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
/* The hook: every SIMLUA_HOOK_EVERY instructions (count); on the main
 * thread while the script's main function runs, also at every return, to
 * find the line of the return statement that gives the report (the
 * report is checked only after the function is gone). */
void simlua_count_hook(lua_State *L, lua_Debug *ar);
/* The sandbox's libraries with their replaced functions, and the global
 * `params`; run once, protected, with nothing on the stack. [-0, +0, e] */
void simlua_open_sandbox(lua_State *L);

/* ---- lua_params.c ---- */

/* The global `params` (a proxy noting the keys read). [-0, +0, m] */
void simlua_open_params(lua_State *L);
/* params[key] = the value on top (popped); key noted as given by --set. */
void simlua_params_store(simlua *h, const char *key);
/* The --set keys the script never read, "a, b" (g_free), NULL if none. */
char *simlua_params_unread(simlua *h);
/* sim.params{ key = { default, "what it is" }, ... } */
int simlua_l_params(lua_State *L);
/* Help mode, a scenario that declared nothing: list what it read, stop. */
void simlua_params_help_at_run(lua_State *L);

/* ---- lua_error.c ---- */

/* "src:line: " of the innermost Lua function on T's stack, or "". [-0, +1, m] */
void simlua_push_where(lua_State *L, lua_State *T);
/* True if the first line of msg has a position ("anything:123:"). */
bool simlua_has_position(const char *msg);
/* The message of the error object at idx, with a position prefix taken
 * from T's stack if it has none. [-0, +1, m] */
const char *simlua_push_message(lua_State *L, int idx, lua_State *T);
/* Message handler for lua_pcall: message with position, then traceback. */
int simlua_msgh(lua_State *L);
/* Record the run's failure (first one wins), stop the engine. */
void simlua_set_failure(simlua *h, const char *text);
/* The failure for a memory limit hit, with where the script was. */
void simlua_memory_failure(simlua *h);
/* Carry a failure out of the current Lua call; nothing can catch it. [-0, +0, e] */
int simlua_raise_failure(lua_State *L);
/* Call the function with nargs arguments above it on top of L under the
 * message handler; on error record the failure. [-(nargs+1), +0, -] */
bool simlua_protected_call(simlua *h, lua_State *L, int nargs);
/* The state's warning function: an error in a __gc finalizer fails the run. */
void simlua_on_warning(void *ud, const char *msg, int tocont);

/* ---- lua_keys.c ---- */

/* pairs(t): the __pairs metamethod if any, else the fixed order of
 * simlua_sorted_keys. [-0, +3, e] */
int simlua_pairs(lua_State *L);
/* next(t [, k]) in the same order. [-0, +1|2, e] */
int simlua_next(lua_State *L);

/* ---- lua_gc.c ---- */

/* Replace setmetatable: a __gc finalizer runs on a coroutine of its own
 * with the hooks on (under the instruction limit). [-0, +0, e] */
void simlua_open_gc(lua_State *L);

/* ---- lua_ids.c ---- */

/* tostring(v) as the sandbox gives it: __tostring if any, else numbers,
 * strings, booleans and nil as Lua writes them, and any other object as
 * "TYPE: #ID" (TYPE: its __name, else its type; ID: by first use), never
 * its address. [-0, +1, e] */
const char *simlua_tolstring(lua_State *L, int idx, size_t *len);
/* Replace tostring and string.format in the global table. [-0, +0, e] */
void simlua_open_ids(lua_State *L);

/* ---- lua_sim.c ---- */

/* Sets the global `sim` and the metatables of its objects. [-0, +0, e] */
void simlua_open_simlib(lua_State *L);
void simlua_open_time(lua_State *L);   /* the time values' metatable */
/* Deschedule every callback and process and free the processes; before
 * lua_close (it drops their references in the state). */
void simlua_cancel_all(simlua *h);
/* Free the callback records; after lua_close (a timer handle collected
 * there may still read its record). */
void simlua_free_records(simlua *h);

/* ---- lua_report.c ---- */

/* report_json(GString *out, GError **error, value) -> ok, to be run under
 * lua_pcall because converting may raise (an unorderable key, memory).
 * [-0, +1, e] */
int simlua_report_json(lua_State *L);
