// SPDX-License-Identifier: LGPL-2.1
/*
 * The scheduler state machine: one per thread, fed the merged stream,
 * emitting the intervals between transitions (model.h defines them) and
 * reporting the transitions its state forbids.
 *
 *           FORK          WAKEUP [new]
 *   (any) -------> NEW -----------------> RUNNABLE <--------------+
 *                                          ^    |                 |
 *                                   WAKEUP |    | SWITCH in       | SWITCH out R, R+
 *                                          |    v                 | (or S, D, T after
 *                                       WAITING  RUNNING(cpu) ----+  a WAKEUP while
 *                                          ^    |    |               it still ran)
 *                                          +----+    | SWITCH out X
 *                                  SWITCH out S,D,T  v
 *                                                   DEAD
 *
 * UNKNOWN is where every thread starts, and where losses put them back:
 * it allows anything, and the next event makes the state known.  The idle
 * task (tid 0, on every CPU at once) and hidden threads (one tid for many)
 * are not tracked.  Per CPU, the thread a switch puts on it must be the
 * one the next switch takes off.
 *
 * Intervals: each transition closes the thread's current interval
 * [since, now) and opens the next.  A transition that contradicts the
 * state (switched in while waiting, with wakeups recorded) closes it as
 * UNKNOWN: the record that explains it is missing.  A switch-out of a
 * thread the model did not see running closes it as UNKNOWN too.  States
 * from the start snapshot are "soft": a transition that contradicts one
 * is no anomaly (the snapshot reads states without stopping the threads),
 * and the interval is closed as UNKNOWN.
 *
 * Filtered sessions (META target pids:... or command:...) record only
 * the switches that involve the traced threads, and only their wakeups.
 * Their threads are modelled once the trace shows they are traced: they
 * are woken, in the snapshot, or exec, exit, rename, migrate, or are
 * threads forked inside a traced process.  A cgroup session is modelled
 * the same way, but not checked (threads may enter and leave it).
 * Without wakeups recorded (META events), sleeping and new threads may
 * run again unannounced, and a sleep then lasts to the switch-in.
 */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

#define NONE UINT32_MAX

uint8_t model_sched_state(const struct mthread *th)
{
	switch (th->vs) {
	case MS_RUNNING:
		return CTRACE_STATE_RUNNING;
	case MS_RUNNABLE:
		return CTRACE_STATE_RUNNABLE;
	case MS_WAITING:
		return th->wait_state;
	default:
		return CTRACE_STATE_UNKNOWN;
	}
}

/* ------------------------------------------------------ the live list */

static void live_add(struct ctrace_model *m, struct mthread *th)
{
	uint32_t i = (uint32_t)(th - m->threads);

	if (th->in_live)
		return;
	th->in_live = true;
	th->live_prev = NONE;
	th->live_next = m->live_head;
	if (m->live_head != NONE)
		m->threads[m->live_head].live_prev = i;
	m->live_head = i;
}

void model_sched_live_remove(struct ctrace_model *m, struct mthread *th)
{
	if (!th->in_live)
		return;
	if (th->live_prev != NONE)
		m->threads[th->live_prev].live_next = th->live_next;
	else
		m->live_head = th->live_next;
	if (th->live_next != NONE)
		m->threads[th->live_next].live_prev = th->live_prev;
	th->in_live = false;
}

/* ------------------------------------------------- runnable threads */

static struct mcpu *cpu_get(struct ctrace_model *m, uint32_t cpu);

void model_sched_rq_update(struct ctrace_model *m, struct mthread *th)
{
	if (th->rq) {
		uint32_t i = th->rq_cpu == NONE ? CTRACE_MAP_NONE :
			     ctrace_map_get(&m->cpu_map, th->rq_cpu);

		m->nr_runnable--;
		if (i != CTRACE_MAP_NONE)
			m->cpus[i].nr_runnable--;
		th->rq = false;
	}
	if (th->vs == MS_RUNNABLE) {
		struct mcpu *c = th->cpu == NONE ? NULL : cpu_get(m, th->cpu);

		m->nr_runnable++;
		th->rq = true;
		th->rq_cpu = c ? th->cpu : NONE;
		if (c)
			c->nr_runnable++;
	}
}

