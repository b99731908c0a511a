// SPDX-License-Identifier: GPL-2.0
/*
 * The module's side of user events: CTRACE_IOC_REGISTER and the mappings
 * it hands out, who may map what, and when a process writes.
 *  - REGISTER refuses bad arguments, a second REGISTER and ATTACH after
 *    it; the control page maps read-only only, the ring set whole and
 *    shared only;
 *  - a ring set's data costs no memory until a session claims it
 *    (touching it before is SIGBUS), and all of it is freed with its last
 *    writer and reader;
 *  - another user can neither map this user's ring set (not even through
 *    an inherited descriptor) nor see it in its session: it gets its own;
 *  - a process started before the session is enabled when the session
 *    starts and disabled when it stops, with no restart;
 *  - a forked child registers anew: a session tracing only the child gets
 *    the child's events and not its parent's.
 */
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "ctl.h"
#include "kctl.h"
#include "ktest.h"
#include "ktrace.h"

#define NOBODY KTEST_NOBODY

static int do_register(int fd, struct ctrace_register *r)
{
	return ioctl(fd, CTRACE_IOC_REGISTER, r) ? -errno : 0;
}

/* A session tracing @pid (user events included), started. */
static int start_session(struct ctrace_ctl *ctl, uint32_t pid, uint32_t buf_size,
			 uint32_t *id)
{
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &pid, .nr_pids = 1,
		.buf_size = buf_size, .clock = -1,
	};
	struct ctrace_session_info info;
	int err = ctrace_ctl_session_new(ctl, &o, &info);

	if (err)
		return err;
	*id = info.id;
	ctrace_session_info_free(&info);
	return ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_START, *id);
}

/* The uids of a session's ring set table (ACTIVE entries), via ATTACH.
 * Closing the reader's file ends the session. */
static int session_uset_uids(uint32_t id, uint32_t *uids, int max)
{
	struct ctrace_attach at = { .size = sizeof(at), .session_id = id };
	const struct ctrace_uset_desc *d;
	const struct ctrace_meta *m;
	int fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC), n = 0;

	if (fd < 0 || ioctl(fd, CTRACE_IOC_ATTACH, &at))
		return -errno;
	m = mmap(NULL, at.meta_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	d = (const void *)((const char *)m + m->uset_desc_off);
	for (uint32_t i = 0; i < m->uset_desc_max; i++)
		if (d[i].state == CTRACE_USET_DESC_ACTIVE && n < max)
			uids[n++] = d[i].uid;
	munmap((void *)m, at.meta_size);
	close(fd);
	return n;
}

TEST(register_refuses_bad_arguments)
{
	struct ctrace_attach at = { .size = sizeof(at), .session_id = 1 };
	struct ctrace_register r;
	struct {
		struct ctrace_register r;
		uint64_t tail;
	} big;
	int fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	r = (struct ctrace_register){ .size = CTRACE_REGISTER_SIZE_VER0 - 8 };
	EXPECT_EQ(-EINVAL, do_register(fd, &r));
	r = (struct ctrace_register){ .size = sizeof(r), .flags = 1 };
	EXPECT_EQ(-EINVAL, do_register(fd, &r));
	r = (struct ctrace_register){ .size = sizeof(r), .reserved = 1 };
	EXPECT_EQ(-EINVAL, do_register(fd, &r));
	r = (struct ctrace_register){ .size = sizeof(r), .uset_off = 4096 };
	EXPECT_EQ(-EINVAL, do_register(fd, &r));
	r = (struct ctrace_register){ .size = 8192 };
	EXPECT_EQ(-EINVAL, do_register(fd, &r));
	/* A newer caller's larger struct: fine if its tail is zero. */
	big = (typeof(big)){ .r.size = sizeof(big), .tail = 1 };
	EXPECT_EQ(-E2BIG, do_register(fd, &big.r));
	EXPECT_EQ(-EFAULT, do_register(fd, (void *)8));

	/* Nothing above registered: mapping needs REGISTER or ATTACH. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));

	big = (typeof(big)){ .r.size = sizeof(big) };
	ASSERT_EQ(0, do_register(fd, &big.r));
	r = big.r;
	EXPECT_EQ(0, r.ctl_off);
	EXPECT_EQ(4096, r.ctl_size);
	EXPECT_EQ(4096, r.uset_off);
	EXPECT_LT(4096, r.uset_size);
	EXPECT_EQ(0, r.uset_size % 4096);

	/* One role per file. */
	r = (struct ctrace_register){ .size = sizeof(r) };
	EXPECT_EQ(-EBUSY, do_register(fd, &r));
	EXPECT_EQ(-1, ioctl(fd, CTRACE_IOC_ATTACH, &at));
	EXPECT_EQ(EBUSY, errno);
	close(fd);
}

