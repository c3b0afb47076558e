/* components/implementation/app/workload/queue.c: each scheduler's two
 * queues, binary heaps of thread indices in its record in the app's memory
 * (app.h, wl_app_layout), so that no decision looks at every thread:
 *
 *  - the release queue: its threads by the next time it must act on them
 *    (a task's next release while it is idle, a wake-up while it sleeps, a
 *    budget top-up), earliest first; ties go to the thread earlier in the
 *    scheduler's list (lpos);
 *  - the ready queue (policies that do not pick for themselves): its ready
 *    threads, the one that outranks the others first (the policy's
 *    outranks), equals in the order they became ready (rq_seq: round robin
 *    among equals at job ends, as a job's end takes a thread out and its
 *    next release puts it at the back).
 *
 * Both orders are total, so a queue's shape never matters.  Whatever
 * changes a thread's state, one of its times or its effective priority or
 * deadline calls wl_requeue.
 *
 * What the component's code costs (docs/components.md): an operation is
 * WL_Q_BASE instructions and WL_Q_LEVEL per level of the heap it walks; it
 * reads the record of every thread whose key it compares, and reads and
 * writes the heap's entries it moves (st_entry bytes each), all through the
 * caches. */
#include "components/implementation/wl.h"
#include "components/lib/cost.h"
#include "components/lib/heap.h"

/* ---- what an operation costs ----------------------------------------------------- */

typedef struct qcost {
    wl_app *app;                      /* NULL: the booter's set-up, not charged */
    cos_cost c;
} qcost;

static void cost_rec(qcost *q, uint32_t i)
{
    if (q->app)
        cos_cost_read(&q->c, q->app->base + wl_thd_off(q->app, i));
}

/* Entry `at` of scheduler s's ready (ready) or release queue. */
static void cost_slot(qcost *q, unsigned s, bool ready, unsigned at)
{
    if (q->app == NULL)
        return;
    const wl_app *a = q->app;
    uint64_t off = wl_sched_off(a, s) + 16 + (uint64_t)a->st_entry * a->st_longest * (ready ? 1 : 2);
    cos_cost_write(&q->c, a->base + off + (uint64_t)a->st_entry * at);
}

static void cost_charge(qcost *q)
{
    if (q->app == NULL)
        return;
    cos_err e = cos_cost_charge(&q->c, WL_Q_BASE, WL_Q_LEVEL);
    if (e)
        COS_FAIL(&q->app->fail, e);
}

/* ---- the two orders ---------------------------------------------------------------- */

/* The next time scheduler r->sched must act on r (UINT64_MAX: none). */
static uint64_t key_of(const wl_app *app, const wl_rt_thd *r)
{
    uint64_t t = UINT64_MAX;
    if (r->state == WL_S_IDLE && r->ready_at < t)
        t = r->ready_at;
    if (r->state == WL_S_SLEEP && r->wake_at < t)
        t = r->wake_at;
    if (wl_has_tcap(app, r) && r->replenish_at < t)
        t = r->replenish_at;
    return t;
}

/* Whether scheduler s keeps a ready queue (its policy does not pick). */
static bool has_rq(const wl_app *app, unsigned s)
{
    return wl_policy_of(app, s)->pick == NULL;
}

/* A queue of scheduler s (components/lib/heap.h), its costs counted in q. */
typedef struct qctx {
    wl_app *app;
    unsigned s;
    bool ready;                       /* the ready queue, else the release queue */
    qcost *q;
} qctx;

/* Whether thread a comes before thread b. */
static bool q_before(void *ctx, uint32_t a, uint32_t b)
{
    const qctx *x = ctx;
    const wl_rt_thd *ta = &x->app->thd[a], *tb = &x->app->thd[b];
    cost_rec(x->q, a);
    cost_rec(x->q, b);
    if (!x->ready)
        return ta->tq_key < tb->tq_key || (ta->tq_key == tb->tq_key && ta->lpos < tb->lpos);
    if (wl_outranks(x->app, x->s, ta, tb))
        return true;
    return !wl_outranks(x->app, x->s, tb, ta) && ta->rq_seq < tb->rq_seq;
}

