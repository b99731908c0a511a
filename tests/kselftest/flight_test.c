// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder: ctrace-dump --flight keeps the last window in
 * memory and writes it when a trigger fires (tools/recorder/flight.c).
 * The program is tests/progs/ctrace-uhiccup: 3 s of short "tick" regions,
 * one "slow" region of 150 ms, then the trigger; a thread "dozer" sleeps
 * across every window's start, and "napper" is mid-sleep in region "nap"
 * when the snapshot is taken.
 *
 * Each snapshot is opened, validated and reported on:
 *   - it holds the slow region and the second before it, and not the
 *     whole run (the window is 1 s; a generation is a quarter of it);
 *   - the nap is there, unended (taken mid-region);
 *   - with the module: every thread of the program is named, the dozer
 *     is sleeping from the window's start (restated, never "running"),
 *     the nap's time is sleeping;
 *   - each trigger: ctrace_snapshot(), SIGUSR1, ctrace snapshot over
 *     netlink (module), the command failing; --flight-gap drops a
 *     trigger that comes too soon and --flight-count stops the recorder;
 *   - a window given as a size stays inside it under a storm of events.
 *
 * Variants: with the module (skipped where it is not loaded) and user-only
 * (no scheduler events); natively, user-only alone (CTRACE_TEST_NO_MODULE).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ktest.h"
#include "ktrace.h"
#include "report.h"

FIXTURE(flight) {
	bool no_module;
	char base[128];		/* -o: snapshots are BASE-N.trace */
	char out[16384];
};

FIXTURE_VARIANT(flight) {
	bool module;
};

#ifndef CTRACE_TEST_NO_MODULE
FIXTURE_VARIANT_ADD(flight, module) {
	.module = true,
};
#endif

FIXTURE_VARIANT_ADD(flight, user_only) {
	.module = false,
};

static void snap_name(const char *base, int n, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%d.trace", base, n);
}

FIXTURE_SETUP(flight)
{
	self->no_module = variant->module && access(CTRACE_DEVICE_PATH, F_OK);
	snprintf(self->base, sizeof(self->base), "/tmp/flight-%d", getpid());
}

FIXTURE_TEARDOWN(flight)
{
	char p[160];

	for (int i = 1; i <= 4; i++) {
		snap_name(self->base, i, p, sizeof(p));
		unlink(p);
	}
}

#define SKIP_WITHOUT_MODULE() do {					\
	if (self->no_module)						\
		SKIP(return, "ctrace.ko is not loaded");		\
} while (0)

/* ctrace-dump --flight ARGS -- ctrace-uhiccup HOW; its exit status. */
static int run(FIXTURE_DATA(flight) *self, bool module, const char *args,
	       const char *how)
{
	char cmd[8192];
	const char *b = getenv("CTRACE_BUILD");

	snprintf(cmd, sizeof(cmd), "%s %s %s -o %s.trace -- %s/tests/progs/ctrace-uhiccup %s",
		 ktest_tool("ctrace-dump"), module ? "" : "--user-only", args,
		 self->base, b ? b : "build", how);
	return ktest_run(cmd, self->out, sizeof(self->out));
}

static struct ctrace_report *report(struct ctrace_trace *t)
{
	struct ctrace_report_opts o = { .sections = CTRACE_RS_ALL, .top = 4 };
	struct ctrace_report *r = NULL;

	return ctrace_report_run(t, &o, &r, stderr) ? NULL : r;
}

static const struct ctrace_report_thread *thread_named(const struct ctrace_report *r,
						       const char *comm)
{
	for (size_t i = 0; i < r->nr_threads; i++)
		if (!strcmp(r->threads[i].comm, comm))
			return &r->threads[i];
	return NULL;
}

/* The value after @key in the program's output ("slow B E"), or 0. */
static uint64_t out_u64(const char *out, const char *key, int nth)
{
	const char *p = strstr(out, key);
	unsigned long long a = 0, b = 0;

	if (!p || sscanf(p + strlen(key), " %llu %llu", &a, &b) < 1)
		return 0;
	return nth ? b : a;
}