TEST(register_mappings)
{
	struct ctrace_register r = { .size = sizeof(r) };
	const struct ctrace_user_ctl *ctl;
	int fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC), st;
	const struct ctrace_uset *h;
	void *p;
	pid_t child;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_register(fd, &r));

	/* The control page: read-only, whole. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);
	ctl = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, ctl);
	EXPECT_EQ(-1, mprotect((void *)ctl, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(CTRACE_USER_CTL_MAGIC, ctl->magic);
	EXPECT_EQ(CTRACE_USER_CTL_VERSION, ctl->version);
	EXPECT_EQ(sizeof(*ctl), ctl->size);
	EXPECT_EQ(0, ctl->enabled);

	/* The ring set: whole, shared, never executable. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, r.uset_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				   fd, r.uset_off));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, r.uset_size - 4096, PROT_READ, MAP_SHARED, fd,
				   r.uset_off));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, r.uset_size, PROT_READ, MAP_SHARED, fd,
				   r.uset_off + 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, r.uset_size, PROT_READ | PROT_EXEC, MAP_SHARED, fd,
				   r.uset_off));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 1ull << 40));
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, r.uset_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, r.uset_off);
	ASSERT_NE(MAP_FAILED, p);
	/* The head is there; the ring data is not allocated before a
	 * session claims the set: touching it is SIGBUS, in the process that
	 * did, and nothing else. */
	h = p;
	EXPECT_EQ(CTRACE_USET_MAGIC, h->magic);
	child = fork();
	if (!child) {
		volatile uint8_t x = *((volatile uint8_t *)p + h->data_off);

		(void)x;
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS) TH_LOG("status %#x", st);
	munmap(p, r.uset_size);
	munmap((void *)ctl, 4096);
	close(fd);
}

TEST(memory_only_while_claimed)
{
	struct ctrace_register r = { .size = sizeof(r) };
	struct ctrace_ctl *ctl = kt_ctl_open();
	uint64_t base, registered, claimed, kept;
	const struct ctrace_uset *h;
	uint32_t id, uids[4];
	int fd;

	ASSERT_NE(NULL, ctl);
	base = kt_module_info().mem_bytes;
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_register(fd, &r));
	/* The head only: positions and strings, not the rings' data. */
	registered = kt_module_info().mem_bytes;
	EXPECT_LT(base, registered);
	EXPECT_GE(base + (256 << 10), registered);

	/* A session tracing us claims our user's set: now it is memory. */
	ASSERT_EQ(0, start_session(ctl, getpid(), 4096, &id)) TH_LOG("%s", ctrace_ctl_error(ctl));
	claimed = kt_module_info().mem_bytes;
	ASSERT_EQ(1, session_uset_uids(id, uids, 4));
	EXPECT_EQ(getuid(), uids[0]);
	h = mmap(NULL, r.uset_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, r.uset_off);
	ASSERT_NE(MAP_FAILED, h);
	EXPECT_EQ(CTRACE_USET_MAGIC, h->magic);
	EXPECT_EQ(CTRACE_USET_VERSION, h->version);
	EXPECT_EQ(sizeof(*h), h->header_size);
	EXPECT_EQ(getuid(), h->uid);
	EXPECT_EQ(r.uset_size, h->map_size);
	EXPECT_EQ((uint32_t)ktest_possible_cpus(), h->nr_rings);
	EXPECT_LE(registered + h->nr_rings * h->data_size, claimed);

	/* The session gone (session_uset_uids() ended it), our mapping
	 * keeps the set; unmapped and closed, nothing is left. */
	EXPECT_EQ(-ENOENT, ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_DESTROY, id));
	kept = kt_module_info().mem_bytes;
	EXPECT_LT(base, kept);
	EXPECT_GT(claimed, kept);
	EXPECT_LE(registered + h->nr_rings * h->data_size, kept);
	munmap((void *)h, r.uset_size);
	close(fd);
	EXPECT_EQ(base, kt_module_info().mem_bytes);
	ctrace_ctl_close(ctl);
}

