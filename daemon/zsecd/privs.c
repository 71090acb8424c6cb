/* privs: zsecd keeps only the capability it needs.
 *
 * It programs the kernel's XFRM policy database, nftables and a few
 * sysctls of its network namespace: all CAP_NET_ADMIN.  It reads root's
 * files as their owner and talks to sockets it created.  Every other
 * capability goes (loading modules, tracing processes, mounting, bypassing
 * file permissions, changing ownership), for good (no_new_privs).  It stays
 * uid 0, so it can still write what root owns: a dedicated user with
 * CAP_NET_ADMIN would be narrower; the plugin's socket admits root only
 * today. */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zsecd.h"

bool privs_drop(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	unsigned cap;

	/* the bounding set first, while CAP_SETPCAP is still ours */
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) &&
		    errno != EINVAL) {
			log_msg("cannot drop capability %u: %s", cap, strerror(errno));
			return false;
		}
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	if (syscall(SYS_capset, &hdr, data)) {
		log_msg("cannot set capabilities: %s", strerror(errno));
		return false;
	}
	/* and nothing executed later can regain them */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		log_msg("cannot set no_new_privs: %s", strerror(errno));
		return false;
	}
	return true;
}
