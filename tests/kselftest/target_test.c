// SPDX-License-Identifier: GPL-2.0
/*
 * Targets: what a session traces.
 *  - a cgroup v2: its processes, not the others;
 *  - the whole system: everyone, named from the first event (snapshot);
 *  - pids without --no-inherit follow children; with it they do not;
 *  - several pids at once.
 */
#include <signal.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "kctl.h"
#include "ktest.h"
#include "ktrace.h"

/* Start `ctrace-workload spin SECONDS` and return its pid. */
static pid_t spawn_spinner(const char *seconds)
{
	pid_t p = fork();

	if (!p) {
		execl(ktest_workload(), "ctrace-workload", "spin", seconds, (char *)NULL);
		_exit(127);
	}
	return p;
}

/* Which of @pids appear as switch prev/next tids (bit i for pids[i]). */
static unsigned int seen_in_switches(struct ctrace_trace *t, const pid_t *pids,
				     int n, uint64_t *switches)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	unsigned int seen = 0;

	*switches = 0;
	if (ctrace_cursor_new(t, &c))
		return 0;
	while (ctrace_cursor_next(c, &ev) == 1) {
		const struct ctrace_krec_switch *s = KT_REC(&ev, struct ctrace_krec_switch);

		if (ev.type != CTRACE_KREC_SWITCH)
			continue;
		(*switches)++;
		for (int i = 0; i < n; i++)
			if (s->prev_tid == (uint32_t)pids[i] || s->next_tid == (uint32_t)pids[i])
				seen |= 1u << i;
	}
	ctrace_cursor_free(c);
	return seen;
}

TEST(cgroup)
{
	const char *cg = "/sys/fs/cgroup/ctrace-target-test", *trace = "/tmp/target_cg.trace";
	char path[256], args[8192], out[8192], pidbuf[32];
	pid_t in, outside;
	uint64_t switches;
	struct ctrace_trace *t;
	int fd;

	if (mkdir(cg, 0755) && errno != EEXIST)
		SKIP(return, "no cgroup v2 at /sys/fs/cgroup (%s)", strerror(errno));
	in = spawn_spinner("1.5");
	outside = spawn_spinner("1.5");
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd);
	snprintf(pidbuf, sizeof(pidbuf), "%d", in);
	ASSERT_LT(0, write(fd, pidbuf, strlen(pidbuf)));
	close(fd);

	snprintf(args, sizeof(args), "-o %s -d 0.7 --cgroup %s", trace, cg);
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	waitpid(in, NULL, 0);
	waitpid(outside, NULL, 0);
	rmdir(cg);

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	{
		pid_t pids[2] = { in, outside };
		unsigned int seen = seen_in_switches(t, pids, 2, &switches);

		/* Both spin on CPU 0: the outsider appears only as the other
		 * side of the insider's switches, never on its own. */
		EXPECT_TRUE(seen & 1);
		TH_LOG("%lu switches", (unsigned long)switches);
	}
	/* Every switch involves the process in the cgroup. */
	{
		struct ctrace_cursor *c;
		struct ctrace_event ev;
		uint64_t foreign = 0;

		ASSERT_EQ(0, ctrace_cursor_new(t, &c));
		while (ctrace_cursor_next(c, &ev) == 1) {
			const struct ctrace_krec_switch *s = KT_REC(&ev, struct ctrace_krec_switch);

			if (ev.type == CTRACE_KREC_SWITCH && s->prev_tid != (uint32_t)in &&
			    s->next_tid != (uint32_t)in)
				foreign++;
		}
		ctrace_cursor_free(c);
		EXPECT_EQ(0, foreign);
	}
	ctrace_trace_close(t);
	unlink(trace);
}

