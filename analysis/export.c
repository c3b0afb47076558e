/* analysis/export.c: the `export` verb (export.h): options, the output file
 * (temporary, renamed when complete), and the format's writer. */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "sim/tempfile.h"
#include "sim/trace.h"

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "cossim export: %s\n", m);
    return 2;
}

/* What is exported: one trace, open (db), or several, by name (schedcat). */
typedef struct source {
    sqlite3 *db;
    char **traces;
    int n;
} source;

static bool w_perfetto(const source *s, FILE *f, GError **error)
{
    return an_export_perfetto(s->db, f, error);
}

static bool w_schedcat(const source *s, FILE *f, GError **error)
{
    return an_export_schedcat(s->traces, s->n, f, error);
}

static bool w_litmus(const source *s, const char *dir, GError **error)
{
    return an_export_litmus(s->db, dir, error);
}

static bool w_ctf(const source *s, const char *dir, GError **error)
{
    return an_export_ctf(s->db, dir, error);
}

/* A format writes one file (write) or a folder of them (write_dir), of
 * one trace or of several (many). */
typedef struct format {
    const char *name, *suffix;
    bool many;
    bool (*write)(const source *s, FILE *f, GError **error);
    bool (*write_dir)(const source *s, const char *dir, GError **error);
} format;

static const format formats[] = {
    { "perfetto", "-perfetto.json", false, w_perfetto, NULL },
    { "litmus", "-litmus", false, NULL, w_litmus },
    { "ctf", "-ctf", false, NULL, w_ctf },
    { "schedcat", "-schedcat.csv", true, w_schedcat, NULL },
};

/* OUT may be written: absent, or a regular file that is none of the
 * traces (a rename over a device node or a pipe would replace the node). */
static bool target_ok(const char *out, char **traces, int n, int *rc)
{
    struct stat o, t;
    if (stat(out, &o) != 0)
        return true;
    if (!S_ISREG(o.st_mode)) {
        *rc = usage("--output: '%s' is not a regular file, and writing would replace it", out);
        return false;
    }
    for (int i = 0; i < n; i++)
        if (stat(traces[i], &t) == 0 && o.st_dev == t.st_dev && o.st_ino == t.st_ino) {
            *rc = usage("--output: '%s' is a trace being read", out);
            return false;
        }
    return true;
}

static int export_to(const source *src, const format *fm, const char *out)
{
    const char *trace = src->traces[0];
    g_autoptr(GError) err = NULL;
    if (fm->write_dir) {
        if (strcmp(out, "-") == 0)
            return usage("--output: %s writes a folder of files, not stdout", fm->name);
        if (!fm->write_dir(src, out, &err)) {
            fprintf(stderr, "cossim export: %s: %s\n", trace, err->message);
            return 2;
        }
        return 0;
    }
    if (strcmp(out, "-") == 0) {
        if (!fm->write(src, stdout, &err) || fflush(stdout) != 0) {
            fprintf(stderr, "cossim export: %s: %s\n", trace, err ? err->message : g_strerror(errno));
            return 2;
        }
        return 0;
    }
    int rc = 0;
    if (!target_ok(out, src->traces, src->n, &rc))
        return rc;
    g_autofree char *temp = NULL;
    int fd = simtmp_create(out, &temp);
    if (fd < 0)
        return usage("cannot write '%s': %s", out, g_strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(temp);
        return usage("cannot write '%s': %s", out, g_strerror(errno));
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    bool ok = fm->write(src, f, &err);
    int werr = ferror(f) ? EIO : 0;
    if (fclose(f) != 0 && werr == 0)
        werr = errno;
    if (ok && werr == 0 && rename(temp, out) != 0)
        werr = errno;
    if (!ok || werr) {
        unlink(temp);
        if (!ok)
            fprintf(stderr, "cossim export: %s: %s\n", trace, err->message);
        else
            fprintf(stderr, "cossim export: cannot write '%s': %s\n", out, g_strerror(werr));
        return 2;
    }
    return 0;
}

int an_cli_export(int argc, char **argv)
{
    g_autofree char *fmt_name = NULL, *output = NULL;
    GOptionEntry entries[] = {
        { "format", 'f', 0, G_OPTION_ARG_STRING, &fmt_name, "perfetto (Trace Event Format JSON, for ui.perfetto.dev and chrome://tracing), litmus (sched_trace records, a file per core), ctf (CTF 1.8 for babeltrace2) or schedcat (overheads CSV of one or more runs)", "FORMAT" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output file ('-': stdout; default TRACE-perfetto.json), or folder for litmus (default TRACE-litmus/)", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("TRACE.db... - a run's trace in a format other tools read (docs/export.md)");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return usage("%s", err->message);
    if (argc < 2)
        return usage("usage: cossim export TRACE.db --format perfetto|litmus|ctf [-o FILE], "
                     "or cossim export TRACE.db... --format schedcat [-o FILE]");
    if (fmt_name == NULL)
        return usage("--format: give one: perfetto, litmus, ctf, schedcat");
    const format *fm = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
        if (strcmp(formats[i].name, fmt_name) == 0)
            fm = &formats[i];
    if (fm == NULL)
        return usage("--format: '%s' is not one of: perfetto, litmus, ctf, schedcat", fmt_name);
    if (argc > 2 && !fm->many)
        return usage("--format %s: one trace at a time", fm->name);
    const char *trace = argv[1];
    g_autofree char *stem = g_str_has_suffix(trace, ".db") ? g_strndup(trace, strlen(trace) - 3) : g_strdup(trace);
    g_autofree char *out = output ? g_strdup(output) : g_strconcat(stem, fm->suffix, NULL);
    source src = { .traces = argv + 1, .n = argc - 1 };
    if (!fm->many && (src.db = simtr_open_read(trace, &err)) == NULL) {
        fprintf(stderr, "cossim export: %s\n", err->message);
        return 2;
    }
    int rc = export_to(&src, fm, out);
    if (src.db)
        sqlite3_close(src.db);
    return rc;
}
