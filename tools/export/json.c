// SPDX-License-Identifier: LGPL-2.1
/*
 * Chrome JSON export: a trace in Chrome's Trace Event Format, for the
 * Catapult viewer (chrome://tracing, the page `go tool trace` serves).
 *
 *   cursor --> model --callbacks--> one event at a time, built in x->ev
 *                                      |  does it fit the part? else the
 *                                      v  next part (or refuse)
 *   OUT         {"displayTimeUnit":"ns","traceEvents":[
 *                 events, as the model completes them,
 *                 then "M" events naming the rows this part used
 *               ],"otherData":{where it came from, losses, the part}}
 *   OUT-2.json  the same shape, for what came after, ...
 *
 * Rows (Catapult's pid and tid; a row is a "thread"):
 *
 *   pid 0 "CPUs", tid CPU          what each CPU ran: X per interval,
 *                                  named after the thread (idle omitted)
 *   pid tgid, tid                  the thread's regions (X), instants and
 *                                  logs (i); its tasks (async b/e, id2
 *                                  local = task ID, so they may cross
 *                                  threads); its process's counters (C)
 *   pid tgid, tid 2^32 + tid       "<comm> (state)": its scheduler states
 *                                  (X: Running, Runnable, Sleeping, ...)
 *
 * Flows (s/f, "bp":"e") bind to the slice around them on their thread:
 * the innermost open region when there is one, else the state row (where
 * a thread writing an event is Running).  Wakeups are flows from the
 * waker's Running slice to the Runnable slice the wakeup began.  Catapult
 * matches s to f by (cat, name, id) and warns of an f with no s, so each
 * flow gets a serial ID, and an f is written only when its s is in the
 * same part.  Losses are global instants where the model saw them.
 *
 * Time: ts and dur in microseconds with three decimals (nanoseconds),
 * from the first event of the trace (otherData.time_base_mono_ns), so
 * that JavaScript doubles keep every digit.
 *
 * Order: events are written as the model completes them (a region at its
 * end, a state interval when the next begins), not sorted: the format
 * does not ask it, and sorting needs the whole trace.  Memory: a record
 * per thread, CPU, process and open flow; nothing per event.
 *
 * Size: a browser tab cannot hold much more than 256 MB of JSON (the
 * viewer fails on a longer string).  Before an event is written, the
 * part must have room for it, for the names of every row it uses (and a
 * copy of the row's open slice) and for the trailer; if not, the part is
 * closed and the next one opened: parts are cut on time, each complete
 * in itself.  At the cut the closing part gets a copy of every open
 * slice up to the cut, and the next part draws state and CPU slices from
 * its own start on:
 *
 *                part 1          cut        part 2
 *   state    [Running ..... copy]  |  [Running, began_us ...]    from the cut
 *   region   [work ........ copy]  |  [work ...................]  whole
 *            ^ its begin           ^ x->now at the cut
 *
 * so that every flow end in a part lies in a slice of that part.
 * Without a file name to make parts from (standard output), the export
 * stops there instead, closes the JSON, and says so.
 *
 * Strings from the trace are hostile: every string is escaped to 7-bit
 * ASCII, invalid UTF-8 becoming U+FFFD, and '<', '>', '&' escaped too, so
 * the output is valid JSON whatever the trace holds, and stays inert if
 * someone pastes it into a page.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "model.h"
#include "../tracefile/internal.h"

#define CPUS_PID	0
#define STATE_TID_BASE	(1ull << 32)

/* Room a part keeps for its trailer (otherData: META strings are cut to
 * META_MAX bytes, six bytes each when escaped), and per row for its names
 * (a comm is at most 16 bytes) and the copy of its open slice at a cut
 * (more if there is room: a region's name may be longer). */
#define META_MAX	128
#define TRAILER_MAX	16384
#define ROW_NAMES_MAX	384
#define ROW_COPY_MAX	640
#define PROC_META_MAX	256
#define JSON_MAX_MIN	(64u << 10)
#define OUT_RUN		(1u << 20)

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

struct jthread {
	uint32_t tid;
	uint32_t pid;		/* the pid its rows are drawn under */
	uint32_t part;		/* its thread row is used in this part */
	uint32_t state_part;	/* ...its state row */
	/* A wakeup that may begin a Runnable interval: its flow's source. */
	bool wake;
	uint64_t wake_ns;
	uint32_t waker, waker_pid;
	/* Ends of its state intervals written: the last, in part last_part,
	 * and the last written in an earlier part than that. */
	uint64_t last_end, earlier_end;
	uint32_t last_part;
	/* The state interval from copy_begin was copied into copy_part. */
	uint32_t copy_part;
	uint64_t copy_begin;
};

struct jcpu {
	uint32_t cpu;
	uint32_t part;		/* its row is used in this part */
	uint32_t copy_part;	/* as in struct jthread */
	uint64_t copy_begin;
};

struct jflow {
	uint64_t id;		/* the program's flow ID */
	uint64_t serial;	/* the JSON's */
	uint32_t set, part;
	uint16_t name;
	bool open;
};

/* Where an event is drawn: the row it names must be named in its part. */
enum row_kind { ROW_NONE, ROW_THREAD, ROW_STATE, ROW_CPU, ROW_PROC };

struct row {
	uint8_t kind;
	uint32_t pid;
	uint32_t id;		/* tid, or CPU */
};

struct counts {
	uint64_t lost_events, loss_records, gaps, corrupt_records, corrupt_bytes;
	uint64_t anomalies, unknown_types, nonfinite, unbound_flows;
	uint64_t flows, wakeup_flows;	/* drawn, both ends */
	uint64_t flows_cut;		/* not drawn: ends in two parts */
};

struct jx {
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	struct ctrace_model *m;
	FILE *err;

	/* the part being written */
	FILE *f;
	const char *path;	/* NULL: no parts, refuse instead */
	uint32_t part;
	uint64_t bytes;		/* written to it */
	uint64_t reserve;	/* its rows' names and copies will need */
	uint64_t names;		/* ...of which their names */
	uint64_t events;	/* events in it, M events included */
	uint64_t part_from;	/* stream time it began at */
	uint64_t limit;
	uint64_t total_bytes;
	bool stopped;		/* the size limit stopped the export */
	int error;		/* first write error */

	bool have_base;
	uint64_t base_ns, now;
	uint64_t fed;

	struct sbuf ev;		/* the event being built */
	struct sbuf spare;	/* ...while a part is closed under it */
	struct sbuf out;	/* what goes to f next */
	bool first_arg;

	struct jthread *threads;
	size_t nr_threads, threads_cap;
	struct ctrace_map thread_map;	/* tid -> threads[] */
	struct ctrace_map procs;	/* pid -> part it was named in */
	struct jcpu *cpus;
	size_t nr_cpus, cpus_cap;
	struct ctrace_map cpu_map;	/* CPU -> cpus[] */

	struct jflow *flows;
	size_t nr_flows, flows_cap, open_flows;
	struct ctrace_map flow_map;	/* flow ID -> flows[] */
	uint64_t serial;

	struct counts n;
	const char *cursor_error;
	bool oom;
};

/* ----------------------------------------------------------- building */

