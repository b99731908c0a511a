// SPDX-License-Identifier: GPL-2.0
/*
 * The "ctrace" generic netlink family: how tools control ctrace.
 *
 * Every operation has its own policy, so an attribute that does not belong
 * to a command is refused like an unknown one (strict validation is the
 * default for a family with resv_start_op == 0).  Refusals set an errno and
 * an extack message; the policy core writes the message for malformed
 * attributes, the handlers write it for everything else.
 *
 * A session belongs to the socket that created it: a netlink notifier
 * destroys it when that socket is released (closed, or its process died).
 */
#include <linux/cpumask.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "ctrace.h"

static struct genl_family ctrace_genl_family;

static const struct genl_multicast_group ctrace_genl_mcgrps[] = {
	{ .name = CTRACE_GENL_MCGRP_EVENTS },
};

static const struct nla_policy ctrace_info_policy[CTRACE_A_CLOCK + 1] = {
	[CTRACE_A_CLOCK] = NLA_POLICY_MAX(NLA_U32, CTRACE_CLOCK_MAX),
};

/* Not const: 6.1's policy points to a mutable one. */
static struct netlink_range_validation ctrace_buf_size_range = {
	.min = CTRACE_BUF_SIZE_MIN,
	.max = CTRACE_BUF_SIZE_MAX,
};

static struct netlink_range_validation ctrace_latency_range = {
	.min = NSEC_PER_USEC,
	.max = 60 * NSEC_PER_SEC,
};

static const struct nla_policy ctrace_new_policy[CTRACE_A_LATENCY_TRIGGER + 1] = {
	[CTRACE_A_CLOCK] = NLA_POLICY_MAX(NLA_U32, CTRACE_CLOCK_MAX),
	[CTRACE_A_BUF_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &ctrace_buf_size_range),
	[CTRACE_A_EVENTS] = NLA_POLICY_MASK(NLA_U64, CTRACE_EV_MASK),
	[CTRACE_A_SESSION_FLAGS] = NLA_POLICY_MASK(NLA_U32, CTRACE_SF_ALL),
	[CTRACE_A_TARGET_PIDS] = NLA_POLICY_RANGE(NLA_BINARY, 4,
						  4 * CTRACE_MAX_TARGET_PIDS),
	[CTRACE_A_TARGET_CGROUP_FD] = { .type = NLA_U32 },
	[CTRACE_A_TARGET_ALL] = { .type = NLA_FLAG },
	[CTRACE_A_WATERMARK] = NLA_POLICY_RANGE(NLA_U32, 1, 100),
	[CTRACE_A_LATENCY_TRIGGER] = NLA_POLICY_FULL_RANGE(NLA_U64, &ctrace_latency_range),
};

