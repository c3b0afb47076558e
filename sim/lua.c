/* sim/lua.c: the sandboxed Lua host and the `sim` table (see lua.h and
 * docs/scenarios.md).
 *
 * Stack effects of the bindings are noted as in the Lua manual:
 * [-pop, +push, errors] where 'e' means may raise an error. */
#include "lua.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "json.h"

G_DEFINE_QUARK(simlua-error-quark, simlua_error)

#define HOOK_EVERY 1000          /* instructions between count-hook calls */
#define LUA_EVENT_PRIO 128       /* Lua callbacks and processes, among engine events */
#define MAX_REFUSAL_FRAMES 10
#define REPORT_DEPTH 32
#define SIMLUA_TIME_MAX ((sim_time_t)INT64_MAX)   /* Lua integers are signed */
#define SIMLUA_MAX_NOTE 65536
#define SIMLUA_MAX_KINDS 65536

typedef struct lcall lcall;
typedef struct lproc lproc;

/* What a Lua thread's extra space points at: its host and, for a
 * process, the process. */
typedef struct lthread {
    simlua *h;
    lproc *p;
} lthread;

struct simlua {
    lua_State *L;
    lthread main_thread;
    lua_State *running;          /* the thread executing now (main or a process) */
    sim *s;
    FILE *out;
    char *lib_dir;
    char *script_dir;
    char *script_path;
    simlua_limits lim;
    size_t mem, mem_peak;
    uint64_t instructions;
    bool fatal;                  /* a limit was hit or the run failed: nothing may catch it */
    char *failure;               /* the formatted error that ended the run */
    bool refused;                /* the allocator refused a request */
    char refusal[MAX_REFUSAL_FRAMES][96];
    int refusal_frames;
    bool has_until;
    sim_time_t until;
    bool ran;                    /* the script called sim.run */
    bool ended;                  /* the scenario is over: sim.* may no longer act */
    GString *warning;            /* a warning from Lua being assembled */
    int loaded_ref;              /* registry ref: module name -> value */
    char *report;
    simrng math_rng;
    lcall *calls, *free_calls;   /* scheduled callbacks; recycled records */
    GArray *attached;            /* attachment, in order */
    char *machine;
    lproc *procs;                /* live processes */
    uint64_t next_proc;
};

/* A Lua function to call at a time.  Records are recycled; a handle
 * (userdata) names one by pointer and generation, so a stale handle is
 * recognised instead of cancelling somebody else's event. */
struct lcall {
    simq_event ev;
    simlua *h;
    int fn_ref;
    uint64_t gen;
    lcall *prev, *next;          /* in h->calls while scheduled; next in free list */
};

/* A process: a Lua coroutine that waits in simulated time. */
struct lproc {
    simq_event ev;
    lthread t;
    simlua *h;
    lua_State *co;
    int thread_ref;
    uint64_t id;
    char *name;
    int nargs;                   /* arguments for the first resume */
    lproc *prev, *next;
};

#define CALL_MT "cossim.timer"
#define RNG_MT "cossim.rng"

static simlua *host(lua_State *L)
{
    return (*(lthread **)lua_getextraspace(L))->h;
}

/* ---- limits ---- */

/* Remember where the script was when memory ran out; the message handler
 * is not called for memory errors, so this is the only traceback.  Reads
 * the stack only (lua_getstack/lua_getinfo allocate nothing). */
static void note_refusal(simlua *h)
{
    h->refused = true;
    h->refusal_frames = 0;
    lua_State *T = h->running;
    if (T == NULL)
        return;
    lua_Debug ar;
    for (int level = 0; h->refusal_frames < MAX_REFUSAL_FRAMES && lua_getstack(T, level, &ar); level++) {
        if (!lua_getinfo(T, "Sl", &ar) || ar.currentline < 0)
            continue;
        g_snprintf(h->refusal[h->refusal_frames++], sizeof h->refusal[0], "%s:%d", ar.short_src,
                   ar.currentline);
    }
}

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
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
    void *p = realloc(ptr, nsize);
    if (p == NULL)
        return NULL;
    h->mem = h->mem - old + nsize;
    if (h->mem > h->mem_peak)
        h->mem_peak = h->mem;
    return p;
}

/* "src:line: " of the innermost Lua function on T's stack, or "" */
static void push_where(lua_State *L, lua_State *T)
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

static void count_hook(lua_State *L, lua_Debug *ar);

/* The instruction limit is spent: from now on raise at once, wherever the
 * script tries to go on (pcall cannot stop it: see finish_pcall). */
static int limit_error(lua_State *L)
{
    simlua *h = host(L);
    if (!h->fatal) {
        h->fatal = true;
        lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    }
    push_where(L, L);
    lua_pushfstring(L, "instruction limit of %I exceeded (a runaway loop? raise it with --lua-instructions)",
                    (lua_Integer)h->lim.instructions);
    lua_concat(L, 2);
    return lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    simlua *h = host(L);
    (void)ar;
    h->instructions += HOOK_EVERY;
    if (h->fatal || (h->lim.instructions && h->instructions > h->lim.instructions))
        limit_error(L);
}

/* Charge work done in C on the script's behalf (a loop in the string or
 * table library, a new process) to the instruction budget. [-0, +0, e] */
static void charge(lua_State *L, uint64_t n)
{
    simlua *h = host(L);
    h->instructions = n > UINT64_MAX - h->instructions ? UINT64_MAX : h->instructions + n;
    if (h->fatal || (h->lim.instructions && h->instructions > h->lim.instructions))
        limit_error(L);
}

