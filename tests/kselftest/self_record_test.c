// SPDX-License-Identifier: GPL-2.0
/*
 * Recording from inside the program: ctrace_start() and ctrace_stop() in
 * libctrace (tools/lib/record.c), driven by tests/progs/ctrace-uself, the
 * runtime/trace example's shape (a task per order; two threads in
 * regions that write and read a file; a log).  Each case runs with the
 * module (the file has the scheduler's events for the program's threads;
 * skipped where it is not loaded) and in user-only mode (no module, or
 * CTRACE_START_USER_ONLY); natively (make check's "host" stage, built
 * with CTRACE_TEST_NO_MODULE) the user-only variant only.
 *
 * Every file is opened with the tracefile library, validated, and the
 * report's analyses count what the program did:
 *   stop   ctrace_stop(): every region, task and log, and the file ends;
 *   exit   no ctrace_stop(): the atexit flush ends the file all the same;
 *   kill   SIGKILL after a drain: the file decodes, says it did not end,
 *          and holds everything the reader had drained;
 *   twice  a second ctrace_start() is refused with -EBUSY;
 *   fork   a child forked while recording is not in the parent's file,
 *          and records itself into its own;
 *   env    CTRACE_TRACE=FILE starts it when the library loads.
 */
#include <errno.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "ktest.h"
#include "ktrace.h"
#include "report.h"

#define ORDERS 20

/* How a run records: the variant, and whether the module is there. */
enum rec_mode {
	REC_MODULE,		/* scheduler and user events */
	REC_MODULE_USER,	/* CTRACE_START_USER_ONLY: a session of user events */
	REC_NO_MODULE,		/* user events, our own ring set */
};

FIXTURE(self) {
	bool no_module;
	enum rec_mode mode;
	char trace[128];
};

FIXTURE_VARIANT(self) {
	bool module;
};

#ifndef CTRACE_TEST_NO_MODULE
FIXTURE_VARIANT_ADD(self, module) {
	.module = true,
};
#endif

FIXTURE_VARIANT_ADD(self, user_only) {
	.module = false,
};

FIXTURE_SETUP(self)
{
	self->no_module = variant->module && access(CTRACE_DEVICE_PATH, F_OK);
	self->mode = variant->module ? REC_MODULE :
		     access(CTRACE_DEVICE_PATH, F_OK) ? REC_NO_MODULE : REC_MODULE_USER;
	snprintf(self->trace, sizeof(self->trace), "/tmp/self-%d.trace", getpid());
}

FIXTURE_TEARDOWN(self)
{
	char child[160];

	snprintf(child, sizeof(child), "%s.child", self->trace);
	unlink(self->trace);
	unlink(child);
}

/* Run ctrace-uself; its exit status, its output in @out. */
static int run(const char *env, const char *file, const char *how, bool module,
	       char *out, size_t size)
{
	char cmd[8192];
	const char *b = getenv("CTRACE_BUILD");

	snprintf(cmd, sizeof(cmd), "%s %s/tests/progs/ctrace-uself %s %d %s %s", env,
		 b ? b : "build", file, ORDERS, how, module ? "" : "user-only");
	return ktest_run(cmd, out, size);
}

static struct ctrace_report *report(struct ctrace_trace *t)
{
	struct ctrace_report_opts o = { .sections = CTRACE_RS_ALL, .top = 0 };
	struct ctrace_report *r = NULL;

	return ctrace_report_run(t, &o, &r, stderr) ? NULL : r;
}

/* What every recording of the program holds. */
static void check_trace(struct __test_metadata *_metadata, const char *path,
			enum rec_mode mode, bool complete)
{
	static const char *const regions[] = { "steamMilk", "extractCoffee", "mixMilkCoffee" };
	const struct ctrace_report_region *steam;
	const struct ctrace_report_task *task;
	struct ctrace_trace *t = kt_open(path);
	struct ctrace_report *r;
	const char *who, *uo, *rtid;

	ASSERT_NE(NULL, t);
	who = ctrace_trace_meta(t, "recorder");
	uo = ctrace_trace_meta(t, "user_only");
	rtid = ctrace_trace_meta(t, "recorder_tid");
	ASSERT_NE(NULL, who);
	ASSERT_NE(NULL, uo);
	ASSERT_NE(NULL, rtid);
	EXPECT_STREQ("libctrace", who);
	EXPECT_STREQ(mode == REC_NO_MODULE ? "1" : "0", uo);
	EXPECT_EQ(complete, ctrace_trace_complete(t));
	EXPECT_EQ(0, kt_validate(t));
	r = report(t);
	ASSERT_NE(NULL, r);
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		const struct ctrace_report_region *g = ctrace_report_find_region(r, regions[i]);

