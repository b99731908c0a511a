// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing /dev/ctrace: ioctl and mmap with random and hostile arguments,
 * each against the exact errno the ABI gives it, and proof that a
 * read-only page cannot be made writable.
 *
 *  - ioctl: random command numbers (type, nr, size and direction bits)
 *    are ENOTTY, and so are the two real commands with any other size or
 *    direction; every pointer the real commands could be handed that
 *    cannot be read (NULL, low, unmapped, PROT_NONE, kernel, non-canonical,
 *    a struct that runs into an unmapped page) is EFAULT, and leaves the
 *    file as it was.  The vfs's own commands (types 0, 'T', 'X', 'f', 0x15,
 *    0x94: FIONBIO, FIGETBSZ, FIFREEZE, FS_IOC_*, FICLONE...) never reach
 *    the module and are not sent.
 *  - mmap: random offsets (each region's start, one page either side,
 *    misaligned, far away), lengths, protections and flags on a reader's
 *    file (its read-only region, its consumer region, the user ring set in
 *    its table), a writer's file (control page, ring set) and a file that
 *    is neither, each against a model of docs/abi.md's rules.
 *  - read-only pages (the meta area, a ring, a writer's control page):
 *    PROT_WRITE at mmap is EPERM, shared or private; mprotect cannot add
 *    PROT_WRITE or PROT_EXEC (EACCES), to a private mapping either, so
 *    MAP_PRIVATE never leads to a copy-on-write page; mremap moves them
 *    but cannot grow them (EFAULT) or make them writable; a write through
 *    /proc/self/mem (FOLL_FORCE) or process_vm_writev() fails; a store is
 *    SIGSEGV, in a forked child too; and what the kernel wrote there reads
 *    back unchanged.
 *
 * Replay: the PRNG seed is printed; CTRACE_FUZZ_SEED=0x... sets it.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "kctl.h"
#include "ktest.h"

#define DEFAULT_SEED	0x6374726163654142ull	/* "ctraceAB" */
#define N_IOCTL		20000
#define N_MMAP		4000
#define PG		4096UL

#ifndef MAP_SYNC
#define MAP_SYNC	0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t fuzz_seed(void)
{
	const char *v = getenv("CTRACE_FUZZ_SEED");
	uint64_t seed = v && *v ? strtoull(v, NULL, 0) : DEFAULT_SEED;

	printf("# CTRACE_FUZZ_SEED=%#llx\n", (unsigned long long)seed);
	fflush(stdout);
	return seed;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* Commands the vfs answers itself, before (or instead of) the module. */
static int vfs_command(unsigned int cmd)
{
	switch (_IOC_TYPE(cmd)) {
	case 0: case 'T': case 'X': case 'f': case 0x15: case 0x94:
		return 1;
	}
	return 0;
}

/* ----------------------------------------------------------------- ioctl */

TEST(ioctl_random_commands_are_enotty)
{
	uint64_t rng = fuzz_seed();
	int fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	unsigned long sent = 0, bad = 0;
	uint8_t zero[PG] = { 0 };

	ASSERT_LE(0, fd);
	for (int i = 0; i < N_IOCTL; i++) {
		unsigned int dir = ktest_rnd(&rng, 4), size = ktest_rnd(&rng, 1 << 14);
		unsigned int type = ktest_rnd(&rng, 2) ? CTRACE_IOC_MAGIC : ktest_rnd(&rng, 256);
		unsigned int nr = ktest_rnd(&rng, 4) ? ktest_rnd(&rng, 8) : ktest_rnd(&rng, 256);
		unsigned int cmd = ktest_rnd(&rng, 8) ? _IOC(dir, type, nr, size) : (uint32_t)ktest_rng(&rng);
		void *arg = ktest_rnd(&rng, 2) ? (void *)zero : (void *)(uintptr_t)ktest_rng(&rng);
		int e;

		if (cmd == CTRACE_IOC_ATTACH || cmd == CTRACE_IOC_REGISTER || vfs_command(cmd))
			continue;
		sent++;
		e = xioctl(fd, cmd, arg);
		if (e != ENOTTY && bad++ < 8)
			TH_LOG("ioctl %#x: %s, not ENOTTY", cmd, strerrorname_np(e) ?: "0");
	}
	/* Nothing above changed the file: it still attaches or registers. */
	{
		struct ctrace_register r = { .size = sizeof(r) };

		EXPECT_EQ(0, xioctl(fd, CTRACE_IOC_REGISTER, &r));
	}
	printf("# %lu random ioctls, all ENOTTY but %lu\n", sent, bad);
	fflush(stdout);
	EXPECT_EQ(0, bad);
	close(fd);
}

TEST(ioctl_real_numbers_wrong_size_or_direction)
{
	static const unsigned int sizes[] = {
		0, 1, 4, 8, 16, 23, 24, 25, 32, 40, 47, 48, 49, 56, 64, 128, 4096,
		(1 << 14) - 1,
	};
	unsigned long sent = 0, bad = 0;
	uint8_t zero[PG] = { 0 };
	int fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	for (unsigned int nr = 0; nr < 8; nr++)
		for (unsigned int dir = 0; dir < 4; dir++)
			for (unsigned int size = 0; size < 300 + ARRAY_LEN(sizes); size++) {
				unsigned int s = size < 300 ? size : sizes[size - 300];
				unsigned int cmd = _IOC(dir, CTRACE_IOC_MAGIC, nr, s);
				int e;

				if (cmd == CTRACE_IOC_ATTACH || cmd == CTRACE_IOC_REGISTER)
					continue;
				sent++;
				e = xioctl(fd, cmd, zero);
				if (e != ENOTTY && bad++ < 8)
					TH_LOG("ioctl %#x: %s, not ENOTTY", cmd,
					       strerrorname_np(e) ?: "0");
			}
	printf("# %lu ioctls with ctrace's magic and another size or direction, all ENOTTY but %lu\n",
	       sent, bad);
	fflush(stdout);
	EXPECT_EQ(0, bad);
	close(fd);
}

/* Pointers no ioctl may read: all EFAULT. */
static int bad_pointers(void **p, int max)
{
	static uint8_t *none, *hole, *edge;
	int n = 0;

	if (!none) {
		/* [readable page][PROT_NONE page][unmapped page] */
		edge = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (edge == MAP_FAILED)
			return 0;
		none = edge + PG;
		hole = edge + 2 * PG;
		mprotect(none, PG, PROT_NONE);
		munmap(hole, PG);
	}
	p[n++] = NULL;
	p[n++] = (void *)1;
	p[n++] = (void *)8;
	p[n++] = (void *)(PG - 4);
	p[n++] = none;
	p[n++] = none + PG - 4;
	p[n++] = hole;
	p[n++] = (void *)0xffff888000000000ull;	/* the direct map */
	p[n++] = (void *)0xffffffff81000000ull;	/* kernel text */
	p[n++] = (void *)0x8000000000000000ull;	/* non-canonical */
	p[n++] = (void *)0x0000800000000000ull;	/* just past user space */
	p[n++] = (void *)-1L;
	p[n++] = (void *)-4096L;
	/*
	 * size readable (and right for both commands), the rest not: the
	 * struct runs into the PROT_NONE page
	 */
	*(uint32_t *)(none - 8) = 48;
	*(uint32_t *)(none - 4) = 48;
	p[n++] = none - 4;
	p[n++] = none - 8;
	return n < max ? n : max;
}

TEST(ioctl_bad_pointers_are_efault)
{
	struct ctrace_ctl *ctl = kt_ctl_open();
	struct ctrace_session_info info;
	uint32_t me = getpid();
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &me, .nr_pids = 1,
		.buf_size = 4096, .clock = -1,
	};
	void *ptrs[32];
	int n = bad_pointers(ptrs, 32), fd, total = 0;

	ASSERT_LT(10, n);
	ASSERT_NE(NULL, ctl);
	ASSERT_EQ(0, ctrace_ctl_session_new(ctl, &o, &info));
	ctrace_session_info_free(&info);
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(EFAULT, xioctl(fd, CTRACE_IOC_ATTACH, ptrs[i])) TH_LOG("ATTACH %p", ptrs[i]);
		EXPECT_EQ(EFAULT, xioctl(fd, CTRACE_IOC_REGISTER, ptrs[i])) TH_LOG("REGISTER %p", ptrs[i]);
		total += 2;
	}
	/* None of them did anything: the file is free to attach. */
	{
		struct ctrace_attach at = { .size = sizeof(at), .session_id = info.id };

		EXPECT_EQ(0, xioctl(fd, CTRACE_IOC_ATTACH, &at));
		EXPECT_EQ(PG, at.meta_size);
	}
	printf("# %d ioctls with unreadable arguments, all EFAULT\n", total);
	fflush(stdout);
	close(fd);
	ctrace_ctl_close(ctl);
}

