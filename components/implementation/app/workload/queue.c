/* components/implementation/app/workload/queue.c: each scheduler's release
 * queue: its threads by the next time it must act on them (a task's next
 * release while it is idle, a wake-up while it sleeps, a budget top-up),
 * a binary min-heap in the scheduler's state, so that a decision finds
 * what is due without looking at every thread.
 *
 * A thread's place (tq_pos) and key (tq_key) are in its record; ties go to
 * the thread earlier in the scheduler's list (lpos), so the queue's order
 * is total and its shape never matters.  Whatever changes a thread's state
 * or one of its times calls wl_requeue. */
#include "components/implementation/wl.h"

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

static bool before(const wl_app *app, uint32_t a, uint32_t b)
{
    const wl_rt_thd *x = &app->thd[a], *y = &app->thd[b];
    return x->tq_key < y->tq_key || (x->tq_key == y->tq_key && x->lpos < y->lpos);
}

static void place(wl_app *app, wl_rt_core *c, unsigned at, uint32_t i)
{
    c->tq[at] = i;
    app->thd[i].tq_pos = at + 1;
}

static void sift_up(wl_app *app, wl_rt_core *c, unsigned at)
{
    uint32_t i = c->tq[at];
    while (at > 0) {
        unsigned up = (at - 1) / 2;
        if (!before(app, i, c->tq[up]))
            break;
        place(app, c, at, c->tq[up]);
        at = up;
    }
    place(app, c, at, i);
}

static void sift_down(wl_app *app, wl_rt_core *c, unsigned at)
{
    uint32_t i = c->tq[at];
    for (;;) {
        unsigned l = 2 * at + 1, best = at;
        uint32_t bi = i;
        if (l < c->ntq && before(app, c->tq[l], bi))
            best = l, bi = c->tq[l];
        if (l + 1 < c->ntq && before(app, c->tq[l + 1], bi))
            best = l + 1, bi = c->tq[l + 1];
        if (best == at)
            break;
        place(app, c, at, bi);
        at = best;
    }
    place(app, c, at, i);
}

void wl_requeue(wl_app *app, unsigned i)
{
    wl_rt_thd *r = &app->thd[i];
    wl_rt_core *c = &app->core[r->sched];
    uint64_t key = key_of(app, r);
    if (r->tq_pos == 0) {
        if (key == UINT64_MAX)
            return;
        if (c->ntq >= c->cap) {
            COS_FAIL(&app->fail, COS_ERANGE);       /* more threads than its list: cannot happen */
            return;
        }
        r->tq_key = key;
        c->tq[c->ntq] = i;
        sift_up(app, c, c->ntq++);
        return;
    }
    unsigned at = r->tq_pos - 1;
    if (key == UINT64_MAX) {        /* out: the last one takes its place */
        r->tq_pos = 0;
        uint32_t last = c->tq[--c->ntq];
        if (at == c->ntq)
            return;
        place(app, c, at, last);
        sift_up(app, c, at);
        sift_down(app, c, app->thd[last].tq_pos - 1);
        return;
    }
    r->tq_key = key;
    sift_up(app, c, at);
    sift_down(app, c, r->tq_pos - 1);
}

uint64_t wl_queue_first(const wl_app *app, unsigned s)
{
    const wl_rt_core *c = &app->core[s];
    return c->ntq ? app->thd[c->tq[0]].tq_key : UINT64_MAX;
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
    if (c->ntq == 0 || app->thd[c->tq[0]].tq_key > now)
        return 0;
    /* the heap's positions whose key is due, breadth first from the root
     * (a key is no less than its parent's), then their threads by lpos */
    unsigned n = 0;
    out[n++] = 0;
    for (unsigned k = 0; k < n; k++)
        for (unsigned ch = 2 * out[k] + 1; ch <= 2 * out[k] + 2; ch++)
            if (ch < c->ntq && app->thd[c->tq[ch]].tq_key <= now)
                out[n++] = ch;
    for (unsigned k = 0; k < n; k++)
        out[k] = c->tq[out[k]];
    sort_lpos(app, out, n);
    return n;
}
