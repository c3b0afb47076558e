/* kernel/boot.c: the kernel's life as the simulator holds it: made
 * (k_new), booted on a machine (k_boot), freed (k_free), and inspected
 * (kernel.h).
 *
 * Boot lays kernel memory out with a bump allocator (nothing runs yet):
 * the retype table (kmem.c), the kernel's text, the interrupt-line table,
 * per core its variables page and incoming ring page; then the boot
 * component (its table with two level-2 nodes, its domain, the component)
 * and per core an init thread, its root tcap (infinite budget, priority 1)
 * and root scheduler rcv; the rest of memory, untyped, goes to the booter
 * as one KMEM capability.  Slots: kernel/abi.h (COS_BOOT_*).
 *
 * Layer: above every object (it makes the first of each) and the core's
 * loop, which it starts.
 */
#include "internal.h"

#include <string.h>
#include "cap.h"
#include "comp.h"
#include "core.h"
#include "obj.h"
#include "pgtbl.h"
#include "rcv.h"
#include "tcap.h"
#include "thd.h"

#define DEFAULT_QUIESCENCE ((sim_time_t)10 * SIM_US)
/* The boot component's page-table pool on a machine with page tables:
 * room for its user pages' tables beyond the root. */
#define BOOT_POOL_PAGES 8u

k_kernel *k_new(sim *s, const k_config *cfg)
{
    k_kernel *k = g_new0(k_kernel, 1);
    k->s = s;
    k->cfg = *cfg;
    if (k->cfg.quiescence == 0)
        k->cfg.quiescence = DEFAULT_QUIESCENCE;
    k->threads = g_ptr_array_new();
    k->reports = g_array_new(FALSE, FALSE, sizeof(k_report));
    k->ukinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    k->ukind = g_array_new(FALSE, FALSE, sizeof(k_ukind));
    k->utables = g_array_new(FALSE, FALSE, sizeof(k_utable));
    k->comp_data = g_ptr_array_new_with_free_func(g_free);
    k->comp_data_len = g_array_new(FALSE, TRUE, sizeof(size_t));
    return k;
}

static const char *const kind_names[K_EV_KINDS] = {
    TRN_K_SWITCH, TRN_K_SINV, TRN_K_SRET, TRN_K_SEND, TRN_K_RCV, TRN_K_IRQ, TRN_K_EXPIRE, TRN_K_TIMEOUT,
    TRN_K_FAULT, TRN_K_ERROR, TRN_K_EXIT, TRN_K_ULSWITCH,
};

/* Boot-time allocation: the next free page, retyped to kernel (boot runs
 * before any user code, so a bump pointer is enough); 0 when out. */
typedef struct boot_alloc {
    k_kernel *k;
    uint64_t next, end;
} boot_alloc;

static uint64_t boot_page(boot_alloc *b)
{
    if (b->next >= b->end)
        return 0;
    uint64_t cycles = 0;
    cos_err e = k_mem_retype(&b->k->mem, 0, b->next, K_PAGE_UNTYPED, K_PAGE_KERNEL, sim_now(b->k->s), &cycles);
    g_assert(e == COS_OK);
    b->next += COS_PAGE_SIZE;
    return b->next - COS_PAGE_SIZE;
}

/* The boot component, per-core init threads, tcaps and rcvs, and the
 * booter's capabilities, made on core c; false when memory is too small. */
