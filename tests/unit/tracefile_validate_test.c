// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace_validate() on hand-made traces: a legal ping-pong passes; each
 * illegal scheduler transition is caught with its exact message; losses
 * (LOST records, sequence gaps) suppress what they may explain; ring and
 * STATS checks report exact numbers.
 *
 * Each scenario lists its events with timestamps; the builder places them
 * in rings and chunks, and its log gives the file offset of each event
 * for the expected messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "analysis.h"
#include "tracefile_builder.h"

#define PING 100
#define PONG 101
#define KID 102
#define S CTRACE_STATE_SLEEPING
#define X CTRACE_STATE_DEAD
#define PREEMPTED (CTRACE_STATE_RUNNABLE | CTRACE_SWITCH_F_PREEMPT)

struct result {
	int rc;
	struct ctrace_validation v;
	char *log;
	size_t loglen;
};

/* Names first, so messages say "ping:100". */
static int start(struct tb *b, const char *meta)
{
	if (tb_open(b))
		return -1;
	tb_meta(b, meta ? meta : "clock=mono\ntarget=all\n");
	tb_thread(b, 0, 10, PING, PING, 0, 0, 0, "ping");
	tb_thread(b, 0, 11, PONG, PONG, 0, 0, 0, "pong");
	return 0;
}

static void validate_buf(const unsigned char *p, size_t len, struct result *res)
{
	struct ctrace_trace *t;
	char err[256];
	FILE *f;

	memset(res, 0, sizeof(*res));
	res->rc = ctrace_trace_open_buffer(p, len, &t, err, sizeof(err));
	if (res->rc)
		return;
	f = open_memstream(&res->log, &res->loglen);
	res->rc = ctrace_validate(t, &res->v, f);
	fclose(f);
	ctrace_trace_close(t);
}

/* Flush, STATS, END, then validate.  Offsets in @b are final after it. */
static void finish(struct tb *b, struct result *res)
{
	size_t len;
	unsigned char *p;

	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
	p = tb_finish(b, &len);
	if (!p) {
		memset(res, 0, sizeof(*res));
		res->rc = -1;
		return;
	}
	validate_buf(p, len, res);
	free(p);
}

static uint64_t off(const struct tb *b, uint32_t ring, uint64_t seq)
{
	for (size_t i = 0; i < b->nr_evs; i++)
		if (b->evs[i].ring == ring && b->evs[i].seq == seq)
			return b->evs[i].rec_pos;
	return ~0ull;
}

static void done(struct tb *b, struct result *res)
{
	free(res->log);
	tb_free(b);
}

TEST(ping_pong_is_legal)
{
	struct result res;
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);		/* idle -> ping, cpu 0 */
	tb_wakeup(&b, 0, 200, PONG, PING, 1);		/* ping wakes pong */
	tb_switch(&b, 1, 300, 0, PONG, 0);		/* idle -> pong, cpu 1 */
	tb_switch(&b, 0, 400, PING, 0, S);		/* ping sleeps */
	tb_wakeup(&b, 1, 500, PING, PONG, 0);		/* pong wakes ping */
	tb_switch(&b, 0, 600, 0, PING, 0);
	/* A wakeup of pong still on cpu 1, just before it switches out
	 * asleep: it stays runnable, so switching it in again is legal.
	 */
	tb_wakeup(&b, 0, 700, PONG, PING, 1);
	tb_switch(&b, 1, 710, PONG, 0, S);
	tb_switch(&b, 1, 800, 0, PONG, 0);
	tb_switch(&b, 1, 900, PONG, 0, PREEMPTED);	/* preempted: runnable */
	tb_switch(&b, 1, 1000, 0, PONG, 0);
	/* A thread: forked, woken [new], runs on cpu 1, exits. */
	tb_fork(&b, 0, 1100, PING, KID, PING, "kid", CTRACE_FORK_F_THREAD);
	tb_wakeup(&b, 0, 1110, KID, PING, 1 | CTRACE_WAKEUP_F_NEW);
	tb_switch(&b, 1, 1200, PONG, KID, S);
	tb_exit(&b, 1, 1250, KID, PING, 0);
	tb_switch(&b, 1, 1300, KID, 0, X);
	tb_switch(&b, 0, 1400, PING, 0, S);
	/* Another user's threads are exempt, like the idle task. */
	tb_switch(&b, 0, 1500, 0, CTRACE_TID_HIDDEN, 0);
	tb_switch(&b, 0, 1600, CTRACE_TID_HIDDEN, 0, S);
	tb_switch(&b, 1, 1700, 0, CTRACE_TID_HIDDEN, 0);
	tb_migrate(&b, 0, 1800, PONG, 1, 0);
	finish(&b, &res);

	EXPECT_EQ(0, res.rc);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	EXPECT_EQ(23, res.v.events);
	EXPECT_EQ(0, res.v.lost);
	EXPECT_EQ(14, res.v.switches);
	EXPECT_EQ(4, res.v.wakeups);
	done(&b, &res);
}

