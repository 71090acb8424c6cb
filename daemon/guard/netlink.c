/* netlink: zsec's entries to and from the kernel's XFRM, in batches.
 *
 * libnl-3 owns the socket and reads the replies; the requests are the
 * kernel's own XFRM messages, laid one after the other into one buffer, a
 * few hundred per send, rather than libnl-xfrm's xfrmnl_sp objects:
 *   - libnl-xfrm 3.7 knows no interface id (XFRMA_IF_ID): an entry that has
 *     one would read like another without, and could not be removed
 *     exactly; here every field of the kernel's key is read and written;
 *   - xfrmnl_sp_add() builds five objects per policy and waits for the
 *     kernel's answer to each.  Measured here at 200,000 policies (100,000
 *     plan entries, two marks each), each into an empty namespace:
 *     `ip -batch` 5.1 s, xfrmnl_sp_add() 1.0 s, these batches 0.84 s.
 * The kernel works through a whole send before sendmsg() returns, so
 * nothing is in flight afterwards.  No request asks for an acknowledgement:
 * the kernel answers only those it refuses (the sequence number says
 * which), so a batch costs one send and, when all goes well, no read.
 *
 * A batch holds the kernel's XFRM configuration lock while it runs; 128 KiB
 * (about 650 policies, a few milliseconds) keeps charon's own requests from
 * waiting long.  NETLINK_CAP_ACK keeps refusals small, and a large receive
 * buffer holds the refusals of a whole batch; should some still be lost,
 * the result says so and the caller treats every request as suspect. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

#define BATCH_BYTES (128 * 1024)
#define REQUEST_MAX 512                 /* one request, with its attributes */
#define RCVBUF_BYTES (8 * 1024 * 1024)
#define RECV_BYTES (64 * 1024)          /* the kernel fills dumps up to 32 KiB */
#define DUMP_TRIES 3

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

