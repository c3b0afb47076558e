/* components/implementation/app/workload/memlib.c: the library memory
 * manager (system{memory = { library = true }}): the exokernel's way of
 * managing memory, in the app component itself.  The kernel only
 * protects: the booter gives the app a kmem capability for the pool and
 * its own page-table capability (the secure bindings), each task's heap
 * owns a fixed share of the pool, and the library retypes (the kernel
 * zeroes), maps and unmaps its pages with no other component on the path.
 * A revocation is visible: a task asks another's library for pages back
 * (revoke), the library gives them at its next answer, and a revocation
 * still standing at an abort loses the library every page it holds (the
 * abort protocol: its bindings broken by force; its next touch faults).
 * The library's own code is charged as the manager's (WL_MM_BASE a call,
 * WL_MM_PAGE a page); its records are not touched through the caches. */
#include "components/implementation/wl.h"

/* Heap h's page k: map it, retyping it first if it is not the library's
 * user memory (never used, or taken back by an abort: retyped back to
 * untyped, which the kernel refuses within the quiescence period). */
static bool lib_alloc_one(wl_app *app, unsigned h)
{
    wl_lib *l = &app->lib;
    unsigned k = l->held[h], p = h * l->quota + k;
    if (k >= l->quota)
        return false;
    cos_instructions(WL_MM_PAGE);
    if (l->state[p] == WL_LIB_TAKEN) {
        cos_err e = cos_kmem_retype(l->kmem, p, COS_MEM_USER, COS_MEM_UNTYPED);
        if (e == COS_EQUIESCE) {
            l->reuse_waits++;
            return false;
        }
        if (e) {
            COS_FAIL(&app->fail, e);
            return false;
        }
        l->state[p] = WL_LIB_UNTYPED;
    }
    if (l->state[p] == WL_LIB_UNTYPED) {
        cos_err e = cos_kmem_retype(l->kmem, p, COS_MEM_UNTYPED, COS_MEM_USER);
        if (e) {
            COS_FAIL(&app->fail, e);
            return false;
        }
        l->zeroed++;
        l->state[p] = WL_LIB_OWNED;
    }
    cos_err e = cos_pgtbl_map(l->pgtbl, wl_heap_va(app->heap_base, h, k), l->kmem, p, COS_MAP_WRITE);
    if (e) {
        COS_FAIL(&app->fail, e);
        return false;
    }
    l->state[p] = WL_LIB_MAPPED;
    l->held[h] = k + 1;
    l->allocated++;
    return true;
}

/* Unmap heap h's last page: it stays the library's (owned: mapped again
 * with no zeroing), or, forced (an abort), is taken back. */
static void lib_unmap_one(wl_app *app, unsigned h, bool forced)
{
    wl_lib *l = &app->lib;
    unsigned k = l->held[h] - 1, p = h * l->quota + k;
    cos_instructions(WL_MM_PAGE);
    cos_ret r;
    while ((r = cos_pgtbl_unmap(l->pgtbl, wl_heap_va(app->heap_base, h, k))).err == COS_EBUSY)
        cos_compute(WL_MM_RETRY);
    if (r.err) {
        COS_FAIL(&app->fail, r.err);
        return;
    }
    l->shootdowns += r.r[0];
    l->held[h] = k;
    l->state[p] = forced ? WL_LIB_TAKEN : WL_LIB_OWNED;
}

/* A client's timing, as wl_mem_op's for the manager. */
static void lib_timed(wl_app *app, bool alloc, uint64_t dt, uint64_t pages)
{
    if (pages == 0)
        return;
    wl_clients *m = &app->cl;
    uint64_t *n = alloc ? &m->alloc_n : &m->free_n, *sum = alloc ? &m->alloc_sum : &m->free_sum,
             *max = alloc ? &m->alloc_max : &m->free_max;
    *n += pages;
    *sum += dt;
    if (dt / pages > *max)
        *max = dt / pages;
}

/* Abort: every page heap h holds unmapped and taken back. */
static unsigned lib_abort(wl_app *app, unsigned h)
{
    wl_lib *l = &app->lib;
    unsigned n = 0;
    for (; l->held[h]; n++)
        lib_unmap_one(app, h, true);
    l->asked[h] = false;
    l->aborts++;
    l->taken += n;
    return n;
}

/* alloc, free, revoke (ask), answer and abort, as the library does them.
 * An op makes several system calls, and a thread of higher priority (or on
 * another core) may run between two of them: one op per heap at a time
 * (`busy`); an op that finds another in progress on its heap does nothing,
 * except an abort, which is left to that op and carried out before it
 * returns (as the manager does with a revocation).  Each decision is taken
 * between two calls into the kernel, where no other thread runs. */
void wl_lib_op(wl_app *app, wl_rt_thd *me, const wl_op *op)
{
    wl_lib *l = &app->lib;
    unsigned task = op->kind == WL_REVOKE || op->kind == WL_ABORT ? op->target : me->idx;
    unsigned h = app->task[task].heap - 1, done = 0;
    uint64_t t0 = cos_cycles();
    cos_instructions(WL_MM_BASE);
    if (op->kind == WL_REVOKE) {
        /* an ask changes no page: it needs no turn */
        if (!l->asked[h]) {
            l->asked[h] = true;
            l->want[h] = (unsigned)op->a;
            l->requests++;
        }
        wl_trace(app, WL_TK_MM, (int64_t)task, MM_REVOKE, 0);
        return;
    }
    if (l->busy[h]) {
        if (op->kind == WL_ABORT && l->asked[h])
            l->abort_due[h] = true;
        else if (op->kind == WL_ALLOC)
            l->denied += op->a;
        return;
    }
    l->busy[h] = true;
    switch (op->kind) {
    case WL_ALLOC:
        while (done < op->a && lib_alloc_one(app, h))
            done++;
        l->denied += op->a - done;
        lib_timed(app, true, cos_cycles() - t0, done);
        break;
    case WL_FREE: {
        unsigned want = op->a && op->a < l->held[h] ? (unsigned)op->a : l->held[h];
        for (; done < want; done++)
            lib_unmap_one(app, h, false);
        l->freed += done;
        lib_timed(app, false, cos_cycles() - t0, done);
        break;
    }
    case WL_ANSWER:
        if (l->asked[h]) {
            unsigned want = l->want[h] && l->want[h] < l->held[h] ? l->want[h] : l->held[h];
            for (; done < want; done++)
                lib_unmap_one(app, h, true);
            l->asked[h] = false;
            l->answered++;
            l->given += done;
        }
        break;
    case WL_ABORT:
        if (l->asked[h])
            done = lib_abort(app, h);
        break;
    default:
        break;
    }
    while (l->abort_due[h]) {
        l->abort_due[h] = false;
        if (l->asked[h])
            lib_abort(app, h);
    }
    l->busy[h] = false;
    static const uint8_t code[WL_OPKINDS] = { [WL_ALLOC] = MM_ALLOC, [WL_FREE] = MM_FREE, [WL_REVOKE] = MM_REVOKE,
                                              [WL_ANSWER] = 3, [WL_ABORT] = 4 };
    wl_trace(app, WL_TK_MM, (int64_t)task, code[op->kind], (int64_t)done);
}
