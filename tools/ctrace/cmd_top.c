// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace top [-d SECONDS] [-n FRAMES] [--batch] (--pid PID | --all | -- cmd...)
 *
 * A live view, refreshed every second, as perf top is, and as the live
 * endpoint Go programs expose: per-thread state times, scheduling
 * latency (p50, p99, max), the busiest regions with their rate and p99,
 * and losses, over the last interval.
 *
 * ctrace-dump records into a file of its own (under $TMPDIR, removed at
 * the end); each frame opens what it holds so far (a file being written
 * decodes up to its last whole chunk) and runs the report's analyses
 * (tools/analysis) over the last interval, 200 ms behind now, which is
 * how far behind the recorder's drains may be.  The file grows for as long
 * as top runs: it costs what a recording of that length does (disk, not
 * memory).  Plain ANSI: it fits an 80x24 terminal; q quits.  --batch
 * prints frames one after another with no terminal control (scripts,
 * tests); -n stops after that many.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "cliopt.h"
#include "cmds.h"
#include "report.h"
#include "tracefile.h"

#define BEHIND_NS	200000000ull	/* the recorder drains at least this often */

struct top {
	double interval;
	long frames;
	bool batch;
	char path[PATH_MAX];
	pid_t dump;
	unsigned int rows, cols;
	uint64_t start_ns;
	FILE *quiet;		/* the report's complaints: not on the screen */
};

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static int usage(FILE *f)
{
	fprintf(f,
		"usage: ctrace top [-d SECONDS] [-n FRAMES] [--batch] (--pid PID | --all | -- command [args...])\n"
		"\n"
		"A live view of the traced threads, refreshed every SECONDS (default 1):\n"
		"their states, scheduling latency, the busiest regions and losses.\n"
		"q quits.  -d takes 200ms to 1h (a bare number is seconds), -n 1 to\n"
		"1000000000.  Exit status: with a command that ends by itself, its own\n"
		"(as ctrace-dump's: 127 not found, 126 cannot run); else 0, 1 if the\n"
		"recording failed, 2 for bad options.\n");
	return f == stderr ? 2 : 0;
}

/* ctrace-dump, from the directory this binary lives in, or from PATH. */
static pid_t start_dump(const char *out, char **target)
{
	char self[PATH_MAX], dump[PATH_MAX + 16], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *argv[64];
	int a = 0;
	pid_t pid;

	argv[a++] = "ctrace-dump";
	argv[a++] = "-q";
	argv[a++] = "-o";
	argv[a++] = (char *)out;
	for (char **t = target; *t && a < 62; t++)
		argv[a++] = *t;
	argv[a] = NULL;
	pid = fork();
	if (pid)
		return pid;
	/* The command's output would scribble over the screen. */
	if (!freopen("/dev/null", "w", stdout))
		_exit(127);
	setpgid(0, 0);	/* our terminal's ^C is ours to handle */
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dump, sizeof(dump), "%s/ctrace-dump", self);
			execv(dump, argv);
		}
	}
	execvp("ctrace-dump", argv);
	_exit(127);
}

static int by_busy(const void *a, const void *b)
{
	const struct ctrace_report_thread *x = a, *y = b;
	uint64_t bx = x->state_ns[CTRACE_STATE_RUNNING] + x->state_ns[CTRACE_STATE_RUNNABLE];
	uint64_t by = y->state_ns[CTRACE_STATE_RUNNING] + y->state_ns[CTRACE_STATE_RUNNABLE];

	return bx < by ? 1 : bx > by ? -1 : (x->tid > y->tid) - (x->tid < y->tid);
}

static int by_count(const void *a, const void *b)
{
	const struct ctrace_report_region *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->name, y->name);
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

