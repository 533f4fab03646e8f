// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl export: export a range of a buffer as a dma-buf and check the
 * pattern through the dma-buf's own mapping.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "mosaicctl.h"

/* DMA_BUF_IOCTL_SYNC with EINTR/EAGAIN retried: 0 or -errno. */
static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };
	int ret;

	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

int cmd_export(struct ctl *c)
{
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	uint64_t off, len, i, bad = 0, first_bad = UINT64_MAX;
	const volatile uint64_t *words;
	char sz[32], how[48];
	int ret, dfd = -1;
	bool filled;
	void *map;

	ret = parse_range(c, &off, &len);
	if (ret)
		return ret;
	if (off % (uint64_t)sysconf(_SC_PAGESIZE) ||
	    len % (uint64_t)sysconf(_SC_PAGESIZE))
		return fail(c, EXIT_USAGE, 0,
			    "--offset and --length must be page aligned");
	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	ret = pattern_fill(buf, &info, 3, &filled);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "fill failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out;
	}
	ret = mosaic_buf_export(buf, off, len, &dfd);
	if (ret) {
		int code = ret == -EOPNOTSUPP ? EXIT_UNSUPPORTED :
			   ret == -EINVAL ? EXIT_REFUSED : EXIT_SYSTEM;

		if (ret == -EOPNOTSUPP)
			ret = fail(c, code, ret,
				   "backend %s cannot be exported as a dma-buf (EOPNOTSUPP)",
				   mosaic_backend_name(info.backend));
		else
			ret = fail(c, code, ret,
				   "export of %" PRIu64 " bytes at offset %#" PRIx64 " of the %s buffer failed: %s (%s)",
				   len, off, fmt_size(info.size, sz, sizeof(sz)),
				   strerror(-ret), err_name(ret));
		goto out;
	}
	if (!len)
		len = info.size - off;
	map = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, dfd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		ret = fail(c, EXIT_SYSTEM, ret, "mmap of the dma-buf failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out_fd;
	}
	words = map;
	ret = dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	if (!ret && filled) {
		for (i = 0; i < len; i += 8)
			if (words[i / 8] != mosaic_pattern_word(3, off + i)) {
				if (!bad++)
					first_bad = off + i;
			}
	}
	if (!ret)
		ret = dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(map, (size_t)len);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "DMA_BUF_IOCTL_SYNC failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out_fd;
	}
	if (c->json) {
		json_range_head(&j, c, !bad, &info, off, len);
		json_bool(&j, "checked", filled);
		json_u64(&j, "mismatches", bad);
		if (bad)
			json_u64(&j, "first_mismatch", first_bad);
		else
			json_null(&j, "first_mismatch");
		json_obj_end(&j);
	} else {
		snprintf(how, sizeof(how), " as dma-buf fd %d", dfd);
		print_range_head("exported", off, len, &info, how);
		if (bad)
			printf("dma-buf mmap: %" PRIu64 " mismatches, first at %#" PRIx64 "\n",
			       bad, first_bad);
		else
			printf("dma-buf mmap: %s\n", filled ?
			       "pattern ok (kernel wrote, user read through the dma-buf)" :
			       "mapped (not checked: the kernel cannot write this backend)");
	}
	ret = bad ? EXIT_CHECK : EXIT_OK;
out_fd:
	close(dfd);
out:
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	return ret;
}
