// SPDX-License-Identifier: GPL-2.0
/*
 * The reader side of /dev/ctrace: ATTACH, the mapped layout, what may not
 * be mapped, records as the rings hold them, a reader that lies about its
 * position, destroying a session while it is read, the reader's wakeup,
 * and rmmod during a session.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "barrier.h"
#include "kctl.h"
#include "ktest.h"
#include "rings.h"
#include "tracefile.h"

static uint32_t new_self(struct ctrace_ctl *ctl, uint32_t buf_size,
			 uint32_t watermark)
{
	uint32_t pid = getpid();
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &pid, .nr_pids = 1,
		.buf_size = buf_size, .clock = -1, .watermark = watermark,
	};
	struct ctrace_session_info info;
	uint32_t id;

	if (ctrace_ctl_session_new(ctl, &o, &info))
		return 0;
	id = info.id;
	ctrace_session_info_free(&info);
	return id;
}

/* Context switches of this process: a thread pair yielding on one CPU. */
static volatile int churn_stop;

static void *yielder(void *arg)
{
	(void)arg;
	while (!churn_stop)
		sched_yield();
	return NULL;
}

static void churn(int ms)
{
	pthread_t th[2];
	cpu_set_t old;

	sched_getaffinity(0, sizeof(old), &old);
	ktest_pin(0);
	churn_stop = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, yielder, NULL);
	usleep(ms * 1000);
	churn_stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	sched_setaffinity(0, sizeof(old), &old);
}

static int attach(int fd, uint32_t id, uint32_t size, uint32_t flags,
		  uint32_t reserved, uint64_t *meta_size)
{
	struct {
		struct ctrace_attach a;
		uint64_t tail;
	} at = { { .size = size, .session_id = id, .flags = flags,
		   .reserved = reserved }, 0 };

	if (ioctl(fd, CTRACE_IOC_ATTACH, &at) < 0)
		return -errno;
	if (meta_size)
		*meta_size = at.a.meta_size;
	return 0;
}

FIXTURE(rd) {
	struct ctrace_ctl *ctl;
	uint32_t id;
	int fd;
};

