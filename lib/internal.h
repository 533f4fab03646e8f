/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmosaic internals shared by its source files. Nothing here is exported.
 */
#ifndef MOSAIC_LIB_INTERNAL_H
#define MOSAIC_LIB_INTERNAL_H

#include <stddef.h>

#define mosaic_offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * Sizes of the first published version of each struct (ABI LIBMOSAIC_1.0):
 * the smallest struct_size accepted. They end at the struct's last 1.0
 * field, so they stay put when fields are added after it.
 */
#define MOSAIC_BUF_PARAMS_SIZE_V1 \
	mosaic_offsetofend(struct mosaic_buf_params, flags)
#define MOSAIC_BUF_INFO_SIZE_V1 \
	mosaic_offsetofend(struct mosaic_buf_info, order_count)
#define MOSAIC_DEV_STATS_SIZE_V1 \
	mosaic_offsetofend(struct mosaic_dev_stats, total_pages)
#define MOSAIC_FEATURES_SIZE_V1 \
	mosaic_offsetofend(struct mosaic_features, max_buffer_size)

/* LIBMOSAIC_1.1 */
#define MOSAIC_BUF_SYNC_RESULT_SIZE_V1 \
	mosaic_offsetofend(struct mosaic_buf_sync_result, nr_synced)
#define MOSAIC_BUF_SEGMENT_SIZE_V1 \
	mosaic_offsetofend(struct mosaic_buf_segment, flags)

#define MOSAIC_PARAM_MAX_BUFFER_SIZE \
	"/sys/module/mosaic/parameters/max_buffer_size"

#endif /* MOSAIC_LIB_INTERNAL_H */
