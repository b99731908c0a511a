// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder: keep the last window of a recording in memory and
 * write it as a trace file of its own when a trigger fires (recorder.h).
 *
 * What is kept is a list of generations, as Go's flight recorder keeps
 * its own.  A generation is a run of RING chunks, exactly as the file
 * would hold them, in a memfd.  A new one starts every quarter of the
 * window (or of the memory bound), and each starts with the state said
 * again: with the module, SESSION_RESTATE makes it write a CLOCK record
 * and every traced thread's name and state (THREAD records, flags
 * SNAPSHOT | RESTATE); without it, we write a CLOCK record and THREAD
 * records of our own for the threads user THREAD records named so far.  The oldest
 * generation goes when the next one alone covers the window, or when
 * the memory bound is passed.
 *
 * What every snapshot needs whatever its window (the ring sets' USET
 * chunks and every string they defined) is kept apart, in the "keep" run,
 * and copied first.  A snapshot file is then: the file header, META (with
 * the flight_* keys), the keep run, the generations' chunks, STATS for
 * what the file holds, END.  Chunks are renumbered and their CRCs computed
 * again as they are copied.  It is written to NAME.part and renamed, so a
 * snapshot appears whole or not at all.
 *
 * A window starts mid-stream: a ring's first chunk has seq_first > 0, a
 * region may end with no begin, and until the restatement a thread's state
 * is unknown (never "running" by default).  Readers handle all three.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "recorder.h"

#define FLIGHT_GENS_MAX		64
#define FLIGHT_GEN_MIN_NS	50000000ull	/* 50 ms */
/* In a size-bound window, a new generation at least this often. */
#define FLIGHT_GEN_MAX_NS	2000000000ull

struct flight_gen {
	int fd;
	struct ctrace_writer *w;
	uint64_t start_ns;		/* CLOCK_MONOTONIC */
};

