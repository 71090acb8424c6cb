/* elements: the staged hash sets' elements, sent to the kernel as one
 * nfnetlink batch of NFT_MSG_NEWSETELEM messages, not through libnftables.
 *
 * Why: libnftables 1.0.6 parses and evaluates an element in 5 to 7 us of
 * CPU, the kernel takes it in in 2 to 3; 10,000 partners are 53,000 such
 * elements (source prefixes, gateways twice, two limits).  Encoded here
 * they cost 0.02 s, and the batch 0.13 s in the kernel, against 0.3 s
 * through the text (measured, docs/border.md).  Only what no rule uses yet
 * goes this way: sets of the next generation, declared empty (with their
 * types) by a transaction of libnftables just before; the batch is one
 * transaction, so a refusal leaves them empty and the rules as they were.
 *
 * The elements are those border_render writes as text (ruleset.c makes
 * both from one list): tests/border/kernel.sh loads a table either way
 * and compares the two listings. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include "internal.h"

/* A message's elements stay under this, as their list is one attribute and
 * an attribute's length is 16 bits. */
#define MSG_ELEMENTS_MAX 60000
/* nftnl's user data of an element: type 0 is its comment */
#define UDATA_ELEM_COMMENT 0

struct elem_batch {
	char *buf;                      /* the messages, end to end */
	size_t used, cap;
	struct nl_msg *msg;             /* the one being filled, or NULL */
	struct nlattr *list;            /* its NFTA_SET_ELEM_LIST_ELEMENTS */
	char set[64];                   /* the set the elements go to */
	char (*sets)[64];               /* the set of each message, for errors */
	size_t n_msgs, cap_msgs;
};

static void *oom(void *p)
{
	if (!p) {
		fputs("zsec: out of memory\n", stderr);
		abort();
	}
	return p;
}

static struct nl_msg *message(int type, int family, uint16_t res_id, int flags)
{
	struct nfgenmsg g = { .nfgen_family = (uint8_t)family, .version = NFNETLINK_V0,
	                      .res_id = htons(res_id) };
	/* room for a message of elements, which is closed once past
	 * MSG_ELEMENTS_MAX, and its last element; BEGIN and END need none */
	struct nl_msg *m = oom(nlmsg_alloc_size(type == NFNL_MSG_BATCH_BEGIN ||
	                                        type == NFNL_MSG_BATCH_END ? 256 :
	                                        MSG_ELEMENTS_MAX + 8192));

	if (!nlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, type, 0, flags) ||
	    nlmsg_append(m, &g, sizeof(g), NLMSG_ALIGNTO) < 0)
		oom(NULL);
	return m;
}

/* m to the end of the batch; counted: numbered from 1, its set noted (the
 * kernel's answers carry the number; BEGIN and END have 0) */
static void append(struct elem_batch *b, struct nl_msg *m, bool counted)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	size_t len = NLMSG_ALIGN(h->nlmsg_len);

	if (b->used + len > b->cap) {
		b->cap = 2 * (b->used + len);
		b->buf = oom(realloc(b->buf, b->cap));
	}
	if (counted) {
		if (b->n_msgs == b->cap_msgs) {
			b->cap_msgs = b->cap_msgs ? 2 * b->cap_msgs : 64;
			b->sets = oom(realloc(b->sets, b->cap_msgs * sizeof(*b->sets)));
		}
		memcpy(b->sets[b->n_msgs++], b->set, sizeof(b->set));
		h->nlmsg_seq = (uint32_t)b->n_msgs;
	}
	memcpy(b->buf + b->used, h, len);
	b->used += len;
	nlmsg_free(m);
}

/* The batch opens with BEGIN; the kernel commits it only on END (sent) */
struct elem_batch *batch_new(void)
{
	struct elem_batch *b = oom(calloc(1, sizeof(struct elem_batch)));

	append(b, message(NFNL_MSG_BATCH_BEGIN, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NLM_F_REQUEST),
	       false);
	return b;
}

void batch_free(struct elem_batch *b)
{
	if (!b)
		return;
	nlmsg_free(b->msg);
	free(b->buf);
	free(b->sets);
	free(b);
}

static void close_msg(struct elem_batch *b)
{
	if (!b->msg)
		return;
	nla_nest_end(b->msg, b->list);
	append(b, b->msg, true);
	b->msg = NULL;
}

