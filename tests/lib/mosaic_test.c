// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mosaic and its ioctls on the uapi structs, the page ledger, the
 * test pattern as the user sees it, and the segment table.
 */
#include "mosaic_test.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-buf.h>

int mt_open_dev(void)
{
	int fd = open(MOSAIC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int mt_open_dev_or_bail(void)
{
	int fd = mt_open_dev();

	if (fd < 0)
		tap_bail("cannot open %s: %s (is the module loaded?)",
			 MOSAIC_DEVICE_PATH, strerror(-fd));
	return fd;
}

int mt_open_dev_baseline(struct mosaic_stats *base)
{
	int fd = mt_open_dev_or_bail();

	if (mt_stats(fd, base) < 0)
		tap_bail("STATS failed");
	return fd;
}

int mt_end_ledger_back(int devfd, const struct mosaic_stats *base,
		       const char *what)
{
	tap_ok(mt_ledger_is(devfd, base, 0, 0, 0), "%s", what);
	close(devfd);
	return tap_exit();
}

int mt_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int mt_fd_ioctl(int fd, unsigned long req, void *arg, const int32_t *out_fd,
		const char *what)
{
	int ret = mt_ioctl(fd, req, arg);

	if (ret >= 0 && *out_fd != ret) {
		tap_diag("%s returned %d but .fd = %d", what, ret, *out_fd);
		return -EPROTO;
	}
	return ret;
}

int mt_alloc(int devfd, uint64_t size, uint32_t backend, uint32_t strategy)
{
	return mt_alloc_knobs(devfd, size, backend, strategy, 0, 0, NULL);
}

int mt_info(int bfd, struct mosaic_info *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	return mt_ioctl(bfd, MOSAIC_IOC_INFO, out);
}

int mt_stats(int devfd, struct mosaic_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	return mt_ioctl(devfd, MOSAIC_IOC_STATS, out);
}

int mt_refs(int bfd, uint64_t off, uint64_t len, struct mosaic_refs *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	out->offset = off;
	out->length = len;
	return mt_ioctl(bfd, MOSAIC_TEST_IOC_REFS, out);
}

static long segments_flags(int bfd, uint32_t flags,
			   struct mosaic_seg_entry *ents, uint64_t max)
{
	struct mosaic_segments g = {
		.argsz = sizeof(g), .flags = flags, .count = max,
		.entries = (uintptr_t)ents, .entry_size = sizeof(*ents),
	};
	int ret;

	ret = mt_ioctl(bfd, MOSAIC_IOC_SEGMENTS, &g);
	if (ret < 0)
		return ret;
	if (g.count != (g.nr_segments < max ? g.nr_segments : max)) {
		tap_diag("SEGMENTS: count %llu of %llu entries, room for %llu",
			 ULL(g.count), ULL(g.nr_segments), ULL(max));
		return -EPROTO;
	}
	return (long)g.nr_segments;
}

static long segments_flags_all(int bfd, uint32_t flags,
			       struct mosaic_seg_entry **ents)
{
	long n = segments_flags(bfd, flags, NULL, 0);
	long got;

	*ents = NULL;
	if (n < 0)
		return n;
	*ents = calloc(n ? n : 1, sizeof(**ents));
	if (!*ents)
		return -ENOMEM;
	got = segments_flags(bfd, flags, *ents, n);
	if (got != n) {
		free(*ents);
		*ents = NULL;
		return got < 0 ? got : -EPROTO;
	}
	return n;
}

long mt_segments(int bfd, struct mosaic_seg_entry *ents, uint64_t max)
{
	return segments_flags(bfd, 0, ents, max);
}

long mt_segments_all(int bfd, struct mosaic_seg_entry **ents)
{
	return segments_flags_all(bfd, 0, ents);
}

long mt_dev_ranges_all(int bfd, struct mosaic_seg_entry **ents)
{
	return segments_flags_all(bfd, MOSAIC_SEGMENTS_DEVICE, ents);
}

struct mosaic_sync mt_sync_arg(uint64_t off, uint64_t len, uint32_t flags,
			       uint32_t dir)
{
	return (struct mosaic_sync){
		.argsz = sizeof(struct mosaic_sync), .flags = flags,
		.offset = off, .length = len, .direction = dir,
	};
}

int mt_sync(int bfd, uint64_t off, uint64_t len, uint32_t flags,
	    uint32_t dir, struct mosaic_sync *out)
{
	struct mosaic_sync s = mt_sync_arg(off, len, flags, dir);
	int ret;

	ret = mt_ioctl(bfd, MOSAIC_IOC_SYNC, &s);
	if (out)
		*out = s;
	return ret;
}

int mt_fill(int bfd, uint64_t off, uint64_t len, uint64_t seed)
{
	struct mosaic_pattern p = {
		.argsz = sizeof(p), .offset = off, .length = len, .seed = seed,
	};

	return mt_ioctl(bfd, MOSAIC_TEST_IOC_FILL, &p);
}

int mt_verify(int bfd, uint64_t off, uint64_t len, uint64_t seed,
	      uint64_t *mismatches, uint64_t *first)
{
	/* Poison the out fields so a kernel that never writes them is caught. */
	struct mosaic_pattern p = {
		.argsz = sizeof(p), .offset = off, .length = len, .seed = seed,
		.mismatches = 0xdeadbeefULL, .first_mismatch = 0xdeadbeefULL,
	};
	int ret;

	ret = mt_ioctl(bfd, MOSAIC_TEST_IOC_VERIFY, &p);
	if (mismatches)
		*mismatches = p.mismatches;
	if (first)
		*first = p.first_mismatch;
	return ret;
}

bool mt_stats_delta_is(const struct mosaic_stats *base,
		       const struct mosaic_stats *now,
		       int64_t buffers, int64_t pages, int64_t maps)
{
	bool ok = now->buffers == base->buffers + (uint64_t)buffers &&
		  now->pages == base->pages + (uint64_t)pages &&
		  now->maps == base->maps + (uint64_t)maps;

	if (!ok)
		tap_diag("ledger: buffers/pages/maps = %llu/%llu/%llu, expected "
			 "%llu/%llu/%llu (base %llu/%llu/%llu %+lld/%+lld/%+lld)",
			 ULL(now->buffers), ULL(now->pages), ULL(now->maps),
			 ULL(base->buffers + (uint64_t)buffers),
			 ULL(base->pages + (uint64_t)pages),
			 ULL(base->maps + (uint64_t)maps),
			 ULL(base->buffers), ULL(base->pages), ULL(base->maps),
			 (long long)buffers, (long long)pages, (long long)maps);
	return ok;
}

bool mt_ledger_is(int devfd, const struct mosaic_stats *base,
		  int64_t buffers, int64_t pages, int64_t maps)
{
	struct mosaic_stats now;
	int ret = mt_stats(devfd, &now);

	if (ret < 0) {
		tap_diag("STATS failed: %s", strerror(-ret));
		return false;
	}
	return mt_stats_delta_is(base, &now, buffers, pages, maps);
}

void mt_user_fill(void *map, uint64_t buf_off, uint64_t len, uint64_t seed)
{
	volatile uint64_t *w = map;

	/* volatile: the stores must really reach the shared pages. */
	for (uint64_t i = 0; i < len / 8; i++)
		w[i] = mosaic_pattern_word(seed, buf_off + i * 8);
}

uint64_t mt_user_check(const void *map, uint64_t buf_off, uint64_t len,
		       uint64_t seed, uint64_t *first_bad)
{
	const volatile uint64_t *w = map;
	uint64_t bad = 0;

	if (first_bad)
		*first_bad = UINT64_MAX;
	for (uint64_t i = 0; i < len / 8; i++) {
		if (w[i] != mosaic_pattern_word(seed, buf_off + i * 8)) {
			if (!bad && first_bad)
				*first_bad = buf_off + i * 8;
			bad++;
		}
	}
	return bad;
}

uint64_t mt_count_nonzero(const void *map, uint64_t len)
{
	const volatile uint64_t *w = map;
	uint64_t n = 0;

	for (uint64_t i = 0; i < len / 8; i++)
		n += w[i] != 0;
	return n;
}

int mt_alloc_req(int devfd, struct mosaic_alloc *req)
{
	int ret;

	req->argsz = sizeof(*req);
	req->fd = -1;
	ret = mt_ioctl(devfd, MOSAIC_IOC_ALLOC, req);
	if (ret < 0)
		return ret;
	/*
	 * The .fd out field is the documented place for the new fd; whether
	 * the ioctl's return value also carries it is checked by t01 only, so
	 * one disagreement there does not break every other test.
	 */
	if (req->fd < 0 || (ret != 0 && ret != req->fd)) {
		tap_diag("ALLOC returned %d but .fd = %d", ret, req->fd);
		return -EPROTO;
	}
	return req->fd;
}

int mt_alloc_mmio(int devfd, const char *pci, uint32_t bar, uint64_t size,
		  uint32_t strategy, uint32_t cache)
{
	struct mosaic_alloc a = {
		.size = size, .backend = MOSAIC_BACKEND_MMIO,
		.strategy = strategy, .bar = bar, .cache = cache,
		.device = (uintptr_t)pci,
	};

	return mt_alloc_req(devfd, &a);
}

int mt_alloc_knobs(int devfd, uint64_t size, uint32_t backend,
		   uint32_t strategy, uint32_t max_order, uint64_t chunk_size,
		   const char *device)
{
	struct mosaic_alloc a = {
		.size = size, .backend = backend, .strategy = strategy,
		.max_order = max_order, .chunk_size = chunk_size,
		.device = (uintptr_t)device,
	};

	return mt_alloc_req(devfd, &a);
}

int mt_alloc_matrix(int devfd, uint32_t backend, uint32_t strategy,
		    uint64_t want, uint64_t *size)
{
	int fd;

	*size = want;
	fd = mt_alloc_knobs(devfd, want, backend, strategy, 0,
			    backend == MOSAIC_BACKEND_COHERENT ? MT_MATRIX_CHUNK : 0,
			    NULL);
	return fd;
}

int mt_export(int bfd, uint64_t off, uint64_t len)
{
	struct mosaic_export e = {
		.argsz = sizeof(e), .offset = off, .length = len, .fd = -1,
	};

	return mt_fd_ioctl(bfd, MOSAIC_IOC_EXPORT, &e, &e.fd, "EXPORT");
}

int mt_dmabuf_sync(int dfd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return mt_ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s);
}

uint64_t mt_seg_index(const struct mosaic_seg_entry *ents,
		      uint64_t nr, uint64_t off)
{
	uint64_t i;

	for (i = 0; i + 1 < nr; i++)
		if (off < ents[i + 1].offset)
			break;
	return i;
}

uint64_t mt_seg_boundary(const struct mosaic_seg_entry *ents,
			 uint64_t nr, uint64_t from)
{
	for (uint64_t i = 1; i < nr; i++)
		if (ents[i].offset >= from)
			return ents[i].offset;
	return 0;
}
