/* analysis/cli.c: `cossim analyze` (see cli.h and docs/analysis.md): its
 * options, and which of its three jobs a command asks for: what a run's
 * trace says (analyze_trace, here), the schedulability experiment on random
 * task sets (analyze_sweep, here), or the verdict on one task set
 * (an_analyze_taskset, cli_taskset.c). */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "cli_taskset.h"
#include "merged.h"
#include "sweep.h"
#include "trace.h"

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "cossim analyze: %s\n", m);
    return 2;
}

/* The options of every job: each job reads its own. */
typedef struct args {
    char *taskset, *policy, *assign, *partition, *csv, *deadlines, *seed, *jobs, *supply;
    gint cores, tasks, sets;
    gdouble from, to, step;
    gboolean json, sweep;
} args;

static void args_clear(args *a)
{
    g_free(a->taskset);
    g_free(a->policy);
    g_free(a->assign);
    g_free(a->partition);
    g_free(a->supply);
    g_free(a->csv);
    g_free(a->jobs);
    g_free(a->deadlines);
    g_free(a->seed);
}

/* cossim analyze TRACE.db: what the run's trace says, as tables or JSON;
 * with --jobs, every job's breakdown as CSV too. */
static int analyze_trace(const char *path, const args *a)
{
    an_trace_report tr;
    g_autoptr(GError) err = NULL;
    if (an_merged_is_file(path)) {      /* a results database of cossim merge */
        an_merged m;
        if (a->jobs)
            return usage("--jobs: a results database holds many runs: analyze a run's own trace for its jobs");
        if (!an_merged_read(path, &m, &err))
            return usage("%s", err->message);
        g_autoptr(GString) s = g_string_new(NULL);
        if (a->json)
            an_merged_json(&m, s);
        else
            an_merged_print(&m, s);
        fputs(s->str, stdout);
        an_merged_clear(&m);
        return 0;
    }
    if (!an_trace_read(path, NULL, &tr, &err)) {
        fprintf(stderr, "cossim analyze: %s\n", err->message);
        return 2;
    }
    g_autoptr(GString) s = g_string_new(NULL);
    if (a->json)
        an_trace_json(&tr, s);
    else
        an_trace_print(&tr, s);
    /* with --jobs -, standard output is the CSV alone: the report goes to stderr */
    fputs(s->str, a->jobs && strcmp(a->jobs, "-") == 0 ? stderr : stdout);
    int rc = 0;
    if (a->jobs) {
        g_string_truncate(s, 0);
        an_trace_jobs_csv(&tr, s);
        if (strcmp(a->jobs, "-") == 0) {
            fputs(s->str, stdout);
        } else if (!g_file_set_contents(a->jobs, s->str, (gssize)s->len, &err)) {
            fprintf(stderr, "cossim analyze: %s\n", err->message);
            rc = 2;
        }
    }
    if (tr.bound_exceeded)
        fprintf(stderr, "cossim analyze: %" PRId64 " task(s) above their analytic bound: the model, the analysis or the task set is wrong\n",
                tr.bound_exceeded);
    if (tr.safe_exceeded)
        fprintf(stderr, "cossim analyze: %" PRId64 " task(s) above their safe bound: the model, the analysis or the declared demand is wrong\n",
                tr.safe_exceeded);
    an_trace_clear(&tr);
    return rc;
}

/* cossim analyze --sweep: the schedulability experiment (sweep.h), its CSV
 * on standard output or into --csv. */
static int analyze_sweep(const args *a)
{
    guint64 seed = 1;
    if (a->seed && !g_ascii_string_to_unsigned(a->seed, 10, 0, G_MAXUINT64, &seed, NULL))
        return usage("--seed: '%s' is not a whole number", a->seed);
    an_sweep_params sp = { .tasks = a->tasks > 0 ? (size_t)a->tasks : 0, .sets = a->sets > 0 ? (unsigned)a->sets : 0,
                           .from = a->from, .to = a->to, .step = a->step, .seed = seed,
                           .deadlines = AN_GEN_IMPLICIT, .tmin = 10000000, .tmax = 1000000000 };
    if (a->deadlines && strcmp(a->deadlines, "constrained") == 0)
        sp.deadlines = AN_GEN_CONSTRAINED;
    else if (a->deadlines && strcmp(a->deadlines, "implicit") != 0)
        return usage("--deadlines: '%s' is not implicit or constrained", a->deadlines);
    g_autoptr(GString) out_csv = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    if (!an_sweep_run(&sp, out_csv, &err))
        return usage("%s", err->message);
    if (a->csv == NULL)
        fputs(out_csv->str, stdout);
    else if (!g_file_set_contents(a->csv, out_csv->str, (gssize)out_csv->len, &err))
        return usage("--csv: %s", err->message);
    return 0;
}

