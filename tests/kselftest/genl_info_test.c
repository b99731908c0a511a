// SPDX-License-Identifier: GPL-2.0
/*
 * The "ctrace" generic netlink family, through libnl: GET_INFO's answers,
 * and refusals (errno plus extack message) for malformed requests.
 */
#include "kselftest_harness.h"
#include "ctl.h"
#include "ktest.h"

FIXTURE(ctl) {
	struct ctrace_ctl *ctl;
};

FIXTURE_SETUP(ctl)
{
	int err;

	self->ctl = ctrace_ctl_open(&err);
	ASSERT_NE(NULL, self->ctl);
	ASSERT_EQ(0, err) TH_LOG("%s", ctrace_ctl_error(self->ctl));
}

FIXTURE_TEARDOWN(ctl)
{
	ctrace_ctl_close(self->ctl);
}

TEST_F(ctl, info)
{
	struct ctrace_info info;

	ASSERT_EQ(0, ctrace_ctl_get_info(self->ctl, -1, &info))
		TH_LOG("%s", ctrace_ctl_error(self->ctl));
	EXPECT_EQ(CTRACE_ABI_VERSION, info.abi_version);
	EXPECT_EQ(ktest_possible_cpus(), (int)info.nr_cpus);
	EXPECT_TRUE(info.features & CTRACE_FEAT_INFO);
	EXPECT_TRUE(info.clock == CTRACE_CLOCK_TSC || info.clock == CTRACE_CLOCK_MONO);
	/* The TSC frequency is reported exactly when the TSC is usable. */
	EXPECT_EQ(info.clock == CTRACE_CLOCK_TSC, info.tsc_khz != 0);
}

TEST_F(ctl, info_clock_mono_always_usable)
{
	struct ctrace_info info;

	ASSERT_EQ(0, ctrace_ctl_get_info(self->ctl, CTRACE_CLOCK_MONO, &info));
	EXPECT_EQ(CTRACE_CLOCK_MONO, info.clock);
}

TEST_F(ctl, info_clock_tsc_usable_or_explained)
{
	struct ctrace_info info;
	int auto_clock, err;

	ASSERT_EQ(0, ctrace_ctl_get_info(self->ctl, CTRACE_CLOCK_AUTO, &info));
	auto_clock = info.clock;
	err = ctrace_ctl_get_info(self->ctl, CTRACE_CLOCK_TSC, &info);
	if (auto_clock == CTRACE_CLOCK_TSC) {
		EXPECT_EQ(0, err);
		EXPECT_EQ(CTRACE_CLOCK_TSC, info.clock);
	} else {
		EXPECT_EQ(-EOPNOTSUPP, err);
		EXPECT_NE(NULL, strstr(ctrace_ctl_error(self->ctl), "TSC"))
			TH_LOG("%s", ctrace_ctl_error(self->ctl));
	}
}

/* Send GET_INFO with one raw attribute; return the errno. */
static int send_raw(struct ctrace_ctl *ctl, int type, const void *data, int len)
{
	struct nl_msg *msg = ctrace_ctl_msg(ctl, CTRACE_CMD_GET_INFO, 0);

	if (!msg || nla_put(msg, type, len, data) < 0)
		return -ENOMEM;
	return ctrace_ctl_transact(ctl, msg, NULL, NULL);
}

static int has_message(struct ctrace_ctl *ctl)
{
	/* "<message>: <strerror>": a kernel message precedes the colon. */
	const char *e = ctrace_ctl_error(ctl), *colon = strchr(e, ':');

	return colon && colon > e;
}

TEST_F(ctl, refuses_unknown_attribute)
{
	uint32_t v = 1;

	EXPECT_EQ(-EINVAL, send_raw(self->ctl, CTRACE_A_MAX + 10, &v, 4));
	EXPECT_TRUE(has_message(self->ctl)) TH_LOG("%s", ctrace_ctl_error(self->ctl));
	EXPECT_LE(0, ctrace_ctl_bad_attr_offset(self->ctl));
}

TEST_F(ctl, refuses_attribute_of_another_command)
{
	uint32_t v = 1;

	/* NR_CPUS is a reply attribute; a request may not carry it. */
	EXPECT_EQ(-EINVAL, send_raw(self->ctl, CTRACE_A_NR_CPUS, &v, 4));
	EXPECT_TRUE(has_message(self->ctl)) TH_LOG("%s", ctrace_ctl_error(self->ctl));
}

TEST_F(ctl, refuses_wrong_type)
{
	uint8_t small = CTRACE_CLOCK_MONO;
	uint64_t big = CTRACE_CLOCK_MONO;
	int err;

	err = send_raw(self->ctl, CTRACE_A_CLOCK, &small, 1);
	EXPECT_TRUE(err == -ERANGE || err == -EINVAL) TH_LOG("err %d", err);
	EXPECT_TRUE(has_message(self->ctl)) TH_LOG("%s", ctrace_ctl_error(self->ctl));
	EXPECT_LE(0, ctrace_ctl_bad_attr_offset(self->ctl));

	err = send_raw(self->ctl, CTRACE_A_CLOCK, &big, 8);
	EXPECT_TRUE(err == -ERANGE || err == -EINVAL) TH_LOG("err %d", err);
	EXPECT_TRUE(has_message(self->ctl)) TH_LOG("%s", ctrace_ctl_error(self->ctl));
}

TEST_F(ctl, refuses_out_of_range)
{
	uint32_t v = CTRACE_CLOCK_MAX + 1;

	EXPECT_EQ(-ERANGE, send_raw(self->ctl, CTRACE_A_CLOCK, &v, 4));
	EXPECT_TRUE(has_message(self->ctl)) TH_LOG("%s", ctrace_ctl_error(self->ctl));
	v = 0xffffffff;
	EXPECT_EQ(-ERANGE, send_raw(self->ctl, CTRACE_A_CLOCK, &v, 4));
}

TEST_F(ctl, still_answers_after_refusals)
{
	struct ctrace_info info;
	uint32_t v = 99;

	EXPECT_NE(0, send_raw(self->ctl, CTRACE_A_CLOCK, &v, 4));
	EXPECT_EQ(0, ctrace_ctl_get_info(self->ctl, -1, &info));
	EXPECT_EQ(CTRACE_ABI_VERSION, info.abi_version);
}

TEST(ctrace_info_tool)
{
	char cmd[4200], out[4096], want[64];
	struct ctrace_info info;
	struct ctrace_ctl *ctl;
	int err;

	ctl = ctrace_ctl_open(&err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, ctrace_ctl_get_info(ctl, -1, &info));
	ctrace_ctl_close(ctl);

	snprintf(cmd, sizeof(cmd), "%s info", ktest_tool("ctrace"));
	ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "abi version:   %d\n", CTRACE_ABI_VERSION);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "possible cpus: %d\n", ktest_possible_cpus());
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);

	/* A refusal reaches the user in the kernel's words. */
	if (info.clock != CTRACE_CLOCK_TSC) {
		snprintf(cmd, sizeof(cmd), "%s info --clock tsc", ktest_tool("ctrace"));
		EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
		EXPECT_NE(NULL, strstr(out, "TSC is not trusted")) TH_LOG("%s", out);
	}
}

KTEST_HARNESS_MAIN
