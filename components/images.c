/* components/images.c: the bundled images (see images.h). */
#include "components/images.h"

const cos_image *const cos_images[COS_IMAGES] = {
    [COS_IMAGE_IPCBENCH] = &cos_image_ipcbench,
    [COS_IMAGE_WORKLOAD] = &cos_image_workload,
    [COS_IMAGE_WL_SERVER] = &cos_image_wl_server,
    [COS_IMAGE_WL_TIMER] = &cos_image_wl_timer,
    [COS_IMAGE_WL_MEM] = &cos_image_wl_mem,
    [COS_IMAGE_WL_BOOTER] = &cos_image_wl_booter,
    [COS_IMAGE_ROGUE] = &cos_image_rogue,
    [COS_IMAGE_IPI_RATELIMIT] = &cos_image_ipi_ratelimit,
    [COS_IMAGE_MICROBENCH] = &cos_image_microbench,
    [COS_IMAGE_VMM] = &cos_image_vmm,
    [COS_IMAGE_VM_GUEST] = &cos_image_vm_guest,
};
