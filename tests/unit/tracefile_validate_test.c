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

TEST_HARNESS_MAIN
