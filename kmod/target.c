// SPDX-License-Identifier: GPL-2.0
/*
 * Which threads a session traces, and which thread IDs it may see.
 *
 * PIDS sessions trace whole processes (tgids), and with CTRACE_SF_INHERIT
 * the processes they fork.  The set is an open-addressing table of tgids:
 * the probes look up without locks (a slot is written with one store), and
 * fork and free update it under a spinlock.  An entry always sits within
 * CTRACE_PID_PROBES slots of its hash, so a lookup is bounded even when
 * deleted entries (tombstones) accumulate.  A process is removed when its
 * group leader's task_struct is freed, after every event it can cause.
 *
 * Visibility, in the spirit of perf_event_paranoid: a session created with
 * CAP_PERFMON (or CAP_SYS_ADMIN) sees every thread.  Any other session may
 * only target processes its owner could ptrace (same real user and group,
 * dumpable), keeps tracing them only while their credentials still match
 * (a setuid exec ends it), and records every other thread as
 * CTRACE_TID_HIDDEN.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/hash.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "ctrace.h"

#define CTRACE_PID_PROBES	32

static bool ctrace_pid_set_has(const struct ctrace_pid_set *set, u32 pid)
{
	u32 h = hash_32(pid, 32), i, v;

	for (i = 0; i < CTRACE_PID_PROBES; i++) {
		v = READ_ONCE(set->slots[(h + i) & set->mask]);
		if (v == pid)
			return true;
		if (!v)
			return false;
	}
	return false;
}

/* Add @pid; false when there is no room for it.  Caller holds set->lock. */
static bool ctrace_pid_set_add(struct ctrace_pid_set *set, u32 pid)
{
	u32 h = hash_32(pid, 32), i, v, *free = NULL;

	if (ctrace_pid_set_has(set, pid))
		return true;
	if (set->used >= set->limit)
		return false;
	for (i = 0; i < CTRACE_PID_PROBES; i++) {
		u32 *slot = &set->slots[(h + i) & set->mask];

		v = *slot;
		if (v == 0 || v == CTRACE_PID_TOMB) {
			free = slot;
			break;
		}
	}
	if (!free)
		return false;
	WRITE_ONCE(*free, pid);
	set->used++;
	return true;
}

static void ctrace_pid_set_del(struct ctrace_pid_set *set, u32 pid)
{
	u32 h = hash_32(pid, 32), i;

	for (i = 0; i < CTRACE_PID_PROBES; i++) {
		u32 *slot = &set->slots[(h + i) & set->mask];

		if (*slot == pid) {
			WRITE_ONCE(*slot, CTRACE_PID_TOMB);
			set->used--;
			return;
		}
		if (!*slot)
			return;
	}
}

/* Same real user and group as the owner, as a ptrace attach requires. */
static bool ctrace_same_user(const struct ctrace_target *t,
			     struct task_struct *p)
{
	const struct cred *c;
	bool ok;

	if (p->flags & PF_KTHREAD)
		return false;
	rcu_read_lock();
	c = __task_cred(p);
	ok = uid_eq(c->uid, t->uid) && uid_eq(c->euid, t->uid) &&
	     uid_eq(c->suid, t->uid) && gid_eq(c->gid, t->gid) &&
	     gid_eq(c->egid, t->gid) && gid_eq(c->sgid, t->gid);
	rcu_read_unlock();
	return ok;
}

static bool ctrace_dumpable(struct task_struct *p)
{
	struct mm_struct *mm = get_task_mm(p);
	bool ok = mm && get_dumpable(mm) == SUID_DUMP_USER;

	if (mm)
		mmput(mm);
	return ok;
}

