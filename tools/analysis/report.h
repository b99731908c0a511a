/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * report: the questions `go tool trace` answers, for native threads, from
 * one streaming pass over a trace (the model's intervals, tools/model).
 *
 *   threads   per thread and process: time Running, Runnable (waiting for
 *             a CPU), Sleeping, Uninterruptible, Stopped, Unknown;
 *             switches, preemptions, voluntary switches, wakeups,
 *             migrations                      (Go: goroutine analysis)
 *   latency   wakeup -> running and preempted -> running, overall and per
 *             thread: percentiles, histogram  (Go: scheduler latency)
 *   regions   per region name: count, duration percentiles, and the split
 *             of region time into the thread's states; the slowest ones
 *                                             (Go: user-defined regions)
 *   tasks     per task name: count, duration percentiles, threads
 *             touched, regions and logs inside (Go: user-defined tasks)
 *   wakeups   who woke whom, the latency it led to, and the waker's open
 *             region then
 *   cpus      busy and idle per CPU; threads waiting for a CPU
 *   syscalls  per system call: count, duration percentiles, time off the
 *             CPU, blocking calls, errors; per thread: time in syscalls
 *
 * Every figure's definition is in docs/analysis.md.  Memory is O(threads
 * + CPUs + region and task names + waker/wakee pairs), never O(events).
 */
#ifndef CTRACE_REPORT_H
#define CTRACE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "model.h"
#include "tracefile.h"

#define CTRACE_RS_THREADS	0x01
#define CTRACE_RS_LATENCY	0x02
#define CTRACE_RS_REGIONS	0x04
#define CTRACE_RS_TASKS		0x08
#define CTRACE_RS_WAKEUPS	0x10
#define CTRACE_RS_CPUS		0x20
#define CTRACE_RS_SYSCALLS	0x40
#define CTRACE_RS_ALL		0x7f

struct ctrace_report_opts {
	unsigned int sections;	/* CTRACE_RS_*, what to print */
	unsigned int top;	/* rows per table, 0: all */
	/* The slowest instances of this region name (as many as top). */
	const char *region;
	/* One task's story: its events in time order, across threads,
	 * written to @story during the pass. */
	bool has_task;
	uint64_t task;
	FILE *story;
	/* Only this window of CLOCK_MONOTONIC ns (both 0: all): intervals
	 * are clipped to it, regions and tasks counted if they end in it. */
	uint64_t from_ns, to_ns;
};

/* A region instance (the slowest ones are kept per name). */
struct ctrace_report_instance {
	uint64_t begin, end;
	uint32_t tid, tgid;
	bool has_task;
	uint64_t task;
	uint64_t state_ns[CTRACE_NR_STATES];
};

struct ctrace_report_thread {
	uint32_t tid, tgid;
	char comm[CTRACE_COMM_LEN + 1];
	uint64_t state_ns[CTRACE_NR_STATES];
	uint64_t switches;	/* switch-outs */
	uint64_t preemptions;	/* ...involuntary, still runnable */
	uint64_t voluntary;	/* ...into a sleep, block or stop */
	uint64_t wakeups;	/* times it was woken */
	uint64_t migrations;	/* runs on a CPU other than its last one */
	uint64_t syscalls, syscall_ns;	/* ended in the window; their time */
	uint64_t blocking_syscalls;	/* ...of which it slept in */
	struct ctrace_hist wake_latency;	/* wakeup -> running */
	struct ctrace_hist preempt_latency;	/* preempted -> running */
	uint32_t last_cpu;	/* UINT32_MAX: none yet */
};

struct ctrace_report_region {
	const char *name;	/* "#ID" made up when the string is unknown */
	uint64_t count;		/* complete instances (begin and end seen) */
	uint64_t incomplete;	/* ended by a loss, an exit or the trace end */
	struct ctrace_hist duration;
	uint64_t state_ns[CTRACE_NR_STATES];
	uint64_t switches;
	struct ctrace_report_instance *slowest;	/* top, slowest first */
	uint32_t nr_slowest;
};

struct ctrace_report_task {
	const char *name;
	uint64_t count, incomplete;
	struct ctrace_hist duration;
	uint64_t threads, threads_max;	/* summed over instances, most */
	uint64_t regions, logs;
};

struct ctrace_report_wakeup {
	uint32_t waker, wakee;		/* tids; 0: an interrupt or idle */
	char waker_comm[CTRACE_COMM_LEN + 1], wakee_comm[CTRACE_COMM_LEN + 1];
	const char *waker_region;	/* its innermost open one, or NULL */
	uint64_t count;			/* wakeups */
	uint64_t woke;			/* ...after which it waited for a CPU */
	uint64_t latency_ns, latency_max;	/* that wait, summed, longest */
};

struct ctrace_report_syscall {
	uint16_t aux;			/* number | CTRACE_SYSCALL_F_COMPAT */
	char name[24];
	uint64_t count;			/* entry and exit seen, exit in the window */
	uint64_t unended;		/* still in it at the trace's end */
	uint64_t errors;		/* returned -4095..-1 */
	uint64_t blocking;		/* the thread slept in it */
	uint64_t off_cpu_ns;		/* of their time, off the CPU */
	struct ctrace_hist duration;
};

struct ctrace_report_cpu {
	uint32_t cpu;
	uint64_t busy_ns, idle_ns;	/* the rest of the span is unknown */
	uint64_t runnable_ns;	/* thread-ns waiting to run on it */
	uint64_t switches;
};

struct ctrace_report {
	struct ctrace_trace *t;
	struct ctrace_report_opts opts;
	uint64_t first_ns, last_ns;	/* the span (clipped to the window) */
	uint64_t events, lost_events, losses;
	uint64_t unknown_ns;		/* thread-ns of UNKNOWN intervals */

	struct ctrace_report_thread *threads;
	size_t nr_threads;
	struct ctrace_hist wake_latency, preempt_latency;

	struct ctrace_report_region *regions;
	size_t nr_regions;
	struct ctrace_report_task *tasks;
	size_t nr_tasks;
	struct ctrace_report_wakeup *wakeups;
	size_t nr_wakeups;
	struct ctrace_report_cpu *cpus;
	size_t nr_cpus;
	struct ctrace_report_syscall *syscalls;
	size_t nr_syscalls;
	/* ns during which N threads were runnable at once ([64]: 64 or more) */
	uint64_t runnable_time[65];

	void *priv;		/* lookup tables */
};

/* One pass over @t.  0, or <0 after saying why on @err (a corrupt file:
 * what decoded is still reported). */
int ctrace_report_run(struct ctrace_trace *t, const struct ctrace_report_opts *o,
		      struct ctrace_report **out, FILE *err);
void ctrace_report_text(const struct ctrace_report *r, FILE *out);
void ctrace_report_json(const struct ctrace_report *r, FILE *out);
void ctrace_report_free(struct ctrace_report *r);

/* Lookups (NULL if absent). */
const struct ctrace_report_thread *
ctrace_report_find_thread(const struct ctrace_report *r, uint32_t tid);
const struct ctrace_report_region *
ctrace_report_find_region(const struct ctrace_report *r, const char *name);
const struct ctrace_report_task *
ctrace_report_find_task(const struct ctrace_report *r, const char *name);
const struct ctrace_report_cpu *
ctrace_report_find_cpu(const struct ctrace_report *r, uint32_t cpu);

/* Bytes of memory the report holds (for the memory bound). */
size_t ctrace_report_footprint(const struct ctrace_report *r);

#endif
