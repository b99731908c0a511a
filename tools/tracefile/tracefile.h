/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * tracefile: the one library that writes and reads ctrace trace files.
 *
 * ctrace-dump writes with ctrace_writer_*; every tool reads with
 * ctrace_trace_* and ctrace_cursor_*.  No tool parses the format itself.
 * A trace file is untrusted input: every read is bounds-checked, and a
 * corrupt or truncated file gives a message naming the offset, never a
 * crash.  The format is in format.h and docs/file-format.md.
 *
 *   recdesc.c   one descriptor per record type (recdesc.h), read by all below
 *   writer.c    chunked, CRC'd writing
 *   krec.c      walking a run of kernel ring records (shared by both sides)
 *   usan.c      checking user ring records before they go into a file
 *   reader.c    opening, indexing, merging rings into one time-ordered stream
 *   ustate.c    what user records say about threads' regions and tasks
 *   clock.c     session clock -> CLOCK_MONOTONIC ns, from CLOCK records
 *   validate.c  invariants every decoded trace must satisfy
 *   text.c      one line per event, for `ctrace report --events`
 *   crc32c.c    the chunk checksum
 */
#ifndef CTRACE_TRACEFILE_H
#define CTRACE_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/ctrace.h>

#include "format.h"

uint32_t ctrace_crc32c(uint32_t crc, const void *buf, size_t len);
/* The same without the CPU's crc32 instruction (for tests). */
uint32_t ctrace_crc32c_portable(uint32_t crc, const void *buf, size_t len);

/* ------------------------------------------------------------------------
 * Walking kernel ring records
 *
 * A cursor over one ring's record stream: where the timestamps stand and
 * how many events (and lost events) went by.  Used by ctrace-dump while it
 * copies a ring, and by the reader when it decodes a chunk.
 */
struct ctrace_krec_walk {
	uint64_t ts;		/* full timestamp of the last record seen */
	uint64_t events;	/* events seen (not PAD, TIME, LOST) */
	uint64_t lost;		/* sum of LOST counts seen */
};

/*
 * Walk the records in buf[0..len), updating @w.  Returns 0 when buf holds
 * whole, well-formed records; otherwise -EBADMSG with *bad_off set to the
 * offset of the first bad record (zero size or type, running past @len,
 * a size that does not fit its known type, time going back) and @w
 * covering what came before it.  Types this library does not know (a
 * newer kernel's) count as events and are skipped by their size.
 */
int ctrace_krec_walk(struct ctrace_krec_walk *w, const void *buf, size_t len,
		     size_t *bad_off);

/* Expected size in bytes of a record type, or 0 for variable (EXEC) or
 * unknown types.  The minimum size of EXEC is sizeof(struct ctrace_krec_exec)+8;
 * ctrace_krec_desc() (recdesc.h) has every type's rule. */
size_t ctrace_krec_fixed_size(unsigned int type);

/* ------------------------------------------------------------------------
 * User rings: checking what programs wrote, before it goes into a file
 *
 * ctrace-dump reads user rings that any process of their user may have
 * scribbled on.  These two functions are its gatekeepers (usan.c); the
 * reader applies the same rules again to what comes out of a file.
 */

/* The string IDs of one ring set known so far, and where its scan stands. */
#define CTRACE_USTRTAB_PENDING	16
struct ctrace_ustrtab {
	uint64_t scanned;	/* bytes of the table gone past so far */
	uint32_t count;		/* strings accepted */
	bool broken;		/* a malformed entry stopped the scan for good */
	/*
	 * Entries stepped over before their ID was published (a writer
	 * killed between reserving and publishing, or still writing): looked
	 * at again at every scan, oldest first.  @room is how many bytes the
	 * entry may take (up to where the scan went on).
	 */
	uint32_t nr_pending;
	struct { uint64_t off, room; } pending[CTRACE_USTRTAB_PENDING];
	uint32_t skipped;	/* entries stepped over unpublished, in all */
	uint32_t abandoned;	/* of those, given up (the list was full) */
	uint8_t known[65536 / 8];	/* bit per ID */
};

/*
 * Read the table's entries from @scanned on: @area is the table (@size
 * bytes), @pos the writers' strings_pos (untrusted: clamped to @size).
 * For each complete, well-formed entry call @emit (its return value, if
 * not 0, stops the scan and is returned).  An entry whose ID is not
 * published yet is stepped over once something after it is written (its
 * length from its header, or, header not written, up to the next word
 * that is not zero: the table is zeroed and written in order), and kept
 * pending, so that a writer killed mid-entry loses only its own string.
 * With nothing written after it, the scan resumes there next time.  A
 * malformed entry (ID beyond 65535 or already seen, length past the area
 * or above CTRACE_USTRING_MAX, no NUL) stops the scan for good (broken);
 * a malformed pending one is dropped alone.  Returns the number of new
 * entries or @emit's error.
 */
