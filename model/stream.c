/* model/stream.c: user memory accesses as a stream in time (see stream.h). */
#include "stream.h"
#include "hw.h"

#define PAGE UINT64_C(4096)     /* the kernel maps 4 KiB pages (hw.c) */

#define PS_PER_S UINT64_C(1000000000000)

/* The time of cycle base + dd of a stream: its start for dd = 0, else
 * the first picosecond at which the core's counter reads base + dd,
 * hwtimer_tick_time's ceil((base + dd) 10^12 / f).  With base 10^12 =
 * q f + r (at the start) that is q + ceil((r + dd 10^12) / f): one 64-bit
 * division while dd 10^12 + r stays below 2^64 (dd up to 1.8e7 cycles). */
static sim_time_t time_of(const hw *h, const hwstream_run *r, uint64_t dd)
{
    if (dd == 0)
        return r->start;
    uint64_t f = h->cfg.freq_hz;
    sim_time_t t = dd <= UINT64_C(18000000) ? r->tick_q + hwdiv_div(&h->mem->freq, r->tick_r + dd * PS_PER_S + f - 1)
                                            : hwtimer_tick_time(f, 1, r->base + dd);
    return t > r->start ? t : r->start;
}

/* base 10^12 = *q f + *r (0 <= *r < f), by the machine's divider of f (no
 * 128-bit division; host speed only, the same values).  With base = b1 f
 * + r1, r1 10^6 = b2 f + r2 and r2 10^6 = b3 f + r3: base 10^12 = (b1
 * 10^12 + b2 10^6 + b3) f + r3.  r1, r2 < f, so r1 10^6 and r2 10^6 fit in
 * 64 bits for any f below 1.8e13 Hz; the quotient is the base's time in
 * picoseconds, below 2^64.  tests/test_stream.c checks it against the
 * 128-bit division. */
void hwstream_tick_split(const hwdiv *f, uint64_t base, uint64_t *q, uint64_t *r)
{
    uint64_t b1 = hwdiv_div(f, base), r1 = base - b1 * f->d;
    uint64_t x2 = r1 * UINT64_C(1000000), b2 = hwdiv_div(f, x2), r2 = x2 - b2 * f->d;
    uint64_t x3 = r2 * UINT64_C(1000000), b3 = hwdiv_div(f, x3);
    *q = b1 * PS_PER_S + b2 * UINT64_C(1000000) + b3;
    *r = x3 - b3 * f->d;
}

/* The work done before the next line of a range (word of a list), taken
 * in order from the first: W spread evenly over its n lines (words), the
 * work before unit i being floor(W (i + 1) / n) - floor(W i / n).  With W =
 * q n + r and W i = Q n + R (R < n), that is q, plus 1 when R + r >= n; R
 * moves on by r modulo n.  No division per unit. */
static uint64_t next_work(hwstream *st)
{
    uint64_t units = st->words ? st->nwords : st->lines;
    if (st->work == 0 || units == 0)
        return 0;
    uint64_t w = st->work_q;
    st->work_acc += st->work_r;     /* both below units: no overflow for any count of units a host can hold */
    if (st->work_acc >= units) {
        st->work_acc -= units;
        w++;
    }
    return w;
}

/* Whether the access being made is a write. */
static bool writing(const hwstream *st)
{
    return st->write || (st->words && st->mixed && st->pos >= st->write_from);
}

/* The translation of the page of va (MMU: the TLB, a walk on a miss,
 * costed from t into *cyc) or the MPU's check of [va, end); false on a
 * fault. */
static bool map(hw *h, unsigned c, hwstream *st, uint64_t va, uint64_t end, sim_time_t t, uint64_t *cyc)
{
    if (h->cfg.has_mpu) {
        /* physical addresses, 32 bits, checked against the core's regions */
        hwmpu_fault f;
        if (va > UINT32_MAX || end - 1 > UINT32_MAX || end > h->cfg.mem.size
            || !hwmpu_check(&h->core[c].mpu, (uint32_t)va, (uint32_t)(end - va), writing(st) ? HWMPU_WRITE : HWMPU_READ,
                            false, &f))
            return false;
        st->map_va = va, st->map_end = end, st->map_pa = va;
    } else {
        unsigned acc = (writing(st) ? HWPT_ACC_WRITE : 0) | HWPT_ACC_USER;
        uint64_t pa;
        if (!hw_translate_repeat(h, c, va, acc, &pa)) {
            hwpt_result r;
            *cyc += hw_translate(h, c, va, acc, t, &r);
            if (r.fault.kind != HWPT_OK)
                return false;
            pa = r.paddr;
        }
        st->map_va = va, st->map_end = (va & ~(PAGE - 1)) + PAGE, st->map_pa = pa;
    }
    st->mapped = true;
    return true;
}

