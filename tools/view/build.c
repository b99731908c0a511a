// SPDX-License-Identifier: LGPL-2.1
/*
 * The view's one pass: the cursor feeds the model, and what the model
 * emits goes to rows, each row through its levels of detail, into blocks
 * appended to the index file (view.h has the picture).
 *
 *   model callback -> row (map from kind, a, b) -> level 0 -> block
 *                                                    |
 *                                    push to level 1: kept (>= W(1)),
 *                                    or into the open run, closed when
 *                                    it would grow past W(1)
 *                                                    |
 *                                                 level 2 ...
 *
 * Memory: per row, one open run and one open block per level; per open
 * task, flow and thread a table entry.  Nothing grows with the number of
 * events but the list of closed blocks (one entry per 1024 items or 16
 * KiB written).  The index file is unlinked as soon as it is open, so it
 * goes away with the process whatever ends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "view.h"

/* ------------------------------------------------------------- a map */

/* Open addressing from a pair of u64 to a u64, with deletion. */
struct vmap {
	struct vent { uint64_t k1, k2, v; uint8_t used; } *e;	/* used: 1, 2 deleted */
	size_t mask, n, dead;
};

static size_t vhash(uint64_t k1, uint64_t k2, size_t mask)
{
	uint64_t h = k1 * 0x9e3779b97f4a7c15ull ^ (k2 + 0x632be59bd9b4e019ull) *
		     0xc2b2ae3d27d4eb4full;

	return (size_t)(h ^ h >> 29) & mask;
}

static struct vent *vfind(const struct vmap *m, uint64_t k1, uint64_t k2)
{
	if (!m->e)
		return NULL;
	for (size_t i = vhash(k1, k2, m->mask);; i = (i + 1) & m->mask) {
		if (!m->e[i].used)
			return NULL;
		if (m->e[i].used == 1 && m->e[i].k1 == k1 && m->e[i].k2 == k2)
			return &m->e[i];
	}
}

static int vput(struct vmap *m, uint64_t k1, uint64_t k2, uint64_t v)
{
	struct vent *e = vfind(m, k1, k2);
	size_t i;

	if (e) {
		e->v = v;
		return 0;
	}
	if (!m->e || (m->n + m->dead + 1) * 2 > m->mask + 1) {
		size_t slots = m->e && m->n * 4 > m->mask ? (m->mask + 1) * 2 :
			       m->e ? m->mask + 1 : 64;
		struct vmap n = { calloc(slots, sizeof(struct vent)), slots - 1, 0, 0 };

		if (!n.e)
			return -ENOMEM;
		for (size_t j = 0; m->e && j <= m->mask; j++)
			if (m->e[j].used == 1)
				vput(&n, m->e[j].k1, m->e[j].k2, m->e[j].v);
		free(m->e);
		*m = n;
	}
	for (i = vhash(k1, k2, m->mask); m->e[i].used == 1; i = (i + 1) & m->mask)
		;
	if (m->e[i].used == 2)
		m->dead--;
	m->e[i] = (struct vent){ k1, k2, v, 1 };
	m->n++;
	return 0;
}

static void vdel(struct vmap *m, struct vent *e)
{
	e->used = 2;
	m->n--;
	m->dead++;
}

/* ------------------------------------------------------------ the pass */

struct lod {
	bool open;
	struct view_item m;	/* the run; n == 1 while it is one item */
};

struct oblock {
	struct view_buf buf;
	uint32_t count;
	int64_t begin, end, prev;
};

struct prow {
	struct lod lod[VIEW_LEVELS];
	struct oblock blk[VIEW_LEVELS];
	/* counters: the sample whose step is still open */
	bool has_sample;
	int64_t sample_ns;
	uint64_t sample;
};

/* A task's lane, or a flow's begin, while open. */
struct lane_set {
	int64_t *free_since;	/* per lane: INT64_MAX while busy */
	size_t n;
};

