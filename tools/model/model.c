// SPDX-License-Identifier: LGPL-2.1
/*
 * The model's front: it takes each event, sees whether a loss comes
 * before it on its ring (a LOST record, a CORRUPT one, a sequence gap),
 * tells the scheduler and user halves (sched.c, user.c), and keeps the
 * per-ring and per-thread tables they share.
 *
 * Losses, per ring, as the validator has always read them: a LOST record
 * stands for events dropped between the ring's previous event and itself;
 * a gap in the sequence numbers likewise; a CORRUPT record (user rings)
 * stands for bytes between its ring's previous record and its next one,
 * so its window stays open until that next record arrives.  A loss is
 * reported to the sink before the event that shows it is handled.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NONE UINT32_MAX

void mdl_anomaly(struct ctrace_model *m, const struct ctrace_event *ev,
		 uint32_t domain, bool retractable, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!m->sink.anomaly)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->sink.anomaly(m->sink.arg, ev, domain, retractable, msg);
}

struct mthread *mdl_thread_find(const struct ctrace_model *m, uint32_t tid)
{
	uint32_t i = ctrace_map_get(&m->thread_map, tid);

	return i == CTRACE_MAP_NONE ? NULL : &m->threads[i];
}

struct mthread *mdl_thread(struct ctrace_model *m, uint32_t tid)
{
	struct mthread *th = mdl_thread_find(m, tid);

	if (th)
		return th;
	if (m->nr_threads == m->threads_cap) {
		size_t cap = m->threads_cap ? m->threads_cap * 2 : 64;
		void *p = realloc(m->threads, cap * sizeof(*m->threads));

		if (!p)
			return NULL;
		m->threads = p;
		m->threads_cap = cap;
	}
	if (ctrace_map_put(&m->thread_map, tid, m->nr_threads))
		return NULL;
	th = &m->threads[m->nr_threads++];
	*th = (struct mthread){ .tid = tid, .cpu = UINT32_MAX, .rq_cpu = NONE,
				.live_prev = NONE, .live_next = NONE };
	return th;
}

const char *mdl_name(const struct ctrace_model *m, uint32_t tid, char *buf,
		     size_t len)
{
	ctrace_cursor_thread_label(m->c, tid, buf, len);
	return buf;
}

uint32_t mdl_tgid(const struct ctrace_model *m, const struct mthread *th)
{
	const struct ctrace_thread *ct;

	if (th->utgid)
		return th->utgid;
	ct = ctrace_cursor_thread(m->c, th->tid);
	return ct ? ct->tgid : 0;
}

/* META "events" (CTRACE_EV_*), all of them when absent or unreadable. */
static uint64_t event_groups(const struct ctrace_trace *t)
{
	const char *s = ctrace_trace_meta(t, "events");
	unsigned long long mask;
	char *end;

	if (!s)
		return CTRACE_EV_ALL;
	errno = 0;
	mask = strtoull(s, &end, 0);
	return errno || end == s || *end ? CTRACE_EV_ALL : mask;
}

int ctrace_model_new(struct ctrace_trace *t, struct ctrace_cursor *c,
		     const struct ctrace_model_sink *sink,
		     struct ctrace_model **out)
{
	const char *target = ctrace_trace_meta(t, "target");
	const char *flight = ctrace_trace_meta(t, "flight");
	struct ctrace_model *m = calloc(1, sizeof(*m));
	size_t nr = ctrace_trace_nr_rings(t);

