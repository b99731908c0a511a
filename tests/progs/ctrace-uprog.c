// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-uprog: programs that write user events with libctrace, whose
 * events the tests know in advance.
 *
 *   ctrace-uprog ground INFO
 *       a task spanning two threads, nested regions (the inner one
 *       sleeps), logs, counters, an instant and a flow between the
 *       threads; INFO gets "<main tid> <worker tid> <task id> <flow id>".
 *   ctrace-uprog stress THREADS EVENTS INFO
 *       THREADS threads each write EVENTS counters, moving between CPUs
 *       (affinity changes every 1000, sched_yield every 100) and taking
 *       a signal every 100 us (each may abort an rseq critical section);
 *       INFO gets "<attempted> <dropped> <aborts> <mode>".
 *   ctrace-uprog hostile KIND
 *       scribbles on the user's ring set, then writes good events
 *       (instants named "after"); KIND: garbage, misaligned, oversized,
 *       backwards, killed, string_killed (a writer killed between
 *       reserving a string and publishing it), string_killed_len (the
 *       same, after it stored the length).  Prints "<tid>" of the writer.
 *   ctrace-uprog idle SECONDS OUT
 *       an instant every ms for SECONDS; OUT gets one line per change of
 *       ctrace_enabled(): "<monotonic ns> <0|1>", then "calls <n>" and
 *       "enabled <n>" (how many calls took the slow path).
 *   ctrace-uprog rate EVENTS_PER_S SECONDS INFO
 *       one thread writing at that rate; INFO as for stress.
 *   ctrace-uprog regions COUNT MS INFO
 *       on one thread ("uregions", pinned to CPU 0), COUNT times: a
 *       region "sleepy" that sleeps MS ms, then a region "spinny" that
 *       spins MS ms, both in a task "round"; INFO gets "<tid> <sleepy ns>
 *       <spinny ns>", the regions' total durations as the program
 *       measured them around its calls.
 *   ctrace-uprog forker SECONDS PIDFILE
 *       forks; parent and child each write an instant ("parent",
 *       "child") every ms for SECONDS; PIDFILE gets "<parent> <child>".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ctrace.h"
#include "uset_map.h"

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* ------------------------------------------------------------ ground */

struct ground {
	ctrace_task_t task;
	ctrace_flow_t flow;
	pid_t worker_tid;
};

static void *ground_worker(void *arg)
{
	struct ground *g = arg;

	ctrace_thread_name("uworker");
	g->worker_tid = gettid_();
	{
		CTRACE_REGION_IN(g->task, "work");

		ctrace_instant(g->task, "tick");
		ctrace_logf(g->task, "cat", "n=%d", 42);
		ctrace_flow_end(g->flow);
	}
	return NULL;
}

static int ground(const char *info)
{
	struct ground g = { 0 };
	struct ctrace_region outer, inner;
	pthread_t th;
	FILE *f;

	ctrace_thread_name("umain");
	prctl(PR_SET_NAME, "umain");
	g.task = ctrace_task_begin(0, "job");
	outer = ctrace_region_begin_in(g.task, "outer");
	ctrace_log(g.task, "cat", "hello");
	inner = ctrace_region_begin("inner");
	ctrace_counter("depth", 2);
	ctrace_counter_f("ratio", 0.5);
	usleep(20000);			/* asleep inside both regions */
	ctrace_region_end(inner);
	ctrace_region_end(outer);
	g.flow = ctrace_flow_begin("handoff");
	pthread_create(&th, NULL, ground_worker, &g);
	pthread_join(th, NULL);
	ctrace_task_end(g.task);

	f = fopen(info, "w");
	if (!f)
		return 1;
	fprintf(f, "%d %d %llu %llu\n", gettid_(), g.worker_tid,
		(unsigned long long)g.task, (unsigned long long)g.flow);
	return fclose(f) ? 1 : 0;
}

/* ------------------------------------------------------------ stress */

struct stress {
	long events;
	int idx;
	uint64_t attempted;
};