/*
 * The trace starts with pong on cpu 1 (its switch-in unseen), woken from
 * cpu 0 as it goes to sleep: the wakeup counts, so it may run again.
 */
TEST(wakeup_of_unknown_thread_before_it_sleeps)
{
	struct result res;
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_wakeup(&b, 0, 150, PONG, PING, 1);
	tb_switch(&b, 1, 160, PONG, 0, S);
	tb_switch(&b, 1, 200, 0, PONG, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);
}

TEST(switch_in_without_wakeup)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	finish(&b, &res);

	EXPECT_EQ(-EINVAL, res.rc);
	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 0 seq 4: switch: next ping:100 is waiting and was not woken since it slept (offset %llu)",
		 (unsigned long long)off(&b, 0, 4), (unsigned long long)off(&b, 0, 3));
	EXPECT_STREQ(want, res.v.first_error);
	strcat(want, "\n");
	EXPECT_STREQ(want, res.log);
	done(&b, &res);
}

TEST(two_cpus_at_once)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 1, 150, 0, PING, 0);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 1 seq 0: switch: next ping:100 is already running on cpu 0",
		 (unsigned long long)off(&b, 1, 0));
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

TEST(prev_running_on_another_cpu)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 1, 150, PING, 0, S);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 1 seq 0: switch: prev ping:100 is running on cpu 0",
		 (unsigned long long)off(&b, 1, 0));
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

TEST(wrong_prev_on_a_cpu)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PONG, 0, S);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 0 seq 3: switch: prev is pong:101 but the last switch on cpu 0 put ping:100 on it",
		 (unsigned long long)off(&b, 0, 3));
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

TEST(switch_in_after_death)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_exit(&b, 0, 150, PING, PING, CTRACE_EXIT_F_GROUP_DEAD);
	tb_switch(&b, 0, 200, PING, 0, X);
	tb_switch(&b, 1, 300, 0, PING, 0);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 1 seq 0: switch: next ping:100 has died (offset %llu)",
		 (unsigned long long)off(&b, 1, 0), (unsigned long long)off(&b, 0, 4));
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

TEST(new_thread_without_wakeup)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_fork(&b, 0, 150, PING, KID, PING, "kid", CTRACE_FORK_F_THREAD);
	tb_switch(&b, 1, 200, 0, KID, 0);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 1 seq 0: switch: next kid:102 is new and was never woken (forked at offset %llu)",
		 (unsigned long long)off(&b, 1, 0), (unsigned long long)off(&b, 0, 3));
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);

	/* The same with its [new] wakeup is legal. */
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_fork(&b, 0, 150, PING, KID, PING, "kid", CTRACE_FORK_F_THREAD);
	tb_wakeup(&b, 0, 160, KID, PING, 1 | CTRACE_WAKEUP_F_NEW);
	tb_switch(&b, 1, 200, 0, KID, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	done(&b, &res);
}

TEST(wakeup_rules)
{
	struct result res;
	char want[512];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_fork(&b, 0, 150, PING, KID, PING, "kid", 0);
	tb_wakeup(&b, 0, 160, KID, PING, 1);			/* not [new] */
	tb_wakeup(&b, 0, 170, PING, PONG, 0 | CTRACE_WAKEUP_F_NEW);	/* not new */
	tb_switch(&b, 0, 180, PING, 0, X);
	tb_wakeup(&b, 0, 190, PING, PONG, 0);			/* dead */
	finish(&b, &res);

	EXPECT_EQ(3, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 0 seq 4: wakeup of kid:102, which is new: its first wakeup must be [new]\n"
		 "offset %llu: ring 0 seq 5: wakeup [new] of ping:100, which is not new\n"
		 "offset %llu: ring 0 seq 7: wakeup of ping:100, which has died (offset %llu)\n",
		 (unsigned long long)off(&b, 0, 4), (unsigned long long)off(&b, 0, 5),
		 (unsigned long long)off(&b, 0, 7), (unsigned long long)off(&b, 0, 6));
	EXPECT_STREQ(want, res.log);
	done(&b, &res);
}

