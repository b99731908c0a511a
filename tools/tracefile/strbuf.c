// SPDX-License-Identifier: LGPL-2.1
/*
 * Strings from a trace as text: a bounded builder (what does not fit is
 * cut, never overflows), and the one way a string the program wrote is
 * shown in a line: as it is when plain, else quoted with C escapes, so a
 * line is always one line and splits on spaces.  text.c's event lines
 * and the model's messages both use it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

void ctrace_sb_putc(struct ctrace_sb *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
	}
}

void ctrace_sb_printf(struct ctrace_sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

/* A space before every field but the first. */
void ctrace_sb_sep(struct ctrace_sb *b)
{
	if (b->len)
		ctrace_sb_putc(b, ' ');
}

/* "..." with C escapes: one line, and unambiguous to split on spaces. */
void ctrace_sb_quoted(struct ctrace_sb *b, const char *s, size_t n)
{
	ctrace_sb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"':
			ctrace_sb_printf(b, "\\\"");
			break;
		case '\\':
			ctrace_sb_printf(b, "\\\\");
			break;
		case '\n':
			ctrace_sb_printf(b, "\\n");
			break;
		case '\t':
			ctrace_sb_printf(b, "\\t");
			break;
		case '\r':
			ctrace_sb_printf(b, "\\r");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				ctrace_sb_printf(b, "\\x%02x", c);
			else
				ctrace_sb_putc(b, (char)c);
			break;
		}
	}
	ctrace_sb_putc(b, '"');
}

static bool plain(const char *s, size_t n)
{
	if (!n || s[0] == '#')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '=')
			return false;
	}
	return true;
}

/* A name: plain as it is, else quoted. */
void ctrace_sb_text(struct ctrace_sb *b, const char *s, size_t n)
{
	if (plain(s, n)) {
		for (size_t i = 0; i < n; i++)
			ctrace_sb_putc(b, s[i]);
	} else {
		ctrace_sb_quoted(b, s, n);
	}
}

void ctrace_sb_name(struct ctrace_sb *b, const struct ctrace_trace *t, uint32_t set,
		    uint32_t id)
{
	const char *s = ctrace_trace_string(t, set, id);

	if (!s)
		ctrace_sb_printf(b, "#%u", id);
	else
		ctrace_sb_text(b, s, strlen(s));
}

void ctrace_ustr_name(const struct ctrace_trace *t, uint32_t set, uint32_t id,
		      char *buf, size_t len)
{
	struct ctrace_sb b = { buf, len, 0 };

	if (!len)
		return;
	buf[0] = '\0';
	ctrace_sb_name(&b, t, set, id);
}