/*
 * A readable argument the kernel cannot write its answer into.  ATTACH and
 * REGISTER then fail with EFAULT and leave the file as it was: it attaches
 * (registers) afterwards.  (They used to attach first and fail after.)
 */
TEST(ioctl_read_only_argument)
{
	struct ctrace_ctl *ctl = kt_ctl_open();
	struct ctrace_session_info info;
	uint32_t me = getpid();
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &me, .nr_pids = 1,
		.buf_size = 4096, .clock = -1,
	};
	struct ctrace_attach at;
	struct ctrace_register r = { .size = sizeof(r) };
	void *ro = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd, e;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(NULL, ctl);
	ASSERT_EQ(0, ctrace_ctl_session_new(ctl, &o, &info));
	ctrace_session_info_free(&info);
	at = (struct ctrace_attach){ .size = sizeof(at), .session_id = info.id };
	memcpy(ro, &at, sizeof(at));
	ASSERT_EQ(0, mprotect(ro, PG, PROT_READ));
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(EFAULT, xioctl(fd, CTRACE_IOC_ATTACH, ro));
	e = xioctl(fd, CTRACE_IOC_ATTACH, &at);
	EXPECT_EQ(0, e) TH_LOG("ATTACH after an EFAULT: %s", strerrorname_np(e) ?: "0");
	EXPECT_EQ(PG, at.meta_size);
	close(fd);

	mprotect(ro, PG, PROT_READ | PROT_WRITE);
	memcpy(ro, &r, sizeof(r));
	mprotect(ro, PG, PROT_READ);
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(EFAULT, xioctl(fd, CTRACE_IOC_REGISTER, ro));
	e = xioctl(fd, CTRACE_IOC_REGISTER, &r);
	EXPECT_EQ(0, e) TH_LOG("REGISTER after an EFAULT: %s", strerrorname_np(e) ?: "0");
	EXPECT_LT(0, r.uset_size);
	close(fd);
	munmap(ro, PG);
	ctrace_ctl_close(ctl);
}

