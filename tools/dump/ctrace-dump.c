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
 * The loop: sleep in poll() on /dev/ctrace until a ring passes its
 * watermark (or 200 ms pass), copy what each ring holds into RING chunks
 * of the file (straight from the mapping), give the space back, repeat.
 * On SIGINT/SIGTERM, the end of the command, the duration or the size
 * limit: stop the session, drain what is left, write STATS and END (and
 * send the command SIGTERM if it still runs).
 *
 * Every chunk is one write, so a dump killed at any point leaves a file
 * that decodes up to its last chunk; losses travel in the file as the
 * kernel's LOST records, at the point where they happened.
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
#include <sys/utsname.h>
#include <sys/wait.h>

#include "analysis.h"
#include "dump.h"

static volatile sig_atomic_t stop_signal, child_exited;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		child_exited = 1;
	else
		stop_signal = sig;
}

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
		"  -o, --output FILE        trace file (default: ctrace.trace)\n"
		"  -d, --duration SECONDS   stop after this long\n"
		"  -s, --size-limit SIZE    stop once the file reaches SIZE (k, M, G)\n"
		"  -p, --pid PID[,PID...]   trace these processes and their children\n"
		"  -G, --cgroup DIR         trace a cgroup v2 (needs CAP_PERFMON)\n"
		"  -a, --all                trace the whole system (needs CAP_PERFMON)\n"
		"  -S, --session ID         read an existing session instead\n"
		"  -b, --buffer-size SIZE   ring bytes per CPU, a power of two (default 1M)\n"
		"  -e, --events LIST        switch,wakeup,task,migrate,user (default: all)\n"
		"      --clock CLOCK        auto, tsc or mono (default: auto)\n"
		"      --no-inherit         do not follow children of --pid targets\n"
		"      --print FILE         print FILE's events, one per line\n"
		"      --user-only          no module: the command's user events only\n"
		"                           (the default when ctrace.ko is not loaded)\n"
		"  -q, --quiet              no progress, no summary\n");
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

static int parse_events(const char *s, uint64_t *out)
{
	static const struct { const char *name; uint64_t bit; } names[] = {
		{ "switch", CTRACE_EV_SWITCH }, { "wakeup", CTRACE_EV_WAKEUP },
		{ "task", CTRACE_EV_TASK }, { "migrate", CTRACE_EV_MIGRATE },
		{ "user", CTRACE_EV_USER },
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
		    d->opts.nr_pids >= CTRACE_MAX_TARGET_PIDS)
			return -1;
		d->pids[d->opts.nr_pids++] = v;
	}
	return 0;
}

