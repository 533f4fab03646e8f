// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MM_STRUCT_GET_UNMAPPED_AREA: mm_struct had a get_unmapped_area
 * function pointer, the process's own address-space allocator, until 6.10
 * ("mm: switch mm->get_unmapped_area() to a flag"; callers use
 * mm_get_unmapped_area() since).
 */
#include <linux/mm_types.h>

unsigned long mosaic_probe(struct mm_struct *mm, unsigned long len);

unsigned long mosaic_probe(struct mm_struct *mm, unsigned long len)
{
	return mm->get_unmapped_area(NULL, 0, len, 0, 0);
}
