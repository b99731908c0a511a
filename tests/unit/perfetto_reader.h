/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, independent reader of the Perfetto traces ctrace exports, for
 * tests: the unit test (export_perfetto_test.c), the ground-truth check
 * (tests/export/perfetto_check.c) and the export fuzzer.  It decodes the
 * protobuf wire format itself (it shares no code with the writer, so a
 * writer bug is not read back as right) into flat arrays, and checks
 * what trace_processor relies on:
 *
 *   - every byte parses: keys, varints, lengths within their message
 *   - per sequence: SEQ_INCREMENTAL_STATE_CLEARED before any packet that
 *     needs incremental state; packets using iids say they need it; every
 *     iid used was defined before on its sequence
 *   - FtraceEventBundle has a cpu, every FtraceEvent a timestamp and pid
 *   - per track: times never go back; SLICE_END only with a slice open
 *     (pr_slices() pairs them)
 *
 * Field numbers are spelled out here again on purpose (from upstream's
 * .proto files, as tools/export/perfetto_fields.h has them).  Input is
 * untrusted: everything is bounds-checked, strings are cut to fit.
 */
#ifndef CTRACE_TESTS_PERFETTO_READER_H
#define CTRACE_TESTS_PERFETTO_READER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PR_STR 64

struct pr_field {
	uint32_t num;
	uint8_t wt;
	uint64_t v;		/* varint, fixed64 */
	const uint8_t *data;	/* length-delimited */
	size_t len;
};

struct pr_msg {
	const uint8_t *p, *end;
};

static inline bool pr_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return false;
		r |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* 1: @f is the next field; 0: the message ended; -1: malformed. */
static inline int pr_next(struct pr_msg *m, struct pr_field *f)
{
	uint64_t key;

	if (m->p == m->end)
		return 0;
	if (!pr_varint(&m->p, m->end, &key) || key >> 3 == 0 || key >> 3 > 0x1fffffff)
		return -1;
	f->num = (uint32_t)(key >> 3);
	f->wt = key & 7;
	switch (f->wt) {
	case 0:
		return pr_varint(&m->p, m->end, &f->v) ? 1 : -1;
	case 1:
		if (m->end - m->p < 8)
			return -1;
		f->v = 0;
		for (int i = 0; i < 8; i++)
			f->v |= (uint64_t)m->p[i] << (8 * i);
		m->p += 8;
		return 1;
	case 2:
		if (!pr_varint(&m->p, m->end, &f->v) || f->v > (uint64_t)(m->end - m->p))
			return -1;
		f->data = m->p;
		f->len = (size_t)f->v;
		m->p += f->len;
		return 1;
	case 5:
		if (m->end - m->p < 4)
			return -1;
		m->p += 4;
		return 1;
	default:
		return -1;
	}
}

static inline struct pr_msg pr_sub(const struct pr_field *f)
{
	return (struct pr_msg){ f->data, f->data + f->len };
}

static inline void pr_copy(char *dst, const struct pr_field *f)
{
	size_t n = f->len < PR_STR - 1 ? f->len : PR_STR - 1;

	memcpy(dst, f->data, n);
	dst[n] = '\0';
}

/* ------------------------------------------------------------ the result */

struct pr_clock {
	uint32_t machine;
	uint64_t boot, mono, real;
	bool primary;
};

struct pr_tree {	/* a ProcessTree entry */
	uint32_t machine;
	bool process;
	int32_t pid, tgid;	/* process: pid; thread: tid, tgid */
	char name[PR_STR];
	uint64_t ts;
};

struct pr_fev {		/* an FtraceEvent */
	uint32_t machine, cpu, field;	/* field: which event (FtraceEvent number) */
	uint64_t ts;
	uint32_t common_pid, common_flags;
	int32_t pid, pid2;	/* switch: prev, next; waking: wakee; newtask: child */
	int64_t prev_state;
	int32_t target_cpu;
	uint64_t clone_flags;
	char comm[PR_STR], comm2[PR_STR];
	bool lost_bundle;	/* in a bundle with lost_events */
};

struct pr_track {
	uint32_t machine;
	uint64_t uuid, parent;
	int kind;		/* PR_TRACK_* */
	int32_t pid;
	int64_t tid;
	char name[PR_STR];
};

