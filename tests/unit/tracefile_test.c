// SPDX-License-Identifier: GPL-2.0
/*
 * The trace file reader on files written by the real writer: exact decode
 * of a two-ring trace (expectations worked out by hand from the format),
 * every truncation, every flipped byte, corrupt and unknown chunks, META,
 * thread names, and opening from a path.
 *
 * Buffers handed to ctrace_trace_open_buffer() are malloc'd to their exact
 * length, so AddressSanitizer catches any read past the end of the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "tracefile_builder.h"

#define T32 0x100000000ull

static unsigned char *dup_exact(const unsigned char *p, size_t len)
{
	unsigned char *q = malloc(len ? len : 1);

	memcpy(q, p, len);
	return q;
}

/* File offsets of every complete chunk header, walking sizes only. */
static size_t chunk_starts(const unsigned char *p, size_t len, uint64_t *starts,
			   size_t max)
{
	size_t n = 0;
	uint64_t off = sizeof(struct ctrace_file_header);

	while (off + sizeof(struct ctrace_chunk_header) <= len && n < max) {
		struct ctrace_chunk_header h;

		memcpy(&h, p + off, sizeof(h));
		starts[n++] = off;
		off += sizeof(h) + h.size;
	}
	return n;
}

/*
 * The two-ring trace of two_rings_exact.  Layout (hand-computed):
 *
 *     0 file header
 *    64 META "clock=mono\nhost=h\n" (18 bytes, padded to 24)
 *   120 RING 0: TIME@200 SWITCH@216 WAKEUP@232 TIME@248 SWITCH@264
 *   280 RING 1: TIME@360 FORK@376 TIME@416 LOST@432 EXIT@448
 *   464 RING 0: RENAME@544 PAD@576
 *   592 STATS (8 + 2 * 48 bytes)
 *   728 END
 *   760 end of file
 */
static unsigned char *two_rings(size_t *len)
{
	struct tb b;
	unsigned char *p;

	if (tb_open(&b))
		return NULL;
	tb_meta(&b, "clock=mono\nhost=h\n");
	tb_switch(&b, 0, 0xfffffff0, 0, 100, CTRACE_STATE_UNKNOWN);
	tb_wakeup(&b, 0, 0xfffffffa, 101, 100, 1 | CTRACE_WAKEUP_F_IRQ);
	tb_switch(&b, 0, T32 + 5, 100, 101, CTRACE_STATE_SLEEPING);
	tb_flush(&b, 0);
	tb_fork(&b, 1, 0xfffffff5, 101, 102, 101, "kid", CTRACE_FORK_F_THREAD);
	tb_lost(&b, 1, T32, 3);
	tb_exit(&b, 1, T32 + 5, 102, 101, 0);
	tb_flush(&b, 1);
	tb_rename(&b, 0, T32 + 16, 101, 101, "renamed");
	tb_pad(&b, 0, 16);
	tb_flush(&b, 0);
	tb_stats(&b);
	tb_end(&b);
	p = tb_finish(&b, len);
	tb_free(&b);
	return p;
}

