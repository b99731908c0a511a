// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace report [SECTIONS] [--top N] [--json] FILE: what a trace file
 * holds, and the questions Go's trace tool answers (tools/analysis).
 * ctrace report --events [--wall] [--tid LIST | --per-thread] FILE: one
 * line per event.
 *
 * With no section named, the summary and then every analysis; naming
 * sections (--threads, --latency, --regions, --tasks, --wakeups, --cpus)
 * prints only those; --region NAME lists a region's slowest instances and
 * --task ID tells one task's story across threads.  --json prints the
 * analyses as one JSON object.  The summary and event lines come from
 * the trace library (text.c), which also says on stderr where a
 * truncated or corrupt file stops.  --tid keeps the events of some threads
 * (theirs, and the scheduler's about them); --per-thread prints that for
 * each thread that wrote user events, one after another.  A truncated file
 * (ctrace-dump killed) still reports what it holds and exits 0; a file
 * that cannot be opened or has a corrupt chunk or record exits 1, after
 * printing all that decoded.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cliopt.h"
#include "cmds.h"
#include "progress.h"
#include "report.h"
#include "tracefile.h"
#include "analysis.h"

#define MAX_TIDS 4096

#define PROG "ctrace report"
/* --window's bound: a year of seconds, far from a u64 of ns. */
#define WINDOW_MAX_NS	(8760 * 3600000000000ull)

/* The threads that wrote user events, in order of their first. */
static int user_threads(struct ctrace_trace *t, uint32_t *tids, size_t *n)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	int r;

	if (ctrace_cursor_new(t, &c))
		return -ENOMEM;
	while ((r = ctrace_cursor_next(c, &ev)) > 0) {
		struct ctrace_urec h;
		size_t i;

		if (ev.kind != CTRACE_RING_USER || ev.type == CTRACE_FREC_CORRUPT)
			continue;
		memcpy(&h, ev.rec, sizeof(h));
		for (i = 0; i < *n && tids[i] != h.tid; i++)
			;
		if (i == *n && *n < MAX_TIDS && h.tid)
			tids[(*n)++] = h.tid;
	}
	ctrace_cursor_free(c);
	return 0;
}

static int per_thread(struct ctrace_trace *t, unsigned int flags)
{
	uint32_t *tids = calloc(MAX_TIDS, sizeof(*tids));
	size_t n = 0;
	int r = 0;

	if (!tids || user_threads(t, tids, &n)) {
		free(tids);
		fprintf(stderr, "ctrace report: out of memory\n");
		return -ENOMEM;
	}
	if (!n)
		printf("no thread wrote user events\n");
	for (size_t i = 0; i < n && !r; i++) {
		printf("%s== thread %u\n", i ? "\n" : "", tids[i]);
		fflush(stdout);
		r = ctrace_print_thread_events(t, stdout, stderr, flags, &tids[i], 1);
	}
	free(tids);
	return r;
}

static const char usage_line[] =
	"usage: ctrace report [--threads] [--latency] [--regions] [--region NAME]\n"
	"                     [--tasks] [--task ID] [--wakeups] [--cpus] [--syscalls]\n"
	"                     [--all]\n"
	"                     [--window FROM:TO] [--top N] [--json] [-q] FILE\n"
	"       ctrace report --events [--wall] [--tid TID,... | --per-thread] [-q] FILE\n";

