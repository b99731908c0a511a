// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace view's library (tools/view) on its own: the --serve query
 * parser's acceptances and refusals, the item encoding round trip, JSON
 * strings that cannot close a <script>, and a whole page built from a
 * hand-made trace whose strings are hostile: every row the model gives
 * is in the index, and the page holds no markup from the trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "view.h"
#include "tracefile_builder.h"

static int parse(struct view_query *q, const char *s, const char **why)
{
	int r;

	memset(q, 0, sizeof(*q));
	q->level = -1;
	r = view_query_parse(q, s, strlen(s), 10, why);
	return r ? r : view_query_check(q, why);
}

TEST(query_accepts_what_the_page_sends)
{
	struct view_query q;
	const char *why = NULL;

	ASSERT_EQ(0, parse(&q, "from=100&to=2000&px=1200&rows=3%2C1,2", &why));
	EXPECT_EQ(100, q.from);
	EXPECT_EQ(2000, q.to);
	EXPECT_EQ(1200, q.px);
	/* Rows sorted and distinct. */
	ASSERT_EQ(3, q.nr_rows);
	EXPECT_EQ(1, q.rows[0]);
	EXPECT_EQ(2, q.rows[1]);
	EXPECT_EQ(3, q.rows[2]);
	view_query_free(&q);
}

TEST(query_refuses_with_a_reason)
{
	static const char *const bad[] = {
		"from=1&to=0&px=1&rows=1",		/* empty window */
		"from=0&to=1&px=1&rows=10",		/* no such row */
		"from=0&to=1&px=1&rows=1&evil=1",	/* unknown key */
		"from=x&to=1&px=1&rows=1",		/* not a number */
		"from=0&to=1&rows=1",			/* no px */
		"from=0&to=1&px=0&rows=1",		/* no pixels */
		"from=0&to=1&px=1&rows=%zz",		/* bad escape */
		"from=99999999999999999999&to=1&px=1&rows=1",	/* overflow */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct view_query q;
		const char *why = NULL;

		EXPECT_NE(0, parse(&q, bad[i], &why)) TH_LOG("accepted: %s", bad[i]);
		EXPECT_NE(NULL, why) TH_LOG("no reason for: %s", bad[i]);
		view_query_free(&q);
	}
}

TEST(items_round_trip)
{
	struct view_buf b = { 0 };
	struct view_item in[3] = {
		{ .begin = 10, .end = 20, .n = 1, .f = { 1, 2, 3 } },
		{ .begin = 20, .end = 1000000, .n = 1, .f = { 4, 0, 7 } },
		{ .begin = 5000000000ll, .end = 5000000001ll, .n = 1, .f = { 9, 1, 1 } },
	};
	int64_t prev = 0, back = 0;
	size_t off = 0;

	for (int i = 0; i < 3; i++)
		view_encode_item(&b, VK_STATE, &in[i], &prev);
	ASSERT_FALSE(b.oom);
	for (int i = 0; i < 3; i++) {
		struct view_item out;
		size_t n = view_decode_item(b.p + off, b.len - off, VK_STATE, &out, &back);

		ASSERT_LT(0, n);
		off += n;
		EXPECT_EQ(in[i].begin, out.begin);
		EXPECT_EQ(in[i].end, out.end);
		EXPECT_EQ(1, out.n);
		for (unsigned int k = 0; k < view_kinds[VK_STATE].nr_raw; k++)
			EXPECT_EQ(in[i].f[k], out.f[k]);
	}
	EXPECT_EQ(b.len, off);
	/* A cut item is not an item. */
	EXPECT_EQ(0, view_decode_item(b.p, 1, VK_STATE, &(struct view_item){ 0 }, &back));
	view_buf_free(&b);
}

TEST(json_strings_cannot_close_a_script)
{
	static const char s[] = "</script><!-- \"q\" \\ \x01 \xff\xfe end";
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	view_json_str(f, s, sizeof(s) - 1);
	fclose(f);
	EXPECT_EQ(NULL, strchr(out, '<'));
	EXPECT_EQ(NULL, strchr(out, '>'));
	EXPECT_NE(NULL, strstr(out, "\\u003c/script\\u003e"));
	EXPECT_NE(NULL, strstr(out, "\\ufffd"));
	EXPECT_NE(NULL, strstr(out, "\\\""));
	free(out);
}

TEST(a_page_from_a_hostile_trace)
{
	static const uint32_t ids[] = { 1 };
	static const char *const strs[] = { "</script><script>alert(1)</script>" };
	struct view_index *x = NULL;
	struct ctrace_trace *t;
	unsigned char *p;
	char err[256], *html = NULL;
	size_t len, hl = 0;
	struct tb b;
	FILE *f;
	int scripts = 0;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\ntarget=all\n");
	tb_uset(&b, 0, 1000, 1);
	tb_strings(&b, 0, 1, ids, strs);
	tb_thread(&b, 0, 10, 100, 100, 0, CTRACE_STATE_SLEEPING, CTRACE_THREAD_F_SNAPSHOT,
		  "<b>x</b>");
	tb_uthread(&b, 0, 0, 10, 100, 100, "<b>x</b>");
	tb_wakeup(&b, 0, 100, 100, 0, 0);
	tb_switch(&b, 0, 200, 0, 100, 0);
	tb_uregion(&b, 0, 0, 300, 100, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	tb_ulog(&b, 0, 0, 350, 100, 1, 0, 0, "<img src=x>", 11);
	tb_uregion(&b, 0, 0, 400, 100, CTRACE_UREC_REGION_END, 1, false, 0);
	tb_switch(&b, 0, 500, 100, 0, CTRACE_STATE_SLEEPING);
	tb_flush_all(&b);
	tb_stats(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	ASSERT_EQ(0, view_build(t, NULL, &x, stderr));
	/* A CPU row, the thread's state band, its region depth, its marks. */
	{
		int kinds[VK_NR] = { 0 };

		for (size_t i = 0; i < x->nr_rows; i++)
			kinds[x->rows[i].kind]++;
		EXPECT_EQ(1, kinds[VK_CPU]);
		EXPECT_EQ(1, kinds[VK_STATE]);
		EXPECT_EQ(1, kinds[VK_REGION]);
		EXPECT_EQ(1, kinds[VK_MARK]);
	}
	EXPECT_EQ(1, x->nr_threads);
	f = open_memstream(&html, &hl);
	ASSERT_EQ(0, view_write_html(x, "{}", 2, f));
	fclose(f);
	/* The page's own three script elements (meta, blocks, code), and no
	 * other opening or closing tag from the trace. */
	for (const char *s = html; (s = strstr(s, "</script>")); s++)
		scripts++;
	EXPECT_EQ(3, scripts);
	scripts = 0;
	for (const char *s = html; (s = strstr(s, "<script")); s++)
		scripts++;
	EXPECT_EQ(3, scripts);
	EXPECT_EQ(NULL, strstr(html, "<b>x</b>"));
	EXPECT_EQ(NULL, strstr(html, "<img src=x>"));
	EXPECT_EQ(NULL, strstr(html, "alert(1)</script>"));
	free(html);
	view_index_free(x);
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

TEST_HARNESS_MAIN
