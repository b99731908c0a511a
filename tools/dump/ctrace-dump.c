// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace-dump: record a session into a trace file.
 *
 *   ctrace-dump [options] -- command [args...]   trace a command and its
 *                                                children, from its exec
 *   ctrace-dump [options] --pid PID | --cgroup DIR | --all
 *                                                 (with -- command: until
 *                                                 it ends, as perf -a)
 *   ctrace-dump [options] --session ID            read someone's session
 *   ctrace-dump --print FILE                      one line per event
 *
 * The recording itself is tools/recorder's (libctrace's ctrace_start()
 * uses it too); this file is the command line: options, the command it
 * runs, when to stop (SIGINT/SIGTERM, the end of the command, the
 * duration or the size limit; then the command gets SIGTERM if it still
 * runs), progress and the summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "analysis.h"
#include "recorder.h"

static volatile sig_atomic_t stop_signal, child_exited, snapshot_signal;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		child_exited = 1;
	else if (sig == SIGUSR1)
		snapshot_signal = 1;
	else
		stop_signal = sig;
}

/* ctrace-dump's own options and state, around the recorder's. */
struct dump {
	struct recorder r;
	double duration;		/* seconds, 0: until stopped */
	uint64_t size_limit;		/* bytes, 0: none */
	uint64_t flight_max;		/* --flight-max, 0: not given */
	double flight_gap;		/* --flight-gap, < 0: not given */
	bool quiet;
	char **command;
	pid_t child;
	int child_status;
	struct timespec start;
};

static double elapsed(const struct dump *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - d->start.tv_sec) + (now.tv_nsec - d->start.tv_nsec) / 1e9;
}

static int usage(FILE *f)
{
	fprintf(f,
		"usage: ctrace-dump [options] -- command [args...]\n"
		"       ctrace-dump [options] (--pid PID | --cgroup DIR | --all | --session ID)\n"
		"       ctrace-dump [options] (--pid PID | --cgroup DIR | --all) -- command [args...]\n"
		"       ctrace-dump --print FILE\n"
		"\n"
		"Record the scheduler's events for the targets into a trace file.\n"
		"\n"
		"  -o, --output FILE        trace file (default: ctrace.trace); - streams\n"
		"                           it to standard output (the command's own\n"
		"                           output then goes to standard error)\n"
		"  -d, --duration SECONDS   stop after this long\n"
		"  -s, --size-limit SIZE    stop once the file reaches SIZE (k, M, G)\n"
		"  -p, --pid PID[,PID...]   trace these processes and their children\n"
		"  -G, --cgroup DIR         trace a cgroup v2 (needs CAP_PERFMON)\n"
		"  -a, --all                trace the whole system (needs CAP_PERFMON)\n"
		"  -S, --session ID         read an existing session instead\n"
		"  -b, --buffer-size SIZE   ring bytes per CPU, a power of two (default 1M)\n"
		"  -e, --events LIST        switch,wakeup,task,migrate,user,syscall; all is\n"
		"                           every one but syscall (the default)\n"
		"      --clock CLOCK        auto, tsc or mono (default: auto)\n"
		"      --no-inherit         do not follow children of --pid targets\n"
		"      --print FILE         print FILE's events, one per line\n"
		"      --user-only          no module: the command's user events only\n"
		"                           (the default when ctrace.ko is not loaded)\n"
		"  -q, --quiet              no progress, no summary\n"
		"\n"
		"Flight recorder: keep only the last window in memory, write nothing\n"
		"until a trigger fires, then write the window as FILE-N.trace and go on.\n"
		"Triggers: SIGUSR1, `ctrace snapshot`, ctrace_snapshot() in the traced\n"
		"program, and the command failing (non-zero exit or a signal).\n"
		"\n"
		"      --flight WINDOW      a time (10s, 500ms, 2min) or a size (256M)\n"
		"      --flight-max SIZE    memory bound of a time window (default 256M)\n"
		"      --flight-count N     stop after N snapshots\n"
		"      --flight-gap SECONDS at least this long between snapshots (default 1)\n"
		"      --trigger-region NAME:TIME  also when a region NAME lasts longer than\n"
		"                           TIME (as 100ms)\n"
		"      --trigger-latency TIME  also when a traced thread waits longer than\n"
		"                           TIME to run after a wakeup or a preemption\n"
		"                           (the module detects it)\n");
	return f == stderr ? 2 : 0;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || end == s)
		return -1;
	*out = v;
	return 0;
}

