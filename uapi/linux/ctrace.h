/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ctrace: the user-kernel ABI.
 *
 * This one header is the contract between ctrace.ko, libctrace and the
 * tools; all three include it unmodified.  Rules (docs/abi.md):
 *
 *  - fixed-width types only, every pad named, no bitfields;
 *  - reserved fields and unknown flags must be zero, and are refused if not;
 *  - numbering is append-only: commands, attributes and enum values start
 *    at 1 and are never reused; "_MAX" values are not ABI;
 *  - every layout is pinned at compile time, by BUILD_BUG_ON in the module
 *    (kmod/abi.c) and static_assert in user space (tools/tracefile/abi.c).
 */
#ifndef _UAPI_LINUX_CTRACE_H
#define _UAPI_LINUX_CTRACE_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Version of this ABI.  Bumped only for an incompatible change, which the
 * rules above exist to avoid; additions are announced by feature bits.
 */
#define CTRACE_ABI_VERSION	1

/* The character device; its mode is 0666, access is checked per request. */
#define CTRACE_DEVICE_NAME	"ctrace"
#define CTRACE_DEVICE_PATH	"/dev/ctrace"

/* ------------------------------------------------------------------------
 * Generic netlink
 *
 * Family "ctrace", version CTRACE_GENL_VERSION.  A reply reuses its
 * request's command; notifications, sent to the multicast group
 * CTRACE_GENL_MCGRP_EVENTS, have commands of their own.  Every refusal
 * carries an errno and an extack message.
 */
#define CTRACE_GENL_NAME		"ctrace"
#define CTRACE_GENL_VERSION		1
#define CTRACE_GENL_MCGRP_EVENTS	"events"

enum ctrace_cmd {
	CTRACE_CMD_UNSPEC,
	/*
	 * GET_INFO: what this module offers.  Request: optionally
	 * CTRACE_A_CLOCK, to ask whether that clock can be used.  Reply:
	 * ABI_VERSION, FEATURES, NR_CPUS, CLOCK (the clock CTRACE_CLOCK_AUTO
	 * resolves to, or the requested one), TSC_KHZ (0 unless the cycle
	 * counter is usable), SESSIONS, MEM_BYTES.
	 */
	CTRACE_CMD_GET_INFO = 1,
	/*
	 * SESSION_NEW: create a session, owned by the requesting socket.
	 * Request: exactly one target (TARGET_PIDS, TARGET_CGROUP_FD or
	 * TARGET_ALL); optionally BUF_SIZE, EVENTS, SESSION_FLAGS, CLOCK,
	 * WATERMARK.  Reply: the session, as SESSION_GET describes it.
	 */
	CTRACE_CMD_SESSION_NEW = 2,
	/* SESSION_START/STOP/DESTROY: request SESSION_ID; reply: an ack. */
	CTRACE_CMD_SESSION_START = 3,
	CTRACE_CMD_SESSION_STOP = 4,
	CTRACE_CMD_SESSION_DESTROY = 5,
	/*
	 * SESSION_GET: request SESSION_ID, or a dump (NLM_F_DUMP) of every
	 * session the caller may see.  Reply: SESSION_ID, SESSION_STATE,
	 * OWNER_UID, OWNER_PID, TARGET_KIND, PRIVILEGED, CLOCK, BUF_SIZE,
	 * EVENTS, SESSION_FLAGS, EVENTS_WRITTEN, LOST, TARGET_OVERFLOW, RINGS,
	 * USETS_BUSY (and, when not 0, BUSY_USETS, USETS_BUSY_MORE).
	 */
	CTRACE_CMD_SESSION_GET = 6,
	/* Notifications, with SESSION_ID, SESSION_STATE, EVENTS_WRITTEN, LOST. */
	CTRACE_CMD_NTF_STARTED = 7,
	CTRACE_CMD_NTF_STOPPED = 8,
	CTRACE_CMD_NTF_LOSING = 9,	/* events were lost since the last one */
	/*
	 * SESSION_RESTATE: request SESSION_ID of a running session; reply: an
	 * ack.  The module writes a CLOCK record and a THREAD record (flags
	 * SNAPSHOT | RESTATE) for every thread the session traces, with its
	 * name and state, as at the start.  A flight recorder asks for this
	 * at each generation, so that a window cut out of the stream names
	 * every thread and knows its state from its start.  At most one per
	 * 10 ms per session (else EBUSY).
	 */
	CTRACE_CMD_SESSION_RESTATE = 10,
	/*
	 * SESSION_SNAPSHOT: request SESSION_ID; reply: an ack, or -ESRCH
	 * when nobody listens to the events group.  The module sends
	 * NTF_SNAPSHOT for the session: its flight recorder writes its window.
	 */
	CTRACE_CMD_SESSION_SNAPSHOT = 11,
	/* Notification: SESSION_ID, SESSION_STATE, EVENTS_WRITTEN, LOST. */
	CTRACE_CMD_NTF_SNAPSHOT = 12,
	/*
	 * Notification: a thread the session traces waited longer than its
	 * LATENCY_TRIGGER to run (wakeup or preemption to switch-in).  As
	 * NTF_STARTED, and TID, LATENCY.  At most one is on its way at a
	 * time: waits over the threshold meanwhile are not reported.
	 */
	CTRACE_CMD_NTF_LATENCY = 13,

