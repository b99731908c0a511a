// SPDX-License-Identifier: LGPL-2.1
/*
 * The report's pass: read the trace once, feed the model, and fold what
 * it emits into per-thread, per-name, per-pair and per-CPU tables
 * (report.h lists them; docs/analysis.md defines each figure).
 *
 *   cursor --event--> model --state/cpu/region/task/wakeup/loss--> tables
 *      |                ^
 *      +-- raw SWITCH --+-- counts of switch-outs by kind (the model's
 *                           intervals say how long, the record says why)
 *
 * A window [from, to) clips every interval to it; regions and tasks count
 * when they end inside it.  Tables are arrays indexed through small hash
 * tables (ktab below), so a lookup is O(1) and memory grows only with the
 * number of distinct threads, names and pairs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "ctrace_map.h"

/* ------------------------------------------------------ keyed indexes */

/* Open addressing from (k1, k2, string) to an index into a table. */
struct kent {
	uint64_t k1, k2;
	const char *s;
	uint32_t idx;
	bool used;
};

struct ktab {
	struct kent *e;
	size_t mask, n;
};

static uint64_t khash(uint64_t k1, uint64_t k2, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (k1 * 0x9e3779b97f4a7c15ull) ^
		     (k2 * 0xc2b2ae3d27d4eb4full);

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h ^ h >> 31;
}

static bool kmatch(const struct kent *e, uint64_t k1, uint64_t k2, const char *s)
{
	if (e->k1 != k1 || e->k2 != k2)
		return false;
	if (!e->s || !s)
		return e->s == s;
	return !strcmp(e->s, s);
}

static struct kent *kslot(const struct ktab *t, uint64_t k1, uint64_t k2,
			  const char *s)
{
	for (size_t i = khash(k1, k2, s) & t->mask;; i = (i + 1) & t->mask)
		if (!t->e[i].used || kmatch(&t->e[i], k1, k2, s))
			return &t->e[i];
}

/* The index stored for the key, or UINT32_MAX. */
static uint32_t kget(const struct ktab *t, uint64_t k1, uint64_t k2, const char *s)
{
	const struct kent *e;

	if (!t->e)
		return UINT32_MAX;
	e = kslot(t, k1, k2, s);
	return e->used ? e->idx : UINT32_MAX;
}

static int kput(struct ktab *t, uint64_t k1, uint64_t k2, const char *s,
		uint32_t idx)
{
	struct kent *e;

	if (!t->e || (t->n + 1) * 2 > t->mask + 1) {
		size_t slots = t->e ? (t->mask + 1) * 2 : 64;
		struct ktab n = { calloc(slots, sizeof(struct kent)), slots - 1, 0 };

		if (!n.e)
			return -ENOMEM;
		for (size_t i = 0; t->e && i <= t->mask; i++)
			if (t->e[i].used)
				*kslot(&n, t->e[i].k1, t->e[i].k2, t->e[i].s) = t->e[i];
		n.n = t->n;
		free(t->e);
		*t = n;
	}
	e = kslot(t, k1, k2, s);
	if (!e->used)
		t->n++;
	*e = (struct kent){ k1, k2, s, idx, true };
	return 0;
}

/* ------------------------------------------------------------ the pass */

struct rpriv {
	struct ktab threads, regions, tasks, pairs, cpus;
	uint32_t *syscall_at;	/* [aux] -> syscalls[] index + 1, 0: none */
	/* (ring set, string ID) -> region or task index: most lookups are
	 * by ID, so names are hashed once per ID, not once per event */
	struct ktab ids;
	size_t cap_threads, cap_regions, cap_tasks, cap_wakeups, cap_cpus;
	char **names;			/* made-up "#ID" names, freed at the end */
	size_t nr_names, cap_names;
	struct ctrace_model *m;
	struct ctrace_cursor *c;
	uint32_t runnable;		/* threads runnable after the last event */
	uint64_t runnable_since;
	bool sampled, oom;
};

static struct rpriv *P(const struct ctrace_report *r)
{
	return r->priv;
}

