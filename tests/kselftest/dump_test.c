// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-dump, the command: stopping on SIGINT/SIGTERM, on a duration or a
 * size limit; reading a session someone else created; its report and its
 * progress line; refusing bad arguments with a reason; --print.
 *
 * And the command-line conventions, for ctrace-dump and `ctrace record`
 * with the module and in user-only mode (natively too: built with
 * CTRACE_TEST_NO_MODULE, only those run, user-only):
 *   - the traced command's exit status is the tool's (128+N for a
 *     signal N); 127 (not found) and 126 (cannot run) leave no file,
 *     and stream nothing with -o -; a flight recorder does the same;
 *   - every numeric option out of range is refused (2) with its range;
 *   - --version, and `ctrace version`;
 *   - progress on a terminal and nothing elsewhere, for ctrace-dump,
 *     ctrace record and the subcommands that read files (user-only
 *     recordings, so natively too).
 */
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "kselftest_harness.h"
#include "ctl.h"
#include "ctrace_version.h"
#include "ktest.h"
#include "ktrace.h"

#ifndef CTRACE_TEST_NO_MODULE
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

#endif /* !CTRACE_TEST_NO_MODULE */

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
	EXPECT_EQ(2, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "power of two")) TH_LOG("%s", out);
#ifndef CTRACE_TEST_NO_MODULE
	/* In range, but no such process: the module says so. */
	snprintf(cmd, sizeof(cmd), "%s --pid 4194000 -o /tmp/x.trace", dump);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "pid does not exist")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s --all -d 0.1 -o /nonexistent/dir/x.trace", dump);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "cannot create")) TH_LOG("%s", out);
#endif
	snprintf(cmd, sizeof(cmd), "%s --print /etc/passwd", dump);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out)));
	unlink("/tmp/x.trace");
}

/*
 * The command-line conventions (docs/design.md, "Exit status"), for both
 * spellings of the recorder, with the module and without it.
 */
FIXTURE(cli) {
	char trace[128];
	char out[16384];
};

FIXTURE_VARIANT(cli) {
	const char *tool;	/* "ctrace-dump" or "ctrace record" */
	const char *mode;	/* "" (the module) or "--user-only" */
};

#ifndef CTRACE_TEST_NO_MODULE
FIXTURE_VARIANT_ADD(cli, dump_module) { .tool = "ctrace-dump", .mode = "" };
FIXTURE_VARIANT_ADD(cli, record_module) { .tool = "ctrace record", .mode = "" };
#endif
FIXTURE_VARIANT_ADD(cli, dump_user_only) { .tool = "ctrace-dump", .mode = "--user-only" };
FIXTURE_VARIANT_ADD(cli, record_user_only) { .tool = "ctrace record", .mode = "--user-only" };

FIXTURE_SETUP(cli)
{
	snprintf(self->trace, sizeof(self->trace), "/tmp/dump_cli_%d.trace", getpid());
	unlink(self->trace);
}

FIXTURE_TEARDOWN(cli)
{
	char path[160];

	unlink(self->trace);
	snprintf(path, sizeof(path), "/tmp/dump_cli_%d-1.trace", getpid());
	unlink(path);
}

/* Run the variant's tool: "[-o TRACE] ARGS"; its exit status. */
static int cli_run(FIXTURE_DATA(cli) *self, const FIXTURE_VARIANT(cli) *variant,
		   bool output, const char *args)
{
	char cmd[8192];
	bool record = !strncmp(variant->tool, "ctrace ", 7);

	snprintf(cmd, sizeof(cmd), "%s%s -q %s %s%s %s",
		 ktest_tool(record ? "ctrace" : "ctrace-dump"), record ? " record" : "",
		 variant->mode, output ? "-o " : "", output ? self->trace : "", args);
	return ktest_run(cmd, self->out, sizeof(self->out));
}

static bool exists(const char *path)
{
	return !access(path, F_OK);
}

