/* compare/rtos/port.c: the RTOS's port on the machine model (see port.h).
 *
 * The port's paths are given below as this port's Thumb-2 listings, one
 * instruction a string; a path's count is counted from its listing at
 * start (rtp_init), an LDM/STM/PUSH/POP of N registers as N (the
 * Cortex-M4's 1 + N cycles, ARM DDI 0439B Table 3-1, less the one cpi
 * already gives; the Cortex-M7 TRM publishes no cycle table).  These are
 * hand-written, not compiled and run as the core's paths are: provisional
 * (docs/compare.md).  Their code is laid out in RAM after the core's, at
 * 4 bytes an instruction (Thumb-2's wide encoding, an upper bound).  Where
 * a listing calls the core, the core's path is charged apart (counts.h).
 */
#include "port.h"

#include <string.h>
#include "rtcore/counts.h"

/* PendSV (FreeRTOS's xPortPendSVHandler, no FPU: the uCVM board ran with
 * the FPU off). */
static const char *const pendsv[] = {
    "mrs r0, psp", "isb", "ldr r3, =k_cur", "ldr r2, [r3]", "stmdb r0!, {r4-r11}", "str r0, [r2]",
    "push {r3, lr}", "mov r0, #BASEPRI_MAX", "msr basepri, r0", "dsb", "isb", "ldr r0, =k",
    "bl rtc_switch_context", "mov r0, #0", "msr basepri, r0", "pop {r3, lr}", "ldr r1, [r3]",
    "ldr r0, [r1]", "ldmia r0!, {r4-r11}", "msr psp, r0", "isb", "bx lr", NULL,
};
/* PendSV with FreeRTOS-MPU: CONTROL saved and restored with the context,
 * the incoming task's four RBAR/RASR pairs loaded from its TCB and stored
 * to MPU_RBAR..MPU_RASR_A3 (the stores are the model's region writes,
 * charged by rtp_mpu_load, so the STMIA is not counted here). */
static const char *const pendsv_mpu[] = {
    "mrs r0, psp", "isb", "ldr r3, =k_cur", "ldr r2, [r3]", "mrs r1, control", "stmdb r0!, {r1, r4-r11}",
    "str r0, [r2]", "push {r3, lr}", "mov r0, #BASEPRI_MAX", "msr basepri, r0", "dsb", "isb", "ldr r0, =k",
    "bl rtc_switch_context", "mov r0, #0", "msr basepri, r0", "pop {r3, lr}", "ldr r1, [r3]",
    "ldr r0, [r1]", "add r1, r1, #4", "ldr r2, =MPU_RBAR", "ldmia r1!, {r4-r11}",
    "ldmia r0!, {r3, r4-r11}", "msr control, r3", "msr psp, r0", "isb", "bx lr", NULL,
};
/* An API call's call site: arguments, the call, the result's test. */
static const char *const call[] = {
    "ldr r0, =queue", "add r1, sp, #item", "mov r2, #ticks", "mov r3, #0", "bl xQueueGenericSend",
    "cmp r0, #1", NULL,
};
/* taskENTER_CRITICAL and taskEXIT_CRITICAL (BASEPRI and a nesting count). */
static const char *const crit[] = {
    "mov r3, #BASEPRI_MAX", "msr basepri, r3", "isb", "dsb", "ldr r2, =nesting", "ldr r3, [r2]",
    "adds r3, #1", "str r3, [r2]",
    "ldr r2, =nesting", "ldr r3, [r2]", "subs r3, #1", "str r3, [r2]", "cbnz r3, 1f", "mov r3, #0",
    "msr basepri, r3", NULL,
};
/* portYIELD in Thread mode: ICSR.PENDSVSET, then the barriers. */
static const char *const yield[] = {
    "ldr r3, =ICSR", "mov r2, #PENDSVSET", "str r2, [r3]", "dsb", "isb", NULL,
};
/* FreeRTOS-MPU's MPU_xQueueGenericSend: xPortRaisePrivilege (its SVC
 * apart: RT_P_SVC and the exception's entry and exit), the call, and
 * vPortResetPrivilege. */
