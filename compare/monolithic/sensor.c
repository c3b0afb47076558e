/* compare/monolithic/sensor.c: the sensor -> actuator loop of Chaos's
 * Table VI on the monolithic kernel (bench.h; docs/compare.md, "The sensor
 * loop").
 *
 * A periodic device source raises line MONO_SENSOR_LINE on core 0.  The
 * hard handler wakes the timer interrupt thread (Linux-RT 4.4's
 * ktimersoftd: a kernel thread, no process), which runs timerfd's expiry:
 * it writes the 8-byte expiration count into the timer pipe, where the
 * first stage sleeps in read, as a timerfd's reader does.  Stage i
 * computes its share of `work`, then writes `bytes` from its buffer into
 * the pipe of stage i + 1, which sleeps in read; the last stage computes
 * and writes its bytes to the actuator's pipe.  The sample is from the
 * interrupt's raise to the last stage's user code after that write
 * returns.  The last stage then drains the actuator's pipe (outside the
 * sample) and waits again.  Cores 1..yielders each run a process whose
 * one thread loops on sched_yield until the benchmark is done.
 *
 * Calls mono.c and the machine's interrupt sources (model/irq.h).
 */
#include "bench_int.h"

#include "model/irq.h"
#include "model/timer.h"

#define IRQ_PRIO 50u        /* Linux-RT's threaded handlers' default priority */
#define STAGE_PRIO 40u      /* stage i runs at 40 - i: the first stage highest */
#define YIELD_PRIO 1u
#define TICK_BYTES 8u       /* what a timerfd read returns: the expirations, a u64 */

#define req(op, a0, a1, a2) mono_bench_req((op), (a0), (a1), (a2))

typedef struct stage {
    mono_sensor *s;
    unsigned i, in, out, in_bytes, phase;
    uint64_t buf, share;    /* its buffer (user VA), its cycles of work */
} stage;

typedef struct yielder {
    mono_sensor *s;
    bool started;
    uint64_t calls;         /* system calls returned */
} yielder;

struct mono_sensor {
    mono_bench *b;
    hwirq_source *src;
    unsigned irq;           /* mono_irq_attach's id */
    unsigned timer, act;    /* pipes: the timerfd's, the actuator's */
    unsigned kphase;        /* the interrupt thread's: 0 new, 1 waiting, 2 writing */
    bool busy;              /* a round is running */
    uint64_t overruns;
    stage st[MONO_SENSOR_STAGES];
    yielder *y;             /* [cfg.yielders] */
    uint64_t *yields;       /* [cfg.yielders], for mono_bench_yields */
};

void mono_bench_sensor_defaults(mono_bench_cfg *cfg)
{
    cfg->period = 5 * SIM_MS;
    cfg->work = 0;
    cfg->stages = 3;
    cfg->bytes = 256;
    cfg->yielders = 0;
}

/* ---- the interrupt thread ------------------------------------------------------------------ */

static mono_req ktimer(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    mono_sensor *s = arg;
    mono_bench *b = s->b;
    mono_bench_fail(b, ret);
    if (s->kphase == 1 && !mono_bench_over(b)) {
        /* an interrupt woke it */
        if (s->busy) {
            /* the round before is still running: the expiration merges
             * into it (a timerfd's count would read 2), no round starts */
            s->overruns++;
            return req(MONO_REQ_IRQ_WAIT, s->irq, 0, 0);
        }
        s->busy = true;
        b->round++;
        /* the raise that woke it is the source's latest: the next one's
         * time less a period (a later one cannot have come yet: the
         * thread outranks everything on core 0) */
        hwirq_source_stats st = hwirq_source_get_stats(s->src);
        sim_time_t raise = st.next - b->cfg.period;
        b->t0 = hwtimer_ticks_at(b->h->cfg.freq_hz, 1, raise);
        s->kphase = 2;
        return req(MONO_REQ_WRITE, s->timer, 0, TICK_BYTES);
    }
    s->kphase = 1;
    return req(MONO_REQ_IRQ_WAIT, s->irq, 0, 0);
}

/* ---- the stages ------------------------------------------------------------------------------ */

static mono_req stage_fn(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    stage *g = arg;
    mono_sensor *s = g->s;
    mono_bench *b = s->b;
    mono_bench_fail(b, ret);
    bool last = g->i + 1 == b->cfg.stages;
    switch (g->phase) {
    case 1:
        /* the input has come */
        if (ret != (int64_t)g->in_bytes && b->error == 0)
            b->error = ret < 0 ? ret : MONO_EINVAL;
        g->phase = 2;
        if (g->share)
            return req(MONO_REQ_COMPUTE, g->share, 0, 0);
        /* fall through */
    case 2:
        /* computed: on to the next stage, or out to the actuator */
        g->phase = last ? 3 : 0;
        return req(MONO_REQ_WRITE, g->out, g->buf, b->cfg.bytes);
    case 3:
        /* the actuator's write has returned: the round is over */
        s->busy = false;
        if (mono_bench_round_end(b))
            hwirq_source_stop(s->src);
        g->phase = 0;
        return req(MONO_REQ_READ, s->act, g->buf, b->cfg.bytes);     /* drained */
    default:
        /* wait for the next input; the last stage, its output drained,
         * starts the next round cold when asked (outside the sample) */
        if (last && !b->cfg.warm && b->round > 0)
            (void)hw_flush_cold(b->h, 0);
        g->phase = 1;
        return req(MONO_REQ_READ, g->in, g->buf, g->in_bytes);
    }
}

