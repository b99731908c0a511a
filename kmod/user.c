// SPDX-License-Identifier: GPL-2.0
/*
 * User events: the kernel's side is memory and bookkeeping only.
 *
 * Each user whose processes registered (CTRACE_IOC_REGISTER) has one ring
 * set: per-CPU rings its processes write with rseq and commit with one
 * store, a string table, and consumer positions for the reader.  The
 * kernel allocates it (the ring data only when a session first claims it),
 * maps it writable into the user's processes and into the reading
 * session's file, and never reads a byte of it: it is user memory in all
 * but allocation, and readers treat it as hostile.  It is freed when the
 * last of its writers and readers is gone.
 *
 * Each registered process has a read-only control page whose first word
 * says whether to write.  A running session with CTRACE_EV_USER that traces
 * a registered process sets it, after claiming the process's user's ring
 * set (first come: one reading session per ring set, so that a user's
 * events never reach a session that does not trace them); stopping clears
 * it.  The claim lasts until the session goes, so that its reader drains.
 *
 * Layout of a ring set, as mapped (uapi: struct ctrace_uset):
 *
 *   | header | rings | consumers | strings | data 0 | data 0 | data 1 | ...
 *   '------------- head_pages -------------'  the same pages twice
 *
 * One vmalloc area holds the head, another each ring's data once; the
 * fault handler maps the data twice, so that a record running past the
 * end of a ring continues at its start and writers never split one.
 */
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "ctrace.h"

/*
 * All ring sets, under their own mutex (taken inside ctrace_lock when
 * both are), because a session's last reference can go anywhere,
 * ctrace_lock held or not, and it drops its ring sets then.
 */
static DEFINE_MUTEX(ctrace_usets_lock);
static LIST_HEAD(ctrace_usets);
/* Registered writers.  Protected by ctrace_lock. */
static LIST_HEAD(ctrace_writers);

#define CTRACE_USTRINGS_SIZE	(64UL << 10)

/* Ring memory of the ring sets of @uid, or of all when @uid is NULL. */
u64 ctrace_user_bytes(kuid_t *uid)
{
	struct ctrace_ringset *u;
	u64 bytes = 0;

	mutex_lock(&ctrace_usets_lock);
	list_for_each_entry(u, &ctrace_usets, node)
		if (!uid || uid_eq(u->uid, *uid))
			bytes += u->bytes_charged;
	mutex_unlock(&ctrace_usets_lock);
	return bytes;
}

/* kref_put_mutex() calls this with ctrace_usets_lock held. */
static void ctrace_uset_release(struct kref *ref)
{
	struct ctrace_ringset *u = container_of(ref, struct ctrace_ringset, ref);

	list_del(&u->node);
	mutex_unlock(&ctrace_usets_lock);
	atomic64_sub(u->bytes_charged, &ctrace_mem_bytes);
	vfree(u->data);
	vfree(u->head);
	kfree(u);
}

static void ctrace_uset_put(struct ctrace_ringset *u)
{
	kref_put_mutex(&u->ref, ctrace_uset_release, &ctrace_usets_lock);
}

/*
 * The ring set of the current user, with a reference.  Under ctrace_lock.
 * The effective UID owns it, as it would own a file the process created:
 * a set-user-ID program's events go to its owner's set, not its caller's.
 * Only its head (header, ring and consumer positions, strings: some 80 KiB)
 * is allocated now; the data waits for a session (ctrace_uset_populate()).
 */
static struct ctrace_ringset *ctrace_uset_get(int *err)
{
	kuid_t uid = current_euid();
	u64 data = rounddown_pow_of_two(clamp_t(u64, (u64)ctrace_user_ring_kb << 10,
						PAGE_SIZE, CTRACE_BUF_SIZE_MAX));
	u32 nr = nr_cpu_ids;
	unsigned long rings, cons, head;
	struct ctrace_uset *hdr;
	struct ctrace_ringset *u;

	lockdep_assert_held(&ctrace_lock);
	mutex_lock(&ctrace_usets_lock);
	list_for_each_entry(u, &ctrace_usets, node) {
		if (uid_eq(u->uid, uid) && kref_get_unless_zero(&u->ref)) {
			mutex_unlock(&ctrace_usets_lock);
			return u;
		}
	}
	mutex_unlock(&ctrace_usets_lock);

