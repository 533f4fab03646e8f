// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl stats: the module's page ledger.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mosaicctl.h"

int cmd_stats(struct ctl *c)
{
	struct mosaic_dev_stats st = { .struct_size = sizeof(st) };
	struct mosaic_dev *dev;
	struct json j = { 0 };
	int ret;

	ret = open_dev(c, &dev);
	if (ret)
		return ret;
	ret = mosaic_dev_stats(dev, &st);
	mosaic_dev_close(dev);
	if (ret)
		return fail(c, EXIT_SYSTEM, ret, "STATS failed: %s (%s)",
			    strerror(-ret), err_name(ret));
	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_str(&j, "command", c->cmd);
		json_u64(&j, "buffers", st.buffers);
		json_u64(&j, "pages", st.pages);
		json_u64(&j, "maps", st.maps);
		json_u64(&j, "total_buffers", st.total_buffers);
		json_u64(&j, "total_pages", st.total_pages);
		json_obj_end(&j);
		return EXIT_OK;
	}
	printf("buffers        %" PRIu64 "\n", st.buffers);
	printf("pages          %" PRIu64 "\n", st.pages);
	printf("maps           %" PRIu64 "\n", st.maps);
	printf("total buffers  %" PRIu64 " (since the module was loaded)\n",
	       st.total_buffers);
	printf("total pages    %" PRIu64 "\n", st.total_pages);
	return EXIT_OK;
}
