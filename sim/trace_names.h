/* sim/trace_names.h: the names of the trace's tables and event kinds, one
 * place for the writers (sim/, model/, kernel/, compose/, and user-level
 * components through kernel/abi.h) and the readers (analysis/).
 * docs/trace-schema.md describes each; a name changed here changes it for
 * both sides at once. */
#pragma once

/* ---- tables ---------------------------------------------------------------- */
#define TRN_RUN "run"
#define TRN_RUN_PARAMS "run_params"
#define TRN_EVENTS "events"
#define TRN_EVENT_KINDS "event_kinds"
#define TRN_TRACE_TABLES "trace_tables"
#define TRN_COUNTERS "counters"           /* model/hw.c: per-core cache, TLB and bus counters */
#define TRN_KERNEL_PATHS "kernel_paths"   /* kernel/path.c: each kernel path's count and cycles */
#define TRN_TASKS "tasks"                 /* compose/run.c: a composed system's tasks */
#define TRN_COMPONENTS "components"       /* compose/comps.c: a composed system's components */
#define TRN_TASK_DEMAND "task_demand"     /* compose/demand.c: each task's declared demand, for the safe bound */
#define TRN_JOBS "jobs"                   /* components/implementation/app/workload: every job */
#define TRN_TRACE_LEVEL "trace_level"     /* sim/trace.c: the level, when it is not all */

/* ---- event kinds by who writes them: what a trace level keeps (sim/trace.h) ----- */
#define TRN_KERNEL_KIND_PREFIX "k."
#define TRN_USER_KIND_PREFIX "u."

/* ---- kernel events (kernel/) --------------------------------------------------- */
#define TRN_K_SWITCH "k.switch"
#define TRN_K_SINV "k.sinv"
#define TRN_K_SRET "k.sret"
#define TRN_K_SEND "k.send"
#define TRN_K_RCV "k.rcv"
#define TRN_K_IRQ "k.irq"
#define TRN_K_EXPIRE "k.expire"
#define TRN_K_TIMEOUT "k.timeout"
#define TRN_K_FAULT "k.fault"
#define TRN_K_ERROR "k.error"
#define TRN_K_EXIT "k.exit"
#define TRN_K_ULSWITCH "k.ulswitch"

/* ---- user-level events (the composed system's components) ----------------------- */
#define TRN_U_SCHED "u.sched"
#define TRN_U_EXPIRE "u.expire"
#define TRN_U_LOCK_WAIT "u.lock_wait"
#define TRN_U_LOCK_ACQUIRE "u.lock_acquire"
#define TRN_U_IRQ_THREAD "u.irq_thread"
#define TRN_U_CHAN_WAIT "u.chan_wait"
#define TRN_U_MM "u.mm"
