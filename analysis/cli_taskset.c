/* analysis/cli_taskset.c: `cossim analyze --taskset FILE` (see
 * cli_taskset.h and docs/analysis.md): check the options, read the set,
 * place its tasks on cores (the core column, or a bin-packing partitioner
 * asking the uniprocessor test), run the fixed-priority or EDF test on each
 * core, and print the verdicts as a table or JSON.  The tests themselves
 * live in fp.c, edf.c and partition.c. */
#include "cli_taskset.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "edf.h"
#include "fp.h"
#include "partition.h"
#include "prm.h"
#include "tsio.h"
#include "sim/json.h"
#include "sim/simtime.h"

typedef enum { POLICY_FP, POLICY_EDF } policy;

/* What the options say, checked. */
typedef struct plan {
    policy pol;
    const char *assign;         /* NULL, "dm", "rm" or "audsley" */
    int heur;                   /* index in heurs[], -1: no partitioner */
    int cores;                  /* 0: not given */
    uint64_t pi, theta;         /* --supply, ns; pi 0: none */
} plan;

static const char *const heur_names[] = { "ff", "bf", "wf", "ffd", "bfd", "wfd" };
static const an_part_heuristic heurs[] = { AN_PART_FIRST_FIT, AN_PART_BEST_FIT, AN_PART_WORST_FIT,
                                           AN_PART_FIRST_FIT_DECREASING, AN_PART_BEST_FIT_DECREASING,
                                           AN_PART_WORST_FIT_DECREASING };

#define BAD_OPTION(...) (g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__), false)

/* The options, in the order a user reads them on the command line (the
 * first wrong one is the one reported). */
static bool check_options(const an_taskset_args *a, plan *p, GError **error)
{
    *p = (plan){ .pol = POLICY_FP, .assign = a->assign, .heur = -1, .cores = a->cores };
    if (a->policy && strcmp(a->policy, "edf") == 0)
        p->pol = POLICY_EDF;
    else if (a->policy && strcmp(a->policy, "fp") != 0)
        return BAD_OPTION("--policy: '%s' is not fp or edf", a->policy);
    if (a->assign && strcmp(a->assign, "dm") != 0 && strcmp(a->assign, "rm") != 0 && strcmp(a->assign, "audsley") != 0)
        return BAD_OPTION("--assign: '%s' is not dm, rm or audsley", a->assign);
    if (a->assign && p->pol == POLICY_EDF)
        return BAD_OPTION("--assign: EDF has no priorities to assign");
    if (a->partition) {
        for (int i = 0; i < (int)G_N_ELEMENTS(heur_names); i++)
            if (strcmp(a->partition, heur_names[i]) == 0)
                p->heur = i;
        if (p->heur < 0)
            return BAD_OPTION("--partition: '%s' is not ff, bf, wf, ffd, bfd or wfd", a->partition);
        if (a->cores < 1)
            return BAD_OPTION("--partition needs --cores N");
    }
    if (a->cores < 0 || a->cores > 1024)
        return BAD_OPTION("--cores: %d is not between 1 and 1024", a->cores);
    if (a->supply) {
        g_auto(GStrv) pq = g_strsplit(a->supply, ",", -1);
        sim_time_t v[2];
        for (int i = 0; pq[0] && pq[1] && !pq[2] && i < 2; i++) {
            g_autoptr(GError) e = NULL;
            if (!simt_parse(g_strstrip(pq[i]), &v[i], &e) || g_ascii_isdigit(pq[i][strlen(pq[i]) - 1]))
                return BAD_OPTION("--supply: '%s' is not a time with its unit (e.g. 5ms,2ms)", pq[i]);
        }
        if (!pq[0] || !pq[1] || pq[2])
            return BAD_OPTION("--supply: give P,Q, the period and the budget (e.g. 5ms,2ms)");
        p->pi = (uint64_t)(v[0] / 1000), p->theta = (uint64_t)(v[1] / 1000);
        if (p->pi == 0 || p->theta > p->pi || v[0] % 1000 || v[1] % 1000)
            return BAD_OPTION("--supply: the period must be a whole number of ns above 0 and the budget at most it");
    }
    return true;
}

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

/* Put every task on a core: the partitioner's choice (a task it could not
 * place keeps core -1), or the core column (none: core 0).  Returns the
 * number of cores to analyse. */
