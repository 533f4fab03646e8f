// SPDX-License-Identifier: GPL-2.0
/*
 * t23_libmosaic_1_1: the functions of LIBMOSAIC_1.1 against the real
 * module: sync, dma-buf export (also refused for mmio buffers) and the
 * segment table, and the ledger and fd table being back where they
 * started at the end. t20_libmosaic covers LIBMOSAIC_1.0.
 */
#include "libmosaic_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "ivshmem.h"
#include "tap.h"

/* A caller built against a newer libmosaic: one more field at the end. */
struct sync_result_v2 {
	struct mosaic_buf_sync_result v1;
	uint64_t future;
};

struct segment_v2 {
	struct mosaic_buf_segment v1;
	uint64_t future;
};

static void test_sync(struct mosaic_dev *dev, const struct mosaic_stats *base)
{
	struct mosaic_buf_params p = params(SIZE1, MOSAIC_BACKEND_PAGES,
					    MOSAIC_STRATEGY_AUTO);
	struct mosaic_buf_sync_result r = { .struct_size = sizeof(r) };
	struct mosaic_buf_info info = { .struct_size = sizeof(info) };
	struct sync_result_v2 big;
	struct mosaic_buf *buf;
	const enum mosaic_sync_dir rw = MOSAIC_SYNC_RW;
	int ret;

	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (!tap_ok(ret == 0, "sync: buf_alloc 1 MiB pages (%s)", mt_errname(ret)))
		return;
	mosaic_buf_info(buf, &info);

	ret = mosaic_buf_sync(buf, 0, SIZE1, rw, MOSAIC_SYNC_BEGIN, &r);
	tap_ok(ret == 0 && r.struct_size == sizeof(r) && r.first_segment == 0 &&
	       r.nr_segments == info.nr_segments && r.nr_synced <= r.nr_segments,
	       "buf_sync of the whole buffer: segments 0..%llu of %llu, %llu synced (%s)",
	       ULL(r.nr_segments), ULL(info.nr_segments), ULL(r.nr_synced),
	       mt_errname(ret));
	ret = mosaic_buf_sync(buf, 0, SIZE1, rw, MOSAIC_SYNC_END, NULL);
	tap_ok(ret == 0, "buf_sync END with a NULL result works (%s)", mt_errname(ret));
	/* pages: every page is its own segment. */
	ret = mosaic_buf_sync(buf, 3 * MT_PAGE + 8, 16, MOSAIC_SYNC_READ,
			      MOSAIC_SYNC_BEGIN, &r);
	tap_ok(ret == 0 && r.first_segment == 3 && r.nr_segments == 1,
	       "buf_sync of 16 bytes in page 3 touches segment 3 only (%llu, %llu, %s)",
	       ULL(r.first_segment), ULL(r.nr_segments), mt_errname(ret));
	ret = mosaic_buf_sync(buf, MT_PAGE - 8, 16, MOSAIC_SYNC_WRITE,
			      MOSAIC_SYNC_END, &r);
	tap_ok(ret == 0 && r.first_segment == 0 && r.nr_segments == 2,
	       "buf_sync across a page boundary touches two segments (%llu, %s)",
	       ULL(r.nr_segments), mt_errname(ret));

	memset(&big, 0xff, sizeof(big));
	big.v1.struct_size = sizeof(big);
	ret = mosaic_buf_sync(buf, 0, MT_PAGE, rw, MOSAIC_SYNC_BEGIN, &big.v1);
	tap_ok(ret == 0 && big.future == 0 && big.v1.struct_size == sizeof(big) &&
	       big.v1.nr_segments == 1,
	       "buf_sync: a newer caller's result gets its unknown field zeroed");
	r.struct_size = sizeof(size_t);
	tap_ok(mosaic_buf_sync(buf, 0, MT_PAGE, rw, MOSAIC_SYNC_BEGIN, &r) == -EINVAL,
	       "buf_sync with a short result struct is -EINVAL");
	r.struct_size = sizeof(r);

	tap_ok(mosaic_buf_sync(buf, 0, MT_PAGE, (enum mosaic_sync_dir)0,
			       MOSAIC_SYNC_BEGIN, NULL) == -EINVAL &&
	       mosaic_buf_sync(buf, 0, MT_PAGE, (enum mosaic_sync_dir)4,
			       MOSAIC_SYNC_BEGIN, NULL) == -EINVAL,
	       "buf_sync with a bad direction (0, 4) is -EINVAL");
	tap_ok(mosaic_buf_sync(buf, 0, MT_PAGE, rw, 0, NULL) == -EINVAL &&
	       mosaic_buf_sync(buf, 0, MT_PAGE, rw,
			       MOSAIC_SYNC_BEGIN | MOSAIC_SYNC_END, NULL) == -EINVAL &&
	       mosaic_buf_sync(buf, 0, MT_PAGE, rw, 1u << 7, NULL) == -EINVAL,
	       "buf_sync flags: neither, both or unknown are -EINVAL");
	tap_ok(mosaic_buf_sync(buf, 0, 0, rw, MOSAIC_SYNC_BEGIN, NULL) == -EINVAL,
	       "buf_sync of length 0 is -EINVAL");
	tap_ok(mosaic_buf_sync(buf, SIZE1 - 8, 16, rw, MOSAIC_SYNC_BEGIN, NULL) == -EINVAL &&
	       mosaic_buf_sync(buf, SIZE1, 8, rw, MOSAIC_SYNC_BEGIN, NULL) == -EINVAL &&
	       mosaic_buf_sync(buf, UINT64_MAX - 7, 16, rw, MOSAIC_SYNC_BEGIN, NULL) == -EINVAL,
	       "buf_sync out of range (past the end, at the end, wrapping) is -EINVAL");
	tap_ok(mosaic_buf_sync(NULL, 0, MT_PAGE, rw, MOSAIC_SYNC_BEGIN, NULL) == -EINVAL,
	       "buf_sync(NULL buf) is -EINVAL");
	mosaic_buf_close(buf);

	/* A backend with a streaming DMA mapping: the sync walks it. */
	p = params(SIZE1, MOSAIC_BACKEND_STREAMING, MOSAIC_STRATEGY_AUTO);
	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (ret == 0) {
		mosaic_buf_info(buf, &info);
		ret = mosaic_buf_sync(buf, 0, SIZE1, MOSAIC_SYNC_READ,
				      MOSAIC_SYNC_BEGIN, &r);
		tap_ok(ret == 0 && r.nr_segments == info.nr_segments &&
		       r.nr_synced <= r.nr_segments,
		       "buf_sync on streaming: %llu segments, %llu synced (%s)",
		       ULL(r.nr_segments), ULL(r.nr_synced), mt_errname(ret));
		mosaic_buf_close(buf);
	} else {
		tap_ok(false, "buf_alloc streaming for sync (%s)", mt_errname(ret));
	}
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0),
	       "sync: ledger back after buf_close");
}

