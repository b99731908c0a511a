// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-lostrace INFO: an event whose LOST total is overtaken before its
 * restartable sequence runs, as a preemption right there would allow.
 *
 * Linked with a build of libctrace that has its test hook
 * (CTRACE_TEST_HOOKS, tools/lib/internal.h), which makes that moment
 * come every time instead of once in a million runs.  On one CPU:
 *
 *   1. counters until one is dropped (the ring is full, the reader
 *      stopped with SIGSTOP meanwhile), then a wait,
 *      writing nothing, until the reader has made room: a loss is
 *      pending;
 *   2. the next counter reads that loss total, T1; the hook runs before
 *      its sequence: counters (the first reports T1) until more are
 *      dropped, the wait again, and one counter, its LOST record saying
 *      T2 > T1;
 *   3. the counter's sequence then runs.  A library that trusted what it
 *      read before the hook would commit LOST T1 after LOST T2: a total
 *      that goes down, which the reader takes for corruption.
 *
 * ctrace-lostrace early INFO: losses before the reader has mapped the
 * ring set (below).
 *
 * INFO gets "<attempted> <dropped> <hook ran> <mode>".  The same counter
 * ("lostrace") throughout; ctrace-dump's user-only mode or the module's
 * rings, with rseq (with the lock word nothing can overtake a writer, and
 * the hook never runs).
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* libctrace's own (tools/tracefile has an internal.h too). */
#include "../../tools/lib/internal.h"

static uint64_t attempted;
static int hook_ran;

static uint64_t dropped(void)
{
	struct ctrace_lib_stats st;

	ctrace_get_stats(&st);
	return st.dropped;
}

static void one(void)
{
	ctrace_counter("lostrace", (int64_t)attempted);
	attempted++;
}

/*
 * Counters until one is dropped (the ring is full): 0, or -1.  The reader
 * (ctrace-dump, our parent) is stopped meanwhile: it drains often enough
 * to keep up with one writer, and the ring would never fill.
 */
static int fill(void)
{
	uint64_t d = dropped();
	long i;

	if (kill(getppid(), SIGSTOP))
		return -1;
	for (i = 0; dropped() == d && i < 100 * 1000 * 1000; i++)
		one();
	kill(getppid(), SIGCONT);
	return dropped() == d ? -1 : 0;
}

/* Until the reader has made room for a LOST record and a counter, without
 * writing (a write would report the loss): 0, or -1. */
static int wait_room(void)
{
	const struct timespec gap = { 0, 2 * 1000 * 1000 };
	const struct ctrace_lib *l = &ctrace_lib;
	uint32_t cpu = (uint32_t)sched_getcpu();

	for (int i = 0; i < 5000; i++) {
		/* prod is this thread's own (the only writer here); cons:
		 * pairs with the reader's store-release [U2]. */
		uint64_t prod = __atomic_load_n(&l->rings[cpu].prod, __ATOMIC_RELAXED);
		uint64_t cons = __atomic_load_n(&l->cons[cpu].cons, __ATOMIC_ACQUIRE);

		if (prod - cons + 64 <= l->data_size)
			return 0;
		nanosleep(&gap, NULL);
	}
	return -1;
}

/* In the hooked counter, between reading T1 and its sequence. */
static void overtake(void)
{
	uint64_t d;

	ctrace_test_after_lost_read = NULL;	/* once; not in our own calls */
	hook_ran = -1;
	if (fill() || wait_room())
		return;
	d = dropped();
	one();			/* LOST T2, then the counter */
	if (dropped() == d)
		hook_ran = 1;
}

static int write_info(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return 1;
	fprintf(f, "%llu %llu %d %d\n", (unsigned long long)attempted,
		(unsigned long long)dropped(), hook_ran, ctrace_mode());
	return fclose(f) ? 1 : 0;
}

/*
 * "early": the first counter registers the ring set (with the module, the
 * session's reader maps it when it next looks), and the ring fills at once,
 * the reader stopped: the drops come before the reader has the set mapped.
 * A reader that counted the set's losses from what it found when it
 * mapped it would not count them.
 */
static int early(const char *info)
{
	one();
	if (fill() || wait_room())
		return 1;
	for (int i = 0; i < 10; i++)
		one();
	return write_info(info);
}

int main(int argc, char **argv)
{
	cpu_set_t one_cpu;

	if (argc != 2 && !(argc == 3 && !strcmp(argv[1], "early"))) {
		fprintf(stderr, "usage: ctrace-lostrace [early] INFO\n");
		return 2;
	}
	/* One ring to fill and watch; and the sequence only runs on the CPU
	 * the total was read on. */
	CPU_ZERO(&one_cpu);
	CPU_SET(sched_getcpu(), &one_cpu);
	if (sched_setaffinity(0, sizeof(one_cpu), &one_cpu))
		return 1;
	if (argc == 3)
		return early(argv[2]);
	one();			/* the thread announced, the rings mapped */
	if (fill() || wait_room())
		return 1;
	ctrace_test_after_lost_read = overtake;
	one();
	return write_info(argv[1]);
}
