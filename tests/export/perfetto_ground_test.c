// SPDX-License-Identifier: GPL-2.0
/*
 * The Perfetto exporter against the ground-truth recordings of
 * tests/ground/record.sh (the directory comes in CTRACE_GROUND): each
 * recording is exported in-process and read back with the independent
 * reader (tests/unit/perfetto_reader.h), which checks the wire format,
 * sequence flags, interning, and that slices nest on every track.
 *
 *   every recording  the counts of what went out equal the counts of
 *                    the records that came in, counted here with the
 *                    cursor: switches, wakings, forks, renames, exits,
 *                    dead switches, clock snapshots, regions and tasks
 *                    begun, logs, counters, flows, lost events; the
 *                    same counted in protoc's decoding, with our schema,
 *                    which must know every field that went out; every
 *                    thread named at its first switch and grouped
 *                    under the process the source says it is in
 *   uevents          the inner region inside the outer on the main
 *                    thread's track, asleep there (the kernel's switch,
 *                    on the same timeline); the flow from the main
 *                    thread to the worker; the task across both
 *   regions          10 "sleepy" and 10 "spinny" slices whose durations
 *                    add up to what the program measured; the sleepy
 *                    ones hold a sleep, the spinny ones none
 *   pingpong         the two threads of one process, bouncing
 *   lossy            losses marked where they are, every one counted
 *   pipeline         20 requests: 20 task slices, 20 flows, each from
 *                    the producer to another thread
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "export.h"
#include "perfetto_reader.h"

#define MS 1000000ull

/* What the source holds, counted with the cursor. */
struct src {
	uint64_t switches, wakings, wakeup_new, forks, renames, exits, dead;
	uint64_t clocks, lost_records, lost;
	uint64_t regions, tasks, logs, counters, flows, flow_ends;
};

struct ground {
	struct ctrace_trace *t;
	struct src src;
	unsigned char *out;
	size_t len;
	int rc;
	struct pr_trace pr;
	int decoded;
	char kernel[64];
};

static void count_krec(struct src *s, const struct ctrace_event *ev)
{
	switch (ev->type) {
	case CTRACE_KREC_CLOCK:
		s->clocks++;
		break;
	case CTRACE_KREC_LOST: {
		struct ctrace_krec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		s->lost_records++;
		s->lost += k.count;
		break;
	}
	}
	if (ev->kind != CTRACE_RING_KERNEL)
		return;
	switch (ev->type) {
	case CTRACE_KREC_SWITCH:
		s->switches++;
		s->dead += (ev->aux & CTRACE_SWITCH_STATE_MASK) == CTRACE_STATE_DEAD;
		break;
	case CTRACE_KREC_WAKEUP:
		if (ev->aux & CTRACE_WAKEUP_F_NEW)
			s->wakeup_new++;
		else
			s->wakings++;
		break;
	case CTRACE_KREC_FORK:
		s->forks++;
		break;
	case CTRACE_KREC_EXEC:
	case CTRACE_KREC_RENAME:
		s->renames++;
		break;
	case CTRACE_KREC_EXIT:
		s->exits++;
		break;
	}
}

static void count_urec(struct src *s, const struct ctrace_event *ev)
{
	struct ctrace_urec h;

	memcpy(&h, ev->rec, sizeof(h));
	switch (h.type) {
	case CTRACE_UREC_REGION_BEGIN:
		s->regions++;
		break;
	case CTRACE_UREC_TASK_BEGIN:
		s->tasks++;
		break;
	case CTRACE_UREC_LOG:
		s->logs++;
		break;
	case CTRACE_UREC_COUNTER:
	case CTRACE_UREC_COUNTER_F:
		s->counters++;
		break;
	case CTRACE_UREC_FLOW_BEGIN:
		s->flows++;
		break;
	case CTRACE_UREC_FLOW_END:
		s->flow_ends++;
		break;
	case CTRACE_UREC_LOST: {
		struct ctrace_urec_lost k;

		memcpy(&k, ev->rec, sizeof(k));
		s->lost_records++;
		s->lost += k.total;
		break;
	}
	}
}

/* Open NAME.trace of the ground directory, count it, export it, read it
 * back.  0, or -1 when there is no such recording. */
