// SPDX-License-Identifier: LGPL-2.1
/* Session commands over the "ctrace" family (see uapi/linux/ctrace.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "ctl.h"

void ctrace_session_info_free(struct ctrace_session_info *info)
{
	free(info->rings);
	info->rings = NULL;
	info->nr_rings = 0;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a && nla_len(a) == 4 ? nla_get_u32(a) : 0;
}

static uint64_t get_u64(struct nlattr *a)
{
	return a && nla_len(a) == 8 ? nla_get_u64(a) : 0;
}

static int parse_rings(struct nlattr *rings, struct ctrace_session_info *info)
{
	struct nlattr *ring;
	int rem, n = 0;

	nla_for_each_nested(ring, rings, rem)
		n++;
	info->rings = calloc(n ? n : 1, sizeof(*info->rings));
	if (!info->rings)
		return -ENOMEM;
	nla_for_each_nested(ring, rings, rem) {
		struct nlattr *tb[CTRACE_RING_A_MAX + 1];
		struct ctrace_ring_stat *r = &info->rings[info->nr_rings];

		if (nla_type(ring) != CTRACE_A_RING ||
		    nla_parse_nested(tb, CTRACE_RING_A_MAX, ring, NULL) < 0)
			return -EBADMSG;
		r->cpu = get_u32(tb[CTRACE_RING_A_CPU]);
		r->events = get_u64(tb[CTRACE_RING_A_EVENTS]);
		r->lost = get_u64(tb[CTRACE_RING_A_LOST]);
		r->bytes = get_u64(tb[CTRACE_RING_A_BYTES]);
		r->fill = get_u64(tb[CTRACE_RING_A_FILL]);
		r->size = get_u64(tb[CTRACE_RING_A_SIZE]);
		info->nr_rings++;
	}
	return 0;
}

static int parse_session(struct nlattr **tb, struct ctrace_session_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!tb[CTRACE_A_SESSION_ID] || !tb[CTRACE_A_SESSION_STATE])
		return -EBADMSG;
	info->id = get_u32(tb[CTRACE_A_SESSION_ID]);
	info->state = get_u32(tb[CTRACE_A_SESSION_STATE]);
	info->owner_uid = get_u32(tb[CTRACE_A_OWNER_UID]);
	info->owner_pid = get_u32(tb[CTRACE_A_OWNER_PID]);
	info->target_kind = get_u32(tb[CTRACE_A_TARGET_KIND]);
	info->privileged = tb[CTRACE_A_PRIVILEGED] != NULL;
	info->clock = get_u32(tb[CTRACE_A_CLOCK]);
	info->buf_size = get_u32(tb[CTRACE_A_BUF_SIZE]);
	info->events = get_u64(tb[CTRACE_A_EVENTS]);
	info->flags = get_u32(tb[CTRACE_A_SESSION_FLAGS]);
	info->events_written = get_u64(tb[CTRACE_A_EVENTS_WRITTEN]);
	info->lost = get_u64(tb[CTRACE_A_LOST]);
	info->target_overflow = get_u32(tb[CTRACE_A_TARGET_OVERFLOW]);
	info->busy_more = tb[CTRACE_A_USETS_BUSY_MORE] != NULL;
	if (tb[CTRACE_A_BUSY_USETS]) {
		struct nlattr *a;
		int rem;

		nla_for_each_nested(a, tb[CTRACE_A_BUSY_USETS], rem) {
			struct nlattr *bt[CTRACE_BUSY_A_MAX + 1];
			struct ctrace_busy_uset *b = &info->busy[info->nr_busy];

			if (nla_type(a) != CTRACE_A_BUSY_USET ||
			    nla_parse_nested(bt, CTRACE_BUSY_A_MAX, a, NULL) < 0)
				return -EBADMSG;
			if (info->nr_busy == sizeof(info->busy) / sizeof(info->busy[0])) {
				info->busy_more = true;
				break;
			}
			b->uid = get_u32(bt[CTRACE_BUSY_A_UID]);
			b->session_id = get_u32(bt[CTRACE_BUSY_A_SESSION_ID]);
			info->nr_busy++;
		}
	}
	if (tb[CTRACE_A_RINGS])
		return parse_rings(tb[CTRACE_A_RINGS], info);
	return 0;
}

static int parse_one(struct nlattr **tb, void *arg)
{
	struct ctrace_session_info *info = arg;

	ctrace_session_info_free(info);
	return parse_session(tb, info);
}

int ctrace_ctl_session_new(struct ctrace_ctl *ctl,
			   const struct ctrace_session_opts *o,
			   struct ctrace_session_info *info)
{
	struct nl_msg *msg = ctrace_ctl_msg(ctl, CTRACE_CMD_SESSION_NEW, 0);
	struct ctrace_session_info local = { 0 };
	int err = 0;

	if (info)
		memset(info, 0, sizeof(*info));
	if (!msg)
		return ctrace_ctl_transact(ctl, NULL, NULL, NULL);
	switch (o->target) {
	case CTRACE_TARGET_PIDS:
		err = nla_put(msg, CTRACE_A_TARGET_PIDS,
			      o->nr_pids * sizeof(uint32_t), o->pids);
		break;
	case CTRACE_TARGET_CGROUP:
		err = nla_put_u32(msg, CTRACE_A_TARGET_CGROUP_FD, o->cgroup_fd);
		break;
	case CTRACE_TARGET_ALL:
		err = nla_put_flag(msg, CTRACE_A_TARGET_ALL);
		break;
	}
	if (!err && o->buf_size)
		err = nla_put_u32(msg, CTRACE_A_BUF_SIZE, o->buf_size);
	if (!err && o->events)
		err = nla_put_u64(msg, CTRACE_A_EVENTS, o->events);
	if (!err && o->flags)
		err = nla_put_u32(msg, CTRACE_A_SESSION_FLAGS, o->flags);
	if (!err && o->clock >= 0)
		err = nla_put_u32(msg, CTRACE_A_CLOCK, o->clock);
	if (!err && o->watermark)
		err = nla_put_u32(msg, CTRACE_A_WATERMARK, o->watermark);
	if (!err && o->latency_trigger_ns)
		err = nla_put_u64(msg, CTRACE_A_LATENCY_TRIGGER, o->latency_trigger_ns);
	if (err) {
		nlmsg_free(msg);
		msg = NULL;
	}
	err = ctrace_ctl_transact(ctl, msg, parse_one, info ? info : &local);
	ctrace_session_info_free(&local);
	return err;
}

int ctrace_ctl_session_cmd(struct ctrace_ctl *ctl, uint8_t cmd, uint32_t id)
{
	struct nl_msg *msg = ctrace_ctl_msg(ctl, cmd, 0);

	if (msg && nla_put_u32(msg, CTRACE_A_SESSION_ID, id) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return ctrace_ctl_transact(ctl, msg, NULL, NULL);
}

int ctrace_ctl_session_get(struct ctrace_ctl *ctl, uint32_t id,
			   struct ctrace_session_info *info)
{
	struct nl_msg *msg = ctrace_ctl_msg(ctl, CTRACE_CMD_SESSION_GET, 0);

	memset(info, 0, sizeof(*info));
	if (msg && nla_put_u32(msg, CTRACE_A_SESSION_ID, id) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return ctrace_ctl_transact(ctl, msg, parse_one, info);
}

struct list_state {
	void (*fn)(const struct ctrace_session_info *, void *);
	void *arg;
};

static int parse_each(struct nlattr **tb, void *arg)
{
	struct list_state *ls = arg;
	struct ctrace_session_info info;
	int err = parse_session(tb, &info);

	if (!err)
		ls->fn(&info, ls->arg);
	ctrace_session_info_free(&info);
	return err;
}

int ctrace_ctl_session_list(struct ctrace_ctl *ctl,
			    void (*fn)(const struct ctrace_session_info *, void *),
			    void *arg)
{
	struct list_state ls = { fn, arg };

	return ctrace_ctl_transact(ctl, ctrace_ctl_msg(ctl, CTRACE_CMD_SESSION_GET,
						       NLM_F_DUMP),
				   parse_each, &ls);
}
