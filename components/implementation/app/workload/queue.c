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

/* ---- what an operation costs ----------------------------------------------------- */

#define QCOST_MAX 192u

typedef struct qcost {
    wl_app *app;                      /* NULL: the booter's set-up, not charged */
    unsigned levels, nrec, nslot;
    uint64_t rec[QCOST_MAX];          /* records read */
    uint64_t slot[QCOST_MAX];         /* heap entries written */
} qcost;

static void cost_rec(qcost *q, uint32_t i)
{
    if (q->app && q->nrec < QCOST_MAX)
        q->rec[q->nrec++] = q->app->base + wl_thd_off(q->app, i);
}

/* Entry `at` of scheduler s's ready (ready) or release queue. */
static void cost_slot(qcost *q, unsigned s, bool ready, unsigned at)
{
    if (q->app == NULL || q->nslot >= QCOST_MAX)
        return;
    const wl_app *a = q->app;
    uint64_t off = wl_sched_off(a, s) + 16 + (uint64_t)a->st_entry * a->st_longest * (ready ? 1 : 2);
    q->slot[q->nslot++] = a->base + off + (uint64_t)a->st_entry * at;
}

static void cost_charge(qcost *q)
{
    if (q->app == NULL)
        return;
    cos_instructions(WL_Q_BASE + WL_Q_LEVEL * q->levels);
    cos_err e = cos_touch_words(q->rec, q->nrec, false);
    if (e == COS_OK && q->nslot)
        e = cos_touch_words(q->slot, q->nslot, true);
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

typedef struct heap {
    unsigned s;
    bool ready;                       /* the ready queue, else the release queue */
    uint32_t *e;
    unsigned *n;
} heap;

static heap heap_of(wl_app *app, unsigned s, bool ready)
{
    wl_rt_core *c = &app->core[s];
    return ready ? (heap){ s, true, c->rq, &c->nrq } : (heap){ s, false, c->tq, &c->ntq };
}

static uint32_t *pos_of(wl_app *app, const heap *h, uint32_t i)
{
    return h->ready ? &app->thd[i].rq_pos : &app->thd[i].tq_pos;
}

/* Whether thread a comes before thread b in heap h. */
static bool before(const wl_app *app, const heap *h, uint32_t a, uint32_t b, qcost *q)
{
    const wl_rt_thd *x = &app->thd[a], *y = &app->thd[b];
    cost_rec(q, a);
    cost_rec(q, b);
    if (!h->ready)
        return x->tq_key < y->tq_key || (x->tq_key == y->tq_key && x->lpos < y->lpos);
    if (wl_outranks(app, h->s, x, y))
        return true;
    return !wl_outranks(app, h->s, y, x) && x->rq_seq < y->rq_seq;
}

static void put(wl_app *app, const heap *h, unsigned at, uint32_t i, qcost *q)
{
    h->e[at] = i;
    *pos_of(app, h, i) = at + 1;
    cost_slot(q, h->s, h->ready, at);
}

static void sift_up(wl_app *app, const heap *h, unsigned at, qcost *q)
{
    uint32_t i = h->e[at];
    while (at > 0) {
        unsigned up = (at - 1) / 2;
        q->levels++;
        if (!before(app, h, i, h->e[up], q))
            break;
        put(app, h, at, h->e[up], q);
        at = up;
    }
    put(app, h, at, i, q);
}

static void sift_down(wl_app *app, const heap *h, unsigned at, qcost *q)
{
    uint32_t i = h->e[at];
    for (;;) {
        unsigned l = 2 * at + 1, best = at;
        uint32_t bi = i;
        if (l >= *h->n)
            break;
        q->levels++;
        if (before(app, h, h->e[l], bi, q))
            best = l, bi = h->e[l];
        if (l + 1 < *h->n && before(app, h, h->e[l + 1], bi, q))
            best = l + 1, bi = h->e[l + 1];
        if (best == at)
            break;
        put(app, h, at, bi, q);
        at = best;
    }
    put(app, h, at, i, q);
}

/* Thread i in heap h or not (`in`), at its place. */
static void update(wl_app *app, const heap *h, uint32_t i, bool in, qcost *q)
{
    uint32_t *pos = pos_of(app, h, i);
    if (*pos == 0) {
        if (!in)
            return;
        if (*h->n >= app->core[h->s].cap) {
            COS_FAIL(&app->fail, COS_ERANGE);       /* more threads than its list: cannot happen */
            return;
        }
        h->e[*h->n] = i;
        sift_up(app, h, (*h->n)++, q);
        return;
    }
    unsigned at = *pos - 1;
    if (!in) {          /* out: the last one takes its place */
        *pos = 0;
        uint32_t last = h->e[--*h->n];
        if (at == *h->n)
            return;
        put(app, h, at, last, q);
        sift_up(app, h, at, q);
        sift_down(app, h, *pos_of(app, h, last) - 1, q);
        return;
    }
    sift_up(app, h, at, q);
    sift_down(app, h, *pos - 1, q);
}

static void requeue(wl_app *app, unsigned i, qcost *q)
{
    wl_rt_thd *r = &app->thd[i];
    unsigned s = r->sched;
    uint64_t key = key_of(app, r);
    heap tq = heap_of(app, s, false);
    r->tq_key = key;
    update(app, &tq, i, key != UINT64_MAX, q);
    wl_rt_core *c = &app->core[s];
    bool ready = r->state == WL_S_READY;
    if (ready != (r->in_ready != 0)) {
        r->in_ready = ready;
        c->nready_tasks += ready && !r->irq ? 1 : !ready && !r->irq ? -1 : 0;
    }
    if (has_rq(app, s)) {
        if (ready && r->rq_pos == 0)
            r->rq_seq = ++c->rq_seq;        /* newly ready: behind its equals */
        heap rq = heap_of(app, s, true);
        update(app, &rq, i, ready, q);
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

int wl_queue_best(wl_app *app, unsigned s)
{
    const wl_rt_core *c = &app->core[s];
    qcost q = { .app = app };
    int best = NONE;
    if (c->nrq) {
        cost_rec(&q, c->rq[0]);
        best = (int)c->rq[0];
    }
    cost_charge(&q);
    return best;
}

unsigned wl_queue_rank(wl_app *app, unsigned s, unsigned i, bool (*counts)(const wl_rt_thd *o, const wl_rt_thd *r))
{
    /* the threads that come before i are a subtree at the root (a thread
     * comes after its parent): walk it, depth first, on the caller's list
     * of the scheduler (scratch) */
    wl_rt_core *c = &app->core[s];
    qcost q = { .app = app };
    heap rq = heap_of(app, s, true);
    const wl_rt_thd *r = &app->thd[i];
    unsigned rank = 0, n = 0;
    uint32_t *stack = c->scratch;
    if (c->nrq)
        stack[n++] = 0;
    while (n) {
        unsigned at = stack[--n];
        uint32_t o = c->rq[at];
        q.levels++;
        if (o == i || !before(app, &rq, o, i, &q))
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
    cos_instructions(WL_Q_BASE + WL_Q_LEVEL * seen);
    wl_thds_touch(app, out, seen, false);
    return n;
}
