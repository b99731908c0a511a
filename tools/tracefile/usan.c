// SPDX-License-Identifier: LGPL-2.1
/*
 * User ring records: the rules, and the sanitiser ctrace-dump runs before
 * they go into a file.
 *
 * Any process of a user can write anything into that user's rings and
 * string table, at any moment, including while the dumper reads them.  So
 * the dumper never decides anything from shared memory directly:
 *
 *   shared ring  --copy_once()-->  rec[] (local)  --check-->  out
 *        ^                             |
 *        |   never read again          +-- good: copied from rec[], as is
 *   (a writer may change it now)       +-- bad:  counted into one CORRUPT
 *
 * Each record's bytes are read exactly once, into a local buffer, and
 * everything (size, type, payload, what is written out) comes from that
 * copy: a writer racing with the check cannot make a record pass the
 * check with one content and reach the file with another (a double
 * fetch).  Sizes come from the copied header and are checked against
 * what is left of the input before anything is read with them.
 *
 * The same record rules serve the reader (ctrace_urec_walk(), strict: a
 * file holds only what the dumper let through, plus its CORRUPT records).
 * Sizes, string IDs and writers are the record descriptors' (recdesc.c),
 * for example:
 *
 *   type           size (bytes)      id          other
 *   LOST           24                0           total never goes down
 *   THREAD         40                0           flags 0 (files: known
 *                                                CTRACE_UTHREAD_F_* bits)
 *   TASK_BEGIN     32                name
 *   REGION_*       16 or 24          name        optional task
 *   LOG            >= 32             category    msg_id 0: 32 + len
 *                                                rounded to 8 == size;
 *                                                else size 32, len 0,
 *                                                msg_id a known string
 *   CORRUPT (200)  24 (files only)   0           tid 0 (no writer)
 *   0, 201..255    never
 *   other < 200    >= 16             0 or known  (a newer library's)
 *
 * "name" means 0 or a string ID of the ring set's table.  What no table
 * says is here: LOG's payload and LOST's running total.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define UREC_MAX	(255 * 8)	/* the largest size a header can say */

/*
 * Copy @n bytes of shared memory, reading each byte once, with loads the
 * compiler may neither repeat nor merge with later ones (READ_ONCE()).  A
 * plain memcpy() into a local could legally be optimised into reading the
 * source again where the local is used.
 */
