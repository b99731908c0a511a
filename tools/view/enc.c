// SPDX-License-Identifier: LGPL-2.1
/*
 * The view's encodings: items as LEB128 varints (the blocks the page
 * decodes, docs/view.md "Blocks"), base64 for embedding them, and JSON
 * strings that stay text inside a <script> element whatever the trace
 * holds.
 *
 * An item, after the one before it in its block (the first after 0):
 *
 *   uleb n | sleb begin - prev begin | uleb end - begin | fields...
 *
 * with the kind's raw fields when n == 1, its merged ones otherwise
 * (kinds.c).  Deltas keep most items to a few bytes: a thread's
 * intervals are microseconds apart, not seconds from the start.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

void *view_buf_room(struct view_buf *b, size_t n)
{
	size_t at = b->len;

	if (b->oom)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		void *q;

		while (cap < b->len + n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return NULL;
		}
		b->p = q;
		b->cap = cap;
	}
	b->len += n;
	return b->p + at;
}

void view_buf_put(struct view_buf *b, const void *p, size_t n)
{
	void *to = n ? view_buf_room(b, n) : NULL;

	if (to)
		memcpy(to, p, n);
}

void view_buf_uleb(struct view_buf *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;

	do {
		t[n] = v & 0x7f;
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	view_buf_put(b, t, n);
}

void view_buf_sleb(struct view_buf *b, int64_t v)
{
	/* zigzag: small magnitudes of either sign stay short */
	view_buf_uleb(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void view_buf_free(struct view_buf *b)
{
	free(b->p);
	*b = (struct view_buf){ 0 };
}

static const struct view_field *fields_of(unsigned int kind, uint32_t n,
					  unsigned int *nr)
{
	const struct view_kind_desc *k = &view_kinds[kind];

	*nr = n == 1 ? k->nr_raw : k->nr_merged;
	return n == 1 ? k->raw : k->merged;
}

void view_encode_item(struct view_buf *b, unsigned int kind,
		      const struct view_item *it, int64_t *prev)
{
	unsigned int nr;
	const struct view_field *fs = fields_of(kind, it->n, &nr);

	view_buf_uleb(b, it->n);
	view_buf_sleb(b, it->begin - *prev);
	view_buf_uleb(b, (uint64_t)(it->end - it->begin));
	*prev = it->begin;
	for (unsigned int i = 0; i < nr; i++) {
		uint64_t v = it->f[i];
		unsigned char le[8];

		switch (fs[i].type) {
		case VF_U:
		case VF_STR:
			view_buf_uleb(b, v);
			break;
		case VF_S:
			view_buf_sleb(b, (int64_t)v);
			break;
		case VF_ID:
			view_buf_uleb(b, v & 0xffffffffu);
			view_buf_uleb(b, v >> 32);
			break;
		case VF_F64:
			for (int k = 0; k < 8; k++)
				le[k] = v >> (8 * k);
			view_buf_put(b, le, 8);
			break;
		case VF_BYTES:
			view_buf_uleb(b, it->bytes_len);
			view_buf_put(b, it->bytes, it->bytes_len);
			break;
		}
	}
}

/* -------------------------------------------------------- decoding */

struct rd {
	const unsigned char *p;
	size_t len, pos;
	bool bad;
};

static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		unsigned char c;

		if (r->pos >= r->len) {
			r->bad = true;
			return 0;
		}
		c = r->p[r->pos++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

size_t view_decode_item(const unsigned char *p, size_t len, unsigned int kind,
			struct view_item *it, int64_t *prev)
{
	struct rd r = { p, len, 0, false };
	const struct view_field *fs;
	unsigned int nr;
	uint64_t z;

	memset(it, 0, sizeof(*it));
	it->n = (uint32_t)rd_uleb(&r);
	z = rd_uleb(&r);
	it->begin = *prev + (int64_t)((z >> 1) ^ -(z & 1));
	it->end = it->begin + (int64_t)rd_uleb(&r);
	if (r.bad || !it->n || kind >= VK_NR)
		return 0;
	fs = fields_of(kind, it->n, &nr);
	for (unsigned int i = 0; i < nr; i++) {
		uint64_t v = 0;

		switch (fs[i].type) {
		case VF_U:
		case VF_STR:
			v = rd_uleb(&r);
			break;
		case VF_S:
			z = rd_uleb(&r);
			v = (z >> 1) ^ -(z & 1);
			break;
		case VF_ID:
			v = rd_uleb(&r) & 0xffffffffu;
			v |= rd_uleb(&r) << 32;
			break;
		case VF_F64:
			if (r.len - r.pos < 8) {
				r.bad = true;
				break;
			}
			for (int k = 0; k < 8; k++)
				v |= (uint64_t)r.p[r.pos + k] << (8 * k);
			r.pos += 8;
			break;
		case VF_BYTES:
			z = rd_uleb(&r);
			if (r.bad || z > r.len - r.pos) {
				r.bad = true;
				break;
			}
			it->bytes = (const char *)r.p + r.pos;
			it->bytes_len = (uint32_t)z;
			r.pos += z;
			break;
		}
		if (r.bad)
			return 0;
		it->f[i] = v;
	}
	*prev = it->begin;
	return r.pos;
}

/* ------------------------------------------------------ base64, JSON */

void view_base64(FILE *f, const unsigned char *p, size_t len)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4096];
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = left > 1 ? a[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? a[v & 63] : '=';
		if (o > sizeof(out) - 4) {
			fwrite(out, 1, o, f);
			o = 0;
		}
	}
	fwrite(out, 1, o, f);
}

/* Length of the valid UTF-8 sequence at @s (@n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

void view_json_str(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s) {
		fputs("null", f);
		return;
	}
	if (len == SIZE_MAX)
		len = strlen(str);
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = utf8_len(s + i, len - i);

		if (!n) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		if (n == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			fprintf(f, "\\u%04x", s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
		} else if (n > 1) {
			fwrite(s + i, 1, n, f);
		} else if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
		i += n;
	}
	fputc('"', f);
}

void view_json_copy_safe(FILE *f, const char *json, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (json[i] == '<')
			fputs("\\u003c", f);
		else if (json[i] == '>')
			fputs("\\u003e", f);
		else
			fputc(json[i], f);
	}
}
