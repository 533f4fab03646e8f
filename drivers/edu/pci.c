// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic_edu's PCI side: probe and remove, the DMA mask, the module.
 *
 * What the device needs while bound is managed (pcim_, devm_, dmam_): the
 * driver core gives it back, in the reverse order, once remove() has
 * returned. remove() itself only stops the users of the device and what
 * they imported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "compat.h"
#include "edu.h"

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8

/* What edu accepts unless QEMU is told otherwise (-device edu,dma_mask=). */
#define EDU_DEFAULT_DMA_BITS	28

static unsigned int dma_bits;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA address bits of the device; 0 (default) probes: 28 behind an IOMMU, else 64 if the device really uses them");

static unsigned int max_seg_size;
module_param(max_seg_size, uint, 0444);
MODULE_PARM_DESC(max_seg_size,
		 "Longest DMA segment the device is said to take; 0 (default): any length, 65536: PCI's default, as for a driver that does not set it");

static void mosaic_edu_release(struct kref *ref)
{
	struct mosaic_edu *edu = container_of(ref, struct mosaic_edu, ref);

	pci_dev_put(edu->pdev);
	kfree(edu);
}

/* Drop a reference; the last one frees the device's state. */
void mosaic_edu_put(struct mosaic_edu *edu)
{
	kref_put(&edu->ref, mosaic_edu_release);
}

/* The bound driver's reference, as a managed action: it goes last. */
static void mosaic_edu_put_action(void *edu)
{
	mosaic_edu_put(edu);
}

/* Whether an IOMMU translates the device's addresses. */
bool mosaic_edu_translated(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_PAGING);
}

/*
 * Whether the device really drives address bits above the edu default.
 * Its own DMA registers are the test pattern: the device copies them,
 * read through BAR 0 (which sits above 256 MiB on any PC), into its
 * buffer and from there into the bounce page, which lies below the
 * default. While the copy runs they hold exactly what we wrote: source,
 * destination, count and command. A device that drops the high bits reads
 * some other (RAM) address instead, which is harmless: nothing is ever
 * written anywhere but the bounce page, which every device can reach. No
 * memory has to be found above the limit, which early after boot is hard.
 */
static bool mosaic_edu_probe_wide(struct mosaic_edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	phys_addr_t regs = pci_resource_start(edu->pdev, 0) + EDU_REG_DMA_SRC;
	u64 want[4];
	dma_addr_t dma;
	bool wide = false;

	if (!(regs >> EDU_DEFAULT_DMA_BITS) || dma_set_mask(dev, DMA_BIT_MASK(64)))
		return false;
	dma = dma_map_resource(dev, regs, sizeof(want), DMA_TO_DEVICE, 0);
	if (dma_mapping_error(dev, dma))
		return false;
	want[0] = dma;
	want[1] = EDU_BUF_ADDR;
	want[2] = sizeof(want);
	want[3] = EDU_DMA_START | EDU_DMA_IRQ;
	memset(edu->bounce, 0, sizeof(want));
	mutex_lock(&edu->lock);
	if (!mosaic_edu_xfer(edu, dma, EDU_BUF_ADDR, sizeof(want), 0) &&
	    !mosaic_edu_xfer(edu, EDU_BUF_ADDR, edu->bounce_dma, sizeof(want),
			     EDU_DMA_TO_RAM))
		wide = !memcmp(edu->bounce, want, sizeof(want));
	mutex_unlock(&edu->lock);
	dma_unmap_resource(dev, dma, sizeof(want), DMA_TO_DEVICE, 0);
	return wide;
}

/*
 * The DMA mask: the dma_bits parameter if given; behind an IOMMU the edu
 * default, since the IOMMU hands out addresses below any mask; without
 * one, 64 bits if the device really drives them, else the default (and
 * memory above it cannot be mapped).
 */
static int mosaic_edu_setup_dma(struct mosaic_edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	unsigned int bits = dma_bits ?: EDU_DEFAULT_DMA_BITS;
	int ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		return ret;
	/*
	 * The driver programs every transfer itself, a few KiB at a time,
	 * so one scatterlist entry may be any length; PCI's default limit
	 * (64 KiB) would only make the tables longer. max_seg_size keeps a
	 * limit, for the tests of devices whose drivers set none. A PCI
	 * device always has the DMA parameters this sets (before 6.12 the
	 * call returned an error for a device without them).
	 */
	dma_set_max_seg_size(dev, max_seg_size ?: UINT_MAX);
	/* Under the narrowest mask, so it works whatever the probe finds. */
	edu->bounce = dmam_alloc_coherent(dev, PAGE_SIZE, &edu->bounce_dma,
					  GFP_KERNEL);
	if (!edu->bounce)
		return -ENOMEM;
	if (dma_bits || mosaic_edu_translated(dev))
		return 0;

	if (mosaic_edu_probe_wide(edu))
		bits = 64;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		return ret;
	if (bits == EDU_DEFAULT_DMA_BITS)
		dev_warn(dev,
			 "no IOMMU and only %u DMA address bits: memory above them cannot be used (QEMU: -device edu,dma_mask=...)\n",
			 bits);
	return 0;
}

