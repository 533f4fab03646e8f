// SPDX-License-Identifier: GPL-2.0
/*
 * Exporting a buffer, or a page range of it, as a dma-buf.
 *
 * The dma-buf holds one reference on the buffer, dropped in ->release,
 * and dma_buf_export() pins exp_info.owner: the driver that allocated the
 * buffer (which needs mosaic loaded), else mosaic itself. The buffer lives
 * until the last of its fds, mappings, dma-bufs, attachments and imports
 * is gone, whatever the order. Each attachment gets its own
 * scatterlist of the exported range, mapped for the importing device, and
 * DMA_BUF_IOCTL_SYNC syncs every such mapping as well as the buffer's own.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
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
 * @dmabuf: the dma-buf
 * @node: in &mosaic_buf.exports
 * @lock: protects @mappings
 * @mappings: the importers' live mappings (&struct mosaic_export_mapping)
 */
struct mosaic_export_priv {
	struct mosaic_buf *buf;
	u64 offset;
	u64 length;
	bool read_only;
	struct dma_buf *dmabuf;
	struct list_head node;
	struct mutex lock;	/* @mappings */
	struct list_head mappings;
};

/**
 * struct mosaic_export_mapping - an importer's mapping of the range
 * @node: in &mosaic_export_priv.mappings
 * @dev: the importing device
 * @sgt: the table mapped for @dev
 * @dir: the direction it was mapped in
 * @revoked: the memory went with the buffer's device, and the table was
 *	unmapped then (mosaic_export_revoke())
 *
 * Where the DMA layer bounces (swiotlb), the importer's device reads and
 * writes copies of the bytes that only a sync of this very table moves
 * to or from the pages, so DMA_BUF_IOCTL_SYNC must reach every one.
 */
struct mosaic_export_mapping {
	struct list_head node;
	struct device *dev;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	bool revoked;
};

static struct sg_table *mosaic_export_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct mosaic_export_priv *exp = attach->dmabuf->priv;
	struct mosaic_export_mapping *m;
	struct sg_table *sgt;
	int idx, ret;

	/* A read-only export lets a device read, never write. */
	if (exp->read_only && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!m)
		return ERR_PTR(-ENOMEM);
	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (mosaic_buf_gone(exp->buf)) {
		ret = -ENODEV;
		goto err_free_mapping;
	}
	sgt = mosaic_buf_build_sgt(exp->buf, exp->offset, exp->length,
				   attach->dev);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_free_mapping;
	}
	/*
	 * The pages may be mapped for another device already (the buffer's
	 * own, or another importer): a mapping with the implicit sync is an
	 * overlap DMA-API debugging reports as unsupported. Map without it
	 * and sync explicitly, which is the same cache maintenance.
	 */
	ret = dma_map_sgtable(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto err_free_sgt;
	dma_sync_sgtable_for_device(attach->dev, sgt, dir);
	m->dev = attach->dev;
	m->sgt = sgt;
	m->dir = dir;
	mutex_lock(&exp->lock);
	list_add(&m->node, &exp->mappings);
	mutex_unlock(&exp->lock);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return sgt;

err_free_sgt:
	mosaic_buf_free_sgt(sgt);
err_free_mapping:
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	kfree(m);
	return ERR_PTR(ret);
}

static void mosaic_export_unmap(struct dma_buf_attachment *attach,
				struct sg_table *sgt,
				enum dma_data_direction dir)
{
	struct mosaic_export_priv *exp = attach->dmabuf->priv;
	struct mosaic_export_mapping *m;
	bool revoked = false;

	mutex_lock(&exp->lock);
	list_for_each_entry(m, &exp->mappings, node) {
		if (m->sgt == sgt) {
			revoked = m->revoked;
			list_del(&m->node);
			kfree(m);
			break;
		}
	}
	mutex_unlock(&exp->lock);
	/* As in mosaic_export_map(): the unmap's sync, made explicit. */
	if (!revoked) {
		dma_sync_sgtable_for_cpu(attach->dev, sgt, dir);
		dma_unmap_sgtable(attach->dev, sgt, dir,
				  DMA_ATTR_SKIP_CPU_SYNC);
	}
	mosaic_buf_free_sgt(sgt);
}

static void mosaic_export_release(struct dma_buf *dmabuf)
{
	struct mosaic_export_priv *exp = dmabuf->priv;

	mutex_lock(&exp->buf->lock);
	list_del(&exp->node);
	mutex_unlock(&exp->buf->lock);
	mosaic_buf_put(exp->buf);
	kfree(exp);
}

static int mosaic_export_mmap(struct dma_buf *dmabuf,
			      struct vm_area_struct *vma)
{
	struct mosaic_export_priv *exp = dmabuf->priv;
	unsigned long first = exp->offset >> PAGE_SHIFT;

