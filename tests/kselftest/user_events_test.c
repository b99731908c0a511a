// SPDX-License-Identifier: GPL-2.0
/*
 * User events, end to end: a program linked with libctrace, traced by
 * ctrace-dump, decoded by the tracefile library.  Each case runs with the
 * module (the program REGISTERs with /dev/ctrace; skipped where it is not
 * loaded), and in user-only mode (the ring set in ctrace-dump's memfd),
 * with rseq and with the lock word.  Natively (make check's "host" stage)
 * it is built with CTRACE_TEST_NO_MODULE: the user-only variants only,
 * against a ctrace-dump built with ASan/UBSan.
 *  - ground truth: known tasks across threads, nested regions, logs,
 *    counters, an instant and a flow decode to exactly that, in order, with
 *    the right thread IDs; with the module, the inner region's sleep shows
 *    as its thread's switch-out, wakeup and switch-in inside the region;
 *  - migration stress: threads moving between CPUs and taking signals
 *    write millions of events: nothing corrupt, written = read + lost
 *    exactly, rseq critical sections aborted and retried;
 *  - a LOST total overtaken: another record of the CPU, with a larger
 *    total, committed between an event's reading of its total and its
 *    sequence (ctrace-lostrace, a test hook in libctrace): the totals
 *    never go down, nothing is corrupt;
 *  - hostile writers: garbage, misaligned and oversized commits, a
 *    position moved back, a writer killed mid-event or between reserving
 *    a string and publishing it: the dump completes,
 *    the corruption is counted and explained, and what comes after it,
 *    the kernel's events included, is intact.
 */
#include <signal.h>
#include <stdarg.h>

#include "kselftest_harness.h"
#include "ktest.h"
#include "ktrace.h"
#include "recdesc.h"

/* A trace's user records, by thread, as kt_uev_str() lines. */
#define MAX_UEV 64
struct thread_log {
	uint32_t tid;
	int n;
	char line[MAX_UEV][200];
	uint64_t ts[MAX_UEV];
};

static void log_uev(struct thread_log *th, const char *s, uint64_t ts)
{
	if (th->n < MAX_UEV) {
		snprintf(th->line[th->n], sizeof(th->line[0]), "%s", s);
		th->ts[th->n] = ts;
	}
	th->n++;
}

/* The index of @s in @th's log, or -1. */
static int find_uev(const struct thread_log *th, const char *s)
{
	for (int i = 0; i < th->n && i < MAX_UEV; i++)
		if (!strcmp(th->line[i], s))
			return i;
	return -1;
}

static int expect_lines(struct __test_metadata *_metadata, const struct thread_log *th,
			const char *const *want, int n)
{
	int bad = th->n != n;

	for (int i = 0; i < n && i < th->n && i < MAX_UEV; i++)
		bad |= strcmp(th->line[i], want[i]) != 0;
	if (bad) {
		for (int i = 0; i < th->n && i < MAX_UEV; i++)
			TH_LOG("tid %u got  %d: %s", th->tid, i, th->line[i]);
		for (int i = 0; i < n; i++)
			TH_LOG("tid %u want %d: %s", th->tid, i, want[i]);
	}
	return !bad;
}

/* Append a formatted line to a list of expectations; returns its length. */
static int __attribute__((format(printf, 4, 5)))
want(char buf[][160], const char **list, int n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf[n], sizeof(buf[n]), fmt, ap);
	va_end(ap);
	list[n] = buf[n];
	return n + 1;
}

FIXTURE(ue) {
	bool no_module;
	char dump_flags[64];
	char trace[64], info[64];
};

FIXTURE_VARIANT(ue) {
	bool module;		/* REGISTER with /dev/ctrace */
	bool locked;		/* user-only: the lock word, not rseq */
};

#ifndef CTRACE_TEST_NO_MODULE
FIXTURE_VARIANT_ADD(ue, module) {
	.module = true,
};
#endif

FIXTURE_VARIANT_ADD(ue, user_only) {
	.module = false,
};

FIXTURE_VARIANT_ADD(ue, user_only_locked) {
	.module = false,
	.locked = true,
};

