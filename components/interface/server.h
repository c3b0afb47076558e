/* components/interface/server.h: a server's interface: one operation, the
 * work of one request (an invocation: the client's thread migrates into the
 * server, runs its work, and returns). */
#pragma once

#include "components/lib/cos.h"

enum { E_SERVE = 0 };

/* One request to server number `idx` through its sinv capability. */
static inline cos_ret server_call(cos_capid srv, unsigned idx)
{
    return cos_sinv(srv, idx, 0, 0, 0);
}
