/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, one small wrapper each.
 *
 * Each HAVE_* symbol comes from a compile probe, not from
 * LINUX_VERSION_CODE, because distributions backport: kernel/probes/NAME.c
 * is compiled against the target kernel at build time and defines
 * HAVE_NAME in generated/compat-probes.h if it compiles (kernel/probes/Kbuild;
 * docs/kernels.md lists every probe and the kernels where it holds).
 */
#ifndef _MOSAIC_COMPAT_H
#define _MOSAIC_COMPAT_H

#include <linux/mm.h>

#include "generated/compat-probes.h"

/*
 * vm_flags became read-only in 6.3 (commit bc292ab00f6c, "mm: introduce
 * vma->vm_flags wrapper functions"); writers must use vm_flags_set().
 */
static inline void mosaic_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * The largest order the page allocator hands out. MAX_ORDER counted one
 * past it until 6.4 (commit 23baf831a32c, "mm, treewide: redefine
 * MAX_ORDER sanely") and was renamed MAX_PAGE_ORDER in 6.8.
 */
#ifdef HAVE_MAX_PAGE_ORDER
#define MOSAIC_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define MOSAIC_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

#endif /* _MOSAIC_COMPAT_H */
