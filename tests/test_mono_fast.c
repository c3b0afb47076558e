/* tests/test_mono_fast.c: each twin of compare/monolithic/fast/fast.c and
 * the simulated monolithic kernel agree.
 *
 * The twins are what the monolithic kernel's instruction counts come from
 * (compare/monolithic/path_counts.h, scripts/mono-path-counts.py); they
 * count the right thing only while they do what the simulated kernel
 * does.  Built here for the host (MF_HOSTED: a physical address is an
 * offset into the simulated RAM), on the i7-8700 preset:
 *
 * - schedule() (mono_schedule / mf_sched): after a yield with an equal
 *   task queued, after a block with nothing queued (idle), and with a
 *   preempted task and a higher one queued: the same run queue, task
 *   states and choice;
 * - a wakeup (mono_wake / mf_wake): of a sleeping task of equal priority
 *   (queued, no reschedule), of a higher one (reschedule), on an idle
 *   core (reschedule), and of a task not sleeping (nothing): the same run
 *   queue and verdict;
 * - pipes and futexes, by what a system call returns: a write with no
 *   reader, to a full ring, and a normal one; a read with data, of an empty
 *   ring, at end of file; a futex wait with the wrong word: the twin's
 *   result on the same pipe state is what the thread's request got.
 *
 * Each direct case snapshots the run queue and the tasks, runs the twin,
 * keeps what it left, restores the snapshot and runs the simulated code
 * (on a path of its own: its charges go nowhere), then compares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include "compare/monolithic/internal.h"
#include "compare/monolithic/fast/fast.h"
#include "model/machine.h"

unsigned char *mf_ram;

typedef struct fx {
    sim *s;
    hw *h;
    mono *k;
} fx;

static mono_req idle_fn(mono_thread *t, int64_t ret, void *arg)
{
    (void)t, (void)ret, (void)arg;
    return (mono_req){ .op = MONO_REQ_EXIT };
}

static fx *fx_new(void)
{
    fx *f = g_new0(fx, 1);
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load("i7-8700", &cfg, &err))
        fail_msg("%s", err->message);
    cfg.mem.size = UINT64_C(64) << 20;
    f->s = sim_new(1, simtr_open(NULL, NULL));
    f->h = hw_new(f->s, &cfg, NULL, NULL, &err);
    model_config_clear(&cfg);
    f->k = mono_new(f->s, f->h, &err);
    assert_non_null(f->k);
    mf_ram = hwmem_ram(f->h->mem, 0);
    return f;
}

static void fx_free(fx *f)
{
    mono_free(f->k);
    hw_free(f->h);
    sim_free(f->s);
    g_free(f);
}

/* The bytes of a core's run queue and of every task. */
typedef struct snap {
    mono_rq_o rq;
    mono_task_o task[4];
} snap;

static void take(fx *f, unsigned core, snap *s)
{
    memcpy(&s->rq, mono_ram(f->k, f->k->core[core].rq), sizeof s->rq);
    for (guint i = 0; i < f->k->threads->len && i < 4; i++)
        memcpy(&s->task[i], mono_ram(f->k, ((mono_thread *)g_ptr_array_index(f->k->threads, i))->task),
               sizeof s->task[i]);
}

static void put(fx *f, unsigned core, const snap *s)
{
    memcpy(mono_ram(f->k, f->k->core[core].rq), &s->rq, sizeof s->rq);
    for (guint i = 0; i < f->k->threads->len && i < 4; i++)
        memcpy(mono_ram(f->k, ((mono_thread *)g_ptr_array_index(f->k->threads, i))->task), &s->task[i],
               sizeof s->task[i]);
}

static void same(const snap *a, const snap *b, unsigned n)
{
    assert_memory_equal(&a->rq, &b->rq, sizeof a->rq);
    for (unsigned i = 0; i < n; i++)
        assert_memory_equal(&a->task[i], &b->task[i], sizeof a->task[i]);
}

