// SPDX-License-Identifier: GPL-2.0
/*
 * Buffer fds: a mosaic buffer allocated for the edu device (ALLOC), in a
 * file of the driver's own that maps it, exports ranges of it as dma-bufs,
 * syncs it, and is the target of DMA and INFO.
 */
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edu.h"

/**
 * struct mosaic_edu_buffer - what a buffer fd holds
 * @edu: the device, with a reference
 * @buf: the mosaic buffer, with the driver's reference
 */
struct mosaic_edu_buffer {
	struct mosaic_edu *edu;
	struct mosaic_buf *buf;
};

static int mosaic_edu_buf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mosaic_edu_buffer *eb = file->private_data;

	/* The VMA takes its own buffer reference: it outlives this fd. */
	return mosaic_buf_mmap(eb->buf, vma);
}

static int mosaic_edu_buf_release(struct inode *inode, struct file *file)
{
	struct mosaic_edu_buffer *eb = file->private_data;

	mosaic_buf_put(eb->buf);
	mosaic_edu_put(eb->edu);
	kfree(eb);
	return 0;
}

static long mosaic_edu_ioctl_export(struct mosaic_edu_buffer *eb,
				    void __user *uarg)
{
	struct mosaic_edu_export __user *ue = uarg;
	struct mosaic_edu_export e;
	struct dma_buf *dmabuf;
	int fd, ret;

	ret = mosaic_edu_copy_arg(MOSAIC_EDU_IOC_EXPORT, &e, sizeof(e), uarg);
	if (ret)
		return ret;
	if (e.flags || e.__pad ||
	    memchr_inv(e.__reserved, 0, sizeof(e.__reserved)))
		return -EINVAL;

	dmabuf = mosaic_buf_export(eb->buf, e.offset, e.length);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	if (put_user(fd, &ue->fd)) {
		put_unused_fd(fd);
		ret = -EFAULT;
		goto err_put;
	}
	fd_install(fd, dmabuf->file);
	return fd;

err_put:
	dma_buf_put(dmabuf);
	return ret;
}

/* mosaic's own SYNC, while the device is there to sync for. */
static long mosaic_edu_ioctl_sync(struct mosaic_edu_buffer *eb,
				  void __user *uarg)
{
	int ret = mosaic_edu_enter(eb->edu);

	if (ret)
		return ret;
	ret = mosaic_buf_sync_ioctl(eb->buf, uarg);
	mosaic_edu_leave(eb->edu);
	return ret;
}

static long mosaic_edu_buf_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct mosaic_edu_buffer *eb = file->private_data;
	struct mosaic_edu_target t = {
		.buf = eb->buf,
		.size = mosaic_buf_size(eb->buf),
	};
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MOSAIC_EDU_IOC_DMA:
		return mosaic_edu_ioctl_dma(eb->edu, &t, uarg);
	case MOSAIC_EDU_IOC_INFO:
		return mosaic_edu_ioctl_info(eb->edu, &t, uarg);
	case MOSAIC_EDU_IOC_EXPORT:
		return mosaic_edu_ioctl_export(eb, uarg);
	case MOSAIC_IOC_SYNC:
		return mosaic_edu_ioctl_sync(eb, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mosaic_edu_buf_fops = {
	.owner = THIS_MODULE,
	.mmap = mosaic_edu_buf_mmap,
	/* PMD-aligned addresses for huge buffers (harmless for the rest). */
	.get_unmapped_area = mosaic_buf_get_unmapped_area,
	.release = mosaic_edu_buf_release,
	.unlocked_ioctl = mosaic_edu_buf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

long mosaic_edu_ioctl_alloc(struct mosaic_edu *edu, void __user *uarg)
{
	struct mosaic_edu_alloc __user *ua = uarg;
	struct mosaic_buf_params params = {};
	struct mosaic_edu_buffer *eb;
	struct mosaic_edu_alloc a;
	int ret;

	ret = mosaic_edu_copy_arg(MOSAIC_EDU_IOC_ALLOC, &a, sizeof(a), uarg);
	if (ret)
		return ret;
	if (a.flags || memchr_inv(a.__reserved, 0, sizeof(a.__reserved)))
		return -EINVAL;
	/* Device memory is not something the device DMAs into. */
	if (a.backend == MOSAIC_BACKEND_MMIO || a.size > SIZE_MAX ||
	    a.chunk_size > SIZE_MAX)
		return -EINVAL;
	params.size = a.size;
	params.backend = a.backend;
	params.strategy = a.strategy;
	params.max_order = a.max_order;
	params.chunk_size = a.chunk_size;

	eb = kzalloc(sizeof(*eb), GFP_KERNEL);
	if (!eb)
		return -ENOMEM;
	ret = mosaic_edu_enter(edu);
	if (ret)
		goto err_free_eb;
	/* Allocated for our device: mosaic maps it for the device too. */
	eb->buf = mosaic_buf_alloc(&edu->pdev->dev, &params);
	mosaic_edu_leave(edu);
	if (IS_ERR(eb->buf)) {
		ret = PTR_ERR(eb->buf);
		goto err_free_eb;
	}
	kref_get(&edu->ref);
	eb->edu = edu;

	ret = mosaic_edu_install_fd(eb->buf, NULL, &mosaic_edu_buf_fops, eb,
				    &ua->fd);
	if (ret < 0)
		goto err_put;
	return ret;

err_put:
	mosaic_edu_put(edu);
	mosaic_buf_put(eb->buf);
err_free_eb:
	kfree(eb);
	return ret;
}
