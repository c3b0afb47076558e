/* analysis/plan_run.c: the `sweep` verb (plan.h): its options, the plan
 * and manifest written to disk, and the engines that run them: GNU
 * parallel (--run local) and a Slurm job array (--run slurm).  cossim
 * schedules nothing itself; it reads back what the engine says (parallel's
 * joblog, the traces a Slurm array left) to name the runs that failed. */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/cli.h"
#include "sim/json.h"
#include "sim/trace.h"

/* A plan past this many runs is surely a typo (and a job array past
 * Slurm's MaxArraySize anyway). */
#define PLAN_MAX_RUNS 1000000

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "cossim sweep: %s\n", m);
    return 2;
}

/* A run's status: its exit code (128 + N: killed by signal N), or */
#define RUN_UNKNOWN (-1)        /* it did not run, or ran and left no trace */
#define RUN_GONE (-2)           /* it succeeded, and its trace is gone since */

/* What one invocation did, for the report. */
typedef struct session {
    const an_plan *p;
    const char *plan, *cmdline, *engine;
    bool json;
    double wall, cpu;           /* cpu < 0: not measured */
    char *job;                  /* Slurm's job id */
} session;

/* The child's exit status (128 + N for a signal), -1 if it could not run;
 * its standard output in *out if out is not NULL. */
