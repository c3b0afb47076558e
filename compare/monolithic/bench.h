/* compare/monolithic/bench.h: the Chaos Table II microbenchmarks on the
 * monolithic kernel (docs/compare.md).
 *
 *   switch  two threads of one process on core 0 ping-pong with
 *           sched_yield; a sample is A's round trip A -> B -> A (two
 *           switches: one way is half of it);
 *   ipc     a client and a server process on core 0: the client writes 8
 *           bytes into the request pipe and reads the 8-byte reply from the
 *           reply pipe; a sample is that round trip (4 system calls, 2
 *           address-space switches);
 *   xcore   a writer on core 0, a reader blocked in read on core 1 (two
 *           processes): a sample is from the writer's user code just
 *           before its write to the reader's user code just after its read
 *           returns, one way;
 *   sensor  Chaos Table VI's sensor -> actuator loop: a periodic device
 *           interrupt on core 0 wakes the timer interrupt thread, which
 *           wakes a chain of `stages` threads of one process through pipes;
 *           a sample is from the interrupt's raise to the last stage's
 *           user code after its output write (sensor.c).
 * Samples are in the cores' cycles (every core counts from time 0 at the
 * machine's frequency, as a TSC).  `warmup` rounds run first, unrecorded;
 * with warm false the machine's caches are written back and dropped and
 * the cores' TLBs flushed before every round (outside the sample). */
#pragma once

#include "mono.h"

typedef enum { MONO_BENCH_SWITCH, MONO_BENCH_IPC, MONO_BENCH_XCORE, MONO_BENCH_SENSOR, MONO_BENCH_MEASURES } mono_measure;

#define MONO_SENSOR_STAGES 8u       /* at most this many stages */
#define MONO_SENSOR_LINE 40u        /* the device line (every MMU preset's controller has it) */
/* The shortest period: shorter, the interrupt's own paths could fill it. */
#define MONO_SENSOR_MIN_PERIOD (10 * SIM_US)

typedef struct mono_bench_cfg {
    mono_measure measure;
    unsigned rounds, warmup;
    bool warm;
    /* sensor only (mono_bench_sensor_defaults) */
    sim_time_t period;          /* the device's period */
    uint64_t work;              /* user cycles per round, over the stages */
    unsigned stages;            /* 1..MONO_SENSOR_STAGES */
    unsigned bytes;             /* per message, 1..MONO_PIPE_BYTES */
    unsigned yielders;          /* cores 1..yielders loop on sched_yield */
} mono_bench_cfg;

/* The sensor options' defaults: 5 ms, no work, 3 stages, 256 bytes, no
 * yielders. */
void mono_bench_sensor_defaults(mono_bench_cfg *cfg);

typedef struct mono_bench mono_bench;

/* Parse a measure's name; false if unknown. */
bool mono_measure_parse(const char *name, mono_measure *m);
const char *mono_measure_name(mono_measure m);
/* Set the benchmark up on kernel k (its processes, threads and pipes) and
 * start it; run the simulation until mono_bench_done. */
mono_bench *mono_bench_new(mono *k, const mono_bench_cfg *cfg, GError **error);
bool mono_bench_done(const mono_bench *b);
/* The recorded samples (cfg.rounds when done). */
const uint64_t *mono_bench_samples(const mono_bench *b, unsigned *n);
/* The first error a benchmark's system call returned (0 none). */
int64_t mono_bench_error(const mono_bench *b);
/* sensor: interrupts that came while a round was still running (merged
 * into it, as a timerfd's expirations are: no round starts for them). */
uint64_t mono_bench_overruns(const mono_bench *b);
/* sensor: per yielder (core 1..yielders) the system calls it made. */
const uint64_t *mono_bench_yields(const mono_bench *b, unsigned *n);
void mono_bench_free(mono_bench *b);