static const struct nla_policy ctrace_id_policy[CTRACE_A_SESSION_ID + 1] = {
	[CTRACE_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static int ctrace_genl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	enum ctrace_clock clock = CTRACE_CLOCK_AUTO;
	struct sk_buff *msg;
	void *hdr;

	if (info->attrs[CTRACE_A_CLOCK])
		clock = nla_get_u32(info->attrs[CTRACE_A_CLOCK]);
	clock = ctrace_clock_resolve(clock, info->extack);
	if (clock == CTRACE_CLOCK_AUTO) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[CTRACE_A_CLOCK]);
		return -EOPNOTSUPP;
	}

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ctrace_genl_family, 0,
				CTRACE_CMD_GET_INFO);
	if (!hdr)
		goto too_big;
	if (nla_put_u32(msg, CTRACE_A_ABI_VERSION, CTRACE_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, CTRACE_A_FEATURES,
			      CTRACE_FEAT_INFO | CTRACE_FEAT_SESSIONS | CTRACE_FEAT_USER,
			      CTRACE_A_PAD) ||
	    nla_put_u32(msg, CTRACE_A_NR_CPUS, nr_cpu_ids) ||
	    nla_put_u32(msg, CTRACE_A_CLOCK, clock) ||
	    nla_put_u64_64bit(msg, CTRACE_A_TSC_KHZ, ctrace_clock_tsc_khz(),
			      CTRACE_A_PAD) ||
	    nla_put_u32(msg, CTRACE_A_SESSIONS, ctrace_session_count()) ||
	    nla_put_u64_64bit(msg, CTRACE_A_MEM_BYTES,
			      atomic64_read(&ctrace_mem_bytes), CTRACE_A_PAD))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ctrace_put_ring(struct sk_buff *msg, const struct ctrace_ring *r)
{
	struct nlattr *nest = nla_nest_start(msg, CTRACE_A_RING);

	if (!nest ||
	    nla_put_u32(msg, CTRACE_RING_A_CPU, r->cpu) ||
	    nla_put_u64_64bit(msg, CTRACE_RING_A_EVENTS,
			      READ_ONCE(r->page->events), CTRACE_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, CTRACE_RING_A_LOST,
			      READ_ONCE(r->page->lost), CTRACE_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, CTRACE_RING_A_BYTES,
			      READ_ONCE(r->page->prod), CTRACE_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, CTRACE_RING_A_FILL, ctrace_ring_fill(r),
			      CTRACE_RING_A_PAD) ||
	    nla_put_u64_64bit(msg, CTRACE_RING_A_SIZE, r->size,
			      CTRACE_RING_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * The users whose ring set another session reads.  A holder may change
 * meanwhile (a later look); each value read is one that was written.
 */
static int ctrace_put_busy(struct sk_buff *msg, struct ctrace_session *s)
{
	struct nlattr *list, *nest;
	u32 i, nr;

	/* Pairs with the smp_store_release() in ctrace_user_note_busy()
	 * (user.c): entries are filled in before nr_busy counts them.
	 */
	nr = smp_load_acquire(&s->nr_busy);

	if (nla_put_u32(msg, CTRACE_A_USETS_BUSY, nr))
		return -EMSGSIZE;
	if (!nr)
		return 0;
	if (READ_ONCE(s->busy_overflow) && nla_put_flag(msg, CTRACE_A_USETS_BUSY_MORE))
		return -EMSGSIZE;
	list = nla_nest_start(msg, CTRACE_A_BUSY_USETS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < nr; i++) {
		nest = nla_nest_start(msg, CTRACE_A_BUSY_USET);
		if (!nest ||
		    nla_put_u32(msg, CTRACE_BUSY_A_UID,
				from_kuid_munged(current_user_ns(), s->busy[i].uid)) ||
		    nla_put_u32(msg, CTRACE_BUSY_A_SESSION_ID, READ_ONCE(s->busy[i].holder)))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, list);
	return 0;
}

/* A session's description: SESSION_NEW and SESSION_GET replies. */
static int ctrace_put_session(struct sk_buff *msg, struct ctrace_session *s)
{
	u32 state = s->dead ? CTRACE_SESSION_STOPPED : READ_ONCE(s->state);
	u32 overflow = s->target.pids ? READ_ONCE(s->target.pids->overflow) : 0;
	struct nlattr *rings;
	u32 i;

	if (nla_put_u32(msg, CTRACE_A_SESSION_ID, s->id) ||
	    nla_put_u32(msg, CTRACE_A_SESSION_STATE, state) ||
	    nla_put_u32(msg, CTRACE_A_OWNER_UID,
			from_kuid_munged(current_user_ns(), s->owner_uid)) ||
	    nla_put_u32(msg, CTRACE_A_OWNER_PID, s->owner_pid) ||
	    nla_put_u32(msg, CTRACE_A_TARGET_KIND, s->target.kind) ||
	    (s->target.privileged && nla_put_flag(msg, CTRACE_A_PRIVILEGED)) ||
	    nla_put_u32(msg, CTRACE_A_CLOCK, s->clock) ||
	    nla_put_u32(msg, CTRACE_A_BUF_SIZE, s->buf_size) ||
	    nla_put_u64_64bit(msg, CTRACE_A_EVENTS, s->events, CTRACE_A_PAD) ||
	    nla_put_u32(msg, CTRACE_A_SESSION_FLAGS, s->flags) ||
	    nla_put_u64_64bit(msg, CTRACE_A_EVENTS_WRITTEN,
			      ctrace_session_events(s), CTRACE_A_PAD) ||
	    nla_put_u64_64bit(msg, CTRACE_A_LOST, ctrace_session_lost(s),
			      CTRACE_A_PAD) ||
	    nla_put_u32(msg, CTRACE_A_TARGET_OVERFLOW, overflow) ||
	    ctrace_put_busy(msg, s))
		return -EMSGSIZE;
	rings = nla_nest_start(msg, CTRACE_A_RINGS);
	if (!rings)
		return -EMSGSIZE;
	for (i = 0; i < s->nr_rings; i++)
		if (ctrace_put_ring(msg, &s->rings[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, rings);
	return 0;
}

static size_t ctrace_session_msg_size(const struct ctrace_session *s)
{
	return NLMSG_GOODSIZE + s->nr_rings * nla_total_size(6 * 12) +
	       CTRACE_BUSY_MAX * nla_total_size(2 * nla_total_size(sizeof(u32)));
}

static int ctrace_reply_session(struct genl_info *info, struct ctrace_session *s,
				u8 cmd)
{
	struct sk_buff *msg = genlmsg_new(ctrace_session_msg_size(s), GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ctrace_genl_family, 0, cmd);
	if (!hdr || ctrace_put_session(msg, s)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ctrace_parse_target(struct genl_info *info,
			       struct ctrace_session_params *p)
{
	struct nlattr *pids = info->attrs[CTRACE_A_TARGET_PIDS];
	struct nlattr *cgroup = info->attrs[CTRACE_A_TARGET_CGROUP_FD];
	struct nlattr *all = info->attrs[CTRACE_A_TARGET_ALL];

	if (!pids && !cgroup && !all) {
		NL_SET_ERR_MSG(info->extack,
			       "a session needs a target: pids, a cgroup or all");
		return -EINVAL;
	}
	if (!!pids + !!cgroup + !!all > 1) {
		NL_SET_ERR_MSG(info->extack,
			       "give exactly one target: pids, a cgroup or all");
		return -EINVAL;
	}
	if (all) {
		p->target = CTRACE_TARGET_ALL;
	} else if (cgroup) {
		p->target = CTRACE_TARGET_CGROUP;
		p->cgroup_fd = nla_get_u32(cgroup);
	} else {
		if (nla_len(pids) % sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(info->extack, pids,
					    "target pids must be an array of 32-bit pids");
			return -EINVAL;
		}
		p->target = CTRACE_TARGET_PIDS;
		p->pids = nla_data(pids);
		p->nr_pids = nla_len(pids) / sizeof(u32);
	}
	return 0;
}

static int ctrace_genl_session_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ctrace_session_params p = {
		.buf_size = CTRACE_BUF_SIZE_DEFAULT,
		.watermark = CTRACE_WATERMARK_DEFAULT,
		.events = CTRACE_EV_ALL,
		.clock = CTRACE_CLOCK_AUTO,
	};
	struct nlattr **a = info->attrs;
	struct ctrace_session *s;
	int err;

	err = ctrace_parse_target(info, &p);
	if (err)
		return err;
	if (a[CTRACE_A_BUF_SIZE]) {
		p.buf_size = nla_get_u32(a[CTRACE_A_BUF_SIZE]);
		if (!is_power_of_2(p.buf_size) || p.buf_size < PAGE_SIZE) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[CTRACE_A_BUF_SIZE],
					    "the buffer size must be a power of two of at least a page");
			return -EINVAL;
		}
	}
	if (a[CTRACE_A_WATERMARK])
		p.watermark = nla_get_u32(a[CTRACE_A_WATERMARK]);
	if (a[CTRACE_A_EVENTS])
		p.events = nla_get_u64(a[CTRACE_A_EVENTS]);
	if (a[CTRACE_A_SESSION_FLAGS])
		p.flags = nla_get_u32(a[CTRACE_A_SESSION_FLAGS]);
	if (a[CTRACE_A_CLOCK])
		p.clock = nla_get_u32(a[CTRACE_A_CLOCK]);
	if (a[CTRACE_A_LATENCY_TRIGGER])
		p.latency_ns = nla_get_u64(a[CTRACE_A_LATENCY_TRIGGER]);
	if (!p.events) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[CTRACE_A_EVENTS],
				    "a session must record at least one event group");
		return -EINVAL;
	}

	err = ctrace_session_create(&p, genl_info_net(info), info->snd_portid,
				    info->extack, &s);
	if (err)
		return err;
	err = ctrace_reply_session(info, s, CTRACE_CMD_SESSION_NEW);
	if (err)
		ctrace_session_destroy(s);
	ctrace_session_put(s);
	return err;
}

static struct ctrace_session *ctrace_genl_session(struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, CTRACE_A_SESSION_ID)) {
		NL_SET_ERR_MSG(info->extack, "the request names no session");
		return ERR_PTR(-EINVAL);
	}
	return ctrace_session_find(nla_get_u32(info->attrs[CTRACE_A_SESSION_ID]),
				   info->extack);
}

