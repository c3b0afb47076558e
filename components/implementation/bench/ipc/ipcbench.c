/* components/implementation/bench/ipc/ipcbench.c: the IPC round-trip benchmark (scenarios/ipc-roundtrip.lua).
 *
 * The booter (entry 0, on core 0) builds two components, a client and a
 * server, each with its own capability table and address space (page
 * table with its own ASID/PCID, or MPU layout), and measures from the
 * client, with the core's cycle counter read just before and just after:
 *
 *  (a) thread migration: an invocation (sinv) of the server's empty
 *      function and its return, on the client's thread;
 *  (b) L4-style IPC between two threads: the client sends to the server's
 *      endpoint and waits on its own (asnd+rcv in one call, as seL4's Call),
 *      the server wakes, replies to the client's endpoint and waits on its
 *      own again (seL4's ReplyRecv).
 *
 * warm: after `warmup` unmeasured rounds; cold: the caches and TLBs are
 * flushed (COS_OP_HW_FLUSH) before each measured round.  Each measurement
 * reports its median, minimum, maximum and mean over `iterations` rounds
 * with cos_report ("sinv.median", ...).
 *
 * The boot argument packs the parameters: bits 0-31 iterations (at most
 * IPCBENCH_MAX_ITERATIONS: each is a sample kept for the median), 32-47
 * warm-up rounds, bit 48 cold (ipcbench_arg builds it), bits 49-58 the
 * server's working set in KiB (0, the default: none; at most
 * IPCBENCH_MAX_WS_KIB).  With a working set, the server reads each of its
 * lines on every request, in the invoked function (sinv) and in the server
 * thread (ipc) alike: its own memory, pages after the first (which holds
 * nothing the benchmark touches), so a request costs the path plus what the
 * caches and the TLB make of that many bytes (scenarios/labs/ipc.lua).
 */
#include "components/lib/booter.h"
#include "components/lib/stats.h"

#define IPCBENCH_MAX_ITERATIONS 1000000u
#define IPCBENCH_MAX_WS_KIB 1023u
#include "components/images.h"

/* the client's and server's capability slots (given in this order by the booter) */
enum { C_SINV = 1, C_ASND = 2, C_RCV = 3, C_HW = 4 };
enum { S_RCV = 1, S_ASND = 2 };
enum { E_BOOT = 0, E_CLIENT = 1, E_EMPTY = 2, E_SERVER = 3 };

typedef struct params {
    uint64_t iterations, warmup;
    bool cold;
    uint64_t ws_bytes;
} params;

/* The server's block: where its working set starts, how big it is. */
typedef struct server_state {
    uint64_t ws_base, ws_bytes;
} server_state;

static params unpack(cos_word arg)
{
    return (params){ .iterations = arg & 0xFFFFFFFFu, .warmup = (arg >> 32) & 0xFFFFu, .cold = (arg >> 48) & 1u,
                     .ws_bytes = ((arg >> 49) & 0x3FFu) * 1024u };
}

/* The client's block (its own memory, freed with the system however the
 * run ends): the samples of one measurement. */
static size_t block_bytes(uint64_t iterations)
{
    return sizeof(uint64_t) * (size_t)(iterations ? iterations : 1);
}

/* The server's work on a request: read its working set, if it has one. */
static cos_err serve(void)
{
    const server_state *s = cos_comp_data();
    if (s == NULL || s->ws_bytes == 0)
        return COS_OK;
    return cos_touch_range(s->ws_base, s->ws_bytes, false);
}

static cos_word empty(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    cos_err e = serve();
    if (e != COS_OK)
        cos_report("server.error", e);
    return 0;
}

/* The server thread: wait, then reply-and-wait for ever. */
static cos_word server(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    cos_ret r = cos_rcv(S_RCV, 0);
    while (r.err == COS_OK) {
        cos_err e = serve();
        if (e != COS_OK) {
            cos_report("server.error", e);
            return 0;
        }
        r = cos_asnd_rcv(S_ASND, S_RCV);
    }
    cos_report("server.error", r.err);
    return 0;
}

