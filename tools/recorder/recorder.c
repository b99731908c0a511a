// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder: a session's rings into a trace file (recorder.h).
 *
 * The loop: sleep in poll() on /dev/ctrace until a ring passes its
 * watermark (or 200 ms pass; user rings are polled at most 20 ms apart),
 * copy what each ring holds into RING chunks of the file (straight from
 * the mapping), give the space back, repeat.  When the caller says stop:
 * stop the session, drain what is left, write STATS and END.
 *
 * Every chunk is one write, so a recorder killed at any point leaves a
 * file that decodes up to its last chunk; losses travel in the file as
 * the kernel's LOST records, at the point where they happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "recorder.h"

void recorder_init(struct recorder *d)
{
	*d = (struct recorder){
		.output = "ctrace.trace",
		.output_fd = -1,
		.wake_fd = -1,
		.devfd = -1,
		.out_fd = -1,
		.who = "ctrace-dump",
	};
	d->opts.clock = -1;
	d->opts.flags = CTRACE_SF_INHERIT;
	d->opts.pids = d->pids;
}

int recorder_meta_text(struct recorder *d, char *buf, size_t size)
{
	char target[1024] = "";
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
	n = snprintf(buf, size,
		     "ctrace_version=%s\nhost=%s\nkernel=%s\nnr_cpus=%u\n"
		     "clock=%s\ntsc_khz=%llu\nsession_id=%u\ntarget=%s\n"
		     "events=0x%llx\nbuf_size=%u\nprivileged=%d\n"
		     "start_realtime_ns=%llu\nuser_only=%d\nrecorder=%s\n",
		     CTRACE_VERSION, u.nodename, u.release,
		     d->rings ? d->rings->nr : (unsigned int)sysconf(_SC_NPROCESSORS_CONF),
		     d->clock == CTRACE_CLOCK_TSC ? "tsc" : "mono",
		     (unsigned long long)(d->rings ? d->rings->meta->tsc_khz : 0),
		     d->session_id, target,
		     (unsigned long long)(d->user_only ? CTRACE_EV_USER : d->info.events),
		     d->info.buf_size, d->info.privileged,
		     (unsigned long long)now.tv_sec * 1000000000ull + now.tv_nsec,
		     d->user_only, d->who);
	if (d->recorder_tid && n < (int)size)
		n += snprintf(buf + n, size - n, "recorder_tid=%u\n",
			      d->recorder_tid);
	if (n >= (int)size)
		n = size - 1;
	return n;
}

static int write_meta(struct recorder *d)
{
	char buf[4096];

	return ctrace_writer_meta(d->w, buf, recorder_meta_text(d, buf, sizeof(buf)));
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
static long drain_ring(struct recorder *d, uint32_t i)
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

		if (len > RECORDER_CHUNK_BYTES)
			len = record_boundary(p, len, RECORDER_CHUNK_BYTES);
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

static int drain_all(struct recorder *d, bool final)
{
	for (uint32_t i = 0; d->rings && i < d->rings->nr; i++)
		if (drain_ring(d, i) < 0)
			return -1;
	return user_drain(d, final);
}

static bool all_stopped(struct recorder *d)
{
	for (uint32_t i = 0; d->rings && i < d->rings->nr; i++) {
		const uint8_t *p;

		if (!ctrace_ring_stopped(&d->rings->ring[i]) ||
		    ctrace_ring_peek(&d->rings->ring[i], &p))
			return false;
	}
	return true;
}

uint64_t recorder_events(const struct recorder *d)
{
	uint64_t n = user_events(d);

	for (uint32_t i = 0; d->rings && i < d->rings->nr; i++)
		n += d->rs[i].walk.events;
	return n;
}

uint64_t recorder_lost(const struct recorder *d)
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

/*
 * Module mode: the users this session traces whose user ring set another
 * session reads (one reader per set: their user events are not ours).
 * The kernel lists them in SESSION_GET; each is said once on stderr, and
 * at the end in META's user_sets_busy.
 */
static void check_busy(struct recorder *d)
{
	struct ctrace_session_info info;

	if (!d->ctl || !d->session_id || !(d->info.events & CTRACE_EV_USER) ||
	    ctrace_ctl_session_get(d->ctl, d->session_id, &info))
		return;
	for (uint32_t i = 0; i < info.nr_busy; i++) {
		uint32_t j;

		for (j = 0; j < d->nr_busy; j++)
			if (d->busy[j].uid == info.busy[i].uid)
				break;
		if (j < d->nr_busy) {
			d->busy[j].session_id = info.busy[i].session_id;
			continue;
		}
		if (d->nr_busy == sizeof(d->busy) / sizeof(d->busy[0]))
			break;
		d->busy[d->nr_busy++] = info.busy[i];
		fprintf(stderr, "%s: warning: the user ring set of uid %u is read by session %u: this session records no user events of uid %u's processes\n",
			d->who, info.busy[i].uid, info.busy[i].session_id, info.busy[i].uid);
	}
	ctrace_session_info_free(&info);
}

int recorder_busy_text(const struct recorder *d, char *buf, size_t size)
{
	int n;

	if (!d->nr_busy || size < 64)
		return 0;
	n = snprintf(buf, size, "user_sets_busy=");
	for (uint32_t i = 0; i < d->nr_busy && n < (int)size - 32; i++)
		n += snprintf(buf + n, size - n, "%s%u:%u", i ? "," : "",
			      d->busy[i].uid, d->busy[i].session_id);
	n += snprintf(buf + n, size - n, "\n");
	return n;
}

/* A META chunk after the recording, with what was learnt during it. */
static int write_end_meta(struct recorder *d)
{
	char buf[2048];
	int n = recorder_busy_text(d, buf, sizeof(buf));

	return n ? ctrace_writer_meta(d->w, buf, n) : 0;
}

static int finish_file(struct recorder *d)
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
	err = write_end_meta(d);
	if (!err)
		err = ctrace_writer_stats(d->w, st, nk + nu);
	free(st);
	return err ? err : ctrace_writer_end(d->w);
}

