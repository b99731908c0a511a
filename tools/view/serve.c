// SPDX-License-Identifier: LGPL-2.1
/*
 * ctrace view --serve: the page for traces too big to embed, served by
 * libmicrohttpd from the index (build.c), so neither the browser nor
 * this process holds the trace.
 *
 *   GET /          the page (the same one, told to ask the server)
 *   GET /meta      the meta JSON and the report (meta.c)
 *   GET /q?...     a window of rows at a level of detail (query.c)
 *   GET /report?from=NS&to=NS
 *                  the report (tools/analysis) of that window, for the
 *                  page's range statistics: the same library, the same
 *                  figures as ctrace report --window
 *   anything else  404; methods other than GET and HEAD 405
 *
 * Paths are compared whole, so nothing maps to a file: there is no
 * directory to traverse.  It listens on 127.0.0.1 unless told otherwise,
 * and another address needs allow_remote; on loopback it also refuses a
 * Host header that is not a loopback name (a page elsewhere rebinding
 * its DNS name to 127.0.0.1 cannot read the trace).  Report runs are
 * serialized (one cursor at a time over the trace); window queries only
 * read the index file with pread().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

bool view_addr_loopback(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

#ifndef CTRACE_HAVE_MHD

int view_serve(struct ctrace_trace *t, const struct view_index *x,
	       const char *report_json, size_t report_len,
	       const struct view_serve_opts *o)
{
	(void)t;
	(void)x;
	(void)report_json;
	(void)report_len;
	fprintf(o->log, "ctrace view: built without libmicrohttpd; --serve needs it "
		"(make deps installs libmicrohttpd-dev, then rebuild)\n");
	return -ENOTSUP;
}

#else

#include <microhttpd.h>

#define MAX_ANSWER (64u << 20)

struct srv {
	struct ctrace_trace *t;
	const struct view_index *x;
	char *page, *meta;
	size_t page_len, meta_len;
	bool check_host;
	uint16_t port;
	pthread_mutex_t report_lock;
	FILE *log;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, void *data, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; script-src 'unsafe-inline'; "
				"style-src 'unsafe-inline'; img-src data:; connect-src 'self'");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned int status,
			     const char *why)
{
	char *msg;
	int n = asprintf(&msg, "%s\n", why);

	if (n < 0)
		return MHD_NO;
	return reply(c, status, "text/plain; charset=utf-8", msg, (size_t)n,
		     MHD_RESPMEM_MUST_FREE);
}

struct args {
	struct view_query q;
	size_t nr_rows;
	bool window_only;	/* /report: from and to alone */
	const char *why;
	int err;
};

static enum MHD_Result one_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct args *a = cls;

	(void)kind;
	if (a->window_only && strcmp(key, "from") && strcmp(key, "to")) {
		a->why = "only from and to";
		a->err = -EINVAL;
	} else {
		a->err = view_query_arg(&a->q, key, value, a->nr_rows, &a->why);
	}
	return a->err ? MHD_NO : MHD_YES;
}

