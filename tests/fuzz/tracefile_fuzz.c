// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the trace reader and what reads its stream: open a
 * buffer, iterate every event, look threads up, convert times, validate,
 * print events and the summary, and run every analysis of the report
 * (the model with it), whole and in a window, with a task's story (all
 * to /dev/null).  Sanitizers turn any out-of-bounds access, UB or
 * leak into a crash.
 *
 * Each input runs twice: as it is, which exercises the chunk checks, and
 * "repaired" (every complete chunk renumbered, its RING counts set to what
 * its records hold, kernel or user, its CRC recomputed), so that mutations
 * inside records reach the record decoder instead of dying at the CRC.
 * Seeds include user ring sets, strings, user and dumper rings, so that
 * mutations start from files the user-event paths accept.  (usan_fuzz.c
 * fuzzes the sanitiser that produces USER chunks.)
 *
 * Seeds: with CTRACE_FUZZ_SEEDS=DIR in the environment the target writes a
 * few valid traces (built with the real writer) into DIR and exits;
 * tests/fuzz/run.sh does that before fuzzing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefile.h"
#include "analysis.h"
#include "internal.h"
#include "report.h"
#include "../unit/tracefile_builder.h"

static FILE *devnull;

static void exercise(const uint8_t *p, size_t n)
{
	struct ctrace_validation v;
	struct ctrace_cursor *c;
	struct ctrace_trace *t;
	struct ctrace_event ev;
	char err[256];

	if (ctrace_trace_open_buffer(p, n, &t, err, sizeof(err)))
		return;
	ctrace_trace_meta(t, "clock");
	ctrace_trace_complete(t);
	ctrace_trace_problem(t);
	ctrace_trace_user_only(t);
	for (size_t i = 0; i < ctrace_trace_nr_rings(t); i++)
		ctrace_trace_ring(t, i);
	for (size_t i = 0; i <= ctrace_trace_nr_usets(t); i++) {
		const struct ctrace_uset_chunk *u = ctrace_trace_uset(t, i);

		/* Every string a ring set has is NUL-terminated in the file. */
		for (uint32_t id = 0; u && id < 8; id++) {
			const char *s = ctrace_trace_string(t, u->index, id);

			if (s && strlen(s) > CTRACE_USTRING_MAX)
				abort();
		}
	}
	if (!ctrace_cursor_new(t, &c)) {
		while (ctrace_cursor_next(c, &ev) > 0) {
			uint32_t tid;

			/* Most records start with a tid after the header;
			 * unknown types may be header-only.  User records
			 * have it in the header. */
			if (ev.kind == CTRACE_RING_USER) {
				memcpy(&tid, (const char *)ev.rec + 8, sizeof(tid));
				ctrace_cursor_thread(c, tid);
				ctrace_trace_string(t, ev.ring >> 16, ev.aux);
			} else if (ev.size >= 12) {
				memcpy(&tid, (const char *)ev.rec + 8, sizeof(tid));
				ctrace_cursor_thread(c, tid);
			}
			ctrace_trace_real_ns(t, ev.ts);
		}
		ctrace_cursor_error(c);
		ctrace_cursor_free(c);
	}
	ctrace_trace_mono_ns(t, 0);
	ctrace_trace_mono_ns(t, UINT64_MAX);
	ctrace_trace_real_ns(t, UINT64_MAX / 2);
	ctrace_validate(t, &v, devnull);
	ctrace_print_events(t, devnull, devnull);
	ctrace_print_summary(t, devnull, devnull);
	for (int pass = 0; pass < 2; pass++) {
		struct ctrace_report_opts o = {
			.sections = CTRACE_RS_ALL, .top = 3, .region = "x",
			.has_task = true, .task = 1, .story = devnull,
		};
		struct ctrace_report *r = NULL;

		/* The second time, a window around the seeds' timestamps. */
		if (pass) {
			o.from_ns = 0x100000000ull;
			o.to_ns = 0x100000040ull;
		}
		ctrace_report_run(t, &o, &r, devnull);
		if (r) {
			ctrace_report_text(r, devnull);
			ctrace_report_json(r, devnull);
			ctrace_report_free(r);
		}
	}
	ctrace_trace_close(t);
}

static bool any_string(const void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id;
	return true;
}

