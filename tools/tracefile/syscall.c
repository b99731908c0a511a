// SPDX-License-Identifier: LGPL-2.1
/*
 * System call names, from the kernel's own tables (generated at build
 * time by tools/build/gen-syscalls.sh into build/gen/syscall_names.h).
 */
#include <stdio.h>

#include "tracefile.h"
#include "syscall_names.h"

const char *ctrace_syscall_name(uint16_t aux, char *buf, size_t len)
{
	uint16_t nr = aux & CTRACE_SYSCALL_NR_MASK;
	bool compat = aux & CTRACE_SYSCALL_F_COMPAT;
	const char *const *t = compat ? ctrace_syscalls_32 : ctrace_syscalls_64;
	size_t n = compat ? sizeof(ctrace_syscalls_32) / sizeof(*t) :
		   sizeof(ctrace_syscalls_64) / sizeof(*t);

	if (nr < n && t[nr])
		return t[nr];
	/* Newer than the table this was built with: its number. */
	snprintf(buf, len, "%s%u", compat ? "syscall32_" : "syscall_", nr);
	return buf;
}
