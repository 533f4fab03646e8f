// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "fault": nothing at mmap time; pages arrive on first touch.
 *
 * Every fault, read or write, maps the faulting page and its neighbours
 * from ->fault, as TTM prefaults from its fault handler: the 64 KiB
 * window around the address that the kernel's fault-around maps by
 * default, and the whole of the physically contiguous segment the page
 * belongs to, both within the 2 MiB the faulting page table covers and
 * within the VMA. A sequential touch then costs one fault per window of
 * scattered pages, and one per segment (two where a segment crosses a
 * 2 MiB boundary of the mapping) for high-order ones.
 *
 * Why not the core's fault-around, ->map_pages: since 6.5
 * do_fault_around() calls it under rcu_read_lock(), where nothing may
 * sleep, and vm_insert_page() allocates a page table (GFP_KERNEL) when the
 * PMD has none yet, on the first fault of every 2 MiB region. Checking the
 * PMD first does not close that: an empty page table may be reclaimed
 * under the mmap read lock (MADV_DONTNEED with CONFIG_PT_RECLAIM) between
 * the check and the insert, and the kernel's own ->map_pages
 * (filemap_map_pages()) avoids it with page-table helpers modules do not
 * have. ->fault may sleep. mmap set VM_MIXEDMAP, which lets
 * vm_insert_page() run under the mmap read lock or the VMA lock the fault
 * path holds.
 */
#include <linux/minmax.h>
#include <linux/mm.h>

#include "../mosaic_internal.h"

/* The kernel's default fault_around_bytes. */
#define MOSAIC_FAULT_AROUND	SZ_64K

static int mosaic_fault_mmap(struct mosaic_buf *buf,
			     struct vm_area_struct *vma)
{
	return 0;
}

/* Buffer page offset of user address @addr in @vma. */
static pgoff_t mosaic_fault_pgoff(const struct vm_area_struct *vma,
				  unsigned long addr)
{
	return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

static vm_fault_t mosaic_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mosaic_buf *buf = vma->vm_private_data;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long pmd_start = ALIGN_DOWN(addr, PMD_SIZE);
	unsigned long start, end, seg_start, a;
	struct mosaic_seg seg;
	vm_fault_t ret;

	ret = mosaic_fault_page(vmf);
	if (ret != VM_FAULT_NOPAGE)
		return ret;

	mosaic_buf_find_seg(buf, vmf->pgoff, &seg);
	seg_start = addr - ((vmf->pgoff - seg.pgoff) << PAGE_SHIFT);
	start = min(ALIGN_DOWN(addr, MOSAIC_FAULT_AROUND), seg_start);
	end = max(ALIGN_DOWN(addr, MOSAIC_FAULT_AROUND) + MOSAIC_FAULT_AROUND,
		  seg_start + ((unsigned long)seg.nr_pages << PAGE_SHIFT));
	start = max3(start, pmd_start, vma->vm_start);
	end = min3(end, pmd_start + PMD_SIZE, vma->vm_end);

	for (a = start; a < end; a += PAGE_SIZE) {
		struct page *page;
		int err;

		if (a == addr)
			continue;
		page = mosaic_buf_page(buf, mosaic_fault_pgoff(vma, a));
		if (!page)
			break;
		err = vm_insert_page(vma, a, page);
		/* -EBUSY: mapped already. Anything else: the fault is done. */
		if (err && err != -EBUSY)
			break;
	}
	return VM_FAULT_NOPAGE;
}

const struct mosaic_map_ops mosaic_map_fault = {
	.name = "fault",
	.needs_pages = true,
	.mmap = mosaic_fault_mmap,
	.fault = mosaic_fault_around,
};
