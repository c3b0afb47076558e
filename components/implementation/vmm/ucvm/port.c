/* components/implementation/vmm/ucvm/port.c: the guest's paravirtual port
 * (see port.h): its listings and what they cost. */
#include "components/implementation/vmm/ucvm/port.h"

#include <string.h>
#include "components/lib/cos.h"
#include "rtcore/counts.h"

/* An API call's call site: the same as the native port's listing. */
static const char *const call[] = {
    "ldr r0, =queue", "add r1, sp, #item", "mov r2, #ticks", "mov r3, #0", "bl xQueueGenericSend",
    "cmp r0, #1", NULL,
};
/* Critical section: the mask word in the VM's memory, no BASEPRI; on the
 * way out a virtual interrupt that came while masked is taken. */
static const char *const crit[] = {
    "ldr r2, =pv", "mov r3, #1", "str r3, [r2, #masked]",
    "mov r3, #0", "str r3, [r2, #masked]", "ldr r3, [r2, #pending]", "cbnz r3, 1f", NULL,
};
/* The switch (portYIELD's stand-in): mask, rtc_switch_context, unmask.
 * No registers are saved here: the kernel's dispatch saves them. */
static const char *const sw[] = {
    "ldr r2, =pv", "mov r1, #1", "str r1, [r2, #masked]", "ldr r0, =k", "bl rtc_switch_context", "mov r1, #0",
    "str r1, [r2, #masked]", NULL,
};
/* The dispatch's call site: the running TCB's task number, its thread's
 * slot in the pv state's table, the VM's tcap, no priority, timeout or
 * scheduler's rcv (cos_switch's six arguments, the last three on the
 * stack), the system call's stub, its result checked. */
static const char *const dispatch[] = {
    "ldr r3, =k_cur", "ldr r1, [r3]", "ldr r1, [r1, #id]", "ldr r2, =pv", "add r1, r2, r1, lsl #2",
    "ldr r0, [r1, #thd]", "ldr r1, [r2, #tcap]", "mov r2, #0", "mov r3, #0", "push {r3}", "push {r3}",
    "push {r3}", "bl cos_switch", "add sp, #12", "cmp r0, #0", "bne 1f", NULL,
};
/* A virtual interrupt, after the vCPU's receive returned: the pending
 * hypercall's call site (its sinv apart: the kernel's), masked? then pend
 * them; else the line's semaphore given from "ISR", and a switch when it
 * says so (xSemaphoreGiveFromISR and portYIELD_FROM_ISR; the tick's
 * handler, when line 0 came, is the core's path apart). */
static const char *const virq[] = {
    "ldr r2, =pv", "ldr r0, [r2, #hypercall]", "mov r1, #0", "bl cos_sinv", "mov r4, r0",
    "ldr r1, [r2, #masked]", "cbnz r1, 1f", "ldr r3, =virq_sem", "ldr r0, [r3, #4]",
    "mov r1, #0", "str r1, [sp, #woken]", "add r1, sp, #woken", "bl xQueueGiveFromISR", "ldr r3, [sp, #woken]",
    "cbz r3, 2f", "bl vmg_switch", "b idle", NULL,
};
/* The vCPU's receive: its call site (cos_rcv's stub: endpoint, flags:
 * blocking when the idle task is the guest's running task, else not, the
 * system call) and the loop back. */
static const char *const idle[] = {
    "ldr r2, =pv", "ldr r0, [r2, #rcv]", "ldr r3, =k_cur", "ldr r3, [r3]", "ldr r1, =idle_tcb", "cmp r3, r1",
    "ite eq", "moveq r1, #0", "movne r1, #1", "bl cos_rcv", "cmp r0, #0", "bne 1f", NULL,
};
/* A fault: suspend the task (the core's path apart), count it, switch. */
static const char *const fault[] = {
    "ldr r0, =k", "ldr r1, [r0, #cur]", "bl rtc_suspend", "ldr r2, =pv", "ldr r1, [r2, #faults]",
    "adds r1, #1", "str r1, [r2, #faults]", "bl vmg_switch", NULL,
};

static const char *const *const listings[VMP_STEPS] = {
    [VMP_CALL] = call, [VMP_CRIT] = crit, [VMP_SWITCH] = sw, [VMP_DISPATCH] = dispatch, [VMP_VIRQ] = virq,
    [VMP_IDLE] = idle, [VMP_FAULT] = fault,
};

/* Registers in a push/pop list ("{r4-r11, lr}": 9), else 1. */
static unsigned list_regs(const char *insn)
{
    const char *p = strchr(insn, '{');
    if (p == NULL)
        return 1;
    unsigned n = 0;
    for (p++; *p && *p != '}'; p++) {
        if (*p == 'r' && p[1] >= '0' && p[1] <= '9') {
            unsigned a = 0, b;
            for (p++; *p >= '0' && *p <= '9'; p++)
                a = a * 10 + (unsigned)(*p - '0');
            b = a;
            if (p[0] == '-' && p[1] == 'r')
                for (b = 0, p += 2; *p >= '0' && *p <= '9'; p++)
                    b = b * 10 + (unsigned)(*p - '0');
            n += b - a + 1;
            p--;
        } else if (*p == 'l' || (*p == 'p' && p[1] == 'c')) {
            n++;            /* lr, pc */
            p++;
        }
    }
    return n;
}

unsigned vmp_count(vmp_step s)
{
    unsigned n = 0;
    for (const char *const *l = listings[s]; *l; l++)
        n += strncmp(*l, "push", 4) == 0 || strncmp(*l, "pop", 3) == 0 ? list_regs(*l) : 1;
    return n;
}

void vmp_port(vmp_step s)
{
    cos_instructions(vmp_count(s));
}

void vmp_core(rt_core_step s, unsigned times)
{
    if (times)
        cos_instructions((uint64_t)rt_core_counts[s] * times);
}
