/* tun: the kernel-libipsec data plane.  charon then installs no XFRM
 * policies at all: it routes protected traffic (table 220) into its TUN
 * device, encrypts in user space and writes the decrypted packets back into
 * that device.  To the kernel those are clear-text packets leaving through,
 * and arriving from, ipsec0, which the guard's DISCARD entries would drop
 * like any other.  So the device is exempted from XFRM:
 *
 *   net.ipv4.conf.DEV.disable_xfrm    no policy lookup for packets routed out
 *                                     through DEV (local output and forward)
 *   net.ipv4.conf.DEV.disable_policy  no policy check for packets that came
 *   net.ipv6.conf.DEV.disable_policy  in through DEV (input and forward)
 *
 * The settings belong to the device: a charon that restarts makes a new
 * ipsec0 without them, and until zsecd has set them again (it does on every
 * connection to the plugin) packets into and out of ipsec0 are dropped,
 * which is failing closed.  When charon is gone, so is its device and the
 * routes through it: packets then take the ordinary routes and meet the
 * guard.  IPv6 has no disable_xfrm: IPv6 sent into the device still meets
 * the guard's output entries (see docs/security.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"

/* 1 written, 0 no such setting, -1 failed */
static int set(const char *family, const char *dev, const char *name, char *err, size_t len)
{
	char path[128];
	int fd, e;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, dev, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (write(fd, "1\n", 2) != 2) {
		e = errno;
		close(fd);
		snprintf(err, len, "%s: %s", path, strerror(e));
		return -1;
	}
	close(fd);
	return 1;
}

int guard_tun_exempt(const char *dev, char *err, size_t len)
{
	char path[128];
	int r;

	if (!dev[0] || strchr(dev, '/') || strlen(dev) >= 16) {
		snprintf(err, len, "%s: not a device name", dev);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s", dev);
	if (access(path, F_OK))
		return 0;
	if ((r = set("ipv4", dev, "disable_xfrm", err, len)) <= 0)
		return r;               /* 0: the device went away meanwhile */
	if (set("ipv4", dev, "disable_policy", err, len) < 0 ||
	    set("ipv6", dev, "disable_policy", err, len) < 0)
		return -1;
	return 1;
}
