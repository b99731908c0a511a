// SPDX-License-Identifier: LGPL-2.1
/*
 * Reading trace files: open, index, merge.
 *
 * Opening checks the file header, then every chunk in file order: magic,
 * size, that the file holds all of it, CRC, sequence number, and for a RING
 * chunk that its records walk cleanly (ctrace_krec_walk, the rules the
 * dumper used; ctrace_urec_walk for user rings, whose string IDs must be
 * defined by the STRINGS chunks before) to exactly the events and lost
 * counts its header claims.  USET chunks describe ring sets before any of
 * their rings' chunks; STRINGS chunks give each set's strings, which are
 * used in place.
 * The first chunk that fails stops indexing; everything before it decodes
 * and ctrace_trace_problem() says where and why.  Nothing is trusted before
 * it is checked, every length is compared against what is left of the
 * buffer before it is used, and records are copied out with memcpy()
 * because a caller's buffer need not be aligned.
 *
 * The cursor merges rings without materialising events: each ring has a
 * position (chunk, byte) and one decoded "head" event; a binary heap of
 * rings ordered by (head ts, ring index) yields the next event.  Memory is
 * O(rings + threads).  A user record stamped before its ring's previous
 * one (a program reads the clock, then commits; another thread commits in
 * between) is raised to that one, so every ring's heads come in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "internal.h"

#define HDR_SIZE	sizeof(struct ctrace_file_header)
#define CHDR_SIZE	sizeof(struct ctrace_chunk_header)

/* ------------------------------------------------------------- progress */

static ctrace_progress_fn *progress_fn;
static void *progress_arg;
static uint64_t progress_passes;

void ctrace_set_progress(ctrace_progress_fn *fn, void *arg)
{
	progress_fn = fn;
	progress_arg = arg;
}

/*
 * One pass's progress.  @next is UINT64_MAX when nobody listens, so the
 * readers' only cost is `done += size; if (done >= next)`.  The hook is
 * taken when the pass starts and kept to its end.
 */
struct pass {
	uint64_t done, next, step;
	struct ctrace_progress p;
	ctrace_progress_fn *fn;
	void *arg;
	bool called;
};

static void pass_start(struct pass *ps, enum ctrace_progress_phase phase,
		       uint64_t total, const char *path)
{
	*ps = (struct pass){ .next = UINT64_MAX };
	if (!progress_fn || !total)
		return;
	ps->fn = progress_fn;
	ps->arg = progress_arg;
	ps->step = total / CTRACE_PROGRESS_STEPS ? total / CTRACE_PROGRESS_STEPS : 1;
	ps->next = ps->step;
	ps->p = (struct ctrace_progress){
		.phase = phase, .pass = ++progress_passes, .total = total, .path = path,
	};
}

/* Out of line: the common path only compares. */
static void __attribute__((noinline)) pass_tick(struct pass *ps)
{
	ps->p.done = ps->done < ps->p.total ? ps->done : ps->p.total;
	ps->fn(&ps->p, ps->arg);
	ps->called = true;
	ps->next = ps->done + ps->step;
}

