/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recorder: one session's rings into one trace file.  Two programs
 * drive it: ctrace-dump (tools/dump, a separate process) and libctrace's
 * ctrace_start() (tools/lib/record.c, a thread of the traced program).
 *
 *   recorder.c  the session, kernel rings, the drain loop, the file's
 *               META, STATS and END
 *   user.c      user ring sets: the session's table (module), or the
 *               memfd it creates itself (user-only mode)
 *
 * Use: fill the options, recorder_setup() (user-only: before the command
 * that inherits the ring set is started; module: after its PID is known),
 * recorder_run() until the stop callback says so, recorder_free().
 */
#ifndef CTRACE_RECORDER_H
#define CTRACE_RECORDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sys/types.h>

#include "ctl.h"
#include "rings.h"
#include "tracefile.h"
#include "ctrace_version.h"

/* Bytes per CPU of a user-only ring set; the module's user_ring_kb too. */
#define CTRACE_USER_RING_DEFAULT	(2u << 20)
/* A flight recorder's memory bound when its window is a time. */
#define CTRACE_FLIGHT_MAX_DEFAULT	(256ull << 20)
/* Largest run of one ring copied into one chunk. */
#define RECORDER_CHUNK_BYTES	(8u << 20)

struct ring_state {
	struct ctrace_krec_walk walk;	/* what went into the file so far */
	uint64_t chunks;
};

struct user_sets;
struct flight;
struct region_watch;

/* The flight recorder (flight.c): keep the last window, write it on a
 * trigger.  Either a time (window_ns) or a size (max_bytes alone). */
struct flight_opts {
	bool on;
	uint64_t window_ns;		/* keep at least this long, or 0 */
	uint64_t max_bytes;		/* memory bound (0: the default) */
	uint64_t gap_ns;		/* minimum time between snapshots */
	uint32_t count;			/* stop after this many; 0: never */
	const char *region;		/* trigger: a region of this name... */
	uint64_t region_ns;		/* ...longer than this */
};

struct recorder {
	/* options */
	const char *output;
	int output_fd;			/* >= 0: write here, not to output */
	struct ctrace_session_opts opts;
	uint32_t pids[CTRACE_MAX_TARGET_PIDS];
	const char *cgroup;
	uint32_t attach_id;		/* read this session, not a new one */
	char **command;			/* for META's target only */
	const char *who;		/* META recorder=: "ctrace-dump", "libctrace" */
	uint32_t recorder_tid;		/* META recorder_tid=: the reader thread */
	/* user-only mode: no module, the ring set in a memfd */
	bool user_only;
	bool user_locked;		/* writers use the lock word */
	bool in_process;		/* the memfd is ours, not a command's */
	int wake_fd;			/* >= 0: readable means "look at stop" */
	struct flight_opts fopts;
	FILE *flight_log;		/* a line per snapshot, or NULL */

	/* state */
	struct ctrace_ctl *ctl;
	int devfd, out_fd;
	uint32_t session_id;
	struct ctrace_session_info info;
	struct ctrace_rings *rings;
	struct ring_state *rs;
	struct ctrace_writer *w;
	const char *error;		/* why the last call failed */
	uint32_t clock;			/* enum ctrace_clock of the session */
	struct user_sets *user;
	/* Users whose ring set another session reads (warned about once). */
	uint32_t nr_busy;
	struct ctrace_busy_uset busy[64];
	struct flight *flight;
	struct region_watch *watch;
};

/* Defaults: output "ctrace.trace", session options as ctrace-dump's. */
void recorder_init(struct recorder *d);
/* The session (or the user-only ring set) and the file's head. 0 or -errno,
 * with d->error or the netlink error (recorder_error()) set. */
int recorder_setup(struct recorder *d);
/*
 * Drain until @should_stop says so, stop, drain the rest and finish the
 * file.  @tick runs after every drain (progress); either may be NULL.
 */
int recorder_run(struct recorder *d, bool (*should_stop)(struct recorder *, void *),
		 void (*tick)(struct recorder *, void *), void *arg);
const char *recorder_error(const struct recorder *d, int err);
/* In a forked child: let go of everything without touching the session. */
void recorder_forget(struct recorder *d);
void recorder_free(struct recorder *d);

uint64_t recorder_events(const struct recorder *d);
uint64_t recorder_lost(const struct recorder *d);
/* The session clock, now (TSC or CLOCK_MONOTONIC ns). */
uint64_t recorder_clock_now(const struct recorder *d);

/* META's text for this recording; returns its length (< @size). */
int recorder_meta_text(struct recorder *d, char *buf, size_t size);
/*
 * META's user_sets_busy line (the users whose ring set another session
 * reads, learnt so far), or nothing when there are none; returns its
 * length (< @size).  The file's last META has it, and so has each flight
 * snapshot's.
 */
int recorder_busy_text(const struct recorder *d, char *buf, size_t size);

/*
 * flight.c.  recorder_trigger() asks for a snapshot (written after the
 * next drain, unless within gap_ns of the last); it is called from the
 * recorder's thread (ctrace-dump's tick, for SIGUSR1), as are the others.
 */
void recorder_trigger(struct recorder *d, const char *why);
uint32_t recorder_snapshots(const struct recorder *d);
/* fopts.count snapshots were written: time to stop. */
bool recorder_flight_done(const struct recorder *d);
/* Bytes the window holds in memory now. */
uint64_t recorder_flight_bytes(const struct recorder *d);
int flight_setup(struct recorder *d);
int flight_after_drain(struct recorder *d);
int flight_finish(struct recorder *d);
int flight_ntf_fd(const struct recorder *d);
void flight_free(struct recorder *d);
/* Where USET and STRINGS chunks go: every snapshot needs them all. */
struct ctrace_writer *recorder_keep_writer(struct recorder *d);

/* trigger.c: NAME longer than T in these sanitised user records of
 * ring set @set, where @name_id is NAME's string ID. */
void trigger_regions(struct recorder *d, uint32_t set, uint16_t name_id,
		     const uint8_t *recs, size_t len);
void trigger_free(struct recorder *d);

/* user.c: 0 or -errno, with d->error set. */
int user_setup_memfd(struct recorder *d);
int user_memfd(const struct recorder *d);
void user_setup(struct recorder *d);
int user_drain(struct recorder *d, bool final);
int user_poll_ms(struct recorder *d);
void user_stop_writers(struct recorder *d);
uint32_t user_nr_rings(const struct recorder *d);
uint32_t user_ring_stats(const struct recorder *d, struct ctrace_ring_stats *out, uint32_t max);
uint64_t user_events(const struct recorder *d);
uint64_t user_corrupt(const struct recorder *d);
/* User THREAD records marked CTRACE_UTHREAD_F_DISPUTED (module mode). */
uint64_t user_disputed(const struct recorder *d);
int user_clock_snapshot(struct recorder *d, uint16_t why);
int user_restate_threads(struct recorder *d);
void user_free(struct recorder *d);

#endif
