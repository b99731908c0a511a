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

#include <stdbool.h>
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
	uint32_t sessions;	/* sessions in the module's table */
	uint64_t mem_bytes;	/* ring memory still allocated */
};

/*
 * Open a generic netlink socket and resolve the "ctrace" family.  Returns
 * NULL only when out of memory; check ctrace_ctl_error() when connecting
 * failed (module not loaded: -ENOENT).
 */
struct ctrace_ctl *ctrace_ctl_open(int *errp);
void ctrace_ctl_close(struct ctrace_ctl *ctl);
/* The socket's descriptor (a forked child closes it: it owns sessions). */
int ctrace_ctl_fd(const struct ctrace_ctl *ctl);

/* Why the last call failed: "<kernel's message>: <strerror>". */
const char *ctrace_ctl_error(const struct ctrace_ctl *ctl);

/* The byte offset the kernel blamed in the last request, or -1. */
long ctrace_ctl_bad_attr_offset(const struct ctrace_ctl *ctl);

/* GET_INFO.  @clock: a clock to ask about, or -1 to send none. */
int ctrace_ctl_get_info(struct ctrace_ctl *ctl, int clock,
			struct ctrace_info *info);

/* ------------------------------------------------------------ sessions */

struct ctrace_session_opts {
	enum ctrace_target_kind target;
	const uint32_t *pids;		/* CTRACE_TARGET_PIDS */
	unsigned int nr_pids;
	int cgroup_fd;			/* CTRACE_TARGET_CGROUP */
	uint32_t buf_size;		/* 0: the module's default */
	uint64_t events;		/* 0: the module's default (all) */
	uint32_t flags;			/* CTRACE_SF_* */
	int clock;			/* enum ctrace_clock, or -1: AUTO */
	uint32_t watermark;		/* percent, 0: default */
	uint64_t latency_trigger_ns;	/* NTF_LATENCY over this; 0: none */
};

struct ctrace_ring_stat {
	uint32_t cpu;
	uint64_t events, lost, bytes, fill, size;
};

struct ctrace_session_info {
	uint32_t id, state, owner_uid, owner_pid, target_kind, clock;
	uint32_t buf_size, flags, target_overflow;
	bool privileged;
	uint64_t events, events_written, lost;
	uint32_t nr_rings;
	struct ctrace_ring_stat *rings;	/* [nr_rings], malloc'd */
	/* Users it traces whose ring set another session reads. */
	uint32_t nr_busy;
	bool busy_more;			/* more than listed */
	struct ctrace_busy_uset {
		uint32_t uid, session_id;
	} busy[64];
};

void ctrace_session_info_free(struct ctrace_session_info *info);

/* SESSION_NEW: @info (may be NULL) gets the new session. */
int ctrace_ctl_session_new(struct ctrace_ctl *ctl,
			   const struct ctrace_session_opts *opts,
			   struct ctrace_session_info *info);
/* SESSION_START, _STOP or _DESTROY of session @id. */
int ctrace_ctl_session_cmd(struct ctrace_ctl *ctl, uint8_t cmd, uint32_t id);
int ctrace_ctl_session_get(struct ctrace_ctl *ctl, uint32_t id,
			   struct ctrace_session_info *info);
/* Every session the caller may see; @fn is called for each. */
int ctrace_ctl_session_list(struct ctrace_ctl *ctl,
			    void (*fn)(const struct ctrace_session_info *, void *),
			    void *arg);

struct ctrace_notification {
	uint8_t cmd;			/* CTRACE_CMD_NTF_* */
	uint32_t session_id, state;
	uint64_t events_written, lost;
	uint32_t tid;			/* NTF_LATENCY: who waited */
	uint64_t latency_ns;		/* ...this long */
};

/* Join the "events" multicast group on this socket. */
int ctrace_ctl_subscribe(struct ctrace_ctl *ctl);
/* Wait up to @timeout_ms for a notification: 1 got one, 0 timeout, <0. */
int ctrace_ctl_recv_notification(struct ctrace_ctl *ctl, int timeout_ms,
				 struct ctrace_notification *n);

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
