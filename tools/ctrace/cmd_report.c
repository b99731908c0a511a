// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace report [--events] FILE: what a trace file holds.
 *
 * The summary by default, one line per event with --events; both come
 * from the trace library (text.c), which also says on stderr where a
 * truncated or corrupt file stops.  A truncated file (ctrace-dump killed)
 * still reports what it holds and exits 0; a file that cannot be opened or
 * has a corrupt chunk or record exits 1, after printing all that decoded.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmds.h"
#include "tracefile.h"

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", no_argument, NULL, 'e' },
		{ "wall", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctrace_trace *t;
	char err[512];
	int events = 0, wall = 0, c, r;

	while ((c = getopt_long(argc, argv, "ewh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			events = 1;
			break;
		case 'w':
			wall = 1;
			break;
		case 'h':
			printf("usage: ctrace report [--events [--wall]] FILE\n"
			       "Summarise a trace file: where it was recorded, duration, events\n"
			       "by type, rings, threads, and whether it is complete.\n"
			       "--events prints one line per event instead (docs/file-format.md);\n"
			       "--wall stamps them with the UTC time of day instead of\n"
			       "CLOCK_MONOTONIC seconds.\n"
			       "Exit status 1 if the file cannot be opened or is corrupt.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: ctrace report [--events] FILE\n");
		return 2;
	}

	r = ctrace_trace_open(argv[optind], &t, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ctrace report: %s: %s\n", argv[optind], err);
		return 1;
	}
	if (events)
		r = ctrace_print_events_flags(t, stdout, stderr,
					      wall ? CTRACE_PRINT_WALL : 0);
	else
		r = ctrace_print_summary(t, stdout, stderr);
	ctrace_trace_close(t);
	return r ? 1 : 0;
}
