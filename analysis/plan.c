/* analysis/plan.c: the plan of a sweep (plan.h): the parameters and their
 * values, the cross product, the shell quoting of every word of a line,
 * and the manifest.  Pure text: nothing here runs or writes anything
 * (plan_run.c does). */
#include "plan.h"

#include <inttypes.h>
#include <string.h>

#define PLAN_ERROR (g_quark_from_static_string("an-plan-error"))

static void param_clear(gpointer v)
{
    an_plan_param *pp = v;
    g_free(pp->key);
    g_ptr_array_unref(pp->values);
}

void an_plan_init(an_plan *p)
{
    memset(p, 0, sizeof *p);
    p->params = g_array_new(FALSE, TRUE, sizeof(an_plan_param));
    g_array_set_clear_func(p->params, param_clear);
    p->seeds = 1;
}

void an_plan_clear(an_plan *p)
{
    g_free(p->cossim);
    g_free(p->scenario);
    g_free(p->dir);
    g_free(p->trace_level);
    if (p->params)
        g_array_unref(p->params);
    memset(p, 0, sizeof *p);
}

/* The manifest's own columns: a parameter may not take their names. */
static const char *const manifest_columns[] = { "run", "seed", "scenario", "trace", NULL };

static bool valid_key(const char *k, size_t n)
{
    if (n == 0 || !(g_ascii_isalpha(k[0]) || k[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(g_ascii_isalnum(k[i]) || k[i] == '_'))
            return false;
    return true;
}

bool an_plan_add_param(an_plan *p, const char *spec, GError **error)
{
    const char *eq = strchr(spec, '=');
    if (eq == NULL || !valid_key(spec, (size_t)(eq - spec))) {
        g_set_error(error, PLAN_ERROR, 0, "--param: '%s' is not KEY=VALUE,VALUE,... (KEY: letters, digits and _, "
                    "not starting with a digit)", spec);
        return false;
    }
    g_autofree char *key = g_strndup(spec, (size_t)(eq - spec));
    if (g_strv_contains(manifest_columns, key)) {
        g_set_error(error, PLAN_ERROR, 0, "--param: '%s' names a column of the manifest (run, seed, scenario, trace)%s",
                    key, strcmp(key, "seed") == 0 ? "; seeds are --seeds N" : "");
        return false;
    }
    for (guint i = 0; i < p->params->len; i++)
        if (strcmp(g_array_index(p->params, an_plan_param, i).key, key) == 0) {
            g_set_error(error, PLAN_ERROR, 0, "--param: '%s' given twice (give all its values in one --param)", key);
            return false;
        }
    for (const unsigned char *c = (const unsigned char *)eq + 1; *c; c++)
        if (*c < 0x20 || *c == 0x7f) {
            g_set_error(error, PLAN_ERROR, 0, "--param %s: a value holds a control character (byte 0x%02x%s): "
                        "a plan is a command per line, and a value is text on one line", key, *c,
                        *c == '\n' ? ", a newline" : "");
            return false;
        }
    GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
    GString *v = g_string_new(NULL);
    for (const char *c = eq + 1;; c++) {
        if (*c == '\\' && (c[1] == ',' || c[1] == '\\')) {
            g_string_append_c(v, *++c);
        } else if (*c == ',' || *c == '\0') {
            for (guint i = 0; i < values->len; i++)
                if (strcmp(values->pdata[i], v->str) == 0) {
                    g_set_error(error, PLAN_ERROR, 0, "--param %s: the value '%s' given twice", key, v->str);
                    g_string_free(v, TRUE);
                    g_ptr_array_unref(values);
                    return false;
                }
            g_ptr_array_add(values, g_strdup(v->str));
            g_string_truncate(v, 0);
            if (*c == '\0')
                break;
        } else {
            g_string_append_c(v, *c);
        }
    }
    g_string_free(v, TRUE);
    an_plan_param pp = { g_steal_pointer(&key), values };
    g_array_append_val(p->params, pp);
    return true;
}

/* The first parameter outermost, the seed innermost. */
void an_plan_point(const an_plan *p, uint64_t r, uint64_t *seed, size_t *idx)
{
    *seed = r % p->seeds + 1;
    r /= p->seeds;
    for (guint i = p->params->len; i-- > 0;) {
        guint n = g_array_index(p->params, an_plan_param, i).values->len;
        idx[i] = (size_t)(r % n);
        r /= n;
    }
}

static bool plain(const char *s)
{
    if (*s == '\0')
        return false;
    for (const char *c = s; *c; c++)
        if (!(g_ascii_isalnum(*c) || strchr("_./:=@%+,-", *c)))
            return false;
    return true;
}

/* Inside single quotes /bin/sh acts on nothing ($, `, \, ", newlines are
 * text) but the closing quote; a quote itself is written by closing the
 * word, an escaped quote, and opening it again. */
void an_plan_quote(GString *out, const char *s)
{
    if (plain(s)) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '\'');
    for (const char *c = s; *c; c++)
        if (*c == '\'')
            g_string_append(out, "'\\''");
        else
            g_string_append_c(out, *c);
    g_string_append_c(out, '\'');
}

char *an_plan_run_path(const an_plan *p, uint64_t r, const char *suffix)
{
    g_autofree char *name = g_strdup_printf("run-%04" PRIu64 "%s", r, suffix);
    return g_build_filename(p->dir, name, NULL);
}

void an_plan_text(const an_plan *p, GString *out)
{
    size_t *idx = g_new0(size_t, p->params->len + 1);
    for (uint64_t r = 0; r < p->nruns; r++) {
        uint64_t seed;
        an_plan_point(p, r, &seed, idx);
        an_plan_quote(out, p->cossim);
        g_string_append(out, " run ");
        an_plan_quote(out, p->scenario);
        for (guint i = 0; i < p->params->len; i++) {
            const an_plan_param *pp = &g_array_index(p->params, an_plan_param, i);
            g_autofree char *kv = g_strconcat(pp->key, "=", (const char *)pp->values->pdata[idx[i]], NULL);
            g_string_append(out, " --set ");
            an_plan_quote(out, kv);
        }
        g_string_append_printf(out, " --seed %" PRIu64, seed);
        if (p->trace_level) {
            g_string_append(out, " --trace-level ");
            an_plan_quote(out, p->trace_level);
        }
        g_string_append(out, " --trace ");
        g_autofree char *db = an_plan_run_path(p, r, ".db");
        g_autofree char *json = an_plan_run_path(p, r, ".json");
        g_autofree char *log = an_plan_run_path(p, r, ".log");
        an_plan_quote(out, db);
        g_string_append(out, " --json > ");
        an_plan_quote(out, json);
        g_string_append(out, " 2> ");
        an_plan_quote(out, log);
        g_string_append_c(out, '\n');
    }
    g_free(idx);
}

/* RFC 4180: a field with a comma or a quote in quotes, quotes doubled (no
 * field holds a line break: values with control characters are refused). */
static void csv_field(GString *out, const char *s)
{
    if (strpbrk(s, ",\"") == NULL && *s != ' ' && (*s == '\0' || s[strlen(s) - 1] != ' ')) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

void an_plan_manifest(const an_plan *p, GString *out)
{
    g_string_append(out, "run,seed,scenario,trace");
    for (guint i = 0; i < p->params->len; i++) {
        g_string_append_c(out, ',');
        csv_field(out, g_array_index(p->params, an_plan_param, i).key);
    }
    g_string_append_c(out, '\n');
    size_t *idx = g_new0(size_t, p->params->len + 1);
    for (uint64_t r = 0; r < p->nruns; r++) {
        uint64_t seed;
        an_plan_point(p, r, &seed, idx);
        g_autofree char *db = an_plan_run_path(p, r, ".db");
        g_string_append_printf(out, "%" PRIu64 ",%" PRIu64 ",", r, seed);
        csv_field(out, p->scenario);
        g_string_append_c(out, ',');
        csv_field(out, db);
        for (guint i = 0; i < p->params->len; i++) {
            g_string_append_c(out, ',');
            csv_field(out, g_array_index(p->params, an_plan_param, i).values->pdata[idx[i]]);
        }
        g_string_append_c(out, '\n');
    }
    g_free(idx);
}
