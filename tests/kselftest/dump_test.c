// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-dump, the command: stopping on SIGINT/SIGTERM, on a duration or a
 * size limit; reading a session someone else created; its report and its
 * progress line; refusing bad arguments with a reason; --print.
 */
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "kselftest_harness.h"
#include "ctl.h"
#include "ktest.h"
#include "ktrace.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static void stops_cleanly_on(struct __test_metadata *_metadata, int sig)
{
	const char *trace = "/tmp/dump_signal.trace";
	struct ctrace_trace *t;
	int status;
	pid_t dump = fork();

	ASSERT_LE(0, dump);
	if (!dump) {
		execl(ktest_tool("ctrace-dump"), "ctrace-dump", "-q", "--all", "-o",
		      trace, (char *)NULL);
		_exit(127);
	}
	usleep(700000);
	kill(dump, sig);
	waitpid(dump, &status, 0);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(NULL, ctrace_trace_problem(t));
	EXPECT_EQ(0, kt_validate(t));
	ctrace_trace_close(t);
	unlink(trace);
}

TEST(sigint_stops_cleanly)
{
	stops_cleanly_on(_metadata, SIGINT);
}

TEST(sigterm_stops_cleanly)
{
	stops_cleanly_on(_metadata, SIGTERM);
}

TEST(size_limit)
{
	const char *trace = "/tmp/dump_size.trace";
	char args[8192], out[8192];
	double t0 = now();

	ktest_pin(ktest_nr_cpus_online() - 1);
	snprintf(args, sizeof(args), "-b 64k -s 100k -o %s -- %s storm 20 2", trace,
		 ktest_workload());
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	/* It stopped at the limit (at most one drain past it), not at 20 s. */
	EXPECT_GT(10, now() - t0);
	EXPECT_LE(100 * 1024, file_size(trace));
	EXPECT_GT(100 * 1024 + 2 * 64 * 1024 + 4096, file_size(trace));
	unlink(trace);
}

TEST(duration)
{
	const char *trace = "/tmp/dump_duration.trace";
	char args[8192], out[8192];
	double t0 = now(), took;

	snprintf(args, sizeof(args), "-d 0.5 --all -o %s", trace);
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	took = now() - t0;
	EXPECT_LE(0.5, took);
	EXPECT_GT(5, took);
	unlink(trace);
}

TEST(whole_system_while_a_command_runs)
{
	const char *trace = "/tmp/dump_all_cmd.trace";
	char args[8192], out[8192];
	struct ctrace_trace *t;
	double t0 = now(), took;

	/* As perf record -a -- cmd: the command says when to stop. */
	snprintf(args, sizeof(args), "--all -o %s -- sleep 0.4", trace);
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	took = now() - t0;
	EXPECT_LE(0.4, took);
	EXPECT_GT(5, took);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("all", ctrace_trace_meta(t, "target"));
	EXPECT_TRUE(ctrace_trace_complete(t));
	ctrace_trace_close(t);
	unlink(trace);
}

TEST(reads_a_session_created_elsewhere)
{
	const char *trace = "/tmp/dump_attach.trace";
	struct ctrace_session_opts o = { .target = CTRACE_TARGET_ALL, .clock = -1 };
	struct ctrace_session_info info;
	struct ctrace_ctl *ctl;
	struct ctrace_trace *t;
	char args[8192], out[8192], id[16];
	int err;

	ctl = ctrace_ctl_open(&err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, ctrace_ctl_session_new(ctl, &o, &info));
	snprintf(args, sizeof(args), "-d 0.5 --session %u -o %s", info.id, trace);
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	snprintf(id, sizeof(id), "%u", info.id);
	EXPECT_STREQ(id, ctrace_trace_meta(t, "session_id"));
	EXPECT_TRUE(ctrace_trace_complete(t));
	ctrace_trace_close(t);
	ctrace_session_info_free(&info);
	ctrace_ctl_close(ctl);
	unlink(trace);
}

TEST(report_and_print)
{
	const char *trace = "/tmp/dump_report.trace";
	char cmd[16384], out[20000];
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	uint64_t events = 0, lines = 0;
	char *p;

	snprintf(cmd, sizeof(cmd), "%s -o %s -- %s storm 0.2 2", ktest_tool("ctrace-dump"),
		 trace, ktest_workload());
	ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	/* Without -q: a report of what it wrote. */
	EXPECT_NE(NULL, strstr(out, "ctrace-dump: wrote /tmp/dump_report.trace: ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, " lost")) TH_LOG("%s", out);
	/* Not a terminal: no progress line. */
	EXPECT_EQ(NULL, strchr(out, '\r'));

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1)
		events++;
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	snprintf(cmd, sizeof(cmd), "%s --print %s | grep -c ': \\(switch\\|wakeup\\|fork\\|exec\\|exit\\|rename\\|migrate\\|thread\\|clock\\|lost\\) '",
		 ktest_tool("ctrace-dump"), trace);
	ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out)));
	lines = strtoull(out, &p, 10);
	EXPECT_EQ(events, lines);
	unlink(trace);
}

TEST(progress_on_a_terminal)
{
	const char *trace = "/tmp/dump_tty.trace";
	char cmd[16384], out[20000];

	/* script(1) gives ctrace-dump a terminal. */
	if (access("/usr/bin/script", X_OK))
		SKIP(return, "no script(1)");
	snprintf(cmd, sizeof(cmd), "script -qec '%s --all -d 2.5 -o %s' /dev/null",
		 ktest_tool("ctrace-dump"), trace);
	ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\rctrace-dump: ")) TH_LOG("%s", out);
	unlink(trace);
}

TEST(refuses_bad_arguments)
{
	char cmd[8192], out[8192];
	const char *dump = ktest_tool("ctrace-dump");

	snprintf(cmd, sizeof(cmd), "%s -e bogus --all", dump);
	EXPECT_EQ(2, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "bad event list")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s -o /tmp/x.trace", dump);
	EXPECT_EQ(2, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "give one target")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s --all --pid 1", dump);
	EXPECT_EQ(2, ktest_run(cmd, out, sizeof(out)));
	snprintf(cmd, sizeof(cmd), "%s -b 5000 --all -d 0.1 -o /tmp/x.trace", dump);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "power of two")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s --pid 1073741800 -o /tmp/x.trace", dump);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "pid does not exist")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s --all -d 0.1 -o /nonexistent/dir/x.trace", dump);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "cannot create")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s --print /etc/passwd", dump);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
	unlink("/tmp/x.trace");
}

TEST_HARNESS_MAIN