	__CTRACE_CMD_MAX,
};

#define CTRACE_CMD_MAX (__CTRACE_CMD_MAX - 1)

enum ctrace_attr {
	CTRACE_A_UNSPEC,
	CTRACE_A_ABI_VERSION = 1,	/* u32 */
	CTRACE_A_FEATURES = 2,		/* u64: CTRACE_FEAT_* */
	CTRACE_A_NR_CPUS = 3,		/* u32: possible CPUs (nr_cpu_ids) */
	CTRACE_A_CLOCK = 4,		/* u32: enum ctrace_clock */
	CTRACE_A_TSC_KHZ = 5,		/* u64 */
	CTRACE_A_PAD = 6,		/* alignment padding for u64 attributes */
	CTRACE_A_SESSION_ID = 7,	/* u32, >= 1 */
	/* u32: bytes per CPU ring, a power of two in [BUF_SIZE_MIN, _MAX] */
	CTRACE_A_BUF_SIZE = 8,
	CTRACE_A_EVENTS = 9,		/* u64: CTRACE_EV_* */
	CTRACE_A_SESSION_FLAGS = 10,	/* u32: CTRACE_SF_* */
	/* binary: __u32 process IDs (in the caller's pid namespace) */
	CTRACE_A_TARGET_PIDS = 11,
	CTRACE_A_TARGET_CGROUP_FD = 12,	/* u32: fd of a cgroup v2 directory */
	CTRACE_A_TARGET_ALL = 13,	/* flag */
	/* u32: wake the reader when a ring is this many percent full */
	CTRACE_A_WATERMARK = 14,
	CTRACE_A_SESSION_STATE = 15,	/* u32: enum ctrace_session_state */
	CTRACE_A_OWNER_UID = 16,	/* u32 */
	CTRACE_A_OWNER_PID = 17,	/* u32 */
	CTRACE_A_RINGS = 18,		/* nest of CTRACE_A_RING */
	CTRACE_A_RING = 19,		/* nest: enum ctrace_ring_attr */
	CTRACE_A_EVENTS_WRITTEN = 20,	/* u64: events recorded, all CPUs */
	CTRACE_A_LOST = 21,		/* u64: events lost, all CPUs */
	CTRACE_A_TARGET_KIND = 22,	/* u32: enum ctrace_target_kind */
	CTRACE_A_PRIVILEGED = 23,	/* flag: sees every user's threads */
	/* u32: children not followed because the target table was full */
	CTRACE_A_TARGET_OVERFLOW = 24,
	CTRACE_A_SESSIONS = 25,		/* u32: sessions in the table */
	/* u64: bytes of ring memory allocated, including sessions that were
	 * destroyed but are still mapped by their reader
	 */
	CTRACE_A_MEM_BYTES = 26,
	/* u64 ns, 1 us to 60 s: SESSION_NEW's latency trigger (NTF_LATENCY) */
	CTRACE_A_LATENCY_TRIGGER = 27,
	CTRACE_A_TID = 28,		/* u32 */
	CTRACE_A_LATENCY = 29,		/* u64 ns */
	/*
	 * SESSION_GET: users whose processes the session traces but whose
	 * ring set another session reads (one reader per ring set): their
	 * user events are not recorded here.  u32: how many are listed in
	 * BUSY_USETS (at most 64; the flag USETS_BUSY_MORE says others
	 * were left out).  Appended later: absent means none.
	 */
	CTRACE_A_USETS_BUSY = 30,
	CTRACE_A_BUSY_USETS = 31,	/* nest of CTRACE_A_BUSY_USET */
	CTRACE_A_BUSY_USET = 32,	/* nest: enum ctrace_busy_attr */
	CTRACE_A_USETS_BUSY_MORE = 33,	/* flag */

	__CTRACE_A_MAX,
};

#define CTRACE_A_MAX (__CTRACE_A_MAX - 1)

/* Per-ring statistics, nested in CTRACE_A_RING. */
enum ctrace_ring_attr {
	CTRACE_RING_A_UNSPEC,
	CTRACE_RING_A_CPU = 1,		/* u32 */
	CTRACE_RING_A_EVENTS = 2,	/* u64: events recorded */
	CTRACE_RING_A_LOST = 3,		/* u64: events dropped, ring full */
	CTRACE_RING_A_BYTES = 4,	/* u64: bytes written (free running) */
	CTRACE_RING_A_FILL = 5,		/* u64: bytes written, not yet read */
	CTRACE_RING_A_SIZE = 6,		/* u64: data bytes */
	CTRACE_RING_A_PAD = 7,