/* Make every complete chunk pass the chunk-level checks. */
static void repair(uint8_t *p, size_t n)
{
	uint64_t off = sizeof(struct ctrace_file_header), seq = 0;

	while (n - off >= sizeof(struct ctrace_chunk_header)) {
		struct ctrace_chunk_header h;

		memcpy(&h, p + off, sizeof(h));
		if (h.size > n - off - sizeof(h))
			break;
		if (h.type == CTRACE_CHUNK_RING &&
		    h.size >= sizeof(struct ctrace_ring_chunk)) {
			uint8_t *q = p + off + sizeof(h);
			struct ctrace_ring_chunk rc;
			struct ctrace_krec_walk w;

			memcpy(&rc, q, sizeof(rc));
			w = (struct ctrace_krec_walk){ .ts = rc.ts_base };
			if (rc.kind == CTRACE_RING_USER) {
				/* Strings as if all were known: counts only. */
				struct ctrace_urec_walk uw = { 0 };

				if (!ctrace_urec_walk(&uw, q + sizeof(rc), h.size - sizeof(rc),
						      any_string, NULL, NULL)) {
					rc.events = uw.events;
					rc.lost = uw.lost;
					rc.ts_base = 0;
					memcpy(q, &rc, sizeof(rc));
				}
			} else if (!ctrace_krec_walk(&w, q + sizeof(rc), h.size - sizeof(rc), NULL)) {
				rc.events = w.events;
				rc.lost = w.lost;
				memcpy(q, &rc, sizeof(rc));
			}
		}
		h.seq = seq++;
		h.crc = 0;
		h.crc = ctrace_crc32c(ctrace_crc32c(0, &h, sizeof(h)),
				      p + off + sizeof(h), h.size);
		memcpy(p + off, &h, sizeof(h));
		off += sizeof(h) + h.size;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	exercise(data, size);
	if (size < sizeof(struct ctrace_file_header))
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	repair(copy, size);
	exercise(copy, size);
	free(copy);
	return 0;
}

/* ----------------------------------------------------------------- seeds */

static void seed_all_records(struct tb *b, bool tsc)
{
	/* The keys ctrace-dump writes. */
	tb_meta(b, "ctrace_version=0.1\nhost=seed\nkernel=6.1.0\nnr_cpus=2\n"
		   "session_id=1\ntarget=all\nevents=0xf\nbuf_size=4096\n"
		   "privileged=1\nstart_realtime_ns=1700000000000000000\n");
	tb_meta(b, tsc ? "clock=tsc\ntsc_khz=3000000\n" : "clock=mono\nx=y\n");
	tb_clock(b, 0, 0xfffff000, 1000, 5000, CTRACE_CLOCK_SNAP_START);
	tb_thread(b, 0, 0xfffff100, 100, 100, 0, CTRACE_STATE_RUNNING,
		  CTRACE_THREAD_F_SNAPSHOT, "ping");
	tb_thread(b, 1, 0xfffff100, 101, 101, 1, CTRACE_STATE_SLEEPING,
		  CTRACE_THREAD_F_SNAPSHOT | CTRACE_THREAD_F_KTHREAD, "pong");
	tb_switch(b, 0, 0xfffff200, 100, 0, CTRACE_STATE_SLEEPING);
	tb_wakeup(b, 1, 0xfffff300, 100, 101, 0);
	tb_switch(b, 0, 0x100000010ull, 0, 100, 0);
	tb_fork(b, 0, 0x100000020ull, 100, 102, 100, "ping", CTRACE_FORK_F_THREAD);
	tb_wakeup(b, 0, 0x100000030ull, 102, 100, 1 | CTRACE_WAKEUP_F_NEW);
	tb_flush(b, 0);
	tb_exec(b, 1, 0x100000040ull, 101, 101, "true", "/bin/true");
	tb_rename(b, 1, 0x100000050ull, 101, 101, "renamed");
	tb_migrate(b, 1, 0x100000060ull, 102, 0, 1);
	tb_lost(b, 1, 0x100000070ull, 5);
	tb_switch(b, 1, 0x100000080ull, CTRACE_TID_HIDDEN, 102, CTRACE_STATE_SLEEPING);
	tb_exit(b, 1, 0x100000090ull, 102, 100, CTRACE_EXIT_F_GROUP_DEAD);
	tb_switch(b, 1, 0x1000000a0ull, 102, 0, CTRACE_STATE_DEAD);
	tb_pad(b, 1, 24);
	tb_clock(b, 1, 0x200000000ull, 0x100000000ull, 0x100001000ull,
		 CTRACE_CLOCK_SNAP_STOP);
	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
}

static void seed_illegal(struct tb *b)
{
	tb_meta(b, "clock=mono\n");
	tb_switch(b, 0, 100, 0, 100, 0);
	tb_switch(b, 1, 150, 0, 100, 0);
	tb_switch(b, 0, 200, 101, 0, CTRACE_STATE_SLEEPING);
	tb_flush_all(b);
	tb_ring(b, 0)->chunk_seq += 3;
	tb_ring(b, 0)->seq += 3;
	tb_switch(b, 0, 300, 0, 100, 0);
	tb_flush_all(b);
}

/* Kernel and user rings: every user record type, strings, the dumper. */
static void seed_user(struct tb *b, bool user_only)
{
	static const uint32_t ids[] = { 1, 2, 3, 4 };
	static const char *const strs[] = { "parse", "io", "read 4096 bytes", "my name" };
	static const char msg[] = "inline \"message\"\n";
	unsigned char unknown[8] = { 1 };

	tb_meta(b, user_only ? "clock=tsc\nuser_only=1\nevents=0x10\n" :
			       "clock=mono\ntarget=all\nevents=0x1f\n");
	tb_uset(b, 0, 1000, 2);
	tb_uset(b, 1, 1001, 1);
	tb_strings(b, 0, 4, ids, strs);
	tb_strings(b, 1, 2, ids, strs);
	tb_dumper_clock(b, 100, 100, 5000, CTRACE_CLOCK_SNAP_START);
	if (!user_only) {
		tb_thread(b, 0, 110, 12, 10, 0, CTRACE_STATE_RUNNING,
			  CTRACE_THREAD_F_SNAPSHOT, "worker");
		tb_switch(b, 0, 150, 12, 13, CTRACE_STATE_SLEEPING);
	}
	tb_uthread(b, 0, 0, 120, 12, 10, "worker");
	tb_uregion(b, 0, 0, 130, 12, CTRACE_UREC_REGION_BEGIN, 1, true, 7);
	tb_uregion(b, 0, 0, 125, 12, CTRACE_UREC_REGION_BEGIN, 4, false, 0);
	tb_utask_begin(b, 0, 0, 140, 12, 2, 7, 0);
	tb_ulog(b, 0, 0, 150, 12, 2, 7, 3, NULL, 0);
	tb_ulog(b, 0, 0, 160, 12, 0, 0, 0, msg, sizeof(msg) - 1);
	tb_uregion(b, 0, 1, 170, 12, CTRACE_UREC_INSTANT, 1, true, 9);
	tb_u64(b, 0, 1, 180, 12, CTRACE_UREC_COUNTER, 2, 17);
	tb_ucounter_f(b, 0, 1, 190, 12, 2, 0.25);
	tb_u64(b, 0, 1, 200, 12, CTRACE_UREC_FLOW_BEGIN, 1, 3);
	tb_flush_all(b);
	tb_u64(b, 0, 1, 210, 13, CTRACE_UREC_FLOW_END, 0, 3);
	tb_u64(b, 0, 1, 220, 13, CTRACE_UREC_LOST, 0, 5);
	tb_ucorrupt(b, 0, 1, 220, 64, CTRACE_CORRUPT_STRING, 2);
	tb_uregion(b, 0, 0, 230, 12, CTRACE_UREC_REGION_END, 4, false, 0);
	tb_uregion(b, 0, 0, 240, 12, CTRACE_UREC_REGION_END, 1, true, 7);
	tb_u64(b, 0, 0, 250, 12, CTRACE_UREC_TASK_END, 0, 7);
	tb_urec(b, 0, 0, 260, 12, 99, 3, unknown, sizeof(unknown));
	tb_uthread(b, 1, 0, 270, 30, 30, "other");
	tb_uregion(b, 1, 0, 280, 30, CTRACE_UREC_REGION_END, 2, false, 0);
	tb_dumper_clock(b, 300, 300, 5200, CTRACE_CLOCK_SNAP_STOP);
	tb_flush_all(b);
	tb_stats(b);
	tb_end(b);
}

static void write_seed(const char *dir, int n, struct tb *b)
{
	size_t len;
	unsigned char *p = tb_finish(b, &len);
	char path[4096];
	FILE *f;

	tb_free(b);
	if (!p)
		return;
	snprintf(path, sizeof(path), "%s/seed-%d", dir, n);
	f = fopen(path, "w");
	if (f) {
		fwrite(p, 1, len, f);
		fclose(f);
	}
	/* A truncated twin of each. */
	snprintf(path, sizeof(path), "%s/seed-%d-cut", dir, n);
	f = fopen(path, "w");
	if (f) {
		fwrite(p, 1, len * 2 / 3, f);
		fclose(f);
	}
	free(p);
}

static void write_seeds(const char *dir)
{
	struct tb b;
	int n = 0;

	if (!tb_open(&b)) {
		seed_all_records(&b, true);
		write_seed(dir, n++, &b);
	}
	if (!tb_open(&b)) {
		seed_all_records(&b, false);
		write_seed(dir, n++, &b);
	}
	if (!tb_open(&b)) {
		seed_illegal(&b);
		write_seed(dir, n++, &b);
	}
	if (!tb_open(&b)) {
		tb_end(&b);
		write_seed(dir, n++, &b);
	}
	if (!tb_open(&b)) {
		seed_user(&b, false);
		write_seed(dir, n++, &b);
	}
	if (!tb_open(&b)) {
		seed_user(&b, true);
		write_seed(dir, n++, &b);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("CTRACE_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}
