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
 */

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
	fprintf(stderr, "usage: see the comment at the top of ctrace-workload.c\n");
	return 2;
}