/* ------------------------------------------------------------------ mmap */

/* A writer (this process, registered), and a running session reading it. */
FIXTURE(mapped) {
	struct ctrace_ctl *ctl;
	int rfd, wfd, idle;
	struct ctrace_register reg;
	struct ctrace_meta meta;
	struct ctrace_ring_desc ring0;
	struct ctrace_uset_desc uset;
	const struct ctrace_meta *m;
	uint64_t meta_size;
	uint32_t id;
	int noexec;
};

FIXTURE_SETUP(mapped)
{
	uint32_t me = getpid();
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &me, .nr_pids = 1,
		.buf_size = 8192, .clock = -1,
	};
	struct ctrace_session_info info;
	struct ctrace_attach at = { .size = sizeof(at) };
	const struct ctrace_uset_desc *d;
	struct statvfs sv;

	self->ctl = kt_ctl_open();
	ASSERT_NE(NULL, self->ctl);
	self->wfd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	self->rfd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	self->idle = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->idle);
	self->reg = (struct ctrace_register){ .size = sizeof(self->reg) };
	ASSERT_EQ(0, xioctl(self->wfd, CTRACE_IOC_REGISTER, &self->reg));
	ASSERT_EQ(0, ctrace_ctl_session_new(self->ctl, &o, &info));
	self->id = info.id;
	ctrace_session_info_free(&info);
	at.session_id = self->id;
	ASSERT_EQ(0, xioctl(self->rfd, CTRACE_IOC_ATTACH, &at));
	self->meta_size = at.meta_size;
	/* Starting claims this user's ring set: it enters the table. */
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_START, self->id));
	self->m = mmap(NULL, self->meta_size, PROT_READ, MAP_SHARED, self->rfd, 0);
	ASSERT_NE(MAP_FAILED, self->m);
	self->meta = *self->m;
	self->ring0 = *(const struct ctrace_ring_desc *)((const char *)self->m +
							 self->m->ring_desc_off);
	d = (const void *)((const char *)self->m + self->m->uset_desc_off);
	self->uset = d[0];
	ASSERT_EQ(CTRACE_USET_DESC_ACTIVE, self->uset.state);
	ASSERT_EQ(self->meta.cons_off + self->meta.cons_size, self->uset.off);
	ASSERT_EQ(self->reg.uset_size, self->uset.size);
	ASSERT_EQ(0, statvfs(CTRACE_DEVICE_PATH, &sv));
	self->noexec = !!(sv.f_flag & ST_NOEXEC);
}

