// SPDX-License-Identifier: LGPL-2.1
/*
 * What the page is told before any block: the meta JSON object (rows,
 * threads, strings, losses, clocks, the kinds table, and in a
 * self-contained file the block list), and the report's JSON beside it
 * (tools/analysis: the same object `ctrace report --json` prints, so the
 * page's tables are the report's figures, not a second computation).
 *
 * Every string from the trace goes through view_json_str(): the page
 * embeds this text in a <script> element, where a "</script>" inside a
 * thread's name would otherwise end it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "view.h"

static void fields(FILE *f, const struct view_field *fs, unsigned int n)
{
	fputc('[', f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s[\"%s\",%u]", i ? "," : "", fs[i].name, fs[i].type);
	fputc(']', f);
}

void view_write_meta(const struct view_index *x, const struct view_meta_opts *o,
		     FILE *f)
{
	fprintf(f, "{\"version\":1,\"serve\":%s,\"title\":", o->serve ? "true" : "false");
	view_json_str(f, x->title, SIZE_MAX);
	fprintf(f, ",\"first_ns\":\"%" PRIu64 "\",\"span_ns\":%" PRId64 ",\"events\":%" PRIu64
		",\"file_bytes\":%" PRIu64 ",\"index_bytes\":%" PRIu64 ",\"problem\":",
		x->first_ns, x->span_ns, x->events, x->file_bytes, x->index_bytes);
	if (x->problem[0])
		view_json_str(f, x->problem, SIZE_MAX);
	else
		fputs("null", f);
	fprintf(f, ",\"anomalies\":%" PRIu64 ",\"first_anomaly\":", x->anomalies);
	view_json_str(f, x->first_anomaly, SIZE_MAX);
	fputs(",\"levels\":[", f);
	for (unsigned int l = 0; l < VIEW_LEVELS; l++)
		fprintf(f, "%s%" PRIu64, l ? "," : "", view_level_width(l));
	fputs("],\"kinds\":[", f);
	for (unsigned int k = 0; k < VK_NR; k++) {
		fprintf(f, "%s{\"name\":\"%s\",\"raw\":", k ? "," : "", view_kinds[k].name);
		fields(f, view_kinds[k].raw, view_kinds[k].nr_raw);
		fputs(",\"merged\":", f);
		fields(f, view_kinds[k].merged, view_kinds[k].nr_merged);
		fputc('}', f);
	}
	fputs("],\"states\":[", f);
	for (unsigned int s = 0; s < CTRACE_NR_STATES; s++)
		fprintf(f, "%s\"%s\"", s ? "," : "", ctrace_state_name(s));
	fputs("],\"causes\":[", f);
	for (unsigned int c = 0; c <= CTRACE_CAUSE_YIELD; c++)
		fprintf(f, "%s\"%s\"", c ? "," : "", ctrace_cause_name(c));
	fputs("],\"strings\":[", f);
	for (size_t i = 0; i < x->nr_strings; i++) {
		if (i)
			fputc(',', f);
		view_json_str(f, x->strings[i], SIZE_MAX);
	}
	fputs("],\"rows\":[", f);
	for (size_t i = 0; i < x->nr_rows; i++) {
		const struct view_row *r = &x->rows[i];

		fprintf(f, "%s[%u,%u,%u,[", i ? "," : "", r->kind, r->a, r->b);
		for (unsigned int l = 0; l < VIEW_LEVELS; l++)
			fprintf(f, "%s%" PRIu64, l ? "," : "", r->items[l]);
		fputs("]]", f);
	}
	fputs("],\"threads\":[", f);
	for (size_t i = 0; i < x->nr_threads; i++) {
		const struct view_thread *th = &x->threads[i];

		fprintf(f, "%s[%u,%u,", i ? "," : "", th->tid, th->tgid);
		view_json_str(f, th->comm, strnlen(th->comm, sizeof(th->comm)));
		fprintf(f, ",%u]", th->max_depth);
	}
	fputs("],\"losses\":[", f);
	for (size_t i = 0; i < x->nr_losses; i++) {
		const struct view_loss *l = &x->losses[i];

		fprintf(f, "%s[%" PRId64 ",%" PRId64 ",%" PRIu64 ",%u,%u,%u,%u]", i ? "," : "",
			l->ns, l->from_ns, l->count, l->kind, l->ring, l->corrupt_reason,
			l->domain);
	}
	fprintf(f, "],\"losses_dropped\":%" PRIu64 ",\"clock\":[", x->losses_dropped);
	/* Wall time as seconds and ns: a double holds neither whole. */
	for (size_t i = 0; i < x->nr_clocks; i++)
		fprintf(f, "%s[%" PRId64 ",%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
			x->clock_mono[i], x->clock_real[i] / 1000000000,
			x->clock_real[i] % 1000000000);
	fputc(']', f);
	if (o->blocks) {
		fputs(",\"blocks\":[", f);
		for (size_t i = 0, off = 0; i < x->nr_blocks; i++) {
			const struct view_block *b = &x->blocks[i];

			fprintf(f, "%s[%u,%u,%u,%" PRId64 ",%" PRId64 ",%zu,%u]", i ? "," : "",
				b->row, b->level, b->count, b->begin, b->end, off, b->len);
			off += b->len;
		}
		fputc(']', f);
	}
	if (o->report_json) {
		fputs(",\"report\":", f);
		fwrite(o->report_json, 1, o->report_len, f);
	}
	fputs("}", f);
}

/* A histogram by powers of two, as the report's text prints it. */
static void pow2_hist(FILE *f, const struct ctrace_hist *h)
{
	bool first = true;

	fputc('[', f);
	for (unsigned int e = 0; e < 64 && h->count; e++) {
		uint64_t lo = e ? 1ull << e : 0, hi = 1ull << (e + 1);
		uint64_t n = ctrace_hist_count_range(h, lo, hi);

		if (n) {
			fprintf(f, "%s[%" PRIu64 ",%" PRIu64 "]", first ? "" : ",", lo, n);
			first = false;
		}
	}
	fputc(']', f);
}

char *view_report_json(struct ctrace_trace *t, uint64_t from_ns, uint64_t to_ns,
		       size_t *len)
{
	struct ctrace_report_opts o = {
		.sections = CTRACE_RS_ALL, .top = 20, .from_ns = from_ns, .to_ns = to_ns,
	};
	struct ctrace_report *r = NULL;
	char *raw = NULL, *out = NULL;
	size_t raw_len = 0;
	FILE *f, *err = fopen("/dev/null", "w");

	ctrace_report_run(t, &o, &r, err);
	if (err)
		fclose(err);
	if (!r)
		return NULL;
	f = open_memstream(&raw, &raw_len);
	if (f) {
		ctrace_report_json(r, f);
		fclose(f);
	}
	f = raw ? open_memstream(&out, len) : NULL;
	if (f) {
		/* The report's strings may hold '<': escaped for <script>. */
		while (raw_len && (raw[raw_len - 1] == '\n'))
			raw_len--;
		fputs("{\"report\":", f);
		view_json_copy_safe(f, raw, raw_len);
		fputs(",\"latency_hist\":{\"wakeup\":", f);
		pow2_hist(f, &r->wake_latency);
		fputs(",\"preempt\":", f);
		pow2_hist(f, &r->preempt_latency);
		fputs("}}", f);
		fclose(f);
	}
	free(raw);
	ctrace_report_free(r);
	return out;
}
