// SPDX-License-Identifier: GPL-2.0
/*
 * The Perfetto exporter on hand-made traces with known events: each
 * exported trace is read back with an independent protobuf reader
 * (perfetto_reader.h, which also checks sequence flags, interning and
 * slice nesting) and its fields compared with what the records said:
 *
 *   - the first packet is the first CLOCK record's ClockSnapshot; each
 *     CLOCK record gives one; SystemInfo carries the kernel release
 *   - ftrace events: times in BOOTTIME, prev_state in the kernel's own
 *     encoding for its version, wakers as common pid, clone flags, free
 *     at the dead switch, renames, hidden threads, bundles per CPU
 *   - threads named at their first event, grouped by the ProcessTree
 *   - user events: nested slices, tasks across threads, logs, counters,
 *     flows, an unmatched END never written, regions a loss ends
 *   - losses at their place; several files on one timeline by REALTIME
 *   - truncated and corrupt files export what they hold and fail
 *   - protoc decodes the output with our schema (SKIP without protoc)
 *
 * Traces use clock=mono, so a record's ns is its timestamp; CLOCK
 * records made by tb_clock() have boot = mono + 1000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "export.h"
#include "tracefile_builder.h"
#include "perfetto_reader.h"

#define PING 100
#define PONG 101
#define KID 102
#define S CTRACE_STATE_SLEEPING
#define D CTRACE_STATE_BLOCKED
#define T CTRACE_STATE_STOPPED
#define X CTRACE_STATE_DEAD
#define RA CTRACE_STATE_RUNNABLE
#define PREEMPTED (CTRACE_STATE_RUNNABLE | CTRACE_SWITCH_F_PREEMPT)
#define REAL0 1700000000000000000ull

#define META "clock=mono\ntarget=all\nkernel=6.1.0-13-amd64\nhost=box\nnr_cpus=2\n"

struct exported {
	unsigned char *out;
	size_t out_len;
	int rc;
	char err[4096];
	struct pr_trace pr;
	int decoded;
};

/* Export @n built files (each tb finished by the caller or here). */
static int export_files(unsigned char **files, size_t *lens, size_t n,
			struct exported *x)
{
	struct ctrace_trace *t[4] = { NULL };
	const char *names[4] = { "a.trace", "b.trace", "c.trace", "d.trace" };
	struct ctrace_export_opts o = { 0 };
	char err[256];
	FILE *e;

	memset(x, 0, sizeof(*x));
	for (size_t i = 0; i < n; i++)
		if (ctrace_trace_open_buffer(files[i], lens[i], &t[i], err, sizeof(err)))
			return -1;
	o.out = open_memstream((char **)&x->out, &x->out_len);
	e = fmemopen(x->err, sizeof(x->err) - 1, "w");
	o.err = e;
	x->rc = ctrace_export_perfetto(t, names, n, &o);
	fclose(o.out);
	fclose(e);
	for (size_t i = 0; i < n; i++)
		ctrace_trace_close(t[i]);
	x->decoded = pr_decode(x->out, x->out_len, &x->pr);
	if (!x->decoded && pr_slices(&x->pr))
		x->decoded = -1;
	return 0;
}

static unsigned char *finish(struct tb *b, size_t *len)
{
	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
	tb_free(b);
	return tb_finish(b, len);
}

static int export_one(struct tb *b, struct exported *x)
{
	size_t len;
	unsigned char *p = finish(b, &len);
	int r;

	if (!p)
		return -1;
	r = export_files(&p, &len, 1, x);
	free(p);
	return r;
}

static void done(struct exported *x)
{
	pr_free(&x->pr);
	free(x->out);
}

static void user_set(struct tb *b)
{
	static const uint32_t ids[] = { 1, 2, 3, 4, 5, 6 };
	static const char *const strs[] = { "outer", "inner", "job", "cat",
					    "depth", "handoff" };

	tb_uset(b, 0, 1000, 2);
	tb_strings(b, 0, 6, ids, strs);
}

/* ------------------------------------------------------------ header */