static int place(an_taskset *ts, const plan *p, const an_overheads *oh)
{
    int ncores = p->cores ? p->cores : 1;
    if (p->heur >= 0) {
        for (size_t i = 0; i < ts->n; i++)
            ts->t[i].core = -1;
        fp_ctx fc = { p->assign, oh };
        an_part_assign(ts, (unsigned)ncores, heurs[p->heur], p->pol == POLICY_FP ? fp_test : edf_test,
                       p->pol == POLICY_FP ? (void *)&fc : (void *)oh);
        return ncores;
    }
    for (size_t i = 0; i < ts->n; i++) {
        if (ts->t[i].core < 0)
            ts->t[i].core = 0;
        if (ts->t[i].core >= ncores)
            ncores = ts->t[i].core + 1;
    }
    return ncores;
}

/* The test on the tasks of core c: their verdicts into res (indexed like
 * ts), the priorities an --assign rule chose back into ts.  Sets *ok to the
 * core's verdict; false (with the reason) when a task has no priority and
 * no rule gives it one. */
static bool analyse_core(an_taskset *ts, int c, const plan *p, const an_overheads *oh, const char *path,
                         an_result *res, bool *ok, int64_t *min_budget, GError **error)
{
    g_autoptr(GArray) idx = g_array_new(FALSE, FALSE, sizeof(size_t));
    for (size_t i = 0; i < ts->n; i++)
        if (ts->t[i].core == c)
            g_array_append_val(idx, i);
    *ok = true;
    if (idx->len == 0)
        return true;
    an_taskset sub = { g_new0(an_task, idx->len), idx->len };
    for (guint k = 0; k < idx->len; k++)
        sub.t[k] = ts->t[g_array_index(idx, size_t, k)];
    g_autofree an_result *r = g_new0(an_result, idx->len);
    if (p->pol == POLICY_FP) {
        bool assigned = true;
        if (p->assign == NULL) {
            for (guint k = 0; k < idx->len; k++)
                if (sub.t[k].priority < 0) {
                    g_set_error(error, AN_TSIO_ERROR, AN_TSIO_ERROR_INPUT,
                                "%s: task '%s' has no priority (give a priority column or --assign dm|rm|audsley)",
                                path, sub.t[k].name);
                    g_free(sub.t);
                    return false;
                }
        } else if (strcmp(p->assign, "dm") == 0) {
            an_fp_assign_dm(&sub);
        } else if (strcmp(p->assign, "rm") == 0) {
            an_fp_assign_rm(&sub);
        } else {
            assigned = an_fp_assign_audsley(&sub, oh);
            if (!assigned)
                an_fp_assign_dm(&sub);   /* report the DM verdicts when no order works */
        }
        *ok = (p->pi ? an_prm_fp(&sub, p->pi, p->theta, r) : an_fp_rta(&sub, oh, r)) && assigned;
    } else {
        uint64_t witness = 0;
        *ok = p->pi ? an_prm_edf(&sub, p->pi, p->theta) : an_edf_schedulable(&sub, oh, &witness);
        for (guint k = 0; k < idx->len; k++)
            r[k].schedulable = *ok;
    }
    /* under a supply: the least budget every P that would do */
    uint64_t th = 0;
    if (p->pi && (p->pol == POLICY_FP ? an_prm_min_budget_fp(&sub, p->pi, &th) : an_prm_min_budget_edf(&sub, p->pi, &th)))
        *min_budget = (int64_t)th;
    for (guint k = 0; k < idx->len; k++) {
        size_t i = g_array_index(idx, size_t, k);
        ts->t[i].priority = sub.t[k].priority;
        res[i] = r[k];
    }
    g_free(sub.t);
    return true;
}

