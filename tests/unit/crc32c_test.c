// SPDX-License-Identifier: GPL-2.0
/* The chunk checksum: the standard check value, and hardware == portable. */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "tracefile.h"

TEST(check_value)
{
	/* CRC-32C of "123456789" (RFC 3720, iSCSI). */
	EXPECT_EQ(0xe3069283u, ctrace_crc32c(0, "123456789", 9));
	EXPECT_EQ(0xe3069283u, ctrace_crc32c_portable(0, "123456789", 9));
	EXPECT_EQ(0u, ctrace_crc32c(0, "", 0));
}

TEST(incremental_and_unaligned_agree)
{
	unsigned char buf[1027];
	unsigned int seed = 7;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rand_r(&seed);
	for (size_t off = 0; off < 9; off++) {
		for (size_t len = 0; len + off <= sizeof(buf); len += 37) {
			uint32_t whole = ctrace_crc32c(0, buf + off, len);
			uint32_t split = ctrace_crc32c(ctrace_crc32c(0, buf + off, len / 3),
						       buf + off + len / 3, len - len / 3);

			EXPECT_EQ(ctrace_crc32c_portable(0, buf + off, len), whole);
			EXPECT_EQ(whole, split);
		}
	}
}

TEST_HARNESS_MAIN