	__CTRACE_RING_A_MAX,
};

#define CTRACE_RING_A_MAX (__CTRACE_RING_A_MAX - 1)

/* A ring set another session reads, nested in CTRACE_A_BUSY_USET. */
enum ctrace_busy_attr {
	CTRACE_BUSY_A_UNSPEC,
	CTRACE_BUSY_A_UID = 1,		/* u32: whose ring set */
	CTRACE_BUSY_A_SESSION_ID = 2,	/* u32: the session that reads it */

	__CTRACE_BUSY_A_MAX,
};

#define CTRACE_BUSY_A_MAX (__CTRACE_BUSY_A_MAX - 1)

/* Feature bits reported by GET_INFO. */
#define CTRACE_FEAT_INFO	_BITULL(0)	/* GET_INFO (always set) */
#define CTRACE_FEAT_SESSIONS	_BITULL(1)	/* sessions, rings, sched events */
#define CTRACE_FEAT_USER	_BITULL(2)	/* user events: REGISTER, ring sets */

/* Event groups a session records (CTRACE_A_EVENTS). */
#define CTRACE_EV_SWITCH	_BITULL(0)	/* context switches */
#define CTRACE_EV_WAKEUP	_BITULL(1)	/* wakeups, new-task wakeups */
#define CTRACE_EV_TASK		_BITULL(2)	/* fork, exec, exit, rename */
#define CTRACE_EV_MIGRATE	_BITULL(3)	/* migrations between CPUs */
#define CTRACE_EV_USER		_BITULL(4)	/* the targets' user events */
/*
 * System calls of the traced threads: entry and exit.  Not in ALL (the
 * default): while a session records them, every thread of the system
 * takes the kernel's slower syscall path (the syscall tracepoints' flag).
 */
#define CTRACE_EV_SYSCALL	_BITULL(5)
#define CTRACE_EV_ALL		(CTRACE_EV_SWITCH | CTRACE_EV_WAKEUP | \
				 CTRACE_EV_TASK | CTRACE_EV_MIGRATE | \
				 CTRACE_EV_USER)
/* Every group a session may ask for. */
#define CTRACE_EV_MASK		(CTRACE_EV_ALL | CTRACE_EV_SYSCALL)

/* Session flags (CTRACE_A_SESSION_FLAGS). */
#define CTRACE_SF_INHERIT	0x00000001U	/* trace children of target PIDs */
#define CTRACE_SF_ALL		CTRACE_SF_INHERIT

#define CTRACE_BUF_SIZE_MIN	4096U
#define CTRACE_BUF_SIZE_MAX	0x10000000U	/* 256 MiB */
#define CTRACE_BUF_SIZE_DEFAULT	0x00100000U	/* 1 MiB */
#define CTRACE_WATERMARK_DEFAULT 50
#define CTRACE_MAX_TARGET_PIDS	1024

enum ctrace_target_kind {
	CTRACE_TARGET_PIDS = 1,
	CTRACE_TARGET_CGROUP = 2,
	CTRACE_TARGET_ALL = 3,
};

enum ctrace_session_state {
	CTRACE_SESSION_CREATED = 1,
	CTRACE_SESSION_RUNNING = 2,
	CTRACE_SESSION_STOPPED = 3,
};

/*
 * The clock every event of a session is stamped with.  Kernel and user
 * events use the same one, so they merge without after-the-fact alignment.
 */
enum ctrace_clock {
	CTRACE_CLOCK_AUTO = 0,	/* request only: TSC where trusted, else MONO */
	/*
	 * The x86 time-stamp counter, read with RDTSC.  Offered only while the
	 * kernel trusts it (not marked unstable), so it is synchronized across
	 * CPUs.  Converted to CLOCK_MONOTONIC through clock snapshots.
	 */
	CTRACE_CLOCK_TSC = 1,
	/*
	 * CLOCK_MONOTONIC in ns: the vDSO in user space, the fast NMI-safe
	 * accessor in the kernel.
	 */
	CTRACE_CLOCK_MONO = 2,

	__CTRACE_CLOCK_MAX,
};

#define CTRACE_CLOCK_MAX (__CTRACE_CLOCK_MAX - 1)

/* ------------------------------------------------------------------------
 * ioctl on /dev/ctrace
 *
 * Magic 0xC7 (free in Documentation/userspace-api/ioctl/ioctl-number.rst).
 * Numbers are never reused; retired ones are listed here.
 */
#define CTRACE_IOC_MAGIC	0xC7

/*
 * ATTACH: make this file the reader of a session.  One reader per
 * session; the caller must own the session or have CAP_PERFMON.  Closing
 * the reader tears the session down, as closing its netlink socket does.
 * Then mmap offset 0 for meta_size bytes to read struct ctrace_meta.
 */
