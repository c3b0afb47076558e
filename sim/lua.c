/* sim/lua.c: the Lua host's life cycle (see lua.h): a sandboxed state
 * for one simulation, the script run in it (then the simulation up to the
 * --until cap if the script did not run it), the report, what bindings
 * attached, and freeing it all in order.  The sandbox, the `sim` table,
 * errors, key order and the report live in the files lua_internal.h
 * lists, all below this one. */
#include "lua_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

/* What a binding attached (simlua_attach). */
typedef struct attachment {
    void *obj;
    void (*end)(void *obj);
    void (*free_fn)(void *obj);
} attachment;

sim *simlua_sim(lua_State *L)
{
    return simlua_host(L)->s;
}

void simlua_attach(lua_State *L, void *obj, void (*end)(void *obj), void (*free_fn)(void *obj))
{
    attachment a = { obj, end, free_fn };
    g_array_append_val(simlua_host(L)->attached, a);
}

bool simlua_live(lua_State *L)
{
    return !simlua_host(L)->ended;
}

void simlua_set_machine(lua_State *L, const char *name)
{
    simlua *h = simlua_host(L);
    g_free(h->machine);
    h->machine = g_strdup(name);
}

const char *simlua_machine(const simlua *h)
{
    return h->machine ? h->machine : "none";
}

/* open_lib(open fn as light userdata) under pcall [-0, +0, e] */
static int open_lib(lua_State *L)
{
    int (*fn)(lua_State *) = (int (*)(lua_State *))lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_pushglobaltable(L);
    fn(L);
    return 0;
}

/* The sandbox, then the `sim` table (for a simulation), under pcall at
 * set-up. [-0, +0, e] */
static int open_all(lua_State *L)
{
    simlua_open_sandbox(L);
    if (simlua_host(L)->s)
        simlua_open_simlib(L);
    return 0;
}

simlua *simlua_new(sim *s, const simlua_limits *limits, FILE *out, const char *lib_dir,
                   const simlua_lib *libs, size_t nlibs, GError **error)
{
    simlua *h = g_new0(simlua, 1);
    h->s = s;
    h->out = out;
    h->lim = *limits;
    h->lib_dir = g_strdup(lib_dir);
    h->attached = g_array_new(FALSE, FALSE, sizeof(attachment));
    h->set_keys = g_ptr_array_new_with_free_func(g_free);
    simrng_init(&h->math_rng, s ? s->seed : 0, "lua.math");
    h->L = lua_newstate(simlua_alloc, h);
    if (h->L == NULL) {
        g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_INIT, "cannot create a Lua state (memory limit too small?)");
        simlua_free(h);
        return NULL;
    }
    h->main_thread.h = h;
    *(simlua_thread **)lua_getextraspace(h->L) = &h->main_thread;
    lua_sethook(h->L, simlua_count_hook, LUA_MASKCOUNT, SIMLUA_HOOK_EVERY);
    lua_setwarnf(h->L, simlua_on_warning, h);
    h->running = h->L;
    lua_pushcfunction(h->L, open_all);
    if (lua_pcall(h->L, 0, 0, 0) != LUA_OK) {
        g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_INIT, "cannot set up the Lua sandbox: %s",
                    lua_tostring(h->L, -1) ? lua_tostring(h->L, -1) : "out of memory");
        simlua_free(h);
        return NULL;
    }
    for (size_t i = 0; i < nlibs; i++) {
        lua_pushcfunction(h->L, open_lib);
        lua_pushlightuserdata(h->L, (void *)libs[i].open);
        if (lua_pcall(h->L, 1, 0, 0) != LUA_OK) {
            g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_INIT, "cannot open the %s library: %s", libs[i].name,
                        lua_type(h->L, -1) == LUA_TSTRING ? lua_tostring(h->L, -1) : "error");
            simlua_free(h);
            return NULL;
        }
    }
    return h;
}

