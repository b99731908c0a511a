// SPDX-License-Identifier: GPL-2.0
/*
 * json-expect TRACE: what the Chrome JSON export of TRACE must show in
 * the viewer, counted from the trace with the cursor and the model, as
 * one JSON object for tests/export/viewer/check.mjs:
 *
 *   {"threads": {"TID": {"regions": n, "instants": n, "logs": n,
 *                        "states": n, "tasks": n (begun on it),
 *                        "comm": "...", "pid": n}, ...},
 *    "cpus": {"CPU": n, ...},               slices per CPU row (not idle)
 *    "counters": {"PID/NAME": n, ...},      samples per process counter
 *    "tasks": n, "flows": n, "wakeup_flows": n,
 *    "losses": n, "lost_events": n}
 *
 * The rules are the exporter's, as docs/export.md states them: intervals
 * of no length are not drawn; a flow needs a slice at each end (an open
 * region, or a known state); a wakeup flow needs its waker seen running.
 * Names are counted apart from the exporter's code, from the model's
 * callbacks and queries; the viewer test then checks that what the viewer
 * imported is exactly this.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracefile.h"
#include "model.h"

struct tcount {
	uint32_t tid, pid;
	uint64_t regions, instants, logs, states, tasks;
	/* a wakeup by a running thread at this time makes a flow */
	uint64_t woken_at;
	bool woken;
};

struct expect {
	struct ctrace_cursor *c;
	struct ctrace_model *m;
	struct tcount *th;
	size_t nr_th;
	uint64_t cpu[1024];
	char (*ctr_name)[160];
	uint32_t *ctr_pid;
	uint64_t *ctr_n;
	size_t nr_ctr;
	uint64_t *open_flows;	/* IDs of flows begun where they bind */
	size_t nr_open;
	uint64_t tasks, flows, wakeup_flows, losses, lost_events;
	bool oom;
};

static struct tcount *tc(struct expect *e, uint32_t tid)
{
	void *p;

	for (size_t i = 0; i < e->nr_th; i++)
		if (e->th[i].tid == tid)
			return &e->th[i];
	p = realloc(e->th, (e->nr_th + 1) * sizeof(*e->th));
	if (!p) {
		e->oom = true;
		return NULL;
	}
	e->th = p;
	e->th[e->nr_th] = (struct tcount){ .tid = tid, .pid = tid };
	return &e->th[e->nr_th++];
}

static void see_pid(struct tcount *t, uint32_t tgid)
{
	if (t && tgid)
		t->pid = tgid;
}

static void on_state(void *arg, const struct ctrace_state_iv *iv)
{
	struct expect *e = arg;
	struct tcount *t = tc(e, iv->tid);

	if (!t)
		return;
	if (iv->state == CTRACE_STATE_RUNNABLE && t->woken && iv->begin == t->woken_at &&
	    iv->end > iv->begin &&
	    (iv->cause == CTRACE_CAUSE_WAKEUP || iv->cause == CTRACE_CAUSE_NEW))
		e->wakeup_flows++;
	if (iv->begin >= t->woken_at)
		t->woken = false;
	if (iv->end > iv->begin) {
		t->states++;
		see_pid(t, iv->tgid);
	}
}

static void on_wakeup(void *arg, const struct ctrace_model_wakeup *w)
{
	struct expect *e = arg;
	struct ctrace_model_thread waker;
	struct tcount *t;

	if (w->irq || !w->waker_tid || w->waker_tid == CTRACE_TID_HIDDEN)
		return;
	if (!ctrace_model_thread(e->m, w->waker_tid, &waker) ||
	    waker.state != CTRACE_STATE_RUNNING)
		return;
	t = tc(e, w->tid);
	if (t) {
		t->woken = true;
		t->woken_at = w->ns;
	}
}

static void on_cpu(void *arg, const struct ctrace_cpu_iv *iv)
{
	struct expect *e = arg;

	if (iv->tid && iv->end > iv->begin && iv->cpu < 1024)
		e->cpu[iv->cpu]++;
}

