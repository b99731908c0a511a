// SPDX-License-Identifier: GPL-2.0
/*
 * Session clock -> CLOCK_MONOTONIC / CLOCK_REALTIME (tools/tracefile/
 * clock.c): piecewise-linear through CLOCK records gathered from all rings,
 * extrapolated at both ends, one snapshot plus tsc_khz, none at all, the
 * MONO clock, and absurd snapshots that must saturate, not overflow.
 * Expected values are worked out by hand (rounding down).
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "tracefile_builder.h"

#define SEC 1000000000ull

struct snap {
	uint32_t ring;
	uint64_t counter, mono, real;
};

static struct ctrace_trace *make(const char *meta, const struct snap *s,
				 size_t n, unsigned char **buf)
{
	struct ctrace_trace *t;
	struct tb b;
	size_t len;
	char err[256];

	if (tb_open(&b))
		return NULL;
	tb_meta(&b, meta);
	for (size_t i = 0; i < n; i++)
		tb_clock(&b, s[i].ring, s[i].counter, s[i].mono, s[i].real,
			 CTRACE_CLOCK_SNAP_PERIODIC);
	tb_flush_all(&b);
	tb_end(&b);
	*buf = tb_finish(&b, &len);
	tb_free(&b);
	if (!*buf || ctrace_trace_open_buffer(*buf, len, &t, err, sizeof(err)))
		return NULL;
	return t;
}

TEST(tsc_piecewise_linear)
{
	/* Rates: 1000 ns per 3000 cycles, then 2000 ns per 3000 cycles. */
	static const struct snap s[] = {
		{ 0, 1000, 5000, 5000 + 1 * SEC },
		{ 0, 7000, 8000, 8000 + 3 * SEC },
		{ 1, 4000, 6000, 6000 + 2 * SEC },	/* another ring */
	};
	unsigned char *buf;
	struct ctrace_trace *t = make("clock=tsc\ntsc_khz=3000000\n", s, 3, &buf);
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	uint64_t want_ns[] = { 5000, 6000, 8000 }, i = 0;

	ASSERT_NE(NULL, t);
	EXPECT_EQ(CTRACE_CLOCK_TSC, ctrace_trace_clock(t));
	EXPECT_EQ(5000, ctrace_trace_mono_ns(t, 1000));
	EXPECT_EQ(5500, ctrace_trace_mono_ns(t, 2500));
	EXPECT_EQ(5666, ctrace_trace_mono_ns(t, 3000));	/* 5666.67 */
	EXPECT_EQ(6000, ctrace_trace_mono_ns(t, 4000));
	EXPECT_EQ(7000, ctrace_trace_mono_ns(t, 5500));
	EXPECT_EQ(8000, ctrace_trace_mono_ns(t, 7000));
	/* Outside: the nearest segment's rate. */
	EXPECT_EQ(10000, ctrace_trace_mono_ns(t, 10000));
	EXPECT_EQ(9333, ctrace_trace_mono_ns(t, 9000));	/* 9333.33 */
	EXPECT_EQ(4666, ctrace_trace_mono_ns(t, 0));	/* 4666.67 */
	EXPECT_EQ(4999, ctrace_trace_mono_ns(t, 997));	/* 4999.00 */
	EXPECT_EQ(4998, ctrace_trace_mono_ns(t, 996));	/* 4998.67 */

	/* Realtime: the offset of the nearest snapshot (ties: earlier). */
	EXPECT_EQ(5500 + 1 * SEC, ctrace_trace_real_ns(t, 2500));
	EXPECT_EQ(5666 + 2 * SEC, ctrace_trace_real_ns(t, 3000));
	EXPECT_EQ(4666 + 1 * SEC, ctrace_trace_real_ns(t, 0));
	EXPECT_EQ(9333 + 3 * SEC, ctrace_trace_real_ns(t, 9000));

	/* Events carry the converted time. */
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		ASSERT_LT(i, 3);
		EXPECT_EQ(want_ns[i], ev.ns);
		i++;
	}
	EXPECT_EQ(3, i);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(buf);
}

TEST(tsc_one_snapshot_uses_tsc_khz)
{
	static const struct snap s[] = { { 0, 1000, 5000, 5000 + SEC } };
	unsigned char *buf;
	/* 2 GHz: half a nanosecond per cycle. */
	struct ctrace_trace *t = make("clock=tsc\ntsc_khz=2000000\n", s, 1, &buf);

	ASSERT_NE(NULL, t);
	EXPECT_EQ(6000, ctrace_trace_mono_ns(t, 3000));
	EXPECT_EQ(5000, ctrace_trace_mono_ns(t, 1001));	/* 5000.5 */
	EXPECT_EQ(4999, ctrace_trace_mono_ns(t, 999));	/* 4999.5 */
	EXPECT_EQ(4500, ctrace_trace_mono_ns(t, 0));
	EXPECT_EQ(6000 + SEC, ctrace_trace_real_ns(t, 3000));
	ctrace_trace_close(t);
	free(buf);
}