/* ---- errors ---- */

static bool has_position(const char *msg)
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
static const char *push_message(lua_State *L, int idx, lua_State *T)
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
    if (!has_position(lua_tostring(L, -1))) {
        push_where(L, T);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_tostring(L, -1);
}

/* Message handler for lua_pcall: message with position, then traceback. */
static int msgh(lua_State *L)
{
    simlua *h = host(L);
    if (h->failure) {   /* an earlier failure is being carried out: keep its text */
        lua_pushstring(L, h->failure);
        return 1;
    }
    const char *msg = push_message(L, 1, L);
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Record the run's failure (first one wins), stop the engine. */
static void set_failure(simlua *h, const char *text)
{
    if (h->failure == NULL)
        h->failure = g_strdup(text);
    h->fatal = true;
    sim_stop(h->s, "script error");
}

static void memory_failure(simlua *h)
{
    GString *m = g_string_new(NULL);
    g_string_append_printf(m, "%s: memory limit of %zu bytes (%.1f MiB) exceeded (raise it with --lua-memory)",
                           h->refusal_frames ? h->refusal[0] : h->script_path, h->lim.memory,
                           (double)h->lim.memory / (1 << 20));
    g_string_append(m, "\nstack traceback:");
    for (int i = 0; i < h->refusal_frames; i++)
        g_string_append_printf(m, "\n\t%s", h->refusal[i]);
    set_failure(h, m->str);
    g_string_free(m, TRUE);
}

/* Carry a failure out of the current Lua call; nothing can catch it. */
static int raise_failure(lua_State *L)
{
    simlua *h = host(L);
    h->fatal = true;
    lua_pushstring(L, h->failure ? h->failure : "run failed");
    return lua_error(L);
}

/* Call the function at the top (with nargs below it... above it) under
 * the message handler; on error record the failure. [-(nargs+1), +0, -] */
static bool protected_call(simlua *h, lua_State *L, int nargs)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msgh);
    lua_insert(L, base);
    lua_State *was = h->running;
    h->running = L;
    int status = lua_pcall(L, nargs, 0, base);
    h->running = was;
    bool ok = status == LUA_OK;
    if (!ok) {
        if (status == LUA_ERRMEM && h->refused)
            memory_failure(h);
        else
            set_failure(h, lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
        lua_pop(L, 1);
    }
    lua_remove(L, base);
    return ok;
}

/* Lua reports an error in a __gc finalizer as a warning ("error in __gc
 * (MESSAGE)"), in pieces.  In a scenario it is an error like any other. */
static void on_warning(void *ud, const char *msg, int tocont)
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
    g_autofree char *m = has_position(inner)
        ? g_strdup_printf("%s (in a __gc finalizer)\nstack traceback:\n\t[collector]: in a __gc finalizer", inner)
        : g_strdup_printf("%s: %s (in a __gc finalizer)\nstack traceback:\n\t[collector]: in a __gc finalizer",
                          h->script_path ? h->script_path : "?", inner);
    set_failure(h, m);
}

/* ---- sandbox replacements for base functions ---- */

static int finish_pcall(lua_State *L, int status, lua_KContext extra)
{
    simlua *h = host(L);
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
    simlua *h = host(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
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
        charge(L, (uint64_t)n);
    return call_original(L);
}

/* table.move(a1, f, e, t [, a2]): charge the elements it walks. [-0, +1, e] */
static int l_table_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f)
        charge(L, (uint64_t)e - (uint64_t)f + 1);
    return call_original(L);
}

/* ---- deterministic pairs ---- */

typedef struct pkey {
    int type;          /* LUA_TNUMBER, LUA_TSTRING, LUA_TBOOLEAN */
    bool is_int;
    lua_Integer i;
    lua_Number d;
    const char *s;     /* anchored by the keys table while sorting */
    size_t len;
    lua_Integer slot;  /* the key's index in the keys table */
} pkey;

static int type_rank(int t)
{
    return t == LUA_TNUMBER ? 0 : t == LUA_TSTRING ? 1 : 2;
}

/* Integer against float, exactly (converting the integer to a double
 * would make 2^63-1 and 2^63 equal, and the sort inconsistent). */
static int cmp_int_float(lua_Integer i, lua_Number f)
{
    if (f >= 0x1p63)
        return -1;
    if (f < -0x1p63)
        return 1;
    lua_Number fl = floor(f);
    lua_Integer fi = (lua_Integer)fl;    /* exact: fl is within range */
    if (i != fi)
        return i < fi ? -1 : 1;
    return f > fl ? -1 : 0;
}

static int pkey_cmp(const void *pa, const void *pb)
{
    const pkey *a = pa, *b = pb;
    if (a->type != b->type)
        return type_rank(a->type) - type_rank(b->type);
    int c;
    switch (a->type) {
    case LUA_TNUMBER:
        if (a->is_int && b->is_int)
            c = a->i < b->i ? -1 : a->i > b->i;
        else if (a->is_int)
            c = cmp_int_float(a->i, b->d);
        else if (b->is_int)
            c = -cmp_int_float(b->i, a->d);
        else
            c = a->d < b->d ? -1 : a->d > b->d;
        /* equal values cannot both be keys; keep the order total anyway */
        return c ? c : (int)b->is_int - (int)a->is_int;
    case LUA_TSTRING:
        c = memcmp(a->s, b->s, MIN(a->len, b->len));
        return c ? c : (a->len < b->len ? -1 : a->len > b->len);
    default:
        return a->i < b->i ? -1 : a->i > b->i;
    }
}

