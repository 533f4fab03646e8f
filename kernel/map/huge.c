// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "huge": one PMD entry per 2 MiB block that is physically
 * contiguous and 2 MiB-aligned, PTEs for everything else.
 *
 * A 1 GiB buffer mapped with 4 KiB PTEs needs 262,144 entries and 2 MiB of
 * page tables; with PMDs it needs 512 entries and no page tables at all.
 * Nothing is mapped at mmap time: each fault maps the block it hits.
 *
 * The mechanism is the one the running kernel makes safe (compat.h picks
 * it from compile probes, see enum mosaic_huge_mode):
 *
 * - Page-backed memory is mapped as refcounted pages in a VMA that is
 *   neither VM_MIXEDMAP nor VM_PFNMAP, so that the core treats a PMD over
 *   an order-9 compound page like one over a page-cache THP: it takes one
 *   reference and one entire mapcount, and zap and split give them back.
 *   ->fault returns the page with a reference, as a filesystem does; the
 *   core's finish_fault() maps the whole compound page with one PMD when
 *   the page table is still empty and the VMA covers the aligned 2 MiB
 *   around the fault (fault-pmd), and a PTE otherwise. Where the kernel
 *   has vmf_insert_folio_pmd(), ->huge_fault calls it (folio-pmd).
 * - Other RAM (coherent, cma, noncontig) has no reference of ours to give
 *   out and is mapped as PFNs in a VM_PFNMAP VMA. A PFN PMD is safe only
 *   where PMDs have a special bit (pmd_special(), 6.12): before, the
 *   lockless get_user_pages_fast() sees a huge PMD it cannot tell from a
 *   THP and takes references on pages the mapping does not own, the
 *   reason TTM dropped its huge_fault. There, every page gets a PTE.
 *
 * A partial munmap, an mprotect of part of a block or an mremap to an
 * unaligned address makes the core split the PMD: for a file VMA that
 * means zapping it, and the next touch faults the pages back in with PTEs.
 */
#include <linux/mm.h>

#include "../compat.h"
#include "../mosaic_internal.h"

#define MOSAIC_PMD_PAGES	(PMD_SIZE >> PAGE_SHIFT)
#define MOSAIC_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)

/**
 * mosaic_huge_mode() - how a buffer's 2 MiB blocks are mapped
 * @buf: the buffer
 *
 * Return: an &enum mosaic_huge_mode value.
 */
u32 mosaic_huge_mode(const struct mosaic_buf *buf)
{
	if (buf->strategy_id != MOSAIC_STRATEGY_HUGE)
		return MOSAIC_HUGE_NONE;
	return buf->backend->page_backed ? MOSAIC_HUGE_PAGE_MODE :
					   MOSAIC_HUGE_PFN_MODE;
}

/*
 * Whether buffer pages [first, first + 512) are one physically contiguous,
 * 2 MiB-aligned block, and if so its first frame. In a page mode the block
 * must also be exactly one order-9 compound page, the only thing a PMD
 * may map as pages.
 */
static bool mosaic_huge_block(const struct mosaic_buf *buf, pgoff_t first,
			      unsigned long *pfn)
{
	pgoff_t end = first + MOSAIC_PMD_PAGES, next;
	struct mosaic_seg seg;
	unsigned long start;
	struct page *page;

	if (!IS_ALIGNED(first, MOSAIC_PMD_PAGES) || end > buf->nr_pages)
		return false;
	mosaic_buf_find_seg(buf, first, &seg);
	start = seg.pfn + (first - seg.pgoff);
	if (!IS_ALIGNED(start, MOSAIC_PMD_PAGES))
		return false;
	for (next = seg.pgoff + seg.nr_pages; next < end;
	     next = seg.pgoff + seg.nr_pages) {
		mosaic_buf_find_seg(buf, next, &seg);
		if (seg.pfn != start + (next - first))
			return false;
	}
	if (buf->backend->page_backed) {
		page = pfn_to_page(start);
		if (!PageHead(page) ||
		    compound_order(page) != MOSAIC_PMD_ORDER)
			return false;
	}
	*pfn = start;
	return true;
}

/**
 * mosaic_huge_info() - the huge fields of %MOSAIC_IOC_INFO
 * @buf: the buffer
 * @info: where to put &mosaic_info.huge_mode, pmd_bytes and pmd_mapped
 */
