/* refuse_xfrm: preloaded into zsecd by tests/guard/run (LD_PRELOAD).  While
 * the file $ZSEC_TEST_REFUSE_XFRM exists, every send on a NETLINK_XFRM
 * socket that is not a dump request fails with ENOBUFS, as it does when
 * the kernel is short of memory, which no test can make it be: zsecd's
 * writes of its guard entries fail, its reads of the kernel do not.
 * Everything else goes to the C library's own send functions. */
#include <dlfcn.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int refused(int fd, const void *buf, size_t len)
{
	const struct nlmsghdr *nh = buf;
	const char *file = getenv("ZSEC_TEST_REFUSE_XFRM");
	int proto;
	socklen_t plen = sizeof(proto);

	if (!file || len < sizeof(*nh) || (nh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) || proto != NETLINK_XFRM ||
	    access(file, F_OK))
		return 0;
	errno = ENOBUFS;
	return 1;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
	static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);

	if (refused(fd, buf, len))
		return -1;
	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *,
		                    socklen_t))dlsym(RTLD_NEXT, "sendto");
	return real(fd, buf, len, flags, to, tolen);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}
