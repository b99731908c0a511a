// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder's user ring sets: draining what programs wrote.
 *
 * With the module, the session's meta area holds a table of ring sets
 * (one per user it traces); a new entry (uset_gen changes) is mapped and
 * gets a USET chunk.  Without it (user-only mode), the recorder creates one
 * ring set in a memfd, control page first, and sets enabled itself; the
 * traced command inherits it through CTRACE_USER_FD (ctrace-dump), or the
 * library maps it in its own process (ctrace_start()).
 *
 * Everything in a ring set may have been written by any process of its
 * user, so nothing read from it is trusted: the layout is taken once from
 * the kernel's table (or from our own memfd before the command runs), each
 * drain reads every ring's prod once, and the records go through
 * tracefile's sanitiser (ctrace_usan_run) before they reach the file.
 *
 * Per drain and ring set: load-acquire every prod [U1], then read the
 * string table (an event's names are published before its commit), then
 * the records up to those prods, then store-release our consumer
 * positions [U2].
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "barrier.h"
#include "ctrace_map.h"
#include "recorder.h"
#include "uset_map.h"

#define USETS_MAX	64
/* Timestamps a little past "now" still belong: CPUs' clocks differ. */
#define TS_SLACK_NS	10000000ull

struct uring_state {
	uint64_t cons;			/* where we are in the ring */
	uint64_t seq;			/* events and lost before the next chunk */
	bool started;			/* records from before the session skipped */
	struct ctrace_usan san;
	uint32_t lock_tid;		/* F_LOCKED: a lock word seen held */
	uint64_t chunks;
	uint64_t lost_base;		/* the ring's lost count when we started */
};

struct uset_view {
	uint32_t index;			/* its number in the file */
	uint8_t *base;
	uint64_t map_size;
	struct ctrace_uset h;		/* the layout: checked, taken once */
	struct ctrace_uring *rings;
	struct ctrace_ring_cons *cons;
	const uint8_t *strings;
	const uint8_t *data;
	struct ctrace_ustrtab tab;
	struct uring_state *rs;
	uint8_t *out;			/* sanitised records */
	uint8_t *strbuf;		/* new string entries, for a chunk */
	size_t strlen, strcap;
	uint32_t strcount;
	uint64_t snapshot_req;		/* the header's, as last seen */
	const char *trig_name;		/* the region trigger's NAME... */
	uint32_t trig_id;		/* ...and its string ID here, once seen */
};

/* A thread a user THREAD record named: a flight recorder says it again. */
struct named_thread {
	uint32_t tid, tgid;
	char name[CTRACE_COMM_LEN];
};

struct user_sets {
	struct uset_view *v[USETS_MAX];
	/* flight recorder, user-only mode: every thread named so far */
	struct ctrace_map named_map;
	struct named_thread *named;
	uint32_t nr_named, cap_named;
	uint32_t n;
	uint64_t fullest;		/* most bytes found in a ring, last drain */
	uint64_t disputed;		/* THREAD claims the kernel contradicts */
	uint64_t drained_ms, prev_drained_ms;	/* CLOCK_MONOTONIC of drains */
	uint64_t gen;			/* the session table's uset_gen, seen */
	uint64_t start_ts;		/* the session clock before it started */
	/* user-only mode */
	int memfd;
	struct ctrace_user_ctl *ctl;
	uint64_t dumper_seq, dumper_ts;
};

static uint64_t monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint64_t ts_slack(const struct recorder *d)
{
	/* In TSC units, take 4 per ns: more than any CPU's rate. */
	return d->clock == CTRACE_CLOCK_TSC ? 4 * TS_SLACK_NS : TS_SLACK_NS;
}

static void view_free(struct uset_view *v)
{
	if (!v)
		return;
	if (v->base)
		munmap(v->base, v->map_size);
	free(v->rs);
	free(v->out);
	free(v->strbuf);
	free(v);
}

/* Start reading a mapped ring set; write its USET chunk. */
static int view_add(struct recorder *d, uint8_t *base, uint64_t map_size,
		    const struct ctrace_uset *h)
{
	struct user_sets *u = d->user;
	struct ctrace_uset_chunk uc;
	struct uset_view *v;

	if (u->n == USETS_MAX)
		return -ENOSPC;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->index = u->n;
	v->base = base;
	v->map_size = map_size;
	v->h = *h;
	v->rings = (struct ctrace_uring *)(base + h->rings_off);
	v->cons = (struct ctrace_ring_cons *)(base + h->cons_off);
	v->strings = base + h->strings_off;
	v->data = base + h->data_off;
	v->rs = calloc(h->nr_rings, sizeof(*v->rs));
	v->out = malloc(2 * h->data_size + 32);
	if (!v->rs || !v->out) {
		v->base = NULL;		/* the caller unmaps */
		view_free(v);
		return -ENOMEM;
	}
	/*
	 * Start where the last reader of this ring set stopped.  A ring set
	 * outlives sessions: its lost counts run from its creation, so LOST
	 * totals and the STATS we write count from what the last reader
	 * reported (lost_read), not from the count now: we may map the set
	 * after its writers began dropping for this session.  Writers drop
	 * only while a session is on, so what no reader reported is ours.
	 * Both words are the user's to write: never above the count.  And a
	 * CORRUPT record before any kept one is stamped with the recording's
	 * start.
	 */
	for (uint32_t i = 0; i < h->nr_rings; i++) {
		struct uring_state *rs = &v->rs[i];
		uint64_t lost, read;

		/* Pairs with the last reader's store-release [U2], which also
		 * publishes the lost_read it stored before it. */
		rs->cons = ctrace_load_acquire(&v->cons[i].cons);
		read = ctrace_load_relaxed(&v->cons[i].lost_read);
		lost = ctrace_load_relaxed(&v->rings[i].lost);
		rs->lost_base = read < lost ? read : lost;
		rs->san.lost_total = rs->lost_base;
		rs->san.last_ts = u->start_ts;
	}
	v->trig_name = d->fopts.on ? d->fopts.region : NULL;
	/* Requests made before we came are not ours to answer. */
	v->snapshot_req = ctrace_load_relaxed(&((struct ctrace_uset *)base)->snapshot_req);
	uc = (struct ctrace_uset_chunk){
		.index = v->index,
		.uid = h->uid,
		.nr_rings = h->nr_rings,
		.flags = h->flags,
		.data_size = h->data_size,
	};
	if (ctrace_writer_uset(recorder_keep_writer(d), &uc)) {
		v->base = NULL;
		view_free(v);
		return -EIO;
	}
	u->v[u->n++] = v;
	return 0;
}

/* Module mode: map the ring sets the session's table gained. */
static void scan_table(struct recorder *d)
{
	const struct ctrace_meta *m = d->rings->meta;
	struct user_sets *u = d->user;
	const struct ctrace_uset_desc *desc;
	uint64_t gen;

	if (!(m->features & CTRACE_META_F_USER_SETS))
		return;
	/* Pairs with the kernel's smp_store_release() of uset_gen (user.c):
	 * a new entry is filled in before it is counted. */
	gen = ctrace_load_acquire(&m->uset_gen);
	if (gen == u->gen)
		return;
	u->gen = gen;
	desc = (const void *)((const char *)m + m->uset_desc_off);
	for (uint32_t slot = u->n; slot < m->uset_desc_max && slot < USETS_MAX; slot++) {
		struct ctrace_uset h;
		uint8_t *base;

		/* Slots fill in order and are never reused in a session. */
		if (ctrace_load_relaxed(&desc[slot].state) != CTRACE_USET_DESC_ACTIVE)
			break;
		base = mmap(NULL, desc[slot].size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    d->devfd, desc[slot].off);
		if (base == MAP_FAILED)
			break;
		memcpy(&h, base, sizeof(h));
		if (!ctrace_uset_layout_ok(&h, desc[slot].size) ||
		    view_add(d, base, desc[slot].size, &h)) {
			fprintf(stderr, "ctrace: ring set of uid %u has a bad layout; not read\n",
				desc[slot].uid);
			munmap(base, desc[slot].size);
			break;
		}
	}
}

static int collect_string(uint32_t id, const char *s, uint16_t len, void *arg)
{
	struct uset_view *v = arg;
	struct ctrace_ustring e = { .id = id, .len = len };
	size_t size = sizeof(e) + ((len + 1 + 7) & ~7u);

	if (v->strlen + size > v->strcap) {
		size_t cap = v->strcap ? 2 * v->strcap : 4096;
		uint8_t *p;

		while (cap < v->strlen + size)
			cap *= 2;
		p = realloc(v->strbuf, cap);
		if (!p)
			return -ENOMEM;
		v->strbuf = p;
		v->strcap = cap;
	}
	if (v->trig_name && !v->trig_id && strlen(v->trig_name) == len &&
	    !memcmp(v->trig_name, s, len))
		v->trig_id = id;
	memcpy(v->strbuf + v->strlen, &e, sizeof(e));
	memcpy(v->strbuf + v->strlen + sizeof(e), s, len);
	memset(v->strbuf + v->strlen + sizeof(e) + len, 0, size - sizeof(e) - len);
	v->strlen += size;
	v->strcount++;
	return 0;
}

/* The ring's records from before this session: quietly skipped. */
static uint64_t skip_stale(const struct uset_view *v, const uint8_t *p,
			   uint64_t avail, uint64_t start_ts)
{
	uint64_t off = 0;

	while (avail - off >= sizeof(struct ctrace_urec)) {
		struct ctrace_urec h;

		memcpy(&h, p + off, sizeof(h));
		if (h.size < 2 || (uint64_t)h.size * 8 > avail - off || h.ts >= start_ts)
			break;
		off += h.size * 8;
	}
	(void)v;
	return off;
}

static int write_chunk(struct recorder *d, struct uset_view *v, uint32_t ring,
		       uint64_t pos, size_t len, const struct ctrace_usan *before)
{
	struct uring_state *rs = &v->rs[ring];
	struct ctrace_ring_chunk h = {
		.ring = v->index << 16 | ring,
		.kind = CTRACE_RING_USER,
		.seq_first = rs->seq,
		.pos = pos,
		.events = rs->san.events - before->events + rs->san.corrupt - before->corrupt,
		.lost = rs->san.lost - before->lost,
	};

	rs->seq += h.events + h.lost;
	rs->chunks++;
	return ctrace_writer_ring(d->w, &h, v->out, len);
}

/*
 * A writer holding a lock word (F_LOCKED) that has died leaves its ring
 * dropping everything; a lock held by the same thread at two drains, when
 * that thread no longer exists, is given back.
 */
static void unstick_lock(struct uset_view *v, uint32_t ring)
{
	uint32_t tid = ctrace_load_relaxed(&v->rings[ring].lock);
	char path[64];

	if (!tid || tid != v->rs[ring].lock_tid) {
		v->rs[ring].lock_tid = tid;
		return;
	}
	snprintf(path, sizeof(path), "/proc/%u", tid);
	/* Release, as a holder's unlock: pairs with the writers' acquiring
	 * compare-and-swap (tools/lib/write.c). */
	if (access(path, F_OK) && errno == ENOENT)
		__atomic_compare_exchange_n(&v->rings[ring].lock, &tid, 0, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	v->rs[ring].lock_tid = 0;
}

/* The threads these sanitised records name (user THREAD records). */
static void remember_names(struct user_sets *u, const uint8_t *recs, size_t len)
{
	for (size_t off = 0; off + sizeof(struct ctrace_urec_thread) <= len;) {
		struct ctrace_urec_thread t;
		struct named_thread *e;
		uint32_t i;

		memcpy(&t, recs + off, sizeof(t));
		if (t.h.size < 2 || (size_t)t.h.size * 8 > len - off)
			break;
		off += (size_t)t.h.size * 8;
		if (t.h.type != CTRACE_UREC_THREAD || t.h.size * 8 < sizeof(t) || !t.h.tid)
			continue;
		i = ctrace_map_get(&u->named_map, t.h.tid);
		if (i == CTRACE_MAP_NONE) {
			if (u->nr_named == u->cap_named) {
				uint32_t cap = u->cap_named ? 2 * u->cap_named : 64;
				void *p = realloc(u->named, cap * sizeof(*u->named));

				if (!p)
					return;
				u->named = p;
				u->cap_named = cap;
			}
			if (ctrace_map_put(&u->named_map, t.h.tid, u->nr_named))
				return;
			i = u->nr_named++;
		}
		e = &u->named[i];
		e->tid = t.h.tid;
		e->tgid = t.tgid;
		memcpy(e->name, t.name, sizeof(e->name));
	}
}

/*
 * A flight recorder's new generation, user-only mode (no kernel to
 * restate): every thread named so far, as THREAD records in the dumper's
 * ring, flagged SNAPSHOT | RESTATE, state unknown; so a window names the
 * threads whose own THREAD record it lost.
 */
int user_restate_threads(struct recorder *d)
{
	struct user_sets *u = d->user;
	struct ctrace_krec_thread *recs;
	struct ctrace_ring_chunk h;
	int err;

	if (!u || !d->user_only || !u->nr_named)
		return 0;
	recs = calloc(u->nr_named, sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	/* At the time of the CLOCK record just before: the chunk's ts_base
	 * gives the high half, and the ring's time does not go back. */
	for (uint32_t i = 0; i < u->nr_named; i++) {
		recs[i].h = (struct ctrace_krec){ .type = CTRACE_KREC_THREAD,
						  .size = sizeof(*recs) / 8,
						  .aux = CTRACE_STATE_UNKNOWN,
						  .ts_lo = (uint32_t)u->dumper_ts };
		recs[i].tid = u->named[i].tid;
		recs[i].tgid = u->named[i].tgid;
		recs[i].cpu = UINT32_MAX;
		recs[i].flags = CTRACE_THREAD_F_SNAPSHOT | CTRACE_THREAD_F_RESTATE;
		memcpy(recs[i].comm, u->named[i].name, CTRACE_COMM_LEN);
	}
	h = (struct ctrace_ring_chunk){
		.ring = 0,
		.kind = CTRACE_RING_DUMPER,
		.seq_first = u->dumper_seq,
		.ts_base = u->dumper_ts,
		.events = u->nr_named,
	};
	u->dumper_seq += u->nr_named;
	err = ctrace_writer_ring(d->w, &h, recs, (size_t)u->nr_named * sizeof(*recs));
	free(recs);
	return err;
}

/*
 * Is a user THREAD record's claim (thread @tid of process @tgid) what the
 * kernel says?  From /proc: the dumper runs in the initial PID namespace,
 * as the session's IDs are counted (session.c refuses others).  The tid
 * must be a thread of @tgid, run by @uid (the ring set's user: any of its
 * real, effective, saved or fs IDs).  A thread already gone cannot be
 * asked: 0, as for a claim that holds; 1 when it does not.
 */
static int claim_disputed(uint32_t tid, uint32_t tgid, uint32_t uid)
{
	unsigned int tg = 0, u[4];
	bool have_tg = false, have_uid = false;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Tgid:", 5))
			have_tg = sscanf(line + 5, "%u", &tg) == 1;
		else if (!strncmp(line, "Uid:", 4))
			have_uid = sscanf(line + 4, "%u %u %u %u",
					  &u[0], &u[1], &u[2], &u[3]) == 4;
	}
	fclose(f);
	if (!have_tg || !have_uid)
		return 0;
	return tg != tgid || (u[0] != uid && u[1] != uid && u[2] != uid && u[3] != uid);
}

/*
 * Module mode: mark the sanitised THREAD records whose claim the kernel's
 * view contradicts (CTRACE_UTHREAD_F_DISPUTED), so that readers take no
 * name from them.  Only a record's flags change, which the sanitiser
 * checked were 0; the sizes were checked there too.
 */
static uint64_t check_claims(const struct uset_view *v, uint8_t *recs, size_t len)
{
	uint64_t disputed = 0;

	for (size_t off = 0; off + sizeof(struct ctrace_urec) <= len;) {
		struct ctrace_urec_thread t;
		size_t size = (size_t)recs[off + offsetof(struct ctrace_urec, size)] * 8;

		if (size < sizeof(struct ctrace_urec) || size > len - off)
			break;
		if (recs[off + offsetof(struct ctrace_urec, type)] == CTRACE_UREC_THREAD &&
		    size == sizeof(t)) {
			memcpy(&t, recs + off, sizeof(t));
			if (t.h.tid && claim_disputed(t.h.tid, t.tgid, v->h.uid)) {
				t.flags |= CTRACE_UTHREAD_F_DISPUTED;
				memcpy(recs + off, &t, sizeof(t));
				disputed++;
			}
		}
		off += size;
	}
	return disputed;
}

static int drain_view(struct recorder *d, struct uset_view *v)
{
	uint64_t prods[1024], *prod = prods, now;
	uint32_t nr = v->h.nr_rings;
	int err = 0;

	if (nr > 1024) {
		prod = malloc(nr * sizeof(*prod));
		if (!prod)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < nr; i++)
		prod[i] = ctrace_load_acquire(&v->rings[i].prod);	/* [U1] */
	/* ctrace_snapshot(): only a change counts (the value is the
	 * program's to write, so nothing else is read into it); the
	 * snapshot is taken after this drain, so it holds what came first. */
	now = ctrace_load_relaxed(&((struct ctrace_uset *)v->base)->snapshot_req);
	if (now != v->snapshot_req) {
		v->snapshot_req = now;
		recorder_trigger(d, "ctrace_snapshot()");
	}
	/* Strings after the prods: an event's names come before its commit.
	 * strings_pos only bounds the scan; each entry's id (read, then an
	 * acquire fence) says it is written. */
	v->strlen = v->strcount = 0;
	err = ctrace_ustrtab_scan(&v->tab, v->strings, v->h.strings_size,
				  ctrace_load_acquire(&((struct ctrace_uset *)v->base)->strings_pos),
				  collect_string, v);
	if (err >= 0 && v->strcount)
		err = ctrace_writer_strings(recorder_keep_writer(d), v->index, v->strcount, v->strbuf, v->strlen);
	if (err < 0)
		goto out;
	now = recorder_clock_now(d) + ts_slack(d);

	for (uint32_t i = 0; i < nr && !err; i++) {
		struct uring_state *rs = &v->rs[i];
		const uint8_t *ring = v->data + 2 * (uint64_t)i * v->h.data_size;
		uint64_t c = rs->cons, avail = prod[i] - c;
		struct ctrace_usan before = rs->san;
		size_t n = 0;

		if (avail <= v->h.data_size && avail > d->user->fullest)
			d->user->fullest = avail;
		if (v->h.flags & CTRACE_USET_F_LOCKED)
			unstick_lock(v, i);
		if (avail > v->h.data_size) {
			/*
			 * prod jumped ahead (skip the bytes it jumped) or went
			 * back (nothing to skip, but what the ring held unread
			 * is gone): continue from it, and say so.
			 */
			n = ctrace_usan_skipped(&rs->san, prod[i] > c ? prod[i] - c : 0,
						CTRACE_CORRUPT_POSITION, v->out);
			c = prod[i];
		} else if (avail) {
			if (!rs->started)
				c += skip_stale(v, ring + (c & (v->h.data_size - 1)), avail,
						d->user->start_ts);
			rs->started = true;
			n = ctrace_usan_run(&rs->san, &v->tab,
					    ring + (c & (v->h.data_size - 1)), prod[i] - c,
					    v->out, d->user->start_ts, now);
			c = prod[i];
		}
		rs->started = true;
		if (n && !d->user_only)
			d->user->disputed += check_claims(v, v->out, n);
		if (n && d->flight && d->user_only)
			remember_names(d->user, v->out, n);
		if (n && v->trig_id)
			trigger_regions(d, v->index, v->trig_id, v->out, n);
		if (n)
			err = write_chunk(d, v, i, rs->cons, n, &before);
		rs->cons = c;
		/* For the next reader (view_add()): published by [U2]. */
		ctrace_store_relaxed(&v->cons[i].lost_read, rs->san.lost_total);
		ctrace_store_release(&v->cons[i].cons, c);		/* [U2] */
	}
out:
	if (prod != prods)
		free(prod);
	return err < 0 ? err : 0;
}

/*
 * The last drain: drops after a ring's last record.  Writers report drops
 * in the LOST record they write with their next record that fits, so
 * drops at the very end have none; report them here, from the ring's own
 * count (the one STATS gives), as the kernel's rings do at stop.  Through
 * the sanitiser, like any record: the count is the program's to corrupt.
 */
static int flush_lost(struct recorder *d, struct uset_view *v)
{
	uint64_t now = recorder_clock_now(d) + ts_slack(d);
	int err = 0;

	for (uint32_t i = 0; i < v->h.nr_rings && !err; i++) {
		struct uring_state *rs = &v->rs[i];
		uint64_t lost = ctrace_load_relaxed(&v->rings[i].lost);
		struct ctrace_usan before = rs->san;
		struct ctrace_urec_lost rec;
		size_t n;

		if (lost <= rs->san.lost_total)
			continue;
		rec = (struct ctrace_urec_lost){
			.h = { .ts = rs->san.last_ts, .type = CTRACE_UREC_LOST,
			       .size = sizeof(rec) / 8 },
			.total = lost,
		};
		n = ctrace_usan_run(&rs->san, &v->tab, &rec, sizeof(rec), v->out,
				    d->user->start_ts, now);
		if (n)
			err = write_chunk(d, v, i, rs->cons, n, &before);
		/* The last drain: no [U2] follows, but the next reader maps
		 * the set only once this session is gone (the module's one
		 * reader per set; a user-only set has no next reader), which
		 * orders it. */
		ctrace_store_relaxed(&v->cons[i].lost_read, rs->san.lost_total);
	}
	return err;
}

int user_drain(struct recorder *d, bool final)
{
	struct user_sets *u = d->user;

	if (!u)
		return 0;
	u->fullest = 0;
	u->prev_drained_ms = u->drained_ms;
	u->drained_ms = monotonic_ms();
	if (!d->user_only)
		scan_table(d);
	for (uint32_t i = 0; i < u->n; i++) {
		if (drain_view(d, u->v[i]) || (final && flush_lost(d, u->v[i]))) {
			d->error = "cannot write user events to the trace file";
			return -EIO;
		}
	}
	return 0;
}

/* Module mode: before the session starts. */
void user_setup(struct recorder *d)
{
	d->user = calloc(1, sizeof(*d->user));
	if (d->user) {
		d->user->memfd = -1;
		d->user->start_ts = recorder_clock_now(d);
	}
}

static uint32_t possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int lo = 0, hi = -1;

	if (f) {
		if (fscanf(f, "%d-%d", &lo, &hi) < 1)
			hi = -1;
		else if (hi < 0)
			hi = lo;
		fclose(f);
	}
	return hi >= 0 ? (uint32_t)hi + 1 : (uint32_t)sysconf(_SC_NPROCESSORS_CONF);
}

/* Does this kernel have rseq?  (An invalid call says EINVAL, not ENOSYS.) */
static bool kernel_has_rseq(void)
{
	return syscall(SYS_rseq, NULL, 0, 0, 0) && errno != ENOSYS;
}

/*
 * User-only mode: a ring set in a memfd, control page first, handed to the
 * command in CTRACE_USER_FD.  Called before the command starts.
 */
int user_setup_memfd(struct recorder *d)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint32_t nr = possible_cpus();
	uint64_t data = d->opts.buf_size ? d->opts.buf_size : CTRACE_USER_RING_DEFAULT;
	uint64_t rings = (nr * sizeof(struct ctrace_uring) + ps - 1) / ps * ps;
	uint64_t cons = (nr * sizeof(struct ctrace_ring_cons) + ps - 1) / ps * ps;
	uint64_t strings = 64 << 10;
	uint64_t head = ps + rings + cons + strings;
	struct ctrace_uset h = {
		.magic = CTRACE_USET_MAGIC,
		.version = CTRACE_USET_VERSION,
		.header_size = sizeof(h),
		.nr_rings = nr,
		.data_size = data,
		.rings_off = ps,
		.cons_off = ps + rings,
		.strings_off = ps + rings + cons,
		.strings_size = strings,
		.data_off = head,
		.backing_data_off = head,
		.map_size = head + 2 * nr * data,
		.uid = getuid(),
	};
	struct ctrace_user_ctl ctl = {
		.gen = 1,
		.clock = d->clock,
		.magic = CTRACE_USER_CTL_MAGIC,
		.version = CTRACE_USER_CTL_VERSION,
		.size = sizeof(ctl),
	};
	struct user_sets *u;
	char fdstr[16];
	uint8_t *base;
	int fd;

	h.flags = kernel_has_rseq() && !d->user_locked ? CTRACE_USET_F_RSEQ
						       : CTRACE_USET_F_LOCKED;
	u = d->user = calloc(1, sizeof(*d->user));
	if (!u)
		return -ENOMEM;
	u->memfd = -1;
	/* Not close-on-exec for ctrace-dump: the command inherits it. */
	fd = memfd_create("ctrace-user", d->in_process ? MFD_CLOEXEC : 0);
	if (fd < 0 || ftruncate(fd, ps + head + nr * data) ||
	    pwrite(fd, &ctl, sizeof(ctl), 0) != sizeof(ctl) ||
	    pwrite(fd, &h, sizeof(h), ps) != sizeof(h)) {
		d->error = "cannot create the user ring set (memfd)";
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	u->memfd = fd;
	u->ctl = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	base = ctrace_uset_map_fd(fd, ps, &h);
	if (u->ctl == MAP_FAILED || base == MAP_FAILED) {
		d->error = "cannot map the user ring set";
		return -ENOMEM;
	}
	u->start_ts = recorder_clock_now(d);
	if (view_add(d, base, h.map_size, &h)) {
		d->error = "cannot write the trace file";
		return -EIO;
	}
	if (!d->in_process) {
		snprintf(fdstr, sizeof(fdstr), "%d", fd);
		setenv("CTRACE_USER_FD", fdstr, 1);
	}
	/* Record from the command's first event (enabled holds the
	 * generation, as the module's control pages do).  Pairs with the
	 * library's load of enabled and then gen (write.c). */
	ctrace_store_release(&u->ctl->enabled, u->ctl->gen);
	return 0;
}

int user_memfd(const struct recorder *d)
{
	return d->user ? d->user->memfd : -1;
}

/* Stop the writers; give those mid-event a moment to commit. */
void user_stop_writers(struct recorder *d)
{
	struct user_sets *u = d->user;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	if (!u)
		return;
	if (u->ctl) {
		/* Writers check enabled inside their sequence (write.c). */
		ctrace_store_release(&u->ctl->enabled, 0);
		ctrace_store_release(&u->ctl->gen, u->ctl->gen + 1);
	}
	nanosleep(&pause, NULL);
}

/*
 * User-only mode has no kernel to snapshot the clocks: a CLOCK record of
 * our own, in the DUMPER ring, with a TIME record before it.
 */
int user_clock_snapshot(struct recorder *d, uint16_t why)
{
	struct user_sets *u = d->user;
	struct {
		struct ctrace_krec_time t;
		struct ctrace_krec_clock c;
	} r;
	struct timespec mono, boot, real;
	struct ctrace_ring_chunk h;
	uint64_t counter;

	if (!u || !d->user_only)
		return 0;
	counter = recorder_clock_now(d);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &real);
	if (counter < u->dumper_ts)
		counter = u->dumper_ts;
	memset(&r, 0, sizeof(r));
	r.t.h = (struct ctrace_krec){ .type = CTRACE_KREC_TIME, .size = 2, .ts_lo = counter };
	r.t.ts = counter;
	r.c.h = (struct ctrace_krec){ .type = CTRACE_KREC_CLOCK, .size = 5, .aux = why,
				      .ts_lo = counter };
	r.c.counter = counter;
	r.c.mono = (uint64_t)mono.tv_sec * 1000000000u + mono.tv_nsec;
	r.c.boot = (uint64_t)boot.tv_sec * 1000000000u + boot.tv_nsec;
	r.c.real = (uint64_t)real.tv_sec * 1000000000u + real.tv_nsec;
	h = (struct ctrace_ring_chunk){
		.ring = 0,
		.kind = CTRACE_RING_DUMPER,
		.seq_first = u->dumper_seq,
		.ts_base = u->dumper_ts,
		.events = 1,
	};
	u->dumper_seq++;
	u->dumper_ts = counter;
	return ctrace_writer_ring(d->w, &h, &r, sizeof(r));
}

