/* kernel/trap.c: the user side of the kernel boundary (see trap.h).
 *
 * Nothing here costs simulated time by itself: a request costs what the
 * kernel path or the machine charges for it once the engine has it.
 * cos_report and the trace interface (cos_trace_kind, cos_trace_ev, cos_trace_table, cos_trace_row) are instrumentation of the simulator
 * and cost nothing at all.
 */
#include "trap.h"

/* The thread whose coroutine is running on this host thread (set only
 * around the switch into it).  Per host thread, so simulations on
 * different host threads do not meet. */
static __thread k_thread *k_self;

void k_trap_enter(k_kernel *k, k_thread *t)
{
    k_self = t;
    simctx_switch(k->host, t->ctx);
    k_self = NULL;
}

/* Into the kernel: back to the engine, which handles t->req. */
static void trap(k_thread *t)
{
    simctx_switch(t->ctx, t->k->host);
}

static k_thread *self(const char *what)
{
    k_thread *t = k_self;
    if (t == NULL)
        g_error("%s called outside a simulated thread", what);
    return t;
}

cos_ret cos_call(cos_op op, cos_capid cap, cos_word a0, cos_word a1, cos_word a2, cos_word a3, cos_word a4)
{
    k_thread *t = self("cos_call");
    t->req = K_REQ_CALL;
    t->op = op;
    t->cap = cap;
    t->a[0] = a0, t->a[1] = a1, t->a[2] = a2, t->a[3] = a3, t->a[4] = a4;
    trap(t);
    while (t->upcall) {
        /* an invocation: run the server's entry here, on this stack */
        t->upcall = false;
        cos_entry_fn fn = t->fn_up;
        cos_thdid caller = t->up_caller;
        cos_word u[4] = { t->up_a[0], t->up_a[1], t->up_a[2], t->up_a[3] };
        cos_word r = fn(caller, u[0], u[1], u[2], u[3]);
        t->req = K_REQ_SRET;
        t->a[0] = r;
        trap(t);
    }
    return t->ret;
}

void cos_compute(uint64_t cycles)
{
    k_thread *t = self("cos_compute");
    if (cycles == 0)
        return;
    t->req = K_REQ_COMPUTE;
    t->a[0] = cycles;
    trap(t);
}

static cos_err touch(k_thread *t, uint64_t vaddr, uint64_t len, bool write, uint64_t cycles)
{
    t->req = K_REQ_TOUCH;
    t->a[0] = vaddr, t->a[1] = len, t->a[2] = write, t->a[3] = cycles;
    trap(t);
    return t->ret.err;
}

cos_err cos_touch(uint64_t vaddr, uint64_t len, bool write)
{
    return touch(self("cos_touch"), vaddr, len, write, 0);
}

cos_err cos_touch_compute(uint64_t vaddr, uint64_t len, bool write, uint64_t cycles)
{
    return touch(self("cos_touch_compute"), vaddr, len, write, cycles);
}

cos_err cos_touch_words(const uint64_t *vaddrs, unsigned n, bool write)
{
    k_thread *t = self("cos_touch_words");
    if (n == 0)
        return COS_OK;
    if (vaddrs == NULL || n > COS_TOUCH_WORDS_MAX)
        return COS_EINVAL;
    t->req = K_REQ_TOUCHV;
    t->a[0] = (cos_word)(uintptr_t)vaddrs, t->a[1] = n, t->a[2] = write, t->a[3] = 0, t->a[4] = 0;
    trap(t);
    return t->ret.err;
}

cos_err cos_touch_words_rw(const uint64_t *vaddrs, unsigned n, unsigned nread, uint64_t instructions)
{
    k_thread *t = self("cos_touch_words_rw");
    if (n == 0) {
        cos_instructions(instructions);
        return COS_OK;
    }
    if (vaddrs == NULL || n > COS_TOUCH_WORDS_MAX || nread > n)
        return COS_EINVAL;
    t->req = K_REQ_TOUCHV;
    t->a[0] = (cos_word)(uintptr_t)vaddrs, t->a[1] = n, t->a[2] = false;
    t->a[3] = hw_instructions(t->k->h, instructions);
    t->a[4] = (cos_word)nread + 1;      /* mixed: the words from nread on are stores */
    trap(t);
    return t->ret.err;
}

