// SPDX-License-Identifier: LGPL-2.1
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "ctl.h"
#include "extack.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct ctrace_ctl {
	struct nl_sock *sk;
	int family;
	long bad_offset;
	char error[320];
};

/* The state of one request while its replies come in. */
struct transaction {
	struct ctrace_ctl *ctl;
	ctrace_ctl_parse_fn parse;
	void *arg;
	int error;
	int done;
};

static void set_error(struct ctrace_ctl *ctl, int err, const char *what)
{
	if (what && *what)
		snprintf(ctl->error, sizeof(ctl->error), "%s: %s", what,
			 strerror(-err));
	else
		snprintf(ctl->error, sizeof(ctl->error), "%s", strerror(-err));
}

int ctrace_ctl_fd(const struct ctrace_ctl *ctl)
{
	return nl_socket_get_fd(ctl->sk);
}

const char *ctrace_ctl_error(const struct ctrace_ctl *ctl)
{
	return ctl->error;
}

long ctrace_ctl_bad_attr_offset(const struct ctrace_ctl *ctl)
{
	return ctl->bad_offset;
}

struct ctrace_ctl *ctrace_ctl_open(int *errp)
{
	struct ctrace_ctl *ctl = calloc(1, sizeof(*ctl));
	int one = 1, err;

	if (!ctl) {
		*errp = -ENOMEM;
		return NULL;
	}
	ctl->bad_offset = -1;
	ctl->sk = nl_socket_alloc();
	if (!ctl->sk) {
		err = -ENOMEM;
		set_error(ctl, err, "nl_socket_alloc");
		goto out;
	}
	err = genl_connect(ctl->sk);
	if (err) {
		err = -ENOTCONN;
		set_error(ctl, err, "cannot open a generic netlink socket");
		goto out;
	}
	/* Ask for the kernel's reasons, and for errors without the echoed
	 * request (we know what we sent). */
	setsockopt(nl_socket_get_fd(ctl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(ctl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	ctl->family = genl_ctrl_resolve(ctl->sk, CTRACE_GENL_NAME);
	if (ctl->family < 0) {
		err = -ENOENT;
		set_error(ctl, err,
			  "no \"" CTRACE_GENL_NAME "\" netlink family (is ctrace.ko loaded?)");
		goto out;
	}
	err = 0;
out:
	*errp = err;
	return ctl;
}

void ctrace_ctl_close(struct ctrace_ctl *ctl)
{
	if (!ctl)
		return;
	nl_socket_free(ctl->sk);
	free(ctl);
}

struct nl_msg *ctrace_ctl_msg(struct ctrace_ctl *ctl, uint8_t cmd, int flags)
{
	/* Room for the largest request: CTRACE_MAX_TARGET_PIDS pids. */
	struct nl_msg *msg = nlmsg_alloc_size(16384);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctl->family, 0, flags,
			 cmd, CTRACE_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *nlerr, void *arg)
{
	struct transaction *t = arg;
	const struct nlmsghdr *nlh = (const void *)((const char *)nlerr - NLMSG_HDRLEN);
	struct ctrace_extack ext;

	(void)nla;
	t->error = nlerr->error ? nlerr->error : -EIO;
	t->done = 1;
	if (ctrace_extack_parse(nlh, nlh->nlmsg_len, &ext) == 0) {
		if (ext.has_offset)
			t->ctl->bad_offset = ext.offset;
		set_error(t->ctl, t->error, ext.has_msg ? ext.msg : NULL);
	} else {
		set_error(t->ctl, t->error, NULL);
	}
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;

	(void)msg;
	t->done = 1;
	return NL_STOP;
}

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;
	struct nlattr *tb[CTRACE_A_MAX + 1];
	int err;

	if (!t->parse)
		return NL_OK;
	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRACE_A_MAX, NULL);
	if (err < 0) {
		t->error = -EBADMSG;
		set_error(t->ctl, t->error, "malformed reply from the kernel");
		return NL_STOP;
	}
	err = t->parse(tb, t->arg);
	if (err < 0) {
		t->error = err;
		set_error(t->ctl, err, "unexpected reply from the kernel");
		return NL_STOP;
	}
	return NL_OK;
}

int ctrace_ctl_transact(struct ctrace_ctl *ctl, struct nl_msg *msg,
			ctrace_ctl_parse_fn parse, void *arg)
{
	struct transaction t = { .ctl = ctl, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int err;

	ctl->bad_offset = -1;
	ctl->error[0] = '\0';
	if (!msg) {
		set_error(ctl, -ENOMEM, "cannot build the request");
		return -ENOMEM;
	}
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb) {
		nlmsg_free(msg);
		set_error(ctl, -ENOMEM, NULL);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &t);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &t);

	err = nl_send_auto(ctl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		t.error = -EIO;
		set_error(ctl, t.error, "cannot send the request");
		goto out;
	}
	while (!t.done && !t.error) {
		err = nl_recvmsgs(ctl->sk, cb);
		if (err < 0 && !t.error) {
			t.error = -EIO;
			snprintf(ctl->error, sizeof(ctl->error),
				 "netlink receive failed: %s", nl_geterror(err));
		}
	}
out:
	nl_cb_put(cb);
	return t.error;
}