/*
 * How long from the condition (the program's "condition_at", right after
 * its slow region) to the snapshot on disk (its file's time: written,
 * synced, renamed).  Said, not asserted: timings are not tests.
 */
static void log_latency(struct __test_metadata *_metadata, const char *out,
			const char *path)
{
	uint64_t at = out_u64(out, "condition_at", 0), file;
	struct stat st;

	if (!at || stat(path, &st))
		return;
	file = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + st.st_mtim.tv_nsec;
	TH_LOG("trigger latency, the condition to the snapshot on disk: %.1f ms",
	       file > at ? (file - at) / 1e6 : 0.0);
}

/* What every snapshot of the hiccup holds; @why is its trigger. */
static void check_hiccup(struct __test_metadata *_metadata, FIXTURE_DATA(flight) *self,
			 bool module, int n, const char *why, uint64_t before_ns,
			 double max_span)
{
	const struct ctrace_report_region *slow, *tick, *nap;
	const struct ctrace_report_thread *dozer, *napper;
	struct ctrace_report *r;
	struct ctrace_trace *t;
	uint32_t main_tid = out_u64(self->out, "main", 0);
	char path[160];
	double span;

	snap_name(self->base, n, path, sizeof(path));
	log_latency(_metadata, self->out, path);
	t = kt_open(path);
	ASSERT_NE(NULL, t) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, ctrace_trace_meta(t, "flight"));
	/* @why, or its start (a region trigger says how long it took). */
	ASSERT_NE(NULL, ctrace_trace_meta(t, "flight_trigger"));
	EXPECT_EQ(0, strncmp(why, ctrace_trace_meta(t, "flight_trigger"), strlen(why)))
		TH_LOG("trigger: %s", ctrace_trace_meta(t, "flight_trigger"));
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(0, kt_validate(t));
	r = report(t);
	ASSERT_NE(NULL, r);
	slow = ctrace_report_find_region(r, "slow");
	tick = ctrace_report_find_region(r, "tick");
	nap = ctrace_report_find_region(r, "nap");
	ASSERT_NE(NULL, slow) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, tick);
	ASSERT_NE(NULL, nap);
	ASSERT_EQ(1, slow->count);
	ASSERT_LE(1, slow->nr_slowest);
	span = (r->last_ns - r->first_ns) / 1e9;
	TH_LOG("%s: %.3f s, %llu events, %llu ticks; slow %.1f ms; nap incomplete %llu",
	       path, span, (unsigned long long)r->events, (unsigned long long)tick->count,
	       slow->duration.max / 1e6, (unsigned long long)nap->incomplete);
	EXPECT_LE(150000000ull, slow->duration.max);
	/* What came before it is there (the window is at least 1 s, and
	 * the slow region its last 150 ms; ticks of about 2 ms, far fewer
	 * under a slow guest: PREEMPT_RT's threaded timers under TCG gave
	 * 173 in a window); the start of the run (3 s of ticks before it)
	 * is not. */
	EXPECT_LE(r->first_ns + before_ns, slow->slowest[0].begin);
	EXPECT_LE(50, tick->count);
	if (max_span)
		EXPECT_GT(max_span, span);
	/* Taken mid-sleep, mid-region: the nap has begun, not ended. */
	EXPECT_EQ(0, nap->count);
	EXPECT_EQ(1, nap->incomplete);
	if (module) {
		/* The restatement: every thread of the program has its name,
		 * and one asleep since before the window is sleeping. */
		unsigned int ours = 0, unnamed = 0;

		for (size_t i = 0; i < r->nr_threads; i++) {
			const struct ctrace_report_thread *th = &r->threads[i];

			if (th->tgid != main_tid)
				continue;
			ours++;
			if (!th->comm[0] || !strcmp(th->comm, "<...>")) {
				unnamed++;
				TH_LOG("thread %u has no name", th->tid);
			}
		}
		EXPECT_LE(3, ours);
		EXPECT_EQ(0, unnamed);
		dozer = thread_named(r, "dozer");
		ASSERT_NE(NULL, dozer) TH_LOG("no thread \"dozer\" in the snapshot");
		TH_LOG("dozer: running %.1f ms, sleeping %.1f ms, unknown %.1f ms",
		       dozer->state_ns[CTRACE_STATE_RUNNING] / 1e6,
		       dozer->state_ns[CTRACE_STATE_SLEEPING] / 1e6,
		       dozer->state_ns[CTRACE_STATE_UNKNOWN] / 1e6);
		/* It runs only to die, when the process exits: a window that
		 * holds the exit (the command failing) may show it running
		 * then, for as long as tearing the process down takes (tens
		 * of ms under TCG); any other never. */
		if (!strstr(why, "failed"))
			EXPECT_EQ(0, dozer->state_ns[CTRACE_STATE_RUNNING]);
		EXPECT_LT(900000000ull, dozer->state_ns[CTRACE_STATE_SLEEPING]);
		EXPECT_GT(200000000ull, dozer->state_ns[CTRACE_STATE_UNKNOWN]);
		EXPECT_LT(140000000ull, slow->state_ns[CTRACE_STATE_SLEEPING]);
		/* The napper polls in 5 ms sleeps, then naps: asleep. */
		napper = thread_named(r, "napper");
		ASSERT_NE(NULL, napper);
		EXPECT_LT(800000000ull, napper->state_ns[CTRACE_STATE_SLEEPING]);
		EXPECT_GT(100000000ull, napper->state_ns[CTRACE_STATE_UNKNOWN]);
	} else {
		/* No kernel: the recorder restates the names user THREAD
		 * records gave, so the main thread, whose own one (at its
		 * first tick, 3 s back) is long gone, is named and in its
		 * process.  (The dozer writes nothing: no record names it,
		 * in a window or in a whole user-only trace.) */
		struct ctrace_cursor *c;
		struct ctrace_event ev;
		const struct ctrace_thread *mn;

		EXPECT_STREQ("1", ctrace_trace_meta(t, "user_only"));
		ASSERT_EQ(0, ctrace_cursor_new(t, &c));
		while (ctrace_cursor_next(c, &ev) > 0)
			;
		mn = ctrace_cursor_thread(c, main_tid);
		EXPECT_TRUE(mn && mn->comm[0] && mn->tgid == main_tid)
			TH_LOG("main: %s, tgid %u", mn ? mn->comm : "(not named)", mn ? mn->tgid : 0);
		ctrace_cursor_free(c);
	}
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

