/* sim/cli.c: the `cossim` command line.
 *
 * Each verb parses its own options with GOptionContext; every mistake on the
 * command line is one line on stderr naming what and where, exit code 2,
 * and nothing written.  The one piece of process-wide state is the path of
 * the trace being written, kept for the signal handler that removes it when
 * the run is interrupted (signals are process-wide by nature).
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cossim-config.h"
#include "bench.h"
#include "json.h"
#include "cli_internal.h"
#include "lua.h"
#include "sim.h"

/* ---- interruption: never leave a half-written trace ---- */

/* What main() added (verbs, benchmarks): fixed for the life of the process. */
static const simcli_app *the_app;

/* The temporary trace being written, for the handler: a copy of its own (no
 * pointer into memory that is freed), valid while temp_set. */
static char temp_trace[4096];
static volatile sig_atomic_t temp_set;
/* The file is being made, its name not yet known to the handler: a signal
 * that cannot be held then (a fault signal sent by kill) is kept here and
 * acted on once the name is known. */
static volatile sig_atomic_t making, deferred;
static volatile sig_atomic_t alarm_is_budget;   /* SIGALRM is the --timeout backstop */
static char alarm_message[160];                  /* what it prints */
static struct sigaction previous[NSIG];
#define SIMCLI_SIGNAL_STACK (64 * 1024)

/* Every signal whose default action ends the process: each would leave the
 * temporary trace behind.  (SIGKILL and SIGSTOP cannot be caught; a file
 * left by SIGKILL is swept by the next run, sim/tempfile.h.) */
static const int fatal_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE,
    SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS,
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
#ifdef SIGPOLL
    SIGPOLL,
#endif
#ifdef SIGPWR
    SIGPWR,
#endif
};

static bool is_fault(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP || sig == SIGSYS;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    int e = errno;
    if (making && !temp_set && !(is_fault(sig) && si && si->si_code > 0)) {
        if (!deferred)
            deferred = sig;
        errno = e;
        return;
    }
    if (temp_set)
        unlink(temp_trace);
    if (sig == SIGALRM && alarm_is_budget && si && si->si_code > 0) {   /* our alarm, not a kill */
        /* the backstop of --timeout, for C code that never came back to a
         * poll of the budget: it decides only whether the run fails */
        if (write(STDERR_FILENO, alarm_message, strlen(alarm_message)) < 0)
            _exit(SIMCLI_EXIT_USAGE);
        _exit(SIMCLI_EXIT_USAGE);
    }
    /* then what would have happened without us: the action before ours
     * (the default, or a sanitizer's report).  A fault returns to its
     * instruction, which faults again; a sent signal is sent again, and
     * arrives once this handler returns */
    sigaction(sig, &previous[sig], NULL);
    if (!is_fault(sig) || si == NULL || si->si_code <= 0)
        raise(sig);
    errno = e;
}

/* Before any file is made: a signal can come at any time. */
static void install_signals(void)
{
    static bool installed;          /* once: `previous` must not become ours */
    if (installed)
        return;
    installed = true;
    /* a stack for the handler, so that a fault from a full stack (a
     * coroutine's, or the main one) still removes the file; unless one is
     * set already (a sanitizer's) */
    static char *alt;
    stack_t cur;
    if (alt == NULL && sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) {
        alt = g_malloc(SIMCLI_SIGNAL_STACK);
        stack_t st = { .ss_sp = alt, .ss_size = SIMCLI_SIGNAL_STACK, .ss_flags = 0 };
        sigaltstack(&st, NULL);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask);                 /* one handler at a time */
    for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++) {
        int sig = fatal_signals[i];
        struct sigaction old;
        if (sigaction(sig, NULL, &old) != 0)
            continue;
        if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_IGN)
            continue;                        /* ignored by whoever started us (nohup): keep it so */
        previous[sig] = old;
        sigaction(sig, &sa, NULL);
    }
}

/* Hold every signal but the faults (a fault while held would bypass every
 * handler, a sanitizer's too); threads started meanwhile (the trace's
 * writer) keep this mask, so sent signals reach the main thread. */
static void block_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    for (int sig = 1; sig < NSIG; sig++)
        if (is_fault(sig))
            sigdelset(&all, sig);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

