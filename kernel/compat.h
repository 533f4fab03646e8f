/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, one small wrapper each.
 *
 * Each HAVE_* symbol comes from a compile probe, not from
 * LINUX_VERSION_CODE, because distributions backport: kernel/probes/NAME.c
 * is compiled against the target kernel at build time and defines
 * HAVE_NAME in generated/compat-probes.h if it compiles (kernel/probes/Kbuild;
 * docs/kernels.md lists every probe and the kernels where it holds).
 *
 * What a kernel lacks is reported, not emulated: the caller gets
 * -EOPNOTSUPP and user space sees the backend as unsupported.
 */
#ifndef _MOSAIC_COMPAT_H
#define _MOSAIC_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mem_encrypt.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/pci.h>

#include <compat-probes.h>

#ifdef HAVE_CC_PLATFORM_HAS
#include <linux/cc_platform.h>
#endif
#ifdef HAVE_USE_DMA_IOMMU
#include <linux/iommu-dma.h>
#endif

/*
 * vm_flags became read-only in 6.3 (commit bc292ab00f6c, "mm: introduce
 * vma->vm_flags wrapper functions"); writers must use vm_flags_set().
 */
static inline void mosaic_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* The other half of the same change: vm_flags_clear(). */
static inline void mosaic_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * The largest order the page allocator hands out. MAX_ORDER counted one
 * past it until 6.4 (commit 23baf831a32c, "mm, treewide: redefine
 * MAX_ORDER sanely"), then was that order itself, and was renamed
 * MAX_PAGE_ORDER in 6.8 ("mm, treewide: rename MAX_ORDER to
 * MAX_PAGE_ORDER").
 */
#if defined(HAVE_MAX_PAGE_ORDER)
#define MOSAIC_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif defined(HAVE_MAX_ORDER_INCLUSIVE)
#define MOSAIC_MAX_PAGE_ORDER	MAX_ORDER
#else
#define MOSAIC_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/**
 * mosaic_alloc_pages_bulk() - fill the NULL slots of a page array
 * @gfp: allocation flags
 * @nr: number of slots in @pages to fill
 * @pages: the array; slots already holding a page are left alone
 *
 * The bulk allocator's array form arrived in 5.13 ("mm/page_alloc: add an
 * array-based interface to the bulk page allocator") as
 * alloc_pages_bulk_array() and took the name alloc_pages_bulk() in 6.14
 * ("mm: alloc_pages_bulk: rename API").  Before 5.13 the same contract is
 * met one page at a time: the bulk allocator only saves time, and may
 * itself stop early, which callers already handle.
 *
 * Return: the number of slots of @pages that hold a page.
 */
static inline unsigned long mosaic_alloc_pages_bulk(gfp_t gfp,
						    unsigned long nr,
						    struct page **pages)
{
#if defined(HAVE_ALLOC_PAGES_BULK)
	return alloc_pages_bulk(gfp, nr, pages);
#elif defined(HAVE_ALLOC_PAGES_BULK_ARRAY)
	return alloc_pages_bulk_array(gfp, nr, pages);
#else
	unsigned long i, filled = 0;

	for (i = 0; i < nr; i++) {
		if (!pages[i])
			pages[i] = alloc_page(gfp);
		if (!pages[i])
			break;
		filled++;
	}
	return filled;
#endif
}

/*
 * The buffer pages' memcg charge (kernel/limits.c). Before 5.11
 * (HAVE_PAGE_KMEMCG) a page charged with __GFP_ACCOUNT is marked with the
 * PageKmemcg page type, which overlays the map count: vm_insert_page()
 * refuses it and no strategy could map it. There the pages of a buffer
 * are not charged to the memcg (its metadata still is), and
 * RLIMIT_MEMLOCK and max_total_size bound them as on every kernel.
 * Since 5.11 the charge is a flag of page->memcg_data and the page maps
 * like any other.
 */
#ifdef HAVE_PAGE_KMEMCG
#define MOSAIC_GFP_ACCOUNT_PAGES	0
#else
#define MOSAIC_GFP_ACCOUNT_PAGES	__GFP_ACCOUNT
#endif

/*
 * dma_alloc_noncontiguous() arrived in 5.15 ("dma-mapping: add a
 * dma_alloc_noncontiguous API").  Without it the noncontig backend is not
 * available: it fails with -EOPNOTSUPP, and mosaicctl features says so.
 */
#ifdef HAVE_DMA_ALLOC_NONCONTIGUOUS
#define MOSAIC_HAVE_DMA_NONCONTIGUOUS	true
#else
#define MOSAIC_HAVE_DMA_NONCONTIGUOUS	false
#endif

/**
 * mosaic_dma_alloc_noncontiguous() - dma_alloc_noncontiguous() where it exists
 * @dev: the device
 * @size: bytes
 * @dir: DMA direction
 * @gfp: allocation flags
 *
 * Return: the sg_table, or NULL (always NULL where the kernel lacks the
 * API: check %MOSAIC_HAVE_DMA_NONCONTIGUOUS first).
 */
static inline struct sg_table *
mosaic_dma_alloc_noncontiguous(struct device *dev, size_t size,
			       enum dma_data_direction dir, gfp_t gfp)
{
#ifdef HAVE_DMA_ALLOC_NONCONTIGUOUS
	return dma_alloc_noncontiguous(dev, size, dir, gfp, 0);
#else
	return NULL;
#endif
}

/**
 * mosaic_dma_free_noncontiguous() - free what mosaic_dma_alloc_noncontiguous() gave
 * @dev: the device
 * @size: bytes
 * @sgt: the sg_table
 * @dir: DMA direction
 */
static inline void mosaic_dma_free_noncontiguous(struct device *dev,
						 size_t size,
						 struct sg_table *sgt,
						 enum dma_data_direction dir)
{
#ifdef HAVE_DMA_ALLOC_NONCONTIGUOUS
	dma_free_noncontiguous(dev, size, sgt, dir);
#endif
}

/**
 * mosaic_dma_set_max_seg_size() - set the longest DMA segment of a device
 * @dev: the device
 * @size: bytes
 *
 * dma_set_max_seg_size() returns nothing since 6.12 ("dma-mapping: don't
 * return errors from dma_set_max_seg_size"), and warns itself about a
 * device without DMA parameters; before, it returned -EIO for one.
 *
 * Return: 0, or -EIO (before 6.12) for a device without DMA parameters.
 */
static inline int mosaic_dma_set_max_seg_size(struct device *dev,
					      unsigned int size)
{
#ifdef HAVE_DMA_SET_MAX_SEG_SIZE_VOID
	dma_set_max_seg_size(dev, size);
	return 0;
#else
	return dma_set_max_seg_size(dev, size);
#endif
}

/*
 * Symbol namespaces. EXPORT_SYMBOL_NS_GPL() and MODULE_IMPORT_NS() take a
 * string literal since 6.13 ("module: Convert symbol namespace to string
 * literal"); before, a bare identifier that they stringified. Each has
 * its own probe (HAVE_EXPORT_SYMBOL_NS_IDENT, HAVE_MODULE_IMPORT_NS_IDENT).
 * Macros: an export and an import are declarations at file scope.
 *
 * EXPORT_SYMBOL_MOSAIC() exports a symbol of mosaic's API in the
 * namespace MOSAIC (linux/mosaic.h); it is named like the kernel's own
 * exports so that checkpatch reads it as one. A module that uses the API
 * imports the namespace with MOSAIC_IMPORT_NS(), or modpost refuses it. The DMA_BUF
 * namespace exists since 5.16; importing it earlier is harmless, nothing
 * checks an import that no symbol needs.
 */
#ifdef HAVE_EXPORT_SYMBOL_NS_IDENT
#define EXPORT_SYMBOL_MOSAIC(sym)	EXPORT_SYMBOL_NS_GPL(sym, MOSAIC)
#else
#define EXPORT_SYMBOL_MOSAIC(sym)	EXPORT_SYMBOL_NS_GPL(sym, "MOSAIC")
#endif

#ifdef HAVE_MODULE_IMPORT_NS_IDENT
#define MOSAIC_IMPORT_NS()			MODULE_IMPORT_NS(MOSAIC)
#define MOSAIC_MODULE_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS(DMA_BUF)
#else
#define MOSAIC_IMPORT_NS()			MODULE_IMPORT_NS("MOSAIC")
#define MOSAIC_MODULE_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS("DMA_BUF")
#endif

/**
 * mosaic_page_mapcount() - number of user PTEs that map one page
 * @page: the page
 *
 * page_mapcount() is gone by 6.12: mappings are counted per folio.  The
 * per-page number is still kept, unless CONFIG_NO_PAGE_MAPCOUNT
 * (experimental, off by default), and fs/proc reads it for
 * /proc/kpagecount as folio_precise_page_mapcount() in
 * fs/proc/internal.h, which modules cannot include: the same reading is
 * done here, for the statistics of MOSAIC_TEST_IOC_REFS only.  Without
 * per-page counts, report the folio's average, as /proc/kpagecount does.
 *
 * Return: the page's mapcount.
 */
static inline int mosaic_page_mapcount(struct page *page)
{
#if defined(HAVE_PAGE_MAPCOUNT)
	return page_mapcount(page);
#elif !defined(CONFIG_NO_PAGE_MAPCOUNT)
	struct folio *folio = page_folio(page);
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
#else
	struct folio *folio = page_folio(page);
	int mapcount = folio_mapcount(folio);

	if (mapcount <= 0)
		return 0;
	return max_t(int, DIV_ROUND_CLOSEST(mapcount, folio_nr_pages(folio)), 1);
#endif
}

/*
 * Importers that do not hold the reservation lock have called the
 * _unlocked variants since 6.2 ("dma-buf: Add unlocked variant of
 * attachment-mapping functions"); Debian's 6.1 has them backported.
 * Before, dma_buf_map_attachment() itself was the call for them: it only
 * wanted the lock for dynamic attachments, which mosaic never makes.
 */
static inline struct sg_table *
mosaic_dma_buf_map_attachment_unlocked(struct dma_buf_attachment *attach,
				       enum dma_data_direction dir)
{
#ifdef HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED
	return dma_buf_map_attachment_unlocked(attach, dir);
#else
	return dma_buf_map_attachment(attach, dir);
#endif
}

static inline void
mosaic_dma_buf_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
					 struct sg_table *sgt,
					 enum dma_data_direction dir)
{
#ifdef HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
#else
	dma_buf_unmap_attachment(attach, sgt, dir);
#endif
}

/*
 * The pci_alloc_irq_vectors() flag for INTx was PCI_IRQ_LEGACY until 6.8
 * renamed it PCI_IRQ_INTX; the old name is gone by 6.12.
 */
#ifdef HAVE_PCI_IRQ_INTX
#define MOSAIC_PCI_IRQ_INTX	PCI_IRQ_INTX
#else
#define MOSAIC_PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/*
 * KUnit's NULL checks arrived in 5.18 ("kunit: Introduce _NULL and
 * _NOT_NULL macros").  Before, the pointer comparisons say the same;
 * KUNIT_ASSERT_NOT_ERR_OR_NULL also rejects error pointers, which no
 * caller here can get.  Macros, as KUnit's own: they report the caller's
 * line.
 */
#if IS_ENABLED(CONFIG_KUNIT) && !defined(HAVE_KUNIT_EXPECT_NULL)
#define KUNIT_EXPECT_NULL(test, ptr) \
	KUNIT_EXPECT_PTR_EQ(test, ptr, (typeof(ptr))NULL)
#define KUNIT_ASSERT_NOT_NULL(test, ptr) \
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ptr)
#endif

