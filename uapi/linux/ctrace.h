/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ctrace: the user-kernel ABI.
 *
 * This one header is the contract between ctrace.ko, libctrace and the
 * tools; all three include it unmodified.  Rules (docs/abi.md):
 *
 *  - fixed-width types only, every pad named, no bitfields;
 *  - reserved fields and unknown flags must be zero, and are refused if not;
 *  - numbering is append-only: commands, attributes and enum values start
 *    at 1 and are never reused; "_MAX" values are not ABI;
 *  - every layout is pinned by CTRACE_LAYOUT_CHECKS below, which both the
 *    module (BUILD_BUG_ON) and user space (static_assert) expand.
 */
#ifndef _UAPI_LINUX_CTRACE_H
#define _UAPI_LINUX_CTRACE_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Version of this ABI.  Bumped only for an incompatible change, which the
 * rules above exist to avoid; additions are announced by feature bits.
 */
#define CTRACE_ABI_VERSION	1

/* The character device; its mode is 0666, access is checked per request. */
#define CTRACE_DEVICE_NAME	"ctrace"
#define CTRACE_DEVICE_PATH	"/dev/ctrace"

/* ------------------------------------------------------------------------
 * Generic netlink
 *
 * Family "ctrace", version CTRACE_GENL_VERSION.  A reply reuses its
 * request's command; notifications have commands of their own.  Every
 * refusal carries an errno and an extack message.
 */
#define CTRACE_GENL_NAME	"ctrace"
#define CTRACE_GENL_VERSION	1

enum ctrace_cmd {
	CTRACE_CMD_UNSPEC,
	/*
	 * GET_INFO: what this module offers.  Request: optionally
	 * CTRACE_A_CLOCK, to ask whether that clock can be used.  Reply:
	 * ABI_VERSION, FEATURES, NR_CPUS, CLOCK (the clock CTRACE_CLOCK_AUTO
	 * resolves to, or the requested one), TSC_KHZ (0 unless the cycle
	 * counter is usable).
	 */
	CTRACE_CMD_GET_INFO = 1,

	__CTRACE_CMD_MAX,
};

#define CTRACE_CMD_MAX (__CTRACE_CMD_MAX - 1)

enum ctrace_attr {
	CTRACE_A_UNSPEC,
	CTRACE_A_ABI_VERSION = 1,	/* u32 */
	CTRACE_A_FEATURES = 2,		/* u64: CTRACE_FEAT_* */
	CTRACE_A_NR_CPUS = 3,		/* u32: possible CPUs (nr_cpu_ids) */
	CTRACE_A_CLOCK = 4,		/* u32: enum ctrace_clock */
	CTRACE_A_TSC_KHZ = 5,		/* u64 */
	CTRACE_A_PAD = 6,		/* alignment padding for u64 attributes */

	__CTRACE_A_MAX,
};

#define CTRACE_A_MAX (__CTRACE_A_MAX - 1)

/* Feature bits reported by GET_INFO. */
#define CTRACE_FEAT_INFO	_BITULL(0)	/* GET_INFO (always set) */

/*
 * The clock every event of a session is stamped with.  Kernel and user
 * events use the same one, so they merge without after-the-fact alignment.
 */
enum ctrace_clock {
	CTRACE_CLOCK_AUTO = 0,	/* request only: TSC where trusted, else MONO */
	/*
	 * The x86 time-stamp counter, read with RDTSC.  Offered only while the
	 * kernel trusts it (not marked unstable), so it is synchronized across
	 * CPUs.  Converted to CLOCK_MONOTONIC through clock snapshots.
	 */
	CTRACE_CLOCK_TSC = 1,
	/*
	 * CLOCK_MONOTONIC in ns: the vDSO in user space, the fast NMI-safe
	 * accessor in the kernel.
	 */
	CTRACE_CLOCK_MONO = 2,

	__CTRACE_CLOCK_MAX,
};

#define CTRACE_CLOCK_MAX (__CTRACE_CLOCK_MAX - 1)

/* ------------------------------------------------------------------------
 * ioctl on /dev/ctrace
 *
 * Magic 0xC7 (free in Documentation/userspace-api/ioctl/ioctl-number.rst).
 * Numbers are never reused; retired ones are listed here.
 */
#define CTRACE_IOC_MAGIC	0xC7

/*
 * Layout checks, expanded by the module (with BUILD_BUG_ON) and by user
 * space (with static_assert): CTRACE_LAYOUT_CHECKS(assert_true);
 * the checks are separated by ";" and the caller ends the last.
 */
#define CTRACE_LAYOUT_CHECKS(check)					\
	check(sizeof(enum ctrace_clock) == 4)

#endif /* _UAPI_LINUX_CTRACE_H */
