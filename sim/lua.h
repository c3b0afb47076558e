/* sim/lua.h: the Lua host (sim/lua*.c; lua_internal.h maps the files).
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
enum { SIMLUA_ERROR_SCRIPT, SIMLUA_ERROR_INIT, SIMLUA_ERROR_HELP };

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

/* A sandboxed state for simulation s (NULL: no simulation and no `sim`
 * table, as for data files).  print() writes to `out`.
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
/* For bindings: the time at stack index idx: a string with a unit
 * ("10ms"), a time value (sim.time, sim.now: lua_time.c) or 0.  Anything
 * else is a Lua error at the scenario's line, "WHAT: ..." or, for a field,
 * "WHO: KEY = 1000000 has no unit (write e.g. ...)"; a bare number is
 * never picoseconds. [-0, +0, e] */
sim_time_t simlua_time(struct lua_State *L, int idx, const char *what);
sim_time_t simlua_field_time(struct lua_State *L, int idx, const char *who, const char *key);
/* Push a time value of ps picoseconds (negative: a difference). [-0, +1, m] */
void simlua_push_time(struct lua_State *L, int64_t ps);
/* Whether idx holds a time value, and its picoseconds (ps may be NULL);
 * plain API: false on a state without time values. [-0, +0, -] */
bool simlua_time_value(struct lua_State *L, int idx, int64_t *ps);
/* For bindings: charge work done in C on the script's behalf to its
 * instruction budget, as n VM instructions of about the same host time (a
 * loop in the string or table library, a new process, a memory-system
 * probe over many lines); raises the instruction limit (or a spent host
 * budget) as the count hook does. [-0, +0, e] */
void simlua_charge(struct lua_State *L, uint64_t n);
/* For bindings: false once the scenario has ended (its calls that act on
 * the simulation must then raise "the scenario has ended"). */
bool simlua_live(struct lua_State *L);
/* Push a sequence of the keys of the table at idx in the order pairs()
 * visits them (1..n, then numbers, strings bytewise, booleans): C code that
 * numbers what a script names iterates this, never lua_next's hash order
 * (Lua seeds its string hashes per state). Keys of other types raise.
 * [-0, +1, e] */
void simlua_sorted_keys(struct lua_State *L, int idx);

/* The key checker of every binding and reader, so that a mistake is named
 * the same way on every run (lua_next's order differs from run to run).
 *
 * The first key of the table at idx, in the order of simlua_sorted_keys,
 * that is not in the NULL-terminated list `known`; NULL if there is none.
 * A key that is not a string is never known; it is named as "[1]",
 * "[2.5]", "[true]" or "[table]" (other types follow the booleans, by type
 * name).  A string key is returned in place: valid while the table holds
 * it; another one is kept in the registry until the next such call.
 * Plain Lua API: any state will do, not only a host's. [-0, +0, m] */
const char *simlua_unknown_key(struct lua_State *L, int idx, const char *const *known);
/* Raise "WHO: unknown key 'KEY' (known: a, b, c)" (the known keys in the
 * list's order) if the table at idx has a key that is not in `known`,
 * naming the first as simlua_unknown_key does. [-0, +0, e] */
void simlua_check_keys(struct lua_State *L, int idx, const char *who, const char *const *known);
/* Field `key` of the table at idx: an integer from lo to hi, dflt when
 * absent; a boolean, dflt when absent.  Anything else is an error naming
 * `who` and the key, at the script's line. */
long long simlua_field_int(struct lua_State *L, int idx, const char *who, const char *key, long long dflt,
                           long long lo, long long hi);
bool simlua_field_bool(struct lua_State *L, int idx, const char *who, const char *key, bool dflt);
/* Set samples (v in order), mean, median (of an even count, the two middle
 * values' mean rounded down), min, worst and n of the n > 0 samples v on
 * the table at the top of the stack (the benchmarks' results). */
