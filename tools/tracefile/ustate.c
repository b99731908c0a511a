// SPDX-License-Identifier: LGPL-2.1
/*
 * What user records say about threads and tasks, fed the merged event
 * stream: each thread's stack of open regions, each process's open tasks.
 * The validator checks what this finds; the text output prints depths and
 * durations from it.
 *
 *   thread (by tid): ring set, tgid, stack of open regions
 *                    [ {name, task?, begin ns, begin offset} ... innermost ]
 *   task (by ring set, tgid, task ID): open?, name, begin ns and offset
 *
 * What is known is always partial: regions and tasks begun before the
 * recording have no BEGIN in it, and losses (LOST, CORRUPT, a gap) may have
 * swallowed any record.  So a REGION_END with nothing open closes a region
 * from before; a loss on a ring set forgets the regions and tasks of its
 * threads (each set has an epoch; state from an older one counts as not
 * there).  A thread's tgid comes from user THREAD records; a kernel EXIT
 * or FORK of a tid, or a THREAD record with another tgid, means a new
 * thread (tids are reused).
 *
 * Memory: a region per REGION_BEGIN record and a task per TASK_BEGIN
 * record at most, so bounded by the file's size.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static uint64_t *set_epoch(struct ctrace_ustate *s, uint32_t set)
{
	size_t pos;

	if (!ctrace_uset_find(s->t, set, &pos) || pos >= s->nr_epochs)
		return NULL;	/* the reader only returns described sets */
	return &s->epochs[pos];
}

int ctrace_ustate_init(struct ctrace_ustate *s, const struct ctrace_trace *t)
{
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->nr_epochs = t->nr_usets;
	s->epochs = calloc(t->nr_usets ? t->nr_usets : 1, sizeof(*s->epochs));
	if (!s->epochs)
		return -ENOMEM;
	/* Epoch 0 is never current: threads start with nothing known. */
	s->next_epoch = 1;
	s->next_gen = 1;
	for (size_t i = 0; i < s->nr_epochs; i++)
		s->epochs[i] = s->next_epoch++;
	return 0;
}

void ctrace_ustate_free(struct ctrace_ustate *s)
{
	for (size_t i = 0; i < s->nr_threads; i++)
		free(s->threads[i].stack);
	free(s->threads);
	ctrace_map_free(&s->thread_map);
	free(s->tasks);
	ctrace_map_free(&s->proc_gen);
	free(s->epochs);
	memset(s, 0, sizeof(*s));
}

void ctrace_ustate_loss(struct ctrace_ustate *s, uint32_t set)
{
	uint64_t *e = set_epoch(s, set);

	if (e)
		*e = s->next_epoch++;
}

static struct ctrace_uthread *thread_find(struct ctrace_ustate *s, uint32_t tid)
{
	uint32_t i = ctrace_map_get(&s->thread_map, tid);

	return i == CTRACE_MAP_NONE ? NULL : &s->threads[i];
}

/* Thread @tid writing to ring set @set, its regions valid (or reset). */
static struct ctrace_uthread *thread_get(struct ctrace_ustate *s, uint32_t tid,
					 uint32_t set, uint64_t epoch)
{
	struct ctrace_uthread *th = thread_find(s, tid);

	if (!th) {
		if (s->nr_threads == s->threads_cap) {
			size_t cap = s->threads_cap ? s->threads_cap * 2 : 64;
			void *p = realloc(s->threads, cap * sizeof(*s->threads));

			if (!p)
				return NULL;
			s->threads = p;
			s->threads_cap = cap;
		}
		if (ctrace_map_put(&s->thread_map, tid, s->nr_threads))
			return NULL;
		th = &s->threads[s->nr_threads++];
		*th = (struct ctrace_uthread){ .tid = tid };
	}
	if (th->set != set || th->epoch != epoch) {
		th->set = set;
		th->epoch = epoch;
		th->depth = 0;
	}
	return th;
}

/* The thread died or its tid now names another: start over. */
static void thread_forget(struct ctrace_ustate *s, uint32_t tid)
{
	struct ctrace_uthread *th = thread_find(s, tid);

	if (th) {
		th->depth = 0;
		th->tgid = 0;
		th->epoch = 0;
	}
}

