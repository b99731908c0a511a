/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Reading the reason out of a netlink error: the extended ACK (extack)
 * attributes the kernel appends to NLMSG_ERROR when NETLINK_EXT_ACK is on.
 * libnl 3.7 does not parse them, so ctrace does; kept apart from the
 * socket code so that it can be tested on crafted messages.
 */
#ifndef CTRACE_CTL_EXTACK_H
#define CTRACE_CTL_EXTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct ctrace_extack {
	int error;		/* the (negative) errno of the NLMSG_ERROR */
	bool has_msg;
	bool has_offset;
	uint32_t offset;	/* byte offset of the offending attribute */
	char msg[256];
};

/*
 * Parse the NLMSG_ERROR message @nlh, of which @len bytes are readable.
 * Returns 0, or -EBADMSG when the message is not a well-formed NLMSG_ERROR
 * (a truncated or lying message never reads past @len).
 */
int ctrace_extack_parse(const struct nlmsghdr *nlh, size_t len,
			struct ctrace_extack *out);

#endif
