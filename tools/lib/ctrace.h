/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libctrace: annotate what a C or C++ program does, on the kernel's
 * timeline, with no system call per event.  Link with -lctrace
 * (pkg-config ctrace).  Modelled on Go's runtime/trace:
 *
 *   ctrace_task_t t = ctrace_task_begin(0, "request");   // trace.NewTask
 *   struct ctrace_region r = ctrace_region_begin_in(t, "parse");
 *   ctrace_log(t, "http", "GET /index.html");            // trace.Log
 *   ctrace_logf(t, "http", "%d bytes", n);               // trace.Logf
 *   ctrace_region_end(r);                                // region.End()
 *   {
 *           CTRACE_REGION("render");     // ends at the end of the block
 *           ...
 *   }
 *   ctrace_counter("queue", depth);
 *   ctrace_task_end(t);
 *
 * Names and categories are string literals: each is interned once, on
 * its first use while tracing, and events carry a small ID, so a region
 * begin or end is 16 bytes.  The *_dyn forms take any string, at the cost
 * of a hash lookup.  While no session records the program, every call
 * costs a load or two and a branch (ctrace_enabled()).
 *
 * Events go to per-CPU rings mapped from /dev/ctrace (module loaded) or to
 * a ring set inherited from ctrace-dump (user-only mode, CTRACE_USER_FD);
 * with neither, the library stays disabled.  See docs/abi.md for writing
 * the rings without this library.
 *
 * The structures below are touched by the inline functions, so they are
 * ABI: fixed layouts with reserved fields.
 */
#ifndef CTRACE_H
#define CTRACE_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTRACE_API __attribute__((visibility("default")))

/* A string literal and its interned ID, one per call site. */
struct ctrace_str {
	const char *s;
	uint32_t id;		/* 0 until interned */
	uint32_t reserved;
};

/* Task and flow IDs: unique in the process; 0 is none. */
typedef uint64_t ctrace_task_t;
typedef uint64_t ctrace_flow_t;

struct ctrace_region {
	struct ctrace_str *name;	/* a literal's call site, or NULL */
	ctrace_task_t task;
	uint32_t dyn_id;		/* a dynamic name's ID */
	uint32_t reserved;
};

/* Points to the control page's "enabled" word (or to a zero). */
extern CTRACE_API const volatile uint32_t *ctrace_enabled_word;

static inline int ctrace_enabled(void)
{
	return __builtin_expect(*ctrace_enabled_word != 0, 0);
}

/* The out-of-line halves, called only while enabled. */
CTRACE_API void ctrace_region_begin_(struct ctrace_str *name, uint32_t dyn_id,
				     ctrace_task_t task);
CTRACE_API void ctrace_region_end_(struct ctrace_str *name, uint32_t dyn_id,
				   ctrace_task_t task);
CTRACE_API ctrace_task_t ctrace_task_begin_(ctrace_task_t parent,
					    struct ctrace_str *name,
					    const char *dyn);
CTRACE_API void ctrace_task_end_(ctrace_task_t task);
CTRACE_API void ctrace_log_(ctrace_task_t task, struct ctrace_str *category,
			    struct ctrace_str *message);
CTRACE_API void ctrace_logf_(ctrace_task_t task, struct ctrace_str *category,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
CTRACE_API void ctrace_vlogf(ctrace_task_t task, struct ctrace_str *category,
			     const char *fmt, va_list ap);
CTRACE_API void ctrace_instant_(ctrace_task_t task, struct ctrace_str *name,
				const char *dyn);
CTRACE_API void ctrace_counter_(struct ctrace_str *name, int64_t value);
CTRACE_API void ctrace_counter_f_(struct ctrace_str *name, double value);
CTRACE_API ctrace_flow_t ctrace_flow_begin_(struct ctrace_str *name);
CTRACE_API void ctrace_flow_end_(ctrace_flow_t flow);
CTRACE_API uint32_t ctrace_intern_dyn_(const char *s);

/* The call site's interned literal (GNU C statement expression). */
#define CTRACE_STR_(lit) ({						\
	static struct ctrace_str ctrace_str_ = { "" lit "", 0, 0 };	\
	&ctrace_str_;							\
})

