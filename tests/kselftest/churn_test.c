// SPDX-License-Identifier: GPL-2.0
/*
 * Churn and faults: the module under sustained abuse, and its memory back
 * afterwards.
 *
 *   session_churn      netlink clients create, start, stop and destroy
 *                      sessions (or just close their socket) in loops,
 *                      readers attach, map and detach, ctrace-dump traces
 *                      commands that are SIGKILLed mid-session, while a
 *                      fork/exec/exit storm runs
 *   killed_readers     ctrace-dump SIGKILLed at random points of its run
 *   rmmod_with_every_holder  a reader, a mapping that outlives its file,
 *                      a registered writer's mappings: rmmod is refused
 *                      while any is there, and succeeds once all are gone
 *   cpu_hotplug        a CPU goes offline and back during a session:
 *                      per ring, recorded == read and lost is accounted
 *   limits_and_memcg   user_buffer_kb exhausted by an unprivileged user,
 *                      and a memory cgroup too small for the rings
 *
 * "Memory back" is exact where the kernel lets us count: the module's own
 * count of ring memory (GET_INFO), its sessions, and the vmalloc areas
 * whose caller is in ctrace (/proc/vmallocinfo).  Slab is shared with the
 * whole kernel, so its change is said, not asserted.
 *
 * CTRACE_CHURN_SECONDS sets session_churn's length (default 12), and
 * CTRACE_CHURN_SEED the random seed (printed, so a failure replays).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "ctl.h"
#include "kctl.h"
#include "ktest.h"
#include "ktrace.h"
#include "rings.h"

/* ------------------------------------------------------------- memory */

struct mem {
	unsigned int sessions;
	uint64_t ring_bytes;	/* GET_INFO's mem_bytes */
	long vmalloc_areas;	/* /proc/vmallocinfo lines of [ctrace] */
	long vmalloc_bytes;
	long slab_kb;		/* /proc/meminfo Slab */
};

static void vmalloc_of_ctrace(long *areas, long *bytes)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	char line[512];
	long size;

	*areas = 0;
	*bytes = 0;
	if (!f) {
		*areas = -1;
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[ctrace]") && sscanf(line, "%*s %ld", &size) == 1) {
			(*areas)++;
			*bytes += size;
		}
	fclose(f);
}

static long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			v = atol(line + strlen(key) + 1);
			break;
		}
	fclose(f);
	return v;
}

static struct mem mem_now(void)
{
	struct ctrace_info info = kt_module_info();
	struct mem m = { .sessions = info.sessions, .ring_bytes = info.mem_bytes };

	vmalloc_of_ctrace(&m.vmalloc_areas, &m.vmalloc_bytes);
	m.slab_kb = meminfo_kb("Slab");
	return m;
}

/*
 * Sessions end asynchronously (a killed reader's file is released by its
 * exit, the last mapping by its unmap): wait up to @ms for the module to
 * be back to @base, then compare.
 */
static void expect_memory_back(struct __test_metadata *_metadata, const struct mem *base,
			       int ms, const char *what)
{
	struct mem m;

	for (int waited = 0;; waited += 50) {
		m = mem_now();
		if ((m.sessions == base->sessions && m.ring_bytes == base->ring_bytes &&
		     m.vmalloc_areas == base->vmalloc_areas) || waited >= ms)
			break;
		usleep(50000);
	}
	TH_LOG("%s: sessions %u -> %u, ring memory %llu -> %llu B, ctrace vmalloc %ld areas %ld B -> %ld areas %ld B, slab %ld -> %ld kB",
	       what, base->sessions, m.sessions, (unsigned long long)base->ring_bytes,
	       (unsigned long long)m.ring_bytes, base->vmalloc_areas, base->vmalloc_bytes,
	       m.vmalloc_areas, m.vmalloc_bytes, base->slab_kb, m.slab_kb);
	EXPECT_EQ(base->sessions, m.sessions);
	EXPECT_EQ(base->ring_bytes, m.ring_bytes);
	EXPECT_EQ(base->vmalloc_areas, m.vmalloc_areas);
	EXPECT_EQ(base->vmalloc_bytes, m.vmalloc_bytes);
}

/* -------------------------------------------------------------- helpers */

