/* tests/test_mem_socket.c: machines split into sockets (model/mem.h,
 * `sockets`): a per-socket level shared only within its socket, transfers
 * and upgrades across sockets at their own price, the copies other sockets
 * keep, and the loader's `sockets` key (model/machine.c).
 *
 * The test machine (tests/test_mem.c's, split in two): 1 GHz cores (1 cycle
 * = 1 ns); private L1 I and D of 128 bytes, 2 ways, 32-byte lines, 2-cycle
 * hits, LRU; an L2 of 512 bytes, 4 ways, 10-cycle hits, LRU, one per socket
 * (shared = "socket"); memory 50 ns after the L2, one pool; the bus busy
 * 10 ns per line (accesses here are 100 ns apart: no bus waits); a transfer
 * or an upgrade within a socket 20 cycles, across sockets 70.  4 cores, 2
 * sockets: cores 0 and 1 in socket 0, cores 2 and 3 in socket 1.  So: L1
 * hit 2, L2 hit 10, memory 10 + 50 = 60 cycles, a transfer 20 within a
 * socket and 70 across. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <lauxlib.h>

#include "model/mem.h"
#include "model/machine.h"

#define LA(a) ((uint64_t)(a) >> 5)

static hwmem_config socket_config(unsigned cores, unsigned sockets)
{
    hwmem_config cfg = {
        .cores = cores, .freq_hz = 1000000000, .size = 1 << 20, .has_l1 = true,
        .l1i = { 128, 2, 32, 2, HWCACHE_LRU, true },
        .l1d = { 128, 2, 32, 2, HWCACHE_LRU, true },
        .nouter = 1,
        .outer = { { .cache = { 512, 4, 32, 10, HWCACHE_LRU, true }, .shared = true, .per_socket = true,
                     .name = "l2" } },
        .mem_latency = 50 * SIM_NS, .bus_line = 10 * SIM_NS, .coherence_cycles = 20,
        .sockets = sockets, .socket_cycles = 70,
    };
    return cfg;
}

static hwmem *make(void)
{
    hwmem_config cfg = socket_config(4, 2);
    GError *err = NULL;
    hwmem *m = hwmem_new(&cfg, 1, &err);
    if (m == NULL)
        fail_msg("hwmem_new: %s", err->message);
    return m;
}

/* An access at time t (ns) that must cost `cycles` and be served by `from`. */
static void expect(hwmem *m, unsigned core, uint64_t paddr, hwmem_kind k, uint64_t t_ns, uint64_t cycles,
                   hwmem_source from)
{
    hwmem_source got;
    uint64_t c = hwmem_access(m, core, paddr, k, t_ns * SIM_NS, &got);
    if (c != cycles || got != from)
        fail_msg("core %u %s 0x%lx at %luns: %lu cycles from source %d, expected %lu from %d", core,
                 k == HWMEM_WRITE ? "write" : k == HWMEM_READ ? "read" : "fetch", (unsigned long)paddr,
                 (unsigned long)t_ns, (unsigned long)c, got, (unsigned long)cycles, from);
    assert_true(hwmem_verify(m));
}

static void test_l2_shared_within_socket(void **state)
{
    (void)state;
    hwmem *m = make();
    assert_int_equal(m->core[1].socket, 0);
    assert_int_equal(m->core[2].socket, 1);
    expect(m, 0, 0x100, HWMEM_READ, 0, 60, HWMEM_DRAM);      /* cold: 10 + 50, into socket 0's L2 */
    /* core 1, socket 0: its socket's L2 has it, 10 */
    expect(m, 1, 0x100, HWMEM_READ, 100, 10, HWMEM_OUTER0);
    /* core 2, socket 1: clean copies in socket 0 are not transferred; its
     * own L2 misses: memory again, 10 + 50 = 60, into socket 1's L2 */
    expect(m, 2, 0x100, HWMEM_READ, 200, 60, HWMEM_DRAM);
    /* core 3, socket 1: its socket's L2 now has it, 10 */
    expect(m, 3, 0x100, HWMEM_READ, 300, 10, HWMEM_OUTER0);
    assert_non_null(hwcache_find(&m->shared[0][0], LA(0x100)));
    assert_non_null(hwcache_find(&m->shared[0][1], LA(0x100)));
    /* another socket's clean copy makes a reader's Shared, not Exclusive */
    assert_int_equal(hwcache_find(&m->core[2].l1d, LA(0x100))->state, HWCACHE_SHARED);
    assert_int_equal(m->core[2].n.socket_transfers, 0);
    hwmem_free(m);
}