static bool host_ok(const struct srv *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	static const char *const names[] = { "127.0.0.1", "localhost", "[::1]" };
	char want[64];

	if (!s->check_host)
		return true;
	if (!h)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(want, sizeof(want), "%s:%u", names[i], s->port);
		if (!strcmp(h, want) || !strcmp(h, names[i]))
			return true;
	}
	return false;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload, size_t *upload_len, void **state)
{
	struct srv *s = cls;
	struct args a = { .q = { .level = -1 } };

	(void)version;
	(void)upload;
	(void)state;
	if (*upload_len)
		return error(c, 413, "no uploads");
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return error(c, 405, "GET only");
	if (!host_ok(s, c))
		return error(c, 403, "this server answers to a loopback Host only");
	if (!strcmp(url, "/"))
		return reply(c, 200, "text/html; charset=utf-8", s->page, s->page_len,
			     MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/meta"))
		return reply(c, 200, "application/json", s->meta, s->meta_len,
			     MHD_RESPMEM_PERSISTENT);
	a.nr_rows = s->x->nr_rows;
	if (!strcmp(url, "/q")) {
		unsigned char *out;
		size_t len;
		int r;

		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, one_arg, &a);
		if (a.err || view_query_check(&a.q, &a.why)) {
			view_query_free(&a.q);
			return error(c, 400, a.why ? a.why : "bad query");
		}
		r = view_query_answer(s->x, &a.q, MAX_ANSWER, &out, &len);
		view_query_free(&a.q);
		if (r)
			return error(c, r == -E2BIG ? 413 : 500,
				     r == -E2BIG ? "window too large: ask for fewer rows" :
				     "cannot read the index");
		return reply(c, 200, "application/octet-stream", out, len,
			     MHD_RESPMEM_MUST_FREE);
	}
	if (!strcmp(url, "/report")) {
		char *json;
		size_t len;

		a.window_only = true;
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, one_arg, &a);
		if (!a.err && (!a.q.has_from || !a.q.has_to || a.q.from >= a.q.to)) {
			a.why = "from < to, ns from the first event";
			a.err = -EINVAL;
		}
		view_query_free(&a.q);
		if (a.err)
			return error(c, 400, a.why);
		pthread_mutex_lock(&s->report_lock);
		json = view_report_json(s->t, s->x->first_ns + (uint64_t)a.q.from,
					s->x->first_ns + (uint64_t)a.q.to, &len);
		pthread_mutex_unlock(&s->report_lock);
		if (!json)
			return error(c, 500, "out of memory");
		return reply(c, 200, "application/json", json, len, MHD_RESPMEM_MUST_FREE);
	}
	return error(c, 404, "not found");
}

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	FILE *f = arg;

	fputs("ctrace view: ", f);
	vfprintf(f, fmt, ap);
}

int view_serve(struct ctrace_trace *t, const struct view_index *x,
	       const char *report_json, size_t report_len,
	       const struct view_serve_opts *o)
{
	const char *addr = o->addr ? o->addr : "127.0.0.1";
	struct srv s = { .t = t, .x = x, .log = o->log };
	struct view_meta_opts mo = {
		.serve = true, .report_json = report_json, .report_len = report_len,
	};
	struct sockaddr_storage ss = { 0 };
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	char url[128];
	sigset_t set;
	FILE *f;
	int sig;

	if (!view_addr_loopback(addr) && !o->allow_remote) {
		fprintf(o->log, "ctrace view: %s is not a loopback address: anyone who can "
			"reach it could read the trace; add --allow-remote to serve it there\n",
			addr);
		return -EPERM;
	}
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(o->port);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(o->port);
		flags |= MHD_USE_IPv6;
	} else {
		fprintf(o->log, "ctrace view: '%s' is not an IPv4 or IPv6 address\n", addr);
		return -EINVAL;
	}
	if (!view_addr_loopback(addr))
		fprintf(o->log, "ctrace view: warning: serving the trace on %s: anyone who "
			"can reach this port can read it\n", addr);
	s.check_host = view_addr_loopback(addr);
	pthread_mutex_init(&s.report_lock, NULL);
	f = open_memstream(&s.meta, &s.meta_len);
	if (!f)
		return -ENOMEM;
	view_write_meta(x, &mo, f);
	fclose(f);
	f = open_memstream(&s.page, &s.page_len);
	if (!f) {
		free(s.meta);
		return -ENOMEM;
	}
	view_write_page(f, "{\"serve\":true}");
	fclose(f);

	/* SIGINT and SIGTERM end it; the daemon's threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/*
	 * The logger goes first: libmicrohttpd says so on stderr otherwise
	 * ("MHD_OPTION_EXTERNAL_LOGGER is not the first option specified"),
	 * through the logger it has been given, on every --serve.
	 */
	d = MHD_start_daemon(flags, o->port, NULL, NULL, handle, &s,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, o->log,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_THREAD_POOL_SIZE, 2u,
			     MHD_OPTION_CONNECTION_LIMIT, 64u,
			     MHD_OPTION_CONNECTION_TIMEOUT, 60u,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(o->log, "ctrace view: cannot listen on %s port %u: %s\n", addr,
			o->port, strerror(errno));
		free(s.meta);
		free(s.page);
		return -EADDRINUSE;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	s.port = info ? info->port : o->port;
	snprintf(url, sizeof(url), ss.ss_family == AF_INET6 ? "http://[%s]:%u/" :
		 "http://%s:%u/", addr, s.port);
	if (o->ready)
		o->ready(url, o->arg);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	pthread_mutex_destroy(&s.report_lock);
	free(s.meta);
	free(s.page);
	return 0;
}

#endif
