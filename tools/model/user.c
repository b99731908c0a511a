// SPDX-License-Identifier: LGPL-2.1
/*
 * What user records say: each thread's stack of open regions, each
 * process's open tasks, and every user event decoded for the sink.
 *
 *   thread (by tid): ring set, stack of open regions
 *                    [ {name, task?, begin, state_ns[], switches} ... innermost ]
 *   task (by ring set, tgid, task ID): name, begin, writers, regions, logs
 *
 * What is known is always partial: regions and tasks begun before the
 * recording have no BEGIN in it, and losses (LOST, CORRUPT, a gap) may have
 * swallowed any record.  So a REGION_END with nothing open closes a region
 * from before (not emitted: its begin is unknown); a loss on a ring set
 * ends the regions and tasks of its threads there (CTRACE_RG_LOST), and a
 * new epoch of the set begins.  A kernel EXIT or FORK of a tid, or a
 * THREAD record with another tgid, means a new thread (tids are reused):
 * the old one's open regions end (CTRACE_RG_LOST: their END is not in the
 * trace).  When a process dies, its open tasks end the same way.
 *
 * A region's time is split by its thread's states: as each state interval
 * closes, sched.c hands its span to model_user_account(), which adds the
 * overlap to every open region of the thread; a region that ends adds the
 * part of the current interval it covers; the rest is UNKNOWN.
 *
 * Memory: the open regions and open tasks.  A task is deleted when it
 * ends (backward-shift deletion keeps the probe chains whole).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static uint64_t *set_epoch(const struct ctrace_model *m, uint32_t set)
{
	size_t pos = ctrace_trace_find_uset(m->t, set);

	if (pos >= m->nr_sets)
		return NULL;	/* the reader only returns described sets */
	return &m->set_epochs[pos];
}

int model_user_init(struct ctrace_model *m)
{
	m->nr_sets = ctrace_trace_nr_usets(m->t);
	m->set_epochs = calloc(m->nr_sets ? m->nr_sets : 1, sizeof(*m->set_epochs));
	if (!m->set_epochs)
		return -ENOMEM;
	/* Epoch 0 is never current: threads start with nothing known. */
	m->next_epoch = 1;
	for (size_t i = 0; i < m->nr_sets; i++)
		m->set_epochs[i] = m->next_epoch++;
	return 0;
}

void model_user_free(struct ctrace_model *m)
{
	for (size_t i = 0; i <= m->tasks_mask && m->tasks; i++)
		free(m->tasks[i].tids);
	free(m->tasks);
	free(m->set_epochs);
}

bool model_user_stack_valid(const struct ctrace_model *m, const struct mthread *th)
{
	const uint64_t *e;

	if (!th->depth)
		return false;
	e = set_epoch(m, th->set);
	return e && *e == th->uepoch;
}

static const char *str(const struct ctrace_model *m, uint32_t set, uint32_t id)
{
	return id ? ctrace_trace_string(m->t, set, id) : NULL;
}

/* ------------------------------------------------------------ regions */

void model_user_account(struct ctrace_model *m, struct mthread *th, uint8_t state,
		  uint64_t a, uint64_t b)
{
	if (!model_user_stack_valid(m, th) || state >= CTRACE_NR_STATES)
		return;
	for (uint32_t i = 0; i < th->depth; i++) {
		struct mregion *r = &th->stack[i];
		uint64_t lo = a > r->begin ? a : r->begin;

		if (b > lo)
			r->state_ns[state] += b - lo;
	}
}

void model_user_switched_out(struct ctrace_model *m, struct mthread *th)
{
	if (!model_user_stack_valid(m, th))
		return;
	for (uint32_t i = 0; i < th->depth; i++)
		th->stack[i].switches++;
}