FIXTURE_SETUP(ue)
{
	/* This harness runs the test after a SKIP here: it checks again. */
	self->no_module = variant->module && access(CTRACE_DEVICE_PATH, F_OK);
	snprintf(self->dump_flags, sizeof(self->dump_flags), "%s",
		 variant->module ? "" : variant->locked ? "--user-only --user-locked" :
		 "--user-only");
	snprintf(self->trace, sizeof(self->trace), "/tmp/ue-%d.trace", getpid());
	snprintf(self->info, sizeof(self->info), "/tmp/ue-%d.info", getpid());
}

#define SKIP_WITHOUT_MODULE() do {					\
	if (self->no_module)						\
		SKIP(return, "ctrace.ko is not loaded");		\
} while (0)

FIXTURE_TEARDOWN(ue)
{
	unlink(self->trace);
	unlink(self->info);
}

TEST_F(ue, ground_truth)
{
	char args[16384], out[8192], task[32], flow[32], want_m[20][160], want_w[8][160];
	const char *want_main[20], *want_worker[8];
	unsigned long long task_id, flow_id;
	struct thread_log *m, *w;
	uint64_t kernel_events = 0, out_ts = 0, wake_ts = 0, in_ts = 0;
	int main_tid, worker_tid, ib, ie, nm = 0, nw = 0;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	char line[200];

	SKIP_WITHOUT_MODULE();
	snprintf(args, sizeof(args), "%s -o %s -- %s ground %s", self->dump_flags,
		 self->trace, ktest_uprog(), self->info);
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_LT(0, ktest_read_file(self->info, out, sizeof(out)));
	ASSERT_EQ(4, sscanf(out, "%d %d %llu %llu", &main_tid, &worker_tid, &task_id, &flow_id));
	ASSERT_NE(0, task_id);
	ASSERT_NE(0, flow_id);

	t = kt_open(self->trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	EXPECT_EQ(!variant->module, ctrace_trace_user_only(t));

	m = calloc(2, sizeof(*m));
	ASSERT_NE(NULL, m);
	w = m + 1;
	m->tid = main_tid;
	w->tid = worker_tid;
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		if (ev.kind == CTRACE_RING_USER) {
			const struct ctrace_urec *h = ev.rec;

			kt_uev_str(t, &ev, line, sizeof(line));
			if (h->tid == (uint32_t)main_tid)
				log_uev(m, line, ev.ts);
			else if (h->tid == (uint32_t)worker_tid)
				log_uev(w, line, ev.ts);
			else
				TH_LOG("a user record of tid %u: %s", h->tid, line);
			EXPECT_TRUE(h->tid == (uint32_t)main_tid || h->tid == (uint32_t)worker_tid);
		} else if (ev.kind == CTRACE_RING_KERNEL) {
			const struct ctrace_krec_switch *sw = ev.rec;
			const struct ctrace_krec_wakeup *wk = ev.rec;

			kernel_events++;
			/* Where the main thread slept inside "inner" (the last
			 * sleep before "REGION_END inner"). */
			if (find_uev(m, "REGION_BEGIN inner") < 0 ||
			    find_uev(m, "REGION_END inner") >= 0)
				continue;
			if (ev.type == CTRACE_KREC_SWITCH && sw->prev_tid == (uint32_t)main_tid &&
			    (ev.aux & CTRACE_SWITCH_STATE_MASK) == CTRACE_STATE_SLEEPING)
				out_ts = ev.ts, wake_ts = in_ts = 0;
			else if (ev.type == CTRACE_KREC_WAKEUP && wk->tid == (uint32_t)main_tid &&
				 out_ts)
				wake_ts = ev.ts;
			else if (ev.type == CTRACE_KREC_SWITCH && sw->next_tid == (uint32_t)main_tid &&
				 wake_ts)
				in_ts = ev.ts;
		}
	}
	ctrace_cursor_free(c);

	snprintf(task, sizeof(task), "task=%llu", task_id);
	snprintf(flow, sizeof(flow), "flow=%llu", flow_id);
	/* Each thread announces itself first, under the name it set. */
	nm = want(want_m, want_main, nm, "THREAD umain tgid=%d", main_tid);
	nm = want(want_m, want_main, nm, "TASK_BEGIN job %s parent=0", task);
	nm = want(want_m, want_main, nm, "REGION_BEGIN outer %s", task);
	nm = want(want_m, want_main, nm, "LOG cat %s hello", task);
	nm = want(want_m, want_main, nm, "REGION_BEGIN inner");
	nm = want(want_m, want_main, nm, "COUNTER depth 2");
	nm = want(want_m, want_main, nm, "COUNTER_F ratio 0.5");
	nm = want(want_m, want_main, nm, "REGION_END inner");
	nm = want(want_m, want_main, nm, "REGION_END outer %s", task);
	nm = want(want_m, want_main, nm, "FLOW_BEGIN handoff %s", flow);
	nm = want(want_m, want_main, nm, "TASK_END %s", task);
	nw = want(want_w, want_worker, nw, "THREAD uworker tgid=%d", main_tid);
	nw = want(want_w, want_worker, nw, "REGION_BEGIN work %s", task);
	nw = want(want_w, want_worker, nw, "INSTANT tick %s", task);
	nw = want(want_w, want_worker, nw, "LOG cat %s n=42", task);
	nw = want(want_w, want_worker, nw, "FLOW_END %s", flow);
	nw = want(want_w, want_worker, nw, "REGION_END work %s", task);
	EXPECT_TRUE(expect_lines(_metadata, m, want_main, nm));
	EXPECT_TRUE(expect_lines(_metadata, w, want_worker, nw));

	/* One timeline: the flow's end after its beginning, on another
	 * thread; the task's end after the worker's last event. */
	if (m->n == nm && w->n == nw) {
		EXPECT_LT(m->ts[9], w->ts[4]);
		EXPECT_LT(w->ts[5], m->ts[10]);
	}

	ib = find_uev(m, "REGION_BEGIN inner");
	ie = find_uev(m, "REGION_END inner");
	if (variant->module) {
		/* The sleep inside "inner", from the scheduler's side. */
		ASSERT_LE(0, ib);
		ASSERT_LE(0, ie);
		EXPECT_LT(0, kernel_events);
		EXPECT_NE(0, out_ts) TH_LOG("no switch-out of %d inside the region", main_tid);
		EXPECT_NE(0, wake_ts) TH_LOG("no wakeup of %d inside the region", main_tid);
		EXPECT_NE(0, in_ts) TH_LOG("no switch-in of %d inside the region", main_tid);
		EXPECT_LT(m->ts[ib], out_ts);
		EXPECT_LE(out_ts, wake_ts);
		EXPECT_LE(wake_ts, in_ts);
		EXPECT_LT(in_ts, m->ts[ie]);
		/* 20 ms asleep: the region lasts longer than that. */
		EXPECT_LT(20000000, ctrace_trace_mono_ns(t, m->ts[ie]) -
				    ctrace_trace_mono_ns(t, m->ts[ib]));
	} else {
		EXPECT_EQ(0, kernel_events);
	}
	free(m);
	ctrace_trace_close(t);
}

