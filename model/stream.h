/* model/stream.h: user memory accesses as a stream in time.
 *
 * A thread's touch (cos_touch, cos_touch_words, cos_touch_compute) is not
 * charged all at once when it is made: its accesses are issued one after
 * another over its duration, as an in-order core with one miss
 * outstanding issues them.  What is modelled, exactly:
 *
 *  - the unit is one line (model/mem.h: one cache line, or a 32-bit word
 *    on a machine without caches); a range's lines go in address order, a
 *    list of words word by word, each word's lines in order;
 *  - a line is issued when the one before it has completed (its latency:
 *    an L1 hit, or a miss with its bus wait and memory latency) and the
 *    work between them is done: misses never overlap each other or the
 *    work (no MSHRs, no prefetch, no out-of-order execution), so a stream
 *    alone costs what the accesses would cost one after another plus its
 *    work, as before;
 *  - work (cycles of compute a touch declares, cos_touch_compute) is
 *    spread evenly over a range's lines: before line i of n, the
 *    difference floor((i + 1) W / n) - floor(i W / n); a list of words
 *    (cos_touch_words_rw: reads then writes, with the instructions of the
 *    code that makes them) the same over its words;
 *  - the page of a line is translated (the TLB, a walk through the caches
 *    on a miss) at its first line, at each word, and again after the
 *    stream restarts; the MPU checks the rest of a range, or a word, at
 *    the same points.  A fault ends the stream when the translation that
 *    found it has completed; the lines before it were made;
 *  - times are the core's cycle grid: the stream starts at the current
 *    time, its i-th cycle is the first picosecond at which the core's
 *    cycle counter has advanced i from where it stood then
 *    (model/timer.h hwtimer_tick_time), as a compute's end is.
 *
 * Time order across cores.  A machine's streams are advanced together, in
 * the order of their issue times (ties: the lower core first), and only
 * up to the engine's next event (or the run's target): at any event, every
 * stream has issued exactly the lines due before it, so another core's
 * kernel path, interrupt or stream meets the bus and the shared caches as
 * they are at that time.  A stream that reaches the next event stops
 * there and goes on from one engine event of the machine's own
 * (HWSTREAM_PRIO: before anything else due at the same picosecond), so
 * the engine sees one event per stream end plus one per other event met
 * during a stream, not one per line.  A kernel path still costs its own
 * accesses ahead of the streams, from its start (model/mem.h).
 *
 * Preemption: hwstream_stop at the current time keeps what is left (the
 * lines not yet issued, the rest of the access or work in progress) in a
 * hwstream, which hwstream_start resumes later, as a compute keeps its
 * remaining cycles.
 *
 * Layer: above hw.c (it translates through hw_translate); hw.h includes
 * this header for the per-core state it keeps, and never calls in here.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "sim/sim.h"
#include "div.h"

struct hw;

/* The engine priority of a machine's stream event: a line due at a
 * picosecond is issued before the timer (24), interrupts (32, 48) and the
 * kernel's core events (64) due then. */
#define HWSTREAM_PRIO 16u

/* One request and its progress.  To start one, fill the request and zero
 * the rest; hwstream_stop leaves the progress of a stopped one here for a
 * later hwstream_start. */
typedef struct hwstream {
    /* the request */
    uint64_t vaddr, len;        /* a range (words == NULL), len >= 1 */
    const uint64_t *words;      /* or an 8-byte word at each of nwords >= 1 addresses, in order; the
                                   array (the caller's) must stay until the stream ends */
    uint64_t nwords;
    uint64_t work;              /* cycles of compute spread over a range's lines (a list's words) */
    bool write;
    bool mixed;                 /* words: those from write_from on are writes, those before reads */
    uint64_t write_from;
    /* progress */
    bool started;
    bool done;                  /* nothing left to issue: what remains is `wait` */
    bool fault;                 /* it ended in a fault (at word `pos` for words) */
    uint64_t pos;               /* range: bytes done; words: the word being made */
    uint64_t sub;               /* words: bytes of it done */
    uint64_t line, lines;       /* range: lines issued, of `lines` */
    uint64_t wait;              /* cycles before the next line issues (the rest of an access, or work) */
    uint64_t work_q, work_r, work_acc;  /* work / units, work % units, work x (units done) % units */
    bool mapped;                /* [map_va, map_end) translates to map_pa + offset */
    uint64_t map_va, map_end, map_pa;
} hwstream;

/* A core's stream in progress (kept in hw_core). */
typedef struct hwstream_run {
    hwstream st;
    bool active;                /* started and not yet ended or stopped */
    sim_time_t start;           /* when it (re)started */
    uint64_t base;              /* the core's cycle count then */
    uint64_t tick_q, tick_r;    /* base x 10^12 = tick_q x f + tick_r (stream.c time_of) */
    uint64_t d;                 /* cycles from base to the next line's issue (when done: to the end) */
    sim_time_t next_at;         /* the time of cycle base + d */
    simq_event *ev;             /* the owner's, scheduled at the end */
    unsigned prio;
} hwstream_run;

/* Start st (or resume a stopped one) on `core` at the current time; ev is
 * scheduled (at prio) at the time the stream ends.  The machine's streams
 * may advance at once: call it last in an event handler (nothing the
 * handler schedules afterwards may fall before the next queued event). */
void hwstream_start(struct hw *h, unsigned core, const hwstream *st, simq_event *ev, unsigned prio);
/* Stop core's stream at the current time (ev, if scheduled, is taken off
 * the queue): *keep gets what is left; returns the cycles it ran since it
 * (re)started (user time). */
uint64_t hwstream_stop(struct hw *h, unsigned core, hwstream *keep);
/* The stream ended (ev came): *out gets its final state (done; fault and
 * where); returns the cycles it ran since it (re)started. */
uint64_t hwstream_end(struct hw *h, unsigned core, hwstream *out);

/* base x 10^12 = *q f + *r, 0 <= *r < f, for f = the divider's divisor
 * below 1.8e13 (a stream's start: hwstream_run's tick_q and tick_r). */
void hwstream_tick_split(const hwdiv *f, uint64_t base, uint64_t *q, uint64_t *r);