TEST(two_rings_exact)
{
	static const struct {
		uint32_t ring;
		uint16_t type;
		uint16_t aux;
		uint64_t ts, seq, offset;
		uint32_t size;
	} want[] = {
		{ 0, CTRACE_KREC_SWITCH, 0, 0xfffffff0, 0, 216, 16 },
		{ 1, CTRACE_KREC_FORK, CTRACE_FORK_F_THREAD, 0xfffffff5, 0, 376, 40 },
		{ 0, CTRACE_KREC_WAKEUP, 1 | CTRACE_WAKEUP_F_IRQ, 0xfffffffa, 1, 232, 16 },
		/* LOST takes the seq of the first lost event; EXIT comes after all 3. */
		{ 1, CTRACE_KREC_LOST, 0, T32, 1, 432, 16 },
		/* Equal timestamps: ring 0 first. */
		{ 0, CTRACE_KREC_SWITCH, CTRACE_STATE_SLEEPING, T32 + 5, 2, 264, 16 },
		{ 1, CTRACE_KREC_EXIT, 0, T32 + 5, 4, 448, 16 },
		{ 0, CTRACE_KREC_RENAME, 0, T32 + 16, 3, 544, 32 },
	};
	const struct ctrace_ring_info *ri;
	struct ctrace_chunk_info ch, ch0;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t len, n = 0;
	unsigned char *p = two_rings(&len);
	char err[256];

	ASSERT_NE(NULL, p);
	ASSERT_EQ(760, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_NULL(ctrace_trace_problem(t));
	EXPECT_EQ(CTRACE_PROBLEM_NONE, ctrace_trace_problem_kind(t));
	EXPECT_STREQ("<buffer>", ctrace_trace_path(t));
	EXPECT_EQ(592, ctrace_trace_stats_offset(t));
	EXPECT_EQ(CTRACE_CLOCK_MONO, ctrace_trace_clock(t));
	EXPECT_STREQ("h", ctrace_trace_meta(t, "host"));

	ASSERT_EQ(2, ctrace_trace_nr_rings(t));
	ri = ctrace_trace_ring(t, 0);
	EXPECT_EQ(0, ri->ring);
	EXPECT_EQ(CTRACE_RING_KERNEL, ri->kind);
	EXPECT_EQ(2, ri->chunks);
	EXPECT_EQ(4, ri->events);
	EXPECT_EQ(0, ri->lost);
	EXPECT_TRUE(ri->has_stats);
	EXPECT_EQ(4, ri->stats.events);
	ri = ctrace_trace_ring(t, 1);
	EXPECT_EQ(1, ri->ring);
	EXPECT_EQ(1, ri->chunks);
	EXPECT_EQ(2, ri->events);
	EXPECT_EQ(3, ri->lost);
	EXPECT_EQ(3, ri->stats.lost_read);
	EXPECT_NULL(ctrace_trace_ring(t, 2));
	EXPECT_EQ(1, ctrace_trace_find_ring(t, CTRACE_RING_KERNEL, 1));
	EXPECT_EQ(SIZE_MAX, ctrace_trace_find_ring(t, CTRACE_RING_KERNEL, 2));
	EXPECT_EQ(SIZE_MAX, ctrace_trace_find_ring(t, CTRACE_RING_USER, 0));

	/* The chunks as indexed: ring 0's second holds RENAME and PAD. */
	ASSERT_TRUE(ctrace_trace_chunk(t, 0, 0, &ch0));
	ASSERT_TRUE(ctrace_trace_chunk(t, 0, 1, &ch));
	EXPECT_EQ(120, ch0.offset);
	EXPECT_EQ(1, ch0.index);
	EXPECT_EQ(464, ch.offset);
	EXPECT_EQ(3, ch.index);
	EXPECT_EQ(3, ch.seq_first);
	EXPECT_EQ(1, ch.events);
	EXPECT_EQ(0, ch.lost);
	EXPECT_EQ(ch0.ts_last, ch.ts_base);
	EXPECT_EQ(T32 + 16, ch.ts_last);
	EXPECT_FALSE(ctrace_trace_chunk(t, 0, 2, &ch));
	ASSERT_TRUE(ctrace_trace_chunk(t, 1, 0, &ch));
	EXPECT_EQ(280, ch.offset);
	EXPECT_EQ(2, ch.events);
	EXPECT_EQ(3, ch.lost);
	EXPECT_FALSE(ctrace_trace_chunk(t, 2, 0, &ch));

	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		ASSERT_LT(n, sizeof(want) / sizeof(want[0]));
		EXPECT_EQ(want[n].ring, ev.ring);
		EXPECT_EQ(CTRACE_RING_KERNEL, ev.kind);
		EXPECT_EQ(want[n].type, ev.type);
		EXPECT_EQ(want[n].aux, ev.aux);
		EXPECT_EQ(want[n].ts, ev.ts);
		EXPECT_EQ(want[n].ts, ev.ns);	/* clock=mono */
		EXPECT_EQ(want[n].seq, ev.seq);
		EXPECT_EQ(want[n].offset, ev.offset);
		EXPECT_EQ(want[n].size, ev.size);
		EXPECT_EQ(p + want[n].offset, (const unsigned char *)ev.rec);
		n++;
	}
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), n);
	EXPECT_NULL(ctrace_cursor_error(c));
	/* Names as of the last event: the fork named 102, the rename 101. */
	EXPECT_STREQ("kid", ctrace_cursor_thread(c, 102)->comm);
	EXPECT_EQ(101, ctrace_cursor_thread(c, 102)->tgid);
	EXPECT_STREQ("renamed", ctrace_cursor_thread(c, 101)->comm);
	EXPECT_STREQ("swapper", ctrace_cursor_thread(c, 0)->comm);
	EXPECT_NULL(ctrace_cursor_thread(c, 100));
	EXPECT_NULL(ctrace_cursor_thread(c, CTRACE_TID_HIDDEN));
	/* And the end stays the end. */
	EXPECT_EQ(0, ctrace_cursor_next(c, &ev));
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
}

