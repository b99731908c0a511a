/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Numbers on the command line, read one way by every tool (ctrace-dump
 * and each ctrace subcommand).
 *
 *   cli_u64()    a decimal integer                      "4", "65535"
 *   cli_size()   bytes, with k, M, G or T (powers of 2)  "64k", "256M"
 *   cli_time()   a duration: ns, us, ms, s, min or h;    "500ms", "1.5",
 *                a bare number is seconds                "2min"
 *
 * Each takes the valid range and refuses anything outside it, and
 * anything that is not wholly a number of that kind: a sign, garbage
 * after the number, an overflow, "inf" or "nan" (strtod() takes those).
 * On a refusal it prints one line naming the option and the range,
 *
 *   ctrace-dump: bad --buffer-size '0': a power of two from 4K to 256M
 *
 * and returns -1; the caller exits 2, the status of every usage error
 * (docs/design.md, "Exit status").  The range in the message is printed
 * from the same min and max that are checked, so it cannot go stale.
 */
#ifndef CTRACE_CLIOPT_H
#define CTRACE_CLIOPT_H

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit statuses every tool uses for its own outcome (docs/design.md). */
#define CLI_EXIT_OK		0
#define CLI_EXIT_ERROR		1	/* the tool failed: module, I/O, ... */
#define CLI_EXIT_USAGE		2	/* bad options: nothing was done */
#define CLI_EXIT_NOEXEC		126	/* the command exists, cannot be run */
#define CLI_EXIT_NOTFOUND	127	/* no such command */

/* A decimal integer, digits only, into *out; 0 or -1 (no message). */
static inline int cli_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (UINT64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s)
		return -1;
	*out = v;
	return 0;
}

/* "4K", "256M", "1G" when exact, else the bytes. */
static inline const char *cli_fmt_size(uint64_t v, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%llu", (unsigned long long)v);
	else
		snprintf(buf, size, "%llu%c", (unsigned long long)v, units[u]);
	return buf;
}

/* "1ms", "24h", "200ms" when exact, else ns. */
static inline const char *cli_fmt_time(uint64_t ns, char *buf, size_t size)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "h", 3600000000000ull }, { "min", 60000000000ull },
		{ "s", 1000000000ull }, { "ms", 1000000 }, { "us", 1000 },
	};

	if (!ns)
		return "0";
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns % units[i].ns == 0) {
			snprintf(buf, size, "%llu%s", (unsigned long long)(ns / units[i].ns),
				 units[i].unit);
			return buf;
		}
	snprintf(buf, size, "%lluns", (unsigned long long)ns);
	return buf;
}

static inline int cli_u64(const char *prog, const char *opt, const char *s,
			  uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (cli_digits(s, &v) || v < min || v > max) {
		fprintf(stderr, "%s: bad %s '%s': a whole number from %llu to %llu\n",
			prog, opt, s, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Bytes: digits, then k/K, m/M, g/G or t/T (1024s); 0 or -1 (no message). */
static inline int cli_size_value(const char *s, uint64_t *out)
{
	char digits[32];
	size_t n = strspn(s, "0123456789");
	unsigned int shift = 0;
	uint64_t v;

	if (!n || n >= sizeof(digits))
		return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	switch (s[n]) {
	case '\0': break;
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	default: return -1;
	}
	if ((shift && s[n + 1]) || cli_digits(digits, &v) || v > UINT64_MAX >> shift)
		return -1;
	*out = v << shift;
	return 0;
}

static inline int cli_size(const char *prog, const char *opt, const char *s,
			   uint64_t min, uint64_t max, bool pow2, uint64_t *out)
{
	char lo[32], hi[32];
	uint64_t v;

	if (cli_size_value(s, &v) || v < min || v > max || (pow2 && (v & (v - 1)))) {
		fprintf(stderr, "%s: bad %s '%s': %s from %s to %s (k, M, G, T)\n", prog, opt, s,
			pow2 ? "a power of two" : "a size", cli_fmt_size(min, lo, sizeof(lo)),
			cli_fmt_size(max, hi, sizeof(hi)));
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * A duration into ns: a non-negative decimal number (a fraction allowed,
 * no sign, no exponent, no inf or nan), then ns, us, ms, s, min or h, or
 * nothing for seconds.  Up to 1000 days.  0 or -1 (no message).
 */
static inline int cli_time_value(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	size_t n = strspn(s, "0123456789."), dots = 0;
	char *end;
	double v;

	for (size_t i = 0; i < n; i++)
		dots += s[i] == '.';
	if (!n || dots > 1 || (n == 1 && dots))
		return -1;
	v = strtod(s, &end);
	if (end != s + n || !isfinite(v))
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			v *= units[i].ns;
			if (v > 1000 * 86400e9)
				return -1;
			*ns = (uint64_t)v;
			return 0;
		}
	return -1;
}

static inline int cli_time(const char *prog, const char *opt, const char *s,
			   uint64_t min_ns, uint64_t max_ns, uint64_t *ns)
{
	char lo[32], hi[32];
	uint64_t v;

	if (cli_time_value(s, &v) || v < min_ns || v > max_ns) {
		fprintf(stderr, "%s: bad %s '%s': a time from %s to %s (as 10s, 500ms, 2min; a bare number is seconds)\n",
			prog, opt, s, cli_fmt_time(min_ns, lo, sizeof(lo)),
			cli_fmt_time(max_ns, hi, sizeof(hi)));
		return -1;
	}
	*ns = v;
	return 0;
}

/* The largest PID or TID a Linux kernel hands out (PID_MAX_LIMIT, 64-bit). */
#define CLI_PID_MAX		4194304u

/* PID[,PID...], each from 1 to CLI_PID_MAX, at most @max of them in all
 * (*n counts those already there). */
static inline int cli_pids(const char *prog, const char *opt, const char *s,
			   uint32_t *pids, unsigned int max, unsigned int *n)
{
	const char *p = s;

	for (;;) {
		size_t len = strcspn(p, ",");
		char tok[16];
		uint64_t v;

		if (!len || len >= sizeof(tok) || *n >= max)
			goto bad;
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (cli_digits(tok, &v) || !v || v > CLI_PID_MAX)
			goto bad;
		pids[(*n)++] = (uint32_t)v;
		if (!p[len])
			return 0;
		p += len + 1;
	}
bad:
	fprintf(stderr, "%s: bad %s '%s': IDs from 1 to %u, comma-separated, at most %u\n",
		prog, opt, s, CLI_PID_MAX, max);
	return -1;
}

#endif
