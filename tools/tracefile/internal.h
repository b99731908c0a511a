/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * What the reader's files share and tools do not see: the index built at
 * open time, and a small hash map.
 *
 * Opening a file checks every chunk (size, CRC, sequence) and walks every
 * RING chunk's records once, keeping only a small reference per chunk.
 * The cursor then decodes records in place, straight from the mapped file,
 * so memory stays proportional to the number of chunks, rings and
 * threads, never to the number of events:
 *
 *   struct ctrace_trace
 *     data, size ............ the mapped file (or the caller's buffer)
 *     rings[] (by ring id) .. struct ctrace_ring
 *                               chunks[] .. struct ctrace_chunk_ref
 *                                           { file offset, length, seq_first,
 *                                             ts_base, ts_last, counts }
 *     snaps[] ............... every CLOCK record, sorted by counter
 *     meta .................. META text, lines split at NULs
 *     usets[] ............... USET chunks, in file order (uset_map: by index)
 *     strs[] ................ STRINGS entries { file offset, length }
 *                             (str_map: (ring set << 16 | id) -> strs[])
 *
 * Every count kept here is bounded by the file's size: a chunk takes at
 * least 80 bytes of file, a ring at least one chunk (or 48 bytes of
 * STATS), a clock snapshot a 40-byte record, a ring set a 64-byte chunk,
 * a string a 16-byte entry.  Strings are not copied: entries were checked
 * to end in a NUL, so they are used in place.
 */
#ifndef CTRACE_TRACEFILE_INTERNAL_H
#define CTRACE_TRACEFILE_INTERNAL_H

#include <errno.h>
#include <stdlib.h>

#include "recdesc.h"
#include "ctrace_map.h"
#include "tracefile.h"

/* One RING chunk, checked and walked when the file was opened. */
struct ctrace_chunk_ref {
	uint64_t chunk_off;	/* file offset of its chunk header */
	uint64_t rec_off;	/* file offset of its first record */
	uint64_t rec_len;	/* bytes of records */
	uint64_t index;		/* its chunk number in the file */
	uint64_t seq_first;
	uint64_t ts_base;
	uint64_t ts_last;	/* the ring's timestamp after its last record */
	uint64_t events;
	uint64_t lost;
};

struct ctrace_ring {
	struct ctrace_ring_info info;	/* info.chunks counts chunks[] */
	struct ctrace_chunk_ref *chunks;
	size_t cap;
	/* USER: the highest timestamp so far, across its chunks (raising). */
	uint64_t user_ts;
};

/* A USET chunk, as indexed. */
struct ctrace_uset_ref {
	struct ctrace_uset_chunk u;
	uint64_t chunk_off;	/* file offset of its chunk */
	uint64_t strings;	/* STRINGS entries for it */
	/* a bit per string ID it has, so that checking each record's IDs
	 * while indexing costs a load (NULL until its first string) */
	uint8_t *known;
};

/* A STRINGS entry: its bytes, NUL-terminated, lie at data + off. */
struct ctrace_ustr {
	uint64_t off;
	uint32_t len;
};

/* ------------------------------------------------------------------------
 * usan.c: the user record rules, shared by the dumper's sanitiser and the
 * reader.
 */

/* Is @id a string of the ring set (@ctx says which table)? */
typedef bool (*ctrace_ustr_known_fn)(const void *ctx, uint32_t id);

/*
 * Check one user record of @size bytes (size >= 16, equal to its header's
 * size * 8) against its type: 0 when good, else enum ctrace_corrupt_reason.
 * @file: the record comes from a file, where CORRUPT records may appear.
 * Timestamps and LOST totals are the caller's business.
 */
uint16_t ctrace_urec_check(const void *rec, size_t size, bool file,
			   ctrace_ustr_known_fn known, const void *ctx);

/* A USER chunk's records, walked as the reader indexes them. */
struct ctrace_urec_walk {
	uint64_t ts;		/* the highest timestamp so far */
	uint64_t events;	/* records but LOST (CORRUPT included) */
	uint64_t lost;		/* sum of LOST records' counts */
	uint64_t lost_records;
	uint64_t corrupt;	/* CORRUPT records */
	uint64_t corrupt_bytes;	/* the bytes they stand for */
	uint64_t raised;	/* records stamped before the highest so far */
	uint16_t reason;	/* why the bad record is bad */
};

/*
 * Walk buf[0..len) strictly (ctrace_urec_check() with @file, sizes within
 * @len).  0 when every record is good; else -EBADMSG, *bad_off at the
 * first bad record, w->reason why, and @w covering the records before it.
 */
int ctrace_urec_walk(struct ctrace_urec_walk *w, const void *buf, size_t len,
		     ctrace_ustr_known_fn known, const void *ctx,
		     size_t *bad_off);

/* A CLOCK record: the session clock and the system clocks read together. */
struct ctrace_clock_snap {
	uint64_t counter;
	uint64_t mono;
	uint64_t boot;
	uint64_t real;
};

/* Ring key: kind in the high half, so rings sort by kind, then id. */
static inline uint64_t ctrace_ring_key(uint16_t kind, uint32_t ring)
{
	return (uint64_t)kind << 32 | ring;
}

struct ctrace_trace {
	const unsigned char *data;
	size_t size;
	void *map;		/* the mmap()ed file, or NULL for a buffer */
	char *path;		/* for messages; "<buffer>" for a buffer */

	struct ctrace_ring *rings;	/* sorted by (kind, ring) */
	size_t nr_rings, rings_cap;
	struct ctrace_map ring_map;	/* ring key -> index in rings[] */

	struct ctrace_clock_snap *snaps;	/* sorted by counter */
	size_t nr_snaps, snaps_cap;
	uint32_t clock;			/* enum ctrace_clock */
	uint64_t tsc_khz;

	/* META lines, each NUL-terminated, '=' kept; in file order. */
	char *meta;
	size_t meta_len;

	struct ctrace_uset_ref *usets;	/* in file order */
	size_t nr_usets, usets_cap;
	struct ctrace_map uset_map;	/* ring set index -> usets[] */
	struct ctrace_ustr *strs;
	size_t nr_strs, strs_cap;
	struct ctrace_map str_map;	/* ring set << 16 | id -> strs[] */
	bool user_only;			/* META user_only=1 */

	uint64_t nr_chunks;		/* chunks indexed */
	uint64_t skipped_chunks;	/* unknown types or ring kinds */
	uint64_t data_end;		/* where indexing stopped */
	uint64_t stats_off;		/* file offset of the last STATS chunk */
	bool has_stats;
	bool complete;
	enum ctrace_problem problem_kind;
	char problem[320];
};

/* clock.c: called once the index is built (snaps[] filled, unsorted). */
void ctrace_clock_setup(struct ctrace_trace *t);


/* reader.c: the ring set of that index, or NULL; *pos its place in usets[]. */
const struct ctrace_uset_ref *ctrace_uset_find(const struct ctrace_trace *t,
					       uint32_t index, size_t *pos);


#endif
