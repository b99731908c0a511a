// SPDX-License-Identifier: GPL-2.0
/*
 * The record descriptor tables (tools/tracefile/recdesc.c), walked entry
 * by entry against the uapi structs: each type has its entry, its size
 * rule is its struct's sizeof(), its thread IDs sit where the struct puts
 * them with the role this test states, fields lie inside the record in
 * order, pairs point at each other.  Then the stand-ins for types this
 * library does not know, and the per-event helpers on real records.
 *
 * The lists below are this test's own statement of the ABI, so that a
 * change to the table must be made twice to pass; each is checked at
 * build time to cover its whole enum.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "recdesc.h"

struct tid_want {
	const char *name;
	size_t off;
	unsigned int role;
	bool traced;
};

struct want {
	unsigned int type;
	const char *name;
	size_t size, max_size;	/* max_size 0: no bound */
	bool event;
	struct tid_want tids[2];
};

/* Type, name, least and most bytes, event?, then its thread IDs. */
#define E(t, n, sz, mx, ev, ...) { .type = t, .name = n, .size = sz, \
	.max_size = mx, .event = ev, .tids = { __VA_ARGS__ } }
/* The same for a type of one size, its struct's. */
#define F(t, n, s, ev, ...) E(t, n, sizeof(struct s), sizeof(struct s), ev, __VA_ARGS__)
#define T(s, f, r, tr)	{ #f, offsetof(struct s, f), CTRACE_ROLE_##r, tr }

static const struct want kwant[] = {
	E(CTRACE_KREC_PAD, "pad", sizeof(struct ctrace_krec), 0, false),
	F(CTRACE_KREC_TIME, "time", ctrace_krec_time, false),
	F(CTRACE_KREC_LOST, "lost", ctrace_krec_lost, false),
	F(CTRACE_KREC_CLOCK, "clock", ctrace_krec_clock, true),
	F(CTRACE_KREC_SWITCH, "switch", ctrace_krec_switch, true,
	  T(ctrace_krec_switch, prev_tid, ACTOR, false),
	  T(ctrace_krec_switch, next_tid, SUBJECT, false)),
	F(CTRACE_KREC_WAKEUP, "wakeup", ctrace_krec_wakeup, true,
	  T(ctrace_krec_wakeup, tid, SUBJECT, true),
	  T(ctrace_krec_wakeup, waker_tid, ACTOR, false)),
	F(CTRACE_KREC_FORK, "fork", ctrace_krec_fork, true,
	  T(ctrace_krec_fork, parent_tid, ACTOR, true),
	  T(ctrace_krec_fork, child_tid, SUBJECT, false)),
	E(CTRACE_KREC_EXEC, "exec", sizeof(struct ctrace_krec_exec) + 8, 0, true,
	  T(ctrace_krec_exec, tid, ACTOR, true),
	  T(ctrace_krec_exec, old_tid, FORMER, false)),
	F(CTRACE_KREC_EXIT, "exit", ctrace_krec_exit, true,
	  T(ctrace_krec_exit, tid, ACTOR, true)),
	F(CTRACE_KREC_RENAME, "rename", ctrace_krec_rename, true,
	  T(ctrace_krec_rename, tid, SUBJECT, true)),
	F(CTRACE_KREC_MIGRATE, "migrate", ctrace_krec_migrate, true,
	  T(ctrace_krec_migrate, tid, SUBJECT, true)),
	F(CTRACE_KREC_THREAD, "thread", ctrace_krec_thread, true,
	  T(ctrace_krec_thread, tid, SUBJECT, false)),
	F(CTRACE_KREC_SYSCALL_ENTER, "syscall_enter", ctrace_krec_syscall_enter, true,
	  T(ctrace_krec_syscall_enter, tid, ACTOR, true)),
	F(CTRACE_KREC_SYSCALL_EXIT, "syscall_exit", ctrace_krec_syscall_exit, true,
	  T(ctrace_krec_syscall_exit, tid, ACTOR, true)),
};

static_assert(ARRAY_SIZE(kwant) == __CTRACE_KREC_MAX - 1,
	      "kwant[] states every kernel record type");

/* Every user record but CORRUPT has its writer in the header. */
#define W T(ctrace_urec, tid, ACTOR, false)
#define OPT64(t, n) E(t, n, sizeof(struct ctrace_urec), \
			   sizeof(struct ctrace_urec_id64), true, W)

