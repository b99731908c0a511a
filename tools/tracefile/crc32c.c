// SPDX-License-Identifier: LGPL-2.1
/*
 * CRC32C (Castagnoli), the chunk checksum.  ctrace-dump checksums every
 * byte it records, so on x86 it uses the SSE4.2 crc32 instruction (eight
 * bytes per instruction) when the CPU has it; elsewhere a byte-wise table.
 * Both compute the same reflected CRC, so files are portable.
 */
#include <string.h>

#include "tracefile.h"

static uint32_t table[256];

static void build_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		table[i] = c;
	}
}

uint32_t ctrace_crc32c_portable(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	/* Entry 1 is never 0 once built; racing builders write equal values. */
	if (!table[1])
		build_table();
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t c = ~crc;

	for (; len && ((uintptr_t)p & 7); len--)
		c = __builtin_ia32_crc32qi(c, *p++);
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		c = __builtin_ia32_crc32di(c, v);
	}
	for (; len; len--)
		c = __builtin_ia32_crc32qi(c, *p++);
	return ~(uint32_t)c;
}
#endif

uint32_t ctrace_crc32c(uint32_t crc, const void *buf, size_t len)
{
#if defined(__x86_64__)
	static int hw = -1;

	if (hw < 0)
		hw = __builtin_cpu_supports("sse4.2");
	if (hw)
		return crc32c_sse42(crc, buf, len);
#endif
	return ctrace_crc32c_portable(crc, buf, len);
}
