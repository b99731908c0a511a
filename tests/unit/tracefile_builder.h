/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building trace files in memory for tests and fuzz seeds, with the real
 * writer (ctrace_writer_*) on a memfd.
 *
 * Records are appended per ring the way the kernel writes them: a TIME
 * record first, and again whenever the high 32 bits of the timestamp
 * change.  tb_flush() turns a ring's pending records into one RING chunk
 * with the header a correct dumper writes (seq_first, ts_base, counts).
 * Every event appended is also logged (struct tb_ev) with the sequence
 * number and file offset the reader must report, so tests can compare a
 * decode against it; tests that need an independent oracle spell their
 * expectations out by hand instead.
 *
 * User rings (tb_uset(), tb_strings(), tb_urec() and its wrappers) hold
 * struct ctrace_urec records with full timestamps and no TIME records;
 * the logged ts is the one the reader must return, raised to the ring's
 * previous one where a record's went back.  The dumper's ring
 * (tb_dumper_clock()) holds krec records like a kernel ring.
 */
#ifndef CTRACE_TESTS_TRACEFILE_BUILDER_H
#define CTRACE_TESTS_TRACEFILE_BUILDER_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tracefile.h"

#define TB_MAX_RINGS 16

struct tb_ring {
	uint32_t ring;
	uint16_t kind;		/* enum ctrace_ring_kind */
	unsigned char *buf;	/* records of the next chunk */
	size_t len, cap;
	uint64_t ts;		/* full timestamp after the last record */
	uint64_t seq;		/* next event's sequence number */
	uint64_t chunk_ts;	/* ts_base of the next chunk */
	uint64_t chunk_seq;	/* seq_first of the next chunk */
	uint64_t events, lost;	/* in the next chunk */
	uint64_t total_events, total_lost, pos;
	size_t first_ev;	/* first b->evs entry of the next chunk */
	bool started;
};

/* An event the reader must return. */
struct tb_ev {
	uint32_t ring;
	uint16_t kind;
	uint16_t type, aux;
	uint64_t ts, seq;
	uint64_t rec_pos;	/* in the chunk's records, then file offset */
	uint64_t chunk_end;	/* file offset just past its chunk */
	uint32_t size;
};

struct tb {
	int fd;
	struct ctrace_writer *w;
	struct tb_ring rings[TB_MAX_RINGS];
	int nr_rings;
	struct tb_ev *evs;
	size_t nr_evs, evs_cap;
	int failed;
};

static inline int tb_open(struct tb *b)
{
	memset(b, 0, sizeof(*b));
	b->fd = memfd_create("ctrace-test", MFD_CLOEXEC);
	if (b->fd < 0)
		return -1;
	return ctrace_writer_open(&b->w, b->fd);
}

static inline void tb_meta(struct tb *b, const char *text)
{
	b->failed |= ctrace_writer_meta(b->w, text, strlen(text)) != 0;
}

static inline struct tb_ring *tb_ring_kind(struct tb *b, uint16_t kind,
					   uint32_t id)
{
	for (int i = 0; i < b->nr_rings; i++)
		if (b->rings[i].ring == id && b->rings[i].kind == kind)
			return &b->rings[i];
	if (b->nr_rings == TB_MAX_RINGS) {
		b->failed = 1;
		return &b->rings[0];
	}
	b->rings[b->nr_rings].ring = id;
	b->rings[b->nr_rings].kind = kind;
	return &b->rings[b->nr_rings++];
}

static inline struct tb_ring *tb_ring(struct tb *b, uint32_t id)
{
	return tb_ring_kind(b, CTRACE_RING_KERNEL, id);
}

/* User ring @cpu of ring set @set. */
static inline struct tb_ring *tb_uring(struct tb *b, uint32_t set, uint32_t cpu)
{
	return tb_ring_kind(b, CTRACE_RING_USER, set << 16 | cpu);
}

/* A comm as the kernel stores it: NUL-padded, not NUL-terminated at 16. */
static inline void tb_comm(char dst[CTRACE_COMM_LEN], const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, CTRACE_COMM_LEN);
	memcpy(dst, src, n < CTRACE_COMM_LEN ? n : CTRACE_COMM_LEN);
}

/* Raw bytes into the pending chunk: no bookkeeping at all. */
static inline void tb_raw(struct tb_ring *r, const void *p, size_t len)
{
	if (r->len + len > r->cap) {
		size_t cap = (r->len + len) * 2 + 256;

		r->buf = realloc(r->buf, cap);
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, len);
	r->len += len;
}