static int spawn(char **argv, const char *cwd, char **envp, char **out)
{
    GError *err = NULL;
    int status = 0;
    if (!g_spawn_sync(cwd, argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, out, NULL,
                      &status, &err)) {
        fprintf(stderr, "cossim sweep: cannot run %s: %s\n", argv[0], err->message);
        g_error_free(err);
        return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* Why a run failed, from its log: the line before a Lua traceback (the
 * error, after whatever the script printed), else the last line. */
static char *last_line(const char *path)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return g_strdup("(no log)");
    char *tb = strstr(text, "\nstack traceback:");
    if (tb)
        *tb = '\0';
    g_strchomp(text);
    const char *nl = strrchr(text, '\n');
    char *line = g_strdup(nl ? nl + 1 : text);
    for (char *c = line; *c; c++)      /* the script's text: no escape sequences to the terminal */
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    if (*line == '\0') {
        g_free(line);
        return g_strdup("(empty log)");
    }
    return line;
}

/* The plan's files, and what the engine did: JSON on standard output. */
static void json_report(const session *x, const int *status)
{
    const an_plan *p = x->p;
    g_autoptr(GString) j = g_string_new("{\"runs\":");
    g_string_append_printf(j, "%" PRIu64 ",\"plan\":", p->nruns);
    simjson_string(j, x->plan, -1);
    g_autofree char *manifest = g_build_filename(p->dir, "manifest.csv", NULL);
    g_string_append(j, ",\"manifest\":");
    simjson_string(j, manifest, -1);
    g_string_append(j, ",\"dir\":");
    simjson_string(j, p->dir, -1);
    g_string_append(j, ",\"engine\":");
    if (x->engine)
        simjson_string(j, x->engine, -1);
    else
        g_string_append(j, "null");
    if (x->job) {
        g_string_append(j, ",\"job\":");
        simjson_string(j, x->job, -1);
    }
    if (status) {
        uint64_t ok = 0;
        g_string_append(j, ",\"failed\":[");
        for (uint64_t r = 0, n = 0; r < p->nruns; r++) {
            ok += status[r] == 0;
            if (status[r] == 0)
                continue;
            g_autofree char *log = an_plan_run_path(p, r, ".log");
            g_string_append_printf(j, "%s{\"run\":%" PRIu64 ",\"line\":%" PRIu64 ",\"exit\":", n++ ? "," : "", r, r + 1);
            if (status[r] > 0)
                g_string_append_printf(j, "%d", status[r]);
            else
                g_string_append(j, "null");
            g_string_append(j, ",\"log\":");
            simjson_string(j, log, -1);
            g_string_append(j, "}");
        }
        g_string_append_printf(j, "],\"succeeded\":%" PRIu64 ",\"wall_seconds\":", ok);
        simjson_double(j, x->wall);
        g_string_append(j, ",\"cpu_seconds\":");
        if (x->cpu >= 0)
            simjson_double(j, x->cpu);
        else
            g_string_append(j, "null");
    }
    g_string_append(j, "}\n");
    fputs(j->str, stdout);
}

/* Name the failed runs (status[r] != 0: the exit, -1 unknown) and say how
 * to resume; 1 if any failed. */
static int report(const session *x, const int *status, const char *resume)
{
    const an_plan *p = x->p;
    if (x->json)
        json_report(x, status);
    uint64_t nfail = 0;
    for (uint64_t r = 0; r < p->nruns; r++)
        nfail += status[r] != 0;
    if (nfail == 0) {
        fprintf(stderr, "cossim sweep: all %" PRIu64 " runs succeeded; traces in %s\n", p->nruns, p->dir);
        return 0;
    }
    fprintf(stderr, "cossim sweep: %" PRIu64 " of %" PRIu64 " runs failed:\n", nfail, p->nruns);
    uint64_t shown = 0;
    for (uint64_t r = 0; r < p->nruns && shown < 20; r++) {
        if (status[r] == 0)
            continue;
        g_autofree char *log = an_plan_run_path(p, r, ".log");
        g_autofree char *why = last_line(log);
        if (status[r] > 0)
            fprintf(stderr, "  run %" PRIu64 " (line %" PRIu64 "): exit %d; %s: %s\n", r, r + 1, status[r], log, why);
        else if (status[r] == RUN_GONE)
            fprintf(stderr, "  run %" PRIu64 " (line %" PRIu64 "): succeeded, but its trace is gone (GNU parallel reruns "
                            "it only without its joblog line: remove %s/joblog to rerun every run)\n", r, r + 1, p->dir);
        else
            fprintf(stderr, "  run %" PRIu64 " (line %" PRIu64 "): did not run or left no trace; %s: %s\n", r, r + 1,
                    log, why);
        shown++;
    }
    if (shown < nfail)
        fprintf(stderr, "  ... and %" PRIu64 " more\n", nfail - shown);
    fprintf(stderr, "cossim sweep: to resume, %s\n", resume);
    return 1;
}

/* ---- GNU parallel ---- */

/* The joblog's verdict per run: its last line for each Seq (a resumed
 * sweep appends), Exitval and Signal both 0.  A run absent from the log
 * did not run: RUN_UNKNOWN. */
static void read_joblog(const an_plan *p, const char *joblog, int *status)
{
    for (uint64_t r = 0; r < p->nruns; r++)
        status[r] = RUN_UNKNOWN;
    g_autofree char *text = NULL;
    if (!g_file_get_contents(joblog, &text, NULL, NULL))
        return;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (int i = 1; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", 9);
        if (g_strv_length(f) < 9)
            continue;
        guint64 seq, ev, sig;
        if (!g_ascii_string_to_unsigned(f[0], 10, 1, p->nruns, &seq, NULL) ||
            !g_ascii_string_to_unsigned(f[6], 10, 0, 255, &ev, NULL) ||
            !g_ascii_string_to_unsigned(f[7], 10, 0, 255, &sig, NULL))
            continue;
        status[seq - 1] = sig ? (int)(128 + sig) : (int)ev;
    }
}

static int run_local(session *x, int jobs)
{
    const an_plan *p = x->p;
    g_autofree char *parallel = g_find_program_in_path("parallel");
    if (parallel == NULL)
        return usage("--run local needs GNU parallel, which is not installed "
                     "(Debian package 'parallel': apt-get install parallel; or ./scripts/setup.sh)");
    g_autofree char *joblog = g_build_filename(p->dir, "joblog", NULL);
    g_autofree char *j = g_strdup_printf("%d", jobs);
    char *argv[] = { parallel, (char *)"--will-cite", (char *)"--joblog", joblog, (char *)"--resume-failed",
                     (char *)"-j", j, (char *)"-a", (char *)x->plan, NULL };
    /* each line is a /bin/sh command (plan.c quotes for it), whatever the
     * user's own shell */
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "PARALLEL_SHELL", "/bin/sh", TRUE);
    gint64 t0 = g_get_monotonic_time();
    int rc = spawn(argv, NULL, env, NULL);
    x->wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (rc < 0 || rc == 255)
        return usage("GNU parallel failed (exit %d)", rc);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    x->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
             (double)ru.ru_stime.tv_usec / 1e6;
    fprintf(stderr, "cossim sweep: GNU parallel -j %d: %.2f s wall, %.2f s CPU (this invocation's runs); joblog %s\n",
            jobs, x->wall, x->cpu, joblog);
    int *status = g_new(int, p->nruns);
    read_joblog(p, joblog, status);
    for (uint64_t r = 0; r < p->nruns; r++) {
        g_autofree char *db = an_plan_run_path(p, r, ".db");
        if (status[r] == 0 && !g_file_test(db, G_FILE_TEST_EXISTS))
            status[r] = RUN_GONE;
    }
    g_autofree char *resume = g_strdup_printf("fix the cause and run the same command again:\n  %s\n"
                                              "GNU parallel (--joblog %s --resume-failed) reruns only the runs that failed",
                                              x->cmdline, joblog);
    rc = report(x, status, resume);
    g_free(status);
    return rc;
}

