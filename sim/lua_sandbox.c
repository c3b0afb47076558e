/* sim/lua_sandbox.c: the sandbox a scenario runs in.  Only the base,
 * table, string, math and utf8 libraries, with these replaced: pcall and
 * xpcall (a limit or the run's failure goes through them), print (to the
 * host's output), load (text only), collectgarbage (a safe subset), pairs
 * and next (a fixed order: lua_keys.c), tostring and string.format (ids,
 * not addresses: lua_ids.c), table.sort (stable: no pivot from the
 * clock), require (the script's folder, then
 * scenarios/lib/), string.rep and table.move (their loops are charged),
 * math.random (the run's "lua.math" stream).  Also the capped allocator
 * and the instruction-count hook.  setmetatable is lua_gc.c's (finalizers
 * under the caps).  Calls lua_error.c, lua_gc.c, lua_ids.c and lua_keys.c
 * (lua_internal.h). */
#include "lua_internal.h"
#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* ---- limits: memory and instructions ---- */

/* Remember where the script was when memory ran out; the message handler
 * is not called for memory errors, so this is the only traceback.  Reads
 * the stack only (lua_getstack/lua_getinfo allocate nothing). */
static void note_refusal(simlua *h)
{
    h->refused = true;
    lua_State *T = h->running;
    if (T == NULL)
        return;
    /* a record with the script's position is kept over a later one without
     * (a second refusal, as the error unwinds to the host, finds no Lua
     * frame left: the message then had an empty traceback) */
    char frames[SIMLUA_MAX_REFUSAL_FRAMES][sizeof h->refusal[0]];
    int n = 0;
    lua_Debug ar;
    for (int level = 0; n < SIMLUA_MAX_REFUSAL_FRAMES && lua_getstack(T, level, &ar); level++) {
        if (!lua_getinfo(T, "Sl", &ar) || ar.currentline < 0)
            continue;
        g_snprintf(frames[n++], sizeof frames[0], "%s:%d", ar.short_src, ar.currentline);
    }
    if (n == 0 && h->refusal_frames > 0)
        return;
    memcpy(h->refusal, frames, sizeof frames);
    h->refusal_frames = n;
}

/* Make the count hook of the running thread fire at its next instruction
 * (lua_sethook may be called from anywhere, even a signal handler). */
static void hook_now(simlua *h)
{
    lua_State *T = h->running;
    if (T && lua_gethook(T))
        lua_sethook(T, lua_gethook(T), lua_gethookmask(T), 1);
}

void *simlua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    simlua *h = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        h->mem -= old;
        return NULL;
    }
    if (h->lim.memory && nsize > old && h->mem - old + nsize > h->lim.memory) {
        note_refusal(h);
        return NULL;
    }
    if (nsize > old) {
        /* C work on big strings and tables, charged by the memory it fills
         * (a concatenation of 64 MiB strings is a few VM instructions); past
         * the limit, the next instruction raises (the allocator cannot) */
        uint64_t n = (nsize - old) / SIMLUA_ALLOC_BYTES;
        h->instructions = n > UINT64_MAX - h->instructions ? UINT64_MAX : h->instructions + n;
        if (h->lim.instructions && h->instructions > h->lim.instructions)
            hook_now(h);
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL)
        return NULL;
    h->mem = h->mem - old + nsize;
    if (h->mem > h->mem_peak)
        h->mem_peak = h->mem;
    return p;
}

/* The instruction limit is spent: from now on raise at once, wherever the
 * script tries to go on (pcall cannot stop it: see finish_pcall). */
static int limit_error(lua_State *L)
{
    simlua *h = simlua_host(L);
    if (!h->fatal) {
        h->fatal = true;
        lua_sethook(L, simlua_count_hook, LUA_MASKCOUNT, 1);
    }
    simlua_push_where(L, L);
    lua_pushfstring(L, "instruction limit of %I exceeded (a runaway loop?%s)", (lua_Integer)h->lim.instructions,
                    h->no_options ? "" : " raise it with --lua-instructions");
    lua_concat(L, 2);
    return lua_error(L);
}

/* A host budget of the run is spent (sim/budget.h): raise at once, as for
 * the instruction limit. */
static int budget_error(lua_State *L)
{
    simlua *h = simlua_host(L);
    if (!h->fatal) {
        h->fatal = true;
        lua_sethook(L, simlua_count_hook, LUA_MASKCOUNT, 1);
    }
    char why[256];
    simlua_push_where(L, L);
    lua_pushstring(L, simbudget_message(h->s->budget, why, sizeof why));
    lua_concat(L, 2);
    return lua_error(L);
}

