/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * ctl: talking to ctrace.ko over generic netlink, through libnl-genl-3.
 *
 * Every tool and test that controls ctrace goes through here.  Each call
 * returns 0 or a negative errno; on failure ctrace_ctl_error() says why,
 * in the kernel's words when it sent an extack message.
 */
#ifndef CTRACE_CTL_H
#define CTRACE_CTL_H

#include <stdint.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/ctrace.h>

struct ctrace_ctl;

struct ctrace_info {
	uint32_t abi_version;
	uint64_t features;
	uint32_t nr_cpus;
	uint32_t clock;		/* enum ctrace_clock */
	uint64_t tsc_khz;
};

/*
 * Open a generic netlink socket and resolve the "ctrace" family.  Returns
 * NULL only when out of memory; check ctrace_ctl_error() when connecting
 * failed (module not loaded: -ENOENT).
 */
struct ctrace_ctl *ctrace_ctl_open(int *errp);
void ctrace_ctl_close(struct ctrace_ctl *ctl);

/* Why the last call failed: "<kernel's message>: <strerror>". */
const char *ctrace_ctl_error(const struct ctrace_ctl *ctl);

/* The byte offset the kernel blamed in the last request, or -1. */
long ctrace_ctl_bad_attr_offset(const struct ctrace_ctl *ctl);

/* GET_INFO.  @clock: a clock to ask about, or -1 to send none. */
int ctrace_ctl_get_info(struct ctrace_ctl *ctl, int clock,
			struct ctrace_info *info);

/*
 * The building blocks, for requests the helpers above do not cover (and
 * for tests that send malformed ones on purpose).  ctrace_ctl_msg() starts
 * a request for @cmd; ctrace_ctl_transact() sends it, frees it, and calls
 * @parse on each reply's attributes (indexed up to CTRACE_A_MAX).
 */
typedef int (*ctrace_ctl_parse_fn)(struct nlattr **tb, void *arg);
struct nl_msg *ctrace_ctl_msg(struct ctrace_ctl *ctl, uint8_t cmd, int flags);
int ctrace_ctl_transact(struct ctrace_ctl *ctl, struct nl_msg *msg,
			ctrace_ctl_parse_fn parse, void *arg);

#endif