/* A time: ns, us, ms, s, min; a bare number is seconds.  0 or -1. */
static int parse_time(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "min", 60e9 },
	};
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit) && v * units[i].ns <= 86400e9) {
			*ns = (uint64_t)(v * units[i].ns);
			return 0;
		}
	return -1;
}

/* --trigger-region NAME:TIME */
static int parse_region_trigger(char *s, struct flight_opts *f)
{
	char *colon = strrchr(s, ':');

	if (!colon || colon == s)
		return -1;
	*colon = '\0';
	f->region = s;
	return parse_time(colon + 1, &f->region_ns);
}

/* A flight window (ns, us, ms, s, min; a bare number is seconds)
 * or a size (k, M, G). */
static int parse_window(const char *s, struct flight_opts *f)
{
	if (!parse_time(s, &f->window_ns))
		return f->window_ns < 1000000 ? -1 : 0;	/* from 1 ms */
	if (parse_size(s, &f->max_bytes) || f->max_bytes < (1u << 20))
		return -1;
	return 0;
}

static int parse_events(const char *s, uint64_t *out)
{
	static const struct { const char *name; uint64_t bit; } names[] = {
		{ "switch", CTRACE_EV_SWITCH }, { "wakeup", CTRACE_EV_WAKEUP },
		{ "task", CTRACE_EV_TASK }, { "migrate", CTRACE_EV_MIGRATE },
		{ "user", CTRACE_EV_USER }, { "syscall", CTRACE_EV_SYSCALL },
		{ "all", CTRACE_EV_ALL },
	};
	char buf[256], *tok, *save;

	*out = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*out |= names[i].bit;
	}
	return *out ? 0 : -1;
}

static int parse_pids(struct dump *d, const char *s)
{
	char buf[4096], *tok, *save, *end;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v = strtol(tok, &end, 10);

		if (*end || v <= 0 || v > 0x7fffffff ||
		    d->r.opts.nr_pids >= CTRACE_MAX_TARGET_PIDS)
			return -1;
		d->r.pids[d->r.opts.nr_pids++] = v;
	}
	return 0;
}