	if (!m)
		return -ENOMEM;
	m->t = t;
	m->c = c;
	if (sink)
		m->sink = *sink;
	/* A cgroup session's threads come and go: modelled, not checked. */
	m->sched = !target || !strcmp(target, "all") ||
		   !strncmp(target, "pids:", 5) || !strncmp(target, "command:", 8);
	m->filtered = target && strcmp(target, "all");
	m->wakeups = event_groups(t) & CTRACE_EV_WAKEUP;
	m->window = flight && !strcmp(flight, "1");
	m->live_head = NONE;
	m->rings = calloc(nr ? nr : 1, sizeof(*m->rings));
	if (!m->rings || model_user_init(m)) {
		ctrace_model_free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void ctrace_model_free(struct ctrace_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr_threads; i++)
		free(m->threads[i].stack);
	free(m->threads);
	ctrace_map_free(&m->thread_map);
	free(m->cpus);
	ctrace_map_free(&m->cpu_map);
	free(m->rings);
	model_user_free(m);
	free(m);
}

/* Events of ring @ri are missing before @ev (since its previous one). */
static void loss(struct ctrace_model *m, const struct ctrace_event *ev,
		 size_t ri, uint32_t domain, uint64_t count,
		 const struct ctrace_frec_corrupt *corrupt)
{
	const struct mring *r = &m->rings[ri];
	struct ctrace_model_loss l = {
		.ns = ev->ns, .ts = ev->ts, .offset = ev->offset,
		.has_from = r->started,
		.from_ns = r->started ? r->last_ns : 0,
		.from_ts = r->started ? r->last_ts : 0,
		.kind = ev->kind, .ring = ev->ring, .ring_index = ri,
		.domain = domain, .count = count,
	};

	if (corrupt) {
		l.corrupt_reason = corrupt->reason;
		l.corrupt_bytes = corrupt->bytes;
	}
	if (m->sink.loss)
		m->sink.loss(m->sink.arg, &l);
	if (domain) {
		model_user_loss(m, domain - 1, l.from_ns);
	} else {
		model_sched_loss(m, l.from_ns);
		model_syscall_loss(m);
	}
}

/* The sequence number @ev must have to follow what came before it. */
static uint64_t first_seq(const struct ctrace_model *m, const struct mring *r,
			  const struct ctrace_event *ev)
{
	if (r->started)
		return r->next_seq;
	return m->window ? ev->seq : 0;
}

static void feed_user(struct ctrace_model *m, const struct ctrace_event *ev,
		      size_t ri)
{
	uint32_t domain = ctrace_uring_set(ev->ring) + 1;
	struct mring *r = &m->rings[ri];
	struct ctrace_frec_corrupt corrupt;
	struct ctrace_urec h;
	uint64_t count = 1;

	memcpy(&h, ev->rec, sizeof(h));
	if (h.type == CTRACE_UREC_LOST) {
		struct ctrace_urec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		count = k.total;
	}
	/* The bytes a CORRUPT stands for lie before this record too. */
	if (r->corrupt_open) {
		loss(m, ev, ri, domain, 0, NULL);
		r->corrupt_open = false;
	}
	if (h.type == CTRACE_FREC_CORRUPT) {
		memcpy(&corrupt, ev->rec, sizeof(corrupt));
		loss(m, ev, ri, domain, 0, &corrupt);
	} else if (h.type == CTRACE_UREC_LOST ||
		   ev->seq != first_seq(m, r, ev)) {
		loss(m, ev, ri, domain, h.type == CTRACE_UREC_LOST ? count : 0, NULL);
	}
	r->corrupt_open = h.type == CTRACE_FREC_CORRUPT;
	r->started = true;
	r->next_seq = ev->seq + count;
	model_user_event(m, ev);
}

static void feed_kernel(struct ctrace_model *m, const struct ctrace_event *ev,
			size_t ri)
{
	struct mring *r = &m->rings[ri];
	uint64_t count = 1;

	/* Exits and forks end threads' regions. */
	model_user_kernel_event(m, ev);
	if (ev->type == CTRACE_KREC_LOST) {
		struct ctrace_krec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		count = k.count;
	}
	if (ev->type == CTRACE_KREC_LOST || ev->seq != first_seq(m, r, ev))
		loss(m, ev, ri, 0, ev->type == CTRACE_KREC_LOST ? count : 0, NULL);
	r->started = true;
	r->next_seq = ev->seq + count;
	if (ev->type == CTRACE_KREC_SYSCALL_ENTER || ev->type == CTRACE_KREC_SYSCALL_EXIT)
		model_syscall_event(m, ev);
	else
		model_sched_event(m, ev);
}

int ctrace_model_feed(struct ctrace_model *m, const struct ctrace_event *ev)
{
	size_t ri = ctrace_cursor_ring_index(m->c);

	if (!m->any) {
		m->any = true;
		m->first_ns = ev->ns;
	}
	if (ev->ns > m->last_ns)
		m->last_ns = ev->ns;
	if (ri < ctrace_trace_nr_rings(m->t)) {
		if (ev->kind == CTRACE_RING_USER)
			feed_user(m, ev, ri);
		else if (ctrace_kind_krec(ev->kind))
			feed_kernel(m, ev, ri);
		m->rings[ri].last_ts = ev->ts;
		m->rings[ri].last_ns = ev->ns;
	}
	if (m->oom) {
		m->oom = false;
		return -ENOMEM;
	}
	return 0;
}

void ctrace_model_finish(struct ctrace_model *m)
{
	model_syscall_finish(m, m->last_ns);
	model_sched_finish(m, m->last_ns);
	model_user_finish(m, m->last_ns);
}

bool ctrace_model_thread(const struct ctrace_model *m, uint32_t tid,
			 struct ctrace_model_thread *out)
{
	const struct mthread *th = mdl_thread_find(m, tid);
	const struct ctrace_thread *ct = ctrace_cursor_thread(m->c, tid);