struct pass {
	struct view_index *x;
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	FILE *out;			/* the index file */
	uint64_t written;
	struct prow *prows;		/* parallel to x->rows */
	size_t cap_rows, cap_prows, cap_blocks, cap_threads, cap_strings;
	struct vmap rows, threads, strings, tasks, flows, lanes;
	struct lane_set *lsets;
	size_t nr_lsets, cap_lsets;
	bool started, oom;
	uint64_t last_ns;
	struct ctrace_model *m;		/* for a thread's open regions */
};

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return true;
	c = *cap ? *cap * 2 : 16;
	p = realloc(*arr, c * size);
	if (!p)
		return false;
	memset((char *)p + *cap * size, 0, (c - *cap) * size);
	*arr = p;
	*cap = c;
	return true;
}

static int64_t rel(const struct pass *p, uint64_t ns)
{
	return (int64_t)(ns - p->x->first_ns);
}

static uint32_t row_of(struct pass *p, unsigned int kind, uint32_t a, uint32_t b)
{
	struct vent *e = vfind(&p->rows, (uint64_t)kind << 32 | a, b);
	struct view_index *x = p->x;

	if (e)
		return (uint32_t)e->v;
	if (!grow((void **)&x->rows, &p->cap_rows, x->nr_rows, sizeof(*x->rows))) {
		p->oom = true;
		return UINT32_MAX;
	}
	if (p->cap_prows < p->cap_rows) {
		void *q = realloc(p->prows, p->cap_rows * sizeof(*p->prows));

		if (!q) {
			p->oom = true;
			return UINT32_MAX;
		}
		p->prows = q;
		p->cap_prows = p->cap_rows;
	}
	if (vput(&p->rows, (uint64_t)kind << 32 | a, b, x->nr_rows)) {
		p->oom = true;
		return UINT32_MAX;
	}
	x->rows[x->nr_rows] = (struct view_row){ .kind = kind, .a = a, .b = b };
	memset(&p->prows[x->nr_rows], 0, sizeof(*p->prows));
	return (uint32_t)x->nr_rows++;
}

static struct view_thread *thread_of(struct pass *p, uint32_t tid, uint32_t tgid)
{
	struct vent *e = vfind(&p->threads, tid, 0);
	struct view_index *x = p->x;
	struct view_thread *th;

	if (e) {
		th = &x->threads[e->v];
	} else {
		if (!grow((void **)&x->threads, &p->cap_threads, x->nr_threads,
			  sizeof(*x->threads)) ||
		    vput(&p->threads, tid, 0, x->nr_threads)) {
			p->oom = true;
			return NULL;
		}
		th = &x->threads[x->nr_threads++];
		*th = (struct view_thread){ .tid = tid };
	}
	if (tgid)
		th->tgid = tgid;
	return th;
}

/* The string table's index for (@set, @id): its text, or "#ID". */
static uint64_t str_of(struct pass *p, uint32_t set, uint16_t id, const char *name)
{
	struct vent *e = vfind(&p->strings, set, id);
	struct view_index *x = p->x;
	char buf[16];
	char *s;

	if (e)
		return e->v;
	if (!name) {
		snprintf(buf, sizeof(buf), "#%u", id);
		name = buf;
	}
	s = strdup(name);
	if (!s || !grow((void **)&x->strings, &p->cap_strings, x->nr_strings,
			sizeof(*x->strings)) ||
	    vput(&p->strings, set, id, x->nr_strings)) {
		free(s);
		p->oom = true;
		return 0;
	}
	x->strings[x->nr_strings] = s;
	return x->nr_strings++;
}

/* ------------------------------------------------- blocks and levels */

static void close_block(struct pass *p, uint32_t row, unsigned int level)
{
	struct oblock *ob = &p->prows[row].blk[level];
	struct view_index *x = p->x;
	struct view_block *b;

	if (!ob->count)
		return;
	if (ob->buf.oom || !grow((void **)&x->blocks, &p->cap_blocks, x->nr_blocks,
				 sizeof(*x->blocks)) ||
	    fwrite(ob->buf.p, 1, ob->buf.len, p->out) != ob->buf.len) {
		p->oom = true;
	} else {
		b = &x->blocks[x->nr_blocks++];
		*b = (struct view_block){
			.row = row, .level = level, .count = (uint16_t)ob->count,
			.begin = ob->begin, .end = ob->end, .offset = p->written,
			.len = (uint32_t)ob->buf.len,
		};
		p->written += ob->buf.len;
	}
	ob->buf.len = 0;
	ob->buf.oom = false;
	ob->count = 0;
}