static void pass_end(struct pass *ps)
{
	if (ps->called) {
		ps->p.done = ps->p.total;
		ps->p.end = true;
		ps->fn(&ps->p, ps->arg);
	}
	ps->called = false;
	ps->next = UINT64_MAX;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void set_problem(struct ctrace_trace *t, enum ctrace_problem kind,
			const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_problem(struct ctrace_trace *t, enum ctrace_problem kind,
			const char *fmt, ...)
{
	va_list ap;

	t->problem_kind = kind;
	va_start(ap, fmt);
	vsnprintf(t->problem, sizeof(t->problem), fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- index */

static struct ctrace_ring *get_ring(struct ctrace_trace *t, uint16_t kind,
				    uint32_t id)
{
	uint64_t key = ctrace_ring_key(kind, id);
	uint32_t i = ctrace_map_get(&t->ring_map, key);
	struct ctrace_ring *r;

	if (i != CTRACE_MAP_NONE)
		return &t->rings[i];
	/* Never reached for a real file; keeps the map's values in range. */
	if (t->nr_rings >= CTRACE_MAP_NONE - 1)
		return NULL;
	if (t->nr_rings == t->rings_cap) {
		size_t cap = t->rings_cap ? t->rings_cap * 2 : 8;
		void *p = realloc(t->rings, cap * sizeof(*t->rings));

		if (!p)
			return NULL;
		t->rings = p;
		t->rings_cap = cap;
	}
	if (ctrace_map_put(&t->ring_map, key, t->nr_rings))
		return NULL;
	r = &t->rings[t->nr_rings++];
	memset(r, 0, sizeof(*r));
	r->info.ring = id;
	r->info.kind = kind;
	return r;
}

static struct ctrace_ring *find_ring(struct ctrace_trace *t, uint16_t kind,
				     uint32_t id)
{
	uint32_t i = ctrace_map_get(&t->ring_map, ctrace_ring_key(kind, id));

	return i == CTRACE_MAP_NONE ? NULL : &t->rings[i];
}

void ctrace_ring_label(uint16_t kind, uint32_t ring, char *buf, size_t len)
{
	switch (kind) {
	case CTRACE_RING_KERNEL:
		snprintf(buf, len, "ring %u", ring);
		break;
	case CTRACE_RING_USER:
		snprintf(buf, len, "user ring %u:%u", ctrace_uring_set(ring),
			 ctrace_uring_cpu(ring));
		break;
	case CTRACE_RING_DUMPER:
		snprintf(buf, len, "dumper ring");
		break;
	default:
		snprintf(buf, len, "ring %u (kind %u)", ring, kind);
		break;
	}
}

static int parse_meta(struct ctrace_trace *t, const unsigned char *p,
		      size_t len)
{
	const unsigned char *nul = memchr(p, '\0', len);
	size_t n = nul ? (size_t)(nul - p) : len;
	char *m;

	/* Text up to the NUL padding; one string per line. */
	m = realloc(t->meta, t->meta_len + n + 1);
	if (!m)
		return -ENOMEM;
	t->meta = m;
	for (size_t i = 0; i < n; i++)
		m[t->meta_len + i] = p[i] == '\n' ? '\0' : (char)p[i];
	m[t->meta_len + n] = '\0';
	t->meta_len += n + 1;
	return 0;
}

const char *ctrace_trace_meta_next(const struct ctrace_trace *t, const char *line)
{
	const char *end;

	if (!t->meta)
		return NULL;
	end = t->meta + t->meta_len;
	line = line ? line + strlen(line) + 1 : t->meta;
	while (line && line < end) {
		/* Lenient: lines without '=' or with an empty key are skipped. */
		const char *eq = strchr(line, '=');

		if (eq && eq != line)
			return line;
		line += strlen(line) + 1;
	}
	return NULL;
}

const char *ctrace_trace_meta(const struct ctrace_trace *t, const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;

	/* A key given twice (in a later META chunk): the last one wins. */
	for (const char *l = ctrace_trace_meta_next(t, NULL); l;
	     l = ctrace_trace_meta_next(t, l))
		if (!strncmp(l, key, klen) && l[klen] == '=')
			found = l + klen + 1;
	return found;
}

static int add_snap(struct ctrace_trace *t, const struct ctrace_krec_clock *k)
{
	if (t->nr_snaps == t->snaps_cap) {
		size_t cap = t->snaps_cap ? t->snaps_cap * 2 : 16;
		void *p = realloc(t->snaps, cap * sizeof(*t->snaps));

		if (!p)
			return -ENOMEM;
		t->snaps = p;
		t->snaps_cap = cap;
	}
	t->snaps[t->nr_snaps++] = (struct ctrace_clock_snap){
		.counter = k->counter, .mono = k->mono,
		.boot = k->boot, .real = k->real,
	};
	return 0;
}

static int counts_differ(struct ctrace_trace *t, uint64_t off, uint64_t index,
			 const struct ctrace_ring_chunk *rc, uint64_t events,
			 uint64_t lost)
{
	char label[48];

	if (events == rc->events && lost == rc->lost)
		return 0;
	ctrace_ring_label(rc->kind, rc->ring, label, sizeof(label));
	set_problem(t, CTRACE_PROBLEM_CORRUPT,
		    "offset %" PRIu64 ": chunk %" PRIu64 " (%s) claims %" PRIu64 " events and %" PRIu64 " lost, its records hold %" PRIu64 " and %" PRIu64,
		    off, index, label, rc->events, rc->lost, events, lost);
	return 1;
}

/* Room for one more chunk reference in @r. */
static int chunk_room(struct ctrace_ring *r)
{
	size_t cap;
	void *np;

	if (r->info.chunks < r->cap)
		return 0;
	cap = r->cap ? r->cap * 2 : 8;
	np = realloc(r->chunks, cap * sizeof(*r->chunks));
	if (!np)
		return -ENOMEM;
	r->chunks = np;
	r->cap = cap;
	return 0;
}

const struct ctrace_uset_ref *ctrace_uset_find(const struct ctrace_trace *t,
					       uint32_t index, size_t *pos)
{
	uint32_t i = ctrace_map_get(&t->uset_map, index);

	if (i == CTRACE_MAP_NONE)
		return NULL;
	if (pos)
		*pos = i;
	return &t->usets[i];
}

static uint64_t str_key(uint32_t uset, uint32_t id)
{
	return (uint64_t)uset << 16 | id;
}

const char *ctrace_trace_string(const struct ctrace_trace *t, uint32_t uset,
				uint32_t id)
{
	uint32_t i;

	if (id == 0 || id > UINT16_MAX)
		return NULL;
	i = ctrace_map_get(&t->str_map, str_key(uset, id));
	return i == CTRACE_MAP_NONE ? NULL : (const char *)t->data + t->strs[i].off;
}

struct str_ctx {
	const uint8_t *known;	/* the ring set's bitmap of IDs */
};

static bool str_known(const void *ctx, uint32_t id)
{
	const struct str_ctx *c = ctx;

	return c->known && id < 65536 && (c->known[id / 8] >> (id % 8) & 1);
}

static const char *const reason_text[] = {
	[CTRACE_CORRUPT_HEADER] = "size below 16 bytes or past the chunk",
	[CTRACE_CORRUPT_TYPE] = "a type or size no user record has",
	[CTRACE_CORRUPT_STRING] = "a string ID no STRINGS chunk defined",
	[CTRACE_CORRUPT_PAYLOAD] = "a payload that does not fit its type",
};

/* A USER RING chunk: its ring set described, its records strictly good. */
static int index_user(struct ctrace_trace *t, uint64_t off, uint64_t index,
		      const struct ctrace_ring_chunk *rc,
		      const unsigned char *recs, uint64_t len)
{
	uint32_t set = ctrace_uring_set(rc->ring), cpu = ctrace_uring_cpu(rc->ring);
	const struct ctrace_uset_ref *u = ctrace_uset_find(t, set, NULL);
	uint64_t rec_off = off + CHDR_SIZE + sizeof(*rc);
	struct str_ctx sctx = { u ? u->known : NULL };
	struct ctrace_urec_walk w = { 0 };
	struct ctrace_chunk_ref *ref;
	struct ctrace_ring *r;
	char label[48];
	size_t bad;

	ctrace_ring_label(rc->kind, rc->ring, label, sizeof(label));
	if (!u) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " (%s): ring set %u was not described by a USET chunk before",
			    off, index, label, set);
		return -EBADMSG;
	}
	if (cpu >= u->u.nr_rings) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " (%s): ring set %u has %u rings",
			    off, index, label, set, u->u.nr_rings);
		return -EBADMSG;
	}
	if (rc->ts_base) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " (%s): ts_base %" PRIu64 " (unused in user rings: 0)",
			    off, index, label, rc->ts_base);
		return -EBADMSG;
	}
	r = find_ring(t, CTRACE_RING_USER, rc->ring);
	/* Raising continues across a ring's chunks, as the cursor does. */
	w.ts = r ? r->user_ts : 0;
	if (ctrace_urec_walk(&w, recs, len, str_known, &sctx, &bad)) {
		struct ctrace_urec h = { 0 };

		if (len - bad >= sizeof(h))
			memcpy(&h, recs + bad, sizeof(h));
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " (%s): bad user record (type %u, size %u, %" PRIu64 " bytes left in the chunk): %s",
			    rec_off + bad, index, label, h.type, h.size * 8u,
			    (uint64_t)(len - bad),
			    w.reason < sizeof(reason_text) / sizeof(reason_text[0]) &&
			    reason_text[w.reason] ? reason_text[w.reason] : "?");
		return -EBADMSG;
	}
	if (counts_differ(t, off, index, rc, w.events, w.lost))
		return -EBADMSG;

	r = get_ring(t, CTRACE_RING_USER, rc->ring);
	if (!r || chunk_room(r))
		return -ENOMEM;
	ref = &r->chunks[r->info.chunks++];
	*ref = (struct ctrace_chunk_ref){
		.chunk_off = off,
		.rec_off = rec_off,
		.rec_len = len,
		.index = index,
		.seq_first = rc->seq_first,
		.ts_last = w.ts,
		.events = rc->events,
		.lost = rc->lost,
	};
	r->user_ts = w.ts;
	r->info.events += w.events;
	r->info.lost += w.lost;
	r->info.corrupt += w.corrupt;
	r->info.corrupt_bytes += w.corrupt_bytes;
	r->info.raised += w.raised;
	r->info.records += w.events + w.lost_records;
	return 0;
}