static int ctrace_genl_session_start(struct sk_buff *skb, struct genl_info *info)
{
	struct ctrace_session *s = ctrace_genl_session(info);
	int err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	err = ctrace_session_start(s, info->extack);
	ctrace_session_put(s);
	return err;
}

static int ctrace_genl_session_stop(struct sk_buff *skb, struct genl_info *info)
{
	struct ctrace_session *s = ctrace_genl_session(info);
	int err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	err = ctrace_session_stop(s, info->extack);
	ctrace_session_put(s);
	return err;
}

static int ctrace_genl_session_restate(struct sk_buff *skb, struct genl_info *info)
{
	struct ctrace_session *s = ctrace_genl_session(info);
	int err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	err = ctrace_session_restate(s, info->extack);
	ctrace_session_put(s);
	return err;
}

static int ctrace_genl_session_snapshot(struct sk_buff *skb, struct genl_info *info)
{
	struct ctrace_session *s = ctrace_genl_session(info);
	int err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	err = ctrace_genl_notify(s, CTRACE_CMD_NTF_SNAPSHOT);
	if (err == -ESRCH)
		NL_SET_ERR_MSG(info->extack, "no flight recorder listens for snapshots");
	else if (err)
		NL_SET_ERR_MSG(info->extack, "cannot send the snapshot notification");
	ctrace_session_put(s);
	return err;
}

