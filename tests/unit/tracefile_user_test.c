// SPDX-License-Identifier: GPL-2.0
/*
 * The reader on files with user events: USET and STRINGS chunks, USER and
 * DUMPER rings.  The exact decode of a trace mixing kernel and user rings
 * (expectations written out by hand), timestamps raised where a user ring
 * went back, user-only mode's clock from the dumper's ring, and the strict
 * checks: every kind of bad USER chunk, USET and STRINGS chunk is refused
 * with its offset and reason.  Every truncation and every flipped byte
 * (under a recomputed CRC) of such a file decodes what it can and never
 * crashes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "analysis.h"
#include "tracefile_builder.h"

enum { PARSE = 1, IO = 2, MSG = 3, QUEUE = 4 };

static void user_strings(struct tb *b, uint32_t set)
{
	static const uint32_t ids[] = { PARSE, IO, MSG, QUEUE };
	static const char *const strs[] = { "parse", "io", "read 4096 bytes", "queue" };

	tb_strings(b, set, 4, ids, strs);
}

/*
 * Kernel rings 0 and 1, ring set 0 (uid 1000, 2 rings), the dumper's ring.
 *
 *     0 file header
 *    64 META "clock=mono\n" (11 bytes, padded to 16)          -> 112
 *   112 USET (32)                                              -> 176
 *   176 STRINGS: 8 + parse 16 + io 16 + "read 4096 bytes" 24
 *       + queue 16 = 80                                        -> 288
 *   288 RING kernel 0: TIME@368 SWITCH@384                     -> 400
 *   400 RING user 0:0: THREAD@480 REGION_BEGIN@520 INSTANT@544
 *       LOG@560                                                -> 592
 *   592 RING user 0:1: COUNTER@672 LOST@696 REGION_END@720
 *       CORRUPT@736                                            -> 760
 *   760 RING kernel 1: TIME@840 WAKEUP@856                     -> 872
 *   872 RING dumper: TIME@952 CLOCK@968                        -> 1008
 *  1008 STATS (8 + 5 * 48)                                     -> 1288
 *  1288 END                                                    -> 1320
 */