static void q_place(void *ctx, uint32_t i, unsigned where)
{
    const qctx *x = ctx;
    wl_rt_thd *r = &x->app->thd[i];
    *(x->ready ? &r->rq_pos : &r->tq_pos) = where;
    if (where)
        cost_slot(x->q, x->s, x->ready, where - 1);
}

static unsigned q_where(void *ctx, uint32_t i)
{
    const qctx *x = ctx;
    const wl_rt_thd *r = &x->app->thd[i];
    return x->ready ? r->rq_pos : r->tq_pos;
}

/* Thread i in or out of one of scheduler s's queues. */
static void update(wl_app *app, unsigned s, bool ready, uint32_t i, bool in, qcost *q)
{
    wl_rt_core *c = &app->core[s];
    qctx x = { app, s, ready, q };
    cos_heap h = { ready ? c->rq : c->tq, ready ? c->nrq : c->ntq, q_before, q_place, q_where, &x };
    int levels = cos_heap_update(&h, i, in, c->cap);
    if (levels < 0) {
        COS_FAIL(&app->fail, COS_ERANGE);       /* more threads than its list: cannot happen */
        return;
    }
    q->c.levels += (unsigned)levels;
    *(ready ? &c->nrq : &c->ntq) = h.n;
}

static void requeue(wl_app *app, unsigned i, qcost *q)
{
    wl_rt_thd *r = &app->thd[i];
    unsigned s = r->sched;
    uint64_t key = key_of(app, r);
    r->tq_key = key;
    update(app, s, false, i, key != UINT64_MAX, q);
    wl_rt_core *c = &app->core[s];
    bool ready = r->state == WL_S_READY;
    if (ready != (r->in_ready != 0)) {
        r->in_ready = ready;
        c->nready_tasks += ready && !r->irq ? 1 : !ready && !r->irq ? -1 : 0;
    }
    if (has_rq(app, s)) {
        if (ready && r->rq_pos == 0)
            r->rq_seq = ++c->rq_seq;        /* newly ready: behind its equals */
        update(app, s, true, i, ready, q);
    }
}

void wl_requeue(wl_app *app, unsigned i)
{
    qcost q = { .app = app };
    requeue(app, i, &q);
    cost_charge(&q);
}

void wl_queue_init(wl_app *app)
{
    qcost q = { 0 };
    for (unsigned i = 0; i < wl_nthd(app); i++)
        if (app->thd[i].id)
            requeue(app, i, &q);
}

/* ---- what a decision reads ------------------------------------------------------------ */

uint64_t wl_queue_first(wl_app *app, unsigned s)
{
    const wl_rt_core *c = &app->core[s];
    qcost q = { .app = app };
    uint64_t t = UINT64_MAX;
    if (c->ntq) {
        cost_rec(&q, c->tq[0]);
        t = app->thd[c->tq[0]].tq_key;
    }
    cost_charge(&q);
    return t;
}

int wl_queue_pick(wl_app *app, unsigned s)
{
    const wl_rt_core *c = &app->core[s];
    qcost q = { .app = app };
    cos_cost_read(&q.c, app->base + wl_sched_off(app, s));      /* its record: cur */
    int best = NONE;
    if (c->nrq) {
        cost_rec(&q, c->rq[0]);
        best = (int)c->rq[0];
    }
    if (best != NONE && c->cur >= 0 && c->cur != best) {
        cost_rec(&q, (unsigned)c->cur);
        if (wl_ready(&app->thd[c->cur]) && !wl_outranks(app, s, &app->thd[best], &app->thd[c->cur]))
            best = c->cur;
    }
    cos_err e = cos_cost_charge(&q.c, WL_PICK_BASE + WL_Q_BASE, 0);
    if (e)
        COS_FAIL(&app->fail, e);
    return best;
}