/* ---------------------------------------------------------------- regions */

/* Begin a region on this thread, within @task (0: none).  Nestable. */
#define ctrace_region_begin_in(task_, name_) ({			\
	struct ctrace_region ctrace_r_ = { CTRACE_STR_(name_), (task_), 0, 0 }; \
	if (ctrace_enabled())						\
		ctrace_region_begin_(ctrace_r_.name, 0, ctrace_r_.task);	\
	ctrace_r_;							\
})
#define ctrace_region_begin(name) ctrace_region_begin_in(0, name)

/* The same with a name known only at run time. */
static inline struct ctrace_region ctrace_region_begin_dyn(ctrace_task_t task,
							    const char *name)
{
	struct ctrace_region r = { 0, task, 0, 0 };

	if (ctrace_enabled()) {
		r.dyn_id = ctrace_intern_dyn_(name);
		ctrace_region_begin_(0, r.dyn_id, task);
	}
	return r;
}

/* End a region, on the thread that began it. */
static inline void ctrace_region_end(struct ctrace_region r)
{
	if (ctrace_enabled())
		ctrace_region_end_(r.name, r.dyn_id, r.task);
}

static inline void ctrace_region_cleanup_(struct ctrace_region *r)
{
	if (ctrace_enabled())
		ctrace_region_end_(r->name, r->dyn_id, r->task);
}

#define CTRACE_CAT2_(a, b) a##b
#define CTRACE_CAT_(a, b) CTRACE_CAT2_(a, b)
/*
 * A region from here to the end of the enclosing block.  The variable is
 * only ever read by its cleanup function, which clang's -Wunused-variable
 * does not count as a use: hence "unused".
 */
#define CTRACE_REGION_IN(task, name)					\
	struct ctrace_region CTRACE_CAT_(ctrace_region_, __LINE__)	\
		__attribute__((cleanup(ctrace_region_cleanup_), unused)) = \
		ctrace_region_begin_in(task, name)
#define CTRACE_REGION(name) CTRACE_REGION_IN(0, name)

/* ---------------------------------------------------------------- tasks */

/* Begin a task (a logical operation, possibly spanning threads). */
#define ctrace_task_begin(parent, name)					\
	(ctrace_enabled() ? ctrace_task_begin_((parent), CTRACE_STR_(name), 0) : 0)

static inline ctrace_task_t ctrace_task_begin_dyn(ctrace_task_t parent,
						  const char *name)
{
	return ctrace_enabled() ? ctrace_task_begin_(parent, 0, name) : 0;
}

static inline void ctrace_task_end(ctrace_task_t task)
{
	if (ctrace_enabled() && task)
		ctrace_task_end_(task);
}

/* ---------------------------------------------------------------- logs */

/* A message under a category, both literals, within @task (0: none). */
#define ctrace_log(task, category, message) do {			\
	if (ctrace_enabled())						\
		ctrace_log_((task), CTRACE_STR_(category), CTRACE_STR_(message)); \
} while (0)

/* A formatted message (copied into the event). */
#define ctrace_logf(task, category, ...) do {				\
	if (ctrace_enabled())						\
		ctrace_logf_((task), CTRACE_STR_(category), __VA_ARGS__); \
} while (0)

/* ---------------------------------------------------------------- the rest */

/* A point in time worth marking, within @task (0: none). */
#define ctrace_instant(task, name) do {					\
	if (ctrace_enabled())						\
		ctrace_instant_((task), CTRACE_STR_(name), 0);		\
} while (0)

static inline void ctrace_instant_dyn(ctrace_task_t task, const char *name)
{
	if (ctrace_enabled())
		ctrace_instant_(task, 0, name);
}

/* A value over time: an integer, or a floating-point number. */
#define ctrace_counter(name, value) do {				\
	if (ctrace_enabled())						\
		ctrace_counter_(CTRACE_STR_(name), (value));		\
} while (0)
#define ctrace_counter_f(name, value) do {				\
	if (ctrace_enabled())						\
		ctrace_counter_f_(CTRACE_STR_(name), (value));		\
} while (0)

