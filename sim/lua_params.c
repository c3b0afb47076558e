/* sim/lua_params.c: a scenario's parameters (lua.h).
 *
 * The global `params` holds the values of `cossim run --set KEY=VALUE`.
 * It is a proxy: the values live in a table of their own and every key the
 * script reads (params.k, pairs(params)) is noted, so that a --set key the
 * scenario never read is an error after the run ("--set foo: the scenario
 * never read params.foo"), not a silent no-op.
 *
 * sim.params{ key = { default, "what it is" }, ... } declares them: it
 * returns a table of every declared key with its --set value or its
 * default, checks a --set value against its default's type, and makes an
 * undeclared --set key an error at the declaration's line.  With
 * `cossim run SCENARIO --help` the script stops there and the declaration
 * is listed instead (simlua_set_help); a scenario that declares nothing
 * stops at its first run, and the keys it read until then are listed.
 */
#include "lua_internal.h"

#include <string.h>
#include <lauxlib.h>

#include "lua.h"

/* Registry keys: the values table and the set of keys read. */
static const char VALUES_KEY = 'v', READ_KEY = 'r';

static void push_table(lua_State *L, const char *key)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, key);
}

static void mark_read(lua_State *L, int key)
{
    key = lua_absindex(L, key);
    push_table(L, &READ_KEY);
    lua_pushvalue(L, key);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static int l_index(lua_State *L)      /* __index(proxy, k) */
{
    mark_read(L, 2);
    push_table(L, &VALUES_KEY);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static int l_newindex(lua_State *L)   /* __newindex(proxy, k, v): the script's own value */
{
    mark_read(L, 2);
    push_table(L, &VALUES_KEY);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_rawset(L, -3);
    return 0;
}

static int l_pairs(lua_State *L)      /* __pairs(proxy): every key is read */
{
    push_table(L, &VALUES_KEY);
    int values = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, values)) {
        lua_pop(L, 1);
        mark_read(L, -1);
    }
    lua_getglobal(L, "next");
    lua_pushvalue(L, values);
    lua_pushnil(L);
    return 3;
}

void simlua_open_params(lua_State *L)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &VALUES_KEY);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &READ_KEY);
    lua_newtable(L);                    /* the proxy */
    lua_newtable(L);
    lua_pushcfunction(L, l_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, l_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "params");
    lua_setfield(L, -2, "__metatable");  /* getmetatable(params) cannot reach the functions */
    lua_setmetatable(L, -2);
    lua_setglobal(L, "params");
}

void simlua_params_store(simlua *h, const char *key)
{
    lua_State *L = h->L;        /* the value is on top */
    push_table(L, &VALUES_KEY);
    lua_insert(L, -2);
    lua_setfield(L, -2, key);
    lua_pop(L, 1);
    g_ptr_array_add(h->set_keys, g_strdup(key));
}

/* The --set keys never read, "a, b" (NULL: none). */
char *simlua_params_unread(simlua *h)
{
    lua_State *L = h->L;
    GString *s = NULL;
    push_table(L, &READ_KEY);
    for (guint i = 0; i < h->set_keys->len; i++) {
        const char *k = g_ptr_array_index(h->set_keys, i);
        lua_getfield(L, -1, k);
        if (!lua_toboolean(L, -1)) {
            s = s ? s : g_string_new(NULL);
            g_string_append_printf(s, "%s%s", s->len ? ", " : "", k);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return s ? g_string_free(s, FALSE) : NULL;
}

/* ---- sim.params ---- */

/* The string keys of the table at t, sorted, as a new array on top (a Lua
 * table: an error raised meanwhile leaves nothing to free).  Its length. */
static lua_Integer sorted_keys(lua_State *L, int t, bool strings_only)
{
    t = lua_absindex(L, t);
    lua_newtable(L);
    int out = lua_gettop(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            if (strings_only)
                luaL_error(L, "sim.params: a parameter's name is a string, not a %s", luaL_typename(L, -1));
            continue;
        }
        /* insertion: shift the greater ones up (a handful of keys) */
        lua_Integer i = n++;
        while (i > 0) {
            lua_geti(L, out, i);
            bool greater = lua_compare(L, -1, -2, LUA_OPLT) == 0;
            if (!greater) {
                lua_pop(L, 1);
                break;
            }
            lua_seti(L, out, i + 1);
            i--;
        }
        lua_pushvalue(L, -1);
        lua_seti(L, out, i + 1);
    }
    return n;
}

/* The keys of the array on top joined with ", " (pushed). */
static void push_joined(lua_State *L, int keys, lua_Integer n)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (lua_Integer i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addstring(&b, ", ");
        lua_geti(L, keys, i);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
}

/* The declaration of key: its default on top, its description in *help. */
static void read_entry(lua_State *L, int decl, const char *key, const char **help)
{
    lua_getfield(L, decl, key);
    if (!lua_istable(L, -1))
        luaL_error(L, "sim.params: '%s' = { default, \"what it is\" }, not a %s", key, luaL_typename(L, -1));
    lua_rawgeti(L, -1, 2);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_getfield(L, -1, "help");
    }
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "sim.params: '%s' needs a description (its second value, or help = \"...\")", key);
    *help = lua_tostring(L, -1);        /* kept alive by the declaration */
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_getfield(L, -1, "default");
    }
    int t = lua_type(L, -1);
    if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
        luaL_error(L, "sim.params: the default of '%s' is a number, a string or a boolean, not a %s", key,
                   lua_typename(L, t));
    lua_remove(L, -2);
}