static int ctrace_genl_session_destroy(struct sk_buff *skb, struct genl_info *info)
{
	struct ctrace_session *s = ctrace_genl_session(info);

	if (IS_ERR(s))
		return PTR_ERR(s);
	ctrace_session_destroy(s);
	ctrace_session_put(s);
	return 0;
}

static int ctrace_genl_session_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ctrace_session *s = ctrace_genl_session(info);
	int err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	err = ctrace_reply_session(info, s, CTRACE_CMD_SESSION_GET);
	ctrace_session_put(s);
	return err;
}

/* Dump: cb->args[0] is the next session ID to look at. */
static int ctrace_genl_session_dump(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct ctrace_session *s;
	u32 id = cb->args[0] ? cb->args[0] : 1;

	while ((s = ctrace_session_next(&id))) {
		void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, &ctrace_genl_family,
					NLM_F_MULTI, CTRACE_CMD_SESSION_GET);

		if (!hdr || ctrace_put_session(skb, s)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			ctrace_session_put(s);
			break;
		}
		genlmsg_end(skb, hdr);
		ctrace_session_put(s);
		id++;
	}
	cb->args[0] = id;
	return skb->len;
}

static const struct genl_ops ctrace_genl_ops[] = {
	{
		.cmd = CTRACE_CMD_GET_INFO,
		.doit = ctrace_genl_get_info,
		.policy = ctrace_info_policy,
		.maxattr = ARRAY_SIZE(ctrace_info_policy) - 1,
	},
	{
		.cmd = CTRACE_CMD_SESSION_NEW,
		.doit = ctrace_genl_session_new,
		.policy = ctrace_new_policy,
		.maxattr = ARRAY_SIZE(ctrace_new_policy) - 1,
	},
	{
		.cmd = CTRACE_CMD_SESSION_START,
		.doit = ctrace_genl_session_start,
		.policy = ctrace_id_policy,
		.maxattr = ARRAY_SIZE(ctrace_id_policy) - 1,
	},
	{
		.cmd = CTRACE_CMD_SESSION_STOP,
		.doit = ctrace_genl_session_stop,
		.policy = ctrace_id_policy,
		.maxattr = ARRAY_SIZE(ctrace_id_policy) - 1,
	},
	{
		.cmd = CTRACE_CMD_SESSION_DESTROY,
		.doit = ctrace_genl_session_destroy,
		.policy = ctrace_id_policy,
		.maxattr = ARRAY_SIZE(ctrace_id_policy) - 1,
	},
	{
		.cmd = CTRACE_CMD_SESSION_RESTATE,
		.doit = ctrace_genl_session_restate,
		.policy = ctrace_id_policy,
		.maxattr = ARRAY_SIZE(ctrace_id_policy) - 1,
	},
	{
		.cmd = CTRACE_CMD_SESSION_SNAPSHOT,
		.doit = ctrace_genl_session_snapshot,
		.policy = ctrace_id_policy,
		.maxattr = ARRAY_SIZE(ctrace_id_policy) - 1,
	},
	{
		.cmd = CTRACE_CMD_SESSION_GET,
		.doit = ctrace_genl_session_get,
		.dumpit = ctrace_genl_session_dump,
		.policy = ctrace_id_policy,
		.maxattr = ARRAY_SIZE(ctrace_id_policy) - 1,
	},
};

