/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the test programs of libmosaic (t20_libmosaic, t23_libmosaic_1_1):
 * the library itself, and the request they start from.
 *
 * `make tests` (mk/install.mk) links them with the real libmosaic.a, with
 * -DMOSAIC_TEST_LINK_LIBMOSAIC. tests/Makefile alone builds every t*.c
 * with the same flags and no library, so then the library's sources are
 * compiled into the program instead (the same code libmosaic.a is made
 * of; lib/names.c is linked into every test program anyway). Include this
 * header in one source file of a program only.
 */
#ifndef MOSAIC_TESTS_LIBMOSAIC_TEST_H
#define MOSAIC_TESTS_LIBMOSAIC_TEST_H

#ifdef MOSAIC_TEST_LINK_LIBMOSAIC
#include <mosaic/mosaic.h>
#else
#include "../../lib/mosaic.c"
#endif

#include "mosaic_test.h"
#include "tap.h"

/* The buffers most cases use: 1 MiB. */
#define SIZE1	(1 * MT_MiB)
#define NPAGES1	(SIZE1 / MT_PAGE)

/* Parameters of version 1.0's size with these fields, the rest zero. */
static inline struct mosaic_buf_params params(uint64_t size,
					      enum mosaic_backend b,
					      enum mosaic_strategy s)
{
	return (struct mosaic_buf_params){
		.struct_size = sizeof(struct mosaic_buf_params), .size = size,
		.backend = b, .strategy = s,
	};
}

/*
 * The last test points of a program: the ledger is back at @base and,
 * with @dev closed, the process has the @fds_before fds it started with.
 * Returns tap_exit()'s code for main().
 */
static inline int lib_test_end(struct mosaic_dev *dev,
			       const struct mosaic_stats *base, int fds_before)
{
	int fds_after;

	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0),
	       "ledger back to the start at the end");
	mosaic_dev_close(dev);
	fds_after = mt_count_fds();
	tap_ok(fds_after == fds_before, "no fd leaked (%d before, %d after)",
	       fds_before, fds_after);
	return tap_exit();
}

#endif /* MOSAIC_TESTS_LIBMOSAIC_TEST_H */
