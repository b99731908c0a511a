// SPDX-License-Identifier: GPL-2.0
/*
 * The Chrome JSON exporter (tools/export/json.c) on hand-made traces with
 * known events, its output read back by a strict JSON parser of our own:
 * the exact events of a small trace (regions, states, CPUs, tasks, logs,
 * counters, flows, names); hostile strings (markup, quotes, backslashes,
 * control characters, invalid UTF-8, NUL) that stay valid 7-bit JSON and
 * come back as the same text; the size limit, splitting into parts that
 * each hold what their flows bind to, or refusing without a file name;
 * losses, NaN counters and a truncated file.
 *
 * Traces are built with tracefile_builder.h; with clock=mono and no CLOCK
 * records a record's ns is its timestamp, and the JSON's times count from
 * the first event, so ts "0.300" is 300 ns after it.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "tracefile.h"
#include "export.h"
#include "tracefile_builder.h"

/* ------------------------------------------------- a strict JSON reader */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	bool b;
	double num;
	char *raw;		/* J_NUM: the text; J_STR: decoded UTF-8 */
	size_t len;
	struct jv *kids;	/* J_ARR, J_OBJ */
	char **keys;		/* J_OBJ */
	size_t n;
};

struct jp {
	const char *p, *end;
	const char *err;
	int depth;
};

static void jfree(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->raw);
}

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int fail(struct jp *j, const char *why)
{
	if (!j->err)
		j->err = why;
	return -1;
}

static int hex4(struct jp *j, uint32_t *u)
{
	*u = 0;
	for (int i = 0; i < 4; i++, j->p++) {
		int c = j->p < j->end ? *j->p : 0;

		*u <<= 4;
		if (c >= '0' && c <= '9')
			*u |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*u |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*u |= c - 'A' + 10;
		else
			return fail(j, "bad \\u escape");
	}
	return 0;
}

static void put_utf8(char *s, size_t *n, uint32_t u)
{
	if (u < 0x80) {
		s[(*n)++] = u;
	} else if (u < 0x800) {
		s[(*n)++] = 0xc0 | u >> 6;
		s[(*n)++] = 0x80 | (u & 0x3f);
	} else if (u < 0x10000) {
		s[(*n)++] = 0xe0 | u >> 12;
		s[(*n)++] = 0x80 | (u >> 6 & 0x3f);
		s[(*n)++] = 0x80 | (u & 0x3f);
	} else {
		s[(*n)++] = 0xf0 | u >> 18;
		s[(*n)++] = 0x80 | (u >> 12 & 0x3f);
		s[(*n)++] = 0x80 | (u >> 6 & 0x3f);
		s[(*n)++] = 0x80 | (u & 0x3f);
	}
}

