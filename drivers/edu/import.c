// SPDX-License-Identifier: GPL-2.0
/*
 * Import fds: a dma-buf attached to the edu device and mapped for it
 * (IMPORT), the target of DMA and INFO until the fd is closed or the
 * device goes, whichever comes first.
 */
#include <linux/dma-buf.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "edu.h"

/**
 * struct mosaic_edu_importer - what an import fd holds
 * @edu: the device, with a reference
 * @dmabuf: the imported dma-buf, with a reference
 * @attach: the edu device's attachment
 * @sgt: the attachment's mapping for the edu device
 * @node: in &mosaic_edu.imports
 * @detached: remove() unmapped and detached it: the device is gone
 */
struct mosaic_edu_importer {
	struct mosaic_edu *edu;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct list_head node;
	bool detached;
};

/* Unmap and detach, once; under @imports_lock. */
static void mosaic_edu_import_detach(struct mosaic_edu_importer *im)
{
	lockdep_assert_held(&im->edu->imports_lock);
	if (im->detached)
		return;
	edu_unmap_attachment(im->attach, im->sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(im->dmabuf, im->attach);
	im->detached = true;
}

/* Every import of the device goes, for remove(): the fds stay. */
void mosaic_edu_imports_detach(struct mosaic_edu *edu)
{
	struct mosaic_edu_importer *im;

	mutex_lock(&edu->imports_lock);
	list_for_each_entry(im, &edu->imports, node)
		mosaic_edu_import_detach(im);
	mutex_unlock(&edu->imports_lock);
}

static void mosaic_edu_import_free(struct mosaic_edu_importer *im)
{
	struct mosaic_edu *edu = im->edu;

	mutex_lock(&edu->imports_lock);
	list_del(&im->node);
	mosaic_edu_import_detach(im);
	mutex_unlock(&edu->imports_lock);
	dma_buf_put(im->dmabuf);
	mosaic_edu_put(edu);
	kfree(im);
}

static int mosaic_edu_import_release(struct inode *inode, struct file *file)
{
	mosaic_edu_import_free(file->private_data);
	return 0;
}

static long mosaic_edu_import_ioctl(struct file *file, unsigned int cmd,
				    unsigned long arg)
{
	struct mosaic_edu_importer *im = file->private_data;
	struct mosaic_edu_target t = {
		.sgt = im->sgt,
		.size = im->dmabuf->size,
	};
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MOSAIC_EDU_IOC_DMA:
		return mosaic_edu_ioctl_dma(im->edu, &t, uarg);
	case MOSAIC_EDU_IOC_INFO:
		return mosaic_edu_ioctl_info(im->edu, &t, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mosaic_edu_import_fops = {
	.owner = THIS_MODULE,
	.release = mosaic_edu_import_release,
	.unlocked_ioctl = mosaic_edu_import_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

long mosaic_edu_ioctl_import(struct mosaic_edu *edu, void __user *uarg)
{
	struct mosaic_edu_import __user *ui = uarg;
	struct mosaic_edu_importer *im;
	struct mosaic_edu_import imp;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	ret = mosaic_edu_copy_arg(MOSAIC_EDU_IOC_IMPORT, &imp, sizeof(imp),
				  uarg);
	if (ret)
		return ret;
	if (imp.flags || memchr_inv(imp.__reserved, 0, sizeof(imp.__reserved)))
		return -EINVAL;

	im = kzalloc(sizeof(*im), GFP_KERNEL);
	if (!im)
		return -ENOMEM;
	ret = mosaic_edu_enter(edu);
	if (ret)
		goto err_free_im;
	im->dmabuf = dma_buf_get(imp.dmabuf_fd);
	if (IS_ERR(im->dmabuf)) {
		ret = PTR_ERR(im->dmabuf);
		goto err_leave;
	}
	im->attach = dma_buf_attach(im->dmabuf, &edu->pdev->dev);
	if (IS_ERR(im->attach)) {
		ret = PTR_ERR(im->attach);
		goto err_put_dmabuf;
	}
	im->sgt = edu_map_attachment(im->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(im->sgt)) {
		ret = PTR_ERR(im->sgt);
		goto err_detach;
	}
	kref_get(&edu->ref);
	im->edu = edu;
	mutex_lock(&edu->imports_lock);
	list_add(&im->node, &edu->imports);
	mutex_unlock(&edu->imports_lock);
	mosaic_edu_leave(edu);

	imp.size = im->dmabuf->size;
	imp.nents = 0;
	for_each_sgtable_dma_sg(im->sgt, sg, i)
		imp.nents++;
	if (put_user(imp.size, &ui->size) || put_user(imp.nents, &ui->nents)) {
		ret = -EFAULT;
		goto err_free;
	}
	ret = mosaic_edu_install_fd(NULL, "[mosaic-edu-import]",
				    &mosaic_edu_import_fops, im, &ui->fd);
	if (ret < 0)
		goto err_free;
	return ret;

err_free:
	mosaic_edu_import_free(im);
	return ret;
err_detach:
	dma_buf_detach(im->dmabuf, im->attach);
err_put_dmabuf:
	dma_buf_put(im->dmabuf);
err_leave:
	mosaic_edu_leave(edu);
err_free_im:
	kfree(im);
	return ret;
}
