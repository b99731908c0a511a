/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding traces in the kernel tests: open a file with the tracefile
 * library, validate it (every decoded trace is), and walk its events.
 */
#ifndef CTRACE_KTRACE_H
#define CTRACE_KTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tracefile.h"
#include "analysis.h"

/* Open @path; on failure print why to stderr and return NULL. */
static inline struct ctrace_trace *kt_open(const char *path)
{
	struct ctrace_trace *t;
	char err[512];

	if (ctrace_trace_open(path, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "# cannot open %s: %s\n", path, err);
		return NULL;
	}
	return t;
}

/* Run the validator; print violations.  Returns the number found. */
static inline unsigned int kt_validate(struct ctrace_trace *t)
{
	struct ctrace_validation v;

	if (ctrace_validate(t, &v, stderr) == 0)
		return 0;
	fprintf(stderr, "# validation: %u errors, first: %s\n", v.errors,
		v.first_error);
	return v.errors ? v.errors : 1;
}

/*
 * Each ring's accounting, its STATS against what the file holds: every
 * event the ring recorded reached the file, and every dropped one is
 * accounted for in it (the LOST records' count, at most what the ring
 * dropped).  Prints a line per ring; returns how many rings do not add
 * up, and the events read and dropped over all rings.
 */
static inline unsigned int kt_rings_accounted(const struct ctrace_trace *t,
					      uint64_t *read, uint64_t *dropped)
{
	unsigned int bad = 0;

	*read = *dropped = 0;
	for (size_t i = 0; i < ctrace_trace_nr_rings(t); i++) {
		const struct ctrace_ring_info *ri = ctrace_trace_ring(t, i);
		bool ok = ri->has_stats && ri->stats.events == ri->events &&
			  ri->stats.events == ri->stats.events_read &&
			  ri->lost == ri->stats.lost_read && ri->lost <= ri->stats.lost;

		fprintf(stderr, "# ring %u: recorded %llu, dropped %llu, read %llu, lost in stream %llu%s\n",
			ri->ring, (unsigned long long)ri->stats.events,
			(unsigned long long)ri->stats.lost, (unsigned long long)ri->events,
			(unsigned long long)ri->lost,
			!ri->has_stats ? ": no STATS" : ok ? "" : ": does not add up");
		bad += !ok;
		*read += ri->events;
		*dropped += ri->stats.lost;
	}
	return bad;
}

/* The name the trace gives @tid as of cursor @c, or "". */
static inline const char *kt_comm(const struct ctrace_cursor *c, uint32_t tid)
{
	const struct ctrace_thread *th = ctrace_cursor_thread(c, tid);

	return th ? th->comm : "";
}

#define KT_REC(ev, type) ((const type *)(ev)->rec)

/* A name of @ev's ring set's string table, or "?". */
static inline const char *kt_ustr(const struct ctrace_trace *t,
				  const struct ctrace_event *ev, uint32_t id)
{
	const char *s = ctrace_trace_string(t, ev->ring >> 16, id);

	return s ? s : "?";
}

/*
 * A user ring record as one line, to compare with what a test program
 * wrote: "REGION_BEGIN outer task=7", "LOG cat task=7 hello", ...  Task
 * and flow IDs print as written; "task=" is left out where it is 0 or
 * absent.
 */
static inline void kt_uev_str(const struct ctrace_trace *t,
			      const struct ctrace_event *ev, char *buf, size_t size)
{
	static const char *const names[] = {
		[CTRACE_UREC_LOST] = "LOST", [CTRACE_UREC_THREAD] = "THREAD",
		[CTRACE_UREC_TASK_BEGIN] = "TASK_BEGIN", [CTRACE_UREC_TASK_END] = "TASK_END",
		[CTRACE_UREC_REGION_BEGIN] = "REGION_BEGIN",
		[CTRACE_UREC_REGION_END] = "REGION_END", [CTRACE_UREC_LOG] = "LOG",
		[CTRACE_UREC_INSTANT] = "INSTANT", [CTRACE_UREC_COUNTER] = "COUNTER",
		[CTRACE_UREC_COUNTER_F] = "COUNTER_F", [CTRACE_UREC_FLOW_BEGIN] = "FLOW_BEGIN",
		[CTRACE_UREC_FLOW_END] = "FLOW_END",
	};
	const struct ctrace_urec *h = ev->rec;
	const uint64_t *p = (const uint64_t *)(h + 1);	/* the payload */
	unsigned long long v = ev->size >= sizeof(*h) + 8 ? (unsigned long long)p[0] : 0;
	const char *name = kt_ustr(t, ev, h->id);
	double f;

	switch (h->type) {
	case CTRACE_UREC_THREAD: {
		const struct ctrace_urec_thread *r = ev->rec;

		snprintf(buf, size, "THREAD %.16s tgid=%u", r->name, r->tgid);
		break;
	}
	case CTRACE_UREC_TASK_BEGIN:
		snprintf(buf, size, "TASK_BEGIN %s task=%llu parent=%llu", name, v,
			 (unsigned long long)p[1]);
		break;
	case CTRACE_UREC_TASK_END:
	case CTRACE_UREC_FLOW_END:
		snprintf(buf, size, "%s %s=%llu", names[h->type],
			 h->type == CTRACE_UREC_TASK_END ? "task" : "flow", v);
		break;
	case CTRACE_UREC_REGION_BEGIN:
	case CTRACE_UREC_REGION_END:
	case CTRACE_UREC_INSTANT:
		if (v)
			snprintf(buf, size, "%s %s task=%llu", names[h->type], name, v);
		else
			snprintf(buf, size, "%s %s", names[h->type], name);
		break;
	case CTRACE_UREC_LOG: {
		const struct ctrace_urec_log *r = ev->rec;
		const char *msg = (const char *)(r + 1);
		int len = r->len;

		if (r->msg_id) {
			msg = kt_ustr(t, ev, r->msg_id);
			len = strlen(msg);
		} else if (sizeof(*r) + r->len > ev->size) {
			len = 0;
		}
		if (r->task)
			snprintf(buf, size, "LOG %s task=%llu %.*s", name,
				 (unsigned long long)r->task, len, msg);
		else
			snprintf(buf, size, "LOG %s %.*s", name, len, msg);
		break;
	}
	case CTRACE_UREC_COUNTER:
		snprintf(buf, size, "COUNTER %s %lld", name, (long long)v);
		break;
	case CTRACE_UREC_COUNTER_F:
		memcpy(&f, &v, sizeof(f));
		snprintf(buf, size, "COUNTER_F %s %g", name, f);
		break;
	case CTRACE_UREC_FLOW_BEGIN:
		snprintf(buf, size, "FLOW_BEGIN %s flow=%llu", name, v);
		break;
	case CTRACE_UREC_LOST:
		snprintf(buf, size, "LOST total=%llu", v);
		break;
	case CTRACE_FREC_CORRUPT:
		snprintf(buf, size, "CORRUPT");
		break;
	default:
		snprintf(buf, size, "type %u", h->type);
	}
}

#endif
