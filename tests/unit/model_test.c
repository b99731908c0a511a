// SPDX-License-Identifier: GPL-2.0
/*
 * The model (tools/model) on hand-made traces with known answers: the
 * exact state intervals of a ping-pong, who woke whom, CPU intervals, a
 * region's time split by its thread's states, tasks across threads, what
 * a loss and an impossible transition make unknown, the start snapshot,
 * and memory that does not grow with the number of events.
 *
 * Traces are built with the real writer (tracefile_builder.h) and read
 * back with the real reader; with clock=mono and no CLOCK records, a
 * record's ns is its timestamp, so expectations are written in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "model.h"
#include "tracefile_builder.h"

#define PING 100
#define PONG 101
#define KID 102
#define S CTRACE_STATE_SLEEPING
#define D CTRACE_STATE_BLOCKED
#define X CTRACE_STATE_DEAD
#define PREEMPTED (CTRACE_STATE_RUNNABLE | CTRACE_SWITCH_F_PREEMPT)

#define R CTRACE_STATE_RUNNING
#define RA CTRACE_STATE_RUNNABLE
#define U CTRACE_STATE_UNKNOWN

#define MAX_ITEMS 256

/* Everything the sink was told, in order. */
struct seen {
	struct ctrace_state_iv iv[MAX_ITEMS];
	size_t nr_iv;
	struct ctrace_cpu_iv cpu[MAX_ITEMS];
	size_t nr_cpu;
	struct ctrace_model_region rg[MAX_ITEMS];
	char rg_name[MAX_ITEMS][32];
	size_t nr_rg;
	struct ctrace_model_task tk[MAX_ITEMS];
	char tk_name[MAX_ITEMS][32];
	size_t nr_tk;
	struct ctrace_model_wakeup wk[MAX_ITEMS];
	char wk_region[MAX_ITEMS][32];
	size_t nr_wk;
	struct ctrace_model_loss loss[MAX_ITEMS];
	size_t nr_loss;
	struct ctrace_model_syscall sc[MAX_ITEMS];
	size_t nr_sc;
	size_t nr_anomaly;
	size_t nr_uevent;
	size_t peak_footprint;
	size_t events;
	/* after each event: runnable threads, all and on CPU 1 */
	uint32_t runnable[MAX_ITEMS], runnable1[MAX_ITEMS];
};

static void on_state(void *arg, const struct ctrace_state_iv *iv)
{
	struct seen *s = arg;

	if (s->nr_iv < MAX_ITEMS)
		s->iv[s->nr_iv++] = *iv;
}

static void on_cpu(void *arg, const struct ctrace_cpu_iv *iv)
{
	struct seen *s = arg;

	if (s->nr_cpu < MAX_ITEMS)
		s->cpu[s->nr_cpu++] = *iv;
}

static void on_region(void *arg, const struct ctrace_model_region *r)
{
	struct seen *s = arg;

	if (s->nr_rg < MAX_ITEMS) {
		snprintf(s->rg_name[s->nr_rg], 32, "%s", r->name ? r->name : "?");
		s->rg[s->nr_rg++] = *r;
	}
}

static void on_task(void *arg, const struct ctrace_model_task *t)
{
	struct seen *s = arg;

	if (s->nr_tk < MAX_ITEMS) {
		snprintf(s->tk_name[s->nr_tk], 32, "%s", t->name ? t->name : "?");
		s->tk[s->nr_tk++] = *t;
	}
}

static void on_wakeup(void *arg, const struct ctrace_model_wakeup *w)
{
	struct seen *s = arg;

	if (s->nr_wk < MAX_ITEMS) {
		snprintf(s->wk_region[s->nr_wk], 32, "%s",
			 w->waker_region && w->waker_region->name ?
			 w->waker_region->name : "");
		s->wk[s->nr_wk++] = *w;
	}
}

static void on_syscall(void *arg, const struct ctrace_model_syscall *c)
{
	struct seen *s = arg;

	if (s->nr_sc < MAX_ITEMS)
		s->sc[s->nr_sc++] = *c;
}

