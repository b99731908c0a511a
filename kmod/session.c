// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: what is traced, into which rings, on whose behalf.
 *
 * Lifecycle: CREATED -> RUNNING -> STOPPED, then destroyed.  A session is
 * destroyed by DESTROY, or when its owner goes away: the netlink socket
 * that created it, or the /dev/ctrace file attached as its reader (a
 * killed process closes both).  Destroying removes it from the table and
 * stops it; its memory lives on until the last reference (the reader's
 * file and its mappings) is gone.
 *
 * Memory is bounded: max_buffer_mb for all sessions, user_buffer_kb for
 * each unprivileged user, max_sessions in all, and it is charged to the
 * creator's memory cgroup.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "ring.h"

/* Serialises control operations; see ctrace.h. */
DEFINE_MUTEX(ctrace_lock);
/* Running sessions: written under ctrace_lock, read by the probes (RCU). */
LIST_HEAD(ctrace_active);

/* Ring memory allocated, until the last reference to a session is gone. */
atomic64_t ctrace_mem_bytes = ATOMIC64_INIT(0);

/* Sessions by ID, from 1.  Protected by ctrace_lock. */
static DEFINE_XARRAY_ALLOC1(ctrace_sessions);
static u32 ctrace_next_id;

#define CTRACE_TICK	HZ	/* clock snapshots and loss notices */
#define CTRACE_RESTATE_MIN_MS	10	/* between two RESTATEs of a session */

/* Ring memory of @uid's sessions, or of all when @uid is NULL. */
u64 ctrace_session_bytes(kuid_t *uid)
{
	struct ctrace_session *s;
	unsigned long id;
	u64 bytes = 0;

	xa_for_each(&ctrace_sessions, id, s)
		if (!uid || uid_eq(s->owner_uid, *uid))
			bytes += s->bytes_charged;
	return bytes;
}

static u32 ctrace_session_count_locked(void)
{
	struct ctrace_session *s;
	unsigned long id;
	u32 n = 0;

	xa_for_each(&ctrace_sessions, id, s)
		n++;
	return n;
}

u32 ctrace_session_count(void)
{
	u32 n;

	mutex_lock(&ctrace_lock);
	n = ctrace_session_count_locked();
	mutex_unlock(&ctrace_lock);
	return n;
}

static int ctrace_check_limits(u64 bytes, bool privileged, kuid_t uid,
			       struct netlink_ext_ack *extack)
{
	if (ctrace_session_count_locked() >= ctrace_max_sessions) {
		NL_SET_ERR_MSG(extack, "too many sessions (module parameter max_sessions)");
		return -EMFILE;
	}
	if (ctrace_session_bytes(NULL) + ctrace_user_bytes(NULL) + bytes >
	    (u64)ctrace_max_buffer_mb << 20) {
		NL_SET_ERR_MSG(extack,
			       "buffer memory limit reached (module parameter max_buffer_mb)");
		return -ENOMEM;
	}
	if (!privileged &&
	    ctrace_session_bytes(&uid) + ctrace_user_bytes(&uid) + bytes >
	    (u64)ctrace_user_buffer_kb << 10) {
		NL_SET_ERR_MSG(extack,
			       "per-user buffer limit reached (module parameter user_buffer_kb)");
		return -EDQUOT;
	}
	return 0;
}

static void ctrace_session_release(struct kref *ref)
{
	struct ctrace_session *s = container_of(ref, struct ctrace_session, ref);
	u32 i;

	for (i = 0; s->rings && i < s->nr_rings; i++)
		ctrace_ring_free(&s->rings[i]);
	ctrace_user_session_release(s);
	kfree(s->rings);
	kfree(s->cpu_ring);
	vfree(s->meta);
	vfree(s->cons);
	ctrace_target_free(&s->target);
	ctrace_lat_free(s);
	atomic64_sub(s->bytes_charged, &ctrace_mem_bytes);
	kfree(s);
}

void ctrace_session_put(struct ctrace_session *s)
{
	kref_put(&s->ref, ctrace_session_release);
}

