/* control: zsecd's socket for zsecctl.  One request per connection:
 * apply a file, show the status, show what a file would change, or remove
 * the kernel guard.
 *
 * root may ask anything.  Members of the group zsec may read the status
 * and nothing else: applying names a file that zsecd reads as root and
 * whose referenced credentials charon loads as root, so it is root's. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "border.h"
#include "zsecd.h"

#define REQUEST_TIMEOUT_MS 5000

static gid_t zsec_gid(void)
{
	struct group *g = getgrnam("zsec");

	return g ? g->gr_gid : 0;
}

int control_open(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[sizeof(addr.sun_path)], *slash;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -1;
	strcpy(addr.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		/* the group zsec must pass the folder to reach the socket; the
		 * plugin's socket in it is root's alone (0600) */
		if (mkdir(dir, 0750) && errno != EEXIST)
			return -1;
		if (chown(dir, 0, zsec_gid()))
			return -1;
	}
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* root and the zsec group: the mode says it, SO_PEERCRED checks it */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    chown(path, 0, zsec_gid()) || chmod(path, 0660) || listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

enum access { ACCESS_NONE, ACCESS_STATUS, ACCESS_ALL };

/* root: everything; a member of the group zsec (primary or supplementary):
 * the status */
static enum access admitted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t gid = zsec_gid(), groups[256];
	int n = (int)(sizeof(groups) / sizeof(*groups)), i;
	struct passwd *pw;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return ACCESS_NONE;
	if (cred.uid == 0)
		return ACCESS_ALL;
	if (!gid)
		return ACCESS_NONE;
	if (cred.gid == gid)
		return ACCESS_STATUS;
	pw = getpwuid(cred.uid);
	if (pw && getgrouplist(pw->pw_name, cred.gid, groups, &n) >= 0)
		for (i = 0; i < n; i++)
			if (groups[i] == gid)
				return ACCESS_STATUS;
	return ACCESS_NONE;
}

static void reply(int fd, int code, const char *text, size_t len)
{
	char *buf = malloc(len + 1);

	if (!buf)
		return;
	buf[0] = (char)code;
	memcpy(buf + 1, text, len);
	msg_send(fd, MSG_RESULT, buf, len + 1);
	free(buf);
}

static void handle(struct zsecd *z, int fd, const struct msg *m)
{
	char *text = NULL, *sas, err[512];
	struct border_counter *bc = NULL;
	size_t n_bc = 0;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int code = 0;

	if (!out)
		return;
	switch (m->type) {
	case MSG_APPLY:
		code = zsecd_apply(z, (const char *)m->data, out);
		break;
	case MSG_PLAN_CHECK:
		code = zsecd_diff_running(z, (const char *)m->data, out);
		break;
	case MSG_TEARDOWN:
		code = zsecd_teardown(z, out);
		break;
	case MSG_STATUS:
		sas = plugin_status(z);
		if (z->border_retry.at_ms)
			snprintf(err, sizeof(err), "table inet zsec is not there or not zsecd's: "
			         "the next load in %ld ms", retry_left_ms(&z->border_retry));
		else if (!border_counters(&bc, &n_bc, err, sizeof(err)))
			log_msg("border counters: %s", err);
		else
			err[0] = '\0';
		status_render(z, sas, bc, n_bc, err[0] ? err : NULL,
		              !strcmp((const char *)m->data, "json"), out);
		free(bc);
		free(sas);
		fclose(out);
		msg_send(fd, MSG_STATUS_REPLY, text, len);
		free(text);
		return;
	default:
		fprintf(out, "unknown request %u\n", m->type);
		code = 2;
		break;
	}
	fclose(out);
	reply(fd, code, text, len);
	free(text);
}

void control_accept(struct zsecd *z)
{
	struct msg m;
	enum access access;
	int fd = accept4(z->control_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	access = admitted(fd);
	if (access == ACCESS_NONE) {
		close(fd);
		return;
	}
	if (msg_recv(fd, &m, REQUEST_TIMEOUT_MS) == 1) {
		if (access == ACCESS_ALL || m.type == MSG_STATUS)
			handle(z, fd, &m);
		else
			reply(fd, 1, "only root may do that\n", 22);
		msg_free(&m);
	}
	close(fd);
}
