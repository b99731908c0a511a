// SPDX-License-Identifier: GPL-2.0
/*
 * The analyses (tools/analysis/report.c) against workloads with known
 * answers, recorded in the VM by tests/ground/record.sh; the directory
 * comes in CTRACE_GROUND.  Each workload wrote down what it did (.info);
 * perf sched recorded the same runs (.timehist), so our figures are also
 * compared with perf's where both measure the same thing.
 *
 *   sleeper   a thread sleeps 10 ms 20 times: Sleeping ~ 200 ms
 *   spinners  two CPU-bound threads share one CPU: each Runnable about
 *             half the time, Running the other half
 *   regions   a region that sleeps and one that spins: their state split
 *   pingpong  2000 round trips: 2000 wakeups and voluntary switches each
 *   lossy     a trace with losses: unknown time reported, none invented
 * Bounds leave room for the emulator (timer slack, slow wakeups) but not
 * for a wrong answer: a sleeper counted as running, a spinner's wait
 * counted as sleep, a region split the wrong way.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "report.h"
#include "tracefile.h"

#define MS 1000000ull

static struct ctrace_trace *open_ground(const char *name)
{
	const char *dir = getenv("CTRACE_GROUND");
	struct ctrace_trace *t;
	char path[4096], err[256];

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.trace", dir, name);
	if (ctrace_trace_open(path, &t, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, err);
		return NULL;
	}
	return t;
}

/* Numbers from NAME.info. */
static int read_info(const char *name, unsigned long long *v, int n)
{
	char path[4096];
	FILE *f;
	int got = 0;

	snprintf(path, sizeof(path), "%s/%s.info", getenv("CTRACE_GROUND"), name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (got < n && fscanf(f, "%llu", &v[got]) == 1)
		got++;
	fclose(f);
	return got;
}

/*
 * perf sched timehist's run time (ms) of thread @tid over the slices
 * ctrace saw too, or -1 when there is nothing to compare: no perf, or
 * perf lost events (its figure would be short by what it lost).
 *
 * perf sched record starts before ctrace-dump's session (it runs
 * ctrace-dump) and the workload thread is ctrace-dump's child, so perf
 * may see the thread's first slices, before the session began, that
 * ctrace never saw.  NAME.slices has a line per switch-out, the run time
 * last; the first (perf's count - @n) of the thread's are dropped, so
 * both figures cover the same @n slices.  The session ends after the
 * thread has exited: there are no slices after it.
 */
static double perf_runtime(const char *name, unsigned int tid, uint64_t n, char *why, size_t len)
{
	char path[4096], line[512], want[32], want2[32];
	double *rt = NULL, sum = 0;
	size_t nr = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.perf-log", getenv("CTRACE_GROUND"), name);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (strstr(line, "lost")) {
				snprintf(why, len, "perf lost events: %.200s", line);
				fclose(f);
				return -1;
			}
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s.slices", getenv("CTRACE_GROUND"), name);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, len, "no %.400s (no perf in the VM)", path);
		return -1;
	}
	snprintf(want, sizeof(want), "[%u]", tid);
	snprintf(want2, sizeof(want2), "[%u/", tid);
	while (fgets(line, sizeof(line), f)) {
		char *end = line + strlen(line), *p;
		double v;

		/* "time [cpu] comm[tid] wait delay run": the task is the third field. */
		p = strchr(line, ']');
		if (!p || (!strstr(p + 1, want) && !strstr(p + 1, want2)))
			continue;
		while (end > line && (end[-1] == '\n' || end[-1] == ' '))
			*--end = '\0';
		p = strrchr(line, ' ');
		if (!p || sscanf(p + 1, "%lf", &v) != 1)
			continue;
		if (nr == cap) {
			double *m = realloc(rt, (cap = cap ? cap * 2 : 64) * sizeof(*rt));

			if (!m)
				break;
			rt = m;
		}
		rt[nr++] = v;
	}
	fclose(f);
	/* Fewer: perf's list missed a switch (seen at a migration); all of
	 * its slices then, which cover the same time. */
	for (size_t i = nr > n ? nr - n : 0; i < nr; i++)
		sum += rt[i];
	snprintf(why, len, "perf saw %zu slices of thread %u, ctrace %llu: the last %zu compared",
		 nr, tid, (unsigned long long)n, nr > n ? (size_t)n : nr);
	free(rt);
	return sum;
}

static struct ctrace_report *report(struct ctrace_trace *t)
{
	struct ctrace_report_opts o = { .sections = CTRACE_RS_ALL, .top = 0 };
	struct ctrace_report *r = NULL;

	if (ctrace_report_run(t, &o, &r, stderr))
		return NULL;
	return r;
}