TEST(clock_snapshot_first)
{
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, META);
	tb_clock(&b, 0, 100, 100, REAL0, CTRACE_CLOCK_SNAP_START);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_clock(&b, 1, 300, 300, REAL0 + 200, CTRACE_CLOCK_SNAP_PERIODIC);
	ASSERT_EQ(0, export_one(&b, &x));
	EXPECT_EQ(0, x.rc);
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	/* The first packet is a clock snapshot, and the trace's clock. */
	EXPECT_TRUE(x.pr.first_is_clock);
	ASSERT_EQ(2, x.pr.nr_clocks);
	EXPECT_TRUE(x.pr.clocks[0].primary);
	EXPECT_EQ(1100, x.pr.clocks[0].boot);
	EXPECT_EQ(100, x.pr.clocks[0].mono);
	EXPECT_EQ(REAL0, x.pr.clocks[0].real);
	EXPECT_EQ(1300, x.pr.clocks[1].boot);
	EXPECT_FALSE(x.pr.clocks[1].primary);
	EXPECT_STREQ("Linux", x.pr.sysname);
	EXPECT_STREQ("6.1.0-13-amd64", x.pr.release);
	/* The switch in BOOTTIME: mono + (boot - mono). */
	ASSERT_NE(NULL, pr_fev(&x.pr, PR_FT_SWITCH, 0));
	EXPECT_EQ(1200, pr_fev(&x.pr, PR_FT_SWITCH, 0)->ts);
	done(&x);
}

/* Without a CLOCK record, BOOTTIME is MONOTONIC and it says so. */
TEST(no_clock_record)
{
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\ntarget=all\nstart_realtime_ns=1700000000000000000\n");
	tb_switch(&b, 0, 500, PING, 0, S);
	ASSERT_EQ(0, export_one(&b, &x));
	EXPECT_EQ(0, x.rc);
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	ASSERT_EQ(1, x.pr.nr_clocks);
	EXPECT_EQ(500, x.pr.clocks[0].boot);
	EXPECT_EQ(500, x.pr.clocks[0].mono);
	EXPECT_EQ(REAL0, x.pr.clocks[0].real);
	EXPECT_EQ(500, pr_fev(&x.pr, PR_FT_SWITCH, 0)->ts);
	/* No release, so Perfetto assumes 4.4: nothing to mislead it. */
	EXPECT_STREQ("", x.pr.release);
	done(&x);
}

/* ------------------------------------------------------------ scheduler */

