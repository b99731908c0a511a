// SPDX-License-Identifier: LGPL-2.1
/*
 * System calls as the model knows them: per thread, the one it is in
 * (entry seen, exit not yet), emitted as a ctrace_model_syscall when it
 * exits, with how long the thread was off its CPU meanwhile and whether
 * it slept (a blocking call: it switched out asleep, blocked or stopped).
 *
 * A call entered before the recording (an exit with nothing open) is not
 * emitted: its start is unknown.  A loss on the kernel rings forgets the
 * open ones (their exit may be what was lost); one still open when the
 * trace ends is emitted to the end, flagged CTRACE_SC_UNENDED, and one its
 * thread died in (exit_group) to the thread's last switch-out, flagged
 * UNENDED and DIED.
 */
#include <string.h>

#include "internal.h"

static void emit(struct ctrace_model *m, struct mthread *th, uint64_t end,
		 int64_t ret, uint16_t flags)
{
	struct ctrace_model_syscall sc;

	th->in_sys = false;
	if (!m->sink.syscall)
		return;
	sc = (struct ctrace_model_syscall){
		.tid = th->tid, .tgid = mdl_tgid(m, th), .aux = th->sys_aux,
		.ret = ret, .begin = th->sys_begin, .end = end < th->sys_begin ? th->sys_begin : end,
		.begin_offset = th->sys_begin_off, .off_cpu_ns = th->sys_off_ns,
		.switches = th->sys_switches,
		.flags = flags | (th->sys_slept ? CTRACE_SC_BLOCKED : 0),
	};
	if (th->sys_out && end > th->sys_out)
		sc.off_cpu_ns += end - th->sys_out;
	m->sink.syscall(m->sink.arg, &sc);
}

void model_syscall_event(struct ctrace_model *m, const struct ctrace_event *ev)
{
	struct ctrace_krec_syscall_exit x;
	struct ctrace_krec_syscall_enter k;
	struct mthread *th;

	if (ev->type == CTRACE_KREC_SYSCALL_ENTER) {
		memcpy(&k, ev->rec, sizeof(k));
		if (!k.tid)
			return;
		th = mdl_thread(m, k.tid);
		if (!th) {
			m->oom = true;
			return;
		}
		/* Entered again without an exit: the exit is not in the trace
		 * (it cannot be lost alone without a LOST record; a thread
		 * that exec'd or died in a call never exits it). */
		th->in_sys = true;
		th->sys_aux = ev->aux;
		th->sys_begin = ev->ns;
		th->sys_begin_off = ev->offset;
		th->sys_off_ns = th->sys_out = 0;
		th->sys_switches = 0;
		th->sys_slept = false;
		return;
	}
	memcpy(&x, ev->rec, sizeof(x));
	th = x.tid ? mdl_thread_find(m, x.tid) : NULL;
	if (!th || !th->in_sys)
		return;		/* entered before the recording */
	emit(m, th, ev->ns, x.ret, (th->sys_aux ^ ev->aux) & CTRACE_SYSCALL_NR_MASK ?
	     CTRACE_SC_NR_CHANGED : 0);
}

void model_syscall_switched_out(struct ctrace_model *m, struct mthread *th,
				uint64_t ns, uint8_t state)
{
	if (!th->in_sys)
		return;
	/* Died in it (exit_group, a fatal signal): it ends with the thread. */
	if (state == CTRACE_STATE_DEAD) {
		emit(m, th, ns, 0, CTRACE_SC_UNENDED | CTRACE_SC_DIED);
		return;
	}
	th->sys_switches++;
	th->sys_out = ns;
	if (state == CTRACE_STATE_SLEEPING || state == CTRACE_STATE_BLOCKED ||
	    state == CTRACE_STATE_STOPPED)
		th->sys_slept = true;
}

void model_syscall_switched_in(struct mthread *th, uint64_t ns)
{
	if (!th->in_sys || !th->sys_out)
		return;
	if (ns > th->sys_out)
		th->sys_off_ns += ns - th->sys_out;
	th->sys_out = 0;
}

void model_syscall_loss(struct ctrace_model *m)
{
	for (size_t i = 0; i < m->nr_threads; i++)
		m->threads[i].in_sys = false;
}

void model_syscall_finish(struct ctrace_model *m, uint64_t end)
{
	for (size_t i = 0; i < m->nr_threads; i++)
		if (m->threads[i].in_sys)
			emit(m, &m->threads[i], end, 0, CTRACE_SC_UNENDED);
}