void mosaic_huge_info(const struct mosaic_buf *buf, struct mosaic_info *info)
{
	u32 mode = mosaic_huge_mode(buf);
	unsigned long pfn;
	pgoff_t first;

	info->huge_mode = mode;
	info->pmd_bytes = 0;
	info->pmd_mapped = mode == MOSAIC_HUGE_PFN_PMD ? ~0ULL : 0;
	if (mode == MOSAIC_HUGE_NONE || mode == MOSAIC_HUGE_PTE)
		return;
	for (first = 0; first + MOSAIC_PMD_PAGES <= buf->nr_pages;
	     first += MOSAIC_PMD_PAGES) {
		if (!mosaic_huge_block(buf, first, &pfn))
			continue;
		info->pmd_bytes += PMD_SIZE;
		if (mode != MOSAIC_HUGE_PFN_PMD)
			info->pmd_mapped +=
				mosaic_entire_mapcount(pfn_to_page(pfn));
	}
}

/*
 * In the fault-pmd mode, finish_fault() maps a PMD only over a folio that
 * ends inside the file: since 6.12.y ("mm/memory: do not populate page
 * table entries beyond i_size"), index + 512 <= i_size in pages. These
 * compound pages are in no page cache, so their index is whatever the
 * allocator left there; give them the one a page cache would: their
 * offset in the buffer, which is the file. The folio-pmd mode maps
 * without finish_fault(), and there struct page has no index any more.
 */
static void mosaic_huge_set_index(struct page *head, pgoff_t pgoff)
{
#if IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) && !MOSAIC_HAVE_FOLIO_PMD
	head->index = pgoff;
#endif
}

/*
 * In the fault-pmd mode the core, not this file, decides to map a PMD: it
 * maps the compound page of the faulting page at the 2 MiB-aligned address
 * around the fault, which is right only if every order-9 compound page
 * starts at a 2 MiB-aligned buffer offset. The high-order backends
 * allocate largest orders first, so they do; refuse a table where that
 * ever stops holding rather than map the wrong memory.
 */
static int mosaic_huge_mmap(struct mosaic_buf *buf, struct vm_area_struct *vma)
{
	unsigned long i, nr = mosaic_buf_nr_segs(buf);
	struct mosaic_seg seg;

	if (!buf->backend->page_backed)
		return 0;
	for (i = 0; i < nr; i++) {
		mosaic_buf_seg(buf, i, &seg);
		if (seg.order < MOSAIC_PMD_ORDER)
			continue;
		if (!IS_ALIGNED(seg.pgoff, MOSAIC_PMD_PAGES)) {
			WARN_ONCE(1, "mosaic: order-%u segment at page %lu\n",
				  seg.order, (unsigned long)seg.pgoff);
			return -EINVAL;
		}
		mosaic_huge_set_index(pfn_to_page(seg.pfn), seg.pgoff);
	}
	return 0;
}

/*
 * PTE-level fault. Page-backed: hand the page to the core with a reference
 * of its own, which the PTE or PMD the core installs keeps (a filesystem's
 * ->fault does the same). Otherwise: insert the frame.
 */
static vm_fault_t mosaic_huge_fault(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;
	struct page *page;

	if (!buf->backend->page_backed)
		return mosaic_fault_pfn(vmf);
	page = mosaic_buf_page(buf, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

/*
 * PMD-level fault, where the kernel has a safe insert for this memory;
 * VM_FAULT_FALLBACK sends the core on to mosaic_huge_fault().
 */
static vm_fault_t mosaic_huge_pmd_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mosaic_buf *buf = vma->vm_private_data;
	unsigned long haddr = vmf->address & PMD_MASK;
	pgoff_t first = vmf->pgoff - ((vmf->address - haddr) >> PAGE_SHIFT);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	u32 mode = mosaic_huge_mode(buf);
	unsigned long pfn;

	if (mode != MOSAIC_HUGE_PFN_PMD && mode != MOSAIC_HUGE_FOLIO_PMD)
		return VM_FAULT_FALLBACK;
	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end ||
	    !mosaic_huge_block(buf, first, &pfn))
		return VM_FAULT_FALLBACK;
	if (mode == MOSAIC_HUGE_FOLIO_PMD)
		return mosaic_vmf_insert_folio_pmd(vmf, pfn_to_page(pfn), write);
	return mosaic_vmf_insert_pfn_pmd(vmf, pfn, write);
}

const struct mosaic_map_ops mosaic_map_huge = {
	.name = "huge",
	.needs_pages = false,
	.pages_or_pfns = true,
	.mmap = mosaic_huge_mmap,
	.fault = mosaic_huge_fault,
	.huge_fault = mosaic_huge_pmd_fault,
};