static void copy_once(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;

	if (((uintptr_t)src | n) % 8 == 0) {
		const uint64_t *s = src;

		for (size_t i = 0; i < n / 8; i++) {
			uint64_t v = __atomic_load_n(&s[i], __ATOMIC_RELAXED);

			memcpy(d + i * 8, &v, 8);
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = ((const volatile unsigned char *)src)[i];
}

static bool id_ok(uint16_t id, ctrace_ustr_known_fn known, const void *ctx)
{
	return id == 0 || (known && known(ctx, id));
}

uint16_t ctrace_urec_check(const void *rec, size_t size, bool file,
			   ctrace_ustr_known_fn known, const void *ctx)
{
	const struct ctrace_recdesc *d;
	struct ctrace_urec h;

	memcpy(&h, rec, sizeof(h));
	/* 0 and 201..255 have no descriptor; newer types below 200 have a
	 * stand-in: their size is all we need to skip them. */
	d = ctrace_urec_desc(h.type);
	if (!d || ((d->flags & CTRACE_RD_FILE_ONLY) && !file) ||
	    !ctrace_rd_size_ok(d, size))
		return CTRACE_CORRUPT_TYPE;
	if (h.type == CTRACE_UREC_LOG) {
		struct ctrace_urec_log l;

		memcpy(&l, rec, sizeof(l));
		if (l.msg_id == 0) {
			/* 64-bit: len near 2^32 must not wrap the sum. */
			if (sizeof(l) + ((uint64_t)l.len + 7) / 8 * 8 != size)
				return CTRACE_CORRUPT_PAYLOAD;
		} else {
			if (size != sizeof(l) || l.len)
				return CTRACE_CORRUPT_PAYLOAD;
			if (l.msg_id > UINT16_MAX ||
			    !id_ok((uint16_t)l.msg_id, known, ctx))
				return CTRACE_CORRUPT_STRING;
		}
	}
	if (h.type == CTRACE_UREC_THREAD) {
		struct ctrace_urec_thread t;

		/* Flags are the dumper's verdict, in files only. */
		memcpy(&t, rec, sizeof(t));
		if (t.flags & ~(file ? CTRACE_UTHREAD_F_ALL : 0))
			return CTRACE_CORRUPT_PAYLOAD;
	}
	/* A record of no writer (CORRUPT: the dumper's) names none. */
	if (h.tid && !ctrace_rd_find(d, CTRACE_RD_TID, CTRACE_ROLE_ACTOR))
		return CTRACE_CORRUPT_PAYLOAD;
	if (!d->id)
		return h.id ? CTRACE_CORRUPT_PAYLOAD : 0;
	return id_ok(h.id, known, ctx) ? 0 : CTRACE_CORRUPT_STRING;
}

const char *ctrace_corrupt_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[CTRACE_CORRUPT_HEADER] = "header",
		[CTRACE_CORRUPT_TYPE] = "type",
		[CTRACE_CORRUPT_STRING] = "string",
		[CTRACE_CORRUPT_TIME] = "time",
		[CTRACE_CORRUPT_POSITION] = "position",
		[CTRACE_CORRUPT_LOST] = "lost",
		[CTRACE_CORRUPT_PAYLOAD] = "payload",
	};

	return reason < sizeof(names) / sizeof(names[0]) && names[reason] ?
	       names[reason] : NULL;
}

/* ------------------------------------------------------------ strings */

/*
 * The string table, as writers fill it (tools/lib/strings.c):
 *
 *   strings_pos --fetch-and-add--> [ id | len | res ][ s ... NUL pad ] ...
 *   1. reserve the bytes            0     0     0     0 0 0 0   (zeroed)
 *   2. store len, release fence     0     len   0     0 0 0 0
 *   3. write s                      0     len   0     s s \0 0
 *   4. store-release id             id    len   0     s s \0 0
 *
 * A writer killed after 1 leaves zeros up to the next entry; after 2 or
 * 3, a header with a length and no ID.  Either way the entry is stepped
 * over once a later word is written, and kept pending in case it is only
 * slow.  The fence in 2 makes a reader that sees a byte of step 3 see
 * the header of 2 as well, so the first word that is not zero after a
 * run of zeros (checked again after an acquire fence) is a header, not
 * the middle of a string whose header is not visible yet.  Every length
 * is checked against the area before it is used, and every loop moves
 * on by at least a word within the area or stops.
 */
#define USTR_HDR	sizeof(struct ctrace_ustring)

enum ustr_verdict { USTR_OK, USTR_WAIT, USTR_BAD };

static uint64_t ustr_bytes(uint16_t len)
{
	return USTR_HDR + ((uint64_t)len + 1 + 7) / 8 * 8;
}

/*
 * Take the entry at @off, which may use @room bytes: its header into @e
 * and its string into @s.  WAIT while its ID is not published.
 */
static enum ustr_verdict ustr_take(const struct ctrace_ustrtab *t,
				   const unsigned char *base, uint64_t off,
				   uint64_t room, struct ctrace_ustring *e, char *s)
{
	uint64_t bytes;

	if (room < USTR_HDR)
		return USTR_BAD;
	copy_once(e, base + off, sizeof(*e));
	/*
	 * A writer stores id last, with release: once we see it, the
	 * entry's other bytes are written.  Pairs with that store.
	 */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (e->id == 0)
		return USTR_WAIT;
	bytes = ustr_bytes(e->len);
	if (e->id > UINT16_MAX || ctrace_ustrtab_has(t, e->id) ||
	    e->len > CTRACE_USTRING_MAX || bytes > room)
		return USTR_BAD;
	/* Whole words: the entry is padded to 8, and so is s[]. */
	copy_once(s, base + off + sizeof(*e), bytes - sizeof(*e));
	return s[e->len] == '\0' ? USTR_OK : USTR_BAD;
}