/* `ctrace record` is ctrace-dump; `ctrace report` shows threads apart. */
/*
 * ctrace-dump -o -: the file format on a pipe, while it records (a drain
 * at least every 200 ms), and read back from a pipe (ctrace validate -).
 * The program writes an instant a millisecond for 2 s and says "calls"
 * in INFO only at its end: 8 KiB of the stream must come before that.
 */
TEST_F(ue, stream)
{
	char cmd[16384], out[65536], stream[128];
	static unsigned char buf[1 << 20];
	size_t got = 0, early = 0;
	int instants;
	bool before_end = false;
	FILE *p, *f;
	ssize_t n;

	SKIP_WITHOUT_MODULE();
	snprintf(stream, sizeof(stream), "%s.stream", self->trace);
	snprintf(cmd, sizeof(cmd), "%s -q %s -o - -- %s idle 2 %s", ktest_tool("ctrace-dump"),
		 self->dump_flags, ktest_uprog(), self->info);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while ((n = fread(buf + got, 1, sizeof(buf) - got < 4096 ? sizeof(buf) - got : 4096, p)) > 0) {
		got += n;
		if (!early && got >= 8192) {
			early = got;
			before_end = ktest_read_file(self->info, out, sizeof(out)) >= 0 &&
				     !strstr(out, "calls");
		}
		if (got == sizeof(buf))
			break;
	}
	EXPECT_EQ(0, pclose(p));
	TH_LOG("%zu bytes streamed; %zu of them before the program ended: %s", got, early,
	       before_end ? "yes" : "no");
	EXPECT_TRUE(before_end);
	f = fopen(stream, "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(got, fwrite(buf, 1, got, f));
	fclose(f);
	/* Read back through a pipe, as ctrace-dump -o - | ctrace validate - does. */
	snprintf(cmd, sizeof(cmd), "cat %s | %s validate -", stream, ktest_tool("ctrace"));
	EXPECT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "valid: ")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "cat %s | %s report --events - | grep -c 'name=idle'", stream,
		 ktest_tool("ctrace"));
	EXPECT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	/* One instant a sleep of 1 ms: up to 2000, 920 under PREEMPT_RT's
	 * slower timers in TCG; the exporter must see every one. */
	instants = atoi(out);
	EXPECT_LE(200, instants) TH_LOG("%s", out);
	/* The exporter and the viewer take a stream too. */
	snprintf(cmd, sizeof(cmd), "cat %s | %s export --format json -o %s.json - && "
		 "grep -o '\"name\":\"idle\"' %s.json | wc -l", stream, ktest_tool("ctrace"),
		 stream, stream);
	EXPECT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(instants, atoi(out)) TH_LOG("export from a pipe: %s", out);
	snprintf(cmd, sizeof(cmd), "cat %s | %s view --no-open -o %s.html - > /dev/null && "
		 "grep -c '<canvas' %s.html", stream, ktest_tool("ctrace"), stream, stream);
	EXPECT_EQ(0, ktest_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_LE(1, atoi(out)) TH_LOG("view from a pipe: %s", out);
	snprintf(cmd, sizeof(cmd), "%s.json", stream);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s.html", stream);
	unlink(cmd);
	unlink(stream);
}

