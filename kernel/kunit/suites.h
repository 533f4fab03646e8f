/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KUnit suites of mosaic_kunit.ko that live in files of their own;
 * mosaic_kunit.c registers them all at once, the one way every KUnit
 * version accepts.
 */
#ifndef _MOSAIC_KUNIT_SUITES_H
#define _MOSAIC_KUNIT_SUITES_H

#include <kunit/test.h>

extern struct kunit_suite mosaic_validate_suite;

#endif /* _MOSAIC_KUNIT_SUITES_H */