static bool boot_objects(k_kernel *k, k_core *c, boot_alloc *b, GError **error)
{
    /* a path whose cost nobody pays: boot */
    c->now = sim_now(k->s);
    c->cycles = 0;
    uint64_t pool = k_pgtbl_min_pool(k) > 1 ? BOOT_POOL_PAGES : 1;
    uint64_t need = 3 + pool + 1 + 3 * (uint64_t)k->ncores + 2;
    if ((b->end - b->next) / COS_PAGE_SIZE < need + 1) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "kernel: too little memory to boot");
        return false;
    }
    k_captbl ct;
    cos_err e = k_ct_create(&k->mem, c->id, boot_page(b), c->now, &c->cycles, &ct);
    g_assert(e == COS_OK);
    for (uint32_t i = 0; i < 2; i++) {
        e = k_ct_expand(&k->mem, &ct, c->id, i, boot_page(b), c->now, &c->cycles);
        g_assert(e == COS_OK);
    }
    /* the page-table pool: consecutive pages, the root (after the
     * object's page) aligned to its size */
    uint64_t root = hw_pt_root_bytes(k->h);
    if (root > COS_PAGE_SIZE)
        while ((b->next + COS_PAGE_SIZE) % root)
            boot_page(b);
    uint64_t pool_first = b->next;
    for (unsigned i = 0; i < pool; i++)
        boot_page(b);
    uint64_t pt = k_pgtbl_init(c, pool_first, pool);
    uint64_t comp = k_comp_init(c, boot_page(b), ct.root, pt, k->cfg.boot_image);
    if (k->asid_owner)
        k->asid_owner[0] = 0;
    /* capabilities: the table, page table and component hold one reference each already */
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_CAPTBL, COS_CAP_CAPTBL, ct.root, c->now, &c->cycles);
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_PGTBL, COS_CAP_PGTBL, pt, c->now, &c->cycles);
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_COMP, COS_CAP_COMP, comp, c->now, &c->cycles);
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_HW, COS_CAP_HW, k->hwtbl, c->now, &c->cycles);
    for (unsigned i = 0; i < k->ncores; i++) {
        k_core *ci = &k->core[i];
        uint64_t thd = k_thd_init(c, boot_page(b), comp, k->cfg.boot_entry, i, i, 0, NULL);
        k_thread_of(k, thd)->arg2 = k->cfg.boot_arg;
        uint64_t tc = k_tcap_init(c, boot_page(b), i, 0, COS_BUDGET_INF, COS_PRIO_MAX);
        uint64_t rcv = k_rcv_init(c, boot_page(b), thd, tc, 0);
        K_OBJ(k, k_tcap_o, tc)->owner = rcv;
        K_OBJ(k, k_tcap_o, tc)->ndelegs = 1;
        K_OBJ(k, k_tcap_o, tc)->deleg[0] = (k_deleg){ .sched = rcv, .prio = COS_PRIO_MAX };
        K_OBJ(k, k_thd_o, thd)->tcap = tc;
        k_obj_ref(c, tc);
        k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_THD(i), COS_CAP_THREAD, thd, c->now, &c->cycles);
        k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_TCAP(i), COS_CAP_TCAP, tc, c->now, &c->cycles);
        k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_RCV(i), COS_CAP_RCV, rcv, c->now, &c->cycles);
        ci->root_rcv = rcv;
        ci->cur = k_thread_of(k, thd);
        k_core_o *co = K_OBJ(k, k_core_o, ci->page);
        co->cur_thd = thd;
        co->cur_tcap = tc;
        /* the core starts in the boot component's address space */
        ci->now = c->now;
        ci->cycles = 0;
        k_pgtbl_switch(ci, comp);
    }
    /* the rest of memory, untyped, to the booter */
    uint64_t first = b->next / COS_PAGE_SIZE, n = b->end / COS_PAGE_SIZE - first;
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_KMEM, COS_CAP_KMEM, k_cap_kmem_pack(first, n), c->now, &c->cycles);
    c->cycles = 0;
    return true;
}

