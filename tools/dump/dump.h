/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctrace-dump's state, shared by its files:
 *   ctrace-dump.c  options, the session, kernel rings, the main loop
 *   user.c         user ring sets: the session's table (module), or the
 *                  memfd it creates itself (user-only mode)
 */
#ifndef CTRACE_DUMP_H
#define CTRACE_DUMP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include "ctl.h"
#include "rings.h"
#include "tracefile.h"

#define CTRACE_VERSION		"0.1"
/* Bytes per CPU of a user-only ring set; the module's user_ring_kb too. */
#define CTRACE_USER_RING_DEFAULT	(2u << 20)
/* Largest run of one ring copied into one chunk. */
#define DUMP_CHUNK_BYTES	(8u << 20)

struct ring_state {
	struct ctrace_krec_walk walk;	/* what went into the file so far */
	uint64_t chunks;
};

struct user_sets;

struct dump {
	/* options */
	const char *output;
	double duration;		/* seconds, 0: until stopped */
	uint64_t size_limit;		/* bytes, 0: none */
	struct ctrace_session_opts opts;
	uint32_t pids[CTRACE_MAX_TARGET_PIDS];
	const char *cgroup;
	uint32_t attach_id;		/* --session */
	bool quiet;
	char **command;

	/* state */
	struct ctrace_ctl *ctl;
	int devfd, out_fd;
	uint32_t session_id;
	struct ctrace_session_info info;
	struct ctrace_rings *rings;
	struct ring_state *rs;
	struct ctrace_writer *w;
	pid_t child;
	int child_status;
	struct timespec start;
	const char *error;

	/* user events (user.c) */
	bool user_only;			/* no module: ring set in a memfd */
	bool user_locked;		/* user-only: writers use the lock word */
	uint32_t clock;			/* enum ctrace_clock of the session */
	struct user_sets *user;
};

/* The session clock, now (TSC or CLOCK_MONOTONIC ns). */
uint64_t dump_clock_now(const struct dump *d);

/* user.c: 0 or -errno, with d->error set. */
int user_setup_memfd(struct dump *d);
void user_setup(struct dump *d);
int user_drain(struct dump *d, bool final);
int user_poll_ms(struct dump *d);
void user_stop_writers(struct dump *d);
uint32_t user_nr_rings(const struct dump *d);
uint32_t user_ring_stats(const struct dump *d, struct ctrace_ring_stats *out, uint32_t max);
uint64_t user_events(const struct dump *d);
uint64_t user_corrupt(const struct dump *d);
int user_clock_snapshot(struct dump *d, uint16_t why);
void user_free(struct dump *d);


#endif