static bool push(struct ctrace_uthread *th, const struct ctrace_uregion *r)
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

static bool region_matches(const struct ctrace_uregion *open,
			   const struct ctrace_uregion *end)
{
	return open->name == end->name &&
	       (!open->has_task || !end->has_task || open->task == end->task);
}

/* ------------------------------------------------------------- tasks */

static uint64_t task_hash(uint32_t set, uint32_t tgid, uint64_t task)
{
	uint64_t h = task * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)set << 32 | tgid) * 0xc2b2ae3d27d4eb4full;
	return h ^ h >> 29;
}

/* The process's generation: it changes when the process dies. */
static uint32_t proc_gen(const struct ctrace_ustate *s, uint32_t tgid)
{
	uint32_t g = ctrace_map_get(&s->proc_gen, tgid);

	return g == CTRACE_MAP_NONE ? 0 : g;
}

static struct ctrace_utask *task_slot(struct ctrace_ustate *s, uint32_t set,
				      uint32_t tgid, uint64_t task)
{
	for (size_t i = task_hash(set, tgid, task) & s->tasks_mask;;
	     i = (i + 1) & s->tasks_mask) {
		struct ctrace_utask *k = &s->tasks[i];

		if (!k->used || (k->task == task && k->set == set && k->tgid == tgid))
			return k;
	}
}

static struct ctrace_utask *task_find(struct ctrace_ustate *s, uint32_t set,
				      uint32_t tgid, uint64_t task)
{
	struct ctrace_utask *k;

	if (!s->tasks)
		return NULL;
	k = task_slot(s, set, tgid, task);
	return k->used ? k : NULL;
}

static struct ctrace_utask *task_add(struct ctrace_ustate *s, uint32_t set,
				     uint32_t tgid, uint64_t task)
{
	struct ctrace_utask *k;

	if (!s->tasks || (s->nr_tasks + 1) * 2 > s->tasks_mask + 1) {
		size_t slots = s->tasks ? (s->tasks_mask + 1) * 2 : 64;
		struct ctrace_utask *old = s->tasks;
		size_t old_slots = old ? s->tasks_mask + 1 : 0;

		s->tasks = calloc(slots, sizeof(*s->tasks));
		if (!s->tasks) {
			s->tasks = old;
			return NULL;
		}
		s->tasks_mask = slots - 1;
		for (size_t i = 0; i < old_slots; i++)
			if (old[i].used)
				*task_slot(s, old[i].set, old[i].tgid, old[i].task) = old[i];
		free(old);
	}
	k = task_slot(s, set, tgid, task);
	if (!k->used) {
		*k = (struct ctrace_utask){ .used = true, .set = set,
					    .tgid = tgid, .task = task };
		s->nr_tasks++;
	}
	return k;
}

/* ------------------------------------------------------------- events */

static void user_step(struct ctrace_ustate *s, const struct ctrace_event *ev,
		      struct ctrace_ustep *out)
{
	uint32_t set = ctrace_uring_set(ev->ring);
	uint64_t *epoch = set_epoch(s, set);
	struct ctrace_uthread *th;
	struct ctrace_uregion reg;
	struct ctrace_urec h;

	if (!epoch || ev->size < sizeof(h))
		return;
	memcpy(&h, ev->rec, sizeof(h));
	switch (h.type) {
	case CTRACE_UREC_LOST:
	case CTRACE_FREC_CORRUPT:
		ctrace_ustate_loss(s, set);
		return;
	case CTRACE_UREC_THREAD:
	case CTRACE_UREC_REGION_BEGIN:
	case CTRACE_UREC_REGION_END:
	case CTRACE_UREC_TASK_BEGIN:
	case CTRACE_UREC_TASK_END:
		break;
	default:
		return;
	}
	th = thread_get(s, h.tid, set, *epoch);
	if (!th) {
		/* Out of memory: know nothing rather than something wrong. */
		ctrace_ustate_loss(s, set);
		return;
	}
	out->tgid = th->tgid;

