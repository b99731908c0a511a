/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * view: the data `ctrace view` draws, built in one streaming pass over a
 * trace, kept on disk, and handed to the page whole (a self-contained
 * HTML file) or a window at a time (the --serve server).
 *
 *   cursor -> model --state/cpu/region/task/uevent/loss--> rows
 *                                                           |
 *             one row per CPU, thread state band, region    |
 *             depth, marks, counter, task lane, flow ends   v
 *   level 0: every item          ------------------> blocks of <= 1024
 *   level L: items >= W(L) kept,                      items, varint
 *            shorter runs merged                      encoded, appended
 *            (W(L) = 2^(8 + 2L) ns)                   to the index file
 *
 * Every row's items are disjoint and in time order (a thread's states,
 * a CPU's runs, regions of one depth, task lanes), so a window of a row
 * is a binary search, and at level L no item is shorter than W(L) unless
 * it stands alone: a window drawn at W(L) <= ns per pixel has at most
 * about two items per pixel per row, whatever the trace's size.
 *
 * The intervals are the model's (tools/model): nothing here decodes
 * records or knows the scheduler's rules.  docs/view.md has the format
 * (block encoding, the meta JSON, the query protocol).
 */
#ifndef CTRACE_VIEW_H
#define CTRACE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "tracefile.h"

#define VIEW_LEVELS		16	/* level 0 raw, 1..15 merged */
#define VIEW_BLOCK_ITEMS	1024
#define VIEW_BLOCK_BYTES	16384	/* a block is closed past this */
#define VIEW_MAX_FIELDS		12

/* The merge width of level @l, ns (0 for the raw level). */
static inline uint64_t view_level_width(unsigned int l)
{
	return l ? 1ull << (8 + 2 * l) : 0;
}

/* The level to draw at @ns_per_px: the coarsest whose width fits a pixel. */
unsigned int view_level_for(double ns_per_px);

/* ------------------------------------------------------------- kinds */

enum view_kind {
	VK_CPU = 0,	/* a CPU: which thread ran (0: idle) */
	VK_STATE,	/* a thread's state band */
	VK_REGION,	/* a thread's regions (and syscalls) of one depth */
	VK_MARK,	/* a thread's logs and instants (points) */
	VK_COUNTER,	/* a process's counter: a step graph */
	VK_TASK,	/* a process's tasks, one lane */
	VK_FLOW,	/* flows ending on a thread (points, pointing back) */
	VK_NR,
};

/* How a field is encoded (docs/view.md, "Blocks"). */
enum view_ftype {
	VF_U,		/* unsigned LEB128 */
	VF_S,		/* signed: zigzag LEB128 */
	VF_STR,		/* index into the meta's string table (0: none) */
	VF_ID,		/* a u64 identifier: LEB128 of its low, then high 32 bits */
	VF_F64,		/* 8 bytes, IEEE 754, little-endian */
	VF_BYTES,	/* LEB128 length, then the bytes (not UTF-8 checked) */
};

struct view_field {
	const char *name;
	uint8_t type;		/* enum view_ftype */
};

struct view_item;

struct view_kind_desc {
	const char *name;
	const struct view_field *raw, *merged;
	unsigned int nr_raw, nr_merged;
	/* Start a merged item from @x (raw or merged) and add @x to @m. */
	void (*merge)(struct view_item *m, const struct view_item *x, bool first);
};

extern const struct view_kind_desc view_kinds[VK_NR];

/* A VK_REGION item's flags beside CTRACE_RG_*: a system call, not a
 * region (the page shows it so, and leaves it out of region tables);
 * its thread slept in it. */
#define VIEW_RG_SYSCALL		0x10
#define VIEW_RG_BLOCKED		0x20

/*
 * One item: [begin, end) in ns from the trace's first event, n == 1 for
 * an item as the model gave it (fields: the kind's raw ones), n > 1 for
 * n merged (fields: its merged ones).  @bytes is a VF_BYTES field's
 * value (marks' messages), valid until the item is written.
 */
struct view_item {
	int64_t begin, end;
	uint32_t n;
	uint64_t f[VIEW_MAX_FIELDS];
	uint64_t scratch[2];		/* merge bookkeeping, not written */
	const char *bytes;
	uint32_t bytes_len;
};

/* ---------------------------------------------------------- encoding */