FIXTURE_TEARDOWN(mapped)
{
	munmap((void *)self->m, self->meta_size);
	close(self->rfd);
	close(self->wfd);
	close(self->idle);
	ctrace_ctl_close(self->ctl);
}

enum { F_READER, F_WRITER, F_IDLE };

/* What mmap must answer, from docs/abi.md and the vfs's checks first. */
static int mmap_model(const FIXTURE_DATA(mapped) *self, int which, uint64_t off,
		      uint64_t len, int prot, int flags)
{
	int type = flags & 0x0f;
	int shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	uint64_t pgoff = off / PG, pages = (len + PG - 1) / PG;
	uint64_t ro_pages = self->meta.ro_size / PG;
	int ro_rule, sh_rule;

	if (off % PG || (flags & MAP_HUGETLB) || !len)
		return EINVAL;
	/* A char device's offsets end at MAX_LFS_FILESIZE (file_mmap_ok()). */
	if (off + pages * PG < off || off + pages * PG > (uint64_t)INT64_MAX)
		return EOVERFLOW;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC))
		return EOPNOTSUPP;
	if (self->noexec && (prot & PROT_EXEC))
		return EPERM;
	ro_rule = prot & (PROT_WRITE | PROT_EXEC) ? EPERM : 0;
	sh_rule = !shared ? EINVAL : prot & PROT_EXEC ? EPERM : 0;
	switch (which) {
	case F_READER:
		if (pgoff < ro_pages && pages <= ro_pages - pgoff)
			return ro_rule;
		if (off == self->meta.cons_off && len > self->meta.cons_size - PG &&
		    len <= self->meta.cons_size)
			return sh_rule;
		if (off == self->uset.off && pages == self->uset.size / PG)
			return sh_rule;
		return EINVAL;
	case F_WRITER:
		if (pgoff == 0 && pages == 1)
			return ro_rule;
		if (off == self->reg.uset_off && pages == self->reg.uset_size / PG)
			return sh_rule;
		return EINVAL;
	}
	return EINVAL;	/* neither attached nor registered */
}

static uint64_t pick_off(FIXTURE_DATA(mapped) *self, int which, uint64_t *rng)
{
	const uint64_t r[] = {
		0, self->meta_size, self->ring0.page_off, self->ring0.data_off,
		self->meta.cons_off, self->meta.ro_size - PG, self->uset.off,
		self->reg.uset_off, self->uset.off + (1ull << 36),
	};
	uint64_t o = r[ktest_rnd(rng, ARRAY_LEN(r))];

	(void)which;
	switch (ktest_rnd(rng, 8)) {
	case 0: return o + PG;
	case 1: return o >= PG ? o - PG : o;
	case 2: return o + 1 + ktest_rnd(rng, PG - 1);	/* misaligned */
	case 3: return (uint64_t)ktest_rnd(rng, 1 << 12) * PG;
	case 4: return (uint64_t)ktest_rnd(rng, 1 << 20) << 24;	/* far */
	default: return o;
	}
}

static uint64_t pick_len(FIXTURE_DATA(mapped) *self, uint64_t off, uint64_t *rng)
{
	const uint64_t r[] = {
		0, 1, PG - 1, PG, PG + 1, 2 * PG, self->meta_size,
		self->meta.data_size, self->meta.ro_size, self->meta.cons_size,
		self->uset.size, self->meta.ro_size > off ? self->meta.ro_size - off : 1,
	};
	uint64_t l = r[ktest_rnd(rng, ARRAY_LEN(r))];

	switch (ktest_rnd(rng, 6)) {
	case 0: return l + PG;
	case 1: return l > PG ? l - PG : l;
	case 2: return 1 + ktest_rnd(rng, 1 << 22);
	default: return l;
	}
}

