/* components/implementation/chan/spsc/chan.c: single-producer
 * single-consumer channels: a ring in the app's memory (a header line with
 * the indices and wait flags, then the slots), with endpoint notifications
 * when a side waits for the other. */
#include "components/implementation/wl.h"

/* ---- channels ---------------------------------------------------------------------- */

/* Wait until the ring has room (put) or a message (get): say so in the
 * header, look again (the other side may have acted meanwhile: it reads
 * the flag after it moves its index), and wait on the task's endpoint. */
static void chan_wait(wl_app *app, wl_rt_thd *me, unsigned ch, bool put)
{
    const wl_channel *c = &app->chan[ch];
    wl_rt_chan *q = &app->rchan[ch];
    for (;;) {
        cos_instructions(WL_CHAN_INSTR);
        wl_touch_app(app, c->mem_off, 16, false);
        bool can = put ? q->head - q->tail < c->slots : q->head != q->tail;
        if (can)
            return;
        if (put)
            q->prod_wait = true;
        else
            q->cons_wait = true;
        wl_touch_app(app, c->mem_off + 16, 8, true);
        wl_touch_app(app, c->mem_off, 16, false);
        can = put ? q->head - q->tail < c->slots : q->head != q->tail;
        if (can) {
            if (put)
                q->prod_wait = false;
            else
                q->cons_wait = false;
            return;
        }
        if (put)
            app->chan[ch].full_waits++;
        else
            app->chan[ch].empty_waits++;
        wl_trace(app, WL_TK_CHAN_WAIT, (int64_t)ch, put, 0);
        cos_ret r = cos_rcv(me->rcv, 0);
        if (r.err) {
            COS_FAIL(&app->fail, r.err);
            return;
        }
    }
}

/* Move the index after the message, then notify the other side if it waits. */
static void chan_notify(wl_app *app, unsigned ch, bool put)
{
    wl_channel *c = &app->chan[ch];
    wl_rt_chan *q = &app->rchan[ch];
    wl_touch_app(app, c->mem_off + (put ? 0 : 8), 8, true);
    if (put)
        q->head++;
    else
        q->tail++;
    wl_touch_app(app, c->mem_off + 16, 8, false);
    bool *waits = put ? &q->cons_wait : &q->prod_wait;
    if (*waits) {
        *waits = false;
        c->notifies++;
        cos_err e = cos_asnd(app->asnd[put ? c->consumer : c->producer], false);
        if (e)
            COS_FAIL(&app->fail, e);
    }
}

void wl_put(wl_app *app, wl_rt_thd *me, unsigned ch)
{
    wl_channel *c = &app->chan[ch];
    wl_rt_chan *q = &app->rchan[ch];
    chan_wait(app, me, ch, true);
    uint64_t slot = q->head % c->slots;
    wl_touch_app(app, c->mem_off + 64 + slot * c->stride, c->size, true);
    q->put_at[slot] = cos_cycles();
    chan_notify(app, ch, true);
    c->puts++;
    if (q->head - q->tail > c->max_fill)
        c->max_fill = q->head - q->tail;
}

void wl_get(wl_app *app, wl_rt_thd *me, unsigned ch)
{
    wl_channel *c = &app->chan[ch];
    wl_rt_chan *q = &app->rchan[ch];
    chan_wait(app, me, ch, false);
    uint64_t slot = q->tail % c->slots;
    wl_touch_app(app, c->mem_off + 64 + slot * c->stride, c->size, false);
    uint64_t lat = cos_cycles() - q->put_at[slot];
    if (c->lat_n == 0 || lat < c->lat_min)
        c->lat_min = lat;
    if (lat > c->lat_max)
        c->lat_max = lat;
    c->lat_sum += lat;
    c->lat_n++;
    chan_notify(app, ch, false);
    c->gets++;
}
