// SPDX-License-Identifier: GPL-2.0
/*
 * Crash safety.  ctrace-dump killed with SIGKILL mid-run leaves a file that
 * decodes up to its last complete chunk and says the recording did not end
 * cleanly; the module tears the session down and frees its memory.  And
 * any prefix of a real trace file decodes exactly the events of the chunks
 * it holds whole.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "kctl.h"
#include "ktest.h"
#include "ktrace.h"

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static uint64_t count_events(struct ctrace_trace *t, int *err)
{
	struct ctrace_cursor *c;
	struct ctrace_event ev;
	uint64_t n = 0;
	int r;

	if (ctrace_cursor_new(t, &c))
		return 0;
	while ((r = ctrace_cursor_next(c, &ev)) == 1)
		n++;
	*err = r;
	ctrace_cursor_free(c);
	return n;
}

TEST(kill9_mid_run)
{
	const char *trace = "/tmp/crash_kill9.trace";
	struct ctrace_info base = kt_module_info(), now;
	struct ctrace_trace *t;
	pid_t dump;
	int err = 0;

	unlink(trace);
	ktest_pin(ktest_nr_cpus_online() - 1);
	dump = fork();
	ASSERT_LE(0, dump);
	if (!dump) {
		execl(ktest_tool("ctrace-dump"), "ctrace-dump", "-q", "-b", "64k",
		      "-o", trace, "--", ktest_workload(), "forever", "2", (char *)NULL);
		_exit(127);
	}
	/* Let it write a few chunks, then kill it without warning. */
	for (int i = 0; i < 300 && file_size(trace) < 200000; i++)
		usleep(50000);
	ASSERT_LT(200000, file_size(trace));
	kill(dump, SIGKILL);
	waitpid(dump, NULL, 0);

	/* Its session died with it (the workload dies with its parent). */
	usleep(100000);
	now = kt_module_info();
	EXPECT_EQ(base.sessions, now.sessions);
	EXPECT_EQ(base.mem_bytes, now.mem_bytes);

	t = kt_open(trace);
	ASSERT_NE(NULL, t);
	EXPECT_FALSE(ctrace_trace_complete(t));
	EXPECT_LT(1000, count_events(t, &err));
	EXPECT_EQ(0, err);
	EXPECT_EQ(0, kt_validate(t));
	ctrace_trace_close(t);
	unlink(trace);
}

/* Where each chunk of a trace file ends, and the events up to there. */
struct cut {
	off_t end;
	uint64_t events;
};

static int chunk_ends(const uint8_t *p, off_t size, struct cut *cuts, int max)
{
	off_t off = sizeof(struct ctrace_file_header);
	uint64_t events = 0;
	int n = 0;

	while (off + (off_t)sizeof(struct ctrace_chunk_header) <= size && n < max) {
		const struct ctrace_chunk_header *h = (const void *)(p + off);
		off_t end = off + sizeof(*h) + h->size;

		if (h->magic != CTRACE_CHUNK_MAGIC || end > size)
			break;
		if (h->type == CTRACE_CHUNK_RING) {
			const struct ctrace_ring_chunk *rc = (const void *)(h + 1);
			const uint8_t *r = (const uint8_t *)(rc + 1), *rend = p + end;

			/* The cursor returns every record but PAD and TIME. */
			for (; r < rend; r += ((const struct ctrace_krec *)r)->size * 8) {
				uint8_t type = ((const struct ctrace_krec *)r)->type;

				events += type != CTRACE_KREC_PAD && type != CTRACE_KREC_TIME;
				if (!((const struct ctrace_krec *)r)->size)
					return -1;
			}
		}
		cuts[n++] = (struct cut){ end, events };
		off = end;
	}
	return n;
}

TEST(every_prefix_decodes)
{
	const char *trace = "/tmp/crash_full.trace", *cut_path = "/tmp/crash_cut.trace";
	char args[8192], out[8192], err[512], want[64];
	struct cut cuts[4096];
	unsigned int seed = 42;
	struct ctrace_trace *t;
	int fd, n, checked = 0;
	uint8_t *p;
	off_t size;

	ktest_pin(ktest_nr_cpus_online() - 1);
	snprintf(args, sizeof(args), "-b 256k -o %s -- %s storm 0.3 2", trace, ktest_workload());
	ASSERT_EQ(0, ktest_dump(args, out, sizeof(out))) TH_LOG("%s", out);
	size = file_size(trace);
	fd = open(trace, O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p);
	n = chunk_ends(p, size, cuts, 4096);
	ASSERT_LT(4, n);
	ASSERT_EQ(size, cuts[n - 1].end);

	/*
	 * Cut points: around 100 chunk boundaries (all of them in a small
	 * file), and 100 random ones.
	 */
	for (int k = 0; k < 300 + 100; k++) {
		int i = k / 3 * n / 100;
		off_t at = k < 300 ? (i < n ? cuts[i].end + (k % 3) - 1 : -1) :
				     (off_t)(rand_r(&seed) % size);
		uint64_t expect = 0, got;
		off_t first_incomplete = -1;
		int r = 0;

		if (at < 0 || at > size)
			continue;
		for (int i = 0; i < n; i++) {
			if (cuts[i].end <= at) {
				expect = cuts[i].events;
			} else {
				first_incomplete = i ? cuts[i - 1].end : (off_t)sizeof(struct ctrace_file_header);
				break;
			}
		}
		fd = open(cut_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		ASSERT_EQ(at, write(fd, p, at));
		close(fd);
		if (at < (off_t)sizeof(struct ctrace_file_header)) {
			/* Not even a header: a clear refusal. */
			EXPECT_GT(0, ctrace_trace_open(cut_path, &t, err, sizeof(err)));
			EXPECT_NE(0, err[0]);
			continue;
		}
		ASSERT_EQ(0, ctrace_trace_open(cut_path, &t, err, sizeof(err))) TH_LOG("at %ld: %s", (long)at, err);
		got = count_events(t, &r);
		EXPECT_EQ(0, r) TH_LOG("at %ld", (long)at);
		EXPECT_EQ(expect, got) TH_LOG("cut at %ld of %ld", (long)at, (long)size);
		EXPECT_EQ(at == size, ctrace_trace_complete(t));
		/* A cut inside a chunk is reported at that chunk's offset. */
		if (first_incomplete >= 0 && first_incomplete < at) {
			const char *why = ctrace_trace_problem(t);

			snprintf(want, sizeof(want), "%ld", (long)first_incomplete);
			EXPECT_TRUE(why && strstr(why, want))
				TH_LOG("cut at %ld: %s (want offset %s)", (long)at, why ? why : "(none)", want);
		}
		ctrace_trace_close(t);
		checked++;
	}
	TH_LOG("%d cuts of a %ld-byte file with %d chunks", checked, (long)size, n);
	munmap(p, size);
	unlink(trace);
	unlink(cut_path);
}

KTEST_HARNESS_MAIN
