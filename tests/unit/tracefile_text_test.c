// SPDX-License-Identifier: GPL-2.0
/*
 * Text output (tools/tracefile/text.c): the exact line for every record
 * type, who is shown in front, names as they change, hidden and unknown
 * threads; the summary; what goes to stderr and the return value for a
 * truncated and a corrupt file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "tracefile_builder.h"

#define BASE 12000000000ull	/* 12 s */
#define H CTRACE_TID_HIDDEN

static unsigned char *sample(size_t *len, bool end)
{
	struct tb b;
	unsigned char *p;

	if (tb_open(&b))
		return NULL;
	tb_meta(&b, "ctrace_version=0.1\nhost=box\nkernel=6.1.0\nnr_cpus=2\n"
		    "clock=mono\nsession_id=3\ntarget=all\nevents=0xb\n"
		    "buf_size=1048576\nstart_realtime_ns=1700000000123456789\n"
		    "future_key=42\n");
	tb_thread(&b, 1, BASE + 500, 1234, 1234, 1, CTRACE_STATE_RUNNING,
		  CTRACE_THREAD_F_SNAPSHOT, "ping");
	tb_thread(&b, 0, BASE + 600, 1235, 1235, 0, CTRACE_STATE_SLEEPING,
		  CTRACE_THREAD_F_SNAPSHOT, "pong");
	/* The snapshot says ping runs on cpu 1. */
	tb_migrate(&b, 1, BASE + 700, 1237, 0, 1);
	tb_switch(&b, 1, BASE + 1000, 1234, 0, CTRACE_STATE_SLEEPING);
	tb_wakeup(&b, 1, BASE + 2000, 1235, 0, 0 | CTRACE_WAKEUP_F_IRQ);
	tb_switch(&b, 0, BASE + 3000, 0, 1235,
		  CTRACE_STATE_RUNNABLE | CTRACE_SWITCH_F_PREEMPT);
	tb_fork(&b, 0, BASE + 4000, 1235, 1236, 1235, "pong", CTRACE_FORK_F_THREAD);
	tb_wakeup(&b, 0, BASE + 4100, 1236, 1235, 1 | CTRACE_WAKEUP_F_NEW);
	tb_exec(&b, 0, BASE + 5000, 1235, 1235, "true", "/bin/true");
	tb_rename(&b, 0, BASE + 6000, 1235, 1235, "new\nname");
	tb_migrate(&b, 1, BASE + 6500, 1236, 0, 1);
	tb_exit(&b, 0, BASE + 7000, 1235, 1235, CTRACE_EXIT_F_GROUP_DEAD);
	tb_switch(&b, 0, BASE + 7100, 1235, 0, CTRACE_STATE_DEAD);
	tb_clock(&b, 1, BASE + 8000, BASE + 8000, 1700000000000000000ull,
		 CTRACE_CLOCK_SNAP_PERIODIC);
	tb_lost(&b, 1, BASE + 9000, 7);
	/* The switches lost may have changed who runs on cpu 1. */
	tb_migrate(&b, 1, BASE + 9100, 1237, 1, 0);
	tb_switch(&b, 1, BASE + 9500, H, 1236, CTRACE_STATE_SLEEPING);
	tb_switch(&b, 0, BASE + 10000, 0, 4242, 0);
	tb_exec(&b, 1, BASE + 11000, 1236, 1235, "sh", "/bin/\x1b[31msh");
	tb_flush_all(&b);
	if (end) {
		tb_stats(&b);
		tb_end(&b);
	}
	p = tb_finish(&b, len);
	tb_free(&b);
	return p;
}