static void ctrace_session_tick(struct work_struct *work)
{
	struct ctrace_session *s =
		container_of(to_delayed_work(work), struct ctrace_session, tick);
	u64 lost;

	ctrace_clock_snapshot(s, CTRACE_CLOCK_SNAP_PERIODIC);
	lost = ctrace_session_lost(s);
	if (lost != s->lost_notified) {
		s->lost_notified = lost;
		ctrace_genl_notify(s, CTRACE_CMD_NTF_LOSING);
	}
	queue_delayed_work(system_wq, &s->tick, CTRACE_TICK);
}

/* The meta area the reader maps first (uapi: struct ctrace_meta). */
void ctrace_session_fill_meta(struct ctrace_session *s)
{
	struct ctrace_meta *m = s->meta;
	struct ctrace_ring_desc *d = (void *)(m + 1);
	u64 ring_bytes = s->ring_pages << PAGE_SHIFT;
	u32 i;

	m->magic = CTRACE_META_MAGIC;
	m->version = CTRACE_META_VERSION;
	m->size = sizeof(*m);
	m->session_id = s->id;
	m->clock = s->clock;
	m->nr_rings = s->nr_rings;
	m->ring_desc_off = sizeof(*m);
	m->ring_desc_size = sizeof(*d);
	m->meta_size = s->meta_pages << PAGE_SHIFT;
	m->ro_size = m->meta_size + s->nr_rings * ring_bytes;
	m->cons_off = m->ro_size;
	m->cons_size = s->cons_pages << PAGE_SHIFT;
	m->data_size = s->buf_size;
	m->tsc_khz = s->clock == CTRACE_CLOCK_TSC ? ctrace_clock_tsc_khz() : 0;
	m->features = CTRACE_META_F_KERNEL_RINGS | CTRACE_META_F_USER_SETS;
	m->uset_desc_off = round_up(m->ring_desc_off + s->nr_rings * sizeof(*d), 8);
	m->uset_desc_max = CTRACE_USETS_MAX;
	for (i = 0; i < s->nr_rings; i++) {
		d[i].cpu = s->rings[i].cpu;
		d[i].page_off = m->meta_size + i * ring_bytes;
		d[i].data_off = d[i].page_off + PAGE_SIZE;
		d[i].cons_off = m->cons_off + i * sizeof(struct ctrace_ring_cons);
	}
}

/* The page at @pgoff of a reader's mapping, or NULL past the end. */
struct page *ctrace_session_page(struct ctrace_session *s, unsigned long pgoff)
{
	struct ctrace_ringset *u;
	unsigned long ring;

	if (pgoff < s->meta_pages)
		return vmalloc_to_page(s->meta + (pgoff << PAGE_SHIFT));
	pgoff -= s->meta_pages;
	ring = pgoff / s->ring_pages;
	if (ring < s->nr_rings)
		return vmalloc_to_page(s->rings[ring].mem +
				       ((pgoff % s->ring_pages) << PAGE_SHIFT));
	pgoff -= s->nr_rings * s->ring_pages;
	if (pgoff < s->cons_pages)
		return vmalloc_to_page(s->cons + (pgoff << PAGE_SHIFT));
	pgoff -= s->cons_pages;
	/*
	 * User ring sets: set once a slot is filled (WRITE_ONCE in user.c),
	 * kept until release.
	 */
	ring = pgoff / CTRACE_USET_STRIDE_PAGES;
	u = ring < CTRACE_USETS_MAX ? READ_ONCE(s->usets[ring]) : NULL;
	return u ? ctrace_ringset_page(u, pgoff % CTRACE_USET_STRIDE_PAGES) : NULL;
}