#define GROUND(name, t, r) \
	struct ctrace_trace *t = open_ground(name); \
	struct ctrace_report *r; \
	if (!getenv("CTRACE_GROUND")) \
		SKIP(return, "CTRACE_GROUND is not set (tests/ground/run.sh sets it)"); \
	ASSERT_NE(NULL, t); \
	r = report(t); \
	ASSERT_NE(NULL, r)

static uint64_t ns(const struct ctrace_report_thread *th, unsigned int state)
{
	return th->state_ns[state];
}

TEST(sleeper_sleeps)
{
	unsigned long long info[4];
	const struct ctrace_report_thread *th;
	uint64_t asleep;
	char why[512];
	double perf;

	GROUND("sleeper", t, r);
	ASSERT_EQ(4, read_info("sleeper", info, 4));
	th = ctrace_report_find_thread(r, info[0]);
	ASSERT_NE(NULL, th);
	asleep = ns(th, CTRACE_STATE_SLEEPING) + ns(th, CTRACE_STATE_BLOCKED);
	TH_LOG("sleeper %llu: sleeping %.3f ms + uninterruptible %.3f ms, runnable %.3f ms, running %.3f ms; it measured %.3f ms in nanosleep",
	       info[0], ns(th, CTRACE_STATE_SLEEPING) / 1e6, ns(th, CTRACE_STATE_BLOCKED) / 1e6,
	       ns(th, CTRACE_STATE_RUNNABLE) / 1e6, ns(th, CTRACE_STATE_RUNNING) / 1e6,
	       info[3] / 1e6);
	/*
	 * 20 sleeps of 10 ms: at least that asleep; and Sleeping at most
	 * what the thread measured around its calls (which adds the wakeup
	 * latency).  Not Sleeping + Uninterruptible: the thread's life also
	 * has D time outside its loop (page faults of its exec and its
	 * write of INFO, over 9p), 2.3-5.1 ms in four runs, as much as the
	 * margin the wakeup latency gives.
	 */
	EXPECT_LE(20 * 10 * MS * 95 / 100, asleep);
	EXPECT_GE(info[3], ns(th, CTRACE_STATE_SLEEPING));
	EXPECT_LE(20, th->voluntary);
	EXPECT_LE(20, th->wake_latency.count);
	EXPECT_EQ(0, ns(th, CTRACE_STATE_UNKNOWN));
	perf = perf_runtime("sleeper", info[0], th->switches, why, sizeof(why));
	TH_LOG("%s", why);
	if (perf >= 0) {
		TH_LOG("running: ctrace %.3f ms, perf sched timehist %.3f ms",
		       ns(th, CTRACE_STATE_RUNNING) / 1e6, perf);
		EXPECT_GT(0.10, fabs(ns(th, CTRACE_STATE_RUNNING) / 1e6 - perf) / perf);
	}
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

TEST(spinners_share_a_cpu)
{
	unsigned long long info[4];
	uint64_t wall;

	GROUND("spinners", t, r);
	ASSERT_EQ(4, read_info("spinners", info, 4));
	wall = info[3] - info[2];
	for (int i = 0; i < 2; i++) {
		const struct ctrace_report_thread *th = ctrace_report_find_thread(r, info[i]);
		uint64_t run, wait;
		char why[512];
		double perf;

		ASSERT_NE(NULL, th);
		run = ns(th, CTRACE_STATE_RUNNING);
		wait = ns(th, CTRACE_STATE_RUNNABLE);
		TH_LOG("%s: running %.3f ms, runnable %.3f ms, sleeping %.3f ms of %.3f ms",
		       th->comm, run / 1e6, wait / 1e6, ns(th, CTRACE_STATE_SLEEPING) / 1e6,
		       wall / 1e6);
		/* CPU-bound on a shared CPU: about half running, half waiting. */
		EXPECT_LE(wall * 80 / 100, run + wait);
		EXPECT_LE(run * 70 / 100, wait);
		EXPECT_LE(wait * 70 / 100, run);
		EXPECT_GT(wall / 20, ns(th, CTRACE_STATE_SLEEPING));
		EXPECT_LE(1, th->preemptions + th->switches);
		perf = perf_runtime("spinners", info[i], th->switches, why, sizeof(why));
		TH_LOG("%s", why);
		if (perf >= 0) {
			TH_LOG("running: ctrace %.3f ms, perf sched timehist %.3f ms", run / 1e6, perf);
			EXPECT_GT(0.10, fabs(run / 1e6 - perf) / perf);
		}
	}
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

TEST(regions_split_by_state)
{
	unsigned long long info[3];
	const struct ctrace_report_region *sleepy, *spinny;
	const struct ctrace_report_task *round;

	GROUND("regions", t, r);
	ASSERT_EQ(3, read_info("regions", info, 3));
	sleepy = ctrace_report_find_region(r, "sleepy");
	spinny = ctrace_report_find_region(r, "spinny");
	ASSERT_NE(NULL, sleepy);
	ASSERT_NE(NULL, spinny);
	EXPECT_EQ(10, sleepy->count);
	EXPECT_EQ(10, spinny->count);
	TH_LOG("sleepy: %.3f ms (program: %.3f), running %.1f%% sleeping %.1f%%; spinny: %.3f ms (program: %.3f), running %.1f%% runnable %.1f%%",
	       sleepy->duration.sum / 1e6, info[1] / 1e6,
	       100.0 * sleepy->state_ns[CTRACE_STATE_RUNNING] / sleepy->duration.sum,
	       100.0 * sleepy->state_ns[CTRACE_STATE_SLEEPING] / sleepy->duration.sum,
	       spinny->duration.sum / 1e6, info[2] / 1e6,
	       100.0 * spinny->state_ns[CTRACE_STATE_RUNNING] / spinny->duration.sum,
	       100.0 * spinny->state_ns[CTRACE_STATE_RUNNABLE] / spinny->duration.sum);
	/* Durations: within what the program measured around its calls. */
	EXPECT_GE(info[1], sleepy->duration.sum);
	EXPECT_LE(info[1] * 90 / 100, sleepy->duration.sum);
	EXPECT_GE(info[2], spinny->duration.sum);
	EXPECT_LE(info[2] * 90 / 100, spinny->duration.sum);
	EXPECT_LE(10 * 5 * MS, sleepy->duration.sum);
	/* The split: the sleeper asleep, the spinner on the CPU. */
	EXPECT_LE(sleepy->duration.sum * 75 / 100, sleepy->state_ns[CTRACE_STATE_SLEEPING]);
	EXPECT_LE(spinny->duration.sum * 75 / 100, spinny->state_ns[CTRACE_STATE_RUNNING]);
	EXPECT_GT(spinny->duration.sum / 10, spinny->state_ns[CTRACE_STATE_SLEEPING]);
	/* It all adds up. */
	{
		uint64_t sum = 0;

		for (unsigned int s = 0; s < CTRACE_NR_STATES; s++)
			sum += sleepy->state_ns[s];
		EXPECT_EQ(sleepy->duration.sum, sum);
	}
	round = ctrace_report_find_task(r, "round");
	ASSERT_NE(NULL, round);
	EXPECT_EQ(10, round->count);
	EXPECT_EQ(20, round->regions);
	EXPECT_EQ(1, round->threads_max);
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

TEST(pingpong_wakes_each_other)
{
	unsigned long long info[4];
	const struct ctrace_report_thread *a, *b;
	bool found = false;

	GROUND("pingpong", t, r);
	ASSERT_EQ(4, read_info("pingpong", info, 4));
	a = ctrace_report_find_thread(r, info[2]);
	b = ctrace_report_find_thread(r, info[3]);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_LE(2000, a->wakeups);
	EXPECT_LE(2000, b->wakeups);
	EXPECT_LE(2000, a->voluntary);
	EXPECT_LE(2000, b->voluntary);
	EXPECT_LE(2000, a->wake_latency.count);
	EXPECT_LE(4000, r->wake_latency.count);
	/* Each woke the other 2000 times. */
	for (size_t i = 0; i < r->nr_wakeups; i++) {
		const struct ctrace_report_wakeup *w = &r->wakeups[i];

		if (w->waker == info[3] && w->wakee == info[2]) {
			EXPECT_LE(2000, w->count);
			EXPECT_LE(1999, w->woke);
			found = true;
		}
	}
	EXPECT_TRUE(found);
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

TEST(lossy_says_unknown)
{
	uint64_t span;

	GROUND("lossy", t, r);
	span = r->last_ns - r->first_ns;
	TH_LOG("%llu losses of %llu events; %.3f ms of thread time unknown",
	       (unsigned long long)r->losses, (unsigned long long)r->lost_events,
	       r->unknown_ns / 1e6);
	EXPECT_LT(0, r->losses);
	EXPECT_LT(0, r->lost_events);
	EXPECT_LT(0, r->unknown_ns);
	/* Nothing invented: no thread has more known time than the span. */
	for (size_t i = 0; i < r->nr_threads; i++) {
		uint64_t sum = 0;

		for (unsigned int s = 0; s < CTRACE_NR_STATES; s++)
			sum += r->threads[i].state_ns[s];
		EXPECT_GE(span, sum);
	}
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

TEST_HARNESS_MAIN
