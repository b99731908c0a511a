// SPDX-License-Identifier: LGPL-2.1
/*
 * Kernel records as the ftrace events trace_processor builds CPU tracks
 * and thread states from, each as the kernel's own tracepoint would have
 * reported it:
 *
 *   SWITCH  -> sched_switch (prev_state in the kernel's encoding for its
 *              version), then sched_process_free when prev is DEAD
 *   WAKEUP  -> sched_waking, common pid = the waker (trace_processor
 *              takes the waker from it); a new task's first: sched_wakeup_new
 *   FORK    -> task_newtask, common pid = the parent, CLONE_THREAD for
 *              a thread (trace_processor then puts it in the parent's
 *              process)
 *   EXEC, RENAME -> task_rename
 *   EXIT    -> sched_process_exit
 *   CLOCK   -> a ClockSnapshot (perfetto.c)
 *   LOST, gaps -> lost_events on the CPU's next bundle (the model's loss
 *              callback calls pf_cpu_lost())
 *   THREAD  -> nothing: the ProcessTree and the comms name threads
 *   MIGRATE -> nothing: trace_processor keeps sched_migrate_task only
 *              as a raw event, and the switches say where threads run
 *
 * Why free at the DEAD switch and not at EXIT: trace_processor ends a
 * thread at sched_process_free, and a thread's last switch-out comes
 * after its exit; freeing it at EXIT would make that switch create a new
 * thread of the same tid.  The kernel too frees a task after it last ran.
 *
 * Events are bundled per CPU: each CPU's FtraceEventBundle fills in its
 * own buffer and goes out at PF_BUNDLE_EVENTS events or PF_BUNDLE_BYTES,
 * at a loss on that CPU, and at the end.  Bundles of different CPUs
 * overlap in time, as traced_probes' do; trace_processor sorts events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perfetto_internal.h"

int32_t pf_pid(uint32_t tid, uint32_t cpu)
{
	if (tid == CTRACE_TID_HIDDEN)
		return (int32_t)(PF_HIDDEN_PID + (cpu % PF_MAX_CPUS));
	return (int32_t)tid;
}

static struct pf_cpu *cpu_get(struct pf_file *f, uint32_t cpu)
{
	if (cpu >= PF_MAX_CPUS)
		return NULL;
	if (!f->cpus[cpu]) {
		f->cpus[cpu] = calloc(1, sizeof(*f->cpus[cpu]));
		if (!f->cpus[cpu])
			f->oom = true;
	}
	return f->cpus[cpu];
}

void pf_cpu_flush(struct pf_file *f, uint32_t cpu)
{
	struct pf_cpu *c = cpu < PF_MAX_CPUS ? f->cpus[cpu] : NULL;
	struct pb_buf *b = pf_pkt(f);
	size_t m;

	if (!c || (!c->n && !c->lost))
		return;
	if (c->ev.oom) {
		f->oom = true;
	} else {
		pf_packet_start(f, f->kseq);
		m = pb_begin(b, PF_TP_FTRACE_EVENTS);
		pb_uint(b, PF_BUNDLE_CPU, cpu);
		pb_raw(b, c->ev.p, c->ev.len);
		if (c->lost)
			pb_uint(b, PF_BUNDLE_LOST_EVENTS, 1);
		pb_end(b, m);
		pf_packet_finish(f);
	}
	pb_reset(&c->ev);
	c->n = 0;
	c->lost = false;
}

void pf_cpus_flush_all(struct pf_file *f)
{
	for (uint32_t cpu = 0; cpu < PF_MAX_CPUS; cpu++)
		if (f->cpus[cpu])
			pf_cpu_flush(f, cpu);
}

void pf_cpus_free(struct pf_file *f)
{
	for (uint32_t cpu = 0; cpu < PF_MAX_CPUS; cpu++) {
		if (f->cpus[cpu])
			pb_free(&f->cpus[cpu]->ev);
		free(f->cpus[cpu]);
		f->cpus[cpu] = NULL;
	}
}

void pf_cpu_lost(struct pf_file *f, uint32_t cpu)
{
	struct pf_cpu *c;

	/* What came before the loss goes out without the mark. */
	pf_cpu_flush(f, cpu);
	c = cpu_get(f, cpu);
	if (c)
		c->lost = true;
}

