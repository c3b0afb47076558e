/* model/irq_source.c: device interrupt sources (irq.h): periodic, seeded
 * sporadic and explicit lists of times.  A source is an engine event at
 * HWIRQ_PRIO_RAISE that raises its line through the public hwirq_raise, as a
 * device's wire would; it knows nothing of which controller it feeds beyond
 * asking the controller's ops table which lines a device may use.  Sources
 * belong to their controller, which frees them and checks their invariant
 * (I7, irq_state.h).
 */
#include "model/irq_state.h"

static sim_time_t add_sat(sim_time_t a, sim_time_t b)
{
    return b > SIM_TIME_MAX - a ? SIM_TIME_MAX : a + b;
}

/* The random part of a sporadic gap, in whole picoseconds. */
static sim_time_t sporadic_extra(hwirq_source *src)
{
    if (src->extra == 0)
        return 0;
    if (src->dist == HWIRQ_EXTRA_UNIFORM) {
        if (src->extra == SIM_TIME_MAX)
            return simrng_next(&src->rng);
        return simrng_below(&src->rng, src->extra + 1);   /* integers 0..extra, no bias */
    }
    double x = simrng_exponential(&src->rng, (double)src->extra);
    if (!(x < 1.8e19))
        return SIM_TIME_MAX;
    return (sim_time_t)x;    /* rounded down to a whole picosecond */
}

static void source_arm(hwirq_source *src)
{
    if (src->stopped || src->next == SIM_TIME_MAX)
        return;
    sim_schedule(src->c->s, &src->ev, src->next, HWIRQ_PRIO_RAISE);
}

static void source_fire(void *owner, simq_event *ev)
{
    (void)owner;
    hwirq_source *src = (hwirq_source *)ev;
    hwirq_status st = hwirq_raise(src->c, src->core, src->line);
    if (st == HWIRQ_OK)
        src->st.raised++;
    else if (st == HWIRQ_COALESCED)
        src->st.coalesced++;
    else
        src->st.dropped++;

    sim_time_t at = src->next;
    switch (src->kind) {
    case HWIRQ_SRC_PERIODIC:
        src->next = add_sat(at, src->period);
        break;
    case HWIRQ_SRC_SPORADIC:
        src->next = add_sat(add_sat(at, src->min_gap), sporadic_extra(src));
        break;
    case HWIRQ_SRC_LIST:
        src->pos++;
        src->next = src->pos < src->ntimes ? src->times[src->pos] : SIM_TIME_MAX;
        break;
    }
    source_arm(src);      /* not if next saturated at the end of time: done */
}

static bool source_check(hwirq *c, unsigned core, unsigned line, GError **error)
{
    if (core >= c->ncores) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "core: %u, but the machine has %u cores",
                    core, c->ncores);
        return false;
    }
    if (line >= c->nlines) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "line: %u, but the %s has lines 0..%u", line, hwirq_kind_name(c->ops->kind),
                    c->nlines - 1);
        return false;
    }
    return c->ops->device_line(line, error);   /* which lines a device may use */
}

static hwirq_source *source_new(hwirq *c, int kind, unsigned core, unsigned line)
{
    hwirq_source *src = g_new0(hwirq_source, 1);
    simq_event_init(&src->ev, source_fire);
    src->c = c;
    src->kind = kind;
    src->core = core;
    src->line = line;
    g_ptr_array_add(c->sources, src);
    return src;
}

hwirq_source *hwirq_source_periodic(hwirq *c, unsigned core, unsigned line, sim_time_t period,
                                    sim_time_t phase, GError **error)
{
    if (!source_check(c, core, line, error))
        return NULL;
    if (period == 0) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "period: must be at least 1 ps (got 0)");
        return NULL;
    }
    hwirq_source *src = source_new(c, HWIRQ_SRC_PERIODIC, core, line);
    src->period = period;
    /* The first phase + k * period at or after now. */
    sim_time_t now = sim_now(c->s);
    if (phase >= now) {
        src->next = phase;
    } else {
        sim_time_t k = (now - phase + period - 1) / period;
        src->next = k > (SIM_TIME_MAX - phase) / period ? SIM_TIME_MAX : phase + k * period;
    }
    source_arm(src);
    return src;
}

hwirq_source *hwirq_source_sporadic(hwirq *c, unsigned core, unsigned line, sim_time_t start,
                                    sim_time_t min_gap, hwirq_extra_dist dist, sim_time_t extra,
                                    const char *stream, GError **error)
{
    if (!source_check(c, core, line, error))
        return NULL;
    if (min_gap == 0 && extra == 0) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "min_gap: 0 with extra 0 would raise forever at one picosecond");
        return NULL;
    }
    if (dist != HWIRQ_EXTRA_EXPONENTIAL && dist != HWIRQ_EXTRA_UNIFORM) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG, "dist: %d is not exponential or uniform",
                    (int)dist);
        return NULL;
    }
    if (stream == NULL || stream[0] == '\0') {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "stream: a sporadic source needs a named random stream");
        return NULL;
    }
    if (start < sim_now(c->s)) {
        g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                    "start: %" G_GUINT64_FORMAT " ps is before now (%" G_GUINT64_FORMAT " ps)",
                    (guint64)start, (guint64)sim_now(c->s));
        return NULL;
    }
    hwirq_source *src = source_new(c, HWIRQ_SRC_SPORADIC, core, line);
    src->min_gap = min_gap;
    src->extra = extra;
    src->dist = dist;
    sim_rng(c->s, stream, &src->rng);
    src->next = add_sat(start, sporadic_extra(src));
    source_arm(src);
    return src;
}

hwirq_source *hwirq_source_list(hwirq *c, unsigned core, unsigned line, const sim_time_t *times,
                                size_t n, GError **error)
{
    if (!source_check(c, core, line, error))
        return NULL;
    sim_time_t now = sim_now(c->s);
    for (size_t i = 0; i < n; i++) {
        if (times[i] < now) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "times[%zu]: %" G_GUINT64_FORMAT " ps is before now (%" G_GUINT64_FORMAT " ps)",
                        i, (guint64)times[i], (guint64)now);
            return NULL;
        }
        if (i > 0 && times[i] < times[i - 1]) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "times[%zu]: %" G_GUINT64_FORMAT " ps comes before times[%zu] = %" G_GUINT64_FORMAT
                        " ps; the list must not decrease", i, (guint64)times[i], i - 1, (guint64)times[i - 1]);
            return NULL;
        }
        if (times[i] == SIM_TIME_MAX) {
            g_set_error(error, HWIRQ_ERROR, HWIRQ_ERROR_CONFIG,
                        "times[%zu]: the end of time cannot be a raise time", i);
            return NULL;
        }
    }
    hwirq_source *src = source_new(c, HWIRQ_SRC_LIST, core, line);
    src->times = n ? g_memdup2(times, n * sizeof *times) : NULL;
    src->ntimes = n;
    src->next = n ? times[0] : SIM_TIME_MAX;
    source_arm(src);
    return src;
}

void hwirq_source_stop(hwirq_source *src)
{
    if (src->stopped)
        return;
    src->stopped = true;
    if (simq_scheduled(&src->ev))
        sim_deschedule(src->c->s, &src->ev);
    src->next = SIM_TIME_MAX;
}

hwirq_source_stats hwirq_source_get_stats(const hwirq_source *src)
{
    hwirq_source_stats st = src->st;
    st.next = src->stopped ? SIM_TIME_MAX : src->next;
    return st;
}
