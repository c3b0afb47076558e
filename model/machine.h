/* model/machine.h: machine configurations and presets.
 *
 * A machine is described by a preset, a Lua data file in model/presets/
 * (format and rules in docs/machines.md), possibly with a scenario's
 * overrides merged over it.  This module reads such a table into a
 * model_config: every key is checked against the schema below (an unknown
 * key or an impossible value is an error naming the key), every figure must
 * carry a source, and the figures are kept, in schema order, with their
 * sources, so that `cossim machines NAME` can print them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <lua.h>
#include "sim/simtime.h"
#include "mem.h"

#define MODEL_ERROR (model_error_quark())
GQuark model_error_quark(void);
enum { MODEL_ERROR_PRESET };

/* MODEL_I386: 32-bit x86 with 32-bit (non-PAE, 2-level) paging and no PCID */
typedef enum { MODEL_X86_64, MODEL_ARMV7A, MODEL_ARMV8A, MODEL_ARMV7M, MODEL_ARMV7EM, MODEL_ARMV8M, MODEL_I386 } model_arch;
typedef enum { MODEL_IRQ_LAPIC, MODEL_IRQ_GIC, MODEL_IRQ_NVIC, MODEL_IRQ_GICV3 } model_irq_kind;
typedef enum { MODEL_TIMER_TSC_DEADLINE, MODEL_TIMER_ARM_GENERIC, MODEL_TIMER_ARM_PRIVATE, MODEL_TIMER_SYSTICK } model_timer_kind;
typedef enum { MODEL_MPU_V7M, MODEL_MPU_V8M } model_mpu_kind;

/* The pipeline's own price of the events a kernel uses, in core cycles
 * (docs/machines.md).  Keep in step with cost_names in machine.c. */
typedef enum {
    MODEL_COST_SYSCALL_ENTRY, MODEL_COST_SYSCALL_EXIT,
    MODEL_COST_EXCEPTION_ENTRY, MODEL_COST_EXCEPTION_EXIT,
    MODEL_COST_IRQ_ENTRY, MODEL_COST_IRQ_EXIT, MODEL_COST_IRQ_TAIL_CHAIN,
    MODEL_COST_PT_SWITCH,
    MODEL_COST_TLB_FLUSH_ALL, MODEL_COST_TLB_FLUSH_ASID, MODEL_COST_TLB_FLUSH_ADDR,
    MODEL_COST_MPU_REGION_WRITE,
    MODEL_COST_IPI_SEND, MODEL_COST_TIMER_PROGRAM,
    MODEL_COST_FPU_SAVE, MODEL_COST_FPU_RESTORE,
    MODEL_COST_ATOMIC_RMW,
    MODEL_COSTS
} model_cost;

const char *model_cost_name(model_cost c);

typedef struct model_tlb_level {
    unsigned entries, ways;     /* entries == 0: absent */
} model_tlb_level;

/* One figure as the preset gave it, for printing. */
typedef struct model_figure {
    char *path;                 /* "caches.l1d.size" */
    char *value;                /* as written, e.g. "32K" */
    char *source;               /* or the calibration note */
    bool calibrated;
} model_figure;

typedef struct model_config {
    char *name;
    char *description;
    model_arch arch;
    unsigned cores;
    unsigned sockets;           /* sockets (x86) or clusters (ARM), dividing the cores; 1 by default */
    uint64_t freq_hz;
    hwmem_config mem;           /* cores, frequency, memory and caches */
    bool has_tlb;
    model_tlb_level itlb, dtlb, l2tlb;
    bool asid;                  /* PCID / ASID used by the kernel */
    bool has_mpu;
    model_mpu_kind mpu_kind;
    unsigned mpu_regions;
    model_irq_kind irq;
    unsigned irq_lines;
    unsigned irq_prio_bits;     /* 0: all 8 */
    sim_time_t ipi_latency;
    model_timer_kind timer;
    uint64_t timer_freq_hz;
    double cpi;
    uint64_t cost[MODEL_COSTS];
    GPtrArray *figures;         /* model_figure *, schema order */
} model_config;

/* The folder of presets: COSSIM_PRESETS if set, else the source tree's,
 * else the installed copy. */
const char *model_preset_dir(void);
/* Names of the presets there, sorted (free with g_strfreev). */
char **model_preset_names(void);
/* Push the table of preset `name` (a name in the preset folder, or a path
 * to a .lua file) onto L. [-0, +1] on success; nothing pushed on failure. */
bool model_preset_push(lua_State *L, const char *name, GError **error);
/* Read the machine table at idx into *cfg (filled; free with
 * model_config_clear).  `what` names the table in messages (the preset). */
bool model_config_from_lua(lua_State *L, int idx, const char *what, model_config *cfg, GError **error);
/* Merge the table at `over` into the table at `base` (both on L's stack):
 * tables merge key by key, anything else replaces.  How a scenario
 * overrides a preset: machine{preset = "cortex-a9", cores = 4,
 * caches = {l2 = {size = "1M"}}} (the preset key itself is the caller's).
 * An override of a figure that had its own source keeps no source: the
 * scenario's value stands with the source "set by the scenario". [-0, +0] */
void model_preset_merge(lua_State *L, int base, int over);
/* The two steps above, in a private Lua state. */
bool model_config_load(const char *name, model_config *cfg, GError **error);
void model_config_clear(model_config *cfg);

const char *model_arch_name(model_arch a);

/* `cossim machines [NAME]`. */
int model_cli_machines(int argc, char **argv);
