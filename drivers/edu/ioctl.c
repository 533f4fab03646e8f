// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mosaic-edu and what its fds share: the argument rules, a new fd
 * for user space, and the DMA and INFO commands that work on buffer fds
 * and import fds alike.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "edu.h"

/* Take @gone_sem for reading; -ENODEV (and not held) once unbound. */
int mosaic_edu_enter(struct mosaic_edu *edu)
{
	down_read(&edu->gone_sem);
	if (edu->gone) {
		up_read(&edu->gone_sem);
		return -ENODEV;
	}
	return 0;
}

void mosaic_edu_leave(struct mosaic_edu *edu)
{
	up_read(&edu->gone_sem);
}

/*
 * The argument of @cmd, by the rules of linux/mosaic.h: its first word,
 * argsz, goes from the struct's first version (the size the ioctl number
 * encodes) up to a page. copy_struct_from_user() does the rest: it
 * zero-fills what a caller's older struct lacks, and refuses with -E2BIG
 * non-zero bytes past what this driver knows.
 */
int mosaic_edu_copy_arg(unsigned int cmd, void *karg, size_t ksize,
			const void __user *uarg)
{
	u32 argsz;

	if (get_user(argsz, (const u32 __user *)uarg))
		return -EFAULT;
	if (argsz < _IOC_SIZE(cmd))
		return -EINVAL;
	return argsz > PAGE_SIZE ? -E2BIG :
	       copy_struct_from_user(karg, ksize, uarg, argsz);
}

/* The result, no further than the caller's argsz (@karg's first word). */
int mosaic_edu_copy_out(void __user *uarg, const void *karg, size_t ksize)
{
	u32 argsz = *(const u32 *)karg;

	return copy_to_user(uarg, karg, min_t(size_t, argsz, ksize)) ?
	       -EFAULT : 0;
}

/*
 * A new O_CLOEXEC fd for @priv: for a buffer fd (@buf set) a file on an
 * inode of its own sized as the buffer, so that strategy huge gets PMDs
 * on kernels that map none past i_size (6.12.y); else an anon-inode file
 * named @name. Its number reaches user space before the fd goes live, so
 * on any error no fd exists and @priv is still the caller's to free.
 */