/* Grow @arr (of @size-byte items) to hold one more; false when out of memory. */
static bool room(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, c * size);

	if (!p)
		return false;
	memset((char *)p + *cap * size, 0, (c - *cap) * size);
	*arr = p;
	*cap = c;
	return true;
}

/* [a, b) clipped to the window: its length. */
static uint64_t clip(const struct ctrace_report *r, uint64_t a, uint64_t b)
{
	uint64_t lo = r->opts.from_ns, hi = r->opts.to_ns;

	if (lo && a < lo)
		a = lo;
	if (hi && b > hi)
		b = hi;
	return b > a ? b - a : 0;
}

static bool in_window(const struct ctrace_report *r, uint64_t ns)
{
	return (!r->opts.from_ns || ns >= r->opts.from_ns) &&
	       (!r->opts.to_ns || ns < r->opts.to_ns);
}

static struct ctrace_report_thread *thread(struct ctrace_report *r,
					   uint32_t tid, uint32_t tgid)
{
	struct rpriv *p = P(r);
	uint32_t i = kget(&p->threads, tid, 0, NULL);
	struct ctrace_report_thread *th;

	if (i == UINT32_MAX) {
		if (!room((void **)&r->threads, &p->cap_threads, r->nr_threads,
			  sizeof(*r->threads)) ||
		    kput(&p->threads, tid, 0, NULL, (uint32_t)r->nr_threads)) {
			p->oom = true;
			return NULL;
		}
		i = (uint32_t)r->nr_threads++;
		r->threads[i] = (struct ctrace_report_thread){
			.tid = tid, .last_cpu = UINT32_MAX,
		};
	}
	th = &r->threads[i];
	if (tgid)
		th->tgid = tgid;
	return th;
}

static struct ctrace_report_cpu *cpu(struct ctrace_report *r, uint32_t n)
{
	struct rpriv *p = P(r);
	uint32_t i = kget(&p->cpus, n, 0, NULL);

	if (i == UINT32_MAX) {
		if (!room((void **)&r->cpus, &p->cap_cpus, r->nr_cpus, sizeof(*r->cpus)) ||
		    kput(&p->cpus, n, 0, NULL, (uint32_t)r->nr_cpus)) {
			p->oom = true;
			return NULL;
		}
		i = (uint32_t)r->nr_cpus++;
		r->cpus[i] = (struct ctrace_report_cpu){ .cpu = n };
	}
	return &r->cpus[i];
}

/* A name for a string the trace does not have: "#ID", kept. */
static const char *made_name(struct ctrace_report *r, uint16_t id)
{
	struct rpriv *p = P(r);
	char buf[16];

	snprintf(buf, sizeof(buf), "#%u", id);
	for (size_t i = 0; i < p->nr_names; i++)
		if (!strcmp(p->names[i], buf))
			return p->names[i];
	if (!room((void **)&p->names, &p->cap_names, p->nr_names, sizeof(char *)) ||
	    !(p->names[p->nr_names] = strdup(buf))) {
		p->oom = true;
		return "#?";
	}
	return p->names[p->nr_names++];
}

/* The name a region or task goes by: its string, or "#ID". */
static const char *name_of(struct ctrace_report *r, const char *name, uint16_t id)
{
	return name ? name : made_name(r, id);
}

/* Keys of the ID cache: which table, and the ID within its ring set. */
#define ID_REGION	1
#define ID_TASK		2

static uint64_t id_key(uint32_t set, uint16_t id)
{
	return (uint64_t)set << 16 | id;
}

static struct ctrace_report_region *region(struct ctrace_report *r, const char *name)
{
	struct rpriv *p = P(r);
	uint32_t i = kget(&p->regions, 0, 0, name);

	if (i == UINT32_MAX) {
		if (!room((void **)&r->regions, &p->cap_regions, r->nr_regions,
			  sizeof(*r->regions)) ||
		    kput(&p->regions, 0, 0, name, (uint32_t)r->nr_regions)) {
			p->oom = true;
			return NULL;
		}
		i = (uint32_t)r->nr_regions++;
		r->regions[i] = (struct ctrace_report_region){ .name = name };
	}
	return &r->regions[i];
}