static void on_loss(void *arg, const struct ctrace_model_loss *l)
{
	struct seen *s = arg;

	if (s->nr_loss < MAX_ITEMS)
		s->loss[s->nr_loss++] = *l;
}

static void on_anomaly(void *arg, const struct ctrace_event *ev, uint32_t domain,
		       bool retractable, const char *msg)
{
	struct seen *s = arg;

	(void)ev, (void)domain, (void)retractable, (void)msg;
	s->nr_anomaly++;
}

static void on_uevent(void *arg, const struct ctrace_model_uevent *u)
{
	struct seen *s = arg;

	(void)u;
	s->nr_uevent++;
}

static int start(struct tb *b, const char *meta)
{
	if (tb_open(b))
		return -1;
	tb_meta(b, meta ? meta : "clock=mono\ntarget=all\n");
	return 0;
}

/* Finish the file, then feed every event to a model recording into @s. */
static int run(struct tb *b, struct seen *s)
{
	const struct ctrace_model_sink sink = {
		.arg = s, .state = on_state, .cpu = on_cpu, .region = on_region,
		.task = on_task, .wakeup = on_wakeup, .loss = on_loss,
		.anomaly = on_anomaly, .uevent = on_uevent, .syscall = on_syscall,
	};
	struct ctrace_model *m;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	unsigned char *p;
	char err[256];
	size_t len;
	int r;

	memset(s, 0, sizeof(*s));
	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
	p = tb_finish(b, &len);
	if (!p)
		return -1;
	r = ctrace_trace_open_buffer(p, len, &t, err, sizeof(err));
	if (r)
		goto out;
	r = ctrace_cursor_new(t, &c);
	if (r)
		goto close;
	r = ctrace_model_new(t, c, &sink, &m);
	if (r)
		goto cursor;
	while ((r = ctrace_cursor_next(c, &ev)) > 0) {
		size_t fp;

		s->events++;
		if (ctrace_model_feed(m, &ev)) {
			r = -1;
			break;
		}
		if (s->events <= MAX_ITEMS) {
			s->runnable[s->events - 1] = ctrace_model_nr_runnable(m, UINT32_MAX);
			s->runnable1[s->events - 1] = ctrace_model_nr_runnable(m, 1);
		}
		fp = ctrace_model_footprint(m);
		if (fp > s->peak_footprint)
			s->peak_footprint = fp;
	}
	if (r == 0)
		ctrace_model_finish(m);
	ctrace_model_free(m);
cursor:
	ctrace_cursor_free(c);
close:
	ctrace_trace_close(t);
out:
	free(p);
	return r;
}

/* The @n-th interval of @tid (0 first), or NULL. */
static const struct ctrace_state_iv *iv_of(const struct seen *s, uint32_t tid,
					   size_t n)
{
	for (size_t i = 0; i < s->nr_iv; i++)
		if (s->iv[i].tid == tid && n-- == 0)
			return &s->iv[i];
	return NULL;
}

static size_t ivs_of(const struct seen *s, uint32_t tid)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nr_iv; i++)
		n += s->iv[i].tid == tid;
	return n;
}

#define EXPECT_IV(s, tid, n, st, b, e) do {				\
	const struct ctrace_state_iv *iv_ = iv_of(s, tid, n);		\
	ASSERT_NE(NULL, iv_);						\
	EXPECT_EQ(st, iv_->state);					\
	EXPECT_EQ(b, iv_->begin);					\
	EXPECT_EQ(e, iv_->end);						\
} while (0)