TEST(sched_events)
{
	const struct pr_fev *e;
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, META);
	tb_clock(&b, 0, 100, 100, REAL0, CTRACE_CLOCK_SNAP_START);
	tb_thread(&b, 0, 110, PING, PING, 0, CTRACE_STATE_RUNNING,
		  CTRACE_THREAD_F_SNAPSHOT, "ping");
	tb_thread(&b, 0, 110, PONG, PING, 1, S, CTRACE_THREAD_F_SNAPSHOT, "pong");
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_wakeup(&b, 1, 210, PONG, 0, 1 | CTRACE_WAKEUP_F_IRQ);
	tb_switch(&b, 1, 220, 0, PONG, RA);
	tb_wakeup(&b, 1, 230, PING, PONG, 0);
	tb_switch(&b, 1, 240, PONG, PING, PREEMPTED);
	tb_fork(&b, 1, 250, PING, KID, PING, "ping", CTRACE_FORK_F_THREAD);
	tb_wakeup(&b, 1, 260, KID, PING, 0 | CTRACE_WAKEUP_F_NEW);
	tb_switch(&b, 1, 270, PING, KID, RA);
	tb_rename(&b, 1, 280, KID, PING, "kid");
	tb_switch(&b, 1, 290, KID, PING, D);
	tb_switch(&b, 1, 300, PING, CTRACE_TID_HIDDEN, T);
	tb_switch(&b, 1, 310, CTRACE_TID_HIDDEN, PING, RA);
	tb_exit(&b, 1, 320, PING, PING, 0);
	tb_switch(&b, 1, 330, PING, 0, X);
	ASSERT_EQ(0, export_one(&b, &x));
	EXPECT_EQ(0, x.rc) TH_LOG("%s", x.err);
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);

	EXPECT_EQ(8, pr_count_fev(&x.pr, PR_FT_SWITCH));
	EXPECT_EQ(2, pr_count_fev(&x.pr, PR_FT_WAKING));
	EXPECT_EQ(1, pr_count_fev(&x.pr, PR_FT_WAKEUP_NEW));
	EXPECT_EQ(1, pr_count_fev(&x.pr, PR_FT_NEWTASK));
	EXPECT_EQ(1, pr_count_fev(&x.pr, PR_FT_RENAME));
	EXPECT_EQ(1, pr_count_fev(&x.pr, PR_FT_EXIT));
	EXPECT_EQ(1, pr_count_fev(&x.pr, PR_FT_FREE));

	e = pr_fev(&x.pr, PR_FT_SWITCH, 0);
	EXPECT_EQ(0, e->cpu);
	EXPECT_EQ(1200, e->ts);
	EXPECT_EQ(PING, e->common_pid);
	EXPECT_EQ(PING, e->pid);
	EXPECT_STREQ("ping", e->comm);
	EXPECT_EQ(1, e->prev_state);		/* S */
	EXPECT_EQ(0, e->pid2);
	EXPECT_STREQ("swapper/0", e->comm2);

	/* An interrupt woke pong: the waker is the interrupted idle task. */
	e = pr_fev(&x.pr, PR_FT_WAKING, 0);
	EXPECT_EQ(1, e->cpu);
	EXPECT_EQ(0, e->common_pid);
	EXPECT_EQ(0x08, e->common_flags);
	EXPECT_EQ(PONG, e->pid);
	EXPECT_STREQ("pong", e->comm);
	EXPECT_EQ(1, e->target_cpu);
	e = pr_fev(&x.pr, PR_FT_WAKING, 1);
	EXPECT_EQ(PONG, e->common_pid);
	EXPECT_EQ(0, e->common_flags);

	EXPECT_EQ(0, pr_fev(&x.pr, PR_FT_SWITCH, 1)->prev_state);	/* swapper: R */
	EXPECT_EQ(0x100, pr_fev(&x.pr, PR_FT_SWITCH, 2)->prev_state);	/* R+ on 6.1 */
	EXPECT_EQ(0, pr_fev(&x.pr, PR_FT_SWITCH, 3)->prev_state);	/* yield: R */
	EXPECT_EQ(2, pr_fev(&x.pr, PR_FT_SWITCH, 4)->prev_state);	/* D */
	EXPECT_EQ(4, pr_fev(&x.pr, PR_FT_SWITCH, 5)->prev_state);	/* T */
	EXPECT_EQ(0x10, pr_fev(&x.pr, PR_FT_SWITCH, 7)->prev_state);	/* X */

	/* A thread of ping's process: CLONE_THREAD, the parent as common pid. */
	e = pr_fev(&x.pr, PR_FT_NEWTASK, 0);
	EXPECT_EQ(PING, e->common_pid);
	EXPECT_EQ(KID, e->pid);
	EXPECT_EQ(0x00010000, e->clone_flags);
	EXPECT_STREQ("ping", e->comm);
	e = pr_fev(&x.pr, PR_FT_WAKEUP_NEW, 0);
	EXPECT_EQ(KID, e->pid);
	EXPECT_EQ(PING, e->common_pid);
	e = pr_fev(&x.pr, PR_FT_RENAME, 0);
	EXPECT_EQ(KID, e->pid);
	EXPECT_STREQ("ping", e->comm);
	EXPECT_STREQ("kid", e->comm2);
	/* After the rename the switches say "kid". */
	EXPECT_STREQ("kid", pr_fev(&x.pr, PR_FT_SWITCH, 4)->comm);

	/* Hidden threads: one made-up thread per CPU, above any pid. */
	EXPECT_EQ(0x7fff0001, pr_fev(&x.pr, PR_FT_SWITCH, 5)->pid2);
	EXPECT_STREQ("<hidden>", pr_fev(&x.pr, PR_FT_SWITCH, 5)->comm2);
	EXPECT_EQ(0x7fff0001, pr_fev(&x.pr, PR_FT_SWITCH, 6)->pid);

	/* Exit at EXIT; free at the dead switch, after it, on its CPU. */
	e = pr_fev(&x.pr, PR_FT_EXIT, 0);
	EXPECT_EQ(PING, e->pid);
	EXPECT_EQ(1320, e->ts);
	e = pr_fev(&x.pr, PR_FT_FREE, 0);
	EXPECT_EQ(PING, e->pid);
	EXPECT_EQ(1330, e->ts);
	EXPECT_EQ(1, e->cpu);
	EXPECT_TRUE(e > pr_fev(&x.pr, PR_FT_SWITCH, 7));
	EXPECT_EQ(0, x.pr.lost_bundles);
	done(&x);
}

