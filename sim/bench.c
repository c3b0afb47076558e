/* sim/bench.c: engine micro-benchmarks (see bench.h).
 *
 * 1. schedule+dispatch: PENDING events in the queue; each handler
 *    reschedules itself a pseudo-random delay ahead, so the queue stays at
 *    PENDING entries and every dispatch is one pop and one push through the
 *    real run loop.
 * 2. context switches: the host and one context pass control back and
 *    forth; each pass is one switch.
 * 3. trace rows: event rows through the trace writer into SQLite with the
 *    digest, and the digest alone (what --trace none costs).
 */
#include "bench.h"

#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "sim.h"

#define PENDING 10000
#define DELAYS 4096

typedef struct bench_q {
    sim_time_t delay[DELAYS];
    uint32_t next;
} bench_q;

typedef struct bench_ev {
    simq_event ev;        /* first: the handler gets &ev */
    bench_q *q;
} bench_ev;

static void bench_fire(void *owner, simq_event *ev)
{
    bench_q *q = ((bench_ev *)ev)->q;
    sim_after(owner, ev, q->delay[q->next++ & (DELAYS - 1)], 0);
}

static double since(gint64 t0)
{
    return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static bool bench_queue(double scale, simbench_result *r)
{
    simtr *tr = simtr_open(NULL, NULL);
    sim *s = sim_new(1, tr);
    bench_q *q = g_new0(bench_q, 1);
    simrng rng;
    sim_rng(s, "bench", &rng);
    for (int i = 0; i < DELAYS; i++)
        q->delay[i] = 1 + simrng_below(&rng, 2 * SIM_US);   /* mean 1us between an event's firings */
    bench_ev *evs = g_new0(bench_ev, PENDING);
    for (uint32_t i = 0; i < PENDING; i++) {
        simq_event_init(&evs[i].ev, bench_fire);
        evs[i].q = q;
        sim_schedule(s, &evs[i].ev, simrng_below(&rng, 2 * SIM_US), 0);
    }
    uint64_t n = (uint64_t)(20e6 * scale);
    sim_run(s, SIM_TIME_MAX, n / 10);   /* warm up: heap at size, caches warm */
    gint64 t0 = g_get_monotonic_time();
    sim_run(s, SIM_TIME_MAX, n);
    double dt = since(t0);
    g_assert(simq_verify(&s->queue));
    r->events = n;
    r->pending = PENDING;
    r->events_per_s = (double)n / dt;
    sim_free(s);
    g_free(evs);
    g_free(q);
    return true;
}

typedef struct pingpong {
    simctx *host, *ctx;
    uint64_t n;
} pingpong;

static void ping(void *arg)
{
    pingpong *p = arg;
    for (;;)
        simctx_switch(p->ctx, p->host);
}

static bool bench_switch(double scale, simbench_result *r, GError **error)
{
    pingpong p = { 0 };
    p.host = simctx_new_host();
    p.ctx = simctx_new(0, ping, &p, error);
    if (p.ctx == NULL) {
        simctx_free(p.host);
        return false;
    }
    uint64_t pairs = (uint64_t)(15e6 * scale);
    for (int i = 0; i < 1000; i++)
        simctx_switch(p.host, p.ctx);
    gint64 t0 = g_get_monotonic_time();
    for (uint64_t i = 0; i < pairs; i++)
        simctx_switch(p.host, p.ctx);
    double dt = since(t0);
    r->switches = 2 * pairs;
    r->switches_per_s = (double)(2 * pairs) / dt;
    r->ctx_backend = simctx_backend();
    /* ping never returns; its context is freed while parked, which is allowed */
    simctx_free(p.ctx);
    simctx_free(p.host);
    return true;
}

static double write_rows(const char *path, uint64_t n, GError **error)
{
    simtr *tr = simtr_open(path, error);
    if (tr == NULL)
        return -1;
    sim *s = sim_new(1, tr);
    uint32_t kinds[4] = { sim_kind(s, "dispatch"), sim_kind(s, "invoke"), sim_kind(s, "return"), sim_kind(s, "irq") };
    gint64 t0 = g_get_monotonic_time();
    for (uint64_t i = 0; i < n; i++) {
        s->now += 1000;
        sim_event(s, kinds[i & 3], (int64_t)(i & 1), (int64_t)(i % 7), (int64_t)(i % 3), (int64_t)i,
                  SIM_NONE, SIM_NONE, NULL);
    }
    simtr_run run = { "bench", "-", "none", 1, false, 0, s->now, n };
    char digest[SIMTR_DIGEST_HEX];
    bool ok = sim_finish(s, &run, digest, error);
    double dt = since(t0);
    sim_free(s);
    return ok ? dt : -1;
}

bool simbench_run(double scale, const char *dir, simbench_result *r, GError **error)
{
    memset(r, 0, sizeof *r);
    if (!bench_queue(scale, r))
        return false;
    if (!bench_switch(scale, r, error))
        return false;
    g_autofree char *name = g_strdup_printf("cossim-bench-%d.db", (int)getpid());
    g_autofree char *path = g_build_filename(dir, name, NULL);
    uint64_t n = (uint64_t)(2e6 * scale);
    double dt = write_rows(path, n, error);
    unlink(path);
    if (dt < 0)
        return false;
    r->rows = n;
    r->rows_per_s = (double)n / dt;
    dt = write_rows(NULL, n, error);
    if (dt < 0)
        return false;
    r->hash_rows_per_s = (double)n / dt;
    return true;
}
