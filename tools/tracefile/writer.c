// SPDX-License-Identifier: LGPL-2.1
/*
 * Writing trace files.  Each chunk goes out in one writev() of header and
 * payload, so after a crash the file ends in at most one partial chunk,
 * which readers recognise by its size and CRC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

#include "tracefile.h"

struct ctrace_writer {
	int fd;
	uint64_t bytes;
	uint64_t seq;
};

static const uint8_t zeros[8];

static int write_all(struct ctrace_writer *w, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t r = writev(w->fd, iov, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		w->bytes += r;
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= r;
		}
	}
	return 0;
}

/* One chunk: header, then up to two payload pieces, then padding to 8. */
static int put_chunk(struct ctrace_writer *w, uint16_t type,
		     const void *a, size_t alen, const void *b, size_t blen)
{
	struct ctrace_chunk_header h = {
		.magic = CTRACE_CHUNK_MAGIC,
		.type = type,
		.seq = w->seq,
	};
	size_t pad = (8 - (alen + blen) % 8) % 8;
	struct iovec iov[4] = {
		{ &h, sizeof(h) },
		{ (void *)a, alen },
		{ (void *)b, blen },
		{ (void *)zeros, pad },
	};
	uint32_t crc;

	if (alen + blen + pad > CTRACE_CHUNK_MAX)
		return -EFBIG;
	h.size = alen + blen + pad;
	crc = ctrace_crc32c(0, &h, sizeof(h));
	crc = ctrace_crc32c(crc, a, alen);
	crc = ctrace_crc32c(crc, b, blen);
	crc = ctrace_crc32c(crc, zeros, pad);
	h.crc = crc;
	w->seq++;
	return write_all(w, iov, 4);
}

int ctrace_writer_open(struct ctrace_writer **wp, int fd)
{
	struct ctrace_file_header fh = {
		.version = CTRACE_FILE_VERSION,
		.header_size = sizeof(fh),
		.chunk_header_size = sizeof(struct ctrace_chunk_header),
	};
	struct ctrace_writer *w = calloc(1, sizeof(*w));
	struct iovec iov = { &fh, sizeof(fh) };
	struct timespec now;
	int err;

	if (!w)
		return -ENOMEM;
	w->fd = fd;
	memcpy(fh.magic, CTRACE_FILE_MAGIC, sizeof(fh.magic));
	clock_gettime(CLOCK_REALTIME, &now);
	fh.created_ns = (uint64_t)now.tv_sec * 1000000000u + now.tv_nsec;
	err = write_all(w, &iov, 1);
	if (err) {
		free(w);
		return err;
	}
	*wp = w;
	return 0;
}

int ctrace_writer_open_run(struct ctrace_writer **wp, int fd)
{
	struct ctrace_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->fd = fd;
	*wp = w;
	return 0;
}

int ctrace_writer_chunk(struct ctrace_writer *w, uint16_t type,
			const void *payload, size_t len)
{
	if (len % 8)
		return -EINVAL;
	return put_chunk(w, type, payload, len, NULL, 0);
}

int ctrace_writer_meta(struct ctrace_writer *w, const char *text, size_t len)
{
	return put_chunk(w, CTRACE_CHUNK_META, text, len, NULL, 0);
}

int ctrace_writer_ring(struct ctrace_writer *w,
		       const struct ctrace_ring_chunk *hdr,
		       const void *records, size_t len)
{
	if (len % 8)
		return -EINVAL;
	return put_chunk(w, CTRACE_CHUNK_RING, hdr, sizeof(*hdr), records, len);
}

int ctrace_writer_stats(struct ctrace_writer *w,
			const struct ctrace_ring_stats *rings, uint32_t n)
{
	struct ctrace_stats_chunk sc = { .nr_rings = n };

	return put_chunk(w, CTRACE_CHUNK_STATS, &sc, sizeof(sc), rings,
			 (size_t)n * sizeof(*rings));
}

int ctrace_writer_uset(struct ctrace_writer *w,
		       const struct ctrace_uset_chunk *u)
{
	return put_chunk(w, CTRACE_CHUNK_USET, u, sizeof(*u), NULL, 0);
}

int ctrace_writer_strings(struct ctrace_writer *w, uint32_t uset,
			  uint32_t count, const void *entries, size_t len)
{
	struct ctrace_strings_chunk sc = { .uset = uset, .count = count };

	if (len % 8)
		return -EINVAL;
	return put_chunk(w, CTRACE_CHUNK_STRINGS, &sc, sizeof(sc), entries, len);
}

int ctrace_writer_end(struct ctrace_writer *w)
{
	return put_chunk(w, CTRACE_CHUNK_END, NULL, 0, NULL, 0);
}

uint64_t ctrace_writer_bytes(const struct ctrace_writer *w)
{
	return w->bytes;
}

void ctrace_writer_free(struct ctrace_writer *w)
{
	free(w);
}