	rings = DIV_ROUND_UP(nr * sizeof(struct ctrace_uring), PAGE_SIZE);
	cons = DIV_ROUND_UP(nr * sizeof(struct ctrace_ring_cons), PAGE_SIZE);
	head = 1 + rings + cons + (CTRACE_USTRINGS_SIZE >> PAGE_SHIFT);
	if (ctrace_session_bytes(NULL) + ctrace_user_bytes(NULL) + (head << PAGE_SHIFT) >
	    (u64)ctrace_max_buffer_mb << 20) {
		*err = -ENOMEM;
		return NULL;
	}
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u)
		goto nomem;
	/* A refused size is an error for the user, not a splat: CTRACE_GFP_RING. */
	u->head = __vmalloc(head << PAGE_SHIFT, CTRACE_GFP_RING);
	if (!u->head) {
		kfree(u);
		goto nomem;
	}
	kref_init(&u->ref);
	u->uid = uid;
	u->nr_rings = nr;
	u->data_size = data;
	u->head_pages = head;
	u->data_pages = data >> PAGE_SHIFT;
	u->map_size = (head << PAGE_SHIFT) + 2 * nr * data;
	u->bytes_charged = head << PAGE_SHIFT;

	/* The header is for user space only; the kernel never reads it back. */
	hdr = u->head;
	hdr->magic = CTRACE_USET_MAGIC;
	hdr->version = CTRACE_USET_VERSION;
	hdr->header_size = sizeof(*hdr);
	hdr->nr_rings = nr;
	hdr->data_size = data;
	hdr->rings_off = PAGE_SIZE;
	hdr->cons_off = (1 + rings) << PAGE_SHIFT;
	hdr->strings_off = (1 + rings + cons) << PAGE_SHIFT;
	hdr->strings_size = CTRACE_USTRINGS_SIZE;
	hdr->data_off = head << PAGE_SHIFT;
	hdr->backing_data_off = head << PAGE_SHIFT;
	hdr->map_size = u->map_size;
	hdr->flags = IS_ENABLED(CONFIG_RSEQ) ? CTRACE_USET_F_RSEQ : CTRACE_USET_F_LOCKED;
	hdr->uid = from_kuid_munged(&init_user_ns, uid);

	mutex_lock(&ctrace_usets_lock);
	list_add(&u->node, &ctrace_usets);
	mutex_unlock(&ctrace_usets_lock);
	atomic64_add(u->bytes_charged, &ctrace_mem_bytes);
	return u;
nomem:
	*err = -ENOMEM;
	return NULL;
}

/*
 * Allocate @u's ring data, the first time a session claims it: a user's
 * processes that link libctrace cost only the head until someone traces
 * them.  It counts toward max_buffer_mb, not toward the user's
 * user_buffer_kb (a user has one ring set, of user_ring_kb per CPU, and the
 * sessions that may claim it are already within the limits).  Under
 * ctrace_lock.
 */
static int ctrace_uset_populate(struct ctrace_ringset *u)
{
	u64 bytes = (u64)u->nr_rings * u->data_size;
	void *data;

	lockdep_assert_held(&ctrace_lock);
	if (u->data)
		return 0;
	if (ctrace_session_bytes(NULL) + ctrace_user_bytes(NULL) + bytes >
	    (u64)ctrace_max_buffer_mb << 20)
		return -ENOMEM;
	data = __vmalloc(bytes, CTRACE_GFP_RING);
	if (!data)
		return -ENOMEM;
	mutex_lock(&ctrace_usets_lock);
	u->bytes_charged += bytes;
	mutex_unlock(&ctrace_usets_lock);
	atomic64_add(bytes, &ctrace_mem_bytes);
	/*
	 * Pairs with the load-acquire in ctrace_ringset_page(): zeroed
	 * before any of it can be mapped.
	 */
	smp_store_release(&u->data, data);
	return 0;
}

/*
 * The page at @pgoff of a ring set's mapped layout, or NULL past it (or in
 * the data, before a session claimed the set).
 */
