// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the exporters: an input becomes one or two trace
 * files, which go through ctrace_export_perfetto() (into memory, then
 * read back by tests/unit/perfetto_reader.h: a malformed message, a
 * packet that needs incremental state it lacks, an iid never defined, a
 * slice END with nothing open or time going back on a track is a bug,
 * and aborts) and ctrace_export_json() (into /dev/null).  Sanitizers turn
 * any out-of-bounds access, UB or leak into a crash.
 *
 * Two kinds of input, told apart by the first byte:
 *
 *   0x89 ...   a trace file as it is (the magic's first byte): chunk
 *              checks, truncation, corruption (tracefile_fuzz.c repairs
 *              CRCs to reach deeper; here the second kind does that)
 *   else       a program for the trace builder (tracefile_builder.h):
 *              each op byte and its argument bytes append one record (a
 *              switch, wakeup, fork, exec, exit, rename, thread, clock,
 *              loss, sequence gap, chunk flush, or a user record of any
 *              type), so every input is a file the reader accepts, in
 *              any order of events: unmatched ENDs, reused tids, losses
 *              inside regions, threads on hidden or high CPUs.  The first
 *              byte picks the META (kernel version, clock, user-only),
 *              whether the file ends cleanly, and whether a second host
 *              (the same program, another clock) is merged with it.
 *
 * Seeds: with CTRACE_FUZZ_SEEDS=DIR the target writes builder programs
 * and a few whole files into DIR and exits (tests/fuzz/run.sh does it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracefile.h"
#include "export.h"
#include "../unit/tracefile_builder.h"
#include "../unit/perfetto_reader.h"

static FILE *devnull;

/* ------------------------------------------------------------ checking */

static void export_and_check(struct ctrace_trace **t, size_t n)
{
	static const char *const names[2] = { "a", "b" };
	struct ctrace_export_opts o = { .err = devnull };
	struct pr_trace pr;
	char *out = NULL;
	size_t len = 0;

	o.out = open_memstream(&out, &len);
	if (!o.out)
		return;
	ctrace_export_perfetto(t, names, n, &o);
	fclose(o.out);
	if (pr_decode((const uint8_t *)out, len, &pr) || pr_slices(&pr)) {
		fprintf(stderr, "export_fuzz: the Perfetto export is wrong: %s\n", pr.error);
		abort();
	}
	pr_free(&pr);
	free(out);
	o.out = devnull;
	ctrace_export_json(t[0], &o);
}

static void exercise(unsigned char *const *files, const size_t *lens, size_t n)
{
	struct ctrace_trace *t[2] = { NULL, NULL };
	char err[256];
	size_t ok = 0;

	for (size_t i = 0; i < n; i++)
		if (!ctrace_trace_open_buffer(files[i], lens[i], &t[ok], err, sizeof(err)))
			ok++;
	if (ok)
		export_and_check(t, ok);
	for (size_t i = 0; i < ok; i++)
		ctrace_trace_close(t[i]);
}

/* ------------------------------------------------------------ programs */

#define CPUS 4
#define OPS 23

struct prog {
	const uint8_t *p, *end;
	uint64_t ts;
};

static uint8_t next(struct prog *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

/* Threads from a small set, so that events meet: idle, hidden, 8 more. */
static uint32_t tid(struct prog *g)
{
	uint8_t v = next(g) % 10;

	return v == 0 ? 0 : v == 9 ? CTRACE_TID_HIDDEN : 100 + v;
}

static uint32_t cpu(struct prog *g)
{
	return next(g) % CPUS;
}

/* Time moves on by 1 to 4096 ns an op: never back within a ring. */
static uint64_t tick(struct prog *g)
{
	uint8_t a = next(g);

	g->ts += 1 + ((uint64_t)a << (a & 4));
	return g->ts;
}

static const char *const comms[] = { "a", "bb", "worker", "main", "kworker/0:1",
				     "\xff\xfe", "exactly16chars!!" };

static const char *comm(struct prog *g)
{
	return comms[next(g) % (sizeof(comms) / sizeof(comms[0]))];
}

/* A string ID: mostly a known one (1-6), sometimes none. */
static uint16_t name(struct prog *g)
{
	return next(g) % 7;
}

static void op(struct tb *b, struct prog *g, uint8_t code)
{
	uint64_t ts = tick(g), v;
	uint32_t c = cpu(g), a = tid(g), z = tid(g);
	uint8_t x = next(g);

	switch (code % OPS) {
	case 0:
		tb_switch(b, c, ts, a, z, x & (CTRACE_SWITCH_STATE_MASK | CTRACE_SWITCH_F_PREEMPT));
		break;
	case 1:
		tb_wakeup(b, c, ts, a, z, (x % CPUS) | ((x & 0xc0) << 8));
		break;
	case 2:
		tb_fork(b, c, ts, a, z, x & 1 ? a : z, comm(g), x & 2 ? CTRACE_FORK_F_THREAD : 0);
		break;
	case 3:
		tb_exec(b, c, ts, a, x & 1 ? a : z, comm(g), "/bin/prog");
		break;
	case 4:
		tb_exit(b, c, ts, a, z, x & 1);
		break;
	case 5:
		tb_rename(b, c, ts, a, x & 1 ? a : z, comm(g));
		break;
	case 6:
		tb_thread(b, c, ts, a, x & 1 ? a : z, x % CPUS, x % 7,
			  (x >> 3) & 3, comm(g));
		break;
	case 7:
		tb_clock(b, c, ts, ts + (x & 0xf), 1700000000000000000ull + ts * 2,
			 CTRACE_CLOCK_SNAP_PERIODIC);
		break;
	case 8:
		tb_lost(b, c, ts, 1 + x);
		break;
	case 9:
		tb_flush_all(b);
		break;
	case 10:
		/* A gap no LOST record explains. */
		tb_flush(b, c);
		tb_ring(b, c)->chunk_seq += 1 + x % 4;
		tb_ring(b, c)->seq += 1 + x % 4;
		break;
	case 11:
		tb_uthread(b, 0, c, ts, a, x & 1 ? a : z, comm(g));
		break;
	case 12:
	case 13:
		tb_uregion(b, 0, c, ts, a, code % OPS == 12 ? CTRACE_UREC_REGION_BEGIN :
			   CTRACE_UREC_REGION_END, name(g), x & 1, x >> 5);
		break;
	case 14:
		tb_utask_begin(b, 0, c, ts, a, name(g), 1 + (x & 7), x >> 6);
		break;
	case 15:
		tb_u64(b, 0, c, ts, a, CTRACE_UREC_TASK_END, 0, 1 + (x & 7));
		break;
	case 16:
		if (x & 1)
			tb_ulog(b, 0, c, ts, a, name(g), x >> 5, 0, "msg \xc3(", 6);
		else
			tb_ulog(b, 0, c, ts, a, name(g), 0, 1 + x % 6, NULL, 0);
		break;
	case 17:
		tb_uregion(b, 0, c, ts, a, CTRACE_UREC_INSTANT, name(g), x & 1, x >> 4);
		break;
	case 18:
		v = next(g);
		if (x & 1)
			tb_ucounter_f(b, 0, c, ts, a, name(g), (double)v / 3);
		else
			tb_u64(b, 0, c, ts, a, CTRACE_UREC_COUNTER, name(g), v - 100);
		break;
	case 19:
		tb_u64(b, 0, c, ts, a, x & 1 ? CTRACE_UREC_FLOW_BEGIN : CTRACE_UREC_FLOW_END,
		       x & 1 ? name(g) : 0, x >> 5);
		break;
	case 20:
		if (x & 1)
			tb_u64(b, 0, c, ts, 0, CTRACE_UREC_LOST, 0, 1 + (x >> 4));
		else
			tb_ucorrupt(b, 0, c, ts, 8 + x, 1 + x % 7, x % 3);
		break;
	case 21:
		tb_migrate(b, c, ts, a, c, x % CPUS);
		break;
	case 22:
		/* System calls, of numbers known, unknown and ia32. */
		if (x & 1)
			tb_sys_enter(b, c, ts, a, (uint16_t)(x * 37) | (x & 0x80 ? CTRACE_SYSCALL_F_COMPAT : 0));
		else
			tb_sys_exit(b, c, ts, a, (uint16_t)(x * 37), x & 2 ? -(int64_t)(x >> 2) : x);
		break;
	}
}

static const char *const metas[] = {
	"clock=mono\ntarget=all\nkernel=6.1.0-13-amd64\nhost=a\nnr_cpus=4\n",
	"clock=mono\ntarget=all\nkernel=4.9.0\n",
	"clock=mono\ntarget=pids:101,102\n",
	"clock=mono\nuser_only=1\nevents=0x10\n",
	"clock=tsc\ntsc_khz=3000000\ntarget=all\nkernel=6.12.1\n",
	"clock=mono\nstart_realtime_ns=1700000000000000000\n",
	"clock=mono\ntarget=all\nflight=1\nevents=0x2f\n",
};

/* The file a program makes; @host shifts its clock (a second machine). */
static unsigned char *build(const uint8_t *data, size_t size, int host, size_t *len)
{
	static const uint32_t ids[] = { 1, 2, 3, 4, 5, 6 };
	static const char *const strs[] = { "outer", "inner", "job", "cat", "depth", "flow" };
	struct prog g = { data + 1, data + size, 1000 + host * 777 };
	uint8_t flags = data[0];
	struct tb b;

	if (tb_open(&b))
		return NULL;
	tb_meta(&b, metas[(flags & 7) % (sizeof(metas) / sizeof(metas[0]))]);
	tb_uset(&b, 0, 1000, CPUS);
	tb_strings(&b, 0, 6, ids, strs);
	if (flags & 0x08)
		tb_clock(&b, 0, 500, 500 + host * 100000, 1700000000000000000ull + host * 5000,
			 CTRACE_CLOCK_SNAP_START);
	while (g.p < g.end)
		op(&b, &g, next(&g));
	tb_flush_all(&b);
	if (!(flags & 0x10)) {
		tb_stats(&b);
		tb_end(&b);
	}
	tb_free(&b);
	return tb_finish(&b, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *files[2] = { NULL, NULL };
	size_t lens[2] = { 0, 0 }, n;

	if (!size)
		return 0;
	if (data[0] == 0x89) {
		/* The reader keeps pointers into the buffer: a copy it owns. */
		files[0] = malloc(size);
		if (!files[0])
			return 0;
		memcpy(files[0], data, size);
		lens[0] = size;
		exercise(files, lens, 1);
		free(files[0]);
		return 0;
	}
	n = data[0] & 0x20 ? 2 : 1;
	for (size_t i = 0; i < n; i++)
		files[i] = build(data, size, (int)i, &lens[i]);
	if (files[0] && (n == 1 || files[1]))
		exercise(files, lens, n);
	free(files[0]);
	free(files[1]);
	return 0;
}

/* ----------------------------------------------------------------- seeds */

static void write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(p, 1, len, f);
		fclose(f);
	}
}

static void write_seeds(const char *dir)
{
	uint64_t s = 0x2545f4914f6cdd1dull;
	uint8_t prog[384];
	char name[32];

	for (int i = 0; i < 12; i++) {
		unsigned char *file;
		size_t len;

		for (size_t k = 0; k < sizeof(prog); k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			prog[k] = (uint8_t)s;
		}
		/* every META, with a clock, clean and not, one or two hosts */
		prog[0] = (uint8_t)((i % 6) | 0x08 | (i & 1 ? 0x10 : 0) | (i & 2 ? 0x20 : 0));
		snprintf(name, sizeof(name), "prog-%d", i);
		write_file(dir, name, prog, sizeof(prog));
		if (i >= 3)
			continue;
		/* ...and the files some of them make, raw, whole and cut */
		file = build(prog, sizeof(prog), 0, &len);
		if (!file)
			continue;
		snprintf(name, sizeof(name), "file-%d", i);
		write_file(dir, name, file, len);
		snprintf(name, sizeof(name), "file-%d-cut", i);
		write_file(dir, name, file, len * 2 / 3);
		free(file);
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
