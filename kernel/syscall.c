/* kernel/syscall.c: the system calls, dispatched to their objects (see
 * syscall.h and kernel/abi.h).
 *
 * Every call has the same shape, in the object's file: a decode that
 * looks up each capability in the caller's current component's table
 * (charged: two dependent loads), checks its type, every argument and
 * every resource the call will use (free slots, unused pages, room in a
 * page-table pool or a cross-core ring, an invocation or delegation
 * depth), and returns an error before anything changes; then an invoke
 * that makes the change and cannot fail.  The decoded arguments pass from
 * one to the other in a struct of the call's own, as seL4's decode...
 * functions hand their invoke... functions what they found
 * (docs/kernel-design.md, "Decode, then invoke").
 *
 * The dispatcher only picks the object.  Calls that manage objects charge
 * the management step (K_P_MGMT) here, before their decode.
 */
#include "syscall.h"

#include "asnd.h"
#include "cap.h"
#include "comp.h"
#include "hwcap.h"
#include "inv.h"
#include "pgtbl.h"
#include "rcv.h"
#include "tcap.h"
#include "thd.h"

cos_ret k_syscall(k_core *c, k_thread *t)
{
    k_kernel *k = c->k;
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    k_touch(c, t->obj, 64, false);      /* the thread's header: component, depth */
    switch (t->op) {
    /* invocation */
    case COS_OP_SINV: return k_inv_sinv(c, t, th);
    /* endpoints */
    case COS_OP_ASND: return k_asnd_send(c, t, th);
    case COS_OP_RCV: return k_rcv_recv(c, t, th);
    case COS_OP_ASND_RCV: return k_asnd_send_rcv(c, t, th);
    /* scheduling */
    case COS_OP_SCHED_RCV: return k_thd_sched_rcv(c, t, th);
    case COS_OP_THD_SWITCH: return k_thd_switch(c, t, th);
    /* temporal capabilities */
    case COS_OP_TCAP_TRANSFER: return k_tcap_transfer(c, t, th);
    case COS_OP_TCAP_DELEGATE: return k_asnd_delegate(c, t, th);
    case COS_OP_TCAP_MERGE: return k_tcap_merge(c, t, th);
    case COS_OP_TCAP_BUDGET: return k_tcap_budget(c, t, th);
    /* capabilities and memory */
    case COS_OP_CAP_COPY: k_step(c, K_P_MGMT); return k_cap_copy(c, t, th);
    case COS_OP_CAP_REMOVE: k_step(c, K_P_MGMT); return k_cap_remove(c, t, th);
    case COS_OP_KMEM_NARROW: k_step(c, K_P_MGMT); return k_cap_narrow(c, t, th);
    case COS_OP_KMEM_RETYPE: k_step(c, K_P_MGMT); return k_cap_retype(c, t, th);
    case COS_OP_KMEM_INFO: k_step(c, K_P_MGMT); return k_cap_info(c, t, th);
    case COS_OP_CAPTBL_EXPAND: k_step(c, K_P_MGMT); return k_cap_expand(c, t, th);
    /* object creation: kmem `cap`'s page a0 at slot a1 */
    case COS_OP_CAPTBL_ALLOC: k_step(c, K_P_MGMT); return k_cap_captbl_alloc(c, t, th);
    case COS_OP_PGTBL_ALLOC: k_step(c, K_P_MGMT); return k_pgtbl_alloc(c, t, th);
    case COS_OP_COMP_ALLOC: k_step(c, K_P_MGMT); return k_comp_alloc(c, t, th);
    case COS_OP_THD_ALLOC: k_step(c, K_P_MGMT); return k_thd_alloc(c, t, th);
    case COS_OP_SINV_ALLOC: k_step(c, K_P_MGMT); return k_inv_alloc(c, t, th);
    case COS_OP_RCV_ALLOC: k_step(c, K_P_MGMT); return k_rcv_alloc(c, t, th);
    case COS_OP_ASND_ALLOC: k_step(c, K_P_MGMT); return k_asnd_alloc(c, t, th);
    case COS_OP_TCAP_ALLOC: k_step(c, K_P_MGMT); return k_tcap_alloc(c, t, th);
    /* protection domains */
    case COS_OP_PGTBL_MAP: return k_pgtbl_map(c, t, th);
    case COS_OP_PGTBL_UNMAP: return k_pgtbl_unmap(c, t, th);
    case COS_OP_MPU_REGION: return k_pgtbl_region(c, t, th);
    /* hardware */
    case COS_OP_HW_ATTACH:
    case COS_OP_HW_DETACH: return k_hwcap_bind(c, t, th);
    case COS_OP_HW_FLUSH: return k_hwcap_flush(c, t, th);
    default: return K_RET(COS_EINVAL);
    }
}
