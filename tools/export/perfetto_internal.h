/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * What the Perfetto exporter's files share (docs/export.md tells what
 * comes out, packet by packet):
 *
 *   perfetto.c        the driver: a pre-pass per file (first clock
 *                     snapshot, thread names), header packets, the
 *                     merge of several files in time, clocks, packets
 *   perfetto_sched.c  kernel records -> ftrace events, bundled per CPU
 *   perfetto_track.c  user events, losses, marks -> TrackEvents on
 *                     tracks: threads, processes, tasks, counters
 *
 * One struct pf_file per input file (one machine each), all writing
 * through one struct pf_out.  Memory per file: a record per thread, a
 * bundle buffer per CPU (bounded), a bit per interned string and per
 * counter track, a record per ring: nothing grows with the events.
 *
 *   struct pf_file
 *     t, c, m ............. the trace, its cursor, its model
 *     tblocks[] (map) ..... struct pf_thread: names, tgid, tracks, open slices
 *     cpus[cpu] ........... struct pf_cpu: the FtraceEventBundle being filled
 *     rings[ring index] ... struct pf_ring: its loss track
 *     interned, counters .. keys already told to Perfetto
 */
#ifndef CTRACE_EXPORT_PERFETTO_INTERNAL_H
#define CTRACE_EXPORT_PERFETTO_INTERNAL_H

#include "export.h"
#include "model.h"
#include "pb.h"
#include "perfetto_fields.h"
#include "../tracefile/internal.h"

/* FtraceEventBundle.cpu must be below this, or trace_processor drops it. */
#define PF_MAX_CPUS		1024
/* A bundle goes out at this many events or bytes, whichever comes first. */
#define PF_BUNDLE_EVENTS	256
#define PF_BUNDLE_BYTES		(32u << 10)
/* Threads the session may not see (CTRACE_TID_HIDDEN) become one thread
 * per CPU at this pid and up: above any pid_max, so they collide with no
 * real thread, and distinct per CPU, so none "runs on two CPUs". */
#define PF_HIDDEN_PID		0x7fff0000u
#define PF_TBLOCK		256

/* Copy a record into @k if it is that big (a file's sizes were checked,
 * but a fuzzer's or a newer writer's type may surprise). */
#define PF_LOAD(k, ev) \
	((ev)->size >= sizeof(k) && memcpy(&(k), (ev)->rec, sizeof(k)))

/*
 * Packets are built in place at the end of the output buffer, each as a
 * Trace.packet field opened by pf_packet_start() and closed by
 * pf_packet_finish(); the buffer goes to the file in PF_OUT_FLUSH runs,
 * not a write per packet.
 */
#define PF_OUT_FLUSH		(1u << 20)

struct pf_out {
	FILE *f;
	struct pb_buf buf;	/* whole packets, then the one being built */
	size_t mark;		/* pb_begin() mark of the packet being built */
	uint64_t packets, bytes;
	bool write_error;
};

/* struct pf_thread.flags */
#define PT_BORN		0x01	/* created in the trace (FORK): not in the tree */
#define PT_KTHREAD	0x02
#define PT_TREE		0x04	/* listed in the ProcessTree */
#define PT_LEADER	0x08	/* ...as a process too */

struct pf_thread {
	uint32_t tid;
	uint32_t tgid;		/* 0: not known */
	uint32_t gen;		/* incarnation: +1 at each FORK of this tid */
	uint32_t flags;		/* PT_* */
	char comm[CTRACE_COMM_LEN + 1];	/* the name Perfetto was told last */
	uint64_t track;		/* its thread track's uuid; 0: none yet */
	uint64_t proc_track;	/* leaders: their process track's, or 0 */
	uint64_t last_ns;	/* the latest time put on its thread track */
	uint32_t open;		/* slices begun on it and not ended */
};

struct pf_cpu {
	struct pb_buf ev;	/* FtraceEventBundle.event entries so far */
	uint32_t n;
	bool lost;		/* events were lost before the next bundle */
};

struct pf_ring {
	uint64_t track;		/* its loss track's uuid; 0: none yet */
	uint64_t last_ns;
	bool corrupt_open;	/* a CORRUPT record's run ends at the next loss */
};