struct page *ctrace_ringset_page(struct ctrace_ringset *u, unsigned long pgoff)
{
	unsigned long ring, in;
	void *data;

	if (pgoff < u->head_pages)
		return vmalloc_to_page(u->head + (pgoff << PAGE_SHIFT));
	pgoff -= u->head_pages;
	ring = pgoff / (2 * u->data_pages);
	in = pgoff % u->data_pages;	/* either copy: the same page */
	/* Pairs with the store-release in ctrace_uset_populate(). */
	data = smp_load_acquire(&u->data);
	if (ring >= u->nr_rings || !data)
		return NULL;
	return vmalloc_to_page(data + ((ring * u->data_pages + in) << PAGE_SHIFT));
}

/*
 * @s traces a process of @u's user, but @u->owner reads @u: say so in
 * @s's statistics (SESSION_GET: USETS_BUSY, BUSY_USETS), so that its
 * reader can tell its user that those user events are not recorded,
 * rather than find nothing.  Under ctrace_lock.
 */
static void ctrace_user_note_busy(struct ctrace_session *s, struct ctrace_ringset *u)
{
	u32 i, nr = s->nr_busy;

	lockdep_assert_held(&ctrace_lock);
	for (i = 0; i < nr; i++) {
		if (uid_eq(s->busy[i].uid, u->uid)) {
			WRITE_ONCE(s->busy[i].holder, u->owner->id);
			return;
		}
	}
	if (nr == CTRACE_BUSY_MAX) {
		WRITE_ONCE(s->busy_overflow, true);	/* not listed */
		return;
	}
	s->busy[nr].uid = u->uid;
	s->busy[nr].holder = u->owner->id;
	/* Pairs with the smp_load_acquire() in ctrace_put_busy() (genl.c). */
	smp_store_release(&s->nr_busy, nr + 1);
}

/*
 * Let @w's process write for @s if @s traces it and may read its user's
 * ring set.  Called under ctrace_lock with @s running.
 */
static void ctrace_user_try_enable(struct ctrace_session *s, struct ctrace_writer *w)
{
	struct ctrace_ringset *u = w->uset;
	struct ctrace_meta *m = s->meta;
	struct ctrace_uset_desc *d;
	struct task_struct *task;
	bool traced;
	int slot;
	u32 gen;

	/* Enabled by another session: @s still notes the set is not its. */
	if (!(s->events & CTRACE_EV_USER) || w->enabled_by == s)
		return;
	task = get_pid_task(w->tgid, PIDTYPE_TGID);
	if (!task)
		return;
	traced = ctrace_target_traced(&s->target, task);
	put_task_struct(task);
	if (!traced)
		return;

	if (u->owner != s) {
		if (u->owner) {
			/* Another session reads this user's set. */
			ctrace_user_note_busy(s, u);
			return;
		}
		for (slot = 0; slot < CTRACE_USETS_MAX && s->usets[slot]; slot++)
			;
		if (slot == CTRACE_USETS_MAX || ctrace_uset_populate(u))
			return;
		kref_get(&u->ref);
		u->owner = s;
		/*
		 * Read locklessly by the reader's mmap and fault handler
		 * (READ_ONCE), which user space reaches only after seeing
		 * the entry through uset_gen, released below.
		 */
		WRITE_ONCE(s->usets[slot], u);
		d = (void *)m + m->uset_desc_off;
		d[slot].uid = from_kuid_munged(&init_user_ns, u->uid);
		d[slot].off = (ctrace_user_base_pgoff(s) +
			       slot * CTRACE_USET_STRIDE_PAGES) << PAGE_SHIFT;
		d[slot].size = u->map_size;
		WRITE_ONCE(d[slot].state, CTRACE_USET_DESC_ACTIVE);
		/* Pairs with the reader's load-acquire of uset_gen. */
		smp_store_release(&m->uset_gen, m->uset_gen + 1);
	}

	if (w->enabled_by)
		return;
	w->enabled_by = s;
	w->ctl->clock = s->clock;
	w->ctl->session_id = s->id;
	gen = w->ctl->gen + 1 ? w->ctl->gen + 1 : 1;	/* never 0 */
	w->ctl->gen = gen;
	/*
	 * Pairs with the writer's load of enabled: clock and gen come first.
	 * enabled holds the generation, so that one load tells a writer both
	 * that it may write and whether it announced itself for this one.
	 */
	smp_store_release(&w->ctl->enabled, gen);
}

