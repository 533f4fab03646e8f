/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mosaic in-kernel API: scattered DMA buffers for drivers, mapped into
 * user space as one linear range.
 *
 * A driver allocates a buffer for its own struct device, programs its
 * hardware with the buffer's DMA addresses, maps the buffer (or part of
 * it) from its own ->mmap, syncs ranges around device access and drops
 * its reference when done. The buffer outlives the driver's reference as
 * long as any mapping, buffer fd or dma-buf still uses it.
 *
 * The functions are exported in the symbol namespace MOSAIC: a module that
 * calls them imports it with MODULE_IMPORT_NS("MOSAIC") on 6.13 and later,
 * MODULE_IMPORT_NS(MOSAIC) before.
 *
 * See docs/driver-guide.md for a complete driver.
 */
#ifndef _LINUX_MOSAIC_H
#define _LINUX_MOSAIC_H

#include <linux/dma-direction.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/types.h>
#include <uapi/linux/mosaic.h>

struct device;
struct dma_buf;
struct mosaic_buf;
struct vm_area_struct;

/**
 * struct mosaic_buf_params - what mosaic_buf_alloc() should allocate
 * @size: bytes; rounded up to whole pages
 * @backend: &enum mosaic_backend
 * @strategy: &enum mosaic_strategy, or %MOSAIC_STRATEGY_AUTO
 * @max_order: as &mosaic_alloc.max_order
 * @chunk_size: as &mosaic_alloc.chunk_size
 * @bar: as &mosaic_alloc.bar (mmio: the BAR of the caller's PCI device)
 * @cache: as &mosaic_alloc.cache, an &enum mosaic_cache
 */
struct mosaic_buf_params {
	size_t size;
	u32 backend;
	u32 strategy;
	unsigned int max_order;
	size_t chunk_size;
	u32 bar;
	u32 cache;
};

struct mosaic_buf *__mosaic_buf_alloc(struct device *dev,
				      const struct mosaic_buf_params *params,
				      struct module *owner);

/**
 * mosaic_buf_alloc() - allocate a buffer for the calling driver
 * @dev: the driver's device (see __mosaic_buf_alloc())
 * @params: size, backend, strategy and backend knobs
 *
 * Records the calling module as the buffer's owner: dma-bufs exported
 * from the buffer keep it loaded.
 *
 * Return: as __mosaic_buf_alloc().
 */
#define mosaic_buf_alloc(dev, params) \
	__mosaic_buf_alloc(dev, params, THIS_MODULE)
void mosaic_buf_get(struct mosaic_buf *buf);
void mosaic_buf_put(struct mosaic_buf *buf);
size_t mosaic_buf_size(const struct mosaic_buf *buf);
int mosaic_buf_dma_range(const struct mosaic_buf *buf, u64 offset,
			 dma_addr_t *dma, size_t *len);
int mosaic_buf_kaddr_range(const struct mosaic_buf *buf, u64 offset,
			   void **kaddr, size_t *len);
int mosaic_buf_mmap(struct mosaic_buf *buf, struct vm_area_struct *vma);
struct file *mosaic_buf_file(struct mosaic_buf *buf,
			     const struct file_operations *fops, void *priv);
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
unsigned long mosaic_buf_get_unmapped_area(struct file *file,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags);
#else
#define mosaic_buf_get_unmapped_area	NULL
#endif
int mosaic_buf_sync(struct mosaic_buf *buf, u64 offset, u64 length,
		    enum dma_data_direction dir, bool for_device);
int mosaic_buf_sync_ioctl(struct mosaic_buf *buf, void __user *uarg);
struct dma_buf *mosaic_buf_export(struct mosaic_buf *buf, u64 offset,
				  u64 length);

#endif /* _LINUX_MOSAIC_H */