struct ctrace_attach {
	__u32 size;		/* in: sizeof(struct ctrace_attach) */
	__u32 session_id;	/* in */
	__u32 flags;		/* in: must be 0 */
	__u32 reserved;		/* in: must be 0 */
	__u64 meta_size;	/* out: bytes of the meta area at offset 0 */
};

#define CTRACE_ATTACH_SIZE_VER0	24
#define CTRACE_IOC_ATTACH	_IOWR(CTRACE_IOC_MAGIC, 1, struct ctrace_attach)

/* ------------------------------------------------------------------------
 * Mapped rings
 *
 * An attached reader maps two regions of its /dev/ctrace file:
 *
 *   offset 0         read-only:  meta area | ring page 0 | data 0 | ...
 *   meta.cons_off    read-write: struct ctrace_ring_cons per ring
 *
 * Any page-aligned part of the read-only region may be mapped, without
 * PROT_WRITE; the consumer region is mapped whole, MAP_SHARED.  Offsets
 * are published in the meta area, never hardcoded.  Positions are free-
 * running byte counts: data of ring r lies at data_off + (pos % data_size).
 *
 * Ordering (docs/design.md has the full table):
 *   kernel: write record; smp_store_release(page->prod)      [K1]
 *   reader: smp_load_acquire(page->prod) [pairs with K1]; read records;
 *           smp_store_release(cons->cons)                    [R1]
 *   kernel: smp_load_acquire(cons->cons) [pairs with R1]; reuse space
 * The kernel never trusts cons: a wrong value can only make it drop
 * records or overwrite records this reader has not read.
 */
#define CTRACE_META_MAGIC	0x43545243	/* "CRTC" */
#define CTRACE_META_VERSION	1

struct ctrace_meta {
	__u32 magic;		/* CTRACE_META_MAGIC */
	__u32 version;		/* CTRACE_META_VERSION */
	__u32 size;		/* sizeof(struct ctrace_meta) as built */
	__u32 session_id;
	__u32 clock;		/* enum ctrace_clock */
	__u32 nr_rings;
	__u32 ring_desc_off;	/* offset of ctrace_ring_desc[nr_rings] */
	__u32 ring_desc_size;	/* sizeof(struct ctrace_ring_desc) */
	__u64 meta_size;	/* bytes of the meta area (whole pages) */
	__u64 ro_size;		/* bytes of the read-only region */
	__u64 cons_off;		/* mmap offset of the consumer region */
	__u64 cons_size;	/* its bytes (whole pages) */
	__u64 data_size;	/* bytes of each ring's data */
	__u64 tsc_khz;		/* for CTRACE_CLOCK_TSC; else 0 */
	__u64 features;		/* CTRACE_META_F_* */
	__u64 uset_gen;		/* changes whenever the ring set table does */
	__u32 uset_desc_off;	/* offset of ctrace_uset_desc[uset_desc_max] */
	__u32 uset_desc_max;
	__u64 reserved[2];
};

/* What the mapped rings hold; readers ignore bits they do not know. */
#define CTRACE_META_F_KERNEL_RINGS	_BITULL(0)	/* struct ctrace_krec records */
#define CTRACE_META_F_USER_SETS		_BITULL(1)	/* ring set table */

/*
 * The user ring sets this session reads (one per user whose processes it
 * traces), in a table in the meta area.  The reader re-reads the table when
 * meta->uset_gen changes (load-acquire), and maps an ACTIVE entry's ring
 * set read-write (it writes the consumer positions in it) at @off.
 */
struct ctrace_uset_desc {
	__u32 uid;		/* whose processes write it */
	__u32 state;		/* CTRACE_USET_DESC_* */
	__u64 off;		/* mmap offset in the reader's file */
	__u64 size;		/* bytes to map (the data of each ring twice) */
	__u64 reserved;
};

#define CTRACE_USET_DESC_EMPTY	0
#define CTRACE_USET_DESC_ACTIVE	1

struct ctrace_ring_desc {
	__u32 cpu;
	__u32 reserved;
	__u64 page_off;		/* mmap offset of struct ctrace_ring_page */
	__u64 data_off;		/* mmap offset of the data */
	__u64 cons_off;		/* mmap offset of struct ctrace_ring_cons */
};

/* Written only by the kernel; read-only to the reader. */
struct ctrace_ring_page {
	__u64 prod;		/* bytes committed; store-release [K1] */
	__u64 events;		/* events recorded */
	__u64 lost;		/* events dropped because the ring was full */
	__u64 lost_reported;	/* of those, reported by LOST records */
	__u32 cpu;
	__u32 flags;		/* CTRACE_RING_F_* */
	__u64 reserved[3];
};

/* The kernel has written its last record to this ring. */
#define CTRACE_RING_F_STOPPED	0x00000001U

/* Written by the reader. */
struct ctrace_ring_cons {
	__u64 cons;		/* bytes consumed; store-release [R1] */
	/*
	 * User ring sets: the ring's lost count as far as its readers have
	 * reported it (their LOST records), for the next reader to count
	 * from; a set outlives sessions.  Kernel rings: 0, never read.
	 */
	__u64 lost_read;
	__u64 reserved[6];
};

