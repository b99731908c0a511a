// SPDX-License-Identifier: GPL-2.0
/*
 * Exact loss accounting: a one-page ring per CPU and a context-switch
 * storm, recorded by ctrace-dump.  Per CPU, every event the kernel tried
 * to record is either in the file or counted as lost, exactly:
 *
 *   recorded + dropped == events read + lost reported (+ lost at the end)
 *
 * and each LOST record sits at the point of loss: the events after it are
 * numbered after the lost ones, with no gap and no overlap.
 */
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "ktest.h"
#include "ktrace.h"

static void storm(struct __test_metadata *_metadata, const char *trace,
		  const char *extra)
{
	char args[8192], out[8192];

	/*
	 * ctrace-dump away from the storm's CPU, when there is another.  With
	 * one CPU it shares it with the storm, and a woken reader may preempt
	 * the yielders often enough to keep up: so the reader runs at nice 19
	 * and the storm, set back, at nice 0.
	 */
	ktest_pin(ktest_nr_cpus_online() - 1);
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, 0, 19));
	snprintf(args, sizeof(args), "-b 4096 -e switch %s -o %s -- nice -n -19 %s storm 1.5 4",
		 extra, trace, ktest_workload());
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, 0, 0));
}

TEST(tiny_buffer_switch_storm)
{
	const char *trace = "/tmp/loss_storm.trace";
	uint64_t read, dropped = 0, lost_events = 0, lost_records = 0, next_seq[64] = { 0 };
	bool seen[64] = { false };
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;

	storm(_metadata, trace, "");
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	ASSERT_TRUE(ctrace_trace_complete(t));
	EXPECT_EQ(0, kt_validate(t));

	/* Every recorded event reached the file, and every dropped one is
	 * accounted for in it. */
	EXPECT_EQ(0, kt_rings_accounted(t, &read, &dropped));
	/* A one-page ring cannot keep up with a storm. */
	EXPECT_LT(0, dropped);

	/* Sequence numbers: each event follows the last, a LOST record
	 * stands for exactly the events missing at its place. */
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		ASSERT_GT(64, ev.ring);
		if (seen[ev.ring])
			EXPECT_EQ(next_seq[ev.ring], ev.seq) TH_LOG("ring %u", ev.ring);
		seen[ev.ring] = true;
		if (ev.type == CTRACE_KREC_LOST) {
			uint64_t n = KT_REC(&ev, struct ctrace_krec_lost)->count;

			EXPECT_LT(0, n);
			lost_records++;
			lost_events += n;
			next_seq[ev.ring] = ev.seq + n;
		} else {
			next_seq[ev.ring] = ev.seq + 1;
		}
	}
	ctrace_cursor_free(c);
	EXPECT_LT(0, lost_records);
	ctrace_trace_close(t);
	unlink(trace);
}

TEST(roomy_buffer_loses_nothing)
{
	const char *trace = "/tmp/loss_roomy.trace";
	struct ctrace_trace *t;
	char args[8192], out[8192];

	ktest_pin(ktest_nr_cpus_online() - 1);
	snprintf(args, sizeof(args), "-b 16M -e switch -o %s -- %s storm 0.5 2",
		 trace, ktest_workload());
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	for (size_t i = 0; i < ctrace_trace_nr_rings(t); i++) {
		const struct ctrace_ring_info *ri = ctrace_trace_ring(t, i);

		EXPECT_EQ(0, ri->stats.lost);
		EXPECT_EQ(ri->stats.events, ri->events);
	}
	ctrace_trace_close(t);
	unlink(trace);
}

KTEST_HARNESS_MAIN