/* iterator: upvalues (table, ordered keys, position) [-0, +2, -] */
static int pairs_next(lua_State *L)
{
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));
    lua_Integer n = (lua_Integer)lua_rawlen(L, lua_upvalueindex(2));
    while (pos < n) {
        pos++;
        lua_rawgeti(L, lua_upvalueindex(2), pos);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
            lua_pushinteger(L, pos);
            lua_replace(L, lua_upvalueindex(3));
            return 2;
        }
        lua_pop(L, 2);   /* removed during the traversal: skip */
    }
    lua_pushinteger(L, n);
    lua_replace(L, lua_upvalueindex(3));
    lua_pushnil(L);
    return 1;
}

/* Push a new table listing the keys of the table at idx in cossim's fixed
 * order: the array part 1..n, then numbers ascending, strings bytewise,
 * false, true.  Other key types have no reproducible order: an error.
 * Every key is anchored in a Lua table before anything can run the
 * collector (a finalizer may empty the source table meanwhile).
 * [-0, +1, e] */
static void push_sorted_keys(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_Integer seq = 0;
    while (lua_rawgeti(L, idx, seq + 1) != LUA_TNIL) {
        lua_pop(L, 1);
        seq++;
    }
    lua_pop(L, 1);
    lua_newtable(L);                                   /* the other keys, anchored */
    int others = lua_gettop(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        int t = lua_type(L, -1);
        if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
            lua_Integer k = lua_tointeger(L, -1);
            if (k >= 1 && k <= seq)
                continue;
        } else if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN) {
            luaL_error(L, "pairs: a key of type %s has no reproducible order "
                          "(cossim visits keys in sorted order; key the table by number or string)",
                       luaL_typename(L, -1));
        }
        lua_pushvalue(L, -1);
        lua_rawseti(L, others, ++n);
    }
    pkey *keys = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof(pkey), 0);
    for (lua_Integer j = 1; j <= n; j++) {
        lua_rawgeti(L, others, j);
        pkey k = { .type = lua_type(L, -1), .slot = j };
        if (k.type == LUA_TNUMBER) {
            k.is_int = lua_isinteger(L, -1);
            k.i = lua_tointeger(L, -1);
            k.d = lua_tonumber(L, -1);
        } else if (k.type == LUA_TSTRING) {
            k.s = lua_tolstring(L, -1, &k.len);   /* a string: no conversion, no allocation */
        } else {
            k.i = lua_toboolean(L, -1);
        }
        lua_pop(L, 1);
        keys[j - 1] = k;
    }
    qsort(keys, (size_t)n, sizeof(pkey), pkey_cmp);
    lua_createtable(L, (int)(seq + n), 0);             /* the result */
    for (lua_Integer i = 1; i <= seq; i++) {
        lua_pushinteger(L, i);
        lua_rawseti(L, -2, i);
    }
    for (lua_Integer j = 0; j < n; j++) {
        lua_rawgeti(L, others, keys[j].slot);
        lua_rawseti(L, -2, seq + 1 + j);
    }
    lua_replace(L, others);                            /* result where `others` was */
    lua_pop(L, 1);                                     /* the userdata */
}

void simlua_sorted_keys(lua_State *L, int idx)
{
    push_sorted_keys(L, idx);
}

/* pairs(t): the __pairs metamethod if any, else the fixed order of
 * push_sorted_keys. [-0, +3, e] */
static int l_pairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_sorted_keys(L, 1);                            /* 2 */
    lua_pushinteger(L, 0);                             /* 3 */
    lua_pushcclosure(L, pairs_next, 3);                /* iterator(t, keys, 0) */
    lua_pushnil(L);
    lua_pushnil(L);
    return 3;
}

/* ---- math.random from the run's stream ---- */

