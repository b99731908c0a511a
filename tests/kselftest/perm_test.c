// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what, as an unprivileged user (nobody, 65534):
 *  - the whole system, a cgroup, or another user's process: refused, with
 *    a message naming the capability;
 *  - another user's session: invisible and untouchable;
 *  - more ring memory than user_buffer_kb: refused;
 *  - one's own process: traced, and every other user's thread in the
 *    trace is CTRACE_TID_HIDDEN, never its ID or name.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ctl.h"
#include "ktest.h"
#include "ktrace.h"

#define NOBODY KTEST_NOBODY

static int try_new(struct ctrace_ctl *ctl, enum ctrace_target_kind kind,
		   uint32_t pid, int cgfd, uint32_t buf_size,
		   struct ctrace_session_info *info)
{
	struct ctrace_session_opts o = {
		.target = kind, .pids = &pid, .nr_pids = 1, .cgroup_fd = cgfd,
		.buf_size = buf_size, .clock = -1,
	};

	return ctrace_ctl_session_new(ctl, &o, info);
}

static void unprivileged_checks(uint32_t root_session)
{
	struct ctrace_session_info info;
	struct ctrace_attach at = { .size = sizeof(at), .session_id = root_session };
	struct ctrace_ctl *ctl;
	int err, cgfd, fd;

	ctl = ctrace_ctl_open(&err);
	KT_CHECK(ctl && !err, "cannot open netlink as nobody");
	if (!ctl || err)
		return;

	err = try_new(ctl, CTRACE_TARGET_ALL, 0, -1, 0, &info);
	KT_CHECK(err == -EACCES, "all: %d", err);
	KT_CHECK(strstr(ctrace_ctl_error(ctl), "CAP_PERFMON"), "all: %s", ctrace_ctl_error(ctl));

	cgfd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
	err = try_new(ctl, CTRACE_TARGET_CGROUP, 0, cgfd, 0, &info);
	KT_CHECK(err == -EACCES, "cgroup: %d", err);
	KT_CHECK(strstr(ctrace_ctl_error(ctl), "CAP_PERFMON"), "cgroup: %s", ctrace_ctl_error(ctl));
	close(cgfd);

	err = try_new(ctl, CTRACE_TARGET_PIDS, 1, -1, 0, &info);
	KT_CHECK(err == -EACCES, "pid 1: %d", err);
	KT_CHECK(strstr(ctrace_ctl_error(ctl), "another user"), "pid 1: %s", ctrace_ctl_error(ctl));
	err = try_new(ctl, CTRACE_TARGET_PIDS, getppid(), -1, 0, &info);
	KT_CHECK(err == -EACCES, "root parent: %d", err);

	/* Another user's session: no look, no touch. */
	err = ctrace_ctl_session_get(ctl, root_session, &info);
	KT_CHECK(err == -EACCES, "get root's session: %d", err);
	KT_CHECK(strstr(ctrace_ctl_error(ctl), "another user"), "%s", ctrace_ctl_error(ctl));
	err = ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_STOP, root_session);
	KT_CHECK(err == -EACCES, "stop root's session: %d", err);
	err = ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_DESTROY, root_session);
	KT_CHECK(err == -EACCES, "destroy root's session: %d", err);
	err = ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_RESTATE, root_session);
	KT_CHECK(err == -EACCES, "restate root's session: %d", err);
	err = ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_SNAPSHOT, root_session);
	KT_CHECK(err == -EACCES, "ask root's session for a snapshot: %d", err);
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	KT_CHECK(fd >= 0, "open /dev/ctrace as nobody: %d", errno);
	err = ioctl(fd, CTRACE_IOC_ATTACH, &at) ? -errno : 0;
	KT_CHECK(err == -EACCES, "attach to root's session: %d", err);

	/* Its own process: yes, within its memory allowance (256 KiB). */
	err = try_new(ctl, CTRACE_TARGET_PIDS, getpid(), -1, 1 << 20, &info);
	KT_CHECK(err == -EDQUOT, "1 MiB per CPU as nobody: %d", err);
	KT_CHECK(strstr(ctrace_ctl_error(ctl), "user_buffer_kb"), "%s", ctrace_ctl_error(ctl));
	err = try_new(ctl, CTRACE_TARGET_PIDS, getpid(), -1, 4096, &info);
	KT_CHECK(err == 0, "own process: %d %s", err, ctrace_ctl_error(ctl));
	if (!err) {
		KT_CHECK(!info.privileged, "nobody's session is privileged");
		KT_CHECK(info.owner_uid == NOBODY, "owner %u", info.owner_uid);
		err = ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_START, info.id);
		KT_CHECK(err == 0, "start own session: %d", err);
		ctrace_session_info_free(&info);
	}
	close(fd);
	ctrace_ctl_close(ctl);
}

