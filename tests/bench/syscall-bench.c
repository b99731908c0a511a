// SPDX-License-Identifier: GPL-2.0
/*
 * syscall-bench: the cost of a system call under each tracer.  One thread
 * makes N getppid() calls (about the cheapest there is, so what a tracer
 * adds stands out) and prints
 *
 *	RESULT syscall-<what> 1 <ns per call>
 *
 * Under QEMU's -icount (tests/bench/syscall.sh) the ns are instructions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 100000;
	unsigned long long t0, t1;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: syscall-bench WHAT N\n");
		return 2;
	}
	syscall(SYS_getppid);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	printf("RESULT syscall-%s 1 %.1f\n", argv[1], (double)(t1 - t0) / n);
	return 0;
}