static int l_random(lua_State *L)
{
    simlua *h = host(L);
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

static int l_randomseed(lua_State *L)
{
    simlua *h = host(L);
    uint64_t seed = lua_isnoneornil(L, 1) ? h->s->seed : (uint64_t)luaL_checkinteger(L, 1);
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
    simlua *h = host(L);
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

/* ---- time arguments ---- */

/* A time from a string with a unit or an integer count of picoseconds.
 * [-0, +0, e] */
static sim_time_t check_time(lua_State *L, int arg)
{
    if (lua_type(L, arg) == LUA_TSTRING) {
        GError *err = NULL;
        sim_time_t t;
        if (!simt_parse(lua_tostring(L, arg), &t, &err)) {
            char msg[256];
            g_strlcpy(msg, err->message, sizeof msg);
            g_error_free(err);      /* before raising: the error is a longjmp */
            return (sim_time_t)luaL_argerror(L, arg, msg);
        }
        if (t > SIMLUA_TIME_MAX)
            return (sim_time_t)luaL_argerror(L, arg, "past the end of scenario time (2^63-1 ps, about 106 days)");
        return t;
    }
    if (lua_isinteger(L, arg)) {
        lua_Integer v = lua_tointeger(L, arg);
        luaL_argcheck(L, v >= 0, arg, "time cannot be negative");
        return (sim_time_t)v;
    }
    if (lua_type(L, arg) == LUA_TNUMBER) {
        lua_Number v = lua_tonumber(L, arg);
        luaL_argcheck(L, v >= 0 && v == floor(v) && v < 0x1p63, arg,
                      "a time in picoseconds must be a whole, non-negative number (or write a unit: \"1.5us\")");
        return (sim_time_t)v;
    }
    return (sim_time_t)luaL_typeerror(L, arg, "time (\"10ms\" or an integer of picoseconds)");
}

sim_time_t simlua_time(lua_State *L, int idx, const char *what)
{
    if (lua_isinteger(L, idx) && lua_tointeger(L, idx) >= 0)
        return (sim_time_t)lua_tointeger(L, idx);
    sim_time_t t = 0;
    GError *err = NULL;
    if (lua_type(L, idx) == LUA_TSTRING && simt_parse(lua_tostring(L, idx), &t, &err))
        return t;
    if (err) {
        lua_pushfstring(L, "%s: %s", what, err->message);
        g_error_free(err);      /* before raising: the error is a longjmp */
        return (sim_time_t)lua_error(L);
    }
    return (sim_time_t)luaL_error(L, "%s must be a time such as \"10ms\" (or integer picoseconds)", what);
}

static void push_time(lua_State *L, sim_time_t t)
{
    g_assert(t <= SIMLUA_TIME_MAX);
    lua_pushinteger(L, (lua_Integer)t);
}

/* now + delay, refused past the end of scenario time. [-0, +0, e] */
static sim_time_t later(lua_State *L, sim_time_t delay, const char *what)
{
    sim_time_t now = sim_now(host(L)->s);
    if (delay > SIMLUA_TIME_MAX - now)
        luaL_error(L, "%s: %I ps from now is past the end of scenario time (2^63-1 ps, about 106 days)",
                   what, (lua_Integer)delay);
    return now + delay;
}

/* Calls that act on the simulation are refused once the scenario is over
 * (e.g. from a __gc finalizer run when the state is closed). [-0, +0, e] */
static void check_live(lua_State *L, const char *what)
{
    if (host(L)->ended)
        luaL_error(L, "%s: the scenario has ended", what);
}

/* sim.time(x) -> ps [-0, +1, e] */
static int l_time(lua_State *L)
{
    push_time(L, check_time(L, 1));
    return 1;
}

static int unit_conv(lua_State *L, sim_time_t unit)
{
    lua_Number v = luaL_checknumber(L, 1);
    lua_Number ps = v * (lua_Number)unit;
    luaL_argcheck(L, ps >= 0 && ps < 0x1p63, 1, "time out of range");
    push_time(L, (sim_time_t)llround(ps));
    return 1;
}
static int l_ps(lua_State *L) { return unit_conv(L, SIM_PS); }
static int l_ns(lua_State *L) { return unit_conv(L, SIM_NS); }
static int l_us(lua_State *L) { return unit_conv(L, SIM_US); }
static int l_ms(lua_State *L) { return unit_conv(L, SIM_MS); }
static int l_s(lua_State *L) { return unit_conv(L, SIM_S); }

/* sim.format(t) -> "1.5ms" [-0, +1, e] */
static int l_format(lua_State *L)
{
    char buf[SIMT_FMT_LEN];
    lua_pushstring(L, simt_format(check_time(L, 1), buf, sizeof buf));
    return 1;
}

/* sim.now() -> ps [-0, +1, -] */
static int l_now(lua_State *L)
{
    push_time(L, sim_now(host(L)->s));
    return 1;
}

/* ---- timers: sim.at / sim.after ---- */

typedef struct timer_handle {
    lcall *c;
    uint64_t gen;
} timer_handle;

static void unlink_call(simlua *h, lcall *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        h->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    luaL_unref(h->L, LUA_REGISTRYINDEX, c->fn_ref);
    c->fn_ref = LUA_NOREF;
    c->gen++;
    c->prev = NULL;
    c->next = h->free_calls;
    h->free_calls = c;
}

static void call_fire(void *owner, simq_event *ev)
{
    lcall *c = (lcall *)ev;
    simlua *h = c->h;
    (void)owner;
    lua_State *L = h->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
    unlink_call(h, c);
    protected_call(h, L, 0);
}

static int schedule_call(lua_State *L, sim_time_t when)
{
    simlua *h = host(L);
    check_live(L, "sim.at");
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (when < sim_now(h->s))
        return luaL_error(L, "sim.at: %I ps is in the past (now is %I ps)", (lua_Integer)when,
                          (lua_Integer)sim_now(h->s));
    timer_handle *th = lua_newuserdatauv(L, sizeof *th, 0);
    luaL_setmetatable(L, CALL_MT);
    lua_pushvalue(L, 2);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);   /* may raise: before the host allocation */
    lcall *c = h->free_calls;
    if (c)
        h->free_calls = c->next;
    else {
        c = g_new0(lcall, 1);
        c->h = h;
    }
    simq_event_init(&c->ev, call_fire);
    c->fn_ref = ref;
    c->prev = NULL;
    c->next = h->calls;
    if (h->calls)
        h->calls->prev = c;
    h->calls = c;
    th->c = c;
    th->gen = c->gen;
    sim_schedule(h->s, &c->ev, when, LUA_EVENT_PRIO);
    return 1;
}

/* sim.at(time, fn) -> timer [-0, +1, e] */
static int l_at(lua_State *L)
{
    return schedule_call(L, check_time(L, 1));
}

/* sim.after(delay, fn) -> timer [-0, +1, e] */
static int l_after(lua_State *L)
{
    return schedule_call(L, later(L, check_time(L, 1), "sim.after"));
}

/* timer:cancel() -> true if it was still pending [-0, +1, e] */
static int l_timer_cancel(lua_State *L)
{
    timer_handle *th = luaL_checkudata(L, 1, CALL_MT);
    simlua *h = host(L);
    bool pending = th->c->gen == th->gen && simq_scheduled(&th->c->ev);
    if (pending) {
        sim_deschedule(h->s, &th->c->ev);
        unlink_call(h, th->c);
    }
    lua_pushboolean(L, pending);
    return 1;
}

/* timer:pending() [-0, +1, e] */
static int l_timer_pending(lua_State *L)
{
    timer_handle *th = luaL_checkudata(L, 1, CALL_MT);
    lua_pushboolean(L, th->c->gen == th->gen && simq_scheduled(&th->c->ev));
    return 1;
}

/* ---- processes: sim.spawn / sim.wait ---- */

static void proc_free(simlua *h, lproc *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        h->procs = p->next;
    if (p->next)
        p->next->prev = p->prev;
    if (simq_scheduled(&p->ev))
        sim_deschedule(h->s, &p->ev);
    luaL_unref(h->L, LUA_REGISTRYINDEX, p->thread_ref);
    g_free(p->name);
    g_free(p);
}

/* format_process_error(error, thread, name) -> message with position and
 * traceback; run under lua_pcall. [-0, +1, e] */
static int format_process_error(lua_State *L)
{
    lua_State *co = lua_tothread(L, 2);
    const char *msg = push_message(L, 1, co);
    luaL_traceback(L, co, msg, 0);
    lua_pushfstring(L, "\n\t(in process '%s')", (const char *)lua_touserdata(L, 3));
    lua_concat(L, 2);
    return 1;
}

static void proc_fire(void *owner, simq_event *ev)
{
    lproc *p = (lproc *)ev;
    simlua *h = p->h;
    (void)owner;
    int nres = 0, nargs = p->nargs;
    p->nargs = 0;
    lua_State *was = h->running;
    h->running = p->co;
    int status = lua_resume(p->co, h->L, nargs, &nres);
    h->running = was;
    if (status == LUA_YIELD) {
        lua_pop(p->co, nres);
        if (!simq_scheduled(&p->ev) && !h->fatal) {
            set_failure(h, "process yielded without waiting (use sim.wait)");
        }
        return;
    }
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM && h->refused) {
            memory_failure(h);
        } else if (h->failure == NULL) {
            /* Formatting can run script code (__tostring) and can fail:
             * do it under pcall; nothing here may raise unprotected. */
            lua_State *L = h->L;
            if (!lua_checkstack(L, 8)) {
                set_failure(h, "a process failed, and there was no stack left to report why");
            } else {
                lua_pushcfunction(L, format_process_error);
                lua_xmove(p->co, L, 1);                            /* the error object */
                lua_rawgeti(L, LUA_REGISTRYINDEX, p->thread_ref);  /* the thread */
                lua_pushlightuserdata(L, p->name);
                if (lua_pcall(L, 3, 1, 0) == LUA_OK) {
                    set_failure(h, lua_tostring(L, -1));
                } else {
                    g_autofree char *m = g_strdup_printf(
                        "%s: process '%s' failed, and printing its error failed too (%s)\nstack traceback:\n\t(unavailable)",
                        h->script_path, p->name,
                        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "no message");
                    set_failure(h, m);
                }
                lua_pop(L, 1);
            }
        }
    }
    proc_free(h, p);
}