static void region_view(const struct ctrace_model *m, const struct mthread *th,
			const struct mregion *r, uint32_t depth,
			struct ctrace_model_region *out)
{
	*out = (struct ctrace_model_region){
		.tid = th->tid, .tgid = mdl_tgid(m, th), .set = th->set,
		.name_id = r->name, .has_task = r->has_task,
		.name = str(m, th->set, r->name), .task = r->task,
		.depth = depth, .begin = r->begin, .begin_offset = r->offset,
		.switches = r->switches,
	};
}

bool model_user_open_region(const struct ctrace_model *m, const struct mthread *th,
		      struct ctrace_model_region *out)
{
	if (!model_user_stack_valid(m, th))
		return false;
	region_view(m, th, &th->stack[th->depth - 1], th->depth, out);
	return true;
}

/* Region @i of @th's stack ends at @end: emit it with its state split. */
static void region_end(struct ctrace_model *m, struct mthread *th, uint32_t i,
		       uint64_t end, uint64_t end_off, uint16_t flags)
{
	struct mregion *r = &th->stack[i];
	struct ctrace_model_region out;
	uint64_t known = 0, dur;
	uint8_t cur = model_sched_state(th);

	if (!m->sink.region)
		return;
	if (end < r->begin)
		end = r->begin;
	region_view(m, th, r, i + 1, &out);
	memcpy(out.state_ns, r->state_ns, sizeof(out.state_ns));
	/* The part of the thread's current interval it covers. */
	if (th->known && cur != CTRACE_STATE_UNKNOWN) {
		uint64_t lo = th->since > r->begin ? th->since : r->begin;

		if (end > lo)
			out.state_ns[cur] += end - lo;
	}
	dur = end - r->begin;
	for (unsigned int s = 1; s < CTRACE_NR_STATES; s++)
		known += out.state_ns[s];
	out.state_ns[CTRACE_STATE_UNKNOWN] = dur > known ? dur - known : 0;
	out.end = end;
	out.end_offset = end_off;
	out.flags = flags;
	m->sink.region(m->sink.arg, &out);
}

/* Every open region of @th ends at @end, unended (@flags says why). */
static void stack_drop(struct ctrace_model *m, struct mthread *th, uint64_t end,
		       uint16_t flags)
{
	if (model_user_stack_valid(m, th))
		for (uint32_t i = th->depth; i-- > 0;)
			region_end(m, th, i, end, 0, flags);
	th->depth = 0;
}

static bool push(struct mthread *th, const struct mregion *r)
{
	if (th->depth == th->cap) {
		uint32_t cap = th->cap ? th->cap * 2 : 8;
		void *p;

		if (cap < th->cap)
			return false;
		p = realloc(th->stack, (size_t)cap * sizeof(*th->stack));
		if (!p)
			return false;
		th->stack = p;
		th->cap = cap;
	}
	th->stack[th->depth++] = *r;
	return true;
}

static bool region_matches(const struct mregion *open, uint16_t name,
			   bool has_task, uint64_t task)
{
	return open->name == name &&
	       (!open->has_task || !has_task || open->task == task);
}

/* ------------------------------------------------------------- tasks */

static uint64_t task_hash(uint32_t set, uint32_t tgid, uint64_t task)
{
	uint64_t h = task * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)set << 32 | tgid) * 0xc2b2ae3d27d4eb4full;
	return h ^ h >> 29;
}

static size_t task_home(const struct ctrace_model *m, const struct mtask *k)
{
	return task_hash(k->set, k->tgid, k->task) & m->tasks_mask;
}

static struct mtask *task_slot(struct ctrace_model *m, uint32_t set,
			       uint32_t tgid, uint64_t task)
{
	for (size_t i = task_hash(set, tgid, task) & m->tasks_mask;;
	     i = (i + 1) & m->tasks_mask) {
		struct mtask *k = &m->tasks[i];

		if (!k->used || (k->task == task && k->set == set && k->tgid == tgid))
			return k;
	}
}

static struct mtask *task_find(struct ctrace_model *m, uint32_t set,
			       uint32_t tgid, uint64_t task)
{
	struct mtask *k;

	if (!m->tasks)
		return NULL;
	k = task_slot(m, set, tgid, task);
	return k->used ? k : NULL;
}

