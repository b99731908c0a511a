// SPDX-License-Identifier: LGPL-2.1
/*
 * Perfetto export: ctrace trace files as one Perfetto trace, a stream of
 * Trace.packet entries written as they are made (docs/export.md lists
 * them packet by packet).  This file drives it:
 *
 *   per file  pre-pass: cursor only, no model: the first CLOCK record,
 *             the time span, and each thread's first known tgid and name
 *             (so that a thread is named at its first event, even when
 *             the record naming it comes later); memory O(threads)
 *   header    per file (machine): ClockSnapshot (machine 0's is the
 *             very first packet), SystemInfo, ProcessTree
 *   merge     the files' cursors in time (aligned BOOTTIME), each event
 *             fed to its file's model, whose callbacks make TrackEvents
 *             (perfetto_track.c); kernel records become ftrace events
 *             (perfetto_sched.c); CLOCK records more ClockSnapshots
 *   end       the model finishes, bundles go out, problems are marked
 *
 * Time.  ctrace gives CLOCK_MONOTONIC ns (ev.ns).  Ftrace events are
 * BOOTTIME in Perfetto: ns + (boot - mono) of the latest CLOCK record
 * (the stream is in time order, so "latest seen" is "nearest
 * preceding"; events before the first use the first).  TrackEvents stay
 * MONOTONIC (timestamp_clock_id 3) and trace_processor converts them
 * through the same snapshots.  Several files: each is its own machine,
 * shifted so that equal REALTIME means equal trace time (align()).
 *
 * Errors: a file that stops decoding (corrupt record, truncated,
 * incomplete) exports what came before, gets a mark where it stopped,
 * and makes the export return -EBADMSG; out of memory drops what it
 * must and returns -ENOMEM; a write error, -EIO.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "perfetto_internal.h"

#if defined(__x86_64__)
#define PF_ARCH "x86_64"
#elif defined(__aarch64__)
#define PF_ARCH "aarch64"
#elif defined(__i386__)
#define PF_ARCH "i686"
#else
#define PF_ARCH NULL
#endif

/* A ProcessTree packet holds at most this many entries. */
#define PF_TREE_BATCH 512

/* ------------------------------------------------------------ helpers */

static int64_t sat64(__int128 v)
{
	return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

/* Perfetto keeps times as int64: clamp to [0, INT64_MAX]. */
static uint64_t clamp_ts(__int128 v)
{
	return v < 0 ? 0 : v > INT64_MAX ? (uint64_t)INT64_MAX : (uint64_t)v;
}

uint64_t pf_boot_ns(const struct pf_file *f, uint64_t ns)
{
	return clamp_ts((__int128)ns + f->boot_off + f->shift);
}

uint64_t pf_mono_ns(const struct pf_file *f, uint64_t ns)
{
	return clamp_ts((__int128)ns + f->shift);
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ x >> 30) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ x >> 27) * 0x94d049bb133111ebull;
	return x ^ x >> 31;
}

/* Track uuids are global to the trace: the machine goes into each. */
uint64_t pf_uuid(uint32_t kind, uint32_t machine, uint64_t a, uint64_t b)
{
	uint64_t h = mix64(mix64(mix64((uint64_t)kind << 32 | machine) ^ a) ^ b);

	return h ? h : 1;	/* 0 is the implicit global track */
}

struct pf_thread *pf_thread_find(const struct pf_file *f, uint32_t tid)
{
	uint32_t i = ctrace_map_get(&f->thread_map, tid);

	return i == CTRACE_MAP_NONE ? NULL : &f->tblocks[i / PF_TBLOCK][i % PF_TBLOCK];
}

struct pf_thread *pf_thread_get(struct pf_file *f, uint32_t tid)
{
	struct pf_thread *th = pf_thread_find(f, tid);
	size_t i = f->nr_threads;

