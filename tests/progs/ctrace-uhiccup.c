// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-uhiccup: a program that is slow once in a while, for the flight
 * recorder's tests (tests/kselftest/flight_test.c).
 *
 *   ctrace-uhiccup HOW
 *
 * The main thread runs regions "tick" (a 2 ms sleep each) for 3 s, then
 * one region "slow" (150 ms), asks for a snapshot the way HOW says, and
 * runs ticks for 0.5 s more.  Meanwhile:
 *   "dozer" sleeps from the start to the end: across any window's start,
 *           so a snapshot must show it sleeping, never running;
 *   "napper" begins region "nap" 300 ms before the slow region and sleeps
 *           in it to the end: a snapshot is taken mid-sleep, mid-region.
 *
 * HOW (the trigger, after the slow region):
 *   self     ctrace_snapshot()
 *   usr1     SIGUSR1 to the parent (ctrace-dump runs the command)
 *   netlink  `$CTRACE_BUILD/bin/ctrace snapshot`
 *   fail     none: exit 3 at the end (the command failing is the trigger)
 *   none     none (the slow region's length is the trigger)
 *   latency  none, and the slow region is a wait for a CPU: the main
 *            thread pins itself to CPU 0, where a SCHED_FIFO thread (after
 *            1 ms asleep) wakes it through a pipe it reads in "slow", then
 *            spins for 200 ms
 *            (the scheduling latency is the trigger; needs root)
 *   gaps     ctrace_snapshot() three times: now, 100 ms later, 1.2 s later
 *   storm    no slow region: 2 s of counters as fast as it can go, then
 *            ctrace_snapshot() (the memory bound)
 *
 * Prints "slow <begin-ns> <end-ns>" (CLOCK_MONOTONIC), "condition_at <ns>"
 * (CLOCK_REALTIME, right after the slow region) and the tids.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "ctrace.h"

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&t, &t))
		;
}

static void *dozer(void *arg)
{
	(void)arg;
	ctrace_thread_name("dozer");
	printf("dozer %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	sleep_ms(3600 * 1000);
	return NULL;
}

static volatile int nap_now;

static void *napper(void *arg)
{
	struct ctrace_region r;

	(void)arg;
	ctrace_thread_name("napper");
	while (!__atomic_load_n(&nap_now, __ATOMIC_ACQUIRE))
		sleep_ms(5);
	r = ctrace_region_begin("nap");
	sleep_ms(3600 * 1000);
	ctrace_region_end(r);
	return NULL;
}

static void ticks(uint64_t ms)
{
	uint64_t end = now_ns() + ms * 1000000;

	while (now_ns() < end) {
		struct ctrace_region r = ctrace_region_begin("tick");

		sleep_ms(2);
		ctrace_region_end(r);
	}
}

/*
 * The hog wakes the main thread itself, through a pipe, then keeps CPU 0
 * for 200 ms: the wait is a wakeup's latency whatever the timers do.  (A
 * 2 ms sleep of the main thread did not work on PREEMPT_RT: a normal
 * task's sleep expires in the ktimers thread, SCHED_FIFO 1 like the hog,
 * so the main thread was not woken before the hog was done.)
 */
static int hog_pipe[2];
static pid_t main_tid;

/* Whether thread @tid of this process is asleep ('S' in its stat). */
static int asleep(pid_t tid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static void *hog(void *arg)
{
	uint64_t end;

	(void)arg;
	ctrace_thread_name("hog");
	/* Let the main thread fall asleep in its region first, however
	 * long a slow guest takes to get there: its wakeup must wait. */
	do
		sleep_ms(1);
	while (!asleep(main_tid));
	if (write(hog_pipe[1], "w", 1) != 1)
		return NULL;
	end = now_ns() + 200000000ull;
	while (now_ns() < end)
		;
	return NULL;
}

/* A real-time thread takes CPU 0 while we wait to run there. */
static int starve(void)
{
	struct sched_param sp = { .sched_priority = 1 };
	pthread_attr_t a;
	pthread_t t;
	cpu_set_t cpu0;
	int err;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	main_tid = (pid_t)syscall(SYS_gettid);
	if (pipe(hog_pipe) || sched_setaffinity(0, sizeof(cpu0), &cpu0))
		return -1;
	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_FIFO);
	pthread_attr_setschedparam(&a, &sp);
	pthread_attr_setaffinity_np(&a, sizeof(cpu0), &cpu0);
	err = pthread_create(&t, &a, hog, NULL);
	pthread_attr_destroy(&a);
	if (err)
		return -1;
	pthread_detach(t);
	return 0;
}

static void storm(void)
{
	uint64_t end = now_ns() + 2000000000ull, n = 0;

	while (now_ns() < end)
		for (int i = 0; i < 1000; i++)
			ctrace_counter("storm", (int64_t)n++);
	printf("storm %llu\n", (unsigned long long)n);
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "self";
	struct ctrace_region r;
	pthread_t t1, t2;
	uint64_t b, e;
	char cmd[4200];

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("main %ld\n", (long)syscall(SYS_gettid));
	pthread_create(&t1, NULL, dozer, NULL);
	pthread_create(&t2, NULL, napper, NULL);
	if (!strcmp(how, "storm")) {
		storm();
		return ctrace_snapshot() ? 1 : 0;
	}
	ticks(2700);
	__atomic_store_n(&nap_now, 1, __ATOMIC_RELEASE);
	ticks(300);
	ctrace_log(0, "hiccup", "about to be slow");
	if (!strcmp(how, "latency") && starve()) {
		fprintf(stderr, "cannot start a SCHED_FIFO thread on CPU 0\n");
		return 1;
	}
	b = now_ns();
	r = ctrace_region_begin("slow");
	if (!strcmp(how, "latency")) {
		char c;

		if (read(hog_pipe[0], &c, 1) != 1)
			return 1;
	} else {
		sleep_ms(150);
	}
	ctrace_region_end(r);
	e = now_ns();
	printf("slow %llu %llu\n", (unsigned long long)b, (unsigned long long)e);
	/* The condition a trigger reports, in wall time: the snapshot's
	 * file time minus this is the trigger's latency (the test says it). */
	{
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		printf("condition_at %llu\n",
		       (unsigned long long)rt.tv_sec * 1000000000ull + rt.tv_nsec);
	}
	if (!strcmp(how, "self") || !strcmp(how, "gaps")) {
		if (ctrace_snapshot())
			fprintf(stderr, "ctrace_snapshot: nothing reads this process\n");
	} else if (!strcmp(how, "usr1")) {
		kill(getppid(), SIGUSR1);
	} else if (!strcmp(how, "netlink")) {
		const char *build = getenv("CTRACE_BUILD");

		snprintf(cmd, sizeof(cmd), "%s/bin/ctrace snapshot", build ? build : "build");
		if (system(cmd))
			fprintf(stderr, "%s failed\n", cmd);
	}
	if (!strcmp(how, "gaps")) {
		sleep_ms(100);
		ctrace_snapshot();
		sleep_ms(1200);
		ctrace_snapshot();
	}
	ticks(500);
	return !strcmp(how, "fail") ? 3 : 0;
}
