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
 *
 * User events print in the same format, CPU column from their ring, the
 * writing thread in front.  Their strings (names, messages) are the
 * program's: a name prints as it is when plain, quoted with C escapes
 * otherwise; a message is always quoted.  Region depths and durations
 * come from the model (tools/model), which the printer feeds each event
 * before printing it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "ctrace_map.h"
#include "model.h"
#include "recdesc.h"
#include "strbuf.h"

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
	struct ctrace_model *m;	/* regions and tasks, for depth and dur */
	struct ctrace_model_uevent u;	/* what it made of the last event */
	bool have_u;
	const uint32_t *tids;	/* print only what involves these, if any */
	size_t nr_tids;
};

static bool tid_wanted(const struct printer *p, uint32_t tid)
{
	for (size_t i = 0; i < p->nr_tids; i++)
		if (p->tids[i] == tid)
			return true;
	return false;
}

/* Does @ev involve one of the threads asked for (as actor or subject)? */
static bool involves(const struct printer *p, const struct ctrace_event *ev,
		     bool known, uint32_t who)
{
	uint32_t tids[CTRACE_RD_MAX_TIDS];
	unsigned int n;

	if (!p->nr_tids)
		return true;
	if (known && tid_wanted(p, who))
		return true;
	/* A user record is its writer's (who); the dumper's are no one's. */
	if (ev->kind != CTRACE_RING_KERNEL)
		return false;
	n = ctrace_event_tids(ev, 0, tids);
	for (unsigned int i = 0; i < n; i++)
		if (tids[i] && tid_wanted(p, tids[i]))
			return true;
	return false;
}

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

/* One line: who, CPU, time, event name, details. */
static void put_line(const struct printer *p, const struct ctrace_event *ev,
		     FILE *out, bool known, uint32_t who, const char *name,
		     const char *details)
{
	char comm[CTRACE_COMM_LEN + 1], tidbuf[16], cpu[16];

	if (!involves(p, ev, known, who))
		return;
	actor(p, known, who, comm, sizeof(comm), tidbuf, sizeof(tidbuf));
	if (ev->kind == CTRACE_RING_USER)
		snprintf(cpu, sizeof(cpu), "%03u", ctrace_uring_cpu(ev->ring));
	else if (ev->kind == CTRACE_RING_DUMPER)
		snprintf(cpu, sizeof(cpu), "---");
	else
		snprintf(cpu, sizeof(cpu), "%03u", ev->ring);
	if (p->flags & CTRACE_PRINT_WALL) {
		/* Wall time of day, UTC, through the CLOCK snapshots. */
		uint64_t real = ctrace_trace_real_ns(p->t, ev->ts);
		time_t sec = real / 1000000000u;
		struct tm tm;

		gmtime_r(&sec, &tm);
		fprintf(out, "%16s-%-7s [%s] %02d:%02d:%02d.%09" PRIu64 ": %-8s %s\n",
			comm, tidbuf, cpu, tm.tm_hour, tm.tm_min, tm.tm_sec,
			real % 1000000000u, name, details);
		return;
	}
	fprintf(out, "%16s-%-7s [%s] %" PRIu64 ".%09" PRIu64 ": %-8s %s\n",
		comm, tidbuf, cpu, ev->ns / 1000000000u, ev->ns % 1000000000u,
		name, details);
}

static void sb_dur(struct ctrace_sb *b, uint64_t from, uint64_t to)
{
	uint64_t d = to >= from ? to - from : 0;

	ctrace_sb_printf(b, " dur=%" PRIu64 ".%06" PRIu64 "ms", d / 1000000, d % 1000000);
}

