/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario of the planted sync bugs: data through the edu device in
 * both directions, with the syncs the driver makes around each transfer.
 * It can only catch a sync bug where a sync does something: check-planted
 * boots with swiotlb=force and no IOMMU, so every streaming mapping
 * bounces. In any other world the program skips, so that the proof tier
 * fails ("went unnoticed") instead of passing on a bug nothing could see.
 */
#ifndef MOSAIC_TESTS_SYNC_ROUNDTRIP_H
#define MOSAIC_TESTS_SYNC_ROUNDTRIP_H

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "planted.h"
#include "tap.h"

#define SYNC_RT_SIZE	(64 * 1024UL)

static inline int sync_roundtrip(const char *bug)
{
	struct mosaic_edu_dma d;
	struct edu_setup s;
	uint64_t bad;
	int edu, bfd, ret;
	char *m;

	edu = edu_setup(&s);
	if (edu < 0 || !s.bounce) {
		printf("1..0 # SKIP needs the edu device with bouncing DMA (swiotlb=force, no IOMMU): elsewhere a sync bug is invisible\n");
		return 77;
	}
	plant_or_bail(bug);
	bfd = edu_alloc(edu, SYNC_RT_SIZE, MOSAIC_BACKEND_STREAMING,
			MOSAIC_STRATEGY_AUTO, 0, 0);
	m = bfd < 0 ? MAP_FAILED : mmap(NULL, SYNC_RT_SIZE,
					PROT_READ | PROT_WRITE, MAP_SHARED,
					bfd, 0);
	tap_ok(m != MAP_FAILED, "edu streaming buffer, mapped (%s)",
	       mt_errname(bfd));
	if (m == MAP_FAILED)
		goto out;
	mt_user_fill(m, 0, 8192, 0x5151);
	ret = edu_dma(bfd, 0, 8192, 0x5151, MOSAIC_EDU_FROM_RAM, &d);
	tap_ok(ret == 0 && d.mismatches == 0,
	       "the CPU writes, the device reads it (%s, %llu mismatches)",
	       mt_errname(ret), ULL(d.mismatches));
	ret = edu_dma(bfd, 0, 8192, 0x5252, MOSAIC_EDU_TO_RAM, &d);
	bad = mt_user_check(m, 0, 8192, 0x5252, NULL);
	tap_ok(ret == 0 && bad == 0,
	       "the device writes, the CPU reads it (%s, %llu bad words)",
	       mt_errname(ret), ULL(bad));
	munmap(m, SYNC_RT_SIZE);
out:
	if (bfd >= 0)
		close(bfd);
	close(edu);
	plant("none");
	tap_done();
	return tap_exit();
}

#endif
