// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmosaic: /dev/mosaic and buffer fds.
 *
 * A thin layer over the ioctls of <linux/mosaic.h>: every call maps to one
 * ioctl (or mmap), with the argsz/flags/reserved rules filled in, EINTR and
 * EAGAIN retried, and the result copied into the library's own structs so
 * that neither side's struct growth breaks the other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Relative paths: the sources also build inside a test program. */
#include "include/mosaic/mosaic.h"
#include "internal.h"

struct mosaic_dev {
	int fd;
};

struct mosaic_buf {
	int fd;
	uint64_t size;
};

/*
 * Like libdrm's drmIoctl(): a signal (EINTR) or a transient refusal
 * (EAGAIN) is not the caller's business, so try again.
 */
static int mosaic_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : ret;
}

/*
 * Copy a caller's input struct of @caller_size bytes into the library's
 * @lib_size version. The first version's size is the minimum; a newer
 * caller's extra bytes must be zero, as the kernel does for argsz.
 */
static int mosaic_copy_in(void *dst, size_t lib_size, const void *src,
			  size_t caller_size, size_t min_size)
{
	const unsigned char *tail = (const unsigned char *)src + lib_size;
	size_t i;

	if (caller_size < min_size)
		return -EINVAL;
	memset(dst, 0, lib_size);
	if (caller_size <= lib_size) {
		memcpy(dst, src, caller_size);
		return 0;
	}
	for (i = 0; i < caller_size - lib_size; i++)
		if (tail[i])
			return -E2BIG;
	memcpy(dst, src, lib_size);
	return 0;
}

/*
 * Copy an output struct back: no more than the caller has room for, and
 * fields only the caller knows are zeroed. struct_size keeps its value.
 */
static void mosaic_copy_out(void *dst, size_t caller_size, const void *src,
			    size_t lib_size)
{
	size_t n = caller_size < lib_size ? caller_size : lib_size;

	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       n - sizeof(size_t));
	if (caller_size > lib_size)
		memset((char *)dst + lib_size, 0, caller_size - lib_size);
}

/* The caller's struct_size of an output struct: 0 if it is too small. */
static size_t mosaic_out_size(const void *out, size_t min_size)
{
	size_t size;

	if (!out)
		return 0;
	memcpy(&size, out, sizeof(size));
	return size >= min_size ? size : 0;
}

