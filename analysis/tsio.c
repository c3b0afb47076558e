/* analysis/tsio.c: task-set files (see tsio.h). */
#include "tsio.h"

#include <errno.h>
#include <string.h>
#include <lua.h>

#include "sim/simtime.h"
#include "sim/lua.h"
#include "gen.h"

G_DEFINE_QUARK(an-tsio-error-quark, an_tsio_error)

#define BAD(...) g_set_error(error, AN_TSIO_ERROR, AN_TSIO_ERROR_INPUT, __VA_ARGS__)

/* "10ms", "250", "1.5us" -> ns; a bare number is ns. */
static bool parse_ns(const char *text, uint64_t *out, GError **error)
{
    const char *p = text;
    while (g_ascii_isspace(*p))
        p++;
    char *end = NULL;
    /* digits only: strtoull would take "-1" as 2^64 - 1 and saturate a
     * number past 2^64 - 1 (both found by fuzzing, issue 19); a sign or
     * anything else goes to simt_parse, which refuses it */
    errno = 0;
    guint64 v = g_ascii_isdigit(*p) ? g_ascii_strtoull(p, &end, 10) : 0;
    if (end != NULL && end != p && errno == 0) {
        const char *q = end;
        while (g_ascii_isspace(*q))
            q++;
        if (*q == '\0') {
            *out = v;
            return true;
        }
    }
    sim_time_t ps;
    GError *e = NULL;
    if (!simt_parse(text, &ps, &e)) {
        BAD("%s", e->message);
        g_error_free(e);
        return false;
    }
    if (ps % 1000 != 0) {
        BAD("'%s' is not a whole number of nanoseconds", text);
        return false;
    }
    *out = ps / 1000;
    return true;
}

void an_tsio_free(an_taskset *ts)
{
    an_taskset_clear(ts);
}

static bool check_task(const an_task *t, const char *where, GError **error)
{
    if (t->period == 0 || t->wcet == 0 || t->deadline == 0) {
        BAD("%s: period, wcet and deadline must be above zero", where);
        return false;
    }
    return true;
}

/* ---- CSV ---- */

enum { C_NAME, C_PERIOD, C_WCET, C_DEADLINE, C_PRIORITY, C_CORE, C_JITTER, C_BLOCKING, C_N };
static const char *const col_names[C_N] = { "name", "period", "wcet", "deadline", "priority", "core", "jitter", "blocking" };