/* A few chunks on two rings, with STATS and END; events logged in @b. */
static unsigned char *several_chunks(struct tb *b, size_t *len)
{
	if (tb_open(b))
		return NULL;
	tb_meta(b, "clock=mono\ntarget=all\n");
	for (int i = 0; i < 6; i++) {
		uint32_t ring = i % 2;
		uint64_t ts = (T32 - 40) + i * 20;

		tb_switch(b, ring, ts, 0, 10 + i, 0);
		tb_wakeup(b, ring, ts + 3, 20 + i, 10 + i, ring);
		if (i == 3)
			tb_lost(b, ring, ts + 5, 2);
		tb_exec(b, ring, ts + 7, 10 + i, 10 + i, "x", "/bin/true");
		tb_flush(b, ring);
	}
	tb_stats(b);
	tb_end(b);
	return tb_finish(b, len);
}

/*
 * The snapshot is written while recording runs: a switch on another CPU
 * may come before the snapshot record in time.  The thread has its name
 * from the start anyway; a thread named only later (a fork) does not.
 */
TEST(snapshot_names_from_the_start)
{
	struct tb b = { 0 };
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	unsigned char *p;
	size_t len;
	int seen = 0;
	char err[256];

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\ntarget=all\n");
	tb_switch(&b, 1, 100, 0, 50, 0);
	tb_switch(&b, 1, 110, 50, 60, CTRACE_STATE_RUNNABLE);
	tb_thread(&b, 0, 200, 50, 50, 1, CTRACE_STATE_RUNNING, CTRACE_THREAD_F_SNAPSHOT, "early");
	tb_fork(&b, 0, 300, 50, 60, 60, "forked", 0);
	tb_flush_all(&b);
	tb_stats(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		const struct ctrace_thread *th50 = ctrace_cursor_thread(c, 50);

		if (ev.ts > 110)
			continue;
		seen++;
		ASSERT_NE(NULL, th50);
		EXPECT_STREQ("early", th50->comm);
		EXPECT_NULL(ctrace_cursor_thread(c, 60));
	}
	EXPECT_EQ(2, seen);
	EXPECT_STREQ("forked", ctrace_cursor_thread(c, 60)->comm);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

TEST(truncated_at_every_offset)
{
	uint64_t starts[64];
	size_t len, nchunks;
	struct tb b;
	unsigned char *full = several_chunks(&b, &len);

	ASSERT_NE(NULL, full);
	tb_sort_evs(&b);
	nchunks = chunk_starts(full, len, starts, 64);
	ASSERT_EQ(9, nchunks);	/* META, 6 RING, STATS, END */

	for (size_t cut = 0; cut <= len; cut++) {
		unsigned char *p = dup_exact(full, cut);
		struct ctrace_cursor *c;
		struct ctrace_trace *t;
		struct ctrace_event ev;
		char err[256] = "", want[256];
		size_t k = 0, n = 0, chunk = 0;
		int r;

		r = ctrace_trace_open_buffer(p, cut, &t, err, sizeof(err));
		if (cut < sizeof(struct ctrace_file_header)) {
			ASSERT_NE(0, r) TH_LOG("cut %zu", cut);
			snprintf(want, sizeof(want),
				 "truncated at offset 0: the file header needs 64 bytes, %zu present",
				 cut);
			ASSERT_STREQ(want, err);
			free(p);
			continue;
		}
		ASSERT_EQ(0, r) TH_LOG("cut %zu: %s", cut, err);

		/* Exactly the events of the chunks wholly before the cut. */
		ASSERT_EQ(0, ctrace_cursor_new(t, &c));
		while (ctrace_cursor_next(c, &ev) == 1) {
			while (k < b.nr_evs && b.evs[k].chunk_end > cut)
				k++;
			ASSERT_LT(k, b.nr_evs) TH_LOG("cut %zu: extra event", cut);
			ASSERT_EQ(b.evs[k].seq, ev.seq) TH_LOG("cut %zu", cut);
			ASSERT_EQ(b.evs[k].ring, ev.ring) TH_LOG("cut %zu", cut);
			ASSERT_EQ(b.evs[k].ts, ev.ts) TH_LOG("cut %zu", cut);
			ASSERT_EQ(b.evs[k].rec_pos, ev.offset) TH_LOG("cut %zu", cut);
			k++;
			n++;
		}
		for (size_t i = 0; i < b.nr_evs; i++)
			n -= b.evs[i].chunk_end <= cut;
		ASSERT_EQ(0, n) TH_LOG("cut %zu: events missing", cut);
		ctrace_cursor_free(c);

		while (chunk + 1 < nchunks && starts[chunk + 1] <= cut)
			chunk++;
		if (cut == len) {
			EXPECT_TRUE(ctrace_trace_complete(t));
			EXPECT_NULL(ctrace_trace_problem(t));
		} else if (cut == starts[chunk]) {
			/* On a chunk boundary: incomplete, nothing cut. */
			snprintf(want, sizeof(want),
				 "no END chunk: the recording did not end cleanly (ctrace-dump killed?); the data stops at offset %zu after %zu chunks",
				 cut, chunk);
			ASSERT_FALSE(ctrace_trace_complete(t));
			ASSERT_STREQ(want, ctrace_trace_problem(t)) TH_LOG("cut %zu", cut);
			ASSERT_EQ(CTRACE_PROBLEM_INCOMPLETE, ctrace_trace_problem_kind(t));
		} else {
			struct ctrace_chunk_header h;
			uint64_t left = cut - starts[chunk];

			memcpy(&h, full + starts[chunk], sizeof(h));
			if (left < sizeof(h))
				snprintf(want, sizeof(want),
					 "truncated at offset %llu: chunk %zu needs at least 32 bytes, %llu present; the recording did not end cleanly",
					 (unsigned long long)starts[chunk], chunk,
					 (unsigned long long)left);
			else
				snprintf(want, sizeof(want),
					 "truncated at offset %llu: chunk %zu needs %llu bytes, %llu present; the recording did not end cleanly",
					 (unsigned long long)starts[chunk], chunk,
					 (unsigned long long)(sizeof(h) + h.size),
					 (unsigned long long)left);
			ASSERT_FALSE(ctrace_trace_complete(t));
			ASSERT_STREQ(want, ctrace_trace_problem(t)) TH_LOG("cut %zu", cut);
			ASSERT_EQ(CTRACE_PROBLEM_TRUNCATED, ctrace_trace_problem_kind(t));
		}
		ctrace_trace_close(t);
		free(p);
	}
	free(full);
	tb_free(&b);
}

TEST(every_flipped_byte_is_caught)
{
	uint64_t starts[64];
	size_t len, nchunks;
	struct tb b;
	unsigned char *full = several_chunks(&b, &len);

	ASSERT_NE(NULL, full);
	tb_sort_evs(&b);
	nchunks = chunk_starts(full, len, starts, 64);

	for (size_t i = 0; i < len; i++) {
		unsigned char *p = dup_exact(full, len);
		struct ctrace_cursor *c;
		struct ctrace_trace *t;
		struct ctrace_event ev;
		char err[256], at[64];
		size_t chunk = 0, n = 0, want = 0;
		const char *problem;
		int r;

		p[i] ^= 0x20;
		r = ctrace_trace_open_buffer(p, len, &t, err, sizeof(err));
		if (i < sizeof(struct ctrace_file_header)) {
			/* Only the creation time is free to change. */
			if (i >= 24 && i < 32) {
				ASSERT_EQ(0, r);
				EXPECT_NULL(ctrace_trace_problem(t));
				ctrace_trace_close(t);
			} else {
				ASSERT_NE(0, r) TH_LOG("byte %zu", i);
				ASSERT_NE(0, err[0]);
			}
			free(p);
			continue;
		}
		ASSERT_EQ(0, r) TH_LOG("byte %zu: %s", i, err);
		while (chunk + 1 < nchunks && starts[chunk + 1] <= i)
			chunk++;
		problem = ctrace_trace_problem(t);
		ASSERT_NE(NULL, problem) TH_LOG("byte %zu not caught", i);
		/* It names the damaged chunk's offset... */
		snprintf(at, sizeof(at), "offset %llu:", (unsigned long long)starts[chunk]);
		ASSERT_NE(NULL, strstr(problem, at)) TH_LOG("byte %zu: %s", i, problem);
		/* ...and a damaged payload is a CRC mismatch. */
		if (i >= starts[chunk] + sizeof(struct ctrace_chunk_header)) {
			ASSERT_NE(NULL, strstr(problem, "CRC mismatch")) TH_LOG("%s", problem);
		}
		EXPECT_FALSE(ctrace_trace_complete(t));

		/* Everything before the damaged chunk still decodes. */
		ASSERT_EQ(0, ctrace_cursor_new(t, &c));
		while (ctrace_cursor_next(c, &ev) == 1)
			n++;
		for (size_t k = 0; k < b.nr_evs; k++)
			want += b.evs[k].chunk_end <= starts[chunk];
		ASSERT_EQ(want, n) TH_LOG("byte %zu", i);
		ctrace_cursor_free(c);
		ctrace_trace_close(t);
		free(p);
	}
	free(full);
	tb_free(&b);
}

TEST(header_refusals)
{
	size_t len;
	unsigned char *p = two_rings(&len);
	struct ctrace_file_header fh;
	struct ctrace_trace *t;
	char err[256];

	ASSERT_NE(NULL, p);
	memcpy(&fh, p, sizeof(fh));
	fh.version = 2;
	memcpy(p, &fh, sizeof(fh));
	EXPECT_EQ(-EPROTONOSUPPORT, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 8: unsupported trace file version 2 (this reader knows version 1)", err);

	fh.version = 1;
	fh.chunk_header_size = 40;
	memcpy(p, &fh, sizeof(fh));
	EXPECT_EQ(-EBADMSG, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 12: header sizes 64 and 40, expected 64 and 32", err);

	memcpy(p, "\x7f" "ELF", 4);
	EXPECT_EQ(-EBADMSG, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 0: not a ctrace trace file (bad magic)", err);
	/* A null error buffer is fine. */
	EXPECT_EQ(-EBADMSG, ctrace_trace_open_buffer(p, len, &t, NULL, 0));
	free(p);
}

TEST(bad_chunk_size)
{
	size_t len;
	unsigned char *p = two_rings(&len);
	struct ctrace_chunk_header h;
	struct ctrace_trace *t;
	char err[256];

	ASSERT_NE(NULL, p);
	/* The third chunk (ring 1, at 280) claims more than the maximum. */
	memcpy(&h, p + 280, sizeof(h));
	h.size = CTRACE_CHUNK_MAX + 8ull;
	memcpy(p + 280, &h, sizeof(h));
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 280: chunk 2 has a bad size 67108872 (a multiple of 8, at most 67108864)",
		     ctrace_trace_problem(t));
	EXPECT_EQ(1, ctrace_trace_nr_rings(t));
	EXPECT_EQ(3, ctrace_trace_ring(t, 0)->events);
	ctrace_trace_close(t);
	free(p);
}

/* A RING chunk whose header lies about its counts, under a valid CRC. */
TEST(chunk_counts_must_match_records)
{
	struct ctrace_ring_chunk rc;
	struct ctrace_trace *t;
	size_t len;
	unsigned char *p = two_rings(&len);
	char err[256];

	ASSERT_NE(NULL, p);
	memcpy(&rc, p + 280 + 32, sizeof(rc));
	rc.events = 3;
	memcpy(p + 280 + 32, &rc, sizeof(rc));
	tb_fix_chunks(p, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 280: chunk 2 (ring 1) claims 3 events and 3 lost, its records hold 2 and 3",
		     ctrace_trace_problem(t));
	EXPECT_FALSE(ctrace_trace_complete(t));
	ctrace_trace_close(t);
	free(p);
}

TEST(bad_record_under_good_crc)
{
	struct ctrace_trace *t;
	size_t len;
	unsigned char *p = two_rings(&len);
	char err[256];

	ASSERT_NE(NULL, p);
	p[376] = 0;	/* the FORK's type: 0 is never valid */
	tb_fix_chunks(p, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 376: chunk 2 (ring 1): bad record (type 0, size 40, 88 bytes left in the chunk)",
		     ctrace_trace_problem(t));
	ctrace_trace_close(t);

	/* A known type with the wrong size. */
	free(p);
	p = two_rings(&len);
	ASSERT_NE(NULL, p);
	p[377] = 4;	/* the FORK claims 32 bytes; a FORK is 40 */
	tb_fix_chunks(p, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(ctrace_trace_problem(t), "offset 376: chunk 2 (ring 1): bad record (type 7, size 32"));
	ctrace_trace_close(t);

	/* A record whose size runs past its chunk. */
	free(p);
	p = two_rings(&len);
	ASSERT_NE(NULL, p);
	p[577] = 3;	/* the PAD claims 24 bytes, 16 are left */
	tb_fix_chunks(p, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 576: chunk 3 (ring 0): bad record (type 1, size 24, 16 bytes left in the chunk)",
		     ctrace_trace_problem(t));
	ctrace_trace_close(t);
	free(p);
}

/* A record type from a newer kernel is returned and skipped by its size. */
TEST(unknown_record_type_is_skipped)
{
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t len;
	unsigned char *p = two_rings(&len);
	char err[256];
	int unknown = 0, after = 0;

	ASSERT_NE(NULL, p);
	p[376] = 99;	/* the FORK's type */
	tb_fix_chunks(p, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_TRUE(ctrace_trace_complete(t));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		if (ev.type == 99) {
			unknown++;
			EXPECT_EQ(40, ev.size);
			EXPECT_EQ(376, ev.offset);
		} else if (unknown && ev.ring == 1) {
			after++;
		}
	}
	EXPECT_EQ(1, unknown);
	EXPECT_LT(0, after);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
}

/* Chunk numbers are checked even when the CRC is right. */
TEST(chunk_sequence_number)
{
	struct ctrace_trace *t;
	size_t len;
	unsigned char *p = two_rings(&len);
	char err[256];

	ASSERT_NE(NULL, p);
	/* Drop the first RING chunk (120..280): later chunks keep their numbers. */
	memmove(p + 120, p + 280, len - 280);
	len -= 160;
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("offset 120: chunk 1 carries sequence number 2 (a chunk is missing or repeated)",
		     ctrace_trace_problem(t));
	EXPECT_EQ(0, ctrace_trace_nr_rings(t));
	ctrace_trace_close(t);
	free(p);
}

/* Splice a chunk of an unknown type, and a RING chunk of an unknown kind. */
TEST(unknown_chunks_are_skipped)
{
	struct {
		struct ctrace_chunk_header h;
		struct ctrace_ring_chunk rc;
		uint64_t junk[2];
	} ring = {
		.h = { .magic = CTRACE_CHUNK_MAGIC, .type = CTRACE_CHUNK_RING,
		       .size = sizeof(struct ctrace_ring_chunk) + 16 },
		.rc = { .ring = 0, .kind = 77 },
		.junk = { ~0ull, ~0ull },
	};
	struct {
		struct ctrace_chunk_header h;
		uint64_t data[3];
	} unk = {
		.h = { .magic = CTRACE_CHUNK_MAGIC, .type = 200, .size = 24 },
		.data = { 1, 2, 3 },
	};
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t len, n = 0, extra = sizeof(ring) + sizeof(unk);
	unsigned char *p = two_rings(&len), *q;
	char err[256];

	ASSERT_NE(NULL, p);
	q = malloc(len + extra);
	memcpy(q, p, 120);
	memcpy(q + 120, &unk, sizeof(unk));
	memcpy(q + 120 + sizeof(unk), &ring, sizeof(ring));
	memcpy(q + 120 + extra, p + 120, len - 120);
	tb_fix_chunks(q, len + extra);
	ASSERT_EQ(0, ctrace_trace_open_buffer(q, len + extra, &t, err, sizeof(err)));
	EXPECT_NULL(ctrace_trace_problem(t));
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(2, ctrace_trace_nr_rings(t));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1)
		n++;
	EXPECT_EQ(7, n);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(q);
	free(p);
}

TEST(data_after_end)
{
	struct ctrace_trace *t;
	size_t len;
	unsigned char *p = two_rings(&len), *q;
	char err[256];

	ASSERT_NE(NULL, p);
	q = calloc(1, len + 8);
	memcpy(q, p, len);
	ASSERT_EQ(0, ctrace_trace_open_buffer(q, len + 8, &t, err, sizeof(err)));
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_STREQ("offset 760: 8 bytes after the END chunk", ctrace_trace_problem(t));
	EXPECT_EQ(CTRACE_PROBLEM_CORRUPT, ctrace_trace_problem_kind(t));
	ctrace_trace_close(t);
	free(q);
	free(p);
}

TEST(meta_lines)
{
	struct ctrace_trace *t;
	struct tb b;
	size_t len;
	unsigned char *p;
	char err[256];

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "a=1\nclock=tsc\nnoequals\n=empty\nkey=with=equals\nempty=\nlast=x");
	tb_meta(&b, "a=2\n");
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	EXPECT_STREQ("2", ctrace_trace_meta(t, "a"));	/* the later one */
	EXPECT_STREQ("with=equals", ctrace_trace_meta(t, "key"));
	EXPECT_STREQ("", ctrace_trace_meta(t, "empty"));
	EXPECT_STREQ("x", ctrace_trace_meta(t, "last"));	/* no newline */
	EXPECT_NULL(ctrace_trace_meta(t, "noequals"));
	EXPECT_NULL(ctrace_trace_meta(t, ""));
	EXPECT_NULL(ctrace_trace_meta(t, "k"));
	EXPECT_NULL(ctrace_trace_meta(t, "missing"));
	EXPECT_EQ(CTRACE_CLOCK_TSC, ctrace_trace_clock(t));
	EXPECT_EQ(0, ctrace_trace_nr_rings(t));
	EXPECT_TRUE(ctrace_trace_complete(t));
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

TEST(thread_names_follow_records)
{
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	struct tb b;
	size_t len;
	unsigned char *p;
	char err[256];

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\n");
	tb_thread(&b, 0, 100, 50, 50, 0, CTRACE_STATE_SLEEPING,
		  CTRACE_THREAD_F_SNAPSHOT, "sh");
	tb_fork(&b, 0, 200, 50, 60, 60, "sh", 0);
	tb_exec(&b, 0, 300, 60, 60, "ls", "/bin/ls");
	/* A comm of exactly 16 bytes has no NUL in the record. */
	tb_rename(&b, 0, 400, 60, 60, "0123456789abcdef");
	tb_flush_all(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));

	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_STREQ("sh", ctrace_cursor_thread(c, 50)->comm);
	EXPECT_EQ(50, ctrace_cursor_thread(c, 50)->tgid);
	EXPECT_NULL(ctrace_cursor_thread(c, 60));
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_STREQ("sh", ctrace_cursor_thread(c, 60)->comm);
	EXPECT_EQ(60, ctrace_cursor_thread(c, 60)->tgid);
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_STREQ("ls", ctrace_cursor_thread(c, 60)->comm);
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	EXPECT_STREQ("0123456789abcdef", ctrace_cursor_thread(c, 60)->comm);
	EXPECT_STREQ("sh", ctrace_cursor_thread(c, 50)->comm);
	EXPECT_EQ(0, ctrace_cursor_next(c, &ev));
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

/* Sequence numbers are per ring and continue across chunks. */
TEST(sequence_continues_across_chunks)
{
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	size_t len, n = 0;
	struct tb b;
	unsigned char *p = several_chunks(&b, &len);
	uint64_t next[2] = { 0, 0 };
	char err[256];

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		ASSERT_LT(ev.ring, 2);
		EXPECT_EQ(next[ev.ring], ev.seq);
		next[ev.ring] = ev.seq + (ev.type == CTRACE_KREC_LOST ? 2 : 1);
		n++;
	}
	/* 3 chunks per ring of 3 events; ring 1 also lost 2. */
	EXPECT_EQ(9, next[0]);
	EXPECT_EQ(11, next[1]);
	EXPECT_EQ(19, n);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	free(p);
	tb_free(&b);
}

TEST(open_from_path)
{
	char path[] = "/tmp/ctrace-test-XXXXXX";
	struct ctrace_trace *t;
	size_t len;
	unsigned char *p = two_rings(&len);
	char err[256];
	int fd;

	ASSERT_NE(NULL, p);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, write(fd, p, len));
	ASSERT_EQ(0, ctrace_trace_open(path, &t, err, sizeof(err)));
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(2, ctrace_trace_nr_rings(t));
	ctrace_trace_close(t);

	ASSERT_EQ(0, ftruncate(fd, 0));
	EXPECT_EQ(-EBADMSG, ctrace_trace_open(path, &t, err, sizeof(err)));
	EXPECT_STREQ("truncated at offset 0: the file header needs 64 bytes, 0 present", err);
	close(fd);
	unlink(path);

	EXPECT_EQ(-ENOENT, ctrace_trace_open(path, &t, err, sizeof(err)));
	EXPECT_STREQ("No such file or directory", err);
	EXPECT_EQ(-EINVAL, ctrace_trace_open("/tmp", &t, err, sizeof(err)));
	EXPECT_STREQ("not a regular file or a stream", err);
	free(p);
}