static bool exists(const char *base, int n)
{
	char p[160];
	struct stat st;

	snap_name(base, n, p, sizeof(p));
	return !stat(p, &st);
}

TEST_F(flight, ctrace_snapshot_from_the_program)
{
	SKIP_WITHOUT_MODULE();
	ASSERT_EQ(0, run(self, variant->module, "--flight 1s", "self")) TH_LOG("%s", self->out);
	check_hiccup(_metadata, self, variant->module, 1, "ctrace_snapshot()", 800000000ull, 2.0);
	EXPECT_FALSE(exists(self->base, 2));
	EXPECT_NE(NULL, strstr(self->out, "flight recorder: 1 snapshots")) TH_LOG("%s", self->out);
}

TEST_F(flight, sigusr1)
{
	SKIP_WITHOUT_MODULE();
	ASSERT_EQ(0, run(self, variant->module, "--flight 1s", "usr1")) TH_LOG("%s", self->out);
	check_hiccup(_metadata, self, variant->module, 1, "SIGUSR1", 800000000ull, 2.0);
}

TEST_F(flight, ctrace_snapshot_over_netlink)
{
	SKIP_WITHOUT_MODULE();
	if (!variant->module)
		SKIP(return, "ctrace snapshot needs the module");
	/* `ctrace snapshot` takes a while to start: 0.2-0.5 s under TCG,
	 * 1.2 s on PREEMPT_RT with the host busy.  So a window of 2 s (the
	 * run's start, 3 s before the region, is still out of it), which
	 * need not reach back before the region. */
	ASSERT_EQ(0, run(self, true, "--flight 2s", "netlink")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "asked session")) TH_LOG("%s", self->out);
	check_hiccup(_metadata, self, true, 1, "ctrace snapshot", 0, 0);
}