struct view_buf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

void view_buf_put(struct view_buf *b, const void *p, size_t n);
/* @n more bytes at the end, for the caller to fill; NULL when out of memory. */
void *view_buf_room(struct view_buf *b, size_t n);
void view_buf_uleb(struct view_buf *b, uint64_t v);
void view_buf_sleb(struct view_buf *b, int64_t v);
void view_buf_free(struct view_buf *b);
/* One item of @kind after one that began at *prev (updated). */
void view_encode_item(struct view_buf *b, unsigned int kind,
		      const struct view_item *it, int64_t *prev);
/*
 * Decode one item; the inverse of view_encode_item(), for the tests.
 * Returns bytes used, or 0 when @p[0..len) does not hold a whole item.
 */
size_t view_decode_item(const unsigned char *p, size_t len, unsigned int kind,
			struct view_item *it, int64_t *prev);

/* @len bytes as base64 (RFC 4648, padded) to @f. */
void view_base64(FILE *f, const unsigned char *p, size_t len);
/*
 * A JSON string that is safe inside <script> and as text: invalid UTF-8
 * bytes become U+FFFD, controls, quotes and backslashes escaped, and
 * '<', '>', '&', U+2028 and U+2029 as \u escapes, so no "</script>" or
 * "<!--" can appear.  @len: bytes of @s (SIZE_MAX: up to its NUL).
 */
void view_json_str(FILE *f, const char *s, size_t len);
/* Copy JSON text (another library's) escaping '<' and '>' as \u003c
 * and \u003e: both occur only inside strings in JSON. */
void view_json_copy_safe(FILE *f, const char *json, size_t len);

/* ------------------------------------------------------------- index */

/* A block of one row's items at one level, in the index file. */
struct view_block {
	uint32_t row;
	uint8_t level;
	uint16_t count;
	int64_t begin, end;	/* its first item's begin, its last's end */
	uint64_t offset;	/* in the index file */
	uint32_t len;
};

struct view_row {
	uint8_t kind;
	uint32_t a, b;		/* CPU; tid; tid, depth; tgid, name; tgid, lane */
	uint64_t items[VIEW_LEVELS];
	/* blocks of this row at each level: view_index.blocks[first..+nr) */
	uint32_t first_block[VIEW_LEVELS], nr_blocks[VIEW_LEVELS];
};

struct view_thread {
	uint32_t tid, tgid;
	char comm[CTRACE_COMM_LEN + 1];
	uint32_t max_depth;
};

struct view_loss {
	int64_t ns, from_ns;
	uint64_t count;
	uint16_t kind;		/* enum ctrace_ring_kind */
	uint16_t corrupt_reason;	/* CORRUPT records: their reason + 1 */
	uint32_t ring;
	uint32_t domain;
};

#define VIEW_MAX_LOSSES		100000
#define VIEW_MAX_CLOCKS		1024

struct view_index {
	char *path;			/* the index file (in @dir) */
	char *dir;			/* the temporary directory, removed at free */
	int fd;
	uint64_t first_ns;		/* the report's --window origin */
	int64_t span_ns;
	uint64_t events;
	struct view_row *rows;
	size_t nr_rows;
	struct view_block *blocks;	/* sorted by (row, level, time) */
	size_t nr_blocks;
	struct view_thread *threads;
	size_t nr_threads;
	char **strings;			/* [0] is "" */
	size_t nr_strings;
	struct view_loss *losses;
	size_t nr_losses;
	uint64_t losses_dropped;	/* past VIEW_MAX_LOSSES */
	uint64_t anomalies;
	char first_anomaly[256];
	/* (mono ns from first_ns, CLOCK_REALTIME ns) pairs, for wall time */
	int64_t clock_mono[VIEW_MAX_CLOCKS];
	uint64_t clock_real[VIEW_MAX_CLOCKS];
	size_t nr_clocks;
	char problem[512];		/* why decoding stopped early, or "" */
	bool corrupt;			/* ...at a corrupt record */
	char title[256];
	uint64_t file_bytes;
	uint64_t index_bytes;
	void *priv;			/* the pass's tables (freed after it) */
};

/*
 * One pass over @t building the index in a new temporary directory under
 * @tmpdir (NULL: $TMPDIR or /tmp).  0, or <0 after saying why on @err;
 * a corrupt trace builds what decoded (problem says where it stopped)
 * and returns 0.
 */