/* prev_state as each kernel version encodes a preempted task. */
FIXTURE(version) {};
FIXTURE_VARIANT(version) {
	const char *meta;
	int64_t preempted;
};
FIXTURE_VARIANT_ADD(version, v6_12) { "clock=mono\nkernel=6.12.10\n", 0x100 };
FIXTURE_VARIANT_ADD(version, v4_14) { "clock=mono\nkernel=4.14.0\n", 0x100 };
FIXTURE_VARIANT_ADD(version, v4_9) { "clock=mono\nkernel=4.9.337\n", 0x1000 };
FIXTURE_VARIANT_ADD(version, v4_4) { "clock=mono\nkernel=4.4.0\n", 0x800 };
/* Perfetto assumes 4.4 when it cannot read a version: so do we. */
FIXTURE_VARIANT_ADD(version, none) { "clock=mono\n", 0x800 };
FIXTURE_SETUP(version) {}
FIXTURE_TEARDOWN(version) {}

TEST_F(version, preempted_state)
{
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, variant->meta);
	tb_switch(&b, 0, 200, PING, PONG, PREEMPTED);
	tb_switch(&b, 0, 300, PONG, PING, S);
	ASSERT_EQ(0, export_one(&b, &x));
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	EXPECT_EQ(variant->preempted, pr_fev(&x.pr, PR_FT_SWITCH, 0)->prev_state);
	EXPECT_EQ(1, pr_fev(&x.pr, PR_FT_SWITCH, 1)->prev_state);
	done(&x);
}

/* Named at the first event, although the THREAD record comes later. */
TEST(named_from_the_start)
{
	const struct pr_tree *th = NULL, *pr = NULL;
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, META);
	tb_switch(&b, 0, 200, 0, 42, RA);
	tb_thread(&b, 0, 210, 42, 40, 0, CTRACE_STATE_UNKNOWN, 0, "late");
	tb_thread(&b, 0, 210, 40, 40, 0, CTRACE_STATE_UNKNOWN, 0, "leader");
	tb_fork(&b, 0, 220, 42, 43, 43, "late", 0);
	ASSERT_EQ(0, export_one(&b, &x));
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	EXPECT_STREQ("late", pr_fev(&x.pr, PR_FT_SWITCH, 0)->comm2);
	for (size_t i = 0; i < x.pr.nr_tree; i++) {
		if (!x.pr.tree[i].process && x.pr.tree[i].pid == 42)
			th = &x.pr.tree[i];
		if (x.pr.tree[i].process && x.pr.tree[i].pid == 40)
			pr = &x.pr.tree[i];
		/* Born in the trace: task_newtask tells, not the tree. */
		EXPECT_NE(43, x.pr.tree[i].pid);
	}
	ASSERT_NE(NULL, th);
	EXPECT_EQ(40, th->tgid);
	EXPECT_STREQ("late", th->name);
	ASSERT_NE(NULL, pr);
	EXPECT_STREQ("leader", pr->name);
	/* A new process: no CLONE_THREAD. */
	EXPECT_EQ(0, pr_fev(&x.pr, PR_FT_NEWTASK, 0)->clone_flags);
	done(&x);
}

/* ------------------------------------------------------------ losses */

