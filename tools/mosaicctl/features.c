// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl features: which backends and strategies this kernel and
 * module support, how strategy huge maps each backend's 2 MiB blocks, and
 * the module's size limit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mosaicctl.h"

int cmd_features(struct ctl *c)
{
	struct mosaic_features f = { .struct_size = sizeof(f) };
	struct mosaic_dev *dev;
	struct json j = { 0 };
	char lim[32];
	int ret, b, s;

	ret = open_dev(c, &dev);
	if (ret)
		return ret;
	ret = mosaic_features(dev, &f);
	mosaic_dev_close(dev);
	if (ret)
		return fail(c, EXIT_SYSTEM, ret, "probing features failed: %s (%s)",
			    strerror(-ret), err_name(ret));

	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_str(&j, "command", c->cmd);
		json_str(&j, "device", c->dev_path ? c->dev_path : MOSAIC_DEVICE_PATH);
		if (f.max_buffer_size)
			json_u64(&j, "max_buffer_size", f.max_buffer_size);
		else
			json_null(&j, "max_buffer_size");
		json_arr(&j, "backends");
		for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++) {
			json_obj(&j, NULL);
			json_str(&j, "name", mosaic_backend_name((enum mosaic_backend)b));
			json_u64(&j, "value", (uint64_t)b);
			json_bool(&j, "supported", f.backends & (1u << b));
			if (f.backend_error[b])
				json_str(&j, "error", err_name(f.backend_error[b]));
			else
				json_null(&j, "error");
			json_str(&j, "huge_mode", huge_mode_name(f.huge_mode[b]));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr(&j, "strategies");
		for (s = 1; mosaic_strategy_name((enum mosaic_strategy)s); s++) {
			json_obj(&j, NULL);
			json_str(&j, "name", mosaic_strategy_name((enum mosaic_strategy)s));
			json_u64(&j, "value", (uint64_t)s);
			json_bool(&j, "supported", f.strategies & (1u << s));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		return EXIT_OK;
	}

	printf("%-12s %s\n", "backend", "status");
	for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++) {
		const char *name = mosaic_backend_name((enum mosaic_backend)b);
		int err = f.backend_error[b];

		if (f.backends & (1u << b))
			printf("%-12s supported\n", name);
		else if (err == -EOPNOTSUPP)
			printf("%-12s not supported by this kernel (EOPNOTSUPP)\n", name);
		else if (b == MOSAIC_BACKEND_MMIO && err == -ENODEV)
			printf("%-12s not probed: needs --pci-device with a memory BAR\n",
			       name);
		else
			printf("%-12s failed: %s (%s)\n", name, strerror(-err),
			       err_name(err));
	}
	printf("\n%-12s %s\n", "strategy", "status");
	for (s = 1; mosaic_strategy_name((enum mosaic_strategy)s); s++)
		printf("%-12s %s\n", mosaic_strategy_name((enum mosaic_strategy)s),
		       f.strategies & (1u << s) ? "supported" : "not supported");
	printf("\n%-12s %s\n", "huge", "mode (how strategy huge maps 2 MiB blocks)");
	for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++)
		if (f.backends & (1u << b))
			printf("%-12s %s\n",
			       mosaic_backend_name((enum mosaic_backend)b),
			       huge_mode_name(f.huge_mode[b]));
	if (f.max_buffer_size)
		printf("\nmax_buffer_size %" PRIu64 " (%s)\n", f.max_buffer_size,
		       fmt_size(f.max_buffer_size, lim, sizeof(lim)));
	return EXIT_OK;
}