/* As nobody, with root's registered descriptor @rootfd inherited. */
static void other_user_checks(int rootfd, const struct ctrace_register *root_reg)
{
	struct ctrace_register r = { .size = sizeof(r) };
	const struct ctrace_uset *h;
	struct ctrace_ctl *ctl;
	uint32_t id, uids[4];
	int fd, n, err;

	/* Root's ring set, through root's own descriptor: refused. */
	KT_CHECK(mmap(NULL, root_reg->uset_size, PROT_READ, MAP_SHARED, rootfd,
		   root_reg->uset_off) == MAP_FAILED && errno == EACCES,
	      "mapped root's ring set (%d)", errno);
	KT_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, rootfd, 0) == MAP_FAILED &&
	      errno == EACCES, "mapped root's control page (%d)", errno);

	/* Registering gives nobody a set of its own... */
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	KT_CHECK(fd >= 0, "open: %d", errno);
	err = do_register(fd, &r);
	KT_CHECK(err == 0, "register as nobody: %d", err);
	ctl = kt_ctl_open();
	KT_CHECK(ctl, "netlink as nobody");
	if (err || !ctl)
		return;
	err = start_session(ctl, getpid(), 4096, &id);
	KT_CHECK(err == 0, "nobody's session: %d %s", err, ctrace_ctl_error(ctl));
	if (err)
		return;
	h = mmap(NULL, r.uset_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, r.uset_off);
	KT_CHECK(h != MAP_FAILED, "map own set: %d", errno);
	if (h != MAP_FAILED) {
		KT_CHECK(h->uid == NOBODY, "own set's uid %u", h->uid);
		munmap((void *)h, r.uset_size);
	}
	/* ...and nobody's session reads nobody's set, not root's. */
	n = session_uset_uids(id, uids, 4);
	KT_CHECK(n == 1 && uids[0] == NOBODY, "nobody's session reads %d sets, first uid %u",
	      n, n > 0 ? uids[0] : 0);
	ctrace_ctl_close(ctl);
	close(fd);
}

TEST(another_user_cannot_map_or_read)
{
	struct ctrace_register r = { .size = sizeof(r) };
	struct ctrace_ctl *ctl = kt_ctl_open();
	uint32_t id, uids[4];
	pid_t child;
	int fd, st;

	ASSERT_NE(NULL, ctl);
	fd = open(CTRACE_DEVICE_PATH, O_RDWR);	/* inherited by the child */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_register(fd, &r));
	ASSERT_EQ(0, start_session(ctl, getpid(), 4096, &id));

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (ktest_become_nobody())
			_exit(100);
		other_user_checks(fd, &r);
		_exit(ktest_failures ? 1 : 0);
	}
	ASSERT_EQ(child, waitpid(child, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %#x", st);

	/* Root's session read root's set only. */
	EXPECT_EQ(1, session_uset_uids(id, uids, 4));
	EXPECT_EQ(0, uids[0]);
	ctrace_ctl_close(ctl);
	close(fd);
}

/* Instants named @name in the trace, and whose they were. */
static int count_instants(struct ctrace_trace *t, const char *name, uint32_t tgid_of,
			  int *others)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	int n = 0;

	*others = 0;
	if (ctrace_cursor_new(t, &c))
		return -1;
	while (ctrace_cursor_next(c, &ev) == 1) {
		const struct ctrace_urec *h = ev.rec;

		if (ev.kind != CTRACE_RING_USER || ev.type != CTRACE_UREC_INSTANT)
			continue;
		if (!strcmp(kt_ustr(t, &ev, ev.aux), name) && (!tgid_of || h->tid == tgid_of))
			n++;
		else
			(*others)++;
	}
	ctrace_cursor_free(c);
	return n;
}