static int load(const char *name, struct ground *g)
{
	const char *dir = getenv("CTRACE_GROUND");
	struct ctrace_export_opts o = { .err = stderr };
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	char path[4096], err[256];
	FILE *f;

	memset(g, 0, sizeof(*g));
	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/kernel", dir);
	f = fopen(path, "r");
	if (f) {
		if (fgets(g->kernel, sizeof(g->kernel), f))
			g->kernel[strcspn(g->kernel, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s.trace", dir, name);
	if (ctrace_trace_open(path, &g->t, err, sizeof(err)))
		return -1;
	if (ctrace_cursor_new(g->t, &c))
		return -1;
	while (ctrace_cursor_next(c, &ev) > 0) {
		if (ev.kind == CTRACE_RING_USER)
			count_urec(&g->src, &ev);
		else
			count_krec(&g->src, &ev);
	}
	ctrace_cursor_free(c);
	o.out = open_memstream((char **)&g->out, &g->len);
	g->rc = ctrace_export_perfetto(&g->t, (const char *const[]){ name }, 1, &o);
	fclose(o.out);
	g->decoded = pr_decode(g->out, g->len, &g->pr);
	if (!g->decoded && pr_slices(&g->pr))
		g->decoded = -1;
	return 0;
}

static void unload(struct ground *g)
{
	pr_free(&g->pr);
	free(g->out);
	ctrace_trace_close(g->t);
}

/* NAME.info's numbers. */
static int info(const char *name, unsigned long long *v, int n)
{
	char path[4096];
	int got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.info", getenv("CTRACE_GROUND"), name);
	f = fopen(path, "r");
	while (f && got < n && fscanf(f, "%llu", &v[got]) == 1)
		got++;
	if (f)
		fclose(f);
	return got;
}

#define LOAD_OR_SKIP(name, g) do {					\
	if (load(name, g))						\
		SKIP(return, "no %s.trace in CTRACE_GROUND", name);	\
	ASSERT_EQ(0, (g)->rc);						\
	ASSERT_EQ(0, (g)->decoded) TH_LOG("%s", (g)->pr.error);	\
} while (0)

static size_t slices_on(const struct ground *g, uint64_t track, const char *name,
			uint64_t *total)
{
	size_t n = 0;

	*total = 0;
	for (size_t i = 0; i < g->pr.nr_slices; i++) {
		const struct pr_slice *s = &g->pr.slices[i];

		if (s->track != track || strcmp(s->name, name))
			continue;
		n++;
		if (s->end != UINT64_MAX)
			*total += s->end - s->begin;
	}
	return n;
}

/* A switch-out of @tid into sleep (S) or uninterruptible (D) in the
 * slice's time, in BOOTTIME as trace_processor would convert it. */
static bool sleeps_in(const struct ground *g, const struct pr_slice *s, int32_t tid)
{
	uint64_t b = pr_mono_to_boot(&g->pr, 0, s->begin);
	uint64_t e = pr_mono_to_boot(&g->pr, 0, s->end);

	for (size_t i = 0; i < g->pr.nr_fevs; i++) {
		const struct pr_fev *f = &g->pr.fevs[i];

		if (f->field == PR_FT_SWITCH && f->pid == tid && f->ts >= b && f->ts <= e &&
		    (f->prev_state == 1 || f->prev_state == 2))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ all of them */

FIXTURE(rec) {};
FIXTURE_VARIANT(rec) {
	const char *name;
};
FIXTURE_VARIANT_ADD(rec, pingpong) { "pingpong" };
FIXTURE_VARIANT_ADD(rec, sleeper) { "sleeper" };
FIXTURE_VARIANT_ADD(rec, spinners) { "spinners" };
FIXTURE_VARIANT_ADD(rec, uevents) { "uevents" };
FIXTURE_VARIANT_ADD(rec, regions) { "regions" };
FIXTURE_VARIANT_ADD(rec, lossy) { "lossy" };
FIXTURE_VARIANT_ADD(rec, pipeline) { "pipeline" };
FIXTURE_SETUP(rec) {}
FIXTURE_TEARDOWN(rec) {}

TEST_F(rec, counts_match_the_source)
{
	uint64_t begins = 0, counters = 0, flows = 0, ends = 0, logs = 0, lost = 0;
	struct ground g;

	LOAD_OR_SKIP(variant->name, &g);
	EXPECT_STREQ("Linux", g.pr.sysname);
	EXPECT_STREQ(g.kernel, g.pr.release);
	/* The first packet is a ClockSnapshot; one per CLOCK record. */
	EXPECT_TRUE(g.pr.first_is_clock);
	EXPECT_EQ(g.src.clocks, g.pr.nr_clocks);

	EXPECT_EQ(g.src.switches, pr_count_fev(&g.pr, PR_FT_SWITCH));
	EXPECT_EQ(g.src.wakings, pr_count_fev(&g.pr, PR_FT_WAKING));
	EXPECT_EQ(g.src.wakeup_new, pr_count_fev(&g.pr, PR_FT_WAKEUP_NEW));
	EXPECT_EQ(g.src.forks, pr_count_fev(&g.pr, PR_FT_NEWTASK));
	EXPECT_EQ(g.src.renames, pr_count_fev(&g.pr, PR_FT_RENAME));
	EXPECT_EQ(g.src.exits, pr_count_fev(&g.pr, PR_FT_EXIT));
	EXPECT_EQ(g.src.dead, pr_count_fev(&g.pr, PR_FT_FREE));

	for (size_t i = 0; i < g.pr.nr_tes; i++) {
		const struct pr_te *e = &g.pr.tes[i];
		const struct pr_track *k = pr_track(&g.pr, e->track);

		begins += e->type == 1;
		counters += e->type == 4;
		flows += e->nr_flows;
		ends += e->nr_terminating;
		logs += e->has_message;
		if (k && !strncmp(k->name, "ctrace: losses", 14))
			lost += e->count;
	}
	EXPECT_EQ(g.src.regions + g.src.tasks, begins);
	EXPECT_EQ(g.src.counters, counters);
	EXPECT_EQ(g.src.flows, flows);
	EXPECT_EQ(g.src.flow_ends, ends);
	EXPECT_EQ(g.src.logs, logs);
	EXPECT_EQ(g.src.lost, lost);
	if (g.src.lost_records) {
		EXPECT_LE(1, g.pr.lost_bundles);
	}
	printf("# %s: %zu switches, %zu wakings, %llu slices, %llu counters, %llu flows, %llu lost; %zu packets, %zu bytes\n",
	       variant->name, pr_count_fev(&g.pr, PR_FT_SWITCH), pr_count_fev(&g.pr, PR_FT_WAKING),
	       (unsigned long long)begins, (unsigned long long)counters,
	       (unsigned long long)flows, (unsigned long long)lost,
	       (size_t)g.pr.packets, g.len);
	fflush(stdout);	/* the harness's child ends with _exit() */
	unload(&g);
}

/* The .proto: CTRACE_PERFETTO_PROTO, or next to this file's source. */
static void proto_path(char *dir, size_t len, char *file, size_t flen)
{
	const char *p = getenv("CTRACE_PERFETTO_PROTO");
	const char *slash;

	if (!p)
		p = __FILE__;
	slash = strrchr(p, '/');
	snprintf(dir, len, "%.*s", slash ? (int)(slash - p) : 1, slash ? p : ".");
	snprintf(file, flen, "%s", getenv("CTRACE_PERFETTO_PROTO") ? slash + 1 :
		 "ctrace_perfetto.proto");
}

/*
 * protoc (Debian's protobuf-compiler) decodes the export with our own
 * schema, knows every field in it, and counts what the source holds.
 */
TEST_F(rec, protoc_counts_match)
{
	static const char *const keys[] = {
		"sched_switch {", "sched_waking {", "sched_wakeup_new {",
		"type: TYPE_SLICE_BEGIN", "type: TYPE_COUNTER", "flow_ids:",
		"terminating_flow_ids:", "clock_snapshot {", "task_newtask {",
	};
	uint64_t n[9] = { 0 }, unknown = 0;
	char tmp[] = "/tmp/ctrace-pf-XXXXXX", dir[4096], file[256], cmd[8800], line[1024];
	struct ground g;
	FILE *f;
	int fd;

	if (system("command -v protoc > /dev/null 2>&1"))
		SKIP(return, "no protoc (Debian's protobuf-compiler)");
	LOAD_OR_SKIP(variant->name, &g);
	fd = mkstemp(tmp);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)g.len, write(fd, g.out, g.len));
	close(fd);
	proto_path(dir, sizeof(dir), file, sizeof(file));
	snprintf(cmd, sizeof(cmd), "protoc --proto_path='%s' --decode=perfetto.protos.Trace '%s' < %s 2>&1",
		 dir, file, tmp);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		const char *l = line + strspn(line, " ");

		/* a field the schema lacks comes out as its number */
		if ((*l >= '0' && *l <= '9') || strstr(l, "libprotobuf") || strstr(l, "Failed")) {
			if (!unknown++)
				TH_LOG("protoc: %s", line);
		}
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			n[k] += !strncmp(l, keys[k], strlen(keys[k]));
	}
	EXPECT_EQ(0, pclose(f));
	unlink(tmp);
	EXPECT_EQ(0, unknown);
	EXPECT_EQ(g.src.switches, n[0]);
	EXPECT_EQ(g.src.wakings, n[1]);
	EXPECT_EQ(g.src.wakeup_new, n[2]);
	EXPECT_EQ(g.src.regions + g.src.tasks, n[3]);
	EXPECT_EQ(g.src.counters, n[4]);
	EXPECT_EQ(g.src.flows, n[5]);
	EXPECT_EQ(g.src.flow_ends, n[6]);
	EXPECT_EQ(g.src.clocks, n[7]);
	EXPECT_EQ(g.src.forks, n[8]);
	unload(&g);
}

/*
 * Every thread the source names is named at its first switch (never the
 * "<tid>" we write when nothing names it), and sits under the process the
 * source says: listed so in the ProcessTree, or created by a task_newtask.
 */
TEST_F(rec, threads_named_and_grouped)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	struct ground g;
	unsigned int grouped = 0;

	LOAD_OR_SKIP(variant->name, &g);
	ASSERT_EQ(0, ctrace_cursor_new(g.t, &c));
	while (ctrace_cursor_next(c, &ev) > 0)
		;
	for (size_t i = 0; i < g.pr.nr_fevs; i++) {
		const struct pr_fev *f = &g.pr.fevs[i];
		int32_t tids[2] = { f->pid, f->pid2 };
		const char *comms[2] = { f->comm, f->comm2 };

		if (f->field != PR_FT_SWITCH)
			continue;
		for (int k = 0; k < 2; k++) {
			const struct ctrace_thread *ct;
			bool tree = false, born = false;

			if (tids[k] <= 0 || (uint32_t)tids[k] >= 0x7fff0000u)
				continue;
			/* named wherever the source names it, at all (a loss
			 * may have taken the only record that did) */
			ct = ctrace_cursor_thread(c, (uint32_t)tids[k]);
			if (ct && ct->comm[0])
				EXPECT_NE('<', comms[k][0]) TH_LOG("tid %d unnamed", tids[k]);
			if (!ct || !ct->tgid)
				continue;
			for (size_t j = 0; j < g.pr.nr_tree; j++)
				if (!g.pr.tree[j].process && g.pr.tree[j].pid == tids[k])
					tree |= g.pr.tree[j].tgid == (int32_t)ct->tgid;
			/* bundles are per CPU: order by time, not place */
			for (size_t j = 0; j < g.pr.nr_fevs; j++)
				born |= g.pr.fevs[j].field == PR_FT_NEWTASK &&
					g.pr.fevs[j].pid == tids[k] && g.pr.fevs[j].ts <= f->ts;
			EXPECT_TRUE(tree || born) TH_LOG("tid %d (process %u) not grouped",
							 tids[k], ct->tgid);
			grouped++;
		}
	}
	EXPECT_LT(0, grouped);
	ctrace_cursor_free(c);
	unload(&g);
}

