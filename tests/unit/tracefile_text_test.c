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
#include "analysis.h"
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

/* ------------------------------------------------------------ user events */

enum { PARSE = 1, IO, MSG, QUEUE, REQUEST, HANDOFF, MYNAME, SAYHI };

static unsigned char *user_sample(size_t *len)
{
	static const uint32_t ids[] = { PARSE, IO, MSG, QUEUE, REQUEST, HANDOFF,
					MYNAME, SAYHI };
	static const char *const strs[] = {
		"parse", "io", "read 4096 bytes", "queue", "request", "handoff",
		"my name", "say \"hi\"\n",
	};
	static const char msg[] = "tab\there \"q\" back\\slash\x01";
	unsigned char unknown[8] = { 1, 2, 3 };
	struct tb b;
	unsigned char *p;

	if (tb_open(&b))
		return NULL;
	tb_meta(&b, "clock=mono\nevents=0x1f\n");
	tb_uset(&b, 0, 1000, 2);
	tb_strings(&b, 0, 8, ids, strs);
	tb_dumper_clock(&b, BASE + 100, BASE + 100, 1700000000000000000ull,
			CTRACE_CLOCK_SNAP_START);
	tb_switch(&b, 0, BASE + 500, 0, 12, 0);
	tb_uthread(&b, 0, 0, BASE + 1000, 12, 10, "worker");
	tb_uregion(&b, 0, 0, BASE + 2000, 12, CTRACE_UREC_REGION_BEGIN, PARSE, true, 7);
	tb_uregion(&b, 0, 0, BASE + 2500, 12, CTRACE_UREC_REGION_BEGIN, MYNAME, false, 0);
	tb_uregion(&b, 0, 0, BASE + 3000, 12, CTRACE_UREC_REGION_END, MYNAME, false, 0);
	tb_utask_begin(&b, 0, 0, BASE + 4000, 12, REQUEST, 7, 0);
	tb_ulog(&b, 0, 0, BASE + 5000, 12, IO, 7, MSG, NULL, 0);
	tb_ulog(&b, 0, 0, BASE + 6000, 12, 0, 0, 0, msg, sizeof(msg) - 1);
	tb_uregion(&b, 0, 0, BASE + 7000, 12, CTRACE_UREC_INSTANT, SAYHI, true, 9);
	tb_uregion(&b, 0, 0, BASE + 8000, 12, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_u64(&b, 0, 0, BASE + 9000, 12, CTRACE_UREC_COUNTER, QUEUE, 17);
	tb_u64(&b, 0, 0, BASE + 10000, 12, CTRACE_UREC_COUNTER, QUEUE, (uint64_t)-5);
	tb_ucounter_f(&b, 0, 0, BASE + 11000, 12, QUEUE, 0.25);
	tb_ucounter_f(&b, 0, 0, BASE + 12000, 12, QUEUE, 0.1);
	tb_u64(&b, 0, 0, BASE + 13000, 12, CTRACE_UREC_FLOW_BEGIN, HANDOFF, 3);
	tb_u64(&b, 0, 1, BASE + 14000, 13, CTRACE_UREC_FLOW_END, 0, 3);
	tb_u64(&b, 0, 0, BASE + 15000, 12, CTRACE_UREC_TASK_END, 0, 7);
	tb_u64(&b, 0, 0, BASE + 16000, 12, CTRACE_UREC_TASK_END, 0, 99);
	tb_urec(&b, 0, 0, BASE + 18000, 12, 99, 0, unknown, sizeof(unknown));
	/* Migrated to cpu 1 to end the region. */
	tb_uregion(&b, 0, 1, BASE + 2002001, 12, CTRACE_UREC_REGION_END, PARSE, true, 7);
	tb_uregion(&b, 0, 0, BASE + 2002500, 12, CTRACE_UREC_REGION_END, PARSE, false, 0);
	tb_uthread(&b, 0, 1, BASE + 2002600, 13, 10, "a b");
	tb_wakeup(&b, 1, BASE + 2003000, 13, 12, 0);
	tb_u64(&b, 0, 1, BASE + 2003000, 13, CTRACE_UREC_LOST, 0, 5);
	tb_ucorrupt(&b, 0, 1, BASE + 2003000, 64, CTRACE_CORRUPT_STRING, 2);
	tb_flush_all(&b);
	tb_stats(&b);
	tb_end(&b);
	p = tb_finish(&b, len);
	tb_free(&b);
	return p;
}

static const char *const user_lines[] = {
	"           <...>-?       [---] 12.000000100: clock    counter=12000000100 mono=12000000100 boot=12000001100 real=1700000000000000000 [start]",
	"         swapper-0       [000] 12.000000500: switch   prev=swapper:0 prev_state=? ==> next=<...>:12",
	"          worker-12      [000] 12.000001000: thread   tid=12 tgid=10 name=worker",
	"          worker-12      [000] 12.000002000: region   begin name=parse depth=1 task=7",
	"          worker-12      [000] 12.000002500: region   begin name=\"my name\" depth=2",
	"          worker-12      [000] 12.000003000: region   end name=\"my name\" depth=2 dur=0.000500ms",
	"          worker-12      [000] 12.000004000: task     begin name=request id=7 parent=0",
	"          worker-12      [000] 12.000005000: log      category=io task=7 msg=\"read 4096 bytes\"",
	"          worker-12      [000] 12.000006000: log      msg=\"tab\\there \\\"q\\\" back\\\\slash\\x01\"",
	"          worker-12      [000] 12.000007000: instant  name=\"say \\\"hi\\\"\\n\" task=9",
	"          worker-12      [000] 12.000008000: instant  ",
	"          worker-12      [000] 12.000009000: counter  name=queue value=17",
	"          worker-12      [000] 12.000010000: counter  name=queue value=-5",
	"          worker-12      [000] 12.000011000: counter  name=queue value=0.25",
	"          worker-12      [000] 12.000012000: counter  name=queue value=0.10000000000000001",
	"          worker-12      [000] 12.000013000: flow     begin name=handoff flow=3",
	"           <...>-13      [001] 12.000014000: flow     end flow=3",
	"          worker-12      [000] 12.000015000: task     end name=request id=7 dur=0.011000ms",
	"          worker-12      [000] 12.000016000: task     end id=99",
	"          worker-12      [000] 12.000018000: unknown  type=99 size=24",
	"          worker-12      [001] 12.002002001: region   end name=parse depth=1 task=7 dur=2.000001ms",
	"          worker-12      [000] 12.002002500: region   end name=parse depth=0",
	"             a b-13      [001] 12.002002600: thread   tid=13 tgid=10 name=\"a b\"",
	"          worker-12      [001] 12.002003000: wakeup   wakee=a b:13 waker=worker:12 target_cpu=0",
	"             a b-13      [001] 12.002003000: lost     count=5",
	"           <...>-?       [001] 12.002003000: corrupt  bytes=64 reason=string records=2",
};

TEST(user_event_lines)
{
	struct output o;
	size_t len, n = 0;
	unsigned char *p = user_sample(&len);
	char *line, *save;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, run(p, len, false, &o));
	EXPECT_STREQ("", o.err);
	for (line = strtok_r(o.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		ASSERT_LT(n, sizeof(user_lines) / sizeof(user_lines[0]));
		EXPECT_STREQ(user_lines[n], line);
		n++;
	}
	EXPECT_EQ(sizeof(user_lines) / sizeof(user_lines[0]), n);
	output_free(&o);
	free(p);
}

TEST(user_summary)
{
	static const char *const want[] = {
		"\nrecorded:   switch,wakeup,task,migrate,user\n",
		"\nevents:     3 (0 lost)\n",
		"\nmode:       kernel and user\n",
		"\nuser events: 21 (5 lost, 1 corrupt records for 64 bytes)\n",
		"\n  thread                2\n",
		"\n  task_begin            1\n",
		"\n  task_end              2\n",
		"\n  region_begin          2\n",
		"\n  region_end            3\n",
		"\n  log                   2\n",
		"\n  instant               2\n",
		"\n  counter               2\n",
		"\n  counter_f             2\n",
		"\n  flow_begin            1\n",
		"\n  flow_end              1\n",
		"\n  type_99               1\n",
		"\n  lost                  1 records\n",
		"\n  corrupt               1 records\n",
		"\nring sets:  1\n  set 0: uid 1000, 2 rings of 65536 bytes, 8 strings, rseq\n",
		"\nraised:     0 user timestamps, to their ring's previous one\n",
		"\n     0:0           18          0        1  recorded 18, dropped 0, read 18\n",
		"\n     0:1            4          5        1  recorded 4, dropped 5, read 4  corrupt 1 (64 bytes)\n",
		"\n  dumper            1          0        1  recorded 1, dropped 0, read 1\n",
		"\nthreads:    3 seen\n",
		"\n          12         10  worker\n",
		"\n          13         10  a b\n",
		"\nstatus:     complete\n",
	};
	struct output o;
	size_t len;
	unsigned char *p = user_sample(&len);

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, run(p, len, true, &o));
	EXPECT_STREQ("", o.err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT_NE(NULL, strstr(o.out, want[i])) TH_LOG("missing: %s\nin:\n%s", want[i], o.out);
	}
	output_free(&o);
	free(p);
}