TEST_F(ue, record_and_report_per_thread)
{
	char args[16384], out[65536], *worker, *worker_part, *main_part;
	int main_tid, worker_tid;

	SKIP_WITHOUT_MODULE();
	snprintf(args, sizeof(args), "%s record -q %s -o %s -- %s ground %s",
		 ktest_tool("ctrace"), self->dump_flags, self->trace, ktest_uprog(), self->info);
	ASSERT_EQ(0, ktest_run(args, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_LT(0, ktest_read_file(self->info, out, sizeof(out)));
	ASSERT_EQ(2, sscanf(out, "%d %d", &main_tid, &worker_tid));

	/* One thread: its regions, not the other's. */
	snprintf(args, sizeof(args), "%s report --events --tid %d %s", ktest_tool("ctrace"),
		 worker_tid, self->trace);
	ASSERT_EQ(0, ktest_run(args, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "begin name=work depth=1")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "instant  name=tick")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "name=outer")) TH_LOG("%s", out);

	/* Each thread that wrote user events, in turn, nesting shown. */
	snprintf(args, sizeof(args), "%s report --events --per-thread %s", ktest_tool("ctrace"),
		 self->trace);
	ASSERT_EQ(0, ktest_run(args, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(args, sizeof(args), "== thread %d\n", worker_tid);
	worker = strstr(out, args);
	worker_part = worker ? worker + strlen(args) : NULL;
	snprintf(args, sizeof(args), "== thread %d\n", main_tid);
	main_part = strstr(out, args);
	ASSERT_NE(NULL, worker) TH_LOG("%s", out);
	ASSERT_NE(NULL, main_part) TH_LOG("%s", out);
	ASSERT_LT(main_part, worker);
	*worker = '\0';
	EXPECT_NE(NULL, strstr(main_part, "begin name=inner depth=2")) TH_LOG("%s", main_part);
	EXPECT_EQ(NULL, strstr(main_part, "name=work")) TH_LOG("%s", main_part);
	if (variant->module)	/* the sleep in "inner", in its thread's story */
		EXPECT_NE(NULL, strstr(main_part, "switch ")) TH_LOG("%s", main_part);
	EXPECT_NE(NULL, strstr(worker_part, "begin name=work")) TH_LOG("%s", worker_part);
}

/* Sum of the user rings' lost counts (what the LOST records say). */
static uint64_t user_lost(const struct ctrace_trace *t)
{
	uint64_t lost = 0;

	for (size_t i = 0; i < ctrace_trace_nr_rings(t); i++) {
		const struct ctrace_ring_info *r = ctrace_trace_ring(t, i);

		if (r->kind == CTRACE_RING_USER)
			lost += r->lost;
	}
	return lost;
}

/* What a trace's user rings hold: counters of one name, CORRUPT records,
 * and anything else but THREAD and LOST records (the first few logged). */
struct user_count {
	uint64_t read, corrupt, other;
};

static struct user_count count_user(struct __test_metadata *_metadata,
				    struct ctrace_trace *t, const char *counter)
{
	struct user_count n = { 0 };
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	char line[200];

	if (ctrace_cursor_new(t, &c)) {
		EXPECT_EQ(0, -ENOMEM);
		return n;
	}
	while (ctrace_cursor_next(c, &ev) == 1) {
		if (ev.kind != CTRACE_RING_USER)
			continue;
		if (ev.type == CTRACE_UREC_COUNTER &&
		    !strcmp(kt_ustr(t, &ev, ev.aux), counter)) {
			n.read++;
		} else if (ev.type == CTRACE_FREC_CORRUPT) {
			kt_uev_str(t, &ev, line, sizeof(line));
			if (n.corrupt++ < 5)
				TH_LOG("corrupt: %s", line);
		} else if (ev.type != CTRACE_UREC_THREAD && ev.type != CTRACE_UREC_LOST) {
			kt_uev_str(t, &ev, line, sizeof(line));
			if (n.other++ < 5)
				TH_LOG("unexpected: %s", line);
		}
	}
	EXPECT_EQ(NULL, ctrace_cursor_error(c));
	ctrace_cursor_free(c);
	return n;
}

/* Every event is either in the file or counted as lost, exactly. */
#define EXPECT_ACCOUNTED(t, attempted, dropped, read) do {			\
	EXPECT_EQ(attempted, (read) + user_lost(t))				\
		TH_LOG("read %llu lost %llu", (unsigned long long)(read),	\
		       (unsigned long long)user_lost(t));			\
	EXPECT_EQ(dropped, user_lost(t));					\
} while (0)

/* Under TCG on PREEMPT_RT the lock-word variant took over 30 s. */
TEST_F_TIMEOUT(ue, migration_stress, 150)
{
	unsigned long long attempted, dropped, aborts;
	char args[16384], out[8192];
	struct ctrace_trace *t;
	struct user_count n;
	int mode;

	SKIP_WITHOUT_MODULE();
	/* 4 threads x 500,000 events, on however many CPUs there are. */
	snprintf(args, sizeof(args), "%s -o %s -- %s stress 4 500000 %s", self->dump_flags,
		 self->trace, ktest_uprog(), self->info);
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_LT(0, ktest_read_file(self->info, out, sizeof(out)));
	ASSERT_EQ(4, sscanf(out, "%llu %llu %llu %d", &attempted, &dropped, &aborts, &mode));
	EXPECT_EQ(2000000, attempted);
	EXPECT_EQ(variant->locked ? 2 : 1, mode);

	t = kt_open(self->trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	n = count_user(_metadata, t, "stress");
	EXPECT_EQ(0, n.corrupt);
	EXPECT_EQ(0, n.other);
	EXPECT_ACCOUNTED(t, attempted, dropped, n.read);
	/* Signals every 100 us land inside critical sections. */
	if (!variant->locked)
		EXPECT_LT(0, aborts);
	TH_LOG("read %llu, lost %llu, rseq aborts %llu", (unsigned long long)n.read,
	       (unsigned long long)user_lost(t), aborts);
	ctrace_trace_close(t);
}

/* ctrace-lostrace under ctrace-dump, and what it says it did; @mode is ""
 * or "early " (its first argument, with the space after it). */
struct lostrace {
	unsigned long long attempted, dropped;
	int hook, mode;
};

static bool run_lostrace(struct __test_metadata *_metadata, FIXTURE_DATA(ue) *self,
			 const char *mode, struct lostrace *r)
{
	const char *b = getenv("CTRACE_BUILD");
	char args[16384], out[8192];

	snprintf(args, sizeof(args), "%s -o %s -- %s/tests/progs/ctrace-lostrace %s%s",
		 self->dump_flags, self->trace, b ? b : "build", mode, self->info);
	if (ktest_dump(args, out, sizeof(out))) {
		TH_LOG("%s", out);
		return false;
	}
	return ktest_read_file(self->info, out, sizeof(out)) > 0 &&
	       sscanf(out, "%llu %llu %d %d", &r->attempted, &r->dropped,
		      &r->hook, &r->mode) == 4;
}

/*
 * An event's LOST total overtaken before its sequence runs: ctrace-lostrace
 * (libctrace with its test hook) has another counter of the same CPU, with
 * a larger total, committed in between, as a preemption there would.  The
 * ring's totals must still never go down (migration_stress once found one
 * such LOST record, taken for corruption): nothing corrupt, and every
 * counter in the file or counted as lost, exactly.
 */
TEST_F(ue, lost_total_overtaken)
{
	struct lostrace r;
	struct ctrace_trace *t;
	struct user_count n;

	SKIP_WITHOUT_MODULE();
	if (variant->locked)
		SKIP(return, "the lock word: no writer can commit between another's reading and its commit");
	ASSERT_TRUE(run_lostrace(_metadata, self, "", &r));
	EXPECT_EQ(1, r.mode);
	/* The hook ran, and in it the ring dropped, then took a record. */
	ASSERT_EQ(1, r.hook);
	EXPECT_LE(2, r.dropped);

	t = kt_open(self->trace);
	ASSERT_NE(NULL, t);
	n = count_user(_metadata, t, "lostrace");
	EXPECT_EQ(0, n.corrupt);
	EXPECT_EQ(0, n.other);
	EXPECT_EQ(0, kt_validate(t));
	EXPECT_ACCOUNTED(t, r.attempted, r.dropped, n.read);
	ctrace_trace_close(t);
}

/*
 * Losses before the reader has the ring set mapped (ctrace-lostrace early:
 * the ring fills right after the program registers it, the reader
 * stopped).  A ring set outlives sessions, so its lost count includes
 * earlier sessions' losses: the reader counts from what its predecessors
 * reported (the cons area's lost_read), not from what it finds.
 */
TEST_F(ue, losses_before_the_set_is_mapped)
{
	struct lostrace r;
	struct ctrace_trace *t;

	SKIP_WITHOUT_MODULE();
	ASSERT_TRUE(run_lostrace(_metadata, self, "early ", &r));
	EXPECT_LE(1, r.dropped);
	t = kt_open(self->trace);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(0, kt_validate(t));
	EXPECT_ACCOUNTED(t, r.attempted, r.dropped, count_user(_metadata, t, "lostrace").read);
	ctrace_trace_close(t);
}

static uint64_t user_events_in(struct ctrace_trace *t)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	uint64_t n = 0;

	if (ctrace_cursor_new(t, &c))
		return UINT64_MAX;
	while (ctrace_cursor_next(c, &ev) == 1)
		n += ev.kind == CTRACE_RING_USER;
	ctrace_cursor_free(c);
	return n;
}

/* What a hostile run left: good instants by name, CORRUPT records. */
struct hostile_result {
	int before, after, ground_events;
	uint64_t corrupt, corrupt_bytes, kernel_events;
	char reasons[256];
};

static void hostile_scan(struct ctrace_trace *t, struct hostile_result *r)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;

	memset(r, 0, sizeof(*r));
	if (ctrace_cursor_new(t, &c))
		return;
	while (ctrace_cursor_next(c, &ev) == 1) {
		if (ev.kind == CTRACE_RING_KERNEL)
			r->kernel_events++;
		if (ev.kind != CTRACE_RING_USER)
			continue;
		if (ev.type == CTRACE_FREC_CORRUPT) {
			const struct ctrace_frec_corrupt *k = ev.rec;
			const char *why = ctrace_corrupt_reason_name(k->reason);
			size_t n = strlen(r->reasons);

			r->corrupt++;
			r->corrupt_bytes += k->bytes;
			snprintf(r->reasons + n, sizeof(r->reasons) - n, "%s ", why ? why : "?");
		} else if (ev.type == CTRACE_UREC_INSTANT) {
			const char *name = kt_ustr(t, &ev, ev.aux);

			r->before += !strcmp(name, "before");
			r->after += !strcmp(name, "after");
		} else if (ev.type == CTRACE_UREC_TASK_BEGIN) {
			r->ground_events++;
		}
	}
	ctrace_cursor_free(c);
}

