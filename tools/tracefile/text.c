// SPDX-License-Identifier: LGPL-2.1
/*
 * Text output: one line per event (`ctrace report --events`) and the
 * summary (`ctrace report`).  The line format is perf script's, so eyes
 * and scripts used to it can read ours (docs/file-format.md, "Text"):
 *
 *   <comm>-<tid> [<cpu>] <sec>.<nsec>: <event> <details>
 *
 * The thread in front is the one running on that CPU as the event was
 * recorded: the record's own actor where it names one (the prev of a
 * switch, a waker, a parent, the thread that execs or exits), else the
 * thread the CPU's last switch put on it.  Names are the cursor's
 * (THREAD, FORK, EXEC and RENAME records so far).  Strings from the file
 * have control characters replaced, so a line is always one line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static const char *const type_names[] = {
	[CTRACE_KREC_PAD] = "pad",
	[CTRACE_KREC_TIME] = "time",
	[CTRACE_KREC_LOST] = "lost",
	[CTRACE_KREC_CLOCK] = "clock",
	[CTRACE_KREC_SWITCH] = "switch",
	[CTRACE_KREC_WAKEUP] = "wakeup",
	[CTRACE_KREC_FORK] = "fork",
	[CTRACE_KREC_EXEC] = "exec",
	[CTRACE_KREC_EXIT] = "exit",
	[CTRACE_KREC_RENAME] = "rename",
	[CTRACE_KREC_MIGRATE] = "migrate",
	[CTRACE_KREC_THREAD] = "thread",
};

#define NR_TYPES (sizeof(type_names) / sizeof(type_names[0]))

static const char *type_name(unsigned int type)
{
	return type < NR_TYPES && type_names[type] ? type_names[type] : "unknown";
}

static const char *state_name(unsigned int state)
{
	static const char *const names[] = {
		[CTRACE_STATE_UNKNOWN] = "?",
		[CTRACE_STATE_RUNNING] = "R",
		[CTRACE_STATE_RUNNABLE] = "R",
		[CTRACE_STATE_SLEEPING] = "S",
		[CTRACE_STATE_BLOCKED] = "D",
		[CTRACE_STATE_STOPPED] = "T",
		[CTRACE_STATE_DEAD] = "X",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

/* Copy at most @max bytes of @s, up to a NUL, control characters as '?'. */
static void clean(char *out, size_t outlen, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && i + 1 < outlen && s[i]; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

static const char *tid_str(uint32_t tid, char *buf, size_t len)
{
	if (tid == CTRACE_TID_HIDDEN)
		return "?";
	snprintf(buf, len, "%u", tid);
	return buf;
}

struct printer {
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	unsigned int flags;	/* CTRACE_PRINT_* */
	struct {
		uint32_t tid;
		bool known;
	} *cur;			/* per ring index: the thread on that CPU */
};

/* The thread in front of the line: comm and tid columns. */
static void actor(const struct printer *p, bool known, uint32_t tid,
		  char *comm, size_t commlen, char *tidbuf, size_t tidlen)
{
	const struct ctrace_thread *th;

	if (!known) {
		snprintf(comm, commlen, "<...>");
		snprintf(tidbuf, tidlen, "?");
		return;
	}
	if (tid == CTRACE_TID_HIDDEN) {
		snprintf(comm, commlen, "hidden");
		snprintf(tidbuf, tidlen, "?");
		return;
	}
	th = ctrace_cursor_thread(p->c, tid);
	if (th && th->comm[0])
		clean(comm, commlen, th->comm, CTRACE_COMM_LEN);
	else
		snprintf(comm, commlen, "<...>");
	snprintf(tidbuf, tidlen, "%u", tid);
}

static void print_event(struct printer *p, const struct ctrace_event *ev,
			FILE *out)
{
	size_t ri = ctrace_cursor_ring_index(p->c);
	bool known = p->cur[ri].known;
	uint32_t who = p->cur[ri].tid;
	char d[512], a[48], b[48], s1[24], s2[24], comm[CTRACE_COMM_LEN + 1];
	char tidbuf[16];

	d[0] = '\0';
	switch (ev->type) {
	case CTRACE_KREC_SWITCH: {
		struct ctrace_krec_switch k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "prev=%s prev_state=%s%s ==> next=%s",
			 (ctrace_thread_name(p->c, k.prev_tid, a, sizeof(a)), a),
			 state_name(ev->aux & CTRACE_SWITCH_STATE_MASK),
			 ev->aux & CTRACE_SWITCH_F_PREEMPT ? "+" : "",
			 (ctrace_thread_name(p->c, k.next_tid, b, sizeof(b)), b));
		known = true;
		who = k.prev_tid;
		p->cur[ri].known = true;
		p->cur[ri].tid = k.next_tid;
		break;
	}
	case CTRACE_KREC_WAKEUP: {
		struct ctrace_krec_wakeup k;

		memcpy(&k, ev->rec, sizeof(k));
		ctrace_thread_name(p->c, k.tid, a, sizeof(a));
		ctrace_thread_name(p->c, k.waker_tid, b, sizeof(b));
		snprintf(d, sizeof(d), "wakee=%s waker=%s target_cpu=%u%s%s", a, b,
			 ev->aux & CTRACE_WAKEUP_CPU_MASK,
			 ev->aux & CTRACE_WAKEUP_F_NEW ? " [new]" : "",
			 ev->aux & CTRACE_WAKEUP_F_IRQ ? " [irq]" : "");
		known = true;
		who = k.waker_tid;
		break;
	}
	case CTRACE_KREC_FORK: {
		struct ctrace_krec_fork k;

		memcpy(&k, ev->rec, sizeof(k));
		ctrace_thread_name(p->c, k.parent_tid, a, sizeof(a));
		ctrace_thread_name(p->c, k.child_tid, b, sizeof(b));
		snprintf(d, sizeof(d), "parent=%s child=%s tgid=%s%s", a, b,
			 tid_str(k.child_tgid, s1, sizeof(s1)),
			 ev->aux & CTRACE_FORK_F_THREAD ? " [thread]" : "");
		known = true;
		who = k.parent_tid;
		break;
	}
	case CTRACE_KREC_EXEC: {
		struct ctrace_krec_exec k;
		char file[CTRACE_EXEC_FILENAME_MAX + 1];

		memcpy(&k, ev->rec, sizeof(k));
		clean(comm, sizeof(comm), k.comm, CTRACE_COMM_LEN);
		clean(file, sizeof(file), (const char *)ev->rec + sizeof(k),
		      ev->size - sizeof(k));
		snprintf(d, sizeof(d), "tid=%s comm=%s filename=%s",
			 tid_str(k.tid, s1, sizeof(s1)), comm, file);
		if (k.old_tid != k.tid)
			snprintf(d + strlen(d), sizeof(d) - strlen(d),
				 " old_tid=%s", tid_str(k.old_tid, s2, sizeof(s2)));
		known = true;
		who = k.tid;
		break;
	}
	case CTRACE_KREC_EXIT: {
		struct ctrace_krec_exit k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "tid=%s tgid=%s%s",
			 tid_str(k.tid, s1, sizeof(s1)),
			 tid_str(k.tgid, s2, sizeof(s2)),
			 ev->aux & CTRACE_EXIT_F_GROUP_DEAD ? " [group_dead]" : "");
		known = true;
		who = k.tid;
		break;
	}
	case CTRACE_KREC_RENAME: {
		struct ctrace_krec_rename k;

		memcpy(&k, ev->rec, sizeof(k));
		clean(comm, sizeof(comm), k.comm, CTRACE_COMM_LEN);
		snprintf(d, sizeof(d), "tid=%s comm=%s",
			 tid_str(k.tid, s1, sizeof(s1)), comm);
		break;
	}
	case CTRACE_KREC_MIGRATE: {
		struct ctrace_krec_migrate k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "tid=%s orig_cpu=%u dest_cpu=%u",
			 tid_str(k.tid, s1, sizeof(s1)), k.orig_cpu, ev->aux);
		break;
	}
	case CTRACE_KREC_THREAD: {
		struct ctrace_krec_thread k;

		memcpy(&k, ev->rec, sizeof(k));
		clean(comm, sizeof(comm), k.comm, CTRACE_COMM_LEN);
		snprintf(d, sizeof(d), "tid=%s tgid=%s state=%s cpu=%u comm=%s%s%s",
			 tid_str(k.tid, s1, sizeof(s1)),
			 tid_str(k.tgid, s2, sizeof(s2)), state_name(ev->aux),
			 k.cpu, comm,
			 k.flags & CTRACE_THREAD_F_SNAPSHOT ? " [snapshot]" : "",
			 k.flags & CTRACE_THREAD_F_KTHREAD ? " [kthread]" : "");
		/* A snapshot of a running thread says who is on that CPU. */
		if (ev->aux == CTRACE_STATE_RUNNING) {
			uint32_t i = ctrace_map_get(&p->t->ring_map,
						    ctrace_ring_key(ev->kind, k.cpu));

			if (i != CTRACE_MAP_NONE && !p->cur[i].known) {
				p->cur[i].known = true;
				p->cur[i].tid = k.tid;
			}
		}
		break;
	}
	case CTRACE_KREC_CLOCK: {
		static const char *const why[] = {
			[CTRACE_CLOCK_SNAP_START] = " [start]",
			[CTRACE_CLOCK_SNAP_PERIODIC] = " [periodic]",
			[CTRACE_CLOCK_SNAP_STOP] = " [stop]",
		};
		struct ctrace_krec_clock k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "counter=%" PRIu64 " mono=%" PRIu64 " boot=%" PRIu64 " real=%" PRIu64 "%s",
			 (uint64_t)k.counter, (uint64_t)k.mono, (uint64_t)k.boot,
			 (uint64_t)k.real,
			 ev->aux < 4 && why[ev->aux] ? why[ev->aux] : "");
		break;
	}
	case CTRACE_KREC_LOST: {
		struct ctrace_krec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "count=%" PRIu64, (uint64_t)k.count);
		/* The switches that would say who runs here may be gone. */
		p->cur[ri].known = false;
		break;
	}
	default:
		snprintf(d, sizeof(d), "type=%u size=%u", ev->type, ev->size);
		break;
	}

	actor(p, known, who, comm, sizeof(comm), tidbuf, sizeof(tidbuf));
	if (p->flags & CTRACE_PRINT_WALL) {
		/* Wall time of day, UTC, through the CLOCK snapshots. */
		uint64_t real = ctrace_trace_real_ns(p->t, ev->ts);
		time_t sec = real / 1000000000u;
		struct tm tm;

		gmtime_r(&sec, &tm);
		fprintf(out, "%16s-%-7s [%03u] %02d:%02d:%02d.%09" PRIu64 ": %-8s %s\n",
			comm, tidbuf, ev->ring, tm.tm_hour, tm.tm_min, tm.tm_sec,
			real % 1000000000u, type_name(ev->type), d);
		return;
	}
	fprintf(out, "%16s-%-7s [%03u] %" PRIu64 ".%09" PRIu64 ": %-8s %s\n",
		comm, tidbuf, ev->ring, ev->ns / 1000000000u,
		ev->ns % 1000000000u, type_name(ev->type), d);
}

