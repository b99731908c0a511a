// SPDX-License-Identifier: LGPL-2.1
/*
 * The invariants every decoded trace must satisfy, after Go's
 * internal/trace validation: run over each trace the tests decode, and by
 * `ctrace validate`.
 *
 * Rings: chunk by chunk, the event sequence is contiguous and timestamps
 * do not go back; STATS agree with what was decoded.
 *
 * Threads and user records: the model (tools/model) is the one state
 * machine.  What its state forbids it reports as an anomaly; this file
 * decides which anomalies are violations.  Its rules are in
 * tools/model/sched.c (the scheduler: switched in only when runnable,
 * out only from the CPU it runs on, never on two CPUs at once, never after
 * it died; a CPU's switch-out names the thread its previous switch-in put
 * on it) and user.c (regions nest per thread; a task ID is not begun
 * twice while open).
 *
 * Losses.  A LOST record stands for events dropped on its ring between the
 * ring's previous event and itself; events recorded on other rings in that
 * window may depend on the dropped ones (a wakeup issued on the lossy CPU,
 * then the switch-in on another).  So retractable anomalies are held back
 * until every other ring has moved past their timestamp; a loss the model
 * reports (a LOST or CORRUPT record, a sequence gap, a ring whose
 * beginning is missing) retracts the held ones inside its window, in its
 * domain: the scheduler's, or one ring set's user records.  A CORRUPT
 * record stands for bytes between its ring's previous record and its next
 * one, so its window stays open until that next record arrives; one that
 * ends its ring leaves it open to the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "model.h"

struct vring {
	uint64_t last_ts;	/* of its last event */
	uint64_t returned;	/* events + LOST records seen */
	bool started;
	bool corrupt_open;	/* USER: its last record was a CORRUPT */
};

/* A violation held back until no loss can explain it any more. */
struct held {
	uint64_t ts;
	size_t ring;
	uint32_t domain;	/* 0: scheduler; ring set + 1: its user records */
	bool retractable;
	char msg[400];
};

#define HELD_MAX 4096

#define HELD_MAX 4096

struct vctx {
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	struct ctrace_validation *v;
	FILE *log;
	struct vring *rings;
	struct held *held;	/* a circular queue of HELD_MAX */
	size_t held_first, nr_held;
	bool oom_said;
};

#define HELD(x, i) (&(x)->held[((x)->held_first + (i)) % HELD_MAX])

static void emit(struct vctx *x, const char *msg)
{
	if (!x->v->errors++)
		snprintf(x->v->first_error, sizeof(x->v->first_error), "%s", msg);
	if (x->log)
		fprintf(x->log, "%s\n", msg);
}