static int ctrace_session_alloc_rings(struct ctrace_session *s, u32 watermark)
{
	unsigned int cpu, i = 0;
	int err;

	s->nr_rings = num_possible_cpus();
	s->rings = kcalloc(s->nr_rings, sizeof(*s->rings), GFP_KERNEL_ACCOUNT);
	s->cpu_ring = kcalloc(nr_cpu_ids, sizeof(*s->cpu_ring), GFP_KERNEL_ACCOUNT);
	s->meta_pages = DIV_ROUND_UP(sizeof(struct ctrace_meta) +
				     s->nr_rings * sizeof(struct ctrace_ring_desc) + 8 +
				     CTRACE_USETS_MAX * sizeof(struct ctrace_uset_desc),
				     PAGE_SIZE);
	s->cons_pages = DIV_ROUND_UP(s->nr_rings * sizeof(struct ctrace_ring_cons),
				     PAGE_SIZE);
	s->ring_pages = 1 + (s->buf_size >> PAGE_SHIFT);
	s->meta = vzalloc(s->meta_pages << PAGE_SHIFT);
	s->cons = vzalloc(s->cons_pages << PAGE_SHIFT);
	if (!s->rings || !s->cpu_ring || !s->meta || !s->cons)
		return -ENOMEM;

	for_each_possible_cpu(cpu) {
		struct ctrace_ring *r = &s->rings[i];

		err = ctrace_ring_init(r, s, cpu, s->cons + i * sizeof(*r->kcons));
		if (err)
			return err;
		r->watermark = max_t(u32, 8, div_u64((u64)s->buf_size * watermark, 100));
		s->cpu_ring[cpu] = r;
		i++;
	}
	return 0;
}

/**
 * ctrace_session_create() - a new session, owned by a netlink socket
 * @p: what to trace and how, already checked against the netlink policy
 * @net: the owner socket's network namespace
 * @portid: the owner socket
 * @extack: why it was refused
 * @out: the session, with a reference for the caller
 *
 * Return: 0 or a negative errno.
 */
int ctrace_session_create(const struct ctrace_session_params *p,
			  struct net *net, u32 portid,
			  struct netlink_ext_ack *extack,
			  struct ctrace_session **out)
{
	bool privileged = perfmon_capable();
	struct ctrace_session *s;
	enum ctrace_clock clock;
	u64 bytes;
	int err;

	if (task_active_pid_ns(current) != &init_pid_ns) {
		NL_SET_ERR_MSG(extack,
			       "sessions from a non-initial pid namespace are not supported");
		return -EOPNOTSUPP;
	}
	if (p->target != CTRACE_TARGET_PIDS && !privileged) {
		if (p->target == CTRACE_TARGET_ALL)
			NL_SET_ERR_MSG(extack,
				       "tracing the whole system needs CAP_PERFMON or CAP_SYS_ADMIN");
		else
			NL_SET_ERR_MSG(extack,
				       "tracing a cgroup needs CAP_PERFMON or CAP_SYS_ADMIN");
		return -EACCES;
	}
	clock = ctrace_clock_resolve(p->clock, extack);
	if (clock == CTRACE_CLOCK_AUTO)
		return -EOPNOTSUPP;

	bytes = (u64)num_possible_cpus() * (PAGE_SIZE + p->buf_size) + 2 * PAGE_SIZE;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	kref_init(&s->ref);
	s->state = CTRACE_SESSION_CREATED;
	s->events = p->events;
	s->flags = p->flags;
	s->clock = clock;
	s->buf_size = p->buf_size;
	s->owner_net = net;
	s->owner_portid = portid;
	s->owner_uid = current_uid();
	s->owner_pid = task_tgid_nr(current);
	s->target.kind = p->target;
	s->target.privileged = privileged;
	s->target.inherit = p->flags & CTRACE_SF_INHERIT;
	s->target.uid = current_uid();
	s->target.gid = current_gid();
	INIT_LIST_HEAD(&s->active);
	init_waitqueue_head(&s->wq);
	INIT_DELAYED_WORK(&s->tick, ctrace_session_tick);

	mutex_lock(&ctrace_lock);
	/* Permission first: a refusal must not depend on memory in use. */
	if (p->target == CTRACE_TARGET_PIDS)
		err = ctrace_target_init_pids(&s->target, p->pids, p->nr_pids, extack);
	else if (p->target == CTRACE_TARGET_CGROUP)
		err = ctrace_target_init_cgroup(&s->target, p->cgroup_fd, extack);
	else
		err = 0;	/* CTRACE_TARGET_ALL: nothing to resolve */
	if (!err)
		err = ctrace_check_limits(bytes, privileged, s->owner_uid, extack);
	if (err)
		goto fail;
	err = ctrace_lat_init(s, p->latency_ns);
	if (!err)
		err = ctrace_session_alloc_rings(s, p->watermark);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory for the rings");
		goto fail;
	}
	err = xa_alloc_cyclic(&ctrace_sessions, &s->id, s, xa_limit_31b,
			      &ctrace_next_id, GFP_KERNEL);
	if (err < 0)
		goto fail;
	s->bytes_charged = bytes;
	atomic64_add(bytes, &ctrace_mem_bytes);
	ctrace_session_fill_meta(s);
	kref_get(&s->ref);	/* the table's */
	mutex_unlock(&ctrace_lock);
	*out = s;
	return 0;