static void *stress_thread(void *arg)
{
	struct stress *s = arg;
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	for (long i = 0; i < s->events; i++) {
		if (i % 1000 == 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET((s->idx + i / 1000) % ncpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
		if (i % 100 == 0)
			sched_yield();
		ctrace_counter("stress", i);
		s->attempted++;
	}
	return NULL;
}

static int write_stats(const char *info, uint64_t attempted)
{
	struct ctrace_lib_stats st;
	FILE *f = fopen(info, "w");

	if (!f)
		return 1;
	ctrace_get_stats(&st);
	fprintf(f, "%llu %llu %llu %d\n", (unsigned long long)attempted,
		(unsigned long long)st.dropped, (unsigned long long)st.aborts,
		ctrace_mode());
	return fclose(f) ? 1 : 0;
}

static void on_signal(int sig)
{
	(void)sig;
}

struct pester {
	pthread_t *th;
	int n;
	volatile int stop;
};

/* Signal the writers over and over: a signal delivered inside an rseq
 * critical section aborts it, so aborts happen even on an idle machine. */
static void *pester_thread(void *arg)
{
	struct pester *p = arg;
	struct timespec gap = { 0, 100 * 1000 };

	while (!p->stop) {
		for (int i = 0; i < p->n; i++)
			pthread_kill(p->th[i], SIGUSR1);
		nanosleep(&gap, NULL);
	}
	return NULL;
}

static int stress(int threads, long events, const char *info)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct stress s[64];
	pthread_t th[64], pt;
	struct pester p = { .th = th, .n = threads };
	uint64_t attempted = 0;

	if (threads < 1 || threads > 64)
		return 2;
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < threads; i++) {
		s[i] = (struct stress){ .events = events, .idx = i };
		pthread_create(&th[i], NULL, stress_thread, &s[i]);
	}
	pthread_create(&pt, NULL, pester_thread, &p);
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		attempted += s[i].attempted;
	}
	p.stop = 1;
	pthread_join(pt, NULL);
	return write_stats(info, attempted);
}

static int rate(long per_s, double seconds, const char *info)
{
	uint64_t start = now_ns(), attempted = 0, end = start + seconds * 1e9;
	uint64_t gap = 1000000000u / per_s;

	while (now_ns() < end) {
		/* Bursts of 100 at the requested average rate. */
		for (int i = 0; i < 100; i++) {
			ctrace_counter("rate", (int64_t)attempted);
			attempted++;
		}
		while (now_ns() < start + attempted * gap)
			;
	}
	return write_stats(info, attempted);
}

/* ------------------------------------------------------------ hostile */

/* Map this user's ring set the way a program without libctrace would. */
static uint8_t *map_ring_set(struct ctrace_uset *h)
{
	const char *fdenv = getenv("CTRACE_USER_FD");
	struct ctrace_register r = { .size = sizeof(r) };
	uint8_t *base;
	int fd;

	if (fdenv && *fdenv) {
		fd = atoi(fdenv);
		if (pread(fd, h, sizeof(*h), sysconf(_SC_PAGESIZE)) != sizeof(*h))
			return NULL;
		base = ctrace_uset_map_fd(fd, sysconf(_SC_PAGESIZE), h);
		return base == MAP_FAILED ? NULL : base;
	}
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, CTRACE_IOC_REGISTER, &r))
		return NULL;
	base = mmap(NULL, r.uset_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, r.uset_off);
	close(fd);
	if (base == MAP_FAILED)
		return NULL;
	memcpy(h, base, sizeof(*h));
	return base;
}

static void commit_raw(struct ctrace_uset *h, uint8_t *base, int cpu,
		       const void *bytes, uint64_t len, uint64_t advance)
{
	struct ctrace_uring *r = (struct ctrace_uring *)(base + h->rings_off) + cpu;
	uint8_t *data = base + h->data_off + 2 * (uint64_t)cpu * h->data_size;
	uint64_t prod = __atomic_load_n(&r->prod, __ATOMIC_RELAXED);

	memcpy(data + (prod & (h->data_size - 1)), bytes, len);
	__atomic_store_n(&r->prod, prod + advance, __ATOMIC_RELEASE);
}

