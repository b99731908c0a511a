/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctrace's version: the one place it is written.  The tools print it
 * (--version), every trace file records it (META ctrace_version=, by the
 * recorder, in ctrace-dump and in libctrace's ctrace_start()), and the
 * Makefile reads it from here into ctrace.pc.
 *
 * Beside it, --version names the interfaces this build speaks, each
 * versioned where it is defined: the module's ABI (uapi/linux/ctrace.h:
 * CTRACE_ABI_VERSION, the netlink family's CTRACE_GENL_VERSION, the ring
 * meta page, the user ring set and its control page) and the trace file
 * (tools/tracefile/format.h).  Those change on their own rules
 * (docs/abi.md, docs/file-format.md), not with this string.
 */
#ifndef CTRACE_VERSION_H
#define CTRACE_VERSION_H

#include <stdio.h>
#include <string.h>

#include <linux/ctrace.h>
#include "format.h"

#define CTRACE_VERSION		"0.1"

/* What `PROG --version` prints, on @f. */
static inline void ctrace_print_version(FILE *f, const char *prog)
{
	fprintf(f, "%s%s %s\n"
		"module ABI %u (netlink family ctrace %u, ring meta %u, user ring set %u, user control %u)\n"
		"trace file format %u\n",
		prog, strcmp(prog, "ctrace") ? " (ctrace)" : "", CTRACE_VERSION, CTRACE_ABI_VERSION, CTRACE_GENL_VERSION,
		CTRACE_META_VERSION, CTRACE_USET_VERSION, CTRACE_USER_CTL_VERSION,
		CTRACE_FILE_VERSION);
}

#endif