/* One FtraceEvent being written into its CPU's bundle. */
struct ft {
	struct pf_cpu *c;
	struct pb_buf *b;
	uint32_t cpu;
	size_t ev, body;
};

static bool ft_begin(struct pf_file *f, struct ft *ft, uint32_t cpu,
		     uint64_t ns, int32_t pid, uint32_t flags, uint32_t field)
{
	ft->c = cpu_get(f, cpu);
	if (!ft->c) {
		if (cpu >= PF_MAX_CPUS)
			f->skipped_cpus++;
		return false;
	}
	ft->cpu = cpu;
	ft->b = &ft->c->ev;
	ft->ev = pb_begin(ft->b, PF_BUNDLE_EVENT);
	/* timestamp, pid, then the event: the order trace_processor's
	 * tokenizer reads fastest. */
	pb_uint(ft->b, PF_FE_TIMESTAMP, pf_boot_ns(f, ns));
	pb_uint(ft->b, PF_FE_PID, (uint32_t)pid);
	if (flags)
		pb_uint(ft->b, PF_FE_COMMON_FLAGS, flags);
	ft->body = pb_begin(ft->b, field);
	return true;
}

static void ft_end(struct pf_file *f, struct ft *ft)
{
	pb_end(ft->b, ft->body);
	pb_end(ft->b, ft->ev);
	f->ftrace_events++;
	if (++ft->c->n >= PF_BUNDLE_EVENTS || ft->b->len >= PF_BUNDLE_BYTES)
		pf_cpu_flush(f, ft->cpu);
}

/* A comm from a record: up to 16 bytes, NUL-padded, maybe no NUL. */
static void set_comm(struct pf_thread *th, const char comm[CTRACE_COMM_LEN])
{
	size_t n = strnlen(comm, CTRACE_COMM_LEN);

	memcpy(th->comm, comm, n);
	th->comm[n] = '\0';
}

/* ctrace's state of prev at a switch, as the kernel's prev_state. */
static int64_t prev_state(const struct pf_file *f, uint16_t aux)
{
	/* __trace_sched_switch_state(): a preempted task is TASK_REPORT_MAX
	 * whatever its state. */
	if (aux & CTRACE_SWITCH_F_PREEMPT)
		return f->preempt_state;
	switch (aux & CTRACE_SWITCH_STATE_MASK) {
	case CTRACE_STATE_RUNNING:
	case CTRACE_STATE_RUNNABLE:
		return 0;	/* yielded: "R" */
	case CTRACE_STATE_SLEEPING:
		return PF_TASK_INTERRUPTIBLE;
	case CTRACE_STATE_BLOCKED:
		return PF_TASK_UNINTERRUPTIBLE;
	case CTRACE_STATE_STOPPED:
		return PF_TASK_STOPPED;
	case CTRACE_STATE_DEAD:
		return PF_EXIT_DEAD;
	default:
		return f->unknown_state;
	}
}

