/* components/implementation/ipi/ratelimit/ratelimit.c: a rate-limiting
 * forwarder of notifications (sys:component{ image = "ipi-ratelimit",
 * args = { limit = N, window = cycles } }, with a send granted under the
 * name "to": sys:grant{ from = it, to = TASK, kind = "asnd", name = "to" }).
 *
 * Each invocation (entry 0, first argument 0) asks it to notify the task:
 * within each window of `window` cycles it forwards at most `limit`
 * notifications (a send to the task's endpoint: across cores, an IPI), so
 * a chatty sender on one core cannot flood another core with interrupts.
 * The rest it drops, or with `poll = 1` (Chaos's rate limiter: nothing is
 * lost) holds: it counts them in its memory, and the receiver collects
 * them by polling, an invocation with first argument 1, which returns how
 * many were held since the last poll and starts the count again.  Its
 * state (the window and its counts) is in its own memory, touched on every
 * call.  A notification returns 1 when forwarded, 0 when dropped or held. */
#include "components/comps.h"
#include "components/images.h"

#define RL_INSTR 15u     /* load the window, compare, count, branch */
#define RL_POLL_INSTR 6u /* load the count, store zero, return it */

typedef struct rl_state {
    cos_comp_hdr hdr;
    uint64_t window_start, in_window;
    uint64_t pending;                             /* held since the last poll (poll = 1) */
    uint64_t calls, forwarded, dropped, errors;   /* results */
    uint64_t held, polls, polled;
} rl_state;

/* the receiver's poll: the notifications held since the last one */
static cos_word rl_poll(rl_state *st)
{
    cos_instructions(RL_POLL_INSTR);
    (void)cos_touch(st->hdr.base + offsetof(rl_state, pending), 8, true);
    uint64_t n = st->pending;
    st->pending = 0;
    st->polls++;
    st->polled += n;
    return (cos_word)n;
}

static cos_word rl_notify(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    rl_state *st = cos_comp_data();
    if (st == NULL)
        return 0;
    if (a0 == 1)
        return rl_poll(st);
    bool hold = cos_arg_get(&st->hdr, "poll", 0) == 1;
    cos_instructions(RL_INSTR);
    /* the window and its count; holding, the held count beside them */
    (void)cos_touch(st->hdr.base + offsetof(rl_state, window_start), hold ? 24 : 16, true);
    st->calls++;
    uint64_t now = cos_cycles(), window = (uint64_t)cos_arg_get(&st->hdr, "window", 1000000);
    if (now - st->window_start >= window) {
        st->window_start = now - (now - st->window_start) % (window ? window : 1);
        st->in_window = 0;
    }
    if (st->in_window >= (uint64_t)cos_arg_get(&st->hdr, "limit", 1)) {
        if (hold) {
            st->pending++;
            st->held++;
        } else {
            st->dropped++;
        }
        return 0;
    }
    st->in_window++;
    if (cos_asnd(cos_cap_get(&st->hdr, "to"), false) != COS_OK) {
        st->errors++;
        return 0;
    }
    st->forwarded++;
    return 1;
}

static const cos_entry_fn entries[] = { rl_notify };
const cos_image cos_image_ipi_ratelimit = { "ipi-ratelimit", entries, 1 };

static const cos_result_field results[] = {
    { "calls", offsetof(rl_state, calls) },
    { "forwarded", offsetof(rl_state, forwarded) },
    { "dropped", offsetof(rl_state, dropped) },
    { "errors", offsetof(rl_state, errors) },
    { "held", offsetof(rl_state, held) },
    { "polls", offsetof(rl_state, polls) },
    { "polled", offsetof(rl_state, polled) },
};
const cos_comp_reg cos_comp_ipi_ratelimit = { COS_IMAGE_IPI_RATELIMIT, sizeof(rl_state), results, 7 };