/*
 * Strategy "huge" (kernel/map/huge.c): which mechanism maps a 2 MiB block
 * with one PMD on this kernel, for page-backed memory and for the rest
 * (enum mosaic_huge_mode). Without THP the core has no PMD mappings of
 * files at all.
 *
 * Pages: vmf_insert_folio_pmd() (HAVE_VMF_INSERT_FOLIO_PMD) where it
 * exists; before, the core's own finish_fault() -> do_set_pmd(), which
 * maps an order-9 compound page that ->fault returned with one PMD, the
 * path of page-cache THPs (5.10 on).
 *
 * PFNs: vmf_insert_pfn_pmd() only where PMDs have a special bit
 * (HAVE_PMD_SPECIAL and the architecture's CONFIG_ARCH_SUPPORTS_PMD_PFNMAP);
 * otherwise PTEs, see kernel/map/huge.c.
 */
#if IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) && defined(HAVE_VMF_INSERT_FOLIO_PMD)
#define MOSAIC_HAVE_FOLIO_PMD	1
#define MOSAIC_HUGE_PAGE_MODE	MOSAIC_HUGE_FOLIO_PMD
#elif IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE)
#define MOSAIC_HAVE_FOLIO_PMD	0
#define MOSAIC_HUGE_PAGE_MODE	MOSAIC_HUGE_FAULT_PMD
#else
#define MOSAIC_HAVE_FOLIO_PMD	0
#define MOSAIC_HUGE_PAGE_MODE	MOSAIC_HUGE_PTE
#endif

