/* rtcore/core.c: the RTOS's portable core (see core.h).
 *
 * Freestanding: no library calls, no host pointers kept in RAM.  Built
 * into the simulator with RTC_HOSTED and, for the instruction counts, by
 * scripts/rtos-counts.py for Thumb-2 (a change here changes the counts;
 * the slow test rtos-counts says when compare/rtos/counts.h is stale).
 */
#include "core.h"

#define TCB(a) RTC(rtc_tcb, k, a)
#define NODE(a) RTC(rtc_node, k, a)
#define LIST(a) RTC(rtc_list, k, a)
#define QUEUE(a) RTC(rtc_queue, k, a)
#define ADDR(p) ((uint32_t)((const unsigned char *)(p) - (const unsigned char *)(k)) + k->self)

/* ---- lists ------------------------------------------------------------------- */

static void list_remove(rtc_kernel *k, rtc_node *n)
{
    rtc_list *l = LIST(n->list);
    if (n->prev)
        NODE(n->prev)->next = n->next;
    else
        l->first = n->next;
    if (n->next)
        NODE(n->next)->prev = n->prev;
    else
        l->last = n->prev;
    l->n--;
    n->next = n->prev = n->list = 0;
}

static void list_push_back(rtc_kernel *k, uint32_t list, rtc_node *n)
{
    rtc_list *l = LIST(list);
    uint32_t a = ADDR(n);
    n->next = 0;
    n->prev = l->last;
    n->list = list;
    if (l->last)
        NODE(l->last)->next = a;
    else
        l->first = a;
    l->last = a;
    l->n++;
}

/* After every node of key <= n->key: FIFO among equals. */
static void list_insert_sorted(rtc_kernel *k, uint32_t list, rtc_node *n)
{
    rtc_list *l = LIST(list);
    uint32_t a = ADDR(n), at = l->first;
    while (at && NODE(at)->key <= n->key)
        at = NODE(at)->next;
    if (at == 0) {
        list_push_back(k, list, n);
        return;
    }
    rtc_node *next = NODE(at);
    n->next = at;
    n->prev = next->prev;
    n->list = list;
    if (next->prev)
        NODE(next->prev)->next = a;
    else
        l->first = a;
    next->prev = a;
    l->n++;
}

/* ---- ready lists ---------------------------------------------------------------- */

static void make_ready(rtc_kernel *k, rtc_tcb *t)
{
    t->state = RTC_READY;
    list_push_back(k, ADDR(&k->ready[t->prio]), &t->state_node);
    k->ready_bits |= 1u << t->prio;
}

static void unready(rtc_kernel *k, rtc_tcb *t)
{
    list_remove(k, &t->state_node);
    if (k->ready[t->prio].n == 0)
        k->ready_bits &= ~(1u << t->prio);
}

void rtc_init(rtc_kernel *k, uint32_t self)
{
    unsigned char *p = (unsigned char *)k;
    for (uint32_t i = 0; i < sizeof *k; i++)
        p[i] = 0;
    k->self = self;
}

void rtc_task_init(rtc_kernel *k, uint32_t tcb, uint32_t prio, uint32_t id, uint32_t stack, uint32_t stack_bytes)
{
    rtc_tcb *t = TCB(tcb);
    unsigned char *p = (unsigned char *)t;
    for (uint32_t i = 0; i < sizeof *t; i++)
        p[i] = 0;
    t->prio = prio;
    t->id = id;
    t->stack = stack;
    t->stack_bytes = stack_bytes;
    t->sp = stack + stack_bytes;
    t->state_node.owner = tcb;
    t->event_node.owner = tcb;
    t->event_node.key = RTC_PRIOS - prio;
    make_ready(k, t);
}

void rtc_switch_context(rtc_kernel *k)
{
    rtc_list *l = &k->ready[rtc_top_prio(k->ready_bits)];
    uint32_t first = l->first;
    rtc_node *n = NODE(first);
    if (l->n > 1) {
        /* round robin: the chosen one goes to the back */
        list_remove(k, n);
        list_push_back(k, ADDR(l), n);
    }
    k->cur = n->owner;
}

uint32_t rtc_yield(rtc_kernel *k)
{
    rtc_tcb *cur = TCB(k->cur);
    return k->ready[cur->prio].n > 1 || rtc_top_prio(k->ready_bits) > cur->prio ? RTC_SWITCH : 0;
}

/* The caller stops being ready: until `until` (a tick) or for ever. */
static void block(rtc_kernel *k, rtc_tcb *t, uint32_t until)
{
    unready(k, t);
    t->state = RTC_BLOCKED;
    t->woke = RTC_WOKE_NONE;
    if (until != RTC_FOREVER) {
        t->state_node.key = until;
        list_insert_sorted(k, ADDR(&k->delayed), &t->state_node);
    }
}

uint32_t rtc_delay(rtc_kernel *k, uint32_t ticks)
{
    if (ticks == 0)
        return rtc_yield(k);
    block(k, TCB(k->cur), k->tick + ticks);
    return RTC_SWITCH;
}

uint32_t rtc_suspend(rtc_kernel *k, uint32_t tcb)
{
    rtc_tcb *t = TCB(tcb);
    if (t->state == RTC_READY)
        unready(k, t);
    else if (t->state_node.list)
        list_remove(k, &t->state_node);
    if (t->event_node.list)
        list_remove(k, &t->event_node);
    t->state = RTC_SUSPENDED;
    return tcb == k->cur ? RTC_SWITCH : 0;
}