/* A string: control characters, bad escapes and lone surrogates fail. */
static int jstr(struct jp *j, char **out, size_t *len)
{
	const char *q = ++j->p;
	size_t n = 0;
	char *s;

	while (q < j->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	s = malloc(q - j->p + 1);
	if (!s)
		return fail(j, "out of memory");
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = *j->p++;
		uint32_t u, lo;

		if (c < 0x20) {
			free(s);
			return fail(j, "control character in a string");
		}
		if (c != '\\') {
			s[n++] = c;
			continue;
		}
		c = j->p < j->end ? *j->p++ : 0;
		switch (c) {
		case '"': case '\\': case '/':
			s[n++] = c;
			break;
		case 'b': s[n++] = '\b'; break;
		case 'f': s[n++] = '\f'; break;
		case 'n': s[n++] = '\n'; break;
		case 'r': s[n++] = '\r'; break;
		case 't': s[n++] = '\t'; break;
		case 'u':
			if (hex4(j, &u))
				goto bad;
			if (u >= 0xdc00 && u <= 0xdfff)
				goto bad;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
					goto bad;
				j->p += 2;
				if (hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(s, &n, u);
			break;
		default:
			goto bad;
		}
	}
	if (j->p >= j->end) {
		free(s);
		return fail(j, "unterminated string");
	}
	j->p++;
	s[n] = '\0';
	*out = s;
	*len = n;
	return 0;
bad:
	free(s);
	return fail(j, "bad escape or lone surrogate");
}

static int jnum(struct jp *j, struct jv *v)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (j->p < j->end && *j->p >= '1' && *j->p <= '9')
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return fail(j, "bad number");
	if (j->p < j->end && *j->p == '.') {
		if (++j->p >= j->end || *j->p < '0' || *j->p > '9')
			return fail(j, "bad fraction");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return fail(j, "bad exponent");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	v->t = J_NUM;
	v->raw = strndup(s, j->p - s);
	v->len = j->p - s;
	v->num = strtod(v->raw, NULL);
	return 0;
}

static int jvalue(struct jp *j, struct jv *v);

static int jlist(struct jp *j, struct jv *v, bool obj)
{
	char close = obj ? '}' : ']';

	v->t = obj ? J_OBJ : J_ARR;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		size_t cap = v->n + 1;
		char *key = NULL;
		size_t klen;

		ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"' || jstr(j, &key, &klen))
				return fail(j, "expected a key");
			for (size_t i = 0; i < v->n; i++)
				if (!strcmp(v->keys[i], key)) {
					free(key);
					return fail(j, "duplicate key");
				}
			ws(j);
			if (j->p >= j->end || *j->p++ != ':') {
				free(key);
				return fail(j, "expected ':'");
			}
			v->keys = realloc(v->keys, cap * sizeof(*v->keys));
			v->keys[v->n] = key;
		}
		v->kids = realloc(v->kids, cap * sizeof(*v->kids));
		memset(&v->kids[v->n], 0, sizeof(*v->kids));
		v->n++;
		if (jvalue(j, &v->kids[v->n - 1]))
			return -1;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		return fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int jvalue(struct jp *j, struct jv *v)
{
	int r;

	ws(j);
	if (j->p >= j->end)
		return fail(j, "unexpected end");
	if (++j->depth > 64)
		return fail(j, "too deep");
	switch (*j->p) {
	case '{':
	case '[':
		r = jlist(j, v, *j->p == '{');
		break;
	case '"':
		v->t = J_STR;
		r = jstr(j, &v->raw, &v->len);
		break;
	case 't': case 'f': case 'n': {
		const char *w = *j->p == 't' ? "true" : *j->p == 'f' ? "false" : "null";

		if ((size_t)(j->end - j->p) < strlen(w) || memcmp(j->p, w, strlen(w)))
			return fail(j, "bad literal");
		j->p += strlen(w);
		v->t = *w == 'n' ? J_NULL : J_BOOL;
		v->b = *w == 't';
		r = 0;
		break;
	}
	default:
		r = jnum(j, v);
	}
	j->depth--;
	return r;
}

/* Parse @len bytes: 0, or -1 with *err set. */
static int jparse(const char *s, size_t len, struct jv *v, const char **err)
{
	struct jp j = { .p = s, .end = s + len };

	memset(v, 0, sizeof(*v));
	if (jvalue(&j, v) == 0) {
		ws(&j);
		if (j.p != j.end)
			fail(&j, "text after the value");
	}
	*err = j.err;
	return j.err ? -1 : 0;
}

static const struct jv *jget(const struct jv *o, const char *key)
{
	if (!o || o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->kids[i];
	return NULL;
}

static const char *jraw(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);

	return v && (v->t == J_STR || v->t == J_NUM) ? v->raw : "";
}

/* The text at @path ("args.name": name in the object args) of @o. */
static const char *jat(const struct jv *o, const char *path)
{
	const char *dot;
	char key[64];

	while ((dot = strchr(path, '.')) && (size_t)(dot - path) < sizeof(key)) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = jget(o, key);
		path = dot + 1;
	}
	return jraw(o, path);
}

static double jnumof(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);

	return v && v->t == J_NUM ? v->num : NAN;
}

static const struct jv *events(const struct jv *doc)
{
	const struct jv *e = jget(doc, "traceEvents");

	return e && e->t == J_ARR ? e : NULL;
}

/* The @nth event with phase @ph (and name @name, unless NULL). */
static const struct jv *find(const struct jv *doc, const char *ph, const char *name,
			     int nth)
{
	const struct jv *e = events(doc);

	for (size_t i = 0; e && i < e->n; i++) {
		const struct jv *x = &e->kids[i];

		if (!strcmp(jraw(x, "ph"), ph) && (!name || !strcmp(jraw(x, "name"), name)) &&
		    nth-- == 0)
			return x;
	}
	return NULL;
}

static int count(const struct jv *doc, const char *ph, const char *cat)
{
	const struct jv *e = events(doc);
	int n = 0;

	for (size_t i = 0; e && i < e->n; i++)
		n += !strcmp(jraw(&e->kids[i], "ph"), ph) &&
		     (!cat || !strcmp(jraw(&e->kids[i], "cat"), cat));
	return n;
}

/* Field @key of event @x (or of its args) is the text @want. */
#define EXPECT_FIELD(x, key, want) EXPECT_STREQ(want, jraw(x, key))
#define EXPECT_ARG(x, key, want) EXPECT_STREQ(want, jraw(jget(x, "args"), key))

/* ---------------------------------------------------------- exporting */

struct out {
	char *buf;
	size_t len;
	int r;
	struct jv doc;
	const char *err;
	bool ascii;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		p = malloc(n + 1);
		if (p && fread(p, 1, n, f) != (size_t)n) {
			free(p);
			p = NULL;
		}
		if (p)
			p[n] = '\0';
		*len = n;
	}
	fclose(f);
	return p;
}

