// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace report [--events [--wall] [--tid LIST | --per-thread]] FILE:
 * what a trace file holds.
 *
 * The summary by default, one line per event with --events; both come
 * from the trace library (text.c), which also says on stderr where a
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

#include "cmds.h"
#include "tracefile.h"

#define MAX_TIDS 4096

static int parse_tids(char *s, uint32_t *tids, size_t *n)
{
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);

		if (*end || end == tok || !v || v > 0x7fffffff || *n == MAX_TIDS)
			return -1;
		tids[(*n)++] = v;
	}
	return *n ? 0 : -1;
}

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

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", no_argument, NULL, 'e' },
		{ "wall", no_argument, NULL, 'w' },
		{ "tid", required_argument, NULL, 't' },
		{ "per-thread", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static uint32_t tids[MAX_TIDS];
	struct ctrace_trace *t;
	char err[512];
	int events = 0, wall = 0, each = 0, c, r;
	unsigned int flags;
	size_t nr_tids = 0;

	while ((c = getopt_long(argc, argv, "ewh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			events = 1;
			break;
		case 'w':
			wall = 1;
			break;
		case 't':
			if (parse_tids(optarg, tids, &nr_tids)) {
				fprintf(stderr, "ctrace report: bad thread list '%s'\n", optarg);
				return 2;
			}
			break;
		case 'T':
			each = 1;
			break;
		case 'h':
			printf("usage: ctrace report [--events [--wall] [--tid TID,... | --per-thread]] FILE\n"
			       "Summarise a trace file: where it was recorded, duration, events\n"
			       "by type, rings, threads, and whether it is complete.\n"
			       "--events prints one line per event instead (docs/file-format.md);\n"
			       "--wall stamps them with the UTC time of day instead of\n"
			       "CLOCK_MONOTONIC seconds; --tid keeps the events of those threads\n"
			       "(theirs, and the scheduler's about them); --per-thread does that\n"
			       "for each thread that wrote user events, one after another.\n"
			       "Exit status 1 if the file cannot be opened or is corrupt.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || ((nr_tids || each) && !events) || (nr_tids && each)) {
		fprintf(stderr, "usage: ctrace report [--events [--wall] [--tid TID,... | --per-thread]] FILE\n");
		return 2;
	}

	r = ctrace_trace_open(argv[optind], &t, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ctrace report: %s: %s\n", argv[optind], err);
		return 1;
	}
	flags = wall ? CTRACE_PRINT_WALL : 0;
	if (each)
		r = per_thread(t, flags);
	else if (events)
		r = ctrace_print_thread_events(t, stdout, stderr, flags,
					       nr_tids ? tids : NULL, nr_tids);
	else
		r = ctrace_print_summary(t, stdout, stderr);
	ctrace_trace_close(t);
	return r ? 1 : 0;
}
