/* compare/monolithic/bench.c: the microbenchmarks (bench.h), as user
 * programs of the monolithic kernel: each thread's user code is a small
 * state machine that issues one request at a time (mono.h).
 *
 * Calls mono.c only.
 */
#include "bench_int.h"

#include <string.h>

#define REQ_PIPE_VA MONO_DATA_VA
#define REP_PIPE_VA (MONO_DATA_VA + 64)
#define MSG_BYTES 8u
/* the writer's poll while the reader is not yet blocked (xcore) */
#define POLL_CYCLES 1000u

static const char *const names[MONO_BENCH_MEASURES] = { "switch", "ipc", "xcore", "sensor" };

bool mono_measure_parse(const char *name, mono_measure *m)
{
    for (unsigned i = 0; i < MONO_BENCH_MEASURES; i++)
        if (strcmp(name, names[i]) == 0) {
            *m = (mono_measure)i;
            return true;
        }
    return false;
}

const char *mono_measure_name(mono_measure m)
{
    return m < MONO_BENCH_MEASURES ? names[m] : "?";
}

#define req(op, a0, a1, a2) mono_bench_req((op), (a0), (a1), (a2))
#define fail(b, ret) mono_bench_fail((b), (ret))
#define round_end(b) mono_bench_round_end(b)

/* A round begins: a cold start when asked, then the clock is read. */
static void round_begin(mono_bench *b)
{
    if (!b->cfg.warm)
        for (unsigned i = 0; i < b->cores_used; i++)
            (void)hw_flush_cold(b->h, i);
    b->t0 = mono_cycles(b->k);
}

/* ---- switch: A yields to B, B yields back -------------------------------------------- */

static mono_req switch_a(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    mono_bench *b = arg;
    fail(b, ret);
    if (b->round > 0 && round_end(b))
        return req(MONO_REQ_EXIT, 0, 0, 0);
    b->round++;
    round_begin(b);
    return req(MONO_REQ_YIELD, 0, 0, 0);
}

static mono_req switch_b(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    mono_bench *b = arg;
    fail(b, ret);
    return req(b->done ? MONO_REQ_EXIT : MONO_REQ_YIELD, 0, 0, 0);
}

/* ---- ipc: request and reply through two pipes ----------------------------------------- */

static mono_req ipc_client(mono_thread *t, int64_t ret, void *arg)
{
    mono_bench *b = arg;
    fail(b, ret);
    if (b->st[0].stage == 0) {
        /* write the request */
        if (b->round > 0 && round_end(b))
            return req(MONO_REQ_EXIT, 0, 0, 0);
        b->round++;
        uint64_t *m = mono_user_mem(t, REQ_PIPE_VA, MSG_BYTES);
        *m = b->round;
        b->st[0].stage = 1;
        round_begin(b);
        return req(MONO_REQ_WRITE, b->req, REQ_PIPE_VA, MSG_BYTES);
    }
    b->st[0].stage = 0;
    return req(MONO_REQ_READ, b->rep, REP_PIPE_VA, MSG_BYTES);
}

static mono_req ipc_server(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    mono_bench *b = arg;
    fail(b, ret);
    if (b->st[1].stage == 0) {
        b->st[1].stage = 1;
        return req(MONO_REQ_READ, b->req, REQ_PIPE_VA, MSG_BYTES);
    }
    /* the reply is the request's bytes, from the same buffer */
    b->st[1].stage = 0;
    return req(MONO_REQ_WRITE, b->rep, REQ_PIPE_VA, MSG_BYTES);
}

/* ---- xcore: a write on core 0 wakes a reader blocked on core 1 ------------------------- */