static int index_uset(struct ctrace_trace *t, uint64_t off, uint64_t index,
		      const unsigned char *p, uint64_t size)
{
	const struct ctrace_uset_ref *prev;
	struct ctrace_uset_chunk u;

	if (size != sizeof(u)) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": USET payload of %" PRIu64 " bytes, expected %zu",
			    off, index, size, sizeof(u));
		return -EBADMSG;
	}
	memcpy(&u, p, sizeof(u));
	if (u.reserved || u.index > UINT16_MAX || !u.nr_rings ||
	    u.nr_rings > UINT16_MAX + 1u) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": USET %u with %u rings (index up to 65535, 1 to 65536 rings, reserved 0)",
			    off, index, u.index, u.nr_rings);
		return -EBADMSG;
	}
	if ((prev = ctrace_uset_find(t, u.index, NULL))) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": USET %u described again (first at offset %" PRIu64 ")",
			    off, index, u.index, prev->chunk_off);
		return -EBADMSG;
	}
	if (t->nr_usets == t->usets_cap) {
		size_t cap = t->usets_cap ? t->usets_cap * 2 : 4;
		void *np = realloc(t->usets, cap * sizeof(*t->usets));

		if (!np)
			return -ENOMEM;
		t->usets = np;
		t->usets_cap = cap;
	}
	if (ctrace_map_put(&t->uset_map, u.index, t->nr_usets))
		return -ENOMEM;
	t->usets[t->nr_usets++] = (struct ctrace_uset_ref){
		.u = u, .chunk_off = off,
	};
	return 0;
}

/*
 * STRINGS: struct ctrace_strings_chunk, then entries (struct
 * ctrace_ustring, the bytes, a NUL, padding to 8) filling the payload.
 * Checked whole before any entry is added, so a bad chunk defines nothing.
 */
static int index_strings(struct ctrace_trace *t, uint64_t off, uint64_t index,
			 const unsigned char *p, uint64_t size)
{
	uint8_t seen[65536 / 8] = { 0 };	/* IDs of this chunk */
	struct ctrace_strings_chunk sc;
	uint64_t pos, n = 0;
	size_t upos;

	if (size < sizeof(sc)) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": STRINGS payload of %" PRIu64 " bytes is too short",
			    off, index, size);
		return -EBADMSG;
	}
	memcpy(&sc, p, sizeof(sc));
	if (!ctrace_uset_find(t, sc.uset, &upos)) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": STRINGS of ring set %u, which no USET chunk described before",
			    off, index, sc.uset);
		return -EBADMSG;
	}
	for (pos = sizeof(sc); pos < size; n++) {
		uint64_t eoff = off + CHDR_SIZE + pos, bytes;
		struct ctrace_ustring e;
		uint32_t i;

		/* size and pos are multiples of 8: a header fits. */
		memcpy(&e, p + pos, sizeof(e));
		bytes = sizeof(e) + ((uint64_t)e.len + 1 + 7) / 8 * 8;
		if (!e.id || e.id > UINT16_MAX || e.reserved ||
		    e.len > CTRACE_USTRING_MAX || bytes > size - pos ||
		    p[pos + sizeof(e) + e.len]) {
			set_problem(t, CTRACE_PROBLEM_CORRUPT,
				    "offset %" PRIu64 ": chunk %" PRIu64 ": STRINGS of ring set %u: bad entry (id %u, length %u, %" PRIu64 " bytes left)",
				    eoff, index, sc.uset, e.id, e.len, size - pos);
			return -EBADMSG;
		}
		i = ctrace_map_get(&t->str_map, str_key(sc.uset, e.id));
		if (i != CTRACE_MAP_NONE || (seen[e.id / 8] >> (e.id % 8) & 1)) {
			set_problem(t, CTRACE_PROBLEM_CORRUPT,
				    "offset %" PRIu64 ": chunk %" PRIu64 ": STRINGS of ring set %u: string %u defined again",
				    eoff, index, sc.uset, e.id);
			return -EBADMSG;
		}
		seen[e.id / 8] |= 1u << (e.id % 8);
		pos += bytes;
	}
	if (n != sc.count) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": STRINGS of ring set %u claims %u entries, holds %" PRIu64,
			    off, index, sc.uset, sc.count, n);
		return -EBADMSG;
	}

	for (pos = sizeof(sc); pos < size;) {
		struct ctrace_ustring e;

		memcpy(&e, p + pos, sizeof(e));
		if (t->nr_strs == t->strs_cap) {
			size_t cap = t->strs_cap ? t->strs_cap * 2 : 64;
			void *np = realloc(t->strs, cap * sizeof(*t->strs));

			if (!np)
				return -ENOMEM;
			t->strs = np;
			t->strs_cap = cap;
		}
		if (t->nr_strs >= CTRACE_MAP_NONE - 1 ||
		    ctrace_map_put(&t->str_map, str_key(sc.uset, e.id), t->nr_strs))
			return -ENOMEM;
		if (!t->usets[upos].known &&
		    !(t->usets[upos].known = calloc(65536 / 8, 1)))
			return -ENOMEM;
		t->usets[upos].known[e.id / 8] |= 1u << (e.id % 8);
		t->strs[t->nr_strs++] = (struct ctrace_ustr){
			.off = off + CHDR_SIZE + pos + sizeof(e), .len = e.len,
		};
		pos += sizeof(e) + ((uint64_t)e.len + 1 + 7) / 8 * 8;
	}
	t->usets[upos].strings += n;
	return 0;
}