TEST_F(flight, the_command_failing)
{
	SKIP_WITHOUT_MODULE();
	/* A trigger, and still the command's status (3): docs/design.md. */
	ASSERT_EQ(3, run(self, variant->module, "--flight 1s", "fail")) TH_LOG("%s", self->out);
	/* Taken at the end: the 0.5 s after the slow region are in too. */
	check_hiccup(_metadata, self, variant->module, 1, "the command failed", 250000000ull, 2.0);
}

TEST_F(flight, a_region_longer_than)
{
	char path[160];

	SKIP_WITHOUT_MODULE();
	/* No trigger but the region's own length; the ticks (2 ms) never. */
	ASSERT_EQ(0, run(self, variant->module, "--flight 1s --trigger-region slow:100ms", "none"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "flight recorder: 1 snapshots")) TH_LOG("%s", self->out);
	/* The region sleeps 150 ms; a slow guest makes it longer. */
	check_hiccup(_metadata, self, variant->module, 1, "region slow longer than 100.000 ms (",
		     800000000ull, 2.0);
	/* Longer than it lasts: no snapshot. */
	snap_name(self->base, 1, path, sizeof(path));
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, run(self, variant->module, "--flight 1s --trigger-region slow:3s", "none"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "flight recorder: 0 snapshots")) TH_LOG("%s", self->out);
	EXPECT_FALSE(exists(self->base, 1));
}

TEST_F(flight, a_scheduling_latency_over)
{
	const struct ctrace_report_thread *main_th;
	const struct ctrace_report_region *slow;
	struct ctrace_report *r;
	struct ctrace_trace *t;
	const char *why;
	char path[160], want[64];
	uint32_t main_tid;

	SKIP_WITHOUT_MODULE();
	if (!variant->module)
		SKIP(return, "the latency trigger is the module's");
	/* The main thread waits about 200 ms for CPU 0, held by a real-time
	 * thread: the module notices, the recorder writes the window. */
	ASSERT_EQ(0, run(self, true, "--flight 1s --trigger-latency 100ms", "latency"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "flight recorder: 1 snapshots")) TH_LOG("%s", self->out);
	main_tid = out_u64(self->out, "main", 0);
	snap_name(self->base, 1, path, sizeof(path));
	log_latency(_metadata, self->out, path);
	t = kt_open(path);
	ASSERT_NE(NULL, t) TH_LOG("%s", self->out);
	EXPECT_EQ(0, kt_validate(t));
	why = ctrace_trace_meta(t, "flight_trigger");
	ASSERT_NE(NULL, why);
	snprintf(want, sizeof(want), "scheduling latency over 100.000 ms (thread %u ", main_tid);
	EXPECT_EQ(0, strncmp(want, why, strlen(want))) TH_LOG("trigger: %s", why);
	r = report(t);
	ASSERT_NE(NULL, r);
	main_th = ctrace_report_find_thread(r, main_tid);
	slow = ctrace_report_find_region(r, "slow");
	ASSERT_NE(NULL, main_th);
	ASSERT_NE(NULL, slow);
	TH_LOG("%s: main's wakeup latency max %.1f ms, preemption latency max %.1f ms, runnable %.1f ms; slow: %llu ended, %llu not",
	       why, main_th->wake_latency.max / 1e6, main_th->preempt_latency.max / 1e6,
	       main_th->state_ns[CTRACE_STATE_RUNNABLE] / 1e6,
	       (unsigned long long)slow->count, (unsigned long long)slow->incomplete);
	/* The trace agrees: the wait is in it, as time runnable.  (Usually
	 * as a wakeup's latency; in a slow guest the real-time thread may
	 * start first and it is a preemption's, or the wait may come from
	 * a wakeup the report does not pair: so the runnable time is what
	 * is asserted.  The slow region may end after the snapshot: it is
	 * taken as soon as the wait ends.) */
	EXPECT_LT(100000000ull, main_th->state_ns[CTRACE_STATE_RUNNABLE]);
	EXPECT_EQ(1, slow->count + slow->incomplete);
	ctrace_report_free(r);
	ctrace_trace_close(t);

	/* Over the threshold nothing waited: no snapshot. */
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, run(self, true, "--flight 1s --trigger-latency 2s", "latency"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "flight recorder: 0 snapshots")) TH_LOG("%s", self->out);
	EXPECT_FALSE(exists(self->base, 1));
}