static void write_item(struct pass *p, uint32_t row, unsigned int level,
		       const struct view_item *it)
{
	struct oblock *ob = &p->prows[row].blk[level];

	if (!ob->count) {
		ob->begin = it->begin;
		ob->end = it->end;
		ob->prev = 0;
	}
	view_encode_item(&ob->buf, p->x->rows[row].kind, it, &ob->prev);
	if (it->end > ob->end)
		ob->end = it->end;
	p->x->rows[row].items[level]++;
	if (++ob->count == VIEW_BLOCK_ITEMS || ob->buf.len >= VIEW_BLOCK_BYTES)
		close_block(p, row, level);
}

static void push(struct pass *p, uint32_t row, unsigned int level,
		 const struct view_item *x);

static void emit(struct pass *p, uint32_t row, unsigned int level,
		 const struct view_item *it)
{
	write_item(p, row, level, it);
	if (level + 1 < VIEW_LEVELS)
		push(p, row, level + 1, it);
}

static void flush_run(struct pass *p, uint32_t row, unsigned int level)
{
	struct lod *l = &p->prows[row].lod[level];

	if (!l->open)
		return;
	l->open = false;
	emit(p, row, level, &l->m);
}

/*
 * Level @level gets @x from the level below: an item at least W long is
 * kept as it is; shorter ones join the open run, which is closed (and
 * passed up) when @x would make it longer than W.
 */
static void push(struct pass *p, uint32_t row, unsigned int level,
		 const struct view_item *x)
{
	const struct view_kind_desc *k = &view_kinds[p->x->rows[row].kind];
	struct lod *l = &p->prows[row].lod[level];
	int64_t w = (int64_t)view_level_width(level);

	if (x->end - x->begin >= w) {
		flush_run(p, row, level);
		emit(p, row, level, x);
		return;
	}
	if (l->open && x->end - l->m.begin > w)
		flush_run(p, row, level);
	if (!l->open) {
		l->m = *x;
		l->open = true;
		return;
	}
	if (l->m.n == 1) {
		struct view_item one = l->m;

		k->merge(&l->m, &one, true);
		l->m.bytes = NULL;
		l->m.bytes_len = 0;
	}
	k->merge(&l->m, x, false);
	l->m.n += x->n;
	if (x->end > l->m.end)
		l->m.end = x->end;
}

static void add(struct pass *p, uint32_t row, struct view_item *it)
{
	if (row == UINT32_MAX)
		return;
	it->n = 1;
	if (it->end < it->begin)
		it->end = it->begin;
	emit(p, row, 0, it);
}

/* ----------------------------------------------------------- callbacks */

static bool real_tid(uint32_t tid)
{
	return tid && tid != CTRACE_TID_HIDDEN;
}

static uint64_t region_str(struct pass *p, const struct ctrace_model_region *r)
{
	return r ? str_of(p, r->set, r->name_id, r->name) : 0;
}

static void on_state(void *arg, const struct ctrace_state_iv *iv)
{
	struct pass *p = arg;
	struct view_item it = { .begin = rel(p, iv->begin), .end = rel(p, iv->end) };

	if (!real_tid(iv->tid) || !thread_of(p, iv->tid, iv->tgid))
		return;
	it.f[0] = iv->state;
	it.f[1] = iv->cause;
	it.f[2] = iv->flags;
	it.f[3] = iv->cpu == UINT32_MAX ? 0 : (uint64_t)iv->cpu + 1;
	it.f[4] = iv->waker_tid;
	it.f[5] = iv->waker_cpu == UINT32_MAX ? 0 : (uint64_t)iv->waker_cpu + 1;
	it.f[6] = region_str(p, iv->waker_region);
	add(p, row_of(p, VK_STATE, iv->tid, 0), &it);
}

static void on_cpu(void *arg, const struct ctrace_cpu_iv *iv)
{
	struct pass *p = arg;
	struct view_item it = { .begin = rel(p, iv->begin), .end = rel(p, iv->end) };

	it.f[0] = iv->tid;
	it.f[1] = iv->flags;
	add(p, row_of(p, VK_CPU, iv->cpu, 0), &it);
}