TEST(ping_pong_intervals)
{
	struct seen *s = calloc(1, sizeof(*s));
	const struct ctrace_state_iv *iv;
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);		/* idle -> ping, cpu 0 */
	tb_wakeup(&b, 0, 200, PONG, PING, 1);		/* ping wakes pong onto cpu 1 */
	tb_switch(&b, 1, 300, 0, PONG, 0);		/* idle -> pong, cpu 1 */
	tb_switch(&b, 0, 400, PING, 0, S);		/* ping sleeps */
	tb_wakeup(&b, 1, 500, PING, PONG, 0);		/* pong wakes ping */
	tb_switch(&b, 0, 600, 0, PING, 0);
	tb_switch(&b, 1, 700, PONG, 0, PREEMPTED);	/* pong preempted (by idle: a test) */
	tb_switch(&b, 1, 750, 0, PONG, 0);
	tb_switch(&b, 0, 800, PING, 0, D);		/* ping blocks */
	tb_wakeup(&b, 1, 900, PING, 0, 0 | CTRACE_WAKEUP_F_IRQ);
	tb_switch(&b, 0, 1000, 0, PING, 0);
	ASSERT_EQ(0, run(&b, s));

	EXPECT_EQ(0, s->nr_anomaly);
	EXPECT_EQ(0, s->nr_loss);
	/* ping: its timeline starts at its first switch-in. */
	ASSERT_EQ(7, ivs_of(s, PING));
	EXPECT_IV(s, PING, 0, R, 100, 400);
	EXPECT_EQ(0, iv_of(s, PING, 0)->cpu);
	EXPECT_IV(s, PING, 1, S, 400, 500);
	EXPECT_IV(s, PING, 2, RA, 500, 600);
	iv = iv_of(s, PING, 2);
	EXPECT_EQ(CTRACE_CAUSE_WAKEUP, iv->cause);
	EXPECT_EQ(PONG, iv->waker_tid);
	EXPECT_EQ(1, iv->waker_cpu);
	EXPECT_IV(s, PING, 3, R, 600, 800);
	EXPECT_IV(s, PING, 4, D, 800, 900);
	EXPECT_IV(s, PING, 5, RA, 900, 1000);
	EXPECT_TRUE(iv_of(s, PING, 5)->flags & CTRACE_IV_WAKER_IRQ);
	EXPECT_IV(s, PING, 6, R, 1000, 1000);
	EXPECT_TRUE(iv_of(s, PING, 6)->flags & CTRACE_IV_TRACE_END);

	/* pong: woken first, then runs, is preempted, runs again. */
	ASSERT_EQ(4, ivs_of(s, PONG));
	EXPECT_IV(s, PONG, 0, RA, 200, 300);
	EXPECT_EQ(CTRACE_CAUSE_WAKEUP, iv_of(s, PONG, 0)->cause);
	EXPECT_EQ(PING, iv_of(s, PONG, 0)->waker_tid);
	EXPECT_EQ(1, iv_of(s, PONG, 0)->cpu);
	EXPECT_IV(s, PONG, 1, R, 300, 700);
	EXPECT_IV(s, PONG, 2, RA, 700, 750);
	EXPECT_EQ(CTRACE_CAUSE_PREEMPT, iv_of(s, PONG, 2)->cause);
	EXPECT_IV(s, PONG, 3, R, 750, 1000);

	/* Runnable threads after each event, in all and on CPU 1. */
	{
		static const uint32_t all[] = { 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0 };
		static const uint32_t cpu1[] = { 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0 };

		ASSERT_EQ(11, s->events);
		for (size_t i = 0; i < 11; i++) {
			EXPECT_EQ(all[i], s->runnable[i]);
			EXPECT_EQ(cpu1[i], s->runnable1[i]);
		}
	}

	/* Wakeups as they happened. */
	ASSERT_EQ(3, s->nr_wk);
	EXPECT_EQ(PONG, s->wk[0].tid);
	EXPECT_EQ(PING, s->wk[0].waker_tid);
	EXPECT_EQ(1, s->wk[0].target_cpu);
	EXPECT_TRUE(s->wk[2].irq);

	/* CPU 0: known from its first switch; idle is tid 0. */
	{
		static const struct { uint32_t cpu, tid; uint64_t b, e; } want[] = {
			{ 0, PING, 100, 400 }, { 0, 0, 400, 600 },
			{ 1, PONG, 300, 700 }, { 1, 0, 700, 750 },
			{ 0, PING, 600, 800 }, { 0, 0, 800, 1000 },
			{ 0, PING, 1000, 1000 }, { 1, PONG, 750, 1000 },
		};

		ASSERT_EQ(sizeof(want) / sizeof(want[0]), s->nr_cpu);
		for (size_t i = 0; i < s->nr_cpu; i++) {
			EXPECT_EQ(want[i].cpu, s->cpu[i].cpu);
			EXPECT_EQ(want[i].tid, s->cpu[i].tid);
			EXPECT_EQ(want[i].b, s->cpu[i].begin);
			EXPECT_EQ(want[i].e, s->cpu[i].end);
		}
	}
	tb_free(&b);
	free(s);
}

