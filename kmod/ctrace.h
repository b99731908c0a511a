/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctrace.ko internals shared between the files of the module.
 *
 * One file per concern:
 *   main.c     module init/exit, module parameters
 *   abi.c      the ABI's layouts, pinned
 *   genl.c     the "ctrace" generic netlink family: requests, replies,
 *              notifications, owner-socket tracking
 *   session.c  session lifecycle: create, start, stop, destroy; limits and
 *              permissions; the start snapshot and the clock tick
 *   target.c   which threads a session traces, and which it may name
 *   ring.c     per-CPU rings: memory, mapping layout, reader wakeup
 *   ring.h     the write path (inline: it runs in scheduler tracepoints)
 *   probe.h    what the probes share: running sessions, who is traced
 *   sched.c    the scheduler's tracepoint probes
 *   syscall.c  the syscall probes, attached only for sessions that ask
 *   reader.c   /dev/ctrace: attach, mmap, poll; register for user events
 *   user.c     user events: per-user ring sets, writers' control pages,
 *              which session reads which ring set
 *   clock.c    which clock stamps events
 *   latency.c  the latency trigger: a wait to run over a threshold,
 *              reported to the flight recorder
 *
 * Locking: ctrace_lock (a mutex) serialises every control operation and
 * protects the session table and each session's state.  The probes never
 * take it: they walk ctrace_active under RCU (tracepoint probes run with
 * preemption disabled), and a session leaves that list, followed by a
 * grace period, before anything the probes use is torn down.
 */
#ifndef _CTRACE_KMOD_H
#define _CTRACE_KMOD_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/ctrace.h>

struct cgroup;
struct file;
struct genl_info;
struct net;
struct netlink_ext_ack;
struct page;
struct sk_buff;
struct task_struct;
struct vm_area_struct;

/* ------------------------------------------------------------- rings */

/* Threads whose name a ring has already recorded (lazy naming). */
/*
 * Ring memory (sessions' rings, user ring sets): charged to the caller's
 * memory cgroup, and a request too big for it fails with -ENOMEM instead
 * of waking the cgroup's OOM killer on the caller (__GFP_RETRY_MAYFAIL;
 * churn_test's limits_and_memcg), with no allocation-failure splat.
 */
#define CTRACE_GFP_RING	(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN | \
			 __GFP_RETRY_MAYFAIL)

#define CTRACE_NAME_CACHE	64

/*
 * One CPU's ring of one session.  Only that CPU writes it, with interrupts
 * disabled, so the writer's state needs no atomics; the reader sees only
 * @page (read-only to it) and writes only @kcons.
 */
struct ctrace_ring {
	/* Writer state, private to the kernel. */
	u64 pos;		/* == page->prod */
	u64 last_ts;		/* timestamp of the last record */
	u64 pending_lost;	/* dropped, not yet reported by a LOST record */
	u64 resv_end;		/* position after the reserved record */
	u64 resv_used;		/* unread bytes once it is committed */
	u32 size;		/* data bytes, a power of two */
	u32 watermark;		/* wake the reader at this many unread bytes */
	bool armed;		/* the reader waits in poll() */

	struct ctrace_ring_page *page;	/* shared, read-only to the reader */
	struct ctrace_ring_cons *kcons;	/* shared, written by the reader */
	u8 *data;
	void *mem;		/* vmalloc area: page, then data */
	struct ctrace_session *sess;
	u32 cpu;
	u32 name_cache[CTRACE_NAME_CACHE];
	struct irq_work wakeup;
} ____cacheline_aligned;

int ctrace_ring_init(struct ctrace_ring *r, struct ctrace_session *s,
		     unsigned int cpu, struct ctrace_ring_cons *kcons);
void ctrace_ring_free(struct ctrace_ring *r);
void *ctrace_ring_reserve_slow(struct ctrace_ring *r, unsigned int size,
			       u64 ts);
void *ctrace_ring_drop(struct ctrace_ring *r);
void ctrace_ring_wake(struct ctrace_ring *r);
/* Copy a whole record (header type, size and aux set) into @r. */
bool ctrace_ring_write(struct ctrace_ring *r, const struct ctrace_session *s,
		       void *rec);
bool ctrace_ring_write_at(struct ctrace_ring *r, const struct ctrace_session *s,
			  void *rec, u64 ts);
void ctrace_ring_flush_lost(struct ctrace_ring *r, const struct ctrace_session *s);
void ctrace_ring_set_stopped(struct ctrace_ring *r);
u64 ctrace_ring_fill(const struct ctrace_ring *r);

/* ------------------------------------------------------------- targets */

/*
 * Processes (tgids) a PIDS session traces: an open-addressing table that
 * probes read without locks and that fork/free update under @lock.
 */
struct ctrace_pid_set {
	spinlock_t lock;	/* serialises writers; readers need none */
	u32 mask;		/* slots - 1 */
	u32 used;		/* live entries */
	u32 limit;		/* at most this many live entries */
	u32 overflow;		/* processes not added: table full */
	u32 slots[];		/* 0: empty, CTRACE_PID_TOMB: deleted */
};

