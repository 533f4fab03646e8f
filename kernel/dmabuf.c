// SPDX-License-Identifier: GPL-2.0
/*
 * Exporting a buffer, or a page range of it, as a dma-buf.
 *
 * The dma-buf holds one reference on the buffer, dropped in ->release,
 * and dma_buf_export() pins this module through exp_info.owner, so the
 * buffer lives until the last of its fds, mappings, dma-bufs, attachments
 * and imports is gone, whatever the order. Each attachment gets its own
 * scatterlist of the exported range, mapped for the importing device.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mosaic.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "compat.h"
#include "mosaic_internal.h"

MOSAIC_MODULE_IMPORT_NS_DMA_BUF();

/**
 * struct mosaic_export_priv - one exported range
 * @buf: the buffer, with a reference
 * @offset: first exported byte, page aligned
 * @length: exported bytes, page aligned
 * @read_only: CPU mappings never writable, devices only read
 */
struct mosaic_export_priv {
	struct mosaic_buf *buf;
	u64 offset;
	u64 length;
	bool read_only;
};

static struct sg_table *mosaic_export_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct mosaic_export_priv *exp = attach->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	/* A read-only export lets a device read, never write. */
	if (exp->read_only && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);
	sgt = mosaic_buf_build_sgt(exp->buf, exp->offset, exp->length,
				   attach->dev);

	if (IS_ERR(sgt))
		return sgt;
	/*
	 * The pages may be mapped for another device already (the buffer's
	 * own, or another importer): a mapping with the implicit sync is an
	 * overlap DMA-API debugging reports as unsupported. Map without it
	 * and sync explicitly, which is the same cache maintenance.
	 */
	ret = dma_map_sgtable(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret) {
		mosaic_buf_free_sgt(sgt);
		return ERR_PTR(ret);
	}
	dma_sync_sgtable_for_device(attach->dev, sgt, dir);
	return sgt;
}

static void mosaic_export_unmap(struct dma_buf_attachment *attach,
				struct sg_table *sgt,
				enum dma_data_direction dir)
{
	/* As in mosaic_export_map(): the unmap's sync, made explicit. */
	dma_sync_sgtable_for_cpu(attach->dev, sgt, dir);
	dma_unmap_sgtable(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	mosaic_buf_free_sgt(sgt);
}

static void mosaic_export_release(struct dma_buf *dmabuf)
{
	struct mosaic_export_priv *exp = dmabuf->priv;

	mosaic_buf_put(exp->buf);
	kfree(exp);
}

static int mosaic_export_mmap(struct dma_buf *dmabuf,
			      struct vm_area_struct *vma)
{
	struct mosaic_export_priv *exp = dmabuf->priv;
	unsigned long first = exp->offset >> PAGE_SHIFT;

	/* The dma-buf's page 0 is the buffer's page @first. */
	if (vma->vm_pgoff >= exp->length >> PAGE_SHIFT ||
	    vma_pages(vma) > (exp->length >> PAGE_SHIFT) - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_pgoff += first;
	return __mosaic_buf_mmap(exp->buf, vma, exp->read_only);
}

/* DMA_BUF_IOCTL_SYNC: the exported range, towards our own device. */
static int mosaic_export_cpu_access(struct dma_buf *dmabuf,
				    enum dma_data_direction dir,
				    bool for_device)
{
	struct mosaic_export_priv *exp = dmabuf->priv;

	return mosaic_buf_sync(exp->buf, exp->offset, exp->length, dir,
			       for_device);
}

static int mosaic_export_begin_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	return mosaic_export_cpu_access(dmabuf, dir, false);
}

static int mosaic_export_end_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	return mosaic_export_cpu_access(dmabuf, dir, true);
}

static const struct dma_buf_ops mosaic_dmabuf_ops = {
	.map_dma_buf = mosaic_export_map,
	.unmap_dma_buf = mosaic_export_unmap,
	.release = mosaic_export_release,
	.mmap = mosaic_export_mmap,
	.begin_cpu_access = mosaic_export_begin_cpu_access,
	.end_cpu_access = mosaic_export_end_cpu_access,
};

/**
 * mosaic_buf_export() - export a page range of a buffer as a dma-buf
 * @buf: the buffer
 * @offset: first byte, page aligned
 * @length: bytes, page aligned; 0 means up to the end of the buffer
 *
 * The dma-buf takes its own reference on @buf. Importers may attach any
 * device; each attachment is mapped for its device separately.
 *
 * Return: the dma-buf, or an ERR_PTR: -EINVAL for a range that is not
 * page aligned or not inside the buffer, -EOPNOTSUPP for memory without
 * &struct page, -ENOMEM.
 */
struct dma_buf *mosaic_buf_export(struct mosaic_buf *buf, u64 offset,
				  u64 length)
{
	return __mosaic_buf_export(buf, offset, length, false);
}
EXPORT_SYMBOL_GPL(mosaic_buf_export);

/**
 * __mosaic_buf_export() - mosaic_buf_export(), optionally read-only
 * @buf: the buffer
 * @offset: as for mosaic_buf_export()
 * @length: as for mosaic_buf_export()
 * @read_only: %MOSAIC_EXPORT_READ_ONLY; forced for a read-only @buf
 *
 * A read-only dma-buf has an O_RDONLY file, is never mapped writable by
 * the CPU and is mapped for importers in the DMA_TO_DEVICE direction only.
 *
 * Return: as mosaic_buf_export().
 */
struct dma_buf *__mosaic_buf_export(struct mosaic_buf *buf, u64 offset,
				    u64 length, bool read_only)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct mosaic_export_priv *exp;
	struct dma_buf *dmabuf;

	if (!length && offset < buf->size)
		length = buf->size - offset;
	if (!PAGE_ALIGNED(offset | length) ||
	    mosaic_buf_check_range(buf, offset, length))
		return ERR_PTR(-EINVAL);
	if (buf->backend->io ||
	    !pfn_valid(mosaic_buf_pfn(buf, offset >> PAGE_SHIFT)))
		return ERR_PTR(-EOPNOTSUPP);

	exp = kzalloc(sizeof(*exp), GFP_KERNEL | __GFP_NOWARN);
	if (!exp)
		return ERR_PTR(-ENOMEM);
	exp->buf = buf;
	exp->offset = offset;
	exp->length = length;
	exp->read_only = read_only || buf->read_only;

	exp_info.ops = &mosaic_dmabuf_ops;
	exp_info.size = length;
	exp_info.flags = (exp->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	exp_info.priv = exp;
	mosaic_buf_get(buf);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		mosaic_buf_put(buf);
		kfree(exp);
	}
	return dmabuf;
}