/* Threads of prios[] on core 0 (queued at boot, none running). */
static fx *with_threads(const unsigned *prios, unsigned n)
{
    fx *f = fx_new();
    mono_proc *p = mono_proc_new(f->k);
    for (unsigned i = 0; i < n; i++)
        assert_non_null(mono_thread_new(f->k, p, 0, prios[i], idle_fn, NULL));
    return f;
}

static mono_thread *thd(fx *f, unsigned i)
{
    return g_ptr_array_index(f->k->threads, i);
}

/* Make thread i core 0's running task, as schedule() would have. */
static void run_first(fx *f)
{
    mono_core *c = &f->k->core[0];
    c->cur = NULL;
    c->now = 0;
    c->cycles = 0;
    mono_schedule(c);
    c->cur = c->next;
}

/* The twin and the simulated schedule() from the same state. */
static void sched_case(fx *f, bool yield, uint32_t prev_state)
{
    mono_core *c = &f->k->core[0];
    unsigned n = f->k->threads->len;
    if (c->cur)
        MONO_OBJ(f->k, mono_task_o, c->cur->task)->state = prev_state;
    snap before, twin, sm;
    take(f, 0, &before);
    mf_cpu cpu = { .yield = yield, .need_resched = 1 };
    uint64_t tn = mf_sched(MONO_OBJ(f->k, mono_rq_o, c->rq),
                           c->cur ? MONO_OBJ(f->k, mono_task_o, c->cur->task) : NULL, &cpu);
    take(f, 0, &twin);
    put(f, 0, &before);
    c->yield = yield;
    c->need_resched = true;
    c->cycles = 0;
    mono_schedule(c);
    take(f, 0, &sm);
    same(&twin, &sm, n);
    assert_int_equal(tn, c->next ? c->next->task : 0);
    assert_int_equal(cpu.yield, c->yield);
    assert_int_equal(cpu.need_resched, c->need_resched);
    c->cur = c->next;
}

static void test_sched(void **state)
{
    (void)state;
    /* a yield with an equal task queued */
    fx *f = with_threads((const unsigned[]){ 10, 10 }, 2);
    run_first(f);
    sched_case(f, true, MONO_RUNNING);
    /* the other one now runs; it blocks with nothing else queued... */
    fx_free(f);
    f = with_threads((const unsigned[]){ 10 }, 1);
    run_first(f);
    sched_case(f, false, MONO_SLEEPING);
    assert_null(f->k->core[0].cur);
    fx_free(f);
    /* preempted by a higher task: prev goes first of its level */
    f = with_threads((const unsigned[]){ 10, 10, 30 }, 3);
    run_first(f);                   /* the 30 runs */
    MONO_OBJ(f->k, mono_task_o, f->k->core[0].cur->task)->state = MONO_SLEEPING;
    sched_case(f, false, MONO_SLEEPING);     /* a 10 runs, the other queued */
    sched_case(f, false, MONO_RUNNING);      /* preempted, no higher: itself again */
    fx_free(f);
}

/* The twin and mono_wake from the same state, waking thread w from
 * core 0's current thread (core `core`'s run queue). */
static void wake_case(fx *f, unsigned w, bool want_resched)
{
    mono_core *c = &f->k->core[0];
    mono_thread *t = thd(f, w);
    mono_core *to = &f->k->core[t->core];
    snap before, twin, sm;
    take(f, t->core, &before);
    unsigned v = mf_wake(MONO_OBJ(f->k, mono_rq_o, to->rq), MONO_OBJ(f->k, mono_task_o, t->task));
    take(f, t->core, &twin);
    put(f, t->core, &before);
    to->need_resched = false;
    c->cycles = 0;
    mono_wake(c, t->task);
    take(f, t->core, &sm);
    same(&twin, &sm, f->k->threads->len);
    assert_int_equal(v == 2, want_resched);
    assert_int_equal(to->need_resched, want_resched);
}