TEST_F(cli, exit_status_is_the_commands)
{
	static const struct { const char *cmd; int status; } cases[] = {
		{ "-- sh -c 'exit 0'", 0 },
		{ "-- sh -c 'exit 7'", 7 },
		{ "-- sh -c 'exit 255'", 255 },
		{ "-- sh -c 'kill -KILL $$'", 128 + SIGKILL },
		{ "-- sh -c 'kill -TERM $$'", 128 + SIGTERM },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctrace_trace *t;

		unlink(self->trace);
		EXPECT_EQ(cases[i].status, cli_run(self, variant, true, cases[i].cmd))
			TH_LOG("%s %s: %s", variant->tool, cases[i].cmd, self->out);
		/* Whatever the command did, the trace is whole. */
		t = kt_open(self->trace);
		ASSERT_NE(NULL, t) TH_LOG("%s", cases[i].cmd);
		EXPECT_TRUE(ctrace_trace_complete(t));
		ctrace_trace_close(t);
	}
}

TEST_F(cli, stopped_by_the_tool_is_0)
{
	/* The duration ends the recording and the command: that is success. */
	EXPECT_EQ(0, cli_run(self, variant, true, "-d 0.3 -- sleep 10")) TH_LOG("%s", self->out);
	EXPECT_TRUE(exists(self->trace));
}

TEST_F(cli, cannot_run_leaves_no_file)
{
	char plain[64], script[64], busy[64], args[256], cmd[8192];
	static const struct { const char *what; int status; const char *said; } cases[] = {
		{ "/nonexistent/cmd", 127, "No such file" },
		{ "ctrace-no-such-command", 127, "command not found" },
		{ "PLAIN", 126, "Permission denied" },	/* not executable */
		{ "/tmp", 126, "Is a directory" },
		/* exec() fails after the checks pass: the file is removed */
		{ "SCRIPT", 127, "No such file" },	/* #! a missing interpreter */
		{ "BUSY", 126, "Text file busy" },	/* open for writing */
	};
	int fd, wfd;

	snprintf(plain, sizeof(plain), "/tmp/dump_cli_plain_%d", getpid());
	snprintf(script, sizeof(script), "/tmp/dump_cli_script_%d", getpid());
	snprintf(busy, sizeof(busy), "/tmp/dump_cli_busy_%d", getpid());
	fd = open(plain, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, write(fd, "#!/nonexistent/interp\n", 22));
	close(fd);
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", busy);
	ASSERT_EQ(0, ktest_run(cmd, self->out, sizeof(self->out)));
	wfd = open(busy, O_WRONLY);	/* held: exec() gets ETXTBSY */
	ASSERT_LE(0, wfd);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *what = !strcmp(cases[i].what, "PLAIN") ? plain :
				   !strcmp(cases[i].what, "SCRIPT") ? script :
				   !strcmp(cases[i].what, "BUSY") ? busy : cases[i].what;

		unlink(self->trace);
		snprintf(args, sizeof(args), "-- %s arg", what);
		EXPECT_EQ(cases[i].status, cli_run(self, variant, true, args))
			TH_LOG("%s: %s", what, self->out);
		EXPECT_FALSE(exists(self->trace)) TH_LOG("%s left %s", what, self->trace);
		EXPECT_NE(NULL, strstr(self->out, "cannot run")) TH_LOG("%s", self->out);
		EXPECT_NE(NULL, strstr(self->out, cases[i].said)) TH_LOG("%s", self->out);

		/* -o -: not a byte on standard output. */
		snprintf(args, sizeof(args), "-o - -- %s arg 2>/dev/null | wc -c", what);
		EXPECT_EQ(0, cli_run(self, variant, false, args));
		EXPECT_EQ(0, atoi(self->out)) TH_LOG("%s: %s bytes streamed", what, self->out);

		/* A flight recorder: no snapshot of a command that never ran. */
		snprintf(args, sizeof(args), "--flight 2s -- %s arg", what);
		EXPECT_EQ(cases[i].status, cli_run(self, variant, true, args))
			TH_LOG("--flight %s: %s", what, self->out);
		snprintf(cmd, sizeof(cmd), "/tmp/dump_cli_%d-1.trace", getpid());
		EXPECT_FALSE(exists(cmd));
		EXPECT_FALSE(exists(self->trace));
	}
	close(wfd);
	unlink(plain);
	unlink(script);
	unlink(busy);
}