static void parse_out(struct out *o)
{
	o->ascii = true;
	for (size_t i = 0; i < o->len; i++)
		o->ascii &= (unsigned char)o->buf[i] < 0x80;
	jparse(o->buf, o->len, &o->doc, &o->err);
}

/*
 * Export the trace in @p to @dir/out.json (with @path as the exporter's
 * file name, or none when !@named), at most @max bytes; read it back.
 */
static int export(const unsigned char *p, size_t len, const char *dir, bool named,
		  uint64_t max, struct out *o)
{
	struct ctrace_export_opts opts = { .err = stderr, .max_bytes = max };
	struct ctrace_trace *t;
	char path[512], err[256];
	int r;

	memset(o, 0, sizeof(*o));
	r = ctrace_trace_open_buffer(p, len, &t, err, sizeof(err));
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	opts.out = fopen(path, "w");
	opts.path = named ? path : NULL;
	if (!opts.out) {
		ctrace_trace_close(t);
		return -errno;
	}
	o->r = ctrace_export_json(t, &opts);
	fclose(opts.out);
	ctrace_trace_close(t);
	o->buf = slurp(path, &o->len);
	if (!o->buf)
		return -EIO;
	parse_out(o);
	return 0;
}

static void out_free(struct out *o)
{
	jfree(&o->doc);
	free(o->buf);
}

