/* sim/lua_error.c: what a scenario sees when something goes wrong.  Every
 * error, from the script, a module, an event callback, a process or a
 * __gc finalizer, becomes "FILE:LINE: message" and a traceback; the first
 * one is the run's failure, which stops the engine and which no pcall in
 * the script can catch (lua_sandbox.c's pcall lets it through).  The
 * bottom of the host: it calls no other file of it (lua_internal.h). */
#include "lua_internal.h"

#include <string.h>

#include <lauxlib.h>

G_DEFINE_QUARK(simlua-error-quark, simlua_error)

/* "src:line: " of the innermost Lua function on T's stack, or "" */
void simlua_push_where(lua_State *L, lua_State *T)
{
    lua_Debug ar;
    for (int level = 0; lua_getstack(T, level, &ar); level++) {
        if (lua_getinfo(T, "Sl", &ar) && ar.currentline >= 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

bool simlua_has_position(const char *msg)
{
    /* "anything:123:" within the first line */
    for (const char *p = msg; *p && *p != '\n'; p++) {
        if (*p != ':' || !g_ascii_isdigit(p[1]))
            continue;
        const char *q = p + 1;
        while (g_ascii_isdigit(*q))
            q++;
        if (*q == ':')
            return true;
    }
    return false;
}

/* The message of the error object at idx, with a position prefix taken
 * from T's stack if it has none. [-0, +1, m] */
const char *simlua_push_message(lua_State *L, int idx, lua_State *T)
{
    idx = lua_absindex(L, idx);
    int t = lua_type(L, idx);
    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        lua_pushvalue(L, idx);
        lua_tostring(L, -1);
    } else if (luaL_callmeta(L, idx, "__tostring")) {
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 1);
            lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, idx));
        }
    } else {
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, idx));
    }
    if (!simlua_has_position(lua_tostring(L, -1))) {
        simlua_push_where(L, T);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_tostring(L, -1);
}

/* Message handler for lua_pcall: message with position, then traceback. */
int simlua_msgh(lua_State *L)
{
    simlua *h = simlua_host(L);
    if (h->failure) {   /* an earlier failure is being carried out: keep its text */
        lua_pushstring(L, h->failure);
        return 1;
    }
    const char *msg = simlua_push_message(L, 1, L);
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Record the run's failure (first one wins), stop the engine. */
void simlua_set_failure(simlua *h, const char *text)
{
    if (h->failure == NULL)
        h->failure = g_strdup(text);
    h->fatal = true;
    if (h->s)
        sim_stop(h->s, "script error");
}

void simlua_memory_failure(simlua *h)
{
    GString *m = g_string_new(NULL);
    g_string_append_printf(m, "%s: memory limit of %zu bytes (%.1f MiB) exceeded%s",
                           h->refusal_frames ? h->refusal[0] : h->script_path, h->lim.memory,
                           (double)h->lim.memory / (1 << 20), h->no_options ? "" : " (raise it with --lua-memory)");
    g_string_append(m, "\nstack traceback:");
    for (int i = 0; i < h->refusal_frames; i++)
        g_string_append_printf(m, "\n\t%s", h->refusal[i]);
    simlua_set_failure(h, m->str);
    g_string_free(m, TRUE);
}

/* Carry a failure out of the current Lua call; nothing can catch it. */
int simlua_raise_failure(lua_State *L)
{
    simlua *h = simlua_host(L);
    h->fatal = true;
    lua_pushstring(L, h->failure ? h->failure : "run failed");
    return lua_error(L);
}

/* Call the function under the nargs arguments on top of L, under the
 * message handler; on error record the failure. [-(nargs+1), +0, -] */
bool simlua_protected_call(simlua *h, lua_State *L, int nargs)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, simlua_msgh);
    lua_insert(L, base);
    lua_State *was = h->running;
    h->running = L;
    int status = lua_pcall(L, nargs, 0, base);
    h->running = was;
    bool ok = status == LUA_OK;
    if (!ok) {
        if (status == LUA_ERRMEM && h->refused)
            simlua_memory_failure(h);
        else
            simlua_set_failure(h, lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
        lua_pop(L, 1);
    }
    lua_remove(L, base);
    return ok;
}

/* Lua reports an error in a __gc finalizer as a warning ("error in __gc
 * (MESSAGE)"), in pieces.  In a scenario it is an error like any other. */
void simlua_on_warning(void *ud, const char *msg, int tocont)
{
    simlua *h = ud;
    if (h->warning == NULL)
        h->warning = g_string_new(NULL);
    g_string_append(h->warning, msg);
    if (tocont)
        return;
    g_autofree char *text = g_string_free(h->warning, FALSE);
    h->warning = NULL;
    if (text[0] == '@')      /* a control message ("@on", "@off") */
        return;
    const char *open = strstr(text, " (");
    const char *close = strrchr(text, ')');
    g_autofree char *inner = open && close > open ? g_strndup(open + 2, (gsize)(close - open - 2)) : g_strdup(text);
    g_autofree char *m = simlua_has_position(inner)
        ? g_strdup_printf("%s (in a __gc finalizer)\nstack traceback:\n\t[collector]: in a __gc finalizer", inner)
        : g_strdup_printf("%s: %s (in a __gc finalizer)\nstack traceback:\n\t[collector]: in a __gc finalizer",
                          h->script_path ? h->script_path : "?", inner);
    simlua_set_failure(h, m);
}

