// SPDX-License-Identifier: LGPL-2.1
/*
 * The invariants every decoded trace must satisfy, after Go's
 * internal/trace validation: run over each trace the tests decode, and by
 * `ctrace validate`.
 *
 * Rings: chunk by chunk, the event sequence is contiguous and timestamps
 * do not go back; STATS agree with what was decoded.
 *
 * Threads: a scheduler state machine fed by the merged event stream.
 *
 *           FORK          WAKEUP [new]
 *   (any) -------> NEW -----------------> RUNNABLE <--------------+
 *                                          ^    |                 |
 *                                   WAKEUP |    | SWITCH in       | SWITCH out R, R+
 *                                          |    v                 | (or S, D, T after
 *                                       WAITING  RUNNING(cpu) ----+  a WAKEUP while
 *                                          ^    |    |               it still ran)
 *                                          +----+    | SWITCH out X
 *                                  SWITCH out S,D,T  v
 *                                                   DEAD
 *
 * UNKNOWN is where every thread starts, and where losses put them back:
 * it allows anything, and the next event makes the state known.  The idle
 * task (tid 0, on every CPU at once) and hidden threads (one tid for many)
 * are not tracked.  Per CPU, the thread a switch puts on it must be the
 * one the next switch takes off.
 *
 * Losses.  A LOST record stands for events dropped on its ring between the
 * ring's previous event and itself; events recorded on other rings in that
 * window may depend on the dropped ones (a wakeup issued on the lossy CPU,
 * then the switch-in on another).  So scheduler violations are held back
 * until every other ring has moved past their timestamp; a loss (or a
 * sequence gap, or a ring whose beginning is missing) retracts the held
 * ones inside its window and resets all states to UNKNOWN.
 *
 * Filtered sessions.  A session that follows some processes (META target
 * pids:... or command:...) records only the switches that involve them,
 * and only their wakeups.  Their threads are checked all the same, once
 * the trace shows they are traced: they are woken (only traced threads'
 * wakeups are recorded), in the snapshot, or exec, exit, rename, migrate,
 * or are threads forked inside a traced process.  Other threads, and a
 * CPU running one of them, are not checked: what they did in between is
 * not in the trace.  A cgroup session (threads may enter and leave it) is
 * not checked at all.  Without wakeups recorded (META events), sleeping
 * and new threads may run again unannounced.
 *
 * User rings.  Per ring, sequence and STATS as for kernel rings (their
 * timestamps may go back a little, which the reader irons out).  Per
 * thread, regions nest and a task ID is not begun twice while open
 * (ustate.c keeps the state).  Programs write these records from before
 * the session and through losses, so the rules are lenient: an END with
 * no region open closes one begun before the recording; a loss on a ring
 * set (LOST, CORRUPT, a sequence gap) forgets its threads' regions and
 * tasks, and retracts the violations it may explain, as kernel losses
 * do, but only those of the same ring set ("domain").  A CORRUPT record
 * stands for bytes between its ring's previous record and its next one,
 * so its window stays open until that next record arrives.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum vstate_kind {
	VS_UNKNOWN,
	VS_RUNNING,
	VS_RUNNABLE,
	VS_WAITING,
	VS_NEW,
	VS_DEAD,
};

struct vthread {
	uint32_t tid;
	bool traced;		/* filtered sessions: known to be traced */
	uint8_t state;		/* enum vstate_kind */
	bool woken;		/* a wakeup arrived while it still ran */
	uint32_t cpu;		/* RUNNING: where */
	uint64_t epoch;		/* state is UNKNOWN unless this is current */
	uint64_t since;		/* offset of the event that set the state */
};

struct vring {
	uint64_t last_ts;	/* of its last event */
	uint64_t next_seq;
	uint64_t returned;	/* events + LOST records seen */
	uint32_t cur_tid;	/* the thread the last switch put on it */
	uint64_t cur_epoch;	/* cur_tid is known when this is current */
	bool started;
	bool corrupt_open;	/* USER: a CORRUPT's window lasts to the next */
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

struct vctx {
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	struct ctrace_validation *v;
	FILE *log;
	bool sched;		/* check the scheduler state machine */
	bool filtered;		/* ...only of the threads known to be traced */
	bool wakeups;		/* wakeups are recorded */