static void ctrace_user_disable(struct ctrace_writer *w)
{
	WRITE_ONCE(w->ctl->enabled, 0);
	WRITE_ONCE(w->ctl->gen, w->ctl->gen + 1);
	w->enabled_by = NULL;
}

/**
 * ctrace_user_register() - register the calling process for user events
 * @err: why not, when it returns NULL
 *
 * Return: the writer, whose control page and ring set the caller's file
 * maps, or NULL.
 */
struct ctrace_writer *ctrace_user_register(int *err)
{
	struct ctrace_session *s;
	struct ctrace_writer *w;

	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	w->ctl = vzalloc(PAGE_SIZE);
	if (!w->ctl) {
		kfree(w);
		*err = -ENOMEM;
		return NULL;
	}
	w->ctl->magic = CTRACE_USER_CTL_MAGIC;
	w->ctl->version = CTRACE_USER_CTL_VERSION;
	w->ctl->size = sizeof(*w->ctl);
	w->tgid = get_task_pid(current, PIDTYPE_TGID);

	mutex_lock(&ctrace_lock);
	w->uset = ctrace_uset_get(err);
	if (!w->uset) {
		mutex_unlock(&ctrace_lock);
		put_pid(w->tgid);
		vfree(w->ctl);
		kfree(w);
		return NULL;
	}
	list_add(&w->node, &ctrace_writers);
	list_for_each_entry(s, &ctrace_active, active)
		ctrace_user_try_enable(s, w);
	mutex_unlock(&ctrace_lock);
	return w;
}

/* The registered file is gone, and with it every mapping of @w's pages. */
void ctrace_user_unregister(struct ctrace_writer *w)
{
	mutex_lock(&ctrace_lock);
	list_del(&w->node);
	ctrace_uset_put(w->uset);
	mutex_unlock(&ctrace_lock);
	put_pid(w->tgid);
	vfree(w->ctl);
	kfree(w);
}

/* A writer's file: the control page at 0, the ring set from page 1. */
struct page *ctrace_writer_page(struct ctrace_writer *w, unsigned long pgoff)
{
	if (!pgoff)
		return vmalloc_to_page(w->ctl);
	return ctrace_ringset_page(w->uset, pgoff - 1);
}

/* Where ring set slots start in a session reader's file, in pages. */
unsigned long ctrace_user_base_pgoff(const struct ctrace_session *s)
{
	return s->meta_pages + s->nr_rings * s->ring_pages + s->cons_pages;
}

/* @s started: the registered processes it traces may write. */
void ctrace_user_session_start(struct ctrace_session *s)
{
	struct ctrace_writer *w;

	lockdep_assert_held(&ctrace_lock);
	list_for_each_entry(w, &ctrace_writers, node)
		ctrace_user_try_enable(s, w);
}

/* @s stopped: its processes stop writing; its reader keeps their sets. */
void ctrace_user_session_stop(struct ctrace_session *s)
{
	struct ctrace_writer *w;

	lockdep_assert_held(&ctrace_lock);
	list_for_each_entry(w, &ctrace_writers, node)
		if (w->enabled_by == s)
			ctrace_user_disable(w);
}

/*
 * @s was destroyed: other sessions may read its ring sets from now on.
 * Its reader keeps the mappings (and @s its references) until it closes.
 */
void ctrace_user_session_destroy(struct ctrace_session *s)
{
	int slot;

	lockdep_assert_held(&ctrace_lock);
	for (slot = 0; slot < CTRACE_USETS_MAX; slot++)
		if (s->usets[slot] && s->usets[slot]->owner == s)
			s->usets[slot]->owner = NULL;
}

/* @s is being freed (nothing maps it any more): drop its ring sets. */
void ctrace_user_session_release(struct ctrace_session *s)
{
	int slot;

	for (slot = 0; slot < CTRACE_USETS_MAX; slot++) {
		if (s->usets[slot])
			ctrace_uset_put(s->usets[slot]);
		s->usets[slot] = NULL;
	}
}