static unsigned int seed_from_env(void)
{
	const char *s = getenv("CTRACE_CHURN_SEED");

	return s ? (unsigned int)strtoul(s, NULL, 0) : (unsigned int)time(NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A session tracing @pid; 0 when refused (the reason in @err). */
static uint32_t session_for(struct ctrace_ctl *ctl, uint32_t pid, uint32_t buf_size, int *err)
{
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &pid, .nr_pids = 1,
		.buf_size = buf_size, .clock = -1,
	};
	struct ctrace_session_info info;
	uint32_t id;

	*err = ctrace_ctl_session_new(ctl, &o, &info);
	if (*err)
		return 0;
	id = info.id;
	ctrace_session_info_free(&info);
	return id;
}

/* fork/exec/exit until killed: short-lived processes and threads. */
static void storm_forever(void)
{
	for (;;) {
		pid_t p = fork();

		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (p > 0)
			waitpid(p, NULL, 0);
	}
}

/*
 * One netlink client's loop: a session on @target (the storm's leader, or
 * ourselves), started, maybe read for a moment, stopped, then destroyed,
 * or abandoned by closing the socket.  Exits with the number of
 * unexpected errors; @iters gets the count through a pipe.
 */
static void nl_churner(uint64_t until, pid_t target, unsigned int seed, int out)
{
	unsigned long iters = 0, refused = 0, bad = 0;
	char msg[256] = "";

	srand(seed);
	while (now_ns() < until) {
		struct ctrace_ctl *ctl = kt_ctl_open();
		int err, fd = -1, r = rand();
		struct ctrace_rings *rings = NULL;
		uint32_t id;

		if (!ctl) {
			bad++;
			break;
		}
		id = session_for(ctl, r & 1 ? (uint32_t)target : (uint32_t)getpid(),
				 16384 << (r % 4), &err);
		if (!id) {
			/* max_sessions or max_buffer_mb under the
			 * others' load: refused, with a reason. */
			if (err == -EMFILE || err == -ENOMEM) {
				refused++;
			} else {
				bad++;
				snprintf(msg, sizeof(msg), "new: %s", ctrace_ctl_error(ctl));
			}
			ctrace_ctl_close(ctl);
			continue;
		}
		err = ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_START, id);
		if (err) {
			bad++;
			snprintf(msg, sizeof(msg), "start: %s", ctrace_ctl_error(ctl));
		}
		if (r & 2) {
			fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
			if (fd < 0 || ctrace_rings_map(fd, id, &rings, NULL, 0)) {
				bad++;
				snprintf(msg, sizeof(msg), "attach/map: %s", strerror(errno));
			}
			usleep(r % 5000);
		}
		if (r & 4) {
			if (ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_STOP, id) ||
			    ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_DESTROY, id)) {
				bad++;
				snprintf(msg, sizeof(msg), "stop/destroy: %s",
					 ctrace_ctl_error(ctl));
			}
		}
		/* Either way, the rest goes with the socket and the file. */
		if (rings)
			ctrace_rings_unmap(rings);
		if (fd >= 0)
			close(fd);
		ctrace_ctl_close(ctl);
		iters++;
	}
	if (bad)
		fprintf(stderr, "# churner %d: %lu unexpected errors, last %s\n", getpid(), bad, msg);
	dprintf(out, "%lu %lu\n", iters, refused);
	_exit(bad ? 1 : 0);
}

/*
 * ctrace-dump over a command killed by SIGKILL mid-session, in a loop.
 * The file must still be a whole, valid trace.
 */
static void dump_churner(uint64_t until, int out)
{
	char args[8192], trace[64], buf[16384];
	unsigned long iters = 0, bad = 0;

	snprintf(trace, sizeof(trace), "/tmp/churn-dump-%d.trace", getpid());
	while (now_ns() < until) {
		struct ctrace_trace *t;

		snprintf(args, sizeof(args),
			 "-b 64K -o %s -- sh -c '%s storm 0.05 2 & sleep 0.02; kill -9 $$'",
			 trace, ktest_workload());
		ktest_dump(args, buf, sizeof(buf));
		t = NULL;
		if (ctrace_trace_open(trace, &t, NULL, 0) < 0 || !ctrace_trace_complete(t)) {
			bad++;
			fprintf(stderr, "# dump churner: %s is not a whole trace: %s\n", trace, buf);
		}
		if (t)
			ctrace_trace_close(t);
		iters++;
	}
	unlink(trace);
	dprintf(out, "%lu 0\n", iters);
	_exit(bad ? 1 : 0);
}