static void test_wake(void **state)
{
    (void)state;
    fx *f = with_threads((const unsigned[]){ 10, 10, 30 }, 3);
    run_first(f);                   /* the 30 runs; the two 10s queued */
    mono_task_o *a = MONO_OBJ(f->k, mono_task_o, thd(f, 0)->task);
    /* thread 0 taken off the queue and asleep (as a block would leave it) */
    MONO_OBJ(f->k, mono_rq_o, f->k->core[0].rq)->head[10] = thd(f, 1)->task;
    MONO_OBJ(f->k, mono_rq_o, f->k->core[0].rq)->nr = 1;
    a->state = MONO_SLEEPING;
    wake_case(f, 0, false);                 /* equal below the running 30: queued only */
    wake_case(f, 0, false);                 /* not sleeping now: nothing */
    fx_free(f);

    f = with_threads((const unsigned[]){ 10, 30 }, 2);
    run_first(f);                   /* the 30 runs, the 10 queued */
    /* the 30 blocks and the 10 runs, then the 30 is woken: reschedule */
    MONO_OBJ(f->k, mono_task_o, f->k->core[0].cur->task)->state = MONO_SLEEPING;
    sched_case(f, false, MONO_SLEEPING);
    wake_case(f, 1, true);
    fx_free(f);

    /* a task of core 1 woken while core 1 is idle: reschedule there */
    f = fx_new();
    mono_proc *p = mono_proc_new(f->k);
    assert_non_null(mono_thread_new(f->k, p, 0, 10, idle_fn, NULL));
    mono_thread *r = mono_thread_new(f->k, p, 1, 10, idle_fn, NULL);
    mono_rq_o *q1 = MONO_OBJ(f->k, mono_rq_o, f->k->core[1].rq);
    memset(q1->head, 0, sizeof q1->head);
    memset(q1->tail, 0, sizeof q1->tail);
    q1->bitmap = 0;
    q1->nr = 0;
    MONO_OBJ(f->k, mono_task_o, r->task)->state = MONO_SLEEPING;
    run_first(f);
    wake_case(f, 1, true);
    fx_free(f);
}

/* ---- pipes and futexes, by the results a thread's requests get ---- */

typedef struct two {
    mono_req req[2];
    int64_t ret[2];
    unsigned pc;
} two;

static mono_req two_fn(mono_thread *t, int64_t ret, void *arg)
{
    (void)t;
    two *s = arg;
    if (s->pc > 0)
        s->ret[s->pc - 1] = ret;
    return s->pc < 2 ? s->req[s->pc++] : (mono_req){ .op = MONO_REQ_EXIT };
}

/* The twin's verdict for request r on pipe 1 in the state *p. */
static int32_t twin_pipe(fx *f, const mono_req *r, const mono_pipe_o *p, uint64_t task)
{
    uint64_t pp = g_array_index(f->k->pipes, uint64_t, 0);
    mono_pipe_o keep = *MONO_OBJ(f->k, mono_pipe_o, pp);
    *MONO_OBJ(f->k, mono_pipe_o, pp) = *p;
    MONO_OBJ(f->k, mono_pipe_o, pp)->buf = keep.buf;
    uint64_t table = mono_alloc(f->k, 8, 8);
    *MONO_OBJ(f->k, uint64_t, table) = pp;
    mf_args a = { .a0 = r->a0, .a1 = r->a1, .a2 = r->a2, .table = table, .n = 1, .task = task };
    uint64_t wake;
    int32_t v = r->op == MONO_REQ_WRITE ? mf_pipe_write(&a, &wake) : mf_pipe_read(&a);
    *MONO_OBJ(f->k, mono_pipe_o, pp) = keep;
    return v;
}