/* A wakeup while the thread still runs: its switch-out does not sleep. */
TEST(woken_while_running_stays_runnable)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 1, 110, 0, PONG, 0);
	tb_wakeup(&b, 1, 200, PING, PONG, 0);
	tb_switch(&b, 0, 250, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(0, s->nr_anomaly);
	EXPECT_IV(s, PING, 0, R, 100, 250);
	EXPECT_IV(s, PING, 1, RA, 250, 300);
	EXPECT_EQ(CTRACE_CAUSE_WAKEUP, iv_of(s, PING, 1)->cause);
	EXPECT_EQ(PONG, iv_of(s, PING, 1)->waker_tid);
	tb_free(&b);
	free(s);
}

/*
 * A new thread: forked (nothing emitted), woken [new] (runnable, cause
 * new), runs, exits (its last switch-out is X: its timeline ends).
 */
TEST(new_thread_lifecycle)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_fork(&b, 0, 150, PING, KID, PING, "kid", CTRACE_FORK_F_THREAD);
	tb_wakeup(&b, 0, 160, KID, PING, 1 | CTRACE_WAKEUP_F_NEW);
	tb_switch(&b, 1, 200, 0, KID, 0);
	tb_exit(&b, 1, 250, KID, PING, 0);
	tb_switch(&b, 1, 300, KID, 0, X);
	tb_switch(&b, 0, 400, PING, 0, S);
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(0, s->nr_anomaly);
	ASSERT_EQ(2, ivs_of(s, KID));
	EXPECT_IV(s, KID, 0, RA, 160, 200);
	EXPECT_EQ(CTRACE_CAUSE_NEW, iv_of(s, KID, 0)->cause);
	EXPECT_EQ(PING, iv_of(s, KID, 0)->waker_tid);
	EXPECT_IV(s, KID, 1, R, 200, 300);
	EXPECT_EQ(PING, iv_of(s, KID, 0)->tgid);
	tb_free(&b);
	free(s);
}

/*
 * A loss on ring 0 after its event at 300: every interval open then is
 * cut at 300 (LOSS_END); what follows is unknown until the next event
 * that makes each thread's state known, and nothing is guessed.
 */
TEST(loss_makes_states_unknown)
{
	struct seen *s = calloc(1, sizeof(*s));
	const struct ctrace_state_iv *iv;
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 1, 150, 0, PONG, 0);
	tb_switch(&b, 0, 300, PING, 0, S);
	tb_lost(&b, 0, 500, 7);
	tb_switch(&b, 0, 600, 0, PING, 0);		/* known again */
	tb_switch(&b, 1, 700, PONG, 0, S);
	ASSERT_EQ(0, run(&b, s));

	ASSERT_EQ(1, s->nr_loss);
	EXPECT_EQ(7, s->loss[0].count);
	EXPECT_EQ(300, s->loss[0].from_ns);
	EXPECT_EQ(500, s->loss[0].ns);
	EXPECT_EQ(0, s->loss[0].domain);
	EXPECT_EQ(0, s->nr_anomaly);

	EXPECT_IV(s, PING, 0, R, 100, 300);
	/* Asleep at 300, then the loss: that interval ends where it began. */
	EXPECT_IV(s, PING, 1, S, 300, 300);
	EXPECT_TRUE(iv_of(s, PING, 1)->flags & CTRACE_IV_LOSS_END);
	EXPECT_IV(s, PING, 2, U, 300, 600);
	EXPECT_IV(s, PING, 3, R, 600, 700);

	/* pong ran on cpu 1 across the loss: known up to 300 only. */
	EXPECT_IV(s, PONG, 0, R, 150, 300);
	iv = iv_of(s, PONG, 0);
	EXPECT_TRUE(iv->flags & CTRACE_IV_LOSS_END);
	/* Its switch-out says it ran, but since when is not known. */
	EXPECT_IV(s, PONG, 1, U, 300, 700);
	EXPECT_FALSE(iv_of(s, PONG, 1)->flags & CTRACE_IV_ANOMALY);
	EXPECT_IV(s, PONG, 2, S, 700, 700);
	tb_free(&b);
	free(s);
}

