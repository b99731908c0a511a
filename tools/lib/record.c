// SPDX-License-Identifier: LGPL-2.1
/*
 * ctrace_start() and ctrace_stop(): the program records itself, as Go's
 * trace.Start(f) does, with tools/recorder (ctrace-dump's engine) running
 * in a thread of ours.
 *
 * The reader thread does all the work: it sets up the session (module:
 * this process, not its children; else a user-only ring set in a memfd
 * that the library then writes into), tells ctrace_start() how that went,
 * and drains until ctrace_stop() wakes it through an eventfd.  It sleeps
 * in poll() between drains, like Go's trace reader goroutine parks; it
 * blocks every signal, so that the program's handlers run elsewhere.
 *
 * Around the edges:
 *   fork   the child has copies of the session's descriptors and rings:
 *          it lets go of them (they would keep the session alive after
 *          the parent) and is not recorded, but may start its own trace;
 *   exit   without ctrace_stop(), an atexit handler finishes the file;
 *   kill   the file decodes up to the last chunk the thread wrote.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "internal.h"
#include "recorder.h"

struct self_recorder {
	struct recorder r;
	char *path;
	pthread_t thread;
	pid_t pid;			/* the process that started it */
	int wake;			/* eventfd: ctrace_stop() -> thread */
	volatile int stop;
	/* the thread's answer to ctrace_start() */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;			/* 0 setting up, 1 running, -1 failed */
	int result;			/* setup's, then the run's */
};

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct self_recorder *rec;
static char rec_error[256];

static int fail(int err, const char *fmt, const char *what)
{
	snprintf(rec_error, sizeof(rec_error), fmt, what);
	return err;
}

static void free_self(struct self_recorder *s)
{
	if (s->wake >= 0)
		close(s->wake);
	free(s->path);
	free(s);
}

static bool should_stop(struct recorder *r, void *arg)
{
	struct self_recorder *s = arg;

	(void)r;
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
}

