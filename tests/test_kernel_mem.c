/* tests/test_kernel_mem.c: kernel memory (kernel/kmem.h) and capability
 * tables (kernel/captbl.h) on the made-up preset tests/data/presets/tiny.lua
 * (64 MiB = 16,384 pages, so a 256 KiB retype table in pages 0-63, and 64
 * chunks of 256 entries; 32-byte lines; L1 hit 4 cycles; a line from
 * memory 79 cycles = the L2's 25-cycle tag check + 80 ns at 667 MHz rounded
 * up to 54).  The lazy table against a plain array of every page's entry
 * written out eagerly, following the rules of kmem.h (test_lazy_as_eager). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>

#include "kernel/captbl.h"
#include "kernel/kmem.h"

typedef struct fx {
    sim *s;
    hw *h;
    k_mem m;
} fx;

static int setup(void **state)
{
    fx *f = g_new0(fx, 1);
    model_config cfg;
    g_autofree char *path = g_strdup_printf("%s/presets/tiny.lua", g_getenv("COSSIM_TEST_DATA"));
    GError *err = NULL;
    if (!model_config_load(path, &cfg, &err))
        fail_msg("%s", err->message);
    f->s = sim_new(1, simtr_open(NULL, NULL));
    f->h = hw_new(f->s, &cfg, NULL, NULL, &err);
    assert_non_null(f->h);
    k_mem_init(&f->m, f->h, 10 * SIM_US);
    hwmem_flush_all(f->h->mem);     /* start cold: init wrote the table from the host */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    k_mem_free(&f->m);
    hw_free(f->h);
    sim_free(f->s);
    g_free(f);
    return 0;
}

#define PAGE(n) ((uint64_t)(n) * COS_PAGE_SIZE)

static void test_retype(void **state)
{
    fx *f = *state;
    uint64_t c = 0;
    assert_int_equal(f->m.table_pages, 64);
    /* page 100's entry is at 1,600, cold: read 79, then write it (an L1
     * hit, Exclusive -> Modified silently) 4: 83 */
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_OK);
    assert_int_equal(c, 83);
    /* page 101's entry (1,616) shares that 32-byte line: 4 + 4 */
    c = 0;
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(101), K_PAGE_UNTYPED, K_PAGE_USER, 0, &c), COS_OK);
    assert_int_equal(c, 8);
    assert_int_equal(k_mem_type(&f->m, PAGE(100)), K_PAGE_KERNEL);
    /* the rules: each refusal changes nothing */
    c = 0;
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_ETYPE);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_USER, 0, &c), COS_ETYPE);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100) + 8, K_PAGE_KERNEL, K_PAGE_UNTYPED, 0, &c), COS_EALIGN);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(3), K_PAGE_KERNEL, K_PAGE_UNTYPED, 0, &c), COS_ERANGE);   /* the table */
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(16384), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_ERANGE);
    /* a live object keeps the page; its death starts the quiescence period
     * (10 us here): reuse is refused before, allowed after */
    assert_int_equal(k_mem_get(&f->m, 0, PAGE(100) + 64, 0, &c), COS_OK);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_UNTYPED, 0, &c), COS_EBUSY);
    assert_int_equal(k_mem_put(&f->m, 0, PAGE(100) + 64, 5 * SIM_US, &c), COS_OK);
    assert_int_equal(k_mem_put(&f->m, 0, PAGE(100) + 64, 5 * SIM_US, &c), COS_ENOENT);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_UNTYPED, 14 * SIM_US, &c), COS_EQUIESCE);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_UNTYPED, 15 * SIM_US, &c), COS_OK);
    assert_int_equal(k_mem_get(&f->m, 0, PAGE(100), 0, &c), COS_ETYPE);   /* untyped holds nothing */
    assert_true(k_mem_verify(&f->m));
}

