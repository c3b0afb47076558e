/* sim/lua_keys.c: the keys of a table in a fixed order.  Lua's own order
 * (lua_next) follows its string hashes, which it seeds per state from an
 * address and the time, so it differs from run to run; whatever a script
 * can observe (pairs, the report's objects, which unknown key an error
 * names, how C code numbers what a script names) follows this order
 * instead.  Plain Lua API only: used by the layers above on states of
 * their own too (model/machine.c, analysis/check.c).  Calls no other file
 * of the host (lua_internal.h). */
#include "lua_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

/* ---- the order ---- */

typedef struct pkey {
    int type;          /* LUA_TNUMBER, LUA_TSTRING, LUA_TBOOLEAN (or another, by name) */
    bool is_int;
    lua_Integer i;
    lua_Number d;
    const char *s;     /* anchored by the keys table while sorting; a type name for other types */
    size_t len;
    lua_Integer slot;  /* the key's index in the keys table */
} pkey;

/* Numbers, then strings, then booleans; then the types that have no
 * reproducible order among their values (ordered by type name only: the
 * key checker names them by type). */
static int type_rank(int t)
{
    return t == LUA_TNUMBER ? 0 : t == LUA_TSTRING ? 1 : t == LUA_TBOOLEAN ? 2 : 3;
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
    if (type_rank(a->type) != type_rank(b->type))
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
    case LUA_TBOOLEAN:
        return a->i < b->i ? -1 : a->i > b->i;
    default:
        return strcmp(a->s, b->s);     /* type names */
    }
}

/* The key at idx, to compare; a string key is read in place (no
 * conversion, no allocation), so the key must stay anchored. [-0, +0, -] */
static pkey pkey_at(lua_State *L, int idx, lua_Integer slot)
{
    pkey k = { .type = lua_type(L, idx), .slot = slot };
    switch (k.type) {
    case LUA_TNUMBER:
        k.is_int = lua_isinteger(L, idx);
        k.i = lua_tointeger(L, idx);
        k.d = lua_tonumber(L, idx);
        break;
    case LUA_TSTRING:
        k.s = lua_tolstring(L, idx, &k.len);
        break;
    case LUA_TBOOLEAN:
        k.i = lua_toboolean(L, idx);
        break;
    default:
        k.s = lua_typename(L, k.type);
        break;
    }
    return k;
}

/* ---- pairs ---- */

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
void simlua_sorted_keys(lua_State *L, int idx)
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
            luaL_error(L, "a key of type %s has no reproducible order "
                          "(cossim visits keys in sorted order; key the table by number or string)",
                       luaL_typename(L, -1));
        }
        lua_pushvalue(L, -1);
        lua_rawseti(L, others, ++n);
    }
    pkey *keys = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof(pkey), 0);
    for (lua_Integer j = 1; j <= n; j++) {
        lua_rawgeti(L, others, j);
        keys[j - 1] = pkey_at(L, -1, j);
        lua_pop(L, 1);
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

/* pairs(t): the __pairs metamethod if any, else the fixed order of
 * simlua_sorted_keys. [-0, +3, e] */
int simlua_pairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    simlua_sorted_keys(L, 1);                            /* 2 */
    lua_pushinteger(L, 0);                             /* 3 */
    lua_pushcclosure(L, pairs_next, 3);                /* iterator(t, keys, 0) */
    lua_pushnil(L);
    lua_pushnil(L);
    return 3;
}


/* ---- next ---- */

#define NEXT_KEY "simlua.next"      /* registry: table -> {sorted keys, key -> position} (weak keys) */

/* The traversal record of the table at t: { keys, positions }, made
 * afresh when asked (fresh) or when there is none. [-0, +1, e] */
static void next_record(lua_State *L, int t, bool fresh)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, NEXT_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "k");
        lua_setfield(L, -2, "__mode");      /* a record does not keep its table alive */
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, NEXT_KEY);
    }
    lua_pushvalue(L, t);
    if (!fresh && lua_rawget(L, -2) == LUA_TTABLE) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);                                     /* t, or what rawget found */
    lua_createtable(L, 2, 0);                          /* the record */
    simlua_sorted_keys(L, t);
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    lua_createtable(L, 0, (int)MIN(n, INT_MAX));       /* key -> position */
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);
        lua_pushinteger(L, i);
        lua_rawset(L, -3);
    }
    lua_rawseti(L, -3, 2);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, t);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    lua_remove(L, -2);
}

/* next(t [, k]): the key after k in the fixed order of pairs (Lua's own
 * next follows host addresses and the per-process string seed).  A
 * traversal started with next(t) keeps the order it began with; clearing
 * fields meanwhile is allowed, as in Lua. [-0, +1|2, e] */