int ctrace_ustrtab_scan(struct ctrace_ustrtab *t, const void *area,
			uint64_t size, uint64_t pos,
			int (*emit)(uint32_t id, const char *s, uint16_t len,
				    void *arg),
			void *arg);

static inline bool ctrace_ustrtab_has(const struct ctrace_ustrtab *t,
				      uint32_t id)
{
	return id < 65536 && (t->known[id / 8] >> (id % 8) & 1);
}

/*
 * One user ring's state across ctrace_usan_run() calls; start it zeroed,
 * or with @lost_total at the ring's lost count when reading starts (else
 * the first LOST record reports every loss since the ring was created)
 * and @last_ts at the recording's start (the ts of a CORRUPT record
 * written before any record is kept).
 *
 * For the RING chunk of what one or more calls wrote: events = the
 * increase of @events plus that of @corrupt (CORRUPT records are events
 * in files), lost = the increase of @lost.
 */
struct ctrace_usan {
	uint64_t lost_total;	/* the running total of the last LOST record */
	uint64_t last_ts;	/* of the last record written (not CORRUPT) */
	uint64_t events;	/* records kept, LOST excepted */
	uint64_t lost;		/* lost events written as LOST deltas */
	uint64_t corrupt;	/* CORRUPT records written */
	uint64_t corrupt_bytes;
};

/*
 * Check @len bytes of records from a user ring and write what belongs in
 * the file to @out, which has room for 2 * @len + 32 bytes: well-formed
 * records as they are, LOST running totals as deltas (none when 0), and
 * one CORRUPT record (format.h) for each run of bad bytes.  A record is
 * bad when its header is (size < 2, or past @len), its type is 0 or has a
 * size that type cannot have, it names a string ID not in @strings, its
 * timestamp lies outside [@ts_min, @ts_max], or its payload does not fit
 * (LOG length).  A bad record whose size fits is skipped alone; otherwise
 * the rest of @in is.  Returns the bytes written to @out.
 *
 * Details (sizes are in recdesc.c, the rest in usan.c): types 200 and up are the
 * file's (CORRUPT) and bad here, as is a nonzero @id on the types without
 * a name (reason PAYLOAD), or a LOST total below the previous one (LOST).
 * Unknown types below 200 are kept if their id is 0 or a known string.
 * Each record is read from @in exactly once, so @in may be shared memory
 * that writers change meanwhile.  @strings may be NULL (no strings).  A
 * CORRUPT record's ts is the last written record's (@s->last_ts), or
 * @ts_min if that is later; its run is split where bytes or records would
 * overflow their fields (4 GiB, 65535).
 */
size_t ctrace_usan_run(struct ctrace_usan *s, const struct ctrace_ustrtab *strings,
		       const void *in, size_t len, void *out,
		       uint64_t ts_min, uint64_t ts_max);

/* A CORRUPT record for @bytes the dumper skipped itself (a ring's prod
 * that went backwards or jumped: CTRACE_CORRUPT_POSITION).  Returns its
 * size (24) after writing it to @out.  Its ts is @s->last_ts; bytes are
 * capped at 4 GiB - 1. */
size_t ctrace_usan_skipped(struct ctrace_usan *s, uint64_t bytes,
			   uint16_t reason, void *out);

/* "header", "type", "string", "time", "position", "lost", "payload"
 * (enum ctrace_corrupt_reason), or NULL for a reason this library does
 * not know. */
const char *ctrace_corrupt_reason_name(unsigned int reason);

/*
 * The name of a SYSCALL_ENTER/EXIT record's system call from its aux (the
 * number, and the ia32 flag): "read", or "syscall_451" for one newer than
 * the kernel headers this was built from (written into @buf).
 */
const char *ctrace_syscall_name(uint16_t aux, char *buf, size_t len);

/* ------------------------------------------------------------------------
 * Writing
 */
struct ctrace_writer;