static struct mtask *task_add(struct ctrace_model *m, uint32_t set,
			      uint32_t tgid, uint64_t task)
{
	struct mtask *k;

	if (!m->tasks || (m->nr_tasks + 1) * 2 > m->tasks_mask + 1) {
		size_t slots = m->tasks ? (m->tasks_mask + 1) * 2 : 64;
		struct mtask *old = m->tasks;
		size_t old_slots = old ? m->tasks_mask + 1 : 0;

		m->tasks = calloc(slots, sizeof(*m->tasks));
		if (!m->tasks) {
			m->tasks = old;
			return NULL;
		}
		m->tasks_mask = slots - 1;
		for (size_t i = 0; i < old_slots; i++)
			if (old[i].used)
				*task_slot(m, old[i].set, old[i].tgid, old[i].task) = old[i];
		free(old);
	}
	k = task_slot(m, set, tgid, task);
	if (!k->used) {
		*k = (struct mtask){ .used = true, .set = set, .tgid = tgid,
				     .task = task };
		m->nr_tasks++;
	}
	return k;
}

/* Delete @k, shifting back the entries of its probe chain behind it. */
static void task_delete(struct ctrace_model *m, struct mtask *k)
{
	size_t i = (size_t)(k - m->tasks), j = i;

	free(k->tids);
	for (;;) {
		size_t home;

		j = (j + 1) & m->tasks_mask;
		if (!m->tasks[j].used)
			break;
		home = task_home(m, &m->tasks[j]);
		/* Entry j may move to i if its home is not in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			m->tasks[i] = m->tasks[j];
			i = j;
		}
	}
	m->tasks[i] = (struct mtask){ 0 };
	m->nr_tasks--;
}

static void task_touch(struct mtask *k, uint32_t tid)
{
	for (uint32_t i = 0; i < k->nr_tids; i++)
		if (k->tids[i] == tid)
			return;
	if (k->nr_tids == k->cap_tids) {
		uint32_t cap = k->cap_tids ? k->cap_tids * 2 : 4;
		void *p = realloc(k->tids, (size_t)cap * sizeof(*k->tids));

		if (!p || cap < k->cap_tids)
			return;	/* a count one short beats no count */
		k->tids = p;
		k->cap_tids = cap;
	}
	k->tids[k->nr_tids++] = tid;
}

static void task_emit(struct ctrace_model *m, const struct mtask *k,
		      uint64_t end, uint32_t end_tid, uint64_t end_off,
		      uint16_t flags)
{
	struct ctrace_model_task out;

	if (!m->sink.task)
		return;
	out = (struct ctrace_model_task){
		.tgid = k->tgid, .set = k->set, .task = k->task,
		.parent = k->parent, .name_id = k->name,
		.name = str(m, k->set, k->name), .begin = k->begin,
		.end = end < k->begin ? k->begin : end,
		.begin_tid = k->begin_tid, .end_tid = end_tid,
		.threads = k->nr_tids, .regions = k->regions, .logs = k->logs,
		.begin_offset = k->offset, .end_offset = end_off,
		.flags = flags,
	};
	m->sink.task(m->sink.arg, &out);
}

/* End (and delete) every open task that @match accepts. */
static void tasks_drop(struct ctrace_model *m, uint64_t end, uint16_t flags,
		       bool (*match)(const struct mtask *k, uint32_t v),
		       uint32_t v)
{
	if (!m->tasks)
		return;
	for (size_t i = 0; i <= m->tasks_mask;) {
		struct mtask *k = &m->tasks[i];

		/* Deleting shifts a later entry into i: look at i again. */
		if (k->used && match(k, v)) {
			task_emit(m, k, end, 0, 0, flags);
			task_delete(m, k);
			continue;
		}
		i++;
	}
}

static bool task_of_set(const struct mtask *k, uint32_t set)
{
	return k->set == set;
}

static bool task_of_proc(const struct mtask *k, uint32_t tgid)
{
	return k->tgid == tgid;
}