cos_err cos_ul_switch(cos_capid thd)
{
    k_thread *t = self("cos_ul_switch");
    t->req = K_REQ_ULSWITCH;
    t->a[0] = thd;
    trap(t);
    return t->ret.err;
}

uint64_t cos_cycles(void)
{
    return k_cycles_now(self("cos_cycles")->k);
}

cos_thdid cos_thdid_self(void)
{
    return self("cos_thdid_self")->id;
}

unsigned cos_core(void)
{
    return self("cos_core")->core;
}

void cos_instructions(uint64_t n)
{
    k_thread *t = self("cos_instructions");
    cos_compute(hw_instructions(t->k->h, n));
}

/* ---- instrumentation: reports, trace events, jobs ---------------------------------- */

void cos_report(const char *key, int64_t value)
{
    k_thread *t = self("cos_report");
    k_report r = { .key = g_strdup(key ? key : ""), .value = value, .at = sim_now(t->k->s), .thread = t->id };
    g_array_append_val(t->k->reports, r);
}

/* User event kinds are numbered from 1 by name (k->ukinds: name -> index
 * into k->ukind, + 1); the trace's own kind is taken at the first event of
 * the kind, so that kinds no one records never appear. */
cos_tkind cos_trace_kind(const char *name)
{
    k_thread *t = self("cos_trace_kind");
    k_kernel *k = t->k;
    if (name == NULL || *name == 0 || strlen(name) > 64)
        return 0;
    gpointer v = g_hash_table_lookup(k->ukinds, name);
    if (v)
        return GPOINTER_TO_UINT(v);
    k_ukind u = { .name = g_strdup(name), .sim_kind = UINT32_MAX };
    g_array_append_val(k->ukind, u);
    g_hash_table_insert(k->ukinds, g_strdup(name), GUINT_TO_POINTER(k->ukind->len));
    return k->ukind->len;
}

void cos_trace_ev(cos_tkind kind, int64_t a0, int64_t a1, int64_t a2)
{
    k_thread *t = self("cos_trace_ev");
    k_kernel *k = t->k;
    if (!k->cfg.trace || kind == 0 || kind > k->ukind->len)
        return;
    k_ukind *u = &g_array_index(k->ukind, k_ukind, kind - 1);
    if (u->sim_kind == UINT32_MAX)
        u->sim_kind = sim_kind(k->s, u->name);
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    sim_event(k->s, u->sim_kind, (int64_t)k->h->core_base + t->core, t->id, K_OBJ(k, k_comp_o, th->comp)->id, a0,
              a1, a2, NULL);
}

uint32_t cos_trace_table(const char *name, const cos_tcol *cols, unsigned ncols)
{
    k_thread *t = self("cos_trace_table");
    k_kernel *k = t->k;
    if (name == NULL || cols == NULL || ncols == 0 || ncols > COS_TCOLS_MAX)
        return 0;
    for (guint i = 0; i < k->utables->len; i++)
        if (strcmp(g_array_index(k->utables, k_utable, i).name, name) == 0)
            return i + 1;
    k_utable u = { .name = g_strdup(name), .ncols = ncols };
    simtr_column sc[COS_TCOLS_MAX];
    for (unsigned c = 0; c < ncols; c++) {
        if (cols[c].name == NULL || cols[c].kind > COS_TCOL_THREAD
            || (cols[c].kind == COS_TCOL_SPAN && (cols[c].from >= ncols || cols[c].to >= ncols
                                                  || cols[cols[c].from].kind != COS_TCOL_TIME
                                                  || cols[cols[c].to].kind != COS_TCOL_TIME))) {
            g_free(u.name);
            return 0;
        }
        u.col[c] = cols[c];
        sc[c] = (simtr_column){ cols[c].name, SIMTR_INT, true };
    }
    if (k->s->trace) {
        u.tb = simtr_find(k->s->trace, name);
        if (u.tb == NULL)
            u.tb = simtr_define(k->s->trace, name, sc, ncols);
    }
    g_array_append_val(k->utables, u);
    return k->utables->len;
}

