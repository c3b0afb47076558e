/* compose/demand.c: the trace's task_demand table: what each task's
 * declared body asks of its core at worst, for the safe analytic bound
 * (analysis/trace_bound.c, docs/analysis.md "The safe bound").
 *
 * Per task, one row for the whole job (lock NULL) and one per lock it
 * takes, for its longest critical section on that lock (from the lock
 * step to its unlock, nested sections included).  Each row holds:
 *   - compute_cycles: the compute steps at their largest (fixed: the
 *     figure; uniform: the top; exponential: its cap), with the compute a
 *     touch is spread over, and a called server's declared work;
 *   - lines, pages: the cache lines and 4 KiB pages the body's touches
 *     cover (its own memory and its servers'), each costed as a miss in
 *     every level: mem_cycles = lines x worst_line + pages x walk, where
 *     worst_line = the last level's hit + the memory latency + two bus
 *     slots (the line's own transfer may queue behind a write-back of the
 *     same core) + one coherence transfer, and walk = (page-table levels
 *     + 1) x worst_line (every descriptor read missing, and one more for
 *     the accessed/dirty update); without caches every 4-byte word is a
 *     memory access;
 *   - runtime_cycles: the workload runtime's own code the body runs (per
 *     lock operation WL_LOCK_INSTR instructions and its lock and thread
 *     records; per job WL_JOB_INSTR instructions and the job's record),
 *     at the machine's cpi and worst_line per record touched;
 *   - invocations: synchronous invocations made (their kernel paths, sinv
 *     and sret, are the analysis's to add from the trace's kernel_paths);
 *   - cycles: compute + mem + runtime, or NULL with `note` saying why the
 *     body has no declared bound (a Lua body, an exponential compute
 *     without a cap, a step that suspends or waits, an added component's
 *     invocation).
 * Cycles are the task's core's.  Nothing here is measured: the figures
 * are the description's and the machine's. */
#include "compose/internal.h"
#include "sim/trace_names.h"
#include "components/implementation/wl.h"

#include <string.h>

#define PAGE 4096u
#define RUNTIME_RECORDS 3u      /* per lock operation: the lock's record, twice, and the thread's */
#define JOB_RECORDS 2u          /* per job: the thread's record and the jobs row */

typedef struct demand {
    uint64_t compute, lines, pages, runtime, invocations;
    const char *note;           /* NULL: bounded */
} demand;

/* A miss in every level of the hierarchy, in cycles of a core. */
static uint64_t worst_line(const hw *h)
{
    const hwmem_config *m = &h->cfg.mem;
    unsigned last = m->nouter ? m->outer[m->nouter - 1].cache.hit_cycles : m->has_l1 ? m->l1d.hit_cycles : 0;
    uint64_t mem_ps = (uint64_t)m->mem_latency + 2 * (uint64_t)m->bus_line;
    uint64_t mem = (mem_ps * m->freq_hz + 999999999999u) / 1000000000000u;
    return last + mem + m->coherence_cycles;
}

static unsigned line_bytes(const hw *h)
{
    const hwmem_config *m = &h->cfg.mem;
    return m->has_l1 ? m->l1d.line : m->nouter ? m->outer[0].cache.line : 4;
}

/* Page-table levels a walk reads (0: no MMU). */
static unsigned walk_levels(const hw *h)
{
    if (!h->cfg.has_tlb)
        return 0;
    return h->cfg.arch == MODEL_X86_64 ? 4 : 2;     /* ARM kernels use the short-descriptor format */
}

static uint64_t span(uint64_t base, uint64_t len, uint64_t unit)
{
    return len == 0 ? 0 : (base + len - 1) / unit - base / unit + 1;
}

static void touch(demand *d, const hw *h, uint64_t base, uint64_t len)
{
    d->lines += span(base, len, line_bytes(h));
    d->pages += span(base, len, PAGE);
}

static uint64_t instr(const hw *h, uint64_t n)
{
    return (uint64_t)((double)n * h->cfg.cpi + 0.999999);
}

static uint64_t cycles_of(const demand *d, const hw *h)
{
    uint64_t wl = worst_line(h);
    return d->compute + d->lines * wl + d->pages * (walk_levels(h) + 1) * wl + d->runtime;
}