TEST(unknown_prev_state)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 9);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want), "offset %llu: ring 0 seq 2: switch: unknown prev_state 9",
		 (unsigned long long)off(&b, 0, 2));
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

/* A lost wakeup would explain the switch-in: nothing to report. */
TEST(lost_record_suppresses_false_positives)
{
	struct result res;
	struct tb b;

	/* The LOST comes before the switch-in on the same CPU. */
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_lost(&b, 0, 250, 2);
	tb_switch(&b, 0, 300, 0, PING, 0);
	/* ...and the switch the LOST may hide: no "wrong prev" either. */
	tb_lost(&b, 0, 350, 1);
	tb_switch(&b, 0, 400, PONG, 0, S);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	EXPECT_EQ(3, res.v.lost);
	done(&b, &res);

	/*
	 * The wakeup was lost on cpu 1, whose LOST record comes only after
	 * the switch-in on cpu 0: the error seen there must be retracted.
	 */
	ASSERT_EQ(0, start(&b, NULL));
	tb_clock(&b, 1, 50, 50, 1000050, CTRACE_CLOCK_SNAP_START);
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	tb_lost(&b, 1, 400, 1);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);

	/* Control: without the LOST record the same trace is invalid. */
	ASSERT_EQ(0, start(&b, NULL));
	tb_clock(&b, 1, 50, 50, 1000050, CTRACE_CLOCK_SNAP_START);
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	tb_clock(&b, 1, 400, 400, 1000400, CTRACE_CLOCK_SNAP_PERIODIC);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors);
	done(&b, &res);

	/* A loss explains nothing after it once states are known again. */
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_clock(&b, 1, 250, 250, 1000250, CTRACE_CLOCK_SNAP_PERIODIC);
	tb_lost(&b, 1, 260, 1);
	tb_switch(&b, 0, 270, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors);
	done(&b, &res);
}

/*
 * More violations than are held back at once, while a quiet ring keeps
 * them retractable: every one is still reported, once, in order.
 */
TEST(many_violations_all_reported)
{
	struct result res;
	struct tb b;
	size_t lines = 0;
	uint64_t prev_off = 0;
	bool ordered = true;

	ASSERT_EQ(0, start(&b, NULL));
	tb_clock(&b, 1, 50, 50, 1000050, CTRACE_CLOCK_SNAP_START);
	tb_switch(&b, 0, 100, 0, PING, 0);
	for (int i = 0; i < 5000; i++) {
		tb_switch(&b, 0, 200 + 20 * i, PING, 0, S);
		tb_switch(&b, 0, 210 + 20 * i, 0, PING, 0);	/* not woken */
		if (i % 1000 == 999)
			tb_flush(&b, 0);
	}
	tb_clock(&b, 1, 200000, 200000, 1200000, CTRACE_CLOCK_SNAP_STOP);
	finish(&b, &res);

	EXPECT_EQ(5000, res.v.errors);
	for (char *l = res.log; l && *l; l = strchr(l, '\n') + 1) {
		uint64_t o = strtoull(l + strlen("offset "), NULL, 10);

		ordered &= o > prev_off;
		prev_off = o;
		lines++;
	}
	EXPECT_EQ(5000, lines);
	EXPECT_TRUE(ordered);
	done(&b, &res);
}

/*
 * A session that followed some processes misses other threads' switches
 * and wakeups: only the threads the trace shows are traced are checked,
 * and a CPU only while it runs one of them.
 */