/* ---- Slurm ---- */

/* "0-3,7,9-11": the runs whose trace is absent, as sbatch --array takes
 * them; the count in *n. */
static char *pending_runs(const an_plan *p, uint64_t *n)
{
    GString *s = g_string_new(NULL);
    *n = 0;
    for (uint64_t r = 0; r < p->nruns; r++) {
        g_autofree char *db = an_plan_run_path(p, r, ".db");
        if (g_file_test(db, G_FILE_TEST_EXISTS))
            continue;
        uint64_t e = r;
        for (;;) {
            g_autofree char *next = an_plan_run_path(p, e + 1, ".db");
            if (e + 1 >= p->nruns || g_file_test(next, G_FILE_TEST_EXISTS))
                break;
            e++;
        }
        g_string_append_printf(s, "%s%" PRIu64, s->len ? "," : "", r);
        if (e > r)
            g_string_append_printf(s, "-%" PRIu64, e);
        *n += e - r + 1;
        r = e;
    }
    return g_string_free(s, FALSE);
}

static bool slurm_safe(const char *s)
{
    for (const char *c = s; *c; c++)
        if (!(g_ascii_isalnum(*c) || strchr("_./:@+,-", *c)))
            return false;
    return true;
}

static int run_slurm(session *x, int throttle, bool wait)
{
    const an_plan *p = x->p;
    /* #SBATCH lines are read by sbatch, not by a shell: no quoting there */
    if (!slurm_safe(p->dir))
        return usage("--run slurm: the folder '%s' has characters #SBATCH lines cannot carry "
                     "(use --dir with letters, digits and _./:@+,- only)", p->dir);
    uint64_t n;
    g_autofree char *array = pending_runs(p, &n);
    if (n == 0) {
        fprintf(stderr, "cossim sweep: every run has its trace in %s: nothing to submit\n", p->dir);
        if (x->json)
            json_report(x, NULL);
        return 0;
    }
    g_autoptr(GString) s = g_string_new("#!/bin/sh\n# cossim sweep: a Slurm job array over the plan, ");
    g_string_append(s, "array task i runs the plan's line i + 1 (docs/sweeps.md)\n#SBATCH --job-name=cossim-sweep\n");
    g_string_append_printf(s, "#SBATCH --array=%s", array);
    if (throttle > 0)
        g_string_append_printf(s, "%%%d", throttle);
    g_string_append_printf(s, "\n#SBATCH --output=%s/slurm-%%A_%%a.out\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n",
                           p->dir);
    g_string_append(s, "plan=");
    an_plan_quote(s, x->plan);
    g_string_append(s, "\nline=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$plan\")\n"
                       "[ -n \"$line\" ] || { echo \"cossim sweep: no line $((SLURM_ARRAY_TASK_ID + 1)) in $plan\" >&2; exit 2; }\n"
                       "exec /bin/sh -c \"$line\"\n");
    g_autofree char *script = g_build_filename(p->dir, "sweep.sbatch", NULL);
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(script, s->str, (gssize)s->len, &err))
        return usage("%s", err->message);
    g_autofree char *sbatch = g_find_program_in_path("sbatch");
    if (sbatch == NULL) {
        fprintf(stderr, "cossim sweep: wrote %s (%" PRIu64 " array task%s); sbatch is not here: submit it where Slurm is, "
                        "with the plan and traces on a shared folder:\n  sbatch %s\n", script, n, n == 1 ? "" : "s", script);
        if (x->json)
            json_report(x, NULL);
        return 0;
    }
    char *argv[] = { sbatch, (char *)"--parsable", wait ? (char *)"--wait" : script, wait ? script : NULL, NULL };
    fprintf(stderr, "cossim sweep: submitting %s (%" PRIu64 " array task%s)%s\n", script, n, n == 1 ? "" : "s",
            wait ? ", waiting for the array to end" : "");
    gint64 t0 = g_get_monotonic_time();
    g_autofree char *job = NULL;
    int rc = spawn(argv, p->dir, NULL, &job);
    x->wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (rc < 0)
        return 2;
    x->job = job ? g_strstrip(job) : NULL;
    if (!wait) {
        if (rc != 0)
            return usage("sbatch refused the job array (exit %d)", rc);
        fprintf(stderr, "cossim sweep: submitted job %s; when the array has ended, run the same command again: "
                        "it submits only the runs without a trace, or says there is nothing to do\n", x->job);
        if (x->json)
            json_report(x, NULL);
        return 0;
    }
    fprintf(stderr, "cossim sweep: job %s ended after %.2f s (sbatch exit %d)\n", x->job ? x->job : "?", x->wall, rc);
    int *status = g_new0(int, p->nruns);
    for (uint64_t r = 0; r < p->nruns; r++) {
        g_autofree char *db = an_plan_run_path(p, r, ".db");
        status[r] = g_file_test(db, G_FILE_TEST_EXISTS) ? 0 : RUN_UNKNOWN;
    }
    g_autofree char *resume = g_strdup_printf("fix the cause and run the same command again:\n  %s\n"
                                              "it submits only the runs without a trace", x->cmdline);
    rc = report(x, status, resume);
    g_free(status);
    return rc;
}