void simlua_free(simlua *h)
{
    if (h == NULL)
        return;
    simlua_cancel_all(h);
    h->ended = true;          /* finalizers run by lua_close may not act */
    /* ... and the run is over: what is left of the budget is not theirs,
     * only a little more (they run on coroutines with the hook on) */
    h->lim.instructions = h->instructions + SIMLUA_CLOSE_INSTRUCTIONS;
    if (h->L)
        lua_close(h->L);   /* timer handles are collected here; they only read their records */
    for (guint i = h->attached ? h->attached->len : 0; i-- > 0;) {
        attachment *a = &g_array_index(h->attached, attachment, i);
        if (a->free_fn)
            a->free_fn(a->obj);        /* last attached, first freed */
    }
    if (h->attached)
        g_array_free(h->attached, TRUE);
    if (h->set_keys)
        g_ptr_array_free(h->set_keys, TRUE);
    g_free(h->machine);
    if (h->warning)
        g_string_free(h->warning, TRUE);
    simlua_free_records(h);
    g_free(h->lib_dir);
    g_free(h->script_dir);
    g_free(h->script_path);
    g_free(h->failure);
    g_free(h->report);
    g_free(h);
}

void simlua_param(simlua *h, const char *key, const char *value)
{
    lua_State *L = h->L;
    char *end = NULL;
    errno = 0;
    long long ll = strtoll(value, &end, 10);
    if (*value && *end == '\0' && errno == 0) {
        lua_pushinteger(L, (lua_Integer)ll);
    } else {
        double d = g_ascii_strtod(value, &end);
        if (*value && *end == '\0' && isfinite(d))
            lua_pushnumber(L, d);
        else if (strcmp(value, "true") == 0)
            lua_pushboolean(L, 1);
        else if (strcmp(value, "false") == 0)
            lua_pushboolean(L, 0);
        else
            lua_pushstring(L, value);
    }
    simlua_params_store(h, key);
}

void simlua_set_help(simlua *h)
{
    h->help = true;
}

void simlua_set_until(simlua *h, sim_time_t until)
{
    h->has_until = true;
    h->until = until;
}