#define PR_TRACK_NAMED		0
#define PR_TRACK_PROCESS	1
#define PR_TRACK_THREAD		2
#define PR_TRACK_COUNTER	3

struct pr_te {		/* a TrackEvent */
	uint32_t machine, seq;
	uint64_t ts;
	uint32_t clock;		/* timestamp_clock_id, 0 when absent */
	uint32_t type;
	uint64_t track;
	char name[PR_STR], category[PR_STR];
	uint32_t nr_flows, nr_terminating;
	uint64_t flow, terminating;	/* the first of each */
	bool has_int, has_double;
	int64_t ivalue;
	double dvalue;
	bool has_message;
	char message[PR_STR];	/* debug annotation "message" */
	char end[PR_STR];	/* debug annotation "ctrace.end" */
	bool has_task;
	uint64_t task;		/* debug annotation "task" */
	uint64_t count;		/* debug annotation "count" */
};

struct pr_slice {
	uint64_t track, begin, end;	/* end: UINT64_MAX while open */
	uint32_t depth;		/* 1: outermost */
	char name[PR_STR];
	char end_reason[PR_STR];
	bool has_task;
	uint64_t task;
	size_t te;		/* index of its BEGIN in tes */
};

struct pr_intern {
	uint64_t seq;		/* machine << 32 | sequence id */
	uint32_t kind;		/* 1 category, 2 name */
	uint64_t iid;
	char name[PR_STR];
};

struct pr_seq {
	uint64_t seq;
	bool cleared;
};

#define PR_ARRAY(type, name) type *name; size_t nr_##name, cap_##name

struct pr_trace {
	uint64_t packets, bundles, lost_bundles;
	PR_ARRAY(struct pr_clock, clocks);
	PR_ARRAY(struct pr_tree, tree);
	PR_ARRAY(struct pr_fev, fevs);
	PR_ARRAY(struct pr_track, tracks);
	PR_ARRAY(struct pr_te, tes);
	PR_ARRAY(struct pr_intern, interned);
	PR_ARRAY(struct pr_seq, seqs);
	PR_ARRAY(struct pr_slice, slices);
	char release[PR_STR];	/* machine 0's Utsname.release */
	char sysname[PR_STR];
	uint32_t max_machine;
	bool first_is_clock;	/* the first packet is a ClockSnapshot */
	unsigned int errors;
	char error[256];	/* the first */
};