/* A RING chunk at @off whose header, size and CRC are good. */
static int index_ring(struct ctrace_trace *t, uint64_t off, uint64_t index,
		      const unsigned char *p, uint64_t size)
{
	struct ctrace_ring_chunk rc;
	struct ctrace_krec_walk w;
	struct ctrace_chunk_ref *ref;
	struct ctrace_ring *r;
	const unsigned char *recs = p + sizeof(rc);
	uint64_t len, rec_off = off + CHDR_SIZE + sizeof(rc), lost_recs = 0;
	char label[48];
	size_t bad;

	if (size < sizeof(rc)) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": RING payload of %" PRIu64 " bytes is shorter than its %zu-byte header",
			    off, index, size, sizeof(rc));
		return -EBADMSG;
	}
	memcpy(&rc, p, sizeof(rc));
	len = size - sizeof(rc);
	if (rc.flags) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " (ring %u): unknown ring chunk flags 0x%x",
			    off + CHDR_SIZE, index, rc.ring, rc.flags);
		return -EBADMSG;
	}
	if (rc.kind == CTRACE_RING_USER)
		return index_user(t, off, index, &rc, recs, len);
	if (!ctrace_kind_krec(rc.kind)) {
		/* A ring kind from a newer writer: its records are opaque. */
		t->skipped_chunks++;
		return 0;
	}
	if (rc.kind == CTRACE_RING_DUMPER && rc.ring != 0) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": dumper ring %u (the dumper has ring 0 only)",
			    off, index, rc.ring);
		return -EBADMSG;
	}

	w = (struct ctrace_krec_walk){ .ts = rc.ts_base };
	if (ctrace_krec_walk(&w, recs, len, &bad)) {
		struct ctrace_krec h = { 0 };

		if (len - bad >= sizeof(h))
			memcpy(&h, recs + bad, sizeof(h));
		ctrace_ring_label(rc.kind, rc.ring, label, sizeof(label));
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " (%s): bad record (type %u, size %u, %" PRIu64 " bytes left in the chunk)",
			    rec_off + bad, index, label, h.type, h.size * 8u,
			    (uint64_t)(len - bad));
		return -EBADMSG;
	}
	if (counts_differ(t, off, index, &rc, w.events, w.lost))
		return -EBADMSG;

	r = get_ring(t, rc.kind, rc.ring);
	if (!r || chunk_room(r))
		return -ENOMEM;

	/* The walk accepted every record: sizes are known good here. */
	for (uint64_t pos = 0; pos < len;) {
		struct ctrace_krec h;

		memcpy(&h, recs + pos, sizeof(h));
		if (h.type == CTRACE_KREC_CLOCK) {
			struct ctrace_krec_clock k;

			memcpy(&k, recs + pos, sizeof(k));
			if (add_snap(t, &k))
				return -ENOMEM;
		} else if (h.type == CTRACE_KREC_LOST) {
			lost_recs++;
		}
		pos += h.size * 8u;
	}

	ref = &r->chunks[r->info.chunks++];
	*ref = (struct ctrace_chunk_ref){
		.chunk_off = off,
		.rec_off = rec_off,
		.rec_len = len,
		.index = index,
		.seq_first = rc.seq_first,
		.ts_base = rc.ts_base,
		.ts_last = w.ts,
		.events = rc.events,
		.lost = rc.lost,
	};
	r->info.events += rc.events;
	r->info.lost += rc.lost;
	r->info.records += rc.events + lost_recs;
	return 0;
}

static int index_stats(struct ctrace_trace *t, uint64_t off, uint64_t index,
		       const unsigned char *p, uint64_t size)
{
	struct ctrace_stats_chunk sc;

	if (size < sizeof(sc)) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": STATS payload of %" PRIu64 " bytes is too short",
			    off, index, size);
		return -EBADMSG;
	}
	memcpy(&sc, p, sizeof(sc));
	if (sc.reserved ||
	    (size - sizeof(sc)) / sizeof(struct ctrace_ring_stats) != sc.nr_rings ||
	    (size - sizeof(sc)) % sizeof(struct ctrace_ring_stats)) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 ": STATS for %u rings in %" PRIu64 " bytes",
			    off, index, sc.nr_rings, size);
		return -EBADMSG;
	}
	for (uint32_t i = 0; i < sc.nr_rings; i++) {
		struct ctrace_ring_stats rs;
		struct ctrace_ring *r;

		memcpy(&rs, p + sizeof(sc) + i * sizeof(rs), sizeof(rs));
		if (rs.flags) {
			set_problem(t, CTRACE_PROBLEM_CORRUPT,
				    "offset %" PRIu64 ": chunk %" PRIu64 ": STATS of ring %u has unknown flags 0x%x",
				    off + CHDR_SIZE + sizeof(sc) + i * sizeof(rs),
				    index, rs.ring, rs.flags);
			return -EBADMSG;
		}
		r = get_ring(t, rs.kind, rs.ring);
		if (!r)
			return -ENOMEM;
		r->info.has_stats = true;
		r->info.stats = rs;
	}
	t->has_stats = true;
	t->stats_off = off;
	return 0;
}

/*
 * One chunk at @off.  Returns 1 to go on, 0 when indexing ends here (END,
 * or a problem recorded), <0 on allocation failure.
 */
static int index_chunk(struct ctrace_trace *t, uint64_t off, uint64_t *next)
{
	struct ctrace_chunk_header h, zh;
	uint64_t left = t->size - off, index = t->nr_chunks;
	const unsigned char *payload;
	uint32_t crc;
	int err = 0;

	if (left < CHDR_SIZE) {
		set_problem(t, CTRACE_PROBLEM_TRUNCATED,
			    "truncated at offset %" PRIu64 ": chunk %" PRIu64 " needs at least %zu bytes, %" PRIu64 " present; the recording did not end cleanly",
			    off, index, CHDR_SIZE, left);
		return 0;
	}
	memcpy(&h, t->data + off, sizeof(h));
	if (h.magic != CTRACE_CHUNK_MAGIC) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " has a bad magic 0x%08x",
			    off, index, h.magic);
		return 0;
	}
	if (h.size % 8 || h.size > CTRACE_CHUNK_MAX) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " has a bad size %" PRIu64 " (a multiple of 8, at most %u)",
			    off, index, h.size, CTRACE_CHUNK_MAX);
		return 0;
	}
	if (h.size > left - CHDR_SIZE) {
		set_problem(t, CTRACE_PROBLEM_TRUNCATED,
			    "truncated at offset %" PRIu64 ": chunk %" PRIu64 " needs %" PRIu64 " bytes, %" PRIu64 " present; the recording did not end cleanly",
			    off, index, CHDR_SIZE + h.size, left);
		return 0;
	}
	payload = t->data + off + CHDR_SIZE;
	zh = h;
	zh.crc = 0;
	crc = ctrace_crc32c(0, &zh, sizeof(zh));
	crc = ctrace_crc32c(crc, payload, h.size);
	if (crc != h.crc) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " CRC mismatch (stored 0x%08x, computed 0x%08x)",
			    off, index, h.crc, crc);
		return 0;
	}
	if (h.seq != index) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " carries sequence number %" PRIu64 " (a chunk is missing or repeated)",
			    off, index, h.seq);
		return 0;
	}
	if (h.flags || h.reserved) {
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": chunk %" PRIu64 " has reserved fields set (flags 0x%x)",
			    off, index, h.flags);
		return 0;
	}

	switch (h.type) {
	case CTRACE_CHUNK_META:
		err = parse_meta(t, payload, h.size);
		break;
	case CTRACE_CHUNK_RING:
		err = index_ring(t, off, index, payload, h.size);
		break;
	case CTRACE_CHUNK_STATS:
		err = index_stats(t, off, index, payload, h.size);
		break;
	case CTRACE_CHUNK_USET:
		err = index_uset(t, off, index, payload, h.size);
		break;
	case CTRACE_CHUNK_STRINGS:
		err = index_strings(t, off, index, payload, h.size);
		break;
	case CTRACE_CHUNK_END:
		if (h.size) {
			set_problem(t, CTRACE_PROBLEM_CORRUPT,
				    "offset %" PRIu64 ": chunk %" PRIu64 ": END chunk with a %" PRIu64 "-byte payload",
				    off, index, h.size);
			return 0;
		}
		t->complete = true;
		break;
	default:
		/* A chunk type from a newer writer, made to be skipped. */
		t->skipped_chunks++;
		break;
	}
	if (err == -EBADMSG)
		return 0;
	if (err)
		return err;
	t->nr_chunks++;
	*next = off + CHDR_SIZE + h.size;
	return !t->complete;
}

