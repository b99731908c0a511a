// SPDX-License-Identifier: LGPL-2.1
/*
 * pipeline: a small program annotated with libctrace, the way a Go
 * program uses runtime/trace.  `make demo` traces it.
 *
 * A producer thread makes requests (tasks) and queues them; three workers
 * (more than this machine may have CPUs) take them, each request going
 * through "parse", "compute" and "store" regions; "store" sleeps as if it
 * waited for a disk.  A flow links each request's queueing to the worker
 * that picks it up; a counter follows the queue's depth; logs say what
 * happened.  In the trace, the scheduler's events fall inside these
 * regions: a slow "compute" shows the preemption that made it slow, a
 * "store" shows its thread asleep until the wakeup.
 *
 *   build/bin/ctrace record -o pipeline.trace -- build/examples/pipeline [REQUESTS]
 *   build/bin/ctrace report --events pipeline.trace
 *
 * Build your own the same way: cc app.c $(pkg-config --cflags --libs ctrace)
 * (PKG_CONFIG_PATH=build/lib/pkgconfig for the tree's build).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ctrace.h"

#define WORKERS 3
#define QUEUE 8

struct request {
	int n;
	ctrace_task_t task;
	ctrace_flow_t queued;
};

static struct request queue[QUEUE];
static int head, tail, done;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

static void put(struct request r)
{
	pthread_mutex_lock(&lock);
	while (tail - head == QUEUE)
		pthread_cond_wait(&changed, &lock);
	queue[tail++ % QUEUE] = r;
	ctrace_counter("queue depth", tail - head);
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

static int get(struct request *r)
{
	pthread_mutex_lock(&lock);
	while (tail == head && !done)
		pthread_cond_wait(&changed, &lock);
	if (tail == head) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	*r = queue[head++ % QUEUE];
	ctrace_counter("queue depth", tail - head);
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	return 1;
}

/* Busy for about @us microseconds of CPU. */
static unsigned long spin(long us)
{
	struct timespec t0, t;
	unsigned long x = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 1000; i++)
			x = x * 6364136223846793005ul + 1442695040888963407ul;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
	return x;
}

static void *worker(void *arg)
{
	char name[16];
	struct request r;
	unsigned long sum = 0;

	snprintf(name, sizeof(name), "worker-%ld", (long)arg);
	ctrace_thread_name(name);
	while (get(&r)) {
		ctrace_flow_end(r.queued);
		{
			CTRACE_REGION_IN(r.task, "parse");
			sum += spin(200);
		}
		{
			CTRACE_REGION_IN(r.task, "compute");
			sum += spin(1000 + 500 * (r.n % 4));
		}
		{
			CTRACE_REGION_IN(r.task, "store");
			usleep(2000);	/* waiting for the disk */
		}
		ctrace_logf(r.task, "result", "request %d: %lu", r.n, sum % 1000);
		ctrace_task_end(r.task);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int requests = argc > 1 ? atoi(argv[1]) : 40;
	pthread_t th[WORKERS];

	ctrace_thread_name("producer");
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int n = 0; n < requests; n++) {
		struct request r = { .n = n };

		r.task = ctrace_task_begin(0, "request");
		ctrace_log(r.task, "producer", "queued");
		r.queued = ctrace_flow_begin("queued");
		put(r);
		if (n % 10 == 9)
			usleep(5000);	/* requests come in bursts */
	}
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	ctrace_instant(0, "all done");
	printf("pipeline: %d requests by %d workers\n", requests, WORKERS);
	return 0;
}