void simlua_set_samples(struct lua_State *L, const uint64_t *v, size_t n);
/* The same check for readers that collect errors instead of raising: true
 * if every key is known, else false with that message in `error`
 * (SIMLUA_ERROR_SCRIPT). [-0, +0, m] */
bool simlua_only_keys(struct lua_State *L, int idx, const char *who, const char *const *known,
                      GError **error);

/* For bindings: run the simulation up to `target`, exactly as sim.run
 * does, whatever the script has done to the global `sim`: capped at
 * --until (and never before now), the run counted as the script's own (so
 * simlua_run does not run on to the cap afterwards), and the run's failure
 * (an error in a callback or a process) raised out of the caller, where no
 * pcall in the script can catch it.  Returns the stop reason (as
 * sim_stop_name: "time", "request", ...).  Raises "sim.run: the scenario
 * has ended" after the end and "sim.run cannot be called from inside the
 * simulation" from an event or a process. [-0, +0, e] */
const char *simlua_run_to(struct lua_State *L, sim_time_t target);
/* simlua_run_to(now + span); a span past the end of scenario time
 * (2^63-1 ps) runs to its end.  sim.run(span) is this. [-0, +0, e] */
const char *simlua_run_for(struct lua_State *L, sim_time_t span);
/* For bindings: name the machine of this run (for the run table). */
void simlua_set_machine(struct lua_State *L, const char *name);
/* The machine the scenario chose, or "none". */
const char *simlua_machine(const simlua *h);
/* The folder of the script being run (NULL for data files): bindings
 * resolve the files a scenario names against it, as require does. */
const char *simlua_script_dir(struct lua_State *L);
/* Deschedules everything the state still has in s's queue; call before
 * sim_free. NULL-safe. */
void simlua_free(simlua *h);

/* params.key = value, typed: integers and floats become numbers, true and
 * false booleans, anything else a string. */
void simlua_param(simlua *h, const char *key, const char *value);
/* The --until cap: no sim.run goes past it, and a script that never calls
 * sim.run is run up to it. */
void simlua_set_until(simlua *h, sim_time_t until);
/* `cossim run SCENARIO --help`: the script runs up to its sim.params
 * declaration, which is listed on the state's output, or up to its first
 * run (what it read of params listed); simlua_run then fails with
 * SIMLUA_ERROR_HELP and nothing is simulated. */
void simlua_set_help(simlua *h);

/* Data files (bounds files for `cossim check`, task sets): the scenario's
 * sandbox without a simulation (no `sim` table; the same libraries, limits
 * and error positions).  Runs the text chunk in buf (shown as path), then
 * read(L) with the chunk's first result at index 1 and ud as a light
 * userdata at index 2, both in protected mode under the limits (NULL: the
 * data-file defaults below, and no "raise it with --lua-..." hint in the
 * messages, as the command has no such options): a read that raises fails with "FILE:LINE:
 * message" where the data file's code was.  A read should use raw access
 * (lua_rawget): a metamethod of the file's tables is its code too.  False,
 * with the message, if the file or the read failed. */
#define SIMLUA_DATA_MEMORY ((size_t)64 << 20)
#define SIMLUA_DATA_INSTRUCTIONS UINT64_C(100000000)
bool simlua_read_data(const char *path, const char *buf, size_t len, const simlua_limits *limits,
                      int (*read)(struct lua_State *L), void *ud, GError **error);

/* Run the script (its text in buf, shown as `path` in messages), then the
 * simulation up to the cap if the script did not run it.  On failure the
 * message is "FILE:LINE: message\nstack traceback:...". */
bool simlua_run(simlua *h, const char *path, const char *buf, size_t len, GError **error);

/* What the script returned, as JSON ("null" if nothing); valid after
 * simlua_run succeeded. */
const char *simlua_report(const simlua *h);
/* Bytes currently allocated by Lua, and the peak. */
size_t simlua_memory(const simlua *h);