/* Every mapping the files offer, as the ABI says to map it. */
static void near_valid(FIXTURE_DATA(mapped) *self, uint64_t *rng, int *which,
		       uint64_t *off, uint64_t *len, int *prot, int *flags)
{
	const struct { int which; uint64_t off, len; int prot; } v[] = {
		{ F_READER, 0, self->meta_size, PROT_READ },
		{ F_READER, 0, self->meta.ro_size, PROT_READ },
		{ F_READER, self->ring0.page_off, PG, PROT_READ },
		{ F_READER, self->ring0.data_off, self->meta.data_size, PROT_READ },
		{ F_READER, self->meta.cons_off, self->meta.cons_size, PROT_READ | PROT_WRITE },
		{ F_READER, self->uset.off, self->uset.size, PROT_READ | PROT_WRITE },
		{ F_WRITER, self->reg.ctl_off, self->reg.ctl_size, PROT_READ },
		{ F_WRITER, self->reg.uset_off, self->reg.uset_size, PROT_READ | PROT_WRITE },
	};
	int k = ktest_rnd(rng, ARRAY_LEN(v));

	*which = v[k].which;
	*off = v[k].off;
	*len = v[k].len;
	*prot = v[k].prot;
	*flags = MAP_SHARED;
	switch (ktest_rnd(rng, 8)) {
	case 0: *off += ktest_rnd(rng, 2) ? PG : -PG; break;
	case 1: *len += ktest_rnd(rng, 2) ? PG : -(ktest_rnd(rng, PG) + 1); break;
	case 2: *prot = ktest_rnd(rng, 8); break;
	case 3: *flags = ktest_rnd(rng, 5); break;
	case 4: *flags |= ktest_rnd(rng, 2) ? MAP_POPULATE : MAP_LOCKED; break;
	}
}

/* 4,000 mmaps: over 30 s under KASAN and lockdep. */
TEST_F_TIMEOUT(mapped, mmap_random, 300)
{
	static const int extra[] = { 0, MAP_POPULATE, MAP_NORESERVE, MAP_LOCKED, MAP_SYNC,
				     MAP_HUGETLB };
	uint64_t rng = fuzz_seed();
	unsigned long bad = 0, ok = 0, by_errno[256] = { 0 };
	int fds[3] = { self->rfd, self->wfd, self->idle };

	for (int i = 0; i < N_MMAP; i++) {
		int which = ktest_rnd(&rng, 8) < 5 ? F_READER : ktest_rnd(&rng, 3) ? F_WRITER : F_IDLE;
		uint64_t off = pick_off(self, which, &rng), len = pick_len(self, off, &rng);
		int prot = ktest_rnd(&rng, 8), flags = ktest_rnd(&rng, 5) | extra[ktest_rnd(&rng, ARRAY_LEN(extra))];
		int want, got = 0;
		void *p;

		if (ktest_rnd(&rng, 2))	/* a valid mapping, then one thing changed */
			near_valid(self, &rng, &which, &off, &len, &prot, &flags);
		want = mmap_model(self, which, off, len, prot, flags);
		p = mmap(NULL, len, prot, flags, fds[which], off);

		if (p == MAP_FAILED)
			got = errno;
		if (got != want && bad++ < 8)
			TH_LOG("mmap(file %d, off %#llx, len %#llx, prot %#x, flags %#x): %s, not %s",
			       which, (unsigned long long)off, (unsigned long long)len, prot, flags,
			       strerrorname_np(got) ?: "success", strerrorname_np(want) ?: "success");
		if (got < 256)
			by_errno[got]++;
		if (p != MAP_FAILED) {
			ok++;
			if (prot & PROT_READ)
				(void)*(volatile uint8_t *)p;
			munmap(p, len);
		}
	}
	printf("# %d mmaps: %lu mapped", N_MMAP, ok);
	for (int e = 1; e < 256; e++)
		if (by_errno[e])
			printf(", %s %lu", strerrorname_np(e), by_errno[e]);
	printf("; %lu not as the model says\n", bad);
	fflush(stdout);
	EXPECT_EQ(0, bad);
	EXPECT_LT(N_MMAP / 10, ok);
}