static void sb_grow(struct sbuf *b, size_t more)
{
	size_t cap = (b->len + more) * 2 + 256;
	char *p;

	p = b->oom ? NULL : realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

/* Inline: most appends are a few bytes of constant size. */
static inline void sb_raw(struct sbuf *b, const char *s, size_t n)
{
	if (b->cap - b->len < n) {
		sb_grow(b, n);
		if (b->oom)
			return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

#define sb_lit(b, s) sb_raw((b), (s), sizeof(s) - 1)

/* The decimal digits of @v, written back from @end; returns the first. */
static char *put_digits(char *end, uint64_t v)
{
	static const char pairs[] =
		"0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
		"5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

	/* Two digits a division: numbers are most of the output. */
	while (v >= 100) {
		unsigned int r = v % 100;

		v /= 100;
		end -= 2;
		memcpy(end, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, pairs + 2 * v, 2);
	} else {
		*--end = '0' + v;
	}
	return end;
}

static void sb_u64(struct sbuf *b, uint64_t v)
{
	char tmp[24], *p = put_digits(tmp + sizeof(tmp), v);

	sb_raw(b, p, tmp + sizeof(tmp) - p);
}

/* @v / 10^@digits with all its decimals: 1234567 ns, 3 -> 1234.567 us. */
static void sb_fixed(struct sbuf *b, bool neg, uint64_t v, unsigned int digits)
{
	char tmp[40], *end = tmp + sizeof(tmp), *p = end;

	for (unsigned int i = 0; i < digits; i++, v /= 10)
		*--p = '0' + v % 10;
	*--p = '.';
	p = put_digits(p, v);
	if (neg)
		*--p = '-';
	sb_raw(b, p, end - p);
}

/* One code point from @s (@n > 0 bytes): its length, and U+FFFD with
 * length 1 for anything that is not well-formed UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t v, min;
	size_t len;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, v = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, v = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, v = s[0] & 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (n < len)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = 0xfffd;
	return 1;
}

static void sb_u16esc(struct sbuf *b, uint32_t u)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', hex[u >> 12 & 15], hex[u >> 8 & 15],
		      hex[u >> 4 & 15], hex[u & 15] };

	sb_raw(b, e, sizeof(e));
}

/* @s[0..n) as a JSON string, quotes included: 7-bit ASCII out. */
static void sb_str(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	sb_lit(b, "\"");
	while (i < n) {
		uint32_t cp;
		size_t len;

		/* Runs of plain characters go out in one copy. */
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\' &&
		    p[i] != '<' && p[i] != '>' && p[i] != '&') {
			run++;
			i++;
			continue;
		}
		sb_raw(b, (const char *)p + i - run, run);
		run = 0;
		len = utf8_next(p + i, n - i, &cp);
		i += len;
		switch (cp) {
		case '"':
			sb_lit(b, "\\\"");
			break;
		case '\\':
			sb_lit(b, "\\\\");
			break;
		case '\n':
			sb_lit(b, "\\n");
			break;
		case '\t':
			sb_lit(b, "\\t");
			break;
		case '\r':
			sb_lit(b, "\\r");
			break;
		default:
			if (cp >= 0x10000) {
				cp -= 0x10000;
				sb_u16esc(b, 0xd800 | cp >> 10);
				sb_u16esc(b, 0xdc00 | (cp & 0x3ff));
			} else {
				sb_u16esc(b, cp);
			}
		}
	}
	sb_raw(b, (const char *)p + i - run, run);
	sb_lit(b, "\"");
}

static void sb_cstr(struct sbuf *b, const char *s)
{
	sb_str(b, s, strlen(s));
}

/* A time of the trace, in us from its first event. */
static void sb_ts(struct jx *x, uint64_t ns)
{
	if (ns >= x->base_ns)
		sb_fixed(&x->ev, false, ns - x->base_ns, 3);
	else
		sb_fixed(&x->ev, true, x->base_ns - ns, 3);
}

/* {"ph":"X","pid":1,"tid":2,"ts":3.000 */
static void ev_head(struct jx *x, char ph, uint32_t pid, uint64_t tid,
		    uint64_t ns)
{
	struct sbuf *b = &x->ev;

	sb_lit(b, "{\"ph\":\"");
	sb_raw(b, &ph, 1);
	sb_lit(b, "\",\"pid\":");
	sb_u64(b, pid);
	sb_lit(b, ",\"tid\":");
	sb_u64(b, tid);
	sb_lit(b, ",\"ts\":");
	sb_ts(x, ns);
}

static void ev_dur(struct jx *x, uint64_t begin, uint64_t end)
{
	sb_lit(&x->ev, ",\"dur\":");
	sb_fixed(&x->ev, false, end > begin ? end - begin : 0, 3);
}

/* ,"KEY":"s" */
static void ev_field(struct jx *x, const char *key, const char *s)
{
	sb_lit(&x->ev, ",\"");
	sb_raw(&x->ev, key, strlen(key));
	sb_lit(&x->ev, "\":");
	sb_cstr(&x->ev, s);
}

/* A string of the trace's, or "#ID" when the file does not have it. */
static void sb_ustr(struct jx *x, uint32_t set, uint32_t id, const char *dflt)
{
	const char *s = id ? ctrace_trace_string(x->t, set, id) : NULL;
	char tmp[16];

	if (!s && id) {
		snprintf(tmp, sizeof(tmp), "#%u", id);
		s = tmp;
	}
	sb_cstr(&x->ev, s ? s : dflt);
}

static void ev_name_id(struct jx *x, uint32_t set, uint32_t id, const char *dflt)
{
	sb_lit(&x->ev, ",\"name\":");
	sb_ustr(x, set, id, dflt);
}

static void args_begin(struct jx *x)
{
	sb_lit(&x->ev, ",\"args\":{");
	x->first_arg = true;
}

static void arg_key(struct jx *x, const char *key)
{
	if (!x->first_arg)
		sb_lit(&x->ev, ",");
	x->first_arg = false;
	sb_lit(&x->ev, "\"");
	sb_raw(&x->ev, key, strlen(key));
	sb_lit(&x->ev, "\":");
}

static void arg_u64(struct jx *x, const char *key, uint64_t v)
{
	arg_key(x, key);
	sb_u64(&x->ev, v);
}

static void arg_str(struct jx *x, const char *key, const char *s, size_t n)
{
	arg_key(x, key);
	sb_str(&x->ev, s, n);
}

static void arg_cstr(struct jx *x, const char *key, const char *s)
{
	arg_str(x, key, s, strlen(s));
}

/* IDs are 64 bits, more than a JavaScript number holds: strings. */
static void arg_hex(struct jx *x, const char *key, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[24], *end = tmp + sizeof(tmp), *p = end;

	arg_key(x, key);
	*--p = '"';
	do {
		*--p = hex[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	sb_raw(&x->ev, p, end - p);
}

static void arg_ms(struct jx *x, const char *key, uint64_t ns)
{
	arg_key(x, key);
	sb_fixed(&x->ev, false, ns, 6);
}

static void args_end(struct jx *x)
{
	sb_lit(&x->ev, "}");
}

static void ev_end(struct jx *x)
{
	sb_lit(&x->ev, "}");
}

/* ------------------------------------------------------------ threads */

/*
 * Threads, CPUs and flows are arrays indexed through a ctrace_map.  Room
 * for one more of @size bytes in @arr (*@cap of them, @nr used): the
 * array, maybe moved, or NULL.
 */
static void *grow(void *arr, size_t nr, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : 16;

	if (nr < *cap)
		return arr;
	arr = realloc(arr, n * size);
	if (arr)
		*cap = n;
	return arr;
}

static struct jthread *thread(struct jx *x, uint32_t tid)
{
	uint32_t i = ctrace_map_get(&x->thread_map, tid);
	struct jthread *a;

	if (i != CTRACE_MAP_NONE)
		return &x->threads[i];
	a = grow(x->threads, x->nr_threads, &x->threads_cap, sizeof(*a));
	if (!a)
		return NULL;
	x->threads = a;
	if (ctrace_map_put(&x->thread_map, tid, (uint32_t)x->nr_threads))
		return NULL;
	a[x->nr_threads] = (struct jthread){ .tid = tid, .pid = tid };
	return &a[x->nr_threads++];
}

static struct jcpu *cpu_of(struct jx *x, uint32_t cpu)
{
	uint32_t i = ctrace_map_get(&x->cpu_map, cpu);
	struct jcpu *a;

	if (i != CTRACE_MAP_NONE)
		return &x->cpus[i];
	a = grow(x->cpus, x->nr_cpus, &x->cpus_cap, sizeof(*a));
	if (!a)
		return NULL;
	x->cpus = a;
	if (ctrace_map_put(&x->cpu_map, cpu, (uint32_t)x->nr_cpus))
		return NULL;
	a[x->nr_cpus] = (struct jcpu){ .cpu = cpu };
	return &a[x->nr_cpus++];
}

/* The process a thread's rows go under: its own tid when not known. */
static uint32_t pid_of(uint32_t tgid, uint32_t tid)
{
	return tgid ? tgid : tid;
}

/* "comm", or NULL when the trace does not name @tid. */
static const char *comm_of(struct jx *x, uint32_t tid)
{
	const struct ctrace_thread *ct;

	if (tid == CTRACE_TID_HIDDEN)
		return "hidden";
	ct = ctrace_cursor_thread(x->c, tid);
	return ct && ct->comm[0] ? ct->comm : NULL;
}

/* How Catapult draws each state (its reserved colours). */
static const struct {
	const char *name, *cname;
} states[CTRACE_NR_STATES] = {
	[CTRACE_STATE_UNKNOWN] = { "Unknown", "thread_state_unknown" },
	[CTRACE_STATE_RUNNING] = { "Running", "thread_state_running" },
	[CTRACE_STATE_RUNNABLE] = { "Runnable", "thread_state_runnable" },
	[CTRACE_STATE_SLEEPING] = { "Sleeping", "thread_state_sleeping" },
	[CTRACE_STATE_BLOCKED] = { "Uninterruptible", "thread_state_uninterruptible" },
	[CTRACE_STATE_STOPPED] = { "Stopped", "thread_state_iowait" },
};

/* ------------------------------------------------------------- parts */

static void out_flush(struct jx *x)
{
	if (!x->error && x->out.len && fwrite(x->out.p, 1, x->out.len, x->f) != x->out.len)
		x->error = errno ? -errno : -EIO;
	x->out.len = 0;
}

/* Output goes out in runs of OUT_RUN bytes, not an fwrite() an event. */
static void out_raw(struct jx *x, const char *s, size_t n)
{
	if (x->error || !n)
		return;
	sb_raw(&x->out, s, n);
	if (x->out.oom)
		x->oom = true;
	x->bytes += n;
	x->total_bytes += n;
	if (x->out.len >= OUT_RUN)
		out_flush(x);
}

/*
 * Bytes @rw's row needs in this part beyond those reserved: its names
 * (also in *@names, if not NULL) and room for a copy of its open slice.
 */
static uint64_t row_need(struct jx *x, const struct row *rw, uint64_t *names)
{
	uint64_t need = 0, rows = 0;
	struct jthread *th;
	struct jcpu *c;

	switch (rw->kind) {
	case ROW_THREAD:
	case ROW_STATE:
		th = thread(x, rw->id);
		if (!th)
			return 0;
		if ((rw->kind == ROW_THREAD ? th->part : th->state_part) != x->part ||
		    th->pid != rw->pid)
			rows++;
		/* fall through - its process too */
	case ROW_PROC:
		if (ctrace_map_get(&x->procs, rw->pid) != x->part)
			need += PROC_META_MAX;
		break;
	case ROW_CPU:
		c = cpu_of(x, rw->id);
		if (c && c->part != x->part)
			rows++;
		if (ctrace_map_get(&x->procs, CPUS_PID) != x->part)
			need += PROC_META_MAX;
		break;
	}
	if (names)
		*names = need + rows * ROW_NAMES_MAX;
	return need + rows * (ROW_NAMES_MAX + ROW_COPY_MAX);
}

static void row_mark(struct jx *x, const struct row *rw)
{
	struct jthread *th;
	struct jcpu *c;

	uint64_t names;

	x->reserve += row_need(x, rw, &names);
	x->names += names;
	switch (rw->kind) {
	case ROW_THREAD:
	case ROW_STATE:
		th = thread(x, rw->id);
		if (!th)
			break;
		if (th->pid != rw->pid) {
			/* Its process became known: the other row goes too. */
			th->part = th->state_part = 0;
			th->pid = rw->pid;
		}
		*(rw->kind == ROW_THREAD ? &th->part : &th->state_part) = x->part;
		/* fall through */
	case ROW_PROC:
		x->oom |= ctrace_map_put(&x->procs, rw->pid, x->part) != 0;
		break;
	case ROW_CPU:
		c = cpu_of(x, rw->id);
		if (c)
			c->part = x->part;
		else
			x->oom = true;
		x->oom |= ctrace_map_put(&x->procs, CPUS_PID, x->part) != 0;
		break;
	}
}

/* Write the built event as-is, unchecked (names and the trailer, whose
 * room was reserved). */
static void put_event(struct jx *x)
{
	if (x->events++)
		out_raw(x, ",\n", 2);
	out_raw(x, x->ev.p, x->ev.len);
	x->ev.len = 0;
}

static void part_open(struct jx *x)
{
	static const char head[] = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";

	x->bytes = 0;
	x->reserve = 0;
	x->names = 0;
	x->events = 0;
	x->part_from = x->now;
	out_raw(x, head, sizeof(head) - 1);
}

static void meta_head(struct jx *x, uint32_t pid, uint64_t tid, const char *name)
{
	x->ev.len = 0;
	sb_lit(&x->ev, "{\"ph\":\"M\",\"pid\":");
	sb_u64(&x->ev, pid);
	sb_lit(&x->ev, ",\"tid\":");
	sb_u64(&x->ev, tid);
	ev_field(x, "name", name);
	args_begin(x);
}

static void meta_name(struct jx *x, uint32_t pid, uint64_t tid, bool process,
		      const char *name, const char *suffix)
{
	meta_head(x, pid, tid, process ? "process_name" : "thread_name");
	arg_key(x, "name");
	if (suffix) {
		char tmp[CTRACE_COMM_LEN + 32];

		snprintf(tmp, sizeof(tmp), "%s%s", name, suffix);
		sb_cstr(&x->ev, tmp);
	} else {
		sb_cstr(&x->ev, name);
	}
	args_end(x);
	ev_end(x);
	put_event(x);
}

static void meta_sort(struct jx *x, uint32_t pid, uint64_t tid, bool process,
		      int64_t index)
{
	meta_head(x, pid, tid, process ? "process_sort_index" : "thread_sort_index");
	arg_key(x, "sort_index");
	if (index < 0)
		sb_lit(&x->ev, "-");
	sb_u64(&x->ev, index < 0 ? (uint64_t)-index : (uint64_t)index);
	args_end(x);
	ev_end(x);
	put_event(x);
}

/* The names of every row this part used. */
static void part_names(struct jx *x)
{
	char tmp[32];

	for (size_t i = 0; i < x->nr_threads; i++) {
		const struct jthread *th = &x->threads[i];
		const char *comm = comm_of(x, th->tid);

		if (!comm) {
			snprintf(tmp, sizeof(tmp), "tid %u", th->tid);
			comm = tmp;
		}
		if (th->part == x->part) {
			meta_name(x, th->pid, th->tid, false, comm, NULL);
			meta_sort(x, th->pid, th->tid, false, 2 * (int64_t)th->tid);
		}
		if (th->state_part == x->part) {
			meta_name(x, th->pid, STATE_TID_BASE + th->tid, false, comm,
				  " (state)");
			meta_sort(x, th->pid, STATE_TID_BASE + th->tid, false,
				  2 * (int64_t)th->tid + 1);
		}
	}
	for (size_t i = 0; x->procs.vals && i <= x->procs.mask; i++) {
		uint32_t pid = (uint32_t)x->procs.keys[i];
		const char *comm;

		if (x->procs.vals[i] != x->part)
			continue;
		if (pid == CPUS_PID) {
			meta_name(x, pid, 0, true, "CPUs", NULL);
			meta_sort(x, pid, 0, true, -1);
			continue;
		}
		comm = comm_of(x, pid);
		if (comm)
			meta_name(x, pid, 0, true, comm, NULL);
	}
	for (size_t i = 0; i < x->nr_cpus; i++) {
		uint32_t cpu = x->cpus[i].cpu;

		if (x->cpus[i].part != x->part)
			continue;
		snprintf(tmp, sizeof(tmp), "CPU %u", cpu);
		meta_name(x, CPUS_PID, cpu, false, tmp, NULL);
		meta_sort(x, CPUS_PID, cpu, false, cpu);
	}
}

static void other_meta(struct jx *x, const char *key)
{
	const char *v = ctrace_trace_meta(x->t, key);

	if (v)
		arg_str(x, key, v, strnlen(v, META_MAX));
}

/* What a viewer shows as the trace's metadata; no more than TRAILER_MAX. */
static void part_close(struct jx *x, bool last)
{
	static const char *const keys[] = {
		"host", "kernel", "nr_cpus", "clock", "target", "ctrace_version",
		"start_realtime_ns",
	};
	const char *problem = ctrace_trace_problem(x->t);
	char tmp[32];

	part_names(x);
	x->ev.len = 0;
	sb_lit(&x->ev, "\n],\n\"otherData\"");
	x->first_arg = true;
	sb_lit(&x->ev, ":{");
	arg_cstr(x, "exporter", "ctrace export --format json");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		other_meta(x, keys[i]);
	snprintf(tmp, sizeof(tmp), "%" PRIu64, x->base_ns);
	arg_cstr(x, "time_base_mono_ns", tmp);
	arg_u64(x, "part", x->part);
	if (last)
		arg_u64(x, "parts", x->part);
	arg_key(x, "part_from_us");
	sb_ts(x, x->part > 1 ? x->part_from : x->base_ns);
	arg_key(x, "part_to_us");
	sb_ts(x, x->now);
	arg_u64(x, "events_read", x->fed);
	arg_u64(x, "lost_events", x->n.lost_events);
	arg_u64(x, "loss_records", x->n.loss_records);
	arg_u64(x, "sequence_gaps", x->n.gaps);
	arg_u64(x, "corrupt_records", x->n.corrupt_records);
	arg_u64(x, "corrupt_bytes", x->n.corrupt_bytes);
	arg_u64(x, "anomalies", x->n.anomalies);
	arg_u64(x, "flows", x->n.flows);
	arg_u64(x, "wakeup_flows", x->n.wakeup_flows);
	if (x->n.flows_cut)
		arg_u64(x, "flows_cut", x->n.flows_cut);
	if (x->n.unknown_types)
		arg_u64(x, "unknown_user_events", x->n.unknown_types);
	if (x->n.nonfinite)
		arg_u64(x, "nonfinite_counter_samples", x->n.nonfinite);
	if (x->n.unbound_flows)
		arg_u64(x, "unbound_flows", x->n.unbound_flows);
	if (x->stopped)
		arg_cstr(x, "truncated", "the size limit stopped the export here");
	if (problem)
		arg_str(x, "problem", problem, strnlen(problem, 2 * META_MAX));
	if (x->cursor_error)
		arg_str(x, "error", x->cursor_error, strnlen(x->cursor_error, 2 * META_MAX));
	sb_lit(&x->ev, "}}\n");
	out_raw(x, x->ev.p, x->ev.len);
	x->ev.len = 0;
}

/* OUT -> OUT-N.json, OUT.json -> OUT-N.json */
static char *part_path(const char *path, uint32_t part)
{
	size_t n = strlen(path);
	char *p = malloc(n + 24);

	if (!p)
		return NULL;
	if (n > 5 && !strcmp(path + n - 5, ".json"))
		n -= 5;
	snprintf(p, n + 24, "%.*s-%u.json", (int)n, path, part);
	return p;
}

/*
 * The begin a state or CPU slice from @begin is drawn at in this part:
 * the part's start, if the part before has a copy of it up to there
 * (the slice from @copy_begin was copied into @copy_part), so that each
 * part shows its own time.  Regions keep their begin: they nest.
 */
static uint64_t clip(const struct jx *x, uint32_t copy_part, uint64_t copy_begin,
		     uint64_t begin)
{
	return x->part > 1 && copy_part == x->part - 1 && copy_begin == begin ?
	       x->part_from : begin;
}

static void arg_began(struct jx *x, uint64_t begin, uint64_t drawn)
{
	if (drawn != begin) {
		arg_key(x, "began_us");
		sb_ts(x, begin);
	}
}

/* Write the copy built on @rw where the part has room left for it and
 * for the names it still owes; whether it did. */
static bool put_copy(struct jx *x, const struct row *rw)
{
	uint64_t names;
	bool room;

	row_need(x, rw, &names);
	room = x->bytes + x->ev.len + 2 + x->names + names + TRAILER_MAX <= x->limit;
	if (room) {
		row_mark(x, rw);
		put_event(x);
	}
	x->ev.len = 0;
	return room;
}

/* Copies of @th's open slices, if @th's rows are (@marked) or are not in
 * this part. */
static void thread_copies(struct jx *x, size_t i, bool marked)
{
	struct jthread *th = &x->threads[i];
	struct ctrace_model_region r;
	struct ctrace_model_thread mt;
	uint64_t begin;
	struct jcpu *c;
	struct row rw;

	if (th->part == x->part && marked && ctrace_model_open_region(x->m, th->tid, &r)) {
		rw = (struct row){ ROW_THREAD, th->pid, th->tid };
		ev_head(x, 'X', rw.pid, th->tid, r.begin);
		ev_dur(x, r.begin, x->now);
		ev_name_id(x, r.set, r.name_id, "?");
		sb_lit(&x->ev, ",\"cat\":\"region\"");
		args_begin(x);
		arg_u64(x, "depth", r.depth);
		arg_cstr(x, "continues", "in the next part");
		args_end(x);
		ev_end(x);
		put_copy(x, &rw);
	}
	if ((th->state_part == x->part) != marked ||
	    !ctrace_model_thread(x->m, th->tid, &mt) ||
	    mt.state == CTRACE_STATE_UNKNOWN || mt.state >= CTRACE_NR_STATES)
		return;
	begin = clip(x, th->copy_part, th->copy_begin, mt.since);
	if (begin < x->now) {
		rw = (struct row){ ROW_STATE, pid_of(mt.tgid, th->tid), th->tid };
		ev_head(x, 'X', rw.pid, STATE_TID_BASE + th->tid, begin);
		ev_dur(x, begin, x->now);
		ev_field(x, "name", states[mt.state].name);
		sb_lit(&x->ev, ",\"cat\":\"state\"");
		ev_field(x, "cname", states[mt.state].cname);
		args_begin(x);
		arg_cstr(x, "continues", "in the next part");
		arg_began(x, mt.since, begin);
		args_end(x);
		ev_end(x);
		if (put_copy(x, &rw)) {
			th = &x->threads[i];
			th->copy_part = x->part;
			th->copy_begin = mt.since;
		}
	}
	/* The CPU it runs on: the same interval, from its switch-in. */
	c = mt.state == CTRACE_STATE_RUNNING && mt.cpu != UINT32_MAX ? cpu_of(x, mt.cpu) : NULL;
	if (!c || c->copy_part == x->part)
		return;
	begin = clip(x, c->copy_part, c->copy_begin, mt.since);
	if (begin >= x->now)
		return;
	rw = (struct row){ ROW_CPU, CPUS_PID, mt.cpu };
	ev_head(x, 'X', CPUS_PID, mt.cpu, begin);
	ev_dur(x, begin, x->now);
	ev_field(x, "name", mt.comm ? mt.comm : "?");
	sb_lit(&x->ev, ",\"cat\":\"cpu\"");
	args_begin(x);
	arg_u64(x, "tid", th->tid);
	if (mt.tgid)
		arg_u64(x, "pid", mt.tgid);
	arg_cstr(x, "continues", "in the next part");
	arg_began(x, mt.since, begin);
	args_end(x);
	ev_end(x);
	if (put_copy(x, &rw)) {
		c = cpu_of(x, mt.cpu);
		c->copy_part = x->part;
		c->copy_begin = mt.since;
	}
}

/*
 * A part is cut while slices are open: a flow drawn in it binds to the
 * slice around its end, which may be written only in a later part.  So
 * the part gets a copy of each open slice (a thread's innermost region,
 * its state, the CPU it runs on) up to the cut, and the next part draws
 * it from there on: every part holds the slices its flows bind to, and
 * shows what ran in all its time.  Rows of the part first (their room
 * is reserved), then the others while there is room.
 */
static void part_copies(struct jx *x)
{
	for (size_t i = 0; i < x->nr_threads; i++)
		thread_copies(x, i, true);
	for (size_t i = 0; i < x->nr_threads; i++)
		thread_copies(x, i, false);
}

static int part_next(struct jx *x)
{
	char *name = part_path(x->path, x->part + 1);
	struct sbuf pending = x->ev;
	FILE *f;

	if (!name)
		return -ENOMEM;
	/* The event that did not fit waits in its buffer meanwhile. */
	x->ev = x->spare;
	x->ev.len = 0;
	part_copies(x);
	part_close(x, false);
	x->spare = x->ev;
	x->ev = pending;
	out_flush(x);
	if (x->part > 1 && fclose(x->f) && !x->error)
		x->error = -errno;
	x->f = NULL;
	f = fopen(name, "w");
	if (!f) {
		x->error = -errno;
		fprintf(x->err, "ctrace export: %s: %s\n", name, strerror(errno));
		free(name);
		return x->error;
	}
	free(name);
	x->f = f;
	x->part++;
	part_open(x);
	return 0;
}

/*
 * Make room for the built event, drawn on @rows[0..n): in this part if it
 * fits with the names of its rows and the trailer, else in the next part,
 * else nowhere: the export stops.  0, or <0 (the export cannot go on).
 */
static int fit(struct jx *x, const struct row *rows, int n)
{
	for (;;) {
		uint64_t need = x->ev.len + 2 + TRAILER_MAX + x->reserve;

		for (int i = 0; i < n; i++)
			need += row_need(x, &rows[i], NULL);
		if (x->ev.oom || x->oom)
			return -ENOMEM;
		if (x->bytes + need <= x->limit)
			return 0;
		if (!x->path || !x->events) {
			x->stopped = true;
			x->ev.len = 0;
			return -EFBIG;
		}
		if (part_next(x))
			return x->error;
	}
}

/* Write it, where fit() made room. */
static int put(struct jx *x, const struct row *rows, int n)
{
	for (int i = 0; i < n; i++)
		row_mark(x, &rows[i]);
	put_event(x);
	return x->error;
}

static int commit_rows(struct jx *x, const struct row *rows, int n)
{
	int r = fit(x, rows, n);

	return r ? r : put(x, rows, n);
}

static int commit(struct jx *x, uint8_t kind, uint32_t pid, uint32_t id)
{
	const struct row rw = { kind, pid, id };

	return commit_rows(x, &rw, kind == ROW_NONE ? 0 : 1);
}

/* ---------------------------------------------------------- the sink */

static void arg_ended(struct jx *x, uint16_t flags)
{
	if (flags & CTRACE_IV_LOSS_END)
		arg_cstr(x, "ended", "loss");
	else if (flags & CTRACE_IV_ANOMALY)
		arg_cstr(x, "ended", "anomaly");
	else if (flags & CTRACE_IV_TRACE_END)
		arg_cstr(x, "ended", "trace end");
}

static void arg_thread(struct jx *x, const char *key, uint32_t tid)
{
	const char *comm = comm_of(x, tid);
	char tmp[CTRACE_COMM_LEN + 16];

	if (comm)
		snprintf(tmp, sizeof(tmp), "%s:%u", comm, tid);
	else
		snprintf(tmp, sizeof(tmp), "%u", tid);
	arg_cstr(x, key, tmp);
}

/*
 * Append to the Runnable slice @iv being built a flow to it from the
 * waker's Running slice, the two ends in one event string: the three go
 * in one part.
 */
static void wakeup_flow(struct jx *x, const struct jthread *th,
			const struct ctrace_state_iv *iv)
{
	uint64_t dur = iv->end - iv->begin;
	/* Strictly inside the Runnable slice: at its start, Catapult would
	 * bind the arrow to the slice that ends there. */
	uint64_t at = iv->begin + (dur >= 2 ? (dur / 2 < 1000 ? dur / 2 : 1000) : 0);
	char id[24];

	snprintf(id, sizeof(id), "0x%" PRIx64, x->serial + 1);
	sb_lit(&x->ev, ",\n");
	ev_head(x, 's', th->waker_pid, STATE_TID_BASE + th->waker, th->wake_ns);
	sb_lit(&x->ev, ",\"cat\":\"wakeup\",\"name\":\"wakeup\"");
	ev_field(x, "id", id);
	ev_end(x);
	sb_lit(&x->ev, ",\n");
	ev_head(x, 'f', pid_of(iv->tgid, iv->tid), STATE_TID_BASE + iv->tid, at);
	sb_lit(&x->ev, ",\"cat\":\"wakeup\",\"name\":\"wakeup\",\"bp\":\"e\"");
	ev_field(x, "id", id);
	ev_end(x);
}

/*
 * The waker's Running slice must be in this part too: it is if it is
 * still open (written later, or copied at the cut) or was written in
 * this part, not if an earlier part has a slice of the waker that ends
 * after the wakeup.
 */
static bool waker_here(struct jx *x, uint32_t waker, uint64_t wake_ns)
{
	const struct jthread *wk = thread(x, waker);
	uint64_t earlier;

	/* Before the part began, its slice may be drawn from there on. */
	if (!wk || (x->part > 1 && wake_ns < x->part_from))
		return false;
	earlier = wk->last_part < x->part ? wk->last_end : wk->earlier_end;
	return earlier <= wake_ns;
}

static void state_slice(struct jx *x, const struct ctrace_state_iv *iv,
			uint32_t pid, uint64_t begin)
{
	x->ev.len = 0;
	ev_head(x, 'X', pid, STATE_TID_BASE + iv->tid, begin);
	ev_dur(x, begin, iv->end);
	ev_field(x, "name", states[iv->state].name);
	sb_lit(&x->ev, ",\"cat\":\"state\"");
	ev_field(x, "cname", states[iv->state].cname);
	args_begin(x);
	if (iv->cpu != UINT32_MAX)
		arg_u64(x, "cpu", iv->cpu);
	if (iv->state == CTRACE_STATE_RUNNABLE) {
		arg_cstr(x, "cause", ctrace_cause_name(iv->cause));
		if (iv->waker_tid)
			arg_thread(x, "waker", iv->waker_tid);
		if (iv->flags & CTRACE_IV_WAKER_IRQ)
			arg_cstr(x, "waker_context", "interrupt");
		if (iv->waker_region) {
			arg_key(x, "waker_region");
			sb_ustr(x, iv->waker_region->set, iv->waker_region->name_id, "?");
		}
	}
	arg_ended(x, iv->flags);
	arg_began(x, iv->begin, begin);
	args_end(x);
	ev_end(x);
}

static void on_state(void *arg, const struct ctrace_state_iv *iv)
{
	struct jx *x = arg;
	uint32_t pid = pid_of(iv->tgid, iv->tid);
	struct jthread *th = thread(x, iv->tid);
	struct row rows[2] = { { ROW_STATE, pid, iv->tid } };
	bool flow, drawn = false;
	uint32_t waker = 0;
	size_t alone;

	if (!th) {
		x->oom = true;
		return;
	}
	/* Is this the Runnable a recorded wakeup began?  (The interval the
	 * wakeup ended closes first, and began before it.) */
	flow = th->wake && iv->state == CTRACE_STATE_RUNNABLE && iv->begin == th->wake_ns &&
	       (iv->cause == CTRACE_CAUSE_WAKEUP || iv->cause == CTRACE_CAUSE_NEW);
	if (th->wake && iv->begin >= th->wake_ns)
		th->wake = false;
	if (iv->end <= iv->begin || x->stopped || iv->state >= CTRACE_NR_STATES)
		return;		/* nothing to draw */
	if (flow) {
		waker = th->waker;
		rows[1] = (struct row){ ROW_STATE, th->waker_pid, th->waker };
	}
	/* Built for this part; again if it opens a new one. */
	for (uint32_t part = 0; part != x->part;) {
		const struct jthread *t = thread(x, iv->tid);
		uint64_t begin = clip(x, t->copy_part, t->copy_begin, iv->begin);

		part = x->part;
		if (begin >= iv->end) {
			/* All of it is in the part before, as a copy. */
			x->n.flows_cut += flow;
			return;
		}
		/* A clipped Runnable's wakeup is in the part before. */
		drawn = flow && begin == iv->begin;
		state_slice(x, iv, pid, begin);
		alone = x->ev.len;
		if (drawn)
			wakeup_flow(x, thread(x, iv->tid), iv);
		if (fit(x, rows, drawn ? 2 : 1))
			return;
	}
	if (drawn && !waker_here(x, waker, iv->begin)) {
		x->ev.len = alone;
		drawn = false;
	}
	if (flow && !drawn)
		x->n.flows_cut++;
	if (put(x, rows, drawn ? 2 : 1))
		return;
	if (drawn) {
		x->serial++;
		x->n.wakeup_flows++;
	}
	th = thread(x, iv->tid);	/* not moved: it was there */
	if (th->last_part != x->part) {
		th->earlier_end = th->last_end;
		th->last_part = x->part;
	}
	th->last_end = iv->end;
}

static void on_wakeup(void *arg, const struct ctrace_model_wakeup *w)
{
	struct jx *x = arg;
	struct ctrace_model_thread waker;
	struct jthread *th;

	/* A flow needs a slice at each end: the waker must be seen running
	 * (not idle, an interrupt, or a thread whose state is unknown). */
	if (!w->waker_tid || w->waker_tid == CTRACE_TID_HIDDEN || w->irq ||
	    !ctrace_model_thread(x->m, w->waker_tid, &waker) ||
	    waker.state != CTRACE_STATE_RUNNING)
		return;
	th = thread(x, w->tid);
	if (!th) {
		x->oom = true;
		return;
	}
	th->wake = true;
	th->wake_ns = w->ns;
	th->waker = w->waker_tid;
	th->waker_pid = pid_of(waker.tgid, w->waker_tid);
}

static void on_cpu(void *arg, const struct ctrace_cpu_iv *iv)
{
	const struct row rw = { ROW_CPU, CPUS_PID, iv->cpu };
	const struct ctrace_thread *ct;
	struct jx *x = arg;
	char tmp[24];
	const char *comm;

	if (!iv->tid || iv->end <= iv->begin || x->stopped)
		return;		/* idle, or nothing to draw */
	comm = comm_of(x, iv->tid);
	if (!comm) {
		snprintf(tmp, sizeof(tmp), "tid %u", iv->tid);
		comm = tmp;
	}
	ct = iv->tid != CTRACE_TID_HIDDEN ? ctrace_cursor_thread(x->c, iv->tid) : NULL;
	for (uint32_t part = 0; part != x->part;) {
		const struct jcpu *c = cpu_of(x, iv->cpu);
		uint64_t begin;

		if (!c) {
			x->oom = true;
			return;
		}
		begin = clip(x, c->copy_part, c->copy_begin, iv->begin);
		part = x->part;
		if (begin >= iv->end)
			return;
		x->ev.len = 0;
		ev_head(x, 'X', CPUS_PID, iv->cpu, begin);
		ev_dur(x, begin, iv->end);
		ev_field(x, "name", comm);
		sb_lit(&x->ev, ",\"cat\":\"cpu\"");
		/* Others may have run in it: grey, not the thread's colour. */
		if (iv->flags & CTRACE_CPU_UNTRACED)
			sb_lit(&x->ev, ",\"cname\":\"grey\"");
		args_begin(x);
		arg_u64(x, "tid", iv->tid);
		if (ct && ct->tgid)
			arg_u64(x, "pid", ct->tgid);
		if (iv->flags & CTRACE_CPU_UNTRACED)
			arg_cstr(x, "untraced", "threads the session does not trace may have run in it too");
		arg_ended(x, iv->flags);
		arg_began(x, iv->begin, begin);
		args_end(x);
		ev_end(x);
		if (fit(x, &rw, 1))
			return;
	}
	put(x, &rw, 1);
}

static void on_region(void *arg, const struct ctrace_model_region *r)
{
	static const char *const split[CTRACE_NR_STATES] = {
		[CTRACE_STATE_UNKNOWN] = "unknown_ms",
		[CTRACE_STATE_RUNNING] = "running_ms",
		[CTRACE_STATE_RUNNABLE] = "runnable_ms",
		[CTRACE_STATE_SLEEPING] = "sleeping_ms",
		[CTRACE_STATE_BLOCKED] = "uninterruptible_ms",
		[CTRACE_STATE_STOPPED] = "stopped_ms",
	};
	struct jx *x = arg;
	uint32_t pid = pid_of(r->tgid, r->tid);

	if (x->stopped)
		return;
	x->ev.len = 0;
	ev_head(x, 'X', pid, r->tid, r->begin);
	ev_dur(x, r->begin, r->end);
	ev_name_id(x, r->set, r->name_id, "?");
	sb_lit(&x->ev, ",\"cat\":\"region\"");
	args_begin(x);
	if (r->has_task)
		arg_hex(x, "task", r->task);
	arg_u64(x, "depth", r->depth);
	arg_u64(x, "switches", r->switches);
	for (unsigned int s = 0; s < CTRACE_NR_STATES; s++)
		arg_ms(x, split[s], r->state_ns[s]);
	if (r->flags & CTRACE_RG_LOST)
		arg_cstr(x, "cut", "loss: its end is not in the trace");
	else if (r->flags & CTRACE_RG_TRACE_END)
		arg_cstr(x, "cut", "still open when the trace ended");
	args_end(x);
	ev_end(x);
	commit(x, ROW_THREAD, pid, r->tid);
}

/* A system call: a complete event on its thread's row, category syscall. */
static void on_syscall(void *arg, const struct ctrace_model_syscall *sc)
{
	struct jx *x = arg;
	uint32_t pid = pid_of(sc->tgid, sc->tid);
	char buf[24];

	if (x->stopped)
		return;
	x->ev.len = 0;
	ev_head(x, 'X', pid, sc->tid, sc->begin);
	ev_dur(x, sc->begin, sc->end);
	ev_field(x, "name", ctrace_syscall_name(sc->aux, buf, sizeof(buf)));
	sb_lit(&x->ev, ",\"cat\":\"syscall\"");
	args_begin(x);
	if (!(sc->flags & CTRACE_SC_UNENDED)) {
		snprintf(buf, sizeof(buf), "%" PRId64, sc->ret);
		arg_key(x, "ret");
		sb_raw(&x->ev, buf, strlen(buf));
	} else {
		arg_cstr(x, "cut", sc->flags & CTRACE_SC_DIED ? "the thread died in it" :
			 "still in it when the trace ended");
	}
	arg_ms(x, "off_cpu_ms", sc->off_cpu_ns);
	arg_u64(x, "switches", sc->switches);
	if (sc->flags & CTRACE_SC_BLOCKED)
		arg_cstr(x, "blocked", "the thread slept in it");
	args_end(x);
	ev_end(x);
	commit(x, ROW_THREAD, pid, sc->tid);
}

static void task_half(struct jx *x, char ph, const struct ctrace_model_task *t,
		      uint32_t tid, uint64_t ns)
{
	ev_head(x, ph, t->tgid, tid, ns);
	ev_name_id(x, t->set, t->name_id, "task");
	sb_lit(&x->ev, ",\"cat\":\"task\",\"id2\":{");
	x->first_arg = true;
	arg_hex(x, "local", t->task);
	sb_lit(&x->ev, "}");
}

static void on_task(void *arg, const struct ctrace_model_task *t)
{
	struct jx *x = arg;
	uint32_t end_tid = t->end_tid ? t->end_tid : t->begin_tid;
	const struct row rows[2] = {
		{ ROW_THREAD, t->tgid, t->begin_tid },
		{ ROW_THREAD, t->tgid, end_tid },
	};

	if (x->stopped)
		return;
	/* Both halves in one part: Catapult warns of an unmatched one. */
	x->ev.len = 0;
	task_half(x, 'b', t, t->begin_tid, t->begin);
	args_begin(x);
	arg_hex(x, "task", t->task);
	if (t->parent)
		arg_hex(x, "parent", t->parent);
	arg_u64(x, "threads", t->threads);
	arg_u64(x, "regions", t->regions);
	arg_u64(x, "logs", t->logs);
	if (t->flags & CTRACE_RG_LOST)
		arg_cstr(x, "cut", "loss: its end is not in the trace");
	else if (t->flags & CTRACE_RG_TRACE_END)
		arg_cstr(x, "cut", "still open when the trace ended");
	args_end(x);
	ev_end(x);
	sb_lit(&x->ev, ",\n");
	task_half(x, 'e', t, end_tid, t->end);
	ev_end(x);
	commit_rows(x, rows, 2);
}

/* The row a flow's end at @u binds to (Catapult: the slice around it). */
static bool flow_row(struct jx *x, const struct ctrace_model_uevent *u,
		     struct row *rw)
{
	struct ctrace_model_region r;
	struct ctrace_model_thread th;

	rw->pid = pid_of(u->tgid, u->tid);
	rw->id = u->tid;
	if (ctrace_model_open_region(x->m, u->tid, &r)) {
		rw->kind = ROW_THREAD;
		return true;
	}
	if (ctrace_model_thread(x->m, u->tid, &th) &&
	    th.state != CTRACE_STATE_UNKNOWN) {
		rw->kind = ROW_STATE;
		return true;
	}
	x->n.unbound_flows++;
	return false;
}

static void flows_compact(struct jx *x)
{
	size_t n = 0;

	ctrace_map_free(&x->flow_map);
	for (size_t i = 0; i < x->nr_flows; i++) {
		if (!x->flows[i].open)
			continue;
		x->flows[n] = x->flows[i];
		x->oom |= ctrace_map_put(&x->flow_map, x->flows[n].id, (uint32_t)n) != 0;
		n++;
	}
	x->nr_flows = n;
}

static struct jflow *flow_add(struct jx *x, uint64_t id)
{
	uint32_t i = ctrace_map_get(&x->flow_map, id);
	struct jflow *a;

	if (i != CTRACE_MAP_NONE)
		return &x->flows[i];
	/* Ended flows stay until they outnumber the open ones. */
	if (x->nr_flows > 2 * x->open_flows + 1024)
		flows_compact(x);
	a = grow(x->flows, x->nr_flows, &x->flows_cap, sizeof(*a));
	if (!a)
		return NULL;
	x->flows = a;
	if (ctrace_map_put(&x->flow_map, id, (uint32_t)x->nr_flows))
		return NULL;
	a[x->nr_flows] = (struct jflow){ .id = id };
	return &a[x->nr_flows++];
}

static void flow_half(struct jx *x, char ph, const struct row *rw,
		      const struct jflow *fl, uint64_t ns)
{
	char id[24];

	snprintf(id, sizeof(id), "0x%" PRIx64, fl->serial);
	x->ev.len = 0;
	ev_head(x, ph, rw->pid, rw->kind == ROW_STATE ? STATE_TID_BASE + rw->id : rw->id, ns);
	sb_lit(&x->ev, ",\"cat\":\"flow\"");
	ev_name_id(x, fl->set, fl->name, "flow");
	ev_field(x, "id", id);
	if (ph == 'f') {
		sb_lit(&x->ev, ",\"bp\":\"e\"");
	} else {
		/* Only on one end: Catapult warns of an argument given twice. */
		args_begin(x);
		arg_hex(x, "flow", fl->id);
		args_end(x);
	}
	ev_end(x);
}

static void on_flow(struct jx *x, const struct ctrace_model_uevent *u)
{
	uint32_t i = ctrace_map_get(&x->flow_map, u->flow);
	struct jflow *fl = i == CTRACE_MAP_NONE ? NULL : &x->flows[i];
	struct row rw;

	if (u->type == CTRACE_UREC_FLOW_END) {
		if (!fl || !fl->open)
			return;		/* begun before the trace, or unbound */
		fl->open = false;
		x->open_flows--;
		if (!flow_row(x, u, &rw))
			return;
		flow_half(x, 'f', &rw, fl, u->ns);
		if (fit(x, &rw, 1))
			return;
		fl = &x->flows[i];
		if (fl->part != x->part) {
			x->n.flows_cut++;	/* its s is in an earlier part */
			x->ev.len = 0;
		} else if (!put(x, &rw, 1)) {
			x->n.flows++;
		}
		return;
	}
	if (fl && fl->open) {
		/* Begun again before it ended: the first one never will. */
		fl->open = false;
		x->open_flows--;
	}
	if (!flow_row(x, u, &rw))
		return;
	fl = flow_add(x, u->flow);
	if (!fl) {
		x->oom = true;
		return;
	}
	fl->serial = ++x->serial;
	fl->set = u->set;
	fl->name = u->name_id;
	flow_half(x, 's', &rw, fl, u->ns);
	if (commit_rows(x, &rw, 1))
		return;
	fl->part = x->part;
	fl->open = true;
	x->open_flows++;
}

static void on_uevent(void *arg, const struct ctrace_model_uevent *u)
{
	struct jx *x = arg;
	uint32_t pid = pid_of(u->tgid, u->tid);

	if (x->stopped)
		return;
	x->ev.len = 0;
	switch (u->type) {
	case CTRACE_UREC_LOG:
		ev_head(x, 'i', pid, u->tid, u->ns);
		ev_name_id(x, u->set, u->name_id, "log");
		sb_lit(&x->ev, ",\"cat\":\"log\",\"s\":\"t\"");
		args_begin(x);
		arg_key(x, "category");
		sb_ustr(x, u->set, u->name_id, "");
		if (u->msg)
			arg_str(x, "message", u->msg, u->msg_len);
		if (u->has_task)
			arg_hex(x, "task", u->task);
		args_end(x);
		break;
	case CTRACE_UREC_INSTANT:
		ev_head(x, 'i', pid, u->tid, u->ns);
		ev_name_id(x, u->set, u->name_id, "instant");
		sb_lit(&x->ev, ",\"cat\":\"instant\",\"s\":\"t\"");
		args_begin(x);
		if (u->has_task)
			arg_hex(x, "task", u->task);
		args_end(x);
		break;
	case CTRACE_UREC_COUNTER:
	case CTRACE_UREC_COUNTER_F:
		if (u->type == CTRACE_UREC_COUNTER_F && !isfinite(u->fvalue)) {
			x->n.nonfinite++;	/* JSON has no NaN or infinity */
			return;
		}
		ev_head(x, 'C', pid, u->tid, u->ns);
		ev_name_id(x, u->set, u->name_id, "counter");
		sb_lit(&x->ev, ",\"cat\":\"counter\",\"args\":{\"value\":");
		if (u->type == CTRACE_UREC_COUNTER) {
			if (u->ivalue < 0)
				sb_lit(&x->ev, "-");
			sb_u64(&x->ev, u->ivalue < 0 ? -(uint64_t)u->ivalue : (uint64_t)u->ivalue);
		} else {
			char tmp[32];

			snprintf(tmp, sizeof(tmp), "%.17g", u->fvalue);
			sb_raw(&x->ev, tmp, strlen(tmp));
		}
		args_end(x);
		ev_end(x);
		commit(x, ROW_PROC, pid, u->tid);
		return;
	case CTRACE_UREC_FLOW_BEGIN:
	case CTRACE_UREC_FLOW_END:
		on_flow(x, u);
		return;
	default:
		/* Names, regions and tasks come another way; a newer
		 * library's types are counted. */
		x->n.unknown_types += u->type >= __CTRACE_UREC_MAX;
		return;
	}
	ev_end(x);
	commit(x, ROW_THREAD, pid, u->tid);
}

static void on_loss(void *arg, const struct ctrace_model_loss *l)
{
	static const char *const kinds[] = {
		[CTRACE_RING_KERNEL] = "kernel", [CTRACE_RING_USER] = "user",
		[CTRACE_RING_DUMPER] = "dumper",
	};
	struct jx *x = arg;
	const char *name, *reason;
	char ring[32];

	if (l->corrupt_reason) {
		name = "corrupt records";
		x->n.corrupt_records++;
		x->n.corrupt_bytes += l->corrupt_bytes;
	} else if (l->count) {
		name = "lost events";
		x->n.loss_records++;
		x->n.lost_events += l->count;
	} else {
		name = "events missing";
		x->n.gaps++;
	}
	if (x->stopped)
		return;
	x->ev.len = 0;
	ev_head(x, 'i', CPUS_PID, 0, l->ns);
	ev_field(x, "name", name);
	sb_lit(&x->ev, ",\"cat\":\"loss\",\"s\":\"g\"");
	args_begin(x);
	arg_cstr(x, "ring_kind", l->kind < sizeof(kinds) / sizeof(kinds[0]) &&
		 kinds[l->kind] ? kinds[l->kind] : "?");
	if (l->kind == CTRACE_RING_USER)
		snprintf(ring, sizeof(ring), "%u:%u", ctrace_uring_set(l->ring),
			 l->ring & 0xffff);
	else
		snprintf(ring, sizeof(ring), "%u", l->ring);
	arg_cstr(x, "ring", ring);
	if (l->count)
		arg_u64(x, "count", l->count);
	if (l->corrupt_reason) {
		reason = ctrace_corrupt_reason_name(l->corrupt_reason);
		arg_cstr(x, "reason", reason ? reason : "?");
		arg_u64(x, "bytes", l->corrupt_bytes);
	}
	if (l->has_from) {
		arg_key(x, "since_us");
		sb_ts(x, l->from_ns);
	}
	arg_cstr(x, "meaning", l->domain ?
		 "this ring set's regions and tasks open then end here" :
		 "every thread's state is unknown from since_us to its next event");
	args_end(x);
	ev_end(x);
	commit(x, ROW_NONE, 0, 0);
}

static void on_anomaly(void *arg, const struct ctrace_event *ev, uint32_t domain,
		       bool retractable, const char *msg)
{
	struct jx *x = arg;

	(void)ev, (void)domain, (void)retractable, (void)msg;
	x->n.anomalies++;
}

/* ------------------------------------------------------------ driving */

static void jx_free(struct jx *x)
{
	free(x->ev.p);
	free(x->spare.p);
	free(x->out.p);
	free(x->threads);
	free(x->flows);
	ctrace_map_free(&x->thread_map);
	ctrace_map_free(&x->procs);
	free(x->cpus);
	ctrace_map_free(&x->cpu_map);
	ctrace_map_free(&x->flow_map);
}

/* Where the export stopped, for the message. */
static void say_stopped(struct jx *x)
{
	fprintf(x->err,
		"ctrace export: stopped at %.6f s of the trace: the JSON would exceed %" PRIu64
		" bytes (--max-size), more than a browser can load; with -o FILE it is split "
		"into FILE, FILE-2.json, ... instead\n",
		(double)(x->now - x->base_ns) / 1e9, x->limit);
}

int ctrace_export_json(struct ctrace_trace *t, const struct ctrace_export_opts *opts)
{
	const struct ctrace_model_sink sink = {
		.state = on_state, .cpu = on_cpu, .region = on_region, .syscall = on_syscall,
		.task = on_task, .wakeup = on_wakeup, .uevent = on_uevent,
		.loss = on_loss, .anomaly = on_anomaly,
	};
	struct ctrace_model_sink s = sink;
	struct ctrace_event ev;
	struct jx x = {
		.t = t, .err = opts->err ? opts->err : stderr, .f = opts->out,
		.path = opts->path, .part = 1,
		.limit = opts->max_bytes ? opts->max_bytes : CTRACE_JSON_MAX_DEFAULT,
	};
	int r;

	if (x.limit < JSON_MAX_MIN) {
		fprintf(x.err, "ctrace export: a size limit below %u bytes cannot hold a part\n",
			JSON_MAX_MIN);
		return -EINVAL;
	}
	s.arg = &x;
	r = ctrace_cursor_new(t, &x.c);
	if (r) {
		fprintf(x.err, "ctrace export: out of memory\n");
		return r;
	}
	r = ctrace_model_new(t, x.c, &s, &x.m);
	if (r) {
		fprintf(x.err, "ctrace export: out of memory\n");
		ctrace_cursor_free(x.c);
		return r;
	}
	part_open(&x);
	while (!x.stopped && !x.error && (r = ctrace_cursor_next(x.c, &ev)) > 0) {
		if (!x.have_base) {
			x.have_base = true;
			x.base_ns = ev.ns;
		}
		x.now = ev.ns;
		x.fed++;
		/* Out of memory, the model forgets and goes on; so do we. */
		x.oom |= ctrace_model_feed(x.m, &ev) != 0;
		if (x.oom)
			break;
	}
	if (r < 0)
		x.cursor_error = ctrace_cursor_error(x.c);
	if (!x.stopped && !x.oom && !x.error)
		ctrace_model_finish(x.m);
	if (x.f) {
		part_close(&x, true);
		out_flush(&x);
	}
	if (x.part > 1 && x.f && fclose(x.f) && !x.error)
		x.error = -errno;

	if (x.error) {
		fprintf(x.err, "ctrace export: writing JSON: %s\n", strerror(-x.error));
		r = x.error;
	} else if (x.oom) {
		fprintf(x.err, "ctrace export: out of memory\n");
		r = -ENOMEM;
	} else if (x.stopped) {
		say_stopped(&x);
		r = -EFBIG;
	} else if (x.cursor_error || ctrace_trace_problem(t)) {
		/* What decoded is exported; otherData says where it stops. */
		fprintf(x.err, "ctrace export: %s\n",
			x.cursor_error ? x.cursor_error : ctrace_trace_problem(t));
		r = -EBADMSG;
	} else {
		r = 0;
	}
	if (x.part > 1) {
		char *last = part_path(x.path, x.part);

		fprintf(x.err, "ctrace export: %" PRIu64 " bytes of JSON split in %u parts of at most %" PRIu64
			" bytes (--max-size): %s to %s\n", x.total_bytes, x.part, x.limit,
			x.path, last ? last : "?");
		free(last);
	}
	ctrace_model_free(x.m);
	ctrace_cursor_free(x.c);
	jx_free(&x);
	return r;
}