/* sim.spawn(name, fn, ...) -> id; the process starts now, after what is
 * already due now. [-0, +1, e] */
static int l_spawn(lua_State *L)
{
    simlua *h = host(L);
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    check_live(L, "sim.spawn");
    /* a new thread's own count starts afresh, so charge the hook's
     * granularity up front: short processes are not free */
    charge(L, HOOK_EVERY);
    int nargs = lua_gettop(L) - 2;
    /* everything that can raise comes before the host allocation */
    luaL_checkstack(L, nargs + 4, "sim.spawn: too many arguments");
    lua_State *co = lua_newthread(L);
    if (!lua_checkstack(co, nargs + 1))
        return luaL_error(L, "sim.spawn: too many arguments");
    lua_pushvalue(L, -1);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    lproc *p = g_new0(lproc, 1);
    p->h = h;
    p->id = ++h->next_proc;
    p->name = g_strdup(name);
    p->co = co;
    p->t.h = h;
    p->t.p = p;
    *(lthread **)lua_getextraspace(p->co) = &p->t;
    p->thread_ref = ref;
    for (int i = 2; i <= nargs + 2; i++)
        lua_pushvalue(L, i);
    lua_xmove(L, p->co, nargs + 1);
    p->nargs = nargs;
    p->next = h->procs;
    if (h->procs)
        h->procs->prev = p;
    h->procs = p;
    simq_event_init(&p->ev, proc_fire);
    sim_schedule(h->s, &p->ev, sim_now(h->s), LUA_EVENT_PRIO);
    lua_pushinteger(L, (lua_Integer)p->id);
    return 1;
}

static lproc *current_proc(lua_State *L, const char *what)
{
    lproc *p = (*(lthread **)lua_getextraspace(L))->p;
    if (p == NULL)
        luaL_error(L, "%s can only be called inside a process (see sim.spawn)", what);
    return p;
}

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    push_time(L, sim_now(host(L)->s));
    return 1;
}

static int wait_at(lua_State *L, sim_time_t when, const char *what)
{
    simlua *h = host(L);
    check_live(L, what);
    lproc *p = current_proc(L, what);
    if (!lua_isyieldable(L))
        return luaL_error(L, "%s cannot wait here (inside a metamethod or require)", what);
    sim_schedule(h->s, &p->ev, when, LUA_EVENT_PRIO);
    return lua_yieldk(L, 0, 0, wait_k);
}

