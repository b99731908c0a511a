// SPDX-License-Identifier: LGPL-2.1
/*
 * The record descriptor tables (recdesc.h): one entry per record type of
 * each family, and the few functions every consumer would otherwise write
 * again over them.
 *
 * Complete by construction.  Entries are written KREC(SWITCH) = { ... },
 * a designated initializer whose macro also counts its uses (__COUNTER__,
 * which gcc and clang have): a static_assert after each table checks one
 * entry per enum value (types are numbered 1 up, append-only), and
 * -Woverride-init (in -Wextra, an error with -Werror) refuses a type given
 * twice.  So a type added to the uapi enum without its entry here does
 * not build.  Sizes, offsets and field names come from the uapi structs
 * (sizeof, offsetof, the field's own name), so they cannot drift from it;
 * tests/unit/tracefile_recdesc_test.c checks the rest against the uapi
 * structs, entry by entry.
 */
#include <assert.h>
#include <stddef.h>

#include "recdesc.h"

#define FIXED(s)	.size = sizeof(struct s), .max_size = sizeof(struct s)
/* A field named as in its uapi struct. */
#define ARG(s, f, k)	{ #f, offsetof(struct s, f), CTRACE_RD_##k, 0, 0 }
/* A thread ID field, with its role and flags. */
#define TID(s, f, r, fl) \
	{ #f, offsetof(struct s, f), CTRACE_RD_TID, CTRACE_ROLE_##r, fl }
/* A field the uapi struct does not name (struct ctrace_urec_id64's v, or
 * the variable bytes after a struct). */
#define NAMED(n, off, k) { n, off, CTRACE_RD_##k, 0, 0 }
/* Every user record but CORRUPT: the writing thread, in the header. */
#define WRITER		TID(ctrace_urec, tid, ACTOR, 0)
#define ID64(n, k)	NAMED(n, offsetof(struct ctrace_urec_id64, v), k)

/* --------------------------------------------------------------- kernel */

enum { KREC_COUNT_FROM = __COUNTER__ };
#define KREC(t) [CTRACE_KREC_##t + 0 * __COUNTER__]

static const struct ctrace_recdesc krec[__CTRACE_KREC_MAX] = {
	KREC(PAD) = {
		/* Fills the end of the data area, whatever is left. */
		.name = "pad", .label = "pad", .type = CTRACE_KREC_PAD,
		.size = sizeof(struct ctrace_krec),
	},
	KREC(TIME) = {
		.name = "time", .label = "time", .type = CTRACE_KREC_TIME,
		FIXED(ctrace_krec_time),
		.args = { ARG(ctrace_krec_time, ts, U64) },
	},
	KREC(LOST) = {
		.name = "lost", .label = "lost", .type = CTRACE_KREC_LOST,
		FIXED(ctrace_krec_lost),
		.args = { ARG(ctrace_krec_lost, count, U64) },
	},
	KREC(CLOCK) = {
		.name = "clock", .label = "clock", .type = CTRACE_KREC_CLOCK,
		FIXED(ctrace_krec_clock), .flags = CTRACE_RD_EVENT,
		.aux = "why",
		.args = {
			ARG(ctrace_krec_clock, counter, U64),
			ARG(ctrace_krec_clock, mono, U64),
			ARG(ctrace_krec_clock, boot, U64),
			ARG(ctrace_krec_clock, real, U64),
		},
	},
	KREC(SWITCH) = {
		.name = "switch", .label = "switch", .type = CTRACE_KREC_SWITCH,
		FIXED(ctrace_krec_switch), .flags = CTRACE_RD_EVENT,
		.aux = "prev_state",
		/* Recorded when either is traced: neither one alone is. */
		.args = {
			TID(ctrace_krec_switch, prev_tid, ACTOR, 0),
			TID(ctrace_krec_switch, next_tid, SUBJECT, 0),
		},
	},
	KREC(WAKEUP) = {
		.name = "wakeup", .label = "wakeup", .type = CTRACE_KREC_WAKEUP,
		FIXED(ctrace_krec_wakeup), .flags = CTRACE_RD_EVENT,
		.aux = "target_cpu",
		.args = {
			TID(ctrace_krec_wakeup, tid, SUBJECT, CTRACE_ARG_TRACED),
			TID(ctrace_krec_wakeup, waker_tid, ACTOR, 0),
		},
	},
	KREC(FORK) = {
		.name = "fork", .label = "fork", .type = CTRACE_KREC_FORK,
		FIXED(ctrace_krec_fork), .flags = CTRACE_RD_EVENT,
		.aux = "flags",
		.args = {
			TID(ctrace_krec_fork, parent_tid, ACTOR, CTRACE_ARG_TRACED),
			TID(ctrace_krec_fork, child_tid, SUBJECT, 0),
			ARG(ctrace_krec_fork, child_tgid, TGID),
			ARG(ctrace_krec_fork, comm, COMM),
		},
	},
	KREC(EXEC) = {
		/* The file name follows, NUL-terminated, padded to 8. */
		.name = "exec", .label = "exec", .type = CTRACE_KREC_EXEC,
		.size = sizeof(struct ctrace_krec_exec) + 8,
		.flags = CTRACE_RD_EVENT | CTRACE_RD_LEADS,
		.args = {
			TID(ctrace_krec_exec, tid, ACTOR, CTRACE_ARG_TRACED),
			TID(ctrace_krec_exec, old_tid, FORMER, 0),
			ARG(ctrace_krec_exec, comm, COMM),
			NAMED("filename", sizeof(struct ctrace_krec_exec), TAIL),
		},
	},
	KREC(EXIT) = {
		.name = "exit", .label = "exit", .type = CTRACE_KREC_EXIT,
		FIXED(ctrace_krec_exit), .flags = CTRACE_RD_EVENT,
		.aux = "flags",
		.args = {
			TID(ctrace_krec_exit, tid, ACTOR, CTRACE_ARG_TRACED),
			ARG(ctrace_krec_exit, tgid, TGID),
		},
	},
	KREC(RENAME) = {
		/* Another thread may have written the name (/proc/<tid>/comm). */
		.name = "rename", .label = "rename", .type = CTRACE_KREC_RENAME,
		FIXED(ctrace_krec_rename), .flags = CTRACE_RD_EVENT,
		.args = {
			TID(ctrace_krec_rename, tid, SUBJECT, CTRACE_ARG_TRACED),
			ARG(ctrace_krec_rename, tgid, TGID),
			ARG(ctrace_krec_rename, comm, COMM),
		},
	},
	KREC(MIGRATE) = {
		.name = "migrate", .label = "migrate", .type = CTRACE_KREC_MIGRATE,
		FIXED(ctrace_krec_migrate), .flags = CTRACE_RD_EVENT,
		.aux = "dest_cpu",
		.args = {
			TID(ctrace_krec_migrate, tid, SUBJECT, CTRACE_ARG_TRACED),
			ARG(ctrace_krec_migrate, orig_cpu, CPU),
		},
	},
	KREC(THREAD) = {
		/* Traced when in the snapshot (flags), not otherwise. */
		.name = "thread", .label = "thread", .type = CTRACE_KREC_THREAD,
		FIXED(ctrace_krec_thread), .flags = CTRACE_RD_EVENT,
		.aux = "state",
		.args = {
			TID(ctrace_krec_thread, tid, SUBJECT, 0),
			ARG(ctrace_krec_thread, tgid, TGID),
			ARG(ctrace_krec_thread, cpu, CPU),
			ARG(ctrace_krec_thread, flags, U32),
			ARG(ctrace_krec_thread, comm, COMM),
		},
	},
	KREC(SYSCALL_ENTER) = {
		.name = "syscall_enter", .label = "syscall", .type = CTRACE_KREC_SYSCALL_ENTER,
		FIXED(ctrace_krec_syscall_enter),
		.flags = CTRACE_RD_EVENT | CTRACE_RD_BEGIN,
		.pair = CTRACE_KREC_SYSCALL_EXIT, .aux = "nr",
		.args = {
			TID(ctrace_krec_syscall_enter, tid, ACTOR, CTRACE_ARG_TRACED),
		},
	},
	KREC(SYSCALL_EXIT) = {
		.name = "syscall_exit", .label = "syscall", .type = CTRACE_KREC_SYSCALL_EXIT,
		FIXED(ctrace_krec_syscall_exit),
		.flags = CTRACE_RD_EVENT | CTRACE_RD_END,
		.pair = CTRACE_KREC_SYSCALL_ENTER, .aux = "nr",
		.args = {
			TID(ctrace_krec_syscall_exit, tid, ACTOR, CTRACE_ARG_TRACED),
			ARG(ctrace_krec_syscall_exit, ret, S64),
		},
	},
};

static_assert(__COUNTER__ - KREC_COUNT_FROM - 1 == __CTRACE_KREC_MAX - 1,
	      "one KREC() entry per enum ctrace_krec_type value");

/* A newer kernel's type: an event, skipped by its size (any but 0). */
static const struct ctrace_recdesc krec_unknown = {
	.name = "unknown", .label = "unknown",
	.size = sizeof(struct ctrace_krec),
	.flags = CTRACE_RD_EVENT | CTRACE_RD_UNKNOWN,
};

/* ----------------------------------------------------------------- user */

enum { UREC_COUNT_FROM = __COUNTER__ };
#define UREC(t) [CTRACE_UREC_##t + 0 * __COUNTER__]

static const struct ctrace_recdesc urec[__CTRACE_UREC_MAX] = {
	UREC(LOST) = {
		/* In rings the running total; in files the count right before. */
		.name = "lost", .label = "lost", .type = CTRACE_UREC_LOST,
		FIXED(ctrace_urec_lost),
		.args = { WRITER, ARG(ctrace_urec_lost, total, U64) },
	},
	UREC(THREAD) = {
		.name = "thread", .label = "thread", .type = CTRACE_UREC_THREAD,
		FIXED(ctrace_urec_thread), .flags = CTRACE_RD_EVENT,
		.args = {
			WRITER,
			ARG(ctrace_urec_thread, tgid, TGID),
			ARG(ctrace_urec_thread, name, COMM),
		},
	},
	UREC(TASK_BEGIN) = {
		/* Task IDs are the writer's, unique in its process. */
		.name = "task_begin", .label = "task",
		.type = CTRACE_UREC_TASK_BEGIN, FIXED(ctrace_urec_task),
		.flags = CTRACE_RD_EVENT | CTRACE_RD_BEGIN,
		.pair = CTRACE_UREC_TASK_END, .id = "name",
		.args = {
			WRITER,
			ARG(ctrace_urec_task, task, TASK),
			ARG(ctrace_urec_task, parent, TASK),
		},
	},
	UREC(TASK_END) = {
		.name = "task_end", .label = "task", .type = CTRACE_UREC_TASK_END,
		FIXED(ctrace_urec_id64), .flags = CTRACE_RD_EVENT | CTRACE_RD_END,
		.pair = CTRACE_UREC_TASK_BEGIN,
		.args = { WRITER, ID64("task", TASK) },
	},
	UREC(REGION_BEGIN) = {
		/* Nested per thread; an END matches by name (and task). */
		.name = "region_begin", .label = "region",
		.type = CTRACE_UREC_REGION_BEGIN,
		.size = sizeof(struct ctrace_urec),
		.max_size = sizeof(struct ctrace_urec_id64),
		.flags = CTRACE_RD_EVENT | CTRACE_RD_BEGIN,
		.pair = CTRACE_UREC_REGION_END, .id = "name",
		.args = { WRITER, ID64("task", TASK) },
	},
	UREC(REGION_END) = {
		.name = "region_end", .label = "region",
		.type = CTRACE_UREC_REGION_END,
		.size = sizeof(struct ctrace_urec),
		.max_size = sizeof(struct ctrace_urec_id64),
		.flags = CTRACE_RD_EVENT | CTRACE_RD_END,
		.pair = CTRACE_UREC_REGION_BEGIN, .id = "name",
		.args = { WRITER, ID64("task", TASK) },
	},
	UREC(LOG) = {
		/* msg_id 0: len bytes of message follow, padded to 8; else
		 * the message is that string and nothing follows (usan.c). */
		.name = "log", .label = "log", .type = CTRACE_UREC_LOG,
		.size = sizeof(struct ctrace_urec_log), .flags = CTRACE_RD_EVENT,
		.id = "category",
		.args = {
			WRITER,
			ARG(ctrace_urec_log, task, TASK),
			ARG(ctrace_urec_log, msg_id, STRING),
			ARG(ctrace_urec_log, len, U32),
			NAMED("msg", sizeof(struct ctrace_urec_log), TAIL),
		},
	},
	UREC(INSTANT) = {
		.name = "instant", .label = "instant", .type = CTRACE_UREC_INSTANT,
		.size = sizeof(struct ctrace_urec),
		.max_size = sizeof(struct ctrace_urec_id64),
		.flags = CTRACE_RD_EVENT, .id = "name",
		.args = { WRITER, ID64("task", TASK) },
	},
	UREC(COUNTER) = {
		.name = "counter", .label = "counter", .type = CTRACE_UREC_COUNTER,
		FIXED(ctrace_urec_counter), .flags = CTRACE_RD_EVENT,
		.id = "name",
		.args = { WRITER, ARG(ctrace_urec_counter, value, S64) },
	},
	UREC(COUNTER_F) = {
		.name = "counter_f", .label = "counter",
		.type = CTRACE_UREC_COUNTER_F, FIXED(ctrace_urec_counter),
		.flags = CTRACE_RD_EVENT, .id = "name",
		.args = { WRITER, ARG(ctrace_urec_counter, value, F64) },
	},
	UREC(FLOW_BEGIN) = {
		/* An arrow to the END with the same flow ID, on any thread. */
		.name = "flow_begin", .label = "flow",
		.type = CTRACE_UREC_FLOW_BEGIN, FIXED(ctrace_urec_id64),
		.flags = CTRACE_RD_EVENT | CTRACE_RD_BEGIN,
		.pair = CTRACE_UREC_FLOW_END, .id = "name",
		.args = { WRITER, ID64("flow", FLOW) },
	},
	UREC(FLOW_END) = {
		.name = "flow_end", .label = "flow", .type = CTRACE_UREC_FLOW_END,
		FIXED(ctrace_urec_id64), .flags = CTRACE_RD_EVENT | CTRACE_RD_END,
		.pair = CTRACE_UREC_FLOW_BEGIN,
		.args = { WRITER, ID64("flow", FLOW) },
	},
};

static_assert(__COUNTER__ - UREC_COUNT_FROM - 1 == __CTRACE_UREC_MAX - 1,
	      "one UREC() entry per enum ctrace_urec_type value");

/* A newer libctrace's type: an event, skipped by its size. */
static const struct ctrace_recdesc urec_unknown = {
	.name = "unknown", .label = "unknown", .id = "id",
	.size = sizeof(struct ctrace_urec),
	.flags = CTRACE_RD_EVENT | CTRACE_RD_UNKNOWN,
	.args = { WRITER },
};

/* ------------------------------------------------------------ file-only */

/* The dumper's, for bytes it would not copy: written by no thread (tid 0). */
static const struct ctrace_recdesc frec_corrupt = {
	.name = "corrupt", .label = "corrupt", .type = CTRACE_FREC_CORRUPT,
	FIXED(ctrace_frec_corrupt),
	.flags = CTRACE_RD_EVENT | CTRACE_RD_FILE_ONLY,
	.args = {
		ARG(ctrace_frec_corrupt, bytes, U32),
		ARG(ctrace_frec_corrupt, reason, U16),
		ARG(ctrace_frec_corrupt, records, U16),
	},
};

/* ---------------------------------------------------------------- look-up */

const struct ctrace_recdesc *ctrace_krec_desc(unsigned int type)
{
	if (type == 0 || type > UINT8_MAX)
		return NULL;
	return type < __CTRACE_KREC_MAX ? &krec[type] : &krec_unknown;
}

const struct ctrace_recdesc *ctrace_urec_desc(unsigned int type)
{
	/* Types 200 and up are the file's own: CORRUPT, and room for more. */
	if (type == 0 || type > CTRACE_FREC_CORRUPT)
		return NULL;
	if (type == CTRACE_FREC_CORRUPT)
		return &frec_corrupt;
	return type < __CTRACE_UREC_MAX ? &urec[type] : &urec_unknown;
}

const struct ctrace_recdesc *ctrace_event_desc(const struct ctrace_event *ev)
{
	switch (ev->kind) {
	case CTRACE_RING_KERNEL:
	case CTRACE_RING_DUMPER:
		return ctrace_krec_desc(ev->type);
	case CTRACE_RING_USER:
		return ctrace_urec_desc(ev->type);
	default:
		return NULL;
	}
}

/* For (const struct ctrace_rd_arg *a = ...; a within d's fields; a++) */
static const struct ctrace_rd_arg *args_end(const struct ctrace_recdesc *d)
{
	const struct ctrace_rd_arg *a = d->args;

	while (a < d->args + CTRACE_RD_MAX_ARGS && a->name)
		a++;
	return a;
}

const struct ctrace_rd_arg *ctrace_rd_find(const struct ctrace_recdesc *d,
					   unsigned int kind, unsigned int role)
{
	for (const struct ctrace_rd_arg *a = d->args; a < args_end(d); a++)
		if (a->kind == kind && (!role || a->role == role))
			return a;
	return NULL;
}

/* @ev's field of @kind (and @role), if its record has it. */
static const struct ctrace_rd_arg *event_arg(const struct ctrace_event *ev,
					     unsigned int kind, unsigned int role)
{
	const struct ctrace_recdesc *d = ctrace_event_desc(ev);
	const struct ctrace_rd_arg *a = d ? ctrace_rd_find(d, kind, role) : NULL;

	return a && ctrace_rd_present(a, ev->size) ? a : NULL;
}

bool ctrace_event_actor(const struct ctrace_event *ev, uint32_t *tid)
{
	const struct ctrace_rd_arg *a = event_arg(ev, CTRACE_RD_TID,
						  CTRACE_ROLE_ACTOR);

	if (a)
		*tid = ctrace_rd_u32(ev->rec, a);
	return a;
}

unsigned int ctrace_event_tids(const struct ctrace_event *ev, unsigned int flags,
			       uint32_t tids[CTRACE_RD_MAX_TIDS])
{
	const struct ctrace_recdesc *d = ctrace_event_desc(ev);
	unsigned int n = 0;

	if (!d)
		return 0;
	for (const struct ctrace_rd_arg *a = d->args; a < args_end(d); a++)
		if (a->kind == CTRACE_RD_TID && a->role != CTRACE_ROLE_FORMER &&
		    (a->flags & flags) == flags && ctrace_rd_present(a, ev->size) &&
		    n < CTRACE_RD_MAX_TIDS)
			tids[n++] = ctrace_rd_u32(ev->rec, a);
	return n;
}

bool ctrace_event_disputed(const struct ctrace_event *ev)
{
	struct ctrace_urec_thread t;

	if (ev->kind != CTRACE_RING_USER || ev->type != CTRACE_UREC_THREAD ||
	    ev->size < sizeof(t))
		return false;
	memcpy(&t, ev->rec, sizeof(t));
	return t.flags & CTRACE_UTHREAD_F_DISPUTED;
}

bool ctrace_event_thread(const struct ctrace_event *ev, struct ctrace_rd_thread *out)
{
	/*
	 * The reader asks this of every event, and few types name a thread:
	 * remember per type whether it has a COMM field (0: not looked yet,
	 * 1: no, 2: yes).  The answer is the table's, so it never changes;
	 * two threads computing it at once store the same value.
	 */
	static unsigned char named[2][256];
	unsigned int fam = ev->kind == CTRACE_RING_USER;
	const struct ctrace_recdesc *d;
	const struct ctrace_rd_arg *comm, *tid, *tgid;

	if (ev->type < 256 && named[fam][ev->type] == 1)
		return false;
	d = ctrace_event_desc(ev);
	if (ev->type < 256 && !named[fam][ev->type])
		named[fam][ev->type] = d && ctrace_rd_find(d, CTRACE_RD_COMM, 0) ? 2 : 1;
	if (!d || !(comm = event_arg(ev, CTRACE_RD_COMM, 0)))
		return false;
	if (ctrace_event_disputed(ev))
		return false;	/* the kernel says the claim is false */
	/* The comm and tgid describe the subject, or else the actor. */
	tid = event_arg(ev, CTRACE_RD_TID, CTRACE_ROLE_SUBJECT);
	if (!tid)
		tid = event_arg(ev, CTRACE_RD_TID, CTRACE_ROLE_ACTOR);
	if (!tid)
		return false;
	tgid = event_arg(ev, CTRACE_RD_TGID, 0);
	out->tid = ctrace_rd_u32(ev->rec, tid);
	out->tgid = tgid ? ctrace_rd_u32(ev->rec, tgid) :
		    d->flags & CTRACE_RD_LEADS ? out->tid : 0;
	out->comm = (const char *)ev->rec + comm->off;
	return true;
}

bool ctrace_event_task(const struct ctrace_event *ev, uint64_t *task)
{
	const struct ctrace_rd_arg *a = event_arg(ev, CTRACE_RD_TASK, 0);

	if (a)
		*task = ctrace_rd_u64(ev->rec, a);
	return a;
}

/* -------------------------------------------------------- thread states */

static const struct ctrace_state_desc states[] = {
	[CTRACE_STATE_UNKNOWN] = { "unknown", "?" },
	[CTRACE_STATE_RUNNING] = { "running", "R" },
	[CTRACE_STATE_RUNNABLE] = { "runnable", "R" },
	[CTRACE_STATE_SLEEPING] = { "sleeping", "S" },
	[CTRACE_STATE_BLOCKED] = { "uninterruptible", "D" },
	[CTRACE_STATE_STOPPED] = { "stopped", "T" },
	[CTRACE_STATE_DEAD] = { "dead", "X" },
};

/* The enum has no _MAX: DEAD is its last value (uapi/linux/ctrace.h). */
static_assert(sizeof(states) / sizeof(states[0]) == CTRACE_STATE_DEAD + 1,
	      "an entry per enum ctrace_thread_state value");

const struct ctrace_state_desc *ctrace_state_desc(unsigned int state)
{
	if (state >= sizeof(states) / sizeof(states[0]))
		state = CTRACE_STATE_UNKNOWN;
	return &states[state];
}
