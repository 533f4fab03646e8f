// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "mmio": a memory BAR of a PCI device, mapped into user space.
 *
 * The memory is the device's, not RAM: there is no &struct page, no kernel
 * address and no DMA address, and nothing is counted in the page ledger.
 * One segment covers the first @buf->size bytes of the BAR. Only the PFN
 * strategies can map it: remap-pfn with io_remap_pfn_range(), pfn-fault
 * with vmf_insert_pfn(), both with the caching mode the caller asked for
 * (mosaic_buf_mmap() applies it to the VMA). The kernel never reads or
 * writes the BAR itself, so FILL, VERIFY, REFS and export refuse the
 * buffer with EOPNOTSUPP rather than dereference an I/O address.
 *
 * Write-combining needs a memory type reservation of its own on x86 (PAT):
 * without one, a PTE inserted at fault time would get the uncached type
 * PAT reports for unreserved device memory. The reservation lives as long
 * as the buffer. Uncached needs none: that is the default for MMIO.
 */
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "../mosaic_internal.h"

static resource_size_t mosaic_mmio_start(const struct mosaic_buf *buf)
{
	return pci_resource_start(to_pci_dev(buf->dev), buf->bar);
}

static int mosaic_mmio_alloc(struct mosaic_buf *buf)
{
	struct pci_dev *pdev;
	resource_size_t start;
	int ret;

	if (!dev_is_pci(buf->dev))
		return -EINVAL;
	pdev = to_pci_dev(buf->dev);
	if (!(pci_resource_flags(pdev, buf->bar) & IORESOURCE_MEM))
		return -EINVAL;
	start = pci_resource_start(pdev, buf->bar);
	if (!start || !PAGE_ALIGNED(start) ||
	    buf->size > pci_resource_len(pdev, buf->bar))
		return -EINVAL;

	ret = mosaic_buf_reserve_segs(buf, 1);
	if (ret)
		return ret;
	/* Counted, so a device nobody drives still decodes the BAR. */
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free_segs;
	if (buf->cache == MOSAIC_CACHE_WC) {
		ret = arch_io_reserve_memtype_wc(start, buf->size);
		if (ret)
			goto err_disable;
	}
	mosaic_buf_add_seg(buf, PHYS_PFN(start), buf->nr_pages,
			   ilog2(buf->nr_pages), NULL);
	mosaic_ledger_add_io(buf, buf->size);
	return 0;

err_disable:
	pci_disable_device(pdev);
err_free_segs:
	kvfree(buf->segs);
	buf->segs = NULL;
	return ret;
}

static void mosaic_mmio_free(struct mosaic_buf *buf)
{
	if (buf->cache == MOSAIC_CACHE_WC)
		arch_io_free_memtype_wc(mosaic_mmio_start(buf), buf->size);
	pci_disable_device(to_pci_dev(buf->dev));
	mosaic_ledger_add_io(buf, -(long)buf->size);
	kvfree(buf->segs);
	buf->segs = NULL;
}

static pgprot_t mosaic_mmio_vm_page_prot(const struct mosaic_buf *buf,
					 pgprot_t prot)
{
	if (buf->cache == MOSAIC_CACHE_WC)
		return pgprot_writecombine(prot);
	return pgprot_noncached(prot);
}

const struct mosaic_backend_ops mosaic_backend_mmio = {
	.name = "mmio",
	.needs_device = true,
	.coherent = true,
	.page_backed = false,
	.io = true,
	.default_strategy = MOSAIC_STRATEGY_REMAP_PFN,
	.alloc = mosaic_mmio_alloc,
	.free = mosaic_mmio_free,
	.vm_page_prot = mosaic_mmio_vm_page_prot,
};
