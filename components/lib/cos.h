/* components/lib/cos.h: the system-call library (the cos_ stubs).
 *
 * One small function per system call over cos_call (kernel/abi.h), with
 * the arguments named; docs/kernel-abi.md describes each call.  Only the
 * kernel's ABI header is included: components never see kernel internals.
 */
#pragma once

#include "kernel/abi.h"

static inline cos_ret cos_sinv(cos_capid sinv, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    return cos_call(COS_OP_SINV, sinv, a0, a1, a2, a3, 0);
}
static inline cos_err cos_asnd(cos_capid asnd, bool yield)
{
    return cos_call(COS_OP_ASND, asnd, yield, 0, 0, 0, 0).err;
}
static inline cos_ret cos_rcv(cos_capid rcv, unsigned flags)
{
    return cos_call(COS_OP_RCV, rcv, flags, 0, 0, 0, 0);
}
static inline cos_ret cos_asnd_rcv(cos_capid asnd, cos_capid rcv)
{
    return cos_call(COS_OP_ASND_RCV, asnd, rcv, 0, 0, 0, 0);
}
static inline cos_ret cos_sched_rcv(cos_capid rcv, unsigned flags)
{
    return cos_call(COS_OP_SCHED_RCV, rcv, flags, 0, 0, 0, 0);
}
static inline cos_err cos_switch(cos_capid thd, cos_capid tcap, uint32_t prio, uint64_t timeout, cos_capid rcv,
                                 uint64_t token)
{
    return cos_call(COS_OP_THD_SWITCH, thd, tcap, prio, timeout, rcv, token).err;
}
static inline cos_err cos_tcap_transfer(cos_capid src, cos_capid rcv, uint64_t cycles, uint32_t prio)
{
    return cos_call(COS_OP_TCAP_TRANSFER, src, rcv, cycles, prio, 0, 0).err;
}
static inline cos_err cos_tcap_delegate(cos_capid src, cos_capid asnd, uint64_t cycles, uint32_t prio, bool yield)
{
    return cos_call(COS_OP_TCAP_DELEGATE, src, asnd, cycles, prio, yield, 0).err;
}
static inline cos_err cos_tcap_merge(cos_capid dst, cos_capid captbl, cos_capid slot)
{
    return cos_call(COS_OP_TCAP_MERGE, dst, captbl, slot, 0, 0, 0).err;
}
/* The budget left in a tcap of this core (COS_BUDGET_INF: infinite). */
static inline cos_err cos_tcap_budget(cos_capid tcap, uint64_t *budget)
{
    cos_ret r = cos_call(COS_OP_TCAP_BUDGET, tcap, 0, 0, 0, 0, 0);
    *budget = r.r[0];
    return r.err;
}
static inline cos_err cos_cap_copy(cos_capid dst_captbl, cos_capid dst_slot, cos_capid src)
{
    return cos_call(COS_OP_CAP_COPY, dst_captbl, dst_slot, src, 0, 0, 0).err;
}
static inline cos_err cos_cap_remove(cos_capid captbl, cos_capid slot)
{
    return cos_call(COS_OP_CAP_REMOVE, captbl, slot, 0, 0, 0, 0).err;
}
static inline cos_err cos_kmem_narrow(cos_capid kmem, cos_capid dst_captbl, cos_capid dst_slot, uint64_t first,
                                      uint64_t pages)
{
    return cos_call(COS_OP_KMEM_NARROW, kmem, dst_captbl, dst_slot, first, pages, 0).err;
}
static inline cos_err cos_kmem_retype(cos_capid kmem, uint64_t page, unsigned from, unsigned to)
{
    return cos_call(COS_OP_KMEM_RETYPE, kmem, page, from, to, 0, 0).err;
}
static inline cos_err cos_captbl_expand(cos_capid captbl, uint32_t index, cos_capid kmem, uint64_t page)
{
    return cos_call(COS_OP_CAPTBL_EXPAND, captbl, index, kmem, page, 0, 0).err;
}
static inline cos_err cos_captbl_alloc(cos_capid kmem, uint64_t page, cos_capid slot)
{
    return cos_call(COS_OP_CAPTBL_ALLOC, kmem, page, slot, 0, 0, 0).err;
}
static inline cos_err cos_pgtbl_alloc(cos_capid kmem, uint64_t page, cos_capid slot, uint64_t pages)
{
    return cos_call(COS_OP_PGTBL_ALLOC, kmem, page, slot, pages, 0, 0).err;
}
static inline cos_err cos_comp_alloc(cos_capid kmem, uint64_t page, cos_capid slot, cos_capid captbl, cos_capid pgtbl,
                                     unsigned image)
{
    return cos_call(COS_OP_COMP_ALLOC, kmem, page, slot, captbl, pgtbl, image).err;
}
/* The same, with the new component's id (what the trace names it by). */
static inline cos_err cos_comp_alloc_id(cos_capid kmem, uint64_t page, cos_capid slot, cos_capid captbl,
                                        cos_capid pgtbl, unsigned image, uint32_t *id)
{
    cos_ret r = cos_call(COS_OP_COMP_ALLOC, kmem, page, slot, captbl, pgtbl, image);
    *id = (uint32_t)r.r[0];
    return r.err;
}
static inline cos_err cos_thd_alloc(cos_capid kmem, uint64_t page, cos_capid slot, cos_capid comp, unsigned entry,
                                    cos_word arg)
{
    return cos_call(COS_OP_THD_ALLOC, kmem, page, slot, comp, entry, arg).err;
}
/* The same, with the new thread's id (what scheduling events name it by). */
static inline cos_err cos_thd_alloc_id(cos_capid kmem, uint64_t page, cos_capid slot, cos_capid comp, unsigned entry,
                                       cos_word arg, cos_thdid *id)
{
    cos_ret r = cos_call(COS_OP_THD_ALLOC, kmem, page, slot, comp, entry, arg);
    *id = (cos_thdid)r.r[0];
    return r.err;
}
static inline cos_err cos_sinv_alloc(cos_capid kmem, uint64_t page, cos_capid slot, cos_capid server, unsigned entry)
{
    return cos_call(COS_OP_SINV_ALLOC, kmem, page, slot, server, entry, 0).err;
}
static inline cos_err cos_rcv_alloc(cos_capid kmem, uint64_t page, cos_capid slot, cos_capid thd, cos_capid tcap,
                                    cos_capid parent)
{
    return cos_call(COS_OP_RCV_ALLOC, kmem, page, slot, thd, tcap, parent).err;
}
static inline cos_err cos_asnd_alloc(cos_capid kmem, uint64_t page, cos_capid slot, cos_capid rcv)
{
    return cos_call(COS_OP_ASND_ALLOC, kmem, page, slot, rcv, 0, 0).err;
}
static inline cos_err cos_tcap_alloc(cos_capid kmem, uint64_t page, cos_capid slot)
{
    return cos_call(COS_OP_TCAP_ALLOC, kmem, page, slot, 0, 0, 0).err;
}
static inline cos_err cos_pgtbl_map(cos_capid pgtbl, uint64_t vaddr, cos_capid kmem, uint64_t page, unsigned flags)
{
    return cos_call(COS_OP_PGTBL_MAP, pgtbl, vaddr, kmem, page, flags, 0).err;
}
static inline cos_ret cos_kmem_info(cos_capid kmem)
{
    return cos_call(COS_OP_KMEM_INFO, kmem, 0, 0, 0, 0, 0);
}
static inline cos_ret cos_pgtbl_unmap(cos_capid pgtbl, uint64_t vaddr)
{
    return cos_call(COS_OP_PGTBL_UNMAP, pgtbl, vaddr, 0, 0, 0, 0);
}
static inline cos_err cos_mpu_region(cos_capid pgtbl, unsigned region, cos_capid kmem, uint64_t first,
                                     unsigned log2_bytes, unsigned flags)
{
    return cos_call(COS_OP_MPU_REGION, pgtbl, region, kmem, first, log2_bytes, flags).err;
}
static inline cos_err cos_hw_attach(cos_capid hwcap, unsigned line, cos_capid rcv)
{
    return cos_call(COS_OP_HW_ATTACH, hwcap, line, rcv, 0, 0, 0).err;
}
static inline cos_err cos_hw_detach(cos_capid hwcap, unsigned line)
{
    return cos_call(COS_OP_HW_DETACH, hwcap, line, 0, 0, 0, 0).err;
}
static inline cos_err cos_hw_flush(cos_capid hwcap)
{
    return cos_call(COS_OP_HW_FLUSH, hwcap, 0, 0, 0, 0, 0).err;
}

/* ---- helpers -------------------------------------------------------------------- */
/* Touch [base, base + len) of the current component page by page (an
 * access does not cross a page) while computing `cycles`, shared out over
 * the pages by their bytes (the bytes up to a page's end x cycles / len,
 * rounded down, less the pages' before); the first error stops it and is
 * returned. */
static inline cos_err cos_touch_range_compute(uint64_t base, uint64_t len, bool write, uint64_t cycles)
{
    uint64_t given = 0;
    for (uint64_t done = 0; done < len;) {
        uint64_t a = base + done;
        uint64_t n = COS_PAGE_SIZE - (a % COS_PAGE_SIZE);
        if (n > len - done)
            n = len - done;
        uint64_t upto = (uint64_t)((unsigned __int128)cycles * (done + n) / len);
        cos_err e = cycles ? cos_touch_compute(a, n, write, upto - given) : cos_touch(a, n, write);
        if (e)
            return e;
        given = upto;
        done += n;
    }
    return COS_OK;
}
static inline cos_err cos_touch_range(uint64_t base, uint64_t len, bool write)
{
    return cos_touch_range_compute(base, len, write, 0);
}