/* A thread ID the session may not see (another user's thread). */
#define CTRACE_TID_HIDDEN	0xffffffffU
/* Thread names, as the kernel's comm: up to 15 bytes and a NUL. */
#define CTRACE_COMM_LEN		16

/* ------------------------------------------------------------------------
 * User events: ring sets
 *
 * Programs write their own events (libctrace, or this ABI directly) into
 * per-CPU rings they map writable, with no system call per event.  The
 * rings of one user form a ring set, shared by every process of that user
 * (as LTTng's per-UID buffers): memory is spent per user, not per process,
 * and no process can map another user's set.  The kernel allocates and maps
 * ring sets but never reads them: everything in them is written by user
 * space and is hostile input to readers.
 *
 * A process opens /dev/ctrace and REGISTERs; it then maps a read-only
 * control page (offset ctl_off) and its user's ring set (offset uset_off,
 * read-write).  While no session records it, ctl->enabled is 0 and each
 * event costs that one load.  A session that traces the process (and has
 * CTRACE_EV_USER) sets it, with the session's clock.  One session at a time
 * reads a user's ring set; a second session tracing the same user's
 * processes gets their kernel events but not their user events, and its
 * SESSION_GET says so (CTRACE_A_USETS_BUSY, CTRACE_A_BUSY_USETS).
 *
 * Without the module (user-only mode) ctrace-dump creates a ring set in a
 * memfd with the same layout, control page first, and passes its fd to the
 * traced program in CTRACE_USER_FD.
 */
struct ctrace_register {
	__u32 size;		/* in: sizeof(struct ctrace_register) */
	__u32 flags;		/* in: must be 0 */
	__u64 ctl_off;		/* out: mmap offset of struct ctrace_user_ctl */
	__u64 ctl_size;		/* out: its bytes (one page) */
	__u64 uset_off;		/* out: mmap offset of the ring set */
	__u64 uset_size;	/* out: its bytes, to map read-write */
	__u64 reserved;		/* in: 0 */
};

#define CTRACE_REGISTER_SIZE_VER0	48
#define CTRACE_IOC_REGISTER	_IOWR(CTRACE_IOC_MAGIC, 2, struct ctrace_register)

/* The control page: read-only to the process, written by the kernel. */
struct ctrace_user_ctl {
	__u32 enabled;		/* 0, or gen: write events now (load it first) */
	__u32 gen;		/* changes whenever enabled or clock does */
	__u32 clock;		/* enum ctrace_clock, valid while enabled */
	__u32 magic;		/* CTRACE_USER_CTL_MAGIC */
	__u32 version;		/* CTRACE_USER_CTL_VERSION */
	__u32 size;		/* sizeof(struct ctrace_user_ctl) */
	__u64 session_id;	/* the session recording, while enabled */
	__u64 reserved[4];
};

#define CTRACE_USER_CTL_MAGIC	0x4c544355	/* "UCTL" */
#define CTRACE_USER_CTL_VERSION	1

/*
 * A ring set, as mapped (the "virtual" layout):
 *
 *   0            struct ctrace_uset (this header), one page
 *   rings_off    struct ctrace_uring[nr_rings], written by writers
 *   cons_off     struct ctrace_ring_cons[nr_rings], written by the reader
 *   strings_off  the string table (struct ctrace_ustring entries)
 *   data_off     ring i's data at data_off + i * 2 * data_size, mapped
 *                twice in a row, so that a record never needs to wrap
 *
 * In a memfd (user-only mode) the data of ring i is stored once, at
 * backing_data_off + i * data_size; whoever maps it maps it twice.  The
 * header is written once by its creator; writers and readers take the
 * layout from the kernel (REGISTER, the session's table) or, in user-only
 * mode, read it once before any other process can write it.
 *
 * Positions are free-running byte counts.  One writer at a time per ring:
 * with CTRACE_USET_F_RSEQ, a writer reserves, writes and commits (one store
 * of prod) inside a restartable sequence bound to the ring's CPU; with
 * CTRACE_USET_F_LOCKED (no rseq) it holds the ring's lock word, taken with
 * a compare-and-swap and never waited for: a writer that finds it taken
 * drops the event and counts it.
 *
 *   writer: write the record; store-release prod          [U1]
 *   reader: load-acquire prod [pairs with U1]; read; store-release cons [U2]
 *   writer: load-acquire cons [pairs with U2] before reusing space
 */