static unsigned char *finish(struct tb *b, size_t *len)
{
	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
	return tb_finish(b, len);
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/export_json_test.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static void rmdir_all(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[600];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

/* A trace being built, and its export. */
struct run {
	struct tb b;
	char *dir;
	unsigned char *p;
	size_t len;
	struct out o;
};

/*
 * Start a trace with ring set 0 of @rings CPUs, strings @strs[0..n) as
 * IDs 1 to n, and the thread MAIN, called @name, in it.
 */
static int begin(struct run *r, const char *meta, uint32_t rings, int n,
		 const char *const *strs, const char *name)
{
	uint32_t ids[32];

	memset(r, 0, sizeof(*r));
	r->dir = tmpdir();
	if (!r->dir || n > 32 || tb_open(&r->b))
		return -1;
	tb_meta(&r->b, meta);
	tb_uset(&r->b, 0, 1000, rings);
	for (int i = 0; i < n; i++)
		ids[i] = i + 1;
	tb_strings(&r->b, 0, n, ids, strs);
	tb_uthread(&r->b, 0, 0, 1000, 100, 100, name);
	return 0;
}

/* Finish the trace and export it (no limit) into r->o. */
static int run(struct run *r)
{
	r->p = finish(&r->b, &r->len);
	return r->p ? export(r->p, r->len, r->dir, true, 0, &r->o) : -1;
}

static void run_free(struct run *r)
{
	out_free(&r->o);
	free(r->p);
	tb_free(&r->b);
	rmdir_all(r->dir);
}

#define MAIN 100
#define WORKER 101
/* Their state rows: tid 2^32 + tid. */
#define MAIN_STATE "4294967396"
#define WORKER_STATE "4294967397"
#define S CTRACE_STATE_SLEEPING

/* ----------------------------------------------------------- the tests */

/* A task across two threads, nested regions, a log, counters, a flow and
 * a wakeup: every event exactly. */
TEST(small_trace_exactly)
{
	static const char *const strs[] = { "outer", "inner", "job", "cat", "depth",
					    "ratio", "handoff", "tick", "work" };
	static const struct {
		const char *ph, *name, *path, *want;
	} fields[] = {
		/* Regions: X on the thread, times in us from the first event. */
		{ "X", "outer", "cat", "region" }, { "X", "outer", "pid", "100" },
		{ "X", "outer", "tid", "100" }, { "X", "outer", "ts", "0.300" },
		{ "X", "outer", "dur", "1.700" }, { "X", "outer", "args.task", "0x7" },
		{ "X", "outer", "args.depth", "1" },
		{ "X", "outer", "args.running_ms", "0.001700" },
		{ "X", "outer", "args.sleeping_ms", "0.000000" },
		{ "X", "outer", "args.unknown_ms", "0.000000" },
		{ "X", "inner", "ts", "0.500" }, { "X", "inner", "dur", "1.000" },
		{ "X", "work", "tid", "101" }, { "X", "work", "pid", "100" },
		/* Log, instant, counters. */
		{ "i", "cat", "s", "t" }, { "i", "cat", "ts", "0.400" },
		{ "i", "cat", "args.message", "hello" }, { "i", "cat", "args.category", "cat" },
		{ "i", "tick", "tid", "101" },
		{ "C", "depth", "args.value", "-3" }, { "C", "ratio", "args.value", "0.5" },
		/* The task: b and e with the same local id, on their threads. */
		{ "b", "job", "ts", "0.200" }, { "b", "job", "id2.local", "0x7" },
		{ "b", "job", "args.threads", "2" },
		{ "e", "job", "ts", "2.900" }, { "e", "job", "id2.local", "0x7" },
		/* The flow: from main's state row (no region open) into "work". */
		{ "s", "handoff", "tid", MAIN_STATE }, { "s", "handoff", "ts", "2.100" },
		{ "s", "handoff", "args.flow", "0x2a" }, { "f", "handoff", "tid", "101" },
		{ "f", "handoff", "ts", "2.700" }, { "f", "handoff", "bp", "e" },
		{ "f", "handoff", "cat", "flow" },
		/* The wakeup: main's Running slice to worker's Runnable, inside it. */
		{ "s", "wakeup", "tid", MAIN_STATE }, { "s", "wakeup", "ts", "2.200" },
		{ "f", "wakeup", "tid", WORKER_STATE }, { "f", "wakeup", "ts", "2.300" },
		/* States, on the state rows. */
		{ "X", "Running", "tid", MAIN_STATE }, { "X", "Running", "ts", "0.100" },
		{ "X", "Running", "dur", "2.900" },
		{ "X", "Running", "cname", "thread_state_running" },
		{ "X", "Runnable", "tid", WORKER_STATE }, { "X", "Runnable", "ts", "2.200" },
		{ "X", "Runnable", "dur", "0.200" }, { "X", "Runnable", "args.cause", "wakeup" },
		{ "X", "Runnable", "args.waker", "main:100" },
		{ "X", "Sleeping", "ts", "3.000" }, { "X", "Sleeping", "args.ended", "trace end" },
		/* CPUs: what ran, named after it; idle not drawn. */
		{ "X", "main", "pid", "0" }, { "X", "main", "tid", "0" },
		{ "X", "main", "dur", "2.900" }, { "X", "worker", "tid", "1" },
	};
	const struct jv *x, *od;
	struct run r;
	struct tb *b = &r.b;
	struct out *o = &r.o;

	ASSERT_EQ(0, begin(&r, "clock=mono\ntarget=all\nhost=box\n", 2, 9, strs, "main"));
	tb_uthread(b, 0, 1, 1001, WORKER, MAIN, "worker");
	tb_switch(b, 0, 1100, 0, MAIN, 0);
	tb_utask_begin(b, 0, 0, 1200, MAIN, 3, 7, 0);
	tb_uregion(b, 0, 0, 1300, MAIN, CTRACE_UREC_REGION_BEGIN, 1, true, 7);
	tb_ulog(b, 0, 0, 1400, MAIN, 4, 7, 0, "hello", 5);
	tb_uregion(b, 0, 0, 1500, MAIN, CTRACE_UREC_REGION_BEGIN, 2, false, 0);
	tb_u64(b, 0, 0, 1600, MAIN, CTRACE_UREC_COUNTER, 5, (uint64_t)-3);
	tb_ucounter_f(b, 0, 0, 1650, MAIN, 6, 0.5);
	tb_uregion(b, 0, 0, 2500, MAIN, CTRACE_UREC_REGION_END, 2, false, 0);
	tb_uregion(b, 0, 0, 3000, MAIN, CTRACE_UREC_REGION_END, 1, true, 7);
	tb_u64(b, 0, 0, 3100, MAIN, CTRACE_UREC_FLOW_BEGIN, 7, 42);
	tb_wakeup(b, 0, 3200, WORKER, MAIN, 1);
	tb_switch(b, 1, 3400, 0, WORKER, 0);
	tb_uregion(b, 0, 1, 3500, WORKER, CTRACE_UREC_REGION_BEGIN, 9, true, 7);
	tb_uregion(b, 0, 1, 3600, WORKER, CTRACE_UREC_INSTANT, 8, true, 7);
	tb_u64(b, 0, 1, 3700, WORKER, CTRACE_UREC_FLOW_END, 0, 42);
	tb_uregion(b, 0, 1, 3800, WORKER, CTRACE_UREC_REGION_END, 9, true, 7);
	tb_u64(b, 0, 0, 3900, MAIN, CTRACE_UREC_TASK_END, 0, 7);
	tb_switch(b, 0, 4000, MAIN, 0, S);
	tb_switch(b, 1, 4100, WORKER, 0, S);
	ASSERT_EQ(0, run(&r));
	ASSERT_EQ(0, o->r);
	ASSERT_EQ(NULL, o->err) TH_LOG("%s", o->err);
	EXPECT_TRUE(o->ascii);
	EXPECT_STREQ("ns", jraw(&o->doc, "displayTimeUnit"));

	/* Regions: X on the thread, times in us from the first event. */
	/* Each event's fields, as text ("args.x": x of its args). */
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct jv *e = find(&o->doc, fields[i].ph, fields[i].name, 0);

		EXPECT_NE(NULL, e) TH_LOG("no %s %s", fields[i].ph, fields[i].name);
		EXPECT_STREQ(fields[i].want, jat(e, fields[i].path))
			TH_LOG("%s %s: %s", fields[i].ph, fields[i].name, fields[i].path);
	}
	EXPECT_EQ(NULL, jget(jget(find(&o->doc, "X", "inner", 0), "args"), "task"));
	EXPECT_EQ(3, count(&o->doc, "X", "region"));
	EXPECT_EQ(4, count(&o->doc, "X", "state"));
	EXPECT_EQ(2, count(&o->doc, "X", "cpu"));
	/* Both ends of a flow carry the same (cat, name, id). */
	EXPECT_STREQ(jat(find(&o->doc, "s", "handoff", 0), "id"),
		     jat(find(&o->doc, "f", "handoff", 0), "id"));
	EXPECT_STREQ(jat(find(&o->doc, "s", "wakeup", 0), "id"),
		     jat(find(&o->doc, "f", "wakeup", 0), "id"));
	EXPECT_STRNE(jat(find(&o->doc, "s", "handoff", 0), "id"),
		     jat(find(&o->doc, "s", "wakeup", 0), "id"));

	/* Names of every row. */
	{
		static const char *const want[][3] = {
			{ "100", "100", "main" }, { "100", "101", "worker" },
			{ "100", MAIN_STATE, "main (state)" },
			{ "100", WORKER_STATE, "worker (state)" },
			{ "0", "0", "CPU 0" }, { "0", "1", "CPU 1" },
		};
		int found = 0;

		for (int i = 0; (x = find(&o->doc, "M", "thread_name", i)); i++)
			for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
				found += !strcmp(jraw(x, "pid"), want[k][0]) &&
					 !strcmp(jraw(x, "tid"), want[k][1]) &&
					 !strcmp(jraw(jget(x, "args"), "name"), want[k][2]);
		EXPECT_EQ(6, found);
		x = find(&o->doc, "M", "process_name", 0);
		ASSERT_NE(NULL, x);
		x = find(&o->doc, "M", "process_name", 1);
		ASSERT_NE(NULL, x);
	}

	od = jget(&o->doc, "otherData");
	ASSERT_NE(NULL, od);
	EXPECT_FIELD(od, "host", "box");
	EXPECT_FIELD(od, "time_base_mono_ns", "1000");
	EXPECT_EQ(1, jnumof(od, "part"));
	EXPECT_EQ(1, jnumof(od, "parts"));
	EXPECT_EQ(1, jnumof(od, "flows"));
	EXPECT_EQ(1, jnumof(od, "wakeup_flows"));
	EXPECT_EQ(0, jnumof(od, "lost_events"));
	run_free(&r);
}

/* What the parser says of bad JSON (it must be strict to prove much). */
TEST(strict_parser)
{
	static const char *const bad[] = {
		"[1,]", "{\"a\":1,}", "[01]", "[1.]", "\"a\x01\"", "\"\\x\"",
		"\"\\ud800\"", "\"\\udc00\"", "{\"a\":1,\"a\":2}", "[1] 2", "[nul]",
		"{a:1}", "[\"a\"", "",
	};
	static const char *const good[] = {
		"[1,-0.5,2e3,true,false,null]", "{\"a\":{\"b\":[]}}",
		"\"\\ud83d\\ude00\\u00e9\\\"\\\\\\/\\n\"",
	};
	const char *err;
	struct jv v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, jparse(bad[i], strlen(bad[i]), &v, &err)) TH_LOG("%s", bad[i]);
		jfree(&v);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, jparse(good[i], strlen(good[i]), &v, &err)) TH_LOG("%s: %s", good[i], err);
		jfree(&v);
	}
	ASSERT_EQ(0, jparse(good[2], strlen(good[2]), &v, &err));
	EXPECT_STREQ("\xf0\x9f\x98\x80\xc3\xa9\"\\/\n", v.raw);
	jfree(&v);
}

