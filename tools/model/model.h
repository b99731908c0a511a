/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * model: what the event stream means, one event at a time.
 *
 *   file --> tracefile (decode: cursor) --> model --> analyses, exporters
 *                                             |        validator, viewer
 *                                             +-- state intervals
 *                                             +-- CPU intervals
 *                                             +-- regions, tasks
 *                                             +-- wakeups, losses, anomalies
 *
 * The model is the one scheduler state machine and the one reading of
 * user regions and tasks.  It does not own the read loop: its user
 * (validator, analysis, exporter) reads the cursor and hands each event
 * to ctrace_model_feed(), as Go's internal/trace Summarizer and
 * Validator take one event at a time.  What the event completes comes
 * back through the sink's callbacks, during the call.
 *
 * Memory is O(threads + CPUs + open regions + open tasks): nothing is
 * kept per event, so a trace of any length is analysed in bounded memory.
 *
 * Definitions (docs/analysis.md has them in full):
 *   - A thread's timeline starts at the first record that makes its state
 *     known (a switch, a wakeup, the start snapshot); nothing is emitted
 *     for it before that.
 *   - RUNNING: from its switch-in to its switch-out, on that CPU.
 *   - RUNNABLE: from a wakeup (cause WAKEUP, NEW for a new thread's first
 *     one), from a switch-out while still runnable (PREEMPT when
 *     involuntary, YIELD otherwise), or from a switch-out into a sleep
 *     after a wakeup that came while it still ran (WAKEUP): to its
 *     switch-in.
 *   - SLEEPING, BLOCKED (uninterruptible), STOPPED: from the switch-out
 *     that says so to the wakeup.
 *   - UNKNOWN: after a loss (LOST record, sequence gap) on a kernel ring,
 *     every thread's state is unknown from the loss window's start (the
 *     lossy ring's last event before it) to its next defining event.  An
 *     interval cut by a loss is emitted up to the window's start with
 *     CTRACE_IV_LOSS_END.  Nothing is guessed.
 *   - A transition the state does not allow (switched in while sleeping
 *     with no wakeup, say) is an anomaly: reported to the sink, and the
 *     interval it ends is emitted as UNKNOWN (CTRACE_IV_ANOMALY), since
 *     the record that would explain it is missing.
 * Times are CLOCK_MONOTONIC ns (struct ctrace_event.ns).
 */
#ifndef CTRACE_MODEL_H
#define CTRACE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "tracefile.h"

/* States of intervals: enum ctrace_thread_state, never DEAD. */
#define CTRACE_NR_STATES	CTRACE_STATE_DEAD

/* Why a thread became RUNNABLE. */
enum ctrace_runnable_cause {
	CTRACE_CAUSE_NONE = 0,
	CTRACE_CAUSE_WAKEUP,	/* woken (before or after it got off a CPU) */
	CTRACE_CAUSE_NEW,	/* a new thread's first wakeup */
	CTRACE_CAUSE_PREEMPT,	/* switched out involuntarily */
	CTRACE_CAUSE_YIELD,	/* switched out runnable, not preempted */
};

/* struct ctrace_state_iv.flags */
#define CTRACE_IV_LOSS_END	0x0001	/* ended where a loss began */
#define CTRACE_IV_ANOMALY	0x0002	/* ended by a transition it forbids */
#define CTRACE_IV_TRACE_END	0x0004	/* still open when the trace ended */
#define CTRACE_IV_WAKER_IRQ	0x0008	/* the wakeup came from an interrupt */

/* A region as the model knows it (also the waker's region, below). */
struct ctrace_model_region {
	uint32_t tid, tgid;	/* tgid 0: not known */
	uint32_t set;		/* the ring set it was written to */
	uint16_t name_id;	/* string ID in that set */
	bool has_task;
	const char *name;	/* NULL when the string is unknown */
	uint64_t task;		/* when has_task */
	uint32_t depth;		/* 1: the outermost known */
	uint64_t begin, end;	/* ns */
	uint64_t begin_offset, end_offset;	/* file offsets of its records */
	/* ns of its time in each state, [UNKNOWN] where the thread's state
	 * was not known (no kernel records, a loss); they sum to end - begin */
	uint64_t state_ns[CTRACE_NR_STATES];
	uint32_t switches;	/* switch-outs of its thread while it was open */
	uint16_t flags;		/* CTRACE_RG_* */
};

#define CTRACE_RG_LOST		0x0001	/* a loss ended it: end is the loss */
#define CTRACE_RG_TRACE_END	0x0002	/* still open when the trace ended */

/* A system call, from its entry to its exit (syscall.c). */
struct ctrace_model_syscall {
	uint32_t tid, tgid;	/* tgid 0: not known */
	uint16_t aux;		/* the entry's: number | CTRACE_SYSCALL_F_COMPAT */
	uint16_t flags;		/* CTRACE_SC_* */
	int64_t ret;		/* the exit's return value (0 if UNENDED) */
	uint64_t begin, end;	/* ns */
	uint64_t begin_offset;	/* file offset of its entry record */
	uint64_t off_cpu_ns;	/* of it, time its thread was off its CPU */
	uint32_t switches;	/* switch-outs of its thread during it */
};

/* Its thread slept in it (switched out sleeping, blocked or stopped). */
#define CTRACE_SC_BLOCKED	0x0001
/* No exit: still open when the trace ended (end is the trace's end). */
#define CTRACE_SC_UNENDED	0x0002
/* The exit's number differs from the entry's (as a successful execve's). */
#define CTRACE_SC_NR_CHANGED	0x0004
/* With UNENDED: its thread died in it; end is its last switch-out. */
#define CTRACE_SC_DIED		0x0008

/* One interval of one thread's state. */
struct ctrace_state_iv {
	uint32_t tid, tgid;	/* tgid 0: not known */
	uint8_t state;		/* enum ctrace_thread_state, not DEAD */
	uint8_t cause;		/* RUNNABLE: enum ctrace_runnable_cause */
	uint16_t flags;		/* CTRACE_IV_* */
	/* RUNNING: its CPU; RUNNABLE from a wakeup: the CPU it was woken
	 * onto; otherwise the CPU it last ran on; UINT32_MAX: not known */
	uint32_t cpu;
	uint64_t begin, end;	/* ns */
	uint64_t begin_offset, end_offset;
	/* RUNNABLE by a wakeup: the waker, 0 for none known (or idle),
	 * CTRACE_TID_HIDDEN for another user's thread */
	uint32_t waker_tid;
	uint32_t waker_cpu;
	/* ...and its innermost open region then, if it had one (name may
	 * be NULL); valid during the callback only */
	const struct ctrace_model_region *waker_region;
};

/* One interval of one CPU: the thread it ran (0: idle). */
struct ctrace_cpu_iv {
	uint32_t cpu, tid;
	uint64_t begin, end;
	uint16_t flags;		/* CTRACE_IV_LOSS_END, CTRACE_IV_TRACE_END,
				 * CTRACE_CPU_UNTRACED */
};

/* Filtered sessions: switches among threads the session does not trace
 * are not recorded, so a CPU "running" one may have run others too. */
#define CTRACE_CPU_UNTRACED	0x0100

/* A task: a logical operation, possibly across threads, of one process. */
struct ctrace_model_task {
	uint32_t tgid, set;
	uint64_t task, parent;
	uint16_t name_id;
	const char *name;	/* NULL when unknown */
	uint64_t begin, end;
	uint32_t begin_tid, end_tid;
	uint32_t threads;	/* distinct threads that wrote for it */
	uint32_t regions, logs;	/* begun or written within it */
	uint64_t begin_offset, end_offset;
	uint16_t flags;		/* CTRACE_RG_LOST, CTRACE_RG_TRACE_END */
};

/* Every wakeup, as it happens. */
struct ctrace_model_wakeup {
	uint64_t ns, offset;
	uint32_t tid, tgid;	/* the wakee */
	uint32_t waker_tid;	/* as in struct ctrace_state_iv */
	uint32_t waker_cpu, target_cpu;
	bool irq, new_thread;
	const struct ctrace_model_region *waker_region;	/* or NULL */
};

/*
 * A loss: events of one ring are missing between its event before and
 * this one (@from, or from its beginning when !has_from).  Kernel rings'
 * losses make every thread's state unknown from @from_ns; a user ring's
 * end its ring set's regions and tasks.
 */
struct ctrace_model_loss {
	uint64_t ns, ts, offset;	/* the record that shows the loss */
	bool has_from;
	uint64_t from_ns, from_ts;
	uint16_t kind;		/* enum ctrace_ring_kind of the lossy ring */
	uint32_t ring;
	size_t ring_index;	/* in the trace's rings */
	uint32_t domain;	/* 0: the scheduler's; ring set + 1 */
	/* events lost (LOST records); 0 for a sequence gap or CORRUPT */
	uint64_t count;
	uint16_t corrupt_reason;	/* CORRUPT: enum ctrace_corrupt_reason */
	uint32_t corrupt_bytes;
};

/*
 * A user event, decoded: what exporters and viewers draw.  Strings point
 * into the trace (valid while it is open); NULL when unknown.
 */
struct ctrace_model_uevent {
	uint8_t type;		/* enum ctrace_urec_type, or CTRACE_FREC_CORRUPT */
	uint32_t tid, tgid, set, cpu;
	uint64_t ns, offset;
	uint16_t name_id;	/* names (LOG: the category's) */
	const char *name;
	bool has_task;
	uint64_t task;		/* TASK_*, and others when has_task */
	uint64_t parent;	/* TASK_BEGIN */
	const char *msg;	/* LOG: the message, not NUL-terminated */
	uint32_t msg_len;
	int64_t ivalue;		/* COUNTER */
	double fvalue;		/* COUNTER_F */
	uint64_t flow;		/* FLOW_* */
	uint32_t depth;		/* REGION_*: as struct ctrace_model_region */
	bool matched;		/* *_END: its BEGIN is in the trace */
	uint64_t begin_ns;	/* ...at this time */
	char comm[CTRACE_COMM_LEN + 1];	/* THREAD: the name */
};

/*
 * Where the model's findings go.  Any callback may be NULL.  Pointers
 * passed are valid during the call only.
 */
struct ctrace_model_sink {
	void *arg;
	void (*state)(void *arg, const struct ctrace_state_iv *iv);
	void (*cpu)(void *arg, const struct ctrace_cpu_iv *iv);
	void (*region)(void *arg, const struct ctrace_model_region *r);
	void (*task)(void *arg, const struct ctrace_model_task *t);
	void (*wakeup)(void *arg, const struct ctrace_model_wakeup *w);
	void (*uevent)(void *arg, const struct ctrace_model_uevent *u);
	void (*loss)(void *arg, const struct ctrace_model_loss *l);
	void (*syscall)(void *arg, const struct ctrace_model_syscall *s);
	/*
	 * A record the state says cannot happen.  @domain: 0 for the
	 * scheduler, ring set + 1 for that set's user records.  Retractable
	 * ones may be explained by a loss reported later (another ring's
	 * LOST record, whose window reaches back), as the validator knows.
	 */
	void (*anomaly)(void *arg, const struct ctrace_event *ev,
			uint32_t domain, bool retractable, const char *msg);
};

struct ctrace_model;

/*
 * A model of @t, fed from @c (a cursor of @t that the caller reads; the
 * model asks it for thread names and which ring an event came from).
 */
int ctrace_model_new(struct ctrace_trace *t, struct ctrace_cursor *c,
		     const struct ctrace_model_sink *sink,
		     struct ctrace_model **out);
/* The next event the cursor returned.  0, or -ENOMEM (the model then
 * forgets what it cannot keep, as after a loss, and goes on). */
int ctrace_model_feed(struct ctrace_model *m, const struct ctrace_event *ev);
/* No more events: close what is open at the last event's time. */
void ctrace_model_finish(struct ctrace_model *m);
void ctrace_model_free(struct ctrace_model *m);

/* What the model knows of a thread now; false if nothing. */
struct ctrace_model_thread {
	uint32_t tid, tgid;
	uint8_t state;		/* enum ctrace_thread_state, UNKNOWN included */
	uint32_t cpu;		/* as in struct ctrace_state_iv */
	uint64_t since;		/* ns */
	uint32_t depth;		/* open regions */
	const char *comm;	/* NULL if not named */
};

bool ctrace_model_thread(const struct ctrace_model *m, uint32_t tid,
			 struct ctrace_model_thread *out);
/* Its innermost open region, if it has one (state_ns not filled). */
bool ctrace_model_open_region(const struct ctrace_model *m, uint32_t tid,
			      struct ctrace_model_region *out);

/* Threads runnable now (waiting for a CPU): all of them (@cpu is
 * UINT32_MAX), or those woken onto or preempted on @cpu. */
uint32_t ctrace_model_nr_runnable(const struct ctrace_model *m, uint32_t cpu);

/* Bytes of memory the model holds now (for tests and benchmarks: it
 * must not grow with the number of events). */
size_t ctrace_model_footprint(const struct ctrace_model *m);

/* Whether @tid is inside a region of task @task now (at any depth);
 * @since, if not NULL, gets when the outermost such region began. */
bool ctrace_model_in_task(const struct ctrace_model *m, uint32_t tid,
			  uint64_t task, uint64_t *since);

/* Time span of the events fed so far: first and last ns (0 if none). */
uint64_t ctrace_model_first_ns(const struct ctrace_model *m);
uint64_t ctrace_model_last_ns(const struct ctrace_model *m);

/* Names for the states and causes ("running", "runnable", "sleeping",
 * "uninterruptible", "stopped", "unknown"; "wakeup", "new", ...). */
const char *ctrace_state_name(unsigned int state);
const char *ctrace_cause_name(unsigned int cause);

#endif
