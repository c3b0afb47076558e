/* components/implementation/test/rogue/rogue.c: a deliberately misbehaving
 * component, for tests and labs on isolation (sys:component{ image =
 * "rogue", args = { target = NAME_OR_ADDRESS, len = N, write = 0|1 } }).
 *
 * Invoked (entry 0, e.g. a task's {"invoke", name} step), it touches `len`
 * bytes (default 8) at `target` plus the invocation's first argument: an
 * address in some other component's memory (a string argument naming a
 * component becomes that component's memory's start).  The MMU or MPU of
 * the rogue's own protection domain refuses it: the kernel records a fault
 * (k.fault, with the rogue's component id) and the touch returns
 * COS_EFAULT, which the rogue counts.  It also touches its own memory
 * first, which must succeed.  Granted an invocation under the name "next"
 * (sys:grant{ from = it, to = OTHER, name = "next" }), it then invokes that
 * too, on the same thread: a chain of components. */
#include "components/comps.h"
#include "components/images.h"

typedef struct rogue_state {
    cos_comp_hdr hdr;
    uint64_t calls, own_ok, faults, reached;   /* results: what its touches did */
} rogue_state;

static cos_word rogue_touch(cos_thdid caller, cos_word off, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    rogue_state *st = cos_comp_data();
    if (st == NULL)
        return COS_EINVAL;
    st->calls++;
    if (cos_touch(st->hdr.base, sizeof *st, true) == COS_OK)   /* its own state: fine */
        st->own_ok++;
    uint64_t target = (uint64_t)cos_arg_get(&st->hdr, "target", 0) + off;
    uint64_t len = (uint64_t)cos_arg_get(&st->hdr, "len", 8);
    cos_err e = cos_touch(target, len, cos_arg_get(&st->hdr, "write", 1) != 0);
    if (e == COS_EFAULT)
        st->faults++;
    else if (e == COS_OK)
        st->reached++;
    cos_capid next = cos_cap_get(&st->hdr, "next");
    if (next)
        (void)cos_sinv(next, off, 0, 0, 0);
    return e;
}

static const cos_entry_fn entries[] = { rogue_touch };
const cos_image cos_image_rogue = { "rogue", entries, 1 };

/* The registration (components/comps.c lists it). */
static const cos_result_field results[] = {
    { "calls", offsetof(rogue_state, calls) },
    { "own_ok", offsetof(rogue_state, own_ok) },
    { "faults", offsetof(rogue_state, faults) },
    { "reached", offsetof(rogue_state, reached) },
};
const cos_comp_reg cos_comp_rogue = { COS_IMAGE_ROGUE, sizeof(rogue_state), results, 4 };