/* sim.wait(delay) -> now, in a process [-0, +1, e] */
static int l_wait(lua_State *L)
{
    return wait_at(L, later(L, check_time(L, 1), "sim.wait"), "sim.wait");
}

/* sim.wait_until(time) -> now, in a process [-0, +1, e] */
static int l_wait_until(lua_State *L)
{
    sim_time_t t = check_time(L, 1), now = sim_now(host(L)->s);
    return wait_at(L, t < now ? now : t, "sim.wait_until");
}

/* sim.self() -> name, id of the running process, or nil [-0, +1|2, -] */
static int l_self(lua_State *L)
{
    lproc *p = (*(lthread **)lua_getextraspace(L))->p;
    if (p == NULL) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, p->name);
    lua_pushinteger(L, (lua_Integer)p->id);
    return 2;
}

/* ---- running ---- */

/* sim.run([span]) -> reason [-0, +1, e] */
static int l_run(lua_State *L)
{
    simlua *h = host(L);
    check_live(L, "sim.run");
    if (h->s->running)
        return luaL_error(L, "sim.run cannot be called from inside the simulation (an event or a process)");
    sim_time_t now = sim_now(h->s), target;
    if (lua_isnoneornil(L, 1)) {
        if (!h->has_until)
            return luaL_error(L, "sim.run needs a span, e.g. sim.run(\"10ms\"), or --until on the command line");
        target = h->until;
    } else {
        sim_time_t span = check_time(L, 1);
        /* a span past the end of scenario time runs to its end */
        target = span > SIMLUA_TIME_MAX - now ? SIMLUA_TIME_MAX : now + span;
        if (h->has_until && target > h->until)
            target = h->until;
    }
    if (target < now)
        target = now;
    h->ran = true;
    sim_stop_reason why = sim_run(h->s, target, 0);
    if (h->failure)
        return raise_failure(L);
    lua_pushstring(L, sim_stop_name(why));
    return 1;
}

/* sim.stop([note]) [-0, +0, e] */
static int l_stop(lua_State *L)
{
    check_live(L, "sim.stop");
    sim_stop(host(L)->s, luaL_optstring(L, 1, NULL));
    return 0;
}

/* sim.stats() -> {now=, events=, pending=, lua_memory=} [-0, +1, m] */
static int l_stats(lua_State *L)
{
    simlua *h = host(L);
    lua_createtable(L, 0, 4);
    push_time(L, sim_now(h->s));
    lua_setfield(L, -2, "now");
    lua_pushinteger(L, (lua_Integer)h->s->dispatched);
    lua_setfield(L, -2, "events");
    lua_pushinteger(L, (lua_Integer)simq_size(&h->s->queue));
    lua_setfield(L, -2, "pending");
    lua_pushinteger(L, (lua_Integer)h->mem);
    lua_setfield(L, -2, "lua_memory");
    return 1;
}

/* ---- trace events ---- */

/* sim.event(kind [, {core=, thread=, component=, a0=, a1=, a2=, note=}])
 * writes one row of the events table at the current time. [-0, +0, e] */
static int l_event(lua_State *L)
{
    simlua *h = host(L);
    check_live(L, "sim.event");
    size_t klen;
    const char *kind = luaL_checklstring(L, 1, &klen);
    luaL_argcheck(L, klen > 0, 1, "empty event kind");
    luaL_argcheck(L, strlen(kind) == klen, 1, "an event kind cannot contain a NUL byte");
    if (h->s->kinds->len >= SIMLUA_MAX_KINDS && g_hash_table_lookup(h->s->kind_ids, kind) == NULL)
        return luaL_error(L, "sim.event: more than %d kinds of event", SIMLUA_MAX_KINDS);
    static const char *const fields[] = { "core", "thread", "component", "a0", "a1", "a2", NULL };
    int64_t v[6] = { SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE };
    const char *note = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                return luaL_error(L, "sim.event: field names must be strings");
            const char *f = lua_tostring(L, -2);
            if (strcmp(f, "note") == 0) {
                size_t nlen;
                note = luaL_checklstring(L, -1, &nlen);   /* anchored by the table */
                if (nlen > SIMLUA_MAX_NOTE || strlen(note) != nlen)
                    return luaL_error(L, "sim.event: a note is text of at most %d bytes without NUL bytes",
                                      SIMLUA_MAX_NOTE);
                lua_pop(L, 1);
                continue;
            }
            int i = 0;
            while (fields[i] && strcmp(fields[i], f) != 0)
                i++;
            if (fields[i] == NULL)
                return luaL_error(L, "sim.event: unknown field '%s' (core, thread, component, a0, a1, a2, note)", f);
            if (!lua_isinteger(L, -1))
                return luaL_error(L, "sim.event: field '%s' must be an integer", f);
            v[i] = lua_tointeger(L, -1);
            if (v[i] == SIM_NONE)
                return luaL_error(L, "sim.event: field '%s' is out of range", f);
            lua_pop(L, 1);
        }
    }
    sim_event(h->s, sim_kind(h->s, kind), v[0], v[1], v[2], v[3], v[4], v[5], note);
    return 0;
}

/* ---- random streams ---- */

