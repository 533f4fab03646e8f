// SPDX-License-Identifier: GPL-2.0
/*
 * The switch for the planted bugs (see planted.h). Compiled only into the
 * test-only build of the module.
 *
 *   extra_get    insert-pages takes an extra page reference per mapped
 *                page, which leaks every page it maps
 *   missing_put  the pages backend forgets put_page() at free
 *   uaf          mapping an insert-pages buffer drops the VMA's buffer
 *                reference twice (buffer.c), so the buffer is freed
 *                while it is still mapped
 *   sync_swap    every sync goes the wrong way: for the device when the
 *                CPU begins, for the CPU when it ends
 *   sync_skip_end  the sync after CPU access (for the device) is skipped
 */
#include <linux/moduleparam.h>

#include "planted.h"

char *mosaic_plant_bug;
module_param_named(plant_bug, mosaic_plant_bug, charp, 0644);
MODULE_PARM_DESC(plant_bug, "TEST ONLY: extra_get, missing_put, uaf, sync_swap or sync_skip_end");