/* ---- the interference ---------------------------------------------------------------------- */

static mono_req yield_fn(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    yielder *y = arg;
    mono_bench *b = y->s->b;
    if (y->started) {
        y->calls++;
        y->s->yields[y - y->s->y] = y->calls;
    }
    y->started = true;
    mono_bench_fail(b, ret);
    return req(mono_bench_over(b) ? MONO_REQ_EXIT : MONO_REQ_YIELD, 0, 0, 0);
}

/* ---- setting up ------------------------------------------------------------------------------ */

static bool bad(GError **error, const char *what)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "monolithic.bench: sensor: %s", what);
    return false;
}

bool mono_sensor_setup(mono_bench *b, GError **error)
{
    mono *k = b->k;
    hw *h = b->h;
    const mono_bench_cfg *cfg = &b->cfg;
    char why[160];
    if (cfg->period < MONO_SENSOR_MIN_PERIOD)
        return bad(error, "period must be 10us or more");
    if (cfg->stages < 1 || cfg->stages > MONO_SENSOR_STAGES) {
        g_snprintf(why, sizeof why, "stages must be from 1 to %u, not %u", MONO_SENSOR_STAGES, cfg->stages);
        return bad(error, why);
    }
    if (cfg->bytes < 1 || cfg->bytes > MONO_PIPE_BYTES) {
        g_snprintf(why, sizeof why, "bytes must be from 1 to %u, not %u", MONO_PIPE_BYTES, cfg->bytes);
        return bad(error, why);
    }
    if (cfg->yielders >= h->cfg.cores) {
        g_snprintf(why, sizeof why, "yielders must be from 0 to %u (cores 1..%u of %s), not %u", h->cfg.cores - 1,
                   h->cfg.cores - 1, h->cfg.name, cfg->yielders);
        return bad(error, why);
    }
    mono_sensor *s = g_new0(mono_sensor, 1);
    b->sensor = s;
    s->b = b;
    s->y = g_new0(yielder, cfg->yielders);
    s->yields = g_new0(uint64_t, cfg->yielders);
    mono_proc *app = mono_proc_new(k);
    mono_thread *kt = app ? mono_thread_new(k, NULL, 0, IRQ_PRIO, ktimer, s) : NULL;
    bool ok = kt != NULL;
    if (ok)
        s->irq = mono_irq_attach(k, MONO_SENSOR_LINE, 0, kt);
    s->timer = mono_pipe_new(k);
    for (unsigned i = 0; ok && i < cfg->stages; i++) {
        stage *g = &s->st[i];
        g->s = s;
        g->i = i;
        g->in = i == 0 ? s->timer : s->st[i - 1].out;
        g->in_bytes = i == 0 ? TICK_BYTES : cfg->bytes;
        g->out = mono_pipe_new(k);
        /* a page of the process's data each (the fifth stage shares the first's) */
        g->buf = MONO_DATA_VA + 4096u * (i % MONO_DATA_PAGES);
        g->share = cfg->work / cfg->stages + (i + 1 == cfg->stages ? cfg->work % cfg->stages : 0);
        ok = mono_thread_new(k, app, 0, STAGE_PRIO - i, stage_fn, g) != NULL;
    }
    if (ok)
        s->act = s->st[cfg->stages - 1].out;
    for (unsigned j = 0; ok && j < cfg->yielders; j++) {
        mono_proc *p = mono_proc_new(k);
        s->y[j].s = s;
        ok = p && mono_thread_new(k, p, j + 1, YIELD_PRIO, yield_fn, &s->y[j]);
    }
    if (!ok) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "monolithic.bench: the machine's memory ran out");
        return false;
    }
    /* the first raise a period from now: every thread is asleep by then */
    s->src = hwirq_source_periodic(h->irq, 0, MONO_SENSOR_LINE, cfg->period, sim_now(h->s) + cfg->period, error);
    return s->src != NULL;
}

void mono_sensor_free(mono_sensor *s)
{
    if (s == NULL)
        return;
    g_free(s->y);
    g_free(s->yields);
    g_free(s);
}

uint64_t mono_bench_overruns(const mono_bench *b)
{
    return b->sensor ? b->sensor->overruns : 0;
}

const uint64_t *mono_bench_yields(const mono_bench *b, unsigned *n)
{
    *n = b->sensor ? b->cfg.yielders : 0;
    return b->sensor ? b->sensor->yields : NULL;
}
