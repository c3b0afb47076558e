/* compose/comps.c: components a scenario adds to a composed system
 * (sys:component), the capabilities it grants them (sys:grant), their
 * rows of sys:results(), and the trace's components table, which names
 * every component of the system by the id the events use.
 * docs/systems.md documents the calls. */
#include "compose/internal.h"
#include "sim/trace_names.h"

#include <string.h>

/* The registered kind of added component whose image is `image`. */
static int reg_by_image(const char *image)
{
    for (int i = 0; cos_comp_regs[i]; i++)
        if (strcmp(cos_images[cos_comp_regs[i]->image]->name, image) == 0)
            return i;
    return -1;
}

/* The names a scenario may add, for messages. [-0, +1, m] */
static const char *reg_list(lua_State *L)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; cos_comp_regs[i]; i++) {
        luaL_addstring(&b, i ? ", " : "");
        luaL_addstring(&b, cos_images[cos_comp_regs[i]->image]->name);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* sys:component{name = N, image = I, memory = bytes, args = { k = v }} ->
 * number: a component of registered kind I with its own memory (at least
 * its data block's size) and arguments: integers, or the name of a
 * component of the system ("app", a server, an added component), which
 * becomes the start of that component's memory. */
int cmp_l_component(lua_State *L)
{
    static const char *const known[] = { "name", "image", "memory", "args", NULL };
    composed *c = cmp_method_args(L, "sys:component", known);
    wl_desc *w = c->w;
    lua_getfield(L, 2, "name");
    const char *name = lua_tostring(L, -1);
    if (name == NULL)
        return luaL_error(L, "sys:component: give it a name");
    cmp_check_name(L, "sys:component", name);
    if (strcmp(name, "app") == 0 || cmp_find_name(c->comp_names, w->ncomps, name) >= 0
        || cmp_find_name(c->server_names, w->nservers, name) >= 0)
        return luaL_error(L, "sys:component: '%s' names a component already", name);
    char who[80];
    g_snprintf(who, sizeof who, "sys:component '%s'", name);
    lua_getfield(L, 2, "image");
    const char *image = lua_tostring(L, -1);
    int reg = image ? reg_by_image(image) : -1;
    if (reg < 0)
        return luaL_error(L, "%s: image is one of: %s", who, reg_list(L));
    unsigned i = cmp_new_comp(c);
    wl_comp *d = &w->comp[i];
    *d = (wl_comp){ .reg = (unsigned)reg };
    lua_getfield(L, 2, "memory");
    uint64_t mem = lua_isnil(L, -1) ? COS_PAGE_SIZE : cmp_to_bytes(L, -1, "sys:component: memory");
    uint64_t need = cos_comp_regs[reg]->state_bytes;
    d->pages = (unsigned)(((mem > need ? mem : need) + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
    if (d->pages > 512)
        return luaL_error(L, "%s: at most 2 MiB of memory", who);
    lua_pop(L, 3);
    /* its arguments, in the sorted order of their names */
    if (lua_getfield(L, 2, "args") != LUA_TNIL) {
        if (!lua_istable(L, 3))
            return luaL_error(L, "%s: args = { name = integer or a component's name, ... }", who);
        simlua_sorted_keys(L, 3);
        for (lua_Integer k = 1; lua_rawgeti(L, 4, k) != LUA_TNIL; k++) {
            if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) >= COS_NAME_LEN)
                return luaL_error(L, "%s: an argument's name is a string of 1 to %d characters", who,
                                  (int)COS_NAME_LEN - 1);
            if (d->nargs >= COS_ARGS_MAX)
                return luaL_error(L, "%s: at most %d arguments", who, (int)COS_ARGS_MAX);
            const char *an = lua_tostring(L, -1);
            g_strlcpy(d->args[d->nargs].name, an, COS_NAME_LEN);
            lua_pushvalue(L, -1);
            lua_rawget(L, 3);
            if (lua_isinteger(L, -1)) {
                d->args[d->nargs].value = lua_tointeger(L, -1);
            } else if (lua_type(L, -1) == LUA_TSTRING) {
                g_strlcpy(c->comp_arg_ref[i][d->nargs], lua_tostring(L, -1), 48);   /* resolved at the first run */
                d->args[d->nargs].ref = WL_REF_COMP;
            } else {
                return luaL_error(L, "%s: argument '%s' is an integer or a component's name", who, an);
            }
            d->nargs++;
            lua_pop(L, 2);
        }
        lua_pop(L, 2);
    }
    lua_settop(L, 2);
    g_strlcpy(c->comp_names[i], name, 48);
    w->ncomps++;
    lua_pushinteger(L, (lua_Integer)i + 1);
    return 1;
}

/* sys:grant{from = A, to = B, kind = "sinv" | "asnd", entry = 0, name = B}:
 * added component A gets an invocation of entry `entry` of B (a server or
 * an added component), or a send to task B's endpoint, and finds it under
 * `name` (components/lib/comp.h: cos_cap_get). */
int cmp_l_grant(lua_State *L)
{
    static const char *const known[] = { "from", "to", "kind", "entry", "name", NULL };
    composed *c = cmp_method_args(L, "sys:grant", known);
    wl_desc *w = c->w;
    lua_getfield(L, 2, "from");
    const char *from = lua_tostring(L, -1);
    int fi = from ? cmp_find_name(c->comp_names, w->ncomps, from) : -1;
    if (fi < 0)
        return luaL_error(L, "sys:grant: from = the name of a component added with sys:component{...} before");
    unsigned held = 0;
    for (unsigned k = 0; k < w->ngrants; k++)
        held += w->grant[k].from == (uint32_t)fi;
    if (held >= COS_CAPS_MAX)
        return luaL_error(L, "sys:grant: '%s' holds %d capabilities already, the most a component's header names "
                          "(components/lib/comp.h, COS_CAPS_MAX)", from, (int)COS_CAPS_MAX);
    lua_getfield(L, 2, "to");
    const char *to = lua_tostring(L, -1);
    if (to == NULL)
        return luaL_error(L, "sys:grant: to = a server, an added component (sinv) or a task (asnd)");
    lua_getfield(L, 2, "kind");
    const char *kind = luaL_optstring(L, -1, "sinv");
    unsigned slot = cmp_new_grant(c);     /* first: it may move the array */
    wl_grant *g = &w->grant[slot];
    *g = (wl_grant){ .from = (uint32_t)fi };
    lua_getfield(L, 2, "name");
    const char *name = luaL_optstring(L, -1, to);
    if (strlen(name) >= COS_NAME_LEN)
        return luaL_error(L, "sys:grant: a name of at most %d characters", (int)COS_NAME_LEN - 1);
    g_strlcpy(g->name, name, COS_NAME_LEN);
    lua_getfield(L, 2, "entry");
    if (!lua_isnil(L, -1) && (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0))
        return luaL_error(L, "sys:grant: entry is an entry's number, 0 or more");
    lua_Integer entry = luaL_optinteger(L, -1, 0);
    if (strcmp(kind, "sinv") == 0) {
        g->kind = COS_GRANT_SINV;
        int si = cmp_find_name(c->server_names, w->nservers, to), ci = cmp_find_name(c->comp_names, w->ncomps, to);
        if (si < 0 && ci < 0)
            return luaL_error(L, "sys:grant: no server or added component '%s' to invoke", to);
        g->to_ref = si >= 0 ? WL_REF_SERVER : WL_REF_COMP;
        g->to = (uint32_t)(si >= 0 ? si : ci);
        const cos_image *im = si >= 0 ? &cos_image_wl_server : cos_images[cos_comp_regs[w->comp[ci].reg]->image];
        if ((uint64_t)entry >= im->nentries)
            return luaL_error(L, "sys:grant: '%s' has %d entries (0 to %d)", to, (int)im->nentries,
                              (int)im->nentries - 1);
        g->entry = (uint32_t)entry;
    } else if (strcmp(kind, "asnd") == 0) {
        g->kind = COS_GRANT_ASND;
        g_strlcpy(c->grant_to[w->ngrants], to, 48);    /* a task: resolved at the first run */
    } else {
        return luaL_error(L, "sys:grant: kind is \"sinv\" or \"asnd\"");
    }
    w->ngrants++;
    lua_settop(L, 2);
    return 0;
}

/* Names given before their components or tasks existed, resolved at the
 * first run (compose/run.c calls it). [-0, +0, e] */
void cmp_resolve_comps(lua_State *L, composed *c)
{
    wl_desc *w = c->w;
    for (unsigned i = 0; i < w->ncomps; i++)
        for (unsigned k = 0; k < w->comp[i].nargs; k++) {
            if (w->comp[i].args[k].ref == WL_REF_NONE)
                continue;
            const char *n = c->comp_arg_ref[i][k];
            int si = cmp_find_name(c->server_names, w->nservers, n), ci = cmp_find_name(c->comp_names, w->ncomps, n);
            if (strcmp(n, "app") == 0)
                w->comp[i].args[k].ref = WL_REF_APP, w->comp[i].args[k].value = 0;
            else if (si >= 0)
                w->comp[i].args[k].ref = WL_REF_SERVER, w->comp[i].args[k].value = si;
            else if (ci >= 0)
                w->comp[i].args[k].ref = WL_REF_COMP, w->comp[i].args[k].value = ci;
            else
                luaL_error(L, "sys:run: component '%s': argument '%s' names '%s', which is no component", c->comp_names[i],
                           w->comp[i].args[k].name, n);
        }
    for (unsigned g = 0; g < w->ngrants; g++) {
        if (w->grant[g].kind != COS_GRANT_ASND)
            continue;
        int t = cmp_find_task(c, c->grant_to[g]);
        if (t < 0)
            luaL_error(L, "sys:run: a grant to '%s', which is no task", c->grant_to[g]);
        bool recv = false;
        for (unsigned j = 0; j < w->app.task[t].nops; j++)
            recv = recv || w->app.task[t].ops[j].kind == WL_RECV;
        if (!recv)
            luaL_error(L, "sys:run: component '%s' is granted a send to '%s', which never receives (give it a "
                          "{\"recv\"} step)", c->comp_names[w->grant[g].from], c->grant_to[g]);
        w->grant[g].to = (uint32_t)t;
    }
}

/* sys:results().components: per added component, its id, memory and the
 * counters its registration names. [-0, +1, m] */
void cmp_comp_results(lua_State *L, const composed *c)
{
    const wl_desc *w = c->w;
    lua_createtable(L, 0, (int)w->ncomps);
    for (unsigned i = 0; i < w->ncomps; i++) {
        const cos_comp_reg *reg = cos_comp_regs[w->comp[i].reg];
        const cos_comp_hdr *h = w->boot.comp_st[i];
        lua_newtable(L);
        lua_pushstring(L, cos_images[reg->image]->name);
        lua_setfield(L, -2, "image");
        lua_pushinteger(L, (lua_Integer)w->comp[i].pages);
        lua_setfield(L, -2, "pages");
        if (h) {
            lua_pushinteger(L, (lua_Integer)h->id);
            lua_setfield(L, -2, "id");
            lua_pushinteger(L, (lua_Integer)h->base);
            lua_setfield(L, -2, "base");
            for (unsigned k = 0; k < reg->nresults; k++) {
                uint64_t v;
                memcpy(&v, (const char *)h + reg->results[k].offset, sizeof v);
                lua_pushinteger(L, (lua_Integer)v);
                lua_setfield(L, -2, reg->results[k].name);
            }
        }
        lua_setfield(L, -2, c->comp_names[i]);
    }
}

/* One row of the components table. */
static void comp_row(simtr_table *tb, const composed *c, const bt_comp *bc, const char *name, const char *image)
{
    if (bc->id == 0)
        return;     /* not made (a manager no task uses) */
    simtr_begin(tb);
    simtr_int(tb, bc->id);
    simtr_text(tb, name, -1);
    simtr_text(tb, image, -1);
    simtr_int(tb, (int64_t)c->h->core_base);
    simtr_int(tb, (int64_t)bc->base);
    simtr_int(tb, bc->user_pages);
    simtr_end(tb);
}

/* The trace's components table: each component of the system, by the id
 * the events' component column uses (ids are per machine: first_core
 * tells the machine). */
void cmp_define_components_table(const composed *c, sim *s)
{
    static const simtr_column cols[] = {
        { "component", SIMTR_INT, true }, { "name", SIMTR_TEXT, true },  { "image", SIMTR_TEXT, true },
        { "first_core", SIMTR_INT, true }, { "base", SIMTR_INT, true }, { "pages", SIMTR_INT, true },
    };
    simtr_table *tb = simtr_find(s->trace, TRN_COMPONENTS);
    if (tb == NULL)
        tb = simtr_define(s->trace, TRN_COMPONENTS, cols, G_N_ELEMENTS(cols));
    const wl_desc *w = c->w;
    const bt_comp boot = { .id = 1, .base = 0, .user_pages = 0 };
    comp_row(tb, c, &boot, "booter", cos_image_wl_booter.name);
    comp_row(tb, c, &w->boot.app, "app", cos_image_workload.name);
    for (unsigned i = 0; i < w->nservers; i++)
        comp_row(tb, c, &w->boot.server[i], c->server_names[i], cos_image_wl_server.name);
    comp_row(tb, c, &w->boot.timer, "tmrmgr", cos_image_wl_timer.name);
    comp_row(tb, c, &w->boot.mm, "memmgr", cos_image_wl_mem.name);
    for (unsigned i = 0; i < w->ncomps; i++)
        comp_row(tb, c, &w->boot.comps[i], c->comp_names[i], cos_images[cos_comp_regs[w->comp[i].reg]->image]->name);
}
