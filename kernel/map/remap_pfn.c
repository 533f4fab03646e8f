// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "remap-pfn": the whole VMA's PTEs at mmap time, special PTEs
 * of page frames with no reference taken, as remap_pfn_range() makes
 * them.
 *
 * The VMA becomes VM_PFNMAP: the PTEs take no page references, so this
 * works for memory whose pages must not be refcounted by us (coherent
 * and noncontig chunks) and for memory with no struct page at all (the
 * mmio backend's BARs, mapped with io_remap_pfn_range()).
 *
 * Write-back RAM is not mapped with remap_pfn_range(). On x86, a
 * remap_pfn_range() call that covers less than its whole VMA asks PAT
 * for the memory type of every page (track_pfn_remap() ->
 * lookup_memtype(), which for RAM walks the iomem resource tree), and a
 * scattered buffer needs one call per physically contiguous run: those
 * lookups were 87% of the map cost (docs/performance.md, target 2). For
 * RAM the answer is known: its memory type lives in the page flags and
 * stays write-back unless the owner changes it with set_memory_*(), which
 * no backend does. So, as i915 does for its scatter-gather objects, the
 * PTEs are written directly with apply_to_page_range(), in one walk over
 * the VMA: the same PTEs, special, write-back, without the lookups.
 * Device memory (BARs), and any VMA whose protection is not the plain
 * write-back default (a non-coherent device's coherent chunks), still go
 * through io_remap_pfn_range()/remap_pfn_range() and PAT.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "../mosaic_internal.h"

/*
 * Walk the buffer in runs of this many pages at most, so that a large
 * mapping can be interrupted and gives the CPU up between runs.
 */
#define MOSAIC_REMAP_BATCH	(SZ_2M >> PAGE_SHIFT)

/**
 * struct mosaic_remap - cursor of the direct PTE walk
 * @mm: the VMA's mm
 * @buf: the buffer
 * @prot: protection of every PTE
 * @pgoff: buffer page of the next PTE
 * @pfn: its frame, valid while @left > 0
 * @left: frames left in the current segment from @pfn on
 */
struct mosaic_remap {
	struct mm_struct *mm;
	const struct mosaic_buf *buf;
	pgprot_t prot;
	pgoff_t pgoff;
	unsigned long pfn;
	unsigned long left;
};

static int mosaic_remap_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct mosaic_remap *r = data;

	/* The VMA is new: a PTE already there is a bug (remap_pte_range()). */
	if (WARN_ON_ONCE(!pte_none(ptep_get(pte))))
		return -EBUSY;
	if (!r->left) {
		struct mosaic_seg seg;

		mosaic_buf_find_seg(r->buf, r->pgoff, &seg);
		r->pfn = seg.pfn + (r->pgoff - seg.pgoff);
		r->left = seg.nr_pages - (r->pgoff - seg.pgoff);
	}
	set_pte_at(r->mm, addr, pte, pte_mkspecial(pfn_pte(r->pfn, r->prot)));
	r->pgoff++;
	r->pfn++;
	r->left--;
	return 0;
}

/* True when @vma maps write-back RAM with the protection mmap() gave it. */
static bool mosaic_remap_direct(const struct mosaic_buf *buf,
				const struct vm_area_struct *vma)
{
	return IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL) && !buf->backend->io &&
	       pgprot_val(vma->vm_page_prot) ==
	       pgprot_val(vm_get_page_prot(vma->vm_flags));
}

static int mosaic_remap_pfn_direct(struct mosaic_buf *buf,
				   struct vm_area_struct *vma)
{
	struct mosaic_remap r = {
		.mm = vma->vm_mm,
		.buf = buf,
		.prot = vma->vm_page_prot,
		.pgoff = vma->vm_pgoff,
	};
	unsigned long addr = vma->vm_start;

	while (addr < vma->vm_end) {
		unsigned long size = min_t(unsigned long, vma->vm_end - addr,
					   MOSAIC_REMAP_BATCH << PAGE_SHIFT);
		int ret;

		ret = apply_to_page_range(r.mm, addr, size, mosaic_remap_pte,
					  &r);
		if (ret)
			return ret;
		addr += size;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static int mosaic_remap_pfn_mmap(struct mosaic_buf *buf,
				 struct vm_area_struct *vma)
{
	pgoff_t pgoff = vma->vm_pgoff, end = vma->vm_pgoff + vma_pages(vma);

	if (mosaic_remap_direct(buf, vma))
		return mosaic_remap_pfn_direct(buf, vma);

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