TEST(losses_at_their_place)
{
	const struct pr_track *k;
	const struct pr_te *e;
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, META);
	tb_switch(&b, 0, 100, PING, 0, S);
	tb_switch(&b, 1, 110, PONG, 0, S);
	tb_lost(&b, 1, 150, 7);
	tb_switch(&b, 1, 160, 0, PONG, RA);
	tb_switch(&b, 0, 170, 0, PING, RA);
	tb_flush_all(&b);
	/* A gap in CPU 0's sequence that no LOST record explains. */
	tb_ring(&b, 0)->chunk_seq += 3;
	tb_ring(&b, 0)->seq += 3;
	tb_switch(&b, 0, 300, PING, 0, S);
	ASSERT_EQ(0, export_one(&b, &x));
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	EXPECT_EQ(5, pr_count_fev(&x.pr, PR_FT_SWITCH));
	/* The bundles after each loss say so, and only they. */
	EXPECT_EQ(2, x.pr.lost_bundles);
	for (size_t i = 0; i < x.pr.nr_fevs; i++) {
		const struct pr_fev *f = &x.pr.fevs[i];
		bool after = (f->cpu == 1 && f->ts >= 160) || (f->cpu == 0 && f->ts >= 300);

		EXPECT_EQ(after, f->lost_bundle) TH_LOG("cpu %u ts %llu", f->cpu,
							(unsigned long long)f->ts);
	}
	k = pr_track_of(&x.pr, 0, "ctrace: losses, cpu 1");
	ASSERT_NE(NULL, k);
	e = pr_te_named(&x.pr, "lost 7 events", 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(k->uuid, e->track);
	EXPECT_EQ(3, e->type);
	EXPECT_EQ(150, e->ts);
	EXPECT_EQ(7, e->count);
	k = pr_track_of(&x.pr, 0, "ctrace: losses, cpu 0");
	ASSERT_NE(NULL, k);
	e = pr_te_named(&x.pr, "events missing (sequence gap)", 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(k->uuid, e->track);
	EXPECT_EQ(300, e->ts);
	done(&x);
}

/* ------------------------------------------------------------ user events */

TEST(user_events)
{
	const struct pr_slice *outer, *inner, *job, *work;
	const struct pr_track *mt, *wt, *k;
	const struct pr_te *e, *fb, *fe, *fe2;
	size_t counters = 0;
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, META);
	user_set(&b);
	tb_clock(&b, 0, 100, 100, REAL0, CTRACE_CLOCK_SNAP_START);
	tb_thread(&b, 0, 110, PING, PING, 0, CTRACE_STATE_RUNNING,
		  CTRACE_THREAD_F_SNAPSHOT, "main");
	tb_uthread(&b, 0, 0, 120, PING, PING, "main");
	tb_utask_begin(&b, 0, 0, 130, PING, 3, 77, 0);
	tb_uregion(&b, 0, 0, 140, PING, CTRACE_UREC_REGION_BEGIN, 1, true, 77);
	tb_ulog(&b, 0, 0, 150, PING, 4, 77, 0, "hello", 5);
	tb_uregion(&b, 0, 0, 160, PING, CTRACE_UREC_REGION_BEGIN, 2, false, 0);
	tb_u64(&b, 0, 0, 170, PING, CTRACE_UREC_COUNTER, 5, 2);
	tb_ucounter_f(&b, 0, 0, 175, PING, 5, 0.5);
	tb_uregion(&b, 0, 0, 180, PING, CTRACE_UREC_REGION_END, 2, false, 0);
	tb_uregion(&b, 0, 0, 190, PING, CTRACE_UREC_REGION_END, 1, true, 77);
	tb_u64(&b, 0, 0, 200, PING, CTRACE_UREC_FLOW_BEGIN, 6, 9);
	tb_fork(&b, 0, 205, PING, PONG, PING, "main", CTRACE_FORK_F_THREAD);
	tb_uthread(&b, 0, 1, 210, PONG, PING, "worker");
	/* The END of a region begun before the trace: no slice END. */
	tb_uregion(&b, 0, 1, 215, PONG, CTRACE_UREC_REGION_END, 2, false, 0);
	tb_uregion(&b, 0, 1, 220, PONG, CTRACE_UREC_REGION_BEGIN, 1, true, 77);
	tb_uregion(&b, 0, 1, 230, PONG, CTRACE_UREC_INSTANT, 2, true, 77);
	tb_u64(&b, 0, 1, 240, PONG, CTRACE_UREC_FLOW_END, 0, 9);
	tb_uregion(&b, 0, 1, 250, PONG, CTRACE_UREC_REGION_END, 1, true, 77);
	tb_u64(&b, 0, 1, 260, PONG, CTRACE_UREC_TASK_END, 0, 77);
	/* Open when the trace ends: left open. */
	tb_uregion(&b, 0, 1, 270, PONG, CTRACE_UREC_REGION_BEGIN, 2, false, 0);
	ASSERT_EQ(0, export_one(&b, &x));
	EXPECT_EQ(0, x.rc) TH_LOG("%s", x.err);
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);

	mt = pr_track_of(&x.pr, PING, NULL);
	wt = pr_track_of(&x.pr, PONG, NULL);
	ASSERT_NE(NULL, mt);
	ASSERT_NE(NULL, wt);
	EXPECT_EQ(PING, mt->pid);
	EXPECT_EQ(PING, wt->pid);
	EXPECT_STREQ("worker", wt->name);
	/* Every TrackEvent on CLOCK_MONOTONIC, at the record's time. */
	for (size_t i = 0; i < x.pr.nr_tes; i++)
		EXPECT_EQ(3, x.pr.tes[i].clock);

	/* Regions nest on the main thread's track. */
	outer = pr_slice_named(&x.pr, "outer");
	inner = pr_slice_named(&x.pr, "inner");
	ASSERT_NE(NULL, outer);
	ASSERT_NE(NULL, inner);
	EXPECT_EQ(mt->uuid, outer->track);
	EXPECT_EQ(mt->uuid, inner->track);
	EXPECT_EQ(140, outer->begin);
	EXPECT_EQ(190, outer->end);
	EXPECT_EQ(160, inner->begin);
	EXPECT_EQ(180, inner->end);
	EXPECT_EQ(1, outer->depth);
	EXPECT_EQ(2, inner->depth);
	EXPECT_TRUE(outer->has_task && outer->task == 77);

	/* The task: one slice on its own track, under the process. */
	job = pr_slice_named(&x.pr, "job");
	ASSERT_NE(NULL, job);
	EXPECT_EQ(130, job->begin);
	EXPECT_EQ(260, job->end);
	k = pr_track(&x.pr, job->track);
	ASSERT_NE(NULL, k);
	EXPECT_STREQ("job", k->name);
	ASSERT_NE(NULL, pr_track(&x.pr, k->parent));
	EXPECT_EQ(PR_TRACK_PROCESS, pr_track(&x.pr, k->parent)->kind);
	EXPECT_EQ(PING, pr_track(&x.pr, k->parent)->pid);

	/* The worker's region in the task, and the one left open. */
	work = pr_slice_named(&x.pr, "outer");
	for (size_t i = 0; i < x.pr.nr_slices; i++)
		if (x.pr.slices[i].track == wt->uuid && !strcmp(x.pr.slices[i].name, "outer"))
			work = &x.pr.slices[i];
	EXPECT_EQ(wt->uuid, work->track);
	EXPECT_EQ(220, work->begin);
	EXPECT_EQ(250, work->end);
	EXPECT_EQ(5, x.pr.nr_slices);	/* job; outer, inner; outer, inner (open) */
	for (size_t i = 0; i < x.pr.nr_slices; i++)
		if (x.pr.slices[i].begin == 270) {
			EXPECT_EQ(UINT64_MAX, x.pr.slices[i].end);
		}
	/* The unmatched END is a mark, not an END. */
	e = pr_te_named(&x.pr, "inner", 1);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(3, e->type);
	EXPECT_EQ(215, e->ts);

	/* The log: category and message. */
	e = pr_te_named(&x.pr, "cat", 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(3, e->type);
	EXPECT_STREQ("cat", e->category);
	EXPECT_STREQ("hello", e->message);
	EXPECT_EQ(mt->uuid, e->track);

	/* Counters, integer and floating point, on their own tracks. */
	for (size_t i = 0; i < x.pr.nr_tes; i++) {
		e = &x.pr.tes[i];
		if (e->type != 4)
			continue;
		counters++;
		k = pr_track(&x.pr, e->track);
		ASSERT_NE(NULL, k);
		EXPECT_EQ(PR_TRACK_COUNTER, k->kind);
		EXPECT_STREQ("depth", k->name);
		if (e->has_int) {
			EXPECT_EQ(2, e->ivalue);
		} else {
			EXPECT_TRUE(e->has_double && e->dvalue == 0.5);
		}
	}
	EXPECT_EQ(2, counters);

	/* The flow: from the main thread to the worker, one id, one flow. */
	fb = pr_flow(&x.pr, 0, &fe);
	ASSERT_NE(NULL, fb);
	ASSERT_NE(NULL, fe);
	EXPECT_EQ(NULL, pr_flow(&x.pr, 1, &fe2));
	EXPECT_EQ(mt->uuid, fb->track);
	EXPECT_EQ(wt->uuid, fe->track);
	EXPECT_STREQ("handoff", fb->name);
	EXPECT_EQ(200, fb->ts);
	EXPECT_EQ(240, fe->ts);
	done(&x);
}

