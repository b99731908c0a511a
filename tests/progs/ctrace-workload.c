// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-workload: programs with known scheduling behaviour, for the
 * kernel tests and the benchmarks to trace.
 *
 *   ctrace-workload storm SECONDS THREADS
 *       THREADS threads pinned to CPU 0 yield to each other for SECONDS:
 *       as many context switches as the CPU can make.
 *   ctrace-workload forever THREADS
 *       the same until killed (or its parent dies).
 *   ctrace-workload pingpong ROUNDS INFO
 *       two SCHED_FIFO threads on CPU 0 bounce a byte over pipes ROUNDS
 *       times; INFO gets "<t0> <t1> <tid_a> <tid_b>", CLOCK_MONOTONIC ns
 *       before and after the bouncing, which thread a brackets by renaming
 *       itself "pp-begin" before t0 and "pp-end" after t1.
 *   ctrace-workload spin SECONDS
 *       one thread on CPU 0 alternating 1 ms of spinning and 1 ms of sleep.
 *   ctrace-workload sleeper MS COUNT INFO
 *       a thread named "sleeper" sleeps MS ms, COUNT times, on CPU 0;
 *       INFO gets "<tid> <t0> <t1> <slept ns>": its own measure of the
 *       time it spent in nanosleep.
 *   ctrace-workload spinners MS INFO
 *       two threads "spinner-a" and "spinner-b", both pinned to CPU 0,
 *       spin for MS ms of wall time each (SCHED_OTHER: CFS shares the CPU
 *       between them, so each waits for it about half the time); INFO
 *       gets "<tid_a> <tid_b> <t0> <t1>".
 *   ctrace-workload syscalls N INFO
 *       a thread named "syscaller" makes N getppid() calls, 3 nanosleep()s
 *       of 10 ms, N write()s of one byte to /dev/null and one open() of a
 *       file that does not exist (ENOENT); INFO gets "<tid> <ppid>".
 */

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static volatile int stop;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void pin0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *yielder(void *arg)
{
	(void)arg;
	while (!stop)
		sched_yield();
	return NULL;
}

static int storm(double seconds, int threads)
{
	pthread_t th[64];

	if (threads < 1 || threads > 64)
		return 2;
	pin0();
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, yielder, NULL);
	if (seconds > 0) {
		usleep(seconds * 1e6);
		stop = 1;
	}
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	return 0;
}

static int ab[2], ba[2];
static pid_t tid_b;

static void *pong(void *arg)
{
	long n = (long)arg;
	char c;

	tid_b = syscall(SYS_gettid);
	while (n--)
		if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
			break;
	return NULL;
}

static int pingpong(long rounds, const char *info)
{
	struct sched_param sp = { .sched_priority = 1 };
	uint64_t t0, t1;
	pthread_t th;
	char c = 'x';
	FILE *f;

	pin0();
	/* FIFO at one priority: neither preempts the other (see
	 * tests/kselftest/sched_events_test.c). */
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		sched_setscheduler(0, SCHED_BATCH, &(struct sched_param){ 0 });
	if (pipe(ab) || pipe(ba) || pthread_create(&th, NULL, pong, (void *)rounds))
		return 1;
	usleep(1000);
	/* Renames bracket the bouncing in the trace (RENAME records). */
	prctl(PR_SET_NAME, "pp-begin");
	t0 = now_ns();
	for (long i = 0; i < rounds; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	t1 = now_ns();
	prctl(PR_SET_NAME, "pp-end");
	pthread_join(th, NULL);
	f = fopen(info, "w");
	if (!f)
		return 1;
	fprintf(f, "%llu %llu %d %d\n", (unsigned long long)t0,
		(unsigned long long)t1, getpid(), tid_b);
	return fclose(f) ? 1 : 0;
}

static int spin(double seconds)
{
	uint64_t end = now_ns() + seconds * 1e9;

	pin0();
	while (now_ns() < end) {
		uint64_t t = now_ns() + 1000000;

		while (now_ns() < t)
			;
		usleep(1000);
	}
	return 0;
}

static int sleeper(long ms, long count, const char *info)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	uint64_t t0, t1, slept = 0;
	FILE *f;

	pin0();
	prctl(PR_SET_NAME, "sleeper");
	t0 = now_ns();
	for (long i = 0; i < count; i++) {
		uint64_t a = now_ns();

		nanosleep(&ts, NULL);
		slept += now_ns() - a;
	}
	t1 = now_ns();
	f = fopen(info, "w");
	if (!f)
		return 1;
	fprintf(f, "%ld %llu %llu %llu\n", (long)syscall(SYS_gettid),
		(unsigned long long)t0, (unsigned long long)t1,
		(unsigned long long)slept);
	return fclose(f) ? 1 : 0;
}

static int syscalls(long n, const char *info)
{
	struct timespec ts = { 0, 10000000 };
	pid_t ppid = 0;
	FILE *f;
	int fd;

	prctl(PR_SET_NAME, "syscaller");
	f = fopen(info, "w");
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!f || fd < 0)
		return 1;
	for (long i = 0; i < n; i++)
		ppid = syscall(SYS_getppid);
	for (int i = 0; i < 3; i++)
		nanosleep(&ts, NULL);
	for (long i = 0; i < n; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	if (open("/nonexistent/ctrace", O_RDONLY) >= 0)
		return 1;
	close(fd);
	fprintf(f, "%ld %d\n", (long)syscall(SYS_gettid), ppid);
	return fclose(f) ? 1 : 0;
}

struct spinner {
	const char *name;
	uint64_t until;
	pid_t tid;
};

static void *spinner(void *arg)
{
	struct spinner *sp = arg;

	pin0();
	prctl(PR_SET_NAME, sp->name);
	sp->tid = syscall(SYS_gettid);
	while (now_ns() < sp->until)
		;
	return NULL;
}

static int spinners(long ms, const char *info)
{
	struct spinner sp[2] = { { .name = "spinner-a" }, { .name = "spinner-b" } };
	pthread_t th[2];
	uint64_t t0, t1;
	FILE *f;

	t0 = now_ns();
	for (int i = 0; i < 2; i++) {
		sp[i].until = t0 + (uint64_t)ms * 1000000;
		if (pthread_create(&th[i], NULL, spinner, &sp[i]))
			return 1;
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	f = fopen(info, "w");
	if (!f)
		return 1;
	fprintf(f, "%d %d %llu %llu\n", sp[0].tid, sp[1].tid,
		(unsigned long long)t0, (unsigned long long)t1);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* Never outlive whoever runs us (a killed ctrace-dump, say). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 1;
	if (argc == 4 && !strcmp(argv[1], "storm"))
		return storm(atof(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "forever"))
		return storm(0, atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "pingpong"))
		return pingpong(atol(argv[2]), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "spin"))
		return spin(atof(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "sleeper"))
		return sleeper(atol(argv[2]), atol(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "syscalls"))
		return syscalls(atol(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "spinners"))
		return spinners(atol(argv[2]), argv[3]);
	fprintf(stderr, "usage: see the comment at the top of ctrace-workload.c\n");
	return 2;
}
