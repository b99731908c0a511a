// SPDX-License-Identifier: GPL-2.0
/*
 * gen-trace EVENTS OUT: a synthetic trace of about EVENTS events, for
 * the read-side benchmarks (export, analysis) on traces larger than the
 * test VM can record quickly.  Written with the real writer through the
 * test builder (tests/unit/tracefile_builder.h), so it is a valid file.
 *
 * The mix is a busy 4-CPU machine: 64 threads in 8 processes sleep, are
 * woken (from another thread, often inside a region), wait, run and are
 * preempted; the running thread writes user events: nested regions,
 * counters, a log now and then, tasks across threads.  Per step: a wakeup,
 * a switch, two region records, a counter, so about 5 events.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tracefile_builder.h"

#define CPUS 4
#define THREADS 64
#define BASE_TID 1000

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	static const uint32_t ids[] = { 1, 2, 3, 4, 5, 6 };
	static const char *const strs[] = { "parse", "compute", "write", "queue",
					    "http", "request" };
	uint32_t cur[CPUS], state[THREADS];	/* 0 asleep, 1 runnable, 2 on a CPU */
	unsigned long long events, done = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull, ts = 1000000;
	unsigned char *p;
	struct tb b;
	size_t len;
	FILE *f;

	if (argc != 3 || !(events = strtoull(argv[1], NULL, 10))) {
		fprintf(stderr, "usage: gen-trace EVENTS OUT\n");
		return 2;
	}
	if (tb_open(&b))
		return 1;
	tb_meta(&b, "clock=mono\ntarget=all\nkernel=6.1.0-synthetic\nhost=gen-trace\n");
	tb_uset(&b, 0, 1000, CPUS);
	tb_strings(&b, 0, 6, ids, strs);
	for (int i = 0; i < THREADS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "worker-%d", i);
		tb_thread(&b, 0, ts, BASE_TID + i, BASE_TID + (i / 8) * 8, 0,
			  CTRACE_STATE_SLEEPING, CTRACE_THREAD_F_SNAPSHOT, name);
		tb_uthread(&b, 0, i % CPUS, ts, BASE_TID + i, BASE_TID + (i / 8) * 8, name);
		state[i] = 0;
	}
	for (int c = 0; c < CPUS; c++)
		cur[c] = 0;
	while (done < events) {
		int c = rnd(&seed) % CPUS, w = rnd(&seed) % THREADS;
		uint32_t prev = cur[c], next;

		ts += 200 + rnd(&seed) % 2000;
		/* Wake a sleeper from the running thread (inside a region). */
		if (state[w] == 0) {
			if (prev)
				tb_uregion(&b, 0, c, ts - 100, prev, CTRACE_UREC_REGION_BEGIN, 4, false, 0);
			tb_wakeup(&b, c, ts, BASE_TID + w, prev ? prev : 0, c);
			if (prev)
				tb_uregion(&b, 0, c, ts + 50, prev, CTRACE_UREC_REGION_END, 4, false, 0);
			state[w] = 1;
			done += prev ? 3 : 1;
		}
		/* Switch to some runnable thread, or idle. */
		next = 0;
		for (int k = 0, i = rnd(&seed) % THREADS; k < THREADS; k++, i = (i + 1) % THREADS)
			if (state[i] == 1) {
				next = BASE_TID + i;
				break;
			}
		ts += 100;
		if (prev && prev != next) {
			bool preempt = rnd(&seed) % 4 == 0;

			tb_switch(&b, c, ts, prev, next, preempt ?
				  (CTRACE_STATE_RUNNABLE | CTRACE_SWITCH_F_PREEMPT) :
				  CTRACE_STATE_SLEEPING);
			state[prev - BASE_TID] = preempt ? 1 : 0;
			done++;
		} else if (!prev && next) {
			tb_switch(&b, c, ts, 0, next, 0);
			done++;
		}
		if (next && next != prev) {
			state[next - BASE_TID] = 2;
			cur[c] = next;
			/* The new thread works: a region with a counter inside. */
			tb_uregion(&b, 0, c, ts + 10, next, CTRACE_UREC_REGION_BEGIN, 2, false, 0);
			tb_u64(&b, 0, c, ts + 20, next, CTRACE_UREC_COUNTER, 4, done);
			if (rnd(&seed) % 16 == 0)
				tb_ulog(&b, 0, c, ts + 30, next, 5, 0, 0, "GET /index.html", 15);
			tb_uregion(&b, 0, c, ts + 90, next, CTRACE_UREC_REGION_END, 2, false, 0);
			done += 3;
		} else if (!next && prev) {
			cur[c] = 0;
		}
		if ((done & 0xffff) < 8) {
			tb_flush_all(&b);
			b.nr_evs = 0;	/* no test reads the log here */
		}
	}
	tb_flush_all(&b);
	b.nr_evs = 0;
	tb_stats(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	f = fopen(argv[2], "w");
	if (!p || !f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	fprintf(stderr, "gen-trace: %llu events, %zu bytes in %s\n", done, len, argv[2]);
	free(p);
	tb_free(&b);
	return 0;
}