static void sched_switch(struct pf_file *f, const struct ctrace_event *ev)
{
	struct ctrace_krec_switch k;
	uint32_t cpu = ev->ring;
	char b1[32], b2[32];
	struct ft ft;

	if (!PF_LOAD(k, ev))
		return;
	if (ft_begin(f, &ft, cpu, ev->ns, pf_pid(k.prev_tid, cpu), 0,
		     PF_FE_SCHED_SWITCH)) {
		pb_string(ft.b, PF_SS_PREV_COMM, pf_comm(f, k.prev_tid, cpu, b1));
		pb_int(ft.b, PF_SS_PREV_PID, pf_pid(k.prev_tid, cpu));
		pb_int(ft.b, PF_SS_PREV_STATE, prev_state(f, ev->aux));
		pb_string(ft.b, PF_SS_NEXT_COMM, pf_comm(f, k.next_tid, cpu, b2));
		pb_int(ft.b, PF_SS_NEXT_PID, pf_pid(k.next_tid, cpu));
		ft_end(f, &ft);
	}
	if ((ev->aux & CTRACE_SWITCH_STATE_MASK) == CTRACE_STATE_DEAD &&
	    !(ev->aux & CTRACE_SWITCH_F_PREEMPT) && k.prev_tid &&
	    k.prev_tid != CTRACE_TID_HIDDEN &&
	    ft_begin(f, &ft, cpu, ev->ns, pf_pid(k.next_tid, cpu), 0,
		     PF_FE_SCHED_PROCESS_FREE)) {
		pb_string(ft.b, PF_SPF_COMM, pf_comm(f, k.prev_tid, cpu, b1));
		pb_int(ft.b, PF_SPF_PID, pf_pid(k.prev_tid, cpu));
		ft_end(f, &ft);
	}
}

static void sched_waking(struct pf_file *f, const struct ctrace_event *ev)
{
	struct ctrace_krec_wakeup k;
	uint32_t cpu = ev->ring, target = ev->aux & CTRACE_WAKEUP_CPU_MASK;
	bool new = ev->aux & CTRACE_WAKEUP_F_NEW;
	char buf[32];
	struct ft ft;

	if (!PF_LOAD(k, ev))
		return;
	/* The kernel reports a new task's first wakeup as sched_wakeup_new
	 * only; trace_processor makes it runnable at task_newtask. */
	if (!ft_begin(f, &ft, cpu, ev->ns, pf_pid(k.waker_tid, cpu),
		      ev->aux & CTRACE_WAKEUP_F_IRQ ? PF_TRACE_FLAG_HARDIRQ : 0,
		      new ? PF_FE_SCHED_WAKEUP_NEW : PF_FE_SCHED_WAKING))
		return;
	/* Both events number their fields alike (perfetto_fields.h). */
	pb_string(ft.b, PF_SW_COMM, pf_comm(f, k.tid, target, buf));
	pb_int(ft.b, PF_SW_PID, pf_pid(k.tid, target));
	pb_int(ft.b, PF_SW_SUCCESS, 1);
	pb_int(ft.b, PF_SW_TARGET_CPU, target);
	ft_end(f, &ft);
}

static void task_newtask(struct pf_file *f, const struct ctrace_event *ev)
{
	struct ctrace_krec_fork k;
	struct pf_thread *th;
	struct ft ft;

	if (!PF_LOAD(k, ev))
		return;
	th = pf_thread_get(f, k.child_tid);
	if (th && k.child_tid && k.child_tid != CTRACE_TID_HIDDEN) {
		/* A new thread, whatever this tid was before: new tracks. */
		*th = (struct pf_thread){ .tid = k.child_tid, .tgid = k.child_tgid,
					  .gen = th->gen + 1 };
		set_comm(th, k.comm);
	}
	if (!ft_begin(f, &ft, ev->ring, ev->ns, pf_pid(k.parent_tid, ev->ring),
		      0, PF_FE_TASK_NEWTASK))
		return;
	pb_int(ft.b, PF_TN_PID, pf_pid(k.child_tid, ev->ring));
	pb_string_n(ft.b, PF_TN_COMM, k.comm, strnlen(k.comm, CTRACE_COMM_LEN));
	pb_uint(ft.b, PF_TN_CLONE_FLAGS,
		ev->aux & CTRACE_FORK_F_THREAD ? PF_CLONE_THREAD : 0);
	ft_end(f, &ft);
}

/*
 * The thread a naming record (EXEC, RENAME, THREAD) tells of, as the
 * record descriptors read it: its entry, updated; NULL for none.  An
 * EXEC'ing thread leads its process from then on (CTRACE_RD_LEADS).
 */
static struct pf_thread *renamed(struct pf_file *f, const struct ctrace_event *ev,
				 struct ctrace_rd_thread *rt)
{
	const struct ctrace_recdesc *d = ctrace_event_desc(ev);
	struct pf_thread *th;

