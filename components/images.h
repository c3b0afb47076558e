/* components/images.h: the component images cossim bundles (kernel/abi.h,
 * cos_image), in a fixed order: an image's index is its id for
 * COS_OP_COMP_ALLOC, and scenarios name images by their name. */
#pragma once

#include "kernel/abi.h"

enum {
    COS_IMAGE_IPCBENCH = 0,
    COS_IMAGE_WORKLOAD,
    COS_IMAGE_WL_SERVER,
    COS_IMAGE_WL_TIMER,
    COS_IMAGE_WL_MEM,
    COS_IMAGE_WL_BOOTER,
    COS_IMAGE_ROGUE,
    COS_IMAGE_IPI_RATELIMIT,
    COS_IMAGE_MICROBENCH,
    COS_IMAGE_VMM,
    COS_IMAGE_VM_GUEST,
    COS_IMAGES
};

extern const cos_image cos_image_ipcbench;
extern const cos_image cos_image_workload;     /* implementation/app/workload/app.h */
extern const cos_image cos_image_wl_server;
extern const cos_image cos_image_wl_timer;
extern const cos_image cos_image_wl_mem;
extern const cos_image cos_image_wl_booter;   /* implementation/booter/composed */
extern const cos_image cos_image_rogue;       /* implementation/test/rogue */
extern const cos_image cos_image_ipi_ratelimit;   /* implementation/ipi/ratelimit */
extern const cos_image cos_image_microbench;   /* implementation/bench/micro */
extern const cos_image cos_image_vmm;          /* implementation/vmm/ucvm: the VMM */
extern const cos_image cos_image_vm_guest;     /* implementation/vmm/ucvm: a VM's guest */
/* All of them, index = id. */
extern const cos_image *const cos_images[COS_IMAGES];
