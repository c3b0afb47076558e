/* components/implementation/ipi/ratelimit/ratelimit.c: a rate-limiting
 * forwarder of notifications (sys:component{ image = "ipi-ratelimit",
 * args = { limit = N, window = cycles } }, with a send granted under the
 * name "to": sys:grant{ from = it, to = TASK, kind = "asnd", name = "to" }).
 *
 * Each invocation (entry 0) asks it to notify the task: within each window
 * of `window` cycles it forwards at most `limit` notifications (a send to
 * the task's endpoint: across cores, an IPI) and drops the rest, so a
 * chatty sender on one core cannot flood another core with interrupts.
 * Its state (the window and its counts) is in its own memory, touched on
 * every call.  Returns 1 for a forwarded notification, 0 for a dropped one. */
#include "components/comps.h"
#include "components/images.h"

#define RL_INSTR 15u     /* load the window, compare, count, branch */

typedef struct rl_state {
    cos_comp_hdr hdr;
    uint64_t window_start, in_window;
    uint64_t calls, forwarded, dropped, errors;   /* results */
} rl_state;

static cos_word rl_notify(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    rl_state *st = cos_comp_data();
    if (st == NULL)
        return 0;
    cos_instructions(RL_INSTR);
    (void)cos_touch(st->hdr.base + offsetof(rl_state, window_start), 16, true);
    st->calls++;
    uint64_t now = cos_cycles(), window = (uint64_t)cos_arg_get(&st->hdr, "window", 1000000);
    if (now - st->window_start >= window) {
        st->window_start = now - (now - st->window_start) % (window ? window : 1);
        st->in_window = 0;
    }
    if (st->in_window >= (uint64_t)cos_arg_get(&st->hdr, "limit", 1)) {
        st->dropped++;
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
};
const cos_comp_reg cos_comp_ipi_ratelimit = { COS_IMAGE_IPI_RATELIMIT, sizeof(rl_state), results, 4 };