static void answer(struct self_recorder *s, int state, int result)
{
	pthread_mutex_lock(&s->lock);
	s->state = state;
	s->result = result;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void *reader(void *arg)
{
	struct self_recorder *s = arg;
	int err;

	prctl(PR_SET_NAME, "ctrace-reader");
	s->r.recorder_tid = syscall(SYS_gettid);
	err = recorder_setup(&s->r);
	if (!err && s->r.user_only) {
		/* Write into the ring set we just made, from now on. */
		err = ctrace_lib_adopt_fd(user_memfd(&s->r));
		if (err)
			s->r.error = "cannot map the user ring set";
	}
	if (err) {
		snprintf(rec_error, sizeof(rec_error), "%s", recorder_error(&s->r, err));
		answer(s, -1, err);
		return NULL;
	}
	answer(s, 1, 0);
	err = recorder_run(&s->r, should_stop, NULL, s);
	if (err)
		snprintf(rec_error, sizeof(rec_error), "%s", recorder_error(&s->r, err));
	s->result = err;
	return NULL;
}

static void forget_in_child(void)
{
	/* One thread here now, and the parent's recorder is not ours. */
	pthread_mutex_init(&rec_lock, NULL);
	if (rec) {
		recorder_forget(&rec->r);
		close(rec->wake);
		rec = NULL;	/* the parent's memory: left alone */
	}
}

static void stop_at_exit(void)
{
	if (rec && rec->pid == getpid())
		ctrace_stop();
}

static int start_locked(const char *path, const struct ctrace_start_opts *o)
{
	static bool hooked;
	struct self_recorder *s;
	sigset_t all, old;
	int err;

	if (rec)
		return fail(-EBUSY, "a trace is being recorded already (%s): ctrace_stop() it first",
			    rec->r.output);
	if (getenv("CTRACE_USER_FD"))
		return fail(-EBUSY, "%s records this program already", "ctrace-dump");
	if (*ctrace_enabled_word)
		return fail(-EBUSY, "%s records this program already", "another session");
	if (o && o->size != sizeof(*o))
		return fail(-EINVAL, "%s: size is not sizeof(struct ctrace_start_opts)",
			    "ctrace_start");
	if (o && o->flags & ~CTRACE_START_USER_ONLY)
		return fail(-EINVAL, "%s: unknown flags", "struct ctrace_start_opts");
	for (size_t i = 0; o && i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return fail(-EINVAL, "%s: reserved fields must be zero",
				    "struct ctrace_start_opts");
	s = calloc(1, sizeof(*s));
	if (s)
		s->path = strdup(path);
	if (!s || !s->path) {
		free(s);
		return fail(-ENOMEM, "%s", strerror(ENOMEM));
	}
	s->wake = -1;
	recorder_init(&s->r);
	s->r.output = s->path;
	s->r.who = "libctrace";
	s->pid = getpid();
	s->r.pids[0] = s->pid;
	s->r.opts.nr_pids = 1;
	s->r.opts.target = CTRACE_TARGET_PIDS;
	s->r.opts.flags = 0;	/* this process: its children are their own */
	s->r.opts.buf_size = o ? o->buffer_size : 0;
	s->r.in_process = true;
	if (o && o->flags & CTRACE_START_USER_ONLY && ctrace_lib_device()) {
		/* Registered already: a session of user events only. */
		s->r.opts.events = CTRACE_EV_USER;
	} else if (!ctrace_lib_device()) {
		if (ctrace_lib.own_set) {
			free_self(s);
			return fail(-EBUSY, "without %s, a process records one trace in its life",
				    "ctrace.ko");
		}
		s->r.user_only = true;
	}
	s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->r.wake_fd = s->wake;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (s->wake < 0) {
		err = -errno;
		free_self(s);
		return fail(err, "eventfd: %s", strerror(-err));
	}
	if (!hooked) {
		pthread_atfork(NULL, NULL, forget_in_child);
		atexit(stop_at_exit);
		hooked = true;
	}
	/* The thread inherits this mask: no signal of the program's lands in it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&s->thread, NULL, reader, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		free_self(s);
		return fail(err, "cannot start the reader thread: %s", strerror(-err));
	}
	pthread_mutex_lock(&s->lock);
	while (!s->state)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (s->state < 0) {
		err = s->result;
		pthread_join(s->thread, NULL);
		recorder_free(&s->r);
		free_self(s);
		return err;
	}
	rec = s;
	return 0;
}

int ctrace_start(const char *path, const struct ctrace_start_opts *opts)
{
	int err;

	if (!path || !*path)
		return fail(-EINVAL, "%s", "no file to write");
	pthread_mutex_lock(&rec_lock);
	err = start_locked(path, opts);
	pthread_mutex_unlock(&rec_lock);
	return err;
}

int ctrace_stop(void)
{
	uint64_t one = 1;
	int err;

	pthread_mutex_lock(&rec_lock);
	if (!rec || rec->pid != getpid()) {
		pthread_mutex_unlock(&rec_lock);
		return fail(-ENOENT, "%s", "no trace is being recorded");
	}
	/* Pairs with the load-acquire in should_stop(). */
	__atomic_store_n(&rec->stop, 1, __ATOMIC_RELEASE);
	if (write(rec->wake, &one, sizeof(one)) < 0) {
		/* Full (it cannot be): the thread looks at stop within 200 ms. */
	}
	pthread_join(rec->thread, NULL);
	err = rec->result;
	recorder_free(&rec->r);
	if (!err && rec->r.error) {
		snprintf(rec_error, sizeof(rec_error), "%s", rec->r.error);
		err = -EIO;
	}
	free_self(rec);
	rec = NULL;
	pthread_mutex_unlock(&rec_lock);
	return err;
}

const char *ctrace_start_error(void)
{
	return rec_error;
}
