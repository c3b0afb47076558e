/* kernel/asnd.h: asynchronous send endpoints (kernel/asnd.c).
 *
 * An asnd names one rcv.  A send to an rcv of this core activates it at
 * once (rcv.c); to another core's, it goes on that core's ring from this
 * one with an IPI (xcore.c).  Here: the calls ASND, ASND_RCV (L4's Call
 * and ReplyRecv: a send, then a receive on the caller's own rcv),
 * TCAP_DELEGATE (a send that carries budget: tcap.c moves it) and
 * ASND_ALLOC.
 *
 * Layer: above xcore, rcv, tcap and thd.
 */
#pragma once

#include "internal.h"

cos_ret k_asnd_send(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_asnd_send_rcv(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_asnd_delegate(k_core *c, k_thread *t, k_thd_o *th);
cos_ret k_asnd_alloc(k_core *c, k_thread *t, k_thd_o *th);
