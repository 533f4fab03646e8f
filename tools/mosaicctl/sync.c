// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl sync: sync a range of a buffer for the CPU and show which
 * segments it touched and how many needed cache maintenance.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mosaicctl.h"

int cmd_sync(struct ctl *c)
{
	struct mosaic_buf_sync_result r = { .struct_size = sizeof(r) };
	enum mosaic_sync_dir dir = MOSAIC_SYNC_RW;
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	uint64_t off, len;
	const char *dname = "rw";
	char sz[32], how[48];
	bool filled;
	int ret;

	ret = parse_range(c, &off, &len);
	if (ret)
		return ret;
	if (c->direction_arg) {
		dname = c->direction_arg;
		if (!strcmp(dname, "read"))
			dir = MOSAIC_SYNC_READ;
		else if (!strcmp(dname, "write"))
			dir = MOSAIC_SYNC_WRITE;
		else if (!strcmp(dname, "rw"))
			dir = MOSAIC_SYNC_RW;
		else
			return fail(c, EXIT_USAGE, 0,
				    "--direction %s: one of read, write, rw", dname);
	}
	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	if (!c->length_arg && off < info.size)
		len = info.size - off;
	ret = pattern_fill(buf, &info, 1, &filled);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "fill failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out;
	}
	ret = mosaic_buf_sync(buf, off, len, dir, MOSAIC_SYNC_BEGIN, &r);
	if (!ret)
		ret = mosaic_buf_sync(buf, off, len, dir, MOSAIC_SYNC_END, NULL);
	if (ret == -EINVAL) {
		ret = fail(c, EXIT_REFUSED, ret,
			   "sync of %" PRIu64 " bytes at offset %#" PRIx64 " refused: the range must be non-empty and inside the %s buffer (EINVAL)",
			   len, off, fmt_size(info.size, sz, sizeof(sz)));
		goto out;
	}
	if (ret) {
		ret = fail(c, ret == -EOPNOTSUPP ? EXIT_UNSUPPORTED : EXIT_SYSTEM,
			   ret, "sync failed: %s (%s)", strerror(-ret),
			   err_name(ret));
		goto out;
	}
	if (c->json) {
		json_range_head(&j, c, true, &info, off, len);
		json_str(&j, "direction", dname);
		json_bool(&j, "filled", filled);
		json_u64(&j, "segments", info.nr_segments);
		json_u64(&j, "first_segment", r.first_segment);
		json_u64(&j, "nr_segments", r.nr_segments);
		json_u64(&j, "nr_synced", r.nr_synced);
		json_obj_end(&j);
	} else {
		snprintf(how, sizeof(how), " (%s)", dname);
		print_range_head("synced", off, len, &info, how);
		printf("first_segment  %" PRIu64 "\n", r.first_segment);
		printf("nr_segments    %" PRIu64 " (of %" PRIu64 ")\n",
		       r.nr_segments, info.nr_segments);
		printf("nr_synced      %" PRIu64 " (needed cache maintenance)\n",
		       r.nr_synced);
	}
	ret = EXIT_OK;
out:
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	return ret;
}
