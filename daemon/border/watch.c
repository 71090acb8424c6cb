/* watch: nftables' events, to see table inet zsec deleted by another
 * process.  `nft flush ruleset` deletes every table, and it is the first
 * line of Debian's /etc/nftables.conf, which nftables.service loads when it
 * starts or reloads: without a watch, topology hiding and the limits would
 * be gone until the next apply.
 *
 * Every committed transaction ends with an NFT_MSG_NEWGEN event that names
 * the process that committed it; a transaction that deleted the table and
 * was not ours is a loss.  zsecd closes the watch while it changes the table
 * itself (border.h says why). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

bool border_watch_open(struct border_watch *w, char *err, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int group = NFNLGRP_NFTABLES, rcvbuf = 4 << 20;

	memset(w, 0, sizeof(*w));
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
	if (w->fd < 0 || bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(w->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		snprintf(err, len, "nftables events: %s", strerror(errno));
		border_watch_close(w);
		return false;
	}
	/* room for another process's bulk load (CAP_NET_ADMIN may exceed
	 * rmem_max); if it still overflows, the table's presence is checked */
	setsockopt(w->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	return true;
}

bool border_table_present(bool *present, char *err, size_t len)
{
	char *text;
	bool missing;

	*present = false;
	if (!nft_list("list set inet " BORDER_TABLE " generation", &text, &missing, err, len))
		return false;
	*present = !missing;
	free(text);
	return true;
}

void border_watch_close(struct border_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->deleted = false;
}

/* The attribute of type `type` of an nf_tables message, or NULL. */
static const struct nlattr *attr(const struct nlmsghdr *nh, unsigned type)
{
	size_t off = NLMSG_LENGTH(sizeof(struct nfgenmsg));

	while (off + NLA_HDRLEN <= nh->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)nh + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nh->nlmsg_len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static bool is_our_table(const struct nlmsghdr *nh)
{
	const struct nfgenmsg *g = NLMSG_DATA(nh);
	const struct nlattr *name = attr(nh, NFTA_TABLE_NAME);

	return nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*g)) && g->nfgen_family == NFPROTO_INET &&
	       name && name->nla_len == NLA_HDRLEN + sizeof(BORDER_TABLE) &&
	       !memcmp((const char *)name + NLA_HDRLEN, BORDER_TABLE, sizeof(BORDER_TABLE));
}

/* At the end of a transaction that deleted the table: who committed it. */
static void committer(const struct nlmsghdr *nh, struct border_watch *w)
{
	const struct nlattr *pid = attr(nh, NFTA_GEN_PROC_PID);
	const struct nlattr *name = attr(nh, NFTA_GEN_PROC_NAME);
	uint32_t v = 0;

	if (pid && pid->nla_len >= NLA_HDRLEN + sizeof(v))
		memcpy(&v, (const char *)pid + NLA_HDRLEN, sizeof(v));
	w->pid = ntohl(v);
	/* NFTA_GEN_PROC_NAME is NUL-terminated; %.*s stops at the NUL */
	snprintf(w->name, sizeof(w->name), "%.*s",
	         name ? (int)(name->nla_len - NLA_HDRLEN) : 0,
	         name ? (const char *)name + NLA_HDRLEN : "");
}

enum border_loss border_watch_read(struct border_watch *w)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	enum border_loss loss = BORDER_INTACT;
	ssize_t n;

	while ((n = recv(w->fd, buf, sizeof(buf), 0)) != 0) {
		const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;
		size_t left = n > 0 ? (size_t)n : 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* ENOBUFS: events were lost, the deletion may be among them;
			 * what follows starts in a transaction not seen whole */
			if (errno == ENOBUFS) {
				loss = BORDER_EVENTS_LOST;
				w->deleted = false;
				continue;
			}
			break;
		}
		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			unsigned msg = NFNL_MSG_TYPE(nh->nlmsg_type);

			if (NFNL_SUBSYS_ID(nh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
				continue;
			if (msg == NFT_MSG_DELTABLE && is_our_table(nh)) {
				w->deleted = true;
			} else if (msg == NFT_MSG_NEWGEN && w->deleted) {
				w->deleted = false;
				committer(nh, w);
				if (w->pid != (uint32_t)getpid())
					loss = BORDER_DELETED;
			}
		}
	}
	return loss;
}
