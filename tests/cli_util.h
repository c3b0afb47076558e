/* tests/cli_util.h: helpers of the tests that run the cossim command end to
 * end (test_cli.c, test_scenarios.c, test_analysis_cli.c; header-only,
 * include after <cmocka.h>).  Each case runs in a fresh temporary folder so
 * that "nothing written" can be checked by listing it. */
#pragma once

#include <math.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>

#include "testutil.h"

/* the cossim binary (argv[1]) and, for test_cli, the same simulator built
 * at -O0 and -O2 */
static const char *cossim, *cossim_o0, *cossim_o2;

typedef struct result {
    int status;          /* exit code, or 128 + signal */
    char *out, *err;
} result;

static inline void result_clear(result *r)
{
    g_free(r->out);
    g_free(r->err);
    memset(r, 0, sizeof *r);
}

static inline const char *data(const char *name)
{
    static char buf[4096];
    g_snprintf(buf, sizeof buf, "%s/%s", g_getenv("COSSIM_TEST_DATA"), name);
    return buf;
}

/* Run `bin` with a NULL-terminated argument list in folder `dir`. */
static inline result run_in(const char *dir, const char *bin, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)bin);
    va_list ap;
    va_start(ap, bin);
    const char *a;
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (char *)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    result r = { 0 };
    int wait_status;
    GError *err = NULL;
    if (!g_spawn_sync(dir, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                      &wait_status, &err))
        fail_msg("cannot run %s: %s", bin, err->message);
    g_ptr_array_free(argv, TRUE);
    if (WIFEXITED(wait_status))
        r.status = WEXITSTATUS(wait_status);
    else
        r.status = 128 + WTERMSIG(wait_status);
    return r;
}

static inline char *tmpdir(void)
{
    char *d = g_dir_make_tmp("cossim-cli-XXXXXX", NULL);
    assert_non_null(d);
    return d;
}

/* The 64 hex digits after "digest" in a summary. */
static inline char *digest_of(const result *r)
{
    const char *p = r->out ? strstr(r->out, "\ndigest ") : NULL;
    if (p == NULL)
        fail_msg("no digest line in:\n%s\nstderr:\n%s", r->out, r->err);
    p += strlen("\ndigest ");
    while (*p == ' ')
        p++;
    assert_true(strspn(p, "0123456789abcdef") == 64);
    return g_strndup(p, 64);
}

static inline void expect_status(const result *r, int status)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s", r->status, status, r->out, r->err);
}

/* `cossim run` of the scenario text (as bad.lua in dir) is a mistake of
 * the script's: exit 2, the error at the script's line, naming `want`. */
static inline void expect_script_error(const char *dir, const char *text, const char *want)
{
    char *path = g_build_filename(dir, "bad.lua", NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    g_free(path);
    result r = run_in(dir, cossim, "run", "bad.lua", "--trace", "none", NULL);
    if (r.status != 2 || strstr(r.err, "bad.lua:") == NULL || strstr(r.err, want) == NULL)
        fail_msg("%s\nexit %d, expected 2 with the script's line and '%s'; stderr:\n%s", text, r.status, want, r.err);
    result_clear(&r);
}

static inline double json_number(const char *json, const char *key)
{
    g_autofree char *k = g_strdup_printf("\"%s\":", key);
    const char *p = strstr(json, k);
    if (p == NULL)
        fail_msg("no %s in %s", key, json);
    return g_ascii_strtod(p + strlen(k), NULL);
}

/* The number at the end of a chain of keys, each looked for after the
 * previous one (enough for the nested objects a scenario returns). */
static inline double json_path(const char *json, const char *const *keys)
{
    const char *p = json;
    for (; *keys; keys++) {
        g_autofree char *k = g_strdup_printf("\"%s\":", *keys);
        const char *q = strstr(p, k);
        if (q == NULL)
            fail_msg("no %s after offset %td in %s", *keys, p - json, json);
        p = q + strlen(k);
    }
    return g_ascii_strtod(p, NULL);
}

#define JP(json, ...) json_path((json), (const char *const[]){ __VA_ARGS__, NULL })

static inline result run_json(const char *dir, const char *scenario)
{
    result r = run_in(dir, cossim, "run", scenario, "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    return r;
}

/* Write a scenario into dir and run it as run_json does. */
static inline result run_script_json(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return run_json(dir, name);
}

static inline void in_band(const char *what, double v, double lo, double hi)
{
    if (!(v >= lo && v <= hi))
        fail_msg("%s = %.3f, expected %.3f .. %.3f", what, v, lo, hi);
}

/* Set the binaries from argv (COSSIM [COSSIM-O0 COSSIM-O2]); 0 on a usage error. */
static inline int cli_args(int argc, char **argv, int want)
{
    if (argc != want) {
        fprintf(stderr, "usage: %s COSSIM%s\n", argv[0], want == 4 ? " COSSIM-O0 COSSIM-O2" : "");
        return 0;
    }
    cossim = argv[1];
    if (want == 4) {
        cossim_o0 = argv[2];
        cossim_o2 = argv[3];
    }
    return 1;
}
