/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctrace.ko internals shared between the files of the module.
 *
 * One file per concern:
 *   main.c   module init/exit, the /dev/ctrace misc device
 *   abi.c    the ABI's layouts, pinned
 *   genl.c   the "ctrace" generic netlink family
 *   clock.c  which clock stamps events, and reading it
 */
#ifndef _CTRACE_KMOD_H
#define _CTRACE_KMOD_H

#include <linux/types.h>
#include <linux/ctrace.h>

struct netlink_ext_ack;

/* abi.c */
void __init ctrace_abi_check(void);

/* genl.c */
int ctrace_genl_init(void);
void ctrace_genl_exit(void);

/* clock.c */
bool ctrace_clock_usable(enum ctrace_clock clock);
enum ctrace_clock ctrace_clock_resolve(enum ctrace_clock requested,
				       struct netlink_ext_ack *extack);
u64 ctrace_clock_tsc_khz(void);

#endif /* _CTRACE_KMOD_H */