int simlua_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    bool start = lua_isnil(L, 2);
    next_record(L, 1, start);                          /* 3 */
    lua_rawgeti(L, 3, 1);                              /* 4: keys */
    lua_Integer pos = 0;
    if (!start) {
        lua_rawgeti(L, 3, 2);
        lua_pushvalue(L, 2);
        if (lua_rawget(L, -2) != LUA_TNUMBER) {        /* a key of an older traversal: begin anew */
            lua_settop(L, 2);
            next_record(L, 1, true);
            lua_rawgeti(L, 3, 1);
            lua_rawgeti(L, 3, 2);
            lua_pushvalue(L, 2);
            if (lua_rawget(L, -2) != LUA_TNUMBER)
                return luaL_error(L, "invalid key to 'next'");
        }
        pos = lua_tointeger(L, -1);
        lua_settop(L, 4);
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, 4);
    while (++pos <= n) {
        lua_rawgeti(L, 4, pos);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, 1) != LUA_TNIL)
            return 2;
        lua_pop(L, 2);                                 /* cleared meanwhile: skip */
    }
    lua_pushnil(L);
    return 1;
}

/* ---- the key checker ---- */

#define UNKNOWN_KEY_NAME "simlua.unknown_key"   /* registry: the last non-string key named */

static bool is_known(lua_State *L, int idx, const char *const *known)
{
    size_t len;
    const char *k = lua_tolstring(L, idx, &len);   /* a string key: read in place */
    for (int i = 0; known[i]; i++)
        if (strlen(known[i]) == len && memcmp(known[i], k, len) == 0)
            return true;
    return false;
}

/* Name the key at the top of the stack as the message shows it: "[1]",
 * "[2.5]", "[true]", "[table]"; kept in the registry until the next
 * such key is named.  Pops the key. [-1, +0, m] */
static const char *name_key(lua_State *L)
{
    switch (lua_type(L, -1)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, -1))
            lua_pushfstring(L, "[%I]", (LUAI_UACINT)lua_tointeger(L, -1));
        else
            lua_pushfstring(L, "[%f]", (LUAI_UACNUMBER)lua_tonumber(L, -1));
        break;
    case LUA_TBOOLEAN:
        lua_pushstring(L, lua_toboolean(L, -1) ? "[true]" : "[false]");
        break;
    default:
        lua_pushfstring(L, "[%s]", luaL_typename(L, -1));
        break;
    }
    const char *name = lua_tostring(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, UNKNOWN_KEY_NAME);
    lua_pop(L, 1);
    return name;
}

const char *simlua_unknown_key(lua_State *L, int idx, const char *const *known)
{
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 4, "checking keys");
    /* the array part comes first in the order, and 1 is never a name */
    if (lua_rawgeti(L, idx, 1) != LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushinteger(L, 1);
        return name_key(L);
    }
    lua_pop(L, 1);
    /* the smallest unknown key in one pass: nothing to allocate, nothing
     * that can run the collector while the keys are read in place */
    lua_pushnil(L);                                    /* the first so far */
    int first = lua_gettop(L);
    pkey fk = { 0 };
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING && is_known(L, -1, known))
            continue;
        pkey k = pkey_at(L, -1, 0);
        if (lua_isnil(L, first) || pkey_cmp(&k, &fk) < 0) {
            lua_copy(L, -1, first);
            fk = pkey_at(L, first, 0);                 /* anchored in `first` */
        }
    }
    if (lua_isnil(L, first)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (lua_type(L, first) == LUA_TSTRING) {
        const char *name = lua_tostring(L, first);     /* anchored by the table */
        lua_pop(L, 1);
        return name;
    }
    return name_key(L);
}

/* "WHO: unknown key 'KEY' (known: a, b, c)", the one message of every
 * key check. [-0, +1, m] */
static const char *push_unknown_key_message(lua_State *L, const char *who, const char *key,
                                            const char *const *known)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, who);
    luaL_addstring(&b, ": unknown key '");
    luaL_addstring(&b, key);
    luaL_addstring(&b, "' (known: ");
    for (int i = 0; known[i]; i++) {
        if (i)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, known[i]);
    }
    if (known[0] == NULL)
        luaL_addstring(&b, "none");
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

void simlua_check_keys(lua_State *L, int idx, const char *who, const char *const *known)
{
    const char *key = simlua_unknown_key(L, idx, known);
    if (key == NULL)
        return;
    push_unknown_key_message(L, who, key, known);
    lua_error(L);
}

bool simlua_only_keys(lua_State *L, int idx, const char *who, const char *const *known, GError **error)
{
    const char *key = simlua_unknown_key(L, idx, known);
    if (key == NULL)
        return true;
    g_set_error_literal(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT, push_unknown_key_message(L, who, key, known));
    lua_pop(L, 1);
    return false;
}