unsigned wl_queue_rank(wl_app *app, unsigned s, unsigned i, bool (*counts)(const wl_rt_thd *o, const wl_rt_thd *r))
{
    /* the threads that come before i are a subtree at the root (a thread
     * comes after its parent): walk it, depth first, on the caller's list
     * of the scheduler (scratch) */
    wl_rt_core *c = &app->core[s];
    qcost q = { .app = app };
    qctx x = { app, s, true, &q };
    const wl_rt_thd *r = &app->thd[i];
    unsigned rank = 0, n = 0;
    uint32_t *stack = c->scratch;
    if (c->nrq)
        stack[n++] = 0;
    while (n) {
        unsigned at = stack[--n];
        uint32_t o = c->rq[at];
        q.c.levels++;
        if (o == i || !q_before(&x, o, i))
            continue;
        rank += counts(&app->thd[o], r);
        for (unsigned ch = 2 * at + 1; ch <= 2 * at + 2 && ch < c->nrq; ch++)
            stack[n++] = ch;
    }
    cost_charge(&q);
    return rank;
}

/* Sort threads a[0..n-1] by their place in their scheduler's list
 * (heapsort: no memory beyond the list). */
static void sift_lpos(const wl_app *app, uint32_t *a, unsigned at, unsigned n)
{
    uint32_t v = a[at];
    for (unsigned ch; (ch = 2 * at + 1) < n; at = ch) {
        if (ch + 1 < n && app->thd[a[ch + 1]].lpos > app->thd[a[ch]].lpos)
            ch++;
        if (app->thd[a[ch]].lpos <= app->thd[v].lpos)
            break;
        a[at] = a[ch];
    }
    a[at] = v;
}
static void sort_lpos(const wl_app *app, uint32_t *a, unsigned n)
{
    for (unsigned k = n / 2; k-- > 0;)
        sift_lpos(app, a, k, n);
    for (unsigned m = n; m-- > 1;) {
        uint32_t t = a[0];
        a[0] = a[m];
        a[m] = t;
        sift_lpos(app, a, 0, m);
    }
}

unsigned wl_queue_due(wl_app *app, unsigned s, uint64_t now, uint32_t *out)
{
    const wl_rt_core *c = &app->core[s];
    /* breadth first from the root, into the children of due positions only
     * (a key is no less than its parent's): each position looked at once */
    unsigned seen = 0;
    if (c->ntq)
        out[seen++] = 0;
    for (unsigned k = 0; k < seen; k++)
        if (app->thd[c->tq[out[k]]].tq_key <= now)
            for (unsigned ch = 2 * out[k] + 1; ch <= 2 * out[k] + 2 && ch < c->ntq; ch++)
                out[seen++] = ch;
    /* their threads, the due ones first */
    unsigned n = 0;
    for (unsigned k = 0; k < seen; k++) {
        uint32_t i = c->tq[out[k]];
        out[k] = i;
        if (app->thd[i].tq_key <= now) {
            out[k] = out[n];
            out[n++] = i;
        }
    }
    sort_lpos(app, out, n);     /* released in the order of the list */
    /* its cost: every record whose key it read, due or not (the caller's
     * list is its own while it releases: the charge may yield) */
    uint64_t instr = WL_Q_BASE + WL_Q_LEVEL * (uint64_t)seen, va[WL_BATCH];
    for (unsigned k = 0; k == 0 || k < seen;) {
        unsigned m = 0;
        for (; k < seen && m < WL_BATCH; k++)
            va[m++] = app->base + wl_thd_off(app, out[k]);
        cos_err e = cos_touch_words_rw(va, m, m, instr);
        instr = 0;
        if (e) {
            COS_FAIL(&app->fail, e);
            break;
        }
        if (seen == 0)
            break;
    }
    return n;
}