/* Switched in from a sleep with no wakeup: the sleep's end is unknown. */
TEST(impossible_transition_is_unknown)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, NULL));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(1, s->nr_anomaly);
	EXPECT_IV(s, PING, 1, U, 200, 300);
	EXPECT_TRUE(iv_of(s, PING, 1)->flags & CTRACE_IV_ANOMALY);
	tb_free(&b);
	free(s);
}

/* Without wakeups recorded, a sleep lasts to the switch-in. */
TEST(no_wakeups_recorded)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nevents=0x1\n"));
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 0, 200, PING, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(0, s->nr_anomaly);
	EXPECT_IV(s, PING, 1, S, 200, 300);
	tb_free(&b);
	free(s);
}

/* The start snapshot gives a thread's state before any event does. */
TEST(snapshot_states)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, NULL));
	tb_thread(&b, 0, 50, PING, PING, 0, S, CTRACE_THREAD_F_SNAPSHOT, "ping");
	tb_thread(&b, 0, 51, PONG, PONG, 1, R, CTRACE_THREAD_F_SNAPSHOT, "pong");
	tb_wakeup(&b, 1, 200, PING, PONG, 0);
	tb_switch(&b, 1, 250, PONG, 0, S);
	tb_switch(&b, 0, 300, 0, PING, 0);
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(0, s->nr_anomaly);
	EXPECT_IV(s, PING, 0, S, 50, 200);
	EXPECT_IV(s, PING, 1, RA, 200, 300);
	EXPECT_IV(s, PONG, 0, R, 51, 250);
	EXPECT_EQ(1, iv_of(s, PONG, 0)->cpu);
	/* CPU 1 runs pong from the snapshot on. */
	ASSERT_LE(1, s->nr_cpu);
	EXPECT_EQ(1, s->cpu[0].cpu);
	EXPECT_EQ(PONG, s->cpu[0].tid);
	EXPECT_EQ(51, s->cpu[0].begin);
	EXPECT_EQ(250, s->cpu[0].end);
	tb_free(&b);
	free(s);
}

/* Strings of ring set 0 for the user-record tests. */
static void user_set(struct tb *b)
{
	static const uint32_t ids[] = { 1, 2, 3, 4 };
	static const char *const strs[] = { "outer", "inner", "request", "http" };

	tb_uset(b, 0, 1000, 2);
	tb_strings(b, 0, 4, ids, strs);
}

/*
 * A region that sleeps: its 550 ns split by its thread's states; the
 * inner region only covers the running part; the wakeup names the
 * waker's region.
 */
