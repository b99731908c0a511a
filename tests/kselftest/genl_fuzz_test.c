// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing the "ctrace" generic netlink family with raw messages, as root
 * and as nobody.
 *
 * Each message starts from a seed (tests/kselftest/genl-seeds/ *.seed: valid
 * requests, in a small text format the seed files describe) or from
 * nothing, and is mutated: unknown commands, unknown, repeated or
 * reordered attributes, nested attributes where scalars belong, attributes
 * of the wrong length (a u32 as one byte, as eight, empty), oversize and
 * unterminated strings, lying nla_len, bad nlmsg_len, random flags, a
 * second message behind the first, flipped bytes, a short send.  Every
 * message goes out on a raw NETLINK_GENERIC socket with NETLINK_EXT_ACK, and
 * is followed by a barrier (NLMSG_NOOP with NLM_F_ACK), so that all the
 * kernel said about it is read before the next one:
 *
 *   send(fuzzed)  send(NOOP|ACK)  recv ... recv(ack of the NOOP) [recv(DONE)]
 *
 * The kernel parses the bytes sent as a chain of netlink messages (as
 * netlink_rcv_skb() does); the test computes the same chain, gives each
 * message of it its own sequence number and points it at ctrace (a type
 * that names another family would fuzz that family instead), and then
 * checks what came back against it:
 *  - every message received is well formed, addressed to this socket, and
 *    answers a message of the chain (or the barrier);
 *  - an error is a sane negative errno, echoes the request's header, comes
 *    at most once per request, and its extack TLVs are well formed: the
 *    message NUL-terminated and printable, the offset inside the request;
 *  - an ack comes exactly when NLM_F_ACK asked for one; a request that is
 *    no request (no NLM_F_REQUEST, a control type) gets nothing else;
 *  - a reply reuses its request's command, a dump's parts are SESSION_GET
 *    and end with one NLMSG_DONE; every attribute of a reply is one ctrace
 *    defines, of its size.
 * How many requests got each errno is printed as a TAP comment.
 *
 * Sessions that mutated-but-valid requests create belong to the fuzzing
 * socket, which is closed and opened again every CYCLE messages (and at
 * the end): each case ends by checking that the module holds no session
 * and no ring memory.  max_buffer_mb is lowered for the duration, so that a
 * mutated BUF_SIZE cannot take the guest's memory.
 *
 * Replay: the PRNG seed is printed; CTRACE_FUZZ_SEED=0x... sets it, and
 * CTRACE_FUZZ_COUNT the number of messages per user.  CTRACE_GENL_SEEDS
 * names another seed directory.
 */
#include <ctype.h>
#include <dirent.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "kctl.h"
#include "ktest.h"

#ifndef CTRACE_SRCDIR
#define CTRACE_SRCDIR "."
#endif

#define DEFAULT_SEED	0x6374726163654e4cull	/* "ctraceNL" */
#define DEFAULT_COUNT	8000			/* per user */
#define CYCLE		250	/* messages per socket (its sessions die with it) */
#define MAX_SEEDS	128
#define MAX_ATTRS	24
#define MAX_PAYLOAD	5200
#define MSG_MAX		16384
#define MAX_CHAIN	64
#define DETAILS		8	/* failures described in full */
#define FUZZ_BUFFER_MB	"64"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

/* --------------------------------------------------------------- tallies */

/* What the kernel answered, summed over a case; shared with a child. */
struct tally {
	unsigned long sent;		/* send() calls */
	unsigned long empty;		/* of them, of 0 bytes: ENODATA */
	unsigned long requests;		/* messages of the chains, as parsed */
	unsigned long accepted;		/* ack 0, a reply, or a dump */
	unsigned long silent;		/* no answer (and none asked for) */
	unsigned long dumps;
	unsigned long replies;
	unsigned long with_msg, without_msg;	/* errors with extack text */
	/* without, by who refused: the genl core (no genl header, no such
	 * command, no dump for it) or ctrace's policy and handlers */
	unsigned long nomsg_core, nomsg_ctrace;
	unsigned long err[4096];	/* requests refused, by errno */
	struct {			/* refusals without a message */
		uint8_t cmd;
		int err;
		unsigned long n;
	} nomsg[64];
	unsigned long failures;
};

/* The errnos a refusal may carry: the ABI's, and the netlink core's. */
static int sane_errno(int e)
{
	switch (e) {
	case EINVAL: case ERANGE: case EOPNOTSUPP: case ENOENT: case EACCES:
	case EPERM: case ESRCH: case EBUSY: case EMSGSIZE: case ENOMEM:
	case EDQUOT: case EMFILE: case E2BIG: case EBADF: case ENOTDIR:
		return 1;
	}
	return 0;
}

static void print_tally(const char *who, const struct tally *t, uint64_t seed)
{
	char line[4096];
	int n;

	printf("# %s: seed %#llx: %lu sends (%lu empty: ENODATA), %lu requests parsed: %lu accepted (%lu replies, %lu dumps), %lu unanswered\n",
	       who, (unsigned long long)seed, t->sent, t->empty, t->requests, t->accepted,
	       t->replies, t->dumps, t->silent);
	n = snprintf(line, sizeof(line), "# %s: refused:", who);
	for (int e = 1; e < 4096; e++)
		if (t->err[e])
			n += snprintf(line + n, sizeof(line) - n, " %s %lu",
				      strerrorname_np(e) ? strerrorname_np(e) : "?",
				      t->err[e]);
	printf("%s\n", line);
	printf("# %s: refusals with an extack message: %lu, without: %lu\n",
	       who, t->with_msg, t->without_msg);
	printf("# %s: without: %lu refused by the genl core (no genl header, no such command, no dump), %lu by ctrace\n",
	       who, t->nomsg_core, t->nomsg_ctrace);
	n = snprintf(line, sizeof(line), "# %s: refused by ctrace without a message (command/errno):", who);
	for (size_t i = 0; i < ARRAY_LEN(t->nomsg) && t->nomsg[i].n; i++)
		n += snprintf(line + n, sizeof(line) - n, " %u/%s %lu", t->nomsg[i].cmd,
			      strerrorname_np(-t->nomsg[i].err) ?: "?", t->nomsg[i].n);
	printf("%s%s\n", line, t->nomsg[0].n ? "" : " none");
	fflush(stdout);	/* the harness's child ends with _exit() */
}

/* ----------------------------------------------------------- a message */

struct fattr {
	uint16_t type;		/* with NLA_F_* bits */
	int len;
	int nla_len;		/* what the header claims; -1: the truth */
	uint8_t data[MAX_PAYLOAD];
};

struct fmsg {
	uint16_t type;		/* nlmsg_type: 0 means the family */
	uint16_t flags;
	uint8_t cmd, version, reserved;
	int nattrs;
	struct fattr a[MAX_ATTRS];
};

/* The sender: one socket, one user. */
struct sender {
	int fd;
	uint32_t port;
	uint16_t family;
	uint32_t seq;
	uint32_t pid, sid, foreign, cgfd;
	uint64_t rng;
	struct tally *t;
	unsigned long index;	/* of the message being checked */
	int details;
};

