// SPDX-License-Identifier: GPL-2.0
/*
 * One clock for everything.  A workload notes CLOCK_MONOTONIC (vDSO)
 * before and after a ping-pong; every switch between its two threads, as
 * decoded and converted by the tools, must fall inside that window.  For
 * the TSC this checks the conversion through the CLOCK snapshots.
 *
 * Both clock paths run: MONO always; TSC where the kernel trusts it (QEMU
 * with -smp 1 on 6.1, and 6.12), and its refusal where it does not (6.1
 * with -smp 2 marks the TSC unstable).  make check boots both ways.
 */
#include "kselftest_harness.h"
#include "ctl.h"
#include "ktest.h"
#include "ktrace.h"

struct window {
	uint64_t t0, t1;
	unsigned int a, b;
};

static int record(const char *clock, const char *trace, struct window *w,
		  char *out, size_t size)
{
	const char *info = "/tmp/clock_test.info";
	char args[8192];
	FILE *f;
	int r;

	ktest_pin(ktest_nr_cpus_online() - 1);
	snprintf(args, sizeof(args), "--clock %s -o %s -- %s pingpong 500 %s",
		 clock, trace, ktest_workload(), info);
	r = ktest_dump(args, out, size);
	if (r)
		return r;
	f = fopen(info, "r");
	if (!f)
		return -1;
	r = fscanf(f, "%lu %lu %u %u", &w->t0, &w->t1, &w->a, &w->b) == 4 ? 0 : -1;
	fclose(f);
	return r;
}

/*
 * Between the renames that bracket the ping-pong, every switch into one of
 * the two threads must fall inside [t0, t1] (the workload's own clock
 * reads), and the renames outside it.  Each of the 500 round trips
 * switches into both, so the smaller of the two counts is at least 500
 * when no switch was lost.  (Counting only switches from one straight to
 * the other undercounts on PREEMPT_RT, where a threaded interrupt may run
 * between them.)  Returns the smaller count.
 */
static int check_window(struct __test_metadata *_metadata,
			struct ctrace_trace *t, const struct window *w,
			uint64_t tolerance)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	int in_a = 0, in_b = 0, outside = 0, phase = 0;
	uint64_t worst = 0;

	if (ctrace_cursor_new(t, &c))
		return -1;
	while (ctrace_cursor_next(c, &ev) == 1) {
		const struct ctrace_krec_switch *s = KT_REC(&ev, struct ctrace_krec_switch);
		const struct ctrace_krec_rename *r = KT_REC(&ev, struct ctrace_krec_rename);

		if (ev.type == CTRACE_KREC_RENAME && r->tid == w->a) {
			if (!strcmp(r->comm, "pp-begin")) {
				phase = 1;
				EXPECT_LE(ev.ns, w->t0 + tolerance);
			} else if (!strcmp(r->comm, "pp-end")) {
				phase = 2;
				EXPECT_GE(ev.ns + tolerance, w->t1);
			}
		}
		if (phase != 1 || ev.type != CTRACE_KREC_SWITCH ||
		    (s->next_tid != w->a && s->next_tid != w->b))
			continue;
		if (s->next_tid == w->a)
			in_a++;
		else
			in_b++;
		if (ev.ns + tolerance < w->t0 || ev.ns > w->t1 + tolerance) {
			outside++;
			worst = ev.ns < w->t0 ? w->t0 - ev.ns : ev.ns - w->t1;
		}
	}
	ctrace_cursor_free(c);
	EXPECT_EQ(2, phase);
	EXPECT_EQ(0, outside) TH_LOG("%d of %d switches outside [%lu, %lu], by up to %lu ns",
				     outside, in_a + in_b, w->t0, w->t1, worst);
	return in_a < in_b ? in_a : in_b;
}

TEST(mono)
{
	const char *trace = "/tmp/clock_mono.trace";
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	struct window w;
	char out[8192];
	int clocks = 0;

	ASSERT_EQ(0, record("mono", trace, &w, out, sizeof(out))) TH_LOG("%s", out);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	EXPECT_EQ(CTRACE_CLOCK_MONO, ctrace_trace_clock(t));
	EXPECT_LE(500, check_window(_metadata, t, &w, 0));

	/* The session clock is CLOCK_MONOTONIC itself. */
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		const struct ctrace_krec_clock *k = KT_REC(&ev, struct ctrace_krec_clock);

		if (ev.type != CTRACE_KREC_CLOCK)
			continue;
		clocks++;
		/*
		 * Read one after the other with interrupts off: apart by the
		 * time between two reads.  Under TCG on a loaded host that
		 * was 29 us once (the vCPU's thread was preempted, or the code
		 * translated for the first time), so the bound is 5 ms: far
		 * below any offset another clock would show (boot time, TSC
		 * counts), far above emulation noise.
		 */
		EXPECT_GT(5000000, k->mono > k->counter ? k->mono - k->counter : k->counter - k->mono);
		EXPECT_EQ(k->counter, ev.ns - (ev.ts - k->counter));
	}
	ctrace_cursor_free(c);
	EXPECT_LE(2, clocks);
	ctrace_trace_close(t);
	unlink(trace);
}

TEST(tsc_or_its_refusal)
{
	const char *trace = "/tmp/clock_tsc.trace";
	struct ctrace_info info;
	struct ctrace_ctl *ctl;
	struct ctrace_trace *t;
	struct window w;
	char out[8192];
	int err, r;

	ctl = ctrace_ctl_open(&err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, ctrace_ctl_get_info(ctl, CTRACE_CLOCK_AUTO, &info));
	ctrace_ctl_close(ctl);

	r = record("tsc", trace, &w, out, sizeof(out));
	if (info.clock != CTRACE_CLOCK_TSC) {
		/* Refused, in the kernel's words. */
		EXPECT_NE(0, r);
		EXPECT_NE(NULL, strstr(out, "TSC is not trusted")) TH_LOG("%s", out);
		TH_LOG("this kernel does not trust the TSC: checked the refusal");
		return;
	}
	ASSERT_EQ(0, r) TH_LOG("%s", out);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	EXPECT_EQ(CTRACE_CLOCK_TSC, ctrace_trace_clock(t));
	EXPECT_NE(NULL, ctrace_trace_meta(t, "tsc_khz"));
	/* Interpolation between snapshots read a few hundred ns apart. */
	EXPECT_LE(500, check_window(_metadata, t, &w, 20000));
	ctrace_trace_close(t);
	unlink(trace);
}

TEST(auto_picks_the_kernels_choice)
{
	const char *trace = "/tmp/clock_auto.trace";
	struct ctrace_info info;
	struct ctrace_ctl *ctl;
	struct ctrace_trace *t;
	struct window w;
	char out[8192];
	int err;

	ctl = ctrace_ctl_open(&err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, ctrace_ctl_get_info(ctl, CTRACE_CLOCK_AUTO, &info));
	ctrace_ctl_close(ctl);
	ASSERT_EQ(0, record("auto", trace, &w, out, sizeof(out))) TH_LOG("%s", out);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(info.clock, ctrace_trace_clock(t));
	TH_LOG("clock: %s", info.clock == CTRACE_CLOCK_TSC ? "tsc" : "mono");
	EXPECT_LE(500, check_window(_metadata, t, &w, 20000));
	ctrace_trace_close(t);
	unlink(trace);
}

KTEST_HARNESS_MAIN
