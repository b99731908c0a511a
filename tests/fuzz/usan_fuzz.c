// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the user ring sanitiser (tools/tracefile/usan.c):
 * the bytes a hostile program may leave in its string table and ring,
 * through ctrace_ustrtab_scan() and ctrace_usan_run(), then what came out
 * through the reader, as ctrace-dump would write it.
 *
 *   input: struct params (32 bytes) | string table (params.strings_len) |
 *          ring records (the rest)
 *
 * Properties, each an abort() when broken (sanitizers catch the rest):
 *  - usan writes at most 2 * len + 32 bytes (its buffer is exactly that
 *    long, so AddressSanitizer sees a byte more), in whole records;
 *  - what it writes walks cleanly under the reader's strict rules, with
 *    counts equal to its counters;
 *  - a file of a USET, the scanned strings, that output as a USER chunk,
 *    STATS and END opens with no problem, and its events decode, validate
 *    and print.
 *
 * Seeds: CTRACE_FUZZ_SEEDS=DIR writes a few inputs with good and bad
 * records and strings into DIR and exits (tests/fuzz/run.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracefile.h"
#include "analysis.h"
#include "internal.h"

struct params {
	uint64_t ts_min;
	uint32_t ts_span;
	uint32_t lost_total;
	uint16_t strings_len;	/* bytes of the input that are the table */
	uint16_t strings_pos;	/* the writers' strings_pos */
	uint32_t calls;		/* split the records over this many calls (low 3 bits) */
	uint64_t reserved;
};

static FILE *devnull;

/* ------------------------------------------------------ a file in memory */

struct fbuf {
	unsigned char *p;
	size_t len, cap;
	uint64_t seq;
};

static void fput(struct fbuf *f, const void *p, size_t n)
{
	if (!n)
		return;
	if (f->len + n > f->cap) {
		f->cap = (f->len + n) * 2 + 4096;
		f->p = realloc(f->p, f->cap);
		if (!f->p)
			abort();
	}
	memcpy(f->p + f->len, p, n);
	f->len += n;
}

/* A chunk of @a then @b, as the writer lays it out (payloads are 8-aligned). */
static void chunk(struct fbuf *f, uint16_t type, const void *a, size_t alen,
		  const void *b, size_t blen)
{
	struct ctrace_chunk_header h = {
		.magic = CTRACE_CHUNK_MAGIC, .type = type,
		.size = alen + blen, .seq = f->seq++,
	};

	if ((alen + blen) % 8)
		abort();
	h.crc = ctrace_crc32c(ctrace_crc32c(ctrace_crc32c(0, &h, sizeof(h)), a, alen),
			      b, blen);
	fput(f, &h, sizeof(h));
	fput(f, a, alen);
	fput(f, b, blen);
}

/* STRINGS entries as ctrace-dump writes them from emit(). */
struct strs {
	unsigned char buf[65536 + 2048];
	size_t len;
	uint32_t count;
};

static int emit(uint32_t id, const char *s, uint16_t len, void *arg)
{
	struct strs *st = arg;
	struct ctrace_ustring e = { .id = id, .len = len };
	size_t bytes = sizeof(e) + (len + 1 + 7) / 8 * 8;

	if (st->len + bytes > sizeof(st->buf))
		return -1;	/* the scan stops; retried, never reached */
	memset(st->buf + st->len, 0, bytes);
	memcpy(st->buf + st->len, &e, sizeof(e));
	memcpy(st->buf + st->len + sizeof(e), s, len);
	st->len += bytes;
	st->count++;
	return 0;
}

static bool tab_known(const void *ctx, uint32_t id)
{
	return ctrace_ustrtab_has(ctx, id);
}

static void read_back(const unsigned char *file, size_t len)
{
	struct ctrace_validation v;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	char err[256];

	if (ctrace_trace_open_buffer(file, len, &t, err, sizeof(err)))
		abort();
	/* ctrace-dump's output must never be refused by the reader. */
	if (ctrace_trace_problem(t)) {
		fprintf(stderr, "reader refused usan's output: %s\n",
			ctrace_trace_problem(t));
		abort();
	}
	if (!ctrace_cursor_new(t, &c)) {
		while (ctrace_cursor_next(c, &ev) > 0)
			ctrace_trace_string(t, 0, ev.aux);
		if (ctrace_cursor_error(c))
			abort();
		ctrace_cursor_free(c);
	}
	ctrace_validate(t, &v, devnull);
	ctrace_print_events(t, devnull, devnull);
	ctrace_print_summary(t, devnull, devnull);
	ctrace_trace_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strs st;
	struct ctrace_ustrtab tab = { 0 };
	struct ctrace_usan s = { 0 }, before;
	struct params prm;
	unsigned char *area, *in, *out;
	size_t alen, len, n = 0, at = 0, calls;
	struct fbuf f = { 0 };
	int r;

	if (size < sizeof(prm))
		return 0;
	memcpy(&prm, data, sizeof(prm));
	data += sizeof(prm);
	size -= sizeof(prm);
	alen = prm.strings_len < size ? prm.strings_len : size;

	/* Exact-length copies: a read past either end is a crash. */
	area = malloc(alen ? alen : 1);
	memcpy(area, data, alen);
	st.len = 0;
	st.count = 0;
	r = ctrace_ustrtab_scan(&tab, area, alen, prm.strings_pos, emit, &st);
	if (r < -1 || (r >= 0 && (uint32_t)r != st.count) || tab.count != st.count ||
	    tab.scanned > alen)
		abort();
	/* Scanning again finds nothing new. */
	if (!tab.broken && r >= 0 &&
	    ctrace_ustrtab_scan(&tab, area, alen, prm.strings_pos, emit, &st) != 0)
		abort();
	free(area);

	len = size - alen;
	in = malloc(len ? len : 1);
	memcpy(in, data + alen, len);
	out = malloc(2 * len + 32);
	s.lost_total = prm.lost_total;
	before = s;
	/* As ctrace-dump reads a ring: in pieces, state carried over. */
	calls = 1 + (prm.calls & 7);
	for (size_t k = 0; k < calls; k++) {
		size_t piece = k + 1 == calls ? len - at : (len - at) / 2 / 8 * 8;
		size_t w = ctrace_usan_run(&s, &tab, in + at, piece,
					   out + n, prm.ts_min,
					   prm.ts_min + prm.ts_span);

		if (w > 2 * piece + 32 || w % 8)
			abort();
		n += w;
		at += piece;
	}
	if (n > 2 * len + 32 * calls)
		abort();
	free(in);

	{
		struct ctrace_urec_walk w = { 0 };

		if (ctrace_urec_walk(&w, out, n, tab_known, &tab, NULL) ||
		    w.events != s.events - before.events + s.corrupt - before.corrupt ||
		    w.lost != s.lost - before.lost || w.corrupt != s.corrupt ||
		    w.corrupt_bytes != s.corrupt_bytes || w.corrupt_bytes > len)
			abort();
	}

	/* The file ctrace-dump would write. */
	{
		struct ctrace_file_header fh = {
			.version = CTRACE_FILE_VERSION,
			.header_size = sizeof(fh),
			.chunk_header_size = sizeof(struct ctrace_chunk_header),
		};
		struct ctrace_uset_chunk u = { .index = 0, .uid = 1000, .nr_rings = 1 };
		struct ctrace_strings_chunk sc = { .uset = 0, .count = st.count };
		struct ctrace_ring_chunk rc = {
			.ring = 0, .kind = CTRACE_RING_USER,
			.events = s.events + s.corrupt, .lost = s.lost - before.lost,
		};
		struct ctrace_ring_stats rs = {
			.ring = 0, .kind = CTRACE_RING_USER,
			.events = rc.events, .events_read = rc.events,
			.lost = rc.lost, .lost_read = rc.lost,
		};
		struct ctrace_stats_chunk stc = { .nr_rings = 1 };
		static const char meta[16] = "clock=mono\n";

		memcpy(fh.magic, CTRACE_FILE_MAGIC, sizeof(fh.magic));
		fput(&f, &fh, sizeof(fh));
		chunk(&f, CTRACE_CHUNK_META, meta, sizeof(meta), NULL, 0);
		chunk(&f, CTRACE_CHUNK_USET, &u, sizeof(u), NULL, 0);
		chunk(&f, CTRACE_CHUNK_STRINGS, &sc, sizeof(sc), st.buf, st.len);
		if (n <= CTRACE_CHUNK_MAX - sizeof(rc))
			chunk(&f, CTRACE_CHUNK_RING, &rc, sizeof(rc), out, n);
		chunk(&f, CTRACE_CHUNK_STATS, &stc, sizeof(stc), &rs, sizeof(rs));
		chunk(&f, CTRACE_CHUNK_END, NULL, 0, NULL, 0);
	}
	free(out);
	read_back(f.p, f.len);
	free(f.p);
	return 0;
}

/* ----------------------------------------------------------------- seeds */

static void put_rec(unsigned char *b, size_t *len, uint64_t ts, uint8_t type,
		    uint16_t id, uint8_t units, uint64_t v, uint64_t v2)
{
	struct ctrace_urec h = { .ts = ts, .tid = 7, .type = type, .size = units,
				 .id = id };

	memset(b + *len, 0, units * 8u);
	memcpy(b + *len, &h, sizeof(h));
	if (units >= 3)
		memcpy(b + *len + 16, &v, 8);
	if (units >= 4)
		memcpy(b + *len + 24, &v2, 8);
	*len += units * 8u;
}

static void write_seeds(const char *dir)
{
	for (int n = 0; n < 4; n++) {
		unsigned char b[4096];
		struct params prm = {
			.ts_min = 1000, .ts_span = 1000, .calls = n,
		};
		size_t len = sizeof(prm), t0;
		char path[4096];
		FILE *fp;

		/* Strings 1 "parse", 2 "io", then one not yet published. */
		t0 = len;
		memcpy(b + len, "\x01\0\0\0\x05\0\0\0parse\0\0\0", 16);
		len += 16;
		memcpy(b + len, "\x02\0\0\0\x02\0\0\0io\0\0\0\0\0\0", 16);
		len += 16;
		memcpy(b + len, "\0\0\0\0\x03\0\0\0new\0\0\0\0\0", 16);
		len += 16;
		prm.strings_len = len - t0;
		prm.strings_pos = n == 3 ? 0xffff : len - t0;

		put_rec(b, &len, 1100, CTRACE_UREC_THREAD, 0, 5, 10, 0);
		memcpy(b + len - 16, "worker", 6);
		put_rec(b, &len, 1110, CTRACE_UREC_REGION_BEGIN, 1, 3, 7, 0);
		put_rec(b, &len, 1120, CTRACE_UREC_TASK_BEGIN, 2, 4, 7, 0);
		put_rec(b, &len, 1130, CTRACE_UREC_LOG, 2, 4, 7, 2);
		put_rec(b, &len, 1140, CTRACE_UREC_LOG, 0, 5, 0, 5ull << 32);
		memcpy(b + len - 8, "hello", 5);
		put_rec(b, &len, 1150, CTRACE_UREC_COUNTER, 1, 3, 17, 0);
		put_rec(b, &len, 1160, CTRACE_UREC_LOST, 0, 3, 4 + n, 0);
		if (n & 1) {
			put_rec(b, &len, 1170, CTRACE_UREC_REGION_BEGIN, 3, 2, 0, 0);
			put_rec(b, &len, 500, CTRACE_UREC_INSTANT, 0, 2, 0, 0);
			put_rec(b, &len, 1180, 0, 0, 3, 0, 0);
		}
		put_rec(b, &len, 1190, CTRACE_UREC_FLOW_BEGIN, 1, 3, 3, 0);
		put_rec(b, &len, 1195, CTRACE_UREC_FLOW_END, 0, 3, 3, 0);
		put_rec(b, &len, 1200, CTRACE_UREC_REGION_END, 1, 3, 7, 0);
		put_rec(b, &len, 1210, CTRACE_UREC_TASK_END, 0, 3, 7, 0);
		put_rec(b, &len, 1220, 99, 1, 4, 1, 2);
		if (n == 2)
			put_rec(b, &len, 1230, CTRACE_UREC_INSTANT, 0, 9, 0, 0);
		memcpy(b, &prm, sizeof(prm));
		snprintf(path, sizeof(path), "%s/useed-%d", dir, n);
		fp = fopen(path, "w");
		if (fp) {
			fwrite(b, 1, len, fp);
			fclose(fp);
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("CTRACE_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}
