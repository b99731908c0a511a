/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Record descriptors: one table entry per record type, the one place that
 * says what each type is, after io_uring's opdef.c (an entry per opcode,
 * checked complete at build time) and Go's internal/trace/tracev2 specs[]
 * (an entry per event, its arguments named).  The walker, the sanitiser,
 * the reader, the validator and the text output read it; so should every
 * new consumer (an exporter, an analysis) instead of adding a switch.
 *
 *   family              types                       table (recdesc.c)
 *   kernel records      enum ctrace_krec_type       one entry per type
 *   user records        enum ctrace_urec_type       one entry per type
 *   file-only records   CTRACE_FREC_CORRUPT (200)   looked up with user ones
 *
 * An entry gives the type's names, its size rule, whether it counts as an
 * event, what the header's aux or string ID holds, the pair it forms
 * (REGION_BEGIN <-> REGION_END, ...), and its fields, in record order,
 * each with its uapi name, offset and kind:
 *
 *   SWITCH   "switch"   16 bytes   aux: prev_state
 *     prev_tid   @8   TID  actor      the thread switched out
 *     next_tid   @12  TID  subject    the thread switched in
 *
 * Thread IDs carry a role.  The actor did what the record says, on the
 * CPU (or from the ring) that recorded it: a switch's prev, the waker,
 * the parent, the thread that execs or exits, a user record's writer.
 * The subject is the thread it is about: a switch's next, the wakee, the
 * child, the renamed or migrated thread.  A record's TGID and COMM fields
 * describe its subject, or its actor when it has none.
 *
 * Types this library does not know get a stand-in entry (flag
 * CTRACE_RD_UNKNOWN) that says all the format promises of them: a kernel
 * record of a newer kernel is an event, skipped by its size; a user
 * record below 200 of a newer libctrace is too, and carries its writer
 * and a string ID like the others.  Type 0, and user types above 200,
 * have no entry: they are never valid.
 */
#ifndef CTRACE_TRACEFILE_RECDESC_H
#define CTRACE_TRACEFILE_RECDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tracefile.h"

/* How a field is read, and what it holds. */
enum ctrace_rd_kind {
	CTRACE_RD_U16 = 1,
	CTRACE_RD_U32,
	CTRACE_RD_U64,
	CTRACE_RD_S64,
	CTRACE_RD_F64,		/* a double, IEEE 754 */
	CTRACE_RD_TID,		/* __u32 thread ID; role says whose */
	CTRACE_RD_TGID,		/* __u32 process ID of the record's thread */
	CTRACE_RD_CPU,		/* __u32 CPU number */
	/* char[CTRACE_COMM_LEN]: the record's thread's name, NUL-padded (a
	 * file's may lack the NUL) */
	CTRACE_RD_COMM,
	CTRACE_RD_TASK,		/* __u64 task ID, per process; 0: none */
	CTRACE_RD_FLOW,		/* __u64 flow ID */
	CTRACE_RD_STRING,	/* __u32 string ID of the ring set; 0: none */
	CTRACE_RD_TAIL,		/* the bytes from here to the record's end */
};

/* What a CTRACE_RD_TID field's thread is to its record. */
enum ctrace_rd_role {
	CTRACE_ROLE_NONE = 0,	/* not a thread ID */
	CTRACE_ROLE_ACTOR,	/* did it, on the CPU that recorded it */
	CTRACE_ROLE_SUBJECT,	/* what it is about */
	/* an ID the actor had before (EXEC's old_tid): names no thread now */
	CTRACE_ROLE_FORMER,
};

/* The kernel records the record only if this field's thread is traced. */
#define CTRACE_ARG_TRACED	0x01

struct ctrace_rd_arg {
	const char *name;	/* the uapi field's: "prev_tid"; NULL ends */
	uint8_t off;		/* byte offset in the record, header included */
	uint8_t kind;		/* enum ctrace_rd_kind */
	uint8_t role;		/* enum ctrace_rd_role */
	uint8_t flags;		/* CTRACE_ARG_* */
};

#define CTRACE_RD_MAX_ARGS	6
/* Thread IDs that name threads (actor and subject) in one record. */
#define CTRACE_RD_MAX_TIDS	2

/* Counts as an event: ring sequence numbers and chunk counts (not PAD,
 * TIME, LOST). */
#define CTRACE_RD_EVENT		0x0001
/* A stand-in for a type this library does not know (above). */
#define CTRACE_RD_UNKNOWN	0x0002
/* Written by ctrace-dump into files, never by a ring's producer. */
#define CTRACE_RD_FILE_ONLY	0x0004
/* Opens what a record of type @pair closes, or closes what it opened. */
#define CTRACE_RD_BEGIN		0x0008
#define CTRACE_RD_END		0x0010
/* After it, its thread leads its process (tgid = tid): EXEC. */
#define CTRACE_RD_LEADS		0x0020

