/* tests/test_machine.c: reading machine presets (model/machine.h).  The
 * preset tests/data/presets/tiny.lua is made up for this test; the
 * expectations are read off it by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <glib/gstdio.h>
#include <lauxlib.h>
#include <lualib.h>

#include "model/machine.h"

static const char *tiny(void)
{
    static char path[1024];
    g_snprintf(path, sizeof path, "%s/presets/tiny.lua", g_getenv("COSSIM_TEST_DATA"));
    return path;
}

static void test_reads_a_preset(void **state)
{
    (void)state;
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load(tiny(), &cfg, &err))
        fail_msg("%s", err->message);
    assert_string_equal(cfg.name, "tiny");
    assert_int_equal(cfg.arch, MODEL_ARMV7A);
    assert_int_equal(cfg.cores, 2);
    assert_int_equal(cfg.freq_hz, 667000000);              /* 667e6, a float in Lua */
    assert_int_equal(cfg.mem.size, 64u << 20);
    assert_int_equal(cfg.mem.mem_latency, 80 * SIM_NS);
    assert_int_equal(cfg.mem.bus_line, 5 * SIM_NS);
    assert_true(cfg.mem.has_l1);
    assert_int_equal(cfg.mem.l1d.size, 32768);
    assert_int_equal(cfg.mem.l1d.policy, HWCACHE_PLRU);
    assert_false(cfg.mem.l1i.write_back);                   /* write = "none" */
    assert_int_equal(cfg.mem.nouter, 1);
    assert_true(cfg.mem.outer[0].shared);
    assert_int_equal(cfg.mem.outer[0].cache.size, 512 * 1024);
    assert_int_equal(cfg.l2tlb.entries, 128);
    assert_int_equal(cfg.irq, MODEL_IRQ_GIC);
    assert_int_equal(cfg.ipi_latency, 500 * SIM_NS);
    assert_int_equal(cfg.timer_freq_hz, 333500000);
    assert_true(cfg.cpi == 1.5);
    assert_int_equal(cfg.cost[MODEL_COST_SYSCALL_ENTRY], 40);
    assert_int_equal(cfg.cost[MODEL_COST_PT_SWITCH], 20);
    assert_int_equal(cfg.cost[MODEL_COST_FPU_SAVE], 0);    /* absent: 0 */
    /* figures in schema order with the source that applies to each */
    model_figure *f0 = cfg.figures->pdata[0];
    assert_string_equal(f0->path, "arch");
    bool saw_dram = false, saw_l2 = false, saw_cal = false;
    for (guint i = 0; i < cfg.figures->len; i++) {
        model_figure *f = cfg.figures->pdata[i];
        if (strcmp(f->path, "memory.dram_latency") == 0) {
            saw_dram = true;
            assert_string_equal(f->source, "test figure A");      /* its own */
        }
        if (strcmp(f->path, "caches.l2.hit_cycles") == 0) {
            saw_l2 = true;
            assert_string_equal(f->source, "test figure B");      /* its table's */
        }
        if (strcmp(f->path, "costs.syscall_entry") == 0) {
            saw_cal = true;
            assert_true(f->calibrated);
        }
        if (strcmp(f->path, "caches.l1d.size") == 0)
            assert_string_equal(f->source, "made up for tests/test_machine.c");   /* the preset's */
    }
    assert_true(saw_dram && saw_l2 && saw_cal);
    /* the memory system builds from it */
    hwmem *m = hwmem_new(&cfg.mem, 1, &err);
    assert_non_null(m);
    hwmem_free(m);
    model_config_clear(&cfg);
}

/* Load tiny.lua, apply `edit` (Lua code with the table as T), expect an
 * error containing `want`. */