/* One frame: what the last interval held. */
static void frame(struct top *tp, FILE *f)
{
	uint64_t to = mono_ns() - BEHIND_NS, from = to - (uint64_t)(tp->interval * 1e9);
	struct ctrace_report_opts o = {
		.sections = CTRACE_RS_ALL, .from_ns = from, .to_ns = to,
	};
	unsigned int lines = 0, max_threads, max_regions;
	struct ctrace_report *r = NULL;
	struct ctrace_trace *t;
	char err[256];
	double span = tp->interval;
	int rc;

	if (!tp->batch)
		fputs("\033[H\033[2J", f);
	fprintf(f, "ctrace top: last %.1f s, %.1f s behind; %.0f s recorded  (q quits)\n",
		span, BEHIND_NS / 1e9, (mono_ns() - tp->start_ns) / 1e9);
	lines++;
	rc = ctrace_trace_open(tp->path, &t, err, sizeof(err));
	if (rc) {
		/* Before ctrace-dump has made the file, there is just nothing. */
		if (rc == -ENOENT)
			fprintf(f, "  (nothing recorded yet)\n");
		else
			fprintf(f, "  (nothing to show yet: %s)\n", err);
		fflush(f);
		return;
	}
	if (ctrace_report_run(t, &o, &r, tp->quiet) && !r) {
		fprintf(f, "  (nothing to show yet)\n");
		fflush(f);
		ctrace_trace_close(t);
		return;
	}
	fprintf(f, "events %llu, lost %llu (%llu); wakeup->run ms: p50 %.3f p99 %.3f max %.3f\n",
		(unsigned long long)r->events, (unsigned long long)r->lost_events,
		(unsigned long long)r->losses,
		ms(ctrace_hist_percentile(&r->wake_latency, 50)),
		ms(ctrace_hist_percentile(&r->wake_latency, 99)),
		ms(r->wake_latency.count ? r->wake_latency.max : 0));
	lines++;
	/* 24 rows: the two above, two headers, a gap, regions take 6. */
	max_regions = 5;
	max_threads = tp->rows > lines + max_regions + 5 ? tp->rows - lines - max_regions - 5 : 3;
	if (r->nr_threads)
		qsort(r->threads, r->nr_threads, sizeof(*r->threads), by_busy);
	fprintf(f, "\n%7s %-15s %8s %8s %8s %8s %6s %9s\n", "tid", "thread", "run ms", "wait ms",
		"sleep ms", "D ms", "switch", "lat p99");
	for (size_t i = 0; i < r->nr_threads && i < max_threads; i++) {
		const struct ctrace_report_thread *th = &r->threads[i];

		fprintf(f, "%7u %-15.15s %8.1f %8.1f %8.1f %8.1f %6llu %9.3f\n", th->tid, th->comm,
			ms(th->state_ns[CTRACE_STATE_RUNNING]), ms(th->state_ns[CTRACE_STATE_RUNNABLE]),
			ms(th->state_ns[CTRACE_STATE_SLEEPING]), ms(th->state_ns[CTRACE_STATE_BLOCKED]),
			(unsigned long long)th->switches,
			ms(ctrace_hist_percentile(&th->wake_latency, 99)));
	}
	if (!r->nr_threads)
		fprintf(f, "  (no scheduler events%s)\n", r->events ? ": user events only" : "");
	if (r->nr_threads > max_threads)
		fprintf(f, "%7s (%zu more)\n", "", r->nr_threads - max_threads);
	if (r->nr_regions)
		qsort(r->regions, r->nr_regions, sizeof(*r->regions), by_count);
	fprintf(f, "\n%-24s %9s %10s %10s %10s\n", "region", "per s", "p50 ms", "p99 ms", "max ms");
	for (size_t i = 0; i < r->nr_regions && i < max_regions; i++) {
		const struct ctrace_report_region *g = &r->regions[i];

		fprintf(f, "%-24.24s %9.1f %10.3f %10.3f %10.3f\n", g->name, g->count / span,
			ms(ctrace_hist_percentile(&g->duration, 50)),
			ms(ctrace_hist_percentile(&g->duration, 99)),
			ms(g->count ? g->duration.max : 0));
	}
	if (!r->nr_regions)
		fprintf(f, "  (no region ended in the interval)\n");
	fflush(f);
	ctrace_report_free(r);
	ctrace_trace_close(t);
}

