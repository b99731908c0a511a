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
 *
 * Every count kept here is bounded by the file's size: a chunk takes at
 * least 80 bytes of file, a ring at least one chunk (or 48 bytes of
 * STATS), a clock snapshot a 40-byte record.
 */
#ifndef CTRACE_TRACEFILE_INTERNAL_H
#define CTRACE_TRACEFILE_INTERNAL_H

#include <errno.h>
#include <stdlib.h>

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
	/* What a cursor returns from it: events plus LOST records. */
	uint64_t records;
};

/* A CLOCK record: the session clock and the system clocks read together. */
struct ctrace_clock_snap {
	uint64_t counter;
	uint64_t mono;
	uint64_t boot;
	uint64_t real;
};

/*
 * Why indexing stopped early.  Truncation is what a killed ctrace-dump
 * leaves and still decodes; corruption means bytes the writer did not
 * write (or a writer bug), which tools report as failure.
 */
enum ctrace_problem {
	CTRACE_PROBLEM_NONE,
	CTRACE_PROBLEM_INCOMPLETE,	/* ends on a chunk boundary, no END */
	CTRACE_PROBLEM_TRUNCATED,	/* ends inside a chunk */
	CTRACE_PROBLEM_CORRUPT,		/* bad magic, CRC, sequence, record */
};

/* Open addressing, u64 keys to u32 values; grows at half full. */
#define CTRACE_MAP_NONE UINT32_MAX

struct ctrace_map {
	uint64_t *keys;
	uint32_t *vals;		/* CTRACE_MAP_NONE: empty slot */
	size_t mask;		/* slots - 1, slots a power of two */
	size_t n;
};

static inline size_t ctrace_map_slot(uint64_t key, size_t mask)
{
	/* Fibonacci hashing: CPU numbers and tids are small and dense. */
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static inline uint32_t ctrace_map_get(const struct ctrace_map *m, uint64_t key)
{
	if (!m->vals)
		return CTRACE_MAP_NONE;
	for (size_t i = ctrace_map_slot(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->vals[i] == CTRACE_MAP_NONE)
			return CTRACE_MAP_NONE;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static inline int ctrace_map_grow(struct ctrace_map *m)
{
	size_t slots = m->vals ? (m->mask + 1) * 2 : 64;
	uint64_t *keys = malloc(slots * sizeof(*keys));
	uint32_t *vals = malloc(slots * sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < slots; i++)
		vals[i] = CTRACE_MAP_NONE;
	for (size_t i = 0; m->vals && i <= m->mask; i++) {
		size_t j;

		if (m->vals[i] == CTRACE_MAP_NONE)
			continue;
		j = ctrace_map_slot(m->keys[i], slots - 1);
		while (vals[j] != CTRACE_MAP_NONE)
			j = (j + 1) & (slots - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->mask = slots - 1;
	return 0;
}

/* Insert or replace. */
static inline int ctrace_map_put(struct ctrace_map *m, uint64_t key,
				 uint32_t val)
{
	size_t i;

	if (!m->vals || (m->n + 1) * 2 > m->mask + 1) {
		int err = ctrace_map_grow(m);

		if (err)
			return err;
	}
	for (i = ctrace_map_slot(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->vals[i] == CTRACE_MAP_NONE) {
			m->n++;
			break;
		}
		if (m->keys[i] == key)
			break;
	}
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

static inline void ctrace_map_free(struct ctrace_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->mask = 0;
	m->n = 0;
}

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

/* Iterate META lines: pass NULL first; returns "key=value" or NULL. */
const char *ctrace_meta_next(const struct ctrace_trace *t, const char *line);

/* reader.c: index in t->rings[] of the last event's ring. */
size_t ctrace_cursor_ring_index(const struct ctrace_cursor *c);

/* Text for a thread in messages: "comm:tid", "swapper:0", "hidden:?". */
void ctrace_thread_name(const struct ctrace_cursor *c, uint32_t tid,
			char *buf, size_t len);

#endif