/* Op k of task i into d (and into the open critical sections). */
static void add_op(const composed *c, const wl_task *t, const wl_op *op, demand *d)
{
    const hw *h = c->h;
    switch (op->kind) {
    case WL_COMPUTE:
        if (op->dist == WL_EXP && op->b == 0)
            d->note = "an exponential compute step without a cap";
        d->compute += op->dist == WL_FIXED ? op->a : op->b;
        break;
    case WL_TOUCH:
        touch(d, h, t->mem_off + op->a, op->b);
        d->compute += op->c;
        break;
    case WL_INVOKE:
        if ((op->target & WL_TARGET_COMP) || op->target >= c->w->nservers) {
            d->note = "it invokes an added component, whose work is not declared";
            break;
        }
        d->invocations++;
        d->compute += c->w->server[op->target].work;
        touch(d, h, 0, c->w->server[op->target].touch);   /* its memory starts on a page */
        break;
    case WL_LOCK:
    case WL_UNLOCK:
        d->runtime += instr(h, WL_LOCK_INSTR) + RUNTIME_RECORDS * worst_line(h);
        break;
    case WL_SEND:
        d->note = "it sends (an asynchronous send's kernel path is not in the declared demand)";
        break;
    default:
        d->note = "it suspends or waits (sleep, receive, channel, timer or memory-manager step)";
        break;
    }
}

static void row(simtr_table *tb, const composed *c, unsigned i, const char *lock, const wl_lock *lk, const demand *d)
{
    simtr_begin(tb);
    simtr_int(tb, c->w->app.task_base + i);
    if (lock) {
        simtr_text(tb, lock, -1);
        simtr_text(tb, lk->protocol == WL_LOCK_PI ? "pi" : lk->protocol == WL_LOCK_CEILING ? "ceiling" : "none", -1);
        simtr_int(tb, lk->ceiling);
    } else {
        simtr_null(tb);
        simtr_null(tb);
        simtr_null(tb);
    }
    simtr_int(tb, (int64_t)d->compute);
    simtr_int(tb, (int64_t)d->lines);
    simtr_int(tb, (int64_t)d->pages);
    uint64_t wl = worst_line(c->h);
    simtr_int(tb, (int64_t)(d->lines * wl + d->pages * (walk_levels(c->h) + 1) * wl));
    simtr_int(tb, (int64_t)d->runtime);
    simtr_int(tb, (int64_t)d->invocations);
    if (d->note) {
        simtr_null(tb);
        simtr_text(tb, d->note, -1);
    } else {
        simtr_int(tb, (int64_t)cycles_of(d, c->h));
        simtr_null(tb);
    }
    simtr_end(tb);
}

void cmp_define_demand_table(const composed *c, sim *s)
{
    static const simtr_column cols[] = {
        { "task", SIMTR_INT, true },           { "lock", SIMTR_TEXT, false },     { "protocol", SIMTR_TEXT, false },
        { "ceiling", SIMTR_INT, false },       { "compute_cycles", SIMTR_INT, true }, { "lines", SIMTR_INT, true },
        { "pages", SIMTR_INT, true },          { "mem_cycles", SIMTR_INT, true }, { "runtime_cycles", SIMTR_INT, true },
        { "invocations", SIMTR_INT, true },    { "cycles", SIMTR_INT, false },    { "note", SIMTR_TEXT, false },
    };
    simtr_table *tb = simtr_find(s->trace, TRN_TASK_DEMAND);
    if (tb == NULL)
        tb = simtr_define(s->trace, TRN_TASK_DEMAND, cols, G_N_ELEMENTS(cols));
    const wl_desc *w = c->w;
    for (unsigned i = 0; i < w->app.ntasks; i++) {
        const wl_task *t = &w->app.task[i];
        demand job = { .runtime = instr(c->h, WL_JOB_INSTR) + JOB_RECORDS * worst_line(c->h) };
        if (t->program) {
            job.note = "a Lua body: its steps are not declared";
            row(tb, c, i, NULL, NULL, &job);
            continue;
        }
        /* the whole job, and per lock its longest section (the sections
         * open at each step: a job gives its locks back in order) */
        unsigned nl = w->app.nlocks;
        demand *open = g_new0(demand, nl ? nl : 1), *worst = g_new0(demand, nl ? nl : 1);
        bool *held = g_new0(bool, nl ? nl : 1), *used = g_new0(bool, nl ? nl : 1);
        for (unsigned k = 0; k < t->nops; k++) {
            const wl_op *op = &t->ops[k];
            if (op->kind == WL_LOCK && op->target < nl) {
                held[op->target] = used[op->target] = true;
                open[op->target] = (demand){ 0 };
            }
            add_op(c, t, op, &job);
            for (unsigned l = 0; l < nl; l++)
                if (held[l])
                    add_op(c, t, op, &open[l]);
            if (op->kind == WL_UNLOCK && op->target < nl && held[op->target]) {
                held[op->target] = false;
                demand *o = &open[op->target], *m = &worst[op->target];
                if (!m->note && (o->note || cycles_of(o, c->h) > cycles_of(m, c->h)))
                    *m = *o;
            }
        }
        row(tb, c, i, NULL, NULL, &job);
        for (unsigned l = 0; l < nl; l++)
            if (used[l])
                row(tb, c, i, c->lock_names[l], &w->app.lock[l], &worst[l]);
        g_free(open);
        g_free(worst);
        g_free(held);
        g_free(used);
    }
}
