/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels ctrace builds against (Debian 6.1 and
 * 6.12).  Kbuild detects each API in the kernel's headers and defines a
 * CTRACE_HAVE_* macro, instead of comparing version numbers: distribution
 * kernels backport.
 */
#ifndef _CTRACE_COMPAT_H
#define _CTRACE_COMPAT_H

#include <linux/mm.h>

/* 6.3 made vma->vm_flags read-only behind vm_flags_set/clear(). */
#ifndef CTRACE_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* _CTRACE_COMPAT_H */