/* ------------------------------------------------------------ each */

TEST(uevents)
{
	const struct pr_slice *outer = NULL, *inner = NULL, *job = NULL, *work = NULL;
	const struct pr_te *fb, *fe, *depth = NULL, *ratio = NULL;
	const struct pr_track *mt, *wt, *k;
	unsigned long long v[4];
	bool hello = false, n42 = false, newtask = false;
	struct ground g;

	LOAD_OR_SKIP("uevents", &g);
	ASSERT_EQ(4, info("uevents", v, 4));
	mt = pr_track_of(&g.pr, v[0], NULL);
	wt = pr_track_of(&g.pr, v[1], NULL);
	ASSERT_NE(NULL, mt);
	ASSERT_NE(NULL, wt);
	/* The worker is a thread of the main thread's process. */
	EXPECT_EQ((int32_t)v[0], mt->pid);
	EXPECT_EQ((int32_t)v[0], wt->pid);
	for (size_t i = 0; i < g.pr.nr_fevs; i++) {
		const struct pr_fev *f = &g.pr.fevs[i];

		if (f->field == PR_FT_NEWTASK && f->pid == (int32_t)v[1])
			newtask = f->common_pid == v[0] && (f->clone_flags & 0x00010000);
	}
	EXPECT_TRUE(newtask);

	for (size_t i = 0; i < g.pr.nr_slices; i++) {
		const struct pr_slice *s = &g.pr.slices[i];

		if (s->track == mt->uuid && !strcmp(s->name, "outer"))
			outer = s;
		if (s->track == mt->uuid && !strcmp(s->name, "inner"))
			inner = s;
		if (s->track == wt->uuid && !strcmp(s->name, "work"))
			work = s;
		if (!strcmp(s->name, "job"))
			job = s;
	}
	ASSERT_NE(NULL, outer);
	ASSERT_NE(NULL, inner);
	ASSERT_NE(NULL, work);
	ASSERT_NE(NULL, job);
	/* inner within outer, one deeper, both ended */
	EXPECT_EQ(1, outer->depth);
	EXPECT_EQ(2, inner->depth);
	EXPECT_NE(UINT64_MAX, outer->end);
	EXPECT_LE(outer->begin, inner->begin);
	EXPECT_GE(outer->end, inner->end);
	EXPECT_LT(inner->begin, inner->end);
	/* inner sleeps 20 ms: the kernel's switch-out lies inside it */
	EXPECT_LE(20 * MS, inner->end - inner->begin);
	EXPECT_TRUE(sleeps_in(&g, inner, (int32_t)v[0]));
	/* the task: its own track under the process, spanning the work */
	k = pr_track(&g.pr, job->track);
	ASSERT_NE(NULL, k);
	ASSERT_NE(NULL, pr_track(&g.pr, k->parent));
	EXPECT_EQ(PR_TRACK_PROCESS, pr_track(&g.pr, k->parent)->kind);
	EXPECT_EQ((int32_t)v[0], pr_track(&g.pr, k->parent)->pid);
	EXPECT_TRUE(job->has_task && job->task == v[2]);
	EXPECT_TRUE(outer->has_task && outer->task == v[2]);
	EXPECT_TRUE(work->has_task && work->task == v[2]);
	EXPECT_LE(job->begin, outer->begin);
	EXPECT_GE(job->end, work->end);

	for (size_t i = 0; i < g.pr.nr_tes; i++) {
		const struct pr_te *e = &g.pr.tes[i];

		if (e->type == 4 && e->has_int)
			depth = e;
		if (e->type == 4 && e->has_double)
			ratio = e;
		hello |= e->has_message && !strcmp(e->message, "hello") &&
			 !strcmp(e->category, "cat") && e->track == mt->uuid;
		n42 |= e->has_message && !strcmp(e->message, "n=42") && e->track == wt->uuid;
	}
	/* the flow: from the main thread to the worker, after outer */
	fb = pr_flow(&g.pr, 0, &fe);
	ASSERT_NE(NULL, fb);
	ASSERT_NE(NULL, fe);
	EXPECT_EQ(mt->uuid, fb->track);
	EXPECT_EQ(wt->uuid, fe->track);
	EXPECT_STREQ("handoff", fb->name);
	EXPECT_LT(fb->ts, fe->ts);
	EXPECT_LE(outer->end, fb->ts);
	ASSERT_NE(NULL, depth);
	ASSERT_NE(NULL, ratio);
	EXPECT_EQ(2, depth->ivalue);
	EXPECT_TRUE(ratio->dvalue == 0.5);
	EXPECT_TRUE(hello);
	EXPECT_TRUE(n42);
	unload(&g);
}