static void test_export(struct mosaic_dev *dev, const struct mosaic_stats *base)
{
	struct mosaic_buf_params p = params(SIZE1, MOSAIC_BACKEND_PAGES,
					    MOSAIC_STRATEGY_AUTO);
	struct dma_buf_sync ds = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct mosaic_buf *buf;
	int ret, dfd = 1234, fl;
	void *map;

	tap_ok(mosaic_buf_export(NULL, 0, 0, &dfd) == -EINVAL && dfd == -1 &&
	       mosaic_buf_export(NULL, 0, 0, NULL) == -EINVAL,
	       "buf_export(NULL buf / NULL fd) is -EINVAL, *fd set to -1");
	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (!tap_ok(ret == 0, "export: buf_alloc 1 MiB pages (%s)", mt_errname(ret)))
		return;
	mosaic_buf_fill(buf, 0, SIZE1, 0x3003);

	ret = mosaic_buf_export(buf, 0, 0, &dfd);
	if (!tap_ok(ret == 0 && dfd >= 0, "buf_export of the whole buffer gives a dma-buf fd (%d, %s)",
		    dfd, mt_errname(ret)))
		goto out;
	fl = fcntl(dfd, F_GETFD);
	tap_ok(fl >= 0 && (fl & FD_CLOEXEC), "the dma-buf fd is close-on-exec");
	map = mmap(NULL, SIZE1, PROT_READ, MAP_SHARED, dfd, 0);
	if (tap_ok(map != MAP_FAILED, "mmap of the dma-buf fd")) {
		ret = ioctl(dfd, DMA_BUF_IOCTL_SYNC, &ds);
		tap_ok(ret == 0 && mt_user_check(map, 0, SIZE1, 0x3003, NULL) == 0,
		       "DMA_BUF_IOCTL_SYNC start works and the dma-buf mapping shows the kernel's pattern");
		ds.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		tap_ok(ioctl(dfd, DMA_BUF_IOCTL_SYNC, &ds) == 0, "DMA_BUF_IOCTL_SYNC end works");
		munmap(map, SIZE1);
	}
	/* The dma-buf holds its own reference on the buffer. */
	mosaic_buf_close(buf);
	buf = NULL;
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 1, NPAGES1, 0),
	       "the dma-buf keeps the buffer alive after buf_close");
	close(dfd);
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0),
	       "closing the dma-buf fd frees the buffer");

	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (ret)
		return;
	mosaic_buf_fill(buf, 0, SIZE1, 0x3004);
	ret = mosaic_buf_export(buf, MT_PAGE, 2 * MT_PAGE, &dfd);
	if (tap_ok(ret == 0, "buf_export of pages 1-2 (%s)", mt_errname(ret))) {
		map = mmap(NULL, 2 * MT_PAGE, PROT_READ, MAP_SHARED, dfd, 0);
		tap_ok(map != MAP_FAILED &&
		       mt_user_check(map, MT_PAGE, 2 * MT_PAGE, 0x3004, NULL) == 0,
		       "the sub-range dma-buf maps the buffer's pages 1-2");
		if (map != MAP_FAILED)
			munmap(map, 2 * MT_PAGE);
		close(dfd);
	}
	tap_ok(mosaic_buf_export(buf, 100, MT_PAGE, &dfd) == -EINVAL && dfd == -1 &&
	       mosaic_buf_export(buf, 0, 100, &dfd) == -EINVAL,
	       "buf_export of an unaligned range is -EINVAL");
	tap_ok(mosaic_buf_export(buf, SIZE1 - MT_PAGE, 2 * MT_PAGE, &dfd) == -EINVAL &&
	       mosaic_buf_export(buf, SIZE1 + MT_PAGE, 0, &dfd) == -EINVAL,
	       "buf_export out of range is -EINVAL");
