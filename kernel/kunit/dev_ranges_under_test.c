// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles dev_ranges.c into mosaic_kunit.ko, as segments_under_test.c
 * does segments.c: the suites test the code itself, not a copy.
 */
#include "../dev_ranges.c"