static void emitf(struct vctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emitf(struct vctx *x, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(x, msg);
}

static void flush_held(struct vctx *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		emit(x, HELD(x, i)->msg);
	x->held_first = (x->held_first + n) % HELD_MAX;
	x->nr_held -= n;
}

/* The model's anomaly: a violation, held back if a loss may explain it. */
static void on_anomaly(void *arg, const struct ctrace_event *ev, uint32_t domain,
		       bool retractable, const char *msg)
{
	struct vctx *x = arg;
	struct held *h;
	char label[48];

	if (!x->held) {
		x->held = malloc(HELD_MAX * sizeof(*x->held));
		if (!x->held) {
			emitf(x, "offset %" PRIu64 ": out of memory validating",
			      ev->offset);
			return;
		}
	}
	if (x->nr_held == HELD_MAX)
		flush_held(x, 1);	/* a bound on memory, at a small risk */
	h = HELD(x, x->nr_held);
	x->nr_held++;
	h->ts = ev->ts;
	h->ring = ctrace_cursor_ring_index(x->c);
	h->domain = domain;
	h->retractable = retractable;
	ctrace_ring_label(ev->kind, ev->ring, label, sizeof(label));
	snprintf(h->msg, sizeof(h->msg), "offset %" PRIu64 ": %s seq %" PRIu64 ": %s",
		 ev->offset, label, ev->seq, msg);
}

/*
 * Events on ring @ri were lost after the ring's event at @from (or from
 * its beginning).  Retract what they may explain in their @domain.
 */
static void retract(struct vctx *x, size_t ri, bool has_from, uint64_t from,
		    uint32_t domain)
{
	size_t n = 0;

	for (size_t i = 0; i < x->nr_held; i++) {
		const struct held *h = HELD(x, i);
		bool inside = !has_from || h->ts > from ||
			      (h->ts == from && h->ring != ri);

		if (!(h->retractable && inside && h->domain == domain)) {
			if (n != i)
				*HELD(x, n) = *h;
			n++;
		}
	}
	x->nr_held = n;
}

static void on_loss(void *arg, const struct ctrace_model_loss *l)
{
	struct vctx *x = arg;

	retract(x, l->ring_index, l->has_from, l->from_ts, l->domain);
}

/* Emit held violations that no ring can retract any more. */
static void settle(struct vctx *x)
{
	uint64_t min1 = UINT64_MAX, min2 = UINT64_MAX;
	size_t arg = SIZE_MAX, n = 0;

	if (!x->nr_held)
		return;
	/* A ring's next loss window starts at its last event. */
	for (size_t i = 0; i < ctrace_trace_nr_rings(x->t); i++) {
		const struct vring *r = &x->rings[i];
		uint64_t ts;

		/* Nothing more from it, unless a CORRUPT left its window open. */
		if (r->returned == ctrace_trace_ring(x->t, i)->records && !r->corrupt_open)
			continue;
		ts = r->started ? r->last_ts : 0;
		if (ts < min1) {
			min2 = min1;
			min1 = ts;
			arg = i;
		} else if (ts < min2) {
			min2 = ts;
		}
	}
	/* A ring's own loss never reaches back to its own earlier events. */
	while (n < x->nr_held &&
	       (HELD(x, n)->ring == arg ? min2 : min1) > HELD(x, n)->ts)
		n++;
	flush_held(x, n);
}

/* What the validation counts, per event. */
static void count_event(struct vctx *x, const struct ctrace_event *ev)
{
	struct ctrace_validation *v = x->v;

	if (ev->kind == CTRACE_RING_USER) {
		struct ctrace_urec h;

		memcpy(&h, ev->rec, sizeof(h));
		if (h.type == CTRACE_UREC_LOST) {
			struct ctrace_urec_lost k;

			memcpy(&k, ev->rec, sizeof(k));
			v->lost += k.total;
			return;
		}
		v->events++;
		if (h.type == CTRACE_FREC_CORRUPT) {
			struct ctrace_frec_corrupt k;

			memcpy(&k, ev->rec, sizeof(k));
			v->corrupt++;
			v->corrupt_bytes += k.bytes;
		} else {
			v->user_events++;
		}
		return;
	}
	if (!ctrace_kind_krec(ev->kind)) {
		v->events++;
		return;
	}
	if (ev->type == CTRACE_KREC_LOST) {
		struct ctrace_krec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		v->lost += k.count;
		return;
	}
	v->events++;
	if (ev->type == CTRACE_KREC_SWITCH)
		v->switches++;
	else if (ev->type == CTRACE_KREC_WAKEUP)
		v->wakeups++;
}

static void note_ring(struct vctx *x, const struct ctrace_event *ev)
{
	struct vring *vr = &x->rings[ctrace_cursor_ring_index(x->c)];

	if (ev->kind == CTRACE_RING_USER) {
		struct ctrace_urec h;

		memcpy(&h, ev->rec, sizeof(h));
		vr->corrupt_open = h.type == CTRACE_FREC_CORRUPT;
	}
	vr->started = true;
	vr->last_ts = ev->ts;
	vr->returned++;
}

/* Chunk contiguity and time order, per ring. */
static void check_chunks(struct vctx *x)
{
	const char *fl = ctrace_trace_meta(x->t, "flight");
	bool flight = fl && !strcmp(fl, "1");

	for (size_t i = 0; i < ctrace_trace_nr_rings(x->t); i++) {
		const struct ctrace_ring_info *r = ctrace_trace_ring(x->t, i);
		struct ctrace_chunk_info ch, p;
		char label[48];

		ctrace_ring_label(r->kind, r->ring, label, sizeof(label));
		for (size_t j = 0; ctrace_trace_chunk(x->t, i, j, &ch); j++, p = ch) {
			uint64_t want;

			if (j == 0) {
				/* Not an error: only what came before is missing
				 * (and in a flight recorder's window, expected). */
				if (ch.seq_first && x->log && !flight)
					fprintf(x->log,
						"offset %" PRIu64 ": %s seq %" PRIu64 ": warning: the ring's first %" PRIu64 " events are missing\n",
						ch.offset, label, ch.seq_first, ch.seq_first);
				continue;
			}
			want = p.seq_first + p.events + p.lost;
			if (ch.seq_first != want)
				emitf(x, "offset %" PRIu64 ": %s seq %" PRIu64 ": chunk %" PRIu64 " starts at seq %" PRIu64 ", expected %" PRIu64 " (%" PRIu64 " events %s)",
				      ch.offset, label, ch.seq_first, ch.index, ch.seq_first, want,
				      ch.seq_first > want ? ch.seq_first - want : want - ch.seq_first,
				      ch.seq_first > want ? "missing" : "repeated");
			/* User rings have no ts_base: the reader raises. */
			if (r->kind != CTRACE_RING_USER && ch.ts_base < p.ts_last)
				emitf(x, "offset %" PRIu64 ": %s seq %" PRIu64 ": chunk %" PRIu64 " starts at ts %" PRIu64 ", before the ring's last ts %" PRIu64,
				      ch.offset, label, ch.seq_first, ch.index, ch.ts_base,
				      p.ts_last);
		}
	}
}

static void check_stats(struct vctx *x)
{
	uint64_t off = ctrace_trace_stats_offset(x->t);

	if (!off)
		return;
	for (size_t i = 0; i < ctrace_trace_nr_rings(x->t); i++) {
		const struct ctrace_ring_info *r = ctrace_trace_ring(x->t, i);
		const struct ctrace_ring_stats *s = &r->stats;
		char label[48];

		ctrace_ring_label(r->kind, r->ring, label, sizeof(label));
		if (!r->has_stats) {
			emitf(x, "offset %" PRIu64 ": %s: not in the STATS chunk", off, label);
			continue;
		}
		/* For user rings, "recorded" is what the dumper kept. */
		if (r->events != s->events_read || s->events_read != s->events)
			emitf(x, "offset %" PRIu64 ": %s: STATS say %" PRIu64 " events recorded and %" PRIu64 " read, the file holds %" PRIu64,
			      off, label, s->events, s->events_read, r->events);
		if (r->lost != s->lost_read || s->lost_read > s->lost)
			emitf(x, "offset %" PRIu64 ": %s: STATS say %" PRIu64 " events lost and %" PRIu64 " reported, the file reports %" PRIu64,
			      off, label, s->lost, s->lost_read, r->lost);
	}
}

int ctrace_validate(struct ctrace_trace *t, struct ctrace_validation *v,
		    FILE *log)
{
	struct vctx x = { .t = t, .v = v, .log = log };
	const struct ctrace_model_sink sink = {
		.arg = &x, .anomaly = on_anomaly, .loss = on_loss,
	};
	size_t nr = ctrace_trace_nr_rings(t);
	struct ctrace_model *m = NULL;
	struct ctrace_event ev;
	int r;

	memset(v, 0, sizeof(*v));
	if (ctrace_trace_problem_kind(t) == CTRACE_PROBLEM_CORRUPT)
		emit(&x, ctrace_trace_problem(t));
	if (ctrace_trace_user_only(t))
		for (size_t i = 0; i < nr; i++) {
			const struct ctrace_ring_info *ri = ctrace_trace_ring(t, i);
			struct ctrace_chunk_info ch;

			if (ri->kind != CTRACE_RING_KERNEL)
				continue;
			emitf(&x, "offset %" PRIu64 ": ring %u: a kernel ring in a user-only trace (META user_only=1)",
			      ctrace_trace_chunk(t, i, 0, &ch) ? ch.offset :
			      ctrace_trace_stats_offset(t), ri->ring);
			break;
		}
	check_chunks(&x);

	x.rings = calloc(nr ? nr : 1, sizeof(*x.rings));
	if (!x.rings || ctrace_cursor_new(t, &x.c) ||
	    ctrace_model_new(t, x.c, &sink, &m)) {
		free(x.rings);
		ctrace_cursor_free(x.c);
		emit(&x, "out of memory validating");
		return -ENOMEM;
	}
	while ((r = ctrace_cursor_next(x.c, &ev)) > 0) {
		count_event(&x, &ev);
		if (ctrace_model_feed(m, &ev) && !x.oom_said) {
			emitf(&x, "offset %" PRIu64 ": out of memory validating",
			      ev.offset);
			x.oom_said = true;
		}
		note_ring(&x, &ev);
		settle(&x);
	}
	/* A ring that ends in a CORRUPT record lost bytes from then on. */
	for (size_t i = 0; i < nr; i++)
		if (x.rings[i].corrupt_open)
			retract(&x, i, true, x.rings[i].last_ts,
				ctrace_uring_set(ctrace_trace_ring(t, i)->ring) + 1);
	ctrace_model_finish(m);
	flush_held(&x, x.nr_held);
	if (r < 0)
		emit(&x, ctrace_cursor_error(x.c));
	check_stats(&x);

	ctrace_model_free(m);
	ctrace_cursor_free(x.c);
	free(x.rings);
	free(x.held);
	return v->errors ? -EINVAL : 0;
}
