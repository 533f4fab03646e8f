// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MAP_PAGES_VM_FAULT_T: vm_operations_struct.map_pages returns a
 * vm_fault_t since 5.12 (commit f9ce0be71d1f, "mm: Cleanup faultaround
 * and finish_fault() codepaths"); before, it returned nothing.
 */
#include <linux/mm.h>

static vm_fault_t mosaic_probe_map_pages(struct vm_fault *vmf,
					 pgoff_t start, pgoff_t end)
{
	return 0;
}

const struct vm_operations_struct *mosaic_probe(void);

const struct vm_operations_struct *mosaic_probe(void)
{
	static const struct vm_operations_struct ops = {
		.map_pages = mosaic_probe_map_pages,
	};

	return &ops;
}
