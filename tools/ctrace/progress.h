/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTRACE_PROGRESS_H
#define CTRACE_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

/*
 * How far a subcommand is in reading its trace files, on stderr when it
 * is a terminal (progress.c).  progress_begin() before opening the
 * files; progress_end() once reading is over (it blanks the line).
 */
void progress_begin(const char *prog, bool quiet);
void progress_end(void);
/*
 * Where to print results that come during a pass (validate's
 * violations): stdout, or when stdout is the terminal the line is on, a
 * line-buffered stream into it that blanks the line before each write.
 * Close it with progress_close_stdout().
 */
FILE *progress_stdout(void);
void progress_close_stdout(FILE *f);

#endif