bool xfrm_open(struct guard *g, char *err, size_t len)
{
	int one = 1, fd, rcv = RCVBUF_BYTES, snd = 2 * BATCH_BYTES, e;

	g->sk = nl_socket_alloc();
	g->buf = malloc(BATCH_BYTES + REQUEST_MAX);
	if (!g->sk || !g->buf) {
		snprintf(err, len, "out of memory");
		return false;
	}
	if ((e = nl_connect(g->sk, NETLINK_XFRM)) < 0) {
		snprintf(err, len, "cannot open the kernel's XFRM netlink: %s", nl_geterror(e));
		return false;
	}
	nl_socket_disable_msg_peek(g->sk);
	nl_socket_set_msg_buf_size(g->sk, RECV_BYTES);
	fd = nl_socket_get_fd(g->sk);
	/* libnl sets 32 KiB each way; a batch is one message to the kernel and
	 * must fit the send buffer.  Beyond net.core.[rw]mem_max with
	 * CAP_NET_ADMIN, which writing XFRM needs anyway. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	g->seq = 1;
	return true;
}

void xfrm_close(struct guard *g)
{
	if (g->sk)
		nl_socket_free(g->sk);
	free(g->buf);
	g->sk = NULL;
	g->buf = NULL;
}

/* ---- requests ---- */

static void selector_of(struct xfrm_selector *s, const struct guard_key *k)
{
	memcpy(&s->saddr, k->src, sizeof(k->src));
	memcpy(&s->daddr, k->dst, sizeof(k->dst));
	s->sport = k->sport;
	s->sport_mask = k->sport_mask;
	s->dport = k->dport;
	s->dport_mask = k->dport_mask;
	s->family = k->family;
	s->prefixlen_s = k->src_len;
	s->prefixlen_d = k->dst_len;
	s->proto = k->proto;
	s->ifindex = (int)ntohl(k->ifindex);
	s->user = ntohl(k->user);
}

static size_t put_attr(uint8_t *msg, size_t at, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(msg + at);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(msg + at + NLA_HDRLEN, data, len);
	return at + NLA_ALIGN(NLA_HDRLEN + len);
}

/* The attributes that make a key: its mark (always: it is how zsec's
 * entries differ from charon's), the policy type and interface id (only
 * when not the defaults, which zsec never writes but may have to remove). */
static size_t put_key_attrs(uint8_t *msg, size_t at, const struct guard_key *k)
{
	struct xfrm_mark mark = { .v = ntohl(k->mark), .m = ZSEC_GUARD_MARK };
	uint32_t if_id = ntohl(k->if_id);

	at = put_attr(msg, at, XFRMA_MARK, &mark, sizeof(mark));
	if (k->type != XFRM_POLICY_TYPE_MAIN) {
		struct xfrm_userpolicy_type t = { .type = k->type };

		at = put_attr(msg, at, XFRMA_POLICY_TYPE, &t, sizeof(t));
	}
	if (if_id)
		at = put_attr(msg, at, XFRMA_IF_ID, &if_id, sizeof(if_id));
	return at;
}

/* One request at msg, from port; its aligned length.  The kernel copies the
 * port into the event the request causes (watch.c tells ours by it). */
static size_t put_request(uint8_t *msg, enum xfrm_op op, uint32_t port, uint32_t seq,
                          const struct guard_entry *e)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)msg;
	size_t at;

	memset(msg, 0, REQUEST_MAX);
	nh->nlmsg_flags = NLM_F_REQUEST;
	nh->nlmsg_pid = port;
	nh->nlmsg_seq = seq;
	/* the payloads hold 64-bit fields and messages are only 4-byte
	 * aligned: built aside and copied in */
	if (op == XFRM_REMOVE) {
		struct xfrm_userpolicy_id id = { .dir = e->key.dir };

		nh->nlmsg_type = XFRM_MSG_DELPOLICY;
		/* by index when the kernel gave one: the exact entry dumped */
		if (e->index)
			id.index = e->index;
		else
			selector_of(&id.sel, &e->key);
		memcpy(NLMSG_DATA(nh), &id, sizeof(id));
		at = NLMSG_SPACE(sizeof(id));
	} else {
		struct xfrm_userpolicy_info pi = {
			.lft.soft_byte_limit = XFRM_INF, .lft.hard_byte_limit = XFRM_INF,
			.lft.soft_packet_limit = XFRM_INF, .lft.hard_packet_limit = XFRM_INF,
			.priority = e->priority,
			.dir = e->key.dir,
			.action = e->action,
			.flags = e->flags,
		};

		nh->nlmsg_type = op == XFRM_ADD ? XFRM_MSG_NEWPOLICY : XFRM_MSG_UPDPOLICY;
		selector_of(&pi.sel, &e->key);
		memcpy(NLMSG_DATA(nh), &pi, sizeof(pi));
		at = NLMSG_SPACE(sizeof(pi));
	}
	at = put_key_attrs(msg, at, &e->key);
	nh->nlmsg_len = (uint32_t)at;
	return NLMSG_ALIGN(at);
}

/* ---- replies ---- */

static void note_error(struct xfrm_result *r, const struct nlmsghdr *nh, size_t i, int error,
                       enum xfrm_op op)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	struct nlattr *a;
	size_t off;
	int rem;

	if (op == XFRM_REMOVE && error == ENOENT)
		return;                 /* already gone: what removing wanted */
	if (r->failed++)
		return;
	r->first = i;
	r->error = error;
	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* the TLVs follow the refused request, of which NETLINK_CAP_ACK
	 * leaves only the header */
	off = sizeof(*e);
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (NLMSG_LENGTH(off) > nh->nlmsg_len)
		return;
	nla_for_each_attr(a, (struct nlattr *)((uint8_t *)e + off),
	                  (int)(nh->nlmsg_len - NLMSG_LENGTH(off)), rem)
		if (nla_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(r->reason, sizeof(r->reason), "%.*s", nla_len(a), (char *)nla_data(a));
}

/* Reads every refusal queued for requests base .. base+n-1. */
static bool drain(struct guard *g, uint32_t base, size_t n, enum xfrm_op op, struct xfrm_result *r)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(g->sk), .events = POLLIN };

	while (poll(&pfd, 1, 0) > 0) {
		struct sockaddr_nl from;
		struct nlmsghdr *nh;
		unsigned char *buf = NULL;
		int got = nl_recv(g->sk, &from, &buf, NULL), rem;

		if (got <= 0) {
			free(buf);
			r->lost = true; /* ENOBUFS: refusals dropped */
			return false;
		}
		/* libnl 3.7's nlmsg_for_each() does not compile: its own loop */
		for (nh = (struct nlmsghdr *)buf, rem = got; nlmsg_ok(nh, rem);
		     nh = nlmsg_next(nh, &rem)) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);
			uint32_t i = nh->nlmsg_seq - base;

			if (nh->nlmsg_type != NLMSG_ERROR || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ||
			    !e->error || i >= n)
				continue;
			note_error(r, nh, i, -e->error, op);
		}
		free(buf);
	}
	return true;
}