	/* The dma-buf's page 0 is the buffer's page @first. */
	if (!mosaic_range_inside(vma->vm_pgoff, vma_pages(vma),
				 exp->length >> PAGE_SHIFT))
		return -EINVAL;
	vma->vm_pgoff += first;
	return __mosaic_buf_mmap(exp->buf, vma, exp->read_only);
}

/*
 * DMA_BUF_IOCTL_SYNC: the exported range, for the buffer's own device and
 * for every importer's mapping. Where mappings bounce each has its own
 * copy of the bytes; for the CPU the buffer's own is copied back first
 * and the importers' after it, so what an importing device wrote wins.
 * Once the buffer's device is gone it has no mapping of its own left, and
 * memory that went with it cannot be synced at all.
 */
static int mosaic_export_cpu_access(struct mosaic_export_priv *exp,
				    enum dma_data_direction dir,
				    bool for_device)
{
	struct mosaic_buf *buf = exp->buf;
	struct mosaic_export_mapping *m;
	unsigned long first, nr;
	int idx, ret = 0;

	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (mosaic_buf_gone(buf)) {
		ret = -ENODEV;
		goto out;
	}
	if (!for_device && !READ_ONCE(buf->revoked))
		mosaic_buf_sync_range(buf, exp->offset, exp->length, dir, false,
				      &first, &nr);
	mutex_lock(&exp->lock);
	list_for_each_entry(m, &exp->mappings, node) {
		if (for_device)
			dma_sync_sgtable_for_device(m->dev, m->sgt, m->dir);
		else
			dma_sync_sgtable_for_cpu(m->dev, m->sgt, m->dir);
	}
	mutex_unlock(&exp->lock);
	if (for_device && !READ_ONCE(buf->revoked))
		mosaic_buf_sync_range(buf, exp->offset, exp->length, dir, true,
				      &first, &nr);
out:
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}

static int mosaic_export_begin_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	return mosaic_export_cpu_access(dmabuf->priv, dir, false);
}

static int mosaic_export_end_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	return mosaic_export_cpu_access(dmabuf->priv, dir, true);
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
EXPORT_SYMBOL_MOSAIC(mosaic_buf_export);

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
	int idx;

	if (!length && offset < buf->size)
		length = buf->size - offset;
	/* Still empty: @offset is at or past the end. */
	if (!length || !PAGE_ALIGNED(offset | length) ||
	    !mosaic_range_inside(offset, length, buf->size))
		return ERR_PTR(-EINVAL);
	if (buf->backend->io ||
	    !pfn_valid(mosaic_buf_pfn(buf, offset >> PAGE_SHIFT)))
		return ERR_PTR(-EOPNOTSUPP);

	exp = kzalloc(sizeof(*exp), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!exp)
		return ERR_PTR(-ENOMEM);
	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (mosaic_buf_gone(buf)) {
		dmabuf = ERR_PTR(-ENODEV);
		goto err_free_exp;
	}
	exp->buf = buf;
	exp->offset = offset;
	exp->length = length;
	exp->read_only = read_only || buf->read_only;
	mutex_init(&exp->lock);
	INIT_LIST_HEAD(&exp->mappings);

	/* A driver's buffer keeps the driver loaded, not only mosaic. */
	if (buf->owner)
		exp_info.owner = buf->owner;
	exp_info.ops = &mosaic_dmabuf_ops;
	exp_info.size = length;
	exp_info.flags = (exp->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	exp_info.priv = exp;
	mosaic_buf_get(buf);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		mosaic_buf_put(buf);
		goto err_free_exp;
	}
	exp->dmabuf = dmabuf;
	mutex_lock(&buf->lock);
	list_add(&exp->node, &buf->exports);
	mutex_unlock(&buf->lock);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return dmabuf;

err_free_exp:
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	kfree(exp);
	return dmabuf;
}

/**
 * mosaic_export_revoke() - the buffer's memory goes with its device
 * @buf: a buffer whose device-owned memory is about to be freed; revoked,
 *	and every SRCU reader that saw it otherwise has finished
 *
 * Every CPU mapping of its dma-bufs goes (a later touch gets SIGBUS), and
 * every importer's table is unmapped now, while the importing devices'
 * DMA operations are known to work; the importer's own unmap later only
 * frees it. What an importer would still do with its table is its own
 * driver's business: the memory is gone.
 */
void mosaic_export_revoke(struct mosaic_buf *buf)
{
	struct mosaic_export_priv *exp;
	struct mosaic_export_mapping *m;

	mutex_lock(&buf->lock);
	list_for_each_entry(exp, &buf->exports, node) {
		unmap_mapping_range(exp->dmabuf->file->f_mapping, 0, 0, 1);
		mutex_lock(&exp->lock);
		list_for_each_entry(m, &exp->mappings, node) {
			if (m->revoked)
				continue;
			dma_unmap_sgtable(m->dev, m->sgt, m->dir,
					  DMA_ATTR_SKIP_CPU_SYNC);
			m->revoked = true;
		}
		mutex_unlock(&exp->lock);
	}
	mutex_unlock(&buf->lock);
}