static void check_limits(lua_State *L, simlua *h)
{
    if (h->fatal && h->failure)
        simlua_raise_failure(L);
    if (h->fatal || (h->lim.instructions && h->instructions > h->lim.instructions))
        limit_error(L);
    if (h->s && !simbudget_ok(h->s->budget))
        budget_error(L);
}

/* A return on the main thread while the script's main function runs: the
 * outermost frame is that function (or one it tail-called, which then
 * gives the report), every other frame is above it.  Note where it
 * returns, and stop watching. */
static void watch_return(lua_State *L, simlua *h, lua_Debug *ar)
{
    lua_Debug up;
    if (L != h->L || !h->watching || lua_getstack(L, 1, &up))
        return;                                        /* not the outermost frame */
    h->watching = false;
    lua_sethook(L, simlua_count_hook, LUA_MASKCOUNT, SIMLUA_HOOK_EVERY);
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        g_snprintf(h->report_where, sizeof h->report_where, "%s:%d", ar->short_src, ar->currentline);
}

void simlua_count_hook(lua_State *L, lua_Debug *ar)
{
    simlua *h = simlua_host(L);
    if (ar->event == LUA_HOOKRET) {
        watch_return(L, h, ar);
        return;
    }
    /* (a count of 1 set by hook_now is not 1,000 instructions run: the
     * allocator charged them already) */
    h->instructions += SIMLUA_HOOK_EVERY;
    check_limits(L, h);
}

/* See lua_internal.h. [-0, +0, e] */
void simlua_charge(lua_State *L, uint64_t n)
{
    simlua *h = simlua_host(L);
    h->instructions = n > UINT64_MAX - h->instructions ? UINT64_MAX : h->instructions + n;
    check_limits(L, h);
}


/* ---- sandbox replacements for base functions ---- */

static int finish_pcall(lua_State *L, int status, lua_KContext extra)
{
    simlua *h = simlua_host(L);
    if (status != LUA_OK && status != LUA_YIELD) {
        if (status == LUA_ERRMEM)
            h->fatal = true;
        if (h->fatal)
            return lua_error(L);     /* limits and failures go through */
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

/* pcall(f, ...) [-0, +?, e] */
static int l_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

/* xpcall(f, handler, ...) [-0, +?, e] */
static int l_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

/* print(...) to the host's output [-0, +0, e] */
static int l_print(lua_State *L)
{
    simlua *h = simlua_host(L);
    int n = lua_gettop(L);
    simcli_progress_clear();
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = simlua_tolstring(L, i, &len);
        if (i > 1)
            fputc('\t', h->out);
        fwrite(s, 1, len, h->out);
        lua_pop(L, 1);
    }
    fputc('\n', h->out);
    return 0;
}

/* load(chunk [, name [, mode [, env]]]): text chunks only [-0, +1/2, e] */
static int l_load(lua_State *L)
{
    int n = lua_gettop(L);
    if (n >= 3 && !lua_isnil(L, 3)) {
        const char *mode = luaL_checkstring(L, 3);
        if (strchr(mode, 't') == NULL)
            return luaL_error(L, "load: binary chunks are not allowed in scenarios");
    }
    size_t len = 0;
    const char *chunk = NULL;
    if (lua_type(L, 1) == LUA_TSTRING)
        chunk = lua_tolstring(L, 1, &len);
    else
        luaL_argexpected(L, lua_type(L, 1) == LUA_TSTRING, 1, "string (function readers are not supported)");
    const char *name = luaL_optstring(L, 2, chunk);
    int status = luaL_loadbufferx(L, chunk, len, name, "t");
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM)
            return lua_error(L);
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (n >= 4) {   /* env becomes the chunk's first upvalue */
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

/* collectgarbage(opt): a safe subset [-0, +1, e] */
static int l_collectgarbage(lua_State *L)
{
    static const char *const opts[] = { "collect", "count", "step", "isrunning", NULL };
    int o = luaL_checkoption(L, 1, "collect", opts);
    switch (o) {
    case 0:
        lua_gc(L, LUA_GCCOLLECT);
        lua_pushinteger(L, 0);
        return 1;
    case 1: {
        int k = lua_gc(L, LUA_GCCOUNT), b = lua_gc(L, LUA_GCCOUNTB);
        lua_pushnumber(L, (lua_Number)k + ((lua_Number)b / 1024));
        return 1;
    }
    case 2:
        lua_pushboolean(L, lua_gc(L, LUA_GCSTEP, (int)luaL_optinteger(L, 2, 0)));
        return 1;
    default:
        lua_pushboolean(L, lua_gc(L, LUA_GCISRUNNING));
        return 1;
    }
}

/* ---- library loops the instruction hook cannot see ---- */

/* Call upvalue 1 (the library's own function) with our arguments. */
static int call_original(lua_State *L)
{
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* string.rep(s, n [, sep]): its loop runs n times even when the result is
 * empty, so charge n. [-0, +1, e] */
static int l_string_rep(lua_State *L)
{
    size_t l, lsep = 0;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n > 0 && l + lsep == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (n > 0)
        simlua_charge(L, (uint64_t)n);
    return call_original(L);
}

/* table.move(a1, f, e, t [, a2]): charge the elements it walks. [-0, +1, e] */
static int l_table_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f)
        simlua_charge(L, (uint64_t)e - (uint64_t)f + 1);
    return call_original(L);
}

/* ---- table.sort: the same order on every run ---- */

/* Lua's own sort picks a new pivot from clock() and time() when a
 * partition comes out unbalanced, so the order it leaves among elements
 * that compare equal (or under a comparator that is not an order) may
 * differ from run to run.  This is a bottom-up merge sort instead: stable,
 * so its result depends on the input alone, and it ends whatever the
 * comparator says.  For a strict total order (every shipped use) the
 * result is the one Lua gives. */

/* a < b, by the comparator at 2 if any (the values at ia and ib). [-0, +0, e] */
static bool sort_less(lua_State *L, int ia, int ib)
{
    ia = lua_absindex(L, ia);
    ib = lua_absindex(L, ib);
    if (lua_isnil(L, 2))
        return lua_compare(L, ia, ib, LUA_OPLT);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, ia);
    lua_pushvalue(L, ib);
    lua_call(L, 2, 1);
    bool less = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return less;
}

