// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "remap-pfn": remap_pfn_range() once per physically contiguous
 * run, at mmap time.
 *
 * The VMA becomes VM_PFNMAP: the PTEs take no page references, so this
 * works for memory whose pages must not be refcounted by us (coherent
 * and noncontig chunks) and for memory with no struct page at all (the
 * mmio backend's BARs, mapped with io_remap_pfn_range()).
 * Adjacent segments are merged into one call.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "../mosaic_internal.h"

static int mosaic_remap_pfn_mmap(struct mosaic_buf *buf,
				 struct vm_area_struct *vma)
{
	pgoff_t pgoff = vma->vm_pgoff, end = vma->vm_pgoff + vma_pages(vma);

	while (pgoff < end) {
		struct mosaic_seg seg;
		unsigned long addr, pfn, nr;
		int ret;

		mosaic_buf_find_seg(buf, pgoff, &seg);
		pfn = seg.pfn + (pgoff - seg.pgoff);
		nr = min_t(unsigned long, seg.pgoff + seg.nr_pages, end) - pgoff;
		/* Grow the run while the next segment continues it. */
		while (pgoff + nr < end &&
		       mosaic_buf_pfn(buf, pgoff + nr) == pfn + nr) {
			mosaic_buf_find_seg(buf, pgoff + nr, &seg);
			nr = min_t(unsigned long, seg.pgoff + seg.nr_pages,
				   end) - pgoff;
		}
		addr = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		/* Device memory may sit at another address for the CPU. */
		if (buf->backend->io)
			ret = io_remap_pfn_range(vma, addr, pfn, nr << PAGE_SHIFT,
						 vma->vm_page_prot);
		else
			ret = remap_pfn_range(vma, addr, pfn, nr << PAGE_SHIFT,
					      vma->vm_page_prot);
		if (ret)
			return ret;
		if (fatal_signal_pending(current))
			return -EINTR;
		pgoff += nr;
		cond_resched();
	}
	return 0;
}

const struct mosaic_map_ops mosaic_map_remap_pfn = {
	.name = "remap-pfn",
	.needs_pages = false,
	.mmap = mosaic_remap_pfn_mmap,
	.fault = mosaic_fault_pfn,
};
