/* analysis/cli.c: `cossim analyze --taskset` (see cli.h and
 * docs/analysis.md).  Trace analysis (`cossim analyze TRACE.db`) needs the
 * job tables of the components and comes with them. */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "edf.h"
#include "fp.h"
#include "partition.h"
#include "sweep.h"
#include "trace.h"
#include "tsio.h"
#include "sim/json.h"

typedef enum { POLICY_FP, POLICY_EDF } policy;

/* ctx for the fixed-priority partition test */
typedef struct fp_ctx {
    const char *assign;
    const an_overheads *oh;
} fp_ctx;

/* The uniprocessor test a partitioner asks: does this core's set pass? */
static bool fp_test(const an_taskset *core_set, void *ctx)
{
    const char *assign = ((const struct fp_ctx *)ctx)->assign;
    const an_overheads *oh = ((const struct fp_ctx *)ctx)->oh;
    an_taskset copy = { g_memdup2(core_set->t, core_set->n * sizeof(an_task)), core_set->n };
    if (assign && strcmp(assign, "rm") == 0)
        an_fp_assign_rm(&copy);
    else if (assign && strcmp(assign, "audsley") == 0) {
        bool ok = an_fp_assign_audsley(&copy, oh);
        g_free(copy.t);
        return ok;
    } else
        an_fp_assign_dm(&copy);
    an_result *res = g_new0(an_result, copy.n ? copy.n : 1);
    bool ok = an_fp_rta(&copy, oh, res);
    g_free(res);
    g_free(copy.t);
    return ok;
}

static bool edf_test(const an_taskset *core_set, void *ctx)
{
    return an_edf_schedulable(core_set, ctx, NULL);   /* ctx: the overheads */
}



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

