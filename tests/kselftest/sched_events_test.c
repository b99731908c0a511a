// SPDX-License-Identifier: GPL-2.0
/*
 * Ground truth: the trace of threads whose behaviour we know.
 *
 *  - ping_pong: two threads pinned to one CPU bounce a byte over pipes N
 *    times.  The trace must show them switching to each other at least N
 *    times each way, each woken by the other before it is switched in,
 *    going to sleep (S) when they switch out, and with their names.  The
 *    workload then forks a child that renames itself, execs /bin/true and
 *    exits; each step must appear, in order.
 *  - snapshot: threads that existed before the session are named, with
 *    their state, by the start snapshot.
 *
 * The workload is this program re-run by `ctrace-dump -- ...`, so the
 * whole path is real: netlink session, rings, ctrace-dump, the file, the
 * decoder and its validator.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ktest.h"
#include "ktrace.h"

#define ROUNDS 2000

static int ab[2], ba[2];

static pid_t pong_tid;

static void *pong(void *arg)
{
	long n = (long)arg;
	char c;

	pong_tid = syscall(SYS_gettid);
	prctl(PR_SET_NAME, "pong");
	while (n--)
		if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
			break;
	return NULL;
}

/* The traced program: run as `<self> --workload N INFO`. */
static int workload(long n, const char *info)
{
	pthread_t th;
	pid_t kid;
	FILE *f;
	char c = 'x';
	struct sched_param sp = { .sched_priority = 1 };

	/*
	 * One CPU, and no preemption between the two (SCHED_FIFO at one
	 * priority, inherited by the thread): each runs until it blocks, so
	 * every switch is a sleep and every switch-in follows the other's
	 * wakeup.  Under SCHED_OTHER a wakeup or a tick may switch them
	 * before the running one blocks: also traced correctly, but not
	 * deterministic enough to count.
	 */
	ktest_pin(0);
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		return 1;
	prctl(PR_SET_NAME, "ping");
	if (pipe(ab) || pipe(ba) || pthread_create(&th, NULL, pong, (void *)n))
		return 1;
	for (long i = 0; i < n; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	pthread_join(th, NULL);

	kid = fork();
	if (!kid) {
		prctl(PR_SET_NAME, "kid");
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(kid, NULL, 0);

	f = fopen(info, "w");
	if (!f)
		return 1;
	fprintf(f, "%d %d %d\n", getpid(), pong_tid, kid);
	fclose(f);
	return 0;
}

TEST(ping_pong)
{
	const char *trace = "/tmp/sched_events_pp.trace", *info = "/tmp/sched_events_pp.info";
	uint64_t direct_ab = 0, direct_ba = 0, into_a = 0, into_b = 0, woke_b_by_a = 0, woke_a_by_b = 0;
	uint64_t sleeps_a = 0, sleeps_b = 0, unexplained = 0;
	int need_wakeup[2] = { 0, 0 }, woken[2] = { 0, 0 };
	/* Indices (event numbers) of the child's steps. */
	long fork_at = -1, rename_at = -1, exec_at = -1, exit_at = -1, dead_at = -1;
	char args[8192], out[8192], ping_comm[32] = "", pong_comm[32] = "";
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	unsigned int a, b, k;
	long i = 0;
	FILE *f;

	/* ctrace-dump on another CPU than the workload, when there is one. */
	ktest_pin(ktest_nr_cpus_online() - 1);
	snprintf(args, sizeof(args), "-o %s -- %s --workload %d %s", trace,
		 ktest_self(), ROUNDS, info);
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	f = fopen(info, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(3, fscanf(f, "%u %u %u", &a, &b, &k));
	fclose(f);

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(0, kt_validate(t));
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		i++;
		if (ev.type == CTRACE_KREC_SWITCH) {
			const struct ctrace_krec_switch *s = KT_REC(&ev, struct ctrace_krec_switch);
			unsigned int st = ev.aux & CTRACE_SWITCH_STATE_MASK;

			direct_ab += s->prev_tid == a && s->next_tid == b;
			direct_ba += s->prev_tid == b && s->next_tid == a;
			into_a += s->next_tid == a;
			into_b += s->next_tid == b;
			for (int x = 0; x < 2; x++) {
				unsigned int tid = x ? b : a;

				if (s->prev_tid == tid && st == CTRACE_STATE_SLEEPING) {
					x ? sleeps_b++ : sleeps_a++;
					/* A wakeup may come just before the switch-out. */
					need_wakeup[x] = !woken[x];
					woken[x] = 0;
				}
				if (s->next_tid == tid) {
					unexplained += need_wakeup[x] && !woken[x];
					need_wakeup[x] = woken[x] = 0;
				}
			}
			if (s->prev_tid == k && st == CTRACE_STATE_DEAD)
				dead_at = i;
		} else if (ev.type == CTRACE_KREC_WAKEUP) {
			const struct ctrace_krec_wakeup *w = KT_REC(&ev, struct ctrace_krec_wakeup);

			woke_b_by_a += w->tid == b && w->waker_tid == a;
			woke_a_by_b += w->tid == a && w->waker_tid == b;
			if (w->tid == a)
				woken[0] = 1;
			if (w->tid == b)
				woken[1] = 1;
		} else if (ev.type == CTRACE_KREC_FORK) {
			const struct ctrace_krec_fork *fk = KT_REC(&ev, struct ctrace_krec_fork);

			if (fk->child_tid == k) {
				fork_at = i;
				EXPECT_EQ(a, fk->parent_tid);
				EXPECT_EQ(k, fk->child_tgid);
				EXPECT_EQ(0, ev.aux & CTRACE_FORK_F_THREAD);
			}
		} else if (ev.type == CTRACE_KREC_RENAME) {
			const struct ctrace_krec_rename *r = KT_REC(&ev, struct ctrace_krec_rename);

			if (r->tid == k && !strcmp(r->comm, "kid"))
				rename_at = i;
		} else if (ev.type == CTRACE_KREC_EXEC) {
			const struct ctrace_krec_exec *e = KT_REC(&ev, struct ctrace_krec_exec);

			if (e->tid == k) {
				exec_at = i;
				EXPECT_STREQ("true", e->comm);
				EXPECT_STREQ("/bin/true", (const char *)(e + 1));
			}
		} else if (ev.type == CTRACE_KREC_EXIT) {
			const struct ctrace_krec_exit *x = KT_REC(&ev, struct ctrace_krec_exit);

			if (x->tid == k) {
				exit_at = i;
				EXPECT_EQ(k, x->tgid);
				EXPECT_TRUE(ev.aux & CTRACE_EXIT_F_GROUP_DEAD);
			}
		}
	}
	snprintf(ping_comm, sizeof(ping_comm), "%s", kt_comm(c, a));
	snprintf(pong_comm, sizeof(pong_comm), "%s", kt_comm(c, b));
	ctrace_cursor_free(c);
	ctrace_trace_close(t);

	TH_LOG("a=%u b=%u: a->b %lu, b->a %lu, wakeups b<-a %lu a<-b %lu, sleeps %lu/%lu",
	       a, b, (unsigned long)direct_ab, (unsigned long)direct_ba,
	       (unsigned long)woke_b_by_a, (unsigned long)woke_a_by_b,
	       (unsigned long)sleeps_a, (unsigned long)sleeps_b);
	/* Each round switches into both.  Not always straight from one to
	 * the other: on PREEMPT_RT a threaded interrupt may run between. */
	EXPECT_LE(ROUNDS, into_a);
	EXPECT_LE(ROUNDS, into_b);
	EXPECT_LE(ROUNDS * 9 / 10, direct_ab);
	EXPECT_LE(ROUNDS * 9 / 10, direct_ba);
	EXPECT_LE(ROUNDS, woke_b_by_a);
	EXPECT_LE(ROUNDS, woke_a_by_b);
	/* Each blocks before every read but perhaps its first, which may
	 * find the byte already there. */
	EXPECT_LE(ROUNDS - 1, sleeps_a);
	EXPECT_LE(ROUNDS - 1, sleeps_b);
	EXPECT_EQ(0, unexplained);
	EXPECT_STREQ("ping", ping_comm);
	EXPECT_STREQ("pong", pong_comm);
	/* The child's life, step by step, in order. */
	EXPECT_LT(0, fork_at);
	EXPECT_LT(fork_at, rename_at);
	EXPECT_LT(rename_at, exec_at);
	EXPECT_LT(exec_at, exit_at);
	EXPECT_LT(exit_at, dead_at);
	unlink(trace);
	unlink(info);
}

static void *snap_worker(void *arg)
{
	int fd = *(int *)arg;
	char c;

	prctl(PR_SET_NAME, "snap-worker");
	return read(fd, &c, 1) < 0 ? NULL : NULL;
}

TEST(snapshot_names_existing_threads)
{
	const char *trace = "/tmp/sched_events_snap.trace";
	int ready[2], hold[2], seen_main = 0, seen_worker = 0;
	char args[4096], out[8192], c;
	struct ctrace_cursor *cur;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	pid_t p, worker = 0;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(hold));
	p = fork();
	ASSERT_LE(0, p);
	if (!p) {
		pthread_t th;
		pid_t tid;

		close(hold[1]);
		close(ready[0]);
		prctl(PR_SET_NAME, "snap-main");
		pthread_create(&th, NULL, snap_worker, &hold[0]);
		/* The worker's tid: the only other thread of this process. */
		usleep(100000);
		tid = 0;
		for (pid_t t2 = getpid() + 1; t2 < getpid() + 64 && !tid; t2++)
			if (!syscall(SYS_tgkill, getpid(), t2, 0))
				tid = t2;
		if (write(ready[1], &tid, sizeof(tid)) != sizeof(tid))
			_exit(1);
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(hold[0]);
	close(ready[1]);
	ASSERT_EQ(sizeof(worker), read(ready[0], &worker, sizeof(worker)));
	ASSERT_LT(0, worker);

	snprintf(args, sizeof(args), "-o %s -d 0.5 --pid %d", trace, p);
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	close(hold[1]);
	waitpid(p, NULL, 0);

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	ASSERT_EQ(0, ctrace_cursor_new(t, &cur));
	while (ctrace_cursor_next(cur, &ev) == 1) {
		const struct ctrace_krec_thread *th = KT_REC(&ev, struct ctrace_krec_thread);

		if (ev.type != CTRACE_KREC_THREAD || !(th->flags & CTRACE_THREAD_F_SNAPSHOT))
			continue;
		if (th->tid == (uint32_t)p) {
			seen_main++;
			EXPECT_EQ((uint32_t)p, th->tgid);
			EXPECT_STREQ("snap-main", th->comm);
			EXPECT_EQ(CTRACE_STATE_SLEEPING, ev.aux);
		} else if (th->tid == (uint32_t)worker) {
			seen_worker++;
			EXPECT_EQ((uint32_t)p, th->tgid);
			EXPECT_STREQ("snap-worker", th->comm);
			EXPECT_EQ(CTRACE_STATE_SLEEPING, ev.aux);
		}
	}
	ctrace_cursor_free(cur);
	ctrace_trace_close(t);
	EXPECT_EQ(1, seen_main);
	EXPECT_EQ(1, seen_worker);
	unlink(trace);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--workload"))
		return workload(atol(argv[2]), argv[3]);
	return ktest_harness_run(argc, argv);
}