static void finish(hw *h, unsigned c, hwstream_run *r)
{
    r->st.done = true;
    h->streams &= ~(UINT64_C(1) << c);
    r->next_at = time_of(h, r, r->d);
    sim_schedule(h->s, r->ev, r->next_at, r->prio);
}

/* Issue core c's next line at t (its issue time).  True when the stream
 * has ended (its owner's event is then scheduled at r->next_at). */
static bool step(hw *h, unsigned c, hwstream_run *r, sim_time_t t)
{
    hwstream *st = &r->st;
    hwmem_counters *n = &h->mem->core[c].n;
    uint64_t cross0 = n->cross_cycles, cyc = 0;
    uint64_t va, end;
    if (st->words) {
        uint64_t w = st->words[st->pos];
        va = w + st->sub;
        end = w + 8;
        if (end < w) {          /* a word past the end of the address space */
            st->fault = true;
            finish(h, c, r);
            return true;
        }
    } else {
        va = st->vaddr + st->pos;
        end = st->vaddr + st->len;
    }
    bool ok = true;
    if (!st->mapped || va < st->map_va || va >= st->map_end)
        ok = map(h, c, st, va, h->cfg.has_mpu ? end : MIN(end, (va & ~(PAGE - 1)) + PAGE), t, &cyc);
    if (ok) {
        uint64_t line = UINT64_C(1) << h->mem->line_shift;
        cyc += hwmem_access(h->mem, c, st->map_pa + (va - st->map_va), writing(st) ? HWMEM_WRITE : HWMEM_READ,
                            cyc ? time_of(h, r, r->d + cyc) : t, NULL);
        uint64_t adv = MIN(line - (va & (line - 1)), end - va);
        if (st->words) {
            st->sub += adv;
            if (va + adv == end) {
                st->pos++, st->sub = 0;
                st->mapped = false;     /* each word is translated, as a touch of its own */
            }
        } else {
            st->pos += adv;
            st->line++;
        }
    }
    h->core[c].user_cross_cycles += n->cross_cycles - cross0;
    r->d += cyc;
    if (!ok || (st->words ? st->pos == st->nwords : st->pos == st->len)) {
        st->fault = !ok;
        finish(h, c, r);
        return true;
    }
    if (!st->words)
        r->d += next_work(st);
    else if (st->sub == 0)
        r->d += next_work(st);     /* a word is done: the work before the next */
    r->next_at = time_of(h, r, r->d);
    return false;
}

static void stream_event(void *owner, simq_event *ev);

/* The next event the engine will dispatch (or the run's target, whose
 * events are dispatched too): a line due before it is issued now.  The
 * queue is looked at without being changed (simq_first), since a stream
 * that ends schedules its core's event before that one.  Other machines'
 * stream events are looked past (they share no memory with this one, and
 * stopping at each other's would cost an event per line): they are taken
 * off the queue while it looks and put back after, at their times and in
 * their order. */
#define SKIP_MAX 64
static void horizon(hw *h, sim_time_t *t, unsigned *prio)
{
    sim *s = h->s;
    *t = s->running ? s->target : s->now;
    *prio = SIMQ_PRIO_MAX + 1;
    simq_event *skip[SKIP_MAX];
    unsigned n = 0;
    const simq_event *e;
    while ((e = simq_first(&s->queue)) != NULL && e->fn == stream_event && n < SKIP_MAX && e->when <= *t) {
        skip[n] = (simq_event *)e;     /* another machine's: ours to put back */
        sim_deschedule(s, skip[n++]);
    }
    if (e) {
        unsigned p = (unsigned)(e->order >> SIMQ_SEQ_BITS);
        if (e->when < *t || (e->when == *t && p < *prio))
            *t = e->when, *prio = p;
    }
    for (unsigned i = 0; i < n; i++)
        sim_schedule(s, skip[i], skip[i]->when, HWSTREAM_PRIO);
}

static bool before(sim_time_t t, unsigned prio, sim_time_t hz, unsigned hz_prio)
{
    return t < hz || (t == hz && prio < hz_prio);
}