/* ---------------------------------------------------------- intervals */

/*
 * Close @th's current interval at @end as @state (its own, or UNKNOWN),
 * with @flags; nothing for a thread whose timeline has not begun.
 */
static void close_iv(struct ctrace_model *m, struct mthread *th, uint8_t state,
		     uint64_t end, uint64_t end_off, uint16_t flags)
{
	struct ctrace_state_iv iv;

	if (!th->known || (th->vs == MS_NEW || th->vs == MS_DEAD))
		return;
	if (end < th->since)
		end = th->since;
	if (state != CTRACE_STATE_UNKNOWN)
		model_user_account(m, th, state, th->since, end);
	if (!m->sink.state)
		return;
	iv = (struct ctrace_state_iv){
		.tid = th->tid, .tgid = mdl_tgid(m, th), .state = state,
		.flags = flags, .cpu = th->cpu, .begin = th->since, .end = end,
		.begin_offset = th->since_off, .end_offset = end_off,
	};
	if (state == CTRACE_STATE_RUNNABLE) {
		iv.cause = th->cause;
		if (th->cause == CTRACE_CAUSE_WAKEUP || th->cause == CTRACE_CAUSE_NEW) {
			iv.waker_tid = th->waker.tid;
			iv.waker_cpu = th->waker.cpu;
			if (th->waker.irq)
				iv.flags |= CTRACE_IV_WAKER_IRQ;
			if (th->waker.has_region)
				iv.waker_region = &th->waker.region;
		}
	}
	m->sink.state(m->sink.arg, &iv);
}

/* The thread's own state closes its interval. */
static void close_own(struct ctrace_model *m, struct mthread *th,
		      const struct ctrace_event *ev)
{
	close_iv(m, th, model_sched_state(th), ev->ns, ev->offset, 0);
}

/* Enter @vs at @ev: the thread's timeline has begun. */
static void enter(struct ctrace_model *m, struct mthread *th, uint8_t vs,
		  const struct ctrace_event *ev)
{
	th->vs = vs;
	th->since = ev->ns;
	th->since_off = ev->offset;
	th->soft = false;
	th->runnable_unsure = false;
	model_sched_rq_update(m, th);
	if (vs == MS_NEW || vs == MS_DEAD) {
		th->known = false;
		model_sched_live_remove(m, th);
	} else {
		th->known = true;
		if (vs == MS_UNKNOWN)
			model_sched_live_remove(m, th);
		else
			live_add(m, th);
	}
}

static void cpu_close(struct ctrace_model *m, struct mcpu *c, uint64_t end,
		      uint16_t flags)
{
	struct ctrace_cpu_iv iv;

	if (!c->known || !m->sink.cpu)
		return;
	iv = (struct ctrace_cpu_iv){
		.cpu = c->cpu, .tid = c->cur, .begin = c->since,
		.end = end < c->since ? c->since : end,
		.flags = flags | (c->untraced ? CTRACE_CPU_UNTRACED : 0),
	};
	m->sink.cpu(m->sink.arg, &iv);
}

static struct mcpu *cpu_get(struct ctrace_model *m, uint32_t cpu)
{
	uint32_t i = ctrace_map_get(&m->cpu_map, cpu);

	if (i == CTRACE_MAP_NONE) {
		if (m->nr_cpus == m->cpus_cap) {
			size_t cap = m->cpus_cap ? m->cpus_cap * 2 : 16;
			void *p = realloc(m->cpus, cap * sizeof(*m->cpus));

			if (!p)
				return NULL;
			m->cpus = p;
			m->cpus_cap = cap;
		}
		if (ctrace_map_put(&m->cpu_map, cpu, m->nr_cpus))
			return NULL;
		i = m->nr_cpus++;
		m->cpus[i] = (struct mcpu){ .cpu = cpu };
	}
	return &m->cpus[i];
}

