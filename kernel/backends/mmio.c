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
 *
 * Who may map a BAR. A driver handing out a BAR of its own device through
 * the in-kernel API owns the device: it has enabled it and holds its
 * regions, and what user space may touch is its decision, so mosaic maps
 * what it is given. A device that user space names through /dev/mosaic
 * (CAP_SYS_RAWIO) is mapped only where the kernel's own raw paths,
 * pci-sysfs resourceN and /dev/mem, would map it:
 *
 * - not when the kernel is locked down (LOCKDOWN_PCI_ACCESS): register
 *   access to a DMA-capable device is access to all of memory;
 * - not when a driver is bound to the device: the device is the driver's,
 *   so mosaic neither enables it nor maps it under it (-EBUSY);
 * - not when anyone holds the BAR's region (-EBUSY), as a strict /dev/mem
 *   refuses a claimed range. While the buffer lives mosaic holds the
 *   region itself, as "mosaic" in /proc/iomem, so a driver that probes the
 *   device meanwhile fails its pci_request_region() instead of driving
 *   registers user space also writes. The region goes with the memory:
 *   when the last reference goes, or when the device goes (revoke.c; the
 *   buffer frees device memory exactly once, buffer.c).
 *
 * Lockdown is checked when the buffer is made, as /dev/mem checks it at
 * open: a buffer made before the kernel was locked down stays usable, as
 * an open /dev/mem does. Locking down at run time does not revoke access
 * granted before; booting locked down leaves nothing to revoke.
 */
#include <linux/device.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/security.h>
#include <linux/slab.h>

#include "../mosaic_internal.h"

static resource_size_t mosaic_mmio_start(const struct mosaic_buf *buf)
{
	return pci_resource_start(to_pci_dev(buf->dev), buf->bar);
}

/*
 * For a device user space named: refuse as pci-sysfs and /dev/mem would
 * (see the top of this file), else hold the BAR's region and enable the
 * device's memory decoding. Under the device lock, so that no driver binds
 * between the check and the claim: one that probes later finds the region
 * taken.
 */
static int mosaic_mmio_claim(struct mosaic_buf *buf, struct pci_dev *pdev)
{
	int ret = security_locked_down(LOCKDOWN_PCI_ACCESS);

	if (ret)
		return ret;
	device_lock(&pdev->dev);
	if (pdev->dev.driver) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = pci_request_region(pdev, buf->bar, KBUILD_MODNAME);
	if (ret)
		goto out_unlock;
	/* Counted, so a device nobody drives still decodes the BAR. */
	ret = pci_enable_device_mem(pdev);
	if (ret)
		pci_release_region(pdev, buf->bar);
out_unlock:
	device_unlock(&pdev->dev);
	return ret;
}

static void mosaic_mmio_unclaim(struct mosaic_buf *buf, struct pci_dev *pdev)
{
	pci_disable_device(pdev);
	pci_release_region(pdev, buf->bar);
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
	if (buf->requester == MOSAIC_FOR_USER) {
		ret = mosaic_mmio_claim(buf, pdev);
		if (ret)
			goto err_free_segs;
	}
	if (buf->cache == MOSAIC_CACHE_WC) {
		ret = arch_io_reserve_memtype_wc(start, buf->size);
		if (ret)
			goto err_unclaim;
	}
	mosaic_buf_add_seg(buf, PHYS_PFN(start), buf->nr_pages,
			   ilog2(buf->nr_pages), NULL);
	mosaic_ledger_add_io(buf, buf->size);
	return 0;

err_unclaim:
	if (buf->requester == MOSAIC_FOR_USER)
		mosaic_mmio_unclaim(buf, pdev);
err_free_segs:
	kvfree(buf->segs);
	buf->segs = NULL;
	return ret;
}

static void mosaic_mmio_free(struct mosaic_buf *buf)
{
	if (buf->cache == MOSAIC_CACHE_WC)
		arch_io_free_memtype_wc(mosaic_mmio_start(buf), buf->size);
	if (buf->requester == MOSAIC_FOR_USER)
		mosaic_mmio_unclaim(buf, to_pci_dev(buf->dev));
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