static void ustr_accept(struct ctrace_ustrtab *t, uint32_t id)
{
	t->known[id / 8] |= 1u << (id % 8);
	t->count++;
}

static void ustr_unpend(struct ctrace_ustrtab *t, uint32_t i)
{
	memmove(&t->pending[i], &t->pending[i + 1],
		(t->nr_pending - i - 1) * sizeof(t->pending[0]));
	t->nr_pending--;
}

/* Step over an unpublished entry; the oldest pending one goes if full. */
static void ustr_pend(struct ctrace_ustrtab *t, uint64_t off, uint64_t room)
{
	if (t->nr_pending == CTRACE_USTRTAB_PENDING) {
		ustr_unpend(t, 0);
		t->abandoned++;
	}
	t->pending[t->nr_pending].off = off;
	t->pending[t->nr_pending].room = room;
	t->nr_pending++;
	t->skipped++;
	t->scanned = off + room;
}

static uint64_t word_at(const unsigned char *base, uint64_t off)
{
	return __atomic_load_n((const uint64_t *)(base + off), __ATOMIC_RELAXED);
}

/*
 * The entry at @off has a header of zeros: the offset of the first word
 * after it that is not zero, below @end, or 0 when there is none (or the
 * zeros did not stay zeros: look again next time).
 */
static uint64_t ustr_next_written(const unsigned char *base, uint64_t off,
				  uint64_t end)
{
	uint64_t x;

	for (x = off + 8; x + 8 <= end; x += 8)
		if (word_at(base, x))
			break;
	if (x + 8 > end)
		return 0;
	/* Pairs with the writers' release fence after storing len. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (uint64_t y = off; y < x; y += 8)
		if (word_at(base, y))
			return 0;
	return x;
}

int ctrace_ustrtab_scan(struct ctrace_ustrtab *t, const void *area,
			uint64_t size, uint64_t pos,
			int (*emit)(uint32_t id, const char *s, uint16_t len,
				    void *arg),
			void *arg)
{
	const unsigned char *base = area;
	char s[CTRACE_USTRING_MAX + 8];
	struct ctrace_ustring e;
	int n = 0, err;

	if (pos > size)
		pos = size;
	/* Entries stepped over before: published since? */
	for (uint32_t i = 0; i < t->nr_pending;) {
		switch (ustr_take(t, base, t->pending[i].off, t->pending[i].room, &e, s)) {
		case USTR_WAIT:
			i++;
			continue;
		case USTR_OK:
			/* Accepted only once the caller has it: a failed
			 * emit is retried. */
			err = emit ? emit(e.id, s, e.len, arg) : 0;
			if (err)
				return err;
			ustr_accept(t, e.id);
			n++;
			break;
		case USTR_BAD:
			break;		/* that entry alone */
		}
		ustr_unpend(t, i);
	}
	while (!t->broken && t->scanned < pos &&
	       pos - t->scanned >= USTR_HDR) {
		uint64_t off = t->scanned, bytes, next;

		/*
		 * Reserved before pos was read, so it should lie within pos;
		 * if not, wait for a pos that covers it.
		 */
		switch (ustr_take(t, base, off, pos - off, &e, s)) {
		case USTR_OK:
			err = emit ? emit(e.id, s, e.len, arg) : 0;
			if (err)
				return err;
			ustr_accept(t, e.id);
			t->scanned += ustr_bytes(e.len);
			n++;
			continue;
		case USTR_BAD:
			bytes = ustr_bytes(e.len);
			if (e.id <= UINT16_MAX && !ctrace_ustrtab_has(t, e.id) &&
			    e.len <= CTRACE_USTRING_MAX && bytes <= size - off &&
			    bytes > pos - off)
				return n;	/* not all of it within pos yet */
			t->broken = true;
			return n;
		case USTR_WAIT:
			break;
		}
		/* Not published.  Its length, if its writer got to store it. */
		if (e.len || e.reserved) {
			bytes = ustr_bytes(e.len);
			if (e.len > CTRACE_USTRING_MAX || bytes > size - off) {
				t->broken = true;
				return n;
			}
			if (bytes > pos - off)
				return n;	/* wait for pos to cover it */
			ustr_pend(t, off, bytes);
			continue;
		}
		/* Nothing of it written: step to what is written after it. */
		next = ustr_next_written(base, off, pos);
		if (!next)
			return n;
		ustr_pend(t, off, next - off);
	}
	return n;
}

