/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmosaic: the user-space library for the mosaic kernel module.
 *
 * This header is libmosaic's API and ABI; <linux/mosaic.h> is the kernel's.
 * It includes the kernel header for the two enums and mosaic_pattern_word(),
 * whose values are fixed by the kernel ABI anyway, so there is one
 * definition of each and a program may mix the names freely. Everything
 * the library passes in or out has its own struct here: the library's ABI
 * does not change when a kernel struct grows.
 *
 * Conventions (see libmosaic(3)):
 * - Objects are opaque and named mosaic_<object>_<verb>().
 * - A function that can fail returns 0 (or a non-negative value where
 *   documented) on success and a negative errno on failure; errno itself
 *   is left unspecified. Destructors return nothing and accept NULL.
 * - Every fd the library creates is close-on-exec. ioctls interrupted by
 *   a signal (EINTR) or told to try again (EAGAIN) are retried.
 * - Every struct passed in or out starts with struct_size, which the
 *   caller sets to sizeof() the struct as it knows it. The library reads
 *   or writes no more than that; fields a caller does not know about are
 *   taken as zero, and bytes past the end of the library's version of an
 *   input struct must be zero (-E2BIG otherwise).
 * - The library has no global state: distinct objects may be used from
 *   distinct threads, and one object from several threads at once.
 */
#ifndef MOSAIC_MOSAIC_H
#define MOSAIC_MOSAIC_H

#include <stddef.h>
#include <stdint.h>

#include <linux/mosaic.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define MOSAIC_API __attribute__((visibility("default")))
#else
#define MOSAIC_API
#endif

/** struct mosaic_dev - an open /dev/mosaic (opaque) */
struct mosaic_dev;
/** struct mosaic_buf - one buffer and its fd (opaque) */
struct mosaic_buf;

/*
 * ---------------------------------------------------------------------------
 * The device
 * ---------------------------------------------------------------------------
 */

/**
 * struct mosaic_dev_stats - the module's page ledger (MOSAIC_IOC_STATS)
 * @struct_size: sizeof(struct mosaic_dev_stats), set by the caller
 * @buffers: buffers alive now, module-wide
 * @pages: pages the module holds now; zero means every page went back
 * @maps: VMAs that map any mosaic buffer now
 * @total_buffers: buffers created since the module was loaded
 * @total_pages: pages allocated since the module was loaded
 */
struct mosaic_dev_stats {
	size_t struct_size;
	uint64_t buffers;
	uint64_t pages;
	uint64_t maps;
	uint64_t total_buffers;
	uint64_t total_pages;
};

/* Open @path (NULL: MOSAIC_DEVICE_PATH) read-write, close-on-exec. */
MOSAIC_API int mosaic_dev_open(const char *path, struct mosaic_dev **devp);
MOSAIC_API void mosaic_dev_close(struct mosaic_dev *dev);
/* The device's fd, owned by @dev. */
MOSAIC_API int mosaic_dev_fd(const struct mosaic_dev *dev);
MOSAIC_API int mosaic_dev_stats(struct mosaic_dev *dev,
				struct mosaic_dev_stats *stats);

/**
 * struct mosaic_features - what this kernel and module can do
 * @struct_size: sizeof(struct mosaic_features), set by the caller
 * @backends: bit (1 << backend) for every backend that allocated
 * @strategies: bit (1 << strategy) for every explicit strategy the module
 *	accepted (MOSAIC_STRATEGY_AUTO is always accepted and not listed)
 * @backend_error: for each backend (indexed by its value), 0 if it works,
 *	otherwise the negative errno its probe got: -EOPNOTSUPP where the
 *	kernel lacks the feature, -EINVAL where the module does not know the
 *	backend, -ENOMEM when memory was short at probe time
 * @max_buffer_size: the module's max_buffer_size parameter, 0 if unknown
 * @huge_mode: for each backend that allocated, how strategy huge maps its
 *	2 MiB blocks on this kernel (an enum mosaic_huge_mode from
 *	<linux/mosaic.h>: MOSAIC_HUGE_PTE is the fallback to PTEs);
 *	MOSAIC_HUGE_NONE where the backend or the strategy is unavailable
 */
#define MOSAIC_FEATURES_BACKENDS	16

struct mosaic_features {
	size_t struct_size;
	uint32_t backends;
	uint32_t strategies;
	int backend_error[MOSAIC_FEATURES_BACKENDS];
	uint64_t max_buffer_size;
	uint32_t huge_mode[MOSAIC_FEATURES_BACKENDS];
};

/*
 * Probe every backend and strategy with a tiny allocation (two pages,
 * freed again at once). -errno only when the probe itself cannot run.
 */
MOSAIC_API int mosaic_features(struct mosaic_dev *dev,
			       struct mosaic_features *features);