fail:
	mutex_unlock(&ctrace_lock);
	ctrace_session_put(s);
	return err;
}

bool ctrace_session_visible(const struct ctrace_session *s)
{
	return uid_eq(s->owner_uid, current_uid()) || perfmon_capable();
}

/* The session @id if the caller may see it.  Called under ctrace_lock. */
struct ctrace_session *ctrace_session_find_locked(u32 id)
{
	struct ctrace_session *s = xa_load(&ctrace_sessions, id);

	if (!s)
		return ERR_PTR(-ENOENT);
	if (!ctrace_session_visible(s))
		return ERR_PTR(-EACCES);
	return s;
}

/* The session @id, with a reference, if the caller may see it. */
struct ctrace_session *ctrace_session_find(u32 id, struct netlink_ext_ack *extack)
{
	struct ctrace_session *s;

	mutex_lock(&ctrace_lock);
	s = ctrace_session_find_locked(id);
	if (!IS_ERR(s))
		kref_get(&s->ref);
	mutex_unlock(&ctrace_lock);
	if (PTR_ERR(s) == -ENOENT)
		NL_SET_ERR_MSG(extack, "no such session");
	else if (PTR_ERR(s) == -EACCES)
		NL_SET_ERR_MSG(extack, "the session belongs to another user");
	return s;
}

/* For dumps: the next visible session at or after *id, with a reference. */
struct ctrace_session *ctrace_session_next(u32 *id)
{
	struct ctrace_session *s;
	unsigned long i = *id;

	mutex_lock(&ctrace_lock);
	xa_for_each_start(&ctrace_sessions, i, s, *id) {
		if (ctrace_session_visible(s)) {
			kref_get(&s->ref);
			*id = i;
			mutex_unlock(&ctrace_lock);
			return s;
		}
	}
	mutex_unlock(&ctrace_lock);
	return NULL;
}

int ctrace_session_start(struct ctrace_session *s, struct netlink_ext_ack *extack)
{
	int err;

	mutex_lock(&ctrace_lock);
	if (s->state == CTRACE_SESSION_RUNNING) {
		NL_SET_ERR_MSG(extack, "the session is already running");
		err = -EBUSY;
		goto out;
	}
	if (s->dead || s->state != CTRACE_SESSION_CREATED) {
		NL_SET_ERR_MSG(extack, "a stopped session cannot be restarted");
		err = -EINVAL;
		goto out;
	}
	err = ctrace_sched_activate(extack);
	if (err)
		goto out;
	err = ctrace_syscall_activate(s, extack);
	if (err) {
		if (list_empty(&ctrace_active))
			ctrace_sched_deactivate();
		goto out;
	}
	ctrace_clock_snapshot(s, CTRACE_CLOCK_SNAP_START);
	list_add_rcu(&s->active, &ctrace_active);
	WRITE_ONCE(s->state, CTRACE_SESSION_RUNNING);
	ctrace_sched_snapshot(s, 0);
	ctrace_user_session_start(s);
	queue_delayed_work(system_wq, &s->tick, CTRACE_TICK);
	ctrace_genl_notify(s, CTRACE_CMD_NTF_STARTED);
out:
	mutex_unlock(&ctrace_lock);
	return err;
}

/* Stop recording and finish the rings.  Called under ctrace_lock. */
static void ctrace_session_stop_locked(struct ctrace_session *s)
{
	u32 i;

	ctrace_user_session_stop(s);
	list_del_rcu(&s->active);
	ctrace_syscall_deactivate(s);
	if (list_empty(&ctrace_active))
		ctrace_sched_deactivate();
	else
		synchronize_rcu();	/* no probe still writes for @s */
	cancel_delayed_work_sync(&s->tick);
	ctrace_lat_stop(s);
	/* The rings have no writer left but this thread. */
	ctrace_clock_snapshot(s, CTRACE_CLOCK_SNAP_STOP);
	for (i = 0; i < s->nr_rings; i++) {
		ctrace_ring_flush_lost(&s->rings[i], s);
		ctrace_ring_set_stopped(&s->rings[i]);
	}
	WRITE_ONCE(s->state, CTRACE_SESSION_STOPPED);
	wake_up_all(&s->wq);
	ctrace_genl_notify(s, CTRACE_CMD_NTF_STOPPED);
}

