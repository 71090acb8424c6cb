/* control: zsecd's socket for zsecctl.  One request per connection:
 * apply a file, show the status, show what a file would change, or remove
 * the kernel guard.
 * It admits root and the group zsec only. */
#include <errno.h>
#include <grp.h>
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
		if (mkdir(dir, 0750) && errno != EEXIST)
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

static bool admitted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t gid = zsec_gid();

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || (gid && cred.gid == gid);
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
		if (!border_counters(&bc, &n_bc, err, sizeof(err)))
			log_msg("border counters: %s", err);
		status_render(z, sas, bc, n_bc, !strcmp((const char *)m->data, "json"), out);
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
	int fd = accept4(z->control_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (!admitted(fd)) {
		close(fd);
		return;
	}
	if (msg_recv(fd, &m, REQUEST_TIMEOUT_MS) == 1) {
		handle(z, fd, &m);
		msg_free(&m);
	}
	close(fd);
}