/* sim.rng(name) -> stream [-0, +1, e] */
static int l_rng(lua_State *L)
{
    simlua *h = host(L);
    size_t nlen;
    const char *name = luaL_checklstring(L, 1, &nlen);
    luaL_argcheck(L, nlen > 0, 1, "a stream needs a name");
    luaL_argcheck(L, strlen(name) == nlen, 1, "a stream name cannot contain a NUL byte");
    simrng *r = lua_newuserdatauv(L, sizeof *r, 0);
    luaL_setmetatable(L, RNG_MT);
    sim_rng(h->s, name, r);
    return 1;
}

static int l_rng_uniform(lua_State *L)
{
    simrng *r = luaL_checkudata(L, 1, RNG_MT);
    if (lua_gettop(L) >= 3) {
        lua_Number a = luaL_checknumber(L, 2), b = luaL_checknumber(L, 3);
        lua_pushnumber(L, a + (b - a) * simrng_uniform(r));
    } else {
        lua_pushnumber(L, simrng_uniform(r));
    }
    return 1;
}

static int l_rng_int(lua_State *L)
{
    simrng *r = luaL_checkudata(L, 1, RNG_MT);
    lua_Integer lo = luaL_checkinteger(L, 2), hi = luaL_checkinteger(L, 3);
    luaL_argcheck(L, lo <= hi, 3, "interval is empty");
    lua_pushinteger(L, simrng_range(r, lo, hi));
    return 1;
}

static int l_rng_exponential(lua_State *L)
{
    simrng *r = luaL_checkudata(L, 1, RNG_MT);
    lua_Number mean = luaL_checknumber(L, 2);
    luaL_argcheck(L, mean > 0 && isfinite(mean), 2, "mean must be positive");
    lua_pushnumber(L, simrng_exponential(r, mean));
    return 1;
}

/* ---- the report: what the script returned, as JSON ---- */

static bool to_json(lua_State *L, int idx, GString *out, int depth, GError **error);

/* The report lives in host memory, outside the Lua cap: bound it. */
#define REPORT_MAX ((gsize)16 << 20)

static bool report_fits(GString *out, GError **error)
{
    if (out->len <= REPORT_MAX)
        return true;
    g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT,
                "larger than %u MiB as JSON (shared subtables are written out once per use)",
                (unsigned)(REPORT_MAX >> 20));
    return false;
}

/* Raw contents only: __pairs and __index are not consulted, so no script
 * code runs here and no host address can become a key. */
static bool table_json(lua_State *L, int idx, GString *out, int depth, GError **error)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    lua_Integer count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
    }
    if (count > 0 && count == n) {   /* a sequence: an array */
        g_string_append_c(out, '[');
        for (lua_Integer i = 1; i <= n; i++) {
            if (i > 1)
                g_string_append_c(out, ',');
            lua_rawgeti(L, idx, i);
            bool ok = to_json(L, lua_gettop(L), out, depth + 1, error);
            lua_pop(L, 1);
            if (!ok || !report_fits(out, error))
                return false;
        }
        g_string_append_c(out, ']');
        return true;
    }
    push_sorted_keys(L, idx);
    int keys = lua_gettop(L);
    g_string_append_c(out, '{');
    for (lua_Integer i = 1; i <= count; i++) {
        if (i > 1)
            g_string_append_c(out, ',');
        lua_rawgeti(L, keys, i);
        size_t klen;
        lua_pushvalue(L, -1);
        const char *k = lua_tolstring(L, -1, &klen);   /* a number, a string or... */
        if (k == NULL)
            k = lua_toboolean(L, -2) ? "true" : "false", klen = strlen(k);
        simjson_string(out, k, (ssize_t)klen);
        lua_pop(L, 1);
        g_string_append_c(out, ':');
        lua_rawget(L, idx);
        bool ok = to_json(L, lua_gettop(L), out, depth + 1, error);
        lua_pop(L, 1);
        if (!ok || !report_fits(out, error))
            return false;
    }
    lua_pop(L, 1);
    g_string_append_c(out, '}');
    return true;
}

static bool to_json(lua_State *L, int idx, GString *out, int depth, GError **error)
{
    if (depth > REPORT_DEPTH) {
        g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT,
                    "it nests deeper than %d levels (a cycle?)", REPORT_DEPTH);
        return false;
    }
    lua_checkstack(L, 8);
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        g_string_append(out, "null");
        return true;
    case LUA_TBOOLEAN:
        g_string_append(out, lua_toboolean(L, idx) ? "true" : "false");
        return true;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            simjson_int(out, lua_tointeger(L, idx));
        else
            simjson_double(out, lua_tonumber(L, idx));
        return true;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        simjson_string(out, s, (ssize_t)len);
        return true;
    }
    case LUA_TTABLE:
        return table_json(L, idx, out, depth, error);
    default:
        g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT,
                    "it holds a %s, which has no JSON form", luaL_typename(L, idx));
        return false;
    }
}

/* report_json(GString *out, GError **error, value) -> ok, run under pcall
 * because converting may raise (an unorderable key, a __tostring).
 * [-0, +1, e] */
static int report_json(lua_State *L)
{
    GString *out = lua_touserdata(L, 1);
    GError **error = lua_touserdata(L, 2);
    lua_pushboolean(L, to_json(L, 3, out, 0, error));
    return 1;
}

/* ---- set-up ---- */

static const luaL_Reg sim_funcs[] = {
    { "now", l_now },
    { "time", l_time },
    { "ps", l_ps }, { "ns", l_ns }, { "us", l_us }, { "ms", l_ms }, { "s", l_s },
    { "format", l_format },
    { "at", l_at },
    { "after", l_after },
    { "spawn", l_spawn },
    { "wait", l_wait },
    { "wait_until", l_wait_until },
    { "self", l_self },
    { "run", l_run },
    { "stop", l_stop },
    { "stats", l_stats },
    { "event", l_event },
    { "rng", l_rng },
    { NULL, NULL },
};