TEST(session_churn)
{
	const char *s = getenv("CTRACE_CHURN_SECONDS");
	unsigned int seed = seed_from_env(), seconds = s ? atoi(s) : 12;
	uint64_t until = now_ns() + seconds * 1000000000ull;
	unsigned long total = 0, refused = 0;
	struct mem base = mem_now();
	pid_t storm, kids[4];
	int p[2], st;
	FILE *f;

	TH_LOG("seed %u (CTRACE_CHURN_SEED), %u s", seed, seconds);
	ASSERT_EQ(0, base.sessions);
	ASSERT_LE(0, base.vmalloc_areas);
	ASSERT_EQ(0, pipe(p));
	storm = fork();
	if (!storm) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		storm_forever();
	}
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (!kids[i]) {
			close(p[0]);
			nl_churner(until, storm, seed + i, p[1]);
		}
	}
	kids[3] = fork();
	if (!kids[3]) {
		close(p[0]);
		dump_churner(until, p[1]);
	}
	close(p[1]);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
			TH_LOG("churner %d ended with status %#x", i, st);
	}
	kill(storm, SIGKILL);
	waitpid(storm, NULL, 0);
	f = fdopen(p[0], "r");
	ASSERT_NE(NULL, f);
	for (int i = 0; i < 4; i++) {
		unsigned long n = 0, r = 0;

		EXPECT_EQ(2, fscanf(f, "%lu %lu", &n, &r));
		EXPECT_LT(0, n);
		total += n;
		refused += r;
	}
	fclose(f);
	TH_LOG("%lu iterations in %u s (%lu refused at a limit, with its reason)",
	       total, seconds, refused);
	expect_memory_back(_metadata, &base, 5000, "after the churn");
}

TEST(killed_readers)
{
	unsigned int seed = seed_from_env();
	struct mem base = mem_now();
	int killed = 0, finished = 0;

	TH_LOG("seed %u (CTRACE_CHURN_SEED)", seed);
	srand(seed);
	for (int i = 0; i < 24; i++) {
		int delay_ms = rand() % 600, st;
		pid_t dumper = fork();

		if (!dumper) {
			char cmd[16384];

			setpgid(0, 0);
			snprintf(cmd, sizeof(cmd),
				 "exec %s -q -b 256K -o /tmp/churn-killed.trace -- %s storm 0.4 3",
				 ktest_tool("ctrace-dump"), ktest_workload());
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		usleep(delay_ms * 1000);
		/* The reader, at whatever point of its drain it is. */
		if (kill(dumper, SIGKILL) == 0)
			killed++;
		ASSERT_EQ(dumper, waitpid(dumper, &st, 0));
		if (WIFEXITED(st))
			finished++;
		kill(-dumper, SIGKILL);
		/* Its session goes with its socket and file. */
		for (int w = 0; w < 60 && kt_module_info().sessions; w++)
			usleep(50000);
		EXPECT_EQ(0, kt_module_info().sessions) TH_LOG("after a kill %d ms in", delay_ms);
	}
	unlink("/tmp/churn-killed.trace");
	TH_LOG("%d readers killed, %d had finished first", killed - finished, finished);
	expect_memory_back(_metadata, &base, 3000, "after the killed readers");
}

/* rmmod without waiting: refused (EBUSY or EWOULDBLOCK) while in use. */
static bool unload_refused(void)
{
	if (ktest_unload("ctrace") == 0)
		return false;
	return errno == EWOULDBLOCK || errno == EBUSY;
}

TEST(rmmod_with_every_holder)
{
	const char *ko = getenv("CTRACE_KO");
	struct ctrace_register reg = { .size = sizeof(reg) };
	struct ctrace_rings *rings;
	struct ctrace_ctl *ctl;
	struct mem base;
	void *uset, *uctl;
	uint32_t id;
	int fd, err;

	if (!ko)
		SKIP(return, "CTRACE_KO not set (run me through tests/ktest-run)");
	base = mem_now();
	ctl = kt_ctl_open();
	ASSERT_NE(NULL, ctl);

	/* A session with a reader, its rings mapped, under load. */
	id = session_for(ctl, getpid(), 65536, &err);
	ASSERT_NE(0, id) TH_LOG("%s", ctrace_ctl_error(ctl));
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ctrace_rings_map(fd, id, &rings, NULL, 0));
	ASSERT_EQ(0, ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_START, id));
	EXPECT_TRUE(unload_refused());
	/* The file closed, the mappings left: still in use. */
	close(fd);
	EXPECT_TRUE(unload_refused());
	EXPECT_EQ(1, kt_module_info().sessions);
	ctrace_rings_unmap(rings);

	/* A registered writer: its file, then only its mappings. */
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, CTRACE_IOC_REGISTER, &reg));
	uctl = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, uctl);
	uset = mmap(NULL, reg.uset_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, reg.uset_off);
	ASSERT_NE(MAP_FAILED, uset);
	EXPECT_TRUE(unload_refused());
	close(fd);
	EXPECT_TRUE(unload_refused());
	munmap(uctl, 4096);
	EXPECT_TRUE(unload_refused());
	/* The ring set's memory is there while mapped ... */
	munmap(uset, reg.uset_size);

	/* ... and everything is gone with the last holder: only a session
	 * owned by a socket is left, which unloading ends. */
	for (int w = 0; w < 40 && kt_module_info().sessions; w++)
		usleep(50000);
	EXPECT_EQ(0, kt_module_info().sessions);
	EXPECT_EQ(0, ktest_unload("ctrace")) TH_LOG("rmmod: %s", strerror(errno));
	{
		long areas, bytes;

		vmalloc_of_ctrace(&areas, &bytes);
		EXPECT_EQ(0, areas) TH_LOG("%ld B of vmalloc left by the module", bytes);
	}
	ctrace_ctl_close(ctl);
	ASSERT_EQ(0, ktest_load(ko));
	expect_memory_back(_metadata, &base, 1000, "after the reload");
}