/* A loss ends open regions where it began; nesting survives. */
TEST(loss_ends_regions)
{
	const struct pr_slice *outer, *inner;
	struct exported x;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, "clock=mono\ntarget=all\nuser_only=1\n");
	user_set(&b);
	tb_uthread(&b, 0, 0, 90, PING, PING, "ping");
	tb_uregion(&b, 0, 0, 100, PING, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	/* on another ring of the set, after the loss's window began */
	tb_uregion(&b, 0, 1, 150, PING, CTRACE_UREC_REGION_BEGIN, 2, false, 0);
	tb_u64(&b, 0, 0, 300, 0, CTRACE_UREC_LOST, 0, 4);
	tb_ucorrupt(&b, 0, 0, 310, 64, CTRACE_CORRUPT_STRING, 2);
	tb_uregion(&b, 0, 0, 400, PING, CTRACE_UREC_REGION_END, 1, false, 0);
	tb_uregion(&b, 0, 0, 410, PING, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	tb_uregion(&b, 0, 0, 420, PING, CTRACE_UREC_REGION_END, 1, false, 0);
	ASSERT_EQ(0, export_one(&b, &x));
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	ASSERT_EQ(3, x.pr.nr_slices);
	outer = &x.pr.slices[0];
	inner = &x.pr.slices[1];
	EXPECT_STREQ("outer", outer->name);
	EXPECT_STREQ("lost", outer->end_reason);
	EXPECT_STREQ("lost", inner->end_reason);
	/* Ended at the loss's start (100), raised to what the track shows. */
	EXPECT_EQ(150, inner->end);
	EXPECT_EQ(150, outer->end);
	EXPECT_EQ(410, x.pr.slices[2].begin);
	EXPECT_EQ(420, x.pr.slices[2].end);
	EXPECT_STREQ("", x.pr.slices[2].end_reason);
	EXPECT_NE(NULL, pr_te_named(&x.pr, "lost 4 events", 0));
	EXPECT_NE(NULL, pr_te_named(&x.pr, "corrupt records (64 bytes)", 0));
	EXPECT_NE(NULL, pr_te_named(&x.pr, "end of corrupt records", 0));
	EXPECT_NE(NULL, pr_track_of(&x.pr, 0, "ctrace: losses, user ring 0:0"));
	done(&x);
}

/* ------------------------------------------------------------ several files */

static unsigned char *host(uint64_t mono, uint64_t real, uint64_t event_ns,
			   uint32_t tid, size_t *len)
{
	struct tb b;

	if (tb_open(&b))
		return NULL;
	tb_meta(&b, META);
	tb_clock(&b, 0, mono, mono, real, CTRACE_CLOCK_SNAP_START);
	tb_switch(&b, 0, event_ns, tid, 0, S);
	return finish(&b, len);
}

FIXTURE(hosts) {};
FIXTURE_VARIANT(hosts) {
	uint64_t mono0, real0, mono1, real1;
};
/* Host b's clock at 100 is REALTIME 3000 ns after host a's at 1000. */
FIXTURE_VARIANT_ADD(hosts, later) { 1000, REAL0, 100, REAL0 + 3000 - 1000 + 1000 };
/* Host b booted a day after host a: it would start before 0. */
FIXTURE_VARIANT_ADD(hosts, booted_later) { 1000, REAL0, 100, REAL0 + 86400000000000ull };
FIXTURE_SETUP(hosts) {}
FIXTURE_TEARDOWN(hosts) {}

TEST_F(hosts, one_timeline)
{
	unsigned char *p[2];
	size_t len[2];
	struct exported x;
	const struct pr_fev *a = NULL, *b = NULL;
	int64_t want;

	/* Each host's event 5000 ns after its clock snapshot. */
	p[0] = host(variant->mono0, variant->real0, variant->mono0 + 5000, PING, &len[0]);
	p[1] = host(variant->mono1, variant->real1, variant->mono1 + 5000, PONG, &len[1]);
	ASSERT_NE(NULL, p[0]);
	ASSERT_NE(NULL, p[1]);
	ASSERT_EQ(0, export_files(p, len, 2, &x));
	EXPECT_EQ(0, x.rc) TH_LOG("%s", x.err);
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	EXPECT_EQ(1, x.pr.max_machine);
	for (size_t i = 0; i < x.pr.nr_fevs; i++) {
		if (x.pr.fevs[i].machine == 0)
			a = &x.pr.fevs[i];
		else
			b = &x.pr.fevs[i];
	}
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(PING, a->pid);
	EXPECT_EQ(PONG, b->pid);
	/* Trace time apart by what REALTIME says apart. */
	want = (int64_t)(variant->real1 - variant->real0);
	EXPECT_EQ(want, (int64_t)(b->ts - a->ts));
	/* Each machine's snapshots say the same of it. */
	ASSERT_EQ(2, x.pr.nr_clocks);
	EXPECT_EQ(x.pr.clocks[1].real - x.pr.clocks[0].real,
		  x.pr.clocks[1].boot - x.pr.clocks[0].boot);
	EXPECT_NE(NULL, strstr(x.err, "b.trace: machine 1"));
	done(&x);
	free(p[0]);
	free(p[1]);
}

/* ------------------------------------------------------------ broken files */

FIXTURE(broken) {};
FIXTURE_VARIANT(broken) {
	bool corrupt;	/* else truncated */
};
FIXTURE_VARIANT_ADD(broken, truncated) { false };
FIXTURE_VARIANT_ADD(broken, corrupt) { true };
FIXTURE_SETUP(broken) {}
FIXTURE_TEARDOWN(broken) {}

TEST_F(broken, exports_what_it_holds)
{
	struct exported x;
	unsigned char *p;
	size_t len;
	struct tb b;

	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, META);
	tb_switch(&b, 0, 100, PING, 0, S);
	tb_switch(&b, 0, 110, 0, PING, RA);
	tb_flush_all(&b);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_flush_all(&b);
	p = finish(&b, &len);
	ASSERT_NE(NULL, p);
	/* The last RING chunk (32 + 48 + 16 bytes) comes before STATS (88)
	 * and END (32): break a byte of its record, or cut it short. */
	if (variant->corrupt)
		p[len - 120 - 8] ^= 0x40;
	else
		len -= 120 + 50;
	ASSERT_EQ(0, export_files(&p, &len, 1, &x));
	EXPECT_EQ(-EBADMSG, x.rc);
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	EXPECT_EQ(2, pr_count_fev(&x.pr, PR_FT_SWITCH));
	EXPECT_NE(NULL, pr_te_named(&x.pr, "trace file problem", 0));
	EXPECT_NE(NULL, strstr(x.err, "a.trace: "));
	done(&x);
	free(p);
}