FIXTURE_SETUP(rd)
{
	self->ctl = kt_ctl_open();
	ASSERT_NE(NULL, self->ctl);
	self->id = new_self(self->ctl, 8192, 50);
	ASSERT_NE(0, self->id) TH_LOG("%s", ctrace_ctl_error(self->ctl));
	self->fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(rd)
{
	close(self->fd);
	ctrace_ctl_close(self->ctl);
}

TEST_F(rd, attach_refusals)
{
	int other = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	struct {
		struct ctrace_attach a;
		uint64_t tail;
	} big = { { .size = sizeof(big), .session_id = self->id }, 1 };
	uint64_t meta_size = 0;

	ASSERT_LE(0, other);
	/* Not attached: nothing to map. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-ENOENT, attach(self->fd, 0x7ffffff0, sizeof(struct ctrace_attach), 0, 0, NULL));
	EXPECT_EQ(-EINVAL, attach(self->fd, self->id, sizeof(struct ctrace_attach), 1, 0, NULL));
	EXPECT_EQ(-EINVAL, attach(self->fd, self->id, sizeof(struct ctrace_attach), 0, 1, NULL));
	EXPECT_EQ(-EINVAL, attach(self->fd, self->id, 8, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, attach(self->fd, self->id, 1 << 20, 0, 0, NULL));
	/* A larger struct from a newer library: fine if its tail is zero. */
	EXPECT_EQ(-1, ioctl(self->fd, CTRACE_IOC_ATTACH, &big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, attach(self->fd, self->id, sizeof(big), 0, 0, &meta_size));
	EXPECT_EQ(4096, meta_size);
	/* One reader per session, one session per reader. */
	EXPECT_EQ(-EBUSY, attach(self->fd, self->id, sizeof(struct ctrace_attach), 0, 0, NULL));
	EXPECT_EQ(-EBUSY, attach(other, self->id, sizeof(struct ctrace_attach), 0, 0, NULL));
	close(other);
}

TEST_F(rd, layout_and_mmap_refusals)
{
	const struct ctrace_meta *m;
	const struct ctrace_ring_desc *d;
	uint64_t meta_size = 0;
	void *ro, *cons, *p;

	ASSERT_EQ(0, attach(self->fd, self->id, sizeof(struct ctrace_attach), 0, 0, &meta_size));
	m = mmap(NULL, meta_size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(CTRACE_META_MAGIC, m->magic);
	EXPECT_EQ(CTRACE_META_VERSION, m->version);
	EXPECT_EQ(sizeof(*m), m->size);
	EXPECT_EQ(CTRACE_META_F_KERNEL_RINGS | CTRACE_META_F_USER_SETS, m->features);
	EXPECT_EQ(0, m->reserved[0]);
	EXPECT_EQ(0, m->reserved[1]);
	EXPECT_EQ(self->id, m->session_id);
	EXPECT_EQ(ktest_possible_cpus(), (int)m->nr_rings);
	EXPECT_EQ(meta_size, m->meta_size);
	EXPECT_EQ(8192, m->data_size);
	EXPECT_EQ(m->meta_size + m->nr_rings * (4096 + m->data_size), m->ro_size);
	EXPECT_EQ(m->ro_size, m->cons_off);
	EXPECT_EQ(4096, m->cons_size);
	d = (const void *)((const char *)m + m->ring_desc_off);
	for (uint32_t i = 0; i < m->nr_rings; i++) {
		EXPECT_EQ(m->meta_size + i * (4096 + m->data_size), d[i].page_off);
		EXPECT_EQ(d[i].page_off + 4096, d[i].data_off);
		EXPECT_EQ(m->cons_off + i * sizeof(struct ctrace_ring_cons), d[i].cons_off);
	}

	/* The read-only region: never writable or executable. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m->ro_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	ro = mmap(NULL, m->ro_size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, mprotect(ro, m->ro_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	for (uint32_t i = 0; i < m->nr_rings; i++) {
		const struct ctrace_ring_page *pg = (const void *)((char *)ro + d[i].page_off);

		EXPECT_EQ(d[i].cpu, pg->cpu);
		EXPECT_EQ(0, pg->prod);
	}
	/* Part of it, page-aligned: fine.  Past its end, or straddling: no. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, d[0].data_off);
	EXPECT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m->ro_size + 4096, PROT_READ, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->fd, m->cons_off - 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd,
				   m->cons_off + m->cons_size));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 1ull << 40));
	EXPECT_EQ(EINVAL, errno);
	/* The consumer region: whole and shared only. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m->cons_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				   self->fd, m->cons_off));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m->cons_size + 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
				   self->fd, m->cons_off));
	EXPECT_EQ(EINVAL, errno);
	cons = mmap(NULL, m->cons_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, m->cons_off);
	EXPECT_NE(MAP_FAILED, cons);
	munmap(cons, m->cons_size);
	munmap(ro, m->ro_size);
	munmap((void *)m, meta_size);
}

/* Read every ring of @r to the end; check it with the record walker. */
static int read_all(struct ctrace_rings *r, uint64_t *events, uint64_t *lost,
		    uint64_t *clock_recs)
{
	for (uint32_t i = 0; i < r->nr; i++) {
		struct ctrace_krec_walk w = { 0 };
		const uint8_t *p;
		size_t len, bad;

		while ((len = ctrace_ring_peek(&r->ring[i], &p))) {
			for (size_t off = 0; off < len;) {
				const struct ctrace_krec *h = (const void *)(p + off);

				*clock_recs += h->type == CTRACE_KREC_CLOCK;
				if (!h->size)
					return -1;
				off += h->size * 8;
			}
			if (ctrace_krec_walk(&w, p, len, &bad))
				return -1;
			ctrace_ring_consume(&r->ring[i], len);
		}
		if (w.events != r->ring[i].page->events || w.lost != r->ring[i].page->lost_reported)
			return -2;
		*events += w.events;
		*lost += w.lost;
	}
	return 0;
}

TEST_F(rd, records_flow)
{
	uint64_t events = 0, lost = 0, clocks = 0;
	struct ctrace_rings *r;
	char err[256];

	close(self->fd);
	ctrace_ctl_close(self->ctl);
	self->ctl = kt_ctl_open();
	self->id = new_self(self->ctl, 1 << 20, 50);
	self->fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_EQ(0, ctrace_rings_map(self->fd, self->id, &r, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_START, self->id));
	churn(200);
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_STOP, self->id));
	for (uint32_t i = 0; i < r->nr; i++)
		EXPECT_TRUE(ctrace_ring_stopped(&r->ring[i]));
	ASSERT_EQ(0, read_all(r, &events, &lost, &clocks));
	EXPECT_LT(100, events);
	EXPECT_EQ(0, lost);
	EXPECT_LE(2, clocks);	/* start and stop */
	ctrace_rings_unmap(r);
}

TEST_F(rd, lying_reader_hurts_only_itself)
{
	/*
	 * Positions ahead of prod, far behind it, or misaligned: the kernel
	 * may drop events or overwrite what this reader has not read, but
	 * only ever writes inside its own ring, and counts every drop.
	 */
	const uint64_t lies[] = { 1ull << 40, 3, 0xfffffffffffff000ull, 12289 };
	uint64_t dropped = 0, events0[64], rep0[64];
	struct ctrace_rings *r;
	char err[256];

	close(self->fd);
	ctrace_ctl_close(self->ctl);
	self->ctl = kt_ctl_open();
	self->id = new_self(self->ctl, 1 << 20, 50);
	self->fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_EQ(0, ctrace_rings_map(self->fd, self->id, &r, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_GE(64, r->nr);
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_START, self->id));
	for (size_t k = 0; k < sizeof(lies) / sizeof(lies[0]); k++) {
		for (uint32_t i = 0; i < r->nr; i++)
			ctrace_store_release(&r->ring[i].kcons->cons, lies[k]);
		churn(50);
	}
	/* Honest again, from the kernel's current position. */
	for (uint32_t i = 0; i < r->nr; i++) {
		struct ctrace_ring_view *v = &r->ring[i];

		dropped += v->page->lost;
		v->pos = ctrace_load_acquire(&v->page->prod);
		events0[i] = v->page->events;
		rep0[i] = v->page->lost_reported;
		ctrace_store_release(&v->kcons->cons, v->pos);
	}
	EXPECT_LT(0, dropped);
	churn(20);
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_STOP, self->id));

	/* What follows is intact, and accounts for every drop. */
	for (uint32_t i = 0; i < r->nr; i++) {
		struct ctrace_ring_view *v = &r->ring[i];
		struct ctrace_krec_walk w = { 0 };
		const uint8_t *p;
		size_t len, bad;

		while ((len = ctrace_ring_peek(v, &p))) {
			ASSERT_EQ(0, ctrace_krec_walk(&w, p, len, &bad)) TH_LOG("ring %u at %zu", i, bad);
			ctrace_ring_consume(v, len);
		}
		EXPECT_EQ(v->page->events - events0[i], w.events);
		EXPECT_EQ(v->page->lost_reported - rep0[i], w.lost);
		EXPECT_EQ(v->page->lost, v->page->lost_reported);
	}
	ctrace_rings_unmap(r);
}