static void hostile_run(struct __test_metadata *_metadata, FIXTURE_DATA(ue) *self,
			const char *kind, bool expect_corrupt, int keeps_before)
{
	char args[16384], out[8192];
	struct hostile_result r;
	struct ctrace_validation v;
	struct ctrace_trace *t;

	SKIP_WITHOUT_MODULE();
	/* The hostile writer, then a well-behaved program of the same user. */
	snprintf(args, sizeof(args),
		 "%s -o %s -- sh -c '%s hostile %s > /dev/null && %s ground %s'",
		 self->dump_flags, self->trace, ktest_uprog(), kind, ktest_uprog(), self->info);
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	t = kt_open(self->trace);
	ASSERT_NE(NULL, t);
	hostile_scan(t, &r);
	TH_LOG("%s: %llu CORRUPT records (%llu bytes): %s", kind,
	       (unsigned long long)r.corrupt, (unsigned long long)r.corrupt_bytes, r.reasons);
	if (keeps_before < 0) {
		EXPECT_GE(1, r.before);
	} else {
		EXPECT_EQ(keeps_before, r.before);
	}
	EXPECT_EQ(10, r.after);
	EXPECT_EQ(1, r.ground_events);
	if (expect_corrupt) {
		EXPECT_LT(0, r.corrupt);
	} else {
		EXPECT_EQ(0, r.corrupt);
	}
	/* Everything else holds together: the validator finds nothing but
	 * the corruption it is told about. */
	ctrace_validate(t, &v, NULL);
	EXPECT_EQ(r.corrupt, v.corrupt);
	EXPECT_EQ(0, v.errors) TH_LOG("%s", v.first_error);
	if (self->dump_flags[0] == '\0')
		EXPECT_LT(0, r.kernel_events);
	ctrace_trace_close(t);
}

