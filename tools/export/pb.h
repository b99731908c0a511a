/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * pb: the protobuf wire format, written by hand for the Perfetto exporter.
 *
 * Only what the exporter writes:
 *
 *   key   = field << 3 | wire type      0 varint, 1 fixed64, 2 length
 *   varint: 7 bits a byte, low first, high bit = more follow
 *   int32/int64: the two's complement value as a 64-bit varint (so a
 *         negative int32 takes 10 bytes, as every protobuf encoder does)
 *   string, bytes, nested message: key, varint length, bytes
 *
 * A nested message's length is known only when it ends.  pb_begin()
 * keeps one byte for it, all that a body below 128 bytes needs, which
 * most are (an event, a packet of one); pb_end() writes the length there,
 * or, for a longer body (a bundle of events, a ProcessTree), moves the
 * body up by the bytes its length needs more.  Either way the output is
 * minimal, byte for byte what any protobuf encoder writes.
 *
 *   pb_begin:  ... key [r]                  mark = offset of r
 *   pb_end:    ... key [len] body...        (body moved |len| - 1 bytes up)
 *
 * A buffer that cannot grow sets @oom and ignores what follows; callers
 * check it once per packet rather than after every field.
 */
#ifndef CTRACE_EXPORT_PB_H
#define CTRACE_EXPORT_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PB_WT_VARINT	0
#define PB_WT_FIXED64	1
#define PB_WT_LEN	2

#define PB_VARINT_MAX	10

struct pb_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

/* Room for @n more bytes; false (and oom set) if there is none. */
bool pb_grow(struct pb_buf *b, size_t n);
void pb_free(struct pb_buf *b);

static inline bool pb_room(struct pb_buf *b, size_t n)
{
	return b->cap - b->len >= n || pb_grow(b, n);
}

static inline void pb_reset(struct pb_buf *b)
{
	b->len = 0;
	b->oom = false;
}

static inline size_t pb_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Encode @v at @p (room for PB_VARINT_MAX); returns the bytes written. */
static inline size_t pb_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline void pb_varint(struct pb_buf *b, uint64_t v)
{
	if (pb_room(b, PB_VARINT_MAX))
		b->len += pb_put_varint(b->p + b->len, v);
}

static inline void pb_key(struct pb_buf *b, uint32_t field, unsigned int wt)
{
	pb_varint(b, (uint64_t)field << 3 | wt);
}

/* uint32, uint64, bool, enum */
static inline void pb_uint(struct pb_buf *b, uint32_t field, uint64_t v)
{
	pb_key(b, field, PB_WT_VARINT);
	pb_varint(b, v);
}

/* int32, int64: the value sign-extended to 64 bits. */
static inline void pb_int(struct pb_buf *b, uint32_t field, int64_t v)
{
	pb_uint(b, field, (uint64_t)v);
}

static inline void pb_fixed64(struct pb_buf *b, uint32_t field, uint64_t v)
{
	pb_key(b, field, PB_WT_FIXED64);
	if (pb_room(b, 8)) {
		for (int i = 0; i < 8; i++)
			b->p[b->len++] = (uint8_t)(v >> (8 * i));
	}
}

static inline void pb_double(struct pb_buf *b, uint32_t field, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	pb_fixed64(b, field, v);
}


/* Bytes already encoded (a run of fields built elsewhere). */
static inline void pb_raw(struct pb_buf *b, const void *p, size_t n)
{
	/* n may be 0 with p NULL (an empty buffer): memcpy may not see it */
	if (n && pb_room(b, n)) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
	}
}

static inline void pb_bytes(struct pb_buf *b, uint32_t field, const void *p,
			    size_t n)
{
	pb_key(b, field, PB_WT_LEN);
	pb_varint(b, n);
	pb_raw(b, p, n);
}

/*
 * A string field: protobuf strings are UTF-8, and decoders (protoc among
 * them) reject or complain about anything else, while thread names and
 * log messages are whatever bytes a program wrote.  Valid UTF-8 goes out
 * as it is; anything else with each byte that breaks it replaced by '?'.
 */
void pb_string_n(struct pb_buf *b, uint32_t field, const char *s, size_t n);

static inline void pb_string(struct pb_buf *b, uint32_t field, const char *s)
{
	pb_string_n(b, field, s, strlen(s));
}

/* The length of the valid UTF-8 prefix of s[0..n). */
size_t pb_utf8_prefix(const uint8_t *s, size_t n);

/* Open a nested message (or any length-delimited field written piecewise). */
static inline size_t pb_begin(struct pb_buf *b, uint32_t field)
{
	size_t mark;

	pb_key(b, field, PB_WT_LEN);
	mark = b->len;
	if (pb_room(b, 1))
		b->len++;
	return mark;
}

/* Close what pb_begin() opened at @mark. */
static inline void pb_end(struct pb_buf *b, size_t mark)
{
	size_t body, n;

	if (b->oom)
		return;
	body = b->len - mark - 1;
	if (body < 0x80) {
		b->p[mark] = (uint8_t)body;
		return;
	}
	n = pb_varint_size(body);
	if (!pb_room(b, n - 1))
		return;
	memmove(b->p + mark + n, b->p + mark + 1, body);
	pb_put_varint(b->p + mark, body);
	b->len += n - 1;
}

#endif