static inline void tb_log(struct tb *b, struct tb_ring *r, uint16_t type,
			  uint16_t aux, uint64_t ts, uint64_t seq, size_t size)
{
	if (b->nr_evs == b->evs_cap) {
		b->evs_cap = b->evs_cap * 2 + 64;
		b->evs = realloc(b->evs, b->evs_cap * sizeof(*b->evs));
	}
	b->evs[b->nr_evs++] = (struct tb_ev){
		.ring = r->ring, .kind = r->kind, .type = type, .aux = aux,
		.ts = ts, .seq = seq, .rec_pos = r->len, .size = size,
	};
}

/*
 * Append a record: @rec is the whole record, its header's type, size and
 * aux filled in; ts_lo is set here.  Emits a TIME record first when the
 * ring's high 32 bits change (or on the ring's first record).
 */
static inline void tb_rec(struct tb *b, struct tb_ring *r, uint64_t ts,
			  void *rec, size_t size)
{
	struct ctrace_krec *h = rec;

	if (!r->started || (ts >> 32) != (r->ts >> 32)) {
		struct ctrace_krec_time t = {
			.h = { CTRACE_KREC_TIME, sizeof(t) / 8, 0, (uint32_t)ts },
			.ts = ts,
		};

		tb_raw(r, &t, sizeof(t));
		r->started = true;
	}
	r->ts = ts;
	h->ts_lo = (uint32_t)ts;
	h->size = size / 8;
	if (h->type == CTRACE_KREC_LOST) {
		uint64_t count = ((struct ctrace_krec_lost *)rec)->count;

		tb_log(b, r, h->type, h->aux, ts, r->seq, size);
		r->seq += count;
		r->lost += count;
		r->total_lost += count;
	} else if (h->type != CTRACE_KREC_PAD && h->type != CTRACE_KREC_TIME) {
		tb_log(b, r, h->type, h->aux, ts, r->seq, size);
		r->seq++;
		r->events++;
		r->total_events++;
	}
	tb_raw(r, rec, size);
}