struct ctrace_uset {
	__u32 magic;		/* CTRACE_USET_MAGIC */
	__u32 version;		/* CTRACE_USET_VERSION */
	__u32 header_size;	/* sizeof(struct ctrace_uset) */
	__u32 nr_rings;		/* one per possible CPU, indexed by CPU */
	__u64 data_size;	/* bytes of each ring, a power of two */
	__u64 rings_off;
	__u64 cons_off;
	__u64 strings_off;
	__u64 strings_size;
	__u64 data_off;
	__u64 backing_data_off;
	__u64 map_size;		/* bytes of the mapped layout */
	__u32 flags;		/* CTRACE_USET_F_* */
	__u32 uid;		/* whose ring set */
	__u64 strings_pos;	/* bytes of the string table in use (writers) */
	__u32 next_string_id;	/* the last ID handed out (writers); IDs >= 1 */
	__u32 reserved0;
	/*
	 * Writers add 1 (atomic) to ask the recorder for a flight-recorder
	 * snapshot: ctrace_snapshot().  The recorder only compares it with
	 * the value it saw last; the kernel never reads it.
	 */
	__u64 snapshot_req;
	__u64 reserved[3];
};

#define CTRACE_USET_MAGIC	0x54455355	/* "USET" */
#define CTRACE_USET_VERSION	1
#define CTRACE_USET_F_RSEQ	0x00000001U	/* writers use rseq */
#define CTRACE_USET_F_LOCKED	0x00000002U	/* writers use the lock word */

/* One ring's producer state: written by writers only. */
struct ctrace_uring {
	__u64 prod;		/* bytes committed [U1] */
	__u64 lost;		/* events dropped, ring full (atomic add) */
	__u64 lost_mark;	/* lost as of the last LOST record (a hint) */
	__u32 lock;		/* F_LOCKED: the writing thread's tid, or 0 */
	__u32 reserved0;
	__u64 reserved[4];
};

/*
 * A string table entry, 8-byte aligned.  A writer reserves the entry's
 * bytes and an ID (both fetch-and-add in the header), stores len, then
 * (after a release fence) the bytes, then stores id with release: 0 means
 * not written yet.  The table starts zeroed and is never reused, so a
 * reader can step over an entry whose writer died before its id: by len,
 * or, all zeros, up to the next word written (docs/file-format.md).
 */
struct ctrace_ustring {
	__u32 id;
	__u16 len;		/* bytes of the string, without its NUL */
	__u16 reserved;
	/* char s[len], NUL, padding to 8 */
};

#define CTRACE_USTRING_MAX	1024	/* longest string */

/* ------------------------------------------------------------------------
 * User ring records
 *
 * Every record starts with struct ctrace_urec: a full timestamp in the
 * session's clock and the writing thread's ID, then the type's payload.
 * Records are multiples of 8 bytes.  @id is a string ID of the ring set's
 * string table (a name or category), or 0.  Types not known to a reader
 * are skipped by their size.
 */
struct ctrace_urec {
	__u64 ts;
	__u32 tid;
	__u8 type;		/* enum ctrace_urec_type */
	__u8 size;		/* in 8-byte units, >= 2 */
	__u16 id;
};

enum ctrace_urec_type {
	/* LOST: events dropped on this ring so far, in all (cumulative) */
	CTRACE_UREC_LOST = 1,		/* payload: __u64 total */
	/* THREAD: the writing thread; first event of each thread, renames */
	CTRACE_UREC_THREAD = 2,		/* __u32 tgid, __u32 flags, char name[16] */
	/* Tasks: IDs from the writer, unique per process */
	CTRACE_UREC_TASK_BEGIN = 3,	/* id: name; __u64 task, __u64 parent */
	CTRACE_UREC_TASK_END = 4,	/* __u64 task */
	/* Regions: begin and end on one thread, nested; a task optional */
	CTRACE_UREC_REGION_BEGIN = 5,	/* id: name; [__u64 task] */
	CTRACE_UREC_REGION_END = 6,	/* id: name; [__u64 task] */
	/*
	 * LOG: id: category; __u64 task; __u32 message ID (0: inline),
	 * __u32 len; then len bytes of message, padded to 8
	 */
	CTRACE_UREC_LOG = 7,
	CTRACE_UREC_INSTANT = 8,	/* id: name; [__u64 task] */
	CTRACE_UREC_COUNTER = 9,	/* id: name; __s64 value */
	CTRACE_UREC_COUNTER_F = 10,	/* id: name; double value (IEEE 754) */
	/* Flows: an arrow from the BEGIN's point to the END's, any threads */
	CTRACE_UREC_FLOW_BEGIN = 11,	/* id: name; __u64 flow */
	CTRACE_UREC_FLOW_END = 12,	/* __u64 flow */

	__CTRACE_UREC_MAX,
};

struct ctrace_urec_lost {
	struct ctrace_urec h;
	__u64 total;
};

/*
 * THREAD is a claim: any writer may name any tid.  Writers write flags 0
 * (a reader refuses anything else); in a trace file, flags are the
 * dumper's verdict on the claim, where it knows the kernel's view.
 */
struct ctrace_urec_thread {
	struct ctrace_urec h;
	__u32 tgid;
	__u32 flags;		/* writers: 0; in files: CTRACE_UTHREAD_F_* */
	char name[CTRACE_COMM_LEN];
};