int view_build(struct ctrace_trace *t, const char *tmpdir,
	       struct view_index **out, FILE *err);
/* Removes the index file and its directory. */
void view_index_free(struct view_index *x);
/* Read a block's bytes into @buf (block->len bytes).  0 or -errno. */
int view_read_block(const struct view_index *x, const struct view_block *b,
		    void *buf);
/* The index of @row's first block at @level overlapping [from, to), and
 * how many do. */
size_t view_blocks_in(const struct view_index *x, uint32_t row,
		      unsigned int level, int64_t from, int64_t to,
		      size_t *count);

/* ------------------------------------------------------ page and meta */

struct view_meta_opts {
	bool blocks;		/* embed: list every block (the page decodes) */
	bool serve;		/* the page asks the server for windows */
	const char *report_json;	/* ctrace report --json's object, or NULL */
	size_t report_len;
};

/* The meta JSON object (docs/view.md, "Meta"). */
void view_write_meta(const struct view_index *x, const struct view_meta_opts *o,
		     FILE *f);

/*
 * The report of @t (every section, as ctrace report --json) with the
 * latency histograms the page draws, as one JSON object, malloc'd
 * (*len bytes).  @from_ns/@to_ns: a window, both 0 for all.  NULL when
 * out of memory; a corrupt trace gives what decoded.
 */
char *view_report_json(struct ctrace_trace *t, uint64_t from_ns, uint64_t to_ns,
		       size_t *len);

/* The page with everything in it: one self-contained HTML file. */
int view_write_html(const struct view_index *x, const char *report_json,
		    size_t report_len, FILE *f);
/* The page for --serve: it fetches /meta and windows. */
void view_write_page(FILE *f, const char *data_json);

/* The page's sources, embedded at build time (gen/page2c.c). */
extern const char view_page_html[], view_page_css[], view_page_js[];

/* ------------------------------------------------------------- query */

#define VIEW_QUERY_MAX_ROWS	65536
#define VIEW_QUERY_MAX_PX	65536

/* GET /q?from=NS&to=NS&px=N&rows=LIST[&level=L]: a window of rows. */
struct view_query {
	int64_t from, to;		/* ns from the first event */
	uint32_t px;
	int level;			/* -1: from px */
	uint32_t *rows;			/* sorted, distinct */
	size_t nr_rows;
	bool has_from, has_to, has_px, has_rows;
};

/*
 * One argument of a query (already URL-decoded).  0, or -EINVAL with a
 * reason in @why (unknown key, bad number, too many rows, ...).  Rows
 * are checked against @nr_rows.
 */
int view_query_arg(struct view_query *q, const char *key, const char *value,
		   size_t nr_rows, const char **why);
/* A whole query string "k=v&k=v" (percent-encoded), for tests and the
 * fuzzer; then view_query_check().  0 or -EINVAL. */
int view_query_parse(struct view_query *q, const char *qs, size_t len,
		     size_t nr_rows, const char **why);
/* After the arguments: all given, from < to.  0 or -EINVAL. */
int view_query_check(struct view_query *q, const char **why);
void view_query_free(struct view_query *q);
/*
 * The answer: "CTVQ", u32 level, u32 blocks, then per block u32 row,
 * u32 level, u32 count, u32 len and its bytes (little-endian).  At most
 * @max bytes (else -E2BIG).  Returns 0, *out malloc'd.
 */
int view_query_answer(const struct view_index *x, const struct view_query *q,
		      size_t max, unsigned char **out, size_t *len);

/* --------------------------------------------------------------- serve */

struct view_serve_opts {
	const char *addr;	/* NULL: 127.0.0.1 */
	uint16_t port;		/* 0: any free one */
	bool allow_remote;	/* a non-loopback addr needs it */
	FILE *log;
	/* Called once listening, with the page's URL. */
	void (*ready)(const char *url, void *arg);
	void *arg;
};

/* Serve @x's page for @t until SIGINT/SIGTERM.  0 or <0 (said on log). */
int view_serve(struct ctrace_trace *t, const struct view_index *x,
	       const char *report_json, size_t report_len,
	       const struct view_serve_opts *o);

/* Whether @addr (IPv4 or IPv6 text) is a loopback address. */
bool view_addr_loopback(const char *addr);

#endif