TEST(region_state_split)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, NULL));
	user_set(&b);
	tb_uthread(&b, 0, 0, 90, PING, PING, "ping");
	tb_uthread(&b, 0, 1, 91, PONG, PONG, "pong");
	tb_switch(&b, 0, 100, 0, PING, 0);
	tb_switch(&b, 1, 110, 0, PONG, 0);
	tb_uregion(&b, 0, 0, 150, PING, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	tb_uregion(&b, 0, 0, 160, PING, CTRACE_UREC_REGION_BEGIN, 2, false, 0);
	tb_uregion(&b, 0, 0, 190, PING, CTRACE_UREC_REGION_END, 2, false, 0);
	tb_switch(&b, 0, 400, PING, 0, S);
	tb_uregion(&b, 0, 1, 450, PONG, CTRACE_UREC_REGION_BEGIN, 2, false, 0);
	tb_wakeup(&b, 1, 500, PING, PONG, 0);
	tb_uregion(&b, 0, 1, 550, PONG, CTRACE_UREC_REGION_END, 2, false, 0);
	tb_switch(&b, 0, 600, 0, PING, 0);
	tb_uregion(&b, 0, 0, 700, PING, CTRACE_UREC_REGION_END, 1, false, 0);
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(0, s->nr_anomaly);

	ASSERT_EQ(3, s->nr_rg);
	/* inner on ping: [160, 190) running */
	EXPECT_STREQ("inner", s->rg_name[0]);
	EXPECT_EQ(PING, s->rg[0].tid);
	EXPECT_EQ(2, s->rg[0].depth);
	EXPECT_EQ(30, s->rg[0].state_ns[R]);
	EXPECT_EQ(0, s->rg[0].state_ns[U]);
	/* inner on pong: [450, 550) running */
	EXPECT_EQ(PONG, s->rg[1].tid);
	EXPECT_EQ(100, s->rg[1].state_ns[R]);
	/* outer: [150, 700): running 250 + 100, sleeping 100, runnable 100 */
	EXPECT_STREQ("outer", s->rg_name[2]);
	EXPECT_EQ(150, s->rg[2].begin);
	EXPECT_EQ(700, s->rg[2].end);
	EXPECT_EQ(1, s->rg[2].depth);
	EXPECT_EQ(350, s->rg[2].state_ns[R]);
	EXPECT_EQ(100, s->rg[2].state_ns[S]);
	EXPECT_EQ(100, s->rg[2].state_ns[RA]);
	EXPECT_EQ(0, s->rg[2].state_ns[U]);
	EXPECT_EQ(1, s->rg[2].switches);

	/* pong was in "inner" when it woke ping. */
	ASSERT_EQ(1, s->nr_wk);
	EXPECT_STREQ("inner", s->wk_region[0]);
	tb_free(&b);
	free(s);
}

/* A region on a thread the kernel says nothing of: all of it unknown. */
TEST(region_without_kernel_records)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nuser_only=1\n"));
	user_set(&b);
	tb_uthread(&b, 0, 0, 90, PING, PING, "ping");
	tb_uregion(&b, 0, 0, 100, PING, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	tb_uregion(&b, 0, 0, 400, PING, CTRACE_UREC_REGION_END, 1, false, 0);
	/* An END with nothing open: begun before the recording, not emitted. */
	tb_uregion(&b, 0, 0, 500, PING, CTRACE_UREC_REGION_END, 2, false, 0);
	ASSERT_EQ(0, run(&b, s));
	ASSERT_EQ(1, s->nr_rg);
	EXPECT_EQ(300, s->rg[0].state_ns[U]);
	EXPECT_EQ(0, s->rg[0].state_ns[R]);
	tb_free(&b);
	free(s);
}

/* A task across two threads, with a region and a log inside it. */
TEST(task_across_threads)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nuser_only=1\n"));
	user_set(&b);
	tb_uthread(&b, 0, 0, 90, PING, PING, "ping");
	tb_uthread(&b, 0, 1, 91, PONG, PING, "pong");
	tb_utask_begin(&b, 0, 0, 100, PING, 3, 7, 0);
	tb_uregion(&b, 0, 1, 150, PONG, CTRACE_UREC_REGION_BEGIN, 1, true, 7);
	tb_ulog(&b, 0, 1, 160, PONG, 4, 7, 0, "GET /", 5);
	tb_uregion(&b, 0, 1, 170, PONG, CTRACE_UREC_REGION_END, 1, true, 7);
	tb_u64(&b, 0, 1, 200, PONG, CTRACE_UREC_TASK_END, 0, 7);
	/* Open at the end: emitted with TRACE_END. */
	tb_utask_begin(&b, 0, 0, 300, PING, 3, 8, 7);
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(0, s->nr_anomaly);
	ASSERT_EQ(2, s->nr_tk);
	EXPECT_EQ(7, s->tk[0].task);
	EXPECT_STREQ("request", s->tk_name[0]);
	EXPECT_EQ(100, s->tk[0].begin);
	EXPECT_EQ(200, s->tk[0].end);
	EXPECT_EQ(PING, s->tk[0].begin_tid);
	EXPECT_EQ(PONG, s->tk[0].end_tid);
	EXPECT_EQ(2, s->tk[0].threads);
	EXPECT_EQ(1, s->tk[0].regions);
	EXPECT_EQ(1, s->tk[0].logs);
	EXPECT_EQ(0, s->tk[0].flags);
	EXPECT_EQ(8, s->tk[1].task);
	EXPECT_EQ(7, s->tk[1].parent);
	EXPECT_TRUE(s->tk[1].flags & CTRACE_RG_TRACE_END);
	EXPECT_EQ(8, s->nr_uevent);
	tb_free(&b);
	free(s);
}

