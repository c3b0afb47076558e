/* tests/test_machine_m33.c: the cortex-m33 preset (model/presets/
 * cortex-m33.lua, an STM32L552: ARMv8-M Mainline, the non-secure PMSAv8
 * MPU) as the loader reads it, and its MPU as the kernel programs it
 * (suite: unit).  The composed system and the IPC benchmark on it are in
 * tests/test_scenarios_m33.c.
 *
 * The figures and where they come from (the preset's source strings):
 *  - 110 MHz: the maximum SYSCLK/HCLK in voltage range 0 (STM32CubeL5
 *    HAL V1.0.2, stm32l5xx_hal_rcc.c and stm32l5xx_ll_utils.c
 *    UTILS_MAX_FREQUENCY_SCALE0 = 110000000); one core;
 *  - 256 KiB of SRAM: SRAM1_SIZE 0x30000 + SRAM2_SIZE 0x10000 in ST's
 *    CMSIS header stm32l552xx.h (CMSIS device V1.0.2);
 *  - NVIC: IRQn_Type runs from 0 (WWDG) to 107 (ICACHE), 108 positions;
 *    __NVIC_PRIO_BITS = 3 (the same header; Zephyr's stm32l5.dtsi agrees);
 *  - MPU: v8m, 8 regions (Zephyr dts/arm/st/l5/stm32l5.dtsi,
 *    arm,num-mpu-regions = <8>), the non-secure one;
 *  - SysTick at HCLK (RM0438 16.2);
 *  - no caches modelled (the ICACHE sits in front of the flash, which the
 *    model does not have);
 *  - every pipeline cost is provisional: the Cortex-M4 preset's figures
 *    (12-cycle exception entry, DDI 0439 3.9.1; 10-cycle return, ARM KA
 *    103489845; 6-cycle tail chain; 2-cycle stores) reused until a
 *    Cortex-M33 figure is read or measured, so each must say
 *    `calibrated = "provisional ..."` and point at docs/calibration.md.
 */
#include "kernel_body.h"

#include "model/mem.h"

static void test_preset_figures(void **state)
{
    (void)state;
    model_config c;
    GError *err = NULL;
    if (!model_config_load("cortex-m33", &c, &err))
        fail_msg("%s", err->message);
    assert_string_equal(c.name, "cortex-m33");
    assert_int_equal(c.arch, MODEL_ARMV8M);
    assert_int_equal(c.cores, 1);
    assert_int_equal(c.freq_hz, 110000000u);
    assert_int_equal(c.mem.size, 256 * 1024);
    assert_false(c.mem.has_l1);
    assert_int_equal(c.mem.nouter, 0);
    assert_false(c.has_tlb);
    assert_true(c.has_mpu);
    assert_int_equal(c.mpu_kind, MODEL_MPU_V8M);
    assert_int_equal(c.mpu_regions, 8);
    assert_int_equal(c.irq, MODEL_IRQ_NVIC);
    assert_int_equal(c.irq_lines, 108);
    assert_int_equal(c.irq_prio_bits, 3);
    assert_int_equal(c.timer, MODEL_TIMER_SYSTICK);
    assert_int_equal(c.timer_freq_hz, 110000000u);
    /* the Cortex-M4's figures, provisional */
    assert_true(c.cpi == 1.4);
    assert_int_equal(c.cost[MODEL_COST_SYSCALL_ENTRY], 12);
    assert_int_equal(c.cost[MODEL_COST_SYSCALL_EXIT], 10);
    assert_int_equal(c.cost[MODEL_COST_IRQ_ENTRY], 12);
    assert_int_equal(c.cost[MODEL_COST_IRQ_EXIT], 10);
    assert_int_equal(c.cost[MODEL_COST_IRQ_TAIL_CHAIN], 6);
    assert_int_equal(c.cost[MODEL_COST_MPU_REGION_WRITE], 4);
    assert_int_equal(c.cost[MODEL_COST_TIMER_PROGRAM], 8);
    assert_int_equal(c.cost[MODEL_COST_PT_SWITCH], 0);        /* no MMU */
    assert_int_equal(c.cost[MODEL_COST_IPI_SEND], 0);         /* one core */
    /* SRAM one cycle beyond the issue slot: 9 ns at 110 MHz is 0.99
     * cycles, which the model rounds up to 1 (9.1 ns would be 2) */
    assert_int_equal(c.mem.mem_latency, 9000);
    assert_int_equal(hwmem_ps_to_cycles(c.mem.mem_latency, c.freq_hz), 1);
    assert_int_equal(hwmem_ps_to_cycles(c.mem.bus_line, c.freq_hz), 1);
    /* sourced: the part's geometry; provisional: every cost and the memory
     * timing, each saying what it waits for */
    unsigned provisional = 0;
    for (unsigned i = 0; i < c.figures->len; i++) {
        const model_figure *f = g_ptr_array_index(c.figures, i);
        bool cost = g_str_has_prefix(f->path, "costs.");
        bool timing = !strcmp(f->path, "memory.dram_latency") || !strcmp(f->path, "memory.bus.line_transfer");
        if (f->calibrated != (cost || timing))
            fail_msg("%s: calibrated %d, expected %d", f->path, f->calibrated, cost || timing);
        if (f->calibrated) {
            provisional++;
            if (!g_str_has_prefix(f->source, "provisional") || !strstr(f->source, "docs/calibration.md"))
                fail_msg("%s: '%s' does not say provisional and where it is listed", f->path, f->source);
        }
    }
    /* cpi, 12 costs, 2 memory timings */
    assert_int_equal(provisional, 1 + 12 + 2);
    model_config_clear(&c);
}

