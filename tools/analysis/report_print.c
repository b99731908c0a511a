// SPDX-License-Identifier: LGPL-2.1
/*
 * The report as text (tables for people, `ctrace report`) and as JSON
 * (one object, all figures in integer ns, for scripts: `--json`).
 *
 * Tables are sorted by what matters: threads by time waiting for a CPU,
 * regions by total time, wakeup pairs by the latency they led to; each
 * keeps its top rows (opts.top, 0: all).  Names come from the trace and
 * are printed with control characters replaced (text) or escaped (JSON).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const state_cols[CTRACE_NR_STATES] = {
	[CTRACE_STATE_UNKNOWN] = "unknown",
	[CTRACE_STATE_RUNNING] = "running",
	[CTRACE_STATE_RUNNABLE] = "runnable",
	[CTRACE_STATE_SLEEPING] = "sleeping",
	[CTRACE_STATE_BLOCKED] = "uninterruptible",
	[CTRACE_STATE_STOPPED] = "stopped",
};

/* The order states are shown in. */
static const unsigned int state_order[CTRACE_NR_STATES] = {
	CTRACE_STATE_RUNNING, CTRACE_STATE_RUNNABLE, CTRACE_STATE_SLEEPING,
	CTRACE_STATE_BLOCKED, CTRACE_STATE_STOPPED, CTRACE_STATE_UNKNOWN,
};

static size_t rows(const struct ctrace_report *r, size_t n)
{
	return r->opts.top && r->opts.top < n ? r->opts.top : n;
}