bool xfrm_write(struct guard *g, enum xfrm_op op, const struct guard_entry *v, size_t n,
                struct xfrm_result *r)
{
	uint32_t base = g->seq, port = nl_socket_get_local_port(g->sk);
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	g->seq += (uint32_t)n + 1;
	while (i < n) {
		size_t at = 0, from = i;
		int e;

		while (i < n && at < BATCH_BYTES)
			at += put_request(g->buf + at, op, port, base + (uint32_t)i, &v[i]), i++;
		if ((e = nl_sendto(g->sk, g->buf, at)) < 0) {
			/* nothing of this batch reached the kernel: the rest fails */
			if (!r->failed) {
				r->first = from;
				r->error = EIO;
				snprintf(r->reason, sizeof(r->reason), "send: %s", nl_geterror(e));
			}
			r->failed += n - from;
			break;
		}
		if (!drain(g, base, n, op, r))
			break;
		/* a refused addition is undone anyway: do not add more to undo;
		 * removals and repairs go on, each one done counts */
		if (r->failed && (op == XFRM_ADD || op == XFRM_UPDATE))
			break;
	}
	if (r->lost) {
		snprintf(r->reason, sizeof(r->reason), "the kernel's replies were lost");
		r->error = ENOBUFS;
		return false;
	}
	return !r->failed;
}

/* ---- the dump ---- */

struct dump {
	struct guard_entry *v;          /* zsec's entries */
	size_t n, cap, foreign;
	struct xfrm_pass *passes;       /* others' passes in clear, if asked */
	size_t n_passes, cap_passes;
	bool want_passes;
	bool interrupted;
};

/* Makes room for one more of v's n elements of size. */
static bool grow(void **v, size_t n, size_t *cap, size_t size)
{
	void *p;

	if (n < *cap)
		return true;
	p = reallocarray(*v, *cap ? *cap * 2 : 1024, size);
	if (!p)
		return false;
	*v = p;
	*cap = *cap ? *cap * 2 : 1024;
	return true;
}

static bool lifetime_default(const struct xfrm_lifetime_cfg *l)
{
	return l->soft_byte_limit == XFRM_INF && l->hard_byte_limit == XFRM_INF &&
	       l->soft_packet_limit == XFRM_INF && l->hard_packet_limit == XFRM_INF &&
	       !l->soft_add_expires_seconds && !l->hard_add_expires_seconds &&
	       !l->soft_use_expires_seconds && !l->hard_use_expires_seconds;
}

static bool decode_policy(struct dump *d, struct nlmsghdr *nh)
{
	struct xfrm_userpolicy_info info, *pi = &info;
	const struct xfrm_selector *s = &info.sel;
	struct xfrm_mark mark = { 0 };
	struct guard_entry e = { 0 };
	struct nlattr *a;
	bool tmpl = false;
	int rem;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(info)))
		return true;
	memcpy(&info, NLMSG_DATA(nh), sizeof(info));    /* 64-bit fields, 4-byte aligned */
	e.key.type = XFRM_POLICY_TYPE_MAIN;
	nlmsg_for_each_attr(a, nh, sizeof(*pi), rem) {
		switch (nla_type(a)) {
		case XFRMA_MARK:
			if (nla_len(a) >= (int)sizeof(mark))
				memcpy(&mark, nla_data(a), sizeof(mark));
			break;
		case XFRMA_POLICY_TYPE:
			if (nla_len(a) >= 1)
				e.key.type = *(uint8_t *)nla_data(a);
			break;
		case XFRMA_IF_ID:
			if (nla_len(a) >= 4)
				e.key.if_id = htonl(nla_get_u32(a));
			break;
		case XFRMA_TMPL:
			tmpl = true;
			/* fall through */
		case XFRMA_SEC_CTX:
		case XFRMA_OFFLOAD_DEV:
			e.extra = true;
			break;
		}
	}
	e.key.dir = pi->dir;
	e.key.family = (uint8_t)s->family;
	e.key.proto = s->proto;
	memcpy(e.key.src, &s->saddr, sizeof(e.key.src));
	memcpy(e.key.dst, &s->daddr, sizeof(e.key.dst));
	e.key.src_len = s->prefixlen_s;
	e.key.dst_len = s->prefixlen_d;
	e.key.sport = s->sport;
	e.key.sport_mask = s->sport_mask;
	e.key.dport = s->dport;
	e.key.dport_mask = s->dport_mask;
	e.key.ifindex = htonl((uint32_t)s->ifindex);
	e.key.user = htonl(s->user);
	e.key.mark = htonl(mark.v);
	e.priority = pi->priority;
	e.action = pi->action;
	e.flags = pi->flags;
	e.extra |= pi->share || !lifetime_default(&pi->lft);
	e.index = pi->index;
	if (!guard_owns(pi->priority, mark.m)) {
		d->foreign++;
		if (!d->want_passes || pi->action != XFRM_POLICY_ALLOW || tmpl)
			return true;
		if (!grow((void **)&d->passes, d->n_passes, &d->cap_passes, sizeof(*d->passes)))
			return false;
		d->passes[d->n_passes++] = (struct xfrm_pass){ .e = e, .mark_mask = mark.m };
		return true;
	}
	if (!grow((void **)&d->v, d->n, &d->cap, sizeof(*d->v)))
		return false;
	d->v[d->n++] = e;
	return true;
}

