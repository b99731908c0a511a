// SPDX-License-Identifier: LGPL-2.1
/*
 * User events, losses and marks as TrackEvents: the model's sink.
 *
 *   thread track  (uuid T, tid, incarnation)    regions as slices, logs,
 *       ThreadDescriptor{pid, tid, name}        instants and flow ends as
 *                                               instants
 *   process track (uuid P, tgid, incarnation)   parent of the rest
 *     +- task track (uuid K, BEGIN's offset)    one slice: the task, from
 *     |                                         TASK_BEGIN to TASK_END on
 *     |                                         any thread
 *     +- counter track (uuid C, name)           COUNTER / COUNTER_F values
 *   loss track    (uuid L, ring)                an instant per loss
 *   problem track (uuid E)                      where decoding stopped
 *
 * Every TrackEvent packet is on the machine's second sequence, stamped
 * CLOCK_MONOTONIC (timestamp_clock_id 3) after the ClockSnapshot that
 * relates it to BOOTTIME.  Event names and categories are interned (the
 * ring set's string IDs make the iids); the sequence's first packet
 * clears incremental state and needs it, later ones need it when they
 * use iids.  Nothing is ever cleared again, so an iid, once defined,
 * stays valid.
 *
 * Slices nest by construction: each thread track keeps the number of
 * slices open on it, BEGIN and END follow the model's region stack (the
 * END of a region whose BEGIN is not in the trace is never written: the
 * model says matched=false), anything the model forgot is closed first,
 * and times on a track never go back (a loss ends regions where the loss
 * began, which may lie before what the track already shows: such ends
 * move up to the track's last time).  Regions still open at the end of
 * the trace stay open: Perfetto shows them as not ended.
 */
#include <inttypes.h>
#include <string.h>

#include "perfetto_internal.h"

/* An event name: a string of a ring set (interned), or a literal. */
struct pf_str {
	uint32_t set;
	uint16_t id;		/* 0: @s is a literal */
	const char *s;
};

#define INTERN_NAME	1ull
#define INTERN_CATEGORY	2ull

static uint64_t iid(const struct pf_str *s)
{
	return (uint64_t)s->set << 16 | s->id;
}

/* True the first time @s is seen as a @kind: it must go out now. */
static bool intern(struct pf_file *f, uint64_t kind, const struct pf_str *s)
{
	uint64_t key = kind << 40 | iid(s);

	if (ctrace_map_get(&f->interned, key) != CTRACE_MAP_NONE)
		return false;
	if (ctrace_map_put(&f->interned, key, 1))
		f->oom = true;
	return true;
}

static void interned_entry(struct pb_buf *b, uint32_t field, const struct pf_str *s)
{
	size_t m = pb_begin(b, field);
	char buf[16];

	/* EventName and EventCategory number their fields alike. */
	pb_uint(b, PF_EN_IID, iid(s));
	if (!s->s)
		snprintf(buf, sizeof(buf), "#%u", s->id);
	pb_string(b, PF_EN_NAME, s->s ? s->s : buf);
	pb_end(b, m);
}

/* A packet on the TrackEvent sequence at @ns (MONOTONIC). */
static void te_packet(struct pf_file *f, uint64_t ns, bool iids)
{
	struct pb_buf *b = pf_pkt(f);
	uint32_t flags = 0;

	pf_packet_start(f, f->useq);
	pb_uint(b, PF_TP_TIMESTAMP, pf_mono_ns(f, ns));
	pb_uint(b, PF_TP_TIMESTAMP_CLOCK_ID, PF_CLOCK_MONOTONIC);
	if (!f->useq_started) {
		flags = PF_SEQ_INCREMENTAL_STATE_CLEARED | PF_SEQ_NEEDS_INCREMENTAL_STATE;
		pb_uint(b, PF_TP_FIRST_PACKET_ON_SEQUENCE, 1);
		f->useq_started = true;
	} else if (iids) {
		flags = PF_SEQ_NEEDS_INCREMENTAL_STATE;
	}
	if (flags)
		pb_uint(b, PF_TP_SEQUENCE_FLAGS, flags);
}