#if IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) && defined(HAVE_PMD_SPECIAL) && \
	IS_ENABLED(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)
#define MOSAIC_HAVE_PFN_PMD	1
#define MOSAIC_HUGE_PFN_MODE	MOSAIC_HUGE_PFN_PMD
#else
#define MOSAIC_HAVE_PFN_PMD	0
#define MOSAIC_HUGE_PFN_MODE	MOSAIC_HUGE_PTE
#endif

#if MOSAIC_HAVE_PFN_PMD && !defined(HAVE_VMF_INSERT_PFN_PMD_ULONG)
#include <linux/pfn_t.h>
#endif

/**
 * mosaic_vmf_insert_folio_pmd() - map an order-9 compound page with a PMD
 * @vmf: the PMD fault
 * @head: the compound page's head
 * @write: map it writable
 *
 * Only called in the folio-pmd mode (%MOSAIC_HUGE_PAGE_MODE).
 *
 * Return: the fault result; %VM_FAULT_FALLBACK where the kernel lacks it.
 */
static inline vm_fault_t mosaic_vmf_insert_folio_pmd(struct vm_fault *vmf,
						     struct page *head,
						     bool write)
{
#if MOSAIC_HAVE_FOLIO_PMD
	return vmf_insert_folio_pmd(vmf, page_folio(head), write);
#else
	return VM_FAULT_FALLBACK;
#endif
}

