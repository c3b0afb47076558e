/* model/timer.h: per-core timers that raise interrupt lines.
 *
 * Rules quoted below were checked against the manuals' text (or ARM's and
 * Intel's own web copies of it); section numbers marked (*) are from
 * memory.  Where a rule could not be checked, the comment says so.
 *
 * Four kinds, chosen at creation, each bound to the controller flavour it
 * is wired to in real machines:
 *
 *  - HWTIMER_TSC_DEADLINE (x86, with a HWIRQ_LAPIC): the local-APIC timer in
 *    TSC-deadline mode, Intel SDM vol. 3A 10.5.4.1.  Writing a non-zero value
 *    to IA32_TSC_DEADLINE arms it; the interrupt comes when the TSC equals or
 *    exceeds the value; the timer then disarms itself and the MSR reads 0;
 *    writing 0 disarms.  The TSC counts core cycles here (freq_hz = the core
 *    clock), as the brief for this model says; real invariant TSCs count at
 *    a fixed nominal rate, which is the same thing on a fixed-clock preset.
 *  - HWTIMER_GENERIC (ARMv7-A/ARMv8-A generic timer, with a HWIRQ_GIC, line a
 *    PPI, usually 30): CNTPCT counts at the system counter's frequency
 *    (CNTFRQ, e.g. 100 MHz on A53 presets).  The condition is met when
 *    CNTPCT - CNTP_CVAL >= 0 (CNTP_CVAL/CNTP_TVAL register descriptions,
 *    ARM DDI 0487 and the A-profile system register XML); CNTP_TVAL writes
 *    set CVAL = CNTPCT + signed 32-bit TVAL; CNTP_CTL has ENABLE (bit 0),
 *    IMASK (bit 1) and read-only ISTATUS (bit 2).
 *  - HWTIMER_A9_PRIVATE (Cortex-A9 MPCore private timer, with a HWIRQ_GIC,
 *    line 29): a 32-bit down counter clocked by PERIPHCLK / (PRESCALER + 1)
 *    (ARM DDI 0407, 4.1 (*) and 4.2).  Control: enable (bit 0), auto-reload (bit 1),
 *    IRQ enable (bit 2), prescaler (bits 15:8).  On reaching zero it sets the
 *    event flag (status bit 0, cleared by writing 1) and, if enabled, makes
 *    ID 29 pending; with auto-reload it reloads the load value, otherwise it
 *    stops at zero.  Writing the load or the counter register restarts the
 *    count from the value written (DDI 0407E 4.2.2).
 *  - HWTIMER_SYSTICK (ARMv7-M SysTick, with a HWIRQ_NVIC, line 15): a 24-bit
 *    down counter on the processor clock (DDI 0403E B3.3 (*); the register
 *    behaviour quoted from the Cortex-M3 TRM and Cortex-M0 DGUG 4.4).  SYST_CSR:
 *    ENABLE (0), TICKINT (1), CLKSOURCE (2, reads as one: no external
 *    reference clock is modelled), COUNTFLAG (16, set when the counter goes
 *    from 1 to 0, cleared by reading SYST_CSR or writing SYST_CVR).  On the
 *    clock after reaching 0 it reloads SYST_RVR (24 bits), so the period is
 *    RELOAD + 1 cycles; a RELOAD of 0 stops it at the next wrap.  Any write
 *    to SYST_CVR clears it to 0 without an exception.
 *
 * Ticks and picoseconds.  Tick k of a counter at f Hz (after a divider d)
 * happens at T(k) = ceil(k * d * 10^12 / f) ps: a deadline that falls
 * between two picoseconds fires at the next whole picosecond, never early.
 * The counter read at time t is floor(t * f / (d * 10^12)), so it reads k
 * exactly from T(k) on.  All of it is integer arithmetic (128-bit
 * intermediates), no floating point.  Counters start at 0 at time 0; a
 * prescaled clock's ticks are aligned to time 0 too.
 *
 * Events: one per core, at HWTIMER_PRIO_FIRE, moved or removed when the
 * timer is reprogrammed.  An expiry due at the very picosecond of a
 * register write that has not been dispatched yet is delivered first, then
 * the write takes effect: an expiry that is due is never lost.
 *
 * Interrupts are raised as edges through hwirq_raise.  The generic timer's
 * real output is a level that stays asserted while the condition holds and
 * IMASK is clear; here it is raised once when the condition becomes true,
 * or when the timer is enabled or unmasked while it holds.  A handler that
 * ends the interrupt without reprogramming the timer therefore does not see
 * it again, where hardware would re-take it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/sim.h"
#include "model/irq.h"

/* Timer expiries run before device raises and before the signal to the
 * core at the same picosecond (see the order in irq.h). */
#define HWTIMER_PRIO_FIRE 24u

#define HWTIMER_ERROR (hwtimer_error_quark())
GQuark hwtimer_error_quark(void);
enum { HWTIMER_ERROR_CONFIG };

typedef enum {
    HWTIMER_TSC_DEADLINE,
    HWTIMER_GENERIC,
    HWTIMER_A9_PRIVATE,
    HWTIMER_SYSTICK,
} hwtimer_kind;