/* A loss on a ring set ends its open regions there (flagged lost). */
TEST(user_loss_ends_regions)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nuser_only=1\n"));
	user_set(&b);
	tb_uthread(&b, 0, 0, 90, PING, PING, "ping");
	tb_uregion(&b, 0, 0, 100, PING, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	tb_u64(&b, 0, 0, 300, 0, CTRACE_UREC_LOST, 0, 4);
	tb_uregion(&b, 0, 0, 400, PING, CTRACE_UREC_REGION_END, 1, false, 0);
	ASSERT_EQ(0, run(&b, s));
	ASSERT_EQ(1, s->nr_loss);
	EXPECT_EQ(1, s->loss[0].domain);
	EXPECT_EQ(4, s->loss[0].count);
	ASSERT_EQ(1, s->nr_rg);
	EXPECT_TRUE(s->rg[0].flags & CTRACE_RG_LOST);
	EXPECT_EQ(100, s->rg[0].begin);
	EXPECT_EQ(100, s->rg[0].end);	/* the ring's last event before it */
	tb_free(&b);
	free(s);
}

/*
 * Memory does not grow with events: 20000 tasks, each begun and ended,
 * and 20000 region pairs, leave the model no bigger than a few open ones.
 */
TEST(memory_is_bounded)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;
	size_t small;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nuser_only=1\n"));
	user_set(&b);
	tb_uthread(&b, 0, 0, 90, PING, PING, "ping");
	for (uint64_t i = 0; i < 100; i++) {
		uint64_t ts = 100 + i * 8;

		tb_utask_begin(&b, 0, 0, ts, PING, 3, i + 1, 0);
		tb_uregion(&b, 0, 0, ts + 1, PING, CTRACE_UREC_REGION_BEGIN, 1, true, i + 1);
		tb_uregion(&b, 0, 0, ts + 2, PING, CTRACE_UREC_REGION_END, 1, true, i + 1);
		tb_u64(&b, 0, 0, ts + 3, PING, CTRACE_UREC_TASK_END, 0, i + 1);
	}
	ASSERT_EQ(0, run(&b, s));
	small = s->peak_footprint;
	tb_free(&b);

	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nuser_only=1\n"));
	user_set(&b);
	tb_uthread(&b, 0, 0, 90, PING, PING, "ping");
	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t ts = 100 + i * 8;

		tb_utask_begin(&b, 0, 0, ts, PING, 3, i + 1, 0);
		tb_uregion(&b, 0, 0, ts + 1, PING, CTRACE_UREC_REGION_BEGIN, 1, true, i + 1);
		tb_uregion(&b, 0, 0, ts + 2, PING, CTRACE_UREC_REGION_END, 1, true, i + 1);
		tb_u64(&b, 0, 0, ts + 3, PING, CTRACE_UREC_TASK_END, 0, i + 1);
		if (i % 1000 == 999)
			tb_flush_all(&b);
	}
	ASSERT_EQ(0, run(&b, s));
	EXPECT_EQ(80001, s->events);
	EXPECT_EQ(small, s->peak_footprint);
	tb_free(&b);
	free(s);
}

/*
 * System calls: one that sleeps (off its CPU 200 ns of its 300, blocking),
 * one that does not, one entered before the trace (an exit alone: not
 * emitted), one cut by a loss (forgotten), and one its thread dies in.
 */