TEST(filtered_session_checks_traced_threads_only)
{
	const uint32_t other = 300, another = 301;
	struct result res;
	struct tb b;

	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=pids:100\n"));
	/* ping is in the snapshot: traced. */
	tb_thread(&b, 0, 20, PING, PING, 0, CTRACE_STATE_SLEEPING,
		  CTRACE_THREAD_F_SNAPSHOT, "ping");
	/* Untraced threads come and go without their wakeups... */
	tb_switch(&b, 0, 100, 0, other, 0);
	tb_switch(&b, 0, 150, other, 0, S);
	tb_switch(&b, 0, 160, 0, other, 0);
	/* ...and their unrecorded switches leave the CPU unknown. */
	tb_switch(&b, 0, 200, another, PING, S);
	/* But ping, traced, may not run again without being woken. */
	tb_switch(&b, 0, 300, PING, other, S);
	tb_switch(&b, 0, 400, other, PING, S);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors) TH_LOG("%s", res.log);
	EXPECT_NE(NULL, strstr(res.v.first_error,
			       "switch: next ping:100 is waiting and was not woken"));
	EXPECT_EQ(6, res.v.switches);
	done(&b, &res);

	/* A thread the trace never shows traced is never checked. */
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=command:x\n"));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors) TH_LOG("%s", res.log);
	done(&b, &res);

	/* A wakeup shows a thread is traced. */
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=command:x\n"));
	tb_wakeup(&b, 0, 50, PING, 0, 0);
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors) TH_LOG("%s", res.log);
	done(&b, &res);
}

/* Threads move in and out of a cgroup: its sessions are not checked. */
TEST(cgroup_session_skips_scheduler_checks)
{
	struct result res;
	struct tb b;

	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=cgroup:/sys/fs/cgroup/x\n"));
	tb_thread(&b, 0, 20, PING, PING, 0, CTRACE_STATE_SLEEPING,
		  CTRACE_THREAD_F_SNAPSHOT, "ping");
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_EQ(3, res.v.switches);
	done(&b, &res);
}

/* Without wakeups in the trace, a sleeper may run again unannounced. */
TEST(switches_only_session)
{
	struct result res;
	struct tb b;

	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nevents=0x1\n"));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	/* The other checks still apply. */
	tb_switch(&b, 1, 400, 0, PING, 0);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors);
	EXPECT_NE(NULL, strstr(res.v.first_error, "is already running on cpu 0"));
	done(&b, &res);

	/* With wakeups recorded, the same is caught. */
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nevents=0x3\n"));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors);
	done(&b, &res);
}

TEST(sequence_gap_between_chunks)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_flush(&b, 0);
	/* Five events vanish between the chunks (a dumper bug). */
	tb_ring(&b, 0)->chunk_seq += 5;
	tb_ring(&b, 0)->seq += 5;
	/* What they hid is not reported: states restart unknown. */
	tb_switch(&b, 0, 300, 0, PING, 0);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 0 seq 9: chunk 2 starts at seq 9, expected 4 (5 events missing)",
		 (unsigned long long)off(&b, 0, 9) - 80);
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

TEST(time_backwards_between_chunks)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 200, 0, PING, 0);
	tb_flush(&b, 0);
	tb_ring(&b, 0)->chunk_ts = 150;
	tb_ring(&b, 0)->ts = 150;
	tb_wakeup(&b, 0, 160, PONG, PING, 0);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 0 seq 3: chunk 2 starts at ts 150, before the ring's last ts 200",
		 (unsigned long long)off(&b, 0, 3) - 80);
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

TEST(missing_beginning_is_a_warning)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\n");
	tb_ring(&b, 3)->chunk_seq = tb_ring(&b, 3)->seq = 40;
	tb_switch(&b, 3, 100, 0, PING, 0);
	finish(&b, &res);

	EXPECT_EQ(0, res.rc);
	EXPECT_EQ(0, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 3 seq 40: warning: the ring's first 40 events are missing\n",
		 (unsigned long long)off(&b, 3, 40) - 80 - 16);
	EXPECT_STREQ(want, res.log);
	done(&b, &res);
}