static const char *const cmd_names[] = {
	[CTRACE_CMD_GET_INFO] = "GET_INFO",
	[CTRACE_CMD_SESSION_NEW] = "SESSION_NEW",
	[CTRACE_CMD_SESSION_START] = "SESSION_START",
	[CTRACE_CMD_SESSION_STOP] = "SESSION_STOP",
	[CTRACE_CMD_SESSION_DESTROY] = "SESSION_DESTROY",
	[CTRACE_CMD_SESSION_GET] = "SESSION_GET",
	[CTRACE_CMD_NTF_STARTED] = "NTF_STARTED",
	[CTRACE_CMD_NTF_STOPPED] = "NTF_STOPPED",
	[CTRACE_CMD_NTF_LOSING] = "NTF_LOSING",
	[CTRACE_CMD_SESSION_RESTATE] = "SESSION_RESTATE",
	[CTRACE_CMD_SESSION_SNAPSHOT] = "SESSION_SNAPSHOT",
	[CTRACE_CMD_NTF_SNAPSHOT] = "NTF_SNAPSHOT",
	[CTRACE_CMD_NTF_LATENCY] = "NTF_LATENCY",
};

static const char *const attr_names[] = {
	[CTRACE_A_ABI_VERSION] = "ABI_VERSION", [CTRACE_A_FEATURES] = "FEATURES",
	[CTRACE_A_NR_CPUS] = "NR_CPUS", [CTRACE_A_CLOCK] = "CLOCK",
	[CTRACE_A_TSC_KHZ] = "TSC_KHZ", [CTRACE_A_PAD] = "PAD",
	[CTRACE_A_SESSION_ID] = "SESSION_ID", [CTRACE_A_BUF_SIZE] = "BUF_SIZE",
	[CTRACE_A_EVENTS] = "EVENTS", [CTRACE_A_SESSION_FLAGS] = "SESSION_FLAGS",
	[CTRACE_A_TARGET_PIDS] = "TARGET_PIDS",
	[CTRACE_A_TARGET_CGROUP_FD] = "TARGET_CGROUP_FD",
	[CTRACE_A_TARGET_ALL] = "TARGET_ALL", [CTRACE_A_WATERMARK] = "WATERMARK",
	[CTRACE_A_SESSION_STATE] = "SESSION_STATE", [CTRACE_A_OWNER_UID] = "OWNER_UID",
	[CTRACE_A_OWNER_PID] = "OWNER_PID", [CTRACE_A_RINGS] = "RINGS",
	[CTRACE_A_RING] = "RING", [CTRACE_A_EVENTS_WRITTEN] = "EVENTS_WRITTEN",
	[CTRACE_A_LOST] = "LOST", [CTRACE_A_TARGET_KIND] = "TARGET_KIND",
	[CTRACE_A_PRIVILEGED] = "PRIVILEGED",
	[CTRACE_A_TARGET_OVERFLOW] = "TARGET_OVERFLOW", [CTRACE_A_SESSIONS] = "SESSIONS",
	[CTRACE_A_MEM_BYTES] = "MEM_BYTES", [CTRACE_A_LATENCY_TRIGGER] = "LATENCY_TRIGGER",
	[CTRACE_A_TID] = "TID", [CTRACE_A_LATENCY] = "LATENCY",
};

static long lookup(const char *const *names, size_t n, const char *s)
{
	char *end;
	long v;

	for (size_t i = 1; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	v = strtol(s, &end, 0);
	return *s && !*end ? v : -1;
}

static int var_value(const struct sender *sd, const char *s, uint64_t *v)
{
	char *end;

	if (!strcmp(s, "$pid"))
		*v = sd->pid;
	else if (!strcmp(s, "$sid"))
		*v = sd->sid;
	else if (!strcmp(s, "$cgfd"))
		*v = sd->cgfd;
	else {
		*v = strtoull(s, &end, 0);
		return *s && !*end ? 0 : -1;
	}
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	memcpy(p, &v, n);	/* little-endian host: the ABI's byte order */
}

/* One seed line into @m; -1 when it does not parse. */
static int parse_seed(const struct sender *sd, const char *line, struct fmsg *m)
{
	char buf[1024], *save, *tok;
	long v;

	snprintf(buf, sizeof(buf), "%s", line);
	memset(m, 0, offsetof(struct fmsg, a));
	m->version = CTRACE_GENL_VERSION;
	tok = strtok_r(buf, " \t", &save);
	if (!tok || (v = lookup(cmd_names, ARRAY_LEN(cmd_names), tok)) < 0 || v > 255)
		return -1;
	m->cmd = v;
	tok = strtok_r(NULL, " \t", &save);
	if (!tok)
		return -1;
	m->flags = NLM_F_REQUEST;
	if (strcmp(tok, "-")) {
		char *fs, *f;

		for (f = strtok_r(tok, "|", &fs); f; f = strtok_r(NULL, "|", &fs)) {
			if (!strcmp(f, "ack"))
				m->flags |= NLM_F_ACK;
			else if (!strcmp(f, "dump"))
				m->flags |= NLM_F_DUMP;
			else
				m->flags |= strtoul(f, NULL, 0);
		}
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *kind = strchr(tok, ':'), *val;
		struct fattr *a;
		uint64_t x;

		if (!kind || m->nattrs == MAX_ATTRS)
			return -1;
		*kind++ = '\0';
		val = strchr(kind, ':');
		if (val)
			*val++ = '\0';
		v = lookup(attr_names, ARRAY_LEN(attr_names), tok);
		if (v < 0 || v > 0xffff)
			return -1;
		a = &m->a[m->nattrs++];
		a->type = v;
		a->nla_len = -1;
		a->len = 0;
		if (!strcmp(kind, "flag"))
			continue;
		if (!val)
			return -1;
		if (!strcmp(kind, "str")) {
			a->len = strlen(val) + 1;
			memcpy(a->data, val, a->len);
		} else if (!strcmp(kind, "hex")) {
			for (; val[0] && val[1] && a->len < MAX_PAYLOAD; val += 2) {
				unsigned int b;

				if (sscanf(val, "%2x", &b) != 1)
					return -1;
				a->data[a->len++] = b;
			}
		} else if (!strcmp(kind, "pids")) {
			char *ps, *p;

			for (p = strtok_r(val, ",", &ps); p; p = strtok_r(NULL, ",", &ps)) {
				if (var_value(sd, p, &x) || a->len + 4 > MAX_PAYLOAD)
					return -1;
				put_le(a->data + a->len, x, 4);
				a->len += 4;
			}
		} else {
			int n = !strcmp(kind, "u8") ? 1 : !strcmp(kind, "u16") ? 2 :
				!strcmp(kind, "u32") ? 4 : !strcmp(kind, "u64") ? 8 : 0;

			if (!n || var_value(sd, val, &x))
				return -1;
			put_le(a->data, x, n);
			a->len = n;
		}
	}
	return 0;
}

struct seeds {
	int n;
	char line[MAX_SEEDS][512];
};

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every line of every *.seed file of the seed directory, in name order. */
static int load_seeds(struct seeds *s, char *dir, size_t dirsize)
{
	const char *env = getenv("CTRACE_GENL_SEEDS");
	struct dirent **names;
	int n;

	if (env && *env)
		snprintf(dir, dirsize, "%s", env);
	else
		snprintf(dir, dirsize, "%s/tests/kselftest/genl-seeds", CTRACE_SRCDIR);
	n = scandir(dir, &names, NULL, name_cmp);
	if (n < 0)
		return -errno;
	s->n = 0;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		char path[4600], line[512];
		FILE *f;

		if (len < 5 || strcmp(names[i]->d_name + len - 5, ".seed"))
			goto next;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f) && s->n < MAX_SEEDS) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] && line[0] != '#')
				snprintf(s->line[s->n++], sizeof(s->line[0]), "%s", line);
		}
		if (f)
			fclose(f);