static const char *const mpu_wrap[] = {
    "push {r4-r7, lr}", "mov r4, r0", "mov r5, r1", "mov r6, r2",
    "bl xPortRaisePrivilege", "mrs r0, control", "tst r0, #1", "itte ne", "svcne #2", "movne r0, #0",
    "moveq r0, #1", "bx lr", "mov r7, r0", "mov r0, r4", "bl xQueueGenericSend",
    "cmp r7, #1", "beq 1f", "mrs r0, control", "orr r0, r0, #1", "msr control, r0", "pop {r4-r7, pc}", NULL,
};
/* SVCall: find the stacked frame, read the SVC number, raise privilege. */
static const char *const svc[] = {
    "tst lr, #4", "ite eq", "mrseq r0, msp", "mrsne r0, psp", "b prvSVCHandler", "ldr r1, [r0, #24]",
    "ldrb r1, [r1, #-2]", "cmp r1, #2", "bne 1f", "mrs r1, control", "bic r1, r1, #1", "msr control, r1",
    "bx lr", NULL,
};
/* SVCall: yield (portSVC_YIELD), as FreeRTOS-MPU's portYIELD is an SVC. */
static const char *const svc_yield[] = {
    "tst lr, #4", "ite eq", "mrseq r0, msp", "mrsne r0, psp", "b prvSVCHandler", "ldr r1, [r0, #24]",
    "ldrb r1, [r1, #-2]", "cmp r1, #2", "beq 1f", "cmp r1, #1", "ldr r1, =ICSR", "mov r2, #PENDSVSET",
    "str r2, [r1]", "dsb", "isb", "bx lr", NULL,
};
/* A device's ISR: clear its flag, xSemaphoreGiveFromISR's wrapper (BASEPRI
 * saved, raised, restored; *woken written), portYIELD_FROM_ISR. */
static const char *const isr[] = {
    "push {r4, lr}", "ldr r3, =DEVICE", "mov r2, #1", "str r2, [r3, #CLEAR]", "mov r0, #0",
    "str r0, [sp, #woken]", "ldr r0, =sem", "add r1, sp, #woken", "bl xQueueGiveFromISR",
    "mrs r4, basepri", "mov r5, #BASEPRI_MAX", "msr basepri, r5", "isb", "dsb", "msr basepri, r4",
    "cbz r0, 1f", "str r0, [r1]", "ldr r3, [sp, #woken]", "cbz r3, 2f", "ldr r3, =ICSR",
    "mov r2, #PENDSVSET", "str r2, [r3]", "pop {r4, pc}", NULL,
};
/* SysTick: BASEPRI raised around xTaskIncrementTick, PendSV pended if it
 * says so. */
static const char *const systick[] = {
    "push {r3, lr}", "mov r0, #BASEPRI_MAX", "msr basepri, r0", "isb", "dsb", "ldr r0, =k",
    "bl xTaskIncrementTick", "cbz r0, 1f", "ldr r3, =ICSR", "mov r2, #PENDSVSET", "str r2, [r3]",
    "mov r0, #0", "msr basepri, r0", "pop {r3, pc}", NULL,
};
/* MemManage: find the faulting task, suspend it (the core's path), clear
 * the fault status, pend a switch. */
static const char *const fault[] = {
    "tst lr, #4", "ite eq", "mrseq r0, msp", "mrsne r0, psp", "ldr r0, =k", "ldr r1, [r0, #cur]",
    "bl rtc_suspend", "ldr r3, =MMFSR", "mov r2, #0xFF", "strb r2, [r3]", "ldr r3, =ICSR",
    "mov r2, #PENDSVSET", "str r2, [r3]", "bx lr", NULL,
};

static const char *const *const listings[RT_P_STEPS] = {
    [RT_P_CALL] = call, [RT_P_CRIT] = crit, [RT_P_YIELD] = yield, [RT_P_PENDSV] = pendsv,
    [RT_P_PENDSV_MPU] = pendsv_mpu, [RT_P_MPU_WRAP] = mpu_wrap, [RT_P_SVC] = svc,
    [RT_P_SVC_YIELD] = svc_yield, [RT_P_ISR] = isr, [RT_P_SYSTICK] = systick, [RT_P_FAULT] = fault,
};