void cos_trace_row(uint32_t table, const int64_t *v, unsigned n)
{
    k_thread *t = self("cos_trace_row");
    k_kernel *k = t->k;
    if (table == 0 || table > k->utables->len)
        return;
    const k_utable *u = &g_array_index(k->utables, k_utable, table - 1);
    if (u->tb == NULL || v == NULL || n != u->ncols)
        return;
    simtr_begin(u->tb);
    for (unsigned c = 0; c < n; c++) {
        const cos_tcol *col = &u->col[c];
        switch (col->kind) {
        case COS_TCOL_TIME: simtr_int(u->tb, (int64_t)hw_ps(k->h, (uint64_t)v[c])); break;
        case COS_TCOL_SPAN: {
            sim_time_t from = hw_ps(k->h, (uint64_t)v[col->from]), to = hw_ps(k->h, (uint64_t)v[col->to]);
            simtr_int(u->tb, to >= from ? (int64_t)(to - from) : 0);
            break;
        }
        case COS_TCOL_CORE: simtr_int(u->tb, (int64_t)(k->h->core_base + t->core)); break;
        case COS_TCOL_THREAD: simtr_int(u->tb, t->id); break;
        default: simtr_int(u->tb, v[c]); break;
        }
    }
    simtr_end(u->tb);
}

/* ---- a component's data -------------------------------------------------------------- */

/* The boot component is the first made (id 1): its data is the host's. */
#define BOOT_COMP_ID 1u

void *k_comp_data(const k_kernel *k, uint32_t id, size_t *bytes)
{
    if (id == 0 || id > k->comp_data->len) {
        *bytes = 0;
        return NULL;
    }
    *bytes = g_array_index(k->comp_data_len, size_t, id - 1);
    return g_ptr_array_index(k->comp_data, id - 1);
}

void *cos_comp_data(void)
{
    k_thread *t = self("cos_comp_data");
    k_kernel *k = t->k;
    uint32_t id = K_OBJ(k, k_comp_o, K_OBJ(k, k_thd_o, t->obj)->comp)->id;
    if (id == BOOT_COMP_ID)
        return k->cfg.boot_data;
    size_t n;
    return k_comp_data(k, id, &n);
}

void *cos_comp_load(cos_capid comp, size_t bytes)
{
    k_thread *t = self("cos_comp_load");
    k_kernel *k = t->k;
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    k_captbl ct = { .root = K_OBJ(k, k_comp_o, th->comp)->captbl };
    k_slot s;
    if (k_ct_peek(&k->mem, &ct, comp, &s) != COS_OK || s.type != COS_CAP_COMP)
        return NULL;
    uint32_t id = K_OBJ(k, k_comp_o, s.obj)->id;
    if (id == BOOT_COMP_ID || bytes == 0 || bytes > COS_COMP_DATA_MAX)
        return NULL;
    if (id > k->comp_data->len) {
        g_ptr_array_set_size(k->comp_data, (gint)id);
        g_array_set_size(k->comp_data_len, id);
    }
    void *d = g_ptr_array_index(k->comp_data, id - 1);
    size_t *len = &g_array_index(k->comp_data_len, size_t, id - 1);
    if (d == NULL) {
        d = g_malloc0(bytes);
        g_ptr_array_index(k->comp_data, id - 1) = d;
        *len = bytes;
    }
    return *len == bytes ? d : NULL;
}

/* ---- a thread's coroutine ----------------------------------------------------------- */

static void thread_main(void *arg)
{
    k_thread *t = arg;
    t->fn(0, t->arg, t->arg2, 0, 0);
    t->req = K_REQ_EXIT;
    /* returning ends the coroutine and comes back to the engine */
}

k_thread *k_trap_thread_new(k_kernel *k, uint64_t obj, unsigned core, cos_entry_fn fn, cos_word arg, GError **error)
{
    k_thread *t = g_new0(k_thread, 1);
    t->k = k;
    t->obj = obj;
    t->core = core;
    t->fn = fn;
    t->arg = arg;
    t->ctx = simctx_new(k->cfg.stack_size, thread_main, t, error);
    if (t->ctx == NULL) {
        g_free(t);
        return NULL;
    }
    g_ptr_array_add(k->threads, t);
    t->id = k->threads->len;
    return t;
}