/*
 * A flow: an arrow from this point (and thread) to the point where
 * ctrace_flow_end() is called with the returned ID, on any thread.
 */
#define ctrace_flow_begin(name)						\
	(ctrace_enabled() ? ctrace_flow_begin_(CTRACE_STR_(name)) : 0)

static inline void ctrace_flow_end(ctrace_flow_t flow)
{
	if (ctrace_enabled() && flow)
		ctrace_flow_end_(flow);
}

/* Name the calling thread, in traces and for the kernel (PR_SET_NAME):
 * up to 15 bytes. */
CTRACE_API void ctrace_thread_name(const char *name);

/*
 * What the library does: 0 while nothing is mapped (no module, no
 * CTRACE_USER_FD), else CTRACE_MODE_* of the rings it writes.
 */
#define CTRACE_MODE_RSEQ	1
#define CTRACE_MODE_LOCKED	2
CTRACE_API int ctrace_mode(void);

/* What this process's writes went through, for tests and curious users. */
struct ctrace_lib_stats {
	uint64_t dropped;	/* events dropped: ring full, or its lock taken */
	uint64_t aborts;	/* restartable sequences restarted (rseq) */
	uint64_t reserved[6];
};

CTRACE_API void ctrace_get_stats(struct ctrace_lib_stats *out);

/* ------------------------------------------------- recording from inside */

/*
 * Record this process into a trace file, with no separate tool, as Go's
 * trace.Start(f) and trace.Stop():
 *
 *   if (ctrace_start("app.trace", NULL))
 *           fprintf(stderr, "%s\n", ctrace_start_error());
 *   ...
 *   ctrace_stop();
 *
 * A thread of the library ("ctrace-reader", named in the file's META as
 * recorder_tid) drains the rings into the file.  With ctrace.ko loaded
 * the file also has the scheduler's events for this process's threads
 * (any user may trace their own process); without it, user events only,
 * and the file says user_only=1.  The file is the same format as
 * ctrace-dump's and decodes up to its last chunk if the program is
 * killed; exit() without ctrace_stop() finishes it (atexit).  A forked
 * child is not recorded, and may start its own trace.
 *
 * CTRACE_TRACE=app.trace in the environment does the same when the
 * library loads, for programs that cannot be changed (the variable is
 * then removed, so that the program's children do not write there too).
 *
 * Returns 0 or a negative errno: -EBUSY when this process is recorded
 * already (a second ctrace_start, or ctrace-dump's user-only mode);
 * ctrace_start_error() says why in words.
 */
struct ctrace_start_opts {
	uint32_t size;		/* sizeof(struct ctrace_start_opts) */
	uint32_t flags;		/* CTRACE_START_* */
	uint64_t buffer_size;	/* ring bytes per CPU; 0: the default */
	uint64_t reserved[6];	/* zero */
};

/* User events only, no scheduler events (with the module loaded: a
 * session of user events; the file says events=0x10, user_only=0). */
#define CTRACE_START_USER_ONLY	(1u << 0)

CTRACE_API int ctrace_start(const char *path, const struct ctrace_start_opts *opts);
/* Finish the file: 0, or the negative errno of what went wrong while
 * recording (-ENOENT: nothing was being recorded). */
CTRACE_API int ctrace_stop(void);
CTRACE_API const char *ctrace_start_error(void);

/*
 * Ask the flight recorder that reads this process (ctrace-dump --flight)
 * to write its window now, as Go's FlightRecorder.WriteTo: the snapshot
 * holds what this process wrote before the call.  It is taken at the
 * recorder's next drain (within 20 ms).  0, or -ENODEV when nothing
 * reads this process's rings; a recorder that is not a flight recorder
 * ignores it.
 */
CTRACE_API int ctrace_snapshot(void);

#ifdef __cplusplus
}
#endif

#endif /* CTRACE_H */
