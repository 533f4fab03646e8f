// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl arguments, for /dev/mosaic's ioctls (core.c), a buffer fd's
 * (ioctl.c) and the test build's (testing.c).
 *
 * Every argument struct starts with argsz and flags. The rules follow
 * Documentation/process/botching-up-ioctls.rst: accept any size from the
 * first published version up to a page, treat bytes the caller did not
 * send as zero, refuse bytes the kernel does not know unless they are zero,
 * and refuse unknown flags and non-zero reserved fields (validate.c).
 */
#include <linux/mm.h>
#include <linux/mosaic.h>
#include <linux/uaccess.h>

#include "mosaic_internal.h"

/**
 * mosaic_copy_arg_from_user() - copy an argsz-prefixed ioctl argument
 * @karg: kernel copy, @ksize bytes
 * @ksize: size of the struct this kernel knows
 * @min_size: size of the struct's first published version
 * @uarg: user pointer; its first __u32 is the caller's argsz
 *
 * Return: 0, -EFAULT, -EINVAL if argsz is below @min_size, or -E2BIG if
 * argsz is above a page or the caller's tail holds non-zero bytes this
 * kernel does not understand.
 */
int mosaic_copy_arg_from_user(void *karg, size_t ksize, size_t min_size,
			      const void __user *uarg)
{
	u32 argsz;

	if (get_user(argsz, (const u32 __user *)uarg))
		return -EFAULT;
	if (argsz < min_size)
		return -EINVAL;
	if (argsz > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(karg, ksize, uarg, argsz);
}

/**
 * mosaic_copy_arg_to_user() - copy an ioctl result back
 * @uarg: user pointer the argument came from
 * @karg: kernel copy, @ksize bytes, whose argsz is the caller's
 * @ksize: size of the struct this kernel knows
 *
 * Copies no more than the caller said it has room for.
 *
 * Return: 0 or -EFAULT.
 */
int mosaic_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize)
{
	u32 argsz = *(const u32 *)karg;

	if (copy_to_user(uarg, karg, min_t(size_t, argsz, ksize)))
		return -EFAULT;
	return 0;
}

/*
 * Each ioctl number encodes the size of its struct's first version, and
 * that size never changes (linux/mosaic.h): argsz carries the growth.
 */
static_assert(_IOC_SIZE(MOSAIC_IOC_ALLOC) == MOSAIC_ALLOC_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_IOC_STATS) == MOSAIC_STATS_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_IOC_INFO) == MOSAIC_INFO_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_IOC_SYNC) == MOSAIC_SYNC_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_IOC_EXPORT) == MOSAIC_EXPORT_SIZE_VER0);
static_assert(_IOC_SIZE(MOSAIC_IOC_SEGMENTS) == MOSAIC_SEGMENTS_SIZE_VER0);
static_assert(sizeof(struct mosaic_seg_entry) == MOSAIC_SEG_ENTRY_SIZE_VER0);
