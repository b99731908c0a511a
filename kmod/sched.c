// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler's events: tracepoint probes that write into the rings.
 *
 * The sched tracepoints are not exported to modules, so they are found by
 * name (for_each_kernel_tracepoint) and attached with
 * tracepoint_probe_register().  The probes are attached while at least one
 * session runs, and each probe walks the running sessions (usually one)
 * under RCU: tracepoint probes run with preemption disabled, and a stopping
 * session waits for a grace period after leaving the list.
 *
 * Records are written on the current CPU with interrupts disabled (the
 * switch and most wakeups already run so; fork, exec, exit and rename do
 * not, and an interrupt's wakeup must not interleave with a half-written
 * record).  The hot ones, switch and wakeup, are filled in place in the
 * ring; the rest are built on the stack and copied.
 */
#include <linux/binfmts.h>
#include <linux/irqflags.h>
#include <linux/netlink.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "probe.h"

/*
 * The state a thread leaves the CPU in.  sched_switch passes the state
 * __schedule() read on entry; if a signal was pending, __schedule() set the
 * task back to TASK_RUNNING and left it queued, so it will run again with
 * no wakeup: it is runnable, whatever the argument says.
 */
static u16 ctrace_switch_state(bool preempt, unsigned int state,
			       struct task_struct *prev)
{
	if (preempt)
		return CTRACE_STATE_RUNNABLE | CTRACE_SWITCH_F_PREEMPT;
	if (state == TASK_RUNNING || READ_ONCE(prev->__state) == TASK_RUNNING)
		return CTRACE_STATE_RUNNABLE;	/* yielded, or interrupted sleep */
	if (state & (TASK_DEAD | EXIT_DEAD | EXIT_ZOMBIE))
		return CTRACE_STATE_DEAD;
	if (state & (__TASK_STOPPED | __TASK_TRACED))
		return CTRACE_STATE_STOPPED;
	/* TASK_IDLE is uninterruptible but idle, not blocked on anything. */
	if ((state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD))
		return CTRACE_STATE_BLOCKED;
	return CTRACE_STATE_SLEEPING;
}

static u16 ctrace_task_state(struct task_struct *p)
{
	unsigned int state = READ_ONCE(p->__state);

	if (READ_ONCE(p->on_cpu))
		return CTRACE_STATE_RUNNING;
	if (state == TASK_RUNNING)
		return CTRACE_STATE_RUNNABLE;
	return ctrace_switch_state(false, state, p);
}

/*
 * Name a thread of another process the first time this ring mentions it,
 * in sessions that may see it but do not otherwise learn its name (it is
 * not in the snapshot and its fork was not traced).
 */
static void ctrace_name_lazily(struct ctrace_session *s, struct ctrace_ring *r,
			       struct task_struct *p, u32 tid)
{
	struct ctrace_krec_thread rec = {};
	u32 *slot;

	if (!tid || tid == CTRACE_TID_HIDDEN)
		return;
	slot = &r->name_cache[tid % CTRACE_NAME_CACHE];
	if (likely(*slot == tid))
		return;
	*slot = tid;
	ctrace_krec_set(&rec, CTRACE_KREC_THREAD, sizeof(rec), CTRACE_STATE_UNKNOWN, 0);
	rec.tid = tid;
	rec.tgid = p->tgid;
	rec.cpu = task_cpu(p);
	rec.flags = p->flags & PF_KTHREAD ? CTRACE_THREAD_F_KTHREAD : 0;
	memcpy(rec.comm, p->comm, CTRACE_COMM_LEN);
	rec.comm[CTRACE_COMM_LEN - 1] = '\0';
	ctrace_ring_write(r, s, &rec);
}

static bool ctrace_names_lazily(const struct ctrace_session *s)
{
	return s->target.privileged && s->target.kind != CTRACE_TARGET_ALL;
}