static void on_region(void *arg, const struct ctrace_model_region *r)
{
	struct pass *p = arg;
	struct view_item it = { .begin = rel(p, r->begin), .end = rel(p, r->end) };
	struct view_thread *th = thread_of(p, r->tid, r->tgid);
	uint32_t depth = r->depth ? r->depth : 1;

	if (!th)
		return;
	if (depth > th->max_depth)
		th->max_depth = depth;
	it.f[0] = region_str(p, r);
	it.f[1] = r->has_task;
	it.f[2] = r->task;
	it.f[3] = r->flags;
	it.f[4] = r->switches;
	for (int s = 0; s < CTRACE_NR_STATES; s++)
		it.f[5 + s] = r->state_ns[s];
	add(p, row_of(p, VK_REGION, r->tid, depth), &it);
}

/*
 * A system call: a slice one line below its thread's open regions (it is
 * made from inside the innermost), flagged VIEW_RG_SYSCALL, named "read()".
 */
static void on_syscall(void *arg, const struct ctrace_model_syscall *sc)
{
	struct pass *p = arg;
	struct view_item it = { .begin = rel(p, sc->begin), .end = rel(p, sc->end) };
	struct view_thread *th = thread_of(p, sc->tid, sc->tgid);
	struct ctrace_model_thread mt;
	uint32_t depth = 1;
	char buf[24], name[32];

	if (!th)
		return;
	if (p->m && ctrace_model_thread(p->m, sc->tid, &mt))
		depth = mt.depth + 1;
	if (depth > th->max_depth)
		th->max_depth = depth;
	snprintf(name, sizeof(name), "%s()", ctrace_syscall_name(sc->aux, buf, sizeof(buf)));
	/* Its own string space: (no ring set, the syscall's aux). */
	it.f[0] = str_of(p, UINT32_MAX, sc->aux, name);
	it.f[3] = VIEW_RG_SYSCALL | (sc->flags & CTRACE_SC_BLOCKED ? VIEW_RG_BLOCKED : 0) |
		  (sc->flags & CTRACE_SC_UNENDED ? CTRACE_RG_TRACE_END : 0);
	it.f[4] = sc->switches;
	add(p, row_of(p, VK_REGION, sc->tid, depth), &it);
}

static struct lane_set *lanes_of(struct pass *p, uint32_t tgid)
{
	struct vent *e = vfind(&p->lanes, tgid, 0);

	if (e)
		return &p->lsets[e->v];
	if (!grow((void **)&p->lsets, &p->cap_lsets, p->nr_lsets, sizeof(*p->lsets)) ||
	    vput(&p->lanes, tgid, 0, p->nr_lsets)) {
		p->oom = true;
		return NULL;
	}
	return &p->lsets[p->nr_lsets++];
}

/* The lowest lane of @tgid free since @begin, made busy. */
static uint32_t take_lane(struct pass *p, uint32_t tgid, int64_t begin)
{
	struct lane_set *ls = lanes_of(p, tgid);
	size_t i;
	int64_t *q;

	if (!ls)
		return 0;
	for (i = 0; i < ls->n && ls->free_since[i] > begin; i++)
		;
	if (i == ls->n) {
		q = realloc(ls->free_since, (ls->n + 1) * sizeof(*q));
		if (!q) {
			p->oom = true;
			return 0;
		}
		ls->free_since = q;
		ls->n++;
	}
	ls->free_since[i] = INT64_MAX;
	return (uint32_t)i;
}

static void on_task(void *arg, const struct ctrace_model_task *t)
{
	struct pass *p = arg;
	struct view_item it = { .begin = rel(p, t->begin), .end = rel(p, t->end) };
	struct vent *e = vfind(&p->tasks, (uint64_t)t->tgid << 32 | t->set, t->task);
	struct lane_set *ls;
	uint32_t lane;

	if (e) {
		lane = (uint32_t)e->v;
		vdel(&p->tasks, e);
	} else {
		lane = take_lane(p, t->tgid, it.begin);
	}
	ls = lanes_of(p, t->tgid);
	if (ls && lane < ls->n)
		ls->free_since[lane] = it.end;
	it.f[0] = str_of(p, t->set, t->name_id, t->name);
	it.f[1] = t->task;
	it.f[2] = t->parent;
	it.f[3] = t->begin_tid;
	it.f[4] = t->end_tid;
	it.f[5] = t->threads;
	it.f[6] = t->regions;
	it.f[7] = t->logs;
	it.f[8] = t->flags;
	add(p, row_of(p, VK_TASK, t->tgid, lane), &it);
}