out:
	mosaic_buf_close(buf);
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0),
	       "export: ledger back at the end");
}

static void test_segments(struct mosaic_dev *dev, const struct mosaic_stats *base)
{
	struct mosaic_buf_params p = params(SIZE1, MOSAIC_BACKEND_PAGES,
					    MOSAIC_STRATEGY_AUTO);
	struct mosaic_buf_info info = { .struct_size = sizeof(info) };
	struct mosaic_buf_segment *segs, one[3];
	struct segment_v2 big[2];
	uint64_t total = 0, next = 0;
	struct mosaic_buf *buf;
	bool ok = true;
	int ret, i;

	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (!tap_ok(ret == 0, "segments: buf_alloc 1 MiB pages (%s)", mt_errname(ret)))
		return;
	mosaic_buf_info(buf, &info);
	segs = mt_xcalloc(info.nr_segments + 1, sizeof(*segs));

	/* More than one batch of the library's ioctl loop (256 pages). */
	ret = mosaic_buf_segments(buf, 0, segs, info.nr_segments + 1,
				  sizeof(*segs), &total);
	for (i = 0; ret > 0 && i < ret; i++) {
		if (segs[i].offset != next || !segs[i].length ||
		    ((segs[i].flags & MOSAIC_SEG_ADDR_HIDDEN) ? segs[i].phys != 0 :
								 segs[i].phys == 0))
			ok = false;
		next += segs[i].length;
	}
	tap_ok(ret == (int)info.nr_segments && total == info.nr_segments && ok &&
	       next == SIZE1,
	       "buf_segments copies all %llu segments, in order, covering the buffer (%d, %s)",
	       ULL(info.nr_segments), ret, ret < 0 ? mt_errname(ret) : "ok");
	tap_ok(ret > 0 && segs[0].order == 0 && !(segs[0].flags & MOSAIC_SEG_HAS_DMA),
	       "pages: order-0 segments without a DMA address (flags %#x)",
	       ret > 0 ? segs[0].flags : 0);

	ret = mosaic_buf_segments(buf, 2, one, 3, sizeof(one[0]), NULL);
	tap_ok(ret == 3 && one[0].offset == segs[2].offset &&
	       one[2].offset == segs[4].offset,
	       "buf_segments from index 2, count 3 (%d)", ret);
	total = 0;
	ret = mosaic_buf_segments(buf, 0, NULL, 0, 0, &total);
	tap_ok(ret == 0 && total == info.nr_segments,
	       "buf_segments with count 0 only reports the total (%llu)", ULL(total));
	ret = mosaic_buf_segments(buf, info.nr_segments, one, 3, sizeof(one[0]), NULL);
	tap_ok(ret == 0, "buf_segments past the last segment writes nothing (%d)", ret);

	memset(big, 0xff, sizeof(big));
	ret = mosaic_buf_segments(buf, 0, &big[0].v1, 2, sizeof(big[0]), NULL);
	tap_ok(ret == 2 && big[0].future == 0 && big[1].future == 0 &&
	       big[1].v1.offset == segs[1].offset,
	       "buf_segments: a newer caller's bigger entries get their unknown field zeroed");
	tap_ok(mosaic_buf_segments(buf, 0, one, 3, sizeof(one[0]) - 4, NULL) == -EINVAL &&
	       mosaic_buf_segments(buf, 0, NULL, 3, sizeof(one[0]), NULL) == -EINVAL &&
	       mosaic_buf_segments(NULL, 0, one, 3, sizeof(one[0]), NULL) == -EINVAL,
	       "buf_segments: short entries, NULL array or NULL buf are -EINVAL");
	mt_xfree(segs, info.nr_segments + 1, sizeof(*segs));
	mosaic_buf_close(buf);
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0),
	       "segments: ledger back after buf_close");
}