	if (th)
		return th;
	if (i >= UINT32_MAX - 1)
		goto oom;
	if (i % PF_TBLOCK == 0) {
		struct pf_thread **p = realloc(f->tblocks,
					       (i / PF_TBLOCK + 1) * sizeof(*p));

		if (!p)
			goto oom;
		f->tblocks = p;
		p[i / PF_TBLOCK] = calloc(PF_TBLOCK, sizeof(**p));
		if (!p[i / PF_TBLOCK])
			goto oom;
	}
	if (ctrace_map_put(&f->thread_map, tid, (uint32_t)i))
		goto oom;
	f->nr_threads++;
	th = &f->tblocks[i / PF_TBLOCK][i % PF_TBLOCK];
	*th = (struct pf_thread){ .tid = tid };
	return th;
oom:
	f->oom = true;
	return NULL;
}

static struct pf_thread *thread_at(const struct pf_file *f, size_t i)
{
	return &f->tblocks[i / PF_TBLOCK][i % PF_TBLOCK];
}

const char *pf_comm(struct pf_file *f, uint32_t tid, uint32_t cpu, char *buf)
{
	const struct pf_thread *th;

	/* As the kernel's sched_switch names them. */
	if (!tid) {
		snprintf(buf, 32, "swapper/%u", cpu);
		return buf;
	}
	if (tid == CTRACE_TID_HIDDEN)
		return "<hidden>";
	th = pf_thread_find(f, tid);
	if (th && th->comm[0])
		return th->comm;
	snprintf(buf, 32, "<%u>", tid);
	return buf;
}

/* ------------------------------------------------------------ packets */

void pf_packet_start(struct pf_file *f, uint32_t seq)
{
	struct pb_buf *b = pf_pkt(f);

	f->out->mark = pb_begin(b, PF_TRACE_PACKET);
	pb_uint(b, PF_TP_SEQUENCE_ID, seq);
	/* Machine 0 is the host: no machine_id, as a one-machine trace. */
	if (f->machine)
		pb_uint(b, PF_TP_MACHINE_ID, f->machine);
}

static void out_flush(struct pf_out *o)
{
	if (o->buf.len && fwrite(o->buf.p, 1, o->buf.len, o->f) != o->buf.len)
		o->write_error = true;
	o->bytes += o->buf.len;
	o->buf.len = 0;
}

void pf_packet_finish(struct pf_file *f)
{
	struct pf_out *o = f->out;

	if (o->buf.oom) {
		/* Drop the packet that did not fit (its key is one byte). */
		f->oom = true;
		o->buf.len = o->mark - 1;
		o->buf.oom = false;
		return;
	}
	pb_end(&o->buf, o->mark);
	o->packets++;
	if (o->buf.len >= PF_OUT_FLUSH)
		out_flush(o);
}

static void clock_entry(struct pb_buf *b, uint32_t id, uint64_t ts)
{
	size_t m = pb_begin(b, PF_CS_CLOCKS);

	pb_uint(b, PF_CLOCK_CLOCK_ID, id);
	pb_uint(b, PF_CLOCK_TIMESTAMP, ts);
	pb_end(b, m);
}

static void emit_clock(struct pf_file *f, uint64_t mono, uint64_t boot,
		       uint64_t real, bool primary)
{
	struct pb_buf *b = pf_pkt(f);
	size_t m;

	pf_packet_start(f, f->kseq);
	m = pb_begin(b, PF_TP_CLOCK_SNAPSHOT);
	/* Shifted like every event of the machine; REALTIME is the common
	 * reference, as it is. */
	clock_entry(b, PF_CLOCK_BOOTTIME, clamp_ts((__int128)boot + f->shift));
	clock_entry(b, PF_CLOCK_MONOTONIC, clamp_ts((__int128)mono + f->shift));
	clock_entry(b, PF_CLOCK_REALTIME, clamp_ts(real));
	if (primary)
		pb_uint(b, PF_CS_PRIMARY_TRACE_CLOCK, PF_CLOCK_BOOTTIME);
	pb_end(b, m);
	pf_packet_finish(f);
}