static bool read_csv(const char *path, const char *text, an_taskset *ts, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    int col[C_N];
    for (int i = 0; i < C_N; i++)
        col[i] = -1;
    bool header = false;
    GArray *tasks = g_array_new(FALSE, TRUE, sizeof(an_task));
    bool ok = true;
    for (int ln = 0; lines[ln] && ok; ln++) {
        g_strstrip(lines[ln]);
        if (lines[ln][0] == '\0' || lines[ln][0] == '#')
            continue;
        g_auto(GStrv) cells = g_strsplit(lines[ln], ",", -1);
        int ncells = (int)g_strv_length(cells);
        for (int c = 0; c < ncells; c++)
            g_strstrip(cells[c]);
        if (!header) {
            for (int c = 0; c < ncells && ok; c++) {
                int k = 0;
                while (k < C_N && g_ascii_strcasecmp(cells[c], col_names[k]) != 0)
                    k++;
                if (k == C_N) {
                    BAD("%s:%d: unknown column '%s' (columns: name, period, wcet, deadline, priority, core, jitter, blocking)",
                        path, ln + 1, cells[c]);
                    ok = false;
                } else if (col[k] >= 0) {
                    BAD("%s:%d: column '%s' appears twice", path, ln + 1, cells[c]);
                    ok = false;
                } else {
                    col[k] = c;
                }
            }
            static const int required[] = { C_NAME, C_PERIOD, C_WCET };
            for (size_t r = 0; ok && r < G_N_ELEMENTS(required); r++)
                if (col[required[r]] < 0) {
                    BAD("%s:%d: the header needs a '%s' column", path, ln + 1, col_names[required[r]]);
                    ok = false;
                }
            header = true;
            continue;
        }
        an_task t = { .priority = -1, .core = -1 };
        for (int k = 0; k < C_N && ok; k++) {
            if (col[k] < 0)
                continue;
            const char *v = col[k] < ncells ? cells[col[k]] : "";
            GError *e = NULL;
            switch (k) {
            case C_NAME:
                t.name = g_strdup(v);
                break;
            case C_PRIORITY:
            case C_CORE:
                if (*v) {
                    gint64 x;
                    if (!g_ascii_string_to_signed(v, 10, 0, k == C_CORE ? 1023 : G_MAXINT, &x, NULL)) {
                        BAD("%s:%d: %s '%s' is not a non-negative integer", path, ln + 1, col_names[k], v);
                        ok = false;
                    } else if (k == C_CORE) {
                        t.core = (int)x;
                    } else {
                        t.priority = (int)x;
                    }
                }
                break;
            default: {
                if (*v == '\0' && k != C_PERIOD && k != C_WCET)
                    break;
                uint64_t ns;
                if (!parse_ns(v, &ns, &e)) {
                    BAD("%s:%d: %s: %s", path, ln + 1, col_names[k], e->message);
                    g_error_free(e);
                    ok = false;
                    break;
                }
                if (k == C_PERIOD) t.period = ns;
                else if (k == C_WCET) t.wcet = ns;
                else if (k == C_DEADLINE) t.deadline = ns;
                else if (k == C_JITTER) t.jitter = ns;
                else t.blocking = ns;
            }
            }
        }
        if (ok && t.deadline == 0)
            t.deadline = t.period;
        if (ok) {
            g_autofree char *where = g_strdup_printf("%s:%d", path, ln + 1);
            ok = check_task(&t, where, error);
        }
        if (!ok) {
            g_free(t.name);
            break;
        }
        g_array_append_val(tasks, t);
    }
    if (ok && !header) {
        BAD("%s: empty (a header line, then a task per line)", path);
        ok = false;
    }
    ts->n = tasks->len;
    ts->t = (an_task *)g_array_free(tasks, FALSE);
    if (!ok)
        an_tsio_free(ts);
    return ok;
}

/* ---- Lua ---- */

/* A task set in Lua is code from anywhere: it runs in the scenarios'
 * sandbox (sim/lua.h simlua_read_data), and what it returns is read raw,
 * so none of its own metamethods runs while it is read. */

static bool lua_time(lua_State *L, int idx, uint64_t *out, GError **error)
{
    if (lua_isinteger(L, idx) && lua_tointeger(L, idx) >= 0) {
        *out = (uint64_t)lua_tointeger(L, idx);
        return true;
    }
    if (lua_type(L, idx) == LUA_TSTRING)
        return parse_ns(lua_tostring(L, idx), out, error);
    BAD("a time is an integer of ns or a string with a unit");
    return false;
}

/* t[key] without metamethods. [-0, +1, m] */
static int rawfield(lua_State *L, int t, const char *key)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

typedef struct lua_read {
    const char *path;
    GArray *tasks;          /* an_task */
    an_overheads *oh;
    GError *error;          /* the first mistake (the read stops there) */
} lua_read;

/* One task at the top of the stack into t; false with the error. */
static bool lua_task(lua_State *L, const char *path, lua_Integer i, an_task *t, GError **error)
{
    int tt = lua_gettop(L);
    /* unknown keys are mistakes: the first by name, the same on every run */
    static const char *const known[C_N + 1] = { "name", "period", "wcet", "deadline", "priority", "core",
                                                "jitter", "blocking", NULL };
    const char *unknown = simlua_unknown_key(L, tt, known);
    if (unknown) {
        BAD("%s: task %lld: unknown key '%s'", path, (long long)i, unknown);
        return false;
    }
    for (int k = 0; k < C_N; k++) {
        rawfield(L, tt, col_names[k]);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            if (k == C_NAME || k == C_PERIOD || k == C_WCET) {
                BAD("%s: task %lld: '%s' is required", path, (long long)i, col_names[k]);
                return false;
            }
            continue;
        }
        GError *e = NULL;
        bool good = true;
        if (k == C_NAME) {
            good = lua_type(L, -1) == LUA_TSTRING;
            if (good)
                t->name = g_strdup(lua_tostring(L, -1));
        } else if (k == C_PRIORITY || k == C_CORE) {
            good = lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0 && lua_tointeger(L, -1) < (k == C_CORE ? 1024 : G_MAXINT);
            if (good && k == C_CORE) t->core = (int)lua_tointeger(L, -1);
            else if (good) t->priority = (int)lua_tointeger(L, -1);
        } else {
            uint64_t ns = 0;
            good = lua_time(L, -1, &ns, &e);
            if (k == C_PERIOD) t->period = ns;
            else if (k == C_WCET) t->wcet = ns;
            else if (k == C_DEADLINE) t->deadline = ns;
            else if (k == C_JITTER) t->jitter = ns;
            else t->blocking = ns;
        }
        lua_pop(L, 1);
        if (!good) {
            BAD("%s: task %lld: %s: %s", path, (long long)i, col_names[k], e ? e->message : "wrong type");
            g_clear_error(&e);
            return false;
        }
    }
    if (t->deadline == 0)
        t->deadline = t->period;
    g_autofree char *where = g_strdup_printf("%s: task %lld (%s)", path, (long long)i, t->name);
    return check_task(t, where, error);
}

