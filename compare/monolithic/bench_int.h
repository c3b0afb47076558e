/* compare/monolithic/bench_int.h: the benchmarks' state, shared by
 * bench.c (switch, ipc, xcore) and sensor.c (bench.h is the interface). */
#pragma once

#include "bench.h"

typedef struct mono_sensor mono_sensor;

struct mono_bench {
    mono *k;
    mono_bench_cfg cfg;
    hw *h;
    GArray *samples;        /* uint64_t */
    unsigned round;         /* rounds begun, warm-up included */
    uint64_t t0;            /* the round's start, in core cycles */
    bool done, reader_ready;
    int64_t error;
    unsigned req, rep;      /* pipes */
    unsigned cores_used;
    struct { unsigned stage; } st[2];
    mono_sensor *sensor;    /* sensor.c's state (sensor only) */
};

static inline mono_req mono_bench_req(mono_req_kind op, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return (mono_req){ .op = op, .a0 = a0, .a1 = a1, .a2 = a2 };
}

/* Keep a system call's error (the first one).  (Inline, as the two
 * below: sensor.c does not call back into bench.c.) */
static inline void mono_bench_fail(mono_bench *b, int64_t ret)
{
    if (ret < 0 && b->error == 0)
        b->error = ret;
}

/* A round ends now (its sample: now - b->t0): recorded after the warm-up;
 * true when all are. */
static inline bool mono_bench_round_end(mono_bench *b)
{
    uint64_t dt = mono_cycles(b->k) - b->t0;
    if (b->round > b->cfg.warmup)
        g_array_append_val(b->samples, dt);
    if (b->samples->len >= b->cfg.rounds)
        b->done = true;
    return b->done;
}

/* The benchmark is over: all rounds done, or a system call failed. */
static inline bool mono_bench_over(const mono_bench *b)
{
    return b->done || b->error != 0;
}

/* sensor.c: the options checked, the threads, pipes and device set up;
 * false with an error naming the option. */
bool mono_sensor_setup(mono_bench *b, GError **error);
void mono_sensor_free(mono_sensor *s);