/* /sys/module/mosaic/parameters/max_buffer_size; -ENOENT if not loaded. */
MOSAIC_API int mosaic_max_buffer_size(uint64_t *bytes);

/*
 * ---------------------------------------------------------------------------
 * Buffers
 * ---------------------------------------------------------------------------
 */

/**
 * struct mosaic_buf_params - what mosaic_buf_alloc() asks for
 * @struct_size: sizeof(struct mosaic_buf_params), set by the caller
 * @size: bytes; rounded up to a whole number of pages by the module
 * @backend: where the memory comes from; 0 means MOSAIC_BACKEND_PAGES
 * @strategy: how it is mapped; MOSAIC_STRATEGY_AUTO (0) for the backend's
 *	default
 * @max_order: compound, split, streaming: largest page order to try,
 *	0 for the backend's default; must be 0 for other backends
 * @chunk_size: coherent and noncontig: bytes per DMA allocation call (a
 *	power of two), 0 for the backend's default; must be 0 for others
 * @device: PCI device name ("0000:00:04.0") for the device backends, or
 *	NULL for the module's own platform device
 * @flags: %MOSAIC_ALLOC_READ_ONLY or 0 (see <linux/mosaic.h>)
 * @bar: mmio: index of the memory BAR to map (0-5); must be 0 for others
 *	(LIBMOSAIC_1.1; a 1.0 caller's struct ends before it)
 * @cache: mmio: an enum mosaic_cache value; must be 0 (default) for
 *	others (LIBMOSAIC_1.1)
 */
struct mosaic_buf_params {
	size_t struct_size;
	uint64_t size;
	enum mosaic_backend backend;
	enum mosaic_strategy strategy;
	unsigned int max_order;
	uint64_t chunk_size;
	const char *device;
	uint64_t flags;
	unsigned int bar;
	enum mosaic_cache cache;
};

#define MOSAIC_BUF_INFO_ORDERS	16

/**
 * struct mosaic_buf_info - a buffer's segment table (MOSAIC_IOC_INFO)
 * @struct_size: sizeof(struct mosaic_buf_info), set by the caller
 * @size: buffer size in bytes
 * @backend: the buffer's backend
 * @strategy: the strategy in use (never MOSAIC_STRATEGY_AUTO)
 * @nr_segments: physically contiguous segments
 * @nr_adjacent: segments that start where the previous one ends
 * @nr_runs: contiguous runs once adjacent segments are merged
 * @nr_maps: VMAs that map the buffer now
 * @order_count: segments of each page order (2^k pages)
 * @huge_mode: strategy huge: how 2 MiB blocks are mapped on this kernel
 *	(MOSAIC_HUGE_NONE for the other strategies, MOSAIC_HUGE_PTE where
 *	no safe PMD mechanism exists)
 * @pmd_bytes: bytes a mapping at a 2 MiB-aligned address maps with PMDs
 * @pmd_mapped: PMD entries mapping the buffer now, or UINT64_MAX where the
 *	kernel keeps no count (MOSAIC_HUGE_PFN_PMD)
 */
struct mosaic_buf_info {
	size_t struct_size;
	uint64_t size;
	enum mosaic_backend backend;
	enum mosaic_strategy strategy;
	uint64_t nr_segments;
	uint64_t nr_adjacent;
	uint64_t nr_runs;
	uint64_t nr_maps;
	uint64_t order_count[MOSAIC_BUF_INFO_ORDERS];
	enum mosaic_huge_mode huge_mode;
	uint64_t pmd_bytes;
	uint64_t pmd_mapped;
};

MOSAIC_API int mosaic_buf_alloc(struct mosaic_dev *dev,
				const struct mosaic_buf_params *params,
				struct mosaic_buf **bufp);
/* Wrap a buffer fd from elsewhere; @fd is duplicated, the caller keeps it. */
MOSAIC_API int mosaic_buf_from_fd(int fd, struct mosaic_buf **bufp);
MOSAIC_API void mosaic_buf_close(struct mosaic_buf *buf);
/* The buffer's fd, owned by @buf. */
MOSAIC_API int mosaic_buf_fd(const struct mosaic_buf *buf);
/* Size in bytes (whole pages). */
MOSAIC_API uint64_t mosaic_buf_size(const struct mosaic_buf *buf);
MOSAIC_API int mosaic_buf_info(struct mosaic_buf *buf,
			       struct mosaic_buf_info *info);

/*
 * Map @length bytes from byte @offset (page aligned) read-write and
 * shared; @length 0 maps up to the end of the buffer. The mapping holds
 * its own reference: it stays valid after mosaic_buf_close().
 */
MOSAIC_API int mosaic_buf_map(struct mosaic_buf *buf, uint64_t offset,
			      size_t length, void **addr);
MOSAIC_API int mosaic_buf_unmap(void *addr, size_t length);