static void print_user_event(struct printer *p, const struct ctrace_event *ev,
			     FILE *out)
{
	const struct ctrace_recdesc *rd = ctrace_event_desc(ev);
	uint32_t set = ctrace_uring_set(ev->ring);
	const unsigned char *rec = ev->rec;
	struct ctrace_urec h;
	uint64_t v = 0;		/* the first payload word, where there is one */
	uint64_t task;
	uint32_t who = 0;
	/* The writer; CORRUPT bytes are no one's in particular. */
	bool known = ctrace_event_actor(ev, &who);
	/* The longest: a LOG with a 1 KiB category and a 2 KiB message,
	 * every byte escaped as \xHH. */
	char d[16384];
	struct ctrace_sb b = { d, sizeof(d), 0 };

	d[0] = '\0';
	memcpy(&h, rec, sizeof(h));
	if (ev->size >= sizeof(h) + 8)
		memcpy(&v, rec + sizeof(h), sizeof(v));

	/* The reader lets no type without a descriptor through. */
	if (!rd || (rd->flags & CTRACE_RD_UNKNOWN)) {
		/* A newer library's: its fields are not known here. */
		ctrace_sb_printf(&b, "type=%u size=%u", h.type, ev->size);
		put_line(p, ev, out, known, who, rd ? rd->label : "unknown", d);
		return;
	}
	/* Which end of a pair, then the string ID as the type names it. */
	if (rd->flags & (CTRACE_RD_BEGIN | CTRACE_RD_END))
		ctrace_sb_printf(&b, rd->flags & CTRACE_RD_BEGIN ? "begin" : "end");
	if (rd->id && h.id) {
		ctrace_sb_sep(&b);
		ctrace_sb_printf(&b, "%s=", rd->id);
		ctrace_sb_name(&b, p->t, set, h.id);
	}

	switch (h.type) {
	case CTRACE_UREC_REGION_BEGIN:
	case CTRACE_UREC_REGION_END:
		ctrace_sb_printf(&b, " depth=%u", p->u.depth);
		if (ctrace_event_task(ev, &task))
			ctrace_sb_printf(&b, " task=%" PRIu64, task);
		if (h.type == CTRACE_UREC_REGION_END && p->u.matched)
			sb_dur(&b, p->u.begin_ns, ev->ns);
		break;
	case CTRACE_UREC_TASK_BEGIN: {
		struct ctrace_urec_task k;

		memcpy(&k, rec, sizeof(k));
		ctrace_sb_printf(&b, " id=%" PRIu64 " parent=%" PRIu64,
			  (uint64_t)k.task, (uint64_t)k.parent);
		break;
	}
	case CTRACE_UREC_TASK_END:
		/* The name is its BEGIN's. */
		if (p->u.matched && p->u.name_id) {
			ctrace_sb_printf(&b, " name=");
			ctrace_sb_name(&b, p->t, set, p->u.name_id);
		}
		ctrace_sb_printf(&b, " id=%" PRIu64, v);
		if (p->u.matched)
			sb_dur(&b, p->u.begin_ns, ev->ns);
		break;
	case CTRACE_UREC_LOG: {
		struct ctrace_urec_log k;

		memcpy(&k, rec, sizeof(k));
		if (k.task) {
			ctrace_sb_sep(&b);
			ctrace_sb_printf(&b, "task=%" PRIu64, (uint64_t)k.task);
		}
		ctrace_sb_sep(&b);
		ctrace_sb_printf(&b, "msg=");
		if (k.msg_id) {
			const char *m = ctrace_trace_string(p->t, set, k.msg_id);

			if (m)
				ctrace_sb_quoted(&b, m, strlen(m));
			else
				ctrace_sb_printf(&b, "#%u", k.msg_id);
		} else {
			/* The reader checked that len fits the record. */
			size_t n = ev->size - sizeof(k);

			ctrace_sb_quoted(&b, (const char *)rec + sizeof(k),
				  k.len < n ? k.len : n);
		}
		break;
	}
	case CTRACE_UREC_INSTANT:
		if (ctrace_event_task(ev, &task)) {
			ctrace_sb_sep(&b);
			ctrace_sb_printf(&b, "task=%" PRIu64, task);
		}
		break;
	case CTRACE_UREC_COUNTER:
		ctrace_sb_sep(&b);
		ctrace_sb_printf(&b, "value=%" PRId64, (int64_t)v);
		break;
	case CTRACE_UREC_COUNTER_F: {
		double f;

		memcpy(&f, &v, sizeof(f));
		ctrace_sb_sep(&b);
		ctrace_sb_printf(&b, "value=%.17g", f);
		break;
	}
	case CTRACE_UREC_FLOW_BEGIN:
	case CTRACE_UREC_FLOW_END:
		ctrace_sb_printf(&b, " flow=%" PRIu64, v);
		break;
	case CTRACE_UREC_THREAD: {
		struct ctrace_urec_thread k;

		memcpy(&k, rec, sizeof(k));
		ctrace_sb_printf(&b, "tid=%u tgid=%u name=", h.tid, k.tgid);
		ctrace_sb_text(&b, k.name, strnlen(k.name, sizeof(k.name)));
		if (k.flags & CTRACE_UTHREAD_F_DISPUTED)
			ctrace_sb_printf(&b, " [disputed]");
		break;
	}
	case CTRACE_UREC_LOST:
		ctrace_sb_printf(&b, "count=%" PRIu64, v);
		break;
	case CTRACE_FREC_CORRUPT: {
		struct ctrace_frec_corrupt k;
		const char *why;

		memcpy(&k, rec, sizeof(k));
		why = ctrace_corrupt_reason_name(k.reason);
		ctrace_sb_printf(&b, "bytes=%u reason=", k.bytes);
		if (why)
			ctrace_sb_printf(&b, "%s", why);
		else
			ctrace_sb_printf(&b, "%u", k.reason);
		ctrace_sb_printf(&b, " records=%u", k.records);
		break;
	}
	}
	put_line(p, ev, out, known, who, rd->label, d);
}