TEST(stats_must_agree)
{
	struct ctrace_ring_stats s[2] = {
		/* one event more recorded than read */
		{ .ring = 0, .kind = CTRACE_RING_KERNEL, .events = 4,
		  .events_read = 3, .lost = 2, .lost_read = 2 },
		/* more lost reported than dropped */
		{ .ring = 1, .kind = CTRACE_RING_KERNEL, .events = 1,
		  .events_read = 1, .lost = 0, .lost_read = 1 },
	};
	unsigned char *p;
	struct result res;
	struct tb b;
	size_t len;
	uint64_t stats_off;
	char want[1024];

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\n");
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_lost(&b, 0, 150, 2);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, 103, 0);
	tb_lost(&b, 1, 100, 1);
	tb_switch(&b, 1, 120, 0, PONG, 0);
	tb_switch(&b, 2, 130, 0, KID, 0);	/* not in STATS */
	tb_flush_all(&b);
	stats_off = ctrace_writer_bytes(b.w);
	ASSERT_EQ(0, ctrace_writer_stats(b.w, s, 2));
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	validate_buf(p, len, &res);
	free(p);

	EXPECT_EQ(-EINVAL, res.rc);
	EXPECT_EQ(3, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 0: STATS say 4 events recorded and 3 read, the file holds 3\n"
		 "offset %llu: ring 1: STATS say 0 events lost and 1 reported, the file reports 1\n"
		 "offset %llu: ring 2: not in the STATS chunk\n",
		 (unsigned long long)stats_off, (unsigned long long)stats_off,
		 (unsigned long long)stats_off);
	EXPECT_STREQ(want, res.log);
	done(&b, &res);
}