static void pipe_case(mono_req r, mono_pipe_o p, int64_t want)
{
    fx *f = fx_new();
    mono_proc *pr = mono_proc_new(f->k);
    assert_int_equal(mono_pipe_new(f->k), 1);
    two s = { .req = { r, r } };
    mono_thread *t = mono_thread_new(f->k, pr, 0, 10, two_fn, &s);
    uint64_t pp = g_array_index(f->k->pipes, uint64_t, 0);
    int32_t tv = twin_pipe(f, &r, &p, t->task);
    uint64_t buf = MONO_OBJ(f->k, mono_pipe_o, pp)->buf;
    *MONO_OBJ(f->k, mono_pipe_o, pp) = p;
    MONO_OBJ(f->k, mono_pipe_o, pp)->buf = buf;
    mono_start(f->k);
    sim_run(f->s, SIM_MS, 0);
    /* a read of an empty ring sleeps: the twin says so (-11), the thread
     * never comes back */
    if (want == MONO_EAGAIN && r.op == MONO_REQ_READ)
        assert_int_equal(s.pc, 1);
    else
        assert_int_equal(s.ret[0], want);
    assert_int_equal(tv, want);
    fx_free(f);
}

static void test_pipes(void **state)
{
    (void)state;
    mono_req w = { .op = MONO_REQ_WRITE, .a0 = 1, .a1 = MONO_DATA_VA, .a2 = 8 };
    mono_req rd = { .op = MONO_REQ_READ, .a0 = 1, .a1 = MONO_DATA_VA, .a2 = 64 };
    pipe_case(w, (mono_pipe_o){ .readers = 0, .writers = 1 }, MONO_EPIPE);
    pipe_case(w, (mono_pipe_o){ .readers = 1, .writers = 1, .head = 0, .tail = MONO_PIPE_BYTES - 4 }, MONO_EAGAIN);
    pipe_case(w, (mono_pipe_o){ .readers = 1, .writers = 1 }, 8);
    pipe_case(rd, (mono_pipe_o){ .readers = 1, .writers = 1, .head = 100, .tail = 112 }, 12);
    pipe_case(rd, (mono_pipe_o){ .readers = 1, .writers = 1 }, MONO_EAGAIN);
    pipe_case(rd, (mono_pipe_o){ .readers = 1, .writers = 0 }, 0);
}

/* A futex wait whose word differs: EAGAIN from both; an unaligned one:
 * EINVAL from both. */
static void test_futex_checks(void **state)
{
    (void)state;
    fx *f = fx_new();
    mono_proc *p = mono_proc_new(f->k);
    two s = { .req = { { .op = MONO_REQ_FUTEX_WAIT, .a0 = MONO_DATA_VA, .a1 = 1 },
                       { .op = MONO_REQ_FUTEX_WAIT, .a0 = MONO_DATA_VA + 1, .a1 = 0 } } };
    mono_thread *t = mono_thread_new(f->k, p, 0, 10, two_fn, &s);
    uint64_t bk = mono_alloc(f->k, sizeof(mono_bucket_o), 64);
    uint32_t word = 0;
    mf_args a = { .a0 = MONO_DATA_VA, .a1 = 1, .task = t->task, .mm = p->mm };
    int32_t v0 = mf_futex_wait(&a, MONO_OBJ(f->k, mono_bucket_o, bk), &word);
    a.a0 = MONO_DATA_VA + 1;
    a.a1 = 0;
    int32_t v1 = mf_futex_wait(&a, MONO_OBJ(f->k, mono_bucket_o, bk), &word);
    mono_start(f->k);
    sim_run(f->s, SIM_MS, 0);
    assert_int_equal(s.ret[0], MONO_EAGAIN);
    assert_int_equal(v0, MONO_EAGAIN);
    assert_int_equal(s.ret[1], MONO_EINVAL);
    assert_int_equal(v1, MONO_EINVAL);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sched),
        cmocka_unit_test(test_wake),
        cmocka_unit_test(test_pipes),
        cmocka_unit_test(test_futex_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
