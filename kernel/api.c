// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel API's entry points that are not also ioctls: allocation on
 * behalf of a driver, and plain accessors. The rest of the API lives next
 * to the code it exposes (buffer.c, dma.c, dmabuf.c, ioctl.c, file.c).
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mosaic.h>

#include "compat.h"
#include "mosaic_internal.h"

/**
 * __mosaic_buf_alloc() - allocate a buffer for a driver
 * @dev: the driver's device; required for the coherent, streaming,
 *	noncontig, cma and mmio backends (mmio: a PCI device), optional for
 *	the page-backed ones, whose pages are then mapped for @dev with
 *	dma_map_sgtable()
 * @params: size, backend, strategy and backend knobs
 * @owner: the calling driver's module (mosaic_buf_alloc() passes it)
 *
 * The buffer holds a reference on @dev until it is freed. Every dma-buf
 * exported from it pins @owner, so the driver cannot be unloaded while
 * one lives; its own files and mappings pin it through their fops.
 *
 * mmio maps a BAR of the caller's own device as it is: the driver has
 * enabled the device and holds the BAR's region (pci_request_regions()),
 * and decides what user space may touch; mosaic neither enables the
 * device nor claims the region for it. This is the way to share a BAR a
 * driver holds: /dev/mosaic refuses it (-EBUSY).
 *
 * Return: a buffer holding one reference for the caller, or an ERR_PTR:
 * -EINVAL (bad params, a strategy that cannot map the backend, a device
 * backend without @dev), -EFBIG (above max_buffer_size), -EOPNOTSUPP
 * (backend not available on this kernel), -ENOMEM, -EINTR.
 */
struct mosaic_buf *__mosaic_buf_alloc(struct device *dev,
				      const struct mosaic_buf_params *params,
				      struct module *owner)
{
	struct mosaic_alloc req = {
		.size = params->size,
		.backend = params->backend,
		.strategy = params->strategy,
		.max_order = params->max_order,
		.chunk_size = params->chunk_size,
		.bar = params->bar,
		.cache = params->cache,
	};
	struct mosaic_buf *buf;

	buf = mosaic_buf_create(&req, get_device(dev), MOSAIC_FOR_DRIVER);
	if (IS_ERR(buf)) {
		put_device(dev);
		return buf;
	}
	buf->owner = owner;
	return buf;
}
EXPORT_SYMBOL_MOSAIC(__mosaic_buf_alloc);

/**
 * mosaic_buf_size() - size of a buffer
 * @buf: the buffer
 *
 * Return: bytes, a whole number of pages.
 */
size_t mosaic_buf_size(const struct mosaic_buf *buf)
{
	return buf->size;
}
EXPORT_SYMBOL_MOSAIC(mosaic_buf_size);