next:
		free(names[i]);
	}
	free(names);
	return s->n;
}

/* The bytes of @m: nlmsghdr, genlmsghdr, attributes.  Returns the length. */
static int serialize(const struct sender *sd, const struct fmsg *m, uint8_t *buf)
{
	struct nlmsghdr *nh = (void *)buf;
	struct genlmsghdr *gh = (void *)(buf + NLMSG_HDRLEN);
	int off = NLMSG_HDRLEN + GENL_HDRLEN;

	memset(buf, 0, off);
	nh->nlmsg_type = m->type ? m->type : sd->family;
	nh->nlmsg_flags = m->flags;
	gh->cmd = m->cmd;
	gh->version = m->version;
	gh->reserved = m->reserved;
	for (int i = 0; i < m->nattrs; i++) {
		const struct fattr *a = &m->a[i];
		int pad = NLA_ALIGN(a->len) - a->len;
		struct nlattr *na = (void *)(buf + off);

		if (off + NLA_HDRLEN + a->len + pad > MSG_MAX)
			break;
		na->nla_type = a->type;
		na->nla_len = a->nla_len >= 0 ? a->nla_len : NLA_HDRLEN + a->len;
		memcpy(buf + off + NLA_HDRLEN, a->data, a->len);
		memset(buf + off + NLA_HDRLEN + a->len, 0, pad);
		off += NLA_HDRLEN + a->len + pad;
	}
	nh->nlmsg_len = off;
	return off;
}

/* ------------------------------------------------------------ mutation */

static uint64_t interesting(struct sender *sd)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 99, 100, 101, 127,
		128, 255, 256, 1000, 1023, 1024, 1025, 4095, 4096, 4097, 8192,
		65535, 65536, 1 << 20, 1 << 28, (1 << 28) + 1, 1 << 29,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 1ull << 32,
		999, 60000000000ull, 60000000001ull, 0x1f, 0x20, 0x3f, 0x40,
		~0ull, 1ull << 63,
	};
	uint32_t k = ktest_rnd(&sd->rng, ARRAY_LEN(v) + 6);

	switch ((int)k - (int)ARRAY_LEN(v)) {
	case 0: return sd->pid;
	case 1: return sd->sid;
	case 2: return sd->sid + 1;
	case 3: return sd->foreign;
	case 4: return sd->cgfd;
	case 5: return ktest_rng(&sd->rng);
	}
	return v[k];
}

static uint16_t random_attr_type(struct sender *sd)
{
	switch (ktest_rnd(&sd->rng, 8)) {
	case 0: return ktest_rng(&sd->rng);		/* anything, NLA_F_* too */
	case 1: return CTRACE_A_MAX + 1 + ktest_rnd(&sd->rng, 64);
	case 2: return 0;
	default: return ktest_rnd(&sd->rng, CTRACE_A_MAX + 1);
	}
}

/* A payload of a random shape: scalars of every width, strings, nests. */
static void random_payload(struct sender *sd, struct fattr *a)
{
	uint64_t x = interesting(sd);

	a->nla_len = -1;
	switch (ktest_rnd(&sd->rng, 10)) {
	case 0: a->len = 0; break;
	case 1: a->len = 1; put_le(a->data, x, 1); break;
	case 2: a->len = 2; put_le(a->data, x, 2); break;
	case 3: case 4: a->len = 4; put_le(a->data, x, 4); break;
	case 5: a->len = 8; put_le(a->data, x, 8); break;
	case 6:		/* a string, terminated or not, short or huge */
		a->len = ktest_rnd(&sd->rng, 3) ? 1 + ktest_rnd(&sd->rng, 40) : 1 + ktest_rnd(&sd->rng, MAX_PAYLOAD);
		for (int i = 0; i < a->len; i++)
			a->data[i] = ktest_rnd(&sd->rng, 8) ? 'a' + ktest_rnd(&sd->rng, 26) : ktest_rnd(&sd->rng, 256);
		if (ktest_rnd(&sd->rng, 2))
			a->data[a->len - 1] = '\0';
		break;
	case 7: {	/* a nest of u32s, where a scalar or nothing belongs */
		int n = 1 + ktest_rnd(&sd->rng, 4);

		a->type |= ktest_rnd(&sd->rng, 2) ? NLA_F_NESTED : 0;
		a->len = 0;
		for (int i = 0; i < n; i++) {
			struct nlattr na = { .nla_len = 8, .nla_type = random_attr_type(sd) };
			uint32_t v = interesting(sd);

			memcpy(a->data + a->len, &na, 4);
			memcpy(a->data + a->len + 4, &v, 4);
			a->len += 8;
		}
		break;
	}
	case 8:		/* pids: many, odd-sized, zero */
		a->len = ktest_rnd(&sd->rng, 2) ? 4 * (1 + ktest_rnd(&sd->rng, 1030)) : ktest_rnd(&sd->rng, 64);
		for (int i = 0; i + 4 <= a->len; i += 4)
			put_le(a->data + i, ktest_rnd(&sd->rng, 4) ? sd->pid : interesting(sd), 4);
		break;
	default:
		a->len = ktest_rnd(&sd->rng, 64);
		for (int i = 0; i < a->len; i++)
			a->data[i] = ktest_rng(&sd->rng);
	}
}

