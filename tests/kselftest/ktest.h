/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by ctrace's in-kernel tests (run by tests/ktest-run with
 * ctrace.ko loaded, as root).  Environment: CTRACE_KO, the module file the
 * runner loaded; CTRACE_BUILD, the build directory (tools are in bin/);
 * CTRACE_BIN, where to take the tools from instead (sanitised builds).
 */
#ifndef CTRACE_KTEST_H
#define CTRACE_KTEST_H

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Number of possible CPUs, from /sys/devices/system/cpu/possible ("0-N"). */
static inline int ktest_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int lo = 0, hi = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d-%d", &lo, &hi) < 1)
		hi = -1;
	else if (hi < 0)
		hi = lo;
	fclose(f);
	return hi + 1;
}

/*
 * kselftest_harness.h bounds each test case with alarm(): 30 s, or its
 * TEST_F_TIMEOUT.  On a kernel much slower than the stock ones it was
 * sized on (make check-debug's lockdep/KASAN kernel), CTRACE_TIMEOUT_SCALE
 * (1 to 100; tests/ktest-run exports it, as it stretches its own bounds)
 * multiplies each case's bound before the harness runs the cases.
 * ktest.h comes after kselftest_harness.h, whose registered cases these
 * are: __fixture_list holds them by the time main() runs.
 */
static inline void ktest_scale_timeouts(void)
{
	const char *s = getenv("CTRACE_TIMEOUT_SCALE");
	long k = s ? atol(s) : 1;

	if (k <= 1 || k > 100)
		return;
	for (struct __fixture_metadata *f = __fixture_list; f; f = f->next)
		for (struct __test_metadata *t = f->tests; t; t = t->next)
			t->timeout *= (int)k;
}

/* TEST_HARNESS_MAIN, with the bounds scaled first. */
static inline int ktest_harness_run(int argc, char **argv)
{
	ktest_scale_timeouts();
	return test_harness_run(argc, argv);
}

#define KTEST_HARNESS_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) \
	{ \
		return ktest_harness_run(argc, argv); \
	}

/*
 * The fuzzers' PRNG (splitmix64): the same seed gives the same run on any
 * machine, which libc's rand() does not promise.  A test prints its seed
 * so that a failure can be replayed.
 */
static inline uint64_t ktest_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number below @n (0 when @n is 0). */
static inline uint32_t ktest_rnd(uint64_t *s, uint32_t n)
{
	return n ? ktest_rng(s) % n : 0;
}

/* Path of a built workload: $CTRACE_BUILD/tests/progs/ctrace-workload. */
static inline const char *ktest_workload(void)
{
	static char path[4096];
	const char *b = getenv("CTRACE_BUILD");

	snprintf(path, sizeof(path), "%s/tests/progs/ctrace-workload", b ? b : "build");
	return path;
}

/* Path of the user-event test program: $CTRACE_BUILD/tests/progs/ctrace-uprog. */
static inline const char *ktest_uprog(void)
{
	static char path[4096];
	const char *b = getenv("CTRACE_BUILD");

	snprintf(path, sizeof(path), "%s/tests/progs/ctrace-uprog", b ? b : "build");
	return path;
}

/* Path of a built tool: $CTRACE_BIN/NAME, or $CTRACE_BUILD/bin/NAME. */
static inline const char *ktest_tool(const char *name)
{
	static char path[4096];
	const char *bin = getenv("CTRACE_BIN");
	const char *b = getenv("CTRACE_BUILD");

	if (bin && *bin)
		snprintf(path, sizeof(path), "%s/%s", bin, name);
	else
		snprintf(path, sizeof(path), "%s/bin/%s", b ? b : "build", name);
	return path;
}

/*
 * Run a shell command, capturing stdout and stderr together into @out
 * (NUL-terminated, truncated to @size).  Returns the exit status, or -1.
 */
static inline int ktest_run(const char *cmd, char *out, size_t size)
{
	char buf[20000];
	size_t used = 0;
	FILE *p;
	int st;

	if (snprintf(buf, sizeof(buf), "%s 2>&1", cmd) >= (int)sizeof(buf))
		return -1;
	p = popen(buf, "r");
	if (!p)
		return -1;
	out[0] = '\0';
	while (fgets(buf, sizeof(buf), p)) {
		size_t n = strlen(buf);

		if (used + n >= size)
			n = size - used - 1;
		memcpy(out + used, buf, n);
		used += n;
		out[used] = '\0';
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Read a small file into @buf; returns its length or -errno. */
static inline int ktest_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

/* Write a ctrace module parameter (/sys/module/ctrace/parameters/NAME). */
static inline int ktest_set_param(const char *name, const char *value)
{
	char path[256];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/module/ctrace/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* rmmod without waiting: -1 and errno EWOULDBLOCK/EBUSY while in use. */
static inline int ktest_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/* insmod @path (finit_module). */
static inline int ktest_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* This program's own path, to re-run it as a workload. */
static inline const char *ktest_self(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = '\0';
	return path;
}

/* Pin the calling thread to @cpu (inherited by what it forks). */
static inline int ktest_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static inline int ktest_nr_cpus_online(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/*
 * Run ctrace-dump with @args (a shell fragment), output in @out.
 * Returns its exit status.
 */
static inline int ktest_dump(const char *args, char *out, size_t size)
{
	char cmd[16384];

	if (snprintf(cmd, sizeof(cmd), "%s -q %s", ktest_tool("ctrace-dump"),
		     args) >= (int)sizeof(cmd))
		return -1;
	return ktest_run(cmd, out, size);
}

#define KTEST_NOBODY 65534

/*
 * Become nobody.  Changing credentials makes a process non-dumpable, so
 * not even its new owner may trace it; a process nobody starts is
 * dumpable, so set it back to be like one.
 */
static inline int ktest_become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(KTEST_NOBODY, KTEST_NOBODY, KTEST_NOBODY) ||
	    setresuid(KTEST_NOBODY, KTEST_NOBODY, KTEST_NOBODY))
		return -1;
	return prctl(PR_SET_DUMPABLE, 1);
}

/*
 * Checks in a child that changed credentials (the harness's EXPECT works
 * in the test's own process only): count and explain, then exit with
 * ktest_failures != 0.
 */
static int ktest_failures __attribute__((unused));
#define KT_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		ktest_failures++;					\
		fprintf(stderr, "# %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#endif