static void ctrace_probe_switch(void *data, bool preempt,
				struct task_struct *prev,
				struct task_struct *next,
				unsigned int prev_state)
{
	struct ctrace_session *s;

	/* __schedule() runs this with interrupts disabled, as rings need. */
	lockdep_assert_irqs_disabled();
	for_each_running_session(s) {
		struct ctrace_krec_switch *e;
		bool tp, tn;
		struct ctrace_ring *r;
		u32 ptid, ntid;
		u16 state;
		u64 ts;

		if (!(s->events & CTRACE_EV_SWITCH))
			continue;
		tp = ctrace_traced(s, prev);
		tn = ctrace_traced(s, next);
		if (!tp && !tn)
			continue;
		r = s->cpu_ring[smp_processor_id()];
		ptid = tp ? prev->pid : ctrace_tid(s, prev);
		ntid = tn ? next->pid : ctrace_tid(s, next);
		if (unlikely(ctrace_names_lazily(s))) {
			ctrace_name_lazily(s, r, prev, ptid);
			ctrace_name_lazily(s, r, next, ntid);
		}
		state = ctrace_switch_state(preempt, prev_state, prev);
		ts = ctrace_now(s);
		if (unlikely(s->lat)) {
			if (tp && (state & CTRACE_SWITCH_STATE_MASK) == CTRACE_STATE_RUNNABLE)
				ctrace_lat_runnable(s, prev->pid, ts);
			if (tn)
				ctrace_lat_running(s, next->pid, ts);
		}
		e = ctrace_ring_reserve(r, sizeof(*e), &ts);
		if (!e)
			continue;
		ctrace_krec_set(e, CTRACE_KREC_SWITCH, sizeof(*e), state, ts);
		e->prev_tid = ptid;
		e->next_tid = ntid;
		ctrace_ring_commit(r);
	}
}

static __always_inline void ctrace_wakeup(struct task_struct *p, u16 flags_aux)
{
	struct ctrace_session *s;

	for_each_running_session(s) {
		struct ctrace_krec_wakeup *e;
		struct ctrace_ring *r;
		u16 aux = flags_aux;
		u32 waker;
		u64 ts;

		if (!(s->events & CTRACE_EV_WAKEUP) || !ctrace_traced(s, p))
			continue;
		r = s->cpu_ring[smp_processor_id()];
		if (!in_task())
			aux |= CTRACE_WAKEUP_F_IRQ;
		aux |= task_cpu(p) & CTRACE_WAKEUP_CPU_MASK;
		waker = ctrace_tid(s, current);
		if (unlikely(ctrace_names_lazily(s))) {
			ctrace_name_lazily(s, r, p, p->pid);
			ctrace_name_lazily(s, r, current, waker);
		}
		ts = ctrace_now(s);
		if (unlikely(s->lat))
			ctrace_lat_runnable(s, p->pid, ts);
		e = ctrace_ring_reserve(r, sizeof(*e), &ts);
		if (!e)
			continue;
		ctrace_krec_set(e, CTRACE_KREC_WAKEUP, sizeof(*e), aux, ts);
		e->tid = p->pid;
		e->waker_tid = waker;
		ctrace_ring_commit(r);
	}
}

static void ctrace_probe_waking(void *data, struct task_struct *p)
{
	unsigned long flags;

	/*
	 * try_to_wake_up() holds p->pi_lock with interrupts off, except when
	 * a task wakes itself; an interrupt's wakeup must not land inside a
	 * half-written record.
	 */
	if (likely(irqs_disabled())) {
		ctrace_wakeup(p, 0);
		return;
	}
	local_irq_save(flags);
	ctrace_wakeup(p, 0);
	local_irq_restore(flags);
}

static void ctrace_probe_wakeup_new(void *data, struct task_struct *p)
{
	unsigned long flags;

	local_irq_save(flags);
	ctrace_wakeup(p, CTRACE_WAKEUP_F_NEW);
	local_irq_restore(flags);
}

static void ctrace_probe_fork(void *data, struct task_struct *parent,
			      struct task_struct *child)
{
	struct ctrace_session *s;

