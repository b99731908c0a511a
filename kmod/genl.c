// SPDX-License-Identifier: GPL-2.0
/*
 * The "ctrace" generic netlink family: how tools control ctrace.
 *
 * Every operation has its own policy, so an attribute that does not belong
 * to a command is refused like an unknown one (strict validation is the
 * default for a family with resv_start_op == 0).  Refusals set an errno and
 * an extack message; the policy core writes the message for malformed
 * attributes, the handlers write it for everything else.
 */
#include <linux/cpumask.h>
#include <net/genetlink.h>

#include "ctrace.h"

static struct genl_family ctrace_genl_family;

static const struct nla_policy ctrace_info_policy[CTRACE_A_CLOCK + 1] = {
	[CTRACE_A_CLOCK] = NLA_POLICY_MAX(NLA_U32, CTRACE_CLOCK_MAX),
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
	    nla_put_u64_64bit(msg, CTRACE_A_FEATURES, CTRACE_FEAT_INFO,
			      CTRACE_A_PAD) ||
	    nla_put_u32(msg, CTRACE_A_NR_CPUS, nr_cpu_ids) ||
	    nla_put_u32(msg, CTRACE_A_CLOCK, clock) ||
	    nla_put_u64_64bit(msg, CTRACE_A_TSC_KHZ, ctrace_clock_tsc_khz(),
			      CTRACE_A_PAD))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops ctrace_genl_ops[] = {
	{
		.cmd = CTRACE_CMD_GET_INFO,
		.doit = ctrace_genl_get_info,
		.policy = ctrace_info_policy,
		.maxattr = ARRAY_SIZE(ctrace_info_policy) - 1,
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
};

int __init ctrace_genl_init(void)
{
	return genl_register_family(&ctrace_genl_family);
}

void ctrace_genl_exit(void)
{
	genl_unregister_family(&ctrace_genl_family);
}
