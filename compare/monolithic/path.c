/* compare/monolithic/path.c: what the monolithic kernel's code and data
 * cost on a path (internal.h), in the manner of kernel/path.c: a step
 * charges its instructions times the core's cpi and fetches its text lines
 * through the instruction cache (not on a machine whose fetch is inside
 * its cpi); an access pays what the memory system answers beyond an L1
 * hit; a spinlock is an atomic read-modify-write on its line.
 *
 * The instruction counts are HAND COUNTS, provisional: x86-64 instructions
 * of this folder's C paths, counted by reading the C (one per load, store,
 * compare, branch, ALU operation and call), the same row for every ISA.
 * They are not counted from compiled code as kernel/path_counts.h is (no
 * freestanding twins of these paths exist yet), and they are this
 * kernel's lean paths, not Linux's (docs/compare.md says what that leaves
 * out).  None was chosen to meet a published figure.  The text of a step
 * is taken as 4 bytes an instruction (x86-64's typical length), each step
 * starting on its own 64-byte line.
 */
#include "internal.h"

static const uint64_t step_counts[MS_STEPS] = {
    /* entry stub: swapgs and stack switch (3), 21 words of pt_regs pushed,
     * the syscall number checked and the table's call (6), the work flags
     * read (2) */
    [MS_ENTRY] = 32,
    /* exit: work flags (4), 21 words popped, stack, swapgs, sysret (3) */
    [MS_EXIT] = 28,
    /* interrupt stub: the registers saved (21), the vector read and its
     * handler called (6), the EOI write (3) */
    [MS_IRQ] = 30,
    /* scheduler_ipi: the need-resched flag tested and set, return */
    [MS_IPI] = 8,
    /* the hard handler: descriptor load, pending++, waiting test, the
     * wakeup call's arguments */
    [MS_IRQ_HARD] = 20,
    /* sys_sched_yield: the flag set and schedule() called */
    [MS_YIELD] = 6,
    /* schedule(): preemption count, prev's state tested, prev put back
     * (state, level, link: 8), the bitmap's highest bit, the level's head
     * dequeued (links, tail, count, bitmap bit: 12), rq->curr, the flag
     * cleared, the same-task test (~45) */
    [MS_SCHED] = 45,
    /* switch_to: 6 callee-saved registers and the stack pointer stored,
     * 7 loaded, prev and next bookkeeping and the return (~30) */
    [MS_SWITCH] = 30,
    /* switch_mm: next's mm, root and ASID loaded, the ASID's owner tested
     * and written, CR3 composed (root | PCID | no-flush bit) (~20) */
    [MS_SWITCH_MM] = 20,
    /* try_to_wake_up: state tested, its core's rq chosen, state set, the
     * tail linked (tail, link, head-if-empty, bitmap, nr: 12), rq->curr's
     * priority compared, the flag or the IPI decided (~40) */
    [MS_WAKE] = 40,
    /* raw_spin_lock: preempt count, the locked cmpxchg and its test */
    [MS_LOCK] = 6,
    [MS_UNLOCK] = 4,
    /* pipe_write: the pipe looked up and checked (id, length, user range,
     * readers, room: 20), head/tail arithmetic and the ring's split (15),
     * tail stored, the waiting reader tested (~50 with the calls) */
    [MS_PIPE_WRITE] = 50,
    [MS_PIPE_READ] = 45,
    /* one 64-byte line copied: 8 loads, 8 stores, the loop (2) */
    [MS_COPY_LINE] = 18,
    [MS_CLOSE] = 20,
    /* futex_wait: key (mm, address), hash, bucket lock's call, the user
     * word read and compared, queued, state set (~55) */
    [MS_FUTEX_WAIT] = 55,
    [MS_FUTEX_WAKE] = 40,
    /* one waiter of a bucket compared with the key, unlinked if it matches */
    [MS_FUTEX_WALK] = 8,
    [MS_IRQ_WAIT] = 20,
    [MS_EXIT_THREAD] = 30,
};

void mono_path_init(mono *k)
{
    uint64_t off = 0;
    for (unsigned i = 0; i < MS_STEPS; i++) {
        g_assert(step_counts[i] > 0);
        k->step_instr[i] = step_counts[i];
        k->text_len[i] = 4 * step_counts[i];
        k->text_off[i] = off;
        off += (k->text_len[i] + MONO_LINE - 1) & ~(uint64_t)(MONO_LINE - 1);
    }
    k->text = mono_alloc(k, off, 4096);
}

void mono_step_run(mono_core *c, mono_step s)
{
    mono *k = c->k;
    hw *h = k->h;
    c->cycles += hw_instructions(h, k->step_instr[s]);
    if (hw_fetch_in_cpi(h))
        return;
    c->cycles += hw_access(h, c->id, k->text + k->text_off[s], k->text_len[s], HWMEM_FETCH,
                           c->now + hw_ps(h, c->cycles));
}

void mono_touch(mono_core *c, uint64_t paddr, uint64_t len, bool write)
{
    hw *h = c->k->h;
    const hwmem_config *mc = &h->cfg.mem;
    uint64_t ls = mc->has_l1 ? mc->l1d.line : 64;
    uint64_t hit = mc->has_l1 ? mc->l1d.hit_cycles : 0;
    for (uint64_t a = paddr & ~(ls - 1); a < paddr + len; a += ls) {
        uint64_t cost = hw_access(h, c->id, a, 1, write ? HWMEM_WRITE : HWMEM_READ, c->now + hw_ps(h, c->cycles));
        c->cycles += cost > hit ? cost - hit : 0;
    }
}

void mono_lock(mono_core *c, uint64_t lock)
{
    mono_step_run(c, MS_LOCK);
    mono_arch(c, hw_cost(c->k->h, MODEL_COST_ATOMIC_RMW));
    mono_touch(c, lock, 4, true);
    uint32_t *l = mono_ram(c->k, lock);
    g_assert(*l == 0);      /* paths are not preemptible and never nest a lock */
    *l = 1;
}

void mono_unlock(mono_core *c, uint64_t lock)
{
    mono_step_run(c, MS_UNLOCK);
    mono_touch(c, lock, 4, true);
    uint32_t *l = mono_ram(c->k, lock);
    g_assert(*l == 1);
    *l = 0;
}

bool mono_user_translate(mono_core *c, uint64_t vaddr, bool write, uint64_t *paddr)
{
    hw *h = c->k->h;
    hwpt_result r;
    uint64_t w = hw_translate(h, c->id, vaddr, (write ? HWPT_ACC_WRITE : 0) | HWPT_ACC_USER,
                              c->now + hw_ps(h, c->cycles), &r);
    c->cycles += w;
    if (r.fault.kind != HWPT_OK)
        return false;
    *paddr = r.paddr;
    return true;
}

uint64_t mono_alloc(mono *k, uint64_t bytes, uint64_t align)
{
    uint64_t a = (k->brk + align - 1) & ~(align - 1);
    if (a + bytes > k->mem_end || a + bytes < a)
        return 0;
    k->brk = a + bytes;
    return a;
}