const char *hwtimer_kind_name(hwtimer_kind k);

typedef enum {
    HWTIMER_REG_TSC,             /* read-only here: the time-stamp counter (RDTSC) */
    HWTIMER_REG_TSC_DEADLINE,    /* IA32_TSC_DEADLINE (MSR 6E0H) */
    HWTIMER_REG_CNTPCT,          /* read-only: the physical count */
    HWTIMER_REG_CNTP_CVAL,
    HWTIMER_REG_CNTP_TVAL,       /* 32 bits; reads give CVAL - CNTPCT truncated to 32 bits */
    HWTIMER_REG_CNTP_CTL,
    HWTIMER_REG_A9_LOAD,
    HWTIMER_REG_A9_COUNTER,
    HWTIMER_REG_A9_CONTROL,
    HWTIMER_REG_A9_STATUS,       /* bit 0: event flag; write 1 to clear */
    HWTIMER_REG_SYST_CSR,        /* reading clears COUNTFLAG */
    HWTIMER_REG_SYST_RVR,
    HWTIMER_REG_SYST_CVR,
} hwtimer_reg;

typedef enum {
    HWTIMER_OK = 0,
    HWTIMER_NO_SUCH_REG,         /* the register belongs to another kind of timer */
    HWTIMER_READ_ONLY,
} hwtimer_status;

#define HWTIMER_CNTP_CTL_ENABLE  0x1u
#define HWTIMER_CNTP_CTL_IMASK   0x2u
#define HWTIMER_CNTP_CTL_ISTATUS 0x4u
#define HWTIMER_A9_CTL_ENABLE    0x1u
#define HWTIMER_A9_CTL_AUTORELOAD 0x2u
#define HWTIMER_A9_CTL_IRQ       0x4u
#define HWTIMER_A9_CTL_PRESCALER(p) (((uint64_t)(p) & 0xFFu) << 8)
#define HWTIMER_SYST_ENABLE      0x1u
#define HWTIMER_SYST_TICKINT     0x2u
#define HWTIMER_SYST_CLKSOURCE   0x4u
#define HWTIMER_SYST_COUNTFLAG   0x10000u

typedef struct hwtimer_config {
    hwtimer_kind kind;
    unsigned ncores;         /* timers for cores 0..ncores-1 (<= the controller's) */
    /* The input clock, from the preset: the core clock (TSC-deadline,
     * SysTick), the system counter (generic timer, CNTFRQ) or PERIPHCLK
     * (A9 private timer).  1 Hz .. 1 THz. */
    uint64_t freq_hz;
    /* The line raised on each core: the LAPIC LVT timer vector (16-255), a
     * GIC PPI (16-31; 30 for the non-secure physical timer, 29 for the A9
     * private timer), the NVIC SysTick exception (15). */
    unsigned line;
} hwtimer_config;

typedef struct hwtimer hwtimer;

/* Timers stopped and disarmed.  The controller must match the kind (TSC
 * with a LAPIC, generic and A9 with a GIC, SysTick with an NVIC) and must
 * outlive the timers.  Fails with HWTIMER_ERROR_CONFIG naming the field. */
hwtimer *hwtimer_new(sim *s, hwirq *irq, const hwtimer_config *cfg, GError **error);
/* Cancels pending expiries.  NULL-safe. */
void hwtimer_free(hwtimer *t);

/* Register access, as the kernel's hardware layer would do it.  Writes
 * reprogram (and move or cancel the expiry event); some reads have side
 * effects (SYST_CSR clears COUNTFLAG).  Values are masked to the register's
 * width (SysTick 24 bits, A9 32 bits, CNTP_TVAL 32 bits). */
hwtimer_status hwtimer_write(hwtimer *t, unsigned core, hwtimer_reg reg, uint64_t value);
hwtimer_status hwtimer_read(hwtimer *t, unsigned core, hwtimer_reg reg, uint64_t *value);

/* The input clock's tick count now (TSC, CNTPCT, PERIPHCLK or core cycles). */
uint64_t hwtimer_clock(const hwtimer *t);
/* When this core's timer will next raise its line; SIM_TIME_MAX if not armed. */
sim_time_t hwtimer_next_fire(const hwtimer *t, unsigned core);
/* How many times this core's timer has raised its line. */
uint64_t hwtimer_fired(const hwtimer *t, unsigned core);

/* Exact conversions (see "Ticks and picoseconds" above), usable on their
 * own by other modules that count cycles:
 * the first picosecond at which a counter at freq_hz / div reads `tick`
 * (SIM_TIME_MAX if beyond the end of time), and the counter's value at t. */
sim_time_t hwtimer_tick_time(uint64_t freq_hz, uint64_t div, uint64_t tick);
uint64_t hwtimer_ticks_at(uint64_t freq_hz, uint64_t div, sim_time_t t);

/* Check the invariants listed in timer.c; false with a g_warning if broken. */
bool hwtimer_verify(const hwtimer *t);