static void test_transfer_across_sockets(void **state)
{
    (void)state;
    hwmem *m = make();
    expect(m, 0, 0x2000, HWMEM_WRITE, 0, 60, HWMEM_DRAM);
    /* core 1 (same socket) reads core 0's Modified line: 20; core 0's
     * copy is written back into socket 0's L2, Modified there */
    expect(m, 1, 0x2000, HWMEM_READ, 100, 20, HWMEM_PEER);
    assert_int_equal(hwcache_find(&m->shared[0][0], LA(0x2000))->state, HWCACHE_MODIFIED);
    /* core 2 (socket 1): no core has it Modified, socket 0's L2 has: a
     * cross-socket transfer, 70; socket 1's L2 takes no copy */
    expect(m, 2, 0x2000, HWMEM_READ, 200, 70, HWMEM_PEER);
    assert_null(hwcache_find(&m->shared[0][1], LA(0x2000)));
    /* core 3 writes: the dirty copy in socket 0's L2 comes across (70)
     * and every other copy goes, that one included */
    expect(m, 3, 0x2000, HWMEM_WRITE, 300, 70, HWMEM_PEER);
    assert_null(hwcache_find(&m->shared[0][0], LA(0x2000)));
    assert_null(hwcache_find(&m->core[0].l1d, LA(0x2000)));
    assert_null(hwcache_find(&m->core[2].l1d, LA(0x2000)));
    /* core 1 reads core 3's Modified line: across, 70; core 3's copy is
     * written back into socket 1's L2 */
    expect(m, 1, 0x2000, HWMEM_READ, 400, 70, HWMEM_PEER);
    assert_int_equal(hwcache_find(&m->shared[0][1], LA(0x2000))->state, HWCACHE_MODIFIED);
    assert_int_equal(m->core[1].n.coherence_transfers, 2);
    assert_int_equal(m->core[1].n.socket_transfers, 1);
    assert_int_equal(m->core[2].n.socket_transfers, 1);
    assert_int_equal(m->core[3].n.socket_transfers, 1);
    /* cross-core cycles: core 1 20 + 70, core 2 70, core 3 70 */
    assert_int_equal(m->core[1].n.cross_cycles, 90);
    assert_int_equal(m->core[2].n.cross_cycles, 70);
    assert_int_equal(m->core[3].n.cross_cycles, 70);
    hwmem_free(m);
}

/* Two cores write one line in turn, as test_mem.c's ping-pong: the first
 * write misses (60), each of the 9 after takes the line from the other
 * core, 20 cycles within a socket (cores 0, 1) and 70 across (cores 0, 2). */
static void test_ping_pong_within_and_across(void **state)
{
    (void)state;
    static const unsigned other[2] = { 1, 2 };
    static const uint64_t price[2] = { 20, 70 };
    for (int x = 0; x < 2; x++) {
        hwmem *m = make();
        expect(m, 0, 0x2000, HWMEM_WRITE, 0, 60, HWMEM_DRAM);
        for (int i = 1; i < 10; i++)
            expect(m, i % 2 ? other[x] : 0, 0x2000, HWMEM_WRITE, (uint64_t)i * 100, price[x], HWMEM_PEER);
        assert_int_equal(m->core[0].n.cross_cycles + m->core[other[x]].n.cross_cycles, 9 * price[x]);
        assert_int_equal(m->core[0].n.socket_transfers + m->core[other[x]].n.socket_transfers, x ? 9 : 0);
        hwmem_free(m);
    }
}

static void test_upgrade_within_and_across(void **state)
{
    (void)state;
    hwmem *m = make();
    /* across: core 0 and core 2 read (60 each: core 2's socket has no
     * copy), so both hold it Shared; core 0's write invalidates core 2's
     * copy and socket 1's L2's: an L1 hit and a cross-socket upgrade,
     * 2 + 70 = 72 */
    expect(m, 0, 0x3000, HWMEM_READ, 0, 60, HWMEM_DRAM);
    expect(m, 2, 0x3000, HWMEM_READ, 100, 60, HWMEM_DRAM);
    expect(m, 0, 0x3000, HWMEM_WRITE, 200, 72, HWMEM_L1D);
    assert_null(hwcache_find(&m->shared[0][1], LA(0x3000)));
    assert_null(hwcache_find(&m->core[2].l1d, LA(0x3000)));
    /* within: core 1 reads from socket 0's L2 (10); core 0's write then
     * invalidates core 1's copy only: 2 + 20 = 22 */
    expect(m, 0, 0x4000, HWMEM_READ, 300, 60, HWMEM_DRAM);
    expect(m, 1, 0x4000, HWMEM_READ, 400, 10, HWMEM_OUTER0);
    expect(m, 0, 0x4000, HWMEM_WRITE, 500, 22, HWMEM_L1D);
    assert_int_equal(m->core[0].n.upgrades, 2);
    assert_int_equal(m->core[0].n.cross_cycles, 70 + 20);
    hwmem_free(m);
}

/* Instruction fetches take no part in coherence: a fetch in socket 1
 * leaves core 0's Exclusive copy alone and fills socket 1's L2 from
 * memory (60).  Core 0's write then finds it Exclusive in its L1 (2, no
 * upgrade) and drops socket 1's copy, which would be stale. */
