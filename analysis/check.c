/* analysis/check.c: `cossim check TRACE.db BOUNDS.lua`, timing bounds for
 * CI (see check.h and docs/analysis.md).  A bounds file is code from
 * anywhere: it runs in the scenarios' sandbox (sim/lua.h
 * simlua_read_data: text only, no host files, memory and instruction
 * caps), and its tables are read raw, in protected mode, so that no
 * metamethod of its own runs while they are read. */
#include "check.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <lua.h>

#include "sim/json.h"
#include "trace.h"
#include "sim/cli.h"
#include "sim/lua.h"
#include "sim/simtime.h"

typedef struct checker {
    const an_trace_report *r;
    const char *file;
    GString *out;
    GString *json;          /* with --json: the verdicts as JSON objects, comma-separated */
    int n, failed;
    char *error;            /* the first error in the bounds file */
} checker;

static void verdict(checker *c, const char *what, const char *bound, const char *seen, bool ok)
{
    c->n++;
    if (!ok)
        c->failed++;
    if (c->json) {
        g_string_append(c->json, c->n > 1 ? ",{\"check\":" : "{\"check\":");
        simjson_string(c->json, what, -1);
        g_string_append(c->json, ",\"bound\":");
        simjson_string(c->json, bound, -1);
        g_string_append(c->json, ",\"observed\":");
        simjson_string(c->json, seen, -1);
        g_string_append_printf(c->json, ",\"pass\":%s}", ok ? "true" : "false");
        return;
    }
    g_string_append_printf(c->out, "%-40s  %16s  %16s  %s\n", what, bound, seen, ok ? "pass" : "FAIL");
}

static void bad(checker *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void bad(checker *c, const char *fmt, ...)
{
    if (c->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    c->error = g_strdup_printf("%s: %s", c->file, m);
}

/* A duration bound at the top of the stack: "250us" (a string with a unit);
 * false (and the error) otherwise. */
static bool duration(checker *c, lua_State *L, const char *key, sim_time_t *ps)
{
    if (lua_type(L, -1) != LUA_TSTRING) {
        bad(c, "%s: give a duration with its unit, e.g. \"250us\"", key);
        return false;
    }
    GError *err = NULL;
    if (!simt_parse(lua_tostring(L, -1), ps, &err)) {
        bad(c, "%s: %s", key, err->message);
        g_error_free(err);
        return false;
    }
    return true;
}

static bool count(checker *c, lua_State *L, const char *key, int64_t *v)
{
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0) {
        bad(c, "%s: give a whole number >= 0", key);
        return false;
    }
    *v = lua_tointeger(L, -1);
    return true;
}

/* t[key] without metamethods. [-0, +1, m] */
static int rawfield(lua_State *L, int t, const char *key)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The string keys of the table at the top of the stack, sorted (Lua's
 * own order differs from run to run); NULL, with the error, if a key is
 * not a string. */
static GPtrArray *sorted_keys(checker *c, lua_State *L, const char *where)
{
    GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            bad(c, "%s: keys are names", where);
            lua_pop(L, 1);
            g_ptr_array_free(keys, TRUE);
            return NULL;
        }
        g_ptr_array_add(keys, g_strdup(lua_tostring(L, -1)));
    }
    g_ptr_array_sort(keys, by_name);
    return keys;
}

/* Only the keys in `known` at the table at the top of the stack (the
 * first unknown one in name order is named, sim/lua.h). */
static bool only_keys(checker *c, lua_State *L, const char *where, const char *const *known)
{
    GError *e = NULL;
    if (simlua_only_keys(L, -1, where, known, &e))
        return true;
    bad(c, "%s", e->message);
    g_error_free(e);
    return false;
}

static char *us_text(int64_t ps)
{
    return g_strdup_printf("%.3f us", (double)ps / 1e6);
}

static const an_trace_task *task_named(const an_trace_report *r, const char *name, int nth)
{
    for (guint i = 0; i < r->tasks->len; i++) {
        const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        if (strcmp(t->name, name) == 0 && nth-- == 0)
            return t;
    }
    return NULL;
}

