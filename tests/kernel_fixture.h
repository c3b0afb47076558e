/* tests/kernel_fixture.h: boot the kernel in a test, on a preset, with test
 * images whose code runs as simulated user-level threads.
 *
 *   kfx *f = kfx_new("x86_64", images, n, 0, (cos_word)&my_state, true);
 *   kfx_run(f, SIM_MS);          // the booter (image 0, entry 0) runs on core 0 at time 0
 *   assert_int_equal(k_get_stats(f->k)->check_failures, 0);
 *   kfx_free(f);
 *
 * With check, k_check runs after every kernel path (kernel.h).  The trace
 * is an in-memory one (digest only).
 */
#pragma once

#include <glib.h>
#include "kernel/kernel.h"
#include "model/machine.h"

typedef struct kfx {
    sim *s;
    hw *h;
    k_kernel *k;
} kfx;

/* mem_size: physical memory in bytes instead of the preset's (0: the
 * preset's).  k_check walks only the chunks of the retype table in use
 * (kernel/kmem.h), so its time does not grow with memory; a small memory
 * still keeps kernel_state.h's fingerprint fast, which hashes every typed
 * page, the table's own (32 MiB of it on 8 GiB) included.
 * tune (may be NULL) changes the rest of the preset's configuration
 * before the machine is built (e.g. a longer IPI latency). */
static inline kfx *kfx_new_tuned(const char *preset, uint64_t mem_size, void (*tune)(model_config *cfg),
                                 const cos_image *const *images, unsigned nimages, unsigned boot_image,
                                 cos_word boot_arg, bool check)
{
    kfx *f = g_new0(kfx, 1);
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load(preset, &cfg, &err))
        g_error("%s", err->message);
    if (mem_size)
        cfg.mem.size = mem_size;
    if (tune)
        tune(&cfg);
    f->s = sim_new(1, simtr_open(NULL, NULL));
    k_config kc = { .images = images, .nimages = nimages, .boot_image = boot_image, .boot_entry = 0,
                    .boot_arg = boot_arg, .check = check, .trace = true };
    f->k = k_new(f->s, &kc);
    f->h = hw_new(f->s, &cfg, k_irq_signal, f->k, &err);
    if (f->h == NULL)
        g_error("%s", err->message);
    model_config_clear(&cfg);
    if (!k_boot(f->k, f->h, &err))
        g_error("%s", err->message);
    return f;
}

static inline kfx *kfx_new_mem(const char *preset, uint64_t mem_size, const cos_image *const *images,
                               unsigned nimages, unsigned boot_image, cos_word boot_arg, bool check)
{
    return kfx_new_tuned(preset, mem_size, NULL, images, nimages, boot_image, boot_arg, check);
}

static inline kfx *kfx_new(const char *preset, const cos_image *const *images, unsigned nimages, unsigned boot_image,
                           cos_word boot_arg, bool check)
{
    return kfx_new_mem(preset, 0, images, nimages, boot_image, boot_arg, check);
}

static inline void kfx_run(kfx *f, sim_time_t span)
{
    sim_run(f->s, sim_now(f->s) + span, 0);
}

static inline void kfx_free(kfx *f)
{
    k_free(f->k);
    hw_free(f->h);
    sim_free(f->s);
    g_free(f);
}