static void restore_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

void simcli_watchdog(const char *verb, unsigned seconds)
{
    g_snprintf(alarm_message, sizeof alarm_message,
               "cossim %s: stopped: the host-time budget (--timeout) ran out inside C code that did not return\n",
               verb);
    install_signals();
    alarm_is_budget = 1;
    alarm(seconds);
}

/* ---- helpers ---- */


static bool valid_param_key(const char *k, size_t n)
{
    if (n == 0 || !(g_ascii_isalpha(k[0]) || k[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(g_ascii_isalnum(k[i]) || k[i] == '_'))
            return false;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    guint64 v;
    bool hex = g_str_has_prefix(s, "0x") || g_str_has_prefix(s, "0X");
    if (!g_ascii_string_to_unsigned(hex ? s + 2 : s, hex ? 16 : 10, 0, G_MAXUINT64, &v, NULL))
        return false;
    *out = v;
    return true;
}

/* The trace may be written to trace_path: not the scenario itself (the
 * rename would replace it), and, if something is there already, a regular
 * file (a rename over a device node, a pipe or a socket replaces the node:
 * --trace /dev/null run as root would remove /dev/null).  Else rc set. */
static bool trace_target_ok(const char *trace_path, const char *scenario, int *rc)
{
    struct stat t, sc;
    if (stat(trace_path, &t) != 0)
        return true;                 /* nothing there (or unreachable: opening says why) */
    if (S_ISDIR(t.st_mode)) {
        *rc = simcli_usage_error("run", "--trace: '%s' is a folder", trace_path);
        return false;
    }
    if (!S_ISREG(t.st_mode)) {
        *rc = simcli_usage_error("run", "--trace: '%s' is not a regular file (a device, a pipe or a socket), and writing "
                                 "the trace would replace it (for no trace file: --trace none)", trace_path);
        return false;
    }
    if (stat(scenario, &sc) == 0 && sc.st_dev == t.st_dev && sc.st_ino == t.st_ino) {
        *rc = simcli_usage_error("run", "--trace: '%s' is the scenario itself, and writing the trace would replace it",
                          trace_path);
        return false;
    }
    return true;
}

/* ---- progress on a terminal ---- */

typedef struct progress {
    gint64 start_us, last_us;
    uint64_t last_events;
    bool shown;
} progress;

static bool progress_shown;

/* Without escape sequences under NO_COLOR or a dumb terminal. */
static bool plain_terminal(void)
{
    const char *nc = g_getenv("NO_COLOR"), *term = g_getenv("TERM");
    return (nc && *nc) || (term && strcmp(term, "dumb") == 0);
}

void simcli_progress_clear(void)
{
    if (!progress_shown)
        return;
    fputs(plain_terminal() ? "\r                                                                      \r" : "\r\033[K",
          stderr);
    fflush(stderr);
    progress_shown = false;
}

/* A simulated time for the progress line: three decimals of its unit. */
static const char *progress_time(sim_time_t ps, char *buf, size_t n)
{
    if (ps >= SIM_S)
        g_snprintf(buf, n, "%.3f s", (double)ps / (double)SIM_S);
    else if (ps >= SIM_MS)
        g_snprintf(buf, n, "%.3f ms", (double)ps / (double)SIM_MS);
    else
        g_snprintf(buf, n, "%.3f us", (double)ps / (double)SIM_US);
    return buf;
}

static void show_progress(sim *s, void *user)
{
    progress *p = user;
    gint64 now = g_get_monotonic_time();
    if (now - p->last_us < 200000)
        return;
    double rate = (double)(s->dispatched - p->last_events) / ((double)(now - p->last_us) / 1e6);
    char t[32], target[32];
    simcli_progress_clear();
    progress_time(sim_now(s), t, sizeof t);
    if (s->target != SIM_TIME_MAX)
        fprintf(stderr, "cossim: %s of %s (%.0f%%), %.2f M events/s", t,
                progress_time(s->target, target, sizeof target),
                100.0 * (double)sim_now(s) / (double)(s->target ? s->target : 1), rate / 1e6);
    else
        fprintf(stderr, "cossim: %s, %.2f M events/s", t, rate / 1e6);
    fflush(stderr);
    p->last_us = now;
    p->last_events = s->dispatched;
    p->shown = progress_shown = true;
}

/* ---- run ---- */

typedef struct run_opts {
    char *seed;
    char *until;
    char *trace;
    char *trace_level;
    char **set;
    gboolean json;
    gint lua_memory_mib;
    gint64 lua_instructions;
    gint timeout_s;
    gint memory_mib;
} run_opts;

static GOptionContext *run_context(run_opts *o)
{
    GOptionEntry entries[] = {
        { "seed", 0, 0, G_OPTION_ARG_STRING, &o->seed, "Seed of every random stream (default 1)", "N" },
        { "until", 0, 0, G_OPTION_ARG_STRING, &o->until, "Stop at this simulated time (ps, ns, us, ms, s)", "TIME" },
        { "trace", 0, 0, G_OPTION_ARG_FILENAME, &o->trace, "Trace database (default: SCENARIO.db here; 'none' for no file)", "FILE" },
        { "trace-level", 0, 0, G_OPTION_ARG_STRING, &o->trace_level, "What the trace keeps: all (default), kernel (no events of the components) or jobs (no events of the kernel nor of the components); see docs/trace-schema.md", SIMTR_LEVELS },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->set, "Set params.KEY for the script (repeatable)", "KEY=VALUE" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print one JSON object instead of the summary (script output goes to stderr)", NULL },
        { "lua-memory", 0, 0, G_OPTION_ARG_INT, &o->lua_memory_mib, "Memory cap of the script, MiB (default 256; 0 = none)", "MIB" },
        { "lua-instructions", 0, 0, G_OPTION_ARG_INT64, &o->lua_instructions, "Instruction cap of the script (default 2e9; 0 = none)", "N" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout_s, "Host-time budget of the run: give up after this many seconds (exit 2; default 600; 0 = none)", "SECONDS" },
        { "memory", 0, 0, G_OPTION_ARG_INT, &o->memory_mib, "Host-memory budget of the run, MiB resident (exit 2; default 2048; 0 = none)", "MIB" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - run a scenario");
    g_option_context_set_summary(ctx,
        "Runs SCENARIO (a path, or the name of a bundled scenario: see 'cossim scenarios'),\n"
        "writes its trace and prints a summary with the trace's digest.\n"
        "'cossim run SCENARIO --help' lists the scenario's parameters (--set KEY=VALUE).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    return ctx;
}

/* `cossim run SCENARIO --help` lists the scenario's parameters (its
 * sim.params declaration) where `cossim run --help` lists the verb's
 * options: true, with --help taken out of argv, when a scenario is named
 * (an argument that is neither an option nor an option's value). */
static bool scenario_help(int *argc, char **argv)
{
    static const char *const valued[] = { "--seed", "--until", "--trace", "--trace-level", "--set", "--lua-memory",
                                          "--lua-instructions", "--timeout", "--memory", NULL };
    int help = -1;
    bool named = false;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "-?") == 0)
            help = i;
        else if (strcmp(argv[i], "--") == 0)
            named = named || i + 1 < *argc;
        else if (g_strv_contains(valued, argv[i]))
            i++;                /* its value */
        else if (argv[i][0] != '-')
            named = true;
    }
    if (help < 0 || !named)
        return false;
    for (int i = help; i + 1 < *argc; i++)
        argv[i] = argv[i + 1];
    (*argc)--;
    return true;
}

/* `cossim run`; with report_out, the script's report (JSON) is handed
 * back on success (a bundled verb judges it: cossim papers). */
static int run_scenario(int argc, char **argv, char **report_out)
{
    run_opts o = { .lua_memory_mib = G_MININT, .lua_instructions = G_MININT64,   /* unset */
                   .timeout_s = SIMCLI_DEFAULT_TIMEOUT, .memory_mib = SIMCLI_DEFAULT_MEMORY };
    g_autoptr(GOptionContext) ctx = run_context(&o);
    g_autoptr(GError) err = NULL;
    int rc = SIMCLI_EXIT_USAGE;
    simtr *tr = NULL;
    sim *s = NULL;
    simlua *h = NULL;
    g_autofree char *path = NULL, *text = NULL, *trace_path = NULL, *script_sha = NULL, *base = NULL;
    g_autofree char *lib_dir = NULL, *report = NULL, *machine = NULL;
    gsize text_len = 0;

    bool help = scenario_help(&argc, argv);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = simcli_usage_error("run", "%s", err->message);
        goto out;
    }
    if (argc != 2) {
        rc = simcli_usage_error("run", argc < 2 ? "which scenario? (cossim run SCENARIO.lua)"
                                          : "one scenario at a time ('%s' is extra)", argc < 2 ? "" : argv[2]);
        goto out;
    }
    uint64_t seed = 1;
    if (o.seed && !parse_u64(o.seed, &seed)) {
        rc = simcli_usage_error("run", "--seed: '%s' is not a whole number from 0 to 2^64-1", o.seed);
        goto out;
    }
    sim_time_t until = 0;
    if (o.until && !simt_parse(o.until, &until, &err)) {
        rc = simcli_usage_error("run", "--until: %s", err->message);
        goto out;
    }
    if (o.until && until > (sim_time_t)INT64_MAX) {
        rc = simcli_usage_error("run", "--until: '%s' is past the end of scenario time (2^63-1 ps, about 106 days)", o.until);
        goto out;
    }
    simtr_level level = SIMTR_LEVEL_ALL;
    if (o.trace_level && !simtr_level_parse(o.trace_level, &level)) {
        rc = simcli_usage_error("run", "--trace-level: '%s' is not a level (%s)", o.trace_level, SIMTR_LEVELS);
        goto out;
    }
    simlua_limits lim = { SIMLUA_DEFAULT_MEMORY, SIMLUA_DEFAULT_INSTRUCTIONS };
    if (o.lua_memory_mib != G_MININT) {
        if (o.lua_memory_mib < 0 || o.lua_memory_mib > 1 << 20) {
            rc = simcli_usage_error("run", "--lua-memory: %d is not a size in MiB from 0 (no cap) to 1048576", o.lua_memory_mib);
            goto out;
        }
        lim.memory = (size_t)o.lua_memory_mib << 20;
    }
    if (o.lua_instructions != G_MININT64) {
        if (o.lua_instructions < 0) {
            rc = simcli_usage_error("run", "--lua-instructions: %" G_GINT64_FORMAT " is negative (0 means no cap)", o.lua_instructions);
            goto out;
        }
        lim.instructions = (uint64_t)o.lua_instructions;
    }
    if (o.timeout_s < 0) {
        rc = simcli_usage_error("run", "--timeout: %d is negative (0 means no budget)", o.timeout_s);
        goto out;
    }
    if (o.memory_mib < 0 || o.memory_mib > 1 << 24) {
        rc = simcli_usage_error("run", "--memory: %d is not a size in MiB from 0 (no budget) to 16777216", o.memory_mib);
        goto out;
    }
    simbudget budget;
    simbudget_init(&budget, o.timeout_s, (uint64_t)o.memory_mib << 20);
    for (char **kv = o.set; kv && *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        if (eq == NULL || !valid_param_key(*kv, (size_t)(eq - *kv))) {
            rc = simcli_usage_error("run", "--set: '%s' is not KEY=VALUE (KEY: letters, digits and _, not starting with a digit)", *kv);
            goto out;
        }
    }
    path = simcli_find_scenario(argv[1]);
    if (path == NULL) {
        rc = simcli_usage_error("run", "scenario '%s' not found (a path to a .lua file, or a bundled name: see 'cossim scenarios')", argv[1]);
        goto out;
    }
    if (!g_file_get_contents(path, &text, &text_len, &err)) {
        rc = simcli_usage_error("run", "cannot read scenario: %s", err->message);
        goto out;
    }
    script_sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, text_len);
    base = g_path_get_basename(path);
    if (help) {                 /* the parameters are listed; nothing is run or written */
        g_free(o.trace);
        o.trace = g_strdup("none");
    }
    if (o.trace == NULL) {
        g_autofree char *stem = g_str_has_suffix(base, ".lua") ? g_strndup(base, strlen(base) - 4) : g_strdup(base);
        trace_path = g_strconcat(stem, ".db", NULL);
    } else if (strcmp(o.trace, "none") != 0) {
        if (*o.trace == '\0') {
            rc = simcli_usage_error("run", "--trace: an empty name (give a file, or 'none')");
            goto out;
        }
        trace_path = g_strdup(o.trace);
    }
    if (trace_path && !trace_target_ok(trace_path, path, &rc))
        goto out;
    /* the handlers before the temporary file exists, and the file made and
     * its name published with every signal held, so that no signal finds a
     * file the handler does not know */
    install_signals();
    sigset_t held;
    making = 1;
    block_signals(&held);
    tr = simtr_open(trace_path, &err);
    if (tr && simtr_temp_path(tr) && strlen(simtr_temp_path(tr)) < sizeof temp_trace) {
        g_strlcpy(temp_trace, simtr_temp_path(tr), sizeof temp_trace);
        temp_set = 1;
    } else if (tr && simtr_temp_path(tr)) {
        simtr_abort(tr);
        tr = NULL;
        g_set_error(&err, SIMTR_ERROR, SIMTR_ERROR_OPEN, "--trace: '%s': the name is too long", trace_path);
    }
    restore_signals(&held);     /* a signal held meanwhile arrives now, and finds the name */
    making = 0;
    if (deferred) {
        if (temp_set)
            unlink(temp_trace);
        sigaction(deferred, &previous[deferred], NULL);
        raise(deferred);
    }
    if (tr == NULL) {
        rc = simcli_usage_error("run", "%s", err->message);
        goto out;
    }
    if (o.timeout_s > 0)      /* the backstop of the budget's polls: a little later than they */
        simcli_watchdog("run", (unsigned)o.timeout_s + SIMCLI_ALARM_GRACE);
    simtr_set_level(tr, level);
    s = sim_new(seed, tr);
    s->budget = &budget;
    tr = NULL;
    for (char **kv = o.set; kv && *kv; kv++) {
        char *eq = strchr(*kv, '=');
        *eq = '\0';
        sim_param(s, *kv, eq + 1);
        *eq = '=';
    }
    lib_dir = g_build_filename(simcli_scenario_dir(), "lib", NULL);
    h = simlua_new(s, &lim, o.json ? stderr : stdout, lib_dir, the_app ? the_app->libs : NULL,
                   the_app ? the_app->nlibs : 0, &err);
    if (h == NULL) {
        rc = simcli_usage_error("run", "%s", err->message);
        goto out;
    }
    for (char **kv = o.set; kv && *kv; kv++) {
        char *eq = strchr(*kv, '=');
        *eq = '\0';
        simlua_param(h, *kv, eq + 1);
        *eq = '=';
    }
    if (o.until)
        simlua_set_until(h, until);
    if (help)
        simlua_set_help(h);

    progress prog = { 0 };
    prog.start_us = prog.last_us = g_get_monotonic_time();
    if (isatty(STDERR_FILENO))
        sim_set_progress(s, show_progress, &prog);
    gint64 t0 = g_get_monotonic_time();
    bool ok = simlua_run(h, path, text, text_len, &err);
    gint64 t1 = g_get_monotonic_time();
    simcli_progress_clear();
    fflush(stdout);
    if (!ok && g_error_matches(err, SIMLUA_ERROR, SIMLUA_ERROR_HELP)) {
        rc = 0;
        goto out;
    }
    if (!ok) {
        fprintf(stderr, "%s\n", err->message);
        rc = SIMCLI_EXIT_USAGE;
        goto out;
    }

    machine = g_strdup(simlua_machine(h));
    simtr_run run = {
        .scenario = base,
        .scenario_sha256 = script_sha,
        .machine = machine,
        .seed = seed,
        .has_until = o.until != NULL,
        .until_ps = until,
        .end_ps = sim_now(s),
        .events = s->dispatched,
    };
    uint64_t rows = simtr_rows(s->t_events);
    sim_time_t end = sim_now(s);
    uint64_t events = s->dispatched;
    char digest[SIMTR_DIGEST_HEX];
    report = g_strdup(simlua_report(h));
    simlua_free(h);
    h = NULL;
    if (!sim_finish(s, &run, digest, &err)) {
        temp_set = 0;
        fprintf(stderr, "cossim run: %s\n", err->message);
        rc = SIMCLI_EXIT_FAIL;
        goto out;
    }
    temp_set = 0;
    /* host time: the run and the trace's completion (its writer thread
     * may still be inserting rows when the run ends) */
    t1 = g_get_monotonic_time();
    double host_s = (double)(t1 - t0) / 1e6;
    double eps = host_s > 0 ? (double)events / host_s : 0;
    char tbuf[SIMT_FMT_LEN];
    simt_format(end, tbuf, sizeof tbuf);
    if (o.json) {
        GString *j = g_string_new("{\"scenario\":");
        simjson_string(j, base, -1);
        g_string_append(j, ",\"machine\":");
        simjson_string(j, machine, -1);
        g_string_append(j, ",\"seed\":");
        g_string_append_printf(j, "%" PRIu64, seed);
        g_string_append_printf(j, ",\"sim_time_ps\":%" PRIu64 ",\"sim_time\":", end);
        simjson_string(j, tbuf, -1);
        g_string_append_printf(j, ",\"events\":%" PRIu64 ",\"host_seconds\":", events);
        simjson_double(j, host_s);
        g_string_append(j, ",\"events_per_second\":");
        simjson_double(j, eps);
        g_string_append(j, ",\"trace\":");
        if (trace_path)
            simjson_string(j, trace_path, -1);
        else
            g_string_append(j, "null");
        g_string_append_printf(j, ",\"trace_level\":\"%s\",\"trace_events\":%" PRIu64 ",\"digest\":\"%s\",\"report\":",
                               simtr_level_name(level), rows, digest);
        g_string_append(j, report);
        g_string_append(j, "}\n");
        fputs(j->str, stdout);
        g_string_free(j, TRUE);
    } else {
        printf("scenario   %s\n", base);
        printf("machine    %s\n", machine);
        printf("seed       %" PRIu64 "\n", seed);
        printf("simulated  %s (%" PRIu64 " ps)\n", tbuf, end);
        printf("events     %" PRIu64 " dispatched\n", events);
        printf("host time  %.3f s (%.2f M events/s)\n", host_s, eps / 1e6);
        g_autofree char *lv = level == SIMTR_LEVEL_ALL ? g_strdup("") : g_strdup_printf(", level %s", simtr_level_name(level));
        if (trace_path)
            printf("trace      %s (%" PRIu64 " event rows%s)\n", trace_path, rows, lv);
        else
            printf("trace      none (%" PRIu64 " event rows digested%s)\n", rows, lv);
        printf("digest     %s\n", digest);
    }
    if (report_out)
        *report_out = g_strdup(report);
    rc = 0;
out:
    if (h)
        simlua_free(h);
    if (s)
        sim_free(s);
    simtr_abort(tr);
    temp_set = 0;
    alarm(0);
    alarm_is_budget = 0;
    g_free(o.seed);
    g_free(o.until);
    g_free(o.trace);
    g_free(o.trace_level);
    g_strfreev(o.set);
    return rc;
}