/* User-only, raised timestamps, and a kernel-only trace says so. */
TEST(user_only_summary)
{
	struct output o;
	struct tb b;
	size_t len;
	unsigned char *p;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\nuser_only=1\n");
	tb_uset(&b, 2, 0, 1);
	tb_uregion(&b, 2, 0, 500, 5, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_uregion(&b, 2, 0, 400, 5, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_flush_all(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	tb_free(&b);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, run(p, len, true, &o));
	EXPECT_NE(NULL, strstr(o.out, "\nmode:       user-only\n")) TH_LOG("%s", o.out);
	EXPECT_NE(NULL, strstr(o.out, "\nraised:     1 user timestamps, to their ring's previous one\n"));
	EXPECT_NE(NULL, strstr(o.out, "\n     2:0            2          0        1  raised 1\n"));
	EXPECT_NE(NULL, strstr(o.out, "\n  set 2: uid 0, 1 rings of 65536 bytes, 0 strings, rseq\n"));
	EXPECT_NULL(strstr(o.out, "meta:"));
	output_free(&o);
	free(p);

	p = sample(&len, true);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, run(p, len, true, &o));
	EXPECT_NE(NULL, strstr(o.out, "\nmode:       kernel\n"));
	EXPECT_NULL(strstr(o.out, "user events:"));
	EXPECT_NULL(strstr(o.out, "ring sets:"));
	output_free(&o);
	free(p);
}

TEST_HARNESS_MAIN