TEST_F(flight, gap_and_count)
{
	SKIP_WITHOUT_MODULE();
	/* Triggers at 0, 0.1 and 1.3 s after the slow region: the second is
	 * within the gap; the third is the second snapshot, and the last. */
	ASSERT_EQ(0, run(self, variant->module, "--flight 1s --flight-gap 1 --flight-count 2",
			 "gaps")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "too soon after the last snapshot")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "flight recorder: 2 snapshots")) TH_LOG("%s", self->out);
	check_hiccup(_metadata, self, variant->module, 1, "ctrace_snapshot()", 800000000ull, 2.0);
	EXPECT_TRUE(exists(self->base, 2));
	EXPECT_FALSE(exists(self->base, 3));
}

TEST_F(flight, size_bound_under_a_storm)
{
	const uint64_t bound = 4u << 20, ring = 2u << 20;
	uint64_t slack = (uint64_t)ktest_possible_cpus() * ring + (256u << 10);
	unsigned long long storm = 0;
	const char *p;
	struct ctrace_report *r;
	struct ctrace_trace *t;
	char path[160];
	double mb = -1;
	struct stat st;

	SKIP_WITHOUT_MODULE();
	ASSERT_EQ(0, run(self, variant->module, "--flight 4M", "storm")) TH_LOG("%s", self->out);
	p = strstr(self->out, "storm ");
	ASSERT_NE(NULL, p);
	storm = strtoull(p + 6, NULL, 10);
	p = strstr(self->out, " lost, ");
	if (p && (p = strstr(p, "MB in memory")))
		while (p > self->out && p[-1] != ',')
			p--;
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	mb = strtod(p + 1, NULL);
	snap_name(self->base, 1, path, sizeof(path));
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", self->out);
	t = kt_open(path);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	r = report(t);
	ASSERT_NE(NULL, r);
	TH_LOG("storm of %llu counters; snapshot %lld bytes (bound %llu + %llu for one drain), %llu events in it (%llu lost); %.1f MB in memory at the end",
	       storm, (long long)st.st_size, (unsigned long long)bound,
	       (unsigned long long)slack, (unsigned long long)r->events,
	       (unsigned long long)r->lost_events, mb);
	/* The window holds the end of the storm, not all of it. */
	/* The window dropped the start of the storm (half of it, under TCG,
	 * on a quiet host) when the storm did not fit in the bound: a slow
	 * kernel (check-debug's) may make fewer counters than 4M holds.  The
	 * bound itself is the file's size, below. */
	if (r->events && storm * (uint64_t)st.st_size / r->events > bound + slack) {
		EXPECT_GT(storm * 9 / 10, r->events);
	} else {
		TH_LOG("the storm fit in the bound: nothing to drop");
	}
	EXPECT_LT(1000, r->events);
	EXPECT_GE(bound + slack, (uint64_t)st.st_size);
	EXPECT_GE((bound + slack) / 1e6, mb);
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

KTEST_HARNESS_MAIN
