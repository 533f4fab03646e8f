// SPDX-License-Identifier: GPL-2.0
/*
 * When a buffer's device goes away.
 *
 * A PCI device can lose its driver (unbind) or disappear (sysfs remove, a
 * hot unplug) while user space still holds buffers allocated or mapped for
 * it. Its DMA operations go with it (an IOMMU driver drops them when the
 * device leaves its group), so whatever was mapped or allocated for it
 * must be given back while they are still there: after its driver's
 * remove() has stopped it (BUS_NOTIFY_UNBOUND_DRIVER), or when a device
 * without a driver is deleted (BUS_NOTIFY_DEL_DEVICE).
 *
 * Revoking a buffer marks it revoked and waits until every fault, mmap,
 * ioctl and in-kernel call that may have seen it as it was has finished
 * (SRCU). Then, for memory the device owns (coherent, noncontig, cma, a
 * BAR), every user mapping goes, so that a later touch gets SIGBUS, the
 * importers' mappings of it are unmapped, and it is freed through the
 * device's own DMA operations. Page-backed memory only loses its
 * streaming mapping: its pages stay mapped in user space, since they are
 * ordinary memory. The buffer lives on until its last reference goes;
 * what needs the device answers -ENODEV.
 *
 * Which buffers have a device, and giving back what each holds for it
 * exactly once, are the buffer's own business (buffer.c); this file is
 * the reaction to the device going away.
 */
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/srcu.h>

#include "mosaic_internal.h"

/*
 * Every user mapping of memory the device owns goes: first wait until
 * each VMA set up for it is linked (an mmap or fork in progress holds its
 * mmap lock until then), then zap through the buffer's files and its
 * dma-bufs' files. A later touch faults, and the fault gets SIGBUS.
 */
static void mosaic_buf_zap_users(struct mosaic_buf *buf)
{
	struct mosaic_buf_mm *bm;

	/* No mm is added once the buffer is revoked and SRCU has passed. */
	list_for_each_entry(bm, &buf->mms, node) {
		mmap_write_lock(bm->mm);
		mmap_write_unlock(bm->mm);
	}
	mutex_lock(&buf->lock);
	if (buf->inode)
		unmap_mapping_range(buf->inode->i_mapping, 0, 0, 1);
	mutex_unlock(&buf->lock);
	mosaic_export_revoke(buf);
}

/* Revoke every buffer of @dev. */
static void mosaic_revoke_device(struct device *dev)
{
	struct mosaic_buf *buf, *tmp;
	LIST_HEAD(live);

	mosaic_bufs_mark_revoked(dev, &live);
	if (list_empty(&live))
		return;

	dev_info(dev, "mosaic: device going away: revoking its buffers\n");
	synchronize_srcu(&mosaic_revoke_srcu);
	list_for_each_entry_safe(buf, tmp, &live, revoke_node) {
		if (mosaic_buf_device_owned(buf))
			mosaic_buf_zap_users(buf);
		mosaic_buf_teardown_device(buf);
		list_del(&buf->revoke_node);
		mosaic_buf_put(buf);
	}
}

static int mosaic_revoke_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	if (action == BUS_NOTIFY_UNBOUND_DRIVER ||
	    action == BUS_NOTIFY_DEL_DEVICE)
		mosaic_revoke_device(data);
	return NOTIFY_DONE;
}

/*
 * Before DMA-API debugging's own notifier, which reports what is still
 * mapped for a device whose driver went away.
 */
static struct notifier_block mosaic_revoke_nb = {
	.notifier_call = mosaic_revoke_notify,
	.priority = INT_MAX,
};

/**
 * mosaic_revoke_init() - start watching PCI devices
 *
 * Return: 0 or -errno.
 */
int mosaic_revoke_init(void)
{
	return bus_register_notifier(&pci_bus_type, &mosaic_revoke_nb);
}

/**
 * mosaic_revoke_exit() - stop; no buffer is left by then
 */
void mosaic_revoke_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &mosaic_revoke_nb);
}
