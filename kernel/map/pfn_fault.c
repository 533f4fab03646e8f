// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "pfn-fault": nothing at mmap time; ->fault inserts the frame
 * with vmf_insert_pfn().
 *
 * A lazy VM_PFNMAP mapping: no page references, no get_user_pages(), and
 * it works for any memory the segment table can name by PFN.
 */
#include <linux/mm.h>

#include "../mosaic_internal.h"

static int mosaic_pfn_fault_mmap(struct mosaic_buf *buf,
				 struct vm_area_struct *vma)
{
	return 0;
}

const struct mosaic_map_ops mosaic_map_pfn_fault = {
	.name = "pfn-fault",
	.needs_pages = false,
	.mmap = mosaic_pfn_fault_mmap,
	.fault = mosaic_fault_pfn,
};
