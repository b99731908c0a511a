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
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "analysis.h"
#include "cliopt.h"
#include "recorder.h"
#include "ttyline.h"

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
	struct ttyline line;		/* the progress line (ttyline.h) */
	char **command;
	pid_t child;
	int child_status;
	bool exited;			/* the command ended by itself */
	bool stream;			/* -o -: the trace goes to stdout */
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
		"  -V, --version            the version, and the ABI and file format it speaks\n"
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
		"                           (the module detects it)\n"
		"\n"
		"Times take ns, us, ms, s, min or h (a bare number is seconds); sizes\n"
		"k, M, G or T.  A value out of its range is refused with the range.\n"
		"\n"
		"Exit status: with a command that ends by itself, the command's own\n"
		"(128+N if a signal N killed it), as with time(1) and strace(1); a\n"
		"command stopped by ctrace-dump (--duration, --size-limit,\n"
		"--flight-count, SIGINT or SIGTERM) and a recording without a command:\n"
		"0.  127: the command was not found, 126: it cannot be run (no trace\n"
		"file is left then).  ctrace-dump's own failures (the module, the file,\n"
		"memory) are 1, whatever the command did; bad options are 2.  Either\n"
		"says why on standard error, on a line starting \"ctrace-dump:\".\n");
	return f == stderr ? 2 : 0;
}

#define PROG "ctrace-dump"

/* The ranges every numeric option is checked against (tools/include/cliopt.h). */
#define DURATION_MIN_NS		1000000ull		/* 1 ms */
#define DURATION_MAX_NS		(720 * 3600000000000ull)	/* 30 days */
#define SIZE_LIMIT_MIN		(4ull << 10)
#define SIZE_LIMIT_MAX		(16ull << 40)
#define FLIGHT_TIME_MIN_NS	1000000ull		/* 1 ms */
#define FLIGHT_TIME_MAX_NS	(24 * 3600000000000ull)	/* 24 h */
#define FLIGHT_SIZE_MIN		(1ull << 20)
#define FLIGHT_SIZE_MAX		(64ull << 30)
#define FLIGHT_GAP_MAX_NS	(24 * 3600000000000ull)
#define REGION_MIN_NS		1000ull			/* 1 us */
#define REGION_MAX_NS		(24 * 3600000000000ull)
#define LATENCY_MIN_NS		1000ull			/* 1 us */
#define LATENCY_MAX_NS		60000000000ull		/* 60 s */

/* --trigger-region NAME:TIME */
static int parse_region_trigger(char *s, struct flight_opts *f)
{
	char *colon = strrchr(s, ':');

	if (!colon || colon == s) {
		fprintf(stderr, PROG ": bad --trigger-region '%s': NAME:TIME, as slow:100ms\n", s);
		return -1;
	}
	*colon = '\0';
	f->region = s;
	return cli_time(PROG, "--trigger-region time", colon + 1, REGION_MIN_NS,
			REGION_MAX_NS, &f->region_ns);
}

/* A flight window: a time (ns, us, ms, s, min, h; a bare number is
 * seconds) or a size (k, M, G). */
