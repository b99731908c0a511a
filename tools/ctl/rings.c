// SPDX-License-Identifier: LGPL-2.1
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "barrier.h"
#include "rings.h"

static int fail(char *err, size_t errlen, int e, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(-e));
	return e;
}

int ctrace_rings_map(int devfd, uint32_t id, struct ctrace_rings **out,
		     char *err, size_t errlen)
{
	struct ctrace_attach at = { .size = sizeof(at), .session_id = id };
	const struct ctrace_meta *m;
	struct ctrace_rings *r;
	void *meta;
	int e;

	if (ioctl(devfd, CTRACE_IOC_ATTACH, &at) < 0)
		return fail(err, errlen, -errno, "cannot attach to the session");
	meta = mmap(NULL, at.meta_size, PROT_READ, MAP_SHARED, devfd, 0);
	if (meta == MAP_FAILED)
		return fail(err, errlen, -errno, "cannot map the meta area");
	m = meta;
	/* The layout is the kernel's to publish: check it, never assume it. */
	if (m->magic != CTRACE_META_MAGIC || m->version != CTRACE_META_VERSION ||
	    m->size < sizeof(*m) || m->meta_size != at.meta_size ||
	    !(m->features & CTRACE_META_F_KERNEL_RINGS) ||
	    m->ring_desc_size < sizeof(struct ctrace_ring_desc) ||
	    m->ring_desc_off + (uint64_t)m->nr_rings * m->ring_desc_size >
		    m->meta_size) {
		munmap(meta, at.meta_size);
		return fail(err, errlen, -EPROTO, "unexpected meta area");
	}
	r = calloc(1, sizeof(*r));
	if (r)
		r->ring = calloc(m->nr_rings ? m->nr_rings : 1, sizeof(*r->ring));
	if (!r || !r->ring) {
		free(r);
		munmap(meta, at.meta_size);
		return fail(err, errlen, -ENOMEM, "cannot map the rings");
	}
	r->fd = devfd;
	r->nr = m->nr_rings;
	r->ro_size = m->ro_size;
	r->cons_size = m->cons_size;
	r->ro = mmap(NULL, r->ro_size, PROT_READ, MAP_SHARED, devfd, 0);
	r->consmap = mmap(NULL, r->cons_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  devfd, m->cons_off);
	e = -errno;
	munmap(meta, at.meta_size);
	if (r->ro == MAP_FAILED || r->consmap == MAP_FAILED) {
		if (r->ro != MAP_FAILED)
			munmap(r->ro, r->ro_size);
		if (r->consmap != MAP_FAILED)
			munmap(r->consmap, r->cons_size);
		free(r->ring);
		free(r);
		return fail(err, errlen, e, "cannot map the rings");
	}
	r->meta = r->ro;
	for (uint32_t i = 0; i < r->nr; i++) {
		const struct ctrace_ring_desc *d = (const void *)
			((const char *)r->ro + r->meta->ring_desc_off +
			 (size_t)i * r->meta->ring_desc_size);
		struct ctrace_ring_view *v = &r->ring[i];

		if (d->page_off + sizeof(*v->page) > r->ro_size ||
		    d->data_off + r->meta->data_size > r->ro_size ||
		    d->cons_off < r->meta->cons_off ||
		    d->cons_off - r->meta->cons_off + sizeof(*v->kcons) > r->cons_size) {
			ctrace_rings_unmap(r);
			return fail(err, errlen, -EPROTO, "unexpected ring layout");
		}
		v->cpu = d->cpu;
		v->size = r->meta->data_size;
		v->page = (const void *)((const char *)r->ro + d->page_off);
		v->data = (const uint8_t *)r->ro + d->data_off;
		v->kcons = (void *)((char *)r->consmap +
				    (d->cons_off - r->meta->cons_off));
		v->pos = ctrace_load_relaxed(&v->kcons->cons);
	}
	*out = r;
	return 0;
}

void ctrace_rings_unmap(struct ctrace_rings *r)
{
	if (!r)
		return;
	munmap(r->ro, r->ro_size);
	munmap(r->consmap, r->cons_size);
	free(r->ring);
	free(r);
}

size_t ctrace_ring_peek(struct ctrace_ring_view *v, const uint8_t **data)
{
	/* [R0]: pairs with the kernel's smp_store_release() of prod [K1]. */
	uint64_t prod = ctrace_load_acquire(&v->page->prod);
	uint64_t off = v->pos & (v->size - 1);
	uint64_t len = prod - v->pos;

	if (len > v->size)	/* cannot happen with an honest kernel */
		len = 0;
	if (len > v->size - off)
		len = v->size - off;
	*data = v->data + off;
	return len;
}

void ctrace_ring_consume(struct ctrace_ring_view *v, size_t len)
{
	v->pos += len;
	/* [R1]: pairs with the kernel's smp_load_acquire() of cons [K0]:
	 * our reads of the records are done before it reuses their space. */
	ctrace_store_release(&v->kcons->cons, v->pos);
}

bool ctrace_ring_stopped(const struct ctrace_ring_view *v)
{
	/* [R3]: pairs with [K3]; prod read after this is final. */
	return ctrace_load_acquire(&v->page->flags) & CTRACE_RING_F_STOPPED;
}