/* Open a TrackEvent: the packet, new interned strings, type, track, name. */
static size_t te_begin(struct pf_file *f, uint64_t ns, uint32_t type,
		       uint64_t track, const struct pf_str *name,
		       const struct pf_str *cat)
{
	bool new_name = name && name->id && intern(f, INTERN_NAME, name);
	bool new_cat = cat && cat->id && intern(f, INTERN_CATEGORY, cat);
	struct pb_buf *b = pf_pkt(f);
	size_t m;

	te_packet(f, ns, (name && name->id) || (cat && cat->id));
	if (new_name || new_cat) {
		m = pb_begin(b, PF_TP_INTERNED_DATA);
		if (new_name)
			interned_entry(b, PF_ID_EVENT_NAMES, name);
		if (new_cat)
			interned_entry(b, PF_ID_EVENT_CATEGORIES, cat);
		pb_end(b, m);
	}
	m = pb_begin(b, PF_TP_TRACK_EVENT);
	pb_uint(b, PF_TE_TYPE, type);
	pb_uint(b, PF_TE_TRACK_UUID, track);
	if (name && name->id)
		pb_uint(b, PF_TE_NAME_IID, iid(name));
	else if (name && name->s)
		pb_string(b, PF_TE_NAME, name->s);
	if (cat && cat->id)
		pb_uint(b, PF_TE_CATEGORY_IIDS, iid(cat));
	return m;
}

static void te_end(struct pf_file *f, size_t m)
{
	pb_end(pf_pkt(f), m);
	pf_packet_finish(f);
	f->track_events++;
}

static size_t arg_begin(struct pb_buf *b, const char *key)
{
	size_t m = pb_begin(b, PF_TE_DEBUG_ANNOTATIONS);

	pb_string(b, PF_DA_NAME, key);
	return m;
}

static void arg_uint(struct pf_file *f, const char *key, uint64_t v)
{
	struct pb_buf *b = pf_pkt(f);
	size_t m = arg_begin(b, key);

	pb_uint(b, PF_DA_UINT_VALUE, v);
	pb_end(b, m);
}

static void arg_int(struct pf_file *f, const char *key, int64_t v)
{
	struct pb_buf *b = pf_pkt(f);
	size_t m = arg_begin(b, key);

	pb_int(b, PF_DA_INT_VALUE, v);
	pb_end(b, m);
}

static void arg_str(struct pf_file *f, const char *key, const char *s, size_t n)
{
	struct pb_buf *b = pf_pkt(f);
	size_t m = arg_begin(b, key);

	pb_string_n(b, PF_DA_STRING_VALUE, s, n);
	pb_end(b, m);
}

/* ------------------------------------------------------------ tracks */

static size_t td_begin(struct pf_file *f, uint64_t ns, uint64_t uuid)
{
	struct pb_buf *b = pf_pkt(f);
	size_t m;

	/* Descriptors carry a time, so that they sort before their events
	 * among the kernel's (docs: synthetic track events). */
	te_packet(f, ns, false);
	m = pb_begin(b, PF_TP_TRACK_DESCRIPTOR);
	pb_uint(b, PF_TD_UUID, uuid);
	return m;
}

static void td_end(struct pf_file *f, size_t m)
{
	pb_end(pf_pkt(f), m);
	pf_packet_finish(f);
}

static void describe_process(struct pf_file *f, const struct pf_thread *ld,
			     uint64_t ns)
{
	struct pb_buf *b = pf_pkt(f);
	size_t m = td_begin(f, ns, ld->proc_track), p;

	p = pb_begin(b, PF_TD_PROCESS);
	pb_int(b, PF_PD_PID, (int32_t)ld->tid);
	if (ld->comm[0])
		pb_string(b, PF_PD_PROCESS_NAME, ld->comm);
	pb_end(b, p);
	td_end(f, m);
}

static uint64_t process_track(struct pf_file *f, uint32_t tgid, uint64_t ns)
{
	struct pf_thread *ld = pf_thread_get(f, tgid);
	uint64_t uuid;

	if (!ld)
		return 0;
	uuid = pf_uuid('P', f->machine, tgid, ld->gen);
	if (ld->proc_track != uuid) {
		if (!ld->tgid)
			ld->tgid = tgid;
		ld->proc_track = uuid;
		describe_process(f, ld, ns);
	}
	return uuid;
}

