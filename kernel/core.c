// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic: map a physically scattered DMA buffer as one linear user range.
 *
 * This file owns the module: its parameters, the page ledger and the
 * /dev/mosaic misc device. Buffers live in buffer.c, their ioctls in
 * ioctl.c, allocation backends in backends/ and mapping strategies in map/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "mosaic_internal.h"

struct mosaic_ledger mosaic_ledger;

/*
 * The limit keeps one ioctl from asking the page allocator for more than
 * the machine can give; root can raise it at run time.
 */
unsigned long mosaic_max_buffer_size = 2UL << 30;
module_param_named(max_buffer_size, mosaic_max_buffer_size, ulong, 0644);
MODULE_PARM_DESC(max_buffer_size,
		 "Largest buffer MOSAIC_IOC_ALLOC accepts, in bytes (default 2 GiB)");

static int mosaic_ioctl_alloc(struct mosaic_alloc __user *uarg)
{
	struct mosaic_alloc req;
	struct mosaic_buf *buf;
	int fd, ret;

	ret = mosaic_copy_arg_from_user(&req, sizeof(req),
					MOSAIC_ALLOC_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (req.flags || req.__reserved0 ||
	    memchr_inv(req.__reserved, 0, sizeof(req.__reserved)))
		return -EINVAL;

	buf = mosaic_buf_create(&req);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	/* On success the fd owns the buffer's first reference. */
	fd = mosaic_buf_install_fd(buf);
	if (fd < 0)
		return fd;

	/*
	 * The fd is already live in the table, so a failure to report it
	 * cannot be undone by closing it: another thread may be using it.
	 * Same rule as every fd-returning ioctl in the kernel.
	 */
	if (put_user(fd, &uarg->fd))
		return -EFAULT;
	return 0;
}

static int mosaic_ioctl_stats(struct mosaic_stats __user *uarg)
{
	struct mosaic_stats st;
	int ret;

	ret = mosaic_copy_arg_from_user(&st, sizeof(st),
					MOSAIC_STATS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (st.flags || memchr_inv(st.__reserved, 0, sizeof(st.__reserved)))
		return -EINVAL;

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
	/* Root only until per-user accounting exists: a buffer pins memory. */
	.mode = 0600,
};

static int __init mosaic_init(void)
{
	int ret;

	ret = misc_register(&mosaic_miscdev);
	if (ret) {
		pr_err("cannot register /dev/mosaic: %d\n", ret);
		return ret;
	}
	return 0;
}

static void __exit mosaic_exit(void)
{
	misc_deregister(&mosaic_miscdev);
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