bool simlua_run(simlua *h, const char *path, const char *buf, size_t len, GError **error)
{
    lua_State *L = h->L;
    g_free(h->script_path);
    h->script_path = g_strdup(path);
    g_free(h->script_dir);
    h->script_dir = g_path_get_dirname(path);
    g_autofree char *chunk = g_strconcat("@", path, NULL);
    int base = lua_gettop(L);
    lua_pushcfunction(L, simlua_msgh);
    int status = luaL_loadbufferx(L, buf, len, chunk, "t");
    if (status == LUA_OK) {
        h->running = L;
        /* watch its return for the report's line (lua_sandbox.c) */
        h->watching = true;
        lua_sethook(L, simlua_count_hook, LUA_MASKCOUNT | LUA_MASKRET, SIMLUA_HOOK_EVERY);
        status = lua_pcall(L, 0, 1, base + 1);
        if (h->watching) {                              /* it raised: no return */
            h->watching = false;
            lua_sethook(L, simlua_count_hook, LUA_MASKCOUNT, SIMLUA_HOOK_EVERY);
        }
    }
    if (status != LUA_OK && h->help_shown) {
        lua_settop(L, base);
        g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_HELP, "the parameters were listed");
        return false;
    }
    if (status != LUA_OK) {
        if (h->failure == NULL) {
            if (status == LUA_ERRMEM && h->refused)
                simlua_memory_failure(h);
            else
                simlua_set_failure(h, lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error");
        }
        lua_settop(L, base);
        g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, h->failure);
        return false;
    }
    /* The returned report stays on the stack (at base + 2, above the
     * message handler) while the simulation finishes. */
    int report = lua_gettop(L);
    if (!h->ran && h->has_until && h->until >= sim_now(h->s) && h->failure == NULL &&
        sim_run(h->s, h->until, 0) == SIM_STOP_HOST && h->failure == NULL) {
        char why[256];
        g_autofree char *m = g_strdup_printf("%s: %s", path, simbudget_message(h->s->budget, why, sizeof why));
        simlua_set_failure(h, m);
    }
    if (h->failure == NULL) {     /* a --set the scenario never read did nothing: say so */
        g_autofree char *unread = simlua_params_unread(h);
        if (unread) {
            g_autofree char *m = g_strdup_printf("%s: --set %s: the scenario never read %s (a misspelt parameter? "
                                                 "'cossim run SCENARIO --help' lists what it takes)",
                                                 path, unread, strchr(unread, ',') ? "these" : "it");
            simlua_set_failure(h, m);
        }
    }
    if (h->failure) {       /* a callback, a process, or a __gc finalizer */
        lua_settop(L, base);
        g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, h->failure);
        return false;
    }
    GString *out = g_string_new(NULL);
    GError *jerr = NULL;
    lua_pushcfunction(L, simlua_report_json);
    lua_pushlightuserdata(L, out);
    lua_pushlightuserdata(L, &jerr);
    lua_pushvalue(L, report);
    status = lua_pcall(L, 3, 1, 0);
    bool ok = status == LUA_OK && lua_toboolean(L, -1);
    if (!ok && jerr == NULL)
        g_set_error(&jerr, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, "%s",
                    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "out of memory");
    lua_settop(L, base);
    h->ended = true;
    for (guint i = 0; ok && h->failure == NULL && i < h->attached->len; i++) {
        attachment *a = &g_array_index(h->attached, attachment, i);
        if (a->end)
            a->end(a->obj);            /* e.g. the machine writes its counters */
    }
    if (!ok) {
        if (h->report_where[0])
            g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, "%s: the returned report: %s", h->report_where,
                        jerr->message);
        else
            g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, "%s: the returned report: %s", path, jerr->message);
        g_error_free(jerr);
        g_string_free(out, TRUE);
        return false;
    }
    if (h->failure) {
        g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, h->failure);
        g_string_free(out, TRUE);
        return false;
    }
    h->report = g_string_free(out, FALSE);
    return true;
}

bool simlua_read_data(const char *path, const char *buf, size_t len, const simlua_limits *limits,
                      int (*read)(lua_State *L), void *ud, GError **error)
{
    simlua_limits lim = { SIMLUA_DATA_MEMORY, SIMLUA_DATA_INSTRUCTIONS };
    simlua *h = simlua_new(NULL, limits ? limits : &lim, stderr, NULL, NULL, 0, error);
    if (h == NULL)
        return false;
    lua_State *L = h->L;
    h->no_options = limits == NULL;
    h->script_path = g_strdup(path);
    h->script_dir = g_path_get_dirname(path);
    g_autofree char *chunk = g_strconcat("@", path, NULL);
    lua_pushcfunction(L, simlua_msgh);                         /* 1 */
    int status = luaL_loadbufferx(L, buf, len, chunk, "t");
    if (status == LUA_OK)
        status = lua_pcall(L, 0, 1, 1);                        /* 2: the value */
    if (status == LUA_OK) {
        lua_pushcfunction(L, read);
        lua_insert(L, 2);
        lua_pushlightuserdata(L, ud);
        status = lua_pcall(L, 2, 0, 1);
    }
    if (status != LUA_OK && h->failure == NULL) {
        if (status == LUA_ERRMEM && h->refused)
            simlua_memory_failure(h);
        else
            simlua_set_failure(h, lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error");
    }
    bool ok = h->failure == NULL;
    if (!ok)
        g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, h->failure);
    simlua_free(h);
    return ok;
}

const char *simlua_report(const simlua *h)
{
    return h->report ? h->report : "null";
}

size_t simlua_memory(const simlua *h)
{
    return h->mem_peak;
}