/* ------------------------------------------------------------- losses */

void model_sched_loss(struct ctrace_model *m, uint64_t from)
{
	while (m->live_head != NONE) {
		struct mthread *th = &m->threads[m->live_head];
		uint64_t cut = from > th->since ? from : th->since;

		close_iv(m, th, model_sched_state(th), cut, 0, CTRACE_IV_LOSS_END);
		th->vs = MS_UNKNOWN;
		th->since = cut;
		th->since_off = 0;
		th->woken = false;
		th->soft = false;
		model_sched_rq_update(m, th);
		model_sched_live_remove(m, th);
	}
	for (size_t i = 0; i < m->nr_cpus; i++) {
		struct mcpu *c = &m->cpus[i];

		cpu_close(m, c, from > c->since ? from : c->since, CTRACE_IV_LOSS_END);
		c->known = false;
	}
}

void model_sched_finish(struct ctrace_model *m, uint64_t end)
{
	/* Closing moves every live thread off the list. */
	while (m->live_head != NONE) {
		struct mthread *th = &m->threads[m->live_head];

		close_iv(m, th, model_sched_state(th), end, 0, CTRACE_IV_TRACE_END);
		model_sched_live_remove(m, th);
	}
	/* Threads whose state a loss made unknown stay unknown to the end. */
	for (size_t i = 0; i < m->nr_threads; i++) {
		struct mthread *th = &m->threads[i];

		if (th->known && th->vs == MS_UNKNOWN && end > th->since)
			close_iv(m, th, CTRACE_STATE_UNKNOWN, end, 0,
				 CTRACE_IV_TRACE_END);
		th->known = false;
	}
	for (size_t i = 0; i < m->nr_cpus; i++) {
		cpu_close(m, &m->cpus[i], end, CTRACE_IV_TRACE_END);
		m->cpus[i].known = false;
	}
}

/* ------------------------------------------------------------ threads */

/* The thread @tid, if the model follows its states. */
static struct mthread *checked(struct ctrace_model *m, uint32_t tid)
{
	struct mthread *th;

	if (tid == 0 || tid == CTRACE_TID_HIDDEN || !(th = mdl_thread(m, tid)))
		return NULL;
	return !m->filtered || th->traced ? th : NULL;
}

/* Filtered sessions: the trace shows @tid is traced. */
static void traced(struct ctrace_model *m, uint32_t tid)
{
	struct mthread *th;

	if (m->filtered && tid && tid != CTRACE_TID_HIDDEN && (th = mdl_thread(m, tid)))
		th->traced = true;
}

/* Whether to say so: checks apply, and the state is not the snapshot's. */
static bool check(const struct ctrace_model *m, const struct mthread *th)
{
	return m->sched && !th->soft;
}

static void set_waker(struct ctrace_model *m, struct mthread *th,
		      const struct ctrace_model_wakeup *w)
{
	th->waker.tid = w->waker_tid;
	th->waker.cpu = w->waker_cpu;
	th->waker.irq = w->irq;
	th->waker.has_region = w->waker_region != NULL;
	if (w->waker_region)
		th->waker.region = *w->waker_region;
	(void)m;
}

#define NAME(tid, buf) mdl_name(m, (tid), (buf), sizeof(buf))