TEST(corruption_is_a_violation)
{
	unsigned char *p;
	struct result res;
	struct tb b;
	size_t len;

	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_flush_all(&b);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_flush_all(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	ASSERT_NE(NULL, p);
	p[len - 32 - 8] ^= 1;	/* in the last RING chunk's records */
	validate_buf(p, len, &res);
	free(p);
	EXPECT_EQ(-EINVAL, res.rc);
	EXPECT_EQ(1, res.v.errors);
	EXPECT_NE(NULL, strstr(res.v.first_error, "CRC mismatch"));
	EXPECT_EQ(3, res.v.events);	/* two THREAD, one SWITCH */
	done(&b, &res);
}

/* ------------------------------------------------------------ user rings */

#define WORKER 12
#define OTHER 22
enum { RA = 1, RB, RC, REQ };

/* Ring set 0 (2 rings) with names, and a worker thread of process 10. */
static int ustart(struct tb *b, const char *meta)
{
	static const uint32_t ids[] = { RA, RB, RC, REQ };
	static const char *const strs[] = { "a", "b", "c", "request" };

	if (tb_open(b))
		return -1;
	tb_meta(b, meta ? meta : "clock=mono\n");
	tb_uset(b, 0, 1000, 2);
	tb_uset(b, 1, 1001, 1);
	tb_strings(b, 0, 4, ids, strs);
	tb_uthread(b, 0, 0, 10, WORKER, 10, "worker");
	return 0;
}

static uint64_t uoff(const struct tb *b, uint32_t set, uint32_t cpu, uint64_t seq)
{
	for (size_t i = 0; i < b->nr_evs; i++)
		if (b->evs[i].kind == CTRACE_RING_USER &&
		    b->evs[i].ring == (set << 16 | cpu) && b->evs[i].seq == seq)
			return b->evs[i].rec_pos;
	return ~0ull;
}

#define BEGIN CTRACE_UREC_REGION_BEGIN
#define END CTRACE_UREC_REGION_END

TEST(user_regions_and_tasks_legal)
{
	struct result res;
	struct tb b;

	ASSERT_EQ(0, ustart(&b, NULL));
	/* Ends of regions begun before the recording, before and after
	 * regions of its own. */
	tb_uregion(&b, 0, 0, 100, WORKER, END, RC, false, 0);
	tb_uregion(&b, 0, 0, 110, WORKER, BEGIN, RA, false, 0);
	tb_uregion(&b, 0, 1, 120, WORKER, BEGIN, RB, true, 7);	/* migrated */
	tb_uregion(&b, 0, 0, 130, WORKER, END, RB, true, 7);
	tb_uregion(&b, 0, 0, 140, WORKER, BEGIN, RB, true, 7);
	tb_uregion(&b, 0, 0, 150, WORKER, END, RB, false, 0);	/* no task: fine */
	tb_uregion(&b, 0, 0, 160, WORKER, END, RA, true, 9);	/* begun without one */
	tb_uregion(&b, 0, 0, 170, WORKER, END, RC, false, 0);
	/* Unnamed regions nest too. */
	tb_uregion(&b, 0, 0, 175, WORKER, BEGIN, 0, false, 0);
	tb_uregion(&b, 0, 0, 176, WORKER, END, 0, false, 0);
	/* Tasks: begun, ended, begun again; another process's task 7. */
	tb_utask_begin(&b, 0, 0, 180, WORKER, REQ, 7, 0);
	tb_uthread(&b, 0, 1, 185, OTHER, 20, "other");
	tb_utask_begin(&b, 0, 1, 186, OTHER, REQ, 7, 0);
	tb_u64(&b, 0, 1, 190, WORKER, CTRACE_UREC_TASK_END, 0, 7);
	tb_utask_begin(&b, 0, 0, 200, WORKER, REQ, 7, 0);
	/* Ends of tasks begun before: fine. */
	tb_u64(&b, 0, 0, 210, WORKER, CTRACE_UREC_TASK_END, 0, 99);
	/* A thread whose process is unknown: its tasks are not checked. */
	tb_utask_begin(&b, 0, 0, 220, 33, REQ, 5, 0);
	tb_utask_begin(&b, 0, 0, 230, 33, REQ, 5, 0);
	/* Everything else is only counted. */
	tb_ulog(&b, 0, 0, 240, WORKER, RA, 0, 0, "hi", 2);
	tb_u64(&b, 0, 0, 250, WORKER, CTRACE_UREC_COUNTER, RB, 3);
	tb_u64(&b, 0, 0, 260, WORKER, CTRACE_UREC_FLOW_BEGIN, RA, 3);
	tb_u64(&b, 0, 1, 270, OTHER, CTRACE_UREC_FLOW_END, 0, 3);
	tb_u64(&b, 0, 1, 280, OTHER, CTRACE_UREC_LOST, 0, 4);
	tb_ucorrupt(&b, 0, 1, 280, 48, CTRACE_CORRUPT_TYPE, 2);
	finish(&b, &res);

	EXPECT_EQ(0, res.rc);
	EXPECT_STREQ("", res.log);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_EQ(24, res.v.events);
	EXPECT_EQ(23, res.v.user_events);
	EXPECT_EQ(1, res.v.corrupt);
	EXPECT_EQ(48, res.v.corrupt_bytes);
	EXPECT_EQ(4, res.v.lost);
	EXPECT_EQ(0, res.v.switches);
	done(&b, &res);
}

TEST(user_region_end_must_close_the_innermost)
{
	struct result res;
	char want[1024];
	struct tb b;

	ASSERT_EQ(0, ustart(&b, NULL));
	tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
	tb_uregion(&b, 0, 0, 110, WORKER, BEGIN, RB, false, 0);
	tb_uregion(&b, 0, 0, 120, WORKER, END, RA, false, 0);	/* b is open */
	/* After it, a closed (both popped): a task mismatch next. */
	tb_uregion(&b, 0, 1, 130, WORKER, BEGIN, RC, true, 7);
	tb_uregion(&b, 0, 1, 140, WORKER, END, RC, true, 8);
	/* Closes nothing that is open: still a violation. */
	tb_uregion(&b, 0, 1, 150, WORKER, END, RB, false, 0);
	finish(&b, &res);

	EXPECT_EQ(-EINVAL, res.rc);
	EXPECT_EQ(3, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: user ring 0:0 seq 3: region end name=a on worker:12: the innermost open region is name=b (begun at offset %llu)\n"
		 "offset %llu: user ring 0:1 seq 1: region end name=c task=8 on worker:12: the innermost open region is name=c task=7 (begun at offset %llu)\n"
		 "offset %llu: user ring 0:1 seq 2: region end name=b on worker:12: the innermost open region is name=c task=7 (begun at offset %llu)\n",
		 (unsigned long long)uoff(&b, 0, 0, 3), (unsigned long long)uoff(&b, 0, 0, 2),
		 (unsigned long long)uoff(&b, 0, 1, 1), (unsigned long long)uoff(&b, 0, 1, 0),
		 (unsigned long long)uoff(&b, 0, 1, 2), (unsigned long long)uoff(&b, 0, 1, 0));
	EXPECT_STREQ(want, res.log);
	done(&b, &res);
}

TEST(user_task_begun_twice)
{
	struct result res;
	char want[512];
	struct tb b;

	ASSERT_EQ(0, ustart(&b, NULL));
	tb_utask_begin(&b, 0, 0, 100, WORKER, REQ, 7, 0);
	tb_utask_begin(&b, 0, 1, 110, WORKER, REQ, 7, 3);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: user ring 0:1 seq 0: task begin name=request id=7 on worker:12: task 7 of process 10 is open already (begun at offset %llu)",
		 (unsigned long long)uoff(&b, 0, 1, 0), (unsigned long long)uoff(&b, 0, 0, 1));
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);

	/* Its process died in between (kernel EXIT): a new one may reuse it. */
	ASSERT_EQ(0, ustart(&b, NULL));
	tb_utask_begin(&b, 0, 0, 100, WORKER, REQ, 7, 0);
	tb_exit(&b, 0, 105, WORKER, 10, CTRACE_EXIT_F_GROUP_DEAD);
	tb_uthread(&b, 0, 1, 106, WORKER, 10, "worker");
	tb_utask_begin(&b, 0, 1, 110, WORKER, REQ, 7, 3);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);
}

