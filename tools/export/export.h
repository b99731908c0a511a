/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * export: ctrace trace files in the formats existing viewers open.
 *
 *   perfetto.c  Perfetto's protobuf (a stream of TracePackets): the
 *               scheduler as ftrace events per CPU, user events as
 *               TrackEvents on the same clock; several files (hosts)
 *               merged into one trace, one machine each
 *   json.c      Chrome's Trace Event Format (JSON), for the Catapult
 *               viewer (chrome://tracing, `go tool trace`'s viewer)
 *
 * Both read the trace with the cursor and the model (tools/model) and
 * never load it whole: memory does not grow with the trace.  Corrupt and
 * truncated input exports what is valid, marks where it stops, and
 * returns an error.
 */
#ifndef CTRACE_EXPORT_H
#define CTRACE_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "tracefile.h"

struct ctrace_export_opts {
	FILE *out;		/* where the exported trace goes */
	FILE *err;		/* messages */
	/*
	 * JSON: write no file of more than this many bytes (0: the default,
	 * CTRACE_JSON_MAX_DEFAULT): a browser cannot hold more.  Past it,
	 * the JSON goes on in OUT-2.json, OUT-3.json, ... (OUT: @path, its
	 * .json taken off), each complete; without @path it stops there.
	 */
	uint64_t max_bytes;
	const char *path;	/* JSON: the file @out writes, or NULL */
	uint64_t reserved[5];
};

#define CTRACE_JSON_MAX_DEFAULT	(256ull << 20)

/*
 * Perfetto: @n traces (@names: what to call each, e.g. their file names),
 * one machine each when n > 1.  Returns 0, or <0 after saying why on
 * opts->err (what could be exported has been written).
 */
int ctrace_export_perfetto(struct ctrace_trace *const *traces,
			   const char *const *names, size_t n,
			   const struct ctrace_export_opts *opts);

/* Chrome JSON: one trace.  Returns as above. */
int ctrace_export_json(struct ctrace_trace *t,
		       const struct ctrace_export_opts *opts);

#endif