static void print_event(struct printer *p, const struct ctrace_event *ev,
			FILE *out)
{
	size_t ri = ctrace_cursor_ring_index(p->c);
	const struct ctrace_recdesc *rd = ctrace_event_desc(ev);
	bool known = p->cur[ri].known;
	uint32_t who = p->cur[ri].tid, actor;
	char d[512], a[48], b[48], s1[24], s2[24], comm[CTRACE_COMM_LEN + 1];

	if (ev->kind == CTRACE_RING_USER) {
		print_user_event(p, ev, out);
		return;
	}
	/* In front, the record's own actor where it names one. */
	if (ctrace_event_actor(ev, &actor)) {
		known = true;
		who = actor;
	}

	d[0] = '\0';
	switch (ev->type) {
	case CTRACE_KREC_SWITCH: {
		struct ctrace_krec_switch k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "prev=%s prev_state=%s%s ==> next=%s",
			 (ctrace_cursor_thread_label(p->c, k.prev_tid, a, sizeof(a)), a),
			 ctrace_state_desc(ev->aux & CTRACE_SWITCH_STATE_MASK)->code,
			 ev->aux & CTRACE_SWITCH_F_PREEMPT ? "+" : "",
			 (ctrace_cursor_thread_label(p->c, k.next_tid, b, sizeof(b)), b));
		p->cur[ri].known = true;
		p->cur[ri].tid = k.next_tid;
		break;
	}
	case CTRACE_KREC_WAKEUP: {
		struct ctrace_krec_wakeup k;

		memcpy(&k, ev->rec, sizeof(k));
		ctrace_cursor_thread_label(p->c, k.tid, a, sizeof(a));
		ctrace_cursor_thread_label(p->c, k.waker_tid, b, sizeof(b));
		snprintf(d, sizeof(d), "wakee=%s waker=%s target_cpu=%u%s%s", a, b,
			 ev->aux & CTRACE_WAKEUP_CPU_MASK,
			 ev->aux & CTRACE_WAKEUP_F_NEW ? " [new]" : "",
			 ev->aux & CTRACE_WAKEUP_F_IRQ ? " [irq]" : "");
		break;
	}
	case CTRACE_KREC_FORK: {
		struct ctrace_krec_fork k;

		memcpy(&k, ev->rec, sizeof(k));
		ctrace_cursor_thread_label(p->c, k.parent_tid, a, sizeof(a));
		ctrace_cursor_thread_label(p->c, k.child_tid, b, sizeof(b));
		snprintf(d, sizeof(d), "parent=%s child=%s tgid=%s%s", a, b,
			 tid_str(k.child_tgid, s1, sizeof(s1)),
			 ev->aux & CTRACE_FORK_F_THREAD ? " [thread]" : "");
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
		break;
	}
	case CTRACE_KREC_EXIT: {
		struct ctrace_krec_exit k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "tid=%s tgid=%s%s",
			 tid_str(k.tid, s1, sizeof(s1)),
			 tid_str(k.tgid, s2, sizeof(s2)),
			 ev->aux & CTRACE_EXIT_F_GROUP_DEAD ? " [group_dead]" : "");
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
			 tid_str(k.tgid, s2, sizeof(s2)),
			 ctrace_state_desc(ev->aux)->code,
			 k.cpu, comm,
			 k.flags & CTRACE_THREAD_F_RESTATE ? " [restated]" :
			 k.flags & CTRACE_THREAD_F_SNAPSHOT ? " [snapshot]" : "",
			 k.flags & CTRACE_THREAD_F_KTHREAD ? " [kthread]" : "");
		/* A snapshot of a running thread says who is on that CPU. */
		if (ev->aux == CTRACE_STATE_RUNNING) {
			size_t i = ctrace_trace_find_ring(p->t, ev->kind, k.cpu);

			if (i != SIZE_MAX && !p->cur[i].known) {
				p->cur[i].known = true;
				p->cur[i].tid = k.tid;
			}
		}
		break;
	}
	case CTRACE_KREC_SYSCALL_ENTER: {
		struct ctrace_krec_syscall_enter k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "enter %s tid=%s",
			 ctrace_syscall_name(ev->aux, s2, sizeof(s2)),
			 tid_str(k.tid, s1, sizeof(s1)));
		break;
	}
	case CTRACE_KREC_SYSCALL_EXIT: {
		struct ctrace_krec_syscall_exit k;

		memcpy(&k, ev->rec, sizeof(k));
		snprintf(d, sizeof(d), "exit  %s tid=%s ret=%" PRId64,
			 ctrace_syscall_name(ev->aux, s2, sizeof(s2)),
			 tid_str(k.tid, s1, sizeof(s1)), (int64_t)k.ret);
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

	put_line(p, ev, out, known, who, rd ? rd->label : "unknown", d);
}

