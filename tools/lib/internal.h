/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libctrace internals.
 *
 *   init.c     finding and mapping the rings: /dev/ctrace REGISTER, or the
 *              ring set ctrace-dump passed in CTRACE_USER_FD
 *   write.c    appending a record: rseq (one commit store) or the lock word
 *   strings.c  interning names into the ring set's string table
 *   api.c      the public functions: building records
 */
#ifndef CTRACE_LIB_INTERNAL_H
#define CTRACE_LIB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/ctrace.h>

struct rseq;

#include "ctrace.h"

#define CTRACE_HIDDEN __attribute__((visibility("hidden")))

/* What init found; changes only in a forked child, before it runs on. */
struct ctrace_lib {
	const volatile struct ctrace_user_ctl *ctl;
	uint8_t *uset;			/* the mapped ring set */
	struct ctrace_uset *hdr;	/* == uset; shared, writable by anyone */
	struct ctrace_uring *rings;
	struct ctrace_ring_cons *cons;
	uint8_t *data;
	uint8_t *strings;
	uint64_t data_size;		/* from the kernel or our own check */
	uint64_t ring_stride;		/* 2 * data_size: ring i at data + i * it */
	uint64_t room;			/* data_size - 32: the fast path's limit */
	uint64_t mask;			/* data_size - 1 */
	uint32_t nr_fast;		/* CPUs in fast[] */
	uint64_t strings_size;
	uint32_t nr_rings;
	bool device;			/* registered with /dev/ctrace */
	bool own_set;			/* ctrace_start()'s user-only ring set */
	uint64_t ctl_size, uset_size;	/* the mappings' lengths */
	int mode;			/* CTRACE_MODE_*, 0: disabled for good */
	uint32_t tgid;
	uint64_t dropped;		/* this process's drops (atomic) */
	uint64_t aborts;		/* restarted sequences (atomic) */
	pthread_mutex_t intern_lock;
};

extern CTRACE_HIDDEN struct ctrace_lib ctrace_lib;

/* What the fast path needs of a CPU's ring, precomputed (init.c). */
struct ctrace_fast_cpu {
	struct ctrace_uring *ring;
	__u64 *cons;
	uint8_t *data;
	uint64_t reserved;
};

#define CTRACE_FAST_CPUS	4096
extern CTRACE_HIDDEN struct ctrace_fast_cpu ctrace_fast[CTRACE_FAST_CPUS];

/* Per thread. */
struct ctrace_tls {
	uint32_t tid;
	uint32_t announced_gen;		/* ctl->gen its THREAD record was for */
	bool announced;
	char name[CTRACE_COMM_LEN];	/* from ctrace_thread_name(), or "" */
	uint32_t own_rseq_state;	/* 0 untried, 1 registered, 2 failed */
	uint32_t fast_gen;		/* ctl->gen the fast path may write for */
	struct rseq *rs;		/* the thread's rseq area, for it */
};

extern CTRACE_HIDDEN __thread struct ctrace_tls ctrace_tls;

CTRACE_HIDDEN void ctrace_lib_init(void);
/* record.c: write into a ring set this process made itself (memfd). */
CTRACE_HIDDEN int ctrace_lib_adopt_fd(int fd);
/* record.c: is /dev/ctrace registered (retrying if it was not)? */
CTRACE_HIDDEN bool ctrace_lib_device(void);
CTRACE_HIDDEN uint32_t ctrace_gettid(void);

/*
 * Append one record, @len bytes (a multiple of 8, at most
 * CTRACE_RECORD_MAX) at @rec, whose header has tid, type, size and id set;
 * this fills in the timestamp.  Returns 0, or -1 when dropped (counted).
 */
#define CTRACE_RECORD_MAX	(32 + 1024)
CTRACE_HIDDEN int ctrace_emit(void *rec, uint32_t len);
/*
 * A record of at most 32 bytes, a header (type, @len, @id) and up to two
 * payload words, that the fast path (fastpath.h) did not write: @why is
 * CTRACE_FULL, CTRACE_ABORTED or CTRACE_NOT_FAST.
 */
enum { CTRACE_APPENDED = 0, CTRACE_FULL = 1, CTRACE_STOPPED = 2, CTRACE_ABORTED = -1,
       CTRACE_NOT_FAST = 3, CTRACE_RACED = 4 };
CTRACE_HIDDEN int ctrace_emit_small_slow(uint32_t type, uint32_t id, uint32_t len,
					 uint64_t p0, uint64_t p1, int why);

#ifdef CTRACE_TEST_HOOKS
/*
 * Tests only (a build of these sources with CTRACE_TEST_HOOKS, linked into
 * tests/progs/ctrace-lostrace; nothing installed has it): called in
 * emit_rseq() after a LOST total is read and before the sequence, where a
 * preemption lets another writer of this CPU commit first.
 */
extern void (*ctrace_test_after_lost_read)(void);
#endif

/* The interned ID of a literal call site, or of a string; 0 if none. */
CTRACE_HIDDEN uint32_t ctrace_intern(struct ctrace_str *s);
CTRACE_HIDDEN uint32_t ctrace_intern_bytes(const char *s, size_t len);

#endif
