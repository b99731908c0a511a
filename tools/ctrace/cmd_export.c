// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace export [--format perfetto|json] [-o OUT] FILE...: a trace file in
 * a format existing viewers open (tools/export).
 *
 * Perfetto's protobuf is the default; several files (recordings from
 * several hosts) merge into one Perfetto trace, a machine each.  JSON
 * takes one file.  OUT defaults to FILE with its extension replaced
 * (.perfetto-trace, .json); "-" is standard output.  A file that is
 * truncated or corrupt exports what it holds and exits 1.  JSON past
 * --max-size goes on in OUT-2.json, ... (to standard output: stops).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cliopt.h"
#include "cmds.h"
#include "export.h"
#include "progress.h"
#include "tracefile.h"

#define MAX_FILES 64

static int usage(FILE *f)
{
	fprintf(f,
		"usage: ctrace export [--format perfetto|json] [-o OUT] [-q] FILE...\n\n"
		"Write trace FILEs in a format existing viewers open.\n\n"
		"  -f, --format FORMAT   perfetto (default: Perfetto's protobuf, for\n"
		"                        ui.perfetto.dev and trace_processor) or json\n"
		"                        (Chrome's Trace Event Format, for the Catapult\n"
		"                        viewer: chrome://tracing)\n"
		"  -o, --output OUT      output file (default: FILE with the extension\n"
		"                        .perfetto-trace or .json); - for stdout\n"
		"      --max-size SIZE   json: no file larger (default 256M: what a\n"
		"                        browser tab can load; 64K to 1T)\n"
		"  -q, --quiet           no progress line on a terminal\n\n"
		"Several FILEs (perfetto only) merge into one trace, one machine per\n"
		"file, aligned by their wall clocks.\n\n"
		"JSON larger than --max-size is split on time into OUT, OUT-2.json,\n"
		"OUT-3.json, ... (a .json ending of OUT taken off), each a complete\n"
		"trace with its own names; to stdout it stops at the limit instead,\n"
		"with valid JSON, and exits 1.\n");
	return f == stderr ? 2 : 0;
}


/* FILE.trace -> FILE.EXT; anything else gets .EXT appended. */
static char *default_out(const char *in, const char *ext)
{
	size_t n = strlen(in);
	char *p;

	if (n > 6 && !strcmp(in + n - 6, ".trace"))
		n -= 6;
	p = malloc(n + strlen(ext) + 1);
	if (p) {
		memcpy(p, in, n);
		strcpy(p + n, ext);
	}
	return p;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctrace_trace *traces[MAX_FILES] = { NULL };
	struct ctrace_export_opts eo = { .err = stderr };
	const char *format = "perfetto", *out = NULL;
	const char *names[MAX_FILES];
	char *made = NULL, err[512];
	bool json, quiet = false;
	int c, n, r = 0;

	while ((c = getopt_long(argc, argv, "f:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'm':
			if (cli_size("ctrace export", "--max-size", optarg, 64ull << 10,
				     1ull << 40, false, &eo.max_bytes))
				return 2;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	n = argc - optind;
	json = !strcmp(format, "json");
	if (!json && strcmp(format, "perfetto")) {
		fprintf(stderr, "ctrace export: unknown format '%s' (perfetto or json)\n", format);
		return 2;
	}
	if (n < 1 || n > MAX_FILES || (json && n != 1)) {
		if (json && n > 1)
			fprintf(stderr, "ctrace export: json takes one file; perfetto merges several\n");
		return usage(stderr);
	}
	/* Written during the pass: to a terminal, the line would tear it. */
	progress_begin("ctrace export", quiet || (out && !strcmp(out, "-") && isatty(STDOUT_FILENO)));
	for (int i = 0; i < n; i++) {
		names[i] = argv[optind + i];
		if (ctrace_trace_open(names[i], &traces[i], err, sizeof(err))) {
			fprintf(stderr, "ctrace export: %s\n", err);
			r = 1;
			goto out;
		}
	}
	if (!out)
		out = made = default_out(names[0], json ? ".json" : ".perfetto-trace");
	if (!out) {
		fprintf(stderr, "ctrace export: out of memory\n");
		r = 1;
		goto out;
	}
	eo.out = strcmp(out, "-") ? fopen(out, "w") : stdout;
	if (!eo.out) {
		fprintf(stderr, "ctrace export: %s: %s\n", out, strerror(errno));
		r = 1;
		goto out;
	}
	/* Parts of a split JSON are named after the file. */
	eo.path = eo.out != stdout ? out : NULL;
	if (json)
		r = ctrace_export_json(traces[0], &eo) ? 1 : 0;
	else
		r = ctrace_export_perfetto(traces, names, n, &eo) ? 1 : 0;
	if (eo.out != stdout ? fclose(eo.out) : fflush(eo.out)) {
		fprintf(stderr, "ctrace export: %s: %s\n", out, strerror(errno));
		r = 1;
	}
out:
	progress_end();
	for (int i = 0; i < n; i++)
		ctrace_trace_close(traces[i]);
	free(made);
	return r;
}