	for_each_running_session(s) {
		struct ctrace_krec_fork rec = {};

		if (!ctrace_traced(s, parent))
			continue;
		ctrace_target_fork(&s->target, child);
		if (!(s->events & CTRACE_EV_TASK))
			continue;
		ctrace_krec_set(&rec, CTRACE_KREC_FORK, sizeof(rec),
				child->pid == child->tgid ? 0 : CTRACE_FORK_F_THREAD, 0);
		rec.parent_tid = parent->pid;
		rec.child_tid = child->pid;
		rec.child_tgid = child->tgid;
		memcpy(rec.comm, child->comm, CTRACE_COMM_LEN);
		rec.comm[CTRACE_COMM_LEN - 1] = '\0';
		ctrace_ring_write(NULL, s, &rec);
	}
}

static void ctrace_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			      struct linux_binprm *bprm)
{
	struct ctrace_session *s;

	for_each_running_session(s) {
		struct {
			struct ctrace_krec_exec e;
			char filename[CTRACE_EXEC_FILENAME_MAX];
		} rec;
		ssize_t len;

		if (!(s->events & CTRACE_EV_TASK) || !ctrace_traced(s, p))
			continue;
		memset(&rec, 0, sizeof(rec));
		len = strscpy(rec.filename, bprm->filename, sizeof(rec.filename));
		if (len < 0)
			len = sizeof(rec.filename) - 1;
		/* The name, its NUL, padding to 8 (the rest is zeroed). */
		len = sizeof(rec.e) + round_up(len + 1, 8);
		ctrace_krec_set(&rec, CTRACE_KREC_EXEC, len, 0, 0);
		rec.e.tid = p->pid;
		rec.e.old_tid = old_pid;
		memcpy(rec.e.comm, p->comm, CTRACE_COMM_LEN);
		rec.e.comm[CTRACE_COMM_LEN - 1] = '\0';
		ctrace_ring_write(NULL, s, &rec);
	}
}

static void ctrace_probe_exit(void *data, struct task_struct *p)
{
	struct ctrace_session *s;

	for_each_running_session(s) {
		struct ctrace_krec_exit rec = {};
		u16 aux = 0;

		if (!(s->events & CTRACE_EV_TASK) || !ctrace_traced(s, p))
			continue;
		if (!atomic_read(&p->signal->live))
			aux |= CTRACE_EXIT_F_GROUP_DEAD;
		ctrace_krec_set(&rec, CTRACE_KREC_EXIT, sizeof(rec), aux, 0);
		rec.tid = p->pid;
		rec.tgid = p->tgid;
		ctrace_ring_write(NULL, s, &rec);
	}
}

static void ctrace_probe_free(void *data, struct task_struct *p)
{
	struct ctrace_session *s;

	for_each_running_session(s)
		ctrace_target_free_task(&s->target, p);
}

static void ctrace_probe_rename(void *data, struct task_struct *p,
				const char *comm)
{
	struct ctrace_session *s;

	for_each_running_session(s) {
		struct ctrace_krec_rename rec = {};

		if (!(s->events & CTRACE_EV_TASK) || !ctrace_traced(s, p))
			continue;
		ctrace_krec_set(&rec, CTRACE_KREC_RENAME, sizeof(rec), 0, 0);
		rec.tid = p->pid;
		rec.tgid = p->tgid;
		strscpy_pad(rec.comm, comm, sizeof(rec.comm));
		ctrace_ring_write(NULL, s, &rec);
	}
}

static void ctrace_probe_migrate(void *data, struct task_struct *p, int dest_cpu)
{
	struct ctrace_session *s;

	for_each_running_session(s) {
		struct ctrace_krec_migrate rec = {};

		if (!(s->events & CTRACE_EV_MIGRATE) || !ctrace_traced(s, p))
			continue;
		ctrace_krec_set(&rec, CTRACE_KREC_MIGRATE, sizeof(rec),
				dest_cpu & CTRACE_WAKEUP_CPU_MASK, 0);
		rec.tid = p->pid;
		rec.orig_cpu = task_cpu(p);
		ctrace_ring_write(NULL, s, &rec);
	}
}