struct ctrace_recdesc {
	const char *name;	/* unique in its family: "switch", "region_begin" */
	const char *label;	/* the event column of text output: "region" */
	/* Kernel records: what the header's aux holds; NULL: nothing. */
	const char *aux;
	/* User records: what the header's string ID names ("name",
	 * "category"): 0 or a string of the ring set; NULL: it must be 0. */
	const char *id;
	uint16_t size;		/* bytes, header included: at least */
	uint16_t max_size;	/* at most; 0: no bound */
	uint16_t flags;		/* CTRACE_RD_* */
	uint8_t type;		/* its enum value; 0 in a stand-in */
	uint8_t pair;		/* BEGIN/END: the other end's type */
	/* In record order; the first with a NULL name ends them.  A field
	 * past a record's end is absent: fields within @size are always
	 * there, those beyond it (a region's task) only in longer records. */
	struct ctrace_rd_arg args[CTRACE_RD_MAX_ARGS];
};

/* Kernel and dumper ring records (struct ctrace_krec): NULL for type 0. */
const struct ctrace_recdesc *ctrace_krec_desc(unsigned int type);
/* User ring records (struct ctrace_urec) and CTRACE_FREC_CORRUPT: NULL for
 * type 0 and above 200. */
const struct ctrace_recdesc *ctrace_urec_desc(unsigned int type);
/* The descriptor of @ev's record, by its ring kind; NULL for a ring kind
 * this library does not know. */
const struct ctrace_recdesc *ctrace_event_desc(const struct ctrace_event *ev);

/* Does @size bytes fit the type's size rule? */
static inline bool ctrace_rd_size_ok(const struct ctrace_recdesc *d, size_t size)
{
	return size >= d->size && (!d->max_size || size <= d->max_size);
}

/* Bytes a field of @kind takes (TAIL: 0, it takes the rest). */
static inline size_t ctrace_rd_width(unsigned int kind)
{
	switch (kind) {
	case CTRACE_RD_U16:
		return 2;
	case CTRACE_RD_U32:
	case CTRACE_RD_TID:
	case CTRACE_RD_TGID:
	case CTRACE_RD_CPU:
	case CTRACE_RD_STRING:
		return 4;
	case CTRACE_RD_COMM:
		return CTRACE_COMM_LEN;
	case CTRACE_RD_TAIL:
		return 0;
	default:
		return 8;
	}
}

/* Is field @a within a record of @size bytes (a TAIL: not empty)? */
static inline bool ctrace_rd_present(const struct ctrace_rd_arg *a, size_t size)
{
	size_t w = ctrace_rd_width(a->kind);

	return w ? a->off + w <= size : a->off < size;
}

/* A 4- or 8-byte field's value; the caller checked it is present. */
static inline uint32_t ctrace_rd_u32(const void *rec, const struct ctrace_rd_arg *a)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)rec + a->off, sizeof(v));
	return v;
}

static inline uint64_t ctrace_rd_u64(const void *rec, const struct ctrace_rd_arg *a)
{
	uint64_t v;

	memcpy(&v, (const unsigned char *)rec + a->off, sizeof(v));
	return v;
}

/* The first field of @d of @kind (and, for role != 0, that role), or NULL. */
const struct ctrace_rd_arg *ctrace_rd_find(const struct ctrace_recdesc *d,
					   unsigned int kind, unsigned int role);

/* The thread that did what @ev says (its actor field), if it names one. */
bool ctrace_event_actor(const struct ctrace_event *ev, uint32_t *tid);

/*
 * The threads @ev names, actor and subject (not FORMER IDs), in field
 * order, keeping those whose field has every flag in @flags (0: all).
 * Returns how many went into @tids; 0 is the idle task, not "none".
 */
unsigned int ctrace_event_tids(const struct ctrace_event *ev, unsigned int flags,
			       uint32_t tids[CTRACE_RD_MAX_TIDS]);

/* The thread whose name a record tells (THREAD, FORK, EXEC, RENAME, user
 * THREAD records). */
struct ctrace_rd_thread {
	uint32_t tid;
	uint32_t tgid;		/* 0 if the record does not say */
	const char *comm;	/* CTRACE_COMM_LEN bytes in the record, maybe no NUL */
};

/* A user THREAD claim the dumper found false (CTRACE_UTHREAD_F_DISPUTED):
 * it names no thread. */
bool ctrace_event_disputed(const struct ctrace_event *ev);
bool ctrace_event_thread(const struct ctrace_event *ev, struct ctrace_rd_thread *out);

/* The task @ev belongs to, or begins or ends, if its record carries one
 * (a region's is optional; a LOG's is 0 for none). */
bool ctrace_event_task(const struct ctrace_event *ev, uint64_t *task);

/* A thread state: enum ctrace_thread_state, in SWITCH's and THREAD's aux. */
struct ctrace_state_desc {
	const char *name;	/* "running", "uninterruptible", ...: for people */
	const char *code;	/* as ps shows it: "R", "D", ...; "?" */
};

/* Never NULL: a state this library does not know is UNKNOWN's. */
const struct ctrace_state_desc *ctrace_state_desc(unsigned int state);

#endif