static void mutate_attrs(struct sender *sd, struct fmsg *m)
{
	struct fattr *a = m->nattrs ? &m->a[ktest_rnd(&sd->rng, m->nattrs)] : NULL;
	int w;

	switch (ktest_rnd(&sd->rng, 11)) {
	case 0:		/* an attribute more, of any type and shape */
	case 1:
		if (m->nattrs == MAX_ATTRS)
			break;
		a = &m->a[ktest_rnd(&sd->rng, m->nattrs + 1)];
		memmove(a + 1, a, (char *)&m->a[m->nattrs] - (char *)a);
		m->nattrs++;
		a->type = random_attr_type(sd);
		random_payload(sd, a);
		break;
	case 2:		/* one twice */
		if (a && m->nattrs < MAX_ATTRS)
			m->a[m->nattrs++] = *a;
		break;
	case 3:		/* one less */
		if (a) {
			memmove(a, a + 1, (char *)&m->a[m->nattrs] - (char *)(a + 1));
			m->nattrs--;
		}
		break;
	case 4:		/* the same type, another shape (u32 as u8, u64, empty...) */
		if (a)
			random_payload(sd, a);
		break;
	case 5:		/* the same shape, an edge value */
		if (a && (a->len == 1 || a->len == 2 || a->len == 4 || a->len == 8))
			put_le(a->data, interesting(sd), a->len);
		break;
	case 6:		/* another type, the same payload */
		if (a)
			a->type = random_attr_type(sd);
		break;
	case 7:		/* nested or byte-order bits on a scalar */
		if (a)
			a->type ^= ktest_rnd(&sd->rng, 2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 8:		/* nla_len lies */
		if (a) {
			w = ktest_rnd(&sd->rng, 3);
			a->nla_len = w == 0 ? (int)ktest_rnd(&sd->rng, 4) :
				     w == 1 ? NLA_HDRLEN + a->len + 1 + (int)ktest_rnd(&sd->rng, 64) :
				     (int)(ktest_rng(&sd->rng) & 0xffff);
		}
		break;
	case 9:		/* payload cut or grown */
		if (a) {
			w = ktest_rnd(&sd->rng, 2) ? ktest_rnd(&sd->rng, a->len + 1) :
			    a->len + 1 + ktest_rnd(&sd->rng, 16);
			for (int i = a->len; i < w && i < MAX_PAYLOAD; i++)
				a->data[i] = ktest_rng(&sd->rng);
			a->len = w < MAX_PAYLOAD ? w : MAX_PAYLOAD;
		}
		break;
	default:	/* shuffled */
		for (int i = m->nattrs - 1; i > 0; i--) {
			int j = ktest_rnd(&sd->rng, i + 1);
			struct fattr t;

			if (i == j)
				continue;
			t = m->a[i];
			m->a[i] = m->a[j];
			m->a[j] = t;
		}
	}
}

static void mutate_header(struct sender *sd, struct fmsg *m)
{
	static const uint16_t flags[] = {
		NLM_F_ACK, NLM_F_DUMP, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ECHO,
		NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND,
		NLM_F_MULTI, NLM_F_REQUEST, NLM_F_NONREC, NLM_F_DUMP_FILTERED,
	};

	switch (ktest_rnd(&sd->rng, 6)) {
	case 0:
		m->cmd = ktest_rnd(&sd->rng, 2) ? ktest_rnd(&sd->rng, CTRACE_CMD_MAX + 4) : ktest_rng(&sd->rng);
		break;
	case 1:
		m->flags ^= flags[ktest_rnd(&sd->rng, ARRAY_LEN(flags))];
		break;
	case 2:
		m->flags = ktest_rng(&sd->rng) | (ktest_rnd(&sd->rng, 4) ? NLM_F_REQUEST : 0);
		break;
	case 3:
		m->version = ktest_rng(&sd->rng);
		m->reserved = ktest_rnd(&sd->rng, 2) ? ktest_rng(&sd->rng) : 0;
		break;
	case 4:		/* a control message, not a request to the family */
		m->type = ktest_rnd(&sd->rng, NLMSG_MIN_TYPE);
		break;
	default:
		m->flags |= NLM_F_ACK;
	}
}

/*
 * A message for @sd into @buf: returns how many bytes to send (which may
 * differ from its nlmsg_len).
 */
static int generate(struct sender *sd, const struct seeds *seeds, uint8_t *buf,
		    struct fmsg *m)
{
	int len, n;

	if (ktest_rnd(&sd->rng, 20) == 0) {	/* from nothing */
		memset(m, 0, offsetof(struct fmsg, a));
		m->cmd = ktest_rnd(&sd->rng, 16);
		m->flags = NLM_F_REQUEST | (ktest_rnd(&sd->rng, 2) ? NLM_F_ACK : 0);
		m->version = 1;
		m->nattrs = ktest_rnd(&sd->rng, 6);
		for (int i = 0; i < m->nattrs; i++) {
			m->a[i].type = random_attr_type(sd);
			random_payload(sd, &m->a[i]);
		}
	} else {
		parse_seed(sd, seeds->line[ktest_rnd(&sd->rng, seeds->n)], m);
		if (ktest_rnd(&sd->rng, 50) == 0)
			goto out;	/* a valid one now and then */
		n = 1 + ktest_rnd(&sd->rng, 3);
		for (int i = 0; i < n; i++) {
			if (ktest_rnd(&sd->rng, 4))
				mutate_attrs(sd, m);
			else
				mutate_header(sd, m);
		}
	}
out:
	len = serialize(sd, m, buf);

	/* Byte-level damage, after the structure. */
	switch (ktest_rnd(&sd->rng, 12)) {
	case 0:		/* flipped bytes behind the netlink header */
		n = 1 + ktest_rnd(&sd->rng, 8);
		for (int i = 0; i < n && len > NLMSG_HDRLEN; i++)
			buf[NLMSG_HDRLEN + ktest_rnd(&sd->rng, len - NLMSG_HDRLEN)] ^= 1 << ktest_rnd(&sd->rng, 8);
		break;
	case 1: {	/* nlmsg_len lies */
		static const int d[] = { 0, 1, 4, 15, 16, 17, 19, 20, 0xffff };
		struct nlmsghdr *nh = (void *)buf;

		n = ktest_rnd(&sd->rng, ARRAY_LEN(d) + 3);
		nh->nlmsg_len = n < (int)ARRAY_LEN(d) ? (uint32_t)d[n] :
				n == (int)ARRAY_LEN(d) ? (uint32_t)len - 1 :
				n == (int)ARRAY_LEN(d) + 1 ? (uint32_t)len + 4 :
				(uint32_t)ktest_rng(&sd->rng);
		break;
	}
	case 2:		/* sent short of what the header says */
		len = ktest_rnd(&sd->rng, len);
		break;
	case 3: {	/* a second message behind the first */
		struct fmsg *m2 = malloc(sizeof(*m2));
		uint8_t *b2 = malloc(MSG_MAX);

		if (m2 && b2) {
			parse_seed(sd, seeds->line[ktest_rnd(&sd->rng, seeds->n)], m2);
			if (ktest_rnd(&sd->rng, 2))
				mutate_attrs(sd, m2);
			n = serialize(sd, m2, b2);
			if (len + n <= MSG_MAX) {
				((struct nlmsghdr *)buf)->nlmsg_len -= ktest_rnd(&sd->rng, 2) ? 0 :
					ktest_rnd(&sd->rng, 8);
				memcpy(buf + NLMSG_ALIGN(len), b2, n);
				len = NLMSG_ALIGN(len) + n;
			}
		}
		free(m2);
		free(b2);
		break;
	}
	case 4:		/* garbage behind it */
		n = 1 + ktest_rnd(&sd->rng, 48);
		for (int i = 0; i < n && len < MSG_MAX; i++)
			buf[len++] = ktest_rng(&sd->rng);
		break;
	}
	return len;
}

/* --------------------------------------------------------------- checks */

/* What the kernel will parse out of the bytes sent (netlink_rcv_skb()). */
struct req {
	struct nlmsghdr h;
	int is_request;		/* reaches the family's doit or dumpit */
	int is_dump;
	uint8_t cmd;
	int errors, error, done, replies;
};

static int chain(struct sender *sd, uint8_t *buf, int len, struct req *r)
{
	int off = 0, n = 0;

	while (len - off >= NLMSG_HDRLEN && n < MAX_CHAIN) {
		struct nlmsghdr *nh = (void *)(buf + off);
		int step;

		if (nh->nlmsg_len < NLMSG_HDRLEN || nh->nlmsg_len > (uint32_t)(len - off))
			break;
		/* Only to ctrace, and each with its own sequence number. */
		if (nh->nlmsg_type >= NLMSG_MIN_TYPE)
			nh->nlmsg_type = sd->family;
		nh->nlmsg_seq = ++sd->seq;
		memset(&r[n], 0, sizeof(r[n]));
		r[n].h = *nh;
		r[n].is_request = (nh->nlmsg_flags & NLM_F_REQUEST) &&
				  nh->nlmsg_type >= NLMSG_MIN_TYPE;
		r[n].is_dump = r[n].is_request &&
			       (nh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
		r[n].cmd = nh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN ?
			   ((struct genlmsghdr *)NLMSG_DATA(nh))->cmd : 0;
		n++;
		step = NLMSG_ALIGN(nh->nlmsg_len);
		off += step < len - off ? step : len - off;
	}
	return n;
}

#define FAIL(sd, ...) do {						\
	(sd)->t->failures++;						\
	if ((sd)->details++ < DETAILS) {				\
		fprintf(stderr, "# message %lu: ", (sd)->index);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static int printable(const char *s, int n)
{
	int i;

	for (i = 0; i < n && s[i]; i++)
		if (!isprint((unsigned char)s[i]))
			return 0;
	return i < n;	/* the NUL is inside the attribute */
}

/* Does the family have this command (kmod/genl.c's ops)? */
static int has_op(uint8_t cmd)
{
	switch (cmd) {
	case CTRACE_CMD_GET_INFO: case CTRACE_CMD_SESSION_NEW:
	case CTRACE_CMD_SESSION_START: case CTRACE_CMD_SESSION_STOP:
	case CTRACE_CMD_SESSION_DESTROY: case CTRACE_CMD_SESSION_GET:
	case CTRACE_CMD_SESSION_RESTATE: case CTRACE_CMD_SESSION_SNAPSHOT:
		return 1;
	}
	return 0;
}

/* The extack TLVs at @p (@len bytes) of an answer to @r. */
static void check_tlvs(struct sender *sd, const struct req *r, const uint8_t *p,
		       int len, int *has_msg)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *na = (const void *)p;
		const uint8_t *v = p + NLA_HDRLEN;
		int alen = na->nla_len - NLA_HDRLEN;
		uint32_t u;

		if (na->nla_len < NLA_HDRLEN || na->nla_len > len) {
			FAIL(sd, "extack TLV of length %u in %d bytes", na->nla_len, len);
			return;
		}
		switch (na->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			*has_msg = 1;
			if (!printable((const char *)v, alen))
				FAIL(sd, "extack message not a printable NUL-terminated string (%d bytes)", alen);
			break;
		case NLMSGERR_ATTR_OFFS:
			memcpy(&u, v, 4);
			if (alen != 4 || u < NLMSG_HDRLEN || u >= r->h.nlmsg_len)
				FAIL(sd, "extack offset %u outside the request's %u bytes", u, r->h.nlmsg_len);
			break;
		}
		p += NLA_ALIGN(na->nla_len);
		len -= NLA_ALIGN(na->nla_len) < len ? NLA_ALIGN(na->nla_len) : len;
	}
}

/* Sizes of reply attributes: 4 u32, 8 u64, 0 flag or pad, -1 nest. */
static int reply_attr_size(int nested, int type)
{
	static const signed char top[CTRACE_A_MAX + 1] = {
		[CTRACE_A_ABI_VERSION] = 4, [CTRACE_A_FEATURES] = 8,
		[CTRACE_A_NR_CPUS] = 4, [CTRACE_A_CLOCK] = 4, [CTRACE_A_TSC_KHZ] = 8,
		[CTRACE_A_PAD] = 0, [CTRACE_A_SESSION_ID] = 4, [CTRACE_A_BUF_SIZE] = 4,
		[CTRACE_A_EVENTS] = 8, [CTRACE_A_SESSION_FLAGS] = 4,
		[CTRACE_A_SESSION_STATE] = 4, [CTRACE_A_OWNER_UID] = 4,
		[CTRACE_A_OWNER_PID] = 4, [CTRACE_A_RINGS] = -1, [CTRACE_A_RING] = -1,
		[CTRACE_A_EVENTS_WRITTEN] = 8, [CTRACE_A_LOST] = 8,
		[CTRACE_A_TARGET_KIND] = 4, [CTRACE_A_PRIVILEGED] = 0,
		[CTRACE_A_TARGET_OVERFLOW] = 4, [CTRACE_A_SESSIONS] = 4,
		[CTRACE_A_MEM_BYTES] = 8, [CTRACE_A_TID] = 4, [CTRACE_A_LATENCY] = 8,
		[CTRACE_A_USETS_BUSY] = 4, [CTRACE_A_BUSY_USETS] = -1,
		[CTRACE_A_USETS_BUSY_MORE] = 0,
	};
	static const signed char ring[CTRACE_RING_A_MAX + 1] = {
		[CTRACE_RING_A_CPU] = 4, [CTRACE_RING_A_EVENTS] = 8,
		[CTRACE_RING_A_LOST] = 8, [CTRACE_RING_A_BYTES] = 8,
		[CTRACE_RING_A_FILL] = 8, [CTRACE_RING_A_SIZE] = 8,
		[CTRACE_RING_A_PAD] = 0,
	};

	/* Levels: 1 the rings' list, 2 a ring, 3 the busy sets' list, 4 one. */
	if (nested == 4)
		return type >= 1 && type <= CTRACE_BUSY_A_MAX ? 4 : -2;
	if (nested == 3)
		return type == CTRACE_A_BUSY_USET ? -1 : -2;
	if (nested == 2)
		return type >= 1 && type <= CTRACE_RING_A_MAX ? ring[type] : -2;
	if (nested == 1)
		return type == CTRACE_A_RING ? -1 : -2;
	return type >= 1 && type <= CTRACE_A_MAX && type != CTRACE_A_LATENCY_TRIGGER &&
	       (top[type] || type == CTRACE_A_PAD || type == CTRACE_A_PRIVILEGED ||
		type == CTRACE_A_USETS_BUSY_MORE) &&
	       type != CTRACE_A_RING && type != CTRACE_A_BUSY_USET ? top[type] : -2;
}

/* The level a nest's contents are checked at (reply_attr_size()). */
static int nest_level(int level, int type)
{
	if (level == 0)
		return type == CTRACE_A_RINGS ? 1 : 3;
	return level + 1;
}

/* The attributes of a reply: only ctrace's, each of its size. */
static int check_reply_attrs(const uint8_t *p, int len, int level, uint32_t *sid)
{
	while (len > 0) {
		const struct nlattr *na = (const void *)p;
		int type = na->nla_type & NLA_TYPE_MASK, want;

		if (len < NLA_HDRLEN || na->nla_len < NLA_HDRLEN || na->nla_len > len)
			return -1;
		want = reply_attr_size(level, type);
		if (want == -2)
			return -1;
		if (want == -1) {
			if (check_reply_attrs(p + NLA_HDRLEN, na->nla_len - NLA_HDRLEN,
					      nest_level(level, type), NULL))
				return -1;
		} else if (na->nla_len - NLA_HDRLEN != want) {
			return -1;
		}
		if (sid && level == 0 && type == CTRACE_A_SESSION_ID)
			memcpy(sid, p + NLA_HDRLEN, 4);
		p += NLA_ALIGN(na->nla_len);
		len -= NLA_ALIGN(na->nla_len);
	}
	return 0;
}

static struct req *find_req(struct req *r, int n, uint32_t seq)
{
	for (int i = 0; i < n; i++)
		if (r[i].h.nlmsg_seq == seq)
			return &r[i];
	return NULL;
}

/* One message from the kernel, which answers a request of @r[0..n]. */
static void check_answer(struct sender *sd, const struct nlmsghdr *nh,
			 struct req *r, int n, uint32_t *new_sid)
{
	int plen = nh->nlmsg_len - NLMSG_HDRLEN, has_msg = 0;
	const uint8_t *p = NLMSG_DATA(nh);
	struct req *q;

	if (nh->nlmsg_seq == 0 && nh->nlmsg_pid == 0 && nh->nlmsg_type == sd->family) {
		/* A notification (the seeds case listens to the events group). */
		const struct genlmsghdr *g = (const void *)p;

		if (plen < (int)GENL_HDRLEN ||
		    !(g->cmd == CTRACE_CMD_NTF_STARTED || g->cmd == CTRACE_CMD_NTF_STOPPED ||
		      g->cmd == CTRACE_CMD_NTF_LOSING || g->cmd == CTRACE_CMD_NTF_SNAPSHOT ||
		      g->cmd == CTRACE_CMD_NTF_LATENCY) ||
		    check_reply_attrs(p + GENL_HDRLEN, plen - GENL_HDRLEN, 0, NULL))
			FAIL(sd, "malformed notification (cmd %u)", plen >= (int)GENL_HDRLEN ? g->cmd : 0);
		return;
	}
	q = find_req(r, n, nh->nlmsg_seq);
	if (!q || nh->nlmsg_pid != sd->port) {
		FAIL(sd, "answer type %u seq %u pid %u answers nothing sent", nh->nlmsg_type,
		     nh->nlmsg_seq, nh->nlmsg_pid);
		return;
	}
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)p;
		int echo;

		if (plen < (int)sizeof(*e)) {
			FAIL(sd, "error message of %d bytes", plen);
			return;
		}
		q->errors++;
		q->error = e->error;
		if (e->error > 0 || e->error <= -4096 || (e->error && !sane_errno(-e->error)))
			FAIL(sd, "cmd %u: error %d (%s) is not a sane errno", q->cmd, e->error,
			     e->error < 0 && e->error > -4096 ? strerrorname_np(-e->error) : "?");
		if (memcmp(&e->msg, &q->h, sizeof(q->h)))
			FAIL(sd, "error %d does not echo the request's header", e->error);
		echo = nh->nlmsg_flags & NLM_F_CAPPED ? 0 :
		       NLMSG_ALIGN(q->h.nlmsg_len - NLMSG_HDRLEN);
		if (!e->error && !(nh->nlmsg_flags & NLM_F_CAPPED))
			FAIL(sd, "an ack carries the request");
		if (NLMSG_ALIGN(sizeof(*e)) + echo > (unsigned int)plen) {
			FAIL(sd, "error message too short for its echo");
			return;
		}
		if (nh->nlmsg_flags & NLM_F_ACK_TLVS)
			check_tlvs(sd, q, p + NLMSG_ALIGN(sizeof(*e)) + echo,
				   plen - NLMSG_ALIGN(sizeof(*e)) - echo, &has_msg);
		if (e->error) {
			if (has_msg) {
				sd->t->with_msg++;
			} else if (q->h.nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
				   !has_op(q->cmd) || (q->is_dump && q->cmd != CTRACE_CMD_SESSION_GET) ||
				   (q->is_dump && e->error == -EBUSY)) {
				sd->t->without_msg++;
				sd->t->nomsg_core++;
			} else {
				size_t i;

				sd->t->without_msg++;
				sd->t->nomsg_ctrace++;
				for (i = 0; i < ARRAY_LEN(sd->t->nomsg) && sd->t->nomsg[i].n &&
				     (sd->t->nomsg[i].cmd != q->cmd ||
				      sd->t->nomsg[i].err != e->error); i++)
					;
				if (i < ARRAY_LEN(sd->t->nomsg)) {
					sd->t->nomsg[i].cmd = q->cmd;
					sd->t->nomsg[i].err = e->error;
					sd->t->nomsg[i].n++;
				}
			}
		}
	} else if (nh->nlmsg_type == NLMSG_DONE) {
		int err;

		if (!q->is_dump || !(nh->nlmsg_flags & NLM_F_MULTI) || plen < 4) {
			FAIL(sd, "NLMSG_DONE for a request that is no dump, or malformed");
			return;
		}
		memcpy(&err, p, 4);
		q->done++;
		if (err > 0 || (err && !sane_errno(-err)))
			FAIL(sd, "dump ended with %d", err);
		if (nh->nlmsg_flags & NLM_F_ACK_TLVS)
			check_tlvs(sd, q, p + 4, plen - 4, &has_msg);
	} else if (nh->nlmsg_type == sd->family) {
		const struct genlmsghdr *g = (const void *)p;
		uint32_t sid = 0;

		q->replies++;
		if (plen < (int)GENL_HDRLEN || !q->is_request) {
			FAIL(sd, "reply of %d bytes to a request of type %u", plen, q->h.nlmsg_type);
			return;
		}
		if (q->is_dump ? g->cmd != CTRACE_CMD_SESSION_GET || !(nh->nlmsg_flags & NLM_F_MULTI) :
				 g->cmd != q->cmd)
			FAIL(sd, "reply cmd %u to request cmd %u%s", g->cmd, q->cmd,
			     q->is_dump ? " (dump)" : "");
		if (check_reply_attrs(p + GENL_HDRLEN, plen - GENL_HDRLEN, 0, &sid))
			FAIL(sd, "reply cmd %u has a malformed or unknown attribute", g->cmd);
		if (g->cmd == CTRACE_CMD_SESSION_NEW && new_sid)
			*new_sid = sid;
	} else {
		FAIL(sd, "answer of type %u", nh->nlmsg_type);
	}
}