static void test_captbl(void **state)
{
    fx *f = *state;
    uint64_t c = 0;
    for (int p = 200; p <= 203; p++)
        assert_int_equal(k_mem_retype(&f->m, 0, PAGE(p), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_OK);
    k_captbl ct;
    assert_int_equal(k_ct_create(&f->m, 0, PAGE(200), 0, &c, &ct), COS_OK);
    assert_int_equal(k_ct_create(&f->m, 0, PAGE(200), 0, &c, &ct), COS_EBUSY);   /* in use now */
    assert_int_equal(k_ct_create(&f->m, 0, PAGE(204), 0, &c, &ct), COS_ETYPE);   /* untyped */
    assert_int_equal(k_ct_expand(&f->m, &ct, 0, 0, PAGE(201), 0, &c), COS_OK);
    assert_int_equal(k_ct_expand(&f->m, &ct, 0, 0, PAGE(202), 0, &c), COS_EEXIST);
    assert_int_equal(k_ct_expand(&f->m, &ct, 0, 512, PAGE(202), 0, &c), COS_ERANGE);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_THREAD, PAGE(203), 0, &c), COS_OK);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_SINV, PAGE(203), 0, &c), COS_EEXIST);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 300, COS_CAP_SINV, PAGE(203), 0, &c), COS_ENOENT);  /* node 1 absent */
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, K_CT_MAX, COS_CAP_SINV, 0, 0, &c), COS_ERANGE);
    /* a lookup is two dependent loads: the level-1 entry (root + 0) and the
     * slot (node + 5 x 16).  Warm (both just written): 4 + 4 = 8 cycles */
    k_slot s;
    uint64_t sp;
    c = 0;
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, 0, &c, &s, &sp), COS_OK);
    assert_int_equal(c, 8);
    assert_int_equal(s.type, COS_CAP_THREAD);
    assert_int_equal(s.obj, PAGE(203));
    assert_int_equal(sp, PAGE(201) + 80);
    /* cold: two lines from memory, 79 each.  At 1 ms: the set-up above was
     * all costed at t = 0 and queued hundreds of line transfers on the bus,
     * which has long drained by then. */
    hwmem_flush_all(f->h->mem);
    c = 0;
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, SIM_MS, &c, &s, NULL), COS_OK);
    assert_int_equal(c, 158);
    /* core 1 looks it up: the shared L2 has both lines now (25 each) */
    c = 0;
    assert_int_equal(k_ct_lookup(&f->m, &ct, 1, 5, 2 * SIM_MS, &c, &s, NULL), COS_OK);
    assert_int_equal(c, 50);
    /* deactivate: type checked, the slot's epoch counts it */
    assert_int_equal(k_ct_deactivate(&f->m, &ct, 0, 5, COS_CAP_SINV, 0, &c), COS_ETYPE);
    assert_int_equal(k_ct_deactivate(&f->m, &ct, 0, 5, COS_CAP_THREAD, 0, &c), COS_OK);
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, 0, &c, &s, NULL), COS_ENOENT);
    /* a freed slot takes a new capability only after the quiescence
     * period (freed at about 0 + the cycles above; the fixture's period is
     * far below a second) */
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_RCV, PAGE(203), 0, &c), COS_EQUIESCE);
    assert_int_equal(k_ct_check_free(&f->m, &ct, 0, 5, 0, &c), COS_EQUIESCE);
    assert_int_equal(k_ct_check_free(&f->m, &ct, 0, 5, SIM_S, &c), COS_OK);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_RCV, PAGE(203), SIM_S, &c), COS_OK);
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, 0, &c, &s, NULL), COS_OK);
    assert_int_equal(s.epoch, 1);
    /* the table's pages are referenced: they cannot be retyped away */
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(201), K_PAGE_KERNEL, K_PAGE_UNTYPED, SIM_S, &c), COS_EBUSY);
    assert_true(k_mem_verify(&f->m));
}

/* ---- the lazy table gives the eager table's answers ---- */

/* The eager table: every page's entry in a host array, zeroed at the start
 * (what k_mem_init did before the table became lazy), under kmem.h's rules. */
typedef struct eager {
    uint64_t npages, table_pages;
    sim_time_t quiescence;
    struct { k_page_type type; unsigned kind; uint32_t refs; sim_time_t freed_at; } *e;
} eager;

static cos_err eager_page(const eager *r, uint64_t paddr, uint64_t *page)
{
    if (paddr % COS_PAGE_SIZE)
        return COS_EALIGN;
    if (paddr / COS_PAGE_SIZE >= r->npages || paddr / COS_PAGE_SIZE < r->table_pages)
        return COS_ERANGE;
    *page = paddr / COS_PAGE_SIZE;
    return COS_OK;
}

static cos_err eager_retype(eager *r, uint64_t paddr, k_page_type from, k_page_type to, sim_time_t now)
{
    uint64_t p;
    cos_err e = eager_page(r, paddr, &p);
    if (e)
        return e;
    if (from == to || (from != K_PAGE_UNTYPED && to != K_PAGE_UNTYPED) || r->e[p].type != from)
        return COS_ETYPE;
    if (to == K_PAGE_UNTYPED && r->e[p].refs)
        return COS_EBUSY;
    if (to == K_PAGE_UNTYPED && r->e[p].freed_at && now < r->e[p].freed_at + r->quiescence)
        return COS_EQUIESCE;
    r->e[p].type = to;
    r->e[p].kind = 0;
    return COS_OK;
}

