// SPDX-License-Identifier: GPL-2.0
/*
 * The user ring sanitiser (tools/tracefile/usan.c) on hostile input, as
 * selftests/bpf's user_ringbuf tests a hostile producer: every kind of bad
 * record, alone and in runs; good records around bad ones preserved byte
 * for byte; LOST totals turned into deltas; a writer scribbling on the
 * ring while it is read; and 10^5 random inputs, whose output must stay
 * within 2 * len + 32 bytes and read back cleanly with the reader's rules.
 * The string table scan: partial entries resume, malformed ones break it
 * for good.
 *
 * Inputs are malloc'd to their exact length so that AddressSanitizer
 * catches any read past @len.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "internal.h"

#define TS_MIN 1000
#define TS_MAX 2000

/* ------------------------------------------------------------ helpers */

struct buf {
	unsigned char b[8192];
	size_t len;
};

/* Append a record: header, then @plen bytes of payload, then zeros to
 * @size bytes (0: the payload rounded up to 8). */
static size_t put(struct buf *b, uint64_t ts, uint32_t tid, uint8_t type,
		  uint16_t id, const void *payload, size_t plen, size_t size)
{
	struct ctrace_urec h = { .ts = ts, .tid = tid, .type = type, .id = id };
	size_t at = b->len;

	if (!size)
		size = 16 + (plen + 7) / 8 * 8;
	h.size = size / 8;
	memset(b->b + at, 0, size);
	memcpy(b->b + at, &h, sizeof(h));
	if (plen)
		memcpy(b->b + at + 16, payload, plen < size - 16 ? plen : size - 16);
	b->len += size;
	return at;
}

static size_t put64(struct buf *b, uint64_t ts, uint8_t type, uint16_t id,
		    uint64_t v)
{
	return put(b, ts, 7, type, id, &v, 8, 0);
}

static size_t put_log(struct buf *b, uint64_t ts, uint16_t id, uint32_t msg_id,
		      uint32_t len, const char *msg, size_t size)
{
	unsigned char p[256] = { 0 };
	uint64_t task = 3;

	memcpy(p, &task, 8);
	memcpy(p + 8, &msg_id, 4);
	memcpy(p + 12, &len, 4);
	if (msg)
		memcpy(p + 16, msg, strlen(msg));
	return put(b, ts, 7, CTRACE_UREC_LOG, id, p,
		   16 + (msg ? strlen(msg) : 0), size);
}

/* A ring set's strings: IDs 1..3 known. */
static void strings(struct ctrace_ustrtab *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t id = 1; id <= 3; id++)
		t->known[id / 8] |= 1u << (id % 8);
}

struct out {
	unsigned char *in;	/* the input, malloc'd to its exact length */
	unsigned char b[2 * 8192 + 32];
	size_t len;
};

/* Run the sanitiser on a copy of @b exactly @b->len bytes long. */
static size_t run(struct ctrace_usan *s, const struct buf *b, struct out *o)
{
	struct ctrace_ustrtab t;

	strings(&t);
	o->in = malloc(b->len ? b->len : 1);
	memcpy(o->in, b->b, b->len);
	memset(o->b, 0xee, sizeof(o->b));
	o->len = ctrace_usan_run(s, &t, o->in, b->len, o->b, TS_MIN, TS_MAX);
	free(o->in);
	o->in = NULL;
	return o->len;
}

static struct ctrace_frec_corrupt corrupt_at(const struct out *o, size_t at)
{
	struct ctrace_frec_corrupt c;

	memcpy(&c, o->b + at, sizeof(c));
	return c;
}

#define EXPECT_CORRUPT(o, at, ts_, bytes_, reason_, records_) do {		\
	struct ctrace_frec_corrupt c_ = corrupt_at(o, at);			\
	EXPECT_EQ(CTRACE_FREC_CORRUPT, c_.type);				\
	EXPECT_EQ(3, c_.size);							\
	EXPECT_EQ(0, c_.tid);							\
	EXPECT_EQ(0, c_.id);							\
	EXPECT_EQ((uint64_t)(ts_), c_.ts);					\
	EXPECT_EQ((uint32_t)(bytes_), c_.bytes);				\
	EXPECT_EQ((uint16_t)(reason_), c_.reason);				\
	EXPECT_EQ((uint16_t)(records_), c_.records);				\
} while (0)

/* ------------------------------------------------------- good records */

/* Every type, in its every legal size, passes unchanged. */
TEST(good_records_pass_byte_for_byte)
{
	struct ctrace_usan s = { 0 };
	struct buf b = { .len = 0 };
	struct out o;
	unsigned char th[24] = { 0 };
	uint64_t two[2] = { 42, 41 };
	double f = 0.25;

	memcpy(th, "\x0a\0\0\0\0\0\0\0worker", 14);
	put(&b, TS_MIN, 7, CTRACE_UREC_THREAD, 0, th, 24, 0);
	put(&b, 1100, 7, CTRACE_UREC_TASK_BEGIN, 1, two, 16, 0);
	put64(&b, 1101, CTRACE_UREC_TASK_END, 0, 42);
	put(&b, 1102, 7, CTRACE_UREC_REGION_BEGIN, 2, NULL, 0, 0);
	put64(&b, 1103, CTRACE_UREC_REGION_BEGIN, 2, 42);
	put64(&b, 1104, CTRACE_UREC_REGION_END, 2, 42);
	put(&b, 1105, 7, CTRACE_UREC_REGION_END, 0, NULL, 0, 0);
	put(&b, 1106, 7, CTRACE_UREC_INSTANT, 3, NULL, 0, 0);
	put64(&b, 1107, CTRACE_UREC_INSTANT, 3, 9);
	put_log(&b, 1108, 1, 0, 5, "hello", 0);
	put_log(&b, 1109, 0, 0, 0, NULL, 0);
	put_log(&b, 1110, 1, 2, 0, NULL, 0);		/* a message by ID */
	put_log(&b, 1111, 1, 0, 8, "12345678", 0);
	put64(&b, 1112, CTRACE_UREC_COUNTER, 1, (uint64_t)-5);
	put(&b, 1113, 7, CTRACE_UREC_COUNTER_F, 1, &f, 8, 0);
	put64(&b, 1114, CTRACE_UREC_FLOW_BEGIN, 3, 77);
	put64(&b, 1115, CTRACE_UREC_FLOW_END, 0, 77);
	/* A newer library's type: kept, whatever its size. */
	put(&b, 1116, 7, 99, 2, "abcdefghijk", 11, 40);
	put(&b, 1117, 7, 199, 0, NULL, 0, 16);
	/* Time may go back a little: kept as it is. */
	put(&b, 1050, 7, CTRACE_UREC_INSTANT, 0, NULL, 0, 0);
	put(&b, TS_MAX, 7, CTRACE_UREC_INSTANT, 0, NULL, 0, 0);

	ASSERT_EQ(b.len, run(&s, &b, &o));
	EXPECT_EQ(0, memcmp(o.b, b.b, b.len));
	EXPECT_EQ(0xee, o.b[b.len]);	/* nothing written past it */
	EXPECT_EQ(21, s.events);
	EXPECT_EQ(0, s.lost);
	EXPECT_EQ(0, s.corrupt);
	EXPECT_EQ(0, s.corrupt_bytes);
	EXPECT_EQ(TS_MAX, s.last_ts);
	EXPECT_EQ(0, run(&s, &(struct buf){ .len = 0 }, &o));
}