static int hostile(const char *kind)
{
	struct ctrace_uset h;
	uint8_t *base = map_ring_set(&h), junk[512];
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (!base || cpu < 0 || (uint32_t)cpu >= h.nr_rings) {
		fprintf(stderr, "ctrace-uprog: cannot map the ring set\n");
		return 1;
	}
	/* Stay on one CPU, so that "our" ring is the one we scribble on. */
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	struct ctrace_uring *kr = (struct ctrace_uring *)(base + h.rings_off) + cpu;
	uint64_t p0 = __atomic_load_n(&kr->prod, __ATOMIC_ACQUIRE), p1, last_ts = 0;

	/* A good event before, to show the ring works. */
	ctrace_instant(0, "before");
	/* Its timestamp (the session's clock), from what we just wrote. */
	p1 = __atomic_load_n(&kr->prod, __ATOMIC_ACQUIRE);
	for (uint64_t p = p0; p1 - p >= sizeof(struct ctrace_urec);) {
		struct ctrace_urec u;

		memcpy(&u, base + h.data_off + 2 * (uint64_t)cpu * h.data_size +
		       (p & (h.data_size - 1)), sizeof(u));
		if (u.size < 2)
			break;
		last_ts = u.ts;
		p += u.size * 8;
	}
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	if (!strcmp(kind, "garbage")) {
		commit_raw(&h, base, cpu, junk, sizeof(junk), sizeof(junk));
	} else if (!strcmp(kind, "misaligned")) {
		commit_raw(&h, base, cpu, junk, 5, 5);
	} else if (!strcmp(kind, "oversized")) {
		struct ctrace_urec big = { .ts = 1, .tid = gettid_(),
					   .type = CTRACE_UREC_INSTANT, .size = 255 };

		commit_raw(&h, base, cpu, &big, sizeof(big), sizeof(big));
	} else if (!strcmp(kind, "backwards")) {
		struct ctrace_uring *r = (struct ctrace_uring *)(base + h.rings_off) + cpu;

		__atomic_store_n(&r->prod, r->prod - 4096, __ATOMIC_RELEASE);
	} else if (!strcmp(kind, "killed")) {
		/* A writer killed in the middle of an event: with rseq, it never
		 * committed; with the lock word, it dies holding it. */
		pid_t child = fork();

		if (!child) {
			struct ctrace_uring *r = (struct ctrace_uring *)(base + h.rings_off) + cpu;

			if (h.flags & CTRACE_USET_F_LOCKED)
				__atomic_store_n(&r->lock, gettid_(), __ATOMIC_RELEASE);
			else
				memcpy(base + h.data_off + 2 * (uint64_t)cpu * h.data_size +
				       (r->prod & (h.data_size - 1)), junk, 64);
			raise(SIGKILL);
		}
		waitpid(child, NULL, 0);
		/* The dumper takes a dead holder's lock back after two looks. */
		usleep(600000);
	} else if (!strcmp(kind, "claim")) {
		/* A THREAD record naming a thread of another process (init's,
		 * tid 1) as ours: the dumper marks it disputed. */
		struct ctrace_urec_thread t = {
			.h = { .ts = last_ts, .tid = 1, .type = CTRACE_UREC_THREAD,
			       .size = sizeof(t) / 8 },
			.tgid = getpid(),
			.name = "liar",
		};

		commit_raw(&h, base, cpu, &t, sizeof(t), sizeof(t));
	} else if (!strcmp(kind, "string_killed") || !strcmp(kind, "string_killed_len")) {
		/*
		 * A writer killed between reserving a string table entry and
		 * publishing its ID, as tools/lib/strings.c reserves one:
		 * before storing the length, or after.  The strings interned
		 * after it ("after") must still be read.
		 */
		pid_t child = fork();

		if (!child) {
			struct ctrace_uset *kh = (struct ctrace_uset *)base;
			uint64_t size = sizeof(struct ctrace_ustring) + 16;
			uint64_t pos = __atomic_fetch_add(&kh->strings_pos, size,
							  __ATOMIC_RELAXED);

			__atomic_add_fetch(&kh->next_string_id, 1, __ATOMIC_RELAXED);
			if (!strcmp(kind, "string_killed_len") && pos + size <= h.strings_size)
				__atomic_store_n(&((struct ctrace_ustring *)
						   (base + h.strings_off + pos))->len, 12,
						 __ATOMIC_RELAXED);
			raise(SIGKILL);
		}
		waitpid(child, NULL, 0);
	} else {
		fprintf(stderr, "ctrace-uprog: unknown kind %s\n", kind);
		return 2;
	}
	usleep(300000);
	for (int i = 0; i < 10; i++)
		ctrace_instant(0, "after");
	printf("%d\n", gettid_());
	return 0;
}

