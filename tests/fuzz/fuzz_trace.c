/* tests/fuzz/fuzz_trace.c: harness (c) of issue 19: a trace nobody can
 * trust, through every reader of a trace: `cossim analyze` (the report as
 * text, JSON and the jobs' CSV), the digest check, `cossim check` with a
 * bounds file that asks for every figure, and the four figures of
 * `cossim plot` and `cossim export` (every format) of a trace.
 *
 * Byte 0 says what the rest is:
 *   - even: the database file itself, byte for byte (corrupt, truncated,
 *     another format);
 *   - odd: SQL, run on a copy of a small real trace (data/base.db, 5 ms of
 *     quickstart) before the readers see it: hostile values, dropped and
 *     retyped columns, missing rows, huge counts, whatever SQL can do to
 *     a file.  That SQL is the input's, not the readers', so it runs
 *     under a step limit, and cannot attach other files (VACUUM INTO and
 *     ATTACH would write outside the scratch folder).
 *
 * gnuplot never runs: the harness's PATH names no folder, so a figure is
 * built in full (every label through the escaping, every data block
 * checked to hold numbers only) and then refused with "gnuplot is not
 * installed".  Everything is written in the private scratch folder. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include "analysis/check.h"
#include "analysis/export.h"
#include "analysis/plot.h"
#include "analysis/trace.h"
#include "sim/trace.h"

#define SQL_STEPS 2000000      /* VM steps of the input's own SQL, at most */

/* every key of a bounds file (analysis/check.h), for quickstart's tasks */
static const char bounds[] =
    "return { misses = 0, invocation = '25us', kernel_paths = { sinv = 1000, irq = 2000, thd_switch = 5000 },\n"
    "  tasks = { control = { response = '200us', misses = 0, within_bound = true },\n"
    "            telemetry = { response = '1ms' }, logger = { within_bound = true } } }\n";

static int stop_steps(void *arg)
{
    (void)arg;
    return 1;
}

static int deny_attach(void *arg, int action, const char *a, const char *b, const char *c, const char *d)
{
    (void)arg, (void)a, (void)b, (void)c, (void)d;
    return action == SQLITE_ATTACH || action == SQLITE_DETACH ? SQLITE_DENY : SQLITE_OK;
}

/* The base trace edited by sql (NUL-terminated), written to path. */
static void edit_base(const char *path, const char *sql)
{
    g_autofree char *base = g_build_filename(cosfuzz_source(), "data", "base.db", NULL);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    if (!g_file_get_contents(base, &bytes, &len, NULL) || !g_file_set_contents(path, bytes, (gssize)len, NULL))
        abort();
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        abort();
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
    sqlite3_set_authorizer(db, deny_attach, NULL);
    sqlite3_progress_handler(db, SQL_STEPS / 100, stop_steps, NULL);   /* checked every N steps: ~100 checks */
    sqlite3_exec(db, sql, NULL, NULL, NULL);     /* its errors are the input's business */
    sqlite3_close_v2(db);
}

int cosfuzz_trace(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static bool once;
    if (!once) {
        once = true;
        g_setenv("PATH", "/nonexistent-cossim-fuzz", TRUE);   /* no gnuplot (above) */
    }
    g_autofree char *path = g_build_filename(cosfuzz_dir(), "t.db", NULL);
    if (data[0] & 1) {
        g_autofree char *sql = g_strndup((const char *)data + 1, size - 1);
        edit_base(path, sql);
    } else {
        g_free(cosfuzz_write("t.db", data + 1, size - 1));
    }
    g_autofree char *bpath = cosfuzz_write("b.lua", bounds, strlen(bounds));

    an_trace_opts opts = { .segments = true };
    an_trace_report r;
    GError *err = NULL;
    if (an_trace_read(path, &opts, &r, &err)) {
        GString *out = g_string_new(NULL);
        an_trace_print(&r, out);
        an_trace_json(&r, out);
        an_trace_jobs_csv(&r, out);
        g_string_free(out, TRUE);
        an_trace_clear(&r);
    }
    g_clear_error(&err);

    char computed[SIMTR_DIGEST_HEX], stored[SIMTR_DIGEST_HEX];
    if (!simtr_digest_file(path, computed, stored, &err))
        g_clear_error(&err);

    GString *out = g_string_new(NULL), *msg = g_string_new(NULL);
    an_check(path, bpath, out, msg);
    g_string_free(out, TRUE);
    g_string_free(msg, TRUE);

    /* the exports: the files to /dev/null, the folders in the scratch folder */
    sqlite3 *db = simtr_open_read(path, &err);
    if (db) {
        if (!an_export_perfetto(db, cosfuzz_null(), &err))
            g_clear_error(&err);
        g_autofree char *lit = g_build_filename(cosfuzz_dir(), "lit", NULL);
        g_autofree char *ctf = g_build_filename(cosfuzz_dir(), "ctf", NULL);
        if (!an_export_litmus(db, lit, &err))
            g_clear_error(&err);
        if (!an_export_ctf(db, ctf, &err))
            g_clear_error(&err);
        sqlite3_close(db);
    }
    g_clear_error(&err);
    char *traces[] = { path };
    if (!an_export_schedcat(traces, 1, cosfuzz_null(), &err))
        g_clear_error(&err);

    g_autofree char *fig = g_build_filename(cosfuzz_dir(), "f.png", NULL);
    static const char *const kinds[] = { "gantt", "response", "breakdown", "counters" };
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        an_plot_opts po = { .from_ps = -1, .to_ps = -1, .mean = i == 2 && (data[0] & 2) };
        an_plot_trace(kinds[i], path, fig, &po);
    }
    cosfuzz_clean();
    return 0;
}
