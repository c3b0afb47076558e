/* model/pagetable.c: the generic MMU calls of pagetable.h (translate, walk,
 * the current id, the invariants), which go through the format table that
 * the MMU's init call chose (pagetable_format.h), and the module's error
 * domain.  The formats are pagetable_x86_64.c and pagetable_armv7a.c; this
 * file never names them.
 */
#include "pagetable_format.h"

#include <string.h>

G_DEFINE_QUARK(hwpt-error-quark, hwpt_error)

const char *hwpt_size_name(hwtlb_size s)
{
    static const char *const name[HWTLB_NSIZES] = {
        [HWTLB_4K] = "4 KiB", [HWTLB_64K] = "64 KiB", [HWTLB_1M] = "1 MiB",
        [HWTLB_2M] = "2 MiB", [HWTLB_16M] = "16 MiB", [HWTLB_1G] = "1 GiB",
    };
    return (unsigned)s < HWTLB_NSIZES ? name[s] : "unknown";
}

uint16_t hwpt_asid(const hwpt_mmu *m)
{
    return m->fmt->asid(m);
}

/* Translate through the TLB or walk without it: the same checks first,
 * and every fault counted. */
static bool dispatch(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r, bool through_tlb)
{
    memset(r, 0, sizeof *r);
    const hwpt_format *f = m->fmt;
    bool ok = f->address_ok(m, vaddr, r)
              && (through_tlb ? f->translate(m, vaddr, acc, r) : f->walk(m, vaddr, acc, r));
    if (!ok)
        m->st.faults++;
    return ok;
}

/* Whether the registers a translation depends on are those the memo was
 * made under (compared field by field: tests write them directly). */
static bool regs_same(const hwpt_mmu *m, const hwpt_memo *mo)
{
    if (m->arch == HWTLB_ARMV7A) {
        const hwpt_arm_regs *a = &m->arm, *b = &mo->arm;
        return a->ttbr0 == b->ttbr0 && a->ttbr1 == b->ttbr1 && a->ttbcr_n == b->ttbcr_n && a->dacr == b->dacr
               && a->asid == b->asid && a->has_pxn == b->has_pxn;
    }
    const hwpt_x86_regs *a = &m->x86, *b = &mo->x86;
    return a->cr3 == b->cr3 && a->maxphyaddr == b->maxphyaddr && a->nxe == b->nxe && a->wp == b->wp
           && a->smep == b->smep && a->pge == b->pge && a->pcide == b->pcide;
}

bool hwpt_translate(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r)
{
    m->st.translations++;
    hwpt_memo *mo = &m->memo[(vaddr >> 12) % HWPT_MEMOS];
    hwtlb *t = m->tlb;
    if (mo->valid && mo->page == vaddr >> 12 && mo->acc == acc && mo->tlb == t && t->gen == mo->tlb_gen
        && regs_same(m, mo)) {
        *r = mo->r;
        r->paddr = hwtlb_paddr(&r->entry, vaddr);
        hwtlb_hit_again(t, mo->slot);
        m->memo_hits++;
        return true;
    }
    uint64_t gen = t ? t->gen : 0, hits = t ? t->st.hits : 0, misses = t ? t->st.misses : 0;
    uint64_t faults = m->st.faults;
    bool ok = dispatch(m, vaddr, acc, r, true);
    /* kept only when the translation was one TLB hit that changed nothing */
    mo->valid = ok && t && !m->no_memo && r->tlb_hit && t->gen == gen && t->st.hits == hits + 1
                && t->st.misses == misses && m->st.faults == faults && r->reads == 0 && r->writes == 0;
    if (mo->valid) {
        mo->acc = acc;
        mo->page = vaddr >> 12;
        mo->tlb = t;
        mo->tlb_gen = gen;
        mo->x86 = m->x86;
        mo->arm = m->arm;
        mo->slot = t->last_hit;
        mo->r = *r;
    }
    return ok;
}

bool hwpt_walk(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r)
{
    return dispatch(m, vaddr, acc, r, false);
}

bool hwpt_verify(const hwpt_mmu *m)
{
    if (m->tlb == NULL)
        return true;
    if (m->fmt == NULL || m->fmt->arch != m->arch) {
        g_warning("hwpt_verify: the MMU's format is not that of its architecture");
        return false;
    }
    if (m->tlb->cfg.arch != m->arch) {
        g_warning("hwpt_verify: the TLB is of the other architecture");
        return false;
    }
    if (m->fmt->verify != NULL && !m->fmt->verify(m))
        return false;
    if (hwtlb_asid(m->tlb) != hwpt_asid(m)) {
        g_warning("hwpt_verify: TLB id %u, MMU id %u", hwtlb_asid(m->tlb), hwpt_asid(m));
        return false;
    }
    return hwtlb_verify(m->tlb);
}