static void describe_thread(struct pf_file *f, const struct pf_thread *th,
			    uint64_t ns)
{
	struct pb_buf *b = pf_pkt(f);
	size_t m = td_begin(f, ns, th->track), t;
	char buf[32];

	if (!th->tgid) {
		/* A ThreadDescriptor needs the pid: without it, a plain
		 * track, rather than a thread of a wrong process. */
		snprintf(buf, sizeof(buf), "thread %u", th->tid);
		pb_string(b, PF_TD_NAME, buf);
	} else {
		t = pb_begin(b, PF_TD_THREAD);
		pb_int(b, PF_THD_PID, (int32_t)th->tgid);
		pb_int(b, PF_THD_TID, (int32_t)th->tid);
		if (th->comm[0])
			pb_string(b, PF_THD_THREAD_NAME, th->comm);
		pb_end(b, t);
	}
	td_end(f, m);
}

static struct pf_thread *thread_track(struct pf_file *f, uint32_t tid,
				      uint32_t tgid, uint64_t ns)
{
	struct pf_thread *th = pf_thread_get(f, tid);

	if (!th)
		return NULL;
	if (!th->tgid)
		th->tgid = tgid;
	if (th->track)
		return th;
	if (th->tgid)
		process_track(f, th->tgid, ns);
	th->track = pf_uuid('T', f->machine, tid, th->gen);
	th->last_ns = 0;
	th->open = 0;
	describe_thread(f, th, ns);
	return th;
}

void pf_track_renamed(struct pf_file *f, struct pf_thread *th, uint64_t ns)
{
	/* A descriptor's name outranks the kernel's in trace_processor:
	 * tell it again, the same uuid with the new name. */
	if (th->track)
		describe_thread(f, th, ns);
	if (th->proc_track)
		describe_process(f, th, ns);
}

static uint64_t counter_track(struct pf_file *f, const struct ctrace_model_uevent *u,
			      bool dbl)
{
	uint64_t key = (uint64_t)u->tgid << 32 | u->set << 16 | u->name_id;
	uint64_t uuid = pf_uuid(dbl ? 'D' : 'C', f->machine,
				(uint64_t)u->tgid << 32 | u->set, u->name_id);
	uint64_t parent;
	char buf[16];
	size_t m;

	if (ctrace_map_get(&f->counters[dbl], key) != CTRACE_MAP_NONE)
		return uuid;
	if (ctrace_map_put(&f->counters[dbl], key, 1))
		f->oom = true;
	parent = u->tgid ? process_track(f, u->tgid, u->ns) : 0;
	m = td_begin(f, u->ns, uuid);
	snprintf(buf, sizeof(buf), "#%u", u->name_id);
	pb_string(pf_pkt(f), PF_TD_NAME, u->name ? u->name : u->name_id ? buf : "counter");
	if (parent)
		pb_uint(pf_pkt(f), PF_TD_PARENT_UUID, parent);
	pb_end(pf_pkt(f), pb_begin(pf_pkt(f), PF_TD_COUNTER));
	td_end(f, m);
	return uuid;
}

/* Times on a thread track never go back. */
static uint64_t track_time(struct pf_thread *th, uint64_t ns)
{
	if (ns < th->last_ns)
		ns = th->last_ns;
	th->last_ns = ns;
	return ns;
}

static void slice_end(struct pf_file *f, struct pf_thread *th, uint64_t ns,
		      const char *why)
{
	size_t m = te_begin(f, track_time(th, ns), PF_TYPE_SLICE_END, th->track,
			    NULL, NULL);

	/* trace_processor merges an END's args into its slice's. */
	if (why)
		arg_str(f, "ctrace.end", why, strlen(why));
	te_end(f, m);
	th->open--;
}

/* ------------------------------------------------------------ user events */

static struct pf_str ustr(const struct ctrace_model_uevent *u, const char *dflt)
{
	return (struct pf_str){ .set = u->set, .id = u->name_id,
				.s = u->name_id ? u->name : dflt };
}