/* ---- bench ---- */

static int cmd_bench(int argc, char **argv)
{
    gdouble scale = 1.0;
    gboolean json = FALSE;
    char *dir = NULL;
    GOptionEntry entries[] = {
        { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "Multiply the work of each benchmark (default 1)", "X" },
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Folder for the scratch trace (default: the system temporary folder)", "DIR" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- measure the engine: events, context switches, trace rows per second");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return simcli_usage_error("bench", "%s", err->message);
    if (argc > 1)
        return simcli_usage_error("bench", "takes no arguments ('%s')", argv[1]);
    if (!(scale > 0 && scale <= 1000))
        return simcli_usage_error("bench", "--scale must be above 0 and at most 1000");
    if (dir && !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        int rc = simcli_usage_error("bench", "--dir: '%s' is not a folder", dir);
        g_free(dir);
        return rc;
    }
    simbench_result r;
    bool ok = simbench_run(scale, dir ? dir : g_get_tmp_dir(), &r, &err);
    g_free(dir);
    if (!ok) {
        fprintf(stderr, "cossim bench: %s\n", err->message);
        return SIMCLI_EXIT_FAIL;
    }
    g_autoptr(GString) more_text = g_string_new(NULL);
    g_autoptr(GString) more_json = g_string_new(NULL);
    for (size_t i = 0; the_app && i < the_app->nbenches; i++) {
        GString *j = g_string_new(NULL);
        if (!the_app->benches[i].run(scale, more_text, j, &err)) {
            fprintf(stderr, "cossim bench: %s: %s\n", the_app->benches[i].name, err->message);
            g_string_free(j, TRUE);
            return SIMCLI_EXIT_FAIL;
        }
        if (j->len)
            g_string_append_printf(more_json, ",%s", j->str);
        g_string_free(j, TRUE);
    }
    if (json) {
        printf("{\"events\":%" PRIu64 ",\"pending\":%" PRIu64 ",\"events_per_second\":%.0f,"
               "\"switches\":%" PRIu64 ",\"switches_per_second\":%.0f,\"context_backend\":\"%s\","
               "\"trace_rows\":%" PRIu64 ",\"trace_rows_per_second\":%.0f,\"digest_rows_per_second\":%.0f%s}\n",
               r.events, r.pending, r.events_per_s, r.switches, r.switches_per_s, r.ctx_backend,
               r.rows, r.rows_per_s, r.hash_rows_per_s, more_json->str);
    } else {
        printf("schedule+dispatch  %6.1f M/s   (%" PRIu64 " events, %" PRIu64 " pending)\n",
               r.events_per_s / 1e6, r.events, r.pending);
        printf("context switches   %6.1f M/s   (%" PRIu64 " switches, %s)\n", r.switches_per_s / 1e6,
               r.switches, r.ctx_backend);
        printf("trace rows         %6.2f M/s   (%" PRIu64 " event rows into SQLite, with digest)\n",
               r.rows_per_s / 1e6, r.rows);
        printf("digest only        %6.2f M/s   (the same rows with --trace none)\n", r.hash_rows_per_s / 1e6);
        fputs(more_text->str, stdout);
    }
    return 0;
}

