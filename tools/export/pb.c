// SPDX-License-Identifier: LGPL-2.1
/*
 * pb: what of the protobuf writer is not worth inlining (pb.h): growing a
 * buffer, and making strings valid UTF-8.
 */
#include <stdlib.h>

#include "pb.h"

bool pb_grow(struct pb_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	void *p;

	if (b->oom)
		return false;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			goto oom;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto oom;
	b->p = p;
	b->cap = cap;
	return true;
oom:
	b->oom = true;
	return false;
}

void pb_free(struct pb_buf *b)
{
	free(b->p);
	*b = (struct pb_buf){ 0 };
}

/*
 * UTF-8 as RFC 3629 has it: no overlong forms, no surrogates, nothing
 * above U+10FFFF.  The second byte's range depends on the first.
 */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

size_t pb_utf8_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		/* ASCII runs are the common case: no table, no branches. */
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(s + i, n - i);
		if (!k)
			break;
		i += k;
	}
	return i;
}

void pb_string_n(struct pb_buf *b, uint32_t field, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t ok = pb_utf8_prefix(s, n), i;

	if (ok == n) {
		pb_bytes(b, field, s, n);
		return;
	}
	/* The repaired string is never longer than the original. */
	pb_key(b, field, PB_WT_LEN);
	pb_varint(b, n);
	if (!pb_room(b, n))
		return;
	memcpy(b->p + b->len, s, ok);
	b->len += ok;
	for (i = ok; i < n;) {
		size_t k = utf8_seq(s + i, n - i);

		if (k) {
			memcpy(b->p + b->len, s + i, k);
			b->len += k;
			i += k;
		} else {
			b->p[b->len++] = '?';
			i++;
		}
	}
}