static void expect_error(const char *edit, const char *want)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    GError *err = NULL;
    assert_true(model_preset_push(L, tiny(), &err));
    lua_setglobal(L, "T");
    if (luaL_dostring(L, edit) != LUA_OK)
        fail_msg("edit '%s': %s", edit, lua_tostring(L, -1));
    lua_getglobal(L, "T");
    model_config cfg;
    if (model_config_from_lua(L, -1, "tiny", &cfg, &err)) {
        model_config_clear(&cfg);
        fail_msg("'%s' was accepted; expected an error with '%s'", edit, want);
    }
    if (strstr(err->message, want) == NULL)
        fail_msg("'%s': error '%s' lacks '%s'", edit, err->message, want);
    g_error_free(err);
    lua_close(L);
}

static void test_errors_name_the_key(void **state)
{
    (void)state;
    expect_error("T.caches.l2.sise = 1",
                 "tiny: caches.l2: unknown key 'sise' (known: size, ways, line, hit_cycles, replacement, write, shared, source)");
    expect_error("T.frobs = 1", "tiny: unknown key 'frobs' (known: name, description, arch,");
    expect_error("T.caches.l2.size = '384K'", "caches.l2.size: 393216 bytes gives 1536 sets, not a power of two");
    expect_error("T.frequency_hz = 0", "tiny: frequency_hz: must be a whole number from 1");
    expect_error("T.cores = 0", "tiny: cores: must be a whole number from 1");
    expect_error("T.source = nil", "has no source");
    expect_error("T.memory.dram_latency = '80'", "memory.dram_latency: '80' has no unit");
    expect_error("T.caches.l1d.replacement = 'lfu'", "caches.l1d.replacement: 'lfu' is not one of");
    expect_error("T.mpu = { arch = 'v7m', regions = 8 }", "only the M profile has an MPU");
    expect_error("T.arch = 'armv7-m'; T.tlb = nil; T.irq.controller = 'nvic'; T.mpu = { arch = 'v7m', regions = 12 }",
                 "mpu.regions: 12 regions: the architecture allows 0, 8 or 16");
    expect_error("T.irq.controller = 'nvic'", "nvic does not go with armv7-a");
    expect_error("T.costs.syscall_entry = nil", "costs.syscall_entry: is required");
    expect_error("T.costs.irq_entry = { source = 'x' }", "needs its value first");
    expect_error("T.caches.l1i = nil", "l1i and l1d come together");
}

/* Several unknown keys in one table: the first by name is named, the same
 * in five states alive at once (each with its own string hash seed, so
 * lua_next's order differs between them; test_lua_keys.c). */
static void test_unknown_keys_named_alike(void **state)
{
    (void)state;
    const char *want = "tiny: caches.l2: unknown key 'beta' (known: size, ways, line, hit_cycles, replacement, "
                       "write, shared, source)";
    lua_State *L[5];
    for (int i = 0; i < 5; i++) {
        L[i] = luaL_newstate();
        luaL_openlibs(L[i]);
        GError *err = NULL;
        assert_true(model_preset_push(L[i], tiny(), &err));
        lua_setglobal(L[i], "T");
        assert_int_equal(luaL_dostring(L[i], "for _, k in ipairs{ 'zebra', 'mango', 'kiwi', 'beta', 'omega' } do\n"
                                             "  T.caches.l2[k] = 1\nend"), LUA_OK);
        lua_getglobal(L[i], "T");
        model_config cfg;
        assert_false(model_config_from_lua(L[i], -1, "tiny", &cfg, &err));
        assert_string_equal(err->message, want);
        g_error_free(err);
    }
    for (int i = 0; i < 5; i++)
        lua_close(L[i]);
}

