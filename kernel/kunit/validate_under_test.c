// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit module tests the uapi validation code itself, not a copy of
 * its logic: this file compiles validate.c into mosaic_kunit.ko. None of
 * its functions are exported, so the two modules do not clash.
 */
#include "../validate.c"