/* After the barrier: did each request get what it should have? */
static void check_outcomes(struct sender *sd, struct req *r, int n)
{
	for (int i = 0; i < n; i++) {
		struct req *q = &r[i];
		int ack = !!(q->h.nlmsg_flags & NLM_F_ACK);

		sd->t->requests++;
		if (q->errors > 1 || q->done > 1) {
			FAIL(sd, "request %d: %d errors, %d NLMSG_DONE", i, q->errors, q->done);
			continue;
		}
		if (!q->is_request) {
			if (q->replies || q->done || q->errors != ack || q->error)
				FAIL(sd, "request %d is no request but got %d replies, %d errors (%d)",
				     i, q->replies, q->errors, q->error);
			sd->t->silent += !q->errors;
			sd->t->accepted += q->errors;
			continue;
		}
		if (q->errors && q->error) {
			if (q->replies || q->done)
				FAIL(sd, "request %d refused (%d) but answered too", i, q->error);
			if (-q->error < 4096)
				sd->t->err[-q->error]++;
			continue;
		}
		if (q->is_dump) {
			if (q->done != 1 || q->errors)
				FAIL(sd, "dump %d: %d NLMSG_DONE, %d acks", i, q->done, q->errors);
			sd->t->dumps++;
			sd->t->accepted++;
			continue;
		}
		if (q->errors != ack || q->replies > 1)
			FAIL(sd, "request %d (cmd %u, flags %#x) accepted with %d acks, %d replies",
			     i, q->cmd, q->h.nlmsg_flags, q->errors, q->replies);
		sd->t->replies += q->replies;
		if (q->errors || q->replies)
			sd->t->accepted++;
		else
			sd->t->silent++;
	}
}