/* ---- version, help, dispatch ---- */

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return simcli_usage_error("version", "takes no arguments");
    printf("cossim %s\n", COSSIM_VERSION);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    return run_scenario(argc, argv, NULL);
}

/* A verb that is a bundled scenario run without a trace: `cossim VERB
 * [OPTIONS]` is `cossim run SCENARIO --trace none [OPTIONS]` (a --trace
 * given writes one; --json prints the scenario's report). */
static int run_bundled_report(const char *scenario, int argc, char **argv, char **report_out)
{
    g_autofree char **args = g_new0(char *, (size_t)argc + 5);
    int n = 0;
    args[n++] = (char *)"run";
    args[n++] = (char *)scenario;
    args[n++] = (char *)"--trace";
    args[n++] = (char *)"none";
    for (int i = 1; i < argc; i++)
        args[n++] = argv[i];
    return run_scenario(n, args, report_out);
}

static int run_bundled(const char *scenario, int argc, char **argv)
{
    return run_bundled_report(scenario, argc, argv, NULL);
}

static int cmd_calibrate(int argc, char **argv)
{
    return run_bundled("calibrate", argc, argv);
}

/* `cossim papers [--paper NAME] [--json] [run options]`: the bundled
 * scenario papers.lua, whose report says whether every declared target
 * holds (papers_all_hold): exit 0 when it does, 1 when one misses.
 * --paper NAME is --set paper=NAME. */