/* Tell @err what stopped decoding; <0 when the file is corrupt. */
static int report_problem(struct ctrace_trace *t, struct ctrace_cursor *c,
			  int r, FILE *err)
{
	int ret = 0;

	if (r < 0) {
		fprintf(err, "%s: %s\n", ctrace_trace_path(t), ctrace_cursor_error(c));
		ret = r;
	}
	if (ctrace_trace_problem(t)) {
		fprintf(err, "%s: %s\n", ctrace_trace_path(t), ctrace_trace_problem(t));
		if (ctrace_trace_problem_kind(t) == CTRACE_PROBLEM_CORRUPT)
			ret = -EBADMSG;
	}
	return ret;
}

static void on_uevent(void *arg, const struct ctrace_model_uevent *u)
{
	struct printer *p = arg;

	p->u = *u;
	p->have_u = true;
}

static int printer_init(struct printer *p, struct ctrace_trace *t, FILE *err)
{
	size_t nr_rings = ctrace_trace_nr_rings(t);
	const struct ctrace_model_sink sink = { .arg = p, .uevent = on_uevent };

	p->t = t;
	p->cur = calloc(nr_rings ? nr_rings : 1, sizeof(*p->cur));
	if (!p->cur || ctrace_cursor_new(t, &p->c) ||
	    ctrace_model_new(t, p->c, &sink, &p->m)) {
		free(p->cur);
		ctrace_cursor_free(p->c);
		fprintf(err, "%s: out of memory\n", ctrace_trace_path(t));
		return -ENOMEM;
	}
	return 0;
}

static void printer_free(struct printer *p)
{
	ctrace_model_free(p->m);
	ctrace_cursor_free(p->c);
	free(p->cur);
}

int ctrace_print_events(struct ctrace_trace *t, FILE *out, FILE *err)
{
	return ctrace_print_events_flags(t, out, err, 0);
}

int ctrace_print_events_flags(struct ctrace_trace *t, FILE *out, FILE *err,
			      unsigned int flags)
{
	return ctrace_print_thread_events(t, out, err, flags, NULL, 0);
}