static void hexdump(const uint8_t *p, int len)
{
	char line[100];
	int n = 0;

	for (int i = 0; i < len && i < 256; i++) {
		n += snprintf(line + n, sizeof(line) - n, "%02x", p[i]);
		if (i % 32 == 31 || i == len - 1 || i == 255) {
			fprintf(stderr, "#   %s\n", line);
			n = 0;
		}
	}
}

/*
 * Send @len bytes of @buf, then the barrier; read and check everything
 * until the barrier's ack (and the end of a dump).  Returns the
 * SESSION_NEW reply's session ID, if any.
 */
static uint32_t exchange(struct sender *sd, uint8_t *buf, int len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct req r[MAX_CHAIN + 1];
	struct nlmsghdr noop = {
		.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	unsigned long before = sd->t->failures;
	static uint8_t in[65536];
	uint32_t sid = 0;
	int n, barrier_seen = 0;

	n = chain(sd, buf, len, r);
	noop.nlmsg_seq = ++sd->seq;
	memset(&r[n], 0, sizeof(r[n]));
	r[n].h = noop;
	sd->t->sent++;
	if (sendto(sd->fd, buf, len, 0, (void *)&kernel, sizeof(kernel)) != len) {
		/* Nothing at all is refused by the netlink core itself. */
		if (len == 0 && errno == ENODATA) {
			sd->t->empty++;
			return 0;
		}
		FAIL(sd, "send of %d bytes: %s", len, strerror(errno));
		return 0;
	}
	if (sendto(sd->fd, &noop, sizeof(noop), 0, (void *)&kernel, sizeof(kernel)) < 0) {
		FAIL(sd, "barrier: %s", strerror(errno));
		return 0;
	}
	for (;;) {
		int pending = 0, got;

		for (int i = 0; i < n; i++)
			pending |= r[i].is_dump && !r[i].done && !r[i].errors;
		if (barrier_seen && !pending)
			break;
		/* Once the barrier is in, a dump's end is already queued. */
		got = recv(sd->fd, in, sizeof(in), MSG_TRUNC | (barrier_seen ? MSG_DONTWAIT : 0));
		if (got < 0) {
			FAIL(sd, "recv: %s%s", strerror(errno),
			     barrier_seen ? " (a dump never ended)" : "");
			break;
		}
		if (got > (int)sizeof(in)) {
			FAIL(sd, "answer of %d bytes truncated", got);
			break;
		}
		for (struct nlmsghdr *nh = (void *)in; got > 0;) {
			if (got < NLMSG_HDRLEN || nh->nlmsg_len < NLMSG_HDRLEN ||
			    nh->nlmsg_len > (uint32_t)got) {
				FAIL(sd, "malformed answer: %d bytes left, nlmsg_len %u", got,
				     got >= NLMSG_HDRLEN ? nh->nlmsg_len : 0);
				got = 0;
				break;
			}
			if (nh->nlmsg_seq == noop.nlmsg_seq) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_type != NLMSG_ERROR || e->error ||
				    memcmp(&e->msg, &noop, sizeof(noop)))
					FAIL(sd, "barrier answered with type %u", nh->nlmsg_type);
				barrier_seen = 1;
			} else {
				check_answer(sd, nh, r, n, &sid);
			}
			got -= NLMSG_ALIGN(nh->nlmsg_len);
			nh = (void *)((uint8_t *)nh + NLMSG_ALIGN(nh->nlmsg_len));
		}
	}
	check_outcomes(sd, r, n);
	if (sd->t->failures != before && sd->details <= DETAILS) {
		fprintf(stderr, "# message %lu, %d bytes sent:\n", sd->index, len);
		hexdump(buf, len);
	}
	return sid;
}

