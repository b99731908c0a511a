// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong ROUNDS: two processes pinned to CPU 0 bounce a byte over two
 * pipes ROUNDS times; prints the CLOCK_MONOTONIC ns per round trip.  Each
 * round trip is two context switches and two wakeups.
 *
 * Built static, so that its cost does not depend on the dynamic loader.
 * Under QEMU with -icount shift=0 the guest clock advances one ns per
 * executed instruction, so the result is an instruction count.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 20000;
	int ab[2], ba[2];
	cpu_set_t set;
	long long t0, t1;
	char c = 'x';
	pid_t pid;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || pipe(ab) || pipe(ba))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		for (long i = 0; i < rounds; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	/* Warm up: page faults and the first wakeups out of the way. */
	for (int i = 0; i < 100 && rounds > 200; i++) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
		rounds--;
	}
	t0 = now_ns();
	for (long i = 0; i < rounds; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	t1 = now_ns();
	waitpid(pid, NULL, 0);
	printf("%.1f\n", (double)(t1 - t0) / rounds);
	return 0;
}