int mosaic_edu_install_fd(struct mosaic_buf *buf, const char *name,
			  const struct file_operations *fops, void *priv,
			  __s32 __user *ufd)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	if (put_user(fd, ufd)) {
		put_unused_fd(fd);
		return -EFAULT;
	}
	file = buf ? mosaic_buf_file(buf, fops, priv) :
		     anon_inode_getfile(name, fops, priv, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

/* ------------------------------------------------------ DMA and INFO -- */

long mosaic_edu_ioctl_dma(struct mosaic_edu *edu,
			  const struct mosaic_edu_target *t, void __user *uarg)
{
	struct mosaic_edu_dma d;
	enum dma_data_direction dir;
	bool sync;
	int ret;

	ret = mosaic_edu_copy_arg(MOSAIC_EDU_IOC_DMA, &d, sizeof(d), uarg);
	if (ret)
		return ret;
	if ((d.flags & ~MOSAIC_EDU_DMA_CALLER_SYNCS) || d.__pad ||
	    memchr_inv(d.__reserved, 0, sizeof(d.__reserved)))
		return -EINVAL;
	if (d.direction != MOSAIC_EDU_TO_RAM &&
	    d.direction != MOSAIC_EDU_FROM_RAM)
		return -EINVAL;
	if (!d.length || !IS_ALIGNED(d.offset | d.length, sizeof(u64)) ||
	    d.offset >= t->size || d.length > t->size - d.offset)
		return -EINVAL;
	d.mismatches = 0;
	d.first_mismatch = ~0ULL;
	d.nr_transfers = 0;
	dir = d.direction == MOSAIC_EDU_TO_RAM ? DMA_FROM_DEVICE :
						 DMA_TO_DEVICE;

	ret = mosaic_edu_enter(edu);
	if (ret)
		return ret;
	/*
	 * The range belongs to the device from here on: write back what the
	 * CPU wrote, and drop stale lines the device is about to overwrite.
	 * An importer leaves that to the dma-buf's user (DMA_BUF_IOCTL_SYNC),
	 * and with CALLER_SYNCS user space does it with MOSAIC_IOC_SYNC.
	 */
	sync = t->buf && !(d.flags & MOSAIC_EDU_DMA_CALLER_SYNCS);
	if (sync)
		mosaic_buf_sync(t->buf, d.offset, d.length, dir, true);
	ret = mosaic_edu_run(edu, t, &d);
	if (sync)
		mosaic_buf_sync(t->buf, d.offset, d.length, dir, false);
	mosaic_edu_leave(edu);
	if (ret)
		return ret;
	return mosaic_edu_copy_out(uarg, &d, sizeof(d));
}

static phys_addr_t mosaic_edu_kaddr_phys(void *kaddr)
{
	if (is_vmalloc_addr(kaddr))
		return page_to_phys(vmalloc_to_page(kaddr)) +
		       offset_in_page(kaddr);
	return virt_to_phys(kaddr);
}

long mosaic_edu_ioctl_info(struct mosaic_edu *edu,
			   const struct mosaic_edu_target *t,
			   void __user *uarg)
{
	struct device *dev = &edu->pdev->dev;
	struct mosaic_edu_info in;
	phys_addr_t phys;
	dma_addr_t dma;
	int ret;

	ret = mosaic_edu_copy_arg(MOSAIC_EDU_IOC_INFO, &in, sizeof(in), uarg);
	if (ret)
		return ret;
	if (in.flags || in.__pad ||
	    memchr_inv(in.__reserved, 0, sizeof(in.__reserved)))
		return -EINVAL;
	if (in.offset >= t->size)
		return -EINVAL;

	if (t->buf) {
		size_t seg_len, dma_len;
		void *kaddr;

		ret = mosaic_buf_kaddr_range(t->buf, in.offset, &kaddr,
					     &seg_len);
		if (ret)
			return ret;
		ret = mosaic_buf_dma_range(t->buf, in.offset, &dma, &dma_len);
		if (ret)
			return ret;
		phys = mosaic_edu_kaddr_phys(kaddr);
		in.seg_len = seg_len;
		in.dma_len = dma_len;
	} else {
		/*
		 * An importer knows device addresses only: the pages behind a
		 * dma-buf are the exporter's business (CONFIG_DMABUF_DEBUG
		 * even scrambles them in the importer's copy of the table).
		 */
		phys = 0;
		in.seg_len = 0;
		ret = mosaic_edu_target_dma(t, in.offset, &dma, &in.dma_len);
		if (ret)
			return ret;
	}
	in.dma_mask = dma_get_mask(dev);
	in.info_flags = mosaic_edu_translated(dev) ?
			MOSAIC_EDU_INFO_TRANSLATED : 0;
	/* Addresses tell where kernel memory is: admins only. */
	if (capable(CAP_SYS_ADMIN)) {
		in.dma = dma;
		in.phys = phys;
	} else {
		in.dma = 0;
		in.phys = 0;
		in.info_flags |= MOSAIC_EDU_INFO_ADDR_HIDDEN;
	}
	return mosaic_edu_copy_out(uarg, &in, sizeof(in));
}

/* ---------------------------------------------------- /dev/mosaic-edu -- */

static int mosaic_edu_open(struct inode *inode, struct file *file)
{
	/* misc_open() holds misc_mtx: remove cannot have run yet. */
	struct mosaic_edu *edu = container_of(file->private_data,
					      struct mosaic_edu, misc);

	kref_get(&edu->ref);
	file->private_data = edu;
	return 0;
}

static int mosaic_edu_dev_release(struct inode *inode, struct file *file)
{
	mosaic_edu_put(file->private_data);
	return 0;
}

static long mosaic_edu_dev_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct mosaic_edu *edu = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MOSAIC_EDU_IOC_ALLOC:
		return mosaic_edu_ioctl_alloc(edu, uarg);
	case MOSAIC_EDU_IOC_IMPORT:
		return mosaic_edu_ioctl_import(edu, uarg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations mosaic_edu_dev_fops = {
	.owner = THIS_MODULE,
	.open = mosaic_edu_open,
	.release = mosaic_edu_dev_release,
	.unlocked_ioctl = mosaic_edu_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* The first version of each argument is what its ioctl number encodes. */
static_assert(_IOC_SIZE(MOSAIC_EDU_IOC_ALLOC) == MOSAIC_EDU_ALLOC_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_EDU_IOC_DMA) == MOSAIC_EDU_DMA_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_EDU_IOC_INFO) == MOSAIC_EDU_INFO_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_EDU_IOC_IMPORT) ==
	      MOSAIC_EDU_IMPORT_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_EDU_IOC_EXPORT) ==
	      MOSAIC_EDU_EXPORT_SIZE_VER0);