/* --------------------------------------------------------------- sockets */

static int sender_open(struct sender *sd, int cap_ack)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };	/* a hang, not a measurement */
	socklen_t sl = sizeof(me);
	int one = 1;

	sd->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sd->fd < 0)
		return -errno;
	if (setsockopt(sd->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(sd->fd, SOL_NETLINK, NETLINK_CAP_ACK, &cap_ack, sizeof(cap_ack)) ||
	    setsockopt(sd->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(sd->fd, (void *)&me, sizeof(me)) ||
	    getsockname(sd->fd, (void *)&me, &sl))
		return -errno;
	sd->port = me.nl_pid;
	return 0;
}

/* A session of this socket for $sid: SESSION_NEW tracing the sender. */
static uint32_t anchor_session(struct sender *sd)
{
	static uint8_t buf[MSG_MAX];
	struct fmsg *m = malloc(sizeof(*m));
	char line[128];
	uint32_t sid = 0;
	int len;

	snprintf(line, sizeof(line), "SESSION_NEW ack TARGET_PIDS:pids:%u BUF_SIZE:u32:4096",
		 sd->pid);
	if (m && !parse_seed(sd, line, m)) {
		len = serialize(sd, m, buf);
		sid = exchange(sd, buf, len);
	}
	free(m);
	return sid;
}

static uint16_t resolve_family(void)
{
	struct nl_sock *s = nl_socket_alloc();
	int id = -1;

	if (s && !genl_connect(s))
		id = genl_ctrl_resolve(s, CTRACE_GENL_NAME);
	nl_socket_free(s);
	return id > 0 ? id : 0;
}

/*
 * @count fuzzed messages as the current user, on a socket opened anew
 * every CYCLE messages.  @foreign: another user's session, for the values.
 */
static void fuzz(struct tally *t, const struct seeds *seeds, uint16_t family,
		 uint64_t seed, unsigned long count, uint32_t foreign, int cgfd)
{
	struct sender sd = {
		.fd = -1, .family = family, .t = t, .pid = getpid(),
		.foreign = foreign, .cgfd = cgfd, .rng = seed,
	};
	static uint8_t buf[MSG_MAX];
	struct fmsg *m = malloc(sizeof(*m));

	if (!m) {
		t->failures++;
		return;
	}
	for (sd.index = 0; sd.index < count; sd.index++) {
		int len;

		if (sd.index % CYCLE == 0) {
			if (sd.fd >= 0)
				close(sd.fd);
			if (sender_open(&sd, (sd.index / CYCLE) % 2)) {
				FAIL(&sd, "socket: %s", strerror(errno));
				break;
			}
			sd.sid = anchor_session(&sd);
			if (!sd.sid)
				FAIL(&sd, "no session to aim at");
		}
		len = generate(&sd, seeds, buf, m);
		exchange(&sd, buf, len);
	}
	if (sd.fd >= 0)
		close(sd.fd);
	free(m);
}

/* ----------------------------------------------------------------- cases */

FIXTURE(fz) {
	struct seeds seeds;
	char dir[4096];
	uint16_t family;
	char old_buffer_mb[32];
	int cgfd;
	uint64_t seed;
	unsigned long count;
	struct tally *t;
};

FIXTURE_SETUP(fz)
{
	int n;

	n = load_seeds(&self->seeds, self->dir, sizeof(self->dir));
	ASSERT_LT(0, n) TH_LOG("no seeds in %s (%d)", self->dir, n);
	self->family = resolve_family();
	ASSERT_NE(0, self->family) TH_LOG("family %s not found", CTRACE_GENL_NAME);
	self->seed = env_u64("CTRACE_FUZZ_SEED", DEFAULT_SEED);
	self->count = env_u64("CTRACE_FUZZ_COUNT", DEFAULT_COUNT);
	self->cgfd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->cgfd);
	ASSERT_LT(0, ktest_read_file("/sys/module/ctrace/parameters/max_buffer_mb",
				     self->old_buffer_mb, sizeof(self->old_buffer_mb)));
	ASSERT_EQ(0, ktest_set_param("max_buffer_mb", FUZZ_BUFFER_MB));
	self->t = mmap(NULL, sizeof(*self->t), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->t);
	printf("# %d seeds from %s; CTRACE_FUZZ_SEED=%#llx CTRACE_FUZZ_COUNT=%lu\n", n,
	       self->dir, (unsigned long long)self->seed, self->count);
	fflush(stdout);
}