/* Start a file on @fd (positioned at 0): writes the file header. */
int ctrace_writer_open(struct ctrace_writer **wp, int fd);
/* META chunk: "key=value\n" lines; keys are [a-z0-9_.]+. */
int ctrace_writer_meta(struct ctrace_writer *w, const char *text, size_t len);
/* RING chunk: @hdr then @len bytes of records (len % 8 == 0). */
int ctrace_writer_ring(struct ctrace_writer *w,
		       const struct ctrace_ring_chunk *hdr,
		       const void *records, size_t len);
int ctrace_writer_stats(struct ctrace_writer *w,
			const struct ctrace_ring_stats *rings, uint32_t n);
/* USET chunk: a user ring set, before its rings' and strings' chunks. */
int ctrace_writer_uset(struct ctrace_writer *w,
		       const struct ctrace_uset_chunk *u);
/* STRINGS chunk: @count entries (struct ctrace_ustring, bytes, NUL,
 * padding to 8) of ring set @uset, @len bytes in all. */
int ctrace_writer_strings(struct ctrace_writer *w, uint32_t uset,
			  uint32_t count, const void *entries, size_t len);
int ctrace_writer_end(struct ctrace_writer *w);
/*
 * Chunks without a file: a run of chunks on @fd, numbered from 0 and with
 * no file header (a flight recorder's generation, kept in memory until a
 * snapshot copies it into a file).
 */
int ctrace_writer_open_run(struct ctrace_writer **wp, int fd);
/* A chunk's payload as it is, numbered and CRC'd for this file. */
int ctrace_writer_chunk(struct ctrace_writer *w, uint16_t type,
			const void *payload, size_t len);
/* Bytes written so far. */
uint64_t ctrace_writer_bytes(const struct ctrace_writer *w);
/* Frees @w; does not close the fd. */
void ctrace_writer_free(struct ctrace_writer *w);

/* ------------------------------------------------------------------------
 * Reading
 */
struct ctrace_trace;

/*
 * Open and index a trace file.  Returns 0 and *tp when the file header is
 * valid, even if a later chunk is not: decoding then stops at the last good
 * chunk and ctrace_trace_problem() says why.  Otherwise returns a negative
 * errno and writes the reason to @err.
 */
int ctrace_trace_open(const char *path, struct ctrace_trace **tp,
		      char *err, size_t errlen);
/*
 * The same on a file already in memory: @buf is used in place, not copied,
 * and must stay valid and unchanged until ctrace_trace_close().
 */
int ctrace_trace_open_buffer(const void *buf, size_t len,
			     struct ctrace_trace **tp, char *err, size_t errlen);
void ctrace_trace_close(struct ctrace_trace *t);

/* A META value, or NULL. */
const char *ctrace_trace_meta(const struct ctrace_trace *t, const char *key);
/* True when the file ends with an END chunk. */
bool ctrace_trace_complete(const struct ctrace_trace *t);
/*
 * Why decoding stops before the end of the file (truncated chunk, bad CRC,
 * bad chunk sequence number, ...) or, for a file without an END chunk,
 * that the recording did not end cleanly; with the file offset where the
 * decoded data stops.  NULL for a complete file decoded to its end.
 */
const char *ctrace_trace_problem(const struct ctrace_trace *t);

/*
 * What kind of problem that is.  Truncation is what a killed ctrace-dump
 * leaves and still decodes; corruption means bytes the writer did not
 * write (or a writer bug), which tools report as failure.
 */
enum ctrace_problem {
	CTRACE_PROBLEM_NONE,
	CTRACE_PROBLEM_INCOMPLETE,	/* ends on a chunk boundary, no END */
	CTRACE_PROBLEM_TRUNCATED,	/* ends inside a chunk */
	CTRACE_PROBLEM_CORRUPT,		/* bad magic, CRC, sequence, record */
};

enum ctrace_problem ctrace_trace_problem_kind(const struct ctrace_trace *t);
/* The path it was opened from ("<buffer>" for a buffer), for messages. */
const char *ctrace_trace_path(const struct ctrace_trace *t);
/* The session clock (enum ctrace_clock). */
uint32_t ctrace_trace_clock(const struct ctrace_trace *t);
/* Session clock value -> CLOCK_MONOTONIC ns / CLOCK_REALTIME ns. */
uint64_t ctrace_trace_mono_ns(const struct ctrace_trace *t, uint64_t ts);
uint64_t ctrace_trace_real_ns(const struct ctrace_trace *t, uint64_t ts);