static void help(void)
{
	printf("%s\n"
	       "Summarise a trace file: where it was recorded, duration, events\n"
	       "by type, rings, threads, and whether it is complete; then what the\n"
	       "threads did (docs/analysis.md defines every figure):\n"
	       "  --threads      per thread and process: time running, runnable\n"
	       "                 (waiting for a CPU), sleeping, uninterruptible,\n"
	       "                 stopped, unknown; switches, preemptions, wakeups\n"
	       "  --latency      scheduling latency: wakeup -> running, preempted ->\n"
	       "                 running; percentiles, histogram, per thread\n"
	       "  --regions      per region name: count, duration percentiles, and\n"
	       "                 the region's time split by its thread's state\n"
	       "  --region NAME  the slowest instances of region NAME\n"
	       "  --tasks        per task name: count, durations, threads, regions\n"
	       "  --task ID      one task's story across threads, in time order\n"
	       "  --wakeups      who woke whom, the wait that followed, and the\n"
	       "                 waker's open region\n"
	       "  --cpus         busy and idle time per CPU, threads waiting\n"
	       "  --syscalls     per system call: count, durations, time off the\n"
	       "                 CPU, blocking calls, errors; per thread (a file\n"
	       "                 recorded with -e ...,syscall)\n"
	       "  --all          the summary and every analysis (the default when\n"
	       "                 no section is named)\n"
	       "  --window FROM:TO  only that part of the trace: times from its\n"
	       "                 first event, as 1.5:3 (seconds) or 200ms:1s\n"
	       "                 (intervals are clipped to it)\n"
	       "  --top N        rows per table, 0 to 1000000 (default 10; 0: all)\n"
	       "  --json         the analyses as one JSON object (ns), for scripts\n"
	       "  -q, --quiet    no progress line on a terminal (--events never\n"
	       "                 shows one when its lines go to a terminal)\n"
	       "--events prints one line per event instead (docs/file-format.md);\n"
	       "--wall stamps them with the UTC time of day instead of\n"
	       "CLOCK_MONOTONIC seconds; --tid keeps the events of those threads\n"
	       "(theirs, and the scheduler's about them); --per-thread does that\n"
	       "for each thread that wrote user events, one after another.\n"
	       "Exit status 1 if the file cannot be opened or is corrupt, 2 for\n"
	       "bad options (a value out of range is refused with the range).\n",
	       usage_line);
}

/* The CLOCK_MONOTONIC ns of the trace's first event, 0 if none. */
static uint64_t first_ns(struct ctrace_trace *t)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	uint64_t ns = 0;

	if (ctrace_cursor_new(t, &c))
		return 0;
	if (ctrace_cursor_next(c, &ev) > 0)
		ns = ev.ns;
	ctrace_cursor_free(c);
	return ns;
}

/* "FROM:TO", times from the first event (a bare number is seconds),
 * into ns. */
static int parse_window(const char *s, uint64_t *from, uint64_t *to)
{
	const char *colon = strchr(s, ':');
	char lo[32], hi[32];

	if (colon && colon - s < (ptrdiff_t)sizeof(lo)) {
		memcpy(lo, s, colon - s);
		lo[colon - s] = '\0';
		if (!cli_time_value(lo, from) && !cli_time_value(colon + 1, to) &&
		    *from < *to && *to <= WINDOW_MAX_NS)
			return 0;
	}
	fprintf(stderr, PROG ": bad --window '%s': FROM:TO, times from the first event from 0 to %s (a bare number is seconds), FROM < TO\n",
		s, cli_fmt_time(WINDOW_MAX_NS, hi, sizeof(hi)));
	return -1;
}

