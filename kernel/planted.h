/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bugs planted on purpose, to prove the proof tier catches them.
 *
 * Only a module built with MOSAIC_PLANTED_BUGS=y (make module-planted) has
 * them, behind the plant_bug parameter; in every other build
 * mosaic_planted() is a constant false and the compiler drops the bug.
 */
#ifndef _MOSAIC_PLANTED_H
#define _MOSAIC_PLANTED_H

#include <linux/string.h>
#include <linux/types.h>

#ifdef MOSAIC_PLANTED_BUGS
extern char *mosaic_plant_bug;

static inline bool mosaic_planted(const char *bug)
{
	const char *set = READ_ONCE(mosaic_plant_bug);

	return set && !strcmp(set, bug);
}
#else
static inline bool mosaic_planted(const char *bug)
{
	return false;
}
#endif

#endif /* _MOSAIC_PLANTED_H */