static int64_t boot_minus_mono(uint64_t boot, uint64_t mono)
{
	return sat64((__int128)boot - mono);
}

void pf_clock_event(struct pf_file *f, const struct ctrace_event *ev)
{
	struct ctrace_krec_clock k;

	if (ev->size < sizeof(k))
		return;
	memcpy(&k, ev->rec, sizeof(k));
	f->boot_off = boot_minus_mono(k.boot, k.mono);
	if (ev->offset != f->first.offset)
		emit_clock(f, k.mono, k.boot, k.real, false);
}

static bool meta_uint(const struct ctrace_trace *t, const char *key,
		      unsigned long long *v)
{
	const char *s = ctrace_trace_meta(t, key);
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

static void emit_system_info(struct pf_file *f)
{
	const char *release = ctrace_trace_meta(f->t, "kernel");
	const char *host = ctrace_trace_meta(f->t, "host");
	const char *arch = ctrace_trace_meta(f->t, "machine");
	struct pb_buf *b = pf_pkt(f);
	unsigned long long cpus;
	size_t m, u;

	if (!arch)
		arch = PF_ARCH;
	pf_packet_start(f, f->kseq);
	m = pb_begin(b, PF_TP_SYSTEM_INFO);
	u = pb_begin(b, PF_SI_UTSNAME);
	/* trace_processor reads the kernel version (for prev_state) only
	 * when sysname is "Linux". */
	pb_string(b, PF_UTS_SYSNAME, "Linux");
	if (release)
		pb_string(b, PF_UTS_RELEASE, release);
	if (arch)
		pb_string(b, PF_UTS_MACHINE, arch);
	pb_end(b, u);
	if (meta_uint(f->t, "nr_cpus", &cpus) && cpus <= UINT32_MAX)
		pb_uint(b, PF_SI_NUM_CPUS, cpus);
	if (host)
		pb_string(b, PF_SI_MACHINE_NAME, host);
	pb_end(b, m);
	pf_packet_finish(f);
}

/*
 * The kernel's prev_state bits depend on its version, and Perfetto
 * decodes them by the version SystemInfo gives (4.4 when it cannot tell):
 * write them as that kernel would.
 */
static void kernel_version(struct pf_file *f)
{
	const char *r = ctrace_trace_meta(f->t, "kernel");
	unsigned int major = 0, minor = 0;
	unsigned long v = 0;

	if (r && sscanf(r, "%u.%u", &major, &minor) == 2 && major < 100000)
		v = major * 1000ul + (minor < 1000 ? minor : 999);
	if (v >= 4014) {
		f->preempt_state = PF_TASK_REPORT_MAX_4_14;
		f->unknown_state = PF_TASK_STATE_UNKNOWN_4_14;
	} else if (v >= 4008) {
		f->preempt_state = PF_TASK_REPORT_MAX_4_8;
	} else {
		f->preempt_state = PF_TASK_REPORT_MAX_OLD;
	}
}

/* --------------------------------------------------------- ProcessTree */

struct tree {
	struct pf_file *f;
	uint64_t ts;
	size_t pkt, n;
	bool open;
};

static void tree_entry(struct tree *tr)
{
	struct pb_buf *b = pf_pkt(tr->f);

	if (!tr->open) {
		pf_packet_start(tr->f, tr->f->kseq);
		pb_uint(b, PF_TP_TIMESTAMP, tr->ts);
		tr->pkt = pb_begin(b, PF_TP_PROCESS_TREE);
		tr->open = true;
	}
	tr->n++;
}

static void tree_flush(struct tree *tr, bool force)
{
	if (!tr->open || (!force && tr->n < PF_TREE_BATCH))
		return;
	pb_end(pf_pkt(tr->f), tr->pkt);
	pf_packet_finish(tr->f);
	tr->open = false;
	tr->n = 0;
}

/*
 * A process entry needs a cmdline, or trace_processor ignores it; ctrace
 * knows only the leader's comm, so that is the cmdline, and says so.
 */
static void tree_process(struct tree *tr, const struct pf_thread *ld)
{
	struct pb_buf *b = pf_pkt(tr->f);
	char buf[32];
	size_t m;

	tree_entry(tr);
	m = pb_begin(b, PF_PT_PROCESSES);
	pb_int(b, PF_PTP_PID, (int32_t)ld->tid);
	pb_string(b, PF_PTP_CMDLINE, pf_comm(tr->f, ld->tid, 0, buf));
	if (ld->flags & PT_KTHREAD)
		pb_uint(b, PF_PTP_IS_KTHREAD, 1);
	pb_uint(b, PF_PTP_CMDLINE_IS_COMM, 1);
	pb_end(b, m);
	tree_flush(tr, false);
}

static void tree_thread(struct tree *tr, const struct pf_thread *th)
{
	struct pb_buf *b = pf_pkt(tr->f);
	size_t m;

	tree_entry(tr);
	m = pb_begin(b, PF_PT_THREADS);
	pb_int(b, PF_PTT_TID, (int32_t)th->tid);
	if (th->comm[0])
		pb_string(b, PF_PTT_NAME, th->comm);
	pb_int(b, PF_PTT_TGID, (int32_t)th->tgid);
	pb_end(b, m);
	tree_flush(tr, false);
}

/*
 * Every thread that existed before its first event (not FORKed in the
 * trace) with a known process, named as it was first known; and every
 * process of theirs, named by its leader.  Threads born in the trace are
 * announced by their task_newtask instead, at the time they are born.
 */
static void emit_process_tree(struct pf_file *f)
{
	struct tree tr = { .f = f, .ts = pf_boot_ns(f, f->first_ns) };
	size_t n = f->nr_threads;

	for (size_t i = 0; i < n; i++) {
		struct pf_thread *th = thread_at(f, i), *ld;

		if ((th->flags & PT_BORN) || !th->tgid)
			continue;
		th->flags |= PT_TREE;
		ld = pf_thread_get(f, th->tgid);	/* may add one: blocks stay */
		if (!ld || (ld->flags & PT_BORN))
			continue;
		ld->flags |= PT_LEADER;
		if (!ld->tgid)
			ld->tgid = th->tgid;
		if (!ld->comm[0])
			memcpy(ld->comm, th->comm, sizeof(ld->comm));
	}
	for (size_t i = 0; i < f->nr_threads; i++)
		if (thread_at(f, i)->flags & PT_LEADER)
			tree_process(&tr, thread_at(f, i));
	for (size_t i = 0; i < f->nr_threads; i++)
		if (thread_at(f, i)->flags & PT_TREE)
			tree_thread(&tr, thread_at(f, i));
	tree_flush(&tr, true);
}

void pf_tree_rename(struct pf_file *f, const struct pf_thread *th, uint64_t ns)
{
	struct tree tr = { .f = f, .ts = pf_boot_ns(f, ns) };

	/* The tree named it with a higher priority than task_rename has in
	 * trace_processor: only another tree entry renames it there. */
	if (th->flags & PT_LEADER)
		tree_process(&tr, th);
	if (th->flags & PT_TREE)
		tree_thread(&tr, th);
	tree_flush(&tr, true);
}

/* ------------------------------------------------------------ pre-pass */

/* A thread the record mentions: known from now on, named if it can be. */
static void note(struct pf_file *f, struct ctrace_cursor *c, uint32_t tid,
		 bool born)
{
	const struct ctrace_thread *ct;
	struct pf_thread *th;

	if (!tid || tid == CTRACE_TID_HIDDEN)
		return;
	th = pf_thread_find(f, tid);
	if (!th) {
		th = pf_thread_get(f, tid);
		if (!th)
			return;
		if (born)
			th->flags |= PT_BORN;
	}
	if (th->tgid && th->comm[0])
		return;
	ct = ctrace_cursor_thread(c, tid);
	if (!ct)
		return;
	if (!th->tgid)
		th->tgid = ct->tgid;
	if (!th->comm[0])
		memcpy(th->comm, ct->comm, sizeof(th->comm));
}

static void prepass_clock(struct pf_file *f, const struct ctrace_event *ev)
{
	struct ctrace_krec_clock k;
	int64_t rb;

	if (!PF_LOAD(k, ev))
		return;
	if (!f->first.valid)
		f->first = (struct pf_clock){ .mono = k.mono, .boot = k.boot,
					      .real = k.real,
					      .offset = ev->offset, .valid = true };
	rb = sat64((__int128)k.real - k.boot);
	if (rb < f->real_boot_min)
		f->real_boot_min = rb;
	if (rb > f->real_boot_max)
		f->real_boot_max = rb;
}

/*
 * The threads a record names come from the record descriptors (recdesc.h),
 * whatever its type: its actor and subject, and for a FORK the child (the
 * thread it names), born in the trace if not seen before.
 */
static void prepass_event(struct pf_file *f, struct ctrace_cursor *c,
			  const struct ctrace_event *ev)
{
	bool krec = ctrace_kind_krec(ev->kind);
	uint32_t tids[CTRACE_RD_MAX_TIDS], born = 0;
	struct ctrace_krec_thread k;
	struct ctrace_rd_thread rt;
	unsigned int n;

	if (krec && ev->type == CTRACE_KREC_CLOCK)
		prepass_clock(f, ev);
	if (krec && ev->type == CTRACE_KREC_FORK && ctrace_event_thread(ev, &rt))
		born = rt.tid;
	n = ctrace_event_tids(ev, 0, tids);
	for (unsigned int i = 0; i < n; i++)
		note(f, c, tids[i], born && tids[i] == born);
	if (krec && ev->type == CTRACE_KREC_THREAD && PF_LOAD(k, ev) &&
	    (k.flags & CTRACE_THREAD_F_KTHREAD)) {
		struct pf_thread *th = pf_thread_find(f, k.tid);

		if (th)
			th->flags |= PT_KTHREAD;
	}
}

static void prepass(struct pf_file *f)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	bool any = false;

	f->real_boot_min = INT64_MAX;
	f->real_boot_max = INT64_MIN;
	for (size_t i = 0; i < ctrace_trace_nr_rings(f->t); i++)
		if (ctrace_trace_ring(f->t, i)->kind == CTRACE_RING_KERNEL)
			f->kernel = true;
	if (ctrace_cursor_new(f->t, &c)) {
		f->oom = true;
		return;
	}
	/* A corrupt record stops it; the export stops there too. */
	while (ctrace_cursor_next(c, &ev) > 0) {
		if (!any || ev.ns < f->first_ns)
			f->first_ns = ev.ns;
		if (ev.ns > f->last_ns)
			f->last_ns = ev.ns;
		any = true;
		f->events++;
		prepass_event(f, c, &ev);
	}
	ctrace_cursor_free(c);
	if (!f->first.valid) {
		/* No CLOCK record: BOOTTIME = MONOTONIC, and REALTIME from
		 * when the recording says it started, or the same again. */
		unsigned long long real;

		f->first = (struct pf_clock){ .mono = f->first_ns, .boot = f->first_ns,
					      .real = f->first_ns, .offset = UINT64_MAX };
		if (meta_uint(f->t, "start_realtime_ns", &real))
			f->first.real = real;
		f->real_boot_min = f->real_boot_max =
			sat64((__int128)f->first.real - f->first.boot);
	}
	f->boot_off = boot_minus_mono(f->first.boot, f->first.mono);
}