/* Registers in an LDM/STM/PUSH/POP's list: "{r4-r11}" 8, "{r3, lr}" 2. */
static unsigned list_regs(const char *insn)
{
    const char *p = strchr(insn, '{');
    if (p == NULL)
        return 1;
    unsigned n = 0;
    while (*p && *p != '}') {
        p++;
        while (*p == ' ')
            p++;
        unsigned a = 0, b = 0;
        if (*p == 'r') {
            a = (unsigned)strtoul(p + 1, (char **)&p, 10);
            b = a;
            if (*p == '-' && p[1] == 'r')
                b = (unsigned)strtoul(p + 2, (char **)&p, 10);
            n += b - a + 1;
        } else {
            n++;    /* lr, pc */
            while (*p && *p != ',' && *p != '}')
                p++;
        }
    }
    return n;
}

static unsigned listing_count(const char *const *l, unsigned *insns)
{
    unsigned n = 0, i = 0;
    for (; l[i]; i++) {
        bool multi = strncmp(l[i], "ldm", 3) == 0 || strncmp(l[i], "stm", 3) == 0 || strncmp(l[i], "push", 4) == 0
                  || strncmp(l[i], "pop", 3) == 0;
        n += multi ? list_regs(l[i]) : 1;
    }
    if (insns)
        *insns = i;
    return n;
}

unsigned rtp_core_count(rt_core_step s)
{
    g_assert(s < RT_C_STEPS);
    return rt_core_counts[s];
}

unsigned rtp_port_count(rt_port_step s)
{
    g_assert(s < RT_P_STEPS);
    return listing_count(listings[s], NULL);
}

#define ALIGN32(x) (((x) + 31u) & ~31u)

uint32_t rtp_text_bytes(void)
{
    uint32_t off = 0;
    for (unsigned i = 0; i < RT_C_STEPS; i++)
        off += ALIGN32(rt_core_bytes[i]);
    for (unsigned i = 0; i < RT_P_STEPS; i++) {
        unsigned insns;
        listing_count(listings[i], &insns);
        off += ALIGN32(4u * insns);
    }
    return off;
}

bool rtp_init(rtp *p, hw *h, uint32_t text, GError **error)
{
    memset(p, 0, sizeof *p);
    if (!h->cfg.has_mpu || hwirq_get_kind(h->irq) != HWIRQ_NVIC || hw_code_isa(h) != HW_ISA_T32) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "rtos: runs on a Cortex-M machine (Thumb-2, an NVIC and an MPU: stm32f767, cortex-m7, "
                    "cortex-m4, cortex-m33); %s is %s", h->cfg.name, model_arch_name(h->cfg.arch));
        return false;
    }
    p->h = h;
    p->text = text;
    uint32_t off = 0;
    /* a shared step (several core paths in one function) is laid out once
     * per step: the fetch is of the path's function either way */
    for (unsigned i = 0; i < RT_C_STEPS; i++) {
        p->core_off[i] = off;
        off += ALIGN32(rt_core_bytes[i]);
    }
    for (unsigned i = 0; i < RT_P_STEPS; i++) {
        unsigned insns;
        listing_count(listings[i], &insns);
        p->port_off[i] = off;
        off += ALIGN32(4u * insns);
    }
    p->text_bytes = off;
    return true;
}

void rtp_begin(rtp *p, sim_time_t now)
{
    p->now = now;
    p->cycles = 0;
}

void rtp_arch(rtp *p, uint64_t cycles)
{
    p->cycles += cycles;
}

static void fetch(rtp *p, uint32_t off, uint32_t len)
{
    if (len == 0 || hw_fetch_in_cpi(p->h))
        return;     /* no instruction cache: the fetch is inside cpi (model/hw.h) */
    p->cycles += hw_access(p->h, 0, p->text + off, len, HWMEM_FETCH, p->now + hw_ps(p->h, p->cycles));
}