TEST_F(rd, destroy_while_reading)
{
	struct ctrace_ctl *other = kt_ctl_open();
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	uint64_t events = 0, lost = 0, clocks = 0;
	struct ctrace_session_info info;
	struct ctrace_rings *r;
	char err[256];

	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, ctrace_rings_map(self->fd, self->id, &r, err, sizeof(err)));
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_START, self->id));
	churn(50);
	ASSERT_EQ(0, ctrace_ctl_session_cmd(other, CTRACE_CMD_SESSION_DESTROY, self->id));
	EXPECT_EQ(-ENOENT, ctrace_ctl_session_get(other, self->id, &info));
	/* The reader keeps what was recorded, and is told it is over. */
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	for (uint32_t i = 0; i < r->nr; i++)
		EXPECT_TRUE(ctrace_ring_stopped(&r->ring[i]));
	ASSERT_EQ(0, read_all(r, &events, &lost, &clocks));
	EXPECT_LT(0, events);
	ctrace_rings_unmap(r);
	ctrace_ctl_close(other);
}

TEST_F(rd, closing_the_reader_destroys_the_session)
{
	struct ctrace_session_info info;
	struct ctrace_info mi;

	ASSERT_EQ(0, attach(self->fd, self->id, sizeof(struct ctrace_attach), 0, 0, NULL));
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_START, self->id));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-ENOENT, ctrace_ctl_session_get(self->ctl, self->id, &info));
	ASSERT_EQ(0, ctrace_ctl_get_info(self->ctl, -1, &mi));
	EXPECT_EQ(0, mi.sessions);
	EXPECT_EQ(0, mi.mem_bytes);
}