#define CTRACE_PID_TOMB		0xffffffffU
#define CTRACE_PID_SET_SLOTS	4096

struct ctrace_target {
	enum ctrace_target_kind kind;
	bool privileged;	/* may see every user's threads */
	bool inherit;		/* follow children of the pids */
	kuid_t uid;		/* the owner, for unprivileged visibility */
	kgid_t gid;
	struct ctrace_pid_set *pids;
	struct cgroup *cgrp;
};

int ctrace_target_init_pids(struct ctrace_target *t, const u32 *pids,
			    unsigned int n, struct netlink_ext_ack *extack);
int ctrace_target_init_cgroup(struct ctrace_target *t, int fd,
			      struct netlink_ext_ack *extack);
void ctrace_target_free(struct ctrace_target *t);
/* The out-of-line parts of sched.c's inline ctrace_traced()/ctrace_tid(). */
bool ctrace_target_traced(const struct ctrace_target *t,
			  struct task_struct *p);
u32 ctrace_target_tid(const struct ctrace_target *t, struct task_struct *p);
void ctrace_target_fork(struct ctrace_target *t, struct task_struct *child);
void ctrace_target_free_task(struct ctrace_target *t, struct task_struct *p);

/* ------------------------------------------------------------- user events */

/* Ring sets one session may read: distinct users it traces at once. */
#define CTRACE_USETS_MAX	64
/* Users a session lists whose ring set another session reads. */
#define CTRACE_BUSY_MAX		CTRACE_USETS_MAX
/*
 * In a session reader's file, ring set slot i is mapped i times this many
 * pages past the consumer region: an offset, not memory.
 */
#define CTRACE_USET_STRIDE_PAGES	BIT(24)

/*
 * One user's ring set (uapi: struct ctrace_uset).  Writers (the user's
 * registered processes) and the session reading it hold references.  Its
 * layout and head are set when it is created; its ring data is allocated
 * when a session first claims it; both go with the last reference.
 */
struct ctrace_ringset {
	struct kref ref;
	struct list_head node;		/* on ctrace_usets, under ctrace_lock */
	kuid_t uid;
	void *head;			/* vmalloc: header, rings, consumers, strings */
	void *data;			/* vmalloc: ring data, set once claimed */
	u32 nr_rings;
	u64 data_size;
	unsigned long head_pages;	/* header, rings, consumers, strings */
	unsigned long data_pages;	/* per ring */
	u64 map_size;			/* mapped: each ring's data twice */
	u64 bytes_charged;		/* of head and data */
	struct ctrace_session *owner;	/* the session reading it, or NULL */
};

/* A /dev/ctrace file registered for writing user events. */
struct ctrace_writer {
	struct list_head node;		/* on ctrace_writers, under ctrace_lock */
	struct ctrace_ringset *uset;
	struct ctrace_user_ctl *ctl;	/* its control page */
	struct pid *tgid;		/* the process that registered */
	struct ctrace_session *enabled_by;
};

struct ctrace_writer *ctrace_user_register(int *err);
void ctrace_user_unregister(struct ctrace_writer *w);
struct page *ctrace_writer_page(struct ctrace_writer *w, unsigned long pgoff);
struct page *ctrace_ringset_page(struct ctrace_ringset *u, unsigned long pgoff);
void ctrace_user_session_start(struct ctrace_session *s);
void ctrace_user_session_stop(struct ctrace_session *s);
void ctrace_user_session_destroy(struct ctrace_session *s);
void ctrace_user_session_release(struct ctrace_session *s);
u64 ctrace_user_bytes(kuid_t *uid);
unsigned long ctrace_user_base_pgoff(const struct ctrace_session *s);

/* ------------------------------------------------------------- sessions */

struct ctrace_session_params {
	u32 buf_size;
	u64 latency_ns;		/* the latency trigger, 0: none */
	u32 watermark;		/* percent */
	u64 events;
	u32 flags;
	enum ctrace_clock clock;
	enum ctrace_target_kind target;
	const u32 *pids;
	unsigned int nr_pids;
	int cgroup_fd;
};

struct ctrace_session {
	u32 id;
	struct kref ref;
	enum ctrace_session_state state;
	bool dead;		/* destroyed: no longer in the table */

	/* Immutable after creation; the probes read these. */
	u64 events;
	u32 flags;
	enum ctrace_clock clock;
	struct ctrace_target target;
	struct ctrace_ring **cpu_ring;	/* [nr_cpu_ids], NULL if impossible */

	/* Owner: the netlink socket that created it, and its user. */
	struct net *owner_net;
	u32 owner_portid;
	kuid_t owner_uid;
	pid_t owner_pid;
	struct file *reader;	/* the attached /dev/ctrace file, if any */