/* ---- the verb ---- */

static char *absolute(const char *path)
{
    char buf[PATH_MAX];
    return realpath(path, buf) ? g_strdup(buf) : NULL;
}

/* The manifest, unless DIR holds another sweep's (then its joblog and
 * traces are that sweep's, and resuming would mix them up). */
static bool write_manifest(const an_plan *p, int *rc)
{
    g_autoptr(GString) m = g_string_new(NULL);
    an_plan_manifest(p, m);
    g_autofree char *path = g_build_filename(p->dir, "manifest.csv", NULL);
    g_autofree char *old = NULL;
    if (g_file_get_contents(path, &old, NULL, NULL) && strcmp(old, m->str) != 0) {
        *rc = usage("%s holds the manifest of another sweep (another scenario, parameters or seeds), and its traces "
                    "and joblog with it: give another --dir, or remove that folder", path);
        return false;
    }
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(path, m->str, (gssize)m->len, &err)) {
        *rc = usage("%s", err->message);
        return false;
    }
    return true;
}

static char *command_line(int argc, char **argv)
{
    g_autoptr(GString) s = g_string_new("cossim sweep");
    for (int i = 1; i < argc; i++) {
        g_string_append_c(s, ' ');
        an_plan_quote(s, argv[i]);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

typedef struct opts {
    char **param;
    char *seeds, *plan, *dir, *run, *level;
    gint jobs;
    gboolean wait, json;
} opts;

static int sweep(int argc, char **argv, char **typed, opts *o, an_plan *p)
{
    if (argc != 2)
        return usage(argc < 2 ? "which scenario? (cossim sweep SCENARIO --param KEY=V1,V2 --plan PLAN)"
                              : "one scenario at a time ('%s' is extra)", argc < 2 ? "" : argv[2]);
    if (o->plan == NULL || *o->plan == '\0')
        return usage("--plan: where to write the plan? (--plan FILE)");
    if (o->run && strcmp(o->run, "local") != 0 && strcmp(o->run, "slurm") != 0)
        return usage("--run: '%s' is not local (GNU parallel) or slurm (a job array)", o->run);
    if (o->jobs < 0)
        return usage("-j: %d is negative", o->jobs);
    if (o->wait && !(o->run && strcmp(o->run, "slurm") == 0))
        return usage("--wait goes with --run slurm");
    simtr_level level;
    if (o->level && !simtr_level_parse(o->level, &level))
        return usage("--trace-level: '%s' is not a level (%s)", o->level, SIMTR_LEVELS);
    p->trace_level = g_strdup(o->level);
    guint64 seeds = 1;
    if (o->seeds && !g_ascii_string_to_unsigned(o->seeds, 10, 1, PLAN_MAX_RUNS, &seeds, NULL))
        return usage("--seeds: '%s' is not a count from 1 to %d", o->seeds, PLAN_MAX_RUNS);
    p->seeds = seeds;
    g_autoptr(GError) err = NULL;
    for (char **s = o->param; s && *s; s++)
        if (!an_plan_add_param(p, *s, &err))
            return usage("%s", err->message);
    p->nruns = seeds;
    for (guint i = 0; i < p->params->len; i++) {
        p->nruns *= g_array_index(p->params, an_plan_param, i).values->len;
        if (p->nruns > PLAN_MAX_RUNS)
            return usage("more than %d runs: split the sweep", PLAN_MAX_RUNS);
    }
    g_autofree char *found = simcli_find_scenario(argv[1]);
    if (found == NULL || (p->scenario = absolute(found)) == NULL)
        return usage("scenario '%s' not found (a path to a .lua file, or a bundled name: see 'cossim scenarios')", argv[1]);
    if ((p->cossim = g_file_read_link("/proc/self/exe", &err)) == NULL)
        return usage("cannot find the cossim binary: %s", err->message);
    g_autofree char *dir = o->dir ? g_strdup(o->dir) : g_path_get_dirname(o->plan);
    if (g_mkdir_with_parents(dir, 0777) != 0 || (p->dir = absolute(dir)) == NULL)
        return usage("--dir: cannot make '%s': %s", dir, g_strerror(errno));
    int rc = 0;
    if (!write_manifest(p, &rc))
        return rc;
    g_autoptr(GString) text = g_string_new(NULL);
    an_plan_text(p, text);
    if (!g_file_set_contents(o->plan, text->str, (gssize)text->len, &err))
        return usage("--plan: %s", err->message);
    g_autofree char *plan = absolute(o->plan);
    fprintf(stderr, "cossim sweep: %" PRIu64 " runs: plan %s, manifest %s/manifest.csv\n", p->nruns, plan, p->dir);
    g_autofree char *cmdline = command_line((int)g_strv_length(typed), typed);
    session x = { .p = p, .plan = plan, .cmdline = cmdline, .engine = o->run, .json = o->json, .cpu = -1 };
    if (o->run == NULL) {
        fprintf(stderr, "cossim sweep: run it with GNU parallel (--run local), a Slurm job array (--run slurm), or:\n"
                        "  PARALLEL_SHELL=/bin/sh parallel --joblog %s/joblog --resume-failed -a %s\n", p->dir, plan);
        if (o->json)
            json_report(&x, NULL);
        return 0;
    }
    int jobs = o->jobs > 0 ? o->jobs : (int)g_get_num_processors();
    if (strcmp(o->run, "local") == 0)
        return run_local(&x, jobs);
    return run_slurm(&x, o->jobs, o->wait);
}

int an_cli_sweep(int argc, char **argv)
{
    opts o = { 0 };
    GOptionEntry entries[] = {
        { "param", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &o.param, "A parameter and its values (repeatable; a comma in a value is \\,): the plan is their cross product", "KEY=V1,V2,..." },
        { "seeds", 0, 0, G_OPTION_ARG_STRING, &o.seeds, "Run every point with seeds 1..N (default 1)", "N" },
        { "plan", 0, 0, G_OPTION_ARG_FILENAME, &o.plan, "Write the plan here: one cossim run command per line", "FILE" },
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &o.dir, "Folder of the traces, the manifest and the joblog (default: the plan's folder)", "DIR" },
        { "trace-level", 0, 0, G_OPTION_ARG_STRING, &o.level, "Each run's --trace-level: what its trace keeps (merge needs only jobs)", SIMTR_LEVELS },
        { "run", 0, 0, G_OPTION_ARG_STRING, &o.run, "Run the plan: local (GNU parallel) or slurm (an sbatch job array)", "ENGINE" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, "Runs at once (local: default the CPUs here; slurm: the array's % throttle, default none)", "N" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print one JSON object: the plan's files, and the runs that failed", NULL },
        { "wait", 0, 0, G_OPTION_ARG_NONE, &o.wait, "Slurm: wait for the array to end (sbatch --wait) and report its runs", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO - a parameter sweep: a plan of cossim runs, run by GNU parallel or Slurm (docs/sweeps.md)");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc;
    an_plan p;
    an_plan_init(&p);
    /* the command as typed, for "run it again" (parsing takes options out) */
    char **orig = g_strdupv(argv);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = usage("%s", err->message);
    } else {
        rc = sweep(argc, argv, orig, &o, &p);
    }
    g_strfreev(orig);
    an_plan_clear(&p);
    g_strfreev(o.param);
    g_free(o.seeds);
    g_free(o.plan);
    g_free(o.dir);
    g_free(o.run);
    g_free(o.level);
    return rc;
}