static void open_msg(struct elem_batch *b)
{
	b->msg = message(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM, NFPROTO_INET, 0,
	                 NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
	if (nla_put_string(b->msg, NFTA_SET_ELEM_LIST_TABLE, BORDER_TABLE) < 0 ||
	    nla_put_string(b->msg, NFTA_SET_ELEM_LIST_SET, b->set) < 0 ||
	    !(b->list = nla_nest_start(b->msg, NFTA_SET_ELEM_LIST_ELEMENTS)))
		oom(NULL);
}

void batch_set(struct elem_batch *b, const char *set)
{
	close_msg(b);
	snprintf(b->set, sizeof(b->set), "%s", set);
}

/* NFTA_DATA_VALUE inside attribute type */
static int put_value(struct nl_msg *m, int type, const void *v, size_t len)
{
	struct nlattr *a = nla_nest_start(m, type);

	if (!a || nla_put(m, NFTA_DATA_VALUE, (int)len, v) < 0)
		return -1;
	return nla_nest_end(m, a);
}

/* the limit expression of `limit rate over RATE/second burst BURST packets` */
static int put_limit(struct nl_msg *m, const struct state_limit *l)
{
	struct nlattr *e = nla_nest_start(m, NFTA_SET_ELEM_EXPR), *d;

	if (!e || nla_put_string(m, NFTA_EXPR_NAME, "limit") < 0 ||
	    !(d = nla_nest_start(m, NFTA_EXPR_DATA)) ||
	    nla_put_u64(m, NFTA_LIMIT_RATE, htobe64(l->rate)) < 0 ||
	    nla_put_u64(m, NFTA_LIMIT_UNIT, htobe64(1)) < 0 ||
	    nla_put_u32(m, NFTA_LIMIT_BURST, htonl(l->burst)) < 0 ||
	    nla_put_u32(m, NFTA_LIMIT_TYPE, htonl(NFT_LIMIT_PKTS)) < 0 ||
	    nla_put_u32(m, NFTA_LIMIT_FLAGS, htonl(NFT_LIMIT_F_INV)) < 0)
		return -1;
	nla_nest_end(m, d);
	return nla_nest_end(m, e);
}

void batch_add(struct elem_batch *b, const void *key, const void *key_end, size_t klen,
               const void *data, size_t dlen, const char *comment,
               const struct state_limit *limit)
{
	struct nlattr *e;
	uint8_t udata[2 + 256];
	size_t clen;

	if (b->msg && nlmsg_hdr(b->msg)->nlmsg_len > MSG_ELEMENTS_MAX)
		close_msg(b);
	if (!b->msg)
		open_msg(b);
	if (!(e = nla_nest_start(b->msg, NFTA_LIST_ELEM)) ||
	    put_value(b->msg, NFTA_SET_ELEM_KEY, key, klen) < 0 ||
	    (key_end && put_value(b->msg, NFTA_SET_ELEM_KEY_END, key_end, klen) < 0) ||
	    (data && put_value(b->msg, NFTA_SET_ELEM_DATA, data, dlen) < 0) ||
	    (limit && put_limit(b->msg, limit) < 0))
		oom(NULL);
	if (comment) {
		/* nftnl's form: type, length, the text with its '\0' */
		clen = strnlen(comment, 254) + 1;
		udata[0] = UDATA_ELEM_COMMENT;
		udata[1] = (uint8_t)clen;
		memcpy(udata + 2, comment, clen - 1);
		udata[2 + clen - 1] = '\0';
		if (nla_put(b->msg, NFTA_SET_ELEM_USERDATA, (int)(2 + clen), udata) < 0)
			oom(NULL);
	}
	nla_nest_end(b->msg, e);
}

/* The kernel's answers, all queued before sendmsg returned (nfnetlink
 * takes a batch in the sender's call): one per message, the first refusal
 * told. */
static bool answers(struct elem_batch *b, int fd, char *err, size_t len)
{
	char rbuf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t acked = 0;
	bool ok = true;
	ssize_t n;

	while ((n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT)) != 0) {
		struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
		size_t left = n > 0 ? (size_t)n : 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				snprintf(err, len, "nftables: reading the kernel's answer to the "
				         "elements: %s", strerror(errno));
				return false;
			}
			break;
		}
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			acked++;
			if (e->error && ok) {
				snprintf(err, len, "nftables: the kernel refused the elements of set %s: %s",
				         h->nlmsg_seq && h->nlmsg_seq <= b->n_msgs ?
				         b->sets[h->nlmsg_seq - 1] : "(the batch)",
				         strerror(-e->error));
				ok = false;
			}
		}
	}
	if (ok && acked != b->n_msgs) {
		snprintf(err, len, "nftables: the kernel answered %zu of %zu messages of elements",
		         acked, b->n_msgs);
		ok = false;
	}
	return ok;
}

/* SO_SNDBUFFORCE or SO_RCVBUFFORCE, for which zsecd has CAP_NET_ADMIN;
 * in a user namespace, as far as the plain option goes */
static void buffer_size(int fd, int force, int plain, size_t size)
{
	int n = size > INT_MAX / 2 ? INT_MAX / 2 : (int)size;

	if (setsockopt(fd, SOL_SOCKET, force, &n, sizeof(n)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &n, sizeof(n));
}

/* Kept open for the life of the process, as nft.c's context and for the
 * same reason: closing it would wait for the kernel to release what the
 * transaction replaced.  After a failure it is closed: answers it did not
 * read must not meet the next batch. */
static struct nl_sock *live;

bool batch_send(struct elem_batch *b, char *err, size_t len)
{
	int fd, one = 1, r;
	bool ok = false;

	close_msg(b);
	if (!b->n_msgs)
		return true;
	append(b, message(NFNL_MSG_BATCH_END, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NLM_F_REQUEST),
	       false);
	if (!live && (!(live = nl_socket_alloc()) || nl_connect(live, NETLINK_NETFILTER) < 0)) {
		snprintf(err, len, "nftables: cannot open a netlink socket");
		goto out;
	}
	/* The batch goes in one piece, and every answer comes at once when
	 * it is taken in: the kernel drops those a full buffer has no room
	 * for (an answer takes about 800 bytes of it; nft sizes its own so
	 * too) */
	fd = nl_socket_get_fd(live);
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	buffer_size(fd, SO_SNDBUFFORCE, SO_SNDBUF, b->used + 65536);
	buffer_size(fd, SO_RCVBUFFORCE, SO_RCVBUF, b->n_msgs * 2048 + 65536);
	if ((r = nl_sendto(live, b->buf, b->used)) < 0) {
		snprintf(err, len, "nftables: sending %zu bytes of elements: %s", b->used,
		         nl_geterror(r));
		goto out;
	}
	ok = answers(b, fd, err, len);
out:
	if (!ok) {
		nl_socket_free(live);
		live = NULL;
	}
	return ok;
}