static int parse_window(const char *s, struct flight_opts *f)
{
	char lo[16], hi[16], slo[16], shi[16];
	uint64_t v;

	if (!cli_time_value(s, &v) && v >= FLIGHT_TIME_MIN_NS && v <= FLIGHT_TIME_MAX_NS) {
		f->window_ns = v;
		return 0;
	}
	if (!cli_size_value(s, &v) && v >= FLIGHT_SIZE_MIN && v <= FLIGHT_SIZE_MAX) {
		f->max_bytes = v;
		return 0;
	}
	fprintf(stderr, PROG ": bad --flight '%s': a time from %s to %s (as 10s, 500ms) or a size from %s to %s (as 256M)\n",
		s, cli_fmt_time(FLIGHT_TIME_MIN_NS, lo, sizeof(lo)),
		cli_fmt_time(FLIGHT_TIME_MAX_NS, hi, sizeof(hi)),
		cli_fmt_size(FLIGHT_SIZE_MIN, slo, sizeof(slo)),
		cli_fmt_size(FLIGHT_SIZE_MAX, shi, sizeof(shi)));
	return -1;
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
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, targets = 0;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "+o:d:s:p:G:aS:b:e:qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			d->r.output = optarg;
			break;
		case 'd':
			if (cli_time(PROG, "--duration", optarg, DURATION_MIN_NS,
				     DURATION_MAX_NS, &v))
				return 2;
			d->duration = v / 1e9;
			break;
		case 's':
			if (cli_size(PROG, "--size-limit", optarg, SIZE_LIMIT_MIN,
				     SIZE_LIMIT_MAX, false, &d->size_limit))
				return 2;
			break;
		case 'p':
			if (cli_pids(PROG, "--pid", optarg, d->r.pids, CTRACE_MAX_TARGET_PIDS,
				     &d->r.opts.nr_pids))
				return 2;
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
			if (cli_u64(PROG, "--session", optarg, 1, UINT32_MAX, &v))
				return 2;
			d->r.attach_id = v;
			targets++;
			break;
		case 'b':
			if (cli_size(PROG, "--buffer-size", optarg, CTRACE_BUF_SIZE_MIN,
				     CTRACE_BUF_SIZE_MAX, true, &v))
				return 2;
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
			d->r.fopts.window_ns = 0;
			d->r.fopts.max_bytes = 0;
			if (parse_window(optarg, &d->r.fopts))
				return 2;
			d->r.fopts.on = true;
			break;
		case OPT_FLIGHT_MAX:
			if (cli_size(PROG, "--flight-max", optarg, FLIGHT_SIZE_MIN,
				     FLIGHT_SIZE_MAX, false, &d->flight_max))
				return 2;
			break;
		case OPT_FLIGHT_COUNT:
			if (cli_u64(PROG, "--flight-count", optarg, 1, UINT32_MAX, &v))
				return 2;
			d->r.fopts.count = v;
			break;
		case OPT_FLIGHT_GAP:
			if (cli_time(PROG, "--flight-gap", optarg, 0, FLIGHT_GAP_MAX_NS, &v))
				return 2;
			d->flight_gap = v / 1e9;
			break;
		case OPT_TRIGGER_REGION:
			if (parse_region_trigger(optarg, &d->r.fopts))
				return 2;
			break;
		case OPT_TRIGGER_LATENCY:
			if (cli_time(PROG, "--trigger-latency", optarg, LATENCY_MIN_NS,
				     LATENCY_MAX_NS, &d->r.opts.latency_trigger_ns))
				return 2;
			break;
		case 'q':
			d->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;	/* done, successfully */
		case 'V':
			ctrace_print_version(stdout, PROG);
			return 1;
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
		d->stream = true;
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

/* What a shell answers for a command exec() refused: 127 not found, 126
 * found but not runnable (permission, a directory, not an executable). */
static int noexec_status(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG || err == ELOOP ?
	       CLI_EXIT_NOTFOUND : CLI_EXIT_NOEXEC;
}

/*
 * Before anything is created (no session, no file, nothing on -o -):
 * can the command be run?  As execvp() looks for it: a name with a slash
 * as it is, else each directory of PATH; found but not executable
 * (EACCES, a directory) is 126, as in a shell.  0, or the exit status
 * after saying why.  exec() can still fail after this (ENOEXEC, a race):
 * start_child() hears of it and main() takes the file away.
 */
static int check_command(const char *cmd)
{
	const char *path = getenv("PATH");
	int err = ENOENT;
	struct stat st;

	if (!*cmd) {
		err = ENOENT;
	} else if (strchr(cmd, '/')) {
		if (stat(cmd, &st))
			err = errno;
		else if (S_ISDIR(st.st_mode))
			err = EISDIR;
		else if (access(cmd, X_OK))
			err = errno;
		else
			return 0;
	} else {
		if (!path)
			path = "/bin:/usr/bin";	/* glibc's execvp() default */
		for (const char *p = path; ; p += strcspn(p, ":") + 1) {
			size_t len = strcspn(p, ":");
			char file[PATH_MAX];

			if (snprintf(file, sizeof(file), "%.*s%s%s", (int)len, p,
				     len ? "/" : "", cmd) < (int)sizeof(file) &&
			    !stat(file, &st)) {
				if (!S_ISDIR(st.st_mode) && !access(file, X_OK))
					return 0;
				err = EACCES;	/* as execvp(): remembered, search goes on */
			}
			if (!p[len])
				break;
		}
	}
	fprintf(stderr, PROG ": cannot run %s: %s%s\n", cmd,
		err == ENOENT && !strchr(cmd, '/') ? "command not found" : strerror(err),
		" (nothing recorded)");
	return noexec_status(err);
}

/*
 * Fork the command, held before exec until the session records: the
 * child waits for a byte on a pipe (EOF if we die first).  If its exec()
 * fails, it sends the errno back on a close-on-exec pipe, which a
 * successful exec() closes instead: *exec_err is its read end.
 */
static int start_child(struct dump *d, int *go, int *exec_err, bool target)
{
	int p[2], e[2];

	if (pipe(p) < 0)
		return -errno;
	if (pipe2(e, O_CLOEXEC) < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	d->child = fork();
	if (d->child < 0)
		return -errno;
	if (!d->child) {
		char c;
		int err;

		close(p[1]);
		close(e[0]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		/* With -o -, our standard output is the trace: the command's
		 * goes to our standard error. */
		if (d->stream && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execvp(d->command[0], d->command);
		err = errno;
		if (write(e[1], &err, sizeof(err)) != sizeof(err))
			fprintf(stderr, PROG ": cannot run %s: %s\n", d->command[0],
				strerror(err));
		_exit(noexec_status(err));
	}
	close(p[0]);
	close(e[1]);
	*go = p[1];
	*exec_err = e[0];
	if (target) {
		d->r.pids[0] = d->child;
		d->r.opts.pids = d->r.pids;
		d->r.opts.nr_pids = 1;
	}
	return 0;
}

/* Once a second, on a terminal only; the summary takes its place. */
static void progress(struct dump *d)
{
	if (!ttyline_due(&d->line))
		return;
	ttyline_show(&d->line, "ctrace-dump: %.1fs, %llu events, %.1f MB, %llu lost",
		     elapsed(d), (unsigned long long)recorder_events(&d->r),
		     ctrace_writer_bytes(d->r.w) / 1e6,
		     (unsigned long long)recorder_lost(&d->r));
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
		d->exited = true;
		/* A flight recorder keeps the last seconds before a failure. */
		if (!WIFEXITED(d->child_status) || WEXITSTATUS(d->child_status))
			recorder_trigger(&d->r, "the command failed");
		return true;
	}
	return false;
}

static void tick(struct recorder *r, void *arg)
{
	struct dump *d = arg;

	if (snapshot_signal) {
		snapshot_signal = 0;
		if (r->fopts.on) {
			recorder_trigger(r, "SIGUSR1");
		} else {
			ttyline_clear(&d->line);
			fprintf(stderr, "ctrace-dump: SIGUSR1 asks a flight recorder (--flight) for a snapshot: ignored\n");
		}
	}
	progress(d);
}

/*
 * The session and the command, in the order each mode needs: the module
 * traces the command's PID, so it runs (held before exec) first; a
 * user-only ring set must exist before the command, to be inherited.
 */
static int setup(struct dump *d, int *go, int *exec_err)
{
	bool target = d->r.opts.target == CTRACE_TARGET_PIDS && !d->r.opts.nr_pids;
	int err;

	if (d->r.user_only) {
		err = recorder_setup(&d->r);
		return err ? err : start_child(d, go, exec_err, false);
	}
	if (d->command && (err = start_child(d, go, exec_err, target)))
		return err;
	return recorder_setup(&d->r);
}

/*
 * -o - with a command: the file's head is written into memory until the
 * command's exec() succeeds, so a command that cannot run streams
 * nothing.  Then the head goes out, and the memfd's descriptor becomes
 * standard output, under the writer's feet (it only ever writev()s).
 */
static int hold_stream(struct dump *d)
{
	int fd = memfd_create("ctrace-dump-head", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	d->r.output_fd = fd;
	return 0;
}

static int release_stream(struct dump *d)
{
	int fd = d->r.output_fd;
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t done = 0, w; done < n; done += w) {
			w = write(STDOUT_FILENO, buf + done, n - done);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -errno;
		}
		off += n;
	}
	if (n < 0 || dup3(STDOUT_FILENO, fd, O_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* The shell's way: an exit status as it is, a signal N as 128 + N. */
static int command_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return CLI_EXIT_ERROR;
}

/*
 * exec() failed after check_command() let it by: the recording holds
 * nothing of the command, so no file is left to look like a trace of it.
 * (With -o -, what went down the stream has no END chunk: its reader
 * says it is truncated.)
 */
static int exec_failed(struct dump *d, int err)
{
	fprintf(stderr, PROG ": cannot run %s: %s (nothing recorded)\n", d->command[0],
		strerror(err));
	waitpid(d->child, NULL, 0);
	d->child = 0;
	recorder_free(&d->r);
	if (!d->stream && !d->r.fopts.on)
		unlink(d->r.output);
	return noexec_status(err);
}

int main(int argc, char **argv)
{
	/* Static: the stream ttyline_stream() makes points into it, and
	 * exit() flushes streams after main() returns. */
	static struct dump d = { .flight_gap = -1 };
	const char *print = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int go = -1, exec_err = -1, err, r;

	recorder_init(&d.r);
	r = parse_args(&d, argc, argv, &print);
	if (r)
		return r == 1 ? 0 : r;
	if (print)
		return print_file(print);
	d.r.command = d.command;
	if (d.command && (r = check_command(d.command[0])))
		return r;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &d.start);
	ttyline_init(&d.line, d.quiet, 1);
	/* A snapshot's line comes while the progress line is up. */
	if (d.r.flight_log)
		d.r.flight_log = ttyline_stream(&d.line, stderr);

	err = d.stream && d.command ? hold_stream(&d) : 0;
	if (!err)
		err = setup(&d, &go, &exec_err);
	if (!err && go >= 0) {
		int c;

		/* The session records: let the command exec, and hear whether
		 * it could (EOF: the exec closed the pipe). */
		if (write(go, "x", 1) != 1)
			err = -errno;
		close(go);
		go = -1;
		while (!err && (r = read(exec_err, &c, sizeof(c))) < 0 && errno == EINTR)
			;
		close(exec_err);
		exec_err = -1;
		if (!err && r == sizeof(c))
			return exec_failed(&d, c);
		if (!err && d.stream && (err = release_stream(&d)))
			d.r.error = "cannot write the trace to standard output";
	}
	if (exec_err >= 0)
		close(exec_err);
	if (!err)
		err = recorder_run(&d.r, should_stop, tick, &d);
	if (err) {
		ttyline_clear(&d.line);
		fprintf(stderr, "ctrace-dump: %s\n", recorder_error(&d.r, err));
		if (d.child > 0) {
			kill(d.child, SIGKILL);
			waitpid(d.child, NULL, 0);
		}
	} else {
		ttyline_clear(&d.line);
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
	if (d.r.flight_log && d.r.flight_log != stderr)
		fclose(d.r.flight_log);
	d.r.flight_log = NULL;
	if (!err && d.r.error) {
		fprintf(stderr, "ctrace-dump: %s\n", d.r.error);
		err = -EIO;
	}
	/* Our own failure wins: the file is not what was asked for.  Else
	 * a command that ended by itself gives its status, as with time(1)
	 * and strace(1); one we stopped (a limit, SIGINT/SIGTERM) is 0. */
	if (err)
		return CLI_EXIT_ERROR;
	return d.exited ? command_status(d.child_status) : CLI_EXIT_OK;
}