/*
 * The worker migrates: its END b at 115 on ring 0:1 is lost, which the
 * LOST record at 130 there says.  The mismatch seen at 120 on ring 0:0
 * is inside the loss's window: retracted.
 */
TEST(user_losses_retract_what_they_explain)
{
	struct result res;
	char want[512];
	struct tb b;

	ASSERT_EQ(0, ustart(&b, NULL));
	tb_u64(&b, 0, 1, 50, WORKER, CTRACE_UREC_COUNTER, RA, 1);
	tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
	tb_uregion(&b, 0, 0, 110, WORKER, BEGIN, RB, false, 0);
	tb_uregion(&b, 0, 0, 120, WORKER, END, RA, false, 0);
	tb_u64(&b, 0, 1, 130, WORKER, CTRACE_UREC_LOST, 0, 1);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);

	/* A CORRUPT record's window reaches to its ring's next record. */
	ASSERT_EQ(0, ustart(&b, NULL));
	tb_u64(&b, 0, 1, 50, WORKER, CTRACE_UREC_COUNTER, RA, 1);
	tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
	tb_ucorrupt(&b, 0, 1, 105, 24, CTRACE_CORRUPT_STRING, 1);
	tb_uregion(&b, 0, 0, 110, WORKER, BEGIN, RB, false, 0);
	tb_uregion(&b, 0, 0, 120, WORKER, END, RA, false, 0);
	tb_u64(&b, 0, 1, 130, WORKER, CTRACE_UREC_COUNTER, RA, 2);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);

	/* A CORRUPT record that ends its ring: its window never closes. */
	ASSERT_EQ(0, ustart(&b, NULL));
	tb_u64(&b, 0, 1, 50, WORKER, CTRACE_UREC_COUNTER, RA, 1);
	tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
	tb_ucorrupt(&b, 0, 1, 105, 24, CTRACE_CORRUPT_STRING, 1);
	tb_uregion(&b, 0, 0, 110, WORKER, BEGIN, RB, false, 0);
	tb_uregion(&b, 0, 0, 120, WORKER, END, RA, false, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);

	/*
	 * Controls: without the loss; with the CORRUPT's window (105, 108]
	 * over before b began (so no END b can hide in it; the reset at 108
	 * forgets a, but b's BEGIN comes after); with the loss in another
	 * ring set.  The mismatch stands.
	 */
	for (int k = 0; k < 3; k++) {
		ASSERT_EQ(0, ustart(&b, NULL));
		tb_u64(&b, 0, 1, 50, WORKER, CTRACE_UREC_COUNTER, RA, 1);
		tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
		if (k == 1) {
			tb_ucorrupt(&b, 0, 1, 105, 24, CTRACE_CORRUPT_STRING, 1);
			tb_u64(&b, 0, 1, 108, WORKER, CTRACE_UREC_COUNTER, RA, 2);
		}
		tb_uregion(&b, 0, 0, 110, WORKER, BEGIN, RB, false, 0);
		tb_uregion(&b, 0, 0, 120, WORKER, END, RA, false, 0);
		if (k == 2)
			tb_u64(&b, 1, 0, 130, 44, CTRACE_UREC_LOST, 0, 1);
		finish(&b, &res);
		EXPECT_EQ(1, res.v.errors) TH_LOG("control %d", k);
		snprintf(want, sizeof(want),
			 "offset %llu: user ring 0:0 seq 3: region end name=a on worker:12: the innermost open region is name=b (begun at offset %llu)",
			 (unsigned long long)uoff(&b, 0, 0, 3),
			 (unsigned long long)uoff(&b, 0, 0, 2));
		EXPECT_STREQ(want, res.v.first_error);
		done(&b, &res);
	}

	/* After a loss, the thread's regions are unknown: an END of one
	 * begun before the loss is not matched against them. */
	ASSERT_EQ(0, ustart(&b, NULL));
	tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
	tb_u64(&b, 0, 0, 105, WORKER, CTRACE_UREC_LOST, 0, 3);
	tb_uregion(&b, 0, 0, 120, WORKER, END, RB, false, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_EQ(3, res.v.lost);
	done(&b, &res);
}