/* One dump, start to end; false with err on failure. */
static bool dump_once(struct guard *g, struct dump *d, char *err, size_t len)
{
	struct nlmsghdr req = {
		.nlmsg_len = NLMSG_LENGTH(0),
		.nlmsg_type = XFRM_MSG_GETPOLICY,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nlmsg_seq = g->seq++,
	};
	struct xfrm_result stray;
	int e;

	drain(g, 0, 0, XFRM_ADD, &stray);       /* nothing must be queued before */
	if ((e = nl_sendto(g->sk, &req, req.nlmsg_len)) < 0) {
		snprintf(err, len, "cannot dump the kernel's XFRM policies: %s", nl_geterror(e));
		return false;
	}
	for (;;) {
		struct sockaddr_nl from;
		struct nlmsghdr *nh;
		unsigned char *buf = NULL;
		int got = nl_recv(g->sk, &from, &buf, NULL), rem;

		if (got <= 0) {
			free(buf);
			snprintf(err, len, "reading the kernel's XFRM policies: %s",
			         got ? nl_geterror(got) : "end of file");
			return false;
		}
		for (nh = (struct nlmsghdr *)buf, rem = got; nlmsg_ok(nh, rem);
		     nh = nlmsg_next(nh, &rem)) {
			if (nh->nlmsg_seq != req.nlmsg_seq)
				continue;
			if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
				d->interrupted = true;
			if (nh->nlmsg_type == NLMSG_DONE) {
				free(buf);
				return true;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *ne = NLMSG_DATA(nh);

				snprintf(err, len, "dumping the kernel's XFRM policies: %s",
				         strerror(-ne->error));
				free(buf);
				return false;
			}
			if (nh->nlmsg_type == XFRM_MSG_NEWPOLICY && !decode_policy(d, nh)) {
				snprintf(err, len, "out of memory");
				free(buf);
				return false;
			}
		}
		free(buf);
	}
}

/* dump_once until a dump is not interrupted by a change. */
static bool dump_whole(struct guard *g, struct dump *d, char *err, size_t len)
{
	int tries;
	bool read = true;

	for (tries = 0; read && tries < DUMP_TRIES; tries++) {
		d->n = d->foreign = d->n_passes = 0;
		d->interrupted = false;
		read = dump_once(g, d, err, len);
		if (read && !d->interrupted)
			return true;
	}
	if (read)
		snprintf(err, len, "the kernel's XFRM policies kept changing while being read");
	free(d->v);
	free(d->passes);
	return false;
}

bool xfrm_dump(struct guard *g, struct guard_entry **out, size_t *n, size_t *foreign,
               char *err, size_t len)
{
	struct dump d = { 0 };

	if (!dump_whole(g, &d, err, len))
		return false;
	*out = d.v;
	*n = d.n;
	if (foreign)
		*foreign = d.foreign;
	return true;
}

bool xfrm_dump_passes(struct guard *g, struct xfrm_pass **out, size_t *n, char *err,
                      size_t len)
{
	struct dump d = { .want_passes = true };

	if (!dump_whole(g, &d, err, len))
		return false;
	free(d.v);
	*out = d.passes;
	*n = d.n_passes;
	return true;
}