static int cmp_ring(const void *a, const void *b)
{
	const struct ctrace_ring *x = a, *y = b;
	uint64_t kx = ctrace_ring_key(x->info.kind, x->info.ring);
	uint64_t ky = ctrace_ring_key(y->info.kind, y->info.ring);

	return kx < ky ? -1 : kx > ky;
}

static int index_file(struct ctrace_trace *t)
{
	uint64_t off = HDR_SIZE;
	struct pass ps;
	int r;

	pass_start(&ps, CTRACE_PROGRESS_INDEX, t->size, t->path);
	while (off < t->size) {
		r = index_chunk(t, off, &off);
		if (r < 0) {
			pass_end(&ps);
			return r;
		}
		if (r == 0)
			break;
		ps.done = off;
		if (ps.done >= ps.next)
			pass_tick(&ps);
	}
	pass_end(&ps);
	t->data_end = off;
	if (t->complete && off < t->size)
		set_problem(t, CTRACE_PROBLEM_CORRUPT,
			    "offset %" PRIu64 ": %" PRIu64 " bytes after the END chunk",
			    off, (uint64_t)(t->size - off));
	else if (!t->complete && !t->problem_kind)
		set_problem(t, CTRACE_PROBLEM_INCOMPLETE,
			    "no END chunk: the recording did not end cleanly (ctrace-dump killed?); the data stops at offset %" PRIu64 " after %" PRIu64 " chunks",
			    off, t->nr_chunks);

	/* Ring order is the merge's tie-break: sort, then re-key the map. */
	if (t->nr_rings > 1)
		qsort(t->rings, t->nr_rings, sizeof(*t->rings), cmp_ring);
	for (size_t i = 0; i < t->nr_rings; i++)
		if (ctrace_map_put(&t->ring_map, ctrace_ring_key(t->rings[i].info.kind,
								 t->rings[i].info.ring), i))
			return -ENOMEM;
	ctrace_clock_setup(t);
	{
		const char *uo = ctrace_trace_meta(t, "user_only");

		t->user_only = uo && !strcmp(uo, "1");
	}
	return 0;
}

static int check_header(const unsigned char *p, size_t len, char *err,
			size_t errlen)
{
	struct ctrace_file_header fh;
	static const uint8_t zero[sizeof(fh.reserved)];

	if (len >= sizeof(fh.magic) &&
	    memcmp(p, CTRACE_FILE_MAGIC, sizeof(fh.magic))) {
		set_err(err, errlen, "offset 0: not a ctrace trace file (bad magic)");
		return -EBADMSG;
	}
	if (len < sizeof(fh)) {
		set_err(err, errlen,
			"truncated at offset 0: the file header needs %zu bytes, %zu present",
			sizeof(fh), len);
		return -EBADMSG;
	}
	memcpy(&fh, p, sizeof(fh));
	if (fh.version != CTRACE_FILE_VERSION) {
		set_err(err, errlen,
			"offset 8: unsupported trace file version %u (this reader knows version %u)",
			fh.version, CTRACE_FILE_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (fh.header_size != sizeof(fh) ||
	    fh.chunk_header_size != sizeof(struct ctrace_chunk_header)) {
		set_err(err, errlen,
			"offset 12: header sizes %u and %u, expected %zu and %zu",
			fh.header_size, fh.chunk_header_size, sizeof(fh),
			sizeof(struct ctrace_chunk_header));
		return -EBADMSG;
	}
	if (fh.flags || memcmp(fh.reserved, zero, sizeof(zero))) {
		set_err(err, errlen,
			"offset 20: unknown header flags 0x%x or reserved bytes set",
			fh.flags);
		return -EBADMSG;
	}
	return 0;
}

static int open_view(const void *buf, size_t len, const char *name,
		     struct ctrace_trace **tp, char *err, size_t errlen)
{
	struct ctrace_trace *t;
	int r;

	r = check_header(buf, len, err, errlen);
	if (r)
		return r;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->path = strdup(name))) {
		free(t);
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->data = buf;
	t->size = len;
	r = index_file(t);
	if (r) {
		ctrace_trace_close(t);
		set_err(err, errlen, "out of memory indexing the file");
		return r;
	}
	*tp = t;
	return 0;
}

int ctrace_trace_open_buffer(const void *buf, size_t len,
			     struct ctrace_trace **tp, char *err, size_t errlen)
{
	return open_view(buf, len, "<buffer>", tp, err, errlen);
}

/*
 * A stream (a pipe: ctrace-dump -o - | ctrace report -) is read to its
 * end into a memfd, which is then mapped like a file.  It costs the
 * stream's size in memory (shmem: swappable); a stream cut short decodes
 * up to its last whole chunk, as a file does.  Returns the memfd or
 * -errno.
 */
static int stream_to_memfd(int in, char *err, size_t errlen)
{
	static char buf[1 << 16];
	int fd = memfd_create("ctrace-stream", MFD_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		set_err(err, errlen, "memfd_create: %s", strerror(errno));
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, n) != n) {
			int r = -errno;

			set_err(err, errlen, "reading the stream: %s", strerror(errno));
			close(fd);
			return r ? r : -EIO;
		}
	}
	return fd;
}