static int analyse(struct ctrace_trace *t, struct ctrace_report_opts *o,
		   bool summary, bool json)
{
	struct ctrace_report *rep;
	int r = 0, rr;

	if (summary) {
		r = ctrace_print_summary(t, stdout, stderr);
		fflush(stdout);
	}
	if (o->has_task && !json) {
		printf("%sTask %llu: its story, in time order (ms from the start)\n",
		       summary ? "\n" : "", (unsigned long long)o->task);
		o->story = stdout;
	}
	rep = NULL;
	rr = ctrace_report_run(t, o, &rep, stderr);
	if (!rep)
		return rr;
	if (json)
		ctrace_report_json(rep, stdout);
	else
		ctrace_report_text(rep, stdout);
	ctrace_report_free(rep);
	/* A corrupt record: the pass said where on stderr. */
	return r ? r : rr;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", no_argument, NULL, 'e' },
		{ "wall", no_argument, NULL, 'w' },
		{ "tid", required_argument, NULL, 't' },
		{ "per-thread", no_argument, NULL, 'T' },
		{ "threads", no_argument, NULL, 1 },
		{ "latency", no_argument, NULL, 2 },
		{ "regions", no_argument, NULL, 3 },
		{ "region", required_argument, NULL, 4 },
		{ "tasks", no_argument, NULL, 5 },
		{ "task", required_argument, NULL, 6 },
		{ "wakeups", no_argument, NULL, 7 },
		{ "cpus", no_argument, NULL, 8 },
		{ "all", no_argument, NULL, 9 },
		{ "syscalls", no_argument, NULL, 13 },
		{ "top", required_argument, NULL, 10 },
		{ "json", no_argument, NULL, 11 },
		{ "window", required_argument, NULL, 12 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static uint32_t tids[MAX_TIDS];
	struct ctrace_report_opts ro = { .top = 10 };
	struct ctrace_trace *t;
	char err[512];
	int events = 0, wall = 0, each = 0, c, r;
	bool all = false, json = false, named = false, window = false, quiet = false;
	uint64_t from = 0, to = 0, v;
	unsigned int flags, nr_tids = 0;

	while ((c = getopt_long(argc, argv, "ewqh", opts, NULL)) != -1) {
		switch (c) {
		case 1: ro.sections |= CTRACE_RS_THREADS; named = true; break;
		case 2: ro.sections |= CTRACE_RS_LATENCY; named = true; break;
		case 3: ro.sections |= CTRACE_RS_REGIONS; named = true; break;
		case 4: ro.region = optarg; named = true; break;
		case 5: ro.sections |= CTRACE_RS_TASKS; named = true; break;
		case 6:
			if (cli_u64(PROG, "--task", optarg, 1, UINT64_MAX, &ro.task))
				return 2;
			ro.has_task = true;
			named = true;
			break;
		case 7: ro.sections |= CTRACE_RS_WAKEUPS; named = true; break;
		case 13: ro.sections |= CTRACE_RS_SYSCALLS; named = true; break;
		case 8: ro.sections |= CTRACE_RS_CPUS; named = true; break;
		case 9: all = true; break;
		case 10:
			if (cli_u64(PROG, "--top", optarg, 0, 1000000, &v))
				return 2;
			ro.top = (unsigned int)v;
			break;
		case 11: json = true; break;
		case 12:
			if (parse_window(optarg, &from, &to))
				return 2;
			window = true;
			break;
		case 'e':
			events = 1;
			break;
		case 'w':
			wall = 1;
			break;
		case 't':
			if (cli_pids(PROG, "--tid", optarg, tids, MAX_TIDS, &nr_tids))
				return 2;
			break;
		case 'T':
			each = 1;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help();
			return 0;
		default:
			fputs(usage_line, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || ((nr_tids || each) && !events) || (nr_tids && each) ||
	    (events && (named || all || json))) {
		fputs(usage_line, stderr);
		return 2;
	}
	if (all || (!named && !events))
		ro.sections = CTRACE_RS_ALL;

	/* Lines printed during the pass would be torn by the line. */
	progress_begin(PROG, quiet || ((events || each) && isatty(STDOUT_FILENO)));
	r = ctrace_trace_open(argv[optind], &t, err, sizeof(err));
	if (r) {
		progress_end();
		fprintf(stderr, "ctrace report: %s: %s\n", argv[optind], err);
		return 1;
	}
	flags = wall ? CTRACE_PRINT_WALL : 0;
	if (window) {
		uint64_t base = first_ns(t);

		ro.from_ns = base + from;
		ro.to_ns = base + to;
	}
	if (each)
		r = per_thread(t, flags);
	else if (events)
		r = ctrace_print_thread_events(t, stdout, stderr, flags,
					       nr_tids ? tids : NULL, nr_tids);
	else
		r = analyse(t, &ro, !json && (all || !named), json);
	progress_end();
	ctrace_trace_close(t);
	return r ? 1 : 0;
}
