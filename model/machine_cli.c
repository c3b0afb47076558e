/* model/machine_cli.c: `cossim machines [NAME] [--json]`: the presets,
 * or one preset's figures with their sources (machine.h). */
#include "machine.h"

#include <stdio.h>
#include <string.h>

#include "sim/json.h"

static void list(bool json)
{
    g_auto(GStrv) names = model_preset_names();
    g_autoptr(GString) j = g_string_new("[");
    g_autoptr(GError) err = NULL;
    for (char **n = names; *n; n++) {
        model_config cfg;
        bool ok = model_config_load(*n, &cfg, &err);
        if (json) {
            g_string_append(j, n == names ? "{\"name\":" : ",{\"name\":");
            simjson_string(j, *n, -1);
            if (!ok) {
                g_string_append(j, ",\"invalid\":");
                simjson_string(j, err->message, -1);
            } else {
                g_string_append(j, ",\"arch\":");
                simjson_string(j, model_arch_name(cfg.arch), -1);
                g_string_append_printf(j, ",\"cores\":%u,\"freq_hz\":%" G_GUINT64_FORMAT ",\"description\":",
                                       cfg.cores, (guint64)cfg.freq_hz);
                simjson_string(j, cfg.description ? cfg.description : "", -1);
            }
            g_string_append_c(j, '}');
        } else if (!ok) {
            printf("%-14s (invalid: %s)\n", *n, err->message);
        } else {
            printf("%-14s %-9s %u core%s, %.0f MHz  %s\n", *n, model_arch_name(cfg.arch), cfg.cores,
                   cfg.cores == 1 ? " " : "s", (double)cfg.freq_hz / 1e6, cfg.description ? cfg.description : "");
        }
        if (ok)
            model_config_clear(&cfg);
        g_clear_error(&err);
    }
    if (json)
        printf("%s]\n", j->str);
}

static void show(const model_config *cfg, bool json)
{
    if (json) {
        g_autoptr(GString) j = g_string_new("{\"name\":");
        simjson_string(j, cfg->name, -1);
        g_string_append(j, ",\"description\":");
        simjson_string(j, cfg->description ? cfg->description : "", -1);
        g_string_append(j, ",\"figures\":[");
        for (guint i = 0; i < cfg->figures->len; i++) {
            model_figure *f = cfg->figures->pdata[i];
            g_string_append(j, i ? ",{\"path\":" : "{\"path\":");
            simjson_string(j, f->path, -1);
            g_string_append(j, ",\"value\":");
            simjson_string(j, f->value, -1);
            g_string_append_printf(j, ",\"calibrated\":%s,\"source\":", f->calibrated ? "true" : "false");
            simjson_string(j, f->source, -1);
            g_string_append_c(j, '}');
        }
        printf("%s]}\n", j->str);
        return;
    }
    printf("%s: %s\n\n", cfg->name, cfg->description ? cfg->description : "");
    size_t w = 0;
    for (guint i = 0; i < cfg->figures->len; i++) {
        model_figure *f = cfg->figures->pdata[i];
        w = MAX(w, strlen(f->path) + strlen(f->value) + 3);
    }
    for (guint i = 0; i < cfg->figures->len; i++) {
        model_figure *f = cfg->figures->pdata[i];
        g_autofree char *lhs = g_strdup_printf("%s = %s", f->path, f->value);
        printf("%-*s  %s%s\n", (int)w, lhs, f->calibrated ? "CALIBRATED: " : "", f->source);
    }
}

int model_cli_machines(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON: the list, or the preset with its figures", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[NAME] - list the machine presets, or print one with its sources");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "cossim machines: %s\n", err->message);
        return 2;
    }
    if (argc > 2) {
        fprintf(stderr, "cossim machines: one machine at a time ('%s' is extra)\n", argv[2]);
        return 2;
    }
    if (argc == 1) {
        list(json);
        return 0;
    }
    model_config cfg;
    if (!model_config_load(argv[1], &cfg, &err)) {
        fprintf(stderr, "cossim machines: %s\n", err->message);
        return 2;
    }
    show(&cfg, json);
    model_config_clear(&cfg);
    return 0;
}