int ctrace_trace_open(const char *path, struct ctrace_trace **tp,
		      char *err, size_t errlen)
{
	struct stat st;
	void *map;
	int fd, r;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	if (fd < 0) {
		r = -errno;
		set_err(err, errlen, "%s", strerror(errno));
		return r;
	}
	if (fstat(fd, &st)) {
		r = -errno;
		set_err(err, errlen, "%s", strerror(errno));
		close(fd);
		return r;
	}
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode)) {
		int mfd = stream_to_memfd(fd, err, errlen);

		close(fd);
		if (mfd < 0)
			return mfd;
		fd = mfd;
		if (fstat(fd, &st)) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "not a regular file or a stream");
		close(fd);
		return -EINVAL;
	}
	if (st.st_size == 0) {
		/* mmap() refuses length 0; an empty file has no header. */
		close(fd);
		return open_view("", 0, path, tp, err, errlen);
	}
	/*
	 * A private read-only mapping: the file is read in place, a page at a
	 * time.  (A file truncated by someone else while open faults; traces
	 * are written once and then only read.)
	 */
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	r = -errno;
	close(fd);
	if (map == MAP_FAILED) {
		set_err(err, errlen, "mmap: %s", strerror(-r));
		return r;
	}
	r = open_view(map, st.st_size, path, tp, err, errlen);
	if (r) {
		munmap(map, st.st_size);
		return r;
	}
	(*tp)->map = map;
	return 0;
}

void ctrace_trace_close(struct ctrace_trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr_rings; i++)
		free(t->rings[i].chunks);
	free(t->rings);
	ctrace_map_free(&t->ring_map);
	for (size_t i = 0; i < t->nr_usets; i++)
		free(t->usets[i].known);
	free(t->usets);
	ctrace_map_free(&t->uset_map);
	free(t->strs);
	ctrace_map_free(&t->str_map);
	free(t->snaps);
	free(t->meta);
	free(t->path);
	if (t->map)
		munmap(t->map, t->size);
	free(t);
}

bool ctrace_trace_complete(const struct ctrace_trace *t)
{
	return t->complete;
}

const char *ctrace_trace_problem(const struct ctrace_trace *t)
{
	return t->problem_kind ? t->problem : NULL;
}

enum ctrace_problem ctrace_trace_problem_kind(const struct ctrace_trace *t)
{
	return t->problem_kind;
}

const char *ctrace_trace_path(const struct ctrace_trace *t)
{
	return t->path;
}

uint64_t ctrace_trace_stats_offset(const struct ctrace_trace *t)
{
	/* Offset 0 is the file header: never a chunk's. */
	return t->has_stats ? t->stats_off : 0;
}

uint32_t ctrace_trace_clock(const struct ctrace_trace *t)
{
	return t->clock;
}

size_t ctrace_trace_nr_rings(const struct ctrace_trace *t)
{
	return t->nr_rings;
}

const struct ctrace_ring_info *ctrace_trace_ring(const struct ctrace_trace *t,
						 size_t i)
{
	return i < t->nr_rings ? &t->rings[i].info : NULL;
}

size_t ctrace_trace_find_ring(const struct ctrace_trace *t, uint16_t kind,
			      uint32_t ring)
{
	uint32_t i = ctrace_map_get(&t->ring_map, ctrace_ring_key(kind, ring));

	return i == CTRACE_MAP_NONE ? SIZE_MAX : i;
}

bool ctrace_trace_chunk(const struct ctrace_trace *t, size_t i, size_t j,
			struct ctrace_chunk_info *out)
{
	const struct ctrace_chunk_ref *ch;

	if (i >= t->nr_rings || j >= t->rings[i].info.chunks)
		return false;
	ch = &t->rings[i].chunks[j];
	*out = (struct ctrace_chunk_info){
		.offset = ch->chunk_off,
		.index = ch->index,
		.seq_first = ch->seq_first,
		.events = ch->events,
		.lost = ch->lost,
		.ts_base = ch->ts_base,
		.ts_last = ch->ts_last,
	};
	return true;
}

size_t ctrace_trace_nr_usets(const struct ctrace_trace *t)
{
	return t->nr_usets;
}

const struct ctrace_uset_chunk *ctrace_trace_uset(const struct ctrace_trace *t,
						  size_t i)
{
	return i < t->nr_usets ? &t->usets[i].u : NULL;
}

size_t ctrace_trace_find_uset(const struct ctrace_trace *t, uint32_t index)
{
	size_t pos;

	return ctrace_uset_find(t, index, &pos) ? pos : SIZE_MAX;
}

bool ctrace_trace_user_only(const struct ctrace_trace *t)
{
	return t->user_only;
}

uint64_t ctrace_trace_uset_strings(const struct ctrace_trace *t, size_t i)
{
	return i < t->nr_usets ? t->usets[i].strings : 0;
}

void ctrace_trace_index_info(const struct ctrace_trace *t,
			     struct ctrace_index_info *out)
{
	*out = (struct ctrace_index_info){
		.size = t->size, .chunks = t->nr_chunks,
		.skipped_chunks = t->skipped_chunks, .tsc_khz = t->tsc_khz,
		.clock_snaps = t->nr_snaps,
	};
}

/* --------------------------------------------------------------- cursor */

struct cring {
	uint64_t chunk;		/* index in the ring's chunks[] */
	uint64_t pos;		/* byte offset in that chunk's records */
	uint64_t ts;		/* the ring's full timestamp so far */
	uint64_t seq;		/* the next event's sequence number */
	struct ctrace_event head;
};

struct ctrace_cursor {
	struct ctrace_trace *t;
	struct cring *rings;
	uint32_t *heap;		/* ring indices with a head, a min-heap */
	size_t heap_n;
	size_t last_ring;

	struct ctrace_thread *threads;
	size_t nr_threads, threads_cap;
	struct ctrace_map thread_map;	/* tid -> index in threads[] */

	struct pass progress;	/* bytes of the records returned */

	int error;
	char errmsg[256];
};

static bool head_before(const struct ctrace_cursor *c, uint32_t a, uint32_t b)
{
	uint64_t ta = c->rings[a].head.ts, tb = c->rings[b].head.ts;

	/* A ring's own events come out in ring order, so seq never ties. */
	return ta < tb || (ta == tb && a < b);
}