static int set_online(int cpu, int on)
{
	char path[96];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, on ? "1" : "0", 1);
	close(fd);
	return n == 1 ? 0 : -errno;
}

TEST(cpu_hotplug)
{
	const char *trace = "/tmp/churn-hotplug.trace";
	char cmd[16384], out[16384];
	struct ctrace_trace *t;
	struct mem base = mem_now();
	uint64_t events = 0, dropped;
	pid_t dumper;
	int cpu, st, cycles = 0, seen_offline = 0;

	if (ktest_nr_cpus_online() < 2)
		SKIP(return, "one CPU online: nothing to take offline");
	cpu = ktest_nr_cpus_online() - 1;
	if (access("/sys/devices/system/cpu/cpu1/online", W_OK))
		SKIP(return, "no CPU hotplug here");
	/* The recorder and its load float; the CPU goes and comes back
	 * three times under them. */
	dumper = fork();
	if (!dumper) {
		snprintf(cmd, sizeof(cmd),
			 "exec %s -q -b 1M -o %s -- sh -c 'for i in 1 2 3 4 5 6; do %s storm 0.3 3 & /bin/true; sleep 0.1; done; wait' > /tmp/churn-hotplug.out 2>&1",
			 ktest_tool("ctrace-dump"), trace, ktest_workload());
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(400000);
	for (int i = 0; i < 3; i++) {
		int r = set_online(cpu, 0);

		EXPECT_EQ(0, r) TH_LOG("cpu%d offline: %s", cpu, strerror(-r));
		if (!r) {
			seen_offline += ktest_nr_cpus_online() == cpu;
			usleep(150000);
		}
		r = set_online(cpu, 1);
		EXPECT_EQ(0, r) TH_LOG("cpu%d online: %s", cpu, strerror(-r));
		cycles += !r;
		usleep(150000);
	}
	ASSERT_EQ(dumper, waitpid(dumper, &st, 0));
	ktest_read_file("/tmp/churn-hotplug.out", out, sizeof(out));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("%s", out);
	EXPECT_EQ(3, cycles);
	EXPECT_EQ(3, seen_offline);

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(0, kt_validate(t));
	/* Written = read + lost, per ring, across the hotplugs. */
	EXPECT_EQ(0, kt_rings_accounted(t, &events, &dropped));
	EXPECT_LT(1000, events);
	ctrace_trace_close(t);
	unlink(trace);
	unlink("/tmp/churn-hotplug.out");
	expect_memory_back(_metadata, &base, 2000, "after the hotplugs");
}

/* In a child: become nobody, then create sessions until refused. */
static int nobody_until_refused(char *why, size_t size)
{
	struct ctrace_ctl *ctl;
	int err = 0, n = 0;

	if (ktest_become_nobody())
		return -1;
	ctl = kt_ctl_open();
	if (!ctl)
		return -1;
	for (; n < 64; n++)
		if (!session_for(ctl, getpid(), 1 << 20, &err))
			break;
	snprintf(why, size, "%s", ctrace_ctl_error(ctl));
	ctrace_ctl_close(ctl);
	return n < 64 ? err : 0;
}

TEST(limits_and_memcg)
{
	const char *cg = "/sys/fs/cgroup/ctrace-churn";
	struct mem base = mem_now();
	char old_kb[32] = "", why[512], path[128];
	struct ctrace_ctl *ctl;
	int p[2], st, err, fd;
	pid_t child;
	uint32_t id;

	/* user_buffer_kb: an unprivileged user's share is used up. */
	ASSERT_LT(0, ktest_read_file("/sys/module/ctrace/parameters/user_buffer_kb",
				     old_kb, sizeof(old_kb)));
	old_kb[strcspn(old_kb, "\n")] = '\0';
	ASSERT_EQ(0, ktest_set_param("user_buffer_kb", "8192"));
	ASSERT_EQ(0, pipe(p));
	child = fork();
	if (!child) {
		int r = nobody_until_refused(why, sizeof(why));

		dprintf(p[1], "%d %s", r, why);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(child, waitpid(child, &st, 0));
	memset(why, 0, sizeof(why));
	ASSERT_LT(0, read(p[0], why, sizeof(why) - 1));
	close(p[0]);
	EXPECT_EQ(0, ktest_set_param("user_buffer_kb", old_kb));
	EXPECT_EQ(-EDQUOT, atoi(why)) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "user_buffer_kb")) TH_LOG("%s", why);
	expect_memory_back(_metadata, &base, 1000, "after user_buffer_kb");

	/* A memory cgroup with room for less than the rings. */
	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 here");
	/* Killed by the cgroup's OOM killer is not a clean failure: the
	 * child must live to report the refusal. */
	rmdir(cg);
	ASSERT_EQ(0, mkdir(cg, 0755));
	fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY);
	ASSERT_LE(0, fd);
	if (write(fd, "+memory", 7) != 7) {
		close(fd);
		rmdir(cg);
		SKIP(return, "the memory controller cannot be enabled here");
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(7, write(fd, "8388608", 7));
	close(fd);
	ASSERT_EQ(0, pipe(p));
	child = fork();
	if (!child) {
		char pid[16];
		int n = snprintf(pid, sizeof(pid), "%d", getpid()), r = -1;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		fd = open(path, O_WRONLY);
		if (fd >= 0 && write(fd, pid, n) == n) {
			close(fd);
			ctl = kt_ctl_open();
			if (ctl) {
				/* 32 MiB of rings (per CPU) for an 8 MiB cgroup. */
				id = session_for(ctl, getpid(), 32 << 20, &err);
				r = id ? 0 : err;
				snprintf(why, sizeof(why), "%s", id ? "created" : ctrace_ctl_error(ctl));
				ctrace_ctl_close(ctl);
			}
		}
		dprintf(p[1], "%d %s", r, why);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(child, waitpid(child, &st, 0));
	memset(why, 0, sizeof(why));
	ASSERT_LT(0, read(p[0], why, sizeof(why) - 1));
	close(p[0]);
	rmdir(cg);
	EXPECT_EQ(-ENOMEM, atoi(why)) TH_LOG("%s", why);
	TH_LOG("in an 8 MiB memory cgroup, a session of 32 MiB rings: %s", why);
	expect_memory_back(_metadata, &base, 1000, "after the memory cgroup");
}

KTEST_HARNESS_MAIN