static void test_overrides(void **state)
{
    (void)state;
    /* machine{preset = "tiny", cores = 4, caches = {l2 = {size = "1M"}}}:
     * the override changes two figures, keeps the rest of l2, and the new
     * figures say where they came from */
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    GError *err = NULL;
    assert_true(model_preset_push(L, tiny(), &err));
    assert_int_equal(luaL_dostring(L, "return { cores = 4, caches = { l2 = { size = '1M' } }, description = 'bigger' }"), LUA_OK);
    model_preset_merge(L, -2, -1);
    lua_pop(L, 1);
    model_config cfg;
    if (!model_config_from_lua(L, -1, "tiny", &cfg, &err))
        fail_msg("%s", err->message);
    assert_int_equal(cfg.cores, 4);
    assert_int_equal(cfg.mem.cores, 4);
    assert_int_equal(cfg.mem.outer[0].cache.size, 1 << 20);
    assert_int_equal(cfg.mem.outer[0].cache.ways, 8);          /* kept from the preset */
    assert_string_equal(cfg.description, "bigger");
    for (guint i = 0; i < cfg.figures->len; i++) {
        model_figure *f = cfg.figures->pdata[i];
        if (strcmp(f->path, "caches.l2.size") == 0 || strcmp(f->path, "cores") == 0)
            assert_string_equal(f->source, "set by the scenario");
        if (strcmp(f->path, "caches.l2.ways") == 0)
            assert_string_equal(f->source, "test figure B");
    }
    model_config_clear(&cfg);
    /* a section the preset does not have: its figures are the scenario's,
     * not the preset's citations */
    assert_int_equal(luaL_dostring(L, "return { caches = { l3 = { size = '2M', ways = 8, line = 32, hit_cycles = 40, "
                                      "replacement = 'lru', shared = true } } }"), LUA_OK);
    model_preset_merge(L, -2, -1);
    lua_pop(L, 1);
    assert_true(model_config_from_lua(L, -1, "tiny", &cfg, &err));
    for (guint i = 0; i < cfg.figures->len; i++) {
        model_figure *f = cfg.figures->pdata[i];
        if (g_str_has_prefix(f->path, "caches.l3."))
            assert_string_equal(f->source, "set by the scenario");
    }
    assert_int_equal(cfg.mem.nouter, 2);
    model_config_clear(&cfg);
    /* an override with a typo is refused like a preset's */
    assert_int_equal(luaL_dostring(L, "return { caches = { l2 = { sise = '1M' } } }"), LUA_OK);
    model_preset_merge(L, -2, -1);
    lua_pop(L, 1);
    assert_false(model_config_from_lua(L, -1, "tiny", &cfg, &err));
    assert_non_null(strstr(err->message, "tiny: caches.l2: unknown key 'sise'"));
    g_error_free(err);
    lua_close(L);
}

static void test_bundled_presets_load(void **state)
{
    (void)state;
    /* every preset in model/presets/ passes the loader, and the five the
     * machine-model issue names are there with the figures it gives */
    g_autofree char *dir = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", NULL);
    g_setenv("COSSIM_PRESETS", dir, TRUE);
    g_auto(GStrv) names = model_preset_names();
    int n = 0;
    for (char **p = names; *p; p++, n++) {
        model_config cfg;
        GError *err = NULL;
        if (!model_config_load(*p, &cfg, &err))
            fail_msg("preset %s: %s", *p, err->message);
        hwmem *m = hwmem_new(&cfg.mem, 1, &err);
        if (m == NULL)
            fail_msg("preset %s: %s", *p, err->message);
        hwmem_free(m);
        model_config_clear(&cfg);
    }
    assert_true(n >= 5);
    static const struct { const char *name; unsigned cores; uint64_t hz; } want[] = {
        { "x86_64", 4, 3200000000u }, { "cortex-a9", 2, 667000000u }, { "cortex-a53", 4, 0 },
        { "cortex-m7", 1, 216000000u }, { "cortex-m4", 1, 168000000u },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        model_config cfg;
        assert_true(model_config_load(want[i].name, &cfg, NULL));
        assert_int_equal(cfg.cores, want[i].cores);
        if (want[i].hz)
            assert_int_equal(cfg.freq_hz, want[i].hz);
        model_config_clear(&cfg);
    }
    /* the geometry: Zynq-7000 32 KiB L1s and 512 KiB shared L2;
     * STM32F767 16 KiB I and D and an 8-region MPU, 512 KiB SRAM; the M4 has
     * no cache */
    model_config a9, m7, m4;
    assert_true(model_config_load("cortex-a9", &a9, NULL));
    assert_int_equal(a9.mem.l1d.size, 32768);
    assert_int_equal(a9.mem.outer[0].cache.size, 524288);
    assert_true(a9.mem.outer[0].shared);
    assert_true(model_config_load("cortex-m7", &m7, NULL));
    assert_int_equal(m7.mem.l1i.size, 16384);
    assert_int_equal(m7.mem.l1d.size, 16384);
    assert_int_equal(m7.mpu_regions, 8);
    assert_int_equal(m7.mem.size, 512 * 1024);
    assert_true(model_config_load("cortex-m4", &m4, NULL));
    assert_false(m4.mem.has_l1);
    assert_int_equal(m4.mem.nouter, 0);
    model_config_clear(&a9);
    model_config_clear(&m7);
    model_config_clear(&m4);
    g_unsetenv("COSSIM_PRESETS");
}

