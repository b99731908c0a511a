/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * What the model's files share: one record per thread (its scheduler
 * state and its open regions together, since a region's time is split by
 * its thread's states), one per CPU, one per ring, and the open tasks.
 *
 *   struct ctrace_model
 *     threads[] (tid -> index: thread_map) .. struct mthread
 *        scheduler: vs, since, cpu, cause, waker        (sched.c)
 *        user: ring set, epoch, stack[] of open regions  (user.c)
 *        live list: threads whose state interval is open, so that a loss
 *        closes exactly those (O(live threads) per loss, not O(threads))
 *     cpus[] (CPU number -> index: cpu_map) .. struct mcpu
 *     rings[] (ring index in the trace) ....... struct mring
 *     tasks[] open addressing, deleted when they end .. struct mtask
 *     set_epochs[] per ring set: a loss on a set starts a new epoch, and
 *        a thread's regions count only while their epoch is current
 */
#ifndef CTRACE_MODEL_INTERNAL_H
#define CTRACE_MODEL_INTERNAL_H

#include <stdarg.h>

#include "model.h"
#include "ctrace_map.h"
#include "recdesc.h"

/* The scheduler's view of a thread (the validator's, extended). */
enum mstate {
	MS_UNKNOWN,	/* allows anything; the next event makes it known */
	MS_RUNNING,
	MS_RUNNABLE,
	MS_WAITING,	/* sleeping, blocked or stopped: wait_state says */
	MS_NEW,		/* forked, not woken yet */
	MS_DEAD,
};

struct mregion {
	uint16_t name;
	bool has_task;
	uint64_t task;
	uint64_t begin, offset;
	uint64_t state_ns[CTRACE_NR_STATES];
	uint32_t switches;
};

/* The waker of a pending or current RUNNABLE, and its region then. */
struct mwaker {
	uint32_t tid, cpu;
	bool irq, has_region;
	struct ctrace_model_region region;
};

struct mthread {
	uint32_t tid;
	bool traced;		/* filtered sessions: known to be traced */
	uint8_t vs;		/* enum mstate */
	uint8_t wait_state;	/* MS_WAITING: enum ctrace_thread_state */
	uint8_t cause;		/* MS_RUNNABLE: enum ctrace_runnable_cause */
	bool woken;		/* a wakeup arrived while it still ran */
	bool soft;		/* the state came from the start snapshot */
	bool known;		/* its timeline has begun */
	bool runnable_unsure;	/* RUNNABLE from a wakeup of an UNKNOWN */
	uint32_t cpu;
	uint64_t since;		/* ns */
	uint64_t since_off;	/* offset of the event that set the state */
	struct mwaker waker;	/* MS_RUNNABLE by a wakeup, or woken */
	uint32_t live_prev, live_next;	/* UINT32_MAX: none; in_live says */
	bool in_live;
	bool rq;		/* counted in nr_runnable */
	uint32_t rq_cpu;	/* ...and in this CPU's, or UINT32_MAX */

	/* user records */
	uint32_t utgid;		/* from user THREAD records; 0: unknown */
	uint32_t set;		/* the ring set it writes to */
	uint64_t uepoch;	/* its stack is valid while this is the set's */
	struct mregion *stack;	/* open regions, innermost last */
	uint32_t depth, cap;

	/* syscall.c: the system call it is in */
	bool in_sys, sys_slept;
	uint16_t sys_aux;	/* SYSCALL_ENTER's: the number, ia32 flag */
	uint32_t sys_switches;
	uint64_t sys_begin, sys_begin_off;
	uint64_t sys_out;	/* ns it switched out, 0: on its CPU */
	uint64_t sys_off_ns;	/* time off its CPU so far */
};

struct mcpu {
	uint32_t cpu;
	uint32_t nr_runnable;	/* threads runnable on it (rq_cpu) */
	bool known;		/* cur is known */
	bool soft;		/* ...from the start snapshot only */
	bool untraced;		/* cur is a thread the session does not trace */
	uint32_t cur;
	uint64_t since;
};

struct mring {
	uint64_t last_ts, last_ns;	/* of its last event */
	uint64_t next_seq;
	bool started;
	bool corrupt_open;	/* USER: a CORRUPT's window lasts to the next */
};