TEST(whole_system)
{
	const char *trace = "/tmp/target_all.trace";
	char args[8192], out[8192];
	uint64_t switches, snapshot = 0, unnamed = 0;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	pid_t pids[2];

	pids[0] = spawn_spinner("1");
	pids[1] = spawn_spinner("1");
	snprintf(args, sizeof(args), "-o %s -d 0.5 --all", trace);
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	waitpid(pids[0], NULL, 0);
	waitpid(pids[1], NULL, 0);

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	EXPECT_EQ(3, seen_in_switches(t, pids, 2, &switches));
	/* Every thread that runs has a name by the time it does. */
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		const struct ctrace_krec_switch *s = KT_REC(&ev, struct ctrace_krec_switch);

		if (ev.kind == CTRACE_RING_KERNEL && ev.type == CTRACE_KREC_THREAD &&
		    (KT_REC(&ev, struct ctrace_krec_thread)->flags & CTRACE_THREAD_F_SNAPSHOT))
			snapshot++;
		if (ev.kind == CTRACE_RING_KERNEL && ev.type == CTRACE_KREC_SWITCH &&
		    s->next_tid && !kt_comm(c, s->next_tid)[0] && unnamed++ < 5)
			TH_LOG("switch to unnamed tid %u on cpu %u at offset %llu",
			       s->next_tid, ev.ring, (unsigned long long)ev.offset);
	}
	ctrace_cursor_free(c);
	TH_LOG("%lu switches, %lu threads in the snapshot", (unsigned long)switches,
	       (unsigned long)snapshot);
	EXPECT_LT(20, snapshot);
	EXPECT_EQ(0, unnamed);
	ctrace_trace_close(t);
	unlink(trace);
}

/*
 * A parent that forks a spinner child after the session started: once
 * the module has a session, and 300 ms more (a fixed delay alone was too
 * short where ctrace-dump starts slowly: PREEMPT_RT under TCG).
 */
static int forker(void)
{
	pid_t kid;

	for (int i = 0; i < 500 && !kt_module_info().sessions; i++)
		usleep(20000);
	usleep(300000);
	kid = fork();
	if (!kid) {
		execl(ktest_workload(), "ctrace-workload", "spin", "0.3", (char *)NULL);
		_exit(127);
	}
	printf("%d\n", kid);
	fflush(stdout);
	waitpid(kid, NULL, 0);
	return 0;
}

/*
 * Whether the trace followed the child the traced parent forked: only a
 * traced thread's exec, exit and wakeups are recorded (it may still show
 * up as the other side of the parent's switches, shared CPU).
 */
static int child_followed(int inherit, struct __test_metadata *_metadata)
{
	const char *trace = "/tmp/target_inherit.trace";
	char args[8192], out[8192], buf[32] = "";
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	int p[2], followed = 0;
	pid_t parent, kid = 0;
	FILE *f;

	if (pipe(p))
		return -1;
	parent = fork();
	if (!parent) {
		dup2(p[1], 1);
		_exit(forker());
	}
	close(p[1]);
	snprintf(args, sizeof(args), "-o %s -d 1 --pid %d %s", trace, parent,
		 inherit ? "" : "--no-inherit");
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	f = fdopen(p[0], "r");
	if (f && fgets(buf, sizeof(buf), f))
		kid = atoi(buf);
	if (f)
		fclose(f);
	waitpid(parent, NULL, 0);
	t = kt_open(trace);
	if (!t || !kid)
		return -1;
	EXPECT_EQ(0, kt_validate(t));
	if (ctrace_cursor_new(t, &c))
		return -1;
	while (ctrace_cursor_next(c, &ev) == 1) {
		uint32_t tid = 0;

		if (ev.type == CTRACE_KREC_EXEC)
			tid = KT_REC(&ev, struct ctrace_krec_exec)->tid;
		else if (ev.type == CTRACE_KREC_EXIT)
			tid = KT_REC(&ev, struct ctrace_krec_exit)->tid;
		else if (ev.type == CTRACE_KREC_WAKEUP)
			tid = KT_REC(&ev, struct ctrace_krec_wakeup)->tid;
		followed |= tid == (uint32_t)kid;
	}
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	unlink(trace);
	return followed;
}

TEST(children_follow_unless_told_not_to)
{
	EXPECT_EQ(1, child_followed(1, _metadata));
	EXPECT_EQ(0, child_followed(0, _metadata));
}

TEST(several_pids)
{
	const char *trace = "/tmp/target_pids.trace";
	char args[8192], out[8192];
	struct ctrace_trace *t;
	uint64_t switches;
	pid_t pids[3];

	/* Spinning for longer than the dump can take to start; stopped
	 * once it is done. */
	for (int i = 0; i < 3; i++)
		pids[i] = spawn_spinner("20");
	/* Trace the first two only. */
	snprintf(args, sizeof(args), "-o %s -d 0.5 --pid %d,%d", trace, pids[0], pids[1]);
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	for (int i = 0; i < 3; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	/* The third shares CPU 0, so it shows up only next to the others. */
	EXPECT_EQ(3, seen_in_switches(t, pids, 2, &switches) & 3);
	ctrace_trace_close(t);
	unlink(trace);
}

KTEST_HARNESS_MAIN
