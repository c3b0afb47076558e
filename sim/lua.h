/* sim/lua.h: the Lua host.
 *
 * Scenarios are Lua 5.4 scripts run in a sandbox: only the base, table,
 * string, math and utf8 libraries; no io, os, debug, package, dofile,
 * loadfile or string.dump; `load` takes text only; `require` finds modules
 * only in the script's own folder and in scenarios/lib/.  A capped
 * allocator bounds memory and a count hook bounds instructions; once either
 * limit is hit the error cannot be caught by the script's own pcall.
 *
 * Determinism inside the sandbox: math.random draws from the run's
 * "lua.math" stream; pairs() visits keys in a fixed order (array part, then
 * numbers, strings and booleans sorted), because Lua's own order depends on
 * a per-process hash seed.  Lua code costs no simulated time.
 *
 * Every error, from the script, a module, an event callback or a process,
 * is reported as "FILE:LINE: message" followed by a traceback.
 *
 * The `sim` table that scripts see is documented in docs/scenarios.md.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>
#include "sim.h"

#define SIMLUA_ERROR (simlua_error_quark())
GQuark simlua_error_quark(void);
enum { SIMLUA_ERROR_SCRIPT, SIMLUA_ERROR_INIT };

typedef struct simlua_limits {
    size_t memory;          /* bytes; 0 = unlimited */
    uint64_t instructions;  /* VM instructions; 0 = unlimited */
} simlua_limits;

#define SIMLUA_DEFAULT_MEMORY ((size_t)256 << 20)
#define SIMLUA_DEFAULT_INSTRUCTIONS UINT64_C(2000000000)

typedef struct simlua simlua;
struct lua_State;

/* What the layers above the engine add to a scenario's world (the machine,
 * later the kernel and components): open() runs once at set-up, in
 * protected mode, with the global table on top of the stack; it may add
 * globals.  cossim.c passes the list; sim/ never includes those layers. */
typedef struct simlua_lib {
    const char *name;
    int (*open)(struct lua_State *L);
} simlua_lib;

/* A sandboxed state for simulation s.  print() writes to `out`.
 * lib_dir is the folder `require` searches after the script's own. */
simlua *simlua_new(sim *s, const simlua_limits *limits, FILE *out, const char *lib_dir,
                   const simlua_lib *libs, size_t nlibs, GError **error);

/* For bindings: the simulation of the state L belongs to. */
sim *simlua_sim(struct lua_State *L);
/* For bindings: something the scenario created that must act when the
 * run ends (end(obj): after the simulation, before the trace is closed;
 * e.g. write counters) and be freed when the host is (free(obj), before
 * the simulation is freed).  Hooks run in the order they were attached. */
void simlua_attach(struct lua_State *L, void *obj, void (*end)(void *obj), void (*free_fn)(void *obj));
/* For bindings: the time at stack index idx (a string with a unit, or
 * integer picoseconds), or a Lua error "WHAT: ..." [-0, +0, e]. */
sim_time_t simlua_time(struct lua_State *L, int idx, const char *what);
/* For bindings: false once the scenario has ended (its calls that act on
 * the simulation must then raise "the scenario has ended"). */
bool simlua_live(struct lua_State *L);
/* Push a sequence of the keys of the table at idx in the order pairs()
 * visits them (1..n, then numbers, strings bytewise, booleans): C code that
 * numbers what a script names iterates this, never lua_next's hash order
 * (Lua seeds its string hashes per process). [-0, +1, e] */
void simlua_sorted_keys(struct lua_State *L, int idx);
/* For bindings: name the machine of this run (for the run table). */
void simlua_set_machine(struct lua_State *L, const char *name);
/* The machine the scenario chose, or "none". */
const char *simlua_machine(const simlua *h);
/* Deschedules everything the state still has in s's queue; call before
 * sim_free. NULL-safe. */
void simlua_free(simlua *h);

/* params.key = value, typed: integers and floats become numbers, true and
 * false booleans, anything else a string. */
void simlua_param(simlua *h, const char *key, const char *value);
/* The --until cap: no sim.run goes past it, and a script that never calls
 * sim.run is run up to it. */
void simlua_set_until(simlua *h, sim_time_t until);

/* Run the script (its text in buf, shown as `path` in messages), then the
 * simulation up to the cap if the script did not run it.  On failure the
 * message is "FILE:LINE: message\nstack traceback:...". */
bool simlua_run(simlua *h, const char *path, const char *buf, size_t len, GError **error);

/* What the script returned, as JSON ("null" if nothing); valid after
 * simlua_run succeeded. */
const char *simlua_report(const simlua *h);
/* Bytes currently allocated by Lua, and the peak. */
size_t simlua_memory(const simlua *h);
