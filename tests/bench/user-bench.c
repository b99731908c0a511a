// SPDX-License-Identifier: GPL-2.0
/*
 * user-bench: what one user event costs the program that writes it.
 *
 *   user-bench WHAT THREADS EVENTS
 *
 * WHAT is one of
 *   floor     the clock read (rdtsc) and a 16-byte store into a ring:
 *             the least any tracer of timestamped events can do
 *   region    ctrace_region_begin() + ctrace_region_end(): 2 events
 *   log       ctrace_log() with a short literal message
 *   counter   ctrace_counter()
 *   marker-region, marker-log, marker-counter
 *             ftrace: the same events written to trace_marker
 *   lttng-region, lttng-log, lttng-counter
 *             LTTng-UST tracepoints carrying the same fields (only in
 *             user-bench-lttng, built with -DUSER_BENCH_LTTNG)
 * Run under a recorder (ctrace-dump, an LTTng session, ftrace on) for the
 * enabled cost, without one for the disabled cost.
 *
 * Each of THREADS threads (pinned one per CPU, round robin) writes EVENTS
 * events in bursts of BURST, timed with CLOCK_MONOTONIC, then pauses
 * PAUSE_MS so that the recorder drains them (when there is one): the time
 * measured is what writing costs, not what a full buffer does.  Prints
 *
 *   RESULT <what> <threads> <ns per event> <events> <dropped>
 *
 * with the mean over threads; dropped is what libctrace counted (0 for the
 * others: their recorders count it).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctrace.h"

#ifdef USER_BENCH_LTTNG
#include "user-bench-tp.h"
#endif

#define BURST		8192
#define PAUSE_MS	20

enum what {
	FLOOR, REGION, LOG, COUNTER,
	MARKER_REGION, MARKER_LOG, MARKER_COUNTER,
	LTTNG_REGION, LTTNG_LOG, LTTNG_COUNTER,
};

static const char *const names[] = {
	"floor", "region", "log", "counter",
	"marker-region", "marker-log", "marker-counter",
	"lttng-region", "lttng-log", "lttng-counter",
};

static enum what what;
static long events;
static int nthreads, marker_fd = -1;

struct worker {
	int idx;
	double ns;
	pthread_t th;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

/* The floor: a timestamp and a 16-byte record, stored. */
struct floor_rec {
	uint64_t ts;
	uint32_t tid;
	uint32_t id;
};

static __thread struct floor_rec floor_ring[4096];

static inline void floor_event(uint64_t *pos)
{
	struct floor_rec *r = &floor_ring[(*pos)++ & 4095];

	r->ts = __builtin_ia32_rdtsc();
	r->tid = 1;
	r->id = 2;
	/* The store must happen: the compiler cannot see who reads it. */
	__asm__ __volatile__("" : : "r" (r) : "memory");
}

static void marker(const char *s, size_t len)
{
	if (write(marker_fd, s, len) < 0)
		exit(1);
}

/* One burst of @n events; returns how many it wrote. */
static long burst(long n, uint64_t *pos)
{
	long i = 0;

	switch (what) {
	case FLOOR:
		for (; i < n; i++)
			floor_event(pos);
		break;
	case REGION:
		for (; i < n; i += 2) {
			struct ctrace_region r = ctrace_region_begin("work");

			ctrace_region_end(r);
		}
		break;
	case LOG:
		for (; i < n; i++)
			ctrace_log(0, "bench", "hello");
		break;
	case COUNTER:
		for (; i < n; i++)
			ctrace_counter("bench", i);
		break;
	case MARKER_REGION:
		for (; i < n; i += 2) {
			marker("B work\n", 7);
			marker("E work\n", 7);
		}
		break;
	case MARKER_LOG:
		for (; i < n; i++)
			marker("bench: hello\n", 13);
		break;
	case MARKER_COUNTER: {
		char buf[32];

		for (; i < n; i++)
			marker(buf, snprintf(buf, sizeof(buf), "C bench %ld\n", i));
		break;
	}
#ifdef USER_BENCH_LTTNG
	case LTTNG_REGION:
		for (; i < n; i += 2) {
			lttng_ust_tracepoint(user_bench, region_begin, 1);
			lttng_ust_tracepoint(user_bench, region_end, 1);
		}
		break;
	case LTTNG_LOG:
		for (; i < n; i++)
			lttng_ust_tracepoint(user_bench, log, 2, "hello");
		break;
	case LTTNG_COUNTER:
		for (; i < n; i++)
			lttng_ust_tracepoint(user_bench, counter, 3, i);
		break;
#endif
	default:
		exit(2);
	}
	return i;
}

/* Whether a recorder drains what we write (no point pausing otherwise). */
static int recording(void)
{
	if (what == FLOOR)
		return 0;
	if (what <= COUNTER)
		return ctrace_enabled();
	return 1;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct timespec pause = { 0, PAUSE_MS * 1000000L };
	uint64_t pos = 0, spent = 0;
	long done = 0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->idx % sysconf(_SC_NPROCESSORS_ONLN), &set);
	sched_setaffinity(0, sizeof(set), &set);
	burst(64, &pos);	/* interning, first-event work: not measured */
	while (done < events) {
		long n = events - done < BURST ? events - done : BURST;
		uint64_t t0 = now_ns();

		done += burst(n, &pos);
		spent += now_ns() - t0;
		if (recording())
			nanosleep(&pause, NULL);
	}
	w->ns = (double)spent / done;
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[64];
	struct ctrace_lib_stats st;
	double sum = 0;

	if (argc != 4)
		goto usage;
	for (what = 0; what < sizeof(names) / sizeof(names[0]); what++)
		if (!strcmp(argv[1], names[what]))
			break;
	nthreads = atoi(argv[2]);
	events = atol(argv[3]);
	if (what == sizeof(names) / sizeof(names[0]) || nthreads < 1 || nthreads > 64 ||
	    events < 2)
		goto usage;
#ifndef USER_BENCH_LTTNG
	if (what >= LTTNG_REGION) {
		fprintf(stderr, "user-bench: %s needs user-bench-lttng\n", argv[1]);
		return 2;
	}
#endif
	if (what >= MARKER_REGION && what <= MARKER_COUNTER) {
		marker_fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY | O_CLOEXEC);
		if (marker_fd < 0) {
			perror("user-bench: trace_marker");
			return 1;
		}
	}
	for (int i = 0; i < nthreads; i++) {
		w[i].idx = i;
		pthread_create(&w[i].th, NULL, run, &w[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		sum += w[i].ns;
	}
	ctrace_get_stats(&st);
	printf("RESULT %s %d %.2f %ld %llu\n", argv[1], nthreads, sum / nthreads,
	       events * nthreads, (unsigned long long)st.dropped);
	return 0;
usage:
	fprintf(stderr, "usage: user-bench WHAT THREADS EVENTS (see user-bench.c)\n");
	return 2;
}