int ctrace_target_init_pids(struct ctrace_target *t, const u32 *pids,
			    unsigned int n, struct netlink_ext_ack *extack)
{
	struct ctrace_pid_set *set;
	unsigned long flags;
	unsigned int i;

	set = kvzalloc(struct_size(set, slots, CTRACE_PID_SET_SLOTS),
		       GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	spin_lock_init(&set->lock);
	set->mask = CTRACE_PID_SET_SLOTS - 1;
	set->limit = CTRACE_PID_SET_SLOTS / 2;
	t->pids = set;

	for (i = 0; i < n; i++) {
		struct task_struct *p;
		bool ok;

		/* find_vpid()'s struct pid lives only under RCU. */
		rcu_read_lock();
		p = pids[i] ? get_pid_task(find_vpid(pids[i]), PIDTYPE_PID) : NULL;
		rcu_read_unlock();
		if (!p) {
			NL_SET_ERR_MSG(extack, "a target pid does not exist");
			return -ESRCH;
		}
		ok = t->privileged || (ctrace_same_user(t, p) && ctrace_dumpable(p));
		if (ok) {
			/* As everywhere: sched_process_free takes it in softirq. */
			spin_lock_irqsave(&set->lock, flags);
			ok = ctrace_pid_set_add(set, p->tgid);
			spin_unlock_irqrestore(&set->lock, flags);
			if (!ok) {
				put_task_struct(p);
				NL_SET_ERR_MSG(extack, "too many target pids");
				return -E2BIG;
			}
		}
		put_task_struct(p);
		if (!ok) {
			NL_SET_ERR_MSG(extack,
				       "a target process belongs to another user or is not dumpable (tracing it needs CAP_PERFMON)");
			return -EACCES;
		}
	}
	return 0;
}

int ctrace_target_init_cgroup(struct ctrace_target *t, int fd,
			      struct netlink_ext_ack *extack)
{
	struct cgroup *cgrp = cgroup_get_from_fd(fd);

	if (IS_ERR(cgrp)) {
		NL_SET_ERR_MSG(extack,
			       "the cgroup fd is not an open cgroup v2 directory");
		return PTR_ERR(cgrp);
	}
	t->cgrp = cgrp;
	return 0;
}

void ctrace_target_free(struct ctrace_target *t)
{
	kvfree(t->pids);
	t->pids = NULL;
	if (t->cgrp)
		cgroup_put(t->cgrp);
	t->cgrp = NULL;
}

/* Does the session trace @p?  Called from the probes. */
bool ctrace_target_traced(const struct ctrace_target *t, struct task_struct *p)
{
	bool in;

	switch (t->kind) {
	case CTRACE_TARGET_ALL:
		return true;
	case CTRACE_TARGET_CGROUP:
		rcu_read_lock();
		in = cgroup_is_descendant(task_dfl_cgroup(p), t->cgrp);
		rcu_read_unlock();
		return in;
	case CTRACE_TARGET_PIDS:
		if (!p->tgid || !ctrace_pid_set_has(t->pids, p->tgid))
			return false;
		return t->privileged || ctrace_same_user(t, p);
	}
	return false;
}

/* The thread ID to record for @p: its own, or CTRACE_TID_HIDDEN. */
u32 ctrace_target_tid(const struct ctrace_target *t, struct task_struct *p)
{
	/* pid 0 is the idle task, which belongs to no one. */
	if (t->privileged || !p->pid || ctrace_same_user(t, p))
		return p->pid;
	return CTRACE_TID_HIDDEN;
}

/* A traced process forked @child: follow it if it is a new process. */
void ctrace_target_fork(struct ctrace_target *t, struct task_struct *child)
{
	unsigned long flags;

	if (t->kind != CTRACE_TARGET_PIDS || !t->inherit ||
	    child->pid != child->tgid)
		return;
	spin_lock_irqsave(&t->pids->lock, flags);
	if (!ctrace_pid_set_add(t->pids, child->tgid))
		t->pids->overflow++;
	spin_unlock_irqrestore(&t->pids->lock, flags);
}

/* @p's task_struct is being freed: a process is gone with its leader. */
void ctrace_target_free_task(struct ctrace_target *t, struct task_struct *p)
{
	unsigned long flags;

	if (t->kind != CTRACE_TARGET_PIDS || !thread_group_leader(p))
		return;
	spin_lock_irqsave(&t->pids->lock, flags);
	ctrace_pid_set_del(t->pids, p->tgid);
	spin_unlock_irqrestore(&t->pids->lock, flags);
}
