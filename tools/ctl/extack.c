// SPDX-License-Identifier: LGPL-2.1
#include <errno.h>
#include <string.h>

#include "extack.h"

int ctrace_extack_parse(const struct nlmsghdr *nlh, size_t len,
			struct ctrace_extack *out)
{
	const struct nlmsgerr *err;
	const unsigned char *p, *end;
	size_t tlv_off;

	memset(out, 0, sizeof(*out));
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > len || nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
		return -EBADMSG;
	err = NLMSG_DATA(nlh);
	out->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	/*
	 * The TLVs follow the echoed request: only its header when the kernel
	 * capped the echo (NLM_F_CAPPED), else all of it.
	 */
	tlv_off = NLMSG_HDRLEN + sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return -EBADMSG;
		tlv_off += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
	}
	if (tlv_off > nlh->nlmsg_len)
		return -EBADMSG;

	p = (const unsigned char *)nlh + tlv_off;
	end = (const unsigned char *)nlh + nlh->nlmsg_len;
	while ((size_t)(end - p) >= NLA_HDRLEN) {
		struct nlattr nla;
		size_t plen, step;

		memcpy(&nla, p, sizeof(nla));
		if (nla.nla_len < NLA_HDRLEN || nla.nla_len > (size_t)(end - p))
			return -EBADMSG;
		plen = nla.nla_len - NLA_HDRLEN;
		switch (nla.nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG: {
			const char *s = (const char *)p + NLA_HDRLEN;
			size_t n = strnlen(s, plen);

			/* Must be NUL-terminated inside the attribute. */
			if (n == plen)
				return -EBADMSG;
			if (n >= sizeof(out->msg))
				n = sizeof(out->msg) - 1;
			memcpy(out->msg, s, n);
			out->msg[n] = '\0';
			out->has_msg = true;
			break;
		}
		case NLMSGERR_ATTR_OFFS:
			if (plen != sizeof(uint32_t))
				return -EBADMSG;
			memcpy(&out->offset, p + NLA_HDRLEN, sizeof(uint32_t));
			out->has_offset = true;
			break;
		default:
			break;	/* newer kernels add more; ignore them */
		}
		step = NLA_ALIGN(nla.nla_len);
		p += step < (size_t)(end - p) ? step : (size_t)(end - p);
	}
	return 0;
}