/* ------------------------------------------------------------ protoc */

/* protoc decodes the output with our schema, and knows every field. */
TEST(protoc_decodes)
{
	char dir[4096], cmd[8192], tmp[] = "/tmp/ctrace-pf-XXXXXX", line[512];
	const char *slash = strrchr(__FILE__, '/');
	struct exported x;
	unsigned int unknown = 0, lines = 0;
	struct tb b;
	FILE *f;
	int fd;

	if (system("command -v protoc > /dev/null 2>&1"))
		SKIP(return, "no protoc (Debian's protobuf-compiler)");
	snprintf(dir, sizeof(dir), "%.*s/../export", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".");
	snprintf(cmd, sizeof(cmd), "%s/ctrace_perfetto.proto", dir);
	if (access(cmd, R_OK))
		SKIP(return, "tests/export/ctrace_perfetto.proto not found from here");
	ASSERT_EQ(0, tb_open(&b));
	tb_meta(&b, META);
	user_set(&b);
	tb_clock(&b, 0, 100, 100, REAL0, CTRACE_CLOCK_SNAP_START);
	tb_thread(&b, 0, 110, PING, PING, 0, CTRACE_STATE_RUNNING,
		  CTRACE_THREAD_F_SNAPSHOT, "m\xc3\xa4in\xff");
	tb_switch(&b, 0, 120, PING, 0, S);
	tb_wakeup(&b, 1, 130, PING, 0, CTRACE_WAKEUP_F_IRQ);
	tb_uregion(&b, 0, 0, 140, PING, CTRACE_UREC_REGION_BEGIN, 1, true, 7);
	tb_ulog(&b, 0, 0, 150, PING, 4, 7, 0, "bad \xc0 utf-8", 11);
	tb_u64(&b, 0, 0, 160, PING, CTRACE_UREC_COUNTER, 5, (uint64_t)-3);
	tb_u64(&b, 0, 0, 170, PING, CTRACE_UREC_FLOW_BEGIN, 6, 1);
	tb_uregion(&b, 0, 0, 180, PING, CTRACE_UREC_REGION_END, 1, true, 7);
	tb_lost(&b, 1, 190, 3);
	ASSERT_EQ(0, export_one(&b, &x));
	ASSERT_EQ(0, x.decoded) TH_LOG("%s", x.pr.error);
	fd = mkstemp(tmp);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)x.out_len, write(fd, x.out, x.out_len));
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "protoc --proto_path=%s --decode=perfetto.protos.Trace ctrace_perfetto.proto < %s 2>&1",
		 dir, tmp);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		const char *s = line + strspn(line, " ");

		lines++;
		/* protoc prints fields the schema lacks by number. */
		if (*s >= '0' && *s <= '9')
			unknown++;
		if (strstr(line, "libprotobuf") || strstr(line, "Failed"))
			unknown++;
	}
	EXPECT_EQ(0, pclose(f));
	EXPECT_EQ(0, unknown);
	EXPECT_LT(50, lines);
	unlink(tmp);
	done(&x);
}

TEST_HARNESS_MAIN
