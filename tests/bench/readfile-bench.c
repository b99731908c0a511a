// SPDX-License-Identifier: GPL-2.0
/*
 * readfile-bench: the seed's benchmark in C.  Go measures os.ReadFile of a
 * small file with and without -trace; this reads a small file (open,
 * fstat, read, close, as os.ReadFile does) in a loop on THREADS threads
 * at once, for tests/bench/readfile.sh, and prints
 *
 *	RESULT readfile-<what> <threads> <ns per ReadFile>
 *
 * WHAT is a label for the state it runs in (none, ctrace, ...).  With
 * "regions" each ReadFile is also a libctrace region, "ReadFile": the
 * user events a program annotated like the seed's example would write
 * (free while nothing records it).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ctrace.h"

static const char *path;
static long reads;
static int regions;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static int read_file(char *buf, size_t size)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || (size_t)st.st_size > size) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, size);
	close(fd);
	return n < 0 ? -1 : 0;
}

static void *loop(void *arg)
{
	static char bufs[64][8192];
	char *buf = bufs[(long)arg % 64];

	for (long i = 0; i < reads; i++) {
		if (regions) {
			CTRACE_REGION("ReadFile");
			if (read_file(buf, sizeof(bufs[0])))
				exit(1);
		} else if (read_file(buf, sizeof(bufs[0]))) {
			exit(1);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	int threads;
	uint64_t t0, t1;

	if (argc != 6) {
		fprintf(stderr, "usage: readfile-bench WHAT THREADS READS FILE regions|plain\n");
		return 2;
	}
	threads = atoi(argv[2]);
	reads = atol(argv[3]);
	path = argv[4];
	regions = !strcmp(argv[5], "regions");
	if (threads < 1 || threads > 64 || reads < 1)
		return 2;
	t0 = now_ns();
	for (long i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, loop, (void *)i);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	printf("RESULT readfile-%s %d %.1f\n", argv[1], threads, (double)(t1 - t0) / reads);
	return 0;
}