#define MAX_OPEN_FLOWS 1000000

static void on_uevent(void *arg, const struct ctrace_model_uevent *u)
{
	struct pass *p = arg;
	struct view_item it = { .begin = rel(p, u->ns), .end = rel(p, u->ns) };
	uint32_t row;
	struct vent *e;

	switch (u->type) {
	case CTRACE_UREC_TASK_BEGIN:
		if (!vfind(&p->tasks, (uint64_t)u->tgid << 32 | u->set, u->task) &&
		    vput(&p->tasks, (uint64_t)u->tgid << 32 | u->set, u->task,
			 take_lane(p, u->tgid, it.begin)))
			p->oom = true;
		break;
	case CTRACE_UREC_LOG:
	case CTRACE_UREC_INSTANT:
		if (!thread_of(p, u->tid, u->tgid))
			return;
		it.f[0] = u->type;
		it.f[1] = str_of(p, u->set, u->name_id, u->name);
		it.f[2] = u->has_task;
		it.f[3] = u->task;
		it.bytes = u->msg;
		it.bytes_len = u->msg ? u->msg_len : 0;
		add(p, row_of(p, VK_MARK, u->tid, 0), &it);
		break;
	case CTRACE_UREC_COUNTER:
	case CTRACE_UREC_COUNTER_F: {
		double v = u->type == CTRACE_UREC_COUNTER ? (double)u->ivalue : u->fvalue;
		uint32_t name = (uint32_t)str_of(p, u->set, u->name_id, u->name);
		struct prow *pr;

		row = row_of(p, VK_COUNTER, u->tgid, name);
		if (row == UINT32_MAX)
			return;
		pr = &p->prows[row];
		if (pr->has_sample) {
			struct view_item s = { .begin = pr->sample_ns, .end = it.begin };

			s.f[0] = pr->sample;
			add(p, row, &s);
		}
		pr->has_sample = true;
		pr->sample_ns = it.begin;
		memcpy(&pr->sample, &v, sizeof(v));
		break;
	}
	case CTRACE_UREC_FLOW_BEGIN:
		if (p->flows.n < MAX_OPEN_FLOWS &&
		    (vput(&p->flows, (uint64_t)u->set << 32 | u->tid, u->flow,
			  (uint64_t)it.begin) ||
		     vput(&p->flows, (uint64_t)u->set << 32 | 0xffffffffu, u->flow,
			  (uint64_t)u->tid << 32 | str_of(p, u->set, u->name_id, u->name))))
			p->oom = true;
		break;
	case CTRACE_UREC_FLOW_END:
		/* The begin: (set, flow) gives its thread and name, then
		 * (set, thread, flow) its time. */
		it.f[1] = u->flow;
		e = vfind(&p->flows, (uint64_t)u->set << 32 | 0xffffffffu, u->flow);
		if (e) {
			uint32_t from = (uint32_t)(e->v >> 32);
			struct vent *te = vfind(&p->flows, (uint64_t)u->set << 32 | from,
						u->flow);

			it.f[0] = e->v & 0xffffffffu;
			it.f[2] = from;
			vdel(&p->flows, e);
			if (te) {
				it.f[3] = it.begin > (int64_t)te->v ?
					  (uint64_t)(it.begin - (int64_t)te->v) : 0;
				vdel(&p->flows, te);
			}
		}
		if (thread_of(p, u->tid, u->tgid))
			add(p, row_of(p, VK_FLOW, u->tid, 0), &it);
		break;
	}
}