static int open_output(struct recorder *d)
{
	char emsg[256];
	int err;

	/* A flight recorder writes files only when a trigger fires. */
	if (d->fopts.on)
		return flight_setup(d);

	d->out_fd = d->output_fd >= 0 ? d->output_fd :
		open(d->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
static uint32_t user_only_clock(const struct recorder *d)
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

/* No module: user events only, from a ring set in a memfd. */
static int setup_user_only(struct recorder *d)
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
	return err;
}

int recorder_setup(struct recorder *d)
{
	int err, cgfd = -1;
	char emsg[256];

	if (d->user_only)
		return setup_user_only(d);
	d->ctl = ctrace_ctl_open(&err);
	if (!d->ctl)
		return -ENOMEM;
	if (err)
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
	check_busy(d);
	return 0;
}

const char *recorder_error(const struct recorder *d, int err)
{
	return d->error ? d->error : d->ctl ? ctrace_ctl_error(d->ctl) : strerror(-err);
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

int recorder_run(struct recorder *d, bool (*should_stop)(struct recorder *, void *),
		 void (*tick)(struct recorder *, void *), void *arg)
{
	struct pollfd pfd[3] = {
		{ .fd = d->devfd, .events = POLLIN },
		{ .fd = d->wake_fd, .events = POLLIN },
		{ .fd = flight_ntf_fd(d), .events = POLLIN },
	};
	struct timespec t0;
	double last_clock = 0, last_busy = 0;
	bool stopping = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* Kernel rings wake us at their watermark; user rings are
		 * polled; a negative fd is left alone by poll(). */
		if (poll(pfd, 3, user_poll_ms(d)) < 0 && errno != EINTR) {
			d->error = "poll failed";
			return -errno;
		}
		if (drain_all(d, false))
			return -EPROTO;
		/* The caller's tick first: it may trigger (SIGUSR1), and the
		 * snapshot then holds this drain. */
		if (tick)
			tick(d, arg);
		if (d->flight && !stopping && flight_after_drain(d))
			return -ENOMEM;
		/* A second CLOCK record soon after the first gives readers of
		 * a file still being written (ctrace top) the TSC's rate. */
		if (d->user_only && since(&t0) - last_clock >= (last_clock ? 1 : 0.2)) {
			last_clock = since(&t0);
			user_clock_snapshot(d, CTRACE_CLOCK_SNAP_PERIODIC);
		}
		if (!stopping && since(&t0) - last_busy >= 1) {
			last_busy = since(&t0);
			check_busy(d);
		}
		if (!stopping && should_stop && should_stop(d, arg)) {
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
		if (stopping) {
			/* stop() is synchronous: spin the drain */
			pfd[0].events = 0;
			pfd[1].fd = -1;
			pfd[2].fd = -1;
		}
	}
	if (drain_all(d, true))
		return -EPROTO;
	check_busy(d);
	user_clock_snapshot(d, CTRACE_CLOCK_SNAP_STOP);
	return d->flight ? flight_finish(d) : finish_file(d);
}

uint64_t recorder_clock_now(const struct recorder *d)
{
	struct timespec ts;

#if defined(__x86_64__)
	if (d->clock == CTRACE_CLOCK_TSC)
		return __builtin_ia32_rdtsc();
#endif
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/*
 * A forked child has copies of our descriptors and mappings: the session's
 * netlink socket and /dev/ctrace file would keep the session alive after
 * the parent dies.  Close and unmap them, write nothing, free nothing that
 * the parent's threads might have been changing.
 */
void recorder_forget(struct recorder *d)
{
	if (d->devfd >= 0)
		close(d->devfd);
	if (d->out_fd >= 0)
		close(d->out_fd);
	if (user_memfd(d) >= 0)
		close(user_memfd(d));
	if (d->ctl)
		close(ctrace_ctl_fd(d->ctl));
	if (d->rings)
		ctrace_rings_unmap(d->rings);
}

void recorder_free(struct recorder *d)
{
	flight_free(d);		/* d->w was its generation's */
	trigger_free(d);
	if (d->out_fd >= 0 && fsync(d->out_fd) < 0 && errno != EINVAL && !d->error)
		d->error = "cannot sync the trace file";
	ctrace_writer_free(d->w);
	d->w = NULL;
	user_free(d);
	ctrace_rings_unmap(d->rings);
	d->rings = NULL;
	free(d->rs);
	d->rs = NULL;
	if (d->devfd >= 0)
		close(d->devfd);	/* destroys the session */
	d->devfd = -1;
	if (d->out_fd >= 0 && d->out_fd != d->output_fd)
		close(d->out_fd);
	d->out_fd = -1;
	ctrace_session_info_free(&d->info);
	ctrace_ctl_close(d->ctl);
	d->ctl = NULL;
}
