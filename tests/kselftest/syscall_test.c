// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall event group (kmod/syscall.c): entry and exit of the traced
 * threads' system calls, with the number and the return value, named from
 * the kernel's own table (tools/build/gen-syscalls.sh).
 *
 * The workload (tests/progs/ctrace-workload syscalls) makes N getppid()
 * calls, three 10 ms nanosleep()s, N one-byte write()s and one open()
 * that fails with ENOENT.  Recorded with -e all,syscall, the file must
 * hold exactly those calls of its thread, each exit with its return
 * value, and the report must count them (the sleeps as blocking, the
 * failed open as an error).  Without the group (the default), and for a
 * process the session does not trace, there must be none.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ktest.h"
#include "ktrace.h"
#include "report.h"

#define N 200

struct calls {
	unsigned int getppid_enter, getppid_exit, getppid_ret_ok;
	unsigned int nanosleep_exit, write_exit, write_ret_ok;
	unsigned int open_enoent, other_tid, any;
};

/* Record the workload; its tid and ppid from INFO. */
static int record(const char *events, const char *trace, uint32_t *tid, uint32_t *ppid)
{
	char args[8192], out[4096], info[64], buf[128];

	snprintf(info, sizeof(info), "/tmp/sc-%d.info", getpid());
	snprintf(args, sizeof(args), "%s -o %s -- %s syscalls %d %s", events, trace,
		 ktest_workload(), N, info);
	if (ktest_dump(args, out, sizeof(out))) {
		fprintf(stderr, "# %s\n", out);
		return -1;
	}
	if (ktest_read_file(info, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%u %u", tid, ppid) != 2)
		return -1;
	unlink(info);
	return 0;
}

static void count(struct ctrace_trace *t, uint32_t tid, uint32_t ppid, struct calls *c)
{
	struct ctrace_cursor *cur;
	struct ctrace_event ev;

	memset(c, 0, sizeof(*c));
	if (ctrace_cursor_new(t, &cur))
		return;
	while (ctrace_cursor_next(cur, &ev) > 0) {
		const struct ctrace_krec_syscall_exit *x = KT_REC(&ev, struct ctrace_krec_syscall_exit);
		uint16_t nr = ev.aux & CTRACE_SYSCALL_NR_MASK;

		if (ev.kind != CTRACE_RING_KERNEL || (ev.type != CTRACE_KREC_SYSCALL_ENTER &&
						      ev.type != CTRACE_KREC_SYSCALL_EXIT))
			continue;
		c->any++;
		/* Both records begin with the header and the tid. */
		if (x->tid != tid) {
			c->other_tid++;
			continue;
		}
		if (ev.type == CTRACE_KREC_SYSCALL_ENTER) {
			c->getppid_enter += nr == SYS_getppid;
			continue;
		}
		if (nr == SYS_getppid) {
			c->getppid_exit++;
			c->getppid_ret_ok += x->ret == (int64_t)ppid;
		}
		c->nanosleep_exit += nr == SYS_nanosleep || nr == SYS_clock_nanosleep;
		if (nr == SYS_write) {
			c->write_exit++;
			c->write_ret_ok += x->ret == 1;
		}
		c->open_enoent += (nr == SYS_open || nr == SYS_openat) && x->ret == -ENOENT;
	}
	ctrace_cursor_free(cur);
}

/* The count of lines of a command's output, or -1. */
static int lines_of(const char *cmd)
{
	char out[64];

	if (ktest_run(cmd, out, sizeof(out)))
		return -1;
	return atoi(out);
}

/*
 * In the exporters, read back by real readers: every getppid() a slice of
 * its own in the Chrome JSON (python's json) and in the Perfetto protobuf
 * (protoc, with our schema of Perfetto's messages).
 */
static void check_exports(struct __test_metadata *_metadata, const char *trace)
{
	const char *b = getenv("CTRACE_BUILD");
	char cmd[20000], proto[4200];
	int n;

	snprintf(cmd, sizeof(cmd), "%s export --format json -o %s.json %s > /dev/null && "
		 "python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))[\"traceEvents\"]; "
		 "print(sum(1 for x in e if x.get(\"cat\") == \"syscall\" and x[\"name\"] == \"getppid\"))' %s.json",
		 ktest_tool("ctrace"), trace, trace, trace);
	n = lines_of(cmd);
	TH_LOG("JSON: %d getppid slices", n);
	EXPECT_EQ(N + 1, n);
	snprintf(proto, sizeof(proto), "%s/../tests/export", b ? b : "build");
	snprintf(cmd, sizeof(cmd), "%s export -o %s.pf %s > /dev/null && "
		 "protoc --proto_path=%s --decode=perfetto.protos.Trace ctrace_perfetto.proto < %s.pf | "
		 "grep -c 'name: \"getppid\"'", ktest_tool("ctrace"), trace, trace, proto, trace);
	n = lines_of(cmd);
	TH_LOG("Perfetto, as protoc decodes it: %d getppid slices", n);
	EXPECT_EQ(N + 1, n);
	snprintf(cmd, sizeof(cmd), "%s.json", trace);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s.pf", trace);
	unlink(cmd);
}

TEST(syscalls_of_the_traced_thread)
{
	const struct ctrace_report_thread *th;
	const struct ctrace_report_syscall *sleep = NULL, *open_ = NULL, *ppid_ = NULL;
	struct ctrace_report_opts o = { .sections = CTRACE_RS_ALL };
	struct ctrace_report *r = NULL;
	char trace[64], name[24];
	struct ctrace_trace *t;
	uint32_t tid, ppid;
	struct calls c;

	snprintf(trace, sizeof(trace), "/tmp/sc-%d.trace", getpid());
	ASSERT_EQ(0, record("-e all,syscall", trace, &tid, &ppid));
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	count(t, tid, ppid, &c);
	TH_LOG("%u syscall records; getppid %u/%u (ret ok %u), nanosleep %u, write %u (ret ok %u), open ENOENT %u; other threads %u",
	       c.any, c.getppid_enter, c.getppid_exit, c.getppid_ret_ok, c.nanosleep_exit,
	       c.write_exit, c.write_ret_ok, c.open_enoent, c.other_tid);
	/* N, and the one of ctrace-workload's main() (is its parent alive?) */
	EXPECT_EQ(N + 1, c.getppid_enter);
	EXPECT_EQ(N + 1, c.getppid_exit);
	EXPECT_EQ(N + 1, c.getppid_ret_ok);
	EXPECT_EQ(3, c.nanosleep_exit);
	EXPECT_LE(N, c.write_exit);
	EXPECT_LE(N, c.write_ret_ok);
	EXPECT_EQ(1, c.open_enoent);

	/* The names come from the table; the report counts and splits. */
	EXPECT_STREQ("getppid", ctrace_syscall_name(SYS_getppid, name, sizeof(name)));
	EXPECT_STREQ("syscall_32000", ctrace_syscall_name(32000, name, sizeof(name)));
	ASSERT_EQ(0, ctrace_report_run(t, &o, &r, stderr));
	for (size_t i = 0; i < r->nr_syscalls; i++) {
		if (!strcmp(r->syscalls[i].name, "nanosleep") ||
		    !strcmp(r->syscalls[i].name, "clock_nanosleep"))
			sleep = &r->syscalls[i];
		if (!strcmp(r->syscalls[i].name, "getppid"))
			ppid_ = &r->syscalls[i];
		if (!strcmp(r->syscalls[i].name, "openat") || !strcmp(r->syscalls[i].name, "open"))
			open_ = open_ && open_->errors ? open_ : &r->syscalls[i];
	}
	ASSERT_NE(NULL, sleep);
	ASSERT_NE(NULL, ppid_);
	ASSERT_NE(NULL, open_);
	EXPECT_EQ(3, sleep->count);
	EXPECT_EQ(3, sleep->blocking);
	EXPECT_LE(30000000ull, sleep->duration.sum);
	EXPECT_LE(27000000ull, sleep->off_cpu_ns);
	EXPECT_EQ(N + 1, ppid_->count);
	EXPECT_EQ(0, ppid_->blocking);
	EXPECT_LE(1, open_->errors);
	th = ctrace_report_find_thread(r, tid);
	ASSERT_NE(NULL, th);
	TH_LOG("syscaller: %llu syscalls, %.3f ms in them, %llu blocking; nanosleep %.3f ms (%.3f ms off the CPU)",
	       (unsigned long long)th->syscalls, th->syscall_ns / 1e6,
	       (unsigned long long)th->blocking_syscalls, sleep->duration.sum / 1e6,
	       sleep->off_cpu_ns / 1e6);
	EXPECT_LE(2 * N + 4, th->syscalls);
	EXPECT_LE(3, th->blocking_syscalls);
	EXPECT_LE(30000000ull, th->syscall_ns);
	ctrace_report_free(r);
	ctrace_trace_close(t);
	check_exports(_metadata, trace);
	unlink(trace);
}

TEST(off_by_default)
{
	char trace[64];
	struct ctrace_trace *t;
	uint32_t tid, ppid;
	struct calls c;

	snprintf(trace, sizeof(trace), "/tmp/sc-off-%d.trace", getpid());
	ASSERT_EQ(0, record("", trace, &tid, &ppid));
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	count(t, tid, ppid, &c);
	EXPECT_EQ(0, c.any);
	ctrace_trace_close(t);
	unlink(trace);
}

TEST(only_traced_threads)
{
	char trace[64], args[8192], out[4096];
	struct ctrace_trace *t;
	struct calls c;
	pid_t other;

	/* A process the session does not trace, busy with syscalls. */
	other = fork();
	ASSERT_LE(0, other);
	if (!other) {
		for (;;)
			syscall(SYS_getppid);
	}
	snprintf(trace, sizeof(trace), "/tmp/sc-only-%d.trace", getpid());
	snprintf(args, sizeof(args), "-e switch,syscall -o %s -- %s spin 0.3", trace,
		 ktest_workload());
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	count(t, (uint32_t)other, 0, &c);
	TH_LOG("%u syscall records, %u of the other process", c.any, c.any - c.other_tid);
	EXPECT_LT(0, c.any);		/* the traced one's are there */
	EXPECT_EQ(c.any, c.other_tid);	/* and none of the other's */
	ctrace_trace_close(t);
	unlink(trace);
}

KTEST_HARNESS_MAIN