static bool task_any(const struct mtask *k, uint32_t v)
{
	(void)k;
	(void)v;
	return true;
}

/* ------------------------------------------------------------- losses */

void model_user_loss(struct ctrace_model *m, uint32_t set, uint64_t at)
{
	uint64_t *e = set_epoch(m, set);

	if (!e)
		return;
	/* Regions of the set's threads end here, and the set starts over. */
	for (size_t i = 0; i < m->nr_threads; i++) {
		struct mthread *th = &m->threads[i];

		if (th->depth && th->set == set)
			stack_drop(m, th, at, CTRACE_RG_LOST);
	}
	tasks_drop(m, at, CTRACE_RG_LOST, task_of_set, set);
	*e = m->next_epoch++;
}

void model_user_finish(struct ctrace_model *m, uint64_t end)
{
	for (size_t i = 0; i < m->nr_threads; i++)
		stack_drop(m, &m->threads[i], end, CTRACE_RG_TRACE_END);
	tasks_drop(m, end, CTRACE_RG_TRACE_END, task_any, 0);
}

void model_user_kernel_event(struct ctrace_model *m, const struct ctrace_event *ev)
{
	struct mthread *th;

	if (ev->type == CTRACE_KREC_EXIT && ev->size >= sizeof(struct ctrace_krec_exit)) {
		struct ctrace_krec_exit k;

		memcpy(&k, ev->rec, sizeof(k));
		if ((th = mdl_thread_find(m, k.tid))) {
			stack_drop(m, th, ev->ns, CTRACE_RG_LOST);
			th->utgid = 0;
			th->uepoch = 0;
		}
		/* Its tasks die with the process; a new one may reuse the pid. */
		if ((ev->aux & CTRACE_EXIT_F_GROUP_DEAD) && k.tgid)
			tasks_drop(m, ev->ns, CTRACE_RG_LOST, task_of_proc, k.tgid);
	} else if (ev->type == CTRACE_KREC_FORK &&
		   ev->size >= sizeof(struct ctrace_krec_fork)) {
		struct ctrace_krec_fork k;

		memcpy(&k, ev->rec, sizeof(k));
		if ((th = mdl_thread_find(m, k.child_tid))) {
			stack_drop(m, th, ev->ns, CTRACE_RG_LOST);
			th->utgid = 0;
			th->uepoch = 0;
		}
	}
}

/* ------------------------------------------------------------- events */

/* " task=7" when the region names one. */
static const char *task_str(bool has_task, uint64_t task, char *buf, size_t len)
{
	if (!has_task)
		return "";
	snprintf(buf, len, " task=%" PRIu64, task);
	return buf;
}

static void region_event(struct ctrace_model *m, const struct ctrace_event *ev,
			 struct mthread *th, uint64_t epoch,
			 struct ctrace_model_uevent *u)
{
	struct mregion reg = {
		.name = u->name_id, .has_task = u->has_task, .task = u->task,
		.begin = ev->ns, .offset = ev->offset,
	};
	uint32_t found = 0;