static const struct want uwant[] = {
	F(CTRACE_UREC_LOST, "lost", ctrace_urec_lost, false, W),
	F(CTRACE_UREC_THREAD, "thread", ctrace_urec_thread, true, W),
	F(CTRACE_UREC_TASK_BEGIN, "task_begin", ctrace_urec_task, true, W),
	F(CTRACE_UREC_TASK_END, "task_end", ctrace_urec_id64, true, W),
	OPT64(CTRACE_UREC_REGION_BEGIN, "region_begin"),
	OPT64(CTRACE_UREC_REGION_END, "region_end"),
	E(CTRACE_UREC_LOG, "log", sizeof(struct ctrace_urec_log), 0, true, W),
	OPT64(CTRACE_UREC_INSTANT, "instant"),
	F(CTRACE_UREC_COUNTER, "counter", ctrace_urec_counter, true, W),
	F(CTRACE_UREC_COUNTER_F, "counter_f", ctrace_urec_counter, true, W),
	F(CTRACE_UREC_FLOW_BEGIN, "flow_begin", ctrace_urec_id64, true, W),
	F(CTRACE_UREC_FLOW_END, "flow_end", ctrace_urec_id64, true, W),
	F(CTRACE_FREC_CORRUPT, "corrupt", ctrace_frec_corrupt, true),
};

static_assert(ARRAY_SIZE(uwant) == __CTRACE_UREC_MAX,
	      "uwant[] states every user record type, and CORRUPT");

static void check_entry(struct __test_metadata *_metadata,
			const struct ctrace_recdesc *d, const struct want *w,
			size_t hdr)
{
	const struct ctrace_rd_arg *a, *prev = NULL;
	size_t bound = d->max_size ? d->max_size : d->size;
	bool passed = _metadata->passed;
	unsigned int ntids = 0;

	ASSERT_NE(NULL, d);
	EXPECT_EQ(w->type, d->type);
	EXPECT_STREQ(w->name, d->name);
	EXPECT_NE(NULL, d->label);
	EXPECT_FALSE(d->flags & CTRACE_RD_UNKNOWN);
	EXPECT_EQ(w->size, d->size);
	EXPECT_EQ(w->max_size, d->max_size);
	EXPECT_EQ(w->event, !!(d->flags & CTRACE_RD_EVENT));
	EXPECT_EQ(0, d->size % 8);
	EXPECT_EQ(0, d->max_size % 8);
	EXPECT_LE(hdr, d->size);

	for (a = d->args; a < d->args + CTRACE_RD_MAX_ARGS && a->name; a++) {
		size_t width = ctrace_rd_width(a->kind);
		bool writer = hdr == sizeof(struct ctrace_urec) &&
			      a->kind == CTRACE_RD_TID &&
			      a->off == offsetof(struct ctrace_urec, tid);

		/* After the header (but a user record's writer, in it), in
		 * order, not overlapping, inside the largest record. */
		if (!writer) {
			EXPECT_LE(hdr, a->off);
		}
		if (prev) {
			EXPECT_LE(prev->off + ctrace_rd_width(prev->kind), a->off);
		}
		if (width) {
			EXPECT_LE(a->off + width, bound);
		} else {
			EXPECT_LE(a->off, d->size);	/* a TAIL: at the end */
		}
		EXPECT_EQ(a->kind == CTRACE_RD_TID, a->role != CTRACE_ROLE_NONE);
		if (a->kind == CTRACE_RD_TID) {
			const struct tid_want *t;

			ASSERT_GT(ARRAY_SIZE(w->tids), ntids);
			t = &w->tids[ntids];
			EXPECT_STREQ(t->name, a->name);
			EXPECT_EQ(t->off, a->off);
			EXPECT_EQ(t->role, a->role);
			EXPECT_EQ(t->traced, !!(a->flags & CTRACE_ARG_TRACED));
			ntids++;
		}
		prev = a;
	}
	EXPECT_TRUE(ntids == ARRAY_SIZE(w->tids) || !w->tids[ntids].name);
	EXPECT_GE(CTRACE_RD_MAX_TIDS, ntids);
	if (passed && !_metadata->passed)
		TH_LOG("in the entry of type %u (%s)", w->type, w->name);
}