/* The clock snapshot a time converts by. */
struct pf_clock {
	uint64_t mono, boot, real;
	uint64_t offset;	/* file offset of its CLOCK record */
	bool valid;
};

struct pf_file {
	struct pf_out *out;
	const char *name;
	uint32_t machine;	/* index of the file; 0 has no machine_id */
	struct ctrace_trace *t;
	struct ctrace_cursor *c;
	struct ctrace_model *m;

	/* the next event of the merge, when has_ev */
	struct ctrace_event ev;
	bool has_ev, done;

	/* pre-pass */
	struct pf_clock first;	/* the first CLOCK record, or made up */
	uint64_t first_ns, last_ns;
	uint64_t events;
	uint64_t cur_ns;	/* of the event being exported */
	bool kernel;		/* has kernel rings */

	/* time: ftrace BOOTTIME = ns + boot_off + shift; TrackEvent
	 * MONOTONIC = ns + shift.  shift aligns machines (docs/export.md). */
	int64_t boot_off;	/* boot - mono of the latest snapshot */
	int64_t shift;
	int64_t real_boot_min, real_boot_max;	/* over its snapshots */

	/* the kernel's prev_state encoding for its version */
	uint32_t preempt_state, unknown_state;

	uint32_t kseq, useq;	/* trusted_packet_sequence_id: ftrace, tracks */
	bool useq_started;

	/* Blocks of PF_TBLOCK threads, so that a thread's address stays the
	 * same while others are added (callers hold two at once). */
	struct pf_thread **tblocks;
	size_t nr_threads;
	struct ctrace_map thread_map;	/* tid -> index */

	struct pf_cpu *cpus[PF_MAX_CPUS];
	struct pf_ring *rings;		/* by ring index in t */
	size_t nr_rings;
	struct ctrace_map interned;	/* names and categories told */
	struct ctrace_map counters[2];	/* counter tracks described: int, double */
	uint64_t problem_track;

	/* what came out, for messages */
	uint64_t ftrace_events, track_events, losses, skipped_cpus;
	bool oom, stopped;
	char error[400];
};

/* perfetto.c */
void pf_clock_event(struct pf_file *f, const struct ctrace_event *ev);
void pf_packet_start(struct pf_file *f, uint32_t seq);
void pf_packet_finish(struct pf_file *f);
static inline struct pb_buf *pf_pkt(struct pf_file *f)
{
	return &f->out->buf;
}
uint64_t pf_boot_ns(const struct pf_file *f, uint64_t ns);
uint64_t pf_mono_ns(const struct pf_file *f, uint64_t ns);
struct pf_thread *pf_thread_get(struct pf_file *f, uint32_t tid);
struct pf_thread *pf_thread_find(const struct pf_file *f, uint32_t tid);
uint64_t pf_uuid(uint32_t kind, uint32_t machine, uint64_t a, uint64_t b);
/* The thread's name as Perfetto should show it (kernel naming for the
 * idle task and the hidden ones); @buf has room for 32 bytes. */
const char *pf_comm(struct pf_file *f, uint32_t tid, uint32_t cpu, char *buf);
/* A one-thread ProcessTree after a rename of a thread the first named. */
void pf_tree_rename(struct pf_file *f, const struct pf_thread *th, uint64_t ns);

/* perfetto_sched.c */
void pf_kernel_event(struct pf_file *f, const struct ctrace_event *ev);
void pf_cpu_flush(struct pf_file *f, uint32_t cpu);
void pf_cpus_flush_all(struct pf_file *f);
void pf_cpus_free(struct pf_file *f);
/* A loss on kernel ring @cpu: its next bundle says so. */
void pf_cpu_lost(struct pf_file *f, uint32_t cpu);
int32_t pf_pid(uint32_t tid, uint32_t cpu);

/* perfetto_track.c */
extern const struct ctrace_model_sink pf_sink;
/* A thread's name changed: tell its track, if it has one. */
void pf_track_renamed(struct pf_file *f, struct pf_thread *th, uint64_t ns);
/* A mark on the file's "problems" track at @ns. */
void pf_problem_mark(struct pf_file *f, uint64_t ns, const char *what);

#endif