/* ------------------------------------------------------------ records */

static bool ustrtab_known(const void *ctx, uint32_t id)
{
	return ctrace_ustrtab_has(ctx, id);
}

/* The run of bad bytes being gathered into one CORRUPT record. */
struct bad_run {
	uint64_t bytes;
	uint16_t reason;
	uint16_t records;
};

static size_t put_corrupt(struct ctrace_usan *s, void *out, uint64_t ts,
			  uint32_t bytes, uint16_t reason, uint16_t records)
{
	struct ctrace_frec_corrupt c = {
		.ts = ts,
		.type = CTRACE_FREC_CORRUPT,
		.size = sizeof(c) / 8,
		.bytes = bytes,
		.reason = reason,
		.records = records,
	};

	memcpy(out, &c, sizeof(c));
	s->corrupt++;
	s->corrupt_bytes += bytes;
	return sizeof(c);
}

static size_t flush_run(struct ctrace_usan *s, struct bad_run *run,
			unsigned char *out, uint64_t ts)
{
	size_t w = 0;

	if (run->bytes)
		w = put_corrupt(s, out, ts, (uint32_t)run->bytes, run->reason,
				run->records);
	*run = (struct bad_run){ 0 };
	return w;
}

/*
 * Add @bytes of bad input to the run.  The run becomes a new CORRUPT
 * record where its fields would overflow (4 GiB, 65535 records), so
 * counts stay exact; each such record covers far more than its 24 bytes.
 */
static size_t add_bad(struct ctrace_usan *s, struct bad_run *run,
		      unsigned char *out, uint64_t ts, uint64_t bytes,
		      uint16_t reason, bool record)
{
	size_t w = 0;

	if (record && run->records == UINT16_MAX)
		w += flush_run(s, run, out + w, ts);
	while (bytes) {
		uint64_t n;

		if (run->bytes == UINT32_MAX)
			w += flush_run(s, run, out + w, ts);
		if (!run->bytes)
			run->reason = reason;
		n = UINT32_MAX - run->bytes;
		n = n < bytes ? n : bytes;
		run->bytes += n;
		bytes -= n;
	}
	run->records += record;
	return w;
}

