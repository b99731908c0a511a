// SPDX-License-Identifier: GPL-2.0
/*
 * The report (tools/analysis/report.c) on hand-made traces with exact
 * answers: per-thread state times and switch counts, latency samples,
 * who woke whom with the waker's region, region statistics and the
 * slowest instances, tasks, CPU busy/idle and threads waiting, a window
 * that clips everything to it, and text and JSON that print it.
 * With clock=mono and no CLOCK records, ns = the record's timestamp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "report.h"
#include "tracefile.h"
#include "tracefile_builder.h"

#define PING 100
#define PONG 101
#define S CTRACE_STATE_SLEEPING
#define PREEMPTED (CTRACE_STATE_RUNNABLE | CTRACE_SWITCH_F_PREEMPT)
#define R CTRACE_STATE_RUNNING
#define RA CTRACE_STATE_RUNNABLE

struct run {
	unsigned char *buf;
	struct ctrace_trace *t;
	struct ctrace_report *r;
};

static int run(struct tb *b, const struct ctrace_report_opts *o, struct run *out)
{
	char err[256];
	size_t len;

	memset(out, 0, sizeof(*out));
	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
	out->buf = tb_finish(b, &len);
	if (!out->buf || ctrace_trace_open_buffer(out->buf, len, &out->t, err, sizeof(err)))
		return -1;
	return ctrace_report_run(out->t, o, &out->r, stderr);
}

static void done(struct tb *b, struct run *x)
{
	ctrace_report_free(x->r);
	ctrace_trace_close(x->t);
	free(x->buf);
	tb_free(b);
}

/* ping and pong bounce on two CPUs; ping also is preempted once. */
static void ping_pong(struct tb *b)
{
	static const uint32_t ids[] = { 1, 2 };
	static const char *const strs[] = { "send", "recv" };

	tb_open(b);
	tb_meta(b, "clock=mono\ntarget=all\n");
	tb_uset(b, 0, 1000, 2);
	tb_strings(b, 0, 2, ids, strs);
	tb_thread(b, 0, 10, PING, PING, 0, 0, 0, "ping");
	tb_thread(b, 0, 11, PONG, PING, 0, 0, 0, "pong");
	tb_switch(b, 0, 100, 0, PING, 0);
	tb_switch(b, 1, 100, 0, PONG, 0);
	tb_switch(b, 1, 150, PONG, 0, S);		/* pong waits */
	/* ping sends inside its region "send": wakes pong, which waits 30 */
	tb_uregion(b, 0, 0, 190, PING, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	tb_wakeup(b, 0, 200, PONG, PING, 1);
	tb_uregion(b, 0, 0, 210, PING, CTRACE_UREC_REGION_END, 1, false, 0);
	tb_switch(b, 1, 230, 0, PONG, 0);
	tb_switch(b, 0, 300, PING, 0, S);		/* ping waits */
	tb_wakeup(b, 1, 400, PING, PONG, 0);		/* pong wakes it: 50 */
	tb_switch(b, 0, 450, 0, PING, 0);
	tb_switch(b, 0, 500, PING, 0, PREEMPTED);	/* preempted: 20 */
	tb_switch(b, 0, 520, 0, PING, 0);
	tb_switch(b, 1, 600, PONG, 0, S);
	tb_switch(b, 0, 700, PING, 0, S);
}

TEST(threads_latency_wakeups_cpus)
{
	struct ctrace_report_opts o = { .sections = CTRACE_RS_ALL };
	const struct ctrace_report_thread *ping, *pong;
	const struct ctrace_report_cpu *c0, *c1;
	struct run x;
	struct tb b;
	bool found = false;

	ping_pong(&b);
	ASSERT_EQ(0, run(&b, &o, &x));
	ping = ctrace_report_find_thread(x.r, PING);
	pong = ctrace_report_find_thread(x.r, PONG);
	ASSERT_NE(NULL, ping);
	ASSERT_NE(NULL, pong);
	EXPECT_STREQ("ping", ping->comm);
	EXPECT_EQ(PING, pong->tgid);
	/* ping: running 100-300, 450-500, 520-700; asleep 300-400;
	 * runnable 400-450 and 500-520. */
	EXPECT_EQ(200 + 50 + 180, ping->state_ns[R]);
	EXPECT_EQ(50 + 20, ping->state_ns[RA]);
	EXPECT_EQ(100, ping->state_ns[S]);
	EXPECT_EQ(3, ping->switches);
	EXPECT_EQ(1, ping->preemptions);
	EXPECT_EQ(2, ping->voluntary);
	EXPECT_EQ(1, ping->wakeups);
	EXPECT_EQ(1, ping->wake_latency.count);
	EXPECT_EQ(50, ping->wake_latency.max);
	EXPECT_EQ(1, ping->preempt_latency.count);
	EXPECT_EQ(20, ping->preempt_latency.max);
	/* pong: running 100-150, 230-600; asleep 150-200; runnable 200-230. */
	EXPECT_EQ(50 + 370, pong->state_ns[R]);
	EXPECT_EQ(30, pong->state_ns[RA]);
	EXPECT_EQ(30, pong->wake_latency.max);
	/* Overall: two wakeup latencies, 30 and 50. */
	EXPECT_EQ(2, x.r->wake_latency.count);
	EXPECT_EQ(80, x.r->wake_latency.sum);
	EXPECT_EQ(50, ctrace_hist_percentile(&x.r->wake_latency, 99));
	EXPECT_EQ(30, ctrace_hist_percentile(&x.r->wake_latency, 50));
	/* ping woke pong from inside "send". */
	for (size_t i = 0; i < x.r->nr_wakeups; i++) {
		const struct ctrace_report_wakeup *w = &x.r->wakeups[i];

		if (w->waker == PING && w->wakee == PONG) {
			EXPECT_STREQ("send", w->waker_region);
			EXPECT_EQ(1, w->count);
			EXPECT_EQ(1, w->woke);
			EXPECT_EQ(30, w->latency_ns);
			found = true;
		}
	}
	EXPECT_TRUE(found);
	/* CPU 0: busy 100-300, 450-500, 520-700, idle between; CPU 1 busy
	 * 100-150, 230-600, idle 150-230 and after. */
	c0 = ctrace_report_find_cpu(x.r, 0);
	c1 = ctrace_report_find_cpu(x.r, 1);
	ASSERT_NE(NULL, c0);
	ASSERT_NE(NULL, c1);
	EXPECT_EQ(430, c0->busy_ns);
	EXPECT_EQ(150 + 20, c0->idle_ns);
	EXPECT_EQ(420, c1->busy_ns);
	EXPECT_EQ(80 + 100, c1->idle_ns);	/* and 600-700, to the end */
	/* Threads waiting: pong 200-230, ping 400-450 and 500-520. */
	EXPECT_EQ(100, x.r->runnable_time[1]);
	done(&b, &x);
}

TEST(regions_tasks_and_slowest)
{
	static const uint32_t ids[] = { 1, 2 };
	static const char *const strs[] = { "step", "job" };
	struct ctrace_report_opts o = { .sections = CTRACE_RS_ALL, .top = 2 };
	const struct ctrace_report_region *step;
	const struct ctrace_report_task *job;
	struct run x;
	struct tb b;

	tb_open(&b);
	tb_meta(&b, "clock=mono\ntarget=all\nuser_only=1\n");
	tb_uset(&b, 0, 1000, 1);
	tb_strings(&b, 0, 2, ids, strs);
	tb_uthread(&b, 0, 0, 5, PING, PING, "ping");
	tb_utask_begin(&b, 0, 0, 10, PING, 2, 7, 0);
	/* step: 10, 30, 20 ns long; the 2 slowest are kept */
	for (int i = 0, d[] = { 10, 30, 20 }; i < 3; i++) {
		tb_uregion(&b, 0, 0, 100 * (i + 1), PING, CTRACE_UREC_REGION_BEGIN, 1, true, 7);
		tb_uregion(&b, 0, 0, 100 * (i + 1) + d[i], PING, CTRACE_UREC_REGION_END, 1, true, 7);
	}
	tb_ulog(&b, 0, 0, 350, PING, 1, 7, 0, "x", 1);
	tb_u64(&b, 0, 0, 400, PING, CTRACE_UREC_TASK_END, 0, 7);
	/* Open at the end: incomplete. */
	tb_uregion(&b, 0, 0, 500, PING, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	ASSERT_EQ(0, run(&b, &o, &x));
	step = ctrace_report_find_region(x.r, "step");
	ASSERT_NE(NULL, step);
	EXPECT_EQ(3, step->count);
	EXPECT_EQ(1, step->incomplete);
	EXPECT_EQ(60, step->duration.sum);
	EXPECT_EQ(30, step->duration.max);
	/* No kernel records: all of it unknown. */
	EXPECT_EQ(60, step->state_ns[CTRACE_STATE_UNKNOWN]);
	ASSERT_EQ(2, step->nr_slowest);
	EXPECT_EQ(30, step->slowest[0].end - step->slowest[0].begin);
	EXPECT_EQ(200, step->slowest[0].begin);
	EXPECT_EQ(20, step->slowest[1].end - step->slowest[1].begin);
	EXPECT_TRUE(step->slowest[0].has_task);
	EXPECT_EQ(7, step->slowest[0].task);
	job = ctrace_report_find_task(x.r, "job");
	ASSERT_NE(NULL, job);
	EXPECT_EQ(1, job->count);
	EXPECT_EQ(390, job->duration.sum);
	EXPECT_EQ(3, job->regions);
	EXPECT_EQ(1, job->logs);
	EXPECT_EQ(1, job->threads_max);
	done(&b, &x);
}

/* A window clips intervals to it and counts what ends inside. */
TEST(window_clips)
{
	struct ctrace_report_opts o = {
		.sections = CTRACE_RS_ALL, .from_ns = 250, .to_ns = 460,
	};
	const struct ctrace_report_thread *ping;
	struct run x;
	struct tb b;

	ping_pong(&b);
	ASSERT_EQ(0, run(&b, &o, &x));
	ping = ctrace_report_find_thread(x.r, PING);
	ASSERT_NE(NULL, ping);
	/* ping in [250, 460): running 250-300 and 450-460, asleep 300-400,
	 * runnable 400-450. */
	EXPECT_EQ(60, ping->state_ns[R]);
	EXPECT_EQ(100, ping->state_ns[S]);
	EXPECT_EQ(50, ping->state_ns[RA]);
	/* One switch-out (300) in the window; one latency ended in it. */
	EXPECT_EQ(1, ping->switches);
	EXPECT_EQ(1, ping->wake_latency.count);
	EXPECT_EQ(0, ping->preempt_latency.count);
	EXPECT_EQ(250, x.r->first_ns);
	EXPECT_EQ(460, x.r->last_ns);
	done(&b, &x);
}

/* Text and JSON print what the tables hold; hostile names stay text. */
TEST(text_and_json)
{
	struct ctrace_report_opts o = { .sections = CTRACE_RS_ALL, .top = 5 };
	char *text = NULL, *json = NULL;
	size_t tl = 0, jl = 0;
	struct run x;
	struct tb b;
	FILE *f;

	ping_pong(&b);
	ASSERT_EQ(0, run(&b, &o, &x));
	f = open_memstream(&text, &tl);
	ctrace_report_text(x.r, f);
	fclose(f);
	f = open_memstream(&json, &jl);
	ctrace_report_json(x.r, f);
	fclose(f);
	EXPECT_NE(NULL, strstr(text, "Threads: 2"));
	EXPECT_NE(NULL, strstr(text, "wakeup -> running      count 2"));
	EXPECT_NE(NULL, strstr(text, "send"));
	EXPECT_NE(NULL, strstr(text, "CPUs: 2"));
	EXPECT_NE(NULL, strstr(json, "\"tid\":100,\"pid\":100,\"name\":\"ping\""));
	EXPECT_NE(NULL, strstr(json, "\"running\":430"));
	EXPECT_NE(NULL, strstr(json, "\"waker_region\":\"send\""));
	EXPECT_EQ('{', json[0]);
	EXPECT_EQ('}', json[jl - 2]);
	free(text);
	free(json);
	done(&b, &x);
}

TEST_HARNESS_MAIN