TEST(regions)
{
	uint64_t sleepy, spinny;
	unsigned long long v[3];
	const struct pr_track *th;
	struct ground g;
	size_t rounds = 0;

	LOAD_OR_SKIP("regions", &g);
	ASSERT_EQ(3, info("regions", v, 3));
	th = pr_track_of(&g.pr, v[0], NULL);
	ASSERT_NE(NULL, th);
	EXPECT_EQ(10, slices_on(&g, th->uuid, "sleepy", &sleepy));
	EXPECT_EQ(10, slices_on(&g, th->uuid, "spinny", &spinny));
	/* The program measured around its calls: a little more than the
	 * records' times, never less; 1 ms of slack per region. */
	EXPECT_LE(sleepy, v[1]);
	EXPECT_LE(spinny, v[2]);
	EXPECT_GE(sleepy + 10 * MS, v[1]);
	EXPECT_GE(spinny + 10 * MS, v[2]);
	for (size_t i = 0; i < g.pr.nr_slices; i++) {
		const struct pr_slice *s = &g.pr.slices[i];

		if (s->track != th->uuid)
			continue;
		EXPECT_EQ(1, s->depth);
		if (!strcmp(s->name, "sleepy")) {
			EXPECT_TRUE(sleeps_in(&g, s, (int32_t)v[0]));
		} else {
			EXPECT_FALSE(sleeps_in(&g, s, (int32_t)v[0]));
		}
	}
	for (size_t i = 0; i < g.pr.nr_slices; i++)
		rounds += !strcmp(g.pr.slices[i].name, "round");
	EXPECT_EQ(10, rounds);
	unload(&g);
}