/* Tell @err what stopped decoding; <0 when the file is corrupt. */
static int report_problem(struct ctrace_trace *t, struct ctrace_cursor *c,
			  int r, FILE *err)
{
	int ret = 0;

	if (r < 0) {
		fprintf(err, "%s: %s\n", t->path, ctrace_cursor_error(c));
		ret = r;
	}
	if (t->problem_kind) {
		fprintf(err, "%s: %s\n", t->path, t->problem);
		if (t->problem_kind == CTRACE_PROBLEM_CORRUPT)
			ret = -EBADMSG;
	}
	return ret;
}

static int printer_init(struct printer *p, struct ctrace_trace *t, FILE *err)
{
	p->t = t;
	p->cur = calloc(t->nr_rings ? t->nr_rings : 1, sizeof(*p->cur));
	if (!p->cur || ctrace_cursor_new(t, &p->c)) {
		free(p->cur);
		fprintf(err, "%s: out of memory\n", t->path);
		return -ENOMEM;
	}
	return 0;
}

int ctrace_print_events(struct ctrace_trace *t, FILE *out, FILE *err)
{
	return ctrace_print_events_flags(t, out, err, 0);
}

int ctrace_print_events_flags(struct ctrace_trace *t, FILE *out, FILE *err,
			      unsigned int flags)
{
	struct ctrace_event ev;
	struct printer p = { .flags = flags };
	int r;

	r = printer_init(&p, t, err);
	if (r)
		return r;
	while ((r = ctrace_cursor_next(p.c, &ev)) > 0)
		print_event(&p, &ev, out);
	fflush(out);
	r = report_problem(t, p.c, r, err);
	ctrace_cursor_free(p.c);
	free(p.cur);
	return r;
}

