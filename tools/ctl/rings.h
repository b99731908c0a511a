/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Reading a session's kernel rings from user space: ATTACH a /dev/ctrace
 * file, map the meta area, the rings (read-only) and the consumer
 * positions (read-write), then take what each ring holds and give the
 * space back.
 *
 *   [R0] acquire of page->prod   pairs with the kernel's release [K1]
 *   [R1] release of cons         pairs with the kernel's acquire [K0]
 *   [R3] acquire of page->flags  pairs with the kernel's release [K3]
 */
#ifndef CTRACE_CTL_RINGS_H
#define CTRACE_CTL_RINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ctrace.h>

struct ctrace_ring_view {
	uint32_t cpu;
	uint64_t size;				/* data bytes */
	uint64_t pos;				/* what we consumed */
	const struct ctrace_ring_page *page;	/* kernel-written */
	const uint8_t *data;
	struct ctrace_ring_cons *kcons;		/* ours to write */
};

struct ctrace_rings {
	int fd;
	const struct ctrace_meta *meta;
	void *ro;
	size_t ro_size;
	void *consmap;
	size_t cons_size;
	uint32_t nr;
	struct ctrace_ring_view *ring;		/* [nr] */
};

/* Attach @devfd (an open /dev/ctrace) to session @id and map its rings.
 * Returns 0 or -errno with a message in @err. */
int ctrace_rings_map(int devfd, uint32_t id, struct ctrace_rings **out,
		     char *err, size_t errlen);
void ctrace_rings_unmap(struct ctrace_rings *r);

/*
 * The committed bytes of @v not yet consumed, contiguous in the data
 * (records never wrap: what lies past the end of the data comes in the
 * next call).  Returns their length and sets *data.
 */
size_t ctrace_ring_peek(struct ctrace_ring_view *v, const uint8_t **data);
/* Give @len bytes back to the kernel. */
void ctrace_ring_consume(struct ctrace_ring_view *v, size_t len);
/* The kernel wrote its last record: once peek returns 0, this ring is done. */
bool ctrace_ring_stopped(const struct ctrace_ring_view *v);

#endif