		ASSERT_NE(NULL, g) TH_LOG("no region %s", regions[i]);
		EXPECT_EQ(ORDERS, g->count) TH_LOG("region %s", regions[i]);
	}
	EXPECT_EQ(NULL, ctrace_report_find_region(r, "child"));
	task = ctrace_report_find_task(r, "makeCappuccino");
	ASSERT_NE(NULL, task);
	EXPECT_EQ(ORDERS, task->count);
	EXPECT_EQ(3, task->threads_max);
	EXPECT_EQ(3 * ORDERS, task->regions);
	EXPECT_EQ(ORDERS, task->logs);
	steam = ctrace_report_find_region(r, "steamMilk");
	TH_LOG("%s: %zu threads; steamMilk %.3f ms: sleeping %.3f ms, unknown %.3f ms",
	       path, r->nr_threads, steam->duration.sum / 1e6,
	       steam->state_ns[CTRACE_STATE_SLEEPING] / 1e6,
	       steam->state_ns[CTRACE_STATE_UNKNOWN] / 1e6);
	if (mode == REC_MODULE) {
		const struct ctrace_report_thread *reader =
			ctrace_report_find_thread(r, strtoul(rtid, NULL, 10));

		/* The scheduler's view: the milk sleeps inside its region;
		 * the reader thread is there, under its name. */
		EXPECT_LT(ORDERS * 1000000ull, steam->state_ns[CTRACE_STATE_SLEEPING]);
		EXPECT_LE(2 * ORDERS + 1, r->nr_threads);
		ASSERT_NE(NULL, reader);
		EXPECT_STREQ("ctrace-reader", reader->comm);
	} else {
		/* No scheduler events: the regions' thread states unknown. */
		EXPECT_STREQ("0x10", ctrace_trace_meta(t, "events"));
		EXPECT_EQ(steam->duration.sum, steam->state_ns[CTRACE_STATE_UNKNOWN]);
	}
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

#define SKIP_WITHOUT_MODULE() do {					\
	if (self->no_module)						\
		SKIP(return, "ctrace.ko is not loaded");		\
} while (0)

TEST_F(self, stop)
{
	char out[4096];

	SKIP_WITHOUT_MODULE();
	ASSERT_EQ(0, run("", self->trace, "stop", variant->module, out, sizeof(out))) TH_LOG("%s", out);
	check_trace(_metadata, self->trace, self->mode, true);
}

TEST_F(self, exit_without_stop)
{
	char out[4096];

	SKIP_WITHOUT_MODULE();
	ASSERT_EQ(0, run("", self->trace, "exit", variant->module, out, sizeof(out))) TH_LOG("%s", out);
	check_trace(_metadata, self->trace, self->mode, true);
}

TEST_F(self, killed)
{
	char out[4096];

	SKIP_WITHOUT_MODULE();
	/* The shell reports the signal as 128 + 9. */
	ASSERT_EQ(128 + SIGKILL, run("", self->trace, "kill", variant->module, out, sizeof(out)))
		TH_LOG("%s", out);
	check_trace(_metadata, self->trace, self->mode, false);
}

TEST_F(self, second_start_busy)
{
	char out[4096];

	SKIP_WITHOUT_MODULE();
	ASSERT_EQ(0, run("", self->trace, "twice", variant->module, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "second start: -16 a trace is being recorded already"))
		TH_LOG("%s", out);
	check_trace(_metadata, self->trace, self->mode, true);
}

TEST_F(self, fork_child_records_itself)
{
	const struct ctrace_report_region *g;
	struct ctrace_report *r;
	struct ctrace_trace *t;
	char out[4096], child[160];

	SKIP_WITHOUT_MODULE();
	ASSERT_EQ(0, run("", self->trace, "fork", variant->module, out, sizeof(out))) TH_LOG("%s", out);
	check_trace(_metadata, self->trace, self->mode, true);
	snprintf(child, sizeof(child), "%s.child", self->trace);
	t = kt_open(child);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	r = report(t);
	ASSERT_NE(NULL, r);
	g = ctrace_report_find_region(r, "child");
	TH_LOG("the child's file: %zu threads, %llu regions \"child\"", r->nr_threads,
	       g ? (unsigned long long)g->count : 0ull);
	if (self->mode == REC_NO_MODULE) {
		/* The five after its own ctrace_start(), not the five before. */
		ASSERT_NE(NULL, g);
		EXPECT_EQ(5, g->count);
	} else {
		/*
		 * The user's ring set has one reader, the parent's session,
		 * which does not trace the child: the child's user events
		 * are in neither file (docs/design.md, "User events").  Its
		 * scheduler events are in its own.
		 */
		EXPECT_EQ(NULL, g);
		if (self->mode == REC_MODULE)
			EXPECT_LE(1, r->nr_threads);
	}
	EXPECT_EQ(NULL, ctrace_report_find_region(r, "steamMilk"));
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

TEST_F(self, environment)
{
	char out[4096], env[256];

	SKIP_WITHOUT_MODULE();
	/* CTRACE_TRACE takes the defaults: the module when it is loaded. */
	if (self->mode == REC_MODULE_USER)
		SKIP(return, "the module is loaded: CTRACE_TRACE uses it (the module variant)");
	snprintf(env, sizeof(env), "CTRACE_TRACE=%s", self->trace);
	ASSERT_EQ(0, run(env, self->trace, "env", variant->module, out, sizeof(out))) TH_LOG("%s", out);
	check_trace(_metadata, self->trace, self->mode, true);
}

KTEST_HARNESS_MAIN