#define pr_push(t, name) \
	((t)->nr_##name == (t)->cap_##name ? pr_grow((void **)&(t)->name, &(t)->cap_##name, \
						     sizeof(*(t)->name)) : 0, \
	 memset(&(t)->name[(t)->nr_##name], 0, sizeof(*(t)->name)), \
	 &(t)->name[(t)->nr_##name++])

static inline int pr_grow(void **p, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : 64;
	void *q = realloc(*p, n * size);

	if (!q)
		abort();	/* a test helper: no recovery */
	*p = q;
	*cap = n;
	return 0;
}

__attribute__((format(printf, 2, 3)))
static inline void pr_error(struct pr_trace *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->errors++) {
		va_start(ap, fmt);
		vsnprintf(t->error, sizeof(t->error), fmt, ap);
		va_end(ap);
	}
}

static inline struct pr_seq *pr_seq_get(struct pr_trace *t, uint64_t seq)
{
	struct pr_seq *s;

	for (size_t i = 0; i < t->nr_seqs; i++)
		if (t->seqs[i].seq == seq)
			return &t->seqs[i];
	s = pr_push(t, seqs);
	s->seq = seq;
	return s;
}

static inline const char *pr_lookup(const struct pr_trace *t, uint64_t seq,
				    uint32_t kind, uint64_t iid)
{
	for (size_t i = t->nr_interned; i-- > 0;)
		if (t->interned[i].seq == seq && t->interned[i].kind == kind &&
		    t->interned[i].iid == iid)
			return t->interned[i].name;
	return NULL;
}

/* ------------------------------------------------------------ decoding */

#define PR_EACH(m, f, r) while (((r) = pr_next((m), (f))) > 0)
#define PR_CHECK(t, r, what) do { if ((r) < 0) pr_error((t), "malformed %s", (what)); } while (0)

static inline void pr_clock_snapshot(struct pr_trace *t, struct pr_msg m, uint32_t machine)
{
	struct pr_clock *c = pr_push(t, clocks);
	struct pr_field f, g;
	int r, r2;

	c->machine = machine;
	PR_EACH(&m, &f, r) {
		if (f.num == 2 && f.wt == 0 && f.v == 6)
			c->primary = true;
		if (f.num != 1 || f.wt != 2)
			continue;
		struct pr_msg cm = pr_sub(&f);
		uint64_t id = 0, ts = 0;

		PR_EACH(&cm, &g, r2) {
			if (g.num == 1)
				id = g.v;
			else if (g.num == 2)
				ts = g.v;
		}
		PR_CHECK(t, r2, "Clock");
		if (id == 6)
			c->boot = ts;
		else if (id == 3)
			c->mono = ts;
		else if (id == 1)
			c->real = ts;
	}
	PR_CHECK(t, r, "ClockSnapshot");
}

static inline void pr_system_info(struct pr_trace *t, struct pr_msg m, uint32_t machine)
{
	struct pr_field f, g;
	int r, r2;

	PR_EACH(&m, &f, r) {
		if (f.num != 1 || f.wt != 2)
			continue;
		struct pr_msg u = pr_sub(&f);

		PR_EACH(&u, &g, r2) {
			if (machine || g.wt != 2)
				continue;
			if (g.num == 1)
				pr_copy(t->sysname, &g);
			else if (g.num == 3)
				pr_copy(t->release, &g);
		}
		PR_CHECK(t, r2, "Utsname");
	}
	PR_CHECK(t, r, "SystemInfo");
}

static inline void pr_process_tree(struct pr_trace *t, struct pr_msg m,
				   uint32_t machine, uint64_t ts)
{
	struct pr_field f, g;
	int r, r2;

	PR_EACH(&m, &f, r) {
		if ((f.num != 1 && f.num != 2) || f.wt != 2)
			continue;
		struct pr_tree *e = pr_push(t, tree);
		struct pr_msg em = pr_sub(&f);
		bool cmdline = false;

		e->machine = machine;
		e->process = f.num == 1;
		e->ts = ts;
		PR_EACH(&em, &g, r2) {
			if (g.num == 1 && g.wt == 0)
				e->pid = (int32_t)g.v;
			else if (e->process && g.num == 3 && g.wt == 2 && !cmdline) {
				pr_copy(e->name, &g);
				cmdline = true;
			} else if (!e->process && g.num == 2 && g.wt == 2)
				pr_copy(e->name, &g);
			else if (!e->process && g.num == 3 && g.wt == 0)
				e->tgid = (int32_t)g.v;
		}
		PR_CHECK(t, r2, "ProcessTree entry");
		if (e->process && !cmdline)
			pr_error(t, "process %d without a cmdline (trace_processor ignores it)", e->pid);
	}
	PR_CHECK(t, r, "ProcessTree");
}

static inline void pr_ftrace_event(struct pr_trace *t, struct pr_msg m,
				   uint32_t machine, uint32_t cpu)
{
	struct pr_fev *e = pr_push(t, fevs);
	bool ts = false, pid = false;
	struct pr_field f, g;
	int r, r2;

	e->machine = machine;
	e->cpu = cpu;
	PR_EACH(&m, &f, r) {
		if (f.num == 1 && f.wt == 0) {
			e->ts = f.v;
			ts = true;
		} else if (f.num == 2 && f.wt == 0) {
			e->common_pid = (uint32_t)f.v;
			pid = true;
		} else if (f.num == 5 && f.wt == 0) {
			e->common_flags = (uint32_t)f.v;
		} else if (f.wt == 2) {
			struct pr_msg em = pr_sub(&f);

			e->field = f.num;
			PR_EACH(&em, &g, r2) {
				/* sched_switch: 1 prev_comm 2 prev_pid 4 prev_state
				 * 5 next_comm 6 next_pid; waking, wakeup_new: 1 comm
				 * 2 pid 5 target_cpu; newtask: 1 pid 2 comm 3 flags;
				 * rename: 1 pid 2 old 3 new; exit, free: 1 comm 2 pid */
				bool sw = f.num == 4, nt = f.num == 235, rn = f.num == 236;

				if (g.wt == 2 && ((g.num == 1 && !nt && !rn) || (g.num == 2 && (nt || rn))))
					pr_copy(e->comm, &g);
				else if (g.wt == 2 && ((sw && g.num == 5) || (rn && g.num == 3)))
					pr_copy(e->comm2, &g);
				else if (g.wt == 0 && ((g.num == 2 && !nt && !rn) || (g.num == 1 && (nt || rn))))
					e->pid = (int32_t)g.v;
				else if (g.wt == 0 && sw && g.num == 6)
					e->pid2 = (int32_t)g.v;
				else if (g.wt == 0 && sw && g.num == 4)
					e->prev_state = (int64_t)g.v;
				else if (g.wt == 0 && !sw && g.num == 5)
					e->target_cpu = (int32_t)g.v;
				else if (g.wt == 0 && nt && g.num == 3)
					e->clone_flags = g.v;
			}
			PR_CHECK(t, r2, "ftrace event body");
		}
	}
	PR_CHECK(t, r, "FtraceEvent");
	if (!ts || !pid)
		pr_error(t, "FtraceEvent without %s", ts ? "pid" : "timestamp");
}

static inline void pr_bundle(struct pr_trace *t, struct pr_msg m, uint32_t machine)
{
	struct pr_msg again = m;
	bool has_cpu = false, lost = false;
	struct pr_field f;
	uint32_t cpu = 0;
	size_t first = t->nr_fevs;
	int r;

	t->bundles++;
	PR_EACH(&m, &f, r) {
		if (f.num == 1 && f.wt == 0) {
			cpu = (uint32_t)f.v;
			has_cpu = true;
		} else if (f.num == 3 && f.wt == 0 && f.v) {
			lost = true;
		}
	}
	PR_CHECK(t, r, "FtraceEventBundle");
	if (!has_cpu || cpu >= 1024)
		pr_error(t, "FtraceEventBundle without a valid cpu");
	t->lost_bundles += lost;
	PR_EACH(&again, &f, r)
		if (f.num == 2 && f.wt == 2)
			pr_ftrace_event(t, pr_sub(&f), machine, cpu);
	for (size_t i = first; i < t->nr_fevs; i++)
		t->fevs[i].lost_bundle = lost;
}

static inline void pr_track_descriptor(struct pr_trace *t, struct pr_msg m,
				       uint32_t machine)
{
	struct pr_track *k = pr_push(t, tracks);
	struct pr_field f, g;
	int r, r2;

	k->machine = machine;
	PR_EACH(&m, &f, r) {
		if (f.num == 1 && f.wt == 0)
			k->uuid = f.v;
		else if (f.num == 5 && f.wt == 0)
			k->parent = f.v;
		else if (f.num == 2 && f.wt == 2)
			pr_copy(k->name, &f);
		else if (f.num == 8 && f.wt == 2)
			k->kind = PR_TRACK_COUNTER;
		else if ((f.num == 3 || f.num == 4) && f.wt == 2) {
			struct pr_msg d = pr_sub(&f);

			k->kind = f.num == 3 ? PR_TRACK_PROCESS : PR_TRACK_THREAD;
			PR_EACH(&d, &g, r2) {
				if (g.num == 1 && g.wt == 0)
					k->pid = (int32_t)g.v;
				else if (f.num == 4 && g.num == 2 && g.wt == 0)
					k->tid = (int64_t)g.v;
				else if (g.wt == 2 && ((f.num == 3 && g.num == 6) ||
						       (f.num == 4 && g.num == 5)))
					pr_copy(k->name, &g);
			}
			PR_CHECK(t, r2, "Process/ThreadDescriptor");
		}
	}
	PR_CHECK(t, r, "TrackDescriptor");
	if (!k->uuid)
		pr_error(t, "TrackDescriptor without a uuid");
}

static inline void pr_annotation(struct pr_te *e, struct pr_msg m)
{
	char name[PR_STR] = "", sval[PR_STR] = "";
	uint64_t uval = 0;
	struct pr_field f;

	while (pr_next(&m, &f) > 0) {
		if (f.num == 10 && f.wt == 2)
			pr_copy(name, &f);
		else if (f.num == 6 && f.wt == 2)
			pr_copy(sval, &f);
		else if ((f.num == 3 || f.num == 4) && f.wt == 0)
			uval = f.v;
	}
	if (!strcmp(name, "message")) {
		e->has_message = true;
		memcpy(e->message, sval, sizeof(sval));
	}
	else if (!strcmp(name, "ctrace.end"))
		memcpy(e->end, sval, sizeof(sval));
	else if (!strcmp(name, "task")) {
		e->has_task = true;
		e->task = uval;
	} else if (!strcmp(name, "count")) {
		e->count = uval;
	}
}

static inline void pr_interned(struct pr_trace *t, struct pr_msg m, uint64_t seq)
{
	struct pr_field f, g;
	int r, r2;

	PR_EACH(&m, &f, r) {
		if ((f.num != 1 && f.num != 2) || f.wt != 2)
			continue;
		struct pr_intern *e = pr_push(t, interned);
		struct pr_msg em = pr_sub(&f);

		e->seq = seq;
		e->kind = f.num;
		PR_EACH(&em, &g, r2) {
			if (g.num == 1 && g.wt == 0)
				e->iid = g.v;
			else if (g.num == 2 && g.wt == 2)
				pr_copy(e->name, &g);
		}
		PR_CHECK(t, r2, "interned entry");
		if (!e->iid)
			pr_error(t, "interned entry with iid 0");
	}
	PR_CHECK(t, r, "InternedData");
}

static inline void pr_track_event(struct pr_trace *t, struct pr_msg m,
				  struct pr_te *e, uint64_t seq, bool needs)
{
	struct pr_field f;
	int r;

	PR_EACH(&m, &f, r) {
		const char *s;

		switch (f.num) {
		case 9:
			e->type = (uint32_t)f.v;
			break;
		case 11:
			e->track = f.v;
			break;
		case 23:
			if (f.wt == 2)
				pr_copy(e->name, &f);
			break;
		case 10:
		case 3:
			if (!needs)
				pr_error(t, "an iid on a packet without SEQ_NEEDS_INCREMENTAL_STATE");
			s = pr_lookup(t, seq, f.num == 10 ? 2 : 1, f.v);
			if (!s)
				pr_error(t, "%s iid %llu not defined before on its sequence",
					 f.num == 10 ? "name" : "category",
					 (unsigned long long)f.v);
			else
				snprintf(f.num == 10 ? e->name : e->category, PR_STR, "%s", s);
			break;
		case 30:
			e->has_int = true;
			e->ivalue = (int64_t)f.v;
			break;
		case 44:
			e->has_double = true;
			memcpy(&e->dvalue, &f.v, sizeof(e->dvalue));
			break;
		case 47:
		case 48:
			if (f.wt != 1) {
				pr_error(t, "flow ids must be fixed64");
			} else if (f.num == 47 && !e->nr_flows++) {
				e->flow = f.v;
			} else if (f.num == 48 && !e->nr_terminating++) {
				e->terminating = f.v;
			}
			break;
		case 4:
			if (f.wt == 2)
				pr_annotation(e, pr_sub(&f));
			break;
		}
	}
	PR_CHECK(t, r, "TrackEvent");
}

static inline void pr_packet(struct pr_trace *t, struct pr_msg m)
{
	struct pr_msg pass1 = m, pass2 = m;
	uint32_t seq_id = 0, machine = 0, flags = 0, clock = 0;
	bool has_ts = false, te = false;
	struct pr_field f;
	uint64_t ts = 0, seq;
	struct pr_seq *s;
	int r;

	t->packets++;
	/* Packet-wide fields first: they may come after the payload. */
	PR_EACH(&pass1, &f, r) {
		if (f.wt != 0)
			continue;
		if (f.num == 10)
			seq_id = (uint32_t)f.v;
		else if (f.num == 98)
			machine = (uint32_t)f.v;
		else if (f.num == 13)
			flags = (uint32_t)f.v;
		else if (f.num == 58)
			clock = (uint32_t)f.v;
		else if (f.num == 8) {
			ts = f.v;
			has_ts = true;
		}
	}
	PR_CHECK(t, r, "TracePacket");
	if (r < 0)
		return;
	if (machine > t->max_machine)
		t->max_machine = machine;
	seq = (uint64_t)machine << 32 | seq_id;
	s = pr_seq_get(t, seq);
	if (flags & 1)
		s->cleared = true;
	if ((flags & 2) && (!s->cleared || !seq_id))
		pr_error(t, "SEQ_NEEDS_INCREMENTAL_STATE on sequence %u before it was cleared",
			 seq_id);
	/* Interned data before the event that uses it, wherever it stands. */
	PR_EACH(&pass2, &f, r)
		if (f.num == 12 && f.wt == 2)
			pr_interned(t, pr_sub(&f), seq);
	while (pr_next(&m, &f) > 0) {
		if (f.wt != 2)
			continue;
		switch (f.num) {
		case 1:
			pr_bundle(t, pr_sub(&f), machine);
			break;
		case 2:
			pr_process_tree(t, pr_sub(&f), machine, ts);
			break;
		case 6:
			if (t->packets == 1)
				t->first_is_clock = true;
			pr_clock_snapshot(t, pr_sub(&f), machine);
			break;
		case 45:
			pr_system_info(t, pr_sub(&f), machine);
			break;
		case 60:
			pr_track_descriptor(t, pr_sub(&f), machine);
			break;
		case 11: {
			struct pr_te *e = pr_push(t, tes);

			e->machine = machine;
			e->seq = seq_id;
			e->ts = ts;
			e->clock = clock;
			if (!has_ts)
				pr_error(t, "TrackEvent packet without a timestamp");
			pr_track_event(t, pr_sub(&f), e, seq, flags & 2);
			te = true;
			break;
		}
		}
	}
	(void)te;
}

/* Decode a whole trace file; 0 when no error was found. */
static inline int pr_decode(const uint8_t *buf, size_t len, struct pr_trace *t)
{
	struct pr_msg m = { buf, buf + len };
	struct pr_field f;
	int r;

	memset(t, 0, sizeof(*t));
	PR_EACH(&m, &f, r) {
		if (f.num != 1 || f.wt != 2) {
			pr_error(t, "Trace has field %u (only packet = 1 belongs there)", f.num);
			continue;
		}
		pr_packet(t, pr_sub(&f));
	}
	PR_CHECK(t, r, "Trace");
	return t->errors ? -1 : 0;
}

/* The track with @uuid, or NULL. */
static inline const struct pr_track *pr_track(const struct pr_trace *t, uint64_t uuid)
{
	for (size_t i = 0; i < t->nr_tracks; i++)
		if (t->tracks[i].uuid == uuid)
			return &t->tracks[i];
	return NULL;
}

/*
 * Pair SLICE_BEGIN/END per track into t->slices (in BEGIN order), as
 * trace_processor does: an END closes the innermost open slice of its
 * track.  Checks that times on a track never go back, and that no END
 * comes with nothing open.  Returns the errors found.
 */
static inline unsigned int pr_slices(struct pr_trace *t)
{
	struct pr_tstate { uint64_t track, last; uint32_t depth; } *st = NULL;
	size_t nr = 0, cap = 0;
	unsigned int before = t->errors;

	for (size_t i = 0; i < t->nr_tes; i++) {
		const struct pr_te *e = &t->tes[i];
		struct pr_tstate *k = NULL;

		if (e->type != 1 && e->type != 2 && e->type != 3)
			continue;
		for (size_t j = 0; j < nr && !k; j++)
			if (st[j].track == e->track)
				k = &st[j];
		if (!k) {
			if (nr == cap)
				pr_grow((void **)&st, &cap, sizeof(*st));
			k = &st[nr++];
			*k = (struct pr_tstate){ .track = e->track };
		}
		if (e->ts < k->last)
			pr_error(t, "time goes back on track %llu: %llu after %llu",
				 (unsigned long long)e->track, (unsigned long long)e->ts,
				 (unsigned long long)k->last);
		k->last = e->ts;
		if (e->type == 1) {
			struct pr_slice *s = pr_push(t, slices);

			s->track = e->track;
			s->begin = e->ts;
			s->end = UINT64_MAX;
			s->depth = ++k->depth;
			s->te = i;
			s->has_task = e->has_task;
			s->task = e->task;
			memcpy(s->name, e->name, sizeof(s->name));
		} else if (e->type == 2) {
			size_t j;

			for (j = t->nr_slices; j-- > 0;)
				if (t->slices[j].track == e->track &&
				    t->slices[j].end == UINT64_MAX &&
				    t->slices[j].depth == k->depth)
					break;
			if (!k->depth || j == SIZE_MAX) {
				pr_error(t, "SLICE_END on track %llu with no slice open",
					 (unsigned long long)e->track);
				continue;
			}
			t->slices[j].end = e->ts;
			memcpy(t->slices[j].end_reason, e->end, sizeof(e->end));
			k->depth--;
		}
	}
	free(st);
	return t->errors - before;
}

static inline void pr_free(struct pr_trace *t)
{
	free(t->clocks);
	free(t->tree);
	free(t->fevs);
	free(t->tracks);
	free(t->tes);
	free(t->interned);
	free(t->seqs);
	free(t->slices);
	memset(t, 0, sizeof(*t));
}

/*
 * A MONOTONIC time of @machine in BOOTTIME, as trace_processor converts
 * it: by the latest of the machine's snapshots whose MONOTONIC is not
 * after it (the first one before them all).
 */
static inline uint64_t pr_mono_to_boot(const struct pr_trace *t, uint32_t machine,
				       uint64_t mono)
{
	const struct pr_clock *le = NULL, *first = NULL, *best;

	for (size_t i = 0; i < t->nr_clocks; i++) {
		const struct pr_clock *c = &t->clocks[i];

		if (c->machine != machine)
			continue;
		if (c->mono <= mono && (!le || c->mono >= le->mono))
			le = c;
		if (!first || c->mono < first->mono)
			first = c;
	}
	best = le ? le : first;
	return best ? mono + (best->boot - best->mono) : mono;
}

/* FtraceEvent fields of the events ctrace writes (pr_fev.field). */
#define PR_FT_SWITCH		4
#define PR_FT_WAKING		20
#define PR_FT_WAKEUP_NEW	114
#define PR_FT_NEWTASK		235
#define PR_FT_RENAME		236
#define PR_FT_EXIT		238
#define PR_FT_FREE		240

/* Finders for tests: the @n-th (0 first) or the first match, or NULL. */
static inline const struct pr_fev *pr_fev(const struct pr_trace *t, uint32_t field,
					  size_t n)
{
	for (size_t i = 0; i < t->nr_fevs; i++)
		if (t->fevs[i].field == field && n-- == 0)
			return &t->fevs[i];
	return NULL;
}

static inline const struct pr_te *pr_te_named(const struct pr_trace *t,
					      const char *name, size_t n)
{
	for (size_t i = 0; i < t->nr_tes; i++)
		if (!strcmp(t->tes[i].name, name) && n-- == 0)
			return &t->tes[i];
	return NULL;
}

static inline const struct pr_slice *pr_slice_named(const struct pr_trace *t,
						    const char *name)
{
	for (size_t i = 0; i < t->nr_slices; i++)
		if (!strcmp(t->slices[i].name, name))
			return &t->slices[i];
	return NULL;
}

/* The @n-th event that begins a flow (0 first), and in *end the first
 * after it that terminates that flow (NULL if none); NULL past the last. */
static inline const struct pr_te *pr_flow(const struct pr_trace *t, size_t n,
					  const struct pr_te **end)
{
	for (size_t i = 0; i < t->nr_tes; i++) {
		if (!t->tes[i].nr_flows || n-- > 0)
			continue;
		*end = NULL;
		for (size_t j = i + 1; j < t->nr_tes && !*end; j++)
			if (t->tes[j].nr_terminating && t->tes[j].terminating == t->tes[i].flow)
				*end = &t->tes[j];
		return &t->tes[i];
	}
	return NULL;
}

/* A thread track by tid (kind PR_TRACK_THREAD), or any track by name. */
static inline const struct pr_track *pr_track_of(const struct pr_trace *t,
						 int64_t tid, const char *name)
{
	for (size_t i = 0; i < t->nr_tracks; i++) {
		const struct pr_track *k = &t->tracks[i];

		if (name ? !strcmp(k->name, name) : k->kind == PR_TRACK_THREAD && k->tid == tid)
			return k;
	}
	return NULL;
}

/* Counts of FtraceEvents by their field number. */
static inline size_t pr_count_fev(const struct pr_trace *t, uint32_t field)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nr_fevs; i++)
		n += t->fevs[i].field == field;
	return n;
}

#endif
