/* bench_plugin: plans pushed into the zsec plugin of a running charon, timed.
 *
 *   bench_plugin push SOCKET NODE FILE...
 *       compiles every FILE for NODE and encodes it (untimed), then over one
 *       connection sends each plan in turn as MSG_PLAN and times it until
 *       its MSG_RESULT; one line per FILE
 *   bench_plugin up SOCKET NODE FILE COUNT TIMEOUT_S [POLL_MS]
 *       pushes FILE, then polls MSG_STATUS until COUNT CHILD_SAs are
 *       INSTALLED; times both from the moment the plan is sent, and prints
 *       that moment (start=, seconds since the epoch) to compare with the
 *       timestamps of charon's log
 *   bench_plugin status SOCKET
 *       counts of the plugin's status lines
 *
 * Prints lines of key=value pairs (seconds) for tests/bench/plugin.sh.
 * Exit 1 when a file does not compile, the plugin refuses a plan or COUNT
 * is not reached in time; 2 on usage errors; 3 when the socket fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "policy.h"

#define REPLY_TIMEOUT_MS 600000

static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static int usage(void)
{
	fputs("usage: bench_plugin push SOCKET NODE FILE...\n"
	      "       bench_plugin up SOCKET NODE FILE COUNT TIMEOUT_S [POLL_MS]\n"
	      "       bench_plugin status SOCKET\n", stderr);
	return 2;
}

struct encoded {
	const char *file;
	uint8_t *buf;
	size_t len, links;
};

/* load, validate, compile, encode; false with the reason printed */
static bool encode(const char *file, const char *node, struct encoded *e)
{
	struct plan *p = plan_load(file, node, stderr, false);

	if (!p)
		return false;
	e->file = file;
	e->links = p->n_links;
	e->buf = plan_encode_links(p, &e->len);     /* as zsecd sends it */
	plan_free(p);
	return e->buf != NULL;
}

/* The next message of type want, skipping the plugin's events; 1 ok, 0
 * timeout, -1 failure */
static int recv_type(int fd, uint8_t want, struct msg *m, int timeout_ms)
{
	double deadline = now() + timeout_ms / 1000.0;
	int r;

	for (;;) {
		int left = (int)((deadline - now()) * 1000);

		if (left <= 0)
			return 0;
		r = msg_recv(fd, m, left);
		if (r <= 0)
			return r;
		if (m->type == want)
			return 1;
		msg_free(m);
	}
}

static int connect_to(const char *path)
{
	int fd = unix_connect(path);

	if (fd < 0)
		perror(path);
	return fd;
}

/* Sends one plan, waits for its result: seconds, or -1 */
static double push(int fd, const struct encoded *e, int *code, char *text, size_t len)
{
	struct msg m;
	double t0 = now(), t;

	if (!msg_send(fd, MSG_PLAN, e->buf, e->len) ||
	    recv_type(fd, MSG_RESULT, &m, REPLY_TIMEOUT_MS) != 1) {
		fprintf(stderr, "bench_plugin: no result for %s\n", e->file);
		return -1;
	}
	t = now() - t0;
	*code = m.len ? m.data[0] : 3;
	snprintf(text, len, "%.*s", m.len ? (int)m.len - 1 : 0, (char *)m.data + 1);
	msg_free(&m);
	return t;
}

static int cmd_push(const char *sock, const char *node, char **files, int n)
{
	struct encoded *e = calloc((size_t)n, sizeof(*e));
	char text[512];
	int i, fd, code, rc = 0;
	double t;

	for (i = 0; i < n; i++)
		if (!encode(files[i], node, &e[i]))
			return 1;
	fd = connect_to(sock);
	if (fd < 0)
		return 3;
	for (i = 0; i < n && !rc; i++) {
		t = push(fd, &e[i], &code, text, sizeof(text));
		if (t < 0) {
			rc = 3;
			break;
		}
		printf("file=%s links=%zu bytes=%zu apply=%.6f code=%d result=\"%s\"\n", files[i],
		       e[i].links, e[i].len, t, code, text);
		fflush(stdout);
		if (code)
			rc = 1;
	}
	for (i = 0; i < n; i++)
		free(e[i].buf);
	free(e);
	close(fd);
	return rc;
}

struct counts {
	unsigned links, ike, established, installed;
};

static bool status(int fd, struct counts *c)
{
	struct msg m;
	char *line, *save = NULL;

	memset(c, 0, sizeof(*c));
	if (!msg_send(fd, MSG_STATUS, "", 0) || recv_type(fd, MSG_STATUS_REPLY, &m, 60000) != 1)
		return false;
	for (line = strtok_r((char *)m.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		c->links++;
		c->ike += !strstr(line, " ike=NONE");
		c->established += !!strstr(line, " ike=ESTABLISHED");
		c->installed += !!strstr(line, " child=INSTALLED");
	}
	msg_free(&m);
	return true;
}

static int cmd_up(const char *sock, const char *node, const char *file, unsigned count,
                  double timeout, int poll_ms)
{
	struct encoded e;
	struct counts c = { 0 };
	char text[512];
	double t0, start, applied, up = -1;
	int fd, code;

	if (!encode(file, node, &e))
		return 1;
	fd = connect_to(sock);
	if (fd < 0)
		return 3;
	start = clock_s(CLOCK_REALTIME);
	t0 = now();
	applied = push(fd, &e, &code, text, sizeof(text));
	free(e.buf);
	if (applied < 0 || code) {
		fprintf(stderr, "bench_plugin: plan not applied: %s\n", text);
		return applied < 0 ? 3 : 1;
	}
	while (now() - t0 < timeout) {
		if (!status(fd, &c)) {
			fprintf(stderr, "bench_plugin: no status\n");
			return 3;
		}
		if (c.installed >= count) {
			up = now() - t0;
			break;
		}
		usleep((useconds_t)poll_ms * 1000);
	}
	printf("links=%zu start=%.6f apply=%.6f up=%.6f installed=%u established=%u ike=%u\n",
	       e.links, start, applied, up, c.installed, c.established, c.ike);
	close(fd);
	return up < 0;
}

static int cmd_status(const char *sock)
{
	struct counts c;
	int fd = connect_to(sock);

	if (fd < 0)
		return 3;
	if (!status(fd, &c)) {
		close(fd);
		return 3;
	}
	printf("links=%u ike=%u established=%u installed=%u\n", c.links, c.ike,
	       c.established, c.installed);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "push"))
		return cmd_push(argv[2], argv[3], argv + 4, argc - 4);
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "up"))
		return cmd_up(argv[2], argv[3], argv[4], (unsigned)atoi(argv[5]), atof(argv[6]),
		              argc == 8 ? atoi(argv[7]) : 100);
	if (argc == 3 && !strcmp(argv[1], "status"))
		return cmd_status(argv[2]);
	return usage();
}