/* ------------------------------------------------------- bad records */

/* One bad record between two good ones: a CORRUPT in its place. */
struct one_bad {
	const char *what;
	uint16_t reason;
	void (*make)(struct buf *b);
};

static void bad_type0(struct buf *b) { put(b, 1500, 7, 0, 0, NULL, 0, 24); }
static void bad_type200(struct buf *b) { put(b, 1500, 0, CTRACE_FREC_CORRUPT, 0, "\x08\0\0\0\x01\0\0\0", 8, 0); }
static void bad_type201(struct buf *b) { put(b, 1500, 7, 201, 0, NULL, 0, 24); }
static void bad_lost16(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_LOST, 0, NULL, 0, 16); }
static void bad_lost32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_LOST, 0, NULL, 0, 32); }
static void bad_thread32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_THREAD, 0, NULL, 0, 32); }
static void bad_task_begin24(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_TASK_BEGIN, 1, NULL, 0, 24); }
static void bad_task_end16(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_TASK_END, 0, NULL, 0, 16); }
static void bad_task_end32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_TASK_END, 0, NULL, 0, 32); }
static void bad_region32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_REGION_BEGIN, 1, NULL, 0, 32); }
static void bad_region_end32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_REGION_END, 1, NULL, 0, 32); }
static void bad_instant32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_INSTANT, 1, NULL, 0, 32); }
static void bad_log24(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_LOG, 1, NULL, 0, 24); }
static void bad_counter16(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_COUNTER, 1, NULL, 0, 16); }
static void bad_counter_f32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_COUNTER_F, 1, NULL, 0, 32); }
static void bad_flow_begin16(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_FLOW_BEGIN, 1, NULL, 0, 16); }
static void bad_flow_end32(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_FLOW_END, 0, NULL, 0, 32); }
static void bad_name(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_REGION_BEGIN, 4, NULL, 0, 0); }
static void bad_name_max(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_INSTANT, 65535, NULL, 0, 0); }
static void bad_name_unknown_type(struct buf *b) { put(b, 1500, 7, 99, 9, NULL, 0, 16); }
static void bad_category(struct buf *b) { put_log(b, 1500, 5, 0, 0, NULL, 0); }
static void bad_msg_id(struct buf *b) { put_log(b, 1500, 1, 4, 0, NULL, 0); }
static void bad_msg_id_big(struct buf *b) { put_log(b, 1500, 1, 65536 + 1, 0, NULL, 0); }
static void bad_id_on_lost(struct buf *b) { put64(b, 1500, CTRACE_UREC_LOST, 1, 0); }
static void bad_id_on_thread(struct buf *b) { put(b, 1500, 7, CTRACE_UREC_THREAD, 1, NULL, 0, 40); }
static void bad_id_on_task_end(struct buf *b) { put64(b, 1500, CTRACE_UREC_TASK_END, 1, 5); }
static void bad_id_on_flow_end(struct buf *b) { put64(b, 1500, CTRACE_UREC_FLOW_END, 2, 5); }
static void bad_ts_low(struct buf *b) { put(b, TS_MIN - 1, 7, CTRACE_UREC_INSTANT, 0, NULL, 0, 0); }
static void bad_ts_high(struct buf *b) { put(b, TS_MAX + 1, 7, CTRACE_UREC_INSTANT, 0, NULL, 0, 0); }
static void bad_ts_huge(struct buf *b) { put(b, UINT64_MAX, 7, CTRACE_UREC_INSTANT, 0, NULL, 0, 0); }
static void bad_log_len_long(struct buf *b) { put_log(b, 1500, 0, 0, 9, "12345678", 40); }
static void bad_log_len_short(struct buf *b) { put_log(b, 1500, 0, 0, 0, "12345678", 40); }
static void bad_log_len_wrap(struct buf *b) { put_log(b, 1500, 0, 0, 0xffffffffu, NULL, 32); }
static void bad_log_id_and_len(struct buf *b) { put_log(b, 1500, 0, 2, 3, "abc", 32); }
static void bad_log_id_and_text(struct buf *b) { put_log(b, 1500, 0, 2, 0, "abc", 40); }