static struct ctrace_report_task *task(struct ctrace_report *r, const char *name)
{
	struct rpriv *p = P(r);
	uint32_t i = kget(&p->tasks, 0, 0, name);

	if (i == UINT32_MAX) {
		if (!room((void **)&r->tasks, &p->cap_tasks, r->nr_tasks,
			  sizeof(*r->tasks)) ||
		    kput(&p->tasks, 0, 0, name, (uint32_t)r->nr_tasks)) {
			p->oom = true;
			return NULL;
		}
		i = (uint32_t)r->nr_tasks++;
		r->tasks[i] = (struct ctrace_report_task){ .name = name };
	}
	return &r->tasks[i];
}

/* The pair's entry: waker, wakee, and the waker's region by its ID. */
static struct ctrace_report_wakeup *pair(struct ctrace_report *r, uint32_t waker,
					 uint32_t wakee,
					 const struct ctrace_model_region *wr)
{
	struct rpriv *p = P(r);
	uint64_t k1 = (uint64_t)waker << 32 | wakee;
	uint64_t k2 = wr ? id_key(wr->set, wr->name_id) + 1 : 0;
	uint32_t i = kget(&p->pairs, k1, k2, NULL);

	if (i == UINT32_MAX) {
		const char *region = wr ? name_of(r, wr->name, wr->name_id) : NULL;

		if (!room((void **)&r->wakeups, &p->cap_wakeups, r->nr_wakeups,
			  sizeof(*r->wakeups)) ||
		    kput(&p->pairs, k1, k2, NULL, (uint32_t)r->nr_wakeups)) {
			p->oom = true;
			return NULL;
		}
		i = (uint32_t)r->nr_wakeups++;
		r->wakeups[i] = (struct ctrace_report_wakeup){
			.waker = waker, .wakee = wakee, .waker_region = region,
		};
	}
	return &r->wakeups[i];
}


/* The region or task stats of (@set, @id), through the ID cache. */
static void *by_id(struct ctrace_report *r, unsigned int kind, uint32_t set,
		   uint16_t id, const char *name)
{
	struct rpriv *p = P(r);
	uint32_t i = kget(&p->ids, id_key(set, id), kind, NULL);
	const char *n;

	if (i != UINT32_MAX)
		return kind == ID_REGION ? (void *)&r->regions[i] : (void *)&r->tasks[i];
	n = name_of(r, name, id);
	if (kind == ID_REGION) {
		struct ctrace_report_region *rg = region(r, n);

		if (rg && kput(&p->ids, id_key(set, id), kind, NULL,
			       (uint32_t)(rg - r->regions)))
			p->oom = true;
		return rg;
	} else {
		struct ctrace_report_task *tk = task(r, n);

		if (tk && kput(&p->ids, id_key(set, id), kind, NULL,
			       (uint32_t)(tk - r->tasks)))
			p->oom = true;
		return tk;
	}
}


/* ------------------------------------------------------------- stories */

static void story_time(const struct ctrace_report *r, uint64_t ns)
{
	uint64_t d = ns - r->first_ns;

	fprintf(r->opts.story, "%10" PRIu64 ".%06" PRIu64 " ms  ", d / 1000000, d % 1000000);
}

static void story_thread(const struct ctrace_report *r, uint32_t tid)
{
	const struct ctrace_thread *ct = ctrace_cursor_thread(P(r)->c, tid);

	fprintf(r->opts.story, "%-16.16s %-7u ", ct && ct->comm[0] ? ct->comm : "?", tid);
}

static void story_ms(FILE *f, const char *what, uint64_t ns)
{
	fprintf(f, " %s=%" PRIu64 ".%03" PRIu64 "ms", what, ns / 1000000, ns / 1000 % 1000);
}

static bool story_wanted(const struct ctrace_report *r, bool has_task, uint64_t task)
{
	return r->opts.story && r->opts.has_task && has_task && task == r->opts.task;
}

/* ----------------------------------------------------------- callbacks */

