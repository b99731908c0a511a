// SPDX-License-Identifier: LGPL-2.1
/*
 * The server's window queries: parsing them (every byte of which comes
 * from the network) and answering them from the index.
 *
 *   GET /q?from=NS&to=NS&px=N&rows=LIST[&level=L]
 *
 *   from, to  ns from the trace's first event, 0 <= from < to < 2^62
 *   px        the window's width in pixels, 1..65536: the level is the
 *             coarsest whose merge width fits in a pixel (view_level_for)
 *   rows      row indexes and ranges, "0-5,9,12-14", at most 65536 rows,
 *             each below the number of rows
 *   level     0..15, instead of choosing from px (the page asks for level
 *             0 when it needs every interval of a row, e.g. a region's
 *             story)
 *
 * Anything else is refused with a reason: an unknown or repeated key, a
 * number with a sign, a fraction, leading garbage or too many digits.
 * The answer is the blocks of each row at that level that overlap the
 * window (view.h has its layout), bounded in size by the caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view.h"

/* A decimal number below @max, digits only. */
static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int parse_rows(struct view_query *q, const char *s, size_t nr_rows,
		      const char **why)
{
	size_t n = 0, cap = 64;
	uint32_t *rows = malloc(cap * sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		char tok[48], *dash;
		uint64_t lo, hi;

		if (!len || len >= sizeof(tok))
			goto bad;
		memcpy(tok, s, len);
		tok[len] = 0;
		dash = strchr(tok, '-');
		if (dash)
			*dash = 0;
		if (parse_num(tok, UINT32_MAX, &lo) ||
		    (dash ? parse_num(dash + 1, UINT32_MAX, &hi) : (hi = lo, 0)) ||
		    hi < lo || hi >= nr_rows) {
			*why = "rows: indexes below the number of rows, as N or N-M";
			goto fail;
		}
		if (hi - lo + 1 > VIEW_QUERY_MAX_ROWS - n) {
			*why = "rows: too many";
			goto fail;
		}
		for (uint64_t r = lo; r <= hi; r++) {
			if (n == cap) {
				uint32_t *p = realloc(rows, (cap *= 2) * sizeof(*rows));

				if (!p) {
					free(rows);
					return -ENOMEM;
				}
				rows = p;
			}
			rows[n++] = (uint32_t)r;
		}
		s += len;
		if (*s == ',' && !*++s)
			goto bad;
	}
	qsort(rows, n, sizeof(*rows), cmp_u32);
	q->nr_rows = 0;
	for (size_t i = 0; i < n; i++)
		if (!i || rows[i] != rows[i - 1])
			rows[q->nr_rows++] = rows[i];
	free(q->rows);
	q->rows = rows;
	return 0;
bad:
	*why = "rows: a list of N or N-M separated by commas";
fail:
	free(rows);
	return -EINVAL;
}

int view_query_arg(struct view_query *q, const char *key, const char *value,
		   size_t nr_rows, const char **why)
{
	uint64_t v;

	if (!value)
		value = "";
	if (!strcmp(key, "from") || !strcmp(key, "to")) {
		bool from = key[0] == 'f';

		if ((from ? q->has_from : q->has_to) || parse_num(value, 1ull << 62, &v)) {
			*why = "from, to: once each, ns from the first event";
			return -EINVAL;
		}
		if (from) {
			q->from = (int64_t)v;
			q->has_from = true;
		} else {
			q->to = (int64_t)v;
			q->has_to = true;
		}
		return 0;
	}
	if (!strcmp(key, "px")) {
		if (q->has_px || parse_num(value, VIEW_QUERY_MAX_PX, &v) || !v) {
			*why = "px: once, 1 to 65536";
			return -EINVAL;
		}
		q->px = (uint32_t)v;
		q->has_px = true;
		return 0;
	}
	if (!strcmp(key, "level")) {
		if (q->level >= 0 || parse_num(value, VIEW_LEVELS - 1, &v)) {
			*why = "level: once, 0 to 15";
			return -EINVAL;
		}
		q->level = (int)v;
		return 0;
	}
	if (!strcmp(key, "rows")) {
		int r;

		if (q->has_rows) {
			*why = "rows: once";
			return -EINVAL;
		}
		r = parse_rows(q, value, nr_rows, why);
		q->has_rows = !r;
		return r;
	}
	*why = "unknown argument";
	return -EINVAL;
}