TEST_F(cli, flight_recorder_keeps_the_status)
{
	char snap[128];

	snprintf(snap, sizeof(snap), "/tmp/dump_cli_%d-1.trace", getpid());
	/* The command failing is a trigger, and its status is still ours. */
	EXPECT_EQ(5, cli_run(self, variant, true, "--flight 2s -- sh -c 'sleep 0.2; exit 5'"))
		TH_LOG("%s", self->out);
	EXPECT_TRUE(exists(snap));
	unlink(snap);
	EXPECT_EQ(0, cli_run(self, variant, true, "--flight 2s -- true")) TH_LOG("%s", self->out);
	EXPECT_FALSE(exists(snap));
}

/* Every numeric option of ctrace-dump and of each ctrace subcommand: a
 * value out of range (or not a number) is a usage error naming the option
 * and its range, and nothing is recorded. */
static const struct {
	const char *tool;	/* "ctrace-dump" or "ctrace" */
	const char *args;
	const char *said;	/* the option and its range */
} out_of_range[] = {
	{ "ctrace-dump", "--buffer-size 0", "--buffer-size '0': a power of two from 4K to 256M" },
	{ "ctrace-dump", "-b 5000", "a power of two from 4K to 256M" },
	{ "ctrace-dump", "-b 512M", "a power of two from 4K to 256M" },
	{ "ctrace-dump", "-b 99999999999999999999", "a power of two from 4K to 256M" },
	{ "ctrace-dump", "-b 1M1", "a power of two from 4K to 256M" },
	{ "ctrace-dump", "--duration 0", "--duration '0': a time from 1ms to 720h" },
	{ "ctrace-dump", "-d -1", "a time from 1ms to 720h" },
	{ "ctrace-dump", "-d nan", "a time from 1ms to 720h" },
	{ "ctrace-dump", "-d inf", "a time from 1ms to 720h" },
	{ "ctrace-dump", "-d 1e3", "a time from 1ms to 720h" },
	{ "ctrace-dump", "-d 10x", "a time from 1ms to 720h" },
	{ "ctrace-dump", "-d 721h", "a time from 1ms to 720h" },
	{ "ctrace-dump", "--size-limit 0", "--size-limit '0': a size from 4K to 16T" },
	{ "ctrace-dump", "-s 99999999999G", "a size from 4K to 16T" },
	{ "ctrace-dump", "-s 1k", "a size from 4K to 16T" },
	{ "ctrace-dump", "--pid 0", "--pid '0': IDs from 1 to 4194304" },
	{ "ctrace-dump", "-p -5", "IDs from 1 to 4194304" },
	{ "ctrace-dump", "-p 4194305", "IDs from 1 to 4194304" },
	{ "ctrace-dump", "-p 1,,2", "IDs from 1 to 4194304" },
	{ "ctrace-dump", "--session 0", "--session '0': a whole number from 1 to 4294967295" },
	{ "ctrace-dump", "-S 4294967296", "a whole number from 1 to 4294967295" },
	{ "ctrace-dump", "--flight 0", "--flight '0': a time from 1ms to 24h" },
	{ "ctrace-dump", "--flight 25h", "or a size from 1M to 64G" },
	{ "ctrace-dump", "--flight 65G", "or a size from 1M to 64G" },
	{ "ctrace-dump", "--flight 10s --flight-max 1k", "--flight-max '1k': a size from 1M to 64G" },
	{ "ctrace-dump", "--flight 10s --flight-count 0", "--flight-count '0': a whole number from 1 to 4294967295" },
	{ "ctrace-dump", "--flight 10s --flight-count 4294967296", "from 1 to 4294967295" },
	{ "ctrace-dump", "--flight 10s --flight-gap -1", "--flight-gap '-1': a time from 0 to 24h" },
	{ "ctrace-dump", "--flight 10s --flight-gap nan", "a time from 0 to 24h" },
	{ "ctrace-dump", "--flight 10s --trigger-region slow:0", "--trigger-region time '0': a time from 1us to 24h" },
	{ "ctrace-dump", "--flight 10s --trigger-region slow", "--trigger-region 'slow': NAME:TIME" },
	{ "ctrace-dump", "--flight 10s --trigger-latency 0", "--trigger-latency '0': a time from 1us to 1min" },
	{ "ctrace-dump", "--flight 10s --trigger-latency 61s", "a time from 1us to 1min" },
	{ "ctrace", "record -b 0", "--buffer-size '0': a power of two from 4K to 256M" },
	{ "ctrace", "record -d 0", "--duration '0': a time from 1ms to 720h" },
	{ "ctrace", "report --top -1 x.trace", "--top '-1': a whole number from 0 to 1000000" },
	{ "ctrace", "report --top 1000001 x.trace", "from 0 to 1000000" },
	{ "ctrace", "report --task 0 x.trace", "--task '0': a whole number from 1 to 18446744073709551615" },
	{ "ctrace", "report --task 18446744073709551616 x.trace", "from 1 to 18446744073709551615" },
	{ "ctrace", "report --window 2:1 x.trace", "--window '2:1': FROM:TO" },
	{ "ctrace", "report --window 0:nan x.trace", "from 0 to 8760h" },
	{ "ctrace", "report --window -1:2 x.trace", "from 0 to 8760h" },
	{ "ctrace", "report --events --tid 0 x.trace", "--tid '0': IDs from 1 to 4194304" },
	{ "ctrace", "export --max-size 0 x.trace", "--max-size '0': a size from 64K to 1T" },
	{ "ctrace", "export --max-size 2T x.trace", "a size from 64K to 1T" },
	{ "ctrace", "view --max-size 1k x.trace", "--max-size '1k': a size from 64K to 64G" },
	{ "ctrace", "view --serve 65536 x.trace", "--serve '65536': [ADDR:]PORT, PORT from 0" },
	{ "ctrace", "view --serve 127.0.0.1:-1 x.trace", "PORT from 0 (any free one) to 65535" },
	{ "ctrace", "top -d 0.1 --", "--delay '0.1': a time from 200ms to 1h" },
	{ "ctrace", "top -d 2h --", "a time from 200ms to 1h" },
	{ "ctrace", "top -n 0 --", "--frames '0': a whole number from 1 to 1000000000" },
	{ "ctrace", "top --pid 0", "--pid '0': IDs from 1 to 4194304" },
	{ "ctrace", "snapshot 0", "SESSION '0': a whole number from 1 to 4294967295" },
	{ "ctrace", "snapshot 4294967296", "a whole number from 1 to 4294967295" },
};