static void on_state(void *arg, const struct ctrace_state_iv *iv)
{
	struct ctrace_report *r = arg;
	struct ctrace_report_thread *th = thread(r, iv->tid, iv->tgid);
	uint64_t d = clip(r, iv->begin, iv->end), since;

	if (!th)
		return;
	th->state_ns[iv->state] += d;
	if (iv->state == CTRACE_STATE_UNKNOWN)
		r->unknown_ns += d;
	if (iv->state == CTRACE_STATE_RUNNING && in_window(r, iv->begin)) {
		if (th->last_cpu != UINT32_MAX && iv->cpu != th->last_cpu)
			th->migrations++;
	}
	if (iv->state == CTRACE_STATE_RUNNING)
		th->last_cpu = iv->cpu;
	if (iv->state == CTRACE_STATE_RUNNABLE && iv->cpu != UINT32_MAX) {
		struct ctrace_report_cpu *c = cpu(r, iv->cpu);

		if (c)
			c->runnable_ns += d;
	}
	/* A wait that ended with the thread switched in: a latency. */
	if (iv->state == CTRACE_STATE_RUNNABLE && iv->end_offset &&
	    !(iv->flags & (CTRACE_IV_LOSS_END | CTRACE_IV_TRACE_END | CTRACE_IV_ANOMALY)) &&
	    in_window(r, iv->end)) {
		uint64_t lat = iv->end - iv->begin;

		if (iv->cause == CTRACE_CAUSE_WAKEUP || iv->cause == CTRACE_CAUSE_NEW) {
			struct ctrace_report_wakeup *w =
				pair(r, iv->waker_tid, iv->tid, iv->waker_region);

			ctrace_hist_add(&th->wake_latency, lat);
			ctrace_hist_add(&r->wake_latency, lat);
			if (w) {
				w->woke++;
				w->latency_ns += lat;
				if (lat > w->latency_max)
					w->latency_max = lat;
			}
		} else if (iv->cause == CTRACE_CAUSE_PREEMPT ||
			   iv->cause == CTRACE_CAUSE_YIELD) {
			ctrace_hist_add(&th->preempt_latency, lat);
			ctrace_hist_add(&r->preempt_latency, lat);
		}
	}
	/* A task's story includes its threads' states inside its regions. */
	if (r->opts.story && r->opts.has_task &&
	    ctrace_model_in_task(P(r)->m, iv->tid, r->opts.task, &since) &&
	    iv->end > since) {
		FILE *f = r->opts.story;
		uint64_t from = iv->begin > since ? iv->begin : since;

		/* The part inside the task's region. */
		story_time(r, from);
		story_thread(r, iv->tid);
		fprintf(f, "  %s", ctrace_state_name(iv->state));
		story_ms(f, "for", iv->end - from);
		if (iv->state == CTRACE_STATE_RUNNING)
			fprintf(f, " cpu=%u", iv->cpu);
		if (iv->state == CTRACE_STATE_RUNNABLE && iv->waker_tid)
			fprintf(f, " woken-by=%u", iv->waker_tid);
		fprintf(f, "\n");
	}
}

static void on_cpu(void *arg, const struct ctrace_cpu_iv *iv)
{
	struct ctrace_report *r = arg;
	struct ctrace_report_cpu *c = cpu(r, iv->cpu);
	uint64_t d = clip(r, iv->begin, iv->end);

	if (!c)
		return;
	if (iv->tid)
		c->busy_ns += d;
	else
		c->idle_ns += d;
	if (!(iv->flags & (CTRACE_IV_LOSS_END | CTRACE_IV_TRACE_END)) &&
	    in_window(r, iv->end))
		c->switches++;
}