static const struct one_bad bads[] = {
	{ "type 0", CTRACE_CORRUPT_TYPE, bad_type0 },
	{ "type 200 (CORRUPT, file-only)", CTRACE_CORRUPT_TYPE, bad_type200 },
	{ "type 201", CTRACE_CORRUPT_TYPE, bad_type201 },
	{ "LOST of 16", CTRACE_CORRUPT_TYPE, bad_lost16 },
	{ "LOST of 32", CTRACE_CORRUPT_TYPE, bad_lost32 },
	{ "THREAD of 32", CTRACE_CORRUPT_TYPE, bad_thread32 },
	{ "TASK_BEGIN of 24", CTRACE_CORRUPT_TYPE, bad_task_begin24 },
	{ "TASK_END of 16", CTRACE_CORRUPT_TYPE, bad_task_end16 },
	{ "TASK_END of 32", CTRACE_CORRUPT_TYPE, bad_task_end32 },
	{ "REGION_BEGIN of 32", CTRACE_CORRUPT_TYPE, bad_region32 },
	{ "REGION_END of 32", CTRACE_CORRUPT_TYPE, bad_region_end32 },
	{ "INSTANT of 32", CTRACE_CORRUPT_TYPE, bad_instant32 },
	{ "LOG of 24", CTRACE_CORRUPT_TYPE, bad_log24 },
	{ "COUNTER of 16", CTRACE_CORRUPT_TYPE, bad_counter16 },
	{ "COUNTER_F of 32", CTRACE_CORRUPT_TYPE, bad_counter_f32 },
	{ "FLOW_BEGIN of 16", CTRACE_CORRUPT_TYPE, bad_flow_begin16 },
	{ "FLOW_END of 32", CTRACE_CORRUPT_TYPE, bad_flow_end32 },
	{ "unknown name", CTRACE_CORRUPT_STRING, bad_name },
	{ "name 65535", CTRACE_CORRUPT_STRING, bad_name_max },
	{ "unknown string on an unknown type", CTRACE_CORRUPT_STRING, bad_name_unknown_type },
	{ "unknown category", CTRACE_CORRUPT_STRING, bad_category },
	{ "unknown message ID", CTRACE_CORRUPT_STRING, bad_msg_id },
	{ "message ID past 65535", CTRACE_CORRUPT_STRING, bad_msg_id_big },
	{ "id on LOST", CTRACE_CORRUPT_PAYLOAD, bad_id_on_lost },
	{ "id on THREAD", CTRACE_CORRUPT_PAYLOAD, bad_id_on_thread },
	{ "id on TASK_END", CTRACE_CORRUPT_PAYLOAD, bad_id_on_task_end },
	{ "id on FLOW_END", CTRACE_CORRUPT_PAYLOAD, bad_id_on_flow_end },
	{ "ts below the recording", CTRACE_CORRUPT_TIME, bad_ts_low },
	{ "ts after now", CTRACE_CORRUPT_TIME, bad_ts_high },
	{ "ts 2^64-1", CTRACE_CORRUPT_TIME, bad_ts_huge },
	{ "LOG text longer than its record", CTRACE_CORRUPT_PAYLOAD, bad_log_len_long },
	{ "LOG text shorter than its record", CTRACE_CORRUPT_PAYLOAD, bad_log_len_short },
	{ "LOG length near 2^32", CTRACE_CORRUPT_PAYLOAD, bad_log_len_wrap },
	{ "LOG with a message ID and a length", CTRACE_CORRUPT_PAYLOAD, bad_log_id_and_len },
	{ "LOG with a message ID and text", CTRACE_CORRUPT_PAYLOAD, bad_log_id_and_text },
};

/* After a failed EXPECT in a loop, say which case it was. */
#define HAS_FAILED_HERE() (!_metadata->passed)

TEST(each_bad_record_is_replaced_alone)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct ctrace_usan s = { 0 };
		struct buf b = { .len = 0 };
		size_t bad_at, bad_len, after;
		struct out o;

		put64(&b, 1200, CTRACE_UREC_COUNTER, 1, 1);
		bad_at = b.len;
		bads[i].make(&b);
		bad_len = b.len - bad_at;
		after = put64(&b, 1300, CTRACE_UREC_COUNTER, 2, 2);

		ASSERT_EQ(24 + 24 + 24, run(&s, &b, &o)) TH_LOG("%s", bads[i].what);
		EXPECT_EQ(0, memcmp(o.b, b.b, 24)) TH_LOG("%s", bads[i].what);
		EXPECT_CORRUPT(&o, 24, 1200, bad_len, bads[i].reason, 1);
		EXPECT_EQ(0, memcmp(o.b + 48, b.b + after, 24)) TH_LOG("%s", bads[i].what);
		EXPECT_EQ(2, s.events);
		EXPECT_EQ(1, s.corrupt);
		EXPECT_EQ(bad_len, s.corrupt_bytes);
		if (HAS_FAILED_HERE())
			TH_LOG("case: %s", bads[i].what);
	}
}

/* Headers that give no size to trust: everything after is skipped. */
TEST(bad_header_skips_the_rest)
{
	static const struct {
		const char *what;
		uint8_t size;		/* the bad record's size field */
		size_t tail;		/* its bytes (to the end of the input) */
	} cases[] = {
		{ "size 0", 0, 64 },
		{ "size 1", 1, 64 },
		{ "size past the input", 9, 64 },
		{ "size 255 past the input", 255, 64 },
		{ "a partial header", 2, 8 },
		{ "one byte", 2, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctrace_usan s = { 0 };
		struct buf b = { .len = 0 };
		struct ctrace_urec h = {
			.ts = 1500, .type = CTRACE_UREC_INSTANT, .size = cases[i].size,
		};
		struct out o;

		put64(&b, 1200, CTRACE_UREC_COUNTER, 1, 1);
		memset(b.b + b.len, 0x5a, cases[i].tail);
		memcpy(b.b + b.len, &h, cases[i].tail < sizeof(h) ? cases[i].tail : sizeof(h));
		b.len += cases[i].tail;
		/* Good-looking records behind it are not trusted either. */
		ASSERT_EQ(48, run(&s, &b, &o)) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, memcmp(o.b, b.b, 24));
		EXPECT_CORRUPT(&o, 24, 1200, cases[i].tail, CTRACE_CORRUPT_HEADER, 0);
		EXPECT_EQ(1, s.events);
		EXPECT_EQ(1, s.corrupt);
		EXPECT_EQ(cases[i].tail, s.corrupt_bytes);
	}
}