TEST(out_of_range_options_are_refused_with_their_range)
{
	const char *trace = "/tmp/dump_range.trace";
	char cmd[8192], out[8192];

	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
		bool dump = !strcmp(out_of_range[i].tool, "ctrace-dump");
		bool record = !strncmp(out_of_range[i].args, "record ", 7);

		unlink(trace);
		snprintf(cmd, sizeof(cmd), "%s %s%s%s", ktest_tool(out_of_range[i].tool),
			 out_of_range[i].args, dump || record ? " -o " : "",
			 dump || record ? trace : "");
		if (dump || record || !strncmp(out_of_range[i].args, "top ", 4))
			strcat(cmd, strstr(cmd, " --pid") ? "" : " -- true");
		EXPECT_EQ(2, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, out_of_range[i].said))
			TH_LOG("%s: said '%s', not '%s'", cmd, out, out_of_range[i].said);
		EXPECT_FALSE(exists(trace)) TH_LOG("%s", cmd);
	}
}

TEST(version)
{
	static const char *const tools[] = {
		"ctrace-dump --version", "ctrace-dump -V", "ctrace --version", "ctrace version",
	};
	char cmd[8192], out[8192], want[64];

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s%s", ktest_tool(""), tools[i]);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		snprintf(want, sizeof(want), " %s\n", CTRACE_VERSION);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s: %s", cmd, out);
		snprintf(want, sizeof(want), "module ABI %u ", CTRACE_ABI_VERSION);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s: %s", cmd, out);
		snprintf(want, sizeof(want), "trace file format %u\n", CTRACE_FILE_VERSION);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s: %s", cmd, out);
	}
	/* The file says which version wrote it. */
	snprintf(cmd, sizeof(cmd), "%s -q --user-only -o /tmp/dump_version.trace -- true",
		 ktest_tool("ctrace-dump"));
	ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	{
		struct ctrace_trace *t = kt_open("/tmp/dump_version.trace");

		ASSERT_NE(NULL, t);
		EXPECT_STREQ(CTRACE_VERSION, ctrace_trace_meta(t, "ctrace_version"));
		ctrace_trace_close(t);
	}
	unlink("/tmp/dump_version.trace");
}

