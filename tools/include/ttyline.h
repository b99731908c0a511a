/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A progress line on a terminal, the one way every tool draws it
 * (ctrace-dump's recording, the ctrace subcommands' reading: progress.c).
 *
 *   \rctrace export: 37% (104 of 283 MB)        redrawn in place on stderr,
 *   \r                                  \r      and blanked when it is done
 *
 * Only when stderr is a terminal and the user did not ask for quiet
 * (-q): on a file or a pipe nothing at all is written, not even a '\r'.
 * A redraw is due at most every @interval seconds, and the first one only
 * after @interval: an operation shorter than that shows nothing.
 * CTRACE_PROGRESS_INTERVAL (seconds, 0 to 3600) sets the interval for
 * every tool, for tests that need a small file to show an update (0:
 * every time the caller asks).  Blanking with spaces rather than an ANSI
 * erase works on any terminal; lines are kept short, so none wraps.
 */
#ifndef CTRACE_TTYLINE_H
#define CTRACE_TTYLINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ttyline {
	bool on;
	double interval;	/* seconds between redraws */
	double last;		/* when it was last drawn (or started) */
	int len;		/* characters on the line now, 0 if blank */
	FILE *to;		/* where ttyline_stream() writes */
};

static inline double ttyline_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void ttyline_init(struct ttyline *l, bool quiet, double interval)
{
	const char *s = getenv("CTRACE_PROGRESS_INTERVAL");
	char *end;
	double v;

	if (s && *s) {
		v = strtod(s, &end);
		if (!*end && v >= 0 && v <= 3600)
			interval = v;
	}
	*l = (struct ttyline){
		.on = !quiet && isatty(STDERR_FILENO),
		.interval = interval,
		.last = ttyline_now(),
	};
}

/* True when a redraw is wanted now (it does not draw). */
static inline bool ttyline_due(const struct ttyline *l)
{
	return l->on && ttyline_now() - l->last >= l->interval;
}

/* Draw the line (whether due or not; callers check ttyline_due()). */
static inline void __attribute__((format(printf, 2, 3)))
ttyline_show(struct ttyline *l, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	int n;

	if (!l->on)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	/* Spaces over what a longer line before left behind. */
	fprintf(stderr, "\r%s%*s", buf, l->len > n ? l->len - n : 0, "");
	if (l->len > n)
		fprintf(stderr, "\r%s", buf);
	fflush(stderr);
	l->len = n;
	l->last = ttyline_now();
}

/* Blank the line and go back to its start, so what follows is clean. */
static inline void ttyline_clear(struct ttyline *l)
{
	if (!l->on || !l->len)
		return;
	fprintf(stderr, "\r%*s\r", l->len, "");
	fflush(stderr);
	l->len = 0;
}

static inline ssize_t ttyline_write_(void *cookie, const char *buf, size_t n)
{
	struct ttyline *l = cookie;

	ttyline_clear(l);
	if (fwrite(buf, 1, n, l->to) != n || fflush(l->to))
		return -1;
	return n;
}

/*
 * For messages that may come while the line is up (a flight recorder's
 * snapshots, a validator's violations): a line-buffered stream into @to
 * (stdout or stderr) that blanks the line before each write; @to itself
 * when there is no line.  One such stream per line at a time; fclose()
 * it (never @to) when done.
 */
static inline FILE *ttyline_stream(struct ttyline *l, FILE *to)
{
	static const cookie_io_functions_t io = { .write = ttyline_write_ };
	FILE *f;

	if (!l->on)
		return to;
	l->to = to;
	f = fopencookie(l, "w", io);
	if (!f)
		return to;
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

#endif
