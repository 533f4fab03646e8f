// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_KUNIT_EXPECT_NULL: KUNIT_EXPECT_NULL() and KUNIT_ASSERT_NOT_NULL()
 * arrived in 5.18 ("kunit: Introduce _NULL and _NOT_NULL macros").
 */
#include <kunit/test.h>

void mosaic_probe(struct kunit *test, void *p);

void mosaic_probe(struct kunit *test, void *p)
{
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, p);
}