static unsigned char *mixed(size_t *len, struct tb *b)
{
	if (tb_open(b))
		return NULL;
	tb_meta(b, "clock=mono\n");
	tb_uset(b, 0, 1000, 2);
	user_strings(b, 0);
	tb_switch(b, 0, 100, 0, 12, 0);
	tb_uthread(b, 0, 0, 110, 12, 10, "worker");
	tb_uregion(b, 0, 0, 120, 12, CTRACE_UREC_REGION_BEGIN, PARSE, true, 7);
	/* Stamped before the region began, committed after: raised. */
	tb_uregion(b, 0, 0, 115, 12, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_ulog(b, 0, 0, 130, 12, IO, 7, MSG, NULL, 0);
	tb_u64(b, 0, 1, 105, 13, CTRACE_UREC_COUNTER, QUEUE, 17);
	tb_u64(b, 0, 1, 125, 13, CTRACE_UREC_LOST, 0, 2);
	tb_uregion(b, 0, 1, 140, 12, CTRACE_UREC_REGION_END, PARSE, false, 0);
	tb_ucorrupt(b, 0, 1, 140, 64, CTRACE_CORRUPT_STRING, 2);
	tb_wakeup(b, 1, 125, 13, 12, 0);
	tb_dumper_clock(b, 90, 90, 5000, CTRACE_CLOCK_SNAP_START);
	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
	return tb_finish(b, len);
}

TEST(mixed_rings_exact)
{
	static const struct {
		uint16_t kind;
		uint32_t ring;
		uint16_t type, aux;
		uint64_t ts, seq, offset;
		uint32_t size;
	} want[] = {
		{ CTRACE_RING_DUMPER, 0, CTRACE_KREC_CLOCK, CTRACE_CLOCK_SNAP_START, 90, 0, 968, 40 },
		{ CTRACE_RING_KERNEL, 0, CTRACE_KREC_SWITCH, 0, 100, 0, 384, 16 },
		{ CTRACE_RING_USER, 1, CTRACE_UREC_COUNTER, QUEUE, 105, 0, 672, 24 },
		{ CTRACE_RING_USER, 0, CTRACE_UREC_THREAD, 0, 110, 0, 480, 40 },
		{ CTRACE_RING_USER, 0, CTRACE_UREC_REGION_BEGIN, PARSE, 120, 1, 520, 24 },
		/* Written at 115, after a record at 120 on its ring. */
		{ CTRACE_RING_USER, 0, CTRACE_UREC_INSTANT, 0, 120, 2, 544, 16 },
		/* Equal timestamps: the kernel ring first. */
		{ CTRACE_RING_KERNEL, 1, CTRACE_KREC_WAKEUP, 0, 125, 0, 856, 16 },
		/* LOST takes the numbers of the 2 lost events. */
		{ CTRACE_RING_USER, 1, CTRACE_UREC_LOST, 0, 125, 1, 696, 24 },
		{ CTRACE_RING_USER, 0, CTRACE_UREC_LOG, IO, 130, 3, 560, 32 },
		{ CTRACE_RING_USER, 1, CTRACE_UREC_REGION_END, PARSE, 140, 3, 720, 16 },
		{ CTRACE_RING_USER, 1, CTRACE_FREC_CORRUPT, 0, 140, 4, 736, 24 },
	};
	const struct ctrace_ring_info *ri;
	const struct ctrace_uset_chunk *u;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	struct ctrace_urec h;
	size_t len, n = 0;
	struct tb b;
	unsigned char *p = mixed(&len, &b);
	char err[256];

	ASSERT_NE(NULL, p);
	ASSERT_EQ(1320, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_NULL(ctrace_trace_problem(t));
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_FALSE(ctrace_trace_user_only(t));

	ASSERT_EQ(1, ctrace_trace_nr_usets(t));
	u = ctrace_trace_uset(t, 0);
	EXPECT_EQ(0, u->index);
	EXPECT_EQ(1000, u->uid);
	EXPECT_EQ(2, u->nr_rings);
	EXPECT_EQ(CTRACE_USET_F_RSEQ, u->flags);
	EXPECT_EQ(65536, u->data_size);
	EXPECT_NULL(ctrace_trace_uset(t, 1));
	EXPECT_EQ(0, ctrace_trace_find_uset(t, 0));
	EXPECT_EQ(SIZE_MAX, ctrace_trace_find_uset(t, 1));
	EXPECT_STREQ("parse", ctrace_trace_string(t, 0, PARSE));
	EXPECT_STREQ("read 4096 bytes", ctrace_trace_string(t, 0, MSG));
	EXPECT_STREQ("queue", ctrace_trace_string(t, 0, QUEUE));
	EXPECT_EQ((const char *)p + 176 + 32 + 8 + 8, ctrace_trace_string(t, 0, PARSE));
	EXPECT_NULL(ctrace_trace_string(t, 0, 0));
	EXPECT_NULL(ctrace_trace_string(t, 0, 5));
	EXPECT_NULL(ctrace_trace_string(t, 1, PARSE));
	EXPECT_NULL(ctrace_trace_string(t, 0, 65536 + PARSE));

	/* Rings sorted by kind, then number. */
	ASSERT_EQ(5, ctrace_trace_nr_rings(t));
	ri = ctrace_trace_ring(t, 2);
	EXPECT_EQ(CTRACE_RING_USER, ri->kind);
	EXPECT_EQ(0, ri->ring);
	EXPECT_EQ(4, ri->events);
	EXPECT_EQ(0, ri->lost);
	EXPECT_EQ(1, ri->raised);
	EXPECT_EQ(0, ri->corrupt);
	EXPECT_TRUE(ri->has_stats);
	EXPECT_EQ(4, ri->stats.events_read);
	ri = ctrace_trace_ring(t, 3);
	EXPECT_EQ(CTRACE_RING_USER, ri->kind);
	EXPECT_EQ(1, ri->ring);
	EXPECT_EQ(3, ri->events);	/* the CORRUPT record is one */
	EXPECT_EQ(2, ri->lost);
	EXPECT_EQ(0, ri->raised);
	EXPECT_EQ(1, ri->corrupt);
	EXPECT_EQ(64, ri->corrupt_bytes);
	ri = ctrace_trace_ring(t, 4);
	EXPECT_EQ(CTRACE_RING_DUMPER, ri->kind);
	EXPECT_EQ(1, ri->events);

	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		ASSERT_LT(n, sizeof(want) / sizeof(want[0]));
		EXPECT_EQ(want[n].kind, ev.kind) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].ring, ev.ring) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].type, ev.type) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].aux, ev.aux) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].ts, ev.ts) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].ts, ev.ns) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].seq, ev.seq) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].offset, ev.offset) TH_LOG("event %zu", n);
		EXPECT_EQ(want[n].size, ev.size) TH_LOG("event %zu", n);
		EXPECT_EQ(p + want[n].offset, (const unsigned char *)ev.rec);
		if (ev.kind == CTRACE_RING_USER && ev.type == CTRACE_UREC_THREAD) {
			/* Named from the moment its THREAD record is returned. */
			ASSERT_NE(NULL, ctrace_cursor_thread(c, 12));
			EXPECT_STREQ("worker", ctrace_cursor_thread(c, 12)->comm);
			EXPECT_EQ(10, ctrace_cursor_thread(c, 12)->tgid);
		}
		n++;
	}
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), n);
	EXPECT_NULL(ctrace_cursor_error(c));
	ctrace_cursor_free(c);

	/* The raised record keeps what was written. */
	memcpy(&h, p + 544, sizeof(h));
	EXPECT_EQ(115, h.ts);
	/* The builder's log agrees with the hand-made list. */
	tb_sort_evs(&b);
	ASSERT_EQ(n, b.nr_evs);
	for (size_t i = 0; i < n; i++) {
		EXPECT_EQ(want[i].offset, b.evs[i].rec_pos);
		EXPECT_EQ(want[i].ts, b.evs[i].ts);
	}
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

