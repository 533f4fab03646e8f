// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-numbers: every ioctl number of mosaic's uapi headers, decoded.
 *
 * One line per ioctl: name, direction (r, w, rw or none), magic, number,
 * the size the number encodes, the size of its struct's first version
 * (the *_SIZE_VER0 constant) and the size of the struct as this header
 * defines it. h09_abi checks the lines; this program only prints them.
 */
#include <stdio.h>
#include <sys/ioctl.h>

#include <linux/mosaic.h>
#include <linux/mosaic_edu.h>
#include <linux/mosaic_testing.h>

#define IOCTL(name, ver0, type) { #name, name, ver0, sizeof(type) }

static const struct {
	const char *name;
	unsigned long nr;
	unsigned long ver0;
	unsigned long size;
} ioctls[] = {
	IOCTL(MOSAIC_IOC_ALLOC, MOSAIC_ALLOC_SIZE_VER0, struct mosaic_alloc),
	IOCTL(MOSAIC_IOC_STATS, MOSAIC_STATS_SIZE_VER0, struct mosaic_stats),
	IOCTL(MOSAIC_IOC_INFO, MOSAIC_INFO_SIZE_VER0, struct mosaic_info),
	IOCTL(MOSAIC_IOC_SYNC, MOSAIC_SYNC_SIZE_VER0, struct mosaic_sync),
	IOCTL(MOSAIC_IOC_EXPORT, MOSAIC_EXPORT_SIZE_VER0, struct mosaic_export),
	IOCTL(MOSAIC_IOC_SEGMENTS, MOSAIC_SEGMENTS_SIZE_VER0, struct mosaic_segments),
	IOCTL(MOSAIC_TEST_IOC_FILL, MOSAIC_PATTERN_SIZE_VER0, struct mosaic_pattern),
	IOCTL(MOSAIC_TEST_IOC_VERIFY, MOSAIC_PATTERN_SIZE_VER0, struct mosaic_pattern),
	IOCTL(MOSAIC_TEST_IOC_REFS, MOSAIC_REFS_SIZE_VER0, struct mosaic_refs),
	IOCTL(MOSAIC_EDU_IOC_ALLOC, MOSAIC_EDU_ALLOC_SIZE_VER0, struct mosaic_edu_alloc),
	IOCTL(MOSAIC_EDU_IOC_DMA, MOSAIC_EDU_DMA_SIZE_VER0, struct mosaic_edu_dma),
	IOCTL(MOSAIC_EDU_IOC_INFO, MOSAIC_EDU_INFO_SIZE_VER0, struct mosaic_edu_info),
	IOCTL(MOSAIC_EDU_IOC_IMPORT, MOSAIC_EDU_IMPORT_SIZE_VER0, struct mosaic_edu_import),
	IOCTL(MOSAIC_EDU_IOC_EXPORT, MOSAIC_EDU_EXPORT_SIZE_VER0, struct mosaic_edu_export),
};

int main(void)
{
	static const char *const dirs[] = { "none", "w", "r", "rw" };
	unsigned int i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		printf("%s %s %#x %#x %u %lu %lu\n", ioctls[i].name,
		       dirs[_IOC_DIR(ioctls[i].nr)],
		       (unsigned int)_IOC_TYPE(ioctls[i].nr),
		       (unsigned int)_IOC_NR(ioctls[i].nr),
		       (unsigned int)_IOC_SIZE(ioctls[i].nr),
		       ioctls[i].ver0, ioctls[i].size);
	return 0;
}
