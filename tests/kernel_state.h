/* tests/kernel_state.h: a fingerprint of the kernel's state, to check that
 * a refused system call changed nothing (decode, then invoke: every check
 * comes before the first change, docs/kernel-design.md).
 *
 *   kst before, after;
 *   kst_take(k, core, &before);
 *   cos_ret r = cos_call(...);            // from user code on `core`
 *   kst_take(k, core, &after);
 *   if (r.err && after.paths == before.paths + 1) assert(kst_same(&before, &after));
 *
 * The fingerprint covers every page that is not untyped (kernel objects,
 * capability tables, page-table pools, the retype table, user memory), the
 * kernel's host-side counters that a call may advance (ASIDs, component
 * ids, threads), the rows of the trace's events table and the kernel paths
 * run.  Every kernel path charges the time since the last one to the
 * running thread and tcap and may re-arm the core's timer, so the caller's
 * ev_cycles, its tcap's budget and the core's timer word are left out.
 * Only meaningful when no other kernel path ran in between (paths + 1), and
 * a refused call leaves one k.error event (events + 1).
 *
 * Reads simulated memory directly: a test's view, at no simulated cost.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "kernel/internal.h"

typedef struct kst {
    uint64_t mem;           /* hash of every typed page, the masked words as 0 */
    uint64_t events;        /* rows of the trace's events table */
    uint64_t paths;         /* kernel paths run, over all kinds */
    uint32_t next_asid, next_comp_id;
    unsigned threads;
} kst;

static inline uint64_t kst_mix(uint64_t h, uint64_t w)
{
    h ^= w + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
    return h * UINT64_C(0xbf58476d1ce4e5b9);
}

static inline void kst_take(k_kernel *k, unsigned core, kst *out)
{
    k_core *c = &k->core[core];
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    /* the words every kernel path may write (kernel/tcap.c k_tcap_account,
     * core.c arm_timer), zeroed while hashing and put back */
    uint64_t *mask[3] = { &co->timer_at, NULL, NULL };
    if (co->cur_thd)
        mask[1] = &K_OBJ(k, k_thd_o, co->cur_thd)->ev_cycles;
    if (co->cur_tcap)
        mask[2] = &K_OBJ(k, k_tcap_o, co->cur_tcap)->budget;
    uint64_t saved[3];
    for (int i = 0; i < 3; i++)
        if (mask[i]) {
            saved[i] = *mask[i];
            *mask[i] = 0;
        }
    uint64_t h = 0;
    for (uint64_t a = k_mem_next_typed(&k->mem, 0); a < k->mem.npages * COS_PAGE_SIZE;
         a = k_mem_next_typed(&k->mem, a + COS_PAGE_SIZE)) {
        uint64_t p = a / COS_PAGE_SIZE;
        /* a weighted sum (odd weights: any one changed word changes it;
         * vectorises, which matters at one fingerprint per fuzzed call) */
        const uint64_t *w = k_ram(k, a);
        uint64_t base = p * (COS_PAGE_SIZE / 8), s = 0;
        for (unsigned i = 0; i < COS_PAGE_SIZE / 8; i++)
            s += w[i] * (2 * (base + i) + 1);
        h = kst_mix(h, s);
    }
    for (int i = 0; i < 3; i++)
        if (mask[i])
            *mask[i] = saved[i];
    out->mem = h;
    out->events = simtr_rows(k->s->t_events);
    out->paths = 0;
    for (unsigned kind = 0; kind < K_PATHS; kind++)
        out->paths += k_get_path_stats(k, kind)->n;
    out->next_asid = k->next_asid;
    out->next_comp_id = k->next_comp_id;
    out->threads = k->threads->len;
}

/* After a refused call and nothing else: all as before, one k.error event. */
static inline bool kst_refused_unchanged(const kst *before, const kst *after)
{
    return after->mem == before->mem && after->events == before->events + 1 && after->next_asid == before->next_asid
           && after->next_comp_id == before->next_comp_id && after->threads == before->threads;
}