TEST(kernel_entries_match_the_uapi_structs)
{
	for (size_t i = 0; i < ARRAY_SIZE(kwant); i++) {
		const struct ctrace_recdesc *d = ctrace_krec_desc(kwant[i].type);

		bool enter = kwant[i].type == CTRACE_KREC_SYSCALL_ENTER;
		bool exit_ = kwant[i].type == CTRACE_KREC_SYSCALL_EXIT;

		check_entry(_metadata, d, &kwant[i], sizeof(struct ctrace_krec));
		EXPECT_EQ(NULL, d->id);
		if (enter || exit_) {
			/* A system call's entry opens what its exit closes. */
			EXPECT_EQ(enter ? CTRACE_RD_BEGIN : CTRACE_RD_END,
				  d->flags & (CTRACE_RD_BEGIN | CTRACE_RD_END));
			EXPECT_EQ(enter ? CTRACE_KREC_SYSCALL_EXIT : CTRACE_KREC_SYSCALL_ENTER,
				  d->pair);
			EXPECT_STREQ("syscall", d->label);
			continue;
		}
		EXPECT_FALSE(d->flags & (CTRACE_RD_BEGIN | CTRACE_RD_END));
		/* The kernel's names and the text's column are one. */
		EXPECT_STREQ(d->name, d->label);
	}
	/* Sizes as the walker has always known them. */
	EXPECT_EQ(0, ctrace_krec_fixed_size(CTRACE_KREC_PAD));
	EXPECT_EQ(0, ctrace_krec_fixed_size(CTRACE_KREC_EXEC));
	EXPECT_EQ(sizeof(struct ctrace_krec_fork), ctrace_krec_fixed_size(CTRACE_KREC_FORK));
	EXPECT_EQ(0, ctrace_krec_fixed_size(__CTRACE_KREC_MAX));
}

TEST(user_entries_match_the_uapi_structs)
{
	for (size_t i = 0; i < ARRAY_SIZE(uwant); i++) {
		const struct ctrace_recdesc *d = ctrace_urec_desc(uwant[i].type);

		check_entry(_metadata, d, &uwant[i], sizeof(struct ctrace_urec));
		EXPECT_EQ(NULL, d->aux);
		EXPECT_EQ(uwant[i].type == CTRACE_FREC_CORRUPT,
			  !!(d->flags & CTRACE_RD_FILE_ONLY));
	}
}