/* ------------------------------------------------------------ alignment */

/*
 * Machine k's events move by shift[k] = (real - boot)[k] - (real - boot)[0]
 * (first CLOCK record of each): what happened at the same REALTIME lands
 * at the same trace time, machine 0 keeping its own BOOTTIME.  If that
 * would put a machine before 0 (it booted much later), all move by the
 * same amount more.  docs/export.md gives the error this leaves.
 */
static void align(struct pf_file *files, size_t n)
{
	int64_t rb0 = sat64((__int128)files[0].first.real - files[0].first.boot);
	__int128 low = 0;

	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++) {
		struct pf_file *f = &files[i];
		__int128 mono, boot;

		f->shift = sat64((__int128)f->first.real - f->first.boot - rb0);
		mono = (__int128)f->first_ns + f->shift;
		boot = mono + f->boot_off;
		if (mono < low)
			low = mono;
		if (boot < low)
			low = boot;
	}
	for (size_t i = 0; i < n; i++)
		files[i].shift = sat64((__int128)files[i].shift - low);
}

static void report_alignment(struct pf_file *files, size_t n, FILE *err)
{
	if (n < 2 || !err)
		return;
	for (size_t i = 0; i < n; i++) {
		struct pf_file *f = &files[i];

		fprintf(err, "ctrace export: %s: machine %u, shifted %+" PRId64
			" ns to align REALTIME with %s; its REALTIME moved %" PRId64
			" ns against BOOTTIME while recording%s\n",
			f->name, f->machine, f->shift, files[0].name,
			f->real_boot_max >= f->real_boot_min ?
			sat64((__int128)f->real_boot_max - f->real_boot_min) : 0,
			f->first.offset == UINT64_MAX ?
			" (no CLOCK record: REALTIME from start_realtime_ns, approximate)" : "");
	}
}