/* Raising goes on across a ring's chunks, and is counted. */
TEST(raised_across_chunks)
{
	static const uint64_t want_ts[] = { 500, 500, 500, 510, 510, 520 };
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t len, n = 0;
	struct tb b;
	unsigned char *p;
	char err[256];

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\n");
	tb_uset(&b, 3, 1000, 1);
	tb_uregion(&b, 3, 0, 500, 9, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_uregion(&b, 3, 0, 499, 9, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_flush_all(&b);
	tb_uregion(&b, 3, 0, 450, 9, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_uregion(&b, 3, 0, 510, 9, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_uregion(&b, 3, 0, 505, 9, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_uregion(&b, 3, 0, 520, 9, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_flush_all(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_NULL(ctrace_trace_problem(t));
	ASSERT_EQ(1, ctrace_trace_nr_rings(t));
	EXPECT_EQ(3u << 16, ctrace_trace_ring(t, 0)->ring);
	EXPECT_EQ(3, ctrace_trace_ring(t, 0)->raised);
	EXPECT_EQ(2, ctrace_trace_ring(t, 0)->chunks);
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		ASSERT_LT(n, 6);
		EXPECT_EQ(want_ts[n], ev.ts);
		EXPECT_EQ(n, ev.seq);
		EXPECT_EQ(3u << 16, ev.ring);
		n++;
	}
	EXPECT_EQ(6, n);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

/* User-only: no kernel rings; the clock's snapshots come from the dumper. */
TEST(user_only_clock_from_dumper)
{
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t len;
	struct tb b;
	unsigned char *p;
	char err[256];

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=tsc\nuser_only=1\n");
	tb_uset(&b, 0, 1000, 1);
	/* Counter 1000 is 1 s, 3000 is 2 s: 2000 ticks per second. */
	tb_dumper_clock(&b, 1000, 1000000000, 0, CTRACE_CLOCK_SNAP_START);
	tb_uregion(&b, 0, 0, 2000, 5, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_dumper_clock(&b, 3000, 2000000000, 0, CTRACE_CLOCK_SNAP_STOP);
	tb_flush_all(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_TRUE(ctrace_trace_user_only(t));
	EXPECT_EQ(CTRACE_CLOCK_TSC, ctrace_trace_clock(t));
	EXPECT_EQ(1500000000, ctrace_trace_mono_ns(t, 2000));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_EQ(CTRACE_RING_DUMPER, ev.kind);
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_EQ(CTRACE_RING_USER, ev.kind);
	EXPECT_EQ(1500000000, ev.ns);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

/* A newer library's record type: returned with its number, skipped by size. */
TEST(unknown_user_type)
{
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t len;
	struct tb b;
	unsigned char *p, pay[24] = "payload";
	char err[256];

	ASSERT_EQ(0, tb_open(&b));
	tb_uset(&b, 0, 1000, 1);
	user_strings(&b, 0);
	tb_urec(&b, 0, 0, 10, 5, 99, IO, pay, sizeof(pay));
	tb_uregion(&b, 0, 0, 20, 5, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_flush_all(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_NULL(ctrace_trace_problem(t));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_EQ(99, ev.type);
	EXPECT_EQ(IO, ev.aux);
	EXPECT_EQ(40, ev.size);
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_EQ(CTRACE_UREC_INSTANT, ev.type);
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(0, ctrace_cursor_next(c, &ev));
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

/* ------------------------------------------------------ strict checks */

/*
 * A file of raw chunks: header, USET 0 (2 rings), STRINGS 0 {1: "a"},
 * then what the case adds.  Offsets: USET at 64, STRINGS at 128, the
 * next chunk at 184 (its records at 184 + 32 + 48 = 264).
 */
struct raw {
	int fd;
	struct ctrace_writer *w;
};

static void raw_open(struct raw *r)
{
	struct ctrace_uset_chunk u = { .index = 0, .uid = 1000, .nr_rings = 2 };
	unsigned char s[16] = { 1, 0, 0, 0, 1, 0, 0, 0, 'a' };

	r->fd = memfd_create("ctrace-user-test", MFD_CLOEXEC);
	ctrace_writer_open(&r->w, r->fd);
	ctrace_writer_uset(r->w, &u);
	ctrace_writer_strings(r->w, 0, 1, s, sizeof(s));
}

/* A USER ring chunk of @ring holding @len bytes of @recs, counts as given. */
static void raw_ring(struct raw *r, uint16_t kind, uint32_t ring,
		     const void *recs, size_t len, uint64_t events, uint64_t lost)
{
	struct ctrace_ring_chunk rc = {
		.ring = ring, .kind = kind, .events = events, .lost = lost,
	};

	ctrace_writer_ring(r->w, &rc, recs, len);
}

static char *raw_problem(struct raw *r)
{
	struct ctrace_trace *t;
	char err[256], *problem = NULL;
	unsigned char *p;
	uint64_t n;

	ctrace_writer_end(r->w);
	n = ctrace_writer_bytes(r->w);
	p = malloc(n);
	if (pread(r->fd, p, n, 0) == (ssize_t)n &&
	    !ctrace_trace_open_buffer(p, n, &t, err, sizeof(err))) {
		problem = strdup(ctrace_trace_problem(t) ? ctrace_trace_problem(t) : "");
		ctrace_trace_close(t);
	}
	ctrace_writer_free(r->w);
	close(r->fd);
	free(p);
	return problem;
}

/* A record of @size bytes: header, @v in the first payload word. */
static size_t rec(unsigned char *buf, uint8_t type, uint8_t units, uint16_t id,
		  uint32_t tid, uint64_t v, uint64_t v2)
{
	struct ctrace_urec h = { .ts = 100, .tid = tid, .type = type,
				 .size = units, .id = id };

	memset(buf, 0, units * 8u);
	memcpy(buf, &h, sizeof(h));
	if (units >= 3)
		memcpy(buf + 16, &v, 8);
	if (units >= 4)
		memcpy(buf + 24, &v2, 8);
	return units * 8u;
}

TEST(bad_user_chunks_are_refused)
{
	unsigned char r[256];
	struct raw w;
	char *problem;
	size_t n;

	/* A string ID the STRINGS chunks never gave. */
	raw_open(&w);
	n = rec(r, CTRACE_UREC_INSTANT, 2, 1, 5, 0, 0);
	n += rec(r + n, CTRACE_UREC_REGION_BEGIN, 2, 2, 5, 0, 0);
	raw_ring(&w, CTRACE_RING_USER, 1, r, n, 2, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 280: chunk 2 (user ring 0:1): bad user record (type 5, size 16, 16 bytes left in the chunk): a string ID no STRINGS chunk defined",
		     problem);
	free(problem);

	/* Type 0; a known type's wrong size; a type past 200. */
	raw_open(&w);
	n = rec(r, 0, 2, 0, 5, 0, 0);
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 264: chunk 2 (user ring 0:0): bad user record (type 0, size 16, 16 bytes left in the chunk): a type or size no user record has",
		     problem);
	free(problem);
	raw_open(&w);
	n = rec(r, CTRACE_UREC_TASK_BEGIN, 3, 1, 5, 0, 0);
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 264: chunk 2 (user ring 0:0): bad user record (type 3, size 24, 24 bytes left in the chunk): a type or size no user record has",
		     problem);
	free(problem);
	raw_open(&w);
	n = rec(r, 201, 3, 0, 5, 0, 0);
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_NE(NULL, strstr(problem, "(type 201, size 24, 24 bytes left in the chunk): a type or size"));
	free(problem);

	/* A CORRUPT record with a tid; a LOG whose text does not fit. */
	raw_open(&w);
	n = rec(r, CTRACE_FREC_CORRUPT, 3, 0, 5, 8, 0);
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 264: chunk 2 (user ring 0:0): bad user record (type 200, size 24, 24 bytes left in the chunk): a payload that does not fit its type",
		     problem);
	free(problem);
	raw_open(&w);
	n = rec(r, CTRACE_UREC_LOG, 5, 1, 5, 0, 9ull << 32);	/* len 9 in 8 */
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_NE(NULL, strstr(problem, "(type 7, size 40, 40 bytes left in the chunk): a payload that does not fit"));
	free(problem);

	/* A size past the chunk; a size below 16. */
	raw_open(&w);
	n = rec(r, CTRACE_UREC_COUNTER, 3, 1, 5, 1, 0);
	n += rec(r + n, CTRACE_UREC_COUNTER, 3, 1, 5, 1, 0);
	r[n - 24 + 13] = 4;	/* the second claims 32 bytes */
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 2, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 288: chunk 2 (user ring 0:0): bad user record (type 9, size 32, 24 bytes left in the chunk): size below 16 bytes or past the chunk",
		     problem);
	free(problem);
	raw_open(&w);
	n = rec(r, CTRACE_UREC_COUNTER, 3, 1, 5, 1, 0);
	r[13] = 1;
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_NE(NULL, strstr(problem, "offset 264: chunk 2 (user ring 0:0): bad user record (type 9, size 8,"));
	free(problem);

	/* Counts that do not match: LOST adds its count, CORRUPT is an event. */
	raw_open(&w);
	n = rec(r, CTRACE_UREC_LOST, 3, 0, 5, 4, 0);
	n += rec(r + n, CTRACE_FREC_CORRUPT, 3, 0, 0, 8, 0);
	n += rec(r + n, CTRACE_UREC_INSTANT, 2, 0, 5, 0, 0);
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 3, 4);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2 (user ring 0:0) claims 3 events and 4 lost, its records hold 2 and 4",
		     problem);
	free(problem);

	/* No such ring set; no such CPU; a ts_base. */
	raw_open(&w);
	n = rec(r, CTRACE_UREC_INSTANT, 2, 0, 5, 0, 0);
	raw_ring(&w, CTRACE_RING_USER, 1u << 16, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2 (user ring 1:0): ring set 1 was not described by a USET chunk before",
		     problem);
	free(problem);
	raw_open(&w);
	raw_ring(&w, CTRACE_RING_USER, 2, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2 (user ring 0:2): ring set 0 has 2 rings", problem);
	free(problem);
	raw_open(&w);
	{
		struct ctrace_ring_chunk rc = {
			.ring = 0, .kind = CTRACE_RING_USER, .ts_base = 5, .events = 1,
		};

		ctrace_writer_ring(w.w, &rc, r, n);
	}
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2 (user ring 0:0): ts_base 5 (unused in user rings: 0)",
		     problem);
	free(problem);

	/* The dumper has one ring. */
	raw_open(&w);
	raw_ring(&w, CTRACE_RING_DUMPER, 1, NULL, 0, 0, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2: dumper ring 1 (the dumper has ring 0 only)", problem);
	free(problem);
}

/* Strings must come before the records that use them. */
TEST(strings_after_use_are_too_late)
{
	unsigned char r[64], s[16] = { 2, 0, 0, 0, 1, 0, 0, 0, 'b' };
	struct raw w;
	char *problem;
	size_t n;

	raw_open(&w);
	n = rec(r, CTRACE_UREC_INSTANT, 2, 2, 5, 0, 0);
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	ctrace_writer_strings(w.w, 0, 1, s, sizeof(s));
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 264: chunk 2 (user ring 0:0): bad user record (type 8, size 16, 16 bytes left in the chunk): a string ID no STRINGS chunk defined",
		     problem);
	free(problem);

	/* The other way round it is fine. */
	raw_open(&w);
	ctrace_writer_strings(w.w, 0, 1, s, sizeof(s));
	raw_ring(&w, CTRACE_RING_USER, 0, r, n, 1, 0);
	problem = raw_problem(&w);
	EXPECT_STREQ("", problem);
	free(problem);
}

TEST(bad_uset_and_strings_chunks)
{
	struct ctrace_uset_chunk u = { .index = 0, .uid = 7, .nr_rings = 1 };
	unsigned char s[64];
	struct raw w;
	char *problem;

	/* Described twice. */
	raw_open(&w);
	ctrace_writer_uset(w.w, &u);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2: USET 0 described again (first at offset 64)", problem);
	free(problem);
	/* No rings; an index past 65535; reserved set. */
	raw_open(&w);
	u = (struct ctrace_uset_chunk){ .index = 1, .nr_rings = 0 };
	ctrace_writer_uset(w.w, &u);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2: USET 1 with 0 rings (index up to 65535, 1 to 65536 rings, reserved 0)",
		     problem);
	free(problem);
	raw_open(&w);
	u = (struct ctrace_uset_chunk){ .index = 65536, .nr_rings = 1 };
	ctrace_writer_uset(w.w, &u);
	problem = raw_problem(&w);
	EXPECT_NE(NULL, strstr(problem, "USET 65536 with 1 rings"));
	free(problem);
	raw_open(&w);
	u = (struct ctrace_uset_chunk){ .index = 1, .nr_rings = 65537 };
	ctrace_writer_uset(w.w, &u);
	problem = raw_problem(&w);
	EXPECT_NE(NULL, strstr(problem, "USET 1 with 65537 rings"));
	free(problem);
	raw_open(&w);
	u = (struct ctrace_uset_chunk){ .index = 1, .nr_rings = 1, .reserved = 1 };
	ctrace_writer_uset(w.w, &u);
	problem = raw_problem(&w);
	EXPECT_NE(NULL, strstr(problem, "USET 1 with 1 rings"));
	free(problem);

	/* STRINGS for a set not described (yet). */
	raw_open(&w);
	memset(s, 0, sizeof(s));
	s[0] = 2;
	ctrace_writer_strings(w.w, 1, 1, s, 16);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2: STRINGS of ring set 1, which no USET chunk described before",
		     problem);
	free(problem);
	/* An ID an earlier chunk defined; one defined twice in a chunk. */
	raw_open(&w);
	s[0] = 1;
	ctrace_writer_strings(w.w, 0, 1, s, 16);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 224: chunk 2: STRINGS of ring set 0: string 1 defined again", problem);
	free(problem);
	raw_open(&w);
	memset(s, 0, sizeof(s));
	s[0] = 2;
	s[16] = 3;
	s[32] = 2;
	ctrace_writer_strings(w.w, 0, 3, s, 48);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 256: chunk 2: STRINGS of ring set 0: string 2 defined again", problem);
	free(problem);
	/* Count, id 0, reserved, no NUL, too long for its chunk. */
	raw_open(&w);
	memset(s, 0, sizeof(s));
	s[0] = 2;
	ctrace_writer_strings(w.w, 0, 2, s, 16);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 184: chunk 2: STRINGS of ring set 0 claims 2 entries, holds 1", problem);
	free(problem);
	raw_open(&w);
	memset(s, 0, sizeof(s));
	ctrace_writer_strings(w.w, 0, 1, s, 16);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 224: chunk 2: STRINGS of ring set 0: bad entry (id 0, length 0, 16 bytes left)",
		     problem);
	free(problem);
	raw_open(&w);
	s[0] = 2;
	s[6] = 1;	/* reserved */
	ctrace_writer_strings(w.w, 0, 1, s, 16);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 224: chunk 2: STRINGS of ring set 0: bad entry (id 2, length 0, 16 bytes left)",
		     problem);
	free(problem);
	raw_open(&w);
	memset(s, 0, sizeof(s));
	s[0] = 2;
	s[4] = 8;
	memset(s + 8, 'x', 8);		/* 8 bytes, and no NUL after them */
	s[16] = 'y';
	ctrace_writer_strings(w.w, 0, 1, s, 24);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 224: chunk 2: STRINGS of ring set 0: bad entry (id 2, length 8, 24 bytes left)",
		     problem);
	free(problem);
	raw_open(&w);
	memset(s, 0, sizeof(s));
	s[0] = 2;
	s[4] = 16;
	ctrace_writer_strings(w.w, 0, 1, s, 16);
	problem = raw_problem(&w);
	EXPECT_STREQ("offset 224: chunk 2: STRINGS of ring set 0: bad entry (id 2, length 16, 16 bytes left)",
		     problem);
	free(problem);
	/* A bad chunk defines none of its strings. */
	{
		struct ctrace_trace *t;
		uint64_t n;
		unsigned char *p;
		char err[256];

		raw_open(&w);
		memset(s, 0, sizeof(s));
		s[0] = 2;
		s[16] = 3;
		s[32] = 2;
		ctrace_writer_strings(w.w, 0, 3, s, 48);
		n = ctrace_writer_bytes(w.w);
		p = malloc(n);
		ASSERT_EQ((ssize_t)n, pread(w.fd, p, n, 0));
		ASSERT_EQ(0, ctrace_trace_open_buffer(p, n, &t, err, sizeof(err)));
		EXPECT_STREQ("a", ctrace_trace_string(t, 0, 1));
		EXPECT_NULL(ctrace_trace_string(t, 0, 2));
		EXPECT_NULL(ctrace_trace_string(t, 0, 3));
		ctrace_trace_close(t);
		ctrace_writer_free(w.w);
		close(w.fd);
		free(p);
	}
}

/* ------------------------------------------------------- robustness */

static FILE *devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

/* Everything a tool does with a trace, for damaged files. */
static size_t exercise(const unsigned char *p, size_t len)
{
	struct ctrace_validation v;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t n = 0;
	char err[256];

	if (ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)))
		return 0;
	if (!ctrace_cursor_new(t, &c)) {
		while (ctrace_cursor_next(c, &ev) == 1)
			n++;
		ctrace_cursor_free(c);
	}
	ctrace_validate(t, &v, devnull());
	ctrace_print_events(t, devnull(), devnull());
	ctrace_print_summary(t, devnull(), devnull());
	ctrace_trace_close(t);
	return n;
}

TEST(truncated_user_file)
{
	struct tb b;
	size_t len;
	unsigned char *full = mixed(&len, &b);

	ASSERT_NE(NULL, full);
	for (size_t cut = 0; cut <= len; cut++) {
		unsigned char *p = malloc(cut ? cut : 1);
		size_t want = 0;

		memcpy(p, full, cut);
		for (size_t i = 0; i < b.nr_evs; i++)
			want += b.evs[i].chunk_end <= cut;
		ASSERT_EQ(want, exercise(p, cut)) TH_LOG("cut %zu", cut);
		free(p);
	}
	free(full);
	tb_free(&b);
}

TEST(flipped_bytes_under_good_crcs)
{
	struct tb b;
	size_t len;
	unsigned char *full = mixed(&len, &b);

	ASSERT_NE(NULL, full);
	for (size_t i = sizeof(struct ctrace_file_header); i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			unsigned char *p = malloc(len);

			memcpy(p, full, len);
			p[i] ^= 1u << bit;
			tb_fix_chunks(p, len);
			exercise(p, len);
			free(p);
		}
	}
	free(full);
	tb_free(&b);
}

TEST_HARNESS_MAIN