TEST(syscall_intervals)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, start(&b, "clock=mono\ntarget=all\nevents=0x2f\n"));
	tb_switch(&b, 0, 50, 0, PING, 0);
	tb_sys_exit(&b, 0, 60, PING, 7, 0);		/* entered before the trace */
	tb_sys_enter(&b, 0, 100, PING, 35);		/* nanosleep */
	tb_switch(&b, 0, 150, PING, 0, S);
	tb_wakeup(&b, 1, 340, PING, 0, 0 | CTRACE_WAKEUP_F_IRQ);
	tb_switch(&b, 0, 350, 0, PING, 0);
	tb_sys_exit(&b, 0, 400, PING, 35, 0);
	tb_sys_enter(&b, 0, 500, PING, 39);		/* getpid */
	tb_sys_exit(&b, 0, 510, PING, 39, PING);
	tb_sys_enter(&b, 0, 600, PING, 0);		/* read, then a loss */
	tb_lost(&b, 0, 700, 3);
	tb_sys_exit(&b, 0, 720, PING, 0, 5);
	tb_sys_enter(&b, 0, 800, PING, 231);		/* exit_group */
	tb_switch(&b, 0, 900, PING, 0, X);
	ASSERT_EQ(0, run(&b, s));

	ASSERT_EQ(3, s->nr_sc);
	EXPECT_EQ(PING, s->sc[0].tid);
	EXPECT_EQ(35, s->sc[0].aux);
	EXPECT_EQ(100, s->sc[0].begin);
	EXPECT_EQ(400, s->sc[0].end);
	EXPECT_EQ(200, s->sc[0].off_cpu_ns);
	EXPECT_EQ(1, s->sc[0].switches);
	EXPECT_EQ(CTRACE_SC_BLOCKED, s->sc[0].flags);
	EXPECT_EQ(39, s->sc[1].aux);
	EXPECT_EQ(PING, s->sc[1].ret);
	EXPECT_EQ(10, s->sc[1].end - s->sc[1].begin);
	EXPECT_EQ(0, s->sc[1].off_cpu_ns);
	EXPECT_EQ(0, s->sc[1].flags);
	EXPECT_EQ(231, s->sc[2].aux);
	EXPECT_EQ(800, s->sc[2].begin);
	EXPECT_EQ(900, s->sc[2].end);
	EXPECT_EQ(CTRACE_SC_UNENDED | CTRACE_SC_DIED, s->sc[2].flags);
	tb_free(&b);
	free(s);
}

/*
 * A flight recorder's window: every ring starts mid-stream (seq 50), the
 * restatement names a thread asleep since before it.  In a window that
 * is the start, not a loss; in another file, the same bytes are one.
 */
static int window(struct tb *b, struct seen *s, bool flight)
{
	if (start(b, flight ? "clock=mono\ntarget=all\nflight=1\n" : NULL))
		return -1;
	for (uint32_t i = 0; i < 2; i++) {
		struct tb_ring *r = tb_ring(b, i);

		r->seq = r->chunk_seq = 50;
	}
	tb_switch(b, 1, 90, 0, PONG, 0);
	tb_thread(b, 0, 100, KID, KID, 0, S, CTRACE_THREAD_F_SNAPSHOT | CTRACE_THREAD_F_RESTATE, "dozer");
	tb_switch(b, 0, 150, 0, PING, 0);
	tb_switch(b, 1, 200, PONG, 0, S);
	return run(b, s);
}

TEST(flight_window_starts_mid_stream)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct tb b;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, window(&b, s, true));
	EXPECT_EQ(0, s->nr_loss);
	EXPECT_EQ(0, s->nr_anomaly);
	/* Asleep from the restatement to the end, never unknown. */
	ASSERT_EQ(1, ivs_of(s, KID));
	EXPECT_EQ(S, iv_of(s, KID, 0)->state);
	EXPECT_EQ(100, iv_of(s, KID, 0)->begin);
	tb_free(&b);

	ASSERT_EQ(0, window(&b, s, false));
	EXPECT_LE(1, s->nr_loss);
	tb_free(&b);
	free(s);
}

TEST_HARNESS_MAIN