static mono_req xcore_writer(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    mono_bench *b = arg;
    fail(b, ret);
    if (b->done)
        return req(MONO_REQ_EXIT, 0, 0, 0);
    /* the reader has asked to read and its core has gone idle: it sleeps
     * in the pipe's wait */
    if (!b->reader_ready || !mono_core_idle(b->k, 1))
        return req(MONO_REQ_COMPUTE, POLL_CYCLES, 0, 0);
    b->reader_ready = false;
    b->round++;
    round_begin(b);
    return req(MONO_REQ_WRITE, b->req, REQ_PIPE_VA, MSG_BYTES);
}

static mono_req xcore_reader(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    mono_bench *b = arg;
    fail(b, ret);
    if (b->round > 0 && round_end(b))
        return req(MONO_REQ_EXIT, 0, 0, 0);
    b->reader_ready = true;
    return req(MONO_REQ_READ, b->req, REQ_PIPE_VA, MSG_BYTES);
}

/* ---- setting up ------------------------------------------------------------------------- */

#define BENCH_PRIO 10u

mono_bench *mono_bench_new(mono *k, const mono_bench_cfg *cfg, GError **error)
{
    hw *h = mono_machine(k);
    if (cfg->measure >= MONO_BENCH_MEASURES || cfg->rounds == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "monolithic.bench: no such measure, or no rounds");
        return NULL;
    }
    if (cfg->measure == MONO_BENCH_XCORE && h->cfg.cores < 2) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "monolithic.bench: measure 'xcore' needs a machine of 2 cores or more (%s has %u)", h->cfg.name,
                    h->cfg.cores);
        return NULL;
    }
    mono_bench *b = g_new0(mono_bench, 1);
    b->k = k;
    b->h = h;
    b->cfg = *cfg;
    b->samples = g_array_new(false, false, sizeof(uint64_t));
    if (cfg->measure == MONO_BENCH_SENSOR) {
        b->cores_used = 1;
        if (!mono_sensor_setup(b, error)) {
            mono_bench_free(b);
            return NULL;
        }
        mono_start(k);
        return b;
    }
    b->cores_used = cfg->measure == MONO_BENCH_XCORE ? 2 : 1;
    mono_proc *p1 = mono_proc_new(k);
    mono_proc *p2 = cfg->measure == MONO_BENCH_SWITCH ? p1 : mono_proc_new(k);
    bool ok = p1 && p2;
    switch (cfg->measure) {
    case MONO_BENCH_SWITCH:
        ok = ok && mono_thread_new(k, p1, 0, BENCH_PRIO, switch_a, b) && mono_thread_new(k, p1, 0, BENCH_PRIO, switch_b, b);
        break;
    case MONO_BENCH_IPC:
        b->req = mono_pipe_new(k);
        b->rep = mono_pipe_new(k);
        /* the server first: it runs first and blocks in its read */
        ok = ok && mono_thread_new(k, p2, 0, BENCH_PRIO, ipc_server, b)
             && mono_thread_new(k, p1, 0, BENCH_PRIO, ipc_client, b);
        break;
    case MONO_BENCH_XCORE:
        b->req = mono_pipe_new(k);
        ok = ok && mono_thread_new(k, p2, 1, BENCH_PRIO, xcore_reader, b)
             && mono_thread_new(k, p1, 0, BENCH_PRIO, xcore_writer, b);
        break;
    default: g_assert_not_reached();
    }
    if (!ok) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "monolithic.bench: the machine's memory ran out");
        mono_bench_free(b);
        return NULL;
    }
    mono_start(k);
    return b;
}

bool mono_bench_done(const mono_bench *b)
{
    return mono_bench_over(b);
}

const uint64_t *mono_bench_samples(const mono_bench *b, unsigned *n)
{
    *n = b->samples->len;
    return (const uint64_t *)(void *)b->samples->data;
}

int64_t mono_bench_error(const mono_bench *b)
{
    return b->error;
}

void mono_bench_free(mono_bench *b)
{
    if (b == NULL)
        return;
    mono_sensor_free(b->sensor);
    g_array_free(b->samples, true);
    g_free(b);
}
