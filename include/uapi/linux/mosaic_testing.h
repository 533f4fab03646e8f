/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mosaic's test build: the inspection ioctls of a buffer fd.
 *
 * Only a module built with MOSAIC_TESTING=y (the one the test suite, the
 * demo and the benchmarks load; see docs/abi.md) answers these numbers.
 * The production module does not contain them: it answers %ENOTTY, as
 * for every number it does not know. They let a test look at a buffer
 * from the kernel's side (through each segment's own kernel address, and
 * at the page references), which no production interface should offer:
 * REFS shows every holder's pins, FILL writes memory without a mapping.
 *
 * The rules of linux/mosaic.h apply: argsz, flags, reserved fields, and
 * out fields ignored on input.
 */
#ifndef _UAPI_LINUX_MOSAIC_TESTING_H
#define _UAPI_LINUX_MOSAIC_TESTING_H

#include <linux/mosaic.h>

/**
 * struct mosaic_pattern - argument of %MOSAIC_TEST_IOC_FILL and %MOSAIC_TEST_IOC_VERIFY
 * @argsz: sizeof(struct mosaic_pattern) as the caller knows it.
 * @flags: must be zero.
 * @offset: first byte of the range; must be a multiple of 8.
 * @length: bytes in the range; must be a multiple of 8, and the range must
 *	lie inside the buffer (%EINVAL otherwise).
 * @seed: selects the pattern. The 64-bit word at buffer offset ``o`` holds
 *	mosaic_pattern_word(seed, o), see below.
 * @mismatches: out (VERIFY): number of 64-bit words that differ.
 * @first_mismatch: out (VERIFY): buffer offset of the first differing word,
 *	or ``~0`` if none.
 * @__reserved: must be zero.
 *
 * The kernel reads or writes the range through each segment's own kernel
 * address, never through the user mapping, so a test that fills through
 * one side and verifies through the other proves both views are the same
 * memory.
 */
struct mosaic_pattern {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u64 seed;
	__u64 mismatches;
	__u64 first_mismatch;
	__u64 __reserved[2];
};

/**
 * struct mosaic_refs - argument of %MOSAIC_TEST_IOC_REFS (on a buffer fd)
 * @argsz: sizeof(struct mosaic_refs) as the caller knows it.
 * @flags: must be zero.
 * @offset: first byte of the range; page aligned.
 * @length: bytes in the range; page aligned, inside the buffer.
 * @refcount_min: out: smallest page_count() over the range's pages.
 * @refcount_max: out: largest page_count() over the range's pages.
 * @mapcount_min: out: smallest page_mapcount() over the range's pages.
 * @mapcount_max: out: largest page_mapcount() over the range's pages.
 * @unexplained_refs: out: references the refcount rule does not explain,
 *	summed over the allocation units (a page, or a compound page) that
 *	lie wholly inside the range: page_count() of the unit, minus the
 *	buffer's own reference, minus the mapcounts of its pages. Zero when
 *	nothing but the buffer and its PTEs hold the memory; a
 *	get_user_pages() pin shows up here while it is held.
 * @__reserved: must be zero.
 *
 * The refcount rule: each allocation unit (an order-0 page, or a whole
 * compound page) holds exactly one reference of the buffer's own, and the
 * page strategies add one reference and one mapcount for every user PTE
 * that maps one of its pages; the PFN strategies add neither. For a
 * compound page every page reports the head's count, so a fully mapped
 * order-9 page reads 1 + 512 per mapping. A PMD mapping (strategy huge)
 * adds one reference and one entire mapcount to its compound page, so an
 * order-9 page mapped by one PMD reads 1 + 1, each of its pages mapcount 1;
 * @unexplained_refs subtracts the PMD once, not once per page. ``/proc/kpagecount`` shows the
 * mapcount half of this from the outside; this ioctl shows both halves
 * from the inside. %EOPNOTSUPP for memory without a &struct page.
 */
struct mosaic_refs {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u32 refcount_min;
	__u32 refcount_max;
	__s32 mapcount_min;
	__s32 mapcount_max;
	__s64 unexplained_refs;
	__u64 __reserved[1];
};

#define MOSAIC_TEST_IOC_FILL	_IOWR(MOSAIC_IOC_MAGIC, 0xf0, struct mosaic_pattern)
#define MOSAIC_TEST_IOC_VERIFY	_IOWR(MOSAIC_IOC_MAGIC, 0xf1, struct mosaic_pattern)
#define MOSAIC_TEST_IOC_REFS	_IOWR(MOSAIC_IOC_MAGIC, 0xf2, struct mosaic_refs)

#define MOSAIC_PATTERN_SIZE_VER0	64
#define MOSAIC_REFS_SIZE_VER0		56

#endif /* _UAPI_LINUX_MOSAIC_TESTING_H */