struct mtask {
	bool used;
	uint32_t set, tgid;
	uint64_t task, parent;
	uint64_t begin, offset;
	uint16_t name;
	uint32_t begin_tid;
	uint32_t regions, logs;
	uint32_t *tids;		/* distinct writers */
	uint32_t nr_tids, cap_tids;
};

struct ctrace_model {
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	struct ctrace_model_sink sink;
	bool sched;		/* scheduler checks apply (not a cgroup session) */
	bool filtered;		/* ...only to the threads known to be traced */
	bool wakeups;		/* wakeups are recorded */
	/*
	 * A flight recorder's window (META flight=1): every ring was cut at
	 * the same drain, so a ring's first event is where it starts, not a
	 * loss after some other ring's start (the restatement that follows
	 * would be undone by one).
	 */
	bool window;

	struct mthread *threads;
	size_t nr_threads, threads_cap;
	struct ctrace_map thread_map;
	uint32_t live_head;	/* UINT32_MAX: empty */
	uint32_t nr_runnable;	/* threads in MS_RUNNABLE */

	struct mcpu *cpus;
	size_t nr_cpus, cpus_cap;
	struct ctrace_map cpu_map;

	struct mring *rings;	/* by ring index in t */

	struct mtask *tasks;	/* open addressing; deleted when they end */
	size_t tasks_mask, nr_tasks;

	uint64_t *set_epochs;	/* per t->usets[] position */
	size_t nr_sets;
	uint64_t next_epoch;

	uint64_t first_ns, last_ns;
	bool any;
	bool oom;		/* out of memory at least once */
};

/* model.c */
void mdl_anomaly(struct ctrace_model *m, const struct ctrace_event *ev,
		 uint32_t domain, bool retractable, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
struct mthread *mdl_thread(struct ctrace_model *m, uint32_t tid);
struct mthread *mdl_thread_find(const struct ctrace_model *m, uint32_t tid);
/* "comm:tid", "swapper:0", "hidden:?" */
const char *mdl_name(const struct ctrace_model *m, uint32_t tid, char *buf,
		     size_t len);
uint32_t mdl_tgid(const struct ctrace_model *m, const struct mthread *th);

/* sched.c */
void model_sched_event(struct ctrace_model *m, const struct ctrace_event *ev);
/* A loss on a kernel ring: what was known ends at @from. */
void model_sched_loss(struct ctrace_model *m, uint64_t from);
void model_sched_finish(struct ctrace_model *m, uint64_t end);
/* The public state of @th now (ctrace_thread_state). */
uint8_t model_sched_state(const struct mthread *th);
void model_sched_live_remove(struct ctrace_model *m, struct mthread *th);
/* Count @th runnable on its CPU (th->cpu), or stop counting it. */
void model_sched_rq_update(struct ctrace_model *m, struct mthread *th);

/* syscall.c */
void model_syscall_event(struct ctrace_model *m, const struct ctrace_event *ev);
void model_syscall_switched_out(struct ctrace_model *m, struct mthread *th,
				uint64_t ns, uint8_t state);
void model_syscall_switched_in(struct mthread *th, uint64_t ns);
void model_syscall_loss(struct ctrace_model *m);
void model_syscall_finish(struct ctrace_model *m, uint64_t end);

/* user.c */
int model_user_init(struct ctrace_model *m);
void model_user_free(struct ctrace_model *m);
void model_user_event(struct ctrace_model *m, const struct ctrace_event *ev);
/* Kernel records that end threads or processes (EXIT, FORK). */
void model_user_kernel_event(struct ctrace_model *m, const struct ctrace_event *ev);
void model_user_loss(struct ctrace_model *m, uint32_t set, uint64_t at);
void model_user_finish(struct ctrace_model *m, uint64_t end);
/* A thread's regions are valid (their set's epoch is current). */
bool model_user_stack_valid(const struct ctrace_model *m, const struct mthread *th);
/* Time in state @state over [a, b) goes to each of @th's open regions. */
void model_user_account(struct ctrace_model *m, struct mthread *th, uint8_t state,
		  uint64_t a, uint64_t b);
/* Every open region of @th sees its thread switch out. */
void model_user_switched_out(struct ctrace_model *m, struct mthread *th);
/* The public view of @th's innermost open region. */
bool model_user_open_region(const struct ctrace_model *m, const struct mthread *th,
		      struct ctrace_model_region *out);

#endif
