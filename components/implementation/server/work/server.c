/* components/implementation/server/work/server.c: a server component that
 * does a fixed amount of work per invocation: it computes and touches its
 * own memory (components/interface/server.h). */
#include "components/implementation/wl.h"    /* wl_server_self, until step 2 */
#include "components/interface/server.h"

/* ---- a server component ----------------------------------------------------------- */

static cos_word serve(cos_thdid caller, cos_word idx, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    (void)idx;      /* one server per component: its state says what it does */
    wl_server *s = wl_server_self();
    if (s == NULL)
        return 0;
    s->calls++;
    (void)cos_touch_range(s->base, s->touch, true);   /* its own memory: cannot fault */
    cos_compute(s->work);
    return 0;
}

static const cos_entry_fn server_entries[] = { [E_SERVE] = serve };
const cos_image cos_image_wl_server = { "wl-server", server_entries, 1 };