static void on_region(void *arg, const struct ctrace_model_region *r)
{
	struct expect *e = arg;
	struct tcount *t = tc(e, r->tid);

	if (t) {
		t->regions++;
		see_pid(t, r->tgid);
	}
}

static void on_task(void *arg, const struct ctrace_model_task *t)
{
	struct expect *e = arg;
	struct tcount *b = tc(e, t->begin_tid);

	e->tasks++;
	if (b)
		b->tasks++;	/* Catapult draws it on its first thread */
}

static void on_loss(void *arg, const struct ctrace_model_loss *l)
{
	struct expect *e = arg;

	e->losses++;
	e->lost_events += l->count;
}

/* Is there a slice around the thread of @u now for a flow to bind to? */
static bool bindable(struct expect *e, const struct ctrace_model_uevent *u)
{
	struct ctrace_model_region r;
	struct ctrace_model_thread th;

	return ctrace_model_open_region(e->m, u->tid, &r) ||
	       (ctrace_model_thread(e->m, u->tid, &th) &&
		th.state != CTRACE_STATE_UNKNOWN);
}

static void counter(struct expect *e, uint32_t pid, const char *name)
{
	size_t n = e->nr_ctr;

	for (size_t i = 0; i < n; i++) {
		if (e->ctr_pid[i] == pid && !strcmp(e->ctr_name[i], name)) {
			e->ctr_n[i]++;
			return;
		}
	}
	e->ctr_name = realloc(e->ctr_name, (n + 1) * sizeof(*e->ctr_name));
	e->ctr_pid = realloc(e->ctr_pid, (n + 1) * sizeof(*e->ctr_pid));
	e->ctr_n = realloc(e->ctr_n, (n + 1) * sizeof(*e->ctr_n));
	if (!e->ctr_name || !e->ctr_pid || !e->ctr_n) {
		e->oom = true;
		return;
	}
	snprintf(e->ctr_name[n], sizeof(e->ctr_name[n]), "%s", name);
	e->ctr_pid[n] = pid;
	e->ctr_n[n] = 1;
	e->nr_ctr++;
}

/* Remove flow @id from the open ones; whether it was there. */
static bool flow_take(struct expect *e, uint64_t id)
{
	for (size_t i = 0; i < e->nr_open; i++) {
		if (e->open_flows[i] == id) {
			e->open_flows[i] = e->open_flows[--e->nr_open];
			return true;
		}
	}
	return false;
}

static void on_uevent(void *arg, const struct ctrace_model_uevent *u)
{
	struct expect *e = arg;
	struct tcount *t;
	char name[32];
	void *p;

	switch (u->type) {
	case CTRACE_UREC_INSTANT:
	case CTRACE_UREC_LOG:
		t = tc(e, u->tid);
		if (!t)
			return;
		see_pid(t, u->tgid);
		if (u->type == CTRACE_UREC_LOG)
			t->logs++;
		else
			t->instants++;
		break;
	case CTRACE_UREC_COUNTER:
	case CTRACE_UREC_COUNTER_F:
		if (u->type == CTRACE_UREC_COUNTER_F && !isfinite(u->fvalue))
			break;		/* no JSON number */
		if (!u->name)
			snprintf(name, sizeof(name), u->name_id ? "#%u" : "counter", u->name_id);
		counter(e, u->tgid ? u->tgid : u->tid, u->name ? u->name : name);
		break;
	case CTRACE_UREC_FLOW_BEGIN:
		flow_take(e, u->flow);	/* begun again: the first never ends */
		if (!bindable(e, u))
			break;
		p = realloc(e->open_flows, (e->nr_open + 1) * sizeof(uint64_t));
		if (!p) {
			e->oom = true;
			break;
		}
		e->open_flows = p;
		e->open_flows[e->nr_open++] = u->flow;
		break;
	case CTRACE_UREC_FLOW_END:
		if (flow_take(e, u->flow) && bindable(e, u))
			e->flows++;
		break;
	}
}

