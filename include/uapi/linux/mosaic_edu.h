/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mosaic_edu: a sample PCI driver for QEMU's "edu" device, written against
 * mosaic's in-kernel API only (include/linux/mosaic.h). Its device does
 * real DMA into and out of mosaic buffers; the tests (tests/t30_edu.c,
 * tests/t31_dmabuf.c) use it to prove what the device sees.
 */
#ifndef _UAPI_LINUX_MOSAIC_EDU_H
#define _UAPI_LINUX_MOSAIC_EDU_H

#include <linux/ioctl.h>
#include <linux/mosaic.h>
#include <linux/types.h>

/**
 * DOC: mosaic_edu uapi
 *
 * ``/dev/mosaic-edu`` (root only) belongs to the first edu device
 * (``1234:11e8``) the driver binds. Its ioctls:
 *
 * - %MOSAIC_EDU_IOC_ALLOC allocates a mosaic buffer for the edu device and
 *   returns a *buffer fd* of the driver's own. ``mmap()`` of that fd maps
 *   the buffer (through mosaic_buf_mmap(), same rules as a mosaic buffer
 *   fd); %MOSAIC_EDU_IOC_DMA and %MOSAIC_EDU_IOC_INFO work on it. Closing
 *   it drops the driver's reference: mappings keep the buffer alive.
 * - %MOSAIC_EDU_IOC_IMPORT attaches the edu device to a dma-buf and maps
 *   the attachment, and returns an *import fd* that holds both (and a
 *   reference on the dma-buf) until it is closed. %MOSAIC_EDU_IOC_DMA and
 *   %MOSAIC_EDU_IOC_INFO work on it with offsets into the dma-buf.
 *
 * The device has one DMA engine and a 4 KiB internal buffer, and every
 * transfer takes about 100 ms, so transfers are serialized and slow: the
 * driver moves 2 KiB per step in two or more transfers, so keep ranges to
 * a few pages.
 *
 * - %MOSAIC_EDU_IOC_EXPORT on a buffer fd exports a page range of the
 *   buffer as a dma-buf (mosaic_buf_export()).
 *
 * Argument structs follow mosaic's rules (see ``linux/mosaic.h``): they
 * start with ``argsz`` and ``flags``, any ``argsz`` from the first
 * version up to a page is accepted, unknown trailing bytes must be zero
 * (%E2BIG), unknown flags and non-zero reserved fields are %EINVAL, and
 * out fields are ignored on input.
 */

#define MOSAIC_EDU_DEVICE_PATH	"/dev/mosaic-edu"

/**
 * struct mosaic_edu_alloc - argument of %MOSAIC_EDU_IOC_ALLOC
 * @argsz: sizeof(struct mosaic_edu_alloc) as the caller knows it.
 * @flags: must be zero.
 * @size: bytes, as &mosaic_alloc.size.
 * @backend: an &enum mosaic_backend other than mmio (%EINVAL); the
 *	page-backed backends (pages, compound, split, vmalloc) are mapped
 *	for the edu device by mosaic.
 * @strategy: an &enum mosaic_strategy.
 * @max_order: as &mosaic_alloc.max_order.
 * @fd: out: the new buffer fd (``O_RDWR | O_CLOEXEC``); the ioctl also
 *	returns it.
 * @chunk_size: as &mosaic_alloc.chunk_size.
 * @__reserved: must be zero.
 *
 * Errors are mosaic_buf_alloc()'s: %EINVAL, %EFBIG, %EOPNOTSUPP (e.g. cma
 * on a kernel without CMA), %ENOMEM; %ENODEV once the device is gone.
 */
struct mosaic_edu_alloc {
	__u32 argsz;
	__u32 flags;
	__u64 size;
	__u32 backend;
	__u32 strategy;
	__u32 max_order;
	__s32 fd;
	__u64 chunk_size;
	__u64 __reserved[2];
};

