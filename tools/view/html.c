// SPDX-License-Identifier: LGPL-2.1
/*
 * The page as one file: the HTML template (page/index.html) with the
 * style sheet, the script, the meta JSON and every block (base64) put
 * in its markers.  Nothing is fetched: no font, script or image comes
 * from elsewhere, so the file opens offline and can be mailed.
 *
 *   <style>  page/view.css                        </style>
 *   <script type="application/json" id="ctrace-meta">  {meta}  </script>
 *   <script type="application/octet-stream" id="ctrace-blocks"> base64 </script>
 *   <script> the page's scripts, in order         </script>
 *
 * The data elements are not scripts the browser runs; the page reads
 * their text.  The meta's strings are escaped so that no '<' occurs in
 * it, and base64 has none, so neither can end its element early.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

#define MARK_CSS "/*CTRACE-CSS*/"
#define MARK_JS "/*CTRACE-JS*/"
#define MARK_DATA "<!--CTRACE-DATA-->"

/* The template with @data written where its data marker is. */
static void page(FILE *f, void (*data)(FILE *f, const void *arg), const void *arg)
{
	const char *s = view_page_html;

	for (;;) {
		const char *c = strstr(s, MARK_CSS), *j = strstr(s, MARK_JS);
		const char *d = strstr(s, MARK_DATA), *next = NULL;
		size_t mlen = 0;

		if (c && (!next || c < next))
			next = c, mlen = strlen(MARK_CSS);
		if (j && (!next || j < next))
			next = j, mlen = strlen(MARK_JS);
		if (d && (!next || d < next))
			next = d, mlen = strlen(MARK_DATA);
		if (!next) {
			fputs(s, f);
			return;
		}
		fwrite(s, 1, (size_t)(next - s), f);
		if (next == c)
			fputs(view_page_css, f);
		else if (next == j)
			fputs(view_page_js, f);
		else
			data(f, arg);
		s = next + mlen;
	}
}

struct embed {
	const struct view_index *x;
	const char *report;
	size_t report_len;
	int err;
};

static void embed_data(FILE *f, const void *arg)
{
	struct embed *e = (struct embed *)arg;
	const struct view_index *x = e->x;
	struct view_meta_opts o = {
		.blocks = true, .report_json = e->report, .report_len = e->report_len,
	};
	unsigned char *buf = NULL, *carry;
	size_t have = 0, cap = 0;

	fputs("<script type=\"application/json\" id=\"ctrace-meta\">", f);
	view_write_meta(x, &o, f);
	fputs("</script>\n<script type=\"application/octet-stream\" id=\"ctrace-blocks\">", f);
	/* Blocks in the meta's order, as one base64 text: encoded in
	 * multiples of 3 bytes so the pieces join without padding. */
	for (size_t i = 0; i < x->nr_blocks && !e->err; i++) {
		const struct view_block *b = &x->blocks[i];
		size_t whole;

		if (have + b->len > cap) {
			cap = (have + b->len) * 2;
			carry = realloc(buf, cap);
			if (!carry) {
				e->err = -ENOMEM;
				break;
			}
			buf = carry;
		}
		if ((e->err = view_read_block(x, b, buf + have)))
			break;
		have += b->len;
		whole = have / 3 * 3;
		view_base64(f, buf, whole);
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	}
	view_base64(f, buf, have);
	free(buf);
	fputs("</script>\n", f);
}

int view_write_html(const struct view_index *x, const char *report_json,
		    size_t report_len, FILE *f)
{
	struct embed e = { x, report_json, report_len, 0 };

	page(f, embed_data, &e);
	if (e.err)
		return e.err;
	return ferror(f) ? -EIO : 0;
}

static void serve_data(FILE *f, const void *arg)
{
	fprintf(f, "<script type=\"application/json\" id=\"ctrace-meta\">%s</script>\n",
		(const char *)arg);
}

void view_write_page(FILE *f, const char *data_json)
{
	page(f, serve_data, data_json);
}