/* A JSON string of a comm (the exporter's escaping is checked elsewhere:
 * here only what ground-truth workloads name their threads). */
static void put_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f &&
		    *s != '"' && *s != '\\')
			putchar(*s);
		else
			printf("\\u%04x", (unsigned char)*s);
	putchar('"');
}

static void print(struct expect *e)
{
	const char *sep = "";

	printf("{\"threads\":{");
	for (size_t i = 0; i < e->nr_th; i++) {
		const struct tcount *t = &e->th[i];
		const struct ctrace_thread *ct = ctrace_cursor_thread(e->c, t->tid);

		if (!t->regions && !t->instants && !t->logs && !t->states && !t->tasks)
			continue;
		printf("%s\n\"%u\":{\"pid\":%u,\"regions\":%" PRIu64 ",\"instants\":%" PRIu64
		       ",\"logs\":%" PRIu64 ",\"states\":%" PRIu64 ",\"tasks\":%" PRIu64 ",\"comm\":",
		       sep, t->tid, t->pid, t->regions, t->instants, t->logs, t->states, t->tasks);
		put_str(ct && ct->comm[0] ? ct->comm : "");
		printf("}");
		sep = ",";
	}
	printf("},\n\"cpus\":{");
	sep = "";
	for (size_t i = 0; i < 1024; i++) {
		if (e->cpu[i]) {
			printf("%s\"%zu\":%" PRIu64, sep, i, e->cpu[i]);
			sep = ",";
		}
	}
	printf("},\n\"counters\":{");
	sep = "";
	for (size_t i = 0; i < e->nr_ctr; i++) {
		char key[200];

		snprintf(key, sizeof(key), "%u/%s", e->ctr_pid[i], e->ctr_name[i]);
		printf("%s", sep);
		put_str(key);
		printf(":%" PRIu64, e->ctr_n[i]);
		sep = ",";
	}
	printf("},\n\"tasks\":%" PRIu64 ",\"flows\":%" PRIu64 ",\"wakeup_flows\":%" PRIu64
	       ",\"losses\":%" PRIu64 ",\"lost_events\":%" PRIu64 "}\n",
	       e->tasks, e->flows, e->wakeup_flows, e->losses, e->lost_events);
}

int main(int argc, char **argv)
{
	struct expect e = { 0 };
	const struct ctrace_model_sink sink = {
		.arg = &e, .state = on_state, .cpu = on_cpu, .region = on_region,
		.task = on_task, .wakeup = on_wakeup, .uevent = on_uevent,
		.loss = on_loss,
	};
	struct ctrace_trace *t;
	struct ctrace_event ev;
	char err[512];
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: json-expect TRACE\n");
		return 2;
	}
	if (ctrace_trace_open(argv[1], &t, err, sizeof(err))) {
		fprintf(stderr, "json-expect: %s\n", err);
		return 1;
	}
	if (ctrace_cursor_new(t, &e.c) || ctrace_model_new(t, e.c, &sink, &e.m)) {
		fprintf(stderr, "json-expect: out of memory\n");
		return 1;
	}
	while ((r = ctrace_cursor_next(e.c, &ev)) > 0)
		ctrace_model_feed(e.m, &ev);
	if (r == 0)
		ctrace_model_finish(e.m);
	if (r < 0 || e.oom) {
		fprintf(stderr, "json-expect: %s\n", r < 0 ? ctrace_cursor_error(e.c) : "out of memory");
		return 1;
	}
	print(&e);
	free(e.th);
	free(e.ctr_name);
	free(e.ctr_pid);
	free(e.ctr_n);
	free(e.open_flows);
	ctrace_model_free(e.m);
	ctrace_cursor_free(e.c);
	ctrace_trace_close(t);
	return 0;
}