MOSAIC_API int mosaic_dev_open(const char *path, struct mosaic_dev **devp)
{
	struct mosaic_stats st = { .argsz = sizeof(st) };
	struct mosaic_dev *dev;
	int fd, ret;

	if (!devp)
		return -EINVAL;
	*devp = NULL;
	fd = open(path ? path : MOSAIC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Any file opens; only /dev/mosaic answers STATS (-ENOTTY otherwise). */
	ret = mosaic_ioctl(fd, MOSAIC_IOC_STATS, &st);
	if (ret < 0)
		goto err_close;
	dev = malloc(sizeof(*dev));
	if (!dev) {
		ret = -ENOMEM;
		goto err_close;
	}
	dev->fd = fd;
	*devp = dev;
	return 0;

err_close:
	close(fd);
	return ret;
}

MOSAIC_API void mosaic_dev_close(struct mosaic_dev *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

MOSAIC_API int mosaic_dev_fd(const struct mosaic_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

MOSAIC_API int mosaic_dev_stats(struct mosaic_dev *dev,
				struct mosaic_dev_stats *stats)
{
	size_t out_size = mosaic_out_size(stats, MOSAIC_DEV_STATS_SIZE_V1);
	struct mosaic_stats st = { .argsz = sizeof(st) };
	struct mosaic_dev_stats res = { .struct_size = sizeof(res) };
	int ret;

	if (!dev || !out_size)
		return -EINVAL;
	ret = mosaic_ioctl(dev->fd, MOSAIC_IOC_STATS, &st);
	if (ret < 0)
		return ret;
	res.buffers = st.buffers;
	res.pages = st.pages;
	res.maps = st.maps;
	res.total_buffers = st.total_buffers;
	res.total_pages = st.total_pages;
	mosaic_copy_out(stats, out_size, &res, sizeof(res));
	return 0;
}

/* MOSAIC_IOC_ALLOC: the new buffer fd or -errno. */
static int mosaic_alloc_fd(int dev_fd, const struct mosaic_buf_params *p)
{
	struct mosaic_alloc req = {
		.argsz = sizeof(req),
		.flags = (uint32_t)p->flags,
		.size = p->size,
		.backend = p->backend ? (uint32_t)p->backend :
					MOSAIC_BACKEND_PAGES,
		.strategy = p->strategy,
		.fd = -1,
		.max_order = p->max_order,
		.chunk_size = p->chunk_size,
		.device = (uintptr_t)p->device,
		.bar = p->bar,
		.cache = (uint32_t)p->cache,
	};
	int ret;

	ret = mosaic_ioctl(dev_fd, MOSAIC_IOC_ALLOC, &req);
	if (ret < 0)
		return ret;
	return req.fd;
}

static uint64_t mosaic_page_size(void)
{
	long psz = sysconf(_SC_PAGESIZE);

	return psz > 0 ? (uint64_t)psz : 4096;
}

MOSAIC_API int mosaic_buf_alloc(struct mosaic_dev *dev,
				const struct mosaic_buf_params *params,
				struct mosaic_buf **bufp)
{
	struct mosaic_buf_params p;
	struct mosaic_buf *buf;
	uint64_t psz = mosaic_page_size();
	int fd, ret;

	if (!bufp)
		return -EINVAL;
	*bufp = NULL;
	if (!dev || !params)
		return -EINVAL;
	ret = mosaic_copy_in(&p, sizeof(p), params, params->struct_size,
			     MOSAIC_BUF_PARAMS_SIZE_V1);
	if (ret < 0)
		return ret;
	if (p.flags & ~(uint64_t)MOSAIC_ALLOC_FLAGS)
		return -EINVAL;

	fd = mosaic_alloc_fd(dev->fd, &p);
	if (fd < 0)
		return fd;
	buf = malloc(sizeof(*buf));
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	buf->fd = fd;
	/* The module rounds up to whole pages (and refused sizes that wrap). */
	buf->size = (p.size + psz - 1) / psz * psz;
	*bufp = buf;
	return 0;
}

MOSAIC_API int mosaic_buf_from_fd(int fd, struct mosaic_buf **bufp)
{
	struct mosaic_info info = { .argsz = sizeof(info) };
	struct mosaic_buf *buf;
	int dup_fd, ret;

	if (!bufp)
		return -EINVAL;
	*bufp = NULL;
	if (fd < 0)
		return -EBADF;
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return -errno;
	/* Only a buffer fd answers INFO (-ENOTTY for anything else). */
	ret = mosaic_ioctl(dup_fd, MOSAIC_IOC_INFO, &info);
	if (ret < 0)
		goto err_close;
	buf = malloc(sizeof(*buf));
	if (!buf) {
		ret = -ENOMEM;
		goto err_close;
	}
	buf->fd = dup_fd;
	buf->size = info.size;
	*bufp = buf;
	return 0;

err_close:
	close(dup_fd);
	return ret;
}

MOSAIC_API void mosaic_buf_close(struct mosaic_buf *buf)
{
	if (!buf)
		return;
	close(buf->fd);
	free(buf);
}

MOSAIC_API int mosaic_buf_fd(const struct mosaic_buf *buf)
{
	return buf ? buf->fd : -EINVAL;
}

MOSAIC_API uint64_t mosaic_buf_size(const struct mosaic_buf *buf)
{
	return buf ? buf->size : 0;
}

MOSAIC_API int mosaic_buf_info(struct mosaic_buf *buf,
			       struct mosaic_buf_info *info)
{
	size_t out_size = mosaic_out_size(info, MOSAIC_BUF_INFO_SIZE_V1);
	struct mosaic_info in = { .argsz = sizeof(in) };
	struct mosaic_buf_info res = { .struct_size = sizeof(res) };
	int ret, k;

	if (!buf || !out_size)
		return -EINVAL;
	ret = mosaic_ioctl(buf->fd, MOSAIC_IOC_INFO, &in);
	if (ret < 0)
		return ret;
	res.size = in.size;
	res.backend = (enum mosaic_backend)in.backend;
	res.strategy = (enum mosaic_strategy)in.strategy;
	res.nr_segments = in.nr_segments;
	res.nr_adjacent = in.nr_adjacent;
	res.nr_runs = in.nr_runs;
	res.nr_maps = in.nr_maps;
	/* The kernel folds larger orders into its last slot; so do we. */
	for (k = 0; k < MOSAIC_INFO_ORDERS; k++) {
		int slot = k < MOSAIC_BUF_INFO_ORDERS ? k :
						       MOSAIC_BUF_INFO_ORDERS - 1;

		res.order_count[slot] += in.order_count[k];
	}
	res.huge_mode = (enum mosaic_huge_mode)in.huge_mode;
	res.pmd_bytes = in.pmd_bytes;
	res.pmd_mapped = in.pmd_mapped;
	mosaic_copy_out(info, out_size, &res, sizeof(res));
	return 0;
}

MOSAIC_API int mosaic_buf_map(struct mosaic_buf *buf, uint64_t offset,
			      size_t length, void **addr)
{
	void *p;

	if (!addr)
		return -EINVAL;
	*addr = NULL;
	if (!buf || offset > buf->size || offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (!length) {
		if (buf->size - offset > SIZE_MAX)
			return -EOVERFLOW;
		length = (size_t)(buf->size - offset);
		if (!length)
			return -EINVAL;
	}
	/*
	 * MAP_SHARED only: the module refuses a private copy of DMA memory.
	 * A read-only buffer (MOSAIC_ALLOC_READ_ONLY: an O_RDONLY fd) maps
	 * read-only.
	 */
	p = mmap(NULL, length,
		 (fcntl(buf->fd, F_GETFL) & O_ACCMODE) == O_RDONLY ?
		 PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, buf->fd,
		 (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

MOSAIC_API int mosaic_buf_unmap(void *addr, size_t length)
{
	if (!addr || !length)
		return -EINVAL;
	return munmap(addr, length) ? -errno : 0;
}

/*
 * The pages of [offset, offset + length) mapped shared with @prot (the
 * page-aligned window around it): *@words points at the word at @offset.
 * 0 or -errno.
 */
static int mosaic_pattern_map(struct mosaic_buf *buf, uint64_t offset,
			      uint64_t length, int prot, void **base,
			      size_t *maplen, volatile uint64_t **words)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = offset & ~(page - 1);
	uint64_t end;
	void *p;

	if (!buf || (offset | length) % 8 || offset > buf->size ||
	    length > buf->size - offset)
		return -EINVAL;
	end = (offset + length + page - 1) & ~(page - 1);
	if (end - start > SIZE_MAX)
		return -EOVERFLOW;
	*maplen = (size_t)(end - start);
	*base = NULL;
	*words = NULL;
	if (!length)
		return 0;
	p = mmap(NULL, *maplen, prot, MAP_SHARED, buf->fd, (off_t)start);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	*words = (volatile uint64_t *)((char *)p + (offset - start));
	return 0;
}

MOSAIC_API int mosaic_buf_fill(struct mosaic_buf *buf, uint64_t offset,
			       uint64_t length, uint64_t seed)
{
	volatile uint64_t *w;
	size_t maplen;
	uint64_t i;
	void *base;
	int ret;

	ret = mosaic_pattern_map(buf, offset, length, PROT_READ | PROT_WRITE,
				 &base, &maplen, &w);
	if (ret || !base)
		return ret;
	for (i = 0; i < length / 8; i++)
		w[i] = mosaic_pattern_word(seed, offset + i * 8);
	munmap(base, maplen);
	return 0;
}

MOSAIC_API int mosaic_buf_verify(struct mosaic_buf *buf, uint64_t offset,
				 uint64_t length, uint64_t seed,
				 uint64_t *mismatches,
				 uint64_t *first_mismatch)
{
	uint64_t i, bad = 0, first = UINT64_MAX;
	volatile uint64_t *w;
	size_t maplen;
	void *base;
	int ret;

	ret = mosaic_pattern_map(buf, offset, length, PROT_READ, &base,
				 &maplen, &w);
	if (ret)
		return ret;
	for (i = 0; i < length / 8; i++) {
		if (w[i] != mosaic_pattern_word(seed, offset + i * 8)) {
			if (!bad)
				first = offset + i * 8;
			bad++;
		}
	}
	if (base)
		munmap(base, maplen);
	if (mismatches)
		*mismatches = bad;
	if (first_mismatch)
		*first_mismatch = first;
	return 0;
}

MOSAIC_API int mosaic_buf_sync(struct mosaic_buf *buf, uint64_t offset,
			       uint64_t length, enum mosaic_sync_dir direction,
			       unsigned int flags,
			       struct mosaic_buf_sync_result *result)
{
	size_t out_size = mosaic_out_size(result, MOSAIC_BUF_SYNC_RESULT_SIZE_V1);
	struct mosaic_sync req = {
		.argsz = sizeof(req), .flags = flags, .offset = offset,
		.length = length, .direction = (uint32_t)direction,
	};
	struct mosaic_buf_sync_result res = { .struct_size = sizeof(res) };
	int ret;

	if (!buf || (result && !out_size))
		return -EINVAL;
	ret = mosaic_ioctl(buf->fd, MOSAIC_IOC_SYNC, &req);
	if (ret < 0)
		return ret;
	if (result) {
		res.first_segment = req.first_segment;
		res.nr_segments = req.nr_segments;
		res.nr_synced = req.nr_synced;
		mosaic_copy_out(result, out_size, &res, sizeof(res));
	}
	return 0;
}

MOSAIC_API int mosaic_buf_export(struct mosaic_buf *buf, uint64_t offset,
				 uint64_t length, int *dmabuf_fd)
{
	struct mosaic_export req = {
		.argsz = sizeof(req), .offset = offset, .length = length,
		.fd = -1,
	};
	int ret;

	if (!dmabuf_fd)
		return -EINVAL;
	*dmabuf_fd = -1;
	if (!buf)
		return -EINVAL;
	ret = mosaic_ioctl(buf->fd, MOSAIC_IOC_EXPORT, &req);
	if (ret < 0)
		return ret;
	*dmabuf_fd = req.fd;
	return 0;
}

/* Entries per SEGMENTS ioctl: the kernel's entries go through this batch. */
#define MOSAIC_SEG_BATCH	64

MOSAIC_API int mosaic_buf_segments(struct mosaic_buf *buf, uint64_t first,
				   struct mosaic_buf_segment *segs,
				   size_t count, size_t entry_size,
				   uint64_t *nr_segments)
{
	struct mosaic_seg_entry ent[MOSAIC_SEG_BATCH];
	struct mosaic_segments req;
	size_t done = 0, i;
	uint64_t total = 0;
	int ret;

	if (!buf || (count && !segs) || count > INT32_MAX ||
	    (count && entry_size < MOSAIC_BUF_SEGMENT_SIZE_V1))
		return -EINVAL;
	do {
		memset(&req, 0, sizeof(req));
		req.argsz = sizeof(req);
		req.first = first + done;
		req.count = count - done < MOSAIC_SEG_BATCH ? count - done :
							      MOSAIC_SEG_BATCH;
		req.entries = (uintptr_t)ent;
		req.entry_size = sizeof(ent[0]);
		ret = mosaic_ioctl(buf->fd, MOSAIC_IOC_SEGMENTS, &req);
		if (ret < 0)
			return ret;
		total = req.nr_segments;
		for (i = 0; i < req.count; i++) {
			struct mosaic_buf_segment s = {
				.offset = ent[i].offset,
				.length = ent[i].length,
				.phys = ent[i].phys,
				.dma = ent[i].dma,
				.order = ent[i].order,
				.flags = ent[i].flags,
			};
			char *dst = (char *)segs + (done + i) * entry_size;

			if (entry_size <= sizeof(s)) {
				memcpy(dst, &s, entry_size);
			} else {
				memcpy(dst, &s, sizeof(s));
				memset(dst + sizeof(s), 0, entry_size - sizeof(s));
			}
		}
		done += req.count;
	} while (req.count && done < count);
	if (nr_segments)
		*nr_segments = total;
	return (int)done;
}

MOSAIC_API int mosaic_max_buffer_size(uint64_t *bytes)
{
	char text[32];
	int fd, ret;
	ssize_t n;

	if (!bytes)
		return -EINVAL;
	fd = open(MOSAIC_PARAM_MAX_BUFFER_SIZE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, text, sizeof(text) - 1);
	} while (n < 0 && errno == EINTR);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	return mosaic_parse_size(text, bytes);
}

/* Allocate two pages (CMA refuses one) and free them again: 0 or -errno. */
static int mosaic_probe(int dev_fd, enum mosaic_backend backend,
			enum mosaic_strategy strategy)
{
	struct mosaic_buf_params p = {
		.struct_size = sizeof(p),
		.size = 2 * mosaic_page_size(),
		.backend = backend,
		.strategy = strategy,
	};
	int fd = mosaic_alloc_fd(dev_fd, &p);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* How strategy huge maps @backend's memory here, or MOSAIC_HUGE_NONE. */
static uint32_t mosaic_probe_huge(int dev_fd, enum mosaic_backend backend)
{
	struct mosaic_buf_params p = {
		.struct_size = sizeof(p),
		.size = 2 * mosaic_page_size(),
		.backend = backend,
		.strategy = MOSAIC_STRATEGY_HUGE,
	};
	struct mosaic_info in = { .argsz = sizeof(in) };
	int fd = mosaic_alloc_fd(dev_fd, &p);
	uint32_t mode = MOSAIC_HUGE_NONE;

	if (fd < 0)
		return mode;
	if (!mosaic_ioctl(fd, MOSAIC_IOC_INFO, &in))
		mode = in.huge_mode;
	close(fd);
	return mode;
}

MOSAIC_API int mosaic_features(struct mosaic_dev *dev,
			       struct mosaic_features *features)
{
	size_t out_size = mosaic_out_size(features, MOSAIC_FEATURES_SIZE_V1);
	struct mosaic_features res = { .struct_size = sizeof(res) };
	int b, s, ret;

	if (!dev || !out_size)
		return -EINVAL;
	/* The backends this library can name; a newer module may have more. */
	for (b = 1; b < MOSAIC_FEATURES_BACKENDS &&
		    mosaic_backend_name((enum mosaic_backend)b); b++) {
		/* mmio maps a PCI BAR: nothing to probe without a device. */
		if (b == MOSAIC_BACKEND_MMIO) {
			res.backend_error[b] = -ENODEV;
			continue;
		}
		ret = mosaic_probe(dev->fd, (enum mosaic_backend)b,
				   MOSAIC_STRATEGY_AUTO);
		if (ret == -EBADF || ret == -ENOTTY || ret == -EFAULT)
			return ret;	/* not a working device at all */
		res.backend_error[b] = ret;
		if (!ret) {
			res.backends |= 1u << b;
			res.huge_mode[b] = mosaic_probe_huge(dev->fd,
							     (enum mosaic_backend)b);
		}
	}
	/* Every backend takes the PFN strategies and pages takes them all. */
	for (s = 1; s < 32 && mosaic_strategy_name((enum mosaic_strategy)s); s++)
		if (!mosaic_probe(dev->fd, MOSAIC_BACKEND_PAGES,
				  (enum mosaic_strategy)s))
			res.strategies |= 1u << s;
	if (mosaic_max_buffer_size(&res.max_buffer_size))
		res.max_buffer_size = 0;
	mosaic_copy_out(features, out_size, &res, sizeof(res));
	return 0;
}