/* The state the files share; the driver's reference is a managed action. */
static struct mosaic_edu *mosaic_edu_create(struct pci_dev *pdev)
{
	struct mosaic_edu *edu;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return ERR_PTR(-ENOMEM);
	kref_init(&edu->ref);
	init_rwsem(&edu->gone_sem);
	mutex_init(&edu->lock);
	init_completion(&edu->dma_done);
	mutex_init(&edu->imports_lock);
	INIT_LIST_HEAD(&edu->imports);
	edu->pdev = pci_dev_get(pdev);
	/*
	 * Open files keep their own references, so the state outlives the
	 * device; this one goes after the interrupt handler, which uses it.
	 */
	ret = devm_add_action_or_reset(&pdev->dev, mosaic_edu_put_action, edu);
	return ret ? ERR_PTR(ret) : edu;
}

static int mosaic_edu_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct mosaic_edu *edu;
	u32 live;
	int ret;

	edu = mosaic_edu_create(pdev);
	if (IS_ERR(edu))
		return PTR_ERR(edu);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	/*
	 * Ours alone while bound: a BAR mapped through /dev/mosaic's mmio
	 * backend is held by "mosaic" and refused here (-EBUSY), so user
	 * space and the driver never both write the registers.
	 */
	edu->regs = edu_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(edu->regs)) {
		ret = PTR_ERR(edu->regs);
		if (ret == -EBUSY)
			dev_err(dev, "BAR 0 is held by someone else (/proc/iomem names who): %d\n",
				ret);
		return ret;
	}
	iowrite32(0x6d6f7361, edu->regs + EDU_REG_LIVENESS);
	live = ioread32(edu->regs + EDU_REG_LIVENESS);
	if (live != ~0x6d6f7361U) {
		dev_err(dev, "liveness check failed (%#x)\n", live);
		return -ENODEV;
	}
	pci_set_master(pdev);

	/* Managed too: the device was enabled with pcim_enable_device(). */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), mosaic_edu_irq,
			       pdev->msi_enabled ? 0 : IRQF_SHARED,
			       KBUILD_MODNAME, edu);
	if (ret)
		return ret;

	ret = mosaic_edu_setup_dma(edu);
	if (ret)
		return ret;

	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = "mosaic-edu";
	edu->misc.fops = &mosaic_edu_dev_fops;
	edu->misc.parent = dev;
	/* Root only: buffers pin memory and INFO may show addresses. */
	edu->misc.mode = 0600;
	ret = misc_register(&edu->misc);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, edu);
	dev_info(dev, "%s interrupt, %u-bit DMA, %s\n",
		 pdev->msi_enabled ? "MSI" : "INTx",
		 fls64(dma_get_mask(dev)),
		 mosaic_edu_translated(dev) ? "IOMMU-translated" : "direct");
	return 0;
}

/*
 * The device is going (unbind, sysfs remove or a hot unplug): stop using
 * it and give back everything mapped for it while its DMA operations are
 * still there. Files user space still holds stay open, but their ioctls
 * fail with -ENODEV from here on. The imports are unmapped and detached
 * now; the managed resources (bounce page, interrupt, vectors, BAR, the
 * enabled device) go when this returns, and then mosaic itself revokes
 * the buffers allocated for the device (their memory, if the device owned
 * it, goes with it).
 */
static void mosaic_edu_remove(struct pci_dev *pdev)
{
	struct mosaic_edu *edu = pci_get_drvdata(pdev);

	misc_deregister(&edu->misc);
	/* Waits for every ioctl that is using the device. */
	down_write(&edu->gone_sem);
	edu->gone = true;
	up_write(&edu->gone_sem);
	mosaic_edu_imports_detach(edu);
}

static const struct pci_device_id mosaic_edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, mosaic_edu_ids);

/*
 * No bind/unbind files in sysfs: an unbind would take the device from
 * under user space's buffers for no reason a sample driver has. The
 * driver goes away with its module, which every buffer fd, mapping, import
 * and dma-bufs of its buffers pin, or when the device itself goes (sysfs
 * remove, a hot unplug), which remove() and mosaic handle (t36; tests t06
 * and t53 for the rest, docs/security.md).
 */
static struct pci_driver mosaic_edu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = mosaic_edu_ids,
	.probe = mosaic_edu_probe,
	.remove = mosaic_edu_remove,
	.driver = {
		.suppress_bind_attrs = true,
	},
};
module_pci_driver(mosaic_edu_driver);

/* mosaic's symbols, and the dma-buf calls of imports and exports. */
EDU_IMPORT_NS(MOSAIC);
EDU_IMPORT_NS(DMA_BUF);
MODULE_SOFTDEP("pre: mosaic");
MODULE_DESCRIPTION("QEMU edu device DMA into mosaic buffers: sample mosaic driver");
MODULE_LICENSE("GPL");
