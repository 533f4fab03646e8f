// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_VM_FLAGS_SET: vma->vm_flags became read-only in 6.3 (commit
 * bc292ab00f6c, "mm: introduce vma->vm_flags wrapper functions"); writers
 * must call vm_flags_set().
 */
#include <linux/mm.h>

void mosaic_probe(struct vm_area_struct *vma);

void mosaic_probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
}
