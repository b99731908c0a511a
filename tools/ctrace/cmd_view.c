// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace view [-o FILE.html] FILE: a timeline of the trace in a browser,
 * as one self-contained HTML file (tools/view); opened with the desktop's
 * browser when there is a desktop, else its path is printed.
 * ctrace view --serve [ADDR:]PORT FILE: the same page served from an
 * index on disk, for traces too big to embed (loopback unless
 * --allow-remote).  docs/view.md describes both.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cliopt.h"
#include "cmds.h"
#include "progress.h"
#include "tracefile.h"
#include "view.h"

static int usage(FILE *f)
{
	fprintf(f,
		"usage: ctrace view [-o OUT.html] [--no-open] [-q] FILE\n"
		"       ctrace view --serve [ADDR:]PORT [--allow-remote] [--no-open] [-q] FILE\n\n"
		"A timeline of trace FILE for a browser: CPUs, threads' states and regions,\n"
		"logs, counters, tasks, wakeups and flows, with the report's tables beside it.\n\n"
		"  -o, --output OUT   the page (default: FILE with .html for .trace), one\n"
		"                     self-contained file that needs no network\n"
		"      --serve [ADDR:]PORT  serve the page instead, answering its queries\n"
		"                     for windows from an index (for traces too big to\n"
		"                     embed); ADDR defaults to 127.0.0.1, PORT 0 picks one\n"
		"      --allow-remote serve on an address that is not loopback\n"
		"      --max-size SIZE refuse to embed more (default 512M; 64K to 64G); use --serve\n"
		"      --no-open      do not start a browser\n"
		"  -q, --quiet        no progress line on a terminal\n");
	return f == stderr ? 2 : 0;
}

/* The desktop's browser, when there is a desktop; detached. */
static bool open_browser(const char *target)
{
	pid_t pid;

	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		return false;
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setsid();
		execlp("xdg-open", "xdg-open", target, (char *)NULL);
		_exit(127);
	}
	return pid > 0;
}

static char *default_out(const char *in)
{
	size_t n = strlen(in);
	char *p;

	if (n > 6 && !strcmp(in + n - 6, ".trace"))
		n -= 6;
	p = malloc(n + 6);
	if (p) {
		memcpy(p, in, n);
		strcpy(p + n, ".html");
	}
	return p;
}


/* "[ADDR:]PORT", ADDR possibly "[v6]". */
static int parse_listen(char *s, const char **addr, uint16_t *port)
{
	char *colon = strrchr(s, ':');
	uint64_t v;

	*addr = NULL;
	if (colon) {
		*colon = 0;
		*addr = s;
		if (s[0] == '[' && colon > s + 1 && colon[-1] == ']') {
			colon[-1] = 0;
			(*addr)++;
		}
		s = colon + 1;
	}
	if (cli_digits(s, &v) || v > 65535 || (*addr && !**addr))
		return -1;
	*port = (uint16_t)v;
	return 0;
}

struct ready_arg {
	bool open;
};

static void ready(const char *url, void *arg)
{
	struct ready_arg *r = arg;

	printf("ctrace view: serving %s (Ctrl-C stops)\n", url);
	fflush(stdout);
	if (r->open)
		open_browser(url);
}

int cmd_view(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "serve", required_argument, NULL, 's' },
		{ "allow-remote", no_argument, NULL, 'r' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "no-open", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct view_serve_opts so = { .log = stderr };
	const char *out = NULL, *in;
	char *made = NULL, *report, err[512], shown[256];
	struct ready_arg ra = { .open = true };
	uint64_t max = 512ull << 20;
	struct ctrace_trace *t;
	struct view_index *x;
	bool serve = false, quiet = false;
	size_t report_len = 0;
	int c, r = 0;
	FILE *f;

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			snprintf(shown, sizeof(shown), "%s", optarg);
			if (parse_listen(optarg, &so.addr, &so.port)) {
				fprintf(stderr, "ctrace view: bad --serve '%s': [ADDR:]PORT, PORT from 0 (any free one) to 65535\n",
					shown);
				return 2;
			}
			serve = true;
			break;
		case 'r':
			so.allow_remote = true;
			break;
		case 'm':
			if (cli_size("ctrace view", "--max-size", optarg, 64ull << 10,
				     64ull << 30, false, &max))
				return 2;
			break;
		case 'n':
			ra.open = false;
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
	if (optind != argc - 1 || (serve && out))
		return usage(stderr);
	in = argv[optind];
	if (serve && so.addr && !view_addr_loopback(so.addr) && !so.allow_remote) {
		fprintf(stderr, "ctrace view: %s is not a loopback address: anyone who can "
			"reach it could read the trace; add --allow-remote to serve it there\n",
			so.addr);
		return 2;
	}
	progress_begin("ctrace view", quiet);
	if (ctrace_trace_open(in, &t, err, sizeof(err))) {
		progress_end();
		fprintf(stderr, "ctrace view: %s: %s\n", in, err);
		return 1;
	}
	if (view_build(t, NULL, &x, stderr)) {
		progress_end();
		ctrace_trace_close(t);
		return 1;
	}
	if (x->problem[0])
		fprintf(stderr, "ctrace view: %s: %s; showing what decoded before it\n",
			in, x->problem);
	report = view_report_json(t, 0, 0, &report_len);
	/* The server's queries read the index, not the file: no line. */
	progress_end();
	if (serve) {
		so.ready = ready;
		so.arg = &ra;
		r = view_serve(t, x, report, report_len, &so) ? 1 : 0;
		goto done;
	}
	if (x->index_bytes > max) {
		fprintf(stderr, "ctrace view: %s: %llu MB of data is too much to embed in a "
			"page (--max-size); use --serve\n", in,
			(unsigned long long)(x->index_bytes >> 20));
		r = 1;
		goto done;
	}
	if (!out)
		out = made = default_out(in);
	f = out ? fopen(out, "w") : NULL;
	if (!f) {
		fprintf(stderr, "ctrace view: %s: %s\n", out ? out : in, strerror(errno));
		r = 1;
		goto done;
	}
	r = view_write_html(x, report, report_len, f);
	if (fclose(f) || r) {
		fprintf(stderr, "ctrace view: %s: cannot write it\n", out);
		r = 1;
		goto done;
	}
	if (!(ra.open && open_browser(out)))
		printf("%s\n", out);
	/* A corrupt trace: written, but the exit says so. */
	r = x->corrupt ? 1 : 0;
done:
	free(report);
	free(made);
	view_index_free(x);
	ctrace_trace_close(t);
	return r;
}