static inline void tb_switch(struct tb *b, uint32_t ring, uint64_t ts,
			     uint32_t prev, uint32_t next, uint16_t aux)
{
	struct ctrace_krec_switch k = {
		.h = { .type = CTRACE_KREC_SWITCH, .aux = aux },
		.prev_tid = prev, .next_tid = next,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_wakeup(struct tb *b, uint32_t ring, uint64_t ts,
			     uint32_t tid, uint32_t waker, uint16_t aux)
{
	struct ctrace_krec_wakeup k = {
		.h = { .type = CTRACE_KREC_WAKEUP, .aux = aux },
		.tid = tid, .waker_tid = waker,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_fork(struct tb *b, uint32_t ring, uint64_t ts,
			   uint32_t parent, uint32_t child, uint32_t tgid,
			   const char *comm, uint16_t aux)
{
	struct ctrace_krec_fork k = {
		.h = { .type = CTRACE_KREC_FORK, .aux = aux },
		.parent_tid = parent, .child_tid = child, .child_tgid = tgid,
	};

	tb_comm(k.comm, comm);
	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_exec(struct tb *b, uint32_t ring, uint64_t ts,
			   uint32_t tid, uint32_t old_tid, const char *comm,
			   const char *filename)
{
	unsigned char rec[sizeof(struct ctrace_krec_exec) + CTRACE_EXEC_FILENAME_MAX + 8];
	struct ctrace_krec_exec k = {
		.h = { .type = CTRACE_KREC_EXEC },
		.tid = tid, .old_tid = old_tid,
	};
	size_t n = strlen(filename) + 1, size = sizeof(k) + (n + 7) / 8 * 8;

	tb_comm(k.comm, comm);
	memset(rec, 0, sizeof(rec));
	memcpy(rec, &k, sizeof(k));
	memcpy(rec + sizeof(k), filename, n);
	tb_rec(b, tb_ring(b, ring), ts, rec, size);
}

static inline void tb_exit(struct tb *b, uint32_t ring, uint64_t ts,
			   uint32_t tid, uint32_t tgid, uint16_t aux)
{
	struct ctrace_krec_exit k = {
		.h = { .type = CTRACE_KREC_EXIT, .aux = aux },
		.tid = tid, .tgid = tgid,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_rename(struct tb *b, uint32_t ring, uint64_t ts,
			     uint32_t tid, uint32_t tgid, const char *comm)
{
	struct ctrace_krec_rename k = {
		.h = { .type = CTRACE_KREC_RENAME },
		.tid = tid, .tgid = tgid,
	};

	tb_comm(k.comm, comm);
	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_migrate(struct tb *b, uint32_t ring, uint64_t ts,
			      uint32_t tid, uint32_t orig, uint16_t dest)
{
	struct ctrace_krec_migrate k = {
		.h = { .type = CTRACE_KREC_MIGRATE, .aux = dest },
		.tid = tid, .orig_cpu = orig,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_thread(struct tb *b, uint32_t ring, uint64_t ts,
			     uint32_t tid, uint32_t tgid, uint32_t cpu,
			     uint16_t state, uint32_t flags, const char *comm)
{
	struct ctrace_krec_thread k = {
		.h = { .type = CTRACE_KREC_THREAD, .aux = state },
		.tid = tid, .tgid = tgid, .cpu = cpu, .flags = flags,
	};

	tb_comm(k.comm, comm);
	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_sys_enter(struct tb *b, uint32_t ring, uint64_t ts,
				uint32_t tid, uint16_t nr)
{
	struct ctrace_krec_syscall_enter k = {
		.h = { .type = CTRACE_KREC_SYSCALL_ENTER, .aux = nr },
		.tid = tid,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_sys_exit(struct tb *b, uint32_t ring, uint64_t ts,
			       uint32_t tid, uint16_t nr, int64_t ret)
{
	struct ctrace_krec_syscall_exit k = {
		.h = { .type = CTRACE_KREC_SYSCALL_EXIT, .aux = nr },
		.tid = tid, .ret = ret,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_clock(struct tb *b, uint32_t ring, uint64_t ts,
			    uint64_t mono, uint64_t real, uint16_t why)
{
	struct ctrace_krec_clock k = {
		.h = { .type = CTRACE_KREC_CLOCK, .aux = why },
		.counter = ts, .mono = mono, .boot = mono + 1000, .real = real,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

static inline void tb_lost(struct tb *b, uint32_t ring, uint64_t ts,
			   uint64_t count)
{
	struct ctrace_krec_lost k = {
		.h = { .type = CTRACE_KREC_LOST },
		.count = count,
	};

	tb_rec(b, tb_ring(b, ring), ts, &k, sizeof(k));
}

/* A CLOCK record in the dumper's ring (user-only mode). */
static inline void tb_dumper_clock(struct tb *b, uint64_t ts, uint64_t mono,
				   uint64_t real, uint16_t why)
{
	struct ctrace_krec_clock k = {
		.h = { .type = CTRACE_KREC_CLOCK, .aux = why },
		.counter = ts, .mono = mono, .boot = mono + 1000, .real = real,
	};

	tb_rec(b, tb_ring_kind(b, CTRACE_RING_DUMPER, 0), ts, &k, sizeof(k));
}

/* ------------------------------------------------------------ user rings */

static inline void tb_uset(struct tb *b, uint32_t index, uint32_t uid,
			   uint32_t nr_rings)
{
	struct ctrace_uset_chunk u = {
		.index = index, .uid = uid, .nr_rings = nr_rings,
		.flags = CTRACE_USET_F_RSEQ, .data_size = 65536,
	};

	b->failed |= ctrace_writer_uset(b->w, &u) != 0;
}

/* A STRINGS chunk: @n strings @strs with IDs @ids, for ring set @set. */
static inline void tb_strings(struct tb *b, uint32_t set, int n,
			      const uint32_t *ids, const char *const *strs)
{
	unsigned char buf[16384];
	size_t len = 0;

	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < n; i++) {
		struct ctrace_ustring e = { .id = ids[i], .len = strlen(strs[i]) };

		if (len + sizeof(e) + e.len + 8 > sizeof(buf)) {
			b->failed = 1;
			return;
		}
		memcpy(buf + len, &e, sizeof(e));
		memcpy(buf + len + sizeof(e), strs[i], e.len);
		len += sizeof(e) + (e.len + 1 + 7) / 8 * 8;
	}
	b->failed |= ctrace_writer_strings(b->w, set, n, buf, len) != 0;
}

/*
 * Append a user record: header from the arguments, then @plen bytes of
 * @payload, zero-padded to 8.  LOST (@payload: the delta, as in files)
 * takes that many sequence numbers; everything else one.
 */
static inline void tb_urec(struct tb *b, uint32_t set, uint32_t cpu,
			   uint64_t ts, uint32_t tid, uint8_t type, uint16_t id,
			   const void *payload, size_t plen)
{
	struct tb_ring *r = tb_uring(b, set, cpu);
	unsigned char rec[2048];
	struct ctrace_urec h = {
		.ts = ts, .tid = tid, .type = type, .id = id,
		.size = (sizeof(h) + plen + 7) / 8,
	};
	size_t size = h.size * 8u;
	uint64_t raised = ts > r->ts || !r->started ? ts : r->ts;

	if (size > sizeof(rec)) {
		b->failed = 1;
		return;
	}
	memset(rec, 0, sizeof(rec));
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), payload, plen);
	r->started = true;
	r->ts = raised;
	tb_log(b, r, type, id, raised, r->seq, size);
	if (type == CTRACE_UREC_LOST) {
		uint64_t count;

		memcpy(&count, payload, sizeof(count));
		r->seq += count;
		r->lost += count;
		r->total_lost += count;
	} else {
		r->seq++;
		r->events++;
		r->total_events++;
	}
	tb_raw(r, rec, size);
}

static inline void tb_uthread(struct tb *b, uint32_t set, uint32_t cpu,
			      uint64_t ts, uint32_t tid, uint32_t tgid,
			      const char *name)
{
	struct { uint32_t tgid, reserved; char name[CTRACE_COMM_LEN]; } k = {
		.tgid = tgid,
	};

	tb_comm(k.name, name);
	tb_urec(b, set, cpu, ts, tid, CTRACE_UREC_THREAD, 0, &k, sizeof(k));
}

/* REGION_BEGIN/END, INSTANT: @task only when @has_task. */
static inline void tb_uregion(struct tb *b, uint32_t set, uint32_t cpu,
			      uint64_t ts, uint32_t tid, uint8_t type,
			      uint16_t name, bool has_task, uint64_t task)
{
	tb_urec(b, set, cpu, ts, tid, type, name, &task, has_task ? 8 : 0);
}

static inline void tb_utask_begin(struct tb *b, uint32_t set, uint32_t cpu,
				  uint64_t ts, uint32_t tid, uint16_t name,
				  uint64_t task, uint64_t parent)
{
	uint64_t k[2] = { task, parent };

	tb_urec(b, set, cpu, ts, tid, CTRACE_UREC_TASK_BEGIN, name, k, sizeof(k));
}

/* TASK_END, FLOW_BEGIN/END, COUNTER, LOST: one u64. */
static inline void tb_u64(struct tb *b, uint32_t set, uint32_t cpu,
			  uint64_t ts, uint32_t tid, uint8_t type, uint16_t id,
			  uint64_t v)
{
	tb_urec(b, set, cpu, ts, tid, type, id, &v, sizeof(v));
}

static inline void tb_ucounter_f(struct tb *b, uint32_t set, uint32_t cpu,
				 uint64_t ts, uint32_t tid, uint16_t name,
				 double v)
{
	tb_urec(b, set, cpu, ts, tid, CTRACE_UREC_COUNTER_F, name, &v, sizeof(v));
}

/* LOG: an inline message when @msg_id is 0, else none. */
static inline void tb_ulog(struct tb *b, uint32_t set, uint32_t cpu,
			   uint64_t ts, uint32_t tid, uint16_t category,
			   uint64_t task, uint32_t msg_id, const void *msg,
			   uint32_t len)
{
	unsigned char p[2048];
	uint32_t hdr[2] = { msg_id, msg_id ? 0 : len };

	if (16 + len > sizeof(p)) {
		b->failed = 1;
		return;
	}
	memcpy(p, &task, 8);
	memcpy(p + 8, hdr, 8);
	if (!msg_id)
		memcpy(p + 16, msg, len);
	tb_urec(b, set, cpu, ts, tid, CTRACE_UREC_LOG, category, p,
		16 + (msg_id ? 0 : len));
}

static inline void tb_ucorrupt(struct tb *b, uint32_t set, uint32_t cpu,
			       uint64_t ts, uint32_t bytes, uint16_t reason,
			       uint16_t records)
{
	struct { uint32_t bytes; uint16_t reason, records; } k = {
		bytes, reason, records,
	};

	tb_urec(b, set, cpu, ts, 0, CTRACE_FREC_CORRUPT, 0, &k, sizeof(k));
}

/* A PAD record of @bytes (a multiple of 8), as at the end of a ring. */
static inline void tb_pad(struct tb *b, uint32_t ring, size_t bytes)
{
	unsigned char rec[2048] = { 0 };
	struct ctrace_krec h = { CTRACE_KREC_PAD, bytes / 8, 0, 0 };

	memcpy(rec, &h, sizeof(h));
	tb_raw(tb_ring(b, ring), rec, bytes);
}

/* The pending records of @ring as one RING chunk (possibly empty). */
static inline void tb_flush_ring(struct tb *b, struct tb_ring *r)
{
	struct ctrace_ring_chunk hdr = {
		.ring = r->ring,
		.kind = r->kind,
		.seq_first = r->chunk_seq,
		/* User records carry full timestamps: no base. */
		.ts_base = r->kind == CTRACE_RING_USER ? 0 : r->chunk_ts,
		.pos = r->pos,
		.events = r->events,
		.lost = r->lost,
	};
	uint64_t base = ctrace_writer_bytes(b->w) +
			sizeof(struct ctrace_chunk_header) + sizeof(hdr);

	b->failed |= ctrace_writer_ring(b->w, &hdr, r->buf, r->len) != 0;
	for (size_t i = 0; i < b->nr_evs; i++) {
		if (b->evs[i].ring != r->ring || b->evs[i].kind != r->kind ||
		    b->evs[i].chunk_end)
			continue;
		b->evs[i].rec_pos += base;
		b->evs[i].chunk_end = ctrace_writer_bytes(b->w);
	}
	r->pos += r->len;
	r->len = 0;
	r->chunk_seq = r->seq;
	r->chunk_ts = r->ts;
	r->events = 0;
	r->lost = 0;
}

static inline void tb_flush(struct tb *b, uint32_t ring)
{
	tb_flush_ring(b, tb_ring(b, ring));
}

static inline void tb_flush_all(struct tb *b)
{
	for (int i = 0; i < b->nr_rings; i++)
		if (b->rings[i].len)
			tb_flush_ring(b, &b->rings[i]);
}

/* STATS as a correct producer and dumper would report them. */
static inline void tb_stats(struct tb *b)
{
	struct ctrace_ring_stats s[TB_MAX_RINGS];

	memset(s, 0, sizeof(s));
	for (int i = 0; i < b->nr_rings; i++) {
		s[i].ring = b->rings[i].ring;
		s[i].kind = b->rings[i].kind;
		s[i].events = s[i].events_read = b->rings[i].total_events;
		s[i].lost = s[i].lost_read = b->rings[i].total_lost;
		s[i].bytes = b->rings[i].pos;
	}
	b->failed |= ctrace_writer_stats(b->w, s, b->nr_rings) != 0;
}

static inline void tb_end(struct tb *b)
{
	b->failed |= ctrace_writer_end(b->w) != 0;
}

/* The file's bytes (malloc'd, *len set); frees the writer and the memfd. */
static inline unsigned char *tb_finish(struct tb *b, size_t *len)
{
	uint64_t n = ctrace_writer_bytes(b->w);
	unsigned char *p = malloc(n ? n : 1);

	if (p && pread(b->fd, p, n, 0) != (ssize_t)n) {
		free(p);
		p = NULL;
	}
	*len = n;
	ctrace_writer_free(b->w);
	close(b->fd);
	for (int i = 0; i < b->nr_rings; i++)
		free(b->rings[i].buf);
	if (b->failed) {
		free(p);
		p = NULL;
	}
	return p;
}

static inline int tb_ev_cmp(const void *a, const void *b)
{
	const struct tb_ev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* The reader's tie-break: rings sorted by kind, then number. */
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->ring != y->ring)
		return x->ring < y->ring ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The logged events in the order the cursor must return them. */
static inline void tb_sort_evs(struct tb *b)
{
	qsort(b->evs, b->nr_evs, sizeof(*b->evs), tb_ev_cmp);
}

/* Renumber every chunk and recompute its CRC (after a test patched or
 * spliced the file). */
static inline void tb_fix_chunks(unsigned char *p, size_t len)
{
	uint64_t off = sizeof(struct ctrace_file_header), seq = 0;

	while (off + sizeof(struct ctrace_chunk_header) <= len) {
		struct ctrace_chunk_header h;

		memcpy(&h, p + off, sizeof(h));
		if (h.size > len - off - sizeof(h))
			break;
		h.seq = seq++;
		h.crc = 0;
		h.crc = ctrace_crc32c(ctrace_crc32c(0, &h, sizeof(h)),
				      p + off + sizeof(h), h.size);
		memcpy(p + off, &h, sizeof(h));
		off += sizeof(h) + h.size;
	}
}

static inline void tb_free(struct tb *b)
{
	free(b->evs);
	b->evs = NULL;
}

#endif