static int parse_args(struct dump *d, int argc, char **argv, const char **print)
{
	enum { OPT_CLOCK = 256, OPT_NO_INHERIT, OPT_PRINT, OPT_USER_ONLY,
	       OPT_USER_LOCKED, OPT_FLIGHT, OPT_FLIGHT_MAX, OPT_FLIGHT_COUNT,
	       OPT_FLIGHT_GAP, OPT_TRIGGER_REGION, OPT_TRIGGER_LATENCY };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "size-limit", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'G' },
		{ "all", no_argument, NULL, 'a' },
		{ "session", required_argument, NULL, 'S' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "events", required_argument, NULL, 'e' },
		{ "clock", required_argument, NULL, OPT_CLOCK },
		{ "no-inherit", no_argument, NULL, OPT_NO_INHERIT },
		{ "print", required_argument, NULL, OPT_PRINT },
		{ "user-only", no_argument, NULL, OPT_USER_ONLY },
		{ "user-locked", no_argument, NULL, OPT_USER_LOCKED },
		{ "flight", required_argument, NULL, OPT_FLIGHT },
		{ "flight-max", required_argument, NULL, OPT_FLIGHT_MAX },
		{ "flight-count", required_argument, NULL, OPT_FLIGHT_COUNT },
		{ "flight-gap", required_argument, NULL, OPT_FLIGHT_GAP },
		{ "trigger-region", required_argument, NULL, OPT_TRIGGER_REGION },
		{ "trigger-latency", required_argument, NULL, OPT_TRIGGER_LATENCY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, targets = 0;
	uint64_t v;
	char *end;

	while ((c = getopt_long(argc, argv, "+o:d:s:p:G:aS:b:e:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			d->r.output = optarg;
			break;
		case 'd':
			d->duration = strtod(optarg, &end);
			if (*end || d->duration <= 0) {
				fprintf(stderr, "ctrace-dump: bad duration '%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
			if (parse_size(optarg, &d->size_limit) || !d->size_limit) {
				fprintf(stderr, "ctrace-dump: bad size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			if (parse_pids(d, optarg)) {
				fprintf(stderr, "ctrace-dump: bad pid list '%s'\n", optarg);
				return 2;
			}
			if (d->r.opts.target != CTRACE_TARGET_PIDS)
				targets++;
			d->r.opts.target = CTRACE_TARGET_PIDS;
			break;
		case 'G':
			d->r.cgroup = optarg;
			d->r.opts.target = CTRACE_TARGET_CGROUP;
			targets++;
			break;
		case 'a':
			d->r.opts.target = CTRACE_TARGET_ALL;
			targets++;
			break;
		case 'S':
			d->r.attach_id = strtoul(optarg, &end, 10);
			if (*end || !d->r.attach_id) {
				fprintf(stderr, "ctrace-dump: bad session ID '%s'\n", optarg);
				return 2;
			}
			targets++;
			break;
		case 'b':
			if (parse_size(optarg, &v) || v > UINT32_MAX) {
				fprintf(stderr, "ctrace-dump: bad buffer size '%s'\n", optarg);
				return 2;
			}
			d->r.opts.buf_size = v;
			break;
		case 'e':
			if (parse_events(optarg, &d->r.opts.events)) {
				fprintf(stderr, "ctrace-dump: bad event list '%s' (switch, wakeup, task, migrate, user, syscall, all)\n",
					optarg);
				return 2;
			}
			break;
		case OPT_CLOCK:
			if (!strcmp(optarg, "auto"))
				d->r.opts.clock = CTRACE_CLOCK_AUTO;
			else if (!strcmp(optarg, "tsc"))
				d->r.opts.clock = CTRACE_CLOCK_TSC;
			else if (!strcmp(optarg, "mono"))
				d->r.opts.clock = CTRACE_CLOCK_MONO;
			else {
				fprintf(stderr, "ctrace-dump: bad clock '%s' (auto, tsc, mono)\n", optarg);
				return 2;
			}
			break;
		case OPT_NO_INHERIT:
			d->r.opts.flags &= ~CTRACE_SF_INHERIT;
			break;
		case OPT_PRINT:
			*print = optarg;
			break;
		case OPT_USER_ONLY:
			d->r.user_only = true;
			break;
		case OPT_USER_LOCKED:
			d->r.user_locked = true;
			break;
		case OPT_FLIGHT:
			if (parse_window(optarg, &d->r.fopts)) {
				fprintf(stderr, "ctrace-dump: bad flight window '%s' (a time from 1ms, as 10s or 500ms, or a size from 1M, as 256M)\n",
					optarg);
				return 2;
			}
			d->r.fopts.on = true;
			break;
		case OPT_FLIGHT_MAX:
			if (parse_size(optarg, &d->flight_max) || d->flight_max < (1u << 20)) {
				fprintf(stderr, "ctrace-dump: bad --flight-max '%s' (a size from 1M)\n", optarg);
				return 2;
			}
			break;
		case OPT_FLIGHT_COUNT:
			v = strtoull(optarg, &end, 10);
			if (*end || !v || v > UINT32_MAX) {
				fprintf(stderr, "ctrace-dump: bad --flight-count '%s' (1 or more)\n", optarg);
				return 2;
			}
			d->r.fopts.count = v;
			break;
		case OPT_FLIGHT_GAP:
			d->flight_gap = strtod(optarg, &end);
			if (*end || end == optarg || d->flight_gap < 0 || d->flight_gap > 86400) {
				fprintf(stderr, "ctrace-dump: bad --flight-gap '%s' (seconds, 0 to 86400)\n", optarg);
				return 2;
			}
			break;
		case OPT_TRIGGER_REGION:
			if (parse_region_trigger(optarg, &d->r.fopts)) {
				fprintf(stderr, "ctrace-dump: bad --trigger-region (NAME:TIME, as slow:100ms)\n");
				return 2;
			}
			break;
		case OPT_TRIGGER_LATENCY:
			if (parse_time(optarg, &d->r.opts.latency_trigger_ns) ||
			    d->r.opts.latency_trigger_ns < 1000 ||
			    d->r.opts.latency_trigger_ns > 60000000000ull) {
				fprintf(stderr, "ctrace-dump: bad --trigger-latency '%s' (1us to 60s, as 20ms)\n", optarg);
				return 2;
			}
			break;
		case 'q':
			d->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;	/* done, successfully */
		default:
			return usage(stderr);
		}
	}
	if (*print)
		return 0;
	if (!d->r.fopts.on && (d->flight_max || d->r.fopts.count || d->flight_gap >= 0 ||
			       d->r.fopts.region || d->r.opts.latency_trigger_ns)) {
		fprintf(stderr, "ctrace-dump: --flight-max, --flight-count, --flight-gap and the --trigger-* options go with --flight\n");
		return 2;
	}
	if (d->r.fopts.on) {
		if (!strcmp(d->r.output, "-") || d->size_limit) {
			fprintf(stderr, "ctrace-dump: a flight recorder writes files of its own: not with -o - or --size-limit\n");
			return 2;
		}
		if (d->flight_max && d->r.fopts.window_ns)
			d->r.fopts.max_bytes = d->flight_max;
		else if (d->flight_max) {
			fprintf(stderr, "ctrace-dump: --flight-max bounds a time window: --flight SIZE is its own bound\n");
			return 2;
		}
		d->r.fopts.gap_ns = (uint64_t)((d->flight_gap >= 0 ? d->flight_gap : 1) * 1e9);
		d->r.flight_log = d->quiet ? NULL : stderr;
	}
	if (!strcmp(d->r.output, "-")) {
		/* A stream: every chunk is one write, at least every 200 ms. */
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "ctrace-dump: -o - writes the trace to standard output, which is a terminal: pipe it (ctrace-dump -o - ... | ctrace report -)\n");
			return 2;
		}
		d->r.output_fd = STDOUT_FILENO;
	}
	if (optind < argc) {
		/* Alone, the command is the target; beside another target (as
		 * in perf record -a -- cmd), it only says when to stop. */
		d->command = argv + optind;
		if (!targets) {
			d->r.opts.target = CTRACE_TARGET_PIDS;
			targets++;
		} else if (d->r.attach_id) {
			fprintf(stderr, "ctrace-dump: --session and a command do not go together\n");
			return 2;
		}
	}
	if (targets != 1) {
		fprintf(stderr, "ctrace-dump: give one target: -- command, --pid, --cgroup, --all or --session\n");
		return 2;
	}
	/* No module: a command's user events can still be recorded. */
	if (!d->r.user_only && d->command && d->r.opts.target == CTRACE_TARGET_PIDS &&
	    !d->r.opts.nr_pids && access(CTRACE_DEVICE_PATH, F_OK)) {
		d->r.user_only = true;
		if (!d->quiet)
			fprintf(stderr, "ctrace-dump: no %s (ctrace.ko not loaded): recording user events only\n",
				CTRACE_DEVICE_PATH);
	}
	if (d->r.user_only && (!d->command || d->r.opts.nr_pids || d->r.cgroup ||
			     d->r.opts.target != CTRACE_TARGET_PIDS)) {
		fprintf(stderr, "ctrace-dump: --user-only records a command: ctrace-dump --user-only -- command\n");
		return 2;
	}
	if (d->r.user_only && d->r.opts.latency_trigger_ns) {
		fprintf(stderr, "ctrace-dump: --trigger-latency needs the module (ctrace.ko): it sees the scheduler\n");
		return 2;
	}
	return 0;
}

static int print_file(const char *path)
{
	struct ctrace_trace *t;
	char err[512];
	int r;

	if (ctrace_trace_open(path, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "ctrace-dump: %s\n", err);
		return 1;
	}
	r = ctrace_print_events(t, stdout, stderr);
	ctrace_trace_close(t);
	return r < 0;
}

/*
 * Fork the command, held before exec until the session records: the
 * child waits for a byte on a pipe (EOF if we die first).
 */
static int start_child(struct dump *d, int *go, bool target)
{
	int p[2];

	if (pipe(p) < 0)
		return -errno;
	d->child = fork();
	if (d->child < 0)
		return -errno;
	if (!d->child) {
		char c;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		/* With -o -, our standard output is the trace: the command's
		 * goes to our standard error. */
		if (d->r.output_fd == STDOUT_FILENO && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execvp(d->command[0], d->command);
		fprintf(stderr, "ctrace-dump: cannot run %s: %s\n", d->command[0],
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	if (target) {
		d->r.pids[0] = d->child;
		d->r.opts.pids = d->r.pids;
		d->r.opts.nr_pids = 1;
	}
	return 0;
}

static void progress(struct dump *d, bool final)
{
	static double last;
	double t = elapsed(d);

	if (d->quiet || (!final && (!isatty(2) || t - last < 1)))
		return;
	last = t;
	fprintf(stderr, "%sctrace-dump: %.1fs, %llu events, %.1f MB, %llu lost%s",
		final ? "" : "\r", t, (unsigned long long)recorder_events(&d->r),
		ctrace_writer_bytes(d->r.w) / 1e6, (unsigned long long)recorder_lost(&d->r),
		final ? "\n" : "");
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void summary(struct dump *d)
{
	uint64_t lost = recorder_lost(&d->r);

	if (d->quiet)
		return;
	if (d->r.fopts.on)
		fprintf(stderr, "ctrace-dump: flight recorder: %u snapshots, %llu events recorded (%llu user events), %llu lost, %.1f MB in memory at the end, %.2fs, cpu %.3fs\n",
			recorder_snapshots(&d->r), (unsigned long long)recorder_events(&d->r),
			(unsigned long long)user_events(&d->r), (unsigned long long)lost,
			recorder_flight_bytes(&d->r) / 1e6, elapsed(d), cpu_seconds());
	else
		fprintf(stderr, "ctrace-dump: wrote %s: %llu events (%llu user events), %llu bytes, %llu lost, %.2fs, cpu %.3fs\n",
			d->r.output, (unsigned long long)recorder_events(&d->r),
			(unsigned long long)user_events(&d->r),
			(unsigned long long)ctrace_writer_bytes(d->r.w),
			(unsigned long long)lost, elapsed(d), cpu_seconds());
	if (user_corrupt(&d->r))
		fprintf(stderr, "ctrace-dump:   %llu runs of corrupt user records skipped (a program wrote garbage in its rings; see ctrace report)\n",
			(unsigned long long)user_corrupt(&d->r));
	if (user_disputed(&d->r))
		fprintf(stderr, "ctrace-dump:   %llu user THREAD records name a thread the kernel says is not theirs; marked disputed (see ctrace report)\n",
			(unsigned long long)user_disputed(&d->r));
	if (d->r.user_only)
		fprintf(stderr, "ctrace-dump:   user events only: no kernel module, no scheduler events\n");
	for (uint32_t i = 0; lost && d->r.rings && i < d->r.rings->nr; i++)
		if (d->r.rings->ring[i].page->lost)
			fprintf(stderr, "ctrace-dump:   cpu %u lost %llu events (ring full; try a larger --buffer-size)\n",
				d->r.rings->ring[i].cpu,
				(unsigned long long)d->r.rings->ring[i].page->lost);
}

static bool should_stop(struct recorder *r, void *arg)
{
	struct dump *d = arg;

	(void)r;
	if (stop_signal)
		return true;
	if (d->duration && elapsed(d) >= d->duration)
		return true;
	if (d->size_limit && ctrace_writer_bytes(d->r.w) >= d->size_limit)
		return true;
	if (recorder_flight_done(&d->r))
		return true;
	if (d->child > 0 && child_exited &&
	    waitpid(d->child, &d->child_status, WNOHANG) == d->child) {
		d->child = 0;
		/* A flight recorder keeps the last seconds before a failure. */
		if (!WIFEXITED(d->child_status) || WEXITSTATUS(d->child_status))
			recorder_trigger(&d->r, "the command failed");
		return true;
	}
	return false;
}

static void tick(struct recorder *r, void *arg)
{
	if (snapshot_signal) {
		snapshot_signal = 0;
		if (r->fopts.on)
			recorder_trigger(r, "SIGUSR1");
		else
			fprintf(stderr, "ctrace-dump: SIGUSR1 asks a flight recorder (--flight) for a snapshot: ignored\n");
	}
	progress(arg, false);
}

/*
 * The session and the command, in the order each mode needs: the module
 * traces the command's PID, so it runs (held before exec) first; a
 * user-only ring set must exist before the command, to be inherited.
 */
static int setup(struct dump *d, int *go)
{
	bool target = d->r.opts.target == CTRACE_TARGET_PIDS && !d->r.opts.nr_pids;
	int err;

	if (d->r.user_only) {
		err = recorder_setup(&d->r);
		return err ? err : start_child(d, go, false);
	}
	if (d->command && (err = start_child(d, go, target)))
		return err;
	return recorder_setup(&d->r);
}

int main(int argc, char **argv)
{
	struct dump d = { .flight_gap = -1 };
	const char *print = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int go = -1, err, r;

	recorder_init(&d.r);
	r = parse_args(&d, argc, argv, &print);
	if (r)
		return r == 1 ? 0 : r;
	if (print)
		return print_file(print);
	d.r.command = d.command;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &d.start);

	err = setup(&d, &go);
	if (!err && go >= 0) {
		/* The session records: let the command exec. */
		if (write(go, "x", 1) != 1)
			err = -errno;
		close(go);
		go = -1;
	}
	if (!err)
		err = recorder_run(&d.r, should_stop, tick, &d);
	if (err) {
		fprintf(stderr, "ctrace-dump: %s\n", recorder_error(&d.r, err));
		if (d.child > 0) {
			kill(d.child, SIGKILL);
			waitpid(d.child, NULL, 0);
		}
	} else {
		progress(&d, false);
		summary(&d);
		/* Stopped by a limit or a signal: the command goes too. */
		if (d.child > 0) {
			kill(d.child, SIGTERM);
			waitpid(d.child, &d.child_status, 0);
		}
	}
	if (go >= 0)
		close(go);
	recorder_free(&d.r);
	if (!err && d.r.error) {
		fprintf(stderr, "ctrace-dump: %s\n", d.r.error);
		err = -EIO;
	}
	return err ? 1 : 0;
}