/* Consecutive bad bytes make one CORRUPT: reason of the first. */
TEST(bad_runs_merge)
{
	struct ctrace_usan s = { 0 };
	struct buf b = { .len = 0 };
	size_t good1, good2;
	struct out o;

	put(&b, 1500, 7, CTRACE_UREC_REGION_BEGIN, 9, NULL, 0, 0);	/* string, 16 */
	bad_type0(&b);							/* type, 24 */
	bad_ts_high(&b);						/* time, 16 */
	good1 = put64(&b, 1600, CTRACE_UREC_COUNTER, 1, 1);
	bad_log_len_long(&b);						/* payload, 40 */
	good2 = put64(&b, 1700, CTRACE_UREC_FLOW_END, 0, 5);
	bad_lost16(&b);							/* type, 16 */
	b.b[b.len] = 0;							/* size 0: the rest */
	memset(b.b + b.len, 0, 32);
	b.len += 32;

	ASSERT_EQ(24 + 24 + 24 + 24 + 24, run(&s, &b, &o));
	/* Nothing kept yet: the first run is stamped at ts_min. */
	EXPECT_CORRUPT(&o, 0, TS_MIN, 16 + 24 + 16, CTRACE_CORRUPT_STRING, 3);
	EXPECT_EQ(0, memcmp(o.b + 24, b.b + good1, 24));
	EXPECT_CORRUPT(&o, 48, 1600, 40, CTRACE_CORRUPT_PAYLOAD, 1);
	EXPECT_EQ(0, memcmp(o.b + 72, b.b + good2, 24));
	/* A bad record and the header-bad rest: one run, one record counted. */
	EXPECT_CORRUPT(&o, 96, 1700, 16 + 32, CTRACE_CORRUPT_TYPE, 1);
	EXPECT_EQ(2, s.events);
	EXPECT_EQ(3, s.corrupt);
	EXPECT_EQ(56 + 40 + 48, s.corrupt_bytes);
	EXPECT_EQ(1700, s.last_ts);

	/* The next call's CORRUPT, before anything is kept, takes last_ts. */
	b.len = 0;
	bad_type0(&b);
	ASSERT_EQ(24, run(&s, &b, &o));
	EXPECT_CORRUPT(&o, 0, 1700, 24, CTRACE_CORRUPT_TYPE, 1);
}

/* Running LOST totals become deltas; none when nothing more was lost. */
TEST(lost_totals_become_deltas)
{
	static const uint64_t totals[] = { 5, 5, 12, 10, 15, 15 };
	struct ctrace_usan s = { 0 };
	struct buf b = { .len = 0 };
	struct ctrace_urec_lost l;
	struct out o;

	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		put64(&b, 1100 + i, CTRACE_UREC_LOST, 0, totals[i]);
	put64(&b, 1200, CTRACE_UREC_COUNTER, 0, 1);

	/* 5, -, 7, CORRUPT (10 < 12), 3, -, COUNTER */
	ASSERT_EQ(5 * 24, run(&s, &b, &o));
	memcpy(&l, o.b, sizeof(l));
	EXPECT_EQ(5, l.total);
	EXPECT_EQ(1100, l.h.ts);
	EXPECT_EQ(7, l.h.tid);
	EXPECT_EQ(CTRACE_UREC_LOST, l.h.type);
	EXPECT_EQ(3, l.h.size);
	memcpy(&l, o.b + 24, sizeof(l));
	EXPECT_EQ(7, l.total);
	EXPECT_EQ(1102, l.h.ts);
	EXPECT_CORRUPT(&o, 48, 1102, 24, CTRACE_CORRUPT_LOST, 1);
	memcpy(&l, o.b + 72, sizeof(l));
	EXPECT_EQ(3, l.total);
	EXPECT_EQ(1104, l.h.ts);
	EXPECT_EQ(0, memcmp(o.b + 96, b.b + 6 * 24, 24));
	EXPECT_EQ(15, s.lost_total);
	EXPECT_EQ(15, s.lost);
	EXPECT_EQ(1, s.events);
	EXPECT_EQ(1, s.corrupt);

	/* The total carries over to the next call; starting it at the ring's
	 * count reports only what was lost since. */
	b.len = 0;
	put64(&b, 1300, CTRACE_UREC_LOST, 0, 16);
	ASSERT_EQ(24, run(&s, &b, &o));
	memcpy(&l, o.b, sizeof(l));
	EXPECT_EQ(1, l.total);
	s = (struct ctrace_usan){ .lost_total = 100 };
	b.len = 0;
	put64(&b, 1300, CTRACE_UREC_LOST, 0, 99);
	put64(&b, 1301, CTRACE_UREC_LOST, 0, 104);
	ASSERT_EQ(48, run(&s, &b, &o));
	EXPECT_CORRUPT(&o, 0, TS_MIN, 24, CTRACE_CORRUPT_LOST, 1);
	memcpy(&l, o.b + 24, sizeof(l));
	EXPECT_EQ(4, l.total);
}

/* What a writer killed mid-record, or racing with the reader, leaves. */
TEST(garbage_that_looks_concurrent)
{
	struct ctrace_usan s = { 0 };
	struct buf b = { .len = 0 };
	size_t good;
	struct out o;

	/* A header written, its payload not: a THREAD claiming 5 units with
	 * type and size from a half-updated header. */
	put(&b, 1500, 7, CTRACE_UREC_THREAD, 0, NULL, 0, 40);
	b.b[12] = CTRACE_UREC_REGION_BEGIN;	/* type changed, size 5 kept */
	/* All ones: size 255 runs past the end... after a good record. */
	good = put64(&b, 1600, CTRACE_UREC_COUNTER, 3, 3);
	memset(b.b + b.len, 0xff, 48);
	b.len += 48;
	ASSERT_EQ(24 + 24 + 24, run(&s, &b, &o));
	EXPECT_CORRUPT(&o, 0, TS_MIN, 40, CTRACE_CORRUPT_TYPE, 1);
	EXPECT_EQ(0, memcmp(o.b + 24, b.b + good, 24));
	EXPECT_CORRUPT(&o, 48, 1600, 48, CTRACE_CORRUPT_HEADER, 0);

	/* Not yet committed: zeros.  Size 0: the rest is one CORRUPT. */
	s = (struct ctrace_usan){ 0 };
	b.len = 0;
	memset(b.b, 0, 4096);
	b.len = 4096;
	ASSERT_EQ(24, run(&s, &b, &o));
	EXPECT_CORRUPT(&o, 0, TS_MIN, 4096, CTRACE_CORRUPT_HEADER, 0);
}

