/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * The ctrace trace file format, version 1 (docs/file-format.md).
 *
 * A file is a 64-byte header followed by chunks.  Each chunk is written
 * with one write() and carries its size and a CRC32C, so a file cut off
 * anywhere (ctrace-dump killed, disk full, machine crash) decodes up to its
 * last complete chunk.  Little-endian, every struct 8-byte aligned:
 *
 *   +--------------------+ 0
 *   | file header (64)   |
 *   +--------------------+ 64
 *   | chunk header (32)  |  META: "key=value\n" lines (host, kernel, ...)
 *   | payload            |
 *   +--------------------+
 *   | chunk header       |  RING: struct ctrace_ring_chunk, then a run of
 *   | ring chunk header  |        one ring's records, exactly as the ring
 *   | records ...        |        held them (PAD records included)
 *   +--------------------+
 *   |        ...         |  more RING chunks, rings interleaved
 *   +--------------------+
 *   | STATS              |  final per-ring counters from the producers
 *   | END                |  clean end of recording
 *   +--------------------+
 *
 * Chunks of one ring appear in ring order and are contiguous in the ring's
 * event sequence: a chunk's seq_first is the previous chunk's seq_first
 * plus its events and lost.  Anything else is corruption.
 */
#ifndef CTRACE_TRACEFILE_FORMAT_H
#define CTRACE_TRACEFILE_FORMAT_H

#include <stdint.h>

#define CTRACE_FILE_MAGIC	"\x89" "CTRACE\n"	/* 8 bytes, no NUL */
#define CTRACE_FILE_VERSION	1

struct ctrace_file_header {
	char magic[8];			/* CTRACE_FILE_MAGIC */
	uint32_t version;		/* CTRACE_FILE_VERSION */
	uint32_t header_size;		/* sizeof(struct ctrace_file_header) */
	uint32_t chunk_header_size;	/* sizeof(struct ctrace_chunk_header) */
	uint32_t flags;			/* reserved, 0 */
	uint64_t created_ns;		/* CLOCK_REALTIME when written */
	uint8_t reserved[32];
};

#define CTRACE_CHUNK_MAGIC	0x4b4e4843u	/* "CHNK" */

struct ctrace_chunk_header {
	uint32_t magic;			/* CTRACE_CHUNK_MAGIC */
	uint16_t type;			/* enum ctrace_chunk_type */
	uint16_t flags;			/* reserved, 0 */
	uint64_t size;			/* payload bytes, a multiple of 8 */
	uint64_t seq;			/* this chunk's number in the file, from 0 */
	uint32_t crc;			/* CRC32C of this header (crc = 0) + payload */
	uint32_t reserved;
};

enum ctrace_chunk_type {
	CTRACE_CHUNK_META = 1,		/* text, NUL-padded to 8 */
	CTRACE_CHUNK_RING = 2,		/* struct ctrace_ring_chunk + records */
	CTRACE_CHUNK_STATS = 3,		/* struct ctrace_stats_chunk + rings */
	CTRACE_CHUNK_END = 4,		/* empty: the recording ended cleanly */
	CTRACE_CHUNK_USET = 5,		/* struct ctrace_uset_chunk */
	CTRACE_CHUNK_STRINGS = 6,	/* struct ctrace_strings_chunk + entries */
};

/* Largest payload a writer produces and a reader accepts. */
#define CTRACE_CHUNK_MAX	(64u << 20)

enum ctrace_ring_kind {
	CTRACE_RING_KERNEL = 1,		/* records are struct ctrace_krec */
	/*
	 * Records are struct ctrace_urec, sanitised by the dumper (below).
	 * Ring number: (ring set index << 16) | CPU.
	 */
	CTRACE_RING_USER = 2,
	/*
	 * The dumper's own records, struct ctrace_krec (CLOCK snapshots it
	 * took when there is no kernel to: user-only mode).  Ring number 0.
	 */
	CTRACE_RING_DUMPER = 3,
};

/*
 * User rings in a file.  Programs write them, so ctrace-dump checks every
 * record before it goes into the file (tracefile's ctrace_usan_run()): a
 * well-formed record is copied as it is; a run of bad bytes is replaced by
 * one CORRUPT record; a LOST record's running total becomes the number
 * lost right before it (as in kernel rings).  So a USER chunk holds only
 * well-formed records, and readers still check them (a file is untrusted).
 *
 * A chunk's seq_first and events count records as for kernel rings
 * (CORRUPT records are events, LOST records are not); ts_base is unused
 * (0): user records carry full timestamps.
 */
#define CTRACE_FREC_CORRUPT	200	/* user record type, only in files */

struct ctrace_frec_corrupt {
	uint64_t ts;			/* the last good record's ts before it */
	uint32_t tid;			/* 0 */
	uint8_t type;			/* CTRACE_FREC_CORRUPT */
	uint8_t size;			/* 3 (24 bytes) */
	uint16_t id;			/* 0 */
	uint32_t bytes;			/* bytes skipped */
	uint16_t reason;		/* enum ctrace_corrupt_reason */
	uint16_t records;		/* of which records recognised, 0 if none */
};

enum ctrace_corrupt_reason {
	CTRACE_CORRUPT_HEADER = 1,	/* size 0 or 1, or runs past the data */
	CTRACE_CORRUPT_TYPE = 2,	/* type 0, or a size its type cannot have */
	CTRACE_CORRUPT_STRING = 3,	/* a string ID not in the string table */
	CTRACE_CORRUPT_TIME = 4,	/* a timestamp outside the recording */
	CTRACE_CORRUPT_POSITION = 5,	/* the ring's prod moved backwards or jumped */
	CTRACE_CORRUPT_LOST = 6,	/* the running lost total went down */
	CTRACE_CORRUPT_PAYLOAD = 7,	/* a LOG's length does not fit, etc. */
};

/* A user ring set, before any of its rings' chunks. */
struct ctrace_uset_chunk {
	uint32_t index;			/* the ring set's number in this file */
	uint32_t uid;
	uint32_t nr_rings;
	uint32_t flags;			/* CTRACE_USET_F_* of the set */
	uint64_t data_size;
	uint64_t reserved;
};

/*
 * New entries of a ring set's string table, before the ring chunks that
 * use them: struct ctrace_strings_chunk, then per string a struct
 * ctrace_ustring (id, len), the bytes, a NUL, padding to 8.
 */
struct ctrace_strings_chunk {
	uint32_t uset;			/* ring set index */
	uint32_t count;			/* entries that follow */
};

struct ctrace_ring_chunk {
	uint32_t ring;			/* the CPU, for kernel rings */
	uint16_t kind;			/* enum ctrace_ring_kind */
	uint16_t flags;			/* reserved, 0 */
	uint64_t seq_first;		/* ring sequence number of its first event */
	uint64_t ts_base;		/* ring's last full timestamp before it */
	uint64_t pos;			/* ring byte position of the first record */
	uint64_t events;		/* events in it (not PAD, TIME, LOST) */
	uint64_t lost;			/* sum of its LOST records' counts */
};

struct ctrace_ring_stats {
	uint32_t ring;
	uint16_t kind;
	uint16_t flags;			/* reserved, 0 */
	uint64_t events;		/* events the producer recorded */
	uint64_t lost;			/* events the producer dropped */
	uint64_t bytes;			/* bytes the producer committed */
	uint64_t events_read;		/* events the dumper wrote to the file */
	uint64_t lost_read;		/* lost events reported in the stream */
};

struct ctrace_stats_chunk {
	uint32_t nr_rings;
	uint32_t reserved;
	/* struct ctrace_ring_stats[nr_rings] follows */
};

#endif
