/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test build's interface (testing.c, linux/mosaic_testing.h).
 *
 * A module built with MOSAIC_TESTING=y answers the inspection ioctls; in
 * every other build mosaic_testing_ioctl() is a constant -ENOTTY and none
 * of the code exists.
 */
#ifndef _MOSAIC_TESTING_H
#define _MOSAIC_TESTING_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>

struct mosaic_buf;

#ifdef MOSAIC_TESTING
struct mosaic_pattern;
struct mosaic_refs;

long mosaic_testing_ioctl(struct mosaic_buf *buf, unsigned int cmd,
			  void __user *uarg);
int mosaic_validate_pattern(const struct mosaic_pattern *p, u64 size);
int mosaic_validate_refs(const struct mosaic_refs *r, u64 size);
#else
static inline long mosaic_testing_ioctl(struct mosaic_buf *buf,
					unsigned int cmd, void __user *uarg)
{
	return -ENOTTY;
}
#endif

#endif /* _MOSAIC_TESTING_H */