/*
 * Say again what the start said: the clock and every traced thread's name
 * and state.  Under ctrace_lock, so that the session cannot stop meanwhile
 * (stop marks the rings stopped once no probe writes; this is a writer).
 */
int ctrace_session_restate(struct ctrace_session *s, struct netlink_ext_ack *extack)
{
	mutex_lock(&ctrace_lock);
	if (s->state != CTRACE_SESSION_RUNNING) {
		mutex_unlock(&ctrace_lock);
		NL_SET_ERR_MSG(extack, "the session is not running");
		return -EINVAL;
	}
	/*
	 * Each restatement walks every thread under ctrace_lock: a session
	 * may have one per CTRACE_RESTATE_MIN_MS (a flight recorder asks
	 * every quarter window, 50 ms at least).
	 */
	if (s->restated &&
	    time_before(jiffies, s->restated + msecs_to_jiffies(CTRACE_RESTATE_MIN_MS))) {
		mutex_unlock(&ctrace_lock);
		NL_SET_ERR_MSG(extack, "the session was restated less than 10 ms ago");
		return -EBUSY;
	}
	s->restated = jiffies;
	ctrace_clock_snapshot(s, CTRACE_CLOCK_SNAP_PERIODIC);
	ctrace_sched_snapshot(s, CTRACE_THREAD_F_RESTATE);
	mutex_unlock(&ctrace_lock);
	return 0;
}

int ctrace_session_stop(struct ctrace_session *s, struct netlink_ext_ack *extack)
{
	mutex_lock(&ctrace_lock);
	if (s->state != CTRACE_SESSION_RUNNING) {
		mutex_unlock(&ctrace_lock);
		NL_SET_ERR_MSG(extack, "the session is not running");
		return -EINVAL;
	}
	ctrace_session_stop_locked(s);
	mutex_unlock(&ctrace_lock);
	return 0;
}

/*
 * Stop @s if it runs and drop it from the table.  Its reader keeps the
 * memory mapped and readable until it closes.  Called under ctrace_lock.
 */
static void ctrace_session_destroy_locked(struct ctrace_session *s)
{
	if (s->dead)
		return;
	if (s->state == CTRACE_SESSION_RUNNING)
		ctrace_session_stop_locked(s);
	xa_erase(&ctrace_sessions, s->id);
	ctrace_user_session_destroy(s);
	s->dead = true;
	wake_up_all(&s->wq);
	ctrace_session_put(s);	/* the table's */
}

void ctrace_session_destroy(struct ctrace_session *s)
{
	mutex_lock(&ctrace_lock);
	ctrace_session_destroy_locked(s);
	mutex_unlock(&ctrace_lock);
}

/* The netlink socket @portid in @net closed: destroy what it owned. */
void ctrace_session_release_owner(struct net *net, u32 portid)
{
	struct ctrace_session *s;
	unsigned long id;

	mutex_lock(&ctrace_lock);
	xa_for_each(&ctrace_sessions, id, s)
		if (s->owner_net == net && s->owner_portid == portid)
			ctrace_session_destroy_locked(s);
	mutex_unlock(&ctrace_lock);
}

void ctrace_session_destroy_all(void)
{
	struct ctrace_session *s;
	unsigned long id;

	mutex_lock(&ctrace_lock);
	xa_for_each(&ctrace_sessions, id, s)
		ctrace_session_destroy_locked(s);
	mutex_unlock(&ctrace_lock);
}

u64 ctrace_session_events(const struct ctrace_session *s)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < s->nr_rings; i++)
		n += READ_ONCE(s->rings[i].page->events);
	return n;
}

u64 ctrace_session_lost(const struct ctrace_session *s)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < s->nr_rings; i++)
		n += READ_ONCE(s->rings[i].page->lost);
	return n;
}
