// SPDX-License-Identifier: GPL-2.0
/*
 * The ctrace subcommands' progress line: how far they are through their
 * trace files, from the reader's progress hook (ctrace_set_progress(),
 * tracefile.h), drawn by ttyline.h on stderr when it is a terminal:
 *
 *   ctrace report: indexing 12% (34 of 283 MB)     opening: chunks checked
 *   ctrace report: 37% (104 of 283 MB)             a pass over the events
 *   ctrace report: pass 2: 64% (181 of 283 MB)     the second such pass
 *
 * The bytes are the file's while indexing and its records' in a pass
 * (records returned so far, of all of them).  A subcommand that reads a
 * file more than once (report's summary and analyses, view's index and
 * tables) makes one pass each; passes too short to show anything are
 * not numbered.  The line is blanked at the end of every pass, so output
 * that follows a pass starts on a clean line; output during a pass goes
 * through progress_stdout(), which blanks it first.
 */
#include <stdint.h>

#include "progress.h"
#include "tracefile.h"
#include "ttyline.h"

/* Redraws at most four times a second (CTRACE_PROGRESS_INTERVAL). */
#define PROGRESS_INTERVAL	0.25

static struct {
	const char *prog;
	struct ttyline line;
	uint64_t pass;		/* the library's number of the current pass */
	unsigned int reads;	/* passes over events seen making progress */
} pg;

static void on_progress(const struct ctrace_progress *p, void *arg)
{
	char pass[32] = "";
	int prec;

	(void)arg;
	if (p->end) {
		ttyline_clear(&pg.line);
		return;
	}
	if (p->pass != pg.pass) {
		pg.pass = p->pass;
		if (p->phase == CTRACE_PROGRESS_READ)
			pg.reads++;
	}
	if (!ttyline_due(&pg.line))
		return;
	if (p->phase == CTRACE_PROGRESS_INDEX)
		snprintf(pass, sizeof(pass), "indexing ");
	else if (pg.reads > 1)
		snprintf(pass, sizeof(pass), "pass %u: ", pg.reads);
	/* Whole MB, but tenths for a file under 10 MB. */
	prec = p->total < 10000000 ? 1 : 0;
	ttyline_show(&pg.line, "%s: %s%u%% (%.*f of %.*f MB)", pg.prog, pass,
		     (unsigned int)(p->done * 100 / p->total), prec, p->done / 1e6,
		     prec, p->total / 1e6);
}

FILE *progress_stdout(void)
{
	/* Elsewhere than the terminal, the line is no trouble. */
	return isatty(STDOUT_FILENO) ? ttyline_stream(&pg.line, stdout) : stdout;
}

void progress_close_stdout(FILE *f)
{
	if (f != stdout)
		fclose(f);
}

void progress_begin(const char *prog, bool quiet)
{
	pg.prog = prog;
	pg.pass = 0;
	pg.reads = 0;
	ttyline_init(&pg.line, quiet, PROGRESS_INTERVAL);
	if (pg.line.on)
		ctrace_set_progress(on_progress, NULL);
}

void progress_end(void)
{
	ctrace_set_progress(NULL, NULL);
	ttyline_clear(&pg.line);
}