/*
 * Write / check mosaic_pattern_word() over [offset, offset + length)
 * (multiples of 8, inside the buffer) through a mapping of their own:
 * a quick way to see that a range is memory both sides agree on, e.g.
 * after a device wrote the pattern. -EACCES fills a read-only buffer.
 */
MOSAIC_API int mosaic_buf_fill(struct mosaic_buf *buf, uint64_t offset,
			       uint64_t length, uint64_t seed);
MOSAIC_API int mosaic_buf_verify(struct mosaic_buf *buf, uint64_t offset,
				 uint64_t length, uint64_t seed,
				 uint64_t *mismatches,
				 uint64_t *first_mismatch);

/*
 * ---------------------------------------------------------------------------
 * Sync, export, segments (LIBMOSAIC_1.1)
 * ---------------------------------------------------------------------------
 */

/**
 * struct mosaic_buf_sync_result - what mosaic_buf_sync() did (MOSAIC_IOC_SYNC)
 * @struct_size: sizeof(struct mosaic_buf_sync_result), set by the caller
 * @first_segment: index of the first segment the range touches
 * @nr_segments: segments the range touches
 * @nr_synced: segments that needed cache maintenance and got it
 */
struct mosaic_buf_sync_result {
	size_t struct_size;
	uint64_t first_segment;
	uint64_t nr_segments;
	uint64_t nr_synced;
};

/**
 * struct mosaic_buf_segment - one segment (MOSAIC_IOC_SEGMENTS)
 * @offset: byte offset of the segment in the buffer
 * @length: bytes
 * @phys: physical address of its first byte, 0 if hidden
 * @dma: device address of its first byte, 0 if hidden or none
 * @order: order of the allocation unit it came from
 * @flags: MOSAIC_SEG_HAS_DMA, MOSAIC_SEG_ADDR_HIDDEN
 *
 * An array element: its size is passed to mosaic_buf_segments() as
 * entry_size instead of a struct_size field in every element.
 */
struct mosaic_buf_segment {
	uint64_t offset;
	uint64_t length;
	uint64_t phys;
	uint64_t dma;
	unsigned int order;
	uint32_t flags;
};

/*
 * Sync @length bytes from byte @offset for the CPU: @flags is exactly one
 * of MOSAIC_SYNC_BEGIN and MOSAIC_SYNC_END. @result may be NULL.
 */
MOSAIC_API int mosaic_buf_sync(struct mosaic_buf *buf, uint64_t offset,
			       uint64_t length, enum mosaic_sync_dir direction,
			       unsigned int flags,
			       struct mosaic_buf_sync_result *result);
/* Export a page-aligned range (@length 0: to the end) as a dma-buf fd. */
MOSAIC_API int mosaic_buf_export(struct mosaic_buf *buf, uint64_t offset,
				 uint64_t length, int *dmabuf_fd);
/*
 * Copy up to @count segments from index @first into @segs (elements of
 * @entry_size bytes); returns how many were written, and the total in
 * *@nr_segments if it is not NULL.
 */
MOSAIC_API int mosaic_buf_segments(struct mosaic_buf *buf, uint64_t first,
				   struct mosaic_buf_segment *segs,
				   size_t count, size_t entry_size,
				   uint64_t *nr_segments);

/*
 * ---------------------------------------------------------------------------
 * Names and sizes
 * ---------------------------------------------------------------------------
 */

/* "pages", "compound", ..., "mmio"; NULL for a value the library does not know. */
MOSAIC_API const char *mosaic_backend_name(enum mosaic_backend backend);
MOSAIC_API int mosaic_backend_from_name(const char *name,
					enum mosaic_backend *backend);
/* "auto", "insert-page", ...; NULL for a value the library does not know. */
MOSAIC_API const char *mosaic_strategy_name(enum mosaic_strategy strategy);
MOSAIC_API int mosaic_strategy_from_name(const char *name,
					 enum mosaic_strategy *strategy);
/*
 * 1 if the ABI lets @strategy map @backend's memory, 0 if the module
 * refuses the pair with EINVAL, -EINVAL if either value is unknown.
 */
MOSAIC_API int mosaic_backend_accepts(enum mosaic_backend backend,
				      enum mosaic_strategy strategy);
/*
 * How strategy huge maps 2 MiB blocks (enum mosaic_huge_mode of
 * <linux/mosaic.h>): "none", "pte-fallback", "fault-pmd", "pfn-pmd",
 * "folio-pmd"; NULL for a value the library does not know.
 */
MOSAIC_API const char *mosaic_huge_mode_name(enum mosaic_huge_mode mode);

/* "4096", "64K", "64M", "1GiB", "0x1000" -> bytes (K, M, G, T: powers of 1024). */
MOSAIC_API int mosaic_parse_size(const char *text, uint64_t *bytes);

#ifdef __cplusplus
}
#endif

#endif /* MOSAIC_MOSAIC_H */