static int parse_info(struct nlattr **tb, void *arg)
{
	struct ctrace_info *info = arg;

	if (!tb[CTRACE_A_ABI_VERSION] || !tb[CTRACE_A_NR_CPUS] ||
	    !tb[CTRACE_A_CLOCK] || !tb[CTRACE_A_FEATURES] ||
	    nla_len(tb[CTRACE_A_ABI_VERSION]) != 4 ||
	    nla_len(tb[CTRACE_A_NR_CPUS]) != 4 ||
	    nla_len(tb[CTRACE_A_CLOCK]) != 4 ||
	    nla_len(tb[CTRACE_A_FEATURES]) != 8)
		return -EBADMSG;
	info->abi_version = nla_get_u32(tb[CTRACE_A_ABI_VERSION]);
	info->features = nla_get_u64(tb[CTRACE_A_FEATURES]);
	info->nr_cpus = nla_get_u32(tb[CTRACE_A_NR_CPUS]);
	info->clock = nla_get_u32(tb[CTRACE_A_CLOCK]);
	info->tsc_khz = 0;
	if (tb[CTRACE_A_TSC_KHZ] && nla_len(tb[CTRACE_A_TSC_KHZ]) == 8)
		info->tsc_khz = nla_get_u64(tb[CTRACE_A_TSC_KHZ]);
	if (tb[CTRACE_A_SESSIONS] && nla_len(tb[CTRACE_A_SESSIONS]) == 4)
		info->sessions = nla_get_u32(tb[CTRACE_A_SESSIONS]);
	if (tb[CTRACE_A_MEM_BYTES] && nla_len(tb[CTRACE_A_MEM_BYTES]) == 8)
		info->mem_bytes = nla_get_u64(tb[CTRACE_A_MEM_BYTES]);
	return 0;
}

int ctrace_ctl_get_info(struct ctrace_ctl *ctl, int clock,
			struct ctrace_info *info)
{
	struct nl_msg *msg = ctrace_ctl_msg(ctl, CTRACE_CMD_GET_INFO, 0);

	memset(info, 0, sizeof(*info));
	if (msg && clock >= 0 &&
	    nla_put_u32(msg, CTRACE_A_CLOCK, (uint32_t)clock) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return ctrace_ctl_transact(ctl, msg, parse_info, info);
}

int ctrace_ctl_subscribe(struct ctrace_ctl *ctl)
{
	int grp = genl_ctrl_resolve_grp(ctl->sk, CTRACE_GENL_NAME,
					CTRACE_GENL_MCGRP_EVENTS);

	if (grp < 0) {
		set_error(ctl, -ENOENT, "no \"" CTRACE_GENL_MCGRP_EVENTS "\" group");
		return -ENOENT;
	}
	if (nl_socket_add_membership(ctl->sk, grp) < 0) {
		set_error(ctl, -EIO, "cannot join the notification group");
		return -EIO;
	}
	return 0;
}

/* Notifications are unsolicited: their sequence numbers are 0. */
static int accept_any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

struct ntf_state {
	struct ctrace_notification *n;
	int got;
};

static int on_notification(struct nl_msg *msg, void *arg)
{
	struct ntf_state *st = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[CTRACE_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRACE_A_MAX, NULL) < 0)
		return NL_SKIP;
	memset(st->n, 0, sizeof(*st->n));
	st->n->cmd = gh->cmd;
	if (tb[CTRACE_A_SESSION_ID])
		st->n->session_id = nla_get_u32(tb[CTRACE_A_SESSION_ID]);
	if (tb[CTRACE_A_SESSION_STATE])
		st->n->state = nla_get_u32(tb[CTRACE_A_SESSION_STATE]);
	if (tb[CTRACE_A_EVENTS_WRITTEN])
		st->n->events_written = nla_get_u64(tb[CTRACE_A_EVENTS_WRITTEN]);
	if (tb[CTRACE_A_LOST])
		st->n->lost = nla_get_u64(tb[CTRACE_A_LOST]);
	if (tb[CTRACE_A_TID])
		st->n->tid = nla_get_u32(tb[CTRACE_A_TID]);
	if (tb[CTRACE_A_LATENCY])
		st->n->latency_ns = nla_get_u64(tb[CTRACE_A_LATENCY]);
	st->got = 1;
	return NL_STOP;
}

int ctrace_ctl_recv_notification(struct ctrace_ctl *ctl, int timeout_ms,
				 struct ctrace_notification *n)
{
	struct ntf_state st = { .n = n };
	struct pollfd pfd = { .fd = nl_socket_get_fd(ctl->sk), .events = POLLIN };
	struct nl_cb *cb;
	int r;

	r = poll(&pfd, 1, timeout_ms);
	if (r <= 0)
		return r < 0 ? -errno : 0;
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_notification, &st);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_seq, NULL);
	r = nl_recvmsgs(ctl->sk, cb);
	nl_cb_put(cb);
	if (r < 0 && !st.got)
		return -EIO;
	return st.got;
}