int view_query_check(struct view_query *q, const char **why)
{
	if (!q->has_from || !q->has_to || !q->has_rows || (!q->has_px && q->level < 0)) {
		*why = "from, to, rows and px (or level) are needed";
		return -EINVAL;
	}
	if (q->from >= q->to) {
		*why = "from must be before to";
		return -EINVAL;
	}
	if (q->level < 0)
		q->level = (int)view_level_for((double)(q->to - q->from) / q->px);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode @s[0..n) into @out (n + 1 bytes); a NUL is refused. */
static int unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return -EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		} else if (!c) {
			return -EINVAL;
		}
		out[o++] = c;
	}
	out[o] = 0;
	return 0;
}

int view_query_parse(struct view_query *q, const char *qs, size_t len,
		     size_t nr_rows, const char **why)
{
	size_t i = 0;
	char *key = malloc(len + 1), *val = malloc(len + 1);
	int r = 0;

	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	while (i < len && !r) {
		size_t end = i, eq;

		while (end < len && qs[end] != '&')
			end++;
		for (eq = i; eq < end && qs[eq] != '='; eq++)
			;
		if (end == i || unescape(qs + i, eq - i, key) ||
		    unescape(qs + eq + (eq < end), end - eq - (eq < end), val)) {
			*why = "malformed query string";
			r = -EINVAL;
			break;
		}
		r = view_query_arg(q, key, val, nr_rows, why);
		i = end + 1;
	}
	free(key);
	free(val);
	return r ? r : view_query_check(q, why);
}

void view_query_free(struct view_query *q)
{
	free(q->rows);
	q->rows = NULL;
	q->nr_rows = 0;
}

int view_read_block(const struct view_index *x, const struct view_block *b,
		    void *buf)
{
	size_t done = 0;

	while (done < b->len) {
		ssize_t n = pread(x->fd, (char *)buf + done, b->len - done,
				  (off_t)(b->offset + done));

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

size_t view_blocks_in(const struct view_index *x, uint32_t row,
		      unsigned int level, int64_t from, int64_t to, size_t *count)
{
	const struct view_row *r = &x->rows[row];
	size_t lo = r->first_block[level], n = r->nr_blocks[level], hi = lo + n, i;

	/* Blocks of a row are in time order: the first that ends after
	 * @from, then every one that begins before @to. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->blocks[mid].end <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < r->first_block[level] + n && x->blocks[i].begin < to; i++)
		;
	*count = i - lo;
	return lo;
}

static void put32(struct view_buf *b, uint32_t v)
{
	unsigned char le[4] = { v, v >> 8, v >> 16, v >> 24 };

	view_buf_put(b, le, 4);
}

int view_query_answer(const struct view_index *x, const struct view_query *q,
		      size_t max, unsigned char **out, size_t *len)
{
	struct view_buf b = { 0 };
	size_t nblocks = 0, count_pos;
	int r = 0;

	view_buf_put(&b, "CTVQ", 4);
	put32(&b, (uint32_t)q->level);
	count_pos = b.len;
	put32(&b, 0);
	for (size_t i = 0; i < q->nr_rows && !r; i++) {
		size_t n, first = view_blocks_in(x, q->rows[i], (unsigned int)q->level,
						 q->from, q->to, &n);

		for (size_t k = first; k < first + n && !r; k++) {
			const struct view_block *bl = &x->blocks[k];
			unsigned char *room;

			if (b.len + 16 + bl->len > max) {
				r = -E2BIG;
				break;
			}
			put32(&b, bl->row);
			put32(&b, bl->level);
			put32(&b, bl->count);
			put32(&b, bl->len);
			room = view_buf_room(&b, bl->len);
			r = room ? view_read_block(x, bl, room) : -ENOMEM;
			nblocks++;
		}
	}
	if (!r && b.oom)
		r = -ENOMEM;
	if (r) {
		view_buf_free(&b);
		return r;
	}
	for (int k = 0; k < 4; k++)
		b.p[count_pos + k] = (unsigned char)(nblocks >> (8 * k));
	*out = b.p;
	*len = b.len;
	return 0;
}