TEST(pingpong)
{
	unsigned long long v[4];
	size_t between = 0, sleeps = 0;
	bool thread = false, renamed = false;
	struct ground g;

	LOAD_OR_SKIP("pingpong", &g);
	ASSERT_EQ(4, info("pingpong", v, 4));
	for (size_t i = 0; i < g.pr.nr_fevs; i++) {
		const struct pr_fev *f = &g.pr.fevs[i];

		if (f->field == PR_FT_NEWTASK && f->pid == (int32_t)v[3])
			thread = f->common_pid == v[2] && (f->clone_flags & 0x00010000);
		if (f->field == PR_FT_RENAME && f->pid == (int32_t)v[2] &&
		    !strcmp(f->comm2, "pp-begin"))
			renamed = true;
		if (f->field != PR_FT_SWITCH)
			continue;
		if ((f->pid == (int32_t)v[2] || f->pid == (int32_t)v[3]) &&
		    (f->pid2 == (int32_t)v[2] || f->pid2 == (int32_t)v[3] || f->pid2 == 0))
			between++;
		sleeps += (f->pid == (int32_t)v[2] || f->pid == (int32_t)v[3]) &&
			  f->prev_state == 1;
	}
	EXPECT_TRUE(thread);
	EXPECT_TRUE(renamed);
	/* 2000 round trips: each thread blocks on its pipe 2000 times. */
	EXPECT_LE(4000, between);
	EXPECT_LE(4000, sleeps);
	unload(&g);
}