static const char *const want_lines[] = {
	"           <...>-?       [001] 12.000000500: thread   tid=1234 tgid=1234 state=R cpu=1 comm=ping [snapshot]",
	"           <...>-?       [000] 12.000000600: thread   tid=1235 tgid=1235 state=S cpu=0 comm=pong [snapshot]",
	"            ping-1234    [001] 12.000000700: migrate  tid=1237 orig_cpu=0 dest_cpu=1",
	"            ping-1234    [001] 12.000001000: switch   prev=ping:1234 prev_state=S ==> next=swapper:0",
	"         swapper-0       [001] 12.000002000: wakeup   wakee=pong:1235 waker=swapper:0 target_cpu=0 [irq]",
	"         swapper-0       [000] 12.000003000: switch   prev=swapper:0 prev_state=R+ ==> next=pong:1235",
	"            pong-1235    [000] 12.000004000: fork     parent=pong:1235 child=pong:1236 tgid=1235 [thread]",
	"            pong-1235    [000] 12.000004100: wakeup   wakee=pong:1236 waker=pong:1235 target_cpu=1 [new]",
	"            true-1235    [000] 12.000005000: exec     tid=1235 comm=true filename=/bin/true",
	"        new?name-1235    [000] 12.000006000: rename   tid=1235 comm=new?name",
	"         swapper-0       [001] 12.000006500: migrate  tid=1236 orig_cpu=0 dest_cpu=1",
	"        new?name-1235    [000] 12.000007000: exit     tid=1235 tgid=1235 [group_dead]",
	"        new?name-1235    [000] 12.000007100: switch   prev=new?name:1235 prev_state=X ==> next=swapper:0",
	"         swapper-0       [001] 12.000008000: clock    counter=12000008000 mono=12000008000 boot=12000009000 real=1700000000000000000 [periodic]",
	"         swapper-0       [001] 12.000009000: lost     count=7",
	"           <...>-?       [001] 12.000009100: migrate  tid=1237 orig_cpu=1 dest_cpu=0",
	"          hidden-?       [001] 12.000009500: switch   prev=hidden:? prev_state=S ==> next=pong:1236",
	"         swapper-0       [000] 12.000010000: switch   prev=swapper:0 prev_state=? ==> next=<...>:4242",
	"              sh-1236    [001] 12.000011000: exec     tid=1236 comm=sh filename=/bin/?[31msh old_tid=1235",
};

struct output {
	char *out, *err;
	size_t outlen, errlen;
};

static int run(const unsigned char *p, size_t len, bool summary,
	       struct output *o)
{
	struct ctrace_trace *t;
	FILE *out, *err;
	char msg[256];
	int r;

	memset(o, 0, sizeof(*o));
	r = ctrace_trace_open_buffer(p, len, &t, msg, sizeof(msg));
	if (r)
		return 1000;
	out = open_memstream(&o->out, &o->outlen);
	err = open_memstream(&o->err, &o->errlen);
	r = summary ? ctrace_print_summary(t, out, err) :
		      ctrace_print_events(t, out, err);
	fclose(out);
	fclose(err);
	ctrace_trace_close(t);
	return r;
}

static void output_free(struct output *o)
{
	free(o->out);
	free(o->err);
}

TEST(event_lines)
{
	struct output o;
	size_t len, n = 0;
	unsigned char *p = sample(&len, true);
	char *line, *save;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, run(p, len, false, &o));
	EXPECT_STREQ("", o.err);
	for (line = strtok_r(o.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		ASSERT_LT(n, sizeof(want_lines) / sizeof(want_lines[0]));
		EXPECT_STREQ(want_lines[n], line);
		n++;
	}
	EXPECT_EQ(sizeof(want_lines) / sizeof(want_lines[0]), n);
	output_free(&o);
	free(p);
}

/* --wall: UTC time of day from the CLOCK record's REALTIME, to the ns. */
TEST(wall_clock_lines)
{
	struct ctrace_trace *t;
	size_t len, outlen = 0;
	unsigned char *p = sample(&len, true);
	char err[256], *out = NULL;
	FILE *f;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ctrace_trace_open_buffer(p, len, &t, err, sizeof(err)));
	f = open_memstream(&out, &outlen);
	ASSERT_EQ(0, ctrace_print_events_flags(t, f, stderr, CTRACE_PRINT_WALL));
	fclose(f);
	/* The switch at 12.000001 s: 7 us before the snapshot's
	 * 1700000000.000000000 (2023-11-14 22:13:20 UTC). */
	EXPECT_NE(NULL, strstr(out, "[001] 22:13:19.999993000: switch   prev=ping:1234"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "[001] 22:13:20.000000000: clock"));
	free(out);
	ctrace_trace_close(t);
	free(p);
}

/* File offset of chunk @k (0 is the first after the file header). */
static uint64_t chunk_off(const unsigned char *p, int k)
{
	uint64_t off = sizeof(struct ctrace_file_header);

	for (int i = 0; i < k; i++) {
		struct ctrace_chunk_header h;

		memcpy(&h, p + off, sizeof(h));
		off += sizeof(h) + h.size;
	}
	return off;
}