/* Input and output need no alignment. */
TEST(unaligned_buffers)
{
	struct ctrace_usan s = { 0 };
	struct ctrace_ustrtab t;
	struct buf b = { .len = 0 };
	unsigned char *in, out[256];
	size_t n;

	strings(&t);
	put64(&b, 1200, CTRACE_UREC_COUNTER, 1, 1);
	bad_type0(&b);
	put_log(&b, 1300, 1, 0, 3, "abc", 0);
	in = malloc(b.len + 3);
	memcpy(in + 3, b.b, b.len);
	n = ctrace_usan_run(&s, &t, in + 3, b.len, out + 5, TS_MIN, TS_MAX);
	ASSERT_EQ(24 + 24 + 40, n);
	EXPECT_EQ(0, memcmp(out + 5, b.b, 24));
	EXPECT_EQ(0, memcmp(out + 5 + 48, b.b + 48, 40));
	free(in);
}

TEST(skipped_bytes)
{
	struct ctrace_usan s = { .last_ts = 1234 };
	struct ctrace_frec_corrupt c;
	unsigned char out[32];

	ASSERT_EQ(24, ctrace_usan_skipped(&s, 4096, CTRACE_CORRUPT_POSITION, out));
	memcpy(&c, out, sizeof(c));
	EXPECT_EQ(1234, c.ts);
	EXPECT_EQ(CTRACE_FREC_CORRUPT, c.type);
	EXPECT_EQ(3, c.size);
	EXPECT_EQ(4096, c.bytes);
	EXPECT_EQ(CTRACE_CORRUPT_POSITION, c.reason);
	EXPECT_EQ(0, c.records);
	EXPECT_EQ(1, s.corrupt);
	EXPECT_EQ(4096, s.corrupt_bytes);
	ASSERT_EQ(24, ctrace_usan_skipped(&s, 1ull << 40, CTRACE_CORRUPT_POSITION, out));
	memcpy(&c, out, sizeof(c));
	EXPECT_EQ(UINT32_MAX, c.bytes);
	EXPECT_EQ(4096ull + UINT32_MAX, s.corrupt_bytes);
}

TEST(reason_names)
{
	EXPECT_STREQ("header", ctrace_corrupt_reason_name(CTRACE_CORRUPT_HEADER));
	EXPECT_STREQ("string", ctrace_corrupt_reason_name(CTRACE_CORRUPT_STRING));
	EXPECT_STREQ("position", ctrace_corrupt_reason_name(CTRACE_CORRUPT_POSITION));
	EXPECT_STREQ("payload", ctrace_corrupt_reason_name(CTRACE_CORRUPT_PAYLOAD));
	EXPECT_NULL(ctrace_corrupt_reason_name(0));
	EXPECT_NULL(ctrace_corrupt_reason_name(8));
	EXPECT_NULL(ctrace_corrupt_reason_name(65535));
}

/* ------------------------------------------------- output, read back */

static bool tab_known(const void *ctx, uint32_t id)
{
	return ctrace_ustrtab_has(ctx, id);
}

/*
 * Whatever went in, what came out must be what a reader accepts: whole
 * good records (CORRUPT included), counts matching the counters, within
 * the promised size.
 */