static void on_switch(struct ctrace_model *m, const struct ctrace_event *ev)
{
	unsigned int st = ev->aux & CTRACE_SWITCH_STATE_MASK;
	bool preempt = ev->aux & CTRACE_SWITCH_F_PREEMPT;
	struct ctrace_krec_switch k;
	struct mthread *th, *nx;
	struct mcpu *c;
	char a[48], b[48];

	memcpy(&k, ev->rec, sizeof(k));
	if (st > CTRACE_STATE_DEAD)
		mdl_anomaly(m, ev, 0, false, "switch: unknown prev_state %u", st);
	/* The dumper's ring is no CPU. */
	if (ev->kind != CTRACE_RING_KERNEL)
		return;
	c = cpu_get(m, ev->ring);
	if (!c) {
		m->oom = true;
		return;
	}

	/*
	 * A thread's visibility may change (setuid): hidden matches anything.
	 * Filtered: the CPU's thread is known only while it is traced.
	 */
	if (m->sched && c->known && !c->soft && c->cur != k.prev_tid &&
	    c->cur != CTRACE_TID_HIDDEN && k.prev_tid != CTRACE_TID_HIDDEN &&
	    (!m->filtered || checked(m, c->cur)))
		mdl_anomaly(m, ev, 0, true,
			    "switch: prev is %s but the last switch on cpu %u put %s on it",
			    NAME(k.prev_tid, a), ev->ring, NAME(c->cur, b));

	if ((th = checked(m, k.prev_tid))) {
		bool here = th->vs == MS_RUNNING && th->cpu == ev->ring;
		/* Off a CPU the model did not see it on: a record is missing,
		 * unless nothing was known (a loss, the snapshot, a wakeup
		 * of a thread in an unknown state, which may have run). */
		bool odd = !here && th->vs != MS_UNKNOWN && !th->soft &&
			   !th->runnable_unsure;

		if (th->vs == MS_RUNNING && th->cpu != ev->ring) {
			if (check(m, th))
				mdl_anomaly(m, ev, 0, true,
					    "switch: prev %s is running on cpu %u",
					    NAME(k.prev_tid, a), th->cpu);
		} else if (th->vs == MS_DEAD && m->sched) {
			mdl_anomaly(m, ev, 0, true,
				    "switch: prev %s has died (offset %" PRIu64 ")",
				    NAME(k.prev_tid, a), th->since_off);
		}
		/* Only a thread seen running here ran here the whole time. */
		close_iv(m, th, here ? CTRACE_STATE_RUNNING : CTRACE_STATE_UNKNOWN,
			 ev->ns, ev->offset, odd ? CTRACE_IV_ANOMALY : 0);
		model_user_switched_out(m, th);
		model_syscall_switched_out(m, th, ev->ns, st);
		th->cpu = ev->ring;
		switch (st) {
		case CTRACE_STATE_DEAD:
			enter(m, th, MS_DEAD, ev);
			break;
		case CTRACE_STATE_RUNNING:
		case CTRACE_STATE_RUNNABLE:
			enter(m, th, MS_RUNNABLE, ev);
			th->cause = preempt ? CTRACE_CAUSE_PREEMPT : CTRACE_CAUSE_YIELD;
			break;
		case CTRACE_STATE_SLEEPING:
		case CTRACE_STATE_BLOCKED:
		case CTRACE_STATE_STOPPED:
			/* Woken before it got off the CPU: it stays runnable. */
			if (th->woken) {
				enter(m, th, MS_RUNNABLE, ev);
				th->cause = CTRACE_CAUSE_WAKEUP;
			} else {
				enter(m, th, MS_WAITING, ev);
				th->wait_state = (uint8_t)st;
			}
			break;
		default:
			enter(m, th, MS_UNKNOWN, ev);
			break;
		}
		th->woken = false;
	}

	if ((nx = checked(m, k.next_tid))) {
		uint8_t state = model_sched_state(nx);
		uint16_t flags = 0;
		bool chk = check(m, nx);

		switch (nx->vs) {
		case MS_RUNNING:
			if (nx->cpu != ev->ring && chk)
				mdl_anomaly(m, ev, 0, true,
					    "switch: next %s is already running on cpu %u",
					    NAME(k.next_tid, a), nx->cpu);
			state = CTRACE_STATE_UNKNOWN;
			flags = CTRACE_IV_ANOMALY;
			break;
		case MS_DEAD:
			if (m->sched)
				mdl_anomaly(m, ev, 0, true,
					    "switch: next %s has died (offset %" PRIu64 ")",
					    NAME(k.next_tid, a), nx->since_off);
			break;
		case MS_NEW:
			if (!m->wakeups)
				break;
			if (chk)
				mdl_anomaly(m, ev, 0, true,
					    "switch: next %s is new and was never woken (forked at offset %" PRIu64 ")",
					    NAME(k.next_tid, a), nx->since_off);
			break;
		case MS_WAITING:
			/* Without wakeups, a sleep lasts to the switch-in. */
			if (!m->wakeups)
				break;
			if (chk)
				mdl_anomaly(m, ev, 0, true,
					    "switch: next %s is waiting and was not woken since it slept (offset %" PRIu64 ")",
					    NAME(k.next_tid, a), nx->since_off);
			state = CTRACE_STATE_UNKNOWN;
			flags = CTRACE_IV_ANOMALY;
			break;
		}
		close_iv(m, nx, state, ev->ns, ev->offset, flags);
		model_syscall_switched_in(nx, ev->ns);
		enter(m, nx, MS_RUNNING, ev);
		nx->cpu = ev->ring;
		nx->woken = false;
	}

	cpu_close(m, c, ev->ns, 0);
	c->known = true;
	c->soft = false;
	c->cur = k.next_tid;
	c->since = ev->ns;
	c->untraced = m->filtered && k.next_tid && !checked(m, k.next_tid);
}

