// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl info: allocate a buffer and show its segment table and the
 * histogram of its segments' page orders.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "mosaicctl.h"

int cmd_info(struct ctl *c)
{
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	uint64_t most = 0;
	char sz[32], seg[32];
	int ret, k;

	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);

	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_buf_head(&j, c, &info);
		json_u64(&j, "segments", info.nr_segments);
		json_u64(&j, "adjacent", info.nr_adjacent);
		json_u64(&j, "runs", info.nr_runs);
		json_u64(&j, "maps", info.nr_maps);
		json_arr(&j, "order_count");
		for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++)
			json_u64(&j, NULL, info.order_count[k]);
		json_arr_end(&j);
		json_str(&j, "huge_mode", huge_mode_name(info.huge_mode));
		json_u64(&j, "pmd_bytes", info.pmd_bytes);
		json_obj_end(&j);
		return EXIT_OK;
	}

	printf("buffer     %s, backend %s, strategy %s\n",
	       fmt_size(info.size, sz, sizeof(sz)),
	       mosaic_backend_name(info.backend),
	       mosaic_strategy_name(info.strategy));
	printf("segments   %" PRIu64 "\n", info.nr_segments);
	printf("adjacent   %" PRIu64 " (start where the previous segment ends)\n",
	       info.nr_adjacent);
	printf("runs       %" PRIu64 " (physically contiguous once merged)\n",
	       info.nr_runs);
	if (info.huge_mode != MOSAIC_HUGE_NONE)
		printf("huge       %s, %s in PMD-mappable 2 MiB blocks\n",
		       huge_mode_name(info.huge_mode),
		       fmt_size(info.pmd_bytes, sz, sizeof(sz)));
	printf("\norder  segment size  segments\n");
	for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++)
		if (info.order_count[k] > most)
			most = info.order_count[k];
	for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++) {
		int bar;

		if (!info.order_count[k])
			continue;
		bar = (int)((info.order_count[k] * 40 + most - 1) / most);
		printf("%5d  %12s  %8" PRIu64 "  %.*s\n", k,
		       fmt_size((uint64_t)sysconf(_SC_PAGESIZE) << k, seg,
				sizeof(seg)),
		       info.order_count[k], bar,
		       "########################################");
	}
	return EXIT_OK;
}