/* cossim analyze --taskset FILE: cli_taskset.c does the work. */
static int analyze_taskset(const args *a)
{
    an_taskset_args ta = { .path = a->taskset, .policy = a->policy, .assign = a->assign,
                           .partition = a->partition, .cores = a->cores, .json = a->json, .supply = a->supply };
    g_autoptr(GError) err = NULL;
    int rc = an_analyze_taskset(&ta, &err);
    if (err)
        usage("%s", err->message);
    return rc;
}

int an_cli_analyze(int argc, char **argv)
{
    args a = { .tasks = 10, .sets = 1000, .from = 0.05, .to = 1.0, .step = 0.05 };
    GOptionEntry entries[] = {
        { "taskset", 0, 0, G_OPTION_ARG_FILENAME, &a.taskset, "Task set to analyse (.csv or .lua; see docs/analysis.md)", "FILE" },
        { "policy", 0, 0, G_OPTION_ARG_STRING, &a.policy, "fp (fixed priority, default) or edf", "POLICY" },
        { "assign", 0, 0, G_OPTION_ARG_STRING, &a.assign, "Assign priorities: dm, rm or audsley (default: the priority column)", "HOW" },
        { "cores", 0, 0, G_OPTION_ARG_INT, &a.cores, "Partition over this many cores (default: the core column, or one core)", "N" },
        { "partition", 0, 0, G_OPTION_ARG_STRING, &a.partition, "Bin packing: ff, bf, wf, ffd, bfd or wfd (with --cores)", "HOW" },
        { "supply", 0, 0, G_OPTION_ARG_STRING, &a.supply, "Each core's supply is the periodic resource Gamma(P, Q): budget Q every P (e.g. 5ms,2ms; Shin and Lee, RTSS 2003)", "P,Q" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &a.json, "Print one JSON object", NULL },
        { "sweep", 0, 0, G_OPTION_ARG_NONE, &a.sweep, "The schedulability experiment: random task sets per utilisation point", NULL },
        { "tasks", 0, 0, G_OPTION_ARG_INT, &a.tasks, "Sweep: tasks per set (default 10)", "N" },
        { "sets", 0, 0, G_OPTION_ARG_INT, &a.sets, "Sweep: sets per utilisation point (default 1000)", "N" },
        { "from", 0, 0, G_OPTION_ARG_DOUBLE, &a.from, "Sweep: first utilisation (default 0.05)", "U" },
        { "to", 0, 0, G_OPTION_ARG_DOUBLE, &a.to, "Sweep: last utilisation (default 1.0)", "U" },
        { "step", 0, 0, G_OPTION_ARG_DOUBLE, &a.step, "Sweep: step (default 0.05)", "U" },
        { "deadlines", 0, 0, G_OPTION_ARG_STRING, &a.deadlines, "Sweep: implicit (default) or constrained", "KIND" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &a.seed, "Sweep: seed of the task-set streams (default 1)", "N" },
        { "csv", 0, 0, G_OPTION_ARG_FILENAME, &a.csv, "Sweep: write the CSV here (default: standard output)", "FILE" },
        { "jobs", 0, 0, G_OPTION_ARG_FILENAME, &a.jobs, "Trace: write every job's response-time breakdown as CSV here ('-': standard output)", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[TRACE.db] - what a run's trace (or a results database of cossim merge) says per task and core; or, with --taskset FILE, schedulability of a task set");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        rc = usage("%s", err->message);
    else if (argc > 2)
        rc = usage("one trace at a time ('%s' and '%s')", argv[1], argv[2]);
    else if (argc == 2 && (a.taskset || a.sweep))
        rc = usage("a trace, or --taskset, or --sweep: not two of them");
    else if (argc == 2)
        rc = analyze_trace(argv[1], &a);
    else if (a.sweep)
        rc = analyze_sweep(&a);
    else if (a.taskset == NULL)
        rc = usage("which task set? (--taskset FILE, or --sweep)");
    else
        rc = analyze_taskset(&a);
    args_clear(&a);
    return rc;
}