static struct genl_family ctrace_genl_family __ro_after_init = {
	.name = CTRACE_GENL_NAME,
	.version = CTRACE_GENL_VERSION,
	.maxattr = CTRACE_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = ctrace_genl_ops,
	.n_ops = ARRAY_SIZE(ctrace_genl_ops),
	.mcgrps = ctrace_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ctrace_genl_mcgrps),
};

/*
 * Tell listeners of the "events" group that @s started, stopped, lost, is
 * asked for a snapshot or saw a long wait (@tid waited @ns; @tid 0: none).
 * -ESRCH: nobody listens.
 */
static int ctrace_genl_notify_tid(struct ctrace_session *s, u8 cmd, u32 tid, u64 ns)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &ctrace_genl_family, 0, cmd);
	if (!hdr ||
	    (tid && (nla_put_u32(msg, CTRACE_A_TID, tid) ||
		     nla_put_u64_64bit(msg, CTRACE_A_LATENCY, ns, CTRACE_A_PAD))) ||
	    nla_put_u32(msg, CTRACE_A_SESSION_ID, s->id) ||
	    nla_put_u32(msg, CTRACE_A_SESSION_STATE, READ_ONCE(s->state)) ||
	    nla_put_u64_64bit(msg, CTRACE_A_EVENTS_WRITTEN,
			      ctrace_session_events(s), CTRACE_A_PAD) ||
	    nla_put_u64_64bit(msg, CTRACE_A_LOST, ctrace_session_lost(s),
			      CTRACE_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_multicast_netns(&ctrace_genl_family, s->owner_net, msg,
				       0, 0, GFP_KERNEL);
}

int ctrace_genl_notify(struct ctrace_session *s, u8 cmd)
{
	return ctrace_genl_notify_tid(s, cmd, 0, 0);
}

int ctrace_genl_notify_latency(struct ctrace_session *s, u32 tid, u64 ns)
{
	return ctrace_genl_notify_tid(s, CTRACE_CMD_NTF_LATENCY, tid, ns);
}

static int ctrace_netlink_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC)
		ctrace_session_release_owner(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block ctrace_netlink_notifier = {
	.notifier_call = ctrace_netlink_event,
};

int __init ctrace_genl_init(void)
{
	int err = netlink_register_notifier(&ctrace_netlink_notifier);

	if (err)
		return err;
	err = genl_register_family(&ctrace_genl_family);
	if (err)
		netlink_unregister_notifier(&ctrace_netlink_notifier);
	return err;
}

void ctrace_genl_exit(void)
{
	genl_unregister_family(&ctrace_genl_family);
	netlink_unregister_notifier(&ctrace_netlink_notifier);
}