/* An alias is the other preset under another name: every figure equal
 * (the same file is read), the name the alias's own; the description says
 * which preset it is.  An alias of an alias, or one with figures of its
 * own, is refused. */
static void test_aliases(void **state)
{
    (void)state;
    g_autofree char *dir = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", NULL);
    g_setenv("COSSIM_PRESETS", dir, TRUE);
    static const char *const pairs[][2] = { { "cortex-a9", "zynq7000" }, { "cortex-m7", "stm32f767" } };
    for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
        model_config a, t;
        assert_true(model_config_load(pairs[i][0], &a, NULL));
        assert_true(model_config_load(pairs[i][1], &t, NULL));
        assert_string_equal(a.name, pairs[i][0]);
        assert_string_equal(t.name, pairs[i][1]);
        assert_non_null(strstr(a.description, pairs[i][1]));
        assert_int_equal(a.cores, t.cores);
        assert_int_equal(a.freq_hz, t.freq_hz);
        assert_memory_equal(a.cost, t.cost, sizeof a.cost);
        assert_true(a.cpi == t.cpi);
        assert_int_equal(a.figures->len, t.figures->len);
        for (guint k = 0; k < a.figures->len; k++) {
            model_figure *fa = a.figures->pdata[k], *ft = t.figures->pdata[k];
            assert_string_equal(fa->path, ft->path);
            assert_string_equal(fa->value, ft->value);
            assert_string_equal(fa->source, ft->source);
        }
        model_config_clear(&a);
        model_config_clear(&t);
    }
    /* the refusals, in a folder of our own */
    g_autofree char *tmp = g_dir_make_tmp("cossim-alias-XXXXXX", NULL);
    assert_non_null(tmp);
    g_autofree char *src = NULL;
    g_autofree char *zynq = g_build_filename(dir, "zynq7000.lua", NULL);
    assert_true(g_file_get_contents(zynq, &src, NULL, NULL));
    static const char *const files[][2] = {
        { "zynq7000.lua", NULL },
        { "a.lua", "return { name = 'a', alias = 'zynq7000' }" },
        { "b.lua", "return { name = 'b', alias = 'a' }" },
        { "c.lua", "return { name = 'c', alias = 'zynq7000', cores = 4 }" },
        { "d.lua", "return { name = 'd', alias = '../zynq7000' }" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(tmp, files[i][0], NULL);
        assert_true(g_file_set_contents(p, files[i][1] ? files[i][1] : src, -1, NULL));
    }
    g_setenv("COSSIM_PRESETS", tmp, TRUE);
    model_config cfg;
    assert_true(model_config_load("a", &cfg, NULL));
    assert_string_equal(cfg.name, "a");
    assert_int_equal(cfg.cores, 2);
    model_config_clear(&cfg);
    g_autofree char *apath = g_build_filename(tmp, "a.lua", NULL);    /* by path: the target beside it */
    g_unsetenv("COSSIM_PRESETS");
    assert_true(model_config_load(apath, &cfg, NULL));
    assert_string_equal(cfg.name, "a");
    model_config_clear(&cfg);
    g_setenv("COSSIM_PRESETS", tmp, TRUE);
    static const char *const bad[][2] = {
        { "b", "a is an alias itself" }, { "c", "('cores' is extra)" }, { "d", "the name of a preset in the same folder" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        assert_false(model_config_load(bad[i][0], &cfg, &err));
        if (!strstr(err->message, bad[i][1]))
            fail_msg("%s: '%s' does not say '%s'", bad[i][0], err->message, bad[i][1]);
        g_error_free(err);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(tmp, files[i][0], NULL);
        g_unlink(p);
    }
    g_rmdir(tmp);
    g_unsetenv("COSSIM_PRESETS");
}

/* For `cossim calibrate` (issue 16): every figure marked calibrated says
 * that it is provisional (or was fitted) and names what it waits for -- a
 * fit ("fitted", "to be fitted"), a table to read ("to be taken from", "to
 * be replaced by") or a measurement ("to be measured", "re-measure",
 * "reused until" one is made); and
 * no cost or calibrated figure, nor its note, carries one of the published
 * results the simulator is to predict.  The list is the and
 * ../shared/targets.md's headline figures (Chaos Table II; the seed's
 * Zynq row and Composite's Zynq data; sel4bench one-way figures; µCVM;
 * Speck; ULS), three digits or more, in cycles. */
static void test_calibrated_figures_name_their_fit(void **state)
{
    (void)state;
    static const unsigned published[] = {
        741, 934, 543, 630, 307, 431, 327, 1231, 245, 470, 1548, 9380, 6930, 1428, 1236, 3834, 17801, 185551,
        2386, 2716, 4723, 4934, 7615, 10495, 8628, 52696, 540, 1617, 959, 368, 353, 260, 278, 413, 426, 722,
        578, 946, 798, 504, 375, 1325, 395, 915, 690, 355, 205, 638, 463, 18122, 2500, 11000, 8500, 6000, 46000,
    };
    static const char *const marks[] = { "fitted", "to be taken from", "to be replaced", "to be measured", "re-measure",
                                         "reused until" };
    g_autofree char *dir = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", NULL);
    g_setenv("COSSIM_PRESETS", dir, TRUE);
    g_auto(GStrv) names = model_preset_names();
    for (char **n = names; *n; n++) {
        model_config c;
        assert_true(model_config_load(*n, &c, NULL));
        for (guint i = 0; i < c.figures->len; i++) {
            const model_figure *f = c.figures->pdata[i];
            if (f->calibrated) {
                bool marked = false;
                for (size_t k = 0; k < G_N_ELEMENTS(marks); k++)
                    marked |= strstr(f->source, marks[k]) != NULL;
                if (!(g_str_has_prefix(f->source, "provisional") || g_str_has_prefix(f->source, "fitted")) || !marked)
                    fail_msg("%s %s: '%s' does not say what it is to be fitted to", *n, f->path, f->source);
            }
            if (!f->calibrated && !g_str_has_prefix(f->path, "costs."))
                continue;
            const char *texts[] = { f->value, f->source };
            for (size_t t = 0; t < G_N_ELEMENTS(texts); t++)
                for (const char *q = texts[t]; *q;) {
                    if (!g_ascii_isdigit(*q)) {
                        q++;
                        continue;
                    }
                    char *end;
                    guint64 v = g_ascii_strtoull(q, &end, 10);
                    bool whole = (q == texts[t] || (q[-1] != '.' && q[-1] != '-')) && *end != '.';
                    for (size_t k = 0; whole && k < G_N_ELEMENTS(published); k++)
                        if (v == published[k])
                            fail_msg("%s %s: published figure %u in '%s'", *n, f->path, published[k], texts[t]);
                    q = end;
                }
        }
        model_config_clear(&c);
    }
    g_unsetenv("COSSIM_PRESETS");
}

static void test_unknown_preset(void **state)
{
    (void)state;
    model_config cfg;
    GError *err = NULL;
    assert_false(model_config_load("no-such-machine", &cfg, &err));
    assert_non_null(strstr(err->message, "no machine preset 'no-such-machine'"));
    g_error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_a_preset),
        cmocka_unit_test(test_errors_name_the_key),
        cmocka_unit_test(test_unknown_keys_named_alike),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_bundled_presets_load),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_calibrated_figures_name_their_fit),
        cmocka_unit_test(test_unknown_preset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