static void on_loss(void *arg, const struct ctrace_model_loss *l)
{
	struct pass *p = arg;
	struct view_index *x = p->x;
	struct view_loss *v;

	if (x->nr_losses == VIEW_MAX_LOSSES) {
		x->losses_dropped++;
		return;
	}
	if (!x->losses) {
		x->losses = calloc(VIEW_MAX_LOSSES, sizeof(*x->losses));
		if (!x->losses) {
			p->oom = true;
			return;
		}
	}
	v = &x->losses[x->nr_losses++];
	*v = (struct view_loss){
		.ns = rel(p, l->ns), .from_ns = rel(p, l->has_from ? l->from_ns : l->ns),
		.count = l->count, .kind = l->kind, .ring = l->ring, .domain = l->domain,
		.corrupt_reason = l->corrupt_bytes || l->corrupt_reason ?
				  l->corrupt_reason + 1 : 0,
	};
}

static void on_anomaly(void *arg, const struct ctrace_event *ev, uint32_t domain,
		       bool retractable, const char *msg)
{
	struct pass *p = arg;

	(void)ev;
	(void)domain;
	(void)retractable;
	if (!p->x->anomalies++)
		snprintf(p->x->first_anomaly, sizeof(p->x->first_anomaly), "%s", msg);
}

static void clock_sample(struct pass *p, const struct ctrace_event *ev)
{
	struct view_index *x = p->x;
	uint64_t real = ctrace_trace_real_ns(p->t, ev->ts);

	if (!real || x->nr_clocks == VIEW_MAX_CLOCKS)
		return;
	x->clock_mono[x->nr_clocks] = rel(p, ev->ns);
	x->clock_real[x->nr_clocks++] = real;
}

/* ------------------------------------------------------------- the end */

static int block_cmp(const void *a, const void *b)
{
	const struct view_block *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void finish(struct pass *p)
{
	struct view_index *x = p->x;

	/* Counters' last steps end with the trace. */
	for (size_t r = 0; r < x->nr_rows; r++) {
		struct prow *pr = &p->prows[r];

		if (x->rows[r].kind == VK_COUNTER && pr->has_sample) {
			struct view_item s = { .begin = pr->sample_ns, .end = rel(p, p->last_ns) };

			s.f[0] = pr->sample;
			add(p, (uint32_t)r, &s);
		}
	}
	/* Runs close bottom-up: each level's last run feeds the next. */
	for (size_t r = 0; r < x->nr_rows; r++)
		for (unsigned int l = 1; l < VIEW_LEVELS; l++)
			flush_run(p, (uint32_t)r, l);
	for (size_t r = 0; r < x->nr_rows; r++)
		for (unsigned int l = 0; l < VIEW_LEVELS; l++)
			close_block(p, (uint32_t)r, l);
	qsort(x->blocks, x->nr_blocks, sizeof(*x->blocks), block_cmp);
	for (size_t i = 0; i < x->nr_blocks; i++) {
		struct view_row *row = &x->rows[x->blocks[i].row];
		unsigned int l = x->blocks[i].level;

		if (!row->nr_blocks[l])
			row->first_block[l] = (uint32_t)i;
		row->nr_blocks[l]++;
	}
	/* Names as the trace knew them at its end. */
	for (size_t i = 0; i < x->nr_threads; i++) {
		struct view_thread *th = &x->threads[i];
		const struct ctrace_thread *ct = ctrace_cursor_thread(p->c, th->tid);

		if (ct) {
			memcpy(th->comm, ct->comm, sizeof(th->comm));
			if (!th->tgid)
				th->tgid = ct->tgid;
		}
	}
	x->index_bytes = p->written;
}

static int open_index(struct view_index *x, const char *tmpdir, FILE *err)
{
	const char *base = tmpdir ? tmpdir : getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&dir, "%s/ctrace-view.XXXXXX", base) < 0)
		return -ENOMEM;
	if (!mkdtemp(dir)) {
		fprintf(err, "ctrace view: %s: %s\n", dir, strerror(errno));
		free(dir);
		return -errno;
	}
	if (asprintf(&x->path, "%s/index", dir) < 0) {
		rmdir(dir);
		free(dir);
		return -ENOMEM;
	}
	x->fd = open(x->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (x->fd < 0) {
		int e = errno;

		fprintf(err, "ctrace view: %s: %s\n", x->path, strerror(e));
		rmdir(dir);
		free(dir);
		return -e;
	}
	/* Nothing is left behind, however the process ends. */
	unlink(x->path);
	rmdir(dir);
	x->dir = dir;
	return 0;
}