int cmd_top(int argc, char **argv)
{
	enum { OPT_BATCH = 256 };
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "frames", required_argument, NULL, 'n' },
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "batch", no_argument, NULL, OPT_BATCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top tp = { .interval = 1, .rows = 24, .cols = 80 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios saved, raw;
	bool tty = false;
	char *target[64];
	const char *tmp = getenv("TMPDIR");
	int c, nt = 0, st = 0;
	bool by_itself = false;
	struct winsize ws;
	uint32_t pids[CTRACE_MAX_TARGET_PIDS];
	unsigned int np = 0;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "+d:n:p:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_time("ctrace top", "--delay", optarg, 200000000ull,
				     3600000000000ull, &v))
				return 2;
			tp.interval = v / 1e9;
			break;
		case 'n':
			if (cli_u64("ctrace top", "--frames", optarg, 1, 1000000000, &v))
				return 2;
			tp.frames = (long)v;
			break;
		case 'p':
			/* Checked here, as ctrace-dump would: a usage error is ours. */
			if (cli_pids("ctrace top", "--pid", optarg, pids, CTRACE_MAX_TARGET_PIDS, &np))
				return 2;
			if (nt > 60)
				return usage(stderr);
			target[nt++] = "--pid";
			target[nt++] = optarg;
			break;
		case 'a':
			target[nt++] = "--all";
			break;
		case OPT_BATCH:
			tp.batch = true;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind < argc) {
		target[nt++] = "--";
		for (int i = optind; i < argc && nt < 62; i++)
			target[nt++] = argv[i];
	}
	if (!nt || nt > 62)
		return usage(stderr);
	target[nt] = NULL;
	snprintf(tp.path, sizeof(tp.path), "%s/ctrace-top-%d.trace", tmp && *tmp ? tmp : "/tmp",
		 getpid());
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	tp.quiet = fopen("/dev/null", "w");
	if (!tp.quiet)
		return 1;
	tp.start_ns = mono_ns();
	tp.dump = start_dump(tp.path, target);
	if (tp.dump < 0) {
		fprintf(stderr, "ctrace top: cannot start ctrace-dump: %s\n", strerror(errno));
		return 1;
	}
	if (!tp.batch && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		tty = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	if (!tp.batch && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row >= 10) {
		tp.rows = ws.ws_row;
		tp.cols = ws.ws_col;
	}
	for (long n = 0; !quit; ) {
		struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
		uint64_t next = mono_ns() + (uint64_t)(tp.interval * 1e9);
		bool ended = waitpid(tp.dump, &st, WNOHANG) == tp.dump;

		frame(&tp, stdout);
		if (ended) {
			tp.dump = 0;
			by_itself = true;
			break;
		}
		if (tp.frames && ++n >= tp.frames)
			break;
		while (!quit && mono_ns() < next) {
			int left = (int)((next - mono_ns()) / 1000000) + 1;

			if (poll(&in, tty ? 1 : 0, left) > 0) {
				char ch = 0;

				if (read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
					quit = 1;
			}
		}
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (tp.dump > 0) {
		kill(tp.dump, SIGINT);
		waitpid(tp.dump, &st, 0);
	}
	unlink(tp.path);
	fclose(tp.quiet);
	/* A command that ended by itself: its status, as ctrace-dump gives
	 * it (126 or 127 if it could not run; ctrace-dump's own 1 or 2
	 * after its message).  Stopped by us (q, -n, a signal): 0. */
	if (by_itself && optind < argc)
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) && !quit) {
		fprintf(stderr, "ctrace top: ctrace-dump failed (exit %d)\n", WEXITSTATUS(st));
		return 1;
	}
	return 0;
}