int ctrace_print_thread_events(struct ctrace_trace *t, FILE *out, FILE *err,
			       unsigned int flags, const uint32_t *tids, size_t nr_tids)
{
	struct ctrace_event ev;
	struct printer p = { .flags = flags, .tids = tids, .nr_tids = nr_tids };
	int r;

	r = printer_init(&p, t, err);
	if (r)
		return r;
	while ((r = ctrace_cursor_next(p.c, &ev)) > 0) {
		/* The model first: what the event ends or begins, and how deep. */
		p.have_u = false;
		ctrace_model_feed(p.m, &ev);
		print_event(&p, &ev, out);
	}
	fflush(out);
	r = report_problem(t, p.c, r, err);
	printer_free(&p);
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

/* The threads an event names: actors and subjects, a user record's writer. */
static void tids_of(struct tidset *s, const struct ctrace_event *ev)
{
	uint32_t tids[CTRACE_RD_MAX_TIDS];
	unsigned int n = ctrace_event_tids(ev, 0, tids);

	for (unsigned int i = 0; i < n; i++)
		tid_seen(s, tids[i]);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* "events" is CTRACE_EV_* as a number (the dumper writes hex). */
static void print_event_groups(FILE *out, const char *v)
{
	static const char *const names[] = { "switch", "wakeup", "task", "migrate",
					     "user" };
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
	bool tsc = ctrace_trace_clock(t) == CTRACE_CLOCK_TSC;
	struct ctrace_index_info ix;
	static const char *const known[] = {
		"ctrace_version", "host", "kernel", "nr_cpus", "clock",
		"tsc_khz", "session_id", "target", "events", "buf_size",
		"start_realtime_ns", "user_only", "user_sets_busy",
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
	if ((v = ctrace_trace_meta(t, "user_sets_busy")))
		fprintf(out, "warning:    user ring sets read by another session (uid:session): %s; their user events are not in this trace\n",
			(clean(buf, sizeof(buf), v, -1), buf));
	ctrace_trace_index_info(t, &ix);
	fprintf(out, "clock:      %s", tsc ? "tsc" : "mono");
	if (tsc && ix.tsc_khz)
		fprintf(out, ", %" PRIu64 " kHz", ix.tsc_khz);
	fprintf(out, ", %zu CLOCK records%s\n", ix.clock_snaps,
		tsc && ix.clock_snaps < 2 ?
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
	for (const char *l = ctrace_trace_meta_next(t, NULL); l; l = ctrace_trace_meta_next(t, l)) {
		size_t i;

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strncmp(l, known[i], strlen(known[i])) &&
			    l[strlen(known[i])] == '=')
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			fprintf(out, "meta:       %s\n", (clean(buf, sizeof(buf), l, -1), buf));
	}
}

/* The ring column: "3" (CPU), "1:3" (ring set 1, CPU 3), "dumper". */
static void ring_col(const struct ctrace_ring_info *in, char *buf, size_t len)
{
	if (in->kind == CTRACE_RING_USER)
		snprintf(buf, len, "%u:%u", ctrace_uring_set(in->ring),
			 ctrace_uring_cpu(in->ring));
	else if (in->kind == CTRACE_RING_DUMPER)
		snprintf(buf, len, "dumper");
	else
		snprintf(buf, len, "%u", in->ring);
}

static void print_rings(struct ctrace_trace *t, FILE *out)
{
	struct ctrace_index_info ix;
	char col[32], label[48];

	fprintf(out, "rings:\n  %6s %12s %10s %8s  %s\n", "ring", "events",
		"lost", "chunks", "producer (STATS)");
	for (size_t i = 0; i < ctrace_trace_nr_rings(t); i++) {
		const struct ctrace_ring_info *in = ctrace_trace_ring(t, i);

		ring_col(in, col, sizeof(col));
		fprintf(out, "  %6s %12" PRIu64 " %10" PRIu64 " %8" PRIu64, col,
			in->events, in->lost, in->chunks);
		if (in->kind != CTRACE_RING_KERNEL && in->kind != CTRACE_RING_USER &&
		    in->kind != CTRACE_RING_DUMPER)
			fprintf(out, "  (kind %u)", in->kind);
		if (in->has_stats)
			fprintf(out, "  recorded %" PRIu64 ", dropped %" PRIu64 ", read %" PRIu64,
				in->stats.events, in->stats.lost,
				in->stats.events_read);
		if (in->corrupt)
			fprintf(out, "  corrupt %" PRIu64 " (%" PRIu64 " bytes)",
				in->corrupt, in->corrupt_bytes);
		if (in->raised)
			fprintf(out, "  raised %" PRIu64, in->raised);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < ctrace_trace_nr_rings(t); i++) {
		const struct ctrace_ring_info *in = ctrace_trace_ring(t, i);
		const char *fl = ctrace_trace_meta(t, "flight");
		bool flight = fl && !strcmp(fl, "1");
		struct ctrace_chunk_info ch, prev;
		uint64_t gaps = 0;

		ctrace_ring_label(in->kind, in->ring, label, sizeof(label));
		for (size_t j = 0; ctrace_trace_chunk(t, i, j, &ch); j++) {
			if (j == 0 && ch.seq_first && !flight)
				fprintf(out, "  warning: %s: its first %" PRIu64 " events are missing\n",
					label, ch.seq_first);
			if (j > 0)
				gaps += ch.seq_first != prev.seq_first + prev.events +
							prev.lost;
			prev = ch;
		}
		if (gaps)
			fprintf(out, "  warning: %s: %" PRIu64 " gaps between chunks (see ctrace validate)\n",
				label, gaps);
	}
	ctrace_trace_index_info(t, &ix);
	if (ix.skipped_chunks)
		fprintf(out, "  %" PRIu64 " chunks of unknown types or ring kinds skipped\n",
			ix.skipped_chunks);
}

/* User records by type, in the summary. */
static const char *utype_key(unsigned int type, char *buf, size_t len)
{
	const struct ctrace_recdesc *d = ctrace_urec_desc(type);

	if (d && !(d->flags & CTRACE_RD_UNKNOWN))
		return d->name;
	snprintf(buf, len, "type_%u", type);
	return buf;
}

static void print_user(struct ctrace_trace *t, FILE *out, const uint64_t *by_type,
		       uint64_t lost, uint64_t disputed, bool any)
{
	uint64_t events = 0, raised = 0, corrupt = 0, corrupt_bytes = 0;
	size_t nr_usets = ctrace_trace_nr_usets(t);
	bool kernel = false;
	char buf[32];

	for (size_t i = 0; i < ctrace_trace_nr_rings(t); i++) {
		const struct ctrace_ring_info *in = ctrace_trace_ring(t, i);

		raised += in->raised;
		corrupt += in->corrupt;
		corrupt_bytes += in->corrupt_bytes;
		kernel |= in->kind == CTRACE_RING_KERNEL;
	}
	if (ctrace_trace_user_only(t))
		fprintf(out, "mode:       user-only%s\n",
			kernel ? " (but with kernel rings)" : "");
	else
		fprintf(out, "mode:       %s\n", nr_usets || any ? "kernel and user" : "kernel");
	if (!nr_usets && !any)
		return;

	for (unsigned int i = 0; i < 256; i++)
		if (i != CTRACE_UREC_LOST && i != CTRACE_FREC_CORRUPT)
			events += by_type[i];
	fprintf(out, "user events: %" PRIu64 " (%" PRIu64 " lost, %" PRIu64 " corrupt records for %" PRIu64 " bytes)\n",
		events, lost, corrupt, corrupt_bytes);
	for (unsigned int i = 0; i < 256; i++)
		if (by_type[i] && i != CTRACE_UREC_LOST && i != CTRACE_FREC_CORRUPT)
			fprintf(out, "  %-12s %10" PRIu64 "\n",
				utype_key(i, buf, sizeof(buf)), by_type[i]);
	if (disputed)
		fprintf(out, "  %-12s %10" PRIu64 " thread records the kernel contradicts (names not taken)\n",
			"disputed", disputed);
	if (by_type[CTRACE_UREC_LOST])
		fprintf(out, "  %-12s %10" PRIu64 " records\n", "lost",
			by_type[CTRACE_UREC_LOST]);
	if (by_type[CTRACE_FREC_CORRUPT])
		fprintf(out, "  %-12s %10" PRIu64 " records\n", "corrupt",
			by_type[CTRACE_FREC_CORRUPT]);
	fprintf(out, "ring sets:  %zu\n", nr_usets);
	for (size_t i = 0; i < nr_usets; i++) {
		const struct ctrace_uset_chunk *u = ctrace_trace_uset(t, i);
		uint32_t other = u->flags & ~(CTRACE_USET_F_RSEQ | CTRACE_USET_F_LOCKED);

		fprintf(out, "  set %u: uid %u, %u rings of %" PRIu64 " bytes, %" PRIu64 " strings%s%s",
			u->index, u->uid, u->nr_rings, (uint64_t)u->data_size,
			ctrace_trace_uset_strings(t, i),
			u->flags & CTRACE_USET_F_RSEQ ? ", rseq" : "",
			u->flags & CTRACE_USET_F_LOCKED ? ", locked" : "");
		if (other)
			fprintf(out, ", flags 0x%x", other);
		fprintf(out, "\n");
	}
	fprintf(out, "raised:     %" PRIu64 " user timestamps, to their ring's previous one\n",
		raised);
}

int ctrace_print_summary(struct ctrace_trace *t, FILE *out, FILE *err)
{
	uint64_t by_type[__CTRACE_KREC_MAX] = { 0 }, events = 0, lost = 0, kevents = 0;
	uint64_t uby_type[256] = { 0 }, ulost = 0, uevents = 0, disputed = 0;
	uint64_t first = 0, last = 0;
	struct ctrace_index_info ix;
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
		tids_of(&seen, &ev);
		if (ev.kind == CTRACE_RING_USER) {
			uevents++;
			uby_type[ev.type & 0xff]++;
			disputed += ctrace_event_disputed(&ev);
			if (ev.type == CTRACE_UREC_LOST) {
				struct ctrace_urec_lost k;

				memcpy(&k, ev.rec, sizeof(k));
				ulost += k.total;
			}
			continue;
		}
		kevents++;
		if (ev.type < __CTRACE_KREC_MAX)
			by_type[ev.type]++;
		if (ev.type == CTRACE_KREC_LOST) {
			struct ctrace_krec_lost k;

			memcpy(&k, ev.rec, sizeof(k));
			lost += k.count;
		}
	}

	ctrace_trace_index_info(t, &ix);
	fprintf(out, "trace:      %s (%" PRIu64 " bytes, %" PRIu64 " chunks)\n",
		ctrace_trace_path(t), ix.size, ix.chunks);
	print_meta(t, out);
	if (events)
		fprintf(out, "duration:   %" PRIu64 ".%09" PRIu64 " s, %" PRIu64 ".%09" PRIu64 " to %" PRIu64 ".%09" PRIu64 " (CLOCK_MONOTONIC)\n",
			(last - first) / 1000000000u, (last - first) % 1000000000u,
			first / 1000000000u, first % 1000000000u,
			last / 1000000000u, last % 1000000000u);
	fprintf(out, "events:     %" PRIu64 " (%" PRIu64 " lost)\n",
		kevents - by_type[CTRACE_KREC_LOST], lost);
	/* Type 0 is never valid: nothing is counted there. */
	for (size_t i = 1; i < __CTRACE_KREC_MAX; i++)
		if (by_type[i] && i != CTRACE_KREC_LOST)
			fprintf(out, "  %-10s %12" PRIu64 "\n",
				ctrace_krec_desc(i)->name, by_type[i]);
	if (by_type[CTRACE_KREC_LOST])
		fprintf(out, "  %-10s %12" PRIu64 " records\n", "lost",
			by_type[CTRACE_KREC_LOST]);
	print_user(t, out, uby_type, ulost, disputed, uevents);
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
	else if (ctrace_trace_problem_kind(t) == CTRACE_PROBLEM_CORRUPT)
		fprintf(out, "status:     corrupt: %s\n", ctrace_trace_problem(t));
	else if (ctrace_trace_problem(t))
		fprintf(out, "status:     incomplete: %s\n", ctrace_trace_problem(t));
	else
		fprintf(out, "status:     complete\n");
	fflush(out);

	r = report_problem(t, p.c, r, err);
	printer_free(&p);
	free(seen.tids);
	ctrace_map_free(&seen.map);
	return r;
}