static void on_wakeup(struct ctrace_model *m, const struct ctrace_event *ev)
{
	struct ctrace_model_region wreg;
	struct ctrace_model_wakeup w;
	struct ctrace_krec_wakeup k;
	struct mthread *th, *waker;
	char a[48];

	memcpy(&k, ev->rec, sizeof(k));
	traced(m, k.tid);	/* only traced threads' wakeups are recorded */
	th = checked(m, k.tid);

	w = (struct ctrace_model_wakeup){
		.ns = ev->ns, .offset = ev->offset, .tid = k.tid,
		.waker_tid = k.waker_tid,
		.waker_cpu = ev->kind == CTRACE_RING_KERNEL ? ev->ring : UINT32_MAX,
		.target_cpu = ev->aux & CTRACE_WAKEUP_CPU_MASK,
		.irq = ev->aux & CTRACE_WAKEUP_F_IRQ,
		.new_thread = ev->aux & CTRACE_WAKEUP_F_NEW,
	};
	waker = k.waker_tid && k.waker_tid != CTRACE_TID_HIDDEN ?
		mdl_thread_find(m, k.waker_tid) : NULL;
	if (waker && model_user_open_region(m, waker, &wreg))
		w.waker_region = &wreg;
	if (th)
		w.tgid = mdl_tgid(m, th);
	if (m->sink.wakeup)
		m->sink.wakeup(m->sink.arg, &w);
	if (!th)
		return;

	if (w.new_thread) {
		if (th->vs != MS_NEW && th->vs != MS_UNKNOWN) {
			if (check(m, th))
				mdl_anomaly(m, ev, 0, true,
					    "wakeup [new] of %s, which is not new",
					    NAME(k.tid, a));
			return;
		}
		close_own(m, th, ev);
		enter(m, th, MS_RUNNABLE, ev);
		th->cause = CTRACE_CAUSE_NEW;
		th->cpu = w.target_cpu;
		model_sched_rq_update(m, th);
		set_waker(m, th, &w);
		th->woken = false;
		return;
	}
	switch (th->vs) {
	case MS_NEW:
		if (m->sched)
			mdl_anomaly(m, ev, 0, true,
				    "wakeup of %s, which is new: its first wakeup must be [new]",
				    NAME(k.tid, a));
		break;
	case MS_DEAD:
		if (m->sched)
			mdl_anomaly(m, ev, 0, true,
				    "wakeup of %s, which has died (offset %" PRIu64 ")",
				    NAME(k.tid, a), th->since_off);
		return;
	case MS_RUNNING:
		/* Woken before it switched out: that switch-out won't sleep. */
		if (!th->woken)
			set_waker(m, th, &w);
		th->woken = true;
		return;
	case MS_RUNNABLE:
		return;
	default:
		break;
	}
	{
		/* An UNKNOWN thread may still be on a CPU: mark it woken too. */
		bool unknown = th->vs == MS_UNKNOWN;

		close_own(m, th, ev);
		enter(m, th, MS_RUNNABLE, ev);
		th->cause = CTRACE_CAUSE_WAKEUP;
		th->cpu = w.target_cpu;
		model_sched_rq_update(m, th);
		th->woken = unknown;
		th->runnable_unsure = unknown;
		set_waker(m, th, &w);
	}
}

