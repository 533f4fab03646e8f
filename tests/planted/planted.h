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

#include "mosaic_test.h"
#include "tap.h"

#define PLANT_PARAM "/sys/module/mosaic/parameters/plant_bug"

/* 0 on success, -errno if the module has no planted bugs. */
static inline int plant(const char *bug)
{
	return mt_write_file(PLANT_PARAM, bug);
}

/* Switch @bug on, or bail out: this is not the planted build. */
static inline void plant_or_bail(const char *bug)
{
	if (plant(bug))
		tap_bail("module has no plant_bug parameter: not the planted build");
}

#endif