/**
 * enum mosaic_edu_direction - which way %MOSAIC_EDU_IOC_DMA moves data
 * @MOSAIC_EDU_TO_RAM: the device writes the pattern into the range. The
 *	driver fills a bounce page of its own with the pattern, DMAs it into
 *	the device and from the device into the buffer, then syncs the range
 *	for the CPU: user space checks the bytes through its mapping.
 * @MOSAIC_EDU_FROM_RAM: the device reads the range. The driver syncs it
 *	for the device, DMAs it into the device and from there into its
 *	bounce page, and counts the words that differ from the pattern.
 */
enum mosaic_edu_direction {
	MOSAIC_EDU_TO_RAM = 1,
	MOSAIC_EDU_FROM_RAM = 2,
};

/*
 * struct mosaic_edu_dma.flags
 *
 * MOSAIC_EDU_DMA_CALLER_SYNCS: the driver does not sync the range around
 * the transfer; the caller does, with %MOSAIC_IOC_SYNC on the buffer fd:
 * %MOSAIC_SYNC_END after writing what the device reads, %MOSAIC_SYNC_BEGIN
 * before reading what it wrote. (An import fd never syncs: that is the
 * dma-buf user's part, with DMA_BUF_IOCTL_SYNC.)
 */
#define MOSAIC_EDU_DMA_CALLER_SYNCS	(1U << 0)

/**
 * struct mosaic_edu_dma - argument of %MOSAIC_EDU_IOC_DMA
 * @argsz: sizeof(struct mosaic_edu_dma) as the caller knows it.
 * @flags: 0, or %MOSAIC_EDU_DMA_CALLER_SYNCS; other bits are %EINVAL.
 * @offset: first byte of the range, a multiple of 8.
 * @length: bytes, a non-zero multiple of 8; the range must lie inside the
 *	buffer (or dma-buf) and may cross any number of segments.
 * @seed: the pattern: the word at offset ``o`` is
 *	mosaic_pattern_word(seed, o), ``o`` counted from the start of the
 *	buffer (or dma-buf).
 * @direction: an &enum mosaic_edu_direction.
 * @__pad: must be zero.
 * @mismatches: out (FROM_RAM): words the device read that differ.
 * @first_mismatch: out (FROM_RAM): offset of the first one, or ``~0``.
 * @nr_transfers: out: device transfers into or out of the range; more
 *	than one per 2 KiB step when the step crosses a boundary of the
 *	device's address space (a transfer never does).
 * @__reserved: must be zero.
 *
 * %EINTR on a fatal signal between transfers, %ETIMEDOUT if the device
 * does not finish a transfer (the device is then considered dead: %EIO
 * from then on).
 */
struct mosaic_edu_dma {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u64 seed;
	__u32 direction;
	__u32 __pad;
	__u64 mismatches;
	__u64 first_mismatch;
	__u64 nr_transfers;
	__u64 __reserved[2];
};

/* struct mosaic_edu_info.info_flags */
#define MOSAIC_EDU_INFO_ADDR_HIDDEN	(1U << 0)	/* no CAP_SYS_ADMIN */
#define MOSAIC_EDU_INFO_TRANSLATED	(1U << 1)	/* an IOMMU translates */

/**
 * struct mosaic_edu_info - argument of %MOSAIC_EDU_IOC_INFO
 * @argsz: sizeof(struct mosaic_edu_info) as the caller knows it.
 * @flags: must be zero.
 * @offset: a byte inside the buffer (or dma-buf).
 * @seg_len: out: bytes from @offset to the end of its mosaic segment
 *	(physically contiguous); 0 on an import fd.
 * @dma_len: out: bytes from @offset that are contiguous for the device (a
 *	run of segments, or the mapped scatterlist entry of an import).
 * @dma: out: the device address of the byte, as the device uses it; 0
 *	when hidden.
 * @phys: out: its physical address; 0 when hidden, and always 0 on an
 *	import fd: an importer knows only the device's side of a dma-buf.
 * @dma_mask: out: the DMA mask the driver set for the device.
 * @info_flags: out: %MOSAIC_EDU_INFO_ADDR_HIDDEN when the caller lacks
 *	``CAP_SYS_ADMIN``, %MOSAIC_EDU_INFO_TRANSLATED when an IOMMU
 *	translates the device's addresses (they then differ from physical
 *	ones).
 * @__pad: must be zero.
 * @__reserved: must be zero.
 */