static void on_fork(struct ctrace_model *m, const struct ctrace_event *ev)
{
	struct ctrace_krec_fork k;
	struct mthread *th;

	memcpy(&k, ev->rec, sizeof(k));
	/* A thread of a traced process is traced; a new process may not be. */
	if (ev->aux & CTRACE_FORK_F_THREAD)
		traced(m, k.child_tid);
	if (!(th = checked(m, k.child_tid)))
		return;
	/* Whatever had this tid before has gone: tids are reused. */
	close_own(m, th, ev);
	enter(m, th, MS_NEW, ev);
	th->woken = false;
}

/* The start snapshot: a state for threads the trace says nothing of yet. */
static void on_thread(struct ctrace_model *m, const struct ctrace_event *ev)
{
	struct ctrace_krec_thread k;
	struct mthread *th;
	struct mcpu *c;

	if (ev->size < sizeof(k))
		return;
	memcpy(&k, ev->rec, sizeof(k));
	if (!(k.flags & CTRACE_THREAD_F_SNAPSHOT))
		return;
	traced(m, k.tid);
	if (!(th = checked(m, k.tid)) || th->known || th->vs != MS_UNKNOWN)
		return;
	switch (ev->aux) {
	case CTRACE_STATE_RUNNING:
		if (k.cpu == UINT32_MAX)
			return;
		enter(m, th, MS_RUNNING, ev);
		th->cpu = k.cpu;
		c = cpu_get(m, k.cpu);
		if (c && !c->known) {
			c->known = true;
			c->soft = true;
			c->cur = k.tid;
			c->since = ev->ns;
			c->untraced = false;
		}
		break;
	case CTRACE_STATE_RUNNABLE:
		th->cpu = k.cpu;
		enter(m, th, MS_RUNNABLE, ev);
		th->cause = CTRACE_CAUSE_NONE;
		break;
	case CTRACE_STATE_SLEEPING:
	case CTRACE_STATE_BLOCKED:
	case CTRACE_STATE_STOPPED:
		enter(m, th, MS_WAITING, ev);
		th->wait_state = (uint8_t)ev->aux;
		th->cpu = k.cpu;
		break;
	default:
		return;
	}
	th->soft = true;
}

void model_sched_event(struct ctrace_model *m, const struct ctrace_event *ev)
{
	switch (ev->type) {
	case CTRACE_KREC_SWITCH:
		on_switch(m, ev);
		break;
	case CTRACE_KREC_WAKEUP:
		on_wakeup(m, ev);
		break;
	case CTRACE_KREC_FORK:
		on_fork(m, ev);
		break;
	case CTRACE_KREC_THREAD:
		on_thread(m, ev);
		break;
	case CTRACE_KREC_MIGRATE: {
		struct ctrace_krec_migrate k;
		struct mthread *th;

		memcpy(&k, ev->rec, sizeof(k));
		traced(m, k.tid);
		/* Where a waiting or runnable thread will run next. */
		if ((th = checked(m, k.tid)) && th->vs != MS_RUNNING) {
			th->cpu = ev->aux;
			model_sched_rq_update(m, th);
		}
		break;
	}
	default: {
		/* EXEC, EXIT, RENAME: recorded only for traced threads, which
		 * the record descriptors mark. */
		uint32_t tids[CTRACE_RD_MAX_TIDS];
		unsigned int n = ctrace_event_tids(ev, CTRACE_ARG_TRACED, tids);

		for (unsigned int i = 0; i < n; i++)
			traced(m, tids[i]);
		break;
	}
	}
}