TEST(tsc_without_snapshots)
{
	unsigned char *buf;
	struct ctrace_trace *t = make("clock=tsc\ntsc_khz=3000000\n", NULL, 0, &buf);

	ASSERT_NE(NULL, t);
	EXPECT_EQ(1000, ctrace_trace_mono_ns(t, 3000));
	EXPECT_EQ(1000, ctrace_trace_real_ns(t, 3000));
	/* Large counters do not overflow: 2^64-1 cycles at 3 GHz. */
	EXPECT_EQ(6148914691236517205ull, ctrace_trace_mono_ns(t, UINT64_MAX));
	ctrace_trace_close(t);
	free(buf);

	/* Nothing to go by: the counter as it is. */
	t = make("clock=tsc\n", NULL, 0, &buf);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(3000, ctrace_trace_mono_ns(t, 3000));
	ctrace_trace_close(t);
	free(buf);
}

TEST(mono_clock)
{
	static const struct snap s[] = {
		{ 0, 1000, 1000, 1000 + 5 * SEC },
		{ 1, 9000, 9000, 9000 + 6 * SEC },
	};
	unsigned char *buf;
	struct ctrace_trace *t = make("clock=mono\n", s, 2, &buf);

	ASSERT_NE(NULL, t);
	EXPECT_EQ(CTRACE_CLOCK_MONO, ctrace_trace_clock(t));
	EXPECT_EQ(123456, ctrace_trace_mono_ns(t, 123456));
	EXPECT_EQ(2000 + 5 * SEC, ctrace_trace_real_ns(t, 2000));
	EXPECT_EQ(8000 + 6 * SEC, ctrace_trace_real_ns(t, 8000));
	EXPECT_EQ(20000 + 6 * SEC, ctrace_trace_real_ns(t, 20000));
	ctrace_trace_close(t);
	free(buf);
}

/* Without a clock key, a counter unlike CLOCK_MONOTONIC means TSC. */
TEST(clock_inferred_without_meta)
{
	static const struct snap tsc[] = {
		{ 0, 1000, 5000, 0 }, { 0, 4000, 6000, 0 },
	};
	static const struct snap mono[] = {
		{ 0, 1000, 1000, 0 }, { 0, 4000, 4000, 0 },
	};
	unsigned char *buf;
	struct ctrace_trace *t = make("host=x\n", tsc, 2, &buf);

	ASSERT_NE(NULL, t);
	EXPECT_EQ(CTRACE_CLOCK_TSC, ctrace_trace_clock(t));
	EXPECT_EQ(5500, ctrace_trace_mono_ns(t, 2500));
	ctrace_trace_close(t);
	free(buf);
	t = make("host=x\n", mono, 2, &buf);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(CTRACE_CLOCK_MONO, ctrace_trace_clock(t));
	ctrace_trace_close(t);
	free(buf);
}

/* Snapshots from a hostile file: saturate, never overflow or divide by 0. */
TEST(absurd_snapshots_saturate)
{
	static const struct snap s[] = {
		{ 0, 10, UINT64_MAX - 5, 0 },
		{ 1, 10, UINT64_MAX, 0 },	/* same counter: the first kept */
		{ 0, 20, 0, UINT64_MAX },
	};
	unsigned char *buf;
	struct ctrace_trace *t = make("clock=tsc\ntsc_khz=0\n", s, 3, &buf);

	ASSERT_NE(NULL, t);
	/* Mono falls by (2^64-6)/10 per cycle from counter 10. */
	EXPECT_EQ(UINT64_MAX, ctrace_trace_mono_ns(t, 0));
	EXPECT_EQ(9223372036854775805ull, ctrace_trace_mono_ns(t, 15));
	EXPECT_EQ(0, ctrace_trace_mono_ns(t, 30));
	EXPECT_EQ(0, ctrace_trace_mono_ns(t, UINT64_MAX));
	EXPECT_EQ(5, ctrace_trace_real_ns(t, 0));	/* 2^64-1 - (2^64-6) */
	EXPECT_EQ(UINT64_MAX, ctrace_trace_real_ns(t, 30));
	ctrace_trace_close(t);
	free(buf);
}

TEST_HARNESS_MAIN
