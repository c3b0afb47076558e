/* components/implementation/tmrmgr/simple/tmrmgr.c: the timer manager: a
 * table of timers (one per task) in its own memory, armed by tasks and
 * expired by each core's timer thread, both through invocations
 * (components/interface/tmrmgr.h); it wakes a task with a send. */
#include "components/implementation/wl.h"    /* wl_tmrmgr_self, until step 2 */
#include "components/interface/tmrmgr.h"

/* ---- the timer manager component ------------------------------------------------------ */

/* TM_ARM (task, at, period): arm the task's timer; TM_EXPIRE (core, now):
 * wake the tasks whose timers are due (periodic ones re-arm).  Both return
 * the core's earliest armed timer (0: none).  The table is this
 * component's memory: every entry looked at is touched. */
static cos_word tm_serve(cos_thdid caller, cos_word op, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller;
    wl_tmrmgr *tm = wl_tmrmgr_self();
    if (tm == NULL)
        return 0;       /* not made by its booter: no table */
    uint64_t base = tm->base;
    unsigned core;
    if (op == TM_ARM) {
        if (a1 >= tm->ntasks)
            return 0;
        core = tm->task_core[a1];
        tm->arms++;
        cos_touch(base + a1 * 32, 32, true);
        tm->t[a1].at = a2;
        tm->t[a1].period = a3;
        tm->t[a1].armed = true;
        cos_instructions(WL_TM_BASE);
        cos_touch(base + wl_tmrmgr_next_off(tm->ntasks) + core * 8, 8, true);
        if (tm->next[core] == 0 || a2 < tm->next[core])
            tm->next[core] = a2;
        return tm->next[core];
    }
    if (op != TM_EXPIRE || a1 >= tm->ncores)
        return 0;
    core = (unsigned)a1;
    uint64_t next = 0;
    unsigned n = 0, ndue = 0;
    for (unsigned i = 0; i < tm->ntasks; i++) {
        if (tm->task_core[i] != core || tm->asnd[i] == 0)
            continue;
        n++;
        cos_touch(base + i * 32, 32, false);
        if (!tm->t[i].armed)
            continue;
        if (tm->t[i].at <= a2) {
            tm->expirations++;
            tm->t[i].fired = true;      /* each task's entry is its core's: no other core's expiry reads it */
            ndue++;
            if (tm->t[i].period) {
                while (tm->t[i].at <= a2)
                    tm->t[i].at += tm->t[i].period;
            } else {
                tm->t[i].armed = false;
            }
            cos_touch(base + i * 32, 32, true);
        }
        if (tm->t[i].armed && (next == 0 || tm->t[i].at < next))
            next = tm->t[i].at;
    }
    cos_instructions(WL_TM_BASE + WL_TM_PER * n);
    cos_touch(base + wl_tmrmgr_next_off(tm->ntasks) + core * 8, 8, true);
    tm->next[core] = next;
    /* the wake-ups last: a woken task may preempt this thread here (and
     * invoke the manager itself), so the table is consistent first */
    for (unsigned i = 0; i < tm->ntasks && ndue; i++) {
        if (tm->task_core[i] != core || !tm->t[i].fired)
            continue;
        tm->t[i].fired = false;
        ndue--;
        cos_err e = cos_asnd(tm->asnd[i], false);
        if (e)
            COS_FAIL(&tm->fail, e);
        else
            tm->wakeups++;
    }
    return next;
}

static const cos_entry_fn timer_entries[] = { tm_serve };
const cos_image cos_image_wl_timer = { "wl-timer", timer_entries, 1 };