TEST_F(ue, hostile_garbage)
{
	hostile_run(_metadata, self, "garbage", true, true);
}

TEST_F(ue, hostile_misaligned)
{
	hostile_run(_metadata, self, "misaligned", true, true);
}

TEST_F(ue, hostile_oversized)
{
	hostile_run(_metadata, self, "oversized", true, true);
}

TEST_F(ue, hostile_backwards)
{
	/*
	 * What the ring held unread when its position went back is gone
	 * (the "before" event): nothing can tell it from what comes next.
	 * The dumper may have read it already, though: it polls while the
	 * writer runs, and on a loaded machine it once did (6.12, user-only
	 * with the lock word).  So "before" is there at most once.
	 */
	hostile_run(_metadata, self, "backwards", true, -1);
}

TEST_F(ue, hostile_killed_mid_event)
{
	/* With rseq an uncommitted event is nothing at all; with the lock
	 * word the dumper takes a dead holder's lock back. */
	hostile_run(_metadata, self, "killed", false, true);
}

/*
 * A writer killed between reserving a string table entry and publishing
 * it: the strings interned after it (every "after" instant's name) are
 * read, so nothing is corrupt.  Before the fix the scan stopped at the
 * dead entry for good, and all ten "after" instants were CORRUPT.
 */
TEST_F(ue, hostile_string_killed)
{
	hostile_run(_metadata, self, "string_killed", false, true);
}

