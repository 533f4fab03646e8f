/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the planted-bug programs: switch a bug of the test-only module
 * on (or off) through its plant_bug parameter.
 *
 * Each program runs an ordinary scenario with ordinary assertions. Against
 * the planted module they are EXPECTED to fail, or the kernel log to show
 * a report: vm/check-planted turns "this program failed" into "the bug was
 * caught" and "this program passed" into a failure of the proof tier.
 */
#ifndef MOSAIC_TESTS_PLANTED_H
#define MOSAIC_TESTS_PLANTED_H

#include <stdio.h>

#define PLANT_PARAM "/sys/module/mosaic/parameters/plant_bug"

/* 0 on success, -1 if the module has no planted bugs. */
static inline int plant(const char *bug)
{
	FILE *f = fopen(PLANT_PARAM, "we");
	int ret;

	if (!f)
		return -1;
	ret = fputs(bug, f) < 0 ? -1 : 0;
	if (fclose(f))
		ret = -1;
	return ret;
}

#endif