/*
 * The kernel's view disagrees with the claim: the tid is not a thread of
 * the process @tgid, or not one of the ring set's user.  Readers do not
 * take a name or process from such a record.  (Files only; added after
 * CTRACE_USET_VERSION 1 without a bump: the bits were a reserved 0.)
 */
#define CTRACE_UTHREAD_F_DISPUTED	0x00000001U
#define CTRACE_UTHREAD_F_ALL		CTRACE_UTHREAD_F_DISPUTED

struct ctrace_urec_task {
	struct ctrace_urec h;
	__u64 task;
	__u64 parent;		/* TASK_BEGIN only; 0: none */
};

/* REGION_BEGIN/END, INSTANT, TASK_END, FLOW_*: one optional __u64. */
struct ctrace_urec_id64 {
	struct ctrace_urec h;
	__u64 v;
};

struct ctrace_urec_log {
	struct ctrace_urec h;
	__u64 task;
	__u32 msg_id;
	__u32 len;
	/* char msg[len] when msg_id is 0, padded to 8 */
};

struct ctrace_urec_counter {
	struct ctrace_urec h;
	__u64 value;		/* COUNTER: an __s64; COUNTER_F: a double's bits */
};

/* ------------------------------------------------------------------------
 * Kernel ring records
 *
 * Every record starts with struct ctrace_krec and is a multiple of 8
 * bytes (size counts 8-byte units, header included).  Records never wrap:
 * a PAD record fills the end of the data area instead.
 *
 * Timestamps: ts_lo holds the low 32 bits of the record's clock value.
 * The high 32 bits are those of the last TIME record of the same ring,
 * which the kernel writes whenever they change (so the first record of a
 * ring is normally a TIME record).  Timestamps never decrease in a ring.
 *
 * Event counts ("events" in the ring page) exclude PAD, TIME and LOST.
 * The sequence of a ring's events, numbered from 0, has no gaps: a LOST
 * record stands for the events dropped right before it.
 */
struct ctrace_krec {
	__u8 type;		/* enum ctrace_krec_type */
	__u8 size;		/* in 8-byte units, >= 1 */
	__u16 aux;		/* type-specific, see below */
	__u32 ts_lo;
};

enum ctrace_krec_type {
	CTRACE_KREC_PAD = 1,		/* filler to the end of the data */
	CTRACE_KREC_TIME = 2,		/* struct ctrace_krec_time */
	CTRACE_KREC_LOST = 3,		/* struct ctrace_krec_lost */
	CTRACE_KREC_CLOCK = 4,		/* struct ctrace_krec_clock */
	CTRACE_KREC_SWITCH = 5,		/* struct ctrace_krec_switch */
	CTRACE_KREC_WAKEUP = 6,		/* struct ctrace_krec_wakeup */
	CTRACE_KREC_FORK = 7,		/* struct ctrace_krec_fork */
	CTRACE_KREC_EXEC = 8,		/* struct ctrace_krec_exec */
	CTRACE_KREC_EXIT = 9,		/* struct ctrace_krec_exit */
	CTRACE_KREC_RENAME = 10,	/* struct ctrace_krec_rename */
	CTRACE_KREC_MIGRATE = 11,	/* struct ctrace_krec_migrate */
	CTRACE_KREC_THREAD = 12,	/* struct ctrace_krec_thread */
	CTRACE_KREC_SYSCALL_ENTER = 13,	/* struct ctrace_krec_syscall_enter */
	CTRACE_KREC_SYSCALL_EXIT = 14,	/* struct ctrace_krec_syscall_exit */

	__CTRACE_KREC_MAX,
};

enum ctrace_thread_state {
	CTRACE_STATE_UNKNOWN = 0,
	CTRACE_STATE_RUNNING = 1,	/* on a CPU */
	CTRACE_STATE_RUNNABLE = 2,	/* preempted or yielded: wants a CPU */
	CTRACE_STATE_SLEEPING = 3,	/* interruptible sleep */
	CTRACE_STATE_BLOCKED = 4,	/* uninterruptible sleep (D) */
	CTRACE_STATE_STOPPED = 5,	/* stopped or ptrace-stopped */
	CTRACE_STATE_DEAD = 6,		/* exiting: never runs again */
};

/* TIME: sets the high 32 bits of the ring's timestamps. */
struct ctrace_krec_time {
	struct ctrace_krec h;
	__u64 ts;		/* the full clock value */
};

/* LOST: @count events were dropped (ring full) right before this. */
struct ctrace_krec_lost {
	struct ctrace_krec h;
	__u64 count;
};

/* CLOCK: the session clock and the system clocks read together. */
#define CTRACE_CLOCK_SNAP_START		1	/* aux: why */
#define CTRACE_CLOCK_SNAP_PERIODIC	2
#define CTRACE_CLOCK_SNAP_STOP		3