static void region_begin(struct pf_file *f, const struct ctrace_model_uevent *u)
{
	struct pf_thread *th = thread_track(f, u->tid, u->tgid, u->ns);
	struct pf_str name = ustr(u, "region");
	size_t m;

	/* depth 0: the model could not keep it (out of memory). */
	if (!th || !u->depth)
		return;
	while (th->open && th->open >= u->depth)
		slice_end(f, th, u->ns, "forgotten");
	m = te_begin(f, track_time(th, u->ns), PF_TYPE_SLICE_BEGIN, th->track,
		     &name, NULL);
	if (u->has_task)
		arg_uint(f, "task", u->task);
	te_end(f, m);
	th->open++;
}

/* An instant on the writer's thread track. */
static size_t instant(struct pf_file *f, const struct ctrace_model_uevent *u,
		      const struct pf_str *name, const struct pf_str *cat)
{
	struct pf_thread *th = thread_track(f, u->tid, u->tgid, u->ns);

	if (!th)
		return SIZE_MAX;
	return te_begin(f, track_time(th, u->ns), PF_TYPE_INSTANT, th->track,
			name, cat);
}

/* An END whose BEGIN is not in the trace: a mark, never a slice END. */
static void unmatched_end(struct pf_file *f, const struct ctrace_model_uevent *u,
			  const char *what)
{
	struct pf_str name = ustr(u, what);
	size_t m = instant(f, u, &name, NULL);

	if (m == SIZE_MAX)
		return;
	arg_str(f, "ctrace.end_of", "begun before the trace (or lost)",
		strlen("begun before the trace (or lost)"));
	if (u->has_task)
		arg_uint(f, "task", u->task);
	te_end(f, m);
}

static void task_begin(struct pf_file *f, const struct ctrace_model_uevent *u)
{
	uint64_t uuid = pf_uuid('K', f->machine, u->offset, 0);
	uint64_t parent = u->tgid ? process_track(f, u->tgid, u->ns) : 0;
	struct pf_str name = ustr(u, "task");
	char buf[16];
	size_t m;

	/* One track per task: it may span threads, so it hangs under its
	 * process, named as the task. */
	m = td_begin(f, u->ns, uuid);
	snprintf(buf, sizeof(buf), "#%u", u->name_id);
	pb_string(pf_pkt(f), PF_TD_NAME, u->name ? u->name : u->name_id ? buf : "task");
	if (parent)
		pb_uint(pf_pkt(f), PF_TD_PARENT_UUID, parent);
	td_end(f, m);
	m = te_begin(f, u->ns, PF_TYPE_SLICE_BEGIN, uuid, &name, NULL);
	arg_uint(f, "task", u->task);
	if (u->parent)
		arg_uint(f, "parent", u->parent);
	arg_uint(f, "tid", u->tid);
	te_end(f, m);
}

/* Flow IDs are trace-wide in Perfetto, a ring set's own in ctrace. */
static uint64_t flow_id(const struct pf_file *f, const struct ctrace_model_uevent *u)
{
	return u->flow ^ pf_uuid('F', f->machine, u->set, 0);
}