/* lua_value(value, lua_read): the returned task set, read raw (run by
 * simlua_read_data in protected mode). [-0, +0, m] */
static int lua_value(lua_State *L)
{
    lua_read *rd = lua_touserdata(L, 2);
    GError **error = &rd->error;
    const char *path = rd->path;
    lua_settop(L, 1);
    if (!lua_istable(L, 1)) {
        BAD("%s: a task set file returns a table", path);
        return 0;
    }
    if (rawfield(L, 1, "tasks") == LUA_TTABLE) {              /* 2: the list */
        if (rawfield(L, 1, "overheads") == LUA_TTABLE) {
            static const char *const keys[] = { "ctx_switch", "sched", "irq", "invocation" };
            uint64_t *dst[] = { &rd->oh->ctx_switch, &rd->oh->sched, &rd->oh->irq, &rd->oh->invocation };
            for (int k = 0; k < 4; k++) {
                if (rawfield(L, -1, keys[k]) != LUA_TNIL) {
                    GError *e = NULL;
                    if (!lua_time(L, -1, dst[k], &e)) {
                        BAD("%s: overheads.%s: %s", path, keys[k], e->message);
                        g_error_free(e);
                        return 0;
                    }
                }
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
        lua_pushvalue(L, 1);
    }
    int list = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    if (n == 0) {
        BAD("%s: no tasks (a list of tables)", path);
        return 0;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, list, i) != LUA_TTABLE) {
            BAD("%s: task %lld is not a table", path, (long long)i);
            return 0;
        }
        an_task t = { .priority = -1, .core = -1 };
        if (!lua_task(L, path, i, &t, error)) {
            g_free(t.name);
            return 0;
        }
        g_array_append_val(rd->tasks, t);
        lua_settop(L, list);
    }
    return 0;
}

static bool read_lua(const char *path, const char *text, gsize len, an_taskset *ts, an_overheads *oh, GError **error)
{
    lua_read rd = { .path = path, .tasks = g_array_new(FALSE, TRUE, sizeof(an_task)), .oh = oh };
    GError *e = NULL;
    bool ok = simlua_read_data(path, text, len, NULL, lua_value, &rd, &e);
    if (!ok) {
        g_propagate_error(error, e);
        g_clear_error(&rd.error);
    } else if (rd.error) {
        ok = false;
        g_propagate_error(error, rd.error);
    }
    ts->n = rd.tasks->len;
    ts->t = (an_task *)g_array_free(rd.tasks, FALSE);
    if (!ok)
        an_tsio_free(ts);
    return ok;
}

bool an_tsio_read(const char *path, an_taskset *ts, an_overheads *oh, GError **error)
{
    memset(ts, 0, sizeof *ts);
    memset(oh, 0, sizeof *oh);
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, &len, &e)) {
        BAD("cannot read task set: %s", e->message);
        g_error_free(e);
        return false;
    }
    if (g_str_has_suffix(path, ".csv"))
        return read_csv(path, text, ts, error);
    if (g_str_has_suffix(path, ".lua"))
        return read_lua(path, text, len, ts, oh, error);
    BAD("%s: a task set is a .csv or a .lua file", path);
    return false;
}