struct ctrace_krec_clock {
	struct ctrace_krec h;
	__u64 counter;		/* the session clock (as in ts) */
	__u64 mono;		/* CLOCK_MONOTONIC, ns */
	__u64 boot;		/* CLOCK_BOOTTIME, ns */
	__u64 real;		/* CLOCK_REALTIME, ns */
};

/* SWITCH: aux = enum ctrace_thread_state of prev | CTRACE_SWITCH_F_*. */
#define CTRACE_SWITCH_STATE_MASK	0x000f
#define CTRACE_SWITCH_F_PREEMPT		0x0010	/* involuntary */

struct ctrace_krec_switch {
	struct ctrace_krec h;
	__u32 prev_tid;		/* 0: the idle task */
	__u32 next_tid;
};

/*
 * WAKEUP: recorded on the waker's CPU.  aux = target CPU (the CPU the
 * wakee last ran on, or for a new task the one chosen for it) | flags.
 */
#define CTRACE_WAKEUP_CPU_MASK		0x3fff
#define CTRACE_WAKEUP_F_NEW		0x4000	/* a new task's first wakeup */
#define CTRACE_WAKEUP_F_IRQ		0x8000	/* waker in interrupt context */

struct ctrace_krec_wakeup {
	struct ctrace_krec h;
	__u32 tid;		/* the wakee */
	/* the thread running when the wakeup was issued (if F_IRQ: the one
	 * the interrupt interrupted)
	 */
	__u32 waker_tid;
};

/* FORK: aux = CTRACE_FORK_F_*. */
#define CTRACE_FORK_F_THREAD		0x0001	/* a thread, not a process */

struct ctrace_krec_fork {
	struct ctrace_krec h;
	__u32 parent_tid;
	__u32 child_tid;
	__u32 child_tgid;
	__u32 reserved;
	char comm[CTRACE_COMM_LEN];	/* the child's name (its parent's) */
};

/* EXEC: followed by the file name, NUL-terminated, NUL-padded to 8. */
#define CTRACE_EXEC_FILENAME_MAX	256

struct ctrace_krec_exec {
	struct ctrace_krec h;
	__u32 tid;
	__u32 old_tid;		/* differs when a non-leader thread exec'd */
	char comm[CTRACE_COMM_LEN];	/* the new name */
};

/* EXIT: aux = CTRACE_EXIT_F_*. */
#define CTRACE_EXIT_F_GROUP_DEAD	0x0001	/* the last thread of its process */

struct ctrace_krec_exit {
	struct ctrace_krec h;
	__u32 tid;
	__u32 tgid;
};

/* RENAME: the thread's new name (prctl(PR_SET_NAME), comm writes). */
struct ctrace_krec_rename {
	struct ctrace_krec h;
	__u32 tid;
	__u32 tgid;
	char comm[CTRACE_COMM_LEN];
};

/* MIGRATE: aux = destination CPU. */
struct ctrace_krec_migrate {
	struct ctrace_krec h;
	__u32 tid;
	__u32 orig_cpu;
};

/*
 * THREAD: a thread that existed when the session started (the snapshot),
 * or a thread of another process named the first time a ring mentions it.
 * aux = enum ctrace_thread_state (UNKNOWN for the latter).
 */
struct ctrace_krec_thread {
	struct ctrace_krec h;
	__u32 tid;
	__u32 tgid;
	__u32 cpu;		/* the CPU it is on or last ran on */
	__u32 flags;		/* CTRACE_THREAD_F_* */
	char comm[CTRACE_COMM_LEN];
};

/*
 * SYSCALL_ENTER and SYSCALL_EXIT: aux = the system call's number in its
 * ABI's table (CTRACE_SYSCALL_NR_MASK), | CTRACE_SYSCALL_F_COMPAT for a
 * 32-bit task's (ia32) call.  An exit's number is what the kernel had for
 * it at the exit (as ftrace's sys_exit).  Names come from the ABI's
 * <asm/unistd_64.h> / <asm/unistd_32.h>; docs/abi.md.
 */
#define CTRACE_SYSCALL_NR_MASK		0x7fff
#define CTRACE_SYSCALL_F_COMPAT		0x8000

struct ctrace_krec_syscall_enter {
	struct ctrace_krec h;
	__u32 tid;
	__u32 reserved;		/* 0 */
};

struct ctrace_krec_syscall_exit {
	struct ctrace_krec h;
	__u32 tid;
	__u32 reserved;		/* 0 */
	__s64 ret;		/* the return value: -errno on failure */
};

#define CTRACE_THREAD_F_SNAPSHOT	0x0001	/* part of the start snapshot */
#define CTRACE_THREAD_F_KTHREAD		0x0002	/* a kernel thread */
/* With SNAPSHOT: restated mid-session (SESSION_RESTATE), not at the start */
#define CTRACE_THREAD_F_RESTATE		0x0004

#endif /* _UAPI_LINUX_CTRACE_H */