static struct ctrace_probe {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} ctrace_probes[] = {
	{ "sched_switch", ctrace_probe_switch },
	{ "sched_waking", ctrace_probe_waking },
	{ "sched_wakeup_new", ctrace_probe_wakeup_new },
	{ "sched_process_fork", ctrace_probe_fork },
	{ "sched_process_exec", ctrace_probe_exec },
	{ "sched_process_exit", ctrace_probe_exit },
	{ "sched_process_free", ctrace_probe_free },
	{ "task_rename", ctrace_probe_rename },
	{ "sched_migrate_task", ctrace_probe_migrate },
};

static bool ctrace_probes_attached;

static void ctrace_find_tracepoint(struct tracepoint *tp, void *priv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ctrace_probes); i++)
		if (!strcmp(tp->name, ctrace_probes[i].name))
			ctrace_probes[i].tp = tp;
}

int __init ctrace_sched_init(void)
{
	size_t i;

	for_each_kernel_tracepoint(ctrace_find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(ctrace_probes); i++) {
		if (!ctrace_probes[i].tp) {
			pr_err("ctrace: no tracepoint %s in this kernel\n",
			       ctrace_probes[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

/* Attach the probes (first running session).  Called under ctrace_lock. */
int ctrace_sched_activate(struct netlink_ext_ack *extack)
{
	size_t i;
	int err;

	lockdep_assert_held(&ctrace_lock);
	if (ctrace_probes_attached)
		return 0;
	for (i = 0; i < ARRAY_SIZE(ctrace_probes); i++) {
		err = tracepoint_probe_register(ctrace_probes[i].tp,
						ctrace_probes[i].probe, NULL);
		if (err) {
			while (i--)
				tracepoint_probe_unregister(ctrace_probes[i].tp,
							    ctrace_probes[i].probe,
							    NULL);
			tracepoint_synchronize_unregister();
			NL_SET_ERR_MSG(extack, "cannot attach to the scheduler tracepoints");
			return err;
		}
	}
	ctrace_probes_attached = true;
	return 0;
}

/*
 * Detach the probes (no running session left) and wait until none runs.
 * Called under ctrace_lock.
 */
void ctrace_sched_deactivate(void)
{
	size_t i;

	lockdep_assert_held(&ctrace_lock);
	if (!ctrace_probes_attached)
		return;
	for (i = 0; i < ARRAY_SIZE(ctrace_probes); i++)
		tracepoint_probe_unregister(ctrace_probes[i].tp,
					    ctrace_probes[i].probe, NULL);
	ctrace_probes_attached = false;
	tracepoint_synchronize_unregister();
}

/*
 * The threads a starting session already traces, with their names and
 * states, so that a viewer can name every thread from the first event.
 * Recording has started when this runs (a thread forked meanwhile has its
 * FORK record); the records go to whichever CPU this runs on.  @flags:
 * CTRACE_THREAD_F_RESTATE when a running session restates (a flight
 * recorder's new generation).
 */
void ctrace_sched_snapshot(struct ctrace_session *s, u32 flags)
{
	struct task_struct *g, *p;

	rcu_read_lock();
	for_each_process_thread(g, p) {
		struct ctrace_krec_thread rec = {};

		if (!ctrace_traced(s, p))
			continue;
		ctrace_krec_set(&rec, CTRACE_KREC_THREAD, sizeof(rec),
				ctrace_task_state(p), 0);
		rec.tid = p->pid;
		rec.tgid = p->tgid;
		rec.cpu = task_cpu(p);
		rec.flags = CTRACE_THREAD_F_SNAPSHOT | flags;
		if (p->flags & PF_KTHREAD)
			rec.flags |= CTRACE_THREAD_F_KTHREAD;
		memcpy(rec.comm, p->comm, CTRACE_COMM_LEN);
		rec.comm[CTRACE_COMM_LEN - 1] = '\0';
		ctrace_ring_write(NULL, s, &rec);
	}
	rcu_read_unlock();
}