static cos_err eager_getput(eager *r, uint64_t paddr, bool get, sim_time_t now)
{
    uint64_t p;
    cos_err e = eager_page(r, paddr & ~(uint64_t)(COS_PAGE_SIZE - 1), &p);
    if (e)
        return e;
    if (r->e[p].type == K_PAGE_UNTYPED)
        return COS_ETYPE;
    if (get) {
        r->e[p].refs++;
        return COS_OK;
    }
    if (r->e[p].refs == 0)
        return COS_ENOENT;
    if (--r->e[p].refs == 0) {
        r->e[p].freed_at = now;
        r->e[p].kind = 0;
    }
    return COS_OK;
}

static cos_err eager_unused_kernel(const eager *r, uint64_t paddr, sim_time_t now)
{
    uint64_t p;
    cos_err e = eager_page(r, paddr, &p);
    if (e)
        return e;
    if (r->e[p].type != K_PAGE_KERNEL)
        return COS_ETYPE;
    if (r->e[p].refs)
        return COS_EBUSY;
    if (r->e[p].freed_at && now < r->e[p].freed_at + r->quiescence)
        return COS_EQUIESCE;
    return COS_OK;
}

/* Every page's type, kind and count, the walk over typed pages, and the
 * chunks written (the table's own, and each chunk a retype ever reached). */
static void assert_same(const k_mem *m, const eager *r, const bool *reached)
{
    uint64_t next = k_mem_next_typed(m, 0), chunks = 0;
    for (uint64_t p = 0; p < r->npages; p++) {
        uint64_t a = PAGE(p);
        if (k_mem_type(m, a) != r->e[p].type || k_mem_refs(m, a) != r->e[p].refs
            || k_mem_kind(m, a) != (r->e[p].type == K_PAGE_KERNEL ? r->e[p].kind : 0))
            fail_msg("page %" G_GUINT64_FORMAT ": type %d refs %u kind %u, the eager table has %d %u %u", p,
                     k_mem_type(m, a), k_mem_refs(m, a), k_mem_kind(m, a), r->e[p].type, r->e[p].refs, r->e[p].kind);
        if (r->e[p].type != K_PAGE_UNTYPED) {
            if (next != a)
                fail_msg("the walk gives page %" G_GUINT64_FORMAT ", not %" G_GUINT64_FORMAT, next / COS_PAGE_SIZE, p);
            next = k_mem_next_typed(m, a + COS_PAGE_SIZE);
        }
    }
    assert_int_equal(next, PAGE(r->npages));
    for (uint64_t c = 0; c < m->nchunks; c++)
        chunks += reached[c];
    assert_int_equal(k_mem_chunks_written(m), chunks);
    assert_true(k_mem_verify(m));
}

static uint64_t draw(uint64_t *x)
{
    /* xorshift64*: a fixed sequence on every host */
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * UINT64_C(2685821657736338717);
}