TEST_F(ue, hostile_string_killed_len)
{
	hostile_run(_metadata, self, "string_killed_len", false, true);
}

/*
 * A THREAD record is the writer's claim: one naming init's thread (tid 1)
 * as a thread of the writer's process is marked disputed in the file
 * (module mode: the dumper checks it against the kernel's view), and
 * readers take no name from it.  Before the fix it was an ordinary
 * record, and tid 1 was "liar".
 */
TEST_F(ue, thread_claim_disputed)
{
	char args[16384], out[8192];
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	struct ctrace_trace *t;
	const struct ctrace_thread *th;
	int claims = 0, disputed = 0;

	SKIP_WITHOUT_MODULE();
	if (self->dump_flags[0])
		SKIP(return, "user-only mode does not check claims");
	snprintf(args, sizeof(args), "-o %s -- %s hostile claim", self->trace, ktest_uprog());
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	t = kt_open(self->trace);
	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, ctrace_cursor_new(t, &c));
	while (ctrace_cursor_next(c, &ev) == 1) {
		if (ev.kind != CTRACE_RING_USER || ev.type != CTRACE_UREC_THREAD)
			continue;
		if (((const struct ctrace_urec *)ev.rec)->tid == 1) {
			claims++;
			disputed += ctrace_event_disputed(&ev);
		} else {
			/* The writer's own announcement holds. */
			EXPECT_FALSE(ctrace_event_disputed(&ev));
		}
	}
	EXPECT_EQ(1, claims);
	EXPECT_EQ(1, disputed);
	th = ctrace_cursor_thread(c, 1);
	EXPECT_TRUE(!th || strcmp(th->comm, "liar")) TH_LOG("tid 1 named %s", th->comm);
	ctrace_cursor_free(c);
	ctrace_trace_close(t);
}

