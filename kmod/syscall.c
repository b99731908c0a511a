// SPDX-License-Identifier: GPL-2.0
/*
 * System calls: probes on raw_syscalls' sys_enter and sys_exit, for
 * sessions that record CTRACE_EV_SYSCALL.
 *
 * Attaching them costs the whole system: the tracepoints' registration
 * makes every thread take the syscall slow path.  So they are attached
 * only while a running session asks for syscalls (counted under
 * ctrace_lock), not with the scheduler's probes.  For a thread no
 * session traces, the probe returns after one test per session.
 */
#include <linux/compat.h>
#include <linux/netlink.h>
#include <linux/ptrace.h>
#include <linux/tracepoint.h>
#include <asm/syscall.h>

#include "probe.h"

static struct tracepoint *ctrace_tp_sys_enter, *ctrace_tp_sys_exit;
static unsigned int ctrace_syscall_sessions;	/* under ctrace_lock */

static u16 ctrace_syscall_aux(long nr)
{
	u16 aux = (u16)nr & CTRACE_SYSCALL_NR_MASK;

	if (in_compat_syscall())
		aux |= CTRACE_SYSCALL_F_COMPAT;
	return aux;
}

static void ctrace_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	struct ctrace_session *s;

	/* Some kernels call syscall probes preemptible: RCU and one CPU. */
	preempt_disable_notrace();
	for_each_running_session(s) {
		struct ctrace_krec_syscall_enter rec = {};

		if (!(s->events & CTRACE_EV_SYSCALL) || !ctrace_traced(s, current))
			continue;
		ctrace_krec_set(&rec, CTRACE_KREC_SYSCALL_ENTER, sizeof(rec),
				ctrace_syscall_aux(id), 0);
		rec.tid = current->pid;
		ctrace_ring_write(NULL, s, &rec);
	}
	preempt_enable_notrace();
}

static void ctrace_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct ctrace_session *s;

	preempt_disable_notrace();
	for_each_running_session(s) {
		struct ctrace_krec_syscall_exit rec = {};

		if (!(s->events & CTRACE_EV_SYSCALL) || !ctrace_traced(s, current))
			continue;
		ctrace_krec_set(&rec, CTRACE_KREC_SYSCALL_EXIT, sizeof(rec),
				ctrace_syscall_aux(syscall_get_nr(current, regs)), 0);
		rec.tid = current->pid;
		rec.ret = ret;
		ctrace_ring_write(NULL, s, &rec);
	}
	preempt_enable_notrace();
}

static void ctrace_find_syscall_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_enter"))
		ctrace_tp_sys_enter = tp;
	else if (!strcmp(tp->name, "sys_exit"))
		ctrace_tp_sys_exit = tp;
}

int __init ctrace_syscall_init(void)
{
	for_each_kernel_tracepoint(ctrace_find_syscall_tp, NULL);
	if (!ctrace_tp_sys_enter || !ctrace_tp_sys_exit)
		pr_info("ctrace: no syscall tracepoints: the syscall event group is off\n");
	return 0;
}

/* A session that records syscalls starts.  Called under ctrace_lock. */
int ctrace_syscall_activate(struct ctrace_session *s, struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&ctrace_lock);
	if (!(s->events & CTRACE_EV_SYSCALL))
		return 0;
	if (!ctrace_tp_sys_enter || !ctrace_tp_sys_exit) {
		NL_SET_ERR_MSG(extack, "this kernel has no syscall tracepoints");
		return -EOPNOTSUPP;
	}
	if (ctrace_syscall_sessions++)
		return 0;
	err = tracepoint_probe_register(ctrace_tp_sys_enter, ctrace_probe_sys_enter, NULL);
	if (!err) {
		err = tracepoint_probe_register(ctrace_tp_sys_exit, ctrace_probe_sys_exit, NULL);
		if (err) {
			tracepoint_probe_unregister(ctrace_tp_sys_enter,
						    ctrace_probe_sys_enter, NULL);
			tracepoint_synchronize_unregister();
		}
	}
	if (err) {
		ctrace_syscall_sessions--;
		NL_SET_ERR_MSG(extack, "cannot attach to the syscall tracepoints");
	}
	return err;
}

/*
 * A session that recorded syscalls stops: the last one detaches and waits
 * until no probe runs.  Called under ctrace_lock.
 */
void ctrace_syscall_deactivate(struct ctrace_session *s)
{
	lockdep_assert_held(&ctrace_lock);
	if (!(s->events & CTRACE_EV_SYSCALL) || --ctrace_syscall_sessions)
		return;
	tracepoint_probe_unregister(ctrace_tp_sys_enter, ctrace_probe_sys_enter, NULL);
	tracepoint_probe_unregister(ctrace_tp_sys_exit, ctrace_probe_sys_exit, NULL);
	tracepoint_synchronize_unregister();
}