static cos_word client(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    params p = unpack(arg);
    if (p.iterations > IPCBENCH_MAX_ITERATIONS) {
        cos_report("client.error", COS_EINVAL);     /* more samples than it keeps */
        return 0;
    }
    uint64_t *v = cos_comp_data();
    if (v == NULL) {
        cos_report("client.error", COS_ENOMEM);
        return 0;
    }
    for (int what = 0; what < 2; what++) {
        uint64_t n = 0;
        for (uint64_t i = 0; i < p.warmup + p.iterations; i++) {
            bool measured = i >= p.warmup;
            if (measured && p.cold && cos_hw_flush(C_HW) != COS_OK)
                cos_report("client.error", -1);
            uint64_t t0 = cos_cycles();
            cos_err e = what == 0 ? cos_sinv(C_SINV, 0, 0, 0, 0).err : cos_asnd_rcv(C_ASND, C_RCV).err;
            uint64_t t1 = cos_cycles();
            if (e != COS_OK) {
                cos_report(what == 0 ? "sinv.error" : "ipc.error", e);
                break;
            }
            if (measured)
                v[n++] = t1 - t0;
        }
        cos_bench_report(what == 0 ? "sinv" : "ipc", v, n);
    }
    return 0;
}

#define CHECK(x) do { cos_err e_ = (x); if (e_) { cos_report("boot.error", e_); cos_report("boot.line", __LINE__); return 0; } } while (0)

static cos_word boot(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3)
{
    (void)caller, (void)a2, (void)a3;
    if (core != 0)
        return 0;
    bt b;
    bt_comp cl, sv;
    cos_capid sl, tc, ts, rc, rs, ac, as;
    CHECK(bt_init(&b));
    CHECK(bt_comp_new(&b, COS_IMAGE_IPCBENCH, 1, &cl));
    params p = unpack(arg);
    CHECK(bt_comp_new(&b, COS_IMAGE_IPCBENCH, 1 + (unsigned)((p.ws_bytes + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE), &sv));
    if (p.ws_bytes) {
        server_state *ss = cos_comp_load(sv.comp, sizeof *ss);
        if (ss == NULL)
            CHECK(COS_ENOMEM);
        *ss = (server_state){ .ws_base = sv.base + COS_PAGE_SIZE, .ws_bytes = p.ws_bytes };
    }
    if (p.iterations <= IPCBENCH_MAX_ITERATIONS && cos_comp_load(cl.comp, block_bytes(p.iterations)) == NULL)
        CHECK(COS_ENOMEM);
    CHECK(bt_sinv(&b, &cl, &sv, E_EMPTY, &sl));
    CHECK(bt_thd(&b, &cl, E_CLIENT, arg, &tc));
    CHECK(bt_thd(&b, &sv, E_SERVER, 0, &ts));
    /* the threads' endpoints, under this (the root) scheduler */
    CHECK(bt_rcv(&b, tc, 0, COS_BOOT_RCV(0), &rc));
    CHECK(bt_rcv(&b, ts, 0, COS_BOOT_RCV(0), &rs));
    CHECK(bt_asnd(&b, rs, &as));
    CHECK(bt_asnd(&b, rc, &ac));
    cos_capid s;
    CHECK(bt_give(&b, &cl, as, &s));
    CHECK(s == C_ASND ? COS_OK : COS_EINVAL);
    CHECK(bt_give(&b, &cl, rc, &s));
    CHECK(s == C_RCV ? COS_OK : COS_EINVAL);
    CHECK(bt_give(&b, &cl, COS_BOOT_HW, &s));
    CHECK(s == C_HW ? COS_OK : COS_EINVAL);
    CHECK(bt_give(&b, &sv, rs, &s));
    CHECK(s == S_RCV ? COS_OK : COS_EINVAL);
    CHECK(bt_give(&b, &sv, ac, &s));
    CHECK(s == S_ASND ? COS_OK : COS_EINVAL);
    /* the server first: it runs until it waits on its endpoint */
    CHECK(cos_switch(ts, 0, 0, 0, 0, 0));
    CHECK(cos_switch(tc, 0, 0, 0, 0, 0));
    /* the client has finished when this thread runs again with nothing
     * else runnable */
    cos_report("boot.done", 1);
    return 0;
}

static const cos_entry_fn entries[] = { [E_BOOT] = boot, [E_CLIENT] = client, [E_EMPTY] = empty, [E_SERVER] = server };

const cos_image cos_image_ipcbench = { "ipc-bench", entries, 4 };
