// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "map-pages": vm_map_pages() at mmap time.
 *
 * The kernel's helper for "map this page array": it reads the buffer
 * offset from vm_pgoff and checks the range itself. It inserts the whole
 * VMA in one call, with no chance to reschedule, which is fine for the
 * buffer sizes drivers usually map this way.
 */
#include <linux/mm.h>

#include "../mosaic_internal.h"

static int mosaic_map_pages_mmap(struct mosaic_buf *buf,
				 struct vm_area_struct *vma)
{
	return vm_map_pages(vma, buf->pages, buf->nr_pages);
}

const struct mosaic_map_ops mosaic_map_map_pages = {
	.name = "map-pages",
	.needs_pages = true,
	.mmap = mosaic_map_pages_mmap,
	.fault = mosaic_fault_page,
};