/* tasks = { name = { response = "200us", misses = 0, within_bound = true, within_safe_bound = true } } */
static void check_tasks(checker *c, lua_State *L)
{
    static const char *const known[] = { "response", "misses", "within_bound", "within_safe_bound", NULL };
    g_autoptr(GPtrArray) names = sorted_keys(c, L, "tasks");
    for (guint i = 0; names && i < names->len && !c->error; i++) {
        const char *name = names->pdata[i];
        rawfield(L, -1, name);
        g_autofree char *where = g_strdup_printf("tasks.%s", name);
        if (!lua_istable(L, -1)) {
            bad(c, "%s: give a table { response = ..., misses = ... }", where);
            lua_pop(L, 1);
            return;
        }
        if (!task_named(c->r, name, 0)) {
            bad(c, "%s: the trace has no task '%s'", where, name);
            lua_pop(L, 1);
            return;
        }
        if (!only_keys(c, L, where, known)) {
            lua_pop(L, 1);
            return;
        }
        /* a name may be on several systems of the run: each is checked */
        for (int nth = 0; !c->error; nth++) {
            const an_trace_task *t = task_named(c->r, name, nth);
            if (t == NULL)
                break;
            g_autofree char *who = g_strdup_printf("%s (core %" PRId64 ")", name, t->core);
            rawfield(L, -1, "response");
            sim_time_t ps;
            g_autofree char *key_r = g_strdup_printf("%s.response", where);
            if (!lua_isnil(L, -1) && duration(c, L, key_r, &ps)) {
                g_autofree char *what = g_strdup_printf("%s: worst response", who);
                g_autofree char *b = g_strdup_printf("<= %.3f us", (double)ps / 1e6);
                g_autofree char *s = t->jobs ? us_text(t->worst_ps) : g_strdup("no job");
                verdict(c, what, b, s, t->jobs > 0 && t->worst_ps <= (int64_t)ps);
            }
            lua_pop(L, 1);
            rawfield(L, -1, "misses");
            int64_t v;
            g_autofree char *key_m = g_strdup_printf("%s.misses", where);
            if (!lua_isnil(L, -1) && count(c, L, key_m, &v)) {
                g_autofree char *what = g_strdup_printf("%s: deadline misses", who);
                g_autofree char *b = g_strdup_printf("<= %" PRId64, v);
                g_autofree char *s = g_strdup_printf("%" PRId64, t->missed);
                verdict(c, what, b, s, t->missed <= v);
            }
            lua_pop(L, 1);
            rawfield(L, -1, "within_bound");
            if (lua_toboolean(L, -1) && c->r->level < SIMTR_LEVEL_ALL) {
                bad(c, "%s.within_bound: %s; write the trace at --trace-level all", where, an_trace_level_note(c->r->level));
            } else if (lua_toboolean(L, -1)) {
                g_autofree char *what = g_strdup_printf("%s: worst vs analytic bound", who);
                g_autofree char *b = t->has_bound && t->bound_ok ? g_strdup_printf("<= %.3f us", (double)t->bound_ps / 1e6)
                                                                 : g_strdup("no bound");
                g_autofree char *s = t->jobs ? us_text(t->worst_ps) : g_strdup("no job");
                verdict(c, what, b, s, t->has_bound && t->bound_ok && t->jobs && t->worst_ps <= t->bound_ps);
            }
            lua_pop(L, 1);
            rawfield(L, -1, "within_safe_bound");
            if (lua_toboolean(L, -1) && c->r->level < SIMTR_LEVEL_ALL) {
                bad(c, "%s.within_safe_bound: %s; write the trace at --trace-level all", where,
                    an_trace_level_note(c->r->level));
            } else if (lua_toboolean(L, -1)) {
                g_autofree char *what = g_strdup_printf("%s: worst vs safe bound", who);
                g_autofree char *b = t->has_safe && t->safe_ok ? g_strdup_printf("<= %.3f us", (double)t->safe_ps / 1e6)
                                                               : g_strdup("no bound");
                g_autofree char *s = t->jobs ? us_text(t->worst_ps) : g_strdup("no job");
                verdict(c, what, b, s, t->has_safe && t->safe_ok && t->jobs && t->worst_ps <= t->safe_ps);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

/* kernel_paths = { sinv = 1000, irq = 2000 }: the longest of each, cycles */
static void check_paths(checker *c, lua_State *L)
{
    g_autoptr(GPtrArray) names = sorted_keys(c, L, "kernel_paths");
    for (guint i = 0; names && i < names->len && !c->error; i++) {
        const char *name = names->pdata[i];
        rawfield(L, -1, name);
        g_autofree char *where = g_strdup_printf("kernel_paths.%s", name);
        int64_t v;
        if (!count(c, L, where, &v)) {
            lua_pop(L, 1);
            return;
        }
        int64_t seen = -1;
        for (guint k = 0; k < c->r->paths->len; k++) {
            const an_trace_path *p = &g_array_index(c->r->paths, an_trace_path, k);
            if (strcmp(p->path, name) == 0)
                seen = MAX(seen, p->max_cycles);
        }
        if (seen < 0) {
            bad(c, "%s: the trace has no kernel path '%s' (see its kernel_paths table)", where, name);
            lua_pop(L, 1);
            return;
        }
        g_autofree char *what = g_strdup_printf("kernel path %s: longest", name);
        g_autofree char *b = g_strdup_printf("<= %" PRId64 " cyc", v);
        g_autofree char *s = g_strdup_printf("%" PRId64 " cyc", seen);
        verdict(c, what, b, s, seen <= v);
        lua_pop(L, 1);
    }
}

/* check_value(value, checker): the bounds the file returned, read raw
 * (run by simlua_read_data in protected mode). [-0, +0, m] */
static int check_value(lua_State *L)
{
    checker *c = lua_touserdata(L, 2);
    const an_trace_report *r = c->r;
    lua_settop(L, 1);
    if (!lua_istable(L, 1)) {
        bad(c, "the file must return a table of bounds (docs/analysis.md)");
        return 0;
    }
    static const char *const known[] = { "tasks", "misses", "invocation", "kernel_paths", NULL };
    if (c->json == NULL)
        g_string_append_printf(c->out, "%-40s  %16s  %16s  %s\n", "check", "bound", "observed", "result");
    if (!only_keys(c, L, "bounds", known))
        return 0;
    rawfield(L, -1, "misses");
    int64_t v;
    if (!lua_isnil(L, -1) && count(c, L, "misses", &v)) {
        int64_t m = 0;
        for (guint i = 0; i < r->tasks->len; i++)
            m += g_array_index(r->tasks, an_trace_task, i).missed;
        g_autofree char *b = g_strdup_printf("<= %" PRId64, v);
        g_autofree char *s = g_strdup_printf("%" PRId64, m);
        verdict(c, "deadline misses, all tasks", b, s, m <= v);
    }
    lua_pop(L, 1);
    rawfield(L, -1, "tasks");
    if (lua_istable(L, -1))
        check_tasks(c, L);
    else if (!lua_isnil(L, -1))
        bad(c, "tasks: give a table");
    lua_pop(L, 1);
    rawfield(L, -1, "invocation");
    sim_time_t ps;
    if (!c->error && !lua_isnil(L, -1) && r->level < SIMTR_LEVEL_KERNEL) {
        bad(c, "invocation: %s; write the trace at --trace-level kernel or all", an_trace_level_note(r->level));
    } else if (!c->error && !lua_isnil(L, -1) && duration(c, L, "invocation", &ps)) {
        int64_t worst = 0;
        for (guint i = 0; i < r->invocations->len; i++)
            worst = MAX(worst, g_array_index(r->invocations, an_trace_inv, i).max_ps);
        g_autofree char *b = g_strdup_printf("<= %.3f us", (double)ps / 1e6);
        g_autofree char *s = r->invocations->len ? us_text(worst) : g_strdup("none made");
        verdict(c, "longest synchronous invocation", b, s, worst <= (int64_t)ps);
    }
    lua_pop(L, 1);
    rawfield(L, -1, "kernel_paths");
    if (!c->error && lua_istable(L, -1))
        check_paths(c, L);
    else if (!c->error && !lua_isnil(L, -1))
        bad(c, "kernel_paths: give a table of path = cycles");
    lua_pop(L, 1);
    return 0;
}

int an_check(const char *trace, const char *bounds, GString *out, GString *err)
{
    return an_check_limited(trace, bounds, NULL, out, err);
}

int an_check_limited(const char *trace, const char *bounds, const simlua_limits *limits, GString *out, GString *err)
{
    return an_check_opts(trace, bounds, limits, false, out, err);
}

int an_check_opts(const char *trace, const char *bounds, const simlua_limits *limits, bool json, GString *out,
                  GString *err)
{
    an_trace_report r;
    GError *e = NULL;
    if (!an_trace_read(trace, NULL, &r, &e)) {
        g_string_append_printf(err, "%s\n", e->message);
        g_error_free(e);
        return 2;
    }
    checker c = { .r = &r, .file = bounds, .out = out, .json = json ? g_string_new(NULL) : NULL };
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(bounds, &text, &len, &e)) {
        c.error = g_strdup_printf("cannot read the bounds file: %s", e->message);
        g_clear_error(&e);
    } else if (!simlua_read_data(bounds, text, len, limits, check_value, &c, &e)) {
        g_free(c.error);
        c.error = g_strdup(e->message);      /* file:line: message, and a traceback */
        g_clear_error(&e);
    }
    an_trace_clear(&r);
    g_autoptr(GString) items = c.json;
    if (c.error) {
        g_string_truncate(out, 0);
        g_string_append_printf(err, "%s\n", c.error);
        g_free(c.error);
        return 2;
    }
    if (c.n == 0) {
        g_string_append_printf(err, "%s: no bounds to check\n", bounds);
        return 2;
    }
    if (items)
        g_string_append_printf(out, "{\"checked\":%d,\"violated\":%d,\"bounds\":[%s]}\n", c.n, c.failed, items->str);
    else
        g_string_append_printf(out, "%d bound%s checked, %d violated\n", c.n, c.n == 1 ? "" : "s", c.failed);
    return c.failed ? 1 : 0;
}

int an_cli_check(int argc, char **argv)
{
    gint memory_mib = (gint)(SIMLUA_DATA_MEMORY >> 20);
    gint64 instructions = (gint64)SIMLUA_DATA_INSTRUCTIONS;
    gint timeout_s = SIMCLI_DEFAULT_TIMEOUT;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Host-time budget: give up after this many seconds (exit 2; default 600; 0 = none)", "SECONDS" },
        { "lua-memory", 0, 0, G_OPTION_ARG_INT, &memory_mib, "Memory cap of the bounds file, MiB (default 64; 0 = none)", "MIB" },
        { "lua-instructions", 0, 0, G_OPTION_ARG_INT64, &instructions, "Instruction cap of the bounds file (default 1e8; 0 = none)", "N" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object: checked, violated, and each bound's check, bound, observed, pass", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("TRACE.db BOUNDS.lua - check a run's trace against timing bounds (exit 1 on a violation)");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "cossim check: %s\n", err->message);
        return 2;
    }
    if (memory_mib < 0 || memory_mib > 1 << 20 || instructions < 0 || timeout_s < 0) {
        fprintf(stderr, "cossim check: --lua-memory is 0 (no cap) to 1048576 MiB, --lua-instructions and --timeout "
                        "0 (no cap) or more\n");
        return 2;
    }
    /* the bounds file's code may never return to the count hook (a
     * pathological pattern match in C): an alarm ends it */
    if (timeout_s > 0)
        simcli_watchdog("check", (unsigned)timeout_s);
    simlua_limits lim = { (size_t)memory_mib << 20, (uint64_t)instructions };
    if (argc != 3) {
        fprintf(stderr, "cossim check: give a trace and a bounds file: cossim check TRACE.db BOUNDS.lua\n");
        return 2;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) msg = g_string_new(NULL);
    int rc = an_check_opts(argv[1], argv[2], &lim, json, out, msg);
    fputs(out->str, stdout);
    if (msg->len)
        fprintf(stderr, "cossim check: %s", msg->str);
    return rc;
}