static void on_uevent(void *arg, const struct ctrace_model_uevent *u)
{
	struct pf_file *f = arg;
	struct pf_str name, cat;
	struct pf_thread *th;
	size_t m;

	switch (u->type) {
	case CTRACE_UREC_THREAD:
		th = pf_thread_get(f, u->tid);
		if (!th)
			break;
		if (th->tgid && u->tgid && th->tgid != u->tgid) {
			/* Another process's thread now: a reused tid. */
			*th = (struct pf_thread){ .tid = u->tid, .gen = th->gen + 1 };
		}
		if (u->tgid)
			th->tgid = u->tgid;
		if (u->comm[0] && strcmp(th->comm, u->comm)) {
			memcpy(th->comm, u->comm, sizeof(th->comm));
			pf_track_renamed(f, th, u->ns);
		}
		break;
	case CTRACE_UREC_REGION_BEGIN:
		region_begin(f, u);
		break;
	case CTRACE_UREC_REGION_END:
		/* Matched ones end in on_region(), which the model calls first. */
		if (!u->matched)
			unmatched_end(f, u, "region");
		break;
	case CTRACE_UREC_TASK_BEGIN:
		task_begin(f, u);
		break;
	case CTRACE_UREC_TASK_END:
		if (!u->matched)
			unmatched_end(f, u, "task");
		break;
	case CTRACE_UREC_LOG:
		name = ustr(u, "log");
		cat = ustr(u, NULL);
		m = instant(f, u, &name, u->name_id ? &cat : NULL);
		if (m == SIZE_MAX)
			break;
		arg_str(f, "message", u->msg ? u->msg : "", u->msg ? u->msg_len : 0);
		if (u->has_task)
			arg_uint(f, "task", u->task);
		te_end(f, m);
		break;
	case CTRACE_UREC_INSTANT:
		name = ustr(u, "instant");
		m = instant(f, u, &name, NULL);
		if (m == SIZE_MAX)
			break;
		if (u->has_task)
			arg_uint(f, "task", u->task);
		te_end(f, m);
		break;
	case CTRACE_UREC_COUNTER:
	case CTRACE_UREC_COUNTER_F: {
		bool dbl = u->type == CTRACE_UREC_COUNTER_F;

		m = te_begin(f, u->ns, PF_TYPE_COUNTER, counter_track(f, u, dbl),
			     NULL, NULL);
		if (dbl)
			pb_double(pf_pkt(f), PF_TE_DOUBLE_COUNTER_VALUE, u->fvalue);
		else
			pb_int(pf_pkt(f), PF_TE_COUNTER_VALUE, u->ivalue);
		te_end(f, m);
		break;
	}
	case CTRACE_UREC_FLOW_BEGIN:
	case CTRACE_UREC_FLOW_END:
		name = ustr(u, u->type == CTRACE_UREC_FLOW_BEGIN ? "flow" : "flow end");
		m = instant(f, u, &name, NULL);
		if (m == SIZE_MAX)
			break;
		pb_fixed64(pf_pkt(f), u->type == CTRACE_UREC_FLOW_BEGIN ?
			   PF_TE_FLOW_IDS : PF_TE_TERMINATING_FLOW_IDS, flow_id(f, u));
		arg_uint(f, "flow", u->flow);
		te_end(f, m);
		break;
	}
}

static void on_region(void *arg, const struct ctrace_model_region *r)
{
	struct pf_file *f = arg;
	struct pf_thread *th = pf_thread_find(f, r->tid);

	/* Open at the end of the trace: left open, "did not end". */
	if ((r->flags & CTRACE_RG_TRACE_END) || !th || !th->track ||
	    !r->depth || r->depth > th->open)
		return;
	while (th->open > r->depth)
		slice_end(f, th, r->end, "forgotten");
	slice_end(f, th, r->end, r->flags & CTRACE_RG_LOST ? "lost" : NULL);
}

/*
 * A system call: a slice on its thread's track, named for the call, with
 * its return value.  The model tells it at its exit; nothing of its
 * thread's track can lie between its entry and exit (the thread was in
 * the kernel), so its begin keeps the track's times in order.
 */
static void on_syscall(void *arg, const struct ctrace_model_syscall *sc)
{
	struct pf_file *f = arg;
	struct pf_thread *th = thread_track(f, sc->tid, sc->tgid, sc->begin);
	struct pf_str name = { 0 }, cat = { .s = "syscall" };
	char buf[24];
	size_t m;

	if (!th)
		return;
	name.s = ctrace_syscall_name(sc->aux, buf, sizeof(buf));
	m = te_begin(f, track_time(th, sc->begin), PF_TYPE_SLICE_BEGIN, th->track,
		     &name, &cat);
	if (!(sc->flags & CTRACE_SC_UNENDED))
		arg_int(f, "ret", sc->ret);
	if (sc->flags & CTRACE_SC_BLOCKED)
		arg_uint(f, "off_cpu_ns", sc->off_cpu_ns);
	te_end(f, m);
	th->open++;
	slice_end(f, th, sc->end, sc->flags & CTRACE_SC_DIED ? "thread died" :
		  sc->flags & CTRACE_SC_UNENDED ? "trace end" : NULL);
}