struct mosaic_edu_info {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 seg_len;
	__u64 dma_len;
	__u64 dma;
	__u64 phys;
	__u64 dma_mask;
	__u32 info_flags;
	__u32 __pad;
	__u64 __reserved[2];
};

/**
 * struct mosaic_edu_import - argument of %MOSAIC_EDU_IOC_IMPORT
 * @argsz: sizeof(struct mosaic_edu_import) as the caller knows it.
 * @flags: must be zero.
 * @dmabuf_fd: the dma-buf to import.
 * @fd: out: the new import fd (``O_RDWR | O_CLOEXEC``); the ioctl also
 *	returns it.
 * @size: out: the dma-buf's size in bytes.
 * @nents: out: scatterlist entries of the mapped attachment, as the
 *	device sees them (an IOMMU may merge them).
 * @__reserved: must be zero.
 *
 * %EBADF if @dmabuf_fd is not an open fd, %EINVAL if it is not a dma-buf,
 * errors of the exporter's attach and map otherwise.
 */
struct mosaic_edu_import {
	__u32 argsz;
	__u32 flags;
	__s32 dmabuf_fd;
	__s32 fd;
	__u64 size;
	__u64 nents;
	__u64 __reserved[2];
};

/**
 * struct mosaic_edu_export - argument of %MOSAIC_EDU_IOC_EXPORT
 * @argsz: sizeof(struct mosaic_edu_export) as the caller knows it.
 * @flags: must be zero.
 * @offset: first byte to export, page aligned.
 * @length: bytes, page aligned; 0 means to the end of the buffer.
 * @fd: out: the dma-buf fd (``O_RDWR | O_CLOEXEC``); the ioctl also
 *	returns it.
 * @__pad: must be zero.
 * @__reserved: must be zero.
 */
struct mosaic_edu_export {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__s32 fd;
	__u32 __pad;
	__u64 __reserved[2];
};

/*
 * As in linux/mosaic.h: read and write, the size of each struct's first
 * version, and argsz for the growth. The sample driver shares mosaic's
 * magic, in a range mosaic leaves free (0x80-0x8f).
 */
#define MOSAIC_EDU_IOC_MAGIC	MOSAIC_IOC_MAGIC

#define MOSAIC_EDU_IOC_ALLOC	_IOWR(MOSAIC_EDU_IOC_MAGIC, 0x80, struct mosaic_edu_alloc)
#define MOSAIC_EDU_IOC_DMA	_IOWR(MOSAIC_EDU_IOC_MAGIC, 0x81, struct mosaic_edu_dma)
#define MOSAIC_EDU_IOC_INFO	_IOWR(MOSAIC_EDU_IOC_MAGIC, 0x82, struct mosaic_edu_info)
#define MOSAIC_EDU_IOC_IMPORT	_IOWR(MOSAIC_EDU_IOC_MAGIC, 0x83, struct mosaic_edu_import)
#define MOSAIC_EDU_IOC_EXPORT	_IOWR(MOSAIC_EDU_IOC_MAGIC, 0x84, struct mosaic_edu_export)

#define MOSAIC_EDU_ALLOC_SIZE_VER0	56
#define MOSAIC_EDU_DMA_SIZE_VER0	80
#define MOSAIC_EDU_INFO_SIZE_VER0	80
#define MOSAIC_EDU_IMPORT_SIZE_VER0	48
#define MOSAIC_EDU_EXPORT_SIZE_VER0	48

#endif /* _UAPI_LINUX_MOSAIC_EDU_H */