	/* Memory and its mapping layout (see uapi "Mapped rings"). */
	u32 nr_rings;
	struct ctrace_ring *rings;	/* [nr_rings] */
	void *meta;		/* meta area, meta_pages pages */
	void *cons;		/* consumer area, cons_pages pages */
	unsigned long meta_pages, ring_pages, cons_pages;
	u64 buf_size;
	u64 bytes_charged;		/* of head and data */	/* counted against the limits */

	struct list_head active;	/* on ctrace_active while running */
	wait_queue_head_t wq;		/* readers in poll() */
	struct delayed_work tick;	/* clock snapshots, loss notices */
	u64 lost_notified;
	unsigned long restated;	/* jiffies of the last RESTATE, 0: none */

	/* The latency trigger (latency.c), or NULL: immutable once set. */
	struct ctrace_latency *lat;

	/* User ring sets this session reads (user.c), by slot. */
	struct ctrace_ringset *usets[CTRACE_USETS_MAX];
	/*
	 * Users whose processes it traces but whose ring set another session
	 * reads: their user events do not reach this session (user.c).
	 * Written under ctrace_lock; genl.c reads them without it: an entry
	 * is filled in before nr_busy counts it (release/acquire).
	 */
	u32 nr_busy;		/* in busy[] */
	bool busy_overflow;	/* more than CTRACE_BUSY_MAX of them */
	struct {
		kuid_t uid;
		u32 holder;	/* the reading session's ID, when last seen */
	} busy[CTRACE_BUSY_MAX];
};

extern struct mutex ctrace_lock;
extern atomic64_t ctrace_mem_bytes;
extern struct list_head ctrace_active;

/* Module parameters (main.c). */
extern unsigned int ctrace_max_buffer_mb;
extern unsigned int ctrace_user_buffer_kb;
extern unsigned int ctrace_max_sessions;
extern unsigned int ctrace_user_ring_kb;

int ctrace_session_create(const struct ctrace_session_params *p,
			  struct net *net, u32 portid,
			  struct netlink_ext_ack *extack,
			  struct ctrace_session **out);
struct ctrace_session *ctrace_session_find(u32 id,
					   struct netlink_ext_ack *extack);
struct ctrace_session *ctrace_session_find_locked(u32 id);
int ctrace_session_start(struct ctrace_session *s,
			 struct netlink_ext_ack *extack);
int ctrace_session_restate(struct ctrace_session *s,
			   struct netlink_ext_ack *extack);
int ctrace_session_stop(struct ctrace_session *s,
			struct netlink_ext_ack *extack);
void ctrace_session_destroy(struct ctrace_session *s);
void ctrace_session_put(struct ctrace_session *s);
bool ctrace_session_visible(const struct ctrace_session *s);
void ctrace_session_release_owner(struct net *net, u32 portid);
void ctrace_session_destroy_all(void);
struct ctrace_session *ctrace_session_next(u32 *id);
u32 ctrace_session_count(void);
u64 ctrace_session_bytes(kuid_t *uid);
u64 ctrace_session_events(const struct ctrace_session *s);
u64 ctrace_session_lost(const struct ctrace_session *s);
struct page *ctrace_session_page(struct ctrace_session *s, unsigned long pgoff);
void ctrace_session_fill_meta(struct ctrace_session *s);

/* ------------------------------------------------------------- probes */

int ctrace_sched_init(void);
int ctrace_sched_activate(struct netlink_ext_ack *extack);
void ctrace_sched_deactivate(void);
int ctrace_syscall_init(void);
int ctrace_syscall_activate(struct ctrace_session *s, struct netlink_ext_ack *extack);
void ctrace_syscall_deactivate(struct ctrace_session *s);
void ctrace_sched_snapshot(struct ctrace_session *s, u32 flags);

/* ------------------------------------------------------------- genl.c */

int ctrace_genl_init(void);
void ctrace_genl_exit(void);
int ctrace_genl_notify(struct ctrace_session *s, u8 cmd);
int ctrace_genl_notify_latency(struct ctrace_session *s, u32 tid, u64 ns);

/* latency.c */
struct ctrace_latency;
int ctrace_lat_init(struct ctrace_session *s, u64 threshold_ns);
void ctrace_lat_runnable(struct ctrace_session *s, u32 tid, u64 now);
void ctrace_lat_running(struct ctrace_session *s, u32 tid, u64 now);
void ctrace_lat_stop(struct ctrace_session *s);
void ctrace_lat_free(struct ctrace_session *s);

/* ------------------------------------------------------------- reader.c */

extern const struct file_operations ctrace_dev_fops;

/* ------------------------------------------------------------- abi.c */

void ctrace_abi_check(void);

/* ------------------------------------------------------------- clock.c */

bool ctrace_clock_usable(enum ctrace_clock clock);
enum ctrace_clock ctrace_clock_resolve(enum ctrace_clock requested,
				       struct netlink_ext_ack *extack);
u64 ctrace_clock_tsc_khz(void);
void ctrace_clock_snapshot(struct ctrace_session *s, u16 why);

#endif /* _CTRACE_KMOD_H */