/* table.sort(list [, comp]) [-0, +0, e] */
static int l_table_sort(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 1);
    if (n < 2)
        return 0;
    luaL_argcheck(L, n < INT_MAX, 1, "array too big");
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    uint64_t levels = 0;
    for (lua_Integer w = 1; w < n; w *= 2)
        levels++;
    simlua_charge(L, (uint64_t)n * levels);          /* comparisons made in C */
    lua_createtable(L, (int)n, 0);                    /* 3: one buffer */
    lua_createtable(L, (int)n, 0);                    /* 4: the other */
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        lua_rawseti(L, 3, i);
    }
    int src = 3, dst = 4;
    for (lua_Integer w = 1; w < n; w *= 2) {
        for (lua_Integer lo = 1; lo <= n; lo += 2 * w) {
            lua_Integer mid = MIN(lo + w, n + 1), hi = MIN(lo + 2 * w, n + 1), i = lo, j = mid, k = lo;
            while (i < mid || j < hi) {
                bool right = false;
                if (i < mid && j < hi) {
                    lua_rawgeti(L, src, i);
                    lua_rawgeti(L, src, j);
                    right = sort_less(L, -1, -2);    /* take the right one only if strictly less */
                    lua_pop(L, 2);
                } else {
                    right = i >= mid;
                }
                lua_rawgeti(L, src, right ? j++ : i++);
                lua_rawseti(L, dst, k++);
            }
        }
        int t = src;
        src = dst;
        dst = t;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, src, i);
        lua_seti(L, 1, i);
    }
    return 0;
}

/* ---- math.random from the run's stream ---- */

/* math.random([m [, n]]) [-0, +1, e] */
static int l_random(lua_State *L)
{
    simlua *h = simlua_host(L);
    lua_Integer lo, hi;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, simrng_uniform(&h->math_rng));
        return 1;
    case 1:
        lo = 1;
        hi = luaL_checkinteger(L, 1);
        if (hi == 0) {   /* Lua 5.4: random(0) gives a whole random integer */
            lua_pushinteger(L, (lua_Integer)simrng_next(&h->math_rng));
            return 1;
        }
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    lua_pushinteger(L, simrng_range(&h->math_rng, lo, hi));
    return 1;
}

/* math.randomseed([seed]): restart the stream ("lua.math" of the seed,
 * the run's by default) [-0, +0, e] */
