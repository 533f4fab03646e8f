/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel differences mosaic_edu meets between 5.10, 6.1, 6.12 and 7.2,
 * one small shim each. An out-of-tree driver is built against kernels it
 * was never merged into, so it tests the version, as here; a distribution
 * may have backported an API, and each shim below is still right there,
 * only not the newest way.
 */
#ifndef _MOSAIC_EDU_COMPAT_H
#define _MOSAIC_EDU_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/version.h>

/*
 * MODULE_IMPORT_NS() takes a string since 6.13 ("module: Convert symbol
 * namespace to string literal"), a bare name that it quoted before.
 */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define EDU_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#else
#define EDU_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#endif

/* pci_alloc_irq_vectors()'s INTx flag was PCI_IRQ_LEGACY before 6.8. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX		PCI_IRQ_LEGACY
#endif

/*
 * Request and map one BAR, both undone when the driver is unbound:
 * pcim_iomap_region() since 6.12, which deprecates the mask form,
 * pcim_iomap_regions(), and its table that the mapping had to be read
 * from. Either fails with -EBUSY when someone else holds the region.
 */
static inline void __iomem *edu_iomap_region(struct pci_dev *pdev, int bar,
					     const char *name)
{
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
	return pcim_iomap_region(pdev, bar, name);
#else
	int ret = pcim_iomap_regions(pdev, BIT(bar), name);

	return ret ? IOMEM_ERR_PTR(ret) : pcim_iomap_table(pdev)[bar];
#endif
}

/*
 * An importer that does not hold the reservation lock calls the _unlocked
 * map and unmap since 6.2, where the plain ones want the lock. Before,
 * the plain ones were the calls for it: they wanted the lock only for
 * dynamic attachments, and this driver makes none.
 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
#define edu_map_attachment	dma_buf_map_attachment_unlocked
#define edu_unmap_attachment	dma_buf_unmap_attachment_unlocked
#else
#define edu_map_attachment	dma_buf_map_attachment
#define edu_unmap_attachment	dma_buf_unmap_attachment
#endif

#endif /* _MOSAIC_EDU_COMPAT_H */
