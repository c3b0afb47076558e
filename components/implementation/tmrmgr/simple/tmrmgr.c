/* components/implementation/tmrmgr/simple/tmrmgr.c: the timer manager: a
 * table of timers (one per task) and a heap of the armed ones per core in
 * its own memory, armed by tasks and expired by each core's timer thread, both through invocations
 * (components/interface/tmrmgr.h); it wakes a task with a send. */
#include "components/implementation/wl.h"    /* wl_tmrmgr_self, until step 2 */
#include "components/interface/tmrmgr.h"
#include "components/lib/cost.h"

/* ---- each core's heap of armed timers ---------------------------------------------------- *
 * Earliest expiry first, ties to the lower task number.  What it costs
 * (the component's code): WL_TM_BASE instructions an operation and
 * WL_TM_LEVEL per heap level it walks; it reads the row of every timer it
 * compares and writes the rows it changes and the heap entries it moves (4
 * bytes each), all in its own memory through the caches. */

static void cost_row(const wl_tmrmgr *tm, cos_cost *q, uint32_t i)
{
    cos_cost_read(q, tm->base + (uint64_t)i * 32);
}

/* A write of task i's row (its timer changed). */
static void cost_row_write(const wl_tmrmgr *tm, cos_cost *q, uint32_t i)
{
    cos_cost_write(q, tm->base + (uint64_t)i * 32);
}

static bool earlier(const wl_tmrmgr *tm, uint32_t a, uint32_t b, cos_cost *q)
{
    cost_row(tm, q, a);
    cost_row(tm, q, b);
    return tm->t[a].at < tm->t[b].at || (tm->t[a].at == tm->t[b].at && a < b);
}

/* Entry k of core c's heap holds task i. */
static void put(wl_tmrmgr *tm, unsigned c, unsigned k, uint32_t i, cos_cost *q)
{
    tm->heap[tm->hoff[c] + k] = i;
    tm->hpos[i] = k + 1;
    cos_cost_write(q, tm->base + wl_tmrmgr_heap_off(tm->ntasks, tm->ncores) + (uint64_t)(tm->hoff[c] + k) * 4);
}

static void sift(wl_tmrmgr *tm, unsigned c, unsigned k, cos_cost *q)
{
    uint32_t *h = tm->heap + tm->hoff[c];
    uint32_t i = h[k];
    while (k > 0 && (q->levels++, earlier(tm, i, h[(k - 1) / 2], q))) {
        put(tm, c, k, h[(k - 1) / 2], q);
        k = (k - 1) / 2;
    }
    for (;;) {
        unsigned l = 2 * k + 1, best = k;
        uint32_t bi = i;
        if (l >= tm->hn[c])
            break;
        q->levels++;
        if (earlier(tm, h[l], bi, q))
            best = l, bi = h[l];
        if (l + 1 < tm->hn[c] && earlier(tm, h[l + 1], bi, q))
            best = l + 1, bi = h[l + 1];
        if (best == k)
            break;
        put(tm, c, k, bi, q);
        k = best;
    }
    put(tm, c, k, i, q);
}

/* Task i's timer (armed or not) at its place in core c's heap. */
static void place(wl_tmrmgr *tm, unsigned c, uint32_t i, cos_cost *q)
{
    if (tm->hpos[i] == 0) {
        if (!tm->t[i].armed)
            return;
        tm->heap[tm->hoff[c] + tm->hn[c]] = i;
        sift(tm, c, tm->hn[c]++, q);
        return;
    }
    unsigned k = tm->hpos[i] - 1;
    if (tm->t[i].armed) {
        sift(tm, c, k, q);
        return;
    }
    tm->hpos[i] = 0;        /* out: the last one takes its place */
    uint32_t last = tm->heap[tm->hoff[c] + --tm->hn[c]];
    if (k < tm->hn[c]) {
        put(tm, c, k, last, q);
        sift(tm, c, k, q);
    }
}

/* The core's earliest, in its word of the manager's memory. */
static uint64_t set_next(wl_tmrmgr *tm, unsigned c, cos_cost *q)
{
    tm->next[c] = tm->hn[c] ? tm->t[tm->heap[tm->hoff[c]]].at : 0;
    cos_cost_write(q, tm->base + wl_tmrmgr_next_off(tm->ntasks) + (uint64_t)c * 8);
    return tm->next[c];
}

static void charge(wl_tmrmgr *tm, cos_cost *q)
{
    cos_err e = cos_cost_charge(q, WL_TM_BASE, WL_TM_LEVEL);
    if (e)
        COS_FAIL(&tm->fail, e);
}

/* ---- the timer manager component ------------------------------------------------------ */

/* TM_ARM (task, at, period): arm the task's timer; TM_EXPIRE (core, now):
 * wake the tasks whose timers are due (periodic ones re-arm), in the order
 * of their expiry.  Both return the core's earliest armed timer (0: none). */
static cos_word tm_serve(cos_thdid caller, cos_word op, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller;
    wl_tmrmgr *tm = wl_tmrmgr_self();
    if (tm == NULL)
        return 0;       /* not made by its booter: no table */
    cos_cost q = { 0 };
    if (op == TM_ARM) {
        if (a1 >= tm->ntasks)
            return 0;
        unsigned core = tm->task_core[a1];
        tm->arms++;
        tm->t[a1] = (wl_tm_timer){ .at = a2, .period = a3, .armed = true };
        cost_row_write(tm, &q, (uint32_t)a1);
        place(tm, core, (uint32_t)a1, &q);
        uint64_t next = set_next(tm, core, &q);
        charge(tm, &q);
        return next;
    }
    if (op != TM_EXPIRE || a1 >= tm->ncores)
        return 0;
    unsigned core = (unsigned)a1;
    uint32_t *due = tm->due + tm->hoff[core];
    unsigned ndue = 0;
    while (tm->hn[core] && tm->t[tm->heap[tm->hoff[core]]].at <= a2) {
        uint32_t i = tm->heap[tm->hoff[core]];
        wl_tm_timer *t = &tm->t[i];
        tm->expirations++;
        due[ndue++] = i;
        if (t->period) {
            while (t->at <= a2)
                t->at += t->period;
        } else {
            t->armed = false;
        }
        cost_row_write(tm, &q, i);
        place(tm, core, i, &q);
    }
    uint64_t next = set_next(tm, core, &q);
    charge(tm, &q);
    /* the wake-ups last: a woken task may preempt this thread here (and
     * invoke the manager itself), so the heap is consistent first; only
     * this core's timer thread expires its timers, so `due` stays */
    for (unsigned k = 0; k < ndue; k++) {
        cos_err e = cos_asnd(tm->asnd[due[k]], false);
        if (e)
            COS_FAIL(&tm->fail, e);
        else
            tm->wakeups++;
    }
    return next;
}

static const cos_entry_fn timer_entries[] = { tm_serve };
const cos_image cos_image_wl_timer = { "wl-timer", timer_entries, 1 };