	if (!th && !ct)
		return false;
	*out = (struct ctrace_model_thread){ .tid = tid, .cpu = UINT32_MAX };
	if (ct) {
		out->tgid = ct->tgid;
		out->comm = ct->comm[0] ? ct->comm : NULL;
	}
	if (th) {
		if (th->utgid)
			out->tgid = th->utgid;
		out->state = model_sched_state(th);
		out->cpu = th->cpu;
		out->since = th->since;
		out->depth = model_user_stack_valid(m, th) ? th->depth : 0;
	}
	return true;
}

bool ctrace_model_open_region(const struct ctrace_model *m, uint32_t tid,
			      struct ctrace_model_region *out)
{
	const struct mthread *th = mdl_thread_find(m, tid);

	return th && model_user_open_region(m, th, out);
}

static size_t map_bytes(const struct ctrace_map *m)
{
	return m->vals ? (m->mask + 1) * (sizeof(*m->keys) + sizeof(*m->vals)) : 0;
}

size_t ctrace_model_footprint(const struct ctrace_model *m)
{
	size_t n = sizeof(*m);

	n += m->threads_cap * sizeof(*m->threads) + map_bytes(&m->thread_map);
	for (size_t i = 0; i < m->nr_threads; i++)
		n += (size_t)m->threads[i].cap * sizeof(*m->threads[i].stack);
	n += m->cpus_cap * sizeof(*m->cpus) + map_bytes(&m->cpu_map);
	n += ctrace_trace_nr_rings(m->t) * sizeof(*m->rings);
	n += m->nr_sets * sizeof(*m->set_epochs);
	if (m->tasks) {
		n += (m->tasks_mask + 1) * sizeof(*m->tasks);
		for (size_t i = 0; i <= m->tasks_mask; i++)
			n += (size_t)m->tasks[i].cap_tids * sizeof(uint32_t);
	}
	return n;
}

uint32_t ctrace_model_nr_runnable(const struct ctrace_model *m, uint32_t cpu)
{
	uint32_t i;

	if (cpu == UINT32_MAX)
		return m->nr_runnable;
	i = ctrace_map_get(&m->cpu_map, cpu);
	return i == CTRACE_MAP_NONE ? 0 : m->cpus[i].nr_runnable;
}

bool ctrace_model_in_task(const struct ctrace_model *m, uint32_t tid,
			  uint64_t task, uint64_t *since)
{
	const struct mthread *th = mdl_thread_find(m, tid);

	if (!th || !model_user_stack_valid(m, th))
		return false;
	for (uint32_t i = 0; i < th->depth; i++)
		if (th->stack[i].has_task && th->stack[i].task == task) {
			if (since)
				*since = th->stack[i].begin;
			return true;
		}
	return false;
}

uint64_t ctrace_model_first_ns(const struct ctrace_model *m)
{
	return m->first_ns;
}

uint64_t ctrace_model_last_ns(const struct ctrace_model *m)
{
	return m->last_ns;
}

/* One table of states' names: recdesc.c's. */
const char *ctrace_state_name(unsigned int state)
{
	return ctrace_state_desc(state)->name;
}

const char *ctrace_cause_name(unsigned int cause)
{
	static const char *const names[] = {
		[CTRACE_CAUSE_NONE] = "none",
		[CTRACE_CAUSE_WAKEUP] = "wakeup",
		[CTRACE_CAUSE_NEW] = "new",
		[CTRACE_CAUSE_PREEMPT] = "preempted",
		[CTRACE_CAUSE_YIELD] = "yield",
	};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "none";
}