/* Keep @in among the slowest of @rg (slowest first, at most top). */
static void keep_slowest(struct ctrace_report *r, struct ctrace_report_region *rg,
			 const struct ctrace_report_instance *in)
{
	uint32_t top = r->opts.top ? r->opts.top : 10, i;
	uint64_t d = in->end - in->begin;

	if (!rg->slowest) {
		rg->slowest = calloc(top, sizeof(*rg->slowest));
		if (!rg->slowest) {
			P(r)->oom = true;
			return;
		}
	}
	if (rg->nr_slowest == top &&
	    rg->slowest[top - 1].end - rg->slowest[top - 1].begin >= d)
		return;
	for (i = rg->nr_slowest < top ? rg->nr_slowest : top - 1; i > 0; i--) {
		if (rg->slowest[i - 1].end - rg->slowest[i - 1].begin >= d)
			break;
		rg->slowest[i] = rg->slowest[i - 1];
	}
	rg->slowest[i] = *in;
	if (rg->nr_slowest < top)
		rg->nr_slowest++;
}

static void on_region(void *arg, const struct ctrace_model_region *m)
{
	struct ctrace_report *r = arg;
	struct ctrace_report_region *rg;
	struct ctrace_report_instance in;
	uint64_t d = m->end - m->begin;

	if (story_wanted(r, m->has_task, m->task)) {
		FILE *f = r->opts.story;

		story_time(r, m->end);
		story_thread(r, m->tid);
		fprintf(f, "region end name=%s", name_of(r, m->name, m->name_id));
		story_ms(f, "dur", d);
		for (unsigned int s = 0; s < CTRACE_NR_STATES; s++)
			if (m->state_ns[s])
				story_ms(f, ctrace_state_name(s), m->state_ns[s]);
		fprintf(f, "%s\n", m->flags ? " (incomplete)" : "");
	}
	if (!in_window(r, m->end) || !(rg = by_id(r, ID_REGION, m->set, m->name_id, m->name)))
		return;
	if (m->flags & (CTRACE_RG_LOST | CTRACE_RG_TRACE_END)) {
		rg->incomplete++;
		return;
	}
	rg->count++;
	ctrace_hist_add(&rg->duration, d);
	for (unsigned int s = 0; s < CTRACE_NR_STATES; s++)
		rg->state_ns[s] += m->state_ns[s];
	rg->switches += m->switches;
	in = (struct ctrace_report_instance){
		.begin = m->begin, .end = m->end, .tid = m->tid, .tgid = m->tgid,
		.has_task = m->has_task, .task = m->task,
	};
	memcpy(in.state_ns, m->state_ns, sizeof(in.state_ns));
	keep_slowest(r, rg, &in);
}

static void on_task(void *arg, const struct ctrace_model_task *m)
{
	struct ctrace_report *r = arg;
	struct ctrace_report_task *tk;

	if (story_wanted(r, true, m->task)) {
		FILE *f = r->opts.story;

		story_time(r, m->end);
		story_thread(r, m->end_tid);
		fprintf(f, "task end name=%s id=%" PRIu64, name_of(r, m->name, m->name_id),
			m->task);
		story_ms(f, "dur", m->end - m->begin);
		fprintf(f, " threads=%u regions=%u logs=%u%s\n", m->threads, m->regions,
			m->logs, m->flags ? " (incomplete)" : "");
	}
	if (!in_window(r, m->end) || !(tk = by_id(r, ID_TASK, m->set, m->name_id, m->name)))
		return;
	if (m->flags & (CTRACE_RG_LOST | CTRACE_RG_TRACE_END)) {
		tk->incomplete++;
		return;
	}
	tk->count++;
	ctrace_hist_add(&tk->duration, m->end - m->begin);
	tk->threads += m->threads;
	if (m->threads > tk->threads_max)
		tk->threads_max = m->threads;
	tk->regions += m->regions;
	tk->logs += m->logs;
}

static void on_wakeup(void *arg, const struct ctrace_model_wakeup *w)
{
	struct ctrace_report *r = arg;
	struct ctrace_report_thread *th;
	struct ctrace_report_wakeup *pw;

	if (!in_window(r, w->ns) || !w->tid || w->tid == CTRACE_TID_HIDDEN)
		return;
	if ((th = thread(r, w->tid, w->tgid)))
		th->wakeups++;
	if ((pw = pair(r, w->waker_tid, w->tid, w->waker_region)))
		pw->count++;
}