/* ---- the v8-M MPU through the kernel ------------------------------------------ */

/* Four user pages p..p+3 of a fresh memory capability, p chosen so that
 * pages p and p+1 form an 8 KiB-aligned pair. */
static cos_capid pair_pages(ts *s, uint64_t *base, unsigned *p)
{
    cos_capid k = slot(s);
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_CAPTBL, k, s->b.next, 5), COS_OK);
    s->b.next += 5;
    for (uint64_t i = 0; i < 5; i++)
        EXPECT_ERR(s, cos_kmem_retype(k, i, COS_MEM_UNTYPED, COS_MEM_USER), COS_OK);
    uint64_t first = cos_kmem_info(k).r[0];
    *p = (first / COS_PAGE_SIZE) % 2 ? 1 : 0;
    *base = first + *p * COS_PAGE_SIZE;
    return k;
}

/* Whether the machine under test has the v8-M MPU (set before the run;
 * one kernel at a time). */
static bool v8;

/* The body's own component (COS_BOOT_PGTBL, the layout its thread runs
 * under) gets regions over user pages, and its thread touches memory:
 * the kernel turns a refused access into COS_EFAULT. */
static void body_regions(ts *s)
{
    uint64_t b;
    unsigned p;
    cos_capid k = pair_pages(s, &b, &p);
    const uint64_t pg = COS_PAGE_SIZE;
    /* 8 regions: 0-7 */
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 8, k, p, 12, COS_MAP_WRITE), COS_ERANGE);
    /* region 0 over page b: inside it, reads and writes; the page after it
     * and an access running across its end fault */
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 0, k, p, 12, COS_MAP_WRITE), COS_OK);
    EXPECT_ERR(s, cos_touch(b, 8, true), COS_OK);
    EXPECT_ERR(s, cos_touch(b + pg - 1, 1, false), COS_OK);
    EXPECT_ERR(s, cos_touch(b + pg, 8, false), COS_EFAULT);
    EXPECT_ERR(s, cos_touch(b + pg - 4, 8, false), COS_EFAULT);
    EXPECT_ERR(s, cos_touch(b - pg, 8, false), COS_EFAULT);
    /* region 1 over the next page: the same access, across two adjacent
     * regions (each byte in exactly one), is allowed on both MPUs */
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 1, k, p + 1, 12, COS_MAP_WRITE), COS_OK);
    EXPECT_ERR(s, cos_touch(b + pg - 4, 8, true), COS_OK);
    EXPECT_ERR(s, cos_touch(b + 2 * pg, 8, false), COS_EFAULT);
    /* region 7, read-only, over both pages, on top of 0 and 1.  PMSAv7: the
     * highest-numbered region decides (DDI 0403 B3.5.3), so both pages turn
     * read-only; PMSAv8: an address two enabled regions match faults
     * whatever they allow (DDI 0553, model/mpu.c), reads included. */
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 7, k, p, 13, 0), COS_OK);
    EXPECT_ERR(s, cos_touch(b, 8, false), v8 ? COS_EFAULT : COS_OK);
    EXPECT_ERR(s, cos_touch(b + pg, 8, false), v8 ? COS_EFAULT : COS_OK);
    EXPECT_ERR(s, cos_touch(b, 8, true), COS_EFAULT);
    /* regions 0 and 1 off: region 7 alone, read-only, on both */
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 0, 0, 0, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 1, 0, 0, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_touch(b + pg + 8, 8, false), COS_OK);
    EXPECT_ERR(s, cos_touch(b + pg + 8, 8, true), COS_EFAULT);
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 7, 0, 0, 0, 0), COS_OK);
}

static void run_regions(const char *preset)
{
    ts s = { .body = body_regions, .preset = preset };
    model_config c;
    assert_true(model_config_load(preset, &c, NULL));
    v8 = c.mpu_kind == MODEL_MPU_V8M;
    model_config_clear(&c);
    kfx *f = run(&s);
    /* the core's MPU is the machine's kind, and the kernel saw the faults */
    assert_int_equal(f->h->core[0].mpu.arch, v8 ? HWMPU_V8M : HWMPU_V7M);
    assert_int_equal(f->h->core[0].mpu.nregions, 8);
    assert_true(k_get_stats(f->k)->faults >= 5);
    finish(f, &s);
}

static void test_v8m_regions(void **state)
{
    (void)state;
    run_regions("cortex-m33");
}

/* The same body on the Cortex-M4's PMSAv7: only the overlap differs. */
static void test_v7m_regions_differ_only_in_overlap(void **state)
{
    (void)state;
    run_regions("cortex-m4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preset_figures),
        cmocka_unit_test(test_v8m_regions),
        cmocka_unit_test(test_v7m_regions_differ_only_in_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