/* Strings a program wrote: anything at all; they come back as text. */
TEST(hostile_strings)
{
	static const struct {
		const char *in, *out;	/* out: invalid UTF-8 as U+FFFD */
	} s[] = {
		{ "<script>alert(1)</script>", "<script>alert(1)</script>" },
		{ "q\"uote\\back/slash", "q\"uote\\back/slash" },
		{ "ctl\x01\x1f\x7f\n\t\r\b", "ctl\x01\x1f\x7f\n\t\r\b" },
		{ "bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd" },
		{ "over\xc0\xaf", "over\xef\xbf\xbd\xef\xbf\xbd" },
		{ "surr\xed\xa0\x80", "surr\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "cut\xe2\x82", "cut\xef\xbf\xbd\xef\xbf\xbd" },
		{ "big\xf4\x90\x80\x80", "big\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "ok \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8", "ok \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8" },
	};
	enum { N = sizeof(s) / sizeof(s[0]) };
	static const char msg[] = "m\0<\"\\\x02\xff\xc3\xa9";
	static const char msg_out[] = "m\0<\"\\\x02\xef\xbf\xbd\xc3\xa9";
	const char *strs[N];
	const struct jv *x;
	struct run r;
	struct tb *b = &r.b;
	struct out *o = &r.o;
	int found = 0;

	for (int i = 0; i < N; i++)
		strs[i] = s[i].in;
	ASSERT_EQ(0, begin(&r, "clock=mono\ntarget=all\nhost=<b>\"x\\\n", 1, N, strs,
			   "<i>\"\\\x01\xff\xc3\xa9"));
	tb_switch(b, 0, 1010, 0, MAIN, 0);
	for (int i = 0; i < N; i++) {
		tb_uregion(b, 0, 0, 1100 + 100 * i, MAIN, CTRACE_UREC_REGION_BEGIN, i + 1, false, 0);
		tb_ulog(b, 0, 0, 1120 + 100 * i, MAIN, i + 1, 0, 0, msg, sizeof(msg) - 1);
		tb_uregion(b, 0, 0, 1150 + 100 * i, MAIN, CTRACE_UREC_REGION_END, i + 1, false, 0);
	}
	ASSERT_EQ(0, run(&r));
	ASSERT_EQ(0, o->r);
	ASSERT_EQ(NULL, o->err) TH_LOG("%s", o->err);
	EXPECT_TRUE(o->ascii);
	/* Inert in a page: no markup characters at all. */
	EXPECT_EQ(NULL, memchr(o->buf, '<', o->len));
	EXPECT_EQ(NULL, memchr(o->buf, '>', o->len));
	for (int i = 0; i < N; i++) {
		x = find(&o->doc, "X", s[i].out, 0);
		EXPECT_NE(NULL, x) TH_LOG("region %d", i);
		x = find(&o->doc, "i", s[i].out, 0);
		ASSERT_NE(NULL, x) TH_LOG("log %d", i);
		x = jget(jget(x, "args"), "message");
		ASSERT_NE(NULL, x);
		EXPECT_EQ(sizeof(msg_out) - 1, x->len);
		EXPECT_EQ(0, memcmp(msg_out, x->raw, sizeof(msg_out) - 1));
	}
	for (int i = 0; (x = find(&o->doc, "M", "thread_name", i)); i++) {
		const char *n = jraw(jget(x, "args"), "name");

		found += !strcmp(n, "<i>\"\\\x01\xef\xbf\xbd\xc3\xa9") ||
			 !strcmp(n, "<i>\"\\\x01\xef\xbf\xbd\xc3\xa9 (state)");
	}
	EXPECT_EQ(2, found);
	EXPECT_STREQ("<b>\"x\\", jraw(jget(&o->doc, "otherData"), "host"));
	run_free(&r);
}

/* Two threads bouncing, a region open throughout, flows from it. */
static unsigned char *busy_trace(size_t *len, int rounds)
{
	static const char *const strs[] = { "long", "hop" };
	unsigned char *p;
	struct run r;
	struct tb b;
	uint64_t t = 1000;

	if (begin(&r, "clock=mono\ntarget=all\n", 2, 2, strs, "ping"))
		return NULL;
	/* The builder's state moves with it; the directory is not needed. */
	b = r.b;
	rmdir_all(r.dir);
	tb_uthread(&b, 0, 0, t + 1, WORKER, MAIN, "pong");
	tb_switch(&b, 0, t += 10, 0, MAIN, 0);
	tb_uregion(&b, 0, 0, t += 10, MAIN, CTRACE_UREC_REGION_BEGIN, 1, false, 0);
	for (int i = 0; i < rounds; i++) {
		uint32_t a = i % 2 ? WORKER : MAIN, z = i % 2 ? MAIN : WORKER;

		if (a == MAIN && i % 10 == 0)
			tb_u64(&b, 0, 0, t += 10, MAIN, CTRACE_UREC_FLOW_BEGIN, 2, i);
		tb_wakeup(&b, 0, t += 100, z, a, 0);
		tb_switch(&b, 0, t += 100, a, z, S);
		if (z == WORKER && i % 10 == 0)
			tb_u64(&b, 0, 0, t += 10, WORKER, CTRACE_UREC_FLOW_END, 0, i);
		if (i % 512 == 0)
			tb_flush_all(&b);
	}
	tb_uregion(&b, 0, 0, t += 10, MAIN, CTRACE_UREC_REGION_END, 1, false, 0);
	p = finish(&b, len);
	tb_free(&b);
	return p;
}

/* Distinct strings of @v[0..n), sorted in place. */
static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t distinct(char **v, size_t n)
{
	size_t d = 0;

	qsort(v, n, sizeof(*v), cmpstr);
	for (size_t i = 0; i < n; i++)
		d += !i || strcmp(v[i], v[i - 1]);
	return d;
}

/* A state slice as "tid@begin", its true begin (a part draws a slice cut
 * at its start from there, saying where it began). */
static char *state_id(const struct jv *x)
{
	const struct jv *began = jget(jget(x, "args"), "began_us");
	char *id;

	if (asprintf(&id, "%s@%s", jraw(x, "tid"), began ? began->raw : jraw(x, "ts")) < 0)
		return NULL;
	return id;
}

/* An X on @row (pid, tid strings) of @doc around @ts (ns, from "ts")? */
static bool enclosed(const struct jv *doc, const char *pid, const char *tid, double ts)
{
	const struct jv *e = events(doc);

	for (size_t i = 0; i < e->n; i++) {
		const struct jv *x = &e->kids[i];
		double b = jnumof(x, "ts"), d = jnumof(x, "dur");

		if (!strcmp(jraw(x, "ph"), "X") && !strcmp(jraw(x, "pid"), pid) &&
		    !strcmp(jraw(x, "tid"), tid) && b <= ts && ts <= b + d)
			return true;
	}
	return false;
}

/* The busy trace, and a directory to export it into. */
FIXTURE(busy) {
	char *dir;
	unsigned char *p;
	size_t len;
};

FIXTURE_SETUP(busy)
{
	self->dir = tmpdir();
	ASSERT_NE(NULL, self->dir);
	self->p = busy_trace(&self->len, 3000);
	ASSERT_NE(NULL, self->p);
}

FIXTURE_TEARDOWN(busy)
{
	free(self->p);
	rmdir_all(self->dir);
}

/* Split at the limit: each part valid, named, within the limit, its flows
 * bound to slices it holds; together they hold what one file would. */
TEST_F(busy, split_parts_stand_alone)
{
	const uint64_t limit = 64 << 10;
	char path[600];
	struct out whole, part;
	int parts = 0, whole_states, flows = 0, cut = 0, copies = 0;
	char **ids = NULL;
	size_t nr_ids = 0;

	ASSERT_EQ(0, export(self->p, self->len, self->dir, true, 0, &whole));
	ASSERT_EQ(0, whole.r);
	ASSERT_EQ(NULL, whole.err);
	ASSERT_GT(whole.len, 4 * limit);
	whole_states = count(&whole.doc, "X", "state");

	ASSERT_EQ(0, export(self->p, self->len, self->dir, true, limit, &part));
	EXPECT_EQ(0, part.r);
	for (int k = 1;; k++) {
		struct out o = { 0 };
		const struct jv *e, *od;

		if (k == 1) {
			o = part;
		} else {
			snprintf(path, sizeof(path), "%s/out-%d.json", self->dir, k);
			o.buf = slurp(path, &o.len);
			if (!o.buf)
				break;
			parse_out(&o);
		}
		parts++;
		EXPECT_LE(o.len, limit);
		ASSERT_EQ(NULL, o.err) TH_LOG("part %d: %s", k, o.err);
		od = jget(&o.doc, "otherData");
		EXPECT_EQ(k, jnumof(od, "part"));
		e = events(&o.doc);
		for (size_t i = 0; i < e->n; i++) {
			const struct jv *x = &e->kids[i];
			const char *ph = jraw(x, "ph");
			bool named = false;

			if (!strcmp(ph, "X") && !strcmp(jraw(x, "cat"), "state")) {
				copies += jget(jget(x, "args"), "continues") != NULL;
				ids = realloc(ids, (nr_ids + 1) * sizeof(*ids));
				ids[nr_ids++] = state_id(x);
			}
			if (!strcmp(ph, "s") || !strcmp(ph, "f")) {
				/* Its slice is here... */
				EXPECT_TRUE(enclosed(&o.doc, jraw(x, "pid"), jraw(x, "tid"),
						     jnumof(x, "ts")))
					TH_LOG("part %d: %s at %s", k, ph, jraw(x, "ts"));
			}
			if (!strcmp(ph, "f")) {
				/* ...and so is its start (an s may wait for a later f). */
				const struct jv *m;
				bool started = false;

				for (int j = 0; !started && (m = find(&o.doc, "s", jraw(x, "name"), j)); j++)
					started = !strcmp(jraw(m, "id"), jraw(x, "id")) &&
						  !strcmp(jraw(m, "cat"), jraw(x, "cat"));
				EXPECT_TRUE(started) TH_LOG("part %d: f %s", k, jraw(x, "id"));
				flows++;
			}
			if (strcmp(ph, "M")) {
				/* Every row drawn on is named in the part. */
				const struct jv *m;

				if (!strcmp(ph, "C") || !strcmp(jraw(x, "s"), "g"))
					continue;
				for (int j = 0; !named && (m = find(&o.doc, "M", "thread_name", j)); j++)
					named = !strcmp(jraw(m, "pid"), jraw(x, "pid")) &&
						!strcmp(jraw(m, "tid"), jraw(x, "tid"));
				EXPECT_TRUE(named) TH_LOG("part %d: row %s/%s", k, jraw(x, "pid"),
							  jraw(x, "tid"));
			}
		}
		if (jget(od, "parts"))
			cut = jnumof(od, "flows_cut");
		if (k == 1)
			memset(&part, 0, sizeof(part));
		out_free(&o);
	}
	EXPECT_GE(parts, 4);
	/* Slices cut at a part's start are drawn from there, each once. */
	EXPECT_EQ(whole_states, distinct(ids, nr_ids));
	for (size_t i = 0; i < nr_ids; i++)
		free(ids[i]);
	free(ids);
	EXPECT_GT(copies, 0);
	EXPECT_EQ((int)jnumof(jget(&whole.doc, "otherData"), "flows") +
		  (int)jnumof(jget(&whole.doc, "otherData"), "wakeup_flows"), flows + (cut > 0 ? cut : 0));
	out_free(&whole);
}

/* Without a file name to make parts from, it stops, with valid JSON. */
TEST_F(busy, refuses_past_the_limit_without_parts)
{
	const uint64_t limit = 64 << 10;
	struct out o;

	ASSERT_EQ(0, export(self->p, self->len, self->dir, false, limit, &o));
	EXPECT_EQ(-EFBIG, o.r);
	EXPECT_LE(o.len, limit);
	EXPECT_GT(o.len, limit / 2);
	ASSERT_EQ(NULL, o.err) TH_LOG("%s", o.err);
	EXPECT_NE(NULL, jget(jget(&o.doc, "otherData"), "truncated"));
	out_free(&o);
	/* ...and a limit no part could keep is refused at once. */
	ASSERT_EQ(0, export(self->p, self->len, self->dir, true, 1000, &o));
	EXPECT_EQ(-EINVAL, o.r);
	out_free(&o);
}

/* Losses where they happened; what JSON cannot hold, counted. */
TEST(losses_and_nan)
{
	static const char *const strs[] = { "level" };
	const struct jv *x, *od;
	struct run r;
	struct tb *b = &r.b;
	struct out *o = &r.o;

	ASSERT_EQ(0, begin(&r, "clock=mono\ntarget=all\n", 1, 1, strs, "main"));
	tb_switch(b, 0, 1100, 0, MAIN, 0);
	tb_ucounter_f(b, 0, 0, 1200, MAIN, 1, NAN);
	tb_ucounter_f(b, 0, 0, 1250, MAIN, 1, INFINITY);
	tb_ucounter_f(b, 0, 0, 1300, MAIN, 1, 1.25);
	tb_lost(b, 0, 1400, 17);
	tb_switch(b, 0, 1500, MAIN, 0, S);
	tb_ucorrupt(b, 0, 0, 1600, 64, CTRACE_CORRUPT_TYPE, 2);
	tb_ucounter_f(b, 0, 0, 1700, MAIN, 1, 2.5);
	ASSERT_EQ(0, run(&r));
	ASSERT_EQ(0, o->r);
	ASSERT_EQ(NULL, o->err) TH_LOG("%s", o->err);
	EXPECT_EQ(2, count(&o->doc, "C", NULL));
	x = find(&o->doc, "i", "lost events", 0);
	ASSERT_NE(NULL, x);
	EXPECT_FIELD(x, "s", "g");
	EXPECT_FIELD(x, "ts", "0.400");
	EXPECT_ARG(x, "count", "17");
	EXPECT_ARG(x, "ring_kind", "kernel");
	x = find(&o->doc, "i", "corrupt records", 0);
	ASSERT_NE(NULL, x);
	EXPECT_ARG(x, "reason", "type");
	EXPECT_ARG(x, "bytes", "64");
	od = jget(&o->doc, "otherData");
	EXPECT_EQ(17, jnumof(od, "lost_events"));
	EXPECT_EQ(1, jnumof(od, "loss_records"));
	EXPECT_EQ(1, jnumof(od, "corrupt_records"));
	EXPECT_EQ(64, jnumof(od, "corrupt_bytes"));
	EXPECT_EQ(2, jnumof(od, "nonfinite_counter_samples"));
	/* After the loss, what the thread did is Unknown, not guessed. */
	EXPECT_NE(NULL, find(&o->doc, "X", "Unknown", 0));
	run_free(&r);
}

/* A file cut short: what it holds, valid JSON, and an error. */
TEST_F(busy, truncated_file)
{
	struct out o;

	ASSERT_EQ(0, export(self->p, self->len * 2 / 3, self->dir, true, 0, &o));
	EXPECT_EQ(-EBADMSG, o.r);
	ASSERT_EQ(NULL, o.err) TH_LOG("%s", o.err);
	EXPECT_NE(NULL, jget(jget(&o.doc, "otherData"), "problem"));
	EXPECT_GT(count(&o.doc, "X", "state"), 100);
	out_free(&o);
}

TEST_HARNESS_MAIN