static void on_uevent(void *arg, const struct ctrace_model_uevent *u)
{
	struct ctrace_report *r = arg;
	FILE *f = r->opts.story;

	if (!story_wanted(r, u->has_task, u->task))
		return;
	switch (u->type) {
	case CTRACE_UREC_TASK_BEGIN:
		story_time(r, u->ns);
		story_thread(r, u->tid);
		fprintf(f, "task begin name=%s id=%" PRIu64 " parent=%" PRIu64 "\n",
			name_of(r, u->name, u->name_id), u->task, u->parent);
		break;
	case CTRACE_UREC_REGION_BEGIN:
		story_time(r, u->ns);
		story_thread(r, u->tid);
		fprintf(f, "region begin name=%s depth=%u\n",
			name_of(r, u->name, u->name_id), u->depth);
		break;
	case CTRACE_UREC_LOG:
		story_time(r, u->ns);
		story_thread(r, u->tid);
		fprintf(f, "log category=%s message=\"", name_of(r, u->name, u->name_id));
		for (uint32_t i = 0; i < u->msg_len; i++) {
			unsigned char c = u->msg[i];

			if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
		fprintf(f, "\"\n");
		break;
	case CTRACE_UREC_INSTANT:
		story_time(r, u->ns);
		story_thread(r, u->tid);
		fprintf(f, "instant name=%s\n", name_of(r, u->name, u->name_id));
		break;
	}
}

static void on_loss(void *arg, const struct ctrace_model_loss *l)
{
	struct ctrace_report *r = arg;

	if (!in_window(r, l->ns))
		return;
	r->losses++;
	r->lost_events += l->count;
}

static void on_syscall(void *arg, const struct ctrace_model_syscall *sc)
{
	struct ctrace_report *r = arg;
	struct rpriv *p = P(r);
	struct ctrace_report_syscall *e;
	uint32_t i;

	if (!in_window(r, sc->end))
		return;
	if (!p->syscall_at && !(p->syscall_at = calloc(UINT16_MAX + 1, sizeof(uint32_t)))) {
		p->oom = true;
		return;
	}
	if (!p->syscall_at[sc->aux]) {
		void *n = realloc(r->syscalls, (r->nr_syscalls + 1) * sizeof(*r->syscalls));
		char buf[24];

		if (!n) {
			p->oom = true;
			return;
		}
		r->syscalls = n;
		e = &r->syscalls[r->nr_syscalls++];
		*e = (struct ctrace_report_syscall){ .aux = sc->aux };
		snprintf(e->name, sizeof(e->name), "%s",
			 ctrace_syscall_name(sc->aux, buf, sizeof(buf)));
		p->syscall_at[sc->aux] = r->nr_syscalls;
	}
	e = &r->syscalls[p->syscall_at[sc->aux] - 1];
	if (sc->flags & CTRACE_SC_UNENDED) {
		e->unended++;
		return;
	}
	e->count++;
	ctrace_hist_add(&e->duration, sc->end - sc->begin);
	e->off_cpu_ns += sc->off_cpu_ns;
	e->blocking += !!(sc->flags & CTRACE_SC_BLOCKED);
	e->errors += sc->ret < 0 && sc->ret >= -4095;
	i = kget(&p->threads, sc->tid, 0, NULL);
	if (i != UINT32_MAX) {
		r->threads[i].syscalls++;
		r->threads[i].syscall_ns += sc->end - sc->begin;
		r->threads[i].blocking_syscalls += !!(sc->flags & CTRACE_SC_BLOCKED);
	}
}

/*
 * Switch-outs by kind, from the record (the model says for how long), of
 * the threads the model follows: after the model has seen the record, a
 * thread it follows has had an interval, so is in the table.  Threads a
 * filtered session does not trace are not counted.
 */
static void count_switch(struct ctrace_report *r, const struct ctrace_event *ev)
{
	struct ctrace_report_thread *th;
	struct ctrace_krec_switch k;
	unsigned int st;
	uint32_t i;

	if (ev->kind != CTRACE_RING_KERNEL || ev->type != CTRACE_KREC_SWITCH ||
	    !in_window(r, ev->ns))
		return;
	memcpy(&k, ev->rec, sizeof(k));
	if (!k.prev_tid || k.prev_tid == CTRACE_TID_HIDDEN ||
	    (i = kget(&P(r)->threads, k.prev_tid, 0, NULL)) == UINT32_MAX)
		return;
	th = &r->threads[i];
	st = ev->aux & CTRACE_SWITCH_STATE_MASK;
	th->switches++;
	if (ev->aux & CTRACE_SWITCH_F_PREEMPT)
		th->preemptions++;
	else if (st == CTRACE_STATE_SLEEPING || st == CTRACE_STATE_BLOCKED ||
		 st == CTRACE_STATE_STOPPED)
		th->voluntary++;
}

/* Time-weighted: how many threads were runnable, between events. */
static void sample_runnable(struct ctrace_report *r, uint64_t ns)
{
	struct rpriv *p = P(r);
	uint32_t n = ctrace_model_nr_runnable(p->m, UINT32_MAX);

	if (p->sampled)
		r->runnable_time[p->runnable < 64 ? p->runnable : 64] +=
			clip(r, p->runnable_since, ns);
	p->sampled = true;
	p->runnable = n;
	p->runnable_since = ns;
}

int ctrace_report_run(struct ctrace_trace *t, const struct ctrace_report_opts *o,
		      struct ctrace_report **out, FILE *err)
{
	struct ctrace_report *r = calloc(1, sizeof(*r));
	struct rpriv *p = calloc(1, sizeof(*p));
	struct ctrace_model_sink sink = {
		.state = on_state, .cpu = on_cpu, .region = on_region,
		.task = on_task, .wakeup = on_wakeup, .uevent = on_uevent,
		.loss = on_loss, .syscall = on_syscall,
	};
	struct ctrace_event ev;
	int rc;

	if (!r || !p) {
		free(r);
		free(p);
		return -ENOMEM;
	}
	r->t = t;
	r->opts = *o;
	r->priv = p;
	sink.arg = r;
	if (ctrace_cursor_new(t, &p->c) || ctrace_model_new(t, p->c, &sink, &p->m)) {
		ctrace_report_free(r);
		return -ENOMEM;
	}
	while ((rc = ctrace_cursor_next(p->c, &ev)) > 0) {
		if (!r->events++)
			r->first_ns = ev.ns;
		if (ctrace_model_feed(p->m, &ev))
			p->oom = true;
		count_switch(r, &ev);
		sample_runnable(r, ev.ns);
	}
	if (rc < 0 && err)
		fprintf(err, "%s\n", ctrace_cursor_error(p->c));
	r->last_ns = ctrace_model_last_ns(p->m);
	ctrace_model_finish(p->m);
	/* The span, as the window clips it. */
	if (r->opts.from_ns && r->first_ns < r->opts.from_ns)
		r->first_ns = r->opts.from_ns;
	if (r->opts.to_ns && r->last_ns > r->opts.to_ns)
		r->last_ns = r->opts.to_ns;
	/* Names and processes as the trace knew them at its end. */
	for (size_t i = 0; i < r->nr_wakeups; i++) {
		struct ctrace_report_wakeup *w = &r->wakeups[i];
		const struct ctrace_thread *a = ctrace_cursor_thread(p->c, w->waker);
		const struct ctrace_thread *b = ctrace_cursor_thread(p->c, w->wakee);

		if (a)
			memcpy(w->waker_comm, a->comm, sizeof(w->waker_comm));
		if (b)
			memcpy(w->wakee_comm, b->comm, sizeof(w->wakee_comm));
	}
	for (size_t i = 0; i < r->nr_threads; i++) {
		struct ctrace_report_thread *th = &r->threads[i];
		const struct ctrace_thread *ct = ctrace_cursor_thread(p->c, th->tid);

		if (ct) {
			memcpy(th->comm, ct->comm, sizeof(th->comm));
			if (!th->tgid)
				th->tgid = ct->tgid;
		}
	}
	ctrace_model_free(p->m);
	p->m = NULL;
	ctrace_cursor_free(p->c);
	p->c = NULL;
	if (p->oom && err)
		fprintf(err, "out of memory: the report is incomplete\n");
	*out = r;
	return rc < 0 ? -EBADMSG : p->oom ? -ENOMEM : 0;
}

void ctrace_report_free(struct ctrace_report *r)
{
	struct rpriv *p;

	if (!r)
		return;
	p = r->priv;
	for (size_t i = 0; i < r->nr_threads; i++) {
		ctrace_hist_free(&r->threads[i].wake_latency);
		ctrace_hist_free(&r->threads[i].preempt_latency);
	}
	for (size_t i = 0; i < r->nr_regions; i++) {
		ctrace_hist_free(&r->regions[i].duration);
		free(r->regions[i].slowest);
	}
	for (size_t i = 0; i < r->nr_tasks; i++)
		ctrace_hist_free(&r->tasks[i].duration);
	for (size_t i = 0; i < r->nr_syscalls; i++)
		ctrace_hist_free(&r->syscalls[i].duration);
	free(r->syscalls);
	ctrace_hist_free(&r->wake_latency);
	ctrace_hist_free(&r->preempt_latency);
	free(r->threads);
	free(r->regions);
	free(r->tasks);
	free(r->wakeups);
	free(r->cpus);
	if (p) {
		ctrace_model_free(p->m);
		ctrace_cursor_free(p->c);
		free(p->threads.e);
		free(p->regions.e);
		free(p->tasks.e);
		free(p->pairs.e);
		free(p->cpus.e);
		free(p->ids.e);
		free(p->syscall_at);
		for (size_t i = 0; i < p->nr_names; i++)
			free(p->names[i]);
		free(p->names);
		free(p);
	}
	free(r);
}

const struct ctrace_report_thread *
ctrace_report_find_thread(const struct ctrace_report *r, uint32_t tid)
{
	uint32_t i = kget(&P(r)->threads, tid, 0, NULL);

	return i == UINT32_MAX ? NULL : &r->threads[i];
}

const struct ctrace_report_region *
ctrace_report_find_region(const struct ctrace_report *r, const char *name)
{
	uint32_t i = kget(&P(r)->regions, 0, 0, name);

	return i == UINT32_MAX ? NULL : &r->regions[i];
}

const struct ctrace_report_task *
ctrace_report_find_task(const struct ctrace_report *r, const char *name)
{
	uint32_t i = kget(&P(r)->tasks, 0, 0, name);

	return i == UINT32_MAX ? NULL : &r->tasks[i];
}

const struct ctrace_report_cpu *
ctrace_report_find_cpu(const struct ctrace_report *r, uint32_t n)
{
	uint32_t i = kget(&P(r)->cpus, n, 0, NULL);

	return i == UINT32_MAX ? NULL : &r->cpus[i];
}

size_t ctrace_report_footprint(const struct ctrace_report *r)
{
	const struct rpriv *p = r->priv;
	size_t n = sizeof(*r) + sizeof(*p);

	n += p->cap_threads * sizeof(*r->threads);
	for (size_t i = 0; i < r->nr_threads; i++)
		n += ctrace_hist_bytes(&r->threads[i].wake_latency) +
		     ctrace_hist_bytes(&r->threads[i].preempt_latency);
	n += p->cap_regions * sizeof(*r->regions);
	for (size_t i = 0; i < r->nr_regions; i++)
		n += ctrace_hist_bytes(&r->regions[i].duration) +
		     (r->opts.top ? r->opts.top : 10) * sizeof(struct ctrace_report_instance);
	n += p->cap_tasks * sizeof(*r->tasks) + p->cap_wakeups * sizeof(*r->wakeups) +
	     p->cap_cpus * sizeof(*r->cpus);
	n += (p->threads.mask + 1 + p->regions.mask + 1 + p->tasks.mask + 1 +
	      p->pairs.mask + 1 + p->cpus.mask + 1) * sizeof(struct kent);
	return n;
}