/* A line due at t goes before the next event: before it in the queue's
 * order, or at the same time another machine's stream event (machines
 * share no memory: their lines may go in either order, and waiting for
 * each other would never end). */
static bool due(sim_time_t t, sim_time_t hz, unsigned hz_prio)
{
    return t < hz || (t == hz && HWSTREAM_PRIO <= hz_prio);
}

/* Issue the machine's streams' lines in time order (ties: the lower core
 * first) up to the next event; then wait for it on the stream event. */
static void advance(hw *h)
{
    sim *s = h->s;
    if (simq_scheduled(&h->stream_ev))
        sim_deschedule(s, &h->stream_ev);
    sim_time_t hz;
    unsigned hz_prio;
    horizon(h, &hz, &hz_prio);
    while (h->streams) {
        unsigned c = 0;
        sim_time_t t = SIM_TIME_MAX;
        for (uint64_t m = h->streams; m; m &= m - 1) {
            unsigned i = (unsigned)__builtin_ctzll(m);
            if (h->core[i].stream.next_at < t)
                t = h->core[i].stream.next_at, c = i;
        }
        if (!due(t, hz, hz_prio)) {
            sim_schedule(s, &h->stream_ev, t, HWSTREAM_PRIO);
            return;
        }
        hwstream_run *r = &h->core[c].stream;
        /* an ended stream's event (its thread goes on) is the next event
         * if it comes first */
        if (step(h, c, r, t) && before(r->next_at, r->prio, hz, hz_prio))
            hz = r->next_at, hz_prio = r->prio;
    }
}

static void stream_event(void *owner, simq_event *ev)
{
    (void)owner;
    advance((hw *)((char *)ev - offsetof(hw, stream_ev)));
}

void hwstream_start(hw *h, unsigned core, const hwstream *st, simq_event *ev, unsigned prio)
{
    g_assert(core < h->cfg.cores && !h->core[core].stream.active);
    h->stream_ev.fn = stream_event;
    hwstream_run *r = &h->core[core].stream;
    r->st = *st;
    hwstream *s = &r->st;
    if (!s->started) {
        g_assert(s->words ? s->nwords >= 1 : s->len >= 1 && s->vaddr + s->len > s->vaddr);
        s->started = true;
        s->done = s->fault = false;
        s->pos = s->sub = s->line = 0;
        unsigned ls = h->mem->line_shift;
        s->lines = s->words ? 0 : ((s->vaddr + s->len - 1) >> ls) - (s->vaddr >> ls) + 1;
        uint64_t units = s->words ? s->nwords : s->lines;
        s->work_q = units ? s->work / units : 0;
        s->work_r = units ? s->work % units : 0;
        s->work_acc = 0;
        s->wait = next_work(s);
    }
    s->mapped = false;          /* a (re)start translates again */
    r->active = true;
    r->start = sim_now(h->s);
    r->base = hwtimer_ticks_at(h->cfg.freq_hz, 1, r->start);
    hwstream_tick_split(&h->mem->freq, r->base, &r->tick_q, &r->tick_r);
    r->d = s->wait;
    s->wait = 0;
    r->ev = ev;
    r->prio = prio;
    r->next_at = time_of(h, r, r->d);
    if (s->done) {              /* only the rest of its last access or of its work */
        sim_schedule(h->s, ev, r->next_at, prio);
        return;
    }
    h->streams |= UINT64_C(1) << core;
    advance(h);
}

uint64_t hwstream_stop(hw *h, unsigned core, hwstream *keep)
{
    hwstream_run *r = &h->core[core].stream;
    g_assert(r->active);
    sim_time_t now = sim_now(h->s);
    /* every line due before now has been issued: the next is not earlier */
    g_assert(r->next_at >= now);
    uint64_t at = hwtimer_ticks_at(h->cfg.freq_hz, 1, now);
    uint64_t ran = at > r->base ? MIN(at - r->base, r->d) : 0;
    *keep = r->st;
    keep->wait = r->d - ran;
    r->active = false;
    h->streams &= ~(UINT64_C(1) << core);
    if (simq_scheduled(r->ev))
        sim_deschedule(h->s, r->ev);
    if (h->streams == 0 && simq_scheduled(&h->stream_ev))
        sim_deschedule(h->s, &h->stream_ev);
    return ran;
}

uint64_t hwstream_end(hw *h, unsigned core, hwstream *out)
{
    hwstream_run *r = &h->core[core].stream;
    g_assert(r->active && r->st.done);
    *out = r->st;
    r->active = false;
    return r->d;
}