/* ------------------------------------------------------------ the merge */

static void advance(struct pf_file *f)
{
	int r = ctrace_cursor_next(f->c, &f->ev);

	f->has_ev = r > 0;
	if (r < 0) {
		snprintf(f->error, sizeof(f->error), "decoding stopped: %s",
			 ctrace_cursor_error(f->c));
		f->stopped = true;
		pf_problem_mark(f, f->cur_ns, f->error);
	}
}

static void step(struct pf_file *f)
{
	f->cur_ns = f->ev.ns;
	if (ctrace_model_feed(f->m, &f->ev))
		f->oom = true;
	if (ctrace_kind_krec(f->ev.kind))
		pf_kernel_event(f, &f->ev);
	advance(f);
}

static void merge(struct pf_file *files, size_t n)
{
	for (;;) {
		struct pf_file *best = NULL;
		uint64_t best_ts = 0;

		for (size_t i = 0; i < n; i++) {
			uint64_t ts;

			if (!files[i].has_ev)
				continue;
			ts = pf_boot_ns(&files[i], files[i].ev.ns);
			if (!best || ts < best_ts) {
				best = &files[i];
				best_ts = ts;
			}
		}
		if (!best)
			return;
		step(best);
	}
}

/* ------------------------------------------------------------ entry */