struct flight {
	struct flight_gen gen[FLIGHT_GENS_MAX];
	uint32_t first, n;		/* a ring of generations */
	int keep_fd;
	struct ctrace_writer *keep;
	struct ctrace_ctl *ntf;		/* the events group: NTF_SNAPSHOT */
	const char *pending;		/* a trigger fired: why (in why[]) */
	char why[192];
	uint64_t last_snap_ns;
	uint32_t snapshots, suppressed;
	uint64_t cut;			/* generations dropped for memory */
	bool restate_failed;
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

static struct flight_gen *gen_at(struct flight *f, uint32_t i)
{
	return &f->gen[(f->first + i) % FLIGHT_GENS_MAX];
}

static struct flight_gen *gen_cur(struct flight *f)
{
	return gen_at(f, f->n - 1);
}

static uint64_t gen_bytes(const struct flight_gen *g)
{
	return ctrace_writer_bytes(g->w);
}

static uint64_t flight_bytes(struct flight *f)
{
	uint64_t n = ctrace_writer_bytes(f->keep);

	for (uint32_t i = 0; i < f->n; i++)
		n += gen_bytes(gen_at(f, i));
	return n;
}

static int run_open(const char *name, int *fd, struct ctrace_writer **w)
{
	int err;

	*fd = memfd_create(name, MFD_CLOEXEC);
	if (*fd < 0)
		return -errno;
	err = ctrace_writer_open_run(w, *fd);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

static void gen_drop_oldest(struct flight *f)
{
	struct flight_gen *g = gen_at(f, 0);

	ctrace_writer_free(g->w);
	close(g->fd);
	f->first = (f->first + 1) % FLIGHT_GENS_MAX;
	f->n--;
}

/* Start a generation: what is drained from now on goes into it. */
static int gen_start(struct recorder *d)
{
	struct flight *f = d->flight;
	struct flight_gen *g;
	int err;

	if (f->n == FLIGHT_GENS_MAX)
		gen_drop_oldest(f);
	g = &f->gen[(f->first + f->n) % FLIGHT_GENS_MAX];
	err = run_open("ctrace-flight-gen", &g->fd, &g->w);
	if (err) {
		d->error = "cannot create a flight-recorder generation";
		return err;
	}
	g->start_ns = mono_ns();
	f->n++;
	d->w = g->w;
	return 0;
}

/* The state again, at the head of the new generation. */
static void gen_restate(struct recorder *d)
{
	struct flight *f = d->flight;

	if (d->user_only) {
		user_clock_snapshot(d, CTRACE_CLOCK_SNAP_PERIODIC);
		user_restate_threads(d);
		return;
	}
	if (ctrace_ctl_session_cmd(d->ctl, CTRACE_CMD_SESSION_RESTATE, d->session_id) &&
	    !f->restate_failed) {
		f->restate_failed = true;
		if (d->flight_log)
			fprintf(d->flight_log, "%s: cannot restate the threads' states: %s (snapshots may start with threads in an unknown state)\n",
				d->who, ctrace_ctl_error(d->ctl));
	}
}

int flight_setup(struct recorder *d)
{
	struct flight *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	d->flight = f;
	f->keep_fd = -1;
	if (!d->fopts.max_bytes)
		d->fopts.max_bytes = CTRACE_FLIGHT_MAX_DEFAULT;
	err = run_open("ctrace-flight-keep", &f->keep_fd, &f->keep);
	if (err) {
		d->error = "cannot create the flight recorder's memory";
		return err;
	}
	err = gen_start(d);
	if (err)
		return err;
	if (!d->user_only) {
		/* A socket of its own: notifications must not meet replies. */
		f->ntf = ctrace_ctl_open(&err);
		if (!f->ntf)
			return -ENOMEM;
		if (!err)
			err = ctrace_ctl_subscribe(f->ntf);
		if (err) {
			d->error = "cannot listen to ctrace's notifications";
			return err;
		}
	}
	return 0;
}

struct ctrace_writer *recorder_keep_writer(struct recorder *d)
{
	return d->flight ? d->flight->keep : d->w;
}

int flight_ntf_fd(const struct recorder *d)
{
	return d->flight && d->flight->ntf ? ctrace_ctl_fd(d->flight->ntf) : -1;
}

void recorder_trigger(struct recorder *d, const char *why)
{
	struct flight *f = d->flight;

	if (f && !f->pending) {
		snprintf(f->why, sizeof(f->why), "%s", why);
		f->pending = f->why;
	}
}

uint32_t recorder_snapshots(const struct recorder *d)
{
	return d->flight ? d->flight->snapshots : 0;
}

bool recorder_flight_done(const struct recorder *d)
{
	return d->flight && d->fopts.count && d->flight->snapshots >= d->fopts.count;
}

/* For our session: NTF_SNAPSHOT (ctrace snapshot), NTF_LATENCY. */
static void read_notifications(struct recorder *d)
{
	struct ctrace_notification n;
	char why[160];

	while (ctrace_ctl_recv_notification(d->flight->ntf, 0, &n) > 0) {
		if (n.session_id != d->session_id)
			continue;
		if (n.cmd == CTRACE_CMD_NTF_SNAPSHOT) {
			recorder_trigger(d, "ctrace snapshot");
		} else if (n.cmd == CTRACE_CMD_NTF_LATENCY) {
			snprintf(why, sizeof(why), "scheduling latency over %.3f ms (thread %u waited %.3f ms)",
				 d->opts.latency_trigger_ns / 1e6, n.tid, n.latency_ns / 1e6);
			recorder_trigger(d, why);
		}
	}
}

/* ---------------------------------------------------------- the snapshot */

struct snap_stats {
	struct ctrace_ring_stats *st;
	uint32_t n, cap;
};

static int stats_add(struct snap_stats *s, const struct ctrace_ring_chunk *rc, size_t len)
{
	struct ctrace_ring_stats *e = NULL;

	for (uint32_t i = 0; i < s->n; i++)
		if (s->st[i].ring == rc->ring && s->st[i].kind == rc->kind) {
			e = &s->st[i];
			break;
		}
	if (!e) {
		if (s->n == s->cap) {
			uint32_t cap = s->cap ? 2 * s->cap : 64;
			void *p = realloc(s->st, cap * sizeof(*s->st));

			if (!p)
				return -ENOMEM;
			s->st = p;
			s->cap = cap;
		}
		e = &s->st[s->n++];
		*e = (struct ctrace_ring_stats){ .ring = rc->ring, .kind = rc->kind };
	}
	/* The window's own account: what it holds, and what it lost. */
	e->events += rc->events;
	e->events_read += rc->events;
	e->lost += rc->lost;
	e->lost_read += rc->lost;
	e->bytes += len - sizeof(*rc);
	return 0;
}

/* Copy a run of chunks (ours: checked only so as not to run off it). */
static int copy_run(struct ctrace_writer *out, int fd, uint64_t size,
		    bool rings_only, struct snap_stats *ss)
{
	const struct ctrace_chunk_header *h;
	uint8_t *p;
	uint64_t off = 0;
	int err = 0;

	if (!size)
		return 0;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	while (!err && off + sizeof(*h) <= size) {
		h = (const void *)(p + off);
		if (h->magic != CTRACE_CHUNK_MAGIC || h->size > size - off - sizeof(*h)) {
			err = -EPROTO;
			break;
		}
		if (!rings_only || h->type == CTRACE_CHUNK_RING) {
			if (h->type == CTRACE_CHUNK_RING && h->size >= sizeof(struct ctrace_ring_chunk))
				err = stats_add(ss, (const void *)(h + 1), h->size);
			if (!err)
				err = ctrace_writer_chunk(out, h->type, h + 1, h->size);
		}
		off += sizeof(*h) + h->size;
	}
	munmap(p, size);
	return err;
}

/* "app.trace" gives "app-1.trace", "app-2.trace"...; "x" gives "x-1". */
static char *snapshot_name(const char *output, uint32_t n)
{
	size_t len = strlen(output);
	const char *ext = len > 6 && !strcmp(output + len - 6, ".trace") ? ".trace" : "";
	char *s = malloc(len + 32);

	if (s)
		sprintf(s, "%.*s-%u%s", (int)(len - strlen(ext)), output, n, ext);
	return s;
}

static int write_snapshot(struct recorder *d, const char *why)
{
	struct flight *f = d->flight;
	struct snap_stats ss = { 0 };
	struct ctrace_writer *w = NULL;
	char meta[8192], *name, *part = NULL;
	uint64_t events = 0, lost = 0, window_ns = mono_ns() - gen_at(f, 0)->start_ns;
	int fd = -1, n, err;

	name = snapshot_name(d->output, f->snapshots + 1);
	if (name && asprintf(&part, "%s.part", name) < 0)
		part = NULL;
	if (!part) {
		free(name);
		return -ENOMEM;
	}
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	n = recorder_meta_text(d, meta, sizeof(meta));
	n += snprintf(meta + n, sizeof(meta) - n,
		      "flight=1\nflight_snapshot=%u\nflight_trigger=%s\n"
		      "flight_window_ns=%llu\nflight_generations=%u\n"
		      "flight_bound_ns=%llu\nflight_bound_bytes=%llu\n",
		      f->snapshots + 1, why, (unsigned long long)window_ns, f->n,
		      (unsigned long long)d->fopts.window_ns,
		      (unsigned long long)d->fopts.max_bytes);
	if (n < (int)sizeof(meta))
		n += recorder_busy_text(d, meta + n, sizeof(meta) - n);
	if (n >= (int)sizeof(meta)) {
		err = -E2BIG;
		goto out;
	}
	err = ctrace_writer_open(&w, fd);
	if (!err)
		err = ctrace_writer_meta(w, meta, n);
	if (!err)
		err = copy_run(w, f->keep_fd, ctrace_writer_bytes(f->keep), false, &ss);
	for (uint32_t i = 0; !err && i < f->n; i++)
		err = copy_run(w, gen_at(f, i)->fd, gen_bytes(gen_at(f, i)), true, &ss);
	if (!err)
		err = ctrace_writer_stats(w, ss.st, ss.n);
	if (!err)
		err = ctrace_writer_end(w);
	if (!err && fsync(fd) < 0 && errno != EINVAL)
		err = -errno;
	if (!err && rename(part, name) < 0)
		err = -errno;
	for (uint32_t i = 0; i < ss.n; i++) {
		events += ss.st[i].events;
		lost += ss.st[i].lost;
	}
	if (!err && d->flight_log)
		fprintf(d->flight_log, "%s: snapshot %u (%s): wrote %s: %.2fs, %llu events, %llu lost, %llu bytes\n",
			d->who, f->snapshots + 1, why, name, window_ns / 1e9,
			(unsigned long long)events, (unsigned long long)lost,
			(unsigned long long)ctrace_writer_bytes(w));
out:
	if (err && d->flight_log)
		fprintf(d->flight_log, "%s: cannot write snapshot %s: %s\n", d->who,
			name, strerror(-err));
	if (err)
		unlink(part);
	ctrace_writer_free(w);
	if (fd >= 0)
		close(fd);
	free(ss.st);
	free(part);
	free(name);
	return err;
}

/* A trigger fired: write the window, unless too soon after the last. */
static int take_snapshot(struct recorder *d)
{
	struct flight *f = d->flight;
	const char *why = f->pending;
	uint64_t now = mono_ns();

	f->pending = NULL;
	if (recorder_flight_done(d))
		return 0;
	if (f->snapshots && now - f->last_snap_ns < d->fopts.gap_ns) {
		f->suppressed++;
		if (d->flight_log)
			fprintf(d->flight_log, "%s: %s: too soon after the last snapshot (--flight-gap), none taken\n",
				d->who, why);
		return 0;
	}
	/* A snapshot that could not be written (disk full, say) is said
	 * and the recording goes on: the next trigger may fare better. */
	if (!write_snapshot(d, why))
		f->snapshots++;
	f->last_snap_ns = mono_ns();
	return 0;
}

/*
 * After each drain: take a pending snapshot (what is drained is in), start
 * a new generation when this one is old or big enough, and let the oldest
 * go when the rest cover the window, or memory is past its bound.
 */
int flight_after_drain(struct recorder *d)
{
	struct flight *f = d->flight;
	uint64_t now = mono_ns(), span, step;
	struct flight_gen *g = gen_cur(f);
	bool rotate;
	int err;

	if (f->ntf)
		read_notifications(d);
	if (f->pending && (err = take_snapshot(d)))
		return err;
	if (d->fopts.window_ns) {
		step = d->fopts.window_ns / 4;
		if (step < FLIGHT_GEN_MIN_NS)
			step = FLIGHT_GEN_MIN_NS;
		rotate = now - g->start_ns >= step;
	} else {
		rotate = gen_bytes(g) >= d->fopts.max_bytes / 4 ||
			 now - g->start_ns >= FLIGHT_GEN_MAX_NS;
	}
	if (rotate) {
		err = gen_start(d);
		if (err)
			return err;
		gen_restate(d);
	}
	span = d->fopts.window_ns;
	while (f->n > 1 && span && now > span && gen_at(f, 1)->start_ns <= now - span)
		gen_drop_oldest(f);
	while (f->n > 1 && flight_bytes(f) > d->fopts.max_bytes) {
		if (span)
			f->cut++;	/* the window is shorter than asked */
		gen_drop_oldest(f);
	}
	return 0;
}

/* Stopped: a trigger that came with the end (the command failed). */
int flight_finish(struct recorder *d)
{
	if (d->flight->pending)
		return take_snapshot(d);
	return 0;
}

uint64_t recorder_flight_bytes(const struct recorder *d)
{
	return d->flight ? flight_bytes(d->flight) : 0;
}

void flight_free(struct recorder *d)
{
	struct flight *f = d->flight;

	if (!f)
		return;
	while (f->n)
		gen_drop_oldest(f);
	d->w = NULL;
	ctrace_writer_free(f->keep);
	if (f->keep_fd >= 0)
		close(f->keep_fd);
	ctrace_ctl_close(f->ntf);
	free(f);
	d->flight = NULL;
}