/* "12.345 ms", "678.9 us", "42 ns": three or four significant digits. */
static const char *dur(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000ull)
		snprintf(buf, len, "%.3f s", ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	else if (ns >= 1000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	return buf;
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

/* A name in a table cell: printable, cut to @width. */
static void cell(FILE *f, const char *s, int width)
{
	char buf[64];
	int i;

	for (i = 0; s && s[i] && i < width && i < (int)sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	fprintf(f, "%-*s", width, buf);
}

/* ------------------------------------------------------------- sorting */

static int by_waiting(const void *a, const void *b)
{
	const struct ctrace_report_thread *x = *(const struct ctrace_report_thread *const *)a;
	const struct ctrace_report_thread *y = *(const struct ctrace_report_thread *const *)b;
	uint64_t wx = x->state_ns[CTRACE_STATE_RUNNABLE], wy = y->state_ns[CTRACE_STATE_RUNNABLE];

	if (wx != wy)
		return wx < wy ? 1 : -1;
	if (x->state_ns[CTRACE_STATE_RUNNING] != y->state_ns[CTRACE_STATE_RUNNING])
		return x->state_ns[CTRACE_STATE_RUNNING] < y->state_ns[CTRACE_STATE_RUNNING] ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int by_total(const void *a, const void *b)
{
	const struct ctrace_report_region *x = *(const struct ctrace_report_region *const *)a;
	const struct ctrace_report_region *y = *(const struct ctrace_report_region *const *)b;

	if (x->duration.sum != y->duration.sum)
		return x->duration.sum < y->duration.sum ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_task_total(const void *a, const void *b)
{
	const struct ctrace_report_task *x = *(const struct ctrace_report_task *const *)a;
	const struct ctrace_report_task *y = *(const struct ctrace_report_task *const *)b;

	if (x->duration.sum != y->duration.sum)
		return x->duration.sum < y->duration.sum ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_latency(const void *a, const void *b)
{
	const struct ctrace_report_wakeup *x = *(const struct ctrace_report_wakeup *const *)a;
	const struct ctrace_report_wakeup *y = *(const struct ctrace_report_wakeup *const *)b;

	if (x->latency_ns != y->latency_ns)
		return x->latency_ns < y->latency_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->wakee < y->wakee ? -1 : x->wakee > y->wakee;
}

static int by_cpu(const void *a, const void *b)
{
	const struct ctrace_report_cpu *x = *(const struct ctrace_report_cpu *const *)a;
	const struct ctrace_report_cpu *y = *(const struct ctrace_report_cpu *const *)b;

	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

/* An array of pointers to @n items of @size bytes at @base, sorted
 * (a const T ** to the caller). */
static void *sorted(const void *base, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	const void **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = (const char *)base + i * size;
	qsort(v, n, sizeof(*v), cmp);
	return v;
}

/* Per process: threads' figures summed (tgid 0: not known). */
struct proc {
	uint32_t tgid;
	const char *comm;
	uint64_t state_ns[CTRACE_NR_STATES];
	uint32_t threads;
	uint64_t switches, preemptions, wakeups;
};

static int proc_by_waiting(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;
	uint64_t wx = x->state_ns[CTRACE_STATE_RUNNABLE], wy = y->state_ns[CTRACE_STATE_RUNNABLE];

	if (wx != wy)
		return wx < wy ? 1 : -1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static struct proc *procs(const struct ctrace_report *r, size_t *n)
{
	struct proc *p = calloc(r->nr_threads ? r->nr_threads : 1, sizeof(*p));

	*n = 0;
	if (!p)
		return NULL;
	for (size_t i = 0; i < r->nr_threads; i++) {
		const struct ctrace_report_thread *th = &r->threads[i];
		size_t j;

		for (j = 0; j < *n && p[j].tgid != th->tgid; j++)
			;
		if (j == *n)
			p[(*n)++] = (struct proc){ .tgid = th->tgid };
		/* The process is named after its main thread. */
		if (th->tid == th->tgid || !p[j].comm)
			p[j].comm = th->comm;
		for (unsigned int s = 0; s < CTRACE_NR_STATES; s++)
			p[j].state_ns[s] += th->state_ns[s];
		p[j].threads++;
		p[j].switches += th->switches;
		p[j].preemptions += th->preemptions;
		p[j].wakeups += th->wakeups;
	}
	qsort(p, *n, sizeof(*p), proc_by_waiting);
	return p;
}

/* ---------------------------------------------------------------- text */

static void text_threads(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_thread **v = sorted(r->threads,
		r->nr_threads, sizeof(*r->threads), by_waiting);
	struct proc *p;
	size_t np;

	if (!v)
		return;
	fprintf(f, "\nThreads: %zu, by time waiting for a CPU (ms)%s\n", r->nr_threads,
		rows(r, r->nr_threads) < r->nr_threads ? ", top rows" : "");
	fprintf(f, "     tid      pid  thread            running runnable sleeping  uninter  stopped  unknown switches preempt volunt wakeups migr\n");
	for (size_t i = 0; i < rows(r, r->nr_threads); i++) {
		const struct ctrace_report_thread *th = v[i];

		fprintf(f, "%8u %8u  ", th->tid, th->tgid);
		cell(f, th->comm[0] ? th->comm : "?", 16);
		for (unsigned int k = 0; k < CTRACE_NR_STATES; k++)
			fprintf(f, " %8.3f", ms(th->state_ns[state_order[k]]));
		fprintf(f, " %8" PRIu64 " %7" PRIu64 " %6" PRIu64 " %7" PRIu64 " %4" PRIu64 "\n",
			th->switches, th->preemptions, th->voluntary, th->wakeups,
			th->migrations);
	}
	free(v);

	p = procs(r, &np);
	if (!p)
		return;
	fprintf(f, "\nProcesses: %zu, by time waiting for a CPU (ms)\n", np);
	fprintf(f, "     pid  process           threads  running runnable sleeping  uninter  stopped  unknown switches preempt wakeups\n");
	for (size_t i = 0; i < rows(r, np); i++) {
		fprintf(f, "%8u  ", p[i].tgid);
		cell(f, p[i].comm && p[i].comm[0] ? p[i].comm : "?", 16);
		fprintf(f, " %7u", p[i].threads);
		for (unsigned int k = 0; k < CTRACE_NR_STATES; k++)
			fprintf(f, " %8.3f", ms(p[i].state_ns[state_order[k]]));
		fprintf(f, " %8" PRIu64 " %7" PRIu64 " %7" PRIu64 "\n", p[i].switches,
			p[i].preemptions, p[i].wakeups);
	}
	free(p);
}

static void text_hist_line(const char *what, const struct ctrace_hist *h, FILE *f)
{
	char a[24], b[24], c[24], d[24], e[24], g[24];

	if (!h->count) {
		fprintf(f, "  %-22s none\n", what);
		return;
	}
	fprintf(f, "  %-22s count %" PRIu64 "  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
		what, h->count, dur(h->sum / h->count, a, sizeof(a)),
		dur(ctrace_hist_percentile(h, 50), b, sizeof(b)),
		dur(ctrace_hist_percentile(h, 90), c, sizeof(c)),
		dur(ctrace_hist_percentile(h, 99), d, sizeof(d)),
		dur(ctrace_hist_percentile(h, 99.9), e, sizeof(e)),
		dur(h->max, g, sizeof(g)));
}

/* Powers of two from the smallest value to the largest, with bars. */
static void text_histogram(const struct ctrace_hist *h, FILE *f)
{
	uint64_t lo = 1, most = 0;
	char a[24], b[24];

	if (!h->count)
		return;
	/* Not "lo * 2 <= min": past 2^63 that wraps to 0, forever (a
	 * corrupt trace's latency; found by tracefile_fuzz). */
	while (lo <= h->min / 2)
		lo *= 2;
	for (uint64_t x = lo; x && x <= h->max; x *= 2) {
		uint64_t n = ctrace_hist_count_range(h, x == lo ? 0 : x, x * 2);

		if (n > most)
			most = n;
	}
	for (uint64_t x = lo; x && x <= h->max; x *= 2) {
		uint64_t n = ctrace_hist_count_range(h, x == lo ? 0 : x, x * 2);
		int bar = most ? (int)(n * 40 / most) : 0;

		fprintf(f, "    %10s .. %-10s %8" PRIu64 " %5.1f%% %.*s\n",
			dur(x == lo ? 0 : x, a, sizeof(a)), dur(x * 2, b, sizeof(b)), n,
			100.0 * n / h->count, bar,
			"########################################");
	}
}

static int by_p99(const void *a, const void *b)
{
	const struct ctrace_report_thread *x = *(const struct ctrace_report_thread *const *)a;
	const struct ctrace_report_thread *y = *(const struct ctrace_report_thread *const *)b;
	uint64_t px = ctrace_hist_percentile(&x->wake_latency, 99);
	uint64_t py = ctrace_hist_percentile(&y->wake_latency, 99);

	if (px != py)
		return px < py ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void text_latency(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_thread **v;

	fprintf(f, "\nScheduling latency (percentiles within 0.8 %%)\n");
	text_hist_line("wakeup -> running", &r->wake_latency, f);
	text_hist_line("preempted -> running", &r->preempt_latency, f);
	if (r->wake_latency.count) {
		fprintf(f, "  wakeup -> running, histogram:\n");
		text_histogram(&r->wake_latency, f);
	}
	v = sorted(r->threads, r->nr_threads, sizeof(*r->threads), by_p99);
	if (!v || !r->wake_latency.count) {
		free(v);
		return;
	}
	fprintf(f, "  per thread, by p99 of wakeup -> running:\n");
	fprintf(f, "         tid  thread              wakeups         p50         p99         max   preempted p99\n");
	for (size_t i = 0, shown = 0; i < r->nr_threads && shown < rows(r, r->nr_threads); i++) {
		const struct ctrace_report_thread *th = v[i];
		char a[24], b[24], c[24], d[24];

		if (!th->wake_latency.count && !th->preempt_latency.count)
			continue;
		shown++;
		fprintf(f, "    %8u  ", th->tid);
		cell(f, th->comm[0] ? th->comm : "?", 16);
		fprintf(f, " %10" PRIu64 " %11s %11s %11s %15s\n", th->wake_latency.count,
			dur(ctrace_hist_percentile(&th->wake_latency, 50), a, sizeof(a)),
			dur(ctrace_hist_percentile(&th->wake_latency, 99), b, sizeof(b)),
			dur(th->wake_latency.max, c, sizeof(c)),
			th->preempt_latency.count ?
			dur(ctrace_hist_percentile(&th->preempt_latency, 99), d, sizeof(d)) : "-");
	}
	free(v);
}

/* Percent of @part in @whole. */
static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

static void text_split(const uint64_t *state_ns, uint64_t total, FILE *f)
{
	for (unsigned int k = 0; k < CTRACE_NR_STATES; k++)
		if (state_order[k] != CTRACE_STATE_STOPPED)
			fprintf(f, " %6.1f%%", pct(state_ns[state_order[k]], total));
}

static void text_regions(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_region **v = sorted(r->regions,
		r->nr_regions, sizeof(*r->regions), by_total);

	if (!v)
		return;
	fprintf(f, "\nRegions: %zu names, by total time; state split as %% of region time\n",
		r->nr_regions);
	if (!r->nr_regions) {
		fprintf(f, "  none\n");
		free(v);
		return;
	}
	fprintf(f, "  name              count    total ms   mean ms    p50 ms    p90 ms    p99 ms    max ms  running runnable sleeping  uninter  unknown  incomplete\n");
	for (size_t i = 0; i < rows(r, r->nr_regions); i++) {
		const struct ctrace_report_region *rg = v[i];
		const struct ctrace_hist *h = &rg->duration;

		fprintf(f, "  ");
		cell(f, rg->name, 16);
		fprintf(f, " %6" PRIu64 " %11.3f %9.3f %9.3f %9.3f %9.3f %9.3f", rg->count,
			ms(h->sum), ms(h->count ? h->sum / h->count : 0),
			ms(ctrace_hist_percentile(h, 50)), ms(ctrace_hist_percentile(h, 90)),
			ms(ctrace_hist_percentile(h, 99)), ms(h->max));
		text_split(rg->state_ns, h->sum, f);
		fprintf(f, "  %10" PRIu64 "\n", rg->incomplete);
	}
	free(v);
}

static void text_region_instances(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_region *rg = ctrace_report_find_region(r, r->opts.region);

	fprintf(f, "\nRegion \"%s\": the slowest instances\n", r->opts.region);
	if (!rg || !rg->nr_slowest) {
		fprintf(f, "  none\n");
		return;
	}
	fprintf(f, "      dur ms   begin s (from start)      tid      pid      task  running runnable sleeping  uninter  unknown\n");
	for (uint32_t i = 0; i < rg->nr_slowest; i++) {
		const struct ctrace_report_instance *in = &rg->slowest[i];
		uint64_t d = in->end - in->begin, b = in->begin - r->first_ns;

		fprintf(f, "  %10.3f %10" PRIu64 ".%09" PRIu64 " %8u %8u ", ms(d),
			b / 1000000000u, b % 1000000000u, in->tid, in->tgid);
		if (in->has_task)
			fprintf(f, "%9" PRIu64, in->task);
		else
			fprintf(f, "%9s", "-");
		text_split(in->state_ns, d, f);
		fprintf(f, "\n");
	}
}

static void text_tasks(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_task **v = sorted(r->tasks,
		r->nr_tasks, sizeof(*r->tasks), by_task_total);

	if (!v)
		return;
	fprintf(f, "\nTasks: %zu names, by total time\n", r->nr_tasks);
	if (!r->nr_tasks) {
		fprintf(f, "  none\n");
		free(v);
		return;
	}
	fprintf(f, "  name              count    total ms   mean ms    p50 ms    p90 ms    p99 ms    max ms  threads mean/max  regions     logs  incomplete\n");
	for (size_t i = 0; i < rows(r, r->nr_tasks); i++) {
		const struct ctrace_report_task *tk = v[i];
		const struct ctrace_hist *h = &tk->duration;

		fprintf(f, "  ");
		cell(f, tk->name, 16);
		fprintf(f, " %6" PRIu64 " %11.3f %9.3f %9.3f %9.3f %9.3f %9.3f %10.1f/%-5" PRIu64 " %8" PRIu64 " %8" PRIu64 "  %10" PRIu64 "\n",
			tk->count, ms(h->sum), ms(h->count ? h->sum / h->count : 0),
			ms(ctrace_hist_percentile(h, 50)), ms(ctrace_hist_percentile(h, 90)),
			ms(ctrace_hist_percentile(h, 99)), ms(h->max),
			tk->count ? (double)tk->threads / tk->count : 0.0, tk->threads_max,
			tk->regions, tk->logs, tk->incomplete);
	}
	free(v);
}

static int by_syscall_total(const void *a, const void *b)
{
	const struct ctrace_report_syscall *x = *(const struct ctrace_report_syscall *const *)a;
	const struct ctrace_report_syscall *y = *(const struct ctrace_report_syscall *const *)b;

	if (x->duration.sum != y->duration.sum)
		return x->duration.sum < y->duration.sum ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_thread_syscall_ns(const void *a, const void *b)
{
	const struct ctrace_report_thread *x = *(const struct ctrace_report_thread *const *)a;
	const struct ctrace_report_thread *y = *(const struct ctrace_report_thread *const *)b;

	if (x->syscall_ns != y->syscall_ns)
		return x->syscall_ns < y->syscall_ns ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void text_syscalls(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_syscall **v = sorted(r->syscalls,
		r->nr_syscalls, sizeof(*r->syscalls), by_syscall_total);
	const struct ctrace_report_thread **t;
	size_t n = 0;

	if (!v)
		return;
	fprintf(f, "\nSyscalls: %zu kinds, by total time; blocking: the thread slept in it\n",
		r->nr_syscalls);
	if (!r->nr_syscalls) {
		fprintf(f, "  none (recorded with -e ...,syscall?)\n");
		free(v);
		return;
	}
	fprintf(f, "  name              count    total ms   mean us    p50 us    p99 us    max ms  off-cpu  blocking   errors  unended\n");
	for (size_t i = 0; i < rows(r, r->nr_syscalls); i++) {
		const struct ctrace_report_syscall *e = v[i];
		const struct ctrace_hist *h = &e->duration;

		fprintf(f, "  ");
		cell(f, e->name, 16);
		fprintf(f, " %6" PRIu64 " %11.3f %9.1f %9.1f %9.1f %9.3f %7.1f%% %9" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
			e->count, ms(h->sum), h->count ? h->sum / h->count / 1e3 : 0.0,
			ctrace_hist_percentile(h, 50) / 1e3, ctrace_hist_percentile(h, 99) / 1e3,
			ms(h->max), pct(e->off_cpu_ns, h->sum), e->blocking, e->errors, e->unended);
	}
	free(v);
	t = sorted(r->threads, r->nr_threads, sizeof(*r->threads), by_thread_syscall_ns);
	if (!t)
		return;
	fprintf(f, "  per thread:\n       tid      pid  thread            syscalls    total ms  blocking\n");
	for (size_t i = 0; i < r->nr_threads && n < rows(r, r->nr_threads) && t[i]->syscalls; i++, n++)
		fprintf(f, "  %8u %8u  %-16s %9" PRIu64 " %11.3f %9" PRIu64 "\n", t[i]->tid,
			t[i]->tgid, t[i]->comm, t[i]->syscalls, ms(t[i]->syscall_ns),
			t[i]->blocking_syscalls);
	free(t);
}

static const char *comm_of(uint32_t tid, const char *comm)
{
	if (!tid)
		return "(irq/idle)";
	if (tid == CTRACE_TID_HIDDEN)
		return "(hidden)";
	return comm[0] ? comm : "?";
}

static void text_wakeups(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_wakeup **v = sorted(r->wakeups,
		r->nr_wakeups, sizeof(*r->wakeups), by_latency);

	if (!v)
		return;
	fprintf(f, "\nWakeups: %zu waker -> wakee pairs, by the wait for a CPU that followed\n",
		r->nr_wakeups);
	if (!r->nr_wakeups) {
		fprintf(f, "  none\n");
		free(v);
		return;
	}
	fprintf(f, "     waker  thread             ->    wakee  thread             wakeups  latency ms  mean us   max us  waker's region\n");
	for (size_t i = 0; i < rows(r, r->nr_wakeups); i++) {
		const struct ctrace_report_wakeup *w = v[i];

		fprintf(f, "  %8u  ", w->waker);
		cell(f, comm_of(w->waker, w->waker_comm), 16);
		fprintf(f, "   -> %8u  ", w->wakee);
		cell(f, comm_of(w->wakee, w->wakee_comm), 16);
		fprintf(f, " %9" PRIu64 " %11.3f %8.1f %8.1f  ", w->count, ms(w->latency_ns),
			w->woke ? w->latency_ns / 1e3 / w->woke : 0.0, w->latency_max / 1e3);
		cell(f, w->waker_region ? w->waker_region : "-", 24);
		fprintf(f, "\n");
	}
	free(v);
}

static void text_cpus(const struct ctrace_report *r, FILE *f)
{
	const struct ctrace_report_cpu **v = sorted(r->cpus, r->nr_cpus,
		sizeof(*r->cpus), by_cpu);
	uint64_t span = r->last_ns - r->first_ns, total = 0, weighted = 0;

	if (!v)
		return;
	fprintf(f, "\nCPUs: %zu, over %.3f ms\n", r->nr_cpus, ms(span));
	fprintf(f, "   cpu      busy ms   idle ms  unknown ms   busy  switches  waiting (mean threads)\n");
	for (size_t i = 0; i < r->nr_cpus; i++) {
		const struct ctrace_report_cpu *c = v[i];
		uint64_t known = c->busy_ns + c->idle_ns;

		fprintf(f, "  %4u %12.3f %9.3f %11.3f %5.1f%% %9" PRIu64 "  %.3f\n", c->cpu,
			ms(c->busy_ns), ms(c->idle_ns), ms(span > known ? span - known : 0),
			pct(c->busy_ns, span), c->switches,
			span ? (double)c->runnable_ns / span : 0.0);
	}
	free(v);
	for (unsigned int i = 0; i <= 64; i++) {
		total += r->runnable_time[i];
		weighted += r->runnable_time[i] * i;
	}
	if (!total)
		return;
	fprintf(f, "  threads waiting for a CPU, in all: mean %.3f; time with", (double)weighted / total);
	for (unsigned int i = 0; i <= 64; i++)
		if (r->runnable_time[i])
			fprintf(f, " %s%u: %.1f%%", i == 64 ? ">=" : "", i,
				pct(r->runnable_time[i], total));
	fprintf(f, "\n");
}

void ctrace_report_text(const struct ctrace_report *r, FILE *f)
{
	unsigned int s = r->opts.sections;

	if (r->losses)
		fprintf(f, "\nNote: %" PRIu64 " losses (%" PRIu64 " events): thread states are unknown from each loss to the next event that shows them (%.3f ms of thread time in all)\n",
			r->losses, r->lost_events, ms(r->unknown_ns));
	if (s & CTRACE_RS_THREADS)
		text_threads(r, f);
	if (s & CTRACE_RS_LATENCY)
		text_latency(r, f);
	if (s & CTRACE_RS_REGIONS)
		text_regions(r, f);
	if (r->opts.region)
		text_region_instances(r, f);
	if (s & CTRACE_RS_TASKS)
		text_tasks(r, f);
	if (s & CTRACE_RS_WAKEUPS)
		text_wakeups(r, f);
	if (s & CTRACE_RS_CPUS)
		text_cpus(r, f);
	/* Only when recorded (or asked for): most traces have none. */
	if ((s & CTRACE_RS_SYSCALLS) && (r->nr_syscalls || s != CTRACE_RS_ALL))
		text_syscalls(r, f);
}

/* ---------------------------------------------------------------- JSON */

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			/* Bytes, not characters: a name need not be UTF-8. */
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void jstates(FILE *f, const uint64_t *state_ns)
{
	fprintf(f, "{");
	for (unsigned int k = 0; k < CTRACE_NR_STATES; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", state_cols[state_order[k]],
			state_ns[state_order[k]]);
	fprintf(f, "}");
}

static void jhist(FILE *f, const struct ctrace_hist *h)
{
	fprintf(f, "{\"count\":%" PRIu64 ",\"sum\":%" PRIu64 ",\"min\":%" PRIu64
		",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64
		",\"p999\":%" PRIu64 ",\"max\":%" PRIu64 "}",
		h->count, h->sum, h->count ? h->min : 0, ctrace_hist_percentile(h, 50),
		ctrace_hist_percentile(h, 90), ctrace_hist_percentile(h, 99),
		ctrace_hist_percentile(h, 99.9), h->max);
}

void ctrace_report_json(const struct ctrace_report *r, FILE *f)
{
	unsigned int s = r->opts.sections;
	const char *sep = "";

	fprintf(f, "{\"span_ns\":%" PRIu64 ",\"first_ns\":%" PRIu64 ",\"events\":%" PRIu64
		",\"losses\":%" PRIu64 ",\"lost_events\":%" PRIu64 ",\"unknown_ns\":%" PRIu64,
		r->last_ns - r->first_ns, r->first_ns, r->events, r->losses,
		r->lost_events, r->unknown_ns);
	if (s & CTRACE_RS_THREADS) {
		fprintf(f, ",\"threads\":[");
		for (size_t i = 0; i < r->nr_threads; i++) {
			const struct ctrace_report_thread *th = &r->threads[i];

			fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"name\":", i ? "," : "",
				th->tid, th->tgid);
			jstr(f, th->comm);
			fprintf(f, ",\"state_ns\":");
			jstates(f, th->state_ns);
			fprintf(f, ",\"switches\":%" PRIu64 ",\"preemptions\":%" PRIu64
				",\"voluntary\":%" PRIu64 ",\"wakeups\":%" PRIu64
				",\"migrations\":%" PRIu64 ",\"syscalls\":%" PRIu64
				",\"syscall_ns\":%" PRIu64 ",\"blocking_syscalls\":%" PRIu64
				",\"wakeup_latency\":",
				th->switches, th->preemptions, th->voluntary, th->wakeups,
				th->migrations, th->syscalls, th->syscall_ns,
				th->blocking_syscalls);
			jhist(f, &th->wake_latency);
			fprintf(f, ",\"preempt_latency\":");
			jhist(f, &th->preempt_latency);
			fprintf(f, "}");
		}
		fprintf(f, "]");
	}
	if (s & CTRACE_RS_LATENCY) {
		fprintf(f, ",\"latency\":{\"wakeup\":");
		jhist(f, &r->wake_latency);
		fprintf(f, ",\"preempt\":");
		jhist(f, &r->preempt_latency);
		fprintf(f, "}");
	}
	if (s & CTRACE_RS_REGIONS || r->opts.region) {
		fprintf(f, ",\"regions\":[");
		for (size_t i = 0; i < r->nr_regions; i++) {
			const struct ctrace_report_region *rg = &r->regions[i];

			fprintf(f, "%s{\"name\":", i ? "," : "");
			jstr(f, rg->name);
			fprintf(f, ",\"count\":%" PRIu64 ",\"incomplete\":%" PRIu64
				",\"switches\":%" PRIu64 ",\"duration\":", rg->count,
				rg->incomplete, rg->switches);
			jhist(f, &rg->duration);
			fprintf(f, ",\"state_ns\":");
			jstates(f, rg->state_ns);
			fprintf(f, ",\"slowest\":[");
			for (uint32_t k = 0; k < rg->nr_slowest; k++) {
				const struct ctrace_report_instance *in = &rg->slowest[k];

				fprintf(f, "%s{\"begin_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64
					",\"tid\":%u,\"pid\":%u", k ? "," : "", in->begin,
					in->end, in->tid, in->tgid);
				if (in->has_task)
					fprintf(f, ",\"task\":%" PRIu64, in->task);
				fprintf(f, ",\"state_ns\":");
				jstates(f, in->state_ns);
				fprintf(f, "}");
			}
			fprintf(f, "]}");
		}
		fprintf(f, "]");
	}
	if (s & CTRACE_RS_TASKS) {
		fprintf(f, ",\"tasks\":[");
		for (size_t i = 0; i < r->nr_tasks; i++) {
			const struct ctrace_report_task *tk = &r->tasks[i];

			fprintf(f, "%s{\"name\":", i ? "," : "");
			jstr(f, tk->name);
			fprintf(f, ",\"count\":%" PRIu64 ",\"incomplete\":%" PRIu64
				",\"threads\":%" PRIu64 ",\"threads_max\":%" PRIu64
				",\"regions\":%" PRIu64 ",\"logs\":%" PRIu64 ",\"duration\":",
				tk->count, tk->incomplete, tk->threads, tk->threads_max,
				tk->regions, tk->logs);
			jhist(f, &tk->duration);
			fprintf(f, "}");
		}
		fprintf(f, "]");
	}
	if (s & CTRACE_RS_WAKEUPS) {
		fprintf(f, ",\"wakeups\":[");
		for (size_t i = 0; i < r->nr_wakeups; i++) {
			const struct ctrace_report_wakeup *w = &r->wakeups[i];

			fprintf(f, "%s{\"waker\":%u,\"wakee\":%u,\"waker_region\":", sep,
				w->waker, w->wakee);
			sep = ",";
			if (w->waker_region)
				jstr(f, w->waker_region);
			else
				fprintf(f, "null");
			fprintf(f, ",\"count\":%" PRIu64 ",\"woke\":%" PRIu64
				",\"latency_ns\":%" PRIu64 ",\"latency_max\":%" PRIu64 "}",
				w->count, w->woke, w->latency_ns, w->latency_max);
		}
		fprintf(f, "]");
	}
	if (s & CTRACE_RS_CPUS) {
		fprintf(f, ",\"cpus\":[");
		for (size_t i = 0; i < r->nr_cpus; i++) {
			const struct ctrace_report_cpu *c = &r->cpus[i];

			fprintf(f, "%s{\"cpu\":%u,\"busy_ns\":%" PRIu64 ",\"idle_ns\":%" PRIu64
				",\"runnable_ns\":%" PRIu64 ",\"switches\":%" PRIu64 "}",
				i ? "," : "", c->cpu, c->busy_ns, c->idle_ns, c->runnable_ns,
				c->switches);
		}
		fprintf(f, "],\"runnable_time_ns\":[");
		for (unsigned int i = 0; i <= 64; i++)
			fprintf(f, "%s%" PRIu64, i ? "," : "", r->runnable_time[i]);
		fprintf(f, "]");
	}
	if (s & CTRACE_RS_SYSCALLS) {
		fprintf(f, ",\"syscalls\":[");
		for (size_t i = 0; i < r->nr_syscalls; i++) {
			const struct ctrace_report_syscall *e = &r->syscalls[i];

			fprintf(f, "%s{\"name\":", i ? "," : "");
			jstr(f, e->name);
			fprintf(f, ",\"nr\":%u,\"compat\":%s,\"count\":%" PRIu64
				",\"unended\":%" PRIu64 ",\"errors\":%" PRIu64
				",\"blocking\":%" PRIu64 ",\"off_cpu_ns\":%" PRIu64 ",\"duration\":",
				e->aux & CTRACE_SYSCALL_NR_MASK,
				e->aux & CTRACE_SYSCALL_F_COMPAT ? "true" : "false",
				e->count, e->unended, e->errors, e->blocking, e->off_cpu_ns);
			jhist(f, &e->duration);
			fprintf(f, "}");
		}
		fprintf(f, "]");
	}
	fprintf(f, "}\n");
}
