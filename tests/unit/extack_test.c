// SPDX-License-Identifier: GPL-2.0
/*
 * The extack parser (tools/ctl/extack.c) on crafted NLMSG_ERROR messages:
 * what a kernel sends, and what a broken or hostile peer could.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "extack.h"

struct builder {
	unsigned char buf[1024] __attribute__((aligned(8)));
	size_t len;
};

/* An NLMSG_ERROR for a request of @req_len bytes (echoed unless capped). */
static struct nlmsghdr *start(struct builder *b, int error, size_t req_len,
			      int capped)
{
	struct nlmsghdr *nlh = (void *)b->buf;
	struct nlmsgerr *e = NLMSG_DATA(nlh);

	memset(b, 0, sizeof(*b));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	e->error = error;
	e->msg.nlmsg_len = NLMSG_HDRLEN + req_len;
	b->len = NLMSG_HDRLEN + sizeof(*e) +
		 (capped ? 0 : NLMSG_ALIGN(NLMSG_HDRLEN + req_len) - NLMSG_HDRLEN);
	nlh->nlmsg_len = b->len;
	return nlh;
}

static void put(struct builder *b, int type, const void *data, size_t len)
{
	struct nlattr *a = (void *)(b->buf + b->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(b->buf + b->len + NLA_HDRLEN, data, len);
	b->len += NLA_ALIGN(a->nla_len);
	((struct nlmsghdr *)b->buf)->nlmsg_len = b->len;
}

TEST(capped_message_and_offset)
{
	struct builder b;
	struct ctrace_extack ext;
	uint32_t off = 24;

	start(&b, -22, 16, 1);
	put(&b, NLMSGERR_ATTR_MSG, "Unknown attribute type", 23);
	put(&b, NLMSGERR_ATTR_OFFS, &off, 4);
	ASSERT_EQ(0, ctrace_extack_parse((void *)b.buf, b.len, &ext));
	EXPECT_EQ(-22, ext.error);
	EXPECT_TRUE(ext.has_msg);
	EXPECT_STREQ("Unknown attribute type", ext.msg);
	EXPECT_TRUE(ext.has_offset);
	EXPECT_EQ(24u, ext.offset);
}

TEST(uncapped_echo_is_skipped)
{
	struct builder b;
	struct ctrace_extack ext;

	/* A 13-byte request body: the echo is padded to 4 bytes. */
	start(&b, -34, 13, 0);
	put(&b, NLMSGERR_ATTR_MSG, "integer out of range", 21);
	ASSERT_EQ(0, ctrace_extack_parse((void *)b.buf, b.len, &ext));
	EXPECT_EQ(-34, ext.error);
	EXPECT_STREQ("integer out of range", ext.msg);
	EXPECT_FALSE(ext.has_offset);
}

TEST(plain_error_without_tlvs)
{
	struct builder b;
	struct ctrace_extack ext;
	struct nlmsghdr *nlh = start(&b, -1, 0, 1);

	nlh->nlmsg_flags = 0;
	ASSERT_EQ(0, ctrace_extack_parse(nlh, b.len, &ext));
	EXPECT_EQ(-1, ext.error);
	EXPECT_FALSE(ext.has_msg);
}

TEST(unknown_tlvs_ignored)
{
	struct builder b;
	struct ctrace_extack ext;
	uint64_t policy = 7;

	start(&b, -22, 0, 1);
	put(&b, 99, &policy, 8);
	put(&b, NLMSGERR_ATTR_MSG, "x", 2);
	ASSERT_EQ(0, ctrace_extack_parse((void *)b.buf, b.len, &ext));
	EXPECT_STREQ("x", ext.msg);
}

TEST(long_message_truncated)
{
	struct builder b;
	struct ctrace_extack ext;
	char msg[400];

	memset(msg, 'a', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	start(&b, -22, 0, 1);
	put(&b, NLMSGERR_ATTR_MSG, msg, sizeof(msg));
	ASSERT_EQ(0, ctrace_extack_parse((void *)b.buf, b.len, &ext));
	EXPECT_EQ(sizeof(ext.msg) - 1, strlen(ext.msg));
}

TEST(refuses_message_without_nul)
{
	struct builder b;
	struct ctrace_extack ext;

	start(&b, -22, 0, 1);
	put(&b, NLMSGERR_ATTR_MSG, "abcd", 4);
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse((void *)b.buf, b.len, &ext));
}

TEST(refuses_truncated_and_lying_lengths)
{
	struct builder b;
	struct ctrace_extack ext;
	struct nlmsghdr *nlh;
	struct nlattr *a;

	nlh = start(&b, -22, 0, 1);
	put(&b, NLMSGERR_ATTR_MSG, "hello", 6);
	/* Fewer bytes readable than the header claims. */
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse(nlh, b.len - 1, &ext));
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse(nlh, 4, &ext));
	/* An attribute longer than the message. */
	a = (void *)(b.buf + NLMSG_HDRLEN + sizeof(struct nlmsgerr));
	a->nla_len = 200;
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse(nlh, b.len, &ext));
	/* An attribute shorter than its own header. */
	a->nla_len = 2;
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse(nlh, b.len, &ext));
	/* An echoed request longer than the error message. */
	nlh = start(&b, -22, 600, 0);
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nlmsgerr);
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse(nlh, sizeof(b.buf), &ext));
	/* Not an error message at all. */
	nlh = start(&b, 0, 0, 1);
	nlh->nlmsg_type = NLMSG_DONE;
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse(nlh, b.len, &ext));
	/* An offset of the wrong size. */
	start(&b, -22, 0, 1);
	put(&b, NLMSGERR_ATTR_OFFS, "ab", 2);
	EXPECT_EQ(-EBADMSG, ctrace_extack_parse((void *)b.buf, b.len, &ext));
}

TEST(random_garbage_never_reads_out_of_bounds)
{
	/* ASan turns any out-of-bounds read into a failure. */
	unsigned int seed = 1;

	for (int i = 0; i < 20000; i++) {
		size_t len = rand_r(&seed) % 96;
		unsigned char *p = malloc(len ? len : 1);
		struct ctrace_extack ext;

		for (size_t j = 0; j < len; j++)
			p[j] = rand_r(&seed);
		if (len >= NLMSG_HDRLEN) {
			struct nlmsghdr *nlh = (void *)p;

			/* Mostly plausible headers, so the TLV walk runs. */
			nlh->nlmsg_type = NLMSG_ERROR;
			if (rand_r(&seed) % 2)
				nlh->nlmsg_len = len;
			nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		}
		ctrace_extack_parse((void *)p, len, &ext);
		EXPECT_LT(strlen(ext.msg), sizeof(ext.msg));
		free(p);
	}
}

TEST_HARNESS_MAIN