static int file_init(struct pf_file *f, struct pf_out *out,
		     struct ctrace_trace *t, const char *name, uint32_t machine)
{
	f->out = out;
	f->t = t;
	f->name = name;
	f->machine = machine;
	/* Two sequences a machine: ftrace and its companions, TrackEvents. */
	f->kseq = 2 * machine + 1;
	f->useq = 2 * machine + 2;
	f->nr_rings = ctrace_trace_nr_rings(t);
	f->rings = calloc(f->nr_rings ? f->nr_rings : 1, sizeof(*f->rings));
	if (!f->rings)
		return -ENOMEM;
	kernel_version(f);
	return 0;
}

static int file_start(struct pf_file *f)
{
	struct ctrace_model_sink sink = pf_sink;

	sink.arg = f;
	f->cur_ns = f->first_ns;
	if (ctrace_cursor_new(f->t, &f->c) ||
	    ctrace_model_new(f->t, f->c, &sink, &f->m))
		return -ENOMEM;
	advance(f);
	return 0;
}

static void file_free(struct pf_file *f)
{
	ctrace_model_free(f->m);
	ctrace_cursor_free(f->c);
	pf_cpus_free(f);
	for (size_t i = 0; i < (f->nr_threads + PF_TBLOCK - 1) / PF_TBLOCK; i++)
		free(f->tblocks[i]);
	free(f->tblocks);
	ctrace_map_free(&f->thread_map);
	ctrace_map_free(&f->interned);
	ctrace_map_free(&f->counters[0]);
	ctrace_map_free(&f->counters[1]);
	free(f->rings);
}