int an_cli_analyze(int argc, char **argv)
{
    char *taskset = NULL, *policy_s = NULL, *assign = NULL, *part = NULL, *csv = NULL, *dl = NULL, *seed_s = NULL;
    gint cores = 0, tasks = 10, sets = 1000;
    gdouble from = 0.05, to = 1.0, step = 0.05;
    gboolean json = FALSE, sweep = FALSE;
    char *jobs_csv = NULL;
    GOptionEntry entries[] = {
        { "taskset", 0, 0, G_OPTION_ARG_FILENAME, &taskset, "Task set to analyse (.csv or .lua; see docs/analysis.md)", "FILE" },
        { "policy", 0, 0, G_OPTION_ARG_STRING, &policy_s, "fp (fixed priority, default) or edf", "POLICY" },
        { "assign", 0, 0, G_OPTION_ARG_STRING, &assign, "Assign priorities: dm, rm or audsley (default: the priority column)", "HOW" },
        { "cores", 0, 0, G_OPTION_ARG_INT, &cores, "Partition over this many cores (default: the core column, or one core)", "N" },
        { "partition", 0, 0, G_OPTION_ARG_STRING, &part, "Bin packing: ff, bf, wf, ffd, bfd or wfd (with --cores)", "HOW" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
        { "sweep", 0, 0, G_OPTION_ARG_NONE, &sweep, "The schedulability experiment: random task sets per utilisation point", NULL },
        { "tasks", 0, 0, G_OPTION_ARG_INT, &tasks, "Sweep: tasks per set (default 10)", "N" },
        { "sets", 0, 0, G_OPTION_ARG_INT, &sets, "Sweep: sets per utilisation point (default 1000)", "N" },
        { "from", 0, 0, G_OPTION_ARG_DOUBLE, &from, "Sweep: first utilisation (default 0.05)", "U" },
        { "to", 0, 0, G_OPTION_ARG_DOUBLE, &to, "Sweep: last utilisation (default 1.0)", "U" },
        { "step", 0, 0, G_OPTION_ARG_DOUBLE, &step, "Sweep: step (default 0.05)", "U" },
        { "deadlines", 0, 0, G_OPTION_ARG_STRING, &dl, "Sweep: implicit (default) or constrained", "KIND" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_s, "Sweep: seed of the task-set streams (default 1)", "N" },
        { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Sweep: write the CSV here (default: standard output)", "FILE" },
        { "jobs", 0, 0, G_OPTION_ARG_FILENAME, &jobs_csv, "Trace: write every job's response-time breakdown as CSV here ('-': standard output)", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[TRACE.db] - what a run's trace says per task and core; or, with --taskset FILE, schedulability of a task set");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc = 2;
    an_taskset ts = { 0 };
    an_overheads oh;
    an_result *res = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = usage("%s", err->message);
        goto out;
    }
    if (argc > 2) {
        rc = usage("one trace at a time ('%s' and '%s')", argv[1], argv[2]);
        goto out;
    }
    if (argc == 2) {
        /* cossim analyze TRACE.db: what the run's trace says */
        if (taskset || sweep) {
            rc = usage("a trace, or --taskset, or --sweep: not two of them");
            goto out;
        }
        an_trace_report tr;
        if (!an_trace_read(argv[1], NULL, &tr, &err)) {
            fprintf(stderr, "cossim analyze: %s\n", err->message);
            rc = 2;
            goto out;
        }
        g_autoptr(GString) s = g_string_new(NULL);
        if (json)
            an_trace_json(&tr, s);
        else
            an_trace_print(&tr, s);
        fputs(s->str, stdout);
        rc = 0;
        if (jobs_csv) {
            g_string_truncate(s, 0);
            an_trace_jobs_csv(&tr, s);
            if (strcmp(jobs_csv, "-") == 0) {
                fputs(s->str, stdout);
            } else if (!g_file_set_contents(jobs_csv, s->str, (gssize)s->len, &err)) {
                fprintf(stderr, "cossim analyze: %s\n", err->message);
                rc = 2;
            }
        }
        if (tr.bound_exceeded)
            fprintf(stderr, "cossim analyze: %" PRId64 " task(s) above their analytic bound: the model, the analysis or the task set is wrong\n",
                    tr.bound_exceeded);
        an_trace_clear(&tr);
        goto out;
    }
    if (sweep) {
        guint64 seed = 1;
        if (seed_s && !g_ascii_string_to_unsigned(seed_s, 10, 0, G_MAXUINT64, &seed, NULL)) {
            rc = usage("--seed: '%s' is not a whole number", seed_s);
            goto out;
        }
        an_sweep_params sp = { .tasks = tasks > 0 ? (size_t)tasks : 0, .sets = sets > 0 ? (unsigned)sets : 0,
                               .from = from, .to = to, .step = step, .seed = seed,
                               .deadlines = AN_GEN_IMPLICIT, .tmin = 10000000, .tmax = 1000000000 };
        if (dl && strcmp(dl, "constrained") == 0)
            sp.deadlines = AN_GEN_CONSTRAINED;
        else if (dl && strcmp(dl, "implicit") != 0) {
            rc = usage("--deadlines: '%s' is not implicit or constrained", dl);
            goto out;
        }
        GString *out_csv = g_string_new(NULL);
        if (!an_sweep_run(&sp, out_csv, &err)) {
            g_string_free(out_csv, TRUE);
            rc = usage("%s", err->message);
            goto out;
        }
        if (csv) {
            if (!g_file_set_contents(csv, out_csv->str, (gssize)out_csv->len, &err)) {
                g_string_free(out_csv, TRUE);
                rc = usage("--csv: %s", err->message);
                goto out;
            }
        } else {
            fputs(out_csv->str, stdout);
        }
        g_string_free(out_csv, TRUE);
        rc = 0;
        goto out;
    }
    if (taskset == NULL) {
        rc = usage("which task set? (--taskset FILE, or --sweep)");
        goto out;
    }
    policy pol = POLICY_FP;
    if (policy_s && strcmp(policy_s, "edf") == 0)
        pol = POLICY_EDF;
    else if (policy_s && strcmp(policy_s, "fp") != 0) {
        rc = usage("--policy: '%s' is not fp or edf", policy_s);
        goto out;
    }
    if (assign && strcmp(assign, "dm") != 0 && strcmp(assign, "rm") != 0 && strcmp(assign, "audsley") != 0) {
        rc = usage("--assign: '%s' is not dm, rm or audsley", assign);
        goto out;
    }
    if (assign && pol == POLICY_EDF) {
        rc = usage("--assign: EDF has no priorities to assign");
        goto out;
    }
    static const char *const heur_names[] = { "ff", "bf", "wf", "ffd", "bfd", "wfd" };
    static const an_part_heuristic heurs[] = { AN_PART_FIRST_FIT, AN_PART_BEST_FIT, AN_PART_WORST_FIT,
                                               AN_PART_FIRST_FIT_DECREASING, AN_PART_BEST_FIT_DECREASING,
                                               AN_PART_WORST_FIT_DECREASING };
    int heur = -1;
    if (part) {
        for (int i = 0; i < 6; i++)
            if (strcmp(part, heur_names[i]) == 0)
                heur = i;
        if (heur < 0) {
            rc = usage("--partition: '%s' is not ff, bf, wf, ffd, bfd or wfd", part);
            goto out;
        }
        if (cores < 1) {
            rc = usage("--partition needs --cores N");
            goto out;
        }
    }
    if (cores < 0 || cores > 1024) {
        rc = usage("--cores: %d is not between 1 and 1024", cores);
        goto out;
    }
    if (!an_tsio_read(taskset, &ts, &oh, &err)) {
        rc = usage("%s", err->message);
        goto out;
    }

    /* cores: partition, or the core column, or everything on core 0 */
    int ncores = cores ? cores : 1;
    if (heur >= 0) {
        for (size_t i = 0; i < ts.n; i++)
            ts.t[i].core = -1;
        fp_ctx fc = { assign, &oh };
        an_part_assign(&ts, (unsigned)ncores, heurs[heur], pol == POLICY_FP ? fp_test : edf_test,
                       pol == POLICY_FP ? (void *)&fc : (void *)&oh);
    } else {
        for (size_t i = 0; i < ts.n; i++) {
            if (ts.t[i].core < 0)
                ts.t[i].core = 0;
            if (ts.t[i].core >= ncores)
                ncores = ts.t[i].core + 1;
        }
    }

    res = g_new0(an_result, ts.n ? ts.n : 1);
    bool all = true;
    for (int c = 0; c < ncores; c++) {
        GArray *idx = g_array_new(FALSE, FALSE, sizeof(size_t));
        for (size_t i = 0; i < ts.n; i++)
            if (ts.t[i].core == c)
                g_array_append_val(idx, i);
        if (idx->len == 0) {
            g_array_free(idx, TRUE);
            continue;
        }
        an_taskset sub = { g_new0(an_task, idx->len), idx->len };
        for (guint k = 0; k < idx->len; k++)
            sub.t[k] = ts.t[g_array_index(idx, size_t, k)];
        an_result *r = g_new0(an_result, idx->len);
        bool ok = false;
        if (pol == POLICY_FP) {
            bool assigned = true;
            if (assign == NULL) {
                for (guint k = 0; k < idx->len; k++)
                    if (sub.t[k].priority < 0) {
                        g_free(sub.t);
                        g_free(r);
                        g_array_free(idx, TRUE);
                        rc = usage("%s: task '%s' has no priority (give a priority column or --assign dm|rm|audsley)",
                                   taskset, ts.t[g_array_index(idx, size_t, k)].name);
                        goto out;
                    }
            } else if (strcmp(assign, "dm") == 0) {
                an_fp_assign_dm(&sub);
            } else if (strcmp(assign, "rm") == 0) {
                an_fp_assign_rm(&sub);
            } else {
                assigned = an_fp_assign_audsley(&sub, &oh);
                if (!assigned)
                    an_fp_assign_dm(&sub);   /* report the DM verdicts when no order works */
            }
            ok = an_fp_rta(&sub, &oh, r) && assigned;
        } else {
            uint64_t witness = 0;
            ok = an_edf_schedulable(&sub, &oh, &witness);
            for (guint k = 0; k < idx->len; k++)
                r[k].schedulable = ok;
        }
        for (guint k = 0; k < idx->len; k++) {
            size_t i = g_array_index(idx, size_t, k);
            ts.t[i].priority = sub.t[k].priority;
            res[i] = r[k];
        }
        all &= ok;
        g_free(sub.t);
        g_free(r);
        g_array_free(idx, TRUE);
    }
    for (size_t i = 0; i < ts.n; i++)
        if (ts.t[i].core < 0) {       /* not placed by the partitioner */
            res[i].schedulable = false;
            all = false;
        }

    if (json) {
        GString *j = g_string_new(NULL);
        g_string_append_printf(j, "{\"schedulable\":%s,\"policy\":\"%s\",\"tasks\":[", all ? "true" : "false",
                               pol == POLICY_FP ? "fp" : "edf");
        for (size_t i = 0; i < ts.n; i++) {
            g_string_append(j, i ? ",{\"name\":" : "{\"name\":");
            simjson_string(j, ts.t[i].name, -1);
            if (pol == POLICY_FP && ts.t[i].core >= 0 && res[i].schedulable)
                g_string_append_printf(j, ",\"wcrt_ns\":%" PRIu64, res[i].wcrt);
            else
                g_string_append(j, ",\"wcrt_ns\":null");
            g_string_append_printf(j, ",\"schedulable\":%s,\"core\":%d", res[i].schedulable ? "true" : "false",
                                   ts.t[i].core);
            if (pol == POLICY_FP)
                g_string_append_printf(j, ",\"priority\":%d", ts.t[i].priority);
            g_string_append_c(j, '}');
        }
        g_string_append(j, "]}\n");
        fputs(j->str, stdout);
        g_string_free(j, TRUE);
    } else {
        printf("%-16s %4s %4s %12s %12s %12s  %s\n", "task", "core", "prio", "period_ns", "wcet_ns", "deadline_ns",
               pol == POLICY_FP ? "wcrt_ns" : "verdict");
        for (size_t i = 0; i < ts.n; i++) {
            char verdict[64];
            if (ts.t[i].core < 0)
                g_snprintf(verdict, sizeof verdict, "not placed on any core");
            else if (pol == POLICY_EDF)
                g_snprintf(verdict, sizeof verdict, "%s", res[i].schedulable ? "schedulable" : "unschedulable");
            else if (res[i].schedulable)
                g_snprintf(verdict, sizeof verdict, "%" PRIu64, res[i].wcrt);
            else
                g_snprintf(verdict, sizeof verdict, "unschedulable");
            printf("%-16s %4d %4d %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "  %s\n", ts.t[i].name, ts.t[i].core,
                   pol == POLICY_FP ? ts.t[i].priority : -1, ts.t[i].period, ts.t[i].wcet, ts.t[i].deadline, verdict);
        }
        printf("%s\n", all ? "schedulable" : "NOT schedulable");
    }
    rc = all ? 0 : 1;
out:
    g_free(res);
    an_tsio_free(&ts);
    g_free(taskset);
    g_free(policy_s);
    g_free(assign);
    g_free(part);
    g_free(csv);
    g_free(jobs_csv);
    g_free(dl);
    g_free(seed_s);
    return rc;
}