TEST(names_are_unique_in_a_family)
{
	for (size_t i = 0; i < ARRAY_SIZE(kwant); i++) {
		for (size_t j = i + 1; j < ARRAY_SIZE(kwant); j++) {
			EXPECT_STRNE(ctrace_krec_desc(kwant[i].type)->name,
				     ctrace_krec_desc(kwant[j].type)->name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(uwant); i++) {
		for (size_t j = i + 1; j < ARRAY_SIZE(uwant); j++) {
			EXPECT_STRNE(ctrace_urec_desc(uwant[i].type)->name,
				     ctrace_urec_desc(uwant[j].type)->name);
		}
	}
}

TEST(pairs_point_at_each_other)
{
	static const unsigned int begins[] = {
		CTRACE_UREC_TASK_BEGIN, CTRACE_UREC_REGION_BEGIN,
		CTRACE_UREC_FLOW_BEGIN,
	};
	unsigned int ends = 0;

	for (size_t i = 0; i < ARRAY_SIZE(begins); i++) {
		const struct ctrace_recdesc *b = ctrace_urec_desc(begins[i]);
		const struct ctrace_recdesc *e = ctrace_urec_desc(b->pair);

		ASSERT_NE(NULL, e);
		EXPECT_TRUE(b->flags & CTRACE_RD_BEGIN);
		EXPECT_TRUE(e->flags & CTRACE_RD_END);
		EXPECT_EQ(b->type, e->pair);
		EXPECT_STREQ(b->label, e->label);
	}
	for (size_t i = 0; i < ARRAY_SIZE(uwant); i++) {
		const struct ctrace_recdesc *d = ctrace_urec_desc(uwant[i].type);

		ends += !!(d->flags & CTRACE_RD_END);
		EXPECT_EQ(!!(d->flags & (CTRACE_RD_BEGIN | CTRACE_RD_END)), !!d->pair);
	}
	EXPECT_EQ(ARRAY_SIZE(begins), ends);
}

TEST(unknown_types_have_stand_ins)
{
	const struct ctrace_recdesc *d;

	EXPECT_EQ(NULL, ctrace_krec_desc(0));
	EXPECT_EQ(NULL, ctrace_krec_desc(256));
	for (unsigned int t = __CTRACE_KREC_MAX; t < 256; t++) {
		d = ctrace_krec_desc(t);
		ASSERT_NE(NULL, d);
		EXPECT_TRUE(d->flags & CTRACE_RD_UNKNOWN);
		EXPECT_TRUE(d->flags & CTRACE_RD_EVENT);
		EXPECT_TRUE(ctrace_rd_size_ok(d, 8));
		EXPECT_TRUE(ctrace_rd_size_ok(d, 255 * 8));
		EXPECT_STREQ("unknown", d->label);
	}

	EXPECT_EQ(NULL, ctrace_urec_desc(0));
	for (unsigned int t = CTRACE_FREC_CORRUPT + 1; t < 300; t++) {
		EXPECT_EQ(NULL, ctrace_urec_desc(t));
	}
	for (unsigned int t = __CTRACE_UREC_MAX; t < CTRACE_FREC_CORRUPT; t++) {
		d = ctrace_urec_desc(t);
		ASSERT_NE(NULL, d);
		EXPECT_TRUE(d->flags & CTRACE_RD_UNKNOWN);
		EXPECT_TRUE(d->flags & CTRACE_RD_EVENT);
		EXPECT_FALSE(ctrace_rd_size_ok(d, 8));
		EXPECT_TRUE(ctrace_rd_size_ok(d, 16));
		EXPECT_NE(NULL, d->id);	/* 0 or a known string, as others */
	}
}

/* An event over @rec, as the cursor returns it. */
static struct ctrace_event ev_of(uint16_t kind, const void *rec, size_t size)
{
	const struct ctrace_krec *k = rec;
	const struct ctrace_urec *u = rec;

	return (struct ctrace_event){
		.kind = kind,
		.type = kind == CTRACE_RING_USER ? u->type : k->type,
		.size = size,
		.rec = rec,
	};
}

TEST(event_helpers_on_kernel_records)
{
	struct ctrace_krec_switch sw = {
		.h = { .type = CTRACE_KREC_SWITCH, .size = 2 },
		.prev_tid = 10, .next_tid = 0,
	};
	struct {
		struct ctrace_krec_exec e;
		char file[8];
	} ex = {
		.e = { .h = { .type = CTRACE_KREC_EXEC, .size = 5 },
		       .tid = 7, .old_tid = 9, .comm = "sh" },
		.file = "/bin/sh",
	};
	struct ctrace_krec_fork fk = {
		.h = { .type = CTRACE_KREC_FORK, .size = 5 },
		.parent_tid = 1, .child_tid = 2, .child_tgid = 1, .comm = "kid",
	};
	struct ctrace_krec_rename rn = {
		.h = { .type = CTRACE_KREC_RENAME, .size = 4 },
		.tid = 3, .tgid = 4, .comm = "new",
	};
	struct ctrace_event ev;
	struct ctrace_rd_thread th;
	uint32_t tids[CTRACE_RD_MAX_TIDS], tid = 0;

	ev = ev_of(CTRACE_RING_KERNEL, &sw, sizeof(sw));
	EXPECT_TRUE(ctrace_event_actor(&ev, &tid));
	EXPECT_EQ(10, tid);
	ASSERT_EQ(2, ctrace_event_tids(&ev, 0, tids));
	EXPECT_EQ(10, tids[0]);
	EXPECT_EQ(0, tids[1]);		/* the idle task is a thread too */
	EXPECT_EQ(0, ctrace_event_tids(&ev, CTRACE_ARG_TRACED, tids));
	EXPECT_FALSE(ctrace_event_thread(&ev, &th));
	/* The dumper's ring holds kernel records too. */
	ev.kind = CTRACE_RING_DUMPER;
	EXPECT_EQ(2, ctrace_event_tids(&ev, 0, tids));
	ev.kind = 99;
	EXPECT_EQ(NULL, ctrace_event_desc(&ev));
	EXPECT_EQ(0, ctrace_event_tids(&ev, 0, tids));

	/* EXEC: old_tid names no thread; after it, tid leads its process. */
	ev = ev_of(CTRACE_RING_KERNEL, &ex, sizeof(ex));
	ASSERT_EQ(1, ctrace_event_tids(&ev, 0, tids));
	EXPECT_EQ(7, tids[0]);
	ASSERT_TRUE(ctrace_event_thread(&ev, &th));
	EXPECT_EQ(7, th.tid);
	EXPECT_EQ(7, th.tgid);
	EXPECT_STREQ("sh", th.comm);
	EXPECT_STREQ("/bin/sh", (const char *)ev.rec +
		     ctrace_rd_find(ctrace_event_desc(&ev), CTRACE_RD_TAIL, 0)->off);

	/* FORK names its child, with the child's process. */
	ev = ev_of(CTRACE_RING_KERNEL, &fk, sizeof(fk));
	ASSERT_TRUE(ctrace_event_thread(&ev, &th));
	EXPECT_EQ(2, th.tid);
	EXPECT_EQ(1, th.tgid);
	EXPECT_STREQ("kid", th.comm);
	ASSERT_EQ(1, ctrace_event_tids(&ev, CTRACE_ARG_TRACED, tids));
	EXPECT_EQ(1, tids[0]);

	/* RENAME: about a thread, not done by one the record names. */
	ev = ev_of(CTRACE_RING_KERNEL, &rn, sizeof(rn));
	EXPECT_FALSE(ctrace_event_actor(&ev, &tid));
	ASSERT_TRUE(ctrace_event_thread(&ev, &th));
	EXPECT_EQ(3, th.tid);
	EXPECT_EQ(4, th.tgid);
}

TEST(event_helpers_on_user_records)
{
	struct ctrace_urec_id64 reg = {
		.h = { .tid = 5, .type = CTRACE_UREC_REGION_BEGIN, .size = 3 },
		.v = 77,
	};
	struct ctrace_urec_thread th = {
		.h = { .tid = 6, .type = CTRACE_UREC_THREAD, .size = 5 },
		.tgid = 2, .name = "worker",
	};
	struct ctrace_frec_corrupt c = {
		.type = CTRACE_FREC_CORRUPT, .size = 3, .bytes = 64,
	};
	struct ctrace_urec newer = { .tid = 8, .type = 150, .size = 2 };
	struct ctrace_rd_thread t;
	struct ctrace_event ev;
	uint32_t tids[CTRACE_RD_MAX_TIDS], tid;
	uint64_t task = 0;

	ev = ev_of(CTRACE_RING_USER, &reg, sizeof(reg));
	EXPECT_TRUE(ctrace_event_actor(&ev, &tid));
	EXPECT_EQ(5, tid);
	EXPECT_TRUE(ctrace_event_task(&ev, &task));
	EXPECT_EQ(77, task);
	/* The same region without its optional task. */
	ev.size = sizeof(struct ctrace_urec);
	EXPECT_FALSE(ctrace_event_task(&ev, &task));

	ev = ev_of(CTRACE_RING_USER, &th, sizeof(th));
	ASSERT_TRUE(ctrace_event_thread(&ev, &t));
	EXPECT_EQ(6, t.tid);
	EXPECT_EQ(2, t.tgid);
	EXPECT_STREQ("worker", t.comm);

	/* CORRUPT bytes were written by no one in particular. */
	ev = ev_of(CTRACE_RING_USER, &c, sizeof(c));
	EXPECT_FALSE(ctrace_event_actor(&ev, &tid));
	EXPECT_EQ(0, ctrace_event_tids(&ev, 0, tids));

	/* A newer library's record still has its writer. */
	ev = ev_of(CTRACE_RING_USER, &newer, sizeof(newer));
	ASSERT_EQ(1, ctrace_event_tids(&ev, 0, tids));
	EXPECT_EQ(8, tids[0]);
}

TEST(thread_states)
{
	for (unsigned int s = CTRACE_STATE_UNKNOWN; s <= CTRACE_STATE_DEAD; s++) {
		EXPECT_NE(NULL, ctrace_state_desc(s)->name);
		EXPECT_EQ(1, strlen(ctrace_state_desc(s)->code));
	}
	EXPECT_STREQ("?", ctrace_state_desc(CTRACE_STATE_UNKNOWN)->code);
	EXPECT_STREQ("R", ctrace_state_desc(CTRACE_STATE_RUNNABLE)->code);
	EXPECT_STREQ("uninterruptible", ctrace_state_desc(CTRACE_STATE_BLOCKED)->name);
	EXPECT_STREQ("D", ctrace_state_desc(CTRACE_STATE_BLOCKED)->code);
	EXPECT_STREQ("X", ctrace_state_desc(CTRACE_STATE_DEAD)->code);
	EXPECT_STREQ("unknown", ctrace_state_desc(CTRACE_STATE_DEAD + 1)->name);
	EXPECT_STREQ("?", ctrace_state_desc(CTRACE_STATE_DEAD + 1)->code);
}

TEST_HARNESS_MAIN