int view_build(struct ctrace_trace *t, const char *tmpdir,
	       struct view_index **out, FILE *err)
{
	struct view_index *x = calloc(1, sizeof(*x));
	struct pass p = { .x = x, .t = t };
	struct ctrace_model_sink sink = {
		.arg = &p, .state = on_state, .cpu = on_cpu, .region = on_region,
		.syscall = on_syscall,
		.task = on_task, .uevent = on_uevent, .loss = on_loss,
		.anomaly = on_anomaly,
	};
	struct ctrace_model *m = NULL;
	struct ctrace_event ev;
	const char *path = ctrace_trace_path(t), *slash, *prob;
	struct stat st;
	int rc, ret = 0;

	*out = NULL;
	if (!x)
		return -ENOMEM;
	x->fd = -1;
	slash = strrchr(path, '/');
	snprintf(x->title, sizeof(x->title), "%s", slash ? slash + 1 : path);
	if (!stat(path, &st))
		x->file_bytes = (uint64_t)st.st_size;
	if ((ret = open_index(x, tmpdir, err)))
		goto fail;
	p.out = fdopen(dup(x->fd), "w");
	if (!p.out || (x->strings = calloc(16, sizeof(char *))) == NULL ||
	    !(x->strings[0] = strdup(""))) {
		ret = -ENOMEM;
		goto fail;
	}
	p.cap_strings = 16;
	x->nr_strings = 1;
	setvbuf(p.out, NULL, _IOFBF, 1 << 20);
	if (ctrace_cursor_new(t, &p.c) || ctrace_model_new(t, p.c, &sink, &m)) {
		ret = -ENOMEM;
		goto fail;
	}
	p.m = m;
	while ((rc = ctrace_cursor_next(p.c, &ev)) > 0) {
		if (!p.started) {
			p.started = true;
			x->first_ns = ev.ns;
			clock_sample(&p, &ev);
		}
		x->events++;
		p.last_ns = ev.ns;
		if (ctrace_model_feed(m, &ev))
			p.oom = true;
		if ((ev.kind == CTRACE_RING_KERNEL || ev.kind == CTRACE_RING_DUMPER) &&
		    ev.type == CTRACE_KREC_CLOCK)
			clock_sample(&p, &ev);
	}
	x->corrupt = rc < 0;
	if (rc < 0)
		snprintf(x->problem, sizeof(x->problem), "%s", ctrace_cursor_error(p.c));
	else if ((prob = ctrace_trace_problem(t)))
		snprintf(x->problem, sizeof(x->problem), "%s", prob);
	ctrace_model_finish(m);
	if (p.started)
		clock_sample(&p, &ev);
	x->span_ns = p.started ? rel(&p, p.last_ns) : 0;
	finish(&p);
	if (fflush(p.out) || p.oom) {
		fprintf(err, "ctrace view: %s\n", p.oom ? "out of memory" :
			"cannot write the index");
		ret = p.oom ? -ENOMEM : -EIO;
	}
fail:
	ctrace_model_free(m);
	ctrace_cursor_free(p.c);
	if (p.out)
		fclose(p.out);
	for (size_t r = 0; r < x->nr_rows && p.prows; r++)
		for (unsigned int l = 0; l < VIEW_LEVELS; l++)
			view_buf_free(&p.prows[r].blk[l].buf);
	free(p.prows);
	for (size_t i = 0; i < p.nr_lsets; i++)
		free(p.lsets[i].free_since);
	free(p.lsets);
	free(p.rows.e);
	free(p.threads.e);
	free(p.strings.e);
	free(p.tasks.e);
	free(p.flows.e);
	free(p.lanes.e);
	if (ret) {
		view_index_free(x);
		return ret;
	}
	*out = x;
	return 0;
}

void view_index_free(struct view_index *x)
{
	if (!x)
		return;
	if (x->fd >= 0)
		close(x->fd);
	for (size_t i = 0; i < x->nr_strings; i++)
		free(x->strings[i]);
	free(x->strings);
	free(x->rows);
	free(x->blocks);
	free(x->threads);
	free(x->losses);
	free(x->path);
	free(x->dir);
	free(x);
}