static int l_randomseed(lua_State *L)
{
    simlua *h = simlua_host(L);
    uint64_t seed = lua_isnoneornil(L, 1) ? (h->s ? h->s->seed : 0) : (uint64_t)luaL_checkinteger(L, 1);
    simrng_init(&h->math_rng, seed, "lua.math");
    return 0;
}

/* ---- require ---- */

static bool valid_module_name(const char *name)
{
    if (*name == '\0' || *name == '.')
        return false;
    for (const char *p = name; *p; p++) {
        if (*p == '.') {
            if (p[1] == '.' || p[1] == '\0')
                return false;
        } else if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-') {
            return false;
        }
    }
    return true;
}

/* require(name) [-0, +1, e]
 * Nothing from GLib may be held across a call that can raise: a Lua error
 * is a longjmp, and g_autofree cleanups do not run.  Paths are Lua strings. */
static int l_require(lua_State *L)
{
    simlua *h = simlua_host(L);
    const char *name = luaL_checkstring(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->loaded_ref);          /* 2: loaded */
    if (lua_getfield(L, 2, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    if (!valid_module_name(name))
        return luaL_error(L, "require: '%s' is not a module name (letters, digits, _ and -, "
                             "separated by dots)", name);
    luaL_gsub(L, name, ".", G_DIR_SEPARATOR_S);
    lua_pushliteral(L, ".lua");
    lua_concat(L, 2);                                           /* 3: relative file */
    const char *file = lua_tostring(L, 3);
    const char *dirs[2] = { h->script_dir, h->lib_dir };
    for (int i = 0; i < 2; i++) {
        if (dirs[i] == NULL)
            continue;
        const char *path = lua_pushfstring(L, "%s" G_DIR_SEPARATOR_S "%s", dirs[i], file);  /* 4 */
        lua_pushfstring(L, "@%s", path);                        /* 5: chunk name */
        char *text = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &text, &len, NULL)) {
            lua_pop(L, 2);
            continue;
        }
        int status = luaL_loadbufferx(L, text, len, lua_tostring(L, 5), "t");   /* protected */
        g_free(text);
        if (status != LUA_OK)
            return lua_error(L);
        lua_pushstring(L, name);
        lua_pushvalue(L, 4);
        lua_call(L, 2, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushboolean(L, 1);
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, 2, name);
        return 1;
    }
    return luaL_error(L, "require: module '%s' not found (looked for %s in %s and %s)", name, file,
                      h->script_dir ? h->script_dir : "(no script folder)",
                      h->lib_dir ? h->lib_dir : "(no library folder)");
}


/* ---- set-up ---- */

void simlua_open_sandbox(lua_State *L)
{
    simlua *h = simlua_host(L);
    static const luaL_Reg libs[] = {
        { LUA_GNAME, luaopen_base },
        { LUA_TABLIBNAME, luaopen_table },
        { LUA_STRLIBNAME, luaopen_string },
        { LUA_MATHLIBNAME, luaopen_math },
        { LUA_UTF8LIBNAME, luaopen_utf8 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(libs); i++) {
        luaL_requiref(L, libs[i].name, libs[i].func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    static const char *const removed[] = { "dofile", "loadfile", "warn", NULL };
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setfield(L, -2, removed[i]);
    }
    static const luaL_Reg replaced[] = {
        { "pcall", l_pcall }, { "xpcall", l_xpcall }, { "print", l_print }, { "load", l_load },
        { "collectgarbage", l_collectgarbage }, { "pairs", simlua_pairs }, { "next", simlua_next },
        { "require", l_require },
        { NULL, NULL },
    };
    luaL_setfuncs(L, replaced, 0);

    lua_getfield(L, -1, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_getfield(L, -1, "rep");
    lua_pushcclosure(L, l_string_rep, 1);
    lua_setfield(L, -2, "rep");
    lua_pop(L, 1);
    lua_getfield(L, -1, LUA_TABLIBNAME);
    lua_getfield(L, -1, "move");
    lua_pushcclosure(L, l_table_move, 1);
    lua_setfield(L, -2, "move");
    lua_pushcfunction(L, l_table_sort);
    lua_setfield(L, -2, "sort");
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_MATHLIBNAME);
    lua_pushcfunction(L, l_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, l_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);

    lua_pop(L, 1);
    simlua_open_params(L);

    lua_newtable(L);
    h->loaded_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    simlua_open_ids(L);
    simlua_open_gc(L);
}