	if (th->uepoch != epoch || th->set != u->set) {
		th->depth = 0;
		th->uepoch = epoch;
		th->set = u->set;
	}
	if (u->type == CTRACE_UREC_REGION_BEGIN) {
		if (!push(th, &reg)) {
			m->oom = true;
			model_user_loss(m, u->set, ev->ns);
			return;
		}
		u->depth = th->depth;
		if (u->has_task && u->tgid) {
			struct mtask *k = task_find(m, u->set, mdl_tgid(m, th), u->task);

			if (k) {
				k->regions++;
				task_touch(k, th->tid);
			}
		}
		return;
	}
	if (!th->depth)
		return;		/* begun before the recording */
	for (uint32_t i = th->depth; i-- > 0;) {
		if (region_matches(&th->stack[i], reg.name, reg.has_task, reg.task)) {
			found = i + 1;
			break;
		}
	}
	if (!region_matches(&th->stack[th->depth - 1], reg.name, reg.has_task, reg.task)) {
		/* Regions nest: only the innermost may end now. */
		const struct mregion *open = &th->stack[th->depth - 1];
		char n1[160], n2[160], t1[32], t2[32], a[48];

		ctrace_ustr_name(m->t, u->set, reg.name, n1, sizeof(n1));
		ctrace_ustr_name(m->t, u->set, open->name, n2, sizeof(n2));
		mdl_anomaly(m, ev, u->set + 1, true,
			    "region end name=%s%s on %s: the innermost open region is name=%s%s (begun at offset %" PRIu64 ")",
			    n1, task_str(reg.has_task, reg.task, t1, sizeof(t1)),
			    mdl_name(m, th->tid, a, sizeof(a)), n2,
			    task_str(open->has_task, open->task, t2, sizeof(t2)),
			    open->offset);
	}
	if (!found)
		return;
	/* Recover at the region it does close: inner ones never ended. */
	u->depth = found;
	u->matched = true;
	u->begin_ns = th->stack[found - 1].begin;
	for (uint32_t i = th->depth; i-- > found;)
		region_end(m, th, i, ev->ns, 0, CTRACE_RG_LOST);
	region_end(m, th, found - 1, ev->ns, ev->offset, 0);
	th->depth = found - 1;
}

static void task_event(struct ctrace_model *m, const struct ctrace_event *ev,
		       struct mthread *th, struct ctrace_model_uevent *u)
{
	uint32_t tgid = mdl_tgid(m, th);
	struct mtask *k;

	/* Task IDs are per process: unknown without the process. */
	if (!tgid)
		return;
	k = task_find(m, u->set, tgid, u->task);
	if (u->type == CTRACE_UREC_TASK_END) {
		if (!k)
			return;
		task_touch(k, th->tid);
		u->matched = true;
		u->begin_ns = k->begin;
		u->name_id = k->name;
		u->name = str(m, k->set, k->name);
		task_emit(m, k, ev->ns, th->tid, ev->offset, 0);
		task_delete(m, k);
		return;
	}
	if (k) {
		char n1[160], a[48];

		ctrace_ustr_name(m->t, u->set, u->name_id, n1, sizeof(n1));
		mdl_anomaly(m, ev, u->set + 1, true,
			    "task begin name=%s id=%" PRIu64 " on %s: task %" PRIu64 " of process %u is open already (begun at offset %" PRIu64 ")",
			    n1, u->task, mdl_name(m, th->tid, a, sizeof(a)), u->task,
			    tgid, k->offset);
		/* The first one never ended, as far as the trace knows. */
		task_emit(m, k, ev->ns, 0, 0, CTRACE_RG_LOST);
		task_delete(m, k);
	}
	k = task_add(m, u->set, tgid, u->task);
	if (!k) {
		m->oom = true;
		model_user_loss(m, u->set, ev->ns);
		return;
	}
	k->parent = u->parent;
	k->begin = ev->ns;
	k->offset = ev->offset;
	k->name = u->name_id;
	k->begin_tid = th->tid;
	task_touch(k, th->tid);
}

