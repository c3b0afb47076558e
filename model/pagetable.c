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

bool hwpt_translate(hwpt_mmu *m, uint64_t vaddr, unsigned acc, hwpt_result *r)
{
    hwpt_memo *mo = hwpt_memo_find(m, vaddr, acc);
    if (mo) {
        *r = mo->r;
        r->paddr = hwpt_memo_repeat(m, mo, vaddr);
        return true;
    }
    mo = &m->memo[(vaddr >> 12) % HWPT_MEMOS];
    m->st.translations++;
    hwtlb *t = m->tlb;
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