/*
 * Progress on a terminal, nothing elsewhere (ttyline.h, progress.c): each
 * long operation under a pseudo-terminal (script(1)) shows its line and
 * blanks it at the end; with stderr a file or a pipe, stderr has no '\r'
 * and no '%'; -q shows nothing.  CTRACE_PROGRESS_INTERVAL=0 redraws at
 * every step (1/128 of a pass, every drain for a recorder), so a small
 * file shows updates too.  User-only recordings, and nothing here depends
 * on the module: these run natively only (the host stage), where they take
 * seconds, not the minutes they would under the VM's emulation.
 */
#ifdef CTRACE_TEST_NO_MODULE
#define PROGRESS_TRACE	"/tmp/dump_progress.trace"
#define PROGRESS_ENV	"CTRACE_PROGRESS_INTERVAL=0"

static const struct {
	const char *tool;	/* "ctrace-dump" or "ctrace" */
	const char *args;	/* %s: the trace */
	const char *line;	/* what the progress line starts with */
} progress_ops[] = {
	{ "ctrace", "validate %s", "ctrace validate: " },
	{ "ctrace", "report %s", "ctrace report: " },
	{ "ctrace", "report --events %s", "ctrace report: " },
	{ "ctrace", "export -o /tmp/dump_progress.pf %s", "ctrace export: " },
	{ "ctrace", "export -f json -o /tmp/dump_progress.json %s", "ctrace export: " },
	{ "ctrace", "view --no-open -o /tmp/dump_progress.html %s", "ctrace view: " },
};

/* Did the last progress line ("\r" @line, then a figure, "pass N" or
 * "indexing") get blanked: "\r   \r"? */
static bool blanked(const char *out, const char *line)
{
	char want[64];
	const char *p, *q, *last = NULL;
	size_t n = 0;

	snprintf(want, sizeof(want), "\r%s", line);
	for (p = out; (p = strstr(p, want)); p++) {
		q = p + strlen(want);
		if (isdigit((unsigned char)*q) || !strncmp(q, "pass ", 5) ||
		    !strncmp(q, "indexing ", 9))
			last = p;
	}
	if (!last || !(p = strchr(last + 1, '\r')))
		return false;
	while (p[1 + n] == ' ')
		n++;
	return n > 0 && p[1 + n] == '\r';
}

static void progress_trace(struct __test_metadata *_metadata)
{
	char cmd[16384], out[8192];

	snprintf(cmd, sizeof(cmd), "%s -q --user-only -o %s -- %s stress 2 20000 /tmp/dump_progress.info",
		 ktest_tool("ctrace-dump"), PROGRESS_TRACE, ktest_uprog());
	ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
}