FIXTURE_TEARDOWN(fz)
{
	struct ctrace_info mi;

	ktest_set_param("max_buffer_mb", self->old_buffer_mb);
	close(self->cgfd);
	/* Every fuzzing socket is closed: nothing of theirs may be left. */
	mi = kt_module_info();
	EXPECT_EQ(CTRACE_ABI_VERSION, mi.abi_version);
	EXPECT_EQ(0, mi.sessions);
	EXPECT_EQ(0, mi.mem_bytes);
	munmap(self->t, sizeof(*self->t));
}

/* The seeds as they are: each accepted, each answer well formed. */
TEST_F(fz, seeds_are_accepted)
{
	struct sender sd = {
		.family = self->family, .t = self->t, .pid = getpid(),
		.cgfd = self->cgfd,
	};
	static uint8_t buf[MSG_MAX];
	struct fmsg m;
	int grp;

	ASSERT_EQ(0, sender_open(&sd, 0));
	{
		struct nl_sock *s = nl_socket_alloc();

		ASSERT_EQ(0, genl_connect(s));
		grp = genl_ctrl_resolve_grp(s, CTRACE_GENL_NAME, CTRACE_GENL_MCGRP_EVENTS);
		nl_socket_free(s);
	}
	ASSERT_LT(0, grp);
	ASSERT_EQ(0, setsockopt(sd.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));
	for (int i = 0; i < self->seeds.n; i++) {
		unsigned long refused = 0;
		uint32_t sid;
		int len;

		sd.index = i;
		ASSERT_EQ(0, parse_seed(&sd, self->seeds.line[i], &m))
			TH_LOG("seed %d does not parse: %s", i, self->seeds.line[i]);
		len = serialize(&sd, &m, buf);
		for (int e = 0; e < 4096; e++)
			refused += self->t->err[e];
		sid = exchange(&sd, buf, len);
		for (int e = 0; e < 4096; e++)
			refused -= self->t->err[e];
		EXPECT_EQ(0, refused) TH_LOG("seed %d refused: %s", i, self->seeds.line[i]);
		if (!sd.sid && sid)
			sd.sid = sid;
	}
	close(sd.fd);
	EXPECT_NE(0, sd.sid);
	EXPECT_EQ(0, self->t->failures);
	EXPECT_EQ(self->seeds.n, self->t->accepted + self->t->silent);
	print_tally("seeds", self->t, 0);
}

TEST_F_TIMEOUT(fz, root, 600)
{
	fuzz(self->t, &self->seeds, self->family, self->seed, self->count, 0x7ffffff0,
	     self->cgfd);
	print_tally("root", self->t, self->seed);
	EXPECT_EQ(0, self->t->failures);
	EXPECT_LT(self->count / 2, self->t->requests);
	/* Refused and accepted both happened: the fuzzer reached the handlers. */
	EXPECT_LT(self->count / 10, self->t->accepted);
	EXPECT_LT(0, self->t->err[EINVAL]);
	/* docs/abi.md: each refusal of ctrace's own says why. */
	EXPECT_EQ(0, self->t->nomsg_ctrace);
}

TEST_F_TIMEOUT(fz, nobody, 600)
{
	struct ctrace_session_info info;
	uint64_t seed = self->seed ^ 0x6e6f626f6479ull;	/* "nobody" */
	struct ctrace_ctl *ctl = kt_ctl_open();
	uint32_t me = getpid();
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_PIDS, .pids = &me, .nr_pids = 1,
		.buf_size = 4096, .clock = -1,
	};
	int status;
	pid_t child;

	/* Root's session: nobody may name it, and must not touch it. */
	ASSERT_NE(NULL, ctl);
	ASSERT_EQ(0, ctrace_ctl_session_new(ctl, &o, &info));
	ctrace_session_info_free(&info);
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(ctrace_ctl_fd(ctl));
		if (ktest_become_nobody())
			_exit(100);
		fuzz(self->t, &self->seeds, self->family, seed, self->count, info.id, self->cgfd);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("status %#x", status);
	print_tally("nobody", self->t, seed);
	EXPECT_EQ(0, self->t->failures);
	EXPECT_LT(self->count / 2, self->t->requests);
	EXPECT_LT(self->count / 10, self->t->accepted);
	EXPECT_LT(0, self->t->err[EACCES]);
	EXPECT_EQ(0, self->t->nomsg_ctrace);
	/* Nobody's refusals are nobody's: root's session is as it was. */
	ASSERT_EQ(0, ctrace_ctl_session_get(ctl, info.id, &info));
	EXPECT_EQ(CTRACE_SESSION_CREATED, info.state);
	EXPECT_EQ(0, info.owner_uid);
	ctrace_session_info_free(&info);
	ctrace_ctl_close(ctl);
}

KTEST_HARNESS_MAIN