/* Events the writers say they dropped on a ring since we started reading
 * it (their counter is theirs to corrupt: never below 0). */
static uint64_t writers_lost(const struct uset_view *v, uint32_t r)
{
	uint64_t cur = ctrace_load_relaxed(&v->rings[r].lost);

	return cur >= v->rs[r].lost_base ? cur - v->rs[r].lost_base : 0;
}

/* An upper bound on user_ring_stats()'s count. */
uint32_t user_nr_rings(const struct recorder *d)
{
	/* User-only: the DUMPER ring with our CLOCK records, too. */
	uint32_t n = d->user && d->user_only;

	for (uint32_t i = 0; d->user && i < d->user->n; i++)
		n += d->user->v[i]->h.nr_rings;
	return n;
}

/* STATS of the user rings that saw anything, at most @max; the count. */
uint32_t user_ring_stats(const struct recorder *d, struct ctrace_ring_stats *out, uint32_t max)
{
	uint32_t n = 0;

	if (d->user && d->user_only && n < max)
		out[n++] = (struct ctrace_ring_stats){
			.ring = 0,
			.kind = CTRACE_RING_DUMPER,
			.events = d->user->dumper_seq,
			.events_read = d->user->dumper_seq,
		};
	for (uint32_t i = 0; d->user && i < d->user->n; i++) {
		const struct uset_view *v = d->user->v[i];

		for (uint32_t r = 0; r < v->h.nr_rings && n < max; r++) {
			const struct uring_state *rs = &v->rs[r];
			uint64_t lost = writers_lost(v, r);
			uint64_t events = rs->san.events + rs->san.corrupt;

			if (!rs->chunks && !lost)
				continue;
			out[n++] = (struct ctrace_ring_stats){
				.ring = v->index << 16 | r,
				.kind = CTRACE_RING_USER,
				/* What the writers say they lost; at least
				 * what the stream says. */
				.lost = lost > rs->san.lost ? lost : rs->san.lost,
				.events = events,
				.bytes = rs->cons,
				.events_read = events,
				.lost_read = rs->san.lost,
			};
		}
	}
	return n;
}