static void test_lazy_as_eager(void **state)
{
    fx *f = *state;
    k_mem *m = &f->m;
    eager r = { m->npages, m->table_pages, m->quiescence, NULL };
    r.e = g_malloc0(r.npages * sizeof *r.e);
    for (uint64_t p = 0; p < r.table_pages; p++)
        r.e[p].type = K_PAGE_KERNEL;
    bool *reached = g_new0(bool, m->nchunks);
    reached[0] = true;
    /* a fresh table: only its own chunk written, only its own pages typed */
    assert_int_equal(m->nchunks, 64);
    assert_same(m, &r, reached);
    assert_int_equal(k_mem_next_typed(m, PAGE(64)), PAGE(16384));
    /* pages at the edges: the first after the table, both sides of chunk
     * boundaries, the last page of memory; and ones every call refuses (the
     * table, past the end, unaligned) */
    static const uint64_t pages[] = { 64, 65, 255, 256, 257, 511, 512, 8191, 8192, 8193, 16127, 16128, 16382, 16383 };
    static const uint64_t refused[] = { 0, 63, 16384, 16385 };
    uint64_t x = UINT64_C(0x9E3779B97F4A7C15), c = 0;
    sim_time_t now = 0;
    for (unsigned step = 0; step < 20000; step++) {
        uint64_t d = draw(&x), a;
        if (d % 16 == 0)
            a = PAGE(refused[(d >> 8) % G_N_ELEMENTS(refused)]) + ((d >> 20) % 4 == 0 ? 8 : 0);
        else
            a = PAGE(pages[(d >> 8) % G_N_ELEMENTS(pages)]);
        now += (d >> 24) % (3 * SIM_US);
        uint64_t p = a / COS_PAGE_SIZE;
        switch ((d >> 4) % 6) {   /* more puts than gets: counts come back to 0 */
        case 0: case 1: {
            k_page_type from = (k_page_type)((d >> 32) % 3), to = (k_page_type)((d >> 40) % 3);
            cos_err want = eager_retype(&r, a, from, to, now);
            assert_int_equal(k_mem_retype(m, (unsigned)(d >> 48) % 2, a, from, to, now, &c), want);
            if (want == COS_OK)
                reached[p / K_MEM_CHUNK] = true;
            break;
        }
        case 2: {
            uint64_t obj = a + (d >> 32) % COS_PAGE_SIZE;   /* any address in the page */
            assert_int_equal(k_mem_get(m, 0, obj, now, &c), eager_getput(&r, obj, true, now));
            break;
        }
        case 3: case 4:
            assert_int_equal(k_mem_put(m, 1, a, now, &c), eager_getput(&r, a, false, now));
            break;
        default:
            assert_int_equal(k_mem_check_unused_kernel(m, a, now), eager_unused_kernel(&r, a, now));
            if (p < r.npages && a % COS_PAGE_SIZE == 0 && r.e[p].type == K_PAGE_KERNEL && r.e[p].refs) {
                unsigned kind = 1 + (unsigned)(d >> 32) % 10;
                k_mem_set_kind(m, a, kind);
                r.e[p].kind = kind;
            }
            break;
        }
        if (step % 1000 == 999)
            assert_same(m, &r, reached);
    }
    assert_same(m, &r, reached);
    /* the run went everywhere it was meant to: every page typed at some
     * time, so the chunks of pages[] and no other were written */
    assert_int_equal(k_mem_chunks_written(m), 1 + 1 + 1 + 1 + 1 + 1 + 1);  /* 0, 1, 2, 31, 32, 62, 63 */
    g_free(reached);
    g_free(r.e);
}

/* On the x86_64 preset's 8 GiB the table is 32 MiB in 8,192 chunks; a
 * fresh one has written only the 32 chunks of its own entries (128 KiB),
 * and retyping the last page of memory writes one more. */
static void test_lazy_8g(void **state)
{
    (void)state;
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load("x86_64", &cfg, &err))
        fail_msg("%s", err->message);
    assert_int_equal(cfg.mem.size, UINT64_C(8) << 30);
    sim *s = sim_new(1, simtr_open(NULL, NULL));
    hw *h = hw_new(s, &cfg, NULL, NULL, &err);
    assert_non_null(h);
    model_config_clear(&cfg);
    k_mem m;
    k_mem_init(&m, h, 10 * SIM_US);
    assert_int_equal(m.table_pages, 8192);
    assert_int_equal(m.nchunks, 8192);
    assert_int_equal(k_mem_chunks_written(&m), 32);
    uint64_t last = PAGE(m.npages - 1), c = 0;
    assert_int_equal(k_mem_next_typed(&m, PAGE(8192)), PAGE(m.npages));
    assert_int_equal(k_mem_retype(&m, 0, last, K_PAGE_UNTYPED, K_PAGE_USER, 0, &c), COS_OK);
    assert_int_equal(k_mem_retype(&m, 0, PAGE(8192), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_OK);
    assert_int_equal(k_mem_chunks_written(&m), 34);
    assert_int_equal(k_mem_next_typed(&m, PAGE(8192)), PAGE(8192));
    assert_int_equal(k_mem_next_typed(&m, PAGE(8193)), last);
    assert_int_equal(k_mem_type(&m, last), K_PAGE_USER);
    assert_int_equal(k_mem_type(&m, last - COS_PAGE_SIZE), K_PAGE_UNTYPED);
    assert_true(k_mem_verify(&m));
    /* back to untyped: the chunk stays written (its host page is there),
     * and the walk skips it */
    assert_int_equal(k_mem_retype(&m, 0, last, K_PAGE_USER, K_PAGE_UNTYPED, 0, &c), COS_OK);
    assert_int_equal(k_mem_chunks_written(&m), 34);
    assert_int_equal(k_mem_next_typed(&m, PAGE(8193)), PAGE(m.npages));
    assert_true(k_mem_verify(&m));
    k_mem_free(&m);
    hw_free(h);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retype, setup, teardown),
        cmocka_unit_test_setup_teardown(test_captbl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lazy_as_eager, setup, teardown),
        cmocka_unit_test(test_lazy_8g),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