TEST(lossy)
{
	size_t marks = 0;
	struct ground g;

	LOAD_OR_SKIP("lossy", &g);
	ASSERT_LT(0, g.src.lost_records);
	for (size_t i = 0; i < g.pr.nr_tes; i++) {
		const struct pr_track *k = pr_track(&g.pr, g.pr.tes[i].track);

		if (k && !strncmp(k->name, "ctrace: losses, cpu ", 20))
			marks += g.pr.tes[i].type == 3;
	}
	/* one mark per LOST record at least (gaps add theirs) */
	EXPECT_LE(g.src.lost_records, marks);
	EXPECT_LE(1, g.pr.lost_bundles);
	/* what survived the losses still went out */
	EXPECT_LT(0, g.src.switches);
	EXPECT_EQ(g.src.switches, pr_count_fev(&g.pr, PR_FT_SWITCH));
	unload(&g);
}

TEST(pipeline)
{
	size_t requests = 0, flows = 0;
	struct ground g;

	LOAD_OR_SKIP("pipeline", &g);
	for (size_t i = 0; i < g.pr.nr_slices; i++) {
		const struct pr_slice *s = &g.pr.slices[i];

		if (strcmp(s->name, "request"))
			continue;
		requests++;
		EXPECT_NE(UINT64_MAX, s->end);
	}
	EXPECT_EQ(20, requests);
	for (const struct pr_te *b, *e; (b = pr_flow(&g.pr, flows, &e)); flows++) {
		const struct pr_track *from = pr_track(&g.pr, b->track);
		const struct pr_track *to = e ? pr_track(&g.pr, e->track) : NULL;

		ASSERT_NE(NULL, from);
		ASSERT_NE(NULL, to);
		EXPECT_STREQ("producer", from->name);
		EXPECT_NE(from->tid, to->tid);
		EXPECT_EQ(from->pid, to->pid);
	}
	EXPECT_EQ(20, flows);
	unload(&g);
}

TEST_HARNESS_MAIN
