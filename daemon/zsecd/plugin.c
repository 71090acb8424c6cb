/* plugin: the connection to the zsec plugin in charon.
 *
 * charon may stop or restart at any time.  While it is gone zsecd keeps
 * trying to connect (every 200 ms); once connected it pushes the running
 * plan again, so every link comes back without anyone asking. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zsecd.h"

#define CONNECT_RETRY_MS 200
#define REPLY_TIMEOUT_MS 30000

void plugin_disconnect(struct zsecd *z)
{
	if (z->plugin_fd < 0)
		return;
	close(z->plugin_fd);
	z->plugin_fd = -1;
	z->plugin_synced = false;
	free(z->plugin_refusal);
	z->plugin_refusal = NULL;
	z->next_connect_ms = now_ms() + CONNECT_RETRY_MS;
	log_msg("lost charon's plugin at %s", z->plugin_path);
}

/* With kernel-libipsec, charon's protected traffic passes its TUN device
 * in clear, where the guard would drop it (daemon/guard/tun.c).  A charon
 * that (re)started has a new device without the exemption, so it is set
 * on every connection and every plan pushed; until then the device's
 * traffic is dropped: failing closed.  No device: kernel-netlink. */
static void tun_exempt(void)
{
	char err[256];
	int r = guard_tun_exempt(GUARD_TUN_DEVICE, err, sizeof(err));

	if (r < 0)
		log_msg("kernel-libipsec: %s: its traffic stays blocked by the guard", err);
	else if (r > 0)
		log_msg("kernel-libipsec: %s exempted from XFRM policy", GUARD_TUN_DEVICE);
}

void plugin_connect(struct zsecd *z)
{
	char said[512];
	enum push push;

	if (z->plugin_fd >= 0 || now_ms() < z->next_connect_ms)
		return;
	z->plugin_fd = unix_connect(z->plugin_path);
	if (z->plugin_fd < 0) {
		z->next_connect_ms = now_ms() + CONNECT_RETRY_MS;
		return;
	}
	log_msg("connected to charon's plugin at %s", z->plugin_path);
	/* only where charon's data plane is kernel-libipsec: on a gateway with
	 * kernel ESP an interface of that name would be someone else's */
	if (z->libipsec)
		tun_exempt();
	if (!z->running)
		return;
	push = plugin_push(z, stderr, said, sizeof(said));
	if (push == PUSH_REFUSED && !(z->plugin_refusal = strdup(said)))
		abort();
	/* charon runs this plan now: what an unconfirmed apply left of the
	 * previous plan's guard can go (after a teardown, nothing comes back
	 * before the next apply) */
	if (push == PUSH_OK)
		zsecd_guard_settle(z);
}

/* Wait for the reply of a request; events that come first are noted.
 * charon may take its time (a plan of 10,000 links): meanwhile, what
 * another process does to the guard or to table inet zsec is put right as
 * it happens, as the main loop would. */
static bool await(struct zsecd *z, uint8_t type, struct msg *m)
{
	long deadline = now_ms() + REPLY_TIMEOUT_MS;

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = z->plugin_fd, .events = POLLIN },
			{ .fd = guard_watch_fd(z->guard), .events = POLLIN },
			{ .fd = z->watch.fd, .events = POLLIN },
		};
		long left = deadline - now_ms();

		if (left <= 0 ||
		    (poll(pfd, 3, zsecd_retry_timeout(z, (int)left)) < 0 && errno != EINTR)) {
			plugin_disconnect(z);
			return false;
		}
		if (pfd[1].revents)
			zsecd_guard_event(z);
		if (pfd[2].revents)
			zsecd_border_event(z);
		zsecd_retry(z);
		if (!pfd[0].revents)
			continue;
		if (msg_recv(z->plugin_fd, m, (int)left) <= 0) {
			plugin_disconnect(z);
			return false;
		}
		if (m->type == type)
			return true;
		if (m->type == MSG_EVENT)
			status_event(z, (const char *)m->data);
		msg_free(m);
	}
}

enum push plugin_push(struct zsecd *z, FILE *out, char *said, size_t said_len)
{
	struct msg m;
	uint8_t *buf;
	size_t len;
	bool ok;

	buf = plan_encode_links(z->running, &len);
	if (!buf) {
		snprintf(said, said_len, "cannot encode the plan");
		fprintf(out, "%s\n", said);
		return PUSH_REFUSED;
	}
	ok = msg_send(z->plugin_fd, MSG_PLAN, buf, len);
	free(buf);
	if (!ok) {
		plugin_disconnect(z);
		fprintf(out, "charon went away while receiving the plan\n");
		return PUSH_LOST;
	}
	if (!await(z, MSG_RESULT, &m)) {
		fprintf(out, "charon went away before confirming the plan\n");
		return PUSH_LOST;
	}
	ok = m.len >= 1 && m.data[0] == 0;
	snprintf(said, said_len, "%s", m.len > 1 ? (const char *)m.data + 1 : "?");
	fprintf(out, "charon: %s\n", said);
	log_msg("charon: %s", said);
	z->plugin_synced = ok;
	msg_free(&m);
	if (ok && z->libipsec)
		tun_exempt();
	return ok ? PUSH_OK : PUSH_REFUSED;
}

char *plugin_status(struct zsecd *z)
{
	struct msg m;
	char *s;

	if (z->plugin_fd < 0)
		return NULL;
	if (!msg_send(z->plugin_fd, MSG_STATUS, "", 0)) {
		plugin_disconnect(z);
		return NULL;
	}
	if (!await(z, MSG_STATUS_REPLY, &m))
		return NULL;
	s = (char *)m.data;             /* NUL-terminated by msg_recv */
	m.data = NULL;
	return s;
}

/* The plugin wrote: events, or it closed the connection. */
void plugin_read(struct zsecd *z)
{
	struct msg m;
	int r = msg_recv(z->plugin_fd, &m, 1000);

	if (r <= 0) {
		plugin_disconnect(z);
		return;
	}
	if (m.type == MSG_EVENT)
		status_event(z, (const char *)m.data);
	msg_free(&m);
}