/* ------------------------------------------------------------ idle */

static int idle(double seconds, const char *out)
{
	uint64_t end = now_ns() + seconds * 1e9, calls = 0, enabled = 0;
	int was = -1;
	FILE *f = fopen(out, "w");

	if (!f)
		return 1;
	while (now_ns() < end) {
		int on = ctrace_enabled();

		if (on != was) {
			fprintf(f, "%llu %d\n", (unsigned long long)now_ns(), on);
			fflush(f);
			was = on;
		}
		enabled += on;
		calls++;
		ctrace_instant(0, "idle");
		usleep(1000);
	}
	fprintf(f, "calls %llu\nenabled %llu\n", (unsigned long long)calls,
		(unsigned long long)enabled);
	return fclose(f) ? 1 : 0;
}

/* ------------------------------------------------------------ forker */

static int forker(double seconds, const char *pidfile)
{
	uint64_t end = now_ns() + seconds * 1e9;
	pid_t parent = getpid(), child;
	int st = 0;
	FILE *f;

	child = fork();
	if (child < 0)
		return 1;
	if (child) {
		f = fopen(pidfile, "w");
		if (!f)
			return 1;
		fprintf(f, "%d %d\n", parent, child);
		fclose(f);
	}
	while (now_ns() < end) {
		if (child)
			ctrace_instant(0, "parent");
		else
			ctrace_instant(0, "child");
		usleep(1000);
	}
	if (!child)
		return 0;
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static int regions(long count, long ms, const char *info)
{
	struct timespec nap = { ms / 1000, (ms % 1000) * 1000000 };
	uint64_t sleepy = 0, spinny = 0;
	cpu_set_t set;
	FILE *f;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	ctrace_thread_name("uregions");
	for (long i = 0; i < count; i++) {
		ctrace_task_t t = ctrace_task_begin(0, "round");
		struct ctrace_region r;
		uint64_t a, end;

		a = mono_ns();
		r = ctrace_region_begin_in(t, "sleepy");
		nanosleep(&nap, NULL);
		ctrace_region_end(r);
		sleepy += mono_ns() - a;

		a = mono_ns();
		r = ctrace_region_begin_in(t, "spinny");
		end = a + (uint64_t)ms * 1000000;
		while (mono_ns() < end)
			;
		ctrace_region_end(r);
		spinny += mono_ns() - a;
		ctrace_task_end(t);
	}
	f = fopen(info, "w");
	if (!f)
		return 1;
	fprintf(f, "%d %llu %llu\n", gettid_(), (unsigned long long)sleepy,
		(unsigned long long)spinny);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "ground"))
		return ground(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "stress"))
		return stress(atoi(argv[2]), atol(argv[3]), argv[4]);
	if (argc == 5 && !strcmp(argv[1], "rate"))
		return rate(atol(argv[2]), atof(argv[3]), argv[4]);
	if (argc == 3 && !strcmp(argv[1], "hostile"))
		return hostile(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "idle"))
		return idle(atof(argv[2]), argv[3]);
	if (argc == 5 && !strcmp(argv[1], "regions"))
		return regions(atol(argv[2]), atol(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "forker"))
		return forker(atof(argv[2]), argv[3]);
	fprintf(stderr, "usage: see the comment at the top of ctrace-uprog.c\n");
	return 2;
}