	switch (h.type) {
	case CTRACE_UREC_THREAD: {
		struct ctrace_urec_thread k;

		memcpy(&k, ev->rec, sizeof(k));
		if (th->tgid && k.tgid != th->tgid)
			th->depth = 0;	/* a reused tid */
		th->tgid = out->tgid = k.tgid;
		return;
	}
	case CTRACE_UREC_REGION_BEGIN:
	case CTRACE_UREC_REGION_END:
		reg = (struct ctrace_uregion){
			.name = h.id, .ns = ev->ns, .offset = ev->offset,
		};
		/* Optional: there when the record is long enough for it. */
		reg.has_task = ctrace_event_task(ev, &reg.task);
		if (h.type == CTRACE_UREC_REGION_BEGIN) {
			if (!push(th, &reg)) {
				ctrace_ustate_loss(s, set);
				return;
			}
			out->depth = th->depth;
			return;
		}
		if (!th->depth)
			return;		/* begun before the recording */
		for (uint32_t i = th->depth; i-- > 0;) {
			if (!region_matches(&th->stack[i], &reg))
				continue;
			out->depth = i + 1;
			out->begin_seen = true;
			out->begin_ns = th->stack[i].ns;
			out->begin_offset = th->stack[i].offset;
			out->begin_name = th->stack[i].name;
			break;
		}
		if (!region_matches(&th->stack[th->depth - 1], &reg)) {
			/* Regions nest: only the innermost may end now. */
			out->mismatch = true;
			out->open = th->stack[th->depth - 1];
		}
		/* Recover at the region it does close, if any. */
		if (out->begin_seen)
			th->depth = out->depth - 1;
		return;
	case CTRACE_UREC_TASK_BEGIN:
	case CTRACE_UREC_TASK_END: {
		struct ctrace_utask *k;
		uint64_t task;

		/* Task IDs are per process: unknown without the process. */
		if (!ctrace_event_task(ev, &task) || !th->tgid)
			return;
		if (h.type == CTRACE_UREC_TASK_END) {
			k = task_find(s, set, th->tgid, task);
			if (k && k->open && k->epoch == *epoch &&
			    k->gen == proc_gen(s, th->tgid)) {
				out->begin_seen = true;
				out->begin_ns = k->ns;
				out->begin_offset = k->offset;
				out->begin_name = k->name;
			}
			if (k)
				k->open = false;
			return;
		}
		k = task_add(s, set, th->tgid, task);
		if (!k) {
			ctrace_ustate_loss(s, set);
			return;
		}
		if (k->open && k->epoch == *epoch &&
		    k->gen == proc_gen(s, th->tgid)) {
			out->reopened = true;
			out->begin_seen = true;
			out->begin_ns = k->ns;
			out->begin_offset = k->offset;
			out->begin_name = k->name;
		}
		k->open = true;
		k->epoch = *epoch;
		k->gen = proc_gen(s, th->tgid);
		k->ns = ev->ns;
		k->offset = ev->offset;
		k->name = h.id;
		return;
	}
	}
}

void ctrace_ustate_step(struct ctrace_ustate *s, const struct ctrace_event *ev,
			struct ctrace_ustep *out)
{
	memset(out, 0, sizeof(*out));
	if (ev->kind == CTRACE_RING_USER) {
		user_step(s, ev, out);
		return;
	}
	if (!ctrace_kind_krec(ev->kind))
		return;
	if (ev->type == CTRACE_KREC_EXIT && ev->size >= sizeof(struct ctrace_krec_exit)) {
		struct ctrace_krec_exit k;

		memcpy(&k, ev->rec, sizeof(k));
		thread_forget(s, k.tid);
		/* Its tasks die with the process; a new one may reuse the pid. */
		if ((ev->aux & CTRACE_EXIT_F_GROUP_DEAD) && k.tgid &&
		    s->next_gen < CTRACE_MAP_NONE - 1)
			ctrace_map_put(&s->proc_gen, k.tgid, s->next_gen++);
	} else if (ev->type == CTRACE_KREC_FORK &&
		   ev->size >= sizeof(struct ctrace_krec_fork)) {
		struct ctrace_krec_fork k;

		memcpy(&k, ev->rec, sizeof(k));
		thread_forget(s, k.child_tid);
	}
}