struct ctrace_ring_info {
	uint32_t ring;		/* USER: (ring set index << 16) | CPU */
	uint16_t kind;		/* enum ctrace_ring_kind */
	uint64_t chunks;
	uint64_t events;	/* events decoded from its chunks */
	uint64_t lost;		/* lost events reported in its chunks */
	bool has_stats;		/* the STATS chunk covered it */
	struct ctrace_ring_stats stats;
	/* USER rings */
	uint64_t corrupt;	/* CORRUPT records (counted in events) */
	uint64_t corrupt_bytes;	/* bytes the dumper replaced by them */
	uint64_t raised;	/* records stamped before their predecessor */
	/* What a cursor returns from it: events plus LOST records. */
	uint64_t records;
};

/* The rings, sorted by (kind, ring): the merge's tie-break order. */
size_t ctrace_trace_nr_rings(const struct ctrace_trace *t);
const struct ctrace_ring_info *ctrace_trace_ring(const struct ctrace_trace *t,
						 size_t i);
/* Index of ring @ring of @kind in that order, or SIZE_MAX if none. */
size_t ctrace_trace_find_ring(const struct ctrace_trace *t, uint16_t kind,
			      uint32_t ring);

/* A ring's RING chunk, as indexed when the file was opened. */
struct ctrace_chunk_info {
	uint64_t offset;	/* file offset of its chunk header */
	uint64_t index;		/* its chunk number in the file */
	uint64_t seq_first;	/* ring sequence number of its first event */
	uint64_t events;
	uint64_t lost;
	uint64_t ts_base;	/* the ring's timestamp before it (user: 0) */
	uint64_t ts_last;	/* the ring's timestamp after its last record */
};

/* Chunk @j of ring @i, in file order; false past the end. */
bool ctrace_trace_chunk(const struct ctrace_trace *t, size_t i, size_t j,
			struct ctrace_chunk_info *out);
/* File offset of the last STATS chunk; 0 when there is none. */
uint64_t ctrace_trace_stats_offset(const struct ctrace_trace *t);

/* Records of these ring kinds are struct ctrace_krec. */
static inline bool ctrace_kind_krec(uint16_t kind)
{
	return kind == CTRACE_RING_KERNEL || kind == CTRACE_RING_DUMPER;
}

/* A USER ring's number: (ring set index << 16) | CPU. */
static inline uint32_t ctrace_uring_set(uint32_t ring)
{
	return ring >> 16;
}

static inline uint32_t ctrace_uring_cpu(uint32_t ring)
{
	return ring & 0xffff;
}

/* "ring 3", "user ring 1:3" (ring set 1, CPU 3), "dumper ring". */
void ctrace_ring_label(uint16_t kind, uint32_t ring, char *buf, size_t len);

/* The user ring sets (USET chunks), in file order; NULL past the end. */
size_t ctrace_trace_nr_usets(const struct ctrace_trace *t);
const struct ctrace_uset_chunk *ctrace_trace_uset(const struct ctrace_trace *t,
						  size_t i);
/* Where ring set @index is in that order, or SIZE_MAX if not described. */
size_t ctrace_trace_find_uset(const struct ctrace_trace *t, uint32_t index);
/* String @id of ring set @uset (from STRINGS chunks), NUL-terminated, valid
 * while the trace is open; NULL if unknown.  Bytes are as the program
 * wrote them (control characters included). */
const char *ctrace_trace_string(const struct ctrace_trace *t, uint32_t uset,
				uint32_t id);
/*
 * The same as a value in a line of text (text.c): as it is when it is
 * plain (printable, no space, quote, backslash or '=', not starting with
 * '#'), else quoted with C escapes; "#<id>" when unknown.
 */
void ctrace_ustr_name(const struct ctrace_trace *t, uint32_t set, uint32_t id,
		      char *buf, size_t len);
/* META user_only=1: recorded without the kernel module, no kernel rings. */
bool ctrace_trace_user_only(const struct ctrace_trace *t);
/* STRINGS entries of the ring set at position @i in file order. */
uint64_t ctrace_trace_uset_strings(const struct ctrace_trace *t, size_t i);
/* Iterate META lines: pass NULL first; returns "key=value" or NULL. */
const char *ctrace_trace_meta_next(const struct ctrace_trace *t, const char *line);

/* What the index found, for the summary. */
struct ctrace_index_info {
	uint64_t size;		/* bytes of the file */
	uint64_t chunks;	/* chunks indexed */
	uint64_t skipped_chunks;	/* of unknown types or ring kinds */
	uint64_t tsc_khz;	/* META tsc_khz, 0 if none */
	size_t clock_snaps;	/* CLOCK records */
};