/*
 * How long the next poll may sleep.  The kernel does not wake us for user
 * rings (it never looks into them), so we poll, and size the wait from the
 * fill rate of the fullest ring at the last drain: long enough to take a
 * quarter of a ring, never more than USER_POLL_MAX_MS.  With the default
 * 2 MiB rings that ceiling absorbs bursts of ~25 MB/s per CPU (close to a
 * million 24-byte events a second) before the rate is even measured.
 */
#define USER_POLL_MAX_MS	20

int user_poll_ms(struct recorder *d)
{
	struct user_sets *u = d->user;
	uint64_t size = 0, ms;

	if (!u)
		return 200;
	if (!u->n)	/* a program may register any time */
		return USER_POLL_MAX_MS;
	for (uint32_t i = 0; i < u->n; i++)
		if (!size || u->v[i]->h.data_size < size)
			size = u->v[i]->h.data_size;
	if (!u->fullest || u->drained_ms <= u->prev_drained_ms) {
		ms = USER_POLL_MAX_MS;
	} else {
		/* interval * (quarter ring / bytes it brought) */
		ms = (u->drained_ms - u->prev_drained_ms) * (size / 4) / u->fullest;
		ms = ms < 1 ? 1 : ms > USER_POLL_MAX_MS ? USER_POLL_MAX_MS : ms;
	}
	return (int)ms;
}

uint64_t user_events(const struct recorder *d)
{
	uint64_t n = 0;

	for (uint32_t i = 0; d->user && i < d->user->n; i++)
		for (uint32_t r = 0; r < d->user->v[i]->h.nr_rings; r++)
			n += d->user->v[i]->rs[r].san.events;
	return n;
}

uint64_t user_corrupt(const struct recorder *d)
{
	uint64_t n = 0;

	for (uint32_t i = 0; d->user && i < d->user->n; i++)
		for (uint32_t r = 0; r < d->user->v[i]->h.nr_rings; r++)
			n += d->user->v[i]->rs[r].san.corrupt;
	return n;
}

uint64_t user_disputed(const struct recorder *d)
{
	return d->user ? d->user->disputed : 0;
}

void user_free(struct recorder *d)
{
	struct user_sets *u = d->user;

	if (!u)
		return;
	for (uint32_t i = 0; i < u->n; i++)
		view_free(u->v[i]);
	if (u->ctl && u->ctl != MAP_FAILED)
		munmap(u->ctl, sysconf(_SC_PAGESIZE));
	if (u->memfd >= 0)
		close(u->memfd);
	ctrace_map_free(&u->named_map);
	free(u->named);
	free(u);
	d->user = NULL;
}
