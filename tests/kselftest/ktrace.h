/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding traces in the kernel tests: open a file with the tracefile
 * library, validate it (every decoded trace is), and walk its events.
 */
#ifndef CTRACE_KTRACE_H
#define CTRACE_KTRACE_H

#include <stdio.h>
#include <string.h>

#include "tracefile.h"

/* Open @path; on failure print why to stderr and return NULL. */
static inline struct ctrace_trace *kt_open(const char *path)
{
	struct ctrace_trace *t;
	char err[512];

	if (ctrace_trace_open(path, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "# cannot open %s: %s\n", path, err);
		return NULL;
	}
	return t;
}

/* Run the validator; print violations.  Returns the number found. */
static inline unsigned int kt_validate(struct ctrace_trace *t)
{
	struct ctrace_validation v;

	if (ctrace_validate(t, &v, stderr) == 0)
		return 0;
	fprintf(stderr, "# validation: %u errors, first: %s\n", v.errors,
		v.first_error);
	return v.errors ? v.errors : 1;
}

/* The name the trace gives @tid as of cursor @c, or "". */
static inline const char *kt_comm(const struct ctrace_cursor *c, uint32_t tid)
{
	const struct ctrace_thread *th = ctrace_cursor_thread(c, tid);

	return th ? th->comm : "";
}

#define KT_REC(ev, type) ((const type *)(ev)->rec)

#endif