/* ------------------------------------------------------------- summary */

struct tidset {
	struct ctrace_map map;
	uint32_t *tids;
	size_t n, cap;
	bool hidden;
};

static void tid_seen(struct tidset *s, uint32_t tid)
{
	if (tid == CTRACE_TID_HIDDEN) {
		s->hidden = true;
		return;
	}
	if (ctrace_map_get(&s->map, tid) != CTRACE_MAP_NONE)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *p = realloc(s->tids, cap * sizeof(*s->tids));

		if (!p)
			return;		/* the list is only informative */
		s->tids = p;
		s->cap = cap;
	}
	if (ctrace_map_put(&s->map, tid, 0))
		return;
	s->tids[s->n++] = tid;
}

static void tids_of(struct tidset *s, const struct ctrace_event *ev)
{
	uint32_t a[2] = { 0 };

	/* Every record type puts its tid(s) first, right after the header. */
	switch (ev->type) {
	case CTRACE_KREC_SWITCH:
	case CTRACE_KREC_WAKEUP:
	case CTRACE_KREC_FORK:
		memcpy(a, (const char *)ev->rec + sizeof(struct ctrace_krec), 8);
		tid_seen(s, a[0]);
		tid_seen(s, a[1]);
		break;
	case CTRACE_KREC_EXEC:
	case CTRACE_KREC_EXIT:
	case CTRACE_KREC_RENAME:
	case CTRACE_KREC_MIGRATE:
	case CTRACE_KREC_THREAD:
		memcpy(a, (const char *)ev->rec + sizeof(struct ctrace_krec), 4);
		tid_seen(s, a[0]);
		break;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* "events" is CTRACE_EV_* as a number (the dumper writes hex). */
static void print_event_groups(FILE *out, const char *v)
{
	static const char *const names[] = { "switch", "wakeup", "task", "migrate" };
	unsigned long long mask;
	char buf[256], *end;
	const char *sep = "";

	errno = 0;
	mask = strtoull(v, &end, 0);
	if (errno || end == v || *end) {
		fprintf(out, "recorded:   %s\n", (clean(buf, sizeof(buf), v, -1), buf));
		return;
	}
	fprintf(out, "recorded:   ");
	for (unsigned int i = 0; i < 64; i++) {
		if (!(mask & 1ull << i))
			continue;
		if (i < sizeof(names) / sizeof(names[0]))
			fprintf(out, "%s%s", sep, names[i]);
		else
			fprintf(out, "%sbit%u", sep, i);
		sep = ",";
	}
	fprintf(out, "%s\n", *sep ? "" : "nothing");
}

static void print_meta(struct ctrace_trace *t, FILE *out)
{
	static const char *const known[] = {
		"ctrace_version", "host", "kernel", "nr_cpus", "clock",
		"tsc_khz", "session_id", "target", "events", "buf_size",
		"start_realtime_ns",
	};
	const char *v;
	char buf[256];
	uint64_t ns;

	if ((v = ctrace_trace_meta(t, "host")))
		fprintf(out, "host:       %s\n", (clean(buf, sizeof(buf), v, -1), buf));
	if ((v = ctrace_trace_meta(t, "kernel")))
		fprintf(out, "kernel:     %s\n", (clean(buf, sizeof(buf), v, -1), buf));
	if ((v = ctrace_trace_meta(t, "nr_cpus")))
		fprintf(out, "cpus:       %s\n", (clean(buf, sizeof(buf), v, -1), buf));
	if ((v = ctrace_trace_meta(t, "ctrace_version")))
		fprintf(out, "recorder:   ctrace %s\n", (clean(buf, sizeof(buf), v, -1), buf));
	if ((v = ctrace_trace_meta(t, "session_id")))
		fprintf(out, "session:    %s\n", (clean(buf, sizeof(buf), v, -1), buf));
	if ((v = ctrace_trace_meta(t, "target")))
		fprintf(out, "target:     %s\n", (clean(buf, sizeof(buf), v, -1), buf));
	if ((v = ctrace_trace_meta(t, "events")))
		print_event_groups(out, v);
	if ((v = ctrace_trace_meta(t, "buf_size")))
		fprintf(out, "buffers:    %s bytes per cpu\n", (clean(buf, sizeof(buf), v, -1), buf));
	fprintf(out, "clock:      %s", t->clock == CTRACE_CLOCK_TSC ? "tsc" : "mono");
	if (t->clock == CTRACE_CLOCK_TSC && t->tsc_khz)
		fprintf(out, ", %" PRIu64 " kHz", t->tsc_khz);
	fprintf(out, ", %zu CLOCK records%s\n", t->nr_snaps,
		t->clock == CTRACE_CLOCK_TSC && t->nr_snaps < 2 ?
		" (too few: times are approximate)" : "");
	v = ctrace_trace_meta(t, "start_realtime_ns");
	if (v && sscanf(v, "%" SCNu64, &ns) == 1) {
		time_t sec = ns / 1000000000u;
		struct tm tm;

		if (gmtime_r(&sec, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm))
			fprintf(out, "started:    %s.%09" PRIu64 " UTC\n", buf,
				ns % 1000000000u);
	}
	/* Lenient about keys it does not know: show them as they are. */
	for (const char *l = ctrace_meta_next(t, NULL); l; l = ctrace_meta_next(t, l)) {
		size_t i;

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strncmp(l, known[i], strlen(known[i])) &&
			    l[strlen(known[i])] == '=')
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			fprintf(out, "meta:       %s\n", (clean(buf, sizeof(buf), l, -1), buf));
	}
}

static void print_rings(struct ctrace_trace *t, FILE *out)
{
	fprintf(out, "rings:\n  %6s %12s %10s %8s  %s\n", "ring", "events",
		"lost", "chunks", "producer (STATS)");
	for (size_t i = 0; i < t->nr_rings; i++) {
		const struct ctrace_ring *r = &t->rings[i];
		const struct ctrace_ring_info *in = &r->info;

		fprintf(out, "  %6u %12" PRIu64 " %10" PRIu64 " %8" PRIu64, in->ring,
			in->events, in->lost, in->chunks);
		if (in->kind != CTRACE_RING_KERNEL)
			fprintf(out, "  (kind %u)", in->kind);
		if (in->has_stats)
			fprintf(out, "  recorded %" PRIu64 ", dropped %" PRIu64 ", read %" PRIu64,
				in->stats.events, in->stats.lost,
				in->stats.events_read);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < t->nr_rings; i++) {
		const struct ctrace_ring *r = &t->rings[i];
		uint64_t gaps = 0;

		if (r->info.chunks && r->chunks[0].seq_first)
			fprintf(out, "  warning: ring %u: its first %" PRIu64 " events are missing\n",
				r->info.ring, r->chunks[0].seq_first);
		for (size_t j = 1; j < r->info.chunks; j++)
			gaps += r->chunks[j].seq_first !=
				r->chunks[j - 1].seq_first + r->chunks[j - 1].events +
				r->chunks[j - 1].lost;
		if (gaps)
			fprintf(out, "  warning: ring %u: %" PRIu64 " gaps between chunks (see ctrace validate)\n",
				r->info.ring, gaps);
	}
	if (t->skipped_chunks)
		fprintf(out, "  %" PRIu64 " chunks of unknown types or ring kinds skipped\n",
			t->skipped_chunks);
}

int ctrace_print_summary(struct ctrace_trace *t, FILE *out, FILE *err)
{
	uint64_t by_type[NR_TYPES] = { 0 }, events = 0, lost = 0;
	uint64_t first = 0, last = 0;
	struct tidset seen = { 0 };
	struct ctrace_event ev;
	struct printer p;
	int r;

	r = printer_init(&p, t, err);
	if (r)
		return r;
	while ((r = ctrace_cursor_next(p.c, &ev)) > 0) {
		if (!events++)
			first = ev.ns;
		last = ev.ns > last ? ev.ns : last;
		if (ev.type < NR_TYPES)
			by_type[ev.type]++;
		if (ev.type == CTRACE_KREC_LOST) {
			struct ctrace_krec_lost k;

			memcpy(&k, ev.rec, sizeof(k));
			lost += k.count;
		}
		tids_of(&seen, &ev);
	}

	fprintf(out, "trace:      %s (%zu bytes, %" PRIu64 " chunks)\n", t->path,
		t->size, t->nr_chunks);
	print_meta(t, out);
	if (events)
		fprintf(out, "duration:   %" PRIu64 ".%09" PRIu64 " s, %" PRIu64 ".%09" PRIu64 " to %" PRIu64 ".%09" PRIu64 " (CLOCK_MONOTONIC)\n",
			(last - first) / 1000000000u, (last - first) % 1000000000u,
			first / 1000000000u, first % 1000000000u,
			last / 1000000000u, last % 1000000000u);
	fprintf(out, "events:     %" PRIu64 " (%" PRIu64 " lost)\n",
		events - by_type[CTRACE_KREC_LOST], lost);
	for (size_t i = 0; i < NR_TYPES; i++)
		if (by_type[i] && i != CTRACE_KREC_LOST)
			fprintf(out, "  %-10s %12" PRIu64 "\n", type_names[i], by_type[i]);
	if (by_type[CTRACE_KREC_LOST])
		fprintf(out, "  %-10s %12" PRIu64 " records\n", "lost",
			by_type[CTRACE_KREC_LOST]);
	print_rings(t, out);

	if (seen.n > 1)
		qsort(seen.tids, seen.n, sizeof(*seen.tids), cmp_u32);
	fprintf(out, "threads:    %zu seen%s\n", seen.n,
		seen.hidden ? ", and hidden threads of other users" : "");
	if (seen.n)
		fprintf(out, "  %10s %10s  %s\n", "tid", "tgid", "comm");
	for (size_t i = 0; i < seen.n; i++) {
		const struct ctrace_thread *th = ctrace_cursor_thread(p.c, seen.tids[i]);
		char comm[CTRACE_COMM_LEN + 1] = "<...>", tg[16] = "?";

		if (th && th->comm[0])
			clean(comm, sizeof(comm), th->comm, CTRACE_COMM_LEN);
		if (th && (th->tgid || !seen.tids[i]))
			snprintf(tg, sizeof(tg), "%u", th->tgid);
		fprintf(out, "  %10u %10s  %s\n", seen.tids[i], tg, comm);
	}

	if (r < 0)
		fprintf(out, "status:     corrupt: %s\n", ctrace_cursor_error(p.c));
	else if (t->problem_kind == CTRACE_PROBLEM_CORRUPT)
		fprintf(out, "status:     corrupt: %s\n", t->problem);
	else if (t->problem_kind)
		fprintf(out, "status:     incomplete: %s\n", t->problem);
	else
		fprintf(out, "status:     complete\n");
	fflush(out);

	r = report_problem(t, p.c, r, err);
	ctrace_cursor_free(p.c);
	free(p.cur);
	free(seen.tids);
	ctrace_map_free(&seen.map);
	return r;
}