static void print_json(const an_taskset *ts, const an_result *res, policy pol, bool all, const plan *p,
                       const int64_t *min_budget, int ncores)
{
    GString *j = g_string_new(NULL);
    g_string_append_printf(j, "{\"schedulable\":%s,\"policy\":\"%s\",\"tasks\":[", all ? "true" : "false",
                           pol == POLICY_FP ? "fp" : "edf");
    for (size_t i = 0; i < ts->n; i++) {
        g_string_append(j, i ? ",{\"name\":" : "{\"name\":");
        simjson_string(j, ts->t[i].name, -1);
        if (pol == POLICY_FP && ts->t[i].core >= 0 && res[i].schedulable)
            g_string_append_printf(j, ",\"wcrt_ns\":%" PRIu64, res[i].wcrt);
        else
            g_string_append(j, ",\"wcrt_ns\":null");
        g_string_append_printf(j, ",\"schedulable\":%s,\"core\":%d", res[i].schedulable ? "true" : "false",
                               ts->t[i].core);
        if (pol == POLICY_FP)
            g_string_append_printf(j, ",\"priority\":%d", ts->t[i].priority);
        g_string_append_c(j, '}');
    }
    g_string_append(j, "]");
    if (p->pi) {
        g_string_append_printf(j, ",\"supply\":{\"period_ns\":%" PRIu64 ",\"budget_ns\":%" PRIu64
                               ",\"least_budget_ns\":[", p->pi, p->theta);
        for (int c = 0; c < ncores; c++) {
            if (min_budget[c] >= 0)
                g_string_append_printf(j, "%s%" PRId64, c ? "," : "", min_budget[c]);
            else
                g_string_append(j, c ? ",null" : "null");
        }
        g_string_append(j, "]}");
    }
    g_string_append(j, "}\n");
    fputs(j->str, stdout);
    g_string_free(j, TRUE);
}

static void print_table(const an_taskset *ts, const an_result *res, policy pol, bool all, const plan *p,
                        const int64_t *min_budget, int ncores)
{
    printf("%-16s %4s %4s %12s %12s %12s  %s\n", "task", "core", "prio", "period_ns", "wcet_ns", "deadline_ns",
           pol == POLICY_FP ? "wcrt_ns" : "verdict");
    for (size_t i = 0; i < ts->n; i++) {
        char verdict[64];
        if (ts->t[i].core < 0)
            g_snprintf(verdict, sizeof verdict, "not placed on any core");
        else if (pol == POLICY_EDF)
            g_snprintf(verdict, sizeof verdict, "%s", res[i].schedulable ? "schedulable" : "unschedulable");
        else if (res[i].schedulable)
            g_snprintf(verdict, sizeof verdict, "%" PRIu64, res[i].wcrt);
        else
            g_snprintf(verdict, sizeof verdict, "unschedulable");
        printf("%-16s %4d %4d %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "  %s\n", ts->t[i].name, ts->t[i].core,
               pol == POLICY_FP ? ts->t[i].priority : -1, ts->t[i].period, ts->t[i].wcet, ts->t[i].deadline, verdict);
    }
    for (int c = 0; p->pi && c < ncores; c++) {
        if (min_budget[c] >= 0)
            printf("core %d: supply %" PRIu64 " ns every %" PRIu64 " ns; the least budget that would do: %" PRId64 " ns\n",
                   c, p->theta, p->pi, min_budget[c]);
        else
            printf("core %d: supply %" PRIu64 " ns every %" PRIu64 " ns; no budget up to the whole period would do\n",
                   c, p->theta, p->pi);
    }
    printf("%s\n", all ? "schedulable" : "NOT schedulable");
}

int an_analyze_taskset(const an_taskset_args *a, GError **error)
{
    plan p;
    if (!check_options(a, &p, error))
        return 2;
    an_taskset ts = { 0 };
    an_overheads oh;
    if (!an_tsio_read(a->path, &ts, &oh, error))
        return 2;
    int ncores = place(&ts, &p, &oh);
    an_result *res = g_new0(an_result, ts.n ? ts.n : 1);
    int64_t *min_budget = g_new(int64_t, ncores);
    bool all = true;
    int rc = 2;
    for (int c = 0; c < ncores; c++) {
        bool ok;
        min_budget[c] = -1;
        if (!analyse_core(&ts, c, &p, &oh, a->path, res, &ok, &min_budget[c], error))
            goto out;
        all &= ok;
    }
    for (size_t i = 0; i < ts.n; i++)
        if (ts.t[i].core < 0) {       /* not placed by the partitioner */
            res[i].schedulable = false;
            all = false;
        }
    if (a->json)
        print_json(&ts, res, p.pol, all, &p, min_budget, ncores);
    else
        print_table(&ts, res, p.pol, all, &p, min_budget, ncores);
    rc = all ? 0 : 1;
out:
    g_free(min_budget);
    g_free(res);
    an_tsio_free(&ts);
    return rc;
}