static int parse_args(struct dump *d, int argc, char **argv, const char **print)
{
	enum { OPT_CLOCK = 256, OPT_NO_INHERIT, OPT_PRINT, OPT_USER_ONLY,
	       OPT_USER_LOCKED };
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, targets = 0;
	uint64_t v;
	char *end;

	d->output = "ctrace.trace";
	d->opts.clock = -1;
	d->opts.flags = CTRACE_SF_INHERIT;
	d->opts.pids = d->pids;
	while ((c = getopt_long(argc, argv, "+o:d:s:p:G:aS:b:e:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			d->output = optarg;
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
			if (d->opts.target != CTRACE_TARGET_PIDS)
				targets++;
			d->opts.target = CTRACE_TARGET_PIDS;
			break;
		case 'G':
			d->cgroup = optarg;
			d->opts.target = CTRACE_TARGET_CGROUP;
			targets++;
			break;
		case 'a':
			d->opts.target = CTRACE_TARGET_ALL;
			targets++;
			break;
		case 'S':
			d->attach_id = strtoul(optarg, &end, 10);
			if (*end || !d->attach_id) {
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
			d->opts.buf_size = v;
			break;
		case 'e':
			if (parse_events(optarg, &d->opts.events)) {
				fprintf(stderr, "ctrace-dump: bad event list '%s' (switch, wakeup, task, migrate, user, all)\n",
					optarg);
				return 2;
			}
			break;
		case OPT_CLOCK:
			if (!strcmp(optarg, "auto"))
				d->opts.clock = CTRACE_CLOCK_AUTO;
			else if (!strcmp(optarg, "tsc"))
				d->opts.clock = CTRACE_CLOCK_TSC;
			else if (!strcmp(optarg, "mono"))
				d->opts.clock = CTRACE_CLOCK_MONO;
			else {
				fprintf(stderr, "ctrace-dump: bad clock '%s' (auto, tsc, mono)\n", optarg);
				return 2;
			}
			break;
		case OPT_NO_INHERIT:
			d->opts.flags &= ~CTRACE_SF_INHERIT;
			break;
		case OPT_PRINT:
			*print = optarg;
			break;
		case OPT_USER_ONLY:
			d->user_only = true;
			break;
		case OPT_USER_LOCKED:
			d->user_locked = true;
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
	if (optind < argc) {
		/* Alone, the command is the target; beside another target (as
		 * in perf record -a -- cmd), it only says when to stop. */
		d->command = argv + optind;
		if (!targets) {
			d->opts.target = CTRACE_TARGET_PIDS;
			targets++;
		} else if (d->attach_id) {
			fprintf(stderr, "ctrace-dump: --session and a command do not go together\n");
			return 2;
		}
	}
	if (targets != 1) {
		fprintf(stderr, "ctrace-dump: give one target: -- command, --pid, --cgroup, --all or --session\n");
		return 2;
	}
	/* No module: a command's user events can still be recorded. */
	if (!d->user_only && d->command && d->opts.target == CTRACE_TARGET_PIDS &&
	    !d->opts.nr_pids && access(CTRACE_DEVICE_PATH, F_OK)) {
		d->user_only = true;
		if (!d->quiet)
			fprintf(stderr, "ctrace-dump: no %s (ctrace.ko not loaded): recording user events only\n",
				CTRACE_DEVICE_PATH);
	}
	if (d->user_only && (!d->command || d->opts.nr_pids || d->cgroup ||
			     d->opts.target != CTRACE_TARGET_PIDS)) {
		fprintf(stderr, "ctrace-dump: --user-only records a command: ctrace-dump --user-only -- command\n");
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
		execvp(d->command[0], d->command);
		fprintf(stderr, "ctrace-dump: cannot run %s: %s\n", d->command[0],
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	if (target) {
		d->pids[0] = d->child;
		d->opts.pids = d->pids;
		d->opts.nr_pids = 1;
	}
	return 0;
}

static int write_meta(struct dump *d)
{
	char buf[4096], target[1024] = "";
	struct utsname u;
	struct timespec now;
	int n;

	uname(&u);
	clock_gettime(CLOCK_REALTIME, &now);
	switch (d->info.target_kind) {
	case CTRACE_TARGET_ALL:
		snprintf(target, sizeof(target), "all");
		break;
	case CTRACE_TARGET_CGROUP:
		snprintf(target, sizeof(target), "cgroup:%s", d->cgroup ? d->cgroup : "?");
		break;
	default:
		if (d->command) {
			n = snprintf(target, sizeof(target), "command:");
			for (char **a = d->command; *a && n < (int)sizeof(target); a++)
				n += snprintf(target + n, sizeof(target) - n, "%s%s",
					      a == d->command ? "" : " ", *a);
		} else {
			n = snprintf(target, sizeof(target), "pids:");
			for (unsigned int i = 0; i < d->opts.nr_pids && n < (int)sizeof(target); i++)
				n += snprintf(target + n, sizeof(target) - n, "%s%u",
					      i ? "," : "", d->pids[i]);
		}
	}
	/* One line per key; values never contain a newline. */
	for (char *c = target; *c; c++)
		if (*c == '\n')
			*c = ' ';
	n = snprintf(buf, sizeof(buf),
		     "ctrace_version=%s\nhost=%s\nkernel=%s\nnr_cpus=%u\n"
		     "clock=%s\ntsc_khz=%llu\nsession_id=%u\ntarget=%s\n"
		     "events=0x%llx\nbuf_size=%u\nprivileged=%d\n"
		     "start_realtime_ns=%llu\nuser_only=%d\n",
		     CTRACE_VERSION, u.nodename, u.release,
		     d->rings ? d->rings->nr : (unsigned int)sysconf(_SC_NPROCESSORS_CONF),
		     d->clock == CTRACE_CLOCK_TSC ? "tsc" : "mono",
		     (unsigned long long)(d->rings ? d->rings->meta->tsc_khz : 0),
		     d->session_id, target,
		     (unsigned long long)(d->user_only ? CTRACE_EV_USER : d->info.events),
		     d->info.buf_size, d->info.privileged,
		     (unsigned long long)now.tv_sec * 1000000000ull + now.tv_nsec,
		     d->user_only);
	return ctrace_writer_meta(d->w, buf, n);
}

/* Where a run of records at most @max bytes long may end. */
static size_t record_boundary(const uint8_t *p, size_t len, size_t max)
{
	size_t off = 0;

	while (off < len) {
		size_t size = (size_t)((const struct ctrace_krec *)(p + off))->size * 8;

		if (!size || off + size > max)
			break;
		off += size;
	}
	return off;
}

/* Copy what ring @i holds into the file.  Returns bytes copied, or <0. */
static long drain_ring(struct dump *d, uint32_t i)
{
	struct ctrace_ring_view *v = &d->rings->ring[i];
	struct ring_state *rs = &d->rs[i];
	long total = 0;
	const uint8_t *p;
	size_t len;

	while ((len = ctrace_ring_peek(v, &p))) {
		struct ctrace_krec_walk before = rs->walk;
		struct ctrace_ring_chunk h;
		size_t bad;
		int err;

		if (len > DUMP_CHUNK_BYTES)
			len = record_boundary(p, len, DUMP_CHUNK_BYTES);
		if (!len || ctrace_krec_walk(&rs->walk, p, len, &bad) < 0) {
			d->error = "the kernel ring holds a malformed record";
			return -EPROTO;
		}
		h = (struct ctrace_ring_chunk) {
			.ring = v->cpu,
			.kind = CTRACE_RING_KERNEL,
			.seq_first = before.events + before.lost,
			.ts_base = before.ts,
			.pos = v->pos,
			.events = rs->walk.events - before.events,
			.lost = rs->walk.lost - before.lost,
		};
		err = ctrace_writer_ring(d->w, &h, p, len);
		if (err) {
			d->error = strerror(-err);
			return err;
		}
		rs->chunks++;
		ctrace_ring_consume(v, len);
		total += len;
	}
	return total;
}

static int drain_all(struct dump *d, bool final)
{
	for (uint32_t i = 0; d->rings && i < d->rings->nr; i++)
		if (drain_ring(d, i) < 0)
			return -1;
	return user_drain(d, final);
}

static bool all_stopped(struct dump *d)
{
	for (uint32_t i = 0; d->rings && i < d->rings->nr; i++) {
		const uint8_t *p;

		if (!ctrace_ring_stopped(&d->rings->ring[i]) ||
		    ctrace_ring_peek(&d->rings->ring[i], &p))
			return false;
	}
	return true;
}

static uint64_t events_read(const struct dump *d)
{
	uint64_t n = user_events(d);

	for (uint32_t i = 0; d->rings && i < d->rings->nr; i++)
		n += d->rs[i].walk.events;
	return n;
}

static uint64_t lost_total(const struct dump *d)
{
	uint64_t n = 0;
	uint32_t nu = user_nr_rings(d);
	struct ctrace_ring_stats *st = nu ? calloc(nu, sizeof(*st)) : NULL;

	for (uint32_t i = 0; d->rings && i < d->rings->nr; i++)
		n += d->rings->ring[i].page->lost;
	if (st) {
		nu = user_ring_stats(d, st, nu);
		for (uint32_t i = 0; i < nu; i++)
			n += st[i].lost;
		free(st);
	}
	return n;
}

static void progress(struct dump *d, bool final)
{
	static double last;
	double t = elapsed(d);

	if (d->quiet || (!final && (!isatty(2) || t - last < 1)))
		return;
	last = t;
	fprintf(stderr, "%sctrace-dump: %.1fs, %llu events, %.1f MB, %llu lost%s",
		final ? "" : "\r", t, (unsigned long long)events_read(d),
		ctrace_writer_bytes(d->w) / 1e6, (unsigned long long)lost_total(d),
		final ? "\n" : "");
}

static int finish_file(struct dump *d)
{
	uint32_t nk = d->rings ? d->rings->nr : 0, nu = user_nr_rings(d);
	struct ctrace_ring_stats *st = calloc(nk + nu + 1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	for (uint32_t i = 0; i < nk; i++) {
		const struct ctrace_ring_page *pg = d->rings->ring[i].page;

		st[i] = (struct ctrace_ring_stats) {
			.ring = d->rings->ring[i].cpu,
			.kind = CTRACE_RING_KERNEL,
			.events = pg->events,
			.lost = pg->lost,
			.bytes = pg->prod,
			.events_read = d->rs[i].walk.events,
			.lost_read = d->rs[i].walk.lost,
		};
	}
	nu = user_ring_stats(d, st + nk, nu);
	err = ctrace_writer_stats(d->w, st, nk + nu);
	free(st);
	return err ? err : ctrace_writer_end(d->w);
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
	uint64_t lost = lost_total(d);

	if (d->quiet)
		return;
	fprintf(stderr, "ctrace-dump: wrote %s: %llu events (%llu user events), %llu bytes, %llu lost, %.2fs, cpu %.3fs\n",
		d->output, (unsigned long long)events_read(d),
		(unsigned long long)user_events(d),
		(unsigned long long)ctrace_writer_bytes(d->w),
		(unsigned long long)lost, elapsed(d), cpu_seconds());
	if (user_corrupt(d))
		fprintf(stderr, "ctrace-dump:   %llu runs of corrupt user records skipped (a program wrote garbage in its rings; see ctrace report)\n",
			(unsigned long long)user_corrupt(d));
	if (d->user_only)
		fprintf(stderr, "ctrace-dump:   user events only: no kernel module, no scheduler events\n");
	for (uint32_t i = 0; lost && d->rings && i < d->rings->nr; i++)
		if (d->rings->ring[i].page->lost)
			fprintf(stderr, "ctrace-dump:   cpu %u lost %llu events (ring full; try a larger --buffer-size)\n",
				d->rings->ring[i].cpu,
				(unsigned long long)d->rings->ring[i].page->lost);
}

static int open_output(struct dump *d)
{
	char emsg[256];
	int err;

	d->out_fd = open(d->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (d->out_fd < 0) {
		snprintf(emsg, sizeof(emsg), "cannot create %s: %s", d->output,
			 strerror(errno));
		d->error = strdup(emsg);
		return -errno;
	}
	err = ctrace_writer_open(&d->w, d->out_fd);
	if (!err)
		err = write_meta(d);
	if (err)
		d->error = "cannot write the trace file";
	return err;
}

/* The TSC if the kernel uses it as its clocksource, else CLOCK_MONOTONIC. */
static uint32_t user_only_clock(const struct dump *d)
{
	char buf[32] = "";
	FILE *f;

	if (d->opts.clock == CTRACE_CLOCK_MONO)
		return CTRACE_CLOCK_MONO;
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return !strcmp(buf, "tsc\n") ? CTRACE_CLOCK_TSC : CTRACE_CLOCK_MONO;
}

/* No module: record the command's user events only, from a memfd. */
static int setup_user_only(struct dump *d, int *go)
{
	int err;

	d->clock = user_only_clock(d);
	if (d->opts.clock == CTRACE_CLOCK_TSC && d->clock != CTRACE_CLOCK_TSC) {
		d->error = "the TSC is not this kernel's clocksource";
		return -EOPNOTSUPP;
	}
	err = open_output(d);
	if (!err)
		err = user_setup_memfd(d);
	if (!err)
		err = user_clock_snapshot(d, CTRACE_CLOCK_SNAP_START);
	/* The command starts after the ring set exists, to inherit it. */
	if (!err)
		err = start_child(d, go, false);
	return err;
}

static int setup(struct dump *d, int *go)
{
	int err, cgfd = -1;
	char emsg[256];

	if (d->user_only)
		return setup_user_only(d, go);
	d->ctl = ctrace_ctl_open(&err);
	if (!d->ctl)
		return -ENOMEM;
	if (err)
		return err;
	if (d->command &&
	    (err = start_child(d, go, d->opts.target == CTRACE_TARGET_PIDS &&
			       !d->opts.nr_pids)))
		return err;
	if (d->attach_id) {
		d->session_id = d->attach_id;
	} else {
		if (d->cgroup) {
			cgfd = open(d->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (cgfd < 0) {
				snprintf(emsg, sizeof(emsg), "cannot open cgroup %s: %s",
					 d->cgroup, strerror(errno));
				d->error = strdup(emsg);
				return -errno;
			}
			d->opts.cgroup_fd = cgfd;
		}
		err = ctrace_ctl_session_new(d->ctl, &d->opts, &d->info);
		if (cgfd >= 0)
			close(cgfd);
		if (err)
			return err;
		d->session_id = d->info.id;
	}
	err = ctrace_ctl_session_get(d->ctl, d->session_id, &d->info);
	if (err)
		return err;
	d->devfd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (d->devfd < 0) {
		err = -errno;
		d->error = "cannot open " CTRACE_DEVICE_PATH;
		return err;
	}
	err = ctrace_rings_map(d->devfd, d->session_id, &d->rings, emsg, sizeof(emsg));
	if (err) {
		d->error = strdup(emsg);
		return err;
	}
	d->rs = calloc(d->rings->nr, sizeof(*d->rs));
	if (!d->rs)
		return -ENOMEM;
	d->clock = d->info.clock;
	err = open_output(d);
	if (err)
		return err;
	user_setup(d);
	if (!d->attach_id || d->info.state == CTRACE_SESSION_CREATED) {
		err = ctrace_ctl_session_cmd(d->ctl, CTRACE_CMD_SESSION_START,
					     d->session_id);
		if (err)
			return err;
	}
	return 0;
}

static bool should_stop(struct dump *d)
{
	if (stop_signal)
		return true;
	if (d->duration && elapsed(d) >= d->duration)
		return true;
	if (d->size_limit && ctrace_writer_bytes(d->w) >= d->size_limit)
		return true;
	if (d->child > 0 && child_exited &&
	    waitpid(d->child, &d->child_status, WNOHANG) == d->child) {
		d->child = 0;
		return true;
	}
	return false;
}

static int record(struct dump *d)
{
	struct pollfd pfd = { .fd = d->devfd, .events = POLLIN };
	double last_clock = 0;
	bool stopping = false;

	for (;;) {
		/* Kernel rings wake us at their watermark; user rings are polled. */
		if (poll(&pfd, d->devfd >= 0 ? 1 : 0, user_poll_ms(d)) < 0 &&
		    errno != EINTR) {
			d->error = "poll failed";
			return -errno;
		}
		if (drain_all(d, false))
			return -EPROTO;
		if (d->user_only && elapsed(d) - last_clock >= 1) {
			last_clock = elapsed(d);
			user_clock_snapshot(d, CTRACE_CLOCK_SNAP_PERIODIC);
		}
		progress(d, false);
		if (!stopping && should_stop(d)) {
			stopping = true;
			/* Fails when someone else stopped or destroyed it:
			 * then the rings say so and we finish anyway. */
			if (d->ctl)
				ctrace_ctl_session_cmd(d->ctl, CTRACE_CMD_SESSION_STOP,
						       d->session_id);
			user_stop_writers(d);
		}
		if (stopping && all_stopped(d))
			break;
		if (!stopping && d->ctl && all_stopped(d)) {
			/* Stopped from outside: let user writers finish. */
			stopping = true;
			user_stop_writers(d);
		}
		if (stopping)
			pfd.events = 0;	/* stop() is synchronous: spin the drain */
	}
	if (drain_all(d, true))
		return -EPROTO;
	user_clock_snapshot(d, CTRACE_CLOCK_SNAP_STOP);
	return finish_file(d);
}

uint64_t dump_clock_now(const struct dump *d)
{
	struct timespec ts;

#if defined(__x86_64__)
	if (d->clock == CTRACE_CLOCK_TSC)
		return __builtin_ia32_rdtsc();
#endif
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct dump d = { .devfd = -1, .out_fd = -1 };
	const char *print = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int go = -1, err, r;

	r = parse_args(&d, argc, argv, &print);
	if (r)
		return r == 1 ? 0 : r;
	if (print)
		return print_file(print);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
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
		err = record(&d);
	if (err) {
		fprintf(stderr, "ctrace-dump: %s\n",
			d.error ? d.error : d.ctl ? ctrace_ctl_error(d.ctl) : strerror(-err));
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
	if (d.out_fd >= 0 && fsync(d.out_fd) < 0 && errno != EINVAL)
		err = err ? err : -errno;
	ctrace_writer_free(d.w);
	user_free(&d);
	ctrace_rings_unmap(d.rings);
	if (d.devfd >= 0)
		close(d.devfd);	/* destroys the session */
	ctrace_session_info_free(&d.info);
	ctrace_ctl_close(d.ctl);
	return err ? 1 : 0;
}