/* A blocked task becomes ready; RTC_SWITCH when it outranks the current
 * one (strictly: an equal one waits for the tick's time slice). */
static uint32_t wake(rtc_kernel *k, rtc_tcb *t, uint32_t why)
{
    if (t->event_node.list)
        list_remove(k, &t->event_node);
    if (t->state_node.list)
        list_remove(k, &t->state_node);
    t->woke = why;
    make_ready(k, t);
    return t->prio > TCB(k->cur)->prio ? RTC_SWITCH : 0;
}

uint32_t rtc_tick(rtc_kernel *k)
{
    uint32_t flags = 0;
    uint32_t tick = ++k->tick;
    rtc_tcb *cur = TCB(k->cur);
    while (k->delayed.first) {
        rtc_node *n = NODE(k->delayed.first);
        if (n->key > tick)
            break;
        rtc_tcb *t = TCB(n->owner);
        wake(k, t, RTC_WOKE_TIMEOUT);
        if (t->prio >= cur->prio)
            flags = RTC_SWITCH;
    }
    if (k->ready[cur->prio].n > 1)
        flags = RTC_SWITCH;     /* time slicing among equals */
    return flags;
}

void rtc_queue_init(rtc_kernel *k, uint32_t q, uint32_t storage, uint32_t length, uint32_t item_size)
{
    rtc_queue *qu = QUEUE(q);
    unsigned char *p = (unsigned char *)qu;
    for (uint32_t i = 0; i < sizeof *qu; i++)
        p[i] = 0;
    qu->storage = storage;
    qu->length = length;
    qu->item_size = item_size;
}

static void copy(rtc_kernel *k, uint32_t to, uint32_t from, uint32_t n)
{
    if (((to | from | n) & 3u) == 0) {
        volatile uint32_t *d = RTC(volatile uint32_t, k, to);
        const volatile uint32_t *s = RTC(const volatile uint32_t, k, from);
        for (uint32_t i = 0; i < n / 4; i++)
            d[i] = s[i];
        return;
    }
    volatile unsigned char *d = RTC(volatile unsigned char, k, to);
    const volatile unsigned char *s = RTC(const volatile unsigned char, k, from);
    for (uint32_t i = 0; i < n; i++)
        d[i] = s[i];
}

/* Put an item in (there is room); wake the first receiver. */
static uint32_t put(rtc_kernel *k, rtc_queue *q, uint32_t src)
{
    if (q->item_size) {
        copy(k, q->storage + q->write * q->item_size, src, q->item_size);
        if (++q->write == q->length)
            q->write = 0;
    }
    q->count++;
    if (q->receivers.first)
        return wake(k, TCB(NODE(q->receivers.first)->owner), RTC_WOKE_EVENT);
    return 0;
}

/* The caller waits on `list` (its queue's senders or receivers). */
static void wait_on(rtc_kernel *k, uint32_t list, uint32_t until)
{
    rtc_tcb *cur = TCB(k->cur);
    block(k, cur, until);
    list_insert_sorted(k, list, &cur->event_node);
}

uint32_t rtc_queue_send(rtc_kernel *k, uint32_t q, uint32_t src, uint32_t until)
{
    rtc_queue *qu = QUEUE(q);
    rtc_tcb *cur = TCB(k->cur);
    uint32_t woke = cur->woke;
    cur->woke = RTC_WOKE_NONE;
    if (qu->count < qu->length)
        return RTC_OK | put(k, qu, src);
    if (woke == RTC_WOKE_TIMEOUT)
        return RTC_TIMED_OUT;
    if (until == 0 || (until != RTC_FOREVER && until <= k->tick))
        return RTC_FULL;
    wait_on(k, ADDR(&qu->senders), until);
    return RTC_BLOCKED_NOW | RTC_SWITCH;
}

uint32_t rtc_queue_recv(rtc_kernel *k, uint32_t q, uint32_t dst, uint32_t until)
{
    rtc_queue *qu = QUEUE(q);
    rtc_tcb *cur = TCB(k->cur);
    uint32_t woke = cur->woke;
    cur->woke = RTC_WOKE_NONE;
    if (qu->count) {
        if (qu->item_size) {
            copy(k, dst, qu->storage + qu->read * qu->item_size, qu->item_size);
            if (++qu->read == qu->length)
                qu->read = 0;
        }
        qu->count--;
        if (qu->senders.first)
            return RTC_OK | wake(k, TCB(NODE(qu->senders.first)->owner), RTC_WOKE_EVENT);
        return RTC_OK;
    }
    if (woke == RTC_WOKE_TIMEOUT)
        return RTC_TIMED_OUT;
    if (until == 0 || (until != RTC_FOREVER && until <= k->tick))
        return RTC_EMPTY;
    wait_on(k, ADDR(&qu->receivers), until);
    return RTC_BLOCKED_NOW | RTC_SWITCH;
}

uint32_t rtc_queue_send_isr(rtc_kernel *k, uint32_t q, uint32_t src)
{
    rtc_queue *qu = QUEUE(q);
    if (qu->count >= qu->length)
        return RTC_FULL;
    return RTC_OK | put(k, qu, src);
}
