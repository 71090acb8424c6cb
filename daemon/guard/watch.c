/* watch: the kernel's XFRM policy events, to see zsec's entries deleted or
 * changed by another process.  `ip xfrm policy flush` (or deleteall) takes
 * every policy away, the guard's too: without a watch, traffic the guard
 * holds back could leave in clear text until the next apply.
 *
 * An event carries the port its request said it came from (nlmsg_pid:
 * iproute2 leaves it 0).  The guard's requests give its socket's port, so
 * its own writes are told apart and passed over: zsecd keeps the watch
 * open through its applies, and what another process does meanwhile waits
 * in the socket.  A flush names no policy: a loss whoever's it meant. */
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

/* Could the policy an event is about be one of zsec's?  Its mark mask is
 * zsec's: the priority is not asked, as `ip xfrm policy update` of one of
 * zsec's keys with a priority outside the band replaces zsec's entry (the
 * kernel tells policies apart by key, mark included, not by priority).
 * A new or updated policy leads with its xfrm_userpolicy_info, a deleted
 * one with its id; the mark is XFRMA_MARK (absent: 0/0). */
static bool about_ours(struct nlmsghdr *nh)
{
	size_t hlen = nh->nlmsg_type == XFRM_MSG_DELPOLICY ?
		sizeof(struct xfrm_userpolicy_id) : sizeof(struct xfrm_userpolicy_info);
	struct xfrm_mark mark = { 0, 0 };
	struct nlattr *a;

	if ((nh->nlmsg_type != XFRM_MSG_NEWPOLICY && nh->nlmsg_type != XFRM_MSG_UPDPOLICY &&
	     nh->nlmsg_type != XFRM_MSG_DELPOLICY) || nh->nlmsg_len < NLMSG_LENGTH(hlen))
		return false;
	/* copied out: attributes are only 4-byte aligned */
	if ((a = nlmsg_find_attr(nh, (int)hlen, XFRMA_MARK)) && nla_len(a) >= (int)sizeof(mark))
		memcpy(&mark, nla_data(a), sizeof(mark));
	return mark.m == ZSEC_GUARD_MARK;
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
				if (loss == GUARD_INTACT)
					loss = GUARD_EVENTS_LOST;
				continue;
			}
			break;          /* EAGAIN: all read */
		}
		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_pid == own)
				continue;
			if (nh->nlmsg_type == XFRM_MSG_FLUSHPOLICY || about_ours(nh))
				loss = GUARD_TOUCHED;
		}
	}
	return loss;
}