static void heap_down(struct ctrace_cursor *c, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		uint32_t tmp;

		if (l < c->heap_n && head_before(c, c->heap[l], c->heap[m]))
			m = l;
		if (l + 1 < c->heap_n && head_before(c, c->heap[l + 1], c->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		tmp = c->heap[i];
		c->heap[i] = c->heap[m];
		c->heap[m] = tmp;
		i = m;
	}
}

static void heap_up(struct ctrace_cursor *c, size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		uint32_t tmp;

		if (!head_before(c, c->heap[i], c->heap[p]))
			return;
		tmp = c->heap[i];
		c->heap[i] = c->heap[p];
		c->heap[p] = tmp;
		i = p;
	}
}

static int cursor_fail(struct ctrace_cursor *c, uint64_t off,
		       const struct ctrace_ring *r, const char *what)
{
	char label[48];

	ctrace_ring_label(r->info.kind, r->info.ring, label, sizeof(label));
	snprintf(c->errmsg, sizeof(c->errmsg),
		 "offset %" PRIu64 ": %s: %s", off, label, what);
	c->error = -EBADMSG;
	return c->error;
}

/* The user record at @p (@left bytes to the chunk's end) into the head. */
static int user_fill(struct ctrace_cursor *c, const struct ctrace_ring *r,
		     struct cring *cr, const unsigned char *p, uint64_t left,
		     uint64_t off)
{
	const struct ctrace_recdesc *d;
	struct ctrace_urec h;
	uint64_t size, count = 1;

	if (left < sizeof(h))
		return cursor_fail(c, off, r, "partial record");
	memcpy(&h, p, sizeof(h));
	size = h.size * 8u;
	/*
	 * Fully checked when indexed (ctrace_urec_walk).  A mapped file may
	 * change under us since, so what a reader relies on to stay inside
	 * the record is checked again, cheaply: a known type of a size it
	 * can have, a LOG's length inside it.  Not again: string IDs and the
	 * other rules, which only decide what the bytes mean.
	 */
	d = ctrace_urec_desc(h.type);
	if (h.size < 2 || size > left || !d || !ctrace_rd_size_ok(d, size))
		return cursor_fail(c, off, r, "bad record");
	if (h.type == CTRACE_UREC_LOG) {
		struct ctrace_urec_log l;

		memcpy(&l, p, sizeof(l));
		if (l.len > size - sizeof(l))
			return cursor_fail(c, off, r, "bad record");
	}
	if (h.type == CTRACE_UREC_LOST) {
		struct ctrace_urec_lost l;

		memcpy(&l, p, sizeof(l));
		count = l.total;
	}
	/* Ordering: never before the ring's previous event. */
	if (h.ts > cr->ts)
		cr->ts = h.ts;
	cr->pos += size;
	cr->head = (struct ctrace_event){
		.ts = cr->ts,
		.seq = cr->seq,
		.offset = off,
		.ring = r->info.ring,
		.kind = r->info.kind,
		.type = h.type,
		.aux = h.id,
		.size = size,
		.rec = p,
	};
	cr->seq += count;
	return 1;
}

/*
 * Decode ring @ri's next event into its head.  1: there is one; 0: the
 * ring is exhausted; <0: a corrupt record (only if the buffer changed
 * since it was indexed, which the index walk rules out otherwise).
 */
static int ring_fill(struct ctrace_cursor *c, size_t ri)
{
	const struct ctrace_ring *r = &c->t->rings[ri];
	struct cring *cr = &c->rings[ri];

	for (;;) {
		const struct ctrace_chunk_ref *ch;
		struct ctrace_krec_walk w;
		struct ctrace_krec h;
		const unsigned char *p;
		uint64_t size, left, off;

		if (cr->chunk >= r->info.chunks)
			return 0;
		ch = &r->chunks[cr->chunk];
		if (cr->pos >= ch->rec_len) {
			if (++cr->chunk < r->info.chunks) {
				/* Each chunk restarts from its own header... */
				cr->pos = 0;
				cr->seq = r->chunks[cr->chunk].seq_first;
				/* ...but a user ring's raising goes on. */
				if (r->info.kind != CTRACE_RING_USER)
					cr->ts = r->chunks[cr->chunk].ts_base;
			}
			continue;
		}
		left = ch->rec_len - cr->pos;
		off = ch->rec_off + cr->pos;
		p = c->t->data + off;
		if (r->info.kind == CTRACE_RING_USER)
			return user_fill(c, r, cr, p, left, off);
		if (left < sizeof(h))
			return cursor_fail(c, off, r, "partial record");
		memcpy(&h, p, sizeof(h));
		size = h.size * 8u;
		w = (struct ctrace_krec_walk){ .ts = cr->ts };
		if (!size || size > left || ctrace_krec_walk(&w, p, size, NULL))
			return cursor_fail(c, off, r, "bad record");
		cr->ts = w.ts;
		cr->pos += size;
		if (h.type == CTRACE_KREC_PAD || h.type == CTRACE_KREC_TIME)
			continue;

		cr->head = (struct ctrace_event){
			.ts = w.ts,
			.seq = cr->seq,
			.offset = off,
			.ring = r->info.ring,
			.kind = r->info.kind,
			.type = h.type,
			.aux = h.aux,
			.size = size,
			.rec = p,
		};
		/* A LOST record takes the numbers of the events it stands for. */
		cr->seq += h.type == CTRACE_KREC_LOST ? w.lost : 1;
		return 1;
	}
}

static void thread_set(struct ctrace_cursor *c, uint32_t tid, uint32_t tgid,
		       const char comm[CTRACE_COMM_LEN]);

/*
 * The snapshot of a starting session describes the threads alive when it
 * started, but it is written while recording runs: another CPU may switch
 * to one of them before the snapshot record (on the snapshot's CPU) comes
 * in time order.  Name them from the start: the snapshot is in the first
 * chunk of its ring, so that is all this reads.
 */