struct churner {
	volatile int stop;
};

static void *churn_until(void *arg)
{
	struct churner *c = arg;

	while (!c->stop)
		churn(20);
	return NULL;
}

TEST_F(rd, poll_wakes_at_the_watermark)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct churner ch = { 0 };
	struct ctrace_rings *r;
	pthread_t th;
	char err[256];
	int n;

	close(self->fd);
	ctrace_ctl_close(self->ctl);
	self->ctl = kt_ctl_open();
	self->id = new_self(self->ctl, 1 << 16, 10);
	self->fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_EQ(0, ctrace_rings_map(self->fd, self->id, &r, err, sizeof(err)));
	ASSERT_EQ(0, ctrace_ctl_session_cmd(self->ctl, CTRACE_CMD_SESSION_START, self->id));
	/* Nothing yet: poll sleeps (and arms the wakeup). */
	pfd.revents = 0;
	n = poll(&pfd, 1, 0);
	EXPECT_EQ(0, n);
	pthread_create(&th, NULL, churn_until, &ch);
	n = poll(&pfd, 1, 20000);
	ch.stop = 1;
	pthread_join(th, NULL);
	EXPECT_EQ(1, n);
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_FALSE(pfd.revents & POLLHUP);
	ctrace_rings_unmap(r);
}

TEST(rmmod_during_a_session)
{
	const char *ko = getenv("CTRACE_KO");
	struct ctrace_ctl *ctl;
	struct ctrace_info mi;
	uint32_t id;
	int fd;

	if (!ko)
		SKIP(return, "CTRACE_KO not set (run me through tests/ktest-run)");
	ctl = kt_ctl_open();
	ASSERT_NE(NULL, ctl);

	/* A reader attached: the module is in use. */
	id = new_self(ctl, 65536, 50);
	ASSERT_NE(0, id);
	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_EQ(0, attach(fd, id, sizeof(struct ctrace_attach), 0, 0, NULL));
	ASSERT_EQ(0, ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_START, id));
	EXPECT_EQ(-1, ktest_unload("ctrace"));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	close(fd);

	/* A running session owned only by a socket: unloading ends it. */
	id = new_self(ctl, 65536, 50);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_START, id));
	churn(20);
	EXPECT_EQ(0, ktest_unload("ctrace"));
	/* The family went with it; the old socket just gets errors. */
	EXPECT_NE(0, ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_STOP, id));
	ctrace_ctl_close(ctl);

	ASSERT_EQ(0, ktest_load(ko));
	ctl = kt_ctl_open();
	ASSERT_NE(NULL, ctl);
	ASSERT_EQ(0, ctrace_ctl_get_info(ctl, -1, &mi));
	EXPECT_EQ(0, mi.sessions);
	EXPECT_EQ(0, mi.mem_bytes);
	ctrace_ctl_close(ctl);
}

KTEST_HARNESS_MAIN