static int cmd_papers(int argc, char **argv)
{
    g_autofree char **args = g_new0(char *, (size_t)argc + 2);
    g_autofree char *paper = NULL;
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        if (strcmp(a, "--paper") == 0) {
            if (i + 1 >= argc)
                return simcli_usage_error("papers", "--paper: which paper? (chaos, ucvm)");
            v = argv[++i];
        } else if (g_str_has_prefix(a, "--paper=")) {
            v = a + strlen("--paper=");
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            printf("cossim papers [--paper NAME] [--json] [--set KEY=VALUE ...]: each paper reproduction's targets "
                   "(docs/papers/README.md); --paper NAME is --set paper=NAME; exit 0 when no target misses, 1 "
                   "when one does\n\n");
        if (v) {
            if (paper)
                return simcli_usage_error("papers", "--paper: one paper at a time");
            paper = g_strconcat("paper=", v, NULL);
            args[n++] = (char *)"--set";
            args[n++] = paper;
        } else {
            args[n++] = argv[i];
        }
    }
    g_autofree char *report = NULL;
    int rc = run_bundled_report("papers", n, args, &report);
    if (rc != 0 || report == NULL)
        return rc;
    return strstr(report, "\"papers_all_hold\":true") ? 0 : SIMCLI_EXIT_FAIL;
}

