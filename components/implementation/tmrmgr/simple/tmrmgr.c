/* components/implementation/tmrmgr/simple/tmrmgr.c: the timer manager: a
 * table of timers (one per task) in its own memory, armed by tasks and
 * expired by each core's timer thread, both through invocations
 * (components/interface/tmrmgr.h); it wakes a task with a send. */
#include "components/implementation/wl.h"

/* ---- the timer manager component ------------------------------------------------------ */

/* TM_ARM (task, at, period): arm the task's timer; TM_EXPIRE (core, now):
 * wake the tasks whose timers are due (periodic ones re-arm).  Both return
 * the core's earliest armed timer (0: none).  The table is this
 * component's memory: every entry looked at is touched. */
static cos_word tm_serve(cos_thdid caller, cos_word op, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller;
    wl_desc *w = wl_self();
    uint64_t base = w->rt.timer.base;
    unsigned core;
    if (op == TM_ARM) {
        if (a1 >= w->ntasks)
            return 0;
        core = w->task[a1].core;
        w->tm.arms++;
        cos_touch(base + a1 * 32, 32, true);
        w->rt.tm[a1].at = a2;
        w->rt.tm[a1].period = a3;
        w->rt.tm[a1].armed = true;
        cos_instructions(WL_TM_BASE);
        cos_touch(base + WL_TASKS * 32 + core * 8, 8, true);
        if (w->rt.tm_next[core] == 0 || a2 < w->rt.tm_next[core])
            w->rt.tm_next[core] = a2;
        return w->rt.tm_next[core];
    }
    if (op != TM_EXPIRE || a1 >= w->ncores)
        return 0;
    core = (unsigned)a1;
    uint64_t next = 0;
    unsigned n = 0, ndue = 0;
    uint16_t due[WL_TASKS];
    for (unsigned i = 0; i < w->ntasks; i++) {
        if (w->task[i].core != core || w->rt.tm_asnd[i] == 0)
            continue;
        n++;
        cos_touch(base + i * 32, 32, false);
        if (!w->rt.tm[i].armed)
            continue;
        if (w->rt.tm[i].at <= a2) {
            w->tm.expirations++;
            due[ndue++] = (uint16_t)i;
            if (w->rt.tm[i].period) {
                while (w->rt.tm[i].at <= a2)
                    w->rt.tm[i].at += w->rt.tm[i].period;
            } else {
                w->rt.tm[i].armed = false;
            }
            cos_touch(base + i * 32, 32, true);
        }
        if (w->rt.tm[i].armed && (next == 0 || w->rt.tm[i].at < next))
            next = w->rt.tm[i].at;
    }
    cos_instructions(WL_TM_BASE + WL_TM_PER * n);
    cos_touch(base + WL_TASKS * 32 + core * 8, 8, true);
    w->rt.tm_next[core] = next;
    /* the wake-ups last: a woken task may preempt this thread here (and
     * invoke the manager itself), so the table is consistent first */
    for (unsigned k = 0; k < ndue; k++) {
        cos_err e = cos_asnd(w->rt.tm_asnd[due[k]], false);
        if (e)
            WL_FAIL(w, e);
        else
            w->tm.wakeups++;
    }
    return next;
}

static const cos_entry_fn timer_entries[] = { tm_serve };
const cos_image cos_image_wl_timer = { "wl-timer", timer_entries, 1 };
