/* sim/cli_scenarios.c: the bundled scenarios, found by name and listed
 * (`cossim scenarios`): part of the command line (cli.h). */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "cossim-config.h"
#include "cli.h"
#include "cli_internal.h"
#include "json.h"

const char *simcli_scenario_dir(void)
{
    const char *env = g_getenv("COSSIM_SCENARIOS");
    if (env && *env)
        return env;
    if (g_file_test(COSSIM_SOURCE_SCENARIOS, G_FILE_TEST_IS_DIR))
        return COSSIM_SOURCE_SCENARIOS;
    return COSSIM_INSTALLED_SCENARIOS;
}

char *simcli_find_scenario(const char *arg)
{
    if (g_file_test(arg, G_FILE_TEST_IS_REGULAR))
        return g_strdup(arg);
    if (g_path_is_absolute(arg) || g_str_has_prefix(arg, "."))
        return NULL;
    const char *dir = simcli_scenario_dir();
    g_autofree char *a = g_build_filename(dir, arg, NULL);
    if (g_file_test(a, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&a);
    g_autofree char *withext = g_strconcat(arg, ".lua", NULL);
    g_autofree char *b = g_build_filename(dir, withext, NULL);
    if (g_file_test(b, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&b);
    return NULL;
}

/* The one-line description: the first line, if it is a comment. */
static char *describe(const char *file)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(file, &text, NULL, NULL))
        return g_strdup("(unreadable)");
    char *line = text;
    if (g_str_has_prefix(line, "#!")) {
        char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    if (!g_str_has_prefix(line, "--"))
        return g_strdup("");
    line += 2;
    while (*line == '-' || *line == ' ')
        line++;
    char *nl = strchr(line, '\n');
    return g_strstrip(g_strndup(line, nl ? (gsize)(nl - line) : strlen(line)));
}

static void collect(const char *root, const char *rel, GPtrArray *out)
{
    g_autofree char *dir = rel ? g_build_filename(root, rel, NULL) : g_strdup(root);
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *r = rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
        g_autofree char *full = g_build_filename(root, r, NULL);
        if (g_file_test(full, G_FILE_TEST_IS_DIR)) {
            if (rel == NULL && strcmp(name, "lib") == 0)
                continue;    /* helpers, not scenarios */
            if (strcmp(name, "student") == 0)
                continue;    /* a lab's starter files (docs/labs), loaded by the lab */
            collect(root, r, out);
        } else if (g_str_has_suffix(name, ".lua")) {
            g_ptr_array_add(out, g_steal_pointer(&r));
        }
    }
    g_dir_close(d);
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int simcli_cmd_scenarios(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON array of {name, description}", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- list the bundled scenarios");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return simcli_usage_error("scenarios", "%s", err->message);
    if (argc > 1)
        return simcli_usage_error("scenarios", "takes no arguments ('%s')", argv[1]);
    const char *root = simcli_scenario_dir();
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
    collect(root, NULL, list);
    g_ptr_array_sort(list, cmp_str);
    if (list->len == 0)
        fprintf(stderr, "cossim scenarios: none found in %s\n", root);
    GString *j = g_string_new("[");
    for (guint i = 0; i < list->len; i++) {
        const char *rel = list->pdata[i];
        g_autofree char *full = g_build_filename(root, rel, NULL);
        g_autofree char *name = g_strndup(rel, strlen(rel) - 4);
        g_autofree char *desc = describe(full);
        if (!json) {
            printf("%-28s %s\n", name, desc);
            continue;
        }
        g_string_append(j, i ? ",{\"name\":" : "{\"name\":");
        simjson_string(j, name, -1);
        g_string_append(j, ",\"description\":");
        simjson_string(j, desc, -1);
        g_string_append_c(j, '}');
    }
    if (json)
        printf("%s]\n", j->str);
    g_string_free(j, TRUE);
    g_ptr_array_free(list, TRUE);
    return 0;
}