/* mmio through the library: bar/cache in the params, export refused. */
static void test_mmio(struct mosaic_dev *dev)
{
	struct mosaic_buf_params p = params(MT_PAGE, MOSAIC_BACKEND_MMIO,
					    MOSAIC_STRATEGY_AUTO);
	struct mosaic_buf *buf;
	char pci[32];
	int ret, dfd;

	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL, "buf_alloc mmio without a PCI device is -EINVAL (%s)",
	       mt_errname(ret));
	if (mt_find_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE, pci, sizeof(pci)) < 0) {
		tap_skip("no ivshmem-plain device", "buf_alloc mmio with bar/cache");
		tap_skip("no ivshmem-plain device", "buf_export of mmio is -EOPNOTSUPP");
		return;
	}
	p.device = pci;
	p.bar = IVSHMEM_BAR;
	p.cache = MOSAIC_CACHE_WC;
	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (!tap_ok(ret == 0, "buf_alloc mmio of %s BAR %d, write-combining (%s)",
		    pci, IVSHMEM_BAR, mt_errname(ret))) {
		tap_skip("no mmio buffer", "buf_export of mmio is -EOPNOTSUPP");
		return;
	}
	ret = mosaic_buf_export(buf, 0, 0, &dfd);
	tap_ok(ret == -EOPNOTSUPP && dfd == -1, "buf_export of mmio is -EOPNOTSUPP (%s)",
	       mt_errname(ret));
	mosaic_buf_close(buf);
}

int main(void)
{
	struct mosaic_stats base;
	struct mosaic_dev *dev;
	int fds_before, ret;

	tap_diag("t23_libmosaic_1_1: LIBMOSAIC_1.1 against the module");
	fds_before = mt_count_fds();
	close(mt_open_dev_baseline(&base));
	ret = mosaic_dev_open(NULL, &dev);
	if (ret)
		tap_bail("mosaic_dev_open: %s", mt_errname(ret));
	test_sync(dev, &base);
	test_export(dev, &base);
	test_segments(dev, &base);
	test_mmio(dev);
	return lib_test_end(dev, &base, fds_before);
}