bool k_boot(k_kernel *k, hw *h, GError **error)
{
    g_assert(!k->booted);
    k->h = h;
    k->ncores = h->cfg.cores;
    if (k->cfg.boot_image >= k->cfg.nimages || k->cfg.boot_entry >= k->cfg.images[k->cfg.boot_image]->nentries) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "kernel: no boot image/entry %u/%u", k->cfg.boot_image,
                    k->cfg.boot_entry);
        return false;
    }
    if (k->ncores > 64) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "kernel: at most 64 cores (the machine has %u)", k->ncores);
        return false;
    }
    k->word_bytes = hw_word_bytes(h);
    k->regs_words = hw_context_words(h);
    for (unsigned i = 0; i < K_EV_KINDS; i++)
        k->kind[i] = sim_kind(k->s, kind_names[i]);
    k_mem_init(&k->mem, h, k->cfg.quiescence);
    k_path_init(k);
    boot_alloc b = { k, k->mem.table_pages * COS_PAGE_SIZE, k->mem.npages * COS_PAGE_SIZE };
    /* the kernel's text */
    uint64_t text_pages = (k_path_text_bytes(k) + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
    for (uint64_t i = 0; i < text_pages; i++) {
        uint64_t p = boot_page(&b);
        if (p == 0)
            goto nomem;
        if (i == 0)
            k->text = p;
    }
    /* the interrupt-line table */
    k->nlines = hwirq_nlines(h->irq);
    uint64_t line_pages = ((uint64_t)k->nlines * 8 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
    for (uint64_t i = 0; i < line_pages; i++) {
        uint64_t p = boot_page(&b);
        if (p == 0)
            goto nomem;
        memset(k_ram(k, p), 0, COS_PAGE_SIZE);
        if (i == 0)
            k->hwtbl = p;
    }
    /* address-space ids (x86 PCIDs 1..4095, ARM ASIDs 1..255; 0 stays the
     * boot component's), and per core which table each one's TLB entries
     * belong to */
    k->nasids = hw_asids(h);
    k->asid_owner = k->nasids ? g_new0(uint64_t, (size_t)k->ncores * k->nasids) : NULL;
    k->next_asid = 1;
    /* per core */
    k->core = g_new0(k_core, k->ncores);
    k->host = simctx_new_host();
    for (unsigned i = 0; i < k->ncores; i++) {
        k_core *c = &k->core[i];
        c->k = k;
        c->id = i;
        c->ev.fn = k_core_event;
        c->page = boot_page(&b);
        c->ring = boot_page(&b);
        if (c->page == 0 || c->ring == 0)
            goto nomem;
        memset(k_ram(k, c->page), 0, COS_PAGE_SIZE);
        memset(k_ram(k, c->ring), 0, COS_PAGE_SIZE);
        c->tcap_since = sim_now(k->s);
    }
    if (!boot_objects(k, &k->core[0], &b, error))
        return false;
    k->booted = true;
    /* every init thread runs now */
    for (unsigned i = 0; i < k->ncores; i++) {
        k_core *c = &k->core[i];
        c->state = K_CORE_KERNEL;
        c->next = c->cur;
        sim_schedule(k->s, &c->ev, sim_now(k->s), K_EV_PRIO);
    }
    return true;
nomem:
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "kernel: too little memory to boot (%" G_GUINT64_FORMAT " pages)",
                k->mem.npages);
    return false;
}

void k_free(k_kernel *k)
{
    if (k == NULL)
        return;
    if (k->core)
        for (unsigned i = 0; i < k->ncores; i++) {
            if (k->core[i].streaming) {
                /* the machine would schedule this core's event at the
                 * touch's end (model/stream.h) */
                hwstream rest;
                hwstream_stop(k->h, i, &rest);
            }
            if (k->core[i].ev.pos)
                sim_deschedule(k->s, &k->core[i].ev);
        }
    for (guint i = 0; i < k->threads->len; i++) {
        k_thread *t = g_ptr_array_index(k->threads, i);
        simctx_free(t->ctx);
        g_free(t);
    }
    g_ptr_array_free(k->threads, TRUE);
    for (guint i = 0; i < k->reports->len; i++)
        g_free(g_array_index(k->reports, k_report, i).key);
    g_array_free(k->reports, TRUE);
    g_hash_table_destroy(k->ukinds);
    for (guint i = 0; i < k->ukind->len; i++)
        g_free(g_array_index(k->ukind, k_ukind, i).name);
    g_array_free(k->ukind, TRUE);
    for (guint i = 0; i < k->utables->len; i++)
        g_free(g_array_index(k->utables, k_utable, i).name);
    g_array_free(k->utables, TRUE);
    /* blocks live until the kernel does: a thread may hold one after its
     * component is gone */
    g_ptr_array_free(k->comp_data, TRUE);
    g_array_free(k->comp_data_len, TRUE);
    if (k->host)
        simctx_free(k->host);
    g_free(k->asid_owner);
    g_free(k->core);
    k_mem_free(&k->mem);
    g_free(k);
}

/* ---- inspection (kernel.h) ------------------------------------------------------------ */

const k_stats *k_get_stats(const k_kernel *k) { return &k->st; }
unsigned k_threads(const k_kernel *k) { return k->threads->len; }
hw *k_hw(const k_kernel *k) { return k->h; }
k_mem *k_kmem(k_kernel *k) { return &k->mem; }
const GArray *k_reports(const k_kernel *k) { return k->reports; }

const char *k_thread_state(const k_kernel *k, cos_thdid id)
{
    if (id < 1 || id > k->threads->len)
        return "none";
    k_thread *t = g_ptr_array_index(k->threads, id - 1);
    if (t->obj == 0)
        return "exited";    /* its object ended (its last reference went) */
    switch (K_OBJ(k, k_thd_o, t->obj)->state) {
    case K_THD_RUNNABLE: return "runnable";
    case K_THD_BLOCKED_RCV:
    case K_THD_BLOCKED_SCHED: return "blocked";
    default: return "exited";
    }
}

cos_thdid k_current(const k_kernel *k, unsigned core)
{
    g_assert(core < k->ncores);
    return k->core[core].cur ? k->core[core].cur->id : 0;
}