static void seed_snapshot_names(struct ctrace_cursor *c)
{
	const struct ctrace_trace *t = c->t;

	for (size_t i = 0; i < t->nr_rings; i++) {
		const struct ctrace_ring *r = &t->rings[i];
		const unsigned char *p;
		uint64_t pos = 0;

		if (r->info.kind != CTRACE_RING_KERNEL || !r->info.chunks)
			continue;
		p = t->data + r->chunks[0].rec_off;
		while (pos + sizeof(struct ctrace_krec) <= r->chunks[0].rec_len) {
			struct ctrace_krec_thread k;
			struct ctrace_krec h;
			uint64_t size;

			memcpy(&h, p + pos, sizeof(h));
			size = h.size * 8u;
			if (!size || size > r->chunks[0].rec_len - pos)
				break;	/* the cursor reports it */
			if (h.type == CTRACE_KREC_THREAD && size >= sizeof(k)) {
				memcpy(&k, p + pos, sizeof(k));
				if ((k.flags & CTRACE_THREAD_F_SNAPSHOT) &&
				    ctrace_map_get(&c->thread_map, k.tid) == CTRACE_MAP_NONE)
					thread_set(c, k.tid, k.tgid, k.comm);
			}
			pos += size;
		}
	}
}

int ctrace_cursor_new(struct ctrace_trace *t, struct ctrace_cursor **cp)
{
	struct ctrace_cursor *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->t = t;
	c->rings = calloc(t->nr_rings ? t->nr_rings : 1, sizeof(*c->rings));
	c->heap = calloc(t->nr_rings ? t->nr_rings : 1, sizeof(*c->heap));
	if (!c->rings || !c->heap) {
		ctrace_cursor_free(c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->nr_rings; i++) {
		if (t->rings[i].info.chunks) {
			c->rings[i].ts = t->rings[i].chunks[0].ts_base;
			c->rings[i].seq = t->rings[i].chunks[0].seq_first;
		}
		r = ring_fill(c, i);
		if (r < 0)
			break;
		if (r > 0) {
			c->heap[c->heap_n++] = i;
			heap_up(c, c->heap_n - 1);
		}
	}
	seed_snapshot_names(c);
	{
		uint64_t total = 0;

		for (size_t i = 0; progress_fn && i < t->nr_rings; i++)
			for (uint64_t k = 0; k < t->rings[i].info.chunks; k++)
				total += t->rings[i].chunks[k].rec_len;
		pass_start(&c->progress, CTRACE_PROGRESS_READ, total, t->path);
	}
	*cp = c;
	return 0;
}

static struct ctrace_thread *thread_get(struct ctrace_cursor *c, uint32_t tid)
{
	uint32_t i = ctrace_map_get(&c->thread_map, tid);
	struct ctrace_thread *th;

	if (i != CTRACE_MAP_NONE)
		return &c->threads[i];
	if (c->nr_threads == c->threads_cap) {
		size_t cap = c->threads_cap ? c->threads_cap * 2 : 64;
		void *p = realloc(c->threads, cap * sizeof(*c->threads));

		if (!p)
			return NULL;
		c->threads = p;
		c->threads_cap = cap;
	}
	if (ctrace_map_put(&c->thread_map, tid, c->nr_threads))
		return NULL;
	th = &c->threads[c->nr_threads++];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	return th;
}

static void thread_set(struct ctrace_cursor *c, uint32_t tid, uint32_t tgid,
		       const char comm[CTRACE_COMM_LEN])
{
	struct ctrace_thread *th;

	/* The idle task and unseen threads are named by convention. */
	if (tid == 0 || tid == CTRACE_TID_HIDDEN)
		return;
	th = thread_get(c, tid);
	if (!th)
		return;		/* out of memory: the name stays unknown */
	if (tgid && tgid != CTRACE_TID_HIDDEN)
		th->tgid = tgid;
	if (comm) {
		memcpy(th->comm, comm, CTRACE_COMM_LEN);
		th->comm[CTRACE_COMM_LEN] = '\0';
	}
}

/* Names follow the records that tell a thread's name (THREAD, FORK, EXEC,
 * RENAME, user THREAD: recdesc.h says which thread and where). */
static void update_threads(struct ctrace_cursor *c, const struct ctrace_event *ev)
{
	struct ctrace_rd_thread th;

	if (ctrace_event_thread(ev, &th))
		thread_set(c, th.tid, th.tgid, th.comm);
}

int ctrace_cursor_next(struct ctrace_cursor *c, struct ctrace_event *ev)
{
	uint32_t ri;
	int r;

	if (c->error || !c->heap_n) {
		pass_end(&c->progress);
		return c->error;
	}
	ri = c->heap[0];
	*ev = c->rings[ri].head;
	c->progress.done += ev->size;
	if (c->progress.done >= c->progress.next)
		pass_tick(&c->progress);
	ev->ns = ctrace_trace_mono_ns(c->t, ev->ts);
	c->last_ring = ri;
	update_threads(c, ev);

	r = ring_fill(c, ri);
	if (r > 0) {
		heap_down(c, 0);
	} else {
		c->heap[0] = c->heap[--c->heap_n];
		heap_down(c, 0);
		/* An error is reported at the next call; @ev is good. */
	}
	return 1;
}

const char *ctrace_cursor_error(const struct ctrace_cursor *c)
{
	return c->error ? c->errmsg : NULL;
}

const struct ctrace_thread *ctrace_cursor_thread(const struct ctrace_cursor *c,
						 uint32_t tid)
{
	static const struct ctrace_thread swapper = { .comm = "swapper" };
	uint32_t i;

	if (tid == 0)
		return &swapper;
	i = ctrace_map_get(&c->thread_map, tid);
	return i == CTRACE_MAP_NONE ? NULL : &c->threads[i];
}

void ctrace_cursor_thread_label(const struct ctrace_cursor *c, uint32_t tid,
				char *buf, size_t len)
{
	const struct ctrace_thread *th;
	char comm[CTRACE_COMM_LEN + 1];
	size_t i;

	if (tid == CTRACE_TID_HIDDEN) {
		snprintf(buf, len, "hidden:?");
		return;
	}
	th = ctrace_cursor_thread(c, tid);
	if (!th || !th->comm[0]) {
		snprintf(buf, len, "<...>:%u", tid);
		return;
	}
	/* One line per event: no control characters from a comm. */
	for (i = 0; th->comm[i]; i++)
		comm[i] = (unsigned char)th->comm[i] < 0x20 ||
			  th->comm[i] == 0x7f ? '?' : th->comm[i];
	comm[i] = '\0';
	snprintf(buf, len, "%s:%u", comm, tid);
}

size_t ctrace_cursor_ring_index(const struct ctrace_cursor *c)
{
	return c->last_ring;
}

void ctrace_cursor_free(struct ctrace_cursor *c)
{
	if (!c)
		return;
	pass_end(&c->progress);
	free(c->rings);
	free(c->heap);
	free(c->threads);
	ctrace_map_free(&c->thread_map);
	free(c);
}