TEST(progress_of_reading_on_a_terminal_only)
{
	static char out[1 << 17];
	char cmd[16384], args[1024], want[64];

	if (access("/usr/bin/script", X_OK))
		SKIP(return, "no script(1)");
	progress_trace(_metadata);
	for (size_t i = 0; i < sizeof(progress_ops) / sizeof(progress_ops[0]); i++) {
		snprintf(args, sizeof(args), progress_ops[i].args, PROGRESS_TRACE);
		snprintf(want, sizeof(want), "\r%s", progress_ops[i].line);
		/* A terminal (stdout elsewhere: report's would fill the buffer). */
		snprintf(cmd, sizeof(cmd), "%s script -qec '%s %s > /dev/null' /dev/null",
			 PROGRESS_ENV, ktest_tool(progress_ops[i].tool), args);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s: no progress: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, "% (")) TH_LOG("%s: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, " MB)")) TH_LOG("%s: %s", cmd, out);
		EXPECT_TRUE(blanked(out, progress_ops[i].line)) TH_LOG("%s: not blanked: %s", cmd, out);
		/* -q: none. */
		snprintf(cmd, sizeof(cmd), "%s script -qec '%s %s -q > /dev/null' /dev/null",
			 PROGRESS_ENV, ktest_tool(progress_ops[i].tool), args);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strstr(out, want)) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '%')) TH_LOG("%s: %s", cmd, out);
		/* stderr a file, then a pipe: not a byte of progress. */
		snprintf(cmd, sizeof(cmd), "%s %s %s > /dev/null 2> /tmp/dump_progress.err; cat /tmp/dump_progress.err",
			 PROGRESS_ENV, ktest_tool(progress_ops[i].tool), args);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '\r')) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '%')) TH_LOG("%s: %s", cmd, out);
		snprintf(cmd, sizeof(cmd), "%s %s %s 2>&1 > /dev/null | cat",
			 PROGRESS_ENV, ktest_tool(progress_ops[i].tool), args);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '\r')) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '%')) TH_LOG("%s: %s", cmd, out);
	}
	/* --events printing to the terminal itself: no line to tear them. */
	snprintf(cmd, sizeof(cmd), "%s script -qec '%s report --events %s' /dev/null | grep -ac 'ctrace report: [0-9p]'",
		 PROGRESS_ENV, ktest_tool("ctrace"), PROGRESS_TRACE);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", cmd);
	EXPECT_STREQ("0\n", out) TH_LOG("%s: %s", cmd, out);
	/* Nor an export written to the terminal (JSON: text). */
	snprintf(cmd, sizeof(cmd), "%s script -qec '%s export -f json -o - %s' /dev/null | grep -ac 'ctrace export: [0-9p]'",
		 PROGRESS_ENV, ktest_tool("ctrace"), PROGRESS_TRACE);
	EXPECT_EQ(1, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", cmd);
	EXPECT_STREQ("0\n", out) TH_LOG("%s: %s", cmd, out);
	/* A verdict after a pass starts on a clean line. */
	snprintf(cmd, sizeof(cmd), "%s script -qec '%s validate %s' /dev/null",
		 PROGRESS_ENV, ktest_tool("ctrace"), PROGRESS_TRACE);
	ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
	EXPECT_NE(NULL, strstr(out, "\rvalid: ")) TH_LOG("%s: %s", cmd, out);
	unlink(PROGRESS_TRACE);
	unlink("/tmp/dump_progress.pf");
	unlink("/tmp/dump_progress.json");
	unlink("/tmp/dump_progress.html");
	unlink("/tmp/dump_progress.err");
	unlink("/tmp/dump_progress.info");
}

/* ctrace-dump and ctrace record, recording user events (no module). */
TEST(progress_of_recording_on_a_terminal_only)
{
	static const char *const tools[] = { "ctrace-dump", "ctrace record" };
	static char out[1 << 17];
	char cmd[16384], rec[8400];

	if (access("/usr/bin/script", X_OK))
		SKIP(return, "no script(1)");
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		snprintf(rec, sizeof(rec), "%s%s --user-only -o %s -- %s rate 2000 0.5 /tmp/dump_progress.info",
			 ktest_tool(""), tools[i], PROGRESS_TRACE, ktest_uprog());
		snprintf(cmd, sizeof(cmd), "%s script -qec '%s' /dev/null", PROGRESS_ENV, rec);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, "\rctrace-dump: ")) TH_LOG("%s: no progress: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, " events, ")) TH_LOG("%s: %s", cmd, out);
		/* Blanked, and the summary in its place. */
		EXPECT_TRUE(blanked(out, "ctrace-dump: ")) TH_LOG("%s: not blanked: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, "\rctrace-dump: wrote ")) TH_LOG("%s: %s", cmd, out);
		snprintf(cmd, sizeof(cmd), "%s %s 2> /tmp/dump_progress.err; cat /tmp/dump_progress.err",
			 PROGRESS_ENV, rec);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_NE(NULL, strstr(out, "ctrace-dump: wrote ")) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '\r')) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '%')) TH_LOG("%s: %s", cmd, out);
		snprintf(cmd, sizeof(cmd), "%s %s 2>&1 | cat", PROGRESS_ENV, rec);
		ASSERT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s: %s", cmd, out);
		EXPECT_EQ(NULL, strchr(out, '\r')) TH_LOG("%s: %s", cmd, out);
	}
	unlink(PROGRESS_TRACE);
	unlink("/tmp/dump_progress.err");
	unlink("/tmp/dump_progress.info");
}
#endif /* CTRACE_TEST_NO_MODULE */

KTEST_HARNESS_MAIN
