/* kernel/path.c: what kernel code costs to run (see internal.h), and what
 * the kernel's paths cost over a run (kernel.h: k_get_path_stats, the
 * `kernel_paths` trace table).
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
#include "sim/trace_names.h"

#include <string.h>

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
    /* the time of each line: the path's start and its cycles so far, which
     * only a stall moves (converted again only then) */
    uint64_t at_cycles = c->cycles;
    sim_time_t at = c->now + hw_ps(h, at_cycles);
    for (uint64_t a = paddr & ~(ls - 1); a < paddr + len; a += ls) {
        if (c->cycles != at_cycles)
            at_cycles = c->cycles, at = c->now + hw_ps(h, at_cycles);
        uint64_t cost = hw_access(h, c->id, a, 1, write ? HWMEM_WRITE : HWMEM_READ, at);
        /* an L1 hit is inside the instruction's cpi; what the path waits
         * for is the stall beyond it */
        c->cycles += cost > hit ? cost - hit : 0;
    }
}

/* ---- per kind of path, over the run (kernel.h) ------------------------------------- */

const k_path_stats *k_get_path_stats(const k_kernel *k, unsigned kind)
{
    g_assert(kind < K_PATHS);
    return &k->paths[kind];
}

const char *k_path_name(unsigned kind)
{
    static const char *const names[K_PATHS] = {
        [0] = "bad-op",
        [COS_OP_SINV] = "sinv", [COS_OP_ASND] = "asnd", [COS_OP_RCV] = "rcv", [COS_OP_ASND_RCV] = "asnd_rcv",
        [COS_OP_SCHED_RCV] = "sched_rcv", [COS_OP_THD_SWITCH] = "thd_switch",
        [COS_OP_TCAP_TRANSFER] = "tcap_transfer", [COS_OP_TCAP_DELEGATE] = "tcap_delegate",
        [COS_OP_TCAP_MERGE] = "tcap_merge", [COS_OP_CAP_COPY] = "cap_copy", [COS_OP_CAP_REMOVE] = "cap_remove",
        [COS_OP_KMEM_NARROW] = "kmem_narrow", [COS_OP_KMEM_RETYPE] = "kmem_retype",
        [COS_OP_CAPTBL_EXPAND] = "captbl_expand", [COS_OP_CAPTBL_ALLOC] = "captbl_alloc",
        [COS_OP_PGTBL_ALLOC] = "pgtbl_alloc", [COS_OP_COMP_ALLOC] = "comp_alloc", [COS_OP_THD_ALLOC] = "thd_alloc",
        [COS_OP_SINV_ALLOC] = "sinv_alloc", [COS_OP_RCV_ALLOC] = "rcv_alloc", [COS_OP_ASND_ALLOC] = "asnd_alloc",
        [COS_OP_TCAP_ALLOC] = "tcap_alloc", [COS_OP_PGTBL_MAP] = "pgtbl_map", [COS_OP_MPU_REGION] = "mpu_region",
        [COS_OP_HW_ATTACH] = "hw_attach", [COS_OP_HW_DETACH] = "hw_detach", [COS_OP_HW_FLUSH] = "hw_flush",
        [COS_OP_TCAP_BUDGET] = "tcap_budget", [COS_OP_PGTBL_UNMAP] = "pgtbl_unmap",
        [COS_OP_KMEM_INFO] = "kmem_info",
        [K_PATH_SRET] = "sret", [K_PATH_IRQ] = "irq", [K_PATH_FAULT] = "fault", [K_PATH_EXIT] = "exit",
    };
    return kind < K_PATHS && names[kind] ? names[kind] : "?";
}

void k_write_paths(k_kernel *k)
{
    static const simtr_column cols[] = {
        { "first_core", SIMTR_INT, true }, { "path", SIMTR_TEXT, true },      { "n", SIMTR_INT, true },
        { "cycles", SIMTR_INT, true },     { "max_cycles", SIMTR_INT, true }, { "arch", SIMTR_INT, true },
        { "instructions", SIMTR_INT, true }, { "fetch", SIMTR_INT, true },    { "data", SIMTR_INT, true },
        { "accesses", SIMTR_INT, true },
    };
    simtr_table *tb = simtr_find(k->s->trace, TRN_KERNEL_PATHS);
    if (tb == NULL)
        tb = simtr_define(k->s->trace, TRN_KERNEL_PATHS, cols, G_N_ELEMENTS(cols));
    for (unsigned kind = 0; kind < K_PATHS; kind++) {
        const k_path_stats *p = &k->paths[kind];
        if (strcmp(k_path_name(kind), "?") == 0)
            continue;       /* every named path, those that never ran too */
        simtr_begin(tb);
        simtr_int(tb, k->h->core_base);
        simtr_text(tb, k_path_name(kind), -1);
        simtr_int(tb, (int64_t)p->n);
        simtr_int(tb, (int64_t)p->cycles);
        simtr_int(tb, (int64_t)p->max);
        simtr_int(tb, (int64_t)p->arch);
        simtr_int(tb, (int64_t)p->instructions);
        simtr_int(tb, (int64_t)p->fetch);
        simtr_int(tb, (int64_t)p->data);
        simtr_int(tb, (int64_t)p->accesses);
        simtr_end(tb);
    }
}
