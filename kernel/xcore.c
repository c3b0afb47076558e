/* kernel/xcore.c: cross-core rings (see xcore.h).
 *
 * Ring indices are free-running 32-bit counts: head == tail is empty,
 * tail - head == K_RING_SLOTS full.  The source touches the indices and
 * the slot it writes, the destination the whole ring when it drains: the
 * coherence traffic between the two cores is what the model charges.
 */
#include "xcore.h"

#include "rcv.h"

/* A ring entry is an rcv's address, or (bit 0 set) a TLB shootdown: the
 * ASID in bits 1-12, the page number from bit 13; or 0, a send dropped
 * because its rcv ended before it arrived (the entry holds no reference:
 * kernel/obj.c). */
static uint64_t shootdown_word(uint64_t vaddr, uint16_t asid)
{
    return 1u | (uint64_t)(asid & 0xfffu) << 1 | (vaddr >> 12) << 13;
}

static k_ring *ring_to(k_core *c, unsigned to, uint64_t *addr)
{
    *addr = c->k->core[to].ring + (uint64_t)c->id * sizeof(k_ring);
    return K_OBJ(c->k, k_ring, *addr);
}

/* The ring step and the read of its indices: whether a slot is free. */
static bool ring_open(k_core *c, unsigned to)
{
    uint64_t ring;
    k_ring *rg = ring_to(c, to, &ring);
    k_step(c, K_P_IPI);
    k_touch(c, ring, 8, false);
    return rg->tail - rg->head < K_RING_SLOTS;
}

/* Put `word` in the free slot ring_open found and raise to's IPI line. */
static void ring_put(k_core *c, unsigned to, uint64_t word)
{
    k_kernel *k = c->k;
    uint64_t ring;
    k_ring *rg = ring_to(c, to, &ring);
    g_assert(rg->tail - rg->head < K_RING_SLOTS);
    k_touch(c, ring + offsetof(k_ring, rcv) + (rg->tail % K_RING_SLOTS) * 8, 8, true);
    rg->rcv[rg->tail % K_RING_SLOTS] = word;
    k_touch(c, ring, 8, true);
    rg->tail++;
    k_arch(c, hw_cost(k->h, MODEL_COST_IPI_SEND));
    hwirq_status st = hwirq_ipi(k->h->irq, c->id, HWIRQ_DEST_CORE, to, hw_ipi_line(k->h));
    g_assert(st == HWIRQ_OK || st == HWIRQ_COALESCED);
    k->st.ipis++;
}

cos_err k_xcore_send_check(k_core *c, unsigned to)
{
    return ring_open(c, to) ? COS_OK : COS_ENOMEM;
}

void k_xcore_send(k_core *c, unsigned to, uint64_t rcv)
{
    ring_put(c, to, rcv);
}

bool k_xcore_room(k_core *c, unsigned to)
{
    uint64_t ring;
    k_ring *rg = ring_to(c, to, &ring);
    k_touch(c, ring, 8, false);
    return rg->tail - rg->head < K_RING_SLOTS;
}

void k_xcore_shootdown(k_core *c, unsigned to, uint64_t vaddr, uint16_t asid)
{
    bool room = ring_open(c, to);
    g_assert(room);     /* the caller saw room (k_xcore_room) in its decode */
    ring_put(c, to, shootdown_word(vaddr, asid));
}

void k_xcore_drain(k_core *c)
{
    k_kernel *k = c->k;
    for (unsigned src = 0; src < k->ncores; src++) {
        uint64_t ring = c->ring + (uint64_t)src * sizeof(k_ring);
        k_ring *rg = K_OBJ(k, k_ring, ring);
        k_touch(c, ring, sizeof *rg, false);
        while (rg->head != rg->tail) {
            uint64_t word = rg->rcv[rg->head % K_RING_SLOTS];
            rg->head++;
            k_touch(c, ring, 8, true);
            if (word == 0)
                continue;   /* a send whose rcv ended while it was in flight (obj.c) */
            if (word & 1) {
                /* a TLB shootdown */
                k_arch(c, hw_tlb_invalidate_page(k->h, c->id, (word >> 13) << 12, (uint16_t)((word >> 1) & 0xfffu)));
                k->st.shootdowns++;
            } else {
                k_rcv_activate(c, word, false);
            }
        }
    }
}