/* A kernel EXIT ends the thread: a new one with its tid starts afresh. */
TEST(user_regions_end_with_their_thread)
{
	struct result res;
	struct tb b;

	for (int exit = 0; exit < 2; exit++) {
		ASSERT_EQ(0, ustart(&b, NULL));
		tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
		if (exit)
			tb_exit(&b, 0, 110, WORKER, 10, 0);
		tb_uregion(&b, 0, 0, 120, WORKER, END, RB, false, 0);
		finish(&b, &res);
		EXPECT_EQ(exit ? 0 : 1, res.v.errors);
		done(&b, &res);
	}
	/* So does a THREAD record of another process (a reused tid). */
	ASSERT_EQ(0, ustart(&b, NULL));
	tb_uregion(&b, 0, 0, 100, WORKER, BEGIN, RA, false, 0);
	tb_uthread(&b, 0, 0, 110, WORKER, 11, "new");
	tb_uregion(&b, 0, 0, 120, WORKER, END, RB, false, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	done(&b, &res);
}

TEST(user_ring_sequence_and_stats)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, ustart(&b, NULL));
	tb_uregion(&b, 0, 1, 100, WORKER, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_flush_all(&b);
	tb_uring(&b, 0, 1)->chunk_seq += 2;
	tb_uring(&b, 0, 1)->seq += 2;
	tb_uregion(&b, 0, 1, 200, WORKER, CTRACE_UREC_INSTANT, 0, false, 0);
	finish(&b, &res);

	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: user ring 0:1 seq 3: chunk %d starts at seq 3, expected 1 (2 events missing)",
		 (unsigned long long)uoff(&b, 0, 1, 3) - 80, 6);
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);

	/* A user ring's time going back between chunks is no violation. */
	ASSERT_EQ(0, ustart(&b, NULL));
	tb_uregion(&b, 0, 1, 200, WORKER, CTRACE_UREC_INSTANT, 0, false, 0);
	tb_flush_all(&b);
	tb_uregion(&b, 0, 1, 150, WORKER, CTRACE_UREC_INSTANT, 0, false, 0);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);
}

TEST(user_only_has_no_kernel_rings)
{
	struct result res;
	char want[256];
	struct tb b;

	ASSERT_EQ(0, ustart(&b, "clock=mono\nuser_only=1\n"));
	tb_dumper_clock(&b, 5, 5, 1000, CTRACE_CLOCK_SNAP_START);
	finish(&b, &res);
	EXPECT_EQ(0, res.v.errors);
	EXPECT_STREQ("", res.log);
	done(&b, &res);

	ASSERT_EQ(0, ustart(&b, "clock=mono\nuser_only=1\n"));
	tb_switch(&b, 2, 100, 0, PING, 0);
	finish(&b, &res);
	EXPECT_EQ(1, res.v.errors);
	snprintf(want, sizeof(want),
		 "offset %llu: ring 2: a kernel ring in a user-only trace (META user_only=1)",
		 (unsigned long long)off(&b, 2, 0) - 80 - 16);
	EXPECT_STREQ(want, res.v.first_error);
	done(&b, &res);
}

TEST_HARNESS_MAIN
