// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic: map a physically scattered DMA buffer as one linear user range.
 *
 * This file owns the module: its init and exit, the debugfs view of the
 * page ledger and the /dev/mosaic misc device. Buffers live in buffer.c,
 * their files in file.c, their ioctls in ioctl.c, the limits and the
 * ledger in limits.c, allocation backends in backends/ and mapping
 * strategies in map/ (mosaic_internal.h has the layers).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "mosaic_internal.h"

/* debugfs directory "mosaic", or an ERR_PTR when debugfs is unavailable. */
static struct dentry *mosaic_debugfs_dir;

/*
 * debugfs mosaic/ledger: what each backend holds now, one line each,
 * "<backend> pages <n> bytes <n>". Every number is zero whenever no buffer
 * is alive; the test runner reads it after every test program.
 */
static int mosaic_ledger_show(struct seq_file *m, void *unused)
{
	u32 id;

	for (id = MOSAIC_BACKEND_PAGES; id <= MOSAIC_BACKEND_MAX; id++) {
		const struct mosaic_ledger_backend *lb =
			&mosaic_ledger.backend[id];

		seq_printf(m, "%s pages %ld bytes %ld\n",
			   mosaic_backend_name(id),
			   atomic_long_read(&lb->pages),
			   atomic_long_read(&lb->bytes));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mosaic_ledger);

/*
 * The device the device backends use when user space names none: a
 * platform device of our own, with a 64-bit DMA mask and no IOMMU in
 * front of it, so those backends work on any machine.
 */
static struct platform_device *mosaic_pdev;
static struct device *mosaic_default_device;

/* Longest PCI device name we accept: "dddd:bb:dd.f" with room to spare. */
#define MOSAIC_DEVICE_NAME_MAX	64

/*
 * The device a request allocates for, with a reference: the PCI device
 * user space named, or our platform device. Naming a device lets the
 * caller make that device's IOMMU map memory, hence CAP_SYS_RAWIO.
 */
static struct device *mosaic_request_device(const struct mosaic_alloc *req)
{
	struct device *dev;
	char *name;

	if (!req->device)
		return get_device(mosaic_default_device);
	if (!capable(CAP_SYS_RAWIO))
		return ERR_PTR(-EPERM);
	name = strndup_user(u64_to_user_ptr(req->device),
			    MOSAIC_DEVICE_NAME_MAX);
	if (IS_ERR(name))
		return ERR_CAST(name);
	dev = bus_find_device_by_name(&pci_bus_type, NULL, name);
	kfree(name);
	return dev ?: ERR_PTR(-ENODEV);
}

static int mosaic_ioctl_alloc(struct mosaic_alloc __user *uarg)
{
	struct device *dev = NULL;
	struct mosaic_alloc req;
	struct mosaic_buf *buf;
	int ret;

	ret = mosaic_copy_arg_from_user(&req, sizeof(req),
					MOSAIC_ALLOC_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_alloc_header(&req);
	if (ret)
		return ret;

	if (mosaic_backend_needs_device(req.backend)) {
		dev = mosaic_request_device(&req);
		if (IS_ERR(dev))
			return PTR_ERR(dev);
	} else if (req.device) {
		return -EINVAL;
	}

	buf = mosaic_buf_create(&req, dev, MOSAIC_FOR_USER);
	if (IS_ERR(buf)) {
		put_device(dev);
		return PTR_ERR(buf);
	}

	/* On success the fd owns the buffer's first reference. */
	return mosaic_buf_install_fd(buf, &uarg->fd);
}

static int mosaic_ioctl_stats(struct mosaic_stats __user *uarg)
{
	struct mosaic_stats st;
	int ret;

	ret = mosaic_copy_arg_from_user(&st, sizeof(st),
					MOSAIC_STATS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_stats(&st);
	if (ret)
		return ret;

	st.buffers = atomic_long_read(&mosaic_ledger.buffers);
	st.pages = atomic_long_read(&mosaic_ledger.pages);
	st.maps = atomic_long_read(&mosaic_ledger.maps);
	st.total_buffers = atomic_long_read(&mosaic_ledger.total_buffers);
	st.total_pages = atomic_long_read(&mosaic_ledger.total_pages);
	return mosaic_copy_arg_to_user(uarg, &st, sizeof(st));
}

static long mosaic_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MOSAIC_IOC_ALLOC:
		return mosaic_ioctl_alloc(uarg);
	case MOSAIC_IOC_STATS:
		return mosaic_ioctl_stats(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mosaic_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mosaic_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mosaic_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mosaic",
	.fops = &mosaic_dev_fops,
	/*
	 * Root only by default: a buffer pins memory. Users the udev rule
	 * lets in are held to RLIMIT_MEMLOCK and max_total_size (limits.c).
	 */
	.mode = 0600,
};

static int __init mosaic_init(void)
{
	int ret;

	mosaic_limits_init();
	mosaic_pdev = platform_device_register_simple(KBUILD_MODNAME,
						      PLATFORM_DEVID_NONE,
						      NULL, 0);
	if (IS_ERR(mosaic_pdev))
		return PTR_ERR(mosaic_pdev);
	mosaic_default_device = &mosaic_pdev->dev;
	ret = dma_coerce_mask_and_coherent(mosaic_default_device,
					   DMA_BIT_MASK(64));
	if (ret)
		goto err_unregister_pdev;
	/*
	 * No hardware stands behind this device, so nothing limits the
	 * length of one DMA segment but the allocation itself; the default
	 * (64 KiB) would make DMA-API debugging flag every 2 MiB segment.
	 */
	ret = mosaic_dma_set_max_seg_size(mosaic_default_device, UINT_MAX);
	if (ret)
		goto err_unregister_pdev;

	ret = mosaic_buf_fs_init();
	if (ret)
		goto err_unregister_pdev;
	ret = mosaic_revoke_init();
	if (ret)
		goto err_fs_exit;

	/* Diagnostics only: the module works without debugfs. */
	mosaic_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("ledger", 0444, mosaic_debugfs_dir, NULL,
			    &mosaic_ledger_fops);

	ret = misc_register(&mosaic_miscdev);
	if (ret) {
		pr_err("cannot register /dev/mosaic: %d\n", ret);
		goto err_remove_debugfs;
	}
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(mosaic_debugfs_dir);
	mosaic_revoke_exit();
err_fs_exit:
	mosaic_buf_fs_exit();
err_unregister_pdev:
	platform_device_unregister(mosaic_pdev);
	return ret;
}

static void __exit mosaic_exit(void)
{
	misc_deregister(&mosaic_miscdev);
	debugfs_remove_recursive(mosaic_debugfs_dir);
	mosaic_revoke_exit();
	mosaic_buf_fs_exit();
	platform_device_unregister(mosaic_pdev);
	/*
	 * Every buffer fd and every mapping pins the module through its
	 * file, so reaching this point with pages still held is a bug.
	 */
	WARN(atomic_long_read(&mosaic_ledger.pages),
	     "mosaic: %ld pages leaked at unload\n",
	     atomic_long_read(&mosaic_ledger.pages));
}

module_init(mosaic_init);
module_exit(mosaic_exit);

MODULE_DESCRIPTION("Map scattered DMA buffers into one linear user range");
MODULE_LICENSE("GPL");