static int open_sandbox(lua_State *L)
{
    simlua *h = host(L);
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
        { "collectgarbage", l_collectgarbage }, { "pairs", l_pairs }, { "require", l_require },
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
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_MATHLIBNAME);
    lua_pushcfunction(L, l_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, l_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);

    luaL_newlib(L, sim_funcs);
    lua_pushinteger(L, (lua_Integer)h->s->seed);
    lua_setfield(L, -2, "seed");
    lua_setfield(L, -2, "sim");

    lua_newtable(L);
    lua_setfield(L, -2, "params");
    lua_pop(L, 1);

    luaL_newmetatable(L, CALL_MT);
    lua_newtable(L);
    lua_pushcfunction(L, l_timer_cancel);
    lua_setfield(L, -2, "cancel");
    lua_pushcfunction(L, l_timer_pending);
    lua_setfield(L, -2, "pending");
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    luaL_newmetatable(L, RNG_MT);
    lua_newtable(L);
    lua_pushcfunction(L, l_rng_uniform);
    lua_setfield(L, -2, "uniform");
    lua_pushcfunction(L, l_rng_int);
    lua_setfield(L, -2, "int");
    lua_pushcfunction(L, l_rng_exponential);
    lua_setfield(L, -2, "exponential");
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    lua_newtable(L);
    h->loaded_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

typedef struct attachment {
    void *obj;
    void (*end)(void *obj);
    void (*free_fn)(void *obj);
} attachment;

sim *simlua_sim(lua_State *L)
{
    return host(L)->s;
}

void simlua_attach(lua_State *L, void *obj, void (*end)(void *obj), void (*free_fn)(void *obj))
{
    attachment a = { obj, end, free_fn };
    g_array_append_val(host(L)->attached, a);
}

bool simlua_live(lua_State *L)
{
    return !host(L)->ended;
}

void simlua_set_machine(lua_State *L, const char *name)
{
    simlua *h = host(L);
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

simlua *simlua_new(sim *s, const simlua_limits *limits, FILE *out, const char *lib_dir,
                   const simlua_lib *libs, size_t nlibs, GError **error)
{
    simlua *h = g_new0(simlua, 1);
    h->s = s;
    h->out = out;
    h->lim = *limits;
    h->lib_dir = g_strdup(lib_dir);
    h->attached = g_array_new(FALSE, FALSE, sizeof(attachment));
    simrng_init(&h->math_rng, s->seed, "lua.math");
    h->L = lua_newstate(l_alloc, h);
    if (h->L == NULL) {
        g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_INIT, "cannot create a Lua state (memory limit too small?)");
        simlua_free(h);
        return NULL;
    }
    h->main_thread.h = h;
    *(lthread **)lua_getextraspace(h->L) = &h->main_thread;
    lua_sethook(h->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    lua_setwarnf(h->L, on_warning, h);
    h->running = h->L;
    lua_pushcfunction(h->L, open_sandbox);
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
    while (h->procs)
        proc_free(h, h->procs);
    while (h->calls) {
        lcall *c = h->calls;
        if (simq_scheduled(&c->ev))
            sim_deschedule(h->s, &c->ev);
        unlink_call(h, c);
    }
    h->ended = true;          /* finalizers run by lua_close may not act */
    if (h->L)
        lua_close(h->L);   /* timer handles are collected here; they only read their records */
    for (guint i = h->attached ? h->attached->len : 0; i-- > 0;) {
        attachment *a = &g_array_index(h->attached, attachment, i);
        if (a->free_fn)
            a->free_fn(a->obj);        /* last attached, first freed */
    }
    if (h->attached)
        g_array_free(h->attached, TRUE);
    g_free(h->machine);
    if (h->warning)
        g_string_free(h->warning, TRUE);
    while (h->free_calls) {
        lcall *c = h->free_calls;
        h->free_calls = c->next;
        g_free(c);
    }
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
    lua_getglobal(L, "params");
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
    lua_setfield(L, -2, key);
    lua_pop(L, 1);
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
    lua_pushcfunction(L, msgh);
    int status = luaL_loadbufferx(L, buf, len, chunk, "t");
    if (status == LUA_OK) {
        h->running = L;
        status = lua_pcall(L, 0, 1, base + 1);
    }
    if (status != LUA_OK) {
        if (h->failure == NULL) {
            if (status == LUA_ERRMEM && h->refused)
                memory_failure(h);
            else
                set_failure(h, lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error");
        }
        lua_settop(L, base);
        g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, h->failure);
        return false;
    }
    /* The returned report stays on the stack (at base + 2, above the
     * message handler) while the simulation finishes. */
    int report = lua_gettop(L);
    if (!h->ran && h->has_until && h->until >= sim_now(h->s) && h->failure == NULL)
        sim_run(h->s, h->until, 0);
    if (h->failure) {       /* a callback, a process, or a __gc finalizer */
        lua_settop(L, base);
        g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, h->failure);
        return false;
    }
    GString *out = g_string_new(NULL);
    GError *jerr = NULL;
    lua_pushcfunction(L, report_json);
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

const char *simlua_report(const simlua *h)
{
    return h->report ? h->report : "null";
}

size_t simlua_memory(const simlua *h)
{
    return h->mem_peak;
}
