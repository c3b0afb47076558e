/* components/implementation/server/work/server_work.h: a server that
 * does a fixed amount of work per request (components/interface/server.h):
 * what the booter tells it, and its state (in its own memory). */
#pragma once

#include "components/lib/cos.h"

typedef struct wl_server {
    uint64_t work;          /* cycles per invocation */
    uint64_t touch;         /* bytes of its memory touched per invocation */
    unsigned pages;         /* its memory */
    uint64_t base;          /* where its memory starts (given by the booter) */
    uint64_t calls;         /* result */
} wl_server;

extern const cos_image cos_image_wl_server;