TEST(summary)
{
	static const char *const want[] = {
		"trace:      <buffer> (",
		"host:       box\n",
		"kernel:     6.1.0\n",
		"cpus:       2\n",
		"recorder:   ctrace 0.1\n",
		"session:    3\n",
		"target:     all\n",
		"recorded:   switch,wakeup,migrate\n",
		"buffers:    1048576 bytes per cpu\n",
		"clock:      mono, 1 CLOCK records\n",
		"started:    2023-11-14 22:13:20.123456789 UTC\n",
		"meta:       future_key=42\n",
		"duration:   0.000010500 s, 12.000000500 to 12.000011000 (CLOCK_MONOTONIC)\n",
		"events:     18 (7 lost)\n",
		"threads:    6 seen, and hidden threads of other users\n",
		"status:     complete\n",
	};
	static const struct {
		const char *name;
		unsigned int n;
	} types[] = {
		{ "clock", 1 }, { "switch", 5 }, { "wakeup", 2 }, { "fork", 1 },
		{ "exec", 2 }, { "exit", 1 }, { "rename", 1 }, { "migrate", 3 },
		{ "thread", 2 },
	};
	static const struct {
		unsigned int tid;
		const char *tgid, *comm;
	} threads[] = {
		{ 0, "0", "swapper" }, { 1234, "1234", "ping" },
		{ 1235, "1235", "new?name" }, { 1236, "1236", "sh" },
		{ 1237, "?", "<...>" }, { 4242, "?", "<...>" },
	};
	struct output o;
	size_t len;
	unsigned char *p = sample(&len, true);
	char line[256];

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, run(p, len, true, &o));
	EXPECT_STREQ("", o.err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT_NE(NULL, strstr(o.out, want[i])) TH_LOG("missing: %s\nin:\n%s", want[i], o.out);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(line, sizeof(line), "\n  %-10s %12u\n", types[i].name, types[i].n);
		EXPECT_NE(NULL, strstr(o.out, line)) TH_LOG("missing: %s", line);
	}
	EXPECT_NE(NULL, strstr(o.out, "\n  lost                  1 records\n"));
	/* Rings: id, events, lost, chunks, then the producer's STATS. */
	snprintf(line, sizeof(line), "\n  %6u %12u %10u %8u  recorded 9, dropped 0, read 9\n", 0, 9, 0, 1);
	EXPECT_NE(NULL, strstr(o.out, line)) TH_LOG("missing: %s", line);
	snprintf(line, sizeof(line), "\n  %6u %12u %10u %8u  recorded 9, dropped 7, read 9\n", 1, 9, 7, 1);
	EXPECT_NE(NULL, strstr(o.out, line)) TH_LOG("missing: %s", line);
	/* Threads by tid, names as of the end. */
	for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		snprintf(line, sizeof(line), "\n  %10u %10s  %s\n", threads[i].tid,
			 threads[i].tgid, threads[i].comm);
		EXPECT_NE(NULL, strstr(o.out, line)) TH_LOG("missing: %s", line);
	}
	output_free(&o);
	free(p);
}

TEST(incomplete_truncated_and_corrupt_files)
{
	struct output o;
	size_t len;
	unsigned char *p = sample(&len, false), *q;
	uint64_t ring0 = chunk_off(p, 2);	/* ring 1 flushed first */
	char want[256];

	ASSERT_NE(NULL, p);
	/* No END chunk, nothing cut: what the cursor says, and exit 0. */
	ASSERT_EQ(0, run(p, len, false, &o));
	snprintf(want, sizeof(want),
		 "<buffer>: no END chunk: the recording did not end cleanly (ctrace-dump killed?); the data stops at offset %zu after 3 chunks\n",
		 len);
	EXPECT_STREQ(want, o.err);
	EXPECT_NE(NULL, strstr(o.out, "12.000010000: switch"));
	output_free(&o);

	/* Cut 8 bytes into ring 0's chunk: ring 1's events only. */
	q = malloc(ring0 + 8);
	memcpy(q, p, ring0 + 8);
	snprintf(want, sizeof(want),
		 "<buffer>: truncated at offset %llu: chunk 2 needs at least 32 bytes, 8 present; the recording did not end cleanly\n",
		 (unsigned long long)ring0);
	ASSERT_EQ(0, run(q, ring0 + 8, false, &o));
	EXPECT_STREQ(want, o.err);
	EXPECT_NE(NULL, strstr(o.out, "12.000011000: exec"));
	EXPECT_NULL(strstr(o.out, "[000]"));
	output_free(&o);
	ASSERT_EQ(0, run(q, ring0 + 8, true, &o));
	EXPECT_NE(NULL, strstr(o.out, "\nstatus:     incomplete: truncated at offset"));
	EXPECT_STREQ(want, o.err);
	output_free(&o);
	free(q);

	/* A damaged chunk: all before it printed, and an error returned. */
	p[ring0 + 100] ^= 4;
	EXPECT_GT(0, run(p, len, false, &o));
	EXPECT_NE(NULL, strstr(o.err, "CRC mismatch"));
	EXPECT_NE(NULL, strstr(o.out, "12.000011000: exec"));
	EXPECT_NULL(strstr(o.out, "[000]"));
	output_free(&o);
	EXPECT_GT(0, run(p, len, true, &o));
	EXPECT_NE(NULL, strstr(o.out, "\nstatus:     corrupt: offset"));
	output_free(&o);
	free(p);
}

TEST_HARNESS_MAIN