static int check_output(struct __test_metadata *_metadata,
			const struct ctrace_usan *before,
			const struct ctrace_usan *after,
			const struct ctrace_ustrtab *t, const unsigned char *out,
			size_t n, size_t len)
{
	struct ctrace_urec_walk w = { 0 };
	size_t bad;

	EXPECT_LE(n, 2 * len + 32);
	EXPECT_EQ(0, n % 8);
	EXPECT_EQ(0, ctrace_urec_walk(&w, out, n, tab_known, t, &bad));
	EXPECT_EQ(after->events - before->events + after->corrupt - before->corrupt,
		  w.events);
	EXPECT_EQ(after->lost - before->lost, w.lost);
	EXPECT_EQ(after->corrupt - before->corrupt, w.corrupt);
	EXPECT_EQ(after->corrupt_bytes - before->corrupt_bytes, w.corrupt_bytes);
	/* Every kept byte and every bad one is accounted for, once. */
	EXPECT_LE(w.corrupt_bytes, len);
	return _metadata->passed ? 0 : -1;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible without libc's rand(). */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

/* A plausible record (good or nearly so), for inputs that get far. */
static void plausible(struct buf *b, size_t max)
{
	static const uint8_t sizes[] = { 2, 3, 4, 5, 6, 7 };
	unsigned char rec[64];
	struct ctrace_urec h = {
		.ts = TS_MIN - 50 + rnd() % (TS_MAX - TS_MIN + 100),
		.tid = rnd() % 4,
		.type = rnd() % 14,
		.size = sizes[rnd() % sizeof(sizes)],
		.id = rnd() % 5,
	};
	size_t size = h.size * 8u;

	if (rnd() % 8 == 0)
		h.type = rnd() % 256;
	if (b->len + size > max)
		return;
	for (size_t i = 0; i < size; i++)
		rec[i] = rnd() % 4 ? 0 : rnd();
	if (h.type == CTRACE_UREC_LOG) {
		uint32_t ml[2] = { rnd() % 3 ? 0 : rnd() % 5,
				   rnd() % 2 ? size - 32 : rnd() % 40 };

		memcpy(rec + 24, ml, 8);
	}
	if (h.type == CTRACE_UREC_LOST) {
		uint64_t total = rnd() % 100;

		memcpy(rec + 16, &total, 8);
	}
	memcpy(rec, &h, sizeof(h));
	memcpy(b->b + b->len, rec, size);
	b->len += size;
}

TEST(random_inputs)
{
	static unsigned char out[2 * 8192 + 32 + 64];
	struct ctrace_ustrtab t;

	strings(&t);
	for (int i = 0; i < 100000; i++) {
		struct ctrace_usan s = { .lost_total = rnd() % 50 }, before;
		struct buf b = { .len = 0 };
		size_t max = 1 + rnd() % 2048, n;
		unsigned char *in;

		if (i % 2) {
			while (b.len < max && rnd() % 16)
				plausible(&b, max);
			/* A random tail: partial records, garbage. */
			for (size_t k = rnd() % 24; k-- && b.len < sizeof(b.b);)
				b.b[b.len++] = rnd();
		} else {
			b.len = rnd() % max;
			for (size_t k = 0; k < b.len; k++)
				b.b[k] = rnd() % 3 ? rnd() % 16 : rnd();
		}
		in = malloc(b.len ? b.len : 1);
		memcpy(in, b.b, b.len);
		/* Canaries: nothing may be written past 2 * len + 32. */
		memset(out, 0xa5, sizeof(out));
		before = s;
		n = ctrace_usan_run(&s, &t, in, b.len, out, TS_MIN, TS_MAX);
		free(in);
		ASSERT_EQ(0, check_output(_metadata, &before, &s, &t, out, n, b.len))
			TH_LOG("input %d, %zu bytes", i, b.len);
		for (size_t k = 2 * b.len + 32; k < sizeof(out); k++) {
			ASSERT_EQ(0xa5, out[k]) TH_LOG("input %d: byte %zu written", i, k);
		}
	}
}

/*
 * Generated sequences of records known good or bad by construction, and
 * the exact output an independent model of the rules predicts.
 */
TEST(model_of_runs)
{
	struct ctrace_ustrtab t;

	strings(&t);
	for (int i = 0; i < 20000; i++) {
		struct ctrace_usan s = { 0 };
		struct buf b = { .len = 0 }, want = { .len = 0 };
		struct { uint64_t bytes; uint16_t reason, records; } run = { 0 };
		uint64_t last_ts = 0, lost_total = 0, events = 0, corrupt = 0;
		static unsigned char out[2 * 8192 + 32];
		unsigned char *in;
		size_t n;

		for (int k = rnd() % 40; k--;) {
			size_t at = b.len;

			if (rnd() % 3) {
				/* Good: a counter, or a LOST total going up. */
				uint64_t ts = TS_MIN + rnd() % 1000;

				if (run.bytes) {
					struct ctrace_frec_corrupt c = {
						.ts = last_ts > TS_MIN ? last_ts : TS_MIN,
						.type = CTRACE_FREC_CORRUPT, .size = 3,
						.bytes = run.bytes, .reason = run.reason,
						.records = run.records,
					};

					memcpy(want.b + want.len, &c, 24);
					want.len += 24;
					corrupt++;
					run.bytes = 0;
					run.records = 0;
				}
				if (rnd() % 4 == 0) {
					uint64_t total = lost_total + rnd() % 3;
					uint64_t delta = total - lost_total;

					put64(&b, ts, CTRACE_UREC_LOST, 0, total);
					lost_total = total;
					if (delta) {
						memcpy(want.b + want.len, b.b + at, 16);
						memcpy(want.b + want.len + 16, &delta, 8);
						want.len += 24;
						last_ts = ts;
					}
				} else {
					put64(&b, ts, CTRACE_UREC_COUNTER, rnd() % 4, rnd());
					memcpy(want.b + want.len, b.b + at, 24);
					want.len += 24;
					last_ts = ts;
					events++;
				}
			} else {
				const struct one_bad *bad = &bads[rnd() % (sizeof(bads) / sizeof(bads[0]))];

				bad->make(&b);
				if (!run.bytes)
					run.reason = bad->reason;
				run.bytes += b.len - at;
				run.records++;
			}
		}
		if (run.bytes) {
			struct ctrace_frec_corrupt c = {
				.ts = last_ts > TS_MIN ? last_ts : TS_MIN,
				.type = CTRACE_FREC_CORRUPT, .size = 3,
				.bytes = run.bytes, .reason = run.reason,
				.records = run.records,
			};

			memcpy(want.b + want.len, &c, 24);
			want.len += 24;
			corrupt++;
		}
		in = malloc(b.len ? b.len : 1);
		memcpy(in, b.b, b.len);
		n = ctrace_usan_run(&s, &t, in, b.len, out, TS_MIN, TS_MAX);
		free(in);
		ASSERT_EQ(want.len, n) TH_LOG("sequence %d", i);
		ASSERT_EQ(0, memcmp(want.b, out, n)) TH_LOG("sequence %d", i);
		ASSERT_EQ(events, s.events);
		ASSERT_EQ(corrupt, s.corrupt);
		ASSERT_EQ(lost_total, s.lost);
	}
}

/*
 * A writer scribbling on the ring while the sanitiser reads it: whatever
 * it sees, each record is judged on one copy, so the output is always
 * clean (the writer's stores and the reader's loads are both atomic, so
 * this is a race in the data, not in the program).
 */
struct scribbler {
	uint64_t *ring;
	size_t words;
	int stop;
};

static void *scribble(void *arg)
{
	struct scribbler *sc = arg;
	uint64_t x = 88172645463325252ull;

	while (!__atomic_load_n(&sc->stop, __ATOMIC_RELAXED)) {
		size_t i;
		uint64_t v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = x % sc->words;
		/* Headers mostly plausible, so records pass the size check
		 * and then change under the reader. */
		if (x & 1)
			v = (x >> 8) % 3000 | (uint64_t)((x >> 20) % 14) << 32 |
			    (uint64_t)(2 + (x >> 28) % 3) << 40 | (uint64_t)((x >> 40) % 4) << 48;
		else
			v = x;
		__atomic_store_n(&sc->ring[i], v, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(writer_racing_the_reader)
{
	static uint64_t ring[512], out[2 * 512 + 8];
	struct scribbler sc = { ring, 512, 0 };
	struct ctrace_ustrtab t;
	pthread_t th;

	strings(&t);
	for (size_t i = 0; i < 512; i += 3) {
		struct ctrace_urec h = { .ts = 1500, .type = CTRACE_UREC_COUNTER,
					 .size = 3, .id = 1 };

		memcpy(&ring[i], &h, sizeof(h));
	}
	ASSERT_EQ(0, pthread_create(&th, NULL, scribble, &sc));
	for (int i = 0; i < 20000; i++) {
		struct ctrace_usan s = { 0 }, before = s;
		size_t n = ctrace_usan_run(&s, &t, ring, sizeof(ring),
					   out, TS_MIN, TS_MAX);

		if (check_output(_metadata, &before, &s, &t,
				 (const unsigned char *)out, n, sizeof(ring)))
			break;
	}
	__atomic_store_n(&sc.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
}

/* ------------------------------------------------------------- strings */

struct area {
	unsigned char *p;
	size_t size, pos;
};

static void add_entry(struct area *a, uint32_t id, const char *s, size_t len,
		      bool nul)
{
	struct ctrace_ustring e = { .id = id, .len = len };

	memcpy(a->p + a->pos, &e, sizeof(e));
	memcpy(a->p + a->pos + sizeof(e), s, len);
	a->p[a->pos + sizeof(e) + len] = nul ? 0 : 'X';
	a->pos += sizeof(e) + (len + 1 + 7) / 8 * 8;
}

struct got {
	int n;
	uint32_t ids[16];
	char s[16][64];
	int fail_at;		/* emit returns -EIO for this ID */
};

static int emit(uint32_t id, const char *s, uint16_t len, void *arg)
{
	struct got *g = arg;

	if ((int)id == g->fail_at)
		return -EIO;
	if (g->n < 16) {
		g->ids[g->n] = id;
		snprintf(g->s[g->n], sizeof(g->s[0]), "%.*s", len, s);
	}
	g->n++;
	return 0;
}

static struct area new_area(size_t size)
{
	struct area a = { calloc(1, size), size, 0 };

	return a;
}

TEST(strings_scan_and_resume)
{
	struct ctrace_ustrtab t = { 0 };
	struct area a = new_area(256);
	struct got g = { .fail_at = -1 };
	size_t partial;

	add_entry(&a, 1, "alpha", 5, true);		/* 16 bytes */
	add_entry(&a, 2, "", 0, true);			/* 16 */
	add_entry(&a, 7, "0123456789abcdef", 16, true);	/* 32 */
	partial = a.pos;
	add_entry(&a, 0, "pending", 7, true);		/* reserved, id not yet */
	ASSERT_EQ(3, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	EXPECT_EQ(3, g.n);
	EXPECT_EQ(1, g.ids[0]);
	EXPECT_STREQ("alpha", g.s[0]);
	EXPECT_EQ(2, g.ids[1]);
	EXPECT_STREQ("", g.s[1]);
	EXPECT_EQ(7, g.ids[2]);
	EXPECT_STREQ("0123456789abcdef", g.s[2]);
	/* Its length is written: stepped over, and kept pending. */
	EXPECT_EQ(a.pos, t.scanned);
	EXPECT_EQ(1, t.nr_pending);
	EXPECT_EQ(3, t.count);
	EXPECT_FALSE(t.broken);
	EXPECT_TRUE(ctrace_ustrtab_has(&t, 1));
	EXPECT_TRUE(ctrace_ustrtab_has(&t, 7));
	EXPECT_FALSE(ctrace_ustrtab_has(&t, 3));
	EXPECT_FALSE(ctrace_ustrtab_has(&t, 0));
	EXPECT_FALSE(ctrace_ustrtab_has(&t, 65536));
	/* Nothing new: nothing emitted. */
	EXPECT_EQ(0, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	/* Its id published: picked up where the scan stopped. */
	a.p[partial] = 9;
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	EXPECT_EQ(9, g.ids[3]);
	EXPECT_STREQ("pending", g.s[3]);
	EXPECT_EQ(a.pos, t.scanned);

	/* pos covering only part of an entry: wait for the rest. */
	add_entry(&a, 10, "a string of 24 bytes....", 24, true);
	EXPECT_EQ(0, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos - 8, emit, &g));
	EXPECT_EQ(0, ctrace_ustrtab_scan(&t, a.p, a.size, t.scanned + 4, emit, &g));
	EXPECT_FALSE(t.broken);
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));

	/* A failing emit: not accepted, and offered again. */
	add_entry(&a, 11, "x", 1, true);
	g.fail_at = 11;
	EXPECT_EQ(-EIO, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	EXPECT_FALSE(ctrace_ustrtab_has(&t, 11));
	g.fail_at = -1;
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	EXPECT_TRUE(ctrace_ustrtab_has(&t, 11));
	EXPECT_EQ(6, t.count);	/* 1, 2, 7, 9, 10, 11 */
	/* Without an emit callback it only learns the IDs. */
	add_entry(&a, 12, "y", 1, true);
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, NULL, NULL));
	EXPECT_TRUE(ctrace_ustrtab_has(&t, 12));
	free(a.p);
}

TEST(strings_malformed_break_for_good)
{
	static const struct {
		const char *what;
		uint32_t id;
		size_t len;
		bool nul;
	} cases[] = {
		{ "id past 65535", 65536, 3, true },
		{ "a duplicate", 1, 3, true },
		{ "no NUL", 5, 3, false },
		{ "longer than CTRACE_USTRING_MAX", 5, CTRACE_USTRING_MAX + 1, true },
		{ "past the area", 5, 200, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctrace_ustrtab t = { 0 };
		struct area a = new_area(2048);
		struct got g = { .fail_at = -1 };
		size_t size;
		char big[2048];

		memset(big, 'a', sizeof(big));
		add_entry(&a, 1, "one", 3, true);
		add_entry(&a, cases[i].id, big, cases[i].len, cases[i].nul);
		add_entry(&a, 6, "six", 3, true);
		/* "past the area": the area ends inside the entry. */
		size = i == 4 ? 64 : a.size;
		ASSERT_EQ(1, ctrace_ustrtab_scan(&t, a.p, size, a.pos, emit, &g))
			TH_LOG("%s", cases[i].what);
		EXPECT_TRUE(t.broken) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(16, t.scanned);
		EXPECT_EQ(1, t.count);
		/* Never resumed, even once the entry looks right. */
		memcpy(a.p + 16, &(struct ctrace_ustring){ .id = 4, .len = 1 }, 8);
		a.p[24] = 'z';
		a.p[25] = 0;
		EXPECT_EQ(0, ctrace_ustrtab_scan(&t, a.p, size, a.pos, emit, &g));
		EXPECT_FALSE(ctrace_ustrtab_has(&t, 6));
		EXPECT_EQ(1, g.n);
		free(a.p);
	}
}

/* pos is the writers': beyond the area it is clamped, not followed. */
TEST(strings_pos_clamped)
{
	struct ctrace_ustrtab t = { 0 };
	struct area a = new_area(40);	/* ASan: exactly 40 bytes */
	struct got g = { .fail_at = -1 };

	add_entry(&a, 1, "first", 5, true);	/* 16 */
	add_entry(&a, 2, "second", 6, true);	/* 16 */
	/* 8 bytes left: a header that claims a string past the end. */
	memcpy(a.p + 32, &(struct ctrace_ustring){ .id = 3, .len = 20 }, 8);
	EXPECT_EQ(2, ctrace_ustrtab_scan(&t, a.p, a.size, UINT64_MAX, emit, &g));
	EXPECT_TRUE(t.broken);
	EXPECT_EQ(32, t.scanned);
	free(a.p);

	/* An area ending mid-header: stops, does not read past it. */
	memset(&t, 0, sizeof(t));
	a = new_area(20);
	add_entry(&a, 1, "first", 5, true);
	a.p[16] = 1;
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, 1000, emit, &g));
	EXPECT_FALSE(t.broken);
	EXPECT_EQ(16, t.scanned);
	free(a.p);
}

/*
 * A writer killed after reserving an entry, before publishing its ID:
 * the strings after it survive, and it is still taken if it turns out to
 * have been slow rather than dead.
 */
TEST(strings_dead_reservation_is_stepped_over)
{
	static const struct {
		const char *what;
		bool len_written;	/* killed after storing len, or before */
		size_t len;
	} cases[] = {
		{ "killed before its length", false, 11 },
		{ "killed after its length", true, 11 },
		{ "an empty string, killed", false, 0 },
		{ "a long string, killed after its length", true, 300 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctrace_ustrtab t = { 0 };
		struct area a = new_area(1024);
		struct got g = { .fail_at = -1 };
		char big[400];
		size_t dead;

		memset(big, 'd', sizeof(big));
		add_entry(&a, 1, "one", 3, true);
		/* Reserved: strings_pos moved on, nothing (or only len) written. */
		dead = a.pos;
		a.pos += sizeof(struct ctrace_ustring) + (cases[i].len + 1 + 7) / 8 * 8;
		if (cases[i].len_written)
			memcpy(a.p + dead, &(struct ctrace_ustring){ .len = cases[i].len }, 8);
		/* Nothing after it yet: wait there. */
		ASSERT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g))
			TH_LOG("%s", cases[i].what);
		if (!cases[i].len_written)
			EXPECT_EQ(dead, t.scanned) TH_LOG("%s", cases[i].what);
		add_entry(&a, 3, "three", 5, true);
		add_entry(&a, 4, "four", 4, true);
		ASSERT_EQ(2, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g))
			TH_LOG("%s", cases[i].what);
		EXPECT_FALSE(t.broken) TH_LOG("%s", cases[i].what);
		EXPECT_TRUE(ctrace_ustrtab_has(&t, 3)) TH_LOG("%s", cases[i].what);
		EXPECT_TRUE(ctrace_ustrtab_has(&t, 4)) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(a.pos, t.scanned) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(1, t.nr_pending);
		EXPECT_EQ(1, t.skipped);
		/* Not dead after all, just slow: taken when it publishes. */
		memcpy(a.p + dead + 8, big, cases[i].len);
		memcpy(a.p + dead, &(struct ctrace_ustring){ .id = 2, .len = cases[i].len }, 8);
		ASSERT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g))
			TH_LOG("%s", cases[i].what);
		EXPECT_TRUE(ctrace_ustrtab_has(&t, 2));
		EXPECT_EQ(0, t.nr_pending);
		EXPECT_EQ(4, t.count);
		EXPECT_EQ(0, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
		free(a.p);
	}
}