/* A store to @p in a child: how it ended (the wait status). */
static int child_store(volatile uint8_t *p)
{
	int st = 0;
	pid_t c = fork();

	if (c == 0) {
		*p = 0x5a;
		_exit(0);
	}
	waitpid(c, &st, 0);
	return st;
}

static int died_of_segv(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

/* Ways to write at @p through the kernel: each must fail. */
static int forced_writes_fail(void *p)
{
	uint8_t v = 0x5a;
	struct iovec local = { .iov_base = &v, .iov_len = 1 };
	struct iovec remote = { .iov_base = p, .iov_len = 1 };
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC), ok = 1;

	if (fd < 0 || pwrite(fd, &v, 1, (off_t)(uintptr_t)p) != -1 || errno != EIO)
		ok = 0;
	if (fd >= 0)
		close(fd);
	/* ENOSYS: a kernel without CROSS_MEMORY_ATTACH (make check-debug's)
	 * has no such route at all. */
	if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != -1 ||
	    (errno != EFAULT && errno != ENOSYS))
		ok = 0;
	return ok;
}

/*
 * Everything that could make a read-only mapping of @fd at @off (@len
 * bytes) writable, tried in this process; returns the failures (as
 * KT_CHECK counts them), so that a forked child can run it too.
 */
static int try_to_write(int fd, uint64_t off, uint64_t len, const uint8_t *before)
{
	int fails = ktest_failures;
	uint8_t *p, *q, *moved, *r;
	void *spot;

	KT_CHECK(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off) == MAP_FAILED &&
		 errno == EPERM, "shared writable mapping");
	KT_CHECK(mmap(NULL, len, PROT_WRITE, MAP_SHARED, fd, off) == MAP_FAILED &&
		 errno == EPERM, "shared write-only mapping");
	KT_CHECK(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off) == MAP_FAILED &&
		 errno == EPERM, "private writable mapping (copy-on-write)");
	KT_CHECK(mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, off) == MAP_FAILED &&
		 errno == EPERM, "executable mapping");

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	q = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, off);
	KT_CHECK(p != MAP_FAILED && q != MAP_FAILED, "read-only mappings: %s", strerror(errno));
	if (p == MAP_FAILED || q == MAP_FAILED)
		return ktest_failures - fails;
	KT_CHECK(!memcmp(p, before, 64) && !memcmp(q, before, 64), "content differs");

	/* mprotect: neither write nor exec, shared or private. */
	KT_CHECK(mprotect(p, len, PROT_READ | PROT_WRITE) == -1 && errno == EACCES, "mprotect W");
	KT_CHECK(mprotect(p, len, PROT_WRITE) == -1 && errno == EACCES, "mprotect W only");
	KT_CHECK(mprotect(p, len, PROT_READ | PROT_EXEC) == -1 && errno == EACCES, "mprotect X");
	KT_CHECK(mprotect(q, len, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
		 "mprotect W of a private mapping");
	KT_CHECK(mprotect(p, len, PROT_NONE) == 0 && mprotect(p, len, PROT_READ) == 0,
		 "mprotect NONE and back");

	/* Stores, and the kernel's forced writes. */
	KT_CHECK(died_of_segv(child_store(p)), "store to the shared mapping");
	KT_CHECK(died_of_segv(child_store(q)), "store to the private mapping");
	KT_CHECK(forced_writes_fail(p), "forced write to the shared mapping: %s", strerror(errno));
	KT_CHECK(forced_writes_fail(q), "forced write to the private mapping: %s", strerror(errno));

	/* mremap: may move, may not grow, and stays read-only. */
	spot = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	moved = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, spot);
	KT_CHECK(moved == spot, "mremap move: %s", strerror(errno));
	if (moved == spot) {
		p = moved;
		KT_CHECK(!memcmp(p, before, 64), "moved content differs");
		KT_CHECK(mprotect(p, len, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
			 "mprotect W after mremap");
		KT_CHECK(died_of_segv(child_store(p)), "store after mremap");
		KT_CHECK(forced_writes_fail(p), "forced write after mremap");
	}
	KT_CHECK(mremap(p, len, len + PG, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
		 "mremap grow: %s", strerror(errno));
	r = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	if (r != MAP_FAILED) {
		/* Some kernel allowed it: the copy must be as read-only. */
		KT_CHECK(mprotect(r, len, PROT_READ | PROT_WRITE) == -1, "mprotect W after DONTUNMAP");
		KT_CHECK(died_of_segv(child_store(r)), "store after DONTUNMAP");
		munmap(r, len);
	}
	KT_CHECK(!memcmp(p, before, 64) && !memcmp(q, before, 64), "content changed");
	munmap(p, len);
	munmap(q, len);
	return ktest_failures - fails;
}

/* Read-only pages: this process and a forked child try every way. */
static void read_only_region(struct __test_metadata *_metadata, int fd, uint64_t off,
			     uint64_t len)
{
	uint8_t before[64], after[64];
	uint8_t *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	int st;
	pid_t c;

	ASSERT_NE(MAP_FAILED, p);
	memcpy(before, p, sizeof(before));
	ktest_failures = 0;
	EXPECT_EQ(0, try_to_write(fd, off, len, before));
	/* A child with the mapping inherited, and its own tries. */
	c = fork();
	ASSERT_LE(0, c);
	if (c == 0) {
		int f = try_to_write(fd, off, len, before);

		if (mprotect(p, len, PROT_READ | PROT_WRITE) != -1 || errno != EACCES)
			f++;
		if (!died_of_segv(child_store(p)) || !forced_writes_fail(p))
			f++;
		_exit(f);
	}
	ASSERT_EQ(c, waitpid(c, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("child: %#x", st);
	/* The kernel's page, as a fresh mapping sees it: untouched. */
	munmap(p, len);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(after, p, sizeof(after));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	munmap(p, len);
}

TEST_F(mapped, meta_area_stays_read_only)
{
	read_only_region(_metadata, self->rfd, 0, self->meta_size);
	EXPECT_EQ(CTRACE_META_MAGIC, self->m->magic);
	EXPECT_EQ(self->id, self->m->session_id);
}

TEST_F(mapped, ring_stays_read_only)
{
	uint64_t len = self->ring0.data_off + self->meta.data_size - self->ring0.page_off;

	/* The session is stopped, so that the kernel writes no more there. */
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_STOP, self->id));
	read_only_region(_metadata, self->rfd, self->ring0.page_off, len);
}

TEST_F(mapped, control_page_stays_read_only)
{
	const struct ctrace_user_ctl *c;

	read_only_region(_metadata, self->wfd, self->reg.ctl_off, self->reg.ctl_size);
	c = mmap(NULL, PG, PROT_READ, MAP_SHARED, self->wfd, 0);
	ASSERT_NE(MAP_FAILED, c);
	EXPECT_EQ(CTRACE_USER_CTL_MAGIC, c->magic);
	EXPECT_EQ(self->id, c->session_id);
	EXPECT_NE(0, c->enabled);
	munmap((void *)c, PG);
}

/* The writable regions: shared only, never executable, even later. */
TEST_F(mapped, writable_regions_stay_shared_and_not_executable)
{
	struct { int fd; uint64_t off, len; } w[] = {
		{ self->rfd, self->meta.cons_off, self->meta.cons_size },
		{ self->rfd, self->uset.off, self->uset.size },
		{ self->wfd, self->reg.uset_off, self->reg.uset_size },
	};

	for (size_t i = 0; i < ARRAY_LEN(w); i++) {
		void *p;

		EXPECT_EQ(MAP_FAILED, mmap(NULL, w[i].len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
					   w[i].fd, w[i].off));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(MAP_FAILED, mmap(NULL, w[i].len, PROT_READ, MAP_PRIVATE, w[i].fd, w[i].off));
		EXPECT_EQ(EINVAL, errno);
		p = mmap(NULL, w[i].len, PROT_READ | PROT_WRITE, MAP_SHARED, w[i].fd, w[i].off);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(-1, mprotect(p, w[i].len, PROT_READ | PROT_EXEC));
		EXPECT_EQ(EACCES, errno);
		EXPECT_EQ(MAP_FAILED, mremap(p, w[i].len, w[i].len + PG, MREMAP_MAYMOVE));
		EXPECT_EQ(EFAULT, errno);
		munmap(p, w[i].len);
	}
}

KTEST_HARNESS_MAIN
