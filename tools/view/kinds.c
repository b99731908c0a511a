// SPDX-License-Identifier: LGPL-2.1
/*
 * The kinds of rows the view draws: one table entry per kind, naming its
 * fields as an item of the model has them (raw) and as a run of merged
 * items has them (merged), and how a run is merged.  The encoder
 * (enc.c), the meta JSON (meta.c, which hands the table to the page)
 * and the page's decoder (page/data.js) all read this table; none has a
 * switch over kinds of its own.
 */
#include <string.h>

#include "view.h"

#define F(n, t) { n, t }

/* struct ctrace_state_iv, less what the page does not show */
static const struct view_field state_raw[] = {
	F("state", VF_U), F("cause", VF_U), F("flags", VF_U),
	F("cpu", VF_U),		/* +1; 0: not known */
	F("waker", VF_U), F("waker_cpu", VF_U), F("wregion", VF_STR),
};
/* ns in each state, by enum ctrace_thread_state */
static const struct view_field state_merged[] = {
	F("s0", VF_U), F("s1", VF_U), F("s2", VF_U), F("s3", VF_U),
	F("s4", VF_U), F("s5", VF_U),
};
static const struct view_field cpu_raw[] = { F("tid", VF_U), F("flags", VF_U) };
/* the thread that ran longest, and the ns any thread ran */
static const struct view_field cpu_merged[] = { F("tid", VF_U), F("busy", VF_U) };
static const struct view_field region_raw[] = {
	F("name", VF_STR), F("has_task", VF_U), F("task", VF_ID), F("flags", VF_U),
	F("switches", VF_U), F("s0", VF_U), F("s1", VF_U), F("s2", VF_U),
	F("s3", VF_U), F("s4", VF_U), F("s5", VF_U),
};
static const struct view_field region_merged[] = { F("name", VF_STR), F("busy", VF_U) };
static const struct view_field mark_raw[] = {
	F("type", VF_U), F("name", VF_STR), F("has_task", VF_U), F("task", VF_ID),
	F("msg", VF_BYTES),
};
static const struct view_field counter_raw[] = { F("value", VF_F64) };
static const struct view_field counter_merged[] = {
	F("min", VF_F64), F("max", VF_F64), F("last", VF_F64),
};
static const struct view_field task_raw[] = {
	F("name", VF_STR), F("task", VF_ID), F("parent", VF_ID), F("begin_tid", VF_U),
	F("end_tid", VF_U), F("threads", VF_U), F("regions", VF_U), F("logs", VF_U),
	F("flags", VF_U),
};
/* a flow's end: begin is when it ended; back: how long before it began */
static const struct view_field flow_raw[] = {
	F("name", VF_STR), F("flow", VF_ID), F("from_tid", VF_U), F("back", VF_U),
};

static uint64_t dur(const struct view_item *x)
{
	return (uint64_t)(x->end - x->begin);
}

static void merge_cpu(struct view_item *m, const struct view_item *x, bool first)
{
	uint64_t ns = x->n == 1 ? (x->f[0] ? dur(x) : 0) : x->f[1];

	if (first) {
		m->f[0] = x->f[0];
		m->f[1] = 0;
		m->scratch[0] = 0;
	}
	m->f[1] += ns;
	if (ns > m->scratch[0] || first) {
		m->scratch[0] = ns;
		m->f[0] = x->f[0];
	}
}

static void merge_state(struct view_item *m, const struct view_item *x, bool first)
{
	if (first)
		memset(m->f, 0, sizeof(m->f));
	if (x->n == 1) {
		if (x->f[0] < CTRACE_NR_STATES)
			m->f[x->f[0]] += dur(x);
	} else {
		for (int s = 0; s < CTRACE_NR_STATES; s++)
			m->f[s] += x->f[s];
	}
}

static void merge_region(struct view_item *m, const struct view_item *x, bool first)
{
	uint64_t ns = x->n == 1 ? dur(x) : x->f[1];

	if (first) {
		m->f[1] = 0;
		m->scratch[0] = 0;
	}
	m->f[1] += ns;
	if (ns > m->scratch[0] || first) {
		m->scratch[0] = ns;
		m->f[0] = x->f[0];
	}
}

static double f64_of(uint64_t bits)
{
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static void merge_counter(struct view_item *m, const struct view_item *x, bool first)
{
	uint64_t lo = x->f[0], hi = x->n == 1 ? x->f[0] : x->f[1];
	uint64_t last = x->n == 1 ? x->f[0] : x->f[2];

	if (first || f64_of(lo) < f64_of(m->f[0]))
		m->f[0] = lo;
	if (first || f64_of(hi) > f64_of(m->f[1]))
		m->f[1] = hi;
	m->f[2] = last;
}

static void merge_none(struct view_item *m, const struct view_item *x, bool first)
{
	(void)x;
	if (first)
		memset(m->f, 0, sizeof(m->f));
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KIND(k, nm, r, mg, fn) [k] = { nm, r, mg, N(r), N(mg), fn }

const struct view_kind_desc view_kinds[VK_NR] = {
	KIND(VK_CPU, "cpu", cpu_raw, cpu_merged, merge_cpu),
	KIND(VK_STATE, "state", state_raw, state_merged, merge_state),
	KIND(VK_REGION, "region", region_raw, region_merged, merge_region),
	[VK_MARK] = { "mark", mark_raw, NULL, N(mark_raw), 0, merge_none },
	KIND(VK_COUNTER, "counter", counter_raw, counter_merged, merge_counter),
	[VK_TASK] = { "task", task_raw, NULL, N(task_raw), 0, merge_none },
	[VK_FLOW] = { "flow", flow_raw, NULL, N(flow_raw), 0, merge_none },
};

_Static_assert(N(region_raw) <= VIEW_MAX_FIELDS, "region fields");
_Static_assert(N(task_raw) <= VIEW_MAX_FIELDS, "task fields");
_Static_assert(N(state_merged) == CTRACE_NR_STATES, "a field per state");

unsigned int view_level_for(double ns_per_px)
{
	unsigned int l = 0;

	while (l + 1 < VIEW_LEVELS && (double)view_level_width(l + 1) <= ns_per_px)
		l++;
	return l;
}