void ctrace_trace_index_info(const struct ctrace_trace *t,
			     struct ctrace_index_info *out);

/*
 * One decoded record: any type but PAD and TIME.  Switch on @kind before
 * @type: kernel and dumper rings hold struct ctrace_krec records (type:
 * enum ctrace_krec_type), user rings struct ctrace_urec records (type:
 * enum ctrace_urec_type or CTRACE_FREC_CORRUPT; aux: the record's string
 * @id).  A user record's @ts is raised to its ring's previous one where it
 * went back (programs read the clock before they commit); rec->ts keeps
 * the value written.
 */
struct ctrace_event {
	uint64_t ts;		/* session clock */
	uint64_t ns;		/* CLOCK_MONOTONIC ns */
	uint64_t seq;		/* its ring's sequence number (LOST: first lost) */
	uint64_t offset;	/* file offset of the record */
	uint32_t ring;		/* the CPU, for kernel rings; USER: as in info */
	uint16_t kind;		/* enum ctrace_ring_kind */
	uint16_t type;		/* enum ctrace_krec_type / ctrace_urec_type */
	uint16_t aux;		/* krec aux / urec id */
	uint32_t size;		/* bytes of rec */
	const void *rec;	/* the record, valid while the trace is open */
};

struct ctrace_thread {
	uint32_t tid;
	uint32_t tgid;		/* 0 when not known yet */
	char comm[CTRACE_COMM_LEN + 1];
};

struct ctrace_cursor;

/* Iterate all rings merged in timestamp order (ties: ring, then seq). */
int ctrace_cursor_new(struct ctrace_trace *t, struct ctrace_cursor **cp);
/*
 * 1: *ev is the next event; 0: no more; <0: a record is corrupt, and
 * ctrace_cursor_error() names it and its offset (the cursor then stops).
 */
int ctrace_cursor_next(struct ctrace_cursor *c, struct ctrace_event *ev);
const char *ctrace_cursor_error(const struct ctrace_cursor *c);
/* Index (as in ctrace_trace_ring()) of the last event's ring. */
size_t ctrace_cursor_ring_index(const struct ctrace_cursor *c);
/* What the trace says of a thread so far (names follow THREAD, FORK,
 * EXEC and RENAME records, and user THREAD records, up to the last event
 * returned; threads of the session's starting snapshot are named from the
 * start, although the snapshot is written while recording runs); NULL if
 * nothing (always for CTRACE_TID_HIDDEN; tid 0 is "swapper").  Valid until
 * the next ctrace_cursor_next(). */
const struct ctrace_thread *ctrace_cursor_thread(const struct ctrace_cursor *c,
						 uint32_t tid);
/* The same as text for messages and lines: "comm:tid" (control
 * characters as '?'), "<...>:tid" when unnamed, "hidden:?". */
void ctrace_cursor_thread_label(const struct ctrace_cursor *c, uint32_t tid,
				char *buf, size_t len);
void ctrace_cursor_free(struct ctrace_cursor *c);

/* ------------------------------------------------------------------------
 * Progress of long reads
 *
 * One hook for the process, for a tool to show how far it is (the
 * ctrace tool's terminal line, tools/ctrace/progress.c).  It is called
 * while ctrace_trace_open() indexes a file (bytes of the file) and while
 * a cursor goes through a trace (bytes of records returned, of all the
 * trace's records): about every 1/CTRACE_PROGRESS_STEPS of the way, and
 * once more with @end set when the pass ends (the indexing done, the
 * cursor exhausted, failed or freed), so the tool can take its line away
 * before anything else is printed.  A pass that made no call before its
 * end makes no end call either.  Between calls a record costs an addition
 * and a comparison.  Not thread-safe: set it before reading, from the
 * thread that reads.
 */
#define CTRACE_PROGRESS_STEPS	128

enum ctrace_progress_phase {
	CTRACE_PROGRESS_INDEX = 1,	/* opening: checking every chunk */
	CTRACE_PROGRESS_READ,		/* a cursor's pass over the events */
};

struct ctrace_progress {
	enum ctrace_progress_phase phase;
	uint64_t pass;		/* numbers each opening and cursor, from 1 */
	uint64_t done, total;	/* bytes; done <= total */
	bool end;
	const char *path;	/* the trace's, as opened */
};

typedef void ctrace_progress_fn(const struct ctrace_progress *p, void *arg);

/* Install @fn (NULL: none, the default). */
void ctrace_set_progress(ctrace_progress_fn *fn, void *arg);

#endif