/* After the last event: what stays open stays open ("did not end"). */
static int file_finish(struct pf_file *f, FILE *err)
{
	const char *problem = ctrace_trace_problem(f->t);
	int r = 0;

	if (f->m)
		ctrace_model_finish(f->m);
	pf_cpus_flush_all(f);
	if (f->stopped) {
		if (err)
			fprintf(err, "ctrace export: %s: %s\n", f->name, f->error);
		r = -EBADMSG;
	}
	if (problem) {
		pf_problem_mark(f, f->last_ns, problem);
		if (err)
			fprintf(err, "ctrace export: %s: %s\n", f->name, problem);
		r = -EBADMSG;
	}
	if (f->skipped_cpus && err)
		fprintf(err, "ctrace export: %s: %" PRIu64 " scheduler events of CPUs >= %u not exported (Perfetto has no such CPU)\n",
			f->name, f->skipped_cpus, PF_MAX_CPUS);
	if (f->oom) {
		if (err)
			fprintf(err, "ctrace export: %s: out of memory: some events were dropped\n",
				f->name);
		r = -ENOMEM;
	}
	return r;
}

int ctrace_export_perfetto(struct ctrace_trace *const *traces,
			   const char *const *names, size_t n,
			   const struct ctrace_export_opts *opts)
{
	struct pf_out out = { .f = opts->out };
	struct pf_file *files;
	int r = 0;

	if (!n || n > UINT32_MAX / 2 - 1)
		return -EINVAL;
	files = calloc(n, sizeof(*files));
	if (!files) {
		if (opts->err)
			fprintf(opts->err, "ctrace export: out of memory\n");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !r; i++) {
		r = file_init(&files[i], &out, traces[i],
			      names && names[i] ? names[i] : "trace", (uint32_t)i);
		if (!r)
			prepass(&files[i]);
	}
	if (r)
		goto out;
	align(files, n);
	report_alignment(files, n, opts->err);
	/* The first packet is machine 0's first clock snapshot: older
	 * trace_processors convert with the snapshots seen so far. */
	for (size_t i = 0; i < n; i++) {
		struct pf_file *f = &files[i];

		emit_clock(f, f->first.mono, f->first.boot, f->first.real, i == 0);
		emit_system_info(f);
	}
	for (size_t i = 0; i < n; i++)
		emit_process_tree(&files[i]);
	for (size_t i = 0; i < n && !r; i++)
		r = file_start(&files[i]);
	if (r)
		goto out;
	merge(files, n);
	for (size_t i = 0; i < n; i++) {
		int e = file_finish(&files[i], opts->err);

		if (e && !r)
			r = e;
	}
out:
	if (r == -ENOMEM && opts->err)
		fprintf(opts->err, "ctrace export: out of memory\n");
	for (size_t i = 0; i < n; i++)
		file_free(&files[i]);
	free(files);
	out_flush(&out);
	pb_free(&out.buf);
	if (fflush(out.f) || ferror(out.f) || out.write_error) {
		if (opts->err)
			fprintf(opts->err, "ctrace export: writing the trace failed\n");
		if (!r)
			r = -EIO;
	}
	return r;
}
