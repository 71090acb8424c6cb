/* watch: the kernel's XFRM policy events, to see zsec's entries deleted or
 * changed by another process.  `ip xfrm policy flush` (or deleteall) takes
 * every policy away, the guard's too: without a watch, traffic the guard
 * holds back could leave in clear text until the next apply.
 *
 * An event carries the port its request said it came from (nlmsg_pid:
 * iproute2 leaves it 0).  The guard's requests give its socket's port, so
 * its own writes are told apart and passed over: zsecd keeps the watch
 * open through its applies, and what another process does meanwhile waits
 * in the socket.  A flush names no policy: a loss whoever's it meant.
 * Others' passes in clear are looked at too: they may shadow the guard. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

bool guard_watch(struct guard *g, char *err, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int group = XFRMNLGRP_POLICY, rcvbuf = 4 << 20;

	if (g->watch_fd >= 0)
		return true;
	g->watch_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_XFRM);
	if (g->watch_fd < 0 || bind(g->watch_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(g->watch_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group))) {
		snprintf(err, len, "XFRM policy events: %s", strerror(errno));
		guard_unwatch(g);
		return false;
	}
	/* room for a large apply of the guard's own (its events are read and
	 * passed over); if it still overflows, zsecd reconciles */
	setsockopt(g->watch_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	return true;
}

void guard_unwatch(struct guard *g)
{
	if (g->watch_fd >= 0)
		close(g->watch_fd);
	g->watch_fd = -1;
}

int guard_watch_fd(const struct guard *g)
{
	return g->watch_fd;
}

/* What a policy event means to the guard.  One of zsec's: its mark mask is
 * zsec's (the priority is not asked, as `ip xfrm policy update` of one of
 * zsec's keys with a priority outside the band replaces zsec's entry: the
 * kernel tells policies apart by key, mark included, not by priority).
 * Else a pass in clear of another process's (an ALLOW without a template)
 * may shadow the guard, or no longer.  A new or updated policy leads with
 * its xfrm_userpolicy_info; a deleted one with its id, the info following
 * in XFRMA_POLICY; the mark is XFRMA_MARK (absent: 0/0). */
static enum guard_loss event_of(struct nlmsghdr *nh)
{
	bool del = nh->nlmsg_type == XFRM_MSG_DELPOLICY;
	size_t hlen = del ? sizeof(struct xfrm_userpolicy_id) : sizeof(struct xfrm_userpolicy_info);
	struct xfrm_userpolicy_info info = { 0 };
	struct xfrm_mark mark = { 0, 0 };
	struct nlattr *a;

	if ((nh->nlmsg_type != XFRM_MSG_NEWPOLICY && nh->nlmsg_type != XFRM_MSG_UPDPOLICY && !del) ||
	    nh->nlmsg_len < NLMSG_LENGTH(hlen))
		return GUARD_INTACT;
	/* copied out: attributes are only 4-byte aligned */
	if ((a = nlmsg_find_attr(nh, (int)hlen, XFRMA_MARK)) && nla_len(a) >= (int)sizeof(mark))
		memcpy(&mark, nla_data(a), sizeof(mark));
	if (mark.m == ZSEC_GUARD_MARK)
		return GUARD_TOUCHED;
	if (!del)
		memcpy(&info, NLMSG_DATA(nh), sizeof(info));
	else if ((a = nlmsg_find_attr(nh, (int)hlen, XFRMA_POLICY)) &&
	         nla_len(a) >= (int)sizeof(info))
		memcpy(&info, nla_data(a), sizeof(info));
	else
		return GUARD_OTHERS_PASS;       /* cannot tell: look */
	if (info.action != XFRM_POLICY_ALLOW || nlmsg_find_attr(nh, (int)hlen, XFRMA_TMPL))
		return GUARD_INTACT;
	return GUARD_OTHERS_PASS;
}

enum guard_loss guard_watch_read(struct guard *g)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	enum guard_loss loss = GUARD_INTACT;
	uint32_t own = nl_socket_get_local_port(g->sk);
	ssize_t n;

	while ((n = recv(g->watch_fd, buf, sizeof(buf), 0)) != 0) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		size_t left = n > 0 ? (size_t)n : 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				loss = GUARD_EVENTS_LOST;
				continue;
			}
			break;          /* EAGAIN: all read */
		}
		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			enum guard_loss e = nh->nlmsg_type == XFRM_MSG_FLUSHPOLICY ?
			                    GUARD_TOUCHED : event_of(nh);

			if (nh->nlmsg_pid != own && e > loss)
				loss = e;
		}
	}
	return loss;
}
