/* tests/irq_fixture.h: the recorder core and helpers shared by the tests
 * of the interrupt controllers (test_irq*.c; header-only, include after
 * <cmocka.h>).
 *
 * The "core" here is a recorder: the controller's signal callback writes
 * down (core, line, time), and, when asked, acknowledges at once and ends
 * the interrupt, the way an idle core would.  Time is driven with sim_run
 * to a target: the run stops with the clock at the target after every
 * event due then, so a call made afterwards acts "at the target, last".
 */
#pragma once

#include <inttypes.h>
#include <string.h>
#include <glib.h>

#include "sim/sim.h"
#include "model/irq.h"

typedef struct sig {
    unsigned core, line;
    sim_time_t at;
} sig;

typedef struct rec {
    sim *s;
    hwirq *c;
    sig sigs[1024];
    int nsig;
    bool auto_ack;       /* acknowledge on every signal */
    bool auto_end;       /* and end it at once (EOI, or NVIC return with its tail-chains) */
    bool quiet;          /* count signals only (long fuzz runs) */
    sig acks[1024];      /* what was taken, when */
    int nack;
} rec;

static inline void rec_take(rec *r, unsigned core, unsigned line)
{
    if (r->quiet && r->nack == (int)G_N_ELEMENTS(r->acks))
        r->nack = 0;
    assert_true(r->nack < (int)G_N_ELEMENTS(r->acks));
    r->acks[r->nack++] = (sig){ core, line, sim_now(r->s) };
}

static inline void rec_signal(void *ctx, unsigned core, unsigned line)
{
    rec *r = ctx;
    if (!r->quiet) {
        assert_true(r->nsig < (int)G_N_ELEMENTS(r->sigs));
        r->sigs[r->nsig] = (sig){ core, line, sim_now(r->s) };
    }
    r->nsig++;
    if (!r->auto_ack)
        return;
    for (;;) {
        unsigned l = hwirq_ack(r->c, core, NULL);
        if (l == HWIRQ_NONE)
            return;
        rec_take(r, core, l);
        if (!r->auto_end)
            return;
        if (hwirq_get_kind(r->c) == HWIRQ_NVIC) {
            hwirq_ret ret = hwirq_return(r->c, core);
            while (ret.kind == HWIRQ_RET_TAIL_CHAIN) {
                rec_take(r, core, ret.line);
                ret = hwirq_return(r->c, core);
            }
        } else {
            assert_int_equal(hwirq_eoi(r->c, core, l), HWIRQ_OK);
        }
    }
}

static inline sim *new_sim(uint64_t seed)
{
    GError *err = NULL;
    simtr *tr = simtr_open(NULL, &err);
    if (tr == NULL)
        fail_msg("simtr_open(NULL): %s", err ? err->message : "?");
    return sim_new(seed, tr);
}

static inline hwirq *new_ctl(rec *r, sim *s, hwirq_kind kind, unsigned ncores, unsigned nlines,
                      unsigned prio_bits, sim_time_t latency)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    hwirq_config cfg = {
        .kind = kind, .ncores = ncores, .nlines = nlines, .prio_bits = prio_bits,
        .ipi_latency = latency, .signal = rec_signal, .core_ctx = r,
    };
    GError *err = NULL;
    hwirq *c = hwirq_new(s, &cfg, &err);
    if (c == NULL)
        fail_msg("hwirq_new: %s", err ? err->message : "?");
    r->c = c;
    assert_true(hwirq_verify(c));
    return c;
}

static inline void run_to(sim *s, sim_time_t t)
{
    sim_run(s, t, 0);
    assert_true(sim_now(s) == t);
}

/* Compare recorded (core, line, time) triples with the expected ones. */
static inline void assert_sigs(const sig *got, int ngot, const sig *want, int nwant, const char *what, int line)
{
    bool same = ngot == nwant;
    for (int i = 0; same && i < nwant; i++)
        same = got[i].core == want[i].core && got[i].line == want[i].line && got[i].at == want[i].at;
    if (same)
        return;
    GString *m = g_string_new(NULL);
    g_string_append_printf(m, "line %d: %s differ\n  got: ", line, what);
    for (int i = 0; i < ngot; i++)
        g_string_append_printf(m, " c%u/%u@%" PRIu64, got[i].core, got[i].line, got[i].at);
    g_string_append(m, "\n want: ");
    for (int i = 0; i < nwant; i++)
        g_string_append_printf(m, " c%u/%u@%" PRIu64, want[i].core, want[i].line, want[i].at);
    fail_msg("%s", m->str);
}
#define ASSERT_SIGS(r, ...) do { \
        static const sig want_[] = { __VA_ARGS__ }; \
        assert_sigs((r)->sigs, (r)->nsig, want_, (int)G_N_ELEMENTS(want_), "signals", __LINE__); \
    } while (0)
#define ASSERT_ACKS(r, ...) do { \
        static const sig want_[] = { __VA_ARGS__ }; \
        assert_sigs((r)->acks, (r)->nack, want_, (int)G_N_ELEMENTS(want_), "acknowledgements", __LINE__); \
    } while (0)

static inline void list_at(hwirq *c, unsigned core, unsigned line, sim_time_t t)
{
    GError *err = NULL;
    if (hwirq_source_list(c, core, line, &t, 1, &err) == NULL)
        fail_msg("hwirq_source_list: %s", err ? err->message : "?");
}