/*
 * One reader per ring set: a second session tracing a process whose
 * user's set the first one reads gets none of its user events, and is
 * told: a warning naming the uid and the session on ctrace-dump's stderr,
 * and META user_sets_busy in its file, and in a flight snapshot's.  Before the fix it got nothing,
 * silently.
 */
TEST_F(ue, second_session_told)
{
	char cmd[16384], args[16384], out[8192], pidfile[64], trace2[64], want_w[128];
	const char *busy;
	struct ctrace_trace *t;
	int status, pid = 0;
	pid_t first;
	FILE *f;

	SKIP_WITHOUT_MODULE();
	if (self->dump_flags[0])
		SKIP(return, "one reader per ring set is the module's");
	snprintf(pidfile, sizeof(pidfile), "/tmp/ue-%d.pid", getpid());
	snprintf(trace2, sizeof(trace2), "/tmp/ue-%d-2.trace", getpid());
	snprintf(cmd, sizeof(cmd), "exec %s -q -o %s -- sh -c 'echo $$ > %s; exec %s idle 7 %s'",
		 ktest_tool("ctrace-dump"), self->trace, pidfile, ktest_uprog(), self->info);
	first = fork();
	ASSERT_LE(0, first);
	if (!first) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* The first session enabled the program: it reads the set. */
	for (int i = 0; i < 1000; i++) {
		char line[128];
		bool on = false;

		f = fopen(self->info, "r");
		while (f && fgets(line, sizeof(line), f))
			on |= strlen(line) > 2 && !strcmp(line + strlen(line) - 3, " 1\n");
		if (f)
			fclose(f);
		if (on)
			break;
		usleep(10000);
	}
	f = fopen(pidfile, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%d", &pid));
	fclose(f);

	snprintf(args, sizeof(args), "-o %s -d 1 -p %d", trace2, pid);
	EXPECT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want_w, sizeof(want_w), "warning: the user ring set of uid %u is read by session ",
		 getuid());
	EXPECT_NE(NULL, strstr(out, want_w)) TH_LOG("%s", out);
	t = kt_open(trace2);
	ASSERT_NE(NULL, t);
	busy = ctrace_trace_meta(t, "user_sets_busy");
	ASSERT_NE(NULL, busy);
	snprintf(want_w, sizeof(want_w), "%u:", getuid());
	EXPECT_EQ(0, strncmp(busy, want_w, strlen(want_w))) TH_LOG("%s", busy);
	EXPECT_EQ(0, user_events_in(t));
	ctrace_trace_close(t);

	/* A flight recorder's snapshot says it too (its own META). */
	snprintf(args, sizeof(args), "%s -q --flight 10s --flight-count 1 -o /tmp/ue-%d-f.trace -p %d & d=$!; sleep 1; kill -USR1 $d; wait $d",
		 ktest_tool("ctrace-dump"), getpid(), pid);
	EXPECT_EQ(0, system(args)) TH_LOG("%s", args);
	snprintf(args, sizeof(args), "/tmp/ue-%d-f-1.trace", getpid());
	t = kt_open(args);
	ASSERT_NE(NULL, t) TH_LOG("no snapshot %s", args);
	busy = ctrace_trace_meta(t, "user_sets_busy");
	ASSERT_NE(NULL, busy) TH_LOG("no user_sets_busy in the flight snapshot's META");
	EXPECT_EQ(0, strncmp(busy, want_w, strlen(want_w))) TH_LOG("%s", busy);
	ctrace_trace_close(t);
	unlink(args);

	ASSERT_EQ(first, waitpid(first, &status, 0));
	EXPECT_EQ(0, status);
	unlink(trace2);
	unlink(pidfile);
}

KTEST_HARNESS_MAIN