/**
 * mosaic_vmf_insert_pfn_pmd() - map 2 MiB of frames with a special PMD
 * @vmf: the PMD fault
 * @pfn: first frame, 2 MiB-aligned
 * @write: map it writable
 *
 * Only called in the pfn-pmd mode (%MOSAIC_HUGE_PFN_MODE). The argument
 * was a pfn_t until 6.17 (HAVE_VMF_INSERT_PFN_PMD_ULONG).
 *
 * Return: the fault result; %VM_FAULT_FALLBACK where it is not safe.
 */
static inline vm_fault_t mosaic_vmf_insert_pfn_pmd(struct vm_fault *vmf,
						   unsigned long pfn,
						   bool write)
{
#if !MOSAIC_HAVE_PFN_PMD
	return VM_FAULT_FALLBACK;
#elif defined(HAVE_VMF_INSERT_PFN_PMD_ULONG)
	return vmf_insert_pfn_pmd(vmf, pfn, write);
#else
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(pfn), write);
#endif
}

/*
 * ->huge_fault takes the entry's page order since 6.6 ("mm: remove enum
 * page_entry_size"), an enum page_entry_size before.
 * MOSAIC_DEFINE_HUGE_FAULT(prefix) defines the op prefix_huge_fault()
 * around prefix_do_huge_fault(vmf), which handles PMD faults only.
 */