TEST(unprivileged_refusals)
{
	struct ctrace_session_info info;
	struct ctrace_ctl *ctl;
	uint32_t me = getpid();
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &me, .nr_pids = 1,
		.buf_size = 4096, .clock = -1,
	};
	char old[32] = "";
	int err, status;
	pid_t child;

	ctl = ctrace_ctl_open(&err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, ctrace_ctl_session_new(ctl, &o, &info));
	ASSERT_LT(0, ktest_read_file("/sys/module/ctrace/parameters/user_buffer_kb", old, sizeof(old)));
	ASSERT_EQ(0, ktest_set_param("user_buffer_kb", "256"));

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (ktest_become_nobody())
			_exit(100);
		unprivileged_checks(info.id);
		_exit(ktest_failures);
	}
	waitpid(child, &status, 0);
	EXPECT_EQ(0, ktest_set_param("user_buffer_kb", old));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The root session is untouched. */
	EXPECT_EQ(0, ctrace_ctl_session_get(ctl, info.id, &info));
	EXPECT_EQ(CTRACE_SESSION_CREATED, info.state);
	ctrace_session_info_free(&info);
	ctrace_ctl_close(ctl);
}

static volatile int spin_stop;
static pid_t spinner_tid;

static void *root_spinner(void *arg)
{
	(void)arg;
	spinner_tid = syscall(SYS_gettid);
	ktest_pin(0);
	while (!spin_stop)
		;
	return NULL;
}

/* Every kernel thread's tid (children of kthreadd, and kthreadd). */
static int kernel_tids(uint32_t *tids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max) {
		char path[300], buf[512], *p;
		int ppid;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (ktest_read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		p = strrchr(buf, ')');
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 &&
		    (ppid == 2 || atoi(e->d_name) == 2))
			tids[n++] = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

TEST(foreign_threads_are_hidden)
{
	const char *trace = "/tmp/perm_hidden.trace";
	uint32_t kthreads[4096], hidden = 0, leaks = 0, own_switches = 0;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	int nk, status;
	pthread_t th;
	pid_t child;

	nk = kernel_tids(kthreads, 4096);
	ASSERT_LT(0, nk);
	pthread_create(&th, NULL, root_spinner, NULL);
	while (!spinner_tid)
		usleep(1000);

	unlink(trace);
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (ktest_become_nobody())
			_exit(100);
		execl(ktest_tool("ctrace-dump"), "ctrace-dump", "-q", "-o", trace, "--",
		      ktest_workload(), "spin", "0.5", (char *)NULL);
		_exit(127);
	}
	waitpid(child, &status, 0);
	spin_stop = 1;
	pthread_join(th, NULL);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	EXPECT_STREQ("0", ctrace_trace_meta(t, "privileged"));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		uint32_t tids[2] = { 0, 0 };

		if (ev.type == CTRACE_KREC_SWITCH) {
			tids[0] = KT_REC(&ev, struct ctrace_krec_switch)->prev_tid;
			tids[1] = KT_REC(&ev, struct ctrace_krec_switch)->next_tid;
			own_switches++;
		} else if (ev.type == CTRACE_KREC_WAKEUP) {
			tids[0] = KT_REC(&ev, struct ctrace_krec_wakeup)->tid;
			tids[1] = KT_REC(&ev, struct ctrace_krec_wakeup)->waker_tid;
		} else if (ev.type == CTRACE_KREC_THREAD) {
			tids[0] = KT_REC(&ev, struct ctrace_krec_thread)->tid;
		}
		for (int i = 0; i < 2; i++) {
			hidden += tids[i] == CTRACE_TID_HIDDEN;
			leaks += tids[i] == (uint32_t)spinner_tid ||
				 tids[i] == (uint32_t)getpid();
			for (int k = 0; k < nk; k++)
				leaks += tids[i] && tids[i] == kthreads[k];
		}
	}
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
	TH_LOG("%u switches, %u hidden thread IDs, %u leaked", own_switches, hidden, leaks);
	EXPECT_LT(0, own_switches);
	/* The root spinner shares CPU 0 with the traced spinner. */
	EXPECT_LT(0, hidden);
	EXPECT_EQ(0, leaks);
	unlink(trace);
}

KTEST_HARNESS_MAIN