	struct vring *rings;
	struct vthread *threads;
	size_t nr_threads, threads_cap;
	struct ctrace_map thread_map;
	uint64_t epoch;

	struct held *held;	/* a circular queue of HELD_MAX */
	size_t held_first, nr_held;

	struct ctrace_ustate us;
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

static void violation(struct vctx *x, const struct ctrace_event *ev,
		      bool retractable, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void violation(struct vctx *x, const struct ctrace_event *ev,
		      bool retractable, const char *fmt, ...)
{
	struct held *h;
	char label[48];
	va_list ap;
	int n;

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
	h->domain = ev->kind == CTRACE_RING_USER ? ctrace_uring_set(ev->ring) + 1 : 0;
	h->retractable = retractable;
	ctrace_ring_label(ev->kind, ev->ring, label, sizeof(label));
	n = snprintf(h->msg, sizeof(h->msg), "offset %" PRIu64 ": %s seq %" PRIu64 ": ",
		     ev->offset, label, ev->seq);
	va_start(ap, fmt);
	vsnprintf(h->msg + n, sizeof(h->msg) - n, fmt, ap);
	va_end(ap);
}

/*
 * Events on ring @ri were lost after the ring's event at @from (or from
 * its beginning).  Retract what they may explain in their @domain (0: the
 * scheduler's, whose states all reset; ring set + 1: that set's user
 * records, whose state the caller resets).
 */
static void loss(struct vctx *x, size_t ri, bool has_from, uint64_t from,
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
	if (!domain)
		x->epoch++;
}

/* Emit held violations that no ring can retract any more. */
static void settle(struct vctx *x)
{
	uint64_t min1 = UINT64_MAX, min2 = UINT64_MAX;
	size_t arg = SIZE_MAX, n = 0;

	if (!x->nr_held)
		return;
	/* A ring's next loss window starts at its last event. */
	for (size_t i = 0; i < x->t->nr_rings; i++) {
		const struct vring *r = &x->rings[i];
		uint64_t ts;

		/* Nothing more from it, unless a CORRUPT left its window open. */
		if (r->returned == x->t->rings[i].records && !r->corrupt_open)
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

static struct vthread *vth(struct vctx *x, uint32_t tid)
{
	uint32_t i = ctrace_map_get(&x->thread_map, tid);
	struct vthread *th;

	if (i == CTRACE_MAP_NONE) {
		if (x->nr_threads == x->threads_cap) {
			size_t cap = x->threads_cap ? x->threads_cap * 2 : 64;
			void *p = realloc(x->threads, cap * sizeof(*x->threads));

			if (!p)
				return NULL;
			x->threads = p;
			x->threads_cap = cap;
		}
		if (ctrace_map_put(&x->thread_map, tid, x->nr_threads))
			return NULL;
		i = x->nr_threads++;
		x->threads[i] = (struct vthread){ .tid = tid, .epoch = x->epoch };
	}
	th = &x->threads[i];
	if (th->epoch != x->epoch)
		*th = (struct vthread){ .tid = tid, .epoch = x->epoch,
					.traced = th->traced };
	return th;
}

/* The thread @tid, if its states are checked. */
static struct vthread *checked(struct vctx *x, uint32_t tid)
{
	struct vthread *th;

	if (tid == 0 || tid == CTRACE_TID_HIDDEN || !(th = vth(x, tid)))
		return NULL;
	return !x->filtered || th->traced ? th : NULL;
}

/* Filtered sessions: the trace shows @tid is traced. */
static void traced(struct vctx *x, uint32_t tid)
{
	struct vthread *th;

	if (x->filtered && tid && tid != CTRACE_TID_HIDDEN && (th = vth(x, tid)))
		th->traced = true;
}

#define NAME(tid, buf) (ctrace_thread_name(x->c, (tid), (buf), sizeof(buf)), (buf))

static void check_switch(struct vctx *x, const struct ctrace_event *ev,
			 struct vring *vr)
{
	unsigned int st = ev->aux & CTRACE_SWITCH_STATE_MASK;
	struct ctrace_krec_switch k;
	char a[48], b[48];
	struct vthread *th;

	memcpy(&k, ev->rec, sizeof(k));
	if (st > CTRACE_STATE_DEAD)
		violation(x, ev, false, "switch: unknown prev_state %u", st);
	if (!x->sched)
		return;

	/*
	 * A thread's visibility may change (setuid): hidden matches anything.
	 * Filtered: the CPU's thread is known only while it is traced.
	 */
	if (vr->cur_epoch == x->epoch && vr->cur_tid != k.prev_tid &&
	    vr->cur_tid != CTRACE_TID_HIDDEN && k.prev_tid != CTRACE_TID_HIDDEN &&
	    (!x->filtered || checked(x, vr->cur_tid)))
		violation(x, ev, true,
			  "switch: prev is %s but the last switch on cpu %u put %s on it",
			  NAME(k.prev_tid, a), ev->ring, NAME(vr->cur_tid, b));

	if ((th = checked(x, k.prev_tid))) {
		if (th->state == VS_RUNNING && th->cpu != ev->ring)
			violation(x, ev, true,
				  "switch: prev %s is running on cpu %u",
				  NAME(k.prev_tid, a), th->cpu);
		else if (th->state == VS_DEAD)
			violation(x, ev, true,
				  "switch: prev %s has died (offset %" PRIu64 ")",
				  NAME(k.prev_tid, a), th->since);
		switch (st) {
		case CTRACE_STATE_DEAD:
			th->state = VS_DEAD;
			break;
		case CTRACE_STATE_RUNNING:
		case CTRACE_STATE_RUNNABLE:
			th->state = VS_RUNNABLE;
			break;
		case CTRACE_STATE_SLEEPING:
		case CTRACE_STATE_BLOCKED:
		case CTRACE_STATE_STOPPED:
			/* Woken before it got off the CPU: it stays runnable. */
			th->state = th->woken ? VS_RUNNABLE : VS_WAITING;
			break;
		default:
			th->state = VS_UNKNOWN;
			break;
		}
		th->woken = false;
		th->since = ev->offset;
	}

	if ((th = checked(x, k.next_tid))) {
		switch (th->state) {
		case VS_RUNNING:
			if (th->cpu != ev->ring)
				violation(x, ev, true,
					  "switch: next %s is already running on cpu %u",
					  NAME(k.next_tid, a), th->cpu);
			break;
		case VS_DEAD:
			violation(x, ev, true,
				  "switch: next %s has died (offset %" PRIu64 ")",
				  NAME(k.next_tid, a), th->since);
			break;
		case VS_NEW:
			if (!x->wakeups)
				break;
			violation(x, ev, true,
				  "switch: next %s is new and was never woken (forked at offset %" PRIu64 ")",
				  NAME(k.next_tid, a), th->since);
			break;
		case VS_WAITING:
			if (!x->wakeups)
				break;
			violation(x, ev, true,
				  "switch: next %s is waiting and was not woken since it slept (offset %" PRIu64 ")",
				  NAME(k.next_tid, a), th->since);
			break;
		}
		th->state = VS_RUNNING;
		th->cpu = ev->ring;
		th->woken = false;
		th->since = ev->offset;
	}
	vr->cur_tid = k.next_tid;
	vr->cur_epoch = x->epoch;
}

static void check_wakeup(struct vctx *x, const struct ctrace_event *ev)
{
	struct ctrace_krec_wakeup k;
	struct vthread *th;
	char a[48];

	memcpy(&k, ev->rec, sizeof(k));
	if (!x->sched)
		return;
	traced(x, k.tid);	/* only traced threads' wakeups are recorded */
	if (!(th = checked(x, k.tid)))
		return;
	if (ev->aux & CTRACE_WAKEUP_F_NEW) {
		if (th->state != VS_NEW && th->state != VS_UNKNOWN) {
			violation(x, ev, true,
				  "wakeup [new] of %s, which is not new",
				  NAME(k.tid, a));
			return;
		}
		th->state = VS_RUNNABLE;
		th->woken = false;
		th->since = ev->offset;
		return;
	}
	switch (th->state) {
	case VS_NEW:
		violation(x, ev, true,
			  "wakeup of %s, which is new: its first wakeup must be [new]",
			  NAME(k.tid, a));
		th->state = VS_RUNNABLE;
		break;
	case VS_DEAD:
		violation(x, ev, true, "wakeup of %s, which has died (offset %" PRIu64 ")",
			  NAME(k.tid, a), th->since);
		return;
	case VS_RUNNING:
		/* Woken before it switched out: that switch-out won't sleep. */
		th->woken = true;
		return;
	case VS_RUNNABLE:
		return;
	default:
		/* An UNKNOWN thread may still be on a CPU: mark it woken too. */
		th->woken = th->state == VS_UNKNOWN;
		th->state = VS_RUNNABLE;
		break;
	}
	th->since = ev->offset;
}

static void check_fork(struct vctx *x, const struct ctrace_event *ev)
{
	struct ctrace_krec_fork k;
	struct vthread *th;

	memcpy(&k, ev->rec, sizeof(k));
	if (!x->sched)
		return;
	/* A thread of a traced process is traced; a new process may not be. */
	if (ev->aux & CTRACE_FORK_F_THREAD)
		traced(x, k.child_tid);
	if (!(th = checked(x, k.child_tid)))
		return;
	/* Whatever had this tid before has gone: tids are reused. */
	th->state = VS_NEW;
	th->woken = false;
	th->since = ev->offset;
}

/* " task=7" when the region names one. */
static const char *task_str(const struct ctrace_uregion *r, char *buf, size_t len)
{
	if (!r->has_task)
		return "";
	snprintf(buf, len, " task=%" PRIu64, r->task);
	return buf;
}

static void check_user(struct vctx *x, const struct ctrace_event *ev,
		       struct vring *vr, size_t ri)
{
	uint32_t set = ctrace_uring_set(ev->ring), domain = set + 1;
	struct ctrace_ustep st;
	struct ctrace_urec h;
	uint64_t count = 1;
	char a[48];

	memcpy(&h, ev->rec, sizeof(h));
	if (h.type == CTRACE_UREC_LOST) {
		struct ctrace_urec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		count = k.total;
		x->v->lost += count;
	} else {
		x->v->events++;
		if (h.type == CTRACE_FREC_CORRUPT) {
			struct ctrace_frec_corrupt k;

			memcpy(&k, ev->rec, sizeof(k));
			x->v->corrupt++;
			x->v->corrupt_bytes += k.bytes;
		} else {
			x->v->user_events++;
		}
	}

	/* The bytes a CORRUPT stands for lie before this record too. */
	if (vr->corrupt_open) {
		loss(x, ri, true, vr->last_ts, domain);
		ctrace_ustate_loss(&x->us, set);
		vr->corrupt_open = false;
	}
	if (h.type == CTRACE_UREC_LOST || h.type == CTRACE_FREC_CORRUPT ||
	    ev->seq != (vr->started ? vr->next_seq : 0)) {
		loss(x, ri, vr->started, vr->last_ts, domain);
		ctrace_ustate_loss(&x->us, set);
	}
	vr->corrupt_open = h.type == CTRACE_FREC_CORRUPT;
	vr->started = true;
	vr->next_seq = ev->seq + count;

	ctrace_ustate_step(&x->us, ev, &st);
	if (h.type == CTRACE_UREC_REGION_END && st.mismatch) {
		struct ctrace_uregion end = { .name = h.id, .has_task = ev->size >= 24 };
		char n1[160], n2[160], t1[32], t2[32];

		if (end.has_task)
			memcpy(&end.task, (const char *)ev->rec + sizeof(h), sizeof(end.task));
		ctrace_ustr_name(x->t, set, end.name, n1, sizeof(n1));
		ctrace_ustr_name(x->t, set, st.open.name, n2, sizeof(n2));
		violation(x, ev, true,
			  "region end name=%s%s on %s: the innermost open region is name=%s%s (begun at offset %" PRIu64 ")",
			  n1, task_str(&end, t1, sizeof(t1)), NAME(h.tid, a), n2,
			  task_str(&st.open, t2, sizeof(t2)), st.open.offset);
	} else if (h.type == CTRACE_UREC_TASK_BEGIN && st.reopened) {
		struct ctrace_urec_task k;
		char n1[160];

		memcpy(&k, ev->rec, sizeof(k));
		ctrace_ustr_name(x->t, set, h.id, n1, sizeof(n1));
		violation(x, ev, true,
			  "task begin name=%s id=%" PRIu64 " on %s: task %" PRIu64 " of process %u is open already (begun at offset %" PRIu64 ")",
			  n1, (uint64_t)k.task, NAME(h.tid, a), (uint64_t)k.task,
			  st.tgid, st.begin_offset);
	}
}

static void check_event(struct vctx *x, const struct ctrace_event *ev)
{
	size_t ri = ctrace_cursor_ring_index(x->c);
	struct vring *vr = &x->rings[ri];
	uint64_t count = 1;

	if (ev->kind == CTRACE_RING_USER) {
		check_user(x, ev, vr, ri);
		goto out;
	}
	if (!ctrace_kind_krec(ev->kind)) {
		x->v->events++;
		goto out;
	}
	{
		struct ctrace_ustep st;

		/* Exits and forks end threads' regions. */
		ctrace_ustate_step(&x->us, ev, &st);
	}

	if (ev->type == CTRACE_KREC_LOST) {
		struct ctrace_krec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		count = k.count;
		x->v->lost += count;
	} else {
		x->v->events++;
	}

	/* The chunk checks report gaps; here they only reset states. */
	if (ev->type == CTRACE_KREC_LOST || ev->seq != (vr->started ? vr->next_seq : 0))
		loss(x, ri, vr->started, vr->last_ts, 0);
	vr->started = true;
	vr->next_seq = ev->seq + count;

	switch (ev->type) {
	case CTRACE_KREC_SWITCH:
		x->v->switches++;
		/* The dumper's ring is no CPU. */
		if (ev->kind == CTRACE_RING_KERNEL)
			check_switch(x, ev, vr);
		break;
	case CTRACE_KREC_WAKEUP:
		x->v->wakeups++;
		check_wakeup(x, ev);
		break;
	case CTRACE_KREC_FORK:
		check_fork(x, ev);
		break;
	case CTRACE_KREC_THREAD:
		if (ev->size >= sizeof(struct ctrace_krec_thread)) {
			struct ctrace_krec_thread k;

			memcpy(&k, ev->rec, sizeof(k));
			if (k.flags & CTRACE_THREAD_F_SNAPSHOT)
				traced(x, k.tid);
		}
		break;
	default: {
		/* EXEC, EXIT, RENAME, MIGRATE: recorded only for traced threads. */
		uint32_t tids[CTRACE_RD_MAX_TIDS];
		unsigned int n = ctrace_event_tids(ev, CTRACE_ARG_TRACED, tids);

		for (unsigned int i = 0; i < n; i++)
			traced(x, tids[i]);
		break;
	}
	}
out:
	vr->last_ts = ev->ts;
	vr->returned++;
	settle(x);
}

/* Chunk contiguity and time order, per ring. */
static void check_chunks(struct vctx *x)
{
	for (size_t i = 0; i < x->t->nr_rings; i++) {
		const struct ctrace_ring *r = &x->t->rings[i];
		char label[48];

		ctrace_ring_label(r->info.kind, r->info.ring, label, sizeof(label));
		for (size_t j = 0; j < r->info.chunks; j++) {
			const struct ctrace_chunk_ref *ch = &r->chunks[j], *p;
			uint64_t want;

			if (j == 0) {
				/* Not an error: only what came before is missing. */
				if (ch->seq_first && x->log)
					fprintf(x->log,
						"offset %" PRIu64 ": %s seq %" PRIu64 ": warning: the ring's first %" PRIu64 " events are missing\n",
						ch->chunk_off, label,
						ch->seq_first, ch->seq_first);
				continue;
			}
			p = &r->chunks[j - 1];
			want = p->seq_first + p->events + p->lost;
			if (ch->seq_first != want)
				emitf(x, "offset %" PRIu64 ": %s seq %" PRIu64 ": chunk %" PRIu64 " starts at seq %" PRIu64 ", expected %" PRIu64 " (%" PRIu64 " events %s)",
				      ch->chunk_off, label, ch->seq_first,
				      ch->index, ch->seq_first, want,
				      ch->seq_first > want ? ch->seq_first - want : want - ch->seq_first,
				      ch->seq_first > want ? "missing" : "repeated");
			/* User rings have no ts_base: the reader raises. */
			if (r->info.kind != CTRACE_RING_USER && ch->ts_base < p->ts_last)
				emitf(x, "offset %" PRIu64 ": %s seq %" PRIu64 ": chunk %" PRIu64 " starts at ts %" PRIu64 ", before the ring's last ts %" PRIu64,
				      ch->chunk_off, label, ch->seq_first,
				      ch->index, ch->ts_base, p->ts_last);
		}
	}
}

static void check_stats(struct vctx *x)
{
	if (!x->t->has_stats)
		return;
	for (size_t i = 0; i < x->t->nr_rings; i++) {
		const struct ctrace_ring_info *r = &x->t->rings[i].info;
		const struct ctrace_ring_stats *s = &r->stats;
		char label[48];

		ctrace_ring_label(r->kind, r->ring, label, sizeof(label));
		if (!r->has_stats) {
			emitf(x, "offset %" PRIu64 ": %s: not in the STATS chunk",
			      x->t->stats_off, label);
			continue;
		}
		/* For user rings, "recorded" is what the dumper kept. */
		if (r->events != s->events_read || s->events_read != s->events)
			emitf(x, "offset %" PRIu64 ": %s: STATS say %" PRIu64 " events recorded and %" PRIu64 " read, the file holds %" PRIu64,
			      x->t->stats_off, label, s->events, s->events_read,
			      r->events);
		if (r->lost != s->lost_read || s->lost_read > s->lost)
			emitf(x, "offset %" PRIu64 ": %s: STATS say %" PRIu64 " events lost and %" PRIu64 " reported, the file reports %" PRIu64,
			      x->t->stats_off, label, s->lost, s->lost_read,
			      r->lost);
	}
}

/* META "events" (CTRACE_EV_*), all of them when absent or unreadable. */
static uint64_t event_groups(const struct ctrace_trace *t)
{
	const char *s = ctrace_trace_meta(t, "events");
	unsigned long long mask;
	char *end;

	if (!s)
		return CTRACE_EV_ALL;
	errno = 0;
	mask = strtoull(s, &end, 0);
	return errno || end == s || *end ? CTRACE_EV_ALL : mask;
}

int ctrace_validate(struct ctrace_trace *t, struct ctrace_validation *v,
		    FILE *log)
{
	const char *target = ctrace_trace_meta(t, "target");
	struct vctx x = {
		.t = t, .v = v, .log = log,
		.sched = !target || !strcmp(target, "all") ||
			 !strncmp(target, "pids:", 5) || !strncmp(target, "command:", 8),
		.filtered = target && strcmp(target, "all"),
		.wakeups = event_groups(t) & CTRACE_EV_WAKEUP,
		/* Epoch 0 is never current: rings start with no known thread. */
		.epoch = 1,
	};
	struct ctrace_event ev;
	int r;

	memset(v, 0, sizeof(*v));
	if (t->problem_kind == CTRACE_PROBLEM_CORRUPT)
		emit(&x, t->problem);
	if (t->user_only)
		for (size_t i = 0; i < t->nr_rings; i++)
			if (t->rings[i].info.kind == CTRACE_RING_KERNEL) {
				emitf(&x, "offset %" PRIu64 ": ring %u: a kernel ring in a user-only trace (META user_only=1)",
				      t->rings[i].info.chunks ? t->rings[i].chunks[0].chunk_off :
				      t->stats_off, t->rings[i].info.ring);
				break;
			}
	check_chunks(&x);

	x.rings = calloc(t->nr_rings ? t->nr_rings : 1, sizeof(*x.rings));
	if (!x.rings || ctrace_ustate_init(&x.us, t) || ctrace_cursor_new(t, &x.c)) {
		free(x.rings);
		ctrace_ustate_free(&x.us);
		emit(&x, "out of memory validating");
		return -ENOMEM;
	}
	while ((r = ctrace_cursor_next(x.c, &ev)) > 0)
		check_event(&x, &ev);
	/* A ring that ends in a CORRUPT record lost bytes from then on. */
	for (size_t i = 0; i < t->nr_rings; i++)
		if (x.rings[i].corrupt_open)
			loss(&x, i, true, x.rings[i].last_ts,
			     ctrace_uring_set(t->rings[i].info.ring) + 1);
	flush_held(&x, x.nr_held);
	if (r < 0)
		emit(&x, ctrace_cursor_error(x.c));
	check_stats(&x);

	ctrace_cursor_free(x.c);
	ctrace_ustate_free(&x.us);
	free(x.rings);
	free(x.threads);
	free(x.held);
	ctrace_map_free(&x.thread_map);
	return v->errors ? -EINVAL : 0;
}