/* Decode @ev (a user record, sanitised and checked by the reader). */
static void decode(const struct ctrace_model *m, const struct ctrace_event *ev,
		   const struct ctrace_urec *h, struct ctrace_model_uevent *u)
{
	const unsigned char *rec = ev->rec;
	uint64_t v = 0;

	*u = (struct ctrace_model_uevent){
		.type = h->type, .tid = h->tid, .set = ctrace_uring_set(ev->ring),
		.cpu = ctrace_uring_cpu(ev->ring), .ns = ev->ns,
		.offset = ev->offset, .name_id = h->id,
	};
	u->name = str(m, u->set, h->id);
	if (ev->size >= sizeof(*h) + 8)
		memcpy(&v, rec + sizeof(*h), sizeof(v));
	switch (h->type) {
	case CTRACE_UREC_THREAD: {
		struct ctrace_urec_thread k;

		memcpy(&k, rec, sizeof(k));
		u->tgid = k.tgid;
		memcpy(u->comm, k.name, CTRACE_COMM_LEN);
		u->comm[CTRACE_COMM_LEN] = '\0';
		break;
	}
	case CTRACE_UREC_TASK_BEGIN: {
		struct ctrace_urec_task k;

		memcpy(&k, rec, sizeof(k));
		u->task = k.task;
		u->parent = k.parent;
		u->has_task = true;
		break;
	}
	case CTRACE_UREC_TASK_END:
		u->task = v;
		u->has_task = true;
		break;
	case CTRACE_UREC_REGION_BEGIN:
	case CTRACE_UREC_REGION_END:
	case CTRACE_UREC_INSTANT:
		u->has_task = ev->size >= 24;
		u->task = v;
		break;
	case CTRACE_UREC_LOG: {
		struct ctrace_urec_log k;

		memcpy(&k, rec, sizeof(k));
		u->task = k.task;
		u->has_task = k.task != 0;
		if (k.msg_id) {
			u->msg = str(m, u->set, k.msg_id);
			u->msg_len = u->msg ? (uint32_t)strlen(u->msg) : 0;
		} else if (k.len <= ev->size - sizeof(k)) {
			u->msg = (const char *)rec + sizeof(k);
			u->msg_len = k.len;
		}
		break;
	}
	case CTRACE_UREC_COUNTER:
		u->ivalue = (int64_t)v;
		break;
	case CTRACE_UREC_COUNTER_F:
		memcpy(&u->fvalue, &v, sizeof(u->fvalue));
		break;
	case CTRACE_UREC_FLOW_BEGIN:
	case CTRACE_UREC_FLOW_END:
		u->flow = v;
		break;
	}
}

void model_user_event(struct ctrace_model *m, const struct ctrace_event *ev)
{
	uint32_t set = ctrace_uring_set(ev->ring);
	uint64_t *epoch = set_epoch(m, set);
	struct ctrace_model_uevent u;
	struct mthread *th;
	struct ctrace_urec h;

	if (!epoch || ev->size < sizeof(h))
		return;
	memcpy(&h, ev->rec, sizeof(h));
	if (h.type == CTRACE_UREC_LOST || h.type == CTRACE_FREC_CORRUPT)
		return;		/* model.c reported the loss */
	decode(m, ev, &h, &u);
	th = mdl_thread(m, h.tid);
	if (!th) {
		/* Out of memory: know nothing rather than something wrong. */
		m->oom = true;
		model_user_loss(m, set, ev->ns);
		return;
	}
	if (h.type == CTRACE_UREC_THREAD && ctrace_event_disputed(ev)) {
		/* A claim the kernel contradicts: not the thread's process. */
		u.tgid = mdl_tgid(m, th);
	} else if (h.type == CTRACE_UREC_THREAD) {
		if (th->utgid && u.tgid != th->utgid)
			stack_drop(m, th, ev->ns, CTRACE_RG_LOST);	/* a reused tid */
		th->utgid = u.tgid;
	} else {
		u.tgid = mdl_tgid(m, th);
	}

	switch (h.type) {
	case CTRACE_UREC_REGION_BEGIN:
	case CTRACE_UREC_REGION_END:
		region_event(m, ev, th, *epoch, &u);
		break;
	case CTRACE_UREC_TASK_BEGIN:
	case CTRACE_UREC_TASK_END:
		task_event(m, ev, th, &u);
		break;
	case CTRACE_UREC_LOG:
	case CTRACE_UREC_INSTANT:
		if (u.has_task && u.tgid) {
			struct mtask *k = task_find(m, set, u.tgid, u.task);

			if (k) {
				k->logs += h.type == CTRACE_UREC_LOG;
				task_touch(k, th->tid);
			}
		}
		break;
	}
	if (m->sink.uevent)
		m->sink.uevent(m->sink.arg, &u);
}