size_t ctrace_usan_run(struct ctrace_usan *s, const struct ctrace_ustrtab *strings,
		       const void *in, size_t len, void *out,
		       uint64_t ts_min, uint64_t ts_max)
{
	const unsigned char *p = in;
	unsigned char *o = out;
	/* 8-byte aligned, so copy_once() takes its word path. */
	uint64_t buf[UREC_MAX / 8];
	unsigned char *rec = (unsigned char *)buf;
	struct bad_run run = { 0 };
	size_t off = 0, w = 0;

#define CORRUPT_TS (s->last_ts > ts_min ? s->last_ts : ts_min)
	while (off < len) {
		size_t left = len - off, size;
		struct ctrace_urec h;
		uint16_t reason;

		if (left < sizeof(h)) {
			w += add_bad(s, &run, o + w, CORRUPT_TS, left,
				     CTRACE_CORRUPT_HEADER, false);
			break;
		}
		copy_once(rec, p + off, sizeof(h));
		memcpy(&h, rec, sizeof(h));
		size = (size_t)h.size * 8;
		if (h.size < 2 || size > left) {
			/* No size to trust: nothing after it can be found. */
			w += add_bad(s, &run, o + w, CORRUPT_TS, left,
				     CTRACE_CORRUPT_HEADER, false);
			break;
		}
		copy_once(rec + sizeof(h), p + off + sizeof(h), size - sizeof(h));
		reason = ctrace_urec_check(rec, size, false, ustrtab_known, strings);
		if (!reason && (h.ts < ts_min || h.ts > ts_max))
			reason = CTRACE_CORRUPT_TIME;
		if (!reason && h.type == CTRACE_UREC_LOST) {
			struct ctrace_urec_lost l;

			memcpy(&l, rec, sizeof(l));
			if (l.total < s->lost_total)
				reason = CTRACE_CORRUPT_LOST;
		}
		if (reason) {
			w += add_bad(s, &run, o + w, CORRUPT_TS, size, reason, true);
			off += size;
			continue;
		}

		w += flush_run(s, &run, o + w, CORRUPT_TS);
		if (h.type == CTRACE_UREC_LOST) {
			/* In files, LOST says how many were lost right before it. */
			struct ctrace_urec_lost l;
			uint64_t delta;

			memcpy(&l, rec, sizeof(l));
			delta = l.total - s->lost_total;
			s->lost_total = l.total;
			if (delta) {
				l.total = delta;
				memcpy(o + w, &l, sizeof(l));
				w += sizeof(l);
				s->lost += delta;
				s->last_ts = h.ts;
			}
		} else {
			memcpy(o + w, rec, size);
			w += size;
			s->events++;
			s->last_ts = h.ts;
		}
		off += size;
	}
	w += flush_run(s, &run, o + w, CORRUPT_TS);
#undef CORRUPT_TS
	return w;
}

size_t ctrace_usan_skipped(struct ctrace_usan *s, uint64_t bytes,
			   uint16_t reason, void *out)
{
	if (bytes > UINT32_MAX)
		bytes = UINT32_MAX;	/* a jump that large is not a count */
	return put_corrupt(s, out, s->last_ts, (uint32_t)bytes, reason, 0);
}

/* ------------------------------------------------------- files (strict) */

int ctrace_urec_walk(struct ctrace_urec_walk *w, const void *buf, size_t len,
		     ctrace_ustr_known_fn known, const void *ctx,
		     size_t *bad_off)
{
	const unsigned char *p = buf;
	size_t off = 0;

	while (off < len) {
		struct ctrace_urec h;
		size_t size;

		if (len - off < sizeof(h)) {
			w->reason = CTRACE_CORRUPT_HEADER;
			goto bad;
		}
		memcpy(&h, p + off, sizeof(h));
		size = (size_t)h.size * 8;
		if (h.size < 2 || size > len - off) {
			w->reason = CTRACE_CORRUPT_HEADER;
			goto bad;
		}
		w->reason = ctrace_urec_check(p + off, size, true, known, ctx);
		if (w->reason)
			goto bad;
		/* User clocks race with commits: order by raising, not refusing. */
		if (h.ts < w->ts)
			w->raised++;
		else
			w->ts = h.ts;
		if (h.type == CTRACE_UREC_LOST) {
			struct ctrace_urec_lost l;

			memcpy(&l, p + off, sizeof(l));
			w->lost += l.total;
			w->lost_records++;
		} else {
			w->events++;
			if (h.type == CTRACE_FREC_CORRUPT) {
				struct ctrace_frec_corrupt c;

				memcpy(&c, p + off, sizeof(c));
				w->corrupt++;
				w->corrupt_bytes += c.bytes;
			}
		}
		off += size;
	}
	return 0;
bad:
	if (bad_off)
		*bad_off = off;
	return -EBADMSG;
}
