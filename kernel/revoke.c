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
 */
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "mosaic_internal.h"

DEFINE_SRCU(mosaic_revoke_srcu);

/* Buffers that have a device, and revoke's own serialization. */
static LIST_HEAD(mosaic_dev_bufs);
static DEFINE_MUTEX(mosaic_dev_bufs_lock);

/**
 * struct mosaic_buf_mm - an address space that mapped a buffer
 * @node: in &mosaic_buf.mms
 * @mm: the address space, grabbed (mmgrab()) until the buffer is freed
 */
struct mosaic_buf_mm {
	struct list_head node;
	struct mm_struct *mm;
};

/**
 * mosaic_revoke_track() - watch a new buffer's device
 * @buf: a buffer just created, with @buf->dev set
 */
void mosaic_revoke_track(struct mosaic_buf *buf)
{
	mutex_lock(&mosaic_dev_bufs_lock);
	list_add(&buf->dev_node, &mosaic_dev_bufs);
	mutex_unlock(&mosaic_dev_bufs_lock);
}

/*
 * Give back what @buf holds for its device: its streaming mapping, and
 * memory the device owns. Called once, under mosaic_dev_bufs_lock, either
 * by revoke or by the release of a buffer that was never revoked.
 */
static void mosaic_buf_teardown_device(struct mosaic_buf *buf)
{
	lockdep_assert_held(&mosaic_dev_bufs_lock);
	mosaic_buf_dma_unmap(buf);
	if (mosaic_buf_device_owned(buf)) {
		buf->backend->free(buf);
		mosaic_buf_free_dev_ranges(buf);
	}
}

/**
 * mosaic_revoke_release() - a buffer with a device is being freed
 * @buf: the buffer; its last reference is gone
 *
 * Under the lock revoke takes, so that its device cannot go away while
 * the buffer still gives back what it holds for it. Memory the device
 * owns is freed here or by revoke, never by the caller: only the rest is
 * left to it.
 */
void mosaic_revoke_release(struct mosaic_buf *buf)
{
	struct mosaic_buf_mm *bm, *tmp;

	mutex_lock(&mosaic_dev_bufs_lock);
	list_del(&buf->dev_node);
	if (!buf->revoked)
		mosaic_buf_teardown_device(buf);
	mutex_unlock(&mosaic_dev_bufs_lock);
	list_for_each_entry_safe(bm, tmp, &buf->mms, node) {
		mmdrop(bm->mm);
		kfree(bm);
	}
}

/**
 * mosaic_revoke_note_mm() - remember an address space mapping a buffer
 * @buf: the buffer
 * @mm: the address space of a VMA being set up for it (by ->mmap, a fork
 *	or a split), whose mmap lock the caller holds for writing
 *
 * Only memory the device owns is ever unmapped by revoke, which must
 * first wait for every such VMA to be linked where unmap_mapping_range()
 * finds it: it does so by taking the mmap lock of each address space
 * noted here. Call it inside an SRCU read section of mosaic_revoke_srcu,
 * after checking that @buf is not revoked.
 */
void mosaic_revoke_note_mm(struct mosaic_buf *buf, struct mm_struct *mm)
{
	struct mosaic_buf_mm *bm;

	if (!buf->dev || !mosaic_buf_device_owned(buf))
		return;
	mutex_lock(&buf->lock);
	list_for_each_entry(bm, &buf->mms, node) {
		if (bm->mm == mm)
			goto out;
	}
	/* Small, and ->open of a VMA cannot fail. */
	bm = kmalloc(sizeof(*bm), GFP_KERNEL | __GFP_NOFAIL);
	bm->mm = mm;
	mmgrab(mm);
	list_add(&bm->node, &buf->mms);
out:
	mutex_unlock(&buf->lock);
}

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

	mutex_lock(&mosaic_dev_bufs_lock);
	list_for_each_entry(buf, &mosaic_dev_bufs, dev_node) {
		if (buf->dev != dev || buf->revoked)
			continue;
		WRITE_ONCE(buf->revoked, true);
		/*
		 * A buffer whose last reference went is on its way to
		 * mosaic_revoke_release(): nothing maps or uses it any more,
		 * so its device's share is given back here and now.
		 */
		if (!kref_get_unless_zero(&buf->ref)) {
			mosaic_buf_teardown_device(buf);
			continue;
		}
		list_add(&buf->revoke_node, &live);
	}
	mutex_unlock(&mosaic_dev_bufs_lock);
	if (list_empty(&live))
		return;

	dev_info(dev, "mosaic: device going away: revoking its buffers\n");
	synchronize_srcu(&mosaic_revoke_srcu);
	list_for_each_entry_safe(buf, tmp, &live, revoke_node) {
		if (mosaic_buf_device_owned(buf))
			mosaic_buf_zap_users(buf);
		mutex_lock(&mosaic_dev_bufs_lock);
		mosaic_buf_teardown_device(buf);
		mutex_unlock(&mosaic_dev_bufs_lock);
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