static void test_fetch_copy_dropped_on_write(void **state)
{
    (void)state;
    hwmem *m = make();
    expect(m, 0, 0x5000, HWMEM_READ, 0, 60, HWMEM_DRAM);
    expect(m, 2, 0x5000, HWMEM_FETCH, 100, 60, HWMEM_DRAM);
    assert_non_null(hwcache_find(&m->shared[0][1], LA(0x5000)));
    expect(m, 0, 0x5000, HWMEM_WRITE, 200, 2, HWMEM_L1D);
    assert_null(hwcache_find(&m->shared[0][1], LA(0x5000)));
    /* core 0 keeps it Modified; a fetch by core 3 takes it across, 70 */
    expect(m, 3, 0x5000, HWMEM_FETCH, 300, 70, HWMEM_PEER);
    assert_int_equal(m->core[0].n.upgrades, 0);
    hwmem_free(m);
}

static void expect_config_error(hwmem_config cfg, const char *what)
{
    GError *err = NULL;
    assert_false(hwmem_config_check(&cfg, &err));
    if (strstr(err->message, what) == NULL)
        fail_msg("'%s' does not say '%s'", err->message, what);
    g_error_free(err);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_config_error(socket_config(6, 4), "sockets: 4 does not divide the 6 cores");
    expect_config_error(socket_config(4, 8), "sockets: 8 is more than the cores (4)");
    expect_config_error(socket_config(64, 32), "sockets: 32 is more than the model holds (16)");
    hwmem_config c = socket_config(4, 2);
    c.nouter = 2;
    c.outer[1] = c.outer[0];
    c.outer[0].per_socket = false;      /* machine-wide L2 above a per-socket L3 */
    g_strlcpy(c.outer[1].name, "l3", sizeof c.outer[1].name);
    expect_config_error(c, "caches.l3.shared: a per-socket level cannot sit below one shared by every socket");
}

/* The loader: machine{ preset = "x86_64", cores = C, sockets = S } as a
 * scenario writes it (the override merged over the preset). */
static bool load(const char *override, model_config *cfg, GError **err)
{
    lua_State *L = luaL_newstate();
    bool ok = model_preset_push(L, "x86_64", err);
    if (ok) {
        ok = luaL_dostring(L, override) == LUA_OK;
        assert_true(ok);
        model_preset_merge(L, -2, -1);
        lua_pop(L, 1);
        ok = model_config_from_lua(L, -1, "x86_64", cfg, err);
    }
    lua_close(L);
    return ok;
}

static void test_loader(void **state)
{
    (void)state;
    model_config cfg = { 0 };
    GError *err = NULL;
    /* Speck's machine: 4 sockets of 10 cores, an L3 per socket */
    if (!load("return { cores = 40, sockets = 4 }", &cfg, &err))
        fail_msg("%s", err->message);
    assert_int_equal(cfg.sockets, 4);
    assert_int_equal(cfg.mem.sockets, 4);
    assert_true(cfg.mem.outer[1].shared && cfg.mem.outer[1].per_socket);
    assert_int_equal(cfg.mem.socket_cycles, 197);
    hwmem *m = hwmem_new(&cfg.mem, 1, &err);
    assert_non_null(m);
    assert_int_equal(m->core[9].socket, 0);
    assert_int_equal(m->core[10].socket, 1);
    assert_int_equal(m->core[39].socket, 3);
    assert_ptr_equal(m->core[39].lv[2], &m->shared[1][3]);
    hwmem_free(m);
    model_config_clear(&cfg);
    /* the default: one socket */
    assert_true(load("return { cores = 4 }", &cfg, &err));
    assert_int_equal(cfg.mem.sockets, 1);
    model_config_clear(&cfg);
    static const struct { const char *over, *says; } bad[] = {
        { "return { cores = 40, sockets = 3 }", "sockets: 3 does not divide the 40 cores" },
        { "return { cores = 4, sockets = 0 }", "sockets: must be a whole number from 1 to 16" },
        { "return { cores = 64, sockets = 32 }", "sockets: must be a whole number from 1 to 16" },
        { "return { cores = 2, sockets = 4 }", "sockets: 4 does not divide the 2 cores" },
        { "return { caches = { l3 = { shared = 'cluster' } } }", "shared: must be true, false or \"socket\"" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        model_config c = { 0 };
        assert_false(load(bad[i].over, &c, &err));
        if (strstr(err->message, bad[i].says) == NULL)
            fail_msg("%s: '%s' does not say '%s'", bad[i].over, err->message, bad[i].says);
        g_clear_error(&err);
        model_config_clear(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l2_shared_within_socket),
        cmocka_unit_test(test_transfer_across_sockets),
        cmocka_unit_test(test_ping_pong_within_and_across),
        cmocka_unit_test(test_upgrade_within_and_across),
        cmocka_unit_test(test_fetch_copy_dropped_on_write),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_loader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