static void on_task(void *arg, const struct ctrace_model_task *t)
{
	struct pf_file *f = arg;
	size_t m;

	if (t->flags & CTRACE_RG_TRACE_END)
		return;
	m = te_begin(f, t->end, PF_TYPE_SLICE_END,
		     pf_uuid('K', f->machine, t->begin_offset, 0), NULL, NULL);
	if (t->flags & CTRACE_RG_LOST)
		arg_str(f, "ctrace.end", "lost", 4);
	te_end(f, m);
}

/* ------------------------------------------------------------ losses */

static struct pf_ring *loss_track(struct pf_file *f, const struct ctrace_model_loss *l)
{
	struct pf_ring *r;
	char label[64], name[96];
	size_t m;

	if (l->ring_index >= f->nr_rings)
		return NULL;
	r = &f->rings[l->ring_index];
	if (r->track)
		return r;
	r->track = pf_uuid('L', f->machine, l->ring_index, 0);
	if (l->kind == CTRACE_RING_KERNEL)
		snprintf(label, sizeof(label), "cpu %u", l->ring);
	else
		ctrace_ring_label(l->kind, l->ring, label, sizeof(label));
	snprintf(name, sizeof(name), "ctrace: losses, %s", label);
	m = td_begin(f, l->ns, r->track);
	pb_string(pf_pkt(f), PF_TD_NAME, name);
	td_end(f, m);
	return r;
}

/*
 * A loss, where the record that shows it stands: an instant on its ring's
 * loss track (count, the gap it opened, the reason), and for a kernel
 * ring, lost_events on that CPU's next bundle.
 */
static void on_loss(void *arg, const struct ctrace_model_loss *l)
{
	struct pf_file *f = arg;
	bool corrupt = l->corrupt_reason || l->corrupt_bytes;
	const char *reason;
	struct pf_str name = { 0 };
	struct pf_ring *r;
	char buf[96];
	uint64_t ts;
	size_t m;

	f->losses++;
	if (l->kind == CTRACE_RING_KERNEL)
		pf_cpu_lost(f, l->ring);
	r = loss_track(f, l);
	if (!r)
		return;
	if (l->count)
		snprintf(buf, sizeof(buf), "lost %" PRIu64 " events", l->count);
	else if (corrupt)
		snprintf(buf, sizeof(buf), "corrupt records (%u bytes)", l->corrupt_bytes);
	else if (r->corrupt_open)
		snprintf(buf, sizeof(buf), "end of corrupt records");
	else
		snprintf(buf, sizeof(buf), "events missing (sequence gap)");
	r->corrupt_open = corrupt;
	name.s = buf;
	ts = l->ns > r->last_ns ? l->ns : r->last_ns;
	r->last_ns = ts;
	m = te_begin(f, ts, PF_TYPE_INSTANT, r->track, &name, NULL);
	arg_uint(f, "count", l->count);
	if (l->has_from && l->ns >= l->from_ns)
		arg_uint(f, "gap_ns", l->ns - l->from_ns);
	if (corrupt) {
		reason = ctrace_corrupt_reason_name(l->corrupt_reason);
		if (reason)
			arg_str(f, "reason", reason, strlen(reason));
		arg_uint(f, "bytes", l->corrupt_bytes);
	}
	arg_uint(f, "file_offset", l->offset);
	te_end(f, m);
}

void pf_problem_mark(struct pf_file *f, uint64_t ns, const char *what)
{
	struct pf_str name = { .s = "trace file problem" };
	size_t m;

	if (!f->problem_track) {
		char buf[64];

		f->problem_track = pf_uuid('E', f->machine, 0, 0);
		m = td_begin(f, ns, f->problem_track);
		snprintf(buf, sizeof(buf), "ctrace: trace file");
		pb_string(pf_pkt(f), PF_TD_NAME, buf);
		td_end(f, m);
	}
	m = te_begin(f, ns, PF_TYPE_INSTANT, f->problem_track, &name, NULL);
	arg_str(f, "problem", what, strlen(what));
	te_end(f, m);
}

const struct ctrace_model_sink pf_sink = {
	.uevent = on_uevent,
	.region = on_region,
	.syscall = on_syscall,
	.task = on_task,
	.loss = on_loss,
};