	if (!ctrace_event_thread(ev, rt) || !rt->tid || rt->tid == CTRACE_TID_HIDDEN)
		return NULL;
	if (d && (d->flags & CTRACE_RD_LEADS))
		rt->tgid = rt->tid;
	th = pf_thread_get(f, rt->tid);
	if (th) {
		if (rt->tgid)
			th->tgid = rt->tgid;
		if (rt->comm[0])
			set_comm(th, rt->comm);
	}
	return th;
}

/* EXEC and RENAME: the thread's comm changes. */
static void task_rename(struct pf_file *f, const struct ctrace_event *ev)
{
	char old[CTRACE_COMM_LEN + 1], buf[32];
	struct ctrace_rd_thread rt;
	struct pf_thread *th;
	struct ft ft;

	if (!ctrace_event_thread(ev, &rt))
		return;
	snprintf(old, sizeof(old), "%s", pf_comm(f, rt.tid, ev->ring, buf));
	th = renamed(f, ev, &rt);
	if (!th)
		return;
	if (ft_begin(f, &ft, ev->ring, ev->ns, pf_pid(rt.tid, ev->ring), 0,
		     PF_FE_TASK_RENAME)) {
		pb_int(ft.b, PF_TR_PID, pf_pid(rt.tid, ev->ring));
		pb_string(ft.b, PF_TR_OLDCOMM, old);
		pb_string_n(ft.b, PF_TR_NEWCOMM, rt.comm, strnlen(rt.comm, CTRACE_COMM_LEN));
		ft_end(f, &ft);
	}
	if (strcmp(old, th->comm)) {
		pf_tree_rename(f, th, ev->ns);
		pf_track_renamed(f, th, ev->ns);
	}
}

static void sched_process_exit(struct pf_file *f, const struct ctrace_event *ev)
{
	struct ctrace_krec_exit k;
	char buf[32];
	struct ft ft;

	if (!PF_LOAD(k, ev) ||
	    !ft_begin(f, &ft, ev->ring, ev->ns, pf_pid(k.tid, ev->ring), 0,
		      PF_FE_SCHED_PROCESS_EXIT))
		return;
	pb_string(ft.b, PF_SPE_COMM, pf_comm(f, k.tid, ev->ring, buf));
	pb_int(ft.b, PF_SPE_PID, pf_pid(k.tid, ev->ring));
	pb_int(ft.b, PF_SPE_TGID, (int32_t)k.tgid);
	ft_end(f, &ft);
}

/* A THREAD record: what it says of the thread, for the names to come. */
static void thread_record(struct pf_file *f, const struct ctrace_event *ev)
{
	struct ctrace_krec_thread k;
	struct ctrace_rd_thread rt;
	struct pf_thread *th = renamed(f, ev, &rt);

	if (th && PF_LOAD(k, ev) && (k.flags & CTRACE_THREAD_F_KTHREAD))
		th->flags |= PT_KTHREAD;
}

void pf_kernel_event(struct pf_file *f, const struct ctrace_event *ev)
{
	if (ev->type == CTRACE_KREC_CLOCK) {
		pf_clock_event(f, ev);
		return;
	}
	/* The dumper's ring holds CLOCK records only. */
	if (ev->kind != CTRACE_RING_KERNEL)
		return;
	switch (ev->type) {
	case CTRACE_KREC_SWITCH:
		sched_switch(f, ev);
		break;
	case CTRACE_KREC_WAKEUP:
		sched_waking(f, ev);
		break;
	case CTRACE_KREC_FORK:
		task_newtask(f, ev);
		break;
	case CTRACE_KREC_EXEC:
	case CTRACE_KREC_RENAME:
		task_rename(f, ev);
		break;
	case CTRACE_KREC_EXIT:
		sched_process_exit(f, ev);
		break;
	case CTRACE_KREC_THREAD:
		thread_record(f, ev);
		break;
	}
}
