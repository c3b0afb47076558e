/* kernel/path.c: what kernel code costs to run (see internal.h).
 *
 * Each step of a kernel path has an instruction count and a place in the
 * kernel's text.  Running a step charges its instructions times the core's
 * cpi (hw_instructions) and fetches its text lines through the core's
 * instruction cache: warm, the fetches hit (one fetch slot per line, the
 * presets' convention); cold, they miss and cost what the memory system
 * says.  Text is laid out step after step, each step starting on a 64-byte
 * boundary, at 4 bytes per instruction (ARM A32 and Thumb-2 mixes, and the
 * x86-64 kernel average, are all close to 4).
 *
 * The counts are estimates of this kernel's C paths compiled for a 64-bit
 * or 32-bit core, step by step (the comment says what the step does).
 * They are provisional figures of the kernel, not of a machine: they are
 * fitted together with each preset's cpi, and docs/calibration.md records
 * the fit.  A change here changes every kernel cost.
 */
#include "internal.h"

typedef struct step {
    const char *name;
    unsigned instructions;
} step;

static const step steps[K_P_STEPS] = {
    [K_P_ENTRY] = { "entry", 24 },      /* save the user registers the ABI clobbers, load the per-core
                                         * pointer, switch on the op */
    [K_P_EXIT] = { "exit", 16 },        /* restore, put the result in registers */
    [K_P_CAP] = { "cap", 10 },          /* split the id, two loads, type and epoch checks, bounds */
    [K_P_INV] = { "inv", 22 },          /* depth check, push (component, sp), read the server's
                                         * page-table root and ASID, set the entry pc and sp */
    [K_P_RET] = { "ret", 18 },          /* depth check, pop, switch back, restore sp */
    [K_P_SWITCH] = { "switch", 30 },    /* bookkeeping around one register-file save and one load
                                         * (the words themselves are charged as stores and loads) */
    [K_P_SEND] = { "send", 20 },        /* pending count, owner state test, wake-up */
    [K_P_RECV] = { "recv", 18 },        /* owner check, take pending or block */
    [K_P_EVENT] = { "event", 16 },      /* event flags, append to the scheduler's list, token */
    [K_P_TCAP] = { "tcap", 12 },        /* budget test, walk two sorted delegation lists */
    [K_P_TCAP_ENTRY] = { "tcap-entry", 4 },
    [K_P_ACCT] = { "acct", 14 },        /* read the cycle counter, subtract, charge the tcap */
    [K_P_DISPATCH] = { "dispatch", 20 },/* token check, target state, tcap budget, priority update */
    [K_P_IRQ] = { "irq", 20 },          /* acknowledge, look up the line's endpoint, end of interrupt */
    [K_P_IPI] = { "ipi", 16 },          /* ring slot, store, send the IPI */
    [K_P_MGMT] = { "mgmt", 40 },        /* object creation and capability management, per call */
    [K_P_FAULT] = { "fault", 30 },      /* decode the fault, make it an error for the thread */
    [K_P_REPAIR] = { "repair", 10 },    /* after a user-level dispatch: read the shared current-thread
                                         * word, compare, take the new thread as current */
};

static uint64_t text_off[K_P_STEPS];
static uint64_t text_len[K_P_STEPS];
static uint64_t text_total;

static void layout(void)
{
    /* pure function of the table: the same every time */
    uint64_t off = 0;
    for (unsigned i = 0; i < K_P_STEPS; i++) {
        text_off[i] = off;
        text_len[i] = (uint64_t)steps[i].instructions * 4;
        off += (text_len[i] + 63) & ~UINT64_C(63);
    }
    text_total = off;
}

uint64_t k_path_text_bytes(void)
{
    if (text_total == 0)
        layout();
    return text_total;
}

void k_path_init(k_kernel *k)
{
    (void)k;
    if (text_total == 0)
        layout();
}

void k_step(k_core *c, k_path_step s)
{
    hw *h = c->k->h;
    uint64_t in = hw_instructions(h, steps[s].instructions);
    c->cycles += in;
    c->p_instr += in;
    uint64_t f = hw_access(h, c->id, c->k->text + text_off[s], text_len[s], HWMEM_FETCH, c->now + hw_ps(h, c->cycles));
    c->cycles += f;
    c->p_fetch += f;
}

void k_touch(k_core *c, uint64_t paddr, uint64_t len, bool write)
{
    hw *h = c->k->h;
    const hwmem_config *mc = &h->cfg.mem;
    uint64_t ls = mc->has_l1 ? mc->l1d.line : 64;
    uint64_t hit = mc->has_l1 ? mc->l1d.hit_cycles : 0;
    c->p_accesses++;
    if (len == 0)
        return;
    for (uint64_t a = paddr & ~(ls - 1); a < paddr + len; a += ls) {
        uint64_t cost = hw_access(h, c->id, a, 1, write ? HWMEM_WRITE : HWMEM_READ, c->now + hw_ps(h, c->cycles));
        /* an L1 hit is inside the instruction's cpi; what the path waits
         * for is the stall beyond it */
        c->cycles += cost > hit ? cost - hit : 0;
    }
}