static void show_help(simlua *h, lua_State *L, int decl, int keys, lua_Integer n)
{
    char *base = g_path_get_basename(h->script_path ? h->script_path : "scenario");
    fprintf(h->out, "%s: parameters (cossim run %s --set KEY=VALUE)\n", base, base);
    g_free(base);
    for (lua_Integer i = 1; i <= n; i++) {
        const char *help = NULL;
        lua_geti(L, keys, i);
        const char *k = lua_tostring(L, -1);
        read_entry(L, decl, k, &help);
        fprintf(h->out, "  %-14s %-12s %s\n", k, luaL_tolstring(L, -1, NULL), help);
        lua_pop(L, 3);
    }
    fflush(h->out);
    h->help_shown = true;
    luaL_error(L, "(help shown)");
}

int simlua_l_params(lua_State *L)
{
    simlua *h = simlua_host(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_Integer n = sorted_keys(L, 1, true);
    int keys = lua_gettop(L);
    if (h->help)
        show_help(h, L, 1, keys, n);
    /* a --set key must be declared */
    for (guint i = 0; i < h->set_keys->len; i++) {
        const char *k = g_ptr_array_index(h->set_keys, i);
        lua_getfield(L, 1, k);
        bool declared = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (!declared) {
            luaL_where(L, 1);
            lua_pushfstring(L, "--set %s: the scenario declares no parameter '%s' (it declares: ", k, k);
            if (n)
                push_joined(L, keys, n);
            else
                lua_pushliteral(L, "none");
            lua_pushliteral(L, "; 'cossim run SCENARIO --help' lists them)");
            lua_concat(L, 4);
            return lua_error(L);
        }
    }
    lua_newtable(L);
    int out = lua_gettop(L);
    push_table(L, &VALUES_KEY);
    int values = lua_gettop(L);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, keys, i);
        const char *k = lua_tostring(L, -1), *help = NULL;
        read_entry(L, 1, k, &help);
        int def = lua_gettop(L);
        mark_read(L, def - 1);
        lua_getfield(L, values, k);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushvalue(L, def);
        } else if (lua_type(L, -1) != lua_type(L, def)) {
            int got = lua_gettop(L);
            const char *v = luaL_tolstring(L, got, NULL), *d = luaL_tolstring(L, def, NULL);
            const char *hint = lua_type(L, def) == LUA_TSTRING && lua_type(L, got) == LUA_TNUMBER
                                   ? " (a time or a size needs its unit, as the default has it)" : "";
            luaL_where(L, 1);
            lua_pushfstring(L, "--set %s=%s: '%s' is a %s like its default %s%s", k, v, k,
                            lua_typename(L, lua_type(L, def)), d, hint);
            lua_concat(L, 2);
            return lua_error(L);
        }
        lua_setfield(L, out, k);
        lua_pop(L, 2);          /* the default, the key */
    }
    lua_pop(L, 1);
    h->declared = true;
    return 1;
}

/* In help mode, the first run of a scenario that declared nothing. */
void simlua_params_help_at_run(lua_State *L)
{
    simlua *h = simlua_host(L);
    if (!h->help || h->declared)
        return;
    push_table(L, &READ_KEY);
    lua_Integer n = sorted_keys(L, -1, false);
    int keys = lua_gettop(L);
    if (n)
        push_joined(L, keys, n);
    else
        lua_pushliteral(L, "none");
    char *base = g_path_get_basename(h->script_path ? h->script_path : "scenario");
    fprintf(h->out, "%s declares no parameters (sim.params); before its first run it read: %s\n", base,
            lua_tostring(L, -1));
    g_free(base);
    fflush(h->out);
    h->help_shown = true;
    luaL_error(L, "(help shown)");
}
