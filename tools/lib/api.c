// SPDX-License-Identifier: LGPL-2.1
/*
 * The public functions' out-of-line halves: each builds one record on the
 * stack and appends it (write.c).  ctrace.h's inline halves only call them
 * while a session records this process.
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "barrier.h"
#include "fastpath.h"

/* Task and flow IDs: the process ID above a counter, unique per process. */
static uint64_t next_id(void)
{
	static uint32_t counter;
	uint32_t n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

	return (uint64_t)ctrace_lib.tgid << 32 | n;
}

static void header(struct ctrace_urec *h, uint8_t type, uint32_t len, uint32_t id)
{
	h->tid = ctrace_gettid();
	h->type = type;
	h->size = len / 8;
	h->id = id;
}

/* A record of a header and an optional u64 (a task or flow ID). */
static inline __attribute__((always_inline)) void emit_id64(uint8_t type, uint32_t id, uint64_t v, bool with_v)
{
	ctrace_emit_small(type, id, with_v ? 24 : 16, v, 0);
}

/* A literal's ID: interned at its first use, a load afterwards. */
static inline __attribute__((always_inline)) uint32_t intern(struct ctrace_str *s)
{
	uint32_t id = ctrace_load_relaxed(&s->id);

	return id ? id : ctrace_intern(s);
}

static uint32_t name_id(struct ctrace_str *name, const char *dyn)
{
	return name ? intern(name) : ctrace_intern_dyn_(dyn);
}

void ctrace_region_begin_(struct ctrace_str *name, uint32_t dyn_id, ctrace_task_t task)
{
	emit_id64(CTRACE_UREC_REGION_BEGIN, name ? intern(name) : dyn_id, task, task);
}

void ctrace_region_end_(struct ctrace_str *name, uint32_t dyn_id, ctrace_task_t task)
{
	emit_id64(CTRACE_UREC_REGION_END, name ? intern(name) : dyn_id, task, task);
}

ctrace_task_t ctrace_task_begin_(ctrace_task_t parent, struct ctrace_str *name,
				 const char *dyn)
{
	ctrace_task_t task = next_id();

	ctrace_emit_small(CTRACE_UREC_TASK_BEGIN, name_id(name, dyn),
			  sizeof(struct ctrace_urec_task), task, parent);
	return task;
}

void ctrace_task_end_(ctrace_task_t task)
{
	emit_id64(CTRACE_UREC_TASK_END, 0, task, true);
}

void ctrace_log_(ctrace_task_t task, struct ctrace_str *category,
		 struct ctrace_str *message)
{
	uint32_t msg_id = intern(message);

	if (!msg_id) {
		/* No room in the string table: carry the bytes instead. */
		ctrace_logf_(task, category, "%s", message->s);
		return;
	}
	/* struct ctrace_urec_log: task, then msg_id and len (0) */
	ctrace_emit_small(CTRACE_UREC_LOG, intern(category), sizeof(struct ctrace_urec_log),
			  task, msg_id);
}

void ctrace_vlogf(ctrace_task_t task, struct ctrace_str *category,
		  const char *fmt, va_list ap)
{
	struct {
		struct ctrace_urec_log r;
		char msg[CTRACE_RECORD_MAX - sizeof(struct ctrace_urec_log)];
	} rec;
	int n;
	uint32_t len;

	if (!ctrace_enabled())
		return;
	n = vsnprintf(rec.msg, sizeof(rec.msg), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(rec.msg))
		n = sizeof(rec.msg) - 1;	/* truncated */
	len = sizeof(rec.r) + ((n + 7) & ~7u);
	memset(rec.msg + n, 0, len - sizeof(rec.r) - n);
	rec.r.task = task;
	rec.r.msg_id = 0;
	rec.r.len = n;
	header(&rec.r.h, CTRACE_UREC_LOG, len, intern(category));
	ctrace_emit(&rec, len);
}

void ctrace_logf_(ctrace_task_t task, struct ctrace_str *category,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctrace_vlogf(task, category, fmt, ap);
	va_end(ap);
}

void ctrace_instant_(ctrace_task_t task, struct ctrace_str *name, const char *dyn)
{
	emit_id64(CTRACE_UREC_INSTANT, name_id(name, dyn), task, task);
}

void ctrace_counter_(struct ctrace_str *name, int64_t value)
{
	emit_id64(CTRACE_UREC_COUNTER, intern(name), (uint64_t)value, true);
}

void ctrace_counter_f_(struct ctrace_str *name, double value)
{
	uint64_t bits;

	memcpy(&bits, &value, sizeof(bits));
	emit_id64(CTRACE_UREC_COUNTER_F, intern(name), bits, true);
}

ctrace_flow_t ctrace_flow_begin_(struct ctrace_str *name)
{
	ctrace_flow_t flow = next_id();

	emit_id64(CTRACE_UREC_FLOW_BEGIN, intern(name), flow, true);
	return flow;
}

void ctrace_flow_end_(ctrace_flow_t flow)
{
	emit_id64(CTRACE_UREC_FLOW_END, 0, flow, true);
}

void ctrace_thread_name(const char *name)
{
	strncpy(ctrace_tls.name, name, sizeof(ctrace_tls.name) - 1);
	ctrace_tls.name[sizeof(ctrace_tls.name) - 1] = '\0';
	/* The kernel's name too, so that its events and other tools agree
	 * (a RENAME record when traced). */
	prctl(PR_SET_NAME, ctrace_tls.name);
	/* Announce again, with the new name, at the next event. */
	ctrace_tls.announced = false;
	ctrace_tls.fast_gen = 0;
}