#ifdef HAVE_PAGE_ENTRY_SIZE
#define MOSAIC_DEFINE_HUGE_FAULT(prefix)				\
static vm_fault_t prefix##_huge_fault(struct vm_fault *vmf,		\
				      enum page_entry_size pe_size)	\
{									\
	if (pe_size != PE_SIZE_PMD)					\
		return VM_FAULT_FALLBACK;				\
	return prefix##_do_huge_fault(vmf);				\
}
#else
#define MOSAIC_DEFINE_HUGE_FAULT(prefix)				\
static vm_fault_t prefix##_huge_fault(struct vm_fault *vmf,		\
				      unsigned int order)		\
{									\
	if (order != PMD_SHIFT - PAGE_SHIFT)				\
		return VM_FAULT_FALLBACK;				\
	return prefix##_do_huge_fault(vmf);				\
}
#endif

/**
 * mosaic_thp_align_area() - make sure a huge mapping got a PMD-aligned address
 * @ret: what thp_get_unmapped_area() chose
 * @file: the file being mapped
 * @addr: the caller's hint, 0 for none
 * @len: bytes
 * @pgoff: page offset in the file
 * @flags: mmap flags
 *
 * thp_get_unmapped_area() aligned only DAX files before 5.18 ("mm/readahead:
 * Align file mappings for non-DAX"). Where the mm still has its own
 * allocator (HAVE_MM_STRUCT_GET_UNMAPPED_AREA, before 6.10) and the helper
 * returned an address that is not congruent to @pgoff modulo PMD_SIZE for a
 * caller without a hint, do what the helper does since: ask for
 * PMD_SIZE more and align inside. Later kernels always align.
 *
 * Return: the address to map at, or @ret.
 */
static inline unsigned long mosaic_thp_align_area(unsigned long ret,
						  struct file *file,
						  unsigned long addr,
						  unsigned long len,
						  unsigned long pgoff,
						  unsigned long flags)
{
#ifdef HAVE_MM_STRUCT_GET_UNMAPPED_AREA
	unsigned long off = pgoff << PAGE_SHIFT, padded;

	if (IS_ERR_VALUE(ret) || addr || (flags & MAP_FIXED) ||
	    len < PMD_SIZE || len + PMD_SIZE < len ||
	    !((off - ret) & (PMD_SIZE - 1)))
		return ret;
	padded = current->mm->get_unmapped_area(file, 0, len + PMD_SIZE,
						pgoff, flags);
	if (IS_ERR_VALUE(padded))
		return ret;
	return padded + ((off - padded) & (PMD_SIZE - 1));
#else
	return ret;
#endif
}

/**
 * mosaic_entire_mapcount() - PMD mappings of a compound page
 * @head: the compound page's head
 *
 * compound_mapcount() became folio_entire_mapcount() in 5.18
 * (HAVE_FOLIO_ENTIRE_MAPCOUNT).
 *
 * Return: how many PMDs map the compound page as a whole.
 */
static inline int mosaic_entire_mapcount(struct page *head)
{
#ifdef HAVE_FOLIO_ENTIRE_MAPCOUNT
	return folio_entire_mapcount(page_folio(head));
#else
	return compound_mapcount(head);
#endif
}

/*
 * dma-iommu serves a device through use_dma_iommu() since 6.12
 * (HAVE_USE_DMA_IOMMU), and through its get_dma_ops() before.
 */
static inline bool mosaic_use_dma_iommu(struct device *dev)
{
#ifdef HAVE_USE_DMA_IOMMU
	return use_dma_iommu(dev);
#else
	return false;
#endif
}

#ifdef CONFIG_X86
/*
 * What x86's force_dma_unencrypted() asks, through what modules may call:
 * cc_platform_has() (HAVE_CC_PLATFORM_HAS) where it exists; before, the
 * same questions were sev_active() and sme_active(), and sme_active(),
 * which is not exported, was sme_me_mask && !sev_active().
 */
static inline bool mosaic_cc_guest_mem_encrypt(void)
{
#ifdef HAVE_CC_PLATFORM_HAS
	return cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT);
#else
	return sev_active();
#endif
}

static inline bool mosaic_cc_host_mem_encrypt(void)
{
#ifdef HAVE_CC_PLATFORM_HAS
	return cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT);
#else
	return sme_me_mask && !sev_active();
#endif
}
#endif /* CONFIG_X86 */

#endif /* _MOSAIC_COMPAT_H */