static int cmd_help(int argc, char **argv);

typedef struct verb {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
} verb;

static const verb verbs[] = {
    { "run", "run a scenario and write its trace", cmd_run },
    { "scenarios", "list the bundled scenarios", simcli_cmd_scenarios },
    { "bench", "measure the engine's speed", cmd_bench },
    { "calibrate", "run every published target's microbenchmark, fit the few marked fit, report the rest as predictions", cmd_calibrate },
    { "papers", "run the paper reproductions' targets: published, cossim's, error, declared band, holds or misses", cmd_papers },
    { "version", "print the version", cmd_version },
    { "help", "help on cossim or on one verb", cmd_help },
};

static void general_help(FILE *f)
{
    fprintf(f, "cossim %s: a deterministic simulator of a component-based OS\n\n"
               "usage: cossim VERB [OPTIONS] [ARGS]\n\nverbs:\n", COSSIM_VERSION);
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
        fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
    for (size_t i = 0; the_app && i < the_app->nverbs; i++)
        fprintf(f, "  %-10s %s\n", the_app->verbs[i].name, the_app->verbs[i].summary);
    fprintf(f, "\n'cossim help VERB' or 'cossim VERB --help' for a verb's options.\n"
               "Example: cossim run quickstart --seed 7 --until 10ms\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        general_help(stdout);
        return 0;
    }
    if (argc > 2)
        return simcli_usage_error("help", "one verb at a time");
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
        if (strcmp(verbs[i].name, argv[1]) != 0)
            continue;
        if (verbs[i].fn == cmd_help || verbs[i].fn == cmd_version) {
            printf("cossim %s: %s\n", verbs[i].name, verbs[i].summary);
            return 0;
        }
        g_autofree char *prg = g_strdup_printf("cossim %s", verbs[i].name);
        g_set_prgname(prg);
        char *args[] = { (char *)verbs[i].name, (char *)"--help", NULL };
        return verbs[i].fn(2, args);   /* GOption prints the help and exits 0 */
    }
    for (size_t i = 0; the_app && i < the_app->nverbs; i++)
        if (strcmp(the_app->verbs[i].name, argv[1]) == 0) {
            g_autofree char *prg = g_strdup_printf("cossim %s", the_app->verbs[i].name);
            g_set_prgname(prg);
            char *args[] = { (char *)the_app->verbs[i].name, (char *)"--help", NULL };
            return the_app->verbs[i].fn(2, args);
        }
    return simcli_usage_error("help", "unknown verb '%s' (see 'cossim help')", argv[1]);
}

int simcli_main(int argc, char **argv, const simcli_app *app)
{
    the_app = app;
    if (argc < 2) {
        general_help(stderr);
        return SIMCLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return cmd_help(1, argv);
    if (strcmp(name, "--version") == 0)
        return cmd_version(1, argv);
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
        if (strcmp(verbs[i].name, name) == 0) {
            g_autofree char *prg = g_strdup_printf("cossim %s", name);
            g_set_prgname(prg);   /* GOption's "Usage:" line */
            return verbs[i].fn(argc - 1, argv + 1);
        }
    for (size_t i = 0; the_app && i < the_app->nverbs; i++)
        if (strcmp(the_app->verbs[i].name, name) == 0) {
            g_autofree char *prg = g_strdup_printf("cossim %s", name);
            g_set_prgname(prg);
            return the_app->verbs[i].fn(argc - 1, argv + 1);
        }
    return simcli_usage_error(NULL, "unknown verb '%s' (see 'cossim help')", name);
}