void rtp_core(rtp *p, rt_core_step s, unsigned times)
{
    if (times == 0)
        return;
    p->cycles += hw_instructions(p->h, (uint64_t)rt_core_counts[s] * times);
    fetch(p, p->core_off[s], rt_core_bytes[s]);
}

void rtp_port(rtp *p, rt_port_step s)
{
    unsigned insns;
    unsigned n = listing_count(listings[s], &insns);
    p->cycles += hw_instructions(p->h, n);
    fetch(p, p->port_off[s], 4u * insns);
}

void rtp_touch(rtp *p, uint32_t addr, uint32_t len, bool write)
{
    const hwmem_config *mc = &p->h->cfg.mem;
    uint64_t ls = mc->has_l1 ? mc->l1d.line : 32;
    uint64_t hit = mc->has_l1 ? mc->l1d.hit_cycles : 0;
    for (uint64_t a = addr & ~(ls - 1); a < (uint64_t)addr + len; a += ls) {
        uint64_t cost = hw_access(p->h, 0, a, 1, write ? HWMEM_WRITE : HWMEM_READ, p->now + hw_ps(p->h, p->cycles));
        /* an L1 hit is inside the instruction's cpi (kernel/path.c's rule) */
        p->cycles += cost > hit ? cost - hit : 0;
    }
}

uint64_t rtp_end(rtp *p)
{
    hw_account(p->h, 0, p->cycles, true);
    p->kernel_cycles += p->cycles;
    return p->cycles;
}

void rtp_pend(rtp *p, unsigned line)
{
    hwirq_raise(p->h->irq, 0, line);
}

/* The entry and exit costs of an exception by kind: SVCall a system call,
 * MemManage a fault, the rest interrupts. */
static model_cost entry_cost(unsigned line)
{
    return line == RTP_SVCALL ? MODEL_COST_SYSCALL_ENTRY
         : line == RTP_MEMMANAGE ? MODEL_COST_EXCEPTION_ENTRY : MODEL_COST_IRQ_ENTRY;
}

static model_cost exit_cost(unsigned line)
{
    return line == RTP_SVCALL ? MODEL_COST_SYSCALL_EXIT
         : line == RTP_MEMMANAGE ? MODEL_COST_EXCEPTION_EXIT : MODEL_COST_IRQ_EXIT;
}

unsigned rtp_enter(rtp *p)
{
    unsigned line = hwirq_ack(p->h->irq, 0, NULL);
    if (line == HWIRQ_NONE)
        return line;
    hw_interrupt_taken(p->h, 0);
    p->cycles += hw_cost(p->h, entry_cost(line));
    return line;
}

unsigned rtp_return(rtp *p, unsigned line)
{
    uint64_t tail = 0;
    unsigned next = hw_irq_done(p->h, 0, line, &tail);
    if (next != HWIRQ_NONE) {
        hw_interrupt_taken(p->h, 0);
        p->cycles += tail;
        return next;
    }
    p->cycles += hw_cost(p->h, exit_cost(line));
    return HWIRQ_NONE;
}

void rtp_mpu_load(rtp *p, const hwmpu *layout)
{
    /* FreeRTOS-MPU writes all four task regions every switch, changed or
     * not; the model charges each region it writes */
    hw_mpu_program(p->h, 0, layout);
    p->cycles += RTP_TASK_REGIONS * hw_cost(p->h, MODEL_COST_MPU_REGION_WRITE);
    p->mpu_writes += RTP_TASK_REGIONS;
}

void rtp_priorities(rtp *p, const unsigned *device, unsigned n, unsigned device_prio)
{
    hwirq *irq = p->h->irq;
    /* configKERNEL_INTERRUPT_PRIORITY: the lowest (255, low bits dropped) */
    hwirq_set_priority(irq, 0, RTP_PENDSV, 255);
    hwirq_set_priority(irq, 0, RTP_SYSTICK, 255);
    for (unsigned i = 0; i < n; i++)
        hwirq_set_priority(irq, 0, device[i], device_prio);
}