TEST(started_before_the_session)
{
	const char *out = "/tmp/ureg-idle.out", *trace = "/tmp/ureg-idle.trace";
	unsigned long long ts[8], calls = 0, enabled = 0;
	int on[8], n = 0, instants, others, st;
	char args[8192], buf[4096], *line;
	struct ctrace_trace *t;
	pid_t app;

	unlink(out);
	app = fork();
	ASSERT_LE(0, app);
	if (!app) {
		execl(ktest_uprog(), "ctrace-uprog", "idle", "3", out, (char *)NULL);
		_exit(127);
	}
	/* Running, registered, not traced: then a session for 1 s. */
	usleep(700 * 1000);
	snprintf(args, sizeof(args), "-o %s -p %d -d 1", trace, app);
	ASSERT_EQ(0, ktest_dump(args, buf, sizeof(buf))) TH_LOG("%s", buf);
	ASSERT_EQ(app, waitpid(app, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	ASSERT_LT(0, ktest_read_file(out, buf, sizeof(buf)));
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "calls %llu", &calls) == 1 ||
		    sscanf(line, "enabled %llu", &enabled) == 1)
			continue;
		if (n < 8 && sscanf(line, "%llu %d", &ts[n], &on[n]) == 2)
			n++;
	}
	/* Off, on when the session started, off when it stopped. */
	ASSERT_EQ(3, n) TH_LOG("%d changes of ctrace_enabled()", n);
	EXPECT_EQ(0, on[0]);
	EXPECT_EQ(1, on[1]);
	EXPECT_EQ(0, on[2]);
	EXPECT_LT(500000000ull, ts[1] - ts[0]);
	EXPECT_LT(500000000ull, ts[2] - ts[1]);
	EXPECT_LT(0, enabled);
	EXPECT_LT(enabled, calls);

	/* What it wrote while enabled is in the trace (one call may have
	 * seen "enabled" just before it was cleared, at each end). */
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	instants = count_instants(t, "idle", app, &others);
	EXPECT_EQ(0, others);
	EXPECT_LE(enabled - 2, (unsigned long long)instants);
	EXPECT_GE(enabled + 2, (unsigned long long)instants);
	ctrace_trace_close(t);
	unlink(trace);
	unlink(out);
}

TEST(forked_child_registers_anew)
{
	const char *pidfile = "/tmp/ureg-fork.pids", *trace = "/tmp/ureg-fork.trace";
	char args[8192], buf[4096];
	int parent, child, n, others, st;
	struct ctrace_trace *t;
	pid_t app;

	unlink(pidfile);
	app = fork();
	ASSERT_LE(0, app);
	if (!app) {
		execl(ktest_uprog(), "ctrace-uprog", "forker", "2", pidfile, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && ktest_read_file(pidfile, buf, sizeof(buf)) <= 0; i++)
		usleep(20000);
	ASSERT_EQ(2, sscanf(buf, "%d %d", &parent, &child));
	ASSERT_EQ(app, parent);

	/* Trace the child alone: its events, none of its parent's. */
	snprintf(args, sizeof(args), "-o %s -p %d -d 0.8", trace, child);
	ASSERT_EQ(0, ktest_dump(args, buf, sizeof(buf))) TH_LOG("%s", buf);
	ASSERT_EQ(app, waitpid(app, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	n = count_instants(t, "child", child, &others);
	EXPECT_LT(100, n);
	EXPECT_EQ(0, others);
	ctrace_trace_close(t);
	unlink(trace);
	unlink(pidfile);
}

KTEST_HARNESS_MAIN
