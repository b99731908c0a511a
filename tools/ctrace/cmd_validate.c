// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace validate FILE: check a trace against the invariants every trace
 * must satisfy (ctrace_validate(): ring sequence and time order, STATS,
 * the scheduler state machine).  Violations go to stdout, one line each;
 * the verdict is the last line.  Exit 0 when valid, 1 when not (or when
 * the file cannot be opened).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cmds.h"
#include "progress.h"
#include "tracefile.h"
#include "analysis.h"

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctrace_validation v;
	struct ctrace_trace *t;
	const char *problem;
	char err[512];
	bool quiet = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("usage: ctrace validate [-q] FILE\n"
			       "Check a trace file: per ring, no sequence gap and no time going\n"
			       "backwards; STATS agree with the file; every scheduler transition\n"
			       "is legal; user regions nest and tasks are not begun twice.\n"
			       "Prints each violation with its file offset.\n"
			       "  -q, --quiet   no progress line on a terminal\n"
			       "Exit status 0 if valid, 1 if not.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: ctrace validate [-q] FILE\n");
		return 2;
	}

	progress_begin("ctrace validate", quiet);
	r = ctrace_trace_open(argv[optind], &t, err, sizeof(err));
	if (r) {
		progress_end();
		fprintf(stderr, "ctrace validate: %s: %s\n", argv[optind], err);
		return 1;
	}
	/* Truncation is not a violation: what decoded is checked. */
	problem = ctrace_trace_problem(t);
	if (problem)
		fprintf(stderr, "ctrace validate: %s: %s\n", argv[optind], problem);
	{
		/* Violations come during the pass. */
		FILE *out = progress_stdout();

		r = ctrace_validate(t, &v, out);
		progress_close_stdout(out);
	}
	progress_end();
	if (r)
		printf("invalid: %u violations in %" PRIu64 " events (%" PRIu64 " lost, %" PRIu64 " switches, %" PRIu64 " wakeups",
		       v.errors, v.events, v.lost, v.switches, v.wakeups);
	else
		printf("valid: %" PRIu64 " events (%" PRIu64 " lost, %" PRIu64 " switches, %" PRIu64 " wakeups",
		       v.events, v.lost, v.switches, v.wakeups);
	/* Only traces with user rings say anything of them. */
	if (ctrace_trace_nr_usets(t))
		printf(", %" PRIu64 " user events, %" PRIu64 " corrupt records for %" PRIu64 " bytes",
		       v.user_events, v.corrupt, v.corrupt_bytes);
	printf(")\n");
	ctrace_trace_close(t);
	return r ? 1 : 0;
}
