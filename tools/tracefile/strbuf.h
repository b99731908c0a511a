/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * strbuf: a bounded string builder for lines of text, and the quoting of
 * strings that come from a trace (strbuf.c).
 */
#ifndef CTRACE_STRBUF_H
#define CTRACE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracefile.h"

struct ctrace_sb {
	char *p;
	size_t cap, len;	/* p holds len bytes and a NUL, len < cap */
};

void ctrace_sb_putc(struct ctrace_sb *b, char c);
void ctrace_sb_printf(struct ctrace_sb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A space before every field but the first. */
void ctrace_sb_sep(struct ctrace_sb *b);
/* "..." with C escapes: one line, and unambiguous to split on spaces. */
void ctrace_sb_quoted(struct ctrace_sb *b, const char *s, size_t n);
/* A name: plain as it is, else quoted. */
void ctrace_sb_text(struct ctrace_sb *b, const char *s, size_t n);
/* String @id of ring set @set as a name, "#<id>" when unknown. */
void ctrace_sb_name(struct ctrace_sb *b, const struct ctrace_trace *t,
		    uint32_t set, uint32_t id);

#endif