/* What a hostile writer puts in an unpublished entry stays in the area. */
TEST(strings_unpublished_garbage_is_bounded)
{
	struct ctrace_ustrtab t = { 0 };
	struct area a = new_area(64);	/* ASan: exactly 64 bytes */
	struct got g = { .fail_at = -1 };

	add_entry(&a, 1, "one", 3, true);
	/* No ID, and a length past the area: broken, nothing read past it. */
	memcpy(a.p + 16, &(struct ctrace_ustring){ .len = 1000 }, 8);
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, UINT64_MAX, emit, &g));
	EXPECT_TRUE(t.broken);
	EXPECT_EQ(16, t.scanned);
	free(a.p);

	/* A pending entry that publishes more than the room it had: dropped,
	 * alone. */
	memset(&t, 0, sizeof(t));
	a = new_area(64);
	a.pos = 16;				/* dead: zeros */
	add_entry(&a, 2, "two", 3, true);	/* at 16 */
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	EXPECT_EQ(1, t.nr_pending);
	memcpy(a.p, &(struct ctrace_ustring){ .id = 1, .len = 20 }, 8);
	memset(a.p + 8, 'x', 8);
	EXPECT_EQ(0, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	EXPECT_EQ(0, t.nr_pending);
	EXPECT_FALSE(ctrace_ustrtab_has(&t, 1));
	EXPECT_FALSE(t.broken);
	free(a.p);

	/* Many dead entries: the oldest are given up, the scan goes on. */
	memset(&t, 0, sizeof(t));
	a = new_area(16 * (CTRACE_USTRTAB_PENDING + 8) + 16);
	for (int i = 0; i < CTRACE_USTRTAB_PENDING + 8; i++)
		add_entry(&a, 0, "dead", 4, true);	/* length, no ID */
	add_entry(&a, 9, "nine", 4, true);
	EXPECT_EQ(1, ctrace_ustrtab_scan(&t, a.p, a.size, a.pos, emit, &g));
	EXPECT_TRUE(ctrace_ustrtab_has(&t, 9));
	EXPECT_EQ(CTRACE_USTRTAB_PENDING, t.nr_pending);
	EXPECT_EQ(8, t.abandoned);
	free(a.p);
}

TEST_HARNESS_MAIN