/* Feed @len bytes of @p into a FIFO from a child; the FIFO's path. */
static pid_t fifo_writer(const char *path, const unsigned char *p, size_t len)
{
	pid_t pid = fork();

	if (!pid) {
		int fd = open(path, O_WRONLY);

		_exit(fd < 0 || write(fd, p, len) != (ssize_t)len);
	}
	return pid;
}

/* A stream (ctrace-dump -o - | ctrace report -): read to its end. */
TEST(open_from_stream)
{
	char path[64];
	struct ctrace_trace *t;
	size_t len;
	unsigned char *p = two_rings(&len);
	char err[256];
	int st;
	pid_t w;

	ASSERT_NE(NULL, p);
	snprintf(path, sizeof(path), "/tmp/ctrace-fifo-%d", getpid());
	ASSERT_EQ(0, mkfifo(path, 0600));
	/* Whole: the same as the file. */
	w = fifo_writer(path, p, len);
	ASSERT_EQ(0, ctrace_trace_open(path, &t, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(2, ctrace_trace_nr_rings(t));
	ctrace_trace_close(t);
	ASSERT_EQ(w, waitpid(w, &st, 0));
	EXPECT_EQ(0, st);
	/* Cut short (the writer died): what came whole, and not complete. */
	w = fifo_writer(path, p, len - 20);
	ASSERT_EQ(0, ctrace_trace_open(path, &t, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_FALSE(ctrace_trace_complete(t));
	EXPECT_EQ(2, ctrace_trace_nr_rings(t));
	ctrace_trace_close(t);
	ASSERT_EQ(w, waitpid(w, &st, 0));
	unlink(path);
	free(p);
}

/* ------------------------------------------------- the progress hook */

static struct ctrace_progress prog_calls[1024];
static size_t nr_prog_calls;

static void prog_hook(const struct ctrace_progress *p, void *arg)
{
	(void)arg;
	if (nr_prog_calls < sizeof(prog_calls) / sizeof(prog_calls[0]))
		prog_calls[nr_prog_calls] = *p;
	nr_prog_calls++;
}

/*
 * Each pass (the indexing, a cursor) reports bytes that only grow, up to
 * its total, at most CTRACE_PROGRESS_STEPS times, then ends exactly once;
 * a pass that reported nothing does not end either; no hook, no call.
 */
TEST(progress_hook)
{
	struct tb b = { 0 };
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	uint64_t index_pass, events = 0;
	unsigned char *p;
	char err[256];
	size_t len, i, ends;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\ntarget=all\n");
	for (int k = 0; k < 4000; k++) {
		tb_switch(&b, k % 2, 1000 + k * 10, 10 + k % 7, 10 + (k + 1) % 7, 0);
		if (k % 200 == 199)
			tb_flush_all(&b);
	}
	tb_flush_all(&b);
	tb_stats(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	tb_free(&b);
	ASSERT_NE(NULL, p);

	nr_prog_calls = 0;
	ctrace_set_progress(prog_hook, NULL);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err))) TH_LOG("%s", err);
	/* The indexing: the file's bytes. */
	ASSERT_LT(1, nr_prog_calls);
	ASSERT_GE(CTRACE_PROGRESS_STEPS + 1, nr_prog_calls);
	index_pass = prog_calls[0].pass;
	for (i = 0; i < nr_prog_calls; i++) {
		EXPECT_EQ(CTRACE_PROGRESS_INDEX, prog_calls[i].phase);
		EXPECT_EQ(index_pass, prog_calls[i].pass);
		EXPECT_EQ(len, prog_calls[i].total);
		EXPECT_GE(prog_calls[i].total, prog_calls[i].done);
		if (i)
			EXPECT_LE(prog_calls[i - 1].done, prog_calls[i].done);
		EXPECT_EQ(i == nr_prog_calls - 1, prog_calls[i].end);
	}
	EXPECT_STREQ("<buffer>", prog_calls[0].path);

	/* A whole pass: ends when the events do, not again when freed. */
	nr_prog_calls = 0;
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) > 0)
		events++;
	EXPECT_EQ(4000, events);
	EXPECT_EQ(0, ctrace_cursor_next(c, &ev));
	ctrace_cursor_free(c);
	ASSERT_LT(1, nr_prog_calls);
	ASSERT_GE(CTRACE_PROGRESS_STEPS + 1, nr_prog_calls);
	for (i = 0, ends = 0; i < nr_prog_calls; i++) {
		EXPECT_EQ(CTRACE_PROGRESS_READ, prog_calls[i].phase);
		EXPECT_NE(index_pass, prog_calls[i].pass);
		EXPECT_GE(prog_calls[i].total, prog_calls[i].done);
		if (i)
			EXPECT_LE(prog_calls[i - 1].done, prog_calls[i].done);
		ends += prog_calls[i].end;
	}
	EXPECT_EQ(1, ends);
	EXPECT_TRUE(prog_calls[nr_prog_calls - 1].end);
	EXPECT_EQ(prog_calls[0].total, prog_calls[nr_prog_calls - 1].done);

	/* Stopped at half way: freeing ends it. */
	nr_prog_calls = 0;
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	for (int k = 0; k < 2000; k++)
		ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	ASSERT_LT(0, nr_prog_calls);
	EXPECT_FALSE(prog_calls[nr_prog_calls - 1].end);
	EXPECT_GT(prog_calls[nr_prog_calls - 1].total / 2 + prog_calls[0].total / 64,
		  prog_calls[nr_prog_calls - 1].done);
	ctrace_cursor_free(c);
	EXPECT_TRUE(prog_calls[nr_prog_calls - 1].end);

	/* One event (ctrace report's first_ns()): nothing at all. */
	nr_prog_calls = 0;
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	ASSERT_EQ(1, ctrace_cursor_next(c, &ev));
	ctrace_cursor_free(c);
	EXPECT_EQ(0, nr_prog_calls);

	/* No hook. */
	ctrace_set_progress(NULL, NULL);
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) > 0)
		;
	ctrace_cursor_free(c);
	EXPECT_EQ(0, nr_prog_calls);
	ctrace_trace_close(t);
	free(p);
}

TEST_HARNESS_MAIN
