/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * analysis: consumers of the model (tools/model) that answer questions
 * about a trace.
 *
 *   validate.c      the invariants every decoded trace must satisfy
 *   text.c          one line per event, and the summary (ctrace report)
 *   report.c        the analyses: threads, latency, regions, tasks,
 *                   wakeups, CPUs (report.h), printed by report_print.c
 *   hist.c          the log-linear histogram behind the percentiles
 */
#ifndef CTRACE_ANALYSIS_H
#define CTRACE_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tracefile.h"

/* ------------------------------------------------------------------------
 * Validation: what every decoded trace must satisfy (tests run it on every
 * trace they decode; `ctrace validate` runs it by hand).
 *
 *  - per ring, timestamps never decrease and the event sequence has no
 *    gap that a LOST record does not account for; chunk sequence numbers
 *    are contiguous; STATS agree with what was decoded (events read equal
 *    events recorded; lost read plus unreported equal lost);
 *  - per thread, scheduler transitions are legal: switched in only when
 *    runnable (preempted, or woken since it went to sleep), switched out
 *    only from the CPU it runs on, never on two CPUs at once, never after
 *    it died; the switch-out on a CPU names the thread the previous
 *    switch-in there put on it.  Losses make the affected state unknown
 *    rather than wrong.
 *  - user rings: sequence and STATS as above (timestamps may go back a
 *    little: the reader raises them); per thread, a REGION_END closes the
 *    innermost open REGION_BEGIN (same name, same task if both give one;
 *    with none open it closes one begun before the recording); a
 *    TASK_BEGIN does not reuse a task ID of its process still open.  A
 *    loss on a ring set (LOST, CORRUPT, a gap) forgets what was known of
 *    its threads and tasks, and retracts what it may explain.  META
 *    user_only=1 with kernel rings is a violation.
 */
struct ctrace_validation {
	uint64_t events;	/* events checked (CORRUPT records included) */
	uint64_t lost;		/* lost events, all rings */
	uint64_t switches;
	uint64_t wakeups;
	unsigned int errors;	/* violations found */
	char first_error[512];	/* the first, with its offset */
	uint64_t user_events;	/* of events: user records, not CORRUPT */
	uint64_t corrupt;	/* CORRUPT records */
	uint64_t corrupt_bytes;	/* the bytes they replaced */
};

/* Returns 0 when the trace is valid; -EINVAL with @v filled otherwise.
 * Each violation is also printed to @log (may be NULL). */
int ctrace_validate(struct ctrace_trace *t, struct ctrace_validation *v,
		    FILE *log);

/* ------------------------------------------------------------------------
 * Text output: one line per event, in the spirit of `perf script`:
 *
 *   <comm>-<tid> [<cpu>] <seconds>.<ns>: <event> <details>
 *
 * Seconds are CLOCK_MONOTONIC.  Returns 0, or <0 after printing what is
 * wrong with the file to @err.
 */
int ctrace_print_events(struct ctrace_trace *t, FILE *out, FILE *err);
/* CTRACE_PRINT_WALL: UTC time of day (CLOCK_REALTIME) instead of seconds. */
#define CTRACE_PRINT_WALL	0x1
/* Only the events that involve one of @tids: theirs (user events, what
 * they run), and the kernel events that name them (switched in or out,
 * woken or waking, forked, exec, exit, renamed, migrated). */
int ctrace_print_thread_events(struct ctrace_trace *t, FILE *out, FILE *err,
			       unsigned int flags, const uint32_t *tids, size_t nr_tids);
int ctrace_print_events_flags(struct ctrace_trace *t, FILE *out, FILE *err,
			      unsigned int flags);
/*
 * What a trace holds, for `ctrace report`: where and how it was recorded,
 * duration, events by type, per ring events/lost/chunks, the threads seen
 * and their names, and whether it is complete.  Returns as above.
 */
int ctrace_print_summary(struct ctrace_trace *t, FILE *out, FILE *err);

#endif
